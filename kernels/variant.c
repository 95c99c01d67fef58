/*
 * variant.c - which instruction-set variant of the hot loops runs (see hot.h, kernel.h).
 *
 * The best variant this CPU runs is chosen at the first use, from the CPU's own feature bits
 * (which include the operating system's support for the wider registers); a lower one can
 * be forced.  It does not read the environment or options: bench/ does, and calls
 * kernel_variant_set().
 */
#include "hot.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

extern const struct hot_ops hot_ops_generic;
#ifdef PB_HOT_X86
extern const struct hot_ops hot_ops_sse2;
extern const struct hot_ops hot_ops_avx2;
extern const struct hot_ops hot_ops_avx512;
#endif

/* best first */
static const struct hot_ops *const variants[] = {
#ifdef PB_HOT_X86
	&hot_ops_avx512,
	&hot_ops_avx2,
	&hot_ops_sse2,
#endif
	&hot_ops_generic,
	NULL,
};

static const char *const names[] = {
#ifdef PB_HOT_X86
	"avx512",
	"avx2",
	"sse2",
#endif
	"generic",
	NULL,
};

static _Atomic(const struct hot_ops *) current;

static int runs_here(const struct hot_ops *v)
{
#ifdef PB_HOT_X86
	__builtin_cpu_init();
	if (v == &hot_ops_avx512)
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
		       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
		       __builtin_cpu_supports("bmi2");
	if (v == &hot_ops_avx2)
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
		       __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
#endif
	(void)v;
	return 1;
}

static const struct hot_ops *find(const char *name)
{
	for (size_t i = 0; variants[i]; i++)
		if (strcmp(variants[i]->name, name) == 0)
			return variants[i];
	return NULL;
}

const struct hot_ops *hot(void)
{
	const struct hot_ops *v = atomic_load_explicit(&current, memory_order_acquire);

	if (v)
		return v;
	for (size_t i = 0; variants[i]; i++)
		if (runs_here(variants[i])) {
			v = variants[i];
			break;
		}
	atomic_store_explicit(&current, v, memory_order_release);
	return v;
}

const char *kernel_variant(void)
{
	return hot()->name;
}

void kernel_copy(void *dst, const void *src, size_t bytes)
{
	hot()->copy(dst, src, bytes);
}

const char *const *kernel_variants(void)
{
	return names;
}

int kernel_variant_supported(const char *name)
{
	const struct hot_ops *v = find(name);

	return v ? runs_here(v) : 0;
}

int kernel_variant_set(const char *name)
{
	const struct hot_ops *v = name ? find(name) : NULL;

	if (name && !v)
		return -EINVAL;
	if (v && !runs_here(v))
		return -ENOTSUP;
	if (!v) { /* the best again */
		atomic_store_explicit(&current, NULL, memory_order_release);
		hot();
		return 0;
	}
	atomic_store_explicit(&current, v, memory_order_release);
	return 0;
}
