#!/bin/sh
# derivative_table.sh -- a table of z = x * y^2 and its gradient, built
# with seq and paste and pushed through gradtool --batch.
#
# seq makes the columns, paste joins them with commas under a header line;
# gradtool answers in CSV (the input's format), one row per point.
# GRADTOOL names the binary; without it, the one built in this source
# tree (cli/gradtool), else gradtool on PATH.
set -eu
if [ -n "${GRADTOOL:-}" ]; then
  gradtool=$GRADTOOL
elif [ -x "$(dirname "$0")/../../cli/gradtool" ]; then
  gradtool=$(dirname "$0")/../../cli/gradtool
else
  gradtool=gradtool
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gt-table.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

seq 1 5 >"$tmp/x"
seq 0.5 0.5 2.5 >"$tmp/y"
{ echo x,y; paste -d, "$tmp/x" "$tmp/y"; } |
  "$gradtool" --batch -e 'z = x * y^2'
