/*
 * main.c - parbench's entry: a table of commands (bench/cmd/, one file each), --help and
 * --version for the program and every command, and the one place the program ends.
 *
 * Exit status: 0 success; 1 a verification failure, a failed worker or an unwritable result;
 * 2 bad usage (one line on stderr); 130/143 interrupted by SIGINT/SIGTERM after saving what
 * was measured.  Usage errors anywhere land here (cli_exit() jumps back to main).
 */
#include "cmd.h"
#include "diag.h"
#include "kernel.h"
#include "launch.h"
#include "opt.h"
#include "pb_build.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PB_FUZZ
/* The option-parser fuzz target (fuzz/fuzz_args.c) calls parbench_main(): commands stop once
 * their arguments are parsed. */
#define main parbench_main
int parbench_main(int argc, char **argv);
#endif

#define VERSION_LINE                                                                       \
	"parbench " PB_GIT_COMMIT " (" PB_COMPILER ", " PB_BUILD_TYPE "; Google Benchmark "     \
	PB_GBENCH_VERSION ", hwloc " PB_HWLOC_VERSION ")"

static const struct command *const commands[] = {
	&cmd_list, &cmd_run, &cmd_costs, &cmd_topology, &cmd_filter, &cmd_report, &cmd_compare,
	&cmd_project,
	&cmd_roofline, &cmd_mpi_probe, &cmd_rank, NULL,
};

/* The running command's state (struct command), allocated from its state_size; held until
 * the process ends (see main). */
static void *cmd_state;

static void names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const struct command *const *c = commands; *c && used < len; c++)
		if (!(*c)->hidden)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 (*c)->cli->name);
}

/* parbench --help: the commands, one line each (as git and perf do); each command's own
 * --help has its options. */
static void help(void)
{
	printf("usage: parbench COMMAND [options]\n\n"
	       "Measures how much faster each kernel runs on each parallel backend (threads, a\n"
	       "simulated GIL, OpenMP, processes, MPI, real CPython), every result verified.\n\n"
	       "commands:\n");
	for (const struct command *const *c = commands; *c; c++)
		if (!(*c)->hidden)
			printf("  %-10s %s\n", (*c)->cli->name, (*c)->summary);
	printf("\nStart with: parbench run --quick (a check, ~1 min), then parbench run.\n"
	       "parbench COMMAND --help: that command's options.  PARBENCH_ISA=V (run and roofline:\n"
	       "--isa V) runs the kernels' instruction-set variant V (avx512vbmi, avx512, avx2,\n"
	       "avx2_128, sse2, generic; see parbench list) in every kernel; default: each kernel's\n"
	       "fastest, timed at the start on work that fits in L2.\n");
}

static int dispatch(int argc, char **argv)
{
	char known[256], err[256];

	/* a garbled rank variable: whether this process is an MPI rank is not known, and
	 * guessing either way is wrong (as rank 0 it would write rank 0's results, as no rank
	 * every rank would start mpirun itself) */
	if (launch_rank_check(err, sizeof(err)))
		usage_error("%s", err);
	if (getenv("PARBENCH_ISA") && getenv("PARBENCH_ISA")[0])
		set_variant(getenv("PARBENCH_ISA"), "PARBENCH_ISA");
	names(known, sizeof(known));
	if (argc < 2)
		usage_error("missing command (known: %s; see parbench --help)", known);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		help();
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s\n", VERSION_LINE);
		return 0;
	}
	for (const struct command *const *c = commands; *c; c++) {
		if (strcmp(argv[1], (*c)->cli->name) != 0)
			continue;
		if ((*c)->state_size && !(cmd_state = calloc(1, (*c)->state_size))) {
			diag_line("out of memory for parbench %s", argv[1]);
			return EXIT_VERIFY;
		}
		(*c)->parse(cmd_state, argc, argv);
#ifdef PB_FUZZ
		return 0;
#else
		return (*c)->exec(cmd_state);
#endif
	}
	usage_error("unknown command '%s' (known: %s; see parbench --help)", argv[1], known);
}

int main(int argc, char **argv)
{
	jmp_buf landing;
	volatile int status;
	int jumped;

#ifndef PB_FUZZ
	/* standard input, output and error open, if only on /dev/null: else the first file
	 * parbench opens would take one of their numbers, and a child (gnuplot, mpirun) handed
	 * it as its stdin or stdout would be handed the wrong file */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return EXIT_VERIFY;
	/* a table's line leaves in one write, whole, as the diagnostics do (diag.h): another
	 * process writing the same file or pipe (mpirun, a rank) cannot split it */
	setvbuf(stdout, NULL, _IOLBF, 0);
#endif
	cli_set_quiet(launch_rank() > 0); /* under mpirun, rank 0 says it */
	diag_set_rank(launch_rank());
	cli_set_version(VERSION_LINE);
	cli_set_exit(&landing);
	jumped = setjmp(landing);
	status = jumped ? jumped - 1 : dispatch(argc, argv);
	cli_set_exit(NULL);
	/* cmd_state is not freed: the process ends here, and a command that ended in a usage
	 * error (a longjmp past its frees) still holds what it allocated through it, which the
	 * leak checker then sees as reachable rather than lost.  The fuzz target calls this
	 * again and again in one process: there it goes. */
#ifdef PB_FUZZ
	free(cmd_state);
	cmd_state = NULL;
#endif
	fflush(stdout);
#ifdef PB_FUZZ
	return status;
#else
	exit(status);
#endif
}
