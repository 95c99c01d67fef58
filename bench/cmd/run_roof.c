/*
 * run_roof.c - what a run measures before its sweep, outside every timing: each kernel's
 * instruction-set variant, chosen by timing unless --isa or PARBENCH_ISA forced one
 * (pick.h), and the roof, the copy bandwidth with ordinary and streaming stores and the
 * filters' compute ceilings (roof.h).  Both are kept for the tables and meta.json.
 */
#include "run.h"

#include <string.h>

int run_pick(struct run_cmd *r)
{
	char err[512];

	if (!variant_forced && pick_run(&r->pick, r->o.kernels, r->o.n_kernels, err, sizeof(err))) {
		diag_line("%s", err);
		return EXIT_VERIFY;
	}
	r->meta.pick = variant_forced ? NULL : &r->pick;
	r->meta.variant_forced = variant_forced;
	return 0;
}

int run_roof(struct run_cmd *r)
{
	struct roof *roof = &r->roof;
	int rc = roof_measure(roof, r->topo, r->pin, r->o.workers, r->o.n_workers);

	if (rc) {
		diag_line("cannot measure the copy bandwidth: %s", strerror(-rc));
		return EXIT_VERIFY;
	}
	r->o.kp.stream_above = roof->stream_above;
	rc = roof_measure_compute(roof, r->topo, r->pin, r->o.kernels, r->o.n_kernels);
	if (rc) {
		diag_line("cannot measure the filters' compute ceiling: %s", strerror(-rc));
		return EXIT_VERIFY;
	}
	r->meta.roof = roof;
	return 0;
}
