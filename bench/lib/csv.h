/*
 * csv.h - CSV fields as RFC 4180 has them: quoted when they hold a comma, a quote or a line
 * break, quotes doubled.  A leaf: it includes no parbench header.
 */
#ifndef PB_CSV_H
#define PB_CSV_H

#include <stdio.h>

/* s, quoted only if it must be. */
void csv_field(FILE *f, const char *s);
/* s, always quoted. */
void csv_quoted(FILE *f, const char *s);

/* Splits line (modified in place) into at most max fields at commas, quoted fields
 * unquoted; the line's end is dropped.  How many fields. */
int csv_split(char *line, char **f, int max);
/* The index of the column called name among the header's nh fields, or -1. */
int csv_col(char **hdr, int nh, const char *name);

/* A field as a number: 0, or -1 if it is empty or not all a number. */
int csv_number(const char *s, double *v);
/* A field as a whole number in [lo, hi) (hi excluded, so that 0x1p64 bounds a uint64_t):
 * 0, or -1 if it is not one.  The value in *v converts to the integer type without loss. */
int csv_whole(const char *s, double lo, double hi, double *v);

#endif
