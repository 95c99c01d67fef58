/*
 * run_ranks.c - the run's side of the ranks' plan (rank_plan.h): the plan made from the
 * run's options, once they are prepared (the sizes calibrated or given, the defaults
 * settled, the test hooks read), for the launches run_mpi.c starts; and `parbench run`
 * started by mpirun or srun itself, where every rank makes that plan from the same options
 * and measures it as `parbench rank` would (rank.h), and rank 0 writes the run.
 */
#include "run.h"

#include "kernel.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The hook's text, or "" for none. */
static void hook(char *dst, size_t len, const char *v)
{
	snprintf(dst, len, "%s", v ? v : "");
}

void run_rank_plan(const struct run_cmd *r, struct rank_plan *p)
{
	const struct sweep_opts *o = &r->o;
	const char *isa_env = getenv("PARBENCH_ISA");
	char real[PATH_MAX];

	memset(p, 0, sizeof(*p));
	memcpy(p->kernels, o->kernels, sizeof(p->kernels));
	p->n_kernels = o->n_kernels;
	if (!o->n_sizes && !r->image_path) /* this run's sizes: given or calibrated (a
					    * picture's are its own) */
		memcpy(p->kernel_sizes, o->kernel_sizes, sizeof(p->kernel_sizes));
	memcpy(p->sizes, o->sizes, sizeof(p->sizes));
	p->n_sizes = o->n_sizes;
	p->weak = o->weak;
	p->tasks = o->kp.tasks;
	p->sleep_us = o->kp.sleep_us;
	p->quick = o->kp.quick;
	memcpy(p->backends, o->backends, sizeof(p->backends));
	p->n_backends = o->n_backends;
	memcpy(p->workers, o->workers, sizeof(p->workers));
	p->n_workers = o->n_workers;
	p->schedule = o->schedule;
	p->chunk = o->chunk;
	snprintf(p->pin, sizeof(p->pin), "%s", r->pin);
	p->repetitions = (unsigned)r->repetitions;
	p->budget_s = r->repetitions ? 0 : r->budget;
	p->min_time_s = o->min_time_s;
	p->timeout_s = o->timeout_s;
	/* a variant asked for is every rank's; else each host runs its best, as the run does */
	snprintf(p->isa, sizeof(p->isa), "%s",
		 r->isa || (isa_env && *isa_env) ? kernel_variant() : "best");
	/* the picture the run loaded, by a name that does not depend on the ranks' folder */
	if (r->image_path)
		snprintf(p->image, sizeof(p->image), "%s",
			 realpath(r->image_path, real) ? real : r->image_path);
	p->scatter = !o->no_scatter;
	for (int i = r->given.tail; i < r->argc && p->n_gbench < RANK_PLAN_GB_MAX; i++)
		if (rank_plan_gbench_ok(r->argv[i])) /* the ranks' output is parbench's */
			snprintf(p->gbench[p->n_gbench++], sizeof(p->gbench[0]), "%s", r->argv[i]);
	hook(p->corrupt, sizeof(p->corrupt), o->corrupt_kernel);
	hook(p->hang, sizeof(p->hang), o->hang_case);
	hook(p->crash, sizeof(p->crash), o->crash_case);
	hook(p->link_fail, sizeof(p->link_fail), o->link_fail);
}

int run_ranked(struct run_cmd *r)
{
	struct rank_run *rr = &r->ranked;
	int status;

	run_rank_plan(r, &r->plan);
	*rr = (struct rank_run){ .plan = &r->plan, .rank = r->rank, .dir = "", .sw = &r->sw };
	if (r->rank == 0) { /* it writes the run, as a run without mpirun would */
		run_begin_meta(r);
		if ((status = run_out_stage(r)) != 0)
			return status;
		rr->dir = r->work_dir;
		rr->hang = run_on_hang;
		rr->hang_arg = r;
	}
	cmd_catch_signals();
	status = rank_prepare(rr);
	if (status == 0)
		status = rank_sweep(rr);
	rank_release(rr);
	if (r->rank != 0 || (status && !r->sw.rows))
		return status;
	read_load(r->meta.load_after);
	machine_end(&r->mstate);
	int written = run_write(r);

	return written ? written : status;
}
