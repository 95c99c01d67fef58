/*
 * test_filters.c - the image filters bit for bit against an independent implementation
 * written here from the definitions (not the kernel's code), on every backend (the picture
 * files: test_imgio.c).
 *
 * The independent reference: integers, a clamp of the coordinates for every neighbour, a
 * division written as a loop of subtractions for the point filters (so that neither the
 * fast float trick nor the kernel's own reference is trusted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "image.h"
#include "imgio.h"
#include "kernel.h"
#include "each_variant.h"
#include "kwork.h"
#include "random_picture.h"

static struct pin_topo *topo;

/* ---- the independent reference ------------------------------------------------------- */

static unsigned slow_div(unsigned num, unsigned den)
{
	unsigned q = 0;

	while (num >= den) {
		num -= den;
		q++;
	}
	return q;
}

static int px_at(const uint8_t *img, int w, int h, int x, int y, int c)
{
	if (x < 0)
		x = 0;
	if (x > w - 1)
		x = w - 1;
	if (y < 0)
		y = 0;
	if (y > h - 1)
		y = h - 1;
	return img[(y * w + x) * 3 + c];
}

static void independent(const char *name, const uint8_t *in, int w, int h, uint8_t *out)
{
	static const unsigned sepia[3][3] = { { 393, 769, 189 }, { 349, 686, 168 },
					      { 272, 534, 131 } };

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t *o = out + (y * w + x) * 3;
			unsigned r = (unsigned)px_at(in, w, h, x, y, 0);
			unsigned g = (unsigned)px_at(in, w, h, x, y, 1);
			unsigned b = (unsigned)px_at(in, w, h, x, y, 2);

			for (int c = 0; c < 3; c++) {
				int v = 0;

				if (strcmp(name, "grayscale") == 0) {
					v = (int)slow_div(299 * r + 587 * g + 114 * b + 500, 1000);
				} else if (strcmp(name, "sepia") == 0) {
					v = (int)slow_div(sepia[c][0] * r + sepia[c][1] * g +
							  sepia[c][2] * b + 500, 1000);
					if (v > 255)
						v = 255;
				} else if (strcmp(name, "box_blur") == 0) {
					int s = 0;

					for (int dy = -1; dy <= 1; dy++)
						for (int dx = -1; dx <= 1; dx++)
							s += px_at(in, w, h, x + dx, y + dy, c);
					v = (int)slow_div((unsigned)s + 4, 9);
				} else {
					v = 5 * px_at(in, w, h, x, y, c) - px_at(in, w, h, x, y - 1, c) -
					    px_at(in, w, h, x, y + 1, c) - px_at(in, w, h, x - 1, y, c) -
					    px_at(in, w, h, x + 1, y, c);
					v = v < 0 ? 0 : v > 255 ? 255 : v;
				}
				o[c] = (uint8_t)v;
			}
		}
}

/* ---- every filter x every backend x odd sizes ----------------------------------------- */

static const unsigned sizes[][2] = { { 1, 1 }, { 1, 9 }, { 9, 1 }, { 3, 3 }, { 17, 5 },
				     { 5, 17 }, { 2, 2 }, { 64, 3 }, { 33, 40 } };

static void test_all_backends_odd_sizes(void **state)
{
	static const unsigned worker_counts[] = { 1, 2, 3, 7 };
	const size_t n_sizes = sizeof(sizes) / sizeof(sizes[0]);

	(void)state;
	for (const struct kernel *const *kp = kernel_all(); *kp; kp++) {
		const struct kernel *k = *kp;
		struct kernel_instance kis[sizeof(sizes) / sizeof(sizes[0])];
		uint8_t *want[sizeof(sizes) / sizeof(sizes[0])];

		if (!k->span)
			continue;
		/* kernels first: process backends fork at start */
		for (size_t s = 0; s < n_sizes; s++) {
			struct pb_image img = { sizes[s][0], sizes[s][1], NULL };
			size_t bytes = pb_image_bytes(img.w, img.h);
			struct kernel_params p = { .image = &img };

			img.px = malloc(bytes);
			want[s] = malloc(bytes);
			assert_non_null(img.px);
			random_picture(img.px, bytes);
			independent(k->name, img.px, (int)img.w, (int)img.h, want[s]);
			assert_int_equal(kernel_instance_init(&kis[s], k, &p), 0);
			free(img.px);
		}
		for (const struct backend *const *b = backend_all(); *b; b++) {
			/* the CPython backends start for one job each: test_cpython.c */
			if ((*b)->caps & (BACKEND_CAP_NEEDS_LAUNCHER | BACKEND_CAP_PYTHON))
				continue;
			for (size_t wi = 0; wi < 4; wi++) {
				unsigned workers = worker_counts[wi];
				struct pin_plan plan;
				struct backend_config cfg = { .workers = workers, .topo = topo,
							      .plan = &plan };
				struct backend_instance bi;

				assert_int_equal(pin_plan_make(topo, "compact", workers, &plan), 0);
				if (backend_instance_start(&bi, *b, &cfg) != 0)
					fail_msg("%s: start failed: %s", (*b)->name, bi.err);
				for (size_t s = 0; s < n_sizes; s++) {
					struct partial total;
					struct work w;
					size_t bytes = pb_image_bytes(sizes[s][0], sizes[s][1]);

					memset(kis[s].shape.out, 0x5a, bytes); /* stale output must not pass */
					kwork_init(&w, &kis[s], &total);
					if (backend_instance_run(&bi, &w) != 0)
						fail_msg("%s: run failed: %s", (*b)->name, bi.err);
					if (memcmp(kis[s].shape.out, want[s], bytes) != 0)
						fail_msg("%s x %s, %u workers, %ux%u: output differs from "
							 "the independent reference", k->name, (*b)->name,
							 workers, sizes[s][0], sizes[s][1]);
					assert_int_equal(k->verify(kis[s].priv, &total), 0);
				}
				backend_instance_stop(&bi);
			}
		}
		for (size_t s = 0; s < n_sizes; s++) {
			kernel_instance_fini(&kis[s]);
			free(want[s]);
		}
	}
}

/* A wrong output must fail verify() even when the partial is right. */
static void test_verify_catches_a_wrong_pixel(void **state)
{
	(void)state;
	for (const struct kernel *const *kp = kernel_all(); *kp; kp++) {
		struct kernel_params p = { .size = 31 };
		struct kernel_instance ki;
		struct partial total = { 0 };

		if (!(*kp)->span)
			continue;
		assert_int_equal(kernel_instance_init(&ki, *kp, &p), 0);
		(*kp)->run(ki.priv, 0, ki.shape.n, &total);
		assert_int_equal((*kp)->verify(ki.priv, &total), 0);
		ki.shape.out[31 * 3 * 17 + 5] ^= 1;
		assert_int_not_equal((*kp)->verify(ki.priv, &total), 0);
		ki.shape.out[31 * 3 * 17 + 5] ^= 1;
		total.check ^= 1;
		assert_int_not_equal((*kp)->verify(ki.priv, &total), 0);
		kernel_instance_fini(&ki);
	}
}

/* One kernel run serially on img (rows [0, 1) then the rest), against the independent
 * reference; stream: with streaming stores. */
static void check_serial(const char *name, const struct pb_image *img, int stream)
{
	size_t bytes = pb_image_bytes(img->w, img->h);
	uint8_t *want = malloc(bytes);
	struct kernel_params p = { .image = img, .stream_above = stream ? 1 : 0 };
	struct kernel_instance ki;
	struct partial total = { 0 };

	assert_non_null(want);
	independent(name, img->px, (int)img->w, (int)img->h, want);
	assert_int_equal(kernel_instance_init(&ki, kernel_find(name), &p), 0);
	assert_int_equal(ki.shape.streamed, stream);
	ki.k->run(ki.priv, 0, 1, &total);
	ki.k->run(ki.priv, 1, ki.shape.n, &total);
	if (memcmp(ki.shape.out, want, bytes) != 0)
		fail_msg("%s (%s), %ux%u: output differs from the independent reference", name,
			 ki.shape.variant, img->w, img->h);
	assert_int_equal(ki.k->verify(ki.priv, &total), 0);
	kernel_instance_fini(&ki);
	free(want);
}

/* Rows around every vector width's steps and blocks (the tails, the last vector moved
 * back, blur's blocks of column sums), each filter, with ordinary and streaming stores. */
static void test_wide_rows(void **state)
{
	static const unsigned widths[] = { 2, 5, 6, 7, 11, 12, 21, 22, 23, 24, 40, 45, 86, 171,
					   172, 173, 175, 350, 515, 700, 1031 };
	static const char *names[] = { "grayscale", "sepia", "box_blur", "sharpen" };

	(void)state;
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		struct pb_image img = { widths[i], 4, malloc(pb_image_bytes(widths[i], 4)) };

		assert_non_null(img.px);
		random_picture(img.px, pb_image_bytes(img.w, img.h));
		for (int f = 0; f < 4; f++) {
			check_serial(names[f], &img, 0);
			check_serial(names[f], &img, 1);
		}
		free(img.px);
	}
}

/* Every sum box_blur can meet, 0 .. 2295, in its vector rows: a 3-row picture whose red
 * column sums run 0, 0, 0, 1, 1, 1, .. 765 (three columns of each), so that the middle
 * row's windows of three columns take every value; green and blue are noise. */
static void test_blur_every_sum(void **state)
{
	const uint32_t w = 3 * 766;
	struct pb_image img = { w, 3, malloc(pb_image_bytes(w, 3)) };

	(void)state;
	assert_non_null(img.px);
	random_picture(img.px, pb_image_bytes(w, 3));
	for (uint32_t x = 0; x < w; x++) {
		unsigned c = x / 3; /* this column's sum of red */

		for (uint32_t y = 0; y < 3; y++) {
			unsigned v = c > 255 ? 255 : c;

			img.px[3 * ((size_t)y * w + x)] = (uint8_t)v;
			c -= v;
		}
	}
	check_serial("box_blur", &img, 0);
	free(img.px);
}

/* The point filters on all 2^24 colours: the float division trick is exact everywhere. */
static void test_point_filters_every_colour(void **state)
{
	const uint32_t side = 4096;
	size_t bytes = pb_image_bytes(side, side);
	struct pb_image img = { side, side, malloc(bytes) };
	static const char *names[] = { "grayscale", "sepia" };

	(void)state;
	assert_non_null(img.px);
	for (uint32_t c = 0; c < side * side; c++) {
		img.px[3 * (size_t)c] = (uint8_t)(c >> 16);
		img.px[3 * (size_t)c + 1] = (uint8_t)(c >> 8);
		img.px[3 * (size_t)c + 2] = (uint8_t)c;
	}
	for (int f = 0; f < 2; f++) {
		struct kernel_params p = { .image = &img };
		struct kernel_instance ki;
		struct partial total = { 0 };

		assert_int_equal(kernel_instance_init(&ki, kernel_find(names[f]), &p), 0);
		ki.k->run(ki.priv, 0, ki.shape.n, &total);
		for (uint32_t c = 0; c < side * side; c++) {
			unsigned r = c >> 16, g = (c >> 8) & 255, b = c & 255;
			const uint8_t *o = ki.shape.out + 3 * (size_t)c;
			unsigned e0, e1, e2;

			if (f == 0) {
				e0 = e1 = e2 = (299 * r + 587 * g + 114 * b + 500) / 1000;
			} else {
				e0 = (393 * r + 769 * g + 189 * b + 500) / 1000;
				e1 = (349 * r + 686 * g + 168 * b + 500) / 1000;
				e2 = (272 * r + 534 * g + 131 * b + 500) / 1000;
				e0 = e0 > 255 ? 255 : e0;
				e1 = e1 > 255 ? 255 : e1;
				e2 = e2 > 255 ? 255 : e2;
			}
			if (o[0] != e0 || o[1] != e1 || o[2] != e2)
				fail_msg("%s of (%u,%u,%u): got (%u,%u,%u), want (%u,%u,%u)", names[f], r,
					 g, b, o[0], o[1], o[2], e0, e1, e2);
		}
		assert_int_equal(ki.k->verify(ki.priv, &total), 0);
		kernel_instance_fini(&ki);
	}
	free(img.px);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_catches_a_wrong_pixel),
		cmocka_unit_test(test_all_backends_odd_sizes),
		cmocka_unit_test(test_point_filters_every_colour),
		cmocka_unit_test(test_wide_rows),
		cmocka_unit_test(test_blur_every_sum),
	};
	int rc;

	/* the picture kernels again in every other instruction-set variant this CPU runs */
	const struct CMUnitTest per_variant[] = {
		cmocka_unit_test(test_verify_catches_a_wrong_pixel),
		cmocka_unit_test(test_all_backends_odd_sizes),
		cmocka_unit_test(test_point_filters_every_colour),
		cmocka_unit_test(test_wide_rows),
		cmocka_unit_test(test_blur_every_sum),
	};

	if (pin_topo_load(&topo, NULL) != 0)
		return 1;
	rc = cmocka_run_group_tests_name(kernel_variant(), tests, NULL, NULL);
	rc |= run_in_other_variants(per_variant, sizeof(per_variant) / sizeof(per_variant[0]));
	pin_topo_free(topo);
	return rc;
}
