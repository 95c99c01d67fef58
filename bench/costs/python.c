/*
 * python.c - the price list in real CPython (`parbench costs --python`): runs
 * bench/costs/costs.py in the interpreter, takes its raw values, computes the statistics
 * here, and pairs every row with its C counterpart measured in the same run; also the C
 * side of the killed-worker contrast (how long the fork pool takes to report a dead worker).
 */
#include "costs_int.h"
#include "stats.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#ifndef PB_PYTHON_DIR
#define PB_PYTHON_DIR "."
#endif

#define PY_COSTS_WAIT_S 300.0 /* the whole script, at most */

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

/* The script's whole output into buf (cut at len - 1), within PY_COSTS_WAIT_S. 0 or -errno. */
static int run_script(const char *python, unsigned workers, int reps, char *buf, size_t len,
		      char *how, size_t how_len)
{
	char nw[16], nr[16];
	char *argv[] = { (char *)python, PB_PYTHON_DIR "/bench/costs/costs.py", nw, nr, NULL };
	int fd[2], status = 0;
	size_t used = 0;
	double until = pb_mono_s() + PY_COSTS_WAIT_S;

	snprintf(nw, sizeof(nw), "%u", workers);
	snprintf(nr, sizeof(nr), "%d", reps);
	if (pipe(fd) != 0)
		return -errno;
	pid_t pid = fork();

	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -EAGAIN;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execvp(python, argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fd[1]);
	for (;;) {
		struct pollfd p = { .fd = fd[0], .events = POLLIN };
		int ms = (int)((until - pb_mono_s()) * 1e3);

		if (ms <= 0 || poll(&p, 1, ms) == 0)
			break;
		ssize_t r = read(fd[0], buf + used, len - 1 - used);

		if (r <= 0 && !(r < 0 && errno == EINTR))
			break;
		if (r > 0)
			used += (size_t)r;
		if (used == len - 1)
			break;
	}
	buf[used] = '\0';
	close(fd[0]);
	kill(-pid, SIGKILL); /* what is left of its group (its zombie still holds the id) */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(how, how_len, WIFSIGNALED(status) ? "killed by signal %d" : "exit status %d",
		 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return -EIO;
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

int python_rows(struct costs *c, const struct costs_opts *o, char *err, size_t err_len)
{
	static char out[65536];
	char how[64] = "";
	size_t n_c = c->n;
	int rc = run_script(o->python, o->workers, o->quick ? 3 : 5, out, sizeof(out), how,
			    sizeof(how));

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
