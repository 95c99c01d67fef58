/*
 * pick.h - each kernel's instruction-set variant chosen by timing, as FFTW plans: every
 * variant this CPU runs is timed on the kernel's tile (work that fits in L2, see
 * kernel_params.tile), and the fastest is kept for that kernel (kernel_variant_use()).  A
 * wider variant is not always faster: a CPU that splits 256-bit operations in two may run
 * a 128-bit one as fast, and the kernels' tables name the variant each kernel ran.
 *
 * Timing: after one untimed run (checked against the kernel's verify()), PICK_ROUNDS rounds
 * each run every variant once, in an order that turns each round, for at least
 * PICK_SAMPLE_S (as many runs of the tile as that takes); a variant's time is its best
 * round's per run.  The tile's time is a few microseconds to a millisecond, so picking all
 * kernels takes tens of milliseconds.  Nothing here prints or exits.
 */
#ifndef PB_PICK_H
#define PB_PICK_H

#include <stdint.h>
#include <stdio.h>

#include "kernel.h"

#define PICK_MAX_VARIANTS 8
#define PICK_MAX_KERNELS  16
#define PICK_ROUNDS       7
#define PICK_SAMPLE_S     200e-6

struct pick_kernel {
	const struct kernel *k;
	const char *chosen;                     /* the fastest, now in use */
	size_t n;                               /* variants timed */
	const char *variant[PICK_MAX_VARIANTS]; /* best first, as kernel_variants() */
	double seconds[PICK_MAX_VARIANTS];      /* one run of the tile, best round */
	uint64_t elements, bytes;               /* the tile's (kernel_shape) */
};

struct pick {
	size_t n;                               /* kernels with a hot loop */
	struct pick_kernel k[PICK_MAX_KERNELS];
	double seconds;                         /* what timing took, set-up included */
};

/* Times every variant this CPU runs of each of the n kernels that has a hot loop (others
 * are left out), and makes each kernel use its fastest.  0, or -errno with err set: -EDOM
 * when a variant's result on the tile is wrong (it is never used), or a tile's set-up
 * failure. */
int pick_run(struct pick *p, const struct kernel *const *ks, size_t n, char *err,
	     size_t err_len);
/* The index of the least positive time among n (the first of equals), or n if none. */
size_t pick_fastest(const double *seconds, size_t n);
/* The choice of kernel name in p, or NULL. */
const struct pick_kernel *pick_find(const struct pick *p, const char *name);
/* "variant_choice": {...} for meta.json, indented by two, with a trailing comma; forced:
 * the variant --isa or PARBENCH_ISA forced (nothing was timed), else NULL. */
void pick_write_json(FILE *f, const struct pick *p, const char *forced);

#endif
