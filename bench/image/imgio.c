/*
 * imgio.c - PNG and JPEG files to and from 8-bit RGB (see imgio.h for the conversions).
 *
 * Both libraries report errors by longjmp out of a callback; everything that must be freed
 * after such a jump lives in a context struct (memory), not in locals, so nothing depends
 * on which registers setjmp saved.
 */
#include "imgio.h"
#include "outfile.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <png.h>

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

unsigned long long imgio_mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}

unsigned long long imgio_max_pixels = PB_IMAGE_MAX_PIXELS;

/* Size checks before any pixel buffer exists. */
static int check_dims(unsigned long long w, unsigned long long h, char *err, size_t len)
{
	unsigned long long need, avail = imgio_mem_available();

	if (pb_image_check_size(w, h) || w * h > imgio_max_pixels) {
		set_err(err, len, "image is %llux%llu: beyond the limit of %u pixels per side and "
			"%llu pixels", w, h, PB_IMAGE_MAX_SIDE, PB_IMAGE_MAX_PIXELS);
		return -ERANGE;
	}
	/* the decoded picture, and a filter's input, output and reference copies */
	need = 4 * (unsigned long long)pb_image_bytes((uint32_t)w, (uint32_t)h);
	if (avail && need > avail) {
		set_err(err, len, "image is %llux%llu: filtering it needs %llu MiB, only %llu MiB "
			"of memory available", w, h, need >> 20, avail >> 20);
		return -ENOMEM;
	}
	return 0;
}

void imgio_free(struct pb_image *img)
{
	free(img->px);
	memset(img, 0, sizeof(*img));
}

/* ---- PNG ------------------------------------------------------------------------------- */

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

static int png_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
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
		set_err(err, err_len, "not a valid PNG: %s", c->msg);
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

	rc = check_dims(w, h, err, err_len);
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
		set_err(err, err_len, "PNG variant not handled (color type %d, %d bits)", type, depth);
		rc = -ENOTSUP;
		goto out;
	}
	c->px = malloc(pb_image_bytes(w, h));
	c->rows = malloc(h * sizeof(*c->rows));
	if (!c->px || !c->rows) {
		set_err(err, err_len, "out of memory for a %ux%u image", (unsigned)w, (unsigned)h);
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

static int png_encode(FILE *f, const struct pb_image *img, char *err, size_t err_len)
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
		set_err(err, err_len, "cannot write PNG: %s", c->msg);
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

/* ---- JPEG ------------------------------------------------------------------------------ */

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

static int jpg_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
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
		set_err(err, err_len, "not a valid JPEG: %s", c->jerr.msg);
		rc = -EINVAL;
		goto out;
	}
	jpeg_create_decompress(&c->d);
	jpeg_mem_src(&c->d, buf, (unsigned long)len);
	(void)jpeg_read_header(&c->d, TRUE);
	rc = check_dims(c->d.image_width, c->d.image_height, err, err_len);
	if (rc)
		goto out;
	if (c->d.jpeg_color_space == JCS_CMYK || c->d.jpeg_color_space == JCS_YCCK) {
		set_err(err, err_len, "CMYK JPEGs are not handled (only gray and colour)");
		rc = -ENOTSUP;
		goto out;
	}
	c->d.out_color_space = JCS_RGB;
	jpeg_start_decompress(&c->d);
	if (c->d.output_components != 3) {
		set_err(err, err_len, "JPEG variant not handled (%d components)",
			c->d.output_components);
		rc = -ENOTSUP;
		goto out;
	}
	c->px = malloc(pb_image_bytes(c->d.output_width, c->d.output_height));
	if (!c->px) {
		set_err(err, err_len, "out of memory for a %ux%u image", c->d.output_width,
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

static int jpg_encode(FILE *f, const struct pb_image *img, char *err, size_t err_len)
{
	struct jpg_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	c->e.err = jpeg_std_error(&c->jerr.pub);
	c->jerr.pub.error_exit = jpg_error_exit;
	if (setjmp(c->jerr.jb)) {
		set_err(err, err_len, "cannot write JPEG: %s", c->jerr.msg);
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

/* ---- files ----------------------------------------------------------------------------- */

int imgio_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
		 size_t err_len)
{
	static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	memset(img, 0, sizeof(*img));
	if (len == 0) {
		set_err(err, err_len, "file is empty");
		return -EINVAL;
	}
	if (len >= 8 && memcmp(buf, png_sig, 8) == 0)
		return png_decode(buf, len, img, err, err_len);
	if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
		return jpg_decode(buf, len, img, err, err_len);
	set_err(err, err_len, "not a PNG or JPEG file");
	return -EINVAL;
}

int imgio_load(const char *path, struct pb_image *img, char *err, size_t err_len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned char *buf;
	size_t got;
	int rc;

	memset(img, 0, sizeof(*img));
	if (!f) {
		rc = -errno;
		set_err(err, err_len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		set_err(err, err_len, "%s: not a regular file", path);
		return -EINVAL;
	}
	if ((unsigned long long)st.st_size > IMGIO_MAX_FILE) {
		fclose(f);
		set_err(err, err_len, "%s: file of %lld bytes is beyond the limit of %llu", path,
			(long long)st.st_size, IMGIO_MAX_FILE);
		return -ERANGE;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		fclose(f);
		set_err(err, err_len, "%s: out of memory reading it", path);
		return -ENOMEM;
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	if (got != (size_t)st.st_size) {
		free(buf);
		set_err(err, err_len, "%s: read error", path);
		return -EIO;
	}
	char why[256] = "";

	rc = imgio_decode(buf, got, img, why, sizeof(why));
	free(buf);
	if (rc)
		set_err(err, err_len, "%s: %s", path, why);
	return rc;
}

enum fmt { FMT_NONE, FMT_PNG, FMT_JPEG };

static enum fmt format_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return FMT_NONE;
	if (strcasecmp(dot, ".png") == 0)
		return FMT_PNG;
	if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
		return FMT_JPEG;
	return FMT_NONE;
}

int imgio_format_ok(const char *path)
{
	return format_of(path) == FMT_NONE ? -ENOTSUP : 0;
}

int imgio_save(const char *path, const struct pb_image *img, char *err, size_t err_len)
{
	enum fmt fmt = format_of(path);
	struct outfile o;
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int rc;

	if (fmt == FMT_NONE) {
		set_err(err, err_len, "%s: unknown output format (use .png, .jpg or .jpeg)", path);
		return -ENOTSUP;
	}
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	rc = outfile_open(&o, slash == path ? "/" : dir, slash ? slash + 1 : path);
	if (rc) {
		set_err(err, err_len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	char why[256] = "";

	rc = fmt == FMT_PNG ? png_encode(o.f, img, why, sizeof(why))
			    : jpg_encode(o.f, img, why, sizeof(why));
	if (rc) {
		outfile_abort(&o);
		set_err(err, err_len, "%s: %s", path, why);
		return rc;
	}
	rc = outfile_commit(&o);
	if (rc)
		set_err(err, err_len, "%s: %s", path, strerror(-rc));
	return rc;
}
