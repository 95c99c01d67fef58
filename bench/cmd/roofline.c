/*
 * roofline.c - parbench roofline: the roofs alone (core clock, copy bandwidth per worker
 * count), as a run measures them before its sweep.
 */
#include "cmd.h"

#include "kernel.h"
#include "pin.h"
#include "placement.h"
#include "roof.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { O_WORKERS, O_PIN, O_ISA };

static const struct opt opts[] = {
	{ O_WORKERS, "workers", "LIST", "worker counts (default 1, 2, 4, ... up to the cores)", 0 },
	{ O_PIN, "pin", "P", "none, compact (default), spread, or a PU list such as 0,2-3", 0 },
	{ O_ISA, "isa", "V", "the kernels' instruction-set variant (see parbench list)", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "roofline",
	.synopsis = "[--workers LIST] [--pin P] [--isa V]",
	.about = "Measures this machine's core clock (dependent adds) and copy bandwidth (bytes\n"
		 "read + written) with 1 worker and each of LIST, pinned by P.",
	.opts = opts,
};

static struct sweep_opts o;
static const char *pin;

static void on_opt(void *ctx, const struct opt *op, const char *val)
{
	(void)ctx;
	if (op->id == O_WORKERS)
		parse_workers(val, &o);
	else if (op->id == O_PIN)
		check_pin_list("--pin", pin = val);
	else
		set_variant(val, "--isa");
}

static void roofline_parse(void *state, int argc, char **argv)
{
	(void)state;
	struct opt_result r;

	pin = "compact";
	opt_parse(&cli, argc, argv, 2, on_opt, NULL, &r);
}

static int roofline_exec(void *state)
{
	(void)state;
	struct pin_topo *topo = NULL;
	static struct roof roof;
	char cpu[256], desc[256];
	int rc;

	topo = load_topology();
	if (!topo)
		return EXIT_VERIFY;
	if (o.n_workers == 0)
		o.n_workers = placement_default_workers(topo, 0, o.workers, SWEEP_MAX_LIST);
	rc = roof_measure(&roof, topo, pin, o.workers, o.n_workers);
	if (rc == -EINVAL)
		bad_pin(topo, pin);
	if (rc) {
		diag_line("cannot measure the copy bandwidth: %s", strerror(-rc));
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

const struct command cmd_roofline = { &cli, "this machine's limits: clock, copy bandwidth", 0,
				      roofline_parse, roofline_exec, 0 };
