#!/bin/bash
# perf.sh -- make bench: whole-process time and peak memory of two issue-13
# workloads through the command line.
#
#   partials: every distinct order-K partial (K = 3..8) of a three-term
#     f(x, y) = exp(sin(x y))/(1 + x^2 + y^2) + log(1 + x^2 y^4)
#               + atan(x - y^3) at (0.5, 1.5), --wrt x,y --order K
#     (Taylor interpolation, lib/partials.c; target at K = 8: <= 50 ms and
#     <= 20 MiB);
#   W4: the Hessian of the chained Rosenbrock function of n = 100 and
#     1000 variables written as a loop over x[i], --wrt x --order 2
#     (targets: <= 30 ms and <= 30 MiB at n = 100, under 3 s at 1000);
#   the Hessian of the Broyden banded function, n = 100, loop over x[i]
#     and x[j] for the band (8.1 s and 1.7 GB before issue 13 item 3).
# Printed: the best time of REPS runs (the machines are shared) and the
# peak resident set of that run (GNU time's %M), or the time alone when
# /usr/bin/time is missing.  Informational: fails only when gradtool does.
#
# Usage: perf.sh [REPS]   (default 3)
# GRADTOOL is the binary (default: $top_builddir/cli/gradtool).
set -u
export LC_ALL=C
reps=${1:-3}
GRADTOOL=${GRADTOOL:-${top_builddir:-.}/cli/gradtool}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gradtool-bench.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# best LABEL ARGS...: the best of $reps runs of gradtool ARGS
best() {
  local label=$1 bt= bm= t0 t1 t m
  shift
  for _ in $(seq 1 "$reps"); do
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f %M -o "$tmp/mem" "$GRADTOOL" "$@" >/dev/null \
        2>"$tmp/err" || { echo "perf.sh: $label failed" >&2; cat "$tmp/err" >&2; exit 1; }
      m=$(tail -1 "$tmp/mem")
    else
      "$GRADTOOL" "$@" >/dev/null 2>"$tmp/err" \
        || { echo "perf.sh: $label failed" >&2; exit 1; }
      m=
    fi
    t1=$(date +%s%N)
    t=$((t1 - t0))
    if [ -z "$bt" ] || [ "$t" -lt "$bt" ]; then bt=$t; bm=$m; fi
  done
  awk -v l="$label" -v ns="$bt" -v kb="$bm" 'BEGIN {
    printf "  %-40s %8.1f ms", l, ns / 1e6
    if (kb != "") printf "  %7.1f MiB peak", kb / 1024
    printf "\n" }'
}

f='input x = 0.5; input y = 1.5; z = exp(sin(x*y))/(1 + x^2 + y^2) + log(1 + x^2*y^4) + atan(x - y^3)'
echo "start-up, for reference (the figures below include it; best of $reps):"
best "-e 'y = 1'" -e 'y = 1' || exit 1
echo "higher-order partials of a three-term f(x, y), whole process (best of $reps):"
for K in 3 4 5 6 7 8; do
  best "--wrt x,y --order $K" --wrt x,y --order "$K" -e "$f" || exit 1
done

w4() {
  local n=$1
  {
    printf 'input x = ['
    for ((i = 0; i < n; i++)); do
      [ "$i" -gt 0 ] && printf ', '
      if [ $((i % 2)) = 0 ]; then printf -- '-1.2'; else printf '1'; fi
    done
    printf ']\nf = 0\nfor i in range(%d) {\n' $((n - 1))
    printf '  f += 100 * (x[i + 1] - x[i]^2)^2 + (1 - x[i])^2\n}\noutput f\n'
  } >"$tmp/w4_$n.gt"
}
echo "W4: Hessian of the chained Rosenbrock function, loop over x[i], whole process:"
for n in 100 1000; do
  w4 "$n"
  best "n = $n, --wrt x --order 2" --wrt x --order 2 "$tmp/w4_$n.gt" || exit 1
done

cat >"$tmp/broyden.gt" <<'GT'
input x = fill(-1, 100)
n = 100
f = 0
for i in range(n) {
  s = x[i] * (2 + 5 * x[i]^2) + 1
  for j in range(max(0, i - 5), min(n, i + 2)) {
    if j != i { s -= x[j] * (1 + x[j]) }
  }
  f += s^2
}
output f
GT
echo "Hessian of the Broyden banded function, loop over x[i], whole process:"
best "n = 100, --wrt x --order 2" --wrt x --order 2 "$tmp/broyden.gt" || exit 1
