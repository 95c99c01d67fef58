/*
 * rank.c - an MPI rank measuring a plan (rank.h), and the hidden command `parbench rank
 * PLAN` that `parbench run` has mpirun start once per MPI backend and worker count.  The
 * plan is all a rank is told: it is read and checked before anything runs (a bad one is a
 * usage error, exit 2), and the rank runs exactly what it says.  Rank 0 writes the rows
 * where the plan is, as a run directory (summary.csv, samples.csv, meta.json, gbench.json,
 * topology.xml), which the run reads back with the reader `parbench report` uses.  No table,
 * no report, no roof and no calibration here: the run that wrote the plan does those.
 */
#include "rank.h"

#include "cmd.h"
#include "imgio.h"
#include "kernel.h"
#include "launch.h"
#include "pin.h"
#include "report.h"
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rank_prepare(struct rank_run *rr)
{
	const struct rank_plan *p = rr->plan;
	struct sweep_opts *o = &rr->o;
	char err[512];

	if (rr->rank > 0 && !freopen("/dev/null", "w", stdout))
		return EXIT_VERIFY; /* rank 0 says what is said */
	if (strcmp(p->isa, "best") == 0)
		kernel_variant_set(NULL); /* the plan's, not an environment's */
	else
		set_variant(p->isa, "the rank plan's isa");
	if (p->image[0] && imgio_load(p->image, &rr->image, err, sizeof(err)))
		usage_error("%s", err);
	if (!(rr->topo = load_topology()))
		return EXIT_VERIFY;
	if (pin_plan_make(rr->topo, p->pin, 1, &rr->probe) != 0)
		bad_pin(rr->topo, p->pin);
	memset(o, 0, sizeof(*o));
	memcpy(o->kernels, p->kernels, sizeof(o->kernels));
	memcpy(o->kernel_sizes, p->kernel_sizes, sizeof(o->kernel_sizes));
	memcpy(o->sizes, p->sizes, sizeof(o->sizes));
	memcpy(o->backends, p->backends, sizeof(o->backends));
	memcpy(o->workers, p->workers, sizeof(o->workers));
	o->n_kernels = p->n_kernels;
	o->n_sizes = p->n_sizes;
	o->n_backends = p->n_backends;
	o->n_workers = p->n_workers;
	o->weak = p->weak;
	o->kp = (struct kernel_params){ .tasks = p->tasks, .sleep_us = p->sleep_us,
					.quick = p->quick,
					.image = p->image[0] ? &rr->image : NULL };
	o->schedule = p->schedule;
	o->chunk = p->chunk;
	o->pin = p->pin;
	o->topo = rr->topo;
	o->no_scatter = !p->scatter;
	o->min_time_s = p->min_time_s;
	o->timeout_s = p->timeout_s;
	o->repetitions = p->repetitions;
	o->budget_s = p->budget_s;
	o->precision = DEFAULT_PRECISION;
	o->no_baseline = 1;   /* the MPI backends only: the run has the serial rows */
	o->deterministic = 1; /* every rank makes the same choices */
	o->corrupt_kernel = p->corrupt[0] ? p->corrupt : NULL;
	o->hang_case = p->hang[0] ? p->hang : NULL;
	o->crash_case = p->crash[0] ? p->crash : NULL;
	o->link_fail = p->link_fail[0] ? p->link_fail : NULL;
	o->stop = &stop_signal;
	return 0;
}

/* A hang, when the caller has no hook: said, and this rank ends (mpirun ends the others). */
static void hang_exit(const struct sweep_row *row, const char *reason, void *arg)
{
	(void)arg;
	diag_line("%s / %s / %u workers: %s; its threads cannot be stopped, so the rank ends "
		  "here", row->k->name, row->b->name, row->workers, reason);
	_exit(atomic_load(&stop_signal) ? 128 + atomic_load(&stop_signal) : EXIT_VERIFY);
}

int rank_sweep(struct rank_run *rr)
{
	const struct rank_plan *p = rr->plan;
	const char *gb_argv[RANK_PLAN_GB_MAX + 8];
	char err[512], rep[64], out[4200];
	int n = 0, rc;

	gb_argv[n++] = "parbench";
	if (p->repetitions) {
		snprintf(rep, sizeof(rep), "--benchmark_repetitions=%u", p->repetitions);
		gb_argv[n++] = rep;
	}
	if (rr->rank == 0) { /* one rank writes */
		snprintf(out, sizeof(out), "--benchmark_out=%s/.gbench.json.tmp", rr->dir);
		gb_argv[n++] = out;
		gb_argv[n++] = "--benchmark_out_format=json";
	}
	for (size_t i = 0; i < p->n_gbench; i++) /* after ours: they override them */
		gb_argv[n++] = p->gbench[i];
	rr->o.hang = rr->hang ? rr->hang : hang_exit;
	rr->o.hang_arg = rr->hang_arg;
	rc = sweep_run(rr->sw, &rr->o, n, gb_argv, 0, NULL, NULL, err, sizeof(err));
	if (rc == -ERANGE || rc == -EINVAL)
		usage_error("%s", err);
	if (rc) {
		diag_line("%s", err);
		return EXIT_VERIFY;
	}
	return rr->sw->failures ? EXIT_VERIFY : 0;
}

void rank_release(struct rank_run *rr)
{
	if (rr->topo)
		pin_topo_free(rr->topo);
	rr->topo = NULL;
	if (rr->image.px)
		imgio_free(&rr->image);
}

/* The command's state (struct command.state_size). */
struct rank_cmd {
	char plan_path[4096], dir[4096], args[4200];
	struct rank_plan plan;
	struct rank_run run;
	struct sweep sw;
	struct run_meta meta;
	struct machine_state mstate;
	char topo_desc[256];
	struct machine_facts facts;
};

static const struct opt_cmd rank_cli = {
	.name = "rank",
	.synopsis = "PLAN",
	.about = "For parbench run, under mpirun: measures what the plan file PLAN says (its MPI\n"
		 "rows) and, on rank 0, writes them beside it.",
	.max_pos = 1,
	.pos_name = "plan files",
};

static void rank_parse(void *state, int argc, char **argv)
{
	struct rank_cmd *c = state;
	struct opt_result r;
	char err[512];
	const char *slash;

	opt_parse(&rank_cli, argc, argv, 2, opt_none, NULL, &r);
	if (r.n_pos != 1)
		usage_error("rank takes one plan file (parbench rank PLAN; parbench run writes "
			    "it)");
	if (strlen(r.pos[0]) >= sizeof(c->plan_path))
		usage_error("rank plan '%.40s...': the name is too long", r.pos[0]);
	snprintf(c->plan_path, sizeof(c->plan_path), "%s", r.pos[0]);
	if (rank_plan_read(c->plan_path, &c->plan, err, sizeof(err)) != 0)
		usage_error("rank plan '%.200s': %s", c->plan_path, err);
	if (launch_rank() < 0)
		usage_error("rank runs under mpirun, which parbench run starts with a plan");
	slash = strrchr(c->plan_path, '/');
	snprintf(c->dir, sizeof(c->dir), "%.*s", slash ? (int)(slash - c->plan_path) : 1,
		 slash ? c->plan_path : ".");
	if (!c->dir[0])
		snprintf(c->dir, sizeof(c->dir), "/");
	snprintf(c->args, sizeof(c->args), "parbench rank %s", c->plan_path);
}

/* meta.json's machine and invocation, before the sweep. */
static void begin_meta(struct rank_cmd *c)
{
	machine_facts_read(&c->facts);
	pin_topo_describe(c->run.topo, c->topo_desc, sizeof(c->topo_desc));
	c->meta = (struct run_meta){ .host = c->facts.host, .date = c->facts.date,
				     .args = c->args, .cpu_model = c->facts.cpu_model,
				     .topology = c->topo_desc, .governor = c->facts.governor,
				     .pin = c->plan.pin,
				     .cores = pin_topo_cores(c->run.topo),
				     .pus = pin_topo_pus(c->run.topo), .quick = c->plan.quick,
				     .repetitions = c->plan.repetitions ? (int)c->plan.repetitions
									: SWEEP_MIN_REPS };
	read_load(c->meta.load_before);
	machine_begin(&c->mstate);
	c->meta.machine = &c->mstate;
}

/* Rank 0's files beside the plan.  0, or -1 after saying why. */
static int write_files(struct rank_cmd *c)
{
	char src[4200], dst[4200];
	int rc, e = 0; /* the first error's errno, saved before another call can change it */

	read_load(c->meta.load_after);
	machine_end(&c->mstate);
	snprintf(src, sizeof(src), "%s/.gbench.json.tmp", c->dir);
	snprintf(dst, sizeof(dst), "%s/gbench.json", c->dir);
	if (rename(src, dst) != 0 && errno != ENOENT)
		e = errno;
	snprintf(src, sizeof(src), "%s/.topology.xml.tmp", c->dir);
	snprintf(dst, sizeof(dst), "%s/topology.xml", c->dir);
	if ((rc = pin_topo_export_xml(c->run.topo, src)) != 0 || rename(src, dst) != 0) {
		rc = rc ? -rc : errno;
		e = e ? e : rc;
	}
	/* meta.json last: the mark of a whole run directory */
	if ((rc = rundir_write_summary(c->dir, &c->sw, NULL)) != 0 ||
	    (rc = rundir_write_samples(c->dir, &c->sw)) != 0 ||
	    (rc = rundir_write_meta(c->dir, &c->sw, &c->meta)) != 0)
		e = e ? e : -rc;
	if (e)
		diag_line("cannot write the rank's results in '%s': %s", c->dir, strerror(e));
	return e ? -1 : 0;
}

/* A hang in threads that cannot be stopped: rank 0 saves what was measured before. */
static void rank_on_hang(const struct sweep_row *row, const char *reason, void *arg)
{
	struct rank_cmd *c = arg;
	char gb[4200];

	diag_line("%s / %s / %u workers: %s; its threads cannot be stopped, so the rank ends "
		  "here", row->k->name, row->b->name, row->workers, reason);
	sweep_evaluate(&c->sw);
	snprintf(gb, sizeof(gb), "%s/.gbench.json.tmp", c->dir);
	unlink(gb); /* Google Benchmark's own file is incomplete */
	if (c->run.rank == 0 && write_files(c) == 0)
		diag_line("what was measured before is saved in %s", c->dir);
	/* from the watchdog thread, with the workers still running: no exit handlers */
	_exit(atomic_load(&stop_signal) ? 128 + atomic_load(&stop_signal) : EXIT_VERIFY);
}

static int rank_exec(void *state)
{
	struct rank_cmd *c = state;
	struct rank_run *rr = &c->run;
	int status, sig;

	*rr = (struct rank_run){ .plan = &c->plan, .rank = launch_rank(), .dir = c->dir,
				 .sw = &c->sw, .hang = rank_on_hang, .hang_arg = c };
	status = rank_prepare(rr);
	if (status)
		goto out;
	begin_meta(c);
	cmd_catch_signals();
	status = rank_sweep(rr);
	if (rr->rank == 0 && (status == 0 || c->sw.rows) && write_files(c))
		status = EXIT_VERIFY;
	for (size_t i = 0; rr->rank == 0 && i < c->sw.n_rows; i++) { /* why, for the run */
		const struct sweep_row *row = &c->sw.rows[i];

		if (row->failed)
			diag_line("FAILED %s / %s / %u workers: %s", row->k->name, row->b->name,
				  row->workers, row->error);
	}
	sig = atomic_load(&stop_signal);
	if (sig)
		status = 128 + sig;
out:
	sweep_free(&c->sw);
	rank_release(rr);
	return status;
}

const struct command cmd_rank = {
	.cli = &rank_cli,
	.summary = "(for parbench run, under mpirun: the MPI rows of a plan)",
	.hidden = 1,
	.parse = rank_parse,
	.exec = rank_exec,
	.state_size = sizeof(struct rank_cmd),
};
