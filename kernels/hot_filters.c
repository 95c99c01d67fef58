/*
 * hot_filters.c - the filters' rows of one instruction-set variant (built with hot.c, see
 * there and hot.h): plain loops for the compiler to vectorize (every variant's tails, and
 * the whole rows below AVX2), and for AVX2 and up 256-bit code with the byte shuffles,
 * saturating packs and multiply-adds that compilers do not find for interleaved RGB.
 */
#include "hot_int.h"

#include <string.h>

/* ---- filters: the plain loops (every variant's tails; the whole rows below AVX2) ---------- */

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

/* bytes [i, n) of the 3x3 filters */
static void blur_plain(const uint8_t *restrict u, const uint8_t *restrict m,
		       const uint8_t *restrict d, uint8_t *restrict out, size_t i, size_t n)
{
	for (; i < n; i++) {
		uint16_t s = (uint16_t)(u[i - 3] + u[i] + u[i + 3] + m[i - 3] + m[i] + m[i + 3] +
					d[i - 3] + d[i] + d[i + 3] + 4);

		out[i] = (uint8_t)(s / 9);
	}
}

static void sharpen_plain(const uint8_t *restrict u, const uint8_t *restrict m,
			  const uint8_t *restrict d, uint8_t *restrict out, size_t i, size_t n)
{
	for (; i < n; i++) {
		int16_t v = (int16_t)(5 * m[i] - u[i] - d[i] - m[i - 3] - m[i + 3]);

		out[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
}

#if !defined(HOT_GENERIC) && defined(__AVX2__)
/* ---- filters, 256 bits: 8 pixels (24 bytes) or 32 bytes a step --------------------------- */

/* Pixels x .. x+7 (each 128-bit half takes 4 of them, 12 of the 16 bytes it loads: 4 bytes
 * past pixel x+7 are read) as 16-bit words: rg = R0 G0 R1 G1 .., b0 = B0 0 B1 0 .. */
struct px8 {
	__m256i rg, b0;
};

HOT_INLINE struct px8 px8_split(__m256i px)
{
	const __m256i rg = _mm256_setr_epi8(0, -1, 1, -1, 3, -1, 4, -1, 6, -1, 7, -1, 9, -1, 10, -1,
					    0, -1, 1, -1, 3, -1, 4, -1, 6, -1, 7, -1, 9, -1, 10, -1);
	const __m256i b0 = _mm256_setr_epi8(2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1, -1,
					    -1, 2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1,
					    -1, -1);

	return (struct px8){ _mm256_shuffle_epi8(px, rg), _mm256_shuffle_epi8(px, b0) };
}

/* (cr R + cg G + cb B + 500) / 1000 for the 8 pixels, as 32-bit lanes in pixel order: the
 * float division of div1000, with a fused multiply-add (exact too: the all-colour test) */
HOT_INLINE __m256i rgb_div1000(struct px8 p, int16_t cr, int16_t cg, int16_t cb)
{
	__m256i t = _mm256_add_epi32(
		_mm256_madd_epi16(p.rg, _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)cg << 16 |
								     (uint16_t)cr))),
		_mm256_madd_epi16(p.b0, _mm256_set1_epi32(cb)));
	__m256 f = _mm256_fmadd_ps(_mm256_cvtepi32_ps(t), _mm256_set1_ps(0.001f),
				   _mm256_set1_ps(0.5005f));

	return _mm256_cvttps_epi32(f);
}

HOT_INLINE __m256i load8px(const uint8_t *p)
{
	return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const void *)p)),
				       _mm_loadu_si128((const void *)(p + 12)), 1);
}

/* 12 bytes of each half to out (16 are stored: the 4 after pixel x+7 are rewritten later) */
HOT_INLINE void store8px(uint8_t *out, __m256i v)
{
	_mm_storeu_si128((void *)out, _mm256_castsi256_si128(v));
	_mm_storeu_si128((void *)(out + 12), _mm256_extracti128_si256(v, 1));
}

/* while 10 pixels remain: 8 this step, and 2 to absorb the over-read and over-write */
void HOT_CAT(hot_gray_, HOT_VARIANT)(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
{
	const __m256i rep = _mm256_setr_epi8(0, 0, 0, 4, 4, 4, 8, 8, 8, 12, 12, 12, -1, -1, -1, -1,
					     0, 0, 0, 4, 4, 4, 8, 8, 8, 12, 12, 12, -1, -1, -1, -1);
	size_t x = 0;

	for (; x + 10 <= w; x += 8) {
		__m256i y = rgb_div1000(px8_split(load8px(in + 3 * x)), 299, 587, 114);

		store8px(out + 3 * x, _mm256_shuffle_epi8(y, rep));
	}
	gray_plain(in, out, x, w);
}

/* (t + 500) / 1000 for t < 2^19 in 16-bit lanes: ((t + 500) >> 3) < 2^16, and x / 125 for
 * x <= 43125 is mulhi(x, 33555) >> 6 exactly (33555 / 2^22 overshoots 1/125 by 1.4e-7, and
 * 43125 times that stays below 1/125); two channels' 8 pixels per 256 bits */
HOT_INLINE __m256i div1000_pair(__m256i a, __m256i b)
{
	__m256i x = _mm256_packus_epi32(_mm256_srli_epi32(a, 3), _mm256_srli_epi32(b, 3));

	return _mm256_srli_epi16(_mm256_mulhi_epu16(x, _mm256_set1_epi16((short)33555)), 6);
}

HOT_INLINE __m256i rgb_sum500(struct px8 p, __m256i b1, int16_t cr, int16_t cg, int16_t cb)
{
	return _mm256_add_epi32(
		_mm256_madd_epi16(p.rg, _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)cg << 16 |
								     (uint16_t)cr))),
		_mm256_madd_epi16(b1, _mm256_set1_epi32((int32_t)(500u << 16 | (uint16_t)cb))));
}

void HOT_CAT(hot_sepia_, HOT_VARIANT)(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
{
	const __m256i mix = _mm256_setr_epi8(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, -1, -1, -1, -1,
					     0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, -1, -1, -1, -1);
	const __m256i one_hi = _mm256_set1_epi32(1 << 16);
	size_t x = 0;

	for (; x + 10 <= w; x += 8) {
		struct px8 px = px8_split(load8px(in + 3 * x));
		__m256i b1 = _mm256_or_si256(px.b0, one_hi); /* B 1 B 1 ..: the + 500 in the madd */
		__m256i rg = div1000_pair(rgb_sum500(px, b1, 393, 769, 189),
					  rgb_sum500(px, b1, 349, 686, 168));
		__m256i bb = div1000_pair(rgb_sum500(px, b1, 272, 534, 131),
					  rgb_sum500(px, b1, 272, 534, 131));
		/* per half: R0..3 G0..3 | B0..3 B0..3 as 16-bit, saturated at 255 by the pack */
		__m256i rgb = _mm256_packus_epi16(rg, bb);

		store8px(out + 3 * x, _mm256_shuffle_epi8(rgb, mix));
	}
	sepia_plain(in, out, x, w);
}

HOT_INLINE __m256i load16(const uint8_t *p)
{
	return _mm256_cvtepu8_epi16(_mm_loadu_si128((const void *)p));
}

HOT_INLINE void store_packed(uint8_t *out, __m256i a, __m256i b)
{
	_mm256_storeu_si256((void *)out,
			    _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8));
}

/* (s + 4) / 9 as (s + 4) * 7282 >> 16: exact for every sum of nine bytes (s <= 2295; the
 * tests check every one) */
HOT_INLINE __m256i div9(__m256i s)
{
	return _mm256_mulhi_epu16(_mm256_add_epi16(s, _mm256_set1_epi16(4)),
				  _mm256_set1_epi16(7282));
}

#define BLUR_BLOCK 256 /* output bytes per block of column sums */

/* Separable: the column sums c = u + m + d of bytes [i - 3, i + BLUR_BLOCK + 13) go to a
 * small buffer first, then each output byte takes c[-3] + c[0] + c[+3]: 4 adds a byte
 * instead of 8.  Blocks run while the sums' reads stay inside the row (3 w bytes). */
void HOT_CAT(hot_blur_, HOT_VARIANT)(const uint8_t *restrict u, const uint8_t *restrict m,
		     const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	uint16_t col[BLUR_BLOCK + 16] __attribute__((aligned(32)));
	size_t i = 3, n = 3 * w - 3;

	for (; i + BLUR_BLOCK + 13 <= 3 * w; i += BLUR_BLOCK) {
		const size_t c0 = i - 3;

		for (size_t j = 0; j < BLUR_BLOCK + 16; j += 16) {
			__m256i s = _mm256_add_epi16(_mm256_add_epi16(load16(u + c0 + j),
								      load16(m + c0 + j)),
						     load16(d + c0 + j));

			_mm256_store_si256((void *)(col + j), s);
		}
		for (size_t j = 0; j < BLUR_BLOCK; j += 32) {
			__m256i a, b;

			a = _mm256_add_epi16(_mm256_loadu_si256((const void *)(col + j)),
					     _mm256_loadu_si256((const void *)(col + j + 3)));
			a = _mm256_add_epi16(a, _mm256_loadu_si256((const void *)(col + j + 6)));
			b = _mm256_add_epi16(_mm256_loadu_si256((const void *)(col + j + 16)),
					     _mm256_loadu_si256((const void *)(col + j + 19)));
			b = _mm256_add_epi16(b, _mm256_loadu_si256((const void *)(col + j + 22)));
			store_packed(out + i + j, div9(a), div9(b));
		}
	}
	blur_plain(u, m, d, out, i, n);
}

/* 5 m - u - d - left - right in 16 bits, saturated to [0, 255] by the unsigned pack */
HOT_INLINE __m256i sharpen16(const uint8_t *u, const uint8_t *m, const uint8_t *d)
{
	__m256i c = load16(m);
	__m256i v = _mm256_add_epi16(_mm256_slli_epi16(c, 2), c);

	v = _mm256_sub_epi16(v, _mm256_add_epi16(load16(u), load16(d)));
	return _mm256_sub_epi16(v, _mm256_add_epi16(load16(m - 3), load16(m + 3)));
}

void HOT_CAT(hot_sharpen_, HOT_VARIANT)(const uint8_t *restrict u, const uint8_t *restrict m,
			const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	size_t i = 3, n = 3 * w - 3;

	for (; i + 32 <= n; i += 32)
		store_packed(out + i, sharpen16(u + i, m + i, d + i),
			     sharpen16(u + i + 16, m + i + 16, d + i + 16));
	sharpen_plain(u, m, d, out, i, n);
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

void HOT_CAT(hot_blur_, HOT_VARIANT)(const uint8_t *restrict u, const uint8_t *restrict m,
		     const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	blur_plain(u, m, d, out, 3, 3 * w - 3);
}

void HOT_CAT(hot_sharpen_, HOT_VARIANT)(const uint8_t *restrict u, const uint8_t *restrict m,
			const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	sharpen_plain(u, m, d, out, 3, 3 * w - 3);
}

#endif

