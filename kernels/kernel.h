/*
 * kernel.h - the interface every parbench kernel implements, and the kernel registry.
 *
 * A kernel is the math only: it processes a half-open range [begin, end) of work items into a
 * partial result, and partials combine exactly by addition, in any grouping.  A kernel knows
 * nothing of threads, processes or timing; it never prints, exits or aborts.  Every kernel can
 * verify a combined result against an independent check (a closed form, or a reference
 * computation written the plain way) before any time computed from it is reported.
 */
#ifndef PB_KERNEL_H
#define PB_KERNEL_H

#include <stddef.h>
#include <stdint.h>

struct pb_image; /* image.h */

/* Exact 128-bit unsigned integers (a GCC/Clang extension, named once here for -Wpedantic). */
__extension__ typedef unsigned __int128 pb_u128;

/* How CPython would run the kernel's work: decides where the simulated GIL is checked. */
enum py_model {
	PY_LOOP,     /* a Python for loop: a GIL check point every iteration (every py_block items) */
	PY_C_CALL,   /* one C call per item (sum(range(...))): the GIL is held for the whole item */
	PY_BLOCKING, /* a blocking call per item (sleep, I/O): the GIL is released during it */
};

/*
 * The combinable result of a range.  The all-zero value is the identity, and partial_add() is
 * exact integer addition (mod 2^128 / 2^64, never reached in practice), so every grouping and
 * order of combination gives bit-identical totals.
 */
struct partial {
	pb_u128 sum;           /* the kernel's exact sum */
	uint64_t count;        /* work items processed */
	uint64_t check;        /* checksum of outputs (image kernels), else 0 */
};

void partial_add(struct partial *acc, const struct partial *p);

/* What the user asked for; a kernel reads the fields it documents and ignores the rest. */
struct kernel_params {
	uint64_t size;        /* problem size in the kernel's own unit (see kernel.size_unit); 0 = default */
	unsigned tasks;       /* tutorial-style task count, 0 = kernel default */
	unsigned sleep_us;    /* io_wait: duration of one blocking item, 0 = default */
	int quick;            /* non-zero: the default size is ~20x smaller */
	const struct pb_image *image; /* filters: input picture (copied), NULL = synthetic */
	int tile;             /* non-zero: size and image are ignored for the kernel's tile, work
			       * that fits in L2 for timing its variants (a 1024 x 64 synthetic
			       * picture; about 2^18 elements for the sums) */
	uint64_t stream_above; /* filters: output rows written with streaming (non-temporal)
				* stores, past the caches, when the picture's input + output
				* bytes exceed this (0: never; rows up to 16384 pixels) */
};

/* What setup() decided: the work and its size. */
struct kernel_shape {
	size_t n;              /* work items */
	size_t grain;          /* natural task size in items (the tutorial's task), 0 if none */
	uint64_t size;         /* the problem size used, in the kernel's --size unit */
	uint64_t elements;     /* what the rate counts, per run: integers squared (sum_squares),
				* range elements summed (range_sum), items (io_wait), pixels */
	uint64_t pixels;       /* image kernels: pixels per run (for MPix/s), else 0 */
	uint64_t bytes;        /* image kernels: bytes read + written per run (for GB/s) */
	uint32_t width, height;/* image kernels: the picture */
	const uint8_t *in;     /* image kernels: the input, whole */
	uint8_t *out;          /* image kernels: the output, whole (MAP_SHARED: forked
				* workers write it in place) */
	const char *variant;   /* the instruction-set variant of its hot loop ("avx2"), or
				* NULL for a kernel with none (io_wait) */
	int streamed;          /* filters: the output is written with streaming stores */
	char twin[64];         /* the same work in kernels/python/twins.py, for backends that
				* run real CPython: job(twin, input) processes the same items
				* ("range_sum 300000000", "sharpen 64 48"); "" if none */
};

/* The bytes a range of items reads and writes (kernels with buffers); parent addresses. */
struct kernel_span {
	const uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_len;
};

struct kernel {
	const char *name;           /* CLI/JSON key */
	const char *summary;        /* one line for `parbench list` */
	const char *size_unit;      /* what --size counts, for `parbench list` */
	enum py_model py_model;     /* how CPython would run it (for pthreads-gil) */
	size_t priv_size;           /* private state, allocated zeroed by kernel_instance_init() */
	/* Items per GIL check point for PY_LOOP (a block should take well under 1 ms), else 1. */
	size_t py_block;
	/* Non-zero: the run time grows in proportion to the size, so a default size can be set
	 * from a time budget (bench/sweep/calibrate.c); zero: the default size is the kernel's own
	 * (the filters' picture, whose size decides cache behaviour). */
	int timed_size;
	/* 0, -ERANGE for a size or task count out of range, or another -errno; fills *shape. */
	int (*setup)(void *priv, const struct kernel_params *p, struct kernel_shape *shape);
	/* Processes items [begin, end) into *out (which the caller zeroed). Thread-safe, reentrant. */
	void (*run)(const void *priv, size_t begin, size_t end, struct partial *out);
	/* The same result computed the plain, independent way (a straightforward loop). */
	void (*reference)(const void *priv, size_t begin, size_t end, struct partial *out);
	/* 0 if total is exactly right for all items (closed form), else -EDOM. */
	int (*verify)(const void *priv, const struct partial *total);
	void (*teardown)(void *priv); /* optional */
	/* Optional, for kernels that write an output buffer: makes it wrong (one byte of every
	 * row differs from the reference), so that verify() passes only if the next run wrote
	 * all of it.  Called before every run, outside the timed region. */
	void (*invalidate)(void *priv);
	/*
	 * Optional, for kernels whose items read and write buffers (the image filters), so that
	 * transports that share no memory (pipes, MPI) can move exactly the bytes involved:
	 * span() tells which input bytes items [begin, end) read (halo rows included) and which
	 * output bytes they write; run_io() is run() on copies: in holds the span's input bytes,
	 * and the span's output bytes go to out.
	 */
	void (*span)(const void *priv, size_t begin, size_t end, struct kernel_span *s);
	void (*run_io)(const void *priv, size_t begin, size_t end, const uint8_t *in,
		       uint8_t *out, struct partial *p);
	/*
	 * With shape.twin: the partial of items [begin, end) from what the Python twin returned
	 * for them, its exact sum and item count; image kernels read the row checks from the
	 * output bytes, which must be in place (at the span's out) before the call.  verify()
	 * then judges the combined total as it judges run()'s.
	 */
	void (*twin_partial)(const void *priv, size_t begin, size_t end, pb_u128 sum,
			     uint64_t count, struct partial *p);
};

/* twin_partial of the kernels whose twin returns their sum and count (no output bytes). */
void kernel_twin_sum(const void *priv, size_t begin, size_t end, pb_u128 sum, uint64_t count,
		     struct partial *p);

/* A kernel with its private state, as set up for one size. */
struct kernel_instance {
	const struct kernel *k;
	void *priv;    /* owned; freed by kernel_instance_fini() */
	struct kernel_shape shape;
};

/* The registry: NULL-terminated, in display order. */
const struct kernel *const *kernel_all(void);
/* The kernel called name, or NULL. */
const struct kernel *kernel_find(const char *name);
/* Comma-separated registered names into buf, for "unknown kernel" messages. */
void kernel_names(char *buf, size_t len);

/*
 * Instruction-set variants.  The kernels' hot loops are built for several instruction sets
 * (on x86-64: avx512vbmi, avx512, avx2, avx2_128, sse2 and generic C; elsewhere generic C);
 * all give bit-identical results.  Each kernel with a hot loop runs the variant chosen for it
 * (kernel_variant_use(): bench/ times them all and keeps the fastest), else the default:
 * the best this CPU runs by its feature bits, or the one set by kernel_variant_set().
 * None of these may be called while kernels run.
 */
const char *kernel_variant(void);              /* the default: "avx2" */
const char *const *kernel_variants(void);      /* every variant built, best first, NULL-ended */
int kernel_variant_supported(const char *name); /* 1 if this CPU runs it */
/* The variant kernel (a registry name) runs now, or NULL for one without a hot loop. */
const char *kernel_variant_of(const char *kernel);
/* Kernel runs variant name from now on (NULL: the default again).  0, -EINVAL for an
 * unknown variant or a kernel without a hot loop, -ENOTSUP for a variant this CPU lacks. */
int kernel_variant_use(const char *kernel, const char *name);
/* Every kernel runs variant name from now on (NULL: the best again): the default is set
 * and the kernels' own choices are dropped.  0, -EINVAL for an unknown name, -ENOTSUP for
 * one this CPU cannot run. */
int kernel_variant_set(const char *name);
/* dst = src (bytes a multiple of 64) in the variant's widest vectors and ordinary stores,
 * as the filters store: the copy whose bandwidth is the filters' roof (bench/sweep/roof.c). */
void kernel_copy(void *dst, const void *src, size_t bytes);
/* The same with streaming (non-temporal) stores for dst's whole lines, as the filters'
 * outputs are written with kernel_params.stream_above. */
void kernel_copy_stream(void *dst, const void *src, size_t bytes);

/* Allocates priv and runs setup. 0 or -errno; on error *ki is left empty. */
int kernel_instance_init(struct kernel_instance *ki, const struct kernel *k,
			 const struct kernel_params *p);
void kernel_instance_fini(struct kernel_instance *ki);

#endif
