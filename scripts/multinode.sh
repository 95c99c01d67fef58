#!/bin/sh
# multinode.sh - simulated cluster nodes on one machine, for running parbench's MPI backend
# across "hosts" (and a single-machine Slurm) without a cluster.
#
#   scripts/multinode.sh up N [--rate RATE] [--delay D]
#                                             make node1..nodeN (RATE: tc tbf rate, e.g. 1gbit;
#                                             D: one-way delay between nodes, e.g. 500us, 2ms)
#   scripts/multinode.sh env                  print the environment mpirun needs (eval it)
#   scripts/multinode.sh exec K CMD...        run CMD inside node K
#   scripts/multinode.sh mpirun ARGS...       mpirun from node1 across the nodes (hostfile set)
#   scripts/multinode.sh slurm-up|slurm-down  slurmctld in node1, one slurmd per node
#   scripts/multinode.sh down                 remove everything made (idempotent)
#
# A node is a set of Linux namespaces kept alive by a holder process: its own network (an
# address 10.77.0.K/24 on a veth, all veths on a bridge that lives inside node1, so nothing
# is added to the machine's own network), its own hostname (UTS), and its own mount
# namespace with a private /dev/shm and an /etc/hosts listing the nodes.  /, /tmp and the
# work tree stay shared, like an NFS home.  Open MPI reaches the nodes through an "rsh" agent
# that enters them with nsenter.  Each node has a cpuset cgroup of its own (v1 or v2): the
# machine's allowed CPUs dealt round-robin, so that 2 nodes on 2 cores own one core each;
# whatever enters a node joins it.  With --delay the nodes hang off a userspace switch
# instead of the bridge (pb-relay.c: this kernel has no netem), which holds every frame D
# before passing it on, in node1's network namespace.  Needs root and namespaces: otherwise `up` prints SKIP and
# exits 0 (status 77 with --strict).  See ../shared/notes/multinode.md for why each piece.
set -eu

DIR=${PB_MULTINODE_DIR:-/tmp/parbench-multinode}
NET=10.77.0
SUBNET=$NET.0/24

skip() {
	echo "SKIP: $*" >&2
	[ "${PB_MULTINODE_STRICT:-0}" = 1 ] && exit 77
	exit 0
}

holder() { cat "$DIR/node$1.pid"; }
# the node's cgroup file a process joins (cpuset: the node's own CPUs), or /dev/null
cg_of() { cat "$DIR/node$1.cg" 2>/dev/null || echo /dev/null; }
in_node() {
	_node=$1
	shift
	nsenter -t "$(holder "$_node")" --net --uts --mount -- \
		sh -c 'echo $$ >"$0" 2>/dev/null; exec "$@"' "$(cg_of "$_node")" "$@"
}

# The CPUs this script may use (its affinity: taskset, Slurm, a container), one per word.
allowed_cpus() {
	taskset -pc $$ 2>/dev/null | sed 's/.*: *//' | awk -F, '{
		for (i = 1; i <= NF; i++) {
			if (split($i, r, "-") == 2)
				for (c = r[1]; c <= r[2]; c++) printf "%d ", c
			else
				printf "%d ", r[1]
		}
	}'
}

# cgroup v1 (cpuset hierarchy) or v2 (cpuset controller): where node cgroups go, or "".
cpuset_base() {
	if [ -w /sys/fs/cgroup/cpuset/cpuset.cpus ] 2>/dev/null; then
		echo /sys/fs/cgroup/cpuset
	elif grep -qw cpuset /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
		echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
		echo /sys/fs/cgroup
	fi
}

# Node k gets a cpuset of its own: the allowed CPUs dealt round-robin, so that N nodes on
# N or more CPUs own disjoint CPUs, and fewer CPUs than nodes are said to be shared.
make_cpusets() {
	n=$1
	base=$(cpuset_base)
	set -- $(allowed_cpus)
	ncpu=$#
	if [ -z "$base" ] || [ "$ncpu" -eq 0 ]; then
		echo "multinode: warning: no cpuset controller here: every node shares all CPUs" >&2
		return 0
	fi
	echo "$base" >"$DIR/cgbase"
	k=1
	while [ "$k" -le "$n" ]; do
		eval "cpu=\${$(((k - 1) % ncpu + 1))}"
		cg=$base/parbench-node$k
		mkdir -p "$cg"
		echo "$cpu" >"$cg/cpuset.cpus"
		if [ -e "$cg/tasks" ]; then # v1: mems too, and tasks
			cat "$base/cpuset.mems" >"$cg/cpuset.mems"
			echo "$cg/tasks" >"$DIR/node$k.cg"
		else
			echo "$cg/cgroup.procs" >"$DIR/node$k.cg"
		fi
		holder "$k" >"$(cat "$DIR/node$k.cg")"
		echo "$cpu" >"$DIR/node$k.cpus"
		k=$((k + 1))
	done
	[ "$n" -le "$ncpu" ] ||
		echo "multinode: warning: $n nodes on $ncpu CPUs: nodes share CPUs (dealt round-robin)" >&2
}

remove_cpusets() {
	base=$(cat "$DIR/cgbase" 2>/dev/null) || return 0
	for cg in "$base"/parbench-node*; do
		[ -d "$cg" ] || continue
		i=0
		until rmdir "$cg" 2>/dev/null || [ "$i" -ge 20 ]; do # its last tasks are exiting
			sleep 0.05
			i=$((i + 1))
		done
	done
}
nodes() { cat "$DIR/nodes" 2>/dev/null || echo 0; }

down() {
	slurm_down
	if [ -d "$DIR" ]; then
		for f in "$DIR"/*.pid; do
			[ -e "$f" ] || continue
			kill -KILL "$(cat "$f")" 2>/dev/null || true
		done
		remove_cpusets
		rm -rf "$DIR"
	fi
}

# "2ms", "500us", "1.5ms" or plain microseconds -> microseconds; "" if not a delay
delay_us() {
	echo "$1" | awk '/^[0-9.]+(us)?$/ { printf "%d", $1 + 0.5; next }
		/^[0-9.]+ms$/ { printf "%d", $1 * 1000 + 0.5; next }
		/^[0-9.]+s$/ { printf "%d", $1 * 1000000 + 0.5 }'
}

# tc's "1gbit", "500mbit", "100kbit", "1000000bit" -> bits per second; "" -> 0 (unlimited)
rate_bits() {
	echo "$1" | awk '/^$/ { print 0; next }
		{ v = $1 + 0; u = $1; sub(/^[0-9.]+/, "", u)
		  m = u == "gbit" ? 1e9 : u == "mbit" ? 1e6 : u == "kbit" ? 1e3 : u == "bit" ? 1 : -1
		  if (m < 0) print "bad"; else printf "%.0f\n", v * m }'
}

# The relay program: $PB_RELAY, the build's, or compiled here from its source.
relay_bin() {
	here=$(cd "$(dirname "$0")" && pwd)
	for r in "${PB_RELAY:-}" "$here/../build/pb-relay"; do
		[ -n "$r" ] && [ -x "$r" ] && { echo "$r"; return 0; }
	done
	cc -O2 -o "$DIR/pb-relay" "$here/pb-relay.c" >&2 && echo "$DIR/pb-relay"
}

up() {
	n=$1
	rate=${2:-}
	delay=${3:-}
	[ "$n" -ge 1 ] 2>/dev/null || { echo "multinode: bad node count '$n'" >&2; exit 2; }
	[ "$(id -u)" = 0 ] || skip "simulated nodes need root (network and mount namespaces)"
	for t in unshare nsenter ip; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (util-linux, iproute2)"
	done
	unshare --net --uts --mount true 2>/dev/null || skip "cannot create namespaces here (a container?)"
	down
	mkdir -p "$DIR"
	echo "$n" >"$DIR/nodes"
	{
		echo "127.0.0.1 localhost"
		k=1
		while [ "$k" -le "$n" ]; do
			echo "$NET.$k node$k"
			k=$((k + 1))
		done
	} >"$DIR/hosts"
	: >"$DIR/hostfile"
	k=1
	while [ "$k" -le "$n" ]; do
		echo "node$k slots=${PB_MULTINODE_SLOTS:-2}" >>"$DIR/hostfile"
		# the holder: new namespaces, then sleep (a background job: Ctrl-C does not reach it)
		unshare --net --uts --mount --propagation private sleep infinity \
			</dev/null >/dev/null 2>&1 &
		echo $! >"$DIR/node$k.pid"
		k=$((k + 1))
	done
	sleep 0.1
	make_cpusets "$n"
	k=1
	while [ "$k" -le "$n" ]; do
		in_node "$k" sh -c "hostname node$k && mount -t tmpfs -o size=64m tmpfs /dev/shm &&
			mount --bind '$DIR/hosts' /etc/hosts && ip link set lo up" ||
			{ down; skip "cannot set up a node's namespaces"; }
		k=$((k + 1))
	done
	# Without a delay the bridge lives in node1; node1 has its address on it, the others a
	# veth into it.  With a delay every node (node1 too) has a veth eth0 whose other end,
	# pbvK, is a port of the relay in node1's network namespace.
	first=2
	if [ -n "$delay" ]; then
		first=1
		relay=$(relay_bin) || { down; skip "cannot build scripts/pb-relay.c (no C compiler?)"; }
	else
		in_node 1 ip link add pbbr type bridge
		in_node 1 ip link set pbbr up
		in_node 1 ip addr add "$NET.1/24" dev pbbr
	fi
	ports=""
	k=$first
	while [ "$k" -le "$n" ]; do
		if ! ip link add name "pbv$k" netns "$(holder 1)" type veth peer name eth0 \
			netns "$(holder "$k")" 2>/dev/null; then
			down
			skip "cannot create veth pairs here"
		fi
		if [ -n "$delay" ]; then
			in_node 1 ip link set "pbv$k" up
			ports="$ports pbv$k"
		else
			in_node 1 ip link set "pbv$k" master pbbr up
		fi
		in_node "$k" ip addr add "$NET.$k/24" dev eth0
		in_node "$k" ip link set eth0 up
		# the delay is the relay's alone: no slow start again after every idle pause
		in_node "$k" sysctl -qw net.ipv4.tcp_slow_start_after_idle=0 2>/dev/null || true
		if [ -n "$rate" ]; then
			# tbf: the rate (with the relay, only as back-pressure into it: the relay's
			# links keep the rate exactly, without tbf's bursts of 256 kB at full speed)
			in_node "$k" tc qdisc add dev eth0 root tbf rate "$rate" burst 256kb latency 50ms
			[ -n "$delay" ] ||
				in_node 1 tc qdisc add dev "pbv$k" root tbf rate "$rate" burst 256kb latency 50ms
		fi
		k=$((k + 1))
	done
	if [ -n "$delay" ]; then
		# the relay: in node1's network namespace only (not its cpuset: it is the network)
		nsenter -t "$(holder 1)" --net -- "$relay" "$delay" "$(rate_bits "$rate")" $ports \
			</dev/null >/dev/null 2>"$DIR/relay.log" &
		echo $! >"$DIR/relay.pid"
		sleep 0.1
		kill -0 "$(cat "$DIR/relay.pid")" 2>/dev/null ||
			{ cat "$DIR/relay.log" >&2; down; skip "the delay relay did not start"; }
	fi
	echo "${rate:-unlimited}" >"$DIR/rate"
	echo "${delay:-0}" >"$DIR/delay_us"
	# the rsh agent Open MPI calls as: agent HOST command words...
	cat >"$DIR/agent" <<EOF
#!/bin/sh
host=\$1
shift
cg=\$(cat "$DIR/\$host.cg" 2>/dev/null || echo /dev/null)
exec nsenter -t "\$(cat "$DIR/\$host.pid")" --net --uts --mount -- sh -c "echo \\\$\\\$ >'\$cg' 2>/dev/null; \$*"
EOF
	chmod +x "$DIR/agent"
	cpus=""
	k=1
	while [ "$k" -le "$n" ]; do
		cpus="$cpus${cpus:+, }node$k CPU $(cat "$DIR/node$k.cpus" 2>/dev/null || echo all)"
		k=$((k + 1))
	done
	echo "multinode: $n nodes up (node1..node$n on $SUBNET, links ${rate:-unlimited}, one-way delay ${delay:-0} us; $cpus); state in $DIR"
}

mpi_env() {
	cat <<EOF
export OMPI_MCA_plm_rsh_agent=$DIR/agent
export OMPI_MCA_plm_rsh_no_tree_spawn=1
export OMPI_MCA_btl_tcp_if_include=$SUBNET
export OMPI_MCA_oob_tcp_if_include=$SUBNET
export OMPI_ALLOW_RUN_AS_ROOT=1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export PB_MULTINODE_HOSTFILE=$DIR/hostfile
EOF
}

slurm_down() {
	[ -d "$DIR/slurm" ] || return 0
	# the daemons we started, and anything else still using this harness's configuration
	for f in "$DIR"/slurm/*.pid "$DIR"/slurm/*.pidfile; do
		[ -e "$f" ] || continue
		kill -TERM "$(cat "$f")" 2>/dev/null || true
	done
	pkill -TERM -f -- "-f $DIR/slurm/slurm.conf" 2>/dev/null || true
	i=0
	while pgrep -f -- "-f $DIR/slurm/slurm.conf" >/dev/null 2>&1 && [ "$i" -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	pkill -KILL -f -- "-f $DIR/slurm/slurm.conf" 2>/dev/null || true
	rm -rf "$DIR/slurm"
}

slurm_up() {
	n=$(nodes)
	[ "$n" -ge 1 ] || { echo "multinode: no nodes (run: $0 up N)" >&2; exit 2; }
	command -v slurmctld >/dev/null 2>&1 || skip "Slurm is not installed (apt-get install slurm-wlm)"
	slurm_down
	S=$DIR/slurm
	mkdir -p "$S/state" "$S/log"
	cpus=${PB_MULTINODE_SLOTS:-2}
	{
		echo "ClusterName=parbench"
		echo "SlurmctldHost=node1($NET.1)"
		echo "AuthType=auth/none"
		echo "CredType=cred/none"
		echo "SlurmUser=root"
		echo "SlurmdUser=root"
		echo "StateSaveLocation=$S/state"
		echo "SlurmdSpoolDir=$S/spool-%n"
		echo "TmpFS=$S/tmp-%n"
		echo "SlurmctldPidFile=$S/slurmctld.pidfile"
		echo "SlurmdPidFile=$S/slurmd-%n.pidfile"
		echo "SlurmctldLogFile=$S/log/slurmctld.log"
		echo "SlurmdLogFile=$S/log/slurmd-%n.log"
		echo "ProctrackType=proctrack/linuxproc"
		echo "TaskPlugin=task/none"
		echo "SelectType=select/cons_tres"
		echo "SelectTypeParameters=CR_Core"
		echo "MpiDefault=pmix"
		echo "ReturnToService=2"
		echo "SlurmctldTimeout=30"
		echo "SlurmdTimeout=30"
		echo "InactiveLimit=0"
		echo "KillWait=5"
		echo "MinJobAge=30"
		echo "JobCompType=jobcomp/none"
		echo "AccountingStorageType=accounting_storage/none"
		k=1
		while [ "$k" -le "$n" ]; do
			echo "NodeName=node$k NodeAddr=$NET.$k CPUs=$cpus State=UNKNOWN"
			k=$((k + 1))
		done
		echo "PartitionName=nodes Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
	} >"$S/slurm.conf"
	printf 'CgroupPlugin=autodetect\nIgnoreSystemd=yes\n' >"$S/cgroup.conf"
	k=1
	while [ "$k" -le "$n" ]; do
		mkdir -p "$S/spool-node$k" "$S/tmp-node$k"
		k=$((k + 1))
	done
	export SLURM_CONF=$S/slurm.conf
	# nsenter without --fork execs the daemon: $! is the daemon
	nsenter -t "$(holder 1)" --net --uts --mount -- sh -c 'echo $$ >"$0" 2>/dev/null; exec "$@"' \
		"$(cg_of 1)" slurmctld -D -f "$S/slurm.conf" \
		</dev/null >"$S/log/slurmctld.out" 2>&1 &
	echo $! >"$S/slurmctld.pid"
	i=0
	until in_node 1 env SLURM_CONF="$S/slurm.conf" scontrol ping 2>/dev/null | grep -q UP; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { echo "multinode: slurmctld did not start ($S/log)" >&2; exit 1; }
		sleep 0.1
	done
	k=1
	while [ "$k" -le "$n" ]; do
		# slurmd wants its node's own sysfs with the machine's cgroup tree inside: keep the
		# tree aside, mount a fresh sysfs, move the tree back in (once per node)
		if [ ! -e "$S/sysfs-node$k" ]; then
			mkdir -p "$S/cg-node$k"
			in_node "$k" sh -c "mount --rbind /sys/fs/cgroup '$S/cg-node$k' &&
				mount -t sysfs sysfs /sys && mount --move '$S/cg-node$k' /sys/fs/cgroup" ||
				echo "multinode: warning: no private sysfs in node$k" >&2
			: >"$S/sysfs-node$k"
		fi
		nsenter -t "$(holder "$k")" --net --uts --mount -- sh -c 'echo $$ >"$0" 2>/dev/null; exec "$@"' \
			"$(cg_of "$k")" slurmd -D -N "node$k" \
			-f "$S/slurm.conf" </dev/null >"$S/log/slurmd-node$k.out" 2>&1 &
		echo $! >"$S/slurmd-node$k.pid"
		k=$((k + 1))
	done
	i=0
	until [ "$(in_node 1 env SLURM_CONF="$S/slurm.conf" sinfo -h -o '%t' -N 2>/dev/null | grep -c idle)" -ge "$n" ]; do
		i=$((i + 1))
		[ "$i" -lt 150 ] || { echo "multinode: slurmd nodes did not come up ($S/log)" >&2; exit 1; }
		sleep 0.1
	done
	echo "multinode: Slurm up (slurmctld in node1, $n slurmd); SLURM_CONF=$S/slurm.conf"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
up)
	n=${1:-2}
	[ $# -gt 0 ] && shift
	rate="" delay=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--rate) rate=${2:-} ;;
		--delay)
			delay=$(delay_us "${2:-}")
			[ -n "$delay" ] || { echo "multinode: bad delay '${2:-}' (e.g. 500us, 2ms)" >&2; exit 2; }
			;;
		*) echo "multinode: unknown option '$1' (--rate RATE, --delay D)" >&2; exit 2 ;;
		esac
		[ $# -ge 2 ] || { echo "multinode: $1 needs a value" >&2; exit 2; }
		shift 2
	done
	up "$n" "$rate" "$delay"
	;;
down)
	down
	echo "multinode: down"
	;;
env) mpi_env ;;
exec)
	node=$1
	shift
	in_node "$node" "$@"
	;;
mpirun)
	eval "$(mpi_env)"
	in_node 1 env SLURM_CONF="$DIR/slurm/slurm.conf" mpirun --wdir "$PWD" --hostfile "$DIR/hostfile" \
		--bind-to none --mca btl self,vader,tcp --mca mpi_yield_when_idle 1 "$@"
	;;
slurm-up) slurm_up ;;
slurm-down) slurm_down ;;
*)
	sed -n '2,20p' "$0" >&2
	exit 2
	;;
esac
