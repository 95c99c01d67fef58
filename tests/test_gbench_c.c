/*
 * test_gbench_c.c - proves gbench.h is plain C, and that the shim passes through what Google
 * Benchmark measures: known manual times come back as samples and aggregates, an error in a
 * body comes back as a failed result with its message, a bad flag is refused, and runs
 * called again add their samples (aggregates over all, one JSON file for all).
 * No cmocka here on purpose: the point is a C translation unit with nothing but the header.
 */
#include "gbench.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                   \
		}                                                                     \
	} while (0)

static void body_fixed(struct gbench_state *st, void *arg)
{
	const double *seconds = arg;

	while (gbench_keep_running(st))
		gbench_set_iteration_time(st, *seconds);
}

static void body_error(struct gbench_state *st, void *arg)
{
	(void)arg;
	while (gbench_keep_running(st)) {
		gbench_skip_with_error(st, "injected failure");
		break;
	}
}

static int done_calls;

/* 1 ms, 2 ms, 3 ms, ...: one more per iteration */
static void body_counting(struct gbench_state *st, void *arg)
{
	int *ms = arg;

	while (gbench_keep_running(st))
		gbench_set_iteration_time(st, ++*ms * 1e-3);
}

/* Runs again accumulate: 3 repetitions, then 2 more, give 5 samples and the aggregates of
 * all 5; a benchmark given 0 repetitions does not run; the JSON file holds all 5 runs. */
static void check_rounds(const char *json)
{
	char flag[512];
	const char *argv[] = { "test", flag };
	struct gbench *g = NULL;
	char err[256] = "", text[65536];
	int ms = 0, idle = 0;
	unsigned reps[2] = { 3, 0 };
	const struct gbench_result *r;

	snprintf(flag, sizeof(flag), "--benchmark_out=%s", json);
	CHECK(gbench_create(&g, 2, argv, err, sizeof(err)) == 0);
	if (!g)
		return;
	CHECK(gbench_add(g, "count", body_counting, &ms, 0.0005, err, sizeof(err)) == 0);
	CHECK(gbench_add(g, "idle", body_counting, &idle, 0.0005, err, sizeof(err)) == 0);
	CHECK(gbench_run_some(g, reps, 0, NULL, NULL, err, sizeof(err)) == 0);
	reps[0] = 2;
	CHECK(gbench_run_some(g, reps, 0, NULL, NULL, err, sizeof(err)) == 0);
	r = gbench_get_result(g, 0);
	CHECK(r && !r->failed && r->n_samples == 5 && r->iterations == 1);
	if (r && r->n_samples == 5) {
		for (size_t i = 0; i < 5; i++)
			CHECK(fabs(r->samples[i] - (double)(i + 1) * 1e-3) < 1e-12);
		CHECK(fabs(r->median - 3e-3) < 1e-12 && fabs(r->mean - 3e-3) < 1e-12);
		CHECK(fabs(r->min - 1e-3) < 1e-12 && fabs(r->max - 5e-3) < 1e-12);
		CHECK(fabs(r->stddev - sqrt(2.5) * 1e-3) < 1e-12);
	}
	CHECK(gbench_get_result(g, 1) == NULL && idle == 0);
	gbench_destroy(g);

	FILE *f = fopen(json, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	int runs = 0;

	if (f)
		fclose(f);
	remove(json);
	text[n] = '\0';
	for (const char *p = text; (p = strstr(p, "\"run_type\": \"iteration\"")); p++)
		runs++;
	CHECK(runs == 5);
	/* one file: one context, one list of runs (its validity: tests/cli_run.sh) */
	CHECK(strstr(text, "\"context\"") && !strstr(strstr(text, "\"context\"") + 1, "\"context\""));
	CHECK(strstr(text, "\"benchmarks\": [") &&
	      !strstr(strstr(text, "\"benchmarks\": [") + 1, "\"benchmarks\""));
}

static void on_done(const struct gbench_result *r, void *arg)
{
	(void)r;
	(void)arg;
	done_calls++;
}

int main(void)
{
	const char *bad[] = { "t", "--benchmark_no_such_flag=1" };
	const char *good[] = { "t", "--benchmark_repetitions=3" };
	static double two_ms = 0.002, half_ms = 0.0005;
	struct gbench *g = NULL;
	char err[256] = "";
	const struct gbench_result *r;

	CHECK(gbench_create(&g, 2, bad, err, sizeof(err)) == -EINVAL);
	CHECK(g == NULL);
	CHECK(strstr(err, "benchmark_no_such_flag") != NULL);

	CHECK(gbench_create(&g, 2, good, err, sizeof(err)) == 0);
	if (!g)
		return 1;
	CHECK(gbench_add(g, "fixed/2ms", body_fixed, &two_ms, 0.01, err, sizeof(err)) == 0);
	CHECK(gbench_add(g, "fixed/0.5ms", body_fixed, &half_ms, 0.01, err, sizeof(err)) == 0);
	CHECK(gbench_add(g, "broken", body_error, NULL, 0.01, err, sizeof(err)) == 0);
	CHECK(gbench_add(g, "broken", body_error, NULL, 0.01, err, sizeof(err)) == -EEXIST);
	CHECK(gbench_count(g) == 3);
	CHECK(gbench_run(g, 0, on_done, NULL, err, sizeof(err)) == 0);
	CHECK(done_calls == 3);

	r = gbench_get_result(g, 0);
	CHECK(r && !r->failed && r->n_samples == 3);
	if (r && r->n_samples == 3) {
		for (size_t i = 0; i < 3; i++)
			CHECK(fabs(r->samples[i] - 0.002) < 1e-12);
		CHECK(fabs(r->median - 0.002) < 1e-12);
		CHECK(fabs(r->min - 0.002) < 1e-12 && fabs(r->max - 0.002) < 1e-12);
		CHECK(r->cv < 1e-9 && r->stddev < 1e-12);
		CHECK(r->iterations >= 5); /* 0.01 s minimum at 2 ms per iteration */
		CHECK(strcmp(r->name, "fixed/2ms") == 0 && r->index == 0);
	}
	r = gbench_get_result(g, 1);
	CHECK(r && !r->failed && fabs(r->median - 0.0005) < 1e-12);
	r = gbench_get_result(g, 2);
	CHECK(r && r->failed && strcmp(r->error, "injected failure") == 0);
	CHECK(gbench_get_result(g, 3) == NULL);
	gbench_destroy(g);
	check_rounds("test_gbench_rounds.json");

	printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
	return failures ? 1 : 0;
}
