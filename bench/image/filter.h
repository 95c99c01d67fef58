/*
 * filter.h - `parbench filter`: one filter applied to real image files through a backend.
 *
 * One file: its rows are the work items, as in the benchmark.  Several files (batch, the
 * tutorials' starmap over (image, filter) pairs): each file is one task, dealt one at a time
 * (chunk 1), so static scheduling deals files round-robin in order and dynamic scheduling
 * gives the next file to whichever worker is free; with files of different sizes the
 * per-worker times below show the difference.  Every run is verified (each file bit for bit
 * against the plain reference) before its time counts; outputs are written only after
 * that, each whole (temporary file, then rename).  Nothing here prints.
 */
#ifndef PB_FILTER_H
#define PB_FILTER_H

#include "backend.h"
#include "kernel.h"
#include "image.h"

#include <stdint.h>

#define FILTER_MAX_FILES 4096

struct filter_rec {            /* per file, on shared memory: written by whichever worker */
	struct partial p;
	uint64_t t0_ns, t1_ns;     /* start and end, CLOCK_MONOTONIC */
	int32_t tid;               /* the thread or process that filtered it */
	int32_t cpu;
};

struct filter_file {
	const char *in_path;
	char out_path[4096];
	struct pb_image img;
	struct kernel_instance ki;
};

struct filter_job {
	const struct kernel *k;
	struct filter_file *files;
	size_t n;
	int batch;
	struct filter_rec *rec;    /* n records, MAP_SHARED */
	uint64_t pixels, bytes;    /* over all files, per run */
	/* results of filter_execute */
	double *samples;           /* seconds per run */
	int runs;
	double median, min, max;
	int worker_of[FILTER_MAX_FILES]; /* batch: worker index (order of first start) */
	unsigned workers_seen;
};

struct filter_opts {
	const struct backend *b;
	struct backend_config cfg; /* workers, schedule, pinning; chunk is set for batches */
	int runs;                  /* timed runs after one warm-up */
	double timeout_s;          /* one run may take this long, then it is stopped */
	/* called (from the watchdog thread) when a run of a backend that cannot be cancelled
	 * (threads) hangs past the timeout; must not return */
	void (*hang)(const char *why);
	int test_hang;             /* test hook (PARBENCH_TEST_HANG=kernel/backend): runs hang */
};

/* Loads every input and sets the kernel up on each; outputs go to out (one file) or to
 * out_dir/<input's name> (batch), and none may be an input (the same file by device and
 * inode, whatever the path).  0, or -errno with one line in err (bad input). */
int filter_load(struct filter_job *j, const struct kernel *k, const char *const *inputs,
		size_t n, const char *out, const char *out_dir, char *err, size_t err_len);
/* Starts the backend, warms up, times o->runs runs, verifies each.  0; -EDOM when a result
 * is wrong; another -errno when the backend failed (err says why). */
int filter_execute(struct filter_job *j, const struct filter_opts *o, char *err, size_t err_len);
/* Writes the outputs. 0 or -errno (err says which file). */
int filter_save(struct filter_job *j, char *err, size_t err_len);
void filter_free(struct filter_job *j);

#endif
