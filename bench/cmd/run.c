/*
 * run.c - parbench run: the options, then the run: choose the variants and calibrate the
 * sizes, measure the roof (run_roof.c), sweep kernel x backend x workers (sweep.h), then the
 * MPI rows (run_mpi.c) and the results (run_out.c).  Started by mpirun or srun, the run is
 * one rank's (run_ranked, run_ranks.c).
 */
#include "run.h"

#include "backend.h"
#include "clock.h"
#include "imgio.h"
#include "kernel.h"
#include "launch.h"
#include "outfile.h"
#include "pin.h"
#include "placement.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The picture, the topology, the pin plan: what the machine decides before the run. */
static int prepare(struct run_cmd *r)
{
	struct sweep_opts *o = &r->o;
	char err[512];

	if (r->image_path) {
		if (imgio_load(r->image_path, &r->image, err, sizeof(err)))
			usage_error("%s", err);
		o->kp.image = &r->image;
		if (!r->kernels_given) {
			o->n_kernels = 0;
			for (const struct kernel *const *k = kernel_all(); *k; k++)
				if ((*k)->span)
					o->kernels[o->n_kernels++] = *k;
		}
	}
	r->topo = load_topology();
	if (!r->topo)
		return EXIT_VERIFY;
	if (pin_plan_make(r->topo, r->pin, 1, &r->probe) != 0)
		bad_pin(r->topo, r->pin);
	if (o->n_workers == 0) /* from the topology hwloc loaded, which may be another machine's */
		o->n_workers = placement_default_workers(r->topo, r->smt, o->workers, SWEEP_MAX_LIST);
	o->pin = r->pin;
	o->topo = r->topo;
	o->min_time_s = r->min_time > 0 ? r->min_time
			: o->kp.quick ? QUICK_MIN_TIME_S : DEFAULT_MIN_TIME_S;
	o->corrupt_kernel = getenv("PARBENCH_TEST_CORRUPT");
	o->hang_case = getenv("PARBENCH_TEST_HANG");
	o->crash_case = getenv("PARBENCH_TEST_CRASH");
	o->py_fault = getenv("PARBENCH_TEST_PY_FAULT");
	o->drop_copyback = getenv("PARBENCH_TEST_DROP_COPYBACK") != NULL;
	o->link_fail = getenv("PARBENCH_TEST_LINK_FAIL");
	o->steady_times = getenv("PARBENCH_TEST_STEADY");
	if (!o->timeout_s)
		o->timeout_s = DEFAULT_TIMEOUT_S;
	o->stop = &stop_signal;
	o->repetitions = (unsigned)r->repetitions;
	o->precision = DEFAULT_PRECISION;
	o->budget_s = r->budget ? r->budget : o->kp.quick ? QUICK_BUDGET_S : DEFAULT_BUDGET_S;
	r->budget = o->budget_s;
	return 0;
}

/* The least common multiple of the run's worker counts (1 if above 10000). */
static unsigned workers_lcm(const struct sweep_opts *o)
{
	unsigned long long l = 1;

	for (size_t i = 0; i < o->n_workers && l <= 10000; i++) {
		unsigned long long a = l, b = o->workers[i];

		while (b) {
			unsigned long long t = a % b;

			a = b;
			b = t;
		}
		l = l / a * o->workers[i];
	}
	return l <= 10000 ? (unsigned)l : 1;
}

/* Where sizes are kept beside the run directories, and the key they are kept under (the
 * machine, the variant, the target and the kernel settings; what: "" or "python ..."). */
static void keep_place(const struct run_cmd *r, double target, const char *what, char *keep,
		       size_t keep_len, char *key, size_t key_len)
{
	const char *slash = strrchr(r->out_dir, '/');

	if (slash)
		snprintf(keep, keep_len, "%.*s/.parbench-sizes", (int)(slash - r->out_dir),
			 r->out_dir);
	else
		snprintf(keep, keep_len, ".parbench-sizes");
	snprintf(key, key_len, "%s|%s|%s|target %g|tasks %u|sleep %u%s", r->facts.host, r->facts.cpu_model,
		 kernel_variant(), target, r->o.kp.tasks, r->o.kp.sleep_us, what);
}

/* Sizes for the kernels of the run that have none, from the time budget (calibrate.h);
 * the sizes found are kept beside the run directory.  0 or -errno with err set. */
static int calibrate_run(struct run_cmd *r, struct calibration *cal, char *err, size_t err_len)
{
	struct sweep_opts *o = &r->o;
	const struct kernel *ks[SWEEP_MAX_LIST];
	char keep[1200], key[1024];
	double target = CALIB_TARGET_S / (o->kp.quick ? CALIB_QUICK_DIV : 1);
	size_t n = 0;

	for (size_t i = 0; i < o->n_kernels; i++)
		if (!o->kernel_sizes[i])
			ks[n++] = o->kernels[i];
	keep_place(r, target, "", keep, sizeof(keep), key, sizeof(key));
	int rc = calibrate(cal, ks, n, &o->kp, target, workers_lcm(o), keep, key, err, err_len);

	for (size_t i = 0; rc == 0 && i < o->n_kernels; i++) {
		const struct calib_entry *e = calibration_find(cal, o->kernels[i]);

		if (e && !o->kernel_sizes[i])
			o->kernel_sizes[i] = e->size;
	}
	return rc;
}

/* The CPython rows' sizes not given, from their own time budget (calibrate_python). */
static int calibrate_py_run(struct run_cmd *r, char *err, size_t err_len)
{
	struct sweep_opts *o = &r->o;
	const struct kernel *ks[SWEEP_MAX_LIST];
	const struct backend *py = NULL;
	double target = CALIB_PY_TARGET_S / (o->kp.quick ? CALIB_PY_QUICK_DIV : 1);
	size_t n = 0;

	for (size_t b = 0; b < o->n_backends && !py; b++) /* the first's (cpython by default) */
		if (o->backends[b]->caps & BACKEND_CAP_PYTHON)
			py = backend_baseline_of(o->backends[b]);
	if (!py)
		return 0;
	for (size_t i = 0; i < o->n_kernels; i++)
		if (!o->py_sizes[i] && !o->py_skip[i])
			ks[n++] = o->kernels[i];
	char keep[1200], key[1024], what[300];

	snprintf(what, sizeof(what), "|python %.256s%s", backend_python(o->python),
		 py->caps & BACKEND_CAP_FREE_THREADED ? "|free-threaded" : "");
	keep_place(r, target, what, keep, sizeof(keep), key, sizeof(key));
	int rc = calibrate_python(&r->py_cal, py, ks, n, o, target, workers_lcm(o), keep, key,
				  err, err_len);

	for (size_t i = 0; rc == 0 && i < o->n_kernels; i++) {
		const struct calib_entry *e = calibration_find(&r->py_cal, o->kernels[i]);

		if (e && !o->py_sizes[i])
			o->py_sizes[i] = e->size;
	}
	r->meta.py_calibration = &r->py_cal;
	return rc;
}

struct progress {
	int tty;
	double t0;
};

static void on_progress(const struct sweep_progress *pr, void *arg)
{
	struct progress *p = arg;
	const struct sweep_row *row = pr->row;

	char eta[64] = "";

	if (!p->tty)
		return;
	if (pr->eta_s >= 0)
		snprintf(eta, sizeof(eta), ", this round's ETA %.0f s", pr->eta_s);
	diag_text("\r\033[K[round %u: %zu/%zu] %s %s %u  elapsed %.0f s%s", pr->round, pr->done,
		  pr->total, row->k->name, row->b->name, row->workers, pb_mono_s() - p->t0, eta);
}

/* Google Benchmark's flags: ours first, the user's after "--" override them. */
static int gb_flags(const struct run_cmd *r, const char **gb_argv, size_t max, char *rep,
		    size_t rep_len, char *out, size_t out_len)
{
	int n = 0;

	snprintf(rep, rep_len, "--benchmark_repetitions=%d", r->repetitions);
	snprintf(out, out_len, "--benchmark_out=%s/.gbench.json.tmp", r->work_dir);
	gb_argv[n++] = "parbench";
	if (r->repetitions)
		gb_argv[n++] = rep;
	gb_argv[n++] = out;
	gb_argv[n++] = "--benchmark_out_format=json";
	if (r->interleave)
		gb_argv[n++] = "--benchmark_enable_random_interleaving=true";
	for (int i = r->given.tail; i < r->argc; i++) {
		if ((size_t)n == max)
			usage_error("too many Google Benchmark flags");
		gb_argv[n++] = r->argv[i];
	}
	return n;
}

/* The sweep of the backends parbench runs itself, within its share of the budget (the MPI
 * launches come after it). 0, or the exit status. */
static int sweep_own(struct run_cmd *r)
{
	struct sweep_opts *o = &r->o;
	struct progress prog;
	const char *gb_argv[128];
	char err[512], flag_rep[64], flag_out[1200];
	int rc, gb_argc = gb_flags(r, gb_argv, sizeof(gb_argv) / sizeof(gb_argv[0]), flag_rep,
				   sizeof(flag_rep), flag_out, sizeof(flag_out));

	prog.tty = isatty(STDERR_FILENO);
	prog.t0 = r->t0;
	if (r->n_mpi) {
		size_t own = 0, all;

		for (size_t b = 0; b < o->n_backends; b++)
			own += (o->backends[b]->caps & BACKEND_CAP_PARALLEL) ? o->n_workers : 1;
		all = own + r->n_mpi * o->n_workers;
		o->budget_s = r->budget * (double)(own + 1) / (double)(all + 1); /* + serial */
	}
	rc = sweep_run(&r->sw, o, gb_argc, gb_argv, r->verbose, on_progress, &prog, err,
		       sizeof(err));
	o->budget_s = r->budget;
	if (prog.tty)
		diag_text("\r\033[K");
	if (rc == -ERANGE || rc == -EINVAL)
		usage_error("%s", err);
	if (rc) {
		diag_line("%s", err);
		return EXIT_VERIFY;
	}
	return 0;
}

/* Sizes, the run's fresh folder, roof, the sweep, the MPI rows. 0, or the exit status. */
static int measure(struct run_cmd *r)
{
	char err[512];
	int rc, status = 0;

	/* each kernel's variant first: the sizes, the roof and the rows are measured in it */
	if ((rc = run_pick(r)) != 0)
		return rc;
	if (!r->o.n_sizes && !r->o.kp.size && !r->image_path) {
		if (calibrate_run(r, &r->cal, err, sizeof(err))) {
			diag_line("%s", err);
			return EXIT_VERIFY;
		}
		r->meta.calibration = &r->cal;
	}
	cmd_catch_signals(); /* from the interpreters' calibration on, a signal stops the run */
	if (calibrate_py_run(r, err, sizeof(err))) {
		int sig = atomic_load(&stop_signal);

		if (sig) {
			diag_line("interrupted by %s while calibrating the CPython rows; nothing was "
				  "measured", sig == SIGINT ? "SIGINT" : "SIGTERM");
			return 128 + sig;
		}
		diag_line("%s", err);
		return EXIT_VERIFY;
	}
	if ((rc = run_out_stage(r)) != 0)
		return rc;
	r->o.hang = run_on_hang;
	r->o.hang_arg = r;
	r->t0 = pb_mono_s();
	if ((rc = run_roof(r)) != 0)
		return rc;
	rc = sweep_own(r);
	if (rc)
		return rc;
	if (r->n_mpi && run_mpi_rows(r) != 0)
		status = EXIT_VERIFY;
	if (r->sw.precision > 0) { /* the budget and the time of the whole measurement */
		r->sw.budget_s = r->budget;
		r->sw.seconds = pb_mono_s() - r->t0;
	}
	return status;
}

static int run_exec(void *state)
{
	struct run_cmd *r = state;
	int status = prepare(r);

	if (status)
		goto out;
	if (r->launched) { /* started by mpirun or srun: one rank of the run */
		status = run_ranked(r);
		goto out;
	}
	run_keep_available(r); /* after every usage error: it may start an interpreter */
	run_plan_mpi(r);
	if (r->dry_run) {
		status = run_dry(r);
		goto out;
	}
	run_begin_meta(r);
	status = measure(r); /* a run that writes nothing leaves --out as it was */
	if (status && !r->sw.rows)
		goto out;
	read_load(r->meta.load_after);
	machine_end(&r->mstate);
	int written = run_write(r);

	status = written ? written : status;
out:
	sweep_free(&r->sw);
	if (r->topo)
		pin_topo_free(r->topo);
	if (r->image.px)
		imgio_free(&r->image);
	return status;
}

const struct command cmd_run = {
	.cli = &run_cli,
	.summary = "the sweep: speedup tables and a run directory",
	.parse = run_parse,
	.exec = run_exec,
	.state_size = sizeof(struct run_cmd),
};
