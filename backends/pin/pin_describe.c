/*
 * pin_describe.c - pin plans and PUs as text, for tables and the topology command; it asks
 * pin.c where things are (pin_pu_place) and never talks to hwloc itself.
 */
#include "pin.h"

#include <stdio.h>

void pin_pu_describe(const struct pin_topo *t, int os_index, char *buf, size_t len)
{
	struct pin_place p;

	if (pin_pu_place(t, os_index, &p) != 0) {
		snprintf(buf, len, "not bound");
		return;
	}
	snprintf(buf, len, "PU %d: core %d, package %d, NUMA node %d", os_index, p.core,
		 p.package < 0 ? 0 : p.package, p.numa < 0 ? 0 : p.numa);
}

void pin_plan_describe(const struct pin_plan *plan, char *buf, size_t len)
{
	static const char *const names[] = {
		[PIN_NONE] = "none", [PIN_COMPACT] = "compact", [PIN_COMPACT_SMT] = "compact-smt",
		[PIN_SPREAD] = "spread", [PIN_LIST] = "list",
	};
	size_t used = 0;
	int w = snprintf(buf, len, "%s:", names[plan->policy]);

	if (w < 0 || (size_t)w >= len)
		return;
	used = (size_t)w;
	for (unsigned i = 0; i < plan->n; i++) {
		w = plan->pu[i] < 0 ? snprintf(buf + used, len - used, "%s-", i ? "," : " ")
				    : snprintf(buf + used, len - used, "%s%d", i ? "," : " ",
					       plan->pu[i]);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}
