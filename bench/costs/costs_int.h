/*
 * costs_int.h - what the price list's files share (not for other layers): the partner
 * process of the ping-pongs (duo.c), start-up and dispatch timings (start.c), the rows
 * measured directly (direct.c), and the table and its runs (costs.c).
 */
#ifndef PB_COSTS_INT_H
#define PB_COSTS_INT_H

#include "costs.h"
#include "backend.h"
#include "gbench.h"
#include "launch.h"
#include "outfile.h"
#include "pool.h"
#include "spin.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/types.h>

/* Every wait on another process or thread ends by this deadline: a partner that died or
 * never started fails its row instead of hanging `parbench costs`. */
#define COSTS_WAIT_S 10.0

/* Shared by the parent and one forked partner. */
struct duo {
	atomic_int flag;         /* shm ping-pong: 1 = ping, 2 = pong, -1 = quit */
	sem_t ping, pong;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn;                /* lock hand-off: whose turn, under mu */
	int quit;
	pthread_barrier_t barrier;
	int fd[4];               /* pipes: parent->child [0]r [1]w, child->parent [2]r [3]w */
	int ev[2];               /* eventfds: to child, to parent */
};

enum duo_kind { DUO_PIPE, DUO_SHM, DUO_SEM, DUO_LOCK, DUO_EVENT, DUO_BARRIER, DUO_QUEUE };

struct duo_run {
	enum duo_kind kind;
	struct duo *d;
	pid_t child;
	unsigned k;              /* batch size: the child needs it for barriers and queues */
	atomic_int broken;       /* the partner died or stalled during a barrier batch */
	int pidfd;               /* the partner, for barrier_guard() */
	int done_fd;             /* eventfd: the batch is over, barrier_guard() may leave */
};

/* duo.c: a forked partner and the batches of ping-pongs with it */
int duo_batch_guarded(struct duo_run *r, unsigned k);
int duo_start(struct duo_run *r);
void duo_stop(struct duo_run *r);
/* 0 once fd is readable, -1 after COSTS_WAIT_S or on an error */
int readable(int fd);

/* start.c: start-up and dispatch */
int batch_fork(unsigned k);
int batch_spawn(unsigned k);
int batch_thread(unsigned k);
int time_backend_first_start(const struct costs_opts *o, const char *name, double *sec);
int time_pool_start(const struct costs_opts *o, enum pool_transport tr, double *sec);
void count_range(void *ctx, size_t b, size_t e, void *partial);
/* acc += r, as 64-bit counts (a work combine function) */
void add64(void *acc, const void *r);

/* direct.c: the rows measured directly (counts, sizes, MPI) */
struct cost_row *add_row(struct costs *c, const char *group, const char *name,
			 const char *unit, const char *how);
void memory_rows(struct costs *c);
void mpi_rows(struct costs *c, const struct costs_opts *o);
void shared_counter_rows(struct costs *c, int quick);

/* python.c: the fork pool's time to report a killed worker (the CPython price list is
 * costs_python(), costs.h) */
void killed_worker_row(struct costs *c, const struct costs_opts *o);

#endif
