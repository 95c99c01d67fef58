/*
 * pool.c - the process pool of pool.h: worker life cycle (fork, reap, replace) and the API.
 *
 * The transports live in pool_shm.c and pool_pipe.c, the worker process in pool_worker.c;
 * their shared structures in pool_impl.h.  Not here: anything kernel-specific, printing,
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

int pool_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	sigset_t pipe_set, old, pending;
	int had_pending, rc = 0;

	/* The pool installs no signal handlers in the parent: block SIGPIPE around the write
	 * and swallow the one a dead reader raises, unless one was pending already. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	had_pending = sigismember(&pending, SIGPIPE);
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w < 0 && errno == EPIPE && !had_pending) {
				struct timespec zero = { 0, 0 };

				while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
					;
			}
			rc = -1;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* 1 read, 0 EOF, -1 error */
int pool_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		p += r;
		len -= (size_t)r;
	}
	return 1;
}

/* In a new worker: map the shared pages it will write, writable, leaving them unchanged.
 * MADV_POPULATE_WRITE (Linux 5.14) does it in one call; else an atomic add of 0 per page
 * (a write fault, and no lost update should anyone write the byte meanwhile). */
static void prefault(const struct pool_region *r, size_t n)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t k = 0; k < n; k++) {
#ifdef MADV_POPULATE_WRITE
		uintptr_t a = (uintptr_t)r[k].p & ~(uintptr_t)(page - 1);

		if (madvise((void *)a, r[k].len + ((uintptr_t)r[k].p - a), MADV_POPULATE_WRITE) == 0)
			continue;
#endif
		for (size_t off = 0; off < r[k].len; off += (size_t)page)
			__atomic_fetch_add((unsigned char *)r[k].p + off, 0, __ATOMIC_RELAXED);
	}
}

/* ---- the parent: processes ------------------------------------------------------------ */

void pool_describe(struct pool_failure *f, const char *what)
{
	char how[64];

	if (f->signal)
		snprintf(how, sizeof(how), "killed by signal %d (%s)", f->signal,
			 strsignal(f->signal));
	else if (f->exit_status < 0)
		snprintf(how, sizeof(how), "ended, how is unknown (waitpid failed),");
	else
		snprintf(how, sizeof(how), "exited with status %d", f->exit_status);
	snprintf(f->message, sizeof(f->message), "fork-pool worker %u (pid %d) %s %s items [%zu, %zu)",
		 f->worker, (int)f->pid, how, what, f->begin, f->end);
}

void pool_close_fds(struct worker *w)
{
	if (w->pidfd >= 0)
		close(w->pidfd);
	if (w->task_w >= 0)
		close(w->task_w);
	if (w->result_r >= 0)
		close(w->result_r);
	w->pidfd = w->task_w = w->result_r = -1;
}

/* Forks worker i.  join: the new worker joins the shm job in progress. */
int pool_spawn(struct pool *p, unsigned i, int join)
{
	struct worker *w = &p->w[i];
	struct slot *s = &p->shm->slot[i];
	int tp[2], rp[2];
	pid_t pid;

	if (pipe2(tp, O_CLOEXEC) != 0)
		return -errno;
	if (pipe2(rp, O_CLOEXEC) != 0) {
		int e = errno;

		close(tp[0]);
		close(tp[1]);
		return -e;
	}
	/* bigger pipes: fewer wake-ups for tasks that carry data (best effort) */
	(void)fcntl(tp[1], F_SETPIPE_SZ, POOL_PIPE_BYTES);
	(void)fcntl(rp[1], F_SETPIPE_SZ, POOL_PIPE_BYTES);
	atomic_store(&s->idle, 0);
	atomic_store(&s->mail, 0);
	atomic_store(&s->state, atomic_load(&s->state) & SLOT_COMMIT);
	atomic_store(&s->retiring, 0);
	atomic_store(&s->tasks, 0);
	atomic_store(&s->cpu, -1);
	atomic_store(&s->ready, 0);
	/* the last job published before this worker exists; read here, not in the child,
	 * which may first run after the parent has published the next one */
	unsigned long gen = atomic_load(&p->shm->job.gen) - (join ? 1 : 0);

	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(tp[0]);
		close(tp[1]);
		close(rp[0]);
		close(rp[1]);
		return -e;
	}
	if (pid == 0) {
		sigset_t all;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != p->parent)
			_exit(1);
		/* the parent's handlers are not the worker's: a crash must kill the worker */
		for (int sig = 1; sig < NSIG; sig++) {
			struct sigaction sa;

			if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
			    sa.sa_handler != SIG_IGN)
				signal(sig, SIG_DFL);
		}
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGINT, SIG_IGN); /* the parent decides what Ctrl-C stops */
		signal(SIGPIPE, SIG_IGN);
		for (unsigned k = 0; k < p->nw; k++)
			if (k != i)
				pool_close_fds(&p->w[k]);
		close(tp[1]);
		close(rp[0]);
		if (p->o.topo && p->o.plan)
			pin_bind_self(p->o.topo, p->o.plan->pu[i]);
		prefault(p->o.prefault, p->o.n_prefault);
		atomic_store(&p->shm->slot[i].ready, 1);
		pool_worker_main(p, i, tp[0], rp[1], gen);
	}
	close(tp[0]);
	close(rp[1]);
	w->pid = pid;
	w->task_w = tp[1];
	w->result_r = rp[0];
	w->quitting = 0;
	w->dealt = 0;
	w->n_inflight = 0;
	w->pidfd = (int)pidfd_open(pid, 0);
	if (w->pidfd < 0) {
		int e = errno;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		w->pid = 0;
		pool_close_fds(w);
		return -e;
	}
	pthread_mutex_lock(&p->cancel_mu);
	p->cancel_fd[i] = w->pidfd;
	pthread_mutex_unlock(&p->cancel_mu);
	p->stats.pid[i] = pid;
	return 0;
}

/* Reaps worker i, which has exited; fills signal/exit status. */
void pool_reap(struct pool *p, unsigned i, struct pool_failure *f)
{
	struct worker *w = &p->w[i];
	int status = 0;

	pid_t got;

	pthread_mutex_lock(&p->cancel_mu);
	p->cancel_fd[i] = -1;
	pthread_mutex_unlock(&p->cancel_mu);
	memset(f, 0, sizeof(*f));
	f->worker = i;
	f->pid = w->pid;
	while ((got = waitpid(w->pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (got != w->pid)
		f->exit_status = -1; /* not reaped: how it ended is unknown */
	else if (WIFSIGNALED(status))
		f->signal = WTERMSIG(status);
	else if (WIFEXITED(status))
		f->exit_status = WEXITSTATUS(status);
	w->pid = 0;
	pool_close_fds(w);
}

static void kill_all(struct pool *p)
{
	for (unsigned i = 0; i < p->nw; i++)
		if (p->w[i].pid > 0)
			kill(p->w[i].pid, SIGKILL);
	for (unsigned i = 0; i < p->nw; i++)
		if (p->w[i].pid > 0) {
			struct pool_failure f;

			pool_reap(p, i, &f);
		}
}

static int exited(const struct worker *w)
{
	struct pollfd q = { .fd = w->pidfd, .events = POLLIN };

	return w->pid > 0 && poll(&q, 1, 0) == 1;
}

/* Waits until every worker has prefaulted: 0, -ECHILD (one died), -ETIMEDOUT. */
static int wait_ready(struct pool *p)
{
	uint64_t t0 = now_ns();

	for (;;) {
		unsigned ready = 0;

		for (unsigned i = 0; i < p->nw; i++) {
			if (atomic_load(&p->shm->slot[i].ready))
				ready++;
			else if (exited(&p->w[i]))
				return -ECHILD;
		}
		if (ready == p->nw)
			return 0;
		if (now_ns() - t0 > (uint64_t)POOL_READY_MS * 1000000u)
			return -ETIMEDOUT;
		usleep(100);
	}
}

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
		rc = wait_ready(p);
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

/* Replaces workers that exited between jobs (retired or died idle). */
int pool_respawn_missing(struct pool *p)
{
	for (unsigned i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];
		int rc;

		if (w->pid > 0 && exited(w)) {
			struct pool_failure f;

			pool_reap(p, i, &f);
			if (!atomic_load(&p->shm->slot[i].retiring) && !w->quitting)
				p->stats.deaths++;
		}
		if (w->pid == 0) {
			rc = pool_spawn(p, i, 0);
			if (rc)
				return rc;
			p->stats.respawns++;
		}
	}
	return 0;
}

/* ---- the API ------------------------------------------------------------------------- */

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
	if (chunk == 0) {
		chunk = (a->n + 4 * (size_t)p->nw - 1) / (4 * (size_t)p->nw);
		if (chunk == 0)
			chunk = 1;
	}
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
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000u;

	pool_deal_all(p);
	while (p->pending && !p->terminated) {
		uint64_t t = now_ns();
		int left = timeout_ms < 0 ? -1 : t >= end ? 0 : (int)((end - t) / 1000000u) + 1;

		if (pool_pipe_step(p, left) < 0 || (timeout_ms >= 0 && now_ns() >= end))
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
	deadline = now_ns() + (uint64_t)POOL_JOIN_MS * 1000000u;
	for (unsigned i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];
		struct pool_failure f;

		while (w->pid > 0 && !exited(w) && now_ns() < deadline) {
			struct pollfd q = { .fd = w->pidfd, .events = POLLIN };

			poll(&q, 1, 10);
		}
		if (w->pid > 0) {
			if (!exited(w))
				kill(w->pid, SIGKILL);
			pool_reap(p, i, &f);
		}
	}
	p->terminated = 1;
}

void pool_terminate(struct pool *p)
{
	kill_all(p);
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
		kill_all(p);
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
