/*
 * load_roof.c - roof.csv and compute.csv read back (the roof the charts draw; see
 * runload.h), exactly as roof_write_csv() and roof_write_compute_csv() write them: at most
 * ROOF_MAX rows of whole worker counts in ascending order, finite bandwidths and one clock;
 * then at most ROOF_MAX_KERNELS filters, each with roof.csv's worker counts in their order.
 * The charts get the roof as loaded (written again by parbench), never the files themselves.
 */
#include "load_int.h"

#include "csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define ROOF_MAX_BYTES (64L << 10) /* ROOF_MAX lines of ~30 bytes, with room to spare */
#define COMPUTE_MAX_BYTES (256L << 10) /* ROOF_MAX_KERNELS x ROOF_MAX lines of < 160 bytes */
#define ROOF_MAX_GBPS  1e6         /* GB/s: a petabyte a second is damage */
#define ROOF_MAX_GHZ   1e3

/* One row (fields f[n]) into r: 0, or -1 if damaged. */
static int roof_row(struct roof *r, char **f, int n)
{
	double w, gbps, ghz;

	if (n != 3 || r->n == ROOF_MAX || csv_whole(f[0], 1, (double)UINT_MAX + 1, &w) ||
	    csv_number(f[1], &gbps) || !(gbps >= 0 && gbps < ROOF_MAX_GBPS) ||
	    csv_number(f[2], &ghz) || !(ghz >= 0 && ghz < ROOF_MAX_GHZ) ||
	    (r->n && (unsigned)w <= r->workers[r->n - 1]) || (r->n && ghz * 1e9 != r->clock_hz))
		return -1;
	r->workers[r->n] = (unsigned)w;
	r->copy_bps[r->n++] = gbps * 1e9;
	r->clock_hz = ghz * 1e9;
	return 0;
}

/* The kernel of the run's rows called name, or NULL. */
static const struct kernel *row_kernel(const struct sweep *sw, const char *name)
{
	for (size_t i = 0; i < sw->n_rows; i++)
		if (strcmp(sw->rows[i].k->name, name) == 0)
			return sw->rows[i].k;
	return NULL;
}

/* The filters of compute.csv so far: their names, and whether the run has rows of the last
 * one (a filter it has none of is checked, not kept). */
struct compute_at {
	char name[ROOF_MAX_KERNELS][RUN_NAME_MAX];
	int kept;
};

/* Row j of compute.csv (fields f[n]) into lr->roof.compute: filter j / roof.n at worker count
 * j % roof.n.  0, or -1 if damaged. */
static int compute_row(struct loaded_run *lr, size_t j, char **f, int n, struct compute_at *at)
{
	struct roof *r = &lr->roof;
	size_t c = j / r->n, i = j % r->n;
	double w, gbps;

	if (n != 4 || c >= ROOF_MAX_KERNELS || !run_name_ok(f[0]) ||
	    (f[3][0] && !run_name_ok(f[3])) || csv_whole(f[1], 1, (double)UINT_MAX + 1, &w) ||
	    (unsigned)w != r->workers[i] || csv_number(f[2], &gbps) ||
	    !(gbps >= 0 && gbps < ROOF_MAX_GBPS))
		return -1;
	if (i == 0) { /* a new filter: a name not seen before */
		struct roof_compute *rc = &r->compute[r->n_compute];

		for (size_t k = 0; k < c; k++)
			if (strcmp(at->name[k], f[0]) == 0)
				return -1;
		snprintf(at->name[c], sizeof(at->name[c]), "%s", f[0]);
		snprintf(lr->compute_variant[c], sizeof(lr->compute_variant[c]), "%s", f[3]);
		*rc = (struct roof_compute){ .k = row_kernel(&lr->sw, f[0]),
					     .variant = lr->compute_variant[c] };
		at->kept = rc->k != NULL;
		r->n_compute += at->kept;
	} else if (strcmp(f[0], at->name[c]) != 0 || strcmp(f[3], lr->compute_variant[c]) != 0) {
		return -1;
	}
	if (at->kept)
		r->compute[r->n_compute - 1].bps[i] = gbps * 1e9;
	return 0;
}

/* dir/name opened, its first line checked against header (what: "roof", "compute ceiling").
 * 1 and *in if it is there; 0 if absent (older runs, or a run that did not measure it);
 * -EINVAL with one line in err if it cannot be read, is too large or is not such a file. */
static int open_csv(const char *dir, const char *name, long max_bytes, const char *header,
		    const char *what, FILE **in, char *path, size_t path_len, char *err,
		    size_t err_len)
{
	char line[MAX_LINE];

	snprintf(path, path_len, "%s/%s", dir, name);
	if (!(*in = pb_fopen_regular(path, max_bytes, NULL))) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_len, "%s: %s: damaged", path,
			 errno == EFBIG ? "larger than a run writes" : strerror(errno));
		return -EINVAL;
	}
	if (!fgets(line, sizeof(line), *in))
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, header) != 0) {
		fclose(*in);
		snprintf(err, err_len, "%s is not a parbench %s file", path, what);
		return -EINVAL;
	}
	return 1;
}

/* compute.csv, the filters' compute ceilings, after roof.csv (with at least one row): none
 * if absent (older runs).  0, or -EINVAL with one line in err. */
static int load_compute(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	char path[4200], line[MAX_LINE], *f[MAX_FIELDS];
	struct compute_at at;
	size_t j = 0;
	int bad = 0, rc;
	FILE *in;

	memset(&at, 0, sizeof(at));
	rc = open_csv(dir, "compute.csv", COMPUTE_MAX_BYTES, "kernel,workers,compute_gb_per_s,"
		      "variant", "compute ceiling", &in, path, sizeof(path), err, err_len);
	if (rc <= 0)
		return rc;
	while (!bad && fgets(line, sizeof(line), in)) {
		run_scrub_line(line);
		bad = compute_row(lr, j++, f, csv_split(line, f, MAX_FIELDS), &at) != 0;
	}
	fclose(in);
	if (bad || j % lr->roof.n != 0) {
		snprintf(err, err_len, "%s line %zu: damaged (at most %d filters, each with the "
			 "worker counts of roof.csv in order)", path, j + 1, ROOF_MAX_KERNELS);
		return -EINVAL;
	}
	return 0;
}

int run_load_roof(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	char path[4200], line[MAX_LINE], *f[MAX_FIELDS];
	size_t lineno = 1;
	FILE *in;
	int rc;

	memset(&lr->roof, 0, sizeof(lr->roof));
	lr->has_roof = 0;
	rc = open_csv(dir, "roof.csv", ROOF_MAX_BYTES, "workers,copy_gb_per_s,clock_ghz", "roof",
		      &in, path, sizeof(path), err, err_len);
	if (rc <= 0)
		return rc;
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		run_scrub_line(line);
		if (roof_row(&lr->roof, f, csv_split(line, f, MAX_FIELDS)) != 0) {
			fclose(in);
			snprintf(err, err_len, "%s line %zu: damaged (at most %d rows: workers in "
				 "ascending order, GB/s, one clock in GHz)", path, lineno, ROOF_MAX);
			return -EINVAL;
		}
	}
	fclose(in);
	lr->roof.variant = lr->variant;
	lr->has_roof = lr->roof.n > 0;
	return lr->has_roof ? load_compute(dir, lr, err, err_len) : 0;
}
