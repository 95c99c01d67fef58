/*
 * test_verdict.c - the regression gate's arithmetic (bench/lib/verdict.c and the Moses
 * interval of stats.c) on fabricated samples: the interval against hand-counted values and,
 * by simulation, its false-alarm rate when both runs draw from one heavy-tailed
 * distribution; then one verdict each for a clear slowdown, a clear same, an unresolved wide
 * one, too few repetitions, times per item, and a machine 20 % slower in NEW on everything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include "stats.h"
#include "verdict.h"

static const struct drift no_drift = { .use = DRIFT_NONE, .ratio = 1, .lo = 1, .hi = 1 };

/* n samples around t: t (1 + spread * (i - n/2) / n), in a scrambled order. */
static void around(double *x, size_t n, double t, double spread)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = (i * 7) % n;

		x[i] = t * (1 + spread * ((double)k - (double)n / 2) / (double)n);
	}
}

static uint64_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 11;
}

static void test_moses_known_values(void **state)
{
	double x[] = { 1, 2, 3, 4, 5 }, y[] = { 11, 12, 13, 14, 15 }, est, lo, hi;

	(void)state;
	/* n = m = 5 at 95 %: P(U <= 2) = 4/252 <= 2.5 % < P(U <= 3) = 7/252, so k = 3; the 25
	 * differences 10 + j - i sorted are 6, 7, 7, 8, 8, 8, ...: D(3) = 7, D(23) = 13 */
	assert_int_equal(stats_shift_ci(x, 5, y, 5, 0.05, &est, &lo, &hi), 0);
	assert_true(est == 10 && lo == 7 && hi == 13);
	/* at 99 % only k = 1 is left (1/252 <= 0.5 % < 2/252): min .. max of the differences */
	assert_int_equal(stats_shift_ci(x, 5, y, 5, 0.01, &est, &lo, &hi), 0);
	assert_true(lo == 6 && hi == 14);
	/* at 99.5 % five a side cannot reach (2/252 > 0.5 %): no interval */
	assert_int_equal(stats_shift_ci(x, 5, y, 5, 0.005, &est, &lo, &hi), -EDOM);
	assert_true(isinf(lo) && isinf(hi) && est == 10);
	/* 2 / C(2n, n) <= alpha: C(10, 5) = 252 reaches 1 %, C(8, 4) = 70 does not */
	assert_int_equal(stats_shift_min_n(0.01), 5);
	assert_true(fabs(stats_norm_quantile(0.025) - 1.959964) < 1e-5);
}

/* A/A: both samples from one skewed distribution with rare large outliers (what a shared
 * machine does to timings); the interval must miss no change at most alpha of the time. */
static void test_moses_false_alarms(void **state)
{
	uint64_t s = 42;
	unsigned miss = 0, trials = 4000;

	(void)state;
	for (unsigned t = 0; t < trials; t++) {
		double x[9], y[9], est, lo, hi;

		for (int i = 0; i < 18; i++) {
			double u = (double)(rng(&s) % 1000000) / 1e6;
			double v = log(1 + 0.02 * u + (rng(&s) % 10 == 0 ? 3 * u : 0));

			if (i < 9)
				x[i] = v;
			else
				y[i - 9] = v;
		}
		assert_int_equal(stats_shift_ci(x, 9, y, 9, 0.05, &est, &lo, &hi), 0);
		miss += lo > 0 || hi < 0;
	}
	/* at most 5 %: 200 of 4000, with 3 standard deviations (41) for the simulation */
	if (miss > 241)
		fail_msg("the interval missed no change in %u of %u A/A trials", miss, trials);
}

static void test_verdicts(void **state)
{
	double base[9], slow[9], same[9], wide_b[9], wide_n[9], fast[9];
	struct verdict v;

	(void)state;
	around(base, 9, 0.010, 0.02);
	around(slow, 9, 0.013, 0.02);
	around(fast, 9, 0.007, 0.02);
	around(same, 9, 0.0101, 0.01);
	assert_int_equal(verdict_judge(base, 9, slow, 9, 1, &no_drift, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SLOWER);
	assert_true(v.ratio > 1.28 && v.ratio < 1.32 && v.lo > 1 && v.hi < 1.4);
	assert_int_equal(verdict_judge(base, 9, fast, 9, 1, &no_drift, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_FASTER);
	assert_int_equal(verdict_judge(base, 9, same, 9, 1, &no_drift, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SAME);
	assert_true(v.lo >= 0.95 && v.hi <= 1.05);
	/* the same slowdown is not SLOWER at a threshold above it */
	assert_int_equal(verdict_judge(base, 9, slow, 9, 1, &no_drift, 0.4, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SAME);
	/* spread over 2x a side, 10 % apart: neither within 5 % nor clear of it; more
	 * repetitions would tell, and more than 9 */
	around(wide_b, 9, 0.010, 1.2);
	around(wide_n, 9, 0.011, 1.2);
	assert_int_equal(verdict_judge(wide_b, 9, wide_n, 9, 1, &no_drift, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_UNRESOLVED);
	assert_true(v.reps > 9 && v.lo < 1 && v.hi > 1.05);
	/* two repetitions a side cannot reach 98.3 % (3 cells): no interval, and the count that
	 * would have one */
	assert_int_equal(verdict_judge(base, 2, slow, 2, 1, &no_drift, 0.05, 0.05 / 3, &v), 0);
	assert_true(v.kind == VERDICT_UNRESOLVED && isinf(v.hi));
	assert_true(v.reps >= stats_shift_min_n(0.05 / 3));
}

/* The case: NEW did 10 items of 1.3 ms where BASE did 12 of 1 ms, each run about as
 * long; per item (scale 12 / 10) it is 30 % slower. */
static void test_per_item(void **state)
{
	double base[9], cur[9];
	struct verdict v;

	(void)state;
	around(base, 9, 12 * 0.00100, 0.01);
	around(cur, 9, 10 * 0.00130, 0.01);
	assert_int_equal(verdict_judge(base, 9, cur, 9, 1, &no_drift, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SLOWER); /* +8 % as measured */
	assert_true(v.ratio < 1.1);
	assert_int_equal(verdict_judge(base, 9, cur, 9, 12.0 / 10, &no_drift, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SLOWER);
	assert_true(fabs(v.ratio - 1.3) < 0.01);
}

/* Both runs of one build, NEW's machine 20 % slower on everything, the probe too. */
static void test_drift(void **state)
{
	double base[9], cur[9], real[9];
	struct drift one = { .use = DRIFT_DIVIDE, .ratio = 1.2, .lo = 1.19, .hi = 1.21 };
	struct drift other = one, vague = one;
	struct verdict v;

	(void)state;
	other.use = DRIFT_EITHER;
	around(base, 9, 0.010, 0.02);
	around(cur, 9, 0.012, 0.02);
	around(real, 9, 0.012 * 1.3, 0.02); /* and 30 % slower besides */
	assert_int_equal(verdict_judge(base, 9, cur, 9, 1, &no_drift, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SLOWER); /* as measured: drift looks like a slowdown */
	assert_int_equal(verdict_judge(base, 9, cur, 9, 1, &one, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SAME);
	assert_true(fabs(v.ratio - 1) < 0.01 && v.lo < 1 && v.hi > 1);
	assert_int_equal(verdict_judge(base, 9, real, 9, 1, &one, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SLOWER);
	assert_true(fabs(v.ratio - 1.3) < 0.01);
	/* other builds: the probe's change may be the build's; slower as measured, same divided:
	 * the machine or the build, which no repetition count tells apart */
	assert_int_equal(verdict_judge(base, 9, cur, 9, 1, &other, 0.05, 0.05, &v), 0);
	assert_true(v.kind == VERDICT_UNRESOLVED && v.ambiguous && v.reps == 0);
	assert_int_equal(verdict_judge(base, 9, real, 9, 1, &other, 0.05, 0.05, &v), 0);
	assert_int_equal(v.kind, VERDICT_SLOWER); /* slower either way */
	/* a probe known only to +-10 % widens every interval past the threshold for good */
	vague.lo = 1.2 / 1.1;
	vague.hi = 1.2 * 1.1;
	assert_int_equal(verdict_judge(base, 9, cur, 9, 1, &vague, 0.05, 0.05, &v), 0);
	assert_true(v.kind == VERDICT_UNRESOLVED && v.reps == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moses_known_values),
		cmocka_unit_test(test_moses_false_alarms),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_per_item),
		cmocka_unit_test(test_drift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
