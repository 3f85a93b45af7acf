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
#include <string.h>

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
/* Forgets every allocation but keeps the newest chunk for the next ones. */
void gt_arena_reset(GtArena *a);

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
  GT_TOK_DSLASH, GT_TOK_DSLASHEQ,  /* // and //= */
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
/* ops.c -- the primitive operations (listed in ops.def): value,       */
/*          adjoint, recorded adjoint and Taylor rules side by side     */
/* ------------------------------------------------------------------ */

/* The ops, from the list in ops.def: GT_OP_CONST, GT_OP_INPUT, GT_OP_NEG,
   ...; GT_OP_COUNT is one past the last. */
typedef enum GtOp {
#define GT_OP(id, name, arity, flags) GT_OP_##id,
#include "ops.def"
  GT_OP_COUNT
} GtOp;

/* Properties of an op (GtOpInfo.flags), as bits: code asks these, never
   a range of the enum. */
enum {
  GT_OPF_CALLABLE = 1 << 0,  /* the language calls it by name */
  GT_OPF_SMOOTH = 1 << 1,    /* a derivative flows through it (0: zero
                                everywhere, so no adjoint or Taylor rule
                                is needed: comparisons, floor, sign ...) */
  GT_OPF_INFIX = 1 << 2,     /* written as an operator: a + b, a < b */
  GT_OPF_CMP = 1 << 3,       /* a comparison (its operands' NaN is seen) */
  GT_OPF_LEAF = 1 << 4,      /* no operands and no rules (constant, input) */
  GT_OPF_TENSOR = 1 << 5,    /* not elementwise: rules on whole tensors
                                (tensor.c); no Taylor rule, as Taylor mode
                                runs on scalars only */
  GT_OPF_BYSWEEP = 1 << 7,   /* value and numeric adjoint computed by the
                                sweeps (grad(y, x, k)), not by rules */
  GT_OPF_RANGE = 1 << 8      /* the value can leave MPFR's exponent range
                                (overflow, underflow) although the operands
                                are finite and nonzero; the others cannot
                                (sqrt, log, sin, where, relu ...) or give
                                their infinities exactly (1/0) */
};

/* Result flags of a forward rule. */
enum {
  GT_FWD_KINK = 1,  /* evaluated exactly at a kink: the note is due */
  GT_FWD_NOCONV = 2 /* a special function (sf.c) could not reach the
                       working precision: the recorder fails there */
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
  mpfr_srcptr y2;             /* y's companion (GT_NF_PAIR), or NULL */
  mpfr_ptr out[3];            /* contributions, at the working precision */
  int need[3];
  int *none;                  /* out, 3 flags: no contribution to operand k */
  mpfr_ptr t;                 /* scratch at the working precision */
} GtAdjArgs;

struct GtRec;
struct GtTaylor;
struct GtTape;

/* What a Taylor sweep (and each op's Taylor rule) returns. */
typedef enum GtTaylorStatus {
  GT_TAYLOR_OK = 0,       /* the coefficients are computed (some may be
                             NaN: see gt_taylor) */
  GT_TAYLOR_NORULE = -1,  /* no rule at this point or order (grad(y, x,
                             k) in another variable): *fail_node,
                             *fail_order say where */
  GT_TAYLOR_NOMEM = -2,   /* out of memory */
  GT_TAYLOR_TENSOR = -3   /* a tensor operation or value between x and y
                             (*fail_node): Taylor mode runs on scalars
                             only; the caller may use recorded Jacobians */
} GtTaylorStatus;

/* Recorded adjoint rule: returns the node holding the contribution to
   operand k of node i, given node g holding the adjoint of node i. */
typedef int32_t (*GtRecAdjFn)(struct GtRec *r, int32_t i, int k, int32_t g);

typedef struct GtOpInfo {
  const char *name;       /* as the language spells it */
  int arity;              /* operands (0 for leaves) */
  unsigned flags;         /* GT_OPF_ */
  int callable;           /* flags & GT_OPF_CALLABLE, as 0 or 1 */
  int smooth;             /* flags & GT_OPF_SMOOTH, as 0 or 1 */
  /* Forward rule: y = f(a, b, c) rounded to y's precision; returns
     GT_FWD_ flags. */
  int (*fwd)(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c);
  /* Pair rule, or NULL: y = f(a) as fwd computes it, and y2 = the value
     the adjoint rule needs (cos a for sin a), both correctly rounded by one
     MPFR call that costs about what fwd alone does (mpfr_sin_cos).  The
     recorder keeps y2 next to y on scalar nodes (GT_NF_PAIR), so that the
     reverse sweep multiplies instead of evaluating cos again. */
  void (*pair)(mpfr_ptr y, mpfr_ptr y2, mpfr_srcptr a);
  /* Adjoint rule on numbers; NULL when smooth == 0.  Returns 0, or -1 when
     no rule exists (the derivative is not implemented). */
  int (*adj)(const GtAdjArgs *x);
  /* The same rule recorded as nodes, so that it can be differentiated. */
  GtRecAdjFn radj;
  /* Taylor rule: fills y[1..K] with node i's Taylor coefficients, given
     y[0] (from fwd) and its operands' series (taylor.c's helpers). */
  GtTaylorStatus (*taylor)(struct GtTaylor *T, int32_t i, mpfr_ptr *y);
  /* A tensor op's rules (GT_OPF_TENSOR; fwd, adj and taylor are NULL):
     tfwd computes node i's elements from its operands' (tmp: a scratch
     number); tadj adds g * d(node i)/d(operand k) into acc (operand k's
     size of numbers; scratch: 2 numbers) and returns 0, or -1 when out of
     memory; radj is the recorded adjoint, as for the others. */
  void (*tfwd)(struct GtTape *t, int32_t i, mpfr_ptr tmp);
  int (*tadj)(const struct GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
              mpfr_ptr acc, mpfr_ptr scratch);
  const char *kink_note;  /* text of the note at a kink, or NULL */
  int sf;                 /* 1 + the GtSf (sf.h) computing the op, or 0:
                             its domain is named in the NaN error */
  const char *domain;     /* the domain, named in the NaN error, of an
                             op without sf (NULL: none named) */
} GtOpInfo;

extern const GtOpInfo gt_ops[GT_OP_COUNT];

/* Is op a tensor operation (GT_OPF_TENSOR)? */
static inline int
gt_is_tensor_op(GtOp op)
{
  return (gt_ops[op].flags & GT_OPF_TENSOR) != 0;
}

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
  GT_NF_NARY = 2, /* operands are xargs[a .. a+b-1] of the tape, not a b c */
  GT_NF_EXACT = 8, /* a constant that is exactly the integer meant and the
                      same at every input point: a loop counter, a short
                      integer literal (decisions on it need no guard) */
  GT_NF_PAIR = 4  /* a node of an op with a pair rule (GtOpInfo.pair): the
                     companion values (cos a for sin a) follow the node's
                     elements, v[size + k] for element k */
};

#define GT_MAX_RANK 8

/* A tensor shape; rank 0 is a scalar (size 1). */
typedef struct GtShape {
  int rank;
  size_t size;                /* product of the dims */
  size_t dim[GT_MAX_RANK];
} GtShape;

/* Row-major strides of a shape. */
static inline void
gt_row_strides(const GtShape *s, long *st)
{
  long k = 1;
  for (int d = s->rank - 1; d >= 0; d--) {
    st[d] = k;
    k *= (long)s->dim[d];
  }
}

/* Walks the elements of shape s, keeping a flat offset into another
   tensor whose strides along s's axes are st (tensor.c, ball.c). */
typedef struct GtStrideWalk {
  const GtShape *s;
  size_t idx[GT_MAX_RANK];
  long off;
  const long *st;
} GtStrideWalk;

static inline void
gt_stride_walk_init(GtStrideWalk *w, const GtShape *s, const long *st,
                    long off)
{
  memset(w, 0, sizeof *w);
  w->s = s;
  w->st = st;
  w->off = off;
}

static inline void
gt_stride_walk_next(GtStrideWalk *w)
{
  for (int d = w->s->rank - 1; d >= 0; d--) {
    w->idx[d]++;
    w->off += w->st[d];
    if (w->idx[d] < w->s->dim[d])
      return;
    w->off -= w->st[d] * (long)w->s->dim[d];
    w->idx[d] = 0;
  }
}

/* Parameters of a view (indexing and slicing): element k of the view,
   with multi-index (i_0 .. i_{r-1}) in the view's shape, is element
   offset + sum i_d stride[d] of the viewed tensor, flattened. */
typedef struct GtView {
  size_t offset;
  long stride[GT_MAX_RANK];   /* over the view's dims (may be negative) */
} GtView;
/* Are a view's elements, of shape s, a run of its operand's in row-major
   order (one element, a row, whole rows)?  Then they are distinct, and
   the view can share the operand's numbers (tensor.c) and add its
   adjoint straight into the operand's (reverse.c). */
static inline int
gt_view_contiguous(const GtView *v, const GtShape *s)
{
  long want = 1;
  for (int d = s->rank - 1; d >= 0; d--) {
    if (s->dim[d] != 1 && v->stride[d] != want)
      return 0;
    want *= (long)s->dim[d];
  }
  return 1;
}

/* A control decision of the run, checked when the tape is replayed at
   other input values (replay.c): node's value must give the same truth
   value (GT_GUARD_TRUTH) or the same integer (GT_GUARD_INT). */
enum { GT_GUARD_TRUTH, GT_GUARD_INT };

typedef struct GtGuard {
  int32_t node;
  int32_t kind;     /* GT_GUARD_ */
  long value;       /* 0 or 1, or the integer */
  uint32_t site;    /* the expression deciding (a condition, a range
                       bound, an index), 0: none */
} GtGuard;

/* Where a leaf's exact value comes from, for --enclose (enclose.c): the
   decimal text of a literal (its span in the session's sources), or the
   constant pi or e.  Leaves without one are enclosed from their value. */
enum { GT_LEAF_TEXT, GT_LEAF_PI, GT_LEAF_E,
       GT_LEAF_MINUS1,   /* the value of node span.off, minus 1 */
       GT_LEAF_LOG,      /* log(span.off) */
       GT_LEAF_2RSQRTPI, /* 2 / sqrt(pi) */
       GT_LEAF_RSQRT2PI, /* 1 / sqrt(2 pi) */
       GT_LEAF_SQRTPI2,  /* sqrt(pi) / 2 */
       GT_LEAF_LINSPACE  /* element k of n: k / (n - 1) (0 when n = 1) */
};
typedef struct GtLeafSrc {
  int32_t node;
  int32_t kind;     /* GT_LEAF_ */
  GtSpan span;      /* GT_LEAF_TEXT: the literal */
} GtLeafSrc;

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
  uint32_t param;   /* index in the tape's view table (views only);
                       INPUT: the node of its value + 1 (0: none) */
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
  GtLeafSrc *leafsrc;  /* exact sources of leaves, in node order */
  size_t nleafsrc, leafsrccap;
  size_t run_nodes;    /* nodes when the run ended (before derivatives) */
  int no_replay;       /* the run did what a replay cannot redo (grad,
                          print, an input default computed from inputs) */
  uint32_t *viewcache; /* GT_VIEW_CACHE recent views by hash + 1 (0: none),
                          so that x[i] read again shares its view */
} GtTape;

/* A view whose strides are all zero (one element: x[i], x[i, j]) is not
   stored in the view table: its node's param is GT_VIEW_INLINE | offset
   (gt_tape_view), which saves a 72-byte record per element an indexing
   loop reads.  Every reader goes through these two. */
#define GT_VIEW_INLINE UINT32_C(0x80000000)

static inline const GtView *
gt_view_at(const GtTape *t, uint32_t p, GtView *tmp)
{
  if (!(p & GT_VIEW_INLINE))
    return &t->views[p];
  memset(tmp, 0, sizeof *tmp);
  tmp->offset = p & ~GT_VIEW_INLINE;
  return tmp;
}

static inline size_t
gt_view_offset(const GtTape *t, uint32_t p)
{
  return (p & GT_VIEW_INLINE) ? p & ~GT_VIEW_INLINE : t->views[p].offset;
}

int gt_tape_init(GtTape *t, mpfr_prec_t prec, size_t max_nodes);
void gt_tape_free(GtTape *t);
/* Empties t for reuse (as gt_tape_init with the same precision and
   max_nodes would, but keeping its arrays and first value chunk); 0, or
   -1 when t is too big to be worth keeping (then it is freed, and must
   be initialised again). */
int gt_tape_reset(GtTape *t);
/* Appends a node with an uninitialised value of the tape's precision;
   returns its index, -1 when out of memory, -2 when max_nodes is reached. */
int32_t gt_tape_push(GtTape *t, GtOp op, int32_t a, int32_t b, int32_t c,
                     uint32_t site, uint32_t frame);
/* A node of op on operand a whose elements are v, owned by another node
   (no value is allocated).  Returns as gt_tape_push. */
int32_t gt_tape_push_alias(GtTape *t, GtOp op, int32_t a, uint32_t shape,
                           uint32_t site, uint32_t frame, mpfr_ptr v);
/* The same for a tensor of that op: 2 size numbers, the companions from
   v[size] on.  Returns as gt_tape_push_shaped. */
int32_t gt_tape_push_shaped_pair(GtTape *t, GtOp op, int32_t a, uint32_t shape,
                                 uint32_t site, uint32_t frame);
/* A scalar node of a unary op with a pair rule: two numbers, v[1] for the
   companion, and GT_NF_PAIR set.  Returns as gt_tape_push. */
int32_t gt_tape_push_pair(GtTape *t, GtOp op, int32_t a, uint32_t site,
                          uint32_t frame);
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
/* Appends view parameters; returns their index (or, for one element,
   the inline form gt_view_at reads) or UINT32_MAX. */
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
/* Notes the exact source of leaf node (GT_LEAF_); -1 when out of memory. */
int gt_tape_leafsrc(GtTape *t, int32_t node, int kind, GtSpan span);

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
  GT_EX_JACOBIAN, /* jacobian(y, x) */
  GT_EX_COND      /* args[0] if args[1] else args[2] */
} GtExprKind;

/* Tensor built-ins (GT_EX_TFUNC). */
typedef enum GtTFunc {
  GT_TF_ONES, GT_TF_ZEROS, GT_TF_FILL, GT_TF_EYE, GT_TF_LINSPACE,
  GT_TF_SHAPE, GT_TF_SIZE, GT_TF_RANK, GT_TF_SUM, GT_TF_MEAN, GT_TF_PROD,
  GT_TF_RMAX, GT_TF_RMIN, GT_TF_DOT, GT_TF_MATMUL, GT_TF_TRANSPOSE,
  GT_TF_RESHAPE, GT_TF_NORM, GT_TF_LEN,
  GT_TF_CONCAT, GT_TF_STACK, GT_TF_TILE, GT_TF_REPEAT, GT_TF_APPEND,
  GT_TF_LOAD, GT_TF_LOGSUMEXP,
  GT_TF_COUNT
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
  uint8_t axis_kw;        /* CALL, TFUNC: the last argument was written
                             axis=EXPR */
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

/* ------------------------------------------------------------------ */
/* ast.c -- interned names, the statement visitor, built-in names      */
/* ------------------------------------------------------------------ */

/* The id of the name s[0..len), added if new; UINT32_MAX when out of
   memory.  gt_names_find only looks: UINT32_MAX when absent. */
uint32_t gt_names_intern(GtNames *names, const char *s, size_t len);
uint32_t gt_names_find(const GtNames *names, const char *s, size_t len);
void gt_names_free(GtNames *names);

/* The child-visitor: what to call on the children of a statement. */
typedef struct GtStmtVisitor {
  int (*expr)(void *ctx, GtExpr *e); /* NULL: skip the expressions */
  int (*stmt)(void *ctx, GtStmt *s); /* NULL: skip the statements */
  void *ctx;
} GtStmtVisitor;
/* Calls v on the children of s: first its expressions (s->expr, then
   s->args, except OUTPUT's names and ASSERT's message, which are not
   evaluated), then the statements of its blocks (the body, each elif's,
   the else's).  The callbacks recurse if they want to.  Stops at the
   first callback that returns nonzero and returns its value; else 0. */
int gt_stmt_children(const GtStmt *s, const GtStmtVisitor *v);
/* Calls v->stmt on each statement of b, in order, the same way. */
int gt_block_each(const GtBlock *b, const GtStmtVisitor *v);

/* The i-th special built-in (grad, jacobian, ...), NULL past the end. */
const char *gt_special_builtin_name(size_t i);

/* Parses a program; NULL after adding diagnostics on error.  expr_only
   parses one expression (for --at), with only the predefined names. */
GtProgram *gt_parse(const GtSource *src, uint32_t srcid, GtNames *names,
                    GtDiagList *diags, int expr_only);
/* The same with load options (implicit inputs, result name); lo may be
   NULL. */
GtProgram *gt_parse_with(const GtSource *src, uint32_t srcid, GtNames *names,
                         GtDiagList *diags, int expr_only,
                         const GtLoadOptions *lo);
/* A program that continues another (gt_session_extend): seed[0..nseed)
   are the interned names of the earlier program's globals in slot order;
   they keep their slots here and may be read without being bound. */
GtProgram *gt_parse_seeded(const GtSource *src, uint32_t srcid,
                           GtNames *names, GtDiagList *diags,
                           const GtLoadOptions *lo, const int32_t *seed,
                           size_t nseed);
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
/* Notes leaf i's exact source (GT_LEAF_ kind, its argument) for
   --enclose; fails (jumps) when out of memory. */
void gt_rec_leafsrc(GtRec *r, int32_t i, int kind, uint32_t arg);
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
/* Pushes a node of op on operand a, of shape s, whose elements are v (a
   run of a's elements, which it shares: no value is allocated). */
int32_t gt_rec_push_alias(GtRec *r, GtOp op, int32_t a, const GtShape *s,
                          mpfr_ptr v);

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
  unsigned long steps;    /* statements run (--max-steps counts them) */
  double work;            /* MPFR operations charged (GtRec.work) */
} GtRunResult;

GtStatus gt_interp_run(const GtProgram *prog, const GtRunEnv *env,
                       GtTape *tape, const int32_t *at, GtRunResult *res);
/* Runs prog (parsed with gt_parse_seeded on res's program's nold globals)
   on the same tape after res, its globals starting from res's.  Only
   top-level statements without inputs or functions: GT_EUSAGE, nothing
   run, otherwise.  On success res holds the globals after prog; on
   failure res is unchanged (the tape may hold unused nodes). */
GtStatus gt_interp_resume(const GtProgram *prog, const GtRunEnv *env,
                          GtTape *tape, size_t nold, GtRunResult *res);
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
/* Its rows alone, for final numbers: rows[k] (room for y's size) is the
   recorded gradient of y's element k, x's shape each; the matrix itself is
   not recorded (gt_rev_jacobian stacks these rows). */
void gt_rev_jacobian_rows(GtRec *r, int32_t y, int32_t x, int32_t *rows);
/* Does node y depend on node w along a path that avoids node x? */
int gt_rev_depends_avoiding(const GtTape *t, int32_t y, int32_t w,
                            int32_t x);

/* ------------------------------------------------------------------ */
/* tensor.c -- the tensor operations: builders and their rules       */
/* ------------------------------------------------------------------ */

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
/* y of shape s: base (or zeros when base < 0), then each ops[k] added at
   views[params[k]], k = 0..n-1 in order; one node, O(1) per operand
   beside the copy of the base (the recorded sweep's indexing adjoint). */
int32_t gt_tensor_assemble(GtRec *r, const GtShape *s, int32_t base,
                           const int32_t *ops, const uint32_t *params,
                           size_t n);

/* The tensor ops' rules, referenced by the op table (GtOpInfo.tfwd, tadj,
   radj): gt_tensor_fwd_N, gt_tensor_adj_N and gt_tensor_radj_N for each
   N below (the reductions share gt_tensor_fwd_reduce). */
#define GT_TENSOR_FWD(N) void gt_tensor_fwd_##N(GtTape *t, int32_t i,        \
                                                 mpfr_ptr tmp);
#define GT_TENSOR_ADJ(N)                                                     \
  int gt_tensor_adj_##N(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g, \
                        mpfr_ptr acc, mpfr_ptr scratch);                     \
  int32_t gt_tensor_radj_##N(GtRec *r, int32_t i, int k, int32_t g);
#define GT_TENSOR_RULES(N) GT_TENSOR_FWD(N) GT_TENSOR_ADJ(N)
GT_TENSOR_RULES(stack)
GT_TENSOR_RULES(expand)
GT_TENSOR_RULES(sumto)
GT_TENSOR_FWD(reduce)
GT_TENSOR_ADJ(sum)        /* reduce_sum and reduce_mean */
GT_TENSOR_ADJ(prod)
GT_TENSOR_ADJ(extreme)    /* reduce_max and reduce_min */
GT_TENSOR_RULES(matmul)
GT_TENSOR_RULES(transpose)
GT_TENSOR_RULES(reshape)
GT_TENSOR_RULES(norm)
GT_TENSOR_RULES(view)
GT_TENSOR_RULES(scatter)
GT_TENSOR_RULES(setview)
GT_TENSOR_RULES(assemble)
#undef GT_TENSOR_FWD
#undef GT_TENSOR_ADJ
#undef GT_TENSOR_RULES

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
  int has_axis;           /* concat, stack, repeat, append: axis given */
  const int32_t *ops;     /* concat, stack: the tensors */
  size_t nops;
  long count;             /* repeat's count */
  const char *path;       /* load's file name */
} GtTFuncArgs;

/* Records the tensor built-in call e (a GT_EX_TFUNC) on its arguments;
   errors are reported at e (or its axis) and jump. */
int32_t gt_tfunc_call(GtRec *r, const GtExpr *e, const GtTFuncArgs *x);

/* ------------------------------------------------------------------ */
/* load.c -- tables of numbers into tensors (load("file"))             */
/* ------------------------------------------------------------------ */

/* Records the table of numbers in file `path` (a relative path is taken
   from the directory of the program that calls load, e, or from the
   working directory for -e and --at text) as a constant: a vector for
   one column, else a rows x columns matrix.  Errors point into the file,
   then at e, and jump. */
int32_t gt_load_table(GtRec *r, const GtExpr *e, const char *path);

/* ------------------------------------------------------------------ */
/* taylor.c -- forward Taylor mode                                      */
/* ------------------------------------------------------------------ */

/* The state of one Taylor sweep, as the ops' Taylor rules (ops.c) see it.
   Every node that depends on x has a series of K+1 coefficients at the
   sweep's precision; the others are constants. */
typedef struct GtTaylor {
  const GtTape *t;
  int K;                  /* the highest order */
  int32_t lo;             /* x: nodes below it are constants */
  mpfr_ptr **ser;         /* per node lo..: K+1 coefficients, or NULL */
  GtTape hold;            /* an arena of numbers at the sweep's precision */
  mpfr_ptr zero;
  mpfr_ptr s[6];          /* scratch: the helpers below use s[0..2], the
                             rules s[3..5] (the driver, after them) */
  int fail_order;         /* set by a rule returning GT_TAYLOR_NORULE */
} GtTaylor;

/* Does node i's series vary with x (else it is a constant)? */
static inline int
gt_taylor_varies(const GtTaylor *T, int32_t i)
{
  return i >= T->lo && T->ser[i - T->lo] != NULL;
}

/* Coefficient j of node i's series (a constant's: its value, then 0). */
static inline mpfr_srcptr
gt_taylor_coef(const GtTaylor *T, int32_t i, int j)
{
  if (!gt_taylor_varies(T, i))
    return j == 0 ? T->t->nodes[i].v : T->zero;
  return T->ser[i - T->lo][j];
}

/* A fresh number, or series of K+1 numbers, at the sweep's precision;
   NULL when out of memory. */
mpfr_ptr gt_taylor_num(GtTaylor *T);
mpfr_ptr *gt_taylor_series(GtTaylor *T);
/* Node i's series as an array (a constant's is expanded); NULL when out
   of memory.  It may be node i's own series: read it, do not write it
   (gt_taylor_copy gives a copy to write). */
mpfr_ptr *gt_taylor_arr(GtTaylor *T, int32_t i);
mpfr_ptr *gt_taylor_copy(GtTaylor *T, int32_t i);
/* Coefficients 1..K are NaN: a point where the derivatives do not exist
   as numbers (1/x at 0, x^0.5 at 0, an overflowed value), so the NaN
   policy reports them, pointing at this node, unless a where() leaves
   this branch aside.  Returns GT_TAYLOR_OK. */
GtTaylorStatus gt_taylor_singular(GtTaylor *T, mpfr_ptr *y);

/* The series arithmetic, each O(K^2) (Griewank and Walther, "Evaluating
   Derivatives", chapter 13).  Node operands are given by index, explicit
   series as arrays of K+1 numbers. */
/* y = a b, the Cauchy product: y_n = sum_{k=0..n} a_k b_{n-k} */
void gt_taylor_conv(GtTaylor *T, mpfr_ptr *y, int32_t a, int32_t b);
/* the same on arrays: y = p q */
void gt_taylor_conv_arr(GtTaylor *T, mpfr_ptr *y, mpfr_ptr *p, mpfr_ptr *q);
/* y = p / q with q_0 != 0: y_n = (p_n - sum_{k=1..n} q_k y_{n-k}) / q_0 */
void gt_taylor_div_arr(GtTaylor *T, mpfr_ptr *y, mpfr_ptr *p, mpfr_ptr *q);
/* The recurrence of every op with a first-order ODE y' = w a' (exp: w = y,
   sin: w = cos, erf: w = 2/sqrt(pi) exp(-a^2), ...):
     n y_n = sum_{k=1..n} k a_k w_{n-k}.
   gt_taylor_ksum puts the sum for one n into acc (not T->s[0]), with a_k
   from the array p, or from node a's series when p is NULL. */
void gt_taylor_ksum(GtTaylor *T, mpfr_ptr acc, int32_t a, mpfr_ptr *p,
                    mpfr_ptr *w, int n);
/* y_n = c (sum_{k=1..n} k a_k w_{n-k}) / n for n = 1..K (c NULL: 1), for
   a known w; w may be y itself (exp: w_{n-k} is known before y_n). */
void gt_taylor_rec(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *p,
                   mpfr_ptr *w, mpfr_srcptr c);
/* The same when w is a function of y: upd(T, w, y, m, ctx) fills w[m]
   from y[0..m]; gt_taylor_ode calls it for m = 0..K, each after y_m. */
typedef void (*GtTaylorW)(GtTaylor *T, mpfr_ptr *w, mpfr_ptr *y, int m,
                          void *ctx);
void gt_taylor_ode(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *w,
                   GtTaylorW upd, void *ctx);
/* y with y' q = a' for a series q with q_0 != 0 (log: q = a; asin:
   q = sqrt(1 - a^2)): n q_0 y_n = n a_n - sum_{k=1..n-1} k y_k q_{n-k} */
void gt_taylor_inv_ode(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *q);
/* y = sqrt(p) with p_0 > 0 (y_0 included):
   2 y_0 y_n = p_n - sum_{k=1..n-1} y_k y_{n-k} */
void gt_taylor_sqrt_arr(GtTaylor *T, mpfr_ptr *y, mpfr_ptr *p);
/* y[1..K] of f(a) from f's jet at a_0, jet[k] = f^(k)(a_0)/k! (sf.c's
   gt_sf_jet): f(a) = sum_k jet[k] (a - a_0)^k, by Horner on truncated
   series, O(K^3).  GT_TAYLOR_NOMEM when out of memory. */
GtTaylorStatus gt_taylor_compose(GtTaylor *T, mpfr_ptr *y, int32_t a,
                                 mpfr_ptr *jet);
/* y = a^r for a constant exponent r and a_0 != 0:
   n a_0 y_n = sum_{k=1..n} (r k - (n - k)) a_k y_{n-k} */
void gt_taylor_pow_const(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_srcptr r);
/* the derivative's series: d_k = (k+1) a_{k+1} (d_K = 0) */
void gt_taylor_deriv_arr(GtTaylor *T, mpfr_ptr *d, int32_t a);
/* integration: y_n = d_{n-1} / n for n >= 1 (y_0 set by the caller) */
void gt_taylor_integ_arr(GtTaylor *T, mpfr_ptr *y, mpfr_ptr *d);

/* Derivatives 0..K of node y with respect to node x (holding every other
   leaf fixed), written to out[0..K] (initialised numbers; each rounded
   once to its precision).  Returns GT_TAYLOR_OK or the failure.  At a
   point where a derivative does not exist (1/x at 0, an overflowed
   intermediate) the coefficients become NaN: then GT_TAYLOR_OK is
   returned with *fail_node the node whose rule first made a NaN.  Cost
   O(K^2) per node between x and y that depends on x. */
GtTaylorStatus gt_taylor(const GtTape *t, int32_t x, int32_t y, int K,
                         mpfr_ptr *out, int32_t *fail_node, int *fail_order);
/* The same, but out[n] is the Taylor coefficient y_n = y^(n)(x0)/n!,
   rounded once (not n! y_n). */
GtTaylorStatus gt_taylor_coefs(const GtTape *t, int32_t x, int32_t y, int K,
                               mpfr_ptr *out, int32_t *fail_node,
                               int *fail_order);

/* The same in the directions d: nodes x[0..n) move as x[k] + d[k] t
   together (every other leaf fixed), and out[n] is the coefficient of t^n
   of y, rounded once to out[n]'s precision.  The sweep runs at base + 32
   + 2K bits (gt_taylor's base is the tape's precision). */
GtTaylorStatus gt_taylor_dir(const GtTape *t, const int32_t *x,
                             const long *d, size_t n, int32_t y, int K,
                             mpfr_prec_t base, mpfr_ptr *out,
                             int32_t *fail_node, int *fail_order);

/* ------------------------------------------------------------------ */
/* partials.c -- all order-K partials by Taylor interpolation          */
/* ------------------------------------------------------------------ */

enum {
  GT_PARTIALS_OK = 0,
  GT_PARTIALS_NO = -1,     /* not by this method here: a tensor or a
                              missing Taylor rule on the way, a NaN or an
                              infinity, or a cancellation it cannot
                              resolve; nested sweeps say what is wrong */
  GT_PARTIALS_NOMEM = -2
};
/* C(n+K-1, K), the distinct partials of order K in n names (SIZE_MAX on
   overflow). */
size_t gt_partials_count(size_t n, int K);
/* Every distinct order-K partial of node y in the scalar nodes x[0..n)
   (n <= 64, each a leaf none of the others depends on), by C(n+K-1, K)
   Taylor sweeps and exact interpolation: out[m] (initialised numbers, of
   one precision, rounded once to it) for the m-th nondecreasing K-tuple of
   name indices in lexicographic order, connected[m] 0 when the partial is
   structurally zero.  Returns a GT_PARTIALS_ status. */
int gt_partials(const GtTape *t, int32_t y, const int32_t *x, size_t n,
                int K, mpfr_ptr *out, int *connected);

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
  int spare_results;      /* results is emptied, kept for the next ones */
  GtDeriv *derivs;
  size_t nderivs;
  const char **wrt_names; /* storage for every GtDeriv's wrt list */
  /* replay.c: inputs set by value, and counts */
  mpfr_ptr *at_value;     /* per input: its value or NULL */
  struct GtInputTensor **at_tensor; /* per input: a tensor value or NULL */
  unsigned long replayed, recorded;
  GtProgram **older;      /* gt_session_extend: the program loaded */
  size_t nolder;          /* 0 or 1 */
  struct GtEnclosed *enclosed; /* enclose.c: the last enclosures, or NULL */
};

/* ------------------------------------------------------------------ */
/* enclose.c -- values and derivatives as proven intervals (--enclose) */
/* ------------------------------------------------------------------ */

/* Frees the session's enclosures (gt_session_enclose), if any. */
void gt_enclose_drop(GtSession *s);

/* ------------------------------------------------------------------ */
/* replay.c -- inputs by value, re-evaluating the tape at new inputs   */
/* ------------------------------------------------------------------ */

/* An input set to a tensor by value (gt_session_set_input_tensor). */
typedef struct GtInputTensor {
  GtShape shape;
  mpfr_ptr elems;         /* shape.size numbers (malloc'd, each inited) */
} GtInputTensor;

/* ------------------------------------------------------------------ */
/* resolve.c -- name resolution after the parse                         */
/* ------------------------------------------------------------------ */

/* What the resolver needs from the parse (parse.c fills it). */
typedef struct GtResolveIn {
  GtProgram *p;
  const GtSource *src;
  uint32_t srcid;
  GtDiagList *diags;      /* errors are added here ... */
  jmp_buf *fail;          /* ... and then jump here */
  int expr_only;          /* an expression: only the predefined names */
  const GtLoadOptions *lo; /* implicit inputs (or NULL) */
  const int32_t *fidx;    /* by interned name: index in p->funcs, or -1 */
  size_t nfidx;           /* names fidx covers */
  const int32_t *seed;    /* globals of an earlier program (or NULL) */
  size_t nseed;
} GtResolveIn;

/* Gives every name of in->p a slot, declares implicit inputs, checks
   calls' arities and marks the loops whose variable is read. */
void gt_resolve(const GtResolveIn *in);


/* ------------------------------------------------------------------ */
/* derive.c -- the derivative planner                                   */
/* ------------------------------------------------------------------ */

/* Orders up to this are nested recorded reverse sweeps in the language's
   grad(): the result can be differentiated again with respect to
   anything, at a cost that grows like 3^k.  Higher orders of one scalar
   name use Taylor mode, O(k^2), whose result can be differentiated again
   with respect to x only. */
#define GT_DERIVE_NESTED_MAX 3

/* How a set of derivatives is computed (the rule: derive.c's header). */
typedef enum GtDeriveMethod {
  GT_DERIVE_IDENTITY,  /* order 0: the function itself */
  GT_DERIVE_NUMERIC,   /* order 1: one numeric reverse sweep per output */
  GT_DERIVE_NESTED,    /* K-1 recorded levels, then one numeric sweep */
  GT_DERIVE_RECORDED,  /* K recorded levels (grad of grad, Jacobians) */
  GT_DERIVE_TAYLOR     /* one Taylor sweep per output, O(K^2) per node */
} GtDeriveMethod;

/* A request: d^order(of[i]) / d(wrt[j1])...d(wrt[jK]) on tape. */
typedef struct GtDeriveReq {
  const GtTape *tape;
  const int32_t *of;      /* the outputs' nodes */
  size_t nof;
  const int32_t *wrt;     /* the names' nodes, distinct */
  size_t nwrt;
  long order;             /* >= 0 */
  int keep;               /* 1: recorded, differentiable again (grad());
                             0: final numbers (--order) */
  int whole;              /* 1: a tensor output is differentiated element
                             by element (--jacobian), not summed first */
} GtDeriveReq;

/* The method for q (no side effects; may allocate a scratch map). */
GtDeriveMethod gt_derive_plan(const GtDeriveReq *q);
/* Its name, for messages and tests. */
const char *gt_derive_method_name(GtDeriveMethod m);
/* Does a NESTED request go by Taylor interpolation instead (rule 5 in
   derive.c: order >= 3 in several scalar inputs, when cheaper)? */
int gt_derive_interp(const GtDeriveReq *q);

/* The MPFR operations of a Taylor sweep of order k over the nodes x..y:
   O(k^2) each, at the working precision plus 2k guard bits. */
double gt_derive_taylor_cost(const GtTape *t, int32_t y, int32_t x, long k);

/* ------------------------------------------------------------------ */
/* format.c -- numbers to text and back                                 */
/* ------------------------------------------------------------------ */

/* x = the decimal literal s, rounded to nearest (mpfr_set_str's result,
   faster for short literals). */
void gt_set_decimal(mpfr_ptr x, const char *s);
/* For tests, which compare the two: gt_format_number(x, 0) by the
   general path alone (interval_digits and the search, no fixed-width fast
   path), and whether the fast path decides x. */
char *gt_format_shortest_general(mpfr_srcptr x);
int gt_format_fast_decides(mpfr_srcptr x);

/* ------------------------------------------------------------------ */
/* special.c -- special functions MPFR lacks                            */
/* ------------------------------------------------------------------ */

/* psi1(x) = d/dx digamma(x), rounded to r's precision.  Safe to call from
   several threads at once (the Bernoulli cache is lock-free). */
void gt_special_trigamma(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd);
/* Frees the Bernoulli cache; not while another thread is in the library. */
void gt_special_free_cache(void);

/* ------------------------------------------------------------------ */
/* emit.c -- symbolic derivatives (--emit)                              */
/* ------------------------------------------------------------------ */

/* Has op an emission entry (C, MPFR or LaTeX spelling)?  Every op but
   the leaves, grad(y, x, k) and the tensor ops has one (test_emit). */
int gt_emit_op_known(int op);

#endif /* GT_INTERNAL_H */
