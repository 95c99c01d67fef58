/*
 * test_diag.c - the diagnostic line (bench/cli/diag.c): "parbench: ", the text and the
 * newline in one buffer, a long message cut below PIPE_BUF with "..." at its end, and one
 * write(2) for the whole line (read back whole from a pipe in place of stderr).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

static size_t format(char *buf, size_t len, const char *prefix, int nl, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = diag_format(buf, len, prefix, nl, fmt, ap);
	va_end(ap);
	return n;
}

static void test_short_line(void **state)
{
	char buf[DIAG_MAX + 1];
	size_t n = format(buf, sizeof(buf), "parbench: ", 1, "unknown kernel '%s' (%d)", "x", 3);

	(void)state;
	assert_string_equal(buf, "parbench: unknown kernel 'x' (3)\n");
	assert_int_equal(n, strlen(buf));
	n = format(buf, sizeof(buf), "", 0, "\r[round %u]", 2u);
	assert_string_equal(buf, "\r[round 2]");
	assert_int_equal(n, 10);
}

/* A message that fits exactly is whole; one byte more and it is cut, ending in "...\n". */
static void test_cut_below_pipe_buf(void **state)
{
	static char text[10000], buf[DIAG_MAX + 1];
	size_t fits = DIAG_MAX - strlen("parbench: ") - 1, n;

	(void)state;
	assert_true(DIAG_MAX < PIPE_BUF);
	memset(text, 'a', sizeof(text) - 1);
	n = format(buf, sizeof(buf), "parbench: ", 1, "%.*s", (int)fits, text);
	assert_int_equal(n, DIAG_MAX);
	assert_int_equal(buf[n - 1], '\n');
	assert_int_equal(buf[n - 2], 'a');
	n = format(buf, sizeof(buf), "parbench: ", 1, "%.*s", (int)fits + 1, text);
	assert_int_equal(n, DIAG_MAX);
	assert_string_equal(buf + n - 4, "...\n");
	assert_memory_equal(buf, "parbench: aaa", 13);
	n = format(buf, sizeof(buf), "parbench: ", 0, "%s", text);
	assert_int_equal(n, DIAG_MAX);
	assert_string_equal(buf + n - 3, "...");
	n = format(buf, 16, "parbench: ", 1, "%s", text); /* a tiny buffer still ends well */
	assert_string_equal(buf, "parbench: a...\n");
}

/* diag_line's output, read from a pipe in place of stderr: one read gets it all. */
static void test_one_write(void **state)
{
	static char text[10000], got[2 * PIPE_BUF];
	int fds[2], saved = dup(STDERR_FILENO);
	ssize_t n;

	(void)state;
	memset(text, 'b', sizeof(text) - 1);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	dup2(fds[1], STDERR_FILENO);
	diag_set_rank(2);
	diag_line("FAILED %s / %u workers: %s", "mpi", 2u, text);
	diag_set_rank(0);
	diag_line("second");
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = read(fds[0], got, sizeof(got));
	assert_int_equal(n, DIAG_MAX + strlen("parbench: second\n"));
	assert_memory_equal(got, "parbench: rank 2: FAILED mpi / 2 workers: bbb", 45);
	assert_memory_equal(got + DIAG_MAX - 4, "...\nparbench: second\n", 21);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_line),
		cmocka_unit_test(test_cut_below_pipe_buf),
		cmocka_unit_test(test_one_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
