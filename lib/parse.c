/* parse.c -- tokens to a syntax tree whose names are resolved to slots.
 *
 * Recursive descent, one function per precedence level (lowest first):
 *   or, and, not, comparison (not chained), + -, * / % @, unary + -,
 *   ^ (right-associative, its right operand may carry a sign), postfix
 *   calls, primary.
 * After the parse, gt_resolve (resolve.c) gives every name a slot.  The
 * interned-name table, the statement child-visitor and the names of the
 * built-in functions, which the resolver uses too, are in ast.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define GT_MAX_NEST 1000 /* nesting of expressions and blocks */
#define GT_MAX_TREE 25000 /* depth of an expression tree (a chain's links
                             count as one level) */

/* ---- parser state ------------------------------------------------------ */

typedef struct Parser {
  const GtSource *src;
  uint32_t srcid;
  GtDiagList *diags;
  GtToken *toks;
  size_t ntok, pos;
  GtProgram *p;
  jmp_buf fail;
  int depth;
  int in_func;
  int loops;        /* enclosing loops, for break and continue */
  const GtLoadOptions *lo; /* implicit inputs, result name (or NULL) */
  int shape_only;   /* gt_text_shape: parse, resolve nothing */
  int32_t *fidx;    /* by interned name: index in p->funcs, or -1 */
  size_t nfidx;     /* names fidx covers */
  const int32_t *seed; /* globals known before (gt_parse_seeded), or NULL */
  size_t nseed;
} Parser;

static const GtToken *
peek(Parser *ps)
{
  return &ps->toks[ps->pos];
}

static GtTokKind
peek_kind(Parser *ps)
{
  return ps->toks[ps->pos].kind;
}

static const GtToken *
next(Parser *ps)
{
  const GtToken *t = &ps->toks[ps->pos];
  if (t->kind != GT_TOK_EOF)
    ps->pos++;
  return t;
}

static _Noreturn void
fail_at(Parser *ps, GtSpan sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static _Noreturn void
fail_at(Parser *ps, GtSpan sp, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  gt_diag_vadd(ps->diags, GT_SEV_ERROR, ps->src, sp, fmt, ap);
  va_end(ap);
  longjmp(ps->fail, 1);
}

static _Noreturn void
oom(Parser *ps)
{
  GtSpan sp = { ps->srcid, 0, 0 };
  gt_diag_add(ps->diags, GT_SEV_ERROR, NULL, sp, "out of memory");
  longjmp(ps->fail, 1);
}

static void *
alloc(Parser *ps, size_t n)
{
  void *q = gt_arena_zalloc(&ps->p->arena, n);
  if (q == NULL)
    oom(ps);
  return q;
}

/* Where to point for the current token: at end of file, just past the
   last token, as GCC does, rather than on an empty line after it. */
static GtSpan
here(Parser *ps)
{
  const GtToken *t = peek(ps);
  GtSpan sp = t->span;
  if (t->kind == GT_TOK_EOF) {
    size_t i = ps->pos;
    while (i > 0 && ps->toks[i - 1].kind == GT_TOK_NEWLINE)
      i--;
    if (i > 0)
      sp.off = ps->toks[i - 1].span.off + ps->toks[i - 1].span.len;
  }
  if (sp.len == 0 || t->kind == GT_TOK_NEWLINE)
    sp.len = 1;
  return sp;
}

/* "expected X before Y" at the current token */
static _Noreturn void
expected(Parser *ps, const char *what)
{
  const GtToken *t = peek(ps);
  if (t->kind == GT_TOK_EOF)
    fail_at(ps, here(ps), "expected %s before end of file", what);
  if (t->kind == GT_TOK_NEWLINE) {
    GtSpan sp = t->span;
    sp.len = 1;
    fail_at(ps, sp, "expected %s at end of line", what);
  }
  fail_at(ps, t->span, "expected %s before '%.*s'", what, (int)t->span.len,
          ps->src->text + t->span.off);
}

static const GtToken *
expect(Parser *ps, GtTokKind k)
{
  if (peek_kind(ps) != k)
    expected(ps, gt_lex_kind_name(k));
  return next(ps);
}

static GtSpan
join(GtSpan a, GtSpan b)
{
  GtSpan s = a;
  if (b.off + b.len > a.off)
    s.len = b.off + b.len - a.off;
  return s;
}

static void
enter(Parser *ps, GtSpan sp)
{
  if (++ps->depth > GT_MAX_NEST)
    fail_at(ps, sp, "program nested too deeply (more than %d levels)",
            GT_MAX_NEST);
}

/* ---- expressions ------------------------------------------------------- */

static GtExpr *
new_expr(Parser *ps, GtExprKind kind, GtSpan sp)
{
  GtProgram *p = ps->p;
  GtExpr *e = alloc(ps, sizeof *e);
  e->kind = (uint8_t)kind;
  e->span = sp;
  e->opspan = sp;
  e->slot = -1;
  if (p->nexprs == p->exprcap) {
    size_t cap = p->exprcap ? p->exprcap * 2 : 256;
    GtExpr **t = realloc(p->exprs, cap * sizeof *t);
    if (t == NULL)
      oom(ps);
    p->exprs = t;
    p->exprcap = cap;
  }
  e->id = (uint32_t)p->nexprs;
  p->exprs[p->nexprs++] = e;
  return e;
}

static GtExpr *
op_expr(Parser *ps, GtOp op, GtSpan opspan, GtExpr *a, GtExpr *b)
{
  GtSpan sp = b ? join(a->span, b->span) : a->span;
  if (opspan.off < sp.off)
    sp = join(opspan, sp);
  GtExpr *e = new_expr(ps, GT_EX_OP, sp);
  e->op = (uint8_t)op;
  e->opspan = opspan;
  e->nargs = b ? 2 : 1;
  e->args = alloc(ps, 2 * sizeof *e->args);
  e->args[0] = a;
  e->args[1] = b;
  return e;
}

static uint32_t
intern_tok(Parser *ps, const GtToken *t)
{
  uint32_t id = gt_names_intern(ps->p->names, ps->src->text + t->span.off,
                                t->span.len);
  if (id == UINT32_MAX)
    oom(ps);
  return id;
}

static GtExpr *parse_expr(Parser *ps);

/* Room for one more element in an array that grows by doubling inside the
   arena (the old copy stays there until the program is freed); keeps
   big arrays off the C stack, which the recursive descent needs. */
static void *
grow(Parser *ps, void *v, size_t n, size_t *cap, size_t elem)
{
  if (n < *cap)
    return v;
  size_t c = *cap ? *cap * 2 : 4;
  void *t = alloc(ps, c * elem);
  if (n)
    memcpy(t, v, n * elem);
  *cap = c;
  return t;
}

/* A keyword argument NAME=EXPR starts here (NAME, then '=')?  Only
   axis= exists (NumPy's spelling for the built-ins that take an axis). */
static int
keyword_here(Parser *ps)
{
  return peek_kind(ps) == GT_TOK_NAME
         && ps->toks[ps->pos + 1].kind == GT_TOK_ASSIGN;
}

/* axis=EXPR, the last argument of a call: the expression.  Other names,
   or a keyword where none is accepted (kw NULL: range, print), fail. */
static GtExpr *
keyword_arg(Parser *ps, int *kw)
{
  const GtToken *nm = next(ps);
  if (nm->span.len != 4 || memcmp(ps->src->text + nm->span.off, "axis", 4))
    fail_at(ps, nm->span, "unknown keyword argument '%.*s' (the only one "
            "is axis=, of the built-ins that take an axis)",
            (int)nm->span.len, ps->src->text + nm->span.off);
  if (kw == NULL)
    fail_at(ps, nm->span, "no keyword argument is accepted here");
  next(ps);
  *kw = 1;
  GtExpr *e = parse_expr(ps);
  if (peek_kind(ps) == GT_TOK_COMMA)
    fail_at(ps, peek(ps)->span, "axis= must be the last argument");
  return e;
}

/* Arguments after '(' up to ')'; strings allowed when allow_str; a last
   axis=EXPR sets *kw when kw is not NULL (else it is an error). */
static GtExpr **
parse_args(Parser *ps, size_t *nargs, int allow_str, GtSpan *end, int *kw)
{
  GtExpr **args = NULL;
  size_t n = 0, cap = 0;
  if (peek_kind(ps) != GT_TOK_RPAREN) {
    for (;;) {
      if (n == 65535)
        fail_at(ps, peek(ps)->span, "too many arguments");
      args = grow(ps, args, n, &cap, sizeof *args);
      if (keyword_here(ps)) {
        args[n++] = keyword_arg(ps, kw);
        break;
      } else if (allow_str && peek_kind(ps) == GT_TOK_STRING) {
        const GtToken *t = next(ps);
        args[n++] = new_expr(ps, GT_EX_STR, t->span);
      } else
        args[n++] = parse_expr(ps);
      if (peek_kind(ps) != GT_TOK_COMMA)
        break;
      next(ps);
    }
  }
  if (peek_kind(ps) == GT_TOK_FOR)
    /* sum(x^2 for x in v): a Python habit */
    fail_at(ps, peek(ps)->span, "generator expressions are not part of the "
            "language: apply the function to the whole tensor (sum(v^2)) "
            "or write a for loop");
  if (peek_kind(ps) != GT_TOK_RPAREN)
    expected(ps, "',' or ')'");
  *end = next(ps)->span;
  if (args == NULL)
    args = alloc(ps, sizeof *args);
  *nargs = n;
  return args;
}

static GtExpr *
parse_primary(Parser *ps)
{
  const GtToken *t = peek(ps);
  switch (t->kind) {
  case GT_TOK_NUM:
    next(ps);
    return new_expr(ps, GT_EX_NUM, t->span);
  case GT_TOK_NAME: {
    next(ps);
    if (peek_kind(ps) == GT_TOK_LPAREN) {
      next(ps);
      size_t n;
      GtSpan end;
      int kw = 0;
      /* load("file") is the one call that takes a string */
      int str = t->span.len == 4
                && memcmp(ps->src->text + t->span.off, "load", 4) == 0;
      GtExpr **args = parse_args(ps, &n, str, &end, &kw);
      GtExpr *e = new_expr(ps, GT_EX_CALL, join(t->span, end));
      e->axis_kw = (uint8_t)kw;
      e->opspan = t->span;
      e->name = intern_tok(ps, t);
      e->args = args;
      e->nargs = (uint16_t)n;
      return e;
    }
    GtExpr *e = new_expr(ps, GT_EX_GLOBAL, t->span);
    e->name = intern_tok(ps, t);
    return e;
  }
  case GT_TOK_LPAREN: {
    next(ps);
    enter(ps, t->span);
    GtExpr *e = parse_expr(ps);
    ps->depth--;
    if (peek_kind(ps) != GT_TOK_RPAREN) {
      const GtToken *u = peek(ps);
      gt_diag_add(ps->diags, GT_SEV_ERROR, ps->src, here(ps),
                  u->kind == GT_TOK_EOF ? "expected ')' before end of file"
                                        : "expected ')' before '%.*s'",
                  (int)u->span.len, ps->src->text + u->span.off);
      gt_diag_add(ps->diags, GT_SEV_NOTE, ps->src, t->span,
                  "to match this '('");
      longjmp(ps->fail, 1);
    }
    GtSpan end = next(ps)->span;
    /* a literal keeps its own span: the interpreter reads its digits
       there (with the parentheses, (5.2) read as 0) */
    if (e->kind != GT_EX_NUM)
      e->span = join(t->span, end);
    return e;
  }
  case GT_TOK_LBRACK: {
    next(ps);
    enter(ps, t->span);
    GtExpr **elems = NULL;
    size_t n = 0, cap = 0;
    if (peek_kind(ps) != GT_TOK_RBRACK)
      for (;;) {
        if (n == 65535)
          fail_at(ps, peek(ps)->span, "too many elements in one literal");
        elems = grow(ps, elems, n, &cap, sizeof *elems);
        elems[n++] = parse_expr(ps);
        if (peek_kind(ps) != GT_TOK_COMMA)
          break;
        next(ps);
      }
    GtSpan end = expect(ps, GT_TOK_RBRACK)->span;
    ps->depth--;
    GtExpr *e = new_expr(ps, GT_EX_TENSOR, join(t->span, end));
    e->args = elems ? elems : alloc(ps, sizeof *e->args);
    e->nargs = (uint16_t)n;
    return e;
  }
  case GT_TOK_STRING:
    fail_at(ps, t->span, "strings are only allowed in print and assert");
  default:
    expected(ps, "an expression");
  }
}

static GtExpr *parse_unary(Parser *ps);

static int
item_ends(Parser *ps)
{
  GtTokKind k = peek_kind(ps);
  return k == GT_TOK_COMMA || k == GT_TOK_RBRACK || k == GT_TOK_COLON;
}

/* One index item: an expression, or a slice start:stop:step with any part
   left out. */
static GtExpr *
parse_item(Parser *ps)
{
  GtSpan sp = peek(ps)->span;
  GtExpr *start = item_ends(ps) ? NULL : parse_expr(ps);
  if (peek_kind(ps) != GT_TOK_COLON) {
    if (start == NULL)
      expected(ps, "an index");
    return start;
  }
  GtExpr *sl = new_expr(ps, GT_EX_SLICE, sp);
  sl->nargs = 3;
  sl->args = alloc(ps, 3 * sizeof *sl->args);
  sl->args[0] = start;
  next(ps);
  sl->args[1] = item_ends(ps) ? NULL : parse_expr(ps);
  if (peek_kind(ps) == GT_TOK_COLON) {
    next(ps);
    if (peek_kind(ps) != GT_TOK_COMMA && peek_kind(ps) != GT_TOK_RBRACK)
      sl->args[2] = parse_expr(ps);
  }
  sl->span = join(sp, ps->toks[ps->pos - 1].span);
  return sl;
}

/* base[items]: indexing and slicing, as NumPy's */
static GtExpr *
parse_index(Parser *ps, GtExpr *base)
{
  const GtToken *open = next(ps);
  enter(ps, open->span);
  GtExpr **items = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == GT_MAX_RANK)
      fail_at(ps, peek(ps)->span, "at most %d indices", GT_MAX_RANK);
    items = grow(ps, items, n, &cap, sizeof *items);
    items[n++] = parse_item(ps);
    if (peek_kind(ps) != GT_TOK_COMMA)
      break;
    next(ps);
  }
  GtSpan end = expect(ps, GT_TOK_RBRACK)->span;
  ps->depth--;
  GtExpr *e = new_expr(ps, GT_EX_INDEX, join(base->span, end));
  e->opspan = open->span;
  e->nargs = (uint16_t)(n + 1);
  e->args = alloc(ps, (n + 1) * sizeof *e->args);
  e->args[0] = base;
  memcpy(e->args + 1, items, n * sizeof *items);
  return e;
}

static GtExpr *
parse_power(Parser *ps)
{
  GtExpr *base = parse_primary(ps);
  while (peek_kind(ps) == GT_TOK_LBRACK)
    base = parse_index(ps, base);
  if (peek_kind(ps) == GT_TOK_CARET) {
    GtSpan opspan = next(ps)->span;
    enter(ps, opspan);
    GtExpr *ex = parse_unary(ps); /* right-associative; 2^-1 is allowed */
    ps->depth--;
    return op_expr(ps, GT_OP_POW, opspan, base, ex);
  }
  return base;
}

static GtExpr *
parse_unary(Parser *ps)
{
  GtTokKind k = peek_kind(ps);
  if (k == GT_TOK_MINUS || k == GT_TOK_PLUS) {
    GtSpan opspan = next(ps)->span;
    enter(ps, opspan);
    GtExpr *a = parse_unary(ps);
    ps->depth--;
    if (k == GT_TOK_PLUS) {
      a->span = join(opspan, a->span);
      return a;
    }
    return op_expr(ps, GT_OP_NEG, opspan, a, NULL);
  }
  return parse_power(ps);
}

static GtExpr *
parse_mul(Parser *ps)
{
  GtExpr *a = parse_unary(ps);
  for (;;) {
    GtTokKind k = peek_kind(ps);
    GtOp op;
    if (k == GT_TOK_STAR)
      op = GT_OP_MUL;
    else if (k == GT_TOK_SLASH)
      op = GT_OP_DIV;
    else if (k == GT_TOK_DSLASH)
      op = GT_OP_FLOORDIV;
    else if (k == GT_TOK_PERCENT)
      op = GT_OP_MOD;
    else if (k == GT_TOK_AT) {
      /* a @ b is matmul(a, b) */
      GtSpan opspan = next(ps)->span;
      GtExpr *b = parse_unary(ps);
      GtExpr *e = new_expr(ps, GT_EX_TFUNC, join(a->span, b->span));
      e->op = GT_TF_MATMUL;
      e->opspan = opspan;
      e->nargs = 2;
      e->args = alloc(ps, 2 * sizeof *e->args);
      e->args[0] = a;
      e->args[1] = b;
      a = e;
      continue;
    } else
      return a;
    GtSpan opspan = next(ps)->span;
    GtExpr *b = parse_unary(ps);
    a = op_expr(ps, op, opspan, a, b);
  }
}

static GtExpr *
parse_add(Parser *ps)
{
  GtExpr *a = parse_mul(ps);
  for (;;) {
    GtTokKind k = peek_kind(ps);
    if (k != GT_TOK_PLUS && k != GT_TOK_MINUS)
      return a;
    GtSpan opspan = next(ps)->span;
    GtExpr *b = parse_mul(ps);
    a = op_expr(ps, k == GT_TOK_PLUS ? GT_OP_ADD : GT_OP_SUB, opspan, a, b);
  }
}

static int
cmp_op(GtTokKind k, GtOp *op)
{
  switch (k) {
  case GT_TOK_EQ: *op = GT_OP_EQ; return 1;
  case GT_TOK_NE: *op = GT_OP_NE; return 1;
  case GT_TOK_LT: *op = GT_OP_LT; return 1;
  case GT_TOK_LE: *op = GT_OP_LE; return 1;
  case GT_TOK_GT: *op = GT_OP_GT; return 1;
  case GT_TOK_GE: *op = GT_OP_GE; return 1;
  default: return 0;
  }
}

static GtExpr *
parse_cmp(Parser *ps)
{
  GtExpr *a = parse_add(ps);
  GtOp op;
  if (!cmp_op(peek_kind(ps), &op))
    return a;
  GtSpan opspan = next(ps)->span;
  GtExpr *b = parse_add(ps);
  GtOp op2;
  if (cmp_op(peek_kind(ps), &op2))
    fail_at(ps, peek(ps)->span,
            "comparisons do not chain; write 'a < b and b < c'");
  return op_expr(ps, op, opspan, a, b);
}

static GtExpr *
parse_not(Parser *ps)
{
  if (peek_kind(ps) == GT_TOK_NOT) {
    GtSpan opspan = next(ps)->span;
    enter(ps, opspan);
    GtExpr *a = parse_not(ps);
    ps->depth--;
    return op_expr(ps, GT_OP_NOT, opspan, a, NULL);
  }
  return parse_cmp(ps);
}

static GtExpr *
logic_expr(Parser *ps, GtExprKind kind, GtSpan opspan, GtExpr *a, GtExpr *b)
{
  GtExpr *e = new_expr(ps, kind, join(a->span, b->span));
  e->opspan = opspan;
  e->nargs = 2;
  e->args = alloc(ps, 2 * sizeof *e->args);
  e->args[0] = a;
  e->args[1] = b;
  return e;
}

static GtExpr *
parse_and(Parser *ps)
{
  GtExpr *a = parse_not(ps);
  while (peek_kind(ps) == GT_TOK_AND) {
    GtSpan opspan = next(ps)->span;
    a = logic_expr(ps, GT_EX_AND, opspan, a, parse_not(ps));
  }
  return a;
}

static GtExpr *
parse_or(Parser *ps)
{
  GtExpr *a = parse_and(ps);
  while (peek_kind(ps) == GT_TOK_OR) {
    GtSpan opspan = next(ps)->span;
    a = logic_expr(ps, GT_EX_OR, opspan, a, parse_and(ps));
  }
  return a;
}

/* An expression: A or A if C else E, Python's conditional expression,
   the lowest precedence (A and C are or-expressions; E another
   conditional, so a if c else b if d else e groups to the right).  args:
   A, C, E. */
static GtExpr *
parse_expr(Parser *ps)
{
  enter(ps, peek(ps)->span);
  GtExpr *a = parse_or(ps);
  if (peek_kind(ps) == GT_TOK_IF) {
    const GtToken *q = next(ps);
    GtExpr *c = parse_or(ps);
    if (peek_kind(ps) != GT_TOK_ELSE) {
      const GtToken *u = peek(ps);
      gt_diag_add(ps->diags, GT_SEV_ERROR, ps->src, here(ps),
                  u->kind == GT_TOK_EOF
                      ? "expected 'else' before end of file"
                      : u->kind == GT_TOK_NEWLINE
                            ? "expected 'else' at end of line"
                            : "expected 'else' before '%.*s'",
                  (int)u->span.len, ps->src->text + u->span.off);
      gt_diag_add(ps->diags, GT_SEV_NOTE, ps->src, q->span,
                  "a conditional expression is 'a if c else b'");
      longjmp(ps->fail, 1);
    }
    next(ps);
    GtExpr *b = parse_expr(ps);
    GtExpr *e = new_expr(ps, GT_EX_COND, join(a->span, b->span));
    e->opspan = q->span;
    e->nargs = 3;
    e->args = alloc(ps, 3 * sizeof *e->args);
    e->args[0] = a;
    e->args[1] = c;
    e->args[2] = b;
    a = e;
  }
  ps->depth--;
  return a;
}

/* ---- statements -------------------------------------------------------- */

static GtStmt *
new_stmt(Parser *ps, GtStmtKind kind, GtSpan sp)
{
  GtStmt *s = alloc(ps, sizeof *s);
  s->kind = kind;
  s->span = sp;
  s->slot = -1;
  s->input_index = -1;
  return s;
}

static void parse_block(Parser *ps, GtBlock *b);

static void
skip_newlines(Parser *ps)
{
  while (peek_kind(ps) == GT_TOK_NEWLINE || peek_kind(ps) == GT_TOK_SEMI)
    next(ps);
}

/* The end of a simple statement: newline, ';', '}' or end of file. */
static void
end_stmt(Parser *ps)
{
  GtTokKind k = peek_kind(ps);
  if (k == GT_TOK_NEWLINE || k == GT_TOK_SEMI)
    next(ps);
  else if (k != GT_TOK_RBRACE && k != GT_TOK_EOF)
    expected(ps, "';' or a newline");
}

static const GtToken *
expect_name(Parser *ps, const char *what)
{
  if (peek_kind(ps) != GT_TOK_NAME) {
    const GtToken *t = peek(ps);
    if (t->kind >= GT_TOK_IF && t->kind <= GT_TOK_NOT)
      fail_at(ps, t->span, "'%.*s' is a keyword and cannot be used as %s",
              (int)t->span.len, ps->src->text + t->span.off, what);
    expected(ps, what);
  }
  return next(ps);
}

/* input NAME [= default] */
static GtStmt *
input_stmt(Parser *ps, const GtToken *t, int top)
{
  next(ps);
  if (!top)
    fail_at(ps, t->span, "'input' is only allowed at the top level");
  const GtToken *nm = expect_name(ps, "an input name");
  GtStmt *s = new_stmt(ps, GT_ST_INPUT, t->span);
  s->name = intern_tok(ps, nm);
  s->namespan = nm->span;
  if (peek_kind(ps) == GT_TOK_ASSIGN) {
    next(ps);
    s->expr = parse_expr(ps);
    s->span = join(t->span, s->expr->span);
  } else
    s->span = join(t->span, nm->span);
  end_stmt(ps);
  return s;
}

/* output NAME, ... */
static GtStmt *
output_stmt(Parser *ps, const GtToken *t)
{
  next(ps);
  if (ps->in_func)
    fail_at(ps, t->span, "'output' is only allowed outside functions");
  GtExpr **names = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    const GtToken *nm = expect_name(ps, "an output name");
    GtExpr *e = new_expr(ps, GT_EX_GLOBAL, nm->span);
    e->name = intern_tok(ps, nm);
    names = grow(ps, names, n, &cap, sizeof *names);
    names[n++] = e;
    if (peek_kind(ps) != GT_TOK_COMMA)
      break;
    next(ps);
  }
  GtStmt *s = new_stmt(ps, GT_ST_OUTPUT, join(t->span, names[n - 1]->span));
  s->args = names;
  s->nargs = n;
  end_stmt(ps);
  return s;
}

/* if COND BLOCK (elif COND BLOCK)* [else BLOCK]: the elif conditions in
   args, their blocks in elifs */
static GtStmt *
if_stmt(Parser *ps, const GtToken *t)
{
  next(ps);
  GtStmt *s = new_stmt(ps, GT_ST_IF, t->span);
  s->expr = parse_expr(ps);
  parse_block(ps, &s->body);
  GtExpr **conds = NULL;
  GtBlock *bodies = NULL;
  size_t n = 0, ccap = 0, bcap = 0;
  for (;;) {
    size_t save = ps->pos;
    while (peek_kind(ps) == GT_TOK_NEWLINE)
      next(ps);
    if (peek_kind(ps) == GT_TOK_ELIF) {
      next(ps);
      conds = grow(ps, conds, n, &ccap, sizeof *conds);
      bodies = grow(ps, bodies, n, &bcap, sizeof *bodies);
      conds[n] = parse_expr(ps);
      parse_block(ps, &bodies[n]);
      n++;
    } else if (peek_kind(ps) == GT_TOK_ELSE) {
      next(ps);
      if (peek_kind(ps) == GT_TOK_IF)
        fail_at(ps, peek(ps)->span, "use 'elif' instead of 'else if'");
      parse_block(ps, &s->orelse);
      s->has_else = 1;
      break;
    } else {
      ps->pos = save;
      break;
    }
  }
  s->nargs = n;
  s->args = conds;
  s->elifs = bodies;
  return s;
}

/* for NAME in range(ARGS) BLOCK, or for NAME in EXPR BLOCK (over the
   first axis of a tensor: the expression in expr, no args) */
static GtStmt *
for_stmt(Parser *ps, const GtToken *t)
{
  next(ps);
  const GtToken *nm = expect_name(ps, "a loop variable");
  GtStmt *s = new_stmt(ps, GT_ST_FOR, t->span);
  s->site = new_expr(ps, GT_EX_STR, t->span)->id;
  s->name = intern_tok(ps, nm);
  s->namespan = nm->span;
  expect(ps, GT_TOK_IN);
  const GtToken *r = peek(ps);
  if (r->kind != GT_TOK_NAME || r->span.len != 5
      || memcmp(ps->src->text + r->span.off, "range", 5) != 0
      || ps->toks[ps->pos + 1].kind != GT_TOK_LPAREN) {
    if (r->kind == GT_TOK_LBRACE)
      expected(ps, "'range(...)' or a tensor");
    s->expr = parse_expr(ps);
    s->span = join(t->span, s->expr->span);
    ps->loops++;
    parse_block(ps, &s->body);
    ps->loops--;
    return s;
  }
  next(ps);
  expect(ps, GT_TOK_LPAREN);
  GtSpan end;
  s->args = parse_args(ps, &s->nargs, 0, &end, NULL);
  if (s->nargs < 1 || s->nargs > 3)
    fail_at(ps, join(r->span, end),
            "range takes 1 to 3 arguments, not %zu", s->nargs);
  s->span = join(t->span, end);
  ps->loops++;
  parse_block(ps, &s->body);
  ps->loops--;
  return s;
}

/* while COND BLOCK */
static GtStmt *
while_stmt(Parser *ps, const GtToken *t)
{
  next(ps);
  GtStmt *s = new_stmt(ps, GT_ST_WHILE, t->span);
  s->site = new_expr(ps, GT_EX_STR, t->span)->id;
  s->expr = parse_expr(ps);
  s->span = join(t->span, s->expr->span);
  ps->loops++;
  parse_block(ps, &s->body);
  ps->loops--;
  return s;
}

/* break, continue, return [VALUE] */
static GtStmt *
jump_stmt(Parser *ps, const GtToken *t)
{
  next(ps);
  GtStmt *s;
  if (t->kind == GT_TOK_RETURN) {
    if (!ps->in_func)
      fail_at(ps, t->span, "'return' outside a function");
    s = new_stmt(ps, GT_ST_RETURN, t->span);
    if (peek_kind(ps) != GT_TOK_NEWLINE && peek_kind(ps) != GT_TOK_SEMI
        && peek_kind(ps) != GT_TOK_RBRACE && peek_kind(ps) != GT_TOK_EOF) {
      s->expr = parse_expr(ps);
      s->span = join(t->span, s->expr->span);
    }
  } else {
    if (ps->loops == 0)
      fail_at(ps, t->span, "'%s' outside a loop",
              t->kind == GT_TOK_BREAK ? "break" : "continue");
    s = new_stmt(ps, t->kind == GT_TOK_BREAK ? GT_ST_BREAK : GT_ST_CONTINUE,
                 t->span);
  }
  end_stmt(ps);
  return s;
}

/* assert COND [, "message"] */
static GtStmt *
assert_stmt(Parser *ps, const GtToken *t)
{
  next(ps);
  GtStmt *s = new_stmt(ps, GT_ST_ASSERT, t->span);
  s->expr = parse_expr(ps);
  s->span = join(t->span, s->expr->span);
  if (peek_kind(ps) == GT_TOK_COMMA) {
    next(ps);
    const GtToken *m = expect(ps, GT_TOK_STRING);
    s->args = alloc(ps, sizeof *s->args);
    s->args[0] = new_expr(ps, GT_EX_STR, m->span);
    s->nargs = 1;
  }
  end_stmt(ps);
  return s;
}

/* print(ARGS), strings allowed */
static GtStmt *
print_stmt(Parser *ps, const GtToken *t)
{
  next(ps);
  expect(ps, GT_TOK_LPAREN);
  GtSpan end;
  GtStmt *s = new_stmt(ps, GT_ST_PRINT, t->span);
  s->args = parse_args(ps, &s->nargs, 1, &end, NULL);
  s->span = join(t->span, end);
  end_stmt(ps);
  return s;
}

/* Is k an assignment operator?  *op: the operation of `y op= e`, or
   GT_OP_COUNT for plain `=`. */
static int
assign_op(GtTokKind k, GtOp *op)
{
  switch (k) {
  case GT_TOK_ASSIGN: *op = GT_OP_COUNT; return 1;
  case GT_TOK_PLUSEQ: *op = GT_OP_ADD; return 1;
  case GT_TOK_MINUSEQ: *op = GT_OP_SUB; return 1;
  case GT_TOK_STAREQ: *op = GT_OP_MUL; return 1;
  case GT_TOK_SLASHEQ: *op = GT_OP_DIV; return 1;
  case GT_TOK_DSLASHEQ: *op = GT_OP_FLOORDIV; return 1;
  default: return 0;
  }
}

/* An expression statement, or an assignment to elements x[i] = e (the
   target is parsed as an expression first). */
static GtStmt *
expr_stmt(Parser *ps, const GtToken *t)
{
  GtStmt *s = new_stmt(ps, GT_ST_EXPR, t->span);
  s->expr = parse_expr(ps);
  s->span = s->expr->span;
  GtOp aop;
  if (!assign_op(peek_kind(ps), &aop)) {
    end_stmt(ps);
    return s;
  }
  GtExpr *target = s->expr;
  if (target->kind != GT_EX_INDEX || target->args[0]->kind != GT_EX_GLOBAL
      || target->args[0]->slot >= 0)
    fail_at(ps, target->span, "cannot assign to this expression");
  /* x[i] = e sets elements of x: x becomes a new value */
  GtSpan opspan = next(ps)->span;
  GtExpr *value = parse_expr(ps);
  if (aop != GT_OP_COUNT)
    value = op_expr(ps, aop, opspan, target, value);
  s->kind = GT_ST_ASSIGN;
  s->name = target->args[0]->name;
  s->namespan = target->args[0]->span;
  s->args = target->args + 1;
  s->nargs = (size_t)target->nargs - 1;
  s->expr = value;
  /* the value reads the old x (x[i] += e): keep the base for that */
  s->span = join(target->span, value->span);
  end_stmt(ps);
  return s;
}

/* NAME op= VALUE, else an expression statement */
static GtStmt *
name_stmt(Parser *ps, const GtToken *t)
{
  GtOp aop;
  if (!assign_op(ps->toks[ps->pos + 1].kind, &aop))
    return expr_stmt(ps, t);
  next(ps);
  GtSpan opspan = next(ps)->span;
  GtStmt *s = new_stmt(ps, GT_ST_ASSIGN, t->span);
  s->name = intern_tok(ps, t);
  s->namespan = t->span;
  s->expr = parse_expr(ps);
  if (aop != GT_OP_COUNT) {
    /* y += e is y = y + e */
    GtExpr *y = new_expr(ps, GT_EX_GLOBAL, t->span);
    y->name = s->name;
    s->expr = op_expr(ps, aop, opspan, y, s->expr);
  }
  s->span = join(t->span, s->expr->span);
  end_stmt(ps);
  return s;
}

/* One statement, by its first token (as Lua's statement()). */
static GtStmt *
parse_stmt(Parser *ps, int top)
{
  const GtToken *t = peek(ps);
  switch (t->kind) {
  case GT_TOK_INPUT:
    return input_stmt(ps, t, top);
  case GT_TOK_OUTPUT:
    return output_stmt(ps, t);
  case GT_TOK_IF:
    return if_stmt(ps, t);
  case GT_TOK_FOR:
    return for_stmt(ps, t);
  case GT_TOK_WHILE:
    return while_stmt(ps, t);
  case GT_TOK_BREAK:
  case GT_TOK_CONTINUE:
  case GT_TOK_RETURN:
    return jump_stmt(ps, t);
  case GT_TOK_ASSERT:
    return assert_stmt(ps, t);
  case GT_TOK_PRINT:
    return print_stmt(ps, t);
  case GT_TOK_DEF:
    fail_at(ps, t->span, "functions can only be defined at the top level");
  case GT_TOK_ELIF:
  case GT_TOK_ELSE:
    fail_at(ps, t->span, "'%s' without a matching 'if'",
            t->kind == GT_TOK_ELIF ? "elif" : "else");
  case GT_TOK_NAME:
    return name_stmt(ps, t);
  default:
    return expr_stmt(ps, t);
  }
}

static GtStmt **
push_stmt(Parser *ps, GtStmt **v, size_t *n, size_t *cap, GtStmt *s)
{
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 8;
    GtStmt **t = alloc(ps, c * sizeof *t);
    if (v != NULL)
      memcpy(t, v, *n * sizeof *t);
    v = t;
    *cap = c;
  }
  v[(*n)++] = s;
  return v;
}

static void
parse_block(Parser *ps, GtBlock *b)
{
  const GtToken *open = peek(ps);
  if (open->kind != GT_TOK_LBRACE)
    expected(ps, "'{'");
  next(ps);
  enter(ps, open->span);
  GtStmt **v = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    skip_newlines(ps);
    if (peek_kind(ps) == GT_TOK_RBRACE)
      break;
    if (peek_kind(ps) == GT_TOK_EOF) {
      gt_diag_add(ps->diags, GT_SEV_ERROR, ps->src, here(ps),
                  "expected '}' before end of file");
      gt_diag_add(ps->diags, GT_SEV_NOTE, ps->src, open->span,
                  "the block opened here is not closed");
      longjmp(ps->fail, 1);
    }
    v = push_stmt(ps, v, &n, &cap, parse_stmt(ps, 0));
  }
  next(ps);
  ps->depth--;
  b->stmts = v;
  b->n = n;
}

static void
parse_def(Parser *ps)
{
  const GtToken *d = next(ps);
  const GtToken *nm = expect_name(ps, "a function name");
  GtProgram *p = ps->p;
  uint32_t name = intern_tok(ps, nm);
  if (name < ps->nfidx && ps->fidx[name] >= 0)
    fail_at(ps, nm->span, "function '%s' is defined twice",
            p->names->text[name]);
  if (name >= ps->nfidx) {
    /* a bigger map in the arena (the old one stays there): O(1)
       amortised per name */
    size_t n = ps->nfidx * 2 > name + 1 ? ps->nfidx * 2 : name + 1;
    int32_t *t = alloc(ps, n * sizeof *t);
    memset(t, 0xff, n * sizeof *t);
    if (ps->nfidx)
      memcpy(t, ps->fidx, ps->nfidx * sizeof *t);
    ps->fidx = t;
    ps->nfidx = n;
  }
  expect(ps, GT_TOK_LPAREN);
  uint32_t params[256];
  size_t np = 0;
  if (peek_kind(ps) != GT_TOK_RPAREN)
    for (;;) {
      const GtToken *pt = expect_name(ps, "a parameter name");
      uint32_t pn = intern_tok(ps, pt);
      for (size_t i = 0; i < np; i++)
        if (params[i] == pn)
          fail_at(ps, pt->span, "duplicate parameter '%s'",
                  p->names->text[pn]);
      if (np == 256)
        fail_at(ps, pt->span, "too many parameters");
      params[np++] = pn;
      if (peek_kind(ps) != GT_TOK_COMMA)
        break;
      next(ps);
    }
  expect(ps, GT_TOK_RPAREN);
  if (p->nfuncs == p->funccap) {
    size_t cap = p->funccap ? p->funccap * 2 : 8;
    GtFunc *t = realloc(p->funcs, cap * sizeof *t);
    if (t == NULL)
      oom(ps);
    p->funcs = t;
    p->funccap = cap;
  }
  GtFunc *fs = p->funcs;
  size_t fi = p->nfuncs++;
  ps->fidx[name] = (int32_t)fi;
  memset(&fs[fi], 0, sizeof fs[fi]);
  fs[fi].name = name;
  fs[fi].span = nm->span;
  fs[fi].nparams = np;
  fs[fi].params = alloc(ps, (np ? np : 1) * sizeof *fs[fi].params);
  memcpy(fs[fi].params, params, np * sizeof *params);
  (void)d;
  ps->in_func = 1;
  GtBlock body;
  parse_block(ps, &body);
  ps->in_func = 0;
  p->funcs[fi].body = body; /* p->funcs may have moved: index again */
}

/* ---- entry ------------------------------------------------------------- */

/* The whole parse; errors jump to ps->fail. */
/* The passes after the parse (resolution, the interpreter) recurse once per
   level of an expression tree, except along a chain such as 1+1+...+1,
   which the parser builds by a loop into a tree as deep as it is long and
   every walker follows by a loop (gt_expr_is_link): the links of a chain
   count here as one level.  Nesting is limited while parsing, but not
   every deep tree is nested (x[1][1]..., a @ b @ ..., min/max with many
   arguments), so the depth of every tree is checked here, without
   recursion, before anything walks it.  GT_MAX_TREE levels take about
   3 MB of C stack in the deepest walker (130 bytes a level; 320 with
   AddressSanitizer), within the 4 MB the command line keeps in reserve.
   Cost: O(expressions). */
static void
check_tree_depth(Parser *ps)
{
  GtProgram *p = ps->p;
  uint32_t *depth = calloc(p->nexprs + 1, sizeof *depth);
  uint32_t *stack = malloc((p->nexprs + 1) * sizeof *stack);
  if (depth == NULL || stack == NULL) {
    free(depth);
    free(stack);
    oom(ps);
  }
  const GtExpr *deep = NULL;
  for (size_t root = 1; root < p->nexprs && deep == NULL; root++) {
    if (depth[root])
      continue;
    size_t sp = 0;
    stack[sp++] = (uint32_t)root;
    while (sp > 0) {
      const GtExpr *e = p->exprs[stack[sp - 1]];
      uint32_t d = 0;
      int ready = 1;
      for (int k = 0; k < e->nargs; k++) {
        if (e->args[k] == NULL)
          continue; /* a slice's missing bound */
        uint32_t c = e->args[k]->id;
        if (depth[c] == 0) {   /* a tree: each child is pushed once */
          stack[sp++] = c;
          ready = 0;
        } else {
          /* resolution turns min(a, b, c, ...) into a chain as deep as
             the call has arguments: count calls so */
          uint32_t dc = depth[c];
          if (e->kind == GT_EX_CALL && e->nargs > 2)
            dc += (uint32_t)(e->nargs - k);
          else if (k == 0 && gt_expr_is_link(e) && gt_expr_is_link(e->args[0]))
            dc--; /* the next link of a chain: the same level */
          if (dc > d)
            d = dc;
        }
      }
      if (!ready)
        continue;
      depth[e->id] = d + 1;
      sp--;
      if (d + 1 > GT_MAX_TREE) {
        deep = e;
        break;
      }
    }
  }
  free(depth);
  free(stack);
  if (deep)
    fail_at(ps, deep->opspan, "expression more than %d operations deep "
            "(split it into several statements)", GT_MAX_TREE);
}

/* Makes the bare expression statement s bind its value to `name`, or
   when name is NULL to the expression's text with each run of blanks
   (newlines and comments included) made one space: "sin(x) + 1". */
static void
bare_output(Parser *ps, GtStmt *s, const char *name, size_t len)
{
  char *buf = NULL;
  if (name == NULL) {
    const char *t = ps->src->text + s->expr->span.off;
    size_t n = s->expr->span.len, k = 0;
    buf = malloc(n + 1);
    if (buf == NULL)
      oom(ps);
    for (size_t i = 0; i < n; i++) {
      char c = t[i];
      if (c == '#')
        while (i + 1 < n && t[i + 1] != '\n')
          i++;
      else if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        buf[k++] = c;
      else if (k > 0 && buf[k - 1] != ' ')
        buf[k++] = ' ';
    }
    while (k > 0 && buf[k - 1] == ' ')
      k--;
    name = buf;
    len = k;
  }
  s->kind = GT_ST_ASSIGN;
  s->bare = 1;
  s->name = gt_names_intern(ps->p->names, name, len);
  free(buf);
  if (s->name == UINT32_MAX)
    oom(ps);
  s->namespan = s->expr->span;
}

static void
parse_all(Parser *ps, int expr_only)
{
  GtProgram *p = ps->p;
  new_expr(ps, GT_EX_NUM, ps->toks[0].span); /* id 0 means "no site" */
  GtStmt **v = NULL;
  size_t n = 0, cap = 0;
  if (expr_only) {
    skip_newlines(ps);
    GtStmt *s = new_stmt(ps, GT_ST_EXPR, peek(ps)->span);
    s->expr = parse_expr(ps);
    skip_newlines(ps);
    if (peek_kind(ps) != GT_TOK_EOF)
      expected(ps, "end of expression");
    v = push_stmt(ps, v, &n, &cap, s);
    ps->in_func = -1;
  } else {
    for (;;) {
      skip_newlines(ps);
      if (peek_kind(ps) == GT_TOK_EOF)
        break;
      if (peek_kind(ps) == GT_TOK_DEF) {
        parse_def(ps);
        continue;
      }
      if (peek_kind(ps) == GT_TOK_RBRACE)
        fail_at(ps, peek(ps)->span, "unmatched '}'");
      v = push_stmt(ps, v, &n, &cap, parse_stmt(ps, 1));
    }
  }
  /* A top-level bare expression is an unnamed output: bound to its own
     text (or, for the last one, to the result name when one is given),
     a name no program can spell, and an output when it runs. */
  for (size_t i = 0; !expr_only && i < n; i++)
    if (v[i]->kind == GT_ST_EXPR) {
      if (i == n - 1 && ps->lo && ps->lo->result)
        bare_output(ps, v[i], ps->lo->result, strlen(ps->lo->result));
      else
        bare_output(ps, v[i], NULL, 0);
    }
  p->top.stmts = v;
  p->top.n = n;
  check_tree_depth(ps);
  if (!ps->shape_only) {
    GtResolveIn in = { .p = p, .src = ps->src, .srcid = ps->srcid,
                       .diags = ps->diags, .fail = &ps->fail,
                       .expr_only = ps->in_func < 0, .lo = ps->lo,
                       .fidx = ps->fidx, .nfidx = ps->nfidx,
                       .seed = ps->seed, .nseed = ps->nseed };
    gt_resolve(&in);
  }
}

GtProgram *
gt_parse(const GtSource *src, uint32_t srcid, GtNames *names,
         GtDiagList *diags, int expr_only)
{
  return gt_parse_with(src, srcid, names, diags, expr_only, NULL);
}

static GtProgram *
parse_program(const GtSource *src, uint32_t srcid, GtNames *names,
              GtDiagList *diags, int expr_only, const GtLoadOptions *lo,
              const int32_t *seed, size_t nseed)
{
  Parser ps = { .src = src, .srcid = srcid, .diags = diags, .lo = lo,
                .seed = seed, .nseed = nseed };
  ps.p = calloc(1, sizeof *ps.p);
  if (ps.p == NULL)
    return NULL;
  ps.p->names = names;
  ps.toks = gt_lex(src, srcid, diags, &ps.ntok);
  if (ps.toks == NULL) {
    gt_program_free(ps.p);
    return NULL;
  }
  if (setjmp(ps.fail)) {
    free(ps.toks);
    gt_program_free(ps.p);
    return NULL;
  }
  parse_all(&ps, expr_only);
  free(ps.toks);
  return ps.p;
}

GtProgram *
gt_parse_with(const GtSource *src, uint32_t srcid, GtNames *names,
              GtDiagList *diags, int expr_only, const GtLoadOptions *lo)
{
  return parse_program(src, srcid, names, diags, expr_only, lo, NULL, 0);
}

GtProgram *
gt_parse_seeded(const GtSource *src, uint32_t srcid, GtNames *names,
                GtDiagList *diags, const GtLoadOptions *lo,
                const int32_t *seed, size_t nseed)
{
  return parse_program(src, srcid, names, diags, 0, lo, seed, nseed);
}

/* ---- gt_text_shape: is a typed text complete? -------------------------- */

/* The top level of a program parsed without errors. */
static void
top_shape(const GtProgram *p, GtTextShape *sh)
{
  if (p->top.n == 0)
    return;
  const GtStmt *last = p->top.stmts[p->top.n - 1];
  int after_defs = p->nfuncs == 0
                   || p->funcs[p->nfuncs - 1].span.off < last->span.off;
  sh->last_expr = last->kind == GT_ST_ASSIGN && last->bare && after_defs;
  sh->only_expr = sh->last_expr && p->top.n == 1 && p->nfuncs == 0;
  sh->is_if = last->kind == GT_ST_IF && p->top.n == 1 && p->nfuncs == 0;
}

int
gt_text_shape(const char *text, size_t len, GtTextShape *sh)
{
  memset(sh, 0, sizeof *sh);
  sh->complete = 1;
  GtSource *src = gt_source_new("<shape>", text, len);
  GtNames names = { 0 };
  GtDiagList diags = { NULL, 0, 0 };
  Parser ps = { .src = src, .diags = &diags, .shape_only = 1 };
  int rc = -1;
  if (src == NULL || (ps.p = calloc(1, sizeof *ps.p)) == NULL)
    goto done;
  ps.p->names = &names;
  ps.toks = gt_lex(src, 0, &diags, &ps.ntok);
  rc = 0;
  if (ps.toks == NULL) /* a lexical error: complete, loading reports it */
    goto done;
  if (setjmp(ps.fail))
    /* stopped at the end of the text: more lines would continue it;
       out of memory counts as complete */
    sh->complete = peek_kind(&ps) != GT_TOK_EOF
                   || (diags.n > 0 && diags.items[diags.n - 1].file == NULL);
  else {
    parse_all(&ps, 0);
    top_shape(ps.p, sh);
  }
done:
  free(ps.toks);
  gt_program_free(ps.p);
  gt_names_free(&names);
  gt_diag_clear(&diags);
  free(diags.items);
  gt_source_free(src);
  return rc;
}

void
gt_program_free(GtProgram *p)
{
  if (p == NULL)
    return;
  free(p->funcs);
  free(p->exprs);
  free(p->global_name);
  free(p->inputs);
  gt_arena_free(&p->arena);
  free(p);
}

int32_t
gt_program_global(const GtProgram *p, const char *name)
{
  uint32_t id = gt_names_find(p->names, name, strlen(name));
  return id < p->nnamed ? p->name_global[id] : -1;
}

long
gt_program_input(const GtProgram *p, const char *name)
{
  uint32_t id = gt_names_find(p->names, name, strlen(name));
  return id < p->nnamed ? p->name_input[id] : -1;
}
