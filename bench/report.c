/*
 * report.c - the speedup table, the warnings, and the run's CSV and JSON files.
 *
 * Times are Google Benchmark's aggregates over repetitions of wall time, barrier to barrier.
 * Speedup = median(serial) / median(this), both from this run and the same kernel and size;
 * efficiency = speedup / workers.  No statistic is computed here that Google Benchmark
 * already computed.
 */
#include "report.h"
#include "outfile.h"
#include "pb_build.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *report_fmt_time(char *buf, size_t len, double s)
{
	if (s >= 1)
		snprintf(buf, len, "%.3f s", s);
	else if (s >= 1e-3)
		snprintf(buf, len, "%.2f ms", s * 1e3);
	else
		snprintf(buf, len, "%.1f us", s * 1e6);
	return buf;
}

/* A row's rate and how near its roof it runs (roof.h): compute kernels in items/ns and
 * core-cycles per item (median x clock x workers / items); filters in MPix/s and their
 * GB/s as a fraction of the copy bandwidth measured with as many workers; io_wait in items/s. */
struct row_rate {
	double rate;
	const char *unit;
	double cycles; /* 0: not known */
	double copy;   /* 0: not known */
};

static struct row_rate row_rate(const struct sweep_row *r, const struct roof *roof)
{
	struct row_rate rr = { 0, "", 0, 0 };

	if (!r->elements || !(r->median > 0))
		return rr;
	if (r->pixels) {
		double bw = roof ? roof_copy_bps(roof, r->workers) : 0;

		rr.rate = (double)r->pixels * 1e-6 / r->median;
		rr.unit = "MPix/s";
		rr.copy = bw > 0 ? (double)r->bytes / r->median / bw : 0;
	} else if (!r->variant[0]) {
		rr.rate = (double)r->elements / r->median;
		rr.unit = "items/s";
	} else {
		rr.rate = (double)r->elements * 1e-9 / r->median;
		rr.unit = "items/ns";
		if (roof && roof->clock_hz > 0)
			rr.cycles = r->median * roof->clock_hz * r->workers / (double)r->elements;
	}
	return rr;
}

static int row_oversubscribed(const struct sweep_row *r, const struct sweep *sw)
{
	return r->workers > sw->cores || r->plan.oversubscribed > 0;
}

/* Noisy: adaptive runs, the median's interval ended wider than wanted; fixed repetitions,
 * a cv above REPORT_CV_LIMIT. */
static int row_noisy(const struct sweep_row *r, const struct sweep *sw)
{
	return sw->precision > 0 ? r->wide : r->cv > REPORT_CV_LIMIT;
}

/* The legend's lines on how times and speedups were measured. */
static void print_times_note(FILE *out, const struct sweep *sw, const struct run_meta *m)
{
	size_t lo = 0, hi = 0;

	for (size_t i = 0; i < sw->n_rows; i++) {
		size_t n = sw->rows[i].n_samples;

		if (!n)
			continue;
		lo = !lo || n < lo ? n : lo;
		hi = n > hi ? n : hi;
	}
	if (sw->precision > 0)
		fprintf(out, "times: median, min and max over %zu to %zu repetitions of wall time "
			     "(adaptive: at least %d, more in %u round%s until the median's 95%% interval "
			     "(+-med) is within +-%.1f%%, at most %d; budget %.0f s, the sweep took %.0f s), "
			     "barrier to barrier, each result verified%s\n", lo, hi, SWEEP_MIN_REPS,
			sw->rounds > 1 ? sw->rounds - 1 : 0, sw->rounds == 2 ? "" : "s",
			sw->precision * 100, SWEEP_MAX_REPS, sw->budget_s, sw->seconds,
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
		     "size, this run; efficiency = speedup / workers; 95%% interval: percentile "
		     "bootstrap of the speedup over the repetitions, approximate (with %s it "
		     "covers less than 95%%)\n", few);
}

static int row_measured(const struct sweep_row *r)
{
	return r->ran && !r->failed && (!r->interrupted || r->partial) && r->n_samples > 0;
}

/* Rows i.. that belong in one table: same kernel, and same size unless weak scaling. */
static size_t group_end(const struct sweep *sw, size_t i)
{
	size_t j = i;

	while (j < sw->n_rows && sw->rows[j].k == sw->rows[i].k &&
	       (sw->weak || sw->rows[j].size == sw->rows[i].size))
		j++;
	return j;
}

/* Amdahl and Karp-Flatt per parallel backend of one strong-scaling table. */
static void print_analysis(FILE *out, const struct sweep *sw, size_t i, size_t j)
{
	for (size_t a = i; a < j; a++) {
		const struct sweep_row *r = &sw->rows[a];
		double s[SWEEP_MAX_LIST], kf = NAN, best = 0;
		unsigned p[SWEEP_MAX_LIST], maxw = 0, kfw = 0;
		size_t n = 0;
		int first = 1, over = 0;

		for (size_t b = i; b < a; b++)
			first &= sw->rows[b].b != r->b;
		if (!first || (r->b->caps & BACKEND_CAP_BASELINE))
			continue;
		for (size_t b = a; b < j && n < SWEEP_MAX_LIST; b++) {
			const struct sweep_row *q = &sw->rows[b];

			if (q->b != r->b || !row_measured(q) || !(q->speedup > 0))
				continue;
			if (row_oversubscribed(q, sw)) { /* more workers than cores: no model */
				over = 1;
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
			fprintf(out, "  %-14s slower than serial at every worker count (best %.2fx): "
				     "no serial fraction or projection%s\n", r->b->name, best,
				over ? "; oversubscribed rows left out" : "");
			continue;
		}
		if (isnan(f))
			continue;
		fprintf(out, "  %-14s serial fraction: Karp-Flatt %.3f at %u workers, Amdahl fit "
			     "%.3f; projected (not measured): %.2fx at %u, %.2fx at %u workers%s\n",
			r->b->name, kf, kfw, f, stats_amdahl(f, 2.0 * maxw), 2 * maxw,
			stats_amdahl(f, 4.0 * maxw), 4 * maxw,
			over ? " (oversubscribed rows left out)" : "");
	}
}

/* q measured, and of r's series: same kernel, backend and worker count (any size). */
static int in_series(const struct sweep_row *q, const struct sweep_row *r)
{
	return q->k == r->k && q->b == r->b && q->workers == r->workers && row_measured(q);
}

/* A size sweep: per parallel backend and worker count, the size from which it beats serial. */
static void print_break_even(FILE *out, const struct sweep *sw, const struct kernel *k)
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
static void print_hosts(FILE *out, const struct sweep *sw, const struct run_meta *m)
{
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		char hosts[16][64];
		unsigned count[16] = { 0 }, nh = 0, seen = 0;
		const char *p = r->cpus;

		if (!strchr(r->cpus, '@'))
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= sw->rows[j].b == r->b && sw->rows[j].workers == r->workers &&
				strcmp(sw->rows[j].cpus, r->cpus) == 0;
		if (seen)
			continue;
		while ((p = strchr(p, '@'))) { /* "rank@host:cpu ..." */
			size_t len = strcspn(++p, ":");
			unsigned h = 0;

			while (h < nh && (strlen(hosts[h]) != len || strncmp(hosts[h], p, len)))
				h++;
			if (h == nh && nh < 16)
				snprintf(hosts[nh++], sizeof(hosts[0]), "%.*s", (int)len, p);
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

void report_table(FILE *out, const struct sweep *sw, const struct run_meta *m)
{
	unsigned noisy = 0, over = 0, shortrun = 0, bind_fail = 0, superlinear = 0;

	for (size_t i = 0; i < sw->n_rows;) {
		const struct kernel *k = sw->rows[i].k;
		size_t j = group_end(sw, i);
		int img = sw->rows[i].pixels > 0;
		char cal_t[32];

		if (sw->weak)
			fprintf(out, "\n# %s: weak scaling, size %llu (%s) per worker; speedup = "
				     "workers x serial median at that size / median\n", k->name,
				(unsigned long long)sw->rows[i].size, k->size_unit);
		else if (img)
			fprintf(out, "\n# %s: %ux%u picture, %zu rows (items), %.1f MB read + written "
				     "per run", k->name, sw->rows[i].width, sw->rows[i].height,
				sw->rows[i].items, (double)sw->rows[i].bytes * 1e-6);
		else
			fprintf(out, "\n# %s: size %llu (%s), %zu items", k->name,
				(unsigned long long)sw->rows[i].size, k->size_unit, sw->rows[i].items);
		const struct calib_entry *ce = calibration_find(m->calibration, k);

		if (ce && ce->size == sw->rows[i].size && !sw->weak)
			fprintf(out, "; calibrated for a serial run of %s (probe: %.3g s%s)",
				report_fmt_time(cal_t, sizeof(cal_t), m->calibration->target_s),
				ce->probe_s, ce->kept ? ", size kept from an earlier run" : "");
		if (!sw->weak)
			fprintf(out, "%s%s\n", sw->rows[i].variant[0] ? "; variant " : "",
				sw->rows[i].variant);
		const char *rate_head = img ? "   MPix/s    GB/s  %copy"
				      : sw->rows[i].variant[0] ? " items/ns cyc/item" : "  items/s";

		fprintf(out, "  %-14s %7s%s %11s %7s %23s %7s %8s %13s %10s %10s%s\n", "backend",
			"workers", sw->weak ? "        size" : "", "median", "+-med", "min .. max", "cv",
			"speedup", "95% interval", "efficiency", "start-up", rate_head);
		for (size_t a = i; a < j; a++) {
			const struct sweep_row *r = &sw->rows[a];
			char med[32], lo[32], hi[32], range[80], su[32], ci[48], sz[32] = "";
			char mark[8] = "";

			if (sw->weak)
				snprintf(sz, sizeof(sz), " %11llu", (unsigned long long)r->size);
			if (!row_measured(r)) {
				fprintf(out, "  %-14s %7u%s  %s\n", r->b->name, r->workers, sz,
					r->interrupted ? "(not measured: interrupted)"
					: r->failed ? "(FAILED: no timings, see below)"
						    : "(not run: filtered out)");
				continue;
			}
			if (row_oversubscribed(r, sw)) {
				strcat(mark, "*");
				over++;
			}
			if (row_noisy(r, sw)) {
				strcat(mark, "~");
				noisy++;
			}
			if (r->median < REPORT_SHORT_S) {
				strcat(mark, "!");
				shortrun++;
			}
			if (r->partial)
				strcat(mark, "p");
			if (r->speedup > r->workers && r->workers > 1) {
				strcat(mark, "^");
				superlinear++;
			}
			bind_fail += r->bind_failures;
			snprintf(range, sizeof(range), "%s .. %s", report_fmt_time(lo, sizeof(lo), r->min),
				 report_fmt_time(hi, sizeof(hi), r->max));
			if (r->speedup > 0)
				snprintf(su, sizeof(su), "%.2fx", r->speedup);
			else
				snprintf(su, sizeof(su), "-");
			if (r->speedup > 0 && !isnan(r->speedup_lo))
				snprintf(ci, sizeof(ci), "%.2f-%.2f", r->speedup_lo, r->speedup_hi);
			else
				snprintf(ci, sizeof(ci), "-");
			char rate[64] = "", roofcol[16] = "-";
			struct row_rate rr = row_rate(r, m->roof);

			if (img) {
				if (rr.copy > 0)
					snprintf(roofcol, sizeof(roofcol), "%.0f%%", rr.copy * 100);
				snprintf(rate, sizeof(rate), " %8.0f %7.2f %6s", rr.rate,
					 (double)r->bytes * 1e-9 / r->median, roofcol);
			} else if (r->variant[0]) {
				if (rr.cycles > 0)
					snprintf(roofcol, sizeof(roofcol), "%.3f", rr.cycles);
				snprintf(rate, sizeof(rate), " %8.3f %8s", rr.rate, roofcol);
			} else if (rr.rate > 0) {
				snprintf(rate, sizeof(rate), " %8.0f", rr.rate);
			}
			char eff[16] = "-";

			if (r->speedup > 0)
				snprintf(eff, sizeof(eff), "%.0f%%", r->efficiency * 100);
			char pm[16] = "-";

			if (isfinite(r->median_rel))
				snprintf(pm, sizeof(pm), "%.1f%%", r->median_rel * 100);
			fprintf(out, "  %-14s %7u%s %11s %7s %23s %6.1f%% %8s %13s %10s %10s%s %s\n",
				r->b->name, r->workers, sz, report_fmt_time(med, sizeof(med), r->median), pm,
				range, r->cv * 100, su, ci, eff,
				report_fmt_time(lo, sizeof(lo), r->startup_s), rate, mark);
		}
		if (!sw->weak)
			print_analysis(out, sw, i, j);
		if (sw->n_sizes > 1 && !sw->weak && (j == sw->n_rows || sw->rows[j].k != k))
			print_break_even(out, sw, k);
		i = j;
	}
	char noisy_def[96];

	if (sw->precision > 0)
		snprintf(noisy_def, sizeof(noisy_def), "median's interval wider than +-%.1f%% at the "
			 "end (noisy)", sw->precision * 100);
	else
		snprintf(noisy_def, sizeof(noisy_def), "cv above %.0f%% (noisy)", REPORT_CV_LIMIT * 100);
	fprintf(out, "\nlegend: * more workers than cores (a speed comparison is meaningless)  "
		     "~ %s  ! median under %.0f ms (too short to trust)  "
		     "^ speedup above the worker count  p partial: interrupted after fewer repetitions\n",
		noisy_def, REPORT_SHORT_S * 1e3);
	print_times_note(out, sw, m);
	fprintf(out, "machine: %s, %s; pin %s\n", m->host, m->topology, m->pin);
	if (m->roof) {
		fprintf(out, "roof (measured before the sweep, %.2f s): ", m->roof->seconds);
		roof_print(out, m->roof);
		fprintf(out, "cyc/item = median x clock x workers / items (core cycles per item); "
			     "%%copy = GB/s / copy bandwidth with as many workers\n");
	}
	print_hosts(out, sw, m);
	/* rows of backends that mpirun starts, beside rows parbench measured itself: they were
	 * measured in a phase of their own, which the interleaving above does not cover */
	int launched = 0, own = 0;

	for (size_t i = 0; i < sw->n_rows; i++) {
		if (!row_measured(&sw->rows[i]))
			continue;
		if (sw->rows[i].b->caps & BACKEND_CAP_NEEDS_LAUNCHER)
			launched = 1;
		else
			own = 1;
	}
	if (launched && own)
		fprintf(out, "note: the MPI rows were measured by mpirun after the other backends had "
			     "stopped, not interleaved with them: drift between the two phases shows "
			     "in their speedups\n");

	if (noisy && sw->precision > 0)
		fprintf(out, "warning: %u configuration%s ended with the median's 95%% interval wider "
			     "than +-%.1f%% (the budget or the cap of %d repetitions came first): the "
			     "machine is noisy; rerun idle or with a larger --budget\n", noisy,
			noisy == 1 ? "" : "s", sw->precision * 100, SWEEP_MAX_REPS);
	else if (noisy)
		fprintf(out, "warning: %u configuration%s had cv above %.0f%%: the machine is noisy; "
			     "rerun idle or with more repetitions\n", noisy, noisy == 1 ? "" : "s",
			REPORT_CV_LIMIT * 100);
	if (over)
		fprintf(out, "warning: %u configuration%s had more workers than the %u cores: fine "
			     "for correctness, meaningless for speed\n", over, over == 1 ? "" : "s",
			sw->cores);
	if (shortrun)
		fprintf(out, "warning: %u configuration%s ran under %.0f ms per run: overheads and "
			     "clock resolution dominate\n", shortrun, shortrun == 1 ? "" : "s",
			REPORT_SHORT_S * 1e3);
	if (superlinear)
		fprintf(out, "warning: %u configuration%s a speedup above the worker count: noise "
			     "when the min .. max ranges overlap serial's, else cache effects\n",
			superlinear, superlinear == 1 ? " shows" : "s show");
	if (bind_fail)
		fprintf(out, "warning: %u worker binding%s failed: those workers ran unpinned\n",
			bind_fail, bind_fail == 1 ? "" : "s");
	if (strcmp(m->pin, "none") == 0)
		fprintf(out, "warning: workers are not pinned (--pin none): the scheduler may move "
			     "them between cores\n");
	if (m->governor[0] && strcmp(m->governor, "performance") != 0)
		fprintf(out, "warning: CPU frequency governor is '%s', not 'performance'\n",
			m->governor);
	if (m->machine && m->machine->steal > 0.02)
		fprintf(out, "warning: %.1f%% of the CPU time was stolen by other guests during the "
			     "run (/proc/stat): timings may be off\n", m->machine->steal * 100);
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

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int report_write_summary(const char *dir, const struct sweep *sw, const struct roof *roof)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "summary.csv");

	if (err)
		return err;
	fprintf(o.f, "kernel,backend,workers,size,items,median_s,min_s,max_s,mean_s,stddev_s,cv,"
		     "speedup,efficiency,repetitions,iterations,startup_s,oversubscribed,pin,cpus,"
		     "gil_switches,pixels,bytes,mpix_per_s,gb_per_s,median_ci_lo_s,median_ci_hi_s,"
		     "median_ci_level,speedup_ci_lo,speedup_ci_hi,karp_flatt,scaling,width,height,"
		     "partial,variant,elements,rate,rate_unit,cycles_per_item,copy_fraction\n");
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		char plan[4096];

		if (!row_measured(r))
			continue;
		if (r->plan_text[0] && r->plan.n == 0)
			snprintf(plan, sizeof(plan), "%s", r->plan_text);
		else
			pin_plan_describe(&r->plan, plan, sizeof(plan));
		fprintf(o.f, "%s,%s,%u,%llu,%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.6f,%.6f,%.6f,%zu,%lld,%.9g,%d,",
			r->k->name, r->b->name, r->workers, (unsigned long long)r->size, r->items,
			r->median, r->min, r->max, r->mean, r->stddev, r->cv, r->speedup, r->efficiency,
			r->n_samples, (long long)r->iterations, r->startup_s,
			row_oversubscribed(r, sw));
		csv_field(o.f, plan);
		fputc(',', o.f);
		csv_field(o.f, r->cpus);
		fprintf(o.f, ",%llu,%llu,%llu,%.6g,%.6g,%.9g,%.9g,%.4f,%.6f,%.6f,%.6f,%s,%u,%u,%d,",
			(unsigned long long)r->gil_switches, (unsigned long long)r->pixels,
			(unsigned long long)r->bytes,
			r->pixels ? (double)r->pixels * 1e-6 / r->median : 0,
			r->bytes ? (double)r->bytes * 1e-9 / r->median : 0, r->median_lo, r->median_hi,
			r->median_level, r->speedup_lo, r->speedup_hi, r->karp_flatt,
			sw->weak ? "weak" : "strong", r->width, r->height, r->partial);
		struct row_rate rr = row_rate(r, roof);

		csv_field(o.f, r->variant);
		fprintf(o.f, ",%llu,%.6g,%s,%.6g,%.6g\n", (unsigned long long)r->elements, rr.rate,
			rr.unit, rr.cycles, rr.copy);
	}
	return outfile_commit(&o);
}

int report_write_samples(const char *dir, const struct sweep *sw)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "samples.csv");

	if (err)
		return err;
	fprintf(o.f, "kernel,backend,workers,size,repetition,seconds\n");
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (!row_measured(r))
			continue;
		for (size_t s = 0; s < r->n_samples; s++)
			fprintf(o.f, "%s,%s,%u,%llu,%zu,%.9g\n", r->k->name, r->b->name, r->workers,
				(unsigned long long)r->size, s, r->samples[s]);
	}
	return outfile_commit(&o);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_kv(FILE *f, const char *key, const char *val, int comma)
{
	fprintf(f, "  ");
	json_str(f, key);
	fprintf(f, ": ");
	json_str(f, val);
	fprintf(f, "%s\n", comma ? "," : "");
}

int report_write_meta(const char *dir, const struct sweep *sw, const struct run_meta *m)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "meta.json");
	int first = 1;

	if (err)
		return err;
	fprintf(o.f, "{\n");
	json_kv(o.f, "parbench_commit", PB_GIT_COMMIT, 1);
	json_kv(o.f, "date", m->date, 1);
	json_kv(o.f, "host", m->host, 1);
	json_kv(o.f, "cpu_model", m->cpu_model, 1);
	json_kv(o.f, "topology", m->topology, 1);
	fprintf(o.f, "  \"cores\": %u,\n  \"pus\": %u,\n", m->cores, m->pus);
	json_kv(o.f, "governor", m->governor, 1);
	fprintf(o.f, "  \"load_before\": [%.2f, %.2f, %.2f],\n", m->load_before[0],
		m->load_before[1], m->load_before[2]);
	fprintf(o.f, "  \"load_after\": [%.2f, %.2f, %.2f],\n", m->load_after[0], m->load_after[1],
		m->load_after[2]);
	json_kv(o.f, "compiler", PB_COMPILER, 1);
	json_kv(o.f, "c_flags", PB_C_FLAGS, 1);
	json_kv(o.f, "build_type", PB_BUILD_TYPE, 1);
	json_kv(o.f, "google_benchmark", PB_GBENCH_VERSION, 1);
	json_kv(o.f, "hwloc", PB_HWLOC_VERSION, 1);
	json_kv(o.f, "openmp", PB_OPENMP_VERSION, 1);
	json_kv(o.f, "args", m->args, 1);
	json_kv(o.f, "pin", m->pin, 1);
	json_kv(o.f, "interconnect", m->interconnect ? m->interconnect : "", 1);
	fprintf(o.f, "  \"repetitions\": %d,\n  \"interleaved\": %s,\n  \"quick\": %s,\n",
		m->repetitions, m->interleaved ? "true" : "false", m->quick ? "true" : "false");
	json_kv(o.f, "kernel_variant", kernel_variant(), 1);
	if (sw->precision > 0)
		fprintf(o.f, "  \"adaptive\": {\"precision\": %g, \"budget_s\": %g, \"rounds\": %u, "
			     "\"sweep_seconds\": %.1f, \"min_repetitions\": %d, "
			     "\"max_repetitions\": %d, \"wide\": %u},\n", sw->precision, sw->budget_s,
			sw->rounds, sw->seconds, SWEEP_MIN_REPS, SWEEP_MAX_REPS, sw->wide);
	if (m->calibration && m->calibration->n) {
		const struct calibration *c = m->calibration;

		fprintf(o.f, "  \"calibrated_sizes\": \"");
		for (size_t i = 0; i < c->n; i++)
			fprintf(o.f, "%s%s=%llu", i ? "," : "", c->e[i].k->name,
				(unsigned long long)c->e[i].size);
		fprintf(o.f, "\",\n  \"calibration\": {\"target_s\": %g, \"kernels\": [", c->target_s);
		for (size_t i = 0; i < c->n; i++)
			fprintf(o.f, "%s{\"kernel\": \"%s\", \"size\": %llu, \"probe_s\": %.4g, "
				     "\"kept\": %s}", i ? ", " : "", c->e[i].k->name,
				(unsigned long long)c->e[i].size, c->e[i].probe_s,
				c->e[i].kept ? "true" : "false");
		fprintf(o.f, "]},\n");
	}
	if (m->machine) {
		fprintf(o.f, "  \"machine_state\": {\"boost\": \"%s\", \"aslr\": %d, "
			     "\"busy_at_start\": %u, \"busy_names\": ", m->machine->boost,
			m->machine->aslr, m->machine->busy);
		json_str(o.f, m->machine->busy_names);
		fprintf(o.f, ", \"steal\": %.4f},\n", m->machine->steal);
	}
	if (m->roof)
		roof_write_json(o.f, m->roof);
	fprintf(o.f, "  \"placement\": [\n");
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		char plan[4096];

		if (!r->ran)
			continue;
		if (r->plan_text[0] && r->plan.n == 0)
			snprintf(plan, sizeof(plan), "%s", r->plan_text);
		else
			pin_plan_describe(&r->plan, plan, sizeof(plan));
		fprintf(o.f, "%s    {\"kernel\": ", first ? "" : ",\n");
		json_str(o.f, r->k->name);
		fprintf(o.f, ", \"backend\": ");
		json_str(o.f, r->b->name);
		fprintf(o.f, ", \"workers\": %u, \"plan\": ", r->workers);
		json_str(o.f, plan);
		fprintf(o.f, ", \"cpus_last_run\": ");
		json_str(o.f, r->cpus);
		fprintf(o.f, ", \"bind_failures\": %u, \"respawns\": %u}", r->bind_failures,
			r->respawns);
		first = 0;
	}
	fprintf(o.f, "\n  ],\n  \"failures\": [\n");
	first = 1;
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (!r->failed && (!r->interrupted || r->partial))
			continue;
		fprintf(o.f, "%s    {\"kernel\": ", first ? "" : ",\n");
		json_str(o.f, r->k->name);
		fprintf(o.f, ", \"backend\": ");
		json_str(o.f, r->b->name);
		fprintf(o.f, ", \"workers\": %u, \"error\": ", r->workers);
		json_str(o.f, r->error);
		fprintf(o.f, "}");
		first = 0;
	}
	fprintf(o.f, "\n  ]\n}\n");
	return outfile_commit(&o);
}

/* The backends (serial excepted) that have measured rows for kernel k, space-separated. */
static void chart_backends(const struct sweep *sw, const struct kernel *k, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		int seen = 0;

		if (r->k != k || !row_measured(r) || (r->b->caps & BACKEND_CAP_BASELINE))
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= sw->rows[j].k == k && sw->rows[j].b == r->b && row_measured(&sw->rows[j]);
		if (!seen && used + strlen(r->b->name) + 2 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 r->b->name);
	}
}

static int roof_present(const char *dir)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/roof.csv", dir);
	return access(path, R_OK) == 0;
}

static int run_gnuplot(const char *plots_dir, const char *script, const char *expr)
{
	char path[1200];
	char *argv[] = { "gnuplot", "-e", (char *)expr, path, NULL };
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/%s", plots_dir, script);
	if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ) != 0)
		return -ENOENT;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
	return 0;
}

/* What the charts of kernel k show: the largest size (strong scaling), the largest worker
 * count measured. */
static void chart_focus(const struct sweep *sw, const struct kernel *k, uint64_t *size,
			unsigned *workers)
{
	*size = 0;
	*workers = 0;
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (r->k != k || !row_measured(r))
			continue;
		if (!sw->weak && r->size > *size)
			*size = r->size;
		if (r->workers > *workers)
			*workers = r->workers;
	}
}

int report_charts(const char *dir, const struct sweep *sw, const struct run_meta *m,
		  const char *plots_dir)
{
	char expr[4096], backends[1024], caption[1024];
	int rc = 0, e;

	int hosts = 0;

	for (size_t i = 0; i < sw->n_rows && !hosts; i++) {
		const char *at = strchr(sw->rows[i].cpus, '@'), *next;
		size_t len;

		if (!at)
			continue;
		len = strcspn(at, ":");
		for (next = strchr(at + 1, '@'); next && !hosts; next = strchr(next + 1, '@'))
			hosts = strcspn(next, ":") != len || strncmp(next, at, len) != 0;
	}
	snprintf(caption, sizeof(caption), "%s, %s, %u cores; run %s; parbench %s%s%s", m->host,
		 m->cpu_model, m->cores, m->date, PB_GIT_COMMIT,
		 hosts ? "; MPI across hosts: " : "",
		 hosts ? (m->interconnect ? m->interconnect : "interconnect not said") : "");
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct kernel *k = sw->rows[i].k;
		uint64_t size;
		unsigned workers;

		if (i > 0 && sw->rows[i - 1].k == k)
			continue;
		chart_backends(sw, k, backends, sizeof(backends));
		if (!backends[0])
			continue; /* nothing measured to draw */
		chart_focus(sw, k, &size, &workers);
		snprintf(expr, sizeof(expr),
			 "csv='%s/summary.csv'; out='%s/speedup-%s'; kernel='%s'; size=%llu; "
			 "backends='%s'; caption='%s'", dir, dir, k->name, k->name,
			 (unsigned long long)size, backends, caption);
		if ((e = run_gnuplot(plots_dir, "speedup.gp", expr)) != 0)
			rc = rc ? rc : e;
		if (!sw->weak) {
			snprintf(expr, sizeof(expr),
				 "csv='%s/summary.csv'; out='%s/time-%s'; kernel='%s'; size=%llu; "
				 "workers=%u; caption='%s'", dir, dir, k->name, k->name,
				 (unsigned long long)size, workers, caption);
			if ((e = run_gnuplot(plots_dir, "time.gp", expr)) != 0)
				rc = rc ? rc : e;
		}
		/* the roof chart: for kernels with a hot loop, when the run measured its roof */
		if (!sw->weak && sw->rows[i].variant[0] && roof_present(dir)) {
			snprintf(expr, sizeof(expr),
				 "csv='%s/summary.csv'; roof='%s/roof.csv'; out='%s/roof-%s'; "
				 "kernel='%s'; size=%llu; image=%d; backends='serial %s'; caption='%s'",
				 dir, dir, dir, k->name, k->name, (unsigned long long)size,
				 sw->rows[i].pixels > 0, backends, caption);
			if ((e = run_gnuplot(plots_dir, "roof.gp", expr)) != 0)
				rc = rc ? rc : e;
		}
		if (sw->n_sizes > 1 && !sw->weak) {
			snprintf(expr, sizeof(expr),
				 "csv='%s/summary.csv'; out='%s/breakeven-%s'; kernel='%s'; workers=%u; "
				 "backends='%s'; unit='%s'; caption='%s'", dir, dir, k->name, k->name,
				 workers, backends, k->size_unit, caption);
			if ((e = run_gnuplot(plots_dir, "breakeven.gp", expr)) != 0)
				rc = rc ? rc : e;
		}
		if (rc == -ENOENT)
			return rc;
	}
	return rc;
}

int report_write_markdown(const char *dir, const struct sweep *sw, const struct run_meta *m,
			  int charts_ok)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "report.md");

	if (err)
		return err;
	fprintf(o.f, "# parbench run: %s, %s\n\n", m->host, m->date);
	fprintf(o.f, "- machine: %s; %s\n", m->cpu_model, m->topology);
	fprintf(o.f, "- built: parbench %s, %s, `%s`\n", PB_GIT_COMMIT, PB_COMPILER, PB_C_FLAGS);
	fprintf(o.f, "- command: `%s`\n", m->args);
	fprintf(o.f, "- load average before / after: %.2f / %.2f\n\n", m->load_before[0],
		m->load_after[0]);
	fprintf(o.f, "Files: `summary.csv`, `samples.csv`, `meta.json`, `gbench.json`, "
		     "`topology.xml` (formats: results/README.md in the parbench sources).\n\n");
	fprintf(o.f, "## Tables and warnings\n\n```");
	report_table(o.f, sw, m);
	fprintf(o.f, "```\n");
	if (!charts_ok) {
		fprintf(o.f, "\nNo charts: gnuplot is not installed (apt-get install gnuplot-nox).\n");
		return outfile_commit(&o);
	}
	fprintf(o.f, "\n## Charts\n\nError bars span the fastest and the slowest repetition; "
		     "the dashed line is ideal scaling. SVG versions sit beside the PNGs.\n");
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct kernel *k = sw->rows[i].k;
		char backends[1024];

		if (i > 0 && sw->rows[i - 1].k == k)
			continue;
		chart_backends(sw, k, backends, sizeof(backends));
		if (!backends[0])
			continue;
		uint64_t size;
		unsigned workers;

		chart_focus(sw, k, &size, &workers);
		fprintf(o.f, "\n### %s\n\n", k->name);
		if (size && sw->n_sizes > 1)
			fprintf(o.f, "Speedup and efficiency at size %llu (the largest measured).\n\n",
				(unsigned long long)size);
		fprintf(o.f, "![speedup of %s](speedup-%s.png)\n"
			     "![efficiency of %s](speedup-%s-efficiency.png)\n",
			k->name, k->name, k->name, k->name);
		if (!sw->weak)
			fprintf(o.f, "![time per backend of %s at %u workers](time-%s.png)\n", k->name,
				workers, k->name);
		if (!sw->weak && sw->rows[i].variant[0] && roof_present(dir))
			fprintf(o.f, "![%s of %s against the roof](roof-%s.png)\n",
				sw->rows[i].pixels ? "GB/s" : "cycles per item", k->name, k->name);
		if (sw->n_sizes > 1 && !sw->weak)
			fprintf(o.f, "![speedup against size of %s at %u workers](breakeven-%s.png)\n",
				k->name, workers, k->name);
	}
	return outfile_commit(&o);
}
