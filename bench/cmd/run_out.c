/*
 * run_out.c - what a run leaves: its folder (checked before the run, written fresh beside
 * --out and moved there whole at the end), the tables on stdout, the run directory's files
 * (whole files only), the report and charts, the FAILED lines; and the emergency save when a
 * run hangs in threads that cannot be stopped.
 */
#include "run.h"

#include "outdir.h"
#include "pin.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_MAX 1000 /* --out's length: the paths built on it must fit their buffers */

/* An earlier run: its meta.json (a regular file) holds parbench's first key. */
static const struct outdir_mark run_mark = { "meta.json", "\"parbench_commit\": \"" };
static pid_t stage_owner; /* the process that made the fresh folder (not a forked worker) */
static int stage_live;    /* the fresh folder exists and is not in place */

/* Why an --out is refused, for outdir_check's codes; NULL for others. */
static const char *refusal(int rc)
{
	switch (rc) {
	case -ELOOP: return "is a symbolic link: give the folder itself";
	case -ENOTDIR: return "is not a folder";
	case -ENOTEMPTY: return "holds files but is not a parbench run (no meta.json of parbench's): "
				"give a new or empty folder, or an earlier run's to replace it";
	case -EINVAL: return "does not name a folder (its last part is '.', '..' or '/')";
	default: return NULL;
	}
}

void run_out_check(struct run_cmd *r)
{
	const char *out = out_dir_name(r->out_dir, "", r->dir, sizeof(r->dir));
	size_t n = strlen(out);
	int rc;

	if (n > OUT_MAX + (r->launched ? 100 : 0)) /* ranks: a folder in a run's */
		usage_error("--out '%.40s...' is too long (at most %d bytes)", out, OUT_MAX);
	while (n > 1 && out[n - 1] == '/')
		n--; /* "out/" is out, with .parbench-sizes beside it */
	if (out != r->dir) {
		snprintf(r->dir, sizeof(r->dir), "%.*s", (int)n, out);
		out = r->dir;
	}
	rc = outdir_check(out, &run_mark);
	if (refusal(rc))
		usage_error("--out '%s' %s", out, refusal(rc));
	if (rc >= 0)
		rc = outdir_writable(out);
	if (rc < 0)
		usage_error("cannot write results directory '%s': %s", out, strerror(-rc));
	r->out_dir = out;
	r->work_dir = "";
}

static void discard_stage(void)
{
	if (stage_live && getpid() == stage_owner)
		outdir_remove(run_state.stage);
	stage_live = 0;
}

int run_out_stage(struct run_cmd *r)
{
	int rc = outdir_stage(r->out_dir, r->stage, sizeof(r->stage));

	if (rc) {
		diag_line("cannot make a folder for the run beside '%s': %s",
			r->out_dir, strerror(-rc));
		return EXIT_VERIFY;
	}
	if (!stage_owner)
		atexit(discard_stage); /* a run that ends without its files leaves no folder */
	stage_owner = getpid();
	stage_live = 1;
	r->work_dir = r->stage;
	return 0;
}

/* The fresh folder to out_dir, replacing what is there (an empty folder or an earlier run,
 * removed after).  0, or EXIT_VERIFY when the run stays where it was written (said on
 * stderr); work_dir is where the run is. */
static int publish(struct run_cmd *r)
{
	char old[4200];
	int rc = outdir_publish(r->stage, r->out_dir, &run_mark, old, sizeof(old));

	stage_live = 0;
	if (rc) {
		diag_line("cannot move the run to '%s' (%s): it is in %s",
			r->out_dir, refusal(rc) ? refusal(rc) : strerror(-rc), r->stage);
		return EXIT_VERIFY;
	}
	r->work_dir = r->out_dir;
	if (old[0] && (rc = outdir_remove(old)) != 0)
		diag_line("warning: the run replaced in '%s' is left in %s: %s",
			r->out_dir, old, strerror(-rc));
	return 0;
}

/* What was measured before a hang, moved into place.  0, or nonzero said on stderr. */
static int save_on_hang(struct run_cmd *r)
{
	char tmp[1200];

	if (report_write_summary(r->work_dir, &r->sw, r->meta.roof) ||
	    report_write_samples(r->work_dir, &r->sw) ||
	    report_write_meta(r->work_dir, &r->sw, &r->meta)) {
		diag_line("cannot write the results for '%s'", r->out_dir);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.gbench.json.tmp", r->work_dir);
	unlink(tmp); /* Google Benchmark's own file is incomplete */
	return publish(r);
}

void run_on_hang(const struct sweep_row *row, const char *reason, void *arg)
{
	struct run_cmd *r = arg;

	diag_line("%s / %s / %u workers: %s; its threads cannot be stopped, so the run ends "
		  "here", row->k->name, row->b->name, row->workers, reason);
	sweep_evaluate(&r->sw);
	if (r->rank <= 0 && save_on_hang(r) == 0) /* rank 0 reports for all */
		diag_line("what was measured before is saved in %s", r->work_dir);
	/* from the watchdog thread, with the workers still running: no exit handlers */
	if (stage_live)
		outdir_remove(r->stage);
	_exit(atomic_load(&stop_signal) ? 128 + atomic_load(&stop_signal) : EXIT_VERIFY);
}

/* Google Benchmark's file and the topology's XML into place. 0 or EXIT_VERIFY. */
static int move_into_place(const struct run_cmd *r)
{
	char src[1200], dst[1200], xml[1200];
	int status = 0;

	snprintf(src, sizeof(src), "%s/.gbench.json.tmp", r->work_dir);
	snprintf(dst, sizeof(dst), "%s/gbench.json", r->work_dir);
	if (rename(src, dst) != 0 && errno != ENOENT)
		status = EXIT_VERIFY;
	snprintf(xml, sizeof(xml), "%s/.topology.xml.tmp", r->work_dir);
	snprintf(dst, sizeof(dst), "%s/topology.xml", r->work_dir);
	if (pin_topo_export_xml(r->topo, xml) != 0 || rename(xml, dst) != 0)
		status = EXIT_VERIFY;
	return status;
}

int run_write(struct run_cmd *r)
{
	struct sweep *sw = &r->sw;
	const char *dir = r->work_dir;
	int status = 0;

	r->meta.n_left_out = r->n_left_out; /* the MPI launches may have added some */
	if (!r->no_report)
		report_table(stdout, sw, &r->meta);
	fflush(stdout);
	status = move_into_place(r);
	if (report_write_summary(dir, sw, r->meta.roof) || report_write_samples(dir, sw) ||
	    report_write_meta(dir, sw, &r->meta) ||
	    (r->meta.roof && roof_write_csv(dir, r->meta.roof))) {
		/* the earlier run, if any, stays: better than half of this one */
		diag_line("cannot write the results for '%s': %s", r->out_dir, strerror(errno));
		status = EXIT_VERIFY;
	} else {
		/* the charts stop at a signal, unless one already stopped the sweep (its handler
		 * is gone: a second one ends parbench at once) */
		if (!r->no_report && write_report(dir, sw, &r->meta, r->meta.roof,
						  atomic_load(&stop_signal) ? NULL : &stop_signal))
			status = EXIT_VERIFY;
		status = publish(r) ? EXIT_VERIFY : status;
		if (!r->no_report)
			printf("results: %s (report.md: tables, charts, machine)\n", r->work_dir);
	}
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
			  sw->interrupted == 1 ? "" : "s", sw->partial, r->work_dir);
		status = 128 + sig;
	}
	return status;
}
