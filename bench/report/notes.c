/*
 * notes.c - what the tables say in words: the serial fraction and projections under each
 * table, the break-even sizes of a size sweep, the MPI hosts, how the times were measured,
 * and the warnings.
 */
#include "report_int.h"
#include "stats.h"
#include "steady.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The legend's lines on how times and speedups were measured. */
void print_times_note(FILE *out, const struct sweep *sw, const struct run_meta *m)
{
	size_t lo = 0, hi = 0;

	for (size_t i = 0; i < sw->n_rows; i++) {
		size_t n = sw->rows[i].n_samples;

		if (!n)
			continue;
		lo = !lo || n < lo ? n : lo;
		hi = n > hi ? n : hi;
	}
	char reps[48], rounds[96];

	snprintf(reps, sizeof(reps), lo == hi ? "%zu" : "%zu to %zu", lo, hi);
	if (sw->rounds > 1)
		snprintf(rounds, sizeof(rounds), "%u more round%s", sw->rounds - 1,
			 sw->rounds == 2 ? "" : "s");
	else
		snprintf(rounds, sizeof(rounds), "no more round: the first used the budget");
	if (sw->precision > 0)
		fprintf(out, "times: median, min and max over %s repetitions of wall time "
			     "(adaptive: %d, then more where the median's 95%% interval (+-med) was wider "
			     "than +-%.1f%%, at most %d, while the budget of %.0f s lasted: %s; the "
			     "measurement took %.0f s), barrier to barrier, each result verified%s\n",
			reps, SWEEP_MIN_REPS, sw->precision * 100, SWEEP_MAX_REPS, sw->budget_s, rounds,
			sw->seconds,
			m->interleaved ? "; repetitions interleaved at random across configurations" : "");
	else
		fprintf(out, "times: median, min and max over %d repetitions of wall time, barrier to "
			     "barrier, each result verified%s\n", m->repetitions,
			m->interleaved ? "; repetitions interleaved at random across configurations" : "");
	char few[48] = "few repetitions";

	if (!(sw->precision > 0))
		snprintf(few, sizeof(few), "%d repetitions", m->repetitions);
	fprintf(out, "+-med: the larger side of the median's 95%% interval (order statistics; '-' "
		     "under 6 repetitions); speedup = median(serial) / median(row), same kernel and "
		     "size, this run (CPython rows: cpython's, or cpython-ft's for the free-threaded "
		     "rows: serial in the same interpreter); efficiency = speedup / workers; 95%% interval: percentile "
		     "bootstrap of the speedup over the repetitions, approximate (with %s it "
		     "covers less than 95%%)\n", few);
}

/* Amdahl and Karp-Flatt per parallel backend of one strong-scaling table. */
void print_analysis(FILE *out, const struct sweep *sw, size_t i, size_t j)
{
	for (size_t a = i; a < j; a++) {
		const struct sweep_row *r = &sw->rows[a];
		double s[SWEEP_MAX_LIST], kf = NAN, best = 0;
		unsigned p[SWEEP_MAX_LIST], maxw = 0, kfw = 0;
		size_t n = 0;
		int first = 1, over = 0, smt = 0;

		for (size_t b = i; b < a; b++)
			first &= sw->rows[b].b != r->b;
		if (!first || !(r->b->caps & BACKEND_CAP_PARALLEL))
			continue;
		for (size_t b = a; b < j && n < SWEEP_MAX_LIST; b++) {
			const struct sweep_row *q = &sw->rows[b];

			if (q->b != r->b || !row_measured(q) || !(q->speedup > 0))
				continue;
			if (row_oversubscribed(q, sw)) { /* more workers than cores: no model */
				over = 1;
				continue;
			}
			if (row_shares_core(q, sw)) { /* a sibling PU is not another core */
				smt = 1;
				continue;
			}
			if (q->workers > 1 && q->speedup > best)
				best = q->speedup;
			s[n] = q->speedup;
			p[n++] = q->workers;
			if (q->workers > maxw)
				maxw = q->workers;
			if (q->workers > 1 && q->workers >= kfw && !isnan(q->karp_flatt)) {
				kf = q->karp_flatt;
				kfw = q->workers;
			}
		}
		double f = stats_amdahl_fit(s, p, n);

		/* a serial fraction of a slowdown means nothing: say what it is */
		if (best > 0 && best <= 1) {
			const struct backend *base = backend_baseline_of(r->b);

			fprintf(out, "  %-18s slower than %s at every worker count (best %.2fx): "
				     "no serial fraction or projection%s\n", r->b->name,
				base ? base->name : "serial", best,
				over ? "; oversubscribed rows left out" : "");
			continue;
		}
		if (isnan(f))
			continue;
		fprintf(out, "  %-18s serial fraction: Karp-Flatt %.3f at %u workers, Amdahl fit "
			     "%.3f; projected (not measured): %.2fx at %u, %.2fx at %u workers%s\n",
			r->b->name, kf, kfw, f, stats_amdahl(f, 2.0 * maxw), 2 * maxw,
			stats_amdahl(f, 4.0 * maxw), 4 * maxw,
			over ? " (oversubscribed rows left out)"
			: smt ? " (rows on SMT siblings left out)" : "");
	}
}

/* q measured, and of r's series: same kernel, backend and worker count (any size). */
static int in_series(const struct sweep_row *q, const struct sweep_row *r)
{
	return q->k == r->k && q->b == r->b && q->workers == r->workers && row_measured(q);
}

/* A size sweep: per parallel backend and worker count, the size from which it beats serial. */
void print_break_even(FILE *out, const struct sweep *sw, const struct kernel *k)
{
	int any = 0;

	for (size_t a = 0; a < sw->n_rows; a++) {
		const struct sweep_row *r = &sw->rows[a];
		int first = 1;
		uint64_t from = 0, below = 0;

		if (r->k != k || r->workers < 2 || !row_measured(r))
			continue;
		for (size_t b = 0; b < a; b++)
			first &= !in_series(&sw->rows[b], r);
		if (!first)
			continue;
		/* the break-even size is the smallest above the largest size that loses (the
		 * --sizes list may come in any order) */
		for (size_t b = 0; b < sw->n_rows; b++)
			if (in_series(&sw->rows[b], r) && sw->rows[b].speedup < 1 &&
			    sw->rows[b].size > below)
				below = sw->rows[b].size;
		for (size_t b = 0; b < sw->n_rows; b++)
			if (in_series(&sw->rows[b], r) && sw->rows[b].size > below &&
			    (from == 0 || sw->rows[b].size < from))
				from = sw->rows[b].size;
		if (!any)
			fprintf(out, "  break-even (the smallest size from which parallel beats serial at "
				     "every larger size measured):\n");
		any = 1;
		if (!from)
			fprintf(out, "    %-14s x%-3u never, up to size %llu\n", r->b->name, r->workers,
				(unsigned long long)below);
		else if (!below)
			fprintf(out, "    %-14s x%-3u at every size measured (from %llu)\n", r->b->name,
				r->workers, (unsigned long long)from);
		else
			fprintf(out, "    %-14s x%-3u from size %llu (slower at %llu)\n", r->b->name,
				r->workers, (unsigned long long)from, (unsigned long long)below);
	}
}

/* MPI rows whose ranks ran on more than one host: the hosts, ranks per host, the link. */
void print_hosts(FILE *out, const struct sweep *sw, const struct run_meta *m)
{
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		struct placed p[64];
		const char *hosts[16];
		unsigned count[16] = { 0 }, nh = 0, seen = 0;
		size_t n = row_placement(r, p, 64);

		for (size_t j = 0; j < i; j++)
			seen |= sw->rows[j].b == r->b && sw->rows[j].workers == r->workers &&
				strcmp(sw->rows[j].cpus, r->cpus) == 0;
		if (seen || n == 0 || p[0].rank < 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			unsigned h = 0;

			if (k > 0 && p[k].rank == p[k - 1].rank)
				continue; /* a rank's other threads */
			while (h < nh && strcmp(hosts[h], p[k].host) != 0)
				h++;
			if (h == nh && nh < 16)
				hosts[nh++] = p[k].host;
			if (h < 16)
				count[h]++;
		}
		if (nh < 2)
			continue;
		fprintf(out, "hosts: %s x%u ran on %u hosts:", r->b->name, r->workers, nh);
		for (unsigned h = 0; h < nh; h++)
			fprintf(out, " %s (%u rank%s)", hosts[h], count[h], count[h] == 1 ? "" : "s");
		fprintf(out, "; interconnect: %s\n", m->interconnect ? m->interconnect : "not said");
	}
}

/* Two workers of row r ran on one CPU of one host (a (host, CPU) pair named twice). */
static int row_shares_cpu(const struct sweep_row *r)
{
	struct placed p[64];
	size_t n = row_placement(r, p, 64);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (p[i].cpu == p[j].cpu && p[i].cpu >= 0 && strcmp(p[i].host, p[j].host) == 0)
				return 1;
	return 0;
}

/* Memory-bound rows (bytes moved per run) whose input's pages sat on one NUMA node while
 * their workers ran on several: they measured that node's memory, not the machine's. */
static void print_pages_warning(FILE *out, const struct sweep *sw)
{
	unsigned n = 0, node = 0;

	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		int one = r->bytes && row_measured(r) ? place_one_node(&r->pages) : -1;

		if (one >= 0 && n++ == 0)
			node = (unsigned)one;
	}
	if (n)
		fprintf(out, "warning: %u memory-bound configuration%s ran workers on several NUMA "
			     "nodes with 90%% or more of the input's pages on one (node %u%s; meta.json: "
			     "placement, pages): %s bandwidth is one node's\n", n, n == 1 ? "" : "s",
			node, n > 1 ? " for the first" : "", n == 1 ? "its" : "their");
}

void print_warnings(FILE *out, const struct sweep *sw, const struct run_meta *m,
		    const struct report_marks *c)
{
	unsigned shared = 0;

	for (size_t i = 0; i < sw->n_rows && strcmp(m->pin, "none") != 0; i++)
		shared += row_measured(&sw->rows[i]) && sw->rows[i].workers > 1 &&
			  !row_oversubscribed(&sw->rows[i], sw) && row_shares_cpu(&sw->rows[i]);
	if (shared)
		fprintf(out, "warning: %u configuration%s ran two workers on one CPU of a host "
			     "(meta.json: placement): their times measure sharing, not parallel "
			     "speed\n", shared, shared == 1 ? "" : "s");
	print_pages_warning(out, sw);
	print_model_notes(out, c);
	if (c->noisy)
		fprintf(out, "warning: %u configuration%s marked ~: %s speedup is not known to +-%.0f%% "
			     "or does not settle a gain or loss over the baseline; the machine is noisy: "
			     "rerun idle or with %s\n", c->noisy, c->noisy == 1 ? "" : "s",
			c->noisy == 1 ? "its" : "their", REPORT_NOISY_REL * 100,
			sw->precision > 0 ? "a larger --budget" : "more repetitions");
	if (sw->wide)
		fprintf(out, "note: %u configuration%s ended with the median's 95%% interval wider than "
			     "+-%.1f%% (the budget or the cap of %d repetitions came first)\n", sw->wide,
			sw->wide == 1 ? "" : "s", sw->precision * 100, SWEEP_MAX_REPS);
	if (c->over)
		fprintf(out, "warning: %u configuration%s had more workers than the %u cores: fine "
			     "for correctness, meaningless for speed\n", c->over, c->over == 1 ? "" : "s",
			sw->cores);
	if (c->shortrun)
		fprintf(out, "warning: %u configuration%s ran under %.0f ms per run: overheads and "
			     "clock resolution dominate\n", c->shortrun, c->shortrun == 1 ? "" : "s",
			REPORT_SHORT_S * 1e3);
	if (c->superlinear)
		fprintf(out, "warning: %u configuration%s a speedup above the worker count: noise "
			     "when the min .. max ranges overlap serial's, else cache effects\n",
			c->superlinear, c->superlinear == 1 ? " shows" : "s show");
	if (c->bind_fail)
		fprintf(out, "warning: %u worker binding%s failed: those workers ran unpinned\n",
			c->bind_fail, c->bind_fail == 1 ? "" : "s");
	if (strcmp(m->pin, "none") == 0)
		fprintf(out, "warning: workers are not pinned (--pin none): the scheduler may move "
			     "them between cores\n");
	if (m->governor[0] && strcmp(m->governor, "performance") != 0)
		fprintf(out, "warning: CPU frequency governor is '%s', not 'performance'\n",
			m->governor);
	if (m->machine && m->machine->steal > 0.02)
		fprintf(out, "warning: %.1f%% of the CPU time was stolen by other guests during the "
			     "run (/proc/stat): timings may be off\n", m->machine->steal * 100);
	if (m->machine && m->machine->steady_n && m->machine->steady_slow > REPORT_UNSTEADY)
		fprintf(out, "warning: the CPU's speed varied during the run: of %u short serial "
			     "%s runs timed between configurations, %.0f%% took over %.0f%% longer "
			     "than the fastest (the slowest %.2fx; steal time %.1f%%): other processes, "
			     "other tenants of the host's cores (which steal time does not show) or the "
			     "clock; intervals widen\n",
			m->machine->steady_n, STEADY_KERNEL, m->machine->steady_slow * 100,
			(STEADY_SLOW - 1) * 100,
			m->machine->steady_worst, m->machine->steal > 0 ? m->machine->steal * 100 : 0);
	if (m->machine && m->machine->busy)
		fprintf(out, "warning: %u other process%s runnable at the start (%s): they compete "
			     "for the cores\n", m->machine->busy, m->machine->busy == 1 ? " was" : "es were",
			m->machine->busy_names);
	if (m->machine && strcmp(m->machine->boost, "on") == 0)
		fprintf(out, "note: CPU boost is on: the clock follows load and temperature, so "
			     "compare runs as ratios measured in one run\n");
	if (m->load_before[0] > 0.5 * m->cores)
		fprintf(out, "warning: the machine was busy before the run (load %.2f on %u cores)\n",
			m->load_before[0], m->cores);
	if (m->quick)
		fprintf(out, "note: --quick sizes are ~20x smaller: good for checking, not for "
			     "quoting\n");
}
