/*
 * hot_point.c - the point filters' rows (grayscale, sepia) of one instruction-set variant,
 * built with hot.c (see there and hot.h).  Plain loops for the compiler to vectorize (every
 * variant's tails, and the whole rows where the variant has no byte shuffle: generic, sse2),
 * and lane-wise vector code at the variant's width (hot_simd.h) elsewhere.
 *
 * The vector code: two vectors of whole pixels a step (4 pixels per 128-bit lane each),
 * split by byte shuffles into words R G and B 1, whose multiply-adds give
 * t = cR R + cG G + cB B + 500 exactly in 32 bits; then (t >> 3) / 125 in 16-bit lanes
 * (see div125_pair below), and the bytes shuffled back into R G B order; the lines ahead
 * prefetched (hvi_ahead()).
 */
#include "hot_simd.h"

/* (t + 500) / 1000 for 0 <= t < 2^19, exactly: see filters.c and the all-colour test. */
HOT_INLINE int32_t div1000(int32_t t)
{
	return (int32_t)(((float)t + 500.5f) * 0.001f);
}

HOT_INLINE uint8_t min255(int32_t v)
{
	return (uint8_t)(v < 255 ? v : 255);
}

static void gray_plain(const uint8_t *restrict in, uint8_t *restrict out, size_t x, size_t w)
{
	for (; x < w; x++) {
		int32_t r = in[3 * x], g = in[3 * x + 1], b = in[3 * x + 2];
		uint8_t y = (uint8_t)div1000(299 * r + 587 * g + 114 * b);

		out[3 * x] = y;
		out[3 * x + 1] = y;
		out[3 * x + 2] = y;
	}
}

static void sepia_plain(const uint8_t *restrict in, uint8_t *restrict out, size_t x, size_t w)
{
	for (; x < w; x++) {
		int32_t r = in[3 * x], g = in[3 * x + 1], b = in[3 * x + 2];

		out[3 * x] = min255(div1000(393 * r + 769 * g + 189 * b));
		out[3 * x + 1] = min255(div1000(349 * r + 686 * g + 168 * b));
		out[3 * x + 2] = min255(div1000(272 * r + 534 * g + 131 * b));
	}
}

#if HVI_SHUFFLE

/* A vector of whole pixels split: rg = R0 G0 R1 G1 R2 G2 R3 G3 and b1 = B0 1 B1 1 .. as
 * 16-bit words in each lane. */
struct hvi_px {
	hvi rg, b1;
};

#if HVI_BYTES == 64 && defined(__AVX512VBMI__)
/* AVX-512 VBMI: one byte permute across the register splits 16 pixels straight from the
 * load (its zeroing and merging masks make the words), and one puts the results in R G B
 * order for a 48-byte masked store; the tables are whole-register indexes. */
#define PX_RG(j)   3 * (j), 0, 3 * (j) + 1, 0
#define PX_B(j)    3 * (j) + 2, 0, 0, 0
#define PX_16(F)   F(0), F(1), F(2), F(3), F(4), F(5), F(6), F(7), F(8), F(9), F(10), F(11), \
		   F(12), F(13), F(14), F(15)
#define PX_3(F, p) F(p, 0), F(p, 1), F(p, 2)
#define PX_48(F)   PX_3(F, 0), PX_3(F, 1), PX_3(F, 2), PX_3(F, 3), PX_3(F, 4), PX_3(F, 5), \
		   PX_3(F, 6), PX_3(F, 7), PX_3(F, 8), PX_3(F, 9), PX_3(F, 10), PX_3(F, 11), \
		   PX_3(F, 12), PX_3(F, 13), PX_3(F, 14), PX_3(F, 15)
/* output byte c of pixel p from the per-lane layouts below (lane p / 4, position p % 4) */
#define GRAY_A(p, c)  (16 * ((p) / 4) + 2 * ((p) % 4))
#define GRAY_B(p, c)  (16 * ((p) / 4) + 8 + 2 * ((p) % 4))
#define SEPIA_A(p, c) (16 * ((p) / 4) + 4 * (c) + (p) % 4)
#define SEPIA_B(p, c) (16 * ((p) / 4) + ((c) == 2 ? 12 : 4 * (c)) + (p) % 4)

static const uint8_t px_rg[64] __attribute__((aligned(64))) = { PX_16(PX_RG) };
static const uint8_t px_b[64] __attribute__((aligned(64))) = { PX_16(PX_B) };
static const uint8_t px_gray_a[64] __attribute__((aligned(64))) = { PX_48(GRAY_A) };
static const uint8_t px_gray_b[64] __attribute__((aligned(64))) = { PX_48(GRAY_B) };
static const uint8_t px_sepia_a[64] __attribute__((aligned(64))) = { PX_48(SEPIA_A) };
static const uint8_t px_sepia_b[64] __attribute__((aligned(64))) = { PX_48(SEPIA_B) };

HOT_INLINE struct hvi_px px_load(const uint8_t *p)
{
	hvi raw = _mm512_loadu_si512((const void *)p);

	return (struct hvi_px){
		_mm512_maskz_permutexvar_epi8(0x5555555555555555ull, hvi_load(px_rg), raw),
		_mm512_mask_permutexvar_epi8(hvi_set1_32(1u << 16), 0x1111111111111111ull,
					     hvi_load(px_b), raw)
	};
}

/* the bytes of v picked by full (lane: the per-lane pattern, unused here) to p, 48 of them */
HOT_INLINE void px_store(uint8_t *p, hvi v, hvi lane, const uint8_t *full)
{
	(void)lane;
	_mm512_mask_storeu_epi8(p, 0x0000ffffffffffffull,
				_mm512_permutexvar_epi8(hvi_load(full), v));
}
#else
HOT_INLINE struct hvi_px px_load(const uint8_t *p)
{
	const hvi rg = hvi_lanes(_mm_setr_epi8(0, -1, 1, -1, 3, -1, 4, -1, 6, -1, 7, -1, 9, -1, 10, -1));
	const hvi b0 = hvi_lanes(_mm_setr_epi8(2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1, -1, -1));
	hvi px = hvi_load_px(p);

	return (struct hvi_px){ hvi_shuffle8(px, rg),
				hvi_or(hvi_shuffle8(px, b0), hvi_set1_32(1u << 16)) };
}

/* the bytes of v picked by lane (a per-lane pattern) to p, 3 HVI_PX of them */
HOT_INLINE void px_store(uint8_t *p, hvi v, hvi lane, const uint8_t *full)
{
	(void)full;
	hvi_store_px(p, hvi_shuffle8(v, lane));
}

static const uint8_t *const px_gray_a = NULL, *const px_gray_b = NULL;
static const uint8_t *const px_sepia_a = NULL, *const px_sepia_b = NULL;
#endif

/* (cr R + cg G + cb B + 500) >> 3 per pixel, in 32-bit lanes in pixel order (with VNNI,
 * the second multiply-add adds the first) */
HOT_INLINE hvi px_sum8(struct hvi_px p, int cr, int cg, int cb)
{
	hvi b = hvi_madd16(p.b1, hvi_set1_32(500u << 16 | (uint32_t)cb));
	hvi crg = hvi_set1_32((uint32_t)cg << 16 | (uint32_t)cr);

#if HVI_BYTES == 64 && defined(__AVX512VNNI__)
	return hvi_srli32(_mm512_dpwssd_epi32(b, p.rg, crg), 3);
#else
	return hvi_srli32(hvi_add32(hvi_madd16(p.rg, crg), b), 3);
#endif
}

/* Two vectors of (t + 500) >> 3 (below 2^16) divided by 125 into one of 16-bit words, per
 * lane a0..a3 b0..b3.  The signed pack saturates values from 32768 on at 32767, which
 * still divides to over 255, as all of them do.  x / 125 for x <= 43125 is
 * mulhi(x, 33555) >> 6 exactly (33555 / 2^22 overshoots 1/125 by 1.4e-7, and 43125 times
 * that stays below 1/125). */
HOT_INLINE hvi div125_pair(hvi a, hvi b)
{
	return hvi_srli16(hvi_mulhi16(hvi_packs32(a, b), hvi_set1_16(33555)), 6);
}

/* Two steps of pixels a step: while HVI_PX_PAD pixels remain after them (the over-read). */
void HOT_CAT(hot_gray_, HOT_VARIANT)(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
{
	const hvi rep_a = hvi_lanes(_mm_setr_epi8(0, 0, 0, 2, 2, 2, 4, 4, 4, 6, 6, 6, -1, -1, -1, -1));
	const hvi rep_b = hvi_lanes(_mm_setr_epi8(8, 8, 8, 10, 10, 10, 12, 12, 12, 14, 14, 14, -1, -1,
						  -1, -1));
	size_t x = 0;

	for (; x + 2 * HVI_PX + HVI_PX_PAD <= w; x += 2 * HVI_PX) {
		hvi a;

		hvi_ahead(in + 3 * x);
		hvi_ahead(out + 3 * x);
		a = px_sum8(px_load(in + 3 * x), 299, 587, 114);
		hvi b = px_sum8(px_load(in + 3 * x + 3 * HVI_PX), 299, 587, 114);
		hvi y = div125_pair(a, b);

		px_store(out + 3 * x, y, rep_a, px_gray_a);
		px_store(out + 3 * x + 3 * HVI_PX, y, rep_b, px_gray_b);
	}
	gray_plain(in, out, x, w);
}

void HOT_CAT(hot_sepia_, HOT_VARIANT)(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
{
	/* per lane from R0..3 G0..3 B(a)0..3 B(b)0..3: R0 G0 B0 R1 G1 B1 .. for group a,
	 * and from R G of b with the same B(a) B(b) for group b */
	const hvi mix_a = hvi_lanes(_mm_setr_epi8(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, -1, -1, -1, -1));
	const hvi mix_b = hvi_lanes(_mm_setr_epi8(0, 4, 12, 1, 5, 13, 2, 6, 14, 3, 7, 15, -1, -1, -1,
						  -1));
	size_t x = 0;

	for (; x + 2 * HVI_PX + HVI_PX_PAD <= w; x += 2 * HVI_PX) {
		struct hvi_px a, b;

		hvi_ahead(in + 3 * x);
		hvi_ahead(out + 3 * x);
		a = px_load(in + 3 * x);
		b = px_load(in + 3 * x + 3 * HVI_PX);
		/* 16-bit words: R(a) G(a), R(b) G(b), B(a) B(b) in each lane, 4 of each */
		hvi rg_a = div125_pair(px_sum8(a, 393, 769, 189), px_sum8(a, 349, 686, 168));
		hvi rg_b = div125_pair(px_sum8(b, 393, 769, 189), px_sum8(b, 349, 686, 168));
		hvi bb = div125_pair(px_sum8(a, 272, 534, 131), px_sum8(b, 272, 534, 131));

		/* the unsigned packs saturate at 255 */
		px_store(out + 3 * x, hvi_packus16(rg_a, bb), mix_a, px_sepia_a);
		px_store(out + 3 * x + 3 * HVI_PX, hvi_packus16(rg_b, bb), mix_b, px_sepia_b);
	}
	sepia_plain(in, out, x, w);
}

#else

void HOT_CAT(hot_gray_, HOT_VARIANT)(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
{
	gray_plain(in, out, 0, w);
}

void HOT_CAT(hot_sepia_, HOT_VARIANT)(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
{
	sepia_plain(in, out, 0, w);
}

#endif
