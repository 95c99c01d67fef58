/*
 * test_cpython.c PYTHON - the CPython backends in the real interpreter PYTHON: every backend
 * on every kernel with 1, 2 and 3 workers, verified by the kernels' own checks; results the
 * kernel's checks must refuse; the process pools under each start method; a killed worker, a
 * raising task and a hung interpreter each end the run with a reason and leave no process
 * behind; and the GIL model line under a CPython table, from known samples.
 * With --ft: the free-threaded backend, or a skip (77) saying why it cannot run here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "kwork.h"
#include "report_int.h"

static const char *python;

/* A small instance of kernel name: odd sizes, pictures of 19 x 19. */
static void small(struct kernel_instance *ki, const char *name)
{
	const struct kernel *k = kernel_find(name);
	struct kernel_params p = { .size = 1001 };

	assert_non_null(k);
	if (strcmp(name, "range_sum") == 0)
		p.size = 13;
	else if (strcmp(name, "io_wait") == 0)
		p = (struct kernel_params){ .size = 7, .sleep_us = 200 };
	else if (k->span)
		p.size = 19;
	assert_int_equal(kernel_instance_init(ki, k, &p), 0);
}

/* Runs w on b twice (each verified); returns the first failing run's code. */
static int run_verified(const struct backend *b, struct kernel_instance *ki, struct work *w,
			struct backend_config *cfg, char *err, size_t err_len)
{
	struct backend_instance bi;
	int rc = backend_instance_start(&bi, b, cfg);

	for (int i = 0; i < 2 && rc == 0; i++) {
		if (ki->k->invalidate)
			ki->k->invalidate(ki->priv);
		rc = backend_instance_run(&bi, w);
		if (rc == 0 && ki->k->verify(ki->priv, w->result) != 0)
			rc = -EDOM;
		if (rc == 0 && !(backend_instance_elapsed(&bi, -1) > 0))
			rc = -ERANGE; /* the interpreter's own time must come back */
	}
	snprintf(err, err_len, "%s", bi.err);
	backend_instance_stop(&bi);
	return rc;
}

static void test_every_backend_kernel_workers(void **state)
{
	static const char *const names[] = { "cpython", "cpython-threads", "cpython-pool",
					     "cpython-processes" };

	(void)state;
	for (const struct kernel *const *k = kernel_all(); *k; k++) {
		struct kernel_instance ki;
		struct partial total;
		struct work w;

		small(&ki, (*k)->name);
		kwork_init(&w, &ki, &total);
		for (size_t b = 0; b < sizeof(names) / sizeof(names[0]); b++) {
			const struct backend *be = backend_find(names[b]);

			assert_non_null(be);
			for (unsigned nw = 1; nw <= 3; nw++) {
				struct backend_config cfg = { .workers = nw, .job = &w,
							      .python = python };
				char err[256];
				int rc = run_verified(be, &ki, &w, &cfg, err, sizeof(err));

				if (rc)
					fail_msg("%s on %s, %u workers: %d (%s)", (*k)->name,
						 names[b], nw, rc, err);
				if ((be->caps & BACKEND_CAP_PARALLEL) == 0)
					break;
			}
		}
		kernel_instance_fini(&ki);
	}
}

static void test_start_methods(void **state)
{
	static const char *const methods[] = { "fork", "spawn", "forkserver" };
	struct kernel_instance ki;
	struct partial total;
	struct work w;

	(void)state;
	small(&ki, "box_blur");
	kwork_init(&w, &ki, &total);
	for (size_t m = 0; m < 3; m++)
		for (int b = 0; b < 2; b++) {
			const struct backend *be = backend_find(b ? "cpython-processes" : "cpython-pool");
			struct backend_config cfg = { .workers = 2, .job = &w, .python = python,
						      .py_start = methods[m] };
			char err[256];

			if (run_verified(be, &ki, &w, &cfg, err, sizeof(err)) != 0)
				fail_msg("%s with %s: %s", be->name, methods[m], err);
		}
	kernel_instance_fini(&ki);
}

/* A twin that does other work than the kernel's is caught by the kernel's checks. */
static void test_wrong_results_refused(void **state)
{
	static const char *const wrong[][2] = { { "range_sum", "range_sum 12" },
						{ "sum_squares", "range_sum 5" },
						{ "sharpen", "box_blur 19 19" },
						{ "io_wait", "io_wait 1" } };

	(void)state;
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		struct kernel_instance ki;
		struct partial total;
		struct work w;
		char err[256];

		small(&ki, wrong[i][0]);
		kwork_init(&w, &ki, &total);
		w.twin = wrong[i][1];
		struct backend_config cfg = { .workers = 2, .job = &w, .python = python };
		int rc = run_verified(backend_find("cpython-pool"), &ki, &w, &cfg, err, sizeof(err));

		/* io_wait with another sleep does the same items: it must pass */
		if (strcmp(wrong[i][0], "io_wait") == 0)
			assert_int_equal(rc, 0);
		else if (rc != -EDOM)
			fail_msg("%s run as '%s': %d, not refused (%s)", wrong[i][0], wrong[i][1], rc, err);
		kernel_instance_fini(&ki);
	}
}

/* Every pid of "pids 12,13" is gone (or a zombie waiting for init) within 2 s. */
static void assert_gone(const char *placement)
{
	const char *p = strchr(placement, ' ');

	assert_non_null(p);
	for (p++; *p;) {
		long pid = strtol(p, (char **)&p, 10);
		int alive = 1;

		assert_true(pid > 0);
		for (int t = 0; t < 200 && alive; t++) {
			char path[64], st[256] = "";
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
			f = fopen(path, "r");
			if (!f) {
				alive = 0;
				break;
			}
			if (fgets(st, sizeof(st), f) && strstr(st, ") Z "))
				alive = 0;
			fclose(f);
			if (alive)
				usleep(10000);
		}
		if (alive)
			fail_msg("process %ld outlived its backend", pid);
		if (*p == ',')
			p++;
	}
}

struct canceller {
	struct backend_instance *bi;
	useconds_t after;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;

	usleep(c->after);
	backend_instance_cancel(c->bi);
	return NULL;
}

/* fault in backend name: the run fails within a few seconds, saying want; nothing is left. */
static void one_fault(const char *name, const char *fault, const char *want)
{
	struct kernel_instance ki;
	struct backend_instance bi;
	struct backend_stats st;
	struct partial total;
	struct work w;
	pthread_t t;
	double t0, t1;

	small(&ki, "sum_squares");
	kwork_init(&w, &ki, &total);
	struct backend_config cfg = { .workers = 2, .job = &w, .python = python,
				      .test_py_fault = fault };
	struct canceller c = { &bi, 500000 };

	assert_int_equal(backend_instance_start(&bi, backend_find(name), &cfg), 0);
	memset(&st, 0, sizeof(st));
	backend_instance_stats(&bi, &st);
	if (strcmp(fault, "hang") == 0)
		assert_int_equal(pthread_create(&t, NULL, cancel_later, &c), 0);
	t0 = pb_mono_s();
	int rc = backend_instance_run(&bi, &w);

	t1 = pb_mono_s();
	if (strcmp(fault, "hang") == 0)
		pthread_join(t, NULL);
	if (rc == 0 || !strstr(bi.err, want))
		fail_msg("%s, %s: rc %d, '%s' (wanted '%s')", name, fault, rc, bi.err, want);
	/* ended by the fault, not never: generous for a busy machine */
	assert_true(t1 - t0 < 30);
	backend_instance_stop(&bi);
	assert_gone(st.placement);
	kernel_instance_fini(&ki);
}

static void test_faults(void **state)
{
	(void)state;
	one_fault("cpython-pool", "kill", "Pool worker");
	one_fault("cpython-processes", "kill", "BrokenProcessPool");
	one_fault("cpython-pool", "raise", "ValueError");
	one_fault("cpython-processes", "raise", "ValueError");
	one_fault("cpython-threads", "raise", "ValueError");
	one_fault("cpython", "kill", "died (signal 9)");
	one_fault("cpython-pool", "hang", "died (signal 9)");
	one_fault("cpython-threads", "hang", "died (signal 9)");
}

/* The lines under a CPython table, from samples whose answer is known by hand. */
static void test_model_line(void **state)
{
	static double s_c[] = { 1.0, 1.0, 1.0 }, s_gil[] = { 1.0, 1.05, 0.95 };
	static double s_py[] = { 2.0, 2.0, 2.0 }, s_pyt[] = { 2.5, 2.0, 3.125 };
	const struct kernel *k = kernel_find("sum_squares");
	struct sweep_row rows[4] = {
		{ .k = k, .b = backend_find("serial"), .workers = 1, .size = 1000, .elements = 1000,
		  .samples = s_c, .median = 1.0 },
		{ .k = k, .b = backend_find("pthreads-gil"), .workers = 2, .size = 1000,
		  .samples = s_gil, .median = 1.0 },
		{ .k = k, .b = backend_find("cpython"), .workers = 1, .size = 100, .elements = 100,
		  .samples = s_py, .median = 2.0 },
		{ .k = k, .b = backend_find("cpython-threads"), .workers = 2, .size = 100,
		  .samples = s_pyt, .median = 2.5 },
	};
	struct sweep sw = { .rows = rows, .n_rows = 4 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	for (int i = 0; i < 4; i++) {
		rows[i].ran = 1;
		rows[i].n_samples = 3;
	}
	sweep_evaluate(&sw);
	assert_true(rows[3].speedup > 0.799 && rows[3].speedup < 0.801);
	print_python(f, &sw, 2, 4);
	fclose(f);
	assert_string_equal(text,
		"  C serial runs 20x faster than CPython serial per item (1e+03 vs 50 per second)\n"
		"  GIL model, 2 threads: pthreads-gil 1.00x (0.95-1.05), cpython-threads 0.80x "
		"(0.64-1.00): medians 25% apart\n");
	free(text);
}

static int test_ft(void)
{
	const struct backend *b = backend_find("cpython-threads-ft");
	char why[400];
	struct kernel_instance ki;
	struct partial total;
	struct work w;

	if (backend_available(b, python, why, sizeof(why)) != 0) {
		printf("skipped: %s (Debian 12 packages none: python3.11 only; the python_base "
		       "test runs these rows' code in a stand-in, tests/fake_ft)\n", why);
		return 77;
	}
	small(&ki, "sum_squares");
	kwork_init(&w, &ki, &total);
	struct backend_config cfg = { .workers = 2, .job = &w, .python = python };
	int rc = run_verified(b, &ki, &w, &cfg, why, sizeof(why));

	kernel_instance_fini(&ki);
	printf("cpython-threads-ft: %s\n", rc ? why : "verified");
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_line),
		cmocka_unit_test(test_every_backend_kernel_workers),
		cmocka_unit_test(test_wrong_results_refused),
		cmocka_unit_test(test_start_methods),
		cmocka_unit_test(test_faults),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: test_cpython PYTHON [--ft]\n");
		return 2;
	}
	python = argv[1];
	if (argc > 2 && strcmp(argv[2], "--ft") == 0)
		return test_ft();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
