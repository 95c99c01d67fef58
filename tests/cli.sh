#!/bin/sh
# cli.sh PARBENCH - the command line as a user meets it: bad usage is one line and exit 2;
# a run writes whole files only; a wrong result fails the run (exit 1) and never reaches a
# table; SIGINT stops the sweep, keeps what was measured and exits 130.
. "$(dirname "$0")/cli_lib.sh"
usage_error "no command"
usage_error "unknown command" frobnicate
usage_error "unknown option" run --frob
usage_error "unknown backend" run --backends mpii
grep -q "unknown backend 'mpii' (known: serial, pthreads" "$tmp/err" && ok || bad "backend list in message"
usage_error "unknown kernel" run --kernels nope,sum_squares
grep -q "known: sum_squares" "$tmp/err" && ok || bad "kernel list in message"
usage_error "workers 0" run --workers 0
usage_error "workers negative" run --workers -1
usage_error "workers text" run --workers two
usage_error "workers absurd" run --workers 100000
usage_error "workers empty" run --workers ,
usage_error "workers empty item" run --workers 1,,2
usage_error "kernels empty item" run --kernels sum_squares,
usage_error "backends empty item" run --backends ,serial
usage_error "sizes empty item" run --sizes 1e3,,1e4
usage_error "size 0" run --size 0
usage_error "size negative" run --size -5
usage_error "size overflow" run --size 99999999999999999999999
usage_error "size exponent overflow" run --size 1e30
usage_error "size 0 with a huge exponent" run --size 0e4777777777777778888
usage_error "sizes with a huge exponent" run --sizes 1e99999999999
usage_error "size beyond kernel" run --kernels sum_squares --size 1e15
usage_error "size text" run --size lots
usage_error "size not whole" run --size 1.5
usage_error "size not whole in scientific notation" run --size 1.25e1
usage_error "missing value" run --size
usage_error "bad pin" run --pin sideways
usage_error "pin beyond machine" run --pin 4096
usage_error "bad schedule" run --schedule sometimes
usage_error "bad chunk" run --chunk 0
usage_error "bad min-time" run --min-time -1
usage_error "bad gbench flag" run --kernels io_wait --size 2 --backends pthreads --workers 1 --out "$tmp/gb" -- --benchmark_bogus=1
usage_error "unwritable out" run --out /proc/parbench-cannot-write
[ ! -e "$tmp/gb/summary.csv" ] && ok || bad "a refused run left a summary"

# --help and --version for the program and every command: stdout, exit 0; --x=value for
# every option (the table-driven parser); one wording for an unknown option.
for c in "" run costs topology filter report compare list roofline; do
	"$pb" $c --help >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok || bad "parbench $c --help"
done
"$pb" costs --help | grep -q "^usage: parbench costs \[--workers N\]" && ok || bad "costs --help: no usage line"
"$pb" run --help | grep -q "^  --budget S " && ok || bad "run --help: the options are not listed"
"$pb" --version | grep -q "^parbench [0-9a-f]" && ok || bad "--version"
"$pb" run --version | grep -q "^parbench [0-9a-f]" && "$pb" costs --version >/dev/null && ok || bad "run --version"
"$pb" topology --workers=1 --pin=compact >"$tmp/out" 2>&1 && grep -q "1 worker$" "$tmp/out" && ok || bad "topology --workers=1: $(head -c 200 "$tmp/out")"
usage_error "a value given to a flag" run --quick=yes
usage_error "unknown costs option" costs --frob
grep -q "^parbench: unknown option '--frob' for parbench costs (see parbench costs --help)$" "$tmp/err" && ok || bad "unknown option wording: $(cat "$tmp/err")"
usage_error "unknown topology option" topology --frob=2
usage_error "compare threshold=bad" compare --threshold=x a b

# A small good run: exit 0, the table, whole files, no temporary files left behind.
"$pb" run --full --quick --kernels sum_squares,io_wait --backends pthreads --workers 1,2 \
	--repetitions 2 --out "$tmp/run" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "good run: exit $rc: $(cat "$tmp/err")"
for f in summary.csv samples.csv meta.json gbench.json topology.xml; do
	[ -s "$tmp/run/$f" ] && ok || bad "good run: $f missing or empty"
done
[ -z "$(find "$tmp/run" -name '*.tmp')" ] && ok || bad "temporary files left behind"
if command -v gnuplot >/dev/null 2>&1; then
	for f in report.md speedup-sum_squares.png speedup-sum_squares.svg \
		speedup-io_wait-efficiency.png speedup-io_wait-efficiency.svg; do
		[ -s "$tmp/run/$f" ] && ok || bad "good run: $f missing or empty"
	done
	grep -q "](speedup-sum_squares.png)" "$tmp/run/report.md" && ok || bad "report.md lacks a chart"
else
	grep -q "No charts: gnuplot is not installed" "$tmp/run/report.md" && ok || bad "report.md without gnuplot"
fi
head -1 "$tmp/run/summary.csv" | grep -q "^kernel,backend,workers,size,items,median_s,min_s,max_s,mean_s,stddev_s,cv,speedup,efficiency," && ok || bad "summary.csv columns"
rows=$(($(wc -l <"$tmp/run/summary.csv") - 1))
[ "$rows" -eq 6 ] && ok || bad "summary.csv has $rows rows, want 6 (2 kernels x serial + pthreads x 2)"
grep -q "^sum_squares,serial,1,.*,1.000000,1.000000," "$tmp/run/summary.csv" && ok || bad "serial speedup is not 1"
grep -q "^# sum_squares" "$tmp/out" && grep -q "speedup = median(serial)" "$tmp/out" && ok || bad "no table on stdout"
samples=$(($(wc -l <"$tmp/run/samples.csv") - 1))
[ "$samples" -eq 12 ] && ok || bad "samples.csv has $samples rows, want 12"
cmake -DFILE="$tmp/run/meta.json" -P "$(dirname "$0")/json_check.cmake" >/dev/null 2>&1 && ok || bad "meta.json is not valid JSON"
cmake -DFILE="$tmp/run/gbench.json" -P "$(dirname "$0")/json_check.cmake" >/dev/null 2>&1 && ok || bad "gbench.json is not valid JSON"

# The roof and the variant: measured before the sweep, beside every row, in every file.
head -1 "$tmp/run/summary.csv" | grep -q ",partial,variant,elements,rate,rate_unit,cycles_per_item,copy_fraction," && ok || bad "summary.csv lacks the rate and roof columns"
head -1 "$tmp/run/summary.csv" | grep -q ",parallel_cpus,moved_bytes,volume_bytes,messages,link_s,link_latency_s,link_bytes_per_s,gil,smt_shared$" && ok || bad "summary.csv lacks the scaling model's columns"

v=$("$pb" list | sed -n 's/^kernels (instruction-set variant in use: \([a-z0-9]*\);.*/\1/p')
[ -n "$v" ] && ok || bad "list does not name the variant in use"
# the variant each kernel ran was timed and chosen (tests/cli_variants_pick.sh)
c=$(python3 -c 'import json, sys
print([k["chosen"] for k in json.load(open(sys.argv[1]))["variant_choice"]["kernels"] if k["kernel"] == "sum_squares"][0])' "$tmp/run/meta.json")
grep -q "^# sum_squares: .*; variant $c$" "$tmp/out" && ok || bad "table header lacks the variant $c"
grep -q "cyc/item" "$tmp/out" && grep -q "^roof (measured before the sweep" "$tmp/out" && ok || bad "table lacks the roof"
grep -q '"kernel_variant": "'"$v"'"' "$tmp/run/meta.json" && grep -q '"roof": {"clock_hz": [0-9]' "$tmp/run/meta.json" && ok || bad "meta.json lacks the roof or the variant"
grep -Eq '"machine_state": \{"boost": "(on|off|unknown)", "aslr": -?[0-9], "busy_at_start": [0-9]+, "busy_names": "[^"]*", "steal": -?[0-9.]+(, "steady": \{"kernel": "range_sum", "runs": [0-9]+[^}]*\})?\}' "$tmp/run/meta.json" && ok || bad "meta.json lacks the machine's state"
[ "$(head -1 "$tmp/run/roof.csv")" = "workers,copy_gb_per_s,clock_ghz" ] && [ "$(wc -l <"$tmp/run/roof.csv")" -eq 3 ] && ok || bad "roof.csv"
sumawk '$1 == "sum_squares" && !($col("cycles_per_item") > 0) {bad = 1} END {exit bad}' "$tmp/run/summary.csv" && ok || bad "sum_squares rows without cycles per item"

# The scaling model: under the table, fitted on 1 worker, checked on 2; then projected.
grep -q "^  pthreads  *model, fitted on 1 worker (compute .* / CPUs + serial .*): 2 workers on 2 CPUs predicted .*, measured .*: error [-+][0-9.]*%$" "$tmp/out" && ok || bad "no model line under the table: $(grep model "$tmp/out" | head -2)"
grep -q "^note: scaling model .*: 2 held-out predictions, mean |error|" "$tmp/out" && ok || bad "no model note"
# (the columns after the quoted pin plan are counted from the end of the row: sumawk)
# quoted pin plan holds commas)
sumawk '$2 == "pthreads" && $3 == 2 && $col("parallel_cpus") != 2 { bad = 1 } END { exit bad }' "$tmp/run/summary.csv" && ok || bad "pthreads x2 did not run on 2 CPUs (parallel_cpus)"
"$pb" project "$tmp/run" --nodes 1 --link 10gbit,2us >"$tmp/proj" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && ok || bad "project: exit $rc: $(cat "$tmp/err")"
head -1 "$tmp/proj" | grep -q "^PROJECTION, NOT MEASURED: 1 node x 2 cores, links 10gbit,2us (payload 1177 MB/s" && ok || bad "project: no projection label: $(head -1 "$tmp/proj")"
grep -q "^  pthreads  *2 workers  .*x  *[-+][0-9.]*% (2 at 2)   one node: shared memory$" "$tmp/proj" && ok || bad "project: no pthreads line with its model error: $(cat "$tmp/proj")"
"$pb" project "$tmp/run" --nodes 4 --cores 8 --link 1gbit,50us >"$tmp/proj" 2>&1
grep -q "^  pthreads  *not projected: its workers share one machine's memory" "$tmp/proj" && ok || bad "project: a shared-memory backend projected onto 4 nodes"
usage_error "project without --nodes" project "$tmp/run" --link 1gbit,1us
usage_error "project without --link" project "$tmp/run" --nodes 2
usage_error "project link without latency" project "$tmp/run" --nodes 2 --link 10gbit
usage_error "project link rate unit" project "$tmp/run" --nodes 2 --link 10gbps,1us
usage_error "project link latency unit" project "$tmp/run" --nodes 2 --link 10gbit,1min
usage_error "project zero rate" project "$tmp/run" --nodes 2 --link 0gbit,1us
usage_error "project nodes 0" project "$tmp/run" --nodes 0 --link 1gbit,1us
usage_error "project too many workers" project "$tmp/run" --nodes 4096 --cores 4096 --link 1gbit,1us
usage_error "project no run" project "$tmp/nothing-here" --nodes 2 --link 1gbit,1us
usage_error "project two runs" project "$tmp/run" "$tmp/run" --nodes 2 --link 1gbit,1us
"$pb" roofline --workers=1,2 >"$tmp/roof" 2>&1 && grep -q "^copy bandwidth .*1 worker [0-9.]* GB/s, 2 workers [0-9.]* GB/s" "$tmp/roof" && ok || bad "roofline: $(cat "$tmp/roof")"
usage_error "roofline bad pin" roofline --pin sideways
usage_error "unknown variant" run --isa avx3
PARBENCH_ISA=avx3 "$pb" list >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] && grep -q "^parbench: PARBENCH_ISA: unknown variant 'avx3'" "$tmp/err" && ok || bad "PARBENCH_ISA=avx3: $(cat "$tmp/err")"
for lower in $("$pb" list | sed -n 's/^kernels (.*built:\(.*\)):$/\1/p' | sed 's/ ([^)]*)//g'); do
	if "$pb" list | grep -q "built:.* $lower (not on this CPU)"; then
		usage_error "variant $lower this CPU lacks" run --isa "$lower"
		continue
	fi
	PARBENCH_ISA=$lower "$pb" run --full --quick --kernels sum_squares,sepia --backends serial --repetitions 2 --size sum_squares=1e7 \
		--out "$tmp/isa-$lower" >"$tmp/out" 2>"$tmp/err" && grep -q "^# sepia: .*; variant $lower$" "$tmp/out" &&
		grep -q '"kernel_variant": "'"$lower"'"' "$tmp/isa-$lower/meta.json" && ok || bad "forced variant $lower: $(cat "$tmp/err")"
done

# A result that goes wrong after verified repetitions (test hook, from the 3rd run of each
# configuration: the warm-up and the first timed repetition pass): the configuration fails as a whole: no row, no samples, a FAILED
# line and a failure in meta.json; gbench.json stays valid JSON; other kernels keep theirs.
PARBENCH_TEST_CORRUPT=range_sum:3 "$pb" run --full --quick --kernels range_sum,sum_squares --backends pthreads \
	--workers 2 --repetitions 3 --out "$tmp/late" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "FAILED range_sum / serial / 1 workers: verification failed" "$tmp/err" && ok || bad "late corruption: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "^range_sum," "$tmp/late/summary.csv" "$tmp/late/samples.csv" && bad "late corruption: the failed configuration has numbers" || ok
grep -q "^sum_squares,pthreads,2," "$tmp/late/summary.csv" && ok || bad "late corruption: other rows lost"
grep -q '"kernel": "range_sum", "backend": "serial", "workers": 1, "error": "verification failed' "$tmp/late/meta.json" && ok || bad "late corruption: not in meta.json's failures"
cmake -DFILE="$tmp/late/gbench.json" -P "$(dirname "$0")/json_check.cmake" >/dev/null 2>&1 && ok || bad "late corruption: gbench.json is not valid JSON"
awk '/^# range_sum/{f=1;next} /^# /{f=0} f && / ms /' "$tmp/out" | grep -q . && bad "late corruption: range_sum timings printed" || ok

# Restarts: interleaving restarts a configuration's backend at each of its repetitions; a
# kernel without data is warmed up at its first start only, a filter at every restart.
# 10 repetitions of 2 configurations in random order restart each of them at least once
# (all but ~1e-5 of orders): io_wait then runs 1 + 10 times (no 12th run to corrupt), a
# filter 10 + at least 2 warm-ups (its 12th run is corrupted, so it fails).
PARBENCH_TEST_CORRUPT=io_wait:12 "$pb" run --kernels io_wait --size 2 --sleep-us 1000 \
	--backends pthreads --workers 1 --repetitions 10 --min-time 0.001 --no-report \
	--out "$tmp/rewarm-io" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && grep -c "^io_wait," "$tmp/rewarm-io/summary.csv" | grep -qx 2 && ok ||
	bad "io_wait restarts were warmed up again: exit $rc: $(head -c 300 "$tmp/err")"
PARBENCH_TEST_CORRUPT=grayscale:12 "$pb" run --kernels grayscale --backends pthreads \
	--workers 1 --repetitions 10 --min-time 0.001 --no-report --out "$tmp/rewarm-img" \
	>/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "FAILED grayscale / .*verification failed" "$tmp/err" && ok ||
	bad "grayscale restarts were not warmed up again: exit $rc: $(head -c 300 "$tmp/err")"

# The steadiness probe: short serial range_sum runs between configurations, summarized in
# meta.json; the run warns when more than 5% of them took over 10% longer than the fastest.
# Its run times are fed in (test hook), so that what it concludes does not depend on how
# busy this machine is: steady times (within 10% of the fastest) are not warned of, varied
# ones are, with their figures.
for kind in steady varied; do
	[ "$kind" = steady ] && times=0.002,0.00215,0.002,0.0021 || times=0.002,0.002,0.003,0.002
	PARBENCH_TEST_STEADY=$times "$pb" run --quick --kernels io_wait --size 4 --sleep-us 100 \
		--backends serial --repetitions 2 --out "$tmp/steady-$kind" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok || bad "steadiness $kind: exit $rc: $(head -c 300 "$tmp/err")"
	if [ "$kind" = steady ]; then
		grep -q "speed varied" "$tmp/out" && bad "steadiness: steady probe runs were warned of: $(grep "speed varied" "$tmp/out")" || ok
		want='"runs": 4, "fastest_s": 0.002, "median": 1.0250, "slowest": 1.0750, "slow_share": 0.0000, "size": [0-9]*, "median_s": 0.00205[0-9]*, '
	else
		grep -q "^warning: the CPU's speed varied during the run: of 4 short serial range_sum runs timed between configurations, 25% took over 10% longer than the fastest (the slowest 1.50x; steal time " "$tmp/out" && ok ||
			bad "steadiness: varied probe runs not warned of: $(grep -i "steady\|varied" "$tmp/out")"
		want='"runs": 4, "fastest_s": 0.002, "median": 1.0000, "slowest": 1.5000, "slow_share": 0.2500, "size": [0-9]*, "median_s": 0.002[0-9]*, '
	fi
	grep -q "\"steady\": {\"kernel\": \"range_sum\", $want" "$tmp/steady-$kind/meta.json" && ok ||
		bad "steadiness $kind: meta.json: $(grep -o '"steady": {[^}]*}' "$tmp/steady-$kind/meta.json")"
done
# ... and what the probe measured itself in the good run above, if it ran twice or more, is
# consistent (how many runs, and how steady, depends on the machine)
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["machine_state"].get("steady")
sys.exit(0 if s is None or (s["kernel"] == "range_sum" and s["runs"] >= 2 and s["fastest_s"] > 0 and
                            1 <= s["median"] <= s["slowest"] and 0 <= s["slow_share"] <= 1) else 1)' \
	"$tmp/run/meta.json" && ok || bad "steadiness: the good run's record: $(grep -o '"steady": {[^}]*}' "$tmp/run/meta.json")"

# parbench filter has a watchdog too: a run slower than --timeout is stopped (processes) or
# ends the command (threads), exit 1, and no output is written.  The runs hang (test hook):
# the filters are too fast on some CPUs for a tiny timeout to catch them.
for b in fork-pool pthreads; do
	PARBENCH_TEST_HANG="box_blur/$b" timeout -s KILL 60 "$pb" filter --kernel box_blur \
		--input "$(dirname "$0")/data/photo.png" --output "$tmp/big-$b.png" \
		--backend "$b" --timeout 1 --repetitions 5 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -Eq "took more than 1 s" "$tmp/err" && [ ! -e "$tmp/big-$b.png" ] && ok || bad "filter watchdog $b: exit $rc: $(head -c 300 "$tmp/err")"
done

# The scaling analysis: no serial fraction for a backend slower than serial, oversubscribed
# rows (4 workers here on at most 2 cores... or more) left out of the fit.
cores=$(nproc)
[ -z "${PB_INSTRUMENTED:-}" ] || echo "SKIP: the analysis lines' speed assertions, in an instrumented build"
[ -n "${PB_INSTRUMENTED:-}" ] || "$pb" run --full --quick --kernels grayscale --backends fork-pool-pipe,pthreads --workers "1,$cores,$((cores * 2))" \
	--repetitions 2 --out "$tmp/analysis" >"$tmp/out" 2>"$tmp/err"
[ -n "${PB_INSTRUMENTED:-}" ] || { grep -q "^  fork-pool-pipe .*slower than serial at every worker count (best 0.[0-9]*x): no serial fraction or projection; oversubscribed rows left out" "$tmp/out" && ok || bad "analysis: no 'slower than serial' line: $(grep -A12 '^# grayscale' "$tmp/out")"
grep -q "^  fork-pool-pipe .*Karp-Flatt" "$tmp/out" && bad "analysis: a serial fraction for a slowdown" || ok
grep -q "approximate (with 2 repetitions it covers less than 95%)" "$tmp/out" && ok || bad "analysis: the bootstrap interval is not called approximate"; }

# A wrong result (test hook): exit 1, named on stderr, absent from the table and the CSV.
PARBENCH_TEST_CORRUPT=range_sum "$pb" run --full --quick --kernels range_sum,sum_squares \
	--backends pthreads --workers 2 --repetitions 2 --out "$tmp/bad" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "corrupt run: exit $rc"
grep -q "FAILED range_sum / serial / 1 workers: verification failed" "$tmp/err" && ok || bad "corrupt run: no FAILED line: $(cat "$tmp/err")"
grep -q "^range_sum," "$tmp/bad/summary.csv" && bad "a failed kernel reached summary.csv" || ok
grep -q "^sum_squares,pthreads,2," "$tmp/bad/summary.csv" && ok || bad "good rows lost after a failure"
grep -E "^  (serial|pthreads) .* ms " "$tmp/out" | grep -q "x" && ok || bad "no good rows in the table"
awk '/^# range_sum/{f=1;next} /^# /{f=0} f && / ms /' "$tmp/out" | grep -q . && bad "range_sum timings printed" || ok
grep -q '"failures": \[' "$tmp/bad/meta.json" && grep -q '"kernel": "range_sum"' "$tmp/bad/meta.json" && ok || bad "failure not in meta.json"

# parbench costs when no process can be forked (an unprivileged user at its process limit;
# root ignores RLIMIT_NPROC): each row reports FAILED, costs ends by itself, and a sibling
# process of the same user survives (a kill(-1) would take it).
if [ -n "${PB_INSTRUMENTED:-}" ]; then
	# a sanitizer's runtime needs threads of its own, which the process limit forbids
	echo "SKIP: costs without fork, in an instrumented build (the normal build runs it)"
elif [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 && command -v prlimit >/dev/null 2>&1; then
	chmod 711 "$tmp" && mkdir -p "$tmp/nproc" && chmod 777 "$tmp/nproc"
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
		sleep 60 & sib=$!
		prlimit --nproc=2:2 "$1" costs --quick --out "$2/out" -- "--benchmark_filter=-OpenMP|openmp" >"$2/out.txt" 2>&1
		echo "rc=$?" >"$2/rc"
		kill -0 "$sib" && echo alive >"$2/sibling"
		kill "$sib"' sh "$pb" "$tmp/nproc"
	[ "$(cat "$tmp/nproc/rc" 2>/dev/null)" = "rc=1" ] && ok || bad "costs without fork: $(cat "$tmp/nproc/rc" 2>/dev/null) $(tail -5 "$tmp/nproc/out.txt" 2>/dev/null)"
	[ -s "$tmp/nproc/sibling" ] && ok || bad "costs without fork: a sibling process was killed"
	grep -q "fork + _exit + waitpid  *FAILED" "$tmp/nproc/out.txt" && grep -q "pipe round trip  *FAILED" "$tmp/nproc/out.txt" &&
		grep -q "plain load/add/store  *FAILED" "$tmp/nproc/out.txt" && ok || bad "costs without fork: rows not FAILED: $(head -c 600 "$tmp/nproc/out.txt")"
	grep -q " [0-9.]* \.\. [0-9.]* " "$tmp/nproc/out.txt" && bad "costs without fork: a figure was printed" || ok
elif [ "${PB_REQUIRE_ALL:-OFF}" = ON ]; then
	bad "costs without fork needs root, setpriv and prlimit, and everything is required (CI)"
else
	echo "SKIP: costs without fork needs root (to become an unprivileged user), setpriv and prlimit"
fi

# A transport that drops one chunk's output rows (test hook): the output is made wrong before
# every run, so an earlier run's picture cannot pass for this one's: exit 1.
PARBENCH_TEST_DROP_COPYBACK=1 "$pb" run --quick --kernels grayscale,sharpen --backends fork-pool-pipe \
	--workers 2 --repetitions 2 --out "$tmp/drop" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "FAILED grayscale / fork-pool-pipe / 2 workers: verification failed" "$tmp/err" &&
	grep -q "FAILED sharpen / fork-pool-pipe / 2 workers: verification failed" "$tmp/err" && ok || bad "dropped copy-back: exit $rc: $(head -c 400 "$tmp/err")"
grep -q "^grayscale,fork-pool-pipe," "$tmp/drop/summary.csv" && bad "dropped copy-back: the row was measured" || ok
grep -q "^grayscale,serial,1," "$tmp/drop/summary.csv" && ok || bad "dropped copy-back: serial rows lost"

# a size with a decimal mantissa is taken when its value is whole: 2.5e1 is 25 items
"$pb" run --kernels io_wait --size 2.5e1 --sleep-us 100 --backends serial --repetitions 2 \
	--out "$tmp/dec" >/dev/null 2>&1
grep -q "^io_wait,serial,1,25," "$tmp/dec/summary.csv" && ok || bad "--size 2.5e1 did not run 25 items"

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

# Image files through `parbench filter` (tests/data: synthetic photos made by parbench's own
# generator and written with libpng / libjpeg).
data="$(dirname "$0")/data"
for b in serial pthreads pthreads-gil openmp fork-pool fork-pool-pipe; do
	"$pb" list | grep -q "^  $b " || continue
	"$pb" filter --kernel sharpen --input "$data/photo.png" --output "$tmp/sharp-$b.png" \
		--backend "$b" --workers 3 --repetitions 2 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok || bad "filter with $b: exit $rc: $(head -c 300 "$tmp/err")"
	grep -q "bit-identical to the plain reference" "$tmp/out" && ok || bad "filter with $b: not verified"
	cmp -s "$tmp/sharp-serial.png" "$tmp/sharp-$b.png" && ok || bad "filter: $b's PNG differs from serial's"
done
"$pb" filter --kernel grayscale --input "$data/photo.jpg" --output "$tmp/gray.png" >"$tmp/out" 2>"$tmp/err" \
	&& [ -s "$tmp/gray.png" ] && ok || bad "filter jpg -> png: $(head -c 300 "$tmp/err")"
"$pb" filter --kernel box_blur --input "$data/photo.png" "$data/photo.jpg" --outdir "$tmp/batch" \
	--backend fork-pool-pipe --workers 2 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ -s "$tmp/batch/photo.png" ] && [ -s "$tmp/batch/photo.jpg" ] && ok || bad "batch: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "^per worker:" "$tmp/out" && ok || bad "batch: no per-worker line"
[ -z "$(find "$tmp/batch" -name '*.tmp')" ] && ok || bad "batch: temporary files left"
# bad files and usage: one line, exit 2, and no output file
: >"$tmp/empty.png"
echo "not an image" >"$tmp/text.jpg"
head -c 3000 "$data/photo.png" >"$tmp/cut.png"
head -c 1500 "$data/photo.jpg" >"$tmp/cut.jpg"
for f in empty.png text.jpg cut.png cut.jpg missing.png; do
	usage_error "filter bad file $f" filter --kernel sepia --input "$tmp/$f" --output "$tmp/o-$f.png"
	[ ! -e "$tmp/o-$f.png" ] && ok || bad "filter bad file $f: an output was written"
done
usage_error "filter bad file in a batch" filter --kernel sepia --input "$data/photo.png" "$tmp/cut.png" --outdir "$tmp/b2"
[ -z "$(ls "$tmp/b2" 2>/dev/null)" ] && ok || bad "a failed batch wrote files"
usage_error "filter no kernel" filter --input "$data/photo.png" --output "$tmp/x.png"
usage_error "filter not a filter" filter --kernel sum_squares --input "$data/photo.png" --output "$tmp/x.png"
usage_error "filter no input" filter --kernel sepia --output "$tmp/x.png"
usage_error "filter no output" filter --kernel sepia --input "$data/photo.png"
usage_error "filter output and outdir" filter --kernel sepia --input "$data/photo.png" --output "$tmp/x.png" --outdir "$tmp/d"
usage_error "filter 2 inputs, one output" filter --kernel sepia --input "$data/photo.png" "$data/photo.jpg" --output "$tmp/x.png"
usage_error "filter bad output format" filter --kernel sepia --input "$data/photo.png" --output "$tmp/x.gif"
usage_error "filter same output twice" filter --kernel sepia --input "$data/photo.png" "$data/photo.png" --outdir "$tmp/d"
usage_error "filter unwritable outdir" filter --kernel sepia --input "$data/photo.png" --outdir /proc/pb-no
usage_error "filter bad backend" filter --kernel sepia --input "$data/photo.png" --output "$tmp/x.png" --backend mpii
usage_error "run bad image" run --image "$tmp/cut.png"
usage_error "run size beyond picture limit" run --kernels box_blur --size 70000
# a picture that needs more memory than the process may have (3 x 768 MB under a 1.5 GB
# limit); not in sanitizer builds, which cannot even start under such a limit
if (ulimit -v 1500000 && "$pb" list >/dev/null 2>&1); then
	(ulimit -v 1500000 && "$pb" run --kernels box_blur --size 16000 --backends serial \
		--out "$tmp/nomem" >"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "needs more memory" "$tmp/err" && [ ! -e "$tmp/nomem/summary.csv" ] && ok || bad "beyond memory: exit $rc: $(head -c 300 "$tmp/err")"
fi

# Size sweeps and weak scaling: tables per size, break-even lines, charts, intervals.
"$pb" run --full --kernels sum_squares --sizes 1e3,1e7 --backends pthreads --workers 2 \
	--repetitions 3 --min-time 0.02 --out "$tmp/sizes" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "--sizes: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "^# sum_squares: size 1000 " "$tmp/out" && grep -q "^# sum_squares: size 10000000 " "$tmp/out" && ok || bad "--sizes: a table per size"
grep -qE "^    pthreads +x2 " "$tmp/out" && ok || bad "--sizes: no break-even line"
[ "$(grep -c '^sum_squares,serial,1,' "$tmp/sizes/summary.csv")" -eq 2 ] && ok || bad "--sizes: serial per size"
if command -v gnuplot >/dev/null 2>&1; then
	for f in breakeven-sum_squares.png time-sum_squares.svg; do
		[ -s "$tmp/sizes/$f" ] && ok || bad "--sizes: $f missing"
	done
fi
"$pb" run --full --kernels sum_squares --size 1e6 --scaling weak --backends pthreads --workers 1,2 \
	--repetitions 3 --min-time 0.02 --out "$tmp/weak" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "weak: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "^sum_squares,pthreads,2,2000000," "$tmp/weak/summary.csv" && ok || bad "weak: 2 workers not at twice the size"
grep -q ",weak," "$tmp/weak/summary.csv" && ok || bad "weak: scaling column"
grep -qE "^  pthreads .*[0-9]\.[0-9]+-[0-9]\.[0-9]+ " "$tmp/out" && ok || bad "weak: no interval column"
usage_error "bad scaling" run --scaling sideways
usage_error "weak with sizes" run --scaling weak --sizes 1,2
usage_error "size and sizes" run --size 5 --sizes 1,2
usage_error "bad sizes" run --sizes 1,,x

# Sizes from the time budget: calibrated per kernel, stated in the header and meta.json, and
# kept from an earlier calibration beside the run directories while the probe agrees.
mkdir -p "$tmp/cal"
"$pb" run --full --quick --kernels sum_squares,grayscale --backends serial --repetitions 2 \
	--out "$tmp/cal/a" >"$tmp/out" 2>"$tmp/err" || bad "calibrated run: $(head -c 300 "$tmp/err")"
size=$(awk -F, 'NR > 1 && $1 == "sum_squares" { print $4 }' "$tmp/cal/a/summary.csv")
grep -q "^# sum_squares: size $size .*; calibrated for a serial run of 12.50 ms (probe: " "$tmp/out" && ok || bad "calibration not in the header: $(grep '^# sum' "$tmp/out")"
grep -q "^# grayscale: 1024x1024 picture" "$tmp/out" && ! grep -q "^# grayscale.*calibrated" "$tmp/out" && ok || bad "the picture was calibrated"
grep -q "\"calibrated_sizes\": \"sum_squares=$size\"" "$tmp/cal/a/meta.json" && ok || bad "calibrated size not in meta.json"
grep -q "	sum_squares	$size\$" "$tmp/cal/.parbench-sizes" && ok || bad "calibrated size not kept beside the run"
# a kept size within the factor is used again, exactly; one far off is not
kept=$((size + size / 5))
sed -i "s/	sum_squares	$size\$/	sum_squares	$kept/" "$tmp/cal/.parbench-sizes"
"$pb" run --full --quick --kernels sum_squares --backends serial --repetitions 2 --out "$tmp/cal/b" \
	>"$tmp/out" 2>"$tmp/err" || bad "kept-size run failed"
grep -q "^# sum_squares: size $kept .*size kept from an earlier run" "$tmp/out" && ok || bad "kept size not used: $(grep '^# sum' "$tmp/out")"
sed -i "s/	sum_squares	$kept\$/	sum_squares	$((size * 100))/" "$tmp/cal/.parbench-sizes"
"$pb" run --full --quick --kernels sum_squares --backends serial --repetitions 2 --out "$tmp/cal/c" \
	>"$tmp/out" 2>"$tmp/err" || bad "recalibrated run failed"
grep "^# sum_squares" "$tmp/out" | grep -q "size $((size * 100)) \|size kept" && bad "a size 100x off was kept" || ok
# the CPython rows' sizes: calibrated in the interpreter, kept beside the runs too
for run in e f; do
	"$pb" run --full --quick --kernels sum_squares,sharpen --backends cpython --repetitions 2 \
		--out "$tmp/cal/$run" >"$tmp/out-$run" 2>"$tmp/err" || bad "CPython calibration run $run: $(head -c 300 "$tmp/err")"
done
grep -q "^# sharpen in CPython (.*): [0-9]*x[0-9]* picture.*calibrated for a serial CPython run of 10.00 ms" "$tmp/out-e" && ok || bad "CPython picture not calibrated: $(grep '^# sharpen in' "$tmp/out-e")"
grep -q "^# sum_squares in CPython.*size kept from an earlier run" "$tmp/out-f" && ok || bad "CPython size not kept: $(grep '^# sum_squares in' "$tmp/out-f")"
grep -q '"python_sizes": "sum_squares=[0-9]*,sharpen=[0-9]*"' "$tmp/cal/e/meta.json" && ok || bad "python_sizes not in meta.json"
# --size per kernel: exact, the other kernels still calibrated; its bad forms are usage errors
"$pb" run --full --quick --kernels sum_squares,io_wait --backends serial --repetitions 2 \
	--size sum_squares=12345 --out "$tmp/cal/d" >"$tmp/out" 2>"$tmp/err" || bad "--size k=N run failed"
awk -F, 'NR > 1 && $1 == "sum_squares" { print $4 }' "$tmp/cal/d/summary.csv" | grep -qx 12345 && ok || bad "--size sum_squares=12345 not used"
grep -q "^# io_wait: .*calibrated" "$tmp/out" && ok || bad "--size k=N: the other kernel was not calibrated"
usage_error "size for an unknown kernel" run --size nope=5
usage_error "size item without =" run --size sum_squares=5,7
usage_error "size per kernel with sizes" run --size sum_squares=5 --sizes 1,2
usage_error "repetitions with budget" run --repetitions 3 --budget 10
usage_error "bad budget" run --budget 0
# compare: sizes too far apart are not compared; with nothing else in common, one line says
# so and the exit status is 2 (tests/cli_compare_gate.sh has the rest)
usage_error "compare across sizes" compare "$tmp/cal/a" "$tmp/cal/d"
grep -q "^parbench: nothing to compare: sum_squares ran at size $size in BASE and 12345 in NEW, not compared (sizes more than 10x apart)" "$tmp/err" && ok || bad "compare across sizes: $(head -c 500 "$tmp/err")"

# Adaptive repetitions (no --repetitions): at least 5, at most 40, more only for wide medians,
# the budget and rounds in meta.json and the table.  Calibrated io_wait: sleeps, so quiet.
"$pb" run --full --quick --kernels io_wait --backends pthreads --workers 2 --budget 4 \
	--out "$tmp/adapt" >"$tmp/out" 2>"$tmp/err" || bad "adaptive run: $(head -c 300 "$tmp/err")"
awk -F, 'NR > 1 { print $14 }' "$tmp/adapt/summary.csv" >"$tmp/reps"
[ "$(wc -l <"$tmp/reps")" -eq 2 ] && ! awk '$1 < 5 || $1 > 40 { exit 1 }' "$tmp/reps" && bad "adaptive repetitions out of 5..40: $(cat "$tmp/reps")" || ok
grep -q '"adaptive": {"precision": 0.015, "budget_s": 4, "rounds": ' "$tmp/adapt/meta.json" && ok || bad "adaptive: not in meta.json"
grep -q "^times: median, min and max over .* repetitions of wall time (adaptive: 5, then more where .*budget of 4 s lasted" "$tmp/out" && ok || bad "adaptive: not in the table's notes"
# every repetition of every round is in samples.csv and in gbench.json (valid JSON)
n=$(grep -c "^io_wait,pthreads,2," "$tmp/adapt/samples.csv")
r=$(awk -F, '$2 == "pthreads" { print $14 }' "$tmp/adapt/summary.csv")
[ "$n" = "$r" ] && ok || bad "adaptive: samples.csv has $n repetitions, summary.csv $r"
cmake -DFILE="$tmp/adapt/gbench.json" -P "$(dirname "$0")/json_check.cmake" >/dev/null 2>&1 && ok || bad "adaptive: gbench.json is not valid JSON"
g=$(grep -c '"name": "io_wait/pthreads/2/[0-9]*/.*/manual_time",' "$tmp/adapt/gbench.json")
[ "$g" -eq "$r" ] && ok || bad "adaptive: gbench.json has $g runs of io_wait/pthreads/2, summary.csv $r repetitions"
# a fixed count is exactly that, with no adaptive key
"$pb" run --quick --kernels io_wait --backends serial --repetitions 3 --out "$tmp/fixed" \
	>/dev/null 2>&1 || bad "fixed run failed"
awk -F, 'NR > 1 { print $14 }' "$tmp/fixed/summary.csv" | grep -qx 3 && ! grep -q '"adaptive"' "$tmp/fixed/meta.json" && ok || bad "--repetitions 3 not fixed"

# parbench report rewrites a run's report from its files; compare judges two runs.
rm -f "$tmp/run/report.md"
"$pb" report --full "$tmp/run" >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/run/report.md" ] && ok || bad "report: $(head -c 300 "$tmp/err")"
grep -q "^# sum_squares" "$tmp/out" && ok || bad "report: no table"
# two workers placed on one CPU (the placement as the run recorded it) are warned about
! grep -q "ran two workers on one CPU of a host" "$tmp/out" && ok || bad "report: a sharing warning for a run that did not share"
cp -r "$tmp/run" "$tmp/shared"
sed -i 's/^\(sum_squares,pthreads,2,.*,"compact: 0,1",\)"0,1",/\1"1,1",/' "$tmp/shared/summary.csv"
"$pb" report "$tmp/shared" >"$tmp/out" 2>&1
grep -q "^warning: 1 configuration ran two workers on one CPU of a host" "$tmp/out" && ok || bad "report: two workers on CPU 1 not warned: $(grep -c '"1,1"' "$tmp/shared/summary.csv") rows edited"
usage_error "report of a non-run" report "$tmp"
usage_error "report without dir" report
# The runs compared are made from one run, so that the verdicts do not hang on how steady a
# busy machine was between two runs: an exact copy (no change) and a copy with every time
# 1.5 times as long (+50%: a slowdown at the default 5% threshold, within an 80% one).
"$pb" run --kernels io_wait --size 10 --backends pthreads --workers 2 --repetitions 9 \
	--min-time 0.03 --out "$tmp/cmp1" >/dev/null 2>&1 || bad "compare: the run failed"
cp -r "$tmp/cmp1" "$tmp/cmp2"
cp -r "$tmp/cmp1" "$tmp/cmp3"
awk -F, -v OFS=, 'NR > 1 { $6 = sprintf("%.9g", $6 * 1.5) } 1' "$tmp/cmp1/samples.csv" >"$tmp/cmp3/samples.csv"
# median_s, min_s, max_s, mean_s, stddev_s
awk -F, -v OFS=, 'NR > 1 { for (i = 6; i <= 10; i++) $i = sprintf("%.9g", $i * 1.5) } 1' \
	"$tmp/cmp1/summary.csv" >"$tmp/cmp3/summary.csv"
if [ -d "$tmp/isa-sse2" ]; then # x86-64: two variants' runs to compare
	"$pb" compare "$tmp/isa-generic" "$tmp/isa-sse2" >"$tmp/out" 2>&1
	grep -q "^warning: the kernels ran other instruction-set variants (sum_squares: BASE generic, NEW sse2)" "$tmp/out" && ok || bad "compare across variants: no warning: $(head -c 400 "$tmp/out")"
fi
"$pb" compare "$tmp/cmp1" "$tmp/cmp2" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "compare of two equal runs: exit $rc: $(cat "$tmp/out" "$tmp/err" | head -c 600)"
"$pb" compare "$tmp/cmp1" "$tmp/cmp3" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "SLOWER" "$tmp/out" && ok || bad "compare: injected slowdown not flagged (exit $rc)"
"$pb" compare --threshold 80% "$tmp/cmp1" "$tmp/cmp3" >/dev/null 2>&1 && ok || bad "compare: threshold not applied"
"$pb" compare --threshold=80% "$tmp/cmp1" "$tmp/cmp3" >/dev/null 2>&1 && ok || bad "compare: --threshold=80% not applied"
cp -r "$tmp/cmp2" "$tmp/other"
sed 's/"host": "[^"]*"/"host": "elsewhere"/' "$tmp/cmp2/meta.json" >"$tmp/other/meta.json"
usage_error "compare other machine" compare "$tmp/cmp1" "$tmp/other"
"$pb" compare --allow-other-machine "$tmp/cmp1" "$tmp/other" >/dev/null 2>&1 && ok || bad "compare --allow-other-machine"
usage_error "compare non-run" compare "$tmp/cmp1" "$tmp"
cp -r "$tmp/cmp2" "$tmp/damaged"
head -c 150 "$tmp/cmp2/summary.csv" >"$tmp/damaged/summary.csv"
usage_error "compare damaged summary" compare "$tmp/cmp1" "$tmp/damaged"
cp "$tmp/cmp2/summary.csv" "$tmp/damaged/summary.csv"
head -3 "$tmp/cmp2/samples.csv" >"$tmp/damaged/samples.csv"
usage_error "compare damaged samples" compare "$tmp/cmp1" "$tmp/damaged"
echo "not json" >"$tmp/damaged/meta.json"
usage_error "report damaged meta" report "$tmp/damaged"
usage_error "compare bad threshold" compare --threshold x "$tmp/cmp1" "$tmp/cmp2"
usage_error "compare one dir" compare "$tmp/cmp1"

# MPI: parbench starts mpirun itself and merges the rows; mpirun can start parbench too.
if "$pb" list | grep -q "^  mpi "; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	"$pb" run --quick --kernels sum_squares,box_blur --backends mpi,mpi+openmp --workers 1,2 \
		--repetitions 2 --out "$tmp/mpi" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok || bad "mpi run: exit $rc: $(head -c 400 "$tmp/err")"
	for row in "sum_squares,mpi,2," "box_blur,mpi,2," "sum_squares,mpi+openmp,2," "box_blur,serial,1,"; do
		grep -q "^$row" "$tmp/mpi/summary.csv" && ok || bad "mpi run: no $row row"
	done
	grep -q '"backend": "mpi", "workers": 2, .*"cpus_last_run": "0@[^ ]*:[0-9]* 1@' "$tmp/mpi/meta.json" && ok || bad "mpi run: rank placement not recorded"
	[ -s "$tmp/mpi/mpi-mpi-2/gbench.json" ] && ok || bad "mpi run: the launch's files are not kept"
	# what the ranks move (rank 1's half of the picture in and out) and the link they measured
	sumawk '$1 == "box_blur" && $2 == "mpi" && $3 == 2 { found = 1
			if (!($col("moved_bytes") >= 3145728 && $col("link_s") > 0 &&
			      $col("link_bytes_per_s") > 0 && $col("link_latency_s") > 0 &&
			      $col("messages") == 7)) bad = 1 }
		END { exit bad || !found }' "$tmp/mpi/summary.csv" && ok || bad "mpi run: no traffic for box_blur x2: $(grep '^box_blur,mpi,2,' "$tmp/mpi/summary.csv")"
	"$pb" project "$tmp/mpi" --nodes 4 --cores 2 --link 1gbit,50us >"$tmp/proj" 2>&1
	grep -q "^  mpi  *8 workers .* (2 at 2)   4.7 MB between nodes + 18 latencies$" "$tmp/proj" && ok || bad "project: no mpi line for 4 nodes: $(grep -A4 '^# box_blur' "$tmp/proj")"
	# the ranks run at the parent's sizes: calibrated, or --size N
	s1=$(awk -F, '$1 == "sum_squares" && $2 == "serial" { print $4 }' "$tmp/mpi/summary.csv")
	grep -q "^sum_squares,mpi,2,$s1," "$tmp/mpi/summary.csv" && ok || bad "mpi run: the ranks ran another size than the calibrated $s1"
	"$pb" run --kernels io_wait --size 20 --backends mpi --workers 2 --repetitions 2 \
		--out "$tmp/mpisize" >/dev/null 2>&1
	grep -q "^io_wait,mpi,2,20," "$tmp/mpisize/summary.csv" && ok || bad "mpi run: --size 20 did not reach the ranks"
	mpirun -np 2 --bind-to none --mca pml ob1 --mca btl self,vader "$pb" run --quick \
		--kernels range_sum --backends mpi --workers 2 --repetitions 2 --out "$tmp/direct" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "^range_sum,mpi,2," "$tmp/direct/summary.csv" && ok || bad "mpirun parbench: exit $rc: $(head -c 400 "$tmp/err")"
	mpirun -np 2 --mca pml ob1 --mca btl self,vader "$pb" run --backends pthreads >"$tmp/out" 2>"$tmp/err"
	[ $? -ne 0 ] && [ "$(grep -c '^parbench: under mpirun only' "$tmp/err")" -eq 1 ] && ok || bad "non-MPI backend under mpirun: $(head -c 300 "$tmp/err")"
	PARBENCH_TEST_CORRUPT=range_sum "$pb" run --quick --kernels range_sum,sum_squares --backends mpi \
		--workers 2 --repetitions 2 --out "$tmp/mpibad" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && ok || bad "mpi corrupt: exit $rc"
	grep -q "^range_sum,mpi," "$tmp/mpibad/summary.csv" && bad "mpi corrupt: a wrong result reached summary.csv" || ok
	grep -q "^sum_squares,mpi,2," "$tmp/mpibad/summary.csv" && ok || bad "mpi corrupt: good rows lost"
	PARBENCH_TEST_CRASH="sum_squares/mpi:SEGV" "$pb" run --quick --kernels range_sum,sum_squares \
		--backends mpi --workers 2 --repetitions 2 --out "$tmp/mpicrash" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "rank 1 .* signal 11" "$tmp/err" && grep -q "FAILED mpi / 2 workers" "$tmp/err" && ok || bad "mpi crash: exit $rc: $(head -c 400 "$tmp/err")"
	grep -q "^range_sum,serial,1," "$tmp/mpicrash/summary.csv" && ok || bad "mpi crash: serial rows lost"
	grep -q '"backend": "mpi", "workers": 2, "error": "mpirun exited with status' "$tmp/mpicrash/meta.json" && ok || bad "mpi crash: the failed launch is not in meta.json's failures"
	# a failed launch into a reused --out: the earlier run's rows must not come back
	PARBENCH_MPIRUN=/bin/false "$pb" run --quick --kernels sum_squares,box_blur --backends mpi \
		--workers 2 --repetitions 2 --out "$tmp/mpi" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "FAILED mpi / 2 workers" "$tmp/err" && ok || bad "mpi stale: exit $rc: $(head -c 400 "$tmp/err")"
	grep -q "^sum_squares,mpi," "$tmp/mpi/summary.csv" && bad "mpi stale: an earlier run's rows were shown as this run's" || ok
	grep -q "^sum_squares,serial,1," "$tmp/mpi/summary.csv" && ok || bad "mpi stale: serial rows lost"
	grep -q '"kernel": "box_blur", "backend": "mpi", "workers": 2, "error"' "$tmp/mpi/meta.json" && ok || bad "mpi stale: the failed launch is not in meta.json"
	gone "$tmp/\.?mpicrash" && ok || bad "mpi crash: processes left"
	printf 'node1 slots=2\nnode2 slots=two\n' >"$tmp/hosts"
	usage_error "bad hostfile" run --backends mpi --hostfile "$tmp/hosts"
	usage_error "missing hostfile" run --backends mpi --hostfile "$tmp/nohosts"
	# a rank killed mid-run: the run ends, says which rank and signal, keeps the rest (the
	# ranks' plan is in the run's fresh folder, .mpikill.XXXXXX, until it is moved to --out)
	"$pb" run --kernels io_wait --size 100 --backends mpi --workers 2 --repetitions 30 \
		--out "$tmp/mpikill" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 100); do
		pgrep -f -- "rank $tmp/\.mpikill\.[^/ ]*/mpi-mpi-2/plan" >/dev/null && break
		sleep 0.1
	done
	sleep 1
	victim=$(pgrep -f -- "rank $tmp/\.mpikill\.[^/ ]*/mpi-mpi-2/plan" | grep -v "^$(pgrep -f "mpirun.*$tmp/\.mpikill\." | head -1)\$" | tail -1)
	[ -n "$victim" ] && kill -KILL "$victim"
	t0=$(date +%s)
	wait "$pid"
	rc=$?
	[ "$rc" -eq 1 ] && ok || bad "killed rank: exit $rc"
	# ended by the rank's death, not by the 300 s timeout: generous for a busy machine
	[ $(($(date +%s) - t0)) -le 60 ] && ok || bad "killed rank: the run took too long to end"
	grep -q "signal 9" "$tmp/err" && grep -q "FAILED mpi / 2 workers" "$tmp/err" && ok || bad "killed rank: $(head -c 500 "$tmp/err")"
	grep -q "^io_wait,serial,1," "$tmp/mpikill/summary.csv" && ok || bad "killed rank: serial row lost"
	gone "$tmp/\.?mpikill" && ok || bad "killed rank: processes left behind"
	# SIGTERM while mpirun runs: 143, no rank left
	"$pb" run --kernels io_wait --size 100 --backends mpi --workers 2 --repetitions 30 \
		--out "$tmp/mpiterm" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 100); do
		pgrep -f -- "rank $tmp/\.mpiterm\.[^/ ]*/mpi-mpi-2/plan" >/dev/null && break
		sleep 0.1
	done
	sleep 0.5
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" -eq 143 ] && ok || bad "SIGTERM during mpirun: exit $rc"
	gone "$tmp/\.?mpiterm" && ok || bad "SIGTERM during mpirun: processes left behind"
fi

finish
