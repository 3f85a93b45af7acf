#!/bin/sh
# coverage.sh -- line and branch coverage of lib/ after a run of the tests
# in a build configured with --enable-coverage (make coverage runs it).
#
# Usage: coverage.sh SRCDIR [MIN]   (run from the top build directory)
# Writes the annotated sources to coverage/NAME.c.gcov (uncovered lines are
# marked #####) and prints, per file of lib/ and in total, the lines
# executed and the branches taken at least once.  Exits 1 when MIN is given
# and the total line coverage is below MIN percent.
set -eu
srcdir=$(cd "${1:?usage: coverage.sh SRCDIR [MIN]}" && pwd)
min=${2:-}
top=$(pwd)
mkdir -p coverage
rm -f coverage/*.gcov ./*.gcov
# gcov finds the sources by the paths the objects were compiled with,
# relative to this directory, and writes NAME.c.gcov here
for src in "$srcdir"/lib/*.c; do
  name=$(basename "$src" .c)
  obj=$top/lib/.libs/libgtcore_la-$name.o
  if [ ! -e "${obj%.o}.gcda" ]; then
    echo "lib/$name.c: never run (no ${obj%.o}.gcda)" >&2
    continue
  fi
  gcov -b -o "$obj" "$src" 2>/dev/null |
    sed -n "\|^File '.*lib/$name.c'|,/^\$/p" | sed "1s|.*|File lib/$name.c|"
  [ ! -e "$name.c.gcov" ] || mv "$name.c.gcov" coverage/
  rm -f ./*.gcov
done | awk -v min="$min" '
  function num(s) { sub(/%.*/, "", s); sub(/.*:/, "", s); return s + 0 }
  function cnt(s) { sub(/.* of /, "", s); return s + 0 }
  /^File / { f = $2; files[++n] = f }
  /^Lines executed:/ { lp[f] = num($0); ln[f] = cnt($0) }
  /^Taken at least once:/ { bp[f] = num($0); bn[f] = cnt($0) }
  END {
    printf "%-18s %8s %7s %10s %7s\n", "file", "lines", "", "branches", ""
    for (i = 1; i <= n; i++) {
      f = files[i]
      lc = lp[f] * ln[f] / 100; bc = bp[f] * bn[f] / 100
      L += ln[f]; LC += lc; B += bn[f]; BC += bc
      printf "%-18s %7.1f%% of %5d %7.1f%% of %5d\n", f, lp[f], ln[f], bp[f], bn[f]
    }
    lt = L ? 100 * LC / L : 0; bt = B ? 100 * BC / B : 0
    printf "%-18s %7.1f%% of %5d %7.1f%% of %5d\n", "total", lt, L, bt, B
    print "annotated sources: coverage/*.gcov (##### marks lines never run)"
    if (min != "" && lt < min) {
      printf "line coverage %.1f%% is below %s%%\n", lt, min
      exit 1
    }
  }'
