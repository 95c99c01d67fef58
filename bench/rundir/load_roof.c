/*
 * load_roof.c - roof.csv read back (the roof the charts draw; see runload.h): at most
 * ROOF_MAX rows of whole worker counts in ascending order, finite bandwidths and one clock.
 * The charts get the roof as loaded (written again by parbench), never the file itself.
 */
#include "load_int.h"

#include "csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define ROOF_MAX_BYTES (64L << 10) /* ROOF_MAX lines of ~30 bytes, with room to spare */
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

int run_load_roof(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	char path[4200], line[MAX_LINE], *f[MAX_FIELDS];
	size_t lineno = 1;
	FILE *in;

	memset(&lr->roof, 0, sizeof(lr->roof));
	lr->has_roof = 0;
	snprintf(path, sizeof(path), "%s/roof.csv", dir);
	if (!(in = run_open(path, ROOF_MAX_BYTES))) {
		if (errno == ENOENT)
			return 0; /* the run did not measure its roof */
		snprintf(err, err_len, "%s: %s: damaged", path,
			 errno == EFBIG ? "larger than a run writes" : strerror(errno));
		return -EINVAL;
	}
	if (!fgets(line, sizeof(line), in))
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, "workers,copy_gb_per_s,clock_ghz") != 0) {
		fclose(in);
		snprintf(err, err_len, "%s is not a parbench roof file", path);
		return -EINVAL;
	}
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
	return 0;
}
