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
 * finalised at exit (mpi_init.c).  Not here: OpenMP, printing, timing policy.
 */
#include "mpi_int.h"

#include <errno.h>
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>




static int mpi_start_common(struct mpi_state *s, const struct backend_config *cfg, int hybrid)
{
	MPI_Comm node;
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
	rc = mpi_place(s, cfg, hybrid);
	if (rc)
		return rc;
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
				mpi_send_bytes(sp.in, sp.in_len, r, MPI_TAG_IN);
		compute(s, w, b, e, NULL, NULL, partial);
		for (int r = 1; r < s->size; r++)
			if (rank_span(s, w, r, &sp))
				mpi_recv_bytes(sp.out, sp.out_len, r, MPI_TAG_OUT);
	} else if (e > b) {
		struct work_span sp;

		w->span(w->ctx, b, e, &sp);
		if (s->cfg.no_scatter) {
			/* this rank's own input; the output rows still go to rank 0 */
			compute(s, w, b, e, NULL, NULL, partial);
			mpi_send_bytes(sp.out, sp.out_len, 0, MPI_TAG_OUT);
		} else {
			if (mpi_grow(&s->in, &s->in_cap, sp.in_len) || mpi_grow(&s->out, &s->out_cap, sp.out_len))
				MPI_Abort(MPI_COMM_WORLD, 4); /* out of memory: fail loudly, all ranks */
			mpi_recv_bytes(s->in, sp.in_len, 0, MPI_TAG_IN);
			compute(s, w, b, e, s->in, s->out, partial);
			mpi_send_bytes(s->out, sp.out_len, 0, MPI_TAG_OUT);
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
	out->phys_cpus = s->phys_cpus;
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
	.traffic = mpi_traffic,
	.link_at = mpi_link_at,
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
	.traffic = mpi_traffic,
	.link_at = mpi_link_at,
	.agree = mpi_agree,
	.elapsed = mpi_elapsed,
	.leader = mpi_leader,
};
