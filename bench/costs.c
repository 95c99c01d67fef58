/*
 * costs.c - the measurements behind `parbench costs` (see costs.h for what and how).
 *
 * Each timed cost is a row of a sentinel-terminated table: a batch function that performs
 * `k` operations (with its partner process or threads set up once per Google Benchmark
 * call, outside the timed interval) and a one-line description of the method.  Partner
 * processes are always reaped before the function returns.
 */
#include "costs.h"
#include "launch.h"
#include "backend.h"
#include "gbench.h"
#include "outfile.h"
#include "pool.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Every wait on another process or thread ends by this deadline: a partner that died or
 * never started fails its row instead of hanging `parbench costs`. */
#define COSTS_WAIT_S 10.0

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ---- partner process for ping-pongs ---------------------------------------------------- */

/* Shared by the parent and one forked partner. */
struct duo {
	atomic_int flag;         /* shm ping-pong: 1 = ping, 2 = pong, -1 = quit */
	sem_t ping, pong;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn;                /* lock hand-off: whose turn, under mu */
	int quit;
	pthread_barrier_t barrier;
	int fd[4];               /* pipes: parent->child [0]r [1]w, child->parent [2]r [3]w */
	int ev[2];               /* eventfds: to child, to parent */
};

enum duo_kind { DUO_PIPE, DUO_SHM, DUO_SEM, DUO_LOCK, DUO_EVENT, DUO_BARRIER, DUO_QUEUE };

struct duo_run {
	enum duo_kind kind;
	struct duo *d;
	pid_t child;
	unsigned k;              /* batch size: the child needs it for barriers and queues */
	atomic_int broken;       /* the partner died or stalled during a barrier batch */
	int pidfd;               /* the partner, for barrier_guard() */
	int done_fd;             /* eventfd: the batch is over, barrier_guard() may leave */
};

static int read8(int fd, uint64_t *v)
{
	return read(fd, v, sizeof(*v)) == (ssize_t)sizeof(*v) ? 0 : -1;
}

/* 0 once fd is readable, -1 after COSTS_WAIT_S or on an error */
static int readable(int fd)
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

/* CLOCK_REALTIME COSTS_WAIT_S from now, for the timed waits of semaphores and conditions */
static struct timespec deadline_rt(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)COSTS_WAIT_S;
	return ts;
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
					relax();
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

static void duo_stop(struct duo_run *r);

static int duo_start(struct duo_run *r)
{
	struct duo *d = mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			     -1, 0);
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	pthread_barrierattr_t ba;

	if (d == MAP_FAILED)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	sem_init(&d->ping, 1, 0);
	sem_init(&d->pong, 1, 0);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&d->mu, &ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&d->cv, &ca);
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

static void duo_stop(struct duo_run *r)
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
		double dl = now_s() + COSTS_WAIT_S;

		for (unsigned i = 0; i < k; i++) {
			unsigned polls = 0;

			atomic_store_explicit(&d->flag, 1, memory_order_release);
			while (atomic_load_explicit(&d->flag, memory_order_acquire) != 2)
				if (++polls % 4096 == 0 && now_s() > dl)
					return -1;
				else
					relax();
		}
		return 0;
	}
	case DUO_SEM:
		for (unsigned i = 0; i < k; i++) {
			struct timespec dl = deadline_rt();

			sem_post(&d->ping);
			while (sem_timedwait(&d->pong, &dl) != 0)
				if (errno != EINTR)
					return -1;
		}
		return 0;
	case DUO_LOCK:
		for (unsigned i = 0; i < k; i++) {
			struct timespec dl = deadline_rt();
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
static int duo_batch_guarded(struct duo_run *r, unsigned k)
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

/* ---- start-up ---------------------------------------------------------------------------- */

static void *nothing(void *arg)
{
	return arg;
}

static int batch_thread(unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, nothing, NULL))
			return -1;
		pthread_join(t, NULL);
	}
	return 0;
}

static int batch_fork(unsigned k)
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

static int batch_spawn(unsigned k)
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

static void add64(void *acc, const void *r)
{
	*(uint64_t *)acc += *(const uint64_t *)r;
}

/* Pool start to first result: fork the workers, run one one-item map. Teardown untimed. */
static int time_pool_start(const struct costs_opts *o, enum pool_transport tr, double *sec)
{
	struct pool_options po = { .workers = o->workers, .transport = tr };
	struct pool *p;
	uint64_t r;
	struct pool_map_args a = { .fn = tiny_task, .n = 1, .result_size = 8, .combine = add64,
				   .results = &r };
	struct pool_failure f;
	char err[256];
	double t0 = now_s();

	if (pool_start(&p, &po, err, sizeof(err)))
		return -1;
	r = 0;
	int rc = pool_map(p, &a, &f) != 0 || r != 1; /* the one item, done once */

	*sec = now_s() - t0;
	pool_free(p);
	return rc;
}

/* A backend's start in a fresh process: for OpenMP that is its first parallel region. */
static int time_backend_first_start(const struct costs_opts *o, const char *name, double *sec)
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
		double t0 = now_s(), t;

		if (backend_instance_start(&bi, b, &cfg))
			_exit(1);
		t = now_s() - t0;
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

/* ---- dispatch through the backends ---------------------------------------------------------- */

static void count_range(void *ctx, size_t b, size_t e, void *partial)
{
	(void)ctx;
	*(uint64_t *)partial += e - b;
}

/* ---- the table ------------------------------------------------------------------------------ */

enum cost_kind { C_THREAD, C_FORK, C_SPAWN, C_POOL_SHM, C_POOL_PIPE, C_OMP_FIRST, C_DISPATCH,
		 C_DUO };

struct cost_def {
	const char *group;
	const char *name;
	enum cost_kind kind;
	const char *backend;     /* C_DISPATCH */
	enum duo_kind duo;       /* C_DUO */
	unsigned batch;          /* operations per timed iteration */
	const char *unit;        /* us or ns */
	const char *how;
};

static const struct cost_def defs[] = {
	{ "start-up", "thread create + join", C_THREAD, .batch = 200, .unit = "us",
	  .how = "pthread_create of an empty function, then pthread_join" },
	{ "start-up", "fork + _exit + waitpid", C_FORK, .batch = 20, .unit = "us",
	  .how = "fork of this (small) process; the child _exits at once" },
	{ "start-up", "posix_spawn(/bin/true) + waitpid", C_SPAWN, .batch = 5, .unit = "us",
	  .how = "a new program, loaded and run to exit" },
	{ "start-up", "fork-pool start, to first result", C_POOL_SHM, .batch = 1, .unit = "us",
	  .how = "pool_start (fork + pin N workers) until a one-item map returns (Python Pool: 6 ms)" },
	{ "start-up", "fork-pool-pipe start, to first result", C_POOL_PIPE, .batch = 1, .unit = "us",
	  .how = "as above, pipe transport" },
	{ "start-up", "OpenMP first parallel region", C_OMP_FIRST, .batch = 1, .unit = "us",
	  .how = "openmp backend start (team creation + binding) in a fresh forked process" },
	{ "dispatch", "fork-pool, chunk 1", C_DISPATCH, .backend = "fork-pool", .batch = 200000,
	  .unit = "ns", .how = "map of one-item tasks / tasks (Python Pool.map chunksize 1: 15 us)" },
	{ "dispatch", "fork-pool-pipe, chunk 1", C_DISPATCH, .backend = "fork-pool-pipe",
	  .batch = 2000, .unit = "ns", .how = "as above; every task and result crosses a pipe" },
	{ "dispatch", "openmp dynamic, chunk 1", C_DISPATCH, .backend = "openmp", .batch = 200000,
	  .unit = "ns", .how = "parallel for schedule(dynamic,1) of one-item iterations / items" },
	{ "dispatch", "pthreads dynamic, chunk 1", C_DISPATCH, .backend = "pthreads",
	  .batch = 200000, .unit = "ns", .how = "shared atomic counter, one item per fetch / items" },
	{ "dispatch", "pthreads-gil dynamic, chunk 1", C_DISPATCH, .backend = "pthreads-gil",
	  .batch = 200000, .unit = "ns", .how = "as above, with a GIL check point per item" },
	{ "communication", "pipe round trip", C_DUO, .duo = DUO_PIPE, .batch = 2000, .unit = "us",
	  .how = "8 bytes to a forked process and back over two pipes (Python Pipe: 50 us)" },
	{ "communication", "shared-memory round trip", C_DUO, .duo = DUO_SHM, .batch = 100000,
	  .unit = "ns", .how = "both processes spin on one atomic word in shared memory" },
	{ "communication", "Queue-like channel, per message", C_DUO, .duo = DUO_QUEUE,
	  .batch = 100000, .unit = "ns", .how = "64-byte messages streamed through a pipe" },
	{ "synchronization", "lock hand-off between processes", C_DUO, .duo = DUO_LOCK,
	  .batch = 2000, .unit = "us", .how = "process-shared mutex + condvar, turn passed and back" },
	{ "synchronization", "semaphore ping-pong", C_DUO, .duo = DUO_SEM, .batch = 2000,
	  .unit = "us", .how = "two process-shared POSIX semaphores (Python Semaphore: 21 us)" },
	{ "synchronization", "event ping-pong", C_DUO, .duo = DUO_EVENT, .batch = 2000,
	  .unit = "us", .how = "two eventfds, set and wait each way (Python Event: 141 us)" },
	{ "synchronization", "barrier, 2 processes", C_DUO, .duo = DUO_BARRIER, .batch = 2000,
	  .unit = "us", .how = "process-shared pthread_barrier_wait" },
	{ NULL, NULL, 0, .batch = 0 },
};

struct cost_case {
	const struct cost_def *def;
	const struct costs_opts *o;
	struct cost_row *row;
	struct backend_instance bi;
	int started;
	unsigned batch;      /* operations per iteration, to report per-operation times */
};

static void cost_body(struct gbench_state *st, void *arg)
{
	struct cost_case *c = arg;
	const struct cost_def *d = c->def;
	unsigned k = c->o->quick && d->batch > 10 ? d->batch / 10 : d->batch;
	struct duo_run duo = { .kind = d->duo, .k = k };
	uint64_t total = 0;
	struct work w = { .n = k, .range = count_range, .partial_size = sizeof(total),
			  .combine = add64, .model = WORK_C_CALL, .model_block = 1, .result = &total };

	if (d->kind == C_DUO && duo_start(&duo)) {
		gbench_keep_running(st);
		gbench_skip_with_error(st, "cannot start the partner process");
		duo_stop(&duo);
		return;
	}
	if (d->kind == C_DISPATCH && !c->started) {
		struct backend_config cfg = { .workers = c->o->workers, .schedule = SCHED_DYNAMIC,
					      .chunk = 1 };
		const struct backend *b = backend_find(d->backend);

		if (!b || backend_instance_start(&c->bi, b, &cfg)) {
			gbench_keep_running(st);
			gbench_skip_with_error(st, "cannot start the backend");
			return;
		}
		c->started = 1;
	}
	while (gbench_keep_running(st)) {
		double t0 = now_s(), t = 0;
		int rc = 0;

		switch (d->kind) {
		case C_THREAD:
			rc = batch_thread(k);
			break;
		case C_FORK:
			rc = batch_fork(k);
			break;
		case C_SPAWN:
			rc = batch_spawn(k);
			break;
		case C_POOL_SHM:
		case C_POOL_PIPE:
			rc = time_pool_start(c->o, d->kind == C_POOL_SHM ? POOL_SHM : POOL_PIPE, &t);
			break;
		case C_OMP_FIRST:
			rc = time_backend_first_start(c->o, "openmp", &t);
			break;
		case C_DISPATCH:
			rc = backend_instance_run(&c->bi, &w) || total != k;
			break;
		case C_DUO:
			rc = duo_batch_guarded(&duo, k);
			break;
		}
		if (!t)
			t = now_s() - t0;
		if (rc) {
			gbench_skip_with_error(st, "measurement failed");
			break;
		}
		/* the whole batch: Google Benchmark plans iterations from this time */
		gbench_set_iteration_time(st, t);
	}
	c->batch = k;
	if (d->kind == C_DUO) {
		if (d->duo == DUO_SHM)
			atomic_store(&duo.d->flag, -1);
		duo_stop(&duo);
	}
}

/* ---- counts and sizes, measured directly ----------------------------------------------------- */

struct counter {
	atomic_int ready;          /* children waiting at the start gate */
	atomic_int go;             /* opened once all are forked: they start together */
	pthread_mutex_t mu;
	atomic_long atomic_n;
	volatile long plain_n;
	long locked_n;
};

enum counter_mode { CNT_LOCK, CNT_ATOMIC, CNT_PLAIN };

/* n processes x m increments; returns the final count and the seconds taken. */
static long run_counter(enum counter_mode mode, unsigned n, long m, double *sec)
{
	struct counter *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t ma;
	pid_t pids[16];
	long result;
	double t0;

	*sec = 0;
	if (c == MAP_FAILED)
		return -1;
	memset(c, 0, sizeof(*c));
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&c->mu, &ma);
	unsigned forked = 0;

	for (unsigned i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			break;
		forked++;
		if (pids[i] == 0) {
			double dl = now_s() + COSTS_WAIT_S;

			prctl(PR_SET_PDEATHSIG, SIGKILL); /* the parent gone: leave with it */
			atomic_fetch_add(&c->ready, 1);
			while (!atomic_load_explicit(&c->go, memory_order_acquire))
				if (now_s() > dl)
					_exit(1); /* never opened: the parent gave up */
				else
					relax();
			for (long j = 0; j < m; j++) {
				if (mode == CNT_LOCK) {
					pthread_mutex_lock(&c->mu);
					c->locked_n++;
					pthread_mutex_unlock(&c->mu);
				} else if (mode == CNT_ATOMIC) {
					atomic_fetch_add_explicit(&c->atomic_n, 1, memory_order_relaxed);
				} else {
					c->plain_n = c->plain_n + 1; /* load, add, store: races */
				}
			}
			_exit(0);
		}
	}
	/* a start gate, so that the processes really run at the same time (forked one by one,
	 * each could finish before the next starts, and nothing would race) */
	double dl = now_s() + COSTS_WAIT_S;
	int ok = forked == n;

	while (ok && atomic_load(&c->ready) < (int)n)
		if (now_s() > dl)
			ok = 0;
		else
			relax();
	t0 = now_s();
	if (!ok) /* a fork failed or a child never came: no figure, nobody left behind */
		for (unsigned i = 0; i < forked; i++)
			kill(pids[i], SIGKILL);
	atomic_store_explicit(&c->go, 1, memory_order_release);
	for (unsigned i = 0; i < forked; i++) {
		int st = 0;

		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			ok = 0;
	}
	*sec = now_s() - t0;
	if (!ok) {
		munmap(c, sizeof(*c));
		return -1;
	}
	result = mode == CNT_LOCK ? c->locked_n : mode == CNT_ATOMIC ? atomic_load(&c->atomic_n)
								     : c->plain_n;
	munmap(c, sizeof(*c));
	return result;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct cost_row *add_row(struct costs *c, const char *group, const char *name,
				const char *unit, const char *how)
{
	struct cost_row *r = &c->rows[c->n++];

	memset(r, 0, sizeof(*r));
	r->group = group;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->unit = unit;
	r->how = how;
	return r;
}

static void set_stats(struct cost_row *r, double *v, size_t n);

/*
 * MPI (when built and mpirun is found): mpirun's start-up for the worker count, timed from
 * the spawn to mpirun's exit of ranks that only initialise MPI; and latency, barrier and
 * allreduce measured inside 2 (or workers) ranks by `parbench mpi-probe`.
 */
static void mpi_rows(struct costs *c, const struct costs_opts *o)
{
	const char *mpirun = launch_mpirun();
	char exe[4096], out[64] = "/tmp/parbench-mpi-probe-XXXXXX", line[512], err[256];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	unsigned ranks = o->workers > 1 ? o->workers : 2;
	double v[9];
	int fd;

	if (!backend_find("mpi") || !mpirun || len <= 0 || c->n + 4 > sizeof(c->rows) / sizeof(c->rows[0]))
		return;
	exe[len] = '\0';
	const char *init_argv[] = { exe, "mpi-probe", "--init-only", NULL };
	const char *probe_argv[] = { exe, "mpi-probe", NULL };
	struct launch l = { .mpirun = mpirun, .ranks = ranks, .argv = init_argv,
			    .oversubscribe = o->topo && ranks > pin_topo_cores(o->topo) };
	struct cost_row *r = add_row(c, "start-up", "", "ms",
				     "time from spawning mpirun to its exit, ranks only initialise "
				     "MPI (ob1/vader); 5 repetitions after one warm-up");

	snprintf(r->name, sizeof(r->name), "mpirun -np %u, MPI_Init to exit", ranks);
	for (int i = -1; i < 5; i++) {
		double t0 = now_s();

		if (launch_run(&l, err, sizeof(err)) != 0) {
			r->failed = 1;
			return;
		}
		if (i >= 0)
			v[i] = (now_s() - t0) * 1e3;
	}
	set_stats(r, v, 5);

	fd = mkstemp(out);
	if (fd < 0)
		return;
	close(fd);
	l.argv = probe_argv;
	l.stdout_path = out;
	static const char *names[] = { "latency", "barrier", "allreduce" };
	static const char *labels[] = { "MPI ping-pong 8 B, one way", "MPI_Barrier",
					"MPI_Allreduce of one double" };
	struct cost_row *rows[3];

	for (int k = 0; k < 3; k++) {
		rows[k] = add_row(c, "communication", "", "us",
				  "MPI_Wtime around 2000 operations, 7 repetitions after a warm-up, "
				  "inside the ranks (parbench mpi-probe)");
		snprintf(rows[k]->name, sizeof(rows[k]->name), "%s, %u ranks", labels[k], ranks);
		rows[k]->failed = 1;
	}
	if (launch_run(&l, err, sizeof(err)) == 0) {
		FILE *f = fopen(out, "r");

		while (f && fgets(line, sizeof(line), f)) {
			for (int k = 0; k < 3; k++) {
				size_t nl = strlen(names[k]);
				char *p = line + nl, *end;
				size_t n = 0;

				if (strncmp(line, names[k], nl) != 0 || *p != ' ')
					continue;
				while (n < 7 && (v[n] = strtod(p, &end), end != p)) {
					p = end;
					n++;
				}
				if (n == 7) {
					set_stats(rows[k], v, n);
					rows[k]->failed = 0;
				}
			}
		}
		if (f)
			fclose(f);
	}
	unlink(out);
}

/* The median, min and max of v[0..n) into r (v is sorted). */
static void set_stats(struct cost_row *r, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	r->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	r->min = v[0];
	r->max = v[n - 1];
	r->repetitions = n;
}

static void shared_counter_rows(struct costs *c, int quick)
{
	static const char *const names[] = { "4 processes x 1M increments, process-shared lock",
					     "4 processes x 1M increments, atomic add",
					     "4 processes x 1M increments, plain load/add/store" };
	static const char *const hows[] = {
		"pthread mutex in shared memory around ++ (exact: must be 4,000,000)",
		"atomic_fetch_add on a shared word (exact: must be 4,000,000)",
		"no synchronization, all 4 started together: updates lost, share of 4,000,000",
	};
	const long m = quick ? 200000 : 1000000;
	const size_t reps = quick ? 3 : 5;

	for (int mode = CNT_LOCK; mode <= CNT_PLAIN; mode++) {
		struct cost_row *r = add_row(c, "shared counter", names[mode],
					     mode == CNT_PLAIN ? "% lost" : "ns/incr", hows[mode]);
		double v[8];

		if (quick)
			snprintf(r->name, sizeof(r->name), "4 processes x %ldk increments, %s", m / 1000,
				 mode == CNT_LOCK ? "process-shared lock"
				 : mode == CNT_ATOMIC ? "atomic add" : "plain load/add/store");
		for (size_t i = 0; i < reps; i++) {
			double sec = 0;
			long got = run_counter((enum counter_mode)mode, 4, m, &sec);

			if (got < 0) {
				r->failed = 1; /* the processes could not all run: no figure */
				v[i] = 0;
			} else if (mode == CNT_PLAIN) {
				v[i] = 100.0 * (double)(4 * m - got) / (double)(4 * m);
			} else {
				v[i] = sec * 1e9 / (double)(4 * m);
				if (got != 4 * m)
					r->failed = 1; /* a lock or an atomic that loses updates */
			}
		}
		set_stats(r, v, reps);
	}
}

/* Rss and Pss of a process from /proc/PID/smaps_rollup, in KiB. */
static int rss_pss(pid_t pid, double *rss, double *pss)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	*rss = *pss = -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Rss: %lf", rss);
		sscanf(line, "Pss: %lf", pss);
	}
	fclose(f);
	return *rss < 0 || *pss < 0 ? -1 : 0;
}

/* A child that reads (1) or writes (2) all of buf, or leaves it alone (0), then waits. */
static int child_footprint(unsigned char *buf, size_t len, int touch, double *rss, double *pss)
{
	int go[2];
	pid_t p;
	char c = 0;
	int rc;

	if (pipe(go))
		return -1;
	p = fork();
	if (p == 0) {
		volatile unsigned long sum = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (size_t i = 0; touch && i < len; i += 4096) {
			if (touch == 1)
				sum += buf[i];
			else
				buf[i] = (unsigned char)i;
		}
		(void)sum;
		if (write(go[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[1]); /* a child that dies is seen as end of file */
	rc = p > 0 && readable(go[0]) == 0 && read(go[0], &c, 1) == 1 ? rss_pss(p, rss, pss) : -1;
	if (p > 0) {
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
	}
	close(go[0]);
	return rc;
}

/* Threads parked until released, counted in: no barrier, so a thread that could not be
 * created leaves nobody waiting for it. */
struct parking {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int arrived, release;
};

static void *park(void *arg)
{
	struct parking *pk = arg;

	pthread_mutex_lock(&pk->mu);
	pk->arrived++;
	pthread_cond_broadcast(&pk->cv);
	while (!pk->release)
		pthread_cond_wait(&pk->cv, &pk->mu);
	pthread_mutex_unlock(&pk->mu);
	return NULL;
}

static void size_row(struct costs *c, const char *name, const char *what, double kib,
		     const char *how)
{
	char full[96];
	struct cost_row *r;

	snprintf(full, sizeof(full), "%s: %s", name, what);
	r = add_row(c, "memory", full, "MiB", how);
	r->median = r->min = r->max = kib / 1024;
	r->repetitions = 1;
	r->failed = kib < 0;
}

static void memory_rows(struct costs *c)
{
	static const char *const names[] = { "forked worker, idle",
					     "forked worker, read 64 MiB inherited",
					     "forked worker, wrote 64 MiB inherited" };
	static const char *const how =
		"the child's Rss / Pss (shared pages split among sharers), /proc/PID/smaps_rollup";
	const size_t len = 64u << 20;
	unsigned char *buf = malloc(len);
	double rss, pss, before, after, unused;

	if (!buf)
		return;
	memset(buf, 1, len); /* the parent's data, resident before the fork */
	for (int touch = 0; touch < 3; touch++) {
		if (child_footprint(buf, len, touch, &rss, &pss))
			rss = pss = -1;
		size_row(c, names[touch], "RSS", rss, how);
		size_row(c, names[touch], "PSS", pss, how);
	}
	free(buf);

	/* threads share everything: what one more thread adds to the process */
	struct parking pk = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	pthread_t t[16];
	int made = 0, ok = rss_pss(getpid(), &before, &unused) == 0;

	for (; made < 16; made++)
		if (pthread_create(&t[made], NULL, park, &pk) != 0)
			break;
	pthread_mutex_lock(&pk.mu);
	while (pk.arrived < made)
		pthread_cond_wait(&pk.cv, &pk.mu);
	pthread_mutex_unlock(&pk.mu);
	ok = ok && made == 16 && rss_pss(getpid(), &after, &unused) == 0;
	pthread_mutex_lock(&pk.mu);
	pk.release = 1;
	pthread_cond_broadcast(&pk.cv);
	pthread_mutex_unlock(&pk.mu);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	size_row(c, "one more thread", "RSS", ok ? (after - before) / 16 : -1,
		 "growth of this process's Rss with 16 parked threads, divided by 16");
}

int costs_run(struct costs *c, const struct costs_opts *o, int gb_argc, const char *const *gb_argv,
	      char *err, size_t err_len)
{
	struct cost_case cases[sizeof(defs) / sizeof(defs[0])];
	struct gbench *gb;
	size_t n = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	memset(cases, 0, sizeof(cases));
	rc = gbench_create(&gb, gb_argc, gb_argv, err, err_len);
	if (rc)
		return rc;
	for (const struct cost_def *d = defs; d->name; d++) {
		char name[160];

		if ((d->kind == C_DISPATCH && !backend_find(d->backend)) ||
		    (d->kind == C_OMP_FIRST && !backend_find("openmp")))
			continue; /* not built */
		cases[n] = (struct cost_case){ .def = d, .o = o, .row = add_row(c, d->group, d->name,
										    d->unit, d->how) };
		if (d->kind == C_POOL_SHM || d->kind == C_POOL_PIPE || d->kind == C_OMP_FIRST ||
		    d->kind == C_DISPATCH)
			snprintf(cases[n].row->name, sizeof(cases[n].row->name), "%s, %u workers",
				 d->name, o->workers);
		snprintf(name, sizeof(name), "costs/%s/%s", d->group, d->name);
		rc = gbench_add(gb, name, cost_body, &cases[n], o->quick ? 0.02 : 0.1, err, err_len);
		if (rc)
			goto out;
		n++;
	}
	rc = gbench_run(gb, 0, NULL, NULL, err, err_len);
	for (size_t i = 0; i < n; i++) {
		const struct gbench_result *g = gbench_get_result(gb, i);
		struct cost_row *r = cases[i].row;
		double scale = (strcmp(cases[i].def->unit, "ns") == 0 ? 1e9 : 1e6) /
			       (cases[i].batch ? cases[i].batch : 1);

		if (cases[i].started)
			backend_instance_stop(&cases[i].bi);
		if (!g) {
			r->not_run = 1; /* filtered out */
			continue;
		}
		if (g->failed || !g->n_samples) {
			r->failed = 1;
			continue;
		}
		r->median = g->median * scale;
		r->min = g->min * scale;
		r->max = g->max * scale;
		r->repetitions = g->n_samples;
	}
	if (rc)
		goto out;
	shared_counter_rows(c, o->quick);
	memory_rows(c);
	mpi_rows(c, o);
out:
	gbench_destroy(gb);
	return rc;
}

int costs_write_csv(const char *dir, const struct costs *c)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "costs.csv");

	if (err)
		return err;
	fprintf(o.f, "group,name,median,min,max,unit,repetitions,how\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct cost_row *r = &c->rows[i];

		if (r->failed || r->not_run)
			continue;
		fprintf(o.f, "%s,\"%s\",%.6g,%.6g,%.6g,%s,%zu,\"%s\"\n", r->group, r->name, r->median,
			r->min, r->max, r->unit, r->repetitions, r->how);
	}
	return outfile_commit(&o);
}
