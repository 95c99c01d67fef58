/*
 * hot.c - the hot loops, compiled once per instruction-set variant (see hot.h): the sums,
 * the row checksum, the copy of the roof, and the variant's table; the filters' rows are in
 * hot_point.c and hot_3x3.c, built alongside.
 *
 * CMake builds this file several times with HOT_VARIANT set to the variant's name and the
 * matching -march (generic C also with HOT_GENERIC, which keeps out all intrinsics; avx2_128
 * with HOT_128, which keeps AVX2's instructions to 128 bits); each build exports
 * hot_ops_<name>.  Sums: 64-bit lanes of the widest vector the variant has,
 * squares by the CPU's 32x32->64 multiply, carries avoided by summing values too small to
 * overflow a lane within a block (32-bit halves of a square; range elements below 2^40) and
 * folding the lanes into 128 bits after each block.  Every item is computed; nothing is
 * hoisted or replaced by a closed form.
 */
#include "hot_int.h"

#include <string.h>

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
#elif defined(__AVX2__) && !defined(HOT_128)
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

/* Whole lines of dst by streaming stores of the variant's widest vectors (64 bytes a step),
 * so that they are written without being read first; the partial lines around them by
 * ordinary stores. */
static void stream(void *restrict dst, const void *restrict src, size_t bytes)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	size_t head = (64 - ((uintptr_t)d & 63)) & 63;

#if !defined(HOT_GENERIC) && defined(__x86_64__)
	if (head > bytes)
		head = bytes;
	memcpy(d, s, head);
	d += head;
	s += head;
	bytes -= head;
	for (; bytes >= 64; bytes -= 64, d += 64, s += 64) {
#if defined(__AVX512F__)
		_mm512_stream_si512((void *)d, _mm512_loadu_si512((const void *)s));
#elif defined(__AVX__) && !defined(HOT_128)
		_mm256_stream_si256((void *)d, _mm256_loadu_si256((const void *)s));
		_mm256_stream_si256((void *)(d + 32), _mm256_loadu_si256((const void *)(s + 32)));
#else
		for (int k = 0; k < 64; k += 16)
			_mm_stream_si128((void *)(d + k), _mm_loadu_si128((const void *)(s + k)));
#endif
	}
#else
	(void)head;
#endif
	memcpy(d, s, bytes);
}

static void fence(void)
{
#if !defined(HOT_GENERIC) && defined(__x86_64__)
	_mm_sfence();
#endif
}

const struct hot_ops HOT_CAT(hot_ops_, HOT_VARIANT) = {
	.name = HOT_STR(HOT_VARIANT),
	.sq_sum = sq_sum,
	.rs_sum = rs_sum,
	.gray = HOT_CAT(hot_gray_, HOT_VARIANT),
	.sepia = HOT_CAT(hot_sepia_, HOT_VARIANT),
	.blur = HOT_CAT(hot_blur_, HOT_VARIANT),
	.sharpen = HOT_CAT(hot_sharpen_, HOT_VARIANT),
	.row_words = row_words,
	.copy = copy,
	.stream = stream,
	.fence = fence,
};
