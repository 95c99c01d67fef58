#!/bin/sh
# cli_sizes.sh PARBENCH - size sweeps, weak scaling, calibrated and kept sizes, adaptive repetitions.
# ctest: labels cli heavy; timeout 600
. "$(dirname "$0")/cli_lib.sh"

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

finish
