/*
 * pin.h - worker placement: the machine's topology and pin plans, through hwloc.
 *
 * pin.c is the only file that talks to hwloc.  A plan maps worker i to one processing unit
 * (PU, by OS index) or to none; threads and processes bind themselves to their entry.
 * The topology holds only the PUs this process may use (its affinity mask at load time and
 * the cgroup cpuset), so every plan stays inside them.
 * Policies: none; compact (fill cores in order, a core's second PU only after every core has
 * one worker); compact-smt (fill PUs in order: every PU of a core, its SMT siblings, before
 * the next core); spread (hwloc_distrib: round-robin across packages, NUMA nodes, caches,
 * then cores); or an explicit list of PU OS indexes, used round-robin.
 */
#ifndef PB_PIN_H
#define PB_PIN_H

#include <stddef.h>

#define PIN_MAX_WORKERS 1024

struct pin_topo; /* opaque: an hwloc topology */

enum pin_policy { PIN_NONE, PIN_COMPACT, PIN_COMPACT_SMT, PIN_SPREAD, PIN_LIST };

struct pin_plan {
	enum pin_policy policy;
	unsigned n;                 /* workers planned */
	int pu[PIN_MAX_WORKERS];    /* OS index of worker i's PU, -1 = not bound */
	unsigned oversubscribed;    /* workers beyond one per PU (none: beyond the PUs) */
	unsigned smt_shared;        /* workers whose core another worker also uses, each on a
				     * PU of its own (SMT siblings; none: beyond the cores, up
				     * to the PUs, as the OS would place them) */
};

/* Where one PU is, as hwloc's logical indexes (0-based, in the machine's order). */
struct pin_place {
	int package, numa;          /* -1 if the topology has no such object above the PU */
	int core;                   /* without cores in the topology: the PU's own index */
	int sibling;                /* the PU's rank among its core's PUs: 0, 1, ... */
};

/* The domains a machine's cores are grouped in, for pin_topo_domain_cores(). */
enum pin_domain { PIN_DOMAIN_PACKAGE, PIN_DOMAIN_NUMA };

/* Loads this machine's topology (synthetic == NULL) or an hwloc synthetic description such
 * as "pack:2 numa:2 core:8 pu:2". 0 or -errno; the caller frees with pin_topo_free(). */
int pin_topo_load(struct pin_topo **out, const char *synthetic);
void pin_topo_free(struct pin_topo *t);
unsigned pin_topo_cores(const struct pin_topo *t);
unsigned pin_topo_pus(const struct pin_topo *t);
unsigned pin_topo_packages(const struct pin_topo *t);
unsigned pin_topo_numa_nodes(const struct pin_topo *t); /* at least 1 */
/* The cores of the first package or NUMA node (the machine's cores without either). */
unsigned pin_topo_domain_cores(const struct pin_topo *t, enum pin_domain d);
/* 0 when hwloc describes another machine (HWLOC_SYNTHETIC, or HWLOC_XMLFILE with
 * HWLOC_THISSYSTEM=0): fine for plans, no binding possible.  what gets where the
 * description came from: "hwloc synthetic 'core:8 pu:1'" or "hwloc's description". */
int pin_topo_this_system(const struct pin_topo *t, char *what, size_t len);
/* The PUs this process may use (the topology is restricted to them), as "0-3,8". */
void pin_topo_pu_list(const struct pin_topo *t, char *buf, size_t len);
/* The bytes of all L3 caches together (0 if hwloc knows of none). */
size_t pin_topo_l3_bytes(const struct pin_topo *t);
/* One line, e.g. "1 package, 2 cores, 2 PUs, L3 32 MiB". */
void pin_topo_describe(const struct pin_topo *t, char *buf, size_t len);
/* Writes the topology as hwloc XML to path. 0 or -errno. */
int pin_topo_export_xml(const struct pin_topo *t, const char *path);

/* Parses "none", "compact", "compact-smt", "spread" or a list "0,2,4-7" into a plan for
 * workers.  0, or -EINVAL for bad text or a PU the topology does not have. */
int pin_plan_make(const struct pin_topo *t, const char *policy, unsigned workers,
		  struct pin_plan *plan);
/* Where PU os_index is; 0, or -EINVAL for a PU the topology does not have (or -1). */
int pin_pu_place(const struct pin_topo *t, int os_index, struct pin_place *out);
/* "PU 2: core 1, package 0, NUMA node 0" for one PU of the topology (pin_describe.c). */
void pin_pu_describe(const struct pin_topo *t, int os_index, char *buf, size_t len);
/* "compact: 0,1" style summary of a plan (pin_describe.c). */
void pin_plan_describe(const struct pin_plan *plan, char *buf, size_t len);

/* Binds the calling thread to PU os_index (a no-op for -1). 0 or -errno. */
int pin_bind_self(const struct pin_topo *t, int os_index);
/* Saves / restores the calling thread's binding (for backends that use the caller as a
 * worker). pin_save returns an opaque handle or NULL; pin_restore frees it. */
void *pin_save(const struct pin_topo *t);
void pin_restore(const struct pin_topo *t, void *saved);
/* The CPU the calling thread runs on now, or -1. */
int pin_current_cpu(void);

#endif
