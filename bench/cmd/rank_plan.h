/*
 * rank_plan.h - what the MPI ranks of one launch measure, as a file: `parbench run` writes
 * it into the launch's folder (<run>/mpi-<backend>-<workers>/plan.txt) and every rank reads
 * it (`parbench rank PLAN`), so the ranks never rebuild the run's options from a command
 * line.  The format is text, one `key = value` a line (bench/README.md has the keys), every
 * key once, ended by a line `end`: a plan cut short is refused, not half run.
 *
 * A plan is untrusted input (it sits in a run folder anyone may edit): an unknown key, a
 * value out of its range, a name the registries do not know, a backend that is not an MPI
 * one, a missing key or a missing `end` refuse it with one line.  Nothing here prints,
 * exits or runs anything.
 */
#ifndef PB_RANK_PLAN_H
#define PB_RANK_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "sweep.h"

#define RANK_PLAN_FILE      "plan.txt"
#define RANK_PLAN_MAX_BYTES 65536 /* a longer file is refused, not read */
#define RANK_PLAN_GB_MAX    16    /* Google Benchmark flags (after run's "--") */
#define RANK_PLAN_HOOK_MAX  128   /* a test hook's text, its NUL included */

struct rank_plan {
	const struct kernel *kernels[SWEEP_MAX_LIST];
	size_t n_kernels;
	uint64_t kernel_sizes[SWEEP_MAX_LIST];  /* per kernel (same index); 0: its default */
	uint64_t sizes[SWEEP_MAX_LIST];         /* a size sweep (sweep_opts.sizes), or none */
	size_t n_sizes;
	int weak;                               /* weak scaling */
	unsigned tasks, sleep_us;               /* kernel_params; 0: the kernel's default */
	int quick;                              /* kernel_params.quick */
	const struct backend *backends[SWEEP_MAX_LIST]; /* MPI backends only */
	size_t n_backends;
	unsigned workers[SWEEP_MAX_LIST];       /* mpi+openmp: ranks x threads */
	size_t n_workers;
	enum backend_schedule schedule;
	size_t chunk;                           /* 0: the backend's default */
	char pin[256];                          /* the pin policy's text */
	unsigned repetitions;                   /* a fixed count, or 0: adaptive ... */
	double budget_s;                        /* ... within this many seconds (exactly one
						 * of the two is set) */
	double min_time_s, timeout_s;           /* per repetition, per backend run */
	char isa[16];                           /* the kernels' variant, or "best": the best
						 * each host runs */
	char image[4096];                       /* the picture's file, or "": synthetic */
	int scatter;                            /* MPI: 0 every rank uses its own input */
	char gbench[RANK_PLAN_GB_MAX][256];     /* Google Benchmark's flags, as typed */
	size_t n_gbench;
	/* test hooks (sweep.h), "" for none */
	char corrupt[RANK_PLAN_HOOK_MAX], hang[RANK_PLAN_HOOK_MAX], crash[RANK_PLAN_HOOK_MAX],
		link_fail[RANK_PLAN_HOOK_MAX];
};

/* 1 if the Google Benchmark flag may reach the ranks: any but the output file's
 * (--benchmark_out, --benchmark_out_format), which parbench sets for rank 0 itself, in the
 * launch's folder. */
int rank_plan_gbench_ok(const char *flag);
/* p into dir/plan.txt, written whole (outfile.h).  0 or -errno. */
int rank_plan_write(const char *dir, const struct rank_plan *p);
/* The plan in text[0, len) (any bytes) into *p.  0, or -EINVAL with one line in err that
 * names the line ("line 7: unknown key 'bogus'"). */
int rank_plan_parse(const char *text, size_t len, struct rank_plan *p, char *err,
		    size_t err_len);
/* The plan file path (a regular file of at most RANK_PLAN_MAX_BYTES) into *p.  0, or
 * -errno with one line in err. */
int rank_plan_read(const char *path, struct rank_plan *p, char *err, size_t err_len);

#endif
