/*
 * test_gil.c - the simulated GIL behaves like CPython's (../shared/notes/gil-and-pool.md):
 * two CPU-bound threads hold it for slices close to the switch interval and share it fairly;
 * a thread that blocks beside a CPU-bound one waits about one interval extra per call (the
 * convoy effect); and through the pthreads-gil backend, blocking work scales with threads
 * while CPU-bound work does not.  Tolerances are wide and each check gets 3 attempts: this
 * runs on 2 shared, noisy cores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "clock.h"
#include "gil.h"
#include "kernel.h"
#include "kwork.h"

#define MAX_SAMPLES 4096

struct hog {
	struct gil *g;
	struct gil_thread gt;
	uint64_t samples[MAX_SAMPLES];
	uint64_t work;        /* 10 us blocks done */
	atomic_int *stop;
	pthread_t tid;
};

/* ~10 us of CPU work between check points, like a Python loop's back edges. */
static void spin_us(unsigned us)
{
	uint64_t end = pb_mono_ns() + us * 1000ull;

	while (pb_mono_ns() < end)
		;
}

static void *hog_main(void *arg)
{
	struct hog *h = arg;

	gil_take(h->g, &h->gt);
	while (!atomic_load(h->stop)) {
		spin_us(10);
		h->work++;
		gil_checkpoint(h->g, &h->gt);
	}
	gil_drop(h->g, &h->gt, 0);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_ms(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n ? (double)v[n / 2] / 1e6 : 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* A timing check passes when one of ATTEMPTS measurements does: other processes on these
 * shared cores make one measurement stray now and then (a preempted holder stretches its
 * slice, a late wake-up a sleep), where a GIL that does not switch, convoy or drop around
 * blocking calls fails every attempt.  A check returns 0, or 1 with why it failed. */
#define ATTEMPTS 3
/* Below this share of a CPU for each of two spinning threads, the cores are too busy with
 * other processes for the GIL's timing to mean anything (2 idle cores: ~1). */
#define BUSY_SHARE 0.6

static void *spin_share(void *arg)
{
	double *share = arg;
	double t0 = pb_mono_s(), c0 = pb_thread_cpu_s();

	spin_us(300000);
	*share = (pb_thread_cpu_s() - c0) / (pb_mono_s() - t0);
	return NULL;
}

/* The CPU share the less served of two threads spinning for 0.3 s got. */
static double cpu_share(void)
{
	pthread_t t[2];
	double share[2] = { 0, 0 };

	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, spin_share, &share[i]) != 0)
			return 0;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return share[0] < share[1] ? share[0] : share[1];
}

typedef int timing_check_fn(unsigned arg, char *why, size_t len);

/* Passes, fails, or skips when every attempt failed on cores other processes keep busy. */
static void check_timing(timing_check_fn *check, unsigned arg)
{
	char why[256] = "";
	double share;

	for (int a = 1; a <= ATTEMPTS; a++) {
		if (check(arg, why, sizeof(why)) == 0)
			return;
		print_message("attempt %d of %d: %s\n", a, ATTEMPTS, why);
	}
	share = cpu_share();
	if (share < BUSY_SHARE) {
		print_message("not judged: the cores are busy (a spinning thread gets %.0f%% of a "
			      "CPU)\n", share * 100);
		skip();
	}
	fail_msg("%s", why);
}

/* Two CPU-bound threads: slices about one interval long, and fair shares. */
static int slices_for(unsigned interval_us, char *why, size_t len)
{
	struct gil g;
	atomic_int stop = 0;
	struct hog *h = calloc(2, sizeof(*h));
	double lo_ms = 0.6 * interval_us / 1000.0, hi_ms = 2.0 * interval_us / 1000.0 + 0.3;

	assert_non_null(h);
	assert_int_equal(gil_init(&g, interval_us), 0);
	for (int i = 0; i < 2; i++) {
		h[i].g = &g;
		h[i].stop = &stop;
		h[i].gt.samples = h[i].samples;
		h[i].gt.cap_samples = MAX_SAMPLES;
		assert_int_equal(pthread_create(&h[i].tid, NULL, hog_main, &h[i]), 0);
	}
	sleep_ms(interval_us >= 5000 ? 600 : 300);
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(h[i].tid, NULL);

	int bad = 0;

	for (int i = 0; i < 2 && !bad; i++) {
		/* drop the first and last holds (start-up and the stop) */
		size_t n = h[i].gt.n_samples > 2 ? h[i].gt.n_samples - 2 : 0;
		double med = median_ms(h[i].samples + 1, n);

		print_message("interval %u us: thread %d: median hold %.2f ms over %zu slices\n",
			      interval_us, i, med, n);
		if (n < 10 || med < lo_ms || med > hi_ms)
			bad = snprintf(why, len,
				       "interval %u us: thread %d held the GIL for a "
				       "median %.2f ms over %zu slices (want %.2f..%.2f ms)",
				       interval_us, i, med, n, lo_ms, hi_ms) > 0;
	}
	double fair = (double)(h[0].work < h[1].work ? h[0].work : h[1].work) /
		      (double)(h[0].work > h[1].work ? h[0].work : h[1].work);
	unsigned long drops = (unsigned long)atomic_load(&g.forced_drops);

	print_message("interval %u us: fairness (min/max work) %.2f, %lu forced drops\n",
		      interval_us, fair, drops);
	if (!bad && fair < 0.7)
		bad = snprintf(why, len, "interval %u us: unfair shares %llu vs %llu", interval_us,
			       (unsigned long long)h[0].work, (unsigned long long)h[1].work) > 0;
	if (!bad && drops <= 10)
		bad =
		    snprintf(why, len, "interval %u us: %lu forced drops", interval_us, drops) > 0;
	gil_destroy(&g);
	free(h);
	return bad;
}

static void test_slices_5ms(void **state)
{
	(void)state;
	check_timing(slices_for, 5000);
}

static void test_slices_1ms(void **state)
{
	(void)state;
	check_timing(slices_for, 1000);
}

/* Median latency of 1 ms blocking calls (GIL dropped around them), with or without a hog. */
static double sleeper_latency_ms(unsigned interval_us, int with_hog)
{
	struct gil g;
	struct gil_thread me = { 0 };
	atomic_int stop = 0;
	struct hog *h = calloc(1, sizeof(*h));
	uint64_t lat[25];
	const size_t n = sizeof(lat) / sizeof(lat[0]);

	assert_non_null(h);
	assert_int_equal(gil_init(&g, interval_us), 0);
	if (with_hog) {
		h->g = &g;
		h->stop = &stop;
		assert_int_equal(pthread_create(&h->tid, NULL, hog_main, h), 0);
		sleep_ms(20);
	}
	gil_take(&g, &me);
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = pb_mono_ns();

		gil_drop(&g, &me, 0); /* Py_BEGIN_ALLOW_THREADS */
		sleep_ms(1);
		gil_take(&g, &me);    /* Py_END_ALLOW_THREADS */
		lat[i] = pb_mono_ns() - t0;
	}
	gil_drop(&g, &me, 0);
	if (with_hog) {
		atomic_store(&stop, 1);
		pthread_join(h->tid, NULL);
	}
	gil_destroy(&g);
	free(h);
	return median_ms(lat, n);
}

static int convoy(unsigned unused, char *why, size_t len)
{
	double alone = sleeper_latency_ms(5000, 0);
	double at5 = sleeper_latency_ms(5000, 1);
	double at1 = sleeper_latency_ms(1000, 1);

	(void)unused;
	print_message("1 ms sleep: alone %.2f ms, beside a hog %.2f ms (5 ms interval), %.2f ms "
		      "(1 ms interval)\n", alone, at5, at1);
	/* CPython 3.11 here: alone 1.08 ms; beside a hog 6.2 ms (5 ms) and 2.2 ms (1 ms) */
	if (alone > 2.0)
		return snprintf(why, len, "a 1 ms sleep alone took %.2f ms", alone) > 0;
	if (at5 < alone + 2.5 || at5 > alone + 9.0)
		return snprintf(why, len,
				"beside a hog at 5 ms: %.2f ms per 1 ms sleep (alone %.2f)", at5,
				alone) > 0;
	if (at1 < alone + 0.4 || at1 > alone + 3.5)
		return snprintf(why, len,
				"beside a hog at 1 ms: %.2f ms per 1 ms sleep (alone %.2f)", at1,
				alone) > 0;
	return 0;
}

static void test_convoy(void **state)
{
	(void)state;
	check_timing(convoy, 0);
}

/* Seconds for one verified run of kernel k on pthreads-gil with the given workers. */
static double gil_backend_seconds(const char *kernel, struct kernel_params p, unsigned workers)
{
	const struct kernel *k = kernel_find(kernel);
	struct kernel_instance ki;
	struct backend_config cfg = { .workers = workers };
	struct backend_instance bi;
	struct partial total;
	uint64_t t0, best = UINT64_MAX;

	assert_non_null(k);
	assert_int_equal(kernel_instance_init(&ki, k, &p), 0);
	struct work w;

	kwork_init(&w, &ki, &total);
	assert_int_equal(backend_instance_start(&bi, backend_find("pthreads-gil"), &cfg), 0);
	for (int r = 0; r < 3; r++) {
		t0 = pb_mono_ns();
		assert_int_equal(backend_instance_run(&bi, &w), 0);
		if (pb_mono_ns() - t0 < best)
			best = pb_mono_ns() - t0;
		assert_int_equal(k->verify(ki.priv, &total), 0);
	}
	backend_instance_stop(&bi);
	kernel_instance_fini(&ki);
	return (double)best / 1e9;
}

static int io_wait_scales(unsigned unused, char *why, size_t len)
{
	struct kernel_params p = { .size = 40, .sleep_us = 2000 };
	double t1 = gil_backend_seconds("io_wait", p, 1);
	double t2 = gil_backend_seconds("io_wait", p, 2);
	double t4 = gil_backend_seconds("io_wait", p, 4);

	(void)unused;
	print_message("io_wait under the GIL: %.2fx with 2 workers, %.2fx with 4\n", t1 / t2, t1 / t4);
	if (t1 / t2 < 1.6 || t1 / t4 < 2.8)
		return snprintf(why, len,
				"io_wait under the GIL: 1 worker %.1f ms, 2: %.1f ms, 4: "
				"%.1f ms (want >= 1.6x and >= 2.8x)",
				t1 * 1e3, t2 * 1e3, t4 * 1e3) > 0;
	return 0;
}

static void test_io_wait_scales_under_gil(void **state)
{
	(void)state;
	check_timing(io_wait_scales, 0);
}

static int cpu_bound_does_not_scale(unsigned unused, char *why, size_t len)
{
	struct kernel_params p = { .size = 200000000 };
	double t1 = gil_backend_seconds("sum_squares", p, 1);
	double t2 = gil_backend_seconds("sum_squares", p, 2);

	(void)unused;
	print_message("sum_squares under the GIL: %.2fx with 2 workers\n", t1 / t2);
	/* real parallelism would give ~2x; a busy moment during the 1-worker runs, more */
	if (t1 / t2 > 1.3)
		return snprintf(why, len, "sum_squares under the GIL sped up %.2fx with 2 workers",
				t1 / t2) > 0;
	return 0;
}

static void test_cpu_bound_does_not_scale_under_gil(void **state)
{
	(void)state;
	check_timing(cpu_bound_does_not_scale, 0);
}

int main(void)
{
	/* the GIL's timing, measured: meaningless under a sanitizer's slowdown (CTest sets
	 * PB_INSTRUMENTED there), so an instrumented build runs none of it and says so */
	if (getenv("PB_INSTRUMENTED")) {
		printf("gil: not run in an instrumented build (timing tests)\n");
		return 77;
	}
	/* ... and meaningless on cores other processes keep busy: said, and shown as skipped */
	double share = cpu_share();

	if (share < BUSY_SHARE) {
		printf("gil: not run: the cores are busy (a spinning thread gets %.0f%% of a CPU)\n",
		       share * 100);
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slices_5ms),
		cmocka_unit_test(test_slices_1ms),
		cmocka_unit_test(test_convoy),
		cmocka_unit_test(test_io_wait_scales_under_gil),
		cmocka_unit_test(test_cpu_bound_does_not_scale_under_gil),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
