/*
 * mpi_place.c - where the ranks run: each binds itself (mpi) or starts its OpenMP team on
 * its slice of the plan (mpi+openmp), by its index on its own node; rank 0 gathers every
 * rank's "rank@host:cpu" for the run's metadata.
 */
#include "mpi_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* mpi+openmp: this rank's OpenMP team on its slice of the plan; its threads' CPUs in tcpu. */
static int start_inner(struct mpi_state *s, const struct backend_config *cfg, size_t first,
		       int *tcpu)
{
	const struct backend *omp = backend_find("openmp");
	struct backend_config icfg = { .workers = (unsigned)s->threads, .schedule = SCHED_STATIC,
				       .topo = cfg->topo };
	struct backend_stats *st;
	int rc;

	if (!omp) {
		backend_set_error(cfg, "mpi+openmp: this build has no openmp backend");
		return -ENOTSUP;
	}
	if (cfg->plan) {
		s->inner_plan = (struct pin_plan){ .policy = cfg->plan->policy,
						   .n = (unsigned)s->threads };
		for (int t = 0; t < s->threads; t++)
			s->inner_plan.pu[t] = first + (size_t)t < cfg->plan->n
						      ? cfg->plan->pu[first + (size_t)t] : -1;
		icfg.plan = &s->inner_plan;
	}
	rc = backend_instance_start(&s->inner, omp, &icfg);
	if (rc) {
		backend_set_error(cfg, "mpi+openmp: %s", s->inner.err);
		return rc;
	}
	s->has_inner = 1;
	st = calloc(1, sizeof(*st));
	if (st) {
		backend_instance_stats(&s->inner, st);
		for (unsigned t = 0; t < st->n_cpu && t < 16; t++)
			tcpu[t] = st->cpu[t];
		s->bind_failed = (int)st->bind_failures;
		free(st);
	}
	return 0;
}

int mpi_place(struct mpi_state *s, const struct backend_config *cfg, int hybrid)
{
	char host[64] = "", line[128];
	int tcpu[16] = { 0 };
	/* placement: rank r's thread t takes the plan's entry local_rank x threads + t */
	size_t first = (size_t)s->local_rank * (size_t)s->threads;

	if (hybrid) {
		int rc = start_inner(s, cfg, first, tcpu);

		if (rc)
			return rc;
	} else {
		if (cfg->topo && cfg->plan && first < cfg->plan->n &&
		    pin_bind_self(cfg->topo, cfg->plan->pu[first]))
			s->bind_failed = 1;
		tcpu[0] = pin_current_cpu();
	}
	s->cpu = tcpu[0];
	gethostname(host, sizeof(host) - 1);
	/* "rank@host:cpu", and the other threads' CPUs after commas (mpi+openmp) */
	int len = snprintf(line, sizeof(line), "%d@%s:%d", s->rank, host, s->cpu);

	for (int t = 1; t < s->threads && t < 16 && len > 0 && len + 8 < (int)sizeof(line); t++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, ",%d", tcpu[t]);
	/* every rank's placement to rank 0, for the run's metadata; and which machine it is on
	 * (the boot id: simulated hosts on one machine share it, real ones do not), so that the
	 * ranks' physical CPUs can be counted */
	char all[128 * 64], mach[32 * 64], me[32] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (f) {
		if (!fgets(me, 24, f))
			me[0] = '\0';
		fclose(f);
	}
	if (s->size <= 64) {
		int len2 = (int)strlen(me);

		snprintf(me + len2, sizeof(me) - (size_t)len2, ":%d", s->cpu);
		MPI_Gather(me, 32, MPI_CHAR, mach, 32, MPI_CHAR, 0, MPI_COMM_WORLD);
		MPI_Gather(line, 128, MPI_CHAR, all, 128, MPI_CHAR, 0, MPI_COMM_WORLD);
		if (s->rank == 0) {
			s->phys_cpus = 0;
			for (int r = 0; r < s->size; r++) {
				int seen = 0;

				for (int q = 0; q < r && !seen; q++)
					seen = strcmp(mach + 32 * q, mach + 32 * r) == 0;
				s->phys_cpus += !seen && !strstr(mach + 32 * r, ":-1");
			}
			if (s->threads > 1) /* only thread 0's CPU is in mach: not counted */
				s->phys_cpus = 0;
		}
		if (s->rank == 0) {
			size_t used = 0;

			s->placement[0] = '\0';
			for (int r = 0; r < s->size && used + 130 < sizeof(s->placement); r++)
				used += (size_t)snprintf(s->placement + used, sizeof(s->placement) - used,
							 "%s%s", r ? " " : "", all + 128 * r);
		}
	}
	return 0;
}
