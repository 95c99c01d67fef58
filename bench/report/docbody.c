/*
 * docbody.c - what report.md and report.html say, in this order: the run at a glance (the
 * summary tables, then the summary picture), then per kernel its compact tables, what its
 * analysis found, its charts and its full tables with every analysis line, then the machine,
 * the roof, the warnings, and how the numbers were made.  doc.c writes it in either format;
 * the text of the full tables' notes is the terminal's (--full), captured.
 */
#include "doc.h"
#include "report_int.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_build.h"

static int is_python(const struct sweep_row *r)
{
	return (r->b->caps & BACKEND_CAP_PYTHON) != 0;
}

/* A baseline's median and marks: "28.7 us ~!". */
static void baseline_cell(const struct sweep *sw, const struct sweep_row *r, char *buf,
			  size_t len)
{
	struct report_marks scratch = { 0 };
	char mark[16], t[32];

	row_marks(r, sw, &scratch, mark);
	snprintf(buf, len, "%s%s%s", text_time(t, sizeof(t), r->median), mark[0] ? " " : "",
		 mark);
}

/* The summary table of the C rows (py 0) or the CPython rows (py 1): per kernel, its
 * baseline's time and each backend's speedup at its glance row (report_glance), with the worker
 * count where it is not the kernel's largest. */
static void glance_table(struct doc *d, const struct sweep *sw, int py)
{
	const struct backend *bs[SWEEP_MAX_LIST];
	const char *cells[SWEEP_MAX_LIST + 3];
	static char text[SWEEP_MAX_LIST + 3][160];
	size_t nb = 0;

	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		size_t x = 0;

		while (x < nb && bs[x] != r->b)
			x++;
		if (x == nb && nb < SWEEP_MAX_LIST && is_python(r) == py &&
		    (r->b->caps & BACKEND_CAP_PARALLEL) && report_glance(sw, r->k, r->b))
			bs[nb++] = r->b;
	}
	if (!nb)
		return;
	cells[0] = "kernel";
	cells[1] = "workers";
	cells[2] = py ? "cpython" : "serial";
	for (size_t x = 0; x < nb; x++)
		cells[x + 3] = bs[x]->name;
	doc_table_head(d, cells, nb + 3);
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *g[SWEEP_MAX_LIST];
		const struct kernel *k = sw->rows[i].k;
		unsigned wmax = 0;
		int seen = 0;

		for (size_t a = 0; a < i; a++)
			seen |= sw->rows[a].k == k;
		for (size_t x = 0; x < nb && !seen; x++) {
			g[x] = report_glance(sw, k, bs[x]);
			wmax = g[x] && g[x]->workers > wmax ? g[x]->workers : wmax;
		}
		if (seen || !wmax)
			continue;
		text[2][0] = '\0';
		for (size_t x = 0; x < nb; x++) {
			const struct sweep_row *base = g[x] ? sweep_baseline(sw, g[x]) : NULL;

			compact_cell(sw, g[x], text[x + 3], sizeof(text[x + 3]));
			if (g[x] && g[x]->workers != wmax)
				snprintf(text[x + 3] + strlen(text[x + 3]), 24, " @%u", g[x]->workers);
			if (base && !text[2][0])
				baseline_cell(sw, base, text[2], sizeof(text[2]));
			cells[x + 3] = text[x + 3];
		}
		snprintf(text[1], sizeof(text[1]), "%u", wmax);
		cells[0] = k->name;
		cells[1] = text[1];
		cells[2] = text[2];
		doc_table_row(d, cells, nb + 3);
	}
	doc_table_end(d);
}

/* The run at a glance: the summary tables and the summary picture. */
static void glance(struct doc *d, const struct sweep *sw, const struct run_meta *m)
{
	const char *names[SWEEP_MAX_LIST];
	size_t n = 0;

	doc_heading(d, 2, NULL, "At a glance");
	doc_para(d, "Each backend's speedup on each kernel at its largest worker count (the "
		    "workers column; @N where a backend's is another), at the largest size: median "
		    "over the repetitions against the baseline in the same interpreter, with its "
		    "95%% interval (bootstrap over the repetitions) and its marks (see How the "
		    "numbers were made).  %s on %s, %s.", m->host, m->cpu_model, m->date);
	glance_table(d, sw, 0);
	glance_table(d, sw, 1);
	doc_chart(d, "summary", "every kernel's speedup at the largest worker count per backend, "
				"with 95% intervals; the CPython rows in their own panel");
	for (size_t i = 0; i < sw->n_rows && n < SWEEP_MAX_LIST; i++)
		if (i == 0 || sw->rows[i - 1].k != sw->rows[i].k) {
			size_t x = 0;

			while (x < n && strcmp(names[x], sw->rows[i].k->name) != 0)
				x++;
			if (x == n)
				names[n++] = sw->rows[i].k->name;
		}
	doc_links(d, "Kernels:", names, n);
}

/* A table's compact grid (rows i..j) as a document table, what it found as a list. */
static void compact_doc(struct doc *d, const struct sweep *sw, const struct run_meta *m,
			size_t i, size_t j)
{
	struct compact_grid g;
	static struct finding f[SWEEP_MAX_LIST];
	static char text[SWEEP_MAX_LIST + 1][96];
	const char *cells[SWEEP_MAX_LIST + 1];
	char title[256], bases[512], found[8192] = "";
	size_t n, used = 0;

	compact_grid(sw, i, j, &g);
	compact_title(sw, i, title, sizeof(title));
	compact_bases(sw, m, i, j, bases, sizeof(bases));
	doc_para(d, "%s%s: speedup against %s", title, is_python(&sw->rows[i]) ? " in CPython" : "",
		 bases[0] ? bases : "no baseline");
	if (!g.nb)
		return;
	cells[0] = "backend";
	for (size_t y = 0; y < g.nw; y++) {
		snprintf(text[y + 1], sizeof(text[0]), "%u worker%s", g.w[y], g.w[y] == 1 ? "" : "s");
		cells[y + 1] = text[y + 1];
	}
	doc_table_head(d, cells, g.nw + 1);
	for (size_t x = 0; x < g.nb; x++) {
		cells[0] = g.b[x]->name;
		for (size_t y = 0; y < g.nw; y++)
			compact_cell(sw, compact_row(sw, &g, g.b[x], g.w[y]), text[y + 1],
				     sizeof(text[0]));
		doc_table_row(d, cells, g.nw + 1);
	}
	doc_table_end(d);
	n = compact_findings(sw, i, j, f, SWEEP_MAX_LIST);
	for (size_t x = 0; x < n && used + 1 < sizeof(found); x++)
		used += (size_t)snprintf(found + used, sizeof(found) - used, "found: %s\n", f[x].text);
	doc_lines(d, found);
}

/* Kernel k's charts, those that were made. */
static void kernel_charts(struct doc *d, const struct kernel *k)
{
	static const struct {
		const char *fmt, *alt;
	} charts[] = {
		{ "speedup-%s", "speedup of %s over serial against workers, 95%% intervals" },
		{ "speedup-%s-efficiency", "parallel efficiency of %s against workers" },
		{ "speedup-cpython-%s", "speedup of %s's CPython rows over cpython, 95%% intervals" },
		{ "speedup-cpython-%s-efficiency", "parallel efficiency of %s's CPython rows" },
		{ "time-%s", "median time per run of %s at the largest worker count" },
		{ "roof-%s", "%s against the roof measured in this run" },
		{ "breakeven-%s", "speedup of %s against size" },
	};
	char name[160], alt[256];

	for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++) {
		snprintf(name, sizeof(name), charts[i].fmt, k->name);
		snprintf(alt, sizeof(alt), charts[i].alt, k->name);
		doc_chart(d, name, alt);
	}
}

/* Kernel k's section: its compact tables with what was found, its charts, its full tables. */
static void kernel_section(struct doc *d, const struct sweep *sw, const struct run_meta *m,
			   const struct kernel *k)
{
	char head[160];

	doc_heading(d, 2, k->name, k->name);
	for (size_t i = 0; i < sw->n_rows; i++)
		if (sw->rows[i].k == k && compact_first(sw, i) && !is_python(&sw->rows[i]))
			compact_doc(d, sw, m, i, compact_span(sw, i));
	for (size_t i = 0; i < sw->n_rows; i++)
		if (sw->rows[i].k == k && compact_first(sw, i) && is_python(&sw->rows[i]))
			compact_doc(d, sw, m, i, compact_span(sw, i));
	kernel_charts(d, k);
	snprintf(head, sizeof(head), "%s: every column", k->name);
	doc_heading(d, 3, NULL, head);
	doc_full_tables(d, sw, m, k);
}

/* The machine, the build, the invocation, the MPI hosts; and the roof. */
static void machine(struct doc *d, const struct sweep *sw, const struct run_meta *m)
{
	char text[8192];
	struct doc_capture c;
	FILE *f;

	doc_heading(d, 2, NULL, "Machine");
	snprintf(text, sizeof(text), "host: %s, %s\ntopology: %s; pin %s\nCPU frequency governor: "
		 "%s\nbuilt: parbench %s, %s, %s\ncommand: %s\ndate: %s\nload average before / "
		 "after: %.2f / %.2f\n", m->host, m->cpu_model, m->topology, m->pin,
		 m->governor[0] ? m->governor : "unknown", PB_GIT_COMMIT, PB_COMPILER, PB_C_FLAGS,
		 m->args, m->date, m->load_before[0], m->load_after[0]);
	doc_lines(d, text);
	if ((f = doc_capture(d, &c))) {
		print_hosts(f, sw, m);
		doc_capture_end(d, &c);
	}
	doc_heading(d, 2, NULL, "Roof");
	if (!m->roof) {
		doc_para(d, "Not measured in this run.");
		return;
	}
	if ((f = doc_capture(d, &c))) {
		fprintf(f, "measured before the sweep, in %.2f s:\n", m->roof->seconds);
		print_roof(f, m->roof);
		doc_capture_end(d, &c);
	}
}

/* The warnings (what the terminal says after its tables), and how the numbers were made. */
static void warnings_and_how(struct doc *d, const struct sweep *sw, const struct run_meta *m)
{
	struct report_marks c = { 0 };
	struct doc_capture cap;
	FILE *f;

	report_count(sw, &c);
	doc_heading(d, 2, NULL, "Warnings");
	if ((f = doc_capture(d, &cap))) {
		if (m->skipped && m->skipped[0])
			fprintf(f, "%s\n", m->skipped);
		print_link_unknown(f, sw);
		print_warnings(f, sw, m, &c);
		if (ftell(f) == 0)
			fprintf(f, "none\n");
		doc_capture_end(d, &cap);
	}
	doc_heading(d, 2, NULL, "How the numbers were made");
	if ((f = doc_capture(d, &cap))) {
		print_times_note(f, sw, m);
		print_marks_legend(f, sw);
		print_mpi_note(f, sw);
		fprintf(f, "charts: every error bar is a 95%% interval: the speedup's (bootstrap over "
			   "the repetitions) in the speedup charts and the summary, the median's "
			   "(order statistics; min .. max with few repetitions) in the time charts; "
			   "each series sits a little to the side of its worker count, so that equal "
			   "values stay visible\n");
		fprintf(f, "colours: one colour, point and dash per backend in every chart of every "
			   "run (plots/palette.gp); a CPython backend has its C analogue's colour with "
			   "a hollow point, and a chart of its own against cpython\n");
		fprintf(f, "files: summary.csv, samples.csv, meta.json, gbench.json, topology.xml "
			   "(formats: results/README.md in the parbench sources); every chart as .png "
			   "and .svg beside this report\n");
		doc_capture_end(d, &cap);
	}
}

/* The whole report in d's format. */
static int write_doc(const char *dir, const struct sweep *sw, const struct run_meta *m,
		     const struct report_chart_list *made, int html)
{
	struct doc d;
	char title[600];
	int err;

	snprintf(title, sizeof(title), "parbench run: %s, %s", m->host, m->date);
	if ((err = doc_open(&d, dir, html ? "report.html" : "report.md", html, made, title)))
		return err;
	glance(&d, sw, m);
	if (!made)
		doc_para(&d, "No charts: gnuplot is not installed (apt-get install gnuplot-nox).");
	for (size_t i = 0; i < sw->n_rows; i++) {
		int seen = 0;

		for (size_t a = 0; a < i && !seen; a++)
			seen = sw->rows[a].k == sw->rows[i].k;
		if (!seen)
			kernel_section(&d, sw, m, sw->rows[i].k);
	}
	machine(&d, sw, m);
	warnings_and_how(&d, sw, m);
	return doc_close(&d);
}

int report_write_markdown(const char *dir, const struct sweep *sw, const struct run_meta *m,
			  const struct report_chart_list *made)
{
	return write_doc(dir, sw, m, made, 0);
}

int report_write_html(const char *dir, const struct sweep *sw, const struct run_meta *m,
		      const struct report_chart_list *made)
{
	return write_doc(dir, sw, m, made, 1);
}
