/*
 * compare_pair.c - for `parbench compare`: which configurations of two runs are compared
 * (the same kernel, backend and worker count; at one size, or per item where a kernel's work
 * per item does not depend on its size), and the machine's own change between the runs from
 * their steadiness probes.  It judges nothing (compare.c does).
 */
#include "compare_int.h"

#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The row of sw with r's kernel, backend and workers (and size, if same_size), or NULL. */
static const struct sweep_row *find_row(const struct sweep *sw, const struct sweep_row *r,
					int same_size)
{
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *q = &sw->rows[i];

		if (strcmp(q->k->name, r->k->name) == 0 && strcmp(q->b->name, r->b->name) == 0 &&
		    q->workers == r->workers && (!same_size || q->size == r->size))
			return q;
	}
	return NULL;
}

/* One size per kernel (and per CPython rows): rows at another size are the same cells. */
static int single_size(const struct sweep *sw)
{
	return !sw->weak && sw->n_sizes <= 1;
}

/* What a run's time counts: the elements of the rate (items, integers, pixels), else the size. */
static double work(const struct sweep_row *r)
{
	return r->elements ? (double)r->elements : (double)r->size;
}

/* NULL when q and r (one configuration at two sizes) compare per item, else why not.  The
 * kernels timed by size do the same work per item at any size (no data to outgrow a cache:
 * sum_squares and range_sum compute, io_wait sleeps); a picture's rows do not. */
static const char *why_not_per_item(const struct sweep_row *q, const struct sweep_row *r)
{
	double a = work(q), b = work(r);

	if (!r->k->timed_size)
		return r->k->summary ? "its time per item depends on the picture's size"
				     : "a kernel this build does not know";
	if (!(a > 0 && b > 0) || fmax(a, b) > COMPARE_MAX_RESIZE * fmin(a, b))
		return "sizes more than 10x apart";
	return NULL;
}

/* The kernels sw ran, comma-separated, into buf. */
static void kernel_list(const struct sweep *sw, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sw->n_rows && used < len; i++) {
		size_t j = 0;

		while (j < i && sw->rows[j].k != sw->rows[i].k)
			j++;
		if (j == i)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 sw->rows[i].k->name);
	}
}

/* Why nothing pairs up, in one line. */
static void why_none(const struct loaded_run *base, const struct loaded_run *cur,
		     struct pairing *p)
{
	char kb[200], kc[200];

	for (size_t i = 0; i < cur->sw.n_rows && p->resized; i++) {
		const struct sweep_row *r = &cur->sw.rows[i], *q = find_row(&base->sw, r, 0);

		if (q && q->size != r->size) {
			snprintf(p->why_none, sizeof(p->why_none), "nothing to compare: %s ran at size "
				 "%llu in BASE and %llu in NEW, not compared (%s); parbench run "
				 "--sizes-from BASE gives a run BASE's sizes", r->k->name,
				 (unsigned long long)q->size, (unsigned long long)r->size,
				 why_not_per_item(q, r));
			return;
		}
	}
	kernel_list(&base->sw, kb, sizeof(kb));
	kernel_list(&cur->sw, kc, sizeof(kc));
	snprintf(p->why_none, sizeof(p->why_none), "nothing to compare: the runs share no "
		 "configuration (kernel, backend, workers; BASE ran %s, NEW ran %s)", kb, kc);
}

int compare_pair(const struct loaded_run *base, const struct loaded_run *cur, struct pairing *p)
{
	char *used = calloc(base->sw.n_rows + 1, 1);
	int resizable = single_size(&base->sw) && single_size(&cur->sw);

	memset(p, 0, sizeof(*p));
	p->cells = calloc(cur->sw.n_rows + 1, sizeof(*p->cells));
	if (!used || !p->cells) {
		free(used);
		free(p->cells);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cur->sw.n_rows; i++) {
		const struct sweep_row *r = &cur->sw.rows[i], *q = find_row(&base->sw, r, 1);
		int per_item = 0;

		if (!q && resizable && (q = find_row(&base->sw, r, 0)) != NULL) {
			used[q - base->sw.rows] = 1;
			if (why_not_per_item(q, r)) {
				p->resized++;
				continue;
			}
			per_item = 1;
		}
		if (!q) {
			p->only_new++;
			continue;
		}
		used[q - base->sw.rows] = 1;
		p->cells[p->n++] = (struct cell){ .base = q, .cur = r, .per_item = per_item,
						  .scale = per_item ? work(q) / work(r) : 1,
						  .cpu = r->k->py_model != PY_BLOCKING };
	}
	for (size_t i = 0; i < base->sw.n_rows; i++)
		p->only_base += !used[i];
	free(used);
	if (!p->n)
		why_none(base, cur, p);
	return 0;
}

void compare_pairing_free(struct pairing *p)
{
	free(p->cells);
	memset(p, 0, sizeof(*p));
}

void compare_size_notes(const struct loaded_run *base, const struct loaded_run *cur)
{
	if (!single_size(&base->sw) || !single_size(&cur->sw))
		return;
	for (size_t i = 0; i < cur->sw.n_rows; i++) {
		const struct sweep_row *r = &cur->sw.rows[i], *q = find_row(&base->sw, r, 0);
		int py = (r->b->caps & BACKEND_CAP_PYTHON) != 0, first = 1;

		for (size_t j = 0; j < i && first; j++) /* one note per kernel, C or CPython */
			first = cur->sw.rows[j].k != r->k ||
				((cur->sw.rows[j].b->caps & BACKEND_CAP_PYTHON) != 0) != py;
		if (!first || !q || q->size == r->size || find_row(&base->sw, r, 1))
			continue;
		const char *why = why_not_per_item(q, r);
		int cal = !py && (strstr(cur->calibrated, r->k->name) ||
				  strstr(base->calibrated, r->k->name));

		printf("note: %s%s ran at another size in each run (BASE %llu, NEW %llu%s): ",
		       r->k->name, py ? " (CPython rows)" : "", (unsigned long long)q->size,
		       (unsigned long long)r->size, cal ? ", calibrated from the time budget" : "");
		if (why)
			printf("its times are not compared (%s)", why);
		else
			printf("its time per item is compared (the work of an item does not depend "
			       "on the size)");
		printf("; parbench run --sizes-from BASE runs at BASE's sizes\n");
	}
}

/* Usable for the machine's change: a median with a 95 % interval and the probe's size. */
static int probe_usable(const struct loaded_run *lr)
{
	return lr->steady.runs >= COMPARE_PROBE_RUNS && lr->steady.size > 0 &&
	       lr->steady.median_s > 0 && lr->steady.ci_lo_s > 0 &&
	       lr->steady.ci_hi_s >= lr->steady.ci_lo_s && lr->steady.ci_level >= 0.95;
}

/* The standard error of the log of a probe's median, from its order-statistics interval. */
static double probe_se(const struct loaded_run *lr)
{
	double z = stats_norm_quantile((1 - lr->steady.ci_level) / 2);

	return (log(lr->steady.ci_hi_s) - log(lr->steady.ci_lo_s)) / (2 * z);
}

/* The same code in both runs: one commit (not dirty), compiler, flags and build type. */
static int one_build(const struct loaded_run *a, const struct loaded_run *b)
{
	return a->commit[0] && strcmp(a->commit, b->commit) == 0 && !strstr(a->commit, "dirty") &&
	       strcmp(a->compiler, b->compiler) == 0 && strcmp(a->c_flags, b->c_flags) == 0 &&
	       strcmp(a->build_type, b->build_type) == 0;
}

struct drift compare_drift(const struct loaded_run *base, const struct loaded_run *cur,
			   int no_drift, double alpha, char *line, size_t len)
{
	struct drift d = { .use = DRIFT_NONE, .ratio = 1, .lo = 1, .hi = 1 };
	const char *as_measured = "times are judged as measured";

	if (no_drift) {
		snprintf(line, len, "machine: its change between the runs is not allowed for "
			 "(--no-drift): %s", as_measured);
		return d;
	}
	if (!probe_usable(base) || !probe_usable(cur)) {
		snprintf(line, len, "machine: %s has no steadiness probe of %d or more runs with "
			 "its median recorded: %s", probe_usable(base) ? "NEW" : "BASE",
			 COMPARE_PROBE_RUNS, as_measured);
		return d;
	}
	if (strcmp(base->steady.kernel, cur->steady.kernel) != 0 ||
	    strcmp(base->variant, cur->variant) != 0) {
		snprintf(line, len, "machine: the steadiness probes ran other code (BASE %s %s, NEW "
			 "%s %s): %s", base->steady.kernel, base->variant, cur->steady.kernel,
			 cur->variant, as_measured);
		return d;
	}
	double w = stats_norm_quantile(alpha / 2) *
		   sqrt(pow(probe_se(base), 2) + pow(probe_se(cur), 2));

	d.ratio = (cur->steady.median_s / (double)cur->steady.size) /
		  (base->steady.median_s / (double)base->steady.size);
	d.lo = d.ratio * exp(-w);
	d.hi = d.ratio * exp(w);
	d.use = one_build(base, cur) ? DRIFT_DIVIDE : DRIFT_EITHER;
	snprintf(line, len, "machine: the steadiness probe (%s, serial, between configurations) "
		 "took %.3fx as long per item in NEW (%.1f%% interval %.3f-%.3f); %s",
		 cur->steady.kernel, d.ratio, 100 * (1 - alpha), d.lo, d.hi,
		 d.use == DRIFT_DIVIDE
			 ? "one build: each CPU-bound cell's ratio is divided by it"
			 : "other builds: the probe's change may be the build's own, so a CPU-bound "
			   "cell's verdict must hold both divided by it and as measured");
	return d;
}
