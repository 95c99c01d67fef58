#!/bin/sh
# cli_errline.sh - one message, one write: under strace, a usage error, a FAILED line, a
# warning on stderr and a warning under a table each leave parbench in one write(2) holding
# the whole line and its newline, so another process (mpirun, a rank) cannot land inside it.
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"

st=$(command -v strace)
if [ -z "$st" ] || ! "$st" -f -o /dev/null true 2>/dev/null; then
	if [ "${PB_REQUIRE_ALL:-OFF}" = ON ]; then
		bad "strace is missing or cannot trace here, and everything is required (CI)"
		finish
	fi
	echo "SKIP: strace is missing or cannot trace here"
	exit 77 # CTest: skipped, not passed with no check made
fi
# LeakSanitizer cannot run in a traced process (it ends it with status 1): in an ASan build
# this scenario checks writes, not leaks (the others check those)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# traced NAME args...: runs parbench under strace; its writes in $tmp/NAME.st (one line per
# call: 'write(FD, "text", N) = N', with a newline in the text shown as \n)
traced() {
	name=$1
	shift
	"$st" -f -qq -s 65536 -e trace=write -e signal=none -o "$tmp/$name.st" "$pb" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
}

# one_write NAME FD REGEX what: exactly one write to FD is the line REGEX matches, whole
# (from its start to its newline)
one_write() {
	n=$(grep -c "write($2, \"$3\\\\n\", [0-9]*) *= [0-9]*\$" "$tmp/$1.st")
	[ "$n" -eq 1 ] && ok || bad "$4: $n whole writes of it; the writes to fd $2: $(grep "write($2," "$tmp/$1.st" | head -c 600)"
}

# stderr_lines NAME what: every write to stderr is one whole "parbench: " line
stderr_lines() {
	awk '/write\(2, / && !/write\(2, "parbench: [^"]*\\n", [0-9]+\) *= [0-9]+$/ { bad = 1 }
		/write\(2, / && /\\n.*\\n/ { bad = 1 }
		END { exit bad }' "$tmp/$1.st" && ok || bad "$2: a write to stderr is not one whole line: $(grep 'write(2,' "$tmp/$1.st" | head -c 600)"
}

# A usage error: one line on stderr, exit 2, written at once (stdio wrote it in three:
# "parbench: ", the message, "\n").
traced usage run --backends mpii
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/usage.err")" -eq 1 ] && ok || bad "usage error: exit $rc: $(cat "$tmp/usage.err")"
one_write usage 2 "parbench: unknown backend 'mpii' (known: serial, pthreads[^\"]*)" "usage error"
stderr_lines usage "usage error"

# A FAILED line (a wrong result, test hook), and the run's table with its warnings: each
# line of stdout leaves whole too (stdout is line-buffered), the warning on a write of its own.
PARBENCH_TEST_CORRUPT=range_sum traced failed run --quick --kernels range_sum,io_wait \
	--size range_sum=1000,io_wait=4 --sleep-us 100 --backends pthreads --workers 1 --repetitions 2 \
	--pin none --out "$tmp/run"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "corrupt run: exit $rc: $(head -c 300 "$tmp/failed.err")"
one_write failed 2 "parbench: FAILED range_sum / serial / 1 workers: verification failed[^\"]*" "FAILED line"
stderr_lines failed "corrupt run"
one_write failed 1 "warning: workers are not pinned (--pin none): the scheduler may move them between cores" "warning under the table"
awk '/write\(1, / && !/\\n", [0-9]+\) *= [0-9]+$/ { bad = 1 } END { exit bad }' "$tmp/failed.st" && ok ||
	bad "a write to stdout ends inside a line: $(grep 'write(1,' "$tmp/failed.st" | grep -v '\\n", [0-9]*) *= ' | head -c 400)"

# A warning on stderr: the run's report again where no gnuplot can be found.
PATH=/nonexistent traced report report "$tmp/run"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "report without gnuplot: exit $rc: $(head -c 300 "$tmp/report.err")"
one_write report 2 "parbench: gnuplot not found: no charts (apt-get install gnuplot-nox)" "gnuplot warning"
stderr_lines report "report without gnuplot"
one_write report 1 "warning: workers are not pinned (--pin none): the scheduler may move them between cores" "warning under the report's table"

finish
