#!/bin/sh
# cli_python_life.sh - the CPython interpreter's life: costs --python checks it before
# measuring, keeps the C rows when it fails, leaves nothing behind on SIGTERM; a cpython
# backend or calibration that hangs ends within --timeout, and Ctrl-C ends it promptly.
# ctest: labels cli heavy; timeout 300
. "$(dirname "$0")/cli_lib.sh"

py=$(command -v python3) || { echo "cli_python_life: python3 is required"; exit 1; }
small="--quick --workers 2"
cfilter="--benchmark_filter=thread create" # one C row: the C part takes a second or two

# marked MARK: the processes whose environment holds PB_LIFE_MARK=MARK (a run and everything
# it started, however deep); their pids on stdout
marked() { grep -la "PB_LIFE_MARK=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3; }
# left MARK TENTHS: how many are still there after up to TENTHS / 10 s (killed ones take a
# moment to go); they are killed, so that a failing check does not leave them running
left() {
	for _ in $(seq "$2"); do
		[ -z "$(marked "$1")" ] && break
		sleep 0.1
	done
	n=$(marked "$1" | wc -l)
	[ "$n" -eq 0 ] || kill -9 $(marked "$1") 2>/dev/null
	echo "$n"
}
# wait_marked MARK N PATTERN: until N processes are marked and one's command line has
# PATTERN (60 s at most); 0 if so
wait_marked() {
	for _ in $(seq 600); do
		pids=$(marked "$1")
		if [ "$(echo "$pids" | grep -c .)" -ge "$2" ]; then
			for p in $pids; do
				tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q -- "$3" && return 0
			done
		fi
		sleep 0.1
	done
	return 1
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# end_run SECONDS: waits for the parbench started in the background as $pbpid at t0, killed
# after SECONDS (a hang fails the checks, not the test's timeout); sets rc, and ms since t0
end_run() {
	(
		for _ in $(seq $(($1 * 10))); do sleep 0.1; done
		kill -9 "$pbpid" 2>/dev/null
	) &
	guard=$!
	wait "$pbpid" 2>/dev/null
	rc=$?
	ms=$(ms_since "$t0")
	kill "$guard" 2>/dev/null
	wait "$guard" 2>/dev/null
}

# --- costs --python: the interpreter checked before anything is measured (exit 2, one line,
# nothing written), whether it is missing, not a Python or too old
t0=$(date +%s%N)
usage_error "costs: missing interpreter" costs $small --python --interpreter /nonexistent/python3 \
	--out "$tmp/c-missing"
ms=$(ms_since "$t0")
grep -q "cannot run the Python interpreter '/nonexistent/python3'" "$tmp/err" && ok || bad "costs missing: $(cat "$tmp/err")"
[ ! -e "$tmp/c-missing" ] && ok || bad "costs missing: the results directory was made"
[ "$ms" -lt 5000 ] && ok || bad "costs missing: $ms ms before the answer (measured first?)"
printf '#!/bin/sh\necho 2.7\n' >"$tmp/oldpy"
printf '#!/bin/sh\necho hello\n' >"$tmp/notpy"
chmod +x "$tmp/oldpy" "$tmp/notpy"
usage_error "costs: old interpreter" costs $small --python --interpreter "$tmp/oldpy" --out "$tmp/c-old"
grep -q "is Python 2.7; the CPython price list needs 3.9 or newer" "$tmp/err" && ok || bad "costs old: $(cat "$tmp/err")"
usage_error "costs: not a Python" costs $small --python --interpreter "$tmp/notpy" --out "$tmp/c-not"
grep -q "does not run as a Python interpreter" "$tmp/err" && ok || bad "costs not python: $(cat "$tmp/err")"

# The whole price list in the interpreter, to its end (its killed Pool worker included): exit
# 0, every CPython row written, nothing left running (the python3 of PATH: a Pool's hang at
# terminate() when its replacement worker died with the thread that forked it showed in
# 3.11.7, not in 3.11.2)
PB_LIFE_MARK="$tmp/c-ok" "$pb" costs $small --python --interpreter "$py" --out "$tmp/c-ok" \
	-- "$cfilter" \
	>"$tmp/out" 2>"$tmp/err" &
pbpid=$!
t0=$(date +%s%N)
end_run 90
n=$(left "$tmp/c-ok" 10)
rows=$(grep -c '^cpython,' "$tmp/c-ok/costs.csv" 2>/dev/null)
[ "$rc" -eq 0 ] && ok || bad "costs python: exit $rc: $(head -c 300 "$tmp/err")"
[ "${rows:-0}" -ge 20 ] && ok || bad "costs python: ${rows:-no} CPython rows in costs.csv"
[ "$n" -eq 0 ] && ok || bad "costs python: $n processes left behind"

# An interpreter that passes the check, then dies in the price list: the C rows are printed
# and written all the same, one line says what failed, exit 1
printf '#!/bin/sh\ncase "$1" in -c) exec %s "$@";; esac\nexit 3\n' "$py" >"$tmp/diepy"
chmod +x "$tmp/diepy"
"$pb" costs $small --python --interpreter "$tmp/diepy" --out "$tmp/c-die" -- "$cfilter" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "costs python dies: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "thread create + join" "$tmp/c-die/costs.csv" 2>/dev/null && ok || bad "costs python dies: the C rows were not written"
grep -q "thread create + join" "$tmp/out" && ok || bad "costs python dies: the C rows were not printed"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^parbench: the CPython price list .* failed: exit status 3; the C rows are saved in $tmp/c-die/costs.csv$" "$tmp/err" && ok || bad "costs python dies: $(cat "$tmp/err")"

# SIGTERM while the price list runs (its forkserver and pools started): parbench ends the
# interpreter's process group, saves the C rows, exits 143, and nothing it started is left
PB_LIFE_MARK="$tmp/c-term" "$pb" costs $small --python --out "$tmp/c-term" -- "$cfilter" \
	>"$tmp/out" 2>"$tmp/err" &
pbpid=$!
wait_marked "$tmp/c-term" 4 "costs.py" && ok || bad "costs sigterm: the price list never ran with its children"
sleep 1
kill -TERM "$pbpid"
wait "$pbpid"
rc=$?
n=$(left "$tmp/c-term" 10)
[ "$rc" -eq 143 ] && ok || bad "costs sigterm: exit $rc: $(head -c 300 "$tmp/err")"
[ "$n" -eq 0 ] && ok || bad "costs sigterm: $n processes left behind"
grep -q "thread create + join" "$tmp/c-term/costs.csv" 2>/dev/null && ok || bad "costs sigterm: the C rows were not written"
grep -q "^parbench: interrupted by SIGTERM" "$tmp/err" && ok || bad "costs sigterm: $(cat "$tmp/err")"
# ... the same with an interpreter that runs a Pool and never writes (no broken pipe ends it)
cat >"$tmp/hangpy" <<EOF
#!/bin/sh
case "\$1" in -c) exec $py "\$@";; esac
exec $py -c 'import multiprocessing as mp, time; p = mp.get_context("fork").Pool(2); p.map(abs, [1, 2]); time.sleep(600)' hangpy-pool
EOF
chmod +x "$tmp/hangpy"
PB_LIFE_MARK="$tmp/c-hang" "$pb" costs $small --python --interpreter "$tmp/hangpy" \
	--out "$tmp/c-hang" -- "$cfilter" >"$tmp/out" 2>"$tmp/err" &
pbpid=$!
wait_marked "$tmp/c-hang" 4 "hangpy-pool" && ok || bad "costs sigterm, silent pool: it never ran"
kill -TERM "$pbpid"
wait "$pbpid"
rc=$?
n=$(left "$tmp/c-hang" 10)
[ "$rc" -eq 143 ] && ok || bad "costs sigterm, silent pool: exit $rc: $(head -c 300 "$tmp/err")"
[ "$n" -eq 0 ] && ok || bad "costs sigterm, silent pool: $n processes left behind"
grep -q "thread create + join" "$tmp/c-hang/costs.csv" 2>/dev/null && ok || bad "costs sigterm, silent pool: the C rows were not written"

# parbench killed outright (SIGKILL: no clean-up possible) during the price list: the
# interpreter dies with it, and every process it started with the interpreter
PB_LIFE_MARK="$tmp/c-kill" "$pb" costs $small --python --out "$tmp/c-kill" -- "$cfilter" \
	>/dev/null 2>&1 &
pbpid=$!
wait_marked "$tmp/c-kill" 4 "costs.py" && ok || bad "costs sigkill: the price list never ran with its children"
sleep 1
kill -9 "$pbpid"
wait "$pbpid" 2>/dev/null
n=$(left "$tmp/c-kill" 30)
[ "$n" -eq 0 ] && ok || bad "costs sigkill: $n processes left behind"

# --- run: a CPython interpreter that hangs at start or in calibration (test hook
# PARBENCH_TEST_PY_FAULT=kernel/backend|calibration:hang|hang-start) ends the run within
# --timeout and a few seconds; Ctrl-C ends it at once (exit 130); no interpreter is left.
# start_run NAME FAULT ARGS...: parbench run in the background ($pbpid), marked $tmp/NAME, with
# SIGINT at its default as a terminal's Ctrl-C finds it (a shell's background job ignores it)
start_run() {
	run_name=$1
	run_fault=$2
	shift 2
	PB_LIFE_MARK="$tmp/$run_name" PARBENCH_TEST_PY_FAULT="$run_fault" "$py" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$pb" run --kernels io_wait --backends cpython-pool \
		--workers 2 --size 20 --repetitions 2 --out "$tmp/$run_name" "$@" \
		>"$tmp/$run_name.out" 2>"$tmp/$run_name.err" &
	pbpid=$!
	t0=$(date +%s%N)
}

# hangs at the start of a configuration of the sweep: that row FAILED, the run goes on
start_run r-start io_wait/cpython-pool:hang-start --python-size 20 --timeout 2
end_run 60
n=$(left "$tmp/r-start" 10)
[ "$rc" -eq 1 ] && ok || bad "start hang: exit $rc: $(head -c 300 "$tmp/r-start.err")"
grep -q "FAILED io_wait / cpython-pool / 2 workers: backend start failed: the Python interpreter was not ready after 2 s" "$tmp/r-start.err" && ok || bad "start hang: $(head -c 400 "$tmp/r-start.err")"
[ "$ms" -lt 20000 ] && ok || bad "start hang: the run took $ms ms with --timeout 2"
[ "$n" -eq 0 ] && ok || bad "start hang: $n processes left behind"

# hangs in calibration, in a run or at start: the calibration fails naming the kernel, exit 1
for f in "hang:a run timed out after 2 s (--timeout); the interpreter was killed" \
	"hang-start:the Python interpreter was not ready after 2 s"; do
	fault=${f%%:*}
	want=${f#*:}
	start_run "r-cal-$fault" "io_wait/calibration:$fault" --timeout 2
	end_run 40
	n=$(left "$tmp/r-cal-$fault" 10)
	[ "$rc" -eq 1 ] && ok || bad "calibration $fault: exit $rc: $(head -c 300 "$tmp/r-cal-$fault.err")"
	[ "$(cat "$tmp/r-cal-$fault.err")" = "parbench: calibrating 'io_wait' in CPython: $want" ] && ok || bad "calibration $fault: $(head -c 400 "$tmp/r-cal-$fault.err")"
	[ "$ms" -lt 15000 ] && ok || bad "calibration $fault: the run took $ms ms with --timeout 2"
	[ "$n" -eq 0 ] && ok || bad "calibration $fault: $n processes left behind"
done

# Ctrl-C while calibration's interpreter hangs, and while a configuration's interpreter and
# its pool start and hang (--timeout far away): exit 130 within seconds, nothing left
start_run r-int-cal io_wait/calibration:hang --timeout 60
wait_marked "$tmp/r-int-cal" 2 "driver.py serial" && ok || bad "calibration sigint: no interpreter ever ran"
sleep 0.5
kill -INT "$pbpid"
t0=$(date +%s%N)
end_run 40
n=$(left "$tmp/r-int-cal" 10)
[ "$rc" -eq 130 ] && ok || bad "calibration sigint: exit $rc: $(head -c 300 "$tmp/r-int-cal.err")"
grep -q "^parbench: interrupted by SIGINT while calibrating the CPython rows" "$tmp/r-int-cal.err" && ok || bad "calibration sigint: $(head -c 300 "$tmp/r-int-cal.err")"
[ "$ms" -lt 8000 ] && ok || bad "calibration sigint: $ms ms from SIGINT to the end"
[ "$n" -eq 0 ] && ok || bad "calibration sigint: $n processes left behind"
start_run r-int-start io_wait/cpython-pool:hang-start --python-size 20 --timeout 60
wait_marked "$tmp/r-int-start" 4 "driver.py pool" && ok || bad "start sigint: the pool never started"
sleep 0.5
kill -INT "$pbpid"
t0=$(date +%s%N)
end_run 40
n=$(left "$tmp/r-int-start" 10)
[ "$rc" -eq 130 ] && ok || bad "start sigint: exit $rc: $(head -c 300 "$tmp/r-int-start.err")"
[ "$ms" -lt 8000 ] && ok || bad "start sigint: $ms ms from SIGINT to the end"
[ "$n" -eq 0 ] && ok || bad "start sigint: $n processes left behind"

finish
