/*
 * pb-relay.c - a userspace Ethernet switch with links of a set rate and a fixed one-way
 * delay, for the simulated hosts of scripts/multinode.sh on kernels without netem
 * ("Specified qdisc kind is unknown").
 *
 *   pb-relay DELAY_US RATE_BIT_S IFACE...      (RATE_BIT_S 0: no rate limit)
 *
 * Each interface (the switch's end of a node's veth pair) is a port with a full-duplex link
 * of RATE: a frame from port a to port b is serialised on a's uplink, then on b's downlink
 * (each busy until its last frame has passed, as a real link is: no token bucket, no burst
 * above the rate), and delivered DELAY_US after that.  Destinations are learned from source
 * MACs; broadcasts and unknown ones go to every other port.  Frames to one port keep their
 * order.  The sockets carry virtio-net headers (PACKET_VNET_HDR), so TCP's 64 KiB
 * segmentation-offload frames pass whole with their checksum state: no offloads need to be
 * turned off, and the relay handles a few frames per megabyte instead of hundreds.  A
 * port's queue holds at most 50 ms of its rate (or 2048 frames); what does not fit is
 * dropped, as a switch would.  Runs until SIGTERM or SIGINT, then says on stderr what it
 * relayed and dropped.  Needs CAP_NET_RAW.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 64
#define SLOT_BYTES (sizeof(struct virtio_net_hdr) + 65536 + 64)
#define SLOTS 2048     /* frames queued per port */
#define QUEUE_NS 50000000 /* the most a port's queue holds, in time at its rate */

struct frame {
	int64_t due_ns;
	size_t len; /* virtio header included */
	unsigned char *data;
};

/* One port: its socket, its links' next free moments, and the frames queued for it. */
struct port {
	int fd;
	int64_t up_free, down_free; /* ns: when its uplink and downlink are next idle */
	struct frame q[SLOTS];
	unsigned head, count;
};

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_port(const char *ifname)
{
	int one = 1, fd;
	unsigned idx = if_nametoindex(ifname);
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int big = 8 << 20;

	if (!idx) {
		fprintf(stderr, "pb-relay: no interface %s\n", ifname);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("pb-relay: socket(AF_PACKET)");
		return -1;
	}
	sa.sll_ifindex = (int)idx;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "pb-relay: %s: %s\n", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	return fd;
}

/* MAC learning: the port a source address was last seen on. */
static struct {
	unsigned char mac[6];
	int port;
} macs[4 * MAX_PORTS];
static int n_macs;

static void learn(const unsigned char *mac, int port)
{
	for (int i = 0; i < n_macs; i++)
		if (!memcmp(macs[i].mac, mac, 6)) {
			macs[i].port = port;
			return;
		}
	if (n_macs < (int)(sizeof(macs) / sizeof(macs[0]))) {
		memcpy(macs[n_macs].mac, mac, 6);
		macs[n_macs++].port = port;
	}
}

static int port_of(const unsigned char *mac)
{
	if (mac[0] & 1) /* broadcast, multicast */
		return -1;
	for (int i = 0; i < n_macs; i++)
		if (!memcmp(macs[i].mac, mac, 6))
			return macs[i].port;
	return -1;
}

static struct port ports[MAX_PORTS];
static int n_ports;
static double ns_per_byte; /* 0: no rate limit */
static int64_t delay_ns;
static unsigned long long relayed, dropped, failed;

/* The bytes a frame takes on the wire: an offload frame as the MTU-sized frames it stands
 * for, each with its own headers. */
static size_t wire_bytes(const unsigned char *buf, size_t len)
{
	struct virtio_net_hdr h;
	size_t payload, segs;

	memcpy(&h, buf, sizeof(h));
	len -= sizeof(h);
	if (h.gso_type == VIRTIO_NET_HDR_GSO_NONE || !h.gso_size || h.hdr_len >= len)
		return len;
	payload = len - h.hdr_len;
	segs = (payload + h.gso_size - 1) / h.gso_size;
	return payload + segs * h.hdr_len;
}

/* Queues a copy of the frame (hdr + eth, len bytes) for port b, off a's uplink at t_up
 * (ns_per_byte: serialised on b's downlink too). */
static void enqueue(int b, const unsigned char *buf, size_t len, int64_t t_up, int64_t now)
{
	struct port *pb = &ports[b];
	int64_t t_down = t_up;
	struct frame *f;

	if (ns_per_byte > 0) {
		t_down = pb->down_free > t_up ? pb->down_free : t_up;
		if (t_down - now > QUEUE_NS) { /* a full queue: dropped, as a switch does */
			dropped++;
			return;
		}
		t_down += (int64_t)((double)wire_bytes(buf, len) * ns_per_byte);
		pb->down_free = t_down;
	}
	if (pb->count == SLOTS) {
		dropped++;
		return;
	}
	f = &pb->q[(pb->head + pb->count) % SLOTS];
	if (!f->data && !(f->data = malloc(SLOT_BYTES))) {
		dropped++;
		return;
	}
	memcpy(f->data, buf, len);
	f->len = len;
	f->due_ns = t_down + delay_ns;
	pb->count++;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_PORTS];
	static unsigned char buf[SLOT_BYTES];
	const size_t hdr = sizeof(struct virtio_net_hdr);
	char *end1 = NULL, *end2 = NULL;
	long delay_us = argc > 2 ? strtol(argv[1], &end1, 10) : -1;
	double rate = argc > 2 ? strtod(argv[2], &end2) : -1;

	n_ports = argc - 3;
	if (argc < 5 || *end1 || *end2 || delay_us < 0 || delay_us > 10000000 || !(rate >= 0) ||
	    n_ports > MAX_PORTS) {
		fprintf(stderr, "usage: pb-relay DELAY_US RATE_BIT_S IFACE... (2 to %d interfaces; "
				"rate 0: unlimited)\n", MAX_PORTS);
		return 2;
	}
	delay_ns = delay_us * 1000;
	ns_per_byte = rate > 0 ? 8e9 / rate : 0;
	for (int i = 0; i < n_ports; i++) {
		ports[i].fd = pfd[i].fd = open_port(argv[i + 3]);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0)
			return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	prctl(PR_SET_TIMERSLACK, 1UL); /* wake on time, not 50 us late */
	while (!stopping) {
		int64_t now = now_ns(), next = -1;
		struct timespec wait = { 1, 0 };

		/* send what is due, each port's frames in order */
		for (int p = 0; p < n_ports; p++) {
			struct port *pt = &ports[p];

			while (pt->count && pt->q[pt->head].due_ns <= now) {
				struct frame *f = &pt->q[pt->head];

				if (send(pt->fd, f->data, f->len, 0) < 0)
					failed++;
				relayed++;
				pt->head = (pt->head + 1) % SLOTS;
				pt->count--;
			}
			if (pt->count && (next < 0 || pt->q[pt->head].due_ns < next))
				next = pt->q[pt->head].due_ns;
		}
		if (next >= 0) {
			int64_t d = next - now;

			wait.tv_sec = d / 1000000000;
			wait.tv_nsec = d % 1000000000;
		}
		if (ppoll(pfd, (nfds_t)n_ports, &wait, NULL) < 0 && errno != EINTR) {
			perror("pb-relay: ppoll");
			return 1;
		}
		now = now_ns();
		for (int a = 0; a < n_ports; a++) {
			if (!(pfd[a].revents & POLLIN))
				continue;
			for (;;) {
				ssize_t got = recv(pfd[a].fd, buf, SLOT_BYTES, 0);
				int to;

				if (got < 0)
					break;
				if ((size_t)got < hdr + ETH_HLEN)
					continue;
				int64_t t_up = now;

				learn(buf + hdr + 6, a);
				to = port_of(buf + hdr);
				if (ns_per_byte > 0) { /* serialised on a's uplink */
					if (ports[a].up_free > t_up)
						t_up = ports[a].up_free;
					t_up += (int64_t)((double)wire_bytes(buf, (size_t)got) *
							  ns_per_byte);
					ports[a].up_free = t_up;
				}
				for (int b = 0; b < n_ports; b++)
					if (b != a && (to < 0 || b == to))
						enqueue(b, buf, (size_t)got, t_up, now);
			}
		}
	}
	fprintf(stderr, "pb-relay: %llu frames relayed, %llu dropped (queue full), %llu sends failed\n",
		relayed, dropped, failed);
	return 0;
}
