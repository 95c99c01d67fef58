/*
 * outdir.c - directories written whole (outdir.h): checked, staged in a fresh hidden
 * sibling, renamed into place, and what they replace removed after.
 */
#include "outdir.h"

#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARK_READ 4096 /* the mark is looked for in the file's first bytes */

/* target split into its parent folder ("." if none) and its last part; -EINVAL if the last
 * part cannot be renamed, -ENAMETOOLONG. */
static int split(const char *target, char *parent, char *base, size_t len)
{
	size_t n = strlen(target);

	while (n > 1 && target[n - 1] == '/')
		n--; /* "out/" names out */
	if (n == 0 || n >= len)
		return n ? -ENAMETOOLONG : -EINVAL;
	const char *end = target + n, *slash = memrchr(target, '/', n);
	const char *b = slash ? slash + 1 : target;

	snprintf(base, len, "%.*s", (int)(end - b), b);
	if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return -EINVAL;
	if (!slash)
		snprintf(parent, len, ".");
	else
		snprintf(parent, len, "%.*s", slash == target ? 1 : (int)(slash - target), target);
	return 0;
}

/* The folder dir carries the mark: its mark file is a regular file (not a link) whose first
 * MARK_READ bytes hold the text. */
static int marked(const char *dir, const struct outdir_mark *mark)
{
	char path[4200], buf[MARK_READ + 1];
	struct stat st;
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, mark->file) >= sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, MARK_READ) : -1;
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return memmem(buf, (size_t)n, mark->text, strlen(mark->text)) != NULL;
}

/* Every name in dir matches one of the mark's patterns (no patterns: any name does). */
static int only_known(const char *dir, const struct outdir_mark *mark)
{
	DIR *d = mark->names ? opendir(dir) : NULL;
	struct dirent *e;
	int known = 1;

	if (!mark->names)
		return 1;
	if (!d)
		return 0;
	while (known && (e = readdir(d))) {
		const char *const *p = mark->names;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		while (*p && fnmatch(*p, e->d_name, FNM_PERIOD) != 0)
			p++;
		known = *p != NULL;
	}
	closedir(d);
	return known;
}

/* The folder dir holds nothing; -errno if it cannot be read. */
static int empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int none = 1;

	if (!d)
		return -errno;
	while (none && (e = readdir(d)))
		none = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return none;
}

int outdir_check(const char *target, const struct outdir_mark *mark)
{
	char parent[4096], base[4096];
	struct stat st;
	int rc = split(target, parent, base, sizeof(parent));

	if (rc)
		return rc;
	if (lstat(target, &st) != 0)
		return errno == ENOENT ? OUTDIR_ABSENT : -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	rc = empty(target);
	if (rc < 0)
		return rc;
	return rc ? OUTDIR_EMPTY :
	       marked(target, mark) && only_known(target, mark) ? OUTDIR_MARKED : -ENOTEMPTY;
}

int outdir_writable(const char *target)
{
	char probe[4200];
	int rc = outdir_stage(target, probe, sizeof(probe)); /* the test that tells (root too) */

	if (rc)
		return rc;
	rmdir(probe);
	if (access(target, W_OK | X_OK) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int outdir_stage(const char *target, char *stage, size_t len)
{
	char parent[4096], base[4096];
	int rc = split(target, parent, base, sizeof(parent));

	if (rc)
		return rc;
	rc = outfile_mkdirs(parent);
	if (rc)
		return rc;
	if ((size_t)snprintf(stage, len, "%s/.%s.XXXXXX", parent, base) >= len)
		return -ENAMETOOLONG;
	return mkdtemp(stage) ? 0 : -errno;
}

/* rename(from, to) with renameat2's flags, or -EINVAL where the file system has none. */
static int rename_with(const char *from, const char *to, unsigned flags)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, flags) == 0)
		return 0;
	return errno == ENOSYS || errno == ENOTSUP ? -EINVAL : -errno;
}

/* No exchange: target renamed onto a second fresh sibling (an empty folder, replaced),
 * then stage to target; on failure target goes back. */
static int publish_aside(const char *stage, const char *target, char *old, size_t len)
{
	int rc = outdir_stage(target, old, len);

	if (rc)
		return rc;
	if (rename(target, old) != 0) {
		rc = -errno;
		rmdir(old);
		return rc;
	}
	rc = rename_with(stage, target, RENAME_NOREPLACE);
	if (rc == -EINVAL)
		rc = rename(stage, target) == 0 ? 0 : -errno;
	if (rc && rename(old, target) == 0)
		old[0] = '\0';
	return rc;
}

int outdir_publish(const char *stage, const char *target, const struct outdir_mark *mark,
		   char *old, size_t len)
{
	int st = outdir_check(target, mark), rc;

	old[0] = '\0';
	if (st < 0)
		return st;
	if (chmod(stage, 0777 & ~outfile_umask()) != 0)
		return -errno;
	if (st == OUTDIR_ABSENT) {
		rc = rename_with(stage, target, RENAME_NOREPLACE);
		return rc == -EINVAL ? (rename(stage, target) == 0 ? 0 : -errno) : rc;
	}
	rc = rename_with(stage, target, RENAME_EXCHANGE);
	if (rc == -EINVAL)
		return publish_aside(stage, target, old, len);
	if (rc)
		return rc;
	/* what was swapped out must still be what was checked, else it goes back (or, if
	 * that fails, stays beside: never removed) */
	st = outdir_check(stage, mark);
	if (st != OUTDIR_EMPTY && st != OUTDIR_MARKED)
		return rename_with(stage, target, RENAME_EXCHANGE) ? 0 : st < 0 ? st : -EEXIST;
	snprintf(old, len, "%s", stage);
	return 0;
}

static int remove_err;

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	if (remove(path) != 0 && !remove_err)
		remove_err = -errno;
	return 0;
}

int outdir_remove(const char *path)
{
	remove_err = 0;
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
		return -errno;
	return remove_err;
}
