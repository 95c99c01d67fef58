/*
 * test_plan.c - planning for machines we do not have, on hwloc's synthetic topologies: the
 * default worker counts, where compact, compact-smt and spread put workers (told per
 * package, NUMA node and core), the tables' shared-core mark, and the terms of the duration
 * estimate.  hwloc numbers a synthetic machine's PUs in order: in "pack:2 numa:2 core:16
 * pu:2" core c holds PUs 2c and 2c+1, NUMA node m cores 16m..16m+15, package p 32p..32p+31.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "estimate.h"
#include "kernel.h"
#include "placement.h"
#include "rundir.h"

#define TWO_SOCKETS "pack:2 numa:2 core:16 pu:2" /* 2 x 32 cores x 2 PUs, 4 NUMA nodes */
#define ONE_SOCKET  "core:8 pu:1"                /* 1 x 8 cores (hwloc wants PUs last) */
#define FOUR_SOCKETS "pack:4 core:24 pu:1"       /* 4 x 24 cores, 1 PU each */

static struct pin_topo *load(const char *synthetic)
{
	struct pin_topo *t = NULL;

	assert_int_equal(pin_topo_load(&t, synthetic), 0);
	return t;
}

static void expect_counts(const char *synthetic, int smt, const unsigned *want, size_t n)
{
	struct pin_topo *t = load(synthetic);
	unsigned w[SWEEP_MAX_LIST];
	size_t got = placement_default_workers(t, smt, w, SWEEP_MAX_LIST);

	assert_int_equal(got, n);
	assert_true(got <= PLACEMENT_MAX_COUNTS);
	assert_memory_equal(w, want, n * sizeof(*w));
	pin_topo_free(t);
}

static void test_default_workers(void **state)
{
	static const unsigned two[] = { 1, 2, 4, 8, 16, 32, 64 }; /* NUMA 16, package 32 */
	static const unsigned two_smt[] = { 1, 2, 4, 8, 16, 32, 64, 128 };
	static const unsigned one[] = { 1, 2, 4, 8 };
	/* 1..16, one package's 24, all 96; 32 goes (nearest to 24) to keep 8 counts */
	static const unsigned four[] = { 1, 2, 4, 8, 16, 24, 64, 96 };

	(void)state;
	expect_counts(TWO_SOCKETS, 0, two, 7);
	expect_counts(TWO_SOCKETS, 1, two_smt, 8);
	expect_counts(ONE_SOCKET, 0, one, 4);
	expect_counts(ONE_SOCKET, 1, one, 4); /* no siblings: --smt adds nothing */
	expect_counts(FOUR_SOCKETS, 0, four, 8);
	expect_counts("pu:1", 0, (const unsigned[]){ 1 }, 1);
}

/* compact 32 on the 2-socket machine: 32 distinct cores, all of package 0; 64: both
 * packages; spread 4: four distinct NUMA nodes. */
static void test_places(void **state)
{
	struct pin_topo *t = load(TWO_SOCKETS);
	static struct pin_plan p;
	struct pin_place pl;
	int core_seen[64] = { 0 }, numa_seen[4] = { 0 };
	char buf[512];

	(void)state;
	assert_int_equal(pin_plan_make(t, "compact", 32, &p), 0);
	for (unsigned i = 0; i < 32; i++) {
		assert_int_equal(pin_pu_place(t, p.pu[i], &pl), 0);
		assert_int_equal(pl.package, 0);
		assert_int_equal(pl.sibling, 0);
		assert_int_equal(core_seen[pl.core]++, 0);
	}
	placement_describe(t, &p, buf, sizeof(buf));
	assert_string_equal(buf, "package 0: 32 cores (NUMA 0: 16, NUMA 1: 16), 1 PU each");
	assert_int_equal(pin_plan_make(t, "compact", 64, &p), 0);
	placement_describe(t, &p, buf, sizeof(buf));
	assert_string_equal(buf, "package 0: 32 cores (NUMA 0: 16, NUMA 1: 16), 1 PU each; "
				 "package 1: 32 cores (NUMA 2: 16, NUMA 3: 16), 1 PU each");
	assert_int_equal(pin_plan_make(t, "spread", 4, &p), 0);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(pin_pu_place(t, p.pu[i], &pl), 0);
		assert_int_equal(numa_seen[pl.numa]++, 0);
	}
	placement_describe(t, &p, buf, sizeof(buf));
	assert_string_equal(buf, "package 0: 2 cores (NUMA 0: 1, NUMA 1: 1), 1 PU each; "
				 "package 1: 2 cores (NUMA 2: 1, NUMA 3: 1), 1 PU each");
	assert_int_equal(pin_plan_make(t, "none", 4, &p), 0);
	placement_describe(t, &p, buf, sizeof(buf));
	assert_string_equal(buf, "4 not bound (the OS places them)");
	pin_topo_free(t);
}

/* compact-smt: both PUs of a core first, so 32 workers fill 16 cores; compact past the
 * cores goes to the second PUs; the rows are marked s, not * (more workers than cores). */
static void test_smt(void **state)
{
	struct pin_topo *t = load(TWO_SOCKETS);
	static struct sweep_row row;
	struct sweep sw = { .cores = 64 };
	char buf[512];

	(void)state;
	assert_int_equal(pin_plan_make(t, "compact-smt", 32, &row.plan), 0);
	placement_describe(t, &row.plan, buf, sizeof(buf));
	assert_string_equal(buf, "package 0: 16 cores (NUMA 0): cores 0-15 both PUs");
	row.workers = 32;
	assert_true(row_shares_core(&row, &sw));
	assert_false(row_oversubscribed(&row, &sw));
	assert_int_equal(pin_plan_make(t, "compact", 96, &row.plan), 0);
	placement_describe(t, &row.plan, buf, sizeof(buf));
	assert_string_equal(buf, "package 0: 32 cores (NUMA 0: 16, NUMA 1: 16): cores 0-31 both "
				 "PUs; package 1: 32 cores (NUMA 2: 16, NUMA 3: 16), 1 PU each");
	row.workers = 96; /* more than the cores, each on a PU of its own */
	assert_true(row_shares_core(&row, &sw));
	assert_false(row_oversubscribed(&row, &sw));
	assert_int_equal(pin_plan_make(t, "compact", 16, &row.plan), 0);
	row.workers = 16;
	assert_false(row_shares_core(&row, &sw));
	assert_int_equal(pin_plan_make(t, "compact", 130, &row.plan), 0);
	row.workers = 130; /* more than the PUs: two share a PU */
	assert_true(row_oversubscribed(&row, &sw));
	assert_false(row_shares_core(&row, &sw));
	/* a row read back from an older summary.csv: no smt_shared, more workers than cores */
	memset(&row.plan, 0, sizeof(row.plan));
	row.workers = 96;
	assert_true(row_oversubscribed(&row, &sw));
	pin_topo_free(t);
}

/* A description hwloc refuses leaves this machine in its place: said, not planned for. */
static void test_refused_synthetic(void **state)
{
	struct pin_topo *t;
	char err[256];

	(void)state;
	setenv("HWLOC_SYNTHETIC", "core:8", 1);
	t = load(NULL);
	assert_int_equal(placement_check_topology(t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "HWLOC_SYNTHETIC='core:8'"));
	pin_topo_free(t);
	setenv("HWLOC_SYNTHETIC", ONE_SOCKET, 1);
	setenv("HWLOC_THISSYSTEM", "0", 1);
	t = load(NULL);
	assert_int_equal(placement_check_topology(t, err, sizeof(err)), 0);
	assert_int_equal(pin_topo_cores(t), 8);
	pin_topo_free(t);
	unsetenv("HWLOC_SYNTHETIC");
	unsetenv("HWLOC_THISSYSTEM");
}

/* One run's time and one start's, as the estimate takes them. */
static void test_estimate_costs(void **state)
{
	const struct kernel *sq = kernel_find("sum_squares"), *io = kernel_find("io_wait");
	const struct backend *pt = backend_find("pthreads"), *gil = backend_find("pthreads-gil");
	const struct backend *fp = backend_find("fork-pool"), *pool = backend_find("cpython-pool");

	(void)state;
	assert_float_equal(estimate_run_s(sq, pt, 4, 64, 0.25), 0.25 / 4, 1e-12);
	assert_float_equal(estimate_run_s(sq, pt, 128, 64, 0.25), 0.25 / 64, 1e-12);
	assert_float_equal(estimate_run_s(sq, gil, 4, 64, 0.25), 0.25, 1e-12);
	assert_float_equal(estimate_run_s(io, gil, 4, 2, 0.25), 0.25 / 4, 1e-12); /* sleeps */
	assert_float_equal(estimate_run_s(sq, backend_baseline(), 1, 64, 0.25), 0.25, 1e-12);
	assert_float_equal(estimate_start_s(pt, 4, NULL), 4 * EST_THREAD_S, 1e-12);
	assert_float_equal(estimate_start_s(fp, 64, NULL), 64 * EST_FORK_S, 1e-12);
	assert_float_equal(estimate_start_s(pool, 64, NULL), EST_PY_START_S + 64 * EST_PY_FORK_S,
			   1e-12);
	assert_true(estimate_start_s(pool, 64, "spawn") > estimate_start_s(pool, 64, "fork"));
}

static struct sweep_opts o;

static void set_opts(const char *const *kernels, const char *const *backends,
		     const unsigned *w, size_t nw)
{
	memset(&o, 0, sizeof(o));
	for (; *kernels; kernels++)
		o.kernels[o.n_kernels++] = kernel_find(*kernels);
	for (; *backends; backends++)
		o.backends[o.n_backends++] = backend_find(*backends);
	memcpy(o.workers, w, nw * sizeof(*w));
	o.n_workers = nw;
}

static void estimate(const struct est_launch *l, size_t nl, unsigned reps, struct estimate *e)
{
	struct est_input in = { .o = &o, .cores = 64, .launches = l, .n_launches = nl,
				.repetitions = reps, .budget_s = 180, .min_time_s = 0.04,
				.interleave = 1, .calibrate = 1 };

	estimate_run(&in, e);
	assert_true(e->first_s > 0);
	assert_true(e->first_s <= e->whole_s);
	assert_true(e->whole_s >= e->calibrate_s + e->roof_s + e->first_s - 1e-9);
}

/* More worker counts, more backends, more launches: never less time; the first round is
 * within the whole; rows and launches counted as the sweep makes them. */
static void test_estimate_terms(void **state)
{
	static const char *const ks[] = { "sum_squares", "io_wait", "grayscale", NULL };
	static const char *const two[] = { "pthreads", "fork-pool", NULL };
	static const char *const three[] = { "pthreads", "fork-pool", "pthreads-gil", NULL };
	static const char *const py[] = { "pthreads", "cpython-pool", NULL };
	static const unsigned w3[] = { 1, 2, 4 }, w4[] = { 1, 2, 4, 8 };
	const struct backend *mpi = backend_find("mpi") ? backend_find("mpi") : backend_find("pthreads");
	const struct est_launch launches[] = { { mpi, 2, 2 }, { mpi, 4, 4 } };
	struct estimate a, b, c;

	(void)state;
	set_opts(ks, two, w3, 3);
	estimate(NULL, 0, 0, &a);
	assert_int_equal(a.rows, 3 * (1 + 2 * 3)); /* serial added, 2 backends x 3 counts */
	assert_int_equal(a.starts, a.rows * SWEEP_MIN_REPS); /* interleaved: a start each */
	assert_float_equal(a.whole_s, a.calibrate_s + a.roof_s + 180, 1e-9); /* budget longer */
	assert_float_equal(a.calibrate_s, 2 * EST_CALIB_S, 1e-12); /* the pictures are not */
	set_opts(ks, two, w4, 4);
	estimate(NULL, 0, 0, &b);
	assert_true(b.first_s > a.first_s);
	set_opts(ks, three, w3, 3);
	estimate(NULL, 0, 0, &c);
	assert_true(c.first_s > a.first_s);
	set_opts(ks, two, w3, 3);
	estimate(NULL, 0, 20, &b); /* fixed repetitions: no budget, more repetitions */
	assert_true(b.first_s > a.first_s);
	assert_float_equal(b.whole_s, b.calibrate_s + b.roof_s + b.first_s, 1e-9);
	estimate(launches, 2, 0, &b); /* one mpirun launch per count, every kernel in each */
	assert_int_equal(b.launches, 2);
	assert_int_equal(b.mpi_rows, 2 * 3);
	assert_int_equal(b.rows, a.rows + 2 * 3);
	assert_int_equal(b.starts, a.starts);
	assert_float_equal(b.mpi_start_s, 2 * EST_MPIRUN_S + (2 + 4) * EST_RANK_S, 1e-12);
	assert_true(b.first_s >= a.first_s + b.mpi_start_s);
	set_opts(ks, py, w3, 3); /* cpython added as the CPython rows' baseline */
	estimate(NULL, 0, 0, &b);
	assert_int_equal(b.rows, 3 * (1 + 3) + 3 * (1 + 3));
	assert_float_equal(b.calibrate_s, 2 * EST_CALIB_S + 3 * EST_PY_CALIB_S, 1e-12);
	o.py_skip[2] = 1; /* --quick leaves the picture's CPython rows out */
	estimate(NULL, 0, 0, &c);
	assert_int_equal(c.rows, b.rows - 4);
	assert_true(c.first_s < b.first_s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_workers), cmocka_unit_test(test_places),
		cmocka_unit_test(test_smt), cmocka_unit_test(test_refused_synthetic),
		cmocka_unit_test(test_estimate_costs), cmocka_unit_test(test_estimate_terms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
