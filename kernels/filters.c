/*
 * filters.c - the tutorials' photo filters as kernels: grayscale, sepia, box_blur, sharpen.
 *
 * Pixels are 8-bit RGB, interleaved; all arithmetic is integer and `/` truncates:
 *   grayscale  Y = (299 R + 587 G + 114 B + 500) / 1000 (ITU-R BT.601 luma); R' = G' = B' = Y
 *   sepia      R' = min(255, (393 R + 769 G + 189 B + 500) / 1000)
 *              G' = min(255, (349 R + 686 G + 168 B + 500) / 1000)
 *              B' = min(255, (272 R + 534 G + 131 B + 500) / 1000)
 *   box_blur   per channel, (sum of the 3x3 neighbourhood + 4) / 9
 *   sharpen    per channel, clamp(5 c - up - down - left - right, 0, 255)
 *   borders    a neighbour outside the image takes the value of the nearest edge pixel
 *
 * Work items are rows.  A range of rows reads its rows plus, for blur and sharpen, one halo
 * row above and below, and writes its rows of a separate output buffer.  The partial's check
 * is the sum of the output rows' checksums; verify() wants both that sum and the whole
 * output buffer to equal those of the plain per-pixel reference computed at setup, so every
 * backend's picture is bit-identical to the reference before a time is reported.
 *
 * The fast rows are in hot_point.c and hot_3x3.c, in one variant per instruction set (each
 * filter runs the one chosen for it, hot.h): the point filters work on whole pixels, blur
 * and sharpen on bytes at offsets of +-3 (one pixel) and +-stride; the first and last pixel
 * of a row are done here, apart, for the border rule.  With kernel_params.stream_above a
 * big picture's rows are made in a buffer in L1 and streamed out (non-temporal stores).
 * The reference (filters_ref.c) is the definitions written pixel by pixel, sharing no code
 * with them.
 */
#include "filters_int.h"
#include "hot.h"
#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FLT_DEFAULT_SIDE 4096
#define FLT_QUICK_SIDE   1024
#define FLT_SEED         0x5eed1e55ull
#define FLT_TILE_W       1024 /* the tile (kernel_params.tile): 384 KiB read + written */
#define FLT_TILE_H       64
#define FLT_STREAM_MAX_ROW (48u << 10) /* widest row streamed (16384 pixels), on the stack */


/* One output byte i of a 3x3 filter, given the bytes left (l) and right (r) of it in the
 * same channel of rows u, m, d (l or r equal i at the image's edge). */
typedef uint8_t byte_fn(const uint8_t *u, const uint8_t *m, const uint8_t *d, size_t l,
			size_t i, size_t r);

static uint8_t blur_byte(const uint8_t *u, const uint8_t *m, const uint8_t *d, size_t l,
			 size_t i, size_t r)
{
	unsigned s = u[l] + u[i] + u[r] + m[l] + m[i] + m[r] + d[l] + d[i] + d[r];

	return (uint8_t)((s + 4) / 9);
}

static uint8_t sharpen_byte(const uint8_t *u, const uint8_t *m, const uint8_t *d, size_t l,
			    size_t i, size_t r)
{
	return clamp255(5 * m[i] - u[i] - d[i] - m[l] - m[r]);
}

/* The first and last pixel of a row, where a neighbour is missing; 1 if that was the
 * whole row (one pixel wide), else the caller does bytes [3, 3 w - 3). */
static int edge_pixels(const uint8_t *u, const uint8_t *m, const uint8_t *d, uint8_t *out,
		       size_t w, byte_fn *f)
{
	size_t n = 3 * w;

	for (size_t i = 0; i < 3; i++) {
		out[i] = f(u, m, d, i, i, w > 1 ? i + 3 : i);
		if (w > 1)
			out[n - 3 + i] = f(u, m, d, n - 6 + i, n - 3 + i, n - 3 + i);
	}
	return w == 1;
}

/* each filter's slot in the variant choice (hot.h) */
static const enum hot_kernel flt_hot[] = {
	[FLT_GRAY] = HOT_GRAYSCALE, [FLT_SEPIA] = HOT_SEPIA,
	[FLT_BLUR] = HOT_BOX_BLUR,  [FLT_SHARPEN] = HOT_SHARPEN,
};

/* Output row y into o, from input row m (in holds input rows from in_first on). */
static void flt_row(const struct flt_priv *f, const struct hot_ops *ops, size_t y,
		    const uint8_t *m, uint8_t *o)
{
	const uint8_t *u = y > 0 ? m - f->stride : m;
	const uint8_t *d = y + 1 < f->h ? m + f->stride : m;

	switch (f->kind) {
	case FLT_GRAY:
		ops->gray(m, o, f->w);
		break;
	case FLT_SEPIA:
		ops->sepia(m, o, f->w);
		break;
	case FLT_BLUR:
		if (!edge_pixels(u, m, d, o, f->w, blur_byte))
			ops->blur(u, m, d, o, f->w);
		break;
	case FLT_SHARPEN:
		if (!edge_pixels(u, m, d, o, f->w, sharpen_byte))
			ops->sharpen(u, m, d, o, f->w);
		break;
	}
}

/* flt_rows() with streaming stores: each row is made in a buffer that stays in L1, its
 * check taken there, and then streamed to out (apart, so that only these calls have the
 * buffer on their stack). */
__attribute__((noinline)) static void flt_rows_streamed(const struct flt_priv *f, size_t b,
							size_t e, const uint8_t *in,
							size_t in_first, uint8_t *out,
							size_t out_first, struct partial *p)
{
	const struct hot_ops *ops = hot_of(flt_hot[f->kind]);
	uint8_t row[FLT_STREAM_MAX_ROW] __attribute__((aligned(64)));

	for (size_t y = b; y < e; y++) {
		flt_row(f, ops, y, in + (y - in_first) * f->stride, row);
		p->check += pb_row_check(row, f->stride, y);
		ops->stream(out + (y - out_first) * f->stride, row, f->stride);
	}
	ops->fence();
	p->count += e - b;
}

/*
 * Rows [b, e) into out.  in holds input rows from in_first on, out output rows from
 * out_first on: the whole buffers (in_first = out_first = 0) or a transport's copies.
 */
static void flt_rows(const struct flt_priv *f, size_t b, size_t e, const uint8_t *in,
		     size_t in_first, uint8_t *out, size_t out_first, struct partial *p)
{
	const struct hot_ops *ops = hot_of(flt_hot[f->kind]);

	if (f->stream) {
		flt_rows_streamed(f, b, e, in, in_first, out, out_first, p);
		return;
	}
	for (size_t y = b; y < e; y++) {
		uint8_t *o = out + (y - out_first) * f->stride;

		flt_row(f, ops, y, in + (y - in_first) * f->stride, o);
		p->check += pb_row_check(o, f->stride, y);
	}
	p->count += e - b;
}

static int flt_halo(const struct flt_priv *f)
{
	return f->kind == FLT_BLUR || f->kind == FLT_SHARPEN;
}

static size_t flt_in_first(const struct flt_priv *f, size_t b)
{
	return flt_halo(f) && b > 0 ? b - 1 : b;
}

static void flt_span(const void *priv, size_t b, size_t e, struct kernel_span *s)
{
	const struct flt_priv *f = priv;
	size_t first = flt_in_first(f, b), last = flt_halo(f) && e < f->h ? e + 1 : e;

	if (b >= e) {
		*s = (struct kernel_span){ f->in, 0, f->out, 0 };
		return;
	}
	s->in = f->in + first * f->stride;
	s->in_len = (last - first) * f->stride;
	s->out = f->out + b * f->stride;
	s->out_len = (e - b) * f->stride;
}

static void flt_run(const void *priv, size_t b, size_t e, struct partial *p)
{
	const struct flt_priv *f = priv;

	flt_rows(f, b, e, f->in, 0, f->out, 0, p);
}

static void flt_run_io(const void *priv, size_t b, size_t e, const uint8_t *in, uint8_t *out,
		       struct partial *p)
{
	const struct flt_priv *f = priv;

	flt_rows(f, b, e, in, flt_in_first(f, b), out, b, p);
}

static int flt_verify(const void *priv, const struct partial *total)
{
	const struct flt_priv *f = priv;

	if (total->count != f->h || total->check != f->expect_check || total->sum != 0)
		return -EDOM;
	return memcmp(f->out, f->ref, f->bytes) == 0 ? 0 : -EDOM;
}

/* One byte of every row made unlike the reference's, at a column that moves with the row:
 * a run that leaves any row unwritten (a transport that drops a copy-back) fails verify(). */
static void flt_invalidate(void *priv)
{
	struct flt_priv *f = priv;

	for (size_t y = 0; y < f->h; y++) {
		size_t i = y * f->stride + (y * 7) % f->stride;

		f->out[i] = (uint8_t)~f->ref[i];
	}
}

static void flt_teardown(void *priv)
{
	struct flt_priv *f = priv;

	pb_buffer_free(f->in, f->bytes);
	pb_buffer_free(f->out, f->bytes);
	pb_buffer_free(f->ref, f->bytes);
	f->in = f->out = f->ref = NULL;
}

/* The twin's rows [b, e) are at f->out: their checks, as flt_rows() adds them. */
static void flt_twin_partial(const void *priv, size_t b, size_t e, pb_u128 sum, uint64_t count,
			     struct partial *p)
{
	const struct flt_priv *f = priv;

	p->sum += sum;
	p->count += count;
	for (size_t y = b; y < e && y < f->h; y++)
		p->check += pb_row_check(f->out + y * f->stride, f->stride, y);
}

static int flt_setup(struct flt_priv *f, const char *name, enum flt_kind kind,
		     const struct kernel_params *p, struct kernel_shape *shape)
{
	uint64_t side = p->size ? p->size : p->quick ? FLT_QUICK_SIDE : FLT_DEFAULT_SIDE;
	const struct pb_image *img = p->tile ? NULL : p->image;
	uint64_t w = p->tile ? FLT_TILE_W : img ? img->w : side;
	uint64_t h = p->tile ? FLT_TILE_H : img ? img->h : side;
	struct partial ref = { 0 };

	f->kind = kind;
	if (pb_image_check_size(w, h))
		return -ERANGE;
	f->w = (uint32_t)w;
	f->h = (uint32_t)h;
	f->stride = (size_t)w * 3;
	f->bytes = pb_image_bytes(f->w, f->h);
	f->stream = p->stream_above && 2 * (uint64_t)f->bytes > p->stream_above &&
		    f->stride <= FLT_STREAM_MAX_ROW;
	/* input, output and reference must fit in this machine's memory, checked up front */
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

	if (pages > 0 && page > 0 && 3 * (uint64_t)f->bytes > (uint64_t)pages * (uint64_t)page)
		return -ERANGE;
	f->in = pb_buffer_alloc(f->bytes, 0);
	f->out = pb_buffer_alloc(f->bytes, 1);
	f->ref = pb_buffer_alloc(f->bytes, 0);
	if (!f->in || !f->out || !f->ref) {
		flt_teardown(f);
		return -ENOMEM;
	}
	if (img)
		memcpy(f->in, img->px, f->bytes);
	else
		pb_image_synthetic(f->in, f->w, f->h, FLT_SEED);
	flt_reference(f, 0, f->h, &ref);
	f->expect_check = ref.check;
	*shape = (struct kernel_shape){
		.n = f->h,
		.grain = 1,
		.size = img ? w * h : p->tile ? FLT_TILE_W : side,
		.elements = w * h,
		.pixels = w * h,
		.bytes = 2 * (uint64_t)f->bytes,
		.width = f->w,
		.height = f->h,
		.in = f->in,
		.out = f->out,
		.variant = hot_of(flt_hot[kind])->name,
		.streamed = f->stream,
	};
	snprintf(shape->twin, sizeof(shape->twin), "%s %u %u", name, f->w, f->h);
	return 0;
}

#define FLT_KERNEL(id, kind_, summary_)                                                        \
	static int id##_setup(void *priv, const struct kernel_params *p,                       \
			      struct kernel_shape *shape)                                      \
	{                                                                                      \
		return flt_setup(priv, #id, kind_, p, shape);                                     \
	}                                                                                      \
	const struct kernel kernel_##id = {                                                    \
		.name = #id,                                                                   \
		.summary = summary_,                                                           \
		.size_unit = "pixels per side of the synthetic square picture; --image FILE "  \
			     "for a real one",                                                 \
		.py_model = PY_LOOP,                                                           \
		.py_block = 1,                                                                 \
		.priv_size = sizeof(struct flt_priv),                                          \
		.setup = id##_setup,                                                           \
		.run = flt_run,                                                                \
		.reference = flt_reference,                                                    \
		.verify = flt_verify,                                                          \
		.teardown = flt_teardown,                                                      \
		.invalidate = flt_invalidate,                                                  \
		.span = flt_span,                                                              \
		.run_io = flt_run_io,                                                          \
		.twin_partial = flt_twin_partial,                                              \
	}

FLT_KERNEL(grayscale, FLT_GRAY, "BT.601 luma, (299 R + 587 G + 114 B + 500) / 1000, per pixel");
FLT_KERNEL(sepia, FLT_SEPIA, "the classic sepia matrix, per pixel, clipped at 255");
FLT_KERNEL(box_blur, FLT_BLUR, "3x3 box blur per channel, (sum + 4) / 9, edges replicated");
FLT_KERNEL(sharpen, FLT_SHARPEN, "5 c - up - down - left - right per channel, clamped, edges replicated");
