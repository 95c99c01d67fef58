/*
 * test_variants.c - every instruction-set variant this CPU runs, bit for bit against sums
 * written here (plain 128-bit loops, no vectors): ranges that end inside a vector, across the
 * 2^32 limit of the vector squares, and past the block after which the lanes are folded;
 * and the variant switch itself (unknown names, variants this CPU lacks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "kernel.h"

static pb_u128 plain_squares(uint64_t b, uint64_t e)
{
	pb_u128 t = 0;

	for (uint64_t i = b; i < e; i++)
		t += (pb_u128)i * i;
	return t;
}

/* The test's own arithmetic series: the sum of 0, s, 2s, ... below end, by the formula. */
static pb_u128 series(uint64_t end, uint64_t s)
{
	pb_u128 m = (end + s - 1) / s;

	return m == 0 ? 0 : (pb_u128)s * m * (m - 1) / 2;
}

static void check_sum_squares(void)
{
	const struct kernel *k = kernel_find("sum_squares");
	static const uint64_t ranges[][2] = {
		{ 0, 0 }, { 0, 1 }, { 0, 7 }, { 0, 31 }, { 0, 32 }, { 0, 33 }, { 3, 1000 },
		{ 999, 100000 }, { (1ull << 32) - 37, (1ull << 32) + 41 },
		{ (1ull << 32) - 1000, 1ull << 32 }, { (1ull << 32) - 5, (1ull << 32) - 4 },
	};
	struct kernel_params p = { .size = (1ull << 32) + 64 };
	struct kernel_instance ki;

	assert_int_equal(kernel_instance_init(&ki, k, &p), 0);
	assert_string_equal(ki.shape.variant, kernel_variant());
	for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		struct partial out = { 0 };

		k->run(ki.priv, ranges[r][0], ranges[r][1], &out);
		if (out.sum != plain_squares(ranges[r][0], ranges[r][1]) ||
		    out.count != ranges[r][1] - ranges[r][0])
			fail_msg("%s: sum_squares [%llu, %llu) is wrong", kernel_variant(),
				 (unsigned long long)ranges[r][0], (unsigned long long)ranges[r][1]);
	}
	kernel_instance_fini(&ki);
}

static void check_range_sum(void)
{
	const struct kernel *k = kernel_find("range_sum");
	/* ends inside a vector, and past 2^20 rounds of 32 lanes (a fold of the lanes) */
	static const uint64_t ends[] = { 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000,
					 (1ull << 25) + 7, (1ull << 27) + 129 };

	for (size_t e = 0; e < sizeof(ends) / sizeof(ends[0]); e++) {
		struct kernel_params p = { .size = ends[e], .tasks = 4 };
		struct kernel_instance ki;
		struct partial out = { 0 };
		pb_u128 want = 0;

		assert_int_equal(kernel_instance_init(&ki, k, &p), 0);
		k->run(ki.priv, 0, ki.shape.n, &out);
		for (uint64_t s = 1; s <= 4; s++)
			want += series(ends[e], s);
		if (out.sum != want)
			fail_msg("%s: range_sum to %llu is wrong", kernel_variant(),
				 (unsigned long long)ends[e]);
		assert_int_equal(k->verify(ki.priv, &out), 0);
		assert_int_equal(ki.shape.elements, (ends[e] + 0) + (ends[e] + 1) / 2 +
							    (ends[e] + 2) / 3 + (ends[e] + 3) / 4);
		kernel_instance_fini(&ki);
	}
}

static void test_every_variant(void **state)
{
	int ran = 0;

	(void)state;
	for (const char *const *v = kernel_variants(); *v; v++) {
		if (!kernel_variant_supported(*v)) {
			assert_int_equal(kernel_variant_set(*v), -ENOTSUP);
			continue;
		}
		assert_int_equal(kernel_variant_set(*v), 0);
		assert_string_equal(kernel_variant(), *v);
		check_sum_squares();
		check_range_sum();
		ran++;
	}
	assert_true(ran >= 1);
	assert_int_equal(kernel_variant_set(NULL), 0);
}

static void test_names(void **state)
{
	const char *best;

	(void)state;
	assert_int_equal(kernel_variant_set("avx3"), -EINVAL);
	assert_int_equal(kernel_variant_set(""), -EINVAL);
	assert_int_equal(kernel_variant_set(NULL), 0);
	best = kernel_variant();
	assert_true(kernel_variant_supported(best));
	/* the best is the first runnable one of the list, which is ordered best first */
	for (const char *const *v = kernel_variants(); *v; v++)
		if (kernel_variant_supported(*v)) {
			assert_string_equal(*v, best);
			break;
		}
	assert_true(kernel_variant_supported("generic"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_every_variant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
