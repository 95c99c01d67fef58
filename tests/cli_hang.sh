#!/bin/sh
# cli_hang.sh PARBENCH - runs that hang are stopped (processes) or end the run (threads); CPU sets and the placement plan.
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# A run that hangs (test hook). Process backend: its workers are killed at the timeout, the
# configuration fails, the sweep goes on.
PARBENCH_TEST_HANG=io_wait/fork-pool "$pb" run --quick --kernels sum_squares,io_wait \
	--backends fork-pool --workers 2 --timeout 1 --repetitions 2 --out "$tmp/hang1" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "hung fork-pool: exit $rc"
grep -q "FAILED io_wait / fork-pool / 2 workers: timed out after" "$tmp/err" && ok || bad "hung fork-pool: $(cat "$tmp/err")"
grep -q "^sum_squares,fork-pool,2," "$tmp/hang1/summary.csv" && ok || bad "hung fork-pool: other rows lost"
gone "--out $tmp/hang1" && ok || bad "hung fork-pool: processes left"
# With --retry the re-run of the killed chunk hangs again: it is cancelled again, the
# configuration fails (a cancelled run never counts), and the run ends by itself.
t0=$(date +%s)
PARBENCH_TEST_HANG=io_wait/fork-pool timeout -s KILL 60 "$pb" run --quick --kernels io_wait \
	--backends fork-pool --workers 1 --retry --timeout 1 --repetitions 2 --out "$tmp/hang4" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "FAILED io_wait / fork-pool / 1 workers: timed out after" "$tmp/err" && ok || bad "hung fork-pool with retry: exit $rc: $(head -c 300 "$tmp/err")"
[ $(($(date +%s) - t0)) -lt 55 ] && ok || bad "hung fork-pool with retry: took $(($(date +%s) - t0)) s"
gone "--out $tmp/hang4" && ok || bad "hung fork-pool with retry: processes left"
# Thread backend: threads cannot be stopped; what was measured is saved and the run ends.
PARBENCH_TEST_HANG=io_wait/pthreads "$pb" run --quick --kernels sum_squares,io_wait \
	--backends pthreads --workers 2 --timeout 1 --repetitions 2 --no-interleave \
	--out "$tmp/hang2" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "hung pthreads: exit $rc"
grep -q "io_wait / pthreads / 2 workers: timed out after 1 s" "$tmp/err" && ok || bad "hung pthreads: $(cat "$tmp/err")"
grep -q "^sum_squares,pthreads,2," "$tmp/hang2/summary.csv" && ok || bad "hung pthreads: measured rows not saved"
[ -z "$(find "$tmp/hang2" -name '*.tmp')" ] && ok || bad "hung pthreads: temporary files left"
# ... and a signal during such a hang ends the run within the 2 s grace, exit 143.
PARBENCH_TEST_HANG=io_wait/pthreads "$pb" run --quick --kernels io_wait --backends pthreads \
	--workers 2 --repetitions 2 --out "$tmp/hang3" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] && ok || bad "SIGTERM during a hang: exit $rc"
usage_error "bad timeout" run --timeout 0
usage_error "timeout too short to mean anything" run --timeout 1e-9
usage_error "size with an image" run --image "$(dirname "$0")/data/photo.png" --size 10
usage_error "bad gbench flag value" run --kernels io_wait --size 2 --backends serial --out "$tmp/gbv" -- --benchmark_min_time=abc

# The CPUs a job is given: under taskset -c 0 parbench plans 1 CPU, marks 2 workers as
# oversubscribed, says how many cores were allowed, and refuses a PU outside the set.
if [ "$(nproc --all)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
	taskset -c 0 "$pb" run --full --quick --kernels sum_squares --backends serial,pthreads --workers 1,2 \
		--repetitions 2 --out "$tmp/taskset" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "^machine: .*(1 of $(nproc --all) cores allowed)" "$tmp/out" && ok || bad "taskset: exit $rc: $(grep '^machine' "$tmp/out")"
	grep -Eq "^  pthreads +2 .*\*" "$tmp/out" && ok || bad "taskset: 2 workers on 1 allowed CPU not marked"
	grep -q '"backend": "pthreads", "workers": 2, "plan": "compact: 0,0"' "$tmp/taskset/meta.json" && ok || bad "taskset: the plan left the allowed CPU: $(grep -o '"backend": "pthreads", "workers": 2, "plan": "[^"]*"' "$tmp/taskset/meta.json")"
	taskset -c 0 "$pb" run --pin 1 --kernels sum_squares >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] && grep -q "PUs this process may use, 0," "$tmp/err" && ok || bad "taskset: --pin 1 not refused: $(cat "$tmp/err")"
fi

# The placement plan, before a run.
"$pb" topology --workers 3 --pin spread >"$tmp/out" 2>"$tmp/err" && ok || bad "topology: exit $?"
grep -q "^  worker 2 " "$tmp/out" && grep -q "^machine: " "$tmp/out" && ok || bad "topology output"
usage_error "topology bad pin" topology --pin sideways

finish
