/*
 * watchdog.h - a thread that watches one run at a time, for the sweep and the filter
 * command.  A run past its time limit, or still going WATCHDOG_GRACE_S after a stop request
 * (a signal), is cancelled through cancel(); a run that cannot be cancelled (threads) goes
 * to hang(), which saves what it can and ends the program.  A cancelled run that still has
 * not returned a grace period later (a retry that hangs again) is cancelled again.
 * No parbench header: the run is the caller's pointer, passed back to its callbacks.
 */
#ifndef PB_WATCHDOG_H
#define PB_WATCHDOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#define WATCHDOG_GRACE_S 2.0
#define WATCHDOG_TICK_S  0.05 /* how often the thread looks */

/* Stops run: 0, or non-zero when it cannot be stopped. */
typedef int watchdog_cancel_fn(void *run);
/* run cannot be stopped; why is "timed out after N s" or "still running N s after SIGINT".
 * Must not return (if it does, the run is treated as cancelled). */
typedef void watchdog_hang_fn(void *run, const char *why, void *arg);

struct watchdog {
	/* set before watchdog_start() */
	double timeout_s;             /* a run's limit; 0: none */
	atomic_int *stop;             /* a stop request (the signal's number), or NULL */
	watchdog_cancel_fn *cancel;
	watchdog_hang_fn *hang;
	void *hang_arg;
	/* the watchdog's own */
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;
	void *running;                /* the run watched, or NULL */
	const char *cancelled;        /* why it was cancelled, or NULL */
	double deadline;              /* of the run in progress */
	double stop_seen;             /* when a stop request was first seen during it */
};

/* Starts the thread. 0 or -errno. */
int watchdog_start(struct watchdog *wd);
/* Ends and joins the thread (nothing may be armed). */
void watchdog_stop(struct watchdog *wd);
/* Watches run from now (its time limit starts now). */
void watchdog_arm(struct watchdog *wd, void *run);
/* The run has returned: no longer watched.  Why it was cancelled ("timed out", "stopped by a
 * signal"), or NULL if it was not: a cancelled run fails even if it returned 0. */
const char *watchdog_disarm(struct watchdog *wd);

/* A work range that never returns (pause() forever), with a kernel's range signature: the
 * test hooks' hung worker (PARBENCH_TEST_HANG), for the watchdog to end. */
void watchdog_hang_range(void *ctx, size_t begin, size_t end, void *partial);

#endif
