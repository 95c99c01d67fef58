/*
 * row.c - the facts of one row that the run directory's files and the tables share (row.h):
 * its rate, where its workers ran, whether it was measured, oversubscribed or on shared
 * cores, and its baseline row.  Nothing here writes or prints.
 */
#include "row.h"

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
 * taken to have as many cores as this one; workers on SMT siblings, a PU each, are not. */
int row_oversubscribed(const struct sweep_row *r, const struct sweep *sw)
{
	unsigned per_host = most_per_host(r);

	if (per_host)
		return per_host > sw->cores;
	return r->plan.oversubscribed > 0 || (r->workers > sw->cores && !r->plan.smt_shared);
}

int row_shares_core(const struct sweep_row *r, const struct sweep *sw)
{
	return r->plan.smt_shared > 0 && !row_oversubscribed(r, sw);
}

int row_measured(const struct sweep_row *r)
{
	return r->ran && !r->failed && (!r->interrupted || r->partial) && r->n_samples > 0;
}

const struct sweep_row *row_baseline(const struct sweep *sw, const struct sweep_row *r)
{
	const struct sweep_row *q = sweep_baseline(sw, r);

	return q && row_measured(q) ? q : NULL;
}
