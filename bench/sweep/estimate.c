/*
 * estimate.c - estimate.h: the rows of a run counted as sweep.c builds them (a baseline per
 * family, every parallel backend at every worker count, the size slots), each costed as the
 * first round runs it (case.c, rounds.c): its backend started once per repetition when
 * interleaved, one untimed warm-up (again after every restart where case_rewarms() says so),
 * and the repetitions, each at least the minimum time.  It is a lower bound on the machine's
 * speed and says nothing about noise: the adaptive rounds after the first spend the budget.
 */
#include "estimate.h"

#include "calibrate.h"
#include "sweep_int.h"

#include <string.h>

static int is_python(const struct backend *b)
{
	return (b->caps & BACKEND_CAP_PYTHON) != 0;
}

double estimate_run_s(const struct kernel *k, const struct backend *b, unsigned w,
		      unsigned cores, double serial_s)
{
	if (!(b->caps & BACKEND_CAP_PARALLEL) || w <= 1)
		return serial_s;
	if (k->py_model == PY_BLOCKING) /* sleeping items: no core needed, the GIL released */
		return serial_s / w;
	if (b->caps & BACKEND_CAP_GIL_BOUND)
		return serial_s;
	return serial_s / (w < cores || cores == 0 ? w : cores);
}

double estimate_start_s(const struct backend *b, unsigned w, const char *py_start)
{
	if (is_python(b)) {
		double per = !(b->caps & BACKEND_CAP_PROCESSES) ? 0
			     : py_start && strcmp(py_start, "fork") != 0 ? EST_PY_SPAWN_S
									 : EST_PY_FORK_S;

		return EST_PY_START_S + (b->caps & BACKEND_CAP_PARALLEL ? w * per : 0);
	}
	if (b->caps & BACKEND_CAP_NEEDS_LAUNCHER)
		return 0; /* the ranks exist before the run: the launch pays (EST_MPIRUN_S) */
	if (b->caps & BACKEND_CAP_PROCESSES)
		return w * EST_FORK_S;
	if (b->caps & BACKEND_CAP_THREADS)
		return w * EST_THREAD_S;
	return 0;
}

/* A serial run of kernel i's C rows at size slot (the sizes given are taken to keep to the
 * target too: their time is not known before they run; a picture's is, by its pixels), or
 * of its CPython rows. */
static double serial_s(const struct est_input *in, size_t i, int python, size_t slot)
{
	const struct sweep_opts *o = in->o;
	const struct kernel *k = o->kernels[i];
	double px = in->image_pixels ? (double)in->image_pixels
		    : o->kp.quick ? 1024.0 * 1024.0 : EST_PICTURE_PIXELS;

	if (python)
		return CALIB_PY_TARGET_S / (o->kp.quick ? CALIB_PY_QUICK_DIV : 1);
	if (k->timed_size)
		return CALIB_TARGET_S / (o->kp.quick ? CALIB_QUICK_DIV : 1);
	if (o->n_sizes) /* a picture's side */
		px = (double)o->sizes[slot] * (double)o->sizes[slot];
	else if (o->kernel_sizes[i])
		px = (double)o->kernel_sizes[i] * (double)o->kernel_sizes[i];
	return EST_PICTURE_S * px / EST_PICTURE_PIXELS;
}

/* The first round of one configuration. */
static double config_s(const struct est_input *in, const struct kernel *k,
		       const struct backend *b, unsigned w, double serial, int interleave)
{
	struct sweep_row row = { .k = k, .b = b, .workers = w };
	unsigned reps = in->repetitions ? in->repetitions : SWEEP_MIN_REPS;
	unsigned starts = interleave ? reps : 1;
	double t = estimate_run_s(k, b, w, in->cores, serial);
	double rep = t > in->min_time_s ? t : in->min_time_s; /* shorter runs are batched */
	unsigned warm = 1 + (case_rewarms(&row) ? starts - 1 : 0);

	return starts * estimate_start_s(b, w, in->o->py_start) + warm * t + reps * rep;
}

static void add_by(struct estimate *e, const struct backend *b, double s)
{
	size_t i = 0;

	while (i < e->n_by && e->by[i].b != b)
		i++;
	if (i == sizeof(e->by) / sizeof(e->by[0]))
		return;
	e->by[i].b = b;
	e->by[i].s += s;
	e->n_by += i == e->n_by;
}

/* The rows of kernel i on backend b (at worker count only_w, or 0: every one) at each of
 * its size slots, as sweep.c makes them: their first round, counted into e. */
static double backend_rows(const struct est_input *in, size_t i, const struct backend *b,
			   unsigned only_w, int interleave, struct estimate *e)
{
	const struct sweep_opts *o = in->o;
	int parallel = (b->caps & BACKEND_CAP_PARALLEL) != 0, py = is_python(b);
	size_t slots = py ? 1 : o->weak ? o->n_workers + 1 : o->n_sizes ? o->n_sizes : 1;
	unsigned reps = in->repetitions ? in->repetitions : SWEEP_MIN_REPS;
	double sum = 0;

	for (size_t s = 0; s < slots; s++) {
		/* weak: serial at the base size only, each parallel count at its own */
		if (o->weak && !py && (!parallel ? s != 0 : s == 0))
			continue;
		for (size_t wi = 0; wi < (parallel ? o->n_workers : 1); wi++) {
			unsigned w = parallel ? o->workers[wi] : 1;
			double serial = serial_s(in, i, py, o->n_sizes ? s : 0);

			if ((only_w && w != only_w) ||
			    (o->weak && !py && parallel && w != o->workers[s - 1]))
				continue;
			if (o->weak && !py && parallel)
				serial *= w; /* the work grows with the workers */
			sum += config_s(in, o->kernels[i], b, w, serial, interleave);
			e->rows++;
			e->starts += interleave ? reps : 1;
		}
	}
	add_by(e, b, sum);
	return sum;
}

/* The backends of the sweep parbench runs itself, baselines added as sweep.c adds them. */
static size_t own_backends(const struct sweep_opts *o, const struct backend **out)
{
	const struct backend *py_base = NULL;
	size_t n = 0;
	int has_serial = 0, has_py_base = 0;

	for (size_t i = 0; i < o->n_backends; i++) {
		if (is_python(o->backends[i]))
			py_base = backend_baseline_of(o->backends[i]);
		has_serial |= o->backends[i] == backend_baseline();
	}
	for (size_t i = 0; py_base && i < o->n_backends; i++)
		has_py_base |= o->backends[i] == py_base;
	if (!o->no_baseline && !has_serial)
		out[n++] = backend_baseline();
	if (py_base && !has_py_base)
		out[n++] = py_base;
	for (size_t i = 0; i < o->n_backends; i++)
		out[n++] = o->backends[i];
	return n;
}

void estimate_run(const struct est_input *in, struct estimate *e)
{
	const struct sweep_opts *o = in->o;
	const struct backend *bs[SWEEP_MAX_LIST + 2];
	size_t nb = own_backends(o, bs);
	int python = 0;

	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < o->n_kernels; i++)
		for (size_t b = 0; b < nb; b++) {
			python |= is_python(bs[b]);
			if (!(is_python(bs[b]) && o->py_skip[i]))
				e->first_s += backend_rows(in, i, bs[b], 0, in->interleave, e);
		}
	for (size_t l = 0; l < in->n_launches; l++) {
		const struct est_launch *la = &in->launches[l];
		size_t rows = e->rows, starts = e->starts;

		e->mpi_start_s += EST_MPIRUN_S + la->ranks * EST_RANK_S;
		for (size_t i = 0; i < o->n_kernels; i++) /* ranks: no interleaving */
			e->first_s += backend_rows(in, i, la->b, la->workers, 0, e);
		e->mpi_rows += e->rows - rows;
		e->starts = starts; /* the ranks' starts are the launch's */
		e->launches++;
	}
	e->first_s += e->mpi_start_s;
	for (size_t i = 0; i < o->n_kernels; i++) {
		if (in->calibrate && o->kernels[i]->timed_size && !o->kernel_sizes[i])
			e->calibrate_s += EST_CALIB_S;
		if (python && !o->py_skip[i] && !o->py_sizes[i])
			e->calibrate_s += EST_PY_CALIB_S;
	}
	e->roof_s = EST_ROOF_S * (double)o->n_workers;
	e->whole_s = e->calibrate_s + e->roof_s +
		     (in->repetitions || e->first_s > in->budget_s ? e->first_s : in->budget_s);
}
