/*
 * cpython_io.c - the CPython backends' side of driver.py: start the interpreter in a
 * process group of its own, talk to it over a socket (lines, then raw bytes), and end it.
 */
#include "cpython_int.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PB_PYTHON_DIR
#define PB_PYTHON_DIR "."
#endif

/* The child: the socket as stdin and stdout, a process group of its own, the driver. */
static void exec_driver(int fd, const char *python, char *const argv[], pid_t parent)
{
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
		_exit(127);
	if (fd > 1)
		close(fd);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* parbench killed: the interpreter goes too */
	if (getppid() != parent)
		_exit(127);
	execvp(python, argv);
	_exit(127);
}

int cpy_spawn(struct cpy *c, const char *python, const char *mode, unsigned workers,
	      const char *start, unsigned switch_us, const char *cpus, const char *fault)
{
	int sv[2];
	char nw[16], sw[16];
	char *argv[] = { (char *)python, "-u", PB_PYTHON_DIR "/backends/cpython/driver.py",
			 (char *)mode, nw, (char *)start, sw, (char *)cpus, (char *)fault,
			 PB_PYTHON_DIR "/kernels/python", NULL };

	snprintf(nw, sizeof(nw), "%u", workers);
	snprintf(sw, sizeof(sw), "%u", switch_us);
	pid_t parent = getpid();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	pid_t pid = fork();

	if (pid < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		close(sv[0]);
		exec_driver(sv[1], python, argv, parent);
	}
	setpgid(pid, pid); /* also here: no window in which a kill could miss it */
	c->pid = pid;
	close(sv[1]);
	c->fd = sv[0];
	c->connected = 1;
	c->have = c->used = 0;
	return 0;
}

void cpy_bound(struct cpy *c, double timeout_s, const atomic_int *stop)
{
	c->until = timeout_s > 0 ? pb_mono_s() + timeout_s : 0;
	c->stop = stop;
}

/* Until c->fd has events, at most until deadline (0: no limit) and cpy_bound()'s limits.
 * 0, -ETIMEDOUT, -EINTR (stopped) or -errno. */
static int wait_fd(struct cpy *c, short events, double deadline)
{
	if (c->until > 0 && (deadline <= 0 || c->until < deadline))
		deadline = c->until;
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = events };
		int ms = deadline > 0 ? (int)((deadline - pb_mono_s()) * 1e3) : -1;

		if (c->stop && atomic_load(c->stop))
			return -EINTR;
		if (deadline > 0 && ms <= 0)
			return -ETIMEDOUT;
		if (c->stop && (ms < 0 || ms > 100))
			ms = 100; /* the flag is seen soon, whichever thread the signal interrupted */
		int rc = poll(&pfd, 1, ms);

		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc > 0)
			return 0; /* ready, or an error or hang-up the read or send reports */
	}
}

int cpy_send(struct cpy *c, const void *p, size_t len)
{
	const char *b = p;

	while (len > 0) {
		/* bounded (a start): a driver that never reads must not block it past its end */
		int bounded = c->until > 0 || c->stop;
		int rc = bounded ? wait_fd(c, POLLOUT, 0) : 0;

		if (rc)
			return rc;
		ssize_t w = send(c->fd, b, len, MSG_NOSIGNAL | (bounded ? MSG_DONTWAIT : 0));

		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return -EPIPE;
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

/* More bytes into the buffer, waiting at most until deadline (0: no limit). */
static int fill(struct cpy *c, double deadline)
{
	if (c->used == c->have)
		c->used = c->have = 0;
	if (c->have == sizeof(c->buf))
		return -ENOBUFS;
	for (;;) {
		int rc = wait_fd(c, POLLIN, deadline);

		if (rc)
			return rc;
		ssize_t r = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -EPIPE : -errno;
		c->have += (size_t)r;
		return 0;
	}
}

int cpy_line(struct cpy *c, char *line, size_t len, double timeout_s)
{
	double deadline = timeout_s > 0 ? pb_mono_s() + timeout_s : 0;

	for (;;) {
		char *nl = memchr(c->buf + c->used, '\n', c->have - c->used);

		if (nl) {
			size_t n = (size_t)(nl - (c->buf + c->used));
			size_t k = n < len - 1 ? n : len - 1;

			memcpy(line, c->buf + c->used, k);
			line[k] = '\0';
			c->used += n + 1;
			return 0;
		}
		if (c->used > 0) { /* keep the partial line at the front */
			memmove(c->buf, c->buf + c->used, c->have - c->used);
			c->have -= c->used;
			c->used = 0;
		}
		int rc = fill(c, deadline);

		if (rc)
			return rc;
	}
}

int cpy_bytes(struct cpy *c, void *p, size_t len)
{
	char *b = p;

	while (len > 0) {
		if (c->used == c->have) {
			int rc = fill(c, 0);

			if (rc)
				return rc;
		}
		size_t k = c->have - c->used < len ? c->have - c->used : len;

		memcpy(b, c->buf + c->used, k);
		c->used += k;
		b += k;
		len -= k;
	}
	return 0;
}

/* What ended the interpreter, reaped: "exit status 1", "signal 9". */
static void describe_end(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
}

/*
 * Waits up to wait_s for the interpreter to end, then kills what is left of its process
 * group (pool workers it did not end) while its zombie still holds the group's id, so the
 * signal cannot reach a group that reused the number, and reaps it.  0, or -ETIMEDOUT
 * (still running: nothing done).
 */
int cpy_reap(struct cpy *c, double wait_s, char *how, size_t len)
{
	double until = pb_mono_s() + wait_s;
	pid_t pid = c->pid;
	siginfo_t si;
	int status = 0;

	if (pid <= 0)
		return 0;
	for (;;) {
		memset(&si, 0, sizeof(si));
		int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);

		if (r == 0 && si.si_pid == pid)
			break;
		if (r < 0 && errno != EINTR) {
			c->pid = 0; /* not our child any more: nothing to signal */
			return 0;
		}
		if (pb_mono_s() >= until)
			return -ETIMEDOUT;
		usleep(2000);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (how)
		describe_end(status, how, len);
	c->pid = 0;
	return 0;
}

void cpy_kill(struct cpy *c)
{
	pid_t pid = c->pid;

	if (pid > 0)
		kill(-pid, SIGKILL); /* the driver and every pool worker it started */
}

void cpy_end(struct cpy *c)
{
	if (c->connected) {
		cpy_send(c, "quit\n", 5);
		shutdown(c->fd, SHUT_WR);
	}
	if (c->pid > 0 && cpy_reap(c, 5.0, NULL, 0) != 0) {
		cpy_kill(c);
		cpy_reap(c, 5.0, NULL, 0);
	}
	if (c->connected)
		close(c->fd);
	c->connected = 0;
}

const char *cpy_python(const char *python)
{
	if (python)
		return python;
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

int cpy_probe(const char *python, const char *code)
{
	struct cpy c = { 0 };
	char *argv[] = { (char *)python, "-c", (char *)code, NULL };
	char how[64] = "";
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	pid_t parent = getpid();

	if (null < 0)
		return -errno;
	pid_t pid = fork();

	if (pid < 0) {
		close(null);
		return -EAGAIN;
	}
	if (pid == 0) {
		dup2(null, 2);
		exec_driver(null, python, argv, parent);
	}
	setpgid(pid, pid);
	c.pid = pid;
	close(null);
	if (cpy_reap(&c, 20.0, how, sizeof(how)) != 0) {
		cpy_kill(&c);
		cpy_reap(&c, 5.0, how, sizeof(how));
		return -ETIMEDOUT;
	}
	return strcmp(how, "exit status 0") == 0 ? 0 : -ENOTSUP;
}
