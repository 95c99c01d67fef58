/*
 * mpi_io.c - bytes between ranks: buffers grown on demand, and messages split into pieces
 * whose counts fit MPI's ints.
 */
#include "mpi_int.h"

#include <errno.h>
#include <stdlib.h>

int mpi_grow(unsigned char **buf, size_t *cap, size_t len)
{
	if (len <= *cap)
		return 0;
	free(*buf);
	*buf = malloc(len ? len : 1);
	*cap = *buf ? len : 0;
	return *buf ? 0 : -ENOMEM;
}

void mpi_send_bytes(const void *p, size_t len, int to, int tag)
{
	const unsigned char *c = p;

	do {
		int n = len > MPI_PIECE ? MPI_PIECE : (int)len;

		MPI_Send(c, n, MPI_BYTE, to, tag, MPI_COMM_WORLD);
		c += n;
		len -= (size_t)n;
	} while (len);
}

void mpi_recv_bytes(void *p, size_t len, int from, int tag)
{
	unsigned char *c = p;

	do {
		int n = len > MPI_PIECE ? MPI_PIECE : (int)len;

		MPI_Recv(c, n, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		c += n;
		len -= (size_t)n;
	} while (len);
}

