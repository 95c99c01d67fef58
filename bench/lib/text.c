/*
 * text.c - text.h: appending to a buffer, a time in the tables' format, wrapping a line on
 * its spaces.
 */
#include "text.h"

#include <stdarg.h>
#include <string.h>

void text_append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*used + 1 >= len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (w > 0)
		*used += (size_t)w < len - *used ? (size_t)w : len - *used - 1;
}

const char *text_time(char *buf, size_t len, double s)
{
	if (s >= 1)
		snprintf(buf, len, "%.3f s", s);
	else if (s >= 1e-3)
		snprintf(buf, len, "%.2f ms", s * 1e3);
	else
		snprintf(buf, len, "%.1f us", s * 1e6);
	return buf;
}

void text_wrap(FILE *f, size_t width, size_t indent, const char *line)
{
	const char *p = line;

	for (int first = 1; *p; first = 0) {
		size_t room = width > indent ? width - (first ? 0 : indent) : 1, n = strlen(p);

		if (n > room) {
			size_t cut = room;

			while (cut > 0 && p[cut] != ' ')
				cut--;
			n = cut ? cut : room + strcspn(p + room, " "); /* a word wider than the room */
		}
		fprintf(f, "%*s", first ? 0 : (int)indent, "");
		for (size_t k = 0; k < n; k++)
			fputc(p[k] == TEXT_NBSP ? ' ' : p[k], f);
		fputc('\n', f);
		p += n;
		while (*p == ' ')
			p++;
	}
}
