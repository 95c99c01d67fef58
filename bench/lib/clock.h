/*
 * clock.h - the one monotonic clock every parbench timing uses (CLOCK_MONOTONIC).
 * A leaf: it includes no parbench header.
 */
#ifndef PB_CLOCK_H
#define PB_CLOCK_H

#include <stdint.h>

double pb_mono_s(void);    /* seconds */
uint64_t pb_mono_ns(void); /* nanoseconds */

#endif
