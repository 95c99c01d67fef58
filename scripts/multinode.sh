#!/bin/sh
# multinode.sh - simulated cluster nodes on one machine, for running parbench's MPI backend
# across "hosts" (and a single-machine Slurm) without a cluster.
#
#   scripts/multinode.sh up N [--rate RATE] [--delay D]
#                                             make node1..nodeN, N 1..254 (RATE: tc tbf rate,
#                                             e.g. 1gbit; D: one-way delay between nodes, e.g.
#                                             500us, 2ms, at most 10s; needs 2..64 nodes;
#                                             PB_MULTINODE_SLOTS: a node's slots, 1..1024, 2)
#   scripts/multinode.sh env                  print the environment mpirun needs (eval it)
#   scripts/multinode.sh exec K CMD...        run CMD inside node K
#   scripts/multinode.sh mpirun ARGS...       mpirun from node1 across the nodes (hostfile set)
#   scripts/multinode.sh slurm-up|slurm-down  slurmctld in node1, one slurmd per node
#   scripts/multinode.sh down                 remove everything made (idempotent)
#
# State lives in a private folder: /run/parbench-multinode, or $PB_MULTINODE_DIR (an
# absolute path whose last name contains "parbench").  It must be ours, writable by no one
# else and not a symbolic link, inside folders no one else may change, and carry the marker
# .parbench-multinode that `up` writes when it makes it; otherwise every command refuses it
# (exit 2).  `down` removes only the files the harness writes there, then the folder: if
# anything else is left, it says so and leaves it.  A recorded pid is signalled only while
# it is still the process started under it.  Run as root, this checkout is trusted code (it
# sources multinode_lib.sh, compiles pb-relay.c, and the agent runs this script as root): its
# folder and files must be root's and writable by no one else (otherwise exit 2).
#
# A node is a set of Linux namespaces kept alive by a holder process: its own network (an
# address 10.77.0.K/24 on a veth, all veths on a bridge that lives inside node1, so nothing
# is added to the machine's own network), its own hostname (UTS), and its own mount
# namespace with a private /dev/shm and an /etc/hosts listing the nodes.  /, /tmp and the
# work tree stay shared, like an NFS home.  Open MPI reaches the nodes through an "rsh" agent
# that enters them with nsenter.  Each node has a cpuset cgroup of its own (v1 or v2): the
# machine's allowed CPUs dealt round-robin, so that 2 nodes on 2 cores own one core each;
# whatever enters a node joins it, and `down` kills all of it (with no cpuset controller,
# whatever is in a node's network namespace).  With --delay the nodes hang off a userspace
# switch instead of the bridge (pb-relay.c: this kernel has no netem), which holds every
# frame D before passing it on, in node1's network namespace.  Needs root and
# namespaces: otherwise `up` prints SKIP and exits 0 (77 with PB_MULTINODE_STRICT=1).  A
# failed `up` leaves nothing behind.  See ../shared/notes/multinode.md for why each piece.
set -eu

here=$(cd -P "$(dirname "$0")" && pwd -P)

# Run as root, refuse a checkout others may change: this folder and the files run from it
# must be root's and writable by no one else (the folders above it: safe_folders, below).
if [ "$(id -u)" = 0 ]; then
	for f in "$here" "$here/${0##*/}" "$here/multinode_lib.sh" "$here/pb-relay.c"; do
		um=$(stat -L -c '%u %a' -- "$f" 2>/dev/null) || um="none 0"
		[ "${um% *}" = 0 ] && [ $((0${um#* } & 022)) -eq 0 ] && continue
		echo "multinode: '$f' is not root's or may be written by others: refusing to run it as root" >&2
		exit 2
	done
fi
. "$here/multinode_lib.sh"
[ "$(id -u)" != 0 ] || safe_folders "$here" ||
	die "the script's folder '$here' is inside a folder others may change: refusing to run it as root"
DIR=${PB_MULTINODE_DIR:-/run/parbench-multinode}
NET=10.77.0
SUBNET=$NET.0/24

# in_node K CMD...: run CMD in node K's namespaces and cgroup
in_node() {
	_h=$(holder "$1") || exit 2
	_cg=$(cg_of "$1")
	shift
	nsenter -t "$_h" --net --uts --mount -- \
		sh -c 'echo $$ >"$0" 2>/dev/null; exec "$@"' "$_cg" "$@"
}

# the node count of the harness that is up (0: none)
nodes() {
	_n=$(head -c 4 "$DIR/nodes" 2>/dev/null) || _n=0
	case $_n in "" | *[!0-9]*) echo 0 ;; *) echo "$_n" ;; esac
}

# nodes must be up (a state folder of ours, a node count, node1's holder alive), else exit 2
need_nodes() {
	have_dir && [ "$(nodes)" -gt 0 ] && pid_of node1 >/dev/null ||
		die "no nodes are up (run: multinode.sh up N)"
}

# a node number given on the command line: 1..nodes, else exit 2
node_arg() {
	need_nodes
	_n=$(nodes)
	[ "$_n" -gt 0 ] || die "no nodes are up (run: multinode.sh up N)"
	case $1 in "" | *[!0-9]* | 0*) die "bad node '$1' (1 to $_n)" ;; esac
	[ ${#1} -le 3 ] && [ "$1" -le "$_n" ] || die "bad node '$1' (1 to $_n)"
}

# Everything `up` made: Slurm's daemons, whatever entered a node (its cgroup, and with no
# cgroup whatever is in a node's network namespace), the holders and the relay, the cgroups,
# the state folder (only a marked one, and then only the names the harness writes).
down() {
	if have_dir; then
		slurm_down
		kill_in_nets "$(node_nets)"
		kill_recorded "$DIR" KILL # holders and the relay
		remove_cpusets
		remove_state
	else
		remove_cpusets
	fi
}

# The relay program: $PB_RELAY, the build's, or compiled here from its source; only a
# file no one else could have written.
relay_bin() {
	for r in "${PB_RELAY:-}" "$here/../build/pb-relay"; do
		[ -n "$r" ] && trusted_exe "$r" && { echo "$r"; return 0; }
	done
	cc -O2 -o "$DIR/pb-relay" "$here/pb-relay.c" >&2 && echo "$DIR/pb-relay"
}

# The holders of nodes 1..N (new namespaces, then sleep: a background job, so Ctrl-C does
# not reach it), the hostfile and /etc/hosts, then each node's hostname, /dev/shm, lo.
up_nodes() {
	n=$1
	slots=$(slots) || exit 2
	echo "127.0.0.1 localhost" >"$DIR/hosts"
	: >"$DIR/hostfile"
	k=1
	while [ "$k" -le "$n" ]; do
		echo "$NET.$k node$k" >>"$DIR/hosts"
		echo "node$k slots=$slots" >>"$DIR/hostfile"
		env PB_MULTINODE_NODE="$DIR/node$k" unshare --net --uts --mount --propagation private \
			sleep infinity </dev/null >/dev/null 2>&1 &
		pid_record "node$k" $!
		k=$((k + 1))
	done
	k=1
	while [ "$k" -le "$n" ]; do
		h=$(holder "$k") || exit 2
		wait_unshared "$h" || skip "cannot create namespaces here"
		net_of "$h" >"$DIR/node$k.net" # what `down` kills in, lacking a cgroup
		k=$((k + 1))
	done
	make_cpusets "$n"
	k=1
	while [ "$k" -le "$n" ]; do
		in_node "$k" sh -c "hostname node$k && mount -t tmpfs -o size=64m tmpfs /dev/shm &&
			mount --bind '$DIR/hosts' /etc/hosts && ip link set lo up" ||
			skip "cannot set up a node's namespaces"
		k=$((k + 1))
	done
}

# Without a delay the bridge lives in node1; node1 has its address on it, the others a
# veth into it.  With a delay every node (node1 too) has a veth eth0 whose other end,
# pbvK, is a port of the relay in node1's network namespace.  Sets ports.
up_links() {
	n=$1 rate=$2 delay=$3
	first=2
	if [ -n "$delay" ]; then
		first=1
	else
		in_node 1 ip link add pbbr type bridge
		in_node 1 ip link set pbbr up
		in_node 1 ip addr add "$NET.1/24" dev pbbr
	fi
	h1=$(holder 1) || exit 2
	ports=""
	k=$first
	while [ "$k" -le "$n" ]; do
		hk=$(holder "$k") || exit 2
		ip link add name "pbv$k" netns "$h1" type veth peer name eth0 netns "$hk" 2>/dev/null ||
			skip "cannot create veth pairs here"
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
}

# the relay: in node1's network namespace only (not its cpuset: it is the network)
up_relay() {
	rate=$1 delay=$2
	relay=$(relay_bin) || skip "cannot build scripts/pb-relay.c (no C compiler?)"
	bits=0
	[ -z "$rate" ] || bits=$(rate_bits "$rate")
	h1=$(holder 1) || exit 2
	nsenter -t "$h1" --net -- "$relay" "$delay" "$bits" $ports \
		</dev/null >/dev/null 2>"$DIR/relay.log" &
	pid_record relay $!
	sleep 0.1
	pid_of relay >/dev/null || { cat "$DIR/relay.log" >&2; skip "the delay relay did not start"; }
}

# the rsh agent Open MPI calls as: agent HOST command words...  It runs this script, which
# checks HOST and the state folder before it enters the node.
write_agent() {
	printf '#!/bin/sh\n# the rsh agent of the simulated nodes (scripts/multinode.sh)\n' >"$DIR/agent"
	echo "PB_MULTINODE_DIR=$DIR exec $here/multinode.sh agent \"\$@\"" >>"$DIR/agent"
	chmod 0700 "$DIR/agent"
}

up() {
	n=$1 rate=$2 delay=$3
	case $here in *[!A-Za-z0-9._/-]*) die "the script's folder '$here' has an unusual name" ;; esac
	[ "$(id -u)" = 0 ] || skip "simulated nodes need root (network and mount namespaces)"
	for t in unshare nsenter ip; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (util-linux, iproute2)"
	done
	unshare --net --uts --mount true 2>/dev/null || skip "cannot create namespaces here (a container?)"
	down
	mkdir -m 0700 -- "$DIR" 2>/dev/null || die "cannot make the state folder '$DIR'"
	echo "$MARK_TEXT" >"$DIR/$MARK" 2>/dev/null || {
		rm -f -- "${DIR:?}/$MARK" && rmdir -- "$DIR"
		die "cannot write into the state folder '$DIR'"
	}
	# from here on a failure, a skip, Ctrl-C or a hang-up removes whatever was made
	trap 'rc=$?; trap - EXIT; down; exit $rc' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 131' QUIT
	trap 'exit 143' TERM
	echo "$n" >"$DIR/nodes"
	up_nodes "$n"
	up_links "$n" "$rate" "$delay"
	[ -z "$delay" ] || up_relay "$rate" "$delay"
	echo "${rate:-unlimited}" >"$DIR/rate"
	echo "${delay:-0}" >"$DIR/delay_us"
	write_agent
	trap - EXIT HUP INT QUIT TERM
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

# The Slurm daemons we started (recorded with their start times): TERM, 3 s to save their
# state, then KILL.  What they started runs in the nodes, which `down` clears.
slurm_down() {
	have_dir && [ -d "$DIR/slurm" ] || return 0
	kill_recorded "$DIR/slurm" TERM
	i=0
	while recorded_alive "$DIR/slurm" && [ "$i" -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill_recorded "$DIR/slurm" KILL 2>/dev/null
	[ -L "$DIR/slurm" ] || rm -rf --one-file-system -- "$DIR/slurm" || true # remove_state says
}

# start_in_node K NAME CMD...: CMD as a daemon in node K (nsenter without --fork execs it:
# the recorded pid is the daemon's), its output in the log folder
start_in_node() {
	_h=$(holder "$1") || exit 2
	_cg=$(cg_of "$1")
	_name=$2
	shift 2
	nsenter -t "$_h" --net --uts --mount -- sh -c 'echo $$ >"$0" 2>/dev/null; exec "$@"' \
		"$_cg" "$@" </dev/null >"$S/log/$_name.out" 2>&1 &
	pid_record "slurm/$_name" $!
}

slurm_up() {
	need_nodes
	n=$(nodes)
	[ "$n" -ge 1 ] || die "no nodes (run: $0 up N)"
	cpus=$(slots) || exit 2
	command -v slurmctld >/dev/null 2>&1 || skip "Slurm is not installed (apt-get install slurm-wlm)"
	slurm_down
	S=$DIR/slurm
	mkdir -p "$S/state" "$S/log"
	k=1
	while [ "$k" -le "$n" ]; do
		mkdir -p "$S/spool-node$k" "$S/tmp-node$k"
		k=$((k + 1))
	done
	slurm_conf "$n" "$cpus" "$S" >"$S/slurm.conf"
	printf 'CgroupPlugin=autodetect\nIgnoreSystemd=yes\n' >"$S/cgroup.conf"
	export SLURM_CONF=$S/slurm.conf
	start_in_node 1 slurmctld slurmctld -D -f "$S/slurm.conf"
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
		start_in_node "$k" "slurmd-node$k" slurmd -D -N "node$k" -f "$S/slurm.conf"
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
	up_args "$@"
	dir_check
	up "$n" "$rate" "$delay"
	;;
down)
	dir_check
	down
	echo "multinode: down"
	;;
env)
	# only for nodes that are up: the agent it names must be the one `up` wrote
	dir_check
	need_nodes
	[ -f "$DIR/agent" ] || die "no nodes are up (run: multinode.sh up N)"
	mpi_env
	;;
exec)
	dir_check
	node_arg "${1:-}"
	node=$1
	shift
	in_node "$node" "$@"
	;;
agent)
	# Open MPI's rsh agent (the state folder's agent runs this): agent HOST command words...
	dir_check
	host=${1:-}
	[ $# -gt 0 ] && shift
	node_arg "${host#node}"
	in_node "${host#node}" sh -c "$*"
	;;
mpirun)
	dir_check
	need_nodes
	eval "$(mpi_env)"
	in_node 1 env SLURM_CONF="$DIR/slurm/slurm.conf" mpirun --wdir "$PWD" --hostfile "$DIR/hostfile" \
		--bind-to none --mca btl self,vader,tcp --mca mpi_yield_when_idle 1 "$@"
	;;
slurm-up)
	dir_check
	slurm_up
	;;
slurm-down)
	dir_check
	slurm_down
	;;
*)
	sed -n '2,/^# folder and files must be/p' "$0" >&2
	exit 2
	;;
esac
