/*
 * write.c - a run directory's files from a sweep: summary.csv, samples.csv and meta.json
 * (formats in results/README.md), each written whole (outfile.h).  The facts of a row that
 * the files and the tables share are row.c's.
 */
#include "rundir.h"
#include "columns.h"

#include "csv.h"
#include "json.h"
#include "outfile.h"
#include "pb_build.h"
#include "steady.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rundir_write_summary(const char *dir, const struct sweep *sw, const struct roof *roof)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "summary.csv");

	if (err)
		return err;
	summary_header(o.f);
	for (size_t i = 0; i < sw->n_rows; i++)
		if (row_measured(&sw->rows[i]))
			summary_line(o.f, &sw->rows[i], sw, roof);
	return outfile_commit(&o);
}

int rundir_write_samples(const char *dir, const struct sweep *sw)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "samples.csv");

	if (err)
		return err;
	fprintf(o.f, "kernel,backend,workers,size,repetition,seconds\n");
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (!row_measured(r))
			continue;
		for (size_t s = 0; s < r->n_samples; s++)
			fprintf(o.f, "%s,%s,%u,%llu,%zu,%.9g\n", r->k->name, r->b->name, r->workers,
				(unsigned long long)r->size, s, r->samples[s]);
	}
	return outfile_commit(&o);
}

/* meta.json's "placement": per configuration, the pin plan, where the workers ran and where
 * the kernel's buffers' pages were. */
static void meta_placement(FILE *f, const struct sweep *sw)
{
	int first = 1;

	fprintf(f, "  \"placement\": [\n");
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];
		char plan[4096];

		if (!r->ran)
			continue;
		if (r->plan_text[0] && r->plan.n == 0)
			snprintf(plan, sizeof(plan), "%s", r->plan_text);
		else
			pin_plan_describe(&r->plan, plan, sizeof(plan));
		fprintf(f, "%s    {\"kernel\": ", first ? "" : ",\n");
		json_str(f, r->k->name);
		fprintf(f, ", \"backend\": ");
		json_str(f, r->b->name);
		fprintf(f, ", \"workers\": %u, \"plan\": ", r->workers);
		json_str(f, plan);
		fprintf(f, ", \"cpus_last_run\": ");
		json_str(f, r->cpus);
		fprintf(f, ", \"bind_failures\": %u, \"respawns\": %u, \"pages\": ", r->bind_failures,
			r->respawns);
		place_write_json(f, &r->pages);
		fprintf(f, "}");
		first = 0;
	}
	fprintf(f, "\n  ],\n");
}

/* meta.json's "failures": per failed or interrupted configuration, what happened. */
static void meta_failures(FILE *f, const struct sweep *sw)
{
	int first = 1;

	fprintf(f, "  \"failures\": [\n");
	for (size_t i = 0; i < sw->n_rows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		if (!r->failed && (!r->interrupted || r->partial))
			continue;
		fprintf(f, "%s    {\"kernel\": ", first ? "" : ",\n");
		json_str(f, r->k->name);
		fprintf(f, ", \"backend\": ");
		json_str(f, r->b->name);
		fprintf(f, ", \"workers\": %u, \"error\": ", r->workers);
		json_str(f, r->error);
		fprintf(f, "}");
		first = 0;
	}
	fprintf(f, "\n  ]\n");
}

/* meta.json's "left_out": what the run left out before it began (null: every kernel, every
 * worker count). */
static void meta_left_out(FILE *f, const struct run_meta *m)
{
	fprintf(f, "  \"left_out\": [");
	for (size_t i = 0; i < m->n_left_out; i++) {
		const struct left_out *l = &m->left_out[i];

		fprintf(f, "%s\n    {\"kernel\": ", i ? "," : "");
		if (l->k)
			json_str(f, l->k->name);
		else
			fputs("null", f);
		fprintf(f, ", \"backend\": ");
		json_str(f, l->b->name);
		if (l->workers)
			fprintf(f, ", \"workers\": %u, \"why\": ", l->workers);
		else
			fprintf(f, ", \"workers\": null, \"why\": ");
		json_str(f, l->why);
		fputc('}', f);
	}
	fprintf(f, "%s],\n", m->n_left_out ? "\n  " : "");
}

/* "  \"key\": \"kernel=size,...\"": a calibration's sizes, as --size (--python-size) takes them. */
static void meta_sizes(FILE *f, const char *key, const struct calibration *c)
{
	fprintf(f, "  \"%s\": \"", key);
	for (size_t i = 0; i < c->n; i++)
		fprintf(f, "%s%s=%llu", i ? "," : "", c->e[i].k->name,
			(unsigned long long)c->e[i].size);
	fprintf(f, "\",\n");
}

/* meta.json's adaptive repetitions, calibrated sizes, machine state and roof. */
static void meta_measurement(FILE *f, const struct sweep *sw, const struct run_meta *m)
{
	if (sw->precision > 0)
		fprintf(f, "  \"adaptive\": {\"precision\": %g, \"budget_s\": %g, \"rounds\": %u, "
			     "\"sweep_seconds\": %.1f, \"min_repetitions\": %d, "
			     "\"max_repetitions\": %d, \"wide\": %u},\n", sw->precision, sw->budget_s,
			sw->rounds, sw->seconds, SWEEP_MIN_REPS, SWEEP_MAX_REPS, sw->wide);
	if (m->calibration && m->calibration->n) {
		const struct calibration *c = m->calibration;

		meta_sizes(f, "calibrated_sizes", c);
		fprintf(f, "  \"calibration\": {\"target_s\": %g, \"kernels\": [", c->target_s);
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, "%s{\"kernel\": \"%s\", \"size\": %llu, \"probe_s\": %.4g, "
				     "\"kept\": %s}", i ? ", " : "", c->e[i].k->name,
				(unsigned long long)c->e[i].size, c->e[i].probe_s,
				c->e[i].kept ? "true" : "false");
		fprintf(f, "]},\n");
	}
	if (m->py_calibration && m->py_calibration->n) {
		const struct calibration *c = m->py_calibration;

		meta_sizes(f, "python_sizes", c);
		fprintf(f, "  \"python_calibration\": {\"target_s\": %g},\n", c->target_s);
	}
	if (m->skipped && m->skipped[0]) {
		fprintf(f, "  \"skipped\": ");
		json_str(f, m->skipped);
		fprintf(f, ",\n");
	}
	if (m->machine) {
		fprintf(f, "  \"machine_state\": {\"boost\": \"%s\", \"aslr\": %d, "
			     "\"busy_at_start\": %u, \"busy_names\": ", m->machine->boost,
			m->machine->aslr, m->machine->busy);
		json_str(f, m->machine->busy_names);
		fprintf(f, ", \"steal\": %.4f", m->machine->steal);
		if (m->machine->steady_n)
			fprintf(f, ", \"steady\": {\"kernel\": \"%s\", \"runs\": %u, "
				   "\"fastest_s\": %.6g, \"median\": %.4f, \"slowest\": %.4f, "
				   "\"slow_share\": %.4f, \"size\": %llu, \"median_s\": %.6g, "
				   "\"median_ci_lo_s\": %.6g, \"median_ci_hi_s\": %.6g, "
				   "\"median_ci_level\": %.4f}", STEADY_KERNEL, m->machine->steady_n,
				m->machine->steady_best_s, m->machine->steady_median,
				m->machine->steady_worst, m->machine->steady_slow,
				m->machine->steady_size, m->machine->steady_median_s,
				m->machine->steady_ci_lo_s, m->machine->steady_ci_hi_s,
				m->machine->steady_ci_level);
		fprintf(f, "},\n");
	}
	if (m->roof) {
		roof_write_json(f, m->roof);
		roof_write_compute_json(f, m->roof);
	}
	if (m->pick || m->variant_forced)
		pick_write_json(f, m->pick, m->variant_forced);
}

int rundir_write_meta(const char *dir, const struct sweep *sw, const struct run_meta *m)
{
	struct outfile o;
	int err = outfile_open(&o, dir, "meta.json");

	if (err)
		return err;
	fprintf(o.f, "{\n");
	json_kv(o.f, "parbench_commit", PB_GIT_COMMIT, 1);
	json_kv(o.f, "date", m->date, 1);
	json_kv(o.f, "host", m->host, 1);
	json_kv(o.f, "cpu_model", m->cpu_model, 1);
	json_kv(o.f, "topology", m->topology, 1);
	fprintf(o.f, "  \"cores\": %u,\n  \"pus\": %u,\n", m->cores, m->pus);
	json_kv(o.f, "governor", m->governor, 1);
	fprintf(o.f, "  \"load_before\": [%.2f, %.2f, %.2f],\n", m->load_before[0],
		m->load_before[1], m->load_before[2]);
	fprintf(o.f, "  \"load_after\": [%.2f, %.2f, %.2f],\n", m->load_after[0], m->load_after[1],
		m->load_after[2]);
	json_kv(o.f, "compiler", PB_COMPILER, 1);
	json_kv(o.f, "c_flags", PB_C_FLAGS, 1);
	json_kv(o.f, "build_type", PB_BUILD_TYPE, 1);
	json_kv(o.f, "google_benchmark", PB_GBENCH_VERSION, 1);
	json_kv(o.f, "hwloc", PB_HWLOC_VERSION, 1);
	json_kv(o.f, "openmp", PB_OPENMP_VERSION, 1);
	json_kv(o.f, "args", m->args, 1);
	json_kv(o.f, "pin", m->pin, 1);
	json_kv(o.f, "interconnect", m->interconnect ? m->interconnect : "", 1);
	fprintf(o.f, "  \"repetitions\": %d,\n  \"interleaved\": %s,\n  \"quick\": %s,\n",
		m->repetitions, m->interleaved ? "true" : "false", m->quick ? "true" : "false");
	json_kv(o.f, "kernel_variant", kernel_variant(), 1);
	meta_measurement(o.f, sw, m);
	meta_left_out(o.f, m);
	meta_placement(o.f, sw);
	meta_failures(o.f, sw);
	fprintf(o.f, "}\n");
	return outfile_commit(&o);
}
