/*
 * roof.h - this machine's limits, measured at the start of a run: the copy bandwidth for each
 * worker count and the core clock.  The tables put every row beside them (a filter's GB/s as
 * a percent of the copy bandwidth at its worker count, a compute kernel's cycles per item).
 *
 * Copy bandwidth: STREAM's counting (bytes read + bytes written, no write-allocate traffic),
 * of kernel_copy() (the kernels' variant, ordinary stores), on max(48 MiB, 2 x every cache
 * the workers' PUs see, all levels) split over the workers, each pinned as the sweep pins its
 * workers and first-touching its own part; best of 5 timed passes after one untimed, each
 * from the start barrier to the last worker's finish: what the workers move together (with
 * more workers than cores, parts copied one after another do not add up).
 * Clock: a chain of dependent adds, one per cycle on every CPU we know, best of 5.
 */
#ifndef PB_ROOF_H
#define PB_ROOF_H

#include <stdio.h>

#include "pin.h"

#define ROOF_MAX 64

struct roof {
	double clock_hz;          /* core clock while busy (0: not measured) */
	size_t n;                 /* worker counts measured */
	unsigned workers[ROOF_MAX];
	double copy_bps[ROOF_MAX]; /* bytes read + written per second with workers[i] */
	size_t bytes[ROOF_MAX];   /* what each pass of workers[i] copied, all parts together */
	double seconds;           /* what measuring took */
	const char *variant;      /* the kernels' instruction-set variant that copied */
};

/* Measures the clock and the copy bandwidth for each of the worker counts (1 is always
 * included), pinned by policy pin.  0 or -errno (-ENOMEM, -EAGAIN: no threads). */
int roof_measure(struct roof *r, const struct pin_topo *topo, const char *pin,
		 const unsigned *workers, size_t n_workers);
/* The copy bandwidth with w workers, from the nearest count measured at or below w
 * (bandwidth does not grow with oversubscription); 0 if none. */
double roof_copy_bps(const struct roof *r, unsigned w);
/* A few lines: the clock and the copy bandwidth per worker count. */
void roof_print(FILE *out, const struct roof *r);
/* "clock_hz": ..., "copy": [...] members for meta.json (no braces), indented by two. */
void roof_write_json(FILE *f, const struct roof *r);
/* roof.csv (workers,copy_gb_per_s,clock_ghz) in dir, for the charts. 0 or -errno. */
int roof_write_csv(const char *dir, const struct roof *r);

#endif
