/*
 * test_outdir.c - directories and files written whole (bench/lib/outdir.c, outfile.c) in a
 * private folder: what outdir_check calls each kind of target, a fresh folder moved onto an
 * absent target and swapped with an earlier run (removed after without following its links),
 * a target that changed meanwhile left alone, and outfile's temporary files new and
 * unguessable (a link planted at the old fixed name is not written through).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outdir.h"
#include "outfile.h"

static const struct outdir_mark mark = { "meta.json", "\"parbench_commit\": \"", NULL };
static char top[] = "/tmp/pb-test-outdir-XXXXXX";

static const char *at(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, name);
	return buf[i];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int holds(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static void test_check_names_each_kind(void **state)
{
	(void)state;
	assert_int_equal(outdir_check(at("absent"), &mark), OUTDIR_ABSENT);
	assert_int_equal(mkdir(at("empty"), 0755), 0);
	assert_int_equal(outdir_check(at("empty"), &mark), OUTDIR_EMPTY);
	assert_int_equal(outdir_check(at("empty/"), &mark), OUTDIR_EMPTY);
	assert_int_equal(mkdir(at("run"), 0755), 0);
	put(at("run/meta.json"), "{\n  \"parbench_commit\": \"abc\",\n}\n");
	assert_int_equal(outdir_check(at("run"), &mark), OUTDIR_MARKED);
	assert_int_equal(mkdir(at("notes"), 0755), 0);
	put(at("notes/notes.txt"), "mine");
	assert_int_equal(outdir_check(at("notes"), &mark), -ENOTEMPTY);
	assert_int_equal(mkdir(at("fake"), 0755), 0);
	assert_int_equal(symlink("../run/meta.json", at("fake/meta.json")), 0);
	assert_int_equal(outdir_check(at("fake"), &mark), -ENOTEMPTY); /* a link is no mark */
	put(at("file"), "x");
	assert_int_equal(outdir_check(at("file"), &mark), -ENOTDIR);
	assert_int_equal(symlink("run", at("link")), 0);
	assert_int_equal(outdir_check(at("link"), &mark), -ELOOP);
	assert_int_equal(outdir_check(at("run/."), &mark), -EINVAL);
	assert_int_equal(outdir_check(at("run/.."), &mark), -EINVAL);
	assert_int_equal(outdir_check("/", &mark), -EINVAL);
}

static void test_publish_onto_absent_and_onto_a_run(void **state)
{
	char stage[4200], old[4200];
	struct stat st;

	(void)state;
	assert_int_equal(outdir_stage(at("sub/new"), stage, sizeof(stage)), 0);
	assert_non_null(strstr(stage, "/sub/.new."));
	assert_int_equal(stat(stage, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	put(at("victim"), "keep me");
	put(strcat(strcpy(old, stage), "/meta.json"), "{\"parbench_commit\": \"new\"}");
	assert_int_equal(outdir_publish(stage, at("sub/new"), &mark, old, sizeof(old)), 0);
	assert_string_equal(old, "");
	assert_int_not_equal(access(stage, F_OK), 0);
	assert_true(holds(at("sub/new/meta.json"), "{\"parbench_commit\": \"new\"}"));
	assert_int_equal(stat(at("sub/new"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0777 & ~outfile_umask());

	/* a second run onto the first: stale files and a link out of the folder */
	assert_int_equal(mkdir(at("sub/new/mpi-old"), 0755), 0);
	put(at("sub/new/mpi-old/summary.csv"), "old");
	assert_int_equal(symlink("../../victim", at("sub/new/mpi-old/link")), 0);
	assert_int_equal(outdir_stage(at("sub/new"), stage, sizeof(stage)), 0);
	put(strcat(strcpy(old, stage), "/meta.json"), "{\"parbench_commit\": \"newer\"}");
	assert_int_equal(outdir_publish(stage, at("sub/new"), &mark, old, sizeof(old)), 0);
	assert_true(holds(at("sub/new/meta.json"), "{\"parbench_commit\": \"newer\"}"));
	assert_int_not_equal(access(at("sub/new/mpi-old"), F_OK), 0);
	assert_true(old[0] != '\0');
	assert_int_equal(access(strcat(old, "/mpi-old/summary.csv"), F_OK), 0);
	*strrchr(old, '/') = '\0';
	*strrchr(old, '/') = '\0';
	assert_int_equal(outdir_remove(old), 0);
	assert_int_not_equal(access(old, F_OK), 0);
	assert_true(holds(at("victim"), "keep me"));
}

static void test_a_target_that_changed_is_left_alone(void **state)
{
	char stage[4200], old[4200];

	(void)state;
	assert_int_equal(outdir_stage(at("changed"), stage, sizeof(stage)), 0);
	assert_int_equal(mkdir(at("changed"), 0755), 0); /* meanwhile, someone's notes */
	put(at("changed/notes.txt"), "mine");
	assert_int_equal(outdir_publish(stage, at("changed"), &mark, old, sizeof(old)), -ENOTEMPTY);
	assert_true(holds(at("changed/notes.txt"), "mine"));
	assert_int_equal(access(stage, F_OK), 0);
	assert_int_equal(outdir_remove(stage), 0);
}

static void test_outfile_temporary_names_are_new(void **state)
{
	struct outfile o;
	struct stat st;

	(void)state;
	put(at("target"), "untouched");
	assert_int_equal(symlink("target", at(".out.csv.tmp")), 0); /* the old fixed name */
	assert_int_equal(outfile_open(&o, top, "out.csv"), 0);
	assert_string_not_equal(o.tmp, at(".out.csv.tmp"));
	assert_non_null(strstr(o.tmp, "/.out.csv."));
	fputs("data", o.f);
	assert_int_equal(outfile_commit(&o), 0);
	assert_true(holds(at("out.csv"), "data"));
	assert_true(holds(at("target"), "untouched"));
	assert_int_equal(lstat(at("out.csv"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0666 & ~outfile_umask());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_names_each_kind),
		cmocka_unit_test(test_publish_onto_absent_and_onto_a_run),
		cmocka_unit_test(test_a_target_that_changed_is_left_alone),
		cmocka_unit_test(test_outfile_temporary_names_are_new),
	};
	int failed;

	if (!mkdtemp(top))
		return 1;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	outdir_remove(top);
	return failed;
}
