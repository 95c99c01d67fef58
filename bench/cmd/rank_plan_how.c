/*
 * rank_plan_how.c - the keys of a rank plan that say how it is measured: the schedule and
 * chunk, the pin policy, repetitions or the time budget, the minimum time of a repetition and
 * the timeout of a run, the kernels' instruction-set variant, the picture, MPI's scatter,
 * the test hooks and Google Benchmark's own flags.  Each key's value is checked when read
 * and printed when written, side by side.
 */
#include "rank_plan_int.h"

#include "kernel.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PIN_CHARS  "abcdefghijklmnopqrstuvwxyz0123456789,-"
#define HOOK_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+:/,-"
#define MAX_S      3600.0  /* --min-time and --timeout take at most an hour ... */
#define MAX_BUDGET 1e6     /* ... and a budget is the whole measurement's */

static const char *const schedules[] = {
	[SCHED_DEFAULT] = "default", [SCHED_STATIC] = "static", [SCHED_DYNAMIC] = "dynamic",
	[SCHED_GUIDED] = "guided",
};

static int read_schedule(struct rank_plan *p, const char *v, char *why, size_t len)
{
	for (size_t i = 0; i < sizeof(schedules) / sizeof(schedules[0]); i++)
		if (strcmp(v, schedules[i]) == 0) {
			p->schedule = (enum backend_schedule)i;
			return 0;
		}
	return plan_say(why, len, "not default, static, dynamic or guided");
}

static void write_schedule(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, schedules[p->schedule]);
}

static int read_chunk(struct rank_plan *p, const char *v, char *why, size_t len)
{
	uint64_t n;

	if (plan_whole(v, 0, SIZE_MAX, &n))
		return plan_say(why, len, "not a whole number");
	p->chunk = (size_t)n;
	return 0;
}

static void write_chunk(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line_u64(f, name, p->chunk);
}

static int read_pin(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_text(p->pin, sizeof(p->pin), v, PIN_CHARS, 0, why, len);
}

static void write_pin(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, p->pin);
}

static int read_repetitions(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_small(&p->repetitions, v, 1000, why, len);
}

static void write_repetitions(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line_u64(f, name, p->repetitions);
}

/* Seconds: a plain decimal ("0.04", "1e-3") in [0.001, max], or 0 where zero_ok. */
static int seconds(double *dst, const char *v, double max, int zero_ok, char *why, size_t len)
{
	char *end;
	double s;

	if (*v >= '0' && *v <= '9' && strspn(v, "0123456789.eE+-") == strlen(v)) {
		errno = 0;
		s = strtod(v, &end);
		if (!*end && !errno && isfinite(s) &&
		    ((zero_ok && s == 0) || (s >= 0.001 && s <= max))) {
			*dst = s;
			return 0;
		}
	}
	return plan_say(why, len, "not %sseconds from 0.001 to %g", zero_ok ? "0 or " : "", max);
}

/* The shortest of %.15g and %.17g that reads back as s exactly. */
static void line_s(FILE *f, const char *name, double s)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.15g", s);
	if (strtod(buf, NULL) != s)
		snprintf(buf, sizeof(buf), "%.17g", s);
	fprintf(f, "%s = %s\n", name, buf);
}

static int read_budget(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return seconds(&p->budget_s, v, MAX_BUDGET, 1, why, len);
}

static void write_budget(FILE *f, const struct rank_plan *p, const char *name)
{
	line_s(f, name, p->budget_s);
}

static int read_min_time(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return seconds(&p->min_time_s, v, MAX_S, 0, why, len);
}

static void write_min_time(FILE *f, const struct rank_plan *p, const char *name)
{
	line_s(f, name, p->min_time_s);
}

static int read_timeout(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return seconds(&p->timeout_s, v, MAX_S, 0, why, len);
}

static void write_timeout(FILE *f, const struct rank_plan *p, const char *name)
{
	line_s(f, name, p->timeout_s);
}

/* "best", or a variant this build has (whether this CPU runs it is the rank's to say). */
static int read_isa(struct rank_plan *p, const char *v, char *why, size_t len)
{
	int known = strcmp(v, "best") == 0;

	for (const char *const *n = kernel_variants(); *n && !known; n++)
		known = strcmp(*n, v) == 0;
	if (!known)
		return plan_say(why, len, "not best or a variant of this build (parbench list)");
	return plan_text(p->isa, sizeof(p->isa), v, NULL, 0, why, len);
}

static void write_isa(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, p->isa);
}

/* An absolute name: the ranks may run in another folder, on another host. */
static int read_image(struct rank_plan *p, const char *v, char *why, size_t len)
{
	if (v[0] && v[0] != '/')
		return plan_say(why, len, "not an absolute file name");
	return plan_text(p->image, sizeof(p->image), v, NULL, 1, why, len);
}

static void write_image(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, p->image);
}

static int read_scatter(struct rank_plan *p, const char *v, char *why, size_t len)
{
	unsigned s = 0;
	int rc = plan_small(&s, v, 1, why, len);

	p->scatter = (int)s;
	return rc;
}

static void write_scatter(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line_u64(f, name, (uint64_t)p->scatter);
}

static int read_corrupt(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_text(p->corrupt, sizeof(p->corrupt), v, HOOK_CHARS, 1, why, len);
}

static void write_corrupt(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, p->corrupt);
}

static int read_hang(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_text(p->hang, sizeof(p->hang), v, HOOK_CHARS, 1, why, len);
}

static void write_hang(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, p->hang);
}

static int read_crash(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_text(p->crash, sizeof(p->crash), v, HOOK_CHARS, 1, why, len);
}

static void write_crash(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, p->crash);
}

static int read_link_fail(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_text(p->link_fail, sizeof(p->link_fail), v, HOOK_CHARS, 1, why, len);
}

static void write_link_fail(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, p->link_fail);
}

int rank_plan_gbench_ok(const char *flag)
{
	return strncmp(flag, "--benchmark_out", 15) != 0;
}

/* One flag a line ("--benchmark_min_time=0.1s"), as the run was given it after "--". */
static int read_gbench(struct rank_plan *p, const char *v, char *why, size_t len)
{
	if (p->n_gbench == RANK_PLAN_GB_MAX)
		return plan_say(why, len, "more than %d Google Benchmark flags", RANK_PLAN_GB_MAX);
	if (strncmp(v, "--", 2) != 0)
		return plan_say(why, len, "not a flag (--name=value)");
	if (!rank_plan_gbench_ok(v))
		return plan_say(why, len, "--benchmark_out...: the ranks' output file is "
				"parbench's own");
	return plan_text(p->gbench[p->n_gbench++], sizeof(p->gbench[0]), v, NULL, 0, why, len);
}

static void write_gbench(FILE *f, const struct rank_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_gbench; i++)
		plan_line(f, name, p->gbench[i]);
}

const struct plan_field plan_how[] = {
	{ "schedule", 0, read_schedule, write_schedule },
	{ "chunk", 0, read_chunk, write_chunk },
	{ "pin", 0, read_pin, write_pin },
	{ "repetitions", 0, read_repetitions, write_repetitions },
	{ "budget", 0, read_budget, write_budget },
	{ "min_time", 0, read_min_time, write_min_time },
	{ "timeout", 0, read_timeout, write_timeout },
	{ "isa", 0, read_isa, write_isa },
	{ "image", 0, read_image, write_image },
	{ "scatter", 0, read_scatter, write_scatter },
	{ "test_corrupt", 0, read_corrupt, write_corrupt },
	{ "test_hang", 0, read_hang, write_hang },
	{ "test_crash", 0, read_crash, write_crash },
	{ "test_link_fail", 0, read_link_fail, write_link_fail },
	{ "gbench", 1, read_gbench, write_gbench },
	{ NULL, 0, NULL, NULL },
};
