# time.gp - one kernel's median time per backend at one worker count (serial beside them),
# from a run's summary.csv: bars at the median in each backend's colour (palette.gp), error
# bars the median's 95 % interval (order statistics; min .. max with too few repetitions).
#
# cd DIR && mkdir charts && cp summary.csv charts && cd charts &&
#   gnuplot -c /path/to/plots/time.gp KERNEL SIZE WORKERS 'caption: host, date' ['serial pthreads ...']
# (the last argument: only these backends; the C ones, as CPython rows have charts of their own)
# Every value comes as a string argument and is used as data only (noenhanced text, no
# macros, no eval): parbench runs it in a fresh directory inside the run directory with
# summary.csv as parbench loaded it (never the run's own file), and moves up the plain names
# it writes there.
# writes time-KERNEL.png and .svg. Columns: 1 kernel, 2 backend, 3 workers, 4 size,
# 6 median_s, 25 median_ci_lo_s, 26 median_ci_hi_s (results/README.md).

set datafile separator ","
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set xtics rotate by -30 left
here(s, i) = i < 1 ? "" : (s[i:i] eq "/" ? s[1:i] : here(s, i - 1))
load here(ARG0, strlen(ARG0)) . "palette.gp"
kernel = ARG1
size = ARG2 + 0
workers = ARG3 + 0
caption = ARG4
only = exists("ARG5") ? " " . ARG5 . " " : ""
csv = "summary.csv"
out = "time-" . kernel

set label 1 caption at screen 0.01, 0.015 font ",9" noenhanced
set bmargin 7
set key off

ok(x) = strcol(1) eq kernel && $4 == size && ($3 == workers || strcol(2) eq "serial") && \
	(only eq "" || strstrt(only, " " . strcol(2) . " ") > 0)

# the selected rows first, into a datablock: boxes need consecutive x positions
set table $sel
plot csv every ::1 using (1e3 * $6):(1e3 * $25):(1e3 * $26):(strcol(2)) with table if (ok(0))
unset table
set datafile separator "\t"

do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 960,600 noenhanced font ",11" }
	else { set terminal svg size 960,600 noenhanced font ",11" }

	set output out . "." . fmt
	set title sprintf("%s: median time per run at %d workers (serial: 1); bars: the median's 95%% interval", kernel, workers)
	set ylabel "time per run (ms)"
	set yrange [0:*]
	plot $sel using 0:1:(pal(strcol(4))):xtic(4) with boxes lc variable, \
	     $sel using 0:1:2:3 with yerrorbars lc rgb "black" pt 0
	unset output
}
