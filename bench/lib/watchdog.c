/*
 * watchdog.c - the watchdog thread (watchdog.h): it looks every WATCHDOG_TICK_S, waiting on
 * a condition on the monotonic clock (a wall clock that jumps changes nothing).
 */
#include "watchdog.h"

#include "clock.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

/* What is wrong with the run in progress at time t: NULL, or why it is stopped (the short
 * form; reason gets the long one). */
static const char *overdue(struct watchdog *wd, double t, char *reason, size_t len)
{
	int sig = wd->stop ? atomic_load(wd->stop) : 0;

	if (wd->timeout_s > 0 && t > wd->deadline) {
		snprintf(reason, len, "timed out after %g s", wd->timeout_s);
		return "timed out";
	}
	if (!sig)
		return NULL;
	if (!wd->stop_seen) {
		wd->stop_seen = t;
		return NULL;
	}
	if (t - wd->stop_seen <= WATCHDOG_GRACE_S)
		return NULL;
	snprintf(reason, len, "still running %g s after %s", WATCHDOG_GRACE_S,
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	return "stopped by a signal";
}

static void *watchdog_main(void *arg)
{
	struct watchdog *wd = arg;

	pthread_mutex_lock(&wd->mu);
	while (!wd->quit) {
		double t = pb_mono_s();
		char reason[64];
		const char *why = wd->running ? overdue(wd, t, reason, sizeof(reason)) : NULL;

		if (why) {
			if (wd->cancel(wd->running) != 0)
				wd->hang(wd->running, reason, wd->hang_arg); /* does not return */
			/* the run fails; if it has not returned a grace period later, again */
			wd->cancelled = why;
			wd->deadline = t + WATCHDOG_GRACE_S;
			wd->stop_seen = t;
		}
		struct timespec ts = pb_mono_deadline(WATCHDOG_TICK_S);

		pthread_cond_timedwait(&wd->cv, &wd->mu, &ts);
	}
	pthread_mutex_unlock(&wd->mu);
	return NULL;
}

int watchdog_start(struct watchdog *wd)
{
	int rc;

	wd->quit = 0;
	wd->running = NULL;
	pthread_mutex_init(&wd->mu, NULL);
	rc = pb_mono_cond_init(&wd->cv, 0);
	if (rc)
		goto out_mutex;
	rc = pthread_create(&wd->tid, NULL, watchdog_main, wd);
	if (rc)
		goto out_cond;
	return 0;

out_cond:
	pthread_cond_destroy(&wd->cv);
out_mutex:
	pthread_mutex_destroy(&wd->mu);
	return -rc;
}

void watchdog_stop(struct watchdog *wd)
{
	pthread_mutex_lock(&wd->mu);
	wd->quit = 1;
	pthread_cond_signal(&wd->cv);
	pthread_mutex_unlock(&wd->mu);
	pthread_join(wd->tid, NULL);
	pthread_cond_destroy(&wd->cv);
	pthread_mutex_destroy(&wd->mu);
}

void watchdog_arm(struct watchdog *wd, void *run)
{
	pthread_mutex_lock(&wd->mu);
	wd->running = run;
	wd->cancelled = NULL; /* every run is watched afresh */
	wd->deadline = pb_mono_s() + wd->timeout_s;
	wd->stop_seen = 0;
	pthread_mutex_unlock(&wd->mu);
}

const char *watchdog_disarm(struct watchdog *wd)
{
	const char *why;

	pthread_mutex_lock(&wd->mu);
	wd->running = NULL;
	why = wd->cancelled;
	pthread_mutex_unlock(&wd->mu);
	return why;
}

void watchdog_hang_range(void *ctx, size_t begin, size_t end, void *partial)
{
	(void)ctx;
	(void)begin;
	(void)end;
	(void)partial;
	for (;;)
		pause();
}
