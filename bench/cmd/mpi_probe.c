/*
 * mpi_probe.c - parbench mpi-probe: MPI's costs measured by the ranks mpirun starts, for
 * parbench costs to read; rank 0 prints "name median min max" lines.
 */
#include "cmd.h"

#include "launch.h"
#ifdef PB_HAVE_MPI
#include "mpi_probe.h"
#endif

#include <stdio.h>

enum { O_INIT_ONLY };

static const struct opt opts[] = {
	{ O_INIT_ONLY, "init-only", NULL, "start MPI and stop (to time the start)", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "mpi-probe",
	.synopsis = "[--init-only]",
	.about = "For parbench costs, under mpirun with 2 or more ranks: MPI's latency, barrier\n"
		 "and allreduce times.",
	.opts = opts,
};

/* The command's state (struct command.state_size). */
struct mpi_probe_cmd {
	int init_only;
#ifdef PB_HAVE_MPI
	struct mpi_probe p; /* what the ranks measured */
#endif
};

static void on_opt(void *ctx, const struct opt *o, const char *val)
{
	struct mpi_probe_cmd *c = ctx;

	(void)o;
	(void)val;
	c->init_only = 1;
}

static void mpi_probe_parse(void *state, int argc, char **argv)
{
	struct mpi_probe_cmd *c = state;
	struct opt_result r;

	c->init_only = 0;
	opt_parse(&cli, argc, argv, 2, on_opt, c, &r);
}

static int mpi_probe_exec(void *state)
{
	struct mpi_probe_cmd *c = state;
#ifdef PB_HAVE_MPI
	struct mpi_probe *p = &c->p;

	if (launch_rank() < 0)
		usage_error("mpi-probe runs under mpirun with 2 or more ranks (it is for parbench "
			    "costs)");
	int rc = mpi_probe_run(p, c->init_only);

	if (rc)
		usage_error("mpi-probe needs 2 or more ranks under mpirun");
	if (p->rank == 0 && !c->init_only) {
		const char *names[] = { "latency", "barrier", "allreduce" };
		double *v[] = { p->latency_us, p->barrier_us, p->allreduce_us };

		for (int k = 0; k < 3; k++) {
			printf("%s", names[k]);
			for (int r = 0; r < MPI_PROBE_REPS; r++)
				printf(" %.6f", v[k][r]);
			printf("\n");
		}
	}
	return 0;
#else
	(void)c;
	usage_error("this parbench was built without MPI");
#endif
}

const struct command cmd_mpi_probe = {
	.cli = &cli,
	.summary = "(for parbench costs, under mpirun)",
	.hidden = 1,
	.parse = mpi_probe_parse,
	.exec = mpi_probe_exec,
	.state_size = sizeof(struct mpi_probe_cmd),
};
