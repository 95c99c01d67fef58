/*
 * run.h - the state of `parbench run`, shared by its parts: run.c (options and the run),
 * run_mpi.c (the MPI rows, measured by ranks mpirun starts) and run_out.c (the results).
 */
#ifndef PB_CMD_RUN_H
#define PB_CMD_RUN_H

#include "calibrate.h"
#include "cmd.h"
#include "machine.h"
#include "report.h"
#include "roof.h"

/* Sizes given per kernel: --size name=N,name=N (applied once the kernel list is known). */
struct kernel_size_list {
	size_t n;
	const struct kernel *k[SWEEP_MAX_LIST];
	uint64_t size[SWEEP_MAX_LIST];
};

#define RUN_MAX_LEFT_OUT 256

struct run_cmd {
	struct sweep_opts o;
	const char *out_dir, *pin, *transport, *image_path, *hostfile, *interconnect, *isa;
	int verbose, interleave, repetitions, no_report, kernels_given, backends_given;
	int full;                       /* --full: the full tables on stdout, not the compact */
	double min_time, budget;
	unsigned threads;               /* mpi+openmp: threads per rank */
	struct kernel_size_list sizes;
	uint64_t py_size;               /* --python-size N */
	struct kernel_size_list py_sizes; /* --python-size name=N,... */
	char skipped[2048];             /* what is left out: "skipped ...: why" lines, for the
					 * tables (run_skip.c) ... */
	struct left_out left_out[RUN_MAX_LEFT_OUT]; /* ... and one record each, for meta.json */
	size_t n_left_out;
	struct calibration py_cal;      /* the CPython rows' calibrated sizes */
	const struct opt_cmd *given_cli; /* the option table ... */
	struct opt_result given;        /* ... and the options as typed: what the ranks get */
	int argc;
	char **argv;
	const struct backend *mpi_b[SWEEP_MAX_LIST]; /* run by mpirun after the others */
	size_t n_mpi;
	int rank, launched;             /* under mpirun: this rank (else -1) */
	/* set while running */
	struct pin_topo *topo;
	struct run_meta meta;
	struct sweep sw;
	double t0;                      /* when the measurement started (pb_mono_s) */
	char dir[1024], host[256], date[64], args[2048], cpu_model[256], governor[64],
		topo_desc[256];
};

#define DEFAULT_BUDGET_S    180   /* adaptive repetitions: the whole measurement */
#define QUICK_BUDGET_S      30    /* ... with --quick */
#define DEFAULT_PRECISION   0.015 /* the median's 95 % interval within +-1.5 % */
#define DEFAULT_MIN_TIME_S  0.04  /* shorter runs are batched into samples this long */
#define QUICK_MIN_TIME_S    0.01

/* The run command's state (one run per process) and its option table. */
extern struct run_cmd run_state;
extern const struct opt_cmd run_cli;
/* Parses and checks the options into run_state (run_args.c). */
void run_parse(int argc, char **argv);

/* What the run leaves out, each with one line under the tables and records in meta.json
 * (run_skip.c); none is an error.  At parse time: backends this machine cannot run, CPython
 * rows with --sizes or weak scaling (usage errors if --backends names them), --quick's
 * CPython rows of the filters; a usage error if nothing asked for is left. */
void run_keep_available(struct run_cmd *r);
/* Once the worker counts are known: the MPI rows without mpirun, or without whole ranks. */
void run_plan_mpi(struct run_cmd *r);
/* Kernel k (NULL: every kernel) on backend b at w workers (0: every count) is left out: the
 * record for meta.json ... */
void run_leave_out(struct run_cmd *r, const struct kernel *k, const struct backend *b,
		   unsigned w, const char *why);
/* ... and, once per cause, a line under the tables. */
__attribute__((format(printf, 2, 3))) void run_say(struct run_cmd *r, const char *fmt, ...);
/* The ranks of MPI backend be at w workers (mpi+openmp: --threads threads each, fewer if w
 * is fewer); 0, or -1 when w is not a whole number of ranks. */
int run_mpi_ranks(const struct run_cmd *r, const struct backend *be, unsigned w,
		  unsigned *ranks);

/* For every MPI backend and worker count: mpirun starts the ranks, which measure those rows
 * alone and write them to <out_dir>/mpi-<backend>-<workers>/; the rows join r->sw.  0, or -1
 * when a launch failed (reported on stderr). */
int run_mpi_rows(struct run_cmd *r);
/* The table, the result files, the report and the FAILED lines; the exit status. */
int run_write(struct run_cmd *r);
/* Saves what was measured when a run hangs in threads that cannot be stopped; for the
 * sweep's watchdog.  Does not return. */
void run_on_hang(const struct sweep_row *row, const char *reason, void *arg);

#endif
