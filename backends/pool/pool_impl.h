/*
 * pool_impl.h - the process pool's insides, shared by pool.c (the API), pool_shm.c and
 * pool_pipe.c (the parent's side of each transport), pool_proc.c (workers forked, reaped,
 * replaced), pool_worker.c (the worker process) and pool_io.c (whole reads and writes); calls
 * run in that order, never back.  Not part of the pool's interface: include pool.h.
 *
 * Shared memory (one anonymous MAP_SHARED area made before the first fork) holds the current
 * shm job, one slot per worker (what it is working on, its committed partial result, whether
 * it is blocked in read()), and an arena for per-task results.  Each worker has a task pipe
 * (parent -> worker: fixed-size messages below PIPE_BUF, so every write is atomic) and a
 * result pipe (worker -> parent), and the parent holds a pidfd per worker.
 */
#ifndef PB_POOL_IMPL_H
#define PB_POOL_IMPL_H

#include "clock.h"
#include "pool.h"
#include "spin.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#define POOL_SPIN_NS    50000          /* idle worker: spin this long before blocking */
#define POOL_WAIT_SPIN  20000          /* parent: spin this long before poll() */
#define POOL_INFLIGHT   1              /* pipe transport: tasks dealt ahead per worker; more
					 * would commit a chunk to a busy worker and unbalance */
#define POOL_ARENA      (1u << 20)     /* shared bytes for per-task results of shm maps */
#define POOL_PIPE_BYTES (1 << 20)      /* pipe capacity asked for (the unprivileged maximum) */
#define POOL_READY_MS   30000          /* start: how long workers get to prefault */
#define POOL_JOIN_MS    2000           /* join: how long workers get to exit before SIGKILL */

enum msg_type { MSG_WAKE = 1, MSG_TASK, MSG_RESULT, MSG_QUIT };

/* Result buffers are aligned for any type a task may write there (128-bit sums included). */
#define RESULT_ALIGN _Alignas(16)

struct msg {
	RESULT_ALIGN unsigned char result[POOL_RESULT_MAX];
	uint32_t type;
	int32_t status;
	uint64_t id;
	uint64_t begin, end;
	uint64_t fn, ctx;        /* pointers, valid in the forked copy of the address space */
	uint32_t result_size;
	int32_t cpu;
	uint64_t fn_io;          /* non-zero: in_len payload bytes follow a task, out_len its result */
	uint64_t in_len, out_len;
};
_Static_assert(sizeof(struct msg) <= 512, "a message must be written atomically");

struct slot {
	_Alignas(64) atomic_uint idle;    /* blocked (or about to block) in read() */
	atomic_ulong mail;                /* bumped by the parent after each message */
	atomic_ulong left_gen;            /* last shm job this worker left */
	atomic_uint state;                /* SLOT_COMMIT (valid partial buffer) | SLOT_BUSY */
	atomic_int retiring;              /* leaving because of max_tasks_per_worker */
	atomic_int cpu;
	atomic_int ready;                 /* started: pinned, prefaulted */
	atomic_uint tasks;                /* tasks done by the current process */
	atomic_ullong cur_begin, cur_end; /* the shm chunk being worked on */
	int error;                        /* first failing task of this job, 0 if none */
	uint64_t err_begin, err_end;
	RESULT_ALIGN unsigned char partial[2][POOL_RESULT_MAX];
	/* committed chunks, double-buffered with the partials (same commit store): how many,
	 * and the sum of their indexes, so that the parent can name a chunk that a worker
	 * claimed and died with before it could say which (pool_shm.c) */
	uint64_t done_n[2], done_ksum[2];
};

/* One word, so that committing a chunk's partial and leaving the chunk are one store: a
 * worker that dies in between cannot have its chunk counted and then retried. */
#define SLOT_COMMIT 1u
#define SLOT_BUSY   2u

struct shm_job {
	_Alignas(64) atomic_ulong gen;    /* bumped to publish a job */
	_Alignas(64) atomic_ullong next;  /* next chunk index */
	_Alignas(64) atomic_uint left;    /* workers that have left the job */
	atomic_int abort;                 /* stop taking chunks */
	uint64_t base, n, chunk, nchunks;
	uint64_t first;                   /* index of chunk 0 among its round's (a retry's is
					   * the lost chunk's): the arena slot and the accounting */
	uint64_t fn, ctx, combine;
	uint32_t result_size;
	int per_task;                     /* results per task into the arena, else combine */
};

struct area {
	struct shm_job job;
	RESULT_ALIGN unsigned char arena[POOL_ARENA];
	struct slot slot[];
};

struct ptask {                        /* a task dealt through pipes */
	uint64_t id;
	int is_map;
	int retried;
	pool_task_fn *fn;
	void *ctx;
	size_t begin, end, result_size;
	pool_task_io_fn *fn_io;           /* with the span below: data through the pipe */
	struct pool_span span;
	pool_done_fn *done;
	pool_error_fn *error;
	void *user;
};

struct worker {
	pid_t pid;                        /* 0: no process */
	int pidfd, task_w, result_r;
	int quitting;                     /* sent MSG_QUIT (retirement or join) */
	unsigned dealt;                   /* tasks dealt to this process (pipe) */
	struct ptask inflight[POOL_INFLIGHT];
	unsigned n_inflight;
};

struct pool {
	struct pool_options o;
	unsigned nw;
	pid_t parent;
	struct area *shm;
	size_t shm_size;
	int evfd;                         /* last worker out of a shm job writes here */
	struct worker *w;
	struct pollfd *pfd;
	int closed, terminated, joining;
	uint64_t next_id;
	struct ptask *queue;              /* pending async tasks (FIFO) */
	size_t q_head, q_len, q_cap;
	size_t pending;                   /* async tasks queued or in flight */
	/* the pipe map in progress */
	const struct pool_map_args *map;
	size_t map_next, map_done, map_nchunks;
	struct ptask *retry;              /* map chunks to deal again after a death */
	size_t n_retry, cap_retry;
	struct pool_failure map_fail;
	int map_dead;                     /* a death failed the map: deal no more */
	struct pool_stats stats;
	/* pool_cancel() (another thread) signals workers through their pidfds, under this lock:
	 * a pid may be reaped and reused in between, a pidfd cannot */
	pthread_mutex_t cancel_mu;
	int cancel_fd[PIN_MAX_WORKERS];   /* worker i's pidfd, -1 when it has none */
};

/* pool.c */
/* Writes all of buf; -1 on error.  A reader that died gives EPIPE, never SIGPIPE. */
int pool_write_full(int fd, const void *buf, size_t len);
int pool_read_full(int fd, void *buf, size_t len); /* 1 read, 0 EOF, -1 error */
void pool_describe(struct pool_failure *f, const char *what);
void pool_close_fds(struct worker *w);
int pool_spawn(struct pool *p, unsigned i, int join);
void pool_reap(struct pool *p, unsigned i, struct pool_failure *f);
int pool_respawn_missing(struct pool *p);
/* Kills and reaps every worker. */
void pool_kill_all(struct pool *p);
/* Worker w has exited (its pidfd is readable) but is not reaped. */
int pool_exited(const struct worker *w);
/* Waits until every worker has prefaulted: 0, -ECHILD (one died), -ETIMEDOUT. */
int pool_wait_ready(struct pool *p);

/* pool_worker.c: the worker process's loop; never returns. seen: the last shm job
 * published before the fork. */
__attribute__((noreturn)) void pool_worker_main(struct pool *p, unsigned i, int task_r,
						int result_w, unsigned long seen);

/* pool_shm.c */
int pool_shm_map(struct pool *p, const struct pool_map_args *a, size_t chunk,
		 struct pool_failure *f);

/* pool_pipe.c: also the async tasks, for both transports */
int pool_pipe_map(struct pool *p, const struct pool_map_args *a, size_t chunk,
		  struct pool_failure *f);
int pool_pipe_step(struct pool *p, int timeout_ms);
void pool_deal_all(struct pool *p);
/* Puts t back first in line (a retry, or a task that could not be dealt). 0, or -ENOMEM:
 * the caller must then fail the task itself. */
int pool_push_front(struct pool *p, const struct ptask *t);
void pool_task_finished(struct pool *p, const struct ptask *t, const struct msg *m,
			const struct pool_failure *fail);

#endif
