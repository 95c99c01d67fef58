/*
 * kernels.c - the kernel registry, exact partial addition, and kernel instances.
 *
 * The registry is a NULL-terminated table; a new kernel is one file plus one line here.
 * Instances get their private state allocated and zeroed here, so kernel files carry no
 * malloc/free boilerplate for it.
 */
#include "kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct kernel kernel_sum_squares;
extern const struct kernel kernel_range_sum;
extern const struct kernel kernel_io_wait;
extern const struct kernel kernel_grayscale;
extern const struct kernel kernel_sepia;
extern const struct kernel kernel_box_blur;
extern const struct kernel kernel_sharpen;

static const struct kernel *const registry[] = {
	&kernel_sum_squares,
	&kernel_range_sum,
	&kernel_io_wait,
	&kernel_grayscale,
	&kernel_sepia,
	&kernel_box_blur,
	&kernel_sharpen,
	NULL,
};

void partial_add(struct partial *acc, const struct partial *p)
{
	acc->sum += p->sum;
	acc->count += p->count;
	acc->check += p->check;
}

const struct kernel *const *kernel_all(void)
{
	return registry;
}

const struct kernel *kernel_find(const char *name)
{
	for (const struct kernel *const *k = registry; *k; k++)
		if (strcmp((*k)->name, name) == 0)
			return *k;
	return NULL;
}

void kernel_names(char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (const struct kernel *const *k = registry; *k; k++) {
		int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", (*k)->name);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}

int kernel_instance_init(struct kernel_instance *ki, const struct kernel *k,
			 const struct kernel_params *p)
{
	int err;

	memset(ki, 0, sizeof(*ki));
	ki->priv = calloc(1, k->priv_size ? k->priv_size : 1);
	if (!ki->priv)
		return -ENOMEM;
	err = k->setup(ki->priv, p, &ki->shape);
	if (err) {
		free(ki->priv);
		ki->priv = NULL;
		return err;
	}
	ki->k = k;
	return 0;
}

void kernel_instance_fini(struct kernel_instance *ki)
{
	if (ki->k && ki->k->teardown)
		ki->k->teardown(ki->priv);
	free(ki->priv);
	memset(ki, 0, sizeof(*ki));
}

void kernel_twin_sum(const void *priv, size_t begin, size_t end, pb_u128 sum, uint64_t count,
		     struct partial *p)
{
	(void)priv;
	(void)begin;
	(void)end;
	p->sum += sum;
	p->count += count;
}
