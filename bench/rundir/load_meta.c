/*
 * load_meta.c - meta.json read back into a run's meta (the keys runload.h needs).
 */
#include "runload.h"

#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (json_get(obj, "kernel", lr->steady.kernel, sizeof(lr->steady.kernel)) ||
	    json_get(obj, "median_s", num, sizeof(num)))
		return;
	lr->steady.median_s = atof(num);
	if (json_get(obj, "runs", num, sizeof(num)) == 0)
		lr->steady.runs = (unsigned)atoi(num);
	if (json_get(obj, "size", num, sizeof(num)) == 0)
		lr->steady.size = strtoull(num, NULL, 10);
	if (json_get(obj, "median_ci_lo_s", num, sizeof(num)) == 0)
		lr->steady.ci_lo_s = atof(num);
	if (json_get(obj, "median_ci_hi_s", num, sizeof(num)) == 0)
		lr->steady.ci_hi_s = atof(num);
	if (json_get(obj, "median_ci_level", num, sizeof(num)) == 0)
		lr->steady.ci_level = atof(num);
}

int run_load_meta(const char *dir, struct loaded_run *lr, char *err, size_t err_len)
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
	json_get(text, "parbench_commit", lr->commit, sizeof(lr->commit));
	json_get(text, "compiler", lr->compiler, sizeof(lr->compiler));
	json_get(text, "c_flags", lr->c_flags, sizeof(lr->c_flags));
	json_get(text, "build_type", lr->build_type, sizeof(lr->build_type));
	json_get(text, "kernel_variant", lr->variant, sizeof(lr->variant));
	if (json_get(text, "busy_at_start", num, sizeof(num)) == 0)
		lr->busy = (unsigned)atoi(num);
	json_get(text, "busy_names", lr->busy_names, sizeof(lr->busy_names));
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
