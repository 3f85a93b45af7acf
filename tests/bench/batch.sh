#!/bin/bash
# batch.sh -- make bench: points per second of the whole `--batch` command.
#
# 10^5 points (two inputs) are piped in from a file, the output goes to a
# file, the program is a 10-operation function at 53 bits (issue 13's
# figure: at least 150,000 points/s for the whole command).  Printed: the
# best wall time of REPS runs (the machines are shared), its points/s,
# and the same through GNU parallel with 1 and 2 jobs when parallel is
# installed (--pipe --header : --keep-order: the scale-out gradtool(1)
# documents).  Informational: fails only when a run fails or the rows
# differ from the plain run's.
#
# Usage: batch.sh [REPS]   (default 3)
# GRADTOOL is the binary (default: $top_builddir/cli/gradtool).
set -u
export LC_ALL=C
reps=${1:-3}
GRADTOOL=${GRADTOOL:-${top_builddir:-.}/cli/gradtool}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gradtool-bench.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
n=100000
prog='input x = 1; input y = 2; z = sin(x*y) + exp(x/3) * log(1 + y^2) - sqrt(x*x + y)'
{ echo x,y; seq 1 $n | awk -v n=$n '{ print $1 / n "," 1 + 2 * $1 / n }'; } \
  >"$tmp/points.csv"

# best_ns OUT CMD...: the best time in ns of $reps runs of CMD (stdin the
# points, stdout OUT)
best_ns() {
  local out=$1 best= t0 t1 t
  shift
  for _ in $(seq 1 "$reps"); do
    t0=$(date +%s%N)
    "$@" <"$tmp/points.csv" >"$out" 2>"$tmp/err" || {
      echo "batch.sh: $* failed" >&2; head -3 "$tmp/err" >&2; exit 1; }
    t1=$(date +%s%N)
    t=$((t1 - t0))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$best"
}

report() {
  awk -v what="$1" -v ns="$2" -v n=$n \
    'BEGIN { printf "batch %-28s %7.3f s  %8.0f points/s\n", what, ns / 1e9, n / (ns / 1e9) }'
}

ns=$(best_ns "$tmp/plain.csv" "$GRADTOOL" --prec 53 --wrt x,y --batch -e "$prog") || exit 1
report "whole command" "$ns"
if command -v parallel >/dev/null 2>&1; then
  for j in 1 2; do
    ns=$(best_ns "$tmp/par.csv" parallel --will-cite --pipe --header : \
           --keep-order --block 1M -j$j "$GRADTOOL" --prec 53 --wrt x,y \
           --batch -e "'$prog'") || exit 1
    if ! cmp -s <(grep -v '^x,y' "$tmp/plain.csv") <(grep -v '^x,y' "$tmp/par.csv"); then
      echo "batch.sh: parallel -j$j: the rows differ from the plain run's" >&2
      exit 1
    fi
    report "GNU parallel, $j job(s)" "$ns"
  done
else
  echo "batch: GNU parallel is not installed; its figures are skipped"
fi
