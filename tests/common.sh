# common.sh -- what the shell test drivers share; sourced as
#   . "$(cd "$(dirname "$0")" && pwd)/common.sh" NAME
# It sets LC_ALL=C, finds top_srcdir and the binary under test (GRADTOOL,
# default cli/gradtool of the build tree; exit 99, automake's hard error,
# when it is missing), makes a scratch directory $tmp removed on exit,
# and puts a `gradtool` that runs GRADTOOL first on PATH (a libtool
# wrapper script must be run by its own path, hence a script, not a link).

set -u
export LC_ALL=C

common_name=${1:-test}
here=$(cd "$(dirname "$0")" && pwd) || exit 99
top_srcdir=${top_srcdir:-$here/..}
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 99

if [ -z "${GRADTOOL:-}" ]; then
  GRADTOOL=${top_builddir:-$here/..}/cli/gradtool
fi
case $GRADTOOL in /*) ;; *) GRADTOOL=$PWD/$GRADTOOL ;; esac
if [ ! -x "$GRADTOOL" ]; then
  echo "$common_name: $GRADTOOL: no such executable (set GRADTOOL)" >&2
  exit 99
fi
export GRADTOOL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gradtool-$common_name.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' HUP INT TERM

mkdir -p "$tmp/bin" || exit 99
printf '#!/bin/sh\nexec "%s" "$@"\n' "$GRADTOOL" >"$tmp/bin/gradtool"
chmod +x "$tmp/bin/gradtool"
export PATH=$tmp/bin:$PATH
