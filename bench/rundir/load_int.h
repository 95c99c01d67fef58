/*
 * load_int.h - what the run directory's readers (runload.c, load_samples.c, load_roof.c)
 * share among themselves; not for other layers (runload.h is theirs).
 */
#ifndef PB_LOAD_INT_H
#define PB_LOAD_INT_H

#include <stddef.h>

#include "runload.h"
#include "untrusted.h"

#define MAX_FIELDS 64
#define MAX_LINE   8192

/* A line read from a run's CSV file: its control characters (the line's end aside) as '?'
 * (pb_scrub), so that nothing read can reach a terminal as an escape sequence. */
void run_scrub_line(char *line);
/* samples.csv into the rows summary.csv gave (each row's n_samples, exactly).  0 or -errno
 * with one line in err. */
int run_load_samples(const char *dir, struct loaded_run *lr, char *err, size_t err_len);

#endif
