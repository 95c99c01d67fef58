/*
 * csv.c - csv.h.
 */
#include "csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void csv_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\n"))
		csv_quoted(f, s);
	else
		fputs(s, f);
}

/* Splits one CSV line in place (RFC 4180 quotes). Returns the field count. */
int csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		if (*p == '"') {
			char *w = ++p;

			f[n++] = w;
			for (;;) {
				if (*p == '\0')
					break;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			*w = '\0';
			if (*p == ',')
				p++;
			else if (*p == '\0')
				break;
		} else {
			f[n++] = p;
			p += strcspn(p, ",");
			if (*p == '\0')
				break;
			*p++ = '\0';
		}
	}
	return n;
}

int csv_col(char **hdr, int nh, const char *name)
{
	for (int i = 0; i < nh; i++)
		if (strcmp(hdr[i], name) == 0)
			return i;
	return -1;
}

int csv_number(const char *s, double *v)
{
	char *end;

	if (!*s)
		return -1;
	*v = strtod(s, &end);
	return *end ? -1 : 0;
}

int csv_whole(const char *s, double lo, double hi, double *v)
{
	return csv_number(s, v) == 0 && *v >= lo && *v < hi && *v == floor(*v) ? 0 : -1;
}
