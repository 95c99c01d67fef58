/*
 * json.c - json.h.
 */
#include "json.h"

#include <stdio.h>
#include <string.h>

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_kv(FILE *f, const char *key, const char *val, int comma)
{
	fprintf(f, "  ");
	json_str(f, key);
	fprintf(f, ": ");
	json_str(f, val);
	fprintf(f, "%s\n", comma ? "," : "");
}

/* The JSON value after "key": in text; strings unescaped into out.  0 or -1 (out then
 * holds ""). */
int json_get(const char *text, const char *key, char *out, size_t len)
{
	char pat[128];
	const char *p;
	size_t n = 0;

	if (!len)
		return -1;
	out[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(text, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p != '"') {
		while (*p && *p != ',' && *p != '\n' && *p != '}' && n + 1 < len)
			out[n++] = *p++;
		out[n] = '\0';
		return n ? 0 : -1;
	}
	for (p++; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			p++;
			if (*p == 'u' && p[1] && p[2] && p[3] && p[4]) {
				unsigned u;

				if (sscanf(p + 1, "%4x", &u) != 1)
					goto bad;
				c = u < 0x80 ? (char)u : '?';
				p += 4;
			} else if (*p) {
				c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
			} else {
				goto bad;
			}
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	if (*p != '"')
		goto bad;
	out[n] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return -1;
}
