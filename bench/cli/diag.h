/*
 * diag.h - parbench's diagnostics on stderr, one message one write(2).  A message is
 * formatted whole ("parbench: ", the text, the newline) and written with one call, so that
 * another process writing the same stderr (mpirun, the other ranks, a shell) cannot land
 * inside the line.  A pipe keeps a write of up to PIPE_BUF bytes whole, so a message is cut
 * to DIAG_MAX bytes, ending in "...".  It neither buffers nor exits, and it does not decide
 * what is worth saying: the commands (bench/cmd/) and usage_error() do.
 */
#ifndef PB_DIAG_H
#define PB_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#define DIAG_MAX 4095 /* bytes of one message with its newline: below PIPE_BUF (4096) */

/* An MPI rank other than 0 names itself: "parbench: rank 2: ..." (rank <= 0: not named). */
void diag_set_rank(int rank);

/* "parbench: " + the text + "\n" on stderr, in one write. */
__attribute__((format(printf, 1, 2))) void diag_line(const char *fmt, ...);
void diag_vline(const char *fmt, va_list ap);

/* The text as it is (no prefix, no newline) on stderr, in one write: a terminal's progress
 * line. */
__attribute__((format(printf, 1, 2))) void diag_text(const char *fmt, ...);

/* prefix + the text (+ "\n" if nl) into buf, at most len - 1 bytes (len >= 8): a longer
 * message is cut and ends in "..." (then the newline).  Its length. */
size_t diag_format(char *buf, size_t len, const char *prefix, int nl, const char *fmt, va_list ap);

/* buf[0..n) to fd, again after EINTR or a partial write. 0 or -errno. */
int diag_write(int fd, const char *buf, size_t n);

#endif
