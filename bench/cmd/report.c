/*
 * report.c - parbench report DIR: (re)writes a run's report.md and charts from its files,
 * and prints its tables.
 */
#include "cmd.h"

#include "report.h"
#include "runload.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct opt_cmd cli = {
	.name = "report",
	.synopsis = "DIR",
	.about = "(Re)writes DIR's report.md and charts from its files and prints its tables.",
	.max_pos = 1,
};

static const char *dir;

static void report_parse(int argc, char **argv)
{
	struct opt_result r;

	opt_parse(&cli, argc, argv, 2, opt_none, NULL, &r);
	if (r.n_pos != 1)
		usage_error("report takes one run directory (parbench report DIR)");
	dir = r.pos[0];
}

static int report_exec(void)
{
	static struct loaded_run lr;
	char err[600];
	int rc, sig;

	cmd_catch_signals(); /* Ctrl-C during the charts: gnuplot killed, its folder removed */
	rc = run_load(dir, &lr, err, sizeof(err));
	if (rc)
		usage_error("%s", err);
	if (access(dir, W_OK) != 0) {
		run_free(&lr);
		usage_error("cannot write in '%s': %s", dir, strerror(errno));
	}
	report_table(stdout, &lr.sw, &lr.meta);
	rc = write_report(dir, &lr.sw, &lr.meta, lr.has_roof ? &lr.roof : NULL, &stop_signal);
	run_free(&lr);
	if ((sig = atomic_load(&stop_signal)) != 0) {
		diag_line("interrupted by %s%s", sig == SIGINT ? "SIGINT" : "SIGTERM",
			  rc == -EINTR ? ": the charts and report.md were not written" : "");
		return 128 + sig;
	}
	printf("report: %s/report.md\n", dir);
	return rc ? EXIT_VERIFY : 0;
}

const struct command cmd_report = { &cli, "(re)write a run's report.md and charts", 0,
				    report_parse, report_exec };
