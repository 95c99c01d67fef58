/*
 * run_sizes.c - parbench run --sizes-from DIR: the sizes of another run (its summary.csv:
 * the C rows' size and the CPython rows' own, per kernel) for this one, so that two runs meant
 * for `parbench compare` do the same work whatever their builds' speeds.  Kernels DIR did not
 * run are sized as usual; nothing is measured here.
 */
#include "run.h"

#include <string.h>

void run_sizes_from(struct run_cmd *r)
{
	struct loaded_run *lr = &r->sizes_run;
	struct sweep_opts *o = &r->o;
	char err[600];

	if (!r->sizes_from)
		return;
	if (o->kp.size || r->sizes.n || r->py_size || r->py_sizes.n || o->n_sizes)
		usage_error("--sizes-from and --size, --sizes or --python-size exclude each other");
	if (o->weak || r->image_path)
		usage_error("--sizes-from takes strong scaling at the run's sizes: not with %s",
			    o->weak ? "--scaling weak" : "--image");
	if (run_load(r->sizes_from, lr, err, sizeof(err)) != 0)
		usage_error("--sizes-from: %s", err);
	if (lr->sw.weak || lr->sw.n_sizes > 1) {
		const char *what = lr->sw.weak ? "weak-scaling" : "size-sweep";

		run_free(lr);
		usage_error("--sizes-from: '%s' is a %s run: it has no one size per kernel",
			    r->sizes_from, what);
	}
	for (size_t i = 0; i < lr->sw.n_rows; i++) {
		const struct sweep_row *q = &lr->sw.rows[i];
		int py = (q->b->caps & BACKEND_CAP_PYTHON) != 0;

		for (size_t k = 0; k < o->n_kernels; k++)
			if (strcmp(o->kernels[k]->name, q->k->name) == 0)
				(py ? o->py_sizes : o->kernel_sizes)[k] = q->size;
	}
	run_free(lr);
}
