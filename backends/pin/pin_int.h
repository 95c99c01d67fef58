/*
 * pin_int.h - what the pin module's files share (pin.c: topology and plans; pin_numa.c:
 * NUMA nodes, memory placement, caches): the topology itself.  The pin module is the only
 * user of hwloc; nothing outside backends/pin*.c includes this header.
 */
#ifndef PB_PIN_INT_H
#define PB_PIN_INT_H

#include <hwloc.h>

struct pin_topo {
	hwloc_topology_t h;
	unsigned machine_cores; /* cores of the whole machine, before the restriction */
};

#endif
