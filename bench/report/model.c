/*
 * model.c - the scaling model under each table (scale.h): per parallel backend, fitted on
 * its smaller worker counts and checked on the largest one it did not see, with the error
 * printed; and the fit on every row, for `parbench project`.
 *
 * A row's CPUs are the distinct physical CPUs its workers ran on (MPI: machines told apart
 * by boot id, so simulated hosts on one machine share), else min(workers, cores); under a
 * GIL (pthreads-gil; cpython-threads unless its interpreter said it has none) one, unless
 * the kernel's work blocks (io_wait).  A
 * backend whose largest worker count ran under 1 ms is not checked (overheads dominate):
 * the note after the tables counts them, as it counts the oversubscribed rows (more workers
 * than cores), which neither fit nor check the model.  A row's
 * link time is what the backend measured on its links (sweep_row.link_s); backends whose
 * workers share memory move nothing; a row whose link probe failed has an unknown link time,
 * which the fit leaves out (counts as 0) and the model line says so.
 */
#include "report_int.h"

#include "scale.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Compute that one worker at a time may do: threads under a GIL (as the row's interpreter
 * said: cpython-threads in a free-threaded one has none), a kernel that does not block. */
int model_gil_bound(const struct sweep_row *r)
{
	int gil = r->gil ? r->gil > 0 : (r->b->caps & BACKEND_CAP_GIL_BOUND) != 0;

	return gil && (r->b->caps & BACKEND_CAP_THREADS) && r->k->py_model != PY_BLOCKING;
}

double model_row_cpus(const struct sweep_row *r, const struct sweep *sw)
{
	unsigned c = r->parallel_cpus;

	if (model_gil_bound(r))
		return 1;
	if (!c)
		c = r->workers < sw->cores || !sw->cores ? r->workers : sw->cores;
	return c ? c : 1;
}

/* Backend b's measured rows among i..j, by worker count (one per count), into rows[];
 * oversubscribed rows (more workers than cores: their times measure sharing) are left out
 * and counted in *over. */
static size_t series(const struct sweep *sw, size_t i, size_t j, const struct backend *b,
		     const struct sweep_row **rows, size_t max, unsigned *over)
{
	size_t n = 0;

	*over = 0;
	for (size_t a = i; a < j; a++) {
		const struct sweep_row *q = &sw->rows[a];
		size_t at = n;

		if (q->b != b || !row_measured(q) || n == max)
			continue;
		if (row_oversubscribed(q, sw)) {
			++*over;
			continue;
		}
		for (size_t x = 0; x < n; x++)
			if (rows[x]->workers == q->workers)
				at = max; /* a second size at this count: not this series */
		if (at == max)
			continue;
		while (at > 0 && rows[at - 1]->workers > q->workers) {
			rows[at] = rows[at - 1];
			at--;
		}
		rows[at] = q;
		n++;
	}
	return n;
}

int model_check(const struct sweep *sw, size_t i, size_t j, const struct backend *b,
		struct model_check *mc)
{
	const struct sweep_row *rows[SWEEP_MAX_LIST];
	struct scale_point pts[SWEEP_MAX_LIST];
	unsigned over;
	size_t n = series(sw, i, j, b, rows, SWEEP_MAX_LIST, &over);

	memset(mc, 0, sizeof(*mc));
	mc->over = over;
	if (n < 2 || !(b->caps & BACKEND_CAP_PARALLEL))
		return -1;
	for (size_t x = 0; x < n; x++) {
		pts[x] = (struct scale_point){ model_row_cpus(rows[x], sw),
					       rows[x]->link_unknown ? 0 : rows[x]->link_s,
					       rows[x]->median };
		mc->link_unknown |= rows[x]->link_unknown;
	}
	mc->held = rows[n - 1];
	mc->n_fit = n - 1;
	for (size_t x = 0; x + 1 < n; x++)
		mc->fit_workers[x] = rows[x]->workers;
	if (scale_fit(pts, n - 1, &mc->fit) || scale_fit(pts, n, &mc->all))
		return -1;
	mc->predicted = scale_predict(&mc->fit, pts[n - 1].cpus, pts[n - 1].link_s);
	mc->error = mc->predicted / mc->held->median - 1;
	return 0;
}

static const char *fmt_bytes(char *buf, size_t len, double b)
{
	if (b >= 1e9)
		snprintf(buf, len, "%.2f GB", b * 1e-9);
	else if (b >= 1e6)
		snprintf(buf, len, "%.1f MB", b * 1e-6);
	else
		snprintf(buf, len, "%.0f kB", b * 1e-3);
	return buf;
}

int model_counted(const struct sweep *sw, size_t i, size_t j, const struct backend *b,
		  struct model_check *mc, struct report_marks *c)
{
	int rc = model_check(sw, i, j, b, mc);

	c->models_over += mc->over;
	if (rc)
		return -1;
	if (mc->held->median < REPORT_SHORT_S) {
		c->models_short++;
		return -1;
	}
	c->models++;
	c->model_abs_err_sum += fabs(mc->error);
	if (fabs(mc->error) > c->model_worst)
		c->model_worst = fabs(mc->error);
	c->model_within += fabs(mc->error) <= MODEL_GOOD;
	return 0;
}

void print_model(FILE *out, const struct sweep *sw, size_t i, size_t j, struct report_marks *c)
{
	for (size_t a = i; a < j; a++) {
		const struct backend *b = sw->rows[a].b;
		struct model_check mc;
		char fit[64] = "", t1[32], t2[32], t3[32], t4[32], mb[32], bw[32], links[160] = "";
		int first = 1;
		size_t used = 0;

		for (size_t x = i; x < a; x++)
			first &= sw->rows[x].b != b;
		if (!first || model_counted(sw, i, j, b, &mc, c))
			continue;
		for (size_t x = 0; x < mc.n_fit && used + 8 < sizeof(fit); x++)
			used += (size_t)snprintf(fit + used, sizeof(fit) - used, "%s%u", x ? "," : "",
						 mc.fit_workers[x]);
		const struct sweep_row *h = mc.held;

		if (mc.link_unknown)
			snprintf(links, sizeof(links), "; links: cost unknown (a link probe "
				 "failed), left out of the model");
		else if (h->moved_bytes || h->messages)
			snprintf(links, sizeof(links), "; links at %u: %s at %s/s + %llu latencies "
				 "of %s = %s", h->workers, fmt_bytes(mb, sizeof(mb), (double)h->moved_bytes),
				 fmt_bytes(bw, sizeof(bw), h->link_bytes_per_s),
				 (unsigned long long)h->messages,
				 text_time(t3, sizeof(t3), h->link_latency_s),
				 text_time(t4, sizeof(t4), h->link_s));
		fprintf(out, "  %-18s model, fitted on %s worker%s (compute %s / CPUs + serial %s%s): "
			     "%u workers on %.0f CPU%s%s predicted %s, measured %s: error %+.1f%%\n",
			b->name, fit, mc.n_fit == 1 && mc.fit_workers[0] == 1 ? "" : "s",
			text_time(t1, sizeof(t1), mc.fit.compute_s),
			text_time(t2, sizeof(t2), mc.fit.serial_s), links, h->workers,
			model_row_cpus(h, sw), model_row_cpus(h, sw) == 1 ? "" : "s",
			model_gil_bound(h) ? " (a GIL: one computes at a time)" : "",
			text_time(t3, sizeof(t3), mc.predicted),
			text_time(t4, sizeof(t4), h->median), mc.error * 100);
	}
}

void print_model_notes(FILE *out, const struct report_marks *c)
{
	if (c->models)
		fprintf(out, "note: scaling model (compute / CPUs + serial + the links' measured "
			     "bytes and latencies, fitted on each backend's smaller worker counts): "
			     "%u held-out prediction%s, mean |error| %.1f%%, worst %.1f%%, %u within "
			     "%.0f%%\n", c->models, c->models == 1 ? "" : "s",
			100 * c->model_abs_err_sum / c->models, 100 * c->model_worst, c->model_within,
			100 * MODEL_GOOD);
	if (c->models_over)
		fprintf(out, "note: scaling model: %u oversubscribed configuration%s (more workers "
			     "than cores) left out of its fits and held-out checks\n", c->models_over,
			c->models_over == 1 ? "" : "s");
	if (c->models_short)
		fprintf(out, "note: scaling model not checked for %u backend%s whose largest worker "
			     "count ran under %.0f ms (overheads dominate)\n", c->models_short,
			c->models_short == 1 ? "" : "s", REPORT_SHORT_S * 1e3);
}

void print_link_unknown(FILE *out, const struct sweep *sw)
{
	char names[256] = "";
	unsigned n = 0;
	size_t used = 0;

	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (!r->link_unknown || !row_measured(r))
			continue;
		if (n++ < 6 && used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s %s x%u",
						 used ? ", " : "", r->k->name, r->b->name, r->workers);
	}
	if (n)
		fprintf(out, "note: the link probe failed for %u configuration%s (%s%s): what %s "
			     "links cost is unknown (nan in summary.csv's link columns) and left out "
			     "of the scaling model\n", n, n == 1 ? "" : "s", names, n > 6 ? ", ..." : "",
			n == 1 ? "its" : "their");
}
