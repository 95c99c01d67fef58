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

static int init_only;

static void on_opt(void *ctx, const struct opt *o, const char *val)
{
	(void)ctx;
	(void)o;
	(void)val;
	init_only = 1;
}

static void mpi_probe_parse(void *state, int argc, char **argv)
{
	(void)state;
	struct opt_result r;

	init_only = 0;
	opt_parse(&cli, argc, argv, 2, on_opt, NULL, &r);
}

static int mpi_probe_exec(void *state)
{
	(void)state;
#ifdef PB_HAVE_MPI
	static struct mpi_probe p;
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
	usage_error("this parbench was built without MPI");
#endif
}

const struct command cmd_mpi_probe = { &cli, "(for parbench costs, under mpirun)", 1,
				       mpi_probe_parse, mpi_probe_exec, 0 };
