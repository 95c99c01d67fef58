/*
 * grid.c - what the compact view (compact.c) and report.md / report.html share: a table as a
 * grid of parallel backends by worker counts, its cells (speedup, 95 % interval, marks), its
 * heading (the work, the baseline's time and rate), what its analysis found worth a line, and
 * the counts behind the warnings.
 */
#include "report_int.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define FOUND_SERIAL 0.10 /* a serial fraction from this up is a finding */
#define FOUND_MODEL 0.75  /* a measured speedup under this share of its model's is one */

static int is_python(const struct sweep_row *r)
{
	return (r->b->caps & BACKEND_CAP_PYTHON) != 0;
}

/* a and b belong in one table: same kernel, size (unless weak scaling) and interpreter */
static int same_table(const struct sweep *sw, const struct sweep_row *a, const struct sweep_row *b)
{
	return a->k == b->k && (sw->weak || a->size == b->size) && is_python(a) == is_python(b);
}

int compact_first(const struct sweep *sw, size_t i)
{
	for (size_t a = 0; a < i; a++)
		if (same_table(sw, &sw->rows[a], &sw->rows[i]))
			return 0;
	return 1;
}

size_t compact_span(const struct sweep *sw, size_t i)
{
	size_t end = i + 1;

	for (size_t a = i + 1; a < sw->n_rows && sw->rows[a].k == sw->rows[i].k; a++)
		if (same_table(sw, &sw->rows[a], &sw->rows[i]))
			end = a + 1;
	return end;
}

void compact_grid(const struct sweep *sw, size_t i, size_t j, struct compact_grid *g)
{
	memset(g, 0, sizeof(*g));
	g->i = i;
	g->j = j;
	for (size_t a = i; a < j; a++) {
		const struct sweep_row *r = &sw->rows[a];
		size_t x = 0;

		if (!(r->b->caps & BACKEND_CAP_PARALLEL) || !same_table(sw, r, &sw->rows[i]))
			continue;
		while (x < g->nb && g->b[x] != r->b)
			x++;
		if (x == g->nb && g->nb < SWEEP_MAX_LIST)
			g->b[g->nb++] = r->b;
		for (x = 0; x < g->nw && g->w[x] != r->workers; x++)
			;
		if (x < g->nw || g->nw == SWEEP_MAX_LIST)
			continue;
		for (x = g->nw++; x > 0 && g->w[x - 1] > r->workers; x--)
			g->w[x] = g->w[x - 1];
		g->w[x] = r->workers;
	}
}

const struct sweep_row *compact_row(const struct sweep *sw, const struct compact_grid *g,
				    const struct backend *b, unsigned w)
{
	for (size_t a = g->i; a < g->j; a++)
		if (sw->rows[a].b == b && sw->rows[a].workers == w &&
		    same_table(sw, &sw->rows[a], &sw->rows[g->i]))
			return &sw->rows[a];
	return NULL;
}

/* A speedup in at most 3 significant digits: 0.41, 12.3, 186. */
static const char *fmt_x(char *buf, size_t len, double v)
{
	snprintf(buf, len, v < 9.995 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f", v);
	return buf;
}

void compact_cell(const struct sweep *sw, const struct sweep_row *r, char *buf, size_t len)
{
	struct report_marks scratch = { 0 };
	char mark[16], s[16], lo[16], hi[16];

	if (!r) {
		snprintf(buf, len, "-");
		return;
	}
	if (!row_measured(r)) {
		snprintf(buf, len, "%s", r->interrupted ? "stopped" : r->failed ? "FAILED" : "not run");
		return;
	}
	row_marks(r, sw, &scratch, mark);
	if (!(r->speedup > 0))
		snprintf(buf, len, "no baseline%s", mark);
	else if (isnan(r->speedup_lo) || isnan(r->speedup_hi))
		snprintf(buf, len, "%s%s", fmt_x(s, sizeof(s), r->speedup), mark);
	else
		snprintf(buf, len, "%s (%s-%s)%s", fmt_x(s, sizeof(s), r->speedup),
			 fmt_x(lo, sizeof(lo), r->speedup_lo), fmt_x(hi, sizeof(hi), r->speedup_hi),
			 mark);
}

void compact_title(const struct sweep *sw, size_t i, char *buf, size_t len)
{
	const struct sweep_row *r = &sw->rows[i];
	char items[48] = "";

	if (r->items != r->size)
		snprintf(items, sizeof(items), ", %zu items", r->items);
	if (r->pixels > 0)
		snprintf(buf, len, "%s: %ux%u picture", r->k->name, r->width, r->height);
	else if (sw->weak)
		snprintf(buf, len, "%s: weak scaling, size %llu per worker", r->k->name,
			 (unsigned long long)r->size);
	else
		snprintf(buf, len, "%s: size %llu%s", r->k->name, (unsigned long long)r->size, items);
	if (r->variant[0] && !sw->weak) { /* the variant chosen for the kernel (none in CPython) */
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "; variant %s%s", r->variant,
			 r->streamed ? ", streaming stores" : "");
	}
}

void compact_bases(const struct sweep *sw, const struct run_meta *m, size_t i, size_t j,
		   char *buf, size_t len)
{
	struct report_marks scratch = { 0 };
	size_t used = 0;

	buf[0] = '\0';
	for (size_t a = i; a < j && used < len; a++) {
		const struct sweep_row *r = &sw->rows[a];
		struct row_rate rr = row_rate(r, m->roof);
		char t[32], rate[96] = "", mark[16];

		if ((r->b->caps & BACKEND_CAP_PARALLEL) || !same_table(sw, r, &sw->rows[i]))
			continue;
		if (!row_measured(r)) { /* no speedup below can be read: say why */
			compact_cell(sw, r, t, sizeof(t));
			used += (size_t)snprintf(buf + used, len - used, "%s%s %s", used ? "; " : "",
						 r->b->name, t);
			continue;
		}
		row_marks(r, sw, &scratch, mark);
		if (rr.rate > 0) /* three significant digits, no exponent */
			snprintf(rate, sizeof(rate), rr.rate >= 1000 ? ", %.0f %s" : ", %.3g %s",
				 rr.rate, rr.unit);
		if (rr.roof > 0 && !is_python(r)) /* a filter: its lower ceiling (row.h) */
			snprintf(rate + strlen(rate), sizeof(rate) - strlen(rate), ", %.0f%% of the %s "
				 "roof", rr.roof * 100, rr.bound == 'c' ? "compute" : "memory");
		used += (size_t)snprintf(buf + used, len - used, "%s%s %s%s%s%s", used ? "; " : "",
					 r->b->name, text_time(t, sizeof(t), r->median), rate,
					 mark[0] ? " " : "", mark);
	}
}

/* Backend b's serial fraction in rows i..j (Amdahl fit over its rows that are not
 * oversubscribed), where it beat its baseline and is no GIL's: the GIL is the known reason. */
static int serial_finding(const struct sweep *sw, size_t i, size_t j, const struct backend *b,
			  struct finding *f)
{
	double s[SWEEP_MAX_LIST], best = 0, kf = NAN;
	unsigned p[SWEEP_MAX_LIST], kfw = 0;
	size_t n = 0;
	int gil = 0;

	for (size_t a = i; a < j && n < SWEEP_MAX_LIST; a++) {
		const struct sweep_row *q = &sw->rows[a];

		if (q->b != b || !same_table(sw, q, &sw->rows[i]) || !row_measured(q) ||
		    !(q->speedup > 0) || row_oversubscribed(q, sw))
			continue;
		gil |= model_gil_bound(q);
		best = q->workers > 1 && q->speedup > best ? q->speedup : best;
		s[n] = q->speedup;
		p[n++] = q->workers;
		if (q->workers > 1 && q->workers >= kfw && !isnan(q->karp_flatt)) {
			kf = q->karp_flatt;
			kfw = q->workers;
		}
	}
	double fr = stats_amdahl_fit(s, p, n);

	if (gil || !(best > 1) || isnan(fr) || fr < FOUND_SERIAL)
		return 0;
	f->score = fr;
	snprintf(f->text, sizeof(f->text), "%s: serial fraction %.2f (Karp-Flatt %.2f at %u "
		 "workers): at most %.1fx at any worker count", b->name, fr, kf, kfw, 1 / fr);
	return 1;
}

/* Backend b's scaling model in rows i..j, where its measured speedup at the largest worker
 * count is far below the model's prediction. */
static int model_finding(const struct sweep *sw, size_t i, size_t j, const struct backend *b,
			 struct finding *f)
{
	struct model_check mc;
	struct report_marks scratch = { 0 };

	if (sw->weak || model_counted(sw, i, j, b, &mc, &scratch) || !(mc.held->speedup > 0) ||
	    !(1 + mc.error < FOUND_MODEL))
		return 0;
	f->score = 1 + 1 / (1 + mc.error); /* ranked before the serial fractions */
	snprintf(f->text, sizeof(f->text), "%s at %u workers: %.2fx where its scaling model "
		 "predicts %.2fx", b->name, mc.held->workers, mc.held->speedup,
		 mc.held->speedup / (1 + mc.error));
	return 1;
}

int compact_by_score(const void *a, const void *b)
{
	double x = ((const struct finding *)a)->score, y = ((const struct finding *)b)->score;

	return (x < y) - (x > y);
}

size_t compact_findings(const struct sweep *sw, size_t i, size_t j, struct finding *f,
			size_t max)
{
	struct compact_grid g;
	size_t n = 0;

	compact_grid(sw, i, j, &g);
	for (size_t x = 0; x < g.nb && n < max; x++)
		n += (size_t)model_finding(sw, i, j, g.b[x], &f[n]);
	for (size_t x = 0; x < g.nb && n < max; x++)
		n += (size_t)serial_finding(sw, i, j, g.b[x], &f[n]);
	qsort(f, n, sizeof(*f), compact_by_score);
	return n;
}

void report_count(const struct sweep *sw, struct report_marks *c)
{
	char mark[16];

	for (size_t i = 0; i < sw->n_rows; i++)
		if (row_measured(&sw->rows[i]))
			row_marks(&sw->rows[i], sw, c, mark);
	for (size_t i = 0; i < sw->n_rows && !sw->weak; i++) {
		size_t j = compact_span(sw, i);
		struct compact_grid g;
		struct model_check mc;

		if (!compact_first(sw, i))
			continue;
		compact_grid(sw, i, j, &g);
		for (size_t x = 0; x < g.nb; x++)
			model_counted(sw, i, j, g.b[x], &mc, c);
	}
}


size_t compact_table_of(const struct sweep *sw, const struct sweep_row *r)
{
	for (size_t i = 0; i < sw->n_rows; i++)
		if (same_table(sw, &sw->rows[i], r))
			return i;
	return sw->n_rows;
}
