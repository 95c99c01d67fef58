/*
 * report.c - parbench report DIR: (re)writes a run's report.html, report.md and charts from
 * its files, and prints its compact tables (--full: the full ones).
 */
#include "cmd.h"

#include "report.h"
#include "runload.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { O_FULL };

static const struct opt opts[] = {
	{ O_FULL, "full", NULL, "print the full tables (every column, every analysis line)", 0 },
	{ 0 },
};

static const struct opt_cmd cli = {
	.name = "report",
	.synopsis = "DIR [--full]",
	.about = "(Re)writes DIR's report.html, report.md and charts (summary.png first) from its\n"
		 "files and prints its tables.",
	.opts = opts,
	.max_pos = 1,
};

/* The command's state (struct command.state_size). */
struct report_cmd {
	const char *dir;
	int full;
	struct loaded_run lr;
};

static void on_opt(void *ctx, const struct opt *o, const char *val)
{
	struct report_cmd *c = ctx;

	(void)val;
	if (o->id == O_FULL)
		c->full = 1;
}

static void report_parse(void *state, int argc, char **argv)
{
	struct report_cmd *c = state;
	struct opt_result r;

	c->full = 0;
	opt_parse(&cli, argc, argv, 2, on_opt, c, &r);
	if (r.n_pos != 1)
		usage_error("report takes one run directory (parbench report DIR)");
	c->dir = r.pos[0];
}

static int report_exec(void *state)
{
	struct report_cmd *c = state;
	struct loaded_run *lr = &c->lr;
	const char *dir = c->dir;
	char err[600];
	int rc, sig;

	cmd_catch_signals(); /* Ctrl-C during the charts: gnuplot killed, its folder removed */
	rc = run_load(dir, lr, err, sizeof(err));
	if (rc)
		usage_error("%s", err);
	if (access(dir, W_OK) != 0) {
		run_free(lr);
		usage_error("cannot write in '%s': %s", dir, strerror(errno));
	}
	(c->full ? report_table : report_compact)(stdout, &lr->sw, &lr->meta);
	rc = write_report(dir, &lr->sw, &lr->meta, lr->has_roof ? &lr->roof : NULL, &stop_signal);
	run_free(lr);
	if ((sig = atomic_load(&stop_signal)) != 0) {
		diag_line("interrupted by %s%s", sig == SIGINT ? "SIGINT" : "SIGTERM",
			  rc == -EINTR ? ": the charts, report.md and report.html were not written"
				       : "");
		return 128 + sig;
	}
	printf("report: %s/report.html (and report.md)\n", dir);
	return rc ? EXIT_VERIFY : 0;
}

const struct command cmd_report = { &cli, "(re)write a run's report.html, report.md and charts",
				    0, report_parse, report_exec, sizeof(struct report_cmd) };
