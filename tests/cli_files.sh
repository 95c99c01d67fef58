#!/bin/sh
# cli_files.sh - what parbench does to files and folders it did not make: a run replaces an
# earlier run at --out whole (never piecemeal), refuses any other --out, and leaves the old run
# when killed; filter never writes over an input; no temporary file has a guessable name.
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"

R="--quick --kernels io_wait --size 4 --backends pthreads --workers 1,2 --repetitions 2"
# a run long enough to be stopped mid-sweep: 3 configurations x 40 repetitions of >= 50 ms
LONG="--kernels io_wait --size 20 --sleep-us 1000 --backends pthreads --workers 1,2 --repetitions 40 --min-time 0.05"

# hidden DIR NAME: the hidden folders beside NAME in DIR (a run's fresh folder is .NAME.XXXXXX)
hidden() { ls -A "$1" | grep "^\.$2\." ; }
# tree DIR: every file under DIR with its checksum, to see that nothing changed
tree() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs md5sum; find . | LC_ALL=C sort); }
# wait_stage DIR NAME PID: until the run PID has made its fresh folder (signals are handled
# from then on), at most 30 s
wait_stage() {
	for _ in $(seq 300); do
		[ -n "$(hidden "$1" "$2")" ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# A reused --out: an earlier run with stale files (a chart of a kernel no longer run, an
# mpi-* folder, a roof.csv of other numbers) is replaced whole by the new run.
mkdir "$tmp/p"
"$pb" run $R --out "$tmp/p/reuse" >/dev/null 2>"$tmp/err" && ok || bad "first run: $(cat "$tmp/err")"
: >"$tmp/p/reuse/speedup-stale.png"
mkdir "$tmp/p/reuse/mpi-old"
echo "kernel,backend" >"$tmp/p/reuse/mpi-old/summary.csv"
printf 'workers,copy_gb_per_s,clock_ghz\n1,999,9.99\n' >"$tmp/p/reuse/roof.csv"
: >"$tmp/mark"
"$pb" run $R --out "$tmp/p/reuse/" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "reused --out: exit $rc: $(cat "$tmp/err")"
[ ! -e "$tmp/p/reuse/speedup-stale.png" ] && [ ! -e "$tmp/p/reuse/mpi-old" ] && ok || bad "reused --out: stale files remain: $(ls "$tmp/p/reuse")"
grep -q ",999," "$tmp/p/reuse/roof.csv" && bad "reused --out: the old roof.csv remains" || ok
[ -s "$tmp/p/reuse/summary.csv" ] && [ -s "$tmp/p/reuse/meta.json" ] && [ -s "$tmp/p/reuse/topology.xml" ] && ok || bad "reused --out: files missing"
[ -z "$(find "$tmp/p/reuse" ! -newer "$tmp/mark")" ] && ok || bad "reused --out: files older than the run: $(find "$tmp/p/reuse" ! -newer "$tmp/mark")"
[ "$(ls -A "$tmp/p")" = "reuse" ] && ok || bad "reused --out: left beside it: $(ls -A "$tmp/p")"
[ -z "$(find "$tmp/p" -name '*.tmp')" ] && ok || bad "reused --out: temporary files left"

# An empty folder is taken.
mkdir "$tmp/p/empty"
"$pb" run $R --out "$tmp/p/empty" >/dev/null 2>"$tmp/err" && [ -s "$tmp/p/empty/meta.json" ] && ok || bad "empty --out: $(cat "$tmp/err")"

# Refused, one line, exit 2, nothing touched: a folder of other files, a meta.json that is
# not parbench's, a regular file, a symbolic link (even to a run), '.'.
mkdir "$tmp/q" "$tmp/q/notes" "$tmp/q/other"
echo "my notes" >"$tmp/q/notes/notes.txt"
echo '{"commit": "x"}' >"$tmp/q/other/meta.json"
echo "a file" >"$tmp/q/file"
# a run's meta.json copied into a folder of someone's notes: the folder is not a run's
mkdir "$tmp/q/copied"
cp "$tmp/p/empty/meta.json" "$tmp/q/copied/"
echo "my notes" >"$tmp/q/copied/notes.txt"
mkdir "$tmp/q/copied/.git"
ln -s ../p/reuse "$tmp/q/link"
tree "$tmp/q" >"$tmp/q-before"
tree "$tmp/p" >"$tmp/p-before"
usage_error "--out: a folder of other files" run $R --out "$tmp/q/notes"
grep -q "is not a parbench run" "$tmp/err" && ok || bad "--out notes: $(cat "$tmp/err")"
usage_error "--out: another program's meta.json" run $R --out "$tmp/q/other"
usage_error "--out: a run's meta.json beside other files" run $R --out "$tmp/q/copied"
usage_error "costs --out: a folder of other files" costs --out "$tmp/q/notes"
usage_error "costs --out: a symbolic link" costs --out "$tmp/q/link"
usage_error "--out: a regular file" run $R --out "$tmp/q/file"
usage_error "--out: a file's subfolder" run $R --out "$tmp/q/file/run"
usage_error "--out: a symbolic link" run $R --out "$tmp/q/link"
usage_error "--out: ." run $R --out "$tmp/p/reuse/."
tree "$tmp/q" | cmp -s - "$tmp/q-before" && ok || bad "refused --out: files changed in q"
tree "$tmp/p" | cmp -s - "$tmp/p-before" && ok || bad "refused --out: files changed in p"

# SIGKILL mid-run: the earlier run at --out is as it was; at most the hidden fresh folder.
tree "$tmp/p/reuse" >"$tmp/reuse-before"
"$pb" run $LONG --out "$tmp/p/reuse" >/dev/null 2>&1 &
pid=$!
wait_stage "$tmp/p" reuse "$pid" && ok || bad "SIGKILL: the run made no fresh folder beside --out"
sleep 0.5
kill -KILL "$pid"
wait "$pid" 2>/dev/null
tree "$tmp/p/reuse" | cmp -s - "$tmp/reuse-before" && ok || bad "SIGKILL: the earlier run changed"
[ "$(hidden "$tmp/p" reuse | wc -l)" -le 1 ] && ok || bad "SIGKILL: left beside: $(ls -A "$tmp/p")"
for d in $(hidden "$tmp/p" reuse); do rm -rf "${tmp:?}/p/$d"; done

# SIGINT mid-run: exit 130, and --out holds the new run whole (what was measured), nothing of
# the old one, nothing left beside.
: >"$tmp/p/reuse/speedup-stale.png"
: >"$tmp/mark"
"$pb" run $LONG --out "$tmp/p/reuse" >/dev/null 2>"$tmp/err" &
pid=$!
wait_stage "$tmp/p" reuse "$pid" && ok || bad "SIGINT: the run made no fresh folder beside --out"
sleep 0.5
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && ok || bad "SIGINT: exit $rc: $(cat "$tmp/err")"
[ ! -e "$tmp/p/reuse/speedup-stale.png" ] && ok || bad "SIGINT: a stale chart remains"
[ -s "$tmp/p/reuse/summary.csv" ] && json_ok "$tmp/p/reuse/meta.json" && ok || bad "SIGINT: the run is not whole"
[ -z "$(find "$tmp/p/reuse" ! -newer "$tmp/mark")" ] && ok || bad "SIGINT: old files: $(find "$tmp/p/reuse" ! -newer "$tmp/mark")"
[ -z "$(hidden "$tmp/p" reuse)" ] && ok || bad "SIGINT: left beside: $(ls -A "$tmp/p")"

# filter never writes over an input: --outdir its folder (also through a symbolic link),
# --output the input itself, through a link, or a hard link to it.
mkdir "$tmp/in"
cp "$here/data/photo.png" "$tmp/in/photo.png"
ln -s in "$tmp/inlink"
ln "$tmp/in/photo.png" "$tmp/hard.png"
F="filter --kernel sepia --workers 1 --repetitions 1 --input $tmp/in/photo.png"
usage_error "filter --outdir the input's folder" $F --outdir "$tmp/in"
usage_error "filter --outdir via a link" $F --outdir "$tmp/inlink"
usage_error "filter --output the input" $F --output "$tmp/in/photo.png"
usage_error "filter --output via a link" $F --output "$tmp/inlink/photo.png"
usage_error "filter --output via another path" $F --output "$tmp/in/../in/photo.png"
usage_error "filter --output a hard link" $F --output "$tmp/hard.png"
usage_error "filter --outdir, the input twice" filter --kernel sepia --input "$tmp/hard.png" \
	"$here/data/photo.jpg" --outdir "$tmp"
cmp -s "$tmp/in/photo.png" "$here/data/photo.png" && ok || bad "filter: the input changed"
[ "$(ls -A "$tmp/in")" = "photo.png" ] && ok || bad "filter: written beside the input: $(ls -A "$tmp/in")"

# No guessable temporary names: a link planted at the old fixed names is not written through
# (filter's .NAME.tmp, the sizes' .parbench-sizes.tmp, a run's .summary.csv.tmp).
mkdir "$tmp/t"
echo "victim" >"$tmp/t/victim"
ln -s victim "$tmp/t/.o.png.tmp"
ln -s victim "$tmp/t/.parbench-sizes.tmp"
"$pb" $F --output "$tmp/t/o.png" >/dev/null 2>"$tmp/err" && [ -f "$tmp/t/o.png" ] && [ ! -L "$tmp/t/o.png" ] && ok || bad "filter beside a planted link: $(cat "$tmp/err")"
"$pb" run --quick --kernels io_wait --backends pthreads --workers 1 --repetitions 2 \
	--out "$tmp/t/run" >/dev/null 2>"$tmp/err" && [ -f "$tmp/t/.parbench-sizes" ] && ok || bad "calibrated run: $(cat "$tmp/err")"
ln -s ../victim "$tmp/t/run/.summary.csv.tmp"
"$pb" run $R --out "$tmp/t/run" >/dev/null 2>"$tmp/err" && ok || bad "run over a planted link: $(cat "$tmp/err")"
[ "$(cat "$tmp/t/victim")" = "victim" ] && ok || bad "a planted link was written through"
[ "$(find "$tmp/t" -name '*.tmp' | wc -l)" -eq 2 ] && ok || bad "temporary files left: $(find "$tmp/t" -name '*.tmp')"
[ -z "$(find "$tmp/t" -name '.*.??????*' ! -name '*.tmp')" ] && ok || bad "temporary files left: $(ls -A "$tmp/t")"

# The calibration's sizes file beside --out may sit in a shared folder: a FIFO planted there
# does not block the run, and another user's file or a link is not read.
mkdir "$tmp/shared"
mkfifo "$tmp/shared/.parbench-sizes"
timeout 120 "$pb" run --quick --kernels io_wait --backends pthreads --workers 1 --repetitions 2 \
	--out "$tmp/shared/run" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "a FIFO as the sizes file: exit $rc: $(head -c 300 "$tmp/err")"
finish
