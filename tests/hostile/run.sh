#!/bin/bash
# run.sh -- hostile inputs: every one must end with its documented exit
# status and message, never with a crash, a hang or the machine exhausted.
#
# A case is a line of the table at the end: its name, the expected exit
# status (an extended regular expression: 0|4 is either), an extended
# regular expression the first line of stderr must match (- for "stderr is
# empty"), then the gradtool arguments.  In the
# arguments, @NAME.gt stands for the file NAME.gt of this directory, and
# %NAME for a file made by the function gen_NAME below (big inputs are
# made when the suite runs, not kept in the repository; it gets the
# file's path as $1, so it may also extend it with truncate).  Cases run
# with the working directory set to this directory, standard input from
# /dev/null and standard output to a file, unless io_case says otherwise.
# Issue 7 (hardening), issue 11 (robustness at scale).
#
# Usage: run.sh [NAME]...        (default: every case)
# GRADTOOL is the binary (default: ../../cli/gradtool from this script, or
# $top_builddir/cli/gradtool); GRADTOOL_WRAPPER and GRADTOOL_TIMEOUT as in
# tests/e2e/run.sh.

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd) || exit 99
if [ -z "${GRADTOOL:-}" ]; then
  GRADTOOL=$here/../../cli/gradtool
  [ -x "$GRADTOOL" ] || GRADTOOL=${top_builddir:-.}/cli/gradtool
fi
case $GRADTOOL in /*) ;; *) GRADTOOL=$PWD/$GRADTOOL ;; esac
if [ ! -x "$GRADTOOL" ]; then
  echo "run.sh: $GRADTOOL: no such executable (set GRADTOOL)" >&2
  exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gradtool-hostile.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' HUP INT TERM
cd "$here" || exit 99

# rep N TEXT: TEXT repeated N times, no newline.
rep() { printf "%$1s" '' | sed "s/ /$2/g"; }
# bytes N CHAR: N copies of the one character CHAR (fast for megabytes).
bytes() { head -c "$1" /dev/zero | tr '\0' "$2"; }

# ---- generated inputs ------------------------------------------------------
gen_paren_100k()   { printf 'y = %s1%s\n' "$(bytes 100000 '(')" "$(bytes 100000 ')')"; }
gen_bracket_100k() { printf 'y = %s1%s\n' "$(bytes 100000 '[')" "$(bytes 100000 ']')"; }
gen_minus_100k()   { printf 'y = %s1\n' "$(bytes 100000 -)"; }
gen_not_100k()     { printf 'y = %s1\n' "$(rep 100000 'not ')"; }
gen_power_100k()   { printf 'y = 1%s\n' "$(rep 100000 '^1')"; }
gen_call_100k()    { printf 'y = %s1%s\n' "$(rep 100000 'sin(')" "$(bytes 100000 ')')"; }
gen_if_100k()      { printf '%sy = 1%s\n' "$(rep 100000 'if 1 {')" "$(bytes 100000 '}')"; }
gen_while_100k()   { printf '%sbreak%s\n' "$(rep 100000 'while 1 {')" "$(bytes 100000 '}')"; }
gen_def_100k()     { printf 'def f(x) {\n%sreturn x%s\n}\ny = f(1)\n' \
                       "$(rep 100000 'if x {')" "$(bytes 100000 '}')"; }
# a chain is a loop in the parser but a tree as deep as it is long
gen_sum_5m()       { printf 'y = 1%s\n' "$(bytes 5000000 x | sed 's/x/+1/g')"; }
gen_sum_20k()      { printf 'y = 1%s\n' "$(rep 19999 '+1')"; }
gen_max_60k()      { printf 'y = max(1%s)\n' "$(rep 60000 ',1')"; }
gen_comment_10mb() { printf 'y = 1 # %s\nz = y + 1\n' "$(bytes 10000000 a)"; }
gen_space_10mb()   { printf 'y = 1 %s+\n' "$(bytes 10000000 ' ')"; }
gen_digits_1m()    { printf 'y = %s\n' "$(bytes 1000000 7)"; }
gen_name_1m()      { printf '%s = 1\n' "$(bytes 1000000 a)"; }
# each call nests 400 levels of expression: calls use up the C stack
# before --max-depth is reached, and the interpreter's guard must stop them
gen_cstack()       { printf 'def f(n) { return %sf(n + 1)%s }\ny = f(0)\n' \
                       "$(rep 400 '0+(')" "$(bytes 400 ')')"; }
gen_many_stmts()   { for i in $(seq 1 200000); do echo "x$((i % 50)) = $i"; done; }
# issue 11: many distinct names (generated code); name lookup must not be
# quadratic (before: 100,000 names 22 s, 50,000 outputs 13 s)
gen_names_300k()   { seq 300000 | sed 's/.*/v& = &/'; }
gen_outputs_200k() { seq 200000 | sed 's/.*/v& = &/'
                     printf 'output %s\n' "$(seq 200000 | sed 's/^/v/' | paste -sd, -)"; }
gen_inputs_200k()  { seq 200000 | sed 's/.*/input v& = &/'; echo 'y = v1 + v200000'; }
gen_funcs_100k()   { seq 100000 | sed 's/.*/def f&(x) { return x + & }/'
                     seq 100000 | sed 's/.*/y& = f&(1)/'; }
# issue 11: long left chains run without recursion (the links of a chain
# are one level); right-nested ^ and brackets keep their limits above
gen_sum_50k()      { printf 'y = 1%s\n' "$(rep 49999 '+1')"; }
gen_sum_x_1m()     { printf 'input x = 2\ny = x%s\n' "$(bytes 1000000 x | sed 's/x/-x/g')"; }
gen_mul_div_200k() { printf 'input x = 2\ny = 3%s\n' "$(bytes 100000 m | sed 's|m|*x/x|g')"; }
gen_and_200k()     { printf 'y = 1 < 2%s\n' "$(rep 200000 ' and 1')"; }
gen_chain_in_def() { printf 'def f(x) {\n  return x%s\n}\nfor i in range(2) { y = f(i + 1) }\n' \
                       "$(rep 100000 '+x')"; }
gen_chain_args()   { printf 'input x = 1\ny = (x%s) * (1%s)\nz = grad(y, x, 2)\n' \
                       "$(rep 50000 '+x')" "$(rep 50000 '+x*x')"; }
# issue 11: a file beyond the largest program (2 GiB - 1 bytes), sparse
gen_sparse_2g()    { truncate -s 2147483648 "$1"; }
# --batch input: NUL bytes in a field and in the header
gen_nul_field()    { printf 'x\n1\0002\n3\n'; }
gen_nul_header()   { printf 'x\000y\n1\n'; }
gen_nul_second()   { printf 'x,y\n1,2\n3,4\0005\n'; }
gen_points()       { printf 'x\n1\n2\n'; }
gen_prog_points()  { printf 'y = x^2\nx\n1\n2\n'; }
# a header of a million distinct names (c1 to c1000000), then one again
gen_header_1m()    { seq 1 1000000 | sed 's/^/c/' | paste -sd, -; }
gen_header_1m_dup() { { seq 1 1000000; echo 1; } | sed "s/^/c/" \
                       | paste -sd, -; }

# ---- the runner ---------------------------------------------------------------
passed=0 failed=0 skipped=0

only=" $* "     # names given on the command line (all when none)
limit_kb=       # ulimit -v for the next case (oom_case)
stdin_from=/dev/null  # standard input of the next case (io_case)
stdin_pipe=     # 1: through a pipe (cat FILE |) rather than a redirection
stdout_to=      # standard output of the next case: a path, or "closed"

# run_case NAME STATUS REGEX ARGS...
run_case() {
  local name=$1 want=$2 re=$3 a args=()
  shift 3
  [ "$only" = "  " ] || case $only in *" $name "*) ;; *) return ;; esac
  for a in "$@"; do
    case $a in
      @*) args+=("${a#@}") ;;
      %*) "gen_${a#%}" "$tmp/${a#%}.gt" >"$tmp/${a#%}.gt" || return 99
          args+=("$tmp/${a#%}.gt") ;;
      *) args+=("$a") ;;
    esac
  done
  # shellcheck disable=SC2086 # the wrapper is split into words on purpose
  local status first ok=1
  one_run() {
    (
      [ -z "$limit_kb" ] || ulimit -v "$limit_kb"
      case $stdout_to in
        '') ;;
        closed) exec >&- ;;
        *) exec >"$stdout_to" ;;
      esac
      exec timeout "${GRADTOOL_TIMEOUT:-60}" ${GRADTOOL_WRAPPER:-} \
        "$GRADTOOL" "${args[@]}"
    ) >"$tmp/out" 2>"$tmp/err"
  }
  if [ -n "$stdin_pipe" ]; then
    cat "$stdin_from" | one_run
    status=${PIPESTATUS[1]}
  else
    one_run <"$stdin_from"
    status=$?
  fi
  # (AddressSanitizer warns when a longjmp leaves a very deep stack)
  first=$(grep -Ev '^(==[0-9]+==WARNING: ASan is ignoring requested __asan_handle_no_return|False positive error reports may follow|For details see .*sanitizers/issues/189)' \
            "$tmp/err" | head -n 1 | cut -c 1-300 | sed "s|$tmp/||")
  printf '%s\n' "$status" | grep -Eqx -- "$want" || ok=0
  if [ "$re" = - ]; then
    [ -s "$tmp/err" ] && ok=0
  else
    printf '%s\n' "$first" | grep -Eq -- "$re" || ok=0
  fi
  rm -f "$tmp"/*.gt "$tmp"/*.in
  if [ $ok = 1 ]; then
    echo "PASS: $name"
    passed=$((passed + 1))
    return
  fi
  echo "FAIL: $name"
  if [ "$status" = 124 ]; then
    echo "    timed out after ${GRADTOOL_TIMEOUT:-60} s (expected exit status $want)"
  else
    echo "    exit status $status, expected $want"
  fi
  echo "    stderr starts: $first"
  [ "$re" = - ] || echo "    expected match: $re"
  failed=$((failed + 1))
}

# oom_case NAME KB STATUS REGEX ARGS...: run_case under ulimit -v KB;
# skipped where that limit cannot be used (sanitizer builds reserve
# terabytes of address space; valgrind has its own allocator).
oom_case() {
  local name=$1 kb=$2
  shift 2
  [ "$only" = "  " ] || case $only in *" $name "*) ;; *) return ;; esac
  if [ -n "${GRADTOOL_WRAPPER:-}" ] \
     || ! (ulimit -v "$kb" && "$GRADTOOL" --version) >/dev/null 2>&1; then
    echo "SKIP: $name (ulimit -v does not fit this build)"
    skipped=$((skipped + 1))
    return
  fi
  limit_kb=$kb
  run_case "$name" "$@"
  limit_kb=
}

# io_case NAME IN OUT STATUS REGEX ARGS...: run_case with standard input
# IN (- for /dev/null, <%GEN the output of gen_GEN as a file, |%GEN the
# same through a pipe) and standard output OUT (- for a file, full for
# /dev/full, null for /dev/null, closed for a closed descriptor).
io_case() {
  local name=$1 in=$2 out=$3
  shift 3
  [ "$only" = "  " ] || case $only in *" $name "*) ;; *) return ;; esac
  case $in in
    -) ;;
    [\<\|]%*) "gen_${in#?%}" "$tmp/$name.in" >"$tmp/$name.in" || return 99
              stdin_from=$tmp/$name.in
              [ "${in%%%*}" = '|' ] && stdin_pipe=1 ;;
    *) echo "run.sh: $name: bad input '$in'" >&2; return 99 ;;
  esac
  case $out in
    -) ;;
    full) stdout_to=/dev/full ;;
    closed) stdout_to=closed ;;
    null) stdout_to=/dev/null ;;
    *) echo "run.sh: $name: bad output '$out'" >&2; return 99 ;;
  esac
  run_case "$name" "$@"
  stdin_from=/dev/null stdin_pipe= stdout_to=
}

# oom_null_case NAME KB STATUS REGEX ARGS...: oom_case with standard
# output to /dev/null (output too big to keep)
oom_null_case() {
  stdout_to=/dev/null
  oom_case "$@"
  stdout_to=
}

nest='error: program nested too deeply \(more than 1000 levels\)'
deep='error: expression more than 25000 operations deep'
cases() {
  # nesting: every recursive path of the parser stops at 1000 levels
  run_case paren_100k        3 "^paren_100k.gt:1:[0-9]+: $nest" %paren_100k
  run_case bracket_100k      3 "^bracket_100k.gt:1:[0-9]+: $nest" %bracket_100k
  run_case unary_minus_100k  3 "^minus_100k.gt:1:1004: $nest" %minus_100k
  run_case not_chain_100k    3 "^not_100k.gt:1:4001: $nest" %not_100k
  run_case power_chain_100k  3 "^power_100k.gt:1:2004: $nest" %power_100k
  run_case call_nest_100k    3 "^call_100k.gt:1:[0-9]+: $nest" %call_100k
  run_case if_blocks_100k    3 "^if_100k.gt:1:[0-9]+: $nest" %if_100k
  run_case while_blocks_100k 3 "^while_100k.gt:1:[0-9]+: $nest" %while_100k
  run_case def_blocks_100k   3 "^def_100k.gt:2:[0-9]+: $nest" %def_100k
  # chains: flat to parse, walked by loops (issue 11)
  run_case sum_20k_terms     0 - %sum_20k
  run_case sum_50k_terms     0 - %sum_50k
  run_case sum_5m_terms_10mb 4 "^sum_5m.gt:1:[0-9]+: error: the recording exceeds 1000000 nodes" --max-nodes 1000000 %sum_5m
  run_case sum_1m_terms_d3   0 - --wrt x --order 3 %sum_x_1m
  run_case mul_div_200k      0 - --wrt x %mul_div_200k
  run_case and_chain_200k    0 - %and_200k
  run_case chain_in_function 0 - %chain_in_def
  run_case chain_grad_order2 0 - --wrt x %chain_args
  run_case max_60k_args      3 "^max_60k.gt:1:5: $deep" %max_60k
  # many names: linear time (issue 11)
  run_case names_300k        0 - %names_300k
  run_case outputs_200k      0 - %outputs_200k
  run_case inputs_200k       0 - %inputs_200k
  run_case functions_100k    0 - %funcs_100k
  # long lines and big tokens
  run_case comment_10mb      0 - %comment_10mb
  run_case space_10mb_error  3 "^space_10mb.gt:1:10000008: error: expected an expression at end of line" %space_10mb
  run_case digits_1m         0 - %digits_1m
  run_case name_1m           0 - %name_1m
  run_case many_statements   0 - %many_stmts
  # bytes that are not the language
  run_case nul_byte          3 '^nul_byte.gt:2:6: error: stray byte 0x00 in program' @nul_byte.gt
  run_case invalid_utf8      3 '^invalid_utf8.gt:3:5: error: stray byte 0xC3 in program' @invalid_utf8.gt
  run_case utf8_in_comment   0 - @utf8_in_comment.gt
  # issue 11: an unknown escape is an error, not dropped in silence
  run_case unknown_escape    3 '^<command-line>:1:9: error: unknown escape sequence .\\q. in a string' -e 'print("a\q")'
  run_case escape_nonascii   3 '^<command-line>:1:10: error: unknown escape sequence in a string: .\\. followed by byte 0xC3' -e 'print("ab\é")'
  run_case known_escapes     0 '^\\ " $' -e 'print("\\ \" \n \t")'
  run_case unterminated_block 3 "^unterminated_block.gt:5:11: error: expected '\}' before end of file" @unterminated_block.gt
  # numbers at the ends of the range: values, with a warning
  run_case huge_literal      0 '^huge_literal.gt:1:5: warning: number literal overflows to inf' @huge_literal.gt
  run_case huge_at           0 '^<at>:1:1: warning: number literal overflows to inf' --at x=1e999999999 -e 'input x = 0'
  run_case range_huge        4 '^<command-line>:1:16: error: a range bound is too large' --max-steps 1000 -e 'for i in range(1e18) { x = i }'
  run_case range_inf         4 '^<command-line>:1:16: error: a range bound must be an integer' -e 'for i in range(inf) { x = i }'
  # enormous shapes: checked with overflow-safe products before allocating
  run_case shape_1e15        4 '^<command-line>:1:26: error: a tensor of more than 10000000 elements' -e 'y = ones(100000, 100000, 100000)'
  run_case shape_overflow    4 '^<command-line>:1:46: error: the tensor is too large' -e 'y = ones(4294967296, 4294967296, 4294967296, 4294967296)'
  run_case shape_eye_1e6     4 '^<command-line>:1:5: error: a tensor of more than 10000000 elements' -e 'y = eye(1e6)'
  run_case shape_linspace    4 '^<command-line>:1:20: error: a tensor of more than 10000000 elements' -e 'y = linspace(0, 1, 1e12)'
  run_case shape_negative    4 '^<command-line>:1:11: error: a dimension must not be negative' -e 'y = zeros(-1)'
  run_case shape_not_integer 4 '^<command-line>:1:22: error: a dimension must be an integer' -e 'y = reshape(ones(4), [2, 2, 1e18])'
  run_case max_elements      4 '^<command-line>:1:[0-9]+: error: a tensor of more than 100 elements' --max-elements 100 -e 'y = ones(10, 11)'
  # issue 11: element 0 of an empty derivative is not read (the arena is
  # poisoned under AddressSanitizer, which catches such a read)
  run_case check_empty_tensor 2 'has shape \[0\]' -e 'input x = 1; y = sum(x)' --at 'x=zeros(0)' --check x=5
  # limits
  run_case endless_while     4 '^endless_while.gt:2:1: error: more than 100000 loop iterations' --max-steps 100000 @endless_while.gt
  run_case runaway_recursion 4 '^runaway_recursion.gt:2:10: error: calls nested more than 10000 deep' @runaway_recursion.gt
  run_case recursion_limit   4 '^runaway_recursion.gt:2:10: error: calls nested more than 100 deep' --max-depth 100 @runaway_recursion.gt
  run_case c_stack_guard     4 '^cstack.gt:1:[0-9]+: error: calls nested [0-9]+ deep use up the C stack available to the run' --max-depth 100000 %cstack
  run_case max_nodes         4 '^many_nodes.gt:4:7: error: the recording exceeds 10000 nodes' --max-nodes 10000 @many_nodes.gt
  run_case prec_too_big      2 "^gradtool: " --prec 1000001 -e 'y = 1'
  run_case prec_1m           0 - --prec 1000000 -e 'x = exp(sqrt(2)); y = x * x'
  # issue 11: the functions whose one call takes minutes at high precision
  run_case prec_lgamma_100k  4 "^<command-line>:1:5: error: lgamma is limited to 10000 bits of precision \(this run uses 100000\)" --prec 100000 -e 'y = lgamma(0.7)'
  run_case prec_gamma_20k    4 '^<command-line>:1:5: error: gamma is limited to 10000 bits' --prec 20000 -e 'y = gamma(0.7)'
  run_case prec_digamma_20k  4 '^<command-line>:1:23: error: digamma is limited to 10000 bits' --prec 20000 -e 'input x = [1, 2]; y = digamma(x)'
  run_case prec_erfc_20k     4 '^<command-line>:1:5: error: erfc is limited to 10000 bits' --prec 20000 -e 'y = erfc(150)'
  run_case prec_erf_1m       4 '^<command-line>:1:5: error: erf is limited to 10000 bits' --prec 1000000 -e 'y = erf(0.7)'
  run_case prec_gamma_10k    0 - --prec 10000 --digits 10 -e 'y = gamma(0.7)'
  # sin of a huge number: the argument reduction costs minutes (found by
  # tests/fuzz/gen.py: a recursion squaring its argument)
  run_case trig_huge_arg     4 '^<command-line>:1:[0-9]+: error: sin of a number beyond 2\^16777216' -e 'x = 6; for i in range(25) { x = x * x }; y = sin(x)'
  run_case trig_big_arg      0 - --digits 10 -e 'y = cos(1e1000000)'
  # out of memory: an error message, never a crash
  # GMP and MPFR abort when malloc fails unless the command catches it:
  # at every limit the run must finish or say "out of memory" (plainly, or
  # located where the recording ran out), exit 4
  local kb
  for kb in 18000 22000 26000 30000; do
    oom_case "oom_mpfr_$kb" "$kb" '0|4' \
      '^(gradtool: out of memory|<command-line>:1:1: error: out of memory while recording)?$' \
      --digits 5 --max-depth 1 --prec 1000000 -e 'y = exp(sqrt(2))'
  done
  # issue 11: write errors, NUL bytes in --batch input, the program and
  # the points from one stream, the largest program, wide headers
  io_case help_to_full         - full   4 '^gradtool: write error: No space left on device$' --help
  io_case version_to_full      - full   4 '^gradtool: write error: No space left on device$' --version
  io_case help_to_closed       - closed 4 '^gradtool: write error: Bad file descriptor$' --help
  io_case version_to_closed    - closed 4 '^gradtool: write error: Bad file descriptor$' --version
  io_case run_to_full          - full   4 '^gradtool: write error: No space left on device$' -e 'y = 1'
  io_case batch_to_full '<%points' full 4 '^gradtool: write error: No space left on device$' --batch -e 'y = x^2'
  io_case nothing_to_closed    - closed 0 - --batch -e 'y = x^2'
  io_case batch_nul_field  '<%nul_field'  - 2 '^<stdin>:2: error: field 1 holds a NUL byte$' --batch -e 'y = x^2'
  io_case batch_nul_header '<%nul_header' - 2 '^<stdin>:1: error: field 1 of the header holds a NUL byte$' --batch -e 'y = x^2'
  io_case batch_nul_second '<%nul_second' - 2 '^<stdin>:3: error: field 2 holds a NUL byte$' --batch -e 'z = x + y'
  io_case batch_nul_skip   '<%nul_field'  - 0 '^<stdin>:2: warning: field 1 holds a NUL byte; row skipped$' --batch --skip-bad-rows -e 'y = x^2'
  io_case batch_dev_stdin  '<%prog_points' - 2 "^gradtool: --batch: the program file '/dev/stdin' is standard input, which holds the points$" --batch /dev/stdin
  io_case batch_dev_stdin_pipe '|%prog_points' - 2 "^gradtool: --batch: the program file '/dev/stdin' is standard input" --batch /dev/stdin
  io_case batch_proc_fd0   '<%prog_points' - 2 "^gradtool: --batch: the program file '/proc/self/fd/0' is standard input" --batch /proc/self/fd/0
  run_case program_2g_file     2 "^gradtool: cannot read 'sparse_2g.gt': a program has at most 2147483647 bytes$" %sparse_2g
  io_case program_2g_stdin '<%sparse_2g' - 2 '^gradtool: error reading standard input: a program has at most 2147483647 bytes$' -
  io_case header_1m_dup '<%header_1m_dup' - 2 "^<stdin>:1: error: the header names 'c1' twice$" --batch -e 'y = 1'
  io_case header_1m     '<%header_1m'     - 2 "^<stdin>:1: error: the header names 'c1', which is not an input of the program$" --batch -e 'y = 1'
  # printing streams: the text of a big tensor is never held whole (the
  # tensors themselves take 320 MB each at 128 bits)
  oom_null_case print_zeros_1e7 800000 0 - -e 'y = zeros(10000000)'
  oom_null_case print_zeros_1e7_json 800000 0 - -f json -e 'y = zeros(10000000)'
  oom_null_case print_zeros_1e7_csv 800000 0 - -f csv -e 'y = zeros(10000000)'
  oom_null_case print_transpose_rank8 1500000 0 - -e 'y = transpose(zeros(1,1,1,1,1,1,1,10000000))'
  # reading x[i] in a loop is O(1) in the reverse sweep: linear memory
  # (an x-sized adjoint part per read made this 10 GB)
  oom_null_case index_loop_linear 500000 0 - --wrt x -e 'input x = fill(0.5, 20000); f = 0; for i in range(1, 20000) { f = f + x[i - 1] * x[i] }'
  oom_case oom_recording 300000 4 '^<command-line>:1:[0-9]+: error: out of memory' --prec 1000000 -e 'x = 1.5; for i in range(100000) { x = x * 1.0001 }'
}

cases
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
