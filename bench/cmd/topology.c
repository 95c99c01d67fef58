/*
 * topology.c - parbench topology: the machine as hwloc sees it (the CPUs this process may
 * use, or with HWLOC_SYNTHETIC / HWLOC_XMLFILE another machine), and where a pin plan puts
 * each worker.
 */
#include "cmd.h"

#include "backend.h"
#include "pin.h"
#include "placement.h"

#include <stdio.h>
#include <string.h>

enum { O_WORKERS, O_PIN };

static const struct opt opts[] = {
	{ O_WORKERS, "workers", "N", "workers to place (default: the cores)", 0 },
	{ O_PIN, "pin", "P", "none, compact (default), compact-smt, spread, or a PU list such as\n"
			     "0,2-3", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "topology",
	.synopsis = "[--workers N] [--pin P]",
	.about = "Shows the machine as hwloc sees it (the CPUs this process may use) and where\n"
		 "the pin policy P puts each of N workers.",
	.opts = opts,
};

/* The command's state (struct command.state_size). */
struct topology_cmd {
	const char *pin;
	unsigned workers;
	struct pin_plan plan; /* where the workers go */
};

static void on_opt(void *ctx, const struct opt *o, const char *val)
{
	struct topology_cmd *t = ctx;

	if (o->id == O_WORKERS)
		t->workers = (unsigned)opt_u64("--workers", val, 1, BACKEND_MAX_WORKERS);
	else
		check_pin_list("--pin", t->pin = val);
}

static void topology_parse(void *state, int argc, char **argv)
{
	struct topology_cmd *t = state;
	struct opt_result r;

	t->pin = "compact";
	t->workers = 0;
	opt_parse(&cli, argc, argv, 2, on_opt, t, &r);
}

/* Workers that share a PU, or a core through its SMT siblings. */
static void print_sharing(const struct pin_plan *plan)
{
	unsigned o = plan->oversubscribed, s = plan->smt_shared;

	if (o)
		printf("warning: %u worker%s share%s a PU with another worker: fine for "
		       "correctness, meaningless for speed\n", o, o == 1 ? "" : "s", o == 1 ? "s" : "");
	if (s && !o)
		printf("note: %u worker%s share%s a core with another worker, each on a PU of its "
		       "own (SMT siblings): they compete for the core (tables mark such rows s)\n",
		       s, s == 1 ? "" : "s", s == 1 ? "s" : "");
}

/* The machine as hwloc sees it, and where a pin plan puts each worker. */
static int topology_exec(void *state)
{
	struct topology_cmd *t = state;
	const char *pin = t->pin;
	unsigned workers = t->workers;
	struct pin_plan *plan = &t->plan;
	struct pin_topo *topo = NULL;
	char buf[2048], cpu[256], what[320];

	topo = load_topology();
	if (!topo)
		return EXIT_VERIFY;
	if (placement_check_topology(topo, buf, sizeof(buf))) {
		pin_topo_free(topo);
		usage_error("%s", buf);
	}
	if (!workers)
		workers = pin_topo_cores(topo);
	if (pin_plan_make(topo, pin, workers, plan) != 0)
		bad_pin(topo, pin);
	read_first_line("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	pin_topo_describe(topo, buf, sizeof(buf));
	if (pin_topo_this_system(topo, what, sizeof(what))) {
		printf("machine: %s\n", buf);
		printf("cpu:     %s\n", cpu[0] ? cpu : "unknown");
	} else {
		printf("machine: %s, from %s (not this machine)\n", buf, what);
	}
	printf("plan:    %s, %u worker%s\n", pin, workers, workers == 1 ? "" : "s");
	placement_describe(topo, plan, buf, sizeof(buf));
	printf("placed:  %s\n", buf);
	for (unsigned i = 0; i < workers; i++) {
		pin_pu_describe(topo, plan->pu[i], buf, sizeof(buf));
		printf("  worker %-4u %s\n", i, buf);
	}
	print_sharing(plan);
	pin_topo_free(topo);
	return 0;
}

const struct command cmd_topology = {
	.cli = &cli,
	.summary = "this machine's cores and a pin plan",
	.parse = topology_parse,
	.exec = topology_exec,
	.state_size = sizeof(struct topology_cmd),
};
