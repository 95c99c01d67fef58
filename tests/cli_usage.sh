#!/bin/sh
# cli_usage.sh PARBENCH - bad usage is one line and exit 2; --help and --version for every command.
# ctest: labels cli; timeout 120
. "$(dirname "$0")/cli_lib.sh"

usage_error "no command"
usage_error "unknown command" frobnicate
usage_error "unknown option" run --frob
usage_error "unknown backend" run --backends mpii
grep -q "unknown backend 'mpii' (known: serial, pthreads" "$tmp/err" && ok || bad "backend list in message"
usage_error "unknown kernel" run --kernels nope,sum_squares
grep -q "known: sum_squares" "$tmp/err" && ok || bad "kernel list in message"
usage_error "workers 0" run --workers 0
usage_error "workers negative" run --workers -1
usage_error "workers text" run --workers two
usage_error "workers absurd" run --workers 100000
usage_error "workers empty" run --workers ,
usage_error "workers empty item" run --workers 1,,2
usage_error "kernels empty item" run --kernels sum_squares,
usage_error "backends empty item" run --backends ,serial
usage_error "sizes empty item" run --sizes 1e3,,1e4
usage_error "size 0" run --size 0
usage_error "size negative" run --size -5
usage_error "size overflow" run --size 99999999999999999999999
usage_error "size exponent overflow" run --size 1e30
usage_error "size 0 with a huge exponent" run --size 0e4777777777777778888
usage_error "sizes with a huge exponent" run --sizes 1e99999999999
usage_error "size beyond kernel" run --kernels sum_squares --size 1e15
usage_error "size text" run --size lots
usage_error "size not whole" run --size 1.5
usage_error "size not whole in scientific notation" run --size 1.25e1
usage_error "missing value" run --size
usage_error "bad pin" run --pin sideways
usage_error "pin beyond machine" run --pin 4096
usage_error "bad schedule" run --schedule sometimes
usage_error "bad chunk" run --chunk 0
usage_error "bad min-time" run --min-time -1
usage_error "bad gbench flag" run --kernels io_wait --size 2 --backends pthreads --workers 1 --out "$tmp/gb" -- --benchmark_bogus=1
usage_error "unwritable out" run --out /proc/parbench-cannot-write
[ ! -e "$tmp/gb/summary.csv" ] && ok || bad "a refused run left a summary"

# A launcher's rank variable that is not a rank (atoi took "abc" for rank 0): one line, exit
# 2, before any command, its value scrubbed; not a guess either way.
for v in abc -1 " 1" +1 1x 99999999999 "$(printf '1\033[2J')"; do
	w="OMPI_COMM_WORLD_RANK='$(printf %s "$v" | cat -v)'"
	OMPI_COMM_WORLD_RANK="$v" usage_error_now "$w" list
	grep -q "^parbench: OMPI_COMM_WORLD_RANK is '.*', not an MPI rank" "$tmp/err" &&
		[ "$(LC_ALL=C tr -d '\040-\176\n' <"$tmp/err" | wc -c)" -eq 0 ] && ok ||
		bad "$w: $(cat -v "$tmp/err")"
done
PMI_RANK=x usage_error_now "PMI_RANK=x" topology --workers 1
env -u OMPI_COMM_WORLD_RANK -u PMIX_RANK -u PMI_RANK OMPI_COMM_WORLD_RANK= "$pb" list \
	>/dev/null 2>&1 && ok || bad "an empty OMPI_COMM_WORLD_RANK is no launcher's: not refused"

# A hostfile is read only if it is a regular file of bounded size, lines and hosts: a device
# (/dev/zero never ends), a FIFO (opening it waits) or a huge file is one line, at once.
if "$pb" list | grep -q "^  mpi "; then
	mkfifo "$tmp/hosts.fifo"
	printf 'node1 slots=2\n\0node2\n' >"$tmp/hosts.nul"
	# comments and one host: over 1 MiB; over 16384 lines
	awk 'BEGIN { for (i = 0; i < 100000; i++) print "# a comment, 20 B"; print "node1" }' \
		>"$tmp/hosts.big"
	awk 'BEGIN { for (i = 0; i < 20000; i++) print "#"; print "node1" }' >"$tmp/hosts.lines"
	awk 'BEGIN { for (i = 0; i < 5000; i++) print "node" i " slots=1" }' >"$tmp/hosts.many"
	for f in /dev/zero "$tmp/hosts.fifo" "$tmp/hosts.big" "$tmp/hosts.nul" "$tmp/hosts.lines" \
		"$tmp/hosts.many"; do
		usage_error_now "hostfile $f" run --dry-run --hostfile "$f" --backends mpi \
			--workers 2
		grep -q "^parbench: hostfile " "$tmp/err" && ok ||
			bad "hostfile $f: $(cat -v "$tmp/err")"
	done
	# what the hostfile (or its name) holds reaches the terminal scrubbed: no ESC, BEL, C1
	# control (raw, or U+009B in UTF-8) or byte that is not UTF-8
	printf 'node1 slots=2\033]0;pwned\007\n' >"$tmp/hosts.esc1"
	printf 'no\233de\302\2332J slots=1\n' >"$tmp/hosts.esc2"
	printf 'node1 \033[31mslots=1\n' >"$tmp/hosts.esc3"
	for f in "$tmp/hosts.esc1" "$tmp/hosts.esc2" "$tmp/hosts.esc3" \
		"$tmp/hosts$(printf '\033')[2J"; do
		w="hostfile $(printf %s "$f" | cat -v)"
		usage_error_now "$w" run --dry-run --hostfile "$f" --backends mpi --workers 2
		[ "$(LC_ALL=C tr -d '\040-\176\n' <"$tmp/err" | wc -c)" -eq 0 ] && ok ||
			bad "$w: a control byte reached stderr: $(cat -v "$tmp/err")"
	done
fi

# --help and --version for the program and every command: stdout, exit 0; --x=value for
# every option (the table-driven parser); one wording for an unknown option.
for c in "" run costs topology filter report compare list roofline; do
	"$pb" $c --help >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok || bad "parbench $c --help"
done
"$pb" costs --help | grep -q "^usage: parbench costs \[--workers N\]" && ok || bad "costs --help: no usage line"
"$pb" run --help | grep -q "^  --budget S " && ok || bad "run --help: the options are not listed"
"$pb" --version | grep -q "^parbench [0-9a-f]" && ok || bad "--version"
"$pb" run --version | grep -q "^parbench [0-9a-f]" && "$pb" costs --version >/dev/null && ok || bad "run --version"
"$pb" topology --workers=1 --pin=compact >"$tmp/out" 2>&1 && grep -q "1 worker$" "$tmp/out" && ok || bad "topology --workers=1: $(head -c 200 "$tmp/out")"
usage_error "a value given to a flag" run --quick=yes
usage_error "unknown costs option" costs --frob
grep -q "^parbench: unknown option '--frob' for parbench costs (see parbench costs --help)$" "$tmp/err" && ok || bad "unknown option wording: $(cat "$tmp/err")"
usage_error "unknown topology option" topology --frob=2
usage_error "compare threshold=bad" compare --threshold=x a b

finish
