/*
 * cmd.h - parbench's commands (one file each in this folder) and what they share.
 *
 * A command parses its arguments against its option table (cli/opt.h) into its own state,
 * then runs.  It prints its tables on stdout and its diagnostics on stderr (cli/diag.h: a
 * line in one write), and returns the exit status: 0; 1 (EXIT_VERIFY) a verification
 * failure, a failed worker or an unwritable result; 2 bad usage (through usage_error());
 * 130/143 interrupted after saving what was measured.  Only main() ends the program.
 */
#ifndef PB_CMD_H
#define PB_CMD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "opt.h"
#include "sweep.h"

#define EXIT_VERIFY 1
#define EXIT_USAGE  2
#define DEFAULT_TIMEOUT_S 300

struct pin_topo;

/* A command's state lives in one struct of its own, which main allocates (state_size bytes,
 * zeroed), hands to parse and then exec, and frees after (FFmpeg's priv_data_size): a
 * command keeps nothing of one invocation in file-level variables.  state is NULL when
 * state_size is 0. */
struct command {
	const struct opt_cmd *cli;   /* name, synopsis, about, option table */
	const char *summary;         /* one line for `parbench --help` */
	int hidden;                  /* for parbench's own use (mpi-probe, rank) */
	void (*parse)(void *state, int argc, char **argv); /* argv[1] is the command's name */
	int (*exec)(void *state);
	size_t state_size;
};

extern const struct command cmd_list, cmd_run, cmd_costs, cmd_topology, cmd_filter,
	cmd_report, cmd_compare, cmd_project, cmd_roofline, cmd_mpi_probe, cmd_rank;

/* Set by the SIGINT/SIGTERM handler (lock-free: async-signal-safe, read by the watchdog). */
extern atomic_int stop_signal;
void cmd_catch_signals(void);

/* Shared by the commands' parsers: lists checked against the registries (usage errors; a
 * name given twice too). */
void parse_kernels(const char *list, struct sweep_opts *o);
void parse_backends(const char *list, struct sweep_opts *o);
void parse_workers(const char *list, struct sweep_opts *o);
enum backend_schedule parse_schedule(const char *s);
/* A PU list given as a pin policy ("0,2-3") that names a PU twice is a usage error (opt_twice);
 * other policies, and lists that are not well formed, are left to pin_plan_make(). */
void check_pin_list(const char *opt, const char *pin);
/* Uses the kernels' variant name for every kernel (a usage error if unknown or not
 * runnable here), and remembers it in variant_forced. */
void set_variant(const char *name, const char *from);
/* The variant --isa or PARBENCH_ISA forced, or NULL: each kernel's is then timed (pick.h). */
extern const char *variant_forced;

/* The machine's topology as this process may use it; NULL after saying why on stderr. */
struct pin_topo *load_topology(void);
/* A usage error for a pin policy the topology cannot plan (one wording everywhere). */
__attribute__((noreturn)) void bad_pin(struct pin_topo *topo, const char *pin);

/* The first line of path starting with prefix (NULL: the first line), after its ": ". */
void read_first_line(const char *path, const char *prefix, char *buf, size_t len);
/* Where and when a run is measured, read now for its meta.json (run, and rank under
 * mpirun): the host's name, the date (UTC, ISO 8601), /proc/cpuinfo's model name and cpu0's
 * frequency governor ("" where unknown). */
struct machine_facts {
	char host[256], date[64], cpu_model[256], governor[64];
};
void machine_facts_read(struct machine_facts *f);
void read_load(double load[3]);
/* The results directory's name: out, or results/<date>-<time>-<host><suffix> (in buf). */
const char *out_dir_name(const char *out, const char *suffix, char *buf, size_t len);
/* The same, created (costs writes into it), or a usage error if it is a symbolic link, not a
 * folder, a folder holding anything but an earlier price list, or cannot be written. */
const char *make_out_dir(const char *out, const char *suffix, char *buf, size_t len);
struct run_meta;
struct roof;
/* Charts (gnuplot, with the roof's chart if roof), report.md and report.html of a run
 * directory; a signal that sets *stop (NULL: none) during the charts stops them.  0, -1 if a
 * report failed, or -EINTR when stopped (neither charts nor reports written). */
int write_report(const char *dir, const struct sweep *sw, const struct run_meta *meta,
		 const struct roof *roof, atomic_int *stop);
/* Three significant digits without exponents: 0.00586, 12.4, 3900. */
const char *fmt_num(char *buf, size_t len, double v);

#endif
