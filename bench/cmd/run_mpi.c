/*
 * run_mpi.c - the MPI rows of a run: parbench starts mpirun once per MPI backend and worker
 * count; the ranks measure those rows alone (the same sweep, under the launcher) and write
 * them to <out_dir>/mpi-<backend>-<workers>/, and the rows join the run.  The ranks get the
 * options the option table marks for them, as they were typed, plus what the launch decides
 * (backend, workers, sizes, repetitions or budget, directory).
 */
#include "run.h"

#include "backend.h"
#include "clock.h"
#include "launch.h"
#include "runload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MPI_MAX_ARGS 160

/* Removes what a run writes into dir (only those files), if they are there. */
static void clear_run_dir(const char *dir)
{
	static const char *const files[] = { "summary.csv", "samples.csv", "meta.json",
					     "gbench.json", "topology.xml", "roof.csv", "compute.csv",
					     "report.md", ".gbench.json.tmp", NULL };
	char path[1400];

	for (const char *const *f = files; *f; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		unlink(path);
	}
}

/* One failed row per missing kernel for backend b at w workers (they reach meta.json's failures and
 * the FAILED lines like any other); 0 or -ENOMEM. */
static int add_failed_rows(struct sweep *sw, const struct sweep_opts *o,
			   const unsigned char *missing, const struct backend *b, unsigned w,
			   const char *why)
{
	struct sweep more = { 0 };

	more.rows = calloc(o->n_kernels ? o->n_kernels : 1, sizeof(*more.rows));
	if (!more.rows)
		return -ENOMEM;
	for (size_t k = 0; k < o->n_kernels; k++) {
		if (!missing[k])
			continue;
		struct sweep_row *r = &more.rows[more.n_rows++];

		r->k = o->kernels[k];
		r->b = b;
		r->workers = w;
		r->failed = 1;
		snprintf(r->error, sizeof(r->error), "%.300s", why);
		/* the size of this kernel's rows in this run, so that the row joins its group */
		for (size_t i = 0; i < sw->n_rows; i++)
			if (sw->rows[i].k == r->k) {
				r->size = sw->rows[i].size;
				break;
			}
	}
	int rc = sweep_merge(sw, &more);

	if (rc)
		free(more.rows);
	return rc;
}

/* "name=N,..." for the kernels with a size of their own; how many. */
static size_t format_kernel_sizes(const struct sweep_opts *o, char *buf, size_t len)
{
	size_t used = 0, n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < o->n_kernels && used < len; i++)
		if (o->kernel_sizes[i])
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%llu", n++ ? "," : "",
						 o->kernels[i]->name,
						 (unsigned long long)o->kernel_sizes[i]);
	return n;
}

/* What one launch's ranks are given. */
struct launch_args {
	const char *argv[MPI_MAX_ARGS];
	size_t n;
	char ws[16], reps[16], budget[32], sz[1024], dir[1200], fwd[4096];
};

/* The ranks' command line for backend be at w workers; left is the budget's share. */
static void build_args(const struct run_cmd *r, const struct backend *be, unsigned w,
		       double left, const char *exe, struct launch_args *a)
{
	const struct sweep_opts *o = &r->o;

	a->n = 0;
	snprintf(a->ws, sizeof(a->ws), "%u", w);
	snprintf(a->dir, sizeof(a->dir), "%s/mpi-%s-%u", r->out_dir, be->name, w);
	a->argv[a->n++] = exe;
	a->argv[a->n++] = "run";
	a->n += opt_forward(r->given_cli, &r->given, a->argv + a->n, 64, a->fwd, sizeof(a->fwd));
	a->argv[a->n++] = "--backends";
	a->argv[a->n++] = be->name;
	a->argv[a->n++] = "--workers";
	a->argv[a->n++] = a->ws;
	if (r->repetitions) {
		snprintf(a->reps, sizeof(a->reps), "%d", r->repetitions);
		a->argv[a->n++] = "--repetitions";
		a->argv[a->n++] = a->reps;
	} else {
		snprintf(a->budget, sizeof(a->budget), "%.3g", left > 0.001 ? left : 0.001);
		a->argv[a->n++] = "--budget";
		a->argv[a->n++] = a->budget;
	}
	if (!o->n_sizes && format_kernel_sizes(o, a->sz, sizeof(a->sz))) {
		a->argv[a->n++] = "--size"; /* this run's sizes: given or calibrated */
		a->argv[a->n++] = a->sz;
	}
	a->argv[a->n++] = "--out";
	a->argv[a->n++] = a->dir;
	a->argv[a->n++] = "--no-report";
	a->argv[a->n++] = "--no-interleave";
	int gb = r->argc - r->given.tail;

	if (gb > 0 && a->n + (size_t)gb + 2 < MPI_MAX_ARGS) {
		a->argv[a->n++] = "--";
		for (int g = 0; g < gb; g++)
			a->argv[a->n++] = r->argv[r->given.tail + g];
	}
	a->argv[a->n] = NULL;
}

/* The rows one launch wrote join the run; every kernel without one is a failure row. */
static int take_rows(struct run_cmd *r, const struct backend *be, unsigned w, int rc,
		     const char *dir, char *err, size_t err_len)
{
	const struct sweep_opts *o = &r->o;
	static struct loaded_run lr;
	char why[512];
	int failed = 0;
	/* the directory was emptied before the launch: what loads is this launch's */
	int loaded = run_load(dir, &lr, why, sizeof(why)) == 0;
	unsigned char missing[SWEEP_MAX_LIST];

	for (size_t k = 0; k < o->n_kernels; k++) {
		missing[k] = 1;
		for (size_t i = 0; loaded && i < lr.sw.n_rows; i++)
			if (lr.sw.rows[i].k == o->kernels[k] && lr.sw.rows[i].b == be &&
			    !lr.sw.rows[i].failed)
				missing[k] = 0;
	}
	if (loaded) {
		if (sweep_merge(&r->sw, &lr.sw) != 0)
			failed = 1;
		run_free(&lr);
	} else if (!rc) {
		snprintf(err, err_len, "%s", why);
	}
	if (rc || !loaded) {
		diag_line("FAILED %s / %u workers: %s", be->name, w, err);
		failed = 1;
	}
	add_failed_rows(&r->sw, o, missing, be, w, rc || !loaded ? err : "no result");
	return failed;
}

int run_mpi_ranks(const struct run_cmd *r, const struct backend *be, unsigned w,
		  unsigned *ranks)
{
	unsigned threads = 1;

	if (strcmp(be->name, "mpi+openmp") == 0)
		threads = r->threads < w ? r->threads : w;
	if (w % threads)
		return -1;
	if (ranks)
		*ranks = w / threads;
	return 0;
}

int run_mpi_rows(struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	const char *mpirun = launch_mpirun();
	char exe[4096], err[512];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	static struct launch_args a;
	int failed = 0;

	if (!mpirun || len <= 0) { /* mpirun was there when the run began (run_plan_mpi) */
		const char *why = !mpirun ? "mpirun is gone" : "parbench cannot name its own "
					    "executable (/proc/self/exe) for mpirun";

		for (size_t b = 0; b < r->n_mpi; b++)
			run_leave_out(r, NULL, r->mpi_b[b], 0, why);
		run_say(r, "skipped the MPI rows: %s", why);
		return 0;
	}
	exe[len] = '\0';
	for (size_t b = 0; b < r->n_mpi; b++) {
		for (size_t wi = 0; wi < o->n_workers; wi++) {
			const struct backend *be = r->mpi_b[b];
			unsigned w = o->workers[wi], ranks;
			/* the launches left share what is left of the budget */
			size_t launches = (r->n_mpi - b) * o->n_workers - wi;
			double left = (r->budget - (pb_mono_s() - r->t0)) / (double)launches;

			if (run_mpi_ranks(r, be, w, &ranks) != 0)
				continue; /* left out, and said so, before the run (run_skip.c) */
			build_args(r, be, w, left, exe, &a);

			struct launch l = { .mpirun = mpirun, .ranks = ranks, .hostfile = r->hostfile,
					    .oversubscribe = !r->hostfile && ranks > r->meta.cores,
					    .argv = a.argv, .stop = &stop_signal };

			diag_line("mpirun -np %u: %s with %u worker%s", ranks, be->name, w,
				  w == 1 ? "" : "s");
			/* nothing of an earlier run in this directory may pass for this one's */
			clear_run_dir(a.dir);
			int rc = launch_run(&l, err, sizeof(err));

			if (atomic_load(&stop_signal))
				return failed ? -1 : 0;
			if (rc > 0)
				snprintf(err, sizeof(err), "mpirun exited with status %d", rc);
			failed |= take_rows(r, be, w, rc, a.dir, err, sizeof(err));
		}
	}
	return failed ? -1 : 0;
}
