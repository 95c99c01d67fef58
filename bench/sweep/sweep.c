/*
 * sweep.c - kernel x backend x workers through Google Benchmark, verified every iteration.
 *
 * Timing: each iteration is one backend run, measured with CLOCK_MONOTONIC from just before
 * the job is handed to the workers until the last worker has finished (barrier to barrier,
 * so the slowest worker counts); that time is given to Google Benchmark as manual time.
 * The result is verified right after, outside the timed interval.  Backend start-up and one
 * untimed warm-up run happen on the first call of a configuration's body (case.c).  This
 * file plans the rows; rounds.c runs the repetitions, the watchdog (bench/lib/watchdog.c)
 * watches each run, evaluate.c makes speedups of the rows and joins rows measured
 * elsewhere (the MPI launches).
 */
#include "sweep_int.h"

#include "clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t sweep_weak_size(uint64_t base, int picture, unsigned workers)
{
	if (picture)
		return (uint64_t)llround((double)base * sqrt((double)workers));
	return base * workers;
}

static int has_backend(const struct sweep_opts *o, const struct backend *b)
{
	for (size_t i = 0; i < o->n_backends; i++)
		if (o->backends[i] == b)
			return 1;
	return 0;
}

static int is_python(const struct backend *b)
{
	return (b->caps & BACKEND_CAP_PYTHON) != 0;
}

/* A sweep under construction: the backends, the kernels' instances (one per kernel and size
 * slot), one case per row. */
struct plan {
	const struct backend *backends[SWEEP_MAX_LIST + 3]; /* and serial, cpython, cpython-ft */
	size_t nb;
	size_t n_slots;               /* sizes per kernel */
	struct kernel_instance *kis;
	size_t n_kis;
	struct kernel_instance *py_kis; /* per kernel: the CPython rows' instance */
	int python;                   /* some backends are CPython's */
	struct bench_case *cases;
	struct bench_case *active;    /* the one configuration whose workers exist */
	struct watchdog wd;
	struct steady steady;         /* with o->machine: the steadiness probe */
};

/* The instance of kernel slot kk (kernel kk / n_slots at its slot's size). 0, or -errno with
 * err set (-ERANGE for a size the kernel or the machine cannot take). */
static int setup_instance(struct plan *p, const struct sweep_opts *o, size_t kk, char *err,
			  size_t err_len)
{
	const struct kernel *k = o->kernels[kk / p->n_slots];
	size_t slot = kk % p->n_slots;
	struct kernel_params kp = o->kp;
	int rc;

	if (o->weak && slot > 0)
		kp.size = sweep_weak_size(p->kis[kk - slot].shape.size,
					  p->kis[kk - slot].shape.width != 0,
					  o->workers[slot - 1]);
	else if (o->n_sizes)
		kp.size = o->sizes[slot];
	if (!o->n_sizes && o->kernel_sizes[kk / p->n_slots] && !(o->weak && slot > 0))
		kp.size = o->kernel_sizes[kk / p->n_slots];
	rc = kernel_instance_init(&p->kis[kk], k, &kp);
	if (rc == -ERANGE) {
		snprintf(err, err_len, "size %llu or task count out of range for kernel '%s' "
			 "(beyond what it computes exactly, or beyond this machine's memory)",
			 (unsigned long long)kp.size, k->name);
	} else if (rc == -ENOMEM) {
		snprintf(err, err_len, "kernel '%s' at size %llu needs more memory than this "
			 "process can have", k->name, (unsigned long long)kp.size);
		rc = -ERANGE; /* bad input, not a failure of the run */
	} else if (rc) {
		snprintf(err, err_len, "kernel '%s' set-up failed: %s", k->name, strerror(-rc));
	}
	return rc;
}

/* Row n: kernel instance ki on backend b with w workers, registered with Google Benchmark. */
static int add_case(struct sweep *sw, const struct sweep_opts *o, struct plan *p,
		    struct gbench *gb, size_t n, struct kernel_instance *ki,
		    const struct backend *b, unsigned w, char *err, size_t err_len)
{
	struct bench_case *c = &p->cases[n];
	struct sweep_row *r = &sw->rows[n];
	char name[256];

	*r = (struct sweep_row){ .k = ki->k, .b = b, .workers = w, .size = ki->shape.size,
				 .items = ki->shape.n, .pixels = ki->shape.pixels,
				 .elements = ki->shape.elements, .bytes = ki->shape.bytes,
				 .width = ki->shape.width, .height = ki->shape.height,
				 .streamed = ki->shape.streamed && !is_python(b) };
	snprintf(r->variant, sizeof(r->variant), "%s", /* the twins run no C kernel variant */
		 ki->shape.variant && !is_python(b) ? ki->shape.variant : "");
	if (pin_plan_make(o->topo, o->pin, w, &r->plan)) {
		snprintf(err, err_len, "bad pin policy '%s' for %u workers (none, compact, spread, "
			 "or PU list such as 0,2-3)", o->pin, w);
		return -EINVAL;
	}
	*c = (struct bench_case){ .sw = sw, .o = o, .row = r, .ki = ki, .active = &p->active,
				  .steady = &p->steady, .wd = &p->wd };
	c->cfg = (struct backend_config){
		.workers = w, .schedule = o->schedule, .chunk = o->chunk, .python = o->python,
		.switch_interval_us = o->switch_interval_us, .max_tasks = o->max_tasks,
		.retry = o->retry, .test_drop_copyback = o->drop_copyback, .topo = o->topo,
		.plan = &r->plan, .no_scatter = o->no_scatter, .py_start = o->py_start,
	};
	c->cfg.n_prefault = kwork_output(ki, &c->out);
	c->cfg.prefault = &c->out;
	kwork_init(&c->w, ki, &c->total);
	c->cfg.job = &c->w;
	c->cfg.start_timeout_s = o->timeout_s;
	c->cfg.stop = o->stop;
	case_hooks(c);
	snprintf(name, sizeof(name), "%s/%s/%u/%llu", ki->k->name, b->name, w,
		 (unsigned long long)r->size);
	return gbench_add(gb, name, case_body, c, o->min_time_s, err, err_len);
}

/* The CPython rows' instance of kernel i: its own size, the synthetic picture. */
static int setup_py_instance(struct plan *p, const struct sweep_opts *o, size_t i, char *err,
			     size_t err_len)
{
	struct kernel_params kp = o->kp;
	int rc;

	if (!o->py_sizes[i]) {
		snprintf(err, err_len, "no CPython size for kernel '%s'", o->kernels[i]->name);
		return -EINVAL;
	}
	kp.size = o->py_sizes[i];
	kp.image = NULL;
	rc = kernel_instance_init(&p->py_kis[i], o->kernels[i], &kp);
	if (rc)
		snprintf(err, err_len, "CPython size %llu out of range for kernel '%s'",
			 (unsigned long long)kp.size, o->kernels[i]->name);
	return rc ? -ERANGE : 0;
}

/* The rows of instance ki on the backends of one family (CPython's or not). */
static int add_family(struct sweep *sw, const struct sweep_opts *o, struct plan *p,
		      struct gbench *gb, size_t *n, struct kernel_instance *ki, size_t slot,
		      int python, char *err, size_t err_len)
{
	for (size_t bi = 0; bi < p->nb; bi++) {
		const struct backend *b = p->backends[bi];
		int parallel = (b->caps & BACKEND_CAP_PARALLEL) != 0;

		if (is_python(b) != python)
			continue;
		/* weak: serial at the base size only; parallel rows at their own size */
		if (o->weak && (!parallel ? slot != 0 : slot == 0))
			continue;
		for (size_t wi = 0; wi < (parallel ? o->n_workers : 1); wi++) {
			unsigned w = parallel ? o->workers[wi] : 1;

			if (o->weak && parallel && w != o->workers[slot - 1])
				continue;
			int rc = add_case(sw, o, p, gb, *n, ki, b, w, err, err_len);

			if (rc)
				return rc;
			sw->n_rows = ++*n;
		}
	}
	return 0;
}

/* Every row of the sweep: kernel x size slot x backend x workers, then the kernel's
 * CPython rows. */
static int add_cases(struct sweep *sw, const struct sweep_opts *o, struct plan *p,
		     struct gbench *gb, char *err, size_t err_len)
{
	size_t n = 0;

	for (size_t kk = 0; kk < p->n_kis; kk++) {
		size_t slot = kk % p->n_slots, k = kk / p->n_slots;
		int rc = setup_instance(p, o, kk, err, err_len);

		if (!rc)
			rc = add_family(sw, o, p, gb, &n, &p->kis[kk], slot, 0, err, err_len);
		if (!rc && p->python && slot == p->n_slots - 1 && !o->py_skip[k]) {
			rc = setup_py_instance(p, o, k, err, err_len);
			if (!rc)
				rc = add_family(sw, o, p, gb, &n, &p->py_kis[k], 0, 1, err, err_len);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* The plan's memory: instances, rows, cases. */
static int plan_alloc(struct sweep *sw, const struct sweep_opts *o, struct plan *p)
{
	if (!o->no_baseline && !has_backend(o, backend_baseline()))
		p->backends[p->nb++] = backend_baseline(); /* the baseline of the C rows' speedups */
	for (size_t i = 0; i < o->n_backends; i++) { /* the CPython rows': cpython, cpython-ft */
		const struct backend *base = backend_baseline_of(o->backends[i]);
		int seen = has_backend(o, base);

		for (size_t j = 0; j < p->nb; j++)
			seen |= p->backends[j] == base;
		p->python |= is_python(o->backends[i]);
		if (is_python(o->backends[i]) && base && !seen)
			p->backends[p->nb++] = base;
	}
	for (size_t i = 0; i < o->n_backends; i++)
		p->backends[p->nb++] = o->backends[i];
	/* Size slots per kernel: one (the default or --size), the --sizes list, or for weak
	 * scaling one per worker count (the base size, and the base scaled by the workers). */
	p->n_slots = o->weak ? o->n_workers + 1 : o->n_sizes ? o->n_sizes : 1;
	sw->weak = o->weak;
	sw->n_sizes = p->n_slots;
	p->n_kis = o->n_kernels * p->n_slots;

	size_t cap = (p->n_kis + o->n_kernels) * p->nb * (o->n_workers ? o->n_workers : 1);

	p->kis = calloc(p->n_kis ? p->n_kis : 1, sizeof(*p->kis));
	p->py_kis = calloc(o->n_kernels ? o->n_kernels : 1, sizeof(*p->py_kis));
	sw->rows = calloc(cap ? cap : 1, sizeof(*sw->rows));
	p->cases = calloc(cap ? cap : 1, sizeof(*p->cases));
	return p->kis && p->py_kis && sw->rows && p->cases ? 0 : -ENOMEM;
}

/* The totals of the rows, once every round is over. */
static void count_rows(struct sweep *sw, const struct sweep_opts *o, struct gbench *gb)
{
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct gbench_result *g = gbench_get_result(gb, i);

		if (g && !sw->rows[i].ran)
			row_take_result(&sw->rows[i], g);
		sw->failures += (unsigned)sw->rows[i].failed;
		sw->interrupted += (unsigned)(sw->rows[i].interrupted && !sw->rows[i].partial);
		sw->partial += (unsigned)sw->rows[i].partial;
	}
	if (!o->repetitions) {
		sw->precision = o->precision;
		sw->budget_s = o->budget_s;
	}
	sweep_evaluate(sw);
}

int sweep_run(struct sweep *sw, const struct sweep_opts *o, int gb_argc, const char *const *gb_argv,
	      int display, sweep_progress_fn *progress, void *progress_arg, char *err,
	      size_t err_len)
{
	static struct plan p;
	struct gbench *gb = NULL;
	double t_start = pb_mono_s();
	int wd_started = 0, rc;

	memset(sw, 0, sizeof(*sw));
	memset(&p, 0, sizeof(p));
	case_watchdog(&p.wd, o);
	sw->cores = o->topo ? pin_topo_cores(o->topo) : 1;
	rc = plan_alloc(sw, o, &p);
	if (rc) {
		snprintf(err, err_len, "out of memory");
		goto out;
	}
	rc = gbench_create(&gb, gb_argc, gb_argv, err, err_len);
	if (!rc)
		rc = add_cases(sw, o, &p, gb, err, err_len);
	if (!rc && watchdog_start(&p.wd) != 0) {
		snprintf(err, err_len, "cannot start the watchdog thread");
		rc = -EAGAIN;
	}
	if (rc)
		goto out;
	wd_started = 1;
	if (o->machine && !o->deterministic)
		steady_begin(&p.steady, &o->kp, o->topo, sw); /* without it the sweep runs alike */

	struct progress_ctx pc = { .sw = sw, .t0 = t_start, .fn = progress, .arg = progress_arg };

	rc = run_rounds(sw, o, gb, display, &pc, err, err_len);
	if (p.active)
		case_stop(p.active);
	if (!rc) {
		count_rows(sw, o, gb);
		sw->seconds = pb_mono_s() - t_start;
	}
out:
	if (wd_started)
		watchdog_stop(&p.wd);
	if (p.active)
		case_stop(p.active);
	if (gb)
		gbench_destroy(gb);
	if (o->machine)
		steady_end(&p.steady, o->machine, o->steady_times);
	for (size_t i = 0; p.kis && i < p.n_kis; i++)
		if (p.kis[i].k)
			kernel_instance_fini(&p.kis[i]);
	free(p.kis);
	for (size_t i = 0; p.py_kis && i < o->n_kernels; i++)
		if (p.py_kis[i].k)
			kernel_instance_fini(&p.py_kis[i]);
	free(p.py_kis);
	free(p.cases);
	return rc;
}

void sweep_free(struct sweep *sw)
{
	for (size_t i = 0; i < sw->n_rows; i++)
		free(sw->rows[i].samples);
	free(sw->rows);
	memset(sw, 0, sizeof(*sw));
}
