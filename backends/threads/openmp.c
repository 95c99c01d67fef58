/*
 * openmp.c - OpenMP (libgomp) parallel loops; the only file with OpenMP pragmas.
 *
 * The loop runs over units of `chunk` items with schedule(runtime), the schedule set from
 * --schedule: static without --chunk gives each thread one contiguous share; with --chunk N
 * each OpenMP iteration is N items (dynamic default: the job's task size or Python's
 * ceil(n / 4 workers); guided: units of n / (16 workers)).  start() runs one region so the
 * team exists and every thread has bound itself before timing; the calling thread is
 * thread 0 and gets its own binding back at stop().  Threads keep libgomp's default wait
 * policy (spin a while, then sleep); OMP_WAIT_POLICY and GOMP_SPINCOUNT are honoured.
 */
#include "backend.h"

#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

struct omp_slot {
	_Alignas(64) unsigned char partial[WORK_PARTIAL_MAX];
	int cpu;
	int bind_failed;
};

struct omp_state {
	struct backend_config cfg;
	unsigned nt;
	struct omp_slot *slot;
	void *saved_binding;
};

static int omp_be_start(void *state, const struct backend_config *cfg)
{
	struct omp_state *s = state;

	s->cfg = *cfg;
	s->nt = cfg->workers;
	s->slot = aligned_alloc(64, sizeof(*s->slot) * s->nt);
	if (!s->slot)
		return -ENOMEM;
	memset(s->slot, 0, sizeof(*s->slot) * s->nt);
	if (cfg->topo)
		s->saved_binding = pin_save(cfg->topo);
#pragma omp parallel num_threads((int)s->nt)
	{
		unsigned t = (unsigned)omp_get_thread_num();

		if (cfg->topo && cfg->plan && pin_bind_self(cfg->topo, cfg->plan->pu[t]))
			s->slot[t].bind_failed = 1;
		s->slot[t].cpu = pin_current_cpu();
	}
	return 0;
}

static int omp_be_run(void *state, const struct work *w)
{
	struct omp_state *s = state;
	enum backend_schedule sched = s->cfg.schedule == SCHED_DEFAULT ? SCHED_STATIC : s->cfg.schedule;
	size_t unit;

	switch (sched) {
	case SCHED_DYNAMIC:
		unit = work_default_chunk(w, &s->cfg);
		omp_set_schedule(omp_sched_dynamic, 1);
		break;
	case SCHED_GUIDED:
		unit = s->cfg.chunk ? s->cfg.chunk : w->n / (16 * (size_t)s->nt);
		omp_set_schedule(omp_sched_guided, 1);
		break;
	default:
		unit = s->cfg.chunk ? s->cfg.chunk : (w->n + s->nt - 1) / s->nt;
		omp_set_schedule(omp_sched_static, s->cfg.chunk ? 1 : 0);
		break;
	}
	if (unit == 0)
		unit = 1;
	const long units = (long)((w->n + unit - 1) / unit);

#pragma omp parallel num_threads((int)s->nt)
	{
		struct omp_slot *me = &s->slot[omp_get_thread_num()];

		memset(me->partial, 0, w->partial_size);
#pragma omp for schedule(runtime) nowait
		for (long u = 0; u < units; u++) {
			size_t b = (size_t)u * unit;
			size_t e = w->n - b > unit ? b + unit : w->n;

			w->range(w->ctx, b, e, me->partial);
		}
		me->cpu = pin_current_cpu();
	}
	memset(w->result, 0, w->partial_size);
	for (unsigned t = 0; t < s->nt; t++)
		w->combine(w->result, s->slot[t].partial);
	return 0;
}

static void omp_be_stop(void *state)
{
	struct omp_state *s = state;

	if (s->cfg.topo)
		pin_restore(s->cfg.topo, s->saved_binding);
	s->saved_binding = NULL;
	free(s->slot);
	s->slot = NULL;
}

static void omp_be_stats(const void *state, struct backend_stats *out)
{
	const struct omp_state *s = state;

	out->n_cpu = s->nt;
	for (unsigned t = 0; t < s->nt; t++) {
		out->cpu[t] = s->slot[t].cpu;
		out->bind_failures += (unsigned)s->slot[t].bind_failed;
	}
}

const struct backend backend_openmp = {
	.name = "openmp",
	.summary = "OpenMP parallel for (libgomp), --schedule static|dynamic|guided, --chunk N",
	.caps = BACKEND_CAP_THREADS | BACKEND_CAP_PARALLEL | BACKEND_CAP_SCHEDULE |
		BACKEND_CAP_STATIC_SHARE,
	.state_size = sizeof(struct omp_state),
	.start = omp_be_start,
	.run = omp_be_run,
	.stop = omp_be_stop,
	.stats = omp_be_stats,
};
