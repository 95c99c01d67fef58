#!/bin/sh
# cli_hostile_report.sh - a run directory from someone else is data: report runs none of its
# text as gnuplot or shell code, writes through none of its symlinks, and damaged files make
# report, compare and project refuse with one line (exit 2), never crash or hang.
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"

have_gnuplot=$(command -v gnuplot)
if [ -z "$have_gnuplot" ]; then
	if [ "${PB_REQUIRE_ALL:-OFF}" = ON ]; then
		bad "gnuplot is missing, and everything is required (CI): the charts' checks cannot run"
	else
		echo "SKIP: gnuplot is missing: the charts' checks are left out"
	fi
fi
gpdir=$(dirname "${have_gnuplot:-/usr/bin/gnuplot}")
marker="$tmp/MARKER"
"$pb" run --quick --kernels io_wait --size 4 --backends pthreads --workers 1,2 --repetitions 2 \
	--out "$tmp/run" >/dev/null 2>"$tmp/err" && ok || bad "the tiny run: $(head -c 300 "$tmp/err")"

# fresh DIR: a copy of the run without its charts and report
fresh() {
	rm -rf "$1"
	cp -r "$tmp/run" "$1"
	rm -f "$1"/*.png "$1"/*.svg "$1/report.md"
}

# plant DIR JSON: meta.json's host, cpu_model and interconnect become the JSON string JSON
# (with H, C and I after its opening quote), and the 2-worker row ran on two hosts, so that
# the interconnect is in the charts' caption too
plant() {
	grep -q '^  "interconnect": ' "$1/meta.json" ||
		sed -i 's/^  "host": .*/&\n  "interconnect": "",/' "$1/meta.json"
	V="$2" awk 'match($0, /^  "(host|cpu_model|interconnect)": /) {
			tag = $0 ~ /"host"/ ? "H" : $0 ~ /"cpu_model"/ ? "C" : "I"
			print substr($0, 1, RLENGTH) "\"" tag substr(ENVIRON["V"], 2) ","; next }
		{ print }' "$1/meta.json" >"$1/meta.new" && mv "$1/meta.new" "$1/meta.json"
	sed -E -i 's/^(io_wait,pthreads,2,([^,]*,){14}("[^"]*"|[^,"]*),)("[^"]*"|[^,"]*),/\10@a:0 1@b:1,/' \
		"$1/summary.csv"
	grep -q "^io_wait,pthreads,2,.*,0@a:0 1@b:1," "$1/summary.csv" || bad "plant: the cpus column was not edited"
}

# report_ok WHAT DIR: report exits 0, runs no command, makes the charts (with gnuplot) and
# leaves none of its working directories behind
report_ok() {
	"$pb" report "$2" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && [ -s "$2/report.md" ] && ok || bad "$1: report exit $rc: $(head -c 300 "$tmp/err")"
	[ ! -e "$marker" ] && ok || bad "$1: a command from the run directory ran"
	rm -f "$marker"
	if [ -n "$have_gnuplot" ]; then
		[ -s "$2/speedup-io_wait.png" ] && [ -s "$2/time-io_wait.svg" ] && ok || bad "$1: no charts: $(head -c 300 "$tmp/err")"
		[ ! -s "$tmp/err" ] && ok || bad "$1: report complained: $(head -c 300 "$tmp/err")"
	fi
	[ -z "$(find "$2" -name '.charts-*')" ] && ok || bad "$1: gnuplot's directory left behind"
}

# A filter's roof chart draws its compute ceiling from compute.csv as loaded (written again
# into parbench's own folder); a run directory's own compute.csv is never gnuplot's.
"$pb" run --quick --kernels sepia --size 64 --backends pthreads --workers 1,2 --repetitions 2 \
	--out "$tmp/flt" --no-report >/dev/null 2>"$tmp/err" && ok || bad "the tiny filter run: $(head -c 300 "$tmp/err")"
if [ -n "$have_gnuplot" ]; then
	"$pb" report "$tmp/flt" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && ok || bad "report of a filter run: $(head -c 300 "$tmp/err")"
	grep -q "compute ceiling" "$tmp/flt/roof-sepia.svg" && ok || bad "the filter's roof chart lacks its compute ceiling"
	[ -s "$tmp/flt/summary.svg" ] && ok || bad "report of a filter run: no summary picture"
	# an older filter run has no compute.csv: its roof chart without that ceiling, and not a
	# word of gnuplot's on parbench's stderr
	cp -r "$tmp/flt" "$tmp/old" && rm -f "$tmp/old/compute.csv" "$tmp/old"/*.svg "$tmp/old"/*.png
	"$pb" report "$tmp/old" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && ok || bad "report of a run without compute.csv: $(head -c 300 "$tmp/err")"
	[ -s "$tmp/old/roof-sepia.svg" ] && ! grep -q "compute ceiling" "$tmp/old/roof-sepia.svg" && ok || bad "a run without compute.csv: its roof chart"
	# a chart script that fails: one line naming it and gnuplot's error (report.md is still written: exit 0)
	mkdir "$tmp/plots" && cp "$here/../plots"/*.gp "$tmp/plots" && printf 'plot "no-such-file" using 1:2\n' >>"$tmp/plots/time.gp"
	PARBENCH_PLOTS="$tmp/plots" "$pb" report "$tmp/old" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^parbench: gnuplot failed (time.gp: .*No data in plot)" "$tmp/err" && ok || bad "a failing chart script: $(head -c 300 "$tmp/err")"
fi

# Hostile text in meta.json (JSON literals; the caption is drawn as that text).
i=0
for v in "\"vm'; system(\\\"touch $marker\\\"); '\"" \
	"\"x\\\"; system(\\\"touch $marker\\\"); \\\"\"" \
	"\"system(\\\"touch $marker\\\")\"" \
	"\"\`touch $marker\` @m \$(touch $marker)\"" \
	"\"a\\n'; system(\\\"touch $marker\\\") #\"" \
	"\"|touch $marker\"" "\"<touch $marker\"" \
	"\"@x eval('system(\\\"touch $marker\\\")') \\\\ \\u001b[31m\""; do
	i=$((i + 1))
	fresh "$tmp/h$i"
	plant "$tmp/h$i" "$v"
	report_ok "hostile meta.json $i ($v)" "$tmp/h$i"
	if [ -n "$have_gnuplot" ]; then
		grep -q "MPI across hosts: I" "$tmp/h$i/speedup-io_wait.svg" && ok || bad "hostile meta.json $i: the caption lacks the interconnect"
	fi
	! grep -q "$(printf '\033')" "$tmp/out" && ok || bad "hostile meta.json $i: an escape sequence reached the terminal"
done

# A run directory whose path has a quote and a system() call: the run's charts and report's.
weird="$tmp/o'; system(\"touch $marker\"); '\"x"
"$pb" run --quick --kernels io_wait --size 4 --backends pthreads --workers 1,2 --repetitions 2 \
	--out "$weird" >/dev/null 2>"$tmp/err" && ok || bad "run --out with a quote: $(head -c 300 "$tmp/err")"
[ ! -e "$marker" ] && ok || bad "run --out with a quote: a command ran"
[ -z "$have_gnuplot" ] || [ -s "$weird/speedup-io_wait.png" ] && ok || bad "run --out with a quote: no charts"
rm -f "$weird"/*.png "$weird"/*.svg
report_ok "report of a path with a quote" "$weird"

# gnuplot reads .gnuplot from its working directory when HOME is not absolute: the run
# directory's own is never read, whatever HOME says.
for home in "" "." ".." "unset"; do
	fresh "$tmp/rc"
	echo "system(\"touch $marker\")" >"$tmp/rc/.gnuplot"
	if [ "$home" = unset ]; then
		(cd "$tmp/rc" && env -u HOME "$pb" report . >"$tmp/out" 2>"$tmp/err")
	else
		(cd "$tmp/rc" && HOME="$home" "$pb" report . >"$tmp/out" 2>"$tmp/err")
	fi
	[ $? -eq 0 ] && [ ! -e "$marker" ] && ok || bad "HOME='$home': the run directory's .gnuplot ran (or report failed: $(head -c 200 "$tmp/err"))"
	rm -f "$marker"
done

# gnuplot is found by the PATH's absolute entries only: an empty entry or "." would find the
# run directory's own "gnuplot" (report . from inside it), and a folder named gnuplot is
# passed over.
fresh "$tmp/pa"
printf '#!/bin/sh\ntouch "%s"\n' "$marker" >"$tmp/pa/gnuplot"
chmod +x "$tmp/pa/gnuplot"
for path in "/nonexistent::$gpdir" ":$gpdir" ".:$gpdir" "/nonexistent:" "$tmp/nogp:."; do
	(cd "$tmp/pa" && PATH="$path" "$pb" report . >"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -e "$marker" ] && ok || bad "PATH='$path': the run directory's gnuplot ran (exit $rc: $(head -c 200 "$tmp/err"))"
	rm -f "$marker"
done
mkdir -p "$tmp/gpfolder/gnuplot"
fresh "$tmp/pf"
PATH="$tmp/gpfolder:$gpdir" "$pb" report "$tmp/pf" >"$tmp/out" 2>"$tmp/err"
[ -z "$have_gnuplot" ] || [ -s "$tmp/pf/speedup-io_wait.png" ] && [ ! -s "$tmp/err" ] && ok || bad "a folder named gnuplot on the PATH: $(head -c 200 "$tmp/err")"

# gnuplot reads data parbench wrote, never the run directory's files: a wrapper swaps the
# run's summary.csv and roof.csv for FIFOs as the first chart starts (someone sharing the
# folder, after the loader's checks), and gnuplot must not block on them.
if [ -n "$have_gnuplot" ]; then
	mkdir -p "$tmp/wrap"
	printf '#!/bin/sh\nfor f in ../summary.csv ../roof.csv ../compute.csv; do [ -p "$f" ] || { rm -f "$f"; mkfifo "$f"; }; done\nexec "%s" "$@"\n' \
		"$have_gnuplot" >"$tmp/wrap/gnuplot"
	chmod +x "$tmp/wrap/gnuplot"
	fresh "$tmp/sw"
	PATH="$tmp/wrap:$gpdir" timeout 120 "$pb" report "$tmp/sw" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && [ -s "$tmp/sw/speedup-io_wait.png" ] && [ ! -s "$tmp/err" ] && ok || bad "summary.csv swapped for a FIFO under gnuplot: exit $rc (124: it blocked): $(head -c 200 "$tmp/err")"
	[ -p "$tmp/sw/summary.csv" ] && ok || bad "FIFO swap: the wrapper did not run"
	[ -z "$(find "$tmp/sw" -name '.charts-*')" ] && ok || bad "FIFO swap: gnuplot's directory left behind"
fi

# A gnuplot that hangs (with a child in its process group) is killed with its group after
# the timeout (PARBENCH_TEST_GNUPLOT_TIMEOUT: seconds, instead of 60), with one warning; a
# signal during the charts kills it too, removes parbench's directory and writes nothing.
mkdir -p "$tmp/hang"
printf '#!/bin/sh\nsleep 1000 &\necho "$! $$" >>"%s"\nexec sleep 1001\n' "$tmp/hang/pids" >"$tmp/hang/gnuplot"
chmod +x "$tmp/hang/gnuplot"
# no_hang_left WHAT: every process the fake gnuplot started is gone (any left: killed here)
no_hang_left() {
	left=
	for _ in $(seq 100); do
		left=
		for p in $(cat "$tmp/hang/pids" 2>/dev/null); do
			kill -0 "$p" 2>/dev/null && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.2
	done
	# shellcheck disable=SC2086
	[ -z "$left" ] && ok || { bad "$1: gnuplot's processes left:$left"; kill $left 2>/dev/null; }
	rm -f "$tmp/hang/pids"
}
fresh "$tmp/hg"
PARBENCH_TEST_GNUPLOT_TIMEOUT=2 PATH="$tmp/hang:$gpdir" timeout 120 "$pb" report "$tmp/hg" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^parbench: gnuplot ran longer than 2 s" "$tmp/err" && [ -s "$tmp/hg/report.md" ] && ok || bad "a hanging gnuplot: exit $rc (124: not stopped): $(head -c 300 "$tmp/err")"
[ -z "$(find "$tmp/hg" -name '.charts-*')" ] && ok || bad "a hanging gnuplot: its directory left behind"
no_hang_left "a hanging gnuplot"
for sig in INT TERM; do
	fresh "$tmp/hg"
	PATH="$tmp/hang:$gpdir" "$pb" report "$tmp/hg" >"$tmp/out" 2>"$tmp/err" &
	rp=$!
	wait_for . "$tmp/hang/pids" || bad "SIG$sig: gnuplot did not start"
	kill -s "$sig" "$rp"
	for _ in $(seq 200); do kill -0 "$rp" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$rp" 2>/dev/null && { bad "SIG$sig: report still runs 20 s later"; kill -KILL "$rp"; }
	wait "$rp"
	rc=$?
	code=$([ "$sig" = INT ] && echo 130 || echo 143)
	[ "$rc" -eq "$code" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^parbench: interrupted by SIG$sig" "$tmp/err" && ok || bad "SIG$sig during the charts: exit $rc: $(head -c 300 "$tmp/err")"
	[ -z "$(find "$tmp/hg" -name '.charts-*')" ] && [ ! -e "$tmp/hg/report.md" ] && ok || bad "SIG$sig during the charts: its directory or report.md left"
	no_hang_left "SIG$sig during the charts"
done

# report.md keeps meta.json's text as text: HTML, backticks (code), $ (GitHub math) and
# emphasis marks escaped, so that none of it becomes markup; there is no code block for a
# fence in the text to end.
fresh "$tmp/md"
plant "$tmp/md" '"<img src=x onerror=alert(1)> ``` $x^2$ _em_ a_b"'
sed -i 's/^  "args": .*/  "args": "run `` x <\/code><script>alert(1)<\/script>",/' "$tmp/md/meta.json"
grep -q '^  "args": "run ``' "$tmp/md/meta.json" || bad "markdown: the args line was not edited"
"$pb" report "$tmp/md" >"$tmp/out" 2>"$tmp/err" || bad "markdown: report failed: $(head -c 200 "$tmp/err")"
! grep -q '\(^\|[^\\]\)<img' "$tmp/md/report.md" && grep -q '\\<img' "$tmp/md/report.md" && ok || bad "markdown: the host's HTML is raw in report.md: $(grep -m1 "img" "$tmp/md/report.md")"
grep -q '^- command: run \\`\\` x \\</code\\>\\<script\\>' "$tmp/md/report.md" && ok || bad "markdown: the command's backticks or HTML: $(grep -m1 "^- command" "$tmp/md/report.md")"
grep -q '\\`\\`\\` \\$x^2\\$ \\_em\\_ a_b' "$tmp/md/report.md" && ok || bad "markdown: a fence, math or emphasis in the host is not escaped: $(grep -m1 "x^2" "$tmp/md/report.md")"
! grep -q '^```' "$tmp/md/report.md" && ok || bad "markdown: report.md holds a code block"

# C1 controls (raw, or in UTF-8: U+009B is CSI) never reach the terminal; UTF-8 text does.
fresh "$tmp/c1"
plant "$tmp/c1" "\"x$(printf '\302\233')31my$(printf '\233')2Jz Xeon$(printf '\302\256') caf$(printf '\303\251')\""
"$pb" report "$tmp/c1" >"$tmp/out" 2>"$tmp/err" || bad "C1: report failed: $(head -c 200 "$tmp/err")"
! LC_ALL=C grep -q "$(printf '\233')" "$tmp/out" && ok || bad "C1: a C1 control reached the terminal"
grep -q "Xeon$(printf '\302\256') caf$(printf '\303\251')" "$tmp/out" && ok || bad "C1: UTF-8 text was scrubbed: $(grep -m1 "machine" "$tmp/out")"

# Symlinks planted under the names report writes are replaced, not written through.
fresh "$tmp/ln"
echo keep >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/ln/speedup-io_wait.png"
ln -s "$tmp/victim" "$tmp/ln/.report.md.tmp"
report_ok "symlinks in the run directory" "$tmp/ln"
[ "$(cat "$tmp/victim")" = keep ] && ok || bad "report wrote through a symlink in the run directory"
[ -z "$have_gnuplot" ] || [ ! -L "$tmp/ln/speedup-io_wait.png" ] && ok || bad "the chart is still a symlink"

# Damaged files: one line, exit 2, for report, compare and project.
link="--nodes 2 --link 10gbit,2us"
damaged() { # damaged WHAT: usage errors of report, compare and project on $tmp/d
	usage_error "report, $1" report "$tmp/d"
	! grep -q "$(printf '\033')" "$tmp/err" && ok || bad "$1: an escape sequence in the error"
	usage_error "compare, $1" compare "$tmp/run" "$tmp/d"
	usage_error "compare (base), $1" compare "$tmp/d" "$tmp/run"
	# shellcheck disable=SC2086
	usage_error "project, $1" project "$tmp/d" $link
}
edit_csv() { # edit_csv FILE SED: the damage
	fresh "$tmp/d"
	sed -E -i "$2" "$tmp/d/$1"
}
fresh "$tmp/d"; head -c 100 "$tmp/run/meta.json" >"$tmp/d/meta.json"; damaged "truncated meta.json"
fresh "$tmp/d"; : >"$tmp/d/meta.json"; damaged "empty meta.json"
fresh "$tmp/d"; printf '{\001\377"host": "\\' >"$tmp/d/meta.json"; damaged "garbage meta.json"
fresh "$tmp/d"; head -c 300 "$tmp/run/summary.csv" >"$tmp/d/summary.csv"; damaged "truncated summary.csv header"
fresh "$tmp/d"; head -c 900 "$tmp/run/summary.csv" >"$tmp/d/summary.csv"; damaged "truncated summary.csv row"
fresh "$tmp/d"; head -c 100 "$tmp/run/samples.csv" >"$tmp/d/samples.csv"; damaged "truncated samples.csv"
fresh "$tmp/d"; printf '\000\001\002garbage,"\n' >"$tmp/d/samples.csv"; damaged "garbage samples.csv"
fresh "$tmp/d"; rm "$tmp/d/summary.csv"; mkdir "$tmp/d/summary.csv"; damaged "summary.csv a directory"
edit_csv summary.csv 's/^io_wait,pthreads,2,/io_wait,pthreads,-1,/'; damaged "negative workers"
edit_csv summary.csv 's/^io_wait,pthreads,2,4,/io_wait,pthreads,2,1e300,/'; damaged "size out of range"
edit_csv summary.csv 's/^io_wait,pthreads,2,4,4,/io_wait,pthreads,2,4,nan,/'; damaged "items nan"
edit_csv summary.csv 's/^(io_wait,pthreads,2,([^,]*,){10})2,/\199999999999,/'; damaged "repetitions too many"
edit_csv summary.csv 's/^io_wait,pthreads,2,/..\/x,pthreads,2,/'
sed -i 's/^io_wait,pthreads,2,/..\/x,pthreads,2,/' "$tmp/d/samples.csv"; damaged "a kernel name with a slash"
edit_csv summary.csv "s/^io_wait,pthreads,2,4,/io_wait,pthreads,2,$(printf '\033')[31m,/"; damaged "an escape sequence in a number"
edit_csv samples.csv 's/^(io_wait,pthreads,2,4,0,).*/\1nan/'; damaged "a sample nan"
edit_csv samples.csv 's/^io_wait,pthreads,2,4,0,/io_wait,pthreads,-2,4,0,/'; damaged "a sample's workers negative"
edit_csv roof.csv 's/^1,[^,]*,/1,nan,/'; damaged "roof.csv's bandwidth nan"
edit_csv roof.csv '2s/^1,/x,/'; damaged "roof.csv's workers not a number"
fresh "$tmp/d"; head -1 "$tmp/run/roof.csv" >"$tmp/d/r"; seq 1 100 | sed 's/$/,1,1/' >>"$tmp/d/r"
mv "$tmp/d/r" "$tmp/d/roof.csv"; damaged "roof.csv with 100 rows"
# compute.csv (the filters' compute ceilings): each filter with roof.csv's worker counts in
# order, at most 8 filters; a filter the run has no rows of is read and left out.
ceil() { # ceil FILTER GBPS: compute.csv's rows of one filter, at roof.csv's worker counts
	tail -n +2 "$tmp/run/roof.csv" | cut -d, -f1 | sed "s|.*|$1,&,$2,avx2|"
}
compute() { # compute LINES...: compute.csv in a fresh $tmp/d
	fresh "$tmp/d"
	head -1 "$tmp/run/compute.csv" >"$tmp/d/compute.csv"
	printf '%s\n' "$@" >>"$tmp/d/compute.csv"
}
compute "$(ceil sepia nan)"; damaged "compute.csv's rate nan"
compute "$(ceil sepia 5 | sed '1s/^sepia,1,/sepia,7,/')"; damaged "compute.csv's workers not roof.csv's"
compute "$(ceil sepia 5 | head -1)"; damaged "compute.csv's filter cut short"
compute "$(ceil sepia 5)" "$(ceil sepia 5)"; damaged "compute.csv's filter twice"
compute "$(ceil ../x 5)"; damaged "compute.csv's filter name with a slash"
compute "$(for k in a b c d e f g h i; do ceil "$k" 5; done)"; damaged "compute.csv with 9 filters"
fresh "$tmp/d"; echo 'kernel,x' >"$tmp/d/compute.csv"; damaged "compute.csv's header"
compute "$(ceil sepia 5)"
"$pb" report "$tmp/d" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && ok || bad "compute.csv of a filter the run lacks: $(head -c 200 "$tmp/err")"

# Files too large or too long are refused at once (the loader read them whole, and matched
# every sample line against every row; gnuplot read roof.csv, which the loader never did).
refused() { # refused WHAT args...: exit 2 with one line within 60 s
	what=$1
	shift
	timeout 60 "$pb" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] && ok || bad "$what: exit $rc (124: over 60 s): $(head -c 200 "$tmp/err")"
}
for f in roof.csv compute.csv summary.csv samples.csv meta.json; do
	fresh "$tmp/d"
	truncate -s 1T "$tmp/d/$f"
	refused "$f of 1 TB" report "$tmp/d"
done
# big N: summary.csv with N copies of the 2-worker row (workers 1..N), samples.csv to match
big() {
	fresh "$tmp/d"
	awk -F, -v n="$1" -v S="$tmp/d/samples.csv" 'NR == 1 { print; next }
		$2 == "pthreads" && $3 == 2 { row = substr($0, length("io_wait,pthreads,2,") + 1) }
		END { print "kernel,backend,workers,size,repetition,seconds" > S
			for (w = 1; w <= n; w++) { print "io_wait,pthreads," w "," row
				print "io_wait,pthreads," w ",4,0,0.002\nio_wait,pthreads," w ",4,1,0.002" > S } }' \
		"$tmp/run/summary.csv" >"$tmp/d/summary.csv"
}
big 200000
refused "summary.csv of 200000 rows" report "$tmp/d"
refused "summary.csv of 200000 rows (compare)" compare "$tmp/d" "$tmp/d"
refused "summary.csv of 200000 rows (project)" project "$tmp/d" $link
big 10000 # the most rows read: report (its tables), compare and project in reasonable time
for cmd in "report $tmp/d" "compare $tmp/d $tmp/d" "project $tmp/d $link"; do
	# shellcheck disable=SC2086
	timeout 240 env PATH=/nonexistent "$pb" $cmd >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok || bad "10000 rows: $cmd: exit $rc (124: over 240 s): $(head -c 200 "$tmp/err")"
done

# A FIFO in place of a file must not block the loader.
for f in meta.json summary.csv samples.csv roof.csv compute.csv; do
	fresh "$tmp/d"
	rm "$tmp/d/$f"
	mkfifo "$tmp/d/$f"
	timeout 60 "$pb" report "$tmp/d" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "$f a FIFO: exit $rc (124: it blocked): $(head -c 200 "$tmp/err")"
done
finish
