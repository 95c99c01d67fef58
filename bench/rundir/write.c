/*
 * write.c - a run directory's files from a sweep: summary.csv, samples.csv and meta.json
 * (formats in results/README.md), each written whole (outfile.h); and the facts of a row
 * that the files and the tables share.
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

struct row_rate row_rate(const struct sweep_row *r, const struct roof *roof)
{
	struct row_rate rr = { 0, "", 0, 0, 0, 0, 0 };

	if (!r->elements || !(r->median > 0))
		return rr;
	if (r->pixels) {
		double bw = !roof ? 0 : r->streamed ? roof_stream_bps(roof, r->workers)
						     : roof_copy_bps(roof, r->workers);
		double cc = roof ? roof_compute_bps(roof, r->k, r->workers) : 0;

		rr.rate = (double)r->pixels * 1e-6 / r->median;
		rr.unit = "MPix/s";
		rr.copy = bw > 0 ? (double)r->bytes / r->median / bw : 0;
		rr.compute = cc > 0 ? (double)r->bytes / r->median / cc : 0;
		rr.bound = cc > 0 && (cc < bw || !(bw > 0)) ? 'c' : bw > 0 ? 'm' : 0;
		rr.roof = rr.bound == 'c' ? rr.compute : rr.copy;
	} else if (!r->variant[0]) {
		rr.rate = (double)r->elements / r->median;
		rr.unit = "items/s";
	} else {
		rr.rate = (double)r->elements * 1e-9 / r->median;
		rr.unit = "items/ns";
		if (roof && roof->clock_hz > 0)
			rr.cycles = r->median * roof->clock_hz * r->workers / (double)r->elements;
	}
	return rr;
}

size_t row_placement(const struct sweep_row *r, struct placed *out, size_t max)
{
	char buf[sizeof(r->cpus)];
	char *save = NULL, *save2 = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", r->cpus);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *at = strchr(tok, '@'), *colon = at ? strchr(at, ':') : NULL, *list = tok;
		int rank = -1;

		if (at && colon) { /* "rank@host:cpu[,cpu...]" */
			*at = *colon = '\0';
			rank = atoi(tok);
			list = colon + 1;
		}
		for (char *c = strtok_r(list, ",", &save2); c && n < max; c = strtok_r(NULL, ",", &save2)) {
			out[n].rank = rank;
			snprintf(out[n].host, sizeof(out[n].host), "%s", rank >= 0 ? at + 1 : "");
			out[n++].cpu = atoi(c);
		}
	}
	return n;
}

/* The most workers (ranks x threads) on one host, or 0 when the placement names fewer
 * than two hosts. */
static unsigned most_per_host(const struct sweep_row *r)
{
	struct placed p[64];
	size_t n = row_placement(r, p, 64);
	unsigned most = 0, hosts = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned on = 0, first = 1;

		for (size_t j = 0; j < n; j++) {
			on += strcmp(p[i].host, p[j].host) == 0;
			first &= !(j < i && strcmp(p[i].host, p[j].host) == 0);
		}
		hosts += first && p[i].rank >= 0;
		most = on > most ? on : most;
	}
	return hosts >= 2 ? most : 0;
}

/* More workers than cores: on this host, or (ranks spread over hosts) on the busiest host,
 * taken to have as many cores as this one. */
int row_oversubscribed(const struct sweep_row *r, const struct sweep *sw)
{
	unsigned per_host = most_per_host(r);

	if (per_host)
		return per_host > sw->cores;
	return r->workers > sw->cores || r->plan.oversubscribed > 0;
}

int row_measured(const struct sweep_row *r)
{
	return r->ran && !r->failed && (!r->interrupted || r->partial) && r->n_samples > 0;
}

int report_write_summary(const char *dir, const struct sweep *sw, const struct roof *roof)
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

int report_write_samples(const char *dir, const struct sweep *sw)
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

/* meta.json's "placement": per configuration, the pin plan and where the workers ran. */
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
		fprintf(f, ", \"bind_failures\": %u, \"respawns\": %u}", r->bind_failures,
			r->respawns);
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
				   "\"slow_share\": %.4f}", STEADY_KERNEL, m->machine->steady_n,
				m->machine->steady_best_s, m->machine->steady_median,
				m->machine->steady_worst, m->machine->steady_slow);
		fprintf(f, "},\n");
	}
	if (m->roof) {
		roof_write_json(f, m->roof);
		roof_write_compute_json(f, m->roof);
	}
	if (m->pick || m->variant_forced)
		pick_write_json(f, m->pick, m->variant_forced);
}

int report_write_meta(const char *dir, const struct sweep *sw, const struct run_meta *m)
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
