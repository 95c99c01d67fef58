/*
 * roof_filters.c - one filter's rates in each variant, for re-measuring the filters
 * against their roofs on a quiet machine (`parbench roofline --filters`, see roof.h):
 * serial, on the calling thread, which the caller has pinned.
 *
 * In-cache: the tile (kernel_params.tile), best of ROOF_FILTER_ROUNDS passes of ~1 ms.
 * From memory: a side x side synthetic picture, one whole run per timing, with ordinary
 * and with streaming stores; beside each, a memcpy() of the same bytes between buffers
 * of the same kind (the picture's input into its output's), in turn with the filter's
 * runs so that all four see the same minutes; the best of the rounds each.  Every
 * variant's results are verified once.  Nothing here prints or exits.
 */
#include "roof.h"
#include "clock.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "image.h"
#include "kernel.h"

#define ROOF_FILTER_ROUNDS 7
#define ROOF_FILTER_PASS_S 1e-3

static int run_verified(struct kernel_instance *ki)
{
	struct partial total = { 0 };

	if (ki->k->invalidate)
		ki->k->invalidate(ki->priv);
	ki->k->run(ki->priv, 0, ki->shape.n, &total);
	return ki->k->verify(ki->priv, &total) == 0 ? 0 : -EDOM;
}

/* Seconds of one whole run of ki. */
static double run_once(struct kernel_instance *ki)
{
	struct partial p = { 0 };
	double t = pb_mono_s();

	ki->k->run(ki->priv, 0, ki->shape.n, &p);
	return pb_mono_s() - t;
}

static double best(double a, double b)
{
	return a > 0 && (b == 0 || a < b) ? a : b;
}

/* The tile's bytes moved per second, best of the rounds. */
static double tile_bps(struct kernel_instance *tile)
{
	double one = run_once(tile), s = 0;
	unsigned reps = one >= ROOF_FILTER_PASS_S ? 1 : (unsigned)ceil(ROOF_FILTER_PASS_S / one);

	for (int r = 0; r < ROOF_FILTER_ROUNDS; r++) {
		double t = pb_mono_s();

		for (unsigned i = 0; i < reps; i++)
			run_once(tile);
		s = best((pb_mono_s() - t) / reps, s);
	}
	return s > 0 ? (double)tile->shape.bytes / s : 0;
}

/* One variant's rates into *row: tile, big (ordinary stores), streamed (streaming). */
static int probe_variant(struct kernel_instance *tile, struct kernel_instance *big,
			 struct kernel_instance *streamed, uint8_t *src, uint8_t *dst, size_t bytes,
			 struct roof_filter_row *row)
{
	double mem = 0, str = 0, cpy = 0;

	if (run_verified(tile) || run_verified(big) || run_verified(streamed))
		return -EDOM;
	row->tile_bps = tile_bps(tile);
	for (int r = 0; r < ROOF_FILTER_ROUNDS; r++) {
		double t = pb_mono_s();

		memcpy(dst, src, bytes);
		cpy = best(pb_mono_s() - t, cpy);
		mem = best(run_once(big), mem);
		t = pb_mono_s();
		memcpy(dst, src, bytes);
		cpy = best(pb_mono_s() - t, cpy);
		str = best(run_once(streamed), str);
	}
	row->memory_bps = (double)big->shape.bytes / mem;
	row->stream_bps = (double)big->shape.bytes / str;
	row->memcpy_bps = 2.0 * (double)bytes / cpy;
	return 0;
}

int roof_filters(const struct kernel *k, uint64_t side, struct roof_filter_row *rows,
		 size_t max, size_t *n)
{
	struct kernel_params tp = { .tile = 1 }, bp = { .size = side };
	struct kernel_params sp = { .size = side, .stream_above = 1 };
	struct kernel_instance tile, big, streamed;
	size_t bytes = pb_image_bytes((uint32_t)side, (uint32_t)side);
	uint8_t *src = NULL, *dst = NULL;
	int rc = -ENOMEM;

	const char *chosen = kernel_variant_of(k->name);

	*n = 0;
	if (!k->span || !chosen)
		return -EINVAL;
	if ((rc = kernel_instance_init(&tile, k, &tp)) != 0)
		return rc;
	if ((rc = kernel_instance_init(&big, k, &bp)) != 0)
		goto out_tile;
	if ((rc = kernel_instance_init(&streamed, k, &sp)) != 0)
		goto out_big;
	src = pb_buffer_alloc(bytes, 0); /* as the picture's input and output are made */
	dst = pb_buffer_alloc(bytes, 1);
	rc = src && dst ? 0 : -ENOMEM;
	if (rc == 0) {
		memset(src, 0x5a, bytes); /* first touch */
		memset(dst, 0, bytes);
	}
	for (const char *const *v = kernel_variants(); rc == 0 && *v && *n < max; v++) {
		if (!kernel_variant_supported(*v))
			continue;
		kernel_variant_use(k->name, *v);
		rows[*n] = (struct roof_filter_row){ .k = k, .variant = *v };
		rc = probe_variant(&tile, &big, &streamed, src, dst, bytes, &rows[*n]);
		*n += rc == 0;
	}
	kernel_variant_use(k->name, chosen);
	pb_buffer_free(src, bytes);
	pb_buffer_free(dst, bytes);
	kernel_instance_fini(&streamed);
out_big:
	kernel_instance_fini(&big);
out_tile:
	kernel_instance_fini(&tile);
	return rc;
}
