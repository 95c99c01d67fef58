/*
 * hot_3x3.c - the 3x3 filters' rows (box_blur, sharpen) of one instruction-set variant,
 * built with hot.c (see there and hot.h): bytes [3, 3 w - 3) of an output row from the rows
 * up, mid and down, a pixel's neighbours being 3 bytes away.  Plain loops for the compiler
 * to vectorize (generic C, and every variant's tails), lane-wise vector code at the
 * variant's width (hot_simd.h) elsewhere; no byte shuffle is needed, so SSE2 has it too.
 *
 * Blur is separable: the column sums c = u + m + d of a block of bytes go to a small
 * buffer, then each output byte is (c[-3] + c[0] + c[+3] + 4) / 9 by a multiply-high.  The
 * vector code keeps the column sums of even and odd bytes apart (words of the rows masked,
 * or shifted, by 8 bits), so that no shuffle is needed to widen them: an output byte's
 * neighbours, 3 bytes away, are the other parity's sums one word over.
 */
#include "hot_simd.h"

/* (s + 4) / 9 for s <= 2295 (nine bytes) as ((s + 4) * 7282) >> 16, exactly: every sum is
 * checked in the tests */
#define BLUR_MUL 7282

#define BLUR_BLOCK 512 /* output bytes a block of column sums serves */

/* bytes [i, n) of a blurred row, from the column sums; the plain loops are separable too */
static void blur_plain(const uint8_t *restrict u, const uint8_t *restrict m,
		       const uint8_t *restrict d, uint8_t *restrict out, size_t i, size_t n)
{
	uint16_t c[BLUR_BLOCK + 6];

	while (i < n) {
		size_t len = n - i < BLUR_BLOCK ? n - i : BLUR_BLOCK;

		for (size_t j = 0; j < len + 6; j++)
			c[j] = (uint16_t)(u[i - 3 + j] + m[i - 3 + j] + d[i - 3 + j]);
		for (size_t j = 0; j < len; j++)
			out[i + j] = (uint8_t)(((uint32_t)(c[j] + c[j + 3] + c[j + 6] + 4) *
						BLUR_MUL) >> 16);
		i += len;
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

#if HVI_BYTES

#define HVI_WORDS (HVI_BYTES / 2)

/* Column sums of bytes [b, b + len) (len >= HVI_BYTES, even) into e (even bytes) and o
 * (odd bytes): e[k] = c[b + 2 k], o[k] = c[b + 2 k + 1].  The last step is moved back to
 * end at b + len (by an even amount: the parities stay), so nothing past it is read. */
HOT_INLINE void blur_columns(const uint8_t *u, const uint8_t *m, const uint8_t *d, size_t b,
			     size_t len, uint16_t *e, uint16_t *o)
{
	const hvi lo = hvi_set1_16(0xff);

	for (size_t j = 0; j < len; j += HVI_BYTES) {
		size_t at = j + HVI_BYTES <= len ? j : len - HVI_BYTES;
		hvi x = hvi_load(u + b + at), y = hvi_load(m + b + at), z = hvi_load(d + b + at);

		hvi_ahead(d + b + at); /* the rows up and mid were down before */

		hvi_store(e + at / 2, hvi_add16(hvi_add16(hvi_and(x, lo), hvi_and(y, lo)),
						hvi_and(z, lo)));
		hvi_store(o + at / 2, hvi_add16(hvi_add16(hvi_srli16(x, 8), hvi_srli16(y, 8)),
						hvi_srli16(z, 8)));
	}
}

/* Output bytes i + 2 k (low) and i + 2 k + 1 (high) for the words k of a vector, with the
 * column sums taken from b = i - 3: the low byte's sums are columns 2 k, 2 k + 3, 2 k + 6
 * (even, odd, even), the high byte's 2 k + 1, 2 k + 4, 2 k + 7. */
HOT_INLINE hvi blur_words(const uint16_t *e, const uint16_t *o)
{
	const hvi four = hvi_set1_16(4), mul = hvi_set1_16(BLUR_MUL);
	hvi lo = hvi_add16(hvi_add16(hvi_load(e), hvi_load(o + 1)), hvi_add16(hvi_load(e + 3), four));
	hvi hi = hvi_add16(hvi_add16(hvi_load(o), hvi_load(e + 2)), hvi_add16(hvi_load(o + 3), four));

	return hvi_or(hvi_mulhi16(lo, mul), hvi_slli16(hvi_mulhi16(hi, mul), 8));
}

void HOT_CAT(hot_blur_, HOT_VARIANT)(const uint8_t *restrict u, const uint8_t *restrict m,
				     const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	uint16_t e[(BLUR_BLOCK + 6) / 2 + HVI_WORDS], o[(BLUR_BLOCK + 6) / 2 + HVI_WORDS];
	size_t i = 3, n = 3 * w - 3;

	while (n - i >= HVI_BYTES && n >= HVI_BYTES + 3) {
		size_t len = n - i < BLUR_BLOCK ? (n - i) / HVI_BYTES * HVI_BYTES : BLUR_BLOCK;

		blur_columns(u, m, d, i - 3, len + 6, e, o);
		for (size_t t = 0; t < len; t += HVI_BYTES) {
			hvi_ahead(out + i + t);
			hvi_store(out + i + t, blur_words(e + t / 2, o + t / 2));
		}
		i += len;
		if (i < n && n - i < HVI_BYTES)
			i = n - HVI_BYTES; /* the last bytes in one more vector, again some */
	}
	blur_plain(u, m, d, out, i, n);
}

/* 5 c - up - down - left - right in 16-bit words (the bytes widened by unpacks) */
HOT_INLINE hvi sharpen_words(hvi c, hvi up, hvi dn, hvi l, hvi r)
{
	hvi v = hvi_add16(hvi_slli16(c, 2), c);

	return hvi_sub16(hvi_sub16(v, hvi_add16(up, dn)), hvi_add16(l, r));
}

/* output bytes [i, i + HVI_BYTES) */
HOT_INLINE void sharpen_vector(const uint8_t *u, const uint8_t *m, const uint8_t *d,
			       uint8_t *out, size_t i)
{
	const hvi z = hvi_zero();
	hvi c = hvi_load(m + i), up = hvi_load(u + i), dn = hvi_load(d + i);
	hvi l = hvi_load(m + i - 3), r = hvi_load(m + i + 3);
	hvi lo = sharpen_words(hvi_unpacklo8(c, z), hvi_unpacklo8(up, z), hvi_unpacklo8(dn, z),
			       hvi_unpacklo8(l, z), hvi_unpacklo8(r, z));
	hvi hi = sharpen_words(hvi_unpackhi8(c, z), hvi_unpackhi8(up, z), hvi_unpackhi8(dn, z),
			       hvi_unpackhi8(l, z), hvi_unpackhi8(r, z));

	hvi_store(out + i, hvi_packus16(lo, hi)); /* saturated to [0, 255] */
}

void HOT_CAT(hot_sharpen_, HOT_VARIANT)(const uint8_t *restrict u, const uint8_t *restrict m,
					const uint8_t *restrict d, uint8_t *restrict out, size_t w)
{
	size_t i = 3, n = 3 * w - 3;

	if (n < HVI_BYTES + 3) {
		sharpen_plain(u, m, d, out, i, n);
		return;
	}
	for (; i + HVI_BYTES <= n; i += HVI_BYTES) {
		hvi_ahead(d + i); /* the rows up and mid were down before */
		hvi_ahead(out + i);
		sharpen_vector(u, m, d, out, i);
	}
	if (i < n) /* the last bytes in one more vector, again some before them */
		sharpen_vector(u, m, d, out, n - HVI_BYTES);
}

#else

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
