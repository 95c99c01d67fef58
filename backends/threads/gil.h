/*
 * gil.h - a simulated CPython GIL: the "new GIL" of CPython 3.2+, as 3.11 has it
 * (Python/ceval_gil.h; ceval_gil.c from 3.12 on).
 *
 * A waiter waits on a condition variable in timed waits of the switch interval; when a wait
 * times out with no switch in between it sets drop_request, and the holder drops the GIL at
 * its next check point and then waits (FORCE_SWITCHING) until another thread has taken it.
 * No fairness, no FIFO: the convoy effect of a blocking thread beside a CPU-bound one follows
 * from the algorithm and is not added as a rule.  This file does not decide where check
 * points are; the pthreads-gil backend does, from the job's work_model.
 */
#ifndef PB_GIL_H
#define PB_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct gil {
	pthread_mutex_t mutex;           /* guards locked and the cond wait */
	pthread_cond_t cond;             /* signalled on every drop */
	pthread_mutex_t switch_mutex;    /* FORCE_SWITCHING: guards the hand-over wait */
	pthread_cond_t switch_cond;      /* signalled when a thread takes the GIL */
	atomic_int locked;               /* 1 while a thread holds the GIL */
	atomic_int drop_request;         /* set by a waiter whose timed wait expired */
	_Atomic(const void *) last_holder; /* the thread that last held it */
	atomic_ulong switch_number;      /* holder changes */
	atomic_ulong forced_drops;       /* drops made on request */
	unsigned interval_us;            /* switch interval, CPython's default 5000 */
};

/* One thread's view of the GIL, with optional slice statistics. */
struct gil_thread {
	uint64_t taken_ns;   /* when this thread last took the GIL (CLOCK_MONOTONIC) */
	uint64_t slices;     /* completed holds */
	uint64_t held_ns;    /* total time held */
	uint64_t *samples;   /* optional: each hold's length in ns, written while n < cap */
	size_t n_samples;
	size_t cap_samples;
};

/* 0 or -errno. interval_us 0 means 5000 (CPython's default sys.getswitchinterval()). */
int gil_init(struct gil *g, unsigned interval_us);
void gil_destroy(struct gil *g);

/* Blocks until the calling thread holds the GIL. */
void gil_take(struct gil *g, struct gil_thread *me);
/* Releases the GIL. forced: a drop on request at a check point (counted), else a voluntary
 * one (a blocking call, the end of the work); either waits for the switch while a drop
 * request is pending (FORCE_SWITCHING), as in 3.11. */
void gil_drop(struct gil *g, struct gil_thread *me, int forced);

/* The eval loop's check point: cheap (a relaxed load and a branch) unless a drop is due. */
static inline void gil_checkpoint(struct gil *g, struct gil_thread *me)
{
	if (atomic_load_explicit(&g->drop_request, memory_order_relaxed)) {
		gil_drop(g, me, 1);
		gil_take(g, me);
	}
}

#endif
