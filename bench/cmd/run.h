/*
 * run.h - the state of `parbench run`, shared by its parts: run.c (options and the run),
 * run_roof.c (the variants and the roof), run_mpi.c (the MPI rows: a plan per launch for the
 * ranks mpirun starts, rank.h; run_take.c checks what they wrote) and run_out.c (the results).
 */
#ifndef PB_CMD_RUN_H
#define PB_CMD_RUN_H

#include "calibrate.h"
#include "cmd.h"
#include "image.h"
#include "machine.h"
#include "pick.h"
#include "pin.h"
#include "rank.h"
#include "report.h"
#include "roof.h"
#include "runload.h"

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
	int dry_run, smt, workers_given; /* --dry-run (run_plan.c), --smt, --workers */
	int full;                       /* --full: the full tables on stdout, not the compact */
	double min_time, budget;
	unsigned threads;               /* mpi+openmp: threads per rank */
	struct kernel_size_list sizes;
	uint64_t py_size;               /* --python-size N */
	struct kernel_size_list py_sizes; /* --python-size name=N,... */
	const char *sizes_from;         /* --sizes-from DIR */
	char skipped[2048];             /* what is left out: "skipped ...: why" lines, for the
					 * tables (run_out.c) ... */
	struct left_out left_out[RUN_MAX_LEFT_OUT]; /* ... and one record each, for meta.json */
	size_t n_left_out;
	struct calibration cal, py_cal; /* the sizes calibrated: C rows, CPython rows */
	struct opt_result given;        /* the options as typed (given.tail: Google
					 * Benchmark's flags) */
	int argc;
	char **argv;
	const struct backend *mpi_b[SWEEP_MAX_LIST]; /* run by mpirun after the others */
	size_t n_mpi;
	int rank, launched;             /* under mpirun: this rank (else -1) */
	/* set while running */
	struct pin_topo *topo;
	struct pin_plan probe;          /* the pin policy, checked before the run */
	struct pb_image image;          /* --image's picture */
	struct pick pick;               /* each kernel's variant, timed (run_roof.c) */
	struct roof roof;               /* the copy bandwidth and compute ceilings (run_roof.c) */
	struct loaded_run sizes_run;    /* --sizes-from DIR, while its sizes are read */
	struct machine_state mstate;
	struct run_meta meta;
	struct sweep sw;
	struct rank_plan plan;          /* the MPI rows: what one launch's ranks measure */
	struct rank_run ranked;         /* under mpirun or srun: this rank's share */
	double t0;                      /* when the measurement started (pb_mono_s) */
	const char *work_dir;           /* where the files go: a fresh folder beside out_dir
					 * until it is moved there (run_out.c) */
	char stage[4096];               /* that fresh folder */
	char dir[1200], args[2048], topo_desc[256];
	struct machine_facts facts;     /* host, date, CPU model, governor (meta.json) */
};

#define DEFAULT_BUDGET_S    180   /* adaptive repetitions: the whole measurement */
#define QUICK_BUDGET_S      30    /* ... with --quick */
#define DEFAULT_PRECISION   0.015 /* the median's 95 % interval within +-1.5 % */
#define DEFAULT_MIN_TIME_S  0.04  /* shorter runs are batched into samples this long */
#define QUICK_MIN_TIME_S    0.01

/* The run command's option table. */
extern const struct opt_cmd run_cli;
/* Parses and checks the options into state, a struct run_cmd (run_args.c). */
void run_parse(void *state, int argc, char **argv);
/* --sizes-from DIR: DIR's sizes per kernel into r->o (run_sizes.c); usage errors. */
void run_sizes_from(struct run_cmd *r);

/* What the run leaves out, each with one line under the tables and records in meta.json
 * (run_skip.c); none is an error.  When the run starts (after the options and the machine
 * are checked: it may start an interpreter to ask it): backends this machine cannot run,
 * CPython rows with --sizes or weak scaling (usage errors if --backends names them),
 * --quick's CPython rows of the filters; a usage error if nothing asked for is left. */
void run_keep_available(struct run_cmd *r);
/* Once the worker counts are known: the MPI rows without mpirun, or without whole ranks. */
void run_plan_mpi(struct run_cmd *r);
/* Kernel k (NULL: every kernel) on backend b at w workers (0: every count) is left out: the
 * record for meta.json (run_out.c) ... */
void run_leave_out(struct run_cmd *r, const struct kernel *k, const struct backend *b,
		   unsigned w, const char *why);
/* ... and, once per cause, a line under the tables. */
__attribute__((format(printf, 2, 3))) void run_say(struct run_cmd *r, const char *fmt, ...);
/* The ranks of MPI backend be at w workers (mpi+openmp: --threads threads each, fewer if w
 * is fewer); 0, or -1 when w is not a whole number of ranks. */
int run_mpi_ranks(const struct run_cmd *r, const struct backend *be, unsigned w,
		  unsigned *ranks);

/* For every MPI backend and worker count: a plan (rank_plan.h) into
 * <work_dir>/mpi-<backend>-<workers>/plan.txt, and mpirun starts `parbench rank` on it; the
 * ranks measure those rows alone, rank 0 writes them into that folder, and they join r->sw.
 * 0, or -1 when a launch failed (reported on stderr). */
int run_mpi_rows(struct run_cmd *r);
/* The rows the launch of MPI backend be at w workers wrote into dir (NULL: it never started,
 * a signal came first), checked against its plan, join r->sw (run_take.c); rc is mpirun's
 * status (launch_run) and err why it failed.  A row that is not the launch's (another backend,
 * worker count, kernel or size than planned, a name this build lacks, twice) refuses them
 * all, said on stderr.  Every planned configuration left without a row gets a failed one, or
 * one not measured after a signal.  0, or 1 when the launch failed (said). */
int run_take_rows(struct run_cmd *r, const struct backend *be, unsigned w, int rc,
		  const char *dir, char *err, size_t err_len);
/* The ranks' plan from the run's options as prepared, its sizes (given or calibrated) and
 * the test hooks (run_ranks.c): the backends and worker counts are the run's (a launch
 * narrows them to its own), and so are the repetitions or the whole budget. */
void run_rank_plan(const struct run_cmd *r, struct rank_plan *p);
/* Under mpirun or srun (r->launched): the options, prepared, become the plan of every rank
 * (all its MPI backends and worker counts), which this rank measures (rank.h); rank 0 then
 * writes the run like any other.  The exit status. */
int run_ranked(struct run_cmd *r); /* run_ranks.c */
/* --out (or the default results/<date>-<time>-<host>) into out_dir, checked before anything
 * runs: a usage error if it is a symbolic link, not a folder, a folder holding files but no
 * parbench run (a meta.json with parbench's mark, rundir/write.c), or not writable; its
 * parent folders are created. */
void run_out_check(struct run_cmd *r);
/* The fresh hidden folder beside out_dir that the run writes into (work_dir); removed at
 * exit unless moved into place.  0, or the exit status after saying why on stderr. */
int run_out_stage(struct run_cmd *r);
/* The machine and the invocation for meta.json, before anything runs; --out checked. */
void run_begin_meta(struct run_cmd *r);
/* The table, the result files, the report, the folder moved to out_dir (replacing an
 * earlier run there, removed after) and the FAILED lines; the exit status. */
int run_write(struct run_cmd *r);
/* --dry-run: the plan, with its estimated duration, on stdout; nothing measured, written or
 * started (run_plan.c).  The exit status. */
int run_dry(struct run_cmd *r);
/* A dry run's check that backend be can run, which starts nothing (the CPython backends:
 * their interpreter is an executable file); 0, or -ENOTSUP with why. */
int run_plan_available(const struct run_cmd *r, const struct backend *be, char *why,
		       size_t len);
/* Before the sweep (run_roof.c): each kernel's variant, timed unless forced, into r->meta;
 * then the roof, which also decides the filters' streaming stores (r->o.kp.stream_above).
 * 0, or the exit status after saying why on stderr. */
int run_pick(struct run_cmd *r);
int run_roof(struct run_cmd *r);
/* Saves what was measured when a run hangs in threads that cannot be stopped; for the
 * sweep's watchdog.  Does not return. */
void run_on_hang(const struct sweep_row *row, const char *reason, void *arg);

#endif
