/*
 * placement.h - which worker counts a run measures by default, and where a pin plan puts
 * them, told per package, NUMA node and core; from the topology hwloc loaded (pin.h),
 * which may describe another machine (HWLOC_SYNTHETIC, HWLOC_XMLFILE), never from this
 * one's CPU count.  Nothing here starts workers or binds anything.
 */
#ifndef PB_PLACEMENT_H
#define PB_PLACEMENT_H

#include <stddef.h>

#include "pin.h"

#define PLACEMENT_MAX_COUNTS 8 /* default worker counts at most, so that a big node's run
				* stays within about twice a 2-core one's (README) */

/*
 * The default worker counts, ascending, into w (at most max): 1 and the powers of two
 * below the cores, one NUMA node's cores and one package's (when there are several), all
 * cores, and with smt all PUs (when there are more PUs than cores).  Beyond
 * PLACEMENT_MAX_COUNTS, powers of two go, the one nearest (by ratio) to a count kept
 * first.  Returns how many.
 */
size_t placement_default_workers(const struct pin_topo *t, int smt, unsigned *w, size_t max);

/*
 * Where plan's workers go, one line: per package its cores, by NUMA node, and how many of
 * each core's PUs: "package 0: 32 cores (NUMA 0: 16, NUMA 1: 16), 1 PU each", with
 * siblings "package 0: 16 cores (NUMA 0: 16): cores 0-15 both PUs"; workers that share a
 * PU and unbound workers are said so.
 */
void placement_describe(const struct pin_topo *t, const struct pin_plan *plan, char *buf,
			size_t len);

/*
 * 0, or -EINVAL with err set when HWLOC_SYNTHETIC is set but hwloc did not take it (hwloc
 * then describes this machine without a word; it wants the PU level last, "core:8 pu:1").
 */
int placement_check_topology(const struct pin_topo *t, char *err, size_t len);

#endif
