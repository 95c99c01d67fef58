/*
 * load_samples.c - samples.csv read back into the rows of summary.csv (see runload.h).  Each
 * line finds its row in a sorted index (a run may have many rows and millions of samples:
 * no scan of every row per line), and the file is capped in lines and bytes.
 */
#include "load_int.h"

#include "csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a sample line names: its row's kernel, backend, workers and size. */
struct sample_key {
	const char *kernel, *backend;
	unsigned workers;
	uint64_t size;
};

static int cmp_key(const struct sample_key *a, const struct sweep_row *r)
{
	int c = strcmp(a->kernel, r->k->name);

	if (!c)
		c = strcmp(a->backend, r->b->name);
	if (!c)
		c = a->workers < r->workers ? -1 : a->workers > r->workers;
	if (!c)
		c = a->size < r->size ? -1 : a->size > r->size;
	return c;
}

/* Rows in key order; a key twice: the first in the file first (it takes the samples). */
static int cmp_rows(const void *a, const void *b)
{
	const struct sweep_row *x = *(const struct sweep_row *const *)a,
			       *y = *(const struct sweep_row *const *)b;
	struct sample_key k = { x->k->name, x->b->name, x->workers, x->size };
	int c = cmp_key(&k, y);

	return c ? c : x < y ? -1 : x > y;
}

/* The first row of the sorted index[n] with key k, or NULL. */
static struct sweep_row *find(struct sweep_row *const *index, size_t n, const struct sample_key *k)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(k, index[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && cmp_key(k, index[lo]) == 0 ? index[lo] : NULL;
}

/* One line of samples.csv (split into f, n fields): its row, whose next repetition gets the
 * seconds.  0, or -1 when the line is damaged or names a repetition summary.csv lacks. */
static int sample_line(struct loaded_run *lr, struct sweep_row *const *index, char **f, int n,
		       size_t *got)
{
	double w, sz, rep, sec;
	struct sweep_row *q;

	if (n != 6 || csv_whole(f[2], 0, (double)UINT_MAX + 1, &w) ||
	    csv_whole(f[3], 0, 0x1p64, &sz) || csv_number(f[4], &rep) || csv_number(f[5], &sec) ||
	    !isfinite(sec) || sec < 0)
		return -1;
	struct sample_key k = { f[0], f[1], (unsigned)w, (uint64_t)sz };

	if (!(q = find(index, lr->sw.n_rows, &k)) || got[q - lr->sw.rows] >= q->n_samples)
		return -1;
	q->samples[got[q - lr->sw.rows]++] = sec;
	return 0;
}

/* Each row's sample buffer (n_samples, at least one), the rows' sorted index and the counts
 * read so far (one block: free *index).  0 or -ENOMEM. */
static int alloc_samples(struct loaded_run *lr, struct sweep_row ***index, size_t **got)
{
	size_t n = lr->sw.n_rows;

	for (size_t i = 0; i < n; i++) {
		struct sweep_row *r = &lr->sw.rows[i];

		r->samples = calloc(r->n_samples ? r->n_samples : 1, sizeof(double));
		if (!r->samples)
			return -ENOMEM;
	}
	if (!(*index = malloc(n * (sizeof(**index) + sizeof(**got)))))
		return -ENOMEM;
	*got = (size_t *)(*index + n);
	for (size_t i = 0; i < n; i++) {
		(*index)[i] = &lr->sw.rows[i];
		(*got)[i] = 0;
	}
	qsort(*index, n, sizeof(**index), cmp_rows);
	return 0;
}

/* The lines after the header.  0, or -EINVAL with err set. */
static int sample_lines(FILE *in, const char *path, struct loaded_run *lr,
			struct sweep_row *const *index, size_t *got, char *err, size_t err_len)
{
	static char line[MAX_LINE];
	char *f[MAX_FIELDS];
	size_t lineno = 1, bytes = 0;

	while (fgets(line, sizeof(line), in)) {
		lineno++;
		bytes += strlen(line);
		if (lineno > RUN_MAX_SAMPLES + 1 || bytes > RUN_MAX_SAMPLE_BYTES) {
			snprintf(err, err_len, "%s: more than %d lines or %ld MiB (a run writes far "
				 "fewer): damaged", path, RUN_MAX_SAMPLES, RUN_MAX_SAMPLE_BYTES >> 20);
			return -EINVAL;
		}
		run_scrub_line(line);
		if (sample_line(lr, index, f, csv_split(line, f, MAX_FIELDS), got) != 0) {
			snprintf(err, err_len, "%s line %zu: damaged, or a repetition summary.csv "
				 "does not list", path, lineno);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < lr->sw.n_rows; i++)
		if (got[i] != lr->sw.rows[i].n_samples) {
			snprintf(err, err_len, "%s: %s/%s/%u has %zu repetitions, summary.csv says %zu: "
				 "damaged", path, lr->sw.rows[i].k->name, lr->sw.rows[i].b->name,
				 lr->sw.rows[i].workers, got[i], lr->sw.rows[i].n_samples);
			return -EINVAL;
		}
	return 0;
}

int run_load_samples(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	static char line[MAX_LINE];
	char path[4200];
	struct sweep_row **index = NULL;
	size_t *got = NULL;
	FILE *in;
	int rc;

	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	if (!(in = pb_fopen_regular(path, RUN_MAX_SAMPLE_BYTES, NULL))) {
		if (errno == EFBIG)
			snprintf(err, err_len, "%s is larger than %ld MiB (a run writes far less): "
				 "damaged", path, RUN_MAX_SAMPLE_BYTES >> 20);
		else
			snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	if (!fgets(line, sizeof(line), in) ||
	    strncmp(line, "kernel,backend,workers,size,repetition,seconds", 46) != 0) {
		fclose(in);
		snprintf(err, err_len, "%s is not a parbench samples file", path);
		return -EINVAL;
	}
	if ((rc = alloc_samples(lr, &index, &got)) != 0)
		snprintf(err, err_len, "out of memory reading %s", path);
	else
		rc = sample_lines(in, path, lr, index, got, err, err_len);
	free(index);
	fclose(in);
	return rc;
}
