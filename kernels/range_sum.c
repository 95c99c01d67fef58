/*
 * range_sum.c - the tutorials' sum(range(start, end, step)) over a list of tasks.
 *
 * Item k is the task (0, end, 1 + k % 4): the tutorial's (0, 10**6, 1..4), scaled up, and
 * repeated `tasks` times (default 16, so an even split over 2 or 4 workers gets the same mix
 * of steps).  Each task is summed exactly by looping over its elements (hot.c) and the total
 * is checked against the arithmetic-series formula.  In CPython each task is one C call,
 * so the simulated GIL is held for a whole task.
 */
#include "kernel.h"
#include "hot.h"

#include <errno.h>
#include <stdio.h>

#define RS_DEFAULT_END   300000000ull  /* 16 tasks: 2.5e9 elements, ~0.25 s serial */
#define RS_QUICK_DIV     20
#define RS_MAX_END       HOT_RS_LIMIT
#define RS_DEFAULT_TASKS 16
#define RS_MAX_TASKS     (1u << 20)
#define RS_TILE_END      (1ull << 17)  /* the tile (kernel_params.tile): 4 tasks, ~2^18 elements */
#define RS_TILE_TASKS    4

struct rs_priv {
	uint64_t end;
	unsigned tasks;
};

static uint64_t rs_step(size_t k)
{
	return 1 + k % 4;
}

static int rs_setup(void *priv, const struct kernel_params *p, struct kernel_shape *shape)
{
	struct rs_priv *r = priv;

	r->end = p->tile ? RS_TILE_END : p->size ? p->size : RS_DEFAULT_END / (p->quick ? RS_QUICK_DIV : 1);
	r->tasks = p->tile ? RS_TILE_TASKS : p->tasks ? p->tasks : RS_DEFAULT_TASKS;
	if (r->end > RS_MAX_END || r->tasks > RS_MAX_TASKS)
		return -ERANGE;
	shape->n = r->tasks;
	shape->grain = 1;
	shape->size = r->end;
	shape->elements = 0;
	for (size_t k = 0; k < r->tasks; k++)
		shape->elements += (r->end + rs_step(k) - 1) / rs_step(k);
	shape->variant = hot_of(HOT_RANGE_SUM)->name;
	snprintf(shape->twin, sizeof(shape->twin), "range_sum %llu", (unsigned long long)r->end);
	return 0;
}

static void rs_run(const void *priv, size_t begin, size_t end, struct partial *out)
{
	const struct rs_priv *r = priv;

	for (size_t k = begin; k < end; k++)
		out->sum += hot_of(HOT_RANGE_SUM)->rs_sum(r->end, rs_step(k));
	out->count += end - begin;
}

static void rs_reference(const void *priv, size_t begin, size_t end, struct partial *out)
{
	const struct rs_priv *r = priv;

	for (size_t k = begin; k < end; k++)
		for (uint64_t x = 0; x < r->end; x += rs_step(k))
			out->sum += x;
	out->count += end - begin;
}

static int rs_verify(const void *priv, const struct partial *total)
{
	const struct rs_priv *r = priv;
	pb_u128 expect = 0;

	for (size_t k = 0; k < r->tasks; k++) {
		uint64_t s = rs_step(k);
		pb_u128 m = (r->end + s - 1) / s; /* elements: 0, s, ..., (m-1)s */

		expect += m == 0 ? 0 : (pb_u128)s * m * (m - 1) / 2;
	}
	return total->sum == expect && total->count == r->tasks ? 0 : -EDOM;
}

const struct kernel kernel_range_sum = {
	.name = "range_sum",
	.summary = "sum(range(0, end, step)) for tasks with steps 1..4, exact (the tutorials' range sums)",
	.size_unit = "end of each range (elements of a step-1 task); --tasks sets the task count",
	.py_model = PY_C_CALL,
	.py_block = 1,
	.timed_size = 1,
	.priv_size = sizeof(struct rs_priv),
	.setup = rs_setup,
	.run = rs_run,
	.twin_partial = kernel_twin_sum,
	.reference = rs_reference,
	.verify = rs_verify,
};
