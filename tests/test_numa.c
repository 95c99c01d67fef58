/*
 * test_numa.c - where a picture's pages go on NUMA machines we do not have (synthetic hwloc
 * topologies), and the placement, lookup, cache sizes, warning and model note on this one.
 * In "pack:2 numa:2 core:16 pu:2" hwloc numbers PUs in order: core c holds PUs 2c and 2c+1,
 * NUMA node m holds PUs 32m..32m+31 (cores 16m..16m+15), package p holds 64p..64p+63.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "place.h"
#include "report_int.h"

#define TWO_SOCKETS "pack:2 numa:2 core:16 pu:2" /* 64 cores, 128 PUs, 4 nodes */

static struct pin_topo *load(const char *synthetic)
{
	struct pin_topo *t = NULL;

	assert_int_equal(pin_topo_load(&t, synthetic), 0);
	return t;
}

/* The decision for `workers` workers pinned by policy, static shares or not (heap: big). */
static struct pin_mem_plan *decide(struct pin_topo *t, const char *policy, unsigned workers,
				   int shares)
{
	struct pin_plan plan;
	struct pin_mem_plan *mp = malloc(sizeof(*mp));

	assert_non_null(mp);
	assert_int_equal(pin_plan_make(t, policy, workers, &plan), 0);
	assert_int_equal(pin_mem_plan_make(t, &plan, shares, mp), 0);
	return mp;
}

static void test_nodes_of_pus(void **state)
{
	struct pin_topo *t = load(TWO_SOCKETS);

	(void)state;
	assert_int_equal(pin_topo_numa_nodes(t), 4);
	assert_int_equal(pin_pu_numa_node(t, 0), 0);
	assert_int_equal(pin_pu_numa_node(t, 31), 0);
	assert_int_equal(pin_pu_numa_node(t, 32), 1);
	assert_int_equal(pin_pu_numa_node(t, 64), 2);
	assert_int_equal(pin_pu_numa_node(t, 127), 3);
	assert_int_equal(pin_pu_numa_node(t, -1), -1);
	assert_int_equal(pin_pu_numa_node(t, 128), -1);
	pin_topo_free(t);
}

/* 64 workers, compact, static shares: worker i on core i, so its share on node i / 16. */
static void test_static_64(void **state)
{
	struct pin_topo *t = load(TWO_SOCKETS);
	struct pin_mem_plan *mp = decide(t, "compact", 64, 1);

	(void)state;
	assert_false(mp->interleave);
	assert_int_equal(mp->spans, 4);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(mp->node[i], (int)i / 16);
	free(mp);
	/* two workers fill node 0 first: one node, nothing to spread */
	mp = decide(t, "compact", 2, 1);
	assert_int_equal(mp->spans, 1);
	assert_int_equal(mp->node[0], 0);
	assert_int_equal(mp->node[1], 0);
	free(mp);
	pin_topo_free(t);
}

/* spread puts 4 workers on 4 nodes; an explicit list on the nodes of its PUs */
static void test_spread_and_list(void **state)
{
	struct pin_topo *t = load(TWO_SOCKETS);
	struct pin_mem_plan *mp = decide(t, "spread", 4, 1);
	int seen[4] = { 0 };

	(void)state;
	assert_int_equal(mp->spans, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_true(mp->node[i] >= 0 && mp->node[i] < 4);
		seen[mp->node[i]]++;
	}
	for (unsigned m = 0; m < 4; m++)
		assert_int_equal(seen[m], 1);
	free(mp);
	mp = decide(t, "0,33,100", 3, 1);
	assert_int_equal(mp->node[0], 0);
	assert_int_equal(mp->node[1], 1);
	assert_int_equal(mp->node[2], 3);
	assert_int_equal(mp->spans, 3);
	assert_false(mp->spanned[2]);
	free(mp);
	pin_topo_free(t);
}

/* 256 workers on 64 cores (oversubscribed): worker i on core i % 64, node (i % 64) / 16. */
static void test_oversubscribed(void **state)
{
	struct pin_topo *t = load(TWO_SOCKETS);
	struct pin_mem_plan *mp = decide(t, "compact", 256, 1);

	(void)state;
	assert_false(mp->interleave);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(mp->node[i], (int)(i % 64) / 16);
	free(mp);
	pin_topo_free(t);
}

/* Chunks pulled dynamically, or workers not bound: interleaved over the nodes they span. */
static void test_interleave(void **state)
{
	struct pin_topo *t = load(TWO_SOCKETS);
	struct pin_mem_plan *mp = decide(t, "compact", 64, 0);

	(void)state;
	assert_true(mp->interleave);
	assert_int_equal(mp->spans, 4);
	assert_int_equal(mp->node[0], -1);
	free(mp);
	mp = decide(t, "compact", 32, 0); /* the first package's two nodes only */
	assert_true(mp->interleave);
	assert_int_equal(mp->spans, 2);
	assert_true(mp->spanned[0] && mp->spanned[1] && !mp->spanned[2] && !mp->spanned[3]);
	free(mp);
	mp = decide(t, "none", 8, 1); /* unbound: they may run on every node */
	assert_true(mp->interleave);
	assert_int_equal(mp->spans, 4);
	free(mp);
	pin_topo_free(t);
}

/* The backends' side: which of them take static shares, and row r of a 4096-row picture
 * with 64 compact workers goes to node r / 1024 (worker r / 64). */
static void test_rows_by_backend(void **state)
{
	struct pin_topo *t = load(TWO_SOCKETS);
	struct pin_plan plan;
	struct pin_mem_plan *mp = malloc(sizeof(*mp));
	struct backend_config cfg = { .workers = 64, .topo = t, .plan = &plan };
	size_t *first = calloc(65, sizeof(*first));

	(void)state;
	assert_non_null(mp);
	assert_non_null(first);
	assert_int_equal(pin_plan_make(t, "compact", 64, &plan), 0);
	assert_int_equal(place_decide(backend_find("pthreads"), &cfg, mp), PLACE_SHARES);
	place_share_bytes(4096, 12288, 64, first);
	for (size_t r = 0; r < 4096; r += 7) {
		unsigned w = 0;

		while (w + 1 < 64 && first[w + 1] <= r * 12288)
			w++;
		assert_int_equal(w, r / 64);
		assert_int_equal(mp->node[w], (int)(r / 1024));
	}
	assert_int_equal(first[64], 4096 * 12288);
	assert_int_equal(place_decide(backend_find("serial"), &cfg, mp), PLACE_SHARES);
	assert_int_equal(place_decide(backend_find("pthreads-gil"), &cfg, mp), PLACE_SHARES);
	assert_int_equal(place_decide(backend_find("fork-pool"), &cfg, mp), PLACE_INTERLEAVE);
	assert_int_equal(place_decide(backend_find("fork-pool-pipe"), &cfg, mp), PLACE_INTERLEAVE);
	assert_int_equal(place_decide(backend_find("cpython-threads"), &cfg, mp), PLACE_NONE);
	if (backend_find("mpi"))
		assert_int_equal(place_decide(backend_find("mpi"), &cfg, mp), PLACE_AS_MADE);
	cfg.schedule = SCHED_DYNAMIC;
	assert_int_equal(place_decide(backend_find("pthreads"), &cfg, mp), PLACE_INTERLEAVE);
	cfg.schedule = SCHED_STATIC;
	cfg.chunk = 16; /* round-robin chunks: no contiguous share */
	assert_int_equal(place_decide(backend_find("pthreads"), &cfg, mp), PLACE_INTERLEAVE);
	if (backend_find("openmp"))
		assert_int_equal(place_decide(backend_find("openmp"), &cfg, mp), PLACE_INTERLEAVE);
	free(first);
	free(mp);
	pin_topo_free(t);
}

/* Parts sized from every cache the workers see: one core sees its L2 and its package's L3. */
static void test_cache_bytes(void **state)
{
	struct pin_topo *t = load("pack:2 numa:1 l3:1(size=33554432) core:8 l2:1(size=1048576) pu:2");
	struct pin_plan plan;

	(void)state;
	assert_int_equal(pin_plan_make(t, "compact", 1, &plan), 0);
	assert_int_equal(pin_plan_cache_bytes(t, &plan), (32 + 1) << 20);
	assert_int_equal(pin_plan_make(t, "spread", 2, &plan), 0); /* one core per package */
	assert_int_equal(pin_plan_cache_bytes(t, &plan), 2 * (32 + 1) << 20);
	assert_int_equal(pin_plan_make(t, "compact", 64, &plan), 0); /* SMT twins add nothing */
	assert_int_equal(pin_plan_cache_bytes(t, &plan), (2 * 32 + 16) << 20);
	assert_int_equal(pin_plan_make(t, "none", 1, &plan), 0); /* unbound: anywhere */
	assert_int_equal(pin_plan_cache_bytes(t, &plan), (2 * 32 + 16) << 20);
	/* synthetic machines bind nothing and tell nothing */
	assert_int_equal(pin_mem_where(t, &plan, sizeof(plan), &(struct pin_pages){ 0 }), -ENOSYS);
	pin_topo_free(t);
}

/* This machine: a buffer placed by share and interleaved, then looked up; pages never
 * touched are absent. */
static void test_this_machine(void **state)
{
	struct pin_topo *t = load(NULL);
	size_t len = 8u << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pin_pages pg;
	struct pin_mem_plan *mp = decide(t, "compact", 2, 1);
	size_t first[3];
	int rc;

	(void)state;
	assert_true(p != MAP_FAILED);
	rc = pin_mem_where(t, p, len, &pg);
	if (rc == -ENOSYS) { /* a kernel without NUMA: nothing to test here */
		munmap(p, len);
		free(mp);
		pin_topo_free(t);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_int_equal(pg.sampled, len / page / PIN_PAGE_SAMPLE);
	assert_int_equal(pg.absent, pg.sampled);
	memset(p, 1, len);
	place_share_bytes(len / 4096, 4096, 2, first);
	assert_int_equal(pin_mem_place(t, mp, p, len, first), 0);
	assert_int_equal(pin_mem_where(t, p, len, &pg), 0);
	assert_int_equal(pg.absent, 0);
	for (unsigned m = 0; m < mp->nodes; m++) /* each worker's share on its node */
		assert_int_equal(pg.on[m], m == (unsigned)mp->node[0] ? pg.sampled : 0);
	free(mp);
	mp = decide(t, "compact", 2, 0);
	assert_int_equal(pin_mem_place(t, mp, p, len, NULL), 0);
	assert_int_equal(pin_mem_where(t, p, len, &pg), 0);
	if (mp->nodes == 1)
		assert_int_equal(pg.on[0], pg.sampled);
	free(mp);
	munmap(p, len);
	pin_topo_free(t);
}

static double one_sample[] = { 0.01, 0.01 };

static struct sweep_row row(const char *b, unsigned w)
{
	return (struct sweep_row){ .k = kernel_find("grayscale"), .b = backend_find(b),
				   .workers = w, .size = 64, .bytes = 1 << 20, .samples = one_sample,
				   .n_samples = 2, .median = 0.01, .ran = 1 };
}

static char *warnings(struct sweep *sw, struct report_marks *c)
{
	struct run_meta m = { .pin = "compact", .governor = "", .cores = 64 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	print_warnings(f, sw, &m, c);
	fclose(f);
	return text;
}

/* A memory-bound row whose workers span two nodes and whose input sits on one is warned of;
 * one whose input is spread over them is not. */
static void test_one_node_warning(void **state)
{
	struct sweep_row r[2] = { row("pthreads", 64), row("openmp", 64) };
	struct sweep sw = { .rows = r, .n_rows = 2, .cores = 64 };
	struct report_marks c = { 0 };
	char *text;

	(void)state;
	for (int i = 0; i < 2; i++)
		r[i].pages = (struct place_pages){ .how = PLACE_SHARES, .nodes = 2, .worker_nodes = 2,
						   .sampled = 1, .in = { .sampled = 100 } };
	r[0].pages.in.on[1] = 95;
	r[0].pages.in.absent = 5;
	r[1].pages.in.on[0] = r[1].pages.in.on[1] = 50;
	assert_int_equal(place_one_node(&r[0].pages), 1);
	assert_int_equal(place_one_node(&r[1].pages), -1);
	text = warnings(&sw, &c);
	assert_non_null(strstr(text, "warning: 1 memory-bound configuration ran workers on several "
				     "NUMA nodes with 90% or more of the input's pages on one (node 1;"));
	free(text);
	r[0].pages.worker_nodes = 1; /* one node's workers: their pages belong there */
	text = warnings(&sw, &c);
	assert_null(strstr(text, "memory-bound"));
	free(text);
}

/* The scaling model leaves oversubscribed rows out, and says so in one line. */
static void test_model_leaves_out_oversubscribed(void **state)
{
	static double s1[] = { 0.4, 0.4 }, s2[] = { 0.2, 0.2 }, s64[] = { 0.3, 0.3 };
	struct sweep_row r[3] = { row("pthreads", 1), row("pthreads", 2), row("pthreads", 64) };
	struct sweep sw = { .rows = r, .n_rows = 3, .cores = 2 };
	struct report_marks c = { 0 };
	struct model_check mc;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	r[0].samples = s1, r[0].median = 0.4;
	r[1].samples = s2, r[1].median = 0.2;
	r[2].samples = s64, r[2].median = 0.3;
	assert_int_equal(model_check(&sw, 0, 3, r[0].b, &mc), 0);
	assert_int_equal(mc.over, 1);
	assert_ptr_equal(mc.held, &r[1]); /* checked on 2 workers, not on 64 */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	print_model(f, &sw, 0, 3, &c);
	fclose(f);
	free(text);
	assert_int_equal(c.models_over, 1);
	text = warnings(&sw, &c);
	assert_non_null(strstr(text, "note: scaling model: 1 oversubscribed configuration (more "
				     "workers than cores) left out of its fits and held-out checks\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes_of_pus),     cmocka_unit_test(test_static_64),
		cmocka_unit_test(test_spread_and_list),  cmocka_unit_test(test_oversubscribed),
		cmocka_unit_test(test_interleave),       cmocka_unit_test(test_rows_by_backend),
		cmocka_unit_test(test_cache_bytes),      cmocka_unit_test(test_this_machine),
		cmocka_unit_test(test_one_node_warning),
		cmocka_unit_test(test_model_leaves_out_oversubscribed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
