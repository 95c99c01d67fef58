/*
 * pin.c - topology and pin plans on hwloc; with pin_numa.c (memory placement), the only
 * files in parbench that use hwloc.
 *
 * It makes plans and binds the calling thread; it does not decide when workers bind (the
 * backends do, from inside each worker) and it does not print.
 */
#include "pin.h"
#include "pin_int.h"

#include <errno.h>
#include <hwloc.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pin_topo_load(struct pin_topo **out, const char *synthetic)
{
	struct pin_topo *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return -ENOMEM;
	if (hwloc_topology_init(&t->h) < 0)
		goto out_free;
	if (synthetic && hwloc_topology_set_synthetic(t->h, synthetic) < 0)
		goto out_destroy;
	if (hwloc_topology_load(t->h) < 0)
		goto out_destroy;
	t->machine_cores = pin_topo_cores(t);
	if (!synthetic) {
		/* only the CPUs this process may use (taskset, Slurm, mpirun's binding; hwloc
		 * already leaves out what the cgroup cpuset forbids): plans, core counts and
		 * default worker lists all come from them */
		hwloc_bitmap_t set = hwloc_bitmap_alloc();

		if (set && hwloc_get_cpubind(t->h, set, HWLOC_CPUBIND_PROCESS) == 0 &&
		    !hwloc_bitmap_iszero(set) &&
		    !hwloc_bitmap_isincluded(hwloc_topology_get_topology_cpuset(t->h), set))
			(void)hwloc_topology_restrict(t->h, set, 0);
		hwloc_bitmap_free(set);
	}
	*out = t;
	return 0;

out_destroy:
	hwloc_topology_destroy(t->h);
out_free:
	free(t);
	return -EINVAL;
}

void pin_topo_free(struct pin_topo *t)
{
	if (!t)
		return;
	hwloc_topology_destroy(t->h);
	free(t);
}

static unsigned count_type(const struct pin_topo *t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t->h, type);

	return n > 0 ? (unsigned)n : 0;
}

unsigned pin_topo_pus(const struct pin_topo *t)
{
	return count_type(t, HWLOC_OBJ_PU);
}

unsigned pin_topo_cores(const struct pin_topo *t)
{
	unsigned n = count_type(t, HWLOC_OBJ_CORE);

	return n ? n : pin_topo_pus(t); /* a topology without cores: every PU is one */
}

void pin_topo_pu_list(const struct pin_topo *t, char *buf, size_t len)
{
	if (len && hwloc_bitmap_list_snprintf(buf, len, hwloc_topology_get_topology_cpuset(t->h)) < 0)
		buf[0] = '\0';
}

unsigned pin_topo_packages(const struct pin_topo *t)
{
	return count_type(t, HWLOC_OBJ_PACKAGE) ? count_type(t, HWLOC_OBJ_PACKAGE) : 1;
}

unsigned pin_topo_numa_nodes(const struct pin_topo *t)
{
	return count_type(t, HWLOC_OBJ_NUMANODE) ? count_type(t, HWLOC_OBJ_NUMANODE) : 1;
}

unsigned pin_topo_domain_cores(const struct pin_topo *t, enum pin_domain d)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(t->h, d == PIN_DOMAIN_NUMA ? HWLOC_OBJ_NUMANODE
							     : HWLOC_OBJ_PACKAGE, 0);
	int n = o ? hwloc_get_nbobjs_inside_cpuset_by_type(t->h, o->cpuset, HWLOC_OBJ_CORE) : 0;

	return n > 0 ? (unsigned)n : pin_topo_cores(t);
}

int pin_topo_this_system(const struct pin_topo *t, char *what, size_t len)
{
	const char *syn = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t->h),
						     "SyntheticDescription");

	snprintf(what, len, "%s%.200s%s", syn ? "hwloc synthetic '" : "hwloc's description",
		 syn ? syn : "", syn ? "'" : "");
	return hwloc_topology_is_thissystem(t->h);
}

size_t pin_topo_l3_bytes(const struct pin_topo *t)
{
	hwloc_obj_t l3 = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_L3CACHE, 0);

	return l3 ? (size_t)l3->attr->cache.size * count_type(t, HWLOC_OBJ_L3CACHE) : 0;
}

void pin_topo_describe(const struct pin_topo *t, char *buf, size_t len)
{
	hwloc_obj_t l3 = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_L3CACHE, 0);
	unsigned pk = pin_topo_packages(t), numa = count_type(t, HWLOC_OBJ_NUMANODE);
	int w = snprintf(buf, len, "%u package%s, %u NUMA node%s, %u cores, %u PUs", pk,
			 pk == 1 ? "" : "s", numa, numa == 1 ? "" : "s", pin_topo_cores(t),
			 pin_topo_pus(t));

	if (l3 && w >= 0 && (size_t)w < len)
		w += snprintf(buf + w, len - (size_t)w, ", L3 %llu KiB x %u",
			      (unsigned long long)(l3->attr->cache.size / 1024),
			      count_type(t, HWLOC_OBJ_L3CACHE));
	if (t->machine_cores > pin_topo_cores(t) && w >= 0 && (size_t)w < len)
		snprintf(buf + w, len - (size_t)w, " (%u of %u cores allowed)", pin_topo_cores(t),
			 t->machine_cores);
}

int pin_topo_export_xml(const struct pin_topo *t, const char *path)
{
	return hwloc_topology_export_xml(t->h, path, 0) < 0 ? -EIO : 0;
}

/* The core (or, without cores, the PU) a PU belongs to, as a logical index. */
static int core_of_pu(const struct pin_topo *t, int os_index)
{
	hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->h, (unsigned)os_index);
	hwloc_obj_t core = pu ? hwloc_get_ancestor_obj_by_type(t->h, HWLOC_OBJ_CORE, pu) : NULL;

	if (core)
		return (int)core->logical_index;
	return pu ? (int)pu->logical_index : -1;
}

static void plan_compact(const struct pin_topo *t, struct pin_plan *plan)
{
	unsigned ncores = count_type(t, HWLOC_OBJ_CORE);

	for (unsigned i = 0; i < plan->n; i++) {
		hwloc_obj_t pu;

		if (ncores == 0) {
			pu = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_PU, i % pin_topo_pus(t));
		} else {
			hwloc_obj_t core = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_CORE, i % ncores);
			int per_core = hwloc_get_nbobjs_inside_cpuset_by_type(t->h, core->cpuset,
									     HWLOC_OBJ_PU);
			unsigned round = i / ncores;

			pu = hwloc_get_obj_inside_cpuset_by_type(t->h, core->cpuset, HWLOC_OBJ_PU,
								 per_core > 0 ? round % (unsigned)per_core : 0);
		}
		plan->pu[i] = pu ? (int)pu->os_index : -1;
	}
}

/* hwloc_distrib() allocates the cpusets it hands back; they are freed here. */
static int plan_spread(const struct pin_topo *t, struct pin_plan *plan)
{
	unsigned npus = pin_topo_pus(t);
	unsigned m = plan->n < npus ? plan->n : npus;
	hwloc_bitmap_t *sets = calloc(m, sizeof(*sets));
	hwloc_obj_t root = hwloc_get_root_obj(t->h);
	int err = 0;

	if (!sets)
		return -ENOMEM;
	if (hwloc_distrib(t->h, &root, 1, sets, m, INT_MAX, 0) < 0) {
		err = -EINVAL;
		goto out_free;
	}
	for (unsigned i = 0; i < m; i++) {
		if (!sets[i]) {
			err = -ENOMEM;
			goto out_free;
		}
		hwloc_bitmap_singlify(sets[i]);
	}
	for (unsigned i = 0; i < plan->n; i++)
		plan->pu[i] = hwloc_bitmap_first(sets[i % m]);
out_free:
	for (unsigned i = 0; i < m; i++)
		hwloc_bitmap_free(sets[i]);
	free(sets);
	return err;
}

/* "0,2,4-7": PU OS indexes, used round-robin by the workers. */
static int plan_list(const struct pin_topo *t, const char *text, struct pin_plan *plan)
{
	int list[PIN_MAX_WORKERS];
	unsigned len = 0;
	const char *p = text;

	while (*p) {
		char *endp;
		long lo, hi;

		errno = 0;
		lo = strtol(p, &endp, 10);
		if (endp == p || errno || lo < 0)
			return -EINVAL;
		hi = lo;
		p = endp;
		if (*p == '-') {
			hi = strtol(p + 1, &endp, 10);
			if (endp == p + 1 || errno || hi < lo)
				return -EINVAL;
			p = endp;
		}
		for (long v = lo; v <= hi; v++) {
			if (len == PIN_MAX_WORKERS || v > INT_MAX ||
			    !hwloc_get_pu_obj_by_os_index(t->h, (unsigned)v))
				return -EINVAL;
			list[len++] = (int)v;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return -EINVAL;
	}
	if (len == 0)
		return -EINVAL;
	for (unsigned i = 0; i < plan->n; i++)
		plan->pu[i] = list[i % len];
	return 0;
}

/* Every PU of a core before the next core: hwloc's logical PU order. */
static void plan_compact_smt(const struct pin_topo *t, struct pin_plan *plan)
{
	for (unsigned i = 0; i < plan->n; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_PU, i % pin_topo_pus(t));

		plan->pu[i] = pu ? (int)pu->os_index : -1;
	}
}

/* How the plan's workers share: beyond one per PU (oversubscribed), and on a core whose
 * other PUs other workers use (smt_shared). */
static int count_sharing(const struct pin_topo *t, struct pin_plan *plan)
{
	unsigned npus = pin_topo_pus(t), ncores = pin_topo_cores(t), distinct = 0;
	unsigned char *pu_used = calloc(npus, 1);
	unsigned *core_pus = calloc(ncores, sizeof(*core_pus));
	int err = 0;

	if (!pu_used || !core_pus) {
		err = -ENOMEM;
		goto out_free;
	}
	for (unsigned i = 0; i < plan->n; i++) {
		hwloc_obj_t pu = plan->pu[i] < 0 ? NULL
				 : hwloc_get_pu_obj_by_os_index(t->h, (unsigned)plan->pu[i]);
		int c = core_of_pu(t, plan->pu[i]);

		if (pu && pu->logical_index < npus && c >= 0 && (unsigned)c < ncores &&
		    !pu_used[pu->logical_index]) {
			pu_used[pu->logical_index] = 1;
			core_pus[c]++;
			distinct++;
		}
	}
	plan->oversubscribed = plan->n - distinct;
	for (unsigned i = 0; i < plan->n; i++) {
		int c = core_of_pu(t, plan->pu[i]);

		plan->smt_shared += c >= 0 && (unsigned)c < ncores && core_pus[c] > 1;
	}
out_free:
	free(pu_used);
	free(core_pus);
	return err;
}

int pin_plan_make(const struct pin_topo *t, const char *policy, unsigned workers,
		  struct pin_plan *plan)
{
	unsigned ncores = pin_topo_cores(t), npus = pin_topo_pus(t);
	int err = 0;

	if (workers == 0 || workers > PIN_MAX_WORKERS || npus == 0)
		return -EINVAL;
	memset(plan, 0, sizeof(*plan));
	plan->n = workers;
	if (strcmp(policy, "none") == 0) {
		/* the OS places them: as many as fit on PUs of their own, siblings last */
		unsigned on_pus = workers < npus ? workers : npus;

		plan->policy = PIN_NONE;
		for (unsigned i = 0; i < workers; i++)
			plan->pu[i] = -1;
		plan->oversubscribed = workers - on_pus;
		plan->smt_shared = on_pus > ncores ? 2 * (on_pus - ncores) : 0;
		return 0;
	}
	if (strcmp(policy, "compact") == 0) {
		plan->policy = PIN_COMPACT;
		plan_compact(t, plan);
	} else if (strcmp(policy, "compact-smt") == 0) {
		plan->policy = PIN_COMPACT_SMT;
		plan_compact_smt(t, plan);
	} else if (strcmp(policy, "spread") == 0) {
		plan->policy = PIN_SPREAD;
		err = plan_spread(t, plan);
	} else {
		plan->policy = PIN_LIST;
		err = plan_list(t, policy, plan);
	}
	return err ? err : count_sharing(t, plan);
}

int pin_pu_place(const struct pin_topo *t, int os_index, struct pin_place *out)
{
	hwloc_obj_t pu = os_index >= 0 ? hwloc_get_pu_obj_by_os_index(t->h, (unsigned)os_index)
				       : NULL;
	hwloc_obj_t core, pkg;
	unsigned nnuma = count_type(t, HWLOC_OBJ_NUMANODE);

	*out = (struct pin_place){ -1, -1, -1, 0 };
	if (!pu)
		return -EINVAL;
	core = hwloc_get_ancestor_obj_by_type(t->h, HWLOC_OBJ_CORE, pu);
	pkg = hwloc_get_ancestor_obj_by_type(t->h, HWLOC_OBJ_PACKAGE, pu);
	out->core = core ? (int)core->logical_index : (int)pu->logical_index; /* no cores: PUs */
	out->package = pkg ? (int)pkg->logical_index : -1;
	for (unsigned i = 0; i < nnuma && out->numa < 0; i++) {
		hwloc_obj_t numa = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_NUMANODE, i);

		if (numa && numa->cpuset && hwloc_bitmap_isset(numa->cpuset, (unsigned)os_index))
			out->numa = (int)numa->logical_index;
	}
	for (hwloc_obj_t s = pu->prev_cousin; core && s && hwloc_bitmap_isincluded(s->cpuset,
									   core->cpuset);
	     s = s->prev_cousin)
		out->sibling++;
	return 0;
}

int pin_bind_self(const struct pin_topo *t, int os_index)
{
	hwloc_obj_t pu;

	if (os_index < 0)
		return 0;
	pu = hwloc_get_pu_obj_by_os_index(t->h, (unsigned)os_index);
	if (!pu)
		return -EINVAL;
	return hwloc_set_cpubind(t->h, pu->cpuset, HWLOC_CPUBIND_THREAD) < 0 ? -errno : 0;
}

void *pin_save(const struct pin_topo *t)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	if (set && hwloc_get_cpubind(t->h, set, HWLOC_CPUBIND_THREAD) < 0) {
		hwloc_bitmap_free(set);
		return NULL;
	}
	return set;
}

void pin_restore(const struct pin_topo *t, void *saved)
{
	if (!saved)
		return;
	hwloc_set_cpubind(t->h, saved, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(saved);
}

int pin_current_cpu(void)
{
	return sched_getcpu();
}
