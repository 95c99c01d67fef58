/*
 * run_skip.c - what a run leaves out, decided before anything is measured: backends this
 * machine cannot run, CPython rows the options exclude, MPI rows without mpirun or without
 * whole ranks.  Each cause is one line under the tables (run_cmd.skipped) and one record per
 * configuration in meta.json's "left_out"; none is an error.  The only usage errors here are
 * those that hang on what is left out (a CPython backend named with --sizes, nothing left).
 * The lines and records themselves are kept by run_out.c (run_say, run_leave_out).
 */
#include "run.h"

#include "backend.h"
#include "kernel.h"
#include "launch.h"

#include <stdio.h>
#include <string.h>

/* ", name" onto a list of names. */
static void add_name(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

static int is_python(const struct backend *b)
{
	return (b->caps & BACKEND_CAP_PYTHON) != 0;
}

/* The CPython rows run at a size of their own: not with --sizes or weak scaling.  Asked for
 * by name, a usage error; with the default backends, left out. */
static void python_sized(struct run_cmd *r)
{
	struct sweep_opts *o = &r->o;
	const char *opt = o->n_sizes ? "--sizes" : "--scaling weak";
	char names[256] = "", why[120];
	size_t kept = 0;

	if (!o->n_sizes && !o->weak)
		return;
	snprintf(why, sizeof(why), "the CPython rows run at a size of their own, not with %s", opt);
	for (size_t b = 0; b < o->n_backends; b++) {
		const struct backend *be = o->backends[b];

		if (!is_python(be)) {
			o->backends[kept++] = be;
			continue;
		}
		if (r->backends_given)
			usage_error("the CPython backends run at a size of their own: not with "
				    "--sizes or --scaling weak ('%s')", be->name);
		run_leave_out(r, NULL, be, 0, why);
		add_name(names, sizeof(names), be->name);
	}
	o->n_backends = kept;
	if (names[0])
		run_say(r, "skipped %s: %s", names, why);
}

/* --quick with the default backends: the CPython rows of the kernels whose size is a picture
 * (the filters: pixel loops in Python, the longest CPython rows to start and calibrate) are
 * left out; sum_squares, range_sum and io_wait keep theirs. */
static void quick_python(struct run_cmd *r)
{
	struct sweep_opts *o = &r->o;
	const char *why = "--quick keeps the CPython rows to the kernels timed by size";
	char names[256] = "";
	int py = 0;

	for (size_t b = 0; b < o->n_backends; b++)
		py |= is_python(o->backends[b]);
	if (!o->kp.quick || r->backends_given || !py)
		return;
	for (size_t k = 0; k < o->n_kernels; k++) {
		if (o->kernels[k]->timed_size)
			continue;
		o->py_skip[k] = 1;
		add_name(names, sizeof(names), o->kernels[k]->name);
		for (size_t b = 0; b < o->n_backends; b++)
			if (is_python(o->backends[b]))
				run_leave_out(r, o->kernels[k], o->backends[b], 0, why);
	}
	if (names[0])
		run_say(r, "skipped the CPython rows of %s: %s (the default run has them; --backends "
		       "naming a cpython backend asks for them)", names, why);
}

void run_keep_available(struct run_cmd *r)
{
	struct sweep_opts *o = &r->o;
	size_t kept = 0, n_before = r->n_left_out;
	char why[400];

	python_sized(r); /* before any interpreter is asked anything */
	for (size_t b = 0; b < o->n_backends; b++) {
		const struct backend *be = o->backends[b];

		/* a dry run starts nothing, not even an interpreter to ask */
		if ((r->dry_run ? run_plan_available(r, be, why, sizeof(why))
				: backend_available(be, o->python, why, sizeof(why))) == 0) {
			o->backends[kept++] = be;
			continue;
		}
		run_leave_out(r, NULL, be, 0, why);
		run_say(r, "skipped %s: %s", be->name, why);
	}
	o->n_backends = kept;
	quick_python(r);
	if (kept == 0 && r->n_left_out > n_before && !r->n_mpi) /* one line: the first reason */
		usage_error("none of the backends asked for runs here: %.*s",
			    (int)strcspn(r->skipped, "\n"), r->skipped);
}

/* MPI backend be's worker counts that are not whole ranks, left out. */
static void mpi_whole_ranks(struct run_cmd *r, const struct backend *be)
{
	const struct sweep_opts *o = &r->o;
	char counts[256] = "", why[120];

	snprintf(why, sizeof(why), "not a whole number of ranks of %u threads (--threads %u)",
		 r->threads, r->threads);
	for (size_t wi = 0; wi < o->n_workers; wi++) {
		char w[16];

		if (run_mpi_ranks(r, be, o->workers[wi], NULL) == 0)
			continue;
		run_leave_out(r, NULL, be, o->workers[wi], why);
		snprintf(w, sizeof(w), "%u", o->workers[wi]);
		add_name(counts, sizeof(counts), w);
	}
	if (counts[0])
		run_say(r, "skipped %s with %s workers: %s", be->name, counts, why);
}

void run_plan_mpi(struct run_cmd *r)
{
	char names[256] = "";
	const char *why = "mpirun not found (apt-get install openmpi-bin)";

	if (!r->n_mpi)
		return;
	if (launch_mpirun()) {
		for (size_t b = 0; b < r->n_mpi; b++)
			mpi_whole_ranks(r, r->mpi_b[b]);
		return;
	}
	for (size_t b = 0; b < r->n_mpi; b++) {
		run_leave_out(r, NULL, r->mpi_b[b], 0, why);
		add_name(names, sizeof(names), r->mpi_b[b]->name);
	}
	run_say(r, "skipped %s: %s", names, why);
	r->n_mpi = 0;
}
