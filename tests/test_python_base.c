/*
 * test_python_base.c PYTHON FAKE_FT - the CPython rows' baselines and GIL.  Each row's
 * speedup is against the serial row of its own interpreter (serial, cpython, cpython-ft),
 * never across C and CPython even at equal sizes; the GIL is what the interpreter reports
 * (the driver's ready line), and the tables and the scaling model go by it.  FAKE_FT is a
 * python3 that says its GIL is off (tests/fake_ft/python3.13t): the free-threaded
 * backends' paths end to end, without a free-threaded CPython (Debian 12 has none).
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

#include "cpython_int.h"
#include "kwork.h"
#include "report_int.h"

static const char *python, *fake_ft;

static const struct backend *be(const char *name)
{
	const struct backend *b = backend_find(name);

	assert_non_null(b);
	return b;
}

static void test_baseline_of(void **state)
{
	static const char *const pairs[][2] = {
		{ "serial", "serial" }, { "pthreads", "serial" }, { "pthreads-gil", "serial" },
		{ "cpython", "cpython" }, { "cpython-threads", "cpython" },
		{ "cpython-pool", "cpython" }, { "cpython-processes", "cpython" },
		{ "cpython-ft", "cpython-ft" }, { "cpython-threads-ft", "cpython-ft" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		assert_string_equal(backend_baseline_of(be(pairs[i][0]))->name, pairs[i][1]);
}

/* A measured row of samples all equal to median. */
static struct sweep_row row(const char *b, unsigned w, uint64_t size, double *s, int gil)
{
	return (struct sweep_row){ .k = kernel_find("sum_squares"), .b = be(b), .workers = w,
				   .size = size, .elements = size, .samples = s, .n_samples = 2,
				   .median = s[0], .ran = 1, .gil = gil };
}

/* C and CPython rows at one size: two tables, each against its own serial row. */
static void test_equal_sizes(void **state)
{
	static double c1[] = { 1, 1 }, c2[] = { 0.5, 0.5 }, p1[] = { 100, 100 }, p2[] = { 50, 50 };
	struct sweep_row rows[] = {
		row("serial", 1, 1000, c1, 0), row("pthreads", 2, 1000, c2, 0),
		row("cpython", 1, 1000, p1, 1), row("cpython-threads", 2, 1000, p2, 1),
	};
	struct sweep sw = { .rows = rows, .n_rows = 4, .cores = 2 };

	(void)state;
	sweep_evaluate(&sw);
	assert_true(fabs(rows[1].speedup - 2) < 1e-9);
	assert_true(fabs(rows[2].speedup - 1) < 1e-9);
	assert_true(fabs(rows[3].speedup - 2) < 1e-9);
	assert_int_equal(group_end(&sw, 0), 2);
	assert_int_equal(group_end(&sw, 2), 4);
	assert_ptr_equal(row_baseline(&sw, &rows[3]), &rows[2]);
	assert_ptr_equal(row_baseline(&sw, &rows[1]), &rows[0]);
	assert_ptr_equal(row_baseline(&sw, &rows[2]), &rows[2]);
}

/* The free-threaded rows against cpython-ft, run in their interpreter, not against cpython. */
static void test_ft_baseline(void **state)
{
	static double p1[] = { 2, 2 }, f1[] = { 4, 4 }, f2[] = { 1, 1 }, t2[] = { 2, 2 };
	struct sweep_row rows[] = {
		row("cpython", 1, 100, p1, 1), row("cpython-ft", 1, 100, f1, -1),
		row("cpython-threads", 2, 100, t2, 1), row("cpython-threads-ft", 2, 100, f2, -1),
	};
	struct sweep sw = { .rows = rows, .n_rows = 4, .cores = 2 };

	(void)state;
	sweep_evaluate(&sw);
	assert_true(fabs(rows[1].speedup - 1) < 1e-9);
	assert_true(fabs(rows[2].speedup - 1) < 1e-9);
	assert_true(fabs(rows[3].speedup - 4) < 1e-9);
	assert_ptr_equal(row_baseline(&sw, &rows[3]), &rows[1]);
	assert_int_equal(group_end(&sw, 0), 4);
}

/* Weak scaling (sizes do not part groups): rows merged in from another process (MPI ranks)
 * join their own group, C rows after the C rows and CPython rows after the CPython ones, so
 * that each table stays whole; the group rule is the tables' (group_end), the baselines'
 * and the merge's alike. */
static void test_merge_groups(void **state)
{
	static double c1[] = { 1, 1 }, c2[] = { 0.5, 0.5 }, p1[] = { 100, 100 }, p2[] = { 50, 50 };
	struct sweep_row *rows = calloc(2, sizeof(*rows)), *more_rows = calloc(2, sizeof(*rows));
	struct sweep sw = { .rows = rows, .n_rows = 2, .cores = 2, .weak = 1 };
	struct sweep more = { .rows = more_rows, .n_rows = 2 };

	(void)state;
	assert_non_null(rows);
	assert_non_null(more_rows);
	rows[0] = row("serial", 1, 1000, c1, 0);
	rows[1] = row("cpython", 1, 10, p1, 1);
	more_rows[0] = row("cpython-threads", 2, 20, p2, 1);
	more_rows[1] = row("pthreads", 2, 2000, c2, 0);
	rows[0].samples = rows[1].samples = more_rows[0].samples = more_rows[1].samples = NULL;
	rows[0].n_samples = rows[1].n_samples = more_rows[0].n_samples = more_rows[1].n_samples = 0;
	assert_int_equal(sweep_merge(&sw, &more), 0);
	assert_int_equal(sw.n_rows, 4);
	assert_string_equal(sw.rows[0].b->name, "serial");
	assert_string_equal(sw.rows[1].b->name, "pthreads");
	assert_string_equal(sw.rows[2].b->name, "cpython");
	assert_string_equal(sw.rows[3].b->name, "cpython-threads");
	assert_int_equal(group_end(&sw, 0), 2);
	assert_int_equal(group_end(&sw, 2), 4);
	assert_ptr_equal(sweep_baseline(&sw, &sw.rows[1]), &sw.rows[0]);
	assert_ptr_equal(sweep_baseline(&sw, &sw.rows[3]), &sw.rows[2]);
	sweep_free(&sw);
}

/* What print_python says under the CPython table of rows[2..n). */
static char *python_lines(struct sweep_row *rows, size_t n)
{
	struct sweep sw = { .rows = rows, .n_rows = n, .cores = 2 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	sweep_evaluate(&sw);
	print_python(f, &sw, 2, n);
	fclose(f);
	return text;
}

/* cpython-threads without a GIL is not called the GIL model, nor compared with it; with
 * one it is; the model's one-CPU rule follows the row's GIL. */
static void test_gil_labels(void **state)
{
	static double c1[] = { 1, 1 }, g2[] = { 1, 1 }, p1[] = { 2, 2 }, t2[] = { 2, 2 };
	struct sweep_row rows[] = {
		row("serial", 1, 1000, c1, 0), row("pthreads-gil", 2, 1000, g2, 0),
		row("cpython", 1, 100, p1, -1), row("cpython-threads", 2, 100, t2, -1),
	};
	char *text = python_lines(rows, 4);

	(void)state;
	assert_non_null(strstr(text, "  GIL (each interpreter's sys._is_gil_enabled()): off in "
				     "cpython, cpython-threads\n"));
	assert_non_null(strstr(text, "  cpython-threads ran without a GIL"));
	assert_null(strstr(text, "GIL model, "));
	free(text);
	assert_false(model_gil_bound(&rows[3]));
	assert_true(model_gil_bound(&rows[1]));
	rows[2].gil = rows[3].gil = 1;
	text = python_lines(rows, 4);
	assert_non_null(strstr(text, "): on in cpython, cpython-threads\n"));
	assert_null(strstr(text, "without a GIL"));
	assert_non_null(strstr(text, "  GIL model, 2 threads: pthreads-gil 1.00x"));
	free(text);
	assert_true(model_gil_bound(&rows[3]));
	rows[3].gil = 0; /* not said (an older run): as the backend expects */
	assert_true(model_gil_bound(&rows[3]));
	rows[3].b = be("cpython-pool"); /* processes: a GIL each */
	rows[3].gil = 1;
	assert_false(model_gil_bound(&rows[3]));
}

/* The driver's ready line: "ready PIDS gil G", the pids kept apart. */
static void test_ready_line(void **state)
{
	static const struct {
		const char *line, *pids;
		int gil;
	} cases[] = {
		{ "12,13 gil 1", "12,13", 1 }, { "12 gil 0", "12", -1 }, { "12,13", "12,13", 0 },
		{ "12 gil 7", "12", 0 }, { "12 gil 01", "12", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cpy c = { .gil = 5 };

		snprintf(c.pids, sizeof(c.pids), "%s", cases[i].line);
		cpy_ready_gil(&c);
		assert_string_equal(c.pids, cases[i].pids);
		assert_int_equal(c.gil, cases[i].gil);
	}
}

/* b in interpreter py: verified twice; the GIL as the interpreter reported it. */
static int gil_of(const char *name, const char *py)
{
	struct kernel_instance ki;
	struct backend_instance bi;
	struct backend_stats st;
	struct partial total;
	struct work w;
	struct kernel_params kp = { .size = 1001 };

	assert_int_equal(kernel_instance_init(&ki, kernel_find("sum_squares"), &kp), 0);
	kwork_init(&w, &ki, &total);
	struct backend_config cfg = { .workers = 2, .job = &w, .python = py };

	if (backend_instance_start(&bi, be(name), &cfg) != 0)
		fail_msg("%s in %s: %s", name, py, bi.err);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(backend_instance_run(&bi, &w), 0);
		assert_int_equal(ki.k->verify(ki.priv, w.result), 0);
	}
	memset(&st, 0, sizeof(st));
	backend_instance_stats(&bi, &st);
	backend_instance_stop(&bi);
	kernel_instance_fini(&ki);
	return st.gil;
}

/* The real python3 says a GIL; the fake free-threaded one says none, and the free-threaded
 * backends (cpython-ft, the baseline, and cpython-threads-ft) run in it. */
static void test_interpreter_gil(void **state)
{
	char why[600];

	(void)state;
	assert_int_equal(gil_of("cpython-threads", python), 1);
	assert_int_equal(gil_of("cpython", python), 1);
	assert_int_equal(gil_of("cpython-threads", fake_ft), -1);
	assert_int_equal(backend_available(be("cpython-ft"), fake_ft, why, sizeof(why)), 0);
	assert_int_equal(gil_of("cpython-ft", fake_ft), -1);
	assert_int_equal(gil_of("cpython-threads-ft", fake_ft), -1);
	/* python itself is no free-threaded interpreter: the skip line says what was tried */
	if (backend_available(be("cpython-threads-ft"), python, why, sizeof(why)) != 0) {
		char want[300];

		snprintf(want, sizeof(want), "with the GIL off): %s (runs with a GIL), python3.13t (",
			 python);
		if (!strstr(why, want))
			fail_msg("skip line '%s' lacks '%s'", why, want);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_of), cmocka_unit_test(test_equal_sizes),
		cmocka_unit_test(test_ft_baseline), cmocka_unit_test(test_merge_groups),
		cmocka_unit_test(test_gil_labels),
		cmocka_unit_test(test_ready_line), cmocka_unit_test(test_interpreter_gil),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: test_python_base PYTHON FAKE_FT\n");
		return 2;
	}
	python = argv[1];
	fake_ft = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
