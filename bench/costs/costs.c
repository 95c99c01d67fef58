/*
 * costs.c - the measurements behind `parbench costs` (see costs.h for what and how).
 *
 * Each timed cost is a row of a sentinel-terminated table: a batch function that performs
 * `k` operations (with its partner process or threads set up once per Google Benchmark
 * call, outside the timed interval) and a one-line description of the method.  Partner
 * processes are always reaped before the function returns.
 */
#include "costs_int.h"
#include "csv.h"

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
	  .how = "pool_start (fork + pin N workers) until a one-item map returns" },
	{ "start-up", "fork-pool-pipe start, to first result", C_POOL_PIPE, .batch = 1, .unit = "us",
	  .how = "as above, pipe transport" },
	{ "start-up", "OpenMP first parallel region", C_OMP_FIRST, .batch = 1, .unit = "us",
	  .how = "openmp backend start (team creation + binding) in a fresh forked process" },
	{ "dispatch", "fork-pool, chunk 1", C_DISPATCH, .backend = "fork-pool", .batch = 200000,
	  .unit = "ns", .how = "map of one-item tasks / tasks" },
	{ "dispatch", "fork-pool-pipe, chunk 1", C_DISPATCH, .backend = "fork-pool-pipe",
	  .batch = 2000, .unit = "ns", .how = "as above; every task and result crosses a pipe" },
	{ "dispatch", "openmp dynamic, chunk 1", C_DISPATCH, .backend = "openmp", .batch = 200000,
	  .unit = "ns", .how = "parallel for schedule(dynamic,1) of one-item iterations / items" },
	{ "dispatch", "pthreads dynamic, chunk 1", C_DISPATCH, .backend = "pthreads",
	  .batch = 200000, .unit = "ns", .how = "shared atomic counter, one item per fetch / items" },
	{ "dispatch", "pthreads-gil dynamic, chunk 1", C_DISPATCH, .backend = "pthreads-gil",
	  .batch = 200000, .unit = "ns", .how = "as above, with a GIL check point per item" },
	{ "communication", "pipe round trip", C_DUO, .duo = DUO_PIPE, .batch = 2000, .unit = "us",
	  .how = "8 bytes to a forked process and back over two pipes" },
	{ "communication", "shared-memory round trip", C_DUO, .duo = DUO_SHM, .batch = 100000,
	  .unit = "ns", .how = "both processes spin on one atomic word in shared memory" },
	{ "communication", "Queue-like channel, per message", C_DUO, .duo = DUO_QUEUE,
	  .batch = 100000, .unit = "ns", .how = "64-byte messages streamed through a pipe" },
	{ "synchronization", "lock hand-off between processes", C_DUO, .duo = DUO_LOCK,
	  .batch = 2000, .unit = "us", .how = "process-shared mutex + condvar, turn passed and back" },
	{ "synchronization", "semaphore ping-pong", C_DUO, .duo = DUO_SEM, .batch = 2000,
	  .unit = "us", .how = "two process-shared POSIX semaphores" },
	{ "synchronization", "event ping-pong", C_DUO, .duo = DUO_EVENT, .batch = 2000,
	  .unit = "us", .how = "two eventfds, set and wait each way" },
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
		double t0 = pb_mono_s(), t = 0;
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
			t = pb_mono_s() - t0;
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
	killed_worker_row(c, o);
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
		csv_field(o.f, r->group);
		fputc(',', o.f);
		csv_quoted(o.f, r->name);
		fprintf(o.f, ",%.6g,%.6g,%.6g,%s,%zu,", r->median, r->min, r->max, r->unit,
			r->repetitions);
		csv_quoted(o.f, r->how);
		fputc('\n', o.f);
	}
	return outfile_commit(&o);
}

