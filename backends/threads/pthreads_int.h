/*
 * pthreads_int.h - what the thread pool's files share: its state (pthreads.c starts, runs
 * and stops it) and the workers' loop (pthreads_worker.c).
 */
#ifndef PB_PTHREADS_INT_H
#define PB_PTHREADS_INT_H

#include "backend.h"
#include "gil.h"
#include "spin.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#define PT_SPIN 20000     /* polls before blocking (spin.h), tens of microseconds */

struct pt_state;

struct pt_worker {
	_Alignas(64) unsigned char partial[WORK_PARTIAL_MAX];
	struct pt_state *st;
	unsigned id;
	int cpu;
	int bind_failed;
	struct gil_thread gt;
	pthread_t tid;
};

struct pt_state {
	int use_gil;
	unsigned nw;
	unsigned started;               /* threads created */
	enum backend_schedule sched;
	struct backend_config cfg;
	struct pt_worker *w;
	struct gil gil;
	int gil_ready;

	pthread_mutex_t mu;
	pthread_cond_t go_cv;           /* job published or quit */
	pthread_cond_t done_cv;         /* pending reached 0 */
	atomic_ulong generation;        /* bumped under mu for every job */
	atomic_uint pending;            /* workers still running the job */
	atomic_int quit;
	const struct work *job;         /* written under mu before generation */
	size_t chunk;                   /* of the current job */
	atomic_size_t next;             /* dynamic/guided: first item not yet handed out */
};
/* A worker thread: waits for jobs, runs its share, hands over; arg is its pt_worker. */
void *pt_main(void *arg);

#endif
