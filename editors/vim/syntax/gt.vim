" Vim syntax file
" Language:    gradtool (.gt programs; see gradtool(5))
" Install:     copy to ~/.vim/syntax/gt.vim and ftdetect/gt.vim to
"              ~/.vim/ftdetect/gt.vim (make install puts both under
"              DATADIR/vim/vimfiles)

if exists("b:current_syntax")
  finish
endif

syn keyword gtStatement  input output assert print return break continue
syn keyword gtConditional if elif else
syn keyword gtRepeat     for while in
syn keyword gtDefine     def nextgroup=gtFunction skipwhite
syn match   gtFunction   "\h\w*" contained
syn keyword gtOperator   and or not
syn keyword gtConstant   pi e inf nan
" the built-in functions, as gt_builtin_name lists them
syn keyword gtBuiltin   pow abs sign sqrt cbrt exp exp2 expm1 log log2 log10 log1p sin
syn keyword gtBuiltin   cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh
syn keyword gtBuiltin   hypot erf erfc norm_cdf norm_logcdf erfinv lambertw gamma lgamma digamma floor ceil round trunc min
syn keyword gtBuiltin   max sigmoid softplus relu where stop_gradient add subtract multiply
syn keyword gtBuiltin   divide negative ones zeros fill eye linspace shape size rank len
syn keyword gtBuiltin   sum reduce_sum mean reduce_mean prod reduce_prod reduce_max reduce_min
syn keyword gtBuiltin   dot matmul transpose reshape norm grad jacobian hessian
syn keyword gtBuiltin   concat stack tile repeat append load
syn keyword gtBuiltin   polygamma besselj bessely
syn keyword gtBuiltin   zeta beta lbeta gamma_inc logsumexp reduce_logsumexp
" range() of a for loop
syn keyword gtBuiltin    range

syn match   gtNumber     "\<\d\+\(\.\d*\)\=\([eE][-+]\=\d\+\)\=\>"
syn match   gtNumber     "\.\d\+\([eE][-+]\=\d\+\)\=\>"
syn region  gtString     start=+"+ skip=+\\\\\|\\"+ end=+"+ oneline
syn match   gtComment    "#.*$" contains=gtTodo
syn keyword gtTodo       TODO FIXME XXX contained
syn match   gtOp         "[-+*/%@^=<>!]=\=\|\*\*"

hi def link gtStatement   Statement
hi def link gtConditional Conditional
hi def link gtRepeat      Repeat
hi def link gtDefine      Define
hi def link gtFunction    Function
hi def link gtOperator    Operator
hi def link gtOp          Operator
hi def link gtConstant    Constant
hi def link gtBuiltin     Function
hi def link gtNumber      Number
hi def link gtString      String
hi def link gtComment     Comment
hi def link gtTodo        Todo

let b:current_syntax = "gt"
