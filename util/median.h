/*
 * median.h - sorting doubles and the median of a sample: the one definition of the median
 * every statistic in parbench uses (the mean of the middle two for an even count).
 * The bottom layer (util/): no parbench header; plain C, callable from C++ (gbench.cc).
 */
#ifndef PB_MEDIAN_H
#define PB_MEDIAN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* v[0..n) in ascending order. */
void median_sort(double *v, size_t n);
/* The median of s[0..n), already sorted; NAN if n is 0. */
double median_of_sorted(const double *s, size_t n);
/* Sorts v[0..n) in place and returns its median; NAN if n is 0. */
double median_in_place(double *v, size_t n);

#ifdef __cplusplus
}
#endif

#endif
