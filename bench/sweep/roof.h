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
 * The same copy with streaming stores (kernel_copy_stream()) in turn with it: if it is
 * faster with one worker, the filters stream their outputs when a picture's input + output
 * do not fit in the LLC, and such rows are judged against it.
 * Clock: a chain of dependent 64-bit multiplies, 3 cycles each on Intel's cores since
 * Nehalem and AMD's since Zen 1, best of 5 (a core where they take longer, such as some
 * Atom-class ones, would read a clock too high).
 *
 * Compute ceiling (roof_compute.c): for each filter of the run, its rate (bytes read +
 * written per second, as its rows count them) on its in-cache tile (kernel_params.tile: a
 * 1024 x 64 picture per worker) with as many pinned workers as each count above, in the
 * variant chosen for it; best of 5 passes of ~1 ms after one untimed, checked run.  A
 * filter's row is bound by the lower of the two ceilings: memory (the copy) or compute.
 */
#ifndef PB_ROOF_H
#define PB_ROOF_H

#include <stdint.h>
#include <stdio.h>

#include "pin.h"

#define ROOF_MAX         64
#define ROOF_MAX_KERNELS 8

struct kernel;

/* One filter's compute ceiling. */
struct roof_compute {
	const struct kernel *k;
	const char *variant;        /* the variant it ran */
	double bps[ROOF_MAX];       /* bytes read + written per second with workers[i] */
};

struct roof {
	double clock_hz;          /* core clock while busy (0: not measured) */
	size_t n;                 /* worker counts measured */
	unsigned workers[ROOF_MAX];
	double copy_bps[ROOF_MAX]; /* bytes read + written per second with workers[i] */
	size_t bytes[ROOF_MAX];   /* what each pass of workers[i] copied, all parts together */
	double stream_bps[ROOF_MAX]; /* the same with streaming stores */
	uint64_t stream_above;    /* kernel_params.stream_above: the LLC's bytes if streaming
				   * stores copied faster with 1 worker, else 0 (never) */
	double seconds;           /* what measuring took */
	const char *variant;      /* the kernels' instruction-set variant that copied */
	size_t n_compute;         /* filters measured by roof_measure_compute() */
	struct roof_compute compute[ROOF_MAX_KERNELS];
};

/* Measures the clock and the copy bandwidth for each of the worker counts (1 is always
 * included), pinned by policy pin.  0 or -errno (-ENOMEM, -EAGAIN: no threads). */
int roof_measure(struct roof *r, const struct pin_topo *topo, const char *pin,
		 const unsigned *workers, size_t n_workers);
/* The copy bandwidth with w workers, from the nearest count measured at or below w
 * (bandwidth does not grow with oversubscription); 0 if none. */
double roof_copy_bps(const struct roof *r, unsigned w);
/* The same with streaming stores: the roof of a filter that streams its output. */
double roof_stream_bps(const struct roof *r, unsigned w);
/* After roof_measure(): the compute ceiling of each filter among the n kernels (others
 * are left out) at each worker count of r.  0 or -errno (-EDOM: a tile's result was
 * wrong, -EAGAIN: no threads, -EINVAL: the pin policy). */
int roof_measure_compute(struct roof *r, const struct pin_topo *topo, const char *pin,
			 const struct kernel *const *ks, size_t n);
/* Filter k's compute ceiling with w workers (the nearest count at or below w), 0 if not
 * measured. */
double roof_compute_bps(const struct roof *r, const struct kernel *k, unsigned w);
/* A few lines: the clock and the copy bandwidth per worker count. */
void roof_print(FILE *out, const struct roof *r);
/* "clock_hz": ..., "copy": [...] members for meta.json (no braces), indented by two. */
void roof_write_json(FILE *f, const struct roof *r);
/* roof.csv (workers,copy_gb_per_s,clock_ghz) in dir, for the charts. 0 or -errno. */
int roof_write_csv(const char *dir, const struct roof *r);
/* One filter's rates in one variant (roof_filters.c): bytes read + written per second. */
struct roof_filter_row {
	const struct kernel *k;
	const char *variant;
	double tile_bps;   /* in cache: the tile, serial */
	double memory_bps; /* a side x side picture, ordinary stores */
	double stream_bps; /* the same with streaming stores */
	double memcpy_bps; /* memcpy() of that picture's bytes, in turn with the two above */
};

/* Filter k in every variant this CPU runs (at most max rows), on the calling thread.  0 or
 * -errno (-EDOM: a variant's result was wrong; -EINVAL: k is not a filter; -ENOMEM). */
int roof_filters(const struct kernel *k, uint64_t side, struct roof_filter_row *rows,
		 size_t max, size_t *n);
/* One line per filter: its compute ceiling per worker count. */
void roof_print_compute(FILE *out, const struct roof *r);
/* "compute_ceiling": [...] for meta.json (no braces), indented by two, with a comma. */
void roof_write_compute_json(FILE *f, const struct roof *r);
/* compute.csv (kernel,workers,compute_gb_per_s,variant) in dir, for the charts; written
 * with roof.csv.  0 or -errno. */
int roof_write_compute_csv(const char *dir, const struct roof *r);

#endif
