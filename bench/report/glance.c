/*
 * glance.c - the run at a glance: which row stands for a backend on a kernel in the summary
 * picture (summary.gp) and the summary tables of report.md and report.html.
 */
#include "report_int.h"

/* q is a better row than best for the glance: larger size (strong scaling), then not
 * oversubscribed, then more workers. */
static int better(const struct sweep *sw, const struct sweep_row *q, const struct sweep_row *best)
{
	int qo = row_oversubscribed(q, sw), bo = row_oversubscribed(best, sw);

	if (!sw->weak && q->size != best->size)
		return q->size > best->size;
	if (qo != bo)
		return bo;
	return q->workers > best->workers;
}

const struct sweep_row *report_glance(const struct sweep *sw, const struct kernel *k,
				      const struct backend *b)
{
	const struct sweep_row *best = NULL;

	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *q = &sw->rows[i];

		if (q->k != k || q->b != b || !row_measured(q) || !(q->speedup > 0))
			continue;
		if (!best || better(sw, q, best))
			best = q;
	}
	return best;
}
