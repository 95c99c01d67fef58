/*
 * runload.c - reading a run directory back (see runload.h).
 */
#include "runload.h"
#include "csv.h"
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64
#define MAX_LINE   8192



static int to_double(const char *s, double *v)
{
	char *end;

	if (!s || !*s)
		return -1;
	*v = strtod(s, &end);
	return *end ? -1 : 0;
}

static const char *intern(struct loaded_run *lr, const char *name)
{
	for (size_t i = 0; i < lr->n_names; i++)
		if (strcmp(lr->names[i], name) == 0)
			return lr->names[i];
	if (lr->n_names == 2 * SWEEP_MAX_LIST)
		return NULL;
	snprintf(lr->names[lr->n_names], sizeof(lr->names[0]), "%s", name);
	return lr->names[lr->n_names++];
}

static const struct kernel *find_kernel(struct loaded_run *lr, const char *name)
{
	const struct kernel *k = kernel_find(name);

	if (k)
		return k;
	for (size_t i = 0; i < lr->n_stub_k; i++)
		if (strcmp(lr->stub_k[i].name, name) == 0)
			return &lr->stub_k[i];
	if (lr->n_stub_k == SWEEP_MAX_LIST || !(name = intern(lr, name)))
		return NULL;
	lr->stub_k[lr->n_stub_k] = (struct kernel){ .name = name, .size_unit = "as measured" };
	return &lr->stub_k[lr->n_stub_k++];
}

static const struct backend *find_backend(struct loaded_run *lr, const char *name)
{
	const struct backend *b = backend_find(name);

	if (b)
		return b;
	for (size_t i = 0; i < lr->n_stub_b; i++)
		if (strcmp(lr->stub_b[i].name, name) == 0)
			return &lr->stub_b[i];
	if (lr->n_stub_b == SWEEP_MAX_LIST || !(name = intern(lr, name)))
		return NULL;
	lr->stub_b[lr->n_stub_b] = (struct backend){ .name = name,
						     .caps = BACKEND_CAP_PARALLEL };
	return &lr->stub_b[lr->n_stub_b++];
}

static const char *const need[] = { "kernel", "backend", "workers", "size", "items",
				    "median_s", "min_s", "max_s", "mean_s", "stddev_s", "cv",
				    "speedup", "efficiency", "repetitions", "startup_s" };
#define N_NEED (sizeof(need) / sizeof(need[0]))

/* Where summary.csv's columns are: the required ones, and the optional ones (-1: absent, an
 * older run). */
struct cols {
	int c[N_NEED];
	int over, cpus, pix, bytes, mlo, mhi, mlev, slo, shi, kf, sc, w, h, part, gil, pin, el,
	    var;
};

static int find_cols(struct cols *k, char **hdr, int nh, const char *path, char *err,
		     size_t err_len)
{
	for (size_t i = 0; i < N_NEED; i++)
		if ((k->c[i] = csv_col(hdr, nh, need[i])) < 0) {
			snprintf(err, err_len, "%s is not a parbench summary (no column '%s')", path,
				 need[i]);
			return -EINVAL;
		}
	k->over = csv_col(hdr, nh, "oversubscribed");
	k->cpus = csv_col(hdr, nh, "cpus");
	k->pix = csv_col(hdr, nh, "pixels");
	k->bytes = csv_col(hdr, nh, "bytes");
	k->mlo = csv_col(hdr, nh, "median_ci_lo_s");
	k->mhi = csv_col(hdr, nh, "median_ci_hi_s");
	k->mlev = csv_col(hdr, nh, "median_ci_level");
	k->slo = csv_col(hdr, nh, "speedup_ci_lo");
	k->shi = csv_col(hdr, nh, "speedup_ci_hi");
	k->kf = csv_col(hdr, nh, "karp_flatt");
	k->sc = csv_col(hdr, nh, "scaling");
	k->w = csv_col(hdr, nh, "width");
	k->h = csv_col(hdr, nh, "height");
	k->part = csv_col(hdr, nh, "partial");
	k->gil = csv_col(hdr, nh, "gil_switches");
	k->pin = csv_col(hdr, nh, "pin");
	k->el = csv_col(hdr, nh, "elements");
	k->var = csv_col(hdr, nh, "variant");
	return 0;
}

/* The optional columns of one line into r. */
static void optional_cols(struct sweep_row *r, struct sweep *sw, const struct cols *k, char **f)
{
	double d;

#define OPT(cidx, dst, conv)                                                                  \
	do {                                                                                   \
		if ((cidx) >= 0 && to_double(f[cidx], &d) == 0)                                \
			dst = conv;                                                            \
	} while (0)
	OPT(k->over, r->plan.oversubscribed, (unsigned)d);
	OPT(k->pix, r->pixels, (uint64_t)d);
	OPT(k->bytes, r->bytes, (uint64_t)d);
	OPT(k->mlo, r->median_lo, d);
	OPT(k->mhi, r->median_hi, d);
	OPT(k->mlev, r->median_level, d);
	OPT(k->slo, r->speedup_lo, d);
	OPT(k->shi, r->speedup_hi, d);
	OPT(k->kf, r->karp_flatt, d);
	OPT(k->w, r->width, (uint32_t)d);
	OPT(k->h, r->height, (uint32_t)d);
	OPT(k->part, r->partial, (int)d);
	OPT(k->gil, r->gil_switches, (uint64_t)d);
	OPT(k->el, r->elements, (uint64_t)d);
#undef OPT
	if (k->cpus >= 0)
		snprintf(r->cpus, sizeof(r->cpus), "%s", f[k->cpus]);
	if (k->var >= 0)
		snprintf(r->variant, sizeof(r->variant), "%s", f[k->var]);
	if (k->pin >= 0)
		snprintf(r->plan_text, sizeof(r->plan_text), "%s", f[k->pin]);
	if (k->sc >= 0 && strcmp(f[k->sc], "weak") == 0)
		sw->weak = 1;
}

/* One line of summary.csv (n fields) as a new row. 0 or -errno with err set. */
static int summary_row(struct loaded_run *lr, const struct cols *k, char **f, size_t *cap,
		       const char *where, char *err, size_t err_len)
{
	struct sweep *sw = &lr->sw;
	double v[N_NEED];
	struct sweep_row *r;

	for (size_t i = 2; i < N_NEED; i++)
		if (to_double(f[k->c[i]], &v[i])) {
			snprintf(err, err_len, "%s: '%s' is not a number (%s): damaged", where,
				 f[k->c[i]], need[i]);
			return -EINVAL;
		}
	if (sw->n_rows == *cap) {
		size_t nc = *cap ? 2 * *cap : 32;
		struct sweep_row *nr = realloc(sw->rows, nc * sizeof(*nr));

		if (!nr) {
			snprintf(err, err_len, "out of memory");
			return -ENOMEM;
		}
		memset(nr + *cap, 0, (nc - *cap) * sizeof(*nr));
		sw->rows = nr;
		*cap = nc;
	}
	r = &sw->rows[sw->n_rows];
	r->k = find_kernel(lr, f[k->c[0]]);
	r->b = find_backend(lr, f[k->c[1]]);
	if (!r->k || !r->b) {
		snprintf(err, err_len, "%s: too many kernels or backends", where);
		return -EINVAL;
	}
	sw->n_rows++;
	*r = (struct sweep_row){ .k = r->k, .b = r->b, .ran = 1, .workers = (unsigned)v[2],
				 .size = (uint64_t)v[3], .items = (size_t)v[4], .median = v[5],
				 .min = v[6], .max = v[7], .mean = v[8], .stddev = v[9], .cv = v[10],
				 .speedup = v[11], .efficiency = v[12], .n_samples = (size_t)v[13],
				 .startup_s = v[14], .speedup_lo = NAN, .speedup_hi = NAN,
				 .karp_flatt = NAN, .median_lo = NAN, .median_hi = NAN };
	optional_cols(r, sw, k, f);
	return 0;
}

/* Distinct sizes of the first kernel: more than one means a size sweep. */
static void count_sizes(struct sweep *sw)
{
	sw->n_sizes = 0;
	for (size_t i = 0; i < sw->n_rows; i++) {
		int seen = 0;

		if (sw->rows[i].k != sw->rows[0].k)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= sw->rows[j].k == sw->rows[0].k && sw->rows[j].size == sw->rows[i].size;
		sw->n_sizes += !seen;
	}
	if (sw->weak)
		sw->n_sizes = 1;
}

static int load_summary(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	static char line[MAX_LINE], hline[MAX_LINE];
	char path[4200], where[4300], *hdr[MAX_FIELDS], *f[MAX_FIELDS];
	int nh, lineno = 1, rc = 0;
	size_t cap = 0;
	struct cols k;
	FILE *in;

	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	in = fopen(path, "r");
	if (!in) {
		snprintf(err, err_len, "'%s' is not a parbench run directory: no summary.csv (%s)",
			 dir, strerror(errno));
		return errno == ENOENT ? -ENOENT : -EINVAL;
	}
	if (!fgets(hline, sizeof(hline), in)) {
		fclose(in);
		snprintf(err, err_len, "%s is empty", path);
		return -EINVAL;
	}
	nh = csv_split(hline, hdr, MAX_FIELDS);
	rc = find_cols(&k, hdr, nh, path, err, err_len);
	while (rc == 0 && fgets(line, sizeof(line), in)) {
		int n = csv_split(line, f, MAX_FIELDS);

		lineno++;
		snprintf(where, sizeof(where), "%s line %d", path, lineno);
		if (n != nh) {
			snprintf(err, err_len, "%s: %d fields, the header has %d: damaged", where, n, nh);
			rc = -EINVAL;
		} else {
			rc = summary_row(lr, &k, f, &cap, where, err, err_len);
		}
	}
	fclose(in);
	if (rc == 0 && lr->sw.n_rows == 0) {
		snprintf(err, err_len, "%s has no measured rows", path);
		rc = -EINVAL;
	}
	if (rc == 0)
		count_sizes(&lr->sw);
	return rc;
}

static int load_samples(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	char path[4200], line[MAX_LINE], *f[MAX_FIELDS];
	FILE *in;
	int lineno = 1;

	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	in = fopen(path, "r");
	if (!in) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	if (!fgets(line, sizeof(line), in) ||
	    strncmp(line, "kernel,backend,workers,size,repetition,seconds", 46) != 0) {
		fclose(in);
		snprintf(err, err_len, "%s is not a parbench samples file", path);
		return -EINVAL;
	}
	for (size_t i = 0; i < lr->sw.n_rows; i++) {
		struct sweep_row *r = &lr->sw.rows[i];

		r->samples = calloc(r->n_samples ? r->n_samples : 1, sizeof(double));
		if (!r->samples) {
			fclose(in);
			return -ENOMEM;
		}
	}
	size_t *got = calloc(lr->sw.n_rows, sizeof(*got));

	if (!got) {
		fclose(in);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), in)) {
		double w, sz, rep, sec;
		struct sweep_row *r = NULL;

		lineno++;
		if (csv_split(line, f, MAX_FIELDS) != 6 || to_double(f[2], &w) ||
		    to_double(f[3], &sz) || to_double(f[4], &rep) || to_double(f[5], &sec)) {
			snprintf(err, err_len, "%s line %d: damaged", path, lineno);
			goto bad;
		}
		for (size_t i = 0; i < lr->sw.n_rows && !r; i++) {
			struct sweep_row *q = &lr->sw.rows[i];

			if (strcmp(q->k->name, f[0]) == 0 && strcmp(q->b->name, f[1]) == 0 &&
			    q->workers == (unsigned)w && q->size == (uint64_t)sz)
				r = q;
		}
		size_t idx = r ? (size_t)(r - lr->sw.rows) : 0;

		if (!r || got[idx] >= r->n_samples) {
			snprintf(err, err_len, "%s line %d: a repetition summary.csv does not list: "
				 "damaged", path, lineno);
			goto bad;
		}
		r->samples[got[idx]++] = sec;
	}
	for (size_t i = 0; i < lr->sw.n_rows; i++)
		if (got[i] != lr->sw.rows[i].n_samples) {
			snprintf(err, err_len, "%s: %s/%s/%u has %zu repetitions, summary.csv says %zu: "
				 "damaged", path, lr->sw.rows[i].k->name, lr->sw.rows[i].b->name,
				 lr->sw.rows[i].workers, got[i], lr->sw.rows[i].n_samples);
			goto bad;
		}
	free(got);
	fclose(in);
	return 0;
bad:
	free(got);
	fclose(in);
	return -EINVAL;
}



int run_load(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	int rc;

	memset(lr, 0, sizeof(*lr));
	rc = run_load_meta(dir, lr, err, err_len);
	if (!rc)
		rc = load_summary(dir, lr, err, err_len);
	if (!rc)
		rc = load_samples(dir, lr, err, err_len);
	if (!rc)
		sweep_mark_wide(&lr->sw);
	if (rc)
		run_free(lr);
	return rc;
}

void run_free(struct loaded_run *lr)
{
	sweep_free(&lr->sw);
}
