/*
 * doc.c - the writer behind report.md and report.html (doc.h): the page, headings,
 * paragraphs, tables, lists.  The run directory's text is untrusted: HTML gets & < > " ' as
 * entities, Markdown a backslash before what would be markup, both a space for a control
 * character.  report.html needs no network and no script: its style is inline, its charts
 * too (docchart.c).
 */
#include "doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char style[] =
	"body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1280px;padding:0 1em;"
	"color:#111;background:#fff;line-height:1.4}"
	"table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}"
	"th,td{border:1px solid #bbb;padding:.2em .5em;text-align:right;white-space:nowrap}"
	"th:first-child,td:first-child{text-align:left}th{background:#eee}"
	".wide{overflow-x:auto}figure{margin:1em 0}svg{max-width:100%;height:auto;display:block}"
	"li{margin:.15em 0}";

/* c is a letter or a digit (ASCII; an underscore between two is text in Markdown). */
static int word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* s escaped for the document's format (Markdown: what would make a link, an image, HTML, a
 * cell's end, code, (GitHub) math, emphasis or a strike-through of the marks * _ and ~; an
 * underscore inside a word is text). */
void doc_put_text(struct doc *d, const char *s)
{
	for (const char *start = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int inner = s > start && word_char(s[-1]) && word_char(s[1]);

		if (c < 0x20 || c == 0x7f)
			fputc(' ', d->f);
		else if (d->html && c == '&')
			fputs("&amp;", d->f);
		else if (d->html && c == '<')
			fputs("&lt;", d->f);
		else if (d->html && c == '>')
			fputs("&gt;", d->f);
		else if (d->html && c == '"')
			fputs("&quot;", d->f);
		else if (d->html && c == '\'')
			fputs("&#39;", d->f);
		else if (!d->html && (strchr("\\`*[]<>|~&$", c) || (c == '_' && !inner)))
			fprintf(d->f, "\\%c", c);
		else
			fputc(c, d->f);
	}
}

/* s in a Markdown link's destination: plain name characters as they are, others %XX. */
void doc_put_url(struct doc *d, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("._+-", c))
			fputc(c, d->f);
		else
			fprintf(d->f, "%%%02X", c);
	}
}

int doc_open(struct doc *d, const char *dir, const char *name, int html,
	     const struct report_chart_list *made, const char *title)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->html = html;
	d->dir = dir;
	d->made = made;
	if ((err = outfile_open(&d->o, dir, name)) != 0)
		return err;
	d->f = d->o.f;
	if (!html) {
		fputs("# ", d->f);
		doc_put_text(d, title);
		fputs("\n\n", d->f);
		return 0;
	}
	fprintf(d->f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<title>");
	doc_put_text(d, title);
	fprintf(d->f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
	doc_put_text(d, title);
	fputs("</h1>\n", d->f);
	return 0;
}

int doc_close(struct doc *d)
{
	if (d->html)
		fputs("</body>\n</html>\n", d->f);
	if (d->err) {
		outfile_abort(&d->o);
		return d->err;
	}
	return outfile_commit(&d->o);
}

void doc_heading(struct doc *d, int level, const char *id, const char *text)
{
	if (!d->html) {
		fprintf(d->f, "%.*s ", level, "####");
		doc_put_text(d, text);
		fputs("\n\n", d->f);
		return;
	}
	fprintf(d->f, "<h%d", level);
	if (id) {
		fputs(" id=\"k-", d->f);
		doc_put_text(d, id);
		fputs("\"", d->f);
	}
	fputs(">", d->f);
	doc_put_text(d, text);
	fprintf(d->f, "</h%d>\n", level);
}

void doc_para(struct doc *d, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fputs(d->html ? "<p>" : "", d->f);
	doc_put_text(d, buf);
	fputs(d->html ? "</p>\n" : "\n\n", d->f);
}

void doc_links(struct doc *d, const char *label, const char *const *names, size_t n)
{
	fputs(d->html ? "<p>" : "", d->f);
	doc_put_text(d, label);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : " ", d->f);
		fputs(d->html ? "<a href=\"#k-" : "[", d->f);
		doc_put_text(d, names[i]);
		fputs(d->html ? "\">" : "](#", d->f);
		if (d->html)
			doc_put_text(d, names[i]);
		else
			doc_put_url(d, names[i]);
		fputs(d->html ? "</a>" : ")", d->f);
	}
	fputs(d->html ? "</p>\n" : "\n\n", d->f);
}

static void table_cells(struct doc *d, const char *const *cells, size_t n, const char *tag)
{
	fputs(d->html ? "<tr>" : "|", d->f);
	for (size_t i = 0; i < n; i++) {
		if (d->html)
			fprintf(d->f, "<%s>", tag);
		else
			fputs(" ", d->f);
		doc_put_text(d, cells[i] ? cells[i] : "");
		if (d->html)
			fprintf(d->f, "</%s>", tag);
		else
			fputs(" |", d->f);
	}
	fputs(d->html ? "</tr>\n" : "\n", d->f);
}

void doc_table_head(struct doc *d, const char *const *cells, size_t n)
{
	if (d->html)
		fputs("<div class=\"wide\"><table>\n<thead>\n", d->f);
	table_cells(d, cells, n, "th");
	if (d->html) {
		fputs("</thead>\n<tbody>\n", d->f);
		return;
	}
	fputs("|", d->f);
	for (size_t i = 0; i < n; i++)
		fputs(i ? "---:|" : "---|", d->f);
	fputs("\n", d->f);
}

void doc_table_row(struct doc *d, const char *const *cells, size_t n)
{
	table_cells(d, cells, n, "td");
}

void doc_table_end(struct doc *d)
{
	fputs(d->html ? "</tbody>\n</table></div>\n" : "\n", d->f);
}

void doc_lines(struct doc *d, const char *text)
{
	char line[4096];
	int any = 0;

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n"), k = 0;

		for (size_t i = 0; i < n && k + 1 < sizeof(line); i++)
			if (p[i] != ' ' || (k > 0 && line[k - 1] != ' '))
				line[k++] = p[i];
		line[k] = '\0';
		p += n + (p[n] == '\n');
		if (!k)
			continue;
		fputs(!any && d->html ? "<ul>\n" : "", d->f);
		any = 1;
		fputs(d->html ? "<li>" : "- ", d->f);
		doc_put_text(d, line);
		fputs(d->html ? "</li>\n" : "\n", d->f);
	}
	if (any)
		fputs(d->html ? "</ul>\n" : "\n", d->f);
}

FILE *doc_capture(struct doc *d, struct doc_capture *c)
{
	memset(c, 0, sizeof(*c));
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f)
		d->err = -ENOMEM;
	return c->f;
}

void doc_capture_end(struct doc *d, struct doc_capture *c)
{
	if (fclose(c->f) != 0 || !c->buf)
		d->err = -ENOMEM;
	else
		doc_lines(d, c->buf);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
