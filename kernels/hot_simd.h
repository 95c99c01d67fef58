/*
 * hot_simd.h - one vector width's integer operations under one set of names (hvi_*), so that
 * the filters' rows (hot_point.c, hot_3x3.c) are written once and built at the width of
 * each variant: 128 bits (sse2; avx2_128, AVX2 built with HOT_128), 256 (avx2), 512
 * (avx512, avx512vbmi).  Byte shuffles, packs, unpacks and multiply-adds act within each
 * 128-bit lane at every width, as the instructions do, so the same lane-wise code is right
 * at every width; only the loads and stores of whole pixels (4 per lane) differ.  HVI_BYTES is 0 for generic C (no intrinsics);
 * HVI_SHUFFLE is 1 where byte shuffles exist (not in plain SSE2).
 */
#ifndef PB_HOT_SIMD_H
#define PB_HOT_SIMD_H

#include "hot_int.h"

#if defined(HOT_GENERIC) || !defined(__x86_64__)
#define HVI_BYTES   0
#define HVI_SHUFFLE 0
#elif defined(__AVX512BW__)
#define HVI_BYTES   64
#define HVI_SHUFFLE 1
typedef __m512i hvi;
#define HVI(op) _mm512_##op
HOT_INLINE hvi hvi_load(const void *p)
{
	return _mm512_loadu_si512(p);
}
HOT_INLINE void hvi_store(void *p, hvi v)
{
	_mm512_storeu_si512(p, v);
}
HOT_INLINE hvi hvi_lanes(__m128i v)
{
	return _mm512_broadcast_i32x4(v);
}
HOT_INLINE hvi hvi_zero(void)
{
	return _mm512_setzero_si512();
}
HOT_INLINE hvi hvi_and(hvi a, hvi b)
{
	return _mm512_and_si512(a, b);
}
HOT_INLINE hvi hvi_or(hvi a, hvi b)
{
	return _mm512_or_si512(a, b);
}
#elif defined(__AVX2__) && !defined(HOT_128)
#define HVI_BYTES   32
#define HVI_SHUFFLE 1
typedef __m256i hvi;
#define HVI(op) _mm256_##op
HOT_INLINE hvi hvi_load(const void *p)
{
	return _mm256_loadu_si256(p);
}
HOT_INLINE void hvi_store(void *p, hvi v)
{
	_mm256_storeu_si256(p, v);
}
HOT_INLINE hvi hvi_lanes(__m128i v)
{
	return _mm256_broadcastsi128_si256(v);
}
HOT_INLINE hvi hvi_zero(void)
{
	return _mm256_setzero_si256();
}
HOT_INLINE hvi hvi_and(hvi a, hvi b)
{
	return _mm256_and_si256(a, b);
}
HOT_INLINE hvi hvi_or(hvi a, hvi b)
{
	return _mm256_or_si256(a, b);
}
#else
#define HVI_BYTES 16
#ifdef __SSSE3__
#define HVI_SHUFFLE 1
#else
#define HVI_SHUFFLE 0
#endif
typedef __m128i hvi;
#define HVI(op) _mm_##op
HOT_INLINE hvi hvi_load(const void *p)
{
	return _mm_loadu_si128(p);
}
HOT_INLINE void hvi_store(void *p, hvi v)
{
	_mm_storeu_si128(p, v);
}
HOT_INLINE hvi hvi_lanes(__m128i v)
{
	return v;
}
HOT_INLINE hvi hvi_zero(void)
{
	return _mm_setzero_si128();
}
HOT_INLINE hvi hvi_and(hvi a, hvi b)
{
	return _mm_and_si128(a, b);
}
HOT_INLINE hvi hvi_or(hvi a, hvi b)
{
	return _mm_or_si128(a, b);
}
#endif

#if HVI_BYTES
/* The lane-wise operations: the same intrinsic at every width. */
HOT_INLINE hvi hvi_set1_16(int x)
{
	return HVI(set1_epi16)((short)x);
}
HOT_INLINE hvi hvi_set1_32(uint32_t x)
{
	return HVI(set1_epi32)((int)x);
}
HOT_INLINE hvi hvi_add16(hvi a, hvi b)
{
	return HVI(add_epi16)(a, b);
}
HOT_INLINE hvi hvi_sub16(hvi a, hvi b)
{
	return HVI(sub_epi16)(a, b);
}
HOT_INLINE hvi hvi_add32(hvi a, hvi b)
{
	return HVI(add_epi32)(a, b);
}
/* unsigned (a b) >> 16 */
HOT_INLINE hvi hvi_mulhi16(hvi a, hvi b)
{
	return HVI(mulhi_epu16)(a, b);
}
/* a0 b0 + a1 b1 of signed words, in 32 bits */
HOT_INLINE hvi hvi_madd16(hvi a, hvi b)
{
	return HVI(madd_epi16)(a, b);
}
/* to 16 bits, signed saturation */
HOT_INLINE hvi hvi_packs32(hvi a, hvi b)
{
	return HVI(packs_epi32)(a, b);
}
/* to 8 bits, saturated to [0, 255] */
HOT_INLINE hvi hvi_packus16(hvi a, hvi b)
{
	return HVI(packus_epi16)(a, b);
}
HOT_INLINE hvi hvi_unpacklo8(hvi a, hvi b)
{
	return HVI(unpacklo_epi8)(a, b);
}
HOT_INLINE hvi hvi_unpackhi8(hvi a, hvi b)
{
	return HVI(unpackhi_epi8)(a, b);
}
HOT_INLINE hvi hvi_max16(hvi a, hvi b)
{
	return HVI(max_epi16)(a, b);
}
HOT_INLINE hvi hvi_min16(hvi a, hvi b)
{
	return HVI(min_epi16)(a, b);
}
HOT_INLINE hvi hvi_slli16(hvi a, const int n)
{
	return HVI(slli_epi16)(a, n);
}
HOT_INLINE hvi hvi_srli16(hvi a, const int n)
{
	return HVI(srli_epi16)(a, n);
}
HOT_INLINE hvi hvi_srli32(hvi a, const int n)
{
	return HVI(srli_epi32)(a, n);
}
#if HVI_SHUFFLE
/* pshufb: bytes of a picked by c, within each 128-bit lane (-1: zero) */
HOT_INLINE hvi hvi_shuffle8(hvi a, hvi c)
{
	return HVI(shuffle_epi8)(a, c);
}
#endif
#endif

/* Rows are read and written from start to end, and row after row: the lines HVI_AHEAD
 * bytes on are prefetched into L1 as the loops go, input and output (an output line then
 * need not be fetched when its first byte is stored).  The hardware's prefetchers alone
 * leave a filter well below a memcpy of the same bytes; a prefetch past the buffer's end
 * is harmless. */
#define HVI_AHEAD 2048

/* the two lines HVI_AHEAD bytes after p */
HOT_INLINE void hvi_ahead(const void *p)
{
	__builtin_prefetch((const void *)((uintptr_t)p + HVI_AHEAD), 0, 3);
	__builtin_prefetch((const void *)((uintptr_t)p + HVI_AHEAD + 64), 0, 3);
}

#if HVI_SHUFFLE
/* 4 pixels per 128-bit lane: bytes [12 l, 12 l + 12) of p in lane l (its last 4 bytes are
 * the next ones, unused); reads HVI_BYTES / 16 * 12 + HVI_PX_OVER bytes from p. */
#if HVI_BYTES == 64
#define HVI_PX_OVER 16
HOT_INLINE hvi hvi_load_px(const uint8_t *p)
{
	const __m512i spread = _mm512_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12);

	return _mm512_permutexvar_epi32(spread, _mm512_loadu_si512((const void *)p));
}

/* the first 12 bytes of each lane to p, contiguous (exactly 48 bytes are written) */
HOT_INLINE void hvi_store_px(uint8_t *p, hvi v)
{
	_mm512_mask_storeu_epi32(p, 0x0fff,
				 _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 1, 2, 4, 5, 6, 8,
									    9, 10, 12, 13, 14, 0,
									    0, 0, 0), v));
}
#elif HVI_BYTES == 32
#define HVI_PX_OVER 4
HOT_INLINE hvi hvi_load_px(const uint8_t *p)
{
	return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const void *)p)),
				       _mm_loadu_si128((const void *)(p + 12)), 1);
}

/* 16 bytes of each lane are stored: the 4 after the pixels, to be written again later */
HOT_INLINE void hvi_store_px(uint8_t *p, hvi v)
{
	_mm_storeu_si128((void *)p, _mm256_castsi256_si128(v));
	_mm_storeu_si128((void *)(p + 12), _mm256_extracti128_si256(v, 1));
}
#else
#define HVI_PX_OVER 4
HOT_INLINE hvi hvi_load_px(const uint8_t *p)
{
	return _mm_loadu_si128((const void *)p);
}

HOT_INLINE void hvi_store_px(uint8_t *p, hvi v)
{
	_mm_storeu_si128((void *)p, v);
}
#endif
#define HVI_PX     (HVI_BYTES / 4)          /* pixels per vector of whole pixels */
#define HVI_PX_PAD ((HVI_PX_OVER + 2) / 3) /* pixels that cover the over-read */
#endif

#endif
