/*
 * pick.c - each kernel's variant chosen by timing its tile (see pick.h).  One kernel
 * instance per kernel serves all its variants: a variant is switched between runs, outside
 * the timed region.
 */
#include "pick.h"

#include "clock.h"
#include "json.h"

#include <errno.h>
#include <math.h>
#include <string.h>

size_t pick_fastest(const double *seconds, size_t n)
{
	size_t best = n;

	for (size_t i = 0; i < n; i++)
		if (seconds[i] > 0 && isfinite(seconds[i]) && (best == n || seconds[i] < seconds[best]))
			best = i;
	return best;
}

const struct pick_kernel *pick_find(const struct pick *p, const char *name)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (strcmp(p->k[i].k->name, name) == 0)
			return &p->k[i];
	return NULL;
}

/* One run of all the tile's items; 0 if verify() accepts it. */
static int run_checked(struct kernel_instance *ki)
{
	struct partial total = { 0 };

	if (ki->k->invalidate)
		ki->k->invalidate(ki->priv);
	ki->k->run(ki->priv, 0, ki->shape.n, &total);
	return ki->k->verify(ki->priv, &total);
}

/* Seconds for reps runs of the tile. */
static double time_runs(struct kernel_instance *ki, unsigned reps)
{
	double t = pb_mono_s();

	for (unsigned r = 0; r < reps; r++) {
		struct partial part = { 0 };

		ki->k->run(ki->priv, 0, ki->shape.n, &part);
	}
	return pb_mono_s() - t;
}

/* Times pk's variants on ki (one untimed, checked run each, then the rounds). */
static int time_variants(struct pick_kernel *pk, struct kernel_instance *ki, char *err,
			 size_t err_len)
{
	unsigned reps[PICK_MAX_VARIANTS];

	for (size_t v = 0; v < pk->n; v++) {
		double t;

		kernel_variant_use(pk->k->name, pk->variant[v]);
		t = pb_mono_s();
		if (run_checked(ki) != 0) {
			snprintf(err, err_len, "the %s variant of %s gave a wrong result on its "
				 "tile", pk->variant[v], pk->k->name);
			return -EDOM;
		}
		t = pb_mono_s() - t;
		reps[v] = t >= PICK_SAMPLE_S ? 1 : t <= PICK_SAMPLE_S / 10000 ? 10000
						    : (unsigned)ceil(PICK_SAMPLE_S / t);
		pk->seconds[v] = 0;
	}
	for (unsigned round = 0; round < PICK_ROUNDS; round++)
		for (size_t j = 0; j < pk->n; j++) {
			size_t v = (j + round) % pk->n;
			double t;

			kernel_variant_use(pk->k->name, pk->variant[v]);
			t = time_runs(ki, reps[v]) / reps[v];
			if (t > 0 && (pk->seconds[v] == 0 || t < pk->seconds[v]))
				pk->seconds[v] = t;
		}
	return 0;
}

/* Times kernel k's variants into pk and uses the fastest.  0 or -errno. */
static int pick_one(struct pick_kernel *pk, const struct kernel *k, char *err, size_t err_len)
{
	struct kernel_params tile = { .tile = 1 };
	struct kernel_instance ki;
	size_t best;
	int rc;

	memset(pk, 0, sizeof(*pk));
	pk->k = k;
	for (const char *const *v = kernel_variants(); *v && pk->n < PICK_MAX_VARIANTS; v++)
		if (kernel_variant_supported(*v))
			pk->variant[pk->n++] = *v;
	rc = kernel_instance_init(&ki, k, &tile);
	if (rc) {
		snprintf(err, err_len, "cannot set up the tile of %s to time its variants: %s",
			 k->name, strerror(-rc));
		return rc;
	}
	pk->elements = ki.shape.elements;
	pk->bytes = ki.shape.bytes;
	rc = time_variants(pk, &ki, err, err_len);
	kernel_instance_fini(&ki);
	best = pick_fastest(pk->seconds, pk->n);
	if (rc == 0 && best == pk->n) {
		snprintf(err, err_len, "no variant of %s could be timed", k->name);
		rc = -EIO;
	}
	kernel_variant_use(k->name, rc ? NULL : pk->variant[best]);
	pk->chosen = rc ? NULL : pk->variant[best];
	return rc;
}

int pick_run(struct pick *p, const struct kernel *const *ks, size_t n, char *err,
	     size_t err_len)
{
	double t0 = pb_mono_s();

	p->n = 0;
	for (size_t i = 0; i < n && p->n < PICK_MAX_KERNELS; i++) {
		int rc;

		if (!kernel_variant_of(ks[i]->name) || pick_find(p, ks[i]->name))
			continue; /* no hot loop, or picked already */
		rc = pick_one(&p->k[p->n], ks[i], err, err_len);
		if (rc)
			return rc;
		p->n++;
	}
	p->seconds = pb_mono_s() - t0;
	return 0;
}

void pick_write_json(FILE *f, const struct pick *p, const char *forced)
{
	fprintf(f, "  \"variant_choice\": {\"forced\": ");
	if (forced)
		json_str(f, forced);
	else
		fprintf(f, "null");
	fprintf(f, ", \"rounds\": %d, \"seconds\": %.4f, \"kernels\": [", PICK_ROUNDS,
		p ? p->seconds : 0.0);
	for (size_t i = 0; p && i < p->n; i++) {
		const struct pick_kernel *pk = &p->k[i];

		fprintf(f, "%s{\"kernel\": \"%s\", \"chosen\": \"%s\", \"tile_elements\": %llu, "
			   "\"tile_bytes\": %llu, \"seconds\": {", i ? ", " : "", pk->k->name,
			pk->chosen ? pk->chosen : "", (unsigned long long)pk->elements,
			(unsigned long long)pk->bytes);
		for (size_t v = 0; v < pk->n; v++)
			fprintf(f, "%s\"%s\": %.6g", v ? ", " : "", pk->variant[v], pk->seconds[v]);
		fprintf(f, "}}");
	}
	fprintf(f, "]},\n");
}
