/*
 * kwork.c - adapters from a kernel's run() and partial_add() to a backend's callbacks.
 */
#include "kwork.h"
#include "image.h"

#include <errno.h>

static void kwork_range(void *ctx, size_t begin, size_t end, void *partial)
{
	const struct kernel_instance *ki = ctx;

	ki->k->run(ki->priv, begin, end, partial);
}

static void kwork_span(void *ctx, size_t begin, size_t end, struct work_span *s)
{
	const struct kernel_instance *ki = ctx;
	struct kernel_span ks;

	ki->k->span(ki->priv, begin, end, &ks);
	*s = (struct work_span){ ks.in, ks.in_len, ks.out, ks.out_len };
}

static void kwork_range_io(void *ctx, size_t begin, size_t end, const void *in, void *out,
			   void *partial)
{
	const struct kernel_instance *ki = ctx;

	ki->k->run_io(ki->priv, begin, end, in, out, partial);
}

/* The twin's sum in decimal, exactly, into 128 bits. 0 or -EINVAL. */
static int parse_u128(const char *s, pb_u128 *out)
{
	pb_u128 v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > ((pb_u128)-1 - 9) / 10)
			return -EINVAL;
		v = v * 10 + (pb_u128)(*s - '0');
	}
	*out = v;
	return 0;
}

static int kwork_twin_partial(void *ctx, size_t begin, size_t end, const char *sum,
			      uint64_t count, void *partial)
{
	const struct kernel_instance *ki = ctx;
	pb_u128 v;

	if (parse_u128(sum, &v) != 0)
		return -EINVAL;
	ki->k->twin_partial(ki->priv, begin, end, v, count, partial);
	return 0;
}

static void kwork_combine(void *acc, const void *partial)
{
	partial_add(acc, partial);
}

static enum work_model kwork_model(enum py_model m)
{
	switch (m) {
	case PY_C_CALL:
		return WORK_C_CALL;
	case PY_BLOCKING:
		return WORK_BLOCKING;
	default:
		return WORK_LOOP;
	}
}

size_t kwork_output(const struct kernel_instance *ki, struct work_region *r)
{
	if (!ki->shape.out)
		return 0;
	*r = (struct work_region){ ki->shape.out, pb_image_bytes(ki->shape.width, ki->shape.height) };
	return 1;
}

void kwork_init(struct work *w, struct kernel_instance *ki, struct partial *result)
{
	*w = (struct work){
		.n = ki->shape.n,
		.grain = ki->shape.grain,
		.ctx = ki,
		.range = kwork_range,
		.partial_size = sizeof(struct partial),
		.combine = kwork_combine,
		.model = kwork_model(ki->k->py_model),
		.model_block = ki->k->py_block,
		.result = result,
	};
	if (ki->shape.twin[0] && ki->k->twin_partial) {
		w->twin = ki->shape.twin;
		w->twin_partial = kwork_twin_partial;
	}
	if (ki->k->span && ki->k->run_io) {
		w->span = kwork_span;
		w->range_io = kwork_range_io;
	}
}
