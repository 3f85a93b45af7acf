#!/bin/bash
# pipelines.sh -- gradtool in shell pipelines, and checking itself:
#   - every examples/pipelines/NAME.sh prints exactly NAME.out, status 0;
#   - `--batch ... | head -1` returns at once, quietly, also when SIGPIPE is
#     ignored (the write then fails with EPIPE);
#   - the JSON lines of --batch read with jq, the CSV with Python's csv
#     module (each skipped when the tool is missing);
#   - --fd-check (with --allow-unchecked: agreement, not coverage) agrees
#     on every tutorial example and on every program of
#     the end-to-end suite that runs and has derivatives.
# Usage: pipelines.sh   (GRADTOOL: the binary; default cli/gradtool)

. "$(cd "$(dirname "$0")" && pwd)/common.sh" pipelines

passed=0 failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; shift; for l in "$@"; do echo "    $l"; done
         failed=$((failed + 1)); }

# ---- the example scripts ----------------------------------------------------
for script in "$top_srcdir"/examples/pipelines/*.sh; do
  name=${script##*/}
  timeout 60 sh "$script" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ $status = 0 ] && cmp -s "${script%.sh}.out" "$tmp/out" \
     && [ ! -s "$tmp/err" ]; then
    pass "examples/pipelines/$name"
  else
    fail "examples/pipelines/$name" "exit status $status" \
      "$(diff -u "${script%.sh}.out" "$tmp/out" | head -20)" \
      "$(head -5 "$tmp/err")"
  fi
done

# Run as the README says, with no GRADTOOL and no gradtool on PATH, each
# script finds the binary built in the source tree (issue 10 item 20).
if [ -x "$top_srcdir/cli/gradtool" ]; then
  script=$top_srcdir/examples/pipelines/derivative_table.sh
  (unset GRADTOOL; PATH=/usr/bin:/bin timeout 60 sh "$script") \
    >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ $status = 0 ] && cmp -s "${script%.sh}.out" "$tmp/out"; then
    pass "examples/pipelines/derivative_table.sh without GRADTOOL"
  else
    fail "examples/pipelines/derivative_table.sh without GRADTOOL" \
      "exit status $status" "$(head -5 "$tmp/err")"
  fi
else
  echo "SKIP: examples/pipelines without GRADTOOL (out-of-tree build)"
fi

# ---- a coprocess ------------------------------------------------------------
# Rows are written in blocks, but a row is flushed as soon as no more input
# is waiting: a program that feeds one point and waits for its row (a
# coprocess, a notebook) gets it without closing the pipe.
coproc GT { timeout 20 "$GRADTOOL" --batch -e 'input x = 1; y = x^2' 2>&1; }
printf 'x\n2\n' >&"${GT[1]}"
got=""
read -r -t 10 l1 <&"${GT[0]}" && read -r -t 10 l2 <&"${GT[0]}" && got="$l1 $l2"
printf '3\n' >&"${GT[1]}"
read -r -t 10 l3 <&"${GT[0]}" && got="$got $l3"
exec {GT[1]}>&-
# bash unsets GT_PID once the coprocess has ended: it may be gone already
[ -n "${GT_PID:-}" ] && wait "$GT_PID" 2>/dev/null
if [ "$got" = "x,y,dy/dx 2,4,4 3,9,6" ]; then
  pass "--batch as a coprocess: each row as soon as its point is read"
else
  fail "--batch as a coprocess" "got '$got'"
fi

# ---- a reader that goes away ------------------------------------------------
# 10^6 points would take seconds: head must end the run at once, and
# gradtool must say nothing.
points() { echo x; seq 1 1000000; }
start=$SECONDS
out=$(points | timeout 20 "$GRADTOOL" --batch -e 'y = x * x' 2>"$tmp/err" |
      head -1)
if [ "$out" = "x,y,dy/dx" ] && [ ! -s "$tmp/err" ] \
   && [ $((SECONDS - start)) -lt 10 ]; then
  pass "--batch | head -1"
else
  fail "--batch | head -1" "got '$out' in $((SECONDS - start)) s" \
    "$(head -3 "$tmp/err")"
fi
out=$( (trap '' PIPE; points 2>/dev/null | timeout 20 "$GRADTOOL" --batch \
        -e 'y = x * x' 2>"$tmp/err"; echo "status $?" >"$tmp/status") |
      head -2 | tail -1)
if [ "$out" = "1,1,2" ] && [ ! -s "$tmp/err" ]; then
  pass "--batch | head -2 with SIGPIPE ignored ($(cat "$tmp/status" 2>/dev/null))"
else
  fail "--batch | head -2 with SIGPIPE ignored" "got '$out'" \
    "$(head -3 "$tmp/err")"
fi

# ---- standard readers -------------------------------------------------------
printf 'x,y\n1,2\n-0.5,1e-30\n3,0\n' >"$tmp/points.csv"
if command -v jq >/dev/null 2>&1; then
  n=$("$GRADTOOL" --batch -f json --verified -e 'z = log(x^2) * y' \
        <"$tmp/points.csv" | jq -c '[.inputs.x, .derivatives[1].value]' |
      wc -l)
  if [ "$n" = 3 ]; then pass "--batch -f json reads with jq"
  else fail "--batch -f json reads with jq" "$n objects, expected 3"; fi
  if "$GRADTOOL" -f json --fd-check --verified \
       "$top_srcdir"/examples/tutorial/persistent.gt | jq -e \
       '.derivatives[0].fd_digits > 30' >/dev/null; then
    pass "-f json --fd-check --verified reads with jq"
  else fail "-f json --fd-check --verified reads with jq"; fi
else
  echo "SKIP: jq is missing"
fi
if command -v python3 >/dev/null 2>&1; then
  for fmt in csv tsv; do
    "$GRADTOOL" --batch -f $fmt -e 'z = x / y' <"$tmp/points.csv" \
      >"$tmp/out.$fmt"
    if python3 - "$tmp/out.$fmt" $fmt <<'PY'
import csv, sys
path, fmt = sys.argv[1], sys.argv[2]
with open(path, newline='') as f:
    rows = list(csv.reader(f, delimiter=',' if fmt == 'csv' else '\t'))
assert rows[0] == ['x', 'y', 'z', 'dz/dx', 'dz/dy'], rows[0]
assert len(rows) == 4 and all(len(r) == 5 for r in rows), rows
assert float(rows[1][2]) == 0.5 and rows[3][2] == 'inf', rows
PY
    then pass "--batch -f $fmt reads with Python's csv module"
    else fail "--batch -f $fmt reads with Python's csv module"; fi
  done
else
  echo "SKIP: python3 is missing"
fi

# ---- --fd-check over the tutorial and the end-to-end programs ----------------
checked=0
for prog in "$top_srcdir"/examples/tutorial/*.gt "$top_srcdir"/tests/e2e/*.gt; do
  # only programs that run as they are and print derivatives
  out=$(cd "${prog%/*}" && timeout 20 "$GRADTOOL" -q "${prog##*/}" 2>/dev/null) \
    || continue
  case $out in *"/d"*) ;; *) continue ;; esac
  if (cd "${prog%/*}" && timeout 60 "$GRADTOOL" -q --fd-check \
        --allow-unchecked "${prog##*/}" >"$tmp/fd" 2>&1); then
    checked=$((checked + 1))
  else
    fail "--fd-check ${prog#"$top_srcdir"/}" "$(grep -v ' agree$' "$tmp/fd" | head -5)"
  fi
done
if [ $checked -gt 10 ]; then
  pass "--fd-check agrees on $checked tutorial and end-to-end programs"
else
  fail "--fd-check ran on only $checked programs"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
