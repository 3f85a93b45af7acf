;;; gradtool-mode.el --- major mode for gradtool programs (.gt)  -*- lexical-binding: t -*-

;; Part of gradtool; see gradtool(5) for the language.
;; Install: put this file on `load-path' (make install copies it to
;; DATADIR/emacs/site-lisp) and add (require 'gradtool-mode) to your init
;; file.  Files ending in .gt then open in this mode, with the keywords,
;; built-in functions, numbers, strings and # comments highlighted, and
;; blocks in braces indented.

;;; Code:

(defgroup gradtool nil
  "Editing gradtool programs."
  :group 'languages)

(defcustom gradtool-indent-offset 2
  "Columns of indentation per block level."
  :type 'integer
  :group 'gradtool)

(defconst gradtool-keywords
  '("input" "output" "assert" "print" "return" "break" "continue"
    "if" "elif" "else" "for" "while" "in" "def" "and" "or" "not")
  "Keywords of the gradtool language.")

(defconst gradtool-constants '("pi" "e" "inf" "nan")
  "Predefined constants of the gradtool language.")

(defconst gradtool-builtins
  '("pow" "abs" "sign" "sqrt" "cbrt" "exp" "exp2" "expm1" "log" "log2"
    "log10" "log1p" "sin" "cos" "tan" "asin" "acos" "atan" "atan2" "sinh"
    "cosh" "tanh" "asinh" "acosh" "atanh" "hypot" "erf" "erfc" "norm_cdf" "norm_logcdf" "erfinv" "lambertw" "gamma"
    "lgamma" "digamma" "floor" "ceil" "round" "trunc" "min" "max" "sigmoid"
    "softplus" "relu" "where" "stop_gradient" "add" "subtract" "multiply"
    "divide" "negative" "ones" "zeros" "fill" "eye" "linspace" "shape"
    "size" "rank" "len" "sum" "reduce_sum" "mean" "reduce_mean" "prod"
    "reduce_prod" "reduce_max" "reduce_min" "dot" "matmul" "transpose"
    "reshape" "norm" "grad" "jacobian" "hessian" "range"
    "concat" "stack" "tile" "repeat" "append" "load"
    "polygamma" "besselj" "bessely"
    "zeta" "beta" "lbeta" "gamma_inc" "logsumexp" "reduce_logsumexp")
  "Built-in functions, as gt_builtin_name lists them, and range.")

(defconst gradtool-font-lock-keywords
  `((,(concat "\\_<def\\_>[ \t]+\\(\\(?:\\sw\\|\\s_\\)+\\)")
     1 font-lock-function-name-face)
    (,(regexp-opt gradtool-keywords 'symbols) . font-lock-keyword-face)
    (,(regexp-opt gradtool-constants 'symbols) . font-lock-constant-face)
    (,(regexp-opt gradtool-builtins 'symbols) . font-lock-builtin-face)
    ("\\_<[0-9]+\\(?:\\.[0-9]*\\)?\\(?:[eE][-+]?[0-9]+\\)?\\_>"
     . font-lock-constant-face))
  "Highlighting for `gradtool-mode'.")

(defvar gradtool-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?# "<" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?' "." table)
    (dolist (c '(?+ ?- ?* ?/ ?% ?@ ?^ ?= ?< ?> ?!))
      (modify-syntax-entry c "." table))
    table)
  "Syntax table of `gradtool-mode'.")

(defun gradtool-indent-line ()
  "Indent the current line by the depth of braces and brackets around it."
  (interactive)
  (let ((depth (save-excursion
                 (beginning-of-line)
                 (car (syntax-ppss))))
        (closing (save-excursion
                   (back-to-indentation)
                   (looking-at "[]})]"))))
    (indent-line-to (* gradtool-indent-offset
                       (max 0 (if closing (1- depth) depth))))))

;;;###autoload
(define-derived-mode gradtool-mode prog-mode "gradtool"
  "Major mode for gradtool programs (see gradtool(5))."
  :syntax-table gradtool-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+[ \t]*")
  (setq-local font-lock-defaults '(gradtool-font-lock-keywords))
  (setq-local indent-line-function #'gradtool-indent-line))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.gt\\'" . gradtool-mode))

(provide 'gradtool-mode)
;;; gradtool-mode.el ends here
