/*
 * pool_worker.c - what runs in a pool worker: wait for a job or a message, run tasks.
 *
 * It spins on shared memory for a while after each job (hot hand-over), then announces that
 * it sleeps and blocks in read() on its task pipe.  It never returns: it _exits when told to,
 * when the parent is gone, or when it retires (max_tasks_per_worker).
 */
#include "pool_impl.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the worker process ------------------------------------------------------------ */

static void worker_shm_job(struct pool *p, struct slot *s, unsigned long gen)
{
	struct shm_job *j = &p->shm->job;
	pool_task_fn *fn = (pool_task_fn *)(uintptr_t)j->fn;
	pool_combine_fn *combine = (pool_combine_fn *)(uintptr_t)j->combine;
	void *ctx = (void *)(uintptr_t)j->ctx;

	for (;;) {
		RESULT_ALIGN unsigned char r[POOL_RESULT_MAX];
		uint64_t k, b, e;
		int st;

		if (atomic_load_explicit(&j->abort, memory_order_relaxed))
			break;
		if (p->o.max_tasks_per_worker &&
		    atomic_load_explicit(&s->tasks, memory_order_relaxed) >= p->o.max_tasks_per_worker) {
			atomic_store(&s->retiring, 1);
			break;
		}
		k = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
		if (k >= j->nchunks)
			break;
		if (p->o.test_kill_claim && j->first == 0 && k + 1 == p->o.test_kill_claim)
			raise(SIGKILL); /* test hook: die between the claim and saying which */
		b = j->base + k * j->chunk;
		e = j->n - k * j->chunk > j->chunk ? b + j->chunk : j->base + j->n;
		atomic_store_explicit(&s->cur_begin, b, memory_order_relaxed);
		atomic_store_explicit(&s->cur_end, e, memory_order_relaxed);
		unsigned c = atomic_load_explicit(&s->state, memory_order_relaxed) & SLOT_COMMIT;

		atomic_store_explicit(&s->state, c | SLOT_BUSY, memory_order_release);
		memset(r, 0, j->result_size);
		st = fn(ctx, (size_t)b, (size_t)e, r);
		if (st && !s->error) {
			s->error = st;
			s->err_begin = b;
			s->err_end = e;
		}
		atomic_fetch_add_explicit(&s->tasks, 1, memory_order_relaxed);
		if (j->per_task) /* its own slot: a retry writes the lost chunk's, nobody else's */
			memcpy(p->shm->arena + (j->first + k) * j->result_size, r, j->result_size);
		else {
			memcpy(s->partial[!c], s->partial[c], j->result_size);
			combine(s->partial[!c], r);
		}
		s->done_n[!c] = s->done_n[c] + 1;
		s->done_ksum[!c] = s->done_ksum[c] + j->first + k;
		atomic_store_explicit(&s->state, !c, memory_order_release); /* commit + idle */
	}
	atomic_store(&s->cpu, pin_current_cpu());
	atomic_store(&s->left_gen, gen);
	atomic_fetch_add(&j->left, 1);
	/* Every leaver nudges the parent and the count decides: a "last one out" rule would
	 * leave the parent asleep when a death changes who is last. */
	uint64_t one = 1;

	if (write(p->evfd, &one, sizeof(one)) < 0)
		(void)0; /* the counter is full: the parent is awake anyway */
}

/* A buffer kept between tasks; exits the worker when memory runs out (the parent sees an
 * exit status, never a half-done task). */
static void *worker_buffer(void **buf, size_t *cap, size_t len)
{
	if (len > *cap) {
		free(*buf);
		*buf = malloc(len);
		*cap = *buf ? len : 0;
		if (!*buf)
			_exit(4);
	}
	return *buf;
}

static void worker_pipe_task(struct pool *p, struct slot *s, int task_r, int result_w,
			     const struct msg *m)
{
	static void *in_buf, *out_buf;
	static size_t in_cap, out_cap;
	struct msg out = { .type = MSG_RESULT, .id = m->id, .begin = m->begin, .end = m->end,
			   .result_size = m->result_size, .out_len = m->out_len };
	void *ctx = (void *)(uintptr_t)m->ctx;

	(void)p;
	if (m->fn_io) {
		pool_task_io_fn *fn = (pool_task_io_fn *)(uintptr_t)m->fn_io;
		void *in = worker_buffer(&in_buf, &in_cap, m->in_len);
		void *o = worker_buffer(&out_buf, &out_cap, m->out_len);

		if (m->in_len && pool_read_full(task_r, in, m->in_len) != 1)
			_exit(0); /* the parent is gone */
		out.status = fn(ctx, (size_t)m->begin, (size_t)m->end, in, o, out.result);
		out.cpu = pin_current_cpu();
		atomic_fetch_add(&s->tasks, 1);
		if (pool_write_full(result_w, &out, sizeof(out)) != 0 ||
		    (m->out_len && pool_write_full(result_w, o, m->out_len) != 0))
			_exit(3);
		return;
	}
	pool_task_fn *fn = (pool_task_fn *)(uintptr_t)m->fn;

	out.status = fn(ctx, (size_t)m->begin, (size_t)m->end, out.result);
	out.cpu = pin_current_cpu();
	atomic_fetch_add(&s->tasks, 1);
	if (pool_write_full(result_w, &out, sizeof(out)) != 0)
		_exit(3);
}

static void worker_message(struct pool *p, struct slot *s, int task_r, int result_w,
			   const struct msg *m)
{
	if (m->type == MSG_QUIT)
		_exit(0);
	if (m->type == MSG_TASK)
		worker_pipe_task(p, s, task_r, result_w, m);
	/* MSG_WAKE: only ends a blocking read */
}

/*
 * The parent writes a message, then bumps slot->mail; the worker counts the messages it has
 * consumed.  So a message can be in the pipe before mail says so, never the other way
 * round: the worker reads without blocking only while mail > consumed.
 */
__attribute__((noreturn)) void pool_worker_main(struct pool *p, unsigned i, int task_r,
						  int result_w, unsigned long seen)
{
	struct slot *s = &p->shm->slot[i];
	struct shm_job *j = &p->shm->job;
	unsigned long consumed = 0;
	struct msg m;

	for (;;) {
		uint64_t t0 = pb_mono_ns();
		unsigned polls = 0;

		/* hot: spin on shared memory for the next job or message */
		while (atomic_load_explicit(&j->gen, memory_order_acquire) == seen &&
		       atomic_load_explicit(&s->mail, memory_order_acquire) <= consumed &&
		       pb_mono_ns() - t0 < POOL_SPIN_NS)
			spin_poll(&polls);
		if (atomic_load(&j->gen) == seen && atomic_load(&s->mail) <= consumed) {
			/* cold: announce the sleep, re-check (the parent reads idle after
			 * publishing a job), then block in read() */
			atomic_store(&s->idle, 1);
			if (atomic_load(&j->gen) == seen && atomic_load(&s->mail) <= consumed) {
				if (pool_read_full(task_r, &m, sizeof(m)) <= 0)
					_exit(0); /* the parent is gone */
				atomic_store(&s->idle, 0);
				consumed++;
				worker_message(p, s, task_r, result_w, &m);
			}
			atomic_store(&s->idle, 0);
		}
		if (atomic_load_explicit(&j->gen, memory_order_acquire) != seen) {
			seen = atomic_load(&j->gen);
			worker_shm_job(p, s, seen);
			if (atomic_load(&s->retiring))
				_exit(0);
		}
		while (atomic_load_explicit(&s->mail, memory_order_acquire) > consumed) {
			if (pool_read_full(task_r, &m, sizeof(m)) <= 0)
				_exit(0);
			consumed++;
			worker_message(p, s, task_r, result_w, &m);
		}
	}
}

