#!/bin/sh
# derivatives.sh -- draw f, f' and f'' of a program over a range with
# gnuplot, from one gradtool --batch pipeline.
#
# seq makes the points under a header line; --order 2 --all-orders gives
# the value, the first and the second derivative on each row, in TSV;
# gnuplot reads the columns by their header names.  Writes
# derivatives.png (or the file named by $1) and prints its name.
# Needs gnuplot (Debian package gnuplot-nox).  GRADTOOL names the binary
# (default: gradtool on PATH).
set -eu
gradtool=${GRADTOOL:-gradtool}
png=${1:-derivatives.png}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gt-plot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

{ echo x; seq -3 0.01 3; } |
  "$gradtool" --batch --order 2 --all-orders --format=tsv --digits 10 \
    -e 'y = sin(3*x) * exp(-x^2/2)' >"$tmp/table.tsv"

gnuplot <<GNUPLOT
set terminal pngcairo size 800,480 font ",11"
set output "$png"
set datafile separator "\t"
set key top right
set grid
set xlabel "x"
set title "y = sin(3x) exp(-x^2/2) and its derivatives (gradtool --batch --order 2)"
plot "$tmp/table.tsv" using 1:2 with lines linewidth 2 title "y", \
     "" using 1:3 with lines linewidth 2 title "dy/dx", \
     "" using 1:4 with lines linewidth 2 title "d2y/dx2"
GNUPLOT
echo "$png"
