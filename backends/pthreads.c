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
#include "backend.h"
#include "gil.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define PT_SPIN 20000     /* polls before blocking, tens of microseconds */
#define PT_YIELD_EVERY 16 /* a sched_yield() among the polls */

struct pt_state;

struct pt_worker {
	_Alignas(64) unsigned char partial[WORK_PARTIAL_MAX];
	struct pt_state *st;
	unsigned id;
	int cpu;
	int bind_failed;
	struct gil_thread gt;
	pthread_t tid;
};

struct pt_state {
	int use_gil;
	unsigned nw;
	unsigned started;               /* threads created */
	enum backend_schedule sched;
	struct backend_config cfg;
	struct pt_worker *w;
	struct gil gil;
	int gil_ready;

	pthread_mutex_t mu;
	pthread_cond_t go_cv;           /* job published or quit */
	pthread_cond_t done_cv;         /* pending reached 0 */
	atomic_ulong generation;        /* bumped under mu for every job */
	atomic_uint pending;            /* workers still running the job */
	atomic_int quit;
	const struct work *job;         /* written under mu before generation */
	size_t chunk;                   /* of the current job */
	atomic_size_t next;             /* dynamic/guided: first item not yet handed out */
};

/*
 * One poll of a spin-wait.  Every PT_YIELD_EVERY polls it yields instead: with as many
 * workers as cores, the caller's thread (which verifies results and posts the next job)
 * would otherwise wait for a spinning worker's time slice to end, ~0.5 ms per job.
 */
static void spin_poll(int i)
{
	if (i % PT_YIELD_EVERY == PT_YIELD_EVERY - 1) {
		sched_yield();
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Runs [b, e) of the job as CPython would with the GIL: check points per the work model. */
static void pt_range(struct pt_state *st, struct pt_worker *wk, const struct work *j, size_t b,
		     size_t e)
{
	if (!st->use_gil) {
		j->range(j->ctx, b, e, wk->partial);
		return;
	}
	switch (j->model) {
	case WORK_LOOP: {
		size_t blk = j->model_block ? j->model_block : 1;

		for (size_t x = b; x < e;) {
			size_t y = e - x > blk ? x + blk : e;

			j->range(j->ctx, x, y, wk->partial);
			gil_checkpoint(&st->gil, &wk->gt);
			x = y;
		}
		break;
	}
	case WORK_C_CALL:
		for (size_t i = b; i < e; i++) {
			j->range(j->ctx, i, i + 1, wk->partial);
			gil_checkpoint(&st->gil, &wk->gt);
		}
		break;
	case WORK_BLOCKING:
		for (size_t i = b; i < e; i++) {
			gil_drop(&st->gil, &wk->gt, 0);
			j->range(j->ctx, i, i + 1, wk->partial);
			gil_take(&st->gil, &wk->gt);
		}
		break;
	}
}

/* Hands out the next chunk for dynamic or guided scheduling; 0 when none is left. */
static int pt_next_chunk(struct pt_state *st, size_t n, size_t *b, size_t *e)
{
	size_t cur = atomic_load_explicit(&st->next, memory_order_relaxed);

	for (;;) {
		size_t take = st->chunk;

		if (cur >= n)
			return 0;
		if (st->sched == SCHED_GUIDED) {
			size_t g = (n - cur) / (2 * (size_t)st->nw);

			take = g > take ? g : take;
		}
		if (take > n - cur)
			take = n - cur;
		if (atomic_compare_exchange_weak_explicit(&st->next, &cur, cur + take,
							  memory_order_relaxed, memory_order_relaxed)) {
			*b = cur;
			*e = cur + take;
			return 1;
		}
	}
}

static void pt_do_job(struct pt_state *st, struct pt_worker *wk, const struct work *j)
{
	size_t b, e;

	memset(wk->partial, 0, j->partial_size);
	if (st->use_gil)
		gil_take(&st->gil, &wk->gt);
	if (st->sched == SCHED_STATIC) {
		if (st->cfg.chunk) { /* round-robin chunks, like OpenMP's schedule(static, c) */
			for (b = (size_t)wk->id * st->chunk; b < j->n; b += (size_t)st->nw * st->chunk) {
				e = j->n - b > st->chunk ? b + st->chunk : j->n;
				pt_range(st, wk, j, b, e);
			}
		} else {
			work_share(j->n, wk->id, st->nw, &b, &e);
			if (b < e)
				pt_range(st, wk, j, b, e);
		}
	} else {
		while (pt_next_chunk(st, j->n, &b, &e))
			pt_range(st, wk, j, b, e);
	}
	if (st->use_gil)
		gil_drop(&st->gil, &wk->gt, 0);
	wk->cpu = pin_current_cpu();
}

static void *pt_main(void *arg)
{
	struct pt_worker *wk = arg;
	struct pt_state *st = wk->st;
	unsigned long seen = 0;

	if (st->cfg.topo && st->cfg.plan && pin_bind_self(st->cfg.topo, st->cfg.plan->pu[wk->id]))
		wk->bind_failed = 1;
	for (;;) {
		const struct work *j;

		for (int i = 0; i < PT_SPIN; i++) {
			if (atomic_load_explicit(&st->generation, memory_order_acquire) != seen ||
			    atomic_load_explicit(&st->quit, memory_order_acquire))
				break;
			spin_poll(i);
		}
		pthread_mutex_lock(&st->mu);
		while (atomic_load_explicit(&st->generation, memory_order_relaxed) == seen &&
		       !atomic_load_explicit(&st->quit, memory_order_relaxed))
			pthread_cond_wait(&st->go_cv, &st->mu);
		if (atomic_load_explicit(&st->quit, memory_order_relaxed)) {
			pthread_mutex_unlock(&st->mu);
			return NULL;
		}
		seen = atomic_load_explicit(&st->generation, memory_order_relaxed);
		j = st->job;
		pthread_mutex_unlock(&st->mu);

		pt_do_job(st, wk, j);

		if (atomic_fetch_sub_explicit(&st->pending, 1, memory_order_acq_rel) == 1) {
			pthread_mutex_lock(&st->mu);
			pthread_cond_signal(&st->done_cv);
			pthread_mutex_unlock(&st->mu);
		}
	}
}

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

	for (int i = 0; i < PT_SPIN; i++) {
		if (atomic_load_explicit(&st->pending, memory_order_acquire) == 0)
			break;
		spin_poll(i);
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
	.caps = BACKEND_CAP_THREADS | BACKEND_CAP_PARALLEL | BACKEND_CAP_SCHEDULE,
	.state_size = sizeof(struct pt_state),
	.start = pt_start,
	.run = pt_run,
	.stop = pt_stop,
	.stats = pt_stats,
};

const struct backend backend_pthreads_gil = {
	.name = "pthreads-gil",
	.summary = "POSIX threads under a simulated CPython GIL (switch interval 5 ms)",
	.caps = BACKEND_CAP_THREADS | BACKEND_CAP_PARALLEL | BACKEND_CAP_SCHEDULE | BACKEND_CAP_GIL,
	.state_size = sizeof(struct pt_state),
	.start = pt_start_gil,
	.run = pt_run,
	.stop = pt_stop,
	.stats = pt_stats,
};
