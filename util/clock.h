/*
 * clock.h - the one clock every parbench timing reads: CLOCK_MONOTONIC, as seconds or
 * nanoseconds; the calling thread's CPU time; and deadlines on the monotonic clock for timed
 * waits (a condition variable made with pb_mono_cond_init(), sem_clockwait()).
 * The bottom layer (util/): it includes no parbench header; backends and bench use it.
 */
#ifndef PB_CLOCK_H
#define PB_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

double pb_mono_s(void);    /* seconds */
uint64_t pb_mono_ns(void); /* nanoseconds */
double pb_thread_cpu_s(void); /* the calling thread's CPU time, seconds */

/* The CLOCK_MONOTONIC time s seconds from now, as a timed wait's deadline: for
 * pthread_cond_timedwait() on a condition made by pb_mono_cond_init(), or sem_clockwait(). */
struct timespec pb_mono_deadline(double s);
/* pthread_cond_init() for a condition whose timed waits run on CLOCK_MONOTONIC (the wall
 * clock may jump); shared between processes if pshared.  0 or an error number. */
int pb_mono_cond_init(pthread_cond_t *cv, int pshared);

#endif
