/*
 * test_rundir.c - the run directory's round trip: a small sweep written (rundir.h) into a
 * private folder and loaded back (runload.h) gives the same rows in the same order, to the
 * precision the files print (kernel, backend, workers, size, items, samples, median, min,
 * max, speedup, link_unknown, gil, smt_shared, width/height) and the same meta (host, date,
 * cpu_model, cores); a summary.csv cut off mid-row is refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rundir.h"
#include "runload.h"

#define N_ROWS 7

static char top[] = "/tmp/pb-test-rundir-XXXXXX";

/* What one row is made of: samples end with 0 (at most 5). */
struct spec {
	const char *k, *b;
	unsigned workers;
	uint64_t size;
	double s[6];
};

static const struct spec specs[N_ROWS] = {
	{ "sum_squares", "serial", 1, 100000, { 0.0123456789, 0.0120001, 0.0131, 0 } },
	{ "sum_squares", "pthreads", 2, 100000, { 0.0065, 0.00612345678, 0.0071, 0.0063, 0 } },
	{ "sum_squares", "pthreads", 4, 100000, { 0.0041, 0.0039, 0.0044, 0 } },
	{ "box_blur", "serial", 1, 64, { 0.002, 0.0021, 0.0019, 0 } },
	{ "box_blur", "pthreads", 2, 64, { 0.0011, 0.00105, 0.0012, 0 } },
	{ "sum_squares", "cpython", 1, 1000, { 0.5, 0.52, 0.49, 0 } },
	{ "sum_squares", "cpython-threads", 2, 1000, { 0.51, 0.5, 0.53, 0 } },
};

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Row i of specs, its statistics from its samples (odd counts: the middle one). */
static void make_row(struct sweep_row *r, const struct spec *p)
{
	double sorted[6], sum = 0;
	size_t n = 0;

	r->k = kernel_find(p->k);
	r->b = backend_find(p->b);
	assert_non_null(r->k);
	assert_non_null(r->b);
	r->workers = p->workers;
	r->size = r->elements = p->size;
	r->items = (size_t)(p->size / 100 + 1);
	r->ran = 1;
	r->iterations = 1;
	while (p->s[n] > 0)
		n++;
	r->samples = malloc(n * sizeof(double));
	assert_non_null(r->samples);
	memcpy(r->samples, p->s, n * sizeof(double));
	memcpy(sorted, p->s, n * sizeof(double));
	qsort(sorted, n, sizeof(double), cmp_d);
	r->n_samples = n;
	r->min = sorted[0];
	r->max = sorted[n - 1];
	r->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	r->mean = sum / (double)n;
	snprintf(r->cpus, sizeof(r->cpus), "0%s", p->workers > 1 ? ",1" : "");
}

static void make_sweep(struct sweep *sw)
{
	memset(sw, 0, sizeof(*sw));
	sw->rows = calloc(N_ROWS, sizeof(*sw->rows));
	assert_non_null(sw->rows);
	sw->n_rows = N_ROWS;
	sw->cores = 4;
	sw->n_sizes = 1;
	for (size_t i = 0; i < N_ROWS; i++)
		make_row(&sw->rows[i], &specs[i]);
	sw->rows[1].plan.smt_shared = 2; /* two workers on one core's SMT siblings */
	sw->rows[2].link_known = sw->rows[2].link_unknown = 1; /* its link probe failed */
	for (size_t i = 3; i < 5; i++) { /* the picture rows */
		sw->rows[i].width = 64;
		sw->rows[i].height = 48;
		sw->rows[i].pixels = 64 * 48;
		sw->rows[i].bytes = 2 * 64 * 48 * 4;
	}
	sw->rows[5].gil = sw->rows[6].gil = 1;
	sweep_evaluate(sw);
}

static void write_run(const char *dir, const struct sweep *sw)
{
	const struct run_meta m = {
		.host = "node-7", .date = "2024-05-01T12:34:56Z", .args = "parbench run --quick",
		.cpu_model = "Test CPU @ 3.00GHz", .topology = "1 package, 4 cores, 8 PUs",
		.governor = "performance", .pin = "compact", .cores = 4, .pus = 8,
		.repetitions = 3,
	};

	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(rundir_write_summary(dir, sw, NULL), 0);
	assert_int_equal(rundir_write_samples(dir, sw), 0);
	assert_int_equal(rundir_write_meta(dir, sw, &m), 0);
}

/* a and b agree to %.9g's precision (relative 1e-8). */
static void near9(double a, double b)
{
	assert_true(fabs(a - b) <= 1e-8 * fabs(b) + 1e-15);
}

static void same_row(const struct sweep_row *a, const struct sweep_row *b, const struct sweep *sa,
		     const struct sweep *sb)
{
	assert_ptr_equal(a->k, b->k); /* the registries' own, found by name */
	assert_ptr_equal(a->b, b->b);
	assert_int_equal(a->workers, b->workers);
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->items, b->items);
	assert_int_equal(a->n_samples, b->n_samples);
	for (size_t s = 0; s < b->n_samples; s++)
		near9(a->samples[s], b->samples[s]);
	near9(a->median, b->median);
	near9(a->min, b->min);
	near9(a->max, b->max);
	assert_true(fabs(a->speedup - b->speedup) <= 1e-6); /* %.6f */
	assert_int_equal(a->link_unknown, b->link_unknown);
	assert_int_equal(a->gil, b->gil);
	assert_int_equal(a->plan.smt_shared, b->plan.smt_shared);
	assert_int_equal(row_shares_core(a, sa), row_shares_core(b, sb));
	assert_int_equal(a->width, b->width);
	assert_int_equal(a->height, b->height);
	assert_int_equal(a->pixels, b->pixels);
}

static void test_round_trip(void **state)
{
	char dir[600], err[512] = "";
	struct sweep sw;
	static struct loaded_run lr; /* large: not on the stack */

	(void)state;
	make_sweep(&sw);
	assert_true(sw.rows[1].speedup > 1); /* evaluated: derived fields exist */
	snprintf(dir, sizeof(dir), "%s/run", top);
	write_run(dir, &sw);
	if (run_load(dir, &lr, err, sizeof(err)) != 0)
		fail_msg("run_load: %s", err);
	assert_int_equal(lr.sw.n_rows, sw.n_rows);
	for (size_t i = 0; i < sw.n_rows; i++)
		same_row(&lr.sw.rows[i], &sw.rows[i], &lr.sw, &sw);
	assert_true(lr.sw.rows[1].plan.smt_shared > 0 && row_shares_core(&lr.sw.rows[1], &lr.sw));
	assert_true(lr.sw.rows[2].link_unknown);
	assert_int_equal(lr.sw.rows[5].gil, 1);
	assert_string_equal(lr.meta.host, "node-7");
	assert_string_equal(lr.meta.date, "2024-05-01T12:34:56Z");
	assert_string_equal(lr.meta.cpu_model, "Test CPU @ 3.00GHz");
	assert_int_equal(lr.meta.cores, 4);
	assert_int_equal(lr.meta.pus, 8);
	run_free(&lr);
	sweep_free(&sw);
}

/* Copies dir/name to the same name under to, its first len bytes (all if len < 0). */
static void copy_file(const char *dir, const char *to, const char *name, long len)
{
	char src[700], dst[700], buf[1 << 16];
	FILE *in, *out;
	size_t n;

	snprintf(src, sizeof(src), "%s/%s", dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", to, name);
	assert_non_null(in = fopen(src, "r"));
	assert_non_null(out = fopen(dst, "w"));
	n = fread(buf, 1, sizeof(buf), in);
	assert_true(n < sizeof(buf));
	fwrite(buf, 1, len >= 0 && (size_t)len < n ? (size_t)len : n, out);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* summary.csv cut in the middle of its third row: refused, with a reason. */
static void test_truncated_refused(void **state)
{
	char dir[600], cut[600], path[700], err[512] = "", text[1 << 16];
	static struct loaded_run lr;
	struct sweep sw;
	FILE *f;
	size_t n;
	const char *row3;

	(void)state;
	make_sweep(&sw);
	snprintf(dir, sizeof(dir), "%s/whole", top);
	snprintf(cut, sizeof(cut), "%s/cut", top);
	write_run(dir, &sw);
	sweep_free(&sw);
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	assert_non_null(f = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	row3 = text;
	for (int i = 0; i < 3; i++) /* past the header and two rows */
		row3 = strchr(row3, '\n') + 1;
	assert_int_equal(mkdir(cut, 0700), 0);
	copy_file(dir, cut, "meta.json", -1);
	copy_file(dir, cut, "samples.csv", -1);
	copy_file(dir, cut, "summary.csv", (long)(row3 - text) + (long)strcspn(row3, "\n") / 2);
	assert_int_equal(run_load(dir, &lr, err, sizeof(err)), 0); /* the whole one loads */
	run_free(&lr);
	err[0] = '\0';
	assert_int_not_equal(run_load(cut, &lr, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "damaged"));
	assert_null(strchr(err, '\n'));
}

/* The folder and what the tests put in it (one level of folders, files only). */
static void remove_top(void)
{
	const char *const subs[] = { "run", "whole", "cut" };
	const char *const files[] = { "summary.csv", "samples.csv", "meta.json" };
	char p[700];

	for (size_t i = 0; i < 3; i++) {
		for (size_t j = 0; j < 3; j++) {
			snprintf(p, sizeof(p), "%s/%s/%s", top, subs[i], files[j]);
			unlink(p);
		}
		snprintf(p, sizeof(p), "%s/%s", top, subs[i]);
		rmdir(p);
	}
	rmdir(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated_refused),
	};
	int rc;

	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	remove_top();
	return rc;
}
