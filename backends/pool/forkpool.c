/*
 * forkpool.c - the process pool (pool.c) as a backend, exported twice: "fork-pool" hands out
 * ranges and partials through shared memory (zero copy); "fork-pool-pipe" sends every chunk
 * and its result through pipes, the cost model of Python's multiprocessing.Pool.
 *
 * Chunks follow Python's Pool.map rule, ceil(n / (4 x workers)), unless --chunk is given.
 * The job's callbacks and context pointer travel on a small shared page made before the
 * fork, so a struct work built after start() still reaches the workers.  Jobs with spans
 * (image rows) have their input and output bytes copied through the pipes by
 * "fork-pool-pipe"; "fork-pool" workers read the inputs as forked and write the shared
 * outputs in place.
 */
#include "backend.h"
#include "pool.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

struct fp_job {               /* on a MAP_SHARED page: written by the parent per run */
	work_range_fn *range;
	work_span_fn *span;
	work_range_io_fn *range_io;
	void *ctx;
};

#define FP_MAX_PREFAULT 4096

struct fp_state {
	struct pool *pool;
	struct pool_region regions[FP_MAX_PREFAULT];
	struct fp_job *job;
	struct backend_config cfg;
};

/* Runs in a worker. */
static int fp_task(void *arg, size_t begin, size_t end, void *result)
{
	const struct fp_job *j = arg;

	j->range(j->ctx, begin, end, result);
	return 0;
}

/* Runs in a worker, on the copies the pipe brought. */
static int fp_task_io(void *arg, size_t begin, size_t end, const void *in, void *out,
		      void *result)
{
	const struct fp_job *j = arg;

	j->range_io(j->ctx, begin, end, in, out, result);
	return 0;
}

/* Runs in the parent, as a task is dealt. */
static void fp_span(void *arg, size_t begin, size_t end, struct pool_span *ps)
{
	const struct fp_job *j = arg;
	struct work_span ws;

	j->span(j->ctx, begin, end, &ws);
	*ps = (struct pool_span){ ws.in, ws.in_len, ws.out, ws.out_len };
}

static int fp_start(void *state, const struct backend_config *cfg, enum pool_transport tr)
{
	struct fp_state *s = state;
	struct pool_options o = { .workers = cfg->workers, .transport = tr,
				  .max_tasks_per_worker = cfg->max_tasks, .retry = cfg->retry,
				  .test_drop_copyback = cfg->test_drop_copyback,
				  .topo = cfg->topo, .plan = cfg->plan };
	int rc;

	s->cfg = *cfg;
	for (size_t k = 0; k < cfg->n_prefault && k < FP_MAX_PREFAULT; k++)
		s->regions[k] = (struct pool_region){ cfg->prefault[k].p, cfg->prefault[k].len };
	o.prefault = s->regions;
	o.n_prefault = cfg->n_prefault < FP_MAX_PREFAULT ? cfg->n_prefault : FP_MAX_PREFAULT;
	s->job = mmap(NULL, sizeof(*s->job), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (s->job == MAP_FAILED) {
		s->job = NULL;
		return -ENOMEM;
	}
	rc = pool_start(&s->pool, &o, cfg->err, cfg->err_len);
	if (rc) {
		munmap(s->job, sizeof(*s->job));
		s->job = NULL;
	}
	return rc;
}

static int fp_start_shm(void *state, const struct backend_config *cfg)
{
	return fp_start(state, cfg, POOL_SHM);
}

static int fp_start_pipe(void *state, const struct backend_config *cfg)
{
	return fp_start(state, cfg, POOL_PIPE);
}

static int fp_run(void *state, const struct work *w)
{
	struct fp_state *s = state;
	struct pool_failure f;
	struct pool_map_args a = { .fn = fp_task, .ctx = s->job, .n = w->n, .chunk = s->cfg.chunk,
				   .result_size = w->partial_size, .combine = w->combine,
				   .results = w->result };
	int rc;

	if (w->span && w->range_io) {
		a.span = fp_span;
		a.fn_io = fp_task_io;
	}
	s->job->range = w->range;
	s->job->span = w->span;
	s->job->range_io = w->range_io;
	s->job->ctx = w->ctx;
	rc = pool_map(s->pool, &a, &f);
	if (rc)
		backend_set_error(&s->cfg, "%s", f.message[0] ? f.message : strerror(-rc));
	return rc;
}

static int fp_traffic(void *state, const struct work *w, struct backend_traffic *t)
{
	return pipe_traffic(w, &((struct fp_state *)state)->cfg, t);
}

static void fp_stop(void *state)
{
	struct fp_state *s = state;

	pool_free(s->pool);
	s->pool = NULL;
	if (s->job)
		munmap(s->job, sizeof(*s->job));
	s->job = NULL;
}

/* From the sweep's watchdog thread: kill the workers of a hung run. */
static void fp_cancel(void *state)
{
	struct fp_state *s = state;

	if (s->pool)
		pool_cancel(s->pool);
}

static void fp_stats(const void *state, struct backend_stats *out)
{
	const struct fp_state *s = state;
	struct pool_stats ps;

	if (!s->pool)
		return;
	pool_get_stats(s->pool, &ps);
	out->n_cpu = pool_workers(s->pool);
	for (unsigned i = 0; i < out->n_cpu; i++)
		out->cpu[i] = ps.cpu[i];
	out->respawns = ps.respawns;
	out->deaths = ps.deaths;
}

const struct backend backend_fork_pool = {
	.name = "fork-pool",
	.summary = "pre-forked processes, chunks and results through shared memory (zero copy)",
	.caps = BACKEND_CAP_PROCESSES | BACKEND_CAP_PARALLEL | BACKEND_CAP_TRANSPORT,
	.state_size = sizeof(struct fp_state),
	.start = fp_start_shm,
	.run = fp_run,
	.stop = fp_stop,
	.cancel = fp_cancel,
	.stats = fp_stats,
};

const struct backend backend_fork_pool_pipe = {
	.name = "fork-pool-pipe",
	.summary = "pre-forked processes, every chunk and result through pipes (Python's Pool cost)",
	.caps = BACKEND_CAP_PROCESSES | BACKEND_CAP_PARALLEL | BACKEND_CAP_TRANSPORT,
	.state_size = sizeof(struct fp_state),
	.start = fp_start_pipe,
	.run = fp_run,
	.stop = fp_stop,
	.cancel = fp_cancel,
	.stats = fp_stats,
	.traffic = fp_traffic,
};
