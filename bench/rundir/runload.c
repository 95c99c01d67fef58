/*
 * runload.c - reading a run directory back (see runload.h).
 */
#include "runload.h"
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64
#define MAX_LINE   8192

/* Splits one CSV line in place (RFC 4180 quotes). Returns the field count. */
static int csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		if (*p == '"') {
			char *w = ++p;

			f[n++] = w;
			for (;;) {
				if (*p == '\0')
					break;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			*w = '\0';
			if (*p == ',')
				p++;
			else if (*p == '\0')
				break;
		} else {
			f[n++] = p;
			p += strcspn(p, ",");
			if (*p == '\0')
				break;
			*p++ = '\0';
		}
	}
	return n;
}

static int col(char **hdr, int nh, const char *name)
{
	for (int i = 0; i < nh; i++)
		if (strcmp(hdr[i], name) == 0)
			return i;
	return -1;
}

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

static int load_summary(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	static const char *need[] = { "kernel", "backend", "workers", "size", "items", "median_s",
				      "min_s", "max_s", "mean_s", "stddev_s", "cv", "speedup",
				      "efficiency", "repetitions", "startup_s" };
	char path[4200], line[MAX_LINE], hline[MAX_LINE], *hdr[MAX_FIELDS], *f[MAX_FIELDS];
	int nh, c[sizeof(need) / sizeof(need[0])], lineno = 1;
	size_t cap = 0;
	FILE *in;
	struct sweep *sw = &lr->sw;

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
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if ((c[i] = col(hdr, nh, need[i])) < 0) {
			fclose(in);
			snprintf(err, err_len, "%s is not a parbench summary (no column '%s')", path,
				 need[i]);
			return -EINVAL;
		}
	int c_over = col(hdr, nh, "oversubscribed"), c_cpus = col(hdr, nh, "cpus");
	int c_pix = col(hdr, nh, "pixels"), c_bytes = col(hdr, nh, "bytes");
	int c_mlo = col(hdr, nh, "median_ci_lo_s"), c_mhi = col(hdr, nh, "median_ci_hi_s");
	int c_mlev = col(hdr, nh, "median_ci_level"), c_slo = col(hdr, nh, "speedup_ci_lo");
	int c_shi = col(hdr, nh, "speedup_ci_hi"), c_kf = col(hdr, nh, "karp_flatt");
	int c_sc = col(hdr, nh, "scaling"), c_w = col(hdr, nh, "width");
	int c_h = col(hdr, nh, "height"), c_part = col(hdr, nh, "partial");
	int c_gil = col(hdr, nh, "gil_switches"), c_pin = col(hdr, nh, "pin");
	int c_el = col(hdr, nh, "elements"), c_var = col(hdr, nh, "variant");

	while (fgets(line, sizeof(line), in)) {
		int n = csv_split(line, f, MAX_FIELDS);
		double v[sizeof(need) / sizeof(need[0])];
		struct sweep_row *r;

		lineno++;
		if (n != nh) {
			fclose(in);
			snprintf(err, err_len, "%s line %d: %d fields, the header has %d: damaged",
				 path, lineno, n, nh);
			return -EINVAL;
		}
		for (size_t i = 2; i < sizeof(need) / sizeof(need[0]); i++)
			if (to_double(f[c[i]], &v[i])) {
				fclose(in);
				snprintf(err, err_len, "%s line %d: '%s' is not a number (%s): damaged",
					 path, lineno, f[c[i]], need[i]);
				return -EINVAL;
			}
		if (sw->n_rows == cap) {
			size_t nc = cap ? 2 * cap : 32;
			struct sweep_row *nr = realloc(sw->rows, nc * sizeof(*nr));

			if (!nr) {
				fclose(in);
				snprintf(err, err_len, "out of memory");
				return -ENOMEM;
			}
			memset(nr + cap, 0, (nc - cap) * sizeof(*nr));
			sw->rows = nr;
			cap = nc;
		}
		r = &sw->rows[sw->n_rows];
		r->k = find_kernel(lr, f[c[0]]);
		r->b = find_backend(lr, f[c[1]]);
		if (!r->k || !r->b) {
			fclose(in);
			snprintf(err, err_len, "%s: too many kernels or backends", path);
			return -EINVAL;
		}
		sw->n_rows++;
		r->ran = 1;
		r->workers = (unsigned)v[2];
		r->size = (uint64_t)v[3];
		r->items = (size_t)v[4];
		r->median = v[5];
		r->min = v[6];
		r->max = v[7];
		r->mean = v[8];
		r->stddev = v[9];
		r->cv = v[10];
		r->speedup = v[11];
		r->efficiency = v[12];
		r->n_samples = (size_t)v[13];
		r->startup_s = v[14];
		r->speedup_lo = r->speedup_hi = r->karp_flatt = r->median_lo = r->median_hi = NAN;
		double d;

#define OPT(cidx, dst, conv)                                                                  \
	do {                                                                                   \
		if ((cidx) >= 0 && to_double(f[cidx], &d) == 0)                                \
			dst = conv;                                                            \
	} while (0)
		OPT(c_over, r->plan.oversubscribed, (unsigned)d);
		OPT(c_pix, r->pixels, (uint64_t)d);
		OPT(c_bytes, r->bytes, (uint64_t)d);
		OPT(c_mlo, r->median_lo, d);
		OPT(c_mhi, r->median_hi, d);
		OPT(c_mlev, r->median_level, d);
		OPT(c_slo, r->speedup_lo, d);
		OPT(c_shi, r->speedup_hi, d);
		OPT(c_kf, r->karp_flatt, d);
		OPT(c_w, r->width, (uint32_t)d);
		OPT(c_h, r->height, (uint32_t)d);
		OPT(c_part, r->partial, (int)d);
		OPT(c_gil, r->gil_switches, (uint64_t)d);
		OPT(c_el, r->elements, (uint64_t)d);
#undef OPT
		if (c_cpus >= 0)
			snprintf(r->cpus, sizeof(r->cpus), "%s", f[c_cpus]);
		if (c_var >= 0)
			snprintf(r->variant, sizeof(r->variant), "%s", f[c_var]);
		if (c_pin >= 0)
			snprintf(r->plan_text, sizeof(r->plan_text), "%s", f[c_pin]);
		if (c_sc >= 0 && strcmp(f[c_sc], "weak") == 0)
			sw->weak = 1;
	}
	fclose(in);
	if (sw->n_rows == 0) {
		snprintf(err, err_len, "%s has no measured rows", path);
		return -EINVAL;
	}
	/* distinct sizes of the first kernel: more than one means a size sweep */
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
	return 0;
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


static int load_meta(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	char path[4200], num[64], *text;
	FILE *in;
	long len;
	struct run_meta *m = &lr->meta;

	snprintf(path, sizeof(path), "%s/meta.json", dir);
	in = fopen(path, "r");
	if (!in) {
		snprintf(err, err_len, "'%s' is not a parbench run directory: no meta.json", dir);
		return -EINVAL;
	}
	fseek(in, 0, SEEK_END);
	len = ftell(in);
	fseek(in, 0, SEEK_SET);
	if (len <= 0 || len > (16 << 20) || !(text = malloc((size_t)len + 1))) {
		fclose(in);
		snprintf(err, err_len, "%s is empty or too large: damaged", path);
		return -EINVAL;
	}
	text[fread(text, 1, (size_t)len, in)] = '\0';
	fclose(in);
	if (strncmp(text, "{", 1) != 0 || json_get(text, "parbench_commit", num, sizeof(num)) ||
	    json_get(text, "host", lr->host, sizeof(lr->host)) ||
	    json_get(text, "date", lr->date, sizeof(lr->date)) ||
	    json_get(text, "cpu_model", lr->cpu_model, sizeof(lr->cpu_model)) ||
	    json_get(text, "topology", lr->topology, sizeof(lr->topology))) {
		free(text);
		snprintf(err, err_len, "%s is not a parbench meta.json (or is damaged)", path);
		return -EINVAL;
	}
	json_get(text, "args", lr->args, sizeof(lr->args));
	json_get(text, "governor", lr->governor, sizeof(lr->governor));
	json_get(text, "pin", lr->pin, sizeof(lr->pin));
	json_get(text, "interconnect", lr->interconnect, sizeof(lr->interconnect));
	*m = (struct run_meta){ .host = lr->host, .date = lr->date, .args = lr->args,
				.cpu_model = lr->cpu_model, .topology = lr->topology,
				.governor = lr->governor, .pin = lr->pin,
				.interconnect = lr->interconnect[0] ? lr->interconnect : NULL };
	if (json_get(text, "cores", num, sizeof(num)) == 0)
		m->cores = (unsigned)atoi(num);
	if (json_get(text, "pus", num, sizeof(num)) == 0)
		m->pus = (unsigned)atoi(num);
	if (json_get(text, "repetitions", num, sizeof(num)) == 0)
		m->repetitions = atoi(num);
	if (json_get(text, "interleaved", num, sizeof(num)) == 0)
		m->interleaved = strcmp(num, "true") == 0;
	if (json_get(text, "quick", num, sizeof(num)) == 0)
		m->quick = strcmp(num, "true") == 0;
	if (json_get(text, "precision", num, sizeof(num)) == 0)
		lr->sw.precision = atof(num);
	if (json_get(text, "budget_s", num, sizeof(num)) == 0)
		lr->sw.budget_s = atof(num);
	if (json_get(text, "rounds", num, sizeof(num)) == 0)
		lr->sw.rounds = (unsigned)atoi(num);
	if (json_get(text, "sweep_seconds", num, sizeof(num)) == 0)
		lr->sw.seconds = atof(num);
	json_get(text, "calibrated_sizes", lr->calibrated, sizeof(lr->calibrated));
	const char *lb = strstr(text, "\"load_before\": ["), *la = strstr(text, "\"load_after\": [");

	if (lb)
		sscanf(lb + 16, "%lf, %lf, %lf", &m->load_before[0], &m->load_before[1],
		       &m->load_before[2]);
	if (la)
		sscanf(la + 15, "%lf, %lf, %lf", &m->load_after[0], &m->load_after[1],
		       &m->load_after[2]);
	free(text);
	lr->sw.cores = m->cores ? m->cores : 1;
	return 0;
}

int run_load(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	int rc;

	memset(lr, 0, sizeof(*lr));
	rc = load_meta(dir, lr, err, err_len);
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
