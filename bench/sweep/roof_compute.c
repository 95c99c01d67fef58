/*
 * roof_compute.c - the filters' compute ceiling (see roof.h): each filter's rate on its
 * in-cache tile with as many workers as each count of the roof, measured in the same run
 * as the copy bandwidth.
 *
 * One thread per worker, pinned by the sweep's policy; each sets up its own tile (so its
 * pages are its own) and runs it once, checked, untimed; then passes of `reps` runs each
 * (reps from worker 0's first run, so that a pass lasts ROOF_COMPUTE_PASS_S), timed barrier
 * to barrier by worker 0 (the slowest worker's time); the best pass counts.  Nothing here
 * prints errors or exits.
 */
#include "roof.h"
#include "clock.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "outfile.h"

#ifdef PB_INSTRUMENTED_BUILD
#define ROOF_COMPUTE_PASSES 1
#else
#define ROOF_COMPUTE_PASSES 5
#endif
#define ROOF_COMPUTE_PASS_S 1e-3
#define ROOF_COMPUTE_REPS   10000 /* at most, per pass */

struct team {
	const struct kernel *k;
	const struct pin_topo *topo;
	const int *pu;
	atomic_int gate;    /* 1: every thread exists, go; -1: some could not start, leave */
	pthread_barrier_t start, done;
	unsigned reps;      /* set by worker 0 after the first run */
	double best_s;      /* worker 0: the fastest pass */
	uint64_t bytes;     /* one tile's bytes moved (kernel_shape.bytes) */
	atomic_int failed;  /* some worker's tile could not be set up, or was wrong */
};

struct member {
	pthread_t th;
	struct team *t;
	unsigned id;
};

static void *member_main(void *arg)
{
	struct member *m = arg;
	struct team *t = m->t;
	struct kernel_params tile = { .tile = 1 };
	struct kernel_instance ki;
	struct partial total = { 0 };
	int ok;

	while (atomic_load(&t->gate) == 0)
		sched_yield();
	if (atomic_load(&t->gate) < 0)
		return NULL;
	pin_bind_self(t->topo, t->pu[m->id]);
	ok = kernel_instance_init(&ki, t->k, &tile) == 0;
	if (ok) {
		double s = pb_mono_s();

		if (t->k->invalidate)
			t->k->invalidate(ki.priv);
		t->k->run(ki.priv, 0, ki.shape.n, &total);
		s = pb_mono_s() - s;
		ok = t->k->verify(ki.priv, &total) == 0;
		if (m->id == 0) {
			t->bytes = ki.shape.bytes;
			t->reps = s >= ROOF_COMPUTE_PASS_S ? 1 :
				  s * ROOF_COMPUTE_REPS <= ROOF_COMPUTE_PASS_S ? ROOF_COMPUTE_REPS :
				  (unsigned)ceil(ROOF_COMPUTE_PASS_S / s);
		}
	}
	if (!ok)
		atomic_store(&t->failed, 1);
	for (int pass = 0; pass < ROOF_COMPUTE_PASSES; pass++) {
		double s;

		pthread_barrier_wait(&t->start);
		s = pb_mono_s();
		for (unsigned r = 0; ok && r < t->reps; r++) {
			struct partial p = { 0 };

			t->k->run(ki.priv, 0, ki.shape.n, &p);
		}
		pthread_barrier_wait(&t->done);
		s = pb_mono_s() - s;
		if (m->id == 0 && (t->best_s == 0 || s < t->best_s))
			t->best_s = s;
	}
	if (ok)
		kernel_instance_fini(&ki);
	return NULL;
}

/* Bytes moved per second by w pinned workers each running k's tile. */
static int team_bps(const struct pin_topo *topo, const char *pin, const struct kernel *k,
		    unsigned w, double *bps)
{
	struct pin_plan plan;
	struct team t = { .k = k, .topo = topo };
	struct member *m = calloc(w, sizeof(*m));
	unsigned started = 1;
	int err = 0;

	if (!m)
		return -ENOMEM;
	if (pin_plan_make(topo, pin, w, &plan) != 0) {
		free(m);
		return -EINVAL;
	}
	t.pu = plan.pu;
	pthread_barrier_init(&t.start, NULL, w);
	pthread_barrier_init(&t.done, NULL, w);
	for (unsigned i = 0; i < w; i++)
		m[i] = (struct member){ .t = &t, .id = i };
	/* all threads or none: a barrier for w must see w */
	for (; started < w && pthread_create(&m[started].th, NULL, member_main, &m[started]) == 0;
	     started++)
		;
	atomic_store(&t.gate, started == w ? 1 : -1);
	if (started == w) {
		void *saved = pin_save(topo);

		member_main(&m[0]); /* worker 0 on this thread */
		pin_restore(topo, saved);
	} else {
		err = -EAGAIN;
	}
	for (unsigned i = 1; i < started; i++)
		pthread_join(m[i].th, NULL);
	if (!err && atomic_load(&t.failed))
		err = -EDOM;
	if (!err && t.best_s > 0)
		*bps = (double)t.bytes * t.reps * w / t.best_s;
	pthread_barrier_destroy(&t.start);
	pthread_barrier_destroy(&t.done);
	free(m);
	return err;
}

int roof_measure_compute(struct roof *r, const struct pin_topo *topo, const char *pin,
			 const struct kernel *const *ks, size_t n)
{
	double t0 = pb_mono_s();

	r->n_compute = 0;
	for (size_t i = 0; i < n && r->n_compute < ROOF_MAX_KERNELS; i++) {
		struct roof_compute *c = &r->compute[r->n_compute];
		int seen = 0;

		for (size_t j = 0; j < r->n_compute; j++)
			seen |= r->compute[j].k == ks[i];
		if (!ks[i]->span || !kernel_variant_of(ks[i]->name) || seen)
			continue; /* only the filters have a tile that moves bytes */
		memset(c, 0, sizeof(*c));
		c->k = ks[i];
		c->variant = kernel_variant_of(ks[i]->name);
		for (size_t j = 0; j < r->n; j++) {
			int err = team_bps(topo, pin, ks[i], r->workers[j], &c->bps[j]);

			if (err)
				return err;
		}
		r->n_compute++;
	}
	r->seconds += pb_mono_s() - t0;
	return 0;
}

double roof_compute_bps(const struct roof *r, const struct kernel *k, unsigned w)
{
	for (size_t c = 0; r && c < r->n_compute; c++) {
		double bps = 0;

		if (r->compute[c].k != k)
			continue;
		for (size_t i = 0; i < r->n && r->workers[i] <= w; i++)
			bps = r->compute[c].bps[i];
		return bps;
	}
	return 0;
}

void roof_print_compute(FILE *out, const struct roof *r)
{
	for (size_t c = 0; c < r->n_compute; c++) {
		fprintf(out, "compute ceiling of %s (%s, in-cache tile per worker, read + written):",
			r->compute[c].k->name, r->compute[c].variant);
		for (size_t i = 0; i < r->n; i++)
			fprintf(out, "%s %u worker%s %.1f GB/s", i ? "," : "", r->workers[i],
				r->workers[i] == 1 ? "" : "s", r->compute[c].bps[i] * 1e-9);
		fprintf(out, "\n");
	}
}

void roof_write_compute_json(FILE *f, const struct roof *r)
{
	fprintf(f, "  \"compute_ceiling\": [");
	for (size_t c = 0; c < r->n_compute; c++) {
		fprintf(f, "%s{\"kernel\": \"%s\", \"variant\": \"%s\", \"bytes_per_s\": [",
			c ? ", " : "", r->compute[c].k->name, r->compute[c].variant);
		for (size_t i = 0; i < r->n; i++)
			fprintf(f, "%s{\"workers\": %u, \"bps\": %.6g}", i ? ", " : "",
				r->workers[i], r->compute[c].bps[i]);
		fprintf(f, "]}");
	}
	fprintf(f, "],\n");
}

int roof_write_compute_csv(const char *dir, const struct roof *r)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "compute.csv");

	if (err)
		return err;
	fprintf(o.f, "kernel,workers,compute_gb_per_s,variant\n");
	for (size_t c = 0; c < r->n_compute; c++)
		for (size_t i = 0; i < r->n; i++)
			fprintf(o.f, "%s,%u,%.6g,%s\n", r->compute[c].k->name, r->workers[i],
				r->compute[c].bps[i] * 1e-9, r->compute[c].variant);
	return outfile_commit(&o);
}
