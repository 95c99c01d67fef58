/*
 * docchart.c - a chart in report.md (a link to its PNG) and report.html (its SVG inline).  Only
 * a chart that gnuplot made in this report run is shown (report_chart_made): a file under its
 * name from elsewhere is not.  Its SVG is read with no symlink followed and inlined only if it
 * holds nothing but the drawing elements gnuplot writes (no script, no event handler, no
 * reference outside itself, whatever its text says: gnuplot writes < and & in text as
 * entities); its ids are renamed apart from the other charts' (gnuplot names its point shapes
 * alike in every file, and one page holds them all).
 */
#include "doc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOC_SVG_MAX (8u << 20) /* a chart larger than this is not inlined */

/* dir/name.svg, whole and NUL-terminated (malloc'd), if it is a regular file of at most
 * DOC_SVG_MAX bytes; else NULL. */
static char *read_svg(const char *dir, const char *name)
{
	char path[4400];
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= DOC_SVG_MAX &&
	    (buf = malloc((size_t)st.st_size + 1))) {
		ssize_t n;

		while (got < (size_t)st.st_size &&
		       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
			got += (size_t)n;
		buf[got] = '\0';
	}
	close(fd);
	if (buf && (got != (size_t)st.st_size || strlen(buf) != got)) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* An element gnuplot draws with (a start or an end tag at p, its '<'). */
static int element_ok(const char *p)
{
	static const char *const elems[] = { "svg", "g", "path", "polygon", "polyline", "line",
					     "rect", "circle", "ellipse", "use", "text", "tspan",
					     "title", "desc", "defs", "filter", "feComposite",
					     "feFlood", "feOffset", "feGaussianBlur", "clipPath", NULL };
	const char *n = p + 1 + (p[1] == '/');
	size_t len = strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

	for (const char *const *e = elems; *e; e++)
		if (strlen(*e) == len && strncmp(n, *e, len) == 0 && strchr(" \t\r\n/>", n[len]))
			return 1;
	return 0;
}

/* Inside a tag, outside its values: no event handler (on...=), and a reference (href) only to
 * an id of the drawing itself ('#'). */
static int attribute_ok(const char *tag, const char *p)
{
	const char *q;

	if (p > tag && strchr(" \t\r\n", p[-1]) && strncasecmp(p, "on", 2) == 0) {
		for (q = p + 2; (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'); q++)
			;
		q += strspn(q, " \t\r\n");
		if (*q == '=')
			return 0;
	}
	if (strncasecmp(p, "href", 4) == 0) {
		q = p + 4 + strspn(p + 4, " \t\r\n");
		if (*q == '=') {
			q++;
			q += strspn(q, " \t\r\n");
			return (*q == '\'' || *q == '"') && q[1] == '#';
		}
	}
	return 1;
}

/* Only drawing, as gnuplot makes it (doc.c's head): its elements, no event handler, no
 * reference or url() outside the drawing, no script: 1 if so. */
static int svg_safe(const char *svg)
{
	for (const char *p = svg; *p;) {
		const char *tag = p;
		char quote = 0;

		if (*p != '<') { /* text: gnuplot writes < and & in it as entities */
			p++;
			continue;
		}
		if (!element_ok(p))
			return 0;
		for (p++; *p && (quote || *p != '>'); p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
				else if ((strncasecmp(p, "url(", 4) == 0 && p[4] != '#') ||
					 strncasecmp(p, "javascript:", 11) == 0)
					return 0;
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else if (!attribute_ok(tag, p)) {
				return 0;
			}
		}
		p += *p == '>';
	}
	return 1;
}

/* The SVG from its <svg on, every id and reference to one prefixed with "cN-" (N: the
 * chart's number in the page), with alt as its accessible name. */
static void put_svg(struct doc *d, const char *svg, const char *alt)
{
	static const char *const refs[] = { " id='", " id=\"", "href='#", "href=\"#", "url(#",
					    NULL };

	const char *end = svg, *e;

	while ((e = strstr(end, "</svg>")))
		end = e + 6; /* after the last one */
	fputs("<figure><svg role=\"img\" aria-label=\"", d->f);
	doc_put_text(d, alt);
	fputs("\"", d->f);
	for (const char *p = svg + 4; p < end;) {
		const char *const *r = refs;

		while (*r && strncmp(p, *r, strlen(*r)) != 0)
			r++;
		if (!*r) {
			fputc(*p++, d->f);
			continue;
		}
		fputs(*r, d->f);
		fprintf(d->f, "c%u-", d->charts);
		p += strlen(*r);
	}
	fputs("\n</figure>\n", d->f);
}

void doc_chart(struct doc *d, const char *name, const char *alt)
{
	char *svg;
	const char *start;

	if (!report_chart_made(d->made, name))
		return;
	if (!d->html) {
		fputs("![", d->f);
		doc_put_text(d, alt);
		fputs("](", d->f);
		doc_put_url(d, name);
		fputs(".png)\n\n", d->f);
		return;
	}
	svg = read_svg(d->dir, name);
	start = svg ? strstr(svg, "<svg") : NULL;
	if (start && svg_safe(start) && strstr(start, "</svg>")) {
		d->charts++;
		put_svg(d, start, alt);
	} else {
		doc_para(d, "(chart %s.svg not shown: unreadable, or more than a drawing)", name);
	}
	free(svg);
}
