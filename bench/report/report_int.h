/*
 * report_int.h - what the report's files share among themselves (not for other layers).
 */
#ifndef PB_REPORT_INT_H
#define PB_REPORT_INT_H

#include <limits.h>

#include "report.h"

/* Unsettled (marked ~): the speedup's 95 % interval is wider than +-REPORT_NOISY_REL of it,
 * or does not establish the gain or loss it shows (table.c). */
int row_noisy(const struct sweep_row *r, const struct sweep *sw);
/* Under the table of rows i..j: serial fraction and projections per backend. */
void print_analysis(FILE *out, const struct sweep *sw, size_t i, size_t j);
/* A size sweep: per parallel backend and worker count, the size from which it beats serial. */
void print_break_even(FILE *out, const struct sweep *sw, const struct kernel *k);
/* Under a kernel's CPython table (rows i..j): C serial against CPython serial per item, and
 * the GIL model against real CPython threads (python.c). */
void print_python(FILE *out, const struct sweep *sw, size_t i, size_t j);
/* The range of r's single-run speedups against its baseline's median (NAN if unknown). */
void python_spread(const struct sweep *sw, const struct sweep_row *r, double *lo, double *hi);
/* MPI runs over several hosts: the hosts and where the ranks ran. */
void print_hosts(FILE *out, const struct sweep *sw, const struct run_meta *m);
/* The legend's lines on how times and speedups were measured. */
void print_times_note(FILE *out, const struct sweep *sw, const struct run_meta *m);
/* What the rows of the tables were marked with, counted for the warnings; and the scaling
 * model's checks (model.c). */
struct report_marks {
	unsigned noisy, over, smt, shortrun, bind_fail, superlinear;
	unsigned models, model_within, models_short;
	unsigned models_over; /* oversubscribed rows the scaling model left out */
	double model_abs_err_sum, model_worst;
};
/* Under the table of rows i..j: the scaling model per parallel backend, fitted on its
 * smaller worker counts, its prediction of the largest against the measurement. */
void print_model(FILE *out, const struct sweep *sw, size_t i, size_t j, struct report_marks *c);
/* The lines after the tables on the scaling model: its held-out checks, the backends it did
 * not check, the oversubscribed rows it left out. */
void print_model_notes(FILE *out, const struct report_marks *c);
/* b's scaling model in rows i..j checked and counted into c as print_model counts it: 0 with
 * mc filled; -1 when b has none, or its largest worker count ran too short to check. */
int model_counted(const struct sweep *sw, size_t i, size_t j, const struct backend *b,
		  struct model_check *mc, struct report_marks *c);
/* table.c, for the compact view and report.md/.html: a row's marks (at most 7 characters),
 * counted into c; its rate columns and their heads (space-separated, as in the full table);
 * the full table's header (its heading line, then the column heads); the marks' legend; the
 * note on MPI rows measured in a phase of their own; the roof's lines and what cyc/item and
 * %roof mean. */
void row_marks(const struct sweep_row *r, const struct sweep *sw, struct report_marks *c,
	       char *mark);
void row_rate_cols(const struct sweep_row *r, const struct run_meta *m, char *rate, size_t len);
const char *table_rate_head(const struct sweep_row *r0);
void print_head(FILE *out, const struct sweep *sw, const struct run_meta *m, size_t i);
void print_marks_legend(FILE *out, const struct sweep *sw);
void print_mpi_note(FILE *out, const struct sweep *sw);
void print_roof(FILE *out, const struct roof *roof);
/* One line after the tables for the rows whose link probe failed (their link cost unknown). */
void print_link_unknown(FILE *out, const struct sweep *sw);
/* The warnings after the tables (noise, oversubscription, the machine's state). */
void print_warnings(FILE *out, const struct sweep *sw, const struct run_meta *m,
		    const struct report_marks *c);

/* The compact view (grid.c; compact.c prints it), shared with report.md and report.html: one
 * table's rows as a grid of parallel backends (in the order of their first row) by worker
 * counts (ascending); baselines (serial, cpython, cpython-ft) are not in it. */
struct compact_grid {
	size_t i, j;
	const struct backend *b[SWEEP_MAX_LIST];
	size_t nb;
	unsigned w[SWEEP_MAX_LIST];
	size_t nw;
};
/* A table's rows: those of row i's kernel, interpreter (C or CPython) and size (unless weak
 * scaling); rows of other tables may sit among them (MPI rows are merged after the CPython
 * rows of the same size).  compact_first: row i is its table's first; compact_span: the end
 * of its table's last row (rows i..span hold the table, among others). */
int compact_first(const struct sweep *sw, size_t i);
size_t compact_span(const struct sweep *sw, size_t i);
/* The grid of the table of row i, from rows i..j (the other tables' rows left out). */
void compact_grid(const struct sweep *sw, size_t i, size_t j, struct compact_grid *g);
/* g's row of backend b with w workers, or NULL. */
const struct sweep_row *compact_row(const struct sweep *sw, const struct compact_grid *g,
				    const struct backend *b, unsigned w);
/* A cell: "1.86 (1.80-1.92)~", "FAILED", "stopped", "not run", or "-" for no row (r NULL). */
void compact_cell(const struct sweep *sw, const struct sweep_row *r, char *buf, size_t len);
/* "sum_squares: size 100000", "grayscale: 1024x1024 picture" for the table of row i. */
void compact_title(const struct sweep *sw, size_t i, char *buf, size_t len);
/* The baselines of row i's table among rows i..j: "serial 28.7 us, 3.48 items/ns ~!" ("; "
 * between two; "serial FAILED" for one not measured). */
void compact_bases(const struct sweep *sw, const struct run_meta *m, size_t i, size_t j,
		   char *buf, size_t len);
/* What the analysis of row i's table (among rows i..j) found worth a line: a measured speedup
 * far below its scaling model's, a large serial fraction; most telling first.  How many (at
 * most max). */
struct finding {
	double score;
	char text[240];
};
size_t compact_findings(const struct sweep *sw, size_t i, size_t j, struct finding *f,
			size_t max);
int compact_by_score(const void *a, const void *b); /* qsort: most telling first */
/* The first row of r's table. */
size_t compact_table_of(const struct sweep *sw, const struct sweep_row *r);
/* Every row's marks and every model check counted into c, as the full table counts them
 * (for print_warnings). */
void report_count(const struct sweep *sw, struct report_marks *c);

/* The row that stands for backend b on kernel k at a glance (glance.c: the summary picture
 * and tables): measured, with a speedup, at the largest size (strong scaling), the largest
 * worker count that is not oversubscribed (else the largest); NULL if none. */
const struct sweep_row *report_glance(const struct sweep *sw, const struct kernel *k,
				      const struct backend *b);

/* Running the chart scripts (gnuplot.c): open once per run directory, give the scripts their
 * data, run each script with its string arguments (gnuplot -c SCRIPT ARG1 ...), close to
 * move the charts into dir (or to drop them). */
#define GNUPLOT_MAX_ARGS 8
struct gnuplot {
	char exe[PATH_MAX];        /* gnuplot, found by the PATH */
	char plots[PATH_MAX];      /* the scripts' directory, absolute */
	char tmp[PATH_MAX + 32];   /* our fresh directory in dir, where gnuplot runs */
	int dir_fd, tmp_fd, made;
	char **env;                /* gnuplot's environment (HOME absolute) */
	struct report_chart_list *list; /* the charts moved into dir are named here (or NULL) */
	atomic_int *stop;          /* chart_opts.stop */
	unsigned timeout_s;        /* per script */
	char why[256];             /* a script that failed and the last line gnuplot wrote
				    * ("roof.gp: ..."), scrubbed; "" if none failed */
};
/* 0, -ENOENT when gnuplot is not installed, -EINTR when *o->stop is set, or -EIO. */
int gnuplot_open(struct gnuplot *g, const char *dir, const struct chart_opts *o);
/* The scripts' data in our directory, written by parbench from what it holds (kernel k's
 * measured rows of sw as summary.csv, every kernel's if k is NULL; roof as roof.csv and
 * compute.csv unless NULL), never the run directory's files.  0 or -EIO. */
int gnuplot_data(struct gnuplot *g, const struct sweep *sw, const struct kernel *k,
		 const struct roof *roof);
/* One script with at most GNUPLOT_MAX_ARGS arguments (NULL-terminated): 0, -EIO (it
 * failed), -ETIMEDOUT (it ran longer than the timeout: killed, with its process group), or
 * -EINTR (*stop was set: killed). */
int gnuplot_run(struct gnuplot *g, const char *script, const char *const *args);
/* The charts made renamed into dir if keep (else dropped), our directory removed. 0 or -EIO. */
int gnuplot_close(struct gnuplot *g, int keep);

#endif
