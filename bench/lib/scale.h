/*
 * scale.h - the scaling model of a run's time: compute that divides over the CPUs the
 * workers ran on, a serial part, and what the run moves over links, measured separately:
 *
 *     t(p) = compute / cpus(p) + serial + link(p)
 *
 * compute and serial are fitted (least squares on t - link against 1 / cpus); link(p) is
 * the backend's own (bytes at the links' measured bandwidth plus messages at their measured
 * latency, backend.h: struct backend_traffic), never fitted.
 */
#ifndef PB_SCALE_H
#define PB_SCALE_H

#include <stddef.h>

struct scale_point {
	double cpus;   /* CPUs the workers computed on (>= 1) */
	double link_s; /* the run's link time, measured (0: moves nothing) */
	double t;      /* the run's time (a median), seconds */
};

struct scale_model {
	double compute_s; /* the compute on one CPU */
	double serial_s;  /* what does not divide */
	size_t n_fit;     /* points fitted */
};

/* Fits pts[0..n) (n >= 1).  With one CPU count only, all of t - link is compute (serial 0);
 * neither part is made negative.  0, or -EINVAL (no point, a CPU count below 1). */
int scale_fit(const struct scale_point *pts, size_t n, struct scale_model *m);
/* The model's time at cpus CPUs with link_s on the links. */
double scale_predict(const struct scale_model *m, double cpus, double link_s);

#endif
