/*
 * rank_plan.c - the ranks' plan file written and read back (see rank_plan.h).  Reading
 * collects the lines first (every key known, each once unless it may repeat, `end` last),
 * then reads the values in the keys' order (rank_plan_what.c, rank_plan_how.c), then checks
 * what they say together.  Nothing read is trusted: the file's size and each line's length
 * are bounded, a NUL or another control character refuses it, and only the first error is
 * told, with its line.
 */
#include "rank_plan_int.h"

#include "outfile.h"
#include "untrusted.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4400 /* the longest line: "image = " and a 4095-byte path */
#define MAX_LINES      64   /* key lines: one per key, and the gbench flags */

static const struct plan_field *const tables[] = { plan_what, plan_how, NULL };

/* A key line of the file: its key, its value (in the reader's copy), its number. */
struct entry {
	const struct plan_field *field;
	const char *val;
	unsigned line;
};

struct reader {
	struct entry e[MAX_LINES];
	size_t n;
	unsigned format_line;
	char *err;
	size_t err_len;
};

int plan_say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

int plan_whole(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || strlen(s) > 20)
		return -1;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int plan_small(unsigned *dst, const char *v, uint64_t max, char *why, size_t len)
{
	uint64_t n;

	if (plan_whole(v, 0, max, &n))
		return plan_say(why, len, "not a whole number from 0 to %llu",
				(unsigned long long)max);
	*dst = (unsigned)n;
	return 0;
}

int plan_text(char *dst, size_t cap, const char *v, const char *chars, int empty_ok,
	      char *why, size_t len)
{
	if (!*v && !empty_ok)
		return plan_say(why, len, "empty");
	if (strlen(v) >= cap)
		return plan_say(why, len, "longer than %zu bytes", cap - 1);
	if (chars && strspn(v, chars) != strlen(v))
		return plan_say(why, len, "a character other than %s", chars);
	snprintf(dst, cap, "%s", v);
	return 0;
}

int plan_each(struct rank_plan *p, const char *v, plan_item_fn *fn, char *why, size_t len)
{
	char item[256];

	for (const char *s = v; *v; s += strcspn(s, ",") + 1) {
		size_t n = strcspn(s, ",");

		if (n == 0 || n >= sizeof(item))
			return plan_say(why, len, n ? "an item of 256 bytes or more"
						    : "an empty item");
		memcpy(item, s, n);
		item[n] = '\0';
		if (fn(p, item, why, len))
			return -1;
		if (!s[n])
			break;
	}
	return 0;
}

void plan_line(FILE *f, const char *name, const char *v)
{
	fprintf(f, v[0] ? "%s = %s\n" : "%s =\n", name, v);
}

void plan_line_u64(FILE *f, const char *name, uint64_t v)
{
	fprintf(f, "%s = %llu\n", name, (unsigned long long)v);
}

int rank_plan_write(const char *dir, const struct rank_plan *p)
{
	struct outfile of;
	int rc = outfile_open(&of, dir, RANK_PLAN_FILE);

	if (rc)
		return rc;
	fprintf(of.f, "# what every MPI rank of this launch measures: parbench rank reads it\n"
		      "# (the keys: bench/README.md)\n");
	plan_line(of.f, "format", RANK_PLAN_FORMAT);
	for (const struct plan_field *const *t = tables; *t; t++)
		for (const struct plan_field *fl = *t; fl->name; fl++)
			fl->write(of.f, p, fl->name);
	fprintf(of.f, "end\n");
	return outfile_commit(&of);
}

__attribute__((format(printf, 3, 4))) static int fail(struct reader *rd, unsigned line,
						      const char *fmt, ...)
{
	va_list ap;
	int used = line ? snprintf(rd->err, rd->err_len, "line %u: ", line) : 0;

	if (used < 0 || (size_t)used >= rd->err_len)
		used = 0;
	va_start(ap, fmt);
	vsnprintf(rd->err + used, rd->err_len - (size_t)used, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct plan_field *find_field(const char *name)
{
	for (const struct plan_field *const *t = tables; *t; t++)
		for (const struct plan_field *fl = *t; fl->name; fl++)
			if (strcmp(fl->name, name) == 0)
				return fl;
	return NULL;
}

/* One line, "key = value" or "key =" (an empty value), into rd. */
static int take(struct reader *rd, char *line, unsigned n)
{
	size_t klen = strspn(line, "abcdefghijklmnopqrstuvwxyz_");
	char *v = line + klen;
	const struct plan_field *fl;

	if (klen == 0 || (strcmp(v, " =") != 0 && strncmp(v, " = ", 3) != 0))
		return fail(rd, n, "not 'key = value': '%.60s'", line);
	v[0] = '\0';
	v += v[2] ? 3 : 2;
	if (strcmp(line, "format") == 0) { /* first, and once */
		if (rd->format_line || rd->n)
			return fail(rd, n, "'format' is not the first key, or given twice");
		rd->format_line = n;
		return strcmp(v, RANK_PLAN_FORMAT) == 0 ? 0 : fail(rd, n, "format '%.40s' is not "
								  "'%s'", v, RANK_PLAN_FORMAT);
	}
	if (!(fl = find_field(line)))
		return fail(rd, n, "unknown key '%.40s'", line);
	for (size_t i = 0; i < rd->n && !fl->many; i++)
		if (rd->e[i].field == fl)
			return fail(rd, n, "'%s' given twice (first on line %u)", fl->name,
				    rd->e[i].line);
	if (rd->n == MAX_LINES)
		return fail(rd, n, "more than %d keys", MAX_LINES);
	rd->e[rd->n++] = (struct entry){ fl, v, n };
	return 0;
}

/* buf's lines (buf[len] is a NUL) into rd: comments and blank lines skipped, `end` last. */
static int collect(struct reader *rd, char *buf, size_t len)
{
	unsigned n = 0;
	int ended = 0, rc;

	for (char *line = buf, *nl; line < buf + len; line = nl + 1) {
		n++;
		if (!(nl = memchr(line, '\n', (size_t)(buf + len - line))))
			return fail(rd, n, "the plan ends inside this line (cut short?)");
		*nl = '\0';
		if ((size_t)(nl - line) > LINE_MAX_BYTES)
			return fail(rd, n, "longer than %d bytes", LINE_MAX_BYTES);
		for (const char *c = line; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return fail(rd, n, "a control character (byte %u)",
					    (unsigned char)*c);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (ended)
			return fail(rd, n, "text after the 'end' line");
		if (strcmp(line, "end") == 0)
			ended = 1;
		else if ((rc = take(rd, line, n)) != 0)
			return rc;
	}
	if (!rd->format_line)
		return fail(rd, 0, "no 'format' line: not a rank plan");
	return ended ? 0 : fail(rd, 0, "no 'end' line: the plan is cut short");
}

/* Every key's value(s) into p, in the tables' order. */
static int read_values(struct reader *rd, struct rank_plan *p)
{
	char why[256];

	for (const struct plan_field *const *t = tables; *t; t++)
		for (const struct plan_field *fl = *t; fl->name; fl++) {
			int seen = 0;

			for (size_t i = 0; i < rd->n; i++) {
				const struct entry *e = &rd->e[i];

				if (e->field != fl)
					continue;
				seen = 1;
				if (fl->read(p, e->val, why, sizeof(why)))
					return fail(rd, e->line, "bad value '%.60s' for '%s': %s",
						    e->val, fl->name, why);
			}
			if (!seen && !fl->many)
				return fail(rd, 0, "no '%s' line", fl->name);
		}
	return 0;
}

/* What the values say together: the same rules as run's options. */
static int check(struct reader *rd, const struct rank_plan *p)
{
	int sized = 0;

	for (size_t i = 0; i < p->n_kernels; i++)
		sized |= p->kernel_sizes[i] != 0;
	if ((p->repetitions != 0) == (p->budget_s != 0))
		return fail(rd, 0, "one of 'repetitions' and 'budget' must be 0, not both");
	if (p->n_sizes && (sized || p->weak))
		return fail(rd, 0, "'sizes' (a size sweep) with 'size' or weak 'scaling'");
	if (p->image[0] && (p->n_sizes || sized || p->weak))
		return fail(rd, 0, "'image' sets the picture's size: not with 'size', 'sizes' or "
			    "weak 'scaling'");
	return 0;
}

int rank_plan_parse(const char *text, size_t len, struct rank_plan *p, char *err,
		    size_t err_len)
{
	struct reader *rd = calloc(1, sizeof(*rd));
	char *buf = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!rd || !(buf = malloc(len + 1))) {
		snprintf(err, err_len, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	rd->err = err;
	rd->err_len = err_len;
	if (len > RANK_PLAN_MAX_BYTES)
		rc = fail(rd, 0, "longer than %d bytes", RANK_PLAN_MAX_BYTES);
	else if (memchr(text, '\0', len))
		rc = fail(rd, 0, "a NUL byte: not a text file");
	else {
		memcpy(buf, text, len);
		buf[len] = '\0';
		rc = collect(rd, buf, len);
	}
	if (rc == 0)
		rc = read_values(rd, p);
	if (rc == 0)
		rc = check(rd, p);
out:
	if (rc)
		memset(p, 0, sizeof(*p));
	free(buf);
	free(rd);
	return rc;
}

/* All of fd (a regular file of size bytes) into text (size + 1 bytes): how many, or -1 if
 * it cannot be read or grew while read. */
static ssize_t read_all(int fd, char *text, size_t size)
{
	size_t have = 0;

	while (have <= size) { /* a shared file system may return it in parts */
		ssize_t got = read(fd, text + have, size + 1 - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		have += (size_t)got;
	}
	return have <= size ? (ssize_t)have : -1;
}

int rank_plan_read(const char *path, struct rank_plan *p, char *err, size_t err_len)
{
	long long size = 0;
	/* a FIFO put where the plan should be must not block; only a regular file is read */
	int fd = pb_open_regular(path, RANK_PLAN_MAX_BYTES, &size);
	char *text = NULL;
	ssize_t got;
	int rc = -EINVAL;

	if (fd < 0 && errno == EINVAL) {
		snprintf(err, err_len, "not a regular file");
		return -EINVAL;
	}
	if (fd < 0 && errno == EFBIG) {
		snprintf(err, err_len, "longer than %d bytes", RANK_PLAN_MAX_BYTES);
		return -EINVAL;
	}
	if (fd < 0) {
		rc = -errno;
		snprintf(err, err_len, "cannot read it: %s", strerror(errno));
		return rc;
	}
	if ((text = malloc((size_t)size + 1)) && (got = read_all(fd, text, (size_t)size)) >= 0)
		rc = rank_plan_parse(text, (size_t)got, p, err, err_len);
	else
		snprintf(err, err_len, "cannot read it whole");
	close(fd);
	free(text);
	return rc;
}
