/*
 * test_matrix.c - every backend x every kernel, walked from the registries (a new entry is
 * tested with no edit here), against the kernel's independent reference computation.
 *
 * Edge cases: n = 0, 1, 2, n < workers, n not divisible by workers, more workers than cores,
 * and every schedule with odd chunks.  The full-size result must also pass verify() (the
 * closed form), and a total that is off by one must fail it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "kernel.h"
#include "each_variant.h"
#include "kwork.h"

static struct pin_topo *topo;

/* Small parameters per kernel, so the plain reference loops stay quick. */
static struct kernel_params small_params(const struct kernel *k)
{
	struct kernel_params p = { .quick = 1 };

	if (strcmp(k->name, "range_sum") == 0) {
		p.size = 1001;
		p.tasks = 13;
	} else if (strcmp(k->name, "io_wait") == 0) {
		p.size = 13;
		p.sleep_us = 20;
	} else if (k->span) {
		p.size = 19; /* image filters: a 19 x 19 picture, 19 rows */
	} else {
		p.size = 100003;
	}
	return p;
}

/* Runs items [0, n) of ki on a started backend; returns the combined partial. */
static struct partial run_n(struct backend_instance *bi, struct kernel_instance *ki, size_t n)
{
	struct partial total;
	struct work w;

	kwork_init(&w, ki, &total);
	w.n = n;
	w.model_block = 7; /* many GIL check points, odd on purpose */
	memset(&total, 0xa5, sizeof(total)); /* the backend must overwrite it */
	if (backend_instance_run(bi, &w) != 0)
		fail_msg("%s: run of %zu items failed: %s", bi->b->name, n, bi->err);
	return total;
}

static void check_equal(const struct partial *got, const struct partial *want, const char *what)
{
	if (got->sum != want->sum || got->count != want->count || got->check != want->check)
		fail_msg("%s: result differs from the reference (count %llu vs %llu)", what,
			 (unsigned long long)got->count, (unsigned long long)want->count);
}

struct sched_case {
	enum backend_schedule sched;
	size_t chunk;
};

/* Kernels are set up before each backend starts: process backends fork at start. */
static void one_backend(const struct backend *b, struct sched_case sc)
{
	static const unsigned worker_counts[] = { 1, 2, 3, 7 };
	struct kernel_instance kis[16];
	size_t nk = 0;

	for (const struct kernel *const *k = kernel_all(); *k && nk < 16; k++, nk++) {
		struct kernel_params p = small_params(*k);

		assert_int_equal(kernel_instance_init(&kis[nk], *k, &p), 0);
	}
	for (size_t wi = 0; wi < sizeof(worker_counts) / sizeof(worker_counts[0]); wi++) {
		unsigned workers = worker_counts[wi];
		struct pin_plan plan;
		struct backend_config cfg = { .workers = workers, .schedule = sc.sched,
					      .chunk = sc.chunk, .switch_interval_us = 1000,
					      .topo = topo, .plan = &plan };
		struct backend_instance bi;

		assert_int_equal(pin_plan_make(topo, "compact", workers, &plan), 0);
		if (backend_instance_start(&bi, b, &cfg) != 0)
			fail_msg("%s: start with %u workers failed: %s", b->name, workers, bi.err);

		for (size_t ki = 0; ki < nk; ki++) {
			const struct kernel *k = kis[ki].k;
			const size_t edge[] = { 0, 1, 2, workers - 1, workers + 1, 2 * workers + 1, 11 };
			char what[160];

			for (size_t e = 0; e < sizeof(edge) / sizeof(edge[0]); e++) {
				size_t n = edge[e] < kis[ki].shape.n ? edge[e] : kis[ki].shape.n;
				struct partial want = { 0 };
				struct partial got = run_n(&bi, &kis[ki], n);

				k->reference(kis[ki].priv, 0, n, &want);
				snprintf(what, sizeof(what), "%s x %s, %u workers, sched %d chunk %zu, n=%zu",
					 b->name, k->name, workers, (int)sc.sched, sc.chunk, n);
				check_equal(&got, &want, what);
			}
			/* the full size: the reference and the closed form agree with the backend */
			struct partial want = { 0 };
			struct partial got = run_n(&bi, &kis[ki], kis[ki].shape.n);

			k->reference(kis[ki].priv, 0, kis[ki].shape.n, &want);
			snprintf(what, sizeof(what), "%s x %s, %u workers, full n=%zu", b->name, k->name,
				 workers, kis[ki].shape.n);
			check_equal(&got, &want, what);
			assert_int_equal(k->verify(kis[ki].priv, &got), 0);
			got.sum += 1;
			assert_int_not_equal(k->verify(kis[ki].priv, &got), 0);
			got.sum -= 1;
			got.count -= 1;
			assert_int_not_equal(k->verify(kis[ki].priv, &got), 0);
		}
		backend_instance_stop(&bi);
	}
	for (size_t ki = 0; ki < nk; ki++)
		kernel_instance_fini(&kis[ki]);
}

static void test_all_backends_all_kernels(void **state)
{
	static const struct sched_case scheds[] = {
		{ SCHED_STATIC, 3 }, { SCHED_DYNAMIC, 0 }, { SCHED_DYNAMIC, 5 }, { SCHED_GUIDED, 2 },
	};

	(void)state;
	for (const struct backend *const *b = backend_all(); *b; b++) {
		/* the CPython backends start for one job each: test_cpython.c */
		if ((*b)->caps & (BACKEND_CAP_NEEDS_LAUNCHER | BACKEND_CAP_PYTHON))
			continue;
		one_backend(*b, (struct sched_case){ SCHED_DEFAULT, 0 });
		if ((*b)->caps & BACKEND_CAP_PARALLEL)
			one_backend(*b, (struct sched_case){ SCHED_DEFAULT, 3 });
		if ((*b)->caps & BACKEND_CAP_SCHEDULE)
			for (size_t i = 0; i < sizeof(scheds) / sizeof(scheds[0]); i++)
				one_backend(*b, scheds[i]);
	}
}

/* sum_squares switches from the vector path to a scalar one at 2^32; both must be exact. */
static void test_sum_squares_across_2_32(void **state)
{
	const struct kernel *k = kernel_find("sum_squares");
	struct kernel_params p = { .size = (1ull << 32) + 100 };
	struct kernel_instance ki;
	const size_t b = (1ull << 32) - 37, e = (1ull << 32) + 45;
	struct partial got = { 0 }, want = { 0 };

	(void)state;
	assert_non_null(k);
	assert_int_equal(kernel_instance_init(&ki, k, &p), 0);
	k->run(ki.priv, b, e, &got);
	k->reference(ki.priv, b, e, &want);
	check_equal(&got, &want, "sum_squares across 2^32");
	kernel_instance_fini(&ki);
}

/* Sizes a kernel cannot do exactly are refused, not computed wrongly. */
static void test_sizes_out_of_range(void **state)
{
	struct kernel_params p = { .size = UINT64_MAX };
	struct kernel_instance ki;

	(void)state;
	for (const struct kernel *const *k = kernel_all(); *k; k++)
		assert_int_equal(kernel_instance_init(&ki, *k, &p), -ERANGE);
}

/* Names are unique across and within the registries, and lookups find them. */
static void test_registries(void **state)
{
	(void)state;
	for (const struct kernel *const *k = kernel_all(); *k; k++) {
		assert_ptr_equal(kernel_find((*k)->name), *k);
		assert_non_null((*k)->run);
		assert_non_null((*k)->reference);
		assert_non_null((*k)->verify);
	}
	for (const struct backend *const *b = backend_all(); *b; b++)
		assert_ptr_equal(backend_find((*b)->name), *b);
	assert_null(kernel_find("nope"));
	assert_null(backend_find("mpii"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registries),
		cmocka_unit_test(test_sizes_out_of_range),
		cmocka_unit_test(test_sum_squares_across_2_32),
		cmocka_unit_test(test_all_backends_all_kernels),
	};
	int rc;

	/* the kernels again in every other instruction-set variant this CPU runs */
	const struct CMUnitTest per_variant[] = {
		cmocka_unit_test(test_sum_squares_across_2_32),
		cmocka_unit_test(test_all_backends_all_kernels),
	};

	if (pin_topo_load(&topo, NULL) != 0)
		return 1;
	rc = cmocka_run_group_tests_name(kernel_variant(), tests, NULL, NULL);
	rc |= run_in_other_variants(per_variant, sizeof(per_variant) / sizeof(per_variant[0]));
	pin_topo_free(topo);
	return rc;
}
