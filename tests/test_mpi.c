/*
 * test_mpi.c - the MPI backends, run under mpirun with any number of ranks: every kernel,
 * bit-identical to the kernel's plain reference (and, for images, every output row to the
 * reference picture) through "mpi" with and without scatter, and "mpi+openmp" with 2 threads
 * per rank; item counts below, at and above the rank count.  Rank 0 reports; any failure
 * aborts every rank with a non-zero status.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "kernel.h"
#include "kwork.h"

static int rank, failures;

static void check(int ok, const char *what)
{
	int all;

	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (!all) {
		if (rank == 0)
			fprintf(stderr, "test_mpi: FAILED: %s\n", what);
		failures++;
	}
}

static struct kernel_params small(const struct kernel *k)
{
	struct kernel_params p = { .quick = 1 };

	if (strcmp(k->name, "range_sum") == 0) {
		p.size = 1001;
		p.tasks = 13;
	} else if (strcmp(k->name, "io_wait") == 0) {
		p.size = 9;
		p.sleep_us = 20;
	} else if (k->span) {
		p.size = 29; /* a 29 x 29 picture */
	} else {
		p.size = 100003;
	}
	return p;
}

static void one(const struct backend *b, unsigned workers, int no_scatter)
{
	struct kernel_instance kis[16];
	size_t nk = 0;
	struct backend_config cfg = { .workers = workers, .no_scatter = no_scatter };
	struct backend_instance bi;
	char what[200];

	for (const struct kernel *const *k = kernel_all(); *k && nk < 16; k++, nk++) {
		struct kernel_params p = small(*k);

		if (kernel_instance_init(&kis[nk], *k, &p) != 0) {
			fprintf(stderr, "test_mpi: set-up of %s failed\n", (*k)->name);
			MPI_Abort(MPI_COMM_WORLD, 2);
		}
	}
	if (backend_instance_start(&bi, b, &cfg) != 0) {
		fprintf(stderr, "test_mpi: %s start: %s\n", b->name, bi.err);
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	for (size_t ki = 0; ki < nk; ki++) {
		const struct kernel *k = kis[ki].k;
		const size_t edge[] = { 0, 1, 2, 3, 5, kis[ki].shape.n };

		for (size_t e = 0; e < sizeof(edge) / sizeof(edge[0]); e++) {
			size_t n = edge[e] < kis[ki].shape.n ? edge[e] : kis[ki].shape.n;
			struct partial got, want = { 0 };
			struct work w;

			if (kis[ki].shape.out)
				memset(kis[ki].shape.out, 0x5a, (size_t)kis[ki].shape.width *
								 kis[ki].shape.height * 3);
			kwork_init(&w, &kis[ki], &got);
			w.n = n;
			memset(&got, 0xa5, sizeof(got));
			if (backend_instance_run(&bi, &w) != 0) {
				fprintf(stderr, "test_mpi: run: %s\n", bi.err);
				MPI_Abort(MPI_COMM_WORLD, 2);
			}
			k->reference(kis[ki].priv, 0, n, &want);
			snprintf(what, sizeof(what), "%s x %s, %u workers%s, n=%zu", b->name, k->name,
				 workers, no_scatter ? ", no scatter" : "", n);
			check(memcmp(&got, &want, sizeof(got)) == 0, what);
			if (n == kis[ki].shape.n) {
				/* the whole output (images) and the closed form, on rank 0 */
				int ok = rank != 0 || k->verify(kis[ki].priv, &got) == 0;

				snprintf(what, sizeof(what), "%s x %s, %u workers%s: verify", b->name,
					 k->name, workers, no_scatter ? ", no scatter" : "");
				check(ok, what);
			}
		}
	}
	backend_instance_stop(&bi);
	for (size_t ki = 0; ki < nk; ki++)
		kernel_instance_fini(&kis[ki]);
}

int main(void)
{
	const struct backend *mpi = backend_find("mpi"), *hybrid = backend_find("mpi+openmp");
	int size;

	if (!mpi) {
		fprintf(stderr, "test_mpi: this build has no mpi backend\n");
		return 1;
	}
	MPI_Init(NULL, NULL);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	one(mpi, (unsigned)size, 0);
	one(mpi, (unsigned)size, 1);
	if (hybrid)
		one(hybrid, 2u * (unsigned)size, 0);
	if (rank == 0)
		printf("test_mpi: %d ranks, %s\n", size, failures ? "FAILED" : "all results exact");
	MPI_Finalize();
	return failures ? 1 : 0;
}
