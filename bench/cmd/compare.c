/*
 * compare.c - parbench compare BASE NEW, a regression gate: for each configuration both runs
 * measured (compare_pair.c), the ratio of its times NEW / BASE with a distribution-free
 * interval (Hodges-Lehmann estimate and Moses interval on the logs, Bonferroni over the
 * cells), the machine's own change between the runs allowed for (the steadiness probe), and
 * a verdict (verdict.h).  Exit 1 when any configuration is SLOWER, 2 when nothing pairs up.
 */
#include "cmd.h"

#include "compare_int.h"
#include "report.h"
#include "runload.h"
#include "stats.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_THRESHOLD, O_OTHER, O_NO_DRIFT };

static const struct opt opts[] = {
	{ O_THRESHOLD, "threshold", "P%", "changes within P% are \"same\" (default 5%)", 0 },
	{ O_OTHER, "allow-other-machine", NULL, "compare runs of different machines anyway", 0 },
	{ O_NO_DRIFT, "no-drift", NULL, "judge the times as measured, not relative to the\n"
					"machine's change between the runs (the steadiness probe)", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "compare",
	.synopsis = "BASE NEW [--threshold 5%] [--allow-other-machine] [--no-drift]",
	.about = "A regression gate.  Pairs the configurations of two runs (kernels at another size:\n"
		 "per item, where an item's work does not depend on the size), gives each the\n"
		 "ratio of its times NEW/BASE with a distribution-free interval (Bonferroni over\n"
		 "the configurations), relative to the machine's own change between the runs,\n"
		 "and a verdict: same (interval within +-threshold), SLOWER or faster (interval\n"
		 "wholly beyond it) or unresolved.  Exit 1 when any is SLOWER, 2 when nothing\n"
		 "could be compared.",
	.opts = opts,
	.max_pos = 2,
};

/* The command's state (struct command.state_size). */
struct compare_cmd {
	const char *dirs[2];
	double threshold;
	int other_machine, no_drift;
	struct loaded_run base, cur;
};

static void on_opt(void *ctx, const struct opt *o, const char *val)
{
	struct compare_cmd *c = ctx;
	char *end;

	if (o->id == O_OTHER) {
		c->other_machine = 1;
		return;
	}
	if (o->id == O_NO_DRIFT) {
		c->no_drift = 1;
		return;
	}
	c->threshold = strtod(val, &end) / 100;
	if (end == val || (*end && strcmp(end, "%") != 0) || !(c->threshold > 0) ||
	    c->threshold >= 1)
		usage_error("bad value '%s' for --threshold (a percentage below 100%% such as 5%%)",
			    val);
}

static void compare_parse(void *state, int argc, char **argv)
{
	struct compare_cmd *c = state;
	struct opt_result r;

	c->threshold = 0.05;
	c->other_machine = c->no_drift = 0;
	opt_parse(&cli, argc, argv, 2, on_opt, c, &r);
	if (r.n_pos != 2)
		usage_error("compare takes two run directories (parbench compare BASE NEW)");
	c->dirs[0] = r.pos[0];
	c->dirs[1] = r.pos[1];
}

/* Counts of the verdicts, and the repetitions the unresolved ones ask for. */
struct tally {
	unsigned n[VERDICT_UNRESOLVED + 1];
	size_t *reps, n_reps;
};

/* The verdict column: the verdict, for unresolved what would decide it. */
static void verdict_text(const struct cell *x, char *buf, size_t len)
{
	const struct verdict *v = &x->v;
	const char *item = x->per_item ? " (per item)" : "";

	if (v->kind != VERDICT_UNRESOLVED)
		snprintf(buf, len, "%s%s", verdict_name(v->kind), item);
	else if (v->ambiguous)
		snprintf(buf, len, "unresolved: the machine or the build%s", item);
	else if (isinf(v->hi))
		snprintf(buf, len, "unresolved: too few reps (%zu or more)%s", v->reps, item);
	else if (v->reps)
		snprintf(buf, len, "unresolved: ~%zu reps would decide%s", v->reps, item);
	else
		snprintf(buf, len, "unresolved: no rep count decides%s", item);
}

static void print_cell(const struct cell *x)
{
	const struct sweep_row *q = x->base, *r = x->cur;
	char a[32], b[32], size[48], ci[40], verdict[80];

	if (x->per_item)
		snprintf(size, sizeof(size), "%llu->%llu", (unsigned long long)q->size,
			 (unsigned long long)r->size);
	else
		snprintf(size, sizeof(size), "%llu", (unsigned long long)r->size);
	if (isinf(x->v.hi))
		snprintf(ci, sizeof(ci), "(too few reps)");
	else
		snprintf(ci, sizeof(ci), "[%+.1f%%, %+.1f%%]", (x->v.lo - 1) * 100,
			 (x->v.hi - 1) * 100);
	verdict_text(x, verdict, sizeof(verdict));
	printf("  %-12s %-18s %7u %20s %11s %11s %+7.1f%% %19s  %s\n", r->k->name, r->b->name,
	       r->workers, size, text_time(a, sizeof(a), q->median),
	       text_time(b, sizeof(b), r->median), (x->v.ratio - 1) * 100, ci, verdict);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The summary line and what would decide the unresolved. */
static void print_summary(const struct compare_cmd *c, const struct pairing *p,
			  struct tally *t, double alpha_cell, int probe)
{
	printf("\nsummary: %zu compared: %u slower, %u faster, %u same, %u unresolved "
	       "(threshold %.1f%%; intervals at %.2f%% each, Bonferroni: a %.0f%% chance that "
	       "any misses, over %zu configuration%s%s)", p->n, t->n[VERDICT_SLOWER],
	       t->n[VERDICT_FASTER], t->n[VERDICT_SAME], t->n[VERDICT_UNRESOLVED],
	       c->threshold * 100, 100 * (1 - alpha_cell), COMPARE_ALPHA * 100, p->n,
	       p->n == 1 ? "" : "s", probe ? " and the machine's probe" : "");
	if (p->resized)
		printf("; %u not compared (other size)", p->resized);
	if (p->only_base || p->only_new)
		printf("; %u only in BASE, %u only in NEW", p->only_base, p->only_new);
	printf("\n");
	if (t->n_reps) {
		qsort(t->reps, t->n_reps, sizeof(*t->reps), cmp_size);
		printf("note: --repetitions %zu in both runs would roughly decide half of the %u "
		       "unresolved (each interval at that count read off the differences measured)\n",
		       t->reps[(t->n_reps - 1) / 2], t->n[VERDICT_UNRESOLVED]);
	}
}

/* Judges every cell and prints its line; the counts into t.  0 or -ENOMEM. */
static int judge_cells(const struct compare_cmd *c, struct pairing *p, const struct drift *d,
		       double alpha_cell, struct tally *t)
{
	const struct drift none = { .use = DRIFT_NONE, .ratio = 1, .lo = 1, .hi = 1 };

	printf("  %-12s %-18s %7s %20s %11s %11s %8s %19s  %s\n", "kernel", "backend", "workers",
	       "size", "base", "new", "change", "interval", "verdict");
	for (size_t i = 0; i < p->n; i++) {
		struct cell *x = &p->cells[i];
		int rc = verdict_judge(x->base->samples, x->base->n_samples, x->cur->samples,
				       x->cur->n_samples, x->scale, x->cpu ? d : &none,
				       c->threshold, alpha_cell, &x->v);

		if (rc)
			return rc;
		t->n[x->v.kind]++;
		if (x->v.kind == VERDICT_UNRESOLVED && x->v.reps)
			t->reps[t->n_reps++] = x->v.reps;
		print_cell(x);
	}
	return 0;
}

/* Other processes took CPU time from a run's configurations: their longer runs lose whole
 * time slices, which the probe's few milliseconds mostly do not. */
static void busy_warning(const struct loaded_run *lr, const char *which)
{
	if (lr->busy)
		printf("warning: %u other process%s runnable when %s started (%s): they take CPU "
		       "time from the configurations, which the probe's short runs do not show; "
		       "compare runs of an idle machine\n", lr->busy, lr->busy == 1 ? " was" : "es were",
		       which, lr->busy_names);
}

/* A pair of rows that ran different instruction-set variants compares code, not machines. */
static void variant_warning(const struct pairing *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct sweep_row *q = p->cells[i].base, *r = p->cells[i].cur;

		if (strcmp(q->variant, r->variant) != 0) {
			printf("warning: the kernels ran other instruction-set variants (%s: BASE %s, "
			       "NEW %s): the comparison includes the code, not only the machine\n",
			       r->k->name, q->variant[0] ? q->variant : "not recorded",
			       r->variant[0] ? r->variant : "not recorded");
			return;
		}
	}
}

static int compare_exec(void *state)
{
	struct compare_cmd *c = state;
	struct loaded_run *base = &c->base, *cur = &c->cur;
	const char *const *dirs = c->dirs;
	struct pairing p;
	struct tally t = { { 0 }, NULL, 0 };
	struct drift d = { .use = DRIFT_NONE, .ratio = 1, .lo = 1, .hi = 1 };
	char err[600], machine[600];
	int any_cpu = 0, rc;

	if (run_load(dirs[0], base, err, sizeof(err)) != 0)
		usage_error("%s", err);
	if (run_load(dirs[1], cur, err, sizeof(err)) != 0)
		usage_error("%s", err);
	if (!c->other_machine && (strcmp(base->host, cur->host) != 0 ||
				  strcmp(base->cpu_model, cur->cpu_model) != 0 ||
				  strcmp(base->topology, cur->topology) != 0))
		usage_error("the runs come from different machines ('%s', %s; '%s', %s): times are "
			    "not comparable (--allow-other-machine to compare anyway)", base->host,
			    base->cpu_model, cur->host, cur->cpu_model);
	if (compare_pair(base, cur, &p) != 0 || !(t.reps = calloc(p.n + 1, sizeof(*t.reps))))
		usage_error("out of memory");
	if (!p.n)
		usage_error("%s", p.why_none);
	for (size_t i = 0; i < p.n; i++)
		any_cpu |= p.cells[i].cpu;
	/* with the probe in use, it gets half of the chance of a miss and the cells the rest */
	if (any_cpu)
		d = compare_drift(base, cur, c->no_drift, COMPARE_ALPHA / 2, machine,
				  sizeof(machine));
	else
		snprintf(machine, sizeof(machine), "machine: its change is not allowed for: the "
			 "kernels compared block (their time is not the CPU's)");
	double alpha_cell = COMPARE_ALPHA / (d.use != DRIFT_NONE ? 2 : 1) / (double)p.n;

	printf("# parbench compare: %s (%s, %s) -> %s (%s, %s)\n%s\n", dirs[0], base->host,
	       base->date, dirs[1], cur->host, cur->date, machine);
	rc = judge_cells(c, &p, &d, alpha_cell, &t);
	if (rc == 0) {
		print_summary(c, &p, &t, alpha_cell, d.use != DRIFT_NONE);
		compare_size_notes(base, cur);
		variant_warning(&p);
		busy_warning(base, "BASE");
		busy_warning(cur, "NEW");
	}
	free(t.reps);
	compare_pairing_free(&p);
	run_free(base);
	run_free(cur);
	if (rc)
		usage_error("out of memory");
	return t.n[VERDICT_SLOWER] ? EXIT_VERIFY : 0;
}

const struct command cmd_compare = { &cli, "compare two runs of one machine: a regression gate",
				     0, compare_parse, compare_exec,
				     sizeof(struct compare_cmd) };
