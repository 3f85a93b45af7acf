#!/bin/bash
# tutorial.sh -- run every program of examples/tutorial/ the way its header
# comment says, and compare with what the comment says it prints.
#
# In a program's comments, a line "#   $ COMMAND" is a command to run in
# examples/tutorial/ (with `gradtool` meaning the binary under test), and
# the "#   " lines after it, up to the next command or the first other line,
# are what it prints: standard output and standard error merged, as a
# terminal shows them.  A command passes when it prints exactly that and
# its exit status is 0 (show another status with `; echo $?`).  A program
# without any such command fails: every example must run.
#
# Usage: tutorial.sh [FILE.gt]...   (default: examples/tutorial/*.gt)
# GRADTOOL is the binary (default: cli/gradtool of the build tree).

. "$(cd "$(dirname "$0")" && pwd)/common.sh" tutorial

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=("$top_srcdir"/examples/tutorial/*.gt)
fi

passed=0 failed=0
for file in "${files[@]}"; do
  case $file in /*) ;; *) file=$PWD/$file ;; esac
  name=${file##*/}
  rm -f "$tmp"/case.*
  # one case per command: case.N.cmd and case.N.exp
  awk -v dir="$tmp" '
    /^#   \$ / { n++; c = substr($0, 7); print c > (dir "/case." n ".cmd")
                 close(dir "/case." n ".cmd")
                 printf "" > (dir "/case." n ".exp"); inside = 1; next }
    inside && /^#   / { print substr($0, 5) > (dir "/case." n ".exp"); next }
    { if (inside) close(dir "/case." n ".exp"); inside = 0 }
  ' "$file"
  n=$(find "$tmp" -maxdepth 1 -name 'case.*.cmd' | wc -l)
  if [ "$n" = 0 ]; then
    echo "FAIL: $name: no \"#   \$ gradtool ...\" example in its comments"
    failed=$((failed + 1))
    continue
  fi
  for ((i = 1; i <= n; i++)); do
    cmd=$(cat "$tmp/case.$i.cmd")
    (cd "${file%/*}" && timeout 20 bash -o pipefail -c "$cmd") \
      </dev/null >"$tmp/out" 2>&1
    status=$?
    if [ "$status" = 0 ] && cmp -s "$tmp/case.$i.exp" "$tmp/out"; then
      echo "PASS: $name: $cmd"
      passed=$((passed + 1))
      continue
    fi
    echo "FAIL: $name: $cmd"
    [ "$status" = 0 ] || echo "    exit status $status"
    diff -u --label expected --label actual "$tmp/case.$i.exp" "$tmp/out" |
      sed 's/^/    /'
    failed=$((failed + 1))
  done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
