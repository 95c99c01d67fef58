/*
 * fuzz_args.c - libFuzzer target for parbench's command line: the input is split at NUL
 * bytes into arguments and given to parbench's main (built with PB_FUZZ), which parses them
 * and stops before running anything; a usage error jumps back here instead of exiting.  Any
 * argument list must be parsed or refused with one line, never crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int parbench_main(int argc, char **argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_ARGS 48

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* the tables are not what is tested; stderr stays for libFuzzer's reports (usage
	 * errors jump back before printing) */
	if (!freopen("/dev/null", "w", stdout))
		return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[8192];
	char *argv[MAX_ARGS + 2];
	int argc = 0;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "parbench";
	for (size_t i = 0; i < size && argc < MAX_ARGS;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	(void)parbench_main(argc, argv);
	return 0;
}
