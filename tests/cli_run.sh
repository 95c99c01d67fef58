#!/bin/sh
# cli_run.sh PARBENCH - a good run writes whole files, its roof, variants and model; wrong results never reach a table; compare on copies of one run.
# ctest: labels cli; timeout 600
. "$(dirname "$0")/cli_lib.sh"

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
# the core clock is a clock: no x86-64 core of today runs above 7 GHz or below 0.3 (a chain
# of adds by a constant read 13.6 GHz on an Emerald Rapids Xeon, which folds them at rename)
awk -F, 'NR == 2 { exit !($3 > 0.3 && $3 < 7) }' "$tmp/run/roof.csv" && ok || bad "core clock $(awk -F, 'NR == 2 { print $3 }' "$tmp/run/roof.csv") GHz: not a clock"
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

# parbench report rewrites a run's report from its files; compare judges two runs (above).
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

finish
