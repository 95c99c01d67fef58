/*
 * mpi_init.h - MPI's set-up, shared by every MPI backend and the MPI probe: initialised once
 * (MPI_THREAD_FUNNELED), finalised at exit.  Built with the mpi backends (PB_HAVE_MPI).
 */
#ifndef PB_MPI_INIT_H
#define PB_MPI_INIT_H

/* MPI_Init_thread (FUNNELED) unless MPI is initialised already; MPI_Finalize at exit then.
 * 0 or -EIO. */
int mpi_ensure_init(void);

#endif
