#!/bin/sh
# cli_dedupe.sh - the helpers that exist once now (issue 24) as the commands use them: the one
# watchdog under run and filter, the test hooks' matcher, options checked before anything runs.
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# The watchdog (bench/lib/watchdog.c) under both commands: cli_run.sh stops hung filter runs;
# here the sweep's: a hung fork-pool run is cancelled and the sweep goes on; a hung thread run
# ends the program with what was measured saved.  PARBENCH_TEST_HANG names kernel/backend.
PARBENCH_TEST_HANG=io_wait/fork-pool timeout -s KILL 120 "$pb" run --kernels sum_squares,io_wait \
	--size 1000 --sleep-us 100 --backends fork-pool --workers 1 --timeout 1 --repetitions 2 \
	--out "$tmp/h1" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "FAILED io_wait / fork-pool / 1 workers: timed out after" "$tmp/err" && ok ||
	bad "hung fork-pool: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "^sum_squares,fork-pool,1," "$tmp/h1/summary.csv" && ok || bad "hung fork-pool: other rows lost"
PARBENCH_TEST_HANG=io_wait/pthreads timeout -s KILL 120 "$pb" run --kernels sum_squares,io_wait \
	--size 1000 --sleep-us 100 --backends pthreads --workers 1 --timeout 1 --repetitions 2 \
	--no-interleave --out "$tmp/h2" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "io_wait / pthreads / 1 workers: timed out after 1 s" "$tmp/err" && ok ||
	bad "hung pthreads: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "^sum_squares,pthreads,1," "$tmp/h2/summary.csv" && ok || bad "hung pthreads: measured rows not saved"
# a hook names one kernel/backend exactly: not a prefix of another's name
PARBENCH_TEST_HANG=io_wait/fork-pool timeout -s KILL 120 "$pb" run --kernels io_wait --size 4 \
	--sleep-us 100 --backends fork-pool-pipe --workers 1 --timeout 5 --repetitions 2 \
	--out "$tmp/h3" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "hook on fork-pool hit fork-pool-pipe: exit $rc: $(head -c 300 "$tmp/err")"
# ... and "kernel/backend:ARG" gives the hook its argument (the crash hook's signal)
PARBENCH_TEST_CRASH=io_wait/fork-pool:SEGV timeout -s KILL 120 "$pb" run --kernels io_wait --size 4 \
	--sleep-us 100 --backends fork-pool --workers 1 --repetitions 2 --out "$tmp/c1" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -qE "FAILED io_wait / fork-pool / 1 workers: .*killed by signal 11" "$tmp/err" && ok ||
	bad "crash hook: exit $rc: $(head -c 300 "$tmp/err")"

# costs --python finds its script where it lives now (bench/costs/costs.py, beside the C
# side it serves): the CPython rows are there, and no interpreter is left
timeout -s KILL 240 "$pb" costs --quick --python --workers 2 --out "$tmp/costs" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && grep -q '^cpython,"Pipe round trip' "$tmp/costs/costs.csv" && ok ||
	bad "costs --python: exit $rc: $(head -c 300 "$tmp/err")"
gone "bench/costs/costs.py" && ok || bad "costs --python: interpreters left"

# Option parsing runs nothing: the interpreter (asked which backends it can run) starts only
# after every usage error, the machine's included (a picture that does not load, a pin list
# beyond this machine's CPUs)
cat >"$tmp/py" <<EOF
#!/bin/sh
echo started >>"$tmp/py.log"
exec python3 "\$@"
EOF
chmod +x "$tmp/py"
usage_error "missing picture" run --python "$tmp/py" --image "$tmp/none.png" --out "$tmp/d1"
[ ! -e "$tmp/py.log" ] && ok || bad "the interpreter ran before a missing --image was refused"
usage_error "pin beyond the machine" run --python "$tmp/py" --kernels io_wait --size 2 \
	--pin 100000 --out "$tmp/d2"
[ ! -e "$tmp/py.log" ] && ok || bad "the interpreter ran before an impossible --pin was refused"
[ ! -e "$tmp/d1" ] && [ ! -e "$tmp/d2" ] && ok || bad "a refused run left its --out"

finish
