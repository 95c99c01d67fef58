/*
 * pool_io.c - the pool's I/O helpers: whole reads and writes on pipes, retried across
 * signals and short transfers.  The bottom of the pool's call graph: it calls nothing of it.
 */
#include "pool_impl.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

int pool_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	sigset_t pipe_set, old, pending;
	int had_pending, rc = 0;

	/* The pool installs no signal handlers in the parent: block SIGPIPE around the write
	 * and swallow the one a dead reader raises, unless one was pending already. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	had_pending = sigismember(&pending, SIGPIPE);
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w < 0 && errno == EPIPE && !had_pending) {
				struct timespec zero = { 0, 0 };

				while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
					;
			}
			rc = -1;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* 1 read, 0 EOF, -1 error */
int pool_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		p += r;
		len -= (size_t)r;
	}
	return 1;
}
