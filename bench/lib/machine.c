/*
 * machine.c - the machine's state around a run (see machine.h).
 */
#include "machine.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_int(const char *path, int *v)
{
	FILE *f = fopen(path, "r");
	int ok = f && fscanf(f, "%d", v) == 1;

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

/* steal and total jiffies of the "cpu" line of /proc/stat; -1 if unreadable */
static int read_steal(uint64_t out[2])
{
	FILE *f = fopen("/proc/stat", "r");
	unsigned long long v[10] = { 0 };
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9])
		  : 0;

	if (f)
		fclose(f);
	if (n < 8)
		return -1;
	out[0] = v[7];
	out[1] = 0;
	for (int i = 0; i < 8; i++) /* guest times are already inside user and nice */
		out[1] += v[i];
	return 0;
}

/* Runnable processes other than this one (state R in /proc/PID/stat). */
static void count_busy(struct machine_state *m)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t used = 0;
	long self = (long)getpid();

	m->busy = 0;
	m->busy_names[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[300], line[512], name[64], state;
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]) || atol(e->d_name) == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			char *open = strchr(line, '('), *close = strrchr(line, ')');

			if (open && close && close > open && close[1] == ' ') {
				snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1), open + 1);
				state = close[2];
				if (state == 'R') {
					m->busy++;
					if (used + strlen(name) + 2 < sizeof(m->busy_names))
						used += (size_t)snprintf(m->busy_names + used,
									 sizeof(m->busy_names) - used,
									 "%s%s", used ? "," : "", name);
				}
			}
		}
		fclose(f);
	}
	closedir(d);
}

void machine_begin(struct machine_state *m)
{
	int v;

	memset(m, 0, sizeof(*m));
	snprintf(m->boost, sizeof(m->boost), "unknown");
	if (read_int("/sys/devices/system/cpu/cpufreq/boost", &v) == 0)
		snprintf(m->boost, sizeof(m->boost), "%s", v ? "on" : "off");
	else if (read_int("/sys/devices/system/cpu/intel_pstate/no_turbo", &v) == 0)
		snprintf(m->boost, sizeof(m->boost), "%s", v ? "off" : "on");
	if (read_int("/proc/sys/kernel/randomize_va_space", &m->aslr) != 0)
		m->aslr = -1;
	count_busy(m);
	m->steal = -1;
	if (read_steal(m->stat0) != 0)
		m->stat0[1] = 0;
}

void machine_end(struct machine_state *m)
{
	uint64_t now[2];

	if (m->stat0[1] && read_steal(now) == 0 && now[1] > m->stat0[1])
		m->steal = (double)(now[0] - m->stat0[0]) / (double)(now[1] - m->stat0[1]);
}
