# cli_lib.sh - what every command-line scenario (tests/cli_*.sh) shares: sourced, not run.
# The scenario gets the parbench binary as $1; $tmp is a private folder removed at exit
# (with the processes named in $hogs); ok/bad count checks; finish prints the closing line
# and gives the exit status.
set -u
pb="$1"
here=$(cd "$(dirname "$0")" && pwd)
# the no-process-left-behind checks need pgrep (procps): without it they would pass vacuously
command -v pgrep >/dev/null 2>&1 || { echo "cli: pgrep (procps) is required"; exit 1; }
tmp=$(mktemp -d)
hogs=
trap 'kill $hogs 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# one_line_error "what" PREFIX PROGRAM args...: PROGRAM exits 2 with exactly one line on
# stderr, starting PREFIX, and nothing on stdout
one_line_error() {
	what="$1"
	prefix="$2"
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "^$prefix" "$tmp/err"; then
		ok
	else
		bad "$what: exit $rc, $lines stderr lines: $(head -c 300 "$tmp/err")"
	fi
}

# usage_error "what" args...: parbench's usage error (one_line_error)
usage_error() {
	_what="$1"
	shift
	one_line_error "$_what" "parbench: " "$pb" "$@"
}

# usage_error_now "what" args...: usage_error within 5 s: input that would make parbench
# wait or never end (a FIFO, a device) fails the check instead of stalling the scenario
usage_error_now() {
	_what="$1"
	shift
	one_line_error "$_what" "parbench: " timeout 5 "$pb" "$@"
}

# wait_for WHAT FILE: waits (at most 120 s) until FILE has a line matching the regex WHAT;
# the signal tests act on what a run has done, not on how long it has run, which a busy
# machine stretches (start-up alone, the roof measured, took 3.5 s on 2 busy cores)
wait_for() {
	for _ in $(seq 1200); do
		grep -q "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# gone PATTERN: within 20 s no process's command line matches PATTERN (pgrep -f, an ERE):
# processes killed with their parent take a moment to die on a busy machine
gone() {
	for _ in $(seq 200); do
		[ "$(pgrep -f -- "$1" | wc -l)" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# sumawk PROGRAM FILE...: awk over a summary.csv, the header skipped, where col("name") is a
# column's field number: the quoted pin plan and CPU list hold commas, so a column after
# the pin plan is counted from the end of its row
sumawk() {
	_prog="$1"
	shift
	awk -F, 'function col(n) { return c[n] < c["pin"] ? c[n] : NF - nh + c[n] }
		FNR == 1 { nh = NF; for (i = 1; i <= NF; i++) c[$i] = i; next }
		'"$_prog" "$@"
}

# json_ok FILE: FILE is valid JSON
json_ok() { cmake -DFILE="$1" -P "$here/json_check.cmake" >/dev/null 2>&1; }

# finish: the closing line ('N passed, N failed'), exit 1 on any failure
finish() {
	echo "$(basename "$0" .sh): $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
