/*
 * rank.h - an MPI rank measuring a plan (rank_plan.h): the same sweep as `parbench run`
 * (sweep.h), with what the plan says and nothing else: only the MPI backends, no serial
 * baseline, no interleaving, and the adaptive repetitions decided from the samples, not
 * the clock, so that every rank makes the same choices.  Two callers: the hidden command
 * `parbench rank PLAN` (rank.c), which `parbench run` has mpirun start for its MPI rows,
 * and `parbench run` started by mpirun or srun itself (run_ranked() in run_ranks.c: its
 * options become the plan).  Rank 0 alone writes; the other ranks' standard output goes to /dev/null.
 */
#ifndef PB_CMD_RANK_H
#define PB_CMD_RANK_H

#include "image.h"
#include "pin.h"
#include "rank_plan.h"
#include "sweep.h"

struct rank_run {
	/* given */
	const struct rank_plan *plan;
	int rank;                 /* this process's rank under the launcher (>= 0) */
	const char *dir;          /* rank 0: Google Benchmark's JSON goes to dir/.gbench.json.tmp */
	struct sweep *sw;         /* the rows */
	sweep_hang_fn *hang;      /* a run hangs in threads that cannot be stopped (NULL: the
				   * line is said and the process ends, saving nothing) */
	void *hang_arg;
	/* set by rank_prepare, released by rank_release */
	struct sweep_opts o;
	struct pin_topo *topo;
	struct pb_image image;
	struct pin_plan probe;    /* the pin policy, checked on this host */
};

/* This host for the plan: the variant, the picture, the topology and the pin policy (a
 * usage error if this host cannot run them), then the sweep's options.  0, or the exit
 * status after saying why. */
int rank_prepare(struct rank_run *rr);
/* The sweep of the plan into rr->sw.  0; EXIT_VERIFY when a row failed (its rows are in
 * rr->sw) or the sweep could not run (said on stderr). */
int rank_sweep(struct rank_run *rr);
void rank_release(struct rank_run *rr);

#endif
