#!/bin/sh
# cli_mpi_trust.sh PARBENCH - what the ranks wrote joins the run only as the launch planned it (a tampered folder is refused, said, and the run goes on); a stop keeps the rows rank 0 saved and counts the launches never started; a parbench killed leaves no mpirun or rank behind.
# ctest: labels cli mpi; timeout 300
. "$(dirname "$0")/cli_lib.sh"

if ! "$pb" list | grep -q "^  mpi "; then
	echo "cli_mpi_trust: SKIP (no MPI backend in this build)"
	exit 77
fi
real=$(command -v mpirun) || { echo "cli_mpi_trust: SKIP (no mpirun on PATH)"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# An mpirun that runs the real one, then tampers with what rank 0 wrote beside the plan (the
# last argument): $TAMPER, a sed program, on summary.csv and samples.csv; with $LINGER it then
# says so in that file and waits for a signal (rank 0's rows are written, mpirun not yet gone).
mkdir "$tmp/bin"
cat >"$tmp/bin/mpirun" <<EOF
#!/bin/sh
for a; do plan=\$a; done
dir=\$(dirname "\$plan")
"$real" "\$@"
rc=\$?
[ -n "\${TAMPER:-}" ] && sed -i -e "\$TAMPER" "\$dir/summary.csv" "\$dir/samples.csv"
if [ -n "\${LINGER:-}" ]; then
	trap 'kill \$!; exit 143' TERM
	sleep 60 &
	: >"\$LINGER"
	wait \$!
fi
exit \$rc
EOF
chmod +x "$tmp/bin/mpirun"
R="--quick --kernels sum_squares,io_wait --size sum_squares=1000,io_wait=4 --backends mpi --repetitions 2"

# A row that is not the launch's (a kernel or backend this build lacks, another backend, worker
# count or size): the launch's rows are all refused with one line, as a failed launch's.
n=0
for t in "nokernel,mpi,2,4,:a kernel this build lacks:kernel 'nokernel' at size 4 was not planned" \
	"io_wait,nompi,2,4,:a backend this build lacks:a row of backend 'nompi', not mpi" \
	"io_wait,serial,2,4,:another backend:a row of backend 'serial', not mpi" \
	"io_wait,mpi,3,4,:another worker count:a row of io_wait at 3 workers, not 2" \
	"io_wait,mpi,2,5,:another size:kernel 'io_wait' at size 5 was not planned"; do
	row=${t%%:*}
	why=${t#*:}
	what=${why%%:*}
	why=${why#*:}
	n=$((n + 1))
	TAMPER="s/^io_wait,mpi,2,4,/$row/" PARBENCH_MPIRUN="$tmp/bin/mpirun" "$pb" run $R \
		--workers 2 --out "$tmp/t$n" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && ok || bad "$what: exit $rc: $(head -c 400 "$tmp/err")"
	[ "$(grep -c "^parbench: FAILED mpi / 2 workers: the ranks' rows are refused: $why$" "$tmp/err")" -eq 1 ] && ok || bad "$what: not refused in one line: $(grep FAILED "$tmp/err")"
	! grep -q "^$row\|,mpi," "$tmp/t$n/summary.csv" && ok || bad "$what: a refused row joined the run: $(grep "^$row\|,mpi," "$tmp/t$n/summary.csv")"
	grep -q "^io_wait,serial,1,4," "$tmp/t$n/summary.csv" && ok || bad "$what: the run's own rows lost"
	grep -q "\"kernel\": \"sum_squares\", \"backend\": \"mpi\", \"workers\": 2, \"error\": \"the ranks' rows are refused" "$tmp/t$n/meta.json" && ok || bad "$what: the refused launch is not in meta.json's failures"
done

# SIGTERM once rank 0 of the first launch wrote its rows (mpirun still there): they are kept,
# and the launch never started is not measured (its 2 configurations)
LINGER="$tmp/lingering" PARBENCH_MPIRUN="$tmp/bin/mpirun" "$pb" run $R --workers 1,2 \
	--out "$tmp/stop" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1200); do
	[ -e "$tmp/lingering" ] && break
	sleep 0.1
done
[ -e "$tmp/lingering" ] && ok || bad "stop: mpirun never lingered"
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] && ok || bad "stop: exit $rc: $(head -c 400 "$tmp/err")"
grep -q "^sum_squares,mpi,1,1000," "$tmp/stop/summary.csv" && grep -q "^io_wait,mpi,1,4," "$tmp/stop/summary.csv" && ok || bad "stop: the rows rank 0 saved are lost: $(grep ',mpi,' "$tmp/stop/summary.csv")"
grep -q "^parbench: interrupted by SIGTERM; 2 configurations not measured," "$tmp/err" && ok || bad "stop: not measured miscounted: $(grep interrupted "$tmp/err")"
grep -q '"kernel": "io_wait", "backend": "mpi", "workers": 2, "error": "interrupted"' "$tmp/stop/meta.json" && ok || bad "stop: the launch never started is not in meta.json"
! grep -q "FAILED" "$tmp/err" && ok || bad "stop: a stop is no failure: $(grep FAILED "$tmp/err")"

# parbench killed (SIGKILL: no handler runs) during a launch whose ranks hang (test hook, till
# --timeout): mpirun and the ranks end with it
PARBENCH_TEST_HANG=io_wait/mpi "$pb" run $R --workers 2 --timeout 60 --no-interleave \
	--out "$tmp/killed" >/dev/null 2>&1 &
pid=$!
seen=
for _ in $(seq 300); do
	pgrep -f -- "rank $tmp/\.killed\.[^/ ]*/mpi-mpi-2/plan" >/dev/null && seen=1 && break
	sleep 0.1
done
[ -n "$seen" ] && ok || bad "parbench killed: its ranks were never seen running (nothing tested)"
sleep 0.5
kill -KILL "$pid"
wait "$pid" 2>/dev/null
left=
for _ in $(seq 150); do # within 15 s: mpirun gives SIGTERMed ranks 4 s before SIGKILL
	left=$(pgrep -f -- "$tmp/\.killed\.")
	[ -z "$left" ] && break
	sleep 0.1
done
[ -z "$left" ] && ok || bad "parbench killed: left running: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)")"
for p in $left; do
	[ "$p" -gt 1 ] && kill -KILL "$p" 2>/dev/null
done

# Ctrl-C at the terminal signals parbench's whole process group; parbench then passes on one
# SIGTERM; the run ends 130 with nothing of it left.  (mpirun must get that one signal only:
# in parbench's group it got SIGINT and then SIGTERM, took the second as "kill now", and rank
# 0 ended without saving.  A hung rank saves nothing either way, so this check does not tell
# the two apart; a long measurement that does takes a minute, too long for the suite.)
PARBENCH_TEST_HANG=io_wait/mpi setsid "$pb" run $R --workers 2 --timeout 60 --no-interleave \
	--out "$tmp/ctrlc" \
	>/dev/null 2>"$tmp/err" &
pid=$!
seen=
for _ in $(seq 300); do
	pgrep -f -- "rank $tmp/\.ctrlc\.[^/ ]*/mpi-mpi-2/plan" >/dev/null && seen=1 && break
	sleep 0.1
done
[ -n "$seen" ] && ok || bad "Ctrl-C: the ranks were never seen running (nothing tested)"
sleep 0.5
pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
[ "${pgid:-0}" -gt 1 ] && env kill -INT -- "-$pgid" # procps kill: a group
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && ok || bad "Ctrl-C: exit $rc: $(head -c 300 "$tmp/err")"
left=
for _ in $(seq 150); do # within 15 s
	left=$(pgrep -f -- "$tmp/\.ctrlc\.|$tmp/ctrlc")
	[ -z "$left" ] && break
	sleep 0.1
done
[ -z "$left" ] && ok || bad "Ctrl-C: left running: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)")"
for p in $left; do
	[ "$p" -gt 1 ] && kill -KILL "$p" 2>/dev/null
done
finish
