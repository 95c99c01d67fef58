/*
 * mpi_init.c - mpi_init.h: MPI initialised once for every MPI backend and the probe, and
 * finalised at exit.  The MPI files (mpi*.c) are the only ones that call MPI.
 */
#include "mpi_init.h"

#include <errno.h>
#include <mpi.h>
#include <stdlib.h>

static void mpi_finalize_at_exit(void)
{
	int fin = 0;

	MPI_Finalized(&fin);
	if (!fin)
		MPI_Finalize();
}

int mpi_ensure_init(void)
{
	int inited = 0, provided;

	MPI_Initialized(&inited);
	if (inited)
		return 0;
	if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
		return -EIO;
	atexit(mpi_finalize_at_exit);
	return 0;
}
