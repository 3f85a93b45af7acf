#!/bin/bash
# run.sh -- run the libFuzzer targets built by `make fuzz` (make fuzz-run).
#
# Usage: run.sh [SECONDS]   (default 60: each target runs that long)
# Run from the top build directory; srcdir is the top source directory
# (default: two levels above this script).  Each target keeps its corpus in
# tests/fuzz/corpus_NAME of the build tree, seeded from the examples and the
# test programs (fuzz_program) or a few --at texts (fuzz_args); crashes,
# hangs and leaks are written to tests/fuzz/artifacts/.  Extra libFuzzer
# options go in FUZZ_FLAGS (e.g. FUZZ_FLAGS=-jobs=2).
set -eu
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$here/../..}
out=tests/fuzz
mkdir -p "$out/artifacts" "$out/corpus_program" "$out/corpus_args" \
         "$out/seed_program" "$out/seed_args"

# Seeds: every small .gt program of the source tree.
find "$srcdir/examples" "$srcdir/tests/e2e" "$srcdir/tests/hostile" \
     -name '*.gt' -size -64k 2>/dev/null |
while IFS= read -r f; do
  cp "$f" "$out/seed_program/$(echo "$f" | tr / _)"
done

# --at seeds: byte 0 the precision selector, byte 1 the digits, then text.
i=0
for t in 'pi/4' '1e-40' '-3' '0.1' '2^0.5' 'inf' '-inf' 'nan' '1e999999999' \
         '1e-999999999' 'exp(1)/3' '.5' '123456789012345678901234567890' \
         'sqrt(2)*1e300' '-0' 'log(0)' '2**-1074' 'lgamma(0.5)'; do
  for p in '\176' '\063' '\376' '\000'; do
    i=$((i + 1))
    printf "$p\\005%s" "$t" > "$out/seed_args/s$i"
  done
done

# Both targets run whatever the first finds: libFuzzer stops a target at
# its first crash, leak or slow unit (-timeout), and the script then
# fails, naming the targets that stopped.
common=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout=10
        -print_final_stats=1 -artifact_prefix="$out/artifacts/")
failed=
# shellcheck disable=SC2086 # FUZZ_FLAGS is split into words on purpose
"$out/fuzz_program" "${common[@]}" -dict="$srcdir/tests/fuzz/gt.dict" \
  ${FUZZ_FLAGS:-} "$out/corpus_program" "$out/seed_program" ||
  failed="$failed fuzz_program"
# shellcheck disable=SC2086
"$out/fuzz_args" "${common[@]}" ${FUZZ_FLAGS:-} \
  "$out/corpus_args" "$out/seed_args" || failed="$failed fuzz_args"
if [ -n "$failed" ]; then
  echo "run.sh: stopped early:$failed (see $out/artifacts/)" >&2
  exit 1
fi
