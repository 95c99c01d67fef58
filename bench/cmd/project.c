/*
 * project.c - parbench project DIR --nodes N --link RATE,LATENCY: the kernels' speedups on a
 * machine or cluster this one is not, from a run's scaling model (bench/report/model.c,
 * scale.h), labelled as projections with the model's error measured on that run.
 *
 * Per kernel and parallel backend with two or more worker counts in the run: the model is
 * fitted on all its rows (compute / CPUs + serial); the projection puts N nodes x C cores
 * of workers on it, plus what the backend moves at that worker count by its own rules
 * (backend.link_at: bytes crossing between nodes at RATE, one-way latencies at LATENCY).
 * Backends whose workers share one machine's memory are projected only for --nodes 1, with
 * the links they measured in the run (pipes: the same bytes).  The speedup is against the
 * run's median of the backend's baseline of that kernel and size, measured in the same
 * interpreter (serial; the CPython rows: cpython, the free-threaded ones cpython-ft), never
 * across C and CPython even at equal sizes.  Nothing is measured here.
 */
#include "cmd.h"

#include "report.h"
#include "runload.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RATE is a line rate: TCP over Ethernet (MTU 1500) carries 1448 bytes of payload in every
 * 1538 on the wire (1500 + header, preamble, gap and check of 38) */
#define PAYLOAD_SHARE (1448.0 / 1538.0)

enum { O_NODES, O_LINK, O_CORES };

static const struct opt opts[] = {
	{ O_NODES, "nodes", "N", "nodes of the projected machine or cluster (1 to 4096)", 0 },
	{ O_LINK, "link", "RATE,LATENCY", "the links between nodes: 10gbit,2us; 1gbit,50us;\n"
	  "RATE in kbit, mbit, gbit or bytes per second (B), LATENCY one-way in ns, us, ms, s", 0 },
	{ O_CORES, "cores", "C", "cores per node (default: the run's machine's)", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "project",
	.synopsis = "DIR --nodes N --link RATE,LATENCY [--cores C]",
	.about = "Projects the speedups of a run's kernels to N nodes of C cores joined by links of\n"
		 "RATE and LATENCY, from the run's scaling model; every line is a projection, not a\n"
		 "measurement, and carries the model's error on the run's own held-out rows.",
	.opts = opts,
	.max_pos = 1,
};

/* The command's state (struct command.state_size). */
struct project_cmd {
	const char *dir;
	unsigned nodes, cores;
	double rate, latency; /* bytes per second, seconds */
	const char *link;
	struct loaded_run lr;
};

/* A number with one of the units' suffixes (factor each); -1 if not one. */
static double with_unit(const char *s, const char *const *units, const double *factor)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v >= 0) || isinf(v))
		return -1;
	for (size_t i = 0; units[i]; i++)
		if (strcmp(end, units[i]) == 0)
			return v * factor[i];
	return -1;
}

static void parse_link(struct project_cmd *pj, const char *val)
{
	static const char *const rate_u[] = { "kbit", "mbit", "gbit", "B", NULL };
	static const double rate_f[] = { 1e3 / 8, 1e6 / 8, 1e9 / 8, 1 };
	static const char *const lat_u[] = { "ns", "us", "ms", "s", NULL };
	static const double lat_f[] = { 1e-9, 1e-6, 1e-3, 1 };
	const char *comma = strchr(val, ',');
	char rate[64];

	if (!comma || (size_t)(comma - val) >= sizeof(rate))
		usage_error("bad value '%s' for --link (RATE,LATENCY such as 10gbit,2us)", val);
	memcpy(rate, val, (size_t)(comma - val));
	rate[comma - val] = '\0';
	pj->rate = with_unit(rate, rate_u, rate_f);
	pj->latency = with_unit(comma + 1, lat_u, lat_f);
	if (!(pj->rate > 0) || pj->latency < 0 || pj->latency > 10)
		usage_error("bad value '%s' for --link (RATE,LATENCY such as 10gbit,2us: a rate "
			    "above 0 in kbit, mbit, gbit or B, a latency in ns, us, ms or s)", val);
	pj->link = val;
}

static unsigned parse_count(const char *val, const char *name, unsigned max)
{
	char *end;
	unsigned long v = strtoul(val, &end, 10);

	if (end == val || *end || v < 1 || v > max || val[0] == '-')
		usage_error("bad value '%s' for --%s (a whole number, 1 to %u)", val, name, max);
	return (unsigned)v;
}

static void on_opt(void *ctx, const struct opt *o, const char *val)
{
	struct project_cmd *pj = ctx;

	if (o->id == O_NODES)
		pj->nodes = parse_count(val, "nodes", 4096);
	else if (o->id == O_CORES)
		pj->cores = parse_count(val, "cores", 4096);
	else
		parse_link(pj, val);
}

static void project_parse(void *state, int argc, char **argv)
{
	struct project_cmd *pj = state;
	struct opt_result r;

	memset(pj, 0, sizeof(*pj));
	opt_parse(&cli, argc, argv, 2, on_opt, pj, &r);
	if (r.n_pos != 1)
		usage_error("project takes one run directory (parbench project DIR --nodes N "
			    "--link RATE,LATENCY)");
	if (!pj->nodes || !pj->link)
		usage_error("project needs --nodes N and --link RATE,LATENCY");
	pj->dir = r.pos[0];
}

/* The job's volume in and out as b's rows of i..j measured it (0: not known). */
static uint64_t volume_of(const struct sweep *sw, size_t i, size_t j, const struct backend *b)
{
	for (size_t a = i; a < j; a++)
		if (sw->rows[a].b == b && sw->rows[a].volume_bytes)
			return sw->rows[a].volume_bytes;
	return 0;
}

/* One backend of one table: 1 if a line was printed. */
static int project_one(const struct project_cmd *pj, const struct sweep *sw, size_t i, size_t j,
		       const struct backend *b)
{
	const struct sweep_row *base_row;
	struct model_check mc;
	unsigned workers = pj->nodes * pj->cores;
	double link_s, t;
	uint64_t bytes = 0, messages = 0;
	char tt[32], how[200];

	if (model_check(sw, i, j, b, &mc))
		return 0;
	base_row = row_baseline(sw, mc.held);
	if (b->link_at) {
		uint64_t volume = volume_of(sw, i, j, b);

		if (!volume && mc.link_unknown) {
			printf("  %-18s not projected: what its runs move is unknown (the run's link "
			       "probe failed)\n", b->name);
			return 1;
		}

		link_s = b->link_at(workers, pj->nodes, volume, pj->rate * PAYLOAD_SHARE,
				    pj->latency, &bytes, &messages);
		snprintf(how, sizeof(how), "%.1f MB between nodes + %llu latencies",
			 (double)bytes * 1e-6, (unsigned long long)messages);
	} else if (pj->nodes == 1) {
		link_s = mc.held->link_unknown ? 0 : mc.held->link_s; /* one machine: as measured */
		snprintf(how, sizeof(how), "one node: %s", mc.held->link_unknown
			 ? "link cost unknown (the run's link probe failed), left out"
			 : link_s > 0 ? "the run's measured pipes" : "shared memory");
	} else {
		printf("  %-18s not projected: its workers share one machine's memory (--nodes 1)\n",
		       b->name);
		return 1;
	}
	t = scale_predict(&mc.all, model_gil_bound(mc.held) ? 1 : workers, link_s);
	printf("  %-18s %5u workers  %11s  %7.2fx   %+6.1f%% (%u at %u)   %s\n", b->name, workers,
	       text_time(tt, sizeof(tt), t), base_row ? base_row->median / t : NAN,
	       mc.error * 100,
	       mc.held->workers, (unsigned)model_row_cpus(mc.held, sw), how);
	return 1;
}

static int project_exec(void *state)
{
	struct project_cmd *pj = state;
	struct loaded_run *lr = &pj->lr;
	char err[600];
	int printed = 0;
	const struct sweep *sw;

	if (run_load(pj->dir, lr, err, sizeof(err)))
		usage_error("%s", err);
	sw = &lr->sw;
	if (!pj->cores)
		pj->cores = sw->cores ? sw->cores : 1;
	if ((unsigned long)pj->nodes * pj->cores > BACKEND_MAX_WORKERS) {
		run_free(lr);
		usage_error("--nodes %u x --cores %u is more than %d workers", pj->nodes, pj->cores,
			    BACKEND_MAX_WORKERS);
	}
	printf("PROJECTION, NOT MEASURED: %u node%s x %u cores, links %s (payload %.4g MB/s: "
	       "%.1f%% of the line rate, TCP over Ethernet; one-way %.4g us), from the scaling "
	       "model of %s (%s, %s)\n", pj->nodes, pj->nodes == 1 ? "" : "s", pj->cores, pj->link,
	       pj->rate * PAYLOAD_SHARE * 1e-6, 100 * PAYLOAD_SHARE, pj->latency * 1e6, pj->dir,
	       lr->host, lr->date);
	for (size_t i = 0; i < sw->n_rows && !sw->weak;) {
		size_t j = group_end(sw, i);
		int head = 0, py = (sw->rows[i].b->caps & BACKEND_CAP_PYTHON) != 0;

		for (size_t a = i; a < j; a++) {
			const struct backend *b = sw->rows[a].b;
			int first = 1;

			for (size_t x = i; x < a; x++)
				first &= sw->rows[x].b != b;
			if (!first)
				continue;
			if (!head) {
				printf("\n# %s%s (size %llu): projected time and speedup against "
				       "%s in the run; model error: on the run's largest worker count "
				       "(workers at CPUs), fitted without it\n", sw->rows[i].k->name,
				       py ? " in CPython" : "", (unsigned long long)sw->rows[i].size,
				       py ? "cpython (cpython-threads-ft: cpython-ft), each in its "
				       "own interpreter" : "serial");
				printf("  %-18s %13s  %11s  %8s   %-18s   %s\n", "backend", "workers",
				       "time", "speedup", "model error", "links");
				head = 1;
			}
			printed += project_one(pj, sw, i, j, b);
		}
		i = j;
	}
	if (!printed)
		printf("nothing to project: no parallel backend has two or more worker counts in "
		       "%s (the model is fitted on them)\n", pj->dir);
	else
		printf("\nnote: projections assume compute that divides over the cores (no caches, "
		       "memory bandwidth or contention beyond the run's own) and the links' bytes "
		       "and latencies by each backend's rules; the model error says how far the same "
		       "model missed a measured row of this run\n");
	run_free(lr);
	return 0;
}

const struct command cmd_project = { &cli, "project a run's speedups to other machines and "
				     "clusters (a model, labelled)", 0, project_parse,
				     project_exec, sizeof(struct project_cmd) };
