/*
 * runload.c - reading a run directory back (see runload.h): summary.csv; samples.csv is
 * load_samples.c's, roof.csv load_roof.c's, meta.json load_meta.c's, the guards on what is
 * read untrusted.c's.
 */
#include "runload.h"
#include "columns.h"
#include "load_int.h"
#include "csv.h"
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Distinct sizes of the first kernel: more than one means a size sweep.  0 or -ENOMEM. */
static int count_sizes(struct sweep *sw)
{
	uint64_t *sizes = malloc(sw->n_rows * sizeof(*sizes));
	size_t n = 0;

	if (!sizes)
		return -ENOMEM;
	for (size_t i = 0; i < sw->n_rows; i++) /* the CPython rows' own size is no sweep */
		if (sw->rows[i].k == sw->rows[0].k && !(sw->rows[i].b->caps & BACKEND_CAP_PYTHON))
			sizes[n++] = sw->rows[i].size;
	qsort(sizes, n, sizeof(*sizes), cmp_u64);
	sw->n_sizes = 0;
	for (size_t i = 0; i < n; i++)
		sw->n_sizes += i == 0 || sizes[i] != sizes[i - 1];
	if (sw->weak)
		sw->n_sizes = 1;
	free(sizes);
	return 0;
}

/* The rows of summary.csv after its header, each checked.  0 or -errno with err set. */
static int summary_rows(FILE *in, const char *path, struct loaded_run *lr,
			const struct summary_map *k, int nh, char *err, size_t err_len)
{
	static char line[MAX_LINE];
	char where[4300], *f[MAX_FIELDS];
	size_t cap = 0, lineno = 1, bytes = 0;
	int rc = 0;

	while (rc == 0 && fgets(line, sizeof(line), in)) {
		int n;

		lineno++;
		bytes += strlen(line);
		if (lr->sw.n_rows == RUN_MAX_ROWS || bytes > RUN_MAX_BYTES) {
			snprintf(err, err_len, "%s: more than %d rows or %ld MiB (a run writes far "
				 "fewer): damaged", path, RUN_MAX_ROWS, RUN_MAX_BYTES >> 20);
			return -EINVAL;
		}
		run_scrub_line(line);
		n = csv_split(line, f, MAX_FIELDS);
		snprintf(where, sizeof(where), "%s line %zu", path, lineno);
		if (n != nh) {
			snprintf(err, err_len, "%s: %d fields, the header has %d: damaged", where, n, nh);
			rc = -EINVAL;
		} else {
			rc = summary_row(lr, k, f, &cap, where, err, err_len);
		}
	}
	return rc;
}

static int load_summary(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	static char hline[MAX_LINE];
	char path[4200], *hdr[MAX_FIELDS];
	int nh, rc = 0;
	struct summary_map k;
	const char *missing;
	FILE *in;

	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	in = pb_fopen_regular(path, RUN_MAX_BYTES, NULL);
	if (!in && errno == EFBIG) {
		snprintf(err, err_len, "%s is larger than %ld MiB (a run writes far less): damaged",
			 path, RUN_MAX_BYTES >> 20);
		return -EINVAL;
	}
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
	run_scrub_line(hline);
	nh = csv_split(hline, hdr, MAX_FIELDS);
	if (summary_map_header(&k, hdr, nh, &missing) != 0) {
		snprintf(err, err_len, "%s is not a parbench summary (no column '%s')", path, missing);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = summary_rows(in, path, lr, &k, nh, err, err_len);
	fclose(in);
	if (rc == 0 && lr->sw.n_rows == 0) {
		snprintf(err, err_len, "%s has no measured rows", path);
		rc = -EINVAL;
	}
	if (rc == 0 && count_sizes(&lr->sw) != 0) {
		snprintf(err, err_len, "out of memory reading %s", path);
		rc = -ENOMEM;
	}
	return rc;
}

int run_load(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	int rc;

	memset(lr, 0, sizeof(*lr));
	rc = run_load_meta(dir, lr, err, err_len);
	if (!rc)
		rc = load_summary(dir, lr, err, err_len);
	if (!rc)
		rc = run_load_samples(dir, lr, err, err_len);
	if (!rc)
		rc = run_load_roof(dir, lr, err, err_len);
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
