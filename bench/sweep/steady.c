/*
 * steady.c - the steadiness probe (steady.h).  Its runs take a few milliseconds on the
 * sweep's own thread while no configuration runs (between Google Benchmark repetitions).
 */
#include "steady.h"
#include "calibrate.h"
#include "clock.h"
#include "stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The distinct PUs of sw's pin plans, in the order they first appear. */
static void take_pus(struct steady *s, const struct sweep *sw)
{
	for (size_t i = 0; i < sw->n_rows; i++)
		for (unsigned w = 0; w < sw->rows[i].plan.n && w < PIN_MAX_WORKERS; w++) {
			int pu = sw->rows[i].plan.pu[w];
			unsigned j = 0;

			while (j < s->n_pu && s->pu[j] != pu)
				j++;
			if (pu >= 0 && j == s->n_pu && s->n_pu < PIN_MAX_WORKERS)
				s->pu[s->n_pu++] = pu;
		}
}

int steady_begin(struct steady *s, const struct kernel_params *kp, const struct pin_topo *topo,
		 const struct sweep *sw)
{
	const struct kernel *k = kernel_find(STEADY_KERNEL);
	struct kernel_params p = { .tasks = kp->tasks };
	double t = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!k)
		return -ENOENT;
	for (p.size = 1u << 16;; p.size *= 4) { /* until a run takes 1-4 ms */
		if (p.size >= (1ull << 40))
			return -ERANGE;
		rc = kernel_instance_init(&s->ki, k, &p);
		if (rc)
			return rc;
		t = calib_serial_run(&s->ki);
		if (t < 0) {
			kernel_instance_fini(&s->ki);
			return -EDOM;
		}
		if (t >= STEADY_RUN_S / 2)
			break;
		kernel_instance_fini(&s->ki);
	}
	s->on = 1;
	s->next = pb_mono_s();
	s->topo = topo;
	if (topo)
		take_pus(s, sw);
	return 0;
}

void steady_tick(struct steady *s)
{
	double now = pb_mono_s(), t;

	if (!s->on || now < s->next)
		return;
	s->next = now + STEADY_EVERY_S;
	if (s->n == s->cap) {
		unsigned cap = s->cap ? 2 * s->cap : 256;
		double *v = realloc(s->t, cap * sizeof(*v));

		if (!v)
			return;
		s->t = v;
		s->cap = cap;
	}
	void *saved = s->n_pu ? pin_save(s->topo) : NULL;

	if (saved && pin_bind_self(s->topo, s->pu[s->n % s->n_pu]) != 0) {
		pin_restore(s->topo, saved); /* unbound: a run where the scheduler puts it */
		saved = NULL;
	}
	t = calib_serial_run(&s->ki);
	pin_restore(s->topo, saved);
	if (t < 0) {
		s->on = 0;
		return;
	}
	s->t[s->n++] = t;
}

void steady_summarize(const double *t, unsigned n, struct machine_state *m)
{
	double best, worst;
	unsigned slow = 0;

	if (n < 2)
		return;
	best = worst = t[0];
	for (unsigned i = 1; i < n; i++) {
		best = t[i] < best ? t[i] : best;
		worst = t[i] > worst ? t[i] : worst;
	}
	for (unsigned i = 0; i < n; i++)
		slow += t[i] > STEADY_SLOW * best;
	m->steady_n = n;
	m->steady_best_s = best;
	m->steady_median = stats_median(t, n) / best;
	m->steady_worst = worst / best;
	m->steady_slow = (double)slow / n;
	m->steady_median_s = stats_median(t, n);
	stats_median_ci(t, n, &m->steady_ci_lo_s, &m->steady_ci_hi_s, &m->steady_ci_level);
}

/* The test hook's run times ("t1,t2,..." seconds, each in (0, 3600]) into t (at most max);
 * how many, or 0 if the list is malformed. */
static unsigned fake_times(const char *fake, double *t, unsigned max)
{
	unsigned n = 0;
	char *end;

	for (const char *p = fake; n < max; p = end + 1) {
		t[n] = strtod(p, &end);
		if (end == p || !(t[n] > 0 && t[n] <= 3600) || (*end != ',' && *end != '\0'))
			return 0;
		n++;
		if (*end == '\0')
			return n;
	}
	return 0;
}

void steady_end(struct steady *s, struct machine_state *m, const char *fake)
{
	double t[64];
	unsigned n = fake ? fake_times(fake, t, sizeof(t) / sizeof(t[0])) : 0;

	if (n >= 2)
		steady_summarize(t, n, m);
	else
		steady_summarize(s->t, s->n, m);
	m->steady_size = s->ki.shape.size;
	if (s->ki.k)
		kernel_instance_fini(&s->ki);
	free(s->t);
	memset(s, 0, sizeof(*s));
}
