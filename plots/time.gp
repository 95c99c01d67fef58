# time.gp - one kernel's median time per backend at one worker count (serial beside them),
# from a run's summary.csv: bars at the median, error bars from the fastest to the slowest
# repetition.
#
# cd DIR && mkdir charts && cp summary.csv charts && cd charts &&
#   gnuplot -c /path/to/plots/time.gp KERNEL SIZE WORKERS 'caption: host, date'
# Every value comes as a string argument and is used as data only (noenhanced text, no
# macros, no eval): parbench runs it in a fresh directory inside the run directory with
# summary.csv as parbench loaded it (never the run's own file), and moves up the plain names
# it writes there.
# writes time-KERNEL.png and .svg. Columns: 1 kernel, 2 backend, 3 workers, 4 size,
# 6 median_s, 7 min_s, 8 max_s (results/README.md).

set datafile separator ","
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set xtics rotate by -30 left
kernel = ARG1
size = ARG2 + 0
workers = ARG3 + 0
caption = ARG4
csv = "summary.csv"
out = "time-" . kernel

set label 1 caption at screen 0.01, 0.015 font ",9" noenhanced
set bmargin 7
set key off

ok(x) = strcol(1) eq kernel && $4 == size && ($3 == workers || strcol(2) eq "serial")

# the selected rows first, into a datablock: boxes need consecutive x positions
set table $sel
plot csv every ::1 using (1e3 * $6):(1e3 * $7):(1e3 * $8):(strcol(2)) with table if (ok(0))
unset table
set datafile separator "\t"

do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 960,600 noenhanced font ",11" }
	else { set terminal svg size 960,600 noenhanced font ",11" }

	set output out . "." . fmt
	set title sprintf("%s: median time per run at %d workers (serial: 1), bars: fastest..slowest", kernel, workers)
	set ylabel "time per run (ms)"
	set yrange [0:*]
	plot $sel using 0:1:xtic(4) with boxes lc rgb "#1f77b4", \
	     $sel using 0:1:2:3 with yerrorbars lc rgb "black" pt 0
	unset output
}
