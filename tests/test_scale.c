/*
 * test_scale.c - the scaling model (bench/lib/scale.c) on synthetic rows made from known
 * parameters, which the fit must give back; and the MPI backend's link rules (link_at)
 * against times worked out by hand from the rules in backends/mpi/mpi_link.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include "backend.h"
#include "scale.h"

/* t(p) = compute / cpus + serial + link, for a given model and rows */
static void make_rows(struct scale_point *pts, const double *cpus, const double *link, size_t n,
		      double compute, double serial)
{
	for (size_t i = 0; i < n; i++)
		pts[i] = (struct scale_point){ cpus[i], link[i],
					       compute / cpus[i] + serial + link[i] };
}

static void test_recovers_compute_and_serial(void **state)
{
	static const double cpus[] = { 1, 2, 3, 4, 8 };
	static const double link[] = { 0, 0.013, 0.020, 0.031, 0.044 };
	struct scale_point pts[5];
	struct scale_model m;

	(void)state;
	make_rows(pts, cpus, link, 5, 2.5, 0.125);
	assert_int_equal(scale_fit(pts, 5, &m), 0);
	assert_true(fabs(m.compute_s - 2.5) < 1e-12);
	assert_true(fabs(m.serial_s - 0.125) < 1e-12);
	assert_int_equal(m.n_fit, 5);
	/* fitted on the first three, it predicts the other two exactly */
	assert_int_equal(scale_fit(pts, 3, &m), 0);
	assert_true(fabs(scale_predict(&m, 4, 0.031) - (2.5 / 4 + 0.125 + 0.031)) < 1e-12);
	assert_true(fabs(scale_predict(&m, 8, 0.044) - (2.5 / 8 + 0.125 + 0.044)) < 1e-12);
}

static void test_recovers_with_noise(void **state)
{
	/* +-1 % alternating noise on 6 rows: the fit stays within a few percent */
	static const double cpus[] = { 1, 2, 4, 8, 16, 32 };
	static const double link[] = { 0, 0, 0, 0, 0, 0 };
	struct scale_point pts[6];
	struct scale_model m;

	(void)state;
	make_rows(pts, cpus, link, 6, 1.0, 0.05);
	for (size_t i = 0; i < 6; i++)
		pts[i].t *= i % 2 ? 1.01 : 0.99;
	assert_int_equal(scale_fit(pts, 6, &m), 0);
	assert_true(fabs(m.compute_s - 1.0) < 0.03);
	assert_true(fabs(m.serial_s - 0.05) < 0.01);
}

static void test_one_point_is_all_compute(void **state)
{
	struct scale_point p = { 1, 0.25, 1.25 };
	struct scale_model m;

	(void)state;
	assert_int_equal(scale_fit(&p, 1, &m), 0);
	assert_true(fabs(m.compute_s - 1.0) < 1e-12); /* the link is the link's, not compute */
	assert_true(m.serial_s == 0);
	assert_true(fabs(scale_predict(&m, 2, 0.5) - 1.0) < 1e-12);
}

static void test_never_negative(void **state)
{
	/* time that grows with CPUs: nothing divides, all of it is serial */
	struct scale_point up[2] = { { 1, 0, 1.0 }, { 2, 0, 1.2 } };
	/* time that falls faster than 1 / CPUs: no negative serial part */
	struct scale_point down[2] = { { 1, 0, 1.0 }, { 2, 0, 0.4 } };
	struct scale_model m;

	(void)state;
	assert_int_equal(scale_fit(up, 2, &m), 0);
	assert_true(m.compute_s == 0);
	assert_true(fabs(m.serial_s - 1.1) < 1e-12);
	assert_int_equal(scale_fit(down, 2, &m), 0);
	assert_true(m.serial_s == 0 && m.compute_s > 0);
}

static void test_refuses_bad_points(void **state)
{
	struct scale_point p = { 0, 0, 1 };
	struct scale_model m;

	(void)state;
	assert_int_equal(scale_fit(&p, 1, &m), -EINVAL);
	assert_int_equal(scale_fit(&p, 0, &m), -EINVAL);
}

/* The MPI rules, by hand: L one-way latency, d a peer's input (= output) at the bandwidth. */
static void test_mpi_link_rules(void **state)
{
	const struct backend *mpi = backend_find("mpi");
	const double L = 0.002, bw = 50e6;
	uint64_t bytes, msgs;
	double t, d;

	(void)state;
	if (!mpi || !mpi->link_at) {
		skip(); /* a build without MPI: the rules are not here */
		return;
	}
	/* 2 hosts x 1 rank, 8 MB in and out in all: the peer moves 2 + 2 MB.
	 * scatter 2L + d + L, gather 2L + d, a single peer's request L, broadcast L */
	t = mpi->link_at(2, 2, 8000000, bw, L, &bytes, &msgs);
	d = 2e6 / bw;
	assert_int_equal(bytes, 4000000);
	assert_int_equal(msgs, 7);
	assert_true(fabs(t - (7 * L + 2 * d)) < 1e-12);
	/* 4 hosts x 1 rank, d = 1e6 / bw = 20 ms >= 2L: the handshakes hide behind the data.
	 * scatter 2L + 3d + L, gather 3 (2L + d), broadcast 2L */
	t = mpi->link_at(4, 4, 8000000, bw, L, &bytes, &msgs);
	d = 1e6 / bw;
	assert_int_equal(bytes, 6000000);
	assert_int_equal(msgs, 11);
	assert_true(fabs(t - (11 * L + 6 * d)) < 1e-12);
	/* the same with L = 20 ms > d / 2: each further send waits 2L for its handshake */
	t = mpi->link_at(4, 4, 8000000, bw, 0.02, &bytes, &msgs);
	assert_int_equal(msgs, 15);
	assert_true(fabs(t - (15 * 0.02 + 4 * d)) < 1e-12);
	/* 2 hosts x 2 ranks: rank 1 is on rank 0's host (shared memory), ranks 2, 3 remote */
	t = mpi->link_at(4, 2, 8000000, bw, L, &bytes, &msgs);
	assert_int_equal(bytes, 4000000);
	assert_int_equal(msgs, 2 + 2 + 2 + 1 + 2); /* first handshake, gathers, last data, bcast */
	assert_true(fabs(t - (9 * L + 4 * d)) < 1e-12);
	/* one host: nothing on the links */
	t = mpi->link_at(4, 1, 8000000, bw, L, &bytes, &msgs);
	assert_true(t == 0 && bytes == 0 && msgs == 0);
	/* a job without spans (volume 0), 8 hosts: the slowest partial, a 3-round broadcast */
	t = mpi->link_at(8, 8, 0, bw, L, &bytes, &msgs);
	assert_int_equal(bytes, 0);
	assert_int_equal(msgs, 4);
	assert_true(fabs(t - 4 * L) < 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recovers_compute_and_serial),
		cmocka_unit_test(test_recovers_with_noise),
		cmocka_unit_test(test_one_point_is_all_compute),
		cmocka_unit_test(test_never_negative),
		cmocka_unit_test(test_refuses_bad_points),
		cmocka_unit_test(test_mpi_link_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
