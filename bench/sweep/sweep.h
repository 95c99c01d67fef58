/*
 * sweep.h - the sweep over kernel x backend x workers, timed through the gbench shim.
 *
 * For each configuration: start the backend (timed on its own, as start-up cost, outside
 * the measurement), run once untimed as warm-up, then let Google Benchmark time repetitions
 * of backend runs, barrier to barrier.  Every run's result is verified by the kernel; a
 * configuration whose result is wrong is marked failed and never gets timings.  One kernel
 * instance (inputs) serves all backends; only one backend's workers exist at a time.
 * It does not print (progress goes through a callback) and does not write files.
 */
#ifndef PB_SWEEP_H
#define PB_SWEEP_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "kernel.h"
#include "machine.h"
#include "place.h"

#define SWEEP_MAX_LIST 64
#define SWEEP_BOOTSTRAP 2000 /* resamples for the speedup intervals */
#define SWEEP_MIN_REPS 5     /* adaptive repetitions: the first round */
#define SWEEP_MAX_REPS 40    /* adaptive repetitions: the cap per configuration */

struct sweep_row;

/* Called from the watchdog thread when a run hangs in a backend that cannot be cancelled
 * (threads): reason is "timed out after N s" or "stopped by SIGINT"; it must not return. */
typedef void sweep_hang_fn(const struct sweep_row *row, const char *reason, void *arg);


struct sweep_opts {
	const struct kernel *kernels[SWEEP_MAX_LIST];
	size_t n_kernels;
	const struct backend *backends[SWEEP_MAX_LIST]; /* serial is added if missing */
	size_t n_backends;
	unsigned workers[SWEEP_MAX_LIST];
	size_t n_workers;
	struct kernel_params kp;
	uint64_t sizes[SWEEP_MAX_LIST];  /* a size sweep (strong scaling at each size), or none */
	size_t n_sizes;
	int weak;                        /* weak scaling: size grows with workers (see sweep.c) */
	int no_baseline;                 /* do not add serial (under mpirun: ranks run alike) */
	int no_scatter;                  /* MPI: ranks use their own input */
	enum backend_schedule schedule;
	size_t chunk;
	unsigned switch_interval_us;
	unsigned max_tasks;              /* process pools: replace a worker after N tasks */
	int retry;                       /* process pools: re-run a dead worker's task once */
	const char *pin;                 /* pin policy text */
	const struct pin_topo *topo;
	double min_time_s;               /* per repetition, unless given as a gbench flag */
	unsigned repetitions;            /* a fixed count for every configuration (the gbench
					  * flag's), or 0: adaptive, see below */
	/* Adaptive repetitions: every configuration runs SWEEP_MIN_REPS times, then rounds of
	 * more repetitions (interleaved like the first) go to the configurations whose median's
	 * 95 % interval is wider than +-precision, until each is within it, has
	 * SWEEP_MAX_REPS, or the budget is spent (the widest first when it runs short). */
	double precision;                /* relative half-width wanted (0.015) */
	double budget_s;                 /* seconds the sweep may take in all (0: no limit) */
	int deterministic;               /* budget from the samples, not the clock: every MPI
					  * rank must make the same choices */
	struct machine_state *machine;   /* or NULL; else the steadiness probe (steady.h) runs
					  * between configurations and its results go here */
	uint64_t kernel_sizes[SWEEP_MAX_LIST]; /* per kernel (same index), or 0: kp.size */
	/* The CPython backends' rows (BACKEND_CAP_PYTHON) run at a size of their own, per
	 * kernel (same index; required for each kernel when there are such backends), on the
	 * synthetic picture for the filters, after the kernel's other rows; their speedups are
	 * against the serial row of their own interpreter (backend_baseline_of: cpython, or
	 * cpython-ft for the free-threaded rows), which is added if missing.  Not with sizes or
	 * weak. */
	uint64_t py_sizes[SWEEP_MAX_LIST];
	unsigned char py_skip[SWEEP_MAX_LIST]; /* per kernel: no CPython rows (--quick leaves
						* the picture filters' out) */
	const char *corrupt_kernel;      /* test hook: "kernel" or "kernel:N": its totals are made
					  * wrong (from its N-th run of a configuration on, counting
					  * the warm-up as run 1) */
	const char *hang_case;           /* test hook: "kernel/backend" runs never return */
	const char *crash_case;          /* test hook: "kernel/backend[:KILL|SEGV]" workers die */
	int drop_copyback;               /* test hook: fork-pool-pipe drops one chunk's output */
	const char *link_fail;           /* test hook: this backend's link probe fails */
	const char *py_fault;            /* test hook: "kernel/backend:kill|raise|hang" in a
					  * CPython worker's first task, or hang-start: the
					  * interpreter never gets ready ("kernel/calibration:..."
					  * in calibrate_python) */
	const char *steady_times;        /* test hook: "t1,t2,...": the steadiness probe's run
					  * times (s), in place of the measured ones */
	const char *python;              /* CPython backends: the interpreter (NULL: python3) */
	const char *py_start;            /* cpython-pool/-processes start method, or NULL */
	double timeout_s;                /* per backend run, and CPython start; 0 = none */
	sweep_hang_fn *hang;             /* an uncancellable run hangs (required with timeout) */
	void *hang_arg;
	atomic_int *stop;                /* set by a signal handler (lock-free, so async-signal-
					  * safe and visible to the watchdog thread): stop */
};

/* One measured (or failed) configuration. */
struct sweep_row {
	const struct kernel *k;
	const struct backend *b;
	unsigned workers;
	uint64_t size;          /* the kernel's --size unit, as set up */
	size_t items;           /* work items */
	uint64_t elements;      /* what the rate counts, per run (kernel_shape.elements) */
	char variant[16];       /* the kernels' instruction-set variant, "" for none and for
				 * the CPython rows (they run none of the C kernels' code) */
	int streamed;           /* filters: the output was written with streaming stores */
	uint64_t pixels;        /* image kernels: pixels per run (MPix/s), else 0 */
	uint64_t bytes;         /* image kernels: bytes read + written per run (GB/s) */
	uint32_t width, height; /* image kernels: the picture */
	int ran;                /* Google Benchmark ran it (filters may skip some) */
	int failed;             /* verification or a worker failed; no timings are valid */
	int interrupted;        /* the run was stopped before all its repetitions */
	int partial;            /* interrupted, but kept: at least 2 repetitions were complete */
	char error[320];
	size_t n_samples;
	double *samples;        /* seconds, one per repetition (owned) */
	int64_t iterations;     /* per repetition */
	double median, mean, stddev, cv, min, max; /* seconds; cv as a ratio */
	double startup_s;       /* backend start: threads created and pinned */
	double speedup;         /* serial median / this median, same kernel and size; 0 if none;
				 * weak scaling: workers x serial median (base size) / this median */
	double efficiency;      /* speedup / workers */
	double speedup_lo, speedup_hi; /* 95 % bootstrap interval of the speedup */
	double median_lo, median_hi;   /* order-statistics interval of the median ... */
	double median_level;           /* ... and its coverage (0.9375 for 5 repetitions) */
	double median_rel;             /* the interval's larger side, relative to the median */
	int wide;                      /* adaptive: median_rel ended above the precision wanted */
	double karp_flatt;      /* experimentally determined serial fraction (workers > 1) */
	struct pin_plan plan;
	char plan_text[256];    /* the plan as read back from a results file, if plan is empty */
	char cpus[2048];        /* CPUs the workers last ran on, "0,1"; MPI: rank@host:cpu ... */
	unsigned bind_failures;
	unsigned respawns;      /* process pools: workers replaced (--max-tasks, --retry) */
	uint64_t gil_switches;  /* pthreads-gil, over the whole configuration */
	int gil;                /* CPython rows: 1 their interpreter ran with a GIL, -1 without
				 * (as it said: sys._is_gil_enabled()); 0 not known, C rows */
	/* for the scaling model (backend.h: struct backend_traffic), per run */
	int link_known;         /* the backend was asked */
	int link_unknown;       /* its link probe failed: the fields below are unknown (nan in
				 * summary.csv), not nothing */
	uint64_t moved_bytes, volume_bytes, messages;
	double link_s, link_latency_s, link_bytes_per_s;
	unsigned parallel_cpus; /* distinct physical CPUs the workers ran on, 0 unknown */
	struct place_pages pages; /* where the kernel's buffers were placed, and were */
};

struct sweep {
	struct sweep_row *rows;
	size_t n_rows;
	unsigned cores;         /* physical cores of this machine */
	int weak;               /* rows are weak scaling (size = base size scaled by workers) */
	size_t n_sizes;         /* distinct sizes per kernel */
	unsigned failures;      /* rows that failed */
	unsigned interrupted;   /* rows not measured because of a stop request */
	unsigned partial;       /* rows kept with fewer repetitions because of a stop request */
	unsigned rounds;        /* calls of Google Benchmark: 1, or more when adaptive */
	unsigned wide;          /* adaptive: measured rows whose interval ended wider than wanted */
	double precision;       /* adaptive: the half-width wanted, or 0 (fixed repetitions) */
	double budget_s;        /* adaptive: the budget, or 0 */
	double seconds;         /* what the sweep took (set-up to the last round) */
};

/* After each configuration's last repetition of a round: done of total configurations in
 * round number `round`; eta_s: the plan's estimate of the rest (a negative value: none). */
struct sweep_progress {
	const struct sweep_row *row;
	size_t done, total;
	unsigned round;
	double elapsed_s, eta_s;
};
typedef void sweep_progress_fn(const struct sweep_progress *p, void *arg);

/* Builds, runs and evaluates the sweep.  gb_argv are Google Benchmark flags (argv[0] is a
 * program name).  0 if everything ran (rows may still have failed: check sw->failures),
 * or -errno with a one-line reason in err for set-up problems: -ERANGE (a size a kernel
 * rejects), -EINVAL (bad pin policy or flags), -ENOMEM. */
int sweep_run(struct sweep *sw, const struct sweep_opts *o, int gb_argc, const char *const *gb_argv,
	      int display, sweep_progress_fn *progress, void *progress_arg, char *err,
	      size_t err_len);
void sweep_free(struct sweep *sw);
/* Rows a and b belong to one group (one table, one baseline): the same kernel, the same size
 * unless weak scaling, and both C or both CPython rows (a CPython size equal to the C one
 * is still another group).  The one statement of that rule. */
int sweep_same_group(const struct sweep *sw, const struct sweep_row *a, const struct sweep_row *b);
/* r's baseline row: in r's group, on r's baseline backend (backend_baseline_of: serial,
 * cpython or cpython-ft, which runs in r's interpreter); the first such row, or NULL. */
const struct sweep_row *sweep_baseline(const struct sweep *sw, const struct sweep_row *r);
/* Weak scaling: the size at workers workers of a kernel whose base size is base.  Linear
 * sizes are multiplied; a picture's side (picture: the kernel has one) by sqrt(workers), so
 * that its pixels are. */
uint64_t sweep_weak_size(uint64_t base, int picture, unsigned workers);
/* Moves more's rows (measured by another process: mpirun's ranks) into sw, each after the
 * rows of its group, and re-evaluates speedups against sw's serial rows. */
int sweep_merge(struct sweep *sw, struct sweep *more);
/* Speedups and efficiencies from what is measured so far (sweep_run does it at the end);
 * it calls sweep_mark_wide(). */
void sweep_evaluate(struct sweep *sw);
/* Each row's median interval (median_rel) and, for adaptive runs, whether it ended wider
 * than sw->precision (wide, counted in sw->wide). */
void sweep_mark_wide(struct sweep *sw);

/* A test hook's value "kernel/backend[:ARG]" against a kernel and a backend (or another
 * place, "calibration"): ARG ("" without one) if it names both exactly, else NULL.  The one
 * matcher of the hooks (the sweep's and the filter command's). */
const char *sweep_hook_arg(const char *hook, const char *kernel, const char *where);

#endif
