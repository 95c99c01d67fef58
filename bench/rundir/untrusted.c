/*
 * untrusted.c - the run directory's own guards (runload.h, load_int.h): names checked before
 * they reach a file name, lines scrubbed of control characters before they reach a terminal.
 * The files are opened with pb_fopen_regular and text scrubbed with pb_scrub
 * (util/untrusted.h), the guards every reader shares.  runload.c, load_meta.c,
 * load_samples.c and load_roof.c all use them.
 */
#include "runload.h"
#include "load_int.h"

#include <string.h>

int run_name_ok(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			  "_.+-");

	return n > 0 && n < RUN_NAME_MAX && name[n] == '\0' && name[0] != '.' && name[0] != '-';
}

void run_scrub_line(char *line)
{
	size_t end = strcspn(line, "\r\n");
	char c = line[end];

	line[end] = '\0';
	pb_scrub(line);
	line[end] = c;
}
