/*
 * test_pin.c - pin plans on synthetic hwloc topologies (machines we do not have) and binding
 * on this one.  Expected PU numbers are worked out by hand from the synthetic description:
 * hwloc numbers a synthetic machine's PUs in order, so in "pack:2 numa:2 core:8 pu:2" core c
 * holds PUs 2c and 2c+1, NUMA node m holds PUs 16m..16m+15, package p holds 32p..32p+31.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pin.h"

#define BIG "pack:2 numa:2 core:8 pu:2"

static struct pin_topo *load(const char *synthetic)
{
	struct pin_topo *t = NULL;

	assert_int_equal(pin_topo_load(&t, synthetic), 0);
	return t;
}

static void test_counts(void **state)
{
	struct pin_topo *t = load(BIG);

	(void)state;
	assert_int_equal(pin_topo_packages(t), 2);
	assert_int_equal(pin_topo_cores(t), 32);
	assert_int_equal(pin_topo_pus(t), 64);
	pin_topo_free(t);
}

static void test_compact(void **state)
{
	struct pin_topo *t = load(BIG);
	struct pin_plan p;

	(void)state;
	assert_int_equal(pin_plan_make(t, "compact", 4, &p), 0);
	assert_int_equal(p.pu[0], 0);
	assert_int_equal(p.pu[1], 2);
	assert_int_equal(p.pu[2], 4);
	assert_int_equal(p.pu[3], 6);
	assert_int_equal(p.oversubscribed, 0);
	assert_int_equal(p.smt_shared, 0);
	/* 33 workers: every core once, then core 0's second PU: workers 0 and 32 share core 0,
	 * each on a PU of its own */
	assert_int_equal(pin_plan_make(t, "compact", 33, &p), 0);
	assert_int_equal(p.pu[31], 62);
	assert_int_equal(p.pu[32], 1);
	assert_int_equal(p.oversubscribed, 0);
	assert_int_equal(p.smt_shared, 2);
	/* 65 workers on 64 PUs: one PU has two */
	assert_int_equal(pin_plan_make(t, "compact", 65, &p), 0);
	assert_int_equal(p.oversubscribed, 1);
	pin_topo_free(t);
}

static int numa_of(int pu)
{
	return pu / 16;
}

static void test_spread(void **state)
{
	struct pin_topo *t = load(BIG);
	struct pin_plan p;
	int seen[64] = { 0 };

	(void)state;
	assert_int_equal(pin_plan_make(t, "spread", 2, &p), 0);
	assert_int_not_equal(p.pu[0] / 32, p.pu[1] / 32); /* two packages */
	assert_int_equal(pin_plan_make(t, "spread", 4, &p), 0);
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			assert_int_not_equal(numa_of(p.pu[i]), numa_of(p.pu[j]));
	assert_int_equal(pin_plan_make(t, "spread", 32, &p), 0);
	for (int i = 0; i < 32; i++) {
		assert_true(p.pu[i] >= 0 && p.pu[i] < 64);
		assert_int_equal(seen[p.pu[i] / 2]++, 0); /* one worker per core */
	}
	assert_int_equal(p.oversubscribed, 0);
	pin_topo_free(t);
}

static void test_128_cores(void **state)
{
	struct pin_topo *t = load("pack:2 core:64 pu:1");
	struct pin_plan p;
	int seen[128] = { 0 };

	(void)state;
	assert_int_equal(pin_topo_cores(t), 128);
	assert_int_equal(pin_plan_make(t, "compact", 128, &p), 0);
	for (int i = 0; i < 128; i++)
		assert_int_equal(seen[p.pu[i]]++, 0);
	assert_int_equal(p.oversubscribed, 0);
	assert_int_equal(pin_plan_make(t, "spread", 2, &p), 0);
	assert_int_not_equal(p.pu[0] / 64, p.pu[1] / 64);
	assert_int_equal(pin_plan_make(t, "none", 130, &p), 0);
	assert_int_equal(p.pu[0], -1);
	assert_int_equal(p.oversubscribed, 2);
	pin_topo_free(t);
}

static void test_list(void **state)
{
	struct pin_topo *t = load(BIG);
	struct pin_plan p;
	const int want[] = { 0, 2, 4, 5, 6, 7, 0, 2 };

	(void)state;
	assert_int_equal(pin_plan_make(t, "0,2,4-7", 8, &p), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(p.pu[i], want[i]);
	assert_int_equal(p.oversubscribed, 2); /* PUs 0 and 2 twice */
	assert_int_equal(p.smt_shared, 4);     /* PUs 4,5 share a core, 6,7 too */
	assert_int_equal(pin_plan_make(t, "64", 1, &p), -EINVAL);
	assert_int_equal(pin_plan_make(t, "3-1", 1, &p), -EINVAL);
	assert_int_equal(pin_plan_make(t, "a", 1, &p), -EINVAL);
	assert_int_equal(pin_plan_make(t, "1,", 1, &p), 0);
	assert_int_equal(pin_plan_make(t, "", 1, &p), -EINVAL);
	assert_int_equal(pin_plan_make(t, "compact", 0, &p), -EINVAL);
	pin_topo_free(t);
}

/* compact-smt: both PUs of a core before the next core; every pair shares its core. */
static void test_compact_smt(void **state)
{
	struct pin_topo *t = load(BIG);
	struct pin_plan p;
	char buf[128];

	(void)state;
	assert_int_equal(pin_plan_make(t, "compact-smt", 4, &p), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(p.pu[i], i); /* core 0: PUs 0, 1; core 1: PUs 2, 3 */
	assert_int_equal(p.oversubscribed, 0);
	assert_int_equal(p.smt_shared, 4);
	assert_int_equal(pin_plan_make(t, "compact-smt", 3, &p), 0);
	assert_int_equal(p.smt_shared, 2); /* worker 2 has core 1 to itself */
	assert_int_equal(pin_plan_make(t, "compact-smt", 64, &p), 0);
	assert_int_equal(p.pu[63], 63);
	assert_int_equal(p.oversubscribed, 0);
	assert_int_equal(p.smt_shared, 64);
	pin_plan_describe(&p, buf, sizeof(buf));
	assert_memory_equal(buf, "compact-smt: 0,1,2,", 19);
	/* without SMT it is compact */
	pin_topo_free(t);
	t = load("pack:4 core:24 pu:1");
	assert_int_equal(pin_plan_make(t, "compact-smt", 30, &p), 0);
	assert_int_equal(p.pu[29], 29);
	assert_int_equal(p.smt_shared, 0);
	pin_topo_free(t);
}

/* Where PUs are: package, NUMA node, core and rank among the core's PUs. */
static void test_pu_place(void **state)
{
	struct pin_topo *t = load("pack:2 numa:2 core:16 pu:2");
	struct pin_place pl;
	char buf[128];

	(void)state;
	assert_int_equal(pin_topo_numa_nodes(t), 4);
	assert_int_equal(pin_topo_domain_cores(t, PIN_DOMAIN_NUMA), 16);
	assert_int_equal(pin_topo_domain_cores(t, PIN_DOMAIN_PACKAGE), 32);
	assert_false(pin_topo_this_system(t, buf, sizeof(buf)));
	assert_string_equal(buf, "hwloc synthetic 'pack:2 numa:2 core:16 pu:2'");
	assert_int_equal(pin_pu_place(t, 67, &pl), 0); /* core 33: PUs 66, 67 */
	assert_int_equal(pl.package, 1);
	assert_int_equal(pl.numa, 2);
	assert_int_equal(pl.core, 33);
	assert_int_equal(pl.sibling, 1);
	assert_int_equal(pin_pu_place(t, 66, &pl), 0);
	assert_int_equal(pl.sibling, 0);
	assert_int_equal(pin_pu_place(t, 128, &pl), -EINVAL);
	assert_int_equal(pin_pu_place(t, -1, &pl), -EINVAL);
	pin_topo_free(t);
	t = load("core:8 pu:1"); /* hwloc needs the PU level last */
	assert_int_equal(pin_topo_numa_nodes(t), 1);
	assert_int_equal(pin_topo_domain_cores(t, PIN_DOMAIN_PACKAGE), 8);
	assert_int_equal(pin_topo_domain_cores(t, PIN_DOMAIN_NUMA), 8);
	pin_topo_free(t);
}

/* PU 17 of "pack:2 numa:2 core:8 pu:2": core 8 (PUs 16, 17), package 0, NUMA node 1. */
static void test_pu_describe(void **state)
{
	struct pin_topo *t = load(BIG);
	char buf[128];

	(void)state;
	pin_pu_describe(t, 17, buf, sizeof(buf));
	assert_string_equal(buf, "PU 17: core 8, package 0, NUMA node 1");
	pin_pu_describe(t, 40, buf, sizeof(buf));
	assert_string_equal(buf, "PU 40: core 20, package 1, NUMA node 2");
	pin_pu_describe(t, -1, buf, sizeof(buf));
	assert_string_equal(buf, "not bound");
	pin_topo_free(t);
}

static void test_bind_this_machine(void **state)
{
	struct pin_topo *t = load(NULL);
	struct pin_plan p;
	void *saved;

	(void)state;
	assert_true(pin_topo_cores(t) >= 1);
	assert_int_equal(pin_plan_make(t, "compact", 1, &p), 0);
	saved = pin_save(t);
	assert_int_equal(pin_bind_self(t, p.pu[0]), 0);
	assert_int_equal(pin_current_cpu(), p.pu[0]);
	pin_restore(t, saved);
	pin_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),         cmocka_unit_test(test_compact),
		cmocka_unit_test(test_spread),         cmocka_unit_test(test_128_cores),
		cmocka_unit_test(test_list),           cmocka_unit_test(test_pu_describe),
		cmocka_unit_test(test_bind_this_machine), cmocka_unit_test(test_compact_smt),
		cmocka_unit_test(test_pu_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
