/*
 * python.c - under a kernel's CPython table: how much faster C serial runs than CPython
 * serial per item, and the GIL model (pthreads-gil) against real CPython threads at every
 * worker count both measured, medians and the spread of single runs.
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

/* The baseline row of r (serial or cpython at r's size), or NULL. */
static const struct sweep_row *base_of(const struct sweep *sw, const struct sweep_row *r)
{
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *q = &sw->rows[i];

		if (q->k == r->k && q->b == backend_baseline_of(r->b) && q->size == r->size &&
		    row_measured(q))
			return q;
	}
	return NULL;
}

void python_spread(const struct sweep *sw, const struct sweep_row *r, double *lo, double *hi)
{
	const struct sweep_row *base = base_of(sw, r);

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

void print_python(FILE *out, const struct sweep *sw, size_t i, size_t j)
{
	const struct sweep_row *py0 = NULL;

	for (size_t a = i; a < j; a++)
		if (!(sw->rows[a].b->caps & BACKEND_CAP_PARALLEL) && row_measured(&sw->rows[a]))
			py0 = &sw->rows[a];
	if (py0)
		print_c_vs_python(out, sw, py0);
	for (size_t a = i; a < j; a++) {
		const struct sweep_row *cp = &sw->rows[a];

		if (!is_python(cp) || strcmp(cp->b->name, "cpython-threads") != 0 ||
		    !row_measured(cp) || !(cp->speedup > 0))
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
