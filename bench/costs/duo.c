/*
 * duo.c - the partner process of the ping-pongs: forked once per Google Benchmark call, it
 * answers pipes, shared memory, semaphores, locks, eventfds and barriers until told to
 * quit, and is always reaped; a partner that dies or stalls fails its row.
 */
#include "costs_int.h"

#include "clock.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;


static int read8(int fd, uint64_t *v)
{
	return read(fd, v, sizeof(*v)) == (ssize_t)sizeof(*v) ? 0 : -1;
}

/* 0 once fd is readable, -1 after COSTS_WAIT_S or on an error */
int readable(int fd)
{
	struct pollfd q = { .fd = fd, .events = POLLIN };
	int rc;

	while ((rc = poll(&q, 1, (int)(COSTS_WAIT_S * 1000))) < 0 && errno == EINTR)
		;
	return rc == 1 ? 0 : -1;
}

/* read8 that gives up after COSTS_WAIT_S (a partner that died sends nothing) */
static int read8_by(int fd, uint64_t *v)
{
	return readable(fd) || read8(fd, v) ? -1 : 0;
}

static int write8(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? 0 : -1;
}

__attribute__((noreturn)) static void duo_child(struct duo_run *r)
{
	struct duo *d = r->d;
	uint64_t v;
	unsigned char msg[64] = { 0 };

	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the parent */
	for (;;) {
		switch (r->kind) {
		case DUO_PIPE:
			if (read8(d->fd[0], &v) || write8(d->fd[3], v))
				_exit(0);
			break;
		case DUO_SHM:
			while (atomic_load_explicit(&d->flag, memory_order_acquire) != 1)
				if (atomic_load_explicit(&d->flag, memory_order_relaxed) < 0)
					_exit(0);
				else
					spin_relax();
			atomic_store_explicit(&d->flag, 2, memory_order_release);
			break;
		case DUO_SEM:
			sem_wait(&d->ping);
			if (d->quit)
				_exit(0);
			sem_post(&d->pong);
			break;
		case DUO_LOCK:
			pthread_mutex_lock(&d->mu);
			while (d->turn != 1 && !d->quit)
				pthread_cond_wait(&d->cv, &d->mu);
			if (d->quit) {
				pthread_mutex_unlock(&d->mu);
				_exit(0);
			}
			d->turn = 0;
			pthread_cond_broadcast(&d->cv);
			pthread_mutex_unlock(&d->mu);
			break;
		case DUO_EVENT:
			if (read8(d->ev[0], &v) || d->quit || write8(d->ev[1], 1))
				_exit(0);
			break;
		case DUO_BARRIER:
			pthread_barrier_wait(&d->barrier);
			if (d->quit)
				_exit(0);
			break;
		case DUO_QUEUE:
			/* a request for v messages of 64 bytes */
			if (read8(d->fd[0], &v))
				_exit(0);
			for (uint64_t i = 0; i < v; i++)
				if (write(d->fd[3], msg, sizeof(msg)) != (ssize_t)sizeof(msg))
					_exit(0);
			break;
		}
	}
}

void duo_stop(struct duo_run *r);

int duo_start(struct duo_run *r)
{
	struct duo *d = mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			     -1, 0);
	pthread_mutexattr_t ma;
	pthread_barrierattr_t ba;

	if (d == MAP_FAILED)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	sem_init(&d->ping, 1, 0);
	sem_init(&d->pong, 1, 0);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&d->mu, &ma);
	pb_mono_cond_init(&d->cv, 1); /* its timed waits on the monotonic clock */
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&d->barrier, &ba, 2);
	if (pipe(d->fd) || pipe(d->fd + 2)) {
		munmap(d, sizeof(*d));
		return -errno;
	}
	d->ev[0] = eventfd(0, 0);
	d->ev[1] = eventfd(0, 0);
	r->d = d;
	pid_t child = fork();

	if (child < 0) {
		int err = -errno;

		duo_stop(r); /* frees what was made; with no child there is nothing to signal */
		return err;
	}
	if (child == 0)
		duo_child(r);
	r->child = child;
	return 0;
}

void duo_stop(struct duo_run *r)
{
	struct duo *d = r->d;

	if (!d)
		return;
	/* never signal or wait on a pid <= 0: kill(-1) reaches every process we may signal */
	if (r->child > 0) {
		kill(r->child, SIGKILL);
		waitpid(r->child, NULL, 0);
		r->child = 0;
	}
	for (int i = 0; i < 4; i++)
		close(d->fd[i]);
	close(d->ev[0]);
	close(d->ev[1]);
	munmap(d, sizeof(*d));
	r->d = NULL;
}

/* k round trips (or k barriers, or k queued messages). 0 or -1. */
static int duo_batch(struct duo_run *r, unsigned k)
{
	struct duo *d = r->d;
	unsigned char msg[64];
	uint64_t v;

	switch (r->kind) {
	case DUO_PIPE:
		for (unsigned i = 0; i < k; i++)
			if (write8(d->fd[1], i) || read8_by(d->fd[2], &v))
				return -1;
		return 0;
	case DUO_SHM: {
		double dl = pb_mono_s() + COSTS_WAIT_S;

		for (unsigned i = 0; i < k; i++) {
			unsigned polls = 0;

			atomic_store_explicit(&d->flag, 1, memory_order_release);
			while (atomic_load_explicit(&d->flag, memory_order_acquire) != 2)
				if (++polls % 4096 == 0 && pb_mono_s() > dl)
					return -1;
				else
					spin_relax();
		}
		return 0;
	}
	case DUO_SEM:
		for (unsigned i = 0; i < k; i++) {
			struct timespec dl = pb_mono_deadline(COSTS_WAIT_S);

			sem_post(&d->ping);
			while (sem_clockwait(&d->pong, CLOCK_MONOTONIC, &dl) != 0)
				if (errno != EINTR)
					return -1;
		}
		return 0;
	case DUO_LOCK:
		for (unsigned i = 0; i < k; i++) {
			struct timespec dl = pb_mono_deadline(COSTS_WAIT_S);
			int rc = 0;

			pthread_mutex_lock(&d->mu);
			d->turn = 1;
			pthread_cond_broadcast(&d->cv);
			while (d->turn != 0 && rc == 0)
				rc = pthread_cond_timedwait(&d->cv, &d->mu, &dl);
			pthread_mutex_unlock(&d->mu);
			if (rc)
				return -1;
		}
		return 0;
	case DUO_EVENT:
		for (unsigned i = 0; i < k; i++)
			if (write8(d->ev[0], 1) || read8_by(d->ev[1], &v))
				return -1;
		return 0;
	case DUO_BARRIER:
		/* a barrier has no timed wait: barrier_guard() stands in for a dead partner */
		for (unsigned i = 0; i < k; i++) {
			pthread_barrier_wait(&d->barrier);
			if (atomic_load(&r->broken))
				return -1;
		}
		return 0;
	case DUO_QUEUE:
		if (write8(d->fd[1], k))
			return -1;
		for (unsigned i = 0; i < k; i++)
			if (readable(d->fd[2]) ||
			    read(d->fd[2], msg, sizeof(msg)) != (ssize_t)sizeof(msg))
				return -1;
		return 0;
	}
	return -1;
}

/* Stands in for the partner at the barrier if it dies or stalls (the batch then fails). */
static void *barrier_guard(void *arg)
{
	struct duo_run *r = arg;
	struct pollfd q[2] = { { .fd = r->done_fd, .events = POLLIN },
			       { .fd = r->pidfd, .events = POLLIN } };
	int rc;

	while ((rc = poll(q, 2, (int)(COSTS_WAIT_S * 1000))) < 0 && errno == EINTR)
		;
	if (rc > 0 && (q[0].revents & POLLIN))
		return NULL; /* the batch is over */
	atomic_store(&r->broken, 1);
	if (r->child > 0)
		kill(r->child, SIGKILL);
	pthread_barrier_wait(&r->d->barrier); /* releases the parent's wait */
	return NULL;
}

/* duo_batch, with a guard for the one wait that has no deadline of its own */
int duo_batch_guarded(struct duo_run *r, unsigned k)
{
	pthread_t g;
	uint64_t one = 1;
	int rc;

	if (r->kind != DUO_BARRIER)
		return duo_batch(r, k);
	r->pidfd = (int)syscall(SYS_pidfd_open, r->child, 0);
	r->done_fd = eventfd(0, 0);
	if (r->pidfd < 0 || r->done_fd < 0 || pthread_create(&g, NULL, barrier_guard, r) != 0) {
		if (r->pidfd >= 0)
			close(r->pidfd);
		if (r->done_fd >= 0)
			close(r->done_fd);
		return -1;
	}
	rc = duo_batch(r, k);
	if (write(r->done_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		atomic_store(&r->broken, 1);
	if (rc == 0 && atomic_load(&r->broken))
		pthread_barrier_wait(&r->d->barrier); /* the guard gave up just as we finished */
	pthread_join(g, NULL);
	close(r->pidfd);
	close(r->done_fd);
	return rc || atomic_load(&r->broken) ? -1 : 0;
}

