/*
 * python.c - the price list in real CPython (`parbench costs --python`): runs
 * bench/costs/costs.py in the interpreter, takes its raw values, computes the statistics
 * here, and pairs every row with its C counterpart measured in the same run; also the C
 * side of the killed-worker contrast (how long the fork pool takes to report a dead worker).
 */
#include "costs_int.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#ifndef PB_PYTHON_DIR
#define PB_PYTHON_DIR "."
#endif

#define PY_COSTS_WAIT_S 300.0 /* the whole script, at most */
#define PY_PROBE_WAIT_S 20.0  /* the version probe, at most */
#define PY_GRACE_S      2.0   /* from SIGTERM to SIGKILL of what is left of the group */
#define PY_MIN_MAJOR    3     /* costs.py needs Python 3.9 (cancel_futures) */
#define PY_MIN_MINOR    9

static pid_t costs_parent;

/* r's median, min and max of the n values v. */
static void set_stats(struct cost_row *r, double *v, size_t n)
{
	r->repetitions = n;
	if (!n)
		return;
	r->median = stats_median(v, n);
	r->min = r->max = v[0];
	for (size_t i = 1; i < n; i++) {
		r->min = v[i] < r->min ? v[i] : r->min;
		r->max = v[i] > r->max ? v[i] : r->max;
	}
}

static void die_range(void *ctx, size_t b, size_t e, void *partial)
{
	if (getpid() != costs_parent)
		raise(SIGKILL); /* a worker's task kills its worker */
	count_range(ctx, b, e, partial);
}

void killed_worker_row(struct costs *c, const struct costs_opts *o)
{
	struct cost_row *r = add_row(c, "faults", "killed worker reported, fork-pool", "ms",
				     "a task SIGKILLs its worker until the pool's run returns the "
				     "error (pid, signal, task range)");
	double t[5];
	size_t n = 0;

	costs_parent = getpid();
	for (int i = 0; i < (o->quick ? 3 : 5); i++) {
		struct backend_instance bi;
		struct backend_config cfg = { .workers = o->workers > 1 ? o->workers : 2 };
		uint64_t total = 0;
		struct work w = { .n = 4, .range = die_range, .partial_size = sizeof(total),
				  .combine = add64, .model = WORK_C_CALL, .result = &total };

		if (backend_instance_start(&bi, backend_find("fork-pool"), &cfg) != 0)
			break;
		double t0 = pb_mono_s();
		int rc = backend_instance_run(&bi, &w);

		if (rc != 0)
			t[n++] = (pb_mono_s() - t0) * 1e3;
		backend_instance_stop(&bi);
	}
	r->failed = n == 0;
	set_stats(r, t, n);
}

/*
 * The interpreter's life: it leads a process group of its own (a Ctrl-C at the terminal
 * reaches parbench only, which ends the group), dies with parbench (PR_SET_PDEATHSIG; the
 * script gives every process it starts the same, bench/costs/costs.py), and writes its
 * rows to a pipe.
 */
struct py_proc {
	pid_t pid;    /* the interpreter, leader of its group; its zombie holds the group's id
		       * until py_end() */
	int fd;       /* its stdout */
};

static int py_spawn(struct py_proc *p, char *const argv[])
{
	pid_t parent = getpid();
	int fd[2];

	if (pipe2(fd, O_CLOEXEC) != 0)
		return -errno;
	pid_t pid = fork();

	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -EAGAIN;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || null < 0 || dup2(null, 0) < 0 || dup2(fd[1], 1) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid); /* also here: no window in which a kill could miss the group */
	close(fd[1]);
	*p = (struct py_proc){ .pid = pid, .fd = fd[0] };
	return 0;
}

static int leader_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Its output into buf (at most len - 1 bytes, *used so far) until every process of the group
 * closed the pipe, or PY_GRACE_S after the interpreter ended.  0, -ETIMEDOUT (still running
 * at until), -EINTR (*stop was set), -ENOBUFS or -errno. */
static int py_collect(struct py_proc *p, char *buf, size_t len, size_t *used, double until,
		      const atomic_int *stop)
{
	double ended = 0;

	for (;;) {
		struct pollfd pf = { .fd = p->fd, .events = POLLIN };
		double t = pb_mono_s();

		if (stop && atomic_load(stop))
			return -EINTR;
		if (t >= until)
			return -ETIMEDOUT;
		if (!ended && leader_exited(p->pid))
			ended = t;
		if (ended && t - ended > PY_GRACE_S)
			return 0; /* children of it still hold the pipe: py_end() ends them */
		int rc = poll(&pf, 1, 100); /* short: the stop flag is seen within 0.1 s */

		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc <= 0)
			continue;
		if (*used == len - 1)
			return -ENOBUFS;
		ssize_t r = read(p->fd, buf + *used, len - 1 - *used);

		if (r == 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0)
			*used += (size_t)r;
	}
}

/* Ends what is left of the group and reaps the interpreter.  term: SIGTERM first, and up to
 * PY_GRACE_S for the group to close the pipe (multiprocessing's resource tracker ignores
 * SIGTERM and removes the named semaphores the others leave), then SIGKILL to the rest. */
static void py_end(struct py_proc *p, int term, int *status)
{
	double until = pb_mono_s() + PY_GRACE_S;
	char sink[4096];

	if (term)
		kill(-p->pid, SIGTERM);
	while (term && pb_mono_s() < until) {
		struct pollfd pf = { .fd = p->fd, .events = POLLIN };
		int rc = poll(&pf, 1, 100);

		if ((rc < 0 && errno != EINTR) || (rc > 0 && read(p->fd, sink, sizeof(sink)) == 0))
			break;
	}
	kill(-p->pid, SIGKILL); /* the leader's zombie still holds the group's id */
	close(p->fd);
	while (waitpid(p->pid, status, 0) < 0 && errno == EINTR)
		;
}

/* python, at most wait_s: what it printed (cut at len - 1) and how it ended. 0, or -errno:
 * -ETIMEDOUT, -EINTR (*stop set: killed). */
static int py_output(char *const argv[], double wait_s, const atomic_int *stop, char *buf,
		     size_t len, int *status)
{
	struct py_proc p = { .pid = 0, .fd = -1 };
	size_t used = 0;
	int rc = py_spawn(&p, argv);

	buf[0] = '\0';
	if (rc)
		return rc;
	rc = py_collect(&p, buf, len, &used, pb_mono_s() + wait_s, stop);
	buf[used] = '\0';
	py_end(&p, rc != 0, status);
	return rc;
}

/* "exit status 1", "killed by signal 9" */
static void describe_end(int status, char *how, size_t how_len)
{
	snprintf(how, how_len, WIFSIGNALED(status) ? "killed by signal %d" : "exit status %d",
		 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

int costs_python_check(const char *python, char *why, size_t len)
{
	char *argv[] = { (char *)python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])",
			 NULL };
	char out[256], how[64];
	int status = 0, major = 0, minor = 0;
	int rc = py_output(argv, PY_PROBE_WAIT_S, NULL, out, sizeof(out), &status);

	if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127 && !out[0]) {
		snprintf(why, len, "cannot run the Python interpreter '%s' (not found or not "
			 "executable; --interpreter PATH gives another)", python);
		return -ENOENT;
	}
	describe_end(status, how, sizeof(how));
	if (rc || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    sscanf(out, "%d.%d", &major, &minor) != 2) {
		snprintf(why, len, "'%s' does not run as a Python interpreter (%s)", python,
			 rc == -ETIMEDOUT ? "no answer in time" : rc ? strerror(-rc) : how);
		return -ENOEXEC;
	}
	if (major < PY_MIN_MAJOR || (major == PY_MIN_MAJOR && minor < PY_MIN_MINOR)) {
		snprintf(why, len, "'%s' is Python %d.%d; the CPython price list needs %d.%d or "
			 "newer (--interpreter PATH gives another)", python, major, minor,
			 PY_MIN_MAJOR, PY_MIN_MINOR);
		return -ENOTSUP;
	}
	return 0;
}

/* The script's whole output into buf (cut at len - 1), within PY_COSTS_WAIT_S. 0 or -errno
 * (-EINTR: stopped by *o->stop), with how it ended in how. */
static int run_script(const struct costs_opts *o, char *buf, size_t len, char *how,
		      size_t how_len)
{
	char nw[16], nr[16];
	char *argv[] = { (char *)o->python, PB_PYTHON_DIR "/bench/costs/costs.py", nw, nr,
			 NULL };
	int status = 0;

	snprintf(nw, sizeof(nw), "%u", o->workers);
	snprintf(nr, sizeof(nr), "%d", o->quick ? 3 : 5);
	int rc = py_output(argv, PY_COSTS_WAIT_S, o->stop, buf, len, &status);

	if (rc == -ETIMEDOUT)
		snprintf(how, how_len, "still running after %.0f s: killed", PY_COSTS_WAIT_S);
	else if (rc == -ENOBUFS)
		snprintf(how, how_len, "more than %zu bytes of output: killed", len - 1);
	else if (!rc && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		describe_end(status, how, how_len);
	return rc ? rc : how[0] ? -EIO : 0;
}

/* Seconds per unit for the times ("us", "ns/incr"), 0 for the rest (MiB, %). */
static double unit_s(const char *u)
{
	return strncmp(u, "ns", 2) == 0 ? 1e-9 : strncmp(u, "us", 2) == 0 ? 1e-6
	       : strncmp(u, "ms", 2) == 0 ? 1e-3 : 0;
}

/* One "row\tname\tunit\tC name\thow\tvalues" line into a row of group "cpython". */
static void parse_row(struct costs *c, size_t n_c, char *line)
{
	char *f[6], *save = NULL;
	double v[64];
	size_t n = 0, k = 0;

	for (char *t = strtok_r(line, "\t", &save); t && k < 6; t = strtok_r(NULL, "\t", &save))
		f[k++] = t;
	if (k < 6 || strcmp(f[0], "row") != 0 || c->n >= sizeof(c->rows) / sizeof(c->rows[0]))
		return;
	for (char *t = strtok_r(f[5], " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
		v[n++] = strtod(t, NULL);
	struct cost_row *r = &c->rows[c->n++];

	*r = (struct cost_row){ .group = "cpython", .repetitions = n, .failed = n == 0 };
	snprintf(r->name, sizeof(r->name), "%s", f[1]);
	snprintf(r->unit_own, sizeof(r->unit_own), "%s", f[2]);
	snprintf(r->how_own, sizeof(r->how_own), "%s", f[4]);
	r->unit = r->unit_own;
	r->how = r->how_own;
	snprintf(r->c_name, sizeof(r->c_name), "%s", f[3]);
	set_stats(r, v, n);
	r->never = n > 0 && r->median < 0;
	for (size_t i = 0; i < n_c && strcmp(f[3], "-") != 0; i++) {
		const struct cost_row *q = &c->rows[i];
		double a = unit_s(q->unit), b = unit_s(r->unit);

		if (!strstr(q->name, f[3]) || q->failed || q->not_run ||
		    (a == 0) != (b == 0) || (a == 0 && strcmp(q->unit, r->unit) != 0))
			continue;
		r->c_median = a ? q->median * a / b : q->median; /* in the row's unit */
		snprintf(r->c_name, sizeof(r->c_name), "%s", q->name);
	}
}

int costs_python(struct costs *c, const struct costs_opts *o, char *err, size_t err_len)
{
	static char out[65536];
	char how[64] = "";
	size_t n_c = c->n;
	int rc = run_script(o, out, sizeof(out), how, sizeof(how));

	if (rc == -EINTR) {
		snprintf(err, err_len, "the CPython price list was stopped");
		return rc;
	}
	if (rc) {
		snprintf(err, err_len, "the CPython price list (%s bench/costs/costs.py) "
			 "failed: %s", o->python, how[0] ? how : strerror(-rc));
		return rc;
	}
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		parse_row(c, n_c, line);
	if (c->n == n_c) {
		snprintf(err, err_len, "the CPython price list printed no rows");
		return -EIO;
	}
	return 0;
}
