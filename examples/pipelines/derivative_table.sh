#!/bin/sh
# derivative_table.sh -- a table of z = x * y^2 and its gradient, built
# with seq and paste and pushed through gradtool --batch.
#
# seq makes the columns, paste joins them with commas under a header line;
# gradtool answers in CSV (the input's format), one row per point.
# GRADTOOL names the binary (default: gradtool on PATH).
set -eu
gradtool=${GRADTOOL:-gradtool}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gt-table.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

seq 1 5 >"$tmp/x"
seq 0.5 0.5 2.5 >"$tmp/y"
{ echo x,y; paste -d, "$tmp/x" "$tmp/y"; } |
  "$gradtool" --batch -e 'z = x * y^2'
