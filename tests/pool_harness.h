/*
 * pool_harness.h - what the pool tests share: a task that counts, records its worker and
 * misbehaves on demand (status, SIGSEGV, _exit, hang, die once), in memory shared with the
 * workers; pools started for a transport; the check that no child is left.
 */
#ifndef PB_POOL_HARNESS_H
#define PB_POOL_HARNESS_H

#include "clock.h"
#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

/* Shared with the workers: made before any pool exists. */
struct shared {
	atomic_int ran;           /* tasks executed */
	atomic_int killed_once;   /* retry test: the first attempt dies */
	atomic_int victim_pid;    /* SIGKILL test: the worker to kill */
	int fail_item;            /* task starting here misbehaves */
	int how;                  /* what it does */
};
enum { HOW_NONE, HOW_STATUS, HOW_SEGV, HOW_EXIT, HOW_HANG, HOW_DIE_ONCE };

static struct shared *sh; /* each test program maps its own */

/* result: {items, tasks, pid, begin} (add_u64 sums the first two, so sums are results too) */
static inline int task(void *ctx, size_t begin, size_t end, void *result)
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

static inline void add_u64(void *acc, const void *r)
{
	((uint64_t *)acc)[0] += ((const uint64_t *)r)[0];
	((uint64_t *)acc)[1] += ((const uint64_t *)r)[1];
}

static inline void reset(int fail_item, int how)
{
	atomic_store(&sh->ran, 0);
	atomic_store(&sh->killed_once, 0);
	atomic_store(&sh->victim_pid, 0);
	sh->fail_item = fail_item;
	sh->how = how;
}

static inline struct pool *start(enum pool_transport tr, unsigned workers, unsigned max_tasks, int retry)
{
	struct pool_options o = { .workers = workers, .transport = tr,
				  .max_tasks_per_worker = max_tasks, .retry = retry };
	struct pool *p = NULL;
	char err[256];

	assert_int_equal(pool_start(&p, &o, err, sizeof(err)), 0);
	return p;
}

static inline void no_children_left(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static const enum pool_transport both[] = { POOL_SHM, POOL_PIPE };

/* The shared memory, before any pool exists. 0 or -1. */
static inline int harness_init(void)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return sh == MAP_FAILED ? -1 : 0;
}

#endif
