# breakeven.gp - speedup against problem size for one kernel at one worker count, one line
# per backend: where each backend starts to beat serial (the dashed line at 1).
#
# cd DIR && mkdir charts && cp summary.csv charts && cd charts &&
#   gnuplot -c /path/to/plots/breakeven.gp KERNEL WORKERS 'pthreads ...' UNIT 'caption: host, date'
# Every value comes as a string argument and is used as data only (noenhanced text, no
# macros, no eval): parbench runs it in a fresh directory inside the run directory with
# summary.csv as parbench loaded it (never the run's own file), and moves up the plain names
# it writes there.
# writes breakeven-KERNEL.png and .svg. Columns: 1 kernel, 2 backend, 3 workers, 4 size,
# 12 speedup.

set datafile separator ","
set key outside right top box
set grid
set logscale x
set format x "10^{%L}"
here(s, i) = i < 1 ? "" : (s[i:i] eq "/" ? s[1:i] : here(s, i - 1))
load here(ARG0, strlen(ARG0)) . "palette.gp"
kernel = ARG1
workers = ARG2 + 0
backends = ARG3
unit = ARG4
caption = ARG5
csv = "summary.csv"
out = "breakeven-" . kernel

set label 1 caption at screen 0.01, 0.015 font ",9" noenhanced
set bmargin 5

# The rows of each backend, one after another (so that each line's points are consecutive),
# with the backend's number in a third column.
ok(b) = strcol(1) eq kernel && strcol(2) eq b && $3 == workers
set table $sel
do for [i = 1:words(backends)] {
	plot csv every ::1 using 4:12:(i) with table if (ok(word(backends, i)))
}
unset table
set datafile separator "\t"

do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 960,600 enhanced font ",11" }
	else { set terminal svg size 960,600 enhanced font ",11" }

	set output out . "." . fmt
	set title sprintf("%s: speedup over serial against size, %d workers (break-even where a line crosses 1)", kernel, workers) noenhanced
	set xlabel "size (" . unit . ")" noenhanced
	set ylabel "speedup (x, serial = 1)"
	set yrange [0:*]
	plot 1 title "serial (= 1)" with lines dashtype 2 lc rgb "gray40", \
	     for [i = 1:words(backends)] $sel using 1:($3 == i ? $2 : 1/0) \
	         title word(backends, i) noenhanced with linespoints lt (pal(word(backends, i))) pointsize 1.3
	unset output
}
