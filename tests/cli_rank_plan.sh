#!/bin/sh
# cli_rank_plan.sh - the MPI ranks are told a plan file, not options: a bad, cut or missing
# plan is refused by `parbench rank` (exit 2, one line), a plan run under mpirun measures what
# it says, and what `parbench run` was asked (sizes, workers, schedule, chunk, variant ...)
# reaches the plan of each launch and its rows.
# ctest: labels cli mpi; timeout 300
. "$(dirname "$0")/cli_lib.sh"

# refused "what" PATTERN args...: a usage error (exit 2, one line) whose line matches PATTERN
refused() {
	what="$1"
	pat="$2"
	shift 2
	usage_error "$what" "$@"
	grep -q -- "$pat" "$tmp/err" && ok || bad "$what: not '$pat': $(head -c 300 "$tmp/err")"
}

usage_error "rank without a plan" rank
refused "rank with two plans" "unexpected argument" rank "$tmp/a" "$tmp/b"
refused "rank with a missing plan" "^parbench: rank plan '$tmp/none': cannot read it" rank "$tmp/none"
mkfifo "$tmp/fifo"
refused "rank with a FIFO for a plan" "not a regular file" rank "$tmp/fifo"
parbench_help=$("$pb" --help)
echo "$parbench_help" | grep -q "^  rank " && bad "rank is listed in --help" || ok

if ! "$pb" list | grep -q "^  mpi "; then
	echo "cli_rank_plan: SKIP of the plans (no MPI backend in this build)"
	finish
fi

# a plan as bench/README.md describes it: io_wait on 2 ranks, 2 repetitions
mkdir "$tmp/p"
cat >"$tmp/p/plan.txt" <<'EOF'
# a hand-written plan
format = parbench-rank-plan 1
kernels = io_wait
size = io_wait=6
sizes =
scaling = strong
tasks = 0
sleep_us = 100
quick = 0
backends = mpi
workers = 2
schedule = default
chunk = 0
pin = compact
repetitions = 2
budget = 0
min_time = 0.002
timeout = 60
isa = best
image =
scatter = 1
test_corrupt =
test_hang =
test_crash =
test_link_fail =
end
EOF
# variant NAME SED-SCRIPT: the plan edited into $tmp/NAME/plan.txt
variant() {
	mkdir -p "$tmp/$1"
	sed "$2" "$tmp/p/plan.txt" >"$tmp/$1/plan.txt"
}
variant key '/^end$/i bogus = 1'
refused "plan with an unknown key" "line 26: unknown key 'bogus'" rank "$tmp/key/plan.txt"
variant workers 's/^workers = 2$/workers = 0/'
refused "plan with workers 0" "line 11: bad value '0' for 'workers'" rank "$tmp/workers/plan.txt"
variant size 's/^size = .*/size = io_wait=6,io_wait=7/'
refused "plan sizing a kernel twice" "bad value .* for 'size'" rank "$tmp/size/plan.txt"
variant backend 's/^backends = mpi$/backends = pthreads/'
refused "plan with a backend mpirun does not start" "pthreads is not an MPI backend" rank "$tmp/backend/plan.txt"
variant kernel 's/^kernels = io_wait$/kernels = io_wait,nope/'
refused "plan with an unknown kernel" "unknown kernel 'nope'" rank "$tmp/kernel/plan.txt"
variant secs 's/^timeout = 60$/timeout = 1e400/'
refused "plan with a timeout out of range" "bad value '1e400' for 'timeout'" rank "$tmp/secs/plan.txt"
variant twice '/^pin = /a pin = spread'
refused "plan naming pin twice" "'pin' given twice" rank "$tmp/twice/plan.txt"
variant nopin '/^pin = /d'
refused "plan without pin" "no 'pin' line" rank "$tmp/nopin/plan.txt"
variant both 's/^budget = 0$/budget = 5/'
refused "plan with repetitions and a budget" "'repetitions' and 'budget'" rank "$tmp/both/plan.txt"
variant ctl 's/^image =$/image = a\tb/'
refused "plan with a control character" "control character" rank "$tmp/ctl/plan.txt"
mkdir "$tmp/cut"
head -c 300 "$tmp/p/plan.txt" >"$tmp/cut/plan.txt" # inside a line
refused "plan cut inside a line" "cut short" rank "$tmp/cut/plan.txt"
sed '/^end$/d' "$tmp/p/plan.txt" >"$tmp/cut/plan.txt" # at a line's end
refused "plan cut before its end line" "no 'end' line" rank "$tmp/cut/plan.txt"
printf 'format = parbench-rank-plan 2\n' >"$tmp/cut/plan.txt"
refused "plan of another format" "format 'parbench-rank-plan 2'" rank "$tmp/cut/plan.txt"
refused "a good plan, but no mpirun" "runs under mpirun" rank "$tmp/p/plan.txt"
[ ! -e "$tmp/p/summary.csv" ] && ok || bad "a refused plan wrote results"

if ! command -v mpirun >/dev/null 2>&1; then
	[ "${PB_REQUIRE_ALL:-OFF}" = ON ] && bad "no mpirun, and everything is required (CI)"
	echo "cli_rank_plan: SKIP of the runs (no mpirun)"
	finish
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi="mpirun -np 2 --oversubscribe --bind-to none --mca pml ob1 --mca btl self,vader"

# the hand-written plan, run by 2 ranks: rank 0 writes its rows beside the plan
$mpi "$pb" rank "$tmp/p/plan.txt" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "rank under mpirun: exit $rc: $(head -c 400 "$tmp/err")"
sumawk '$1 == "io_wait" && $2 == "mpi" && $3 == 2 && $4 == 6 && $(col("repetitions")) == 2 { n++ }
	END { exit n != 1 }' "$tmp/p/summary.csv" && ok || bad "rank under mpirun: not the planned row: $(cat "$tmp/p/summary.csv")"
[ "$(wc -l <"$tmp/p/summary.csv")" -eq 2 ] && ok || bad "rank under mpirun: rows beyond the plan (a serial baseline?)"
json_ok "$tmp/p/meta.json" && [ -s "$tmp/p/gbench.json" ] && ok || bad "rank under mpirun: meta.json or gbench.json missing"
[ -z "$(find "$tmp/p" -name '.*')" ] && ok || bad "rank under mpirun: temporary files left: $(find "$tmp/p" -name '.*')"

# parbench run: what the options ask reaches each launch's plan and its rows
"$pb" run --kernels sum_squares,io_wait --size sum_squares=3000,io_wait=6 --sleep-us 100 \
	--backends mpi --workers 1,2 --repetitions 2 --schedule dynamic --chunk 7 --isa generic \
	--pin spread --min-time 0.002 --timeout 90 --tasks 3 --no-scatter --out "$tmp/run" \
	-- --benchmark_counters_tabular=false >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "run: exit $rc: $(head -c 400 "$tmp/err")"
plan="$tmp/run/mpi-mpi-2/plan.txt"
for line in "kernels = sum_squares,io_wait" "size = sum_squares=3000,io_wait=6" "sleep_us = 100" \
	"tasks = 3" "backends = mpi" "workers = 2" "schedule = dynamic" "chunk = 7" "isa = generic" \
	"pin = spread" "repetitions = 2" "budget = 0" "min_time = 0.002" "timeout = 90" \
	"scatter = 0" "gbench = --benchmark_counters_tabular=false"; do
	grep -qx -- "$line" "$plan" && ok || bad "run: '$line' is not in the ranks' plan: $(cat "$plan")"
done
grep -qx "workers = 1" "$tmp/run/mpi-mpi-1/plan.txt" && ok || bad "run: the 1-worker launch has no plan of its own"
# the MPI rows are those the options say: backend, workers, sizes, repetitions, the variant
for w in 1 2; do
	sumawk '$2 == "mpi" && $3 == '"$w"' && $(col("repetitions")) == 2 &&
		(($1 == "sum_squares" && $4 == 3000 && $(col("variant")) == "generic") ||
		 ($1 == "io_wait" && $4 == 6)) { n++ } END { exit n != 2 }' "$tmp/run/summary.csv" &&
		ok || bad "run: the MPI rows at $w workers are not what was asked: $(grep ',mpi,' "$tmp/run/summary.csv")"
done
grep -q '"args": "parbench rank [^"]*/mpi-mpi-2/plan.txt"' "$tmp/run/mpi-mpi-2/meta.json" && ok || bad "run: the ranks were not started on their plan: $(grep '"args"' "$tmp/run/mpi-mpi-2/meta.json")"

# a run that hangs on the ranks (test hook, through the plan): rank 0 saves the rows measured
# before beside the plan, and the run keeps them
PARBENCH_TEST_HANG=io_wait/mpi "$pb" run --kernels sum_squares,io_wait \
	--size sum_squares=1000,io_wait=4 --sleep-us 100 --backends mpi --workers 2 --timeout 2 \
	--repetitions 2 --no-interleave --out "$tmp/hang" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "FAILED io_wait / mpi / 2 workers" "$tmp/err" && ok || bad "hung rank: exit $rc: $(head -c 400 "$tmp/err")"
grep -qx "test_hang = io_wait/mpi" "$tmp/hang/mpi-mpi-2/plan.txt" && ok || bad "hung rank: the hook is not in the plan"
grep -q "^sum_squares,mpi,2,1000," "$tmp/hang/summary.csv" && ok || bad "hung rank: the rows measured before are lost"
[ -z "$(find "$tmp/hang" -name '.*')" ] && ok || bad "hung rank: left in the run: $(find "$tmp/hang" -name '.*')"

# a Google Benchmark flag that could not reach the ranks is refused before anything runs
refused "run with a flag the plan cannot hold" "cannot reach the MPI ranks" run --kernels io_wait \
	--size 6 --backends mpi --workers 2 --repetitions 2 --out "$tmp/noflag" -- not-a-flag
[ ! -e "$tmp/noflag" ] && ok || bad "run with a bad flag: its folder was made"
finish
