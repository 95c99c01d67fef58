/*
 * child.c - a forked child's steps before exec (see child.h).
 */
#include "child.h"

#include <fcntl.h>
#include <unistd.h>

int pb_fd_onto(int fd, int to)
{
	if (fd == to)
		return fcntl(to, F_SETFD, 0);
	return dup2(fd, to) < 0 ? -1 : 0;
}
