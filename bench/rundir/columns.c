/*
 * columns.c - columns.h: summary.csv's column table and the two loops over it.
 */
#include "columns.h"

#include "csv.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum kind {
	K_NAME,   /* kernel, backend: named by the reader itself */
	K_UINT,   /* unsigned */
	K_SIZE,   /* size_t */
	K_U64,    /* uint64_t */
	K_I64,    /* int64_t */
	K_U32,    /* uint32_t */
	K_INT,    /* int */
	K_G9,     /* double, %.9g */
	K_F6,     /* double, %.6f */
	K_F4,     /* double, %.4f */
	K_TEXT,   /* char[], quoted when it must be */
	K_CALC,   /* computed on writing, not read back */
	K_SPECIAL /* written and read by its own code below */
};

struct col {
	const char *name;
	enum kind kind;
	size_t off;   /* in struct sweep_row */
	size_t len;   /* K_TEXT: the buffer */
	int required; /* a summary without it is not parbench's */
	int link;     /* what the links moved and cost: "nan" when the probe failed */
};

#define F(name, kind, field, req) { name, kind, offsetof(struct sweep_row, field), 0, req, 0 }
#define T(name, field) { name, K_TEXT, offsetof(struct sweep_row, field), \
			 sizeof(((struct sweep_row *)0)->field), 0, 0 }
#define S(name, kind) { name, kind, 0, 0, 0, 0 }
#define L(name, kind, field) { name, kind, offsetof(struct sweep_row, field), 0, 0, 1 }

static const struct col cols[SUMMARY_COLS] = {
	{ "kernel", K_NAME, 0, 0, 1, 0 }, { "backend", K_NAME, 0, 0, 1, 0 },
	F("workers", K_UINT, workers, 1), F("size", K_U64, size, 1), F("items", K_SIZE, items, 1),
	F("median_s", K_G9, median, 1), F("min_s", K_G9, min, 1), F("max_s", K_G9, max, 1),
	F("mean_s", K_G9, mean, 1), F("stddev_s", K_G9, stddev, 1), F("cv", K_F6, cv, 1),
	F("speedup", K_F6, speedup, 1), F("efficiency", K_F6, efficiency, 1),
	F("repetitions", K_SIZE, n_samples, 1), F("iterations", K_I64, iterations, 0),
	F("startup_s", K_G9, startup_s, 1), S("oversubscribed", K_SPECIAL), S("pin", K_SPECIAL),
	T("cpus", cpus), F("gil_switches", K_U64, gil_switches, 0), F("pixels", K_U64, pixels, 0),
	F("bytes", K_U64, bytes, 0), S("mpix_per_s", K_CALC), S("gb_per_s", K_CALC),
	F("median_ci_lo_s", K_G9, median_lo, 0), F("median_ci_hi_s", K_G9, median_hi, 0),
	F("median_ci_level", K_F4, median_level, 0), F("speedup_ci_lo", K_F6, speedup_lo, 0),
	F("speedup_ci_hi", K_F6, speedup_hi, 0), F("karp_flatt", K_F6, karp_flatt, 0),
	S("scaling", K_SPECIAL), F("width", K_U32, width, 0), F("height", K_U32, height, 0),
	F("partial", K_INT, partial, 0), T("variant", variant), F("elements", K_U64, elements, 0),
	S("rate", K_CALC), S("rate_unit", K_CALC), S("cycles_per_item", K_CALC),
	S("copy_fraction", K_CALC), S("compute_gb_per_s", K_CALC), S("roof_fraction", K_CALC),
	S("bound", K_CALC), S("stores", K_CALC), F("parallel_cpus", K_UINT, parallel_cpus, 0),
	L("moved_bytes", K_U64, moved_bytes), L("volume_bytes", K_U64, volume_bytes),
	L("messages", K_U64, messages), L("link_s", K_G9, link_s),
	L("link_latency_s", K_G9, link_latency_s), L("link_bytes_per_s", K_G9, link_bytes_per_s),
	S("gil", K_SPECIAL),
	F("smt_shared", K_UINT, plan.smt_shared, 0),
};

void summary_header(FILE *f)
{
	for (size_t i = 0; i < SUMMARY_COLS; i++)
		fprintf(f, "%s%s", i ? "," : "", cols[i].name);
	fputc('\n', f);
}

/* A stored field in its column's format. */
static void put_field(FILE *f, const struct col *c, const struct sweep_row *r)
{
	const char *p = (const char *)r + c->off;

	switch (c->kind) {
	case K_UINT: fprintf(f, "%u", *(const unsigned *)p); break;
	case K_SIZE: fprintf(f, "%zu", *(const size_t *)p); break;
	case K_U64: fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p); break;
	case K_I64: fprintf(f, "%lld", (long long)*(const int64_t *)p); break;
	case K_U32: fprintf(f, "%u", (unsigned)*(const uint32_t *)p); break;
	case K_INT: fprintf(f, "%d", *(const int *)p); break;
	case K_G9: fprintf(f, "%.9g", *(const double *)p); break;
	case K_F6: fprintf(f, "%.6f", *(const double *)p); break;
	case K_F4: fprintf(f, "%.4f", *(const double *)p); break;
	case K_TEXT: csv_field(f, p); break;
	default: break;
	}
}

/* A column computed from the row, the sweep or the roof. */
static void put_other(FILE *f, const char *name, const struct sweep_row *r,
		      const struct sweep *sw, const struct roof *roof)
{
	struct row_rate rr = row_rate(r, roof);
	char plan[4096];

	if (!strcmp(name, "kernel") || !strcmp(name, "backend"))
		fputs(name[0] == 'k' ? r->k->name : r->b->name, f);
	else if (!strcmp(name, "oversubscribed"))
		fprintf(f, "%d", row_oversubscribed(r, sw));
	else if (!strcmp(name, "pin")) {
		if (r->plan_text[0] && r->plan.n == 0)
			snprintf(plan, sizeof(plan), "%s", r->plan_text);
		else
			pin_plan_describe(&r->plan, plan, sizeof(plan));
		csv_field(f, plan);
	} else if (!strcmp(name, "mpix_per_s"))
		fprintf(f, "%.6g", r->pixels ? (double)r->pixels * 1e-6 / r->median : 0);
	else if (!strcmp(name, "gb_per_s"))
		fprintf(f, "%.6g", r->bytes ? (double)r->bytes * 1e-9 / r->median : 0);
	else if (!strcmp(name, "scaling"))
		fputs(sw->weak ? "weak" : "strong", f);
	else if (!strcmp(name, "gil"))
		fputs(r->gil > 0 ? "on" : r->gil < 0 ? "off" : "", f);
	else if (!strcmp(name, "rate"))
		fprintf(f, "%.6g", rr.rate);
	else if (!strcmp(name, "rate_unit"))
		fputs(rr.unit, f);
	else if (!strcmp(name, "cycles_per_item"))
		fprintf(f, "%.6g", rr.cycles);
	else if (!strcmp(name, "copy_fraction"))
		fprintf(f, "%.6g", rr.copy);
	else if (!strcmp(name, "compute_gb_per_s"))
		fprintf(f, "%.6g", r->pixels ? roof_compute_bps(roof, r->k, r->workers) * 1e-9 : 0);
	else if (!strcmp(name, "roof_fraction"))
		fprintf(f, "%.6g", rr.roof);
	else if (!strcmp(name, "stores"))
		fputs(!r->pixels ? "" : r->streamed ? "streaming" : "ordinary", f);
	else if (!strcmp(name, "bound"))
		fputs(rr.bound == 'c' ? "compute" : rr.bound == 'm' ? "memory" : "", f);
}

void summary_line(FILE *f, const struct sweep_row *r, const struct sweep *sw,
		  const struct roof *roof)
{
	for (size_t i = 0; i < SUMMARY_COLS; i++) {
		const struct col *c = &cols[i];

		if (i)
			fputc(',', f);
		if (c->link && r->link_unknown)
			fputs("nan", f);
		else if (c->kind == K_NAME || c->kind == K_CALC || c->kind == K_SPECIAL)
			put_other(f, c->name, r, sw, roof);
		else
			put_field(f, c, r);
	}
	fputc('\n', f);
}

int summary_map_header(struct summary_map *m, char **hdr, int nh, const char **missing)
{
	for (size_t i = 0; i < SUMMARY_COLS; i++) {
		m->idx[i] = csv_col(hdr, nh, cols[i].name);
		if (m->idx[i] < 0 && cols[i].required) {
			*missing = cols[i].name;
			return -1;
		}
	}
	return 0;
}

/* The range of an integer column's values, [lo, hi) (csv_whole). */
static void kind_range(enum kind k, double *lo, double *hi)
{
	*lo = 0;
	switch (k) {
	case K_UINT: *hi = (double)UINT_MAX + 1; break;
	case K_SIZE: *hi = (double)SIZE_MAX + 1; break;
	case K_U32: *hi = (double)UINT32_MAX + 1; break;
	case K_I64: *lo = -0x1p63; *hi = 0x1p63; break;
	case K_INT: *lo = INT_MIN; *hi = (double)INT_MAX + 1; break;
	default: *hi = 0x1p64; break; /* K_U64 */
	}
}

/* A stored field from its text: 0, or -1 if it is not a number (integers: not a whole one
 * that fits the field, so that no conversion below is out of range). */
static int get_field(const struct col *c, const char *v, struct sweep_row *r, struct sweep *sw)
{
	char *p = (char *)r + c->off;
	double d, lo, hi;

	if (c->kind == K_TEXT) {
		snprintf(p, c->len, "%s", v);
		return 0;
	}
	if (c->kind == K_SPECIAL) {
		if (!strcmp(c->name, "pin"))
			snprintf(r->plan_text, sizeof(r->plan_text), "%s", v);
		else if (!strcmp(c->name, "scaling"))
			sw->weak |= strcmp(v, "weak") == 0;
		else if (!strcmp(c->name, "gil"))
			r->gil = !strcmp(v, "on") ? 1 : !strcmp(v, "off") ? -1 : 0;
		else if (!strcmp(c->name, "oversubscribed") &&
			 csv_whole(v, 0, (double)UINT_MAX + 1, &d) == 0)
			r->plan.oversubscribed = (unsigned)d;
		return 0;
	}
	if (c->kind == K_G9 || c->kind == K_F6 || c->kind == K_F4) {
		if (csv_number(v, &d))
			return -1;
		if (isnan(d))
			r->link_unknown |= c->link; /* a link cost that was not measured */
		*(double *)p = d;
		return 0;
	}
	if (c->link && csv_number(v, &d) == 0 && isnan(d)) {
		r->link_unknown = 1; /* unknown: the integer field keeps its 0 */
		return 0;
	}
	kind_range(c->kind, &lo, &hi);
	if (csv_whole(v, lo, hi, &d))
		return -1;
	switch (c->kind) {
	case K_UINT: *(unsigned *)p = (unsigned)d; break;
	case K_SIZE: *(size_t *)p = (size_t)d; break;
	case K_U64: *(uint64_t *)p = (uint64_t)d; break;
	case K_I64: *(int64_t *)p = (int64_t)d; break;
	case K_U32: *(uint32_t *)p = (uint32_t)d; break;
	case K_INT: *(int *)p = (int)d; break;
	default: break;
	}
	return 0;
}

int summary_read_row(const struct summary_map *m, char **f, struct sweep_row *r,
		     struct sweep *sw, const char **col, const char **val)
{
	r->speedup_lo = r->speedup_hi = r->karp_flatt = r->median_lo = r->median_hi = NAN;
	for (size_t i = 0; i < SUMMARY_COLS; i++) {
		const struct col *c = &cols[i];

		if (m->idx[i] < 0 || c->kind == K_NAME || c->kind == K_CALC)
			continue;
		if (get_field(c, f[m->idx[i]], r, sw) != 0 && c->required) {
			*col = c->name;
			*val = f[m->idx[i]];
			return -1;
		}
	}
	return 0;
}
