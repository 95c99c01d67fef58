/*
 * estimate.h - how long a run will take, before it runs: from the calibration targets
 * (calibrate.h), the lower bound of a parallel run's time, the backends' start costs, the
 * warm-ups and the repetitions of the first round, and the time budget (sweep.h).  An
 * estimate, not a measurement: nothing here runs, times or starts anything, and every
 * constant below is stated with the plan (`parbench run --dry-run`).
 */
#ifndef PB_ESTIMATE_H
#define PB_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "sweep.h"

/* A filter's serial run on the 4096 x 4096 picture (the pictures are not calibrated): ~10 ms
 * on a 2-core AMD EPYC Zen 3 (README); in proportion to the pixels for other pictures. */
#define EST_PICTURE_S      0.01
#define EST_PICTURE_PIXELS (4096.0 * 4096.0)
#define EST_THREAD_S       50e-6  /* to create and pin one thread (pthreads: ~60 us) */
#define EST_FORK_S         0.5e-3 /* to fork one pool worker (fork-pool start: ~0.5 ms each) */
#define EST_PY_START_S     0.03   /* to start a CPython interpreter (20-50 ms) */
#define EST_PY_FORK_S      0.005  /* one multiprocessing worker, fork (Process: 4.7 ms) */
#define EST_PY_SPAWN_S     0.08   /* ... spawn or forkserver (a fresh interpreter: 78 ms) */
#define EST_MPIRUN_S       0.5    /* one mpirun launch (0.3-1 s) ... */
#define EST_RANK_S         0.02   /* ... and per rank it starts */
#define EST_CALIB_S        0.4    /* calibrating one kernel's size (calibrate.c's probe) */
#define EST_PY_CALIB_S     0.5    /* ... its CPython size (an interpreter per probe) */
#define EST_ROOF_S         0.1    /* the copy bandwidth at one worker count (roof.c) */

/* One mpirun launch: backend b at workers, as ranks processes. */
struct est_launch {
	const struct backend *b;
	unsigned workers, ranks;
};

struct est_input {
	const struct sweep_opts *o;   /* kernels, the backends parbench runs itself, worker
				       * counts, sizes given, kp.quick, py_skip, py_start */
	unsigned cores;               /* of the planned machine */
	const struct est_launch *launches; /* the MPI rows, one launch each */
	size_t n_launches;
	unsigned repetitions;         /* a fixed count, or 0: adaptive (SWEEP_MIN_REPS first) */
	double budget_s;              /* adaptive: the whole measurement's */
	double min_time_s;            /* a repetition at least this long (runs batched) */
	int interleave;               /* every repetition restarts its backend */
	int calibrate;                /* the C sizes not given are calibrated at the start */
	uint64_t image_pixels;        /* --image: its pixels; 0: the synthetic picture */
};

struct estimate {
	size_t rows;          /* configurations, all told ... */
	size_t mpi_rows;      /* ... of which mpirun's ranks measure */
	size_t launches;      /* mpirun launches */
	size_t starts;        /* backend starts in the first round (parbench's own rows) */
	double calibrate_s;   /* sizes found before the measurement */
	double roof_s;        /* the copy bandwidth, before the measurement */
	double mpi_start_s;   /* what the launches cost beyond their rows */
	double first_s;       /* the first round: every configuration's repetitions, its
			       * starts and warm-ups, the launches included */
	double whole_s;       /* calibration + roof + the first round, or the budget if that
			       * is longer (adaptive rounds spend what is left of it) */
	struct est_part {
		const struct backend *b;
		double s;     /* the first round of its rows (launches: beyond their cost) */
	} by[2 * SWEEP_MAX_LIST + 2];
	size_t n_by;          /* backends, in the order they first appear */
};

/* The estimate of the run in. */
void estimate_run(const struct est_input *in, struct estimate *out);
/* Seconds of one run of kernel k on backend b at w workers when a serial run takes
 * serial_s: serial_s / min(w, cores), all of serial_s for a backend whose GIL lets one
 * worker compute at a time, serial_s / w for blocking items (io_wait: they need no core
 * and release the GIL). */
double estimate_run_s(const struct kernel *k, const struct backend *b, unsigned w,
		      unsigned cores, double serial_s);
/* Seconds to start backend b with w workers (py_start: CPython's start method or NULL). */
double estimate_start_s(const struct backend *b, unsigned w, const char *py_start);

#endif
