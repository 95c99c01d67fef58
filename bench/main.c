/*
 * main.c - the parbench command line; the only place that prints diagnostics or exits.
 *
 * Exit status: 0 success; 1 a verification failure, a failed worker or an unwritable result;
 * 2 bad usage (one line on stderr); 130/143 interrupted by SIGINT/SIGTERM after saving what
 * was measured.  Parsing happens here and nowhere else.
 */
#include "backend.h"
#include "costs.h"
#include "filter.h"
#include "imgio.h"
#include "kernel.h"
#include "launch.h"
#ifdef PB_HAVE_MPI
#include "mpi_probe.h"
#endif
#include "outfile.h"
#include "pin.h"
#include "calibrate.h"
#include "report.h"
#include "roof.h"
#include "runload.h"
#include "stats.h"
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifdef PB_FUZZ
/* The option-parser fuzz target (fuzz/fuzz_args.c) calls parbench_main(): usage errors jump
 * back to it instead of exiting, and commands stop once their arguments are parsed. */
#include <setjmp.h>
jmp_buf *pb_fuzz_exit;
#define main parbench_main
int parbench_main(int argc, char **argv);
#define PARSE_ONLY_RETURN() return 0
#else
#define PARSE_ONLY_RETURN() ((void)0)
#endif

#define EXIT_VERIFY 1
#define EXIT_USAGE  2
#define DEFAULT_TIMEOUT_S   300
#define DEFAULT_BUDGET_S    180   /* adaptive repetitions: the whole sweep, default sizes */
#define QUICK_BUDGET_S      30    /* ... and with --quick */
#define DEFAULT_PRECISION   0.015 /* the median's 95 % interval within +-1.5 % */
#define DEFAULT_MIN_TIME_S  0.1   /* shorter runs are batched into samples this long */
#define QUICK_MIN_TIME_S    0.02

/* Lock-free, so safe to set in a handler and to read from the watchdog thread. */
static atomic_int stop_signal;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "stop_signal must be lock-free");

static void on_signal(int sig)
{
	atomic_store(&stop_signal, sig);
}

__attribute__((noreturn, format(printf, 1, 2))) static void usage_error(const char *fmt, ...)
{
	va_list ap;

#ifdef PB_FUZZ
	if (pb_fuzz_exit)
		longjmp(*pb_fuzz_exit, 1);
#endif
	if (launch_rank() > 0)
		exit(EXIT_USAGE); /* under mpirun, rank 0 says it */
	fputs("parbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static const char usage_text[] =
	"usage: parbench list\n"
	"       parbench run [options] [-- google-benchmark flags]\n"
	"       parbench costs [--workers N] [--quick] [--out DIR] [-- google-benchmark flags]\n"
	"       parbench topology [--workers N] [--pin P]\n"
	"       parbench filter --kernel NAME --input IN --output OUT [filter options]\n"
	"       parbench filter --kernel NAME --input IN1 IN2 ... --outdir DIR [filter options]\n"
	"       parbench report DIR            (re)write DIR's report.md and charts from its files\n"
	"       parbench compare BASE NEW [--threshold 5%] [--allow-other-machine]\n"
	"       parbench roofline [--workers LIST] [--pin P] [--isa V]   this machine's limits\n"
	"\n"
	"PARBENCH_ISA=V (or --isa V for run and roofline) runs the kernels' instruction-set\n"
	"variant V (avx512, avx2, sse2, generic; default: the best this CPU runs)\n"
	"\n"
	"run options:\n"
	"  --kernels LIST         comma-separated kernel names, or all (default)\n"
	"  --backends LIST        comma-separated backend names, or all (default); serial is\n"
	"                         always measured as the baseline\n"
	"  --workers LIST         worker counts (default 1, 2, 4, ... up to the cores, and the cores)\n"
	"  --size N               problem size in the kernel's unit (see list); 2e9 is accepted;\n"
	"                         or per kernel: --size sum_squares=2e9,range_sum=3e8 (default:\n"
	"                         calibrated at the start so that one serial run takes ~0.25 s,\n"
	"                         --quick ~20x less; pictures stay 4096x4096, --quick 1024x1024)\n"
	"  --sizes LIST           a size sweep, e.g. 1e4,1e6,1e8: speedups per size and each\n"
	"                         backend's break-even size\n"
	"  --scaling strong|weak  strong (default): fixed size; weak: the size grows with the\n"
	"                         workers (pictures: pixels), speedup scaled accordingly\n"
	"  --tasks N              task count for kernels that have tasks\n"
	"  --sleep-us US          io_wait: blocking time of one item\n"
	"  --quick                default sizes ~20x smaller, budget 30 s\n"
	"  --out DIR              results directory (default results/<date>-<time>-<host>)\n"
	"  --switch-interval US   pthreads-gil switch interval (default 5000, CPython's)\n"
	"  --schedule S           static, dynamic or guided (thread backends)\n"
	"  --chunk N              items per chunk (default: see README)\n"
	"  --transport T          shm or pipe: which fork-pool transport to run (default both)\n"
	"  --timeout S            seconds one run may take before it is stopped (default 300)\n"
	"  --retry                fork-pool: re-run a dead worker's task once instead of failing\n"
	"  --max-tasks N          fork-pool: replace each worker after N tasks\n"
	"  --pin P                none, compact (default), spread, or a PU list such as 0,2-3\n"
	"  --repetitions N        a fixed count per configuration (default: adaptive, at least 5,\n"
	"                         more until the median's 95% interval is within +-1.5%, at most\n"
	"                         40, while the budget lasts)\n"
	"  --budget S             seconds the adaptive sweep may take in all (default 180, quick\n"
	"                         30): more buys narrower intervals\n"
	"  --min-time S           minimum seconds per repetition: shorter runs are batched into\n"
	"                         one sample (default 0.1, quick 0.02)\n"
	"  --no-interleave        run each configuration's repetitions back to back (default:\n"
	"                         interleaved at random across configurations, so drift of the\n"
	"                         machine's speed hits all of them alike)\n"
	"  --verbose              also show Google Benchmark's own console output\n"
	"  --hostfile FILE        MPI: the hosts mpirun starts ranks on (Open MPI hostfile)\n"
	"  --threads T            mpi+openmp: OpenMP threads per rank (default 2)\n"
	"  --no-scatter           MPI: every rank uses the input it made (no scatter of rows)\n"
	"  --interconnect TEXT    MPI: how the hosts are connected, for the tables\n"
	"  --isa V                the kernels' instruction-set variant (see parbench list)\n"
	"  --image FILE           filters: benchmark on this PNG or JPEG instead of the synthetic\n"
	"                         picture (without --kernels: the four filters only)\n"
	"\n";

/* (two strings: C99 compilers need not take a literal over 4095 characters) */
static const char usage_text_filter[] =
	"filter options (one file: its rows are the tasks; several: each file is one task):\n"
	"  --backend B            any backend of `parbench list` (default pthreads)\n"
	"  --workers N            workers (default: the cores)\n"
	"  --schedule S           static or dynamic (thread backends)\n"
	"  --pin P                as for run (default compact)\n"
	"  --repetitions N        timed runs after one warm-up (default 5)\n"
	"  --timeout S            seconds one run may take before it is stopped (default 300)\n"
	"  outputs take the format of their extension: .png, .jpg or .jpeg\n";

/* Unsigned decimal with an optional exponent ("2e9"), exact, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!*p)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -1;
	if (*p == 'e' || *p == 'E') {
		uint64_t e;

		if (parse_u64(p + 1, &e) != 0 || strchr(p + 1, 'e') || strchr(p + 1, 'E'))
			return -1;
		/* 0eN is 0 for any N; otherwise 10^20 overflows already (found by fuzz_args:
		 * "0e4777777777777778888" looped for minutes) */
		if (v == 0)
			e = 0;
		if (e > 19)
			return -1;
		for (; e > 0; e--) {
			if (v > UINT64_MAX / 10)
				return -1;
			v *= 10;
		}
		p += strlen(p);
	}
	if (*p)
		return -1;
	*out = v;
	return 0;
}

static uint64_t opt_u64(const char *opt, const char *val, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (parse_u64(val, &v) != 0 || v < min || v > max)
		usage_error("bad value '%s' for %s (expected a whole number from %llu to %llu)", val,
			    opt, (unsigned long long)min, (unsigned long long)max);
	return v;
}

static double opt_seconds(const char *opt, const char *val)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (end == val || *end || errno || !(v >= 0.001) || v > 3600)
		usage_error("bad value '%s' for %s (expected seconds, 0.001 <= s <= 3600)", val, opt);
	return v;
}

/* A comma-separated list has no empty item ("1,,2", ",1", "1,"): strtok would skip it. */
static void check_list(const char *opt, const char *list)
{
	size_t len = strlen(list);

	if (len && (list[0] == ',' || list[len - 1] == ',' || strstr(list, ",,")))
		usage_error("empty item in %s '%s'", opt, list);
}

static void parse_kernels(const char *list, struct sweep_opts *o)
{
	char buf[1024], names[512];
	char *save = NULL;

	check_list("--kernels", list);
	o->n_kernels = 0;
	if (strcmp(list, "all") == 0) {
		for (const struct kernel *const *k = kernel_all(); *k; k++)
			o->kernels[o->n_kernels++] = *k;
		return;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct kernel *k = kernel_find(t);

		if (!k) {
			kernel_names(names, sizeof(names));
			usage_error("unknown kernel '%s' (known: %s)", t, names);
		}
		if (o->n_kernels == SWEEP_MAX_LIST)
			usage_error("too many kernels in '%s'", list);
		o->kernels[o->n_kernels++] = k;
	}
	if (o->n_kernels == 0)
		usage_error("empty kernel list '%s'", list);
}

static void parse_backends(const char *list, struct sweep_opts *o)
{
	char buf[1024], names[512];
	char *save = NULL;

	check_list("--backends", list);
	o->n_backends = 0;
	if (strcmp(list, "all") == 0) {
		for (const struct backend *const *b = backend_all(); *b; b++)
			o->backends[o->n_backends++] = *b;
		return;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct backend *b = backend_find(t);

		if (!b) {
			backend_names(names, sizeof(names));
			usage_error("unknown backend '%s' (known: %s)", t, names);
		}
		if (o->n_backends == SWEEP_MAX_LIST)
			usage_error("too many backends in '%s'", list);
		o->backends[o->n_backends++] = b;
	}
	if (o->n_backends == 0)
		usage_error("empty backend list '%s'", list);
}

/* A comma-separated list of numbers in [min, max] into out (SWEEP_MAX_LIST at most); its
 * length.  many/one name the items in messages ("worker counts", "worker"). */
static size_t parse_u64_list(const char *opt, const char *list, const char *many,
			     const char *one, uint64_t min, uint64_t max, uint64_t *out)
{
	char buf[1024];
	char *save = NULL;
	size_t n = 0;

	check_list(opt, list);
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == SWEEP_MAX_LIST)
			usage_error("too many %s in '%s'", many, list);
		out[n++] = opt_u64(opt, t, min, max);
	}
	if (n == 0)
		usage_error("empty %s list '%s'", one, list);
	return n;
}

static void parse_workers(const char *list, struct sweep_opts *o)
{
	uint64_t w[SWEEP_MAX_LIST];

	o->n_workers = parse_u64_list("--workers", list, "worker counts", "worker", 1,
				      BACKEND_MAX_WORKERS, w);
	for (size_t i = 0; i < o->n_workers; i++)
		o->workers[i] = (unsigned)w[i];
}

static void parse_sizes(const char *list, struct sweep_opts *o)
{
	o->n_sizes = parse_u64_list("--sizes", list, "sizes", "size", 1, UINT64_MAX, o->sizes);
}

/* Sizes given per kernel: --size name=N,name=N (kept until the kernel list is known). */
struct kernel_size_list {
	size_t n;
	const struct kernel *k[SWEEP_MAX_LIST];
	uint64_t size[SWEEP_MAX_LIST];
};

/* --size N (every kernel) or --size name=N,... (those kernels). */
static void parse_size(const char *v, struct sweep_opts *o, struct kernel_size_list *ks)
{
	char buf[1024], names[512];
	char *save = NULL;

	if (!strchr(v, '=')) {
		o->kp.size = opt_u64("--size", v, 1, UINT64_MAX);
		return;
	}
	check_list("--size", v);
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');

		if (!eq)
			usage_error("bad item '%s' in --size (N for every kernel, or kernel=N,...)", t);
		*eq = '\0';
		const struct kernel *k = kernel_find(t);

		if (!k) {
			kernel_names(names, sizeof(names));
			usage_error("unknown kernel '%s' in --size (known: %s)", t, names);
		}
		if (ks->n == SWEEP_MAX_LIST)
			usage_error("too many sizes in '%s'", v);
		ks->k[ks->n] = k;
		ks->size[ks->n++] = opt_u64("--size", eq + 1, 1, UINT64_MAX);
	}
}

/* The per-kernel sizes given for the kernels of the run (others are ignored). */
static void apply_sizes(const struct kernel_size_list *ks, struct sweep_opts *o)
{
	for (size_t i = 0; i < o->n_kernels; i++)
		for (size_t j = 0; j < ks->n; j++)
			if (ks->k[j] == o->kernels[i])
				o->kernel_sizes[i] = ks->size[j];
}

/* "name=N,..." for the kernels with a size of their own; how many. */
static size_t format_kernel_sizes(const struct sweep_opts *o, char *buf, size_t len)
{
	size_t used = 0, n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < o->n_kernels && used < len; i++)
		if (o->kernel_sizes[i])
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%llu", n++ ? "," : "",
						 o->kernels[i]->name,
						 (unsigned long long)o->kernel_sizes[i]);
	return n;
}

/* 1, 2, 4, ... below the core count, then the core count. */
static void default_workers(struct sweep_opts *o, unsigned cores)
{
	o->n_workers = 0;
	for (unsigned w = 1; w < cores && o->n_workers < SWEEP_MAX_LIST - 1; w *= 2)
		o->workers[o->n_workers++] = w;
	o->workers[o->n_workers++] = cores;
}

static enum backend_schedule parse_schedule(const char *s)
{
	if (strcmp(s, "static") == 0)
		return SCHED_STATIC;
	if (strcmp(s, "dynamic") == 0)
		return SCHED_DYNAMIC;
	if (strcmp(s, "guided") == 0)
		return SCHED_GUIDED;
	usage_error("unknown schedule '%s' (known: static, dynamic, guided)", s);
}

/* "shm" or "pipe": the fork-pool backend name for that transport. */
static const char *parse_transport(const char *s)
{
	if (strcmp(s, "shm") == 0)
		return "fork-pool";
	if (strcmp(s, "pipe") == 0)
		return "fork-pool-pipe";
	usage_error("unknown transport '%s' (known: shm, pipe)", s);
}

/* --transport: of the fork-pool variants in the list, keep the chosen one (added if none). */
static void keep_transport(struct sweep_opts *o, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < o->n_backends; i++)
		if (strncmp(o->backends[i]->name, "fork-pool", 9) != 0)
			o->backends[n++] = o->backends[i];
	if (n < SWEEP_MAX_LIST)
		o->backends[n++] = backend_find(name);
	o->n_backends = n;
}

static void read_first_line(const char *path, const char *prefix, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (prefix && strncmp(line, prefix, strlen(prefix)) != 0)
			continue;
		char *v = prefix ? strchr(line, ':') : line;

		if (!v)
			continue;
		v += prefix ? 1 : 0;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\n")] = '\0';
		snprintf(buf, len, "%s", v);
		break;
	}
	fclose(f);
}

static void read_load(double load[3])
{
	FILE *f = fopen("/proc/loadavg", "r");

	load[0] = load[1] = load[2] = 0;
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
			load[0] = load[1] = load[2] = 0;
		fclose(f);
	}
}

struct progress {
	int tty;
	double t0;
};

/* What the watchdog's emergency exit needs to save the run. */
struct hang_ctx {
	struct sweep *sw;
	const char *out_dir;
	const struct run_meta *meta;
};

/* A run hangs in a backend whose threads cannot be stopped: save what was measured, say
 * which configuration hung, and end the program (from the watchdog thread). */
static void on_hang(const struct sweep_row *row, const char *reason, void *arg)
{
	struct hang_ctx *h = arg;
	char tmp[1200];

	fprintf(stderr, "parbench: %s / %s / %u workers: %s; its threads cannot be stopped, so "
			"the run ends here\n", row->k->name, row->b->name, row->workers, reason);
	sweep_evaluate(h->sw);
	if (report_write_summary(h->out_dir, h->sw, h->meta->roof) || report_write_samples(h->out_dir, h->sw) ||
	    report_write_meta(h->out_dir, h->sw, h->meta))
		fprintf(stderr, "parbench: cannot write the results in '%s'\n", h->out_dir);
	else
		fprintf(stderr, "parbench: what was measured before is saved in %s\n", h->out_dir);
	snprintf(tmp, sizeof(tmp), "%s/.gbench.json.tmp", h->out_dir);
	unlink(tmp); /* Google Benchmark's own file is incomplete */
	_exit(atomic_load(&stop_signal) ? 128 + atomic_load(&stop_signal) : EXIT_VERIFY);
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_progress(const struct sweep_progress *pr, void *arg)
{
	struct progress *p = arg;
	const struct sweep_row *r = pr->row;

	if (!p->tty)
		return;
	fprintf(stderr, "\r\033[K[round %u: %zu/%zu] %s %s %u  elapsed %.0f s", pr->round, pr->done,
		pr->total, r->k->name, r->b->name, r->workers, wall_s() - p->t0);
	if (pr->eta_s >= 0)
		fprintf(stderr, ", this round's ETA %.0f s", pr->eta_s);
	fflush(stderr);
}

/* Uses the kernels' variant name (exit 2 if unknown or not runnable on this CPU). */
static void set_variant(const char *name, const char *from)
{
	int rc = kernel_variant_set(name);
	char known[128] = "";
	size_t used = 0;

	if (rc == 0)
		return;
	for (const char *const *v = kernel_variants(); *v; v++)
		used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", used ? ", " : "",
					 *v);
	if (rc == -ENOTSUP)
		usage_error("%s: this CPU cannot run the '%s' variant (known: %s)", from, name, known);
	usage_error("%s: unknown variant '%s' (known: %s)", from, name, known);
}

/* Exit 2 for a pin policy the topology cannot plan (one wording for every command). */
__attribute__((noreturn)) static void bad_pin(struct pin_topo *topo, const char *pin)
{
	char pus[256];

	pin_topo_pu_list(topo, pus, sizeof(pus));
	pin_topo_free(topo);
	usage_error("bad pin policy '%s' (known: none, compact, spread, or a list of the PUs this "
		    "process may use, %s, such as 0,2-3)", pin, pus);
}

static int cmd_list(void)
{
	static const char *const models[] = { [PY_LOOP] = "Python loop (GIL check every iteration)",
					      [PY_C_CALL] = "one C call per item (GIL held)",
					      [PY_BLOCKING] = "blocking call (GIL released)" };

	printf("kernels (instruction-set variant in use: %s; built:", kernel_variant());
	for (const char *const *v = kernel_variants(); *v; v++)
		printf(" %s%s", *v, kernel_variant_supported(*v) ? "" : " (not on this CPU)");
	printf("):\n");
	for (const struct kernel *const *k = kernel_all(); *k; k++)
		printf("  %-14s %s\n  %-14s   size: %s; in CPython: %s; variant: %s\n", (*k)->name,
		       (*k)->summary, "", (*k)->size_unit, models[(*k)->py_model],
		       (*k) == kernel_find("io_wait") ? "none (it blocks)" : kernel_variant());
	printf("backends:\n");
	for (const struct backend *const *b = backend_all(); *b; b++)
		printf("  %-14s %s\n", (*b)->name, (*b)->summary);
	return 0;
}

static void join_args(int argc, char **argv, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && used + 1 < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);

		if (w < 0)
			break;
		used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
}

/* Charts (gnuplot) and report.md of a run directory. 0, or -1 if report.md failed. */
static int write_report(const char *dir, const struct sweep *sw, const struct run_meta *meta)
{
	const char *plots = getenv("PARBENCH_PLOTS") ? getenv("PARBENCH_PLOTS") : PB_PLOTS_DIR;
	int charts = report_charts(dir, sw, meta, plots);

	if (charts == -ENOENT)
		fprintf(stderr, "parbench: gnuplot not found: no charts (apt-get install "
				"gnuplot-nox)\n");
	else if (charts)
		fprintf(stderr, "parbench: gnuplot failed: the charts may be incomplete\n");
	if (report_write_markdown(dir, sw, meta, charts == 0)) {
		fprintf(stderr, "parbench: cannot write %s/report.md\n", dir);
		return -1;
	}
	return 0;
}

/* ---- the MPI rows of a run: mpirun started by parbench ------------------------------- */

struct mpi_rows {
	const struct sweep_opts *o;
	const struct backend *const *backends;
	size_t n;
	unsigned threads;           /* mpi+openmp: threads per rank */
	const char *hostfile, *out_dir, *pin, *image;
	int repetitions;            /* fixed, or 0: adaptive */
	double min_time;
	double budget_s;            /* adaptive: what is left of the budget for all launches */
	int gb_argc;                /* the user's Google Benchmark flags */
	char **gb_argv;
	unsigned cores;
	const char *isa;            /* --isa as given, or NULL: the ranks pick their own */
	double t0;                  /* when the run started (wall_s) */
};

/* Removes what a run writes into dir (only those files), if they are there. */
static void clear_run_dir(const char *dir)
{
	static const char *const files[] = { "summary.csv", "samples.csv", "meta.json",
					     "gbench.json", "topology.xml", "roof.csv", "report.md",
					     ".gbench.json.tmp", NULL };
	char path[1400];

	for (const char *const *f = files; *f; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		unlink(path);
	}
}

/* One failed row per missing kernel for backend b at w workers (they reach meta.json's failures and
 * the FAILED lines like any other); 0 or -ENOMEM. */
static int add_failed_rows(struct sweep *sw, const struct sweep_opts *o,
			   const unsigned char *missing, const struct backend *b, unsigned w,
			   const char *why)
{
	struct sweep more = { 0 };

	more.rows = calloc(o->n_kernels ? o->n_kernels : 1, sizeof(*more.rows));
	if (!more.rows)
		return -ENOMEM;
	for (size_t k = 0; k < o->n_kernels; k++) {
		if (!missing[k])
			continue;
		struct sweep_row *r = &more.rows[more.n_rows++];

		r->k = o->kernels[k];
		r->b = b;
		r->workers = w;
		r->failed = 1;
		snprintf(r->error, sizeof(r->error), "%.300s", why);
		/* the size of this kernel's rows in this run, so that the row joins its group */
		for (size_t i = 0; i < sw->n_rows; i++)
			if (sw->rows[i].k == r->k) {
				r->size = sw->rows[i].size;
				break;
			}
	}
	int rc = sweep_merge(sw, &more);

	if (rc)
		free(more.rows);
	return rc;
}

/* For every MPI backend and worker count: mpirun starts the ranks, which measure those rows
 * alone and write them to <out_dir>/mpi-<backend>-<workers>/; the rows join the run.
 * 0, or -1 when a launch failed (reported on stderr). */
static int run_mpi_rows(const struct mpi_rows *m, struct sweep *sw)
{
	const struct sweep_opts *o = m->o;
	const char *mpirun = launch_mpirun();
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int failed = 0;

	if (!mpirun || len <= 0) {
		fprintf(stderr, "parbench: warning: mpirun not found: the MPI rows are left out "
				"(apt-get install openmpi-bin)\n");
		return 0;
	}
	exe[len] = '\0';
	for (size_t b = 0; b < m->n; b++) {
		for (size_t wi = 0; wi < o->n_workers; wi++) {
			const struct backend *be = m->backends[b];
			unsigned w = o->workers[wi], threads = 1, ranks;
			char kl[1024] = "", ws[16], reps[16], mt[32], to[32], sz[1024] = "", dir[1200];
			char budget[32];
			char tasks[16], sleep_us[16], err[512];
			const char *args[160];
			size_t na = 0, used = 0;

			if (strcmp(be->name, "mpi+openmp") == 0)
				threads = m->threads < w ? m->threads : w;
			if (w % threads)
				continue; /* cannot be split into whole ranks */
			ranks = w / threads;
			for (size_t k = 0; k < o->n_kernels; k++)
				used += (size_t)snprintf(kl + used, sizeof(kl) - used, "%s%s", k ? "," : "",
							 o->kernels[k]->name);
			snprintf(ws, sizeof(ws), "%u", w);
			snprintf(reps, sizeof(reps), "%d", m->repetitions);
			snprintf(mt, sizeof(mt), "%g", m->min_time);
			snprintf(to, sizeof(to), "%g", o->timeout_s);
			snprintf(dir, sizeof(dir), "%s/mpi-%s-%u", m->out_dir, be->name, w);
			args[na++] = exe;
			args[na++] = "run";
			args[na++] = "--kernels";
			args[na++] = kl;
			args[na++] = "--backends";
			args[na++] = be->name;
			args[na++] = "--workers";
			args[na++] = ws;
			if (m->repetitions) {
				args[na++] = "--repetitions";
				args[na++] = reps;
			} else { /* the launches left share what is left of the budget */
				double el = wall_s() - m->t0, left = m->budget_s - el;
				size_t launches = (m->n - b) * o->n_workers - wi;

				snprintf(budget, sizeof(budget), "%.3g",
					 left > 0 ? left / (double)launches : 0.001);
				args[na++] = "--budget";
				args[na++] = budget;
			}
			args[na++] = "--min-time";
			args[na++] = mt;
			args[na++] = "--timeout";
			args[na++] = to;
			args[na++] = "--pin";
			args[na++] = m->pin;
			args[na++] = "--out";
			args[na++] = dir;
			args[na++] = "--no-report";
			if (m->isa) {
				args[na++] = "--isa";
				args[na++] = m->isa;
			}
			if (o->n_sizes) {
				used = 0;
				for (size_t s = 0; s < o->n_sizes; s++)
					used += (size_t)snprintf(sz + used, sizeof(sz) - used, "%s%llu",
								 s ? "," : "",
								 (unsigned long long)o->sizes[s]);
				args[na++] = "--sizes";
				args[na++] = sz;
			} else if (o->kp.size) {
				snprintf(sz, sizeof(sz), "%llu", (unsigned long long)o->kp.size);
				args[na++] = "--size";
				args[na++] = sz;
			} else if (format_kernel_sizes(o, sz, sizeof(sz))) {
				args[na++] = "--size"; /* the sizes of this run: calibrated or given */
				args[na++] = sz;
			}
			if (o->kp.tasks) {
				snprintf(tasks, sizeof(tasks), "%u", o->kp.tasks);
				args[na++] = "--tasks";
				args[na++] = tasks;
			}
			if (o->kp.sleep_us) {
				snprintf(sleep_us, sizeof(sleep_us), "%u", o->kp.sleep_us);
				args[na++] = "--sleep-us";
				args[na++] = sleep_us;
			}
			if (o->kp.quick)
				args[na++] = "--quick";
			if (o->weak) {
				args[na++] = "--scaling";
				args[na++] = "weak";
			}
			if (o->no_scatter)
				args[na++] = "--no-scatter";
			if (m->image) {
				args[na++] = "--image";
				args[na++] = m->image;
			}
			args[na++] = "--no-interleave";
			if (m->gb_argc > 0 && na + (size_t)m->gb_argc + 2 < sizeof(args) / sizeof(args[0])) {
				args[na++] = "--";
				for (int g = 0; g < m->gb_argc; g++)
					args[na++] = m->gb_argv[g];
			}
			args[na] = NULL;

			struct launch l = { .mpirun = mpirun, .ranks = ranks, .hostfile = m->hostfile,
					    .oversubscribe = !m->hostfile && ranks > m->cores,
					    .argv = args, .stop = &stop_signal };

			fprintf(stderr, "parbench: mpirun -np %u: %s with %u worker%s\n", ranks,
				be->name, w, w == 1 ? "" : "s");
			/* nothing of an earlier run in this directory may pass for this one's */
			clear_run_dir(dir);
			int rc = launch_run(&l, err, sizeof(err));

			if (atomic_load(&stop_signal))
				return failed ? -1 : 0;
			if (rc > 0)
				snprintf(err, sizeof(err), "mpirun exited with status %d", rc);
			static struct loaded_run lr;
			char why[512];
			/* the directory was emptied before the launch: what loads is this launch's */
			int loaded = run_load(dir, &lr, why, sizeof(why)) == 0;
			unsigned char missing[SWEEP_MAX_LIST];

			for (size_t k = 0; k < o->n_kernels; k++) {
				missing[k] = 1;
				for (size_t i = 0; loaded && i < lr.sw.n_rows; i++)
					if (lr.sw.rows[i].k == o->kernels[k] && lr.sw.rows[i].b == be &&
					    !lr.sw.rows[i].failed)
						missing[k] = 0;
			}
			if (loaded) {
				if (sweep_merge(sw, &lr.sw) != 0)
					failed = 1;
				run_free(&lr);
			} else if (!rc) {
				snprintf(err, sizeof(err), "%s", why);
			}
			if (rc || !loaded) {
				fprintf(stderr, "parbench: FAILED %s / %u workers: %s\n", be->name, w,
					err);
				failed = 1;
			}
			/* every kernel without a row from this launch is a failure in meta.json */
			add_failed_rows(sw, o, missing, be, w, rc || !loaded ? err : "no result");
		}
	}
	return failed ? -1 : 0;
}

/* Sizes for the kernels of the run that have none, from the time budget (calibrate.h);
 * the sizes found are kept beside the run directory.  0 or -errno with err set. */
static int calibrate_run(struct sweep_opts *o, struct calibration *cal, const char *out_dir,
			 const char *host, const char *cpu_model, char *err, size_t err_len)
{
	const struct kernel *ks[SWEEP_MAX_LIST];
	char keep[1200], key[768];
	const char *slash = strrchr(out_dir, '/');
	double target = CALIB_TARGET_S / (o->kp.quick ? CALIB_QUICK_DIV : 1);
	size_t n = 0;

	for (size_t i = 0; i < o->n_kernels; i++)
		if (!o->kernel_sizes[i])
			ks[n++] = o->kernels[i];
	if (slash)
		snprintf(keep, sizeof(keep), "%.*s/.parbench-sizes", (int)(slash - out_dir), out_dir);
	else
		snprintf(keep, sizeof(keep), ".parbench-sizes");
	snprintf(key, sizeof(key), "%s|%s|%s|target %g|tasks %u|sleep %u", host, cpu_model,
		 kernel_variant(), target, o->kp.tasks, o->kp.sleep_us);
	int rc = calibrate(cal, ks, n, &o->kp, target, keep, key, err, err_len);

	for (size_t i = 0; rc == 0 && i < o->n_kernels; i++) {
		const struct calib_entry *e = calibration_find(cal, o->kernels[i]);

		if (e && !o->kernel_sizes[i])
			o->kernel_sizes[i] = e->size;
	}
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct sweep_opts o = { 0 };
	const char *out_dir = NULL, *pin = "compact", *transport = NULL;
	int verbose = 0, interleave = 1, repetitions = 0; /* 0: adaptive */
	double min_time = 0, budget = 0;
	struct kernel_size_list given_sizes = { 0 };
	static struct calibration cal;
	const char *gb_argv[128];
	int gb_argc = 0;
	struct pin_topo *topo = NULL;
	char dir[1024], host_buf[256], date[64], args[2048], cpu_model[256], governor[64],
		topo_desc[256], err[512], flag_out[1200], flag_rep[64];
	struct utsname un;
	struct sweep sw;
	struct run_meta meta = { 0 };
	struct progress prog;
	struct pin_plan probe;
	time_t now = time(NULL);
	struct tm tm;
	int rc, status = 0, i, kernels_given = 0, backends_given = 0, no_report = 0;
	const char *image_path = NULL, *hostfile = NULL, *interconnect = NULL, *isa = NULL;
	static struct pb_image image;
	static struct roof roof;
	static struct machine_state mstate;
	const struct backend *mpi_b[SWEEP_MAX_LIST];
	size_t n_mpi = 0;
	unsigned threads = 2;
	const int rank = launch_rank(), launched = rank >= 0;

	parse_kernels("all", &o);
	parse_backends("all", &o);
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		char opt[64];
		const char *eq = strchr(a, '=');

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strncmp(a, "--", 2) != 0)
			usage_error("unexpected argument '%s' (see parbench --help)", a);
		if (eq && (size_t)(eq - a) < sizeof(opt)) {
			memcpy(opt, a, (size_t)(eq - a));
			opt[eq - a] = '\0';
			v = eq + 1;
		} else {
			snprintf(opt, sizeof(opt), "%s", a);
		}
		if (strcmp(opt, "--quick") == 0) {
			o.kp.quick = 1;
			continue;
		}
		if (strcmp(opt, "--verbose") == 0) {
			verbose = 1;
			continue;
		}
		if (strcmp(opt, "--no-interleave") == 0) {
			interleave = 0;
			continue;
		}
		if (strcmp(opt, "--retry") == 0) {
			o.retry = 1;
			continue;
		}
		if (strcmp(opt, "--no-scatter") == 0) {
			o.no_scatter = 1;
			continue;
		}
		if (strcmp(opt, "--no-report") == 0) { /* for the ranks parbench starts itself */
			no_report = 1;
			continue;
		}
		if (!v) {
			if (i + 1 >= argc)
				usage_error("option %s needs a value", opt);
			v = argv[++i];
		}
		if (strcmp(opt, "--kernels") == 0) {
			parse_kernels(v, &o);
			kernels_given = 1;
		} else if (strcmp(opt, "--image") == 0)
			image_path = v;
		else if (strcmp(opt, "--backends") == 0) {
			parse_backends(v, &o);
			backends_given = 1;
		} else if (strcmp(opt, "--hostfile") == 0)
			hostfile = v;
		else if (strcmp(opt, "--interconnect") == 0)
			interconnect = v;
		else if (strcmp(opt, "--threads") == 0)
			threads = (unsigned)opt_u64(opt, v, 1, BACKEND_MAX_WORKERS);
		else if (strcmp(opt, "--workers") == 0)
			parse_workers(v, &o);
		else if (strcmp(opt, "--size") == 0)
			parse_size(v, &o, &given_sizes);
		else if (strcmp(opt, "--sizes") == 0)
			parse_sizes(v, &o);
		else if (strcmp(opt, "--scaling") == 0) {
			if (strcmp(v, "weak") != 0 && strcmp(v, "strong") != 0)
				usage_error("unknown scaling '%s' (known: strong, weak)", v);
			o.weak = strcmp(v, "weak") == 0;
		}
		else if (strcmp(opt, "--tasks") == 0)
			o.kp.tasks = (unsigned)opt_u64(opt, v, 1, 1u << 20);
		else if (strcmp(opt, "--sleep-us") == 0)
			o.kp.sleep_us = (unsigned)opt_u64(opt, v, 1, 10000000);
		else if (strcmp(opt, "--out") == 0)
			out_dir = v;
		else if (strcmp(opt, "--switch-interval") == 0)
			o.switch_interval_us = (unsigned)opt_u64(opt, v, 1, 10000000);
		else if (strcmp(opt, "--schedule") == 0)
			o.schedule = parse_schedule(v);
		else if (strcmp(opt, "--chunk") == 0)
			o.chunk = (size_t)opt_u64(opt, v, 1, SIZE_MAX);
		else if (strcmp(opt, "--pin") == 0)
			pin = v;
		else if (strcmp(opt, "--transport") == 0)
			transport = parse_transport(v);
		else if (strcmp(opt, "--timeout") == 0)
			o.timeout_s = opt_seconds(opt, v);
		else if (strcmp(opt, "--max-tasks") == 0)
			o.max_tasks = (unsigned)opt_u64(opt, v, 1, UINT32_MAX);
		else if (strcmp(opt, "--repetitions") == 0)
			repetitions = (int)opt_u64(opt, v, 1, 1000);
		else if (strcmp(opt, "--min-time") == 0)
			min_time = opt_seconds(opt, v);
		else if (strcmp(opt, "--budget") == 0)
			budget = opt_seconds(opt, v);
		else if (strcmp(opt, "--isa") == 0)
			set_variant(isa = v, "--isa");
		else
			usage_error("unknown option '%s' (see parbench --help)", opt);
	}

	if (transport)
		keep_transport(&o, transport);
	/* MPI backends: under mpirun they are all that runs (every rank runs this sweep); else
	 * parbench starts mpirun itself after its other backends, see run_mpi_rows() */
	{
		size_t kept = 0;

		for (size_t b = 0; b < o.n_backends; b++) {
			int mpi = (o.backends[b]->caps & BACKEND_CAP_NEEDS_LAUNCHER) != 0;

			if (launched && !mpi && backends_given)
				usage_error("under mpirun only the MPI backends run ('%s' is not one): "
					    "parbench run starts mpirun itself", o.backends[b]->name);
			if (mpi && !launched)
				mpi_b[n_mpi++] = o.backends[b];
			else if (mpi || !launched)
				o.backends[kept++] = o.backends[b];
		}
		o.n_backends = kept;
	}
	if (launched) {
		o.no_baseline = 1;
		interleave = 0; /* every rank must make the same choices */
		if (o.n_backends == 0)
			usage_error("under mpirun, but this parbench has no MPI backend");
		if (rank > 0 && !freopen("/dev/null", "w", stdout))
			return EXIT_VERIFY;
	}
	if (hostfile) {
		rc = launch_check_hostfile(hostfile, err, sizeof(err));
		if (rc)
			usage_error("%s", err);
	}
	apply_sizes(&given_sizes, &o);
	if (o.n_sizes && (o.kp.size || given_sizes.n))
		usage_error("--size and --sizes exclude each other");
	if (repetitions && budget)
		usage_error("--repetitions and --budget exclude each other (the budget limits "
			    "adaptive repetitions)");
	if (o.weak && o.n_sizes)
		usage_error("--scaling weak takes one base size (--size), not --sizes");
	if (o.weak && image_path)
		usage_error("--scaling weak needs a picture that grows: not with --image");
	if (image_path && (o.n_sizes || o.kp.size || given_sizes.n))
		usage_error("--image sets the picture's size: not with --size or --sizes");
	if (image_path) {
		rc = imgio_load(image_path, &image, err, sizeof(err));
		if (rc)
			usage_error("%s", err);
		o.kp.image = &image;
		if (!kernels_given) {
			o.n_kernels = 0;
			for (const struct kernel *const *k = kernel_all(); *k; k++)
				if ((*k)->span)
					o.kernels[o.n_kernels++] = *k;
		}
	}
	rc = pin_topo_load(&topo, NULL);
	if (rc) {
		fprintf(stderr, "parbench: cannot read this machine's topology with hwloc\n");
		return EXIT_VERIFY;
	}
	if (pin_plan_make(topo, pin, 1, &probe) != 0)
		bad_pin(topo, pin);
	if (o.n_workers == 0)
		default_workers(&o, pin_topo_cores(topo));
	o.pin = pin;
#ifdef PB_FUZZ
	pin_topo_free(topo);
	if (image.px)
		imgio_free(&image);
	PARSE_ONLY_RETURN();
#endif
	o.topo = topo;
	o.min_time_s = min_time > 0 ? min_time : o.kp.quick ? QUICK_MIN_TIME_S : DEFAULT_MIN_TIME_S;
	o.corrupt_kernel = getenv("PARBENCH_TEST_CORRUPT");
	o.hang_case = getenv("PARBENCH_TEST_HANG");
	o.crash_case = getenv("PARBENCH_TEST_CRASH");
	o.drop_copyback = getenv("PARBENCH_TEST_DROP_COPYBACK") != NULL;
	if (!o.timeout_s)
		o.timeout_s = DEFAULT_TIMEOUT_S;
	o.stop = &stop_signal;

	/* The machine, before anything runs. */
	uname(&un);
	snprintf(host_buf, sizeof(host_buf), "%s", un.nodename);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!out_dir) {
		char stamp[32];

		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(dir, sizeof(dir), "results/%s-%s", stamp, host_buf);
		out_dir = dir;
	}
	rc = rank > 0 ? 0 : outfile_mkdirs(out_dir);
	if (rc == 0 && rank <= 0 && access(out_dir, W_OK) != 0)
		rc = -errno;
	if (rc)
		usage_error("cannot write results directory '%s': %s", out_dir, strerror(-rc));

	join_args(argc, argv, args, sizeof(args));
	read_first_line("/proc/cpuinfo", "model name", cpu_model, sizeof(cpu_model));
	read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", NULL, governor,
			sizeof(governor));
	pin_topo_describe(topo, topo_desc, sizeof(topo_desc));
	meta = (struct run_meta){ .host = host_buf, .date = date, .args = args,
				  .cpu_model = cpu_model, .topology = topo_desc, .governor = governor,
				  .pin = pin, .cores = pin_topo_cores(topo), .pus = pin_topo_pus(topo),
				  .quick = o.kp.quick };
	read_load(meta.load_before);
	machine_begin(&mstate);
	meta.machine = &mstate;
	meta.interconnect = interconnect ? interconnect
			    : hostfile ? "Open MPI over TCP between hosts (btl tcp), shared memory within"
				       : "shared memory (one host, Open MPI btl vader)";

	/* Google Benchmark's flags: ours first, the user's after "--" override them. */
	snprintf(flag_rep, sizeof(flag_rep), "--benchmark_repetitions=%d", repetitions);
	snprintf(flag_out, sizeof(flag_out), "--benchmark_out=%s/.gbench.json.tmp", out_dir);
	gb_argv[gb_argc++] = "parbench";
	if (repetitions)
		gb_argv[gb_argc++] = flag_rep;
	if (rank <= 0) { /* one rank writes */
		gb_argv[gb_argc++] = flag_out;
		gb_argv[gb_argc++] = "--benchmark_out_format=json";
	}
	if (interleave)
		gb_argv[gb_argc++] = "--benchmark_enable_random_interleaving=true";
	const int gb_first = i;

	for (; i < argc; i++) {
		if (gb_argc == (int)(sizeof(gb_argv) / sizeof(gb_argv[0])))
			usage_error("too many Google Benchmark flags");
		if (strncmp(argv[i], "--benchmark_repetitions=", 24) == 0)
			repetitions = atoi(argv[i] + 24);
		gb_argv[gb_argc++] = argv[i];
	}
	meta.repetitions = repetitions ? repetitions : SWEEP_MIN_REPS;
	o.repetitions = (unsigned)repetitions;
	o.precision = DEFAULT_PRECISION;
	o.budget_s = budget ? budget : o.kp.quick ? QUICK_BUDGET_S : DEFAULT_BUDGET_S;
	o.deterministic = launched;
	if (!launched && !o.n_sizes && !o.kp.size && !image_path) {
		rc = calibrate_run(&o, &cal, out_dir, host_buf, cpu_model, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "parbench: %s\n", err);
			pin_topo_free(topo);
			return EXIT_VERIFY;
		}
		meta.calibration = &cal;
	}
	meta.interleaved = interleave;

	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct hang_ctx hc = { .sw = &sw, .out_dir = out_dir, .meta = &meta };

	o.hang = on_hang;
	o.hang_arg = &hc;
	prog.tty = isatty(STDERR_FILENO);
	prog.t0 = wall_s();
	if (!launched) {
		rc = roof_measure(&roof, topo, pin, o.workers, o.n_workers);
		if (rc) {
			fprintf(stderr, "parbench: cannot measure the copy bandwidth: %s\n", strerror(-rc));
			pin_topo_free(topo);
			return EXIT_VERIFY;
		}
		meta.roof = &roof;
	}
	double budget_all = o.budget_s;

	if (n_mpi) { /* the MPI launches come after this sweep: their share of the budget */
		size_t own = 0, all;

		for (size_t b = 0; b < o.n_backends; b++)
			own += (o.backends[b]->caps & BACKEND_CAP_PARALLEL) ? o.n_workers : 1;
		all = own + n_mpi * o.n_workers;
		o.budget_s = budget_all * (double)(own + 1) / (double)(all + 1); /* + serial */
	}
	rc = sweep_run(&sw, &o, gb_argc, gb_argv, verbose, on_progress, &prog, err, sizeof(err));
	o.budget_s = budget_all;
	if (rc) {
		pin_topo_free(topo);
		if (rc == -ERANGE || rc == -EINVAL)
			usage_error("%s", err);
		fprintf(stderr, "parbench: %s\n", err);
		return EXIT_VERIFY;
	}
	if (rank > 0) { /* rank 0 reports for all */
		status = sw.failures ? EXIT_VERIFY : 0;
		sweep_free(&sw);
		pin_topo_free(topo);
		return status;
	}
	if (n_mpi) {
		struct mpi_rows mr = { .o = &o, .backends = mpi_b, .n = n_mpi, .threads = threads,
				       .hostfile = hostfile, .out_dir = out_dir, .pin = pin,
				       .repetitions = repetitions, .min_time = o.min_time_s,
				       .budget_s = o.budget_s, .t0 = prog.t0,
				       .image = image_path, .gb_argc = argc - gb_first,
				       .gb_argv = argv + gb_first, .cores = pin_topo_cores(topo),
				       .isa = isa };

		if (run_mpi_rows(&mr, &sw) != 0)
			status = EXIT_VERIFY;
	}
	if (sw.precision > 0) { /* the budget and the time of the whole measurement */
		sw.budget_s = budget_all;
		sw.seconds = wall_s() - prog.t0;
	}
	read_load(meta.load_after);
	machine_end(&mstate);

	if (!no_report)
		report_table(stdout, &sw, &meta);
	fflush(stdout);

	{
		char src[1200], dst[1200], xml[1200];

		snprintf(src, sizeof(src), "%s/.gbench.json.tmp", out_dir);
		snprintf(dst, sizeof(dst), "%s/gbench.json", out_dir);
		if (rename(src, dst) != 0 && errno != ENOENT)
			status = EXIT_VERIFY;
		snprintf(xml, sizeof(xml), "%s/.topology.xml.tmp", out_dir);
		snprintf(dst, sizeof(dst), "%s/topology.xml", out_dir);
		if (pin_topo_export_xml(topo, xml) != 0 || rename(xml, dst) != 0)
			status = EXIT_VERIFY;
	}
	if (report_write_summary(out_dir, &sw, meta.roof) || report_write_samples(out_dir, &sw) ||
	    report_write_meta(out_dir, &sw, &meta) || (meta.roof && roof_write_csv(out_dir, meta.roof))) {
		fprintf(stderr, "parbench: cannot write the results in '%s': %s\n", out_dir,
			strerror(errno));
		status = EXIT_VERIFY;
	}
	if (!no_report && write_report(out_dir, &sw, &meta))
		status = EXIT_VERIFY;
	if (!no_report)
		printf("results: %s (report.md: tables, charts, machine)\n", out_dir);

	for (size_t r = 0; r < sw.n_rows; r++) {
		const struct sweep_row *row = &sw.rows[r];

		if (!row->failed)
			continue;
		fprintf(stderr, "parbench: FAILED %s / %s / %u workers: %s\n", row->k->name,
			row->b->name, row->workers, row->error);
		status = EXIT_VERIFY;
	}
	int sig = atomic_load(&stop_signal);

	if (sig) {
		fprintf(stderr, "parbench: interrupted by %s; %u configuration%s not measured, %u kept "
				"with fewer repetitions, the rest saved in %s\n",
			sig == SIGINT ? "SIGINT" : "SIGTERM", sw.interrupted,
			sw.interrupted == 1 ? "" : "s", sw.partial, out_dir);
		status = 128 + sig;
	}
	sweep_free(&sw);
	pin_topo_free(topo);
	if (image.px)
		imgio_free(&image);
	return status;
}

/* The run directory: --out DIR, or results/<date>-<time>-<host>[-suffix]. Exits 2 if unwritable. */
static const char *make_out_dir(const char *out, const char *suffix, char *buf, size_t len)
{
	struct utsname un;
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int rc;

	if (!out) {
		uname(&un);
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(buf, len, "results/%s-%s%s", stamp, un.nodename, suffix);
		out = buf;
	}
	rc = outfile_mkdirs(out);
	if (rc == 0 && access(out, W_OK) != 0)
		rc = -errno;
	if (rc)
		usage_error("cannot write results directory '%s': %s", out, strerror(-rc));
	return out;
}

/* Three significant digits without exponents: 0.00586, 12.4, 3900. */
static const char *fmt_num(char *buf, size_t len, double v)
{
	if (v >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

static int cmd_costs(int argc, char **argv)
{
	struct costs_opts o = { 0 };
	const char *out = NULL, *group = "";
	const char *gb_argv[64] = { "parbench", "--benchmark_repetitions=7" };
	int gb_argc = 2;
	struct pin_topo *topo = NULL;
	static struct costs c;
	char dir[1024], err[512], a[32], b[32], d[32];
	int rc;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (++i < argc && gb_argc < 64)
				gb_argv[gb_argc++] = argv[i];
			break;
		}
		if (strcmp(argv[i], "--quick") == 0) {
			o.quick = 1;
			gb_argv[1] = "--benchmark_repetitions=3";
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
			o.workers = (unsigned)opt_u64("--workers", argv[++i], 1, BACKEND_MAX_WORKERS);
		else
			usage_error("unknown costs option '%s' (known: --workers N, --quick, --out DIR)",
				    argv[i]);
	}
#ifdef PB_FUZZ
	PARSE_ONLY_RETURN();
#endif
	if (pin_topo_load(&topo, NULL)) {
		fprintf(stderr, "parbench: cannot read this machine's topology with hwloc\n");
		return EXIT_VERIFY;
	}
	if (!o.workers)
		o.workers = pin_topo_cores(topo);
	o.topo = topo;
	out = make_out_dir(out, "-costs", dir, sizeof(dir));
	rc = costs_run(&c, &o, gb_argc, gb_argv, err, sizeof(err));
	pin_topo_free(topo);
	if (rc) {
		fprintf(stderr, "parbench: %s\n", err);
		return EXIT_VERIFY;
	}
	printf("# parbench costs: median of repetitions (min .. max); workers = %u where a "
	       "count applies\n", o.workers);
	for (size_t i = 0; i < c.n; i++) {
		const struct cost_row *r = &c.rows[i];

		if (strcmp(r->group, group) != 0) {
			group = r->group;
			printf("\n%s\n", group);
		}
		if (r->not_run)
			continue;
		if (r->failed) {
			printf("  %-52s FAILED\n", r->name);
			rc = EXIT_VERIFY;
			continue;
		}
		printf("  %-52s %10s  %10s .. %-10s %-8s\n      %s\n", r->name,
		       fmt_num(a, sizeof(a), r->median), fmt_num(b, sizeof(b), r->min),
		       fmt_num(d, sizeof(d), r->max), r->unit, r->how);
	}
	if (costs_write_csv(out, &c)) {
		fprintf(stderr, "parbench: cannot write %s/costs.csv\n", out);
		return EXIT_VERIFY;
	}
	printf("\nresults: %s/costs.csv\n", out);
	return rc;
}

/* The machine as hwloc sees it, and where a pin plan puts each worker. */
static int cmd_topology(int argc, char **argv)
{
	const char *pin = "compact";
	unsigned workers = 0;
	struct pin_topo *topo = NULL;
	static struct pin_plan plan;
	char buf[256], cpu[256];

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc)
			pin = argv[++i];
		else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
			workers = (unsigned)opt_u64("--workers", argv[++i], 1, BACKEND_MAX_WORKERS);
		else
			usage_error("unknown topology option '%s' (known: --workers N, --pin P)", argv[i]);
	}
	if (pin_topo_load(&topo, NULL)) {
		fprintf(stderr, "parbench: cannot read this machine's topology with hwloc\n");
		return EXIT_VERIFY;
	}
	if (!workers)
		workers = pin_topo_cores(topo);
	if (pin_plan_make(topo, pin, workers, &plan) != 0)
		bad_pin(topo, pin);
	read_first_line("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	pin_topo_describe(topo, buf, sizeof(buf));
	printf("machine: %s\n", buf);
	printf("cpu:     %s\n", cpu[0] ? cpu : "unknown");
	printf("plan:    %s, %u worker%s\n", pin, workers, workers == 1 ? "" : "s");
	for (unsigned i = 0; i < workers; i++) {
		pin_pu_describe(topo, plan.pu[i], buf, sizeof(buf));
		printf("  worker %-4u %s\n", i, buf);
	}
	if (plan.oversubscribed)
		printf("warning: %u worker%s share%s a core with another worker: fine for "
		       "correctness, meaningless for speed\n", plan.oversubscribed,
		       plan.oversubscribed == 1 ? "" : "s", plan.oversubscribed == 1 ? "s" : "");
	pin_topo_free(topo);
	return 0;
}

/* ---- parbench filter ----------------------------------------------------------------- */

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
	fprintf(stderr, "parbench: filter: %s; its threads cannot be stopped, so it ends here "
			"(no output written)\n", why);
	fflush(stderr);
	_exit(EXIT_VERIFY);
}

static int cmd_filter(int argc, char **argv)
{
	const char *kname = NULL, *out = NULL, *outdir = NULL, *bname = "pthreads";
	const char *pin = "compact";
	const char *inputs[FILTER_MAX_FILES];
	size_t n_in = 0;
	unsigned workers = 0;
	int runs = 5;
	enum backend_schedule sched = SCHED_DEFAULT;
	struct filter_opts fo = { 0 };
	struct pin_topo *topo = NULL;
	static struct pin_plan plan;
	static struct filter_job j;
	char err[600], names[512];
	int rc;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--input") == 0) {
			while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
				if (n_in == FILTER_MAX_FILES)
					usage_error("too many input files (at most %d)", FILTER_MAX_FILES);
				inputs[n_in++] = argv[++i];
			}
			continue;
		}
		if (strncmp(a, "--", 2) != 0)
			usage_error("unexpected argument '%s' (see parbench --help)", a);
		if (i + 1 >= argc)
			usage_error("option %s needs a value", a);
		const char *v = argv[++i];

		if (strcmp(a, "--kernel") == 0)
			kname = v;
		else if (strcmp(a, "--output") == 0)
			out = v;
		else if (strcmp(a, "--outdir") == 0)
			outdir = v;
		else if (strcmp(a, "--backend") == 0)
			bname = v;
		else if (strcmp(a, "--workers") == 0)
			workers = (unsigned)opt_u64(a, v, 1, BACKEND_MAX_WORKERS);
		else if (strcmp(a, "--schedule") == 0)
			sched = parse_schedule(v);
		else if (strcmp(a, "--pin") == 0)
			pin = v;
		else if (strcmp(a, "--repetitions") == 0)
			runs = (int)opt_u64(a, v, 1, 1000);
		else if (strcmp(a, "--timeout") == 0)
			fo.timeout_s = opt_seconds(a, v);
		else
			usage_error("unknown filter option '%s' (see parbench --help)", a);
	}
	if (!kname)
		usage_error("filter needs --kernel (grayscale, sepia, box_blur or sharpen)");
	const struct kernel *k = kernel_find(kname);

	if (!k || !k->span)
		usage_error("'%s' is not an image filter (known: grayscale, sepia, box_blur, "
			    "sharpen)", kname);
	if (n_in == 0)
		usage_error("filter needs --input FILE [FILE ...]");
	if (!out == !outdir)
		usage_error("filter needs exactly one of --output FILE (one input) or --outdir DIR");
	if (out && n_in > 1)
		usage_error("%zu inputs: use --outdir DIR, not --output", n_in);
	fo.b = backend_find(bname);
	if (!fo.b) {
		backend_names(names, sizeof(names));
		usage_error("unknown backend '%s' (known: %s)", bname, names);
	}
	if (fo.b->caps & BACKEND_CAP_NEEDS_LAUNCHER)
		usage_error("backend '%s' must be started by its launcher", bname);
#ifdef PB_FUZZ
	PARSE_ONLY_RETURN();
#endif
	if (outdir) {
		rc = outfile_mkdirs(outdir);
		if (rc == 0 && access(outdir, W_OK) != 0)
			rc = -errno;
		if (rc)
			usage_error("cannot write output directory '%s': %s", outdir, strerror(-rc));
	}
	if (pin_topo_load(&topo, NULL)) {
		fprintf(stderr, "parbench: cannot read this machine's topology with hwloc\n");
		return EXIT_VERIFY;
	}
	if (!workers)
		workers = (fo.b->caps & BACKEND_CAP_PARALLEL) ? pin_topo_cores(topo) : 1;
	if (!(fo.b->caps & BACKEND_CAP_PARALLEL))
		workers = 1;
	if (pin_plan_make(topo, pin, workers, &plan) != 0)
		bad_pin(topo, pin);

	rc = filter_load(&j, k, inputs, n_in, out, outdir, err, sizeof(err));
	if (rc) {
		filter_free(&j);
		pin_topo_free(topo);
		usage_error("%s", err);
	}
	fo.cfg = (struct backend_config){ .workers = workers, .schedule = sched,
					  .topo = strcmp(pin, "none") ? topo : NULL, .plan = &plan };
	fo.runs = runs;
	if (!fo.timeout_s)
		fo.timeout_s = DEFAULT_TIMEOUT_S;
	fo.hang = filter_hang;
	rc = filter_execute(&j, &fo, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "parbench: %s\n", err);
		filter_free(&j);
		pin_topo_free(topo);
		return EXIT_VERIFY;
	}

	double mpix = (double)j.pixels * 1e-6;

	if (j.batch)
		printf("%s: %zu files, %.1f MPix in all, one file per task\n", k->name, j.n, mpix);
	else
		printf("%s: %s, %ux%u (%.1f MPix)\n", k->name, inputs[0], j.files[0].img.w,
		       j.files[0].img.h, mpix);
	printf("backend %s, %u worker%s, pin %s%s: median %.2f ms (%.2f .. %.2f ms over %d runs "
	       "after a warm-up); %.0f MPix/s, %.2f GB/s read+written\n", fo.b->name, workers,
	       workers == 1 ? "" : "s", pin,
	       sched == SCHED_STATIC ? ", schedule static" : sched == SCHED_DYNAMIC ? ", schedule dynamic" : "",
	       j.median * 1e3, j.min * 1e3, j.max * 1e3, runs, mpix / j.median,
	       (double)j.bytes / j.median * 1e-9);
	if (workers > pin_topo_cores(topo))
		printf("warning: %u workers on %u cores: fine for correctness, meaningless for "
		       "speed\n", workers, pin_topo_cores(topo));
	if (j.batch)
		print_filter_batch(&j, workers);
	printf("verified: every run's output is bit-identical to the plain reference\n");
	rc = filter_save(&j, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "parbench: %s\n", err);
		filter_free(&j);
		pin_topo_free(topo);
		return EXIT_USAGE;
	}
	if (j.batch)
		printf("wrote %zu file%s to %s\n", j.n, j.n == 1 ? "" : "s", outdir);
	else
		printf("wrote %s\n", out);
	filter_free(&j);
	pin_topo_free(topo);
	return 0;
}

/* MPI's costs, measured by the ranks; rank 0 prints "name median min max" lines for
 * `parbench costs` to read. */
static int cmd_mpi_probe(int argc, char **argv)
{
#ifdef PB_HAVE_MPI
	static struct mpi_probe p;
	int init_only = argc > 2 && strcmp(argv[2], "--init-only") == 0;

	if (argc > 3 || (argc == 3 && !init_only))
		usage_error("mpi-probe takes only --init-only (it is for parbench costs)");
	if (launch_rank() < 0)
		usage_error("mpi-probe runs under mpirun with 2 or more ranks (it is for parbench "
			    "costs)");
	int rc = mpi_probe_run(&p, init_only);

	if (rc)
		usage_error("mpi-probe needs 2 or more ranks under mpirun");
	if (p.rank == 0 && !init_only) {
		const char *names[] = { "latency", "barrier", "allreduce" };
		double *v[] = { p.latency_us, p.barrier_us, p.allreduce_us };

		for (int k = 0; k < 3; k++) {
			printf("%s", names[k]);
			for (int r = 0; r < MPI_PROBE_REPS; r++)
				printf(" %.6f", v[k][r]);
			printf("\n");
		}
	}
	return 0;
#else
	(void)argc;
	(void)argv;
	usage_error("this parbench was built without MPI");
#endif
}

/* ---- parbench report / compare ------------------------------------------------------- */

static int cmd_report(int argc, char **argv)
{
	static struct loaded_run lr;
	char err[600];
	int rc;

	if (argc != 3)
		usage_error("report takes one run directory (parbench report DIR)");
	rc = run_load(argv[2], &lr, err, sizeof(err));
	if (rc)
		usage_error("%s", err);
#ifdef PB_FUZZ
	run_free(&lr);
	PARSE_ONLY_RETURN();
#endif
	if (access(argv[2], W_OK) != 0)
		usage_error("cannot write in '%s': %s", argv[2], strerror(errno));
	report_table(stdout, &lr.sw, &lr.meta);
	rc = write_report(argv[2], &lr.sw, &lr.meta);
	printf("report: %s/report.md\n", argv[2]);
	run_free(&lr);
	return rc ? EXIT_VERIFY : 0;
}

#define COMPARE_ALPHA 0.05

static const struct sweep_row *find_row(const struct sweep *sw, const struct sweep_row *r)
{
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *q = &sw->rows[i];

		if (strcmp(q->k->name, r->k->name) == 0 && strcmp(q->b->name, r->b->name) == 0 &&
		    q->workers == r->workers && q->size == r->size)
			return q;
	}
	return NULL;
}

/* The size kernel name ran at in sw (its first row), or 0. */
static uint64_t kernel_size_in(const struct sweep *sw, const char *name)
{
	for (size_t i = 0; i < sw->n_rows; i++)
		if (strcmp(sw->rows[i].k->name, name) == 0)
			return sw->rows[i].size;
	return 0;
}

/* Kernels that ran at one size in each run, a different one: their times are not
 * comparable, and compare says so instead of calling every row "only in".  How many rows
 * of cur that leaves out. */
static unsigned report_resized(const struct loaded_run *base, const struct loaded_run *cur)
{
	unsigned rows = 0;

	for (size_t i = 0; i < cur->sw.n_rows; i++) {
		const struct sweep_row *r = &cur->sw.rows[i];
		uint64_t was = kernel_size_in(&base->sw, r->k->name);
		int first = kernel_size_in(&cur->sw, r->k->name) == r->size &&
			    (i == 0 || cur->sw.rows[i - 1].k != r->k);

		if (!was || was == r->size || find_row(&base->sw, r))
			continue;
		rows++;
		if (first && cur->sw.n_sizes <= 1 && base->sw.n_sizes <= 1)
			printf("note: %s ran at another size in each run (BASE %llu, NEW %llu%s): its "
			       "times are not compared; give both runs the same size (--size %s=N)\n",
			       r->k->name, (unsigned long long)was, (unsigned long long)r->size,
			       strstr(cur->calibrated, r->k->name) || strstr(base->calibrated, r->k->name)
				       ? ", calibrated from the time budget" : "",
			       r->k->name);
	}
	return rows;
}

static int cmd_compare(int argc, char **argv)
{
	static struct loaded_run base, cur;
	const char *dirs[2] = { NULL, NULL };
	double threshold = 0.05;
	int other_machine = 0, rc, nd = 0;
	unsigned slower = 0, faster = 0, same = 0, only_base = 0, only_new = 0, few = 0;
	char err[600], a[32], b[32];

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--allow-other-machine") == 0) {
			other_machine = 1;
		} else if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
			char *end;

			threshold = strtod(argv[++i], &end) / 100;
			if (end == argv[i] || (*end && strcmp(end, "%") != 0) || !(threshold > 0) ||
			    threshold >= 10)
				usage_error("bad value '%s' for --threshold (a percentage such as 5%%)",
					    argv[i]);
		} else if (strncmp(argv[i], "--", 2) == 0) {
			usage_error("unknown compare option '%s' (known: --threshold P%%, "
				    "--allow-other-machine)", argv[i]);
		} else if (nd < 2) {
			dirs[nd++] = argv[i];
		} else {
			usage_error("compare takes two run directories (parbench compare BASE NEW)");
		}
	}
	if (nd != 2)
		usage_error("compare takes two run directories (parbench compare BASE NEW)");
	if ((rc = run_load(dirs[0], &base, err, sizeof(err))) != 0)
		usage_error("%s", err);
	if ((rc = run_load(dirs[1], &cur, err, sizeof(err))) != 0)
		usage_error("%s", err);
	if (!other_machine && (strcmp(base.host, cur.host) != 0 ||
			       strcmp(base.cpu_model, cur.cpu_model) != 0 ||
			       strcmp(base.topology, cur.topology) != 0))
		usage_error("the runs come from different machines ('%s', %s; '%s', %s): times are "
			    "not comparable (--allow-other-machine to compare anyway)", base.host,
			    base.cpu_model, cur.host, cur.cpu_model);

#ifdef PB_FUZZ
	run_free(&base);
	run_free(&cur);
	PARSE_ONLY_RETURN();
#endif
	printf("# parbench compare: %s (%s, %s) -> %s (%s, %s)\n", dirs[0], base.host, base.date,
	       dirs[1], cur.host, cur.date);
	printf("  %-12s %-14s %7s %12s %11s %11s %8s %8s  %s\n", "kernel", "backend", "workers",
	       "size", "base", "new", "change", "p", "verdict");
	for (size_t i = 0; i < cur.sw.n_rows; i++) {
		const struct sweep_row *r = &cur.sw.rows[i], *q = find_row(&base.sw, r);
		double u, p, change;
		const char *verdict;

		if (!q) {
			only_new++;
			continue;
		}
		p = stats_mann_whitney(q->samples, q->n_samples, r->samples, r->n_samples, &u);
		change = r->median / q->median - 1;
		if (q->n_samples < 9 || r->n_samples < 9)
			few++;
		if (fabs(change) <= threshold) {
			verdict = "same";
			same++;
		} else if (!(p < COMPARE_ALPHA)) {
			verdict = "same (change not significant)";
			same++;
		} else if (change > 0) {
			verdict = "SLOWER";
			slower++;
		} else {
			verdict = "faster";
			faster++;
		}
		printf("  %-12s %-14s %7u %12llu %11s %11s %+7.1f%% %8.2g  %s\n", r->k->name,
		       r->b->name, r->workers, (unsigned long long)r->size,
		       report_fmt_time(a, sizeof(a), q->median), report_fmt_time(b, sizeof(b), r->median),
		       change * 100, p, verdict);
	}
	unsigned resized = report_resized(&base, &cur);

	for (size_t i = 0; i < base.sw.n_rows; i++) {
		const struct sweep_row *q = &base.sw.rows[i];
		uint64_t now = kernel_size_in(&cur.sw, q->k->name);

		only_base += !find_row(&cur.sw, q) && (!now || now == q->size);
	}
	only_new -= resized;
	printf("\nsummary: %u compared: %u slower, %u faster, %u same (threshold %.1f%%, "
	       "Mann-Whitney U two-sided, p < %.2f)", slower + faster + same, slower, faster,
	       same, threshold * 100, COMPARE_ALPHA);
	if (resized)
		printf("; %u not compared (other size)", resized);
	if (only_base || only_new)
		printf("; %u only in BASE, %u only in NEW", only_base, only_new);
	printf("\n");
	if (few)
		printf("warning: %u comparison%s rest on fewer than 9 repetitions a side: the test "
		       "has little power (--repetitions 9 or more)\n", few, few == 1 ? "" : "s");
	/* a row pair that ran different instruction-set variants compares code, not machines */
	for (size_t i = 0; i < cur.sw.n_rows; i++) {
		const struct sweep_row *r = &cur.sw.rows[i], *q = find_row(&base.sw, r);

		if (q && strcmp(q->variant, r->variant) != 0) {
			printf("warning: the kernels ran other instruction-set variants (%s: BASE %s, "
			       "NEW %s): the comparison includes the code, not only the machine\n",
			       r->k->name, q->variant[0] ? q->variant : "not recorded",
			       r->variant[0] ? r->variant : "not recorded");
			break;
		}
	}
	run_free(&base);
	run_free(&cur);
	return slower ? EXIT_VERIFY : 0;
}

/* parbench roofline: the roofs alone, as a run measures them before its sweep. */
static int cmd_roofline(int argc, char **argv)
{
	struct sweep_opts o = { 0 };
	const char *pin = "compact";
	struct pin_topo *topo = NULL;
	static struct roof roof;
	char cpu[256], desc[256];
	int rc;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *v;
		char opt[64];

		if (strcmp(a, "--help") == 0) {
			printf("usage: parbench roofline [--workers LIST] [--pin P] [--isa V]\n"
			       "Measures this machine's core clock (dependent adds) and copy bandwidth "
			       "(bytes read + written)\nwith 1 worker and each of LIST (default: 1, 2, "
			       "4, ... up to the cores), pinned by P.\n");
			return 0;
		}
		if (strncmp(a, "--", 2) != 0)
			usage_error("unexpected argument '%s' (see parbench roofline --help)", a);
		snprintf(opt, sizeof(opt), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		if (eq)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			usage_error("option %s needs a value", opt);
		if (strcmp(opt, "--workers") == 0)
			parse_workers(v, &o);
		else if (strcmp(opt, "--pin") == 0)
			pin = v;
		else if (strcmp(opt, "--isa") == 0)
			set_variant(v, "--isa");
		else
			usage_error("unknown roofline option '%s' (see parbench roofline --help)", opt);
	}
	if (pin_topo_load(&topo, NULL)) {
		fprintf(stderr, "parbench: cannot read this machine's topology with hwloc\n");
		return EXIT_VERIFY;
	}
	if (o.n_workers == 0)
		default_workers(&o, pin_topo_cores(topo));
	PARSE_ONLY_RETURN();
	rc = roof_measure(&roof, topo, pin, o.workers, o.n_workers);
	if (rc == -EINVAL)
		bad_pin(topo, pin);
	if (rc) {
		fprintf(stderr, "parbench: cannot measure the copy bandwidth: %s\n", strerror(-rc));
		pin_topo_free(topo);
		return EXIT_VERIFY;
	}
	read_first_line("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	pin_topo_describe(topo, desc, sizeof(desc));
	printf("machine: %s; %s; kernels' variant %s; pin %s\n", cpu[0] ? cpu : "unknown CPU",
	       desc, kernel_variant(), pin);
	roof_print(stdout, &roof);
	printf("measured in %.2f s\n", roof.seconds);
	pin_topo_free(topo);
	return 0;
}

int main(int argc, char **argv)
{
	if (getenv("PARBENCH_ISA") && getenv("PARBENCH_ISA")[0])
		set_variant(getenv("PARBENCH_ISA"), "PARBENCH_ISA");
	if (argc < 2)
		usage_error("missing command (known: list, run, costs, topology, filter, report, "
			    "compare; see parbench --help)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		fputs(usage_text_filter, stdout);
		return 0;
	}
	if (strcmp(argv[1], "list") == 0) {
		if (argc > 2)
			usage_error("list takes no arguments");
		return cmd_list();
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc, argv);
	if (strcmp(argv[1], "costs") == 0)
		return cmd_costs(argc, argv);
	if (strcmp(argv[1], "topology") == 0)
		return cmd_topology(argc, argv);
	if (strcmp(argv[1], "filter") == 0)
		return cmd_filter(argc, argv);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc, argv);
	if (strcmp(argv[1], "mpi-probe") == 0) /* for parbench costs, under mpirun */
		return cmd_mpi_probe(argc, argv);
	if (strcmp(argv[1], "compare") == 0)
		return cmd_compare(argc, argv);
	if (strcmp(argv[1], "roofline") == 0)
		return cmd_roofline(argc, argv);
	usage_error("unknown command '%s' (known: list, run, costs, topology, filter, report, "
		    "compare)", argv[1]);
}
