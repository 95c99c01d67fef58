/*
 * pool_proc.c - the pool's process management: a worker forked, pinned and started
 * (pool_worker.c), reaped and described when it ends, replaced, or all of them killed.
 * Called by the API (pool.c) and the transports; calls only the worker and I/O helpers.
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

/* In the new worker process: die with the parent, default signal handling, only its own
 * pipes, pinned, its output prefaulted, then the worker's loop. */
__attribute__((noreturn)) static void spawn_child(struct pool *p, unsigned i, int tp[2], int rp[2],
						 unsigned long gen)
{
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
	if (pid == 0)
		spawn_child(p, i, tp, rp, gen);
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

void pool_kill_all(struct pool *p)
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

int pool_exited(const struct worker *w)
{
	struct pollfd q = { .fd = w->pidfd, .events = POLLIN };

	return w->pid > 0 && poll(&q, 1, 0) == 1;
}

/* Waits until every worker has prefaulted: 0, -ECHILD (one died), -ETIMEDOUT. */
int pool_wait_ready(struct pool *p)
{
	uint64_t t0 = pb_mono_ns();

	for (;;) {
		unsigned ready = 0;

		for (unsigned i = 0; i < p->nw; i++) {
			if (atomic_load(&p->shm->slot[i].ready))
				ready++;
			else if (pool_exited(&p->w[i]))
				return -ECHILD;
		}
		if (ready == p->nw)
			return 0;
		if (pb_mono_ns() - t0 > (uint64_t)POOL_READY_MS * 1000000u)
			return -ETIMEDOUT;
		usleep(100);
	}
}

/* Replaces workers that exited between jobs (retired or died idle). */
int pool_respawn_missing(struct pool *p)
{
	for (unsigned i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];
		int rc;

		if (w->pid > 0 && pool_exited(w)) {
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
