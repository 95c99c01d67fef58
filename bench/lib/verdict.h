/*
 * verdict.h - the verdict of `parbench compare` on one configuration measured in two runs:
 * the ratio of its times NEW / BASE with a distribution-free interval (stats_shift_ci on the
 * logs), the machine's own change between the runs allowed for, judged against a threshold.
 * Arithmetic on samples only: it reads, prints and decides nothing else (which cells pair
 * up, the interval's level and the machine's change are the caller's).
 *
 * The verdicts, with [lo, hi] the interval of the ratio and t the threshold:
 *   same        1 - t <= lo and hi <= 1 + t   (any change is within the threshold)
 *   slower      lo > 1 + t                    (slower by more than the threshold)
 *   faster      hi < 1 - t
 *   unresolved  anything else: the interval reaches across a threshold line
 * A false "slower" needs the interval to miss by more than t: less than alpha when the runs
 * draw from one distribution, whatever its shape (the Moses interval is exact under a shift);
 * the margin t also absorbs some of what differs between runs beyond that (how many
 * repetitions a busy machine slowed).
 */
#ifndef PB_VERDICT_H
#define PB_VERDICT_H

#include <stddef.h>

enum verdict_kind { VERDICT_SAME, VERDICT_SLOWER, VERDICT_FASTER, VERDICT_UNRESOLVED };

/* How the machine's change between the runs (the steadiness probe's) is allowed for. */
enum drift_use {
	DRIFT_NONE,   /* times judged as measured */
	DRIFT_DIVIDE, /* one build: the ratio is divided by the machine's, and the interval
		       * widened by the probe's own (both intervals hold: the quotient's does) */
	DRIFT_EITHER, /* other builds: the probe runs the build's own code, so its change may
		       * be the build's; a verdict must hold both divided and as measured */
};

struct drift {
	enum drift_use use;
	double ratio, lo, hi; /* the probe's time ratio NEW / BASE and its interval */
};

struct verdict {
	enum verdict_kind kind;
	double ratio, lo, hi; /* time ratio NEW / BASE (> 1: slower), as judged, and its
			       * interval (0 .. infinity: too few repetitions for the level) */
	int ambiguous;        /* DRIFT_EITHER: divided and as measured both decided, differently */
	size_t reps;          /* unresolved: repetitions a side that would roughly decide, the
			       * interval at that count read off the differences measured (its
			       * width shrinks as 1/sqrt(n)); 0: none up to 10000 would (the
			       * change sits at a threshold line, the probe's own interval is too
			       * wide, or drift and build cannot be told apart) */
};

/*
 * base[nb], cur[nc]: seconds per repetition (> 0); scale multiplies cur (1, or NEW's time at
 * BASE's work for runs at other sizes); alpha: the interval misses with probability at most
 * alpha (the caller divides it among the cells it judges); threshold: t above, 0 < t < 1.
 * 0, or -ENOMEM.
 */
int verdict_judge(const double *base, size_t nb, const double *cur, size_t nc, double scale,
		  const struct drift *d, double threshold, double alpha, struct verdict *v);

/* "same", "SLOWER" (upper case: what fails the gate), "faster", "unresolved". */
const char *verdict_name(enum verdict_kind k);

#endif
