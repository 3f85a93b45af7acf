/* interp.c -- runs the syntax tree on values, recording every primitive.
 *
 * Define-by-run: control flow is decided on the values of this run, so
 * loops and branches leave on the tape only the path taken.  A value is
 * the index of the node that holds it.  Literals are recorded once per
 * run and shared by every use.  Errors jump back to the run's entry
 * (memory is owned by the tape and the run's arrays, so nothing leaks).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "internal.h"

typedef enum Flow { FLOW_NEXT, FLOW_BREAK, FLOW_CONTINUE, FLOW_RETURN } Flow;

typedef struct Interp {
  GtRec rec;                /* first: the rules see a GtRec */
  const GtProgram *prog;
  int32_t *globals;         /* node per global slot, -1 unbound */
  int32_t *stack;           /* locals of the active calls */
  size_t sp, stackcap, base;
  unsigned long depth, steps;
  int32_t retval;
  int32_t *lits;            /* node per literal expression id, -1 */
  int32_t *outs;            /* output global slots */
  size_t nout;
  int32_t last;             /* last top-level binding's slot */
  const int32_t *at;
  int32_t *input_nodes;
  char *line;               /* print's line being built (freed on errors) */
  const char *stack_top;    /* C stack at the start of the run */
  size_t stack_budget;      /* bytes of C stack calls may use */
} Interp;

/* ---- recording ---------------------------------------------------------- */

static const GtSource *
site_source(const GtRec *r, uint32_t site, GtSpan *sp)
{
  const GtExpr *e = r->prog->exprs[site < r->prog->nexprs ? site : 0];
  *sp = e->span;
  return r->env->sources[sp->src];
}

/* Notes naming the calls that led to frame, innermost first; a run of
   recursive calls from one place is one note. */
static void
add_call_chain(GtRec *r, uint32_t frame)
{
  const GtTape *t = r->tape;
  while (frame != 0 && frame < t->nframes) {
    uint32_t site = t->frames[frame].site;
    unsigned long times = 1;
    while (t->frames[frame].parent != 0
           && t->frames[t->frames[frame].parent].site == site) {
      frame = t->frames[frame].parent;
      times++;
    }
    const GtExpr *call = r->prog->exprs[site];
    GtSpan sp;
    const GtSource *src = site_source(r, site, &sp);
    const char *fn = r->env->names->text[r->prog->funcs[call->slot].name];
    if (times > 1)
      gt_diag_add(r->env->diags, GT_SEV_NOTE, src, sp,
                  "in %lu nested calls to '%s' made here", times, fn);
    else
      gt_diag_add(r->env->diags, GT_SEV_NOTE, src, sp,
                  "in the call to '%s' made here", fn);
    frame = t->frames[frame].parent;
  }
}

static _Noreturn void
fail_site(GtRec *r, GtStatus st, uint32_t site, uint32_t frame,
          const char *fmt, va_list ap)
{
  GtSpan sp;
  const GtSource *src = site_source(r, site, &sp);
  gt_diag_vadd(r->env->diags, GT_SEV_ERROR, src, sp, fmt, ap);
  add_call_chain(r, frame);
  r->status = st;
  longjmp(*r->fail, 1);
}

void
gt_rec_fail(GtRec *r, GtStatus st, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fail_site(r, st, r->site, r->frame, fmt, ap);
}

static _Noreturn void
fail_at_node(GtRec *r, int32_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static _Noreturn void
fail_at_node(GtRec *r, int32_t i, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fail_site(r, GT_ERUNTIME, r->tape->nodes[i].site, r->tape->nodes[i].frame,
            fmt, ap);
}

static void
note_kink(GtRec *r, GtOp op)
{
  r->any_kink = 1;
  if (r->kinks == NULL || r->site >= r->prog->nexprs || r->kinks[r->site])
    return;
  r->kinks[r->site] = 1;
  GtSpan sp;
  const GtSource *src = site_source(r, r->site, &sp);
  gt_diag_add(r->env->diags, GT_SEV_NOTE, src, sp, "%s", gt_ops[op].kink_note);
}

static int32_t
push(GtRec *r, GtOp op, int32_t a, int32_t b, int32_t c)
{
  int32_t i = gt_tape_push(r->tape, op, a, b, c, r->site, r->frame);
  if (i == -2)
    gt_rec_fail(r, GT_ERUNTIME,
                "the recording exceeds %zu nodes (raise the limit with "
                "--max-nodes)", r->tape->max_nodes);
  if (i < 0)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory while recording");
  r->tape->nodes[i].flags = r->flags;
  return i;
}

int32_t
gt_rec_op(GtRec *r, GtOp op, int32_t a, int32_t b, int32_t c)
{
  int32_t i = push(r, op, a, b, c);
  GtNode *nodes = r->tape->nodes;
  int fl = gt_ops[op].fwd(nodes[i].v, a >= 0 ? nodes[a].v : NULL,
                          b >= 0 ? nodes[b].v : NULL,
                          c >= 0 ? nodes[c].v : NULL);
  if ((fl & GT_FWD_KINK) && !(r->flags & GT_NF_ADJ))
    note_kink(r, op);
  return i;
}

int32_t
gt_rec_leaf(GtRec *r)
{
  return push(r, GT_OP_CONST, -1, -1, -1);
}

int32_t
gt_rec_const(GtRec *r, long num, long den)
{
  int slot = -1;
  if (den == 1 && num >= 0 && num <= 2)
    slot = (int)num;
  else if (num == 1 && den == 2)
    slot = 3;
  if (slot >= 0 && r->cache[slot] >= 0)
    return r->cache[slot];
  uint32_t site = r->site;
  r->site = 0;
  int32_t i = gt_rec_leaf(r);
  r->site = site;
  mpfr_ptr v = r->tape->nodes[i].v;
  mpfr_set_si(v, num, MPFR_RNDN);
  if (den != 1)
    mpfr_div_si(v, v, den, MPFR_RNDN);
  if (slot >= 0)
    r->cache[slot] = i;
  return i;
}

/* ---- NaN policy ----------------------------------------------------------- */

/* a short rendering of a number for messages */
static char *
short_num(mpfr_srcptr x)
{
  char *s = gt_format_number(x, 0);
  if (s != NULL && strlen(s) > 14) {
    free(s);
    s = gt_format_number(x, 8);
  }
  return s;
}

static int
is_infix(GtOp op)
{
  return op >= GT_OP_NEG && op <= GT_OP_GE && op != GT_OP_POW;
}

void
gt_rec_check_nan(GtRec *r, int32_t i)
{
  const GtTape *t = r->tape;
  if (!mpfr_nan_p(t->nodes[i].v) || r->env->opt->nan_ok)
    return;
  int32_t o = gt_tape_nan_origin(t, i);
  const GtNode *n = &t->nodes[o];
  if (n->op == GT_OP_CONST || n->op == GT_OP_INPUT)
    return; /* a NaN the user wrote (nan, --at x=nan) */
  const GtOpInfo *info = &gt_ops[n->op];
  if (n->flags & GT_NF_ADJ) {
    /* inf * 0 in a derivative: blame the rule that made the infinity */
    int32_t j = o;
    for (;;) {
      const GtNode *m = &t->nodes[j];
      int32_t ops[3] = { m->a, m->b, m->c }, next = -1;
      for (int k = 0; k < 3; k++)
        if (ops[k] >= 0 && mpfr_inf_p(t->nodes[ops[k]].v)
            && (t->nodes[ops[k]].flags & GT_NF_ADJ)) { next = ops[k]; break; }
      if (next < 0) break;
      j = next;
    }
    if (j != o) {
      const GtExpr *e = r->prog->exprs[t->nodes[j].site];
      if (e->kind == GT_EX_OP)
        fail_at_node(r, j, "the derivative of %s is not a number (NaN) here",
                     gt_ops[e->op].name);
    }
  }
  char *a = n->a >= 0 ? short_num(t->nodes[n->a].v) : NULL;
  char *b = n->b >= 0 ? short_num(t->nodes[n->b].v) : NULL;
  char buf[160];
  if (n->op == GT_OP_NEG)
    snprintf(buf, sizeof buf, "-(%s)", a ? a : "?");
  else if (is_infix((GtOp)n->op))
    snprintf(buf, sizeof buf, "%s %s %s", a ? a : "?", info->name,
             b ? b : "?");
  else if (b != NULL)
    snprintf(buf, sizeof buf, "%s(%s, %s%s)", info->name, a ? a : "?", b,
             n->c >= 0 ? ", ..." : "");
  else
    snprintf(buf, sizeof buf, "%s(%s)", info->name, a ? a : "?");
  free(a);
  free(b);
  if (n->flags & GT_NF_ADJ)
    fail_at_node(r, o, "the derivative of %s is not a number (NaN) here: "
                 "its rule computes %s", info->name, buf);
  fail_at_node(r, o, "%s is not a number (NaN); pass --nan-ok to allow NaN "
               "values", buf);
}

/* ---- expressions ---------------------------------------------------------- */

static int32_t eval(Interp *in, const GtExpr *e);
static Flow exec_block(Interp *in, const GtBlock *b);

static GtRec *
R(Interp *in)
{
  return &in->rec;
}

/* Records a control decision for replays (replay.c). */
static void
guard(Interp *in, int32_t i, int kind, long value)
{
  if (gt_tape_guard(in->rec.tape, i, kind, value) != 0)
    gt_rec_fail(&in->rec, GT_ERUNTIME, "out of memory");
}

static int
truth(Interp *in, int32_t i, uint32_t site)
{
  R(in)->site = site;
  gt_rec_check_nan(R(in), i);
  mpfr_srcptr v = in->rec.tape->nodes[i].v;
  if (mpfr_nan_p(v))
    gt_rec_fail(R(in), GT_ERUNTIME, "a condition is NaN");
  int t = !mpfr_zero_p(v);
  guard(in, i, GT_GUARD_TRUTH, t);
  return t;
}

static int32_t
literal(Interp *in, const GtExpr *e)
{
  if (in->lits[e->id] >= 0)
    return in->lits[e->id];
  GtRec *r = R(in);
  const GtSource *src = r->env->sources[e->span.src];
  char small[64];
  char *text = e->span.len < sizeof small ? small : malloc(e->span.len + 1);
  if (text == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  memcpy(text, src->text + e->span.off, e->span.len);
  text[e->span.len] = '\0';
  r->site = e->id;
  uint32_t frame = r->frame;
  r->frame = 0;
  int32_t i = gt_rec_leaf(r);
  r->frame = frame;
  mpfr_set_str(r->tape->nodes[i].v, text, 10, MPFR_RNDN);
  if (text != small)
    free(text);
  in->lits[e->id] = i;
  return i;
}

static int32_t
read_var(Interp *in, const GtExpr *e)
{
  int32_t v = e->kind == GT_EX_GLOBAL ? in->globals[e->slot]
                                      : in->stack[in->base + (size_t)e->slot];
  if (v < 0) {
    R(in)->site = e->id;
    gt_rec_fail(R(in), GT_ESYNTAX, "'%s' is used before it is assigned",
                R(in)->env->names->text[e->name]);
  }
  return v;
}

static long
int_arg(Interp *in, const GtExpr *e, const char *what)
{
  int32_t i = eval(in, e);
  GtRec *r = R(in);
  r->site = e->id;
  gt_rec_check_nan(r, i);
  mpfr_srcptr v = r->tape->nodes[i].v;
  if (!mpfr_integer_p(v))
    gt_rec_fail(r, GT_ERUNTIME, "%s must be an integer", what);
  if (mpfr_cmpabs_ui(v, 1UL << 52) > 0) /* the loop counter stays exact */
    gt_rec_fail(r, GT_ERUNTIME, "%s is too large", what);
  long k = mpfr_get_si(v, MPFR_RNDN);
  guard(in, i, GT_GUARD_INT, k);
  return k;
}

static int32_t
call(Interp *in, const GtExpr *e)
{
  GtRec *r = R(in);
  const GtFunc *f = &in->prog->funcs[e->slot];
  if (in->depth >= r->env->opt->max_depth) {
    r->site = e->id;
    gt_rec_fail(r, GT_ERUNTIME,
                "calls nested more than %lu deep (runaway recursion? raise "
                "the limit with --max-depth)", r->env->opt->max_depth);
  }
  /* the interpreter recurses on the C stack: stop before it overflows */
  char probe;
  if ((uintptr_t)in->stack_top - (uintptr_t)&probe > in->stack_budget) {
    r->site = e->id;
    gt_rec_fail(r, GT_ERUNTIME,
                "calls nested %lu deep use up the C stack available to "
                "the run", in->depth);
  }
  size_t need = in->sp + f->nlocals + e->nargs + 1;
  if (need > in->stackcap) {
    size_t cap = in->stackcap * 2 > need ? in->stackcap * 2 : need;
    int32_t *st = realloc(in->stack, cap * sizeof *st);
    if (st == NULL)
      gt_rec_fail(r, GT_ERUNTIME, "out of memory");
    in->stack = st;
    in->stackcap = cap;
  }
  /* arguments are evaluated in the caller, then become the first locals */
  size_t nb = in->sp;
  in->sp += f->nlocals;
  for (size_t k = 0; k < f->nlocals; k++)
    in->stack[nb + k] = -1;
  for (int k = 0; k < e->nargs; k++) {
    int32_t v = eval(in, e->args[k]);
    in->stack[nb + (size_t)k] = v;
  }
  uint32_t frame = gt_tape_frame(r->tape, r->frame, e->id);
  if (frame == UINT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  size_t saved_base = in->base;
  uint32_t saved_frame = r->frame;
  in->base = nb;
  r->frame = frame;
  in->depth++;
  Flow fl = exec_block(in, &f->body);
  in->depth--;
  r->frame = saved_frame;
  in->base = saved_base;
  in->sp = nb;
  int32_t v = fl == FLOW_RETURN ? in->retval : -1;
  in->retval = -1;
  return v;
}

int32_t
gt_rec_taylor(GtRec *r, int32_t y, int32_t x, long k)
{
  if (k == 0)
    return y;
  if (k > 65535)
    gt_rec_fail(r, GT_ERUNTIME, "the order of grad is too large (at most "
                "65535)");
  GtTape hold = { .prec = r->tape->prec };
  mpfr_ptr *out = malloc((size_t)(k + 1) * sizeof *out);
  int ok = out != NULL;
  for (long j = 0; ok && j <= k; j++)
    ok = (out[j] = gt_tape_number(&hold)) != NULL;
  int32_t fail_node = -1;
  int fail_order = 0;
  int rc = ok ? gt_taylor(r->tape, x, y, (int)k, out, &fail_node, &fail_order)
              : -2;
  int32_t i = -1;
  if (rc == 0) {
    i = push(r, GT_OP_TAYLOR, y, x, -1);
    r->tape->nodes[i].aux = (uint16_t)k;
    mpfr_set(r->tape->nodes[i].v, out[k], MPFR_RNDN);
  }
  free(out);
  gt_arena_free(&hold.vals);
  if (rc == -1) {
    const GtNode *n = &r->tape->nodes[fail_node];
    r->site = n->site;
    r->frame = n->frame;
    gt_rec_fail(r, GT_ERUNTIME,
                "derivatives of %s of order %d and higher are not "
                "implemented%s", gt_ops[n->op].name, fail_order,
                n->op >= GT_OP_GAMMA && n->op <= GT_OP_TRIGAMMA
                    ? " (they need polygamma functions of higher order)"
                    : " at this point");
  }
  if (rc != 0)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  return i;
}

/* grad(y, x, k): one recorded reverse sweep for k = 1 (differentiable
   again in every direction), Taylor mode for k >= 2 (O(k^2)). */
static int32_t
grad(Interp *in, const GtExpr *e, int32_t y, int32_t x, long k)
{
  GtRec *r = R(in);
  /* recorded derivative rules branch on values: replays cannot redo them */
  r->tape->no_replay = 1;
  if (k == 1) {
    int32_t g;
    gt_rev_record(r, y, &x, 1, &g);
    y = g;
  } else if (k >= 2)
    y = gt_rec_taylor(r, y, x, k);
  r->site = e->id;
  return y;
}

static int32_t
eval(Interp *in, const GtExpr *e)
{
  GtRec *r = R(in);
  switch ((GtExprKind)e->kind) {
  case GT_EX_NUM:
    return literal(in, e);
  case GT_EX_GLOBAL:
  case GT_EX_LOCAL:
    return read_var(in, e);
  case GT_EX_OP: {
    int32_t v[3] = { -1, -1, -1 };
    for (int k = 0; k < e->nargs && k < 3; k++)
      v[k] = eval(in, e->args[k]);
    r->site = e->id;
    GtOp op = (GtOp)e->op;
    if (op >= GT_OP_EQ && op <= GT_OP_GE) {
      /* a comparison makes a NaN visible */
      gt_rec_check_nan(r, v[0]);
      gt_rec_check_nan(r, v[1]);
    } else if (op == GT_OP_WHERE || op == GT_OP_NOT)
      gt_rec_check_nan(r, v[0]);
    return gt_rec_op(r, op, v[0], v[1], v[2]);
  }
  case GT_EX_AND:
  case GT_EX_OR: {
    int want = e->kind == GT_EX_OR; /* the value that decides early */
    int t = truth(in, eval(in, e->args[0]), e->args[0]->id);
    if (t != want)
      t = truth(in, eval(in, e->args[1]), e->args[1]->id);
    r->site = e->id;
    return gt_rec_const(r, t, 1);
  }
  case GT_EX_CALL: {
    int32_t v = call(in, e);
    if (v < 0) {
      r->site = e->id;
      gt_rec_fail(r, GT_ERUNTIME, "function '%s' ended without returning a "
                  "value", r->env->names->text[in->prog->funcs[e->slot].name]);
    }
    return v;
  }
  case GT_EX_GRAD:
  case GT_EX_HESSIAN: {
    int32_t y = eval(in, e->args[0]);
    int32_t x = eval(in, e->args[1]);
    long k = e->kind == GT_EX_HESSIAN ? 2 : 1;
    if (e->nargs == 3) {
      k = int_arg(in, e->args[2], "the order of grad");
      if (k < 0) {
        r->site = e->args[2]->id;
        gt_rec_fail(r, GT_ERUNTIME, "the order of grad must not be negative");
      }
    }
    return grad(in, e, y, x, k);
  }
  case GT_EX_TENSOR:
    r->site = e->id;
    gt_rec_fail(r, GT_ERUNTIME,
                "tensors are not supported yet in this version of gradtool");
  case GT_EX_STR:
    break;
  }
  r->site = e->id;
  gt_rec_fail(r, GT_ERUNTIME, "internal error: cannot evaluate this");
}

/* ---- statements ----------------------------------------------------------- */

static void
bind(Interp *in, const GtStmt *s, int32_t v)
{
  if (s->target_kind == GT_EX_GLOBAL) {
    in->globals[s->slot] = v;
    if (in->depth == 0 && s->kind != GT_ST_FOR)
      in->last = s->slot;
  } else
    in->stack[in->base + (size_t)s->slot] = v;
}

static void
step(Interp *in, uint32_t site)
{
  if (++in->steps > R(in)->env->opt->max_steps) {
    R(in)->site = site;
    gt_rec_fail(R(in), GT_ERUNTIME,
                "more than %lu loop iterations (an endless loop? raise the "
                "limit with --max-steps)", R(in)->env->opt->max_steps);
  }
}

/* the text of a string literal, escapes resolved; malloc'd */
static char *
string_text(Interp *in, const GtExpr *e)
{
  const GtSource *src = R(in)->env->sources[e->span.src];
  const char *s = src->text + e->span.off + 1;
  size_t n = e->span.len >= 2 ? e->span.len - 2 : 0;
  char *out = malloc(n + 1);
  if (out == NULL)
    gt_rec_fail(R(in), GT_ERUNTIME, "out of memory");
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\\' && i + 1 < n) {
      c = s[++i];
      if (c == 'n')
        c = '\n';
      else if (c == 't')
        c = '\t';
    }
    out[j++] = c;
  }
  out[j] = '\0';
  return out;
}

static void
do_print(Interp *in, const GtStmt *s)
{
  GtRec *r = R(in);
  r->tape->no_replay = 1; /* a replay would not print */
  size_t len = 0, cap = 128;
  in->line = malloc(cap);
  if (in->line == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  in->line[0] = '\0';
  for (size_t k = 0; k < s->nargs; k++) {
    char *piece;
    if (s->args[k]->kind == GT_EX_STR)
      piece = string_text(in, s->args[k]);
    else {
      int32_t v = eval(in, s->args[k]);
      r->site = s->args[k]->id;
      gt_rec_check_nan(r, v);
      piece = gt_format_number(r->tape->nodes[v].v, 0);
    }
    size_t pl = piece ? strlen(piece) : 0;
    if (len + pl + 2 > cap) {
      cap = (len + pl + 2) * 2;
      char *t = realloc(in->line, cap);
      if (t == NULL) {
        free(piece);
        gt_rec_fail(r, GT_ERUNTIME, "out of memory");
      }
      in->line = t;
    }
    if (k > 0)
      in->line[len++] = ' ';
    memcpy(in->line + len, piece ? piece : "", pl);
    len += pl;
    in->line[len] = '\0';
    free(piece);
  }
  if (r->env->opt->print)
    r->env->opt->print(r->env->opt->print_user, in->line);
  free(in->line);
  in->line = NULL;
}

static void
bind_counter(Interp *in, const GtStmt *s, uint32_t site, long k)
{
  GtRec *r = R(in);
  r->site = site;
  int32_t v = gt_rec_leaf(r);
  mpfr_set_si(r->tape->nodes[v].v, k, MPFR_RNDN);
  bind(in, s, v);
}

static Flow
exec_for(Interp *in, const GtStmt *s)
{
  long a = 0, b, st = 1;
  if (s->nargs == 1)
    b = int_arg(in, s->args[0], "a range bound");
  else {
    a = int_arg(in, s->args[0], "a range bound");
    b = int_arg(in, s->args[1], "a range bound");
    if (s->nargs == 3) {
      st = int_arg(in, s->args[2], "the step of range");
      if (st == 0) {
        R(in)->site = s->args[2]->id;
        gt_rec_fail(R(in), GT_ERUNTIME, "the step of range must not be 0");
      }
    }
  }
  uint32_t site = s->args[0]->id;
  long last = a;
  int ran = 0;
  Flow fl = FLOW_NEXT;
  for (long k = a; st > 0 ? k < b : k > b; k += st) {
    step(in, s->site);
    last = k;
    ran = 1;
    if (s->var_read)
      bind_counter(in, s, site, k);
    fl = exec_block(in, &s->body);
    if (fl == FLOW_BREAK || fl == FLOW_RETURN)
      break;
  }
  /* a counter the body never reads is bound once, to its last value */
  if (ran && !s->var_read)
    bind_counter(in, s, site, last);
  return fl == FLOW_RETURN ? fl : FLOW_NEXT;
}

static Flow
exec_stmt(Interp *in, const GtStmt *s)
{
  GtRec *r = R(in);
  switch (s->kind) {
  case GT_ST_EXPR:
    if (s->expr->kind == GT_EX_CALL)
      call(in, s->expr); /* a call may return nothing here */
    else
      eval(in, s->expr);
    return FLOW_NEXT;
  case GT_ST_ASSIGN:
    bind(in, s, eval(in, s->expr));
    return FLOW_NEXT;
  case GT_ST_IF:
    if (truth(in, eval(in, s->expr), s->expr->id))
      return exec_block(in, &s->body);
    for (size_t k = 0; k < s->nargs; k++)
      if (truth(in, eval(in, s->args[k]), s->args[k]->id))
        return exec_block(in, &s->elifs[k]);
    if (s->has_else)
      return exec_block(in, &s->orelse);
    return FLOW_NEXT;
  case GT_ST_FOR:
    return exec_for(in, s);
  case GT_ST_WHILE:
    for (;;) {
      step(in, s->site);
      if (!truth(in, eval(in, s->expr), s->expr->id))
        break;
      Flow fl = exec_block(in, &s->body);
      if (fl == FLOW_BREAK)
        break;
      if (fl == FLOW_RETURN)
        return fl;
    }
    return FLOW_NEXT;
  case GT_ST_BREAK:
    return FLOW_BREAK;
  case GT_ST_CONTINUE:
    return FLOW_CONTINUE;
  case GT_ST_RETURN:
    in->retval = s->expr ? eval(in, s->expr) : -1;
    return FLOW_RETURN;
  case GT_ST_INPUT: {
    int idx = s->input_index;
    int32_t v;
    if (in->at != NULL && in->at[idx] >= 0)
      v = in->at[idx];
    else if (s->expr != NULL) {
      v = eval(in, s->expr);
      /* a default computed after other inputs may depend on them: it
         would go stale in a replay that sets only those */
      for (size_t k = 0; k < in->prog->ninputs; k++)
        if (in->input_nodes[k] >= 0
            && r->tape->nodes[v].op != GT_OP_CONST)
          r->tape->no_replay = 1;
    } else {
      const GtSource *src = r->env->sources[s->namespan.src];
      gt_diag_add(r->env->diags, GT_SEV_ERROR, src, s->namespan,
                  "input '%s' has no default value; give one with --at "
                  "%s=VALUE", r->env->names->text[s->name],
                  r->env->names->text[s->name]);
      r->status = GT_EUSAGE;
      longjmp(*r->fail, 1);
    }
    r->site = s->expr ? s->expr->id : 0;
    int32_t n = push(r, GT_OP_INPUT, -1, -1, -1);
    mpfr_set(r->tape->nodes[n].v, r->tape->nodes[v].v, MPFR_RNDN);
    in->input_nodes[idx] = n;
    bind(in, s, n);
    return FLOW_NEXT;
  }
  case GT_ST_OUTPUT:
    for (size_t k = 0; k < s->nargs; k++) {
      int32_t slot = s->args[k]->slot;
      size_t j = 0;
      while (j < in->nout && in->outs[j] != slot)
        j++;
      if (j == in->nout)
        in->outs[in->nout++] = slot;
    }
    return FLOW_NEXT;
  case GT_ST_ASSERT:
    if (!truth(in, eval(in, s->expr), s->expr->id)) {
      r->site = s->expr->id;
      char *msg = s->nargs ? string_text(in, s->args[0]) : NULL;
      GtSpan sp = s->expr->span;
      gt_diag_add(r->env->diags, GT_SEV_ERROR, r->env->sources[sp.src], sp,
                  "assertion failed%s%s", msg ? ": " : "", msg ? msg : "");
      free(msg);
      add_call_chain(r, r->frame);
      r->status = GT_EASSERT;
      longjmp(*r->fail, 1);
    }
    return FLOW_NEXT;
  case GT_ST_PRINT:
    do_print(in, s);
    return FLOW_NEXT;
  }
  return FLOW_NEXT;
}

static Flow
exec_block(Interp *in, const GtBlock *b)
{
  for (size_t i = 0; i < b->n; i++) {
    Flow fl = exec_stmt(in, b->stmts[i]);
    if (fl != FLOW_NEXT)
      return fl;
  }
  return FLOW_NEXT;
}

/* ---- entry ---------------------------------------------------------------- */

static size_t
count_outputs(const GtBlock *b)
{
  size_t n = 0;
  for (size_t i = 0; i < b->n; i++) {
    const GtStmt *s = b->stmts[i];
    if (s->kind == GT_ST_OUTPUT)
      n += s->nargs;
    n += count_outputs(&s->body);
    for (size_t k = 0; s->kind == GT_ST_IF && k < s->nargs; k++)
      n += count_outputs(&s->elifs[k]);
    if (s->has_else)
      n += count_outputs(&s->orelse);
  }
  return n;
}

/* The C stack a run may use: the option, else the process's limit less
   what the caller may already use, kept within reason. */
static size_t
stack_budget(const GtOptions *opt)
{
  if (opt->max_stack)
    return opt->max_stack;
  struct rlimit rl;
  size_t lim = (size_t)8 << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    lim = (size_t)rl.rlim_cur;
  else if (rl.rlim_cur == RLIM_INFINITY)
    lim = (size_t)256 << 20;
  return lim > ((size_t)2 << 20) ? lim - ((size_t)1 << 20) : lim / 2;
}

static int
setup(Interp *in, const GtProgram *prog, const GtRunEnv *env, GtTape *tape,
      jmp_buf *fail)
{
  memset(in, 0, sizeof *in);
  in->stack_top = (const char *)__builtin_frame_address(0);
  in->stack_budget = stack_budget(env->opt);
  in->rec.tape = tape;
  in->rec.env = env;
  in->rec.prog = prog;
  in->rec.fail = fail;
  for (int k = 0; k < 4; k++)
    in->rec.cache[k] = -1;
  in->prog = prog;
  in->last = -1;
  in->retval = -1;
  in->globals = malloc((prog->nglobals + 1) * sizeof *in->globals);
  in->lits = malloc((prog->nexprs + 1) * sizeof *in->lits);
  in->rec.kinks = calloc(prog->nexprs + 1, 1);
  in->stackcap = 256;
  in->stack = malloc(in->stackcap * sizeof *in->stack);
  in->outs = malloc((count_outputs(&prog->top) + 1) * sizeof *in->outs);
  in->input_nodes = malloc((prog->ninputs + 1) * sizeof *in->input_nodes);
  if (!in->globals || !in->lits || !in->rec.kinks || !in->stack || !in->outs
      || !in->input_nodes)
    return -1;
  memset(in->globals, 0xff, (prog->nglobals + 1) * sizeof *in->globals);
  memset(in->lits, 0xff, (prog->nexprs + 1) * sizeof *in->lits);
  memset(in->input_nodes, 0xff, (prog->ninputs + 1) * sizeof *in->input_nodes);
  return 0;
}

static void
teardown(Interp *in)
{
  free(in->globals);
  free(in->lits);
  free(in->rec.kinks);
  free(in->line);
  free(in->stack);
  free(in->outs);
  free(in->input_nodes);
}

/* the predefined constants pi, e, inf and nan */
static void
predefine(Interp *in)
{
  GtRec *r = R(in);
  for (int k = 0; k < GT_NPREDEF; k++) {
    int32_t i = gt_rec_leaf(r);
    mpfr_ptr v = r->tape->nodes[i].v;
    switch (k) {
    case GT_GLOBAL_PI: mpfr_const_pi(v, MPFR_RNDN); break;
    case GT_GLOBAL_E: mpfr_set_ui(v, 1, MPFR_RNDN); mpfr_exp(v, v, MPFR_RNDN); break;
    case GT_GLOBAL_INF: mpfr_set_inf(v, 1); break;
    default: mpfr_set_nan(v); break;
    }
    in->globals[k] = i;
  }
}

GtStatus
gt_interp_run(const GtProgram *prog, const GtRunEnv *env, GtTape *tape,
              const int32_t *at, GtRunResult *res)
{
  memset(res, 0, sizeof *res);
  Interp in;
  jmp_buf fail;
  if (setup(&in, prog, env, tape, &fail) != 0) {
    teardown(&in);
    gt_diag_add(env->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                "out of memory");
    return GT_ERUNTIME;
  }
  in.at = at;
  if (setjmp(fail)) {
    GtStatus st = in.rec.status;
    teardown(&in);
    return st ? st : GT_ERUNTIME;
  }
  predefine(&in);
  exec_block(&in, &prog->top);

  /* outputs: declared ones, else the last top-level binding */
  if (in.nout == 0 && in.last >= 0)
    in.outs[in.nout++] = in.last;
  res->out_names = malloc((in.nout + 1) * sizeof *res->out_names);
  res->out_nodes = malloc((in.nout + 1) * sizeof *res->out_nodes);
  if (!res->out_names || !res->out_nodes) {
    gt_run_result_free(res);
    gt_rec_fail(&in.rec, GT_ERUNTIME, "out of memory");
  }
  res->nout = in.nout;
  for (size_t k = 0; k < in.nout; k++) {
    int32_t slot = in.outs[k];
    res->out_names[k] = (uint32_t)prog->global_name[slot];
    res->out_nodes[k] = in.globals[slot];
    if (in.globals[slot] < 0) {
      gt_diag_add(env->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                  "output '%s' is never assigned",
                  env->names->text[prog->global_name[slot]]);
      gt_run_result_free(res);
      teardown(&in);
      return GT_ERUNTIME;
    }
  }
  if (setjmp(fail)) {
    gt_run_result_free(res);
    teardown(&in);
    return GT_ERUNTIME;
  }
  in.rec.site = 0;
  for (size_t k = 0; k < res->nout; k++)
    gt_rec_check_nan(&in.rec, res->out_nodes[k]);
  tape->run_nodes = tape->n;
  res->input_nodes = in.input_nodes;
  res->globals = in.globals;
  res->any_kink = in.rec.any_kink;
  in.input_nodes = NULL;
  in.globals = NULL;
  teardown(&in);
  return GT_OK;
}

GtStatus
gt_interp_eval_at(const GtProgram *prog, const GtRunEnv *env, GtTape *tape,
                  int32_t *node)
{
  Interp in;
  jmp_buf fail;
  if (setup(&in, prog, env, tape, &fail) != 0) {
    teardown(&in);
    return GT_ERUNTIME;
  }
  if (setjmp(fail)) {
    GtStatus st = in.rec.status;
    teardown(&in);
    return st ? st : GT_ERUNTIME;
  }
  predefine(&in);
  const GtExpr *e = prog->top.stmts[0]->expr;
  int32_t v = eval(&in, e);
  in.rec.site = e->id;
  gt_rec_check_nan(&in.rec, v);
  *node = v;
  teardown(&in);
  return GT_OK;
}

void
gt_run_result_free(GtRunResult *res)
{
  free(res->out_names);
  free(res->out_nodes);
  free(res->input_nodes);
  free(res->globals);
  memset(res, 0, sizeof *res);
}
