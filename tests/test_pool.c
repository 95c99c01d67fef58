/*
 * test_pool.c - the process pool's promises, for both transports: results in task order;
 * a failing task fails the map only after every other task ran; a worker that dies mid-task
 * (SIGSEGV, _exit, SIGKILL sent from here) is reported with its pid, signal or status and
 * task range, fast, is reaped, and the pool goes on; retry re-runs the lost task; async
 * callbacks run in the parent; close/join and terminate; max_tasks_per_worker respawns;
 * nothing is left behind (children, file descriptors).
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
#include <time.h>
#include <unistd.h>

#include "pool.h"

/* Shared with the workers: made before any pool exists. */
struct shared {
	atomic_int ran;           /* tasks executed */
	atomic_int killed_once;   /* retry test: the first attempt dies */
	atomic_int victim_pid;    /* SIGKILL test: the worker to kill */
	int fail_item;            /* task starting here misbehaves */
	int how;                  /* what it does */
};
enum { HOW_NONE, HOW_STATUS, HOW_SEGV, HOW_EXIT, HOW_HANG, HOW_DIE_ONCE };

static struct shared *sh;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* result: {items, tasks, pid, begin} (add_u64 sums the first two, so sums are results too) */
static int task(void *ctx, size_t begin, size_t end, void *result)
{
	uint64_t *r = result;

	(void)ctx;
	atomic_fetch_add(&sh->ran, 1);
	if ((int)begin == sh->fail_item) {
		switch (sh->how) {
		case HOW_STATUS:
			return 5;
		case HOW_SEGV:
			raise(SIGSEGV);
			break;
		case HOW_EXIT:
			_exit(7);
		case HOW_HANG:
			atomic_store(&sh->victim_pid, (int)getpid());
			sleep(30);
			break;
		case HOW_DIE_ONCE:
			if (atomic_exchange(&sh->killed_once, 1) == 0)
				raise(SIGKILL);
			break;
		}
	}
	r[0] = end - begin;
	r[1] = 1;
	r[2] = (uint64_t)getpid();
	r[3] = begin;
	return 0;
}

static void add_u64(void *acc, const void *r)
{
	((uint64_t *)acc)[0] += ((const uint64_t *)r)[0];
	((uint64_t *)acc)[1] += ((const uint64_t *)r)[1];
}

static void reset(int fail_item, int how)
{
	atomic_store(&sh->ran, 0);
	atomic_store(&sh->killed_once, 0);
	atomic_store(&sh->victim_pid, 0);
	sh->fail_item = fail_item;
	sh->how = how;
}

static struct pool *start(enum pool_transport tr, unsigned workers, unsigned max_tasks, int retry)
{
	struct pool_options o = { .workers = workers, .transport = tr,
				  .max_tasks_per_worker = max_tasks, .retry = retry };
	struct pool *p = NULL;
	char err[256];

	assert_int_equal(pool_start(&p, &o, err, sizeof(err)), 0);
	return p;
}

static void no_children_left(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static const enum pool_transport both[] = { POOL_SHM, POOL_PIPE };

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
	*t_kill = now_s();
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
		t_done = now_s();
		pthread_join(tid, NULL);
		assert_int_equal(f.signal, SIGKILL);
		assert_int_equal(f.pid, atomic_load(&sh->victim_pid));
		assert_int_equal(f.begin, 5);
		/* noticed at once, not after the 30 s task: generous for a loaded machine (no
		 * timing under a sanitizer) */
		if (!getenv("PB_INSTRUMENTED") && t_done - t_kill > 0.5)
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
		t0 = now_s();
		pool_terminate(p);
		assert_true(now_s() - t0 < 1.0);
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
		cmocka_unit_test(test_death_segv),
		cmocka_unit_test(test_death_exit),
		cmocka_unit_test(test_sigkill_from_outside),
		cmocka_unit_test(test_death_not_reapable),
		cmocka_unit_test(test_retry_once),
		cmocka_unit_test(test_retry_per_task_results),
		cmocka_unit_test(test_death_between_claim_and_busy),
		cmocka_unit_test(test_apply_async_callbacks),
		cmocka_unit_test(test_terminate_while_running),
		cmocka_unit_test(test_max_tasks_respawns),
		cmocka_unit_test(test_nothing_left_behind),
	};

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
