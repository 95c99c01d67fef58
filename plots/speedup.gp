# speedup.gp - speedup and efficiency vs workers for one kernel, from a run's summary.csv.
#
# cd DIR && mkdir charts && cp summary.csv charts && cd charts &&
#   gnuplot -c /path/to/plots/speedup.gp KERNEL SIZE 'pthreads openmp ...' 'caption: host, date'
# (SIZE: the rows of that size only, for size sweeps; 0 = every row of the kernel)
# Every value comes as a string argument and is used as data only (noenhanced text, no
# macros, no eval): parbench runs it in a fresh directory inside the run directory with
# summary.csv as parbench loaded it (never the run's own file), and moves up the plain names
# it writes there.
# writes speedup-KERNEL.png/.svg and speedup-KERNEL-efficiency.png/.svg. Columns used (see
# results/README.md): 1 kernel, 2 backend, 3 workers, 6 median_s, 7 min_s, 8 max_s,
# 12 speedup, 13 efficiency. Error bars span the speedups of the slowest and the fastest
# repetition: speedup * median / max .. speedup * median / min.

set datafile separator ","
set key outside right top box
set grid
set xlabel "workers"
set xtics 1
set mxtics 1
# distinct colours and point shapes; no yellow
set linetype 1 lc rgb "#1f77b4" pt 5 lw 2
set linetype 2 lc rgb "#d62728" pt 7 lw 2
set linetype 3 lc rgb "#2ca02c" pt 9 lw 2
set linetype 4 lc rgb "#9467bd" pt 11 lw 2
set linetype 5 lc rgb "#8c564b" pt 13 lw 2
set linetype 6 lc rgb "#e377c2" pt 4 lw 2
set linetype 7 lc rgb "#17becf" pt 6 lw 2
set linetype 8 lc rgb "#7f7f7f" pt 8 lw 2
kernel = ARG1
size = ARG2 + 0
backends = ARG3
caption = ARG4
csv = "summary.csv"
out = "speedup-" . kernel

set label 1 caption at screen 0.01, 0.015 font ",9" noenhanced
set bmargin 5

sel(b) = strcol(1) eq kernel && strcol(2) eq b && (size == 0 || $4 == size)
row(b, col) = sel(b) ? column(col) : NaN
lo(b) = sel(b) ? $12 * $6 / $8 : NaN
hi(b) = sel(b) ? $12 * $6 / $7 : NaN

stats csv using (strcol(1) eq kernel ? $3 : NaN) every ::1 nooutput
maxw = STATS_max

do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 960,600 noenhanced font ",11" }
	else { set terminal svg size 960,600 noenhanced font ",11" }

	set output out . "." . fmt
	set title sprintf("%s: speedup over serial (median, bars: fastest..slowest repetition)", kernel)
	set ylabel "speedup (x, serial = 1)"
	set xrange [0.75:maxw + 0.25]
	set yrange [0:*]
	set samples 2
	plot x title "ideal (= workers)" with lines dashtype 2 lc rgb "gray40", \
	     for [i = 1:words(backends)] csv every ::1 \
	         using (row(word(backends, i), 3)):(row(word(backends, i), 12)):(lo(word(backends, i))):(hi(word(backends, i))) \
	         title word(backends, i) with yerrorlines lt i pointsize 1.3

	set output out . "-efficiency." . fmt
	set title sprintf("%s: parallel efficiency (speedup / workers)", kernel)
	set ylabel "efficiency (%)"
	set yrange [0:*]
	plot 100 title "ideal (100 %)" with lines dashtype 2 lc rgb "gray40", \
	     for [i = 1:words(backends)] csv every ::1 \
	         using (row(word(backends, i), 3)):(100 * row(word(backends, i), 13)) \
	         title word(backends, i) with linespoints lt i pointsize 1.3
	unset output
}
