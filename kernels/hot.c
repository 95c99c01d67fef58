/*
 * hot.c - the hot loops, compiled once per instruction-set variant (see hot.h).
 *
 * CMake builds this file several times with HOT_VARIANT set to the variant's name and the
 * matching -march (generic C also with HOT_GENERIC, which keeps out all intrinsics); each
 * build exports hot_ops_<name>.  Sums: 64-bit lanes of the widest vector the variant has,
 * squares by the CPU's 32x32->64 multiply, carries avoided by summing values too small to
 * overflow a lane within a block (32-bit halves of a square; range elements below 2^40) and
 * folding the lanes into 128 bits after each block.  Filters: plain loops for the compiler to
 * vectorize, and for AVX2 and up, 256-bit code with the byte shuffles, saturating packs
 * and multiply-adds that compilers do not find for interleaved RGB.  Every item is computed;
 * nothing is hoisted or replaced by a closed form.
 */
#include "hot.h"

#include <string.h>

#if !defined(HOT_GENERIC) && defined(__x86_64__)
#include <immintrin.h>
#endif

#define HOT_CAT2(a, b) a##b
#define HOT_CAT(a, b)  HOT_CAT2(a, b)
#define HOT_STR2(a)    #a
#define HOT_STR(a)     HOT_STR2(a)
#define HOT_INLINE     static inline __attribute__((always_inline))

/* hv: the variant's vector of 64-bit lanes; hot_sq(x): x * x for lanes below 2^32. */
#if defined(HOT_GENERIC) || !defined(__x86_64__)
#define HOT_LANES 2
typedef uint64_t hv __attribute__((vector_size(HOT_LANES * 8)));
HOT_INLINE hv hot_sq(hv x)
{
	return x * x;
}
#elif defined(__AVX512F__)
#define HOT_LANES 8
typedef uint64_t hv __attribute__((vector_size(HOT_LANES * 8)));
HOT_INLINE hv hot_sq(hv x)
{
	return (hv)_mm512_mul_epu32((__m512i)x, (__m512i)x);
}
#elif defined(__AVX2__)
#define HOT_LANES 4
typedef uint64_t hv __attribute__((vector_size(HOT_LANES * 8)));
HOT_INLINE hv hot_sq(hv x)
{
	return (hv)_mm256_mul_epu32((__m256i)x, (__m256i)x);
}
#else
#define HOT_LANES 2
typedef uint64_t hv __attribute__((vector_size(HOT_LANES * 8)));
HOT_INLINE hv hot_sq(hv x)
{
	return (hv)_mm_mul_epu32((__m128i)x, (__m128i)x);
}
#endif

#define HOT_ACC 4 /* independent accumulators, so that the adds' latencies overlap */

HOT_INLINE pb_u128 lanes_total(const hv *v, unsigned shift)
{
	pb_u128 t = 0;

	for (int a = 0; a < HOT_ACC; a++)
		for (int k = 0; k < HOT_LANES; k++)
			t += (pb_u128)v[a][k] << shift;
	return t;
}

HOT_INLINE void lanes_iota(hv *x, uint64_t first, uint64_t step)
{
#if HOT_LANES == 8
	const hv lane = { 0, 1, 2, 3, 4, 5, 6, 7 };
#elif HOT_LANES == 4
	const hv lane = { 0, 1, 2, 3 };
#else
	const hv lane = { 0, 1 };
#endif

	for (int a = 0; a < HOT_ACC; a++)
		x[a] = (lane + (uint64_t)(a * HOT_LANES)) * step + first;
}

/* Each square is summed as its low and high 32-bit halves: 2^31 rounds of values below 2^32
 * stay below 2^63 in a lane, so no carry can be lost. */
static pb_u128 sq_sum(uint64_t begin, uint64_t end)
{
	const uint64_t step = HOT_ACC * HOT_LANES;
	const hv mask = (hv){ 0 } + 0xffffffffu;
	pb_u128 total = 0;
	uint64_t i = begin;

	while (end - i >= step) {
		uint64_t rounds = (end - i) / step;
		hv x[HOT_ACC], lo[HOT_ACC] = { { 0 } }, hi[HOT_ACC] = { { 0 } };

		rounds = rounds < (1ull << 31) ? rounds : 1ull << 31;
		lanes_iota(x, i, 1);
		for (uint64_t r = 0; r < rounds; r++)
			for (int a = 0; a < HOT_ACC; a++) {
				hv s = hot_sq(x[a]);

				lo[a] += s & mask;
				hi[a] += s >> 32;
				x[a] += step;
			}
		total += lanes_total(lo, 0) + lanes_total(hi, 32);
		i += rounds * step;
	}
	for (; i < end; i++)
		total += (pb_u128)(i * i);
	return total;
}

/* Elements are below 2^40: 2^20 rounds stay below 2^60 in a lane. */
static pb_u128 rs_sum(uint64_t end, uint64_t step)
{
	const uint64_t span = HOT_ACC * HOT_LANES * step; /* one round's distance */
	const uint64_t last = (HOT_ACC * HOT_LANES - 1) * step;
	pb_u128 total = 0;
	uint64_t x0 = 0;

	while (end > last && x0 < end - last) {
		uint64_t rounds = (end - last - x0 + span - 1) / span;
		hv x[HOT_ACC], acc[HOT_ACC] = { { 0 } };

		rounds = rounds < (1u << 20) ? rounds : 1u << 20;
		lanes_iota(x, x0, step);
		for (uint64_t r = 0; r < rounds; r++)
			for (int a = 0; a < HOT_ACC; a++) {
				acc[a] += x[a];
				x[a] += span;
			}
		total += lanes_total(acc, 0);
		x0 += rounds * span;
	}
	for (; x0 < end; x0 += step)
		total += x0;
	return total;
}

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
static void gray_row(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
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

static void sepia_row(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
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
static void blur_row(const uint8_t *restrict u, const uint8_t *restrict m,
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

static void sharpen_row(const uint8_t *restrict u, const uint8_t *restrict m,
			const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	size_t i = 3, n = 3 * w - 3;

	for (; i + 32 <= n; i += 32)
		store_packed(out + i, sharpen16(u + i, m + i, d + i),
			     sharpen16(u + i + 16, m + i + 16, d + i + 16));
	sharpen_plain(u, m, d, out, i, n);
}

#else

static void gray_row(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
{
	gray_plain(in, out, 0, w);
}

static void sepia_row(const uint8_t *restrict in, uint8_t *restrict out, size_t w)
{
	sepia_plain(in, out, 0, w);
}

static void blur_row(const uint8_t *restrict u, const uint8_t *restrict m,
		     const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	blur_plain(u, m, d, out, 3, 3 * w - 3);
}

static void sharpen_row(const uint8_t *restrict u, const uint8_t *restrict m,
			const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	sharpen_plain(u, m, d, out, 3, 3 * w - 3);
}

#endif

/* word j (at byte 8 j) is xored with the key 8 j K before it is added */
static uint64_t row_words(const uint8_t *row, size_t len)
{
	const uint64_t step = 8 * 0x9e3779b97f4a7c15ull;
	uint64_t acc = 0, key = 0;

	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, row + i, 8);
		acc += v ^ key;
		key += step;
	}
	return acc;
}

/* In the variant's widest vectors, with ordinary stores (as STREAM's copy compiles); gcc is
 * told not to turn the loop into a call to memcpy, whose non-temporal stores would measure
 * something else. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
static void copy(void *restrict dst, const void *restrict src, size_t bytes)
{
	hv *restrict d = dst;
	const hv *restrict s = src;

	for (size_t i = 0; i < bytes / sizeof(hv); i++) {
		hv v;

		memcpy(&v, s + i, sizeof(v));
		memcpy(d + i, &v, sizeof(v));
	}
}

const struct hot_ops HOT_CAT(hot_ops_, HOT_VARIANT) = {
	.name = HOT_STR(HOT_VARIANT),
	.sq_sum = sq_sum,
	.rs_sum = rs_sum,
	.gray = gray_row,
	.sepia = sepia_row,
	.blur = blur_row,
	.sharpen = sharpen_row,
	.row_words = row_words,
	.copy = copy,
};
