/*
 * costs.c - parbench costs: the price list of what the tutorials say processes cost (start,
 * dispatch, copying, synchronisation, memory), each beside its thread counterpart.
 */
#include "cmd.h"

#include "backend.h"
#include "costs.h"
#include "pin.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

enum { O_WORKERS, O_QUICK, O_OUT, O_PYTHON, O_INTERPRETER };

static const struct opt opts[] = {
	{ O_WORKERS, "workers", "N", "workers where a count applies (default: the cores)", 0 },
	{ O_QUICK, "quick", NULL, "fewer repetitions and smaller transfers", 0 },
	{ O_OUT, "out", "DIR", "results directory (default results/<date>-<time>-<host>-costs)", 0 },
	{ O_PYTHON, "python", NULL, "also the same price list in real CPython, each row beside its C\n"
				    "counterpart", 0 },
	{ O_INTERPRETER, "interpreter", "PATH", "the Python of --python, 3.9 or newer (default\n"
						"/usr/bin/python3)", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "costs",
	.synopsis = "[--workers N] [--quick] [--python] [--out DIR] [-- google-benchmark flags]",
	.about = "Measures what the tutorials say processes cost: start-up, dispatch per task,\n"
		 "copying, synchronisation and memory, each beside its thread counterpart.",
	.opts = opts,
	.tail = 1,
};

/* The command's state (struct command.state_size). */
struct costs_cmd {
	struct costs_opts o;
	const char *out;
	int python;
	const char *interpreter;
	const char *gb_argv[64];
	int gb_argc;
	struct costs res; /* the price list measured */
};

static void on_opt(void *ctx, const struct opt *op, const char *val)
{
	struct costs_cmd *c = ctx;

	if (op->id == O_WORKERS)
		c->o.workers = (unsigned)opt_u64("--workers", val, 1, BACKEND_MAX_WORKERS);
	else if (op->id == O_QUICK)
		c->o.quick = 1;
	else if (op->id == O_PYTHON)
		c->python = 1;
	else if (op->id == O_INTERPRETER)
		c->interpreter = val;
	else
		c->out = val;
}

static void costs_parse(void *state, int argc, char **argv)
{
	struct costs_cmd *c = state;
	struct opt_result r;

	opt_parse(&cli, argc, argv, 2, on_opt, c, &r);
	c->gb_argv[c->gb_argc++] = "parbench";
	c->gb_argv[c->gb_argc++] = c->o.quick ? "--benchmark_repetitions=3"
					      : "--benchmark_repetitions=7";
	for (int i = r.tail; i < argc && c->gb_argc < 64; i++)
		c->gb_argv[c->gb_argc++] = argv[i];
}

/* The CPython rows: each beside its C counterpart, and how much cheaper C is. */
static void print_python(const struct costs *res, const char *python)
{
	char a[32], b[32], d[32], e[32];

	printf("\n# real CPython (%s): the same price list in the interpreter, each row beside "
	       "its C counterpart measured above\n  %-42s %10s  %-21s %-4s  %-40s %8s  %s\n",
	       python, "cost", "CPython", "(min .. max)", "unit", "C counterpart", "C",
	       "C is N x cheaper");
	for (size_t i = 0; i < res->n; i++) {
		const struct cost_row *r = &res->rows[i];
		char range[48], cheaper[32] = "-";

		if (strcmp(r->group, "cpython") != 0)
			continue;
		if (r->failed) {
			printf("  %-42s FAILED\n", r->name);
			continue;
		}
		snprintf(range, sizeof(range), "(%s .. %s)", fmt_num(b, sizeof(b), r->min),
			 fmt_num(d, sizeof(d), r->max));
		if (r->c_median > 0 && r->never)
			snprintf(cheaper, sizeof(cheaper), "CPython never");
		else if (r->c_median > 0 && r->median > 0)
			snprintf(cheaper, sizeof(cheaper), "%.3gx", r->median / r->c_median);
		printf("  %-42s %10s  %-21s %-4s  %-40s %8s  %s\n      %s\n", r->name,
		       r->never ? "never" : fmt_num(a, sizeof(a), r->median), r->never ? "" : range,
		       r->unit, r->c_median > 0 ? r->c_name : "-",
		       r->c_median > 0 ? fmt_num(e, sizeof(e), r->c_median) : "-", cheaper, r->how);
	}
}

/* The C rows, group by group. EXIT_VERIFY if one failed, else 0. */
static int print_c(const struct costs *res, unsigned workers)
{
	const char *group = "";
	char a[32], b[32], d[32];
	int rc = 0;

	printf("# parbench costs: median of repetitions (min .. max); workers = %u where a "
	       "count applies\n", workers);
	for (size_t i = 0; i < res->n; i++) {
		const struct cost_row *r = &res->rows[i];

		if (strcmp(r->group, "cpython") == 0)
			continue;
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
	return rc;
}

/*
 * The C rows, then (--python) the CPython price list.  The interpreter is checked before
 * anything is measured (a usage error); if it fails later, or Ctrl-C / SIGTERM stops it,
 * the C rows are still printed and written, one line says what happened, and the status
 * is 1 (or 128 + the signal): the price list asked for is incomplete.
 */
static int costs_exec(void *state)
{
	struct costs_cmd *c = state;
	struct costs_opts o = c->o;
	struct costs *res = &c->res;
	struct pin_topo *topo = NULL;
	char dir[1024], err[512], py_err[512] = "";
	const char *out;
	int rc, py_rc = 0;

	if (c->python) {
		o.python = backend_python(c->interpreter);
		if (costs_python_check(o.python, err, sizeof(err)))
			usage_error("%s", err);
	}
	out = make_out_dir(c->out, "-costs", dir, sizeof(dir)); /* usage errors before anything */
	topo = load_topology();
	if (!topo)
		return EXIT_VERIFY;
	if (!o.workers)
		o.workers = pin_topo_cores(topo);
	o.topo = topo;
	rc = costs_run(res, &o, c->gb_argc, c->gb_argv, err, sizeof(err));
	pin_topo_free(topo);
	if (rc) {
		diag_line("%s", err);
		return EXIT_VERIFY;
	}
	if (o.python) {
		cmd_catch_signals(); /* from here a signal ends the interpreter's group first */
		o.stop = &stop_signal;
		py_rc = costs_python(res, &o, py_err, sizeof(py_err));
	}
	rc = print_c(res, o.workers);
	if (o.python && !py_rc)
		print_python(res, o.python);
	if (costs_write_csv(out, res)) {
		diag_line("cannot write %s/costs.csv", out);
		return EXIT_VERIFY;
	}
	printf("\nresults: %s/costs.csv\n", out);
	fflush(stdout);
	int sig = atomic_load(&stop_signal);

	if (sig) {
		diag_line("interrupted by %s; what was measured is saved in "
			"%s/costs.csv", sig == SIGINT ? "SIGINT" : "SIGTERM", out);
		return 128 + sig;
	}
	if (py_rc) {
		diag_line("%s; the C rows are saved in %s/costs.csv", py_err, out);
		return EXIT_VERIFY;
	}
	return rc;
}

const struct command cmd_costs = {
	.cli = &cli,
	.summary = "the price list: process and thread costs",
	.parse = costs_parse,
	.exec = costs_exec,
	.state_size = sizeof(struct costs_cmd),
};
