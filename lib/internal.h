/* internal.h -- what each file of libgradtool exports to the others.
 *
 * One section per source file, in pipeline order.  Nothing here is part of
 * the installed API (see gradtool.h); the names carry the prefix of their
 * subsystem: gt_arena_, gt_diag_, gt_lex_, gt_parse_, gt_op_, gt_tape_,
 * gt_rec_, gt_interp_, gt_rev_, gt_special_.
 */
#ifndef GT_INTERNAL_H
#define GT_INTERNAL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtool.h"

/* ------------------------------------------------------------------ */
/* arena.c -- bump allocation freed whole                              */
/* ------------------------------------------------------------------ */

typedef struct GtChunk GtChunk;

/* An arena hands out 16-byte aligned blocks and frees them all at once.
   Zero-initialised (GtArena a = {0}) is a valid empty arena. */
typedef struct GtArena {
  GtChunk *head;      /* newest chunk */
  size_t used;        /* bytes used in head */
  size_t cap;         /* usable bytes in head */
  size_t total;       /* bytes obtained from malloc, for statistics */
} GtArena;

/* NULL when malloc fails. */
void *gt_arena_alloc(GtArena *a, size_t n);
void *gt_arena_zalloc(GtArena *a, size_t n);
char *gt_arena_strndup(GtArena *a, const char *s, size_t n);
void gt_arena_free(GtArena *a);

/* ------------------------------------------------------------------ */
/* diag.c -- sources, spans and the diagnostics list                   */
/* ------------------------------------------------------------------ */

/* A source text: the program file, an --at expression, ... */
typedef struct GtSource {
  char *name;
  char *text;           /* NUL-terminated copy */
  size_t len;
  size_t *lines;        /* byte offset of each line start */
  size_t nlines;
} GtSource;

/* A stretch of a source; src indexes the session's source table. */
typedef struct GtSpan {
  uint32_t src;
  uint32_t off;
  uint32_t len;
} GtSpan;

typedef struct GtDiagList {
  GtDiag *items;
  size_t n, cap;
} GtDiagList;

GtSource *gt_source_new(const char *name, const char *text, size_t len);
void gt_source_free(GtSource *s);
/* 1-based line and column of byte offset off. */
void gt_source_position(const GtSource *s, size_t off, unsigned *line,
                        unsigned *col);

/* Appends a located diagnostic (src may be NULL for none); printf-style. */
void gt_diag_add(GtDiagList *l, GtSeverity sev, const GtSource *src,
                 GtSpan span, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void gt_diag_vadd(GtDiagList *l, GtSeverity sev, const GtSource *src,
                  GtSpan span, const char *fmt, va_list ap);
void gt_diag_clear(GtDiagList *l);
int gt_diag_has_errors(const GtDiagList *l);

/* ------------------------------------------------------------------ */
/* lex.c -- source text to tokens                                       */
/* ------------------------------------------------------------------ */

typedef enum GtTokKind {
  GT_TOK_EOF,
  GT_TOK_NEWLINE,     /* ends a statement (not inside ( or [) */
  GT_TOK_NUM,
  GT_TOK_NAME,
  GT_TOK_STRING,
  /* keywords */
  GT_TOK_IF, GT_TOK_ELIF, GT_TOK_ELSE, GT_TOK_FOR, GT_TOK_IN, GT_TOK_WHILE,
  GT_TOK_BREAK, GT_TOK_CONTINUE, GT_TOK_DEF, GT_TOK_RETURN, GT_TOK_INPUT,
  GT_TOK_OUTPUT, GT_TOK_ASSERT, GT_TOK_PRINT, GT_TOK_AND, GT_TOK_OR,
  GT_TOK_NOT,
  /* punctuation */
  GT_TOK_LPAREN, GT_TOK_RPAREN, GT_TOK_LBRACK, GT_TOK_RBRACK, GT_TOK_LBRACE,
  GT_TOK_RBRACE, GT_TOK_COMMA, GT_TOK_SEMI, GT_TOK_COLON,
  GT_TOK_PLUS, GT_TOK_MINUS, GT_TOK_STAR, GT_TOK_SLASH, GT_TOK_PERCENT,
  GT_TOK_AT, GT_TOK_CARET,     /* ^ and ** */
  GT_TOK_ASSIGN, GT_TOK_PLUSEQ, GT_TOK_MINUSEQ, GT_TOK_STAREQ,
  GT_TOK_SLASHEQ,
  GT_TOK_EQ, GT_TOK_NE, GT_TOK_LT, GT_TOK_LE, GT_TOK_GT, GT_TOK_GE,
  GT_TOK_COUNT
} GtTokKind;

typedef struct GtToken {
  GtTokKind kind;
  GtSpan span;
} GtToken;

/* Tokenizes src (index srcid in the session's table) into a malloc'd
   array ending with GT_TOK_EOF.  Returns NULL and adds diagnostics on a
   lexical error or when out of memory. */
GtToken *gt_lex(const GtSource *src, uint32_t srcid, GtDiagList *diags,
                size_t *ntok);
const char *gt_lex_kind_name(GtTokKind k);

/* ------------------------------------------------------------------ */
/* ops.c -- the primitive operations: forward, adjoint and recorded    */
/*          adjoint rules side by side                                  */
/* ------------------------------------------------------------------ */

typedef enum GtOp {
  GT_OP_CONST,     /* y = literal or constant; leaf */
  GT_OP_INPUT,     /* y = input value; leaf */
  GT_OP_NEG, GT_OP_ADD, GT_OP_SUB, GT_OP_MUL, GT_OP_DIV, GT_OP_MOD,
  GT_OP_POW,
  GT_OP_EQ, GT_OP_NE, GT_OP_LT, GT_OP_LE, GT_OP_GT, GT_OP_GE, GT_OP_NOT,
  GT_OP_ABS, GT_OP_SIGN, GT_OP_SQRT, GT_OP_CBRT, GT_OP_EXP, GT_OP_EXP2,
  GT_OP_EXPM1, GT_OP_LOG, GT_OP_LOG2, GT_OP_LOG10, GT_OP_LOG1P,
  GT_OP_SIN, GT_OP_COS, GT_OP_TAN, GT_OP_ASIN, GT_OP_ACOS, GT_OP_ATAN,
  GT_OP_ATAN2, GT_OP_SINH, GT_OP_COSH, GT_OP_TANH, GT_OP_ASINH,
  GT_OP_ACOSH, GT_OP_ATANH, GT_OP_HYPOT, GT_OP_ERF, GT_OP_ERFC,
  GT_OP_GAMMA, GT_OP_LGAMMA, GT_OP_DIGAMMA, GT_OP_TRIGAMMA,
  GT_OP_FLOOR, GT_OP_CEIL, GT_OP_ROUND, GT_OP_TRUNC,
  GT_OP_MIN, GT_OP_MAX, GT_OP_SIGMOID, GT_OP_SOFTPLUS, GT_OP_RELU,
  GT_OP_WHERE,     /* y = a != 0 ? b : c */
  GT_OP_STOP,      /* y = a, with no derivative */
  GT_OP_TAYLOR,    /* y = d^aux a / d b^aux, by Taylor mode (grad(a, b, k)) */
  /* tensor operations (tensor.c): not elementwise, no fwd in gt_ops */
  GT_OP_STACK,     /* y = [x_0, ..., x_n-1] (n-ary) */
  GT_OP_EXPAND,    /* y = a broadcast to y's shape */
  GT_OP_SUMTO,     /* y = a summed over its broadcast axes to y's shape */
  GT_OP_SUM,       /* y = sum of a over axis aux-1 (aux 0: everything) */
  GT_OP_MEAN,      /* y = mean of a, likewise */
  GT_OP_PROD,      /* y = product of a, likewise */
  GT_OP_RMAX,      /* y = largest element of a, likewise */
  GT_OP_RMIN,      /* y = smallest element of a, likewise */
  GT_OP_MATMUL,    /* y = a @ b (vectors and matrices, as NumPy) */
  GT_OP_TRANSPOSE, /* y = a with its axes reversed */
  GT_OP_RESHAPE,   /* y = a's elements in y's shape */
  GT_OP_NORM,      /* y = sqrt(sum(a^2)), derivative 0 at a = 0 */
  GT_OP_VIEW,      /* y = elements of a selected by views[param] */
  GT_OP_SCATTER,   /* y = zeros of y's shape plus a at views[param] */
  GT_OP_SETVIEW,   /* y = a with views[param] replaced by b (broadcast) */
  GT_OP_COUNT
} GtOp;

/* Result flags of a forward rule. */
enum {
  GT_FWD_KINK = 1   /* evaluated exactly at a kink: the note is due */
};

/* Operands and scratch for an adjoint rule: given g = dL/dy, the rule
   writes the contribution dL/d(operand k) into out[k] for each k with
   need[k] set.  A rule sets none[k] (when none is not NULL) when no
   derivative flows to operand k at all at this point (the branch where()
   did not select, relu below 0, the loser of max): out[k] is then 0 and
   the sweep treats it as absent, as the recorded rule's -1. */
typedef struct GtAdjArgs {
  mpfr_srcptr y, a, b, c;     /* result and operands */
  mpfr_srcptr g;              /* adjoint of y */
  mpfr_ptr out[3];            /* contributions, at the working precision */
  int need[3];
  int *none;                  /* out, 3 flags: no contribution to operand k */
  mpfr_ptr t;                 /* scratch at the working precision */
} GtAdjArgs;

struct GtRec;

/* Recorded adjoint rule: returns the node holding the contribution to
   operand k of node i, given node g holding the adjoint of node i. */
typedef int32_t (*GtRecAdjFn)(struct GtRec *r, int32_t i, int k, int32_t g);

typedef struct GtOpInfo {
  const char *name;       /* as the language spells it */
  int arity;              /* operands (0 for leaves) */
  int callable;           /* the language calls it by `name` */
  int smooth;             /* 0: derivative zero everywhere (comparisons, floor ...) */
  /* Forward rule: y = f(a, b, c) rounded to y's precision; returns
     GT_FWD_ flags. */
  int (*fwd)(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c);
  /* Adjoint rule on numbers; NULL when smooth == 0.  Returns 0, or -1 when
     no rule exists (the derivative is not implemented). */
  int (*adj)(const GtAdjArgs *x);
  /* The same rule recorded as nodes, so that it can be differentiated. */
  GtRecAdjFn radj;
  const char *kink_note;  /* text of the note at a kink, or NULL */
} GtOpInfo;

extern const GtOpInfo gt_ops[GT_OP_COUNT];

/* Looks up a built-in elementwise function by name (e.g. "sin", "add");
   GT_OP_COUNT when there is none. */
GtOp gt_op_lookup(const char *name, size_t len);
/* The i-th of TensorFlow's spellings (add, subtract, ...), or NULL. */
const char *gt_op_alias_name(size_t i);

/* ------------------------------------------------------------------ */
/* tape.c -- the recorded DAG                                           */
/* ------------------------------------------------------------------ */

enum {
  GT_NF_ADJ = 1,  /* made by a recorded adjoint rule (its site is the
                     primitive whose derivative it computes) */
  GT_NF_NARY = 2  /* operands are xargs[a .. a+b-1] of the tape, not a b c */
};

#define GT_MAX_RANK 8

/* A tensor shape; rank 0 is a scalar (size 1). */
typedef struct GtShape {
  int rank;
  size_t size;                /* product of the dims */
  size_t dim[GT_MAX_RANK];
} GtShape;

/* Parameters of a view (indexing and slicing): element k of the view,
   with multi-index (i_0 .. i_{r-1}) in the view's shape, is element
   offset + sum i_d stride[d] of the viewed tensor, flattened. */
typedef struct GtView {
  size_t offset;
  long stride[GT_MAX_RANK];   /* over the view's dims (may be negative) */
} GtView;
/* A control decision of the run, checked when the tape is replayed at
   other input values (replay.c): node's value must give the same truth
   value (GT_GUARD_TRUTH) or the same integer (GT_GUARD_INT). */
enum { GT_GUARD_TRUTH, GT_GUARD_INT };

typedef struct GtGuard {
  int32_t node;
  int32_t kind;     /* GT_GUARD_ */
  long value;       /* 0 or 1, or the integer */
} GtGuard;

/* One recorded primitive.  Nodes are in topological order: an operand's
   index is always smaller than its user's. */
typedef struct GtNode {
  uint8_t op;       /* GtOp */
  uint8_t flags;    /* GT_NF_ */
  uint16_t aux;     /* op parameter: TAYLOR's order, a reduction's axis + 1 */
  int32_t a, b, c;  /* operand nodes, -1 when absent (GT_NF_NARY: a is an
                       offset into xargs and b the count) */
  uint32_t site;    /* expression id that made it (0: none) */
  uint32_t frame;   /* call-frame record (0: top level) */
  uint32_t shape;   /* index in the tape's shape table (0: scalar) */
  uint32_t param;   /* index in the tape's view table (views only) */
  mpfr_ptr v;       /* the elements, row-major (shape's size of them) */
} GtNode;

/* A function call seen during the run, for error messages. */
typedef struct GtFrameRec {
  uint32_t parent;  /* caller's frame record */
  uint32_t site;    /* call expression id */
} GtFrameRec;

typedef struct GtTape {
  GtNode *nodes;
  size_t n, cap;
  size_t mapped;       /* bytes of the node array's mapping (0: malloc) */
  size_t valsize;      /* bytes of one value: struct and limbs */
  GtFrameRec *frames;
  size_t nframes, framecap;
  GtArena vals;        /* values' structs and limbs */
  mpfr_prec_t prec;
  size_t max_nodes;
  GtShape *shapes;     /* shape table; shapes[0] is the scalar */
  size_t nshapes, shapecap;
  int32_t *xargs;      /* operand lists of n-ary nodes */
  size_t nxargs, xargcap;
  GtView *views;       /* view parameters */
  size_t nviews, viewcap;
  size_t max_elems;    /* elements in one tensor (0: no limit) */
  GtGuard *guards;     /* control decisions, in run order */
  size_t nguards, guardcap;
  size_t run_nodes;    /* nodes when the run ended (before derivatives) */
  int no_replay;       /* the run did what a replay cannot redo (grad,
                          print, an input default computed from inputs) */
} GtTape;

int gt_tape_init(GtTape *t, mpfr_prec_t prec, size_t max_nodes);
void gt_tape_free(GtTape *t);
/* Appends a node with an uninitialised value of the tape's precision;
   returns its index, -1 when out of memory, -2 when max_nodes is reached. */
int32_t gt_tape_push(GtTape *t, GtOp op, int32_t a, int32_t b, int32_t c,
                     uint32_t site, uint32_t frame);
/* The same for a tensor of the given shape (from gt_tape_shape):
   returns the index, -1 out of memory, -2 max_nodes reached. */
int32_t gt_tape_push_shaped(GtTape *t, GtOp op, int32_t a, int32_t b,
                            int32_t c, uint32_t shape, uint32_t site,
                            uint32_t frame);
/* A fresh number at the tape's precision from the value arena (no clear
   needed); NULL when out of memory. */
mpfr_ptr gt_tape_number(GtTape *t);
/* n fresh numbers, contiguous (an array of __mpfr_struct), set to 0. */
mpfr_ptr gt_tape_numbers(GtTape *t, size_t n);
/* The index of a shape in the table (added when new); UINT32_MAX when out
   of memory. */
uint32_t gt_tape_shape(GtTape *t, const GtShape *s);
static inline const GtShape *
gt_node_shape(const GtTape *t, int32_t i)
{
  return &t->shapes[t->nodes[i].shape];
}
static inline size_t
gt_node_size(const GtTape *t, int32_t i)
{
  return t->shapes[t->nodes[i].shape].size;
}
/* Appends an operand list for an n-ary node; returns its offset or -1. */
long gt_tape_xargs(GtTape *t, const int32_t *ops, size_t n);
/* Appends view parameters; returns their index or UINT32_MAX. */
uint32_t gt_tape_view(GtTape *t, const GtView *v);
/* The operands of node i: up to 3 in buf, or the n-ary list; returns the
   count and sets *ops.  (Inline: the sweeps call it for every node.) */
static inline size_t
gt_node_operands(const GtTape *t, int32_t i, int32_t buf[3],
                 const int32_t **ops)
{
  const GtNode *n = &t->nodes[i];
  if (n->flags & GT_NF_NARY) {
    *ops = t->xargs + n->a;
    return (size_t)n->b;
  }
  buf[0] = n->a;
  buf[1] = n->b;
  buf[2] = n->c;
  *ops = buf;
  return 3;
}
/* Does any element of node i hold NaN? */
int gt_node_has_nan(const GtTape *t, int32_t i);
/* Appends a frame record; returns its index or UINT32_MAX when out of
   memory. */
uint32_t gt_tape_frame(GtTape *t, uint32_t parent, uint32_t site);
size_t gt_tape_bytes(const GtTape *t);
/* Appends a guard; -1 when out of memory. */
int gt_tape_guard(GtTape *t, int32_t node, int kind, long value);

/* The node where NaN first appeared on the way to node i (following NaN
   operands back); i itself when none of its operands is NaN. */
int32_t gt_tape_nan_origin(const GtTape *t, int32_t i);

/* The nodes x..y that y uses (through any operation): a malloc'd flag
   array indexed i - x, NULL when out of memory. */
unsigned char *gt_tape_uses(const GtTape *t, int32_t x, int32_t y);

/* 1 when element e of elementwise node i overflowed to +-inf, 2 when it
   underflowed to 0 (its exact value is beyond MPFR's exponent range);
   0 otherwise, also for nodes without a forward rule.  O(1) unless the
   element is +-inf or 0, then one forward evaluation. */
int gt_tape_range_fault(const GtTape *t, int32_t i, size_t e);

/* NumPy broadcasting of a and b into out; -1 when they do not broadcast. */
int gt_broadcast(const GtShape *a, const GtShape *b, GtShape *out);
/* Strides (in elements) of a tensor of shape in, broadcast to out: 0
   along the axes it is repeated on. */
void gt_bcast_strides(const GtShape *out, const GtShape *in, long *st);
/* "(2, 3)" into buf. */
const char *gt_shape_str(const GtShape *s, char *buf, size_t n);

/* ------------------------------------------------------------------ */
/* parse.c -- tokens to a resolved syntax tree                          */
/* ------------------------------------------------------------------ */

typedef enum GtExprKind {
  GT_EX_NUM,      /* literal; text in the source */
  GT_EX_STR,      /* string literal (print and assert only) */
  GT_EX_GLOBAL,   /* top-level name: slot */
  GT_EX_LOCAL,    /* function local: slot */
  GT_EX_OP,       /* primitive op on args (unary, binary, builtin call) */
  GT_EX_AND, GT_EX_OR,
  GT_EX_CALL,     /* user function: fn */
  GT_EX_GRAD,     /* grad(y, x[, k]): args[1] is a name */
  GT_EX_HESSIAN,  /* hessian(y, x) */
  GT_EX_TENSOR,   /* tensor literal [a, b, ...] */
  GT_EX_TFUNC,    /* tensor built-in: op is a GtTFunc */
  GT_EX_INDEX,    /* args[0][args[1], ...]; an item may be a SLICE */
  GT_EX_SLICE,    /* start:stop:step inside [ ]; args may be NULL */
  GT_EX_JACOBIAN  /* jacobian(y, x) */
} GtExprKind;

/* Tensor built-ins (GT_EX_TFUNC). */
typedef enum GtTFunc {
  GT_TF_ONES, GT_TF_ZEROS, GT_TF_FILL, GT_TF_EYE, GT_TF_LINSPACE,
  GT_TF_SHAPE, GT_TF_SIZE, GT_TF_RANK, GT_TF_SUM, GT_TF_MEAN, GT_TF_PROD,
  GT_TF_RMAX, GT_TF_RMIN, GT_TF_DOT, GT_TF_MATMUL, GT_TF_TRANSPOSE,
  GT_TF_RESHAPE, GT_TF_NORM, GT_TF_COUNT
} GtTFunc;

typedef struct GtExpr {
  uint8_t kind;           /* GtExprKind */
  uint8_t op;             /* GtOp for GT_EX_OP */
  uint16_t nargs;
  uint32_t id;            /* index in the program's expression table */
  GtSpan span;            /* whole expression */
  GtSpan opspan;          /* operator or function name, for carets */
  int32_t slot;           /* variable slot, or function index */
  uint32_t name;          /* interned name of a variable */
  struct GtExpr **args;
} GtExpr;

/* A link of a left chain such as a + b - c + ... or a and b and ...: a
   binary operation, or and/or.  The parser builds a chain by a loop into
   a tree as deep as it is long; every walker of the tree follows the
   first operands of links by a loop (an explicit stack where it must come
   back up), so that only real nesting costs C stack. */
static inline int
gt_expr_is_link(const GtExpr *e)
{
  return (e->kind == GT_EX_OP && e->nargs == 2) || e->kind == GT_EX_AND
         || e->kind == GT_EX_OR;
}

typedef enum GtStmtKind {
  GT_ST_EXPR, GT_ST_ASSIGN, GT_ST_IF, GT_ST_FOR, GT_ST_WHILE, GT_ST_BREAK,
  GT_ST_CONTINUE, GT_ST_RETURN, GT_ST_INPUT, GT_ST_OUTPUT, GT_ST_ASSERT,
  GT_ST_PRINT
} GtStmtKind;

typedef struct GtStmt GtStmt;

typedef struct GtBlock {
  GtStmt **stmts;
  size_t n;
} GtBlock;

struct GtStmt {
  GtStmtKind kind;
  GtSpan span;
  /* ASSIGN: target (global/local; `y += e` is parsed as y = y + e;
     `x[i] = e` has the index items in args, nargs of them, and
     `x[i] += e` is x[i] = x[i] + e);
     FOR: loop variable; INPUT: the input's variable */
  uint8_t target_kind;    /* GT_EX_GLOBAL or GT_EX_LOCAL */
  int32_t slot;
  uint32_t name;
  GtSpan namespan;
  GtExpr *expr;           /* value, condition, return value, input default */
  GtExpr **args;          /* range args, print args, output names, elif conds */
  size_t nargs;
  GtBlock body;           /* loop body, if-branch */
  GtBlock *elifs;         /* bodies of elif branches (args: their conds) */
  GtBlock orelse;         /* else branch */
  int has_else;
  int input_index;        /* INPUT: index in the program's input table */
  uint32_t site;          /* FOR, WHILE: expression id standing for the
                             keyword, where loop limits point */
  int var_read;           /* FOR: the body may read the loop variable (if
                             not, the counter is bound once, after the loop) */
  int bare;               /* ASSIGN: a top-level bare expression, bound to
                             its own text and an output when it runs */
};

typedef struct GtFunc {
  uint32_t name;
  GtSpan span;            /* the name in its def */
  size_t nparams;
  uint32_t *params;       /* interned parameter names */
  size_t nlocals;         /* params first */
  GtBlock body;
} GtFunc;

typedef struct GtInputDecl {
  uint32_t name;
  int32_t slot;           /* global slot */
  GtSpan span;
} GtInputDecl;

/* Interned names: index -> text, and text -> index by an open-addressing
   hash table (linear probing, at most half full), so that interning and
   looking up cost O(length of the name) whatever the number of names.
   The texts live in the arena; zero-initialised is a valid empty table. */
typedef struct GtNames {
  char **text;
  size_t n, cap;
  uint64_t *slots;        /* hash table: hash tag and id + 1, 0 if empty */
  size_t nslots;          /* a power of two, or 0 */
  GtArena arena;          /* the texts */
} GtNames;

typedef struct GtProgram {
  GtArena arena;          /* AST memory */
  GtBlock top;
  GtFunc *funcs;
  size_t nfuncs, funccap;
  GtExpr **exprs;         /* by id; exprs[0] unused */
  size_t nexprs, exprcap;
  int32_t *global_name;   /* slot -> interned name */
  size_t nglobals, globalcap;
  GtInputDecl *inputs;
  size_t ninputs, inputcap;
  GtNames *names;         /* shared with the session */
  /* by interned name, for the names known when the program was parsed
     (nnamed of them; arena memory): */
  int32_t *name_global;   /* global slot, or -1 */
  int32_t *name_input;    /* index in inputs, or -1 */
  int32_t *name_func;     /* index in funcs, or -1 */
  size_t nnamed;
} GtProgram;

/* Predefined globals, in slot order. */
enum { GT_GLOBAL_PI, GT_GLOBAL_E, GT_GLOBAL_INF, GT_GLOBAL_NAN,
       GT_NPREDEF };

/* The id of the name s[0..len), added if new; UINT32_MAX when out of
   memory.  gt_names_find only looks: UINT32_MAX when absent. */
uint32_t gt_names_intern(GtNames *names, const char *s, size_t len);
uint32_t gt_names_find(const GtNames *names, const char *s, size_t len);
void gt_names_free(GtNames *names);

/* Parses a program; NULL after adding diagnostics on error.  expr_only
   parses one expression (for --at), with only the predefined names. */
GtProgram *gt_parse(const GtSource *src, uint32_t srcid, GtNames *names,
                    GtDiagList *diags, int expr_only);
/* The same with load options (implicit inputs, result name); lo may be
   NULL. */
GtProgram *gt_parse_with(const GtSource *src, uint32_t srcid, GtNames *names,
                         GtDiagList *diags, int expr_only,
                         const GtLoadOptions *lo);
void gt_program_free(GtProgram *p);
/* Global slot of a name, or -1.  O(length of the name). */
int32_t gt_program_global(const GtProgram *p, const char *name);
/* Index in p->inputs of the input of that name, or -1.  O(length). */
long gt_program_input(const GtProgram *p, const char *name);

/* ------------------------------------------------------------------ */
/* rec.c -- the recorder: nodes, errors, kinks, broadcasting, NaN     */
/* ------------------------------------------------------------------ */

/* What a run needs from the session. */
typedef struct GtRunEnv {
  const GtOptions *opt;
  GtSource **sources;     /* by GtSpan.src */
  GtDiagList *diags;
  GtNames *names;
} GtRunEnv;

/* Kinks met during a run (abs at 0, a tie of max, ...), kept pending: a
   note is due only when a derivative asked for passes through one. */
typedef struct GtKinks {
  int32_t *node;          /* the kink nodes, in tape order */
  size_t n, cap;
  unsigned char *noted;   /* per expression id: its note was given */
  size_t nsites;
} GtKinks;

/* The recorder: a tape plus what an error needs to point at the source.
   Everything that records appends nodes through it (rec.c). */
typedef struct GtRec {
  GtTape *tape;
  const GtRunEnv *env;
  const GtProgram *prog;
  jmp_buf *fail;          /* where a run-time error jumps */
  GtStatus status;        /* set before jumping */
  uint32_t frame;         /* current frame record */
  uint32_t site;          /* current expression id */
  uint8_t flags;          /* GT_NF_ flags for new nodes */
  int32_t cache[4];       /* constants 0, 1, 2, 0.5 made in this run */
  GtKinks *kinks;         /* pending kinks (NULL: no notes) */
  int any_kink;           /* a kink was hit */
  double work;            /* MPFR operations charged by the operations
                             whose cost a node count does not show (Taylor
                             mode, matmul): see gt_rec_charge */
} GtRec;

/* Appends op(a, b, c) and computes its value; on a limit or out of memory
   reports and jumps to r->fail. */
int32_t gt_rec_op(GtRec *r, GtOp op, int32_t a, int32_t b, int32_t c);
/* Notes naming the calls that led to a frame record, innermost first. */
void gt_rec_call_chain(GtRec *r, uint32_t frame);
/* Charges ops MPFR operations to the run; fails (a limit, exit 4) past
   10 x --max-steps, so that no single operation runs for hours. */
void gt_rec_charge(GtRec *r, double ops);
/* Marks the node just appended (an op evaluated at its kink) as a pending
   kink; its note is given by gt_rec_kinks_note if a derivative flows through
   it. */
void gt_rec_note_kink(GtRec *r, GtOp op);
/* Gives the note (once per site) of each pending kink through which a
   derivative of an output in outs with respect to a node in wrt flows:
   the kink depends on a wrt node and an output uses it, both through
   differentiable operations. */
void gt_rec_kinks_note(GtKinks *k, const GtTape *t, const GtProgram *prog,
                       const GtRunEnv *env, const int32_t *outs, size_t nouts,
                       const int32_t *wrt, size_t nwrt);
void gt_rec_kinks_free(GtKinks *k);
/* A constant node holding num / den (rounded). */
int32_t gt_rec_const(GtRec *r, long num, long den);
/* A constant node whose value the caller sets right away (through
   r->tape->nodes[i].v: the node array may move on the next append). */
int32_t gt_rec_leaf(GtRec *r);
/* Records grad(y, x, k) for k >= 1 as one node computed by Taylor mode;
   a missing Taylor rule is reported at its primitive. */
int32_t gt_rec_taylor(GtRec *r, int32_t y, int32_t x, long k);
/* Reports an error at the current site (with call chain) and jumps. */
void gt_rec_fail(GtRec *r, GtStatus st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/* Reports the NaN reaching node i (visible at the current site) unless
   nan_ok, and jumps. */
void gt_rec_check_nan(GtRec *r, int32_t i);

/* A walk over the elements of shape s in row-major order, keeping the
   flat offset of the matching element in each of up to GT_WALK_MAX
   operands broadcast to s (NumPy's rules: stride 0 along a repeated
   axis).  The elementwise ops (rec.c) and their adjoints in the sweep
   (reverse.c) walk their operands with it.  Cost O(1) amortised per step. */
#define GT_WALK_MAX 3
typedef struct GtWalk {
  const GtShape *s;
  int n;                              /* operands added */
  size_t idx[GT_MAX_RANK];            /* multi-index in s */
  long off[GT_WALK_MAX];              /* offset into each operand */
  long st[GT_WALK_MAX][GT_MAX_RANK];  /* their strides along s's axes */
} GtWalk;
/* s = s broadcast with node i's shape, as operands of op are; fails at
   the current site, naming op, when they do not broadcast. */
void gt_rec_broadcast(GtRec *r, GtOp op, GtShape *s, int32_t i);
/* Starts at element 0 of s, with no operands. */
void gt_rec_walk_init(GtWalk *w, const GtShape *s);
/* Adds an operand of shape in, broadcast to s (NULL: an absent operand,
   whose offset stays 0); returns its index in off[]. */
int gt_rec_walk_add(GtWalk *w, const GtShape *in);
/* Steps to the next element.  (Inline: called for every element.) */
static inline void
gt_rec_walk_next(GtWalk *w)
{
  for (int d = w->s->rank - 1; d >= 0; d--) {
    w->idx[d]++;
    for (int k = 0; k < w->n; k++)
      w->off[k] += w->st[k][d];
    if (w->idx[d] < w->s->dim[d])
      return;
    for (int k = 0; k < w->n; k++)
      w->off[k] -= w->st[k][d] * (long)w->s->dim[d];
    w->idx[d] = 0;
  }
}

/* A constant tensor of shape s, elements zero. */
int32_t gt_rec_zeros(GtRec *r, const GtShape *s);
/* Pushes a node of the given shape, reporting limits; the value is left
   for the caller. */
int32_t gt_rec_push_shaped(GtRec *r, GtOp op, int32_t a, int32_t b,
                           int32_t c, const GtShape *s);

/* ------------------------------------------------------------------ */
/* interp.c -- runs the syntax tree, recording the tape                 */
/* ------------------------------------------------------------------ */

typedef struct GtRun GtRun;

/* Runs prog; `at` gives, per input index, a value node made earlier in
   the same tape or -1.  On success, the outputs' names and nodes are in
   run. */
typedef struct GtRunResult {
  uint32_t *out_names;    /* interned */
  int32_t *out_nodes;
  size_t nout;
  int32_t *input_nodes;   /* per input index: its INPUT node or -1 */
  int32_t *globals;       /* final binding per global slot, -1 unbound */
  int any_kink;
  GtKinks kinks;          /* pending kinks, for the derivatives asked later */
} GtRunResult;

GtStatus gt_interp_run(const GtProgram *prog, const GtRunEnv *env,
                       GtTape *tape, const int32_t *at, GtRunResult *res);
/* Evaluates a parsed --at expression program into a node. */
GtStatus gt_interp_eval_at(const GtProgram *prog, const GtRunEnv *env,
                           GtTape *tape, int32_t *node);
void gt_run_result_free(GtRunResult *res);

/* ------------------------------------------------------------------ */
/* reverse.c -- reverse sweeps                                          */
/* ------------------------------------------------------------------ */

/* Numeric sweep: derivative of node `out` with respect to each node in
   wrt[], written to res[k] (initialised numbers at the tape's precision);
   connected[k] says whether out depends on wrt[k].  On a NaN derivative
   produced by a rule, *nan_node is the node whose rule produced it (else
   -1).  Returns GT_OK, or GT_ERUNTIME (with *nan_node) when a rule has no
   implementation.  Out of memory: -1. */
int gt_rev_sweep(const GtTape *t, int32_t out, const int32_t *wrt,
                 size_t nwrt, mpfr_ptr *res, int *connected,
                 int32_t *nan_node);

/* Recorded sweep: appends the nodes computing d(out)/d(wrt[k]) and
   returns them in res[k] (a zero constant when unconnected). */
void gt_rev_record(GtRec *r, int32_t out, const int32_t *wrt, size_t nwrt,
                   int32_t *res);
/* The Jacobian of y with respect to x, recorded: shape y's then x's (one
   reverse sweep per element of y). */
int32_t gt_rev_jacobian(GtRec *r, int32_t y, int32_t x);
/* Does node y depend on node w along a path that avoids node x? */
int gt_rev_depends_avoiding(const GtTape *t, int32_t y, int32_t w,
                            int32_t x);

/* ------------------------------------------------------------------ */
/* tensor.c -- the tensor operations: builders and their rules       */
/* ------------------------------------------------------------------ */


/* Is op a tensor operation (not elementwise: no forward rule in gt_ops)? */
static inline int
gt_is_tensor_op(GtOp op)
{
  return op >= GT_OP_STACK && op < GT_OP_COUNT;
}

/* Builders: append the operation, compute its value; errors (shapes) are
   reported at r's site and jump. */
int32_t gt_tensor_stack(GtRec *r, const int32_t *ops, size_t n);
int32_t gt_tensor_expand(GtRec *r, int32_t a, const GtShape *to);
int32_t gt_tensor_sumto(GtRec *r, int32_t a, const GtShape *to);
int32_t gt_tensor_reduce(GtRec *r, GtOp op, int32_t a, int axis_plus1);
int32_t gt_tensor_matmul(GtRec *r, int32_t a, int32_t b);
int32_t gt_tensor_transpose(GtRec *r, int32_t a);
int32_t gt_tensor_reshape(GtRec *r, int32_t a, const GtShape *to);
int32_t gt_tensor_norm(GtRec *r, int32_t a);
int32_t gt_tensor_view(GtRec *r, int32_t a, const GtView *v, const GtShape *s);
int32_t gt_tensor_setview(GtRec *r, int32_t a, int32_t b, const GtView *v,
                          const GtShape *s);
/* Numeric adjoint of a tensor operation: adds g * d(node i)/d(operand k)
   into acc (operand k's size of numbers).  scratch: 2 numbers. */
int gt_tensor_adj(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                  mpfr_ptr acc, mpfr_ptr scratch);
/* Recorded adjoint: the node holding g * d(node i)/d(operand k), or -1. */
int32_t gt_tensor_radj(GtRec *r, int32_t i, size_t k, int32_t g);

/* ------------------------------------------------------------------ */
/* tfunc.c -- the tensor built-ins (ones, sum, reshape, ...)           */
/* ------------------------------------------------------------------ */

/* The tensor built-in called name, or -1. */
int gt_tfunc_lookup(const char *name);
/* The i-th name of a tensor built-in (aliases included), or NULL. */
const char *gt_tfunc_name(size_t i);
/* Its least and greatest number of arguments. */
void gt_tfunc_arity(GtTFunc tf, int *lo, int *hi);

/* A call's arguments, evaluated by the interpreter. */
typedef struct GtTFuncArgs {
  int32_t a, b;           /* operand nodes, -1 when the call has none */
  GtShape s;              /* dimensions (ones, zeros, fill, linspace's
                             count, reshape's target: a dim of SIZE_MAX
                             and size 0 when one is -1), eye's rows */
  GtShape s2;             /* eye's columns */
  long axis;              /* a reduction's axis, when given */
} GtTFuncArgs;

/* Records the tensor built-in call e (a GT_EX_TFUNC) on its arguments;
   errors are reported at e (or its axis) and jump. */
int32_t gt_tfunc_call(GtRec *r, const GtExpr *e, const GtTFuncArgs *x);

/* ------------------------------------------------------------------ */
/* taylor.c -- forward Taylor mode                                      */
/* ------------------------------------------------------------------ */

/* Derivatives 0..K of node y with respect to node x (holding every other
   leaf fixed), written to out[0..K] (initialised numbers; each rounded
   once to its precision).  Returns 0; -1 when a rule is missing at this
   point or order (*fail_node, *fail_order say which); -2 when out of
   memory.  At a point where a derivative does not exist (1/x at 0, an
   overflowed intermediate) the coefficients become NaN: then 0 is
   returned with *fail_node the node whose rule first made a NaN.  Cost O(K^2) per node between x and y that depends on x. */
int gt_taylor(const GtTape *t, int32_t x, int32_t y, int K, mpfr_ptr *out,
              int32_t *fail_node, int *fail_order);

/* ------------------------------------------------------------------ */
/* api.c -- the session behind the public API                          */
/* ------------------------------------------------------------------ */

/* The index of input `name` in s's program, or -1. */
long gt_session_input_index(const GtSession *s, const char *name);
/* Forgets input i's value set by value (a later gt_session_set_input
   wins). */
void gt_session_unset_input(GtSession *s, size_t i);
/* Frees input i's tensor set by value, if any. */
void gt_session_drop_input_tensor(GtSession *s, size_t i);

/* What a GtSession owns; other files implement parts of the public API on
   it (taylor.c, replay.c). */
struct GtSession {
  GtOptions opt;
  GtNames names;
  GtSource **sources;
  size_t nsources;
  GtDiagList diags;
  GtProgram *prog;
  GtProgram **at;         /* per input: its --at expression or NULL */
  GtTape tape;
  int have_tape;
  GtRunResult res;
  int ran;
  GtTape results;         /* numbers of the derivative results */
  int have_results;
  GtDeriv *derivs;
  size_t nderivs;
  const char **wrt_names; /* storage for every GtDeriv's wrt list */
  /* replay.c: inputs set by value, and counts */
  mpfr_ptr *at_value;     /* per input: its value or NULL */
  struct GtInputTensor **at_tensor; /* per input: a tensor value or NULL */
  unsigned long replayed, recorded;
};

/* ------------------------------------------------------------------ */
/* replay.c -- inputs by value, re-evaluating the tape at new inputs   */
/* ------------------------------------------------------------------ */

/* An input set to a tensor by value (gt_session_set_input_tensor). */
typedef struct GtInputTensor {
  GtShape shape;
  mpfr_ptr elems;         /* shape.size numbers (malloc'd, each inited) */
} GtInputTensor;

/* ------------------------------------------------------------------ */
/* format.c -- numbers to text and back                                 */
/* ------------------------------------------------------------------ */

/* x = the decimal literal s, rounded to nearest (mpfr_set_str's result,
   faster for short literals). */
void gt_set_decimal(mpfr_ptr x, const char *s);

/* ------------------------------------------------------------------ */
/* special.c -- special functions MPFR lacks                            */
/* ------------------------------------------------------------------ */

/* psi1(x) = d/dx digamma(x), rounded to r's precision. */
void gt_special_trigamma(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd);
void gt_special_free_cache(void);

#endif /* GT_INTERNAL_H */
