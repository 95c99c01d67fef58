/*
 * case.c - one configuration of the sweep: its backend started (timed on its own), one
 * untimed warm-up, then runs timed barrier to barrier, each verified before its time is
 * given to Google Benchmark; a wrong result or a failed worker fails the configuration.
 */
#include "sweep_int.h"

#include "clock.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Test hook PARBENCH_TEST_CRASH=kernel/backend[:KILL|SEGV]: a worker process (not parbench
 * itself; under MPI not rank 0) dies by that signal in its first range. */
static pid_t sweep_pid; /* parbench itself, not a forked worker */
static int crash_signal;
static work_range_fn *crash_orig;

static void crash_range(void *ctx, size_t begin, size_t end, void *partial)
{
	const char *rank = getenv("OMPI_COMM_WORLD_RANK");
	int worker = rank ? atoi(rank) > 0 : getpid() != sweep_pid;

	if (worker && begin < end)
		raise(crash_signal);
	crash_orig(ctx, begin, end, partial);
}

const char *sweep_hook_arg(const char *hook, const char *kernel, const char *where)
{
	size_t nk = strlen(kernel), nb = strlen(where);

	if (!hook || strncmp(hook, kernel, nk) != 0 || hook[nk] != '/' ||
	    strncmp(hook + nk + 1, where, nb) != 0)
		return NULL;
	hook += nk + 1 + nb;
	return *hook == ':' ? hook + 1 : *hook == '\0' ? hook : NULL;
}

static const char *hook_arg(const char *hook, const struct sweep_row *r)
{
	return sweep_hook_arg(hook, r->k->name, r->b->name);
}

const char *case_py_fault(const struct sweep_opts *o, const char *kernel, const char *where)
{
	const char *arg = sweep_hook_arg(o->py_fault, kernel, where);

	return arg && *arg ? arg : NULL;
}

void case_hooks(struct bench_case *c)
{
	const struct sweep_opts *o = c->o;
	const char *arg;

	sweep_pid = getpid();
	if ((arg = hook_arg(o->crash_case, c->row))) { /* PARBENCH_TEST_CRASH */
		crash_signal = strcmp(arg, "SEGV") == 0 ? SIGSEGV : SIGKILL;
		crash_orig = c->w.range;
		c->w.range = crash_range;
		c->w.span = NULL; /* the pipe transport uses range too */
		c->w.range_io = NULL;
	}
	/* PARBENCH_TEST_PY_FAULT=kernel/backend:kill|raise|hang */
	if ((arg = hook_arg(o->py_fault, c->row)) && *arg)
		c->cfg.test_py_fault = arg;
	if (hook_arg(o->hang_case, c->row)) /* PARBENCH_TEST_HANG=kernel/backend */
		c->w.range = watchdog_hang_range;
}

static int case_cancel(void *run)
{
	struct bench_case *c = run;

	return backend_instance_cancel(&c->bi);
}

static void case_hang(void *run, const char *why, void *arg)
{
	const struct bench_case *c = run;

	(void)arg;
	c->o->hang(c->row, why, c->o->hang_arg); /* does not return */
}

void case_watchdog(struct watchdog *wd, const struct sweep_opts *o)
{
	*wd = (struct watchdog){ .timeout_s = o->timeout_s, .stop = o->stop,
				 .cancel = case_cancel, .hang = case_hang };
}

int watched_run(struct bench_case *c)
{
	int err;

	watchdog_arm(c->wd, c);
	err = backend_instance_run(&c->bi, &c->w);
	c->cancelled = watchdog_disarm(c->wd);
	return err;
}

/* What a run moves and costs on its links (MPI: measured once per process and size). */
static void case_traffic(struct bench_case *c)
{
	struct backend_traffic tr;
	const char *fail = c->o->link_fail; /* test hook */

	c->row->link_known = 1;
	if ((fail && strcmp(fail, c->row->b->name) == 0) ||
	    backend_instance_traffic(&c->bi, &c->w, &tr) != 0) {
		/* the probe failed: what the links cost is unknown, not nothing; the run itself
		 * is unaffected */
		c->row->link_unknown = 1;
		c->row->link_s = c->row->link_latency_s = c->row->link_bytes_per_s = NAN;
		return;
	}
	c->row->moved_bytes = tr.bytes;
	c->row->volume_bytes = tr.volume;
	c->row->messages = tr.messages;
	c->row->link_s = tr.link_s;
	c->row->link_latency_s = tr.latency_s;
	c->row->link_bytes_per_s = tr.bytes_per_s;
}

/* Distinct CPUs in a stats list (one machine: threads, processes). */
static unsigned distinct_cpus(const struct backend_stats *st)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st->n_cpu; i++) {
		int seen = st->cpu[i] < 0;

		for (unsigned j = 0; j < i && !seen; j++)
			seen = st->cpu[j] == st->cpu[i];
		n += !seen;
	}
	return n;
}

void case_stop(struct bench_case *c)
{
	struct backend_stats *st;

	if (!c->started)
		return;
	st = calloc(1, sizeof(*st));
	if (st) {
		size_t used = 0;

		backend_instance_stats(&c->bi, st);
		c->row->bind_failures = st->bind_failures;
		c->row->respawns += st->respawns; /* over every start of the configuration */
		c->row->gil_switches = st->gil_switches;
		c->row->gil = st->gil;
		for (unsigned i = 0; i < st->n_cpu && used + 12 < sizeof(c->row->cpus); i++)
			used += (size_t)snprintf(c->row->cpus + used, sizeof(c->row->cpus) - used,
						 "%s%d", i ? "," : "", st->cpu[i]);
		if (st->placement[0])
			snprintf(c->row->cpus, sizeof(c->row->cpus), "%s", st->placement);
		c->row->parallel_cpus = st->phys_cpus ? st->phys_cpus
				      : st->placement[0] ? 0 : distinct_cpus(st);
		free(st);
	}
	backend_instance_stop(&c->bi);
	c->started = 0;
	if (*c->active == c)
		*c->active = NULL;
}

static void case_fail(struct bench_case *c, struct gbench_state *st, const char *fmt, const char *a)
{
	snprintf(c->row->error, sizeof(c->row->error), fmt, a);
	c->row->failed = 1;
	c->dead = 1;
	gbench_skip_with_error(st, c->row->error);
	case_stop(c);
}

/* Runs the job once and verifies it; 0, or -1 after case_fail(). */
static int case_run_verified(struct bench_case *c, struct gbench_state *st, double *seconds)
{
	const struct kernel *k = c->ki->k;
	const char *cancelled;
	double t0, t1;
	int err;

	if (k->invalidate) /* the output of an earlier run proves nothing */
		k->invalidate(c->ki->priv);
	t0 = pb_mono_s();
	err = watched_run(c);
	cancelled = c->cancelled;
	t1 = pb_mono_s();
	/* a cancelled run fails, even if a retry inside the backend made it return 0: its
	 * time holds the whole timeout */
	if (cancelled) {
		char why[320];

		snprintf(why, sizeof(why), "%s after %.1f s; workers killed (%s)", cancelled,
			 t1 - t0, c->bi.err[0] ? c->bi.err : err ? strerror(-err) : "a retry finished it");
		case_fail(c, st, "%s", why);
		return -1;
	}
	if (err) {
		case_fail(c, st, "worker failure: %s", c->bi.err[0] ? c->bi.err : strerror(-err));
		return -1;
	}
	c->runs++;
	if (c->o->corrupt_kernel) { /* test hook: PARBENCH_TEST_CORRUPT=kernel[:N] */
		const char *colon = strchr(c->o->corrupt_kernel, ':');
		size_t len = colon ? (size_t)(colon - c->o->corrupt_kernel) : strlen(c->o->corrupt_kernel);
		unsigned long from = colon ? strtoul(colon + 1, NULL, 10) : 1;

		if (strlen(k->name) == len && strncmp(c->o->corrupt_kernel, k->name, len) == 0 &&
		    c->runs >= from)
			c->total.sum += 1;
	}
	/* collective backends: the leader verifies and every process follows its verdict */
	int ok = !backend_instance_leader(&c->bi) || k->verify(c->ki->priv, &c->total) == 0;

	if (!backend_instance_agree(&c->bi, ok)) {
		case_fail(c, st, "verification failed: %s", "result differs from the closed form");
		return -1;
	}
	*seconds = backend_instance_elapsed(&c->bi, t1 - t0);
	return 0;
}

/*
 * A restart (interleaving stops a configuration's workers whenever another one runs) is
 * warmed up again where its first run was measured to be colder than the next: kernels that
 * read and write buffers (a filter's first run after a restart of fork-pool-pipe took
 * 1.17-1.30x the next one, on threads up to 1.69x) and CPython rows (new interpreters).
 * Kernels without data run as fast right after a restart: first run / next run, paired per
 * visit, median of 8 visits per configuration, 0.990-1.021 over the six backends parbench
 * runs itself (README, "How the numbers are made").
 */
int case_rewarms(const struct sweep_row *r)
{
	return r->k->span || (r->b->caps & BACKEND_CAP_PYTHON);
}

/*
 * Google Benchmark requires every repetition of a benchmark to report the same iteration
 * count, errors included (1.7 aborts otherwise), and a skip before the first
 * gbench_keep_running() reports none: so every skip happens inside the loop.
 */
void case_body(struct gbench_state *st, void *arg)
{
	struct bench_case *c = arg;
	double t = 0;
	int timed = 0;

	while (gbench_keep_running(st)) {
		if (c->o->stop && atomic_load(c->o->stop)) {
			c->row->interrupted = 1;
			gbench_skip_with_error(st, "interrupted");
			case_stop(c);
			break;
		}
		if (c->dead) {
			gbench_skip_with_error(st, c->row->error);
			break;
		}
		if (!c->started) {
			double t0;
			int err;

			if (*c->active)
				case_stop(*c->active);
			steady_tick(c->steady); /* no configuration's workers exist now */
			/* the buffers' pages where these workers touch them, before any fork */
			place_buffers(c->ki, c->row->b, &c->cfg, &c->row->pages);
			t0 = pb_mono_s();
			err = backend_instance_start(&c->bi, c->row->b, &c->cfg);
			c->row->startup_s = pb_mono_s() - t0;
			if (err == -EINTR && c->o->stop && atomic_load(c->o->stop)) {
				c->row->interrupted = 1; /* a signal stopped the start */
				gbench_skip_with_error(st, "interrupted");
				break;
			}
			if (err) {
				case_fail(c, st, "backend start failed: %s", c->bi.err);
				break;
			}
			c->started = 1;
			*c->active = c;
			if ((c->runs == 0 || case_rewarms(c->row)) &&
			    case_run_verified(c, st, &t) != 0) /* warm-up, untimed */
				break;
			if (!c->row->link_known) /* the model's traffic, outside timing, once */
				case_traffic(c);
			place_sample(c->ki, &c->cfg, &c->row->pages); /* once, after a warm-up */
		}
		if (case_run_verified(c, st, &t) != 0)
			break;
		gbench_set_iteration_time(st, t);
		timed = 1;
	}
	if (timed && c->ki->shape.n && t > 0)
		gbench_set_counter(st, "items_per_second", (double)c->ki->shape.n / t);
}
