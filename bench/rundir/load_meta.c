/*
 * load_meta.c - meta.json read back into a run's meta (the keys runload.h needs).
 */
#include "runload.h"

#include "csv.h"
#include "json.h"
#include "untrusted.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole number from "key": in text, if there is one in [0, max]; else *v is left. */
static void get_uint(const char *text, const char *key, unsigned long max, unsigned *v)
{
	char num[64], *end;
	unsigned long n;

	if (json_get(text, key, num, sizeof(num)) || num[0] < '0' || num[0] > '9')
		return;
	errno = 0;
	n = strtoul(num, &end, 10);
	if (!errno && end != num && n <= max)
		*v = (unsigned)n;
}

/* The strings read, with their control characters as '?' (runload.h). */
static void scrub_all(struct loaded_run *lr)
{
	char *const s[] = { lr->host, lr->date, lr->args, lr->cpu_model, lr->topology,
			    lr->governor, lr->pin, lr->interconnect, lr->calibrated,
			    lr->busy_names, lr->commit, lr->compiler, lr->c_flags, lr->build_type,
			    lr->variant };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		pb_scrub(s[i]);
}

/* The build and the machine's business at the start: what compare needs to tell whether two
 * runs come from one build, and whether others were running. */
static void load_build(const char *text, struct loaded_run *lr)
{
	json_get(text, "parbench_commit", lr->commit, sizeof(lr->commit));
	json_get(text, "compiler", lr->compiler, sizeof(lr->compiler));
	json_get(text, "c_flags", lr->c_flags, sizeof(lr->c_flags));
	json_get(text, "build_type", lr->build_type, sizeof(lr->build_type));
	json_get(text, "kernel_variant", lr->variant, sizeof(lr->variant));
	get_uint(text, "busy_at_start", 1u << 30, &lr->busy);
	json_get(text, "busy_names", lr->busy_names, sizeof(lr->busy_names));
}

/* A finite number from a field's text, else 0 (unknown). */
static double finite_or_0(const char *num)
{
	double d;

	return csv_number(num, &d) == 0 && isfinite(d) ? d : 0;
}

/* meta.json's steadiness probe, if it has one with its median (machine_state.steady). */
static void load_steady(const char *text, struct loaded_run *lr)
{
	const char *p = strstr(text, "\"steady\": {");
	char obj[1024], num[64];
	size_t n;

	memset(&lr->steady, 0, sizeof(lr->steady));
	if (!p || (n = strcspn(p, "}")) >= sizeof(obj))
		return;
	memcpy(obj, p, n);
	obj[n] = '\0';
	pb_scrub(obj);
	if (json_get(obj, "kernel", lr->steady.kernel, sizeof(lr->steady.kernel)) ||
	    json_get(obj, "median_s", num, sizeof(num)))
		return;
	lr->steady.median_s = finite_or_0(num);
	get_uint(obj, "runs", 1u << 30, &lr->steady.runs);
	if (json_get(obj, "size", num, sizeof(num)) == 0 && num[0] >= '0' && num[0] <= '9')
		lr->steady.size = strtoull(num, NULL, 10);
	if (json_get(obj, "median_ci_lo_s", num, sizeof(num)) == 0)
		lr->steady.ci_lo_s = finite_or_0(num);
	if (json_get(obj, "median_ci_hi_s", num, sizeof(num)) == 0)
		lr->steady.ci_hi_s = finite_or_0(num);
	if (json_get(obj, "median_ci_level", num, sizeof(num)) == 0)
		lr->steady.ci_level = finite_or_0(num);
}

/* path (dir's meta.json) whole, NUL-terminated (free it), or NULL with err set. */
static char *read_meta(const char *dir, const char *path, char *err, size_t err_len)
{
	FILE *in = pb_fopen_regular(path, RUN_MAX_META_BYTES, NULL);
	char *text;
	long len;

	if (!in) {
		snprintf(err, err_len, errno == EFBIG ? "%s is larger than a run writes: damaged" :
			 "'%s' is not a parbench run directory: no meta.json", errno == EFBIG ? path : dir);
		return NULL;
	}
	fseek(in, 0, SEEK_END);
	len = ftell(in);
	fseek(in, 0, SEEK_SET);
	if (len <= 0 || len > RUN_MAX_META_BYTES || !(text = malloc((size_t)len + 1))) {
		fclose(in);
		snprintf(err, err_len, "%s is empty or too large: damaged", path);
		return NULL;
	}
	text[fread(text, 1, (size_t)len, in)] = '\0';
	fclose(in);
	return text;
}

int run_load_meta(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
{
	char path[4200], num[64], *text;
	struct run_meta *m = &lr->meta;

	snprintf(path, sizeof(path), "%s/meta.json", dir);
	if (!(text = read_meta(dir, path, err, err_len)))
		return -EINVAL;
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
	get_uint(text, "cores", UINT_MAX, &m->cores);
	get_uint(text, "pus", UINT_MAX, &m->pus);
	unsigned reps = 0;

	get_uint(text, "repetitions", INT_MAX, &reps);
	m->repetitions = (int)reps;
	if (json_get(text, "interleaved", num, sizeof(num)) == 0)
		m->interleaved = strcmp(num, "true") == 0;
	if (json_get(text, "quick", num, sizeof(num)) == 0)
		m->quick = strcmp(num, "true") == 0;
	if (json_get(text, "precision", num, sizeof(num)) == 0)
		lr->sw.precision = atof(num);
	if (json_get(text, "budget_s", num, sizeof(num)) == 0)
		lr->sw.budget_s = atof(num);
	get_uint(text, "rounds", UINT_MAX, &lr->sw.rounds);
	if (json_get(text, "sweep_seconds", num, sizeof(num)) == 0)
		lr->sw.seconds = atof(num);
	json_get(text, "calibrated_sizes", lr->calibrated, sizeof(lr->calibrated));
	load_build(text, lr);
	scrub_all(lr);
	load_steady(text, lr);
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
