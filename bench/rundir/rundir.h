/*
 * rundir.h - a run directory's files: summary.csv, samples.csv and meta.json written from a
 * sweep (write.c) and read back (runload.h); formats in results/README.md.
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

/* A row's rate and how near its roof it runs (roof.h): compute kernels in items/ns and
 * core-cycles per item (median x clock x workers / items); filters in MPix/s and their
 * GB/s as a fraction of each ceiling measured with as many workers, the copy bandwidth
 * (memory) and the filter's rate on its in-cache tile (compute), and of the lower of the
 * two, the bound; io_wait in items/s. */
struct row_rate {
	double rate;
	const char *unit;
	double cycles;  /* 0: not known */
	double copy;    /* 0: not known */
	double compute; /* the compute ceiling's fraction; 0: not known */
	double roof;    /* the bound's fraction: copy or compute, whichever ceiling is lower */
	char bound;     /* 'm' memory (the copy), 'c' compute, 0 not known */
};

struct row_rate row_rate(const struct sweep_row *r, const struct roof *roof);
/* The row has timings (measured, or kept partial after an interrupt). */
int row_measured(const struct sweep_row *r);
/* Where a row's workers last ran, one entry per worker thread: its rank and host (MPI
 * placement "rank@host:cpu[,cpu...] ...") or rank -1 and host "" (this host's "0,1"). */
struct placed {
	int rank;
	char host[64];
	int cpu;
};
size_t row_placement(const struct sweep_row *r, struct placed *out, size_t max);
/* More workers than cores (on the busiest host, for ranks spread over hosts). */
int row_oversubscribed(const struct sweep_row *r, const struct sweep *sw);

/* summary.csv; roof (or NULL) adds the cycles per item and the percent of copy bandwidth */
int report_write_summary(const char *dir, const struct sweep *sw, const struct roof *roof);
int report_write_samples(const char *dir, const struct sweep *sw);
int report_write_meta(const char *dir, const struct sweep *sw, const struct run_meta *m);

#endif
