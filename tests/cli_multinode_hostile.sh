#!/bin/sh
# cli_multinode_hostile.sh - scripts/multinode.sh (run as root) on a machine with hostile local
# users: a state folder another user made, may write or points elsewhere is refused (exit 2)
# with nothing killed; planted pid files (-1, 0, garbage, an unrelated process) are never
# signalled; bad N, --rate and --delay are one-line errors; a failed `up` leaves nothing.
# The pid -1 and 0 cases run in a pid namespace of their own, so a regression cannot reach
# the machine's processes.
# ctest: labels cli multinode; timeout 300
. "$(dirname "$0")/cli_lib.sh"
mn="$here/../scripts/multinode.sh"
trap 'for d in "$tmp"/n-*; do [ -d "$d" ] && PB_MULTINODE_DIR=$d "$mn" down >/dev/null 2>&1; done
	kill $hogs 2>/dev/null; rm -rf "$tmp"' EXIT
export PB_MULTINODE_DIR="$tmp/n-args"

# required "what": a part of the scenario cannot run here; a failure where all is required (CI)
required() {
	echo "cli_multinode_hostile: SKIP of $1"
	[ "${PB_REQUIRE_ALL:-OFF}" != ON ] || bad "$1: cannot run here, and everything is required (CI)"
}

# mn_error "what" args...: multinode.sh exits 2 with exactly one line on stderr, nothing on stdout
mn_error() {
	what="$1"
	shift
	"$mn" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "^multinode: " "$tmp/err"; then
		ok
	else
		bad "$what: exit $rc, $lines stderr lines: $(head -c 300 "$tmp/err")"
	fi
}

# a process of ours that nothing may kill: its pid, with the start time the harness records
canary() {
	sleep 300 </dev/null >/dev/null 2>&1 &
	c=$!
	hogs="$hogs $c"
	cstart=$(sed 's/.*) //' "/proc/$c/stat" | awk '{ print $20 }')
}
alive() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || echo gone)" != Z ] && [ -e "/proc/$1" ]; }

# 1. bad arguments: one line, exit 2, and nothing made
for a in "abc" "0" "1x" "255" "-1" "2 --rate" "2 --rate fast" "2 --rate 0bit" "2 --rate 1gbps" \
	"2 --delay" "2 --delay fast" "2 --delay 1.2.3ms" "2 --delay 11s" "2 --delay -1ms" \
	"1 --delay 1ms" "2 --bogus 1"; do
	# shellcheck disable=SC2086
	mn_error "up $a" up $a
done
[ ! -e "$PB_MULTINODE_DIR" ] && ok || bad "a rejected up made its state folder"
mn_error "exec with no nodes up" exec 1 true
mn_error "exec of node ../x" exec ../x true

# 2. the default state folder is not in a folder everyone may write (as /tmp)
agent=$(env -u PB_MULTINODE_DIR "$mn" env | sed -n 's/^export OMPI_MCA_plm_rsh_agent=//p')
top=$(dirname "$(dirname "${agent:-/}")")
[ -n "$agent" ] && [ $((0$(stat -c %a "$top") & 02)) -eq 0 ] && ok ||
	bad "the default state folder '$(dirname "${agent:-/}")' is inside '$top', which everyone may write"

# 3. a state folder someone else made, may write, or that is a symbolic link: `up` and `down`
# refuse it (exit 2, one line) and kill nothing, not even what its pid files name
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	for kind in other-owner mode-0777 symlink; do
		canary
		d=$tmp/n-$kind
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
	export PB_MULTINODE_DIR="$tmp/n-args"
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
	d=$tmp/n-planted
	rm -rf "$d"
	mkdir -m 0700 "$d" "$d/slurm"
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

# 5. a failed `up` (here tc fails, after the nodes, their cgroups and links are made) leaves
# nothing behind: no state folder, no holder, no cgroup
if [ "$(id -u)" = 0 ] && unshare --net --uts --mount true 2>/dev/null; then
	d=$tmp/n-failed
	mkdir "$tmp/bin"
	printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/tc"
	chmod 0755 "$tmp/bin/tc"
	PB_MULTINODE_DIR=$d PATH="$tmp/bin:$PATH" "$mn" up 2 --rate 1gbit >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && ok || bad "up with a failing tc: exit 0"
	[ ! -e "$d" ] && ok || bad "a failed up left its state folder"
	left=
	for e in /proc/[0-9]*/environ; do
		{ tr '\0' '\n' <"$e"; } 2>/dev/null | grep -q "^PB_MULTINODE_NODE=$d/" || continue
		p=${e#/proc/}
		p=${p%/environ}
		alive "$p" && left="$left $p"
	done
	[ -z "$left" ] && ok || bad "a failed up left its node holders: $left"
	tag=$(printf %s "$d" | cksum | cut -d' ' -f1)
	ls -d /sys/fs/cgroup/cpuset/parbench-"$tag"-* /sys/fs/cgroup/parbench-"$tag"-* >/dev/null 2>&1 &&
		bad "a failed up left its cgroups" || ok
else
	required "a failed up (needs root and namespaces)"
fi

finish
