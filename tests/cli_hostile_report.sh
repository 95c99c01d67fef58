#!/bin/sh
# cli_hostile_report.sh - a run directory from someone else is data: report runs none of its
# text as gnuplot or shell code, writes through none of its symlinks, and damaged files make
# report, compare and project refuse with one line (exit 2), never crash or hang.
# ctest: labels cli; timeout 300
. "$(dirname "$0")/cli_lib.sh"

have_gnuplot=$(command -v gnuplot)
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
for home in "" "." "unset"; do
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

# A FIFO in place of a file must not block the loader.
for f in meta.json summary.csv samples.csv; do
	fresh "$tmp/d"
	rm "$tmp/d/$f"
	mkfifo "$tmp/d/$f"
	timeout 60 "$pb" report "$tmp/d" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "$f a FIFO: exit $rc (124: it blocked): $(head -c 200 "$tmp/err")"
done
finish
