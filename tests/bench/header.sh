#!/bin/bash
# header.sh -- make bench: the time to read a --batch header of N columns.
#
# For N = 10^4, 10^5 and 10^6 the header c1,...,cN,c1 is fed to
# `gradtool --batch -e 'y = 1'`, which reads the whole line, checks its
# names for duplicates and stops at the last one ("the header names 'c1'
# twice", exit 2).  Printed: N, the best time of REPS runs (the machines
# are shared) less that of a one-column header (the start of the
# process), and the time per column; linear reading keeps the time per
# column about constant (issue 11: the quadratic check took 2.4 s at
# 40,000 columns and did not finish at 10^6).  Informational: the script
# fails only when gradtool does not give the expected error.
#
# Usage: header.sh [REPS]   (default 3)
# GRADTOOL is the binary (default: $top_builddir/cli/gradtool).
set -u
export LC_ALL=C
reps=${1:-3}
GRADTOOL=${GRADTOOL:-${top_builddir:-.}/cli/gradtool}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gradtool-bench.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# best_ns N: the best time in ns of $reps runs over a header of N columns
# and a repeated first one
best_ns() {
  local n=$1 best= t0 t1 st t
  { seq 1 "$n"; echo 1; } | sed 's/^/c/' | paste -sd, - >"$tmp/points.csv"
  for _ in $(seq 1 "$reps"); do
    t0=$(date +%s%N)
    "$GRADTOOL" --batch -e 'y = 1' <"$tmp/points.csv" 2>"$tmp/err"
    st=$?
    t1=$(date +%s%N)
    if [ "$st" != 2 ] || ! grep -q "the header names 'c1' twice" "$tmp/err"; then
      echo "header.sh: $n columns: exit status $st, expected 2 and the duplicate" >&2
      head -3 "$tmp/err" >&2
      exit 1
    fi
    t=$((t1 - t0))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$best"
}

base=$(best_ns 1) || exit 1
echo "--batch header, read and checked for duplicates (best of $reps, less" \
     "the $(awk -v ns="$base" 'BEGIN { printf "%.3f", ns / 1e9 }') s of a one-column header):"
for n in 10000 100000 1000000; do
  t=$(best_ns "$n") || exit 1
  awk -v n="$n" -v ns="$((t - base))" \
    'BEGIN { if (ns < 0) ns = 0
             printf "  %8d columns: %7.3f s, %6.3f us per column\n", n, ns / 1e9, ns / 1e3 / n }'
done
