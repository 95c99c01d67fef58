/*
 * outdir.h - a directory written whole: its files go into a fresh hidden folder beside the
 * target (<parent>/.<name>.XXXXXX, mkdtemp), which is renamed into place once complete, so
 * the target holds the earlier contents or the new ones, never a mix.  What the target held
 * before is removed only after the new folder took its place.
 *
 * Only an absent target, an empty folder or a folder carrying the caller's mark (a regular
 * file whose first 4 KiB hold a given text, and only names the caller writes) is ever replaced; never a symbolic link.  These
 * functions neither print nor exit.
 */
#ifndef PB_OUTDIR_H
#define PB_OUTDIR_H

#include <stddef.h>

/* How a directory written by the caller is recognised: file (in it) holds text, and every
 * name in it matches one of names (fnmatch patterns, NULL-ended), so that a folder holding
 * anything else (someone's notes beside a copied meta.json) is never replaced. */
struct outdir_mark {
	const char *file;
	const char *text;
	const char *const *names;
};

enum outdir_state {
	OUTDIR_ABSENT, /* nothing there yet */
	OUTDIR_EMPTY,  /* an empty folder */
	OUTDIR_MARKED, /* a folder carrying the mark: an earlier run */
};

/* What target is: an outdir_state, or -ELOOP a symbolic link, -ENOTDIR not a folder,
 * -ENOTEMPTY a folder holding files but not the mark, -EINVAL a name that cannot be
 * renamed ("", ".", ".." or "/" as its last part), -ENAMETOOLONG, or another -errno. */
int outdir_check(const char *target, const struct outdir_mark *mark);
/* Creates target's parent folders if missing; 0 if a folder can be made beside target
 * (one is made and removed) and target, if there, can be written; else -errno. */
int outdir_writable(const char *target);
/* Creates target's parent folders if missing, then a fresh hidden sibling of target
 * (mode 0700) whose path goes to stage.  0 or -errno. */
int outdir_stage(const char *target, char *stage, size_t len);
/* Makes the folder stage readable as the umask allows and moves it to target, if target is
 * still absent, empty or marked (outdir_check): atomically where the file system can
 * exchange the two (renameat2), else the old one is first renamed aside.  What target held
 * is left in old (a hidden sibling, for outdir_remove), or old is "" if nothing.  0, or the
 * -errno of outdir_check or the rename; stage is then left as it was. */
int outdir_publish(const char *stage, const char *target, const struct outdir_mark *mark,
		   char *old, size_t len);
/* Removes path and everything under it, never following a symbolic link and staying on one
 * file system (not thread-safe).  0, or the first -errno met (it removes what it can). */
int outdir_remove(const char *path);

#endif
