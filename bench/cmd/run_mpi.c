/*
 * run_mpi.c - the MPI rows of a run: parbench starts mpirun once per MPI backend and worker
 * count, after its own backends.  Each launch gets a folder in the run's fresh one,
 * mpi-<backend>-<workers>/, and in it a plan (rank_plan.h: what the ranks measure, made
 * by run_rank_plan() in run_ranks.c from this run's options and calibrated sizes, given its
 * share of the budget and written by write_plan() here);
 * mpirun starts `parbench rank PLAN` (rank.c), rank 0 writes the rows into that folder as a
 * run directory, and they join the run, read back with the reader `parbench report` uses
 * and checked against the plan (run_take.c).
 * No option of the run is passed on a command line: the ranks know only the plan.
 */
#include "run.h"

#include "backend.h"
#include "clock.h"
#include "launch.h"
#include "outdir.h"
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a launch's rank 0 left unfinished in its folder (a temporary file it was writing
 * when it died: .<name>.XXXXXX.tmp, .gbench.json.tmp): removed, so the run holds none. */
static void remove_unfinished(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4400];

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		outdir_remove(path);
	}
	if (d)
		closedir(d);
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

/* The folder and the plan of the launch of backend be at w workers (the launches left
 * share what is left of the budget), read back as the ranks will read it.  0, or -1 with
 * err set. */
static int write_plan(struct run_cmd *r, const struct backend *be, unsigned w, double left,
		      const char *dir, char *plan_path, size_t len, char *err, size_t err_len)
{
	struct rank_plan *p = &r->plan;
	char why[512];
	int rc;

	run_rank_plan(r, p);
	p->backends[0] = be;
	p->n_backends = 1;
	p->workers[0] = w;
	p->n_workers = 1;
	if (!p->repetitions)
		p->budget_s = left > 0.001 ? left : 0.001;
	snprintf(plan_path, len, "%s/%s", dir, RANK_PLAN_FILE);
	if ((rc = outfile_mkdirs(dir)) != 0 || (rc = rank_plan_write(dir, p)) != 0) {
		snprintf(err, err_len, "cannot write the ranks' plan %.400s: %s", plan_path,
			 strerror(-rc));
		return -1;
	}
	if (rank_plan_read(plan_path, p, why, sizeof(why)) != 0) {
		snprintf(err, err_len, "the ranks' plan %.300s does not read back: %.300s",
			 plan_path, why);
		return -1;
	}
	return 0;
}

/* One launch: backend be at w workers as ranks processes.  0, or 1 when it failed (said). */
static int launch_one(struct run_cmd *r, const char *exe, const char *mpirun,
		      const struct backend *be, unsigned w, unsigned ranks, double left)
{
	char dir[1300], plan_path[1400], err[700];
	const char *argv[] = { exe, "rank", plan_path, NULL };
	int rc = -1;

	snprintf(dir, sizeof(dir), "%s/mpi-%s-%u", r->work_dir, be->name, w);
	if (write_plan(r, be, w, left, dir, plan_path, sizeof(plan_path), err, sizeof(err)) == 0) {
		struct launch l = { .mpirun = mpirun, .ranks = ranks, .hostfile = r->hostfile,
				    .oversubscribe = !r->hostfile && ranks > r->meta.cores,
				    .argv = argv, .stop = &stop_signal };

		diag_line("mpirun -np %u: %s with %u worker%s", ranks, be->name, w,
			  w == 1 ? "" : "s");
		rc = launch_run(&l, err, sizeof(err));
		remove_unfinished(dir);
		if (rc > 0)
			snprintf(err, sizeof(err), "mpirun exited with status %d", rc);
	}
	/* stopped too: what rank 0 saved on the way out is kept */
	return run_take_rows(r, be, w, rc, dir, err, sizeof(err));
}

int run_mpi_rows(struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	const char *mpirun = launch_mpirun();
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
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
			size_t launches = (r->n_mpi - b) * o->n_workers - wi;
			double left = (r->budget - (pb_mono_s() - r->t0)) / (double)launches;

			if (run_mpi_ranks(r, be, w, &ranks) != 0)
				continue; /* left out, and said so, before the run (run_skip.c) */
			if (atomic_load(&stop_signal)) /* never started: not measured */
				failed |= run_take_rows(r, be, w, 0, NULL, NULL, 0);
			else
				failed |= launch_one(r, exe, mpirun, be, w, ranks, left);
		}
	}
	return failed ? -1 : 0;
}
