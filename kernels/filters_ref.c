/*
 * filters_ref.c - the filters' reference: one pixel at a time, straight from the definitions
 * in filters.c's header, sharing no code with the fast rows (hot.c); verify() compares every
 * backend's picture with it.
 */
#include "filters_int.h"
#include "image.h"

static int ref_at(const struct flt_priv *f, long x, long y, int c)
{
	x = x < 0 ? 0 : x >= (long)f->w ? (long)f->w - 1 : x;
	y = y < 0 ? 0 : y >= (long)f->h ? (long)f->h - 1 : y;
	return f->in[((size_t)y * f->w + (size_t)x) * 3 + (size_t)c];
}

static int ref_min255(int v)
{
	return v > 255 ? 255 : v;
}

static void ref_pixel(const struct flt_priv *f, long x, long y, uint8_t *o)
{
	int r = ref_at(f, x, y, 0), g = ref_at(f, x, y, 1), b = ref_at(f, x, y, 2);

	switch (f->kind) {
	case FLT_GRAY:
		o[0] = o[1] = o[2] = (uint8_t)((299 * r + 587 * g + 114 * b + 500) / 1000);
		return;
	case FLT_SEPIA:
		o[0] = (uint8_t)ref_min255((393 * r + 769 * g + 189 * b + 500) / 1000);
		o[1] = (uint8_t)ref_min255((349 * r + 686 * g + 168 * b + 500) / 1000);
		o[2] = (uint8_t)ref_min255((272 * r + 534 * g + 131 * b + 500) / 1000);
		return;
	case FLT_BLUR:
		for (int c = 0; c < 3; c++) {
			int s = 0;

			for (long dy = -1; dy <= 1; dy++)
				for (long dx = -1; dx <= 1; dx++)
					s += ref_at(f, x + dx, y + dy, c);
			o[c] = (uint8_t)((s + 4) / 9);
		}
		return;
	case FLT_SHARPEN:
		for (int c = 0; c < 3; c++)
			o[c] = clamp255(5 * ref_at(f, x, y, c) - ref_at(f, x, y - 1, c) -
					ref_at(f, x, y + 1, c) - ref_at(f, x - 1, y, c) -
					ref_at(f, x + 1, y, c));
		return;
	}
}

/* Writes the reference picture's rows [b, e) (into f->ref) and their checksums. */
void flt_reference(const void *priv, size_t b, size_t e, struct partial *p)
{
	const struct flt_priv *f = priv;

	for (size_t y = b; y < e; y++) {
		uint8_t *o = f->ref + y * f->stride;

		for (size_t x = 0; x < f->w; x++)
			ref_pixel(f, (long)x, (long)y, o + 3 * x);
		p->check += pb_row_check(o, f->stride, y);
	}
	p->count += e - b;
}

