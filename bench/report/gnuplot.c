/*
 * gnuplot.c - the chart scripts (plots/NAME.gp) run so that nothing read from a run directory
 * becomes gnuplot code or a path.  A run directory may come from anyone, and gnuplot runs
 * shell commands (system(), `...`, a data file '<cmd', an output '|cmd'), so:
 * - every value goes as a string argument (gnuplot -c SCRIPT ARG1 ...) that the scripts use
 *   as data only (titles and labels noenhanced, no macros, no eval);
 * - gnuplot runs in a fresh directory of ours (mode 0700) inside the run directory and reads
 *   only data parbench wrote there (summary.csv, roof.csv, compute.csv, from what it loaded
 *   and checked, the rows of the chart drawn): never a run directory's file, which may be
 *   huge, a FIFO, or swapped after the check;
 * - it writes plain names there, which are then renamed into the run directory: a symlink
 *   planted under a chart's name is replaced, never written through;
 * - gnuplot is found by an absolute PATH entry only (an empty or relative one would find the
 *   run directory's own "gnuplot"), the script by absolute path, and a HOME that is not
 *   absolute is replaced (gnuplot would read .gnuplot from its directory);
 * - it runs in a process group of its own, is killed with it after a timeout or when a
 *   signal asks parbench to stop, and dies with parbench (no orphan).
 */
#include "report_int.h"

#include "child.h"
#include "clock.h"
#include "columns.h"
#include "outfile.h"
#include "untrusted.h"

#include <dirent.h>
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

#define CHARTS_TMP "/.charts-XXXXXX"
#define GNUPLOT_OUT "gnuplot.out" /* its stdout and stderr, in our directory */

/* The data files of ours in our directory: not charts, never moved into the run directory. */
static const char *const data_files[] = { "summary.csv", "roof.csv", "compute.csv", GNUPLOT_OUT,
					  NULL };

/* gnuplot by the PATH's absolute entries (an empty entry, ".", or any relative one would be
 * looked up from the run directory), a regular file we may run.  0 or -ENOENT. */
static int find_gnuplot(char *out, size_t len) /* out: PATH_MAX bytes */
{
	const char *path = getenv("PATH");
	char cand[PATH_MAX + 16];
	struct stat st;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");

		if (n > 0 && n < PATH_MAX && p[0] == '/' &&
		    (size_t)snprintf(cand, sizeof(cand), "%.*s/gnuplot", (int)n, p) < sizeof(cand) &&
		    stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0 &&
		    realpath(cand, out) && strlen(out) < len)
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

/* environ, with every HOME that is not an absolute path left out and HOME=/nonexistent
 * added if no other is left; NULL if out of memory. */
static char **child_env(void)
{
	static char home[] = "HOME=/nonexistent";
	size_t n = 0, k = 0;
	int have_home = 0;
	char **env;

	while (environ && environ[n]) /* NULL after clearenv() */
		n++;
	if (!(env = calloc(n + 2, sizeof(*env))))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int is_home = strncmp(environ[i], "HOME=", 5) == 0;

		if (is_home && environ[i][5] != '/')
			continue;
		have_home |= is_home;
		env[k++] = environ[i];
	}
	if (!have_home)
		env[k++] = home;
	env[k] = NULL;
	return env;
}

static int stopped(const struct gnuplot *g)
{
	return g->stop && atomic_load(g->stop);
}

int gnuplot_open(struct gnuplot *g, const char *dir, const struct chart_opts *o)
{
	memset(g, 0, sizeof(*g));
	g->dir_fd = g->tmp_fd = -1;
	g->stop = o->stop;
	g->timeout_s = o->timeout_s ? o->timeout_s : REPORT_GNUPLOT_TIMEOUT_S;
	if (stopped(g))
		return -EINTR;
	if (find_gnuplot(g->exe, sizeof(g->exe)))
		return -ENOENT;
	if (!realpath(o->plots_dir, g->plots)) {
		snprintf(g->why, sizeof(g->why), "the scripts' folder %s: %s", o->plots_dir,
			 strerror(errno));
		pb_scrub(g->why);
		return -EIO;
	}
	if ((size_t)snprintf(g->tmp, sizeof(g->tmp), "%s" CHARTS_TMP, dir) >= sizeof(g->tmp))
		return -EIO;
	g->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->dir_fd < 0 || !mkdtemp(g->tmp)) {
		gnuplot_close(g, 0);
		return -EIO;
	}
	g->made = 1;
	g->tmp_fd = open(g->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->tmp_fd < 0 || !(g->env = child_env())) {
		gnuplot_close(g, 0);
		return -EIO;
	}
	return 0;
}

int gnuplot_data(struct gnuplot *g, const struct sweep *sw, const struct kernel *k,
		 const struct roof *roof)
{
	struct outfile o;

	if (outfile_open(&o, g->tmp, "summary.csv") != 0)
		return -EIO;
	summary_header(o.f);
	for (size_t i = 0; i < sw->n_rows; i++)
		if ((!k || sw->rows[i].k == k) && row_measured(&sw->rows[i]))
			summary_line(o.f, &sw->rows[i], sw, roof);
	if (outfile_commit(&o) != 0 ||
	    (roof && (roof_write_csv(g->tmp, roof) || roof_write_compute_csv(g->tmp, roof))))
		return -EIO;
	return 0;
}

/* gnuplot started in our directory with stdin /dev/null and stdout and stderr to out, in a
 * process group of its own, killed if parbench dies.  Its pid, or -1. */
static pid_t start(const struct gnuplot *g, char *const *argv, int out)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) { /* only async-signal-safe calls until execve */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent ||
		    setpgid(0, 0) != 0 || fchdir(g->tmp_fd) != 0 || null < 0 ||
		    pb_fd_onto(null, 0) < 0 || pb_fd_onto(out, 1) < 0 || pb_fd_onto(out, 2) < 0)
			_exit(127);
		execve(g->exe, argv, g->env);
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid); /* here too: the group exists before any kill below */
	return pid;
}

/* Waits for pid (> 1): 0 if it exited with 0; else it and its group are killed on a stop
 * request (-EINTR) or after the timeout (-ETIMEDOUT), and reaped; -EIO if it failed. */
static int wait_gnuplot(const struct gnuplot *g, pid_t pid)
{
	double deadline = pb_mono_s() + g->timeout_s;
	struct timespec nap = { 0, 1000000 }; /* 1 ms, doubling to 32 ms */
	int status, rc = 0;
	pid_t w;

	while ((w = waitpid(pid, &status, WNOHANG)) == 0 || (w < 0 && errno == EINTR)) {
		if (stopped(g))
			rc = -EINTR;
		else if (pb_mono_s() > deadline)
			rc = -ETIMEDOUT;
		if (rc) {
			killpg(pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return rc;
		}
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 32000000)
			nap.tv_nsec *= 2;
	}
	if (w != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return 0;
}

/* The first failure into g->why: the script and the last line gnuplot wrote (its error; a
 * warning may come before it), scrubbed. */
static void note_failure(struct gnuplot *g, const char *script, int out)
{
	char buf[1024], *line = buf, *end;
	off_t size = lseek(out, 0, SEEK_END);
	off_t at = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = size > 0 ? pread(out, buf, sizeof(buf) - 1, at) : 0;

	buf[n > 0 ? n : 0] = '\0';
	while ((end = strrchr(buf, '\n')) && !end[1 + strspn(end + 1, " \t")])
		*end = '\0'; /* blank lines at the end */
	if ((end = strrchr(buf, '\n')))
		line = end + 1;
	line += strspn(line, " \t");
	line[strcspn(line, "\r")] = '\0';
	pb_scrub(line);
	snprintf(g->why, sizeof(g->why), "%s: %s", script, line[0] ? line : "no message");
}

int gnuplot_run(struct gnuplot *g, const char *script, const char *const *args)
{
	char path[PATH_MAX + 64];
	char *argv[GNUPLOT_MAX_ARGS + 4];
	size_t n = 0;
	int out, rc;
	pid_t pid;

	if (stopped(g))
		return -EINTR;
	snprintf(path, sizeof(path), "%s/%s", g->plots, script);
	argv[n++] = "gnuplot";
	argv[n++] = "-c";
	argv[n++] = path;
	for (size_t i = 0; args[i] && i < GNUPLOT_MAX_ARGS; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	out = openat(g->tmp_fd, GNUPLOT_OUT, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (out < 0)
		return -EIO;
	pid = start(g, argv, out);
	rc = pid > 1 ? wait_gnuplot(g, pid) : -EIO; /* never a group or every process (killpg) */
	if (rc == -EIO && !g->why[0])
		note_failure(g, script, out);
	close(out);
	return rc;
}

static int is_data(const char *name)
{
	for (size_t i = 0; data_files[i]; i++)
		if (strcmp(name, data_files[i]) == 0)
			return 1;
	return 0;
}

int report_chart_made(const struct report_chart_list *list, const char *name)
{
	for (size_t i = 0; list && i < list->n; i++)
		if (strcmp(list->name[i], name) == 0)
			return 1;
	return 0;
}

/* A chart's file moved into place: its name without .png/.svg into list, once. */
static void note_chart(struct report_chart_list *list, const char *file)
{
	size_t n = strlen(file);

	if (n > 4 && (strcmp(file + n - 4, ".svg") == 0 || strcmp(file + n - 4, ".png") == 0))
		n -= 4;
	if (!list || list->n == REPORT_MAX_CHARTS || n >= sizeof(list->name[0]))
		return;
	memcpy(list->name[list->n], file, n);
	list->name[list->n][n] = '\0';
	if (!report_chart_made(list, list->name[list->n]))
		list->n++;
}

/* Our directory's files renamed into the run directory (regular files only, each named in
 * g->list; our data and, unless keep, the charts removed). 0 or -EIO. */
static int move_charts(struct gnuplot *g, int keep)
{
	int fd = dup(g->tmp_fd), rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	struct stat st;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (keep && !is_data(e->d_name) &&
		    fstatat(g->tmp_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && renameat(g->tmp_fd, e->d_name, g->dir_fd, e->d_name) == 0) {
			note_chart(g->list, e->d_name);
			continue;
		}
		unlinkat(g->tmp_fd, e->d_name, 0);
		rc = keep && !is_data(e->d_name) ? -EIO : rc;
	}
	closedir(d);
	return rc;
}

int gnuplot_close(struct gnuplot *g, int keep)
{
	int rc = 0;

	if (g->tmp_fd >= 0) {
		rc = move_charts(g, keep);
		close(g->tmp_fd);
	}
	if (g->made && unlinkat(g->dir_fd, strrchr(g->tmp, '/') + 1, AT_REMOVEDIR) != 0)
		rc = -EIO;
	if (g->dir_fd >= 0)
		close(g->dir_fd);
	free(g->env);
	memset(g, 0, sizeof(*g));
	g->dir_fd = g->tmp_fd = -1;
	return rc;
}
