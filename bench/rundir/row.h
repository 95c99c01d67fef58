/*
 * row.h - the facts of one sweep row that the run directory's files (write.c, columns.c)
 * and the tables (bench/report/) share: its rate beside the roof, where its workers ran,
 * whether it was measured, oversubscribed or on shared cores, and its baseline row.
 */
#ifndef PB_ROW_H
#define PB_ROW_H

#include <stddef.h>

#include "roof.h"
#include "sweep.h"

/* A row's rate and how near its roof it runs (roof.h): compute kernels in items/ns and
 * core-cycles per item (median x clock x workers / items); filters in MPix/s and their
 * GB/s as a fraction of each ceiling measured with as many workers, the copy bandwidth
 * (memory) and the filter's rate on its in-cache tile (compute), and of the lower of the
 * two, the bound; io_wait in items/s. */
struct row_rate {
	double rate;
	const char *unit;
	double cycles;  /* 0: not known */
	double copy;    /* 0: not known */
	double compute; /* the compute ceiling's fraction; 0: not known */
	double roof;    /* the bound's fraction: copy or compute, whichever ceiling is lower */
	char bound;     /* 'm' memory (the copy), 'c' compute, 0 not known */
};

struct row_rate row_rate(const struct sweep_row *r, const struct roof *roof);
/* The row has timings (measured, or kept partial after an interrupt). */
int row_measured(const struct sweep_row *r);
/* Where a row's workers last ran, one entry per worker thread: its rank and host (MPI
 * placement "rank@host:cpu[,cpu...] ...") or rank -1 and host "" (this host's "0,1"). */
struct placed {
	int rank;
	char host[64];
	int cpu;
};
size_t row_placement(const struct sweep_row *r, struct placed *out, size_t max);
/* More workers than cores (on the busiest host, for ranks spread over hosts), or two on one
 * PU; not workers on a core's SMT siblings, a PU each: those share the core (row_shares_core,
 * the tables' mark s). */
int row_oversubscribed(const struct sweep_row *r, const struct sweep *sw);
int row_shares_core(const struct sweep_row *r, const struct sweep *sw);
/* r's baseline row (sweep_baseline: same group, r's baseline backend) if it was measured,
 * else NULL. */
const struct sweep_row *row_baseline(const struct sweep *sw, const struct sweep_row *r);

#endif
