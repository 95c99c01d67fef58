/*
 * run_take.c - the rows one mpirun launch wrote (run_mpi.c), read back and checked against
 * the launch's plan before they join the run.  The launch's folder is read like any run
 * directory, untrusted (a tampered folder, another parbench build on a node): a row joins
 * only if its backend is the one launched and its kernel one of the plan's, both by identity
 * with this build's registries (never a stand-in the reader made for a name it does not
 * know, which lives in the loaded run and goes with it), at the launch's worker count and at
 * a planned size, once, measured.  One row that is not: none of the launch's rows joins, and
 * one line says why.  Every planned configuration left without a row is a failed one, or,
 * when a signal stopped the run, one not measured.
 */
#include "run.h"

#include "backend.h"
#include "row.h"
#include "runload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A configuration a launch was to measure: a kernel of the run at one of its sizes. */
struct planned {
	const struct kernel *k;
	uint64_t size;
	int got; /* rows read for it */
};

/* The sizes the launch of be at w workers measures kernel k at: the run's own baseline rows
 * of k were measured from the same options (the sizes given or calibrated, the picture), at
 * each size of a size sweep; weak scaling grows them with the workers.  Into c[*n]. */
static void plan_kernel(const struct run_cmd *r, const struct backend *be, unsigned w,
			const struct kernel *k, struct planned *c, size_t *n)
{
	const struct sweep *sw = &r->sw;
	const struct backend *base = backend_baseline_of(be);
	size_t first = *n;

	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *q = &sw->rows[i];
		uint64_t size;
		size_t j;

		if (q->k != k || q->b != base || (q->b->caps & BACKEND_CAP_PYTHON))
			continue;
		size = sw->weak ? sweep_weak_size(q->size, q->width != 0, w) : q->size;
		for (j = first; j < *n && c[j].size != size; j++)
			;
		if (j == *n)
			c[(*n)++] = (struct planned){ .k = k, .size = size };
	}
	if (*n == first) /* no baseline row: one configuration all the same, to be reported */
		c[(*n)++] = (struct planned){ .k = k };
}

/* Why row q, read back from the launch of be at w workers, does not belong to it (into why),
 * or 0 after counting it against its configuration in c[0, n). */
static int refuse(const struct sweep_row *q, const struct backend *be, unsigned w,
		  struct planned *c, size_t n, char *why, size_t len)
{
	if (q->b != be) {
		snprintf(why, len, "a row of backend '%s', not %s", q->b->name, be->name);
		return -1;
	}
	if (q->workers != w) {
		snprintf(why, len, "a row of %s at %u workers, not %u", q->k->name, q->workers, w);
		return -1;
	}
	if (!row_measured(q)) {
		snprintf(why, len, "a row of %s that was not measured", q->k->name);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (c[i].k != q->k || c[i].size != q->size)
			continue;
		if (c[i].got++) {
			snprintf(why, len, "two rows of %s at size %llu", q->k->name,
				 (unsigned long long)q->size);
			return -1;
		}
		return 0;
	}
	snprintf(why, len, "kernel '%s' at size %llu was not planned", q->k->name,
		 (unsigned long long)q->size);
	return -1;
}

/* The rows of configurations c[0, n) left without one: failed with why, or not measured
 * (interrupted).  0 or -ENOMEM. */
static int add_missing(struct sweep *sw, const struct planned *c, size_t n,
		       const struct backend *be, unsigned w, int interrupted, const char *why)
{
	struct sweep more = { 0 };
	int rc;

	more.rows = calloc(n ? n : 1, sizeof(*more.rows));
	if (!more.rows)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (c[i].got)
			continue;
		struct sweep_row *q = &more.rows[more.n_rows++];

		*q = (struct sweep_row){ .k = c[i].k, .b = be, .workers = w, .size = c[i].size,
					 .failed = !interrupted, .interrupted = interrupted };
		snprintf(q->error, sizeof(q->error), "%.300s", why);
		sw->interrupted += (unsigned)interrupted;
	}
	rc = sweep_merge(sw, &more);
	if (rc)
		free(more.rows);
	return rc;
}

/* The launch's rows in lr checked, and then moved into the run: 0, or -1 with why. */
static int join(struct run_cmd *r, struct loaded_run *lr, const struct backend *be,
		unsigned w, struct planned *c, size_t n, char *why, size_t len)
{
	unsigned partial = 0;

	for (size_t i = 0; i < lr->sw.n_rows; i++) {
		if (refuse(&lr->sw.rows[i], be, w, c, n, why, len) != 0) {
			for (size_t j = 0; j < n; j++)
				c[j].got = 0;
			return -1;
		}
		partial += (unsigned)lr->sw.rows[i].partial;
	}
	if (sweep_merge(&r->sw, &lr->sw) != 0) {
		snprintf(why, len, "out of memory");
		for (size_t j = 0; j < n; j++)
			c[j].got = 0;
		return -1;
	}
	r->sw.partial += partial;
	return 0;
}

int run_take_rows(struct run_cmd *r, const struct backend *be, unsigned w, int rc,
		  const char *dir, char *err, size_t err_len)
{
	const struct sweep_opts *o = &r->o;
	int stopped = atomic_load(&stop_signal) != 0, loaded = 0, refused = 0, failed = 0;
	struct planned *c = calloc(r->sw.n_rows + o->n_kernels + 1, sizeof(*c));
	struct loaded_run *lr = dir ? calloc(1, sizeof(*lr)) : NULL;
	char why[512] = "out of memory";
	size_t n = 0;

	for (size_t k = 0; c && k < o->n_kernels; k++)
		plan_kernel(r, be, w, o->kernels[k], c, &n);
	/* the folder is new, in this run's fresh folder: what loads is this launch's */
	if (c && lr && run_load(dir, lr, why, sizeof(why)) == 0) {
		loaded = join(r, lr, be, w, c, n, why, sizeof(why)) == 0;
		refused = !loaded;
		run_free(lr);
	}
	free(lr);
	if (refused)
		snprintf(err, err_len, "the ranks' rows are refused: %.400s", why);
	else if (!loaded && !rc && dir)
		snprintf(err, err_len, "%s", why);
	if (refused || ((rc || !loaded) && dir && !stopped)) {
		diag_line("FAILED %s / %u workers: %s", be->name, w, err);
		failed = 1;
	}
	if (!c)
		return 1;
	if (stopped && !refused)
		add_missing(&r->sw, c, n, be, w, 1, "interrupted");
	else
		add_missing(&r->sw, c, n, be, w, 0, err && (rc || !loaded) ? err : "no result");
	free(c);
	return failed;
}
