/*
 * gil.c - the simulated GIL, following CPython 3.11's take_gil()/drop_gil() step by step
 * (Python/ceval_gil.h in 3.11; the file became ceval_gil.c in 3.12).
 *
 * Deliberately absent: CPython's eval_breaker beyond the drop request (signals, pending
 * calls), and any fairness the real GIL does not have.
 */
#include "gil.h"

#include "clock.h"

#include <errno.h>

#define GIL_DEFAULT_INTERVAL_US 5000

int gil_init(struct gil *g, unsigned interval_us)
{
	int err;

	g->interval_us = interval_us ? interval_us : GIL_DEFAULT_INTERVAL_US;
	atomic_init(&g->locked, 0);
	atomic_init(&g->drop_request, 0);
	atomic_init(&g->last_holder, NULL);
	atomic_init(&g->switch_number, 0);
	atomic_init(&g->forced_drops, 0);

	err = pthread_mutex_init(&g->mutex, NULL);
	if (err)
		return -err;
	err = pb_mono_cond_init(&g->cond, 0);
	if (err)
		goto out_mutex;
	err = pthread_mutex_init(&g->switch_mutex, NULL);
	if (err)
		goto out_cond;
	err = pthread_cond_init(&g->switch_cond, NULL);
	if (err)
		goto out_switch_mutex;
	return 0;

out_switch_mutex:
	pthread_mutex_destroy(&g->switch_mutex);
out_cond:
	pthread_cond_destroy(&g->cond);
out_mutex:
	pthread_mutex_destroy(&g->mutex);
	return -err;
}

void gil_destroy(struct gil *g)
{
	pthread_cond_destroy(&g->switch_cond);
	pthread_mutex_destroy(&g->switch_mutex);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->mutex);
}

/* COND_TIMED_WAIT: one fresh relative timeout of the interval; non-zero if it expired. */
static int gil_timed_wait(struct gil *g)
{
	struct timespec ts = pb_mono_deadline((double)g->interval_us * 1e-6);

	return pthread_cond_timedwait(&g->cond, &g->mutex, &ts) == ETIMEDOUT;
}

void gil_take(struct gil *g, struct gil_thread *me)
{
	pthread_mutex_lock(&g->mutex);
	while (atomic_load_explicit(&g->locked, memory_order_relaxed)) {
		unsigned long saved = atomic_load_explicit(&g->switch_number, memory_order_relaxed);

		/* Timed out with the same holder still there: ask it to drop the GIL. */
		if (gil_timed_wait(g) && atomic_load_explicit(&g->locked, memory_order_relaxed) &&
		    atomic_load_explicit(&g->switch_number, memory_order_relaxed) == saved)
			atomic_store_explicit(&g->drop_request, 1, memory_order_relaxed);
	}

	pthread_mutex_lock(&g->switch_mutex);
	atomic_store_explicit(&g->locked, 1, memory_order_relaxed);
	if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) != me) {
		atomic_store_explicit(&g->last_holder, me, memory_order_relaxed);
		atomic_fetch_add_explicit(&g->switch_number, 1, memory_order_relaxed);
	}
	pthread_cond_signal(&g->switch_cond);
	pthread_mutex_unlock(&g->switch_mutex);
	/* Whoever asked for the drop is now served (or we are the one who asked). */
	atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
	pthread_mutex_unlock(&g->mutex);

	me->taken_ns = pb_mono_ns();
}

void gil_drop(struct gil *g, struct gil_thread *me, int forced)
{
	uint64_t held = pb_mono_ns() - me->taken_ns;

	me->slices++;
	me->held_ns += held;
	if (me->samples && me->n_samples < me->cap_samples)
		me->samples[me->n_samples++] = held;

	atomic_store_explicit(&g->last_holder, me, memory_order_relaxed);
	pthread_mutex_lock(&g->mutex);
	atomic_store_explicit(&g->locked, 0, memory_order_relaxed);
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->mutex);

	/* FORCE_SWITCHING, as 3.11's drop_gil() does it for every drop by a thread (tstate !=
	 * NULL): a forced drop at a check point, and a voluntary one (a blocking call, the end
	 * of a thread's work) alike: while a drop request is pending, do not go on before
	 * another thread has had the GIL.  (3.13 leaves this wait out at a thread's final
	 * release; 3.11 and 3.12 do not.) */
	if (!atomic_load_explicit(&g->drop_request, memory_order_relaxed))
		return;
	if (forced)
		atomic_fetch_add_explicit(&g->forced_drops, 1, memory_order_relaxed);
	pthread_mutex_lock(&g->switch_mutex);
	if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == me) {
		atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
		pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
	}
	pthread_mutex_unlock(&g->switch_mutex);
}
