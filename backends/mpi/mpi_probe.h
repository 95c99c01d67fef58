/*
 * mpi_probe.h - MPI's own costs measured by ranks started under mpirun (`parbench costs`
 * runs `mpirun -np 2 parbench mpi-probe`).  Built with the mpi backend (PB_HAVE_MPI).
 */
#ifndef PB_MPI_PROBE_H
#define PB_MPI_PROBE_H

#define MPI_PROBE_REPS 7

struct mpi_probe {
	int rank, size;
	/* per repetition, microseconds per operation */
	double latency_us[MPI_PROBE_REPS];   /* 8-byte ping-pong between ranks 0 and 1, one way */
	double barrier_us[MPI_PROBE_REPS];
	double allreduce_us[MPI_PROBE_REPS]; /* one double, sum */
};

/* Initialises MPI (if needed), measures, finalises at exit.  init_only: just MPI_Init.
 * 0, or -errno (fewer than 2 ranks: -EINVAL). */
int mpi_probe_run(struct mpi_probe *p, int init_only);

#endif
