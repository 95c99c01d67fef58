# palette.gp - one colour, point type and dash per backend, the same in every chart of every
# run: each chart script loads it (from its own directory) and draws backend B with linetype
# pal(B).  Colours are Okabe-Ito's colour-blind-safe set (and Paul Tol's wine for the eighth C
# backend); a CPython backend takes the colour of its C analogue (they never share a chart's
# panel: CPython rows have charts of their own) with the hollow form of its point type, and
# every backend has a point type of its own, so no two entries share colour and point.
# Dashes: solid for threads, dashed for processes, dotted for MPI ranks.
# tests/cli_report_html.sh checks that every backend of `parbench list` has an entry here.
# Format, one line per backend (the test reads it): set linetype N ... # NAME

pal_names = "serial pthreads pthreads-gil openmp fork-pool fork-pool-pipe mpi mpi+openmp " . \
	    "cpython cpython-threads cpython-ft cpython-threads-ft cpython-pool cpython-processes"
set linetype 1 lc rgb "#000000" pt 3 dt 1 lw 2 # serial
set linetype 2 lc rgb "#0072B2" pt 7 dt 1 lw 2 # pthreads
set linetype 3 lc rgb "#D55E00" pt 5 dt 1 lw 2 # pthreads-gil
set linetype 4 lc rgb "#009E73" pt 9 dt 1 lw 2 # openmp
set linetype 5 lc rgb "#E69F00" pt 11 dt 2 lw 2 # fork-pool
set linetype 6 lc rgb "#CC79A7" pt 13 dt 2 lw 2 # fork-pool-pipe
set linetype 7 lc rgb "#56B4E9" pt 15 dt 3 lw 2 # mpi
set linetype 8 lc rgb "#882255" pt 2 dt 3 lw 2 # mpi+openmp
set linetype 9 lc rgb "#000000" pt 1 dt 1 lw 2 # cpython
set linetype 10 lc rgb "#D55E00" pt 4 dt 1 lw 2 # cpython-threads
set linetype 11 lc rgb "#555555" pt 14 dt 1 lw 2 # cpython-ft
set linetype 12 lc rgb "#0072B2" pt 6 dt 1 lw 2 # cpython-threads-ft
set linetype 13 lc rgb "#CC79A7" pt 12 dt 2 lw 2 # cpython-pool
set linetype 14 lc rgb "#E69F00" pt 10 dt 2 lw 2 # cpython-processes
# any backend not named above (a new one before its line is added here)
set linetype 15 lc rgb "#999999" pt 8 dt 4 lw 2

# The linetype of backend b: its place in pal_names, or the last one.
pal_at(b, i) = i > words(pal_names) ? words(pal_names) + 1 : \
	       (word(pal_names, i) eq b ? i : pal_at(b, i + 1))
pal(b) = pal_at(b, 1)
