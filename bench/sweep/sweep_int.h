/*
 * sweep_int.h - what the sweep's files share (not for other layers): one configuration's
 * case (case.c, its runs under the watchdog of watchdog.h), the rounds of repetitions
 * (rounds.c).
 */
#ifndef PB_SWEEP_INT_H
#define PB_SWEEP_INT_H

#include "gbench.h"
#include "kwork.h"
#include "steady.h"
#include "sweep.h"
#include "watchdog.h"

struct bench_case {
	struct sweep *sw;
	const struct sweep_opts *o;
	struct sweep_row *row;
	struct kernel_instance *ki;
	struct backend_config cfg;
	struct backend_instance bi;
	struct work_region out;       /* the kernel's output, prefaulted by process workers */
	int started;
	int dead;                     /* failed once: later calls skip at once */
	struct work w;
	struct partial total;
	struct bench_case **active;   /* the one configuration whose workers exist */
	struct steady *steady;        /* probed between configurations (steady.h) */
	struct watchdog *wd;
	const char *cancelled;        /* why the watchdog cancelled the last run, or NULL */
	unsigned long runs;           /* runs of this configuration so far, warm-ups included */
};

struct progress_ctx {
	struct sweep *sw;
	size_t done, total;
	unsigned round;
	double t0, round_t0, round_cost; /* round_cost: the plan's estimate, or 0 */
	sweep_progress_fn *fn;
	void *arg;
};

/* case.c */
/* The sweep's watchdog: o's timeout and stop request; a run that hangs is cancelled (process
 * backends kill their workers, the run fails and the sweep goes on), or else o->hang saves
 * what was measured and ends the program. */
void case_watchdog(struct watchdog *wd, const struct sweep_opts *o);
/* Runs the case's backend once under the watchdog's eye (c->cancelled: why it was stopped). */
int watched_run(struct bench_case *c);
/* Whether a restart of row r's backend gets a warm-up again (the first start always does). */
int case_rewarms(const struct sweep_row *r);
/* The Google Benchmark body of one configuration: start, warm-up, timed verified runs. */
void case_body(struct gbench_state *st, void *arg);
/* Stops the case's workers (their statistics go to its row). */
void case_stop(struct bench_case *c);
/* The test hooks PARBENCH_TEST_CRASH, PARBENCH_TEST_HANG and PARBENCH_TEST_PY_FAULT on this
 * case's work. */
void case_hooks(struct bench_case *c);
/* PARBENCH_TEST_PY_FAULT=kernel/where:fault (o->py_fault): the fault if kernel and where (a
 * backend's name, or "calibration") match, else NULL. */
const char *case_py_fault(const struct sweep_opts *o, const char *kernel, const char *where);

/* rounds.c */
/* Round after round of Google Benchmark until the plan is empty. */
int run_rounds(struct sweep *sw, const struct sweep_opts *o, struct gbench *gb, int display,
	       struct progress_ctx *pc, char *err, size_t err_len);
/* The row's timings from Google Benchmark's (every round's samples). */
void row_take_result(struct sweep_row *r, const struct gbench_result *g);

#endif
