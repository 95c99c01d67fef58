/*
 * test_pool.c - the process pool's promises, for both transports: results in task order;
 * a failing task fails the map only after every other task ran; async callbacks run in the
 * parent; close/join and terminate; max_tasks_per_worker respawns; nothing is left behind
 * (children, file descriptors, shared maps).  Dying workers: test_pool_faults.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool_harness.h"

static void test_results_in_order(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		/* shm: 70,000 one-item tasks of 24 bytes exceed the 1 MiB arena: several rounds */
		size_t n = both[t] == POOL_SHM ? 70000 : 1000, chunk = both[t] == POOL_SHM ? 1 : 7;
		size_t nchunks = (n + chunk - 1) / chunk;
		uint64_t *res = calloc(nchunks, 4 * sizeof(uint64_t));
		struct pool *p = start(both[t], 3, 0, 0);
		struct pool_map_args a = { .fn = task, .n = n, .chunk = chunk,
					   .result_size = 4 * sizeof(uint64_t), .results = res };
		struct pool_failure f;

		reset(-1, HOW_NONE);
		assert_non_null(res);
		assert_int_equal(pool_map(p, &a, &f), 0);
		/* task k ran items [k * chunk, ...): in order, the last one shorter */
		for (size_t k = 0; k < nchunks; k++) {
			assert_int_equal(res[4 * k], (k + 1) * chunk <= n ? chunk : n - k * chunk);
			assert_int_equal(res[4 * k + 1], 1);
			assert_int_equal(res[4 * k + 3], k * chunk);
		}
		assert_int_equal(atomic_load(&sh->ran), (int)nchunks);
		pool_free(p);
		free(res);
	}
	no_children_left();
}

static void test_reduce_default_chunk(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		uint64_t acc[4];
		struct pool *p = start(both[t], 2, 0, 0);
		struct pool_map_args a = { .fn = task, .n = 1001, .result_size = 4 * sizeof(uint64_t),
					   .combine = add_u64, .results = acc };
		struct pool_failure f;

		reset(-1, HOW_NONE);
		assert_int_equal(pool_map(p, &a, &f), 0);
		assert_int_equal(acc[0], 1001);
		assert_int_equal(acc[1], 8); /* Python's rule: chunks of ceil(1001 / 8) = 126: 8 tasks */
		pool_free(p);
	}
}

static void test_task_error_after_others(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		uint64_t acc[4];
		struct pool *p = start(both[t], 2, 0, 0);
		struct pool_map_args a = { .fn = task, .n = 100, .chunk = 1,
					   .result_size = 4 * sizeof(uint64_t), .combine = add_u64,
					   .results = acc };
		struct pool_failure f;

		reset(42, HOW_STATUS);
		assert_int_equal(pool_map(p, &a, &f), -ECANCELED);
		assert_int_equal(f.kind, POOL_TASK_FAILED);
		assert_int_equal(f.task_status, 5);
		assert_int_equal(f.begin, 42);
		assert_int_equal(atomic_load(&sh->ran), 100); /* every other task still ran */
		pool_free(p);
	}
}

struct cb_log {
	int done, errors;
	uint64_t sum;
	pid_t parent;
	int wrong_process;
	enum pool_failure_kind last_kind;
};

static void on_done(void *user, uint64_t id, const void *result)
{
	struct cb_log *l = user;

	(void)id;
	l->done++;
	l->sum += ((const uint64_t *)result)[0];
	if (getpid() != l->parent)
		l->wrong_process = 1;
}

static void on_error(void *user, uint64_t id, const struct pool_failure *f)
{
	struct cb_log *l = user;

	(void)id;
	l->errors++;
	l->last_kind = f->kind;
	if (getpid() != l->parent)
		l->wrong_process = 1;
}

static void test_apply_async_callbacks(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		struct pool *p = start(both[t], 2, 0, 0);
		struct cb_log l = { .parent = getpid() };
		uint64_t id;

		reset(7, HOW_STATUS);
		for (size_t i = 0; i < 20; i++)
			assert_int_equal(pool_apply_async(p, task, NULL, i, i + 1, 24, on_done, on_error,
							  &l, &id), 0);
		assert_int_equal(id, 19);
		assert_int_equal(pool_wait(p, 10000), 0);
		assert_int_equal(l.done, 19);
		assert_int_equal(l.errors, 1); /* once per failing task */
		assert_int_equal(l.last_kind, POOL_TASK_FAILED);
		assert_int_equal(l.sum, 19); /* one item each, the failing one excluded */
		assert_int_equal(l.wrong_process, 0);
		pool_close(p);
		assert_int_equal(pool_apply_async(p, task, NULL, 0, 1, 24, on_done, on_error, &l, NULL),
				 -EPIPE);
		pool_join(p);
		no_children_left();
		pool_free(p);
	}
}

static void test_terminate_while_running(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		struct pool *p = start(both[t], 2, 0, 0);
		struct cb_log l = { .parent = getpid() };
		double t0;

		reset(0, HOW_HANG);
		for (size_t i = 0; i < 4; i++)
			assert_int_equal(pool_apply_async(p, task, NULL, 0, 1, 24, on_done, on_error, &l,
							  NULL), 0);
		pool_wait(p, 50); /* let them start (they hang for 30 s) */
		t0 = pb_mono_s();
		pool_terminate(p);
		assert_true(pb_mono_s() - t0 < 5.0); /* not the 30 s tasks; generous for a busy machine */
		assert_int_equal(l.errors, 4);
		assert_int_equal(l.done, 0);
		assert_int_equal(l.last_kind, POOL_TERMINATED);
		no_children_left();
		pool_free(p);
	}
}

static int count_distinct(const uint64_t *res, size_t n)
{
	int d = 0;

	for (size_t i = 0; i < n; i++) {
		int seen = 0;

		for (size_t j = 0; j < i; j++)
			seen |= res[3 * j + 2] == res[3 * i + 2];
		d += !seen;
	}
	return d;
}

static void test_max_tasks_respawns(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		uint64_t res[30 * 3];
		struct pool *p = start(both[t], 2, 3, 0);
		struct pool_map_args a = { .fn = task, .n = 30, .chunk = 1, .result_size = 24,
					   .results = res };
		struct pool_failure f;
		struct pool_stats st;

		reset(-1, HOW_NONE);
		assert_int_equal(pool_map(p, &a, &f), 0);
		assert_true(count_distinct(res, 30) >= 10); /* at most 3 tasks per process */
		/* the next map still works, on fresh workers */
		assert_int_equal(pool_map(p, &a, &f), 0);
		pool_get_stats(p, &st);
		assert_true(st.respawns >= 8);
		assert_int_equal(st.deaths, 0);
		pool_free(p);
	}
	no_children_left();
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Shared mappings of this process (/proc/self/maps entries with the 's' flag): the pool's
 * anonymous shared area is one, and it must be gone after pool_free. */
static int count_shared_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perms[8];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %7s", perms) == 1 && perms[3] == 's')
			n++;
	fclose(f);
	return n;
}

static void test_nothing_left_behind(void **state)
{
	int fds = count_fds(), maps = count_shared_maps();

	(void)state;
	for (int t = 0; t < 2; t++) {
		uint64_t acc[4];
		struct pool *p = start(both[t], 3, 0, 0);
		struct pool_map_args a = { .fn = task, .n = 10, .result_size = 24, .combine = add_u64,
					   .results = acc };
		struct pool_failure f;

		reset(3, HOW_SEGV);
		assert_true(count_shared_maps() > maps); /* the check can see the pool's area */
		assert_int_equal(pool_map(p, &a, &f), -ECHILD);
		pool_free(p);
	}
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_shared_maps(), maps);
	no_children_left();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results_in_order),
		cmocka_unit_test(test_reduce_default_chunk),
		cmocka_unit_test(test_task_error_after_others),
		cmocka_unit_test(test_apply_async_callbacks),
		cmocka_unit_test(test_terminate_while_running),
		cmocka_unit_test(test_max_tasks_respawns),
		cmocka_unit_test(test_nothing_left_behind),
	};

	if (harness_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
