/*
 * outfile.c - temp-file-and-rename writing of results files, and mkdir -p.
 */
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

unsigned outfile_umask(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned mask = 022;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return mask & 0777;
}

int outfile_open(struct outfile *o, const char *dir, const char *name)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if ((size_t)snprintf(o->path, sizeof(o->path), "%s/%s", dir, name) >= sizeof(o->path) ||
	    (size_t)snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX.tmp", dir, name) >=
		    sizeof(o->tmp))
		return -ENAMETOOLONG;
	fd = mkstemps(o->tmp, 4); /* a new file (O_EXCL): never one planted at its name */
	if (fd < 0)
		return -errno;
	o->f = fchmod(fd, 0666 & ~outfile_umask()) == 0 ? fdopen(fd, "w") : NULL;
	if (!o->f) {
		int err = -errno;

		close(fd);
		unlink(o->tmp);
		return err;
	}
	return 0;
}

int outfile_finish(struct outfile *o)
{
	int err = 0;

	if (!o->f)
		return o->finished ? 0 : -EBADF;
	errno = 0;
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0)
		err = -(errno ? errno : EIO);
	if (fclose(o->f) != 0 && !err)
		err = -errno;
	o->f = NULL;
	o->finished = !err;
	if (err)
		unlink(o->tmp);
	return err;
}

int outfile_commit(struct outfile *o)
{
	int err = outfile_finish(o);

	if (err)
		return err;
	o->finished = 0;
	if (rename(o->tmp, o->path) != 0) {
		err = -errno;
		unlink(o->tmp);
	}
	return err;
}

void outfile_abort(struct outfile *o)
{
	if (o->f) {
		fclose(o->f);
		o->f = NULL;
		unlink(o->tmp);
	} else if (o->finished) {
		o->finished = 0;
		unlink(o->tmp);
	}
}

int outfile_mkdirs(const char *dir)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}
