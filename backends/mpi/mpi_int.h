/*
 * mpi_int.h - what the MPI backend's files share (mpi.c: the backend; mpi_place.c: where
 * the ranks run; mpi_io.c: bytes between ranks).
 */
#ifndef PB_MPI_INT_H
#define PB_MPI_INT_H

#include "backend.h"
#include "mpi_init.h"

#include <mpi.h>
#include <stddef.h>

#define MPI_TAG_IN  11
#define MPI_TAG_OUT 12
#define MPI_PIECE   (1 << 30) /* bytes per message: counts are ints */

struct mpi_state {
	struct backend_config cfg;
	int rank, size, local_rank, threads;
	double last;              /* the last run's time, slowest rank */
	int cpu;                  /* this rank's (thread 0's) CPU */
	int bind_failed;
	unsigned char *in, *out;  /* receive buffers (ranks other than 0) */
	size_t in_cap, out_cap;
	struct backend_instance inner; /* mpi+openmp: the openmp backend on this rank's share */
	struct pin_plan inner_plan;    /* this rank's slice of the plan */
	int has_inner;
	unsigned char *gathered;  /* rank 0: one partial per rank */
	char placement[2048];     /* rank 0: "rank@host:cpu ..." of every rank */
	unsigned phys_cpus;       /* rank 0: distinct (machine, CPU) pairs of the ranks */
};
/* Binds this rank (or starts its OpenMP team) by the plan and gathers the placement to
 * rank 0. 0 or -errno with the backend's error set. */
int mpi_place(struct mpi_state *s, const struct backend_config *cfg, int hybrid);
/* The scaling model's hooks (mpi_link.c): a run's traffic with measured links, and by rule. */
int mpi_traffic(void *state, const struct work *w, struct backend_traffic *t);
double mpi_link_at(unsigned workers, unsigned hosts, uint64_t volume, double bytes_per_s,
		   double latency_s, uint64_t *bytes, uint64_t *messages);
/* *buf holds at least len bytes (contents not kept). 0 or -ENOMEM. */
int mpi_grow(unsigned char **buf, size_t *cap, size_t len);
/* len bytes to / from rank to, in pieces MPI's int counts can carry. */
void mpi_send_bytes(const void *p, size_t len, int to, int tag);
void mpi_recv_bytes(void *p, size_t len, int from, int tag);

#endif
