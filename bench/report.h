/*
 * report.h - what a run shows and writes: the speedup table, its warnings, summary.csv,
 * samples.csv and meta.json (formats documented in results/README.md).
 *
 * Only verified rows carry numbers; failed and interrupted configurations appear in
 * meta.json's "failures" and nowhere else.  Files are written whole (outfile.h).
 */
#ifndef PB_REPORT_H
#define PB_REPORT_H

#include <stdio.h>

#include "calibrate.h"
#include "machine.h"
#include "roof.h"
#include "sweep.h"

#define REPORT_CV_LIMIT 0.05    /* cells noisier than this are marked */
#define REPORT_SHORT_S  0.001   /* medians below this are marked too short */

/* The machine and the invocation, gathered by main. */
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
	const struct machine_state *machine; /* boost, ASLR, busy processes, steal; or NULL */
	const struct calibration *calibration; /* sizes from the time budget, or NULL */
};

/* "12.34 ms", "1.234 s", "5.6 us": a time in seconds, in the tables' format. */
const char *report_fmt_time(char *buf, size_t len, double s);
/* The per-kernel speedup tables, legend and warnings. */
void report_table(FILE *out, const struct sweep *sw, const struct run_meta *m);
/* summary.csv; roof (or NULL) adds the cycles per item and the percent of copy bandwidth */
int report_write_summary(const char *dir, const struct sweep *sw, const struct roof *roof);
int report_write_samples(const char *dir, const struct sweep *sw);
int report_write_meta(const char *dir, const struct sweep *sw, const struct run_meta *m);
/* Runs plots/speedup.gp (gnuplot) once per kernel: speedup-<kernel>.png/.svg and
 * speedup-<kernel>-efficiency.png/.svg in dir, from dir/summary.csv.  0, -ENOENT when gnuplot
 * is not installed, or -EIO when it failed. */
int report_charts(const char *dir, const struct sweep *sw, const struct run_meta *m,
		  const char *plots_dir);
/* report.md: the machine, the tables and warnings, and the charts (if charts_ok). */
int report_write_markdown(const char *dir, const struct sweep *sw, const struct run_meta *m,
			  int charts_ok);

#endif
