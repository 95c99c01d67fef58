#!/bin/sh
# cli_signals.sh PARBENCH - SIGINT and SIGTERM keep what was measured; crashed workers are named; nothing is left running.
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# SIGINT in the middle of a sweep: exit 130, what was measured is saved, files whole.
# Each configuration takes ~0.9 s (4 repetitions of >= 0.2 s of 1 ms sleeps): the signal
# comes once Google Benchmark's console (--verbose) shows serial's figures, so serial is
# complete and pthreads/1 under way (a partly measured one is not kept).
"$pb" run --kernels io_wait --size 20 --sleep-us 1000 --backends pthreads --workers 1,2 \
	--repetitions 4 --min-time 0.2 --no-interleave --verbose --out "$tmp/int" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "io_wait/serial/1/.*manual_time_max" "$tmp/err" || bad "SIGINT: serial never finished"
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && ok || bad "SIGINT: exit $rc"
grep -q "interrupted by SIGINT" "$tmp/err" && ok || bad "SIGINT: no message: $(cat "$tmp/err")"
grep -q "^io_wait,serial,1," "$tmp/int/summary.csv" && ok || bad "SIGINT: the finished serial row was not kept"
grep -q "^io_wait,pthreads,2," "$tmp/int/summary.csv" && bad "SIGINT: a row measured after the interrupt" || ok
[ -z "$(find "$tmp/int" -name '*.tmp')" ] && ok || bad "SIGINT: temporary files left behind"
kill -0 "$pid" 2>/dev/null && bad "SIGINT: process still alive" || ok

# SIGINT with repetitions interleaved (the default): configurations with at least two
# complete repetitions are kept, marked partial, with their true repetition count.
# 2 configurations x 40 repetitions of >= 0.1 s: at least 8 s from the sweep's start
# (Google Benchmark's console, --verbose, says "Running"); 4 s after it, some 30 repetitions
# in random order have run, at least 2 of each configuration but for a chance below 1e-6.
"$pb" run --full --kernels io_wait --size 20 --backends pthreads --workers 2 --repetitions 40 \
	--min-time 0.1 --verbose --out "$tmp/part" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "^Running " "$tmp/err" || bad "interleaved SIGINT: the sweep never started"
sleep 4
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && ok || bad "interleaved SIGINT: exit $rc"
grep -q "kept with fewer repetitions" "$tmp/err" && ok || bad "interleaved SIGINT: no partial count"
reps=$(awk -F, '$1 == "io_wait" && $2 == "pthreads" {print $14}' "$tmp/part/summary.csv")
[ -n "$reps" ] && [ "$reps" -ge 2 ] && [ "$reps" -lt 40 ] && ok || bad "partial row has '$reps' repetitions"
grep -E "^  pthreads .* [*~!]*p\^?$" "$tmp/out" >/dev/null && ok || bad "partial row not marked p"

# SIGTERM while fork-pool workers exist (a worker is a forked parbench with the same
# command line): exit 143, and no worker outlives the run.
"$pb" run --kernels io_wait --size 20 --backends fork-pool,fork-pool-pipe --workers 2 \
	--repetitions 50 --out "$tmp/term" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1200); do
	[ "$(pgrep -f -- "--out $tmp/term" | wc -l)" -ge 2 ] && break
	sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] && ok || bad "SIGTERM with a pool: exit $rc"
sleep 0.2
left=$(pgrep -f -- "--out $tmp/term" | wc -l)
[ "$left" -eq 0 ] && ok || bad "SIGTERM with a pool: $left processes left behind"
[ -z "$(find "$tmp/term" -name '*.tmp')" ] && ok || bad "SIGTERM: temporary files left behind"

# A worker that crashes or is killed mid-run (test hook): the run names the backend, worker,
# pid and signal, exits 1 soon, keeps the other rows, and leaves no process or temporary file
# behind (the pool's memory is anonymous: test_pool checks its mappings and descriptors).
for b in fork-pool fork-pool-pipe; do
	for sig in SEGV KILL; do
		t0=$(date +%s%N)
		PARBENCH_TEST_CRASH="io_wait/$b:$sig" "$pb" run --quick --kernels sum_squares,io_wait \
			--backends "$b" --workers 2 --repetitions 2 --out "$tmp/crash-$b-$sig" \
			>"$tmp/out" 2>"$tmp/err"
		rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		[ "$rc" -eq 1 ] && ok || bad "crash $b $sig: exit $rc"
		grep -qE "FAILED io_wait / $b / 2 workers: worker failure: fork-pool worker [0-9]+ \(pid [0-9]+\) killed by signal $([ $sig = SEGV ] && echo 11 || echo 9)" "$tmp/err" && ok || bad "crash $b $sig: $(head -c 300 "$tmp/err")"
		grep -q "^sum_squares,$b,2," "$tmp/crash-$b-$sig/summary.csv" && ok || bad "crash $b $sig: other rows lost"
		grep -q "^io_wait,$b," "$tmp/crash-$b-$sig/summary.csv" && bad "crash $b $sig: the crashed row has numbers" || ok
		[ -z "$(find "$tmp/crash-$b-$sig" -name '*.tmp')" ] && ok || bad "crash $b $sig: temporary files left"
		gone "--out $tmp/crash-$b-$sig" && ok || bad "crash $b $sig: processes left"
		# noticed at once, not at the 300 s timeout: generous for a busy machine
		[ "$ms" -lt 60000 ] && ok || bad "crash $b $sig: the run took $ms ms"
	done
done

finish
