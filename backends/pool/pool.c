/*
 * pool.c - the process pool of pool.h: its API (start, map, apply_async, wait, close, join,
 * terminate, cancel, free).
 *
 * Calls run one way: this API -> the transports (pool_shm.c, pool_pipe.c) -> process
 * management (pool_proc.c) -> the worker process (pool_worker.c) -> I/O helpers
 * (pool_io.c); their shared structures are in pool_impl.h.  Not here: anything kernel-specific, printing,
 * signal handlers in the parent.
 */
#include "pool_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the parent: processes ------------------------------------------------------------ */

int pool_start(struct pool **out, const struct pool_options *o, char *err, size_t err_len)
{
	struct pool *p;
	int rc;

	*out = NULL;
	if (o->workers == 0 || o->workers > PIN_MAX_WORKERS) {
		snprintf(err, err_len, "fork-pool: workers must be 1..%d", PIN_MAX_WORKERS);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->o = *o;
	p->nw = o->workers;
	p->parent = getpid();
	p->evfd = -1;
	pthread_mutex_init(&p->cancel_mu, NULL);
	for (unsigned i = 0; i < PIN_MAX_WORKERS; i++)
		p->cancel_fd[i] = -1;
	p->w = calloc(p->nw, sizeof(*p->w));
	p->pfd = calloc(2 * (size_t)p->nw + 1, sizeof(*p->pfd));
	p->shm_size = sizeof(struct area) + p->nw * sizeof(struct slot);
	p->shm = mmap(NULL, p->shm_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->shm == MAP_FAILED)
		p->shm = NULL;
	if (!p->w || !p->pfd || !p->shm) {
		rc = -ENOMEM;
		snprintf(err, err_len, "fork-pool: out of memory");
		goto out_free;
	}
	for (unsigned i = 0; i < p->nw; i++)
		p->w[i].pidfd = p->w[i].task_w = p->w[i].result_r = -1;
	p->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->evfd < 0) {
		rc = -errno;
		snprintf(err, err_len, "fork-pool: eventfd: %s", strerror(errno));
		goto out_free;
	}
	for (unsigned i = 0; i < p->nw; i++) {
		rc = pool_spawn(p, i, 0);
		if (rc) {
			snprintf(err, err_len, "fork-pool: cannot start worker %u of %u: %s", i, p->nw,
				 strerror(-rc));
			goto out_free;
		}
	}
	if (p->o.n_prefault) {
		rc = pool_wait_ready(p);
		if (rc) {
			snprintf(err, err_len, "fork-pool: workers did not start (%s)",
				 rc == -ETIMEDOUT ? "prefaulting took over 30 s" : "a worker died");
			goto out_free;
		}
	}
	*out = p;
	return 0;

out_free:
	pool_free(p);
	return rc;
}

/* ---- the API ------------------------------------------------------------------------- */

size_t pool_default_chunk(size_t n, unsigned workers)
{
	size_t per = 4 * (size_t)(workers ? workers : 1), c = (n + per - 1) / per;

	return c ? c : 1;
}

int pool_map(struct pool *p, const struct pool_map_args *a, struct pool_failure *f)
{
	size_t chunk = a->chunk;

	memset(f, 0, sizeof(*f));
	if (p->terminated || p->closed) {
		f->kind = POOL_TERMINATED;
		snprintf(f->message, sizeof(f->message), "fork-pool is %s",
			 p->terminated ? "terminated" : "closed");
		return -EPIPE;
	}
	if (a->result_size == 0 || a->result_size > POOL_RESULT_MAX)
		return -EINVAL;
	if (chunk == 0)
		chunk = pool_default_chunk(a->n, p->nw);
	if (p->o.transport == POOL_PIPE)
		return pool_pipe_map(p, a, chunk, f);
	return pool_shm_map(p, a, chunk, f);
}

int pool_apply_async(struct pool *p, pool_task_fn *fn, void *ctx, size_t begin, size_t end,
		     size_t result_size, pool_done_fn *done, pool_error_fn *error, void *user,
		     uint64_t *task)
{
	if (p->closed || p->terminated)
		return -EPIPE;
	if (result_size > POOL_RESULT_MAX)
		return -EINVAL;
	if (p->q_len == p->q_cap) {
		size_t cap = p->q_cap ? 2 * p->q_cap : 16;
		struct ptask *q = malloc(cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		for (size_t k = 0; k < p->q_len; k++)
			q[k] = p->queue[(p->q_head + k) % p->q_cap];
		free(p->queue);
		p->queue = q;
		p->q_head = 0;
		p->q_cap = cap;
	}
	struct ptask t = { .id = p->next_id++, .fn = fn, .ctx = ctx, .begin = begin, .end = end,
			   .result_size = result_size, .done = done, .error = error, .user = user };

	p->queue[(p->q_head + p->q_len) % p->q_cap] = t;
	p->q_len++;
	p->pending++;
	if (task)
		*task = t.id;
	pool_deal_all(p);
	return 0;
}

int pool_wait(struct pool *p, int timeout_ms)
{
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : pb_mono_ns() + (uint64_t)timeout_ms * 1000000u;

	pool_deal_all(p);
	while (p->pending && !p->terminated) {
		uint64_t t = pb_mono_ns();
		int left = timeout_ms < 0 ? -1 : t >= end ? 0 : (int)((end - t) / 1000000u) + 1;

		if (pool_pipe_step(p, left) < 0 || (timeout_ms >= 0 && pb_mono_ns() >= end))
			break;
	}
	return (int)p->pending;
}

void pool_close(struct pool *p)
{
	p->closed = 1;
}

void pool_join(struct pool *p)
{
	uint64_t deadline;

	pool_close(p);
	pool_wait(p, -1);
	p->joining = 1;
	for (unsigned i = 0; i < p->nw; i++) {
		struct msg quit = { .type = MSG_QUIT };
		struct worker *w = &p->w[i];

		if (w->pid > 0 && pool_write_full(w->task_w, &quit, sizeof(quit)) == 0)
			atomic_fetch_add(&p->shm->slot[i].mail, 1);
		w->quitting = 1;
	}
	deadline = pb_mono_ns() + (uint64_t)POOL_JOIN_MS * 1000000u;
	for (unsigned i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];
		struct pool_failure f;

		while (w->pid > 0 && !pool_exited(w) && pb_mono_ns() < deadline) {
			struct pollfd q = { .fd = w->pidfd, .events = POLLIN };

			poll(&q, 1, 10);
		}
		if (w->pid > 0) {
			if (!pool_exited(w))
				kill(w->pid, SIGKILL);
			pool_reap(p, i, &f);
		}
	}
	p->terminated = 1;
}

void pool_terminate(struct pool *p)
{
	pool_kill_all(p);
	p->terminated = 1;
	/* every pending async task fails, once */
	for (unsigned i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];

		for (unsigned k = 0; k < w->n_inflight; k++) {
			struct ptask t = w->inflight[k];
			struct pool_failure f = { .kind = POOL_TERMINATED, .begin = t.begin,
						  .end = t.end };

			snprintf(f.message, sizeof(f.message),
				 "fork-pool terminated while task %llu ran", (unsigned long long)t.id);
			pool_task_finished(p, &t, NULL, &f);
		}
		w->n_inflight = 0;
	}
	while (p->q_len) {
		struct ptask t = p->queue[p->q_head];
		struct pool_failure f = { .kind = POOL_TERMINATED, .begin = t.begin, .end = t.end };

		p->q_head = (p->q_head + 1) % p->q_cap;
		p->q_len--;
		snprintf(f.message, sizeof(f.message), "fork-pool terminated before task %llu ran",
			 (unsigned long long)t.id);
		pool_task_finished(p, &t, NULL, &f);
	}
	p->n_retry = 0;
}

void pool_cancel(struct pool *p)
{
	pthread_mutex_lock(&p->cancel_mu);
	for (unsigned i = 0; i < p->nw; i++)
		if (p->cancel_fd[i] >= 0)
			syscall(SYS_pidfd_send_signal, p->cancel_fd[i], SIGKILL, NULL, 0);
	pthread_mutex_unlock(&p->cancel_mu);
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	if (p->w) {
		pool_kill_all(p);
		for (unsigned i = 0; i < p->nw; i++)
			pool_close_fds(&p->w[i]);
	}
	if (p->evfd >= 0)
		close(p->evfd);
	if (p->shm)
		munmap(p->shm, p->shm_size);
	free(p->queue);
	free(p->retry);
	free(p->pfd);
	free(p->w);
	pthread_mutex_destroy(&p->cancel_mu);
	free(p);
}

void pool_get_stats(const struct pool *p, struct pool_stats *out)
{
	*out = p->stats;
	for (unsigned i = 0; i < p->nw; i++) {
		int c = atomic_load(&p->shm->slot[i].cpu);

		out->pid[i] = p->w[i].pid;
		if (c >= 0)
			out->cpu[i] = c;
	}
}

unsigned pool_workers(const struct pool *p)
{
	return p->nw;
}
