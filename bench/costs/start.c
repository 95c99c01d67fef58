/*
 * start.c - what starting costs: a thread, a fork, a spawned program, a pool to its first
 * result, an OpenMP team; and the dispatch counter of the backends.
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


static void *nothing(void *arg)
{
	return arg;
}

int batch_thread(unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, nothing, NULL))
			return -1;
		pthread_join(t, NULL);
	}
	return 0;
}

int batch_fork(unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		pid_t p = fork();

		if (p < 0)
			return -1;
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	return 0;
}

int batch_spawn(unsigned k)
{
	char *const argv[] = { "true", NULL };

	for (unsigned i = 0; i < k; i++) {
		pid_t p;

		if (posix_spawn(&p, "/bin/true", NULL, NULL, argv, environ))
			return -1;
		waitpid(p, NULL, 0);
	}
	return 0;
}

static int tiny_task(void *ctx, size_t b, size_t e, void *result)
{
	(void)ctx;
	*(uint64_t *)result = e - b;
	return 0;
}

void add64(void *acc, const void *r)
{
	*(uint64_t *)acc += *(const uint64_t *)r;
}

/* Pool start to first result: fork the workers, run one one-item map. Teardown untimed. */
int time_pool_start(const struct costs_opts *o, enum pool_transport tr, double *sec)
{
	struct pool_options po = { .workers = o->workers, .transport = tr };
	struct pool *p;
	uint64_t r;
	struct pool_map_args a = { .fn = tiny_task, .n = 1, .result_size = 8, .combine = add64,
				   .results = &r };
	struct pool_failure f;
	char err[256];
	double t0 = pb_mono_s();

	if (pool_start(&p, &po, err, sizeof(err)))
		return -1;
	r = 0;
	int rc = pool_map(p, &a, &f) != 0 || r != 1; /* the one item, done once */

	*sec = pb_mono_s() - t0;
	pool_free(p);
	return rc;
}

/* A backend's start in a fresh process: for OpenMP that is its first parallel region. */
int time_backend_first_start(const struct costs_opts *o, const char *name, double *sec)
{
	const struct backend *b = backend_find(name);
	int fd[2];
	pid_t p;
	int ok = -1;

	if (!b || pipe(fd))
		return -1;
	p = fork();
	if (p == 0) {
		struct backend_config cfg = { .workers = o->workers };
		struct backend_instance bi;
		double t0 = pb_mono_s(), t;

		if (backend_instance_start(&bi, b, &cfg))
			_exit(1);
		t = pb_mono_s() - t0;
		backend_instance_stop(&bi);
		_exit(write(fd[1], &t, sizeof(t)) == (ssize_t)sizeof(t) ? 0 : 1);
	}
	close(fd[1]);
	if (p > 0 && readable(fd[0]) == 0 && read(fd[0], sec, sizeof(*sec)) == (ssize_t)sizeof(*sec))
		ok = 0;
	close(fd[0]);
	if (p > 0) {
		if (ok)
			kill(p, SIGKILL); /* stalled: it gets no more time */
		waitpid(p, NULL, 0);
	}
	return ok;
}


void count_range(void *ctx, size_t b, size_t e, void *partial)
{
	(void)ctx;
	*(uint64_t *)partial += e - b;
}

