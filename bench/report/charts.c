/*
 * charts.c - the charts (gnuplot, the scripts in plots/) and report.md of a run directory.
 */
#include "report_int.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outfile.h"
#include "pb_build.h"

extern char **environ;

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

static int file_present(const char *dir, const char *name)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, R_OK) == 0;
}

static int roof_present(const char *dir)
{
	return file_present(dir, "roof.csv");
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
				 "kernel='%s'; size=%llu; image=%d; backends='serial %s'; caption='%s'%s%s%s",
				 dir, dir, dir, k->name, k->name, (unsigned long long)size,
				 sw->rows[i].pixels > 0, backends, caption,
				 file_present(dir, "compute.csv") ? "; compute='" : "",
				 file_present(dir, "compute.csv") ? dir : "",
				 file_present(dir, "compute.csv") ? "/compute.csv'" : "");
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
