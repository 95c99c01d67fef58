/*
 * pthreads_worker.c - a worker of the thread pool: it waits for a job (spinning briefly,
 * then on the condition variable), takes chunks (static, dynamic or guided), runs them
 * (under the simulated GIL for pthreads-gil), and the last one done wakes the caller.
 */
#include "pthreads_int.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>


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

void *pt_main(void *arg)
{
	struct pt_worker *wk = arg;
	struct pt_state *st = wk->st;
	unsigned long seen = 0;

	if (st->cfg.topo && st->cfg.plan && pin_bind_self(st->cfg.topo, st->cfg.plan->pu[wk->id]))
		wk->bind_failed = 1;
	for (;;) {
		const struct work *j;

		for (unsigned polls = 0; polls < PT_SPIN;) {
			if (atomic_load_explicit(&st->generation, memory_order_acquire) != seen ||
			    atomic_load_explicit(&st->quit, memory_order_acquire))
				break;
			spin_poll(&polls);
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

