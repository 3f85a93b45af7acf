#!/bin/bash
# manpages.sh -- run every example of the man pages and of README.md, and
# compare what it prints with what the page says it prints.
#
# An example is a display (.EX/.EE in a man page, a ``` fence in README.md)
# holding shell sessions: a line "$ COMMAND" (continued on the next line
# when it ends with | or \), then the lines it prints, up to the next "$"
# line or the end of the display.  The command is run by bash (pipefail)
# with `gradtool` (and `cli/gradtool`) meaning the binary under test, its
# standard output and standard error merged, as a terminal shows them; the
# test passes when that output is exactly the displayed lines and the exit
# status is 0 (an example that fails shows its status with `; echo $?`).
#
# The examples of one page run in order in one scratch directory, in which
# `examples` is the source tree's examples/.  "$ cat NAME" for a NAME that is
# not there creates NAME with the displayed lines (a program shown in the
# page and run by the next commands).
#
# A roff comment just before a man-page display says how to treat it:
#   .\" test: skip REASON          not run (a part not implemented yet)
#   .\" test: output of CMD        the display is exactly what CMD prints
#   .\" test: in output of CMD     the display's text occurs in what CMD
#                                  prints
#   .\" test: none                 not an example (syntax, a list of names)
# A man-page display without "$" lines and without such a comment fails, so
# that no example escapes the test; one made only of roff requests (a syntax
# summary in fonts) is not an example.  In README.md a fence without "$"
# lines is not an example.
#
# gradtool.5 must also document every built-in function of the language:
# each name that gt_builtin_name lists (tests/list_builtins, as for
# tests/editors.sh) must appear in a .B, .BR or .BI line of the page's
# BUILT-IN FUNCTIONS section (its entry, or "also spelled .BR NAME").
#
# Usage: manpages.sh [PAGE]...   (default: man/gradtool.1 man/gradtool.5
#                                 README.md under top_srcdir)
# GRADTOOL is the binary (default: cli/gradtool of the build tree).

. "$(cd "$(dirname "$0")" && pwd)/common.sh" manpages
top_builddir=${top_builddir:-$here/..}

if [ $# -gt 0 ]; then
  pages=("$@")
else
  pages=("$top_srcdir/man/gradtool.1" "$top_srcdir/man/gradtool.5"
         "$top_srcdir/README.md")
fi

# extract PAGE DIR: write one case per example into DIR: N.src (page:line),
# N.mode (run, contains, skip, bad), N.cmd, N.exp, N.why.
extract() {
  awk -v dir="$2" -v page="${1##*/}" '
    function flush() {
      if (n == 0) return
      close(dir "/" n ".cmd"); close(dir "/" n ".exp")
    }
    function newcase(mode, line, why) {
      flush()
      n++
      printf "%s:%d\n", page, line > (dir "/" n ".src"); close(dir "/" n ".src")
      print mode > (dir "/" n ".mode"); close(dir "/" n ".mode")
      printf "%s", why > (dir "/" n ".why"); close(dir "/" n ".why")
      printf "" > (dir "/" n ".cmd"); printf "" > (dir "/" n ".exp")
    }
    # end of a display: an annotated one becomes a case, an unannotated
    # one without commands is an error unless it is only roff requests.
    function endblock() {
      if (ann != "" && ann !~ /^(none|skip)/) {
        mode = (ann ~ /^in output of /) ? "contains" : "run"
        cmd = ann; sub(/^(in )?output of /, "", cmd)
        newcase(mode, start, "")
        print cmd > (dir "/" n ".cmd")
        for (i = 1; i <= nb; i++) print body[i] > (dir "/" n ".exp")
      } else if (ann == "" && !sessions && !allreq && !markdown) {
        newcase("bad", start, "a display without \"$\" lines and without a \".\\\" test:\" comment")
      }
      inblock = 0; ann = ""; nb = 0; sessions = 0; cont = 0
    }
    BEGIN { n = 0; markdown = (page ~ /\.md$/) }
    {
      line = $0
      if (!inblock) {
        if (!markdown && line ~ /^\.\\" test: /) {
          ann = line; sub(/^\.\\" test: /, "", ann)
          if (ann !~ /^(skip|none|output of |in output of )/) {
            newcase("bad", NR, "unknown test comment: " ann); ann = ""
          }
          next
        }
        if ((!markdown && line ~ /^\.EX/) || (markdown && line ~ /^```/)) {
          inblock = 1; start = NR; nb = 0; sessions = 0; cont = 0; allreq = 1
        }
        next
      }
      if ((!markdown && line ~ /^\.EE/) || (markdown && line ~ /^```/)) {
        endblock(); next
      }
      if (line !~ /^\./) allreq = 0
      if (cont) {
        print line > (dir "/" n ".cmd")
        cont = (line ~ /[|\\]$/)
        next
      }
      if (line ~ /^\$ /) {
        sessions = 1
        if (ann ~ /^skip/) {
          why = ann; sub(/^skip */, "", why)
          newcase("skip", NR, why)
        } else if (ann != "") {
          newcase("bad", NR, "a display with \"$\" lines and a \".\\\" test: " ann "\" comment")
        } else {
          newcase("run", NR, "")
        }
        cmd = line; sub(/^\$ /, "", cmd)
        print cmd > (dir "/" n ".cmd")
        cont = (line ~ /[|\\]$/)
        next
      }
      if (sessions) print line > (dir "/" n ".exp")
      else body[++nb] = line
    }
    END {
      if (inblock) newcase("bad", start, "display not closed")
      flush()
    }
  ' "$1"
}

# unescape FILE: roff escapes of a man-page display to the text they show.
unescape() {
  sed -e 's/\\e/\x01/g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" \
      -e 's/\\(dq/"/g' -e 's/\\(ha/^/g' -e 's/\\(ti/~/g' -e 's/\\&//g' \
      -e 's/\x01/\\/g' "$1"
}

# show_diff EXPECTED ACTUAL: unified diff, indented.
show_diff() {
  diff -u --label expected --label actual "$1" "$2" | sed 's/^/    /'
}

passed=0 failed=0 skipped=0

# run_case DIR N: run case N of DIR in the current directory.
run_case() {
  local c=$1/$2 src mode cmd status
  src=$(cat "$c.src") mode=$(cat "$c.mode")
  if [ "${page_is_man}" = 1 ]; then
    unescape "$c.cmd" >"$c.cmd.txt"; unescape "$c.exp" >"$c.exp.txt"
  else
    cp "$c.cmd" "$c.cmd.txt"; cp "$c.exp" "$c.exp.txt"
  fi
  cmd=$(cat "$c.cmd.txt")
  case $mode in
    bad)
      echo "FAIL: $src: $(cat "$c.why")"
      failed=$((failed + 1)); return ;;
    skip)
      echo "SKIP: $src: $cmd ($(cat "$c.why"))"
      skipped=$((skipped + 1)); return ;;
  esac
  # "$ cat NAME" of a file that is not there: create it.
  if [[ $cmd =~ ^cat\ ([A-Za-z0-9_./-]+)$ ]] && [ ! -e "${BASH_REMATCH[1]}" ]; then
    cp "$c.exp.txt" "${BASH_REMATCH[1]}"
    return
  fi
  if [[ $cmd == *jq* ]] && ! command -v jq >/dev/null; then
    echo "SKIP: $src: $cmd (jq is not installed)"
    skipped=$((skipped + 1)); return
  fi
  timeout 20 bash -o pipefail -c "$cmd" </dev/null >"$c.out" 2>&1
  status=$?
  local ok=1
  if [ "$mode" = contains ]; then
    # the displayed text, line breaks included, somewhere in the output
    local want got
    want=$(cat "$c.exp.txt") got=$(cat "$c.out")
    [[ $got == *"$want"* ]] || ok=0
  else
    cmp -s "$c.exp.txt" "$c.out" || ok=0
  fi
  [ "$status" = 0 ] || ok=0
  if [ $ok = 1 ]; then
    echo "PASS: $src: ${cmd%%$'\n'*}"
    passed=$((passed + 1))
    return
  fi
  echo "FAIL: $src: ${cmd%%$'\n'*}"
  [ "$status" = 0 ] || echo "    exit status $status"
  show_diff "$c.exp.txt" "$c.out"
  failed=$((failed + 1))
}

# check_builtins PAGE: every built-in has its entry in PAGE's BUILT-IN
# FUNCTIONS section.
check_builtins() {
  local list=$top_builddir/tests/list_builtins m
  if [ ! -x "$list" ]; then
    echo "manpages.sh: $list: not built" >&2
    exit 99
  fi
  "$list" | sort -u >"$tmp/builtins" || exit 99
  awk '/^\.SH/ { on = ($0 ~ /^\.SH BUILT-IN FUNCTIONS/) }
       on && /^\.B[IR]? / { print }' "$1" |
    grep -o '[a-z_][a-z_0-9]*' | sort -u >"$tmp/documented"
  m=$(comm -23 "$tmp/builtins" "$tmp/documented" | tr '\n' ' ')
  if [ -z "$m" ]; then
    echo "PASS: ${1##*/} documents every built-in function"
    passed=$((passed + 1))
  else
    echo "FAIL: ${1##*/}: BUILT-IN FUNCTIONS lacks: $m"
    failed=$((failed + 1))
  fi
}

for page in "${pages[@]}"; do
  case $page in /*) ;; *) page=$PWD/$page ;; esac
  name=${page##*/}
  page_is_man=1
  case $name in *.md) page_is_man=0 ;; esac
  cases=$tmp/cases-$name work=$tmp/work-$name
  mkdir -p "$cases" "$work/cli" || exit 99
  ln -s "$top_srcdir/examples" "$work/examples" || exit 99
  cp "$tmp/bin/gradtool" "$work/cli/gradtool" || exit 99
  if [ ! -r "$page" ]; then
    echo "FAIL: $name: cannot be read"
    failed=$((failed + 1))
    continue
  fi
  [ "$name" = gradtool.5 ] && check_builtins "$page"
  extract "$page" "$cases" || exit 99
  count=$(find "$cases" -name '*.mode' | wc -l)
  if [ "$count" = 0 ]; then
    echo "FAIL: $name: no examples found"
    failed=$((failed + 1))
    continue
  fi
  cd "$work" || exit 99
  for ((i = 1; i <= count; i++)); do
    run_case "$cases" "$i"
  done
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
