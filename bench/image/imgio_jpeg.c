/*
 * imgio_jpeg.c - JPEG through libjpeg-turbo: decoded from memory to 8-bit RGB as imgio.h
 * says, encoded from RGB.  Errors longjmp out of a callback; what must be freed after a
 * jump lives in a context struct, as in imgio_png.c.
 */
#include "imgio_int.h"

#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

struct jpg_err {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
};

struct jpg_ctx {
	struct jpeg_decompress_struct d;
	struct jpeg_compress_struct e;
	struct jpg_err jerr;
	uint8_t *px;
};

static void jpg_error_exit(j_common_ptr ci)
{
	struct jpg_err *e = (struct jpg_err *)ci->err;

	ci->err->format_message(ci, e->msg);
	longjmp(e->jb, 1);
}

/* Warnings (level -1) mean damaged data: refuse the file rather than decode grey. */
static void jpg_emit(j_common_ptr ci, int level)
{
	if (level < 0)
		jpg_error_exit(ci);
}

int jpg_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
		      size_t err_len)
{
	struct jpg_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	c->d.err = jpeg_std_error(&c->jerr.pub);
	c->jerr.pub.error_exit = jpg_error_exit;
	c->jerr.pub.emit_message = jpg_emit;
	if (setjmp(c->jerr.jb)) {
		imgio_set_err(err, err_len, "not a valid JPEG: %s", c->jerr.msg);
		rc = -EINVAL;
		goto out;
	}
	jpeg_create_decompress(&c->d);
	jpeg_mem_src(&c->d, buf, (unsigned long)len);
	(void)jpeg_read_header(&c->d, TRUE);
	rc = imgio_check_dims(c->d.image_width, c->d.image_height, err, err_len);
	if (rc)
		goto out;
	if (c->d.jpeg_color_space == JCS_CMYK || c->d.jpeg_color_space == JCS_YCCK) {
		imgio_set_err(err, err_len, "CMYK JPEGs are not handled (only gray and colour)");
		rc = -ENOTSUP;
		goto out;
	}
	c->d.out_color_space = JCS_RGB;
	jpeg_start_decompress(&c->d);
	if (c->d.output_components != 3) {
		imgio_set_err(err, err_len, "JPEG variant not handled (%d components)",
			c->d.output_components);
		rc = -ENOTSUP;
		goto out;
	}
	c->px = malloc(pb_image_bytes(c->d.output_width, c->d.output_height));
	if (!c->px) {
		imgio_set_err(err, err_len, "out of memory for a %ux%u image", c->d.output_width,
			c->d.output_height);
		rc = -ENOMEM;
		goto out;
	}
	while (c->d.output_scanline < c->d.output_height) {
		JSAMPROW row = c->px + (size_t)c->d.output_scanline * c->d.output_width * 3;

		(void)jpeg_read_scanlines(&c->d, &row, 1);
	}
	jpeg_finish_decompress(&c->d);
	img->w = c->d.output_width;
	img->h = c->d.output_height;
	img->px = c->px;
	c->px = NULL;
	rc = 0;
out:
	jpeg_destroy_decompress(&c->d);
	free(c->px);
	free(c);
	return rc;
}

int jpg_encode(FILE *f, const struct pb_image *img, char *err, size_t err_len)
{
	struct jpg_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	c->e.err = jpeg_std_error(&c->jerr.pub);
	c->jerr.pub.error_exit = jpg_error_exit;
	if (setjmp(c->jerr.jb)) {
		imgio_set_err(err, err_len, "cannot write JPEG: %s", c->jerr.msg);
		rc = -EIO;
		goto out;
	}
	jpeg_create_compress(&c->e);
	jpeg_stdio_dest(&c->e, f);
	c->e.image_width = img->w;
	c->e.image_height = img->h;
	c->e.input_components = 3;
	c->e.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c->e);
	jpeg_set_quality(&c->e, 95, TRUE);
	jpeg_start_compress(&c->e, TRUE);
	while (c->e.next_scanline < c->e.image_height) {
		JSAMPROW row = img->px + (size_t)c->e.next_scanline * img->w * 3;

		(void)jpeg_write_scanlines(&c->e, &row, 1);
	}
	jpeg_finish_compress(&c->e);
	rc = 0;
out:
	jpeg_destroy_compress(&c->e);
	free(c);
	return rc;
}

