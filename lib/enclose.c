/* enclose.c -- values and derivatives as proven intervals (--enclose)
 *
 * The run computes midpoints in MPFR as always and records the tape; the
 * derivatives asked for are recorded too (reverse sweeps that append
 * their nodes: grad of grad, Jacobians), so that every number to print is
 * a node of one DAG of primitive ops.  That DAG is then replayed in Arb
 * balls, one ball per element of each node that a result or a control
 * decision needs, in tape order, by each op's ball rule (ball.c):
 *
 *   - a literal is enclosed from its exact decimal text (the tape's leaf
 *     sources), pi and e by Arb's constants, an input from its value's
 *     node, the constants that derivative rules and linspace compute
 *     (2/sqrt(pi), log 2, b - 1 of x^b, k/(n-1)) from their definitions;
 *     the other leaves (integers, 1/2, counts, values set through the
 *     API) are exact when their value has at most half the working
 *     precision's bits, else enclosed as value +- 4 ulp (a safety net:
 *     no such leaf is known);
 *   - every comparison and every kink is decided again on the balls, and
 *     every control decision of the run (the tape's guards: conditions,
 *     loop bounds) must come out the same, or the result is a located
 *     error (GT_ERUNTIME) naming the op and the intervals;
 *   - a ball outside an op's domain (log of a ball containing 0, the
 *     derivative of sqrt at 0) is a located error as well.
 *
 * The results are the balls' bounds as MPFR numbers of the working
 * precision, the lower rounded down and the upper up.  Cost: the recorded
 * derivatives (about 3 times the run per order) and one Arb operation per
 * element of each needed node.
 */
#include <stdlib.h>
#include <string.h>

#include "ball.h"

/* What a session keeps of its last enclosure (GtSession.enclosed). */
struct GtEnclosed {
  GtEnclosure *e;
  size_t n;
  GtTape nums;          /* the bounds */
  const char **wrt;     /* storage for the entries' wrt lists */
};

void
gt_enclose_drop(GtSession *s)
{
  struct GtEnclosed *x = s->enclosed;
  if (x == NULL)
    return;
  free(x->e);
  free(x->wrt);
  gt_tape_free(&x->nums);
  free(x);
  s->enclosed = NULL;
}

/* ---- errors ------------------------------------------------------------ */

static GtStatus
plain_error(GtSession *s, const char *msg)
{
  gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 }, "%s", msg);
  return GT_ERUNTIME;
}

/* A name of a derivative that the program does not have (usage). */
static GtStatus
no_name(GtSession *s, const char *opt, const char *what, const char *name)
{
  gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
              "%s: the program has no %s or variable named '%s'", opt, what,
              name);
  return GT_EUSAGE;
}

/* "[LO, HI]" of a ball, 12 digits each way (malloc'd, or NULL). */
static char *
ball_text(arb_srcptr x)
{
  if (!arb_is_finite(x)) {
    char *r = malloc(16);
    if (r)
      strcpy(r, "[-inf, inf]");
    return r;
  }
  mpfr_t v;
  mpfr_init2(v, 64);
  arf_t b;
  arf_init(b);
  arb_get_lbound_arf(b, x, 64);
  arf_get_mpfr(v, b, MPFR_RNDD);
  char *lo = gt_format_bound(v, 12, 0);
  arb_get_ubound_arf(b, x, 64);
  arf_get_mpfr(v, b, MPFR_RNDU);
  char *hi = gt_format_bound(v, 12, 1);
  arf_clear(b);
  mpfr_clear(v);
  char *r = NULL;
  if (lo && hi && (r = malloc(strlen(lo) + strlen(hi) + 5)) != NULL)
    sprintf(r, "[%s, %s]", lo, hi);
  free(lo);
  free(hi);
  return r;
}

/* The located error at node i (its site, with the call chain): what, and
   the operands' intervals a, b (may be NULL). */
static GtStatus
node_error(GtSession *s, int32_t i, const char *what, arb_srcptr a,
           arb_srcptr b, int undecided)
{
  const GtNode *n = &s->tape.nodes[i];
  char *ta = a ? ball_text(a) : NULL, *tb = b ? ball_text(b) : NULL;
  /* a node without a site (the constant inf, an --at value): the first
     operation that uses it shows where */
  for (int32_t j = i + 1; n->site == 0 && j < (int32_t)s->tape.n; j++) {
    int32_t buf[3];
    const int32_t *ops;
    size_t m = gt_node_operands(&s->tape, j, buf, &ops);
    for (size_t k = 0; k < m; k++)
      if (ops[k] == i && s->tape.nodes[j].site != 0) {
        n = &s->tape.nodes[j];
        break;
      }
  }
  const GtExpr *ex = s->prog->exprs[n->site < s->prog->nexprs ? n->site
                                                                : 0];
  GtSpan sp = ex ? ex->span : (GtSpan){ 0, 0, 0 };
  const GtSource *src = n->site && ex ? s->sources[sp.src] : NULL;
  const char *in = n->flags & GT_NF_ADJ ? " (in the derivative of this "
                                          "expression)" : "";
  const char *more = undecided ? "; more precision (--prec) may decide it, "
                                 "unless the exact values are equal"
                               : "";
  if (ta && tb)
    gt_diag_add(&s->diags, GT_SEV_ERROR, src, sp, "--enclose: %s%s: the "
                "operands are in %s and %s%s", what, in, ta, tb, more);
  else if (ta)
    gt_diag_add(&s->diags, GT_SEV_ERROR, src, sp, "--enclose: %s%s: the "
                "operand is in %s%s", what, in, ta, more);
  else
    gt_diag_add(&s->diags, GT_SEV_ERROR, src, sp, "--enclose: %s%s", what,
                in);
  free(ta);
  free(tb);
  GtRunEnv env = { &s->opt, s->sources, &s->diags, &s->names };
  GtRec r = { .tape = &s->tape, .env = &env, .prog = s->prog };
  gt_rec_call_chain(&r, n->frame);
  return GT_ERUNTIME;
}

/* The error of ball rule status st at element operands a, b of node i. */
static GtStatus
rule_error(GtSession *s, int32_t i, int st, arb_srcptr a, arb_srcptr b)
{
  const GtNode *n = &s->tape.nodes[i];
  const GtOpInfo *op = &gt_ops[n->op];
  char what[160];
  if (st == GT_BALL_NORULE)
    snprintf(what, sizeof what, "%s has no ball rule: %s", op->name,
             gt_ball_rules[n->op].exempt ? gt_ball_rules[n->op].exempt
                                         : "not implemented");
  else if (gt_ops[n->op].flags & GT_OPF_LEAF)
    snprintf(what, sizeof what, "a %s that is not a finite number has no "
             "enclosure", op->name);
  else if (st == GT_BALL_UNDECIDED && (op->flags & GT_OPF_CMP))
    snprintf(what, sizeof what, "cannot decide the comparison '%s'",
             op->name);
  else if (st == GT_BALL_UNDECIDED)
    snprintf(what, sizeof what, "cannot decide which side of its kink "
             "or jump %s is on", op->name);
  else
    snprintf(what, sizeof what, "cannot enclose %s: the interval reaches "
             "outside its domain or a pole", op->name);
  if (st == GT_BALL_NORULE)
    return node_error(s, i, what, NULL, NULL, 0);
  return node_error(s, i, what, a, b, st == GT_BALL_UNDECIDED);
}

/* ---- leaves ------------------------------------------------------------ */

/* x = value v of a leaf without an exact source: exact when it has at
   most half the working precision's bits (integers, 0.5, a count), else
   v +- 4 ulp: a constant computed from exact numbers with at most two
   roundings to nearest would be within 2 ulp (the known ones have exact
   sources: computed_leaf). */
static void
enclose_value(arb_ptr x, mpfr_srcptr v, mpfr_prec_t prec)
{
  arf_set_mpfr(arb_midref(x), v);
  mag_zero(arb_radref(x));
  if (!mpfr_number_p(v) || mpfr_zero_p(v))
    return;
  if (mpfr_min_prec(v) <= prec / 2)
    return;
  mag_set_ui_2exp_si(arb_radref(x), 1, mpfr_get_exp(v) - prec + 2);
}

/* The constants that derivative rules and linspace compute (their
   GT_LEAF_ kinds), exactly as balls. */
static int
computed_leaf(arb_ptr x, const GtLeafSrc *src, size_t sz, slong prec)
{
  switch (src->kind) {
  case GT_LEAF_LOG:
    arb_set_ui(x, src->span.off);
    arb_log(x, x, prec);
    break;
  case GT_LEAF_2RSQRTPI:       /* 2 / sqrt(pi) */
  case GT_LEAF_RSQRT2PI:       /* 1 / sqrt(2 pi) */
  case GT_LEAF_SQRTPI2:        /* sqrt(pi) / 2 */
    arb_const_pi(x, prec);
    if (src->kind == GT_LEAF_RSQRT2PI)
      arb_mul_2exp_si(x, x, 1);
    if (src->kind == GT_LEAF_SQRTPI2) {
      arb_sqrt(x, x, prec);
      arb_mul_2exp_si(x, x, -1);
    } else {
      arb_rsqrt(x, x, prec);
      if (src->kind == GT_LEAF_2RSQRTPI)
        arb_mul_2exp_si(x, x, 1);
    }
    break;
  case GT_LEAF_LINSPACE:
    for (size_t k = 0; k < sz; k++) {
      arb_set_ui(x + k, (ulong)k);
      if (sz > 1)
        arb_div_ui(x + k, x + k, (ulong)(sz - 1), prec);
    }
    break;
  default:
    return GT_BALL_NORULE;
  }
  return GT_BALL_OK;
}

static int
leaf_ball(GtSession *s, GtBalls *B, int32_t i, const GtLeafSrc *src)
{
  const GtNode *n = &s->tape.nodes[i];
  arb_ptr x = B->b[i];
  size_t sz = gt_node_size(&s->tape, i);
  if (n->op == GT_OP_INPUT && n->param != 0) {
    _arb_vec_set(x, B->b[n->param - 1], (slong)sz);
    return GT_BALL_OK;
  }
  if (src && src->kind == GT_LEAF_PI) {
    arb_const_pi(x, B->prec);
    return GT_BALL_OK;
  }
  if (src && src->kind == GT_LEAF_E) {
    arb_const_e(x, B->prec);
    return GT_BALL_OK;
  }
  if (src && src->kind == GT_LEAF_MINUS1) {
    arb_sub_ui(x, B->b[src->span.off], 1, B->prec);
    return arb_is_finite(x) ? GT_BALL_OK : GT_BALL_DOMAIN;
  }
  if (src && src->kind != GT_LEAF_TEXT)
    return computed_leaf(x, src, sz, B->prec);
  if (src) {
    const GtSource *so = s->sources[src->span.src];
    char small[64];
    size_t len = src->span.len;
    char *text = len < sizeof small ? small : malloc(len + 1);
    if (text == NULL)
      return GT_BALL_DOMAIN;
    memcpy(text, so->text + src->span.off, len);
    text[len] = '\0';
    int bad = arb_set_str(x, text, B->prec);
    if (text != small)
      free(text);
    if (!bad)
      return GT_BALL_OK;
  }
  for (size_t k = 0; k < sz; k++)
    enclose_value(x + k, &n->v[k], s->tape.prec);
  for (size_t k = 0; k < sz; k++)
    if (!arb_is_finite(x + k))
      return GT_BALL_DOMAIN;
  return GT_BALL_OK;
}

/* ---- the sweep --------------------------------------------------------- */

/* Node i of an elementwise op: its rule on every element, its operands
   broadcast (rec.c's walk).  On failure *ea, *eb are the operands of the
   element that failed. */
static int
elementwise(GtBalls *B, int32_t i, arb_srcptr *ea, arb_srcptr *eb)
{
  const GtTape *t = B->t;
  const GtNode *n = &t->nodes[i];
  const GtBallRule *rule = &gt_ball_rules[n->op];
  if (rule->fn == NULL)
    return GT_BALL_NORULE;
  int32_t ops[3] = { n->a, n->b, n->c };
  GtWalk w;
  gt_rec_walk_init(&w, gt_node_shape(t, i));
  for (int k = 0; k < 3; k++)
    gt_rec_walk_add(&w, ops[k] >= 0 ? gt_node_shape(t, ops[k]) : NULL);
  size_t sz = gt_node_size(t, i);
  for (size_t e = 0; e < sz; e++, gt_rec_walk_next(&w)) {
    arb_srcptr x[3];
    for (int k = 0; k < 3; k++)
      x[k] = ops[k] >= 0 ? B->b[ops[k]] + w.off[k] : NULL;
    int st = rule->fn(B->b[i] + e, x[0], x[1], x[2], B->prec);
    if (st != GT_BALL_OK) {
      *ea = x[0];
      *eb = x[1];
      return st;
    }
  }
  return GT_BALL_OK;
}

/* Marks the nodes that the roots need (operands, inputs' values, the
   nodes leaves are computed from). */
static void
mark_needed(const GtTape *t, unsigned char *need)
{
  size_t ls = t->nleafsrc;      /* leaf sources, in node order */
  for (int32_t i = (int32_t)t->n - 1; i >= 0; i--) {
    while (ls > 0 && t->leafsrc[ls - 1].node > i)
      ls--;
    if (!need[i])
      continue;
    const GtNode *n = &t->nodes[i];
    if (n->op == GT_OP_INPUT && n->param != 0)
      need[n->param - 1] = 1;
    if (ls > 0 && t->leafsrc[ls - 1].node == i
        && t->leafsrc[ls - 1].kind == GT_LEAF_MINUS1)
      need[t->leafsrc[ls - 1].span.off] = 1;
    int32_t buf[3];
    const int32_t *ops;
    size_t m = gt_node_operands(t, i, buf, &ops);
    for (size_t k = 0; k < m; k++)
      if (ops[k] >= 0)
        need[ops[k]] = 1;
  }
}

static GtStatus taylor_ball(GtSession *s, GtBalls *B, int32_t x, int32_t y,
                            int K, arb_ptr out);

/* Balls of every needed node, in tape order.  grad(y, x, k) inside the
   program (a TAYLOR node) is Taylor mode on the balls before it. */
static GtStatus
sweep(GtSession *s, GtBalls *B, const unsigned char *need)
{
  const GtTape *t = &s->tape;
  size_t ls = 0;
  for (size_t i = 0; i < t->n; i++) {
    const GtLeafSrc *src = NULL;
    while (ls < t->nleafsrc && t->leafsrc[ls].node < (int32_t)i)
      ls++;
    if (ls < t->nleafsrc && t->leafsrc[ls].node == (int32_t)i)
      src = &t->leafsrc[ls];
    if (!need[i])
      continue;
    const GtNode *n = &t->nodes[i];
    size_t sz = gt_node_size(t, (int32_t)i);
    B->b[i] = _arb_vec_init((slong)sz);
    int st;
    arb_srcptr ea = NULL, eb = NULL;
    if (n->op == GT_OP_TAYLOR && n->shape == 0) {
      GtStatus ts = taylor_ball(s, B, n->b, n->a, (int)n->aux, B->b[i]);
      if (ts != GT_OK)
        return ts;
      continue;
    }
    if (n->op == GT_OP_CONST || n->op == GT_OP_INPUT)
      st = leaf_ball(s, B, (int32_t)i, src);
    else if (gt_is_tensor_op((GtOp)n->op))
      st = gt_ball_rules[n->op].tfn ? gt_ball_rules[n->op].tfn(B, (int32_t)i)
                                    : GT_BALL_NORULE;
    else
      st = elementwise(B, (int32_t)i, &ea, &eb);
    if (st != GT_BALL_OK)
      return rule_error(s, (int32_t)i, st, ea, eb);
  }
  return GT_OK;
}

/* The run's control decisions, decided again on the balls. */
static GtStatus
check_guards(GtSession *s, GtBalls *B)
{
  const GtTape *t = &s->tape;
  for (size_t k = 0; k < t->nguards; k++) {
    const GtGuard *g = &t->guards[k];
    arb_srcptr x = B->b[g->node];
    int ok;
    if (g->kind == GT_GUARD_TRUTH)
      ok = g->value ? arb_is_nonzero(x) : arb_is_zero(x);
    else {
      fmpz_t z;
      fmpz_init(z);
      ok = arb_is_exact(x) && arb_get_unique_fmpz(z, x)
           && fmpz_cmp_si(z, g->value) == 0;
      fmpz_clear(z);
    }
    if (!ok)
      return node_error(s, g->node, g->kind == GT_GUARD_TRUTH
                        ? "cannot decide this condition"
                        : "cannot prove this integer (a loop bound or an "
                          "index)", x, NULL, 1);
  }
  return GT_OK;
}

/* ---- the requested nodes ------------------------------------------------ */

/* The node of output or variable name (as --of finds it), or -1. */
static int32_t
of_node(const GtSession *s, const char *name)
{
  for (size_t k = 0; k < s->res.nout; k++)
    if (strcmp(s->names.text[s->res.out_names[k]], name) == 0)
      return s->res.out_nodes[k];
  long i = gt_program_input(s->prog, name);
  if (i >= 0 && s->res.input_nodes[i] >= 0)
    return s->res.input_nodes[i];
  int32_t slot = gt_program_global(s->prog, name);
  return slot >= GT_NPREDEF ? s->res.globals[slot] : -1;
}

/* Records derivative d as nodes: the chain of recorded Jacobians (a tensor
   output summed first, unless the options ask for its Jacobian), as the
   recorded path of api.c computes it. */
static GtStatus
record_deriv(GtSession *s, const GtDeriv *d, int32_t *node)
{
  GtRunEnv env = { &s->opt, s->sources, &s->diags, &s->names };
  jmp_buf fail;
  GtRec r = { .tape = &s->tape, .env = &env, .prog = s->prog,
              .fail = &fail };
  for (int k = 0; k < 4; k++)
    r.cache[k] = -1;
  if (setjmp(fail))
    return r.status ? r.status : GT_ERUNTIME;
  int32_t g = of_node(s, d->of);
  if (g < 0)
    return no_name(s, "--of", "output", d->of);
  if (d->order == 0) {
    *node = g;                  /* a value, in its own shape */
    return GT_OK;
  }
  if (s->tape.nodes[g].shape && !s->opt.jacobian)
    g = gt_tensor_reduce(&r, GT_OP_SUM, g, 0);  /* --jacobian: in full */
  for (int k = 0; k < d->order; k++) {
    int32_t w = of_node(s, d->wrt[k]);
    if (w < 0)
      return no_name(s, "--wrt", "input", d->wrt[k]);
    g = gt_rev_jacobian(&r, g, w);
  }
  *node = g;
  return GT_OK;
}

/* ---- Taylor mode on balls ------------------------------------------------ */

/* A fresh series of n coefficients: the ball v, then zeros. */
static arb_ptr
const_series(arb_srcptr v, slong n)
{
  arb_ptr t = _arb_vec_init(n);
  arb_set(t, v);
  return t;
}

/* The Taylor coefficients y_0 .. y_{n-1} of scalar node y in scalar node
   x (y_k = y^(k)(a)/k!) into out[0..n), by one sweep of the series rules
   over the nodes x..y that y uses and that vary with x (the others are
   constants: their value balls).  O(n^2) ball operations per node (less
   where Arb multiplies faster).  On failure returns the error status,
   located at the node whose rule failed. */
static GtStatus
taylor_series(GtSession *s, GtBalls *B, int32_t x, int32_t y, slong n,
              arb_ptr out)
{
  const GtTape *t = &s->tape;
  _arb_vec_zero(out, n);
  if (y <= x) {
    /* y before x is a constant; y = x is the series x + t */
    arb_set(out, B->b[y]);
    if (y == x && n > 1)
      arb_one(out + 1);
    return GT_OK;
  }
  unsigned char *uses = gt_tape_uses(t, x, y);
  arb_ptr *ser = calloc((size_t)(y - x) + 1, sizeof *ser);
  if (uses == NULL || ser == NULL) {
    free(uses);
    free(ser);
    return plain_error(s, "out of memory");
  }
  ser[0] = const_series(B->b[x], n);
  if (n > 1)
    arb_one(ser[0] + 1);
  GtStatus st = GT_OK;
  for (int32_t i = x + 1; i <= y && st == GT_OK; i++) {
    const GtNode *nd = &t->nodes[i];
    if (!uses[i - x] || (nd->flags & GT_NF_NARY))
      continue;
    int32_t ops[3] = { nd->a, nd->b, nd->c };
    int varies = 0;
    for (int k = 0; k < 3; k++)
      varies |= ops[k] >= x && ser[ops[k] - x] != NULL;
    if (!varies)
      continue;
    if (nd->shape != 0 || gt_is_tensor_op((GtOp)nd->op)) {
      st = node_error(s, i, "Taylor mode on balls runs on scalars only: a "
                      "tensor between the name and the output", NULL, NULL,
                      0);
      break;
    }
    const GtBallRule *rule = &gt_ball_rules[nd->op];
    ser[i - x] = _arb_vec_init(n);
    if (!(gt_ops[nd->op].flags & GT_OPF_SMOOTH)) {
      arb_set(ser[i - x], B->b[i]);   /* flat: locally constant */
      continue;
    }
    if (rule->ser == NULL) {
      st = rule_error(s, i, GT_BALL_NORULE, NULL, NULL);
      break;
    }
    arb_ptr in[3] = { NULL, NULL, NULL }, own[3] = { NULL, NULL, NULL };
    for (int k = 0; k < 3; k++) {
      if (ops[k] < 0)
        continue;
      if (ops[k] >= x && ser[ops[k] - x] != NULL)
        in[k] = ser[ops[k] - x];
      else
        in[k] = own[k] = const_series(B->b[ops[k]], n);
    }
    int bst = rule->ser(ser[i - x], in[0], in[1], in[2], n, B->prec);
    if (bst != GT_BALL_OK)
      st = rule_error(s, i, bst, in[0], in[1]);
    for (int k = 0; k < 3; k++)
      if (own[k])
        _arb_vec_clear(own[k], n);
  }
  if (st == GT_OK)
    _arb_vec_set(out, ser[y - x] ? ser[y - x] : B->b[y],
                 ser[y - x] ? n : 1);
  for (int32_t i = x; i <= y; i++)
    if (ser[i - x])
      _arb_vec_clear(ser[i - x], n);
  free(ser);
  free(uses);
  return st;
}

/* The order-K derivative of scalar node y with respect to scalar node x
   into out: K! times the coefficient y_K of the series. */
static GtStatus
taylor_ball(GtSession *s, GtBalls *B, int32_t x, int32_t y, int K,
            arb_ptr out)
{
  slong n = K + 1;
  arb_ptr c = _arb_vec_init(n);
  GtStatus st = taylor_series(s, B, x, y, n, c);
  if (st == GT_OK) {
    arb_t f;
    arb_init(f);
    arb_fac_ui(f, (ulong)K, B->prec);
    arb_mul(out, c + K, f, B->prec);
    arb_clear(f);
  }
  _arb_vec_clear(c, n);
  return st;
}

/* Is every node between x and y that y uses a scalar (else recorded
   Jacobians, as derive.c's rule 2)?  Out of memory: the sweep says so. */
static int
scalar_path(const GtSession *s, int32_t x, int32_t y)
{
  if (y <= x)
    return 1;
  unsigned char *used = gt_tape_uses(&s->tape, x, y);
  int ok = 1;
  for (int32_t i = y; used && i >= x && ok; i--)
    if (used[i - x] && (s->tape.nodes[i].shape != 0
                        || gt_is_tensor_op((GtOp)s->tape.nodes[i].op)))
      ok = 0;
  free(used);
  return ok;
}

/* Is derivative d one for Taylor mode: order >= 2 in one scalar name of
   a scalar output? */
static int
taylor_entry(const GtSession *s, const GtDeriv *d, int32_t *x, int32_t *y)
{
  if (d->order < 2)
    return 0;
  for (int k = 1; k < d->order; k++)
    if (strcmp(d->wrt[k], d->wrt[0]) != 0)
      return 0;
  *x = of_node(s, d->wrt[0]);
  *y = of_node(s, d->of);
  if (*x < 0 || *y < 0 || s->tape.nodes[*x].shape != 0
      || s->tape.nodes[*y].shape != 0)
    return 0;
  return scalar_path(s, *x, *y);
}

/* ---- results ------------------------------------------------------------ */

/* lo, hi = the bounds of the balls x[0..n) at prec, rounded outwards. */
static void
bounds(mpfr_ptr lo, mpfr_ptr hi, arb_srcptr x, size_t n, mpfr_prec_t prec)
{
  arf_t b;
  arf_init(b);
  for (size_t k = 0; k < n; k++) {
    arb_get_lbound_arf(b, x + k, prec + 8);
    arf_get_mpfr(&lo[k], b, MPFR_RNDD);
    arb_get_ubound_arf(b, x + k, prec + 8);
    arf_get_mpfr(&hi[k], b, MPFR_RNDU);
  }
  arf_clear(b);
}

static GtValue
value_of(const GtTape *t, int32_t i, mpfr_srcptr elems)
{
  const GtShape *sh = gt_node_shape(t, i);
  GtValue v = { sh->rank, sh->dim, sh->size, elems };
  return v;
}

/* Fills the session's enclosure entries: outputs, then derivatives;
   entry k is the ball vector balls[k], of node shape[k]'s shape; a
   Taylor entry (taylor[j]) is connected when its output depends on its
   name's node names[j]. */
static GtStatus
fill(GtSession *s, arb_srcptr *balls, const int32_t *shape,
     const GtDeriv *ds, size_t nd, const int32_t *names,
     const unsigned char *taylor)
{
  struct GtEnclosed *x = s->enclosed;
  size_t no = s->res.nout;
  for (size_t k = 0; k < no + nd; k++) {
    int32_t i = shape[k];
    size_t sz = gt_node_size(&s->tape, i);
    mpfr_ptr lo = gt_tape_numbers(&x->nums, sz + 1);
    mpfr_ptr hi = gt_tape_numbers(&x->nums, sz + 1);
    if (lo == NULL || hi == NULL)
      return plain_error(s, "out of memory");
    bounds(lo, hi, balls[k], sz, s->tape.prec);
    GtEnclosure *e = &x->e[x->n++];
    if (k < no) {
      e->of = s->names.text[s->res.out_names[k]];
      e->connected = 1;
    } else {
      e->of = ds[k - no].of;
      e->wrt = ds[k - no].wrt;
      e->order = ds[k - no].order;
      e->connected = ds[k - no].connected;
      if (taylor[k - no])
        e->connected = i == names[k - no]
                       || gt_rev_depends_avoiding(&s->tape, i, names[k - no],
                                                  -1);
    }
    e->lo = value_of(&s->tape, i, lo);
    e->hi = value_of(&s->tape, i, hi);
  }
  return GT_OK;
}

static GtStatus
prepare(GtSession *s, size_t n)
{
  gt_enclose_drop(s);
  struct GtEnclosed *x = calloc(1, sizeof *x);
  if (x == NULL)
    return plain_error(s, "out of memory");
  s->enclosed = x;
  x->e = calloc(n + 1, sizeof *x->e);
  if (x->e == NULL || gt_tape_init(&x->nums, s->tape.prec, 1024) != 0)
    return plain_error(s, "out of memory");
  return GT_OK;
}

/* The largest order enclosed by nested recorded sweeps (3^K nodes) when
   Taylor mode does not apply (several names, tensors). */
#define ENCLOSE_NESTED_MAX 4

/* Records the derivatives that are not for Taylor mode (taylor[k] set:
   roots[no + k] is the output, x[k] the name). */
static GtStatus
plan(GtSession *s, const GtDeriv *ds, size_t nd, int32_t *roots,
     int32_t *x, unsigned char *taylor)
{
  size_t no = s->res.nout;
  for (size_t k = 0; k < nd; k++) {
    if (taylor_entry(s, &ds[k], &x[k], &roots[no + k])) {
      taylor[k] = 1;
      continue;
    }
    if (ds[k].order > ENCLOSE_NESTED_MAX) {
      gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                  "--enclose: derivatives of order above %d are enclosed "
                  "in one scalar name of a scalar output only",
                  ENCLOSE_NESTED_MAX);
      return GT_EUSAGE;
    }
    GtStatus st = record_deriv(s, &ds[k], &roots[no + k]);
    if (st != GT_OK)
      return st;
  }
  return GT_OK;
}

/* Balls of every node that the roots and the guards need; the Taylor
   entries' balls into extra[k]. */
static GtStatus
evaluate(GtSession *s, GtBalls *B, const int32_t *roots, size_t nroots,
         const GtDeriv *ds, size_t nd, const int32_t *x,
         const unsigned char *taylor, arb_ptr extra)
{
  unsigned char *need = calloc(s->tape.n + 1, 1);
  if (need == NULL)
    return plain_error(s, "out of memory");
  for (size_t k = 0; k < nroots; k++)
    need[roots[k]] = 1;
  for (size_t k = 0; k < s->tape.nguards; k++)
    need[s->tape.guards[k].node] = 1;
  for (size_t k = 0; k < nd; k++)
    if (taylor[k])
      need[x[k]] = 1;           /* its series starts from its ball */
  mark_needed(&s->tape, need);
  GtStatus st = sweep(s, B, need);
  free(need);
  if (st == GT_OK)
    st = check_guards(s, B);
  size_t no = nroots - nd;
  for (size_t k = 0; k < nd && st == GT_OK; k++)
    if (taylor[k])
      st = taylor_ball(s, B, x[k], roots[no + k], ds[k].order, extra + k);
  return st;
}

GtStatus
gt_session_enclose(GtSession *s, const GtDeriv *ds, size_t nd,
                   const GtEnclosure **out, size_t *nout)
{
  *out = NULL;
  *nout = 0;
  if (!s->ran)
    return plain_error(s, "the program has not run");
  size_t no = s->res.nout, ne = no + nd;
  GtStatus st = prepare(s, ne);
  int32_t *roots = malloc((ne + 1) * sizeof *roots);
  int32_t *x = malloc((nd + 1) * sizeof *x);
  unsigned char *taylor = calloc(nd + 1, 1);
  arb_srcptr *balls = malloc((ne + 1) * sizeof *balls);
  arb_ptr extra = _arb_vec_init((slong)nd + 1);
  GtBalls B = { &s->tape, NULL, (slong)s->tape.prec };
  if (st == GT_OK && (!roots || !x || !taylor || !balls))
    st = plain_error(s, "out of memory");
  for (size_t k = 0; st == GT_OK && k < no; k++)
    roots[k] = s->res.out_nodes[k];
  if (st == GT_OK)
    st = plan(s, ds, nd, roots, x, taylor);
  if (st == GT_OK && (B.b = calloc(s->tape.n + 1, sizeof *B.b)) == NULL)
    st = plain_error(s, "out of memory");
  if (st == GT_OK)
    st = evaluate(s, &B, roots, ne, ds, nd, x, taylor, extra);
  if (st == GT_OK) {
    for (size_t k = 0; k < ne; k++)
      balls[k] = k >= no && taylor[k - no] ? extra + (k - no)
                                           : B.b[roots[k]];
    st = fill(s, balls, roots, ds, nd, x, taylor);
  }
  for (size_t i = 0; B.b && i < s->tape.n; i++)
    if (B.b[i])
      _arb_vec_clear(B.b[i], (slong)gt_node_size(&s->tape, (int32_t)i));
  _arb_vec_clear(extra, (slong)nd + 1);
  free(B.b);
  free(roots);
  free(x);
  free(taylor);
  free(balls);
  if (st == GT_OK) {
    *out = s->enclosed->e;
    *nout = s->enclosed->n;
  }
  return st;
}

/* The Taylor coefficients of output y (node yn, scalar) in x (node xn)
   as entries of orders 0..K, after the entries made so far. */
static GtStatus
taylor_entries(GtSession *s, GtBalls *B, const char *y, int32_t yn,
               int32_t xn, int K, const char *const *wl)
{
  struct GtEnclosed *e = s->enclosed;
  slong n = K + 1;
  arb_ptr c = _arb_vec_init(n);
  GtStatus st = taylor_series(s, B, xn, yn, n, c);
  int connected = yn == xn || gt_rev_depends_avoiding(&s->tape, yn, xn, -1);
  for (int k = 0; k <= K && st == GT_OK; k++) {
    mpfr_ptr lo = gt_tape_numbers(&e->nums, 2);
    mpfr_ptr hi = gt_tape_numbers(&e->nums, 2);
    if (lo == NULL || hi == NULL) {
      st = plain_error(s, "out of memory");
      break;
    }
    bounds(lo, hi, c + k, 1, s->tape.prec);
    GtEnclosure *en = &e->e[e->n++];
    en->of = y;
    en->wrt = wl;
    en->order = k;
    en->connected = connected;
    en->lo = value_of(&s->tape, yn, lo);
    en->hi = value_of(&s->tape, yn, hi);
  }
  _arb_vec_clear(c, n);
  return st;
}

GtStatus
gt_session_enclose_taylor(GtSession *s, const char *const *of, size_t nof,
                          const char *wrt, int K, const GtEnclosure **out,
                          size_t *nout)
{
  *out = NULL;
  *nout = 0;
  if (!s->ran)
    return plain_error(s, "the program has not run");
  if (K < 0 || K > 65535) {
    gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                "the Taylor order must be 0 to 65535");
    return GT_EUSAGE;
  }
  size_t no = s->res.nout, ny = nof ? nof : no;
  int32_t xn = of_node(s, wrt);
  if (xn < 0)
    return no_name(s, "--wrt", "input", wrt);
  if (s->tape.nodes[xn].shape != 0) {
    gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                "--taylor: '%s' is a tensor; Taylor coefficients are taken "
                "with respect to a number", wrt);
    return GT_EUSAGE;
  }
  /* the roots: the outputs, each y, and x (its series starts from its
     ball) */
  int32_t *roots = malloc((no + ny + 2) * sizeof *roots);
  const char **yname = malloc((ny + 1) * sizeof *yname);
  arb_srcptr *balls = malloc((no + 1) * sizeof *balls);
  GtStatus st = prepare(s, no + ny * ((size_t)K + 1));
  if (st == GT_OK && (!roots || !yname || !balls))
    st = plain_error(s, "out of memory");
  for (size_t k = 0; st == GT_OK && k < no; k++)
    roots[k] = s->res.out_nodes[k];
  for (size_t j = 0; st == GT_OK && j < ny; j++) {
    yname[j] = nof ? of[j] : s->names.text[s->res.out_names[j]];
    int32_t yn = of_node(s, yname[j]);
    if (yn < 0)
      st = no_name(s, "--of", "output", yname[j]);
    else if (s->tape.nodes[yn].shape != 0 || !scalar_path(s, xn, yn)) {
      gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                  "--taylor: the outputs must be numbers computed from "
                  "numbers (Taylor mode does not run through tensors); use "
                  "--order K for tensors");
      st = GT_EUSAGE;
    }
    roots[no + j] = yn;
  }
  if (st == GT_OK) {
    roots[no + ny] = xn;
    /* wrt: K + 1 copies of the name (wrt[0] is the name even at order 0,
       as gt_session_taylor's entries) */
    s->enclosed->wrt = malloc(((size_t)K + 2) * sizeof *s->enclosed->wrt);
    if (s->enclosed->wrt == NULL)
      st = plain_error(s, "out of memory");
    for (int k = 0; st == GT_OK && k <= K; k++)
      s->enclosed->wrt[k] = wrt;
  }
  GtBalls B = { &s->tape, NULL, (slong)s->tape.prec };
  if (st == GT_OK && (B.b = calloc(s->tape.n + 1, sizeof *B.b)) == NULL)
    st = plain_error(s, "out of memory");
  if (st == GT_OK)
    st = evaluate(s, &B, roots, no + ny + 1, NULL, 0, NULL, NULL, NULL);
  if (st == GT_OK) {
    for (size_t k = 0; k < no; k++)
      balls[k] = B.b[roots[k]];
    st = fill(s, balls, roots, NULL, 0, NULL, NULL);
  }
  for (size_t j = 0; st == GT_OK && j < ny; j++)
    st = taylor_entries(s, &B, yname[j], roots[no + j], xn, K,
                        s->enclosed->wrt);
  for (size_t i = 0; B.b && i < s->tape.n; i++)
    if (B.b[i])
      _arb_vec_clear(B.b[i], (slong)gt_node_size(&s->tape, (int32_t)i));
  free(B.b);
  free(roots);
  free(yname);
  free(balls);
  if (st == GT_OK) {
    *out = s->enclosed->e;
    *nout = s->enclosed->n;
  }
  return st;
}
