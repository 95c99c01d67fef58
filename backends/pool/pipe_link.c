/*
 * pipe_link.c - what a "fork-pool-pipe" run moves and what its pipes cost, for the scaling
 * model (backend.traffic): the parent writes every chunk's input bytes into a worker's pipe
 * and reads its output bytes back, one chunk after the other.  What the parent itself spends
 * on the bytes (its CPU time in write and read) is serial (link_s); the rest of a transfer,
 * the workers' side and the hand-offs, goes on for all workers side by side and divides
 * over them like compute (so the fit counts it as compute).  Each worker's chunks are a chain of hand-offs (task,
 * then result: 2 latencies per chunk), and the workers' chains run side by side.
 *
 * The pipe is measured once per process and size, with a child of its own (never a pool
 * worker, whose protocol stays the pool's) on the first worker's CPU, through pipes as
 * large as the pool's: 1-byte ping-pongs (latency: half the median
 * round trip) and transfers of the size of one chunk's bytes, answered by one byte, with the
 * writer's CPU time per byte taken on the way.
 */
#include "backend.h"
#include "clock.h"
#include "median.h"
#include "pool.h"
#include "pool_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PING_REPS 15
#define BULK_REPS 5
#define BULK_MIN  (4u << 20)
#define BULK_MAX  (16u << 20)

static struct {
	size_t size;
	double lat, bw;          /* a transfer's latency and bandwidth, both ends */
	double parent_s_per_byte; /* the writer's own CPU time per byte */
} pipe_link;

/* Whole transfers (a dead reader's SIGPIPE swallowed: pool_io.c).  0 or -1. */
static int xfer(int fd, void *buf, size_t len, int out)
{
	return out ? pool_write_full(fd, buf, len) : pool_read_full(fd, buf, len) == 1 ? 0 : -1;
}

/* The child: "size" (8 bytes), then size bytes, answered by 1 byte; size 0 ends it. */
static void echo_child(int in, int out, unsigned char *buf)
{
	uint64_t n;

	while (xfer(in, &n, sizeof(n), 0) == 0 && n && xfer(in, buf, n, 0) == 0 &&
	       xfer(out, buf, 1, 1) == 0)
		;
	_exit(0);
}

/* One message of n bytes and its answer, seconds (negative: the pipe failed). */
static double round_trip(int to, int from, unsigned char *buf, uint64_t n)
{
	double t0 = pb_mono_s();

	if (xfer(to, &n, sizeof(n), 1) || xfer(to, buf, n, 1) || xfer(from, buf, 1, 0))
		return -1;
	return pb_mono_s() - t0;
}

static int probe(size_t size, const struct backend_config *cfg)
{
	int down[2], up[2], rc = -EIO;
	unsigned char *buf = calloc(1, size);
	double t[PING_REPS];
	pid_t pid;

	if (!buf)
		return -ENOMEM;
	if (pipe(down)) {
		free(buf);
		return -errno;
	}
	if (pipe(up)) {
		close(down[0]);
		close(down[1]);
		free(buf);
		return -errno;
	}
	/* as the pool's pipes are: as large, and the reader on the first worker's CPU */
	(void)fcntl(down[1], F_SETPIPE_SZ, POOL_PIPE_BYTES);
	(void)fcntl(up[1], F_SETPIPE_SZ, POOL_PIPE_BYTES);
	pid = fork();
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		if (cfg->topo && cfg->plan && cfg->plan->n)
			(void)pin_bind_self(cfg->topo, cfg->plan->pu[0]);
		echo_child(down[0], up[1], buf);
	}
	close(down[0]);
	close(up[1]);
	if (pid > 0) {
		int i, ok = 1;

		for (i = -3; i < PING_REPS && ok; i++) {
			double x = round_trip(down[1], up[0], buf, 1);

			ok = x >= 0;
			if (i >= 0)
				t[i] = x;
		}
		if (ok)
			pipe_link.lat = median_in_place(t, PING_REPS) / 2;
		double cpu[BULK_REPS];

		for (i = -1; i < BULK_REPS && ok; i++) {
			double c0 = pb_thread_cpu_s(), x = round_trip(down[1], up[0], buf, size);

			ok = x >= 0;
			if (i >= 0) {
				t[i] = x;
				cpu[i] = pb_thread_cpu_s() - c0;
			}
		}
		if (ok) {
			double bulk = median_in_place(t, BULK_REPS) - 2 * pipe_link.lat;

			pipe_link.bw = (double)size / (bulk > 1e-9 ? bulk : 1e-9);
			pipe_link.parent_s_per_byte = median_in_place(cpu, BULK_REPS) / (double)size;
			pipe_link.size = size;
			rc = 0;
		}
	}
	close(down[1]); /* the child reads EOF and ends */
	close(up[0]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	free(buf);
	return pid < 0 ? -EAGAIN : rc;
}

int pipe_traffic(const struct work *w, const struct backend_config *cfg, struct backend_traffic *t)
{
	size_t chunk = cfg->chunk, chunks, most = 0;
	unsigned nw = cfg->workers ? cfg->workers : 1;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!chunk)
		chunk = pool_default_chunk(w->n, nw); /* as pool_map() deals them */
	chunks = (w->n + chunk - 1) / chunk;
	for (size_t b = 0; b < w->n && w->span && w->range_io; b += chunk) {
		struct work_span sp;
		size_t e = w->n - b > chunk ? b + chunk : w->n;

		w->span(w->ctx, b, e, &sp);
		t->bytes += sp.in_len + sp.out_len;
		if (sp.in_len > most)
			most = sp.in_len;
	}
	t->volume = t->bytes;
	most = most < BULK_MIN ? BULK_MIN : most > BULK_MAX ? BULK_MAX : most;
	if (!(pipe_link.size && most <= 2 * pipe_link.size && 2 * most >= pipe_link.size)) {
		rc = probe(most, cfg);
		if (rc)
			return rc;
	}
	t->messages = 2 * ((chunks + nw - 1) / nw);
	t->latency_s = pipe_link.lat;
	/* the rate the model charges them at: the parent's own, serial (pipe_link.bw, both ends
	 * of a transfer together, only shows in the probe) */
	t->bytes_per_s = pipe_link.parent_s_per_byte > 0 ? 1 / pipe_link.parent_s_per_byte : 0;
	t->link_s = (double)t->bytes * pipe_link.parent_s_per_byte +
		    (double)t->messages * pipe_link.lat;
	return 0;
}
