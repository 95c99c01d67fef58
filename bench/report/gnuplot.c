/*
 * gnuplot.c - the chart scripts (plots/NAME.gp) run so that nothing read from a run directory
 * becomes gnuplot code or a path.  A run directory may come from anyone, and gnuplot runs
 * shell commands (system(), `...`, a data file '<cmd', an output '|cmd'), so:
 * - every value goes as a string argument (gnuplot -c SCRIPT ARG1 ...) that the scripts use
 *   as data only (titles and labels noenhanced, no macros, no eval);
 * - gnuplot runs in a fresh directory of ours inside the run directory, reading
 *   ../summary.csv and ../roof.csv and writing plain names, which are then renamed into the
 *   run directory: a symlink planted under a chart's name is replaced, never written
 *   through;
 * - gnuplot and the script are found by absolute path before it starts there, and a HOME
 *   that is not absolute is replaced (gnuplot would read .gnuplot from its directory).
 */
#include "report_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define CHARTS_TMP "/.charts-XXXXXX"

/* gnuplot by the PATH, resolved here (a relative entry would otherwise be looked up from
 * the run directory).  0 or -ENOENT. */
static int find_gnuplot(char *out, size_t len) /* out: PATH_MAX bytes */
{
	const char *path = getenv("PATH");
	char cand[PATH_MAX + 16];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");

		/* an empty entry is the current directory */
		if (n < PATH_MAX && (size_t)snprintf(cand, sizeof(cand), "%.*s/gnuplot", (int)(n ? n : 1),
						     n ? p : ".") < sizeof(cand) &&
		    access(cand, X_OK) == 0 && realpath(cand, out) && strlen(out) < len)
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

int gnuplot_open(struct gnuplot *g, const char *dir, const char *plots_dir)
{
	memset(g, 0, sizeof(*g));
	g->dir_fd = g->tmp_fd = -1;
	if (find_gnuplot(g->exe, sizeof(g->exe)))
		return -ENOENT;
	if (!realpath(plots_dir, g->plots) ||
	    (size_t)snprintf(g->tmp, sizeof(g->tmp), "%s" CHARTS_TMP, dir) >= sizeof(g->tmp))
		return -EIO;
	g->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->dir_fd < 0 || !mkdtemp(g->tmp)) {
		gnuplot_close(g);
		return -EIO;
	}
	g->made = 1;
	g->tmp_fd = open(g->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->tmp_fd < 0 || !(g->env = child_env())) {
		gnuplot_close(g);
		return -EIO;
	}
	return 0;
}

int gnuplot_run(struct gnuplot *g, const char *script, const char *const *args)
{
	char path[PATH_MAX + 64];
	char *argv[GNUPLOT_MAX_ARGS + 4];
	posix_spawn_file_actions_t fa;
	size_t n = 0;
	pid_t pid;
	int status, rc;

	snprintf(path, sizeof(path), "%s/%s", g->plots, script);
	argv[n++] = "gnuplot";
	argv[n++] = "-c";
	argv[n++] = path;
	for (size_t i = 0; args[i] && i < GNUPLOT_MAX_ARGS; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -EIO;
	rc = posix_spawn_file_actions_addfchdir_np(&fa, g->tmp_fd);
	if (rc == 0)
		rc = posix_spawn(&pid, g->exe, &fa, NULL, argv, g->env);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0 || pid <= 0)
		return -EIO;
	while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
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

/* Our directory's files renamed into the run directory (regular files only). 0 or -EIO. */
static int move_charts(struct gnuplot *g)
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
		if (fstatat(g->tmp_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && renameat(g->tmp_fd, e->d_name, g->dir_fd, e->d_name) == 0) {
			note_chart(g->list, e->d_name);
			continue;
		}
		unlinkat(g->tmp_fd, e->d_name, 0);
		rc = -EIO;
	}
	closedir(d);
	return rc;
}

int gnuplot_close(struct gnuplot *g)
{
	int rc = 0;

	if (g->tmp_fd >= 0) {
		rc = move_charts(g);
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
