/*
 * each_variant.h - runs a cmocka group once more in every other instruction-set variant of
 * the kernels this CPU runs (the best one has run already), then goes back to the best.
 * For test files only; include after cmocka.h and kernel.h.
 */
#ifndef PB_EACH_VARIANT_H
#define PB_EACH_VARIANT_H

#include <string.h>

/* The groups' combined result (0 if all passed), or 1 if a variant could not be set. */
static inline int run_in_other_variants(const struct CMUnitTest *tests, size_t n)
{
	const char *best = kernel_variant();
	int rc = 0;

	for (const char *const *v = kernel_variants(); *v; v++) {
		if (strcmp(*v, best) == 0 || !kernel_variant_supported(*v))
			continue;
		if (kernel_variant_set(*v) != 0 || strcmp(kernel_variant(), *v) != 0)
			return 1;
		rc |= _cmocka_run_group_tests(*v, tests, n, NULL, NULL);
	}
	kernel_variant_set(NULL);
	return rc;
}

#endif
