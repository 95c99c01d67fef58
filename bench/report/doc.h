/*
 * doc.h - report.md and report.html written by one set of calls (doc.c), so that both hold
 * the same content: headings, paragraphs, tables, the terminal's note lines as lists, and
 * charts.  Every text given is escaped for the format; control characters become spaces.
 */
#ifndef PB_DOC_H
#define PB_DOC_H

#include <stdio.h>

#include "outfile.h"
#include "report.h"

struct doc {
	FILE *f;
	int html;                             /* report.html, else report.md */
	const char *dir;                      /* the run directory: the charts' files */
	const struct report_chart_list *made; /* the charts this report run made (or NULL) */
	unsigned charts;                      /* charts inlined so far (their ids' prefix) */
	int err;                              /* a capture failed: 0 or -ENOMEM */
	struct outfile o;
};

/* Text escaped for the format; in a Markdown link's destination, plain name characters as
 * they are and the others as %XX. */
void doc_put_text(struct doc *d, const char *s);
void doc_put_url(struct doc *d, const char *s);
/* Opens dir/name (outfile.h) and writes the page's head with its title. 0 or -errno. */
int doc_open(struct doc *d, const char *dir, const char *name, int html,
	     const struct report_chart_list *made, const char *title);
/* Ends the page and puts it in place. 0 or -errno (nothing is left). */
int doc_close(struct doc *d);

/* A heading of level 2 or 3; its anchor is id (a kernel's name) or none (NULL). */
void doc_heading(struct doc *d, int level, const char *id, const char *text);
/* A paragraph of formatted text. */
__attribute__((format(printf, 2, 3))) void doc_para(struct doc *d, const char *fmt, ...);
/* A line of links to the kernels' sections: label, then each name (their headings' ids). */
void doc_links(struct doc *d, const char *label, const char *const *names, size_t n);
/* A table: its heads (n columns, the first left-aligned, the rest right-aligned), its rows,
 * its end. */
void doc_table_head(struct doc *d, const char *const *cells, size_t n);
void doc_table_row(struct doc *d, const char *const *cells, size_t n);
void doc_table_end(struct doc *d);
/* Each line of text as an item of a list (leading blanks and runs of blanks dropped). */
void doc_lines(struct doc *d, const char *text);
/* What a print function writes to the returned stream becomes doc_lines(): call
 * doc_capture_end() after it.  NULL (and d->err set) if out of memory. */
struct doc_capture {
	char *buf;
	size_t len;
	FILE *f;
};
FILE *doc_capture(struct doc *d, struct doc_capture *c);
void doc_capture_end(struct doc *d, struct doc_capture *c);
/* The chart called name (report_chart_made), with alt as its text: report.md links its PNG;
 * report.html inlines its SVG (when it passes docchart.c's check).  Nothing if not made. */
void doc_chart(struct doc *d, const char *name, const char *alt);

/* Kernel k's full tables, every column, each with its analysis lines (fulltab.c). */
void doc_full_tables(struct doc *d, const struct sweep *sw, const struct run_meta *m,
		     const struct kernel *k);

#endif
