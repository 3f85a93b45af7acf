/* resolve.c -- name resolution: every name of a parsed program gets a slot.
 *
 * Runs once after the parse (gt_parse calls gt_resolve).  Top-level names
 * are globals; in a function, parameters and names assigned in its body
 * are locals, and every other name reads the global of that name.  Calls
 * become user functions, built-in operations, tensor functions or
 * grad/jacobian/hessian, with their arity checked; an unknown name is an
 * error that suggests the closest known one (edit distance).  The pass
 * also declares implicit inputs (names the loader allows to be read
 * unbound) and marks the for loops whose body reads the loop variable.
 * The interpreter then never looks a name up by string.
 *
 * Lookups go through maps indexed by interned name, O(1) each; the maps
 * live in the program's arena and die with it.  Errors are added to the
 * parse's diagnostics and jump to the parse's failure point.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct Resolver {
  const GtResolveIn *in;
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

static _Noreturn void
fail_at(Resolver *r, GtSpan sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static _Noreturn void
fail_at(Resolver *r, GtSpan sp, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  gt_diag_vadd(r->in->diags, GT_SEV_ERROR, r->in->src, sp, fmt, ap);
  va_end(ap);
  longjmp(*r->in->fail, 1);
}

static _Noreturn void
oom(Resolver *r)
{
  GtSpan sp = { r->in->srcid, 0, 0 };
  gt_diag_add(r->in->diags, GT_SEV_ERROR, NULL, sp, "out of memory");
  longjmp(*r->in->fail, 1);
}

static void *
alloc(Resolver *r, size_t n)
{
  void *q = gt_arena_zalloc(&r->p->arena, n);
  if (q == NULL)
    oom(r);
  return q;
}

/* Room for one more element in an array that grows by doubling inside
   the arena (as the parser's grow()). */
static void *
grow(Resolver *r, void *v, size_t n, size_t *cap, size_t elem)
{
  if (n < *cap)
    return v;
  size_t c = *cap ? *cap * 2 : 4;
  void *t = alloc(r, c * elem);
  if (n)
    memcpy(t, v, n * elem);
  *cap = c;
  return t;
}

static GtStmt *
new_stmt(Resolver *r, GtStmtKind kind, GtSpan sp)
{
  GtStmt *s = alloc(r, sizeof *s);
  s->kind = kind;
  s->span = sp;
  s->slot = -1;
  s->input_index = -1;
  return s;
}

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

/* Ranks cand by edit distance; at equal distance a candidate that is a
   prefix of name or has name as its prefix ("sin" for "sinn") comes
   before one that is not ("sign"). */
static void
consider(const char *cand, const char *name, const char **best, size_t *bd)
{
  if (strcmp(cand, name) == 0)
    return;
  size_t d = edit_distance(cand, name);
  size_t lim = strlen(name) / 3 + 1;
  size_t lc = strlen(cand), ln = strlen(name);
  size_t key = 2 * d + (strncmp(cand, name, lc < ln ? lc : ln) != 0);
  if (d <= lim && key < *bd) {
    *bd = key;
    *best = cand;
  }
}

/* A known name close to `name`, or NULL. */
static const char *
suggest(Resolver *r, const char *name, int calls)
{
  const char *best = NULL;
  size_t bd = SIZE_MAX;
  GtNames *nm = r->p->names;
  if (calls) {
    for (size_t i = 0; i < r->p->nfuncs; i++)
      consider(nm->text[r->p->funcs[i].name], name, &best, &bd);
    for (int op = 0; op < GT_OP_COUNT; op++)
      if (gt_ops[op].name != NULL && gt_ops[op].name[0] >= 'a'
          && gt_ops[op].name[0] <= 'z'
          && (int)gt_op_lookup(gt_ops[op].name, strlen(gt_ops[op].name)) == op)
        consider(gt_ops[op].name, name, &best, &bd);
    for (size_t i = 0; gt_special_builtin_name(i) != NULL; i++)
      consider(gt_special_builtin_name(i), name, &best, &bd);
    for (size_t i = 0; gt_tfunc_name(i) != NULL; i++)
      consider(gt_tfunc_name(i), name, &best, &bd);
  } else {
    for (size_t i = 0; i < r->nnames; i++)
      if ((r->fn && local_of(r, (uint32_t)i) >= 0) || r->gslot[i] >= 0)
        consider(nm->text[i], name, &best, &bd);
  }
  return best;
}

/* Python's built-ins that users reach for, with what to write here;
   returns when name is none of them. */
static void
python_habit(Resolver *r, GtSpan sp, const char *name)
{
  static const struct { const char *name, *hint; } habits[] = {
    { "range", "range() is only the iterable of a for loop: "
               "for i in range(n) { ... }" },
    { "int", "int() is spelled trunc(x) here (or floor, ceil, round)" },
    { "float", "numbers are already floating point at --prec bits: "
               "no float() is needed" },
    { "enumerate", "enumerate() is not part of the language: loop over "
                   "for i in range(len(x)) and read x[i]" },
  };
  for (size_t i = 0; i < sizeof habits / sizeof *habits; i++)
    if (strcmp(name, habits[i].name) == 0)
      fail_at(r, sp, "%s", habits[i].hint);
}

static _Noreturn void
unknown(Resolver *r, GtSpan sp, const char *what, const char *name, int calls)
{
  const char *s = suggest(r, name, calls);
  if (s)
    fail_at(r, sp, "unknown %s '%s'; did you mean '%s'?", what, name, s);
  fail_at(r, sp, "unknown %s '%s'", what, name);
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
        oom(r);
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
      oom(r);
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

/* Collects the names statement s and those inside it bind: globals at
   top level, locals in a function. */
static int
collect_stmt(void *ctx, GtStmt *s)
{
  Resolver *r = ctx;
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
        fail_at(r, s->namespan, "input '%s' is declared twice",
                r->p->names->text[s->name]);
      s->input_index = add_input(r, s->name, r->gslot[s->name],
                                 s->namespan);
    }
    break;
  default:
    break;
  }
  GtStmtVisitor v = { .stmt = collect_stmt, .ctx = r };
  return gt_stmt_children(s, &v);
}

static void
collect(Resolver *r, const GtBlock *b)
{
  GtStmtVisitor v = { .stmt = collect_stmt, .ctx = r };
  gt_block_each(b, &v);
}


static void resolve_expr(Resolver *r, GtExpr *e);

static void
check_arity(Resolver *r, GtExpr *e, const char *name, int lo, int hi)
{
  if (e->nargs < lo || e->nargs > hi) {
    if (lo == hi)
      fail_at(r, e->span, "%s takes %d argument%s, not %d", name, lo,
              lo == 1 ? "" : "s", e->nargs);
    fail_at(r, e->span, "%s takes %d to %d arguments, not %d", name, lo,
            hi, e->nargs);
  }
}

/* axis=EXPR (the call's last argument, e->axis_kw) where the built-in
   tf takes an axis: the reductions and repeat, append at their
   positional place (args[1], args[2]); concat and stack after their
   tensors. */
static void
check_axis_kw(Resolver *r, GtExpr *e, const char *name, int tf)
{
  GtExpr *kw = e->args[e->nargs - 1];
  int at = -1;  /* the positional place of the axis, -1: after the rest */
  switch (tf) {
  case GT_TF_SUM: case GT_TF_MEAN: case GT_TF_PROD: case GT_TF_RMAX:
  case GT_TF_RMIN:
    at = 1;
    break;
  case GT_TF_REPEAT: case GT_TF_APPEND:
    at = 2;
    break;
  case GT_TF_CONCAT: case GT_TF_STACK:
    if (e->nargs < 2)
      fail_at(r, e->span, "%s needs at least one tensor besides axis=",
              name);
    return;
  default:
    fail_at(r, kw->span, "%s takes no axis= argument", name);
  }
  if (e->nargs - 1 > at)
    fail_at(r, kw->span, "%s: the axis is given twice (as argument %d and "
            "as axis=)", name, at + 1);
  if (e->nargs - 1 < at)
    fail_at(r, e->span, "%s takes %d argument%s before axis=, not %d", name,
            at, at == 1 ? "" : "s", e->nargs - 1);
}

static void
resolve_call(Resolver *r, GtExpr *e)
{
  GtProgram *p = r->p;
  const char *name = p->names->text[e->name];
  int tf;
  int32_t i = p->name_func[e->name];
  if (e->axis_kw && (i >= 0 || gt_tfunc_lookup(name) < 0))
    fail_at(r, e->args[e->nargs - 1]->span, "%s%s%s takes no axis= "
            "argument (only the built-ins that work along an axis do)",
            i >= 0 ? "function '" : "", name, i >= 0 ? "'" : "");
  for (int k = 0; k < e->nargs; k++)
    if (e->args[k]->kind == GT_EX_STR
        && (i >= 0 || strcmp(name, "load") != 0))
      fail_at(r, e->args[k]->span, "strings are only allowed in print, "
              "assert and load()");
  if (i < 0 && strcmp(name, "load") == 0
      && (e->nargs != 1 || e->args[0]->kind != GT_EX_STR))
    fail_at(r, e->span, "load takes one file name in quotes: "
            "load(\"data.csv\")");
  if (i >= 0) {
    if (e->nargs != p->funcs[i].nparams)
      fail_at(r, e->span, "function '%s' takes %zu argument%s, not %d",
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
      fail_at(r, e->args[1]->span,
              "the second argument of %s must be a name", name);
    e->kind = hess ? GT_EX_HESSIAN : name[0] == 'j' ? GT_EX_JACOBIAN
                                                    : GT_EX_GRAD;
  } else if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0) {
    if (e->nargs < 2)
      fail_at(r, e->span, "%s takes at least 2 arguments", name);
    /* with more than two arguments the interpreter takes the extreme of
       all of them at once, so that a tie among k shares 1/k each */
    e->kind = GT_EX_OP;
    e->op = (uint8_t)(name[1] == 'i' ? GT_OP_MIN : GT_OP_MAX);
  } else if ((tf = gt_tfunc_lookup(name)) >= 0) {
    int lo, hi;
    gt_tfunc_arity((GtTFunc)tf, &lo, &hi);
    check_arity(r, e, name, lo, hi);
    if (e->axis_kw)
      check_axis_kw(r, e, name, tf);
    e->kind = GT_EX_TFUNC;
    e->op = (uint8_t)tf;
  } else {
    GtOp op = gt_op_lookup(name, strlen(name));
    if (op == GT_OP_COUNT)
      python_habit(r, e->opspan, name);
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
  r->implicit = grow(r, r->implicit, r->nimplicit, &r->implicitcap,
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
  GtStmt **v = alloc(r, (b->n + r->nimplicit) * sizeof *v);
  for (size_t k = 0; k < r->nimplicit; k++) {
    GtExpr *e = r->implicit[k];
    GtStmt *s = new_stmt(r, GT_ST_INPUT, e->span);
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
        r->links = grow(r, r->links, r->nlinks, &r->linkcap,
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

static int
resolve_child(void *ctx, GtExpr *e)
{
  resolve_expr(ctx, e);
  return 0;
}

/* Resolves statement s and those inside it.  Its target first: collect()
   gave every target a slot, which resolving an expression cannot
   change, so the order of errors is that of the expressions. */
static int
resolve_stmt(void *ctx, GtStmt *s)
{
  Resolver *r = ctx;
  switch (s->kind) {
  case GT_ST_ASSIGN:
  case GT_ST_FOR:
  case GT_ST_INPUT:
    resolve_target(r, s);
    break;
  case GT_ST_OUTPUT: /* names of globals, not expressions */
    for (size_t k = 0; k < s->nargs; k++) {
      GtExpr *e = s->args[k];
      if (r->gslot[e->name] < 0)
        unknown(r, e->span, "name", r->p->names->text[e->name], 0);
      e->slot = r->gslot[e->name];
    }
    break;
  default:
    break;
  }
  GtStmtVisitor v = { .expr = resolve_child, .stmt = resolve_stmt,
                      .ctx = r };
  return gt_stmt_children(s, &v);
}

static void
resolve_block(Resolver *r, GtBlock *b)
{
  GtStmtVisitor v = { .stmt = resolve_stmt, .ctx = r };
  gt_block_each(b, &v);
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

static int
globals_expr(void *read, GtExpr *e)
{
  expr_globals(e, read);
  return 0;
}

/* Marks in read[] the global slots that statement s reads. */
static int
globals_stmt(void *read, GtStmt *s)
{
  GtStmtVisitor v = { .expr = globals_expr, .stmt = globals_stmt,
                      .ctx = read };
  return gt_stmt_children(s, &v);
}

/* Marks in read[] the global slots that block b reads. */
static void
block_globals(const GtBlock *b, unsigned char *read)
{
  GtStmtVisitor v = { .stmt = globals_stmt, .ctx = read };
  gt_block_each(b, &v);
}

/* A variable: GT_EX_GLOBAL or GT_EX_LOCAL, and its slot. */
typedef struct Var {
  int kind;
  int32_t slot;
} Var;

static int
reads_expr(void *ctx, GtExpr *e)
{
  const Var *x = ctx;
  return expr_reads(e, x->kind, x->slot);
}

/* Does statement s read variable ctx (an output names a global)? */
static int
reads_stmt(void *ctx, GtStmt *s)
{
  const Var *x = ctx;
  for (size_t k = 0; s->kind == GT_ST_OUTPUT && k < s->nargs; k++)
    if (x->kind == GT_EX_GLOBAL && s->args[k]->slot == x->slot)
      return 1;
  GtStmtVisitor v = { .expr = reads_expr, .stmt = reads_stmt, .ctx = ctx };
  return gt_stmt_children(s, &v);
}

static int
block_reads(const GtBlock *b, int kind, int32_t slot)
{
  Var x = { kind, slot };
  GtStmtVisitor v = { .stmt = reads_stmt, .ctx = &x };
  return gt_block_each(b, &v);
}

/* Marks the for loops whose body may read the loop variable: only those
   need a recorded counter per iteration.  A global counter may also be
   read by any function called from the body: fn_read[] marks the global
   slots some function reads. */
static int
mark_stmt(void *ctx, GtStmt *s)
{
  const unsigned char *fn_read = ctx;
  if (s->kind == GT_ST_FOR)
    s->var_read = block_reads(&s->body, s->target_kind, s->slot)
                  || (s->target_kind == GT_EX_GLOBAL && fn_read[s->slot]);
  GtStmtVisitor v = { .stmt = mark_stmt, .ctx = ctx };
  return gt_stmt_children(s, &v);
}

static void
mark_loops(GtBlock *b, unsigned char *fn_read)
{
  GtStmtVisitor v = { .stmt = mark_stmt, .ctx = fn_read };
  gt_block_each(b, &v);
}

/* A map by interned name of n entries in the arena, every byte c. */
static void *
name_map(Resolver *r, size_t n, size_t elem, int c)
{
  void *m = alloc(r, (n + 1) * elem);
  memset(m, c, (n + 1) * elem);
  return m;
}

void
gt_resolve(const GtResolveIn *in)
{
  GtProgram *p = in->p;
  Resolver r = { .in = in, .p = p };
  /* the predefined names first, so that the maps cover them */
  static const char *const predef[GT_NPREDEF] = { "pi", "e", "inf", "nan" };
  uint32_t pre[GT_NPREDEF];
  for (int i = 0; i < GT_NPREDEF; i++) {
    pre[i] = gt_names_intern(p->names, predef[i], strlen(predef[i]));
    if (pre[i] == UINT32_MAX)
      oom(&r);
  }
  /* maps by interned name, O(1) per lookup; parse and resolution use the
     arena, so these die with the program */
  r.nnames = p->names->n;
  r.gslot = name_map(&r, r.nnames, sizeof *r.gslot, 0xff);
  r.lslot = name_map(&r, r.nnames, sizeof *r.lslot, 0xff);
  r.lmark = name_map(&r, r.nnames, sizeof *r.lmark, 0);
  r.islot = name_map(&r, r.nnames, sizeof *r.islot, 0xff);
  p->name_func = name_map(&r, r.nnames, sizeof *p->name_func, 0xff);
  if (in->nfidx)
    memcpy(p->name_func, in->fidx,
           (in->nfidx < r.nnames ? in->nfidx : r.nnames) * sizeof *in->fidx);
  p->name_global = r.gslot;
  p->name_input = r.islot;
  p->nnamed = r.nnames;
  if (in->lo && in->lo->nimplicit) {
    r.may_imply = name_map(&r, r.nnames, 1, 0);
    for (size_t i = 0; i < in->lo->nimplicit; i++) {
      const char *nm = in->lo->implicit_inputs[i];
      uint32_t id = gt_names_find(p->names, nm, strlen(nm));
      if (id < r.nnames) /* else the program never mentions it */
        r.may_imply[id] = 1;
    }
  }
  for (int i = 0; i < GT_NPREDEF; i++)
    add_global(&r, pre[i]);
  for (size_t i = 0; i < in->nseed; i++) /* same slots as before */
    add_global(&r, (uint32_t)in->seed[i]);
  if (in->expr_only) /* expression mode: only the predefined names */
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
  unsigned char *fn_read = name_map(&r, p->nglobals, 1, 0);
  for (size_t i = 0; i < p->nfuncs; i++)
    block_globals(&p->funcs[i].body, fn_read);
  mark_loops(&p->top, fn_read);
  for (size_t i = 0; i < p->nfuncs; i++)
    mark_loops(&p->funcs[i].body, fn_read);
}
