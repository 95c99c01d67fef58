/*
 * roof.c - the copy bandwidth and the core clock, measured before a sweep (see roof.h).
 *
 * One thread per worker, pinned by the sweep's policy; each allocates and first-touches its
 * own source and destination, so the pages live where the worker that copies them runs (as
 * the filters' rows of a static share are placed: bench/sweep/place.c; unbound workers'
 * parts are interleaved over the nodes, as those rows are).  A pass is timed from the start
 * barrier to the last worker's finish: what the workers move together, even when there are
 * more of them than cores and they do not all copy at once.  Nothing here prints errors or
 * exits.
 */
#include "roof.h"
#include "clock.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"
#include "outfile.h"
#include "pin_numa.h"

#ifdef PB_INSTRUMENTED_BUILD
/* a sanitizer instruments every access: its numbers mean nothing, and full-size passes
 * would take seconds before every run */
#define ROOF_PASSES     1
#define ROOF_MIN_BYTES  (1u << 20)
#define ROOF_MAX_BYTES  (1u << 20)
#else
#define ROOF_PASSES     5
#define ROOF_MIN_BYTES  (48u << 20) /* the default picture's size: 4096 x 4096 RGB */
#define ROOF_MAX_BYTES  ((size_t)-1)
#endif
#define ROOF_CLOCK_MULS 2000000u    /* ~2 ms at 3 GHz */
#define ROOF_MUL_CYCLES 3.0         /* a 64-bit imul's latency */
#define ROOF_STREAM_WINS 1.05       /* streaming stores are used if that much faster */

/* Cycles per second of a chain of dependent 64-bit multiplies (imul: 3 cycles of latency
 * each on every x86-64 core since Nehalem and Zen 1; the empty asm keeps every one, in
 * order), best of 5.  Not a chain of adds by an immediate: Golden Cove and later fold those at rename,
 * several a cycle (such a chain read 7.45 and 13.6 GHz on an Emerald Rapids Xeon). */
static double clock_hz(void)
{
	double best = 0;

	for (int rep = 0; rep < 5; rep++) {
		uint64_t x = 1, m = 3;
		double t;

		__asm__ volatile("" : "+r"(m)); /* not known to be 3: a multiply, not lea */
		t = pb_mono_s();
		for (unsigned i = 0; i < ROOF_CLOCK_MULS / 8; i++) {
#define ROOF_MUL() do { x *= m; __asm__ volatile("" : "+r"(x)); } while (0)
			ROOF_MUL(); ROOF_MUL(); ROOF_MUL(); ROOF_MUL();
			ROOF_MUL(); ROOF_MUL(); ROOF_MUL(); ROOF_MUL();
#undef ROOF_MUL
		}
		t = pb_mono_s() - t;
		if (x % 2 == 1 && t > 0 && ROOF_MUL_CYCLES * ROOF_CLOCK_MULS / t > best)
			best = ROOF_MUL_CYCLES * ROOF_CLOCK_MULS / t;
	}
	return best;
}

struct copier {
	pthread_t th;
	const struct pin_topo *topo;
	const struct pin_mem_plan *mp; /* interleaved: the part's pages go round the nodes */
	int pu;
	size_t bytes;
	pthread_barrier_t *start, *done;
	atomic_int *gate;  /* 1: all threads exist, go; -1: some could not start, leave */
	int worker;        /* 0 times the passes */
	struct copier *all; /* every worker's copier, n of them (worker 0 reads their times) */
	unsigned n;
	double began, ended; /* this pass: when this worker started and finished its copy */
	double best_s;     /* worker 0: the fastest pass, start barrier to the last finish */
	double best_stream_s; /* worker 0: the same with streaming stores */
	int failed;
};

/* A pass of every worker: from the first start to the last finish (after the done barrier). */
static double pass_s(const struct copier *c)
{
	double first = c->all[0].began, last = c->all[0].ended;

	for (unsigned i = 1; i < c->n; i++) {
		first = c->all[i].began < first ? c->all[i].began : first;
		last = c->all[i].ended > last ? c->all[i].ended : last;
	}
	return last - first;
}

static void *copier_main(void *arg)
{
	struct copier *c = arg;
	uint8_t *src = NULL, *dst = NULL;

	while (atomic_load(c->gate) == 0)
		sched_yield();
	if (atomic_load(c->gate) < 0)
		return NULL;
	pin_bind_self(c->topo, c->pu);
	if (posix_memalign((void **)&src, (size_t)sysconf(_SC_PAGESIZE), c->bytes) == 0 &&
	    posix_memalign((void **)&dst, (size_t)sysconf(_SC_PAGESIZE), c->bytes) == 0) {
		if (c->mp->interleave && c->mp->nodes > 1) { /* a failure leaves first touch */
			(void)pin_mem_place(c->topo, c->mp, src, c->bytes, NULL);
			(void)pin_mem_place(c->topo, c->mp, dst, c->bytes, NULL);
		}
		memset(src, 0x5a, c->bytes); /* first touch, by the worker that copies */
		memset(dst, 0, c->bytes);
	} else {
		c->failed = 1;
	}
	c->best_s = c->best_stream_s = 0;
	/* ordinary and streaming stores in turn, the first of each untimed */
	for (int pass = 0; pass < 2 * (ROOF_PASSES + 1); pass++) {
		double *best = pass & 1 ? &c->best_stream_s : &c->best_s;

		pthread_barrier_wait(c->start);
		c->began = pb_mono_s();
		if (!c->failed)
			(pass & 1 ? kernel_copy_stream : kernel_copy)(dst, src, c->bytes);
		c->ended = pb_mono_s();
		pthread_barrier_wait(c->done); /* every worker's times are written */
		if (c->worker == 0 && pass > 1) {
			double t = pass_s(c);

			if (*best == 0 || t < *best)
				*best = t;
		}
	}
	if (!c->failed && (dst[c->bytes / 2] != 0x5a || dst[c->bytes - 1] != 0x5a))
		c->failed = 1; /* the copy was not done */
	free(src);
	free(dst);
	return NULL;
}

/* What the copy of plan's workers moves in all: max(ROOF_MIN_BYTES, 2 x every cache their
 * PUs see, all levels), so that each worker's part is well past its share of the caches. */
static size_t roof_bytes(const struct pin_topo *topo, const struct pin_plan *plan)
{
	size_t total = ROOF_MIN_BYTES, caches = pin_plan_cache_bytes(topo, plan);

	if (caches * 2 > total)
		total = caches * 2;
	return total > ROOF_MAX_BYTES ? ROOF_MAX_BYTES : total;
}

/* Bytes read + written per second by w pinned workers copying roof_bytes() between them,
 * with ordinary stores (bps) and streaming ones (stream_bps) (*moved: what each pass
 * copied in all). */
static int copy_bps(const struct pin_topo *topo, const char *pin, unsigned w, double *bps,
		    double *stream_bps, size_t *moved)
{
	struct pin_plan plan;
	struct pin_mem_plan *mp = malloc(sizeof(*mp));
	struct copier *c = calloc(w, sizeof(*c));
	pthread_barrier_t start, done;
	atomic_int gate = 0;
	unsigned started = 0;
	size_t part;
	int err = 0;

	if (!c || !mp || pin_plan_make(topo, pin, w, &plan) != 0) {
		err = !c || !mp ? -ENOMEM : -EINVAL;
		free(c);
		free(mp);
		return err;
	}
	pin_mem_plan_make(topo, &plan, 1, mp); /* as a static share's rows (place.h) */
	part = (roof_bytes(topo, &plan) / w) & ~(size_t)63;
	*moved = part * w;
	pthread_barrier_init(&start, NULL, w);
	pthread_barrier_init(&done, NULL, w);
	for (unsigned i = 0; i < w; i++) {
		c[i] = (struct copier){ .topo = topo, .mp = mp, .pu = plan.pu[i], .start = &start,
					.done = &done, .gate = &gate, .worker = (int)i, .bytes = part,
					.all = c, .n = w };
	}
	/* worker 0 runs on this thread; the others on their own */
	for (unsigned i = 1; i < w; i++) {
		if (pthread_create(&c[i].th, NULL, copier_main, &c[i]) != 0) {
			err = -EAGAIN;
			break;
		}
		started++;
	}
	atomic_store(&gate, err ? -1 : 1);
	if (err) {
		for (unsigned i = 1; i <= started; i++)
			pthread_join(c[i].th, NULL);
	} else {
		void *saved = pin_save(topo);

		copier_main(&c[0]);
		pin_restore(topo, saved);
		for (unsigned i = 1; i < w; i++)
			pthread_join(c[i].th, NULL);
		for (unsigned i = 0; i < w; i++)
			err = c[i].failed ? -ENOMEM : err;
		if (!err && c[0].best_s > 0 && c[0].best_stream_s > 0) {
			*bps = 2.0 * (double)c[0].bytes * w / c[0].best_s;
			*stream_bps = 2.0 * (double)c[0].bytes * w / c[0].best_stream_s;
		}
	}
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&done);
	free(c);
	free(mp);
	return err;
}

int roof_measure(struct roof *r, const struct pin_topo *topo, const char *pin,
		 const unsigned *workers, size_t n_workers)
{
	size_t l3 = pin_topo_l3_bytes(topo);
	double t0 = pb_mono_s();
	void *saved = pin_save(topo);
	struct pin_plan one;

	memset(r, 0, sizeof(*r));
	r->variant = kernel_variant();
	r->workers[r->n++] = 1;
	for (size_t i = 0; i < n_workers && r->n < ROOF_MAX; i++) {
		int seen = 0;

		for (size_t j = 0; j < r->n; j++)
			seen |= r->workers[j] == workers[i];
		if (!seen)
			r->workers[r->n++] = workers[i];
	}
	/* ascending, for roof_copy_bps */
	for (size_t i = 1; i < r->n; i++)
		for (size_t j = i; j > 0 && r->workers[j - 1] > r->workers[j]; j--) {
			unsigned t = r->workers[j];

			r->workers[j] = r->workers[j - 1];
			r->workers[j - 1] = t;
		}
	if (pin_plan_make(topo, pin, 1, &one) == 0)
		pin_bind_self(topo, one.pu[0]);
	r->clock_hz = clock_hz();
	pin_restore(topo, saved);
	for (size_t i = 0; i < r->n; i++) {
		int err = copy_bps(topo, pin, r->workers[i], &r->copy_bps[i], &r->stream_bps[i],
				   &r->bytes[i]);

		if (err)
			return err;
	}
	/* streaming stores for the filters' outputs that do not fit in the LLC, if they copy
	 * faster (by more than the noise) with one worker */
	if (r->stream_bps[0] > ROOF_STREAM_WINS * r->copy_bps[0])
		r->stream_above = l3 ? l3 : ROOF_MIN_BYTES;
	r->seconds = pb_mono_s() - t0;
	return 0;
}

double roof_copy_bps(const struct roof *r, unsigned w)
{
	double bps = 0;

	for (size_t i = 0; i < r->n && r->workers[i] <= w; i++)
		bps = r->copy_bps[i];
	return bps;
}

double roof_stream_bps(const struct roof *r, unsigned w)
{
	double bps = 0;

	for (size_t i = 0; i < r->n && r->workers[i] <= w; i++)
		bps = r->stream_bps[i];
	return bps;
}

void roof_print(FILE *out, const struct roof *r)
{
	fprintf(out, "core clock: %.2f GHz (dependent multiplies)\n", r->clock_hz * 1e-9);
	fprintf(out, "copy bandwidth (read + written, %s copy, ordinary stores):", r->variant);
	for (size_t i = 0; i < r->n; i++)
		fprintf(out, "%s %u worker%s %.1f GB/s", i ? "," : "", r->workers[i],
			r->workers[i] == 1 ? "" : "s", r->copy_bps[i] * 1e-9);
	fprintf(out, "\n");
	fprintf(out, "copy with streaming stores:");
	for (size_t i = 0; i < r->n; i++)
		fprintf(out, "%s %u worker%s %.1f GB/s", i ? "," : "", r->workers[i],
			r->workers[i] == 1 ? "" : "s", r->stream_bps[i] * 1e-9);
	if (r->stream_above)
		fprintf(out, "; used (and the roof) for the filters' pictures over %.0f MiB read + "
			     "written (the LLC)\n", (double)r->stream_above / (1 << 20));
	else
		fprintf(out, "; not used: no faster than ordinary stores\n");
}

void roof_write_json(FILE *f, const struct roof *r)
{
	fprintf(f, "  \"roof\": {\"clock_hz\": %.6g, \"variant\": \"%s\", \"seconds\": %.3f, "
		   "\"copy_bytes_per_s\": [", r->clock_hz, r->variant ? r->variant : "", r->seconds);
	for (size_t i = 0; i < r->n; i++)
		fprintf(f, "%s{\"workers\": %u, \"bps\": %.6g, \"bytes\": %zu}", i ? ", " : "",
			r->workers[i], r->copy_bps[i], r->bytes[i]);
	fprintf(f, "], \"stream_bytes_per_s\": [");
	for (size_t i = 0; i < r->n; i++)
		fprintf(f, "%s{\"workers\": %u, \"bps\": %.6g}", i ? ", " : "", r->workers[i],
			r->stream_bps[i]);
	fprintf(f, "], \"stream_above\": %llu},\n", (unsigned long long)r->stream_above);
}

int roof_write_csv(const char *dir, const struct roof *r)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "roof.csv");

	if (err)
		return err;
	fprintf(o.f, "workers,copy_gb_per_s,clock_ghz\n");
	for (size_t i = 0; i < r->n; i++)
		fprintf(o.f, "%u,%.6g,%.6g\n", r->workers[i], r->copy_bps[i] * 1e-9,
			r->clock_hz * 1e-9);
	return outfile_commit(&o);
}
