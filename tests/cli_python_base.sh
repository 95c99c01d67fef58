#!/bin/sh
# cli_python_base.sh - the CPython rows' baselines and GIL end to end: speedups against the
# serial row of the same interpreter (never C serial, even at the C size), in run and project;
# no C kernel variant on CPython rows; the GIL as each interpreter said, with a stand-in
# free-threaded python (tests/fake_ft) for the free-threaded rows.
# ctest: labels cli heavy; timeout 300
. "$(dirname "$0")/cli_lib.sh"
fake="$here/fake_ft"
tiny="--quick --kernels sum_squares --workers 1,2 --repetitions 2 --python-size sum_squares=20000"

# col DIR BACKEND WORKERS COLUMN: that row's field of summary.csv (csv module: cpus is quoted)
col() {
	python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1] + "/summary.csv")):
    if r["backend"] == sys.argv[2] and r["workers"] == sys.argv[3]:
        print(r[sys.argv[4]])' "$@"
}
# near A B: A and B agree within 0.1 %
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * 0.001) }'; }
# speedup_from DIR BACKEND BASE: BACKEND's 2-worker speedup is BASE's median / its own
speedup_from() {
	near "$(col "$1" "$2" 2 speedup)" \
		"$(awk -v b="$(col "$1" "$3" 1 median_s)" -v m="$(col "$1" "$2" 2 median_s)" 'BEGIN { print b / m }')"
}

# C and CPython rows at one size: two tables, each row against its own interpreter's serial
"$pb" run --full $tiny --size sum_squares=20000 --backends pthreads,pthreads-gil,cpython,cpython-threads \
	--out "$tmp/eq" >"$tmp/eq.out" 2>"$tmp/err" || bad "equal sizes run: $(head -c 300 "$tmp/err")"
grep -q "^# sum_squares in CPython (its Python twin; speedups against cpython)" "$tmp/eq.out" && ok || bad "equal sizes: no CPython table of its own: $(grep '^#' "$tmp/eq.out")"
speedup_from "$tmp/eq" cpython-threads cpython && ok || bad "equal sizes: cpython-threads not against cpython"
speedup_from "$tmp/eq" pthreads serial && ok || bad "equal sizes: pthreads not against serial"
[ "$(col "$tmp/eq" cpython 1 speedup)" = 1.000000 ] && ok || bad "equal sizes: cpython's speedup is not 1"
# the twins run none of the C kernel's code: no variant, no cycles per item; the GIL said
for w in 1 2; do
	[ -z "$(col "$tmp/eq" cpython-threads $w variant)" ] && [ "$(col "$tmp/eq" cpython-threads $w cycles_per_item)" = 0 ] \
		&& [ "$(col "$tmp/eq" cpython-threads $w rate_unit)" = items/s ] && ok || bad "cpython-threads $w carries the C variant"
	[ "$(col "$tmp/eq" cpython-threads $w gil)" = on ] && ok || bad "cpython-threads $w: gil '$(col "$tmp/eq" cpython-threads $w gil)'"
	[ -z "$(col "$tmp/eq" pthreads-gil $w gil)" ] && ok || bad "a C row has a gil"
done
[ -n "$(col "$tmp/eq" serial 1 variant)" ] && ok || bad "serial lost its variant"
grep -A12 "^# sum_squares in CPython" "$tmp/eq.out" | grep -q "cyc/item" && bad "CPython table shows cyc/item" || ok
grep -q "GIL model, 2 threads: pthreads-gil" "$tmp/eq.out" && ok || bad "GIL model line missing"
# project: the CPython table against cpython, with numbers
"$pb" project "$tmp/eq" --nodes 1 --link 10gbit,2us >"$tmp/pj" 2>"$tmp/err" || bad "project: $(cat "$tmp/err")"
grep -q "^# sum_squares in CPython (size 20000): projected time and speedup against cpython" "$tmp/pj" && ok || bad "project: no CPython table: $(cat "$tmp/pj")"
grep -A3 "^# sum_squares in CPython" "$tmp/pj" | grep -qE "^  cpython-threads +2 workers .* [0-9]+\.[0-9]+x" \
	&& ! grep -A3 "^# sum_squares in CPython" "$tmp/pj" | grep -qE " (0\.00|nan|-nan)x" && ok || bad "project, equal sizes: $(cat "$tmp/pj")"

# project, the CPython rows at a size of their own: numbers, not nan
"$pb" run $tiny --size sum_squares=50000 --backends cpython-threads --out "$tmp/ne" \
	>/dev/null 2>"$tmp/err" || bad "own size run: $(head -c 300 "$tmp/err")"
"$pb" project "$tmp/ne" --nodes 1 --link 10gbit,2us >"$tmp/pj" 2>"$tmp/err"
grep -A3 "^# sum_squares in CPython (size 20000)" "$tmp/pj" | grep -qE "^  cpython-threads +2 workers .* [0-9]+\.[0-9]+x" \
	&& ! grep -qE " (nan|-nan)x" "$tmp/pj" && ok || bad "project, own size: $(cat "$tmp/pj")"

# a free-threaded interpreter (the stand-in, found as python3.13t): cpython-threads-ft
# against cpython-ft, measured in it; cpython-threads still in python3, with its GIL
PATH="$fake:$PATH" "$pb" run --full $tiny --size sum_squares=20000 --backends cpython-threads,cpython-threads-ft \
	--out "$tmp/ft" >"$tmp/ft.out" 2>"$tmp/err" || bad "ft run: $(head -c 300 "$tmp/err")"
[ "$(col "$tmp/ft" cpython-ft 1 gil)" = off ] && [ "$(col "$tmp/ft" cpython-threads-ft 2 gil)" = off ] \
	&& [ "$(col "$tmp/ft" cpython 1 gil)" = on ] && [ "$(col "$tmp/ft" cpython-threads 2 gil)" = on ] && ok || bad "ft run: gil columns"
speedup_from "$tmp/ft" cpython-threads-ft cpython-ft && ok || bad "ft run: cpython-threads-ft not against cpython-ft"
speedup_from "$tmp/ft" cpython-threads cpython && ok || bad "ft run: cpython-threads not against cpython"
grep -q "^  GIL (each interpreter's sys._is_gil_enabled()): on in cpython, cpython-threads; off in cpython-ft, cpython-threads-ft$" "$tmp/ft.out" && ok || bad "ft run: GIL line: $(grep GIL "$tmp/ft.out")"
grep -q "^# sum_squares in CPython (.*the free-threaded rows' against cpython-ft" "$tmp/ft.out" && ok || bad "ft run: header"

# --python naming an interpreter without a GIL: cpython-threads is labelled so, not the
# GIL model, and the scaling model does not hold it to one CPU
"$pb" run --full $tiny --size sum_squares=20000 --backends pthreads-gil,cpython-threads --python "$fake/python3.13t" \
	--out "$tmp/nogil" >"$tmp/nogil.out" 2>"$tmp/err" || bad "no-GIL run: $(head -c 300 "$tmp/err")"
[ "$(col "$tmp/nogil" cpython-threads 2 gil)" = off ] && [ "$(col "$tmp/nogil" cpython 1 gil)" = off ] && ok || bad "no-GIL run: gil columns"
grep -q "^  cpython-threads ran without a GIL (its interpreter, --python, has none): free threading, not the GIL model" "$tmp/nogil.out" && ok || bad "no-GIL run: no label"
grep -q "GIL model, " "$tmp/nogil.out" && bad "no-GIL run: compared with the GIL model" || ok
grep -q "^  cpython-threads .*model.*(a GIL: one computes at a time)" "$tmp/nogil.out" && bad "no-GIL run: modelled under a GIL" || ok

# no free-threaded CPython here (Debian 12 packages none): the skip says what was tried
found=
for py in python3.13t python3.14t python3.15t; do
	command -v "$py" >/dev/null 2>&1 && found=$py
done
if [ -z "$found" ]; then
	usage_error "no free-threaded CPython" run --backends cpython-threads-ft
	grep -q "skipped cpython-threads-ft: no free-threaded CPython (3.13t or newer with the GIL off): python3.13t (does not run), python3.14t (does not run), python3.15t (does not run)" "$tmp/err" && ok || bad "ft skip line: $(cat "$tmp/err")"
fi
finish
