/*
 * imgio_png.c - PNG through libpng: decoded from memory to 8-bit RGB as imgio.h says,
 * encoded from RGB.  libpng reports errors by longjmp:
 * what must be freed after a jump lives in a context struct, not in locals.
 */
#include "imgio_int.h"

#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

struct png_ctx {
	const unsigned char *buf;
	size_t len, pos;
	char msg[200];
	png_structp png;
	png_infop info;
	png_bytep *rows;
	uint8_t *px;
};

static void png_err_fn(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);

	snprintf(c->msg, sizeof(c->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void png_warn_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg; /* benign (e.g. an unknown chunk); damage to the image data is an error */
}

static void png_read_mem(png_structp png, png_bytep out, size_t n)
{
	struct png_ctx *c = png_get_io_ptr(png);

	if (n > c->len - c->pos)
		png_error(png, "file is truncated");
	memcpy(out, c->buf + c->pos, n);
	c->pos += n;
}

int png_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
		      size_t err_len)
{
	struct png_ctx *c = calloc(1, sizeof(*c));
	int rc = -EINVAL;

	if (!c)
		return -ENOMEM;
	c->buf = buf;
	c->len = len;
	c->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, png_err_fn, png_warn_fn);
	c->info = c->png ? png_create_info_struct(c->png) : NULL;
	if (!c->info) {
		rc = -ENOMEM;
		goto out;
	}
	if (setjmp(png_jmpbuf(c->png))) {
		imgio_set_err(err, err_len, "not a valid PNG: %s", c->msg);
		rc = -EINVAL;
		goto out;
	}
	png_set_read_fn(c->png, c, png_read_mem);
	png_set_user_limits(c->png, PB_IMAGE_MAX_SIDE, PB_IMAGE_MAX_SIDE);
	png_read_info(c->png, c->info);

	png_uint_32 w = png_get_image_width(c->png, c->info);
	png_uint_32 h = png_get_image_height(c->png, c->info);
	int type = png_get_color_type(c->png, c->info);
	int depth = png_get_bit_depth(c->png, c->info);

	rc = imgio_check_dims(w, h, err, err_len);
	if (rc)
		goto out;
	if (type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(c->png);
	if ((type & ~PNG_COLOR_MASK_ALPHA) == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(c->png);
	if (depth == 16)
		png_set_scale_16(c->png);
	if ((type & ~PNG_COLOR_MASK_ALPHA) == PNG_COLOR_TYPE_GRAY)
		png_set_gray_to_rgb(c->png);
	if (type & PNG_COLOR_MASK_ALPHA)
		png_set_strip_alpha(c->png);
	(void)png_set_interlace_handling(c->png);
	png_read_update_info(c->png, c->info);
	if (png_get_rowbytes(c->png, c->info) != (size_t)w * 3) {
		imgio_set_err(err, err_len, "PNG variant not handled (color type %d, %d bits)", type, depth);
		rc = -ENOTSUP;
		goto out;
	}
	c->px = malloc(pb_image_bytes(w, h));
	c->rows = malloc(h * sizeof(*c->rows));
	if (!c->px || !c->rows) {
		imgio_set_err(err, err_len, "out of memory for a %ux%u image", (unsigned)w, (unsigned)h);
		rc = -ENOMEM;
		goto out;
	}
	for (png_uint_32 y = 0; y < h; y++)
		c->rows[y] = c->px + (size_t)y * w * 3;
	png_read_image(c->png, c->rows);
	png_read_end(c->png, NULL);
	img->w = w;
	img->h = h;
	img->px = c->px;
	c->px = NULL;
	rc = 0;
out:
	png_destroy_read_struct(c->png ? &c->png : NULL, c->info ? &c->info : NULL, NULL);
	free(c->rows);
	free(c->px);
	free(c);
	return rc;
}

int png_encode(FILE *f, const struct pb_image *img, char *err, size_t err_len)
{
	struct png_ctx *c = calloc(1, sizeof(*c));
	int rc = -EIO;

	if (!c)
		return -ENOMEM;
	c->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, c, png_err_fn, png_warn_fn);
	c->info = c->png ? png_create_info_struct(c->png) : NULL;
	if (!c->info) {
		rc = -ENOMEM;
		goto out;
	}
	if (setjmp(png_jmpbuf(c->png))) {
		imgio_set_err(err, err_len, "cannot write PNG: %s", c->msg);
		rc = -EIO;
		goto out;
	}
	png_init_io(c->png, f);
	png_set_IHDR(c->png, c->info, img->w, img->h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(c->png, c->info);
	for (uint32_t y = 0; y < img->h; y++)
		png_write_row(c->png, img->px + (size_t)y * img->w * 3);
	png_write_end(c->png, NULL);
	rc = 0;
out:
	png_destroy_write_struct(c->png ? &c->png : NULL, c->info ? &c->info : NULL);
	free(c);
	return rc;
}

