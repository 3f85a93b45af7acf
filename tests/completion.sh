#!/bin/bash
# completion.sh -- the bash completion of completions/gradtool: options from
# --help, formats, .gt files, and the program's names for --wrt, --of, --at.
# Each case sets COMP_WORDS and COMP_CWORD as bash does, calls _gradtool,
# and compares COMPREPLY (sorted, one per line) with the expected words.

. "$(cd "$(dirname "$0")" && pwd)/common.sh" completion

# shellcheck source=../completions/gradtool
. "$top_srcdir/completions/gradtool"

ok=0 bad=0
# case LABEL EXPECTED WORD...: the last WORD is the one being completed
case_() {
  local label=$1 want=$2
  shift 2
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _gradtool
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ')
  if [ "$got" = "$want" ]; then
    echo "PASS: $label"; ok=$((ok + 1))
  else
    echo "FAIL: $label"; echo "    expected: '$want'"; echo "    got:      '$got'"
    bad=$((bad + 1))
  fi
}

mkdir "$tmp/work" && cd "$tmp/work" || exit 99
mkdir sub
cat >prog.gt <<'GT'
# a program
input x = 3
input rate
y = x * rate
z += 1   # a compound assignment binds too
if y > 2 { w = y }
output y, z
GT
touch other.gt notes.txt

case_ "long option from --help" "--wrt= " gradtool --wr
case_ "options sharing a prefix" "--verified --version " gradtool --ver
case_ "--format values" "json " gradtool --format j
case_ "--format=VALUE in one word" "--format=csv " gradtool --format=c
case_ "program files and folders" "other.gt prog.gt sub " gradtool ""
case_ "--wrt: the names of FILE" "rate w x y z " gradtool prog.gt --wrt ""
case_ "--wrt: after a comma" "x,rate x,w x,x x,y x,z " gradtool prog.gt --wrt x,
case_ "--of: outputs and variables" "w y z " gradtool prog.gt -o ""
case_ "--at: inputs with =" "rate= x= " gradtool prog.gt --at ""
case_ "--check: inputs with =" "rate= " gradtool prog.gt --check r
case_ "-e TEXT: its names" "a b " gradtool -e "'input a = 1; b = a^2'" -w ""
case_ "--expr=TEXT: its names" "a= " gradtool "--expr=input a = 1; b = a^2" --at ""
case_ "--order takes a number" "" gradtool prog.gt --order ""
# the zsh completion: at least it parses and loads (when zsh is here)
if command -v zsh >/dev/null 2>&1; then
  if zsh -n "$top_srcdir/completions/_gradtool" &&
     zsh -fc "fpath=($top_srcdir/completions \$fpath); autoload -Uz compinit;
              compinit -u -d $tmp/zcompdump; autoload -Uz _gradtool" \
       >"$tmp/zsh.log" 2>&1 && [ ! -s "$tmp/zsh.log" ]; then
    echo "PASS: zsh loads completions/_gradtool"; ok=$((ok + 1))
  else
    echo "FAIL: zsh loads completions/_gradtool"; bad=$((bad + 1))
    sed 's/^/    /' "$tmp/zsh.log"
  fi
fi
echo "$ok passed, $bad failed"
[ $bad -eq 0 ]
