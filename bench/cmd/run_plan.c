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
#include "text.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int run_plan_available(const struct run_cmd *r, const struct backend *be, char *why,
		       size_t len)
{
	const char *py = backend_python(r->o.python);

	if (!(be->caps & BACKEND_CAP_PYTHON)) /* their checks start nothing */
		return backend_available(be, r->o.python, why, len);
	if (!launch_executable(py)) {
		snprintf(why, len, "no '%.200s' to run (install python3, or give --python PATH)", py);
		return -ENOTSUP;
	}
	/* the free-threaded rows (and their baseline): only starting an interpreter tells
	 * whether one is free-threaded */
	if (be->caps & BACKEND_CAP_FREE_THREADED) {
		snprintf(why, len, "a free-threaded CPython is found by starting interpreters, "
			 "which a dry run does not: left out of the plan (the run looks)");
		return -ENOTSUP;
	}
	return 0;
}

#define PLAN_WIDTH 100 /* columns: longer lines wrap, indented */

/* One line of the plan, wrapped (text_wrap); continuation lines indented by indent. */
__attribute__((format(printf, 2, 3))) static void say(int indent, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	text_wrap(stdout, PLAN_WIDTH, (size_t)indent, line);
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

/* "35 s", or "420 s (7.0 min)", their spaces kept whole (\037: TEXT_NBSP). */
static const char *dur(char *buf, size_t len, double s)
{
	if (s < 120)
		snprintf(buf, len, "%.0f\037s", s < 1 ? 1 : s);
	else
		snprintf(buf, len, "%.0f\037s (%.1f\037min)", s, s / 60);
	return buf;
}

/* The backends parbench runs itself, and the baselines sweep.c adds to them. */
static void print_backends(const struct sweep_opts *o)
{
	const struct backend *added[2];
	size_t n_added = 0, used;
	char buf[1024];

	for (size_t i = 0; i < o->n_backends; i++) {
		const struct backend *base = backend_baseline_of(o->backends[i]);
		int known = n_added && added[0] == base;

		for (size_t j = 0; j < o->n_backends; j++)
			known |= o->backends[j] == base;
		if (base && !known && n_added < 2)
			added[n_added++] = base;
	}
	names(o->backends, o->n_backends, 0, 0, buf, sizeof(buf));
	used = strlen(buf);
	for (size_t k = 0; k < n_added; k++)
		text_append(buf, sizeof(buf), &used, "%s%s (a baseline, added)",
			    used ? ", " : "", added[k]->name);
	say(11, "backends:  %s", buf);
}

/* The machine, the lists, the worker counts and how they were chosen. */
static void print_lists(const struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	char buf[1024], what[320];
	size_t used = 0;
	int here = pin_topo_this_system(r->topo, what, sizeof(what));

	pin_topo_describe(r->topo, buf, sizeof(buf));
	say(11, "machine:   %s%s%s%s", buf, here ? "" : ", from ", here ? "" : what,
	    here ? "" : " (not this machine)");
	for (size_t i = 0; i < o->n_kernels; i++)
		text_append(buf, sizeof(buf), &used, "%s%s", i ? ", " : "", o->kernels[i]->name);
	say(11, "kernels:   %s", buf);
	print_backends(o);
	if (r->n_mpi) {
		names(r->mpi_b, r->n_mpi, 0, 0, buf, sizeof(buf));
		say(4, "  by mpirun, one launch per worker count: %s", buf);
	}
	used = 0;
	for (size_t i = 0; i < o->n_workers; i++)
		text_append(buf, sizeof(buf), &used, "%s%u", i ? ", " : "", o->workers[i]);
	if (r->workers_given) {
		say(11, "workers:   %s (--workers)", buf);
		return;
	}
	const struct pin_topo *t = r->topo;
	unsigned numa = pin_topo_numa_nodes(t) > 1 ? pin_topo_domain_cores(t, PIN_DOMAIN_NUMA) : 0;
	unsigned pkg = pin_topo_packages(t) > 1 ? pin_topo_domain_cores(t, PIN_DOMAIN_PACKAGE) : 0;
	unsigned cores = pin_topo_cores(t), pus = pin_topo_pus(t);

	text_append(buf, sizeof(buf), &used, " (the default: powers of two below the cores");
	if (numa)
		text_append(buf, sizeof(buf), &used, ", one NUMA node's %u cores", numa);
	if (pkg)
		text_append(buf, sizeof(buf), &used, ", one package's %u", pkg);
	text_append(buf, sizeof(buf), &used, ", all %u cores", cores);
	if (pus > cores)
		text_append(buf, sizeof(buf), &used, r->smt ? ", all %u PUs (--smt)"
							    : "; --smt adds all %u PUs", pus);
	say(11, "workers:   %s; at most %d)", buf, PLACEMENT_MAX_COUNTS);
}

/* Where each count's workers go. */
static void print_placement(const struct run_cmd *r)
{
	const struct sweep_opts *o = &r->o;
	struct pin_plan plan;
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
		say(15, "  %4u worker%s %s%s", w, w == 1 ? ": " : "s:", buf, mark);
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
	say(0, "calibration (when the run starts: the sizes are known only then):");
	if (o->n_sizes)
		say(4, "  none: every kernel at each of the %zu --sizes", o->n_sizes);
	if (timed[0])
		say(4, "  %s: the size of a %g s serial run: serial runs of growing size until one "
		       "takes %g s, %g s more untimed, then the median of %d (~%g s each)", timed,
		       CALIB_TARGET_S / (o->kp.quick ? CALIB_QUICK_DIV : 1), CALIB_PROBE_S,
		       CALIB_WARM_S, CALIB_RUNS, EST_CALIB_S);
	if (given[0])
		say(4, "  %s: as given (--size)", given);
	if (pics[0] && r->image_path)
		say(4, "  %s: none: the picture of --image, %ux%u", pics, o->kp.image->w,
		       o->kp.image->h);
	else if (pics[0])
		say(4, "  %s: none: the %s synthetic picture", pics,
		       o->kp.quick ? "1024x1024" : "4096x4096");
	if (py[0])
		say(4, "  their CPython rows (%s): the size of a %g s cpython run (pictures: their "
		       "side), probed in the interpreter (~%g s each)", py,
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
	struct est_launch la[SWEEP_MAX_LIST * SWEEP_MAX_LIST]; /* 64 KiB */
	struct estimate e;
	size_t nl = 0, used = 0;
	char a[64], b[64], c[128], d[64], all[1024] = "";

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
	if (r->repetitions)
		snprintf(c, sizeof(c), "%d repetitions each: no later rounds", r->repetitions);
	else
		snprintf(c, sizeof(c), "budget %g s: the first round runs whole, later ones while "
			 "it lasts", o->budget_s);
	say(2, "estimated duration: the first round ~%s, the whole run ~%s (%s)",
	    dur(a, sizeof(a), e.first_s), dur(b, sizeof(b), e.whole_s), c);
	say(4, "  %zu configurations, %zu of them in %zu mpirun launch%s (~%s of launching); "
	    "%zu backend starts by parbench; before the measurement: calibration ~%s, copy "
	    "bandwidth ~%s", e.rows, e.mpi_rows, e.launches, e.launches == 1 ? "" : "es",
	    dur(c, sizeof(c), e.mpi_start_s), e.starts, dur(d, sizeof(d), e.calibrate_s),
	    dur(a, sizeof(a), e.roof_s));
	qsort(e.by, e.n_by, sizeof(e.by[0]), by_time);
	for (size_t i = 0; i < e.n_by; i++)
		text_append(all, sizeof(all), &used, "%s %s\037%.0f\037s", i ? "," : "",
			    e.by[i].b->name, e.by[i].s);
	say(4, "  the first round by backend:%s", all);
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
	say(2, "terms of the estimate (targets and stated costs, not measurements: a slower or "
	       "busier machine takes longer):");
	say(4, "  a serial run takes its calibration target, %g s (sizes given too: their time is "
	       "not known before they run); a picture %g s per 4096x4096; CPython rows %g s",
	       CALIB_TARGET_S / (o->kp.quick ? CALIB_QUICK_DIV : 1), EST_PICTURE_S,
	       CALIB_PY_TARGET_S / (o->kp.quick ? CALIB_PY_QUICK_DIV : 1));
	say(4, "  a parallel run: serial / min(workers, %u cores), a lower bound%s%s: all of "
	       "serial (one worker at a time holds the GIL); io_wait: serial / workers",
	       pin_topo_cores(r->topo), gil[0] ? "; " : "", gil[0] ? gil : "GIL-bound backends");
	say(4, "  each configuration: %u repetitions (the first round), each at least %g s "
	       "(--min-time: shorter runs batched)%s; one untimed warm-up, again after each "
	       "restart for the pictures and the CPython rows", reps, o->min_time_s,
	       r->interleave ? ", each restarting its backend (interleaved)" : "");
	say(4, "  starts: %g us per thread, %g ms per forked worker, CPython %g ms per interpreter "
	       "+ %g ms per pool process (%s), mpirun %g s + %g ms per rank per launch",
	       EST_THREAD_S * 1e6, EST_FORK_S * 1e3, EST_PY_START_S * 1e3,
	       (spawn ? EST_PY_SPAWN_S : EST_PY_FORK_S) * 1e3, spawn ? o->py_start : "fork",
	       EST_MPIRUN_S, EST_RANK_S * 1e3);
	say(4, "  the whole run: calibration (~%g s per kernel, CPython ~%g s) + copy bandwidth "
	       "(~%g s per worker count) + %s", EST_CALIB_S, EST_PY_CALIB_S, EST_ROOF_S,
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
	for (const char *p = r->skipped; *p; p += strcspn(p, "\n"), p += *p == '\n')
		say(2, "%.*s", (int)strcspn(p, "\n"), p);
	print_placement(r);
	print_calibration(r);
	printf("output:    %s/ (made when the run starts)\n",
	       r->out_dir ? r->out_dir : "results/<date>-<time>-<host>");
	print_estimate(r);
	print_terms(r);
	return 0;
}
