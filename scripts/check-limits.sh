#!/bin/sh
# check-limits.sh - the layout's size limits (bench/README.md): no C/C++ source or header
# over 400 lines, no function over 80 lines, in bench/, backends/, kernels/, tests/ and
# fuzz/.  A function is counted from its first line (a line at column 0 ending a signature)
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
	'tests/*.[ch]' 'fuzz/*.[ch]')
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
# a merge left unresolved: conflict markers in any tracked file
if git grep -nE '^(<<<<<<< |>>>>>>> |=======$)' -- . ':!*.png' ':!*.jpg' >"$found"; then
	sed 's/$/: an unresolved merge conflict/' "$found"
	status=1
fi
[ "$status" -eq 0 ] && echo "check-limits: $(echo "$files" | wc -l) files, none over $MAX_FILE lines, no function over $MAX_FUNC lines"
exit "$status"
