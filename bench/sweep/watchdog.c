/*
 * watchdog.c - the thread that watches the run in progress (watchdog.h): past its deadline,
 * or still going 2 s after a stop signal, a run is cancelled when its backend can be;
 * otherwise the hang callback saves what was measured and ends the program.
 */
#include "watchdog.h"

#include "clock.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>

static void *watchdog_main(void *arg)
{
	struct watchdog *wd = arg;

	pthread_mutex_lock(&wd->mu);
	while (!wd->quit) {
		struct timespec ts;
		double t = pb_mono_s();
		const char *why = NULL;
		char reason[64];

		if (wd->bi && wd->timeout_s > 0 && t > wd->deadline) {
			snprintf(reason, sizeof(reason), "timed out after %g s", wd->timeout_s);
			why = "timed out";
		} else if (wd->bi && wd->stop && atomic_load(wd->stop)) {
			if (!wd->stop_seen)
				wd->stop_seen = t;
			else if (t - wd->stop_seen > WATCHDOG_GRACE_S) {
				snprintf(reason, sizeof(reason), "still running %g s after %s",
					 WATCHDOG_GRACE_S,
					 atomic_load(wd->stop) == SIGINT ? "SIGINT" : "SIGTERM");
				why = "stopped by a signal";
			}
		}
		if (why) {
			if (backend_instance_cancel(wd->bi) == 0) {
				/* the run fails; if it still has not returned a grace period later
				 * (a retry that hangs again), it is cancelled again */
				wd->cancelled = why;
				wd->deadline = t + WATCHDOG_GRACE_S;
				wd->stop_seen = t;
			} else if (wd->hang && wd->row) {
				wd->hang(wd->row, reason, wd->hang_arg); /* does not return */
			}
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wd->cv, &wd->mu, &ts);
	}
	pthread_mutex_unlock(&wd->mu);
	return NULL;
}

int watchdog_run(struct watchdog *wd, struct backend_instance *bi, const struct work *w,
		 const struct sweep_row *row, const char **cancelled)
{
	int err;

	pthread_mutex_lock(&wd->mu);
	wd->cancelled = NULL; /* every run is watched afresh */
	wd->bi = bi;
	wd->row = row;
	wd->deadline = pb_mono_s() + wd->timeout_s;
	wd->stop_seen = 0;
	pthread_mutex_unlock(&wd->mu);
	err = backend_instance_run(bi, w);
	pthread_mutex_lock(&wd->mu);
	wd->bi = NULL;
	wd->row = NULL;
	*cancelled = wd->cancelled;
	pthread_mutex_unlock(&wd->mu);
	return err;
}

int watchdog_start(struct watchdog *wd, char *err, size_t err_len)
{
	pthread_mutex_init(&wd->mu, NULL);
	pthread_cond_init(&wd->cv, NULL);
	wd->quit = 0;
	wd->bi = NULL;
	if (pthread_create(&wd->tid, NULL, watchdog_main, wd) != 0) {
		snprintf(err, err_len, "cannot start the watchdog thread");
		return -1;
	}
	return 0;
}

void watchdog_stop(struct watchdog *wd)
{
	pthread_mutex_lock(&wd->mu);
	wd->quit = 1;
	pthread_cond_signal(&wd->cv);
	pthread_mutex_unlock(&wd->mu);
	pthread_join(wd->tid, NULL);
}
