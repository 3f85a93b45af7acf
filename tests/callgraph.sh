#!/bin/sh
# callgraph.sh -- make check: lib/ has no call cycle between its files
# (issue 12).  Runs tests/callgraph.py over the library's objects; skipped
# (exit 77) without python3 or nm.
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "no nm: skipped"; exit 77; }
set -- "${top_builddir:-.}"/lib/libgtcore_la-*.o
[ -f "$1" ] || { echo "no objects under lib/: skipped"; exit 77; }
exec python3 "${top_srcdir:-.}/tests/callgraph.py" "$@"
