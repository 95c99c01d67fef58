/*
 * common.c - what several commands share: the registries' lists as options, the topology and
 * pin errors, small readers of /proc, the run directory's name.
 */
#include "cmd.h"

#include "backend.h"
#include "kernel.h"
#include "outdir.h"
#include "outfile.h"
#include "pin.h"
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

atomic_int stop_signal;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "stop_signal must be lock-free");

static void on_signal(int sig)
{
	atomic_store(&stop_signal, sig);
}

void cmd_catch_signals(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct pin_topo *load_topology(void)
{
	struct pin_topo *topo = NULL;

	if (pin_topo_load(&topo, NULL)) {
		diag_line("cannot read this machine's topology with hwloc");
		return NULL;
	}
	return topo;
}

void parse_kernels(const char *list, struct sweep_opts *o)
{
	char buf[1024], names[512];
	char *save = NULL;

	opt_check_list("--kernels", list);
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
		for (size_t i = 0; i < o->n_kernels; i++)
			if (o->kernels[i] == k)
				opt_twice("--kernels", k->name);
		o->kernels[o->n_kernels++] = k;
	}
	if (o->n_kernels == 0)
		usage_error("empty kernel list '%s'", list);
}

void parse_backends(const char *list, struct sweep_opts *o)
{
	char buf[1024], names[512];
	char *save = NULL;

	opt_check_list("--backends", list);
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
		for (size_t i = 0; i < o->n_backends; i++)
			if (o->backends[i] == b)
				opt_twice("--backends", b->name);
		o->backends[o->n_backends++] = b;
	}
	if (o->n_backends == 0)
		usage_error("empty backend list '%s'", list);
}

void parse_workers(const char *list, struct sweep_opts *o)
{
	uint64_t w[SWEEP_MAX_LIST];

	o->n_workers = opt_u64_list("--workers", list, "worker counts", "worker", 1,
				    BACKEND_MAX_WORKERS, w, SWEEP_MAX_LIST);
	for (size_t i = 0; i < o->n_workers; i++)
		o->workers[i] = (unsigned)w[i];
}

enum backend_schedule parse_schedule(const char *s)
{
	if (strcmp(s, "static") == 0)
		return SCHED_STATIC;
	if (strcmp(s, "dynamic") == 0)
		return SCHED_DYNAMIC;
	if (strcmp(s, "guided") == 0)
		return SCHED_GUIDED;
	usage_error("unknown schedule '%s' (known: static, dynamic, guided)", s);
}

void check_pin_list(const char *opt, const char *pin)
{
	long pus[PIN_MAX_WORKERS];
	size_t n = 0;
	const char *p = pin;

	while (*p >= '0' && *p <= '9') {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (*end == '-' && end[1] >= '0' && end[1] <= '9')
			hi = strtol(end + 1, &end, 10);
		if (hi > INT_MAX)
			return; /* no such PU: pin_plan_make() says so */
		for (long v = lo; v <= hi; v++) {
			if (n == PIN_MAX_WORKERS)
				return; /* too long a list: pin_plan_make() says so */
			for (size_t i = 0; i < n; i++)
				if (pus[i] == v) {
					char text[32];

					snprintf(text, sizeof(text), "PU %ld", v);
					opt_twice(opt, text);
				}
			pus[n++] = v;
		}
		p = end + (*end == ',');
	}
}

const char *variant_forced;

/* Uses the kernels' variant name (exit 2 if unknown or not runnable on this CPU). */
void set_variant(const char *name, const char *from)
{
	int rc = kernel_variant_set(name);
	char known[128] = "";
	size_t used = 0;

	if (rc == 0) {
		variant_forced = name;
		return;
	}
	for (const char *const *v = kernel_variants(); *v; v++)
		used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", used ? ", " : "",
					 *v);
	if (rc == -ENOTSUP)
		usage_error("%s: this CPU cannot run the '%s' variant (known: %s)", from, name, known);
	usage_error("%s: unknown variant '%s' (known: %s)", from, name, known);
}

/* Exit 2 for a pin policy the topology cannot plan (one wording for every command). */
__attribute__((noreturn)) void bad_pin(struct pin_topo *topo, const char *pin)
{
	char pus[256];

	pin_topo_pu_list(topo, pus, sizeof(pus));
	pin_topo_free(topo);
	usage_error("bad pin policy '%s' (known: none, compact, compact-smt, spread, or a list of the PUs this "
		    "process may use, %s, such as 0,2-3)", pin, pus);
}

void read_first_line(const char *path, const char *prefix, char *buf, size_t len)
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

void machine_facts_read(struct machine_facts *f)
{
	struct utsname un;
	time_t now = time(NULL);
	struct tm tm;

	snprintf(f->host, sizeof(f->host), "%s", uname(&un) == 0 ? un.nodename : "");
	gmtime_r(&now, &tm);
	strftime(f->date, sizeof(f->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	read_first_line("/proc/cpuinfo", "model name", f->cpu_model, sizeof(f->cpu_model));
	read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", NULL,
			f->governor, sizeof(f->governor));
}

void read_load(double load[3])
{
	FILE *f = fopen("/proc/loadavg", "r");

	load[0] = load[1] = load[2] = 0;
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
			load[0] = load[1] = load[2] = 0;
		fclose(f);
	}
}

const char *out_dir_name(const char *out, const char *suffix, char *buf, size_t len)
{
	struct utsname un;
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	if (out)
		return out;
	uname(&un);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "results/%s-%s%s", stamp, un.nodename, suffix);
	return buf;
}

/* An earlier price list: its costs.csv (a regular file) begins with the header, and the
 * folder holds nothing else but hidden temporary files. */
static const char *const costs_names[] = { "costs.csv", ".*.tmp", NULL };
static const struct outdir_mark costs_mark = { "costs.csv", "group,name,median,", costs_names };

/* The results directory: --out DIR, or results/<date>-<time>-<host>[-suffix]. Exits 2 if
 * it is not a folder or cannot be written. */

const char *make_out_dir(const char *out, const char *suffix, char *buf, size_t len)
{
	struct stat st;
	int rc;

	out = out_dir_name(out, suffix, buf, len);
	rc = outdir_check(out, &costs_mark);
	if (rc == -ENOTEMPTY || rc == -ELOOP)
		usage_error("--out '%s' %s", out, rc == -ELOOP ? "is a symbolic link: give the folder "
			    "itself" : "holds files but is not an earlier price list (costs.csv "
			    "alone): give a new or empty folder");
	rc = outfile_mkdirs(out);
	if (rc == 0 && stat(out, &st) == 0 && !S_ISDIR(st.st_mode))
		rc = -ENOTDIR;
	if (rc == 0 && access(out, W_OK) != 0)
		rc = -errno;
	if (rc)
		usage_error("cannot write results directory '%s': %s", out, strerror(-rc));
	return out;
}

/* Three significant digits without exponents: 0.00586, 12.4, 3900. */
const char *fmt_num(char *buf, size_t len, double v)
{
	if (v >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

/* See cmd.h; PARBENCH_TEST_GNUPLOT_TIMEOUT=S (a test hook) replaces the 60 s a chart may take. */
int write_report(const char *dir, const struct sweep *sw, const struct run_meta *meta,
		 const struct roof *roof, atomic_int *stop)
{
	const char *hook = getenv("PARBENCH_TEST_GNUPLOT_TIMEOUT"); /* test hook: seconds */
	char why[256] = "";
	struct chart_opts o = {
		.why = why, .why_len = sizeof(why),
		.plots_dir = getenv("PARBENCH_PLOTS") ? getenv("PARBENCH_PLOTS") : PB_PLOTS_DIR,
		.roof = roof, .stop = stop, .timeout_s = hook ? (unsigned)strtoul(hook, NULL, 10) : 0,
	};
	struct report_chart_list made; /* 40 KiB */
	int charts = report_charts(dir, sw, meta, &o, &made), rc = 0;

	if (charts == -EINTR)
		return -EINTR;
	if (charts == -ENOENT)
		diag_line("gnuplot not found: no charts (apt-get install gnuplot-nox)");
	else if (charts == -ETIMEDOUT)
		diag_line("gnuplot ran longer than %u s on one chart: stopped, the charts may be "
			  "incomplete", o.timeout_s ? o.timeout_s : REPORT_GNUPLOT_TIMEOUT_S);
	else if (charts)
		diag_line("gnuplot failed (%s): the charts may be incomplete",
			  why[0] ? why : "no message");
	if (report_write_markdown(dir, sw, meta, charts == -ENOENT ? NULL : &made)) {
		diag_line("cannot write %s/report.md", dir);
		rc = -1;
	}
	if (report_write_html(dir, sw, meta, charts == -ENOENT ? NULL : &made)) {
		diag_line("cannot write %s/report.html", dir);
		rc = -1;
	}
	return rc;
}
