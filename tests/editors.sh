#!/bin/bash
# editors.sh -- the editor files know every built-in function: each name
# that gt_builtin_name lists (tests/list_builtins) is a gtBuiltin keyword of
# editors/vim/syntax/gt.vim and a string of gradtool-builtins in
# editors/emacs/gradtool-mode.el.  When vim or emacs is installed, the
# files also load without an error.

. "$(cd "$(dirname "$0")" && pwd)/common.sh" editors
top_builddir=${top_builddir:-$here/..}

ok=0 bad=0
check() { if "$@"; then ok=$((ok + 1)); else bad=$((bad + 1)); fi; }

list=$top_builddir/tests/list_builtins
[ -x "$list" ] || { echo "editors.sh: $list: not built" >&2; exit 99; }
"$list" >"$tmp/builtins" || exit 99

vim_file=$top_srcdir/editors/vim/syntax/gt.vim
el_file=$top_srcdir/editors/emacs/gradtool-mode.el
sed -n 's/^syn keyword gtBuiltin *//p' "$vim_file" | tr ' ' '\n' |
  sed '/^$/d' | sort -u >"$tmp/vim"
sed -n '/(defconst gradtool-builtins/,/")$/p' "$el_file" |
  grep -o '"[a-z_0-9]*"' | tr -d '"' | sort -u >"$tmp/el"

missing() { # LABEL FILE: every built-in is in FILE
  local m
  m=$(sort -u "$tmp/builtins" | comm -23 - "$2" | tr '\n' ' ')
  if [ -z "$m" ]; then
    echo "PASS: $1 lists every built-in"
  else
    echo "FAIL: $1 lacks: $m"
    return 1
  fi
}
check missing "gt.vim" "$tmp/vim"
check missing "gradtool-mode.el" "$tmp/el"

if command -v vim >/dev/null 2>&1; then
  printf 'input x = 1 # c\ny = sin(x)\n' >"$tmp/a.gt"
  if vim -Es -u NONE -N --cmd "set rtp^=$top_srcdir/editors/vim" \
       -c 'syntax on' -c 'filetype on' -c "edit $tmp/a.gt" \
       -c 'if &filetype != "gt" | cquit | endif' -c 'qa!' </dev/null \
       >"$tmp/vim.log" 2>&1; then
    echo "PASS: vim opens a .gt file as filetype gt"; ok=$((ok + 1))
  else
    echo "FAIL: vim opens a .gt file as filetype gt"; bad=$((bad + 1))
    sed 's/^/    /' "$tmp/vim.log"
  fi
fi
if command -v emacs >/dev/null 2>&1; then
  if emacs -Q --batch --eval "(setq byte-compile-error-on-warn t)" \
       -f batch-byte-compile "$(cp "$el_file" "$tmp/" && echo "$tmp/gradtool-mode.el")" \
       >"$tmp/emacs.log" 2>&1; then
    echo "PASS: gradtool-mode.el byte-compiles without warnings"; ok=$((ok + 1))
  else
    echo "FAIL: gradtool-mode.el byte-compiles"; bad=$((bad + 1))
    sed 's/^/    /' "$tmp/emacs.log"
  fi
fi
echo "$ok passed, $bad failed"
[ $bad -eq 0 ]
