# roof.gp - one kernel's rate against the roof measured in the same run, from a run's
# summary.csv and roof.csv.
#
# cd DIR && mkdir charts && cp summary.csv roof.csv charts && cd charts &&
#   gnuplot -c /path/to/plots/roof.gp KERNEL SIZE IMAGE 'serial pthreads ...' 'caption: host, date'
# Every value comes as a string argument and is used as data only (noenhanced text, no
# macros, no eval): parbench runs it in a fresh directory inside the run directory with
# summary.csv and roof.csv as parbench loaded them (never the run's own files), and moves up
# the plain names it writes there.
# IMAGE=1 (filters): GB/s moved (bytes read + written / median) against workers, per backend,
#   with the copy bandwidth measured with as many workers as the ceiling.
# IMAGE=0 (compute kernels): core cycles per item (median x clock x workers / items) against
#   workers, per backend; lower is better, a flat line is perfect scaling.
# writes roof-KERNEL.png and .svg.  Columns (results/README.md): summary 1 kernel, 2 backend,
# 3 workers, 4 size, 24 gb_per_s, 39 cycles_per_item; roof.csv 1 workers, 2 copy_gb_per_s.

set datafile separator ","
set key outside right top box
set grid
set xlabel "workers"
set xtics 1
set linetype 1 lc rgb "#1f77b4" pt 5 lw 2
set linetype 2 lc rgb "#d62728" pt 7 lw 2
set linetype 3 lc rgb "#2ca02c" pt 9 lw 2
set linetype 4 lc rgb "#9467bd" pt 11 lw 2
set linetype 5 lc rgb "#8c564b" pt 13 lw 2
set linetype 6 lc rgb "#e377c2" pt 4 lw 2
set linetype 7 lc rgb "#17becf" pt 6 lw 2
set linetype 8 lc rgb "#7f7f7f" pt 8 lw 2
set linetype 9 lc rgb "#bcbd22" pt 10 lw 2
kernel = ARG1
size = ARG2 + 0
image = ARG3 + 0
backends = ARG4
caption = ARG5
csv = "summary.csv"
roof = "roof.csv"
out = "roof-" . kernel

set label 1 caption at screen 0.01, 0.015 font ",9" noenhanced
set bmargin 5

sel(b) = strcol(1) eq kernel && strcol(2) eq b && (size == 0 || $4 == size)
row(b, col) = sel(b) ? column(col) : NaN

stats csv using (strcol(1) eq kernel ? $3 : NaN) every ::1 nooutput
maxw = STATS_max

do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 960,600 noenhanced font ",11" }
	else { set terminal svg size 960,600 noenhanced font ",11" }

	set output out . "." . fmt
	set xrange [0.75:maxw + 0.25]
	set yrange [0:*]
	if (image) {
		set title sprintf("%s: GB/s moved (read + written) against the copy bandwidth measured in this run", kernel)
		set ylabel "GB/s"
		plot roof every ::1 using 1:2 title "copy bandwidth (roof)" with linespoints \
		         dashtype 2 lc rgb "black" pt 2 lw 2, \
		     for [i = 1:words(backends)] csv every ::1 \
		         using (row(word(backends, i), 3)):(row(word(backends, i), 24)) \
		         title word(backends, i) with linespoints lt i pointsize 1.3
	} else {
		set title sprintf("%s: core cycles per item (median x clock x workers / items; lower is better)", kernel)
		set ylabel "cycles per item"
		plot for [i = 1:words(backends)] csv every ::1 \
		         using (row(word(backends, i), 3)):(row(word(backends, i), 39)) \
		         title word(backends, i) with linespoints lt i pointsize 1.3
	}
	unset output
}
