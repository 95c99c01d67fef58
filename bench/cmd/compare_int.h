/*
 * compare_int.h - what compare.c (the command: options, verdicts, output) and compare_pair.c
 * (which configurations of two runs pair up, and the machine's change between the runs)
 * share; not for other commands.
 */
#ifndef PB_CMD_COMPARE_INT_H
#define PB_CMD_COMPARE_INT_H

#include "runload.h"
#include "verdict.h"

#define COMPARE_ALPHA      0.05 /* the chance that any interval of a comparison misses */
#define COMPARE_MAX_RESIZE 10.0 /* sizes further apart than this are not compared per item */
#define COMPARE_PROBE_RUNS 6    /* fewer probe runs have no 95 % interval of their median */

/* A configuration both runs measured, and its verdict. */
struct cell {
	const struct sweep_row *base, *cur;
	double scale;      /* multiplies NEW's times: its time at BASE's work (1 at one size) */
	int per_item;      /* the sizes differ: times per item are compared */
	int cpu;           /* its time is the CPU's (not a kernel that blocks): drift applies */
	struct verdict v;
};

/* What pairs up between BASE and NEW. */
struct pairing {
	struct cell *cells; /* in NEW's row order (owned) */
	size_t n;
	unsigned resized;   /* rows of NEW whose kernel ran at a size too far off in BASE */
	unsigned only_base, only_new;
	char why_none[512]; /* n == 0: one line saying why nothing pairs up */
};

/* Pairs cur's rows with base's.  0 or -ENOMEM. */
int compare_pair(const struct loaded_run *base, const struct loaded_run *cur, struct pairing *p);
void compare_pairing_free(struct pairing *p);
/* One note per kernel (C or CPython rows) that ran at another size in each run: compared per
 * item, or why not. */
void compare_size_notes(const struct loaded_run *base, const struct loaded_run *cur);

/* The machine's change between the runs from their steadiness probes, its interval at
 * 1 - alpha, and how to use it (none when no_drift, when a run has no probe, or when the
 * probes ran other code); what it is, in one line, into line. */
struct drift compare_drift(const struct loaded_run *base, const struct loaded_run *cur,
			   int no_drift, double alpha, char *line, size_t len);

#endif
