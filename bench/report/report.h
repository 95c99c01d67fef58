/*
 * report.h - what a run shows: the speedup tables with their notes and warnings (table.c,
 * notes.c), the charts and report.md (charts.c).  The files they come from: rundir.h.
 */
#ifndef PB_REPORT_H
#define PB_REPORT_H

#include <stdio.h>

#include "rundir.h"

#define REPORT_CV_LIMIT 0.05    /* cells noisier than this are marked (fixed repetitions) */
#define REPORT_SHORT_S  0.001   /* medians below this are marked too short */

/* "12.34 ms", "1.234 s", "5.6 us": a time in seconds, in the tables' format. */
const char *report_fmt_time(char *buf, size_t len, double s);
/* The per-kernel speedup tables, legend and warnings. */
void report_table(FILE *out, const struct sweep *sw, const struct run_meta *m);
/* Runs plots/speedup.gp (gnuplot) once per kernel: speedup-<kernel>.png/.svg and
 * speedup-<kernel>-efficiency.png/.svg in dir, from dir/summary.csv.  0, -ENOENT when gnuplot
 * is not installed, or -EIO when it failed. */
int report_charts(const char *dir, const struct sweep *sw, const struct run_meta *m,
		  const char *plots_dir);
/* report.md: the machine, the tables and warnings, and the charts (if charts_ok). */
int report_write_markdown(const char *dir, const struct sweep *sw, const struct run_meta *m,
			  int charts_ok);

#endif
