/*
 * run_out.c - what a run leaves: the tables on stdout, the run directory's files (whole
 * files only), the report and charts, the FAILED lines; and the emergency save when a run
 * hangs in threads that cannot be stopped.
 */
#include "run.h"

#include "pin.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void run_on_hang(const struct sweep_row *row, const char *reason, void *arg)
{
	struct run_cmd *r = arg;
	char tmp[1200];

	diag_line("%s / %s / %u workers: %s; its threads cannot be stopped, so the run ends "
		  "here", row->k->name, row->b->name, row->workers, reason);
	sweep_evaluate(&r->sw);
	if (report_write_summary(r->out_dir, &r->sw, r->meta.roof) ||
	    report_write_samples(r->out_dir, &r->sw) ||
	    report_write_meta(r->out_dir, &r->sw, &r->meta))
		diag_line("cannot write the results in '%s'", r->out_dir);
	else
		diag_line("what was measured before is saved in %s", r->out_dir);
	snprintf(tmp, sizeof(tmp), "%s/.gbench.json.tmp", r->out_dir);
	unlink(tmp); /* Google Benchmark's own file is incomplete */
	/* from the watchdog thread, with the workers still running: no exit handlers */
	_exit(atomic_load(&stop_signal) ? 128 + atomic_load(&stop_signal) : EXIT_VERIFY);
}

/* Google Benchmark's file and the topology's XML into place. 0 or EXIT_VERIFY. */
static int move_into_place(const struct run_cmd *r)
{
	char src[1200], dst[1200], xml[1200];
	int status = 0;

	snprintf(src, sizeof(src), "%s/.gbench.json.tmp", r->out_dir);
	snprintf(dst, sizeof(dst), "%s/gbench.json", r->out_dir);
	if (rename(src, dst) != 0 && errno != ENOENT)
		status = EXIT_VERIFY;
	snprintf(xml, sizeof(xml), "%s/.topology.xml.tmp", r->out_dir);
	snprintf(dst, sizeof(dst), "%s/topology.xml", r->out_dir);
	if (pin_topo_export_xml(r->topo, xml) != 0 || rename(xml, dst) != 0)
		status = EXIT_VERIFY;
	return status;
}

int run_write(struct run_cmd *r)
{
	struct sweep *sw = &r->sw;
	int status = 0;

	r->meta.n_left_out = r->n_left_out; /* the MPI launches may have added some */
	if (!r->no_report)
		report_table(stdout, sw, &r->meta);
	fflush(stdout);
	status = move_into_place(r);
	if (report_write_summary(r->out_dir, sw, r->meta.roof) ||
	    report_write_samples(r->out_dir, sw) || report_write_meta(r->out_dir, sw, &r->meta) ||
	    (r->meta.roof && (roof_write_csv(r->out_dir, r->meta.roof) ||
			      roof_write_compute_csv(r->out_dir, r->meta.roof)))) {
		diag_line("cannot write the results in '%s': %s", r->out_dir, strerror(errno));
		status = EXIT_VERIFY;
	}
	if (!r->no_report && write_report(r->out_dir, sw, &r->meta))
		status = EXIT_VERIFY;
	if (!r->no_report)
		printf("results: %s (report.md: tables, charts, machine)\n", r->out_dir);
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *row = &sw->rows[i];

		if (!row->failed)
			continue;
		diag_line("FAILED %s / %s / %u workers: %s", row->k->name, row->b->name,
			  row->workers, row->error);
		status = EXIT_VERIFY;
	}
	int sig = atomic_load(&stop_signal);

	if (sig) {
		diag_line("interrupted by %s; %u configuration%s not measured, %u kept "
			  "with fewer repetitions, the rest saved in %s",
			  sig == SIGINT ? "SIGINT" : "SIGTERM", sw->interrupted,
			  sw->interrupted == 1 ? "" : "s", sw->partial, r->out_dir);
		status = 128 + sig;
	}
	return status;
}
