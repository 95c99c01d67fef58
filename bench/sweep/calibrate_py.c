/*
 * calibrate_py.c - the CPython rows' sizes from the time budget: the kernels' Python twins,
 * run by the CPython serial backend (the interpreter really started, every run verified),
 * at growing sizes until one run takes CALIB_PY_PROBE_S, then the median of CALIB_PY_RUNS
 * runs sets the size for the target.  Run time is linear in the size, except for the
 * pictures, whose side is the size: there it is linear in the side squared.  Every start and
 * run is bounded like the sweep's (--timeout, a stop signal): an interpreter that hangs is
 * killed and the calibration fails.
 */
#include "calibrate.h"
#include "clock.h"
#include "kwork.h"
#include "stats.h"
#include "sweep_int.h"
#include "watchdog.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CALIB_PY_PROBE_S 0.01
#define CALIB_PY_RUNS    3
#define CALIB_PY_SIDE0   16  /* the first picture's side */

/* What every probe shares: the backend, the run's options, the watchdog. */
struct py_calib {
	const struct backend *py;
	const struct sweep_opts *o;
	struct watchdog wd;
};

/* The watchdog stops a calibration run through its backend (the interpreter is killed). */
static int py_cancel(void *run)
{
	return backend_instance_cancel(run);
}

/* A run the backend could not stop (it always can: a process): treated as cancelled. */
static void py_hang(void *run, const char *why, void *arg)
{
	(void)run;
	(void)why;
	(void)arg;
}

/* One watched run of bi; a cancelled run fails, with why in bi->err. */
static int py_run(struct py_calib *pc, struct backend_instance *bi, const struct work *w)
{
	const char *cancelled;
	int rc;

	watchdog_arm(&pc->wd, bi);
	rc = backend_instance_run(bi, w);
	cancelled = watchdog_disarm(&pc->wd);

	if (cancelled && strcmp(cancelled, "timed out") == 0)
		snprintf(bi->err, sizeof(bi->err), "a run timed out after %g s (--timeout); the "
			 "interpreter was killed", pc->wd.timeout_s);
	else if (cancelled)
		snprintf(bi->err, sizeof(bi->err), "a run %s; the interpreter was killed", cancelled);
	if (cancelled)
		return -ETIMEDOUT;
	return rc;
}

/* The median of runs verified runs of k's twin at size, after one untimed run. */
static int py_probe(struct py_calib *pc, const struct kernel *k, uint64_t size, int runs,
		    double *median, char *err, size_t err_len)
{
	const struct sweep_opts *o = pc->o;
	struct kernel_params p = o->kp;
	struct kernel_instance ki;
	struct backend_instance bi;
	struct partial total;
	struct work w;
	double t[8];
	int rc;

	if (o->stop && atomic_load(o->stop))
		return -EINTR;
	p.size = size;
	p.image = NULL;
	rc = kernel_instance_init(&ki, k, &p);
	if (rc)
		return rc;
	kwork_init(&w, &ki, &total);
	struct backend_config cfg = { .workers = 1, .job = &w, .python = o->python,
				      .start_timeout_s = o->timeout_s, .stop = o->stop,
				      .test_py_fault = case_py_fault(o, k->name, "calibration") };

	rc = backend_instance_start(&bi, pc->py, &cfg);
	for (int i = -1; i < runs && rc == 0; i++) {
		double t0 = pb_mono_s();

		if (k->invalidate)
			k->invalidate(ki.priv);
		rc = py_run(pc, &bi, &w);
		if (rc == 0 && k->verify(ki.priv, &total) != 0)
			rc = -EDOM;
		if (i >= 0)
			t[i] = backend_instance_elapsed(&bi, pb_mono_s() - t0);
	}
	if (rc && rc != -EDOM)
		snprintf(err, err_len, "%s", bi.err);
	backend_instance_stop(&bi);
	kernel_instance_fini(&ki);
	if (rc == 0)
		*median = stats_median(t, (size_t)runs);
	return rc;
}

static int calibrate_py_one(struct calib_entry *e, struct py_calib *pc, const struct kernel *k,
			    double target_s, unsigned multiple, uint64_t old, char *err,
			    size_t err_len)
{
	struct kernel_instance ki;
	struct kernel_params q = pc->o->kp;
	double t = 0, power;
	uint64_t size;
	int rc;

	q.size = 0;
	q.quick = 1;
	q.image = NULL;
	rc = kernel_instance_init(&ki, k, &q);
	if (rc)
		return rc;
	power = ki.shape.width ? 2 : 1; /* a picture's time goes with its side squared */
	size = ki.shape.width ? CALIB_PY_SIDE0 : ki.shape.size / 10000 ? ki.shape.size / 10000 : 1;
	kernel_instance_fini(&ki);
	for (;;) {
		rc = py_probe(pc, k, size, 1, &t, err, err_len);
		if (rc || t >= CALIB_PY_PROBE_S)
			break;
		double grow = t > 0 ? pow(1.5 * CALIB_PY_PROBE_S / t, 1 / power) : 4;

		size = (uint64_t)ceil((double)size * (grow < 1.5 ? 1.5 : grow > 8 ? 8 : grow));
	}
	if (!rc)
		rc = py_probe(pc, k, size, CALIB_PY_RUNS, &t, err, err_len);
	if (rc)
		return rc;
	double want = (double)size * pow(target_s / t, 1 / power);
	double off = old ? t * pow((double)old / (double)size, power) / target_s : 0;

	e->k = k;
	e->kept = calib_keeps(old, off, multiple);
	e->size = e->kept ? old : calib_round(want < 8 && power > 1 ? 8 : want < 1 ? 1 : want,
					      multiple);
	e->probe_s = t * pow((double)e->size / (double)size, power);
	return 0;
}

int calibrate_python(struct calibration *c, const struct backend *py,
		     const struct kernel *const *ks, size_t n, const struct sweep_opts *o,
		     double target_s, unsigned multiple, const char *keep_path, const char *key,
		     char *err, size_t err_len)
{
	struct py_calib pc;
	char why[256] = "";
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->target_s = target_s;
	c->python = 1;
	pc = (struct py_calib){ .py = py, .o = o,
				.wd = { .timeout_s = o->timeout_s, .stop = o->stop,
					.cancel = py_cancel, .hang = py_hang } };
	if (n && watchdog_start(&pc.wd) != 0) {
		snprintf(err, err_len, "cannot start the watchdog thread");
		return -EAGAIN;
	}
	for (size_t i = 0; i < n && c->n < CALIB_MAX; i++) {
		rc = calibrate_py_one(&c->e[c->n], &pc, ks[i], target_s, multiple,
				      calib_kept_size(keep_path, key, ks[i]->name), why, sizeof(why));
		if (rc) {
			snprintf(err, err_len, "calibrating '%s' in CPython: %s", ks[i]->name,
				 rc == -EDOM ? "the twin's result was wrong"
				 : rc == -EINTR && !why[0] ? "stopped by a signal"
				 : why[0] ? why : strerror(-rc));
			break;
		}
		c->n++;
	}
	if (n)
		watchdog_stop(&pc.wd);
	if (!rc && keep_path && c->n)
		calib_keep_sizes(keep_path, key, c);
	return rc;
}
