/*
 * scale.c - scale.h: the scaling model's least-squares fit and its prediction.
 */
#include "scale.h"

#include <errno.h>
#include <math.h>

int scale_fit(const struct scale_point *pts, size_t n, struct scale_model *m)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;

	m->compute_s = m->serial_s = 0;
	m->n_fit = n;
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!(pts[i].cpus >= 1))
			return -EINVAL;
		double x = 1 / pts[i].cpus, y = pts[i].t - pts[i].link_s;

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	double den = (double)n * sxx - sx * sx;

	/* y = compute * x + serial; one distinct x: a line through the origin */
	if (fabs(den) > 1e-12 * (double)n * sxx) {
		m->compute_s = ((double)n * sxy - sx * sy) / den;
		m->serial_s = (sy - m->compute_s * sx) / (double)n;
	}
	if (m->serial_s < 0 || fabs(den) <= 1e-12 * (double)n * sxx) {
		m->serial_s = 0;
		m->compute_s = sxy / sxx;
	}
	if (m->compute_s < 0) { /* time grows with CPUs: nothing divides */
		m->compute_s = 0;
		m->serial_s = sy / (double)n;
	}
	if (m->serial_s < 0)
		m->serial_s = 0;
	return 0;
}

double scale_predict(const struct scale_model *m, double cpus, double link_s)
{
	return m->compute_s / (cpus >= 1 ? cpus : 1) + m->serial_s + link_s;
}
