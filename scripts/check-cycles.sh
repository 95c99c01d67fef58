#!/bin/sh
# check-cycles.sh - no circle between source files: file A uses file B when A calls a function
# B defines (read off the object files of a build with nm: A's undefined symbols that are B's
# global functions; data and inline functions are not counted).  Every loop A -> B -> ... -> A
# among util/, kernels/, backends/ and bench/ is printed; exit 1 if there is one.  Tests and
# fuzz targets are left out.  `make test` runs it under CI (CI=true), after the build:
#   scripts/check-cycles.sh [BUILD_DIR]     (default: build)
# KEEP=1 keeps its work folder (the edges as "user used" lines) and says where it is.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ -d "$build/CMakeFiles" ] || { echo "check-cycles: no build in '$build' (build first)" >&2; exit 2; }
work=$(mktemp -d) # a folder of its own (not a guessable name in a shared folder)
trap '[ -n "${KEEP:-}" ] && echo "check-cycles: kept $work" >&2 || rm -rf "$work"' EXIT

# every object of the project's own libraries and program, as "source object" lines: the
# source is the object's path below its target's CMakeFiles/NAME.dir/ without ".o"
find "$build/CMakeFiles" -path '*.dir/*' -name '*.o' | sort |
	sed -n 's|^\(.*\.dir/\)\(.*\)\.o$|\2 \1\2.o|p' |
	grep -E '^(util|kernels|backends|bench)/' >"$work/objs" || true
[ -s "$work/objs" ] || { echo "check-cycles: no object files in '$build'" >&2; exit 2; }

# "D source symbol" for each global function, "U source symbol" for each undefined symbol
while read -r src obj; do
	nm -P "$obj" | awk -v S="$src" '$2 == "T" { print "D", S, $1 } $2 == "U" { print "U", S, $1 }'
done <"$work/objs" >"$work/syms"

# the edges "user used", each once, a file's calls to itself left out
awk '$1 == "D" { def[$3] = $2 } $1 == "U" { use[++n] = $2 " " $3 }
	END { for (i = 1; i <= n; i++) { split(use[i], p, " "); d = def[p[2]];
		if (d != "" && d != p[1] && !seen[p[1] " " d]++) print p[1], d } }' \
	"$work/syms" | sort >"$work/edges"

# the strongly connected components of more than one file (Tarjan, iteratively)
awk '
{ if (!($1 in id)) { id[$1] = ++nv; name[nv] = $1 }
  if (!($2 in id)) { id[$2] = ++nv; name[nv] = $2 }
  a = id[$1]; adj[a, ++deg[a]] = id[$2] }
END {
	for (s = 1; s <= nv; s++) {
		if (idx[s]) continue
		top = 0; stack[++top] = s; it[s] = 0
		idx[s] = low[s] = ++counter; sp[++ns] = s; on[s] = 1
		while (top) {
			v = stack[top]
			if (it[v] < deg[v]) {
				w = adj[v, ++it[v]]
				if (!idx[w]) {
					idx[w] = low[w] = ++counter; sp[++ns] = w; on[w] = 1
					it[w] = 0; stack[++top] = w
				} else if (on[w] && idx[w] < low[v]) low[v] = idx[w]
				continue
			}
			top--
			if (top && low[v] < low[stack[top]]) low[stack[top]] = low[v]
			if (low[v] == idx[v]) {
				line = ""; k = 0
				do { w = sp[ns--]; on[w] = 0; line = line " " name[w]; k++ } while (w != v)
				if (k > 1) { print "cycle:" line; bad = 1 }
			}
		}
	}
	exit bad
}' "$work/edges" >"$work/cycles" && status=0 || status=1

if [ "$status" -eq 0 ]; then
	echo "check-cycles: $(wc -l <"$work/objs") objects, $(wc -l <"$work/edges") file-to-file uses, no cycle"
	exit 0
fi
# each cycle's files, then the uses inside it (who calls what of whom)
while read -r _ files; do
	echo "check-cycles: these files use each other in a circle: $files"
	for a in $files; do
		for b in $files; do
			grep -qx "$a $b" "$work/edges" || continue
			fns=$(awk -v A="$a" -v B="$b" '$1 == "D" && $2 == B { d[$3] = 1 }
				$1 == "U" && $2 == A { u[$3] = 1 }
				END { for (f in u) if (f in d) printf "%s ", f }' "$work/syms")
			echo "  $a -> $b: $fns"
		done
	done
done <"$work/cycles"
exit 1
