/*
 * filter.c - parbench filter: one filter applied to real pictures (PNG, JPEG) by any
 * backend, timed, verified bit for bit against the plain reference, and saved.
 */
#include "cmd.h"

#include "backend.h"
#include "filter.h"
#include "kernel.h"
#include "outfile.h"
#include "pick.h"
#include "pin.h"
#include "sweep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_KERNEL, O_INPUT, O_OUTPUT, O_OUTDIR, O_BACKEND, O_WORKERS, O_SCHEDULE, O_PIN,
       O_REPETITIONS, O_TIMEOUT };

static const struct opt opts[] = {
	{ O_KERNEL, "kernel", "NAME", "grayscale, sepia, box_blur or sharpen", 0 },
	{ O_INPUT, "input", "FILE...", "one picture (its rows are the tasks) or several (each file\n"
				       "is one task)", OPT_MANY },
	{ O_OUTPUT, "output", "FILE", "the result of one input (.png, .jpg or .jpeg)", 0 },
	{ O_OUTDIR, "outdir", "DIR", "the results of several inputs, under their names", 0 },
	{ O_BACKEND, "backend", "B", "any backend of `parbench list` (default pthreads)", 0 },
	{ O_WORKERS, "workers", "N", "workers (default: the cores)", 0 },
	{ O_SCHEDULE, "schedule", "S", "static or dynamic (thread backends)", 0 },
	{ O_PIN, "pin", "P", "as for run (default compact)", 0 },
	{ O_REPETITIONS, "repetitions", "N", "timed runs after one warm-up (default 5)", 0 },
	{ O_TIMEOUT, "timeout", "S", "seconds one run may take before it is stopped (default 300)", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "filter",
	.synopsis = "--kernel NAME --input IN --output OUT [options]\n"
		    "       parbench filter --kernel NAME --input IN1 IN2 ... --outdir DIR [options]",
	.about = "Applies one filter to real pictures with any backend, times it, verifies every\n"
		 "run bit for bit against the plain reference, and saves the result; outputs take\n"
		 "the format of their extension: .png, .jpg or .jpeg.",
	.opts = opts,
};

/* The command's state (struct command.state_size).  A run of threads that hangs past
 * --timeout ends the process in filter_hang() while filter_exec still holds the state, so the
 * hung threads' job (j) stays valid to the end; the watchdog is handed exec's own copy of fo,
 * and nothing reaches the state after exec returns. */
struct filter_cmd {
	const char *kname, *out, *outdir, *bname, *pin;
	const char *inputs[FILTER_MAX_FILES];
	size_t n_in;
	unsigned workers;
	int runs;
	enum backend_schedule sched;
	struct filter_opts fo;
	const struct kernel *k;
	/* set while running */
	struct pin_plan plan;
	struct filter_job j;
	struct pick pk;
};

static void on_opt(void *ctx, const struct opt *o, const char *v)
{
	struct filter_cmd *fl = ctx;

	switch (o->id) {
	case O_KERNEL: fl->kname = v; break;
	case O_INPUT:
		if (fl->n_in == FILTER_MAX_FILES)
			usage_error("too many input files (at most %d)", FILTER_MAX_FILES);
		fl->inputs[fl->n_in++] = v;
		break;
	case O_OUTPUT: fl->out = v; break;
	case O_OUTDIR: fl->outdir = v; break;
	case O_BACKEND: fl->bname = v; break;
	case O_WORKERS:
		fl->workers = (unsigned)opt_u64("--workers", v, 1, BACKEND_MAX_WORKERS);
		break;
	case O_SCHEDULE: fl->sched = parse_schedule(v); break;
	case O_PIN: check_pin_list("--pin", fl->pin = v); break;
	case O_REPETITIONS: fl->runs = (int)opt_u64("--repetitions", v, 1, 1000); break;
	case O_TIMEOUT: fl->fo.timeout_s = opt_seconds("--timeout", v); break;
	}
}

/* An input named twice, or two whose results would have one name under --outdir: usage
 * errors before anything is created. */
static void check_inputs(const struct filter_cmd *fl)
{
	for (size_t i = 0; i < fl->n_in; i++) {
		const char *a = fl->inputs[i], *sa = strrchr(a, '/');

		for (size_t j = 0; j < i; j++) {
			const char *b = fl->inputs[j], *sb = strrchr(b, '/');

			if (strcmp(a, b) == 0)
				opt_twice("--input", a);
			if (fl->outdir && strcmp(sa ? sa + 1 : a, sb ? sb + 1 : b) == 0)
				usage_error("'%s' and '%s' would both be written to %s/%s", b, a,
					    fl->outdir, sa ? sa + 1 : a);
		}
	}
}

static void filter_parse(void *state, int argc, char **argv)
{
	struct filter_cmd *fl = state;
	struct opt_result r;
	const char *kname, *out, *outdir, *bname;
	size_t n_in;
	char names[512];

	fl->bname = "pthreads";
	fl->pin = "compact";
	fl->runs = 5;
	fl->sched = SCHED_DEFAULT;
	opt_parse(&cli, argc, argv, 2, on_opt, fl, &r);
	kname = fl->kname;
	out = fl->out;
	outdir = fl->outdir;
	bname = fl->bname;
	n_in = fl->n_in;
	if (!kname)
		usage_error("filter needs --kernel (grayscale, sepia, box_blur or sharpen)");
	const struct kernel *k = kernel_find(kname);

	fl->k = k;

	if (!k || !k->span)
		usage_error("'%s' is not an image filter (known: grayscale, sepia, box_blur, "
			    "sharpen)", kname);
	if (n_in == 0)
		usage_error("filter needs --input FILE [FILE ...]");
	if (!out == !outdir)
		usage_error("filter needs exactly one of --output FILE (one input) or --outdir DIR");
	if (out && n_in > 1)
		usage_error("%zu inputs: use --outdir DIR, not --output", n_in);
	check_inputs(fl);
	fl->fo.b = backend_find(bname);
	if (!fl->fo.b) {
		backend_names(names, sizeof(names));
		usage_error("unknown backend '%s' (known: %s)", bname, names);
	}
	if (fl->fo.b->caps & BACKEND_CAP_NEEDS_LAUNCHER)
		usage_error("backend '%s' must be started by its launcher", bname);
}

static void print_filter_batch(const struct filter_job *j, unsigned workers)
{
	uint64_t first = UINT64_MAX, last = 0;
	double busy[BACKEND_MAX_WORKERS] = { 0 }, mpix[BACKEND_MAX_WORKERS] = { 0 }, total = 0;
	unsigned files[BACKEND_MAX_WORKERS] = { 0 };

	for (size_t i = 0; i < j->n; i++) {
		first = j->rec[i].t0_ns < first ? j->rec[i].t0_ns : first;
		last = j->rec[i].t1_ns > last ? j->rec[i].t1_ns : last;
	}
	printf("last run, file by file (times from the first file's start):\n");
	printf("  %-28s %11s %7s %10s %10s %10s\n", "file", "size", "worker", "start", "end",
	       "time");
	for (size_t i = 0; i < j->n; i++) {
		const struct filter_rec *r = &j->rec[i];
		const struct filter_file *f = &j->files[i];
		int w = j->worker_of[i];
		double ms = (double)(r->t1_ns - r->t0_ns) * 1e-6;
		char size[32];

		snprintf(size, sizeof(size), "%ux%u", f->img.w, f->img.h);
		printf("  %-28.28s %11s %7d %7.2f ms %7.2f ms %7.2f ms\n", f->in_path, size, w,
		       (double)(r->t0_ns - first) * 1e-6, (double)(r->t1_ns - first) * 1e-6, ms);
		if (w >= 0 && w < BACKEND_MAX_WORKERS) {
			busy[w] += ms;
			files[w]++;
			mpix[w] += (double)f->img.w * f->img.h * 1e-6;
		}
		total += ms;
	}
	printf("per worker:");
	for (unsigned w = 0; w < j->workers_seen; w++)
		printf("%s worker %u: %u file%s, %.1f MPix, busy %.2f ms", w ? ";" : "", w, files[w],
		       files[w] == 1 ? "" : "s", mpix[w], busy[w]);
	printf("\n");
	double span = (double)(last - first) * 1e-6, ideal = total / (workers ? workers : 1);

	printf("span %.2f ms; perfect balance over %u worker%s would take %.2f ms: %.2fx of "
	       "ideal\n", span, workers, workers == 1 ? "" : "s", ideal,
	       ideal > 0 ? span / ideal : 0);
}

/* A filter run of threads that hangs past --timeout: threads cannot be stopped, so the
 * process ends here (nothing was written yet). */
__attribute__((noreturn)) static void filter_hang(const char *why)
{
	diag_line("filter: %s; its threads cannot be stopped, so it ends here (no output "
		  "written)", why);
	_exit(EXIT_VERIFY);
}

/* What was measured: the picture(s), the median and rate, and each file of a batch. */
static void print_result(const struct filter_cmd *fl, const struct backend *b, unsigned workers,
			 unsigned cores)
{
	const struct filter_job *j = &fl->j;
	const struct kernel *k = fl->k;
	const char *pin = fl->pin;
	enum backend_schedule sched = fl->sched;
	int runs = fl->runs;
	const char *sched_text = sched == SCHED_STATIC ? ", schedule static"
				 : sched == SCHED_DYNAMIC ? ", schedule dynamic" : "";
	double mpix = (double)j->pixels * 1e-6;

	if (j->batch)
		printf("%s: %zu files, %.1f MPix in all, one file per task; variant %s\n", k->name,
		       j->n, mpix, kernel_variant_of(k->name));
	else
		printf("%s: %s, %ux%u (%.1f MPix); variant %s\n", k->name, fl->inputs[0],
		       j->files[0].img.w, j->files[0].img.h, mpix, kernel_variant_of(k->name));
	printf("backend %s, %u worker%s, pin %s%s: median %.2f ms (%.2f .. %.2f ms over %d runs "
	       "after a warm-up); %.0f MPix/s, %.2f GB/s read+written\n", b->name, workers,
	       workers == 1 ? "" : "s", pin,
	       sched_text,
	       j->median * 1e3, j->min * 1e3, j->max * 1e3, runs, mpix / j->median,
	       (double)j->bytes / j->median * 1e-9);
	if (workers > cores)
		printf("warning: %u workers on %u cores: fine for correctness, meaningless for "
		       "speed\n", workers, cores);
	if (j->batch)
		print_filter_batch(j, workers);
}

static int filter_exec(void *state)
{
	struct filter_cmd *fl = state;
	const struct kernel *k = fl->k;
	const char *out = fl->out, *outdir = fl->outdir, *pin = fl->pin;
	const char *const *inputs = fl->inputs;
	size_t n_in = fl->n_in;
	unsigned workers = fl->workers;
	int runs = fl->runs;
	enum backend_schedule sched = fl->sched;
	struct filter_opts fo = fl->fo;
	struct pin_plan *plan = &fl->plan;
	struct filter_job *j = &fl->j;
	struct pin_topo *topo = NULL;
	char err[600];
	int rc;

	topo = load_topology();
	if (!topo)
		return EXIT_VERIFY;
	if (!variant_forced && pick_run(&fl->pk, &k, 1, err, sizeof(err))) { /* as run does */
		diag_line("%s", err);
		pin_topo_free(topo);
		return EXIT_VERIFY;
	}
	if (!workers)
		workers = (fo.b->caps & BACKEND_CAP_PARALLEL) ? pin_topo_cores(topo) : 1;
	if (!(fo.b->caps & BACKEND_CAP_PARALLEL))
		workers = 1;
	if (pin_plan_make(topo, pin, workers, plan) != 0)
		bad_pin(topo, pin);

	rc = filter_load(j, k, inputs, n_in, out, outdir, err, sizeof(err));
	if (rc == 0 && outdir) { /* made once the inputs are known good */
		rc = outfile_mkdirs(outdir);
		if (rc == 0 && access(outdir, W_OK) != 0)
			rc = -errno;
		if (rc)
			snprintf(err, sizeof(err), "cannot write output directory '%s': %s", outdir,
				 strerror(-rc));
	}
	if (rc) {
		filter_free(j);
		pin_topo_free(topo);
		usage_error("%s", err);
	}
	fo.cfg = (struct backend_config){ .workers = workers, .schedule = sched,
					  .topo = strcmp(pin, "none") ? topo : NULL, .plan = plan };
	fo.runs = runs;
	if (!fo.timeout_s)
		fo.timeout_s = DEFAULT_TIMEOUT_S;
	fo.hang = filter_hang;
	fo.test_hang = sweep_hook_arg(getenv("PARBENCH_TEST_HANG"), k->name, fo.b->name) != NULL;
	rc = filter_execute(j, &fo, err, sizeof(err));
	if (rc) {
		diag_line("%s", err);
		filter_free(j);
		pin_topo_free(topo);
		return EXIT_VERIFY;
	}

	print_result(fl, fo.b, workers, pin_topo_cores(topo));
	printf("verified: every run's output is bit-identical to the plain reference\n");
	rc = filter_save(j, err, sizeof(err)); /* all written, then all renamed */
	if (rc) {
		diag_line("%s", err);
		filter_free(j);
		pin_topo_free(topo);
		return EXIT_VERIFY; /* checked before the run: the disk failed since */
	}
	if (j->batch)
		printf("wrote %zu file%s to %s\n", j->n, j->n == 1 ? "" : "s", outdir);
	else
		printf("wrote %s\n", out);
	filter_free(j);
	pin_topo_free(topo);
	return 0;
}

const struct command cmd_filter = {
	.cli = &cli,
	.summary = "filter real pictures with any backend",
	.parse = filter_parse,
	.exec = filter_exec,
	.state_size = sizeof(struct filter_cmd),
};
