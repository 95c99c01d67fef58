/*
 * table.c - the speedup tables: per kernel (and size), one row per backend and worker count,
 * with the rate beside the roof; the analysis under each table and the notes after them
 * come from notes.c.
 *
 * Speedup = median(serial) / median(this), both from this run and the same kernel and size;
 * efficiency = speedup / workers.
 */
#include "report_int.h"

#include "text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Not to be trusted at the scale the table is read: the speedup's 95 % interval is wider
 * than +-REPORT_NOISY_REL of it, or the speedup shows a gain or a loss over the baseline of
 * half that which the interval does not establish (it reaches 1.0); a row without a speedup
 * interval, by its median's. */
int row_noisy(const struct sweep_row *r, const struct sweep *sw)
{
	double s = r->speedup, lo = r->speedup_lo, hi = r->speedup_hi;

	(void)sw;
	if (!(s > 0) || !isfinite(lo) || !isfinite(hi))
		return !(r->median_rel <= REPORT_NOISY_REL);
	return fmax(hi / s - 1, 1 - lo / s) > REPORT_NOISY_REL ||
	       (fabs(s - 1) >= REPORT_NOISY_REL / 2 && lo <= 1 && hi >= 1);
}

static int is_python(const struct sweep_row *r)
{
	return (r->b->caps & BACKEND_CAP_PYTHON) != 0;
}

/* Rows i.. that belong in one table: one group (sweep_same_group). */
size_t group_end(const struct sweep *sw, size_t i)
{
	size_t j = i;

	while (j < sw->n_rows && sweep_same_group(sw, &sw->rows[j], &sw->rows[i]))
		j++;
	return j;
}

/* The rate columns' heads: MPix/s, GB/s, %roof (pictures); items/ns, cyc/item; or items/s. */
const char *table_rate_head(const struct sweep_row *r0)
{
	return r0->pixels > 0 ? "   MPix/s    GB/s  %roof"
	       : r0->variant[0] ? " items/ns cyc/item" : "  items/s";
}

/* The header of a kernel's table (rows i..): the work, its size and where it came from. */
void print_head(FILE *out, const struct sweep *sw, const struct run_meta *m, size_t i)
{
	const struct sweep_row *r0 = &sw->rows[i];
	const struct kernel *k = r0->k;
	int img = r0->pixels > 0, py = is_python(r0), ft = 0;
	const struct calibration *cal = py ? m->py_calibration : m->calibration;
	char cal_t[32], name[160];

	for (size_t a = i; a < group_end(sw, i); a++)
		ft |= (sw->rows[a].b->caps & BACKEND_CAP_FREE_THREADED) != 0;
	snprintf(name, sizeof(name), "%s%s%s", k->name, py ? " in CPython (its Python twin; "
		 "speedups against cpython" : "", !py ? "" : ft ? ", the free-threaded rows' "
		 "against cpython-ft: each in its own interpreter)" : ")");
	if (sw->weak)
		fprintf(out, "\n# %s: weak scaling, size %llu (%s) per worker; speedup = "
			     "workers x serial median at that size / median\n", name,
			(unsigned long long)r0->size, k->size_unit);
	else if (img)
		fprintf(out, "\n# %s: %ux%u picture, %zu rows (items), %.1f MB read + written "
			     "per run", name, r0->width, r0->height, r0->items,
			(double)r0->bytes * 1e-6);
	else
		fprintf(out, "\n# %s: size %llu (%s), %zu items", name,
			(unsigned long long)r0->size, k->size_unit, r0->items);
	const struct calib_entry *ce = calibration_find(cal, k);

	if (ce && ce->size == r0->size && !sw->weak)
		fprintf(out, "; calibrated for a serial %srun of %s (probe: %.3g s%s)",
			py ? "CPython " : "",
			text_time(cal_t, sizeof(cal_t), cal->target_s), ce->probe_s,
			ce->kept ? ", size kept from an earlier run" : "");
	if (!sw->weak)
		fprintf(out, "%s%s%s\n", r0->variant[0] && !py ? "; variant " : "", py ? "" : r0->variant,
			r0->streamed && !py ? ", streaming stores" : "");
	const char *rate_head = table_rate_head(r0);

	fprintf(out, "  %-18s %7s%s %11s %7s %23s %7s %8s %13s %10s %10s%s\n", "backend",
		"workers", sw->weak ? "        size" : "", "median", "+-med", "min .. max", "cv",
		"speedup", "95% interval", "efficiency", "start-up", rate_head);
}

/* A row's marks (legend), counted into c. */
void row_marks(const struct sweep_row *r, const struct sweep *sw, struct report_marks *c,
	       char *mark)
{
	mark[0] = '\0';
	if (row_oversubscribed(r, sw)) {
		strcat(mark, "*");
		c->over++;
	}
	if (row_shares_core(r, sw)) {
		strcat(mark, "s");
		c->smt++;
	}
	if (row_noisy(r, sw)) {
		strcat(mark, "~");
		c->noisy++;
	}
	if (r->median < REPORT_SHORT_S) {
		strcat(mark, "!");
		c->shortrun++;
	}
	if (r->partial)
		strcat(mark, "p");
	if (r->speedup > r->workers && r->workers > 1) {
		strcat(mark, "^");
		c->superlinear++;
	}
	c->bind_fail += r->bind_failures;
}

/* The rate columns: MPix/s, GB/s, %roof and its bound (pictures); items/ns, cyc/item; or
 * items/s. */
void row_rate_cols(const struct sweep_row *r, const struct run_meta *m, char *rate, size_t len)
{
	char roofcol[16] = "-";
	struct row_rate rr = row_rate(r, m->roof);

	rate[0] = '\0';
	if (r->pixels > 0) {
		double gbs = (double)r->bytes * 1e-9 / r->median;

		if (rr.roof > 0 && !is_python(r))
			snprintf(roofcol, sizeof(roofcol), "%.0f%%%c", rr.roof * 100, rr.bound);
		snprintf(rate, len, rr.rate < 100 ? " %8.2g %7.2g %6s" : " %8.0f %7.2f %6s", rr.rate,
			 gbs, roofcol);
	} else if (r->variant[0]) {
		if (rr.cycles > 0)
			snprintf(roofcol, sizeof(roofcol), "%.3f", rr.cycles);
		snprintf(rate, len, " %8.3f %8s", rr.rate, roofcol);
	} else if (rr.rate > 0) {
		snprintf(rate, len, " %8.0f", rr.rate);
	}
}

static void print_row(FILE *out, const struct sweep *sw, const struct run_meta *m,
		      const struct sweep_row *r, struct report_marks *c)
{
	char med[32], lo[32], hi[32], range[80], su[32] = "-", ci[48] = "-", sz[32] = "";
	char mark[8], rate[64], eff[16] = "-", pm[16] = "-";

	if (sw->weak)
		snprintf(sz, sizeof(sz), " %11llu", (unsigned long long)r->size);
	if (!row_measured(r)) {
		fprintf(out, "  %-18s %7u%s  %s\n", r->b->name, r->workers, sz,
			r->interrupted ? "(not measured: interrupted)"
			: r->failed ? "(FAILED: no timings, see below)" : "(not run: filtered out)");
		return;
	}
	row_marks(r, sw, c, mark);
	snprintf(range, sizeof(range), "%s .. %s", text_time(lo, sizeof(lo), r->min),
		 text_time(hi, sizeof(hi), r->max));
	if (r->speedup > 0) {
		snprintf(su, sizeof(su), "%.2fx", r->speedup);
		snprintf(eff, sizeof(eff), "%.0f%%", r->efficiency * 100);
	}
	if (r->speedup > 0 && !isnan(r->speedup_lo))
		snprintf(ci, sizeof(ci), "%.2f-%.2f", r->speedup_lo, r->speedup_hi);
	row_rate_cols(r, m, rate, sizeof(rate));
	if (isfinite(r->median_rel))
		snprintf(pm, sizeof(pm), "%.1f%%", r->median_rel * 100);
	fprintf(out, "  %-18s %7u%s %11s %7s %23s %6.1f%% %8s %13s %10s %10s%s %s\n", r->b->name,
		r->workers, sz, text_time(med, sizeof(med), r->median), pm, range, r->cv * 100,
		su, ci, eff, text_time(lo, sizeof(lo), r->startup_s), rate, mark);
}

/* The marks' legend line. */
void print_marks_legend(FILE *out, const struct sweep *sw)
{
	(void)sw; /* one legend for every run: its rule does not depend on the sweep's settings */
	fprintf(out, "\nlegend: * more workers than cores (a speed comparison is meaningless)  "
		     "s workers share cores (SMT siblings, a PU each)  "
		     "~ unsettled: the speedup's 95%% interval is wider than +-%.0f%% of it, or "
		     "reaches 1.0 while the speedup shows a %.0f%% gain or loss  ! median under %.0f ms "
		     "(too short to trust)  ^ speedup above the worker count  p partial: interrupted "
		     "after fewer repetitions\n", REPORT_NOISY_REL * 100, REPORT_NOISY_REL * 50,
		REPORT_SHORT_S * 1e3);
}

/* Rows of backends that mpirun starts, beside rows parbench measured itself: a note that
 * they were measured in a phase of their own, which the interleaving does not cover. */
void print_mpi_note(FILE *out, const struct sweep *sw)
{
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
}

/* The roof's lines: the clock, the copy bandwidth, the filters' compute ceilings, and how
 * the tables' cyc/item and %roof are made of them. */
void print_roof(FILE *out, const struct roof *roof)
{
	roof_print(out, roof);
	roof_print_compute(out, roof);
	fprintf(out, "cyc/item = median x clock x workers / items (core cycles per item); "
		     "%%roof = GB/s / the lower ceiling with as many workers: m memory (the "
		     "copy bandwidth), c compute (the filter on its in-cache tile)\n");
}

/* The legend, how the times were made, the machine and its roof, the hosts. */
static void print_legend(FILE *out, const struct sweep *sw, const struct run_meta *m)
{
	print_marks_legend(out, sw);
	print_times_note(out, sw, m);
	fprintf(out, "machine: %s, %s; pin %s\n", m->host, m->topology, m->pin);
	if (m->roof) {
		fprintf(out, "roof (measured before the sweep, %.2f s): ", m->roof->seconds);
		print_roof(out, m->roof);
	}
	print_hosts(out, sw, m);
	print_mpi_note(out, sw);
}

void report_table(FILE *out, const struct sweep *sw, const struct run_meta *m)
{
	struct report_marks c = { 0 };

	for (size_t i = 0; i < sw->n_rows;) {
		const struct kernel *k = sw->rows[i].k;
		size_t j = group_end(sw, i);

		print_head(out, sw, m, i);
		for (size_t a = i; a < j; a++)
			print_row(out, sw, m, &sw->rows[a], &c);
		if (!sw->weak) {
			print_analysis(out, sw, i, j);
			print_model(out, sw, i, j, &c);
		}
		if (is_python(&sw->rows[i]))
			print_python(out, sw, i, j);
		if (sw->n_sizes > 1 && !sw->weak && (j == sw->n_rows || sw->rows[j].k != k))
			print_break_even(out, sw, k);
		i = j;
	}
	print_legend(out, sw, m);
	if (m->skipped && m->skipped[0])
		fprintf(out, "%s\n", m->skipped);
	print_link_unknown(out, sw);
	print_warnings(out, sw, m, &c);
}
