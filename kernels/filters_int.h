/*
 * filters_int.h - what the filters' files share: their private state (filters.c) and the
 * plain reference (filters_ref.c).
 */
#ifndef PB_FILTERS_INT_H
#define PB_FILTERS_INT_H

#include "kernel.h"

#include <stddef.h>
#include <stdint.h>

enum flt_kind { FLT_GRAY, FLT_SEPIA, FLT_BLUR, FLT_SHARPEN };

struct flt_priv {
	enum flt_kind kind;
	uint32_t w, h;
	size_t stride, bytes;
	uint8_t *in;           /* private: forked workers read their copy-on-write view */
	uint8_t *out;          /* shared: forked workers write it in place */
	uint8_t *ref;          /* the reference picture */
	uint64_t expect_check; /* sum of the reference rows' checksums */
	int stream;            /* output rows streamed (kernel_params.stream_above) */
};
static inline uint8_t clamp255(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* The plain per-pixel computation of rows [b, e) into p (outputs into f->ref's rows). */
void flt_reference(const void *priv, size_t b, size_t e, struct partial *p);

#endif
