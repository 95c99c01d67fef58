#!/bin/sh
# cli_many.sh - 64 workers on this machine's few cores: every backend this build has finishes
# with every result verified and its rows marked oversubscribed (*); meta.json says where each
# configuration's picture pages were; the roof at 64 workers is what they copy together (not
# the sum of parts copied one after another); the scaling model says it left those rows out;
# no process is left behind.  Tiny sizes and 2 repetitions: well under a minute when idle.
# ctest: labels cli many mpi heavy; timeout 600
. "$(dirname "$0")/cli_lib.sh"
top=$(cd "$here/.." && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# the backends of the brief that this build has; one it lacks fails where all is required
want="pthreads pthreads-gil openmp fork-pool fork-pool-pipe mpi mpi+openmp cpython-threads cpython-pool cpython-processes"
backends=
for b in $want; do
	if "$pb" list | grep -q "^  $b "; then
		backends="$backends${backends:+,}$b"
	elif [ "${PB_REQUIRE_ALL:-OFF}" = ON ]; then
		bad "backend $b is not built, and everything is required (CI)"
	else
		echo "SKIP: backend $b is not built here"
	fi
done
case ",$backends," in *,mpi,*)
	command -v mpirun >/dev/null 2>&1 || bad "mpi is built but mpirun is not found";;
esac

t0=$(date +%s)
"$pb" run --full --quick --kernels range_sum,box_blur --size range_sum=1000000,box_blur=128 \
	--python-size range_sum=100000,box_blur=24 --backends "$backends" --workers 1,2,64 \
	--repetitions 2 --out "$tmp/many" >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "64 workers, $(echo "$backends" | tr , ' ' | wc -w) backends, 2 kernels: $(($(date +%s) - t0)) s"
[ "$rc" -eq 0 ] && ok || bad "64 workers: exit $rc: $(head -c 600 "$tmp/err")"
grep -q "FAILED" "$tmp/err" "$tmp/out" && bad "64 workers: $(grep -h FAILED "$tmp/err" | head -3)" || ok

# every backend's 64-worker row of each kernel measured (so verified), oversubscribed, marked
python3 - "$tmp/many/summary.csv" "$backends" >"$tmp/rows" 2>&1 <<'EOF'
import csv, sys
rows = {(r["kernel"], r["backend"], r["workers"]): r for r in csv.DictReader(open(sys.argv[1]))}
for k in ("range_sum", "box_blur"):
    for b in sys.argv[2].split(","):
        r = rows.get((k, b, "64"))
        if r is None:
            print("missing %s %s x64" % (k, b))
        elif r["oversubscribed"] != "1":
            print("%s %s x64 not oversubscribed" % (k, b))
EOF
[ $? -eq 0 ] && [ ! -s "$tmp/rows" ] && ok || bad "summary.csv: $(head -5 "$tmp/rows")"
for b in $(echo "$backends" | tr , ' '); do
	[ "$(grep -c "^  $b  *64  .*\*" "$tmp/out")" -eq 2 ] && ok || bad "$b x64 not marked * in both tables: $(grep "^  $b  *64 " "$tmp/out")"
done
grep -q "^note: scaling model: [0-9]* oversubscribed configurations (more workers than cores) left out of its fits and held-out checks$" "$tmp/out" && ok || bad "no note that the model left the oversubscribed rows out"

# meta.json: where the picture's pages were, per configuration (this machine: one node, all
# on it); null for kernels without buffers and the CPython rows; MPI: in each launch's files
json_ok "$tmp/many/meta.json" && ok || bad "meta.json is not JSON"
python3 - "$tmp/many" "$backends" >"$tmp/pages" 2>&1 <<'EOF'
import json, os, sys
d, backends = sys.argv[1], sys.argv[2].split(",")
seen = set()
def check(p, where):
    pg = p["pages"]
    if p["kernel"] == "range_sum" or p["backend"].startswith("cpython") or (
            p["backend"].startswith("mpi") and where == "run"):
        if pg is not None:
            print("%s: pages for %s %s" % (where, p["kernel"], p["backend"]))
        return
    want = "as made" if p["backend"].startswith("mpi") else None
    if pg is None or (want and pg["placed"] != want) or pg["error"] != 0 or pg["nodes"] < 1 \
            or abs(sum(pg["input"]) - 1) > 1e-6 or pg["sampled"][0] < 1 or pg["absent"] != [0, 0]:
        print("%s: %s %s x%d: %s" % (where, p["kernel"], p["backend"], p["workers"], pg))
    seen.add((p["backend"], p["workers"]))
for p in json.load(open(d + "/meta.json"))["placement"]:
    check(p, "run")
for b in backends:
    if b.startswith("mpi"):
        for p in json.load(open("%s/mpi-%s-64/meta.json" % (d, b)))["placement"]:
            check(p, "mpi-%s-64" % b)
for b in backends:
    if not b.startswith("cpython") and (b, 64) not in seen:
        print("no pages for box_blur %s x64" % b)
EOF
[ $? -eq 0 ] && [ ! -s "$tmp/pages" ] && ok || bad "pages: $(head -5 "$tmp/pages")"
if grep -q '"topology": "[^"]* 1 NUMA node,' "$tmp/many/meta.json"; then # all on the one
	grep -q '"backend": "pthreads", "workers": 64, .*"pages": {"placed": "by share", "nodes": 1, "worker_nodes": 1, "input": \[1.000\], "output": \[1.000\]' "$tmp/many/meta.json" && ok || bad "pthreads x64: pages not all on node 0: $(grep -o '"backend": "pthreads", "workers": 64, .*' "$tmp/many/meta.json" | head -c 400)"
fi

# the roof at 64 workers: what they move together, so not well above what the 2 cores move
# (parts timed each on its own added up to 2x-25x here).  A busy machine moves each figure
# by up to 2x, so: the median of three measurements (the run's, two more) of 64 workers'
# copy bandwidth over the best of 1 and 2 workers' is at most 1.6
awk -F, 'NR > 1 { bw[$1] = $2 } END { top = bw[1] > bw[2] ? bw[1] : bw[2]
	print (top > 0 ? bw[64] / top : 99) }' "$tmp/many/roof.csv" >"$tmp/ratios"
for i in 1 2; do
	"$pb" roofline --workers 2,64 2>&1 | sed -n 's/^copy bandwidth.*: 1 worker \([0-9.]*\) GB\/s, 2 workers \([0-9.]*\) GB\/s, 64 workers \([0-9.]*\) GB\/s$/\1 \2 \3/p' |
		awk '{ top = $1 > $2 ? $1 : $2; print (top > 0 ? $3 / top : 99) }' >>"$tmp/ratios"
done
[ "$(wc -l <"$tmp/ratios")" -eq 3 ] && [ "$(sort -n "$tmp/ratios" | sed -n 2p | awk '{ print ($1 <= 1.6) }')" = 1 ] && ok || bad "roof at 64 workers over 1.6x the 1- and 2-worker roofs (ratios: $(tr '\n' ' ' <"$tmp/ratios"))"

# nothing left running: workers, ranks, interpreters (this worktree's driver only)
sleep 1
[ "$(pgrep -f -- "$tmp/many" | wc -l)" -eq 0 ] && ok || bad "processes left: $(pgrep -af -- "$tmp/many" | head -3)"
[ "$(pgrep -f -- "$top/backends/cpython/driver.py" | wc -l)" -eq 0 ] && ok || bad "interpreters left: $(pgrep -af -- "$top/backends/cpython/driver.py" | head -3)"
finish
