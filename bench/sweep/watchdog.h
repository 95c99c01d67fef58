/*
 * watchdog.h - a thread that watches one backend run at a time (the sweep's, calibration's).
 *
 * A run past its deadline, or one still going WATCHDOG_GRACE_S after a stop signal, is
 * cancelled when its backend can be (process backends kill their workers, the run fails and
 * the caller goes on); otherwise the hang callback saves what was measured and ends the
 * program.  A start is not watched: backends that wait on another program at start take the
 * deadline and the stop flag in their config (backend.h).
 */
#ifndef PB_WATCHDOG_H
#define PB_WATCHDOG_H

#include <pthread.h>
#include <stdatomic.h>

#include "backend.h"
#include "sweep.h"

#define WATCHDOG_GRACE_S 2.0

struct watchdog {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;
	double timeout_s;              /* per run; 0: none */
	const atomic_int *stop;        /* a stop request (set by a signal handler), or NULL */
	sweep_hang_fn *hang;           /* a run that cannot be cancelled hangs: must not return
					* (NULL: the run is left to end by itself) */
	void *hang_arg;
	/* under mu */
	struct backend_instance *bi;   /* the run in progress, or NULL */
	const struct sweep_row *row;   /* its row, for hang (NULL: none) */
	const char *cancelled;         /* why the run in progress was cancelled, or NULL */
	double deadline;               /* of the run in progress */
	double stop_seen;              /* when a stop request was first seen during it */
};

/* Starts the thread with these settings (the fields above mu). 0, or -1 with err set. */
int watchdog_start(struct watchdog *wd, char *err, size_t err_len);
void watchdog_stop(struct watchdog *wd);
/* backend_instance_run(bi, w) under the watchdog's eye; *cancelled: why the watchdog
 * cancelled it, or NULL.  A cancelled run has failed even if a retry inside the backend made
 * it return 0. */
int watchdog_run(struct watchdog *wd, struct backend_instance *bi, const struct work *w,
		 const struct sweep_row *row, const char **cancelled);

#endif
