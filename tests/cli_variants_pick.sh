#!/bin/sh
# cli_variants_pick.sh - each kernel's variant chosen by timing (recorded in meta.json, named
# in the tables and summary.csv), forcing one (PARBENCH_ISA, --isa), and the two ceilings
# of the roof (%roof with its bound, compute.csv, roofline's lines and its --filters table).
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"
tiny="--full --quick --backends serial --workers 1 --repetitions 2"

# runnable variants, as list names them
runnable=$("$pb" list | sed -n 's/^kernels (.*built:\(.*\)):$/\1/p' | sed 's/ [a-z0-9_]* (not on this CPU)//g')
n_runnable=$(echo $runnable | wc -w)

# pick DIR KERNEL: "chosen fastest n_timed" from meta.json's variant_choice
pick() {
	python3 -c 'import json, sys
c = json.load(open(sys.argv[1] + "/meta.json"))["variant_choice"]
k = [k for k in c["kernels"] if k["kernel"] == sys.argv[2]]
if k:
    s = k[0]["seconds"]
    print(k[0]["chosen"], min(s, key=s.get), len(s))' "$@"
}
# col DIR KERNEL COLUMN: the serial row's field of summary.csv
col() {
	python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1] + "/summary.csv")):
    if r["kernel"] == sys.argv[2] and r["backend"] == "serial":
        print(r[sys.argv[3]])' "$@"
}

# Timed: every runnable variant of each kernel with a hot loop, the fastest kept and named.
"$pb" run $tiny --kernels sepia,sum_squares,io_wait --size sepia=64,sum_squares=100000,io_wait=2 \
	--out "$tmp/a" >"$tmp/a.out" 2>"$tmp/err" || bad "timed run: $(head -c 300 "$tmp/err")"
json_ok "$tmp/a/meta.json" && ok || bad "meta.json is not JSON"
grep -q '"variant_choice": {"forced": null, "rounds": [0-9]*, "seconds": [0-9.]*, "kernels": \[' "$tmp/a/meta.json" && ok || bad "no variant_choice"
for k in sepia sum_squares; do
	set -- $(pick "$tmp/a" $k)
	[ $# -eq 3 ] && [ "$1" = "$2" ] && [ "$3" -eq "$n_runnable" ] && ok || bad "$k: chosen '$*' is not the fastest of $n_runnable"
	grep -q "^# $k: .*; variant $1$" "$tmp/a.out" && ok || bad "$k: the table does not name $1"
	[ "$(col "$tmp/a" $k variant)" = "$1" ] && ok || bad "$k: summary.csv's variant is not $1"
done
[ -z "$(pick "$tmp/a" io_wait)" ] && ok || bad "io_wait (no hot loop) was timed"

# Forced: nothing timed, every kernel in that variant.
for v in generic $(echo $runnable | grep -o sse2); do
	PARBENCH_ISA=$v "$pb" run $tiny --kernels sepia,sum_squares --size sepia=64,sum_squares=100000 \
		--out "$tmp/f-$v" >"$tmp/f.out" 2>"$tmp/err" || bad "PARBENCH_ISA=$v: $(head -c 300 "$tmp/err")"
	grep -q '"variant_choice": {"forced": "'$v'", "rounds": [0-9]*, "seconds": 0.0000, "kernels": \[\]}' "$tmp/f-$v/meta.json" && ok || bad "PARBENCH_ISA=$v: not recorded as forced"
	grep -q "^# sepia: .*; variant $v$" "$tmp/f.out" && grep -q "^# sum_squares: .*; variant $v$" "$tmp/f.out" && ok || bad "PARBENCH_ISA=$v: a kernel ran another variant"
done
"$pb" run $tiny --isa generic --kernels box_blur --size 64 --out "$tmp/i" >"$tmp/i.out" 2>"$tmp/err" &&
	grep -q "^# box_blur: .*; variant generic$" "$tmp/i.out" && grep -q '"forced": "generic"' "$tmp/i/meta.json" && ok || bad "--isa generic: $(head -c 300 "$tmp/err")"

# parbench filter times its kernel's variants too, and says which ran.
"$pb" filter --kernel sepia --input "$here/data/photo.png" --output "$tmp/o.png" --workers 1 --repetitions 2 >"$tmp/fl" 2>"$tmp/err" &&
	v=$(sed -n 's/^sepia: .*; variant \([a-z0-9_]*\)$/\1/p' "$tmp/fl") && echo " $runnable " | grep -q " $v " && ok || bad "filter: no variant: $(cat "$tmp/fl" "$tmp/err")"
PARBENCH_ISA=generic "$pb" filter --kernel sepia --input "$here/data/photo.png" --output "$tmp/o.png" --workers 1 --repetitions 2 >"$tmp/fl" 2>&1 &&
	grep -q "^sepia: .*; variant generic$" "$tmp/fl" && ok || bad "filter forced: $(cat "$tmp/fl")"

# Both ceilings beside every filter row: %roof with m or c, the fields, compute.csv.
grep -Eq "^  serial +1 .* [0-9]+%[mc]( |$)" "$tmp/a.out" && ok || bad "the sepia row lacks %roof and its bound: $(grep '^  serial' "$tmp/a.out" | head -1)"
b=$(col "$tmp/a" sepia bound)
[ "$b" = memory ] || [ "$b" = compute ] && ok || bad "summary.csv bound '$b'"
awk -v c="$(col "$tmp/a" sepia compute_gb_per_s)" -v f="$(col "$tmp/a" sepia roof_fraction)" 'BEGIN { exit !(c > 0 && f > 0) }' && ok || bad "no compute ceiling or roof fraction in summary.csv"
[ "$(col "$tmp/a" sepia stores)" = ordinary ] && [ -z "$(col "$tmp/a" sum_squares bound)" ] && ok || bad "stores or bound on the wrong rows"
[ "$(head -1 "$tmp/a/compute.csv")" = "kernel,workers,compute_gb_per_s,variant" ] && grep -q "^sepia,1,[0-9.e+]*,$(pick "$tmp/a" sepia | cut -d' ' -f1)$" "$tmp/a/compute.csv" && ok || bad "compute.csv: $(cat "$tmp/a/compute.csv")"
grep -q "^compute ceiling of sepia (" "$tmp/a.out" && grep -q "m memory (the copy bandwidth), c compute" "$tmp/a.out" && ok || bad "the table does not explain both ceilings"
grep -q '"compute_ceiling": \[{"kernel": "sepia"' "$tmp/a/meta.json" && grep -q '"stream_bytes_per_s": \[' "$tmp/a/meta.json" && ok || bad "meta.json lacks the ceilings"

# roofline: the variants timed, both ceilings; --filters: every variant of every filter.
"$pb" roofline --workers 1 --filters --size 64 >"$tmp/r" 2>"$tmp/err" || bad "roofline --filters: $(head -c 300 "$tmp/err")"
grep -q "^variants, timed on in-cache tiles .*: .*sepia [a-z0-9_]*" "$tmp/r" && ok || bad "roofline: no timed variants"
grep -q "^copy bandwidth .*1 worker [0-9.]* GB/s" "$tmp/r" && grep -q "^copy with streaming stores: 1 worker" "$tmp/r" &&
	grep -q "^compute ceiling of box_blur (.*): 1 worker [0-9.]* GB/s" "$tmp/r" && ok || bad "roofline: a ceiling missing: $(cat "$tmp/r")"
for k in grayscale sepia box_blur sharpen; do
	rows=$(grep -c "^  $k  " "$tmp/r")
	stars=$(grep -c "^  $k  *[a-z0-9_]*  *\* " "$tmp/r")
	[ "$rows" -eq "$n_runnable" ] && [ "$stars" -eq 1 ] && ok || bad "roofline --filters: $k has $rows rows, $stars marked"
done
PARBENCH_ISA=generic "$pb" roofline --workers 1 >"$tmp/r" 2>&1 && grep -q "^variants: generic, forced$" "$tmp/r" && ok || bad "roofline forced: $(head -3 "$tmp/r")"
usage_error "roofline --size without --filters" roofline --size 64
usage_error "roofline --filters --size 0" roofline --filters --size 0
usage_error "roofline --filters --size too big" roofline --filters --size 100000
finish
