/*
 * stats.c - interval estimates, the Mann-Whitney U test (and the Moses interval built on its
 * null distribution) and the scaling models of stats.h.
 */
#include "stats.h"

#include "median.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

double stats_median(const double *x, size_t n)
{
	double *s, m;

	if (n == 0)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	m = median_in_place(s, n);
	free(s);
	return m;
}

/* P(X < j) for X ~ Binomial(n, 1/2), term by term in log space (C(n, k) 2^-n overflows and
 * underflows doubles past n ~ 1000). */
static double binom_half_below(size_t n, size_t j)
{
	double p = 0, ln2n = (double)n * log(2.0), lgn = lgamma((double)n + 1);

	for (size_t k = 0; k < j && k <= n; k++)
		p += exp(lgn - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) - ln2n);
	return p;
}

void stats_median_ci(const double *x, size_t n, double *lo, double *hi, double *level)
{
	double *s;
	size_t j = 1; /* 1-based rank of the lower bound */

	*lo = *hi = NAN;
	*level = 0;
	if (n == 0 || !(s = malloc(n * sizeof(*s))))
		return;
	memcpy(s, x, n * sizeof(*s));
	median_sort(s, n);
	/* coverage of [x(j), x(n+1-j)] is 1 - 2 P(X < j); take the largest j keeping 95 % */
	while (j + 1 <= (n + 1) / 2 && 1 - 2 * binom_half_below(n, j + 1) >= 0.95)
		j++;
	*lo = s[j - 1];
	*hi = s[n - j];
	*level = n >= 2 ? 1 - 2 * binom_half_below(n, j) : 0;
	free(s);
}

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double resampled_median(const double *x, size_t n, double *buf, uint64_t *seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[rng_next(seed) % n];
	return median_in_place(buf, n);
}

void stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, unsigned resamples,
		    double *lo, double *hi)
{
	double *r = malloc(resamples * sizeof(*r));
	double *buf = malloc((na > nb ? na : nb) * sizeof(*buf) + 1);
	uint64_t seed = 0x5eedu;

	*lo = *hi = NAN;
	if (!r || !buf || !na || !nb || !resamples) {
		free(r);
		free(buf);
		return;
	}
	for (unsigned i = 0; i < resamples; i++) {
		double ma = resampled_median(a, na, buf, &seed);
		double mb = resampled_median(b, nb, buf, &seed);

		r[i] = ma / mb;
	}
	median_sort(r, resamples);
	*lo = r[(size_t)(0.025 * (resamples - 1) + 0.5)];
	*hi = r[(size_t)(0.975 * (resamples - 1) + 0.5)];
	free(r);
	free(buf);
}

/* Counts of Mann-Whitney's U over every way of choosing which n of n + m distinct values are
 * x: c[u] for u = 0 .. n m (C(n + m, n) in all), by the classic recurrence c(n, m, u) =
 * c(n - 1, m, u - m) + c(n, m - 1, u).  NULL if out of memory; the caller frees it. */
static double *u_counts(size_t n, size_t m)
{
	size_t umax = n * m;
	double *prev = calloc((umax + 1) * (m + 1), sizeof(double));
	double *cur = calloc((umax + 1) * (m + 1), sizeof(double));
	double *c = malloc((umax + 1) * sizeof(double));

	if (!prev || !cur || !c) {
		free(prev);
		free(cur);
		free(c);
		return NULL;
	}
	/* prev[j][v]: counts for (i - 1) x-values and j y-values */
#define AT(a, j, v) a[(j) * (umax + 1) + (v)]
	for (size_t j = 0; j <= m; j++)
		AT(prev, j, 0) = 1; /* no x-values: U = 0 */
	for (size_t i = 1; i <= n; i++) {
		memset(cur, 0, (umax + 1) * (m + 1) * sizeof(double));
		AT(cur, 0, 0) = 1;
		for (size_t j = 1; j <= m; j++)
			for (size_t v = 0; v <= i * j; v++)
				AT(cur, j, v) = (v >= j ? AT(prev, j, v - j) : 0) + AT(cur, j - 1, v);
		double *t = prev;

		prev = cur;
		cur = t;
	}
	for (size_t v = 0; v <= umax; v++)
		c[v] = AT(prev, m, v);
#undef AT
	free(prev);
	free(cur);
	return c;
}

static double exact_two_sided(size_t n, size_t m, double u)
{
	size_t umax = n * m;
	double *c = u_counts(n, m), total = 0, tail = 0, p;
	double lower = u < (double)umax - u ? u : (double)umax - u;

	if (!c)
		return NAN;
	for (size_t v = 0; v <= umax; v++) {
		total += c[v];
		if ((double)v <= lower + 1e-9)
			tail += c[v];
	}
	free(c);
	p = 2 * tail / total;
	return p > 1 ? 1 : p;
}

double stats_mann_whitney(const double *x, size_t n, const double *y, size_t m, double *u)
{
	size_t N = n + m;
	double *v = malloc(N * sizeof(*v));
	double *rank = malloc(N * sizeof(*rank));
	int *from_x = malloc(N * sizeof(*from_x));
	size_t *idx = malloc(N * sizeof(*idx));
	double rx = 0, ties = 0, p;
	int any_tie = 0;

	*u = NAN;
	if (!v || !rank || !from_x || !idx || !n || !m) {
		free(v);
		free(rank);
		free(from_x);
		free(idx);
		return NAN;
	}
	for (size_t i = 0; i < N; i++) {
		v[i] = i < n ? x[i] : y[i - n];
		from_x[i] = i < n;
		idx[i] = i;
	}
	/* sort indexes by value (insertion sort: repetition counts are small) */
	for (size_t a = 1; a < N; a++)
		for (size_t b = a; b > 0 && v[idx[b]] < v[idx[b - 1]]; b--) {
			size_t t = idx[b];

			idx[b] = idx[b - 1];
			idx[b - 1] = t;
		}
	for (size_t a = 0; a < N;) {
		size_t b = a;

		while (b + 1 < N && v[idx[b + 1]] == v[idx[a]])
			b++;
		double t = (double)(b - a + 1), r = (double)(a + b) / 2 + 1; /* mid-rank */

		for (size_t k = a; k <= b; k++)
			rank[idx[k]] = r;
		if (t > 1) {
			any_tie = 1;
			ties += t * t * t - t;
		}
		a = b + 1;
	}
	for (size_t i = 0; i < n; i++)
		rx += rank[i];
	*u = rx - (double)n * (double)(n + 1) / 2;
	if (!any_tie && n <= 8 && m <= 8) { /* scipy's method='auto' */
		p = exact_two_sided(n, m, *u);
	} else {
		double mu = (double)n * (double)m / 2;
		double sigma = sqrt((double)n * (double)m / 12 *
				    ((double)(N + 1) - ties / ((double)N * (double)(N - 1))));
		double z = sigma > 0 ? (fabs(*u - mu) - 0.5) / sigma : 0;

		if (z < 0)
			z = 0;
		p = sigma > 0 ? erfc(z / sqrt(2.0)) : 1;
	}
	free(v);
	free(rank);
	free(from_x);
	free(idx);
	return p;
}

double stats_norm_quantile(double p)
{
	double lo = 0, hi = 40;

	if (!(p > 0) || p >= 0.5)
		return p >= 0.5 ? 0 : INFINITY;
	for (int i = 0; i < 200 && hi - lo > 1e-12; i++) { /* P(Z > z) falls with z */
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(mid / sqrt(2.0)) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* The Moses interval's k: the largest with P(U <= k - 1) <= alpha / 2 under no difference,
 * or 0 when even k = 1 misses (too few values for 1 - alpha). */
static size_t shift_k(size_t n, size_t m, double alpha)
{
	size_t k = 0;

	if (n * m > 2500) { /* normal approximation (Hollander & Wolfe) */
		double c = (double)(n * m) / 2 - stats_norm_quantile(alpha / 2) *
			   sqrt((double)(n * m) * (double)(n + m + 1) / 12);

		return c >= 1 ? (size_t)floor(c + 0.5) : 0;
	}
	double *c = u_counts(n, m), total = 0, below = 0;

	if (!c)
		return 0;
	for (size_t v = 0; v <= n * m; v++)
		total += c[v];
	for (size_t v = 0; v < (n * m + 1) / 2; v++) { /* k - 1 = v */
		below += c[v];
		if (below / total > alpha / 2)
			break;
		k = v + 1;
	}
	free(c);
	return k;
}

int stats_shift_ci(const double *x, size_t n, const double *y, size_t m, double alpha,
		   double *est, double *lo, double *hi)
{
	size_t N = n * m, k;
	double *d;

	*est = NAN;
	*lo = -INFINITY;
	*hi = INFINITY;
	if (!n || !m)
		return -EDOM;
	if (!(d = malloc(N * sizeof(*d))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			d[i * m + j] = y[j] - x[i];
	*est = median_in_place(d, N);
	k = shift_k(n, m, alpha);
	if (k) {
		*lo = d[k - 1];
		*hi = d[N - k];
	}
	free(d);
	return k ? 0 : -EDOM;
}

size_t stats_shift_min_n(double alpha)
{
	double c = 2; /* C(2n, n) for n = 1 */

	for (size_t n = 1; n < 64; n++) {
		if (1 / c <= alpha / 2)
			return n;
		c = c * (double)(2 * n + 1) * (double)(2 * n + 2) / ((double)(n + 1) * (double)(n + 1));
	}
	return 64;
}

double stats_karp_flatt(double s, unsigned p)
{
	if (p < 2 || !(s > 0))
		return NAN;
	return (1 / s - 1 / (double)p) / (1 - 1 / (double)p);
}

double stats_amdahl_fit(const double *s, const unsigned *p, size_t n)
{
	double sxy = 0, sxx = 0, f;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < 2 || !(s[i] > 0))
			continue;
		double x = 1 - 1 / (double)p[i], y = 1 / s[i] - 1 / (double)p[i];

		sxy += x * y;
		sxx += x * x;
	}
	if (sxx == 0)
		return NAN;
	f = sxy / sxx;
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

double stats_amdahl(double f, double p)
{
	return 1 / (f + (1 - f) / p);
}
