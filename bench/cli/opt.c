/*
 * opt.c - opt.h: the table-driven parser, its help text, and the number and list forms.
 */
#include "opt.h"
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf *exit_to;
static int quiet;
static const char *version = "parbench";

void cli_set_version(const char *line)
{
	version = line;
}

void cli_set_exit(jmp_buf *jb)
{
	exit_to = jb;
}

void cli_exit(int status)
{
	fflush(stdout);
	if (exit_to)
		longjmp(*exit_to, status + 1); /* setjmp's 0 means "first pass" */
	exit(status);
}

void cli_set_quiet(int q)
{
	quiet = q;
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	if (!quiet) {
		va_start(ap, fmt);
		diag_vline(fmt, ap);
		va_end(ap);
	}
	cli_exit(2);
}

void opt_none(void *ctx, const struct opt *o, const char *val)
{
	(void)ctx;
	(void)o;
	(void)val;
}

static const struct opt *find(const struct opt_cmd *c, const char *name, size_t len)
{
	for (const struct opt *o = c->opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/* One "--name[=value]" at argv[*i]; the value may be the next argument. */
static void parse_one(const struct opt_cmd *c, int argc, char **argv, int *i, opt_fn *fn,
		      void *ctx, struct opt_result *r)
{
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const struct opt *o = find(c, a, len);

	if (!o)
		usage_error("unknown option '--%.*s' for parbench %s (see parbench %s --help)",
			    (int)(len < 64 ? len : 64), a, c->name, c->name);
	size_t idx = (size_t)(o - c->opts);

	if (!o->arg) {
		if (eq)
			usage_error("option --%s takes no value", o->name);
		r->given[idx] = "";
		fn(ctx, o, NULL);
		return;
	}
	if (o->flags & OPT_MANY) {
		int n = 0;

		if (eq) {
			r->given[idx] = eq + 1;
			fn(ctx, o, eq + 1);
			n++;
		}
		while (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
			r->given[idx] = argv[++*i];
			fn(ctx, o, argv[*i]);
			n++;
		}
		if (!n)
			usage_error("option --%s needs a value (%s)", o->name, o->arg);
		return;
	}
	const char *v = eq ? eq + 1 : NULL;

	if (!v) {
		if (*i + 1 >= argc)
			usage_error("option --%s needs a value (%s)", o->name, o->arg);
		v = argv[++*i];
	}
	r->given[idx] = v;
	fn(ctx, o, v);
}

void opt_parse(const struct opt_cmd *c, int argc, char **argv, int first, opt_fn *fn, void *ctx,
	       struct opt_result *r)
{
	memset(r, 0, sizeof(*r));
	r->tail = argc;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			opt_help(stdout, c);
			cli_exit(0);
		}
		if (strcmp(a, "--version") == 0) {
			printf("%s\n", version);
			cli_exit(0);
		}
		if (strcmp(a, "--") == 0) {
			if (!c->tail)
				usage_error("parbench %s takes nothing after '--'", c->name);
			r->tail = i + 1;
			return;
		}
		if (strncmp(a, "--", 2) == 0) {
			parse_one(c, argc, argv, &i, fn, ctx, r);
			continue;
		}
		if (r->n_pos >= c->max_pos || r->n_pos >= OPT_MAX_POS)
			usage_error("unexpected argument '%s' for parbench %s (see parbench %s --help)",
				    a, c->name, c->name);
		r->pos[r->n_pos++] = a;
	}
}

void opt_help(FILE *f, const struct opt_cmd *c)
{
	fprintf(f, "usage: parbench %s%s%s\n", c->name, c->synopsis[0] ? " " : "", c->synopsis);
	if (c->about && c->about[0])
		fprintf(f, "\n%s\n", c->about);
	fprintf(f, "\noptions:\n");
	for (const struct opt *o = c->opts; o && o->name; o++) {
		char head[64];
		const char *h = o->help;

		snprintf(head, sizeof(head), "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(f, "  %-22s ", head);
		if (strlen(head) > 22)
			fprintf(f, "\n  %-22s ", "");
		for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(f, "%.*s\n  %-22s ", (int)(nl - h), h, "");
		fprintf(f, "%s\n", h);
	}
	fprintf(f, "  %-22s %s\n", "--help", "this text");
	fprintf(f, "  %-22s %s\n", "--version", "parbench's version and build");
}

/* A whole number, optionally in scientific notation with a decimal mantissa whose value
 * is whole: 2e9, 7.1e8, 1.50e2; not 1.5 or 1e-3. */
int opt_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0, e = 0;
	unsigned frac = 0, digits = 0;
	int dot = 0;
	const char *p = s;

	for (;; p++) {
		if (*p == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		digits++;
		frac += (unsigned)dot;
	}
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		const char *x = ++p;

		for (; *p >= '0' && *p <= '9'; p++)
			if ((e = e * 10 + (uint64_t)(*p - '0')) > 40)
				return -1; /* 10^20 overflows already; "0e4777777777777778888" looped */
		if (p == x)
			return -1;
	}
	if (*p)
		return -1;
	for (; frac > 0 && v % 10 == 0; frac--) /* 7.10e8: the trailing zero says nothing */
		v /= 10;
	if (e < frac)
		return -1; /* not a whole number */
	for (e -= frac; e > 0 && v; e--) {
		if (v > UINT64_MAX / 10)
			return -1;
		v *= 10;
	}
	*out = v;
	return 0;
}

uint64_t opt_u64(const char *opt, const char *val, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (opt_parse_u64(val, &v) != 0 || v < min || v > max)
		usage_error("bad value '%s' for %s (expected a whole number from %llu to %llu)", val,
			    opt, (unsigned long long)min, (unsigned long long)max);
	return v;
}

double opt_seconds(const char *opt, const char *val)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (end == val || *end || errno || !(v >= 0.001) || v > 3600)
		usage_error("bad value '%s' for %s (expected seconds, 0.001 <= s <= 3600)", val, opt);
	return v;
}

void opt_check_list(const char *opt, const char *list)
{
	size_t len = strlen(list);

	if (len && (list[0] == ',' || list[len - 1] == ',' || strstr(list, ",,")))
		usage_error("empty item in %s '%s'", opt, list);
}

void opt_twice(const char *opt, const char *value)
{
	usage_error("'%s' names %s twice", opt, value);
}

size_t opt_u64_list(const char *opt, const char *list, const char *many, const char *one,
		    uint64_t min, uint64_t max, uint64_t *out, size_t max_n)
{
	char buf[1024];
	char *save = NULL;
	size_t n = 0;

	opt_check_list(opt, list);
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == max_n)
			usage_error("too many %s in '%s'", many, list);
		out[n] = opt_u64(opt, t, min, max);
		for (size_t i = 0; i < n; i++)
			if (out[i] == out[n]) {
				char v[24];

				snprintf(v, sizeof(v), "%llu", (unsigned long long)out[n]);
				opt_twice(opt, v);
			}
		n++;
	}
	if (n == 0)
		usage_error("empty %s list '%s'", one, list);
	return n;
}
