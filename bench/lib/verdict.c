/*
 * verdict.c - one configuration's verdict between two runs (verdict.h).  Everything is done
 * on the logs of the times, where a ratio is a shift and the interval of a quotient is the
 * difference of the intervals.
 */
#include "verdict.h"

#include "median.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define VERDICT_MAX_REPS 10000 /* beyond this, "no count would decide" */

const char *verdict_name(enum verdict_kind k)
{
	static const char *const names[] = {
		[VERDICT_SAME] = "same",
		[VERDICT_SLOWER] = "SLOWER",
		[VERDICT_FASTER] = "faster",
		[VERDICT_UNRESOLVED] = "unresolved",
	};

	return names[k];
}

/* The verdict of a log ratio's interval [lo, hi] at threshold t. */
static enum verdict_kind kind_of(double lo, double hi, double t)
{
	if (lo > log1p(t))
		return VERDICT_SLOWER;
	if (hi < log1p(-t))
		return VERDICT_FASTER;
	if (lo >= log1p(-t) && hi <= log1p(t))
		return VERDICT_SAME;
	return VERDICT_UNRESOLVED;
}

/* The log estimate e with interval [lo, hi] judged with the machine's change as d says;
 * ratio, lo and hi of v as judged (not reps). */
static void judge_view(double e, double lo, double hi, const struct drift *d, double t,
		       struct verdict *v)
{
	double de = 0, dlo = 0, dhi = 0;

	if (d->use != DRIFT_NONE) {
		de = log(d->ratio);
		dlo = log(d->lo);
		dhi = log(d->hi);
	}
	/* divided by the machine's change: if both intervals hold, so does the quotient's */
	double e2 = e - de, lo2 = lo - dhi, hi2 = hi - dlo;
	enum verdict_kind raw = kind_of(lo, hi, t), div = kind_of(lo2, hi2, t);

	v->ambiguous = 0;
	if (d->use == DRIFT_NONE) {
		v->kind = raw;
		v->ratio = exp(e);
		v->lo = exp(lo);
		v->hi = exp(hi);
	} else if (d->use == DRIFT_DIVIDE) {
		v->kind = div;
		v->ratio = exp(e2);
		v->lo = exp(lo2);
		v->hi = exp(hi2);
	} else { /* either: the verdict must not depend on whether the probe saw the machine */
		v->ambiguous = raw != div && raw != VERDICT_UNRESOLVED && div != VERDICT_UNRESOLVED;
		v->kind = raw == div ? raw : VERDICT_UNRESOLVED;
		v->ratio = exp(e);
		v->lo = exp(fmin(lo, lo2));
		v->hi = exp(fmax(hi, hi2));
	}
}

/* The n m differences y[j] - x[i], sorted; NULL if out of memory. */
static double *differences(const double *x, size_t n, const double *y, size_t m)
{
	size_t N = n * m;
	double *d = malloc((N ? N : 1) * sizeof(*d));

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			d[i * m + j] = y[j] - x[i];
	median_sort(d, N);
	return d;
}

/* Whether r repetitions a side would decide: Moses' interval then spans the quantiles
 * 1/2 -+ z sqrt((2r + 1) / (12 r^2)) of the differences (the normal approximation of its k),
 * read off the differences measured, so that heavy tails count as they will. */
static int decides(const double *d, size_t N, size_t r, double z, double e,
		   const struct drift *dr, double t)
{
	double w = z * sqrt((2.0 * (double)r + 1) / (12.0 * (double)r * (double)r));
	struct verdict v;

	if (w >= 0.5 || N == 0)
		return 0;
	judge_view(e, d[(size_t)floor((0.5 - w) * (double)(N - 1))],
		   d[(size_t)ceil((0.5 + w) * (double)(N - 1))], dr, t, &v);
	return v.kind != VERDICT_UNRESOLVED;
}

/* The fewest repetitions a side above n that would decide, or 0 if none up to the cap. */
static size_t reps_needed(const double *d, size_t N, size_t n, double alpha, double e,
			  const struct drift *dr, double t)
{
	double z = stats_norm_quantile(alpha / 2);
	size_t lo = n + 1, hi = VERDICT_MAX_REPS;

	if (lo > hi || !decides(d, N, hi, z, e, dr, t))
		return 0;
	while (lo < hi) { /* the intervals nest as r grows: a decision, once reached, stays */
		size_t mid = lo + (hi - lo) / 2;

		if (decides(d, N, mid, z, e, dr, t))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int verdict_judge(const double *base, size_t nb, const double *cur, size_t nc, double scale,
		  const struct drift *d, double threshold, double alpha, struct verdict *v)
{
	const struct drift none = { .use = DRIFT_NONE, .ratio = 1, .lo = 1, .hi = 1 };
	double *lb = calloc(nb ? nb : 1, sizeof(*lb)), *lc = calloc(nc ? nc : 1, sizeof(*lc));
	double *diff = NULL, e = NAN, lo = -INFINITY, hi = INFINITY;
	int rc = -ENOMEM;

	*v = (struct verdict){ .kind = VERDICT_UNRESOLVED, .ratio = NAN, .lo = 0, .hi = INFINITY };
	if (!d)
		d = &none;
	if (!lb || !lc)
		goto out;
	for (size_t i = 0; i < nb; i++)
		lb[i] = log(base[i]);
	for (size_t j = 0; j < nc; j++)
		lc[j] = log(cur[j] * scale);
	rc = stats_shift_ci(lb, nb, lc, nc, alpha, &e, &lo, &hi);
	if (rc == -ENOMEM || !(diff = differences(lb, nb, lc, nc)))
		goto out;
	rc = 0;
	judge_view(e, lo, hi, d, threshold, v);
	if (v->kind == VERDICT_UNRESOLVED && !v->ambiguous)
		v->reps = reps_needed(diff, nb * nc, nb < nc ? nb : nc, alpha, e, d, threshold);
	if (isinf(v->hi) && v->reps < stats_shift_min_n(alpha)) /* no interval at all yet */
		v->reps = stats_shift_min_n(alpha);
out:
	free(diff);
	free(lb);
	free(lc);
	return rc;
}
