/*
 * report.h - what a run shows: the compact tables a person reads (compact.c), the full
 * speedup tables with their notes and warnings (table.c, notes.c), the charts (charts.c) and
 * report.md / report.html (doc.c, docbody.c).  The files they come from: rundir.h.
 */
#ifndef PB_REPORT_H
#define PB_REPORT_H

#include <stdatomic.h>
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
/* The per-kernel speedup tables, legend and warnings: every column and every analysis line
 * (--full; report.md and report.html have them too). */
void report_table(FILE *out, const struct sweep *sw, const struct run_meta *m);
/* What a person reads on a terminal (compact.c): per kernel a small table of speedups (with
 * their intervals and marks) by backend and worker count, what the analysis found where it
 * found something, then the notes and warnings once. */
void report_compact(FILE *out, const struct sweep *sw, const struct run_meta *m);
/* The charts a report run made, by name without .png/.svg ("speedup-sum_squares"): report.md
 * and report.html show only these (a file of that name from elsewhere is not theirs). */
#define REPORT_MAX_CHARTS 512
struct report_chart_list {
	char name[REPORT_MAX_CHARTS][80];
	size_t n;
};
/* 1 if list (may be NULL) holds the chart called name. */
int report_chart_made(const struct report_chart_list *list, const char *name);

#define REPORT_GNUPLOT_TIMEOUT_S 60 /* one chart script takes ~0.1 s: longer is a hang */

/* How the charts are drawn. */
struct chart_opts {
	const char *plots_dir;   /* the scripts (plots/) */
	const struct roof *roof; /* the run's roof (measured, or roof.csv and compute.csv
				  * loaded), or NULL */
	atomic_int *stop;        /* set by a signal handler: stop, kill gnuplot, keep nothing;
				  * NULL: never */
	unsigned timeout_s;      /* seconds one script may take; 0: REPORT_GNUPLOT_TIMEOUT_S */
	char *why;               /* if not NULL, why_len bytes: when gnuplot failed, the script
				  * and the last line gnuplot wrote (its output never reaches
				  * parbench's own stdout or stderr) */
	size_t why_len;
};
/* The charts in dir (plots/NAME.gp through gnuplot, from sw and o->roof written by parbench
 * into a private folder, never the run directory's own files; what the run directory says
 * is passed as data, never as gnuplot code: see gnuplot.c): summary (the run in one
 * picture); per kernel speedup-<kernel>[-efficiency], speedup-cpython-<kernel>[-efficiency]
 * (the CPython rows against cpython), time-, roof- and breakeven-<kernel>, .png and .svg.
 * Their names into made.  0, -ENOENT when gnuplot is not installed, -EIO when it failed,
 * -ETIMEDOUT when a script ran longer than the timeout (killed; no more are run, the charts
 * made are kept), -EINTR when *o->stop was set (nothing is kept, made is empty). */
int report_charts(const char *dir, const struct sweep *sw, const struct run_meta *m,
		  const struct chart_opts *o, struct report_chart_list *made);
/* report.md and report.html (doc.c, docbody.c): the summary first (table and picture), then
 * per kernel its compact table, charts, full table and analysis, the machine, the roof, the
 * warnings and how the numbers were made; the charts in made (NULL: gnuplot is not
 * installed).  report.html is one file: its charts inline as SVG, no script, no network, every
 * text from the run directory escaped.  0 or -errno. */
int report_write_markdown(const char *dir, const struct sweep *sw, const struct run_meta *m,
			  const struct report_chart_list *made);
int report_write_html(const char *dir, const struct sweep *sw, const struct run_meta *m,
		      const struct report_chart_list *made);

#endif
