/*
 * hot.h - the kernels' hot loops, built once per instruction-set variant (internal to kernels/).
 *
 * hot.c (with hot_point.c and hot_3x3.c) is compiled several times, each time for one
 * instruction set (generic C, x86-64 baseline SSE2, AVX2 at 128 and at 256 bits, AVX-512,
 * AVX-512 with VBMI and VNNI), into one `struct hot_ops` each.  variant.c keeps the default, the best one this
 * CPU runs by its feature bits (or the one forced by kernel_variant_set()), and each
 * kernel's own choice (kernel_variant_use(), made by bench/ from timings).  Every variant computes exactly the same results: the tests
 * compare each runnable one bit for bit with the references.  Only the loops whose speed
 * depends on the instruction set live here; the kernels' set-up, references and checks stay
 * in their own files.
 */
#ifndef PB_HOT_H
#define PB_HOT_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

#define HOT_SQ_LIMIT (1ull << 32) /* sq_sum: every item below this (i*i fits 64 bits) */
#define HOT_RS_LIMIT (1ull << 40) /* rs_sum: end at most this */

struct hot_ops {
	const char *name;      /* "generic", "sse2", "avx2_128", "avx2", "avx512", "avx512vbmi" */
	/* sum of i*i for i in [begin, end), exact; end <= HOT_SQ_LIMIT */
	pb_u128 (*sq_sum)(uint64_t begin, uint64_t end);
	/* sum of 0, step, 2 step, ... below end, exact; end <= HOT_RS_LIMIT, step >= 1 */
	pb_u128 (*rs_sum)(uint64_t end, uint64_t step);
	/* the point filters on one row of w RGB pixels (see filters.c for the definitions) */
	void (*gray)(const uint8_t *in, uint8_t *out, size_t w);
	void (*sepia)(const uint8_t *in, uint8_t *out, size_t w);
	/* the 3x3 filters on bytes [3, 3 w - 3) of a row (w >= 2), given rows up, mid, down */
	void (*blur)(const uint8_t *u, const uint8_t *m, const uint8_t *d, uint8_t *out, size_t w);
	void (*sharpen)(const uint8_t *u, const uint8_t *m, const uint8_t *d, uint8_t *out,
			size_t w);
	/* pb_row_check's keyed sum of the row's whole 8-byte words, len / 8 of them */
	uint64_t (*row_words)(const uint8_t *row, size_t len);
	/* dst = src, bytes a multiple of 64, in the variant's widest loads and ordinary stores:
	 * the copy whose bandwidth bench/sweep/roof.c measures as the filters' roof */
	void (*copy)(void *restrict dst, const void *restrict src, size_t bytes);
	/* dst = src, any bytes, with streaming (non-temporal) stores for dst's whole 64-byte
	 * lines and ordinary ones around them (generic C: ordinary stores only); fence() then
	 * orders them before what follows (sfence) */
	void (*stream)(void *restrict dst, const void *restrict src, size_t bytes);
	void (*fence)(void);
};

/* The kernels with a hot loop, each of which may run a variant of its own. */
enum hot_kernel {
	HOT_SUM_SQUARES,
	HOT_RANGE_SUM,
	HOT_GRAYSCALE,
	HOT_SEPIA,
	HOT_BOX_BLUR,
	HOT_SHARPEN,
	HOT_KERNELS
};

/* The default variant (never NULL): forced, or the best by the CPU's feature bits; the row
 * checksum and the roof's copy use it. */
const struct hot_ops *hot(void);
/* The variant kernel k uses (never NULL): its own choice, else the default. */
const struct hot_ops *hot_of(enum hot_kernel k);

#endif
