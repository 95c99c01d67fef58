/*
 * test_variants_pick.c - each kernel's variant, chosen by timing (bench/sweep/pick.c): the
 * choice function on fabricated timings, a real pick (every runnable variant timed, the
 * fastest in use for that kernel only, kernels without a hot loop left out), and the
 * per-kernel switch (kernel_variant_use) against the global one (kernel_variant_set).
 * Nothing here judges a time, only which one was kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "kernel.h"
#include "pick.h"

static void test_fastest_of_fabricated_timings(void **state)
{
	const double a[] = { 3e-6, 1e-6, 2e-6 };
	const double untimed[] = { 0, 2e-6, 1.5e-6, 0 };   /* 0: not timed */
	const double ties[] = { 2e-6, 1e-6, 1e-6 };       /* the first of equals: wider */
	const double none[] = { 0, 0 };
	const double odd[] = { NAN, INFINITY, -1, 5e-6 }; /* only 5e-6 is a time */

	(void)state;
	assert_int_equal(pick_fastest(a, 3), 1);
	assert_int_equal(pick_fastest(untimed, 4), 2);
	assert_int_equal(pick_fastest(ties, 3), 1);
	assert_int_equal(pick_fastest(none, 2), 2);
	assert_int_equal(pick_fastest(odd, 4), 3);
	assert_int_equal(pick_fastest(a, 0), 0);
}

static void test_pick_times_and_uses_the_fastest(void **state)
{
	const struct kernel *ks[] = { kernel_find("sepia"), kernel_find("io_wait"),
				      kernel_find("sum_squares"), kernel_find("sepia") };
	static struct pick p;
	char err[256] = "";
	size_t runnable = 0;

	(void)state;
	for (const char *const *v = kernel_variants(); *v; v++)
		runnable += (size_t)kernel_variant_supported(*v);
	assert_int_equal(pick_run(&p, ks, 4, err, sizeof(err)), 0);
	assert_int_equal(p.n, 2); /* io_wait has no hot loop; sepia once */
	assert_null(pick_find(&p, "io_wait"));
	for (size_t i = 0; i < p.n; i++) {
		const struct pick_kernel *pk = &p.k[i];

		assert_int_equal(pk->n, runnable);
		for (size_t v = 0; v < pk->n; v++) {
			assert_true(kernel_variant_supported(pk->variant[v]));
			assert_true(pk->seconds[v] > 0);
		}
		assert_string_equal(pk->chosen, pk->variant[pick_fastest(pk->seconds, pk->n)]);
		assert_string_equal(kernel_variant_of(pk->k->name), pk->chosen);
		assert_true(pk->elements > 0);
	}
	assert_true(pick_find(&p, "sepia")->bytes > 0);
	assert_true(p.seconds > 0);
	assert_int_equal(kernel_variant_set(NULL), 0);
}

static void test_per_kernel_switch(void **state)
{
	(void)state;
	assert_int_equal(kernel_variant_set(NULL), 0);
	assert_int_equal(kernel_variant_use("sepia", "generic"), 0);
	assert_string_equal(kernel_variant_of("sepia"), "generic");
	assert_string_equal(kernel_variant_of("grayscale"), kernel_variant()); /* untouched */
	assert_int_equal(kernel_variant_use("sepia", NULL), 0);                /* the default */
	assert_string_equal(kernel_variant_of("sepia"), kernel_variant());
	assert_int_equal(kernel_variant_use("io_wait", "generic"), -EINVAL);   /* no hot loop */
	assert_int_equal(kernel_variant_use("nope", "generic"), -EINVAL);
	assert_int_equal(kernel_variant_use("sepia", "avx3"), -EINVAL);
	assert_null(kernel_variant_of("io_wait"));
	for (const char *const *v = kernel_variants(); *v; v++)
		if (!kernel_variant_supported(*v))
			assert_int_equal(kernel_variant_use("sepia", *v), -ENOTSUP);
	/* forcing one variant drops every kernel's own choice */
	assert_int_equal(kernel_variant_use("box_blur", "generic"), 0);
	assert_int_equal(kernel_variant_set("sse2") == 0 || kernel_variant_set("generic") == 0, 1);
	assert_string_equal(kernel_variant_of("box_blur"), kernel_variant());
	assert_int_equal(kernel_variant_set(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fastest_of_fabricated_timings),
		cmocka_unit_test(test_per_kernel_switch),
		cmocka_unit_test(test_pick_times_and_uses_the_fastest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
