/*
 * launch.c - mpirun from parbench (see launch.h).
 *
 * mpirun is given what Open MPI needs on our machines (../shared/notes/multinode.md):
 * --bind-to none (parbench pins ranks itself, and mpirun would put every node's local rank 0
 * on core 0), mpi_yield_when_idle (waiting ranks yield instead of spinning), on one node the
 * ob1 PML with shared memory only (200 ms less start-up than the defaults), across nodes TCP
 * as well, and as root the two variables that allow it.  mpirun ends when parbench does
 * (PR_SET_PDEATHSIG: SIGTERM, on which it ends its ranks), as every other child parbench
 * starts, so that a parbench killed leaves no ranks running.  (Only mpirun itself: a wrapper
 * script given as PARBENCH_MPIRUN passes that on only if it execs mpirun.)
 */
#include "launch.h"
#include "pb_build.h"
#include "child.h"
#include "untrusted.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The rank variable a launcher set (the first of them that is not empty), its name in
 * *name; NULL if there is none. */
static const char *rank_var(const char **name)
{
	static const char *vars[] = { "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v) {
			*name = vars[i];
			return v;
		}
	}
	return NULL;
}

/* v as a rank: digits only, 0 to INT_MAX; -1 if it is not one (atoi took "abc" for 0). */
static int rank_of(const char *v)
{
	char *end;
	long r;

	if (!isdigit((unsigned char)v[0]))
		return -1; /* no sign, no blank */
	errno = 0;
	r = strtol(v, &end, 10);
	return *end || errno || r > INT_MAX ? -1 : (int)r;
}

int launch_rank(void)
{
	const char *name, *v = rank_var(&name);

	return v ? rank_of(v) : -1;
}

int launch_rank_check(char *err, size_t err_len)
{
	const char *name, *v = rank_var(&name);
	char shown[48];

	if (!v || rank_of(v) >= 0)
		return 0;
	snprintf(shown, sizeof(shown), "%.40s", v);
	pb_scrub(shown);
	snprintf(err, err_len, "%s is '%s', not an MPI rank (a whole number, 0 or more)", name,
		 shown);
	return -EINVAL;
}

/* name as a file to execute: name itself when it holds a '/', else the first on PATH's
 * non-empty entries (an empty one would be the current folder), into buf.  1 if found. */
static int find_executable(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(buf, len, "%s", name);
		return strlen(name) < len && stat(name, &st) == 0 && S_ISREG(st.st_mode) &&
		       access(name, X_OK) == 0;
	}
	for (const char *p = path ? path : ""; *p;) {
		size_t n = strcspn(p, ":");

		if (n && n + strlen(name) + 2 <= len) {
			snprintf(buf, len, "%.*s/%s", (int)n, p, name);
			if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
				return 1;
		}
		p += n + (p[n] == ':');
	}
	return 0;
}

int launch_executable(const char *name)
{
	char buf[PATH_MAX];

	return find_executable(name, buf, sizeof(buf));
}

const char *launch_mpirun(void)
{
	const char *env = getenv("PARBENCH_MPIRUN");

	if (env && *env)
		return env;
	if (PB_MPIRUN[0] && access(PB_MPIRUN, X_OK) == 0)
		return PB_MPIRUN;
	return NULL;
}

#define MAX_ARGS 192

/* mpirun's command line for l into argv (MAX_ARGS); its length, or -E2BIG. */
static int mpirun_argv(const struct launch *l, const char **argv, char *np, size_t np_len)
{
	size_t n = 0;

	snprintf(np, np_len, "%u", l->ranks);
	argv[n++] = l->mpirun;
	argv[n++] = "-np";
	argv[n++] = np;
	argv[n++] = "--bind-to";
	argv[n++] = "none";
	argv[n++] = "--mca";
	argv[n++] = "mpi_yield_when_idle";
	argv[n++] = "1";
	/* on a stop, the ranks get SIGTERM and rank 0 saves what it measured (its watchdog
	 * gives a repetition in progress WATCHDOG_GRACE_S, 2 s): SIGKILL 4 s later, not 1 */
	argv[n++] = "--mca";
	argv[n++] = "odls_base_sigkill_timeout";
	argv[n++] = "4";
	if (l->oversubscribe)
		argv[n++] = "--oversubscribe";
	if (l->hostfile) {
		argv[n++] = "--hostfile";
		argv[n++] = l->hostfile;
		argv[n++] = "--mca";
		argv[n++] = "btl";
		argv[n++] = "self,vader,tcp";
	} else {
		argv[n++] = "--mca";
		argv[n++] = "pml";
		argv[n++] = "ob1";
		argv[n++] = "--mca";
		argv[n++] = "btl";
		argv[n++] = "self,vader";
	}
	for (size_t i = 0; l->argv[i]; i++) {
		if (n + 1 >= MAX_ARGS)
			return -E2BIG;
		argv[n++] = l->argv[i];
	}
	argv[n] = NULL;
	return (int)n;
}

/* Waits for mpirun (pid > 1); a stop request is passed on as SIGTERM, then SIGKILL 5 s
 * later.  Its exit status, 128 + a signal, or -errno. */
static int wait_mpirun(const struct launch *l, pid_t pid, char *err, size_t err_len)
{
	int status = 0;

	for (int stopping = 0, waited = 0;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			int e = errno;

			snprintf(err, err_len, "waitpid: %s", strerror(e));
			return -e;
		}
		if (l->stop && atomic_load(l->stop) && !stopping) {
			kill(pid, SIGTERM); /* mpirun passes it on to the ranks */
			stopping = atomic_load(l->stop);
		}
		if (stopping && ++waited == 250) { /* 5 s later: mpirun and its group (Open MPI
						    * puts each rank in a group of its own) */
			killpg(pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		nanosleep(&ts, NULL);
		if (stopping && waited > 400) {
			waitpid(pid, &status, 0); /* killed: reaped, not left a zombie */
			return 128 + stopping;
		}
	}
	if (l->stop && atomic_load(l->stop))
		return 128 + atomic_load(l->stop);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The child: stdin /dev/null, stdout to out if given, ended with parbench (SIGTERM: mpirun
 * then ends its ranks), in a process group of its own, mpirun (exe, found by the parent) run.
 * Its own group: a Ctrl-C at the terminal (or `timeout`, or a service stop) signals
 * parbench's group, and parbench passes on one SIGTERM; mpirun that got the terminal's
 * SIGINT and then that SIGTERM would take the second signal as "kill now" and leave its
 * ranks running, unsaved.  (So ssh cannot ask at the terminal: Open MPI wants ssh without
 * a prompt anyway.)  Only async-signal-safe calls; an error's errno goes to the parent
 * through fd, which closes on exec. */
static void exec_mpirun(const struct launch *l, const char *exe, const char **argv,
			pid_t parent, int fd)
{
	int null, out = -1, e;

	errno = 0;
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (l->stdout_path)
		out = open(l->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent || setpgid(0, 0) != 0 ||
	    null < 0 ||
	    pb_fd_onto(null, STDIN_FILENO) < 0 ||
	    (l->stdout_path && (out < 0 || pb_fd_onto(out, STDOUT_FILENO) < 0))) {
		e = errno ? errno : ECHILD;
	} else {
		execve(exe, (char *const *)argv, environ);
		e = errno;
	}
	if (write(fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* mpirun started with argv; its pid (> 0), or -errno with err set. */
static pid_t start_mpirun(const struct launch *l, const char **argv, char *err, size_t err_len)
{
	pid_t parent = getpid(), pid;
	char exe[PATH_MAX];
	int fd[2], e = 0;
	ssize_t got;

	if (!find_executable(l->mpirun, exe, sizeof(exe))) {
		snprintf(err, err_len, "cannot start %s: %s", l->mpirun,
			 strchr(l->mpirun, '/') ? "not an executable file" : "not found on PATH");
		return -ENOENT;
	}
	if (pipe2(fd, O_CLOEXEC) != 0) {
		e = errno;
		snprintf(err, err_len, "cannot start %s: %s", l->mpirun, strerror(e));
		return -e;
	}
	pid = fork();
	if (pid == 0)
		exec_mpirun(l, exe, argv, parent, fd[1]);
	e = errno;
	close(fd[1]);
	if (pid > 0)
		setpgid(pid, pid); /* here too: the group exists before any killpg */
	if (pid < 0) {
		close(fd[0]);
		snprintf(err, err_len, "cannot start %s: %s", l->mpirun, strerror(e));
		return -e;
	}
	while ((got = read(fd[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(fd[0]);
	if (got == (ssize_t)sizeof(e)) { /* it did not start: reaped, not left a zombie */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		snprintf(err, err_len, "cannot start %s: %s", l->mpirun, strerror(e));
		return -e;
	}
	return pid;
}

int launch_run(const struct launch *l, char *err, size_t err_len)
{
	const char *argv[MAX_ARGS];
	char np[16];
	pid_t pid;

	if (mpirun_argv(l, argv, np, sizeof(np)) < 0) {
		snprintf(err, err_len, "too many arguments for mpirun");
		return -E2BIG;
	}
	if (geteuid() == 0) {
		setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
		setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
	}
	pid = start_mpirun(l, argv, err, err_len);
	if (pid <= 0)
		return pid < 0 ? (int)pid : -ECHILD;
	return wait_mpirun(l, pid, err, err_len);
}
