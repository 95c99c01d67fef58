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
	const char *python;          /* also the price list in this interpreter, or NULL */
};

/* Measures everything. gb_argv: Google Benchmark flags. 0 or -errno with err set. */
int costs_run(struct costs *c, const struct costs_opts *o, int gb_argc, const char *const *gb_argv,
	      char *err, size_t err_len);
/* costs.csv in dir, written whole. 0 or -errno. */
int costs_write_csv(const char *dir, const struct costs *c);

#endif
