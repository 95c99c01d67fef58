/*
 * report.h - what a run shows: the speedup tables with their notes and warnings (table.c,
 * notes.c), the charts and report.md (charts.c).  The files they come from: rundir.h.
 */
#ifndef PB_REPORT_H
#define PB_REPORT_H

#include <stdio.h>

#include "rundir.h"

#define REPORT_NOISY_REL 0.10   /* a speedup known to worse than +-10 % is marked unsettled */
#define REPORT_SHORT_S  0.001   /* medians below this are marked too short */
#define REPORT_UNSTEADY 0.05    /* a larger share of slow steadiness probe runs is warned of */

#include "scale.h"

#define MODEL_GOOD 0.15 /* a scaling model's prediction within 15 % is counted as good */

/* The scaling model of one backend in one table (model.c): fitted on all but its largest
 * worker count (fit), checked on that one (held, predicted, error = predicted / measured
 * - 1), and fitted on all its rows (all, for projections). */
struct model_check {
	struct scale_model fit, all;
	const struct sweep_row *held;
	unsigned fit_workers[SWEEP_MAX_LIST];
	size_t n_fit;
	double predicted, error;
	int link_unknown; /* a row's link probe failed: its link time counts as 0 in the fit */
	unsigned over;    /* oversubscribed rows left out of fit and check */
};
/* 0, or -1 when b has fewer than two worker counts measured in rows i..j. */
int model_check(const struct sweep *sw, size_t i, size_t j, const struct backend *b,
		struct model_check *mc);
/* The CPUs a row's workers computed on (see model.c). */
double model_row_cpus(const struct sweep_row *r, const struct sweep *sw);
/* r's workers compute one at a time: threads under a GIL (pthreads-gil's; a CPython row's
 * as its interpreter reported it, else as its backend expects), and r's kernel does not
 * block. */
int model_gil_bound(const struct sweep_row *r);
/* Rows i.. that belong in one table: one group (sweep_same_group: same kernel, same size
 * unless weak scaling, all C or all CPython rows). */
size_t group_end(const struct sweep *sw, size_t i);
/* The per-kernel speedup tables, legend and warnings. */
void report_table(FILE *out, const struct sweep *sw, const struct run_meta *m);
/* The charts of each kernel in dir (plots/NAME.gp through gnuplot, from dir/summary.csv and
 * roof.csv; what the run directory says is passed as data, never as gnuplot code: see
 * gnuplot.c): speedup-<kernel>[-efficiency], time-, roof- and breakeven-<kernel>, .png and
 * .svg.  0, -ENOENT when gnuplot is not installed, or -EIO when it failed. */
int report_charts(const char *dir, const struct sweep *sw, const struct run_meta *m,
		  const char *plots_dir);
/* report.md: the machine, the tables and warnings, and the charts (if charts_ok). */
int report_write_markdown(const char *dir, const struct sweep *sw, const struct run_meta *m,
			  int charts_ok);

#endif
