/*
 * rounds.c - the repetitions: a first round of SWEEP_MIN_REPS for every configuration (or the
 * fixed count), then rounds of more for those whose median is not yet known to the precision
 * wanted, widest first while the budget lasts (sweep.h).
 */
#include "sweep_int.h"

#include "clock.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void row_take_result(struct sweep_row *r, const struct gbench_result *g)
{
	r->ran = 1;
	if (g->failed) {
		if (!r->error[0])
			snprintf(r->error, sizeof(r->error), "%s", g->error);
		if (!r->interrupted)
			r->failed = 1;
		/* repetitions completed before an interrupt are kept, labelled partial */
		if (!r->interrupted || r->failed || g->n_samples < 2 || isnan(g->median))
			return;
		r->partial = 1;
	}
	if (r->failed || g->n_samples == 0)
		return;
	double *s = realloc(r->samples, g->n_samples * sizeof(double)); /* every round's */

	if (!s)
		return;
	r->samples = s;
	memcpy(r->samples, g->samples, g->n_samples * sizeof(double));
	r->n_samples = g->n_samples;
	r->iterations = g->iterations;
	r->median = g->median;
	r->mean = g->mean;
	r->stddev = g->stddev;
	r->cv = g->cv;
	r->min = g->min;
	r->max = g->max;
}

static void on_done(const struct gbench_result *g, void *arg)
{
	struct progress_ctx *pc = arg;
	struct sweep_row *r = &pc->sw->rows[g->index];
	double t = pb_mono_s();
	struct sweep_progress p = { r, ++pc->done, pc->total, pc->round, t - pc->t0, -1 };

	row_take_result(r, g);
	if (pc->round_cost > 0) /* later rounds: what the plan left of this one */
		p.eta_s = pc->round_cost - (t - pc->round_t0) > 0 ? pc->round_cost - (t - pc->round_t0)
								   : 0;
	else if (p.done) /* the first: configurations alike */
		p.eta_s = (t - pc->round_t0) / (double)p.done * (double)(p.total - p.done);
	if (pc->fn)
		pc->fn(&p, pc->arg);
}

/* The larger side of the median's interval relative to the median; infinite when the
 * interval does not reach 95 % (fewer than 6 samples). */
static double median_rel(const struct sweep_row *r)
{
	double lo, hi, level;

	if (!r->n_samples || !(r->median > 0))
		return INFINITY;
	stats_median_ci(r->samples, r->n_samples, &lo, &hi, &level);
	if (level < 0.95)
		return INFINITY;
	return fmax(hi / r->median - 1, 1 - lo / r->median);
}

void sweep_mark_wide(struct sweep *sw)
{
	sw->wide = 0;
	for (size_t i = 0; i < sw->n_rows; i++) {
		struct sweep_row *r = &sw->rows[i];

		r->median_rel = median_rel(r);
		r->wide = sw->precision > 0 && r->n_samples && !r->failed &&
			  r->median_rel > sw->precision;
		sw->wide += (unsigned)r->wide;
	}
}

/* Seconds one more repetition of row r costs: its iterations, the untimed warm-up after the
 * restart that interleaving brings (case_rewarms), and (unless deterministic) the backend's
 * start. */
static double rep_cost(const struct sweep_row *r, int deterministic)
{
	return r->median * (double)(r->iterations + case_rewarms(r)) +
	       (deterministic ? 0 : r->startup_s);
}

struct want {
	size_t i;
	double rel, cost;
};

static int by_width(const void *a, const void *b)
{
	double x = ((const struct want *)a)->rel, y = ((const struct want *)b)->rel;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * The next round's plan: reps[i] more repetitions for each configuration still wider than
 * the precision (half as many again as it has, at least 3, up to SWEEP_MAX_REPS), widest
 * first while the budget lasts.  *cost gets the plan's estimate; 0 when nothing is left.
 */
static size_t plan_round(const struct sweep *sw, const struct sweep_opts *o, double spent,
			 unsigned *reps, struct want *w, double *cost)
{
	size_t nw = 0, planned = 0;

	*cost = 0;
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		double rel = median_rel(r);

		reps[i] = 0;
		if (!r->ran || r->failed || r->interrupted || !r->n_samples || rel <= o->precision ||
		    r->n_samples >= SWEEP_MAX_REPS)
			continue;
		unsigned add = (unsigned)r->n_samples / 2 < 3 ? 3 : (unsigned)r->n_samples / 2;

		if (r->n_samples + add > SWEEP_MAX_REPS)
			add = SWEEP_MAX_REPS - (unsigned)r->n_samples;
		reps[i] = add;
		w[nw++] = (struct want){ i, rel, add * rep_cost(r, o->deterministic) + r->median };
	}
	qsort(w, nw, sizeof(*w), by_width);
	for (size_t k = 0; k < nw; k++) {
		if (o->budget_s > 0 && spent + *cost + w[k].cost > o->budget_s) {
			reps[w[k].i] = 0;
			continue;
		}
		*cost += w[k].cost;
		planned++;
	}
	return planned;
}

/* Round after round of Google Benchmark until the plan is empty (one round when the count
 * is fixed, or on a stop request). */
int run_rounds(struct sweep *sw, const struct sweep_opts *o, struct gbench *gb,
		      int display, struct progress_ctx *pc, char *err, size_t err_len)
{
	unsigned *reps = calloc(sw->n_rows, sizeof(*reps));
	struct want *w = calloc(sw->n_rows, sizeof(*w));
	double spent = 0;
	int rc = 0;

	if (!reps || !w) {
		snprintf(err, err_len, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < sw->n_rows; i++)
		reps[i] = SWEEP_MIN_REPS;
	pc->total = sw->n_rows;
	for (;;) {
		pc->round++;
		pc->done = 0;
		pc->round_t0 = pb_mono_s();
		rc = gbench_run_some(gb, o->repetitions ? NULL : reps, display, on_done, pc, err,
				     err_len);
		sw->rounds = pc->round;
		if (rc || o->repetitions || (o->stop && atomic_load(o->stop)))
			break;
		if (o->deterministic) { /* what the plan said, and the first round's samples */
			spent += pc->round_cost;
			if (pc->round == 1)
				for (size_t i = 0; i < sw->n_rows; i++)
					if (sw->rows[i].n_samples)
						spent += SWEEP_MIN_REPS *
							 rep_cost(&sw->rows[i], 1);
		} else {
			spent = pb_mono_s() - pc->t0;
		}
		pc->total = plan_round(sw, o, spent, reps, w, &pc->round_cost);
		if (pc->total == 0)
			break;
	}
out:
	free(reps);
	free(w);
	return rc;
}
