/*
 * test_util.c - the helpers every layer shares, each defined once: the median (util/median.c)
 * against hand-computed values, the monotonic deadlines and the thread CPU clock
 * (util/clock.c), the spin-wait's yields (util/spin.h), and the watchdog (bench/lib/
 * watchdog.c) that the sweep and the filter command both run: a run past its limit is
 * cancelled, one that cannot be goes to hang(), a stop request after the grace period.
 * No timing is judged but "it happened, well within 60 s".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "median.h"
#include "spin.h"
#include "watchdog.h"

static void test_median(void **state)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 }, one[] = { 7 }, same[] = { 2, 2 };
	double sorted[] = { 1, 2, 10, 11 };

	(void)state;
	assert_true(median_in_place(odd, 3) == 3);
	assert_true(odd[0] == 1 && odd[1] == 3 && odd[2] == 5); /* sorted in place */
	assert_true(median_in_place(even, 4) == 2.5); /* the mean of the middle two */
	assert_true(median_in_place(one, 1) == 7);
	assert_true(median_in_place(same, 2) == 2);
	assert_true(isnan(median_in_place(NULL, 0)));
	assert_true(median_of_sorted(sorted, 4) == 6);
	assert_true(median_of_sorted(sorted, 3) == 2);
}

static void test_clock(void **state)
{
	uint64_t ns = pb_mono_ns();
	double s = pb_mono_s(), cpu = pb_thread_cpu_s();
	struct timespec now, later;
	volatile double x = 0;

	(void)state;
	assert_true(fabs(s - (double)ns * 1e-9) < 1.0); /* one clock in two units */
	for (long i = 0; i < 20000000 && pb_thread_cpu_s() == cpu; i++)
		x += 1;
	assert_true(pb_thread_cpu_s() > cpu);
	/* deadlines: on the monotonic clock, nanoseconds always below a second */
	now = pb_mono_deadline(0);
	later = pb_mono_deadline(2.75);
	assert_true(later.tv_nsec >= 0 && later.tv_nsec < 1000000000L);
	double d = (double)(later.tv_sec - now.tv_sec) + (double)(later.tv_nsec - now.tv_nsec) * 1e-9;
	assert_true(d > 2.7 && d < 3.7);
	assert_true(fabs((double)now.tv_sec + (double)now.tv_nsec * 1e-9 - pb_mono_s()) < 1.0);
}

/* A timed wait on a condition of pb_mono_cond_init() ends by its monotonic deadline. */
static void test_timed_wait(void **state)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv;
	struct timespec dl;
	double t0 = pb_mono_s();

	(void)state;
	assert_int_equal(pb_mono_cond_init(&cv, 0), 0);
	dl = pb_mono_deadline(0.05);
	pthread_mutex_lock(&mu);
	assert_int_equal(pthread_cond_timedwait(&cv, &mu, &dl), ETIMEDOUT);
	pthread_mutex_unlock(&mu);
	assert_true(pb_mono_s() - t0 >= 0.049 && pb_mono_s() - t0 < 60);
	pthread_cond_destroy(&cv);
}

static void test_spin(void **state)
{
	unsigned polls = 0;

	(void)state;
	for (int i = 0; i < 3 * SPIN_YIELD_EVERY; i++)
		spin_poll(&polls);
	assert_int_equal(polls, 3 * SPIN_YIELD_EVERY);
}

/* A pretend run: what the watchdog did to it. */
struct fake_run {
	int cancellable;
	atomic_int cancels, hangs;
	char why[64];
	void *arg;   /* hang()'s arg (asserted in the test's thread, not the watchdog's) */
};

static int fake_cancel(void *run)
{
	struct fake_run *r = run;

	atomic_fetch_add(&r->cancels, 1);
	return r->cancellable ? 0 : -1;
}

static void fake_hang(void *run, const char *why, void *arg)
{
	struct fake_run *r = run;

	r->arg = arg;
	strncpy(r->why, why, sizeof(r->why) - 1);
	atomic_fetch_add(&r->hangs, 1); /* returns: the run then counts as cancelled */
}

/* Waits (60 s at most) until *n is at least want. */
static void wait_for(atomic_int *n, int want)
{
	double end = pb_mono_s() + 60;

	while (atomic_load(n) < want && pb_mono_s() < end)
		usleep(1000);
	assert_true(atomic_load(n) >= want);
}

static void test_watchdog(void **state)
{
	struct fake_run run = { .cancellable = 1 };
	struct watchdog wd = { .timeout_s = 0.02, .cancel = fake_cancel, .hang = fake_hang,
			       .hang_arg = &run };

	(void)state;
	assert_int_equal(watchdog_start(&wd), 0);
	/* a run past its limit: cancelled, and again a grace period later if still there */
	watchdog_arm(&wd, &run);
	wait_for(&run.cancels, 1);
	assert_string_equal(watchdog_disarm(&wd), "timed out");
	assert_int_equal(atomic_load(&run.hangs), 0);
	/* a run that returns in time: nothing */
	wd.timeout_s = 0; /* (read by the thread only while armed) */
	watchdog_arm(&wd, &run);
	assert_null(watchdog_disarm(&wd));
	/* one that cannot be cancelled: hang() with the reason */
	run.cancellable = 0;
	wd.timeout_s = 0.02;
	watchdog_arm(&wd, &run);
	wait_for(&run.hangs, 1);
	assert_non_null(watchdog_disarm(&wd));
	assert_string_equal(run.why, "timed out after 0.02 s");
	assert_ptr_equal(run.arg, &run);
	watchdog_stop(&wd);
}

static void test_watchdog_stop_request(void **state)
{
	atomic_int stop = 0;
	struct fake_run run = { .cancellable = 1 };
	struct watchdog wd = { .stop = &stop, .cancel = fake_cancel, .hang = fake_hang,
			       .hang_arg = &run };
	double t0;

	(void)state;
	assert_int_equal(watchdog_start(&wd), 0);
	watchdog_arm(&wd, &run);
	t0 = pb_mono_s();
	atomic_store(&stop, SIGINT);
	wait_for(&run.cancels, 1);
	assert_true(pb_mono_s() - t0 >= WATCHDOG_GRACE_S - 0.01); /* the grace period first */
	assert_string_equal(watchdog_disarm(&wd), "stopped by a signal");
	watchdog_stop(&wd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_timed_wait),
		cmocka_unit_test(test_spin),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_watchdog_stop_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
