// The blocked vector product of RowGemm.c, written once over 16-float vectors and included once per vector
// target (RowGemm.c sets the target attribute and these macros):
//   VNAME(x)  the name of x for this target;  MR  rows per tile;  NP  panels (16 columns each) per tile;
//   PREFETCHING  1 if the tiles prefetch (below), 0 where B is never a large pack (short K).
// On AVX2 a 16-float vector is two registers (MR = 6, NP = 1: 12 accumulators); on AVX-512 one register
// (MR = 8, NP = 2: 16 accumulators; MR = 6, NP = 4 for products of at most 120 rows; MR = 4, NP = 4 for
// short K). Every lane of an accumulator is one element of C and receives one fused multiply-add per p in
// increasing p (__builtin_elementwise_fma rounds once per lane, exactly as fmaf), so every tile shape and the
// scalar path compute the same bits by construction: the tile shape, the blocking and the source of B decide
// only which elements are computed together, never an element's operations.
//
// Blocking (Goto/BLIS order): K in blocks of KC (KC_SCRATCH when B comes through the scratch buffer), rows in
// blocks of MC, columns in groups of NP panels; a tile computes MR × 16·NP elements, reading B's panel slices
// (streamed from L2 while the MC rows sweep past them) and the A block in place (L2-resident while the panels
// sweep past it). K blocking only stores the float accumulator to C and reloads it, which is exact.
//
// Prefetching: a packed B (the decoder's weights, 2.8 MB per direction) does not fit in L2, so the first
// tile over each group of panels would wait on L3 for all of its slices. While a row block sweeps one
// group, its tiles prefetch the next group's slices, one cache line per value of p (a 16-row block's three
// AVX-512 tiles reach three quarters of a 4-panel group, a 64-row block all of it; two lines per p, or
// prefetching to L2 only, measured no better). A prefetch only moves data between caches: the arithmetic is
// untouched.

// (Vectors pass through pointers, never by value: a 16-float vector argument has no fixed ABI on AVX2.)

/// C's `width` ≤ 16 columns at p into *v (lanes past width zero).
static inline __attribute__((always_inline)) void VNAME(load_c)(v16 *v, const float *p, int width) {
    if (width == NR) {
        __builtin_memcpy(v, p, sizeof *v);
        return;
    }
    float t[NR] = {0};
    __builtin_memcpy(t, p, sizeof(float) * (size_t)width);
    __builtin_memcpy(v, t, sizeof *v);
}

static inline __attribute__((always_inline)) void VNAME(store_c)(float *p, const v16 *v, int width) {
    if (width == NR) {
        __builtin_memcpy(p, v, sizeof *v);
        return;
    }
    float t[NR];
    __builtin_memcpy(t, v, sizeof *v);
    __builtin_memcpy(p, t, sizeof(float) * (size_t)width);
}

/// One tile: `rows` (≤ MR) × `panels` (≤ NP) panels over kc values of p, all compile-time constants after
/// inlining. A[r][p] at a[r·lda + p], or a[p·lda + r] when trans_a. Panel q's row p at b[q·bpanel + p·bld].
/// The last panel has `width` columns. `first`: the accumulators start at +0 (else they resume from C, a
/// later K block); `last`: the epilogue (alpha, beta) is applied on the way out. `*prefetch` advances one
/// cache line per p until it reaches `prefetch_end` (see Prefetching above).
static inline __attribute__((always_inline)) void
VNAME(tile)(const int rows, const int panels, const int trans_a, size_t kc, const float *a, size_t lda,
            const float *b, size_t bpanel, size_t bld, float *c, size_t ldc, int width, int first, int last,
            float alpha, float beta, const char **prefetch, const char *prefetch_end) {
    v16 acc[MR][NP];
    const char *next_line = *prefetch;
    // Loops over rows and panels are unrolled in full (their bounds are constants after inlining), so the
    // accumulators stay in registers: a loop left rolled indexes them, which spills them to the stack.
#pragma clang loop unroll(full)
    for (int r = 0; r < rows; ++r)
#pragma clang loop unroll(full)
        for (int q = 0; q < panels; ++q)
            if (first) acc[r][q] = (v16)0.0f;
            else VNAME(load_c)(&acc[r][q], c + r * ldc + q * NR, q + 1 == panels ? width : NR);
#pragma clang loop unroll_count(2)
    for (size_t p = 0; p < kc; ++p) {
        if (PREFETCHING && next_line < prefetch_end) {
            __builtin_prefetch(next_line, 0, 3);
            next_line += 64;
        }
        v16 bv[NP];
        for (int q = 0; q < panels; ++q) __builtin_memcpy(&bv[q], b + q * bpanel + p * bld, sizeof(v16));
        for (int r = 0; r < rows; ++r) {
            const v16 s = (v16)(trans_a ? a[p * lda + r] : a[r * lda + p]);
            for (int q = 0; q < panels; ++q) acc[r][q] = __builtin_elementwise_fma(s, bv[q], acc[r][q]);
        }
    }
    *prefetch = next_line;
#pragma clang loop unroll(full)
    for (int r = 0; r < rows; ++r) {
#pragma clang loop unroll(full)
        for (int q = 0; q < panels; ++q) {
            float *cr = c + r * ldc + q * NR;
            const int w = q + 1 == panels ? width : NR;
            v16 v = acc[r][q];
            if (last) {
                if (alpha != 1.0f) v = v * alpha;
                if (beta != 0.0f) {
                    v16 old;
                    VNAME(load_c)(&old, cr, w);
                    v = __builtin_elementwise_fma((v16)beta, old, v);
                }
            }
            VNAME(store_c)(cr, &v, w);
        }
    }
}

/// The tiles of one row block (mc rows, MR at a time, then the remainder) against one group of panels:
/// panels and trans_a are compile-time constants after inlining, so each tile keeps its accumulators in
/// registers. One call per row block and panel group keeps the dispatch off the short-K products (the
/// parameter gradients have k = the batch size). The tiles prefetch [prefetch, prefetch_end) between them.
static inline __attribute__((always_inline)) void
VNAME(row_block)(const int panels, const int trans_a, size_t mc, size_t kc, const float *a, size_t lda,
                 const float *b, size_t bpanel, size_t bld, float *c, size_t ldc, int width, int first, int last,
                 float alpha, float beta, const char *prefetch, const char *prefetch_end) {
#define TILE(R) VNAME(tile)(R, panels, trans_a, kc, a + (trans_a ? ir : ir * lda), lda, b, bpanel, bld, c + ir * ldc, \
                            ldc, width, first, last, alpha, beta, &prefetch, prefetch_end)
    size_t ir = 0;
    for (; ir + MR <= mc; ir += MR) TILE(MR);
    switch (mc - ir) {
#if MR > 7
    case 7: TILE(7); break;
#endif
#if MR > 6
    case 6: TILE(6); break;
#endif
    case 5: TILE(5); break;
    case 4: TILE(4); break;
    case 3: TILE(3); break;
    case 2: TILE(2); break;
    case 1: TILE(1); break;
    default: break;
    }
#undef TILE
}

static void VNAME(row_block_variant)(int panels, int trans_a, size_t mc, size_t kc, const float *a, size_t lda,
                                     const float *b, size_t bpanel, size_t bld, float *c, size_t ldc, int width,
                                     int first, int last, float alpha, float beta, const char *prefetch,
                                     const char *prefetch_end) {
#define VARIANT(P, T)                                                                                                  \
    VNAME(row_block)(P, T, mc, kc, a, lda, b, bpanel, bld, c, ldc, width, first, last, alpha, beta, prefetch,          \
                     prefetch_end)
    switch (panels) {
#if NP > 3
    case 4:
        if (trans_a) VARIANT(4, 1);
        else VARIANT(4, 0);
        break;
#endif
#if NP > 2
    case 3:
        if (trans_a) VARIANT(3, 1);
        else VARIANT(3, 0);
        break;
#endif
#if NP > 1
    case 2:
        if (trans_a) VARIANT(2, 1);
        else VARIANT(2, 0);
        break;
#endif
    default:
        if (trans_a) VARIANT(1, 1);
        else VARIANT(1, 0);
    }
#undef VARIANT
}

/// The blocked product (see product_args in RowGemm.c). beta != 0 needs k ≤ the K block (the caller ensures
/// it): a later K block would otherwise read the partial sums as C.
static void VNAME(product)(const product_args *x) {
    float scratch[KC_SCRATCH * NR * NP] __attribute__((aligned(64)));
    const size_t m = x->m, n = x->n, k = x->k;
    const size_t kblock = x->from == FROM_SCRATCH ? KC_SCRATCH : KC;
    const size_t panels = (n + NR - 1) / NR;
    for (size_t pc = 0; pc < k; pc += kblock) {
        const size_t kc = min_size(kblock, k - pc);
        const int first = pc == 0, last = pc + kc == k;
        for (size_t ic = 0; ic < m; ic += MC) {
            const size_t mc = min_size(MC, m - ic);
            for (size_t q0 = 0; q0 < panels; q0 += NP) {
                const int here = (int)min_size(NP, panels - q0);
                const size_t j0 = q0 * NR;
                const int width = (int)min_size(NR, n - (q0 + (size_t)here - 1) * NR);
                const float *b;
                size_t bpanel, bld;
                if (x->from == FROM_SCRATCH) {
                    if (!x->transposed && width == NR) {
                        // B stored row-major with whole panels: read in place, nothing to copy.
                        b = x->source + pc * x->ld + j0;
                        bpanel = NR;
                        bld = x->ld;
                    } else {
                        pack_panels(x, q0, here, pc, pc + kc, scratch, NR * KC_SCRATCH);
                        b = scratch;
                        bpanel = NR * KC_SCRATCH;
                        bld = NR;
                    }
                } else {
                    float *slice = x->packed + q0 * NR * k + pc * NR;
                    if (x->from == FILLING_PACK && ic == 0) pack_panels(x, q0, here, pc, pc + kc, slice, NR * k);
                    b = slice;
                    bpanel = NR * k;
                    bld = NR;
                }
                // The next group's slices, contiguous in a complete pack when K is not split (the decoder's
                // products); the other sources are read once or are small.
                const char *prefetch = NULL, *prefetch_end = NULL;
                if (PREFETCHING && x->from == FROM_PACK && kc == k && q0 + NP < panels) {
                    prefetch = (const char *)(x->packed + (q0 + NP) * NR * k);
                    prefetch_end = prefetch + sizeof(float) * NR * k * min_size(NP, panels - q0 - NP);
                }
                const float *ai = x->trans_a ? x->a + pc * x->lda + ic : x->a + ic * x->lda + pc;
                VNAME(row_block_variant)(here, x->trans_a, mc, kc, ai, x->lda, b, bpanel, bld, x->c + ic * x->ldc + j0,
                                         x->ldc, width, first, last, x->alpha, x->beta, prefetch, prefetch_end);
            }
        }
    }
}
