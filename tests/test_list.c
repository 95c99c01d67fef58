/*
 * test_list.c PARBENCH - `parbench list` names every kernel and backend in the registries
 * (read here from the registries themselves, not from the program's output).
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "kernel.h"

int main(int argc, char **argv)
{
	char cmd[4200], out[65536];
	size_t len;
	FILE *p;
	int missing = 0, found = 0;

	if (argc != 2)
		return 2;
	snprintf(cmd, sizeof(cmd), "'%s' list", argv[1]);
	p = popen(cmd, "r");
	if (!p)
		return 1;
	len = fread(out, 1, sizeof(out) - 1, p);
	out[len] = '\0';
	if (pclose(p) != 0) {
		fprintf(stderr, "parbench list failed\n");
		return 1;
	}
	for (const struct kernel *const *k = kernel_all(); *k; k++, found++)
		if (!strstr(out, (*k)->name) || !strstr(out, (*k)->summary)) {
			fprintf(stderr, "kernel '%s' missing from list\n", (*k)->name);
			missing++;
		}
	for (const struct backend *const *b = backend_all(); *b; b++, found++)
		if (!strstr(out, (*b)->name) || !strstr(out, (*b)->summary)) {
			fprintf(stderr, "backend '%s' missing from list\n", (*b)->name);
			missing++;
		}
	printf("%d passed, %d failed\n", found - missing, missing);
	return missing ? 1 : 0;
}
