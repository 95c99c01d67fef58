/*
 * columns.h - summary.csv's columns, one table that both writes a row (write.c) and reads it
 * back (runload.c): name, type, where the value lives in a sweep_row or how it is computed.
 */
#ifndef PB_COLUMNS_H
#define PB_COLUMNS_H

#include <stdio.h>

#include "rundir.h"

#define SUMMARY_COLS 53

/* Where each column is in a file's header (-1: absent, an older run). */
struct summary_map {
	int idx[SUMMARY_COLS];
};

void summary_header(FILE *f);
void summary_line(FILE *f, const struct sweep_row *r, const struct sweep *sw,
		  const struct roof *roof);
/* The header's columns; -1 with the first required one missing named in missing. */
int summary_map_header(struct summary_map *m, char **hdr, int nh, const char **missing);
/* Fields f of one line into r (kernel and backend aside: the caller names them from fields
 * summary_map.idx[0] and [1]); -1 when a required column is not a number, or (integer
 * columns) not a whole one that fits the field (its name and value in *col, *val). */
int summary_read_row(const struct summary_map *m, char **f, struct sweep_row *r,
		     struct sweep *sw, const char **col, const char **val);

#endif
