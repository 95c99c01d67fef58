/*
 * clock.c - clock.h on clock_gettime(): the only file that reads a clock (scripts/pb-relay.c,
 * a tool of its own, aside).
 */
#include "clock.h"

static struct timespec now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts;
}

double pb_mono_s(void)
{
	struct timespec ts = now(CLOCK_MONOTONIC);

	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t pb_mono_ns(void)
{
	struct timespec ts = now(CLOCK_MONOTONIC);

	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double pb_thread_cpu_s(void)
{
	struct timespec ts = now(CLOCK_THREAD_CPUTIME_ID);

	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct timespec pb_mono_deadline(double s)
{
	struct timespec ts = now(CLOCK_MONOTONIC);
	uint64_t ns = s > 0 ? (uint64_t)(s * 1e9) : 0;

	ns += (uint64_t)ts.tv_nsec;
	ts.tv_sec += (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	return ts;
}

int pb_mono_cond_init(pthread_cond_t *cv, int pshared)
{
	pthread_condattr_t ca;
	int rc = pthread_condattr_init(&ca);

	if (rc)
		return rc;
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (!rc && pshared)
		rc = pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	if (!rc)
		rc = pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
	return rc;
}
