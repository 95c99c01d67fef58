#!/bin/sh
# check-limits.sh - the layout's size limits (bench/README.md): no tracked file over 400
# lines (sources, headers, scripts, shell tests, Python, docs), no function over 80 lines (C
# and C++, shell, Python); no unresolved merge.  A function is counted from its first line (a line at column 0 ending a signature)
# to its closing brace at column 0.  Prints every breach; exit 1 if there is one.
# `make test` runs it under CI (CI=true); run it by hand from the top of the tree.
set -eu
cd "$(dirname "$0")/.."
MAX_FILE=${MAX_FILE:-400}
MAX_FUNC=${MAX_FUNC:-80}
status=0
found=$(mktemp) # a new file of its own (not a guessable name in a shared folder)
trap 'rm -f "$found"' EXIT
files=$(git ls-files 'bench/*.[ch]' 'bench/*.cc' 'backends/*.[ch]' 'kernels/*.[ch]' \
	'tests/*.[ch]' 'fuzz/*.[ch]' 'util/*.[ch]')
for f in $files; do
	n=$(wc -l <"$f")
	if [ "$n" -gt "$MAX_FILE" ]; then
		echo "$f: $n lines (limit $MAX_FILE)"
		status=1
	fi
	# a definition starts at column 0 with a name and "(" and no ";" (not a prototype)
	awk -v F="$f" -v MAX="$MAX_FUNC" '
		/^[A-Za-z_].*\(/ && !/;[ \t]*$/ && !/^#/ { if (!start) { name = $0; start = NR } }
		/^\}/ && start { n = NR - start + 1; if (n > MAX) print F ":" start ": " n " lines (limit " MAX "): " name; start = 0 }
	' "$f" >"$found"
	if [ -s "$found" ]; then
		cat "$found"
		status=1
	fi
done
# every other tracked text file (scripts, Python, shell tests, docs, build files): 400 lines
others=$(git ls-files | grep -vE '\.(png|jpg|jpeg|svg|gz)$|^fuzz/corpus/|^tests/data/' |
	grep -vE '^(bench|backends|kernels|tests|fuzz|util)/.*\.(c|h|cc)$')
for f in $others; do
	[ -f "$f" ] || continue
	n=$(wc -l <"$f")
	if [ "$n" -gt "$MAX_FILE" ]; then
		echo "$f: $n lines (limit $MAX_FILE)"
		status=1
	fi
done
# shell functions ("name() {" at column 0 to "}" at column 0) and Python functions (a def to
# the next line indented no deeper): 80 lines
for f in $(echo "$others" | grep -E '\.sh$'); do
	awk -v F="$f" -v MAX="$MAX_FUNC" '
		/^[A-Za-z_][A-Za-z0-9_]* *\(\) *\{/ { name = $0; start = NR }
		/^\}/ && start { n = NR - start + 1; if (n > MAX) print F ":" start ": " n " lines (limit " MAX "): " name; start = 0 }
	' "$f" >"$found"
	[ -s "$found" ] && { cat "$found"; status=1; }
done
for f in $(echo "$others" | grep -E '\.py$'); do
	awk -v F="$f" -v MAX="$MAX_FUNC" '
		function close_def(end) { if (start && end - start + 1 > MAX) print F ":" start ": " end - start + 1 " lines (limit " MAX "): " name; start = 0 }
		{ match($0, /^[ \t]*/); ind = RLENGTH }
		start && NF && ind <= dind { close_def(last) }
		/^[ \t]*(async[ \t]+)?def[ \t]/ && !start { name = $0; start = NR; dind = ind }
		NF { last = NR }
		END { close_def(last) }
	' "$f" >"$found"
	[ -s "$found" ] && { cat "$found"; status=1; }
done
# a merge left unresolved: conflict markers in any tracked file
if git grep -nE '^(<<<<<<< |>>>>>>> |=======$)' -- . ':!*.png' ':!*.jpg' >"$found"; then
	sed 's/$/: an unresolved merge conflict/' "$found"
	status=1
fi
[ "$status" -eq 0 ] && echo "check-limits: $(echo "$files" "$others" | wc -w) files, none over $MAX_FILE lines, no function over $MAX_FUNC lines"
exit "$status"
