#!/bin/bash
# run.sh -- end-to-end tests of gradtool: run every case in this directory
# and compare stdout, stderr and exit status with the expected files.
#
# A case is NAME.args (one line of shell words passed to gradtool) or, when
# there is no NAME.args, NAME.gt (run as `gradtool NAME.gt`).  Optional:
#   NAME.stdin   fed to standard input (otherwise /dev/null)
#   NAME.out     expected stdout, exact (absent: stdout must be empty)
#   NAME.err     expected stderr, exact (absent: stderr must be empty)
#   NAME.anyerr  stderr is not checked (a program's print() table, say)
#   NAME.status  expected exit status (absent: 0)
# Each case runs with the working directory set to this directory, so the
# file names in messages are relative (`bad_name.gt`).  Nothing is written
# here (it is read-only under `make distcheck`); scratch files live in a
# temporary directory removed on exit.
#
# Usage: run.sh [NAME]...        (default: every case, in name order)
# GRADTOOL is the binary (default: ../../cli/gradtool from this script).
# GRADTOOL_WRAPPER, when set, is a command line put before it, split into
# words (make check-valgrind sets a valgrind command); GRADTOOL_TIMEOUT is
# the seconds one case may take (default 20).

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd) || exit 99

if [ -z "${GRADTOOL:-}" ]; then
  GRADTOOL=$here/../../cli/gradtool
  # Out-of-tree builds: the binary is in the build tree, not next to us.
  for cand in "${abs_top_builddir:-}" "${top_builddir:-}"; do
    [ -x "$GRADTOOL" ] && break
    [ -n "$cand" ] && GRADTOOL=$cand/cli/gradtool
  done
fi
case $GRADTOOL in /*) ;; *) GRADTOOL=$PWD/$GRADTOOL ;; esac
if [ ! -x "$GRADTOOL" ]; then
  echo "run.sh: $GRADTOOL: no such executable (set GRADTOOL)" >&2
  exit 99   # automake: hard error
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gradtool-e2e.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' HUP INT TERM

cd "$here" || exit 99

if [ $# -gt 0 ]; then
  names=("$@")
else
  mapfile -t names < <(
    for f in *.args *.gt; do
      [ -e "$f" ] || continue
      case $f in *.gt) [ -e "${f%.gt}.args" ] && continue ;; esac
      echo "${f%.*}"
    done | sort -u)
fi

# show_diff EXPECTED-FILE ACTUAL-FILE LABEL: unified diff, indented.
show_diff() {
  diff -u --label "expected $3" --label "actual $3" "$1" "$2" | sed 's/^/    /'
}

# run_case NAME: run one case, print PASS/FAIL; return 1 on failure.
run_case() {
  local name=$1 input=/dev/null status want ok=1
  if [ -e "$name.args" ]; then
    eval set -- "$(cat "$name.args")"
  elif [ -e "$name.gt" ]; then
    set -- "$name.gt"
  else
    echo "FAIL: $name"
    echo "    no $name.args or $name.gt"
    return 1
  fi
  [ -e "$name.stdin" ] && input=$name.stdin
  # shellcheck disable=SC2086 # the wrapper is split into words on purpose
  timeout "${GRADTOOL_TIMEOUT:-20}" ${GRADTOOL_WRAPPER:-} "$GRADTOOL" "$@" \
    <"$input" >"$tmp/out" 2>"$tmp/err"
  status=$?
  want=0
  [ -e "$name.status" ] && want=$(tr -d ' \n' <"$name.status")

  local exp_out=/dev/null exp_err=/dev/null
  [ -e "$name.out" ] && exp_out=$name.out
  [ -e "$name.err" ] && exp_err=$name.err
  [ -e "$name.anyerr" ] && exp_err=$tmp/err
  cmp -s "$exp_out" "$tmp/out" || ok=0
  cmp -s "$exp_err" "$tmp/err" || ok=0
  [ "$status" = "$want" ] || ok=0

  if [ $ok = 1 ]; then
    echo "PASS: $name"
    return 0
  fi
  echo "FAIL: $name"
  if [ "$status" != "$want" ]; then
    if [ "$status" = 124 ]; then
      echo "    timed out after ${GRADTOOL_TIMEOUT:-20} s (expected exit status $want)"
    else
      echo "    exit status $status, expected $want"
    fi
  fi
  cmp -s "$exp_out" "$tmp/out" || show_diff "$exp_out" "$tmp/out" stdout
  cmp -s "$exp_err" "$tmp/err" || show_diff "$exp_err" "$tmp/err" stderr
  return 1
}

passed=0 failed=0
for name in "${names[@]}"; do
  if run_case "$name"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
