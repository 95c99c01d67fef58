/*
 * charts.c - the charts (gnuplot, the scripts in plots/; run by gnuplot.c, which keeps
 * what the run directory says as data) and report.md of a run directory.
 */
#include "report_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "outfile.h"
#include "pb_build.h"
#include "runload.h"

#define CHART_MAX_NAMES 256 /* kernels or backends of a run: the registries and stand-ins */

/* Whether p is among seen[n]; added if not and there is room (a name past the room counts
 * as seen: never drawn). */
static int seen_before(const void **seen, size_t *n, const void *p)
{
	for (size_t i = 0; i < *n; i++)
		if (seen[i] == p)
			return 1;
	if (*n == CHART_MAX_NAMES)
		return 1;
	seen[(*n)++] = p;
	return 0;
}

/* The backends (serial excepted) that have measured rows for kernel k, space-separated;
 * not CPython's: their speedups are against cpython, not the charts' serial. */
static void chart_backends(const struct sweep *sw, const struct kernel *k, char *buf, size_t len)
{
	const void *seen[CHART_MAX_NAMES];
	size_t used = 0, n_seen = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (r->k != k || !row_measured(r) ||
		    (r->b->caps & (BACKEND_CAP_BASELINE | BACKEND_CAP_PYTHON)))
			continue;
		if (!seen_before(seen, &n_seen, r->b) && used + strlen(r->b->name) + 2 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 r->b->name);
	}
}

/* The first row of each kernel, in the order of the rows, into first; how many. */
static size_t chart_kernels(const struct sweep *sw, size_t *first)
{
	const void *seen[CHART_MAX_NAMES];
	size_t n = 0;

	for (size_t i = 0; i < sw->n_rows; i++)
		if (!seen_before(seen, &n, sw->rows[i].k))
			first[n - 1] = i;
	return n;
}

/* A chart parbench drew in dir (a regular file). */
static int chart_made(const char *dir, const char *prefix, const char *kernel)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s-%s.png", dir, prefix, kernel);
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
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

/* The line under every chart: the machine, the date, the build, and for MPI rows across
 * hosts the interconnect. */
static void chart_caption(const struct sweep *sw, const struct run_meta *m, char *buf,
			  size_t len)
{
	int hosts = 0;

	for (size_t i = 0; i < sw->n_rows && !hosts; i++) {
		const char *at = strchr(sw->rows[i].cpus, '@'), *next;
		size_t n;

		if (!at)
			continue;
		n = strcspn(at, ":");
		for (next = strchr(at + 1, '@'); next && !hosts; next = strchr(next + 1, '@'))
			hosts = strcspn(next, ":") != n || strncmp(next, at, n) != 0;
	}
	snprintf(buf, len, "%s, %s, %u cores; run %s; parbench %s%s%s", m->host, m->cpu_model,
		 m->cores, m->date, PB_GIT_COMMIT, hosts ? "; MPI across hosts: " : "",
		 hosts ? (m->interconnect ? m->interconnect : "interconnect not said") : "");
}

/* A script's result that ends the drawing: the next script would wait as long. */
static int chart_final(int rc)
{
	return rc == -ETIMEDOUT || rc == -EINTR;
}

/* The charts of the kernel of row i (plots/NAME.gp, whose headers give their arguments);
 * every value is passed as data (gnuplot.c).  0 or gnuplot_run's error. */
static int kernel_charts(struct gnuplot *g, const struct sweep *sw, size_t i, int roof,
			 const char *caption)
{
	const struct kernel *k = sw->rows[i].k;
	char backends[1024], sbackends[1040], size_s[32], workers_s[16];
	uint64_t size;
	unsigned workers;
	int rc = 0, e;

	chart_backends(sw, k, backends, sizeof(backends));
	if (!backends[0] || !run_name_ok(k->name))
		return 0; /* nothing measured to draw; a name that is no file name */
	chart_focus(sw, k, &size, &workers);
	snprintf(size_s, sizeof(size_s), "%llu", (unsigned long long)size);
	snprintf(workers_s, sizeof(workers_s), "%u", workers);
	snprintf(sbackends, sizeof(sbackends), "serial %s", backends);
	const char *speedup[] = { k->name, size_s, backends, caption, NULL },
		   *time[] = { k->name, size_s, workers_s, caption, NULL },
		   *roofs[] = { k->name, size_s, sw->rows[i].pixels > 0 ? "1" : "0", sbackends,
				caption, NULL },
		   *breakeven[] = { k->name, workers_s, backends, k->size_unit, caption, NULL };
	/* the roof chart: for kernels with a hot loop, when the run measured its roof */
	const struct { const char *script, *const *args; int draw; } charts[] = {
		{ "speedup.gp", speedup, 1 },
		{ "time.gp", time, !sw->weak },
		{ "roof.gp", roofs, !sw->weak && sw->rows[i].variant[0] && roof },
		{ "breakeven.gp", breakeven, sw->n_sizes > 1 && !sw->weak },
	};

	for (size_t c = 0; c < sizeof(charts) / sizeof(charts[0]) && !chart_final(rc); c++)
		if (charts[c].draw && (e = gnuplot_run(g, charts[c].script, charts[c].args)) != 0)
			rc = e;
	return rc;
}

int report_charts(const char *dir, const struct sweep *sw, const struct run_meta *m,
		  const struct chart_opts *o)
{
	char caption[1024];
	size_t first[CHART_MAX_NAMES], n = chart_kernels(sw, first);
	struct gnuplot g;
	int rc = gnuplot_open(&g, dir, o), e;

	if (rc)
		return rc;
	chart_caption(sw, m, caption, sizeof(caption));
	for (size_t i = 0; i < n && !chart_final(rc); i++) { /* after a failure, the rest */
		if ((e = gnuplot_data(&g, sw, sw->rows[first[i]].k, o->roof)) == 0)
			e = kernel_charts(&g, sw, first[i], o->roof != NULL, caption);
		if (e && (!rc || chart_final(e)))
			rc = e;
	}
	e = gnuplot_close(&g, rc != -EINTR);
	return rc ? rc : e;
}

/* s as markdown text: HTML's & < > as entities, the punctuation of markdown's code, links,
 * emphasis, tables and (GitHub) math escaped, so that a received meta.json's text stays
 * text (no link, image, HTML or emphasis of its own). */
static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '&' || *s == '<' || *s == '>')
			fputs(*s == '&' ? "&amp;" : *s == '<' ? "&lt;" : "&gt;", f);
		else if (strchr("\\`*_[]|~$", *s))
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

/* The longest run of backticks in s. */
static size_t backtick_run(const char *s)
{
	size_t most = 0, n = 0;

	for (; *s; s++) {
		n = *s == '`' ? n + 1 : 0;
		most = n > most ? n : most;
	}
	return most;
}

/* s as a markdown code span: delimited by more backticks than any run inside it, padded
 * with a space where it starts or ends with a backtick or a space (CommonMark strips one). */
static void md_code(FILE *f, const char *s)
{
	size_t n = backtick_run(s) + 1, len = strlen(s);
	int pad = !len || s[0] == '`' || s[len - 1] == '`' || s[0] == ' ' || s[len - 1] == ' ';

	for (size_t i = 0; i < n; i++)
		fputc('`', f);
	fprintf(f, "%s%s%s", pad ? " " : "", s, pad ? " " : "");
	for (size_t i = 0; i < n; i++)
		fputc('`', f);
}

/* The tables as a fenced code block whose fence is longer than any backtick run in them (a
 * host or CPU name with ``` would end a fence of three).  0 or -ENOMEM. */
static int md_tables(FILE *f, const struct sweep *sw, const struct run_meta *m)
{
	char *text = NULL;
	size_t len = 0, n;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return -ENOMEM;
	report_table(mem, sw, m);
	if (fclose(mem) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	n = backtick_run(text) + 1;
	for (size_t i = 0; i < (n < 3 ? 3 : n); i++)
		fputc('`', f);
	fprintf(f, "%s%s%s", text[0] == '\n' ? "" : "\n", text,
		len && text[len - 1] == '\n' ? "" : "\n");
	for (size_t i = 0; i < (n < 3 ? 3 : n); i++)
		fputc('`', f);
	fputc('\n', f);
	free(text);
	return 0;
}

int report_write_markdown(const char *dir, const struct sweep *sw, const struct run_meta *m,
			  int charts_ok)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "report.md");

	if (err)
		return err;
	fprintf(o.f, "# parbench run: ");
	md_text(o.f, m->host);
	fprintf(o.f, ", ");
	md_text(o.f, m->date);
	fprintf(o.f, "\n\n- machine: ");
	md_text(o.f, m->cpu_model);
	fprintf(o.f, "; ");
	md_text(o.f, m->topology);
	fprintf(o.f, "\n- built: parbench %s, %s, `%s`\n- command: ", PB_GIT_COMMIT, PB_COMPILER,
		PB_C_FLAGS);
	md_code(o.f, m->args);
	fprintf(o.f, "\n");
	fprintf(o.f, "- load average before / after: %.2f / %.2f\n\n", m->load_before[0],
		m->load_after[0]);
	fprintf(o.f, "Files: `summary.csv`, `samples.csv`, `meta.json`, `gbench.json`, "
		     "`topology.xml` (formats: results/README.md in the parbench sources).\n\n");
	fprintf(o.f, "## Tables and warnings\n\n");
	if (md_tables(o.f, sw, m) != 0) {
		outfile_abort(&o);
		return -ENOMEM;
	}
	if (!charts_ok) {
		fprintf(o.f, "\nNo charts: gnuplot is not installed (apt-get install gnuplot-nox) "
			     "or did not finish.\n");
		return outfile_commit(&o);
	}
	fprintf(o.f, "\n## Charts\n\nError bars span the fastest and the slowest repetition; "
		     "the dashed line is ideal scaling. SVG versions sit beside the PNGs.\n");
	size_t first[CHART_MAX_NAMES], n = chart_kernels(sw, first);

	for (size_t c = 0; c < n; c++) {
		size_t i = first[c];
		const struct kernel *k = sw->rows[i].k;
		char backends[1024];

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
		if (!sw->weak && sw->rows[i].variant[0] && chart_made(dir, "roof", k->name))
			fprintf(o.f, "![%s of %s against the roof](roof-%s.png)\n",
				sw->rows[i].pixels ? "GB/s" : "cycles per item", k->name, k->name);
		if (sw->n_sizes > 1 && !sw->weak)
			fprintf(o.f, "![speedup against size of %s at %u workers](breakeven-%s.png)\n",
				k->name, workers, k->name);
	}
	return outfile_commit(&o);
}
