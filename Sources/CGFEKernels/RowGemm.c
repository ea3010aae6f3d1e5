// Row-stable single-precision matrix product: see include/CGFEKernels.h for the contract.
//
// Why it holds by construction: every output element owns one accumulator lane; the lane starts at +0 and
// receives one fused multiply-add per p in increasing p, whatever code path computes it (a 6-row tile, a
// shorter tile at the bottom edge, a masked panel at the right edge, B read from a full pack, a pack being
// filled or a scratch slice, or the scalar fallback: fmaf rounds exactly like an FMA lane). K-blocking
// only stores the float accumulator to C and reloads it, which is exact. Packing only copies values.
// Nothing depends on the row's position or the matrix height.
//
// Blocking (Goto/BLIS order) for the AVX2 kernel: K in blocks of KC, rows in blocks of MC, columns in
// packed panels of 16; the micro-kernel computes a 6 × 16 tile in 12 ymm accumulators, reading the panel's
// KC × 16 slice (streamed from L2 while the MC rows sweep past it) and the A block (MC × KC, L2-resident
// while the panels sweep past it). KC is large enough that the decoder's inner dimensions (≤ 784) are never
// split: smaller, L1-sized K blocks (256) measured 10–15 % slower, from reloading the C tiles between
// blocks. A is read in place (packing it measured no faster on these shapes).

#include "CGFEKernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define GFE_ROWGEMM_X86 1
#include <immintrin.h>
#endif

enum {
    NR = GFE_ROWGEMM_PANEL, // columns per panel = two ymm registers
    MR = 6,                 // rows per tile: 12 accumulators + 2 B vectors + 1 broadcast = 15 of 16 ymm
    KC = 1024,              // K block: a panel slice of ≤ 1024 × 16 floats (≤ 64 KiB, in L2)
    MC = 120,               // row block (multiple of MR): 120 × 784 floats = 376 KiB of A in L2 (512 KiB)
    KC_SCRATCH = 256,       // K block when B comes through the scratch buffer (16 KiB on the stack)
    PACK_BLOCK = 128        // values of p per pass when packing a transposed source (128 × 64 B = 8 KiB)
};

static inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

size_t gfe_rowgemm_packed_count(size_t k, size_t n) { return (n + NR - 1) / NR * NR * k; }

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

/// The contract written out literally, one element at a time, B from its pack or (packed == NULL) from its
/// source: for CPUs without AVX2 + FMA.
static void rowgemm_scalar(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                           const float *source, size_t ld, int transposed, float *c, size_t ldc) {
    for (size_t i = 0; i < m; ++i) {
        for (size_t j = 0; j < n; ++j) {
            const float *row = a + i * lda;
            float acc = 0.0f;
            if (packed) {
                const float *b = packed + (j / NR) * NR * k + j % NR;
                for (size_t p = 0; p < k; ++p) acc = fmaf(row[p], b[p * NR], acc);
            } else {
                for (size_t p = 0; p < k; ++p) acc = fmaf(row[p], source_value(source, ld, transposed, p, j), acc);
            }
            c[i * ldc + j] = acc;
        }
    }
}

static void pack_slice(const float *source, size_t ld, int transposed, size_t n, size_t q, size_t p0, size_t p1,
                       float *dst);

#ifdef GFE_ROWGEMM_X86

#define GFE_AVX2 __attribute__((target("avx2,fma")))

/// One tile of `rows` (≤ MR, a compile-time constant after inlining) × 16 columns over kc values of p.
/// `width` < 16 only for the last panel: C is then read and written through the lane masks. `resume`:
/// the accumulators continue from C (a later K block) instead of starting at +0.
GFE_AVX2 static inline __attribute__((always_inline)) void
tile(const int rows, size_t kc, const float *a, size_t lda, const float *b, float *c, size_t ldc,
     int width, __m256i mask0, __m256i mask1, int resume) {
    __m256 lo[MR], hi[MR];
    const int full = width == NR;
    for (int r = 0; r < rows; ++r) {
        float *cr = c + r * ldc;
        if (!resume) {
            lo[r] = _mm256_setzero_ps();
            hi[r] = _mm256_setzero_ps();
            _mm_prefetch((const char *)cr, _MM_HINT_T0);
        } else if (full) {
            lo[r] = _mm256_loadu_ps(cr);
            hi[r] = _mm256_loadu_ps(cr + 8);
        } else {
            lo[r] = _mm256_maskload_ps(cr, mask0);
            hi[r] = _mm256_maskload_ps(cr + 8, mask1);
        }
    }
    // Unrolled by two: measured ~2 % faster on the decoder's shapes (less loop overhead per 12 FMAs).
#pragma clang loop unroll_count(2)
    for (size_t p = 0; p < kc; ++p) {
        const __m256 b0 = _mm256_loadu_ps(b + p * NR);
        const __m256 b1 = _mm256_loadu_ps(b + p * NR + 8);
        for (int r = 0; r < rows; ++r) {
            const __m256 ar = _mm256_broadcast_ss(a + r * lda + p);
            lo[r] = _mm256_fmadd_ps(ar, b0, lo[r]);
            hi[r] = _mm256_fmadd_ps(ar, b1, hi[r]);
        }
    }
    for (int r = 0; r < rows; ++r) {
        float *cr = c + r * ldc;
        if (full) {
            _mm256_storeu_ps(cr, lo[r]);
            _mm256_storeu_ps(cr + 8, hi[r]);
        } else {
            _mm256_maskstore_ps(cr, mask0, lo[r]);
            _mm256_maskstore_ps(cr + 8, mask1, hi[r]);
        }
    }
}

/// `tile` specialised per row count, so each variant keeps its accumulators in registers.
GFE_AVX2 static void tile_rows(int rows, size_t kc, const float *a, size_t lda, const float *b, float *c,
                               size_t ldc, int width, __m256i mask0, __m256i mask1, int resume) {
    switch (rows) {
    case 6: tile(6, kc, a, lda, b, c, ldc, width, mask0, mask1, resume); break;
    case 5: tile(5, kc, a, lda, b, c, ldc, width, mask0, mask1, resume); break;
    case 4: tile(4, kc, a, lda, b, c, ldc, width, mask0, mask1, resume); break;
    case 3: tile(3, kc, a, lda, b, c, ldc, width, mask0, mask1, resume); break;
    case 2: tile(2, kc, a, lda, b, c, ldc, width, mask0, mask1, resume); break;
    default: tile(1, kc, a, lda, b, c, ldc, width, mask0, mask1, resume); break;
    }
}

/// Where the AVX2 product takes B's panel slices from.
typedef enum {
    FROM_PACK,    // a complete pack
    FILLING_PACK, // a pack filled from the source on the way: each slice just before the first row block
                  // uses it (while hot), later row blocks reading the pack
    FROM_SCRATCH  // the source, each slice packed into a small buffer for each row block (nothing kept)
} slice_source;

/// The blocked product; `packed` is unused for FROM_SCRATCH, `source` for FROM_PACK.
GFE_AVX2 static void rowgemm_avx2(size_t m, size_t n, size_t k, const float *a, size_t lda, slice_source from,
                                  float *packed, const float *source, size_t ld, int transposed, float *c,
                                  size_t ldc) {
    float scratch[KC_SCRATCH * NR] __attribute__((aligned(64)));
    const size_t kblock = from == FROM_SCRATCH ? KC_SCRATCH : KC;
    const size_t panels = (n + NR - 1) / NR;
    const __m256i lanes0 = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i lanes1 = _mm256_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15);
    for (size_t pc = 0; pc < k; pc += kblock) {
        const size_t kc = min_size(kblock, k - pc);
        for (size_t ic = 0; ic < m; ic += MC) {
            const size_t mc = min_size(MC, m - ic);
            for (size_t q = 0; q < panels; ++q) {
                const size_t j0 = q * NR;
                const int width = (int)min_size(NR, n - j0);
                const __m256i w = _mm256_set1_epi32(width);
                const __m256i mask0 = _mm256_cmpgt_epi32(w, lanes0);
                const __m256i mask1 = _mm256_cmpgt_epi32(w, lanes1);
                const float *b;
                if (from == FROM_SCRATCH) {
                    pack_slice(source, ld, transposed, n, q, pc, pc + kc, scratch);
                    b = scratch;
                } else {
                    float *slice = packed + q * NR * k + pc * NR;
                    if (from == FILLING_PACK && ic == 0) pack_slice(source, ld, transposed, n, q, pc, pc + kc, slice);
                    b = slice;
                }
                for (size_t ir = 0; ir < mc; ir += MR) {
                    const size_t i = ic + ir;
                    tile_rows((int)min_size(MR, mc - ir), kc, a + i * lda + pc, lda, b, c + i * ldc + j0, ldc,
                              width, mask0, mask1, pc > 0);
                }
            }
        }
    }
}

/// Eight rows of eight floats, transposed: on return r[i][c] holds what r[c][i] held.
GFE_AVX2 static inline __attribute__((always_inline)) void transpose8(__m256 r[8]) {
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
GFE_AVX2 static void pack_transposed_avx2(const float *source, size_t ld, size_t j0, size_t width, size_t p0,
                                          size_t p1, float *dst) {
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

static int vector_kernel_available = -1;

int gfe_rowgemm_vector_kernel_available(void) {
    int v = __atomic_load_n(&vector_kernel_available, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&vector_kernel_available, v, __ATOMIC_RELAXED);
    }
    return v;
}

#else

int gfe_rowgemm_vector_kernel_available(void) { return 0; }

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
#ifdef GFE_ROWGEMM_X86
    if (gfe_rowgemm_vector_kernel_available()) {
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

/// C = A·B, B from `packed` (source == NULL), or from `source` while filling `packed` (both given), or from
/// `source` alone (packed == NULL).
static void product(size_t m, size_t n, size_t k, const float *a, size_t lda, float *packed, const float *source,
                    size_t ld, int transposed, float *c, size_t ldc) {
    if (n == 0) return;
    if (m == 0 || k == 0) {
        if (source && packed) gfe_rowgemm_pack(source, ld, transposed, k, n, packed);
        for (size_t i = 0; i < m; ++i) memset(c + i * ldc, 0, sizeof(float) * n);
        return;
    }
#ifdef GFE_ROWGEMM_X86
    if (gfe_rowgemm_vector_kernel_available()) {
        const slice_source from = !source ? FROM_PACK : packed ? FILLING_PACK : FROM_SCRATCH;
        rowgemm_avx2(m, n, k, a, lda, from, packed, source, ld, transposed, c, ldc);
        return;
    }
#endif
    if (source && packed) gfe_rowgemm_pack(source, ld, transposed, k, n, packed);
    rowgemm_scalar(m, n, k, a, lda, packed, source, ld, transposed, c, ldc);
}

void gfe_rowgemm(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed, float *c,
                 size_t ldc) {
    // Without a source nothing is written to `packed`.
    product(m, n, k, a, lda, (float *)packed, NULL, 0, 0, c, ldc);
}

void gfe_rowgemm_packing(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *source, size_t ld,
                         int transposed, float *packed, float *c, size_t ldc) {
    product(m, n, k, a, lda, packed, source, ld, transposed, c, ldc);
}

void gfe_rowgemm_unpacked(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *source, size_t ld,
                          int transposed, float *c, size_t ldc) {
    product(m, n, k, a, lda, NULL, source, ld, transposed, c, ldc);
}
