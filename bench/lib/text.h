/*
 * text.h - building and printing lines of prose: appending to a fixed buffer, a time as the
 * tables write it, and wrapping a long line on its spaces.  No parbench header; nothing here
 * allocates.
 */
#ifndef PB_TEXT_H
#define PB_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* A space that text_wrap() never breaks at ("12 s" stays whole); printed as a space. */
#define TEXT_NBSP '\037'

/* Appends fmt to buf, whose first *used bytes are taken (len in all); *used grows, and the
 * text is cut where buf ends. */
__attribute__((format(printf, 4, 5))) void text_append(char *buf, size_t len, size_t *used,
							const char *fmt, ...);
/* "12.34 ms", "1.234 s", "5.6 us": a time in seconds, in the tables' format; returns buf. */
const char *text_time(char *buf, size_t len, double s);
/* Writes line to f, broken at spaces so that no line is wider than width columns where a
 * space allows it; continuation lines are indented by indent spaces. */
void text_wrap(FILE *f, size_t width, size_t indent, const char *line);

#endif
