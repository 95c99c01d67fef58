/*
 * json.h - the little JSON parbench writes (meta.json) and reads back: strings escaped and
 * unescaped, flat "key": value lookups.  A leaf: it includes no parbench header.
 */
#ifndef PB_JSON_H
#define PB_JSON_H

#include <stddef.h>
#include <stdio.h>

/* s as a JSON string, quotes included; NULL as "". */
void json_str(FILE *f, const char *s);
/* `  "key": "val"` and a comma if comma, then a newline. */
void json_kv(FILE *f, const char *key, const char *val, int comma);
/* The value after the first "key": in text (a string unescaped, else up to , } or a line's
 * end) into out.  0, or -1 with out "" (no such key, or damaged).  Longer values are cut. */
int json_get(const char *text, const char *key, char *out, size_t len);

#endif
