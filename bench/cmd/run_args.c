/*
 * run_args.c - parbench run's options: the table (help text), their values, and what they
 * must say together.  Nothing runs here: no interpreter, no probe, no process (which
 * backends this machine can run is asked when the run starts, run_keep_available); files
 * named by options are only read.  The MPI ranks are not given these options: the run
 * writes them a plan of what they measure (run_mpi.c, rank_plan.h).
 */
#include "run.h"

#include "backend.h"
#include "kernel.h"
#include "launch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_KERNELS, O_BACKENDS, O_WORKERS, O_SIZE, O_SIZES, O_SCALING, O_TASKS, O_SLEEP_US,
	O_QUICK, O_OUT, O_SWITCH, O_SCHEDULE, O_CHUNK, O_TRANSPORT, O_TIMEOUT, O_RETRY,
	O_MAX_TASKS, O_PIN, O_REPETITIONS, O_BUDGET, O_MIN_TIME, O_NO_INTERLEAVE, O_VERBOSE,
	O_HOSTFILE, O_THREADS, O_NO_SCATTER, O_INTERCONNECT, O_ISA, O_IMAGE, O_NO_REPORT,
	O_PYTHON, O_START_METHOD, O_PY_SIZE, O_SIZES_FROM, O_DRY_RUN, O_SMT, O_FULL,
};

static const struct opt opts[] = {
	{ O_KERNELS, "kernels", "LIST", "comma-separated kernel names, or all (default)", 0 },
	{ O_BACKENDS, "backends", "LIST", "comma-separated backend names, or all (default); serial is\n"
					  "always measured as the baseline", 0 },
	{ O_WORKERS, "workers", "LIST", "worker counts (default: 1, 2, 4, ... below the cores, one NUMA\n"
					"node's and one package's cores, all cores; at most 8)", 0 },
	{ O_SMT, "smt", NULL, "add all PUs (SMT siblings included) to the default worker counts", 0 },
	{ O_SIZE, "size", "N", "problem size in the kernel's unit (see list); 2e9 and 7.1e8 are\n"
			       "accepted (whole values only);\n"
			       "or per kernel: --size sum_squares=2e9,range_sum=3e8 (default:\n"
			       "calibrated at the start so that one serial run takes ~0.25 s,\n"
			       "--quick ~20x less; pictures stay 4096x4096, --quick 1024x1024)", 0 },
	{ O_SIZES_FROM, "sizes-from", "DIR", "the sizes of the run in DIR (C and CPython rows, per kernel),\n"
					    "so that a run compares cell by cell with it", 0 },
	{ O_SIZES, "sizes", "LIST", "a size sweep, e.g. 1e4,1e6,1e8: speedups per size and each\n"
				    "backend's break-even size", 0 },
	{ O_SCALING, "scaling", "strong|weak", "strong (default): fixed size; weak: the size grows with the\n"
					       "workers (pictures: pixels), speedup scaled accordingly", 0 },
	{ O_TASKS, "tasks", "N", "task count for kernels that have tasks", 0 },
	{ O_SLEEP_US, "sleep-us", "US", "io_wait: blocking time of one item", 0 },
	{ O_QUICK, "quick", NULL, "default sizes ~20x smaller, budget 30 s", 0 },
	{ O_OUT, "out", "DIR", "results directory (default results/<date>-<time>-<host>): new,\n"
			       "empty, or an earlier run, replaced whole at the end", 0 },
	{ O_SWITCH, "switch-interval", "US", "pthreads-gil switch interval (default 5000, CPython's)", 0 },
	{ O_SCHEDULE, "schedule", "S", "static, dynamic or guided (thread backends)", 0 },
	{ O_CHUNK, "chunk", "N", "items per chunk (default: see README)", 0 },
	{ O_TRANSPORT, "transport", "T", "shm or pipe: which fork-pool transport to run (default both)", 0 },
	{ O_TIMEOUT, "timeout", "S", "seconds one run, or a CPython interpreter's start, may take\n"
				      "before it is stopped (default 300)", 0 },
	{ O_RETRY, "retry", NULL, "fork-pool: re-run a dead worker's task once instead of failing", 0 },
	{ O_MAX_TASKS, "max-tasks", "N", "fork-pool: replace each worker after N tasks", 0 },
	{ O_PIN, "pin", "P", "none, compact (default: one PU per core first), compact-smt (every\n"
			     "PU of a core first), spread, or a PU list such as 0,2-3", 0 },
	{ O_REPETITIONS, "repetitions", "N", "a fixed count per configuration (default: adaptive, at least 5,\n"
					     "more until the median's 95% interval is within +-1.5%, at most\n"
					     "40, while the budget lasts)", 0 },
	{ O_BUDGET, "budget", "S", "seconds the adaptive sweep may take in all (default 180, quick\n"
				   "30): more buys narrower intervals", 0 },
	{ O_MIN_TIME, "min-time", "S", "minimum seconds per repetition: shorter runs are batched into\n"
				       "one sample (default 0.04, quick 0.01)", 0 },
	{ O_NO_INTERLEAVE, "no-interleave", NULL, "run each configuration's repetitions back to back (default:\n"
						  "interleaved at random across configurations, so drift of the\n"
						  "machine's speed hits all of them alike)", 0 },
	{ O_VERBOSE, "verbose", NULL, "also show Google Benchmark's own console output", 0 },
	{ O_FULL, "full", NULL, "print the full tables (every column, every analysis line) instead\n"
				"of the compact ones; report.md and report.html have both", 0 },
	{ O_HOSTFILE, "hostfile", "FILE", "MPI: the hosts mpirun starts ranks on (Open MPI hostfile)", 0 },
	{ O_THREADS, "threads", "T", "mpi+openmp: OpenMP threads per rank (default 2)", 0 },
	{ O_NO_SCATTER, "no-scatter", NULL, "MPI: every rank uses the input it made (no scatter of rows)", 0 },
	{ O_INTERCONNECT, "interconnect", "TEXT", "MPI: how the hosts are connected, for the tables", 0 },
	{ O_ISA, "isa", "V", "the kernels' instruction-set variant (see parbench list)", 0 },
	{ O_IMAGE, "image", "FILE", "filters: benchmark on this PNG or JPEG instead of the synthetic\n"
				    "picture (without --kernels: the four filters only)", 0 },
	{ O_NO_REPORT, "no-report", NULL, "write the files only: no table, report.md or charts", 0 },
	{ O_PYTHON, "python", "PATH", "the interpreter of the cpython* backends (default: the system's\n"
				      "/usr/bin/python3); of the *-ft ones if it is free-threaded (else\n"
				      "python3.13t, python3.14t or python3.15t)", 0 },
	{ O_START_METHOD, "start-method", "M", "cpython-pool and cpython-processes: fork, spawn or forkserver\n"
					       "(default: Python's, fork on Linux before 3.14)", 0 },
	{ O_PY_SIZE, "python-size", "N", "the size of the cpython* rows, or per kernel as for --size\n"
					 "(default: calibrated so that one cpython run takes ~0.05 s,\n"
					 "--quick ~0.01 s; pictures by their side)", 0 },
	{ O_DRY_RUN, "dry-run", NULL, "print the plan and its estimated duration; measure, write and\n"
				      "start nothing", 0 },
	{ 0 },
};

const struct opt_cmd run_cli = {
	.name = "run",
	.synopsis = "[options] [-- google-benchmark flags]",
	.about = "The sweep: every kernel x backend x worker count, timed barrier to barrier through\n"
		 "Google Benchmark, every result verified; the speedup tables on stdout and a run\n"
		 "directory under results/.  PARBENCH_ISA=V (or --isa V) runs the kernels'\n"
		 "instruction-set variant V (avx512vbmi, avx512, avx2, avx2_128, sse2, generic) in\n"
		 "every kernel; default: each kernel's fastest, timed at the start on work that\n"
		 "fits in L2.",
	.opts = opts,
	.tail = 1,
};


/* opt N (every kernel: *all) or opt name=N,... (those kernels; each named once). */
static void parse_size(const char *opt, const char *v, uint64_t *all, struct kernel_size_list *ks)
{
	char buf[1024], names[512];
	char *save = NULL;

	if (!strchr(v, '=')) {
		*all = opt_u64(opt, v, 1, UINT64_MAX);
		return;
	}
	opt_check_list(opt, v);
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');

		if (!eq)
			usage_error("bad item '%s' in %s (N for every kernel, or kernel=N,...)", t, opt);
		*eq = '\0';
		const struct kernel *k = kernel_find(t);

		if (!k) {
			kernel_names(names, sizeof(names));
			usage_error("unknown kernel '%s' in %s (known: %s)", t, opt, names);
		}
		if (ks->n == SWEEP_MAX_LIST)
			usage_error("too many sizes in '%s'", v);
		for (size_t i = 0; i < ks->n; i++) /* also across repeated options: they add up */
			if (ks->k[i] == k)
				opt_twice(opt, k->name);
		ks->k[ks->n] = k;
		ks->size[ks->n++] = opt_u64(opt, eq + 1, 1, UINT64_MAX);
	}
}

/* The sizes given, per kernel of the run (N: all; kernel=N for others is ignored). */
static void apply_sizes(const struct sweep_opts *o, uint64_t all,
			const struct kernel_size_list *ks, uint64_t *sizes)
{
	for (size_t i = 0; i < o->n_kernels && all; i++)
		sizes[i] = all; /* --size N: every kernel's */
	for (size_t i = 0; i < o->n_kernels; i++)
		for (size_t j = 0; j < ks->n; j++)
			if (ks->k[j] == o->kernels[i])
				sizes[i] = ks->size[j];
}

/* "shm" or "pipe": the fork-pool backend name for that transport. */
static const char *parse_transport(const char *s)
{
	if (strcmp(s, "shm") == 0)
		return "fork-pool";
	if (strcmp(s, "pipe") == 0)
		return "fork-pool-pipe";
	usage_error("unknown transport '%s' (known: shm, pipe)", s);
}

/* Of the fork pool's transports, only backend name runs. */
static void keep_transport(struct sweep_opts *o, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < o->n_backends; i++)
		if (!(o->backends[i]->caps & BACKEND_CAP_TRANSPORT))
			o->backends[n++] = o->backends[i];
	if (n < SWEEP_MAX_LIST)
		o->backends[n++] = backend_find(name);
	o->n_backends = n;
}

static void on_opt(void *ctx, const struct opt *op, const char *v)
{
	struct run_cmd *r = ctx;
	struct sweep_opts *o = &r->o;
	const char *name = op->name;
	char opt[64];

	snprintf(opt, sizeof(opt), "--%s", name);
	switch (op->id) {
	case O_KERNELS: parse_kernels(v, o); r->kernels_given = 1; break;
	case O_BACKENDS: parse_backends(v, o); r->backends_given = 1; break;
	case O_WORKERS: parse_workers(v, o); r->workers_given = 1; break;
	case O_SMT: r->smt = 1; break;
	case O_DRY_RUN: r->dry_run = 1; break;
	case O_SIZE: parse_size("--size", v, &o->kp.size, &r->sizes); break;
	case O_PY_SIZE: parse_size("--python-size", v, &r->py_size, &r->py_sizes); break;
	case O_PYTHON: o->python = v; break;
	case O_SIZES_FROM: r->sizes_from = v; break;
	case O_START_METHOD:
		if (strcmp(v, "fork") && strcmp(v, "spawn") && strcmp(v, "forkserver"))
			usage_error("unknown start method '%s' (known: fork, spawn, forkserver)", v);
		o->py_start = v;
		break;
	case O_SIZES:
		o->n_sizes = opt_u64_list(opt, v, "sizes", "size", 1, UINT64_MAX, o->sizes,
					  SWEEP_MAX_LIST);
		break;
	case O_SCALING:
		if (strcmp(v, "weak") != 0 && strcmp(v, "strong") != 0)
			usage_error("unknown scaling '%s' (known: strong, weak)", v);
		o->weak = strcmp(v, "weak") == 0;
		break;
	case O_TASKS: o->kp.tasks = (unsigned)opt_u64(opt, v, 1, 1u << 20); break;
	case O_SLEEP_US: o->kp.sleep_us = (unsigned)opt_u64(opt, v, 1, 10000000); break;
	case O_QUICK: o->kp.quick = 1; break;
	case O_OUT: r->out_dir = v; break;
	case O_SWITCH: o->switch_interval_us = (unsigned)opt_u64(opt, v, 1, 10000000); break;
	case O_SCHEDULE: o->schedule = parse_schedule(v); break;
	case O_CHUNK: o->chunk = (size_t)opt_u64(opt, v, 1, SIZE_MAX); break;
	case O_TRANSPORT: r->transport = parse_transport(v); break;
	case O_TIMEOUT: o->timeout_s = opt_seconds(opt, v); break;
	case O_RETRY: o->retry = 1; break;
	case O_MAX_TASKS: o->max_tasks = (unsigned)opt_u64(opt, v, 1, UINT32_MAX); break;
	case O_PIN: check_pin_list(opt, r->pin = v); break;
	case O_REPETITIONS: r->repetitions = (int)opt_u64(opt, v, 1, 1000); break;
	case O_BUDGET: r->budget = opt_seconds(opt, v); break;
	case O_MIN_TIME: r->min_time = opt_seconds(opt, v); break;
	case O_NO_INTERLEAVE: r->interleave = 0; break;
	case O_VERBOSE: r->verbose = 1; break;
	case O_HOSTFILE: r->hostfile = v; break;
	case O_THREADS: r->threads = (unsigned)opt_u64(opt, v, 1, BACKEND_MAX_WORKERS); break;
	case O_NO_SCATTER: o->no_scatter = 1; break;
	case O_INTERCONNECT: r->interconnect = v; break;
	case O_ISA: set_variant(r->isa = v, "--isa"); break;
	case O_IMAGE: r->image_path = v; break;
	case O_NO_REPORT: r->no_report = 1; break;
	case O_FULL: r->full = 1; break;
	}
}

/* MPI backends: under mpirun they are all that runs (every rank measures them, run_ranks.c);
 * else parbench starts mpirun itself after its other backends (run_mpi.c). */
static void split_mpi_backends(struct run_cmd *r)
{
	struct sweep_opts *o = &r->o;
	size_t kept = 0;

	for (size_t b = 0; b < o->n_backends; b++) {
		int mpi = (o->backends[b]->caps & BACKEND_CAP_NEEDS_LAUNCHER) != 0;

		if (r->launched && !mpi && r->backends_given)
			usage_error("under mpirun only the MPI backends run ('%s' is not one): "
				    "parbench run starts mpirun itself", o->backends[b]->name);
		if (mpi && !r->launched)
			r->mpi_b[r->n_mpi++] = o->backends[b];
		else if (mpi || !r->launched)
			o->backends[kept++] = o->backends[b];
	}
	o->n_backends = kept;
	if (r->launched) {
		r->interleave = 0; /* ranks never interleave (rank.h): meta.json says so */
		if (o->n_backends == 0)
			usage_error("under mpirun, but this parbench has no MPI backend");
	}
}

/* The MPI ranks are told a plan (rank_plan.h): what the run passes on must fit it. */
static void check_plan_fits(const struct run_cmd *r)
{
	const struct rank_plan *p = &r->plan; /* for the sizes of its fields */

	if (strlen(r->pin) >= sizeof(p->pin))
		usage_error("--pin '%.40s...' is too long for the MPI ranks (at most 255 bytes)",
			    r->pin);
	if (r->argc - r->given.tail > RANK_PLAN_GB_MAX)
		usage_error("at most %d Google Benchmark flags with the MPI backends",
			    RANK_PLAN_GB_MAX);
	for (int i = r->given.tail; i < r->argc; i++) {
		const char *f = r->argv[i];
		size_t n = 0;

		while (f[n] && (unsigned char)f[n] >= 0x20 && f[n] != 0x7f)
			n++;
		if (strncmp(f, "--", 2) != 0 || f[n] || n >= sizeof(p->gbench[0]))
			usage_error("Google Benchmark flag '%.40s' cannot reach the MPI ranks (a flag "
				    "is --name=value, printable, under 256 bytes)", f);
	}
}

/* What the options say together, before anything runs. */
static void check_options(struct run_cmd *r)
{
	struct sweep_opts *o = &r->o;
	char err[512];

	if (r->hostfile && launch_check_hostfile(r->hostfile, err, sizeof(err)))
		usage_error("%s", err);
	apply_sizes(o, o->kp.size, &r->sizes, o->kernel_sizes);
	apply_sizes(o, r->py_size, &r->py_sizes, o->py_sizes);
	run_sizes_from(r);
	if (o->n_sizes && (o->kp.size || r->sizes.n))
		usage_error("--size and --sizes exclude each other");
	if (r->repetitions && r->budget)
		usage_error("--repetitions and --budget exclude each other (the budget limits "
			    "adaptive repetitions)");
	if (o->weak && o->n_sizes)
		usage_error("--scaling weak takes one base size (--size), not --sizes");
	if (o->weak && r->image_path)
		usage_error("--scaling weak needs a picture that grows: not with --image");
	if (r->image_path && (o->n_sizes || o->kp.size || r->sizes.n))
		usage_error("--image sets the picture's size: not with --size or --sizes");
	if (r->smt && r->workers_given)
		usage_error("--smt adds to the default worker counts: not with --workers (name the "
			    "counts there)");
	if (r->dry_run && (r->launched || r->no_report))
		usage_error("--dry-run plans a run: not under mpirun or with --no-report");
	if (r->n_mpi || r->launched)
		check_plan_fits(r);
}

void run_parse(void *state, int argc, char **argv)
{
	struct run_cmd *r = state;

	memset(r, 0, sizeof(*r));
	r->pin = "compact";
	r->interleave = 1;
	r->threads = 2;
	r->argc = argc;
	r->argv = argv;
	r->rank = launch_rank();
	r->launched = r->rank >= 0;
	parse_kernels("all", &r->o);
	parse_backends("all", &r->o);
	opt_parse(&run_cli, argc, argv, 2, on_opt, r, &r->given);
	for (int i = r->given.tail; i < argc; i++)
		if (strncmp(argv[i], "--benchmark_repetitions=", 24) == 0)
			r->repetitions = atoi(argv[i] + 24); /* Google Benchmark's flag fixes it */
	if (r->transport)
		keep_transport(&r->o, r->transport);
	split_mpi_backends(r);
	check_options(r);
}

