#!/bin/sh
# parallel.sh -- spread a --batch stream over the cores with GNU parallel.
#
# Points are independent, so GNU parallel can cut the stream into blocks
# (--pipe --block), give each job the header line again (--header :), run
# one gradtool --batch per block and print the blocks' answers in input
# order (--keep-order).  Each job prints the header again: awk keeps the
# first.  With --sshlogin (or -S host1,host2) the same line runs the jobs
# on other machines that have gradtool.  Needs GNU parallel (Debian
# package parallel).  GRADTOOL names the binary (default: gradtool on PATH).
set -eu
gradtool=${GRADTOOL:-gradtool}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gt-parallel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

{ echo x; seq 0 0.001 20; } >"$tmp/points.csv"

# one process, for comparison
"$gradtool" --batch -e 'y = sin(x^2) / (1 + x)' <"$tmp/points.csv" >"$tmp/one.csv"

# the same points over every core, in blocks of about 64 kB
parallel --will-cite --pipe --header : --keep-order --block 64k \
    "$gradtool" --batch -e "'y = sin(x^2) / (1 + x)'" <"$tmp/points.csv" |
  awk 'NR == 1 { header = $0; print; next } $0 != header' >"$tmp/many.csv"

echo "rows: $(($(wc -l <"$tmp/many.csv") - 1))"
head -1 "$tmp/many.csv"
if cmp -s "$tmp/one.csv" "$tmp/many.csv"; then
  echo "the same rows, in the same order, as one process"
else
  echo "the rows differ from one process's" >&2
  exit 1
fi
