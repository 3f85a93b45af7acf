#!/bin/sh
# enclose.sh -- the containment test of --enclose (issue 15): every interval
# that gradtool --enclose prints for the corpus of tests/enclose_check.py
# contains mpmath's value at 3 times the precision, and is narrow for the
# well-conditioned cases.  Skipped (exit 77) without python3 and mpmath
# (Debian: python3-mpmath).
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
python3 -c 'import mpmath' 2>/dev/null || { echo "no mpmath: skipped"; exit 77; }
exec python3 "${top_srcdir:-.}/tests/enclose_check.py" \
  "${GRADTOOL:-${top_builddir:-.}/cli/gradtool}" "$@"
