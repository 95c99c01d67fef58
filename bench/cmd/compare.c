/*
 * compare.c - parbench compare BASE NEW: the change of each configuration's median between two
 * runs of one machine, a Mann-Whitney U test over their repetitions, and a verdict.
 */
#include "cmd.h"

#include "report.h"
#include "runload.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPARE_ALPHA 0.05

enum { O_THRESHOLD, O_OTHER };

static const struct opt opts[] = {
	{ O_THRESHOLD, "threshold", "P%", "a change below P% is \"same\" (default 5%)", 0 },
	{ O_OTHER, "allow-other-machine", NULL, "compare runs of different machines anyway", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "compare",
	.synopsis = "BASE NEW [--threshold 5%] [--allow-other-machine]",
	.about = "Pairs the configurations of two runs, gives the change of each median and a\n"
		 "two-sided Mann-Whitney U test, and exits 1 when any is slower by more than the\n"
		 "threshold with p < 0.05.",
	.opts = opts,
	.max_pos = 2,
};

static struct {
	const char *dirs[2];
	double threshold;
	int other_machine;
} c;

static void on_opt(void *ctx, const struct opt *o, const char *val)
{
	char *end;

	(void)ctx;
	if (o->id == O_OTHER) {
		c.other_machine = 1;
		return;
	}
	c.threshold = strtod(val, &end) / 100;
	if (end == val || (*end && strcmp(end, "%") != 0) || !(c.threshold > 0) || c.threshold >= 10)
		usage_error("bad value '%s' for --threshold (a percentage such as 5%%)", val);
}

static void compare_parse(int argc, char **argv)
{
	struct opt_result r;

	c.threshold = 0.05;
	c.other_machine = 0;
	opt_parse(&cli, argc, argv, 2, on_opt, NULL, &r);
	if (r.n_pos != 2)
		usage_error("compare takes two run directories (parbench compare BASE NEW)");
	c.dirs[0] = r.pos[0];
	c.dirs[1] = r.pos[1];
}

static const struct sweep_row *find_row(const struct sweep *sw, const struct sweep_row *r)
{
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *q = &sw->rows[i];

		if (strcmp(q->k->name, r->k->name) == 0 && strcmp(q->b->name, r->b->name) == 0 &&
		    q->workers == r->workers && q->size == r->size)
			return q;
	}
	return NULL;
}

/* The size kernel name ran at in sw (its first row), or 0. */
static uint64_t kernel_size_in(const struct sweep *sw, const char *name)
{
	for (size_t i = 0; i < sw->n_rows; i++)
		if (strcmp(sw->rows[i].k->name, name) == 0)
			return sw->rows[i].size;
	return 0;
}

/* Kernels that ran at one size in each run, a different one: their times are not
 * comparable, and compare says so instead of calling every row "only in".  How many rows
 * of cur that leaves out. */
static unsigned report_resized(const struct loaded_run *base, const struct loaded_run *cur)
{
	unsigned rows = 0;

	for (size_t i = 0; i < cur->sw.n_rows; i++) {
		const struct sweep_row *r = &cur->sw.rows[i];
		uint64_t was = kernel_size_in(&base->sw, r->k->name);
		int first = kernel_size_in(&cur->sw, r->k->name) == r->size &&
			    (i == 0 || cur->sw.rows[i - 1].k != r->k);

		if (!was || was == r->size || find_row(&base->sw, r))
			continue;
		rows++;
		if (first && cur->sw.n_sizes <= 1 && base->sw.n_sizes <= 1)
			printf("note: %s ran at another size in each run (BASE %llu, NEW %llu%s): its "
			       "times are not compared; give both runs the same size (--size %s=N)\n",
			       r->k->name, (unsigned long long)was, (unsigned long long)r->size,
			       strstr(cur->calibrated, r->k->name) || strstr(base->calibrated, r->k->name)
				       ? ", calibrated from the time budget" : "",
			       r->k->name);
	}
	return rows;
}

/* Counts of the verdicts. */
struct tally {
	unsigned slower, faster, same, only_base, only_new, few;
};

/* One line per configuration of cur that base has too; the verdicts counted in t. */
static void compare_rows(const struct loaded_run *base, const struct loaded_run *cur,
			 struct tally *t)
{
	char a[32], b[32];

	for (size_t i = 0; i < cur->sw.n_rows; i++) {
		const struct sweep_row *r = &cur->sw.rows[i], *q = find_row(&base->sw, r);
		double u, p, change;
		const char *verdict;

		if (!q) {
			t->only_new++;
			continue;
		}
		p = stats_mann_whitney(q->samples, q->n_samples, r->samples, r->n_samples, &u);
		change = r->median / q->median - 1;
		if (q->n_samples < 9 || r->n_samples < 9)
			t->few++;
		if (fabs(change) <= c.threshold) {
			verdict = "same";
			t->same++;
		} else if (!(p < COMPARE_ALPHA)) {
			verdict = "same (change not significant)";
			t->same++;
		} else if (change > 0) {
			verdict = "SLOWER";
			t->slower++;
		} else {
			verdict = "faster";
			t->faster++;
		}
		printf("  %-12s %-18s %7u %12llu %11s %11s %+7.1f%% %8.2g  %s\n", r->k->name,
		       r->b->name, r->workers, (unsigned long long)r->size,
		       report_fmt_time(a, sizeof(a), q->median), report_fmt_time(b, sizeof(b), r->median),
		       change * 100, p, verdict);
	}
}

static int compare_exec(void)
{
	static struct loaded_run base, cur;
	const char *const *dirs = c.dirs;
	double threshold = c.threshold;
	int other_machine = c.other_machine, rc;
	struct tally t = { 0 };
	char err[600];

	if ((rc = run_load(dirs[0], &base, err, sizeof(err))) != 0)
		usage_error("%s", err);
	if ((rc = run_load(dirs[1], &cur, err, sizeof(err))) != 0)
		usage_error("%s", err);
	if (!other_machine && (strcmp(base.host, cur.host) != 0 ||
			       strcmp(base.cpu_model, cur.cpu_model) != 0 ||
			       strcmp(base.topology, cur.topology) != 0))
		usage_error("the runs come from different machines ('%s', %s; '%s', %s): times are "
			    "not comparable (--allow-other-machine to compare anyway)", base.host,
			    base.cpu_model, cur.host, cur.cpu_model);

	printf("# parbench compare: %s (%s, %s) -> %s (%s, %s)\n", dirs[0], base.host, base.date,
	       dirs[1], cur.host, cur.date);
	printf("  %-12s %-18s %7s %12s %11s %11s %8s %8s  %s\n", "kernel", "backend", "workers",
	       "size", "base", "new", "change", "p", "verdict");
	compare_rows(&base, &cur, &t);
	unsigned resized = report_resized(&base, &cur);

	for (size_t i = 0; i < base.sw.n_rows; i++) {
		const struct sweep_row *q = &base.sw.rows[i];
		uint64_t now = kernel_size_in(&cur.sw, q->k->name);

		t.only_base += !find_row(&cur.sw, q) && (!now || now == q->size);
	}
	t.only_new -= resized;
	printf("\nsummary: %u compared: %u slower, %u faster, %u same (threshold %.1f%%, "
	       "Mann-Whitney U two-sided, p < %.2f)", t.slower + t.faster + t.same, t.slower, t.faster,
	       t.same, threshold * 100, COMPARE_ALPHA);
	if (resized)
		printf("; %u not compared (other size)", resized);
	if (t.only_base || t.only_new)
		printf("; %u only in BASE, %u only in NEW", t.only_base, t.only_new);
	printf("\n");
	if (t.few)
		printf("warning: %u comparison%s rest on fewer than 9 repetitions a side: the test "
		       "has little power (--repetitions 9 or more)\n", t.few, t.few == 1 ? "" : "s");
	/* a row pair that ran different instruction-set variants compares code, not machines */
	for (size_t i = 0; i < cur.sw.n_rows; i++) {
		const struct sweep_row *r = &cur.sw.rows[i], *q = find_row(&base.sw, r);

		if (q && strcmp(q->variant, r->variant) != 0) {
			printf("warning: the kernels ran other instruction-set variants (%s: BASE %s, "
			       "NEW %s): the comparison includes the code, not only the machine\n",
			       r->k->name, q->variant[0] ? q->variant : "not recorded",
			       r->variant[0] ? r->variant : "not recorded");
			break;
		}
	}
	run_free(&base);
	run_free(&cur);
	return t.slower ? EXIT_VERIFY : 0;
}

const struct command cmd_compare = { &cli, "compare two runs of one machine", 0, compare_parse,
				     compare_exec };
