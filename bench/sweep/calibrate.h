/*
 * calibrate.h - default sizes from a time budget, measured on the machine that runs them.
 *
 * For each kernel whose run time grows with its size (kernel.timed_size), a short probe of
 * the serial kernel (verified like every run) finds the size at which one serial run takes
 * the target time; the size is rounded to two significant digits.  So that two runs on one
 * machine compare cell by cell, a size found before (kept in a small file beside the run
 * directories) is used again while the new probe puts it within a factor CALIB_KEEP of the
 * target.
 */
#ifndef PB_CALIBRATE_H
#define PB_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "kernel.h"
#include "sweep.h"

#define CALIB_TARGET_S  0.25  /* one serial run, default sizes */
#define CALIB_QUICK_DIV 20    /* --quick: that much shorter */
#define CALIB_KEEP      3.0   /* a kept size may put the run up to this factor off the
			       * target: shared virtual machines swing that much within
			       * minutes (a core's other hyperthread busy or not) */
#define CALIB_MAX       16
#define CALIB_PROBE_S   0.02  /* the probe's runs take at least this */
#define CALIB_WARM_S    0.15  /* untimed runs first: a short burst can run faster than a
			       * sustained one (a virtual CPU's boost), and the runs are long */
#define CALIB_RUNS      5     /* the median of these counts */
#define CALIB_PY_TARGET_S  0.05 /* one serial run of a Python twin, CPython rows */
#define CALIB_PY_QUICK_DIV 5   /* --quick: that much shorter (an interpreter's pools cost
				* milliseconds per run) */

struct calib_entry {
	const struct kernel *k;
	uint64_t size;      /* the size the run uses */
	double probe_s;     /* a serial run at that size, as the probe predicts */
	int kept;           /* the size of an earlier calibration, still within CALIB_KEEP */
};

struct calibration {
	double target_s;
	int python;         /* the CPython rows' sizes (calibrate_python) */
	size_t n;
	struct calib_entry e[CALIB_MAX];
};

/*
 * Calibrates the n kernels ks that have timed_size (the others are skipped) with the other
 * parameters of kp (tasks, sleep_us); sizes rounded by calib_round(size, multiple).  keep_path: the file of earlier sizes (read, and
 * rewritten whole), or NULL; key: what must match for a kept size (machine, variant).
 * 0, or -errno with a one-line reason (-EDOM: a probe's result was wrong).
 */
int calibrate(struct calibration *c, const struct kernel *const *ks, size_t n,
	      const struct kernel_params *kp, double target_s, unsigned multiple,
	      const char *keep_path, const char *key, char *err, size_t err_len);
/*
 * The CPython rows' sizes: the n kernels ks's Python twins, run by py (the CPython serial
 * backend) in the interpreter o->python with the parameters o->kp, so that one run takes
 * target_s; pictures by their side; a size kept under key in keep_path is used again while
 * the probe puts it within CALIB_KEEP (as calibrate() does).  Each start and run ends within
 * o->timeout_s, and soon after *o->stop is set, with the interpreter killed (the test hook
 * o->py_fault applies as "kernel/calibration:fault").  0, or -errno with a one-line reason
 * (-EINTR: stopped by o->stop).
 */
int calibrate_python(struct calibration *c, const struct backend *py,
		     const struct kernel *const *ks, size_t n, const struct sweep_opts *o,
		     double target_s, unsigned multiple, const char *keep_path, const char *key,
		     char *err, size_t err_len);
/* The size an earlier calibration with this key chose for kernel name in the file path,
 * or 0; and path rewritten with c's sizes under key (other keys' lines kept). */
uint64_t calib_kept_size(const char *path, const char *key, const char *name);
/* Whether a kept size old, which the probe puts at off times the target, is used again: within
 * CALIB_KEEP, and (counting few items) a multiple of multiple, as calib_round() would make it. */
int calib_keeps(uint64_t old, double off, unsigned multiple);
void calib_keep_sizes(const char *path, const char *key, const struct calibration *c);
/* x to two significant digits (1234567 -> 1200000); below 1000 x multiple, to the nearest
 * multiple of multiple instead (at least multiple): a size that counts few items is then
 * dealt evenly to every worker count whose least common multiple is multiple. */
uint64_t calib_round(double x, unsigned multiple);
/* One serial run of all of ki's items, verified: its seconds, or -1 when the result is wrong. */
double calib_serial_run(const struct kernel_instance *ki);
/* The calibration of kernel k, or NULL. */
const struct calib_entry *calibration_find(const struct calibration *c, const struct kernel *k);

#endif
