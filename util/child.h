/*
 * child.h - what a forked child does before it execs a program (gnuplot, mpirun): only
 * async-signal-safe calls, since parbench has threads.
 * The bottom layer (util/): it includes no parbench header.
 */
#ifndef PB_CHILD_H
#define PB_CHILD_H

/* fd onto to: dup2, or, when fd is already to, its close-on-exec flag cleared (dup2 onto
 * itself would leave it set, and the program would start without it).  0 or -1 (errno). */
int pb_fd_onto(int fd, int to);

#endif
