/*
 * opt.h - the command line's one option parser, driven by each command's table.
 *
 * Every command describes its options in a table (name, value, help, flags); opt_parse()
 * walks argv once against it: `--x v` and `--x=v`, `--` (the rest is passed on), --help
 * (the command's help, built from its table, exit 0), and one wording for every usage error.
 * Values are handed to the command's callback as text; the opt_u64()/opt_seconds()/list
 * helpers convert them with the same messages everywhere.  A usage error is one line on
 * stderr ("parbench: ...") and exit status 2; --version prints the program's version, through cli_exit(), whose landing place main()
 * sets: main is the only place that ends the program.
 */
#ifndef PB_OPT_H
#define PB_OPT_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OPT_MANY  2u /* takes every following argument up to the next --option */
#define OPT_MAX   64 /* options in a table */
#define OPT_MAX_POS 8

struct opt {
	int id;             /* the command's own number for it */
	const char *name;   /* as typed, without "--" */
	const char *arg;    /* what the value is ("LIST"), or NULL for a flag */
	const char *help;   /* '\n' starts an indented continuation line */
	unsigned flags;
};

struct opt_cmd {
	const char *name;       /* "run" */
	const char *synopsis;   /* "[options] [-- google-benchmark flags]" */
	const char *about;      /* what it does: printed under the synopsis */
	const struct opt *opts; /* ended by an entry whose name is NULL */
	int max_pos;            /* positional arguments it takes */
	const char *pos_name;   /* their name for messages ("run directories") */
	int tail;               /* "--" ends the options and the rest is passed on */
};

struct opt_result {
	const char *pos[OPT_MAX_POS];
	int n_pos;
	int tail;                  /* argv index after "--", or argc */
	const char *given[OPT_MAX]; /* per table entry: its last value, "" for a flag, or NULL */
};

/* Called for every option in order; val is NULL for a flag.  OPT_MANY options are called
 * once per value. */
typedef void opt_fn(void *ctx, const struct opt *o, const char *val);

/* The callback of a command whose table has no options. */
void opt_none(void *ctx, const struct opt *o, const char *val);
/* Parses argv[first..] (argv[first - 1] is the command's name). */
void opt_parse(const struct opt_cmd *c, int argc, char **argv, int first, opt_fn *fn, void *ctx,
	       struct opt_result *r);
/* The command's help: synopsis, about, options. */
void opt_help(FILE *f, const struct opt_cmd *c);

/* Where cli_exit() lands (main's setjmp); until set, cli_exit() calls exit(). */
void cli_set_exit(jmp_buf *jb);
__attribute__((noreturn)) void cli_exit(int status);
/* The line --version prints (the program's and every command's). */
void cli_set_version(const char *line);
/* Usage errors are not printed (MPI ranks other than 0: rank 0 says it). */
void cli_set_quiet(int quiet);
/* One line "parbench: ..." on stderr, exit status 2. */
__attribute__((noreturn, format(printf, 1, 2))) void usage_error(const char *fmt, ...);

/* Unsigned decimal with an optional exponent ("2e9"): exact, no sign, no overflow. 0 or -1. */
int opt_parse_u64(const char *s, uint64_t *out);
/* The value of option opt as a number in [min, max]; a usage error otherwise. */
uint64_t opt_u64(const char *opt, const char *val, uint64_t min, uint64_t max);
/* Seconds, 0.001 <= s <= 3600. */
double opt_seconds(const char *opt, const char *val);
/* A comma-separated list with no empty item ("1,,2", ",1", "1,"). */
void opt_check_list(const char *opt, const char *list);
/* A usage error for a list option that names a value twice: "'--workers' names 1 twice". */
__attribute__((noreturn)) void opt_twice(const char *opt, const char *value);
/* Numbers in [min, max] from a comma-separated list into out (at most max_n); how many.
 * many/one name the items in messages ("worker counts", "worker").  A number given twice,
 * however spelt (2 and 02, 1e3 and 1000), is a usage error (opt_twice). */
size_t opt_u64_list(const char *opt, const char *list, const char *many, const char *one,
		    uint64_t min, uint64_t max, uint64_t *out, size_t max_n);

#endif
