#!/bin/sh
# cli_files_mpi.sh - the MPI ranks' folders (mpi-<backend>-<workers>/) are written inside the
# run's fresh folder like the rest, so a reused --out keeps none of an earlier run's, and a
# launch that died leaves no hidden folder in the run.
# ctest: labels cli mpi; timeout 300
. "$(dirname "$0")/cli_lib.sh"

if ! "$pb" list | grep -q "^  mpi "; then
	# (a build without MPI is a sanitizer build or a machine without Open MPI, which CMake
	# refuses where everything is required)
	echo "cli_files_mpi: SKIP (no MPI backend in this build)"
	exit 77
fi
R="--quick --kernels io_wait --size 4 --backends mpi --workers 2 --repetitions 2"
mkdir "$tmp/p"
"$pb" run $R --out "$tmp/p/m" >/dev/null 2>"$tmp/err" && [ -s "$tmp/p/m/mpi-mpi-2/summary.csv" ] && ok || bad "first MPI run: $(head -c 300 "$tmp/err")"
mkdir "$tmp/p/m/mpi-old"
: >"$tmp/p/m/mpi-mpi-2/stale.csv"
: >"$tmp/mark"
"$pb" run $R --out "$tmp/p/m" >/dev/null 2>"$tmp/err" &
pid=$!
seen=0 # the ranks were given a plan inside the fresh folder, never one in --out itself
for _ in $(seq 300); do
	pgrep -f -- "rank $tmp/p/m/mpi-" >/dev/null && seen=2
	[ "$seen" -eq 0 ] && pgrep -f -- "rank $tmp/p/\.m\.[^/ ]*/mpi-mpi-2/plan" >/dev/null && seen=1
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "reused --out: exit $rc: $(head -c 300 "$tmp/err")"
[ "$seen" -eq 1 ] && ok || bad "the ranks' plan was not inside the fresh folder ($seen)"
[ ! -e "$tmp/p/m/mpi-old" ] && [ ! -e "$tmp/p/m/mpi-mpi-2/stale.csv" ] && ok || bad "stale MPI folders remain: $(ls -R "$tmp/p/m" | head -20)"
grep -q "^io_wait,mpi,2," "$tmp/p/m/summary.csv" && [ -s "$tmp/p/m/mpi-mpi-2/meta.json" ] && ok || bad "the MPI rows are missing"
[ -z "$(find "$tmp/p/m" ! -newer "$tmp/mark")" ] && ok || bad "files older than the run: $(find "$tmp/p/m" ! -newer "$tmp/mark")"
[ "$(ls -A "$tmp/p")" = "m" ] && [ -z "$(find "$tmp/p/m" -name '.*')" ] && ok || bad "hidden folders left: $(ls -A "$tmp/p"; find "$tmp/p/m" -name '.*')"
# a rank killed (test hook): rank 0's own fresh folder, never moved into place, is not left
# in the run
PARBENCH_TEST_CRASH="io_wait/mpi:KILL" "$pb" run $R --out "$tmp/p/k" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "FAILED mpi / 2 workers" "$tmp/err" && ok || bad "killed rank: exit $rc: $(head -c 300 "$tmp/err")"
[ -s "$tmp/p/k/meta.json" ] && [ -z "$(find "$tmp/p/k" -name '.*')" ] && ok || bad "killed rank: left in the run: $(find "$tmp/p/k" -name '.*')"
finish
