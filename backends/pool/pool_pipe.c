/*
 * pool_pipe.c - the pipe transport and async tasks: the parent deals one task at a time to a
 * free worker through its pipe, reads each result back, and notices deaths through pidfds.
 */
#include "pool_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the pipe transport and async tasks ------------------------------------------------ */

static int deal(struct pool *p, unsigned i, const struct ptask *t)
{
	struct worker *w = &p->w[i];
	struct msg m = { .type = MSG_TASK, .id = t->id, .begin = t->begin, .end = t->end,
			 .fn = (uint64_t)(uintptr_t)t->fn, .ctx = (uint64_t)(uintptr_t)t->ctx,
			 .result_size = (uint32_t)t->result_size,
			 .fn_io = (uint64_t)(uintptr_t)t->fn_io, .in_len = t->span.in_len,
			 .out_len = t->span.out_len };

	if (pool_write_full(w->task_w, &m, sizeof(m)) != 0)
		return -1;
	atomic_fetch_add_explicit(&p->shm->slot[i].mail, 1, memory_order_release);
	w->inflight[w->n_inflight++] = *t;
	w->dealt++;
	/* The payload follows the header: the worker, told by mail, is already reading.  If it
	 * dies meanwhile the write fails, and its pidfd reports the task lost with it. */
	if (t->fn_io && t->span.in_len)
		(void)pool_write_full(w->task_w, t->span.in, t->span.in_len);
	return 0;
}

/* The next task to deal: lost map chunks first, then async tasks, then fresh map chunks. */
static int next_task(struct pool *p, struct ptask *t)
{
	if (p->n_retry) {
		*t = p->retry[--p->n_retry];
		return 1;
	}
	if (p->q_len) {
		*t = p->queue[p->q_head];
		p->q_head = (p->q_head + 1) % p->q_cap;
		p->q_len--;
		return 1;
	}
	if (p->map && !p->map_dead && p->map_next < p->map_nchunks) {
		size_t chunk = p->map->chunk, b = p->map_next * chunk;

		*t = (struct ptask){ .id = p->map_next, .is_map = 1, .fn = p->map->fn,
				     .ctx = p->map->ctx, .begin = b,
				     .end = p->map->n - b > chunk ? b + chunk : p->map->n,
				     .result_size = p->map->result_size };
		if (p->map->fn_io && p->map->span) {
			t->fn_io = p->map->fn_io;
			p->map->span(t->ctx, t->begin, t->end, &t->span);
		}
		p->map_next++;
		return 1;
	}
	return 0;
}

int pool_push_front(struct pool *p, const struct ptask *t)
{
	if (t->is_map) {
		if (p->n_retry == p->cap_retry) {
			size_t cap = p->cap_retry ? 2 * p->cap_retry : 8;
			struct ptask *r = realloc(p->retry, cap * sizeof(*r));

			if (!r)
				return -ENOMEM;
			p->retry = r;
			p->cap_retry = cap;
		}
		p->retry[p->n_retry++] = *t;
	} else {
		p->q_head = (p->q_head + p->q_cap - 1) % p->q_cap;
		p->queue[p->q_head] = *t;
		p->q_len++;
	}
	return 0;
}

void pool_deal_all(struct pool *p)
{
	for (unsigned i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];
		struct ptask t;

		while (w->pid > 0 && !w->quitting && w->n_inflight < POOL_INFLIGHT &&
		       !(p->o.max_tasks_per_worker && w->dealt >= p->o.max_tasks_per_worker) &&
		       next_task(p, &t)) {
			if (deal(p, i, &t) != 0) {
				if (pool_push_front(p, &t) != 0) {
					struct pool_failure f = { .kind = POOL_TERMINATED,
								  .begin = t.begin, .end = t.end };

					snprintf(f.message, sizeof(f.message), "fork-pool: task on "
						 "items [%zu, %zu) could not be dealt nor kept (no "
						 "memory)", t.begin, t.end);
					if (t.is_map)
						p->map_dead = 1;
					pool_task_finished(p, &t, NULL, &f);
				}
				break;
			}
		}
		if (w->pid > 0 && !w->quitting && w->n_inflight == 0 && p->o.max_tasks_per_worker &&
		    w->dealt >= p->o.max_tasks_per_worker) {
			struct msg quit = { .type = MSG_QUIT };

			if (pool_write_full(w->task_w, &quit, sizeof(quit)) == 0)
				atomic_fetch_add(&p->shm->slot[i].mail, 1);
			w->quitting = 1;
		}
	}
}

void pool_task_finished(struct pool *p, const struct ptask *t, const struct msg *m,
			  const struct pool_failure *fail)
{
	if (t->is_map) {
		const struct pool_map_args *a = p->map;

		p->map_done++;
		if (fail) {
			if (!p->map_fail.kind || fail->begin < p->map_fail.begin)
				p->map_fail = *fail;
			return;
		}
		if (a->combine)
			a->combine(a->results, m->result);
		else
			memcpy((unsigned char *)a->results + t->id * a->result_size, m->result,
			       a->result_size);
		return;
	}
	p->pending--;
	if (fail) {
		if (t->error)
			t->error(t->user, t->id, fail);
	} else if (t->done) {
		t->done(t->user, t->id, m->result);
	}
}

static void on_result(struct pool *p, unsigned i)
{
	struct worker *w = &p->w[i];
	struct msg m;
	struct ptask t;

	if (pool_read_full(w->result_r, &m, sizeof(m)) != 1 || w->n_inflight == 0)
		return; /* EOF: the pidfd reports the death */
	t = w->inflight[0];
	/* the output bytes go straight into place; a worker dying halfway leaves the task
	 * in flight, to be failed or retried on its death */
	if (t.fn_io && t.span.out_len && p->o.test_drop_copyback && t.is_map && t.begin == 0) {
		void *discard = malloc(t.span.out_len);

		if (!discard || m.out_len != t.span.out_len ||
		    pool_read_full(w->result_r, discard, t.span.out_len) != 1) {
			free(discard);
			return;
		}
		free(discard);
	} else if (t.fn_io && t.span.out_len &&
		   (m.out_len != t.span.out_len ||
		    pool_read_full(w->result_r, t.span.out, t.span.out_len) != 1)) {
		return;
	}
	memmove(w->inflight, w->inflight + 1, (w->n_inflight - 1) * sizeof(*w->inflight));
	w->n_inflight--;
	p->stats.tasks++;
	p->stats.cpu[i] = m.cpu;
	if (m.status) {
		struct pool_failure f = { .kind = POOL_TASK_FAILED, .worker = i, .pid = w->pid,
					  .task_status = m.status, .begin = t.begin, .end = t.end };

		snprintf(f.message, sizeof(f.message),
			 "fork-pool task on items [%zu, %zu) failed with status %d (worker %u, pid %d)",
			 t.begin, t.end, m.status, i, (int)w->pid);
		pool_task_finished(p, &t, &m, &f);
	} else {
		pool_task_finished(p, &t, &m, NULL);
	}
}

static void on_exit_pipe(struct pool *p, unsigned i)
{
	struct worker *w = &p->w[i];
	unsigned n = w->n_inflight;
	struct ptask lost[POOL_INFLIGHT];
	int quitting = w->quitting;
	struct pool_failure f;

	/* results it wrote before dying are still in the pipe */
	for (;;) {
		struct pollfd q = { .fd = w->result_r, .events = POLLIN };

		if (w->n_inflight == 0 || poll(&q, 1, 0) != 1 || !(q.revents & POLLIN))
			break;
		unsigned before = w->n_inflight;

		on_result(p, i);
		if (w->n_inflight == before)
			break;
	}
	n = w->n_inflight;
	memcpy(lost, w->inflight, n * sizeof(*lost));
	pool_reap(p, i, &f);
	w->quitting = 0; /* replaced by pipe_step unless the pool is joining */
	if (quitting && n == 0)
		return; /* retired or joined */
	if (n)
		p->stats.deaths++;
	for (unsigned k = 0; k < n; k++) {
		f.kind = POOL_WORKER_DIED;
		f.begin = lost[k].begin;
		f.end = lost[k].end;
		pool_describe(&f, k == 0 ? "while running" : "holding");
		if (p->o.retry && !lost[k].retried && !p->terminated) {
			lost[k].retried = 1;
			if (pool_push_front(p, &lost[k]) == 0)
				continue;
			/* no memory to keep it for a retry: it fails, it is never dropped */
		}
		if (lost[k].is_map)
			p->map_dead = 1;
		pool_task_finished(p, &lost[k], NULL, &f);
	}
}

/* One round of waiting: results, deaths, respawns, dealing. */
int pool_pipe_step(struct pool *p, int timeout_ms)
{
	int n;

	for (unsigned i = 0; i < p->nw; i++) {
		p->pfd[2 * i] = (struct pollfd){ .fd = p->w[i].pid > 0 ? p->w[i].result_r : -1,
						 .events = POLLIN };
		p->pfd[2 * i + 1] = (struct pollfd){ .fd = p->w[i].pid > 0 ? p->w[i].pidfd : -1,
						     .events = POLLIN };
	}
	n = poll(p->pfd, 2 * p->nw, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (unsigned i = 0; i < p->nw; i++) {
		if (p->pfd[2 * i].revents & POLLIN)
			on_result(p, i);
		if (p->pfd[2 * i + 1].revents & POLLIN)
			on_exit_pipe(p, i);
	}
	if (!p->terminated) {
		for (unsigned i = 0; i < p->nw; i++) {
			struct worker *w = &p->w[i];

			if (w->pid == 0 && !w->quitting && !p->joining) {
				int rc = pool_spawn(p, i, 0);

				if (rc)
					return rc;
				p->stats.respawns++;
			}
		}
		pool_deal_all(p);
	}
	return n;
}

int pool_pipe_map(struct pool *p, const struct pool_map_args *a, size_t chunk,
		    struct pool_failure *f)
{
	struct pool_map_args local = *a;
	int rc = 0;

	local.chunk = chunk;
	p->map = &local;
	p->map_next = p->map_done = 0;
	p->map_nchunks = (a->n + chunk - 1) / chunk;
	p->map_dead = 0;
	p->n_retry = 0;
	memset(&p->map_fail, 0, sizeof(p->map_fail));
	if (a->combine)
		memset(a->results, 0, a->result_size);
	pool_deal_all(p);
	while (p->map_done < p->map_nchunks) {
		int outstanding = 0;

		for (unsigned i = 0; i < p->nw; i++)
			for (unsigned k = 0; k < p->w[i].n_inflight; k++)
				outstanding += p->w[i].inflight[k].is_map;
		if (p->map_dead && outstanding == 0 && p->n_retry == 0)
			break; /* a death failed the map and the others have finished */
		rc = pool_pipe_step(p, -1);
		if (rc < 0)
			break;
		rc = 0;
	}
	p->map = NULL;
	if (rc)
		return rc;
	if (p->map_fail.kind) {
		*f = p->map_fail;
		return f->kind == POOL_WORKER_DIED ? -ECHILD : -ECANCELED;
	}
	return 0;
}

