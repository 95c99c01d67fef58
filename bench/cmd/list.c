/*
 * list.c - parbench list: the kernels, their instruction-set variants, and the backends.
 */
#include "cmd.h"

#include "backend.h"
#include "kernel.h"

#include <stdio.h>

static const struct opt_cmd cli = {
	.name = "list",
	.synopsis = "",
	.about = "Lists the kernels (what --size counts, how CPython would run them, the\n"
		 "instruction-set variant in use) and the backends.",
};

static void list_parse(void *state, int argc, char **argv)
{
	(void)state;
	struct opt_result r;

	opt_parse(&cli, argc, argv, 2, opt_none, NULL, &r);
}

static int list_exec(void *state)
{
	(void)state;
	static const char *const models[] = { [PY_LOOP] = "Python loop (GIL check every iteration)",
					      [PY_C_CALL] = "one C call per item (GIL held)",
					      [PY_BLOCKING] = "blocking call (GIL released)" };

	printf("kernels (instruction-set variant in use: %s; run and roofline time every kernel's "
	       "and keep its fastest; built:", kernel_variant());
	for (const char *const *v = kernel_variants(); *v; v++)
		printf(" %s%s", *v, kernel_variant_supported(*v) ? "" : " (not on this CPU)");
	printf("):\n");
	for (const struct kernel *const *k = kernel_all(); *k; k++)
		printf("  %-14s %s\n  %-14s   size: %s; in CPython: %s; variant: %s\n", (*k)->name,
		       (*k)->summary, "", (*k)->size_unit, models[(*k)->py_model],
		       (*k) == kernel_find("io_wait") ? "none (it blocks)" : kernel_variant());
	printf("backends:\n");
	for (const struct backend *const *b = backend_all(); *b; b++)
		printf("  %-14s %s\n", (*b)->name, (*b)->summary);
	return 0;
}

const struct command cmd_list = { &cli, "the kernels and backends", 0, list_parse, list_exec, 0 };
