#!/bin/bash
# plots.sh -- examples/plots/derivatives.sh draws a PNG with gnuplot from
# a --batch pipeline; skipped (status 77) when gnuplot is not installed.

. "$(cd "$(dirname "$0")" && pwd)/common.sh" plots

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "SKIP: gnuplot is not installed (Debian package gnuplot-nox)"
  exit 77
fi
cd "$tmp" || exit 99
if ! timeout 120 sh "$top_srcdir/examples/plots/derivatives.sh" "$tmp/d.png" \
     >"$tmp/out" 2>"$tmp/err"; then
  echo "FAIL: examples/plots/derivatives.sh"
  sed 's/^/    /' "$tmp/err"
  echo "0 passed, 1 failed"
  exit 1
fi
sig=$(head -c 8 "$tmp/d.png" | od -An -tx1 | tr -d ' \n')
size=$(wc -c <"$tmp/d.png")
if [ "$sig" = 89504e470d0a1a0a ] && [ "$size" -gt 10000 ] &&
   [ "$(cat "$tmp/out")" = "$tmp/d.png" ] && [ ! -s "$tmp/err" ]; then
  echo "PASS: examples/plots/derivatives.sh draws a PNG ($size bytes)"
  echo "1 passed, 0 failed"
else
  echo "FAIL: examples/plots/derivatives.sh: signature $sig, $size bytes"
  sed 's/^/    /' "$tmp/err"
  echo "0 passed, 1 failed"
  exit 1
fi
