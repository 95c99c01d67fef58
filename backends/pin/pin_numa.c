/*
 * pin_numa.c - NUMA nodes, memory placement and the workers' caches on hwloc (pin_numa.h);
 * with pin.c, the only files that use hwloc.
 *
 * Placement goes through hwloc_set_area_membind(MIGRATE): a share bound to one node is
 * HWLOC_MEMBIND_BIND without STRICT (Linux: MPOL_PREFERRED, so a full node spills rather
 * than fails), interleaving is HWLOC_MEMBIND_INTERLEAVE.  It decides nothing about
 * backends and does not print.
 */
#include "pin_numa.h"
#include "pin_int.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int pin_pu_numa_node(const struct pin_topo *t, int os_index)
{
	hwloc_obj_t node = NULL;

	if (os_index < 0 || !hwloc_get_pu_obj_by_os_index(t->h, (unsigned)os_index))
		return -1;
	/* the first node whose CPUs hold the PU (a package's DDR before its HBM) */
	while ((node = hwloc_get_next_obj_by_type(t->h, HWLOC_OBJ_NUMANODE, node)))
		if (node->cpuset && hwloc_bitmap_isset(node->cpuset, (unsigned)os_index))
			return (int)node->logical_index;
	return hwloc_get_nbobjs_by_type(t->h, HWLOC_OBJ_NUMANODE) <= 1 ? 0 : -1;
}

int pin_mem_plan_make(const struct pin_topo *t, const struct pin_plan *plan, int static_shares,
		      struct pin_mem_plan *mp)
{
	unsigned bound = 0;

	memset(mp, 0, sizeof(*mp));
	mp->n = plan->n;
	mp->nodes = pin_topo_numa_nodes(t);
	for (unsigned i = 0; i < plan->n; i++) {
		int node = pin_pu_numa_node(t, plan->pu[i]);

		mp->node[i] = node;
		if (node >= 0 && node < PIN_MAX_NODES) {
			mp->spanned[node] = 1;
			bound++;
		}
	}
	/* a worker that is not bound may run, and touch, anywhere */
	for (unsigned m = 0; bound < plan->n && m < mp->nodes && m < PIN_MAX_NODES; m++)
		mp->spanned[m] = 1;
	for (unsigned m = 0; m < PIN_MAX_NODES; m++)
		mp->spans += mp->spanned[m];
	mp->interleave = !static_shares || bound < plan->n;
	for (unsigned i = 0; mp->interleave && i < plan->n; i++)
		mp->node[i] = -1;
	return 0;
}

/* The nodeset of NUMA node `one` (logical index), or for -1 of every node mp spans. */
static hwloc_bitmap_t node_set(const struct pin_topo *t, const struct pin_mem_plan *mp, int one)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	for (unsigned m = 0; set && m < mp->nodes && m < PIN_MAX_NODES; m++) {
		hwloc_obj_t node = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_NUMANODE, m);

		if (node && (one >= 0 ? (int)m == one : mp->spanned[m]))
			hwloc_bitmap_set(set, node->os_index);
	}
	return set;
}

static int area_bind(const struct pin_topo *t, const void *addr, size_t len,
		     const struct pin_mem_plan *mp, int node)
{
	hwloc_bitmap_t set;
	int rc = 0;

	if (len == 0)
		return 0;
	set = node_set(t, mp, node);
	if (!set)
		return -ENOMEM;
	errno = 0;
	if (hwloc_set_area_membind(t->h, addr, len, set,
				   node >= 0 ? HWLOC_MEMBIND_BIND : HWLOC_MEMBIND_INTERLEAVE,
				   HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_MIGRATE) < 0)
		rc = errno ? -errno : -EIO;
	hwloc_bitmap_free(set);
	return rc;
}

int pin_mem_place(const struct pin_topo *t, const struct pin_mem_plan *mp, const void *addr,
		  size_t len, const size_t *first)
{
	const char *p = addr;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (!hwloc_topology_is_thissystem(t->h))
		return -ENOSYS;
	if (mp->interleave || mp->n == 0)
		return area_bind(t, addr, len, mp, -1);
	/* consecutive shares on one node in one call: fewer areas for the kernel to keep */
	for (unsigned i = 0; i < mp->n;) {
		unsigned j = i + 1;

		while (j < mp->n && mp->node[j] == mp->node[i])
			j++;
		size_t b = i == 0 ? 0 : first[i] / page * page;
		size_t e = j == mp->n ? len : first[j] / page * page;
		int rc = e > b ? area_bind(t, p + b, e - b, mp, mp->node[i]) : 0;

		if (rc)
			return rc;
		i = j;
	}
	return 0;
}

int pin_mem_where(const struct pin_topo *t, const void *addr, size_t len, struct pin_pages *out)
{
	const char *p = addr;
	size_t step = (size_t)sysconf(_SC_PAGESIZE) * PIN_PAGE_SAMPLE;
	hwloc_bitmap_t set;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!hwloc_topology_is_thissystem(t->h))
		return -ENOSYS;
	set = hwloc_bitmap_alloc();
	if (!set)
		return -ENOMEM;
	for (size_t off = 0; off < len; off += step) {
		hwloc_obj_t node = NULL;
		int os;

		hwloc_bitmap_zero(set);
		errno = 0;
		if (hwloc_get_area_memlocation(t->h, p + off, 1, set, HWLOC_MEMBIND_BYNODESET) < 0) {
			rc = errno ? -errno : -EIO;
			break;
		}
		out->sampled++;
		os = hwloc_bitmap_first(set); /* none: the page is not in memory */
		if (os >= 0)
			node = hwloc_get_numanode_obj_by_os_index(t->h, (unsigned)os);
		if (node && node->logical_index < PIN_MAX_NODES)
			out->on[node->logical_index]++;
		else
			out->absent++;
	}
	hwloc_bitmap_free(set);
	return rc;
}

size_t pin_plan_cache_bytes(const struct pin_topo *t, const struct pin_plan *plan)
{
	static const hwloc_obj_type_t levels[] = { HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE,
						   HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE,
						   HWLOC_OBJ_L5CACHE };
	hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
	size_t sum = 0;

	if (!cpus)
		return 0;
	for (unsigned i = 0; i < plan->n; i++) {
		if (plan->pu[i] < 0) {
			hwloc_bitmap_copy(cpus, hwloc_topology_get_topology_cpuset(t->h));
			break;
		}
		hwloc_bitmap_set(cpus, (unsigned)plan->pu[i]);
	}
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		hwloc_obj_t c = NULL;

		while ((c = hwloc_get_next_obj_by_type(t->h, levels[l], c)))
			if (c->attr && c->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION &&
			    hwloc_bitmap_intersects(c->cpuset, cpus))
				sum += (size_t)c->attr->cache.size;
	}
	hwloc_bitmap_free(cpus);
	return sum;
}
