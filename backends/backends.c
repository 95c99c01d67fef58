/*
 * backends.c - the backend registry, instance life cycle, and helpers every backend shares.
 *
 * A new backend is one file plus one line in the table below (inside an #if when it depends
 * on an optional library that CMake may not have found).  State is allocated here from the
 * backend's state_size, so backend files carry no allocation boilerplate.
 */
#include "backend.h"
#include "pool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct backend backend_serial;
extern const struct backend backend_pthreads;
extern const struct backend backend_pthreads_gil;
extern const struct backend backend_fork_pool;
extern const struct backend backend_fork_pool_pipe;
extern const struct backend backend_cpython;
extern const struct backend backend_cpython_ft;
extern const struct backend backend_cpython_threads;
extern const struct backend backend_cpython_threads_ft;
extern const struct backend backend_cpython_pool;
extern const struct backend backend_cpython_processes;
#ifdef PB_HAVE_OPENMP
extern const struct backend backend_openmp;
#endif
#ifdef PB_HAVE_MPI
extern const struct backend backend_mpi;
extern const struct backend backend_mpi_openmp;
#endif

static const struct backend *const registry[] = {
	&backend_serial,
	&backend_pthreads,
	&backend_pthreads_gil,
#ifdef PB_HAVE_OPENMP
	&backend_openmp,
#endif
	&backend_fork_pool,
	&backend_fork_pool_pipe,
	&backend_cpython,
	&backend_cpython_threads,
	&backend_cpython_ft,
	&backend_cpython_threads_ft,
	&backend_cpython_pool,
	&backend_cpython_processes,
#ifdef PB_HAVE_MPI
	&backend_mpi,
#ifdef PB_HAVE_OPENMP
	&backend_mpi_openmp,
#endif
#endif
	NULL,
};

const struct backend *const *backend_all(void)
{
	return registry;
}

const struct backend *backend_baseline(void)
{
	for (const struct backend *const *b = backend_all(); *b; b++)
		if ((*b)->caps & BACKEND_CAP_BASELINE)
			return *b;
	return NULL;
}

/* The family is the interpreter: C, CPython (--python), free-threaded CPython. */
const struct backend *backend_baseline_of(const struct backend *b)
{
	const unsigned family = BACKEND_CAP_PYTHON | BACKEND_CAP_FREE_THREADED;
	unsigned want = b->caps & family;

	if (!want)
		return backend_baseline();
	for (const struct backend *const *r = backend_all(); *r; r++)
		if (((*r)->caps & family) == want && !((*r)->caps & BACKEND_CAP_PARALLEL))
			return *r;
	return NULL;
}

const struct backend *backend_find(const char *name)
{
	for (const struct backend *const *b = registry; *b; b++)
		if (strcmp((*b)->name, name) == 0)
			return *b;
	return NULL;
}

int backend_available(const struct backend *b, const char *python, char *why, size_t len)
{
	if (len)
		why[0] = '\0';
	return b->available ? b->available(python, why, len) : 0;
}

void backend_names(char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (const struct backend *const *b = registry; *b; b++) {
		int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", (*b)->name);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}

void backend_set_error(const struct backend_config *cfg, const char *fmt, ...)
{
	va_list ap;

	if (!cfg->err || cfg->err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(cfg->err, cfg->err_len, fmt, ap);
	va_end(ap);
}

int backend_instance_start(struct backend_instance *bi, const struct backend *b,
			   const struct backend_config *cfg)
{
	int err;

	memset(bi, 0, sizeof(*bi));
	bi->cfg = *cfg;
	bi->cfg.err = bi->err;
	bi->cfg.err_len = sizeof(bi->err);
	if (bi->cfg.workers == 0 || bi->cfg.workers > BACKEND_MAX_WORKERS) {
		backend_set_error(&bi->cfg, "workers must be 1..%d", BACKEND_MAX_WORKERS);
		return -EINVAL;
	}
	if (!(b->caps & BACKEND_CAP_PARALLEL))
		bi->cfg.workers = 1;
	bi->state = calloc(1, b->state_size ? b->state_size : 1);
	if (!bi->state) {
		backend_set_error(&bi->cfg, "out of memory for backend '%s'", b->name);
		return -ENOMEM;
	}
	err = b->start(bi->state, &bi->cfg);
	if (err) {
		if (!bi->err[0])
			backend_set_error(&bi->cfg, "%s: start failed: %s", b->name, strerror(-err));
		free(bi->state);
		bi->state = NULL;
		return err;
	}
	bi->b = b;
	return 0;
}

int backend_instance_run(struct backend_instance *bi, const struct work *w)
{
	if (w->partial_size > WORK_PARTIAL_MAX) {
		backend_set_error(&bi->cfg, "partial of %zu bytes exceeds %d", w->partial_size,
				  WORK_PARTIAL_MAX);
		return -EINVAL;
	}
	return bi->b->run(bi->state, w);
}

void backend_instance_stats(const struct backend_instance *bi, struct backend_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (bi->b && bi->b->stats)
		bi->b->stats(bi->state, out);
}

int backend_instance_traffic(struct backend_instance *bi, const struct work *w,
			     struct backend_traffic *t)
{
	memset(t, 0, sizeof(*t));
	if (!bi->b || !bi->b->traffic)
		return 0;
	return bi->b->traffic(bi->state, w, t);
}

int backend_instance_cancel(struct backend_instance *bi)
{
	if (!bi->b || !bi->b->cancel)
		return -ENOTSUP;
	bi->b->cancel(bi->state);
	return 0;
}

void backend_instance_stop(struct backend_instance *bi)
{
	if (bi->b && bi->b->stop)
		bi->b->stop(bi->state);
	free(bi->state);
	bi->state = NULL;
	bi->b = NULL;
}

void work_share(size_t n, unsigned i, unsigned nw, size_t *begin, size_t *end)
{
	__extension__ typedef unsigned __int128 u128; /* n * i may exceed 64 bits */

	*begin = (size_t)((u128)n * i / nw);
	*end = (size_t)((u128)n * (i + 1) / nw);
}

/* The configured chunk, else the job's natural task size, else Python's Pool.map rule
 * (pool_default_chunk: the one definition of it). */
size_t work_default_chunk(const struct work *w, const struct backend_config *cfg)
{
	if (cfg->chunk)
		return cfg->chunk;
	if (w->grain)
		return w->grain;
	return pool_default_chunk(w->n, cfg->workers);
}

int backend_instance_agree(struct backend_instance *bi, int ok)
{
	return bi->b->agree ? bi->b->agree(bi->state, ok) : ok;
}

double backend_instance_elapsed(const struct backend_instance *bi, double local_s)
{
	return bi->b->elapsed ? bi->b->elapsed(bi->state) : local_s;
}

int backend_instance_leader(const struct backend_instance *bi)
{
	return bi->b->leader ? bi->b->leader(bi->state) : 1;
}
