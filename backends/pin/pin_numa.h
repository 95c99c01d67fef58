/*
 * pin_numa.h - NUMA memory placement and the caches the workers see (the pin module, with
 * pin.h; hwloc stays inside backends/pin*.c).
 *
 * A buffer whose items the workers share (a picture's rows) belongs where the workers that
 * touch it run.  pin_mem_plan_make() decides where: each worker's static share on that
 * worker's NUMA node when the workers take contiguous static shares and are all bound;
 * otherwise (dynamic schedules, chunks pulled from a counter, unbound workers) page by page
 * interleaved over the nodes the workers span.  pin_mem_place() carries a decision out on
 * a buffer (migrating the pages that exist, untimed), pin_mem_where() samples where a
 * buffer's pages are.  Which backend shares items how is not decided here
 * (bench/sweep/place.c); nothing here prints.
 */
#ifndef PB_PIN_NUMA_H
#define PB_PIN_NUMA_H

#include <stddef.h>

#include "pin.h"

#define PIN_MAX_NODES   64 /* NUMA nodes told apart (logical indexes 0..63) */
#define PIN_PAGE_SAMPLE 64 /* pin_mem_where() looks at every 64th page */

struct pin_mem_plan {
	int interleave;                   /* 1: pages round-robin over the spanned nodes */
	unsigned n;                       /* workers */
	int node[PIN_MAX_WORKERS];        /* by share: worker i's share goes to this NUMA node
					   * (logical index); -1 when interleaved */
	unsigned nodes;                   /* NUMA nodes of the machine */
	unsigned spans;                   /* nodes the workers run on (unbound: every node) */
	unsigned char spanned[PIN_MAX_NODES]; /* which */
};

/* Where sampled pages of a buffer are. */
struct pin_pages {
	unsigned sampled;             /* pages looked at: every PIN_PAGE_SAMPLE-th */
	unsigned absent;              /* of them, not in memory (never touched) or unknown */
	unsigned on[PIN_MAX_NODES];   /* of them, on NUMA node i (logical index) */
};

/* NUMA nodes of the topology (at least 1). */
unsigned pin_topo_numa_nodes(const struct pin_topo *t);
/* The NUMA node (logical index) whose CPUs hold PU os_index; -1 for -1 or an unknown PU. */
int pin_pu_numa_node(const struct pin_topo *t, int os_index);
/* The decision for plan's workers: static_shares non-zero if worker i processes the i-th
 * contiguous static share of every job (work_share()), else they pull chunks.  Always 0. */
int pin_mem_plan_make(const struct pin_topo *t, const struct pin_plan *plan, int static_shares,
		      struct pin_mem_plan *mp);
/* Places [addr, addr + len) as mp says: interleaved, or worker i's share, bytes
 * [first[i], first[i + 1]) (first[n] = len; boundaries taken down to whole pages), on its
 * node.  Pages that exist are migrated (mbind MPOL_MF_MOVE: pages this process alone maps),
 * pages not touched yet follow when they are.  0, or -errno: -ENOSYS where the machine
 * cannot (a synthetic topology, a kernel without NUMA). */
int pin_mem_place(const struct pin_topo *t, const struct pin_mem_plan *mp, const void *addr,
		  size_t len, const size_t *first);
/* Samples every PIN_PAGE_SAMPLE-th page of [addr, addr + len) (move_pages(2) queries).
 * 0, or -errno (-ENOSYS: the machine cannot tell). */
int pin_mem_where(const struct pin_topo *t, const void *addr, size_t len, struct pin_pages *out);
/* The bytes of every data cache (all levels) that holds data of plan's PUs, each counted
 * once; an unbound worker sees every cache of the topology.  0 if hwloc knows of none. */
size_t pin_plan_cache_bytes(const struct pin_topo *t, const struct pin_plan *plan);

#endif
