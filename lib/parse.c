/* parse.c -- tokens to a syntax tree whose names are resolved to slots.
 *
 * Recursive descent, one function per precedence level (lowest first):
 *   or, and, not, comparison (not chained), + -, * / % @, unary + -,
 *   ^ (right-associative, its right operand may carry a sign), postfix
 *   calls, primary.
 * After the parse, a resolution pass gives every name a slot: top-level
 * names are globals; in a function, parameters and names assigned in its
 * body are locals and every other name reads the global of that name.
 * The interpreter then never looks a name up by string.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define GT_MAX_NEST 1000 /* nesting of expressions and blocks */
#define GT_MAX_TREE 25000 /* depth of an expression tree (a chain's links
                             count as one level) */

/* ---- interned names ---------------------------------------------------- */

/* FNV-1a over the bytes, then a final mix so that the low bits, which
   pick the slot, depend on every byte.  Cost O(len). */
static uint64_t
name_hash(const char *s, size_t len)
{
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3u;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 33;
  return h;
}

/* Is the interned text t the name s[0..len)?  (strncmp stops at t's end,
   so a shorter t is never read past.) */
static int
same_name(const char *t, const char *s, size_t len)
{
  return strncmp(t, s, len) == 0 && t[len] == '\0';
}

/* A slot holds the id + 1 in its low 32 bits (0: empty) and the high
   half of the name's hash above, so that a probe compares texts only
   when the hashes agree. */
#define SLOT_ID(x) ((uint32_t)(x))

/* The table slot holding s (hash h), or the empty slot where it would go. */
static size_t
name_slot(const GtNames *names, const char *s, size_t len, uint64_t h)
{
  size_t mask = names->nslots - 1;
  size_t i = (size_t)h & mask;
  uint64_t tag = h & 0xffffffff00000000u;
  for (;; i = (i + 1) & mask) {
    uint64_t x = names->slots[i];
    if (x == 0)
      return i;
    if ((x & 0xffffffff00000000u) == tag
        && same_name(names->text[SLOT_ID(x) - 1], s, len))
      return i;
  }
}

uint32_t
gt_names_find(const GtNames *names, const char *s, size_t len)
{
  if (names->nslots == 0)
    return UINT32_MAX;
  uint64_t x = names->slots[name_slot(names, s, len, name_hash(s, len))];
  return x ? SLOT_ID(x) - 1 : UINT32_MAX;
}

/* Doubles the table (amortised O(1) per name). */
static int
rehash(GtNames *names)
{
  size_t ns = names->nslots ? names->nslots * 2 : 256;
  uint64_t *t = calloc(ns, sizeof *t);
  if (t == NULL)
    return -1;
  for (size_t i = 0; i < names->nslots; i++) {
    /* the names are distinct: each goes to the first empty slot */
    uint64_t x = names->slots[i];
    if (x == 0)
      continue;
    const char *nm = names->text[SLOT_ID(x) - 1];
    size_t j = (size_t)name_hash(nm, strlen(nm)) & (ns - 1);
    while (t[j] != 0)
      j = (j + 1) & (ns - 1);
    t[j] = x;
  }
  free(names->slots);
  names->slots = t;
  names->nslots = ns;
  return 0;
}

uint32_t
gt_names_intern(GtNames *names, const char *s, size_t len)
{
  uint32_t id = gt_names_find(names, s, len);
  if (id != UINT32_MAX)
    return id;
  if (names->n >= UINT32_MAX - 1)
    return UINT32_MAX;
  if ((names->n + 1) * 2 > names->nslots && rehash(names) != 0)
    return UINT32_MAX;
  if (names->n == names->cap) {
    size_t cap = names->cap ? names->cap * 2 : 64;
    char **t = realloc(names->text, cap * sizeof *t);
    if (t == NULL)
      return UINT32_MAX;
    names->text = t;
    names->cap = cap;
  }
  char *copy = gt_arena_strndup(&names->arena, s, len);
  if (copy == NULL)
    return UINT32_MAX;
  uint64_t h = name_hash(s, len);
  names->text[names->n] = copy;
  names->slots[name_slot(names, s, len, h)] =
      (h & 0xffffffff00000000u) | ((uint64_t)names->n + 1);
  return (uint32_t)names->n++;
}

void
gt_names_free(GtNames *names)
{
  free(names->text);
  free(names->slots);
  gt_arena_free(&names->arena);
  memset(names, 0, sizeof *names);
}

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
  int32_t *fidx;    /* by interned name: index in p->funcs, or -1 */
  size_t nfidx;     /* names fidx covers */
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

/* Arguments after '(' up to ')'; strings allowed when allow_str. */
static GtExpr **
parse_args(Parser *ps, size_t *nargs, int allow_str, GtSpan *end)
{
  GtExpr **args = NULL;
  size_t n = 0, cap = 0;
  if (peek_kind(ps) != GT_TOK_RPAREN) {
    for (;;) {
      if (n == 65535)
        fail_at(ps, peek(ps)->span, "too many arguments");
      args = grow(ps, args, n, &cap, sizeof *args);
      if (allow_str && peek_kind(ps) == GT_TOK_STRING) {
        const GtToken *t = next(ps);
        args[n++] = new_expr(ps, GT_EX_STR, t->span);
      } else
        args[n++] = parse_expr(ps);
      if (peek_kind(ps) != GT_TOK_COMMA)
        break;
      next(ps);
    }
  }
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
      GtExpr **args = parse_args(ps, &n, 0, &end);
      GtExpr *e = new_expr(ps, GT_EX_CALL, join(t->span, end));
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
parse_expr(Parser *ps)
{
  enter(ps, peek(ps)->span);
  GtExpr *a = parse_and(ps);
  while (peek_kind(ps) == GT_TOK_OR) {
    GtSpan opspan = next(ps)->span;
    a = logic_expr(ps, GT_EX_OR, opspan, a, parse_and(ps));
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

static GtStmt *
parse_stmt(Parser *ps, int top)
{
  const GtToken *t = peek(ps);
  GtStmt *s;
  switch (t->kind) {
  case GT_TOK_INPUT: {
    next(ps);
    if (!top)
      fail_at(ps, t->span, "'input' is only allowed at the top level");
    const GtToken *nm = expect_name(ps, "an input name");
    s = new_stmt(ps, GT_ST_INPUT, t->span);
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
  case GT_TOK_OUTPUT: {
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
    s = new_stmt(ps, GT_ST_OUTPUT, join(t->span, names[n - 1]->span));
    s->args = names;
    s->nargs = n;
    end_stmt(ps);
    return s;
  }
  case GT_TOK_IF: {
    next(ps);
    s = new_stmt(ps, GT_ST_IF, t->span);
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
  case GT_TOK_FOR: {
    next(ps);
    const GtToken *nm = expect_name(ps, "a loop variable");
    s = new_stmt(ps, GT_ST_FOR, t->span);
    s->site = new_expr(ps, GT_EX_STR, t->span)->id;
    s->name = intern_tok(ps, nm);
    s->namespan = nm->span;
    expect(ps, GT_TOK_IN);
    const GtToken *r = peek(ps);
    if (r->kind != GT_TOK_NAME || r->span.len != 5
        || memcmp(ps->src->text + r->span.off, "range", 5) != 0)
      expected(ps, "'range'");
    next(ps);
    expect(ps, GT_TOK_LPAREN);
    GtSpan end;
    s->args = parse_args(ps, &s->nargs, 0, &end);
    if (s->nargs < 1 || s->nargs > 3)
      fail_at(ps, join(r->span, end),
              "range takes 1 to 3 arguments, not %zu", s->nargs);
    s->span = join(t->span, end);
    ps->loops++;
    parse_block(ps, &s->body);
    ps->loops--;
    return s;
  }
  case GT_TOK_WHILE:
    next(ps);
    s = new_stmt(ps, GT_ST_WHILE, t->span);
    s->site = new_expr(ps, GT_EX_STR, t->span)->id;
    s->expr = parse_expr(ps);
    s->span = join(t->span, s->expr->span);
    ps->loops++;
    parse_block(ps, &s->body);
    ps->loops--;
    return s;
  case GT_TOK_BREAK:
  case GT_TOK_CONTINUE:
    next(ps);
    if (ps->loops == 0)
      fail_at(ps, t->span, "'%s' outside a loop",
              t->kind == GT_TOK_BREAK ? "break" : "continue");
    s = new_stmt(ps, t->kind == GT_TOK_BREAK ? GT_ST_BREAK : GT_ST_CONTINUE,
                 t->span);
    end_stmt(ps);
    return s;
  case GT_TOK_RETURN:
    next(ps);
    if (!ps->in_func)
      fail_at(ps, t->span, "'return' outside a function");
    s = new_stmt(ps, GT_ST_RETURN, t->span);
    if (peek_kind(ps) != GT_TOK_NEWLINE && peek_kind(ps) != GT_TOK_SEMI
        && peek_kind(ps) != GT_TOK_RBRACE && peek_kind(ps) != GT_TOK_EOF) {
      s->expr = parse_expr(ps);
      s->span = join(t->span, s->expr->span);
    }
    end_stmt(ps);
    return s;
  case GT_TOK_ASSERT:
    next(ps);
    s = new_stmt(ps, GT_ST_ASSERT, t->span);
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
  case GT_TOK_PRINT: {
    next(ps);
    expect(ps, GT_TOK_LPAREN);
    GtSpan end;
    s = new_stmt(ps, GT_ST_PRINT, t->span);
    s->args = parse_args(ps, &s->nargs, 1, &end);
    s->span = join(t->span, end);
    end_stmt(ps);
    return s;
  }
  case GT_TOK_DEF:
    fail_at(ps, t->span, "functions can only be defined at the top level");
  case GT_TOK_ELIF:
  case GT_TOK_ELSE:
    fail_at(ps, t->span, "'%s' without a matching 'if'",
            t->kind == GT_TOK_ELIF ? "elif" : "else");
  case GT_TOK_NAME: {
    GtTokKind k = ps->toks[ps->pos + 1].kind;
    GtOp aop;
    switch (k) {
    case GT_TOK_ASSIGN: aop = GT_OP_COUNT; break;
    case GT_TOK_PLUSEQ: aop = GT_OP_ADD; break;
    case GT_TOK_MINUSEQ: aop = GT_OP_SUB; break;
    case GT_TOK_STAREQ: aop = GT_OP_MUL; break;
    case GT_TOK_SLASHEQ: aop = GT_OP_DIV; break;
    default: goto expression;
    }
    next(ps);
    GtSpan opspan = next(ps)->span;
    s = new_stmt(ps, GT_ST_ASSIGN, t->span);
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
  default:
  expression: {
    s = new_stmt(ps, GT_ST_EXPR, t->span);
    s->expr = parse_expr(ps);
    s->span = s->expr->span;
    GtOp aop;
    switch (peek_kind(ps)) {
    case GT_TOK_ASSIGN: aop = GT_OP_COUNT; break;
    case GT_TOK_PLUSEQ: aop = GT_OP_ADD; break;
    case GT_TOK_MINUSEQ: aop = GT_OP_SUB; break;
    case GT_TOK_STAREQ: aop = GT_OP_MUL; break;
    case GT_TOK_SLASHEQ: aop = GT_OP_DIV; break;
    default:
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

/* ---- name resolution --------------------------------------------------- */

typedef struct Resolver {
  Parser *ps;
  GtProgram *p;
  int32_t *gslot;   /* by interned name: global slot or -1 */
  int32_t *lslot;   /* by interned name: local slot of the current function,
                       valid where lmark is fnid */
  uint32_t *lmark;  /* by interned name: the fnid that set lslot */
  uint32_t fnid;    /* 1 + index of the current function */
  int32_t *islot;   /* by interned name: input index or -1 */
  GtFunc *fn;       /* current function, NULL at top level */
  size_t nnames;
  GtExpr **implicit; /* first use of each implicit input, in order */
  size_t nimplicit, implicitcap;
  unsigned char *may_imply; /* by interned name: an implicit input's name */
  GtExpr **links;           /* pending links of the chains being resolved */
  size_t nlinks, linkcap;
} Resolver;

static int32_t
local_of(const Resolver *r, uint32_t name)
{
  return r->lmark[name] == r->fnid ? r->lslot[name] : -1;
}

static void
set_local(Resolver *r, uint32_t name, int32_t slot)
{
  r->lmark[name] = r->fnid;
  r->lslot[name] = slot;
}


static const char *const special_builtins[] = {
  "grad", "jacobian", "hessian", "stop_gradient", "pow", "min", "max",
};

static size_t
edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return 99;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static void
consider(const char *cand, const char *name, const char **best, size_t *bd)
{
  if (strcmp(cand, name) == 0)
    return;
  size_t d = edit_distance(cand, name);
  size_t lim = strlen(name) / 3 + 1;
  if (d <= lim && d < *bd) {
    *bd = d;
    *best = cand;
  }
}

/* A known name close to `name`, or NULL. */
static const char *
suggest(Resolver *r, const char *name, int calls)
{
  const char *best = NULL;
  size_t bd = 99;
  GtNames *nm = r->p->names;
  if (calls) {
    for (size_t i = 0; i < r->p->nfuncs; i++)
      consider(nm->text[r->p->funcs[i].name], name, &best, &bd);
    for (int op = 0; op < GT_OP_COUNT; op++)
      if (gt_ops[op].name != NULL && gt_ops[op].name[0] >= 'a'
          && gt_ops[op].name[0] <= 'z'
          && (int)gt_op_lookup(gt_ops[op].name, strlen(gt_ops[op].name)) == op)
        consider(gt_ops[op].name, name, &best, &bd);
    for (size_t i = 0; i < sizeof special_builtins / sizeof *special_builtins;
         i++)
      consider(special_builtins[i], name, &best, &bd);
    for (size_t i = 0; gt_tfunc_name(i) != NULL; i++)
      consider(gt_tfunc_name(i), name, &best, &bd);
  } else {
    for (size_t i = 0; i < r->nnames; i++)
      if ((r->fn && local_of(r, (uint32_t)i) >= 0) || r->gslot[i] >= 0)
        consider(nm->text[i], name, &best, &bd);
  }
  return best;
}

static _Noreturn void
unknown(Resolver *r, GtSpan sp, const char *what, const char *name, int calls)
{
  const char *s = suggest(r, name, calls);
  if (s)
    fail_at(r->ps, sp, "unknown %s '%s'; did you mean '%s'?", what, name, s);
  fail_at(r->ps, sp, "unknown %s '%s'", what, name);
}

static int32_t
add_global(Resolver *r, uint32_t name)
{
  if (r->gslot[name] < 0) {
    GtProgram *p = r->p;
    if (p->nglobals == p->globalcap) {
      size_t cap = p->globalcap ? p->globalcap * 2 : 64;
      int32_t *t = realloc(p->global_name, cap * sizeof *t);
      if (t == NULL)
        oom(r->ps);
      p->global_name = t;
      p->globalcap = cap;
    }
    p->global_name[p->nglobals] = (int32_t)name;
    r->gslot[name] = (int32_t)p->nglobals++;
  }
  return r->gslot[name];
}

/* Appends an input declaration; returns its index. */
static int
add_input(Resolver *r, uint32_t name, int32_t slot, GtSpan span)
{
  GtProgram *p = r->p;
  if (p->ninputs == p->inputcap) {
    size_t cap = p->inputcap ? p->inputcap * 2 : 16;
    GtInputDecl *t = realloc(p->inputs, cap * sizeof *t);
    if (t == NULL)
      oom(r->ps);
    p->inputs = t;
    p->inputcap = cap;
  }
  GtInputDecl *in = &p->inputs[p->ninputs];
  in->name = name;
  in->slot = slot;
  in->span = span;
  r->islot[name] = (int32_t)p->ninputs;
  return (int)p->ninputs++;
}

/* Collects the names a block binds: globals at top level, locals in a
   function. */
static void
collect(Resolver *r, const GtBlock *b)
{
  for (size_t i = 0; i < b->n; i++) {
    GtStmt *s = b->stmts[i];
    switch (s->kind) {
    case GT_ST_ASSIGN:
    case GT_ST_FOR:
    case GT_ST_INPUT:
      if (r->fn) {
        if (local_of(r, s->name) < 0)
          set_local(r, s->name, (int32_t)r->fn->nlocals++);
      } else
        add_global(r, s->name);
      if (s->kind == GT_ST_INPUT) {
        if (r->islot[s->name] >= 0)
          fail_at(r->ps, s->namespan, "input '%s' is declared twice",
                  r->p->names->text[s->name]);
        s->input_index = add_input(r, s->name, r->gslot[s->name],
                                   s->namespan);
      }
      break;
    default:
      break;
    }
    if (s->kind == GT_ST_IF) {
      collect(r, &s->body);
      for (size_t k = 0; k < s->nargs; k++)
        collect(r, &s->elifs[k]);
      if (s->has_else)
        collect(r, &s->orelse);
    } else if (s->kind == GT_ST_FOR || s->kind == GT_ST_WHILE)
      collect(r, &s->body);
  }
}


static void resolve_expr(Resolver *r, GtExpr *e);

static void
check_arity(Resolver *r, GtExpr *e, const char *name, int lo, int hi)
{
  if (e->nargs < lo || e->nargs > hi) {
    if (lo == hi)
      fail_at(r->ps, e->span, "%s takes %d argument%s, not %d", name, lo,
              lo == 1 ? "" : "s", e->nargs);
    fail_at(r->ps, e->span, "%s takes %d to %d arguments, not %d", name, lo,
            hi, e->nargs);
  }
}

static void
resolve_call(Resolver *r, GtExpr *e)
{
  GtProgram *p = r->p;
  const char *name = p->names->text[e->name];
  int tf;
  int32_t i = p->name_func[e->name];
  if (i >= 0) {
    if (e->nargs != p->funcs[i].nparams)
      fail_at(r->ps, e->span, "function '%s' takes %zu argument%s, not %d",
              name, p->funcs[i].nparams,
              p->funcs[i].nparams == 1 ? "" : "s", e->nargs);
    e->slot = i;
    for (int k = 0; k < e->nargs; k++)
      resolve_expr(r, e->args[k]);
    return;
  }
  if (strcmp(name, "grad") == 0 || strcmp(name, "jacobian") == 0
      || strcmp(name, "hessian") == 0) {
    int hess = name[0] == 'h';
    check_arity(r, e, name, 2, name[0] == 'g' ? 3 : 2);
    if (e->args[1]->kind != GT_EX_GLOBAL)
      fail_at(r->ps, e->args[1]->span,
              "the second argument of %s must be a name", name);
    e->kind = hess ? GT_EX_HESSIAN : name[0] == 'j' ? GT_EX_JACOBIAN
                                                    : GT_EX_GRAD;
  } else if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0) {
    if (e->nargs < 2)
      fail_at(r->ps, e->span, "%s takes at least 2 arguments", name);
    /* with more than two arguments the interpreter takes the extreme of
       all of them at once, so that a tie among k shares 1/k each */
    e->kind = GT_EX_OP;
    e->op = (uint8_t)(name[1] == 'i' ? GT_OP_MIN : GT_OP_MAX);
  } else if ((tf = gt_tfunc_lookup(name)) >= 0) {
    int lo, hi;
    gt_tfunc_arity((GtTFunc)tf, &lo, &hi);
    check_arity(r, e, name, lo, hi);
    e->kind = GT_EX_TFUNC;
    e->op = (uint8_t)tf;
  } else {
    GtOp op = gt_op_lookup(name, strlen(name));
    if (op == GT_OP_COUNT)
      unknown(r, e->opspan, "function", name, 1);
    check_arity(r, e, name, gt_ops[op].arity, gt_ops[op].arity);
    e->kind = GT_EX_OP;
    e->op = (uint8_t)op;
  }
  for (int k = 0; k < e->nargs; k++)
    resolve_expr(r, e->args[k]);
}

/* A name read but bound nowhere becomes an input without default when
   the loader listed it (gt_session_load_ex): `-e 'y = sin(x^2)' --at x=1`
   needs no `input x`.  Returns 1 when e's name is such an input. */
static int
implicit_input(Resolver *r, GtExpr *e)
{
  if (r->may_imply == NULL || !r->may_imply[e->name])
    return 0;
  r->implicit = grow(r->ps, r->implicit, r->nimplicit, &r->implicitcap,
                     sizeof *r->implicit);
  r->implicit[r->nimplicit++] = e;
  add_global(r, e->name);
  return 1;
}

/* Declares the implicit inputs: `input NAME` statements (without
   default) put before the program's first statement, so that they run
   first; their input indices follow the declared inputs'. */
static void
declare_implicit(Resolver *r)
{
  if (r->nimplicit == 0)
    return;
  GtProgram *p = r->p;
  GtBlock *b = &p->top;
  GtStmt **v = alloc(r->ps, (b->n + r->nimplicit) * sizeof *v);
  for (size_t k = 0; k < r->nimplicit; k++) {
    GtExpr *e = r->implicit[k];
    GtStmt *s = new_stmt(r->ps, GT_ST_INPUT, e->span);
    s->name = e->name;
    s->namespan = e->span;
    s->target_kind = GT_EX_GLOBAL;
    s->slot = r->gslot[e->name];
    s->input_index = add_input(r, e->name, s->slot, e->span);
    v[k] = s;
  }
  if (b->n)
    memcpy(v + r->nimplicit, b->stmts, b->n * sizeof *v);
  b->stmts = v;
  b->n += r->nimplicit;
}

static void
resolve_name(Resolver *r, GtExpr *e)
{
  if (r->fn && local_of(r, e->name) >= 0) {
    e->kind = GT_EX_LOCAL;
    e->slot = local_of(r, e->name);
  } else if (r->gslot[e->name] >= 0) {
    e->kind = GT_EX_GLOBAL;
    e->slot = r->gslot[e->name];
  } else if (implicit_input(r, e)) {
    e->kind = GT_EX_GLOBAL;
    e->slot = r->gslot[e->name];
  } else
    unknown(r, e->span, "name", r->p->names->text[e->name], 0);
}

static void
resolve_expr(Resolver *r, GtExpr *e)
{
  switch (e->kind) {
  case GT_EX_GLOBAL:
    if (e->slot < 0)
      resolve_name(r, e);
    return;
  case GT_EX_CALL:
    resolve_call(r, e);
    return;
  default:
    if (gt_expr_is_link(e) && gt_expr_is_link(e->args[0])) {
      /* a chain: down the first operands by a loop, then the second
         operands from the innermost link out (source order, which fixes
         the order of implicit inputs and of errors) */
      size_t base = r->nlinks;
      GtExpr *x = e;
      for (; gt_expr_is_link(x); x = x->args[0]) {
        r->links = grow(r->ps, r->links, r->nlinks, &r->linkcap,
                        sizeof *r->links);
        r->links[r->nlinks++] = x;
      }
      size_t top = r->nlinks;
      resolve_expr(r, x);
      for (size_t i = top; i-- > base;) {
        r->nlinks = i; /* deeper chains stack above the pending links */
        resolve_expr(r, r->links[i]->args[1]);
      }
      r->nlinks = base;
      return;
    }
    for (int k = 0; k < e->nargs; k++)
      if (e->args[k] != NULL)
        resolve_expr(r, e->args[k]);
  }
}

static void
resolve_target(Resolver *r, GtStmt *s)
{
  if (r->fn) {
    s->target_kind = GT_EX_LOCAL;
    s->slot = local_of(r, s->name);
  } else {
    s->target_kind = GT_EX_GLOBAL;
    s->slot = r->gslot[s->name];
  }
}

static void
resolve_block(Resolver *r, GtBlock *b)
{
  for (size_t i = 0; i < b->n; i++) {
    GtStmt *s = b->stmts[i];
    if (s->expr)
      resolve_expr(r, s->expr);
    switch (s->kind) {
    case GT_ST_ASSIGN:
    case GT_ST_FOR:
    case GT_ST_INPUT:
      resolve_target(r, s);
      break;
    default:
      break;
    }
    if (s->kind == GT_ST_OUTPUT) {
      for (size_t k = 0; k < s->nargs; k++) {
        GtExpr *e = s->args[k];
        if (r->gslot[e->name] < 0)
          unknown(r, e->span, "name", r->p->names->text[e->name], 0);
        e->slot = r->gslot[e->name];
      }
    } else if (s->kind != GT_ST_ASSERT)
      for (size_t k = 0; k < s->nargs; k++)
        resolve_expr(r, s->args[k]);
    resolve_block(r, &s->body);
    if (s->kind == GT_ST_IF) {
      for (size_t k = 0; k < s->nargs; k++)
        resolve_block(r, &s->elifs[k]);
      if (s->has_else)
        resolve_block(r, &s->orelse);
    }
  }
}

/* Does expression e read variable (kind, slot)? */
static int
expr_reads(const GtExpr *e, int kind, int32_t slot)
{
  /* a chain: the second operands, then down the first by a loop */
  for (; gt_expr_is_link(e); e = e->args[0])
    if (expr_reads(e->args[1], kind, slot))
      return 1;
  if ((e->kind == GT_EX_GLOBAL || e->kind == GT_EX_LOCAL) && e->kind == kind
      && e->slot == slot)
    return 1;
  for (int k = 0; k < e->nargs; k++)
    if (e->args[k] != NULL && expr_reads(e->args[k], kind, slot))
      return 1;
  return 0;
}

/* Marks in read[] the global slots that e reads. */
static void
expr_globals(const GtExpr *e, unsigned char *read)
{
  for (; gt_expr_is_link(e); e = e->args[0])
    expr_globals(e->args[1], read);
  if (e->kind == GT_EX_GLOBAL && e->slot >= 0)
    read[e->slot] = 1;
  for (int k = 0; k < e->nargs; k++)
    if (e->args[k] != NULL)
      expr_globals(e->args[k], read);
}

/* Marks in read[] the global slots that block b reads. */
static void
block_globals(const GtBlock *b, unsigned char *read)
{
  for (size_t i = 0; i < b->n; i++) {
    const GtStmt *s = b->stmts[i];
    if (s->expr)
      expr_globals(s->expr, read);
    if (s->kind != GT_ST_OUTPUT && s->kind != GT_ST_ASSERT)
      for (size_t k = 0; k < s->nargs; k++)
        expr_globals(s->args[k], read);
    block_globals(&s->body, read);
    for (size_t k = 0; s->kind == GT_ST_IF && k < s->nargs; k++)
      block_globals(&s->elifs[k], read);
    if (s->has_else)
      block_globals(&s->orelse, read);
  }
}

static int
block_reads(const GtBlock *b, int kind, int32_t slot)
{
  for (size_t i = 0; i < b->n; i++) {
    const GtStmt *s = b->stmts[i];
    if (s->expr && expr_reads(s->expr, kind, slot))
      return 1;
    if (s->kind != GT_ST_OUTPUT && s->kind != GT_ST_ASSERT)
      for (size_t k = 0; k < s->nargs; k++)
        if (expr_reads(s->args[k], kind, slot))
          return 1;
    if (s->kind == GT_ST_OUTPUT)
      for (size_t k = 0; k < s->nargs; k++)
        if (kind == GT_EX_GLOBAL && s->args[k]->slot == slot)
          return 1;
    if (block_reads(&s->body, kind, slot))
      return 1;
    for (size_t k = 0; s->kind == GT_ST_IF && k < s->nargs; k++)
      if (block_reads(&s->elifs[k], kind, slot))
        return 1;
    if (s->has_else && block_reads(&s->orelse, kind, slot))
      return 1;
  }
  return 0;
}

/* Marks the for loops whose body may read the loop variable: only those
   need a recorded counter per iteration.  A global counter may also be
   read by any function called from the body: fn_read[] marks the global
   slots some function reads. */
static void
mark_loops(GtBlock *b, const unsigned char *fn_read)
{
  for (size_t i = 0; i < b->n; i++) {
    GtStmt *s = b->stmts[i];
    if (s->kind == GT_ST_FOR)
      s->var_read = block_reads(&s->body, s->target_kind, s->slot)
                    || (s->target_kind == GT_EX_GLOBAL && fn_read[s->slot]);
    mark_loops(&s->body, fn_read);
    for (size_t k = 0; s->kind == GT_ST_IF && k < s->nargs; k++)
      mark_loops(&s->elifs[k], fn_read);
    if (s->has_else)
      mark_loops(&s->orelse, fn_read);
  }
}

/* A map by interned name of n entries in the arena, every byte c. */
static void *
name_map(Parser *ps, size_t n, size_t elem, int c)
{
  void *m = alloc(ps, (n + 1) * elem);
  memset(m, c, (n + 1) * elem);
  return m;
}

static void
resolve(Parser *ps)
{
  GtProgram *p = ps->p;
  Resolver r = { .ps = ps, .p = p };
  /* the predefined names first, so that the maps cover them */
  static const char *const predef[GT_NPREDEF] = { "pi", "e", "inf", "nan" };
  uint32_t pre[GT_NPREDEF];
  for (int i = 0; i < GT_NPREDEF; i++) {
    pre[i] = gt_names_intern(p->names, predef[i], strlen(predef[i]));
    if (pre[i] == UINT32_MAX)
      oom(ps);
  }
  /* maps by interned name, O(1) per lookup; parse and resolution use the
     arena, so these die with the program */
  r.nnames = p->names->n;
  r.gslot = name_map(ps, r.nnames, sizeof *r.gslot, 0xff);
  r.lslot = name_map(ps, r.nnames, sizeof *r.lslot, 0xff);
  r.lmark = name_map(ps, r.nnames, sizeof *r.lmark, 0);
  r.islot = name_map(ps, r.nnames, sizeof *r.islot, 0xff);
  p->name_func = name_map(ps, r.nnames, sizeof *p->name_func, 0xff);
  if (ps->nfidx)
    memcpy(p->name_func, ps->fidx,
           (ps->nfidx < r.nnames ? ps->nfidx : r.nnames) * sizeof *ps->fidx);
  p->name_global = r.gslot;
  p->name_input = r.islot;
  p->nnamed = r.nnames;
  if (ps->lo && ps->lo->nimplicit) {
    r.may_imply = name_map(ps, r.nnames, 1, 0);
    for (size_t i = 0; i < ps->lo->nimplicit; i++) {
      const char *nm = ps->lo->implicit_inputs[i];
      uint32_t id = gt_names_find(p->names, nm, strlen(nm));
      if (id < r.nnames) /* else the program never mentions it */
        r.may_imply[id] = 1;
    }
  }
  for (int i = 0; i < GT_NPREDEF; i++)
    add_global(&r, pre[i]);
  if (ps->in_func < 0) /* expression mode: only the predefined names */
    goto resolve_top;
  collect(&r, &p->top);
  for (size_t i = 0; i < p->nfuncs; i++) {
    GtFunc *f = &p->funcs[i];
    r.fn = f;
    r.fnid = (uint32_t)i + 1; /* forgets the previous function's locals */
    f->nlocals = 0;
    for (size_t k = 0; k < f->nparams; k++)
      set_local(&r, f->params[k], (int32_t)f->nlocals++);
    collect(&r, &f->body);
    resolve_block(&r, &f->body);
  }
resolve_top:
  r.fn = NULL;
  r.fnid = 0;
  resolve_block(&r, &p->top);
  declare_implicit(&r);
  unsigned char *fn_read = name_map(ps, p->nglobals, 1, 0);
  for (size_t i = 0; i < p->nfuncs; i++)
    block_globals(&p->funcs[i].body, fn_read);
  mark_loops(&p->top, fn_read);
  for (size_t i = 0; i < p->nfuncs; i++)
    mark_loops(&p->funcs[i].body, fn_read);
}

/* ---- the names of the built-in functions ------------------------------- */

const char *
gt_builtin_name(size_t i)
{
  for (int op = 0; op < GT_OP_COUNT; op++)
    if (gt_ops[op].callable && i-- == 0)
      return gt_ops[op].name;
  for (size_t k = 0; gt_op_alias_name(k) != NULL; k++)
    if (i-- == 0)
      return gt_op_alias_name(k);
  for (size_t k = 0; gt_tfunc_name(k) != NULL; k++)
    if (i-- == 0)
      return gt_tfunc_name(k);
  for (size_t k = 0; k < sizeof special_builtins / sizeof *special_builtins;
       k++) {
    /* pow, min and max are callable ops already */
    if (gt_op_lookup(special_builtins[k], strlen(special_builtins[k]))
        != GT_OP_COUNT)
      continue;
    if (i-- == 0)
      return special_builtins[k];
  }
  return NULL;
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
  resolve(ps);
}

GtProgram *
gt_parse(const GtSource *src, uint32_t srcid, GtNames *names,
         GtDiagList *diags, int expr_only)
{
  return gt_parse_with(src, srcid, names, diags, expr_only, NULL);
}

GtProgram *
gt_parse_with(const GtSource *src, uint32_t srcid, GtNames *names,
              GtDiagList *diags, int expr_only, const GtLoadOptions *lo)
{
  Parser ps = { .src = src, .srcid = srcid, .diags = diags, .lo = lo };
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
