/*
 * sweep.c - kernel x backend x workers through Google Benchmark, verified every iteration.
 *
 * Timing: each iteration is one backend run, measured with CLOCK_MONOTONIC from just before
 * the job is handed to the workers until the last worker has finished (barrier to barrier,
 * so the slowest worker counts); that time is given to Google Benchmark as manual time.
 * The result is verified right after, outside the timed interval.  Backend start-up and one
 * untimed warm-up run happen on the first call of a configuration's body.
 */
#include "sweep.h"
#include "gbench.h"
#include "kwork.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The watchdog: a thread that watches the run in progress.  A run past its deadline, or one
 * still going 2 s after a stop signal, is cancelled when its backend can be (process
 * backends kill their workers, the run fails and the sweep goes on); otherwise main's hang
 * callback saves what was measured and ends the program.
 */
#define WATCHDOG_GRACE_S 2.0

struct watchdog {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;
	struct bench_case *running;   /* under mu */
	double deadline;              /* of the run in progress */
	double stop_seen;             /* when a stop request was first seen during it */
	const struct sweep_opts *o;
};

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
	struct watchdog *wd;
	const char *cancelled;        /* why the watchdog cancelled the run, or NULL */
	unsigned long runs;           /* runs of this configuration so far, warm-ups included */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Test hook PARBENCH_TEST_CRASH=kernel/backend:KILL|SEGV: a worker process (not parbench
 * itself; under MPI not rank 0) dies by that signal in its first range. */
static pid_t sweep_pid;
static int crash_signal;
static work_range_fn *crash_orig;

static void crash_range(void *ctx, size_t begin, size_t end, void *partial)
{
	const char *rank = getenv("OMPI_COMM_WORLD_RANK");
	int worker = rank ? atoi(rank) > 0 : getpid() != sweep_pid;

	if (worker && begin < end)
		raise(crash_signal);
	crash_orig(ctx, begin, end, partial);
}

static void hang_range(void *ctx, size_t begin, size_t end, void *partial)
{
	(void)ctx;
	(void)begin;
	(void)end;
	(void)partial;
	for (;;)
		pause(); /* test hook: a run that never returns */
}

static void *watchdog_main(void *arg)
{
	struct watchdog *wd = arg;

	pthread_mutex_lock(&wd->mu);
	while (!wd->quit) {
		struct timespec ts;
		struct bench_case *c = wd->running;
		double t = now_s();
		const char *why = NULL;
		char reason[64];

		if (c && wd->o->timeout_s > 0 && t > wd->deadline) {
			snprintf(reason, sizeof(reason), "timed out after %g s", wd->o->timeout_s);
			why = "timed out";
		} else if (c && wd->o->stop && atomic_load(wd->o->stop)) {
			if (!wd->stop_seen)
				wd->stop_seen = t;
			else if (t - wd->stop_seen > WATCHDOG_GRACE_S) {
				snprintf(reason, sizeof(reason), "still running %g s after %s",
					 WATCHDOG_GRACE_S,
					 atomic_load(wd->o->stop) == SIGINT ? "SIGINT" : "SIGTERM");
				why = "stopped by a signal";
			}
		}
		if (why) {
			if (backend_instance_cancel(&c->bi) == 0) {
				/* the run fails; if it still has not returned a grace period later
				 * (a retry that hangs again), it is cancelled again */
				c->cancelled = why;
				wd->deadline = t + WATCHDOG_GRACE_S;
				wd->stop_seen = t;
			} else {
				wd->o->hang(c->row, reason, wd->o->hang_arg); /* does not return */
			}
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wd->cv, &wd->mu, &ts);
	}
	pthread_mutex_unlock(&wd->mu);
	return NULL;
}

/* Runs the case's backend once under the watchdog's eye. */
static int watched_run(struct bench_case *c)
{
	int err;

	pthread_mutex_lock(&c->wd->mu);
	c->cancelled = NULL; /* every run is watched afresh */
	c->wd->running = c;
	c->wd->deadline = now_s() + c->o->timeout_s;
	c->wd->stop_seen = 0;
	pthread_mutex_unlock(&c->wd->mu);
	err = backend_instance_run(&c->bi, &c->w);
	pthread_mutex_lock(&c->wd->mu);
	c->wd->running = NULL;
	pthread_mutex_unlock(&c->wd->mu);
	return err;
}

static void case_stop(struct bench_case *c)
{
	struct backend_stats *st;

	if (!c->started)
		return;
	st = calloc(1, sizeof(*st));
	if (st) {
		size_t used = 0;

		backend_instance_stats(&c->bi, st);
		c->row->bind_failures = st->bind_failures;
		c->row->respawns += st->respawns; /* over every start of the configuration */
		c->row->gil_switches = st->gil_switches;
		for (unsigned i = 0; i < st->n_cpu && used + 12 < sizeof(c->row->cpus); i++)
			used += (size_t)snprintf(c->row->cpus + used, sizeof(c->row->cpus) - used,
						 "%s%d", i ? "," : "", st->cpu[i]);
		if (st->placement[0])
			snprintf(c->row->cpus, sizeof(c->row->cpus), "%s", st->placement);
		free(st);
	}
	backend_instance_stop(&c->bi);
	c->started = 0;
	if (*c->active == c)
		*c->active = NULL;
}

static void case_fail(struct bench_case *c, struct gbench_state *st, const char *fmt, const char *a)
{
	snprintf(c->row->error, sizeof(c->row->error), fmt, a);
	c->row->failed = 1;
	c->dead = 1;
	gbench_skip_with_error(st, c->row->error);
	case_stop(c);
}

/* Runs the job once and verifies it; 0, or -1 after case_fail(). */
static int case_run_verified(struct bench_case *c, struct gbench_state *st, double *seconds)
{
	const struct kernel *k = c->ki->k;
	double t0, t1;
	int err;

	if (k->invalidate) /* the output of an earlier run proves nothing */
		k->invalidate(c->ki->priv);
	t0 = now_s();
	err = watched_run(c);
	t1 = now_s();
	/* a cancelled run fails, even if a retry inside the backend made it return 0: its
	 * time holds the whole timeout */
	pthread_mutex_lock(&c->wd->mu);
	const char *cancelled = c->cancelled;
	pthread_mutex_unlock(&c->wd->mu);

	if (cancelled) {
		char why[320];

		snprintf(why, sizeof(why), "%s after %.1f s; workers killed (%s)", cancelled,
			 t1 - t0, c->bi.err[0] ? c->bi.err : err ? strerror(-err) : "a retry finished it");
		case_fail(c, st, "%s", why);
		return -1;
	}
	if (err) {
		case_fail(c, st, "worker failure: %s", c->bi.err[0] ? c->bi.err : strerror(-err));
		return -1;
	}
	c->runs++;
	if (c->o->corrupt_kernel) { /* test hook: PARBENCH_TEST_CORRUPT=kernel[:N] */
		const char *colon = strchr(c->o->corrupt_kernel, ':');
		size_t len = colon ? (size_t)(colon - c->o->corrupt_kernel) : strlen(c->o->corrupt_kernel);
		unsigned long from = colon ? strtoul(colon + 1, NULL, 10) : 1;

		if (strlen(k->name) == len && strncmp(c->o->corrupt_kernel, k->name, len) == 0 &&
		    c->runs >= from)
			c->total.sum += 1;
	}
	/* collective backends: the leader verifies and every process follows its verdict */
	int ok = !backend_instance_leader(&c->bi) || k->verify(c->ki->priv, &c->total) == 0;

	if (!backend_instance_agree(&c->bi, ok)) {
		case_fail(c, st, "verification failed: %s", "result differs from the closed form");
		return -1;
	}
	*seconds = backend_instance_elapsed(&c->bi, t1 - t0);
	return 0;
}

/*
 * Google Benchmark requires every repetition of a benchmark to report the same iteration
 * count, errors included (1.7 aborts otherwise), and a skip before the first
 * gbench_keep_running() reports none: so every skip happens inside the loop.
 */
static void case_body(struct gbench_state *st, void *arg)
{
	struct bench_case *c = arg;
	double t = 0;
	int timed = 0;

	while (gbench_keep_running(st)) {
		if (c->o->stop && atomic_load(c->o->stop)) {
			c->row->interrupted = 1;
			gbench_skip_with_error(st, "interrupted");
			case_stop(c);
			break;
		}
		if (c->dead) {
			gbench_skip_with_error(st, c->row->error);
			break;
		}
		if (!c->started) {
			double t0;
			int err;

			if (*c->active)
				case_stop(*c->active);
			t0 = now_s();
			err = backend_instance_start(&c->bi, c->row->b, &c->cfg);
			c->row->startup_s = now_s() - t0;
			if (err) {
				case_fail(c, st, "backend start failed: %s", c->bi.err);
				break;
			}
			c->started = 1;
			*c->active = c;
			if (case_run_verified(c, st, &t) != 0) /* warm-up, untimed */
				break;
		}
		if (case_run_verified(c, st, &t) != 0)
			break;
		gbench_set_iteration_time(st, t);
		timed = 1;
	}
	if (timed && c->ki->shape.n && t > 0)
		gbench_set_counter(st, "items_per_second", (double)c->ki->shape.n / t);
}

/* Weak scaling: the work grows with the workers.  Linear sizes are multiplied; a picture's
 * side by sqrt(workers), so that its pixels are. */
static uint64_t weak_size(const struct kernel_shape *base, unsigned workers)
{
	if (base->width)
		return (uint64_t)llround((double)base->size * sqrt((double)workers));
	return base->size * workers;
}

static int has_baseline(const struct sweep_opts *o)
{
	for (size_t i = 0; i < o->n_backends; i++)
		if (o->backends[i]->caps & BACKEND_CAP_BASELINE)
			return 1;
	return 0;
}

/* Fills speedup and efficiency from the serial row of the same kernel (same run, same size). */
static double median_rel(const struct sweep_row *r);

void sweep_mark_wide(struct sweep *sw)
{
	sw->wide = 0;
	for (size_t i = 0; i < sw->n_rows; i++) {
		struct sweep_row *r = &sw->rows[i];

		r->median_rel = median_rel(r);
		r->wide = sw->precision > 0 && r->n_samples && !r->failed &&
			  r->median_rel > sw->precision;
		sw->wide += (unsigned)r->wide;
	}
}

void sweep_evaluate(struct sweep *sw)
{
	sweep_mark_wide(sw);
	for (size_t i = 0; i < sw->n_rows; i++) {
		struct sweep_row *r = &sw->rows[i];
		const struct sweep_row *base = NULL;

		r->speedup = r->efficiency = 0;
		r->speedup_lo = r->speedup_hi = r->karp_flatt = NAN;
		if (r->n_samples)
			stats_median_ci(r->samples, r->n_samples, &r->median_lo, &r->median_hi,
					&r->median_level);
		/* the baseline: serial, same kernel, same size (weak scaling: the base size) */
		for (size_t j = 0; j < sw->n_rows; j++)
			if (sw->rows[j].k == r->k && (sw->rows[j].b->caps & BACKEND_CAP_BASELINE) &&
			    (sw->weak || sw->rows[j].size == r->size))
				base = &sw->rows[j];
		if (!base || !base->n_samples || base->failed || !r->n_samples || r->failed ||
		    !(r->median > 0))
			continue;
		double scale = sw->weak ? (double)r->workers : 1;

		r->speedup = scale * base->median / r->median;
		r->efficiency = r->speedup / r->workers;
		if (base->samples && r->samples) {
			stats_ratio_ci(base->samples, base->n_samples, r->samples, r->n_samples,
				       SWEEP_BOOTSTRAP, &r->speedup_lo, &r->speedup_hi);
			r->speedup_lo *= scale;
			r->speedup_hi *= scale;
		}
		if (!sw->weak)
			r->karp_flatt = stats_karp_flatt(r->speedup, r->workers);
	}
}

static void row_take_result(struct sweep_row *r, const struct gbench_result *g)
{
	r->ran = 1;
	if (g->failed) {
		if (!r->error[0])
			snprintf(r->error, sizeof(r->error), "%s", g->error);
		if (!r->interrupted)
			r->failed = 1;
		/* repetitions completed before an interrupt are kept, labelled partial */
		if (!r->interrupted || r->failed || g->n_samples < 2 || isnan(g->median))
			return;
		r->partial = 1;
	}
	if (r->failed || g->n_samples == 0)
		return;
	double *s = realloc(r->samples, g->n_samples * sizeof(double)); /* every round's */

	if (!s)
		return;
	r->samples = s;
	memcpy(r->samples, g->samples, g->n_samples * sizeof(double));
	r->n_samples = g->n_samples;
	r->iterations = g->iterations;
	r->median = g->median;
	r->mean = g->mean;
	r->stddev = g->stddev;
	r->cv = g->cv;
	r->min = g->min;
	r->max = g->max;
}

struct progress_ctx {
	struct sweep *sw;
	size_t done, total;
	unsigned round;
	double t0, round_t0, round_cost; /* round_cost: the plan's estimate, or 0 */
	sweep_progress_fn *fn;
	void *arg;
};

static void on_done(const struct gbench_result *g, void *arg)
{
	struct progress_ctx *pc = arg;
	struct sweep_row *r = &pc->sw->rows[g->index];
	double t = now_s();
	struct sweep_progress p = { r, ++pc->done, pc->total, pc->round, t - pc->t0, -1 };

	row_take_result(r, g);
	if (pc->round_cost > 0) /* later rounds: what the plan left of this one */
		p.eta_s = pc->round_cost - (t - pc->round_t0) > 0 ? pc->round_cost - (t - pc->round_t0)
								   : 0;
	else if (p.done) /* the first: configurations alike */
		p.eta_s = (t - pc->round_t0) / (double)p.done * (double)(p.total - p.done);
	if (pc->fn)
		pc->fn(&p, pc->arg);
}

/* The larger side of the median's interval relative to the median; infinite when the
 * interval does not reach 95 % (fewer than 6 samples). */
static double median_rel(const struct sweep_row *r)
{
	double lo, hi, level;

	if (!r->n_samples || !(r->median > 0))
		return INFINITY;
	stats_median_ci(r->samples, r->n_samples, &lo, &hi, &level);
	if (level < 0.95)
		return INFINITY;
	return fmax(hi / r->median - 1, 1 - lo / r->median);
}

/* Seconds one more repetition of row r costs: an untimed warm-up after the restart that
 * interleaving brings, its iterations, and (unless deterministic) the backend's start. */
static double rep_cost(const struct sweep_row *r, int deterministic)
{
	return r->median * (double)(r->iterations + 1) + (deterministic ? 0 : r->startup_s);
}

struct want {
	size_t i;
	double rel, cost;
};

static int by_width(const void *a, const void *b)
{
	double x = ((const struct want *)a)->rel, y = ((const struct want *)b)->rel;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * The next round's plan: reps[i] more repetitions for each configuration still wider than
 * the precision (half as many again as it has, at least 3, up to SWEEP_MAX_REPS), widest
 * first while the budget lasts.  *cost gets the plan's estimate; 0 when nothing is left.
 */
static size_t plan_round(const struct sweep *sw, const struct sweep_opts *o, double spent,
			 unsigned *reps, struct want *w, double *cost)
{
	size_t nw = 0, planned = 0;

	*cost = 0;
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		double rel = median_rel(r);

		reps[i] = 0;
		if (!r->ran || r->failed || r->interrupted || !r->n_samples || rel <= o->precision ||
		    r->n_samples >= SWEEP_MAX_REPS)
			continue;
		unsigned add = (unsigned)r->n_samples / 2 < 3 ? 3 : (unsigned)r->n_samples / 2;

		if (r->n_samples + add > SWEEP_MAX_REPS)
			add = SWEEP_MAX_REPS - (unsigned)r->n_samples;
		reps[i] = add;
		w[nw++] = (struct want){ i, rel, add * rep_cost(r, o->deterministic) + r->median };
	}
	qsort(w, nw, sizeof(*w), by_width);
	for (size_t k = 0; k < nw; k++) {
		if (o->budget_s > 0 && spent + *cost + w[k].cost > o->budget_s) {
			reps[w[k].i] = 0;
			continue;
		}
		*cost += w[k].cost;
		planned++;
	}
	return planned;
}

/* Round after round of Google Benchmark until the plan is empty (one round when the count
 * is fixed, or on a stop request). */
static int run_rounds(struct sweep *sw, const struct sweep_opts *o, struct gbench *gb,
		      int display, struct progress_ctx *pc, char *err, size_t err_len)
{
	unsigned *reps = calloc(sw->n_rows, sizeof(*reps));
	struct want *w = calloc(sw->n_rows, sizeof(*w));
	double spent = 0;
	int rc = 0;

	if (!reps || !w) {
		snprintf(err, err_len, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < sw->n_rows; i++)
		reps[i] = SWEEP_MIN_REPS;
	pc->total = sw->n_rows;
	for (;;) {
		pc->round++;
		pc->done = 0;
		pc->round_t0 = now_s();
		rc = gbench_run_some(gb, o->repetitions ? NULL : reps, display, on_done, pc, err,
				     err_len);
		sw->rounds = pc->round;
		if (rc || o->repetitions || (o->stop && atomic_load(o->stop)))
			break;
		if (o->deterministic) { /* what the plan said, and the first round's samples */
			spent += pc->round_cost;
			if (pc->round == 1)
				for (size_t i = 0; i < sw->n_rows; i++)
					if (sw->rows[i].n_samples)
						spent += SWEEP_MIN_REPS *
							 rep_cost(&sw->rows[i], 1);
		} else {
			spent = now_s() - pc->t0;
		}
		pc->total = plan_round(sw, o, spent, reps, w, &pc->round_cost);
		if (pc->total == 0)
			break;
	}
out:
	free(reps);
	free(w);
	return rc;
}

int sweep_run(struct sweep *sw, const struct sweep_opts *o, int gb_argc, const char *const *gb_argv,
	      int display, sweep_progress_fn *progress, void *progress_arg, char *err,
	      size_t err_len)
{
	const struct backend *backends[SWEEP_MAX_LIST + 1];
	struct kernel_instance *kis = NULL;
	struct bench_case *cases = NULL, *active = NULL;
	struct gbench *gb = NULL;
	struct watchdog wd = { .o = o };
	int wd_started = 0;
	size_t nb = 0, n = 0, cap, n_kis = 0;
	double t_start = now_s();
	int rc;

	memset(sw, 0, sizeof(*sw));
	sweep_pid = getpid();
	sw->cores = o->topo ? pin_topo_cores(o->topo) : 1;
	if (!o->no_baseline && !has_baseline(o))
		backends[nb++] = backend_baseline(); /* the baseline of every speedup */
	for (size_t i = 0; i < o->n_backends; i++)
		backends[nb++] = o->backends[i];

	/* Size slots per kernel: one (the default or --size), the --sizes list, or for weak
	 * scaling one per worker count (the base size, and the base scaled by the workers). */
	size_t n_slots = o->weak ? o->n_workers + 1 : o->n_sizes ? o->n_sizes : 1;

	sw->weak = o->weak;
	sw->n_sizes = n_slots;
	cap = o->n_kernels * n_slots * nb * (o->n_workers ? o->n_workers : 1);
	kis = calloc(o->n_kernels * n_slots, sizeof(*kis));
	n_kis = o->n_kernels * n_slots;
	sw->rows = calloc(cap, sizeof(*sw->rows));
	cases = calloc(cap, sizeof(*cases));
	if (!kis || !sw->rows || !cases) {
		snprintf(err, err_len, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	rc = gbench_create(&gb, gb_argc, gb_argv, err, err_len);
	if (rc)
		goto out;

	for (size_t kk = 0; kk < o->n_kernels * n_slots; kk++) {
		const struct kernel *k = o->kernels[kk / n_slots];
		size_t slot = kk % n_slots, ki = kk;
		struct kernel_params kp = o->kp;
		unsigned slot_workers = 0; /* weak: the only worker count of this slot */

		if (o->weak && slot > 0) {
			const struct kernel_shape *base = &kis[kk - slot].shape;

			slot_workers = o->workers[slot - 1];
			kp.size = weak_size(base, slot_workers);
		} else if (o->n_sizes) {
			kp.size = o->sizes[slot];
		}
		if (!o->n_sizes && o->kernel_sizes[kk / n_slots] && !(o->weak && slot > 0))
			kp.size = o->kernel_sizes[kk / n_slots];
		rc = kernel_instance_init(&kis[ki], k, &kp);
		if (rc == -ERANGE) {
			snprintf(err, err_len, "size %llu or task count out of range for kernel '%s' "
				 "(beyond what it computes exactly, or beyond this machine's memory)",
				 (unsigned long long)kp.size, k->name);
			goto out;
		} else if (rc == -ENOMEM) {
			snprintf(err, err_len, "kernel '%s' at size %llu needs more memory than this "
				 "process can have", k->name, (unsigned long long)kp.size);
			rc = -ERANGE; /* bad input, not a failure of the run */
			goto out;
		} else if (rc) {
			snprintf(err, err_len, "kernel '%s' set-up failed: %s", k->name, strerror(-rc));
			goto out;
		}
		for (size_t bi = 0; bi < nb; bi++) {
			const struct backend *b = backends[bi];
			size_t nw = (b->caps & BACKEND_CAP_PARALLEL) ? o->n_workers : 1;
			int is_serial = !(b->caps & BACKEND_CAP_PARALLEL);

			/* weak: serial at the base size only; parallel rows at their own size */
			if (o->weak && (is_serial ? slot != 0 : slot == 0))
				continue;
			for (size_t wi = 0; wi < nw; wi++) {
				struct bench_case *c = &cases[n];
				struct sweep_row *r = &sw->rows[n];
				unsigned workers = (b->caps & BACKEND_CAP_PARALLEL) ? o->workers[wi] : 1;
				char name[256];

				if (o->weak && !is_serial && workers != slot_workers)
					continue;

				r->k = k;
				r->b = b;
				r->workers = workers;
				r->size = kis[ki].shape.size;
				r->items = kis[ki].shape.n;
				r->pixels = kis[ki].shape.pixels;
				r->elements = kis[ki].shape.elements;
				snprintf(r->variant, sizeof(r->variant), "%s",
					 kis[ki].shape.variant ? kis[ki].shape.variant : "");
				r->bytes = kis[ki].shape.bytes;
				r->width = kis[ki].shape.width;
				r->height = kis[ki].shape.height;
				rc = pin_plan_make(o->topo, o->pin, workers, &r->plan);
				if (rc) {
					snprintf(err, err_len, "bad pin policy '%s' for %u workers "
						 "(none, compact, spread, or PU list such as 0,2-3)",
						 o->pin, workers);
					goto out;
				}
				c->sw = sw;
				c->o = o;
				c->row = r;
				c->ki = &kis[ki];
				c->active = &active;
				c->cfg = (struct backend_config){
					.workers = workers,
					.schedule = o->schedule,
					.chunk = o->chunk,
					.switch_interval_us = o->switch_interval_us,
					.max_tasks = o->max_tasks,
					.retry = o->retry,
					.test_drop_copyback = o->drop_copyback,
					.topo = o->topo,
					.plan = &r->plan,
					.no_scatter = o->no_scatter,
				};
				c->cfg.n_prefault = kwork_output(&kis[ki], &c->out);
				c->cfg.prefault = &c->out;
				kwork_init(&c->w, &kis[ki], &c->total);
				c->wd = &wd;
				if (o->crash_case) {
					char cc[160];
					const char *colon = strrchr(o->crash_case, ':');

					snprintf(cc, sizeof(cc), "%s/%s", k->name, b->name);
					if (colon && strlen(cc) == (size_t)(colon - o->crash_case) &&
					    strncmp(cc, o->crash_case, strlen(cc)) == 0) {
						crash_signal = strcmp(colon + 1, "SEGV") == 0 ? SIGSEGV : SIGKILL;
						crash_orig = c->w.range;
						c->w.range = crash_range;
						c->w.span = NULL; /* the pipe transport uses range too */
						c->w.range_io = NULL;
					}
				}
				if (o->hang_case) {
					char hc[160];

					snprintf(hc, sizeof(hc), "%s/%s", k->name, b->name);
					if (strcmp(hc, o->hang_case) == 0)
						c->w.range = hang_range;
				}
				snprintf(name, sizeof(name), "%s/%s/%u/%llu", k->name, b->name, workers,
					 (unsigned long long)r->size);
				rc = gbench_add(gb, name, case_body, c, o->min_time_s, err, err_len);
				if (rc)
					goto out;
				n++;
			}
		}
	}
	sw->n_rows = n;

	struct progress_ctx pc = { .sw = sw, .t0 = t_start, .fn = progress, .arg = progress_arg };

	pthread_mutex_init(&wd.mu, NULL);
	pthread_cond_init(&wd.cv, NULL);
	if (pthread_create(&wd.tid, NULL, watchdog_main, &wd) != 0) {
		snprintf(err, err_len, "cannot start the watchdog thread");
		rc = -EAGAIN;
		goto out;
	}
	wd_started = 1;

	rc = run_rounds(sw, o, gb, display, &pc, err, err_len);
	if (active)
		case_stop(active);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
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
	sw->seconds = now_s() - t_start;
	rc = 0;
out:
	if (wd_started) {
		pthread_mutex_lock(&wd.mu);
		wd.quit = 1;
		pthread_cond_signal(&wd.cv);
		pthread_mutex_unlock(&wd.mu);
		pthread_join(wd.tid, NULL);
	}
	if (active)
		case_stop(active);
	if (gb)
		gbench_destroy(gb);
	if (kis)
		for (size_t i = 0; i < n_kis; i++)
			if (kis[i].k)
				kernel_instance_fini(&kis[i]);
	free(kis);
	free(cases);
	return rc;
}

void sweep_free(struct sweep *sw)
{
	for (size_t i = 0; i < sw->n_rows; i++)
		free(sw->rows[i].samples);
	free(sw->rows);
	memset(sw, 0, sizeof(*sw));
}

static int same_group(const struct sweep *sw, const struct sweep_row *a, const struct sweep_row *b)
{
	return a->k == b->k && (sw->weak || a->size == b->size);
}

int sweep_merge(struct sweep *sw, struct sweep *more)
{
	size_t total = sw->n_rows + more->n_rows, n = 0;
	struct sweep_row *rows = calloc(total ? total : 1, sizeof(*rows));
	char *used = calloc(more->n_rows + 1, 1);

	if (!rows || !used) {
		free(rows);
		free(used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sw->n_rows;) {
		size_t j = i;

		while (j < sw->n_rows && same_group(sw, &sw->rows[j], &sw->rows[i]))
			rows[n++] = sw->rows[j++];
		for (size_t m = 0; m < more->n_rows; m++)
			if (!used[m] && same_group(sw, &more->rows[m], &sw->rows[i])) {
				rows[n++] = more->rows[m];
				used[m] = 1;
			}
		i = j;
	}
	for (size_t m = 0; m < more->n_rows; m++)
		if (!used[m])
			rows[n++] = more->rows[m];
	free(used);
	free(sw->rows);
	free(more->rows); /* the samples moved with the rows */
	more->rows = NULL;
	more->n_rows = 0;
	sw->rows = rows;
	sw->n_rows = n;
	sweep_evaluate(sw);
	return 0;
}
