# speedup.gp - speedup and efficiency vs workers for one kernel, from a run's summary.csv.
#
# cd DIR && mkdir charts && cp summary.csv charts && cd charts &&
#   gnuplot -c /path/to/plots/speedup.gp KERNEL SIZE 'pthreads openmp ...' 'caption: host, date' [FAMILY]
# (SIZE: the rows of that size only, for size sweeps; 0 = every row of the kernel.
# FAMILY: c (default), the C backends against serial; cpython, the CPython rows against
# cpython (cpython-threads-ft's against cpython-ft), into speedup-cpython-KERNEL*)
# Every value comes as a string argument and is used as data only (noenhanced text, no
# macros, no eval): parbench runs it in a fresh directory inside the run directory with
# summary.csv as parbench loaded it (never the run's own file), and moves up the plain names
# it writes there.
# writes speedup-KERNEL.png/.svg and speedup-KERNEL-efficiency.png/.svg. Columns used (see
# results/README.md): 1 kernel, 2 backend, 3 workers, 4 size, 12 speedup, 13 efficiency,
# 28 speedup_ci_lo, 29 speedup_ci_hi.  Error bars are the speedup's 95 % interval (bootstrap
# over the repetitions).  Each backend has its colour, point and dash from palette.gp, and is
# drawn a little to the side of its worker count (a fixed offset per series), so that series
# at the same value stay visible.

set datafile separator ","
set key outside right top box
set grid
set xlabel "workers"
set mxtics 1
here(s, i) = i < 1 ? "" : (s[i:i] eq "/" ? s[1:i] : here(s, i - 1))
load here(ARG0, strlen(ARG0)) . "palette.gp"
kernel = ARG1
size = ARG2 + 0
backends = ARG3
caption = ARG4
py = exists("ARG5") && ARG5 eq "cpython"
csv = "summary.csv"
out = py ? "speedup-cpython-" . kernel : "speedup-" . kernel
base = py ? (strstrt(backends, "-ft") ? "cpython (the -ft rows: cpython-ft)" : "cpython") : "serial"
what = py ? kernel . " in CPython" : kernel

set label 1 caption at screen 0.01, 0.015 font ",9" noenhanced
set bmargin 5

sel(b) = strcol(1) eq kernel && strcol(2) eq b && (size == 0 || $4 == size)
row(b, col) = sel(b) ? column(col) : NaN

stats csv using (strcol(1) eq kernel ? $3 : NaN) every ::1 nooutput
maxw = STATS_max
n = words(backends)
# worker counts up to 4 on a linear axis, more on a log2 one; series i sits off(i) of the
# axis' width to the side
logx = maxw > 4
off(i) = (i - (n + 1) / 2.0) * 0.012
if (logx) {
	set logscale x 2
	set xrange [0.8:maxw * 1.25]
	set xtics 2
	set samples 100
	lspan = log(maxw * 1.25 / 0.8) / log(2)
} else {
	set xrange [0.75:maxw + 0.25]
	set xtics 1
	set samples 2
	lspan = 0
}
xs(b, i) = !sel(b) ? NaN : logx ? $3 * 2 ** (off(i) * lspan) : $3 + off(i) * (maxw - 0.5)

do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 960,600 noenhanced font ",11" }
	else { set terminal svg size 960,600 noenhanced font ",11" }

	set output out . "." . fmt
	set title sprintf("%s: speedup over %s (median; bars: 95%% interval)", what, base)
	set ylabel sprintf("speedup (x, %s = 1)", py ? "cpython" : "serial")
	set yrange [0:*]
	plot x title "ideal (= workers)" with lines dashtype 2 lc rgb "gray40", \
	     for [i = 1:n] csv every ::1 \
	         using (xs(word(backends, i), i)):(row(word(backends, i), 12)):(row(word(backends, i), 28)):(row(word(backends, i), 29)) \
	         title word(backends, i) with yerrorlines lt (pal(word(backends, i))) pointsize 1.3

	set output out . "-efficiency." . fmt
	set title sprintf("%s: parallel efficiency (speedup over %s / workers; bars: 95%% interval)", what, base)
	set ylabel "efficiency (%)"
	set yrange [0:*]
	plot 100 title "ideal (100 %)" with lines dashtype 2 lc rgb "gray40", \
	     for [i = 1:n] csv every ::1 \
	         using (xs(word(backends, i), i)):(100 * row(word(backends, i), 13)):(100 * row(word(backends, i), 28) / $3):(100 * row(word(backends, i), 29) / $3) \
	         title word(backends, i) with yerrorlines lt (pal(word(backends, i))) pointsize 1.3
	unset output
}
