/*
 * evaluate.c - what is made of a sweep's rows once measured: which rows form a group (one
 * table, one baseline), each row's speedup and efficiency against its baseline with their
 * intervals, and rows measured by another process (mpirun's ranks) merged into their groups.
 */
#include "sweep.h"

#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_python(const struct backend *b)
{
	return (b->caps & BACKEND_CAP_PYTHON) != 0;
}

int sweep_same_group(const struct sweep *sw, const struct sweep_row *a, const struct sweep_row *b)
{
	return a->k == b->k && (sw->weak || a->size == b->size) && is_python(a->b) == is_python(b->b);
}

const struct sweep_row *sweep_baseline(const struct sweep *sw, const struct sweep_row *r)
{
	const struct backend *base = backend_baseline_of(r->b);

	for (size_t i = 0; base && i < sw->n_rows; i++)
		if (sw->rows[i].b == base && sweep_same_group(sw, &sw->rows[i], r))
			return &sw->rows[i];
	return NULL;
}

void sweep_evaluate(struct sweep *sw)
{
	sweep_mark_wide(sw);
	for (size_t i = 0; i < sw->n_rows; i++) {
		struct sweep_row *r = &sw->rows[i];
		const struct sweep_row *base = sweep_baseline(sw, r);

		r->speedup = r->efficiency = 0;
		r->speedup_lo = r->speedup_hi = r->karp_flatt = NAN;
		if (r->n_samples)
			stats_median_ci(r->samples, r->n_samples, &r->median_lo, &r->median_hi,
					&r->median_level);
		if (!base || !base->n_samples || base->failed || !r->n_samples || r->failed ||
		    !(r->median > 0))
			continue;
		double scale = sw->weak ? (double)r->workers : 1;

		r->speedup = scale * base->median / r->median;
		r->efficiency = r->speedup / r->workers;
		if (base->samples && r->samples) {
			stats_ratio_ci(base->samples, base->n_samples, r->samples, r->n_samples,
				       SWEEP_BOOTSTRAP, &r->speedup_lo, &r->speedup_hi);
			r->speedup_lo *= scale;
			r->speedup_hi *= scale;
		}
		if (!sw->weak)
			r->karp_flatt = stats_karp_flatt(r->speedup, r->workers);
	}
}

int sweep_merge(struct sweep *sw, struct sweep *more)
{
	size_t total = sw->n_rows + more->n_rows, n = 0;
	struct sweep_row *rows = calloc(total ? total : 1, sizeof(*rows));
	char *used = calloc(more->n_rows + 1, 1);

	if (!rows || !used) {
		free(rows);
		free(used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sw->n_rows;) {
		size_t j = i;

		while (j < sw->n_rows && sweep_same_group(sw, &sw->rows[j], &sw->rows[i]))
			rows[n++] = sw->rows[j++];
		for (size_t m = 0; m < more->n_rows; m++)
			if (!used[m] && sweep_same_group(sw, &more->rows[m], &sw->rows[i])) {
				rows[n++] = more->rows[m];
				used[m] = 1;
			}
		i = j;
	}
	for (size_t m = 0; m < more->n_rows; m++)
		if (!used[m])
			rows[n++] = more->rows[m];
	free(used);
	free(sw->rows);
	free(more->rows); /* the samples moved with the rows */
	more->rows = NULL;
	more->n_rows = 0;
	sw->rows = rows;
	sw->n_rows = n;
	sweep_evaluate(sw);
	return 0;
}
