/*
 * rank_plan_what.c - the keys of a rank plan that say what is measured: the kernels and
 * their sizes (or a size sweep, or weak scaling), the kernels' settings, the MPI backends
 * and the worker counts.  Each key's value is checked when read and printed when written,
 * side by side, so that no key is written that is not read back.
 */
#include "rank_plan_int.h"

#include "backend.h"
#include "kernel.h"

#include <string.h>

static int kernel_item(struct rank_plan *p, const char *item, char *why, size_t len)
{
	const struct kernel *k = kernel_find(item);

	if (!k)
		return plan_say(why, len, "unknown kernel '%.40s'", item);
	for (size_t i = 0; i < p->n_kernels; i++)
		if (p->kernels[i] == k)
			return plan_say(why, len, "names %s twice", k->name);
	if (p->n_kernels == SWEEP_MAX_LIST)
		return plan_say(why, len, "more than %d kernels", SWEEP_MAX_LIST);
	p->kernels[p->n_kernels++] = k;
	return 0;
}

static int read_kernels(struct rank_plan *p, const char *v, char *why, size_t len)
{
	if (plan_each(p, v, kernel_item, why, len))
		return -1;
	return p->n_kernels ? 0 : plan_say(why, len, "no kernel");
}

static void write_kernels(FILE *f, const struct rank_plan *p, const char *name)
{
	fprintf(f, "%s =", name);
	for (size_t i = 0; i < p->n_kernels; i++)
		fprintf(f, "%s%s", i ? "," : " ", p->kernels[i]->name);
	fprintf(f, "\n");
}

/* "kernel=N" for a kernel of the plan's list, once. */
static int size_item(struct rank_plan *p, const char *item, char *why, size_t len)
{
	const char *eq = strchr(item, '=');
	size_t i = 0;
	uint64_t n;

	for (; eq && i < p->n_kernels; i++)
		if (strlen(p->kernels[i]->name) == (size_t)(eq - item) &&
		    strncmp(p->kernels[i]->name, item, (size_t)(eq - item)) == 0)
			break;
	if (!eq || i == p->n_kernels)
		return plan_say(why, len, "'%.60s' is not kernel=N for a kernel of the plan", item);
	if (p->kernel_sizes[i])
		return plan_say(why, len, "sizes %s twice", p->kernels[i]->name);
	if (plan_whole(eq + 1, 1, UINT64_MAX, &n))
		return plan_say(why, len, "'%.40s' is not a whole number from 1", eq + 1);
	p->kernel_sizes[i] = n;
	return 0;
}

static int read_size(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_each(p, v, size_item, why, len);
}

static void write_size(FILE *f, const struct rank_plan *p, const char *name)
{
	size_t n = 0;

	fprintf(f, "%s =", name);
	for (size_t i = 0; i < p->n_kernels; i++)
		if (p->kernel_sizes[i])
			fprintf(f, "%s%s=%llu", n++ ? "," : " ", p->kernels[i]->name,
				(unsigned long long)p->kernel_sizes[i]);
	fprintf(f, "\n");
}

static int sizes_item(struct rank_plan *p, const char *item, char *why, size_t len)
{
	uint64_t n;

	if (plan_whole(item, 1, UINT64_MAX, &n))
		return plan_say(why, len, "'%.40s' is not a whole number from 1", item);
	for (size_t i = 0; i < p->n_sizes; i++)
		if (p->sizes[i] == n)
			return plan_say(why, len, "names %llu twice", (unsigned long long)n);
	if (p->n_sizes == SWEEP_MAX_LIST)
		return plan_say(why, len, "more than %d sizes", SWEEP_MAX_LIST);
	p->sizes[p->n_sizes++] = n;
	return 0;
}

static int read_sizes(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_each(p, v, sizes_item, why, len);
}

static void write_sizes(FILE *f, const struct rank_plan *p, const char *name)
{
	fprintf(f, "%s =", name);
	for (size_t i = 0; i < p->n_sizes; i++)
		fprintf(f, "%s%llu", i ? "," : " ", (unsigned long long)p->sizes[i]);
	fprintf(f, "\n");
}

static int read_scaling(struct rank_plan *p, const char *v, char *why, size_t len)
{
	if (strcmp(v, "strong") && strcmp(v, "weak"))
		return plan_say(why, len, "not strong or weak");
	p->weak = strcmp(v, "weak") == 0;
	return 0;
}

static void write_scaling(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line(f, name, p->weak ? "weak" : "strong");
}

static int read_tasks(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_small(&p->tasks, v, 1u << 20, why, len);
}

static void write_tasks(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line_u64(f, name, p->tasks);
}

static int read_sleep_us(struct rank_plan *p, const char *v, char *why, size_t len)
{
	return plan_small(&p->sleep_us, v, 10000000, why, len);
}

static void write_sleep_us(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line_u64(f, name, p->sleep_us);
}

static int read_quick(struct rank_plan *p, const char *v, char *why, size_t len)
{
	unsigned q = 0;
	int rc = plan_small(&q, v, 1, why, len);

	p->quick = (int)q;
	return rc;
}

static void write_quick(FILE *f, const struct rank_plan *p, const char *name)
{
	plan_line_u64(f, name, (uint64_t)p->quick);
}

/* An MPI backend (one a launcher starts), once. */
static int backend_item(struct rank_plan *p, const char *item, char *why, size_t len)
{
	const struct backend *b = backend_find(item);

	if (!b)
		return plan_say(why, len, "unknown backend '%.40s'", item);
	if (!(b->caps & BACKEND_CAP_NEEDS_LAUNCHER))
		return plan_say(why, len, "%s is not an MPI backend", b->name);
	for (size_t i = 0; i < p->n_backends; i++)
		if (p->backends[i] == b)
			return plan_say(why, len, "names %s twice", b->name);
	if (p->n_backends == SWEEP_MAX_LIST)
		return plan_say(why, len, "more than %d backends", SWEEP_MAX_LIST);
	p->backends[p->n_backends++] = b;
	return 0;
}

static int read_backends(struct rank_plan *p, const char *v, char *why, size_t len)
{
	if (plan_each(p, v, backend_item, why, len))
		return -1;
	return p->n_backends ? 0 : plan_say(why, len, "no backend");
}

static void write_backends(FILE *f, const struct rank_plan *p, const char *name)
{
	fprintf(f, "%s =", name);
	for (size_t i = 0; i < p->n_backends; i++)
		fprintf(f, "%s%s", i ? "," : " ", p->backends[i]->name);
	fprintf(f, "\n");
}

static int workers_item(struct rank_plan *p, const char *item, char *why, size_t len)
{
	uint64_t n;

	if (plan_whole(item, 1, BACKEND_MAX_WORKERS, &n))
		return plan_say(why, len, "'%.40s' is not a worker count from 1 to %d", item,
				BACKEND_MAX_WORKERS);
	for (size_t i = 0; i < p->n_workers; i++)
		if (p->workers[i] == n)
			return plan_say(why, len, "names %llu twice", (unsigned long long)n);
	if (p->n_workers == SWEEP_MAX_LIST)
		return plan_say(why, len, "more than %d worker counts", SWEEP_MAX_LIST);
	p->workers[p->n_workers++] = (unsigned)n;
	return 0;
}

static int read_workers(struct rank_plan *p, const char *v, char *why, size_t len)
{
	if (plan_each(p, v, workers_item, why, len))
		return -1;
	return p->n_workers ? 0 : plan_say(why, len, "no worker count");
}

static void write_workers(FILE *f, const struct rank_plan *p, const char *name)
{
	fprintf(f, "%s =", name);
	for (size_t i = 0; i < p->n_workers; i++)
		fprintf(f, "%s%u", i ? "," : " ", p->workers[i]);
	fprintf(f, "\n");
}

const struct plan_field plan_what[] = {
	{ "kernels", 0, read_kernels, write_kernels },
	{ "size", 0, read_size, write_size },
	{ "sizes", 0, read_sizes, write_sizes },
	{ "scaling", 0, read_scaling, write_scaling },
	{ "tasks", 0, read_tasks, write_tasks },
	{ "sleep_us", 0, read_sleep_us, write_sleep_us },
	{ "quick", 0, read_quick, write_quick },
	{ "backends", 0, read_backends, write_backends },
	{ "workers", 0, read_workers, write_workers },
	{ NULL, 0, NULL, NULL },
};
