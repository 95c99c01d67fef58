/*
 * mpi.c - MPI ranks as workers (Open MPI), exported twice: "mpi" (one rank per worker) and
 * "mpi+openmp" (workers = ranks x threads: each rank runs its share through its own instance
 * of the openmp backend, so OpenMP stays in openmp.c).
 *
 * Every rank runs the same program and the same sweep; the job's items are split statically
 * by rank (work_share).  A run is: barrier; each rank processes its share; partial results
 * go to rank 0 (MPI_Gather), which combines them in rank order, so the total is the same
 * bit for bit as serial's; the total is broadcast back.  The time of a run is the slowest
 * rank's, barrier to its end (MPI_Allreduce MAX), and every rank gets the same time, so the
 * ranks' Google Benchmark instances make the same decisions and stay in step.
 *
 * Jobs with spans (image rows): rank 0 holds the picture; it sends every other rank its
 * rows with their halo rows and receives the output rows back, and that transfer is part of
 * the run, as the pipe transport's is for the fork pool.  With no_scatter every rank reads
 * the input it set up itself (no scatter) and only the output rows travel.
 *
 * Each rank binds itself (and its OpenMP threads) to the plan's entries for its index on
 * its own node.  Waiting ranks yield rather than spin when mpirun is given
 * mpi_yield_when_idle (parbench passes it).  MPI is initialised at the first start and
 * finalised at exit (mpi_probe.c).  Not here: OpenMP, printing, timing policy.
 */
#include "backend.h"

#include <errno.h>
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpi_probe.h"

#define MPI_TAG_IN  11
#define MPI_TAG_OUT 12
#define MPI_PIECE   (1 << 30) /* bytes per message: counts are ints */

struct mpi_state {
	struct backend_config cfg;
	int rank, size, local_rank, threads;
	double last;              /* the last run's time, slowest rank */
	int cpu;                  /* this rank's (thread 0's) CPU */
	int bind_failed;
	unsigned char *in, *out;  /* receive buffers (ranks other than 0) */
	size_t in_cap, out_cap;
	struct backend_instance inner; /* mpi+openmp: the openmp backend on this rank's share */
	struct pin_plan inner_plan;    /* this rank's slice of the plan */
	int has_inner;
	unsigned char *gathered;  /* rank 0: one partial per rank */
	char placement[2048];     /* rank 0: "rank@host:cpu ..." of every rank */
};

static int grow(unsigned char **buf, size_t *cap, size_t len)
{
	if (len <= *cap)
		return 0;
	free(*buf);
	*buf = malloc(len ? len : 1);
	*cap = *buf ? len : 0;
	return *buf ? 0 : -ENOMEM;
}

static void send_bytes(const void *p, size_t len, int to, int tag)
{
	const unsigned char *c = p;

	do {
		int n = len > MPI_PIECE ? MPI_PIECE : (int)len;

		MPI_Send(c, n, MPI_BYTE, to, tag, MPI_COMM_WORLD);
		c += n;
		len -= (size_t)n;
	} while (len);
}

static void recv_bytes(void *p, size_t len, int from, int tag)
{
	unsigned char *c = p;

	do {
		int n = len > MPI_PIECE ? MPI_PIECE : (int)len;

		MPI_Recv(c, n, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		c += n;
		len -= (size_t)n;
	} while (len);
}

static int mpi_start_common(struct mpi_state *s, const struct backend_config *cfg, int hybrid)
{
	MPI_Comm node;
	char host[64] = "", line[128];
	int tcpu[16] = { 0 };
	int rc = mpi_ensure_init();

	s->cfg = *cfg;
	if (rc) {
		backend_set_error(cfg, "mpi: MPI_Init failed");
		return rc;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &s->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &s->size);
	if (!hybrid && cfg->workers != (unsigned)s->size) {
		backend_set_error(cfg, "mpi: %u workers asked for, but %d ranks were started (mpirun "
				  "-np %u)", cfg->workers, s->size, cfg->workers);
		return -EINVAL;
	}
	if (hybrid && (cfg->workers % (unsigned)s->size || cfg->workers < (unsigned)s->size)) {
		backend_set_error(cfg, "mpi+openmp: %u workers are not a multiple of the %d ranks",
				  cfg->workers, s->size);
		return -EINVAL;
	}
	s->threads = hybrid ? (int)(cfg->workers / (unsigned)s->size) : 1;
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, s->rank, MPI_INFO_NULL, &node);
	MPI_Comm_rank(node, &s->local_rank);
	MPI_Comm_free(&node);
	s->gathered = malloc(WORK_PARTIAL_MAX * (size_t)s->size);
	if (!s->gathered)
		return -ENOMEM;
	/* placement: rank r's thread t takes the plan's entry local_rank x threads + t */
	size_t first = (size_t)s->local_rank * (size_t)s->threads;

	if (hybrid) {
		const struct backend *omp = backend_find("openmp");
		struct backend_config icfg = { .workers = (unsigned)s->threads,
					       .schedule = SCHED_STATIC, .topo = cfg->topo };
		struct backend_stats *st;

		if (!omp) {
			backend_set_error(cfg, "mpi+openmp: this build has no openmp backend");
			return -ENOTSUP;
		}
		if (cfg->plan) {
			s->inner_plan = (struct pin_plan){ .policy = cfg->plan->policy,
							   .n = (unsigned)s->threads };
			for (int t = 0; t < s->threads; t++)
				s->inner_plan.pu[t] = first + (size_t)t < cfg->plan->n
							      ? cfg->plan->pu[first + (size_t)t] : -1;
			icfg.plan = &s->inner_plan;
		}
		rc = backend_instance_start(&s->inner, omp, &icfg);
		if (rc) {
			backend_set_error(cfg, "mpi+openmp: %s", s->inner.err);
			return rc;
		}
		s->has_inner = 1;
		st = calloc(1, sizeof(*st));
		if (st) {
			backend_instance_stats(&s->inner, st);
			for (unsigned t = 0; t < st->n_cpu && t < 16; t++)
				tcpu[t] = st->cpu[t];
			s->bind_failed = (int)st->bind_failures;
			free(st);
		}
	} else {
		if (cfg->topo && cfg->plan && first < cfg->plan->n &&
		    pin_bind_self(cfg->topo, cfg->plan->pu[first]))
			s->bind_failed = 1;
		tcpu[0] = pin_current_cpu();
	}
	s->cpu = tcpu[0];
	gethostname(host, sizeof(host) - 1);
	/* "rank@host:cpu", and the other threads' CPUs after commas (mpi+openmp) */
	int len = snprintf(line, sizeof(line), "%d@%s:%d", s->rank, host, s->cpu);

	for (int t = 1; t < s->threads && t < 16 && len > 0 && len + 8 < (int)sizeof(line); t++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, ",%d", tcpu[t]);
	/* every rank's placement to rank 0, for the run's metadata */
	char all[128 * 64];

	if (s->size <= 64) {
		MPI_Gather(line, 128, MPI_CHAR, all, 128, MPI_CHAR, 0, MPI_COMM_WORLD);
		if (s->rank == 0) {
			size_t used = 0;

			s->placement[0] = '\0';
			for (int r = 0; r < s->size && used + 130 < sizeof(s->placement); r++)
				used += (size_t)snprintf(s->placement + used, sizeof(s->placement) - used,
							 "%s%s", r ? " " : "", all + 128 * r);
		}
	}
	MPI_Barrier(MPI_COMM_WORLD);
	return 0;
}

static int mpi_start(void *state, const struct backend_config *cfg)
{
	return mpi_start_common(state, cfg, 0);
}

static int hybrid_start(void *state, const struct backend_config *cfg)
{
	return mpi_start_common(state, cfg, 1);
}

/* mpi+openmp: this rank's share as a job of its own for the inner openmp backend; items
 * [0, n) are the share's [base, base + n), on the rank's input (in == NULL) or on the copies
 * that arrived (in, out: the bytes of the whole share's span, starting at in0 / out0). */
struct share {
	const struct work *w;
	size_t base;
	const unsigned char *in, *in0;
	unsigned char *out, *out0;
};

static void share_range(void *ctx, size_t b, size_t e, void *partial)
{
	const struct share *sh = ctx;
	const struct work *w = sh->w;
	struct work_span sp;

	if (!sh->in) {
		w->range(w->ctx, sh->base + b, sh->base + e, partial);
		return;
	}
	w->span(w->ctx, sh->base + b, sh->base + e, &sp);
	w->range_io(w->ctx, sh->base + b, sh->base + e,
		    sh->in + ((const unsigned char *)sp.in - sh->in0),
		    sh->out + ((unsigned char *)sp.out - sh->out0), partial);
}

/* This rank's share [b, e) into *partial: directly (in == NULL) or on copies whose first
 * bytes are the span of [b, e). */
static void compute(struct mpi_state *s, const struct work *w, size_t b, size_t e,
		    const unsigned char *in, unsigned char *out, void *partial)
{
	struct share sh = { .w = w, .base = b, .in = in, .out = out };
	struct work_span whole;
	_Alignas(16) unsigned char mine[WORK_PARTIAL_MAX] = { 0 };

	if (e <= b)
		return;
	if (in) {
		w->span(w->ctx, b, e, &whole);
		sh.in0 = whole.in;
		sh.out0 = whole.out;
	}
	if (s->has_inner) {
		struct work sub = { .n = e - b, .ctx = &sh, .range = share_range,
				    .partial_size = w->partial_size, .combine = w->combine,
				    .result = mine };

		/* the openmp backend's run cannot fail; a rank must not leave the protocol */
		(void)backend_instance_run(&s->inner, &sub);
	} else {
		share_range(&sh, 0, e - b, mine);
	}
	w->combine(partial, mine);
}

/* Rank r's bytes (rank 0's addresses); 0 if r has no items. */
static int rank_span(const struct mpi_state *s, const struct work *w, int r, struct work_span *sp)
{
	size_t rb, re;

	work_share(w->n, (unsigned)r, (unsigned)s->size, &rb, &re);
	if (re <= rb)
		return 0;
	w->span(w->ctx, rb, re, sp);
	return 1;
}

static int mpi_run(void *state, const struct work *w)
{
	struct mpi_state *s = state;
	unsigned char partial[WORK_PARTIAL_MAX] = { 0 };
	size_t b, e;
	int data = w->span && w->range_io;
	double t0, dt;

	MPI_Barrier(MPI_COMM_WORLD);
	t0 = MPI_Wtime();
	work_share(w->n, (unsigned)s->rank, (unsigned)s->size, &b, &e);
	if (!data) {
		compute(s, w, b, e, NULL, NULL, partial);
	} else if (s->rank == 0) {
		struct work_span sp;

		/* rank 0 holds the input: send every other rank its rows, halos included */
		for (int r = 1; r < s->size && !s->cfg.no_scatter; r++)
			if (rank_span(s, w, r, &sp))
				send_bytes(sp.in, sp.in_len, r, MPI_TAG_IN);
		compute(s, w, b, e, NULL, NULL, partial);
		for (int r = 1; r < s->size; r++)
			if (rank_span(s, w, r, &sp))
				recv_bytes(sp.out, sp.out_len, r, MPI_TAG_OUT);
	} else if (e > b) {
		struct work_span sp;

		w->span(w->ctx, b, e, &sp);
		if (s->cfg.no_scatter) {
			/* this rank's own input; the output rows still go to rank 0 */
			compute(s, w, b, e, NULL, NULL, partial);
			send_bytes(sp.out, sp.out_len, 0, MPI_TAG_OUT);
		} else {
			if (grow(&s->in, &s->in_cap, sp.in_len) || grow(&s->out, &s->out_cap, sp.out_len))
				MPI_Abort(MPI_COMM_WORLD, 4); /* out of memory: fail loudly, all ranks */
			recv_bytes(s->in, sp.in_len, 0, MPI_TAG_IN);
			compute(s, w, b, e, s->in, s->out, partial);
			send_bytes(s->out, sp.out_len, 0, MPI_TAG_OUT);
		}
	}
	/* partials to rank 0, combined in rank order: the same total as serial, bit for bit */
	MPI_Gather(partial, (int)w->partial_size, MPI_BYTE, s->gathered, (int)w->partial_size,
		   MPI_BYTE, 0, MPI_COMM_WORLD);
	memset(w->result, 0, w->partial_size);
	if (s->rank == 0)
		for (int r = 0; r < s->size; r++)
			w->combine(w->result, s->gathered + (size_t)r * w->partial_size);
	MPI_Bcast(w->result, (int)w->partial_size, MPI_BYTE, 0, MPI_COMM_WORLD);
	dt = MPI_Wtime() - t0;
	MPI_Allreduce(&dt, &s->last, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	return 0;
}

static void mpi_stop(void *state)
{
	struct mpi_state *s = state;

	if (s->has_inner)
		backend_instance_stop(&s->inner);
	s->has_inner = 0;
	free(s->in);
	free(s->out);
	free(s->gathered);
	s->in = s->out = s->gathered = NULL;
	s->in_cap = s->out_cap = 0;
}

static void mpi_stats(const void *state, struct backend_stats *out)
{
	const struct mpi_state *s = state;

	out->n_cpu = 1;
	out->cpu[0] = s->cpu;
	out->bind_failures = (unsigned)s->bind_failed;
	snprintf(out->placement, sizeof(out->placement), "%s", s->placement);
}

static int mpi_agree(void *state, int ok)
{
	struct mpi_state *s = state;
	int all = 0;

	(void)s;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	return all;
}

static double mpi_elapsed(const void *state)
{
	return ((const struct mpi_state *)state)->last;
}

static int mpi_leader(const void *state)
{
	return ((const struct mpi_state *)state)->rank == 0;
}

const struct backend backend_mpi = {
	.name = "mpi",
	.summary = "MPI ranks (Open MPI), static split, partials gathered to rank 0; image rows "
		   "scattered and gathered",
	.caps = BACKEND_CAP_PROCESSES | BACKEND_CAP_PARALLEL | BACKEND_CAP_NEEDS_LAUNCHER,
	.state_size = sizeof(struct mpi_state),
	.start = mpi_start,
	.run = mpi_run,
	.stop = mpi_stop,
	.stats = mpi_stats,
	.agree = mpi_agree,
	.elapsed = mpi_elapsed,
	.leader = mpi_leader,
};

const struct backend backend_mpi_openmp = {
	.name = "mpi+openmp",
	.summary = "MPI ranks x OpenMP threads (workers = ranks x threads per rank)",
	.caps = BACKEND_CAP_PROCESSES | BACKEND_CAP_THREADS | BACKEND_CAP_PARALLEL |
		BACKEND_CAP_NEEDS_LAUNCHER,
	.state_size = sizeof(struct mpi_state),
	.start = hybrid_start,
	.run = mpi_run,
	.stop = mpi_stop,
	.stats = mpi_stats,
	.agree = mpi_agree,
	.elapsed = mpi_elapsed,
	.leader = mpi_leader,
};
