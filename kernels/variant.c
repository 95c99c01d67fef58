/*
 * variant.c - which instruction-set variant of the hot loops each kernel runs (see hot.h,
 * kernel.h).
 *
 * The default is the best variant this CPU runs by its feature bits (which include the
 * operating system's support for the wider registers), chosen at the first use, or the one
 * forced by kernel_variant_set().  Each kernel with a hot loop may use another one of its
 * own (kernel_variant_use()), which bench/ chooses by timing them all.  Nothing here reads
 * the environment or options, or times anything: bench/ does.
 */
#include "hot.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

extern const struct hot_ops hot_ops_generic;
#ifdef PB_HOT_X86
extern const struct hot_ops hot_ops_sse2;
extern const struct hot_ops hot_ops_avx2;
extern const struct hot_ops hot_ops_avx2_128;
extern const struct hot_ops hot_ops_avx512;
extern const struct hot_ops hot_ops_avx512vbmi;
#endif

/* best first */
static const struct hot_ops *const variants[] = {
#ifdef PB_HOT_X86
	&hot_ops_avx512vbmi,
	&hot_ops_avx512,
	&hot_ops_avx2,
	&hot_ops_avx2_128,
	&hot_ops_sse2,
#endif
	&hot_ops_generic,
	NULL,
};

static const char *const names[] = {
#ifdef PB_HOT_X86
	"avx512vbmi",
	"avx512",
	"avx2",
	"avx2_128",
	"sse2",
#endif
	"generic",
	NULL,
};

/* the kernels with a hot loop, by enum hot_kernel: the registry's names (kernels.c) */
static const char *const hot_kernels[HOT_KERNELS] = {
	[HOT_SUM_SQUARES] = "sum_squares", [HOT_RANGE_SUM] = "range_sum",
	[HOT_GRAYSCALE] = "grayscale",     [HOT_SEPIA] = "sepia",
	[HOT_BOX_BLUR] = "box_blur",       [HOT_SHARPEN] = "sharpen",
};

static _Atomic(const struct hot_ops *) current;
static _Atomic(const struct hot_ops *) chosen[HOT_KERNELS]; /* NULL: the default */

static int runs_here(const struct hot_ops *v)
{
#ifdef PB_HOT_X86
	__builtin_cpu_init();
	if (v == &hot_ops_avx512vbmi)
		return runs_here(&hot_ops_avx512) && __builtin_cpu_supports("avx512vbmi") &&
		       __builtin_cpu_supports("avx512vnni");
	if (v == &hot_ops_avx512)
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
		       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
		       __builtin_cpu_supports("bmi2");
	if (v == &hot_ops_avx2 || v == &hot_ops_avx2_128)
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

static int find_kernel(const char *name)
{
	for (int k = 0; k < HOT_KERNELS; k++)
		if (name && strcmp(hot_kernels[k], name) == 0)
			return k;
	return -1;
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

const struct hot_ops *hot_of(enum hot_kernel k)
{
	const struct hot_ops *v = atomic_load_explicit(&chosen[k], memory_order_acquire);

	return v ? v : hot();
}

const char *kernel_variant(void)
{
	return hot()->name;
}

const char *kernel_variant_of(const char *kernel)
{
	int k = find_kernel(kernel);

	return k < 0 ? NULL : hot_of((enum hot_kernel)k)->name;
}

void kernel_copy(void *dst, const void *src, size_t bytes)
{
	hot()->copy(dst, src, bytes);
}

void kernel_copy_stream(void *dst, const void *src, size_t bytes)
{
	hot()->stream(dst, src, bytes);
	hot()->fence();
}

const char *const *kernel_variants(void)
{
	return names;
}

int kernel_variant_supported(const char *name)
{
	const struct hot_ops *v = name ? find(name) : NULL;

	return v ? runs_here(v) : 0;
}

int kernel_variant_use(const char *kernel, const char *name)
{
	const struct hot_ops *v = name ? find(name) : NULL;
	int k = find_kernel(kernel);

	if (k < 0 || (name && !v))
		return -EINVAL;
	if (v && !runs_here(v))
		return -ENOTSUP;
	atomic_store_explicit(&chosen[k], v, memory_order_release);
	return 0;
}

int kernel_variant_set(const char *name)
{
	const struct hot_ops *v = name ? find(name) : NULL;

	if (name && !v)
		return -EINVAL;
	if (v && !runs_here(v))
		return -ENOTSUP;
	for (int k = 0; k < HOT_KERNELS; k++)
		atomic_store_explicit(&chosen[k], NULL, memory_order_release);
	if (!v) { /* the best again */
		atomic_store_explicit(&current, NULL, memory_order_release);
		hot();
		return 0;
	}
	atomic_store_explicit(&current, v, memory_order_release);
	return 0;
}
