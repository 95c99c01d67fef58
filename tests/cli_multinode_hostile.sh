#!/bin/sh
# cli_multinode_hostile.sh - scripts/multinode.sh (run as root) on a machine with hostile local
# users: a state folder another user made, may write or points elsewhere is refused (exit 2)
# with nothing killed; a folder `up` did not make (no marker, a name without "parbench") is
# never removed, nor a file the harness does not write; `env` names no agent without nodes;
# planted pid files (-1, 0, garbage, an unrelated process) are never signalled, nor another
# harness's Slurm; bad N, --rate, --delay and slots are one-line errors; a failed or hung-up
# `up` leaves nothing; without cpusets `down` still kills what entered a node; a checkout
# others may write is refused.  The pid -1 and 0 cases run in a pid namespace of their own,
# so a regression cannot reach the machine's processes.
# ctest: labels cli multinode; timeout 300
. "$(dirname "$0")/cli_lib.sh"
mn="$here/../scripts/multinode.sh"
trap 'for d in "$tmp"/parbench*; do [ -d "$d" ] && PB_MULTINODE_DIR=$d "$mn" down >/dev/null 2>&1; done
	kill $hogs 2>/dev/null; rm -rf "$tmp"' EXIT
export PB_MULTINODE_DIR="$tmp/parbench-args"
ulimit -c 0 2>/dev/null # the QUIT below: no core file

# required "what": a part of the scenario cannot run here; a failure where all is required (CI)
required() {
	echo "cli_multinode_hostile: SKIP of $1"
	[ "${PB_REQUIRE_ALL:-OFF}" != ON ] || bad "$1: cannot run here, and everything is required (CI)"
}

# mn_error "what" args...: multinode.sh's one-line error (one_line_error)
mn_error() {
	_what="$1"
	shift
	one_line_error "$_what" "multinode: " "$mn" "$@"
}

# a process of ours that nothing may kill: its pid, with the start time the harness records
canary() {
	sleep 300 </dev/null >/dev/null 2>&1 &
	c=$!
	hogs="$hogs $c"
	cstart=$(sed 's/.*) //' "/proc/$c/stat" | awk '{ print $20 }')
}
alive() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || echo gone)" != Z ] && [ -e "/proc/$1" ]; }

# marker DIR: what `up` writes into a state folder it made
marker() { echo "parbench multinode state folder (scripts/multinode.sh)" >"$1/.parbench-multinode"; }

# nothing_left DIR WHAT: no state folder DIR, no holder of its nodes, no cgroup of its nodes
nothing_left() {
	[ ! -e "$1" ] && ok || bad "$2 left its state folder"
	left=
	for e in /proc/[0-9]*/environ; do
		{ tr '\0' '\n' <"$e"; } 2>/dev/null | grep -q "^PB_MULTINODE_NODE=$1/" || continue
		p=${e#/proc/}
		p=${p%/environ}
		alive "$p" && left="$left $p"
	done
	[ -z "$left" ] && ok || bad "$2 left its node holders: $left"
	tag=$(printf %s "$1" | cksum | cut -d' ' -f1)
	ls -d /sys/fs/cgroup/cpuset/parbench-"$tag"-* /sys/fs/cgroup/parbench-"$tag"-* >/dev/null 2>&1 &&
		bad "$2 left its cgroups" || ok
}

# 1. bad arguments: one line, exit 2, and nothing made
for a in "abc" "0" "1x" "255" "-1" "2 --rate" "2 --rate fast" "2 --rate 0bit" "2 --rate 1gbps" \
	"2 --delay" "2 --delay fast" "2 --delay 1.2.3ms" "2 --delay 11s" "2 --delay -1ms" \
	"1 --delay 1ms" "2 --bogus 1"; do
	# shellcheck disable=SC2086
	mn_error "up $a" up $a
done
mn_error 'up ""' up ""
for s in 0 1025 99999999999999999999 x; do
	export PB_MULTINODE_SLOTS=$s
	mn_error "up with PB_MULTINODE_SLOTS=$s" up 2
done
unset PB_MULTINODE_SLOTS
[ ! -e "$PB_MULTINODE_DIR" ] && ok || bad "a rejected up made its state folder"
mn_error "exec with no nodes up" exec 1 true
mn_error "exec of node ../x" exec ../x true
# no nodes: `env` would name an agent in a folder someone else could make first
mn_error "env with no nodes up" env

# 2. the default state folder is not in a folder everyone may write (as /tmp)
def=$(sed -n 's/^DIR=${PB_MULTINODE_DIR:-\(.*\)}$/\1/p' "$mn")
top=$(dirname "${def:-/}")
[ -n "$def" ] && [ $((0$(stat -c %a "$top") & 02)) -eq 0 ] && ok ||
	bad "the default state folder '$def' is inside '$top', which everyone may write"

# 3. a state folder someone else made, may write, or that is a symbolic link: `up` and `down`
# refuse it (exit 2, one line) and kill nothing, not even what its pid files name
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	for kind in other-owner mode-0777 symlink; do
		canary
		d=$tmp/parbench-$kind
		export PB_MULTINODE_DIR="$d"
		case $kind in
		other-owner) mkdir -m 0700 "$d" ;;
		mode-0777) mkdir -m 0777 "$d" ;;
		symlink) mkdir -m 0700 "$tmp/target" && ln -s "$tmp/target" "$d" ;;
		esac
		echo "$c" >"$d/node1.pid"
		echo "$cstart" >"$d/node1.start"
		echo 1 >"$d/nodes"
		[ "$kind" = other-owner ] && chown -R nobody "$d"
		for cmd in up down; do
			mn_error "$cmd with a state folder of kind $kind" $cmd
			alive "$c" && ok || bad "$cmd with a state folder of kind $kind killed what it named"
			[ -f "$d/node1.pid" ] && ok || bad "$cmd with a state folder of kind $kind changed it"
		done
	done
	export PB_MULTINODE_DIR="$tmp/parbench-args"
else
	required "the foreign state folders (needs root and the user nobody)"
fi

# 4. planted pid files in our own state folder: `down` signals none of them.  Run where a
# slip cannot reach the machine: a pid namespace (-1 there is only that namespace) and a
# session of its own (0 is only its process group), with a canary inside to see a signal.
ns=
unshare --pid --fork --mount-proc true 2>/dev/null && ns="unshare --pid --fork --mount-proc"
planted() {
	what=$1 file=$2 value=$3 start=${4:-}
	d=$tmp/parbench-planted
	rm -rf "$d"
	mkdir -m 0700 "$d" "$d/slurm"
	marker "$d"
	# shellcheck disable=SC2086
	PB_MULTINODE_DIR=$d $ns setsid sh -c '
		sleep 300 </dev/null >/dev/null 2>&1 &
		c=$!
		v=$3
		[ "$v" = CANARY ] && v=$c
		printf "%s\n" "$v" >"$PB_MULTINODE_DIR/$2"
		[ -z "$4" ] || echo "$4" >"$PB_MULTINODE_DIR/${2%.pid}.start"
		"$1" down >/dev/null 2>&1
		echo "down: $?"
		s=$(awk "{ print \$3 }" "/proc/$c/stat" 2>/dev/null)
		[ -n "$s" ] && [ "$s" != Z ] && echo alive
		kill "$c" 2>/dev/null
		wait' sh "$mn" "$file" "$value" "$start" >"$tmp/planted" 2>&1
	grep -qx alive "$tmp/planted" && ok || bad "down with $what in $file killed an unrelated process"
	grep -qx "down: 0" "$tmp/planted" && ok || bad "down with $what in $file: $(head -c 200 "$tmp/planted")"
	[ ! -e "$d" ] && ok || bad "down with $what in $file left the state folder"
}
if [ -n "$ns" ]; then
	planted "pid -1" node1.pid -1
	planted "pid 0" node1.pid 0
	planted "pid -1" relay.pid -1
	planted "pid 0" slurm/slurmctld.pid 0
else
	required "pid -1 and 0 planted (needs a pid namespace)"
fi
planted "garbage" node1.pid "1 2; reboot"
planted "an unrelated process" node1.pid CANARY
planted "an unrelated process (a wrong start time)" node1.pid CANARY 1
planted "an unrelated process" relay.pid CANARY
planted "an unrelated process" slurm/slurmctld.pid CANARY
planted "an unrelated process" slurm/slurmctld.pidfile CANARY

# 5. a failed `up` (here tc fails, after the nodes, their cgroups and links are made; the
# fake tc leaves a mark, so `up` did get that far) leaves nothing behind: no state folder,
# no holder, no cgroup.  So does one hung up (HUP) or quit (QUIT) there.
if [ "$(id -u)" = 0 ] && unshare --net --uts --mount true 2>/dev/null; then
	d=$tmp/parbench-failed
	mkdir "$tmp/bin" "$tmp/sigbin"
	printf '#!/bin/sh\n: >"%s"\nexit 1\n' "$tmp/tc-ran" >"$tmp/bin/tc"
	# tc signals `up` (its pid in up.pid) and returns: `up` dies of it at the links
	printf '#!/bin/sh\nfor i in $(seq 300); do [ -s "%s" ] && break; sleep 0.1; done\n: >"%s"\nkill -$PB_TEST_SIG "$(cat "%s")"\n' \
		"$tmp/up.pid" "$tmp/tc-ran" "$tmp/up.pid" >"$tmp/sigbin/tc"
	chmod 0755 "$tmp/bin/tc" "$tmp/sigbin/tc"
	PB_MULTINODE_DIR=$d PATH="$tmp/bin:$PATH" "$mn" up 2 --rate 1gbit >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && ok || bad "up with a failing tc: exit 0"
	[ -e "$tmp/tc-ran" ] && ok || bad "up with a failing tc failed before its links: $(tail -2 "$tmp/out")"
	nothing_left "$d" "a failed up"
	for sig in HUP QUIT; do
		d=$tmp/parbench-$sig
		rm -f "$tmp/tc-ran" "$tmp/up.pid"
		PB_MULTINODE_DIR=$d PB_TEST_SIG=$sig PATH="$tmp/sigbin:$PATH" \
			env --default-signal="$sig" "$mn" up 2 --rate 1gbit >"$tmp/out" 2>&1 &
		echo $! >"$tmp/up.pid"
		wait $!
		[ -e "$tmp/tc-ran" ] && ok || bad "up to be sent $sig failed before its links: $(tail -2 "$tmp/out")"
		nothing_left "$d" "an up sent $sig"
	done
else
	required "a failed up (needs root and namespaces)"
fi

# 6. folders `up` did not make: a mktemp folder, one named for parbench without the marker or
# with a wrong one, and / are refused by down, up and env (exit 2) with every file kept; a
# marked folder holding a file the harness never writes is not removed (exit 2, file kept)
precious() {
	export PB_MULTINODE_DIR="$2"
	for cmd in down up env; do
		mn_error "$cmd with $1" $cmd
		[ "$(cat "$2/precious/notes.txt" 2>/dev/null)" = keep ] && ok || bad "$cmd with $1 removed its files"
	done
	"$mn" down >/dev/null 2>&1 # only for a regression: what its `up` made
	export PB_MULTINODE_DIR="$tmp/parbench-args"
}
p=$(mktemp -d)
mkdir "$p/precious" "$tmp/parbench-nomark" "$tmp/parbench-badmark" "$tmp/parbench-unknown"
for f in "$p" "$tmp/parbench-nomark" "$tmp/parbench-badmark" "$tmp/parbench-unknown"; do
	mkdir -p "$f/precious"
	echo keep >"$f/precious/notes.txt"
done
echo "parbench multinode state folder" >"$tmp/parbench-badmark/.parbench-multinode"
precious "a mktemp folder" "$p"
precious "a folder with no marker" "$tmp/parbench-nomark"
precious "a folder with a wrong marker" "$tmp/parbench-badmark"
rm -rf "$p"
export PB_MULTINODE_DIR=/
mn_error "down with the state folder /" down
d=$tmp/parbench-unknown
export PB_MULTINODE_DIR="$d"
marker "$d"
echo 1 >"$d/nodes"
mn_error "down with a file the harness never writes" down
[ "$(cat "$d/precious/notes.txt" 2>/dev/null)" = keep ] && ok || bad "down removed a file the harness never writes"
rm -rf "$d/precious"
"$mn" down >/dev/null 2>&1 && [ ! -e "$d" ] && ok || bad "down did not remove its folder once cleared"
# a marked folder whose nodes are not up: no agent to name
mkdir -m 0700 "$d"
marker "$d"
echo 1 >"$d/nodes"
printf '#!/bin/sh\n' >"$d/agent"
mn_error "env with a state folder and no nodes up" env
"$mn" down >/dev/null 2>&1
export PB_MULTINODE_DIR="$tmp/parbench-args"

# 7. another harness's Slurm, whose configuration's path the state folder's matches as a
# regular expression (the . of "parbench.a"): `down` leaves it alone
d=$tmp/parbench.a
mkdir -m 0700 "$d" "$d/slurm"
marker "$d"
sh -c 'while :; do sleep 1; done' sh -f "$tmp/parbenchXa/slurm/slurm.conf" </dev/null >/dev/null 2>&1 &
c=$!
hogs="$hogs $c"
sleep 0.2
PB_MULTINODE_DIR=$d "$mn" down >"$tmp/out" 2>&1 && ok || bad "down with a Slurm folder: $(head -c 200 "$tmp/out")"
alive "$c" && ok || bad "down killed another harness's Slurm (its path matched as a regex)"
kill "$c" 2>/dev/null

# 8. no cpuset controller (a tmpfs hides /sys/fs/cgroup, in a mount namespace of the test's
# own): `down` still kills what entered a node with `exec`, by its network namespace
if [ "$(id -u)" = 0 ] && unshare --net --uts --mount true 2>/dev/null; then
	rm -f "$tmp/inside.pid"
	PB_MULTINODE_DIR=$tmp/parbench-nocg unshare --mount --propagation private sh -c '
		mount -t tmpfs none /sys/fs/cgroup || exit 3
		"$1" up 1 >"$2/nocg.up" 2>&1 && [ -f "$PB_MULTINODE_DIR/nodes" ] || exit 4
		"$1" exec 1 sh -c "echo \$\$ >$2/inside.pid; exec sleep 300" </dev/null >/dev/null 2>&1 &
		for i in $(seq 300); do [ -s "$2/inside.pid" ] && break; sleep 0.1; done
		"$1" down >/dev/null' sh "$mn" "$tmp" 2>"$tmp/err"
	rc=$?
	p=$(cat "$tmp/inside.pid" 2>/dev/null)
	case $p in "" | *[!0-9]* | 0*) p= ;; esac
	if [ "$rc" -eq 0 ] && [ -n "$p" ]; then
		for i in $(seq 50); do alive "$p" || break; sleep 0.1; done
		alive "$p" && bad "down without cpusets left a process that entered a node" || ok
		kill -KILL "$p" 2>/dev/null
	else
		bad "no nodes without cpusets: exit $rc: $(cat "$tmp/err" "$tmp/nocg.up" 2>/dev/null | tail -3)"
	fi
	nothing_left "$tmp/parbench-nocg" "down without cpusets"
else
	required "nodes without cpusets (needs root and namespaces)"
fi

# 9. run as root, a checkout others may change is refused (exit 2): its folder, a file it
# runs, or a folder above it that everyone may write
if [ "$(id -u)" = 0 ]; then
	t=$tmp/open/tree
	mkdir -p "$t"
	chmod 0755 "$tmp/open" "$t"
	cp "$here/../scripts/multinode.sh" "$here/../scripts/multinode_lib.sh" "$here/../scripts/pb-relay.c" "$t/"
	mn_real=$mn
	mn=$t/multinode.sh
	chmod 0777 "$t"
	mn_error "a checkout folder everyone may write" down
	chmod 0755 "$t"
	chmod 0666 "$t/multinode_lib.sh"
	mn_error "a checkout's library everyone may write" down
	chmod 0644 "$t/multinode_lib.sh"
	chmod 0777 "$tmp/open"
	mn_error "a checkout inside a folder everyone may write" down
	chmod 0755 "$tmp/open"
	"$mn" down >"$tmp/out" 2>&1 && ok || bad "a checkout of root's refused: $(head -c 200 "$tmp/out")"
	mn=$mn_real
else
	required "a checkout others may write (needs root)"
fi

finish
