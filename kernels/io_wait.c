/*
 * io_wait.c - work items that block: the tutorials' "threads are fine for I/O" case.
 *
 * Each item sleeps for sleep_us (default 1 ms) with nanosleep, restarted on EINTR until the
 * full duration has passed, and adds its index to the sum; verification checks that every
 * item ran exactly once (count n, sum n(n-1)/2).  In CPython this is a blocking call, which
 * releases the GIL, so pthreads-gil must scale here.  It measures no real I/O device.
 */
#include "kernel.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#define IO_DEFAULT_ITEMS 200   /* x 1 ms = 0.2 s serial */
#define IO_QUICK_DIV     20
#define IO_DEFAULT_US    1000
#define IO_MAX_ITEMS     (1u << 24)
#define IO_MAX_US        10000000u

struct io_priv {
	uint64_t n;
	unsigned sleep_us;
};

static int io_setup(void *priv, const struct kernel_params *p, struct kernel_shape *shape)
{
	struct io_priv *s = priv;

	s->n = p->size ? p->size : IO_DEFAULT_ITEMS / (p->quick ? IO_QUICK_DIV : 1);
	s->sleep_us = p->sleep_us ? p->sleep_us : IO_DEFAULT_US;
	if (s->n > IO_MAX_ITEMS || s->sleep_us > IO_MAX_US)
		return -ERANGE;
	shape->n = (size_t)s->n;
	shape->grain = 1;
	shape->size = s->n;
	shape->elements = s->n;
	snprintf(shape->twin, sizeof(shape->twin), "io_wait %u", s->sleep_us);
	return 0;
}

static void io_sleep(unsigned us)
{
	struct timespec left = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}

static void io_run(const void *priv, size_t begin, size_t end, struct partial *out)
{
	const struct io_priv *s = priv;

	for (size_t i = begin; i < end; i++) {
		io_sleep(s->sleep_us);
		out->sum += i;
	}
	out->count += end - begin;
}

static void io_reference(const void *priv, size_t begin, size_t end, struct partial *out)
{
	(void)priv;
	for (size_t i = begin; i < end; i++)
		out->sum += i;
	out->count += end - begin;
}

static int io_verify(const void *priv, const struct partial *total)
{
	const struct io_priv *s = priv;
	pb_u128 expect = s->n == 0 ? 0 : (pb_u128)s->n * (s->n - 1) / 2;

	return total->sum == expect && total->count == s->n ? 0 : -EDOM;
}

const struct kernel kernel_io_wait = {
	.name = "io_wait",
	.summary = "items that block in nanosleep (default 1 ms each): threads are fine for I/O",
	.size_unit = "items; --sleep-us sets the blocking time of one item",
	.py_model = PY_BLOCKING,
	.py_block = 1,
	.timed_size = 1,
	.priv_size = sizeof(struct io_priv),
	.setup = io_setup,
	.run = io_run,
	.twin_partial = kernel_twin_sum,
	.reference = io_reference,
	.verify = io_verify,
};
