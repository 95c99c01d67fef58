/*
 * compact.c - the view a person reads after a run (parbench run, parbench report): per kernel
 * one small table, its parallel backends as rows and its worker counts as columns, each cell
 * the speedup with its 95 % interval and its marks, the baseline's time and rate in the
 * heading (the CPython rows under their own, cpython); one line of what the analysis found,
 * only where it found something; the notes and warnings once at the end.  Its pieces come
 * from grid.c.
 *
 * It leaves out what the full table (table.c: --full, report.md, report.html) has: every
 * timing column, the start-up, the rates of each row, the calibration, the roof, and every
 * analysis line (serial fractions and projections, the scaling model, the GIL model, the
 * break-even sizes excepted).
 */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOUND_SHOWN 3 /* findings printed per kernel; all of them are in the report */

static int is_python(const struct sweep_row *r)
{
	return (r->b->caps & BACKEND_CAP_PYTHON) != 0;
}

/* The column heads and the rows of grid g (columns: the worker counts w[0..nw), width cw). */
static void print_grid(FILE *out, const struct sweep *sw, const struct compact_grid *g,
		       const unsigned *w, size_t nw, int cw)
{
	char cell[96];

	for (size_t x = 0; x < g->nb; x++) {
		fprintf(out, "  %-18s", g->b[x]->name);
		for (size_t y = 0; y < nw; y++) {
			compact_cell(sw, compact_row(sw, g, g->b[x], w[y]), cell, sizeof(cell));
			fprintf(out, " %-*s", y + 1 < nw ? cw : 0, cell);
		}
		fprintf(out, "\n");
	}
}

/* The widest cell of grid g. */
static int grid_width(const struct sweep *sw, const struct compact_grid *g)
{
	char cell[96];
	int cw = 0;

	for (size_t a = g->i; a < g->j; a++) {
		compact_cell(sw, &sw->rows[a], cell, sizeof(cell));
		if ((sw->rows[a].b->caps & BACKEND_CAP_PARALLEL) && (int)strlen(cell) > cw)
			cw = (int)strlen(cell);
	}
	return cw;
}

/* "C serial runs 134x faster than CPython serial per item" for the CPython rows i..j. */
static void c_vs_python(const struct sweep *sw, size_t i, size_t j, char *buf, size_t len)
{
	const struct sweep_row *c = NULL, *py = NULL;

	buf[0] = '\0';
	for (size_t a = 0; a < sw->n_rows; a++)
		if (sw->rows[a].k == sw->rows[i].k && sw->rows[a].b == backend_baseline() &&
		    row_measured(&sw->rows[a]) && sw->rows[a].median > 0)
			c = &sw->rows[a];
	for (size_t a = i; a < j; a++)
		if (!(sw->rows[a].b->caps & (BACKEND_CAP_PARALLEL | BACKEND_CAP_FREE_THREADED)) &&
		    is_python(&sw->rows[a]) && row_measured(&sw->rows[a]) && sw->rows[a].median > 0)
			py = &sw->rows[a];
	double x = c && py && c->elements && py->elements ?
		((double)c->elements / c->median) / ((double)py->elements / py->median) : 0;

	if (x >= 2) /* (blocking kernels run alike in both) */
		snprintf(buf, len, "; C serial runs %.0fx faster per %s", x,
			 py->pixels ? "pixel" : "item");
}

/* One kernel's block: its C table (rows i..j of it) and its CPython table (rows pi..pj), one
 * of them maybe empty, and what was found in them. */
static void print_block(FILE *out, const struct sweep *sw, const struct run_meta *m, size_t i,
			size_t j, size_t pi, size_t pj)
{
	struct compact_grid c, py;
	struct finding f[2 * SWEEP_MAX_LIST];
	unsigned w[2 * SWEEP_MAX_LIST];
	char title[256], bases[512], vs[96], head[32];
	size_t nw = 0, n;
	int cw;

	compact_grid(sw, i, j, &c);
	compact_grid(sw, pi, pj, &py);
	cw = grid_width(sw, &c) > grid_width(sw, &py) ? grid_width(sw, &c) : grid_width(sw, &py);
	for (size_t x = 0; x < c.nw + py.nw; x++) { /* both grids' worker counts, ascending */
		unsigned v = x < c.nw ? c.w[x] : py.w[x - c.nw];
		size_t y = 0;

		while (y < nw && w[y] < v)
			y++;
		if (y < nw && w[y] == v)
			continue;
		memmove(w + y + 1, w + y, (nw - y) * sizeof(*w));
		w[y] = v;
		nw++;
	}
	compact_title(sw, i < j ? i : pi, title, sizeof(title));
	compact_bases(sw, m, i, j, bases, sizeof(bases));
	fprintf(out, "\n%s%s%s\n", title, bases[0] ? "; " : "", bases);
	if (nw) /* (none: only the baseline ran) */
		fprintf(out, "  %-18s", "speedup at:");
	for (size_t y = 0; y < nw; y++) {
		snprintf(head, sizeof(head), "%u worker%s", w[y], w[y] == 1 ? "" : "s");
		cw = (int)strlen(head) > cw ? (int)strlen(head) : cw;
	}
	for (size_t y = 0; y < nw; y++) {
		snprintf(head, sizeof(head), "%u worker%s", w[y], w[y] == 1 ? "" : "s");
		fprintf(out, " %-*s%s", y + 1 < nw ? cw : 0, head, y + 1 < nw ? "" : "\n");
	}
	print_grid(out, sw, &c, w, nw, cw);
	if (pj > pi) {
		compact_bases(sw, m, pi, pj, bases, sizeof(bases));
		c_vs_python(sw, pi, pj, vs, sizeof(vs));
		fprintf(out, "  in CPython (size %llu), against %s%s:\n",
			(unsigned long long)sw->rows[pi].size, bases[0] ? bases : "no baseline", vs);
		print_grid(out, sw, &py, w, nw, cw);
	}
	n = compact_findings(sw, i, j, f, SWEEP_MAX_LIST);
	n += compact_findings(sw, pi, pj, f + n, SWEEP_MAX_LIST);
	qsort(f, n, sizeof(*f), compact_by_score);
	for (size_t x = 0; x < n && x < FOUND_SHOWN; x++)
		fprintf(out, "%s%s", x ? "; " : "  found: ", f[x].text);
	if (n > FOUND_SHOWN)
		fprintf(out, "; %zu more in report.html", n - FOUND_SHOWN);
	if (n)
		fprintf(out, "\n");
}

/* After the tables: what the marks mean, how the speedups were made, the machine, what was
 * left out, and the warnings. */
static void print_footer(FILE *out, const struct sweep *sw, const struct run_meta *m,
			 const struct report_marks *c)
{
	print_marks_legend(out, sw);
	fprintf(out, "speedup: median of the baseline / median of the row, same kernel and size, "
		     "this run (CPython rows: cpython's, the -ft ones cpython-ft's); (lo-hi): its "
		     "95%% interval, bootstrap over the repetitions (approximate with few); every "
		     "column and analysis line: report.html, report.md, or --full\n");
	fprintf(out, "machine: %s, %s; pin %s\n", m->host, m->topology, m->pin);
	print_hosts(out, sw, m);
	print_mpi_note(out, sw);
	if (m->skipped && m->skipped[0])
		fprintf(out, "%s\n", m->skipped);
	print_link_unknown(out, sw);
	print_warnings(out, sw, m, c);
}

/* The first row of kernel k's CPython rows, or n_rows. */
static size_t python_rows(const struct sweep *sw, const struct kernel *k)
{
	for (size_t a = 0; a < sw->n_rows; a++)
		if (sw->rows[a].k == k && is_python(&sw->rows[a]))
			return a;
	return sw->n_rows;
}

/* Kernel k has C rows. */
static int has_c(const struct sweep *sw, const struct kernel *k)
{
	for (size_t a = 0; a < sw->n_rows; a++)
		if (sw->rows[a].k == k && !is_python(&sw->rows[a]))
			return 1;
	return 0;
}

/* Row i opens the last of its kernel's C tables (in row order: a size sweep's last size). */
static int last_c_table(const struct sweep *sw, size_t i)
{
	for (size_t a = compact_span(sw, i); a < sw->n_rows; a++)
		if (sw->rows[a].k == sw->rows[i].k && !is_python(&sw->rows[a]) &&
		    compact_first(sw, a))
			return 0;
	return 1;
}

void report_compact(FILE *out, const struct sweep *sw, const struct run_meta *m)
{
	struct report_marks c = { 0 };

	report_count(sw, &c);
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct kernel *k = sw->rows[i].k;
		size_t p = python_rows(sw, k), j = compact_span(sw, i), first_c = 0;

		if (!compact_first(sw, i))
			continue;
		for (size_t a = 0; a < i && !first_c; a++) /* an earlier C table of k has them */
			first_c = sw->rows[a].k == k && !is_python(&sw->rows[a]);
		if (is_python(&sw->rows[i])) { /* shown with the kernel's first C table */
			if (!has_c(sw, k))
				print_block(out, sw, m, i, i, i, j);
			continue;
		}
		if (p < sw->n_rows && !first_c)
			print_block(out, sw, m, i, j, p, compact_span(sw, p));
		else
			print_block(out, sw, m, i, j, j, j);
		if (sw->n_sizes > 1 && !sw->weak && last_c_table(sw, i))
			print_break_even(out, sw, k);
	}
	print_footer(out, sw, m, &c);
}
