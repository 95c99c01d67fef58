/*
 * filter.c - the filter command's runs (see filter.h): a warm-up and the timed runs on a
 * backend, every run's output made wrong first and verified after, and the statistics;
 * loading and saving the files is filter_files.c.
 */
#include "filter.h"
#include "imgio.h"
#include "kwork.h"
#include "clock.h"
#include "median.h"
#include "watchdog.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- the batch as a job: item i is file i -------------------------------------------- */

static void batch_file(struct filter_job *j, size_t i, const uint8_t *in, uint8_t *out,
		       struct partial *acc)
{
	struct filter_rec *r = &j->rec[i];
	const struct kernel_instance *ki = &j->files[i].ki;

	memset(&r->p, 0, sizeof(r->p));
	r->t0_ns = pb_mono_ns();
	if (in)
		ki->k->run_io(ki->priv, 0, ki->shape.n, in, out, &r->p);
	else
		ki->k->run(ki->priv, 0, ki->shape.n, &r->p);
	r->t1_ns = pb_mono_ns();
	r->tid = (int32_t)gettid();
	r->cpu = sched_getcpu();
	partial_add(acc, &r->p);
}

static void batch_range(void *ctx, size_t b, size_t e, void *partial)
{
	for (size_t i = b; i < e; i++)
		batch_file(ctx, i, NULL, NULL, partial);
}

/* With chunk 1 a range is one file; the pipe transport moves that file's pixels. */
static void batch_span(void *ctx, size_t b, size_t e, struct work_span *s)
{
	struct filter_job *j = ctx;
	const struct kernel_shape *sh = &j->files[b].ki.shape;
	size_t bytes = pb_image_bytes(sh->width, sh->height);

	(void)e;
	*s = (struct work_span){ sh->in, bytes, sh->out, bytes };
}

static void batch_range_io(void *ctx, size_t b, size_t e, const void *in, void *out,
			   void *partial)
{
	(void)e;
	batch_file(ctx, b, in, out, partial);
}

static void batch_combine(void *acc, const void *p)
{
	partial_add(acc, p);
}

/* Every file's picture against its reference, and the combined total against the files'. */
static int batch_verify(struct filter_job *j, const struct partial *total, char *err,
			size_t err_len)
{
	struct partial sum = { 0 };

	for (size_t i = 0; i < j->n; i++) {
		const struct kernel_instance *ki = &j->files[i].ki;

		if (ki->k->verify(ki->priv, &j->rec[i].p) != 0) {
			snprintf(err, err_len, "%s of %s: the output differs from the reference",
				 j->k->name, j->files[i].in_path);
			return -EDOM;
		}
		partial_add(&sum, &j->rec[i].p);
	}
	if (memcmp(&sum, total, sizeof(sum)) != 0) {
		snprintf(err, err_len, "%s: the combined result does not add up", j->k->name);
		return -EDOM;
	}
	return 0;
}

/* The watchdog's view of a run: cancel it (process backends) or hand over to o->hang. */
static int filter_cancel(void *run)
{
	return backend_instance_cancel(run);
}

static void filter_hang(void *run, const char *why, void *arg)
{
	const struct filter_opts *o = arg;
	char took[128];

	(void)run;
	(void)why; /* the filter's own wording: the only reason is its timeout */
	snprintf(took, sizeof(took), "a run took more than %g s", o->timeout_s);
	if (o->hang)
		o->hang(took); /* threads cannot be stopped: does not return */
}

/* backend_instance_run under the watchdog wd (NULL: none); -ETIMEDOUT if it stopped the run. */
static int watched_run(struct backend_instance *bi, const struct work *w, struct watchdog *wd)
{
	int rc;

	if (!wd)
		return backend_instance_run(bi, w);
	watchdog_arm(wd, bi);
	rc = backend_instance_run(bi, w);
	return watchdog_disarm(wd) ? -ETIMEDOUT : rc;
}

/* The warm-up and o->runs timed runs, each on outputs made wrong first and verified after. */
static int run_all(struct filter_job *j, const struct filter_opts *o, struct backend_instance *bi,
		   const struct work *w, struct partial *total, char *err, size_t err_len)
{
	struct watchdog wd = { .timeout_s = o->timeout_s, .cancel = filter_cancel,
			       .hang = filter_hang, .hang_arg = (void *)o };
	int rc = 0, watched = o->timeout_s > 0;

	if (watched && (rc = watchdog_start(&wd)) != 0) {
		snprintf(err, err_len, "cannot start the watchdog thread");
		return rc;
	}
	for (int r = -1; r < o->runs; r++) { /* run -1: the warm-up */
		for (size_t i = 0; i < j->n; i++) /* outputs made wrong: each run must rewrite them */
			if (j->files[i].ki.k->invalidate)
				j->files[i].ki.k->invalidate(j->files[i].ki.priv);
		memset(total, 0, sizeof(*total));
		uint64_t t0 = pb_mono_ns();

		rc = watched_run(bi, w, watched ? &wd : NULL);
		uint64_t t1 = pb_mono_ns();

		if (rc == -ETIMEDOUT) {
			snprintf(err, err_len, "%s: a run took more than %g s and was stopped (%s)",
				 o->b->name, o->timeout_s, bi->err[0] ? bi->err : "workers killed");
			break;
		}
		if (rc) {
			snprintf(err, err_len, "%s: %s", o->b->name, bi->err);
			break;
		}
		if (j->batch) {
			rc = batch_verify(j, total, err, err_len);
		} else if (j->k->verify(j->files[0].ki.priv, total) != 0) {
			snprintf(err, err_len, "%s of %s with %s: the output differs from the "
				 "reference", j->k->name, j->files[0].in_path, o->b->name);
			rc = -EDOM;
		}
		if (rc)
			break;
		if (r >= 0)
			j->samples[r] = (double)(t1 - t0) * 1e-9;
	}
	if (watched)
		watchdog_stop(&wd);
	return rc;
}

/* Median, min and max of the timed runs. 0 or -ENOMEM. */
static int summarize(struct filter_job *j, int runs)
{
	double *sorted = malloc((size_t)runs * sizeof(*sorted));

	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, j->samples, (size_t)runs * sizeof(*sorted));
	j->median = median_in_place(sorted, (size_t)runs);
	j->min = sorted[0];
	j->max = sorted[runs - 1];
	free(sorted);

	return 0;
}

/* Who filtered what in the last run of a batch, workers numbered by their first start. */
static void who_filtered(struct filter_job *j)
{
	j->workers_seen = 0;
	if (j->batch) {
		int32_t tids[FILTER_MAX_FILES];
		size_t order[FILTER_MAX_FILES];

		for (size_t i = 0; i < j->n; i++)
			order[i] = i;
		for (size_t a = 1; a < j->n; a++) /* insertion sort by start time */
			for (size_t b = a; b > 0 && j->rec[order[b]].t0_ns < j->rec[order[b - 1]].t0_ns; b--) {
				size_t t = order[b];

				order[b] = order[b - 1];
				order[b - 1] = t;
			}
		for (size_t a = 0; a < j->n; a++) {
			size_t i = order[a];
			unsigned w_i = 0;

			while (w_i < j->workers_seen && tids[w_i] != j->rec[i].tid)
				w_i++;
			if (w_i == j->workers_seen)
				tids[j->workers_seen++] = j->rec[i].tid;
			j->worker_of[i] = (int)w_i;
		}
	}
}

int filter_execute(struct filter_job *j, const struct filter_opts *o, char *err, size_t err_len)
{
	struct backend_instance bi;
	struct backend_config cfg = o->cfg;
	struct partial total;
	struct work w;
	int rc;

	struct work_region *outs = calloc(j->n, sizeof(*outs));

	if (!outs)
		return -ENOMEM;
	for (size_t i = 0; i < j->n; i++)
		kwork_output(&j->files[i].ki, &outs[i]);
	cfg.prefault = outs;
	cfg.n_prefault = j->n;
	j->runs = o->runs;
	j->samples = calloc((size_t)o->runs + 1, sizeof(*j->samples));
	if (!j->samples) {
		free(outs);
		return -ENOMEM;
	}
	if (j->batch) {
		w = (struct work){ .n = j->n, .grain = 1, .ctx = j, .range = batch_range,
				   .partial_size = sizeof(struct partial), .combine = batch_combine,
				   .model = WORK_C_CALL, .model_block = 1, .result = &total,
				   .span = batch_span, .range_io = batch_range_io };
		cfg.chunk = 1; /* each file a task */
	} else {
		kwork_init(&w, &j->files[0].ki, &total);
	}
	if (o->test_hang) {
		w.range = watchdog_hang_range;
		w.span = NULL; /* the pipe transport uses range too */
		w.range_io = NULL;
	}
	rc = backend_instance_start(&bi, o->b, &cfg);
	if (rc) {
		snprintf(err, err_len, "%s: %s", o->b->name, bi.err);
		free(outs);
		return rc;
	}
	rc = run_all(j, o, &bi, &w, &total, err, err_len);
	backend_instance_stop(&bi);
	free(outs);
	if (rc)
		return rc;

	rc = summarize(j, o->runs);
	if (rc)
		return rc;
	who_filtered(j);
	return 0;
}

