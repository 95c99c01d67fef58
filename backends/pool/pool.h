/*
 * pool.h - a pre-forked process pool with multiprocessing.Pool semantics, in C.
 *
 * Workers are forked at pool_start() and see the parent's memory as it was then (copy on
 * write): everything a task reads must exist before the pool starts.  A task is a function
 * pointer plus a half-open item range; it runs in a worker and writes a fixed-size result.
 *
 * Transports (how ranges and results move):
 *   POOL_SHM   workers pull chunks from a shared atomic counter and write results straight
 *              into shared memory; the parent is not involved per chunk (zero copy).
 *   POOL_PIPE  the parent deals chunks to workers through per-worker pipes (at most two in
 *              a worker frees up) and every result comes back through a pipe: the copying,
 *              wake-up-per-message cost of Python's pickling Pool.
 * Waiting: an idle worker spins ~50 us on shared memory, then blocks in read() on its pipe;
 * the parent spins briefly, then blocks in poll() on the workers' pipes and pidfds.  A
 * blocking cross-core wake-up costs ~50 us on our VMs and a spinning one ~60 ns, so jobs
 * that follow each other closely are handed over hot, and an idle pool costs no CPU.
 *
 * Worker death (any signal, any exit mid-task) is seen at once through the worker's pidfd:
 * the job fails with the worker's pid, signal or exit status and the task's range, or the
 * task is re-run once on a fresh worker (retry).  It never hangs.  Workers die with the
 * parent (PR_SET_PDEATHSIG), are always reaped, and the only shared memory is anonymous, so
 * nothing outlives the pool.  The pool never prints and never installs signal handlers in
 * the parent.  Not thread-safe: one thread drives a pool.
 */
#ifndef PB_POOL_H
#define PB_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pin.h"

#define POOL_RESULT_MAX 64 /* bytes of one task result */

struct pool; /* opaque */

enum pool_transport { POOL_SHM, POOL_PIPE };

struct pool_region {
	void *p;
	size_t len;
};

struct pool_options {
	unsigned workers;              /* 1 .. PIN_MAX_WORKERS */
	enum pool_transport transport;
	unsigned max_tasks_per_worker; /* a worker is replaced after this many tasks; 0 = never */
	int retry;                     /* re-run a dead worker's task once on a new worker */
	const struct pin_topo *topo;   /* NULL: no pinning */
	const struct pin_plan *plan;   /* worker i binds to plan->pu[i] */
	/* MAP_SHARED memory each worker writes into its page tables when it starts (contents
	 * unchanged); pool_start() returns once the first workers have done so. */
	const struct pool_region *prefault;
	size_t n_prefault;
	/* test hook: the output bytes of every map's first chunk (pipe transport) are read from
	 * the pipe and thrown away, as a transport that forgot them would */
	int test_drop_copyback;
	/* test hook: the worker that claims shm chunk number test_kill_claim - 1 (counted from
	 * 0 in each round of a map; not in a retry) dies between the claim and marking itself
	 * busy; 0 = off */
	uint64_t test_kill_claim;
};

enum pool_failure_kind {
	POOL_OK = 0,
	POOL_WORKER_DIED,   /* a worker was killed or exited while holding a task */
	POOL_TASK_FAILED,   /* a task returned a non-zero status */
	POOL_TERMINATED,    /* pool_terminate() while the task was pending */
};

/* Why a task or a job failed. */
struct pool_failure {
	enum pool_failure_kind kind;
	unsigned worker;      /* worker slot */
	pid_t pid;
	int signal;           /* killed by this signal, or 0 */
	int exit_status;      /* exited with this status (when signal == 0) */
	int task_status;      /* POOL_TASK_FAILED: the task's return value */
	size_t begin, end;    /* the task's items */
	char message[256];    /* one line describing all of the above */
};

/* Runs in a worker: process items [begin, end) of ctx, write the result (at most
 * POOL_RESULT_MAX bytes, zeroed beforehand).  0, or an error code reported to the parent. */
typedef int pool_task_fn(void *ctx, size_t begin, size_t end, void *result);
/* *acc += *result, in the parent or a worker; acc and result are of the same type (a sum of
 * results is itself a result), and the operation is exact and order-independent. */
typedef void pool_combine_fn(void *acc, const void *result);
/* Callbacks of pool_apply_async(), run in the parent by pool_wait()/pool_join(). */
typedef void pool_done_fn(void *user, uint64_t task, const void *result);
typedef void pool_error_fn(void *user, uint64_t task, const struct pool_failure *f);

/*
 * Jobs whose tasks read and write buffers: the bytes a task reads (in) and writes (out), at
 * the parent's addresses.  POOL_SHM ignores this (its workers read the parent's memory as
 * forked and write MAP_SHARED outputs in place); POOL_PIPE sends each task its input bytes
 * through the worker's pipe, runs fn_io on the worker's copy, and reads the output bytes
 * back into place: the copying that pickling arguments and results costs in Python.
 */
struct pool_span {
	const void *in;
	size_t in_len;
	void *out;
	size_t out_len;
};
typedef void pool_span_fn(void *ctx, size_t begin, size_t end, struct pool_span *s);
typedef int pool_task_io_fn(void *ctx, size_t begin, size_t end, const void *in, void *out,
			    void *result);

struct pool_map_args {
	pool_task_fn *fn;
	void *ctx;
	size_t n;                  /* items [0, n) */
	size_t chunk;              /* items per task; 0 = Python's ceil(n / (4 x workers)) */
	size_t result_size;        /* bytes per task result, at most POOL_RESULT_MAX; per-task
				    * results sit at multiples of it (16-byte aligned buffers) */
	pool_combine_fn *combine;  /* non-NULL: reduce all task results into *results */
	void *results;             /* combine: one result; else one per task, in task order */
	pool_span_fn *span;        /* optional (with fn_io): data moved by POOL_PIPE */
	pool_task_io_fn *fn_io;
};

struct pool_stats {
	uint64_t tasks;       /* tasks completed since start */
	unsigned respawns;    /* workers replaced (max_tasks_per_worker, retry) */
	unsigned deaths;      /* workers that died holding a task */
	pid_t pid[PIN_MAX_WORKERS];
	int cpu[PIN_MAX_WORKERS]; /* CPU each worker was on after its last task, -1 unknown */
};

/* Forks and pins the workers. 0 or -errno (err says why); on error nothing is left running. */
int pool_start(struct pool **out, const struct pool_options *o, char *err, size_t err_len);

/* Runs a map to completion. 0; or -ECHILD (a worker died), -ECANCELED (a task failed:
 * reported after all other tasks finished), -EPIPE (pool terminated or closed), with *f. */
int pool_map(struct pool *p, const struct pool_map_args *a, struct pool_failure *f);
/* The chunk pool_map() deals when pool_map_args.chunk is 0: Python's Pool.map rule,
 * ceil(n / (4 x workers)), at least 1. */
size_t pool_default_chunk(size_t n, unsigned workers);

/* Queues one task; its callback runs later in the parent.  *task gets its id.  0, or
 * -EPIPE after pool_close()/pool_terminate(), -EINVAL for a bad result_size. */
int pool_apply_async(struct pool *p, pool_task_fn *fn, void *ctx, size_t begin, size_t end,
		     size_t result_size, pool_done_fn *done, pool_error_fn *error, void *user,
		     uint64_t *task);
/* Processes completions (running callbacks) until none is pending or timeout_ms passes
 * (-1: no limit).  Returns the number of tasks still pending. */
int pool_wait(struct pool *p, int timeout_ms);

void pool_close(struct pool *p);     /* no new tasks; pending ones still run */
void pool_join(struct pool *p);      /* after close: wait for pending tasks, stop workers */
void pool_terminate(struct pool *p); /* kill workers now; pending tasks fail (POOL_TERMINATED) */
void pool_free(struct pool *p);      /* terminates if needed, reaps, unmaps; NULL is fine */
/* The one call that may come from another thread: SIGKILL every worker, so that a hung
 * pool_map() fails at once with the deaths (it still reaps and reports them). */
void pool_cancel(struct pool *p);

void pool_get_stats(const struct pool *p, struct pool_stats *out);
unsigned pool_workers(const struct pool *p);

/* For "fork-pool-pipe" (pipe_link.c): what a run of w moves through the pipes, with the
 * pipe's latency and bandwidth measured (once per process and size).  0 or -errno. */
struct work;
struct backend_config;
struct backend_traffic;
int pipe_traffic(const struct work *w, const struct backend_config *cfg,
		 struct backend_traffic *t);

#endif
