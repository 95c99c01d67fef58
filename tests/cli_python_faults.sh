#!/bin/sh
# cli_python_faults.sh PARBENCH - real CPython: a killed Pool worker, a raising task, a hung interpreter, parbench killed.
# ctest: labels cli heavy; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# Real CPython: a killed Pool worker, a raising task and a hung interpreter each fail their
# configuration with a line saying what happened, the sweep goes on, nothing is left running.
for f in "kill:cpython-pool:Pool worker \(pid [0-9]+\) died \(signal 9\)" \
	"raise:cpython-processes:ValueError: test fault" "hang:cpython-threads:timed out after"; do
	fault=${f%%:*}
	rest=${f#*:}
	b=${rest%%:*}
	want=${rest#*:}
	t0=$(date +%s%N)
	PARBENCH_TEST_PY_FAULT="io_wait/$b:$fault" "$pb" run --kernels sum_squares,io_wait \
		--backends "$b" --workers 2 --repetitions 2 --python-size sum_squares=20000,io_wait=20 --size sum_squares=1e6,io_wait=20 \
		--timeout 3 --out "$tmp/py-$fault" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$rc" -eq 1 ] && ok || bad "python $fault: exit $rc: $(head -c 300 "$tmp/err")"
	grep -qE "FAILED io_wait / $b / 2 workers: .*$want" "$tmp/err" && ok || bad "python $fault: $(head -c 400 "$tmp/err")"
	grep -q "^sum_squares,$b,2," "$tmp/py-$fault/summary.csv" && ok || bad "python $fault: other rows lost"
	grep -q "^io_wait,cpython,1," "$tmp/py-$fault/summary.csv" && ok || bad "python $fault: the baseline lost"
	gone "backends/cpython/driver.py" && ok || bad "python $fault: interpreters left"
	[ "$ms" -lt 60000 ] && ok || bad "python $fault: the run took $ms ms"
done
# parbench killed outright (SIGKILL, no clean-up possible): its interpreter and the pool's
# workers die with it
"$pb" run --kernels io_wait --backends cpython-pool,cpython-processes --workers 2 \
	--python-size 2000 --size 20 --repetitions 3 --out "$tmp/py-sigkill" >/dev/null 2>&1 &
pbpid=$!
for _ in $(seq 100); do
	[ "$(pgrep -f "backends/cpython/driver.py" | wc -l)" -gt 0 ] && break
	sleep 0.1
done
sleep 1
[ "$(pgrep -f "backends/cpython/driver.py" | wc -l)" -gt 0 ] && ok || bad "python sigkill: no interpreter ever ran"
kill -9 "$pbpid"
wait "$pbpid" 2>/dev/null
gone "backends/cpython/driver.py|multiprocessing" && ok || bad "python sigkill: processes left: $(pgrep -af "backends/cpython/driver.py|multiprocessing")"
usage_error "bad start method" run --backends cpython-pool --start-method vfork
usage_error "bad python size" run --backends cpython --python-size sum_squares=0
usage_error "python rows with --sizes" run --backends cpython --sizes 1e3,1e4
usage_error "no such interpreter" run --backends cpython,cpython-pool --python /nonexistent/python3
grep -q "no Python 3.8 or newer runs as '/nonexistent/python3'" "$tmp/err" && ok || bad "python missing: $(cat "$tmp/err")"

# --retry and --max-tasks reach the pool: results stay exact.
"$pb" run --quick --kernels sum_squares --backends fork-pool,fork-pool-pipe --workers 2 \
	--max-tasks 2 --retry --repetitions 2 --out "$tmp/mt" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "--max-tasks run: exit $rc: $(head -c 300 "$tmp/err")"
# ... and replace workers: every fork-pool configuration of sum_squares ran more than 2 tasks
# per worker, so its workers were respawned
for b in fork-pool fork-pool-pipe; do
	grep -q '"backend": "'"$b"'", "workers": 2, .*"respawns": [1-9]' "$tmp/mt/meta.json" && ok || bad "--max-tasks: no respawns recorded for $b"
done
usage_error "max-tasks 0" run --max-tasks 0

finish
