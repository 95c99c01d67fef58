/*
 * run_plan.c - parbench run --dry-run: the whole plan of a run, from the options as run_args.c
 * checked them and the topology hwloc loaded (HWLOC_SYNTHETIC or HWLOC_XMLFILE with
 * HWLOC_THISSYSTEM=0 describe a machine the user does not have): kernels, backends, worker
 * counts and where each count's workers go, the calibration the run would do, and an
 * estimate of its duration with the terms it assumes (estimate.h).  It measures nothing,
 * creates no file or folder, and starts no process: the interpreter and mpirun are only
 * looked for as executable files.
 */
#include "run.h"

#include "backend.h"
#include "estimate.h"
#include "imgio.h"
#include "kernel.h"
#include "launch.h"
#include "pin.h"
#include "placement.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An executable file: name itself if it holds a '/', else found on PATH. */
static int executable(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	struct stat st;

	if (strchr(name, '/'))
		return stat(name, &st) == 0 && S_ISREG(st.st_mode) && access(name, X_OK) == 0;
	for (const char *p = path ? path : ""; *p;) {
		size_t n = strcspn(p, ":");

		if (n && n < sizeof(buf) - 2 - strlen(name) && n < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name);
			if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
				return 1;
		}
		p += n + (p[n] == ':');
	}
	return 0;
}

int run_plan_available(const struct run_cmd *r, const struct backend *be, char *why,
		       size_t len)
{
	const char *py = backend_python(r->o.python);

	if (!(be->caps & BACKEND_CAP_PYTHON)) /* their checks start nothing */
		return backend_available(be, r->o.python, why, len);
	if (!executable(py)) {
		snprintf(why, len, "no '%.200s' to run (install python3, or give --python PATH)", py);
		return -ENOTSUP;
	}
	/* threads in CPython without a GIL: only a free-threaded interpreter, which only
	 * starting one tells */
	if ((be->caps & BACKEND_CAP_THREADS) && !(be->caps & BACKEND_CAP_GIL_BOUND)) {
		snprintf(why, len, "a free-threaded CPython is found by starting interpreters, "
			 "which a dry run does not: left out of the plan (the run looks)");
		return -ENOTSUP;
	}
	return 0;
}

/* The names of backends bs for which caps & want == is (want 0: all), comma-separated. */
static void names(const struct backend *const *bs, size_t n, unsigned want, unsigned is,
		  char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 1 < len; i++)
		if ((bs[i]->caps & want) == is)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 bs[i]->name);
}

/* "35 s", or "420 s (7.0 min)". */
static const char *dur(char *buf, size_t len, double s)
{
	if (s < 120)
		snprintf(buf, len, "%.0f s", s < 1 ? 1 : s);
	else
		snprintf(buf, len, "%.0f s (%.1f min)", s, s / 60);
	return buf;
}

/* The machine, the lists, the worker counts and how they were chosen. */
static void print_lists(const struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	char buf[1024], what[320];
	size_t used = 0;
	int here = pin_topo_this_system(r->topo, what, sizeof(what));

	pin_topo_describe(r->topo, buf, sizeof(buf));
	printf("machine:   %s%s%s%s\n", buf, here ? "" : ", from ", here ? "" : what,
	       here ? "" : " (not this machine)");
	for (size_t i = 0; i < o->n_kernels; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? ", " : "",
					 o->kernels[i]->name);
	printf("kernels:   %s\n", buf);
	names(o->backends, o->n_backends, 0, 0, buf, sizeof(buf));
	names(o->backends, o->n_backends, BACKEND_CAP_PYTHON, BACKEND_CAP_PYTHON, what,
	      sizeof(what));
	printf("backends:  %s (and the baselines serial%s, if missing)\n", buf,
	       what[0] ? ", cpython" : "");
	if (r->n_mpi) {
		names(r->mpi_b, r->n_mpi, 0, 0, buf, sizeof(buf));
		printf("  by mpirun, one launch per worker count: %s\n", buf);
	}
	used = 0;
	for (size_t i = 0; i < o->n_workers; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%u", i ? ", " : "",
					 o->workers[i]);
	printf("workers:   %s", buf);
	if (r->workers_given) {
		printf(" (--workers)\n");
		return;
	}
	printf(" (the default: powers of two below the cores");
	if (pin_topo_numa_nodes(r->topo) > 1)
		printf(", one NUMA node's %u cores", pin_topo_domain_cores(r->topo, PIN_DOMAIN_NUMA));
	if (pin_topo_packages(r->topo) > 1)
		printf(", one package's %u", pin_topo_domain_cores(r->topo, PIN_DOMAIN_PACKAGE));
	printf(", all %u cores", pin_topo_cores(r->topo));
	if (pin_topo_pus(r->topo) > pin_topo_cores(r->topo))
		printf(r->smt ? ", all %u PUs (--smt)" : "; --smt adds all %u PUs",
		       pin_topo_pus(r->topo));
	printf("; at most %d)\n", PLACEMENT_MAX_COUNTS);
}

/* Where each count's workers go. */
static void print_placement(const struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	static struct pin_plan plan;
	char buf[2048];

	printf("placement (--pin %s):\n", r->pin);
	for (size_t i = 0; i < o->n_workers; i++) {
		unsigned w = o->workers[i];
		const char *mark = "";

		if (pin_plan_make(r->topo, r->pin, w, &plan) != 0) {
			printf("  %4u workers: cannot be planned\n", w);
			continue;
		}
		placement_describe(r->topo, &plan, buf, sizeof(buf));
		if (plan.oversubscribed || (w > pin_topo_cores(r->topo) && !plan.smt_shared))
			mark = " [*: workers share a PU: meaningless for speed]";
		else if (plan.smt_shared)
			mark = " [s: workers share cores]";
		printf("  %4u worker%s %s%s\n", w, w == 1 ? ": " : "s:", buf, mark);
	}
}

/* What the run's calibration will do, per kernel. */
static void print_calibration(const struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	char timed[512] = "", given[512] = "", pics[512] = "", py[512] = "";
	size_t ut = 0, ug = 0, up = 0, uy = 0;
	int python = 0;

	for (size_t b = 0; b < o->n_backends; b++)
		python |= (o->backends[b]->caps & BACKEND_CAP_PYTHON) != 0;
	for (size_t i = 0; i < o->n_kernels && !o->n_sizes; i++) {
		const struct kernel *k = o->kernels[i];

		if (o->kernel_sizes[i])
			ug += (size_t)snprintf(given + ug, sizeof(given) - ug, "%s%s=%llu", ug ? ", " : "",
					       k->name, (unsigned long long)o->kernel_sizes[i]);
		else if (k->timed_size)
			ut += (size_t)snprintf(timed + ut, sizeof(timed) - ut, "%s%s", ut ? ", " : "",
					       k->name);
		else
			up += (size_t)snprintf(pics + up, sizeof(pics) - up, "%s%s", up ? ", " : "",
					       k->name);
		if (python && !o->py_skip[i] && !o->py_sizes[i])
			uy += (size_t)snprintf(py + uy, sizeof(py) - uy, "%s%s", uy ? ", " : "", k->name);
	}
	printf("calibration (when the run starts: the sizes are known only then):\n");
	if (o->n_sizes)
		printf("  none: every kernel at each of the %zu --sizes\n", o->n_sizes);
	if (timed[0])
		printf("  %s: the size of a %g s serial run: serial runs of growing size until one "
		       "takes %g s, %g s more untimed, then the median of %d (~%g s each)\n", timed,
		       CALIB_TARGET_S / (o->kp.quick ? CALIB_QUICK_DIV : 1), CALIB_PROBE_S,
		       CALIB_WARM_S, CALIB_RUNS, EST_CALIB_S);
	if (given[0])
		printf("  %s: as given (--size)\n", given);
	if (pics[0] && r->image_path)
		printf("  %s: none: the picture of --image, %ux%u\n", pics, o->kp.image->w,
		       o->kp.image->h);
	else if (pics[0])
		printf("  %s: none: the %s synthetic picture\n", pics,
		       o->kp.quick ? "1024x1024" : "4096x4096");
	if (py[0])
		printf("  their CPython rows (%s): the size of a %g s cpython run (pictures: their "
		       "side), probed in the interpreter (~%g s each)\n", py,
		       CALIB_PY_TARGET_S / (o->kp.quick ? CALIB_PY_QUICK_DIV : 1), EST_PY_CALIB_S);
}

/* 0, or -errno if the run could not make its directory out (the nearest part of it that
 * exists must be a folder it may write); nothing is made here. */
static int check_out(const char *out)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s", out);
	for (;;) {
		const char *p = path[0] ? path : ".";
		char *slash = strrchr(path, '/');
		int e;

		if (stat(p, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
			return access(p, W_OK | X_OK) == 0 ? 0 : -errno;
		}
		e = errno;
		if (e != ENOENT || !path[0] || strcmp(path, "/") == 0)
			return -e;
		if (!slash)
			path[0] = '\0';
		else if (slash == path)
			path[1] = '\0';
		else
			*slash = '\0';
	}
}

static int by_time(const void *a, const void *b)
{
	double x = ((const struct est_part *)a)->s, y = ((const struct est_part *)b)->s;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The estimate: the first round and the whole run, what they hold. */
static void print_estimate(const struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	static struct est_launch la[SWEEP_MAX_LIST * SWEEP_MAX_LIST];
	struct estimate e;
	size_t nl = 0;
	char a[64], b[64], c[64], d[64];

	for (size_t m = 0; m < r->n_mpi; m++)
		for (size_t i = 0; i < o->n_workers; i++) {
			unsigned ranks;

			if (run_mpi_ranks(r, r->mpi_b[m], o->workers[i], &ranks) == 0)
				la[nl++] = (struct est_launch){ r->mpi_b[m], o->workers[i], ranks };
		}
	struct est_input in = {
		.o = o, .cores = pin_topo_cores(r->topo), .launches = la, .n_launches = nl,
		.repetitions = (unsigned)r->repetitions, .budget_s = o->budget_s,
		.min_time_s = o->min_time_s, .interleave = r->interleave,
		.calibrate = !o->n_sizes && !o->kp.size && !r->image_path,
		.image_pixels = r->image_path ? (uint64_t)o->kp.image->w * o->kp.image->h : 0,
	};

	estimate_run(&in, &e);
	printf("estimated duration: the first round ~%s, the whole run ~%s", dur(a, sizeof(a), e.first_s),
	       dur(b, sizeof(b), e.whole_s));
	if (r->repetitions)
		printf(" (%d repetitions each: no later rounds)\n", r->repetitions);
	else
		printf(" (budget %g s: later rounds spend what the first leaves)\n", o->budget_s);
	printf("  %zu configurations, %zu of them in %zu mpirun launch%s (~%s of launching); "
	       "%zu backend starts by parbench; before the measurement: calibration ~%s, copy "
	       "bandwidth ~%s\n", e.rows, e.mpi_rows, e.launches, e.launches == 1 ? "" : "es",
	       dur(c, sizeof(c), e.mpi_start_s), e.starts, dur(d, sizeof(d), e.calibrate_s),
	       dur(a, sizeof(a), e.roof_s));
	qsort(e.by, e.n_by, sizeof(e.by[0]), by_time);
	printf("  the first round by backend:");
	for (size_t i = 0; i < e.n_by; i++)
		printf("%s %s %.0f s", i ? "," : "", e.by[i].b->name, e.by[i].s);
	printf("\n");
}

/* What the estimate assumes, so that a reader can judge it. */
static void print_terms(const struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	const struct backend *all[2 * SWEEP_MAX_LIST];
	size_t n = 0;
	char gil[512];
	unsigned reps = r->repetitions ? (unsigned)r->repetitions : SWEEP_MIN_REPS;
	int spawn = o->py_start && strcmp(o->py_start, "fork") != 0;

	for (size_t i = 0; i < o->n_backends; i++)
		all[n++] = o->backends[i];
	for (size_t i = 0; i < r->n_mpi; i++)
		all[n++] = r->mpi_b[i];
	names(all, n, BACKEND_CAP_GIL_BOUND, BACKEND_CAP_GIL_BOUND, gil, sizeof(gil));
	printf("terms of the estimate (targets and stated costs, not measurements: a slower or "
	       "busier machine takes longer):\n");
	printf("  a serial run takes its calibration target, %g s (sizes given too: their time is "
	       "not known before they run); a picture %g s per 4096x4096; CPython rows %g s\n",
	       CALIB_TARGET_S / (o->kp.quick ? CALIB_QUICK_DIV : 1), EST_PICTURE_S,
	       CALIB_PY_TARGET_S / (o->kp.quick ? CALIB_PY_QUICK_DIV : 1));
	printf("  a parallel run: serial / min(workers, %u cores), a lower bound%s%s: all of "
	       "serial (one worker at a time holds the GIL); io_wait: serial / workers\n",
	       pin_topo_cores(r->topo), gil[0] ? "; " : "", gil[0] ? gil : "GIL-bound backends");
	printf("  each configuration: %u repetitions (the first round), each at least %g s "
	       "(--min-time: shorter runs batched)%s; one untimed warm-up, again after each "
	       "restart for the pictures and the CPython rows\n", reps, o->min_time_s,
	       r->interleave ? ", each restarting its backend (interleaved)" : "");
	printf("  starts: %g us per thread, %g ms per forked worker, CPython %g ms per interpreter "
	       "+ %g ms per pool process (%s), mpirun %g s + %g ms per rank per launch\n",
	       EST_THREAD_S * 1e6, EST_FORK_S * 1e3, EST_PY_START_S * 1e3,
	       (spawn ? EST_PY_SPAWN_S : EST_PY_FORK_S) * 1e3, spawn ? o->py_start : "fork",
	       EST_MPIRUN_S, EST_RANK_S * 1e3);
	printf("  the whole run: calibration (~%g s per kernel, CPython ~%g s) + copy bandwidth "
	       "(~%g s per worker count) + %s\n", EST_CALIB_S, EST_PY_CALIB_S, EST_ROOF_S,
	       r->repetitions ? "the first round"
			      : "the first round, or the budget if longer (later rounds spend it)");
}

int run_dry(struct run_cmd *r)
{
	char err[512];
	int rc;

	if (placement_check_topology(r->topo, err, sizeof(err)))
		usage_error("%s", err);
	rc = check_out(r->out_dir ? r->out_dir : "results");
	if (rc)
		usage_error("cannot write results directory '%s': %s",
			    r->out_dir ? r->out_dir : "results", strerror(-rc));
	printf("parbench run --dry-run: the plan; nothing is measured, written or started\n");
	print_lists(r);
	if (r->skipped[0])
		printf("%s\n", r->skipped);
	print_placement(r);
	print_calibration(r);
	printf("output:    %s/ (made when the run starts)\n",
	       r->out_dir ? r->out_dir : "results/<date>-<time>-<host>");
	print_estimate(r);
	print_terms(r);
	return 0;
}
