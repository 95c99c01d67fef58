/*
 * rank_plan_int.h - what the files of the rank plan share (not for other files):
 * rank_plan.c (the file read line by line and written), rank_plan_what.c (the keys that say
 * what is measured: kernels, sizes, backends, workers) and rank_plan_how.c (how: repetitions,
 * times, pinning, the variant, the picture, test hooks, Google Benchmark's flags).
 */
#ifndef PB_CMD_RANK_PLAN_INT_H
#define PB_CMD_RANK_PLAN_INT_H

#include <stdio.h>

#include "rank_plan.h"

#define RANK_PLAN_FORMAT "parbench-rank-plan 1" /* the first key's value: "format = ..." */

/* One key of the file.  The keys are read in the tables' order (plan_what, then plan_how:
 * a kernel's size after the kernel list), which is also the order they are written in. */
struct plan_field {
	const char *name;
	int many; /* on any number of lines (gbench), else on exactly one */
	/* v (no control characters) into p: 0, or -1 with why (what is wrong with it) */
	int (*read)(struct rank_plan *p, const char *v, char *why, size_t why_len);
	/* the "name = value" line(s) of p */
	void (*write)(FILE *f, const struct rank_plan *p, const char *name);
};

extern const struct plan_field plan_what[], plan_how[]; /* each ended by a NULL name */

/* For the fields' read functions: -1 after why = the message. */
__attribute__((format(printf, 3, 4))) int plan_say(char *why, size_t len, const char *fmt, ...);
/* A decimal whole number in [lo, hi] (digits only): 0, or -1. */
int plan_whole(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
/* A whole number in [0, max] into an unsigned field: 0, or -1 with why. */
int plan_small(unsigned *dst, const char *v, uint64_t max, char *why, size_t len);
/* v into dst (cap bytes) if each byte is one of chars (NULL: any) and, unless empty_ok, it
 * is not empty: 0, or -1 with why. */
int plan_text(char *dst, size_t cap, const char *v, const char *chars, int empty_ok,
	      char *why, size_t len);
/* fn for each item of the comma-separated list v ("" has none; an empty item is refused). */
typedef int plan_item_fn(struct rank_plan *p, const char *item, char *why, size_t len);
int plan_each(struct rank_plan *p, const char *v, plan_item_fn *fn, char *why, size_t len);
/* "name = v" ("name =" when v is empty) and "name = N" */
void plan_line(FILE *f, const char *name, const char *v);
void plan_line_u64(FILE *f, const char *name, uint64_t v);

#endif
