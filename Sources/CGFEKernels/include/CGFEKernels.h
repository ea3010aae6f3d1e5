// Row-stable single-precision matrix product (RowGemm.c).
//
// Contract: for C (m × n) = A (m × k) · B (k × n), every element is
//     acc = +0;  for p = 0, 1, …, k−1:  acc = fmaf(A[i][p], B[p][j], acc);  C[i][j] = acc
// — one accumulator per element, one fused multiply-add per p, in increasing p. The operations for C[i][j]
// read only row i of A and column j of B, so a row's result is bit-for-bit the same wherever the row sits in
// A and however many rows A has (BLAS kernels do not promise this: their order of operations depends on the
// row's position in the register tile and on the matrix height). k = 0 gives C = 0.
//
// B is given once in a packed layout (gfe_rowgemm_pack) and reused for many products.
#ifndef CGFEKERNELS_H
#define CGFEKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Columns per packed panel of B (the width of the vector micro-kernel).
#define GFE_ROWGEMM_PANEL 16

/// 1 when the CPU runs the AVX2 + FMA micro-kernel; 0 when gfe_rowgemm falls back to its scalar loop
/// (same bits, far slower: callers should then use BLAS instead).
int gfe_rowgemm_vector_kernel_available(void);

/// Floats a packed B of k rows and n columns occupies: ⌈n/16⌉ panels of k × 16.
size_t gfe_rowgemm_packed_count(size_t k, size_t n);

/// Packs B (k × n) into `packed` (gfe_rowgemm_packed_count(k, n) floats, 32-byte aligned for speed):
/// panel q holds columns 16q … 16q+15, row p of the panel at packed[q·16·k + p·16 …], columns past n zero.
/// transposed == 0: B[p][j] = source[p·ld + j]  (B stored row-major, e.g. W for D = G·W);
/// transposed != 0: B[p][j] = source[j·ld + p]  (Bᵀ stored row-major, e.g. W for C = X·Wᵀ).
void gfe_rowgemm_pack(const float *source, size_t ld, int transposed, size_t k, size_t n, float *packed);

/// C (m × n, leading dimension ldc) ← A (m × k, leading dimension lda) · B, B packed by gfe_rowgemm_pack
/// with the same k and n. C must not overlap A or the packed B.
void gfe_rowgemm(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                 float *c, size_t ldc);

/// gfe_rowgemm_pack(source, ld, transposed, k, n, packed) and then gfe_rowgemm with that packed B, in one
/// sweep: each part of B is packed just before its first use, while it is in cache. Same bits in C and in
/// `packed` as the two calls. For a factor used once per change of its values (weights after an update).
void gfe_rowgemm_packing(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *source,
                         size_t ld, int transposed, float *packed, float *c, size_t ldc);

/// The same product with B read from its source (as gfe_rowgemm_pack reads it), each part packed into a
/// small buffer just before its use and nothing kept: same bits in C. For a factor used once (a full pack
/// would cost a sweep over memory that is never repaid).
void gfe_rowgemm_unpacked(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *source,
                          size_t ld, int transposed, float *c, size_t ldc);

#ifdef __cplusplus
}
#endif

#endif
