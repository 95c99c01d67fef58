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
	double model_abs_err_sum, model_worst;
};
/* Under the table of rows i..j: the scaling model per parallel backend, fitted on its
 * smaller worker counts, its prediction of the largest against the measurement. */
void print_model(FILE *out, const struct sweep *sw, size_t i, size_t j, struct report_marks *c);
/* One line after the tables for the rows whose link probe failed (their link cost unknown). */
void print_link_unknown(FILE *out, const struct sweep *sw);
/* The warnings after the tables (noise, oversubscription, the machine's state). */
void print_warnings(FILE *out, const struct sweep *sw, const struct run_meta *m,
		    const struct report_marks *c);

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
	atomic_int *stop;          /* chart_opts.stop */
	unsigned timeout_s;        /* per script */
};
/* 0, -ENOENT when gnuplot is not installed, -EINTR when *o->stop is set, or -EIO. */
int gnuplot_open(struct gnuplot *g, const char *dir, const struct chart_opts *o);
/* The scripts' data in our directory, written by parbench from what it holds (kernel k's
 * rows of sw as summary.csv, roof as roof.csv unless NULL), never the run directory's
 * files.  0 or -EIO. */
int gnuplot_data(struct gnuplot *g, const struct sweep *sw, const struct kernel *k,
		 const struct roof *roof);
/* One script with at most GNUPLOT_MAX_ARGS arguments (NULL-terminated): 0, -EIO (it
 * failed), -ETIMEDOUT (it ran longer than the timeout: killed, with its process group), or
 * -EINTR (*stop was set: killed). */
int gnuplot_run(struct gnuplot *g, const char *script, const char *const *args);
/* The charts made renamed into dir if keep (else dropped), our directory removed. 0 or -EIO. */
int gnuplot_close(struct gnuplot *g, int keep);

#endif
