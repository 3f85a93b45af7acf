/* rec.c -- the recorder: appends nodes to the tape and reports errors.
 *
 * Everything that records goes through here: the interpreter (interp.c),
 * the recorded adjoint rules (ops.c, tensor.c), the recorded sweep
 * (reverse.c) and the tensor built-ins (tfunc.c).  This file holds what
 * they share: pushing nodes, constants and leaves; a run-time error at
 * the current expression with the chain of calls that led there; kinks
 * (abs at 0, a tie of max) kept pending until a derivative through them
 * is asked for; the elementwise op on tensors, broadcast as NumPy does;
 * work charging for the operations a node count does not show; grad of
 * order k as one node computed by Taylor mode; and the NaN policy (a NaN
 * is an error at the primitive that made it, unless --nan-ok).
 *
 * Layering: this file calls the tape (tape.c: nodes, shapes, queries),
 * the op table's forward rules (through gt_ops), the numeric Taylor sweep
 * (taylor.c, which records nothing) and diagnostics.  It calls nothing
 * that records: the interpreter, the recorded adjoint rules, the recorded
 * reverse sweep and the tensor builders all call in, never the reverse
 * (tests/callgraph.py checks that lib/ has no cycle of calls).  Errors jump
 * to r->fail (a longjmp: the tape and the run's arrays own all memory).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sf.h"

/* ---- failure and the call chain ----------------------------------------- */

static const GtSource *
site_source(const GtRec *r, uint32_t site, GtSpan *sp)
{
  const GtExpr *e = r->prog->exprs[site < r->prog->nexprs ? site : 0];
  *sp = e->span;
  return r->env->sources[sp->src];
}

/* Notes naming the calls that led to frame, innermost first; a run of
   recursive calls from one place is one note. */
void
gt_rec_call_chain(GtRec *r, uint32_t frame)
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
  gt_rec_call_chain(r, frame);
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

/* A special function of sf.c could not reach the working precision
   (GT_SF_NOCONV): its value is not to be trusted, so it is an error at
   the call rather than a silent number. */
static _Noreturn void
no_conv(GtRec *r, int32_t i)
{
  fail_at_node(r, i, "%s could not be computed to %ld bits at this point "
               "(its method does not converge here)",
               gt_ops[r->tape->nodes[i].op].name, (long)r->tape->prec);
}

/* ---- kink notes --------------------------------------------------------- */

void
gt_rec_note_kink(GtRec *r, GtOp op)
{
  (void)op; /* the node's own op names the note */
  if (r->flags & GT_NF_ADJ)
    return; /* derivative rules evaluate kinks on purpose */
  r->any_kink = 1;
  GtKinks *k = r->kinks;
  if (k == NULL || r->tape->n == 0)
    return;
  int32_t i = (int32_t)r->tape->n - 1;
  if (k->n > 0 && k->node[k->n - 1] == i)
    return;
  if (k->n == k->cap) {
    size_t cap = k->cap ? 2 * k->cap : 16;
    int32_t *p = realloc(k->node, cap * sizeof *p);
    if (p == NULL)
      gt_rec_fail(r, GT_ERUNTIME, "out of memory");
    k->node = p;
    k->cap = cap;
  }
  k->node[k->n++] = i;
}

/* Does a derivative flow from operand slot k of node n into n? where()'s
   condition carries none; non-smooth ops carry none at all. */
static int
carries(const GtNode *n, size_t k)
{
  if (!gt_ops[n->op].smooth)
    return 0;
  return !(n->op == GT_OP_WHERE && k == 0);
}

void
gt_rec_kinks_note(GtKinks *k, const GtTape *t, const GtProgram *prog,
                  const GtRunEnv *env, const int32_t *outs, size_t nouts,
                  const int32_t *wrt, size_t nwrt)
{
  if (k == NULL || k->n == 0 || nouts == 0 || nwrt == 0)
    return;
  int32_t lo = INT32_MAX, hi = -1;
  for (size_t j = 0; j < nwrt; j++)
    lo = wrt[j] < lo ? wrt[j] : lo;
  for (size_t j = 0; j < nouts; j++)
    hi = outs[j] > hi ? outs[j] : hi;
  /* only kinks strictly after a name and not after an output matter */
  int due = 0;
  for (size_t j = 0; j < k->n && !due; j++) {
    int32_t i = k->node[j];
    uint32_t site = t->nodes[i].site;
    due = i > lo && i <= hi && site < k->nsites && !k->noted[site];
  }
  if (!due)
    return;
  size_t span = (size_t)(hi - lo) + 1;
  unsigned char *f = calloc(span, 1);
  if (f == NULL)
    return; /* a note is not worth an out-of-memory error */
  enum { DEPENDS = 1, USED = 2, NAME = 4 };
  for (size_t j = 0; j < nwrt; j++)
    if (wrt[j] <= hi)
      f[wrt[j] - lo] |= DEPENDS | NAME;
  for (int32_t i = lo; i <= hi; i++) {
    if (f[i - lo] & DEPENDS)
      continue;
    int32_t buf[3];
    const int32_t *ops;
    size_t nops = gt_node_operands(t, i, buf, &ops);
    for (size_t m = 0; m < nops; m++)
      if (ops[m] >= lo && (f[ops[m] - lo] & DEPENDS)
          && carries(&t->nodes[i], m)) {
        f[i - lo] |= DEPENDS;
        break;
      }
  }
  for (size_t j = 0; j < nouts; j++)
    if (outs[j] >= lo)
      f[outs[j] - lo] |= USED;
  for (int32_t i = hi; i >= lo; i--) {
    if ((f[i - lo] & (DEPENDS | USED)) != (DEPENDS | USED))
      continue;
    int32_t buf[3];
    const int32_t *ops;
    size_t nops = gt_node_operands(t, i, buf, &ops);
    for (size_t m = 0; m < nops; m++)
      if (ops[m] >= lo && carries(&t->nodes[i], m))
        f[ops[m] - lo] |= USED;
  }
  for (size_t j = 0; j < k->n; j++) {
    int32_t i = k->node[j];
    if (i < lo || i > hi || (f[i - lo] & NAME)
        || (f[i - lo] & (DEPENDS | USED)) != (DEPENDS | USED))
      continue;
    const GtNode *n = &t->nodes[i];
    if (n->site >= k->nsites || k->noted[n->site]
        || gt_ops[n->op].kink_note == NULL)
      continue;
    k->noted[n->site] = 1;
    const GtExpr *e = prog->exprs[n->site < prog->nexprs ? n->site : 0];
    gt_diag_add(env->diags, GT_SEV_NOTE, env->sources[e->span.src], e->span,
                "%s", gt_ops[n->op].kink_note);
  }
  free(f);
}

void
gt_rec_kinks_free(GtKinks *k)
{
  free(k->node);
  free(k->noted);
  memset(k, 0, sizeof *k);
}

/* ---- pushing nodes, constants and leaves -------------------------------- */

static void
push_failed(GtRec *r, int32_t i)
{
  if (i == -2)
    gt_rec_fail(r, GT_ERUNTIME,
                "the recording exceeds %zu nodes (raise the limit with "
                "--max-nodes)", r->tape->max_nodes);
  if (i == -3)
    gt_rec_fail(r, GT_ERUNTIME,
                "a tensor of more than %zu elements (raise the limit with "
                "--max-elements)", r->tape->max_elems);
  gt_rec_fail(r, GT_ERUNTIME, "out of memory while recording");
}

static int32_t
push(GtRec *r, GtOp op, int32_t a, int32_t b, int32_t c)
{
  int32_t i = gt_tape_push(r->tape, op, a, b, c, r->site, r->frame);
  if (i < 0)
    push_failed(r, i);
  r->tape->nodes[i].flags = r->flags;
  return i;
}

int32_t
gt_rec_push_shaped(GtRec *r, GtOp op, int32_t a, int32_t b, int32_t c,
                   const GtShape *s)
{
  uint32_t sid = gt_tape_shape(r->tape, s);
  if (sid == UINT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  int32_t i = gt_tape_push_shaped(r->tape, op, a, b, c, sid, r->site,
                                  r->frame);
  if (i < 0)
    push_failed(r, i);
  r->tape->nodes[i].flags = r->flags;
  return i;
}

int32_t
gt_rec_push_alias(GtRec *r, GtOp op, int32_t a, const GtShape *s, mpfr_ptr v)
{
  uint32_t sid = gt_tape_shape(r->tape, s);
  if (sid == UINT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  int32_t i = gt_tape_push_alias(r->tape, op, a, sid, r->site, r->frame, v);
  if (i < 0)
    push_failed(r, i);
  r->tape->nodes[i].flags = r->flags;
  return i;
}

int32_t
gt_rec_leaf(GtRec *r)
{
  return push(r, GT_OP_CONST, -1, -1, -1);
}

void
gt_rec_leafsrc(GtRec *r, int32_t i, int kind, uint32_t arg)
{
  if (gt_tape_leafsrc(r->tape, i, kind, (GtSpan){ 0, arg, 0 }) != 0)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
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

/* A constant tensor of shape s, elements zero (fresh numbers are 0). */
int32_t
gt_rec_zeros(GtRec *r, const GtShape *s)
{
  return gt_rec_push_shaped(r, GT_OP_CONST, -1, -1, -1, s);
}

/* ---- elementwise operations and the broadcasting walk ------------------- */

void
gt_rec_walk_init(GtWalk *w, const GtShape *s)
{
  memset(w, 0, sizeof *w);
  w->s = s;
}

int
gt_rec_walk_add(GtWalk *w, const GtShape *in)
{
  int k = w->n++;
  if (in != NULL)
    gt_bcast_strides(w->s, in, w->st[k]);
  return k;
}

void
gt_rec_broadcast(GtRec *r, GtOp op, GtShape *s, int32_t i)
{
  GtShape next;
  if (gt_broadcast(s, gt_node_shape(r->tape, i), &next) != 0) {
    char x[128], y[128];
    gt_rec_fail(r, GT_ERUNTIME, "%s: shapes %s and %s do not broadcast "
                "together", gt_ops[op].name, gt_shape_str(s, x, sizeof x),
                gt_shape_str(gt_node_shape(r->tape, i), y, sizeof y));
  }
  *s = next;
}

/* An elementwise op on tensors: the operands broadcast to one shape, as
   NumPy's do, and the scalar rule runs on every element. */
static int32_t
rec_elementwise(GtRec *r, GtOp op, int32_t a, int32_t b, int32_t c)
{
  GtTape *t = r->tape;
  int32_t ops[3] = { a, b, c };
  GtShape out = { 0, 1, { 0 } };
  for (int k = 0; k < 3; k++)
    if (ops[k] >= 0)
      gt_rec_broadcast(r, op, &out, ops[k]);
  if (gt_ops[op].pair != NULL) {
    /* each element with its companion, by one call (GT_NF_PAIR) */
    uint32_t sid = gt_tape_shape(t, &out);
    if (sid == UINT32_MAX)
      gt_rec_fail(r, GT_ERUNTIME, "out of memory");
    int32_t i = gt_tape_push_shaped_pair(t, op, a, sid, r->site, r->frame);
    if (i < 0)
      push_failed(r, i);
    GtNode *n = &t->nodes[i];
    n->flags |= r->flags;
    mpfr_srcptr x = t->nodes[a].v;  /* a has the node's shape */
    for (size_t e = 0; e < out.size; e++)
      gt_ops[op].pair(&n->v[e], &n->v[out.size + e], &x[e]);
    return i;
  }
  int32_t i = gt_rec_push_shaped(r, op, a, b, c, &out);
  const GtNode *nodes = t->nodes;
  mpfr_srcptr base[3] = { NULL, NULL, NULL };
  GtWalk w;
  gt_rec_walk_init(&w, &out);
  for (int k = 0; k < 3; k++) {
    gt_rec_walk_add(&w, ops[k] >= 0 ? gt_node_shape(t, ops[k]) : NULL);
    if (ops[k] >= 0)
      base[k] = nodes[ops[k]].v;
  }
  int fl = 0;
  mpfr_ptr y = nodes[i].v;
  for (size_t e = 0; e < out.size; e++, gt_rec_walk_next(&w))
    fl |= gt_ops[op].fwd(&y[e], base[0] ? &base[0][w.off[0]] : NULL,
                         base[1] ? &base[1][w.off[1]] : NULL,
                         base[2] ? &base[2][w.off[2]] : NULL);
  if (fl & GT_FWD_KINK)
    gt_rec_note_kink(r, op);
  if (fl & GT_FWD_NOCONV)
    no_conv(r, i);
  return i;
}

/* One call of erf, erfc or the gamma family costs far more than its
   precision suggests, and no loop limit sees it: measured with MPFR 4.2
   (one core), lgamma, gamma and digamma at 0.7 take 0.08 s at 5000 bits,
   0.8 s at 10000, 8 s at 20000 and minutes at 50000; erfc(120) takes 1 s
   at 10000 bits and erfc(150) more than 10 s at 20000; trigamma (special.c)
   costs about as much as digamma, plus Bernoulli numbers for minutes at
   10^5 bits.  (sin, exp, log, pow stay within 2 s at 10^6 bits.)  So these
   functions refuse precisions above GT_SPECIAL_MAX_PREC, before the call,
   with an error at the call: at most about a second each.  Their
   derivatives (digamma, trigamma, exp) run at the same precision. */
#define GT_SPECIAL_MAX_PREC 10000

static void
check_special_prec(GtRec *r, GtOp op)
{
  switch (op) {
  case GT_OP_ERF: case GT_OP_ERFC: case GT_OP_GAMMA: case GT_OP_LGAMMA:
  case GT_OP_DIGAMMA: case GT_OP_TRIGAMMA: case GT_OP_NORM_CDF:
  case GT_OP_NORM_LOGCDF: case GT_OP_ERFINV: case GT_OP_LAMBERTW:
  case GT_OP_POLYGAMMA: case GT_OP_BESSELJ: case GT_OP_BESSELY:
  case GT_OP_ZETA: case GT_OP_ZETA_D: case GT_OP_BETA: case GT_OP_LBETA:
  case GT_OP_BETA_D: case GT_OP_LBETA_D: case GT_OP_GAMMA_INC:
  case GT_OP_GAMMA_INC_D:
    if (r->tape->prec > GT_SPECIAL_MAX_PREC)
      gt_rec_fail(r, GT_ERUNTIME, "%s is limited to %d bits of precision "
                  "(this run uses %ld): beyond, one call takes minutes",
                  gt_ops[op].name, GT_SPECIAL_MAX_PREC,
                  (long)r->tape->prec);
    break;
  default:
    break;
  }
}

/* sin, cos and tan reduce their argument modulo pi/2 with as many bits
   of pi as the argument's exponent: measured with MPFR 4.2 (one core),
   sin(1e1000000) takes 1.2 s and sin(2^(2^24)) 9.5 s, and an argument
   near MPFR's largest exponent (2^(2^30), reached by squaring a number
   thirty times) minutes.  An argument beyond 2^(2^24) is refused before
   the call, with an error at the call. */
#define GT_TRIG_MAX_EXP (1L << 24)

static void
check_trig_arg(GtRec *r, GtOp op, int32_t a)
{
  if ((op != GT_OP_SIN && op != GT_OP_COS && op != GT_OP_TAN) || a < 0)
    return;
  size_t n = gt_node_size(r->tape, a);
  for (size_t k = 0; k < n; k++) {
    mpfr_srcptr x = &r->tape->nodes[a].v[k];
    if (mpfr_regular_p(x) && mpfr_get_exp(x) > GT_TRIG_MAX_EXP)
      gt_rec_fail(r, GT_ERUNTIME, "%s of a number beyond 2^%ld (its "
                  "argument reduction would take minutes)", gt_ops[op].name,
                  GT_TRIG_MAX_EXP);
  }
}

int32_t
gt_rec_op(GtRec *r, GtOp op, int32_t a, int32_t b, int32_t c)
{
  check_special_prec(r, op);
  check_trig_arg(r, op, a);
  GtNode *nodes = r->tape->nodes;
  if ((a >= 0 && nodes[a].shape) || (b >= 0 && nodes[b].shape)
      || (c >= 0 && nodes[c].shape))
    return rec_elementwise(r, op, a, b, c);
  if (gt_ops[op].pair != NULL) {
    /* y and its companion by one call, both kept (GT_NF_PAIR) */
    int32_t i = gt_tape_push_pair(r->tape, op, a, r->site, r->frame);
    if (i < 0)
      push_failed(r, i);
    nodes = r->tape->nodes;
    nodes[i].flags |= r->flags;
    gt_ops[op].pair(nodes[i].v, &nodes[i].v[1], nodes[a].v);
    return i;
  }
  int32_t i = push(r, op, a, b, c);
  nodes = r->tape->nodes;
  int fl = gt_ops[op].fwd(nodes[i].v, a >= 0 ? nodes[a].v : NULL,
                          b >= 0 ? nodes[b].v : NULL,
                          c >= 0 ? nodes[c].v : NULL);
  if (fl & GT_FWD_KINK)
    gt_rec_note_kink(r, op);
  if (fl & GT_FWD_NOCONV)
    no_conv(r, i);
  return i;
}

/* ---- NaN policy --------------------------------------------------------- */

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
  return (gt_ops[op].flags & GT_OPF_INFIX) != 0;
}

/* Element `at` of a broadcast operand of a node of `size` elements. */
static mpfr_srcptr
elem_at(const GtTape *t, int32_t i, size_t at, size_t size)
{
  size_t sz = gt_node_size(t, i);
  return &t->nodes[i].v[sz == size ? at : 0];
}

/* A grad(y, x, k) by Taylor mode came out NaN: sweep again to find the
   primitive whose Taylor rule made the NaN, and fail there (a value that
   overflowed, or a point without a Taylor series, as 1/x at 0).  Returns
   when it cannot tell. */
static void
taylor_nan(GtRec *r, int32_t o)
{
  const GtTape *t = r->tape;
  const GtNode *n = &t->nodes[o];
  int k = n->aux;
  GtTape hold = { .prec = t->prec };
  mpfr_ptr *d = malloc((size_t)(k + 1) * sizeof *d);
  int ok = d != NULL;
  for (int j = 0; ok && j <= k; j++)
    ok = (d[j] = gt_tape_number(&hold)) != NULL;
  int32_t fn = -1;
  int fo;
  if (ok && gt_taylor(t, n->b, n->a, k, d, &fn, &fo) != GT_TAYLOR_OK)
    fn = -1;
  free(d);
  gt_arena_free(&hold.vals);
  if (fn < 0)
    return;
  int fault = gt_tape_range_fault(t, fn, 0);
  if (fault)
    fail_at_node(r, fn, "%s %s here (its exact value is beyond MPFR's "
                 "exponent range), so the order-%d derivative through it "
                 "would be wrong", gt_ops[t->nodes[fn].op].name,
                 fault == 1 ? "overflows to inf" : "underflows to 0", k);
  fail_at_node(r, fn, "the derivatives of %s are not numbers (NaN) at this "
               "point (needed for grad(..., %d))", gt_ops[t->nodes[fn].op].name,
               k);
}

void
gt_rec_check_nan(GtRec *r, int32_t i)
{
  const GtTape *t = r->tape;
  if (r->env->opt->nan_ok || !gt_node_has_nan(t, i))
    return;
  int32_t o = gt_tape_nan_origin(t, i);
  /* an input holds a copy of the value it was given (param - 1): a NaN
     computed there (input w = acosh(0.25)) is blamed on the primitive
     that made it, not taken for one the user wrote */
  if (t->nodes[o].op == GT_OP_INPUT && t->nodes[o].param != 0
      && gt_node_has_nan(t, (int32_t)t->nodes[o].param - 1))
    o = gt_tape_nan_origin(t, (int32_t)t->nodes[o].param - 1);
  const GtNode *n = &t->nodes[o];
  if (n->op == GT_OP_CONST || n->op == GT_OP_INPUT)
    return; /* a NaN the user wrote (nan, --at x=nan) */
  /* the first NaN element, and the operands' elements behind it */
  size_t osz = gt_node_size(t, o), at = 0;
  while (at < osz && !mpfr_nan_p(&n->v[at]))
    at++;
  if (at == osz)
    at = 0;
  if (gt_is_tensor_op((GtOp)n->op))
    fail_at_node(r, o, "%s gives NaN (not a number); pass --nan-ok to allow "
                 "NaN values", gt_ops[n->op].name);
  if (n->op == GT_OP_TAYLOR)
    taylor_nan(r, o);
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
      /* a node an earlier entry of the interactive session recorded
         may have a site beyond this entry's expressions */
      uint32_t site = t->nodes[j].site;
      const GtExpr *e = site < r->prog->nexprs ? r->prog->exprs[site] : NULL;
      if (e != NULL && e->kind == GT_EX_OP)
        fail_at_node(r, j, "the derivative of %s is not a number (NaN) here",
                     gt_ops[e->op].name);
    }
  }
  char *a = n->a >= 0 ? short_num(elem_at(t, n->a, at, osz)) : NULL;
  char *b = n->b >= 0 ? short_num(elem_at(t, n->b, at, osz)) : NULL;
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
  char where[64] = "";
  if (osz > 1)
    snprintf(where, sizeof where, " (element %zu)", at);
  if (n->flags & GT_NF_ADJ)
    fail_at_node(r, o, "the derivative of %s is not a number (NaN) here%s: "
                 "its rule computes %s", info->name, where, buf);
  if (info->sf)
    fail_at_node(r, o, "%s is not a number (NaN)%s: %s; pass --nan-ok to "
                 "allow NaN values", buf, where,
                 gt_sf_domain((GtSf)(info->sf - 1)));
  if (info->domain)
    fail_at_node(r, o, "%s is not a number (NaN)%s: %s; pass --nan-ok to "
                 "allow NaN values", buf, where, info->domain);
  fail_at_node(r, o, "%s is not a number (NaN)%s; pass --nan-ok to allow "
               "NaN values", buf, where);
}

/* ---- work charging and Taylor-mode nodes ------------------------------- */

void
gt_rec_charge(GtRec *r, double ops)
{
  r->work += ops;
  double limit = 10.0 * (double)r->env->opt->max_steps;
  if (r->work > limit)
    gt_rec_fail(r, GT_ERUNTIME,
                "this would take more than %.3g MPFR operations (the limit "
                "is 10 times --max-steps)", limit);
}

/* The MPFR operations of a Taylor sweep of order k over the nodes x..y:
   O(k^2) each, at the working precision plus 2k guard bits. */
static double
taylor_cost(const GtTape *t, int32_t y, int32_t x, long k)
{
  double span = y >= x ? (double)(y - x) + 1 : 1;
  double wide = (double)(t->prec + 2 * k) / 128.0;
  return (double)k * (double)k * span * (wide > 1 ? wide : 1);
}

int32_t
gt_rec_taylor(GtRec *r, int32_t y, int32_t x, long k)
{
  if (k == 0)
    return y;
  gt_rec_charge(r, taylor_cost(r->tape, y, x, k));
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
  GtTaylorStatus rc = ok ? gt_taylor(r->tape, x, y, (int)k, out, &fail_node,
                                     &fail_order)
                         : GT_TAYLOR_NOMEM;
  int32_t i = -1;
  if (rc == GT_TAYLOR_OK) {
    i = push(r, GT_OP_TAYLOR, y, x, -1);
    r->tape->nodes[i].aux = (uint16_t)k;
    mpfr_set(r->tape->nodes[i].v, out[k], MPFR_RNDN);
  }
  free(out);
  gt_arena_free(&hold.vals);
  if (rc == GT_TAYLOR_NORULE) {
    const GtNode *n = &r->tape->nodes[fail_node];
    r->site = n->site;
    r->frame = n->frame;
    gt_rec_fail(r, GT_ERUNTIME,
                "derivatives of %s of order %d and higher are not "
                "implemented at this point", gt_ops[n->op].name,
                fail_order);
  }
  if (rc == GT_TAYLOR_TENSOR)
    gt_rec_fail(r, GT_ERUNTIME, "grad(y, x, %ld) is computed in Taylor mode, "
                "which works on scalars only; nest grad() for tensors", k);
  if (rc != GT_TAYLOR_OK)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  return i;
}
