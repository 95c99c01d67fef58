/*
 * roofline.c - parbench roofline: the roofs alone, as a run measures them before its sweep
 * (core clock, copy bandwidth per worker count with ordinary and streaming stores, each
 * filter's compute ceiling), after timing each kernel's variants; with --filters, each
 * filter in every variant beside a memcpy of the same bytes, to re-measure on a quiet
 * machine.
 */
#include "cmd.h"

#include "kernel.h"
#include "pick.h"
#include "pin.h"
#include "placement.h"
#include "roof.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ROOFLINE_SIDE 4096 /* --filters: the default picture's side, as run's */

enum { O_WORKERS, O_PIN, O_ISA, O_FILTERS, O_SIZE };

static const struct opt opts[] = {
	{ O_WORKERS, "workers", "LIST", "worker counts (default 1, 2, 4, ... up to the cores)", 0 },
	{ O_PIN, "pin", "P", "none, compact (default), spread, or a PU list such as 0,2-3", 0 },
	{ O_ISA, "isa", "V", "the kernels' instruction-set variant (see parbench list)", 0 },
	{ O_FILTERS, "filters", NULL, "then each filter in every variant, serial: in cache, from\n"
				      "memory (ordinary and streaming stores) and a memcpy of the\n"
				      "same bytes", 0 },
	{ O_SIZE, "size", "N", "--filters: the picture's side (default 4096)", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "roofline",
	.synopsis = "[--workers LIST] [--pin P] [--isa V] [--filters [--size N]]",
	.about = "Times each kernel's variants on in-cache tiles and keeps the fastest (as run\n"
		 "does), then measures this machine's core clock (dependent multiplies), copy\n"
		 "bandwidth (bytes read + written; ordinary and streaming stores) and each\n"
		 "filter's compute ceiling (its in-cache rate) with 1 worker and each of LIST,\n"
		 "pinned by P.",
	.opts = opts,
};

/* The command's state (struct command.state_size). */
struct roofline_cmd {
	struct sweep_opts o;
	const char *pin;
	int filters;
	uint64_t side;
	struct pick pk;        /* the variants timed */
	struct pin_plan plan;  /* a worker count's, to check the pin policy */
	struct roof roof;
};

static void on_opt(void *ctx, const struct opt *op, const char *val)
{
	struct roofline_cmd *c = ctx;

	if (op->id == O_WORKERS)
		parse_workers(val, &c->o);
	else if (op->id == O_PIN)
		check_pin_list("--pin", c->pin = val);
	else if (op->id == O_FILTERS)
		c->filters = 1;
	else if (op->id == O_SIZE)
		c->side = opt_u64("--size", val, 1, 16384);
	else
		set_variant(val, "--isa");
}

static void roofline_parse(void *state, int argc, char **argv)
{
	struct roofline_cmd *c = state;
	struct opt_result r;

	c->pin = "compact";
	opt_parse(&cli, argc, argv, 2, on_opt, c, &r);
	if (c->side && !c->filters)
		usage_error("--size is for --filters");
}

/* Each filter in every variant, on one pinned worker; '*' marks the variant in use. */
static int print_filters(const struct roofline_cmd *c, const struct pin_topo *topo)
{
	const struct roof *roof = &c->roof;
	struct pin_plan one;
	uint64_t s = c->side ? c->side : ROOFLINE_SIDE;
	double mib = 2.0 * 3.0 * (double)s * (double)s / (1 << 20);

	if (pin_plan_make(topo, c->pin, 1, &one) == 0)
		pin_bind_self(topo, one.pu[0]);
	printf("\nfilters, serial, %llu x %llu picture (%.0f MiB read + written; the LLC: %.0f MiB); "
	       "GB/s read + written, best of 7, each filter in turn with a memcpy of its bytes; "
	       "x roof: in cache / the copy bandwidth (1 worker, ordinary stores); * in use\n",
	       (unsigned long long)s, (unsigned long long)s, mib,
	       (double)pin_topo_l3_bytes(topo) / (1 << 20));
	printf("  %-10s %-12s %9s %7s %12s %8s %10s %8s %8s\n", "kernel", "variant", "in cache",
	       "x roof", "from memory", "%memcpy", "streaming", "%memcpy", "memcpy");
	for (const struct kernel *const *k = kernel_all(); *k; k++) {
		struct roof_filter_row rows[PICK_MAX_VARIANTS];
		const char *chosen = kernel_variant_of((*k)->name);
		size_t n = 0;
		int rc;

		if (!(*k)->span || !chosen)
			continue;
		rc = roof_filters(*k, s, rows, PICK_MAX_VARIANTS, &n);
		if (rc) {
			diag_line("cannot measure %s: %s", (*k)->name, strerror(-rc));
			return EXIT_VERIFY;
		}
		for (size_t i = 0; i < n; i++)
			printf("  %-10s %-10s %c %9.1f %6.2fx %12.1f %7.0f%% %10.1f %7.0f%% %8.1f\n",
			       (*k)->name, rows[i].variant, strcmp(rows[i].variant, chosen) ? ' ' : '*',
			       rows[i].tile_bps * 1e-9, rows[i].tile_bps / roof->copy_bps[0],
			       rows[i].memory_bps * 1e-9, 100 * rows[i].memory_bps / rows[i].memcpy_bps,
			       rows[i].stream_bps * 1e-9, 100 * rows[i].stream_bps / rows[i].memcpy_bps,
			       rows[i].memcpy_bps * 1e-9);
	}
	return 0;
}

static size_t kernels_n(void)
{
	size_t n = 0;

	while (kernel_all()[n])
		n++;
	return n;
}

/* The variants in use: timed (pick), or forced. */
static int pick_variants(struct roofline_cmd *c)
{
	struct pick *pk = &c->pk;
	char err[256];

	if (variant_forced) {
		printf("variants: %s, forced\n", variant_forced);
		return 0;
	}
	if (pick_run(pk, kernel_all(), kernels_n(), err, sizeof(err))) {
		diag_line("%s", err);
		return EXIT_VERIFY;
	}
	printf("variants, timed on in-cache tiles (%.2f s):", pk->seconds);
	for (size_t i = 0; i < pk->n; i++)
		printf("%s %s %s", i ? "," : "", pk->k[i].k->name, pk->k[i].chosen);
	printf("\n");
	return 0;
}

static int roofline_exec(void *state)
{
	struct roofline_cmd *c = state;
	struct sweep_opts *o = &c->o;
	const char *pin = c->pin;
	struct roof *roof = &c->roof;
	struct pin_topo *topo = NULL;
	char cpu[256], desc[256];
	int rc;

	topo = load_topology();
	if (!topo)
		return EXIT_VERIFY;
	if (o->n_workers == 0)
		o->n_workers = placement_default_workers(topo, 0, o->workers, SWEEP_MAX_LIST);
	for (size_t i = 0; i < o->n_workers; i++) { /* a bad policy: one line, before any output */
		if (pin_plan_make(topo, pin, o->workers[i], &c->plan) == -EINVAL)
			bad_pin(topo, pin);
	}
	read_first_line("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	pin_topo_describe(topo, desc, sizeof(desc));
	printf("machine: %s; %s; kernels' default variant %s; pin %s\n",
	       cpu[0] ? cpu : "unknown CPU", desc, kernel_variant(), pin);
	fflush(stdout);
	rc = pick_variants(c);
	if (rc == 0) {
		rc = roof_measure(roof, topo, pin, o->workers, o->n_workers);
		if (rc == -EINVAL)
			bad_pin(topo, pin);
		if (rc)
			diag_line("cannot measure the copy bandwidth: %s", strerror(-rc));
		else if ((rc = roof_measure_compute(roof, topo, pin, kernel_all(), kernels_n())))
			diag_line("cannot measure the filters' compute ceiling: %s", strerror(-rc));
		rc = rc ? EXIT_VERIFY : 0;
	}
	if (rc == 0) {
		roof_print(stdout, roof);
		roof_print_compute(stdout, roof);
		printf("measured in %.2f s\n", roof->seconds);
		if (c->filters)
			rc = print_filters(c, topo);
	}
	pin_topo_free(topo);
	return rc;
}

const struct command cmd_roofline = { &cli,
				      "this machine's limits: clock, copy bandwidth, the filters' "
				      "compute ceilings",
				      0, roofline_parse, roofline_exec,
				      sizeof(struct roofline_cmd) };
