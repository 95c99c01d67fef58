#!/bin/sh
# check-model.sh [PARBENCH] - the scaling model against emulated links: for 2 and 4 simulated
# hosts (one rank each), two link rates and two one-way delays (scripts/multinode.sh --rate,
# --delay), parbench runs the MPI image kernels at 1, 2 (and 4) ranks; the model of each run
# is fitted on the smaller rank counts and predicts the largest, whose links it did not see
# in the fit; then the same is projected by `parbench project` from the unlimited-link run of
# that host count, which never saw the emulated link at all.  Prints one table:
#   rate  delay  hosts  kernel  predicted  measured  error  projected  error
# Needs root and namespaces (as scripts/multinode.sh); takes about 10 minutes.
# PB_MODEL_RATES, PB_MODEL_DELAYS, PB_MODEL_HOSTS, PB_MODEL_KERNELS override the sets.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pb=${1:-$here/../build/parbench}
mn="$here/multinode.sh"
rates=${PB_MODEL_RATES:-"1gbit 500mbit"}
delays=${PB_MODEL_DELAYS:-"500us 2ms"}
hostsets=${PB_MODEL_HOSTS:-"2 4"}
kernels=${PB_MODEL_KERNELS:-"sharpen,box_blur"}
out=$(mktemp -d /tmp/pb-model.XXXXXX)
export PB_MULTINODE_DIR="$out/parbench-nodes"
[ -x "$here/../build/pb-relay" ] && export PB_RELAY="${PB_RELAY:-$here/../build/pb-relay}"
trap '"$mn" down >/dev/null 2>&1 || true' EXIT INT TERM

# one run on `hosts` hosts with one slot each: rate, delay ("" = none), output directory
run() {
	hosts=$1 rate=$2 delay=$3 dir=$4
	set -- up "$hosts"
	[ -n "$rate" ] && set -- "$@" --rate "$rate"
	[ -n "$delay" ] && set -- "$@" --delay "$delay"
	"$mn" "$@" >"$dir.up" 2>&1
	[ -f "$PB_MULTINODE_DIR/nodes" ] || { cat "$dir.up" >&2; echo "check-model: no simulated hosts here" >&2; exit 77; }
	k=1
	: >"$out/hostfile"
	while [ "$k" -le "$hosts" ]; do
		echo "node$k slots=1" >>"$out/hostfile"
		k=$((k + 1))
	done
	w=1,2
	[ "$hosts" -ge 4 ] && w=1,2,4
	eval "$("$mn" env)"
	"$mn" exec 1 sh -c "cd '$out' && '$pb' run --quick --kernels $kernels --backends mpi \
		--workers $w --hostfile '$out/hostfile' --repetitions 9 --out '$dir' \
		--interconnect 'simulated hosts, ${rate:-unlimited}, one-way delay ${delay:-0}'" \
		>"$dir.out" 2>&1 || { tail -5 "$dir.out" >&2; exit 1; }
	"$mn" down >/dev/null
}

printf '%-8s %-6s %-5s %-9s %11s %11s %7s %11s %7s\n' rate delay hosts kernel predicted \
	measured error projected error
for hosts in $hostsets; do
	run "$hosts" "" "" "$out/base-$hosts"
	for rate in $rates; do
		for delay in $delays; do
			d="$out/r$hosts-$rate-$delay"
			run "$hosts" "$rate" "$delay" "$d"
			lat=$(echo "$delay" | sed 's/us$/us/')
			"$pb" project "$out/base-$hosts" --nodes "$hosts" --cores 1 \
				--link "$rate,$lat" >"$d.proj"
			for k in $(echo "$kernels" | tr , ' '); do
				# the held-out check of the run's own model: "predicted X, measured Y: error Z%"
				line=$(sed -n "/^# $k:/,/^# /p" "$d.out" | grep "^  mpi .* model, fitted" || true)
				pred=$(echo "$line" | sed -n 's/.* predicted \([^,]*\), measured \([^:]*\): error \(.*\)$/\1|\2|\3/p')
				proj=$(sed -n "/^# $k /,/^$/p" "$d.proj" | awk '$1 == "mpi" { print $4, $5 }')
				meas=$(echo "$pred" | cut -d'|' -f2)
				perr=$(echo "$proj $meas" | awk '{
					p = $1 * ($2 == "s" ? 1000 : $2 == "us" ? 0.001 : 1)
					m = $3 * ($4 == "s" ? 1000 : $4 == "us" ? 0.001 : 1)
					if (m > 0) printf "%+.1f%%", 100 * (p / m - 1); else printf "-" }')
				printf '%-8s %-6s %-5s %-9s %11s %11s %7s %11s %7s\n' "$rate" "$delay" "$hosts" "$k" \
					"$(echo "$pred" | cut -d'|' -f1)" "$meas" "$(echo "$pred" | cut -d'|' -f3)" \
					"$(echo "$proj" | tr -d ' ' | sed 's/ms$/ ms/;s/us$/ us/')" "$perr"
			done
		done
	done
done
echo "runs and projections: $out"
