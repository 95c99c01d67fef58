/*
 * test_scrub.c - pb_scrub (util/untrusted.c), what every text read from outside (a run
 * directory, a hostfile, the environment) goes through before a terminal or report.md shows
 * it: C0 and C1 controls, raw or in UTF-8, and bytes that are not UTF-8 become '?', byte for
 * byte; UTF-8 text stays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "untrusted.h"

static void check(const char *in, const char *want)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", in);
	pb_scrub(buf);
	assert_string_equal(buf, want);
}

static void test_controls(void **state)
{
	(void)state;
	check("a\033[31mb\n\t\177", "a?[31mb???");
	check("x\xc2\x9b" "31my", "x??31my");     /* U+009B (CSI) in UTF-8 */
	check("x\xc2\x80\xc2\x9f", "x????");      /* the ends of C1 */
	check("x\x9b" "2J", "x?2J");              /* raw CSI: not UTF-8 */
	check("\x85\x90", "??");
}

static void test_utf8_kept(void **state)
{
	(void)state;
	check("Xeon\xc2\xae caf\xc3\xa9", "Xeon\xc2\xae caf\xc3\xa9"); /* U+00AE, U+00E9 */
	check("\xc2\xa0", "\xc2\xa0");                                 /* U+00A0: not C1 */
	check("\xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x82\xac \xf0\x9f\x98\x80");
}

static void test_not_utf8(void **state)
{
	(void)state;
	check("\xc0\x9b", "??");             /* overlong ESC */
	check("\xe0\x80\x9b", "???");        /* overlong, three bytes */
	check("\xed\xa0\x80", "???");        /* a surrogate */
	check("\xf4\x90\x80\x80", "????");   /* beyond U+10FFFF */
	check("a\xe2\x82", "a??");           /* cut short at the end */
	check("\xc3(", "?(");                /* a lead byte without its continuation */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
