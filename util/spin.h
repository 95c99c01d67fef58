/*
 * spin.h - one poll of a spin-wait, for the hand-overs that spin before they block (the
 * thread and process pools, the costs' ping-pong).  Every SPIN_YIELD_EVERY-th poll yields
 * the CPU instead of pausing: with as many spinning workers as cores, the thread they wait
 * for (the caller that verifies results and posts the next job, or a worker) would
 * otherwise wait for a spinner's time slice to end (~0.5 ms a job).
 * The bottom layer (util/): no parbench header.  Inline: a poll is a few cycles.
 */
#ifndef PB_SPIN_H
#define PB_SPIN_H

#include <sched.h>

#define SPIN_YIELD_EVERY 16

/* The CPU's spin-wait hint (x86 PAUSE; nothing elsewhere). */
static inline void spin_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* One poll; *polls counts them (start it at 0 for each wait). */
static inline void spin_poll(unsigned *polls)
{
	if (++*polls % SPIN_YIELD_EVERY == 0)
		sched_yield();
	else
		spin_relax();
}

#endif
