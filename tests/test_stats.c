/*
 * test_stats.c - the statistics of bench/lib/stats.c against independent computations: the
 * exact Mann-Whitney p-value against a brute-force enumeration of all rank splits, the
 * median interval's coverage against a direct binomial sum, Amdahl and Karp-Flatt on
 * speedups generated from a known serial fraction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "stats.h"

/* All ways of choosing which n of the n + m pooled values are "x": U of each, and the
 * two-sided p-value of u as 2 min(P(U <= u), P(U >= u)), capped at 1. */
static double brute_p(const double *x, size_t n, const double *y, size_t m)
{
	double pool[16], u_obs = 0;
	size_t N = n + m, total = 0, le = 0, ge = 0;

	for (size_t i = 0; i < n; i++)
		pool[i] = x[i];
	for (size_t i = 0; i < m; i++)
		pool[n + i] = y[i];
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			u_obs += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
	for (unsigned mask = 0; mask < (1u << N); mask++) {
		double u = 0;

		if ((size_t)__builtin_popcount(mask) != n)
			continue;
		for (size_t i = 0; i < N; i++)
			for (size_t j = 0; j < N; j++)
				if ((mask >> i & 1) && !(mask >> j & 1))
					u += pool[i] > pool[j] ? 1 : pool[i] == pool[j] ? 0.5 : 0;
		total++;
		le += u <= u_obs + 1e-9;
		ge += u >= u_obs - 1e-9;
	}
	double p = 2.0 * (double)(le < ge ? le : ge) / (double)total;

	return p > 1 ? 1 : p;
}

static void test_mann_whitney_exact_matches_enumeration(void **state)
{
	uint64_t s = 12345;

	(void)state;
	for (int trial = 0; trial < 200; trial++) {
		size_t n = 2 + (size_t)(trial % 5), m = 2 + (size_t)((trial / 5) % 6);
		double x[8], y[8], u;

		for (size_t i = 0; i < n + m; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			double v = (double)(s >> 11) / 9007199254740992.0 + (i < n ? 0.3 * (trial % 3) : 0);

			if (i < n)
				x[i] = v;
			else
				y[i - n] = v;
		}
		double p = stats_mann_whitney(x, n, y, m, &u), want = brute_p(x, n, y, m);

		if (fabs(p - want) > 1e-12)
			fail_msg("n=%zu m=%zu: p %.12f, enumeration %.12f", n, m, p, want);
	}
}

static void test_mann_whitney_properties(void **state)
{
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 }, u, u2;
	double t1[] = { 1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 7, 7 };
	double t2[] = { 3, 3, 4, 5, 5, 6, 7, 7, 8, 8, 9, 9 };

	(void)state;
	/* complete separation of 5 and 5: U = 0, exact p = 2 / C(10, 5) */
	assert_true(fabs(stats_mann_whitney(a, 5, b, 5, &u) - 2.0 / 252) < 1e-12);
	assert_true(u == 0);
	/* symmetric in its arguments; U + U' = n m (ties: normal approximation) */
	double p1 = stats_mann_whitney(t1, 12, t2, 12, &u), p2 = stats_mann_whitney(t2, 12, t1, 12, &u2);

	assert_true(fabs(p1 - p2) < 1e-12);
	assert_true(fabs(u + u2 - 144) < 1e-9);
	/* scipy.stats.mannwhitneyu(t1, t2): U = 33, tie and continuity corrections: 0.024777 */
	assert_true(fabs(u - 33) < 1e-9);
	if (fabs(p1 - 0.024777) > 1e-6)
		fail_msg("tied samples: p %.7f, want 0.024777", p1);
	/* the same sample twice: no evidence of a difference */
	assert_true(stats_mann_whitney(t1, 12, t1, 12, &u) > 0.99);
}

static double coverage(size_t n, size_t j)
{
	double below = 0, c = 1;

	for (size_t k = 0; k < j; k++) {
		below += c;
		c = c * (double)(n - k) / (double)(k + 1);
	}
	return 1 - 2 * below / pow(2, (double)n);
}

static void test_median_interval(void **state)
{
	double x[40], lo, hi, level;

	(void)state;
	for (size_t i = 0; i < 40; i++)
		x[i] = (double)((i * 17) % 40); /* 0..39, shuffled */
	stats_median_ci(x, 5, &lo, &hi, &level);
	assert_true(fabs(level - 0.9375) < 1e-12); /* 5 repetitions: min .. max */
	/* known values (binomial tables): n = 10 -> ranks 2 and 9, 97.852 %; n = 20 -> ranks 6
	 * and 15, 95.861 % */
	stats_median_ci(x, 10, &lo, &hi, &level);
	assert_true(fabs(level - 0.978515625) < 1e-9);
	stats_median_ci(x, 20, &lo, &hi, &level);
	assert_true(fabs(level - 0.9586105346679688) < 1e-9);
	/* thousands of repetitions: no overflow, the interval narrows around the median */
	{
		static double big[5001];

		for (size_t i = 0; i < 5001; i++)
			big[i] = (double)((i * 7919) % 5001);
		stats_median_ci(big, 5001, &lo, &hi, &level);
		assert_true(level >= 0.95 && level < 0.96);
		assert_true(lo < 2500 && hi > 2500 && hi - lo < 160);
	}
	for (size_t n = 6; n <= 40; n++) {
		size_t j = 1;

		while (j + 1 <= (n + 1) / 2 && coverage(n, j + 1) >= 0.95)
			j++;
		stats_median_ci(x, n, &lo, &hi, &level);
		assert_true(fabs(level - coverage(n, j)) < 1e-12);
		assert_true(level >= 0.95);
		/* lo is the j-th smallest of x[0..n) */
		size_t below = 0;

		for (size_t i = 0; i < n; i++)
			below += x[i] < lo;
		assert_int_equal(below, j - 1);
		assert_true(lo <= stats_median(x, n) && stats_median(x, n) <= hi);
	}
}

static void test_speedup_interval(void **state)
{
	double serial[] = { 2, 2, 2, 2, 2 }, par[] = { 1, 1, 1, 1, 1 }, lo, hi;
	double s2[] = { 10.1, 9.8, 10.3, 10.0, 9.9, 10.2, 10.05 }, p2[] = { 5.2, 4.9, 5.1, 5.0, 5.3 };

	(void)state;
	stats_ratio_ci(serial, 5, par, 5, 500, &lo, &hi);
	assert_true(lo == 2 && hi == 2);
	stats_ratio_ci(s2, 7, p2, 5, 2000, &lo, &hi);
	double point = stats_median(s2, 7) / stats_median(p2, 5);

	assert_true(lo <= point && point <= hi);
	assert_true(hi - lo < 0.3 && lo > 1.8);
	/* known values of the percentile method: a resample's median of {1, 2, 3, 4, 5} is 1
	 * (and 5) with probability 0.05792 each (3 or more of 5 draws at the end), more than
	 * 2.5 %, so the 95 % percentile interval of 1 / median is exactly [1/5, 1/1]; a normal
	 * or basic bootstrap would not land on those atoms */
	double ones[] = { 1, 1, 1, 1, 1 }, five[] = { 1, 2, 3, 4, 5 };

	stats_ratio_ci(ones, 5, five, 5, 2000, &lo, &hi);
	if (lo != 0.2 || hi != 1.0)
		fail_msg("percentile bootstrap of 1 / median(1..5): [%g, %g], want [0.2, 1]", lo, hi);
}

static void test_amdahl_and_karp_flatt(void **state)
{
	const double f = 0.1;
	unsigned p[] = { 1, 2, 4, 8 };
	double s[4];

	(void)state;
	for (int i = 0; i < 4; i++)
		s[i] = 1 / (f + (1 - f) / p[i]);
	assert_true(fabs(stats_amdahl_fit(s, p, 4) - f) < 1e-12);
	for (int i = 1; i < 4; i++)
		assert_true(fabs(stats_karp_flatt(s[i], p[i]) - f) < 1e-12);
	assert_true(fabs(stats_amdahl(f, 16) - 1 / (0.1 + 0.9 / 16)) < 1e-12);
	assert_true(isnan(stats_karp_flatt(1.0, 1)));
	assert_true(isnan(stats_amdahl_fit(s, p, 1))); /* only 1 worker: nothing to fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mann_whitney_exact_matches_enumeration),
		cmocka_unit_test(test_mann_whitney_properties),
		cmocka_unit_test(test_median_interval),
		cmocka_unit_test(test_speedup_interval),
		cmocka_unit_test(test_amdahl_and_karp_flatt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
