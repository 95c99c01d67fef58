/*
 * memory.c - memory per worker, measured directly: the Rss and Pss of a thread, a forked
 * child (reading, writing or leaving a shared buffer alone) and a spawned program.
 */
#include "costs_int.h"

#include "clock.h"

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

/* Rss and Pss of a process from /proc/PID/smaps_rollup, in KiB. */
static int rss_pss(pid_t pid, double *rss, double *pss)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	*rss = *pss = -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Rss: %lf", rss);
		sscanf(line, "Pss: %lf", pss);
	}
	fclose(f);
	return *rss < 0 || *pss < 0 ? -1 : 0;
}

/* A child that reads (1) or writes (2) all of buf, or leaves it alone (0), then waits. */
static int child_footprint(unsigned char *buf, size_t len, int touch, double *rss, double *pss)
{
	int go[2];
	pid_t p;
	char c = 0;
	int rc;

	if (pipe(go))
		return -1;
	p = fork();
	if (p == 0) {
		volatile unsigned long sum = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (size_t i = 0; touch && i < len; i += 4096) {
			if (touch == 1)
				sum += buf[i];
			else
				buf[i] = (unsigned char)i;
		}
		(void)sum;
		if (write(go[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[1]); /* a child that dies is seen as end of file */
	rc = p > 0 && readable(go[0]) == 0 && read(go[0], &c, 1) == 1 ? rss_pss(p, rss, pss) : -1;
	if (p > 0) {
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
	}
	close(go[0]);
	return rc;
}

/* Threads parked until released, counted in: no barrier, so a thread that could not be
 * created leaves nobody waiting for it. */
struct parking {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int arrived, release;
};

static void *park(void *arg)
{
	struct parking *pk = arg;

	pthread_mutex_lock(&pk->mu);
	pk->arrived++;
	pthread_cond_broadcast(&pk->cv);
	while (!pk->release)
		pthread_cond_wait(&pk->cv, &pk->mu);
	pthread_mutex_unlock(&pk->mu);
	return NULL;
}

static void size_row(struct costs *c, const char *name, const char *what, double kib,
		     const char *how)
{
	char full[96];
	struct cost_row *r;

	snprintf(full, sizeof(full), "%s: %s", name, what);
	r = add_row(c, "memory", full, "MiB", how);
	r->median = r->min = r->max = kib / 1024;
	r->repetitions = 1;
	r->failed = kib < 0;
}

void memory_rows(struct costs *c)
{
	static const char *const names[] = { "forked worker, idle",
					     "forked worker, read 64 MiB inherited",
					     "forked worker, wrote 64 MiB inherited" };
	static const char *const how =
		"the child's Rss / Pss (shared pages split among sharers), /proc/PID/smaps_rollup";
	const size_t len = 64u << 20;
	unsigned char *buf = malloc(len);
	double rss, pss, before, after, unused;

	if (!buf)
		return;
	memset(buf, 1, len); /* the parent's data, resident before the fork */
	for (int touch = 0; touch < 3; touch++) {
		if (child_footprint(buf, len, touch, &rss, &pss))
			rss = pss = -1;
		size_row(c, names[touch], "RSS", rss, how);
		size_row(c, names[touch], "PSS", pss, how);
	}
	free(buf);

	/* threads share everything: what one more thread adds to the process */
	struct parking pk = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	pthread_t t[16];
	int made = 0, ok = rss_pss(getpid(), &before, &unused) == 0;

	for (; made < 16; made++)
		if (pthread_create(&t[made], NULL, park, &pk) != 0)
			break;
	pthread_mutex_lock(&pk.mu);
	while (pk.arrived < made)
		pthread_cond_wait(&pk.cv, &pk.mu);
	pthread_mutex_unlock(&pk.mu);
	ok = ok && made == 16 && rss_pss(getpid(), &after, &unused) == 0;
	pthread_mutex_lock(&pk.mu);
	pk.release = 1;
	pthread_cond_broadcast(&pk.cv);
	pthread_mutex_unlock(&pk.mu);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	size_row(c, "one more thread", "RSS", ok ? (after - before) / 16 : -1,
		 "growth of this process's Rss with 16 parked threads, divided by 16");
}

