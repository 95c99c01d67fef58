/*
 * outfile.h - results files written whole: into a temporary file beside the target, then
 * renamed over it, so a reader never sees half a file and an interrupted run leaves none.
 */
#ifndef PB_OUTFILE_H
#define PB_OUTFILE_H

#include <stdio.h>

struct outfile {
	FILE *f;          /* write here between open and commit (or finish) */
	int finished;     /* outfile_finish(): written and closed, only the rename left */
	char path[4096];  /* final name */
	char tmp[4112];   /* temporary name: <dir>/.<name>.XXXXXX.tmp, made by mkstemps */
};

/* Opens dir/name for writing via a new temporary file of an unpredictable name (mode 0666
 * less the umask, as fopen would make it). 0 or -errno. */
int outfile_open(struct outfile *o, const char *dir, const char *name);
/* Flushes, closes and renames into place. 0 or -errno (the temporary file is removed). */
int outfile_commit(struct outfile *o);
/* The two steps of outfile_commit() apart, so that many files can be written first and then
 * all put in place without holding a descriptor each: finish flushes, syncs and closes
 * (0, or -errno with the temporary file removed); commit then only renames. */
int outfile_finish(struct outfile *o);
/* Closes (if open) and removes the temporary file: nothing is left. */
void outfile_abort(struct outfile *o);
/* Creates dir and its parents (mode 0755). 0 or -errno. */
int outfile_mkdirs(const char *dir);
/* This process's umask (from /proc/self/status; 022 if it cannot be read), without
 * changing it as umask() would. */
unsigned outfile_umask(void);

#endif
