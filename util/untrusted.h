/*
 * untrusted.h - the guards every layer puts on what it reads from outside (a picture, a run
 * directory, a rank's plan, a hostfile, the environment): a file opened only if it is a
 * regular file of bounded size, and text scrubbed of control characters before it reaches a
 * terminal.
 * The bottom layer (util/): it includes no parbench header; backends and bench use it.
 */
#ifndef PB_UNTRUSTED_H
#define PB_UNTRUSTED_H

#include <stdio.h>

/* path opened read-only if it is a regular file of at most max bytes.  The open itself does
 * not wait (O_NONBLOCK: a FIFO with no writer; O_NOCTTY: a terminal is not made ours), and a
 * FIFO, a device (/dev/zero, which never ends), a socket or a directory is refused before a
 * byte is read.  Its descriptor (O_CLOEXEC, blocking again), or -1 with errno: EINVAL not a
 * regular file, EFBIG larger than max, else open's, fstat's or fcntl's own.  If size is not
 * NULL, a regular file's size goes there (for EFBIG too).  A file that grows while it is
 * read: the reader counts. */
int pb_open_regular(const char *path, long long max, long long *size);
/* The same as a stdio stream for reading; NULL with errno. */
FILE *pb_fopen_regular(const char *path, long long max, long long *size);

/* Control characters in s (escape sequences, line breaks; C1 controls raw or as UTF-8, such
 * as CSI) and bytes that are not UTF-8 replaced by '?', byte for byte; UTF-8 text ("Xeon®")
 * is kept.  So that nothing read reaches a terminal as an escape sequence. */
void pb_scrub(char *s);

#endif
