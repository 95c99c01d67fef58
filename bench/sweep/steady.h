/*
 * steady.h - how steady the CPU's speed was during a sweep: a short serial run of a compute
 * kernel (range_sum, in the run's instruction-set variant), timed and verified between
 * repetitions, at most every STEADY_EVERY_S, each run bound in turn to one of the PUs the
 * configurations are pinned to (where they meet other processes too).  On a shared host the
 * other tenants of this VM's cores can slow vector code by half in bursts without any steal
 * time (README, "How long"); the spread of these runs shows it, whatever the configurations
 * measured, and `parbench compare` takes their median as the machine's speed.
 */
#ifndef PB_STEADY_H
#define PB_STEADY_H

#include "kernel.h"
#include "machine.h"
#include "sweep.h"

#define STEADY_KERNEL  "range_sum"
#define STEADY_EVERY_S 0.25 /* at most one probe run this often (~1 % of the time) */
#define STEADY_RUN_S   0.002
#define STEADY_SLOW    1.10 /* a probe run this much slower than the fastest is slow */

struct steady {
	struct kernel_instance ki;
	int on;
	double next;  /* monotonic time of the next probe run */
	double *t;
	unsigned n, cap;
	const struct pin_topo *topo;
	int pu[PIN_MAX_WORKERS]; /* the PUs the rows are pinned to, in turn */
	unsigned n_pu;
};

/* Sizes the probe, and takes the PUs sw's rows are pinned to (none: it runs unbound); 0, or
 * -errno (then steady_tick does nothing). */
int steady_begin(struct steady *s, const struct kernel_params *kp, const struct pin_topo *topo,
		 const struct sweep *sw);
/* One probe run if one is due; a wrong result ends the probe (the sweep verifies its own). */
void steady_tick(struct steady *s);
/* Fills m's steady_* fields from the probe runs and frees them.  fake (the test hook
 * PARBENCH_TEST_STEADY), if a list of 2 or more run times in seconds ("0.002,0.003"), stands
 * in for the runs measured, so that what the probe concludes can be tested on known times. */
void steady_end(struct steady *s, struct machine_state *m, const char *fake);
/* m's steady_* fields from n >= 2 probe run times t (seconds); nothing for fewer. */
void steady_summarize(const double *t, unsigned n, struct machine_state *m);

#endif
