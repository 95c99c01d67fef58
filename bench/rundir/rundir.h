/*
 * rundir.h - a run directory's files: summary.csv, samples.csv and meta.json written from a
 * sweep (write.c) and read back (runload.h); formats in results/README.md.  The facts of a
 * row both the files and the tables use: row.h.
 *
 * Only verified rows carry numbers; failed and interrupted configurations appear in
 * meta.json's "failures" and nowhere else.  Files are written whole (outfile.h).
 */
#ifndef PB_RUNDIR_H
#define PB_RUNDIR_H

#include "calibrate.h"
#include "machine.h"
#include "pick.h"
#include "roof.h"
#include "row.h"
#include "sweep.h"

/* A configuration the run left out before it began, and why (meta.json "left_out"). */
struct left_out {
	const struct kernel *k;  /* NULL: every kernel */
	const struct backend *b;
	unsigned workers;        /* 0: every worker count */
	char why[400];
};

/* The machine and the invocation, gathered by the run command. */
struct run_meta {
	const char *host;
	const char *date;          /* ISO 8601, UTC */
	const char *args;          /* the command line */
	const char *cpu_model;
	const char *topology;      /* pin_topo_describe() */
	const char *governor;      /* scaling governor of cpu0, "" if unknown */
	const char *pin;           /* pin policy */
	const char *interconnect;  /* MPI: how hosts are connected (NULL: not said) */
	unsigned cores, pus;
	double load_before[3];     /* /proc/loadavg at start and end */
	double load_after[3];
	int repetitions;           /* fixed count, or the first round's (adaptive: see sweep) */
	int interleaved;           /* repetitions interleaved at random across configurations */
	int quick;
	const struct roof *roof;   /* this machine's limits, measured before the sweep, or NULL */
	const struct pick *pick;   /* each kernel's variant, timed, or NULL */
	const char *variant_forced; /* the variant --isa or PARBENCH_ISA forced, or NULL */
	const struct machine_state *machine; /* boost, ASLR, busy processes, steal; or NULL */
	const struct calibration *calibration; /* sizes from the time budget, or NULL */
	const struct calibration *py_calibration; /* the CPython rows' sizes, or NULL */
	const char *skipped;       /* "skipped ...: why" lines, or NULL */
	const struct left_out *left_out; /* what those lines name, one record each */
	size_t n_left_out;
};

/* summary.csv; roof (or NULL) adds the cycles per item and the percent of copy bandwidth */
int rundir_write_summary(const char *dir, const struct sweep *sw, const struct roof *roof);
int rundir_write_samples(const char *dir, const struct sweep *sw);
int rundir_write_meta(const char *dir, const struct sweep *sw, const struct run_meta *m);

#endif
