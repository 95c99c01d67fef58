# roof.gp - one kernel's rate against the roof measured in the same run, from a run's
# summary.csv, roof.csv and (filters) compute.csv.
#
# cd DIR && mkdir charts && cp summary.csv roof.csv compute.csv charts && cd charts &&
#   gnuplot -c /path/to/plots/roof.gp KERNEL SIZE IMAGE 'serial pthreads ...' 'caption: host, date' COMPUTE
# Every value comes as a string argument and is used as data only (noenhanced text, no
# macros, no eval): parbench runs it in a fresh directory inside the run directory with
# summary.csv, roof.csv and compute.csv as parbench loaded them (never the run's own files),
# and moves up the plain names it writes there.
# IMAGE=1 (filters): GB/s moved (bytes read + written / median) against workers, per backend,
#   with both ceilings measured with as many workers: the copy bandwidth (memory) and, for
#   COMPUTE=1 (the run wrote compute.csv), the filter's rate on its in-cache tile (compute).
# IMAGE=0 (compute kernels): core cycles per item (median x clock x workers / items) against
#   workers, per backend; lower is better, a flat line is perfect scaling.
# writes roof-KERNEL.png and .svg.  Columns (results/README.md): summary 1 kernel, 2 backend,
# 3 workers, 4 size, 24 gb_per_s, 39 cycles_per_item; roof.csv 1 workers, 2 copy_gb_per_s;
# compute.csv 1 kernel, 2 workers, 3 compute_gb_per_s.

set datafile separator ","
set key outside right top box
set grid
set xlabel "workers"
set xtics 1
here(s, i) = i < 1 ? "" : (s[i:i] eq "/" ? s[1:i] : here(s, i - 1))
load here(ARG0, strlen(ARG0)) . "palette.gp"
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

ncompute = ARG6 eq "1" ? 1 : 0  # the compute ceiling drawn (a loop of 0 or 1: no file named "")
sel(b) = strcol(1) eq kernel && strcol(2) eq b && (size == 0 || $4 == size)
row(b, col) = sel(b) ? column(col) : NaN

stats csv using (strcol(1) eq kernel ? $3 : NaN) every ::1 nooutput
maxw = STATS_max
# series i sits a little to the side of its worker count, so that equal values stay visible
off(i) = (i - (words(backends) + 1) / 2.0) * 0.012 * (maxw - 0.5)

do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 960,600 noenhanced font ",11" }
	else { set terminal svg size 960,600 noenhanced font ",11" }

	set output out . "." . fmt
	set xrange [0.75:maxw + 0.25]
	set yrange [0:*]
	if (image) {
		set title sprintf("%s: GB/s moved (read + written) against the ceilings measured in this run", kernel)
		set ylabel "GB/s"
		plot roof every ::1 using 1:2 title "copy bandwidth (memory ceiling)" with linespoints \
		         dashtype 2 lc rgb "black" pt 2 lw 2, \
		     for [j = 1:ncompute] "compute.csv" every ::1 using (strcol(1) eq kernel ? $2 : NaN):3 \
		         title "in-cache rate (compute ceiling)" with linespoints \
		         dashtype 3 lc rgb "#555555" pt 3 lw 2, \
		     for [i = 1:words(backends)] csv every ::1 \
		         using (row(word(backends, i), 3) + off(i)):(row(word(backends, i), 24)) \
		         title word(backends, i) with linespoints lt (pal(word(backends, i))) pointsize 1.3
	} else {
		set title sprintf("%s: core cycles per item (median x clock x workers / items; lower is better)", kernel)
		set ylabel "cycles per item"
		plot for [i = 1:words(backends)] csv every ::1 \
		         using (row(word(backends, i), 3) + off(i)):(row(word(backends, i), 39)) \
		         title word(backends, i) with linespoints lt (pal(word(backends, i))) pointsize 1.3
	}
	unset output
}
