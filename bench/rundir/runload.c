/*
 * runload.c - reading a run directory back (see runload.h): summary.csv and samples.csv;
 * meta.json is load_meta.c's, the guards on what is read untrusted.c's.
 */
#include "runload.h"
#include "columns.h"
#include "csv.h"
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64
#define MAX_LINE   8192

/* A line read from a run's CSV file: its control characters (the line's end aside) as '?',
 * so that nothing read can reach a terminal as an escape sequence. */
static void scrub_line(char *line)
{
	size_t end = strcspn(line, "\r\n");
	char c = line[end];

	line[end] = '\0';
	run_scrub(line);
	line[end] = c;
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

/* One line of summary.csv as a new row. 0 or -errno with err set. */
static int summary_row(struct loaded_run *lr, const struct summary_map *m, char **f,
		       size_t *cap, const char *where, char *err, size_t err_len)
{
	struct sweep *sw = &lr->sw;
	const char *col, *val;
	struct sweep_row *r;

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
	memset(r, 0, sizeof(*r));
	if (summary_read_row(m, f, r, sw, &col, &val) != 0) {
		snprintf(err, err_len, "%s: '%s' is not a number (%s): damaged", where, val, col);
		return -EINVAL;
	}
	if (!run_name_ok(f[m->idx[0]]) || !run_name_ok(f[m->idx[1]])) {
		snprintf(err, err_len, "%s: '%s' or '%s' is not a kernel or backend name: damaged",
			 where, f[m->idx[0]], f[m->idx[1]]);
		return -EINVAL;
	}
	if (r->n_samples > RUN_MAX_REPS) {
		snprintf(err, err_len, "%s: %zu repetitions (at most %d are read): damaged", where,
			 r->n_samples, RUN_MAX_REPS);
		return -EINVAL;
	}
	r->k = find_kernel(lr, f[m->idx[0]]);
	r->b = find_backend(lr, f[m->idx[1]]);
	if (!r->k || !r->b) {
		snprintf(err, err_len, "%s: too many kernels or backends", where);
		return -EINVAL;
	}
	if (r->b->caps & BACKEND_CAP_PYTHON)
		r->variant[0] = '\0'; /* older runs wrote the C kernels' variant on them too */
	r->ran = 1;
	sw->n_rows++;
	return 0;
}

/* Distinct sizes of the first kernel: more than one means a size sweep. */
static void count_sizes(struct sweep *sw)
{
	sw->n_sizes = 0;
	for (size_t i = 0; i < sw->n_rows; i++) {
		int seen = 0;

		/* the CPython rows' own size is not a size sweep */
		if (sw->rows[i].k != sw->rows[0].k || (sw->rows[i].b->caps & BACKEND_CAP_PYTHON))
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= sw->rows[j].k == sw->rows[0].k && sw->rows[j].size == sw->rows[i].size &&
				!(sw->rows[j].b->caps & BACKEND_CAP_PYTHON);
		sw->n_sizes += !seen;
	}
	if (sw->weak)
		sw->n_sizes = 1;
}

static int load_summary(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	static char line[MAX_LINE], hline[MAX_LINE];
	char path[4200], where[4300], *hdr[MAX_FIELDS], *f[MAX_FIELDS];
	int nh, rc = 0;
	size_t cap = 0, lineno = 1;
	struct summary_map k;
	const char *missing;
	FILE *in;

	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	in = run_open(path);
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
	scrub_line(hline);
	nh = csv_split(hline, hdr, MAX_FIELDS);
	if (summary_map_header(&k, hdr, nh, &missing) != 0) {
		snprintf(err, err_len, "%s is not a parbench summary (no column '%s')", path, missing);
		rc = -EINVAL;
	}
	while (rc == 0 && fgets(line, sizeof(line), in)) {
		int n;

		scrub_line(line);
		n = csv_split(line, f, MAX_FIELDS);
		lineno++;
		snprintf(where, sizeof(where), "%s line %zu", path, lineno);
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

/* One line of samples.csv (split into f, n fields): its row, whose next repetition gets the
 * seconds.  0, or -1 when the line is damaged or names a repetition summary.csv lacks. */
static int sample_line(struct loaded_run *lr, char **f, int n, size_t *got)
{
	double w, sz, rep, sec;

	if (n != 6 || csv_whole(f[2], 0, (double)UINT_MAX + 1, &w) ||
	    csv_whole(f[3], 0, 0x1p64, &sz) || csv_number(f[4], &rep) || csv_number(f[5], &sec) ||
	    !isfinite(sec) || sec < 0)
		return -1;
	for (size_t i = 0; i < lr->sw.n_rows; i++) {
		struct sweep_row *q = &lr->sw.rows[i];

		if (strcmp(q->k->name, f[0]) == 0 && strcmp(q->b->name, f[1]) == 0 &&
		    q->workers == (unsigned)w && q->size == (uint64_t)sz) {
			if (got[i] >= q->n_samples)
				return -1;
			q->samples[got[i]++] = sec;
			return 0;
		}
	}
	return -1;
}

/* Each row's sample buffer (n_samples, at least one) and the counts read so far. */
static size_t *alloc_samples(struct loaded_run *lr)
{
	for (size_t i = 0; i < lr->sw.n_rows; i++) {
		struct sweep_row *r = &lr->sw.rows[i];

		r->samples = calloc(r->n_samples ? r->n_samples : 1, sizeof(double));
		if (!r->samples)
			return NULL;
	}
	return calloc(lr->sw.n_rows, sizeof(size_t));
}

static int load_samples(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	char path[4200], line[MAX_LINE], *f[MAX_FIELDS];
	FILE *in;
	size_t lineno = 1, *got;

	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	in = run_open(path);
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
	if (!(got = alloc_samples(lr))) {
		fclose(in);
		snprintf(err, err_len, "out of memory reading %s", path);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		scrub_line(line);
		if (sample_line(lr, f, csv_split(line, f, MAX_FIELDS), got) != 0) {
			snprintf(err, err_len, "%s line %zu: damaged, or a repetition summary.csv "
				 "does not list", path, lineno);
			goto bad;
		}
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
