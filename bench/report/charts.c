/*
 * charts.c - the charts of a run directory (gnuplot, the scripts in plots/; run by gnuplot.c,
 * which keeps what the run directory says as data): the summary picture, and per kernel its
 * C rows' charts and its CPython rows' own, against their own baseline.
 */
#include "report_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/* The parallel backends that have measured rows for kernel k, space-separated: the C ones
 * (py 0), or the CPython ones (py 1), whose speedups are against cpython, not serial. */
static void chart_backends(const struct sweep *sw, const struct kernel *k, int py, char *buf,
			   size_t len)
{
	const void *seen[CHART_MAX_NAMES];
	size_t used = 0, n_seen = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (r->k != k || !row_measured(r) || !(r->b->caps & BACKEND_CAP_PARALLEL) ||
		    !(r->b->caps & BACKEND_CAP_PYTHON) != !py)
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

/* What the charts of kernel k show: the largest size (strong scaling), the largest worker
 * count measured; of its C rows (py 0) or its CPython rows (py 1). */
static void chart_focus(const struct sweep *sw, const struct kernel *k, int py, uint64_t *size,
			unsigned *workers)
{
	*size = 0;
	*workers = 0;
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (r->k != k || !row_measured(r) || !(r->b->caps & BACKEND_CAP_PYTHON) != !py)
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

/* The CPython rows' speedup charts of kernel k, against cpython. 0 or gnuplot_run's error. */
static int python_charts(struct gnuplot *g, const struct sweep *sw, const struct kernel *k,
			 const char *caption)
{
	char backends[1024], size_s[32];
	uint64_t size;
	unsigned workers;

	chart_backends(sw, k, 1, backends, sizeof(backends));
	if (!backends[0])
		return 0;
	chart_focus(sw, k, 1, &size, &workers);
	snprintf(size_s, sizeof(size_s), "%llu", (unsigned long long)size);
	const char *speedup[] = { k->name, size_s, backends, caption, "cpython", NULL };

	return gnuplot_run(g, "speedup.gp", speedup);
}

/* The charts of the kernel of row i (plots/NAME.gp, whose headers give their arguments);
 * every value is passed as data (gnuplot.c), the data by gnuplot_data().  roof: the run has
 * its roof (1), and the filters' compute ceilings too (2).  0 or gnuplot_run's error. */
static int kernel_charts(struct gnuplot *g, const struct sweep *sw, size_t i, int roof,
			 const char *caption)
{
	const struct kernel *k = sw->rows[i].k;
	char backends[1024], sbackends[1040], size_s[32], workers_s[16];
	uint64_t size;
	unsigned workers;
	int rc = 0, e;

	if (!run_name_ok(k->name))
		return 0; /* a name that is no file name */
	if ((e = python_charts(g, sw, k, caption)) != 0)
		rc = e;
	chart_backends(sw, k, 0, backends, sizeof(backends));
	if (!backends[0])
		return rc; /* no C rows to draw */
	chart_focus(sw, k, 0, &size, &workers);
	snprintf(size_s, sizeof(size_s), "%llu", (unsigned long long)size);
	snprintf(workers_s, sizeof(workers_s), "%u", workers);
	snprintf(sbackends, sizeof(sbackends), "serial %s", backends);
	const char *speedup[] = { k->name, size_s, backends, caption, NULL },
		   *time[] = { k->name, size_s, workers_s, caption, sbackends, NULL },
		   *roofs[] = { k->name, size_s, sw->rows[i].pixels > 0 ? "1" : "0", sbackends,
				caption, roof > 1 ? "1" : "0", NULL },
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

/* Appends word to the space-separated list in buf once. */
static void add_word(char *buf, size_t len, const char *word)
{
	size_t n = strlen(word), used = strlen(buf);
	const char *p = buf;

	for (; (p = strstr(p, word)); p += n)
		if ((p == buf || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return;
	if (used + n + 2 < len)
		snprintf(buf + used, len - used, "%s%s", used ? " " : "", word);
}

/* The summary picture (plots/summary.gp): the rows report_glance() picks, as data (every
 * kernel's rows by gnuplot_data()).  0 or gnuplot_run's error. */
static int summary_chart(struct gnuplot *g, const struct sweep *sw, const char *caption)
{
	static char ks[2][4096], bs[2][1024], rows[65536];
	char one[256];

	memset(ks, 0, sizeof(ks));
	memset(bs, 0, sizeof(bs));
	rows[0] = '\0';
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = report_glance(sw, sw->rows[i].k, sw->rows[i].b);
		int py = (sw->rows[i].b->caps & BACKEND_CAP_PYTHON) != 0;

		if (r != &sw->rows[i] || !(r->b->caps & BACKEND_CAP_PARALLEL) ||
		    !run_name_ok(r->k->name) || !run_name_ok(r->b->name))
			continue;
		add_word(ks[py], sizeof(ks[py]), r->k->name);
		add_word(bs[py], sizeof(bs[py]), r->b->name);
		snprintf(one, sizeof(one), "%s:%s:%u:%llu", r->k->name, r->b->name, r->workers,
			 (unsigned long long)r->size);
		add_word(rows, sizeof(rows), one);
	}
	if (!rows[0])
		return 0;
	const char *args[] = { ks[0], bs[0], ks[1], bs[1], rows, caption, NULL };

	return gnuplot_run(g, "summary.gp", args);
}

int report_charts(const char *dir, const struct sweep *sw, const struct run_meta *m,
		  const struct chart_opts *o, struct report_chart_list *made)
{
	char caption[1024];
	size_t first[CHART_MAX_NAMES], n = chart_kernels(sw, first);
	struct gnuplot g;
	int rc, e, roof = o->roof ? 1 + (o->roof->n_compute > 0) : 0;

	if (made)
		made->n = 0;
	if ((rc = gnuplot_open(&g, dir, o)) != 0) {
		if (o->why && o->why_len)
			snprintf(o->why, o->why_len, "%s", g.why);
		return rc;
	}
	g.list = made;
	chart_caption(sw, m, caption, sizeof(caption));
	if ((rc = gnuplot_data(&g, sw, NULL, o->roof)) == 0)
		rc = summary_chart(&g, sw, caption);
	for (size_t i = 0; i < n && !chart_final(rc); i++) { /* after a failure, the rest */
		if ((e = gnuplot_data(&g, sw, sw->rows[first[i]].k, o->roof)) == 0)
			e = kernel_charts(&g, sw, first[i], roof, caption);
		if (e && (!rc || chart_final(e)))
			rc = e;
	}
	if (o->why && o->why_len)
		snprintf(o->why, o->why_len, "%s", g.why);
	e = gnuplot_close(&g, rc != -EINTR);
	return rc ? rc : e;
}
