#!/bin/sh
# cli_python_life.sh - the CPython interpreter's life: costs --python checks it before
# measuring, keeps the C rows when it fails, leaves nothing behind on SIGTERM; a cpython
# backend or calibration that hangs ends within --timeout, and Ctrl-C ends it promptly.
# ctest: labels cli; timeout 300
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
wait "$pbpid"
n=$(left "$tmp/c-kill" 30)
[ "$n" -eq 0 ] && ok || bad "costs sigkill: $n processes left behind"

finish
