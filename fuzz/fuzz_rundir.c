/*
 * fuzz_rundir.c - libFuzzer target for the run-directory loader (bench/rundir/runload.c,
 * load_meta.c, load_samples.c, load_roof.c, columns.c, untrusted.c), which `report`,
 * `compare` and `project` run on directories anyone may send: the input is meta.json,
 * summary.csv, samples.csv, roof.csv and compute.csv joined by lines "%%%%" (a part left out:
 * that file is missing), written to a private directory and loaded.  A load must succeed or
 * fail with one line, never crash, leak or hit undefined behaviour.  A loaded run then goes
 * through what those commands do with it, output thrown away: report's tables with their
 * analysis and models, the compact view, report.md and report.html (every text of the run
 * escaped) and the data the charts get (summary.csv, roof.csv and compute.csv rewritten);
 * compare's pairing, drift and verdicts (bench/cmd/compare_pair.c, lib/verdict.c) of the run
 * against itself; project's model per table and backend (fitted, checked on the largest
 * worker count, projected to 2 nodes with the backend's link rules).  Left out: the
 * commands' option parsing and printing (fuzz_args), and gnuplot (no process is started).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "columns.h"
#include "compare_int.h"
#include "report.h"
#include "row.h"
#include "runload.h"
#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define SEP "\n%%%%\n"

#define N_PARTS 5 /* the input's parts: the first names */
static const char *const names[] = { "meta.json", "summary.csv", "samples.csv", "roof.csv",
				      "compute.csv", "report.md", "report.html" };
static char dir[64];
static FILE *sink;

/* name in the directory holds data[0, len), or is missing when data is NULL. */
static void put(const char *name, const uint8_t *data, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	if (!data || !(f = fopen(path, "w")))
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

/* the private directory removed at exit */
static void clean(void)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		put(names[i], NULL, 0);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/fuzz_rundir.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(dir) || !(sink = fopen("/dev/null", "w")))
		return 1;
	atexit(clean);
	return 0;
}

/* compare's steps on the run against itself: pairing, the machine's drift, each verdict. */
static void compare_self(const struct loaded_run *lr)
{
	struct pairing p;
	struct drift d;
	char line[600];

	if (compare_pair(lr, lr, &p) != 0)
		return;
	d = compare_drift(lr, lr, 0, COMPARE_ALPHA / 2, line, sizeof(line));
	for (size_t i = 0; i < p.n; i++) {
		struct cell *x = &p.cells[i];

		if (verdict_judge(x->base->samples, x->base->n_samples, x->cur->samples,
				  x->cur->n_samples, x->scale, &d, 0.05,
				  COMPARE_ALPHA / 2 / (double)p.n, &x->v) == 0)
			fputs(verdict_name(x->v.kind), sink);
	}
	compare_pairing_free(&p);
}

/* project's model: per table and parallel backend, fitted and checked, then projected to
 * 2 nodes of the run's cores over 10 Gbit/s links of 2 us (project.c's steps). */
static void project_self(const struct sweep *sw)
{
	for (size_t i = 0; i < sw->n_rows && !sw->weak;) {
		size_t j = group_end(sw, i);

		for (size_t a = i; a < j; a++) {
			const struct backend *b = sw->rows[a].b;
			unsigned workers = 2 * (sw->cores ? sw->cores : 1);
			struct model_check mc;
			uint64_t bytes = 0, msgs = 0, volume = 0;
			double link_s = 0;

			if (model_check(sw, i, j, b, &mc))
				continue;
			for (size_t v = i; v < j && !volume; v++)
				volume = sw->rows[v].b == b ? sw->rows[v].volume_bytes : 0;
			if (b->link_at)
				link_s = b->link_at(workers, 2, volume, 1.25e9, 2e-6, &bytes, &msgs);
			const struct sweep_row *base = row_baseline(sw, mc.held);
			double t = scale_predict(&mc.all, model_gil_bound(mc.held) ? 1 : workers, link_s);

			fprintf(sink, "%g %g %u\n", base ? base->median / t : 0, mc.error,
				(unsigned)model_row_cpus(mc.held, sw));
		}
		i = j;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct loaded_run lr;
	const uint8_t *p = data, *end = data + size;
	char err[600];

	for (size_t i = 0; i < N_PARTS; i++) {
		const uint8_t *sep = p ? memmem(p, (size_t)(end - p), SEP, strlen(SEP)) : NULL;

		put(names[i], p, (size_t)((sep ? sep : end) - (p ? p : end)));
		p = sep ? sep + strlen(SEP) : NULL;
	}
	err[0] = '\0';
	if (run_load(dir, &lr, err, sizeof(err)) != 0) {
		/* refused: with a reason, on one line */
		if (!err[0] || strchr(err, '\n'))
			__builtin_trap();
		return 0;
	}
	report_table(sink, &lr.sw, &lr.meta);
	report_compact(sink, &lr.sw, &lr.meta);
	/* the reports, without charts: every text of the run escaped */
	if (report_write_markdown(dir, &lr.sw, &lr.meta, NULL) ||
	    report_write_html(dir, &lr.sw, &lr.meta, NULL))
		__builtin_trap();
	summary_header(sink);
	for (size_t i = 0; i < lr.sw.n_rows; i++) {
		const struct sweep_row *r = &lr.sw.rows[i];
		double u;

		summary_line(sink, r, &lr.sw, lr.has_roof ? &lr.roof : NULL);
		(void)stats_mann_whitney(r->samples, r->n_samples, r->samples, r->n_samples, &u);
	}
	/* the roof as the charts get it, written again (over the input's files) */
	if (lr.has_roof && (roof_write_csv(dir, &lr.roof) || roof_write_compute_csv(dir, &lr.roof)))
		__builtin_trap();
	compare_self(&lr);
	project_self(&lr.sw);
	run_free(&lr);
	return 0;
}
