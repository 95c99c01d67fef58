#!/bin/sh
# cli_costs.sh PARBENCH - the price list, in C and in real CPython.
# ctest: labels cli heavy; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# The price list: every figure measured, the exact counters exact, written whole; with
# --python the same list in real CPython beside it.
"$pb" costs --quick --python --out "$tmp/costs" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "costs: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "FAILED" "$tmp/out" && bad "costs: a figure failed: $(grep FAILED "$tmp/out")" || ok
for what in "fork + _exit" "fork-pool start" "fork-pool, chunk 1" "pipe round trip" \
	"semaphore ping-pong" "atomic add" "plain load/add/store" "wrote 64 MiB inherited: PSS"; do
	grep -q "$what" "$tmp/costs/costs.csv" && ok || bad "costs.csv lacks '$what'"
done
for what in "Process start + join, spawn" "Pool(2) start" "Pool.map per item, chunksize 1" \
	"apply_async" "Queue put/get" "Pipe round trip" "Lock hand-off" "Semaphore hand-off" \
	"Event hand-off" "Value += 1 under get_lock" "Value += 1 unsynchronized" "Array write" "Manager dict" \
	"Manager list" "pickle" "spawned Pool worker, idle: PSS"; do
	grep -q "^cpython,\"$what" "$tmp/costs/costs.csv" && ok || bad "costs --python: costs.csv lacks '$what'"
done
grep -qE "^  Pipe round trip +[0-9.]+ +\([0-9.]+ \.\. [0-9.]+\) +us +pipe round trip +[0-9.]+ +[0-9.]+x$" "$tmp/out" && ok || bad "costs --python: no C counterpart beside Pipe: $(grep "Pipe round" "$tmp/out")"
grep -qE "^  killed worker reported, Pool.map +never .*CPython never$" "$tmp/out" && ok || bad "costs --python: Pool's killed worker: $(grep "Pool.map  " "$tmp/out")"
grep -qE "^  killed worker reported, ProcessPoolExecutor +[0-9.]+ " "$tmp/out" && ok || bad "costs --python: BrokenProcessPool not timed"
grep -qE "lost updates none" "$tmp/out" && ok || bad "costs --python: the locked Value lost updates"
gone "bench/costs/costs.py" && ok || bad "costs --python: interpreters left"
usage_error "costs bad option" costs --frob

finish
