/*
 * pthreads.c - a pool of POSIX threads, exported twice: without a GIL ("pthreads", the
 * analogue of free-threaded CPython 3.13t) and with the simulated CPython GIL
 * ("pthreads-gil", gil.c), which is checked where CPython would check it (job's work_model).
 *
 * Workers are created and pinned at start and then wait for jobs.  Both hand-overs (job to
 * workers, last worker to the caller) spin briefly before blocking on a condition variable:
 * a blocking wake-up across cores costs ~50 us on our VMs, a spinning one ~60 ns, so
 * back-to-back jobs are handed over hot while idle workers still end up asleep.
 */
#include "pthreads_int.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>


static void pt_stop(void *state)
{
	struct pt_state *st = state;

	if (st->started) {
		pthread_mutex_lock(&st->mu);
		atomic_store_explicit(&st->quit, 1, memory_order_release);
		pthread_cond_broadcast(&st->go_cv);
		pthread_mutex_unlock(&st->mu);
		for (unsigned i = 0; i < st->started; i++)
			pthread_join(st->w[i].tid, NULL);
		st->started = 0;
	}
	if (st->w) {
		pthread_cond_destroy(&st->done_cv);
		pthread_cond_destroy(&st->go_cv);
		pthread_mutex_destroy(&st->mu);
		free(st->w);
		st->w = NULL;
	}
	if (st->gil_ready) {
		gil_destroy(&st->gil);
		st->gil_ready = 0;
	}
}

static int pt_start_common(struct pt_state *st, const struct backend_config *cfg, int use_gil)
{
	int err;

	st->use_gil = use_gil;
	st->cfg = *cfg;
	st->nw = cfg->workers;
	st->sched = cfg->schedule == SCHED_DEFAULT ? SCHED_STATIC : cfg->schedule;
	if (use_gil) {
		err = gil_init(&st->gil, cfg->switch_interval_us);
		if (err)
			return err;
		st->gil_ready = 1;
	}
	st->w = aligned_alloc(64, sizeof(*st->w) * st->nw);
	if (!st->w) {
		pt_stop(st);
		return -ENOMEM;
	}
	memset(st->w, 0, sizeof(*st->w) * st->nw);
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->go_cv, NULL);
	pthread_cond_init(&st->done_cv, NULL);
	for (unsigned i = 0; i < st->nw; i++) {
		st->w[i].st = st;
		st->w[i].id = i;
		st->w[i].cpu = -1;
		err = pthread_create(&st->w[i].tid, NULL, pt_main, &st->w[i]);
		if (err) {
			backend_set_error(cfg, "cannot create worker thread %u of %u: %s", i,
					  st->nw, strerror(err));
			pt_stop(st);
			return -err;
		}
		st->started++;
	}
	return 0;
}

static int pt_start(void *state, const struct backend_config *cfg)
{
	return pt_start_common(state, cfg, 0);
}

static int pt_start_gil(void *state, const struct backend_config *cfg)
{
	return pt_start_common(state, cfg, 1);
}

static int pt_run(void *state, const struct work *j)
{
	struct pt_state *st = state;

	pthread_mutex_lock(&st->mu);
	st->job = j;
	st->chunk = work_default_chunk(j, &st->cfg);
	atomic_store_explicit(&st->next, 0, memory_order_relaxed);
	atomic_store_explicit(&st->pending, st->nw, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->generation, 1, memory_order_release);
	pthread_cond_broadcast(&st->go_cv);
	pthread_mutex_unlock(&st->mu);

	for (unsigned polls = 0; polls < PT_SPIN;) {
		if (atomic_load_explicit(&st->pending, memory_order_acquire) == 0)
			break;
		spin_poll(&polls);
	}
	pthread_mutex_lock(&st->mu);
	while (atomic_load_explicit(&st->pending, memory_order_acquire) != 0)
		pthread_cond_wait(&st->done_cv, &st->mu);
	pthread_mutex_unlock(&st->mu);

	memset(j->result, 0, j->partial_size);
	for (unsigned i = 0; i < st->nw; i++)
		j->combine(j->result, st->w[i].partial);
	return 0;
}

static void pt_stats(const void *state, struct backend_stats *out)
{
	const struct pt_state *st = state;

	out->n_cpu = st->nw;
	for (unsigned i = 0; i < st->nw; i++) {
		out->cpu[i] = st->w[i].cpu;
		out->bind_failures += (unsigned)st->w[i].bind_failed;
	}
	if (st->use_gil) {
		out->gil_switches = atomic_load(&st->gil.switch_number);
		out->gil_forced_drops = atomic_load(&st->gil.forced_drops);
	}
}

const struct backend backend_pthreads = {
	.name = "pthreads",
	.summary = "POSIX threads, no GIL (the free-threaded CPython analogue)",
	.caps = BACKEND_CAP_THREADS | BACKEND_CAP_PARALLEL | BACKEND_CAP_SCHEDULE |
		BACKEND_CAP_STATIC_SHARE,
	.state_size = sizeof(struct pt_state),
	.start = pt_start,
	.run = pt_run,
	.stop = pt_stop,
	.stats = pt_stats,
};

const struct backend backend_pthreads_gil = {
	.name = "pthreads-gil",
	.summary = "POSIX threads under a simulated CPython GIL (switch interval 5 ms)",
	.caps = BACKEND_CAP_THREADS | BACKEND_CAP_PARALLEL | BACKEND_CAP_SCHEDULE | BACKEND_CAP_GIL |
		BACKEND_CAP_GIL_BOUND | BACKEND_CAP_STATIC_SHARE,
	.state_size = sizeof(struct pt_state),
	.start = pt_start_gil,
	.run = pt_run,
	.stop = pt_stop,
	.stats = pt_stats,
};
