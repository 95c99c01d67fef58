/*
 * charts.c - the charts (gnuplot, the scripts in plots/; run by gnuplot.c, which keeps
 * what the run directory says as data) and report.md of a run directory.
 */
#include "report_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "outfile.h"
#include "pb_build.h"
#include "runload.h"

/* The backends (serial excepted) that have measured rows for kernel k, space-separated;
 * not CPython's: their speedups are against cpython, not the charts' serial. */
static void chart_backends(const struct sweep *sw, const struct kernel *k, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		int seen = 0;

		if (r->k != k || !row_measured(r) ||
		    (r->b->caps & (BACKEND_CAP_BASELINE | BACKEND_CAP_PYTHON)))
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= sw->rows[j].k == k && sw->rows[j].b == r->b && row_measured(&sw->rows[j]);
		if (!seen && used + strlen(r->b->name) + 2 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 r->b->name);
	}
}

/* The run measured its roof (roof.csv, a regular file: gnuplot reads it). */
static int roof_present(const char *dir)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/roof.csv", dir);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
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

/* The charts of the kernel of row i (plots/NAME.gp, whose headers give their arguments);
 * every value is passed as data (gnuplot.c).  0 or -EIO. */
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

	if ((e = gnuplot_run(g, "speedup.gp", speedup)) != 0)
		rc = e;
	if (!sw->weak && (e = gnuplot_run(g, "time.gp", time)) != 0)
		rc = e;
	/* the roof chart: for kernels with a hot loop, when the run measured its roof */
	if (!sw->weak && sw->rows[i].variant[0] && roof && (e = gnuplot_run(g, "roof.gp", roofs)))
		rc = e;
	if (sw->n_sizes > 1 && !sw->weak && (e = gnuplot_run(g, "breakeven.gp", breakeven)))
		rc = e;
	return rc;
}

int report_charts(const char *dir, const struct sweep *sw, const struct run_meta *m,
		  const char *plots_dir)
{
	char caption[1024];
	struct gnuplot g;
	int rc = gnuplot_open(&g, dir, plots_dir), roof = roof_present(dir), e;

	if (rc)
		return rc;
	chart_caption(sw, m, caption, sizeof(caption));
	for (size_t i = 0; i < sw->n_rows; i++) {
		if (i > 0 && sw->rows[i - 1].k == sw->rows[i].k)
			continue;
		if ((e = kernel_charts(&g, sw, i, roof, caption)) != 0)
			rc = rc ? rc : e;
	}
	e = gnuplot_close(&g);
	return rc ? rc : e;
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
