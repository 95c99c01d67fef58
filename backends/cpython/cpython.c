/*
 * cpython.c - real CPython as backends: the job's Python twin (kernels/python/twins.py) run
 * by an interpreter that parbench starts, the ways the tutorials run it:
 *
 *   cpython             one interpreter, the twin's tasks one after another
 *   cpython-threads     threading.Thread workers, a static share each (as pthreads-gil)
 *   cpython-ft          one free-threaded interpreter (3.13t or newer, GIL off), the tasks
 *                       one after another: cpython-threads-ft's baseline, same interpreter
 *   cpython-threads-ft  threading.Thread workers in that free-threaded interpreter
 *   cpython-pool        multiprocessing.Pool(workers).map over the tasks, default chunksize
 *   cpython-processes   concurrent.futures.ProcessPoolExecutor(workers).map over the tasks
 *
 * The interpreter runs backends/cpython/driver.py, which starts the workers at start (outside
 * the timed region, one untimed task each), times each run barrier to barrier with
 * time.perf_counter() and sends back the raw time and every task's exact results and output
 * bytes; this file combines them through the job's twin_partial, and the caller verifies the
 * total as it verifies every other backend's.  The driver leads its own process group: a
 * cancel, a failure or stop kills it with every pool worker it started.  Whether the GIL
 * was on is what the interpreter says (sys._is_gil_enabled() once its workers are ready,
 * a GIL where it does not exist), not what its version suggests: --python python3.13t
 * runs cpython-threads without one, and its rows say so (backend_stats.gil).
 */
#include "cpython_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CPY_FT_CANDIDATES { "python3.13t", "python3.14t", "python3.15t", NULL }

struct cpy_task {
	size_t b, e;
	uint64_t count;
	char sum[48];
};

/* "0,1" from the plan, or "-" when the workers are not pinned. */
static void plan_cpus(const struct backend_config *cfg, char *buf, size_t len)
{
	size_t used = 0;

	snprintf(buf, len, "-");
	if (!cfg->topo || !cfg->plan || cfg->plan->n < cfg->workers)
		return;
	for (unsigned i = 0; i < cfg->workers; i++) {
		if (cfg->plan->pu[i] < 0 || used + 12 >= len) {
			snprintf(buf, len, "-");
			return;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "",
					 cfg->plan->pu[i]);
	}
}

/* After the driver said "error ..." or went away: its reason, and nothing left running. */
static int cpy_fail(struct cpy *c, const struct backend_config *cfg, const char *line, int rc)
{
	char how[64] = "";

	if (line && strncmp(line, "error ", 6) == 0) {
		backend_set_error(cfg, "%s", line + 6);
		cpy_kill(c);
		cpy_end(c);
		return -EIO;
	}
	cpy_kill(c);
	cpy_reap(c, 5.0, how, sizeof(how));
	cpy_end(c);
	if (rc == -ETIMEDOUT)
		backend_set_error(cfg, "the Python interpreter was not ready after %g s",
				  cfg->start_timeout_s > 0 ? cfg->start_timeout_s : CPY_START_S);
	else if (rc == -EINTR)
		backend_set_error(cfg, "stopped by a signal while the Python interpreter started");
	else if (strcmp(how, "exit status 127") == 0)
		backend_set_error(cfg, "could not run the Python interpreter '%s'",
				  cpy_python(cfg->python));
	else
		backend_set_error(cfg, "the Python interpreter %s (%s)", line ? "answered "
				  "something else" : "died", how[0] ? how : "still running: killed");
	return -EIO;
}

static int cpy_start(struct cpy *c, const struct backend_config *cfg, const char *mode,
		     const char *python)
{
	const struct work *w = cfg->job;
	struct work_span s = { 0 };
	char cpus[512], line[600], head[160];
	int rc;

	if (!w || !w->twin || !w->twin[0] || !w->twin_partial) {
		backend_set_error(cfg, "this job has no Python twin (kernels/python/twins.py)");
		return -ENOTSUP;
	}
	if (w->span)
		w->span(w->ctx, 0, w->n, &s);
	c->job = w;
	c->mode = mode;
	c->in_len = s.in_len;
	c->out_len = s.out_len;
	plan_cpus(cfg, cpus, sizeof(cpus));
	cpy_bound(c, cfg->start_timeout_s > 0 ? cfg->start_timeout_s : CPY_START_S, cfg->stop);
	rc = cpy_spawn(c, python, mode, cfg->workers ? cfg->workers : 1,
		       cfg->py_start ? cfg->py_start : "-", cfg->switch_interval_us, cpus,
		       cfg->test_py_fault ? cfg->test_py_fault : "-");
	if (rc) {
		backend_set_error(cfg, "could not start the Python interpreter: %s", strerror(-rc));
		return rc;
	}
	snprintf(head, sizeof(head), "job %zu %zu %zu %zu %s\n", w->n, w->grain, s.in_len,
		 s.out_len, w->twin);
	rc = cpy_send(c, head, strlen(head));
	if (!rc && s.in_len)
		rc = cpy_send(c, s.in, s.in_len);
	if (!rc)
		rc = cpy_line(c, line, sizeof(line), 0);
	cpy_bound(c, 0, NULL); /* runs: the caller's watchdog */
	if (rc || strncmp(line, "ready ", 6) != 0) {
		cpy_fail(c, cfg, rc ? NULL : line, rc);
		return rc == -EINTR ? -EINTR : -EIO; /* -EINTR: stopped, not failed */
	}
	snprintf(c->pids, sizeof(c->pids), "%s", line + 6);
	cpy_ready_gil(c);
	return 0;
}

/* "ready PID,PID gil G": G is 1 (a GIL) or 0 (none), cut from the pids; an older driver
 * that does not say leaves it unknown. */
void cpy_ready_gil(struct cpy *c)
{
	char *g = strstr(c->pids, " gil ");

	c->gil = 0;
	if (!g)
		return;
	if ((g[5] == '0' || g[5] == '1') && g[6] == '\0')
		c->gil = g[5] == '1' ? 1 : -1;
	*g = '\0';
}

/* The tasks' lines after "done": ntasks of them into t. 0 or -EPROTO. */
static int read_tasks(struct cpy *c, struct cpy_task *t, size_t ntasks, size_t n)
{
	char line[160];

	for (size_t i = 0; i < ntasks; i++) {
		int rc = cpy_line(c, line, sizeof(line), 0);

		if (rc)
			return rc;
		if (sscanf(line, "%zu %zu %47s %" SCNu64, &t[i].b, &t[i].e, t[i].sum,
			   &t[i].count) != 4 || t[i].b > t[i].e || t[i].e > n)
			return -EPROTO;
	}
	return 0;
}

static int cpy_run(void *state, const struct work *w, const struct backend_config *cfg)
{
	struct cpy *c = state;
	struct work_span s = { 0 };
	struct cpy_task *t = NULL;
	char line[600], part[WORK_PARTIAL_MAX];
	size_t ntasks = 0;
	int rc;

	if (!c->connected) {
		backend_set_error(cfg, "the Python interpreter is gone (an earlier run failed)");
		return -EIO;
	}
	if (w != c->job) {
		backend_set_error(cfg, "the CPython backends run the job they were started for");
		return -EINVAL;
	}
	rc = cpy_send(c, "run\n", 4);
	if (!rc)
		rc = cpy_line(c, line, sizeof(line), 0);
	/* a task per chunk (pools: at most n, or one for n = 0) or per thread (threads: one each,
	 * empty shares included when there are more threads than items) */
	if (rc || sscanf(line, "done %lf %zu", &c->elapsed, &ntasks) != 2 ||
	    ntasks > w->n + (cfg->workers > 1 ? cfg->workers : 1))
		return cpy_fail(c, cfg, rc ? NULL : line, rc);
	t = calloc(ntasks ? ntasks : 1, sizeof(*t));
	if (!t)
		return cpy_fail(c, cfg, NULL, -ENOMEM);
	rc = read_tasks(c, t, ntasks, w->n);
	if (!rc && w->span)
		w->span(w->ctx, 0, w->n, &s);
	if (!rc && c->out_len)
		rc = cpy_bytes(c, s.out, c->out_len); /* the rows, before their checks are read */
	memset(w->result, 0, w->partial_size);
	for (size_t i = 0; i < ntasks && !rc; i++) {
		memset(part, 0, sizeof(part));
		rc = w->twin_partial(w->ctx, t[i].b, t[i].e, t[i].sum, t[i].count, part);
		if (!rc)
			w->combine(w->result, part);
	}
	free(t);
	if (rc)
		return cpy_fail(c, cfg, rc == -EPROTO || rc == -EINVAL ? "error the Python "
				"driver's results could not be read" : NULL, rc);
	return 0;
}

/* The first free-threaded interpreter with its GIL off: python itself, or a candidate. */
static int ft_python(const char *python, char *out, size_t len)
{
	static const char *const cands[] = CPY_FT_CANDIDATES;
	static const char code[] = "import sys; sys.exit(0 if hasattr(sys, '_is_gil_enabled') "
				   "and not sys._is_gil_enabled() else 3)";

	if (python && cpy_probe(python, code) == 0) {
		snprintf(out, len, "%s", python);
		return 0;
	}
	for (size_t i = 0; cands[i]; i++)
		if (cpy_probe(cands[i], code) == 0) {
			snprintf(out, len, "%s", cands[i]);
			return 0;
		}
	return -ENOTSUP;
}

static int avail_gil(const char *python, char *why, size_t len)
{
	const char *py = cpy_python(python);

	if (cpy_probe(py, "import sys; sys.exit(0 if sys.version_info >= (3, 8) else 3)") == 0)
		return 0;
	snprintf(why, len, "no Python 3.8 or newer runs as '%s' (install python3, or give "
		 "--python PATH)", py);
	return -ENOTSUP;
}

/* Appends to why (used of len bytes so far) why py is no free-threaded interpreter: it does
 * not run, or it runs with a GIL (as 3.12 and older always do). */
static void ft_tried(const char *py, int first, char *why, size_t len, size_t *used)
{
	int w = snprintf(why + *used, len - *used, "%s%s (%s)", first ? "" : ", ", py,
			 cpy_probe(py, "pass") == 0 ? "runs with a GIL" : "does not run");

	if (w > 0 && (size_t)w < len - *used)
		*used += (size_t)w;
}

static int avail_ft(const char *python, char *why, size_t len)
{
	static const char *const cands[] = CPY_FT_CANDIDATES;
	char py[256];
	size_t used = 0;
	int w;

	if (ft_python(python, py, sizeof(py)) == 0)
		return 0;
	w = snprintf(why, len, "no free-threaded CPython (3.13t or newer with the GIL off): ");
	if (w > 0 && (size_t)w < len)
		used = (size_t)w;
	if (python)
		ft_tried(python, 1, why, len, &used);
	for (size_t i = 0; cands[i]; i++)
		ft_tried(cands[i], !python && i == 0, why, len, &used);
	return -ENOTSUP;
}

const char *backend_python(const char *python)
{
	return cpy_python(python);
}

/* One backend per mode; the state carries the config for the run's error messages. */
struct cpy_state {
	struct cpy c;
	struct backend_config cfg;
};

#define CPY_BACKEND(id, name_, mode_, caps_, avail_, summary_)                                \
	static int id##_start(void *state, const struct backend_config *cfg)                 \
	{                                                                                    \
		struct cpy_state *s = state;                                                 \
		char py[256];                                                                \
                                                                                             \
		s->cfg = *cfg;                                                               \
		snprintf(py, sizeof(py), "%s", cpy_python(cfg->python));                      \
		if (((caps_) & BACKEND_CAP_FREE_THREADED) &&                                 \
		    ft_python(cfg->python, py, sizeof(py)) != 0)                             \
			return avail_ft(cfg->python, cfg->err, cfg->err_len);                 \
		return cpy_start(&s->c, cfg, mode_, py);                                     \
	}                                                                                    \
	const struct backend backend_##id = {                                                \
		.name = name_,                                                               \
		.summary = summary_,                                                         \
		.caps = BACKEND_CAP_PYTHON | (caps_),                                        \
		.state_size = sizeof(struct cpy_state),                                      \
		.start = id##_start,                                                         \
		.run = cpy_state_run,                                                        \
		.stop = cpy_state_stop,                                                      \
		.cancel = cpy_state_cancel,                                                  \
		.stats = cpy_state_stats,                                                    \
		.elapsed = cpy_state_elapsed,                                                \
		.available = avail_,                                                         \
	}

static int cpy_state_run(void *state, const struct work *w)
{
	struct cpy_state *s = state;

	return cpy_run(&s->c, w, &s->cfg);
}

static void cpy_state_stop(void *state)
{
	cpy_end(&((struct cpy_state *)state)->c);
}

static void cpy_state_cancel(void *state)
{
	cpy_kill(&((struct cpy_state *)state)->c);
}

static void cpy_state_stats(const void *state, struct backend_stats *out)
{
	const struct cpy_state *s = state;

	snprintf(out->placement, sizeof(out->placement), "pids %s", s->c.pids);
	out->gil = s->c.gil;
}

static double cpy_state_elapsed(const void *state)
{
	return ((const struct cpy_state *)state)->c.elapsed;
}

CPY_BACKEND(cpython, "cpython", "serial", 0, avail_gil,
	    "real CPython (the Python twin), one interpreter: the tasks one after another");
CPY_BACKEND(cpython_threads, "cpython-threads", "threads",
	    BACKEND_CAP_PARALLEL | BACKEND_CAP_THREADS | BACKEND_CAP_GIL_BOUND, avail_gil,
	    "real CPython, threading.Thread workers, a static share each: under the GIL (unless "
	    "the interpreter has none)");
CPY_BACKEND(cpython_ft, "cpython-ft", "serial", BACKEND_CAP_FREE_THREADED, avail_ft,
	    "real free-threaded CPython (3.13t or newer, GIL off), one interpreter: the baseline "
	    "of cpython-threads-ft");
CPY_BACKEND(cpython_threads_ft, "cpython-threads-ft", "threads",
	    BACKEND_CAP_PARALLEL | BACKEND_CAP_THREADS | BACKEND_CAP_FREE_THREADED, avail_ft,
	    "real free-threaded CPython (3.13t or newer, GIL off), threading.Thread workers");
CPY_BACKEND(cpython_pool, "cpython-pool", "pool", BACKEND_CAP_PARALLEL | BACKEND_CAP_PROCESSES,
	    avail_gil, "real CPython, multiprocessing.Pool.map over the tasks (--start-method)");
CPY_BACKEND(cpython_processes, "cpython-processes", "processes",
	    BACKEND_CAP_PARALLEL | BACKEND_CAP_PROCESSES, avail_gil,
	    "real CPython, concurrent.futures.ProcessPoolExecutor.map over the tasks");
