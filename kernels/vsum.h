/*
 * vsum.h - exact 128-bit accumulation of 64-bit values in vector lanes (internal to kernels/).
 *
 * Each lane keeps a 64-bit low word and counts its carries in a high word: lo += v;
 * hi += (lo < v).  GCC's vector extensions keep the loop vectorized and, unlike a plain
 * scalar loop over i*i, they keep compilers from replacing it with a closed form, so the
 * timed code really touches every item.  It does not handle values of 64 bits or more.
 */
#ifndef PB_VSUM_H
#define PB_VSUM_H

#include <stdint.h>

#include "kernel.h"

#define VSUM_LANES 8

typedef uint64_t vsum_u64 __attribute__((vector_size(VSUM_LANES * sizeof(uint64_t))));

struct vsum {
	vsum_u64 lo; /* low 64 bits of each lane's sum */
	vsum_u64 hi; /* carries out of lo, per lane */
};

static inline void vsum_add(struct vsum *acc, vsum_u64 v)
{
	acc->lo += v;
	acc->hi -= (vsum_u64)(acc->lo < v); /* a true vector compare is all ones: -1 */
}

static inline pb_u128 vsum_total(const struct vsum *acc)
{
	pb_u128 t = 0;

	for (int k = 0; k < VSUM_LANES; k++)
		t += ((pb_u128)acc->hi[k] << 64) + acc->lo[k];
	return t;
}

/* *v = {first, first + step, ...}; through a pointer, since returning a 64-byte vector has a
 * different ABI with and without AVX-512 (-Wpsabi in portable builds). */
static inline void vsum_iota(vsum_u64 *v, uint64_t first, uint64_t step)
{
	for (int k = 0; k < VSUM_LANES; k++)
		(*v)[k] = first + (uint64_t)k * step;
}

#endif
