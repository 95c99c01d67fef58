/*
 * merge.c - a sweep's rows freed, and rows measured elsewhere (the MPI launches' own sweeps)
 * joined to a sweep, each beside the rows of its group, then evaluated again.
 */
#include "sweep_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sweep_free(struct sweep *sw)
{
	for (size_t i = 0; i < sw->n_rows; i++)
		free(sw->rows[i].samples);
	free(sw->rows);
	memset(sw, 0, sizeof(*sw));
}

static int same_group(const struct sweep *sw, const struct sweep_row *a, const struct sweep_row *b)
{
	return a->k == b->k && (sw->weak || a->size == b->size);
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

		while (j < sw->n_rows && same_group(sw, &sw->rows[j], &sw->rows[i]))
			rows[n++] = sw->rows[j++];
		for (size_t m = 0; m < more->n_rows; m++)
			if (!used[m] && same_group(sw, &more->rows[m], &sw->rows[i])) {
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
