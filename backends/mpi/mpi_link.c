/*
 * mpi_link.c - what an MPI run moves, and what it costs on the links between rank 0 and the
 * other ranks, for the scaling model (backend.traffic and backend.link_at).
 *
 * A run of a job with spans (mpi.c): rank 0 sends every other rank its input rows, one peer
 * after the other, then gets their output rows back, one after the other.  Each of those
 * messages is large: Open MPI's rendezvous (the sender's request, the receiver's answer,
 * then the data), so, with d_r a peer's bytes at its bandwidth and L its one-way latency:
 *   scatter: 2 L (the first answer) + d_1, then per further peer max(d_r, 2 L) (its
 *            handshake runs while the previous data drains), + L (the last data arrives);
 *   gather:  2 L + d_r per peer (answer, data; each receive waits for the one before), and
 *            with a single peer 1 L more (its request leaves only after its compute);
 *   then the total is broadcast: ceil(log2 p) L to the farthest rank.
 * A job without spans: 1 L (the slowest partial) + ceil(log2 p) L.  These counts were
 * measured on simulated hosts with a 2 ms delay: 4 ranks' scatter and gather of 786 kB each
 * took 9.4 L beyond their bytes at the link's rate, the count above 9.
 *
 * The links are measured, not assumed: once per process and message size, rank 0 and one
 * rank of each host in turn (the host's other ranks share that link) do 8-byte ping-pongs
 * (latency: half the median round trip), then transfers of two sizes (the size a peer's share moves, and an eighth of it) answered by 8
 * bytes: bandwidth from the difference, so the handshakes' fixed cost stays out of it, or
 * from the big transfer alone where that is higher (see probe_peer).  Rank 0 sends from the
 * job's own input when its size fits, as the scatter reads it (a fresh buffer's pages are
 * all the one zero page, always in the caches).
 */
#include "mpi_int.h"

#include "median.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PING_REPS  15
#define BULK_REPS  3
#define BULK_MIN   (256u << 10)
#define BULK_MAX   (16u << 20)
#define MPI_TAG_PROBE 13

static struct {
	size_t size; /* bytes of the bulk transfers measured, 0: not yet */
	int peers;
	/* per rank (index 0 unused): seconds, bytes per second */
	double lat[BACKEND_MAX_WORKERS], bw[BACKEND_MAX_WORKERS];
} link;


/* Rank 0 and rank r: latency and bandwidth of their link at `size` bytes, rank 0 sending
 * from src (the job's own input, as a run's scatter reads it) or buf. */
static void probe_peer(const struct mpi_state *s, int r, unsigned char *buf, const void *src,
		       size_t size)
{
	double t[PING_REPS], one = 0;
	int peer = s->rank == 0 ? r : 0;

	for (int i = -3; i < PING_REPS; i++) {
		double t0 = MPI_Wtime();

		if (s->rank == 0) {
			MPI_Send(&one, 1, MPI_DOUBLE, peer, MPI_TAG_PROBE, MPI_COMM_WORLD);
			MPI_Recv(&one, 1, MPI_DOUBLE, peer, MPI_TAG_PROBE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else {
			MPI_Recv(&one, 1, MPI_DOUBLE, peer, MPI_TAG_PROBE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			MPI_Send(&one, 1, MPI_DOUBLE, peer, MPI_TAG_PROBE, MPI_COMM_WORLD);
		}
		if (i >= 0)
			t[i] = MPI_Wtime() - t0;
	}
	double lat = median_in_place(t, PING_REPS) / 2, bulk[2];
	size_t n[2] = { size / 8, size };

	for (int k = 0; k < 2; k++) {
		for (int i = -1; i < BULK_REPS; i++) {
			double t0 = MPI_Wtime();

			if (s->rank == 0) {
				mpi_send_bytes(src ? src : buf, n[k], peer, MPI_TAG_PROBE);
				MPI_Recv(&one, 1, MPI_DOUBLE, peer, MPI_TAG_PROBE, MPI_COMM_WORLD,
					 MPI_STATUS_IGNORE);
			} else {
				mpi_recv_bytes(buf, n[k], peer, MPI_TAG_PROBE);
				MPI_Send(&one, 1, MPI_DOUBLE, peer, MPI_TAG_PROBE, MPI_COMM_WORLD);
			}
			if (i >= 0)
				t[i] = MPI_Wtime() - t0;
		}
		bulk[k] = median_in_place(t, BULK_REPS);
	}
	double slope = bulk[1] > bulk[0] ? (double)(n[1] - n[0]) / (bulk[1] - bulk[0]) : 0;
	double whole = (double)n[1] / (bulk[1] - 4 * lat > 1e-9 ? bulk[1] - 4 * lat : 1e-9);

	link.lat[r] = lat;
	/* Over TCP the slope is the higher: a transfer's fixed cost is more than 4 latencies.
	 * Where the small transfer takes a faster path than the big one (shared memory: it stays
	 * in the caches), the slope is too low and the whole big transfer is the rate. */
	link.bw[r] = slope > whole ? slope : whole;
}

/* Measures every peer's link at `size` bytes (rank 0 sending from src if not NULL), unless
 * done at a size within 2x of it. */
static int probe_links(const struct mpi_state *s, size_t size, const void *src)
{
	unsigned char *buf;

	if (link.size && link.peers == s->size && size <= 2 * link.size && 2 * size >= link.size)
		return 0;
	buf = calloc(1, size);
	int ok = buf != NULL, all = 0;

	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (!all) {
		free(buf);
		return -ENOMEM;
	}
	/* one peer per host: the others on that host share its link (each rank's host named by
	 * the lowest world rank on it, which every rank learns) */
	static int host_of[BACKEND_MAX_WORKERS];
	MPI_Comm node;
	int leader = s->rank;

	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, s->rank, MPI_INFO_NULL, &node);
	MPI_Bcast(&leader, 1, MPI_INT, 0, node);
	MPI_Comm_free(&node);
	MPI_Allgather(&leader, 1, MPI_INT, host_of, 1, MPI_INT, MPI_COMM_WORLD);
	for (int r = 1; r < s->size; r++) {
		int q = 1;

		while (q < r && host_of[q] != host_of[r])
			q++;
		if (q < r) { /* a peer on r's host was measured: the same link */
			link.lat[r] = link.lat[q];
			link.bw[r] = link.bw[q];
		} else if (s->rank == 0 || s->rank == r) {
			probe_peer(s, r, buf, src, size);
		}
	}
	free(buf);
	MPI_Bcast(link.lat, s->size, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	MPI_Bcast(link.bw, s->size, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	link.size = size;
	link.peers = s->size;
	return 0;
}

static unsigned ceil_log2(unsigned x)
{
	unsigned l = 0;

	while ((1u << l) < x)
		l++;
	return l;
}

/* The link time of a run by the rules above: peers 1..n, in[r] and out[r] bytes each (all
 * zero: a job without spans), bw[r], lat[r]; *messages gets the latencies counted. */
static double link_time(unsigned p, unsigned n, const double *in, const double *out,
			const double *bw, const double *lat, uint64_t *messages)
{
	double t = 0, worst = 0;
	uint64_t m = 0;
	int data = 0;

	for (unsigned r = 1; r <= n; r++) {
		data |= in[r] > 0 || out[r] > 0;
		if (lat[r] > worst)
			worst = lat[r];
	}
	for (unsigned r = 1; r <= n && data; r++) {
		double d_in = in[r] / bw[r];

		if (r == 1) {
			t += 2 * lat[r] + d_in;
			m += 2;
		} else if (d_in >= 2 * lat[r]) {
			t += d_in;
		} else {
			t += 2 * lat[r];
			m += 2;
		}
		t += 2 * lat[r] + out[r] / bw[r];
		m += 2;
	}
	if (data) {
		t += worst * (n == 1 ? 2 : 1); /* the last data arrives; a single peer's request */
		m += n == 1 ? 2 : 1;
	} else if (n) {
		t += worst; /* the slowest partial */
		m += 1;
	}
	t += worst * ceil_log2(p);
	m += ceil_log2(p);
	*messages = n ? m : 0;
	return n ? t : 0;
}

double mpi_link_at(unsigned workers, unsigned hosts, uint64_t volume, double bytes_per_s,
		   double latency_s, uint64_t *bytes, uint64_t *messages)
{
	static double in[BACKEND_MAX_WORKERS + 1], out[BACKEND_MAX_WORKERS + 1],
		bw[BACKEND_MAX_WORKERS + 1], lat[BACKEND_MAX_WORKERS + 1];
	unsigned per_host, remote;

	if (hosts < 1)
		hosts = 1;
	if (workers > BACKEND_MAX_WORKERS)
		workers = BACKEND_MAX_WORKERS;
	per_host = (workers + hosts - 1) / hosts; /* ranks fill a host's slots first */
	remote = workers > per_host ? workers - per_host : 0;
	/* the ranks on rank 0's node go through shared memory: not on the links */
	for (unsigned r = 1; r <= remote; r++) {
		in[r] = out[r] = (double)volume / 2 / workers; /* the filters: as many out as in */
		bw[r] = bytes_per_s;
		lat[r] = latency_s;
	}
	*bytes = workers ? (uint64_t)((double)volume * remote / workers) : 0;
	return link_time(workers, remote, in, out, bw, lat, messages);
}

int mpi_traffic(void *state, const struct work *w, struct backend_traffic *t)
{
	struct mpi_state *s = state;
	int data = w->span && w->range_io;
	static double in[BACKEND_MAX_WORKERS], out[BACKEND_MAX_WORKERS];
	size_t most = 0;
	const void *src = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	if (s->size < 2 || s->size > BACKEND_MAX_WORKERS)
		return 0;
	for (int r = 0; r < s->size && data; r++) {
		size_t rb, re;
		struct work_span sp;

		work_share(w->n, (unsigned)r, (unsigned)s->size, &rb, &re);
		if (re <= rb)
			continue;
		w->span(w->ctx, rb, re, &sp);
		t->volume += sp.in_len + sp.out_len;
		if (r == 0)
			continue;
		in[r] = s->cfg.no_scatter ? 0 : (double)sp.in_len;
		out[r] = (double)sp.out_len;
		t->bytes += (uint64_t)(in[r] + out[r]);
		if (sp.in_len > most) {
			most = sp.in_len;
			src = sp.in;
		}
	}
	if (most < BULK_MIN || most > BULK_MAX) /* the job's input is not the size measured */
		src = NULL;
	most = most < BULK_MIN ? BULK_MIN : most > BULK_MAX ? BULK_MAX : most;
	rc = probe_links(s, most, s->rank == 0 ? src : NULL);
	if (rc)
		return rc;
	for (int r = 1; r < s->size; r++) {
		if (link.lat[r] > t->latency_s)
			t->latency_s = link.lat[r];
		if (!t->bytes_per_s || link.bw[r] < t->bytes_per_s)
			t->bytes_per_s = link.bw[r];
	}
	t->link_s = link_time((unsigned)s->size, (unsigned)s->size - 1, in, out, link.bw,
			      link.lat, &t->messages);
	return 0;
}
