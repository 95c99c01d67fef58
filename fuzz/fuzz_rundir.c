/*
 * fuzz_rundir.c - libFuzzer target for the run-directory loader (bench/rundir/runload.c,
 * load_meta.c, columns.c), which `report`, `compare` and `project` run on directories anyone
 * may send: the input is meta.json, summary.csv and samples.csv joined by lines "%%%%" (a
 * part left out: that file is missing), written to a private directory and loaded.  A load
 * must succeed or fail with one line, never crash, leak or hit undefined behaviour; a loaded
 * run then goes through what those commands do with it (the tables with their analysis and
 * models, the compact view, report.md and report.html, the Mann-Whitney test of compare),
 * output thrown away.  No gnuplot is run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "runload.h"
#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define SEP "\n%%%%\n"

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
	put("meta.json", NULL, 0);
	put("summary.csv", NULL, 0);
	put("samples.csv", NULL, 0);
	put("report.md", NULL, 0);
	put("report.html", NULL, 0);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "meta.json", "summary.csv", "samples.csv" };
	static struct loaded_run lr;
	const uint8_t *p = data, *end = data + size;
	char err[600];

	for (size_t i = 0; i < 3; i++) {
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
	for (size_t i = 0; i < lr.sw.n_rows; i++) {
		const struct sweep_row *r = &lr.sw.rows[i];
		double u;

		(void)stats_mann_whitney(r->samples, r->n_samples, r->samples, r->n_samples, &u);
	}
	run_free(&lr);
	return 0;
}
