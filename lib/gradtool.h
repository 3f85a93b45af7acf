/* gradtool.h -- public API of libgradtool: parse, record, differentiate.
 *
 * A GtSession owns one parsed program and, after gt_session_run, one
 * recording (the tape) of it.  Everything a session returns (values,
 * derivatives, diagnostics) lives until the session is run again or freed.
 * The library never prints and never exits: every call returns a GtStatus
 * and leaves its messages as located diagnostics in the session.
 *
 * Threads: the library is thread-safe in the usual sense, provided MPFR
 * was built thread-safe (mpfr_buildopt_tls_p() is nonzero, as in the
 * GNU/Linux distributions' packages).  Different sessions may be used
 * from different threads at the same time; one session must not be used
 * by two threads at once (lock it yourself, or give each thread its own).
 * The one state the sessions share, a cache of Bernoulli numbers for the
 * special functions, is built and read without locks through C11 atomics.
 * A thread other than the main one should set GtOptions.max_stack.
 */
#ifndef GRADTOOL_H
#define GRADTOOL_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <mpfr.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GT_BUILDING_LIB) && defined(__GNUC__)
#define GT_API __attribute__((visibility("default")))
#else
#define GT_API
#endif

/* Statuses; the numbers are the command line's exit statuses. */
typedef enum GtStatus {
  GT_OK = 0,
  GT_EASSERT = 1,   /* an assert in the program failed */
  GT_EUSAGE = 2,    /* a misuse of the API or of the command line */
  GT_ESYNTAX = 3,   /* syntax or name error in the program */
  GT_ERUNTIME = 4   /* domain, NaN, limit, shape or type error while running */
} GtStatus;

typedef enum GtSeverity { GT_SEV_ERROR, GT_SEV_WARNING, GT_SEV_NOTE } GtSeverity;

/* One diagnostic.  line and col are 1-based (col counts bytes); len is the
   number of bytes to underline (at least 1); line 0 means "no location". */
typedef struct GtDiag {
  GtSeverity severity;
  const char *file;       /* name given to gt_session_load, "<at>", ... */
  unsigned line, col, len;
  const char *message;
  const char *source_line; /* the text of that line, without newline, or NULL */
  /* a long line is quoted as a window around the column: the caret's
     1-based column within source_line (0: the same as col) */
  unsigned source_col;
} GtDiag;

/* Limits and settings of a session; gt_options_init fills the defaults. */
typedef struct GtOptions {
  long prec;            /* working precision in bits (default 128) */
  int nan_ok;           /* let NaN results through instead of failing */
  unsigned long max_nodes;   /* recorded nodes (default 50,000,000) */
  unsigned long max_steps;   /* loop iterations in one run (default 100,000,000) */
  unsigned long max_depth;   /* function call depth (default 10,000) */
  /* bytes of C stack a run may use; 0 (the default) takes them from the
     process's stack limit, which suits the main thread only */
  size_t max_stack;
  unsigned long max_elems;   /* elements in one tensor (default 10,000,000) */
  long digits;               /* digits print() shows (0: shortest) */
  /* print() in the program calls this with one finished line (no newline);
     NULL drops the output. */
  void (*print)(void *user, const char *line);
  void *print_user;
  /* print() is silent in a top-level statement that starts before this
     byte offset of the program text (an interactive session runs its
     earlier statements again; 0, the default, prints everything) */
  size_t print_from;
  /* When not NULL, a run that finds *interrupt nonzero at a loop step or
     a function call stops with a located "interrupted" error
     (GT_ERUNTIME); a SIGINT handler may set it */
  volatile sig_atomic_t *interrupt;
  /* Derivatives of a tensor output are taken element by element (the
     Jacobian, the command line's --jacobian): d(y)/d(x) has y's dims,
     then x's.  0, the default: a tensor output is summed first, as
     TensorFlow's GradientTape does. */
  int jacobian;
} GtOptions;

#define GT_PREC_MIN 2L
#define GT_PREC_MAX 1000000L
#define GT_DEFAULT_PREC 128L

typedef struct GtSession GtSession;

/* A value of the program: a tensor of rank 0..8. */
typedef struct GtValue {
  int rank;
  const size_t *dims;      /* rank entries */
  size_t size;             /* number of elements */
  mpfr_srcptr elems;       /* size elements, row-major */
} GtValue;

/* One derivative: d^order(of) / d(wrt[0]) ... d(wrt[order-1]). */
typedef struct GtDeriv {
  const char *of;
  const char *const *wrt;  /* order names */
  int order;
  int connected;           /* 0 when `of` does not depend on the names */
  GtValue value;
} GtDeriv;

GT_API void gt_options_init(GtOptions *opt);

/* New session; NULL only when out of memory.  opt may be NULL (defaults). */
GT_API GtSession *gt_session_new(const GtOptions *opt);
/* Frees everything the session owns; accepts NULL. */
GT_API void gt_session_free(GtSession *s);

/* Parses program text; `file` names it in diagnostics.  The text is copied. */
GT_API GtStatus gt_session_load(GtSession *s, const char *file,
                                const char *text, size_t len);

/* What gt_session_load_ex adds to gt_session_load. */
typedef struct GtLoadOptions {
  /* Names that become inputs without default when the program reads them
     but binds them nowhere (instead of an unknown-name error).  They are
     declared before the program's first statement, after the declared
     inputs in input order, in order of first use. */
  const char *const *implicit_inputs;
  size_t nimplicit;
  /* When not NULL and the program's last top-level statement is an
     expression, its value is bound to this name (and so becomes the
     output when the program has no output statement). */
  const char *result;
} GtLoadOptions;

/* gt_session_load with options; lo may be NULL. */
GT_API GtStatus gt_session_load_ex(GtSession *s, const char *file,
                                   const char *text, size_t len,
                                   const GtLoadOptions *lo);

/* Continues a program that has run (and been asked no derivatives) with
   more top-level statements, as if appended to its text, running only
   them on the values the session holds (the cost is that of the new
   text), with the options `with` (NULL: the session's; the precision
   must be the session's; print_from is taken as 0).  The new text may
   read and rebind the session's names and bind new ones; it may not
   declare inputs or call functions (GT_EUSAGE or an error then, and a
   full load must run it).  Any failure leaves every value as it was,
   with diagnostics added.  After it, the session answers values, inputs
   and functions; derivatives and gt_session_run need a new load. */
GT_API GtStatus gt_session_extend(GtSession *s, const char *file,
                                  const char *text, size_t len,
                                  const GtLoadOptions *lo,
                                  const GtOptions *with);

/* Sets input `name` to the value of expression `expr` (language text,
   evaluated with only constants and built-in functions in scope).
   GT_EUSAGE when the program has no such input. */
GT_API GtStatus gt_session_set_input(GtSession *s, const char *name,
                                     const char *expr);

/* Runs the loaded program once, recording it.  Fails with GT_EUSAGE when
   an input without default was not set. */
GT_API GtStatus gt_session_run(GtSession *s);

/* Outputs of the last run, in order. */
GT_API size_t gt_session_output_count(const GtSession *s);
GT_API const char *gt_session_output_name(const GtSession *s, size_t i);
GT_API GtValue gt_session_output_value(const GtSession *s, size_t i);

/* Inputs of the loaded program, in order of their input statements. */
GT_API size_t gt_session_input_count(const GtSession *s);
GT_API const char *gt_session_input_name(const GtSession *s, size_t i);

/* Derivatives of order `order` (>= 1) of outputs `of` (NULL/0: every
   output) with respect to names `wrt` (NULL/0: every input).  With one
   name the result is one entry per output; with several and order K,
   each distinct K-th order partial once (mixed partials are symmetric):
   its names in nondecreasing index order, that is in the order of `wrt`
   (x, y gives xx, xy, yy; never yx), listed lexicographically.
   *out points into the session. */
GT_API GtStatus gt_session_derivatives(GtSession *s,
                                       const char *const *of, size_t nof,
                                       const char *const *wrt, size_t nwrt,
                                       int order,
                                       const GtDeriv **out, size_t *nout);

/* Sets input `name` to the number v (rounded to the working precision);
   it replaces an earlier gt_session_set_input of that name and stays
   until the next call for that name.  GT_EUSAGE when there is no such
   input. */
GT_API GtStatus gt_session_set_input_value(GtSession *s, const char *name,
                                           mpfr_srcptr v);

/* The same for a tensor: input `name` becomes v (its shape and its
   elements, rounded to the working precision; a rank-0 v is a number).
   The session copies v. */
GT_API GtStatus gt_session_set_input_tensor(GtSession *s, const char *name,
                                            const GtValue *v);

/* The value input i had in the last run (size 0 when its input statement
   did not run). */
GT_API GtValue gt_session_input_value(const GtSession *s, size_t i);

/* Sets the n inputs names[k] to values[k] and brings the session to the
   state gt_session_run would leave it in, usually without running the
   program again: the tape of the last run is re-evaluated at the new
   values, which is valid while every control decision the run made
   (conditions, range bounds) comes out the same; when one does not, or
   the run used grad() or print(), or hit a kink or a NaN, the program is
   recorded again.  The derivatives must be asked for again afterwards. */
GT_API GtStatus gt_session_replay(GtSession *s, const char *const *names,
                                  mpfr_srcptr const *values, size_t n);

/* How many gt_session_replay calls re-evaluated the tape, and how many
   had to record the program again. */
GT_API void gt_session_replay_stats(const GtSession *s,
                                    unsigned long *replayed,
                                    unsigned long *recorded);

/* Top-level variables of the loaded program, in order of first
   appearance (the constants pi, e, inf and nan are not among them), and
   their values after the last run: gt_session_global_value returns 0 and
   leaves *v alone when the run did not bind the name (or did not run).
   The value lives as gt_session_output_value's does. */
GT_API size_t gt_session_global_count(const GtSession *s);
GT_API const char *gt_session_global_name(const GtSession *s, size_t i);
GT_API int gt_session_global_value(const GtSession *s, size_t i, GtValue *v);
/* Functions the loaded program defines (def), in order. */
GT_API size_t gt_session_function_count(const GtSession *s);
GT_API const char *gt_session_function_name(const GtSession *s, size_t i);

/* The same for every order from 1 to `order`, lowest first (the command
   line's --all-orders). */
GT_API GtStatus gt_session_derivatives_upto(GtSession *s,
                                            const char *const *of, size_t nof,
                                            const char *const *wrt,
                                            size_t nwrt, int order,
                                            const GtDeriv **out,
                                            size_t *nout);

/* Taylor coefficients y_k = y^(k)(a)/k!, k = 0..K, of each output (of:
   NULL or empty for all) with respect to the one name wrt, at the last
   run's point a; each coefficient is rounded once.  One entry per output
   and k, k fastest: order k, wrt k copies of the name, value y_k (not the
   derivative).  The outputs must be numbers computed from numbers on the
   way from the name (else GT_EUSAGE).  Valid until the next call that
   computes derivatives. */
GT_API GtStatus gt_session_taylor(GtSession *s, const char *const *of,
                                  size_t nof, const char *wrt, int K,
                                  const GtDeriv **out, size_t *nout);

/* One partial derivative: of each output, by the names wrt[0..nwrt) (a
   name repeated k times differentiates k times; the order does not
   matter), one entry per output, its wrt the names sorted as their first
   appearance in wrt.  append keeps the entries of the calls before (since
   the last call without it), so that several partials are listed
   together. */
GT_API GtStatus gt_session_partial(GtSession *s, const char *const *of,
                                   size_t nof, const char *const *wrt,
                                   size_t nwrt, int append,
                                   const GtDeriv **out, size_t *nout);

/* ---- enclosures (--enclose; enclose.c) ---- */

/* A proven enclosure: every element of the exact result (for the exact
   decimal inputs and literals) lies in [lo, hi], elementwise.  lo and hi
   are numbers of the working precision, lo rounded down and hi up. */
typedef struct GtEnclosure {
  const char *of;          /* the output (or the variable of --of) */
  const char *const *wrt;  /* order names; NULL for a value */
  int order;               /* 0: the value of `of` itself */
  int connected;           /* 0 when `of` does not depend on the names */
  GtValue lo, hi;
} GtEnclosure;

/* Encloses the last run's outputs (entries 0 .. output count - 1, in
   order) and then the derivatives ds[0..nd) computed in this session
   since (by gt_session_derivatives and the like; their order, of and wrt
   are used, not their values; an entry of order 0 is the value of `of`,
   an output or a variable, in its own shape): the derivatives are recorded on the tape
   and the whole tape is evaluated again in Arb's ball arithmetic at the
   working precision.  A comparison, condition, loop bound or kink that
   the balls do not decide, or a ball outside an operation's domain, is a
   located error, GT_ERUNTIME.  Valid until the next run. */
GT_API GtStatus gt_session_enclose(GtSession *s, const GtDeriv *ds,
                                   size_t nd, const GtEnclosure **out,
                                   size_t *nout);

/* The same for Taylor coefficients: encloses the last run's outputs (the
   first entries, as gt_session_enclose), then the coefficients
   y_k = y^(k)(a)/k!, k = 0..K, of each output y (of: NULL or empty for
   all; an output or a variable) with respect to the one name wrt, at the
   last run's point a, by Taylor mode on balls (each coefficient enclosed
   as a coefficient, not as a derivative divided by k!).  One entry per
   output and k, k fastest, as gt_session_taylor's: order k, wrt k + 1
   copies of the name.  The outputs must be numbers computed from numbers
   on the way from the name (else GT_EUSAGE).  Valid until the next run. */
GT_API GtStatus gt_session_enclose_taylor(GtSession *s,
                                          const char *const *of, size_t nof,
                                          const char *wrt, int K,
                                          const GtEnclosure **out,
                                          size_t *nout);

/* A bound of an enclosure in decimal: x rounded down (up: rounded up) to
   `digits` significant digits, trailing zeros dropped; "nan", "inf",
   "-inf" as gt_format_number.  Malloc'd, or NULL. */
GT_API char *gt_format_bound(mpfr_srcptr x, long digits, int up);
/* The digits that show an enclosure [lo, hi] at precision prec: its
   leading digits up to the first one where lo and hi differ, and one
   more (all of prec's digits when lo == hi). */
GT_API long gt_enclosure_digits(mpfr_srcptr lo, mpfr_srcptr hi, long prec);

/* Diagnostics collected so far (errors, warnings and notes), in order. */
GT_API size_t gt_session_diag_count(const GtSession *s);
GT_API const GtDiag *gt_session_diag(const GtSession *s, size_t i);
/* Drops the collected diagnostics. */
GT_API void gt_session_clear_diags(GtSession *s);

/* Formats a diagnostic as GCC does: "file:line:col: error: message", then
   the source line and a caret line.  Returns a malloc'd string ending in a
   newline, or NULL when out of memory. */
GT_API char *gt_diag_format(const GtDiag *d);

/* Formats a number: digits == 0 gives the shortest decimal that reads back
   to the same value at x's precision; digits > 0 rounds to that many
   significant digits.  NaN and infinities give "nan", "inf", "-inf".
   Returns a malloc'd string, or NULL when out of memory. */
GT_API char *gt_format_number(mpfr_srcptr x, long digits);

/* Reads a number from s into x, rounded to nearest at x's precision: the
   same value, and the same *end (past what was read), as
   mpfr_strtofr(x, s, end, 10, MPFR_RNDN), but several times faster for
   the short decimals of data files ([+-]digits[.digits][e[+-]digits], up
   to 19 significant digits). */
GT_API void gt_read_number(mpfr_ptr x, const char *s, char **end);

/* Size of the last recording: nodes on the tape, and bytes the tape and
   its values hold (for benchmarks and --max-nodes diagnostics). */
GT_API size_t gt_session_tape_nodes(const GtSession *s);
GT_API size_t gt_session_tape_bytes(const GtSession *s);

/* Formats a value: a number as gt_format_number does, a tensor as nested
   lists in row-major order, "[[1, 2], [3, 4]]".  Malloc'd, or NULL. */
GT_API char *gt_format_value(const GtValue *v, long digits);

/* The i-th name of the language's built-in functions (for completion),
   or NULL past the last. */
GT_API const char *gt_builtin_name(size_t i);

/* What a text typed so far is, as the parser sees it, for an interactive
   front end (as Lua's lua.c asks its parser): incomplete when parsing
   stops at its end inside an open block or bracket, so that more lines
   would continue it; otherwise complete, though it may hold an error
   that loading it reports.  The other fields describe the top level of a
   complete text without errors (0 otherwise). */
typedef struct GtTextShape {
  int complete;
  int last_expr;          /* the last top-level statement is a bare
                             expression (after every def) */
  int only_expr;          /* that expression is all there is */
  int is_if;              /* the text is one if statement */
} GtTextShape;

/* Fills *sh for text[0..len); neither resolves names nor runs anything.
   Returns 0, or -1 when out of memory (then *sh says complete). */
GT_API int gt_text_shape(const char *text, size_t len, GtTextShape *sh);

/* ---- symbolic derivatives (emit.c) ---- */

/* The forms --emit writes. */
typedef enum GtEmitFormat {
  GT_EMIT_EXPR,     /* NAME = EXPRESSION lines, in the language, inputs only */
  GT_EMIT_GT,       /* a runnable .gt program reproducing the run's numbers */
  GT_EMIT_C,        /* a C99 function in double precision (<math.h>) */
  GT_EMIT_C_MPFR,   /* the same in MPFR at the run's precision */
  GT_EMIT_LATEX,    /* an align* environment of the equations */
  GT_EMIT_DOT       /* the recorded DAG as a Graphviz graph */
} GtEmitFormat;

/* The format named name ("expr", "gt", "c", "c-mpfr", "latex", "dot"),
   or -1. */
GT_API int gt_emit_format(const char *name);

/* After a successful run: the outputs of[0..nof) (every output when nof
   is 0) and their derivatives of the given order (0: the values only)
   with respect to wrt[0..nwrt) (every input when nwrt is 0; mixed
   partials once, as gt_session_derivatives lists them), recorded by
   reverse sweeps, simplified and written in format fmt.  *text is
   malloc'd (the caller frees it), NULL on failure.  Notes (kinks, the
   control decisions that depended on inputs) go to the diagnostics.
   Scalar programs only so far (GT_ERUNTIME on a tensor). */
GT_API GtStatus gt_session_emit(GtSession *s, GtEmitFormat fmt,
                                const char *const *of, size_t nof,
                                const char *const *wrt, size_t nwrt,
                                int order, char **text);

/* Does input i of the loaded program have a default value? */
GT_API int gt_session_input_has_default(const GtSession *s, size_t i);

/* Version string of the library, e.g. "0.1.0". */
GT_API const char *gt_version(void);

#ifdef __cplusplus
}
#endif

#endif /* GRADTOOL_H */
