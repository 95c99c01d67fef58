/*
 * machine.h - the machine's state around a run, checked and recorded without changing
 * anything (as pyperf's `system check` does): CPU boost, steal time during the run (other
 * guests taking this VM's CPUs), other runnable processes, ASLR, and how steady the CPU's
 * speed was (filled by the sweep's probe).  Read from /proc and /sys;
 * what a machine does not expose stays "unknown".  It does not print.
 */
#ifndef PB_MACHINE_H
#define PB_MACHINE_H

#include <stdint.h>

struct machine_state {
	char boost[16];          /* "on", "off" or "unknown" (cpufreq boost / intel no_turbo) */
	int aslr;                /* /proc/sys/kernel/randomize_va_space, -1 unknown */
	unsigned busy;           /* other runnable processes at the start */
	char busy_names[256];    /* their names, comma-separated (the first few) */
	uint64_t stat0[2];       /* /proc/stat at the start: steal, total jiffies */
	double steal;            /* share of CPU time stolen during the run (0..1), -1 unknown */
	/* The steadiness probe's runs (bench/sweep/steady.h), if any: their count, the fastest
	 * in seconds, the median and the slowest as multiples of it, and the share slower than
	 * STEADY_SLOW times it; for `parbench compare`, the probe's size and the median in
	 * seconds with its order-statistics interval (stats_median_ci: 95 % from 6 runs). */
	unsigned steady_n;
	double steady_best_s, steady_median, steady_worst, steady_slow;
	unsigned long long steady_size;
	double steady_median_s, steady_ci_lo_s, steady_ci_hi_s, steady_ci_level;
};

/* At the start of a run. */
void machine_begin(struct machine_state *m);
/* At its end: fills steal. */
void machine_end(struct machine_state *m);

#endif
