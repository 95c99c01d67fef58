/*
 * test_pool_faults.c - the process pool when workers die, for both transports: a worker that
 * dies mid-task (SIGSEGV, _exit, SIGKILL sent from here) is reported with its pid, signal or
 * status and task range, fast, is reaped, and the pool goes on; a worker that cannot be
 * reaped is reported; retry re-runs the lost task once; a death between claiming a chunk and
 * starting it is found by counting.
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

#include "pool.h"

#include "pool_harness.h"

static void death_case(enum pool_transport tr, int how, int want_signal, int want_status)
{
	uint64_t acc[4];
	struct pool *p = start(tr, 2, 0, 0);
	struct pool_map_args a = { .fn = task, .n = 64, .chunk = 1,
				   .result_size = 4 * sizeof(uint64_t), .combine = add_u64,
				   .results = acc };
	struct pool_failure f;

	reset(13, how);
	assert_int_equal(pool_map(p, &a, &f), -ECHILD);
	assert_int_equal(f.kind, POOL_WORKER_DIED);
	assert_int_equal(f.signal, want_signal);
	assert_int_equal(f.exit_status, want_status);
	assert_int_equal(f.begin, 13);
	assert_int_equal(f.end, 14);
	assert_true(f.pid > 0);
	assert_non_null(strstr(f.message, "items [13, 14)"));
	/* reaped already: no zombie */
	assert_int_equal(waitpid(f.pid, NULL, WNOHANG), -1);
	/* the pool replaces the worker and goes on */
	reset(-1, HOW_NONE);
	assert_int_equal(pool_map(p, &a, &f), 0);
	assert_int_equal(acc[0], 64);
	pool_free(p);
	no_children_left();
}

static void test_death_segv(void **state)
{
	(void)state;
	death_case(POOL_SHM, HOW_SEGV, SIGSEGV, 0);
	death_case(POOL_PIPE, HOW_SEGV, SIGSEGV, 0);
}

static void test_death_exit(void **state)
{
	(void)state;
	death_case(POOL_SHM, HOW_EXIT, 0, 7);
	death_case(POOL_PIPE, HOW_EXIT, 0, 7);
}

/* A worker that cannot be reaped (SIGCHLD ignored: the kernel reaps children itself, so
 * waitpid fails) is reported as ended in an unknown way, never as "exited with status 0". */
static void test_death_not_reapable(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		uint64_t acc[4];
		struct pool *p = start(both[t], 2, 0, 0);
		struct pool_map_args a = { .fn = task, .n = 64, .chunk = 1,
					   .result_size = 4 * sizeof(uint64_t), .combine = add_u64,
					   .results = acc };
		struct pool_failure f;
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;

		sigaction(SIGCHLD, &ign, &old);
		reset(13, HOW_EXIT);
		assert_int_equal(pool_map(p, &a, &f), -ECHILD);
		assert_int_equal(f.kind, POOL_WORKER_DIED);
		assert_int_equal(f.exit_status, -1);
		assert_null(strstr(f.message, "exited with status 0"));
		assert_non_null(strstr(f.message, "how is unknown"));
		pool_free(p);
		sigaction(SIGCHLD, &old, NULL);
	}
	no_children_left();
}

static void *killer(void *arg)
{
	double *t_kill = arg;

	while (atomic_load(&sh->victim_pid) == 0)
		usleep(1000);
	usleep(20000); /* well inside the task */
	*t_kill = pb_mono_s();
	kill(atomic_load(&sh->victim_pid), SIGKILL);
	return NULL;
}

static void test_sigkill_from_outside(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		uint64_t acc[4];
		struct pool *p = start(both[t], 2, 0, 0);
		struct pool_map_args a = { .fn = task, .n = 16, .chunk = 1,
					   .result_size = 4 * sizeof(uint64_t), .combine = add_u64,
					   .results = acc };
		struct pool_failure f;
		pthread_t tid;
		double t_kill = 0, t_done;

		reset(5, HOW_HANG);
		assert_int_equal(pthread_create(&tid, NULL, killer, &t_kill), 0);
		assert_int_equal(pool_map(p, &a, &f), -ECHILD);
		t_done = pb_mono_s();
		pthread_join(tid, NULL);
		assert_int_equal(f.signal, SIGKILL);
		assert_int_equal(f.pid, atomic_load(&sh->victim_pid));
		assert_int_equal(f.begin, 5);
		/* noticed at once, not after the 30 s task: generous for a loaded machine, where
		 * the parent may wait for a core a good while (no timing under a sanitizer) */
		if (!getenv("PB_INSTRUMENTED") && t_done - t_kill > 5.0)
			fail_msg("death noticed after %.0f ms", (t_done - t_kill) * 1e3);
		pool_free(p);
		no_children_left();
	}
}

static void test_retry_once(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		uint64_t acc[4];
		struct pool *p = start(both[t], 2, 0, 1);
		struct pool_map_args a = { .fn = task, .n = 50, .chunk = 2,
					   .result_size = 4 * sizeof(uint64_t), .combine = add_u64,
					   .results = acc };
		struct pool_failure f;
		struct pool_stats st;

		reset(20, HOW_DIE_ONCE);
		assert_int_equal(pool_map(p, &a, &f), 0);
		assert_int_equal(acc[0], 50); /* every item exactly once */
		assert_int_equal(acc[1], 25);
		pool_get_stats(p, &st);
		assert_int_equal(st.deaths, 1);
		assert_true(st.respawns >= 1);
		pool_free(p);
	}
	no_children_left();
}

/* Per-task results with retry: the re-run chunk's result lands in its own slot (task 0's
 * was overwritten once), every other slot keeps its own. */
static void test_retry_per_task_results(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		const size_t n = 50, chunk = 2;
		uint64_t res[25 * 4];
		struct pool *p = start(both[t], 2, 0, 1);
		struct pool_map_args a = { .fn = task, .n = n, .chunk = chunk,
					   .result_size = 4 * sizeof(uint64_t), .results = res };
		struct pool_failure f;

		reset(20, HOW_DIE_ONCE);
		memset(res, 0xff, sizeof(res));
		assert_int_equal(pool_map(p, &a, &f), 0);
		for (size_t k = 0; k < n / chunk; k++) {
			assert_int_equal(res[4 * k], chunk);
			assert_int_equal(res[4 * k + 3], k * chunk);
		}
		pool_free(p);
	}
	no_children_left();
}

/* A worker killed between claiming a shm chunk and marking itself busy (test hook): the
 * death is reported as a death, with the chunk's range; with retry the chunk runs again. */
static void test_death_between_claim_and_busy(void **state)
{
	(void)state;
	for (int retry = 0; retry < 2; retry++)
		for (int per_task = 0; per_task < 2; per_task++) {
			uint64_t acc[4], res[25 * 4];
			struct pool_options o = { .workers = 2, .transport = POOL_SHM, .retry = retry,
						  .test_kill_claim = 6 }; /* chunk 5: items [10, 12) */
			struct pool *p = NULL;
			char err[256];
			struct pool_map_args a = { .fn = task, .n = 50, .chunk = 2,
						   .result_size = 4 * sizeof(uint64_t),
						   .combine = per_task ? NULL : add_u64,
						   .results = per_task ? (void *)res : (void *)acc };
			struct pool_failure f;
			int rc;

			reset(-1, HOW_NONE);
			assert_int_equal(pool_start(&p, &o, err, sizeof(err)), 0);
			memset(&f, 0, sizeof(f));
			rc = pool_map(p, &a, &f);
			if (!retry) {
				assert_int_not_equal(rc, 0);
				assert_int_equal(f.kind, POOL_WORKER_DIED);
				assert_int_equal(f.signal, SIGKILL);
				assert_int_equal(f.begin, 10);
				assert_int_equal(f.end, 12);
				assert_non_null(strstr(f.message, "items [10, 12)"));
			} else if (per_task) {
				assert_int_equal(rc, 0);
				for (size_t k = 0; k < 25; k++)
					assert_int_equal(res[4 * k + 3], 2 * k);
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(acc[0], 50);
				assert_int_equal(acc[1], 25);
			}
			pool_free(p);
		}
	no_children_left();
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_death_segv),
		cmocka_unit_test(test_death_exit),
		cmocka_unit_test(test_sigkill_from_outside),
		cmocka_unit_test(test_death_not_reapable),
		cmocka_unit_test(test_retry_once),
		cmocka_unit_test(test_retry_per_task_results),
		cmocka_unit_test(test_death_between_claim_and_busy),
	};

	if (harness_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
