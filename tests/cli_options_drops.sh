#!/bin/sh
# cli_options_drops.sh - a list naming a value twice is refused before anything runs (exit 2,
# one line, no results folder); what a run leaves out, or cannot know, is said and recorded.
# ctest: labels cli mpi; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# twice "what" DIR args...: a usage error naming a value twice, and DIR not created
twice() {
	what="$1"
	dir="$2"
	shift 2
	usage_error "$what" "$@"
	grep -q "^parbench: '--[a-z-]*' names .* twice$" "$tmp/err" && ok || bad "$what: $(head -c 300 "$tmp/err")"
	[ ! -e "$dir" ] && ok || bad "$what: $dir was created"
}

small="--kernels io_wait --size 2 --sleep-us 100 --backends pthreads --repetitions 2"
twice "workers 1,1" "$tmp/d1" run $small --workers 1,1 --out "$tmp/d1"
grep -q "^parbench: '--workers' names 1 twice$" "$tmp/err" && ok || bad "workers 1,1: wording: $(cat "$tmp/err")"
twice "workers 2,02" "$tmp/d2" run $small --workers 2,02 --out "$tmp/d2"
twice "sizes 1e3,1000" "$tmp/d3" run --kernels io_wait --sleep-us 100 --backends pthreads \
	--repetitions 2 --sizes 1e3,1000 --out "$tmp/d3"
twice "kernels twice" "$tmp/d4" run --kernels io_wait,io_wait --size 2 --sleep-us 100 \
	--backends pthreads --repetitions 2 --out "$tmp/d4"
twice "backends twice" "$tmp/d5" run --kernels io_wait --size 2 --sleep-us 100 \
	--backends pthreads,pthreads --repetitions 2 --out "$tmp/d5"
twice "size per kernel twice" "$tmp/d6" run --kernels io_wait --sleep-us 100 \
	--backends pthreads --repetitions 2 --size io_wait=2,io_wait=3 --out "$tmp/d6"
twice "size per kernel twice, two options" "$tmp/d7" run --kernels io_wait --sleep-us 100 \
	--backends pthreads --repetitions 2 --size io_wait=2 --size io_wait=2e0 --out "$tmp/d7"
twice "python-size per kernel twice" "$tmp/d8" run $small --python-size io_wait=2,io_wait=3 \
	--out "$tmp/d8"
twice "pin list twice" "$tmp/d9" run $small --pin 0,0 --out "$tmp/d9"
twice "pin range overlaps" "$tmp/d10" run $small --pin 0-1,1 --out "$tmp/d10"
twice "roofline workers twice" "$tmp/none" roofline --workers 1,1
twice "topology pin twice" "$tmp/none" topology --pin 0,0
twice "filter input twice" "$tmp/f1" filter --kernel grayscale --input "$here/data/photo.png" \
	"$here/data/photo.png" --outdir "$tmp/f1"

# Nothing runs before the options are checked: a python that records being started
cat >"$tmp/py" <<EOF
#!/bin/sh
echo started >>"$tmp/py.log"
exec python3 "\$@"
EOF
chmod +x "$tmp/py"
usage_error "repetitions and budget with python" run --python "$tmp/py" --repetitions 2 --budget 5 \
	--out "$tmp/d11"
[ ! -e "$tmp/py.log" ] && ok || bad "the interpreter ran before the options were checked"

# --sizes with the default backends: the CPython rows are left out, said and recorded
"$pb" run --kernels io_wait --sizes 2,4 --sleep-us 100 --workers 2 --repetitions 2 \
	--out "$tmp/sz" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "--sizes with CPython: exit $rc: $(head -c 300 "$tmp/err")"
[ "$(cat "$tmp/out" "$tmp/err" | grep -c "cpython.*--sizes")" -eq 1 ] && ok || bad "--sizes with CPython: no one line naming what was left out"
grep -q '"left_out": \[' "$tmp/sz/meta.json" && grep -q '{"kernel": null, "backend": "cpython", "workers": null, "why": "[^"]*--sizes' "$tmp/sz/meta.json" && ok || bad "--sizes with CPython: not in meta.json's left_out"
json_ok "$tmp/sz/meta.json" && ok || bad "--sizes with CPython: meta.json is not valid JSON"

# A failed link probe (test hook): the link cost is unknown, not nothing
PARBENCH_TEST_LINK_FAIL=fork-pool-pipe "$pb" run --full --kernels io_wait --size 16 --sleep-us 1000 \
	--backends fork-pool-pipe --workers 1,2 --repetitions 3 --out "$tmp/link" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "link probe failed: exit $rc: $(head -c 300 "$tmp/err")"
# (the six link columns, moved_bytes to link_bytes_per_s, by name: sumawk)
sumawk '$2 == "fork-pool-pipe" { n++; for (i = col("moved_bytes"); i <= col("link_bytes_per_s"); i++) if ($i != "nan") bad = 1 }
	END { exit bad || n != 2 }' "$tmp/link/summary.csv" && ok || bad "link probe failed: link columns not nan: $(grep fork-pool-pipe "$tmp/link/summary.csv")"
grep -q "^  fork-pool-pipe  *model, .*links: cost unknown" "$tmp/out" && ok || bad "link probe failed: the model line does not say the cost is unknown: $(grep model "$tmp/out")"
grep -q "moves nothing" "$tmp/out" && bad "link probe failed: said to move nothing" || ok
json_ok "$tmp/link/meta.json" && grep -q '"left_out": \[\],' "$tmp/link/meta.json" && ok || bad "link probe failed: meta.json's empty left_out"
"$pb" report --full "$tmp/link" >"$tmp/rep" 2>&1
grep -q "^  fork-pool-pipe  *model, .*links: cost unknown" "$tmp/rep" && ok || bad "link probe failed: report of the files read back: $(grep model "$tmp/rep")"
"$pb" project "$tmp/link" --nodes 1 --link 10gbit,2us >"$tmp/proj" 2>&1
grep -q "^  fork-pool-pipe .*link cost unknown" "$tmp/proj" && ok || bad "link probe failed: project: $(cat "$tmp/proj")"
sumawk '$2 == "serial" { for (i = col("moved_bytes"); i <= col("link_bytes_per_s"); i++) if ($i == "nan") bad = 1 } END { exit bad }' "$tmp/link/summary.csv" && ok || bad "link probe failed: serial's link columns are nan"

# mpi+openmp: a worker count that is not whole ranks of --threads is left out, said and recorded
if "$pb" list | grep -q "^  mpi+openmp " && command -v mpirun >/dev/null 2>&1; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	"$pb" run --kernels io_wait --size 4 --sleep-us 100 --backends mpi+openmp --workers 3 \
		--threads 2 --repetitions 2 --out "$tmp/mo" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok || bad "mpi+openmp 3 workers: exit $rc: $(head -c 300 "$tmp/err")"
	[ "$(cat "$tmp/out" "$tmp/err" | grep -c "mpi+openmp.* 3 workers.*--threads 2")" -eq 1 ] && ok || bad "mpi+openmp 3 workers: no one line: $(cat "$tmp/out" "$tmp/err" | grep -i "mpi+openmp")"
	grep -q '{"kernel": null, "backend": "mpi+openmp", "workers": 3, "why": ' "$tmp/mo/meta.json" && ok || bad "mpi+openmp 3 workers: not in meta.json's left_out"
elif "$pb" list | grep -q "^  mpi+openmp " && [ "${PB_REQUIRE_ALL:-OFF}" = ON ]; then
	# (a build without the MPI backends is a sanitizer build: CMake refuses others where
	# everything is required)
	bad "mpi+openmp left out: the MPI backends are built but mpirun is missing, and everything is required (CI)"
else
	echo "SKIP: mpi+openmp left out: needs the MPI backends and mpirun"
fi

finish
