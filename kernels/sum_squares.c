/*
 * sum_squares.c - the tutorials' cpu_intensive_task(n): the sum of i*i for i in [0, n).
 *
 * Items are the integers i.  The sum is exact (128-bit) and checked against the closed form
 * n(n-1)(2n-1)/6; the timed loop squares and adds every item in vector lanes (hot.c, in the
 * variant for this CPU), so no compiler can fold it.  Squares are formed in 64 bits, which is
 * exact for i < 2^32; items beyond that take a scalar 128-bit path.  In CPython this is a Python for loop, so the
 * simulated GIL is checked every py_block items (about 8 us of work here).
 */
#include "kernel.h"
#include "hot.h"

#include <errno.h>
#include <stdio.h>

#define SQ_DEFAULT_N   2000000000ull  /* ~0.27 s serial at ~7.4 items/ns */
#define SQ_QUICK_DIV   20
#define SQ_MAX_N       (1ull << 40)   /* keeps n(n-1)(2n-1) below 2^128 */
#define SQ_VEC_LIMIT   (1ull << 32)   /* i*i fits in 64 bits below this */
#define SQ_DEFAULT_TASKS 4            /* the tutorial's 4 tasks */
#define SQ_TILE_N      (1ull << 18)   /* the tile (kernel_params.tile) */

struct sq_priv {
	uint64_t n;
};

static int sq_setup(void *priv, const struct kernel_params *p, struct kernel_shape *shape)
{
	struct sq_priv *s = priv;
	unsigned tasks = p->tasks ? p->tasks : SQ_DEFAULT_TASKS;

	s->n = p->tile ? SQ_TILE_N : p->size ? p->size : SQ_DEFAULT_N / (p->quick ? SQ_QUICK_DIV : 1);
	if (s->n > SQ_MAX_N || s->n > SIZE_MAX)
		return -ERANGE;
	shape->n = (size_t)s->n;
	shape->grain = (size_t)((s->n + tasks - 1) / tasks);
	shape->size = s->n;
	shape->elements = s->n;
	shape->variant = hot_of(HOT_SUM_SQUARES)->name;
	snprintf(shape->twin, sizeof(shape->twin), "sum_squares");
	return 0;
}

static void sq_run(const void *priv, size_t begin, size_t end, struct partial *out)
{
	uint64_t vend = end < HOT_SQ_LIMIT ? end : HOT_SQ_LIMIT;
	pb_u128 total = 0;
	uint64_t i = begin;

	(void)priv;
	if (i < vend) {
		total = hot_of(HOT_SUM_SQUARES)->sq_sum(i, vend);
		i = vend;
	}
	for (; i < end; i++)
		total += (pb_u128)i * i;
	out->sum += total;
	out->count += end - begin;
}

static void sq_reference(const void *priv, size_t begin, size_t end, struct partial *out)
{
	(void)priv;
	for (uint64_t i = begin; i < end; i++)
		out->sum += (pb_u128)i * i;
	out->count += end - begin;
}

static int sq_verify(const void *priv, const struct partial *total)
{
	const struct sq_priv *s = priv;
	pb_u128 n = s->n;
	pb_u128 expect = n == 0 ? 0 : n * (n - 1) * (2 * n - 1) / 6;

	return total->sum == expect && total->count == s->n ? 0 : -EDOM;
}

const struct kernel kernel_sum_squares = {
	.name = "sum_squares",
	.summary = "sum of i*i for i in [0, n), exact 128-bit (the tutorials' cpu_intensive_task)",
	.size_unit = "n, the count of integers",
	.py_model = PY_LOOP,
	.py_block = 1 << 16,
	.timed_size = 1,
	.priv_size = sizeof(struct sq_priv),
	.setup = sq_setup,
	.run = sq_run,
	.twin_partial = kernel_twin_sum,
	.reference = sq_reference,
	.verify = sq_verify,
};
