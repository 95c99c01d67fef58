#!/bin/sh
# cli_compare_gate.sh - parbench compare as a regression gate: A/A runs pass, io_wait 30 % slower fails (one size; calibrated sizes, per item; --sizes-from), nothing comparable is exit 2, the machine's change is divided out for one build only, and the table's ~ rule
# ctest: labels cli heavy; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# gate WANT WHAT BASE NEW [options]: compare's exit status is WANT; its output in $tmp/out
gate() {
	want=$1 what=$2
	shift 2
	"$pb" compare "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq "$want" ] && ok || bad "$what: exit $rc, want $want: $(cat "$tmp/out" "$tmp/err" | head -c 1500)"
}
# io_wait on serial and openmp, 1 and 2 workers, 9 repetitions: the issue's runs.  It sleeps,
# so its times hold under load; 3 ms items keep the scheduler's wake-up latency a small share.
io_run() {
	out=$1
	shift
	"$pb" run --kernels io_wait --backends serial,openmp --workers 1,2 --repetitions 9 "$@" \
		--out "$tmp/$out" >"$tmp/run.out" 2>&1 || bad "run $out: $(head -c 300 "$tmp/run.out")"
}
slower_rows() { grep -c "^  io_wait .* SLOWER" "$tmp/out"; }

# A/A: three runs of the same build at one size; no pair may call anything slower
for i in 1 2 3; do
	io_run a$i --quick --size 8 --sleep-us 3000
done
for p in "1 2" "2 3" "1 3" "3 1"; do
	set -- $p
	gate 0 "A/A a$1 a$2" "$tmp/a$1" "$tmp/a$2"
	[ "$(slower_rows)" -eq 0 ] && ok || bad "A/A a$1 a$2 called a cell slower: $(cat "$tmp/out")"
done

# A/B at one size: every item 30 % longer
io_run b --quick --size 8 --sleep-us 3900
gate 1 "A/B at one size" "$tmp/a1" "$tmp/b"
[ "$(slower_rows)" -ge 1 ] && ok || bad "A/B at one size: no SLOWER row"

# The issue's example: calibrated sizes (232 and 180 items here), so the slower run did less
# work; compared per item it is slower, and --sizes-from makes the next run alike
io_run c1
io_run c2 --sleep-us 1300
gate 1 "A/B calibrated" "$tmp/c1" "$tmp/c2"
grep -q "^  io_wait .* SLOWER (per item)$" "$tmp/out" && ok || bad "calibrated A/B: not SLOWER per item: $(cat "$tmp/out")"
grep -q "^note: io_wait ran at another size in each run (BASE [0-9]*, NEW [0-9]*, calibrated from the time budget): its time per item is compared" "$tmp/out" && ok || bad "calibrated A/B: no per-item note"
io_run c3 --sleep-us 1300 --sizes-from "$tmp/c1"
s1=$(awk -F, 'NR > 1 { print $4 }' "$tmp/c1/summary.csv" | sort -u)
s3=$(awk -F, 'NR > 1 { print $4 }' "$tmp/c3/summary.csv" | sort -u)
[ -n "$s1" ] && [ "$s1" = "$s3" ] && ok || bad "--sizes-from: sizes '$s3', BASE ran '$s1'"
gate 1 "A/B with --sizes-from" "$tmp/c1" "$tmp/c3"
[ "$(slower_rows)" -ge 1 ] && ! grep -q "per item" "$tmp/out" && ok || bad "--sizes-from A/B: $(cat "$tmp/out")"
# the C and the CPython rows' sizes both come over
"$pb" run --quick --kernels io_wait --backends cpython --repetitions 2 --size 4 \
	--python-size io_wait=6 --out "$tmp/py" >/dev/null 2>&1 || bad "CPython run failed"
"$pb" run --quick --kernels io_wait --backends serial,cpython --workers 1 --repetitions 2 \
	--sizes-from "$tmp/py" --out "$tmp/py2" >/dev/null 2>&1 || bad "CPython --sizes-from run failed"
grep -q "^io_wait,serial,1,4," "$tmp/py2/summary.csv" && grep -q "^io_wait,cpython,1,6," "$tmp/py2/summary.csv" && ok || bad "--sizes-from: C and CPython sizes not both taken: $(cut -d, -f1-4 "$tmp/py2/summary.csv")"
usage_error "sizes-from not a run" run --sizes-from "$tmp"
usage_error "sizes-from with size" run --sizes-from "$tmp/c1" --size 5

# Nothing comparable: exit 2, one line, never 0
"$pb" run --quick --kernels sum_squares --backends serial --size 100000 --repetitions 5 \
	--out "$tmp/s1" >/dev/null 2>&1 || bad "sum_squares run failed"
usage_error "compare: no common configuration" compare "$tmp/a1" "$tmp/s1"
grep -q "^parbench: nothing to compare: the runs share no configuration" "$tmp/err" && ok || bad "no common configuration: $(cat "$tmp/err")"
"$pb" run --quick --kernels sum_squares --backends serial --size 10000000 --repetitions 2 \
	--out "$tmp/s2" >/dev/null 2>&1 || bad "sum_squares run 2 failed"
usage_error "compare: sizes 100x apart" compare "$tmp/s1" "$tmp/s2"
grep -q "^parbench: nothing to compare: sum_squares ran at size 100000 in BASE and 10000000 in NEW, not compared (sizes more than 10x apart)" "$tmp/err" && ok || bad "sizes apart: $(cat "$tmp/err")"

# The machine's change, on fabricated copies of a CPU-bound run: times 1.0 .. 1.008 x 10 ms,
# the probe's median 1.5 ms, one clean build.  NEW: everything 20 % slower, the probe too.
probe() { # probe DIR MEDIAN_S: a steadiness record of 40 runs, interval +-1 %
	sed -i -E 's/, "steady": \{[^}]*\}//; s/("steal": [-0-9.]*)/\1, "steady": {"kernel": "range_sum", "runs": 40, "fastest_s": '"$2"', "median": 1, "slowest": 1, "slow_share": 0, "size": 4194304, "median_s": '"$2"', "median_ci_lo_s": '"$(echo "$2" | awk '{ print $1 * 0.99 }')"', "median_ci_hi_s": '"$(echo "$2" | awk '{ print $1 * 1.01 }')"', "median_ci_level": 0.95}/; s/"parbench_commit": "[^"]*"/"parbench_commit": "v1-test"/' "$1/meta.json"
}
scale_times() { # scale_times DIR FACTOR
	awk -F, -v OFS=, -v f="$2" 'NR > 1 { $6 = 0.01 * (1 + 0.002 * $5) * f } 1' "$1/samples.csv" >"$tmp/s.csv" && mv "$tmp/s.csv" "$1/samples.csv"
}
cp -r "$tmp/s1" "$tmp/d0"
probe "$tmp/d0" 0.0015
scale_times "$tmp/d0" 1
for d in d1 d2 d3; do
	cp -r "$tmp/d0" "$tmp/$d"
	probe "$tmp/$d" 0.0018
	scale_times "$tmp/$d" 1.2
done
sed -i 's/"parbench_commit": "[^"]*"/"parbench_commit": "v2-test"/' "$tmp/d2/meta.json"
sed -i 's/"kernel_variant": "[^"]*"/"kernel_variant": "other"/' "$tmp/d3/meta.json"
gate 0 "drift, one build" "$tmp/d0" "$tmp/d1"
grep -q "^machine: the steadiness probe .* took 1.200x as long per item in NEW .*; one build" "$tmp/out" && grep -q "^  sum_squares .* same$" "$tmp/out" && ok || bad "drift, one build: not same: $(cat "$tmp/out")"
gate 1 "drift, --no-drift" "$tmp/d0" "$tmp/d1" --no-drift
gate 0 "drift, other builds" "$tmp/d0" "$tmp/d2"
grep -q "^  sum_squares .* unresolved: the machine or the build$" "$tmp/out" && ok || bad "drift, other builds: $(cat "$tmp/out")"
# other variants (PARBENCH_ISA=generic against the best): the probe ran other code, so the
# times count as measured; the cell is still compared
gate 1 "drift, other variants" "$tmp/d0" "$tmp/d3"
grep -q "^machine: the steadiness probes ran other code" "$tmp/out" && grep -q "^  sum_squares .* SLOWER$" "$tmp/out" && ok || bad "other variants: $(cat "$tmp/out")"

# The table's ~: set by the speedup's interval, not by the cv.  summary.csv's quoted fields
# (pin, cpus) hold commas: the columns after them are counted from the end.
"$pb" run --quick --kernels sum_squares --backends serial,pthreads --workers 1,2 --size 1e7 \
	--repetitions 6 --out "$tmp/t" >/dev/null 2>&1 || bad "table run failed"
awk -F, -v OFS=, '
	function col(name) { return c[name] < c["pin"] ? c[name] : NF - nh + c[name] }
	NR == 1 { nh = NF; for (i = 1; i <= NF; i++) c[$i] = i; print; next }
	{ s = $col("speedup"); $col("cv") = 0.01; lo = s * 0.99; hi = s * 1.01 }
	$2 == "pthreads" && $3 == 1 { $col("cv") = 0.3 }
	$2 == "pthreads" && $3 == 2 { lo = s * 0.5; hi = s * 1.5 }
	{ $col("speedup_ci_lo") = lo; $col("speedup_ci_hi") = hi; print }' "$tmp/t/summary.csv" >"$tmp/t.csv" &&
	mv "$tmp/t.csv" "$tmp/t/summary.csv"
"$pb" report --full "$tmp/t" >"$tmp/out" 2>&1 || bad "report: $(head -c 300 "$tmp/out")"
grep -Eq "^  pthreads +2 .* [*]?~[!p^]*$" "$tmp/out" && ok || bad "a wide speedup interval not marked ~: $(grep '^  pthreads' "$tmp/out")"
grep -Eq "^  pthreads +1 .* [*]?~[!p^]*$" "$tmp/out" && bad "a tight speedup marked ~ for its cv: $(grep '^  pthreads' "$tmp/out")" || ok
grep -q "~ unsettled: the speedup's 95% interval is wider than +-10% of it" "$tmp/out" && ok || bad "the legend does not say the ~ rule"
finish
