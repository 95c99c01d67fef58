# summary.gp - the whole run in one picture: every kernel's speedup at the largest worker
# count of each backend, with its 95 % interval, grouped by kernel; the ideal (= that worker
# count) as a dash across each group, serial (= 1) as a line.  The CPython rows, whose
# speedups are against cpython, get a panel of their own under the C one.
#
# cd DIR && mkdir charts && cp summary.csv charts && cd charts &&
#   gnuplot -c /path/to/plots/summary.gp 'KERNELS' 'BACKENDS' 'PY_KERNELS' 'PY_BACKENDS' \
#       'KERNEL:BACKEND:WORKERS:SIZE ...' 'caption: host, date'
# KERNELS, BACKENDS: the C panel's groups and series, in order; PY_*: the CPython panel's
# (empty: no such panel); then the rows to draw, by summary.csv's columns 1-4 as written.
# Every value comes as a string argument and is used as data only (noenhanced text, no
# macros, no eval): parbench runs it in a fresh directory inside the run directory with
# summary.csv as parbench loaded it (never the run's own file), and moves up the plain names
# it writes there.
# writes summary.png and summary.svg.  Columns: 1 kernel, 2 backend, 3 workers, 4 size,
# 12 speedup, 28 speedup_ci_lo, 29 speedup_ci_hi.  Colours, points: palette.gp.

set datafile separator ","
here(s, i) = i < 1 ? "" : (s[i:i] eq "/" ? s[1:i] : here(s, i - 1))
load here(ARG0, strlen(ARG0)) . "palette.gp"
kernels = ARG1
backends = ARG2
py_kernels = ARG3
py_backends = ARG4
rows = " " . ARG5 . " "
caption = ARG6
csv = "summary.csv"
have_py = words(py_backends) > 0 && words(py_kernels) > 0

# the place of word w in list (0: not there)
at(list, w, i) = i > words(list) ? 0 : (word(list, i) eq w ? i : at(list, w, i + 1))
# a row to draw: kernel, backend, workers and size as parbench named it
pick(ks) = strstrt(rows, " " . strcol(1) . ":" . strcol(2) . ":" . strcol(3) . ":" . strcol(4) . " ") > 0 && \
	   at(ks, strcol(1), 1) > 0
# series j of n in kernel group k: spread over 0.8 of the group's width
gx(ks, j, n) = at(ks, strcol(1), 1) + (n < 2 ? 0 : (j - (n + 1) / 2.0) * 0.8 / n)
is(ks, b) = pick(ks) && strcol(2) eq b
sx(ks, bs, j) = is(ks, word(bs, j)) ? gx(ks, j, words(bs)) : NaN

set logscale y 10
set ytics ("0.01" 0.01, "0.03" 0.03, "0.1" 0.1, "0.3" 0.3, "0.5" 0.5, "1" 1, "2" 2, "4" 4, \
	   "8" 8, "16" 16, "32" 32, "64" 64, "128" 128, "256" 256, "512" 512, "1024" 1024)
set grid ytics
set key outside right top box
set style arrow 1 nohead dashtype 2 lc rgb "gray40" lw 1.5

have_c = words(backends) > 0 && words(kernels) > 0
do for [fmt in "png svg"] {
	h = have_py && have_c ? 980 : 600
	if (fmt eq "png") { set terminal pngcairo size 1100,h noenhanced font ",11" }
	else { set terminal svg size 1100,h noenhanced font ",11" }
	set output "summary." . fmt
	set multiplot
	set label 1 caption at screen 0.01, 0.012 font ",9" noenhanced
	do for [p = 1:2] {
		if ((p == 1 && !have_c) || (p == 2 && !have_py)) { continue }
		ks = p == 1 ? kernels : py_kernels
		bs = p == 1 ? backends : py_backends
		base = p == 1 ? "serial" : "cpython"
		if (have_py && have_c) {
			set size 1, (p == 1 ? 0.56 : 0.42)
			set origin 0, (p == 1 ? 0.42 : 0.02)
		} else {
			set size 1, 0.96
			set origin 0, 0.02
		}
		set xrange [0.5:words(ks) + 0.5]
		set xtics () scale 0
		do for [i = 1:words(ks)] { set xtics add (word(ks, i) i) }
		set title sprintf("%s: speedup over %s at the largest worker count (median; bars: 95%% interval)", \
				  p == 1 ? "C backends" : "CPython rows", \
				  p == 1 ? "serial" : (strstrt(bs, "-ft") ? "cpython (-ft rows: cpython-ft)" : "cpython"))
		set ylabel sprintf("speedup (x, %s = 1, log scale)", base)
		plot 1 title base . " (= 1)" with lines lc rgb "gray60" lw 1, \
		     csv every ::1 using (pick(ks) ? at(ks, strcol(1), 1) - 0.45 : NaN):3:(0.9):(0) \
		         title "ideal (= workers)" with vectors arrowstyle 1, \
		     for [j = 1:words(bs)] csv every ::1 using (sx(ks, bs, j)):12:28:29 \
		         title word(bs, j) with yerrorbars lt (pal(word(bs, j))) dt 1 pointsize 1.4
		unset label 1
	}
	unset multiplot
	unset output
}
