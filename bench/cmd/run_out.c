/*
 * run_out.c - what a run leaves: its folder (checked before the run, written fresh beside
 * --out and moved there whole at the end), the tables on stdout, the run directory's files
 * (whole files only), the report and charts, the FAILED lines, the lines and records of what
 * it left out (run_skip.c and run_mpi.c decide what), the run's own facts for meta.json;
 * and the emergency save when a run hangs in threads that cannot be stopped.
 */
#include "run.h"

#include "outdir.h"
#include "pin.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_MAX 1000 /* --out's length: the paths built on it must fit their buffers */

/* An earlier run: its meta.json (a regular file) holds parbench's first key, and the folder
 * holds nothing but what runs write (results/README.md): files, charts, the MPI launches'
 * folders and plans, and hidden temporary names. */
static const char *const run_names[] = { "*.csv", "*.json", "*.xml", "*.md", "*.html",
					 "*.png", "*.svg", "mpi-*", ".mpi-*", ".charts-*", ".*.tmp", NULL };
static const struct outdir_mark run_mark = { "meta.json", "\"parbench_commit\": \"",
					     run_names };
/* The fresh folder, for the exit handler that removes it (which outlives the command's
 * state): the process that made it (not a forked worker), whether it exists and is not in
 * place, and its path. */
static pid_t stage_owner;
static int stage_live;
static char stage_path[sizeof(((struct run_cmd *)0)->stage)];

void run_say(struct run_cmd *r, const char *fmt, ...)
{
	size_t used = strlen(r->skipped);
	va_list ap;

	if (used && used + 1 < sizeof(r->skipped))
		r->skipped[used++] = '\n';
	va_start(ap, fmt);
	vsnprintf(r->skipped + used, sizeof(r->skipped) - used, fmt, ap);
	va_end(ap);
}

void run_leave_out(struct run_cmd *r, const struct kernel *k, const struct backend *b,
		   unsigned w, const char *why)
{
	struct left_out *l;

	if (r->n_left_out == RUN_MAX_LEFT_OUT)
		return; /* the lines still say it */
	l = &r->left_out[r->n_left_out++];
	l->k = k;
	l->b = b;
	l->workers = w;
	snprintf(l->why, sizeof(l->why), "%s", why);
}

/* Why an --out is refused, for outdir_check's codes; NULL for others. */
static const char *refusal(int rc)
{
	switch (rc) {
	case -ELOOP: return "is a symbolic link: give the folder itself";
	case -ENOTDIR: return "is not a folder";
	case -ENOTEMPTY: return "holds files but is not a parbench run (no meta.json of parbench's, "
				"or files no run writes): give a new or empty folder, or an earlier "
				"run's to replace it";
	case -EINVAL: return "does not name a folder (its last part is '.', '..' or '/')";
	default: return NULL;
	}
}

void run_out_check(struct run_cmd *r)
{
	const char *out = out_dir_name(r->out_dir, "", r->dir, sizeof(r->dir));
	size_t n = strlen(out);
	int rc;

	if (n > OUT_MAX)
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
		outdir_remove(stage_path);
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
	snprintf(stage_path, sizeof(stage_path), "%s", r->stage);
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

	if (rundir_write_summary(r->work_dir, &r->sw, r->meta.roof) ||
	    rundir_write_samples(r->work_dir, &r->sw) ||
	    rundir_write_meta(r->work_dir, &r->sw, &r->meta)) {
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
	if (save_on_hang(r) == 0)
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
	int status = 0, werr;

	r->meta.n_left_out = r->n_left_out; /* the MPI launches may have added some */
	if (!r->no_report)
		(r->full ? report_table : report_compact)(stdout, sw, &r->meta);
	fflush(stdout);
	status = move_into_place(r);
	/* each writer's -errno, saved: a failed one removes its temporary file after */
	if ((werr = rundir_write_summary(dir, sw, r->meta.roof)) != 0 ||
	    (werr = rundir_write_samples(dir, sw)) != 0 ||
	    (werr = rundir_write_meta(dir, sw, &r->meta)) != 0 ||
	    (r->meta.roof && ((werr = roof_write_csv(dir, r->meta.roof)) != 0 ||
			      (werr = roof_write_compute_csv(dir, r->meta.roof)) != 0))) {
		/* the earlier run, if any, stays: better than half of this one */
		diag_line("cannot write the results for '%s': %s", r->out_dir,
			  strerror(werr < 0 ? -werr : EIO));
		status = EXIT_VERIFY;
	} else {
		/* the charts stop at a signal, unless one already stopped the sweep (its handler
		 * is gone: a second one ends parbench at once) */
		if (!r->no_report && write_report(dir, sw, &r->meta, r->meta.roof,
						  atomic_load(&stop_signal) ? NULL : &stop_signal))
			status = EXIT_VERIFY;
		status = publish(r) ? EXIT_VERIFY : status;
		if (!r->no_report)
			printf("results: %s (report.html: the summary, every table and chart; report.md; "
			       "summary.png)\n", r->work_dir);
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

/* The command line as one string, for meta.json. */
static void join_args(int argc, char **argv, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && used + 1 < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);

		if (w < 0)
			break;
		used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
}

void run_begin_meta(struct run_cmd *r)
{
	machine_facts_read(&r->facts);
	run_out_check(r);
	join_args(r->argc, r->argv, r->args, sizeof(r->args));
	pin_topo_describe(r->topo, r->topo_desc, sizeof(r->topo_desc));
	r->meta = (struct run_meta){ .host = r->facts.host, .date = r->facts.date,
				     .args = r->args, .cpu_model = r->facts.cpu_model,
				     .topology = r->topo_desc, .governor = r->facts.governor,
				     .pin = r->pin,
				     .cores = pin_topo_cores(r->topo), .pus = pin_topo_pus(r->topo),
				     .quick = r->o.kp.quick, .skipped = r->skipped,
				     .left_out = r->left_out, .n_left_out = r->n_left_out };
	read_load(r->meta.load_before);
	machine_begin(&r->mstate);
	r->meta.machine = &r->mstate;
	r->o.machine = &r->mstate; /* the steadiness probe: parbench's own sweep */
	r->meta.interconnect = r->interconnect ? r->interconnect
			       : r->hostfile ? "Open MPI over TCP between hosts (btl tcp), shared memory within"
					     : "shared memory (one host, Open MPI btl vader)";
	r->meta.repetitions = r->repetitions ? r->repetitions : SWEEP_MIN_REPS;
	r->meta.interleaved = r->interleave;
}
