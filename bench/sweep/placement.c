/*
 * placement.c - placement.h: the default worker counts from the topology's cores, NUMA
 * nodes and packages, and a pin plan told per package, NUMA node and core.
 */
#include "placement.h"

#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 64 /* powers of two up to 1024 cores and the boundaries, with room */

/* Adds v to the ascending counts w (n of them) once; a boundary (must) is never trimmed. */
static void add_count(unsigned *w, unsigned char *must, size_t *n, unsigned v, int m)
{
	size_t i = 0;

	while (i < *n && w[i] < v)
		i++;
	if (i < *n && w[i] == v) {
		must[i] |= (unsigned char)m;
		return;
	}
	if (*n == MAX_CANDIDATES || v == 0)
		return;
	memmove(w + i + 1, w + i, (*n - i) * sizeof(*w));
	memmove(must + i + 1, must + i, *n - i);
	w[i] = v;
	must[i] = (unsigned char)m;
	(*n)++;
}

/* The power of two nearest by ratio to a neighbour (ties: the larger), or n if none. */
static size_t most_redundant(const unsigned *w, const unsigned char *must, size_t n)
{
	size_t drop = n;
	double best = INFINITY;

	for (size_t i = 0; i < n; i++) {
		double lo = i ? (double)w[i] / w[i - 1] : INFINITY;
		double hi = i + 1 < n ? (double)w[i + 1] / w[i] : INFINITY;
		double r = lo < hi ? lo : hi;

		if (!must[i] && r <= best) {
			best = r;
			drop = i;
		}
	}
	return drop;
}

size_t placement_default_workers(const struct pin_topo *t, int smt, unsigned *w, size_t max)
{
	unsigned cores = pin_topo_cores(t), pus = pin_topo_pus(t), all[MAX_CANDIDATES];
	unsigned char must[MAX_CANDIDATES];
	size_t n = 0;

	add_count(all, must, &n, 1, 1);
	for (unsigned p = 2; p < cores; p *= 2)
		add_count(all, must, &n, p, 0);
	if (pin_topo_numa_nodes(t) > 1)
		add_count(all, must, &n, pin_topo_domain_cores(t, PIN_DOMAIN_NUMA), 1);
	if (pin_topo_packages(t) > 1)
		add_count(all, must, &n, pin_topo_domain_cores(t, PIN_DOMAIN_PACKAGE), 1);
	add_count(all, must, &n, cores, 1);
	if (smt && pus > cores)
		add_count(all, must, &n, pus, 1);
	while (n > PLACEMENT_MAX_COUNTS) {
		size_t drop = most_redundant(all, must, n);

		if (drop == n)
			break;
		memmove(all + drop, all + drop + 1, (n - drop - 1) * sizeof(*all));
		memmove(must + drop, must + drop + 1, n - drop - 1);
		n--;
	}
	n = n < max ? n : max;
	memcpy(w, all, n * sizeof(*w));
	return n;
}

/* What the plan uses of one core. */
struct core_use {
	int used, package, numa;
	unsigned pus; /* distinct PUs of the core with a worker */
	unsigned sib; /* which: bit i = the core's i-th PU */
};

/* The cores of package pk with workers on more than one of their PUs, as ranges: "0-15,32". */
static void put_smt_ranges(char *buf, size_t len, size_t *used, const struct core_use *c,
			   unsigned n, int pk)
{
	int first = 1;

	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;

		if (c[i].package != pk || c[i].pus < 2)
			continue;
		while (j + 1 < n && c[j + 1].package == pk && c[j + 1].pus >= 2)
			j++;
		text_append(buf, len, used, j > i ? "%s%u-%u" : "%s%u", first ? "" : ",", i, j);
		first = 0;
		i = j;
	}
}

/* "package 0: 32 cores (NUMA 0: 16, NUMA 1: 16), 1 PU each" */
static void put_package(char *buf, size_t len, size_t *used, const struct core_use *c,
			unsigned n, int pk, unsigned nnuma)
{
	unsigned cores = 0, smt = 0, maxpus = 0, numas = 0, *per = calloc(nnuma, sizeof(*per));
	int unknown_numa = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!c[i].used || c[i].package != pk)
			continue;
		cores++;
		smt += c[i].pus > 1;
		maxpus = c[i].pus > maxpus ? c[i].pus : maxpus;
		if (per && c[i].numa >= 0 && (unsigned)c[i].numa < nnuma)
			numas += per[c[i].numa]++ == 0;
		else
			unknown_numa = 1;
	}
	if (cores == 0)
		goto out_free;
	text_append(buf, len, used, "%spackage %d: %u core%s", *used ? "; " : "", pk, cores,
		    cores == 1 ? "" : "s");
	for (unsigned m = 0, k = 0; per && !unknown_numa && m < nnuma; m++) {
		if (!per[m])
			continue;
		if (numas == 1)
			text_append(buf, len, used, " (NUMA %u)", m);
		else
			text_append(buf, len, used, "%sNUMA %u: %u%s", k ? ", " : " (", m,
				    per[m], k + 1 == numas ? ")" : "");
		k++;
	}
	if (!smt) {
		text_append(buf, len, used, ", 1 PU each");
		goto out_free;
	}
	text_append(buf, len, used, ": cores ");
	put_smt_ranges(buf, len, used, c, n, pk);
	text_append(buf, len, used, maxpus == 2 ? " both PUs" : " several PUs");
	if (smt < cores)
		text_append(buf, len, used, ", the other%s 1 PU", cores - smt == 1 ? "" : "s");
out_free:
	free(per);
}

void placement_describe(const struct pin_topo *t, const struct pin_plan *plan, char *buf,
			size_t len)
{
	unsigned ncores = pin_topo_cores(t), unbound = 0;
	struct core_use *c = calloc(ncores, sizeof(*c));
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (!c) {
		text_append(buf, len, &used, "(out of memory)");
		return;
	}
	for (unsigned i = 0; i < plan->n; i++) {
		struct pin_place p;

		if (pin_pu_place(t, plan->pu[i], &p) || p.core < 0 || (unsigned)p.core >= ncores) {
			unbound++;
			continue;
		}
		struct core_use *u = &c[p.core];
		unsigned bit = 1u << (p.sibling < 31 ? p.sibling : 31);

		u->pus += !(u->sib & bit);
		u->sib |= bit;
		u->used = 1;
		u->package = p.package < 0 ? 0 : p.package;
		u->numa = p.numa;
	}
	for (unsigned pk = 0; pk < pin_topo_packages(t); pk++)
		put_package(buf, len, &used, c, ncores, (int)pk, pin_topo_numa_nodes(t));
	if (unbound)
		text_append(buf, len, &used, "%s%u not bound (the OS places them)",
			    used ? "; " : "", unbound);
	if (plan->oversubscribed)
		text_append(buf, len, &used, "; %u on a PU another worker has", plan->oversubscribed);
	free(c);
}

int placement_check_topology(const struct pin_topo *t, char *err, size_t len)
{
	const char *env = getenv("HWLOC_SYNTHETIC");
	char what[300];

	pin_topo_this_system(t, what, sizeof(what));
	if (!env || !*env || strncmp(what, "hwloc synthetic", 15) == 0)
		return 0;
	snprintf(err, len, "hwloc did not take HWLOC_SYNTHETIC='%.100s' and would describe this "
		 "machine instead (it wants the PU level last, such as 'core:8 pu:1')", env);
	return -EINVAL;
}
