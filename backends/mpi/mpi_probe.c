/*
 * mpi_probe.c - MPI's own costs for `parbench costs` (latency, barrier, allreduce, measured
 * inside ranks started under mpirun).  MPI's set-up is mpi_init.c's.
 */
#include "mpi_probe.h"
#include "mpi_init.h"

#include <errno.h>
#include <mpi.h>

#define PROBE_BATCH 2000

int mpi_probe_run(struct mpi_probe *p, int init_only)
{
	double x = 1, y;
	char byte8[8] = { 0 };

	if (mpi_ensure_init())
		return -EIO;
	MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &p->size);
	if (init_only)
		return 0;
	if (p->size < 2)
		return -EINVAL;
	for (int r = -1; r < MPI_PROBE_REPS; r++) { /* r = -1: warm-up */
		double t0;

		MPI_Barrier(MPI_COMM_WORLD);
		t0 = MPI_Wtime();
		for (int i = 0; i < PROBE_BATCH; i++) {
			if (p->rank == 0) {
				MPI_Send(byte8, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
				MPI_Recv(byte8, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			} else if (p->rank == 1) {
				MPI_Recv(byte8, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
				MPI_Send(byte8, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
			}
		}
		double lat = (MPI_Wtime() - t0) / (2.0 * PROBE_BATCH) * 1e6;

		MPI_Barrier(MPI_COMM_WORLD);
		t0 = MPI_Wtime();
		for (int i = 0; i < PROBE_BATCH; i++)
			MPI_Barrier(MPI_COMM_WORLD);
		double bar = (MPI_Wtime() - t0) / PROBE_BATCH * 1e6;

		MPI_Barrier(MPI_COMM_WORLD);
		t0 = MPI_Wtime();
		for (int i = 0; i < PROBE_BATCH; i++)
			MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
		double all = (MPI_Wtime() - t0) / PROBE_BATCH * 1e6;

		if (r >= 0) {
			p->latency_us[r] = lat;
			p->barrier_us[r] = bar;
			p->allreduce_us[r] = all;
		}
	}
	return 0;
}
