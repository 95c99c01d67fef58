/*
 * stats.h - the statistics parbench adds on top of Google Benchmark's samples: the median,
 * interval estimates for medians, speedups and shifts, the Mann-Whitney U test, and the
 * scaling models (Karp-Flatt, Amdahl).  Mean, stddev, cv, min and max of a
 * configuration's samples are taken in the gbench shim, over every round.
 */
#ifndef PB_STATS_H
#define PB_STATS_H

#include <stddef.h>

/* Median of n values (sorted copy; x is left unchanged). NAN for n = 0. */
double stats_median(const double *x, size_t n);

/*
 * Distribution-free confidence interval of the median from order statistics: the narrowest
 * symmetric [x(j), x(n+1-j)] whose binomial coverage is at least 95 %, or the whole range
 * when n is too small for 95 % (n < 6: 5 samples give 93.75 %).  *level gets the coverage.
 */
void stats_median_ci(const double *x, size_t n, double *lo, double *hi, double *level);

/*
 * Percentile bootstrap (nominal 95 %, `resamples` draws, fixed seed: reproducible) of the
 * ratio median(a) / median(b): the speedup of b over a when a is the serial baseline.  It is
 * approximate: with few repetitions (5) a percentile bootstrap of medians covers less than
 * its nominal 95 %, and the tables say so.
 */
void stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, unsigned resamples,
		    double *lo, double *hi);

/*
 * Two-sided Mann-Whitney U test of x against y, as scipy's mannwhitneyu with its default
 * method='auto' (which Google Benchmark's compare.py uses): the exact p-value when there are
 * no ties and neither sample has more than 8 values, else the normal approximation with tie
 * correction and continuity correction.
 * Returns p; *u gets U of x.
 */
double stats_mann_whitney(const double *x, size_t n, const double *y, size_t m, double *u);

/* z with P(Z > z) = p for a standard normal Z (0 < p < 0.5; 0 for p >= 0.5). */
double stats_norm_quantile(double p);

/*
 * The shift d in y = x + d (for `parbench compare`: x and y the logs of two runs' times, d
 * the log of their ratio): the Hodges-Lehmann estimate, the median of the n m differences
 * y[j] - x[i], into *est; and Moses' distribution-free interval [D(k), D(nm + 1 - k)] of the
 * sorted differences, with k the largest for which Mann-Whitney's U under no difference has
 * P(U <= k - 1) <= alpha / 2 (exact for n m <= 2500, else its normal approximation), so that
 * it covers d with probability at least 1 - alpha (Hollander & Wolfe, "Nonparametric
 * Statistical Methods", 4.3).  Returns 0; -EDOM when n and m are too few for 1 - alpha at
 * all (then *lo = -INFINITY, *hi = INFINITY); -ENOMEM.
 */
int stats_shift_ci(const double *x, size_t n, const double *y, size_t m, double alpha,
		   double *est, double *lo, double *hi);
/* The fewest values a side (n = m) for which stats_shift_ci reaches 1 - alpha:
 * the smallest n with 2 / C(2n, n) <= alpha. */
size_t stats_shift_min_n(double alpha);

/* Karp-Flatt experimentally determined serial fraction for speedup s on p > 1 workers. */
double stats_karp_flatt(double s, unsigned p);

/*
 * Amdahl's law fitted to speedups s[i] at p[i] workers (least squares on 1/s = f + (1-f)/p,
 * points with p > 1): the serial fraction f, clamped to [0, 1]; NAN without such points.
 */
double stats_amdahl_fit(const double *s, const unsigned *p, size_t n);
/* Amdahl's projected speedup at p workers for serial fraction f. */
double stats_amdahl(double f, double p);

#endif
