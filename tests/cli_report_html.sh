#!/bin/sh
# cli_report_html.sh - a run that reads at a glance: the compact terminal view (at most 120
# lines for every kernel and default backend), --full, parbench --help as a command list, one
# colour per backend in every chart (plots/palette.gp), the summary picture, report.md as
# markdown tables, and report.html self-contained, rendered in headless Chromium.
# ctest: labels cli browser heavy; timeout 600; skip 77
. "$(dirname "$0")/cli_lib.sh"
plots="$here/../plots"

# parbench --help: the commands, one line each; a command's --help keeps its options.
"$pb" --help >"$tmp/help" 2>&1
n=$(wc -l <"$tmp/help")
[ "$n" -le 30 ] && ! grep -q "^options:" "$tmp/help" && ok || bad "--help: $n lines, or a command's options in it"
for c in list run costs topology filter report compare project roofline; do
	grep -Eq "^  $c +[a-z(]" "$tmp/help" && ok || bad "--help does not list $c"
done
"$pb" run --help | grep -q "^  --full " && ok || bad "run --help lacks --full"
"$pb" report --help | grep -q "^  --full " && ok || bad "report --help lacks --full"

# The palette: every backend of the registry has a line, its own place in pal_names, and no
# two share colour and point type; within the C backends and within the CPython ones (the
# series of one chart) no two share a colour.
"$pb" list | sed -n '/^backends:/,$p' | sed -n 's/^  \([a-z0-9+_-]*\) .*/\1/p' >"$tmp/backends"
[ "$(wc -l <"$tmp/backends")" -ge 6 ] && ok || bad "list: no backends read"
python3 - "$plots/palette.gp" "$tmp/backends" <<'EOF' && ok || bad "palette.gp"
import re, sys
text = open(sys.argv[1]).read()
names = " ".join(re.findall(r'"([^"]*)"', text.split("pal_names =", 1)[1].split("\n\n")[0])).split()
lines = {m[3]: (int(m[0]), m[1].lower(), int(m[2]))
         for m in re.findall(r'^set linetype (\d+) lc rgb "(#[0-9A-Fa-f]{6})" pt (\d+) dt \d+ lw \d+ # (\S+)$', text, re.M)}
bad = []
for b in open(sys.argv[2]).read().split():
    if b not in names or b not in lines or lines[b][0] != names.index(b) + 1:
        bad.append("backend %s has no palette entry at its place" % b)
pairs = [(c, p) for _, c, p in lines.values()]
if len(set(pairs)) != len(pairs):
    bad.append("two entries share colour and point")
for fam in (False, True):
    cols = [v[1] for k, v in lines.items() if k.startswith("cpython") == fam]
    if len(set(cols)) != len(cols):
        bad.append("two %s backends share a colour" % ("CPython" if fam else "C"))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF

# A quick run of every kernel and the default backends at tiny sizes: the compact view.
"$pb" run --quick --repetitions 2 --sleep-us 100 \
	--size sum_squares=1e5,range_sum=1e4,io_wait=4,grayscale=64,sepia=64,box_blur=64,sharpen=64 \
	--python-size sum_squares=2000,range_sum=200,io_wait=4 --out "$tmp/run" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "run: exit $rc: $(head -c 400 "$tmp/err")"
n=$(wc -l <"$tmp/out")
[ "$n" -le 120 ] && ok || bad "run --quick printed $n lines (at most 120)"
[ "$(grep -c "^  speedup at: " "$tmp/out")" -eq 7 ] && ok || bad "not one compact table per kernel: $(grep -c "speedup at" "$tmp/out")"
grep -Eq "^  pthreads +[0-9.]+ \([0-9.]+-[0-9.]+\)" "$tmp/out" && ok || bad "no speedup with its interval in a cell"
grep -q "^sum_squares: size 100000.*; serial [0-9.]* [mu]*s, " "$tmp/out" && ok || bad "no serial time and rate in the heading"
grep -q "^  in CPython (size 2000), against cpython " "$tmp/out" && ok || bad "no CPython rows under their own baseline"
grep -q "Karp-Flatt .* at 2 workers, Amdahl fit" "$tmp/out" && bad "analysis lines on the terminal" || ok
grep -q "^results: $tmp/run (report.html" "$tmp/out" && ok || bad "no results line naming report.html"
for f in summary.svg summary.png report.html report.md; do
	[ -s "$tmp/run/$f" ] && ok || bad "run: $f missing or empty"
done
# report DIR prints the same view; --full the full tables, as run --full does
"$pb" report "$tmp/run" >"$tmp/rep" 2>"$tmp/err" && ok || bad "report: $(head -c 300 "$tmp/err")"
[ "$(grep -c "^  speedup at: " "$tmp/rep")" -eq 7 ] && [ "$(wc -l <"$tmp/rep")" -le 120 ] && ok || bad "report: not the compact view"
"$pb" report --full "$tmp/run" >"$tmp/rep" 2>"$tmp/err"
grep -q "^  backend  *workers  *median  *+-med" "$tmp/rep" && grep -q "serial fraction: Karp-Flatt\|slower than serial at every" "$tmp/rep" && ok || bad "report --full: not the full tables"
"$pb" run --full --quick --kernels io_wait --backends pthreads --workers 1,2 --size 4 --sleep-us 100 \
	--repetitions 2 --out "$tmp/full" >"$tmp/out" 2>"$tmp/err"
grep -q "^# io_wait: size 4 " "$tmp/out" && grep -q "^  backend  *workers  *median" "$tmp/out" && ok || bad "run --full: $(head -c 300 "$tmp/out")"

# report.md: markdown tables (no code block), the summary table first.
! grep -q '^```' "$tmp/run/report.md" && ok || bad "report.md holds a code block"
[ "$(grep -m1 '^|' "$tmp/run/report.md" | cut -c1-29)" = "| kernel | workers | serial |" ] && ok || bad "report.md: the first table is not the summary: $(grep -m1 '^|' "$tmp/run/report.md")"
grep -q "^!\[every kernel's speedup.*\](summary.png)$" "$tmp/run/report.md" && ok || bad "report.md: no summary picture"
grep -q "^| pthreads | [0-9.]* (" "$tmp/run/report.md" && ok || bad "report.md: no compact table"
grep -q "^| backend | workers | median | +-med | min | max | cv | speedup | 95% interval |" "$tmp/run/report.md" && ok || bad "report.md: no full table"

# Every chart: one colour per backend across the run's charts, no two series of a chart with
# the same colour and point.
python3 - "$tmp/run" "$tmp/backends" <<'EOF' && ok || bad "chart colours"
import glob, re, sys
backends = set(open(sys.argv[2]).read().split())
seen, bad = {}, []
for svg in sorted(glob.glob(sys.argv[1] + "/*.svg")):
    text = open(svg).read()
    pairs = {}
    for chunk in text.split('id="gnuplot_plot_')[1:]:
        name = re.search(r"<text>([^<]*)</text>", chunk)
        col = re.search(r"(?:stroke|color)='(rgb\([ 0-9]+,[ 0-9]+,[ 0-9]+\))'", chunk)
        pt = re.search(r"href='#(gpPt\d+)'[^>]*color='rgb", chunk) # not the white under a point
        if not name or name.group(1) not in backends or not col:
            continue
        b, c, p = name.group(1), col.group(1).replace(" ", ""), pt.group(1) if pt else None
        seen.setdefault(b, set()).add(c)
        if pairs.get((c, p), b) != b:
            bad.append("%s: %s and %s share colour and point" % (svg, pairs[(c, p)], b))
        pairs[(c, p)] = b
for b, cols in seen.items():
    if len(cols) != 1:
        bad.append("%s has %d colours: %s" % (b, len(cols), sorted(cols)))
if len(seen) < 6:
    bad.append("only %d backends found in the charts" % len(seen))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF

# report.html: one file, the summary first, every chart inline as SVG, nothing fetched, no
# script.
h="$tmp/run/report.html"
svgs=$(ls "$tmp/run"/*.svg | wc -l)
[ "$(grep -c "<svg " "$h")" -eq "$svgs" ] && ok || bad "report.html inlines $(grep -c "<svg " "$h") charts of $svgs"
grep -qi "<script\|<link\|<img\|<iframe\| src=\|@import\|url(http" "$h" && bad "report.html fetches or scripts" || ok
[ "$(grep -o "https\?://[^\"']*" "$h" | sort -u | tr '\n' ' ')" = "http://www.w3.org/1999/xlink http://www.w3.org/2000/svg " ] && ok || bad "report.html names addresses: $(grep -o "https\?://[^\"']*" "$h" | sort -u | head -5)"
[ "$(grep -o "<th>[^<]*</th>" "$h" | head -2 | tr -d '\n')" = "<th>kernel</th><th>workers</th>" ] && ok || bad "report.html: the first table is not the summary"
[ "$(grep -o '<svg role="img" aria-label="[^"]*"' "$h" | head -1)" = '<svg role="img" aria-label="every kernel&#39;s speedup at the largest worker count per backend, with 95% intervals; the CPython rows in their own panel"' ] && ok || bad "report.html: the summary picture is not the first chart"
grep -o " id='[^']*'" "$h" | sort | uniq -d | grep -q . && bad "report.html: an id given twice" || ok

# Text from the run directory is escaped: a host name with markup becomes text.
cp -r "$tmp/run" "$tmp/hostile"
sed -i 's/"host": "[^"]*"/"host": "<b onmouseover=alert(1)>x<\/b>|*~"/' "$tmp/hostile/meta.json"
"$pb" report "$tmp/hostile" >/dev/null 2>"$tmp/err" && ok || bad "hostile report: $(head -c 300 "$tmp/err")"
grep -q "<b onmouseover" "$tmp/hostile/report.html" && bad "report.html: the host name is markup" || ok
grep -q "&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt;|\*~" "$tmp/hostile/report.html" && ok || bad "report.html: the host name is not shown escaped"
grep -q '\\<b onmouseover=alert(1)\\>x\\</b\\>\\|\\\*\\~' "$tmp/hostile/report.md" && ok || bad "report.md: the host name is not escaped"
# a chart this report did not make (a script planted under the name of a chart of size sweeps)
# is not inlined
printf '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' >"$tmp/hostile/breakeven-sum_squares.svg"
"$pb" report "$tmp/hostile" >/dev/null 2>&1
grep -q "alert(1)</script>" "$tmp/hostile/report.html" && bad "report.html inlined a planted chart" || ok

# In a real browser: the page is not blank, shows the palette's colours in the first
# screen, and is as tall as its charts.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	if [ "${PB_REQUIRE_ALL:-OFF}" = ON ]; then
		bad "chromium is required (PB_REQUIRE_ALL; apt-get install chromium)"
		finish
	fi
	echo "SKIP: no chromium: report.html not rendered ($passed passed, $failed failed)"
	[ "$failed" -eq 0 ] && exit 77
	finish
fi
# shot WIDTH HEIGHT SCALE OUT: report.html rendered by headless Chromium (no network)
shot() {
	prof=$(mktemp -d)
	timeout 180 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --hide-scrollbars --force-device-scale-factor="$3" \
		--window-size="$1,$2" --screenshot="$4" "file://$h" >"$tmp/chromium.log" 2>&1
	rm -rf "$prof"
	[ -s "$4" ]
}
tall=$(python3 -c 'import re, sys; print(sum(int(x) for x in re.findall(r"<svg role=\"img\"[^>]*?\sheight=\"(\d+)\"", open(sys.argv[1]).read())))' "$h")
[ "$tall" -gt 5000 ] && ok || bad "report.html: its charts are $tall px tall"
shot 1280 1400 1 "$tmp/top.png" && shot 1280 $((tall + 4000)) 0.5 "$tmp/all.png" && ok ||
	bad "chromium made no screenshot: $(tail -3 "$tmp/chromium.log")"
python3 - "$tmp/top.png" "$tmp/all.png" "$tall" "$plots/palette.gp" <<'EOF' && ok || bad "rendered report.html"
import re, struct, sys, zlib

def rows(path, limit=None):
    """The PNG's rows (8-bit RGB or RGBA, not interlaced), top first, as bytes."""
    data = open(path, "rb").read()
    pos, idat = 8, []
    while pos < len(data):
        n, t = struct.unpack(">I4s", data[pos:pos + 8])
        if t == b"IHDR":
            w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", data[pos + 8:pos + 21])
        elif t == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + n])
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6) and lace == 0, (depth, ctype, lace)
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), w * bpp
    prev, out = bytearray(stride), []
    for y in range(h if limit is None else min(h, limit)):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f in (1, 3, 4):
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b, c = prev[x], prev[x - bpp] if x >= bpp else 0
                if f == 1:
                    p = a
                elif f == 3:
                    p = (a + b) // 2
                else:
                    q = a + b - c
                    p = a if abs(q - a) <= abs(q - b) and abs(q - a) <= abs(q - c) else b if abs(q - b) <= abs(q - c) else c
                line[x] = (line[x] + p) & 255
        out.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3))
        prev = line
    return w, h, out

bad = []
w, h, top = rows(sys.argv[1])
pixels = [r[x:x + 3] for r in top for x in range(0, len(r), 3)]
colours = set(pixels)
ink = sum(1 for p in pixels if min(p) < 200) / len(pixels)
if len(colours) < 100 or ink < 0.03:
    bad.append("the first screen looks blank: %d colours, %.1f%% ink" % (len(colours), 100 * ink))
pal = [bytes.fromhex(c) for c in re.findall(r'lc rgb "#([0-9A-Fa-f]{6})" pt \d+ dt \d+ lw \d+ # (?!serial|cpython\b)', open(sys.argv[4]).read())]
shown = [c for c in pal if any(all(abs(p[i] - c[i]) <= 6 for i in range(3)) for p in colours)]
if len(shown) < 5:
    bad.append("the summary picture's colours are not on the first screen (%d of %d)" % (len(shown), len(pal)))
w, h, page = rows(sys.argv[2])
scale = w / 1280
last = max((y for y, r in enumerate(page) if min(r) < 200), default=0)
if last / scale < int(sys.argv[3]):
    bad.append("the page ends at %d px, its charts alone are %s px tall" % (last / scale, sys.argv[3]))
print("\n".join(bad) or "rendered: %d colours on the first screen, %.0f%% ink, page %d px, charts %s px" % (len(colours), 100 * ink, last / scale, sys.argv[3]))
sys.exit(1 if bad else 0)
EOF
finish
