/*
 * direct.c - rows measured directly, not through Google Benchmark: lost updates of an
 * unsynchronised counter, MPI latency and collectives (through mpirun); memory per worker
 * is memory.c.
 */
#include "costs_int.h"

#include "clock.h"
#include "median.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;


struct counter {
	atomic_int ready;          /* children waiting at the start gate */
	atomic_int go;             /* opened once all are forked: they start together */
	pthread_mutex_t mu;
	atomic_long atomic_n;
	volatile long plain_n;
	long locked_n;
};

enum counter_mode { CNT_LOCK, CNT_ATOMIC, CNT_PLAIN };

/* n processes x m increments; returns the final count and the seconds taken. */
static long run_counter(enum counter_mode mode, unsigned n, long m, double *sec)
{
	struct counter *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t ma;
	pid_t pids[16];
	long result;
	double t0;

	*sec = 0;
	if (c == MAP_FAILED)
		return -1;
	memset(c, 0, sizeof(*c));
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&c->mu, &ma);
	unsigned forked = 0;

	for (unsigned i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			break;
		forked++;
		if (pids[i] == 0) {
			double dl = pb_mono_s() + COSTS_WAIT_S;

			prctl(PR_SET_PDEATHSIG, SIGKILL); /* the parent gone: leave with it */
			atomic_fetch_add(&c->ready, 1);
			while (!atomic_load_explicit(&c->go, memory_order_acquire))
				if (pb_mono_s() > dl)
					_exit(1); /* never opened: the parent gave up */
				else
					spin_relax();
			for (long j = 0; j < m; j++) {
				if (mode == CNT_LOCK) {
					pthread_mutex_lock(&c->mu);
					c->locked_n++;
					pthread_mutex_unlock(&c->mu);
				} else if (mode == CNT_ATOMIC) {
					atomic_fetch_add_explicit(&c->atomic_n, 1, memory_order_relaxed);
				} else {
					c->plain_n = c->plain_n + 1; /* load, add, store: races */
				}
			}
			_exit(0);
		}
	}
	/* a start gate, so that the processes really run at the same time (forked one by one,
	 * each could finish before the next starts, and nothing would race) */
	double dl = pb_mono_s() + COSTS_WAIT_S;
	int ok = forked == n;

	while (ok && atomic_load(&c->ready) < (int)n)
		if (pb_mono_s() > dl)
			ok = 0;
		else
			spin_relax();
	t0 = pb_mono_s();
	if (!ok) /* a fork failed or a child never came: no figure, nobody left behind */
		for (unsigned i = 0; i < forked; i++)
			kill(pids[i], SIGKILL);
	atomic_store_explicit(&c->go, 1, memory_order_release);
	for (unsigned i = 0; i < forked; i++) {
		int st = 0;

		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			ok = 0;
	}
	*sec = pb_mono_s() - t0;
	if (!ok) {
		munmap(c, sizeof(*c));
		return -1;
	}
	result = mode == CNT_LOCK ? c->locked_n : mode == CNT_ATOMIC ? atomic_load(&c->atomic_n)
								     : c->plain_n;
	munmap(c, sizeof(*c));
	return result;
}

struct cost_row *add_row(struct costs *c, const char *group, const char *name,
				const char *unit, const char *how)
{
	struct cost_row *r = &c->rows[c->n++];

	memset(r, 0, sizeof(*r));
	r->group = group;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->unit = unit;
	r->how = how;
	return r;
}

static void set_stats(struct cost_row *r, double *v, size_t n);

/*
 * MPI (when built and mpirun is found): mpirun's start-up for the worker count, timed from
 * the spawn to mpirun's exit of ranks that only initialise MPI; and latency, barrier and
 * allreduce measured inside 2 (or workers) ranks by `parbench mpi-probe`.
 */
void mpi_rows(struct costs *c, const struct costs_opts *o)
{
	const char *mpirun = launch_mpirun();
	char exe[4096], out[64] = "/tmp/parbench-mpi-probe-XXXXXX", line[512], err[256];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	unsigned ranks = o->workers > 1 ? o->workers : 2;
	double v[9];
	int fd;

	if (!backend_find("mpi") || !mpirun || len <= 0 || c->n + 4 > sizeof(c->rows) / sizeof(c->rows[0]))
		return;
	exe[len] = '\0';
	const char *init_argv[] = { exe, "mpi-probe", "--init-only", NULL };
	const char *probe_argv[] = { exe, "mpi-probe", NULL };
	struct launch l = { .mpirun = mpirun, .ranks = ranks, .argv = init_argv,
			    .oversubscribe = o->topo && ranks > pin_topo_cores(o->topo) };
	struct cost_row *r = add_row(c, "start-up", "", "ms",
				     "time from spawning mpirun to its exit, ranks only initialise "
				     "MPI (ob1/vader); 5 repetitions after one warm-up");

	snprintf(r->name, sizeof(r->name), "mpirun -np %u, MPI_Init to exit", ranks);
	for (int i = -1; i < 5; i++) {
		double t0 = pb_mono_s();

		if (launch_run(&l, err, sizeof(err)) != 0) {
			r->failed = 1;
			return;
		}
		if (i >= 0)
			v[i] = (pb_mono_s() - t0) * 1e3;
	}
	set_stats(r, v, 5);

	fd = mkstemp(out);
	if (fd < 0)
		return;
	close(fd);
	l.argv = probe_argv;
	l.stdout_path = out;
	static const char *names[] = { "latency", "barrier", "allreduce" };
	static const char *labels[] = { "MPI ping-pong 8 B, one way", "MPI_Barrier",
					"MPI_Allreduce of one double" };
	struct cost_row *rows[3];

	for (int k = 0; k < 3; k++) {
		rows[k] = add_row(c, "communication", "", "us",
				  "MPI_Wtime around 2000 operations, 7 repetitions after a warm-up, "
				  "inside the ranks (parbench mpi-probe)");
		snprintf(rows[k]->name, sizeof(rows[k]->name), "%s, %u ranks", labels[k], ranks);
		rows[k]->failed = 1;
	}
	if (launch_run(&l, err, sizeof(err)) == 0) {
		FILE *f = fopen(out, "r");

		while (f && fgets(line, sizeof(line), f)) {
			for (int k = 0; k < 3; k++) {
				size_t nl = strlen(names[k]);
				char *p = line + nl, *end;
				size_t n = 0;

				if (strncmp(line, names[k], nl) != 0 || *p != ' ')
					continue;
				while (n < 7 && (v[n] = strtod(p, &end), end != p)) {
					p = end;
					n++;
				}
				if (n == 7) {
					set_stats(rows[k], v, n);
					rows[k]->failed = 0;
				}
			}
		}
		if (f)
			fclose(f);
	}
	unlink(out);
}

/* The median, min and max of v[0..n) into r (v is sorted). */
static void set_stats(struct cost_row *r, double *v, size_t n)
{
	r->median = median_in_place(v, n);
	r->min = v[0];
	r->max = v[n - 1];
	r->repetitions = n;
}

void shared_counter_rows(struct costs *c, int quick)
{
	static const char *const names[] = { "4 processes x 1M increments, process-shared lock",
					     "4 processes x 1M increments, atomic add",
					     "4 processes x 1M increments, plain load/add/store" };
	static const char *const hows[] = {
		"pthread mutex in shared memory around ++ (exact: must be 4,000,000)",
		"atomic_fetch_add on a shared word (exact: must be 4,000,000)",
		"no synchronization, all 4 started together: updates lost, share of 4,000,000",
	};
	const long m = quick ? 200000 : 1000000;
	const size_t reps = quick ? 3 : 5;

	for (int mode = CNT_LOCK; mode <= CNT_PLAIN; mode++) {
		struct cost_row *r = add_row(c, "shared counter", names[mode],
					     mode == CNT_PLAIN ? "% lost" : "ns/incr", hows[mode]);
		double v[8];

		if (quick)
			snprintf(r->name, sizeof(r->name), "4 processes x %ldk increments, %s", m / 1000,
				 mode == CNT_LOCK ? "process-shared lock"
				 : mode == CNT_ATOMIC ? "atomic add" : "plain load/add/store");
		for (size_t i = 0; i < reps; i++) {
			double sec = 0;
			long got = run_counter((enum counter_mode)mode, 4, m, &sec);

			if (got < 0) {
				r->failed = 1; /* the processes could not all run: no figure */
				v[i] = 0;
			} else if (mode == CNT_PLAIN) {
				v[i] = 100.0 * (double)(4 * m - got) / (double)(4 * m);
			} else {
				v[i] = sec * 1e9 / (double)(4 * m);
				if (got != 4 * m)
					r->failed = 1; /* a lock or an atomic that loses updates */
			}
		}
		set_stats(r, v, reps);
	}
}

