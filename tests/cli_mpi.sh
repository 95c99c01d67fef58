#!/bin/sh
# cli_mpi.sh PARBENCH - MPI: parbench starts mpirun and merges the rows; killed ranks; SIGTERM during mpirun.
# ctest: labels cli mpi; timeout 600
. "$(dirname "$0")/cli_lib.sh"

# MPI: parbench starts mpirun itself and merges the rows; mpirun can start parbench too.
if "$pb" list | grep -q "^  mpi "; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	"$pb" run --quick --kernels sum_squares,box_blur --backends mpi,mpi+openmp --workers 1,2 \
		--repetitions 2 --out "$tmp/mpi" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok || bad "mpi run: exit $rc: $(head -c 400 "$tmp/err")"
	for row in "sum_squares,mpi,2," "box_blur,mpi,2," "sum_squares,mpi+openmp,2," "box_blur,serial,1,"; do
		grep -q "^$row" "$tmp/mpi/summary.csv" && ok || bad "mpi run: no $row row"
	done
	grep -q '"backend": "mpi", "workers": 2, .*"cpus_last_run": "0@[^ ]*:[0-9]* 1@' "$tmp/mpi/meta.json" && ok || bad "mpi run: rank placement not recorded"
	[ -s "$tmp/mpi/mpi-mpi-2/gbench.json" ] && ok || bad "mpi run: the launch's files are not kept"
	# what the ranks move (rank 1's half of the picture in and out) and the link they measured
	sumawk '$1 == "box_blur" && $2 == "mpi" && $3 == 2 { found = 1
			if (!($col("moved_bytes") >= 3145728 && $col("link_s") > 0 &&
			      $col("link_bytes_per_s") > 0 && $col("link_latency_s") > 0 &&
			      $col("messages") == 7)) bad = 1 }
		END { exit bad || !found }' "$tmp/mpi/summary.csv" && ok || bad "mpi run: no traffic for box_blur x2: $(grep '^box_blur,mpi,2,' "$tmp/mpi/summary.csv")"
	"$pb" project "$tmp/mpi" --nodes 4 --cores 2 --link 1gbit,50us >"$tmp/proj" 2>&1
	grep -q "^  mpi  *8 workers .* (2 at 2)   4.7 MB between nodes + 18 latencies$" "$tmp/proj" && ok || bad "project: no mpi line for 4 nodes: $(grep -A4 '^# box_blur' "$tmp/proj")"
	# the ranks run at the parent's sizes: calibrated, or --size N
	s1=$(awk -F, '$1 == "sum_squares" && $2 == "serial" { print $4 }' "$tmp/mpi/summary.csv")
	grep -q "^sum_squares,mpi,2,$s1," "$tmp/mpi/summary.csv" && ok || bad "mpi run: the ranks ran another size than the calibrated $s1"
	"$pb" run --kernels io_wait --size 20 --backends mpi --workers 2 --repetitions 2 \
		--out "$tmp/mpisize" >/dev/null 2>&1
	grep -q "^io_wait,mpi,2,20," "$tmp/mpisize/summary.csv" && ok || bad "mpi run: --size 20 did not reach the ranks"
	mpirun -np 2 --bind-to none --mca pml ob1 --mca btl self,vader "$pb" run --quick \
		--kernels range_sum --backends mpi --workers 2 --repetitions 2 --out "$tmp/direct" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "^range_sum,mpi,2," "$tmp/direct/summary.csv" && ok || bad "mpirun parbench: exit $rc: $(head -c 400 "$tmp/err")"
	mpirun -np 2 --mca pml ob1 --mca btl self,vader "$pb" run --backends pthreads >"$tmp/out" 2>"$tmp/err"
	[ $? -ne 0 ] && [ "$(grep -c '^parbench: under mpirun only' "$tmp/err")" -eq 1 ] && ok || bad "non-MPI backend under mpirun: $(head -c 300 "$tmp/err")"
	PARBENCH_TEST_CORRUPT=range_sum "$pb" run --quick --kernels range_sum,sum_squares --backends mpi \
		--workers 2 --repetitions 2 --out "$tmp/mpibad" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && ok || bad "mpi corrupt: exit $rc"
	grep -q "^range_sum,mpi," "$tmp/mpibad/summary.csv" && bad "mpi corrupt: a wrong result reached summary.csv" || ok
	grep -q "^sum_squares,mpi,2," "$tmp/mpibad/summary.csv" && ok || bad "mpi corrupt: good rows lost"
	PARBENCH_TEST_CRASH="sum_squares/mpi:SEGV" "$pb" run --quick --kernels range_sum,sum_squares \
		--backends mpi --workers 2 --repetitions 2 --out "$tmp/mpicrash" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "rank 1 .* signal 11" "$tmp/err" && grep -q "FAILED mpi / 2 workers" "$tmp/err" && ok || bad "mpi crash: exit $rc: $(head -c 400 "$tmp/err")"
	grep -q "^range_sum,serial,1," "$tmp/mpicrash/summary.csv" && ok || bad "mpi crash: serial rows lost"
	grep -q '"backend": "mpi", "workers": 2, "error": "mpirun exited with status' "$tmp/mpicrash/meta.json" && ok || bad "mpi crash: the failed launch is not in meta.json's failures"
	# a failed launch into a reused --out: the earlier run's rows must not come back
	PARBENCH_MPIRUN=/bin/false "$pb" run --quick --kernels sum_squares,box_blur --backends mpi \
		--workers 2 --repetitions 2 --out "$tmp/mpi" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "FAILED mpi / 2 workers" "$tmp/err" && ok || bad "mpi stale: exit $rc: $(head -c 400 "$tmp/err")"
	grep -q "^sum_squares,mpi," "$tmp/mpi/summary.csv" && bad "mpi stale: an earlier run's rows were shown as this run's" || ok
	grep -q "^sum_squares,serial,1," "$tmp/mpi/summary.csv" && ok || bad "mpi stale: serial rows lost"
	grep -q '"kernel": "box_blur", "backend": "mpi", "workers": 2, "error"' "$tmp/mpi/meta.json" && ok || bad "mpi stale: the failed launch is not in meta.json"
	gone "$tmp/\.?mpicrash" && ok || bad "mpi crash: processes left"
	printf 'node1 slots=2\nnode2 slots=two\n' >"$tmp/hosts"
	usage_error "bad hostfile" run --backends mpi --hostfile "$tmp/hosts"
	usage_error "missing hostfile" run --backends mpi --hostfile "$tmp/nohosts"
	# a rank killed mid-run: the run ends, says which rank and signal, keeps the rest (the
	# ranks' plan is in the run's fresh folder, .mpikill.XXXXXX, until it is moved to --out)
	"$pb" run --kernels io_wait --size 100 --backends mpi --workers 2 --repetitions 30 \
		--out "$tmp/mpikill" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 100); do
		pgrep -f -- "rank $tmp/\.mpikill\.[^/ ]*/mpi-mpi-2/plan" >/dev/null && break
		sleep 0.1
	done
	sleep 1
	victim=$(pgrep -f -- "rank $tmp/\.mpikill\.[^/ ]*/mpi-mpi-2/plan" | grep -v "^$(pgrep -f "mpirun.*$tmp/\.mpikill\." | head -1)\$" | tail -1)
	[ -n "$victim" ] && kill -KILL "$victim"
	t0=$(date +%s)
	wait "$pid"
	rc=$?
	[ "$rc" -eq 1 ] && ok || bad "killed rank: exit $rc"
	# ended by the rank's death, not by the 300 s timeout: generous for a busy machine
	[ $(($(date +%s) - t0)) -le 60 ] && ok || bad "killed rank: the run took too long to end"
	grep -q "signal 9" "$tmp/err" && grep -q "FAILED mpi / 2 workers" "$tmp/err" && ok || bad "killed rank: $(head -c 500 "$tmp/err")"
	grep -q "^io_wait,serial,1," "$tmp/mpikill/summary.csv" && ok || bad "killed rank: serial row lost"
	gone "$tmp/\.?mpikill" && ok || bad "killed rank: processes left behind"
	# SIGTERM while mpirun runs: 143, no rank left
	"$pb" run --kernels io_wait --size 100 --backends mpi --workers 2 --repetitions 30 \
		--out "$tmp/mpiterm" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 100); do
		pgrep -f -- "rank $tmp/\.mpiterm\.[^/ ]*/mpi-mpi-2/plan" >/dev/null && break
		sleep 0.1
	done
	sleep 0.5
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" -eq 143 ] && ok || bad "SIGTERM during mpirun: exit $rc"
	gone "$tmp/\.?mpiterm" && ok || bad "SIGTERM during mpirun: processes left behind"
fi

finish
