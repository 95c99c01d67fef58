/*
 * fulltab.c - the full tables in report.md and report.html: every column of the terminal's
 * --full table (table.c), one row per configuration, and under each the analysis lines the
 * terminal prints there (captured from notes.c, model.c, python.c: one text for both).
 */
#include "doc.h"
#include "report_int.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FULL_COLS 24

/* Splits the space-separated rate columns (row_rate_cols, table_rate_head) into cells. */
static size_t split_cols(char *s, char cells[][32], size_t at, size_t max)
{
	char *save = NULL;

	for (char *t = strtok_r(s, " ", &save); t && at < max; t = strtok_r(NULL, " ", &save))
		snprintf(cells[at++], sizeof(cells[0]), "%s", t);
	return at;
}

/* The heads of the full table of row i. */
static size_t full_heads(const struct sweep *sw, size_t i, char cells[][32])
{
	static const char *const fixed[] = { "backend", "workers", "size", "median", "+-med",
					     "min", "max", "cv", "speedup", "95% interval",
					     "efficiency", "start-up" };
	char rate[128];
	size_t n = 0;

	for (size_t x = 0; x < sizeof(fixed) / sizeof(fixed[0]); x++)
		if (x != 2 || sw->weak)
			snprintf(cells[n++], sizeof(cells[0]), "%s", fixed[x]);
	snprintf(rate, sizeof(rate), "%s", table_rate_head(&sw->rows[i]));
	n = split_cols(rate, cells, n, FULL_COLS - 1);
	snprintf(cells[n++], sizeof(cells[0]), "marks");
	return n;
}

/* Row r's cells, as the terminal's full table has them (table.c: print_row). */
static size_t full_cells(const struct sweep *sw, const struct run_meta *m,
			 const struct sweep_row *r, char cells[][32], size_t ncols)
{
	struct report_marks scratch = { 0 };
	char rate[128], mark[16];
	size_t n = 0;

	snprintf(cells[n++], sizeof(cells[0]), "%s", r->b->name);
	snprintf(cells[n++], sizeof(cells[0]), "%u", r->workers);
	if (sw->weak)
		snprintf(cells[n++], sizeof(cells[0]), "%llu", (unsigned long long)r->size);
	if (!row_measured(r)) {
		snprintf(cells[n++], sizeof(cells[0]), "%s", r->interrupted ? "not measured: "
			 "interrupted" : r->failed ? "FAILED: no timings" : "not run: filtered out");
		while (n < ncols)
			cells[n++][0] = '\0';
		return n;
	}
	text_time(cells[n++], sizeof(cells[0]), r->median);
	if (isfinite(r->median_rel))
		snprintf(cells[n++], sizeof(cells[0]), "%.1f%%", r->median_rel * 100);
	else
		snprintf(cells[n++], sizeof(cells[0]), "-");
	text_time(cells[n++], sizeof(cells[0]), r->min);
	text_time(cells[n++], sizeof(cells[0]), r->max);
	snprintf(cells[n++], sizeof(cells[0]), "%.1f%%", r->cv * 100);
	snprintf(cells[n++], sizeof(cells[0]), r->speedup > 0 ? "%.2fx" : "-", r->speedup);
	if (r->speedup > 0 && !isnan(r->speedup_lo))
		snprintf(cells[n++], sizeof(cells[0]), "%.2f-%.2f", r->speedup_lo, r->speedup_hi);
	else
		snprintf(cells[n++], sizeof(cells[0]), "-");
	snprintf(cells[n++], sizeof(cells[0]), r->speedup > 0 ? "%.0f%%" : "-", r->efficiency * 100);
	text_time(cells[n++], sizeof(cells[0]), r->startup_s);
	row_rate_cols(r, m, rate, sizeof(rate));
	n = split_cols(rate, cells, n, ncols - 1);
	while (n + 1 < ncols)
		cells[n++][0] = '\0';
	row_marks(r, sw, &scratch, mark);
	snprintf(cells[n++], sizeof(cells[0]), "%s", mark);
	return n;
}

/* The table of rows i..j (one of report_table's), its heading line, and the analysis lines
 * under it; the break-even sizes after a kernel's last table of a size sweep. */
static void full_table(struct doc *d, const struct sweep *sw, const struct run_meta *m,
		       size_t i, size_t j)
{
	static char cells[FULL_COLS][32];
	const char *p[FULL_COLS];
	struct report_marks scratch = { 0 };
	struct doc_capture c;
	FILE *f;
	size_t n = full_heads(sw, i, cells);

	if ((f = doc_capture(d, &c))) { /* the terminal's heading line, without its "# " */
		char *line;

		print_head(f, sw, m, i);
		fflush(f);
		line = c.buf ? strstr(c.buf, "# ") : NULL;
		if (line)
			doc_para(d, "%.*s", (int)strcspn(line + 2, "\n"), line + 2);
		fclose(c.f);
		free(c.buf);
	}
	for (size_t x = 0; x < n; x++)
		p[x] = cells[x];
	doc_table_head(d, p, n);
	for (size_t a = i; a < j; a++) {
		full_cells(sw, m, &sw->rows[a], cells, n);
		doc_table_row(d, p, n);
	}
	doc_table_end(d);
	if ((f = doc_capture(d, &c))) {
		if (!sw->weak) {
			print_analysis(f, sw, i, j);
			print_model(f, sw, i, j, &scratch);
		}
		if (sw->rows[i].b->caps & BACKEND_CAP_PYTHON)
			print_python(f, sw, i, j);
		if (sw->n_sizes > 1 && !sw->weak &&
		    (j == sw->n_rows || sw->rows[j].k != sw->rows[i].k))
			print_break_even(f, sw, sw->rows[i].k);
		doc_capture_end(d, &c);
	}
}

void doc_full_tables(struct doc *d, const struct sweep *sw, const struct run_meta *m,
		     const struct kernel *k)
{
	for (size_t i = 0; i < sw->n_rows;) {
		size_t j = group_end(sw, i);

		if (sw->rows[i].k == k)
			full_table(d, sw, m, i, j);
		i = j;
	}
}
