/*
 * test_rank_plan.c - the MPI ranks' plan file (bench/cmd/rank_plan*.c): a plan written reads
 * back the same (every key, a picture's name with spaces, Google Benchmark's flags, seconds
 * that are not short decimals); every shorter prefix of it, cut anywhere, is refused; any
 * byte changed anywhere is read or refused with one line, never half read; and the refusals
 * name the line and the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "kernel.h"
#include "rank_plan.h"

static char dir[] = "/tmp/pb-test-rank-plan-XXXXXX";
static struct rank_plan plan, back;
static char text[RANK_PLAN_MAX_BYTES + 1];
static size_t text_len;

/* A plan that sets every key to something other than its zero; a picture (whose size is
 * its own) or the kernels' sizes. */
static void make_plan(struct rank_plan *p, int picture)
{
	memset(p, 0, sizeof(*p));
	p->kernels[0] = kernel_find("sum_squares");
	p->kernels[1] = kernel_find("box_blur");
	p->n_kernels = 2;
	p->kernel_sizes[0] = picture ? 0 : 123456789012ull;
	p->tasks = 3;
	p->sleep_us = 250;
	p->quick = 1;
	p->backends[p->n_backends++] = backend_find("mpi");
	if (backend_find("mpi+openmp"))
		p->backends[p->n_backends++] = backend_find("mpi+openmp");
	p->workers[0] = 4;
	p->workers[1] = 1;
	p->n_workers = 2;
	p->schedule = SCHED_GUIDED;
	p->chunk = 9;
	snprintf(p->pin, sizeof(p->pin), "0,2-3");
	p->budget_s = 0.1 + 0.2; /* not a short decimal */
	p->min_time_s = 0.04;
	p->timeout_s = 300;
	snprintf(p->isa, sizeof(p->isa), "generic");
	if (picture)
		snprintf(p->image, sizeof(p->image), "/a folder/with spaces/photo = 1.png");
	p->scatter = 0;
	snprintf(p->gbench[0], sizeof(p->gbench[0]), "--benchmark_min_time=0.1s");
	snprintf(p->gbench[1], sizeof(p->gbench[1]), "--v=2");
	p->n_gbench = 2;
	snprintf(p->corrupt, sizeof(p->corrupt), "sum_squares:3");
	snprintf(p->crash, sizeof(p->crash), "box_blur/mpi:SEGV");
}

/* plan written into dir, its text into text. */
static void write_plan(void)
{
	char path[256];
	FILE *f;

	assert_int_equal(rank_plan_write(dir, &plan), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, RANK_PLAN_FILE);
	f = fopen(path, "r");
	assert_non_null(f);
	text_len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[text_len] = '\0';
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir) || !backend_find("mpi"))
		return -1; /* no MPI backend: nothing to plan (the group is skipped) */
	make_plan(&plan, 0);
	return 0;
}

static int teardown(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, RANK_PLAN_FILE);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void test_written_reads_back(void **state)
{
	char path[256], err[512] = "";
	int rc;

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, RANK_PLAN_FILE);
	make_plan(&plan, 1);
	write_plan();
	rc = rank_plan_read(path, &back, err, sizeof(err));
	assert_string_equal(err, ""); /* says why, if not */
	assert_int_equal(rc, 0);
	assert_memory_equal(&plan, &back, sizeof(plan));
	assert_non_null(strstr(text, "\nimage = /a folder/with spaces/photo = 1.png\n"));
	make_plan(&plan, 0);
	write_plan();
	rc = rank_plan_read(path, &back, err, sizeof(err));
	assert_string_equal(err, "");
	assert_int_equal(rc, 0);
	assert_memory_equal(&plan, &back, sizeof(plan));
	assert_non_null(strstr(text, "\nschedule = guided\n"));
	assert_non_null(strstr(text, "\nsize = sum_squares=123456789012\n"));
	assert_non_null(strstr(text, "\ngbench = --v=2\n"));
	assert_non_null(strstr(text, "\nmin_time = 0.04\n")); /* short where it reads back */
}

static void test_cut_anywhere_is_refused(void **state)
{
	char err[512];

	(void)state;
	write_plan();
	for (size_t n = 0; n < text_len; n++) {
		err[0] = '\0';
		assert_int_not_equal(rank_plan_parse(text, n, &back, err, sizeof(err)), 0);
		assert_true(err[0] && !strchr(err, '\n'));
		assert_int_equal(back.n_kernels, 0); /* nothing half read */
	}
	assert_int_equal(rank_plan_parse(text, text_len, &back, err, sizeof(err)), 0);
}

static void test_any_byte_changed(void **state)
{
	static const char bytes[] = { '\0', '\n', '\t', 'x', '=', ',', ' ', '9', '-', (char)0x80 };
	static char copy[sizeof(text)];
	char err[512];

	(void)state;
	write_plan();
	for (size_t i = 0; i < text_len; i++)
		for (size_t b = 0; b < sizeof(bytes); b++) {
			memcpy(copy, text, text_len);
			copy[i] = bytes[b];
			err[0] = '\0';
			if (rank_plan_parse(copy, text_len, &back, err, sizeof(err)) != 0)
				assert_true(err[0] && !strchr(err, '\n'));
		}
}

/* text with its line "key = ..." replaced by the line with (NULL: removed), parsed. */
static int edited(const char *key, const char *with, char *err, size_t len)
{
	static char out[sizeof(text)], find[64];
	char *at, *end;

	snprintf(find, sizeof(find), "\n%s =", key);
	at = strstr(text, find);
	assert_non_null(at);
	at++;
	end = strchr(at, '\n') + 1;
	snprintf(out, sizeof(out), "%.*s%s%s%s", (int)(at - text), text, with ? with : "",
		 with ? "\n" : "", end);
	return rank_plan_parse(out, strlen(out), &back, err, len);
}

static void test_refusals_name_line_and_key(void **state)
{
	char err[512];

	(void)state;
	write_plan();
	assert_int_not_equal(edited("workers", "workers = 4,4", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "bad value '4,4' for 'workers': names 4 twice"));
	assert_non_null(strstr(err, "line "));
	assert_int_not_equal(edited("backends", "backends = serial", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "serial is not an MPI backend"));
	assert_int_not_equal(edited("chunk", "chunk = -1", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "'chunk'"));
	assert_int_not_equal(edited("chunk", "chunky = 1", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "unknown key 'chunky'"));
	assert_int_not_equal(edited("chunk", NULL, err, sizeof(err)), 0);
	assert_string_equal(err, "no 'chunk' line");
	assert_int_not_equal(edited("isa", "isa = avx1024", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "'isa'"));
	assert_int_not_equal(edited("size", "size = io_wait=3", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not kernel=N for a kernel of the plan"));
	assert_int_not_equal(edited("budget", "budget = 0", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "'repetitions' and 'budget'"));
	assert_int_not_equal(edited("timeout", "timeout = nan", err, sizeof(err)), 0);
	assert_int_not_equal(edited("timeout", "timeout = 0x10", err, sizeof(err)), 0);
	assert_int_not_equal(edited("timeout", "timeout  = 10", err, sizeof(err)), 0);
	assert_int_equal(edited("timeout", "timeout = 1e1", err, sizeof(err)), 0);
	assert_true(back.timeout_s == 10);
	/* rank 0's output file is parbench's: a plan may not send it elsewhere */
	assert_int_not_equal(edited("gbench", "gbench = --benchmark_out=/etc/x", err,
				    sizeof(err)), 0);
	assert_non_null(strstr(err, "parbench's own"));
	assert_int_not_equal(edited("gbench", "gbench = --benchmark_out_format=csv", err,
				    sizeof(err)), 0);
	assert_int_equal(edited("gbench", "gbench = --v=3", err, sizeof(err)), 0);
	/* the ranks may run in another folder: a picture by an absolute name only */
	assert_int_not_equal(edited("image", "image = photo.png", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not an absolute file name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_reads_back),
		cmocka_unit_test(test_cut_anywhere_is_refused),
		cmocka_unit_test(test_any_byte_changed),
		cmocka_unit_test(test_refusals_name_line_and_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
