/*
 * launch.h - starting parbench under mpirun from parbench itself, so that `parbench run`
 * (and `make bench`) measures the MPI backends with no extra step, and the environment an
 * MPI launcher gives a process.
 *
 * The parent measures its own backends first and stops their workers; then, for every worker
 * count, mpirun starts the ranks, which measure the MPI rows alone (nothing else of
 * parbench's runs meanwhile) and write them to a directory that the parent merges into the
 * run.  Nothing here prints.
 */
#ifndef PB_LAUNCH_H
#define PB_LAUNCH_H

#include <stdatomic.h>
#include <stddef.h>

/* This process's rank under mpirun / srun (OMPI_COMM_WORLD_RANK, PMIX_RANK, PMI_RANK: the
 * first of them set and not empty), or -1 when no MPI launcher started it.  A variable that
 * is set but not a rank (digits only, 0 to INT_MAX) gives -1 too: launch_rank_check() tells
 * it apart, and main refuses to start then. */
int launch_rank(void);
/* 0 unless the rank variable launch_rank() reads is set and not a rank; then -EINVAL and err
 * names it, its value scrubbed. */
int launch_rank_check(char *err, size_t err_len);

/* 1 if name is an executable file: name itself when it holds a '/', else found on PATH
 * (as execvp would); nothing is started. */
int launch_executable(const char *name);

/* The mpirun to use: $PARBENCH_MPIRUN, the one found at build time, or NULL. */
const char *launch_mpirun(void);

struct launch {
	const char *mpirun;
	unsigned ranks;
	int oversubscribe;          /* more ranks than cores on this machine */
	const char *hostfile;       /* NULL: one node, shared memory only */
	const char *const *argv;    /* parbench's own arguments for the ranks (argv[0] = exe) */
	atomic_int *stop;           /* a signal arrived: stop mpirun (SIGTERM, then SIGKILL) */
	const char *stdout_path;    /* non-NULL: mpirun's standard output goes to this file */
};

/* Runs mpirun to completion: stdin /dev/null, in a process group of its own, sent SIGTERM
 * if parbench dies first and on *stop (then SIGKILL 5 s later).  Its exit status (0 all
 * ranks succeeded), or -errno when it could not start (err says why), or 128 + signal when
 * *stop made us end it. */
int launch_run(const struct launch *l, char *err, size_t err_len);

/* 0 if path is a readable hostfile of "host [slots=N] [max_slots=N]" lines (comments and
 * blank lines allowed), else -EINVAL / -errno with err saying which line. */
int launch_check_hostfile(const char *path, char *err, size_t err_len);

#endif
