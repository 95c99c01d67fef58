/*
 * serial.c - the baseline: the whole range on the calling thread, no workers, no locks.
 *
 * Every speedup in a run is relative to this backend at the same kernel and size.  The
 * calling thread is bound like worker 0 of the other backends while the backend is started,
 * so the baseline runs where the parallel backends' first worker runs.
 */
#include "backend.h"

#include <string.h>

struct serial_state {
	const struct pin_topo *topo;
	void *saved_binding;
	unsigned bind_failures;
	int cpu;
};

static int serial_start(void *state, const struct backend_config *cfg)
{
	struct serial_state *s = state;

	s->topo = cfg->topo;
	s->cpu = -1;
	if (cfg->topo && cfg->plan && cfg->plan->pu[0] >= 0) {
		s->saved_binding = pin_save(cfg->topo);
		if (pin_bind_self(cfg->topo, cfg->plan->pu[0]) != 0)
			s->bind_failures = 1;
	}
	return 0;
}

static int serial_run(void *state, const struct work *w)
{
	struct serial_state *s = state;

	memset(w->result, 0, w->partial_size);
	if (w->n)
		w->range(w->ctx, 0, w->n, w->result);
	s->cpu = pin_current_cpu();
	return 0;
}

static void serial_stop(void *state)
{
	struct serial_state *s = state;

	if (s->topo)
		pin_restore(s->topo, s->saved_binding);
	s->saved_binding = NULL;
}

static void serial_stats(const void *state, struct backend_stats *out)
{
	const struct serial_state *s = state;

	out->cpu[0] = s->cpu;
	out->n_cpu = 1;
	out->bind_failures = s->bind_failures;
}

const struct backend backend_serial = {
	.name = "serial",
	.summary = "one thread, the baseline every speedup is measured against",
	.caps = BACKEND_CAP_BASELINE | BACKEND_CAP_STATIC_SHARE,
	.state_size = sizeof(struct serial_state),
	.start = serial_start,
	.run = serial_run,
	.stop = serial_stop,
	.stats = serial_stats,
};
