/*
 * python.c - under a kernel's CPython table: how much faster C serial runs than CPython
 * serial per item; which rows ran with a GIL, as each interpreter said; and the GIL model
 * (pthreads-gil) against real CPython threads at every worker count both measured, medians
 * and the spread of single runs, where those threads did run under a GIL.
 */
#include "report_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int is_python(const struct sweep_row *r)
{
	return (r->b->caps & BACKEND_CAP_PYTHON) != 0;
}

/* The measured row of kernel k on the backend called name with w workers, or NULL. */
static const struct sweep_row *find_row(const struct sweep *sw, const struct kernel *k,
					const char *name, unsigned w)
{
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (r->k == k && strcmp(r->b->name, name) == 0 && r->workers == w &&
		    row_measured(r) && r->speedup > 0)
			return r;
	}
	return NULL;
}

void python_spread(const struct sweep *sw, const struct sweep_row *r, double *lo, double *hi)
{
	const struct sweep_row *base = row_baseline(sw, r);

	*lo = *hi = NAN;
	for (size_t i = 0; base && r->samples && i < r->n_samples; i++) {
		double s = base->median / r->samples[i];

		if (isnan(*lo) || s < *lo)
			*lo = s;
		if (isnan(*hi) || s > *hi)
			*hi = s;
	}
}

/* "C serial runs 85x faster than CPython serial per item" for kernel k. */
static void print_c_vs_python(FILE *out, const struct sweep *sw, const struct sweep_row *py)
{
	const struct sweep_row *c = NULL;

	for (size_t i = 0; i < sw->n_rows; i++)
		if (sw->rows[i].k == py->k && sw->rows[i].b == backend_baseline() &&
		    row_measured(&sw->rows[i]) && sw->rows[i].median > 0)
			c = &sw->rows[i];
	if (!c || !(py->median > 0) || !c->elements || !py->elements)
		return;
	double rc = (double)c->elements / c->median, rp = (double)py->elements / py->median;

	fprintf(out, "  C serial runs %.0fx faster than CPython serial per %s (%.3g vs %.3g "
		     "per second)\n", rc / rp, py->pixels ? "pixel" : "item", rc, rp);
}

/* The backends of rows i..j whose interpreter said gil (1 on, -1 off), once each. */
static void gil_names(const struct sweep *sw, size_t i, size_t j, int gil, char *buf,
		      size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t a = i; a < j; a++) {
		const struct sweep_row *r = &sw->rows[a];
		int first = 1;

		for (size_t x = i; x < a; x++)
			first &= sw->rows[x].b != r->b || sw->rows[x].gil != gil;
		if (r->gil != gil || !first || used + strlen(r->b->name) + 3 >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 r->b->name);
	}
}

/* "GIL on in cpython, ...; off in cpython-ft, ..." as the interpreters said, when they did;
 * and a GIL-bound backend (cpython-threads) that ran without one is called so. */
static void print_gil(FILE *out, const struct sweep *sw, size_t i, size_t j)
{
	char on[256], off[256];

	gil_names(sw, i, j, 1, on, sizeof(on));
	gil_names(sw, i, j, -1, off, sizeof(off));
	if (on[0] || off[0])
		fprintf(out, "  GIL (each interpreter's sys._is_gil_enabled()): %s%s%s%s%s\n",
			on[0] ? "on in " : "", on, on[0] && off[0] ? "; " : "",
			off[0] ? "off in " : "", off);
	for (size_t a = i; a < j; a++) {
		const struct sweep_row *r = &sw->rows[a];
		int first = 1;

		for (size_t x = i; x < a; x++)
			first &= sw->rows[x].b != r->b || sw->rows[x].gil >= 0;
		if (first && r->gil < 0 && (r->b->caps & BACKEND_CAP_GIL_BOUND))
			fprintf(out, "  %s ran without a GIL (its interpreter, --python, has none): "
				     "free threading, not the GIL model (not compared with pthreads-gil)\n",
				r->b->name);
	}
}

void print_python(FILE *out, const struct sweep *sw, size_t i, size_t j)
{
	const struct sweep_row *py0 = NULL;

	for (size_t a = i; a < j; a++)
		if (!(sw->rows[a].b->caps & (BACKEND_CAP_PARALLEL | BACKEND_CAP_FREE_THREADED)) &&
		    row_measured(&sw->rows[a])) /* cpython */
			py0 = &sw->rows[a];
	if (py0)
		print_c_vs_python(out, sw, py0);
	print_gil(out, sw, i, j);
	for (size_t a = i; a < j; a++) {
		const struct sweep_row *cp = &sw->rows[a];

		/* the model is of threads under a GIL: rows that ran without one are not it */
		if (!is_python(cp) || strcmp(cp->b->name, "cpython-threads") != 0 ||
		    !row_measured(cp) || !(cp->speedup > 0) || cp->gil < 0)
			continue;
		const struct sweep_row *m = find_row(sw, cp->k, "pthreads-gil", cp->workers);

		if (!m)
			continue;
		double mlo, mhi, clo, chi;

		python_spread(sw, m, &mlo, &mhi);
		python_spread(sw, cp, &clo, &chi);
		fprintf(out, "  GIL model, %u thread%s: pthreads-gil %.2fx (%.2f-%.2f), "
			     "cpython-threads %.2fx (%.2f-%.2f): medians %.0f%% apart\n",
			cp->workers, cp->workers == 1 ? "" : "s", m->speedup, mlo, mhi, cp->speedup, clo, chi,
			100 * fabs(m->speedup - cp->speedup) / cp->speedup);
	}
}
