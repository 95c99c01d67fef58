/*
 * backend.h - the interface every parbench backend implements, and the backend registry.
 *
 * A backend is the parallelism only: it starts (and pins) workers, deals out ranges of work
 * items, and combines the workers' partial results.  It knows nothing of kernels: a job comes
 * as a struct work of opaque callbacks.  Backends never print, exit or abort; failures come
 * back as a negative errno with a one-line description in the config's error buffer.
 * start/stop are outside the timed region; run is what is timed, barrier to barrier.
 *
 * Process backends (BACKEND_CAP_PROCESSES) fork their workers in start(): a job's ctx and
 * everything it points to must exist before start() and stay unchanged, since workers see
 * the parent's memory as it was at the fork; results come back only through partials.
 */
#ifndef PB_BACKEND_H
#define PB_BACKEND_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "pin.h"

#define BACKEND_MAX_WORKERS 1024 /* sane limit for --workers */
#define WORK_PARTIAL_MAX    64   /* bytes of one partial result */

enum backend_cap {
	BACKEND_CAP_THREADS = 1 << 0,        /* workers are threads of this process */
	BACKEND_CAP_PROCESSES = 1 << 1,      /* workers are processes */
	BACKEND_CAP_PARALLEL = 1 << 2,       /* takes a worker count (serial does not) */
	BACKEND_CAP_SCHEDULE = 1 << 3,       /* honours --schedule and --chunk */
	BACKEND_CAP_GIL = 1 << 4,            /* simulates CPython's GIL */
	BACKEND_CAP_NEEDS_LAUNCHER = 1 << 5, /* must be started by a launcher (mpirun) */
	BACKEND_CAP_BASELINE = 1 << 6,       /* the baseline every speedup is measured against */
	BACKEND_CAP_TRANSPORT = 1 << 7,      /* one of the fork pool's transports (--transport) */
	BACKEND_CAP_PYTHON = 1 << 8,         /* runs the job's Python twin in real CPython; its
					      * rows have their own size and baseline (the
					      * one without BACKEND_CAP_PARALLEL) */
	BACKEND_CAP_GIL_BOUND = 1 << 9,      /* a GIL lets one worker at a time compute (blocking
					      * calls release it): the scaling model's compute
					      * does not divide over its workers (CPython rows:
					      * unless their interpreter ran without one) */
	BACKEND_CAP_FREE_THREADED = 1 << 10, /* CPython in a free-threaded interpreter: its
					      * rows' baseline is the one of that interpreter
					      * (cpython-ft), not cpython's */
	BACKEND_CAP_STATIC_SHARE = 1 << 11,  /* worker i runs the static share work_share(n, i,
					      * workers) of every job, unless it honours
					      * --schedule and runs another schedule or
					      * --chunk: the pages of those items go to
					      * worker i's NUMA node (bench/sweep/place.c) */
};

/* Where a simulated GIL is checked while running a range (mirrors the kernel's py_model). */
enum work_model {
	WORK_LOOP,     /* a check point every model_block items */
	WORK_C_CALL,   /* each item holds the GIL throughout; check point between items */
	WORK_BLOCKING, /* each item releases the GIL while it runs */
};

enum backend_schedule {
	SCHED_DEFAULT = 0, /* the backend's own default (static for threads and OpenMP) */
	SCHED_STATIC,      /* contiguous, equal shares (or round-robin chunks if --chunk) */
	SCHED_DYNAMIC,     /* workers pull chunks from a shared counter */
	SCHED_GUIDED,      /* dynamic with chunks shrinking to --chunk */
};

/* Processes items [begin, end) and adds the result into *partial. Must be thread-safe. */
typedef void work_range_fn(void *ctx, size_t begin, size_t end, void *partial);
/* *acc += *partial, exactly; the all-zero partial is the identity. */
typedef void work_combine_fn(void *acc, const void *partial);

/* The bytes a range reads and writes, at the parent's addresses (see struct work). */
struct work_span {
	const void *in;
	size_t in_len;
	void *out;
	size_t out_len;
};
typedef void work_span_fn(void *ctx, size_t begin, size_t end, struct work_span *s);
/* range() on copies: in holds the span's input bytes, out receives its output bytes. */
typedef void work_range_io_fn(void *ctx, size_t begin, size_t end, const void *in, void *out,
			      void *partial);

struct work {
	size_t n;                 /* items, [0, n) */
	size_t grain;             /* natural task size in items (dynamic default chunk), 0 = none */
	void *ctx;                /* passed to range */
	work_range_fn *range;
	size_t partial_size;      /* bytes, at most WORK_PARTIAL_MAX */
	work_combine_fn *combine;
	enum work_model model;    /* for backends with BACKEND_CAP_GIL */
	size_t model_block;       /* items per check point for WORK_LOOP */
	void *result;             /* out: partial_size bytes, overwritten with the combined total */
	/*
	 * Optional (both or neither): jobs whose ranges read and write buffers.  Backends whose
	 * workers share the parent's memory ignore them (outputs are MAP_SHARED); backends that
	 * share nothing (pipes, MPI) must send each range its span's input bytes, run range_io
	 * on the copies, and bring the output bytes back: that transfer is part of the run.
	 */
	work_span_fn *span;
	work_range_io_fn *range_io;
	/*
	 * Optional, for backends that run real CPython (BACKEND_CAP_PYTHON): the job's twin in
	 * kernels/python/twins.py (job(twin, the input bytes of span [0, n)) processes the same
	 * items), and the partial of items [begin, end) from what the twin returned for them:
	 * its exact sum in decimal and its item count, with their output bytes already put at
	 * the span's out.  0, or -EINVAL for a sum that is not a number.
	 */
	const char *twin;
	int (*twin_partial)(void *ctx, size_t begin, size_t end, const char *sum, uint64_t count,
			    void *partial);
};

/* Memory the workers will write (outputs), made before start. */
struct work_region {
	void *p;
	size_t len;
};

struct backend_config {
	unsigned workers;                 /* >= 1; serial ignores it */
	enum backend_schedule schedule;
	size_t chunk;                     /* items per chunk, 0 = backend default */
	unsigned switch_interval_us;      /* pthreads-gil, 0 = 5000 as in CPython */
	unsigned max_tasks;               /* process pools: replace a worker after N tasks, 0 never */
	int retry;                        /* process pools: re-run a dead worker's task once */
	const struct pin_topo *topo;      /* NULL: no pinning */
	const struct pin_plan *plan;      /* worker i binds to plan->pu[i] (if >= 0) */
	/* Process backends map these pages into every worker at start (outside timing), so that
	 * a fresh worker's first writes do not pay page faults inside a timed run: a process
	 * maps a MAP_SHARED page on its own first touch, threads share one mapping. */
	const struct work_region *prefault;
	size_t n_prefault;
	int no_scatter;                   /* MPI: ranks use the input they set up themselves */
	int test_drop_copyback;           /* test hook: fork-pool-pipe drops one chunk's output */
	/* CPython backends: the job run() will get (the interpreter's workers are made ready
	 * for it at start, outside the timed region), the interpreter (NULL: python3), the
	 * start method of the process pools (fork, spawn, forkserver; NULL: Python's default),
	 * and a test hook: "kill", "raise" or "hang" in a worker's first task, "hang-start"
	 * in the interpreter before it is ready. */
	const struct work *job;
	const char *python;
	const char *py_start;
	const char *test_py_fault;
	/* Backends that wait on another program at start (CPython): start gives up after
	 * start_timeout_s (0: the backend's own limit), or once *stop is non-zero (a signal
	 * handler sets it; NULL: never) with -EINTR, and leaves nothing running. */
	double start_timeout_s;
	const atomic_int *stop;
	char *err;                        /* out: one-line description of a failure */
	size_t err_len;
};

/*
 * What a run moves between workers that share no memory, and what that costs on the links it
 * crosses, for the scaling model (bench/report/model.c): the model's time of a run is
 * compute / CPUs + serial + link_s.
 */
struct backend_traffic {
	uint64_t bytes;     /* per run, over links (MPI: between rank 0 and the other ranks) */
	uint64_t volume;    /* the job's bytes in and out, every share (the most that could move) */
	uint64_t messages;  /* one-way latencies on a run's critical path */
	double link_s;      /* measured: the bytes at the links' bandwidths and the latencies,
			     * by the backend's rules of what overlaps */
	double latency_s;   /* measured one-way latency, the slowest peer (0: none measured) */
	double bytes_per_s; /* measured bandwidth, the slowest peer (0: none measured) */
};

/* What a backend can tell about its last run (all optional; zero if unknown). */
struct backend_stats {
	int cpu[BACKEND_MAX_WORKERS]; /* CPU each worker last ran on, -1 unknown */
	unsigned n_cpu;               /* entries filled in cpu */
	unsigned bind_failures;       /* workers whose binding failed at start */
	uint64_t gil_switches;        /* pthreads-gil: holder changes since start */
	uint64_t gil_forced_drops;    /* pthreads-gil: drops on request since start */
	char placement[2048];         /* MPI: "rank@host:cpu ..." of every rank */
	unsigned respawns;            /* process pools: workers replaced since start */
	unsigned deaths;              /* process pools: workers that died holding a task */
	unsigned phys_cpus;           /* MPI: distinct physical CPUs of the ranks (machines told
				       * apart by boot id: simulated hosts on one machine share) */
	int gil;                      /* CPython: 1 its interpreter ran with a GIL, -1 without
				       * (sys._is_gil_enabled() once its workers were ready;
				       * absent: a GIL), 0 not known or not CPython */
};

struct backend {
	const char *name;    /* CLI/JSON key */
	const char *summary; /* one line for `parbench list` */
	unsigned caps;       /* enum backend_cap */
	size_t state_size;   /* private state, allocated zeroed by backend_instance_start() */
	/* Starts workers (outside timing). 0 or -errno; on error nothing is left running. */
	int (*start)(void *state, const struct backend_config *cfg);
	/* Runs one job to completion, all workers barrier to barrier. 0 or -errno. */
	int (*run)(void *state, const struct work *w);
	void (*stop)(void *state);                                   /* optional */
	/* Optional, called from another thread while run() hangs: make run() return an error
	 * soon (process backends kill their workers). Threads cannot be stopped: no hook. */
	void (*cancel)(void *state);
	void (*stats)(const void *state, struct backend_stats *out); /* optional */
	/*
	 * Collective backends (MPI: every process runs the same program and sweep) have agree
	 * and leader.  agree: every process passes its verdict, all get 1 only if all passed 1;
	 * leader: non-zero on the one process that verifies and reports (rank 0).
	 * elapsed, optional: the last run's time as the workers measured it, barrier to barrier
	 * (MPI: on the slowest process, all processes get the same; CPython: in the
	 * interpreter, without the pipe to parbench); without it the caller's clock counts.
	 */
	int (*agree)(void *state, int ok);
	double (*elapsed)(const void *state);
	int (*leader)(const void *state);
	/*
	 * Optional, for the scaling model.  traffic: after start, outside timing (collective
	 * backends: on every process), what a run of w moves, with its links measured (once per
	 * process and message size).  link_at: the link time of a run by the same rules, with
	 * `workers` workers spread evenly over `hosts` hosts joined by links of bytes_per_s and
	 * latency_s, of a job whose shares in and out total `volume` bytes, counting only what
	 * crosses between hosts (bytes, messages: the latencies counted), for projections.
	 */
	int (*traffic)(void *state, const struct work *w, struct backend_traffic *t);
	double (*link_at)(unsigned workers, unsigned hosts, uint64_t volume, double bytes_per_s,
			  double latency_s, uint64_t *bytes, uint64_t *messages);
	/* Optional: 0 if this machine can run the backend with this interpreter (CPython
	 * backends: python, NULL = python3), else -ENOTSUP and why, in one line. */
	int (*available)(const char *python, char *why, size_t len);
};

struct backend_instance {
	const struct backend *b;
	void *state;               /* owned */
	struct backend_config cfg; /* copy; cfg.err points at err */
	char err[256];
};

/* The registry: NULL-terminated, in display order; optional backends only when built. */
const struct backend *const *backend_all(void);
const struct backend *backend_find(const char *name);
/* The backend with BACKEND_CAP_BASELINE (serial). */
const struct backend *backend_baseline(void);
/* The baseline of b's speedups, run in the same interpreter: serial for the C backends;
 * cpython for the CPython backends; cpython-ft for the free-threaded ones
 * (BACKEND_CAP_FREE_THREADED).  NULL for none. */
const struct backend *backend_baseline_of(const struct backend *b);
void backend_names(char *buf, size_t len);
/* The interpreter of the CPython backends: python, or by default the system's python3. */
const char *backend_python(const char *python);
/* 0 if b can run here (see backend.available), else -ENOTSUP with why filled in. */
int backend_available(const struct backend *b, const char *python, char *why, size_t len);

/* Allocates state and starts the backend. 0 or -errno (then bi->err says why). */
int backend_instance_start(struct backend_instance *bi, const struct backend *b,
			   const struct backend_config *cfg);
int backend_instance_run(struct backend_instance *bi, const struct work *w);
void backend_instance_stats(const struct backend_instance *bi, struct backend_stats *out);
/* The backend's traffic hook, or all zero (workers that share memory move nothing). */
int backend_instance_traffic(struct backend_instance *bi, const struct work *w,
			     struct backend_traffic *t);
/* Asks a hung run to fail (from another thread). 0, or -ENOTSUP if the backend cannot. */
int backend_instance_cancel(struct backend_instance *bi);
/* Collective backends (else: ok itself, local_s, 1). */
int backend_instance_agree(struct backend_instance *bi, int ok);
double backend_instance_elapsed(const struct backend_instance *bi, double local_s);
int backend_instance_leader(const struct backend_instance *bi);
/* Stops and frees; safe on a zeroed or already stopped instance. */
void backend_instance_stop(struct backend_instance *bi);

/* Helpers shared by backends: the static share of worker i of nw, the default chunk (the
 * configured one, the job's grain, else pool_default_chunk's rule). */
void work_share(size_t n, unsigned i, unsigned nw, size_t *begin, size_t *end);
size_t work_default_chunk(const struct work *w, const struct backend_config *cfg);
void backend_set_error(const struct backend_config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
