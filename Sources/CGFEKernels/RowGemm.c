// The engine's single-precision matrix product: see include/CGFEKernels.h for the contract.
//
// Why it holds by construction: every output element owns one accumulator (a lane of a 16-float vector on
// the vector paths, a float on the scalar path); it starts at +0 and receives one fused multiply-add per p in
// increasing p, whatever code computes it (a full tile, a shorter tile at the bottom edge, a partial panel at
// the right edge, B read from a full pack, a pack being filled, a scratch slice or its source in place).
// fmaf and a vector FMA lane round identically (IEEE 754 fusedMultiplyAdd). K blocking only stores the float
// accumulator to C and reloads it, which is exact; packing only copies values. The epilogue (alpha, beta) is
// the same elementwise formula on every path. Nothing depends on the row's position, the matrix sizes, the
// vector width or the CPU.

#include "CGFEKernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define GFE_X86 1
#endif

enum {
    NR = GFE_ROWGEMM_PANEL, // columns per panel: one 16-float vector
    KC = 1024,              // K block: a panel slice of ≤ 1024 × 16 floats (≤ 64 KiB, in L2); the decoder's
                            // inner dimensions (≤ 784) are never split: smaller, L1-sized blocks (256)
                            // measured 10–15 % slower, from reloading the C tiles between blocks
    MC = 120,               // row block (a multiple of every MR): 120 × 784 floats = 376 KiB of A in L2
    KC_SCRATCH = 256,       // K block when B comes through the scratch buffer (16 KiB per panel, on the stack)
    PACK_BLOCK = 128,       // values of p per pass when packing a transposed source (128 × 64 B = 8 KiB)
    SHORT_K = 64            // at most this K, products use tiles that do not prefetch (AVX-512: 4 × 64 tiles)
};

static inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

size_t gfe_rowgemm_packed_count(size_t k, size_t n) { return (n + NR - 1) / NR * NR * k; }

// MARK: CPU features

#ifdef GFE_X86
/// FMA: both vector paths need it, and the scalar path uses its instructions where the CPU has it.
/// __builtin_cpu_init runs its detection once; later calls only read the result.
static int cpu_has_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma");
}

static int cpu_has(int path) {
    switch (path) {
    case GFE_KERNEL_AVX2: return cpu_has_fma() && __builtin_cpu_supports("avx2");
    case GFE_KERNEL_AVX512: return cpu_has_fma() && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f");
    default: return 0;
    }
}
#endif

int gfe_kernel_available(int path) {
    if (path == GFE_KERNEL_SCALAR) return 1;
#ifdef GFE_X86
    static int cached[3] = {-1, -1, -1};
    if (path != GFE_KERNEL_AVX2 && path != GFE_KERNEL_AVX512) return 0;
    int v = __atomic_load_n(&cached[path], __ATOMIC_RELAXED);
    if (v < 0) {
        v = cpu_has(path);
        __atomic_store_n(&cached[path], v, __ATOMIC_RELAXED);
    }
    return v;
#else
    return 0;
#endif
}

// MARK: Packing (pure copies: the same values whichever code packs them)

/// B[p][j] from the source (see gfe_rowgemm_pack).
static inline float source_value(const float *source, size_t ld, int transposed, size_t p, size_t j) {
    return transposed ? source[j * ld + p] : source[p * ld + j];
}

/// Columns c0 ..< c1 of a panel slice from a transposed source (column j of B is row j of the source), for
/// p = p0 ..< p1, into dst (row p0 of the slice first, rows NR floats apart): source rows read sequentially,
/// PACK_BLOCK values of p at a time so that the slice lines being filled stay in L1.
static void pack_transposed_scalar(const float *source, size_t ld, size_t j0, size_t c0, size_t c1, size_t p0,
                                   size_t p1, float *dst) {
    for (size_t b0 = p0; b0 < p1; b0 += PACK_BLOCK) {
        const size_t b1 = min_size(b0 + PACK_BLOCK, p1);
        for (size_t c = c0; c < c1; ++c) {
            const float *src = source + (j0 + c) * ld;
            for (size_t p = b0; p < b1; ++p) dst[(p - p0) * NR + c] = src[p];
        }
    }
}

#ifdef GFE_X86
#include <immintrin.h>

/// Eight rows of eight floats, transposed: on return r[i][c] holds what r[c][i] held.
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) void transpose8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/// pack_transposed_scalar by 8 × 8 blocks (a pure copy: the packed values are the same); the columns and
/// values of p that do not fill a block go through the scalar loop.
__attribute__((target("avx2"))) static void pack_transposed_avx2(const float *source, size_t ld, size_t j0,
                                                                 size_t width, size_t p0, size_t p1, float *dst) {
    const size_t full_columns = width / 8 * 8, full_end = p0 + (p1 - p0) / 8 * 8;
    for (size_t c0 = 0; c0 < full_columns; c0 += 8) {
        for (size_t p = p0; p < full_end; p += 8) {
            __m256 r[8];
            for (int c = 0; c < 8; ++c) r[c] = _mm256_loadu_ps(source + (j0 + c0 + c) * ld + p);
            transpose8(r);
            for (int i = 0; i < 8; ++i) _mm256_storeu_ps(dst + (p - p0 + i) * NR + c0, r[i]);
        }
    }
    if (full_end < p1) pack_transposed_scalar(source, ld, j0, 0, full_columns, full_end, p1, dst + (full_end - p0) * NR);
    pack_transposed_scalar(source, ld, j0, full_columns, width, p0, p1, dst);
}
#endif

/// Rows p0 ..< p1 of panel q of the packed B, from the source, into dst (row p0 first, rows NR floats apart).
static void pack_slice(const float *source, size_t ld, int transposed, size_t n, size_t q, size_t p0, size_t p1,
                       float *dst) {
    const size_t j0 = q * NR;
    const size_t width = min_size(NR, n - j0);
    if (width < NR) memset(dst, 0, sizeof(float) * NR * (p1 - p0));
    if (!transposed) {
        for (size_t p = p0; p < p1; ++p) memcpy(dst + (p - p0) * NR, source + p * ld + j0, sizeof(float) * width);
        return;
    }
#ifdef GFE_X86
    if (gfe_kernel_available(GFE_KERNEL_AVX2)) {
        pack_transposed_avx2(source, ld, j0, width, p0, p1, dst);
        return;
    }
#endif
    pack_transposed_scalar(source, ld, j0, 0, width, p0, p1, dst);
}

void gfe_rowgemm_pack(const float *source, size_t ld, int transposed, size_t k, size_t n, float *packed) {
    const size_t panels = (n + NR - 1) / NR;
    for (size_t q = 0; q < panels; ++q) pack_slice(source, ld, transposed, n, q, 0, k, packed + q * NR * k);
}

// MARK: One product, on any path

/// Where a product takes B's panel slices from.
typedef enum {
    FROM_PACK,    // a complete pack
    FILLING_PACK, // a pack filled from the source on the way: each slice just before the first row block
                  // uses it (while hot), later row blocks reading the pack
    FROM_SCRATCH  // the source, each slice copied into a small buffer for each row block (or read in place
                  // when B is stored row-major and the panel is whole); nothing kept
} slice_source;

typedef struct {
    size_t m, n, k;
    const float *a;
    size_t lda;
    int trans_a;           // A[i][p] at a[i·lda + p], or at a[p·lda + i]
    slice_source from;
    float *packed;         // read (FROM_PACK) or filled (FILLING_PACK)
    const float *source;   // B's source (FILLING_PACK, FROM_SCRATCH), read as gfe_rowgemm_pack reads it
    size_t ld;
    int transposed;
    float *c;
    size_t ldc;
    float alpha, beta;
} product_args;

/// Rows p0 ..< p1 of `count` panels of B from panel q0 on, from the source, into dst (panels `stride` floats
/// apart).
static void pack_panels(const product_args *x, size_t q0, int count, size_t p0, size_t p1, float *dst,
                        size_t stride) {
    for (int q = 0; q < count; ++q)
        pack_slice(x->source, x->ld, x->transposed, x->n, q0 + (size_t)q, p0, p1, dst + (size_t)q * stride);
}

/// The epilogue of the contract for one element.
static inline float epilogue(float acc, float alpha, float beta, const float *c) {
    const float t = alpha * acc;
    return beta == 0.0f ? t : fmaf(beta, *c, t);
}

/// One row's chains for the columns j0 ..< j0 + width (width ≤ NR, one panel), B from its pack or its
/// source: the contract written out literally. Each element's chain runs in increasing p; the row's elements
/// advance together, so their fmaf are independent of one another. Called with width = NR (a constant) for
/// whole panels, so that the accumulators live in registers.
static inline __attribute__((always_inline)) void scalar_chains(const product_args *x, size_t i, size_t j0,
                                                                size_t width, float *acc) {
    for (size_t j = 0; j < width; ++j) acc[j] = 0.0f;
    for (size_t p = 0; p < x->k; ++p) {
        const float av = x->trans_a ? x->a[p * x->lda + i] : x->a[i * x->lda + p];
        if (x->from != FROM_SCRATCH) {
            const float *b = x->packed + j0 * x->k + p * NR; // panel j0 / NR, row p
            for (size_t j = 0; j < width; ++j) acc[j] = fmaf(av, b[j], acc[j]);
        } else {
            for (size_t j = 0; j < width; ++j)
                acc[j] = fmaf(av, source_value(x->source, x->ld, x->transposed, p, j0 + j), acc[j]);
        }
    }
}

/// The path for CPUs without AVX2 + FMA: plain C, one row and one panel at a time.
static inline __attribute__((always_inline)) void product_scalar_body(const product_args *x) {
    float acc[NR];
    if (x->from == FILLING_PACK) gfe_rowgemm_pack(x->source, x->ld, x->transposed, x->k, x->n, x->packed);
    for (size_t i = 0; i < x->m; ++i) {
        for (size_t j0 = 0; j0 < x->n; j0 += NR) {
            const size_t width = min_size(NR, x->n - j0);
            if (width == NR) scalar_chains(x, i, j0, NR, acc);
            else scalar_chains(x, i, j0, width, acc);
            float *c = x->c + i * x->ldc + j0;
            for (size_t j = 0; j < width; ++j) c[j] = epilogue(acc[j], x->alpha, x->beta, c + j);
        }
    }
}

/// fmaf is a call into the C library here (its software version on a CPU without FMA).
static void product_scalar(const product_args *x) { product_scalar_body(x); }

#ifdef GFE_X86
/// The same code where the CPU has FMA (as every CPU that runs a vector path, where `GFE_KERNEL=scalar` forces
/// this path): fmaf becomes an instruction instead of a library call, and the compiler may run neighbouring
/// columns' chains side by side in vector FMAs. Each element keeps its own chain, and an FMA instruction rounds
/// as the library's fmaf does (IEEE 754 fusedMultiplyAdd), so the bits are the same. The decoder at B = 16:
/// 1.6–2.1 ms per forward + ∇z against 37–39 ms through the library (`GFE_KERNEL=scalar GFEBench decoder`).
__attribute__((target("fma"))) static void product_scalar_fma(const product_args *x) { product_scalar_body(x); }
#endif

#ifdef GFE_X86
// One source for both vector targets: RowGemmVector.h, compiled under each target's instruction set.
typedef float v16 __attribute__((ext_vector_type(16)));

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define VNAME(x) x##_avx2
#define MR 6
#define NP 1
#define PREFETCHING 1
#include "RowGemmVector.h"
#undef PREFETCHING
// Short products (K ≤ SHORT_K, below) on the same tiles without prefetching: their B is small and never a
// stored pack, and the check alone cost the parameter gradients 5 %.
#undef VNAME
#define VNAME(x) x##_avx2_short
#define PREFETCHING 0
#include "RowGemmVector.h"
#undef PREFETCHING
#undef NP
#undef MR
#undef VNAME
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#define VNAME(x) x##_avx512
#define MR 8
#define NP 2
#define PREFETCHING 1
#include "RowGemmVector.h"
#undef PREFETCHING
#undef NP
#undef MR
#undef VNAME
// Short products (K ≤ SHORT_K: the parameter gradients Δᵀ·H have K = the batch size, the first layer
// K = the latent size) are bound by loading operands and writing C rather than by the FMAs: 4 × 64 tiles load
// 4 B vectors and broadcast 4 A values per 16 FMAs (8 × 32 tiles: 2 and 8) and write C in rows of 256 bytes.
// Measured on the parameter gradients at B = 16: 0.12 ms against 0.156 ms with 8 × 32 tiles. No prefetching
// (as on AVX2).
#define VNAME(x) x##_avx512_short
#define MR 4
#define NP 4
#define PREFETCHING 0
#include "RowGemmVector.h"
#undef PREFETCHING
#undef NP
#undef MR
#undef VNAME
// The decoder's other products (K > SHORT_K, at most MC rows: a batch or a 64-row block of one) run on 6 × 64
// tiles: 24 accumulators, 4 B vectors and 6 broadcasts per 24 FMAs (8 × 32: 2 and 8 per 16). Measured on the
// AMD benchmark (64 groups of 16): 2.6 % less CPU time. Taller products keep 8 × 32 tiles, which measured
// faster there (n = 1024: 193 against 177-181 GFLOP/s).
#define VNAME(x) x##_avx512_wide
#define MR 6
#define NP 4
#define PREFETCHING 1
#include "RowGemmVector.h"
#undef PREFETCHING
#undef NP
#undef MR
#undef VNAME
#pragma clang attribute pop
#endif

static void product(int path, product_args x) {
    if (x.m == 0 || x.n == 0) {
        if (x.from == FILLING_PACK) gfe_rowgemm_pack(x.source, x.ld, x.transposed, x.k, x.n, x.packed);
        return;
    }
    if (x.k == 0 || path == GFE_KERNEL_SCALAR
#ifndef GFE_X86
        || 1
#endif
    ) {
#ifdef GFE_X86
        if (cpu_has_fma()) {
            product_scalar_fma(&x);
            return;
        }
#endif
        product_scalar(&x);
        return;
    }
#ifdef GFE_X86
    const size_t kblock = x.from == FROM_SCRATCH ? KC_SCRATCH : KC;
    if (x.beta != 0.0f && x.k > kblock) {
        // Later K blocks resume from C, so C cannot hold beta's operand: the product goes to a buffer first
        // and the epilogue reads both.
        float *t = malloc(sizeof(float) * x.m * x.n);
        if (!t) abort();
        product_args y = x;
        y.c = t;
        y.ldc = x.n;
        y.alpha = 1.0f;
        y.beta = 0.0f;
        product(path, y);
        for (size_t i = 0; i < x.m; ++i)
            for (size_t j = 0; j < x.n; ++j) {
                float *c = x.c + i * x.ldc + j;
                *c = epilogue(t[i * x.n + j], x.alpha, x.beta, c);
            }
        free(t);
        return;
    }
    if (path == GFE_KERNEL_AVX512 && x.k <= SHORT_K) product_avx512_short(&x);
    else if (path == GFE_KERNEL_AVX512 && x.m <= MC) product_avx512_wide(&x);
    else if (path == GFE_KERNEL_AVX512) product_avx512(&x);
    else if (x.k <= SHORT_K) product_avx2_short(&x);
    else product_avx2(&x);
#endif
}

void gfe_rowgemm(int path, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                 float *c, size_t ldc) {
    // Nothing is written to `packed`.
    product(path, (product_args){m, n, k, a, lda, 0, FROM_PACK, (float *)packed, NULL, 0, 0, c, ldc, 1.0f, 0.0f});
}

void gfe_rowgemm_packing(int path, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *source,
                         size_t ld, int transposed, float *packed, float *c, size_t ldc) {
    product(path, (product_args){m, n, k, a, lda, 0, FILLING_PACK, packed, source, ld, transposed, c, ldc, 1.0f, 0.0f});
}

void gfe_rowgemm_unpacked(int path, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *source,
                          size_t ld, int transposed, float *c, size_t ldc) {
    product(path, (product_args){m, n, k, a, lda, 0, FROM_SCRATCH, NULL, source, ld, transposed, c, ldc, 1.0f, 0.0f});
}

void gfe_sgemm(int path, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a,
               size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc) {
    product(path, (product_args){m, n, k, a, lda, trans_a != 0, FROM_SCRATCH, NULL, b, ldb, trans_b != 0, c, ldc,
                                 alpha, beta});
}
