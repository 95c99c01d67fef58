/*
 * pool.c - the process pool of pool.h: forking, the two transports, death and retirement.
 *
 * Shared memory (one anonymous MAP_SHARED area made before the first fork) holds the current
 * shm job, one slot per worker (what it is working on, its committed partial result, whether
 * it is blocked in read()), and an arena for per-task results.  Each worker has a task pipe
 * (parent -> worker: fixed 128-byte messages, below PIPE_BUF so every write is atomic) and a
 * result pipe (worker -> parent), and the parent holds a pidfd per worker.
 *
 * A committed partial is double-buffered (write the other buffer, then flip an index), so a
 * worker that dies mid-chunk never leaves a torn result: only its current chunk is lost.
 * Not here: anything kernel-specific, printing, signal handlers in the parent.
 */
#include "pool.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POOL_SPIN_NS    50000          /* idle worker: spin this long before blocking */
#define POOL_WAIT_SPIN  20000          /* parent: spin this long before poll() */
#define POOL_INFLIGHT   1              /* pipe transport: tasks dealt ahead per worker; more
					 * would commit a chunk to a busy worker and unbalance */
#define POOL_ARENA      (1u << 20)     /* shared bytes for per-task results of shm maps */
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
};
_Static_assert(sizeof(struct msg) <= 512, "a message must be written atomically");

struct slot {
	_Alignas(64) atomic_uint idle;    /* blocked (or about to block) in read() */
	atomic_ulong mail;                /* bumped by the parent after each message */
	atomic_ulong left_gen;            /* last shm job this worker left */
	atomic_uint state;                /* SLOT_COMMIT (valid partial buffer) | SLOT_BUSY */
	atomic_int retiring;              /* leaving because of max_tasks_per_worker */
	atomic_int cpu;
	atomic_uint tasks;                /* tasks done by the current process */
	atomic_ullong cur_begin, cur_end; /* the shm chunk being worked on */
	int error;                        /* first failing task of this job, 0 if none */
	uint64_t err_begin, err_end;
	RESULT_ALIGN unsigned char partial[2][POOL_RESULT_MAX];
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
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* 1 read, 0 EOF, -1 error */
static int read_full(int fd, void *buf, size_t len)
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
		if (j->per_task) {
			/* rewriting slot k on a retry is harmless */
			memcpy(p->shm->arena + k * j->result_size, r, j->result_size);
			atomic_store_explicit(&s->state, c, memory_order_release);
		} else {
			memcpy(s->partial[!c], s->partial[c], j->result_size);
			combine(s->partial[!c], r);
			atomic_store_explicit(&s->state, !c, memory_order_release); /* commit + idle */
		}
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

static void worker_pipe_task(struct pool *p, struct slot *s, int result_w, const struct msg *m)
{
	struct msg out = { .type = MSG_RESULT, .id = m->id, .begin = m->begin, .end = m->end,
			   .result_size = m->result_size };
	pool_task_fn *fn = (pool_task_fn *)(uintptr_t)m->fn;

	(void)p;
	out.status = fn((void *)(uintptr_t)m->ctx, (size_t)m->begin, (size_t)m->end, out.result);
	out.cpu = pin_current_cpu();
	atomic_fetch_add(&s->tasks, 1);
	if (write_full(result_w, &out, sizeof(out)) != 0)
		_exit(3);
}

static void worker_message(struct pool *p, struct slot *s, int result_w, const struct msg *m)
{
	if (m->type == MSG_QUIT)
		_exit(0);
	if (m->type == MSG_TASK)
		worker_pipe_task(p, s, result_w, m);
	/* MSG_WAKE: only ends a blocking read */
}

/*
 * The parent writes a message, then bumps slot->mail; the worker counts the messages it has
 * consumed.  So a message can be in the pipe before mail says so, never the other way
 * round: the worker reads without blocking only while mail > consumed.
 */
__attribute__((noreturn)) static void worker_main(struct pool *p, unsigned i, int task_r,
						  int result_w, unsigned long seen)
{
	struct slot *s = &p->shm->slot[i];
	struct shm_job *j = &p->shm->job;
	unsigned long consumed = 0;
	struct msg m;

	for (;;) {
		uint64_t t0 = now_ns();

		/* hot: spin on shared memory for the next job or message */
		while (atomic_load_explicit(&j->gen, memory_order_acquire) == seen &&
		       atomic_load_explicit(&s->mail, memory_order_acquire) <= consumed &&
		       now_ns() - t0 < POOL_SPIN_NS)
			cpu_relax();
		if (atomic_load(&j->gen) == seen && atomic_load(&s->mail) <= consumed) {
			/* cold: announce the sleep, re-check (the parent reads idle after
			 * publishing a job), then block in read() */
			atomic_store(&s->idle, 1);
			if (atomic_load(&j->gen) == seen && atomic_load(&s->mail) <= consumed) {
				if (read_full(task_r, &m, sizeof(m)) <= 0)
					_exit(0); /* the parent is gone */
				atomic_store(&s->idle, 0);
				consumed++;
				worker_message(p, s, result_w, &m);
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
			if (read_full(task_r, &m, sizeof(m)) <= 0)
				_exit(0);
			consumed++;
			worker_message(p, s, result_w, &m);
		}
	}
}

/* ---- the parent: processes ------------------------------------------------------------ */

static void describe(struct pool_failure *f, const char *what)
{
	char how[64];

	if (f->signal)
		snprintf(how, sizeof(how), "killed by signal %d (%s)", f->signal,
			 strsignal(f->signal));
	else
		snprintf(how, sizeof(how), "exited with status %d", f->exit_status);
	snprintf(f->message, sizeof(f->message), "fork-pool worker %u (pid %d) %s %s items [%zu, %zu)",
		 f->worker, (int)f->pid, how, what, f->begin, f->end);
}

static void worker_close_fds(struct worker *w)
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
static int spawn(struct pool *p, unsigned i, int join)
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
	atomic_store(&s->idle, 0);
	atomic_store(&s->mail, 0);
	atomic_store(&s->state, atomic_load(&s->state) & SLOT_COMMIT);
	atomic_store(&s->retiring, 0);
	atomic_store(&s->tasks, 0);
	atomic_store(&s->cpu, -1);
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
				worker_close_fds(&p->w[k]);
		close(tp[1]);
		close(rp[0]);
		if (p->o.topo && p->o.plan)
			pin_bind_self(p->o.topo, p->o.plan->pu[i]);
		worker_main(p, i, tp[0], rp[1], gen);
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
		worker_close_fds(w);
		return -e;
	}
	p->stats.pid[i] = pid;
	return 0;
}

/* Reaps worker i, which has exited; fills signal/exit status. */
static void reap(struct pool *p, unsigned i, struct pool_failure *f)
{
	struct worker *w = &p->w[i];
	int status = 0;

	memset(f, 0, sizeof(*f));
	f->worker = i;
	f->pid = w->pid;
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		f->signal = WTERMSIG(status);
	else if (WIFEXITED(status))
		f->exit_status = WEXITSTATUS(status);
	w->pid = 0;
	worker_close_fds(w);
}

static void kill_all(struct pool *p)
{
	for (unsigned i = 0; i < p->nw; i++)
		if (p->w[i].pid > 0)
			kill(p->w[i].pid, SIGKILL);
	for (unsigned i = 0; i < p->nw; i++)
		if (p->w[i].pid > 0) {
			struct pool_failure f;

			reap(p, i, &f);
		}
}

static int exited(const struct worker *w)
{
	struct pollfd q = { .fd = w->pidfd, .events = POLLIN };

	return w->pid > 0 && poll(&q, 1, 0) == 1;
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
		rc = spawn(p, i, 0);
		if (rc) {
			snprintf(err, err_len, "fork-pool: cannot start worker %u of %u: %s", i, p->nw,
				 strerror(-rc));
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
static int respawn_missing(struct pool *p)
{
	for (unsigned i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];
		int rc;

		if (w->pid > 0 && exited(w)) {
			struct pool_failure f;

			reap(p, i, &f);
			if (!atomic_load(&p->shm->slot[i].retiring) && !w->quitting)
				p->stats.deaths++;
		}
		if (w->pid == 0) {
			rc = spawn(p, i, 0);
			if (rc)
				return rc;
			p->stats.respawns++;
		}
	}
	return 0;
}

/* ---- the shm transport ----------------------------------------------------------------- */

/* Runs chunks [base, base + n) on every worker; partials accumulate in the slots. */
static int shm_job(struct pool *p, const struct pool_map_args *a, uint64_t base, uint64_t n,
		   uint64_t chunk, int recovery, struct pool_failure *f)
{
	struct shm_job *j = &p->shm->job;
	unsigned participants = 0;
	unsigned long gen;
	int lost = 0, rc;
	struct pool_failure death = { 0 };

	rc = respawn_missing(p);
	if (rc)
		return rc;
	j->base = base;
	j->n = n;
	j->chunk = chunk;
	j->nchunks = (n + chunk - 1) / chunk;
	j->fn = (uint64_t)(uintptr_t)a->fn;
	j->ctx = (uint64_t)(uintptr_t)a->ctx;
	j->combine = (uint64_t)(uintptr_t)a->combine;
	j->result_size = (uint32_t)a->result_size;
	j->per_task = a->combine == NULL;
	atomic_store(&j->next, 0);
	atomic_store(&j->left, 0);
	atomic_store(&j->abort, 0);
	for (unsigned i = 0; i < p->nw; i++) {
		struct slot *s = &p->shm->slot[i];

		if (!recovery) {
			memset(s->partial, 0, sizeof(s->partial));
			atomic_store(&s->state, 0);
			s->error = 0;
		}
		participants++;
	}
	gen = atomic_fetch_add(&j->gen, 1) + 1; /* publish */
	for (unsigned i = 0; i < p->nw; i++) {
		struct msg wake = { .type = MSG_WAKE };

		if (atomic_load(&p->shm->slot[i].idle) && write_full(p->w[i].task_w, &wake,
								       sizeof(wake)) == 0)
			atomic_fetch_add(&p->shm->slot[i].mail, 1);
	}

	/* Done when every participant has left and every chunk was taken (or the job was
	 * aborted): workers retiring under max_tasks_per_worker may all leave with chunks still
	 * to run, and are then replaced inside this loop. */
	uint64_t t0 = now_ns();
	while (atomic_load_explicit(&j->left, memory_order_acquire) < participants ||
	       (atomic_load(&j->next) < j->nchunks && !atomic_load(&j->abort))) {
		if (now_ns() - t0 < POOL_WAIT_SPIN) {
			cpu_relax();
			continue;
		}
		p->pfd[0] = (struct pollfd){ .fd = p->evfd, .events = POLLIN };
		for (unsigned i = 0; i < p->nw; i++)
			p->pfd[1 + i] = (struct pollfd){ .fd = p->w[i].pid > 0 ? p->w[i].pidfd : -1,
							 .events = POLLIN };
		if (poll(p->pfd, 1 + p->nw, -1) < 0 && errno != EINTR)
			return -errno;
		if (p->pfd[0].revents & POLLIN) {
			uint64_t v;

			if (read(p->evfd, &v, sizeof(v)) < 0)
				(void)0;
		}
		for (unsigned i = 0; i < p->nw; i++) {
			struct slot *s = &p->shm->slot[i];
			struct pool_failure d;

			if (!(p->pfd[1 + i].revents & POLLIN))
				continue;
			int busy = !!(atomic_load_explicit(&s->state, memory_order_acquire) & SLOT_BUSY);
			int had_left = atomic_load(&s->left_gen) == gen;

			reap(p, i, &d);
			if (!atomic_load(&s->retiring))
				p->stats.deaths++;
			if (!had_left)
				participants--;
			if (!busy) {
				/* retired (max_tasks_per_worker) or died between chunks: nothing
				 * was lost, and a fresh worker takes its place in this job */
				rc = spawn(p, i, 1);
				if (rc)
					return rc;
				p->stats.respawns++;
				participants++;
				continue;
			}
			d.begin = (size_t)atomic_load(&s->cur_begin);
			d.end = (size_t)atomic_load(&s->cur_end);
			d.kind = POOL_WORKER_DIED;
			describe(&d, "while running");
			if (!lost) {
				death = d;
				lost = 1;
			} else {
				lost++; /* more than one task lost: no retry */
			}
			if (!p->o.retry || recovery || lost > 1)
				atomic_store(&j->abort, 1);
		}
	}
	if (lost && p->o.retry && !recovery && lost == 1) {
		/* run the lost chunk again, once, on a fresh worker; partials carry on */
		rc = shm_job(p, a, death.begin, death.end - death.begin, death.end - death.begin, 1, f);
		if (rc == -ECHILD)
			return rc;
		lost = 0;
	}
	if (lost) {
		*f = death;
		return -ECHILD;
	}
	if (atomic_load(&j->next) < j->nchunks) {
		snprintf(f->message, sizeof(f->message), "fork-pool: job ended with chunks not run");
		return -EIO; /* never a silently short result */
	}
	return 0;
}

static int shm_map(struct pool *p, const struct pool_map_args *a, size_t chunk,
		   struct pool_failure *f)
{
	size_t per_round = a->combine ? (size_t)-1 : POOL_ARENA / a->result_size;
	size_t nchunks = (a->n + chunk - 1) / chunk;
	unsigned char *acc = a->results;
	int rc = 0;

	if (a->combine)
		memset(a->results, 0, a->result_size);
	for (size_t done = 0; done < nchunks || (nchunks == 0 && done == 0);) {
		size_t k = nchunks - done < per_round ? nchunks - done : per_round;
		uint64_t base = (uint64_t)done * chunk;
		uint64_t n = a->n - base < (uint64_t)k * chunk ? a->n - base : (uint64_t)k * chunk;

		if (nchunks == 0)
			break;
		rc = shm_job(p, a, base, n, chunk, 0, f);
		if (rc)
			return rc;
		for (unsigned i = 0; i < p->nw; i++) {
			struct slot *s = &p->shm->slot[i];

			if (s->error && (!f->kind || s->err_begin < f->begin)) {
				f->kind = POOL_TASK_FAILED;
				f->worker = i;
				f->pid = p->w[i].pid;
				f->task_status = s->error;
				f->begin = (size_t)s->err_begin;
				f->end = (size_t)s->err_end;
			}
			if (a->combine)
				a->combine(acc, s->partial[atomic_load(&s->state) & SLOT_COMMIT]);
		}
		if (!a->combine)
			memcpy(acc + done * a->result_size, p->shm->arena, k * a->result_size);
		p->stats.tasks += k;
		done += k;
	}
	if (f->kind == POOL_TASK_FAILED) {
		snprintf(f->message, sizeof(f->message),
			 "fork-pool task on items [%zu, %zu) failed with status %d (worker %u)",
			 f->begin, f->end, f->task_status, f->worker);
		return -ECANCELED;
	}
	return 0;
}

/* ---- the pipe transport and async tasks ------------------------------------------------ */

static int deal(struct pool *p, unsigned i, const struct ptask *t)
{
	struct worker *w = &p->w[i];
	struct msg m = { .type = MSG_TASK, .id = t->id, .begin = t->begin, .end = t->end,
			 .fn = (uint64_t)(uintptr_t)t->fn, .ctx = (uint64_t)(uintptr_t)t->ctx,
			 .result_size = (uint32_t)t->result_size };

	if (write_full(w->task_w, &m, sizeof(m)) != 0)
		return -1;
	atomic_fetch_add_explicit(&p->shm->slot[i].mail, 1, memory_order_release);
	w->inflight[w->n_inflight++] = *t;
	w->dealt++;
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
		p->map_next++;
		return 1;
	}
	return 0;
}

static void push_front(struct pool *p, const struct ptask *t)
{
	if (t->is_map) {
		if (p->n_retry == p->cap_retry) {
			size_t cap = p->cap_retry ? 2 * p->cap_retry : 8;
			struct ptask *r = realloc(p->retry, cap * sizeof(*r));

			if (!r)
				return;
			p->retry = r;
			p->cap_retry = cap;
		}
		p->retry[p->n_retry++] = *t;
	} else {
		p->q_head = (p->q_head + p->q_cap - 1) % p->q_cap;
		p->queue[p->q_head] = *t;
		p->q_len++;
	}
}

static void deal_all(struct pool *p)
{
	for (unsigned i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];
		struct ptask t;

		while (w->pid > 0 && !w->quitting && w->n_inflight < POOL_INFLIGHT &&
		       !(p->o.max_tasks_per_worker && w->dealt >= p->o.max_tasks_per_worker) &&
		       next_task(p, &t)) {
			if (deal(p, i, &t) != 0) {
				push_front(p, &t);
				break;
			}
		}
		if (w->pid > 0 && !w->quitting && w->n_inflight == 0 && p->o.max_tasks_per_worker &&
		    w->dealt >= p->o.max_tasks_per_worker) {
			struct msg quit = { .type = MSG_QUIT };

			if (write_full(w->task_w, &quit, sizeof(quit)) == 0)
				atomic_fetch_add(&p->shm->slot[i].mail, 1);
			w->quitting = 1;
		}
	}
}

static void task_finished(struct pool *p, const struct ptask *t, const struct msg *m,
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

	if (read_full(w->result_r, &m, sizeof(m)) != 1 || w->n_inflight == 0)
		return; /* EOF: the pidfd reports the death */
	t = w->inflight[0];
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
		task_finished(p, &t, &m, &f);
	} else {
		task_finished(p, &t, &m, NULL);
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
	reap(p, i, &f);
	w->quitting = 0; /* replaced by pipe_step unless the pool is joining */
	if (quitting && n == 0)
		return; /* retired or joined */
	if (n)
		p->stats.deaths++;
	for (unsigned k = 0; k < n; k++) {
		f.kind = POOL_WORKER_DIED;
		f.begin = lost[k].begin;
		f.end = lost[k].end;
		describe(&f, k == 0 ? "while running" : "holding");
		if (p->o.retry && !lost[k].retried && !p->terminated) {
			lost[k].retried = 1;
			push_front(p, &lost[k]);
			continue;
		}
		if (lost[k].is_map)
			p->map_dead = 1;
		task_finished(p, &lost[k], NULL, &f);
	}
}

/* One round of waiting: results, deaths, respawns, dealing. */
static int pipe_step(struct pool *p, int timeout_ms)
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
				int rc = spawn(p, i, 0);

				if (rc)
					return rc;
				p->stats.respawns++;
			}
		}
		deal_all(p);
	}
	return n;
}

static int pipe_map(struct pool *p, const struct pool_map_args *a, size_t chunk,
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
	deal_all(p);
	while (p->map_done < p->map_nchunks) {
		int outstanding = 0;

		for (unsigned i = 0; i < p->nw; i++)
			for (unsigned k = 0; k < p->w[i].n_inflight; k++)
				outstanding += p->w[i].inflight[k].is_map;
		if (p->map_dead && outstanding == 0 && p->n_retry == 0)
			break; /* a death failed the map and the others have finished */
		rc = pipe_step(p, -1);
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
		return pipe_map(p, a, chunk, f);
	return shm_map(p, a, chunk, f);
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
	deal_all(p);
	return 0;
}

int pool_wait(struct pool *p, int timeout_ms)
{
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000u;

	deal_all(p);
	while (p->pending && !p->terminated) {
		uint64_t t = now_ns();
		int left = timeout_ms < 0 ? -1 : t >= end ? 0 : (int)((end - t) / 1000000u) + 1;

		if (pipe_step(p, left) < 0 || (timeout_ms >= 0 && now_ns() >= end))
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

		if (w->pid > 0 && write_full(w->task_w, &quit, sizeof(quit)) == 0)
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
			reap(p, i, &f);
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

		for (unsigned k = 0; k < w->n_inflight; k++)
			push_front(p, &w->inflight[k]);
		w->n_inflight = 0;
	}
	while (p->q_len) {
		struct ptask t = p->queue[p->q_head];
		struct pool_failure f = { .kind = POOL_TERMINATED, .begin = t.begin, .end = t.end };

		p->q_head = (p->q_head + 1) % p->q_cap;
		p->q_len--;
		snprintf(f.message, sizeof(f.message), "fork-pool terminated before task %llu ran",
			 (unsigned long long)t.id);
		task_finished(p, &t, NULL, &f);
	}
	p->n_retry = 0;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	if (p->w) {
		kill_all(p);
		for (unsigned i = 0; i < p->nw; i++)
			worker_close_fds(&p->w[i]);
	}
	if (p->evfd >= 0)
		close(p->evfd);
	if (p->shm)
		munmap(p->shm, p->shm_size);
	free(p->queue);
	free(p->retry);
	free(p->pfd);
	free(p->w);
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
