/*
 * cpython_int.h - what cpython.c and cpython_io.c share (not for other files).
 */
#ifndef PB_CPYTHON_INT_H
#define PB_CPYTHON_INT_H

#include <stddef.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "backend.h"

#define CPY_START_S 120.0 /* the interpreter and its workers must be ready by then */

struct cpy {
	_Atomic pid_t pid;     /* the driver, leader of its own process group; 0 = none (read
				* by cancel() from another thread) */
	int fd;                /* the socket to it, if connected */
	int connected;
	char buf[8192];        /* what came from the driver: [used, have) not read yet */
	size_t used, have;
	const struct work *job;
	size_t in_len, out_len; /* the job's input and output bytes, span [0, n) */
	double elapsed;        /* the last run, as the driver timed it */
	char pids[600];        /* the workers' process ids, "123,124" */
	const char *mode;      /* driver.py's MODE */
	int gil;               /* the interpreter said: 1 a GIL, -1 none; 0 not said */
	double until;          /* cpy_bound(): every wait ends by then (0: none) ... */
	const atomic_int *stop; /* ... or once this is set (NULL: never) */
};

/* Starts driver.py in python with those arguments (see driver.py). 0 or -errno. */
int cpy_spawn(struct cpy *c, const char *python, const char *mode, unsigned workers,
	      const char *start, unsigned switch_us, const char *cpus, const char *fault);
/* From now on every wait on the driver ends within timeout_s (-ETIMEDOUT; 0: no limit) or
 * once *stop is set (-EINTR; NULL: never): a start is bounded so; runs are left unbounded
 * (cpy_bound(c, 0, NULL)), for the caller's watchdog to cancel. */
void cpy_bound(struct cpy *c, double timeout_s, const atomic_int *stop);
/* Sends len bytes. 0, or -EPIPE if the driver is gone (bounded: -ETIMEDOUT, -EINTR). */
int cpy_send(struct cpy *c, const void *p, size_t len);
/* The next line, without its newline, cut to len - 1 bytes; waits at most timeout_s
 * (0: no limit). 0, -ETIMEDOUT, -EINTR (bounded: stopped), or -EPIPE if the driver closed
 * the socket. */
int cpy_line(struct cpy *c, char *line, size_t len, double timeout_s);
/* Exactly len raw bytes. 0 or -errno. */
int cpy_bytes(struct cpy *c, void *p, size_t len);
/* Waits up to wait_s for the driver to end, kills what is left of its group, reaps it, and
 * says how it ended ("signal 9"). 0, or -ETIMEDOUT (still running). */
int cpy_reap(struct cpy *c, double wait_s, char *how, size_t len);
/* SIGKILL to the driver's whole process group (safe from another thread). */
void cpy_kill(struct cpy *c);
/* The interpreter to run: python, or by default the system's (/usr/bin/python3, else the
 * python3 of PATH). */
const char *cpy_python(const char *python);
/* Runs python -c code (output discarded, 20 s at most): 0 if it exited with status 0. */
int cpy_probe(const char *python, const char *code);
/* The GIL from the driver's ready line, already in c->pids ("123,124 gil 1"): into c->gil,
 * and cut from c->pids. */
void cpy_ready_gil(struct cpy *c);
/* Asks the driver to quit, then waits, kills and reaps: nothing is left running. */
void cpy_end(struct cpy *c);

#endif
