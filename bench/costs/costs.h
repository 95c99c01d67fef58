/*
 * costs.h - `parbench costs`: the price list of the concurrency models the tutorials talk
 * about (start-up, per-task dispatch, communication, synchronization, the shared counter,
 * memory per worker), measured on this machine.
 *
 * Every time is Google Benchmark's median over repetitions (through the gbench shim) of a
 * batch of operations divided by the batch size, so that no figure is below the clock's
 * resolution.  Counts (lost updates) and memory sizes are measured directly.  It does not
 * print; the costs command (bench/cmd/costs.c) prints the rows.
 */
#ifndef PB_COSTS_H
#define PB_COSTS_H

#include <stdatomic.h>
#include <stddef.h>

#include "pin.h"

struct cost_row {
	const char *group;     /* start-up, dispatch, communication, ... */
	char name[96];
	double median, min, max;
	const char *unit;      /* "us", "ns", "MiB", "%", ... */
	double scale;          /* median etc. are already multiplied by it */
	size_t repetitions;
	const char *how;       /* one line: how it was measured */
	int failed;            /* the measurement failed (or a lock lost updates) */
	int not_run;           /* excluded by a --benchmark_filter */
	/* CPython rows (group "cpython"): their own unit and method text, their C
	 * counterpart's name and median (in this row's unit; 0: none), and whether the
	 * thing measured never happened (a killed Pool worker is never reported) */
	char unit_own[16];
	char how_own[256];
	char c_name[96];
	double c_median;
	int never;
};

struct costs {
	struct cost_row rows[112];
	size_t n;
};

struct costs_opts {
	unsigned workers;            /* pool / team size for the dispatch figures */
	const struct pin_topo *topo;
	int quick;                   /* fewer repetitions, smaller batches */
	const char *python;          /* costs_python(): the interpreter */
	const atomic_int *stop;      /* costs_python(): once non-zero (a signal handler sets it),
				      * the interpreter is ended, or NULL */
};

/* Measures the C rows. gb_argv: Google Benchmark flags. 0 or -errno with err set. */
int costs_run(struct costs *c, const struct costs_opts *o, int gb_argc, const char *const *gb_argv,
	      char *err, size_t err_len);
/* 0 if python runs and is recent enough for costs_python() (20 s at most), else -errno and
 * why, one line. */
int costs_python_check(const char *python, char *why, size_t len);
/* The price list in real CPython (bench/costs/costs.py in o->python), appended to c
 * after the C rows of costs_run(), each row paired with its C counterpart.  The interpreter
 * and every process it starts are gone when it returns (and die with parbench).  0, -EINTR
 * (stopped by o->stop: no rows added), or -errno with err set (no rows added). */
int costs_python(struct costs *c, const struct costs_opts *o, char *err, size_t err_len);
/* costs.csv in dir, written whole. 0 or -errno. */
int costs_write_csv(const char *dir, const struct costs *c);

#endif
