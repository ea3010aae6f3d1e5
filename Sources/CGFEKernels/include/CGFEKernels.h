// The engine's single-precision matrix product (RowGemm.c): every Float product of training, evaluation and
// encoding runs here, never through BLAS, so that results do not depend on the CPU or on the BLAS installed.
//
// Contract: for C (m × n) = alpha·A (m × k)·B (k × n) + beta·C, every element is
//     acc = +0;  for p = 0, 1, …, k−1:  acc = fmaf(A[i][p], B[p][j], acc);
//     t = alpha·acc (one rounding; exact when alpha = 1);
//     C[i][j] = (beta == 0) ? t : fmaf(beta, C[i][j], t)     (C is not read when beta == 0)
// — one accumulator per element, one fused multiply-add per p, in increasing p. The operations for C[i][j]
// read only row i of A, column j of B and C[i][j]: a row's result is bit for bit the same wherever the row
// sits in A and however many rows A has, and the same on every code path (vector lanes run across columns,
// so the vector width never changes an element's arithmetic). BLAS kernels promise none of this: their order
// of operations depends on the CPU, the kernel OpenBLAS picks, the row's position and the matrix sizes.
// k = 0 gives acc = +0.
//
// Code paths (GFE_KERNEL_*): the same bits on each; `path` selects one (gfe_kernel_available says which the
// CPU runs: calling an unavailable one is undefined). B may be given once in a packed layout
// (gfe_rowgemm_pack) and reused for many products.
#ifndef CGFEKERNELS_H
#define CGFEKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Columns per packed panel of B (one 16-float vector: two AVX2 registers or one AVX-512 register).
#define GFE_ROWGEMM_PANEL 16

/// The kernel's code paths: scalar (fmaf, any CPU), AVX2 + FMA, AVX-512 (F).
enum { GFE_KERNEL_SCALAR = 0, GFE_KERNEL_AVX2 = 1, GFE_KERNEL_AVX512 = 2 };

/// 1 when this CPU (and its operating system) runs `path`, else 0.
int gfe_kernel_available(int path);

/// Floats a packed B of k rows and n columns occupies: ⌈n/16⌉ panels of k × 16.
size_t gfe_rowgemm_packed_count(size_t k, size_t n);

/// Packs B (k × n) into `packed` (gfe_rowgemm_packed_count(k, n) floats, 64-byte aligned for speed):
/// panel q holds columns 16q … 16q+15, row p of the panel at packed[q·16·k + p·16 …], columns past n zero.
/// transposed == 0: B[p][j] = source[p·ld + j]  (B stored row-major, e.g. W for D = G·W);
/// transposed != 0: B[p][j] = source[j·ld + p]  (Bᵀ stored row-major, e.g. W for C = X·Wᵀ).
void gfe_rowgemm_pack(const float *source, size_t ld, int transposed, size_t k, size_t n, float *packed);

/// C (m × n, leading dimension ldc) ← A (m × k, leading dimension lda) · B, B packed by gfe_rowgemm_pack
/// with the same k and n (alpha = 1, beta = 0). C must not overlap A or the packed B.
void gfe_rowgemm(int path, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                 float *c, size_t ldc);

/// gfe_rowgemm_pack(source, ld, transposed, k, n, packed) and then gfe_rowgemm with that packed B, in one
/// sweep: each part of B is packed just before its first use, while it is in cache. Same bits in C and in
/// `packed` as the two calls. For a factor used once per change of its values (weights after an update).
void gfe_rowgemm_packing(int path, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *source,
                         size_t ld, int transposed, float *packed, float *c, size_t ldc);

/// The same product with B read from its source (as gfe_rowgemm_pack reads it), nothing packed ahead or
/// kept: same bits in C. For a factor used once (a full pack would cost a sweep over memory that is never
/// repaid).
void gfe_rowgemm_unpacked(int path, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *source,
                          size_t ld, int transposed, float *c, size_t ldc);

/// BLAS's sgemm interface, row-major, under the contract above: C ← alpha·op(A)·op(B) + beta·C with
/// op(A) = A (trans_a == 0: A[i][p] = a[i·lda + p]) or Aᵀ (A[i][p] = a[p·lda + i]), likewise op(B) with ldb.
void gfe_sgemm(int path, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a,
               size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc);

#ifdef __cplusplus
}
#endif

#endif
