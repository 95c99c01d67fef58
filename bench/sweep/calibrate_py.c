/*
 * calibrate_py.c - the CPython rows' sizes from the time budget: the kernels' Python twins,
 * run by the CPython serial backend (the interpreter really started, every run verified),
 * at growing sizes until one run takes CALIB_PY_PROBE_S, then the median of CALIB_PY_RUNS
 * runs sets the size for the target.  Run time is linear in the size, except for the
 * pictures, whose side is the size: there it is linear in the side squared.
 */
#include "calibrate.h"
#include "clock.h"
#include "kwork.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CALIB_PY_PROBE_S 0.01
#define CALIB_PY_RUNS    3
#define CALIB_PY_SIDE0   16  /* the first picture's side */

/* The median of runs verified runs of k's twin at size, after one untimed run. */
static int py_probe(const struct backend *py, const struct kernel *k,
		    const struct kernel_params *kp, const char *python, uint64_t size, int runs,
		    double *median, char *err, size_t err_len)
{
	struct kernel_params p = *kp;
	struct kernel_instance ki;
	struct backend_instance bi;
	struct partial total;
	struct work w;
	double t[8];
	int rc;

	p.size = size;
	p.image = NULL;
	rc = kernel_instance_init(&ki, k, &p);
	if (rc)
		return rc;
	kwork_init(&w, &ki, &total);
	struct backend_config cfg = { .workers = 1, .job = &w, .python = python };

	rc = backend_instance_start(&bi, py, &cfg);
	for (int i = -1; i < runs && rc == 0; i++) {
		double t0 = pb_mono_s();

		if (k->invalidate)
			k->invalidate(ki.priv);
		rc = backend_instance_run(&bi, &w);
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

static int calibrate_py_one(struct calib_entry *e, const struct backend *py,
			    const struct kernel *k, const struct kernel_params *kp,
			    const char *python, double target_s, unsigned multiple, uint64_t old,
			    char *err, size_t err_len)
{
	struct kernel_instance ki;
	struct kernel_params q = *kp;
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
		rc = py_probe(py, k, kp, python, size, 1, &t, err, err_len);
		if (rc || t >= CALIB_PY_PROBE_S)
			break;
		double grow = t > 0 ? pow(1.5 * CALIB_PY_PROBE_S / t, 1 / power) : 4;

		size = (uint64_t)ceil((double)size * (grow < 1.5 ? 1.5 : grow > 8 ? 8 : grow));
	}
	if (!rc)
		rc = py_probe(py, k, kp, python, size, CALIB_PY_RUNS, &t, err, err_len);
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
		     const struct kernel *const *ks, size_t n, const struct kernel_params *kp,
		     const char *python, double target_s, unsigned multiple, const char *keep_path,
		     const char *key, char *err, size_t err_len)
{
	char why[256] = "";

	memset(c, 0, sizeof(*c));
	c->target_s = target_s;
	c->python = 1;
	for (size_t i = 0; i < n && c->n < CALIB_MAX; i++) {
		int rc = calibrate_py_one(&c->e[c->n], py, ks[i], kp, python, target_s, multiple,
					  calib_kept_size(keep_path, key, ks[i]->name), why,
					  sizeof(why));

		if (rc) {
			snprintf(err, err_len, "calibrating '%s' in CPython: %s", ks[i]->name,
				 rc == -EDOM ? "the twin's result was wrong"
				 : why[0] ? why : strerror(-rc));
			return rc;
		}
		c->n++;
	}
	if (keep_path && c->n)
		calib_keep_sizes(keep_path, key, c);
	return 0;
}
