# multinode_lib.sh - the helpers of scripts/multinode.sh (sourced by it, never run): the
# state folder's safety checks, the records of the processes it starts, the nodes' cpuset
# cgroups, the parsing of `up`'s arguments, and slurm.conf.  The harness runs as root, so
# nothing read back is trusted blindly: the state folder must be private (ours, written by
# no one else, in folders no one else may rename), named for parbench and marked by `up` as
# a state folder (only such a folder is ever removed, and then only the names the harness
# writes), and a recorded pid is signalled only while it is still the process started under
# it (its start time is recorded with it).

# the marker `up` writes into a state folder it made: `down` removes no folder without it
MARK=.parbench-multinode
MARK_TEXT="parbench multinode state folder (scripts/multinode.sh)"

die() {
	echo "multinode: $*" >&2
	exit 2
}

skip() {
	echo "SKIP: $*" >&2
	[ "${PB_MULTINODE_STRICT:-0}" = 1 ] && exit 77
	exit 0
}

# owner uid and octal mode of $1 (after symlinks), as "UID MODE"
owner_mode() { stat -L -c '%u %a' -- "$1"; }

# safe_folders P: P and every folder above it belong to root or to us, and no one else may
# write to them unless they are sticky (/tmp: then no one else may rename what is ours)
safe_folders() {
	_p=$1
	while :; do
		set -- $(owner_mode "$_p")
		[ $# -eq 2 ] || return 1
		[ "$1" = 0 ] || [ "$1" = "$(id -u)" ] || return 1
		[ $((0$2 & 022)) -eq 0 ] || [ $((0$2 & 01000)) -ne 0 ] || return 1
		[ "$_p" = / ] && return 0
		_p=$(dirname -- "$_p")
	done
}

# The state folder must be private: otherwise one line and exit 2, and nothing is touched.
# An absolute path of plain characters (it is written into shell words, slurm.conf and the
# agent) whose last name holds "parbench" (so that no system folder is ever taken for one),
# in safe folders, and if it exists a real folder of ours no one else may write, with the
# marker.  DIR becomes canonical (the folders above it resolved once, here) and TAG names
# its cgroups.
dir_check() {
	case $DIR in
	/*) ;;
	*) die "the state folder '$DIR' is not an absolute path (PB_MULTINODE_DIR)" ;;
	esac
	case $DIR in
	*[!A-Za-z0-9._/-]*) die "the state folder's path may hold only letters, digits and . _ - /" ;;
	esac
	_name=$(basename -- "$DIR")
	case $_name in . | .. | /) die "the state folder '$DIR' is not a folder's name" ;; esac
	case $_name in
	*parbench*) ;;
	*) die "the state folder's name '$_name' must contain 'parbench' (PB_MULTINODE_DIR)" ;;
	esac
	_up=$(cd -P -- "$(dirname -- "$DIR")" 2>/dev/null && pwd -P) ||
		die "the state folder's parent '$(dirname -- "$DIR")' is not a folder"
	case $_up in *[!A-Za-z0-9._/-]*) die "the state folder's parent '$_up' has an unusual name" ;; esac
	DIR=${_up%/}/$_name
	safe_folders "$_up" || die "the state folder '$DIR' is in a folder others may change"
	TAG=$(printf %s "$DIR" | cksum | cut -d' ' -f1)
	have_dir || true
}

# have_dir: the state folder exists, is ours and carries the marker (checked where it is used:
# in a sticky folder such as /tmp no one else can swap it once it is ours); status 1 if there
# is none
have_dir() {
	[ ! -L "$DIR" ] || die "the state folder '$DIR' is a symbolic link: refusing it"
	[ -e "$DIR" ] || return 1
	[ -d "$DIR" ] || die "the state folder '$DIR' is not a folder: refusing it"
	set -- $(owner_mode "$DIR")
	[ "$1" = "$(id -u)" ] || die "the state folder '$DIR' belongs to uid $1, not to us: refusing it"
	[ $((0$2 & 022)) -eq 0 ] ||
		die "the state folder '$DIR' may be written by others (mode $2): refusing it"
	[ -f "$DIR/$MARK" ] && [ ! -L "$DIR/$MARK" ] && [ "$(head -c 80 "$DIR/$MARK")" = "$MARK_TEXT" ] ||
		die "the state folder '$DIR' has no $MARK (\`up\` did not make it): refusing it"
}

# remove_state: the files the harness writes in the state folder (its names, nothing else),
# then the marker and the folder; anything else found there is left, with the marker, and
# said (exit 2).  Slurm's folder is root's daemons' own: removed whole, mounts not crossed.
remove_state() {
	[ -L "$DIR/slurm" ] || [ ! -d "$DIR/slurm" ] ||
		rm -rf --one-file-system -- "$DIR/slurm" 2>/dev/null || true
	for _n in nodes hosts hostfile rate delay_us agent pb-relay relay.log relay.pid relay.start; do
		rm -f -- "${DIR:?}/$_n" 2>/dev/null || true
	done
	for _e in pid start cpus net; do
		rm -f -- "$DIR"/node[1-9]."$_e" "$DIR"/node[1-9][0-9]."$_e" \
			"$DIR"/node[1-9][0-9][0-9]."$_e" 2>/dev/null || true
	done
	[ "$(ls -A -- "$DIR")" = "$MARK" ] ||
		die "the state folder '$DIR' holds files the harness never writes: left in place (look, then remove it)"
	rm -f -- "${DIR:?}/$MARK"
	rmdir -- "$DIR"
}

# an executable we may run as root: a file of root's or ours, in safe folders, that no one
# else may write
trusted_exe() {
	[ -f "$1" ] && [ -x "$1" ] || return 1
	safe_folders "$(cd -P -- "$(dirname -- "$1")" && pwd -P)" || return 1
	set -- $(owner_mode "$1")
	{ [ "$1" = 0 ] || [ "$1" = "$(id -u)" ]; } && [ $((0$2 & 022)) -eq 0 ]
}

# the start time of process $1 (clock ticks after boot: /proc/PID/stat field 22), or nothing
pid_start() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }

# pid_record NAME PID: PID, just started, is NAME (a file NAME.pid and its start time)
pid_record() {
	echo "$2" >"$DIR/$1.pid"
	pid_start "$2" >"$DIR/$1.start"
}

# pid_of NAME: the pid recorded as NAME while it is still that process (a positive number
# whose start time is the one recorded).  Status 1: it has exited; 2: not a record of ours.
pid_of() {
	_pid=$(head -c 12 "$DIR/$1.pid" 2>/dev/null) || return 1
	_st=$(head -c 24 "$DIR/$1.start" 2>/dev/null) || _st=
	case $_pid in "" | *[!0-9]* | 0*) return 2 ;; esac
	[ -e "/proc/$_pid" ] || return 1
	case $_st in "" | *[!0-9]*) return 2 ;; esac
	[ "$(pid_start "$_pid")" = "$_st" ] || return 2
	echo "$_pid"
}

# kill_recorded FOLDER SIGNAL: signal each process recorded in FOLDER that is still ours
kill_recorded() {
	for _f in "$1"/*.pid; do
		[ -e "$_f" ] || continue
		_n=${_f#"$DIR"/}
		_n=${_n%.pid}
		_p=$(pid_of "$_n") && _rc=0 || _rc=$?
		if [ "$_rc" = 0 ]; then
			kill "-$2" "$_p" 2>/dev/null || true
		elif [ "$_rc" = 2 ]; then
			echo "multinode: warning: $_n.pid names no process started here: not signalled" >&2
		fi
	done
}

# recorded_alive FOLDER: some process recorded in FOLDER is still ours and not a zombie
recorded_alive() {
	for _f in "$1"/*.pid; do
		[ -e "$_f" ] || continue
		_n=${_f#"$DIR"/}
		_p=$(pid_of "${_n%.pid}") || continue
		[ "$(sed 's/.*) //' "/proc/$_p/stat" 2>/dev/null | cut -d' ' -f1)" = Z ] || return 0
	done
	return 1
}

# the identity (device:inode) of process $1's network namespace, or nothing
net_of() { stat -L -c '%d:%i' -- "/proc/$1/ns/net" 2>/dev/null; }

# The network namespaces of this harness's nodes, one a line: each node whose holder still
# lives (its pid and start time) and still has the namespace recorded at `up`, never the
# machine's own (a holder that failed to unshare) or this process's.
node_nets() {
	_own=$(net_of $$) || _own=
	_init=$(net_of 1) || _init= # unreadable in some containers
	for _f in "$DIR"/node*.net; do
		[ -e "$_f" ] || continue
		_k=${_f#"$DIR"/node}
		_h=$(pid_of "node${_k%.net}") || continue
		_rec=$(head -c 40 -- "$_f") || continue
		case $_rec in "" | *[!0-9:]*) continue ;; esac
		_now=$(net_of "$_h") || continue
		[ "$_now" = "$_rec" ] && [ "$_now" != "$_own" ] && [ "$_now" != "$_init" ] && echo "$_now"
	done
	return 0
}

# kill_in_nets NETS: KILL every process (but this one) whose network namespace is one of
# NETS (lines): whatever entered a node, found without a cgroup; again while any is left,
# as they may fork meanwhile (a dead one's namespace can no longer be read)
kill_in_nets() {
	[ -n "$1" ] || return 0
	_i=0
	while [ "$_i" -lt 40 ]; do
		_ps=$(stat -L -c '%d:%i %n' -- /proc/[0-9]*/ns/net 2>/dev/null | awk -v nets="$1" '
			BEGIN { n = split(nets, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
			$1 in want { split($2, p, "/"); print p[3] }')
		[ -n "$_ps" ] || return 0
		for _p in $_ps; do
			case $_p in "" | *[!0-9]* | 0*) continue ;; esac
			[ "$_p" = $$ ] || kill -KILL "$_p" 2>/dev/null || true
		done
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "multinode: warning: processes in the nodes survived KILL" >&2
}

# the holder of node $1 (whose namespaces are the node), or exit 2
holder() { pid_of "node$1" || die "node $1 is not up (run: multinode.sh up N)"; }

# wait until holder $1 has its own network, mount and UTS namespaces (entering it before
# would change the machine's own); status 1 if it never does
wait_unshared() {
	_i=0
	while [ "$_i" -lt 200 ]; do
		_d=0
		for _ns in net mnt uts; do
			_t=$(readlink "/proc/$1/ns/$_ns" 2>/dev/null) || return 1
			[ "$_t" != "$(readlink "/proc/$$/ns/$_ns")" ] && _d=$((_d + 1))
		done
		[ "$_d" = 3 ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
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

# The cgroup file a process joins node $1 through (cpuset: the node's own CPUs), or
# /dev/null.  Node cgroups are named after the state folder (TAG): harnesses with other
# state folders never share, or kill, each other's nodes.
cg_of() {
	for _b in /sys/fs/cgroup/cpuset /sys/fs/cgroup; do
		_cg=$_b/parbench-$TAG-node$1
		[ -d "$_cg" ] || continue
		if [ -e "$_cg/tasks" ]; then echo "$_cg/tasks"; else echo "$_cg/cgroup.procs"; fi
		return 0
	done
	echo /dev/null
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
	k=1
	while [ "$k" -le "$n" ]; do
		eval "cpu=\${$(((k - 1) % ncpu + 1))}"
		cg=$base/parbench-$TAG-node$k
		mkdir "$cg"
		echo "$cpu" >"$cg/cpuset.cpus"
		[ ! -e "$cg/tasks" ] || cat "$base/cpuset.mems" >"$cg/cpuset.mems" # v1: mems too
		h=$(holder "$k") || exit 2
		echo "$h" >"$(cg_of "$k")"
		echo "$cpu" >"$DIR/node$k.cpus"
		k=$((k + 1))
	done
	[ "$n" -le "$ncpu" ] ||
		echo "multinode: warning: $n nodes on $ncpu CPUs: nodes share CPUs (dealt round-robin)" >&2
}

# Kill every process in this harness's node cgroups (whatever entered a node), then remove them.
remove_cpusets() {
	for cg in /sys/fs/cgroup/cpuset/parbench-"$TAG"-node* /sys/fs/cgroup/parbench-"$TAG"-node*; do
		[ -d "$cg" ] || continue
		i=0
		until rmdir "$cg" 2>/dev/null; do
			[ "$i" -lt 60 ] || { echo "multinode: warning: cannot remove $cg" >&2; break; }
			for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
				case $p in "" | *[!0-9]* | 0*) ;; *) kill -KILL "$p" 2>/dev/null || true ;; esac
			done
			sleep 0.05 # they are exiting
			i=$((i + 1))
		done
	done
}

# "2ms", "500us", "1.5ms", "0.01s" or plain microseconds -> whole microseconds; "" if not a delay
delay_us() {
	printf '%s\n' "$1" | awk '!/^[0-9]+(\.[0-9]+)?(us|ms|s)?$/ { exit }
		{ m = /ms$/ ? 1000 : /[0-9.]s$/ ? 1000000 : 1; printf "%d", ($1 + 0) * m + 0.5 }'
}

# tc's "1gbit", "500mbit", "100kbit", "1000000bit" -> bits per second; "" if not such a rate
rate_bits() {
	printf '%s\n' "$1" | awk '!/^[0-9]+(\.[0-9]+)?[kmg]?bit$/ { exit }
		{ m = /gbit$/ ? 1e9 : /mbit$/ ? 1e6 : /kbit$/ ? 1e3 : 1
		  if (($1 + 0) * m >= 1) printf "%.0f\n", ($1 + 0) * m }'
}

# up_args N [--rate RATE] [--delay D]: checks them all and PB_MULTINODE_SLOTS (one line and
# exit 2 if one is bad), sets n (2 if not given), rate and delay (microseconds, "" for none)
up_args() {
	n=2
	[ $# -eq 0 ] || { n=$1 && shift; }
	slots >/dev/null
	case $n in "" | *[!0-9]* | 0*) die "bad node count '$n' (1 to 254)" ;; esac
	[ ${#n} -le 3 ] && [ "$n" -le 254 ] || die "bad node count '$n' (1 to 254)"
	rate="" delay=""
	while [ $# -gt 0 ]; do
		case $1 in
		--rate | --delay) [ $# -ge 2 ] || die "$1 needs a value" ;;
		*) die "unknown option '$1' (--rate RATE, --delay D)" ;;
		esac
		if [ "$1" = --rate ]; then
			rate=$2
			[ -n "$(rate_bits "$2")" ] || die "bad rate '$2' (e.g. 1gbit, 500mbit, 100kbit)"
		else
			delay=$(delay_us "$2")
			[ -n "$delay" ] && [ "$delay" -le 10000000 ] ||
				die "bad delay '$2' (e.g. 500us, 2ms; at most 10s)"
		fi
		shift 2
	done
	[ -z "$delay" ] || [ "$n" -ge 2 ] || die "a delay needs 2 or more nodes (it is their switch's)"
	[ -z "$delay" ] || [ "$n" -le 64 ] || die "a delay allows at most 64 nodes (its switch's ports)"
}

# the rank slots of a node (PB_MULTINODE_SLOTS, 1 to 1024, default 2), or exit 2
slots() {
	_s=${PB_MULTINODE_SLOTS:-2}
	case $_s in "" | *[!0-9]* | 0*) die "bad PB_MULTINODE_SLOTS '$_s' (1 to 1024)" ;; esac
	[ ${#_s} -le 4 ] && [ "$_s" -le 1024 ] || die "bad PB_MULTINODE_SLOTS '$_s' (1 to 1024)"
	echo "$_s"
}

# slurm.conf for N nodes with CPUS each, everything under the folder S
slurm_conf() {
	n=$1 cpus=$2 S=$3
	printf '%s\n' "ClusterName=parbench" "SlurmctldHost=node1($NET.1)" "AuthType=auth/none" \
		"CredType=cred/none" "SlurmUser=root" "SlurmdUser=root" "StateSaveLocation=$S/state" \
		"SlurmdSpoolDir=$S/spool-%n" "TmpFS=$S/tmp-%n" "SlurmctldPidFile=$S/slurmctld.pidfile" \
		"SlurmdPidFile=$S/slurmd-%n.pidfile" "SlurmctldLogFile=$S/log/slurmctld.log" \
		"SlurmdLogFile=$S/log/slurmd-%n.log" "ProctrackType=proctrack/linuxproc" \
		"TaskPlugin=task/none" "SelectType=select/cons_tres" "SelectTypeParameters=CR_Core" \
		"MpiDefault=pmix" "ReturnToService=2" "SlurmctldTimeout=30" "SlurmdTimeout=30" \
		"InactiveLimit=0" "KillWait=5" "MinJobAge=30" "JobCompType=jobcomp/none" \
		"AccountingStorageType=accounting_storage/none"
	k=1
	while [ "$k" -le "$n" ]; do
		echo "NodeName=node$k NodeAddr=$NET.$k CPUs=$cpus State=UNKNOWN"
		k=$((k + 1))
	done
	echo "PartitionName=nodes Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
}
