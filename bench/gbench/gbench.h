/*
 * gbench.h - a plain C API over Google Benchmark (implemented in gbench.cc).
 *
 * Conventions: handles are opaque; functions that can fail return 0 or a negative errno and
 * write a one-line reason into the caller's err buffer; no C++ exception crosses this API.
 * Strings passed in are copied; strings and arrays handed out stay owned by the gbench
 * handle and live until gbench_destroy().  Every benchmark uses real (wall-clock) time set by
 * the body with gbench_set_iteration_time() (manual time), so the body decides exactly what
 * is timed.  Google Benchmark does the repetitions, the iteration counts, the interleaving,
 * the filters and the JSON file; a benchmark may be run again (gbench_run_some()) and its
 * samples accumulate, so the aggregates (mean, median, stddev, cv, min, max) are computed
 * here over every sample, and the JSON file holds every call's runs.
 * It does not print anything itself unless display is asked for in gbench_run().
 */
#ifndef PB_GBENCH_H
#define PB_GBENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gbench;       /* a set of benchmarks and, after gbench_run(), their results */
struct gbench_state; /* one run of one benchmark; valid only inside its body */

/* The benchmark body: loop while gbench_keep_running(st), calling
 * gbench_set_iteration_time() once per iteration (or gbench_skip_with_error()). */
typedef void gbench_body_fn(struct gbench_state *st, void *arg);

/* The results of one benchmark; times in seconds per iteration. */
struct gbench_result {
	const char *name;       /* as registered */
	size_t index;           /* registration order */
	size_t n_samples;       /* repetitions measured, over every call */
	const double *samples;  /* one time per repetition, in order */
	int64_t iterations;     /* iterations per repetition (of the last one) */
	double mean, median, stddev, cv, min, max; /* over the samples; NaN if none */
	int failed;             /* the body skipped with an error */
	const char *error;      /* its message, or "" */
};

/* Called after each benchmark's last repetition, in the parent, for progress display. */
typedef void gbench_done_fn(const struct gbench_result *r, void *arg);

/* Creates a handle and gives Google Benchmark its flags: argv[0] is a program name, the rest
 * are --benchmark_* flags (later ones win).  Flags are global to the process: call once.
 * -EINVAL if a flag is not recognised.  *out is owned by the caller. */
int gbench_create(struct gbench **out, int argc, const char *const *argv, char *err,
		  size_t err_len);
/* Registers a benchmark.  body and arg must stay valid until gbench_run() returns.
 * min_time_s > 0 sets the minimum time per repetition unless a --benchmark_min_time flag
 * was given. */
int gbench_add(struct gbench *g, const char *name, gbench_body_fn *body, void *arg,
	       double min_time_s, char *err, size_t err_len);
/* Runs every registered benchmark that the filter flag selects, in registration order.
 * display: also print Google Benchmark's console table (to stderr). done may be NULL. */
int gbench_run(struct gbench *g, int display, gbench_done_fn *done, void *done_arg, char *err,
	       size_t err_len);
/* The same for the benchmarks i with reps[i] > 0 only, each reps[i] repetitions (reps NULL:
 * all, with the flags' repetition count); may be called again: samples accumulate, done is
 * called once per call for each benchmark run. */
int gbench_run_some(struct gbench *g, const unsigned *reps, int display, gbench_done_fn *done,
		    void *done_arg, char *err, size_t err_len);
size_t gbench_count(const struct gbench *g);
/* Results of benchmark i (registration order); NULL if it did not run. */
const struct gbench_result *gbench_get_result(const struct gbench *g, size_t i);
void gbench_destroy(struct gbench *g);

/* Inside a body. */
int gbench_keep_running(struct gbench_state *st);
void gbench_set_iteration_time(struct gbench_state *st, double seconds);
/* Marks the run failed; the body must then return without further iterations. */
void gbench_skip_with_error(struct gbench_state *st, const char *msg);
/* A user counter shown in the JSON output (e.g. items per second). */
void gbench_set_counter(struct gbench_state *st, const char *name, double value);

#ifdef __cplusplus
}
#endif

#endif
