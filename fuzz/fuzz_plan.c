/*
 * fuzz_plan.c - libFuzzer target for the MPI ranks' plan reader (bench/cmd/rank_plan*.c),
 * which every rank runs on a file in a run folder anyone may have edited: the input is the
 * plan's text.  It must be read or refused with one line, never crash, leak or hit
 * undefined behaviour; a plan that reads is written again and must read back the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rank_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[64];

static void clean(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, RANK_PLAN_FILE);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/fuzz_plan.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	atexit(clean);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rank_plan p, again;
	char err[512], path[128];

	if (rank_plan_parse((const char *)data, size, &p, err, sizeof(err)) != 0) {
		if (!err[0] || strchr(err, '\n'))
			abort(); /* a refusal is one line */
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, RANK_PLAN_FILE);
	if (rank_plan_write(dir, &p) != 0 || rank_plan_read(path, &again, err, sizeof(err)) != 0 ||
	    memcmp(&p, &again, sizeof(p)) != 0)
		abort(); /* what reads is written so that it reads back the same */
	return 0;
}
