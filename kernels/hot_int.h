/*
 * hot_int.h - what hot.c, hot_point.c and hot_3x3.c share when built for one variant
 * (HOT_VARIANT): the intrinsics, the naming macros, and the filters' rows hot.c puts in its
 * table.
 */
#ifndef PB_HOT_INT_H
#define PB_HOT_INT_H

#include "hot.h"

#include <stddef.h>
#include <stdint.h>

#if !defined(HOT_GENERIC) && defined(__x86_64__)
#include <immintrin.h>
#endif

#define HOT_CAT2(a, b) a##b
#define HOT_CAT(a, b)  HOT_CAT2(a, b)
#define HOT_STR2(a)    #a
#define HOT_STR(a)     HOT_STR2(a)
#define HOT_INLINE     static inline __attribute__((always_inline))


void HOT_CAT(hot_gray_, HOT_VARIANT)(const uint8_t *restrict in, uint8_t *restrict out, size_t w);
void HOT_CAT(hot_sepia_, HOT_VARIANT)(const uint8_t *restrict in, uint8_t *restrict out, size_t w);
void HOT_CAT(hot_blur_, HOT_VARIANT)(const uint8_t *restrict u, const uint8_t *restrict m,
				     const uint8_t *restrict d, uint8_t *restrict out, size_t w);
void HOT_CAT(hot_sharpen_, HOT_VARIANT)(const uint8_t *restrict u, const uint8_t *restrict m,
					const uint8_t *restrict d, uint8_t *restrict out, size_t w);

#endif
