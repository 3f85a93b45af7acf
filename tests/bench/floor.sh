#!/bin/bash
# floor.sh -- make bench: issue 13's W1 and W2 through the command line
# against the floor, hand-written C with MPFR that computes the same value
# and derivatives without a tape (tests/bench/floor_w1.c, floor_w2.c).
#
#   W1: f = sum_i sin(x_i x_{i+1}) + sum_i log(1 + x_i^2) and its full
#     gradient at 128 bits, x read from a file of n numbers (n = 1e4, 1e5;
#     and 1e6 when BENCH_BIG is set), written with tensor operations and
#     as a loop over x[i];
#   W2: 1e5 steps of x <- x + h sin(x) cos(p x), the value and its
#     derivatives with respect to x0, h and p.
# Printed: the best wall time of REPS runs of each (the machines are
# shared), the peak resident set of that run, the ratio to the floor
# measured in the same run (targets: W1 <= 1.5, W2 <= 1.15) and, for W1,
# microseconds and bytes of peak memory per element (targets: flat from
# 1e4 to 1e6, within 15%; <= 100 bytes per recorded scalar operation, about
# 11 per element).  Informational: fails only when a program does, or when
# gradtool's numbers and the floor's disagree beyond 1e-30 relative.
#
# Usage: floor.sh [REPS]   (default 3)
# GRADTOOL is the binary; FLOOR_W1 and FLOOR_W2 the floor programs
# (default: built here with cc from the sources next to this script).
set -u
export LC_ALL=C
reps=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
GRADTOOL=${GRADTOOL:-${top_builddir:-.}/cli/gradtool}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gradtool-floor.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

for w in w1 w2; do
  var=FLOOR_$(echo $w | tr a-z A-Z)
  if [ -z "${!var:-}" ]; then
    ${CC:-cc} -O2 -o "$tmp/floor_$w" "$here/floor_$w.c" -lmpfr -lgmp \
      || { echo "floor.sh: cannot build floor_$w" >&2; exit 1; }
    eval "$var=\$tmp/floor_$w"
  fi
done

# run LABEL OUT CMD...: best wall time (ns) in $bt, its peak KiB in $bm
run() {
  local label=$1 out=$2 t0 t1 t
  shift 2
  bt= bm=
  for _ in $(seq 1 "$reps"); do
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f %M -o "$tmp/mem" "$@" >"$out" 2>"$tmp/err" \
        || { echo "floor.sh: $label failed" >&2; cat "$tmp/err" >&2; exit 1; }
      m=$(tail -1 "$tmp/mem")
    else
      "$@" >"$out" 2>"$tmp/err" \
        || { echo "floor.sh: $label failed" >&2; exit 1; }
      m=0
    fi
    t1=$(date +%s%N)
    t=$((t1 - t0))
    if [ -z "$bt" ] || [ "$t" -lt "$bt" ]; then bt=$t; bm=$m; fi
  done
}

# agree A B: every number of A within 1e-30 relative of B's (in order)
agree() {
  python3 - "$1" "$2" <<'PY' || { echo "floor.sh: results differ" >&2; exit 1; }
import re, sys
from decimal import Decimal, getcontext
getcontext().prec = 60
num = re.compile(r'-?\d+(?:\.\d*)?(?:e[-+]?\d+)?')
def nums(p):
    out = []
    for line in open(p):
        if '=' in line:
            out += [Decimal(t) for t in num.findall(line.split('=', 1)[1])]
    return out
a, b = nums(sys.argv[1]), nums(sys.argv[2])
assert len(a) == len(b), (len(a), len(b))
for x, y in zip(a, b):
    assert abs(x - y) <= Decimal('1e-30') * max(abs(x), abs(y), Decimal(1)), (x, y)
PY
}

sizes="10000 100000"
[ -n "${BENCH_BIG:-}" ] && sizes="$sizes 1000000"
echo "W1 at 128 bits: value and gradient, whole process (best of $reps)"
printf '  %-22s %9s %9s %7s %8s %10s\n' form ms MiB ratio us/elem B/elem
for n in $sizes; do
  python3 -c "
import random
random.seed($n)
print('\n'.join('%.6f' % random.uniform(-1, 1) for _ in range($n)))" \
    >"$tmp/x$n.txt"
  printf 'input x = load("x%s.txt")\nn = size(x)\nf = sum(sin(x[0:n-1] * x[1:n])) + sum(log(1 + x^2))\n' \
    "$n" >"$tmp/t$n.gt"
  printf 'input x = load("x%s.txt")\nf = log(1 + x[0]^2)\nfor i in range(1, size(x)) {\n    f = f + sin(x[i-1] * x[i]) + log(1 + x[i]^2)\n}\n' \
    "$n" >"$tmp/l$n.gt"
  run "floor n=$n" "$tmp/floor.out" "$FLOOR_W1" 128 "$tmp/x$n.txt"
  ft=$bt fm=$bm
  for form in t l; do
    [ $form = t ] && name="tensor, n = $n" || name="loop, n = $n"
    run "$name" "$tmp/gt.out" "$GRADTOOL" "$tmp/$form$n.gt" --wrt x
    agree "$tmp/gt.out" "$tmp/floor.out"
    awk -v l="$name" -v t=$bt -v m=$bm -v f=$ft -v n=$n 'BEGIN {
      printf "  %-22s %9.1f %9.1f %7.2f %8.2f %10.0f\n", l, t / 1e6,
        m / 1024, t / f, t / 1e3 / n, m * 1024 / n }'
  done
  awk -v l="floor, n = $n" -v t=$ft -v m=$fm -v n=$n 'BEGIN {
    printf "  %-22s %9.1f %9.1f %7s %8.2f %10.0f\n", l, t / 1e6, m / 1024,
      "1", t / 1e3 / n, m * 1024 / n }'
done

echo "W2 at 128 bits: 1e5 steps, value and 3 derivatives (best of $reps)"
printf 'input x0 = 0.5\ninput h = 0.001\ninput p = 1.5\nx = x0\nfor i in range(100000) {\n    x = x + h * sin(x) * cos(p * x)\n}\n' \
  >"$tmp/w2.gt"
run "W2 floor" "$tmp/floor.out" "$FLOOR_W2" 128 100000 0.5 0.001 1.5
ft=$bt fm=$bm
run "W2" "$tmp/gt.out" "$GRADTOOL" "$tmp/w2.gt" --wrt x0,h,p
agree "$tmp/gt.out" "$tmp/floor.out"
awk -v t=$bt -v m=$bm -v f=$ft -v fm=$fm 'BEGIN {
  printf "  gradtool %9.1f ms %7.1f MiB   floor %9.1f ms %7.1f MiB   ratio %.2f (target <= 1.15)\n",
    t / 1e6, m / 1024, f / 1e6, fm / 1024, t / f }'
