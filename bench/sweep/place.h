/*
 * place.h - where a kernel's buffers (a picture's input and output) sit in a NUMA machine's
 * memory for one configuration: placed where its workers touch them, and sampled.
 *
 * Kernels know nothing of workers and backends nothing of buffers; this is the seam between
 * them.  Before a configuration's backend starts (untimed, before any worker is forked), the
 * buffers' pages are moved (pin_numa.h):
 *   by share     backends whose worker i runs the i-th static share of the rows
 *                (BACKEND_CAP_STATIC_SHARE, static schedule, no --chunk), all bound: the
 *                pages of worker i's rows on worker i's NUMA node
 *   interleave   every other backend of this process (chunks pulled from a counter, dynamic
 *                or guided schedules, --chunk, unbound workers): page by page over the nodes
 *                the workers span
 *   as made      MPI (each rank works on its own copy, made by itself) and the CPython rows
 *                (the interpreter's copy): not moved
 * With one NUMA node nothing needs to move and nothing is moved.  A picture serves every
 * configuration of its kernel, so it moves again when the next one wants it elsewhere.
 * After the configuration's first warm-up run, every PIN_PAGE_SAMPLE-th page is looked up.
 */
#ifndef PB_PLACE_H
#define PB_PLACE_H

#include <stdio.h>

#include "backend.h"
#include "kernel.h"
#include "pin_numa.h"

enum place_how { PLACE_NONE, PLACE_SHARES, PLACE_INTERLEAVE, PLACE_AS_MADE };

struct place_pages {
	enum place_how how;       /* PLACE_NONE: no buffers (or not recorded) */
	unsigned nodes;           /* NUMA nodes of the machine */
	unsigned worker_nodes;    /* nodes the workers run on (unbound workers: every node) */
	int sampled;              /* in and out were looked up */
	struct pin_pages in, out; /* where the sampled pages were after the first warm-up */
	int error;                /* 0, or the -errno of a failed move or lookup */
};

/* How backend b's configuration cfg (its plan, schedule, chunk) places a buffer of its
 * jobs' items; mp gets the decision for each worker (with pin_mem_plan_make). */
enum place_how place_decide(const struct backend *b, const struct backend_config *cfg,
			    struct pin_mem_plan *mp);
/* Worker i's share of n items of stride bytes begins at byte first[i] (i <= workers). */
void place_share_bytes(size_t n, size_t stride, unsigned workers, size_t *first);
/* Places ki's buffers for configuration (b, cfg), before its backend starts; fills pg's
 * how, nodes and worker_nodes.  Moves nothing on a machine with one NUMA node. */
void place_buffers(const struct kernel_instance *ki, const struct backend *b,
		   const struct backend_config *cfg, struct place_pages *pg);
/* Looks up where ki's buffers' pages are (pg->sampled set). */
void place_sample(const struct kernel_instance *ki, const struct backend_config *cfg,
		  struct place_pages *pg);
/* The node holding the most sampled input pages, if it holds 90 % or more of those in
 * memory while the workers span several nodes; else -1. */
int place_one_node(const struct place_pages *pg);
/* meta.json's value for pg: an object (results/README.md), or null. */
void place_write_json(FILE *f, const struct place_pages *pg);

#endif
