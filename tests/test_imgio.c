/*
 * test_imgio.c - the picture files: PNG round trips exact, JPEG within its tolerance, PNG
 * variants (grey, palette, 16-bit, alpha, 1-bit, interlaced) converted as imgio.h says, and
 * damaged or unsupported files refused with a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "image.h"
#include "imgio.h"
#include "kernel.h"
#include "random_picture.h"

static char tmpdir[] = "/tmp/pb-test-imgio-XXXXXX";

static void path_in_tmp(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *read_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

static void test_png_round_trip_exact(void **state)
{
	struct pb_image img = { 37, 23, NULL }, back;
	char path[256], err[256];

	(void)state;
	img.px = malloc(pb_image_bytes(img.w, img.h));
	random_picture(img.px, pb_image_bytes(img.w, img.h));
	path_in_tmp(path, sizeof(path), "round.png");
	assert_int_equal(imgio_save(path, &img, err, sizeof(err)), 0);
	assert_int_equal(imgio_load(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.w, img.w);
	assert_int_equal(back.h, img.h);
	assert_memory_equal(back.px, img.px, pb_image_bytes(img.w, img.h));
	imgio_free(&back);
	free(img.px);
}

/*
 * JPEG is lossy: the stated tolerance, at quality 95 with libjpeg's default 4:2:0 chroma
 * subsampling on the synthetic photo (gradients, hard colour edges, per-pixel noise, the
 * hardest case for JPEG), is a mean absolute error per channel below 4 levels and a PSNR
 * above 30 dB (measured: 3.2 and 31.6 dB).  Size and decodability are exact.
 */
static void test_jpeg_round_trip_within_tolerance(void **state)
{
	struct pb_image img = { 160, 120, NULL }, back;
	char path[256], err[256];
	double sum_abs = 0, sum_sq = 0;
	size_t bytes = pb_image_bytes(img.w, img.h);

	(void)state;
	img.px = malloc(bytes);
	pb_image_synthetic(img.px, img.w, img.h, 7);
	path_in_tmp(path, sizeof(path), "round.JPG");
	assert_int_equal(imgio_save(path, &img, err, sizeof(err)), 0);
	assert_int_equal(imgio_load(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.w, img.w);
	assert_int_equal(back.h, img.h);
	for (size_t i = 0; i < bytes; i++) {
		double d = (double)back.px[i] - img.px[i];

		sum_abs += d < 0 ? -d : d;
		sum_sq += d * d;
	}
	double mae = sum_abs / (double)bytes, mse = sum_sq / (double)bytes;
	double psnr = 10 * log10(255.0 * 255.0 / (mse > 0 ? mse : 1e-9));

	print_message("JPEG q95 round trip: mean abs error %.3f, PSNR %.1f dB\n", mae, psnr);
	assert_true(mae < 4.0);
	assert_true(psnr > 30.0);
	imgio_free(&back);
	free(img.px);
}

/* Writes a PNG of any libpng format from raw rows (bit depth, colour type, interlace). */
static void write_png_raw(const char *path, unsigned w, unsigned h, int depth, int type,
			  int interlace, unsigned char **rows, png_color *palette, int n_pal)
{
	FILE *f = fopen(path, "wb");
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);

	assert_non_null(f);
	assert_non_null(info);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng could not write the test file");
	png_init_io(png, f);
	png_set_IHDR(png, info, w, h, depth, type, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	if (palette)
		png_set_PLTE(png, info, palette, n_pal);
	png_write_info(png, info);
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	fclose(f);
}

/* Gray, palette, 16-bit, alpha and interlaced inputs become the documented 8-bit RGB. */
#define PV_W 13
#define PV_H 7

/* PNG variant `variant`: pixel (x, y) as stored (raw) and as imgio must give it (o). */
static void png_variant_pixel(int variant, int x, int y, unsigned char (*raw)[PV_W * 8],
			      uint8_t *o, const png_color *pal, int *depth, int *type, int *inter)
{
	unsigned v = (unsigned)(x * 19 + y * 31) & 255;
	unsigned v16 = (v << 8) | ((x * 7 + y) & 255);

	switch (variant) {
	case 0: /* gray 8 */
		*type = PNG_COLOR_TYPE_GRAY;
		raw[y][x] = (unsigned char)v;
		o[0] = o[1] = o[2] = (uint8_t)v;
		break;
	case 1: /* palette, 8-bit indexes */
		*type = PNG_COLOR_TYPE_PALETTE;
		raw[y][x] = (unsigned char)(v & 3);
		o[0] = pal[v & 3].red;
		o[1] = pal[v & 3].green;
		o[2] = pal[v & 3].blue;
		break;
	case 2: /* RGB 16: scaled, v16 * 255 / 65535 rounded */
		*depth = 16;
		for (int c = 0; c < 3; c++) {
			unsigned s = (v16 + (unsigned)c * 4099) & 0xffff;

			raw[y][6 * x + 2 * c] = (unsigned char)(s >> 8);
			raw[y][6 * x + 2 * c + 1] = (unsigned char)s;
			o[c] = (uint8_t)((s * 255 + 32767) / 65535);
		}
		break;
	case 3: /* RGBA: alpha dropped, colours as stored */
		*type = PNG_COLOR_TYPE_RGBA;
		for (int c = 0; c < 4; c++)
			raw[y][4 * x + c] = (unsigned char)(v + 40 * c);
		for (int c = 0; c < 3; c++)
			o[c] = (uint8_t)(v + 40 * c);
		break;
	case 4: /* gray + alpha */
		*type = PNG_COLOR_TYPE_GRAY_ALPHA;
		raw[y][2 * x] = (unsigned char)v;
		raw[y][2 * x + 1] = 7;
		o[0] = o[1] = o[2] = (uint8_t)v;
		break;
	case 5: /* gray 1-bit: 0 and 255 */
		*type = PNG_COLOR_TYPE_GRAY;
		*depth = 1;
		if (x % 8 == 0)
			raw[y][x / 8] = 0;
		raw[y][x / 8] |= (unsigned char)((v & 1) << (7 - x % 8));
		o[0] = o[1] = o[2] = (v & 1) ? 255 : 0;
		break;
	case 6: /* interlaced RGB */
		*inter = PNG_INTERLACE_ADAM7;
		for (int c = 0; c < 3; c++) {
			raw[y][3 * x + c] = (unsigned char)(v ^ (unsigned)c * 85);
			o[c] = (uint8_t)(v ^ (unsigned)c * 85);
		}
		break;
	}
}

static void test_png_variants_convert_as_documented(void **state)
{
	unsigned char raw[PV_H][PV_W * 8];
	unsigned char *rows[PV_H];
	uint8_t want[PV_W * PV_H * 3];
	png_color pal[4] = { { 10, 20, 30 }, { 200, 100, 0 }, { 0, 0, 0 }, { 255, 255, 255 } };
	struct pb_image got;
	char path[256], err[256];

	(void)state;
	for (int y = 0; y < PV_H; y++)
		rows[y] = raw[y];
	for (int variant = 0; variant < 7; variant++) {
		int depth = 8, type = PNG_COLOR_TYPE_RGB, inter = PNG_INTERLACE_NONE;

		for (int y = 0; y < PV_H; y++)
			for (int x = 0; x < PV_W; x++)
				png_variant_pixel(variant, x, y, raw, want + (y * PV_W + x) * 3, pal,
						  &depth, &type, &inter);
		char name[32];

		snprintf(name, sizeof(name), "variant%d.png", variant);
		path_in_tmp(path, sizeof(path), name);
		write_png_raw(path, PV_W, PV_H, depth, type, inter, rows, variant == 1 ? pal : NULL, 4);
		if (imgio_load(path, &got, err, sizeof(err)) != 0)
			fail_msg("variant %d: %s", variant, err);
		assert_int_equal(got.w, PV_W);
		assert_int_equal(got.h, PV_H);
		if (memcmp(got.px, want, sizeof(want)) != 0)
			fail_msg("PNG variant %d is not converted as documented", variant);
		imgio_free(&got);
	}
}

static int load_error(const char *name, const void *data, size_t len, char *err, size_t err_len)
{
	char path[256];
	struct pb_image img;
	int rc;

	path_in_tmp(path, sizeof(path), name);
	write_bytes(path, data, len);
	rc = imgio_load(path, &img, err, err_len);
	assert_null(img.px);
	return rc;
}

/* Damaged and hostile files: an error with a message, never a crash or a picture. */
static void test_bad_files_are_refused(void **state)
{
	struct pb_image img = { 64, 48, NULL };
	char png[256], jpg[256], err[256];
	size_t png_len, jpg_len;
	unsigned char *p, *j;

	(void)state;
	img.px = malloc(pb_image_bytes(img.w, img.h));
	pb_image_synthetic(img.px, img.w, img.h, 3);
	path_in_tmp(png, sizeof(png), "good.png");
	path_in_tmp(jpg, sizeof(jpg), "good.jpg");
	assert_int_equal(imgio_save(png, &img, err, sizeof(err)), 0);
	assert_int_equal(imgio_save(jpg, &img, err, sizeof(err)), 0);
	free(img.px);
	p = read_bytes(png, &png_len);
	j = read_bytes(jpg, &jpg_len);

	assert_int_equal(load_error("empty.png", "", 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(load_error("text.png", "hello, world\n", 13, err, sizeof(err)), -EINVAL);
	assert_int_equal(load_error("short.png", p, 8, err, sizeof(err)), -EINVAL);
	assert_int_equal(load_error("half.png", p, png_len / 2, err, sizeof(err)), -EINVAL);
	assert_int_equal(load_error("half.jpg", j, jpg_len / 2, err, sizeof(err)), -EINVAL);
	assert_int_equal(load_error("head.jpg", j, 200, err, sizeof(err)), -EINVAL);

	/* a flipped byte in the compressed data: the CRC (PNG) or the entropy decoder (JPEG) */
	p[png_len / 2] ^= 0x55;
	assert_int_equal(load_error("crc.png", p, png_len, err, sizeof(err)), -EINVAL);
	p[png_len / 2] ^= 0x55;
	for (size_t i = jpg_len / 3; i < jpg_len / 3 + 64; i++)
		j[i] = (unsigned char)(j[i] * 7 + 1);
	assert_true(load_error("garbled.jpg", j, jpg_len, err, sizeof(err)) < 0);

	/* declared dimensions beyond the limits: refused from the header, before allocating */
	write_png_raw(png, 1, 1, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		      (unsigned char *[]){ (unsigned char[3]){ 1, 2, 3 } }, NULL, 0);
	free(p);
	p = read_bytes(png, &png_len);
	/* IHDR width and height are bytes 16..23; the CRC follows: recompute it */
	const uint32_t dims[][2] = { { 60000, 60000 }, { 100000, 10 }, { 0x7fffffff, 1 } };

	for (size_t d = 0; d < 3; d++) {
		for (int b = 0; b < 4; b++) {
			p[16 + b] = (unsigned char)(dims[d][0] >> (24 - 8 * b));
			p[20 + b] = (unsigned char)(dims[d][1] >> (24 - 8 * b));
		}
		uint32_t crc = (uint32_t)crc32(0, p + 12, 17);

		for (int b = 0; b < 4; b++)
			p[29 + b] = (unsigned char)(crc >> (24 - 8 * b));
		int rc = load_error("huge.png", p, png_len, err, sizeof(err));

		if (rc != -ERANGE && rc != -EINVAL)
			fail_msg("%ux%u: got %d (%s)", dims[d][0], dims[d][1], rc, err);
	}
	/* a directory, a missing file */
	assert_int_equal(imgio_load(tmpdir, &img, err, sizeof(err)), -EINVAL);
	path_in_tmp(png, sizeof(png), "missing.png");
	assert_int_equal(imgio_load(png, &img, err, sizeof(err)), -ENOENT);
	/* an unknown output format writes nothing */
	path_in_tmp(png, sizeof(png), "out.gif");
	img.px = malloc(pb_image_bytes(64, 48));
	memset(img.px, 0, pb_image_bytes(64, 48));
	img.w = 64;
	img.h = 48;
	assert_int_equal(imgio_save(png, &img, err, sizeof(err)), -ENOTSUP);
	assert_int_not_equal(access(png, F_OK), 0);
	free(img.px);
	free(p);
	free(j);
}

static int cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_round_trip_exact),
		cmocka_unit_test(test_jpeg_round_trip_within_tolerance),
		cmocka_unit_test(test_png_variants_convert_as_documented),
		cmocka_unit_test(test_bad_files_are_refused),
	};
	int rc;

	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (cleanup() != 0)
		return 1;
	return rc;
}
