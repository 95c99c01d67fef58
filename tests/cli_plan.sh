#!/bin/sh
# cli_plan.sh - run --dry-run plans a 64-core, 2-socket node hwloc describes (HWLOC_SYNTHETIC) with an estimated duration, writing nothing and starting nothing; bad input exits 2
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# A python and an mpirun that say so if anything starts them.
mkdir "$tmp/bin" "$tmp/cwd"
for f in python mpirun; do
	printf '#!/bin/sh\ntouch "%s/%s-ran"\nexit 1\n' "$tmp" "$f" >"$tmp/bin/$f"
	chmod +x "$tmp/bin/$f"
done
export HWLOC_SYNTHETIC="pack:2 numa:2 core:16 pu:2" HWLOC_THISSYSTEM=0
export PARBENCH_MPIRUN="$tmp/bin/mpirun"
cd "$tmp/cwd" || exit 1 # every run below in an empty folder
# has TEXT: the last output holds TEXT, its lines joined (the plan wraps long lines)
has() { tr '\n' ' ' <"$tmp/out" | tr -s ' ' | grep -qF -- "$1"; }

# In an empty folder, --out a path that does not exist: the plan, and nothing else.
"$pb" run --dry-run --python "$tmp/bin/python" --out "$tmp/none/run" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && ok || bad "dry run: exit $rc: $(head -c 300 "$tmp/err")"
has "machine: 2 packages, 4 NUMA nodes, 64 cores, 128 PUs, from hwloc synthetic 'pack:2 numa:2 core:16 pu:2' (not this machine)" && ok || bad "dry run: not the synthetic machine: $(grep -A1 '^machine' "$tmp/out")"
has "workers: 1, 2, 4, 8, 16, 32, 64 (the default:" && ok || bad "dry run: default worker counts: $(grep '^workers' "$tmp/out")"
has " 64 workers: package 0: 32 cores (NUMA 0: 16, NUMA 1: 16), 1 PU each; package 1: 32 cores (NUMA 2: 16, NUMA 3: 16), 1 PU each calibration" && ok || bad "dry run: no placement of 64 workers: $(grep -A1 '64 workers:' "$tmp/out")"
tr '\n' ' ' <"$tmp/out" | tr -s ' ' | grep -Eq "estimated duration: the first round ~[0-9]+ s.*, the whole run ~[0-9]+ s" && ok || bad "dry run: no estimated duration"
if "$pb" list | grep -q "^  mpi "; then # (sanitizer builds have no MPI backends)
	has "504 configurations, 98 of them in 14 mpirun launches" && ok || bad "dry run: configurations or MPI launches not counted: $(grep configurations "$tmp/out")"
else
	# (and without OpenMP under TSan: fewer backends, so the count is not fixed)
	grep -Eq "^  [0-9]+ configurations, 0 of them in 0 mpirun launches" "$tmp/out" && ok || bad "dry run without MPI: configurations not counted: $(grep configurations "$tmp/out")"
fi
grep -q "^terms of the estimate" "$tmp/out" && has "a parallel run: serial / min(workers, 64 cores)" && ok || bad "dry run: the estimate's terms not stated"
has "sum_squares, range_sum, io_wait: the size of a 0.25 s serial run" && ok || bad "dry run: calibration not described"
[ -z "$(ls -A "$tmp/cwd")" ] && [ ! -e "$tmp/none" ] && ok || bad "dry run wrote: $(ls -A "$tmp/cwd") $(ls "$tmp" | grep none)"
[ ! -e "$tmp/python-ran" ] && [ ! -e "$tmp/mpirun-ran" ] && ok || bad "dry run started $(ls "$tmp" | grep ran)"
# without --out: no results/ folder
"$pb" run --dry-run --quick --python "$tmp/bin/python" >"$tmp/out" 2>&1
[ $? -eq 0 ] && [ -z "$(ls -A "$tmp/cwd")" ] && ok || bad "dry run without --out wrote: $(ls -A "$tmp/cwd")"
grep -q "^output:    results/<date>-<time>-<host>/ (made when the run starts)$" "$tmp/out" && ok || bad "dry run: output folder not named"

# --smt adds all PUs; compact puts the 128 on both PUs of every core: marked s.
"$pb" run --dry-run --smt --python "$tmp/bin/python" >"$tmp/out" 2>&1
has " 128 workers: package 0: 32 cores (NUMA 0: 16, NUMA 1: 16): cores 0-31 both PUs; package 1: 32 cores (NUMA 2: 16, NUMA 3: 16): cores 32-63 both PUs [s: workers share cores]" && ok || bad "--smt: $(grep -A1 '128 workers' "$tmp/out")"
# compact-smt fills siblings first
"$pb" run --dry-run --pin compact-smt --workers 4,32 --backends pthreads --python "$tmp/bin/python" >"$tmp/out" 2>&1
has " 32 workers: package 0: 16 cores (NUMA 0): cores 0-15 both PUs [s: workers share cores]" && ok || bad "compact-smt: $(grep -A1 '32 workers' "$tmp/out")"
[ ! -e "$tmp/python-ran" ] && [ ! -e "$tmp/mpirun-ran" ] && ok || bad "dry runs started $(ls "$tmp" | grep ran)"

# topology plans the same machine and tells the placement
"$pb" topology --workers 4 --pin spread >"$tmp/out" 2>&1
grep -q "^placed:  package 0: 2 cores (NUMA 0: 1, NUMA 1: 1), 1 PU each; package 1: 2 cores (NUMA 2: 1, NUMA 3: 1), 1 PU each$" "$tmp/out" && ok || bad "topology: $(cat "$tmp/out")"

# Bad input with --dry-run: one line, exit 2, nothing written.
usage_error "dry run: unknown backend" run --dry-run --backends mpii
usage_error "dry run: workers beyond any plan" run --dry-run --workers 2000
usage_error "dry run: a PU the planned machine lacks" run --dry-run --pin 0,200
usage_error "dry run: --smt with --workers" run --dry-run --smt --workers 4
usage_error "dry run: with --no-report" run --dry-run --no-report
touch "$tmp/file"
usage_error "dry run: an output folder under a file" run --dry-run --out "$tmp/file/run"
HWLOC_SYNTHETIC="core:8" # hwloc wants the PU level last: it would describe this machine
usage_error "dry run: a description hwloc refuses" run --dry-run
usage_error "topology: a description hwloc refuses" topology
[ -z "$(ls -A "$tmp/cwd")" ] && [ ! -e "$tmp/python-ran" ] && ok || bad "bad input wrote or started something"
finish
