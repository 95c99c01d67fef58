/*
 * runload.h - a run directory read back: summary.csv, samples.csv and meta.json, as the
 * struct sweep and struct run_meta that wrote them (for `parbench report` and `compare`).
 *
 * Kernels and backends are found in the registries by name; a name this build does not know
 * (a backend left out, an older or newer parbench) gets a stand-in that carries the name.
 * A directory that is not a parbench run, or whose files are damaged, is refused with a
 * one-line reason.  Everything read is untrusted (a run directory may come from anyone):
 * files must be regular files, numbers must fit their fields, kernel and backend names must
 * be plain names (run_name_ok), control characters in text become '?', and the files and
 * their rows are capped (far above what any run writes: a 64-core default run writes ~500
 * rows of at most 40 repetitions, ~0.5 MB), so that no file makes a load take long.
 */
#ifndef PB_RUNLOAD_H
#define PB_RUNLOAD_H

#include <stdio.h>

#include "rundir.h"
#include "sweep.h"

#define RUN_NAME_MAX 64    /* a kernel's or backend's name, its NUL included */
#define RUN_MAX_REPS 10000 /* repetitions per row read back; more is taken as damage */
#define RUN_MAX_ROWS 10000 /* summary.csv rows (each ~7 KB in memory; 20x a default run) */
#define RUN_MAX_SAMPLES 4000000       /* samples.csv lines */
#define RUN_MAX_BYTES (64L << 20)     /* summary.csv */
#define RUN_MAX_META_BYTES (16L << 20) /* meta.json */
#define RUN_MAX_SAMPLE_BYTES (256L << 20) /* samples.csv (RUN_MAX_SAMPLES lines of 64 bytes) */

struct loaded_run {
	struct sweep sw;
	struct run_meta meta;
	char host[256], date[64], args[2048], cpu_model[256], topology[256], governor[64],
		pin[256], interconnect[256];
	char calibrated[1024];                  /* "kernel=size,..." set from the time budget */
	/* the build (meta.json: parbench_commit, compiler, c_flags, build_type, kernel_variant) */
	char commit[128], compiler[256], c_flags[1024], build_type[64], variant[16];
	unsigned busy;                          /* other runnable processes at the start */
	char busy_names[256];
	/* the steadiness probe (meta.json machine_state.steady; runs 0: none recorded) */
	struct {
		char kernel[64];
		unsigned runs;
		unsigned long long size;                    /* 0: not recorded (older runs) */
		double median_s, ci_lo_s, ci_hi_s, ci_level;
	} steady;
	struct kernel stub_k[SWEEP_MAX_LIST];   /* stand-ins for names this build lacks */
	size_t n_stub_k;
	struct backend stub_b[SWEEP_MAX_LIST];
	size_t n_stub_b;
	char names[2 * SWEEP_MAX_LIST][RUN_NAME_MAX];     /* their names */
	size_t n_names;
	struct roof roof;                       /* roof.csv and compute.csv, if the run
						 * measured its roof */
	int has_roof;
	char compute_variant[ROOF_MAX_KERNELS][RUN_NAME_MAX]; /* roof.compute[].variant */
};

/* 0, or -EINVAL / -ENOENT / -ENOMEM with one line in err. */
int run_load(const char *dir, struct loaded_run *lr, char *err, size_t err_len);
void run_free(struct loaded_run *lr);
/* Its meta.json alone (run_load's first step). */
int run_load_meta(const char *dir, struct loaded_run *lr, char *err, size_t err_len);

/* roof.csv and compute.csv (the charts' roof: see load_roof.c) into lr->roof: has_roof 0 if
 * the run has none.  0, or -EINVAL with one line in err (damaged, or too large). */
int run_load_roof(const char *dir, struct loaded_run *lr, char *err, size_t err_len);

/* The guards (untrusted.c).  A run's files are opened with pb_fopen_regular and its text
 * scrubbed with pb_scrub (util/untrusted.h): a FIFO or a device planted in a run directory
 * would block or never end, an escape sequence would reach the terminal.
 * name is a plain kernel or backend name: letters, digits, '_', '.', '+', '-', not starting
 * with '.' or '-', shorter than RUN_NAME_MAX; so it is safe in a file name (the charts). */
int run_name_ok(const char *name);

#endif
