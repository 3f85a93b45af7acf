/* reverse.c -- reverse sweeps over the tape.
 *
 * Both sweeps first mark the nodes through which a derivative can flow:
 * those that depend, through differentiable operations, on one of the
 * nodes differentiated against.  Only those get adjoints, so constants,
 * loop counters and comparisons cost nothing, and a rule is never asked
 * for a derivative nobody needs (d/db of a^b with a constant b, say).
 *
 * The numeric sweep accumulates adjoints as numbers: O(1) MPFR operations
 * per marked node.  Where no derivative flows at all (the branch where()
 * did not select, relu below 0: the rules' none[] flags, the recorded
 * rules' -1) nothing is propagated, which keeps where() from turning an
 * unselected branch's infinite derivative into NaN.  An adjoint that is
 * merely zero is skipped too, for speed, unless the node's value is
 * infinite (then 0 * inf must become NaN, as in the recorded sweep) or
 * out of range.  A scalar's adjoint exists only where a derivative
 * reached it; a tensor's elements start at -0 to say the same element by
 * element, so that a derivative that vanishes (+0) is still checked.
 * A node on the way whose value overflowed to inf or underflowed to 0
 * makes the derivatives through it NaN: they would be wrong.
 * The recorded sweep (grad() in the language) appends the same rules as
 * nodes, so its result can be differentiated again.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum {
  DEP = 1,  /* depends on a target */
  REL = 2,  /* ... through differentiable operations */
  WRT = 4   /* is a target: its adjoint is the result */
};

/* Marks the nodes lo..out; returns a malloc'd flag array indexed i - lo. */
static unsigned char *
mark(const GtTape *t, int32_t lo, int32_t out, const int32_t *wrt,
     size_t nwrt)
{
  size_t span = (size_t)(out - lo) + 1;
  unsigned char *f = calloc(span, 1);
  if (f == NULL)
    return NULL;
  for (size_t k = 0; k < nwrt; k++)
    if (wrt[k] >= lo && wrt[k] <= out)
      f[wrt[k] - lo] = DEP | REL;
  for (int32_t i = lo; i <= out; i++) {
    if (f[i - lo])
      continue;
    const GtNode *n = &t->nodes[i];
    int32_t buf[3];
    const int32_t *ops;
    size_t nops = gt_node_operands(t, i, buf, &ops);
    unsigned char m = 0;
    for (size_t k = 0; k < nops; k++)
      if (ops[k] >= lo)
        m |= f[ops[k] - lo];
    if (!gt_ops[n->op].smooth)
      m &= DEP;
    f[i - lo] = m;
  }
  return f;
}

static int32_t
lowest(const int32_t *wrt, size_t nwrt, int32_t out)
{
  int32_t lo = out + 1;
  for (size_t k = 0; k < nwrt; k++)
    if (wrt[k] >= 0 && wrt[k] < lo)
      lo = wrt[k];
  return lo;
}

/* Does out depend on w at all (through any operation)? */
static int
depends(const GtTape *t, int32_t out, int32_t w)
{
  if (w > out)
    return 0;
  unsigned char *f = mark(t, w, out, &w, 1);
  if (f == NULL)
    return 1;
  int d = f[out - w] != 0;
  free(f);
  return d;
}

int
gt_rev_depends_avoiding(const GtTape *t, int32_t y, int32_t w, int32_t x)
{
  if (w > y || w == x)
    return 0;
  size_t span = (size_t)(y - w) + 1;
  unsigned char *f = calloc(span, 1);
  if (f == NULL)
    return 1;
  f[0] = 1;
  for (int32_t i = w + 1; i <= y; i++) {
    if (i == x)
      continue; /* paths through x do not count */
    int32_t buf[3];
    const int32_t *ops;
    size_t nops = gt_node_operands(t, i, buf, &ops);
    for (size_t k = 0; k < nops; k++)
      if (ops[k] >= w && f[ops[k] - w])
        f[i - w] = 1;
  }
  int d = f[span - 1];
  free(f);
  return d;
}

/* A grad(a, b, k) node passes its adjoint to b only (as the next Taylor
   derivative); that is the whole derivative unless a also reaches one of
   the targets around b. */
static int
taylor_mixed(const GtTape *t, const GtNode *n, const int32_t *wrt,
             size_t nwrt)
{
  for (size_t k = 0; k < nwrt; k++)
    if (gt_rev_depends_avoiding(t, n->a, wrt[k], n->b))
      return 1;
  return 0;
}

/* The numeric adjoint contribution of a grad(a, b, k) node to b:
   g * d^(k+1) a / d b^(k+1). */
static int
taylor_adj(const GtTape *t, const GtNode *n, mpfr_srcptr g, mpfr_ptr out)
{
  int k = n->aux + 1;
  GtTape hold = { .prec = t->prec };
  mpfr_ptr *d = malloc((size_t)(k + 1) * sizeof *d);
  int ok = d != NULL;
  for (int j = 0; ok && j <= k; j++)
    ok = (d[j] = gt_tape_number(&hold)) != NULL;
  int32_t fn;
  int fo;
  GtTaylorStatus rc = ok ? gt_taylor(t, n->b, n->a, k, d, &fn, &fo)
                         : GT_TAYLOR_NOMEM;
  if (rc == GT_TAYLOR_OK)
    mpfr_mul(out, g, d[k], MPFR_RNDN);
  free(d);
  gt_arena_free(&hold.vals);
  return rc;
}

/* State of one numeric sweep. */
typedef struct Sweep {
  const GtTape *t;
  int32_t lo;
  unsigned char *f;
  mpfr_ptr *adj;          /* per node lo..: its adjoint (size of the node) */
  mpfr_ptr *spare;        /* recycled scalar adjoints */
  size_t nspare, sparecap;
  GtTape holder;          /* the numbers' arena */
  mpfr_ptr scratch[6];
  mpfr_ptr pair;          /* two contiguous numbers for tensor rules */
  int32_t inf_node;
  const int32_t *wrt;     /* the targets, and where their derivatives go */
  size_t nwrt;
  mpfr_ptr *res;
} Sweep;

/* The adjoint of node j, made (zero) on first use; NULL: out of memory. */
static mpfr_ptr
adjoint(Sweep *S, int32_t j)
{
  mpfr_ptr *slot = &S->adj[j - S->lo];
  if (*slot != NULL)
    return *slot;
  size_t n = gt_node_size(S->t, j);
  if (n == 1 && S->nspare) {
    *slot = S->spare[--S->nspare];
    mpfr_set_zero(*slot, 1);
  } else if (n == 1) {
    *slot = gt_tape_number(&S->holder);
  } else {
    /* a tensor's elements start at -0, "nothing flows here": any
       contribution, even +0, makes them +0 or nonzero (see quiet()).  A
       target's adjoint is made in place, in the numbers its derivative
       is returned in (sweep_results), not in a copy. */
    *slot = NULL;
    for (size_t k = 0; k < S->nwrt && (S->f[j - S->lo] & WRT); k++)
      if (S->wrt[k] == j && mpfr_get_prec(S->res[k]) == S->t->prec) {
        *slot = S->res[k];
        break;
      }
    if (*slot == NULL)
      *slot = gt_tape_numbers(&S->holder, n);
    for (size_t k = 0; *slot != NULL && k < n; k++)
      mpfr_set_zero(&(*slot)[k], -1);
  }
  return *slot;
}

/* Element e of node i, with adjoint g, contributes nothing: g is zero and
   no partial can be infinite (0 * inf, which must become NaN) nor the
   value out of range (which must be blamed).  A -0 element of a tensor
   adjoint is one no derivative reached (where() did not select it, an
   index did not read it): it contributes nothing in any case, while a +0
   is a derivative that happens to vanish, as a scalar's zero adjoint is
   (log(sum(exp(x))) where exp overflowed: 1/inf is 0). */
static int
quiet_element(const GtTape *t, int32_t i, size_t e, mpfr_srcptr g)
{
  if (!mpfr_zero_p(g))
    return 0;
  if (mpfr_signbit(g) && gt_node_size(t, i) > 1)
    return 1;
  mpfr_srcptr y = &t->nodes[i].v[gt_node_size(t, i) > 1 ? e : 0];
  return !mpfr_inf_p(y) && !(mpfr_zero_p(y) && gt_tape_range_fault(t, i, e));
}

/* Does no element of node i's adjoint g contribute? */
static int
quiet(const GtTape *t, int32_t i, mpfr_srcptr g)
{
  size_t n = gt_node_size(t, i);
  for (size_t k = 0; k < n; k++)
    if (!quiet_element(t, i, k, &g[k]))
      return 0;
  return 1;
}

/* Blame a NaN on the rule that made it, or, when it is an infinite
   adjoint times 0, on the rule that made the adjoint infinite. */
static void
blame(Sweep *S, int32_t i, mpfr_srcptr g, mpfr_srcptr c, int32_t *nan_node)
{
  if (mpfr_inf_p(c) && mpfr_number_p(g) && S->inf_node < 0)
    S->inf_node = i;
  if (mpfr_nan_p(c) && !mpfr_nan_p(g) && *nan_node < 0)
    *nan_node = mpfr_inf_p(g) && S->inf_node >= 0 ? S->inf_node : i;
}

/* blame() for a tensor rule of node i, whose adjoint is g: c, of n
   elements, holds its contributions to one operand alone (inf / inf in
   norm([inf])'s rule is a NaN no elementwise rule sees). */
static void
blame_tensor(Sweep *S, int32_t i, mpfr_srcptr g, mpfr_srcptr c, size_t n,
             int32_t *nan_node)
{
  if (*nan_node >= 0)
    return;
  size_t gn = gt_node_size(S->t, i);
  int g_nan = 0, g_inf = 0;
  for (size_t e = 0; e < gn; e++) {
    g_nan |= mpfr_nan_p(&g[e]);
    g_inf |= mpfr_inf_p(&g[e]);
  }
  for (size_t e = 0; e < n; e++) {
    if (mpfr_inf_p(&c[e]) && !g_inf && S->inf_node < 0)
      S->inf_node = i;
    if (mpfr_nan_p(&c[e]) && !g_nan) {
      *nan_node = g_inf && S->inf_node >= 0 ? S->inf_node : i;
      return;
    }
  }
}

/* Where a rule adds its contributions to node j's adjoint: the adjoint
   itself when j has none yet; else (*part set) a fresh one, which
   part_done adds to it at the end.  The recorded sweep (record_sweep)
   adds a rule's whole result to an existing adjoint in one step, so this
   keeps the roundings the same: a printed derivative and grad()'s, and
   --emit's formulas, agree bit for bit. */
static mpfr_ptr
part_begin(Sweep *S, int32_t j, mpfr_ptr *part)
{
  *part = NULL;
  if (S->adj[j - S->lo] == NULL)
    return adjoint(S, j);
  size_t n = gt_node_size(S->t, j);
  mpfr_ptr p = gt_tape_numbers(&S->holder, n);
  for (size_t k = 0; p != NULL && k < n; k++)
    mpfr_set_zero(&p[k], -1);
  *part = p;
  return p;
}

static void
part_done(Sweep *S, int32_t j, mpfr_ptr part)
{
  if (part == NULL)
    return;
  mpfr_ptr a = S->adj[j - S->lo];
  size_t n = gt_node_size(S->t, j);
  for (size_t k = 0; k < n; k++)
    mpfr_add(&a[k], &a[k], &part[k], MPFR_RNDN);
}

/* Does node i's rule give each element of its operand at most one
   contribution?  Then adding them straight into an existing adjoint
   rounds as part_begin's "sum first" does (the part would hold each
   contribution exactly), and reading x[i] in a loop stays O(1) instead of
   making an x-sized part per read: views whose elements are distinct (one
   element, one axis with a nonzero stride, a contiguous run). */
static int
one_each(const GtTape *t, int32_t i)
{
  const GtNode *n = &t->nodes[i];
  if (n->op != GT_OP_VIEW)
    return 0;
  const GtShape *s = gt_node_shape(t, i);
  if (s->size <= 1)
    return 1;
  GtView vt;
  const GtView *v = gt_view_at(t, n->param, &vt);
  if (s->rank == 1)
    return v->stride[0] != 0;
  return gt_view_contiguous(v, s);
}

/* An elementwise rule over broadcast tensors: contributions are added
   element by element into the operands' adjoints, which sums them over
   the broadcast axes. */
static int
elementwise_adj(Sweep *S, int32_t i, mpfr_srcptr g, int32_t *nan_node)
{
  const GtTape *t = S->t;
  const GtNode *n = &t->nodes[i];
  const GtOpInfo *info = &gt_ops[n->op];
  const GtShape *ys = gt_node_shape(t, i);
  int32_t ops[3] = { n->a, n->b, n->c };
  mpfr_ptr acc[3] = { NULL, NULL, NULL }, part[3] = { NULL, NULL, NULL };
  int none[3];
  GtAdjArgs X = { .t = S->scratch[3], .none = none };
  GtWalk w;
  gt_rec_walk_init(&w, ys);
  for (int k = 0; k < 3; k++) {
    X.out[k] = S->scratch[k];
    X.need[k] = ops[k] >= S->lo && (S->f[ops[k] - S->lo] & REL);
    gt_rec_walk_add(&w, ops[k] >= 0 ? gt_node_shape(t, ops[k]) : NULL);
    /* a broadcast operand's contributions are summed first (part_begin) */
    if (X.need[k] && t->nodes[ops[k]].shape != n->shape)
      acc[k] = part_begin(S, ops[k], &part[k]);
    else if (X.need[k])
      acc[k] = adjoint(S, ops[k]);
    if (X.need[k] && acc[k] == NULL)
      return -1;
  }
  const long *off = w.off;
  for (size_t e = 0; e < ys->size; e++, gt_rec_walk_next(&w)) {
    /* an element's adjoint that contributes nothing is skipped */
    if (!quiet_element(t, i, e, &g[e])) {
      X.y = &n->v[e];
      X.y2 = (n->flags & GT_NF_PAIR) ? &n->v[ys->size + e] : NULL;
      X.g = &g[e];
      X.a = ops[0] >= 0 ? &t->nodes[ops[0]].v[off[0]] : NULL;
      X.b = ops[1] >= 0 ? &t->nodes[ops[1]].v[off[1]] : NULL;
      X.c = ops[2] >= 0 ? &t->nodes[ops[2]].v[off[2]] : NULL;
      none[0] = none[1] = none[2] = 0;
      if (info->adj(&X) != 0) {
        *nan_node = i;
        return GT_ERUNTIME;
      }
      int fault = !mpfr_regular_p(X.y) && gt_tape_range_fault(t, i, e);
      for (int k = 0; k < 3; k++)
        if (X.need[k] && !none[k]) {
          if (fault) {
            if (*nan_node < 0)
              *nan_node = i;
            mpfr_set_nan(X.out[k]);
          }
          blame(S, i, X.g, X.out[k], nan_node);
          mpfr_add(&acc[k][off[k]], &acc[k][off[k]], X.out[k], MPFR_RNDN);
        }
    }
  }
  for (int k = 0; k < 3; k++)
    if (X.need[k])
      part_done(S, ops[k], part[k]);
  return 0;
}

/* Node i is swept: its scalar adjoint (unless i is a target) goes to the
   spare list for a later node, so the adjoints alive at once are those of
   the nodes between the sweep's position and their last use, not one per
   node.  -1 when out of memory. */
static int
recycle(Sweep *S, int32_t i)
{
  mpfr_ptr *slot = &S->adj[i - S->lo];
  if (*slot == NULL || (S->f[i - S->lo] & WRT) || gt_node_size(S->t, i) != 1)
    return 0;
  if (S->nspare == S->sparecap) {
    size_t cap = S->sparecap ? 2 * S->sparecap : 64;
    mpfr_ptr *p = realloc(S->spare, cap * sizeof *p);
    if (p == NULL)
      return -1;
    S->spare = p;
    S->sparecap = cap;
  }
  S->spare[S->nspare++] = *slot;
  *slot = NULL;
  return 0;
}

/* A scalar elementwise rule: contributions swap into fresh adjoints or
   add into existing ones; the node's own adjoint is recycled. */
static int
scalar_adj(Sweep *S, int32_t i, mpfr_ptr g, const int32_t *wrt,
           int32_t *nan_node)
{
  (void)wrt;
  const GtTape *t = S->t;
  const GtNode *n = &t->nodes[i];
  int32_t lo = S->lo;
  int32_t ops[3] = { n->a, n->b, n->c };
  int none[3] = { 0, 0, 0 };
  GtAdjArgs X = { .y = n->v, .g = g, .t = S->scratch[3], .none = none,
                  .y2 = (n->flags & GT_NF_PAIR) ? &n->v[1] : NULL };
  for (int k = 0; k < 3; k++) {
    X.out[k] = S->scratch[k];
    X.need[k] = ops[k] >= lo && (S->f[ops[k] - lo] & REL);
  }
  X.a = n->a >= 0 ? t->nodes[n->a].v : NULL;
  X.b = n->b >= 0 ? t->nodes[n->b].v : NULL;
  X.c = n->c >= 0 ? t->nodes[n->c].v : NULL;
  if (gt_ops[n->op].adj(&X) != 0) {
    *nan_node = i;
    return GT_ERUNTIME;
  }
  /* an overflowed or underflowed value: the derivatives through it are
     NaN, blamed on it */
  int fault = !mpfr_regular_p(n->v) && gt_tape_range_fault(t, i, 0);
  if (fault && *nan_node < 0)
    *nan_node = i;
  if (recycle(S, i) != 0)
    return -1;
  for (int k = 0; k < 3; k++) {
    if (!X.need[k] || none[k])
      continue;
    if (fault)
      mpfr_set_nan(X.out[k]);
    if (!mpfr_number_p(X.out[k]))
      blame(S, i, g, X.out[k], nan_node);
    mpfr_ptr *slot = &S->adj[ops[k] - lo];
    if (*slot == NULL) {
      *slot = S->nspare ? S->spare[--S->nspare] : gt_tape_number(&S->holder);
      if (*slot == NULL)
        return -1;
      mpfr_swap(*slot, X.out[k]); /* same precision: a pointer swap */
    } else
      mpfr_add(*slot, *slot, X.out[k], MPFR_RNDN);
  }
  return GT_OK;
}

/* The targets' adjoints into res, and which targets out uses at all: one
   backward pass for all of them, made when a target without an adjoint
   first needs it. */
static void
sweep_results(const Sweep *S, int32_t out, const int32_t *wrt, size_t nwrt,
              mpfr_ptr *res, int *connected)
{
  const GtTape *t = S->t;
  int32_t lo = S->lo;
  unsigned char *uses = NULL;
  for (size_t k = 0; k < nwrt; k++) {
    int32_t w = wrt[k];
    if (w < lo || w > out)
      continue;
    if (S->adj[w - lo] != NULL) {
      size_t sz = gt_node_size(t, w);
      for (size_t j = 0; j < sz; j++) {
        mpfr_set(&res[k][j], &S->adj[w - lo][j], MPFR_RNDN);
        if (sz > 1 && mpfr_zero_p(&res[k][j]))
          mpfr_set_zero(&res[k][j], 1); /* -0: nothing flowed (adjoint) */
      }
      connected[k] = 1;
    } else if (S->f[w - lo] & DEP) {
      if (uses == NULL)
        uses = gt_tape_uses(t, lo, out);
      connected[k] = uses ? uses[w - lo] : depends(t, out, w);
    }
  }
  free(uses);
}

/* grad(a, b, k) at node i: its adjoint flows to b only, as g times the
   next Taylor derivative (GT_ERUNTIME with *nan_node = i when a also
   reaches a target, or when that derivative has no rule). */
static int
taylor_node_adj(Sweep *S, int32_t i, mpfr_srcptr g, const int32_t *wrt,
                size_t nwrt, int32_t *nan_node)
{
  const GtTape *t = S->t;
  const GtNode *n = &t->nodes[i];
  int32_t b = n->b, lo = S->lo;
  if (taylor_mixed(t, n, wrt, nwrt)
      || (b >= lo && (S->f[b - lo] & REL)
          && taylor_adj(t, n, g, S->scratch[0]) != 0)) {
    *nan_node = i;
    return GT_ERUNTIME;
  }
  if (b >= lo && (S->f[b - lo] & REL)) {
    /* the next Taylor derivative may be NaN (x^2.5 at 0 has none of
       order 3): blamed on this grad() */
    if (mpfr_nan_p(S->scratch[0]) && !mpfr_nan_p(g) && *nan_node < 0)
      *nan_node = i;
    mpfr_ptr a = adjoint(S, b);
    if (a == NULL)
      return -1;
    mpfr_add(a, a, S->scratch[0], MPFR_RNDN);
  }
  return GT_OK;
}

/* A tensor operation at node i: its rule (GtOpInfo.tadj) takes whole
   tensors.  -1 when out of memory. */
static int
tensor_adj(Sweep *S, int32_t i, mpfr_srcptr g, int32_t *nan_node)
{
  const GtTape *t = S->t;
  const GtOpInfo *info = &gt_ops[t->nodes[i].op];
  int32_t buf[3];
  const int32_t *ops;
  size_t nops = gt_node_operands(t, i, buf, &ops);
  for (size_t k = 0; k < nops; k++) {
    if (ops[k] < S->lo || !(S->f[ops[k] - S->lo] & REL))
      continue;
    mpfr_ptr part = NULL, a;
    int fresh = !one_each(t, i);
    if (!fresh)
      a = adjoint(S, ops[k]);   /* the same bits, without an x-sized part */
    else
      a = part_begin(S, ops[k], &part);
    if (a == NULL || info->tadj(t, i, k, g, a, S->pair) != 0)
      return -1;
    if (fresh)
      blame_tensor(S, i, g, a, gt_node_size(t, ops[k]), nan_node);
    part_done(S, ops[k], part);
  }
  return GT_OK;
}

/* Sweeps node i (its adjoint, if any, is complete): the contributions to
   its operands' adjoints.  GT_OK, GT_ERUNTIME with *nan_node, or -1 when
   out of memory. */
static int
sweep_node(Sweep *S, int32_t i, const int32_t *wrt, size_t nwrt,
           int32_t *nan_node)
{
  const GtTape *t = S->t;
  int32_t lo = S->lo;
  mpfr_ptr g = S->adj[i - lo];
  if (g == NULL)
    return GT_OK;
  const GtNode *n = &t->nodes[i];
  const GtOpInfo *info = &gt_ops[n->op];
  if (n->shape == 0 && info->adj != NULL) {
    /* the hot path: a scalar elementwise op (tensor operations and
       grad(y, x, k) have no adj) */
    /* a zero adjoint contributes nothing unless a partial is
       infinite (0 * inf) or the value is out of range */
    if (mpfr_zero_p(g) && !mpfr_inf_p(n->v)
        && !(mpfr_zero_p(n->v) && gt_tape_range_fault(t, i, 0)))
      return GT_OK;
    int32_t ops[3] = { n->a, n->b, n->c };
    int any = 0, shaped = 0;
    for (int k = 0; k < 3; k++)
      if (ops[k] >= 0) {
        any |= ops[k] >= lo && (S->f[ops[k] - lo] & REL);
        shaped |= t->nodes[ops[k]].shape != 0;
      }
    if (!any)
      return GT_OK;
    if (!shaped)
      return scalar_adj(S, i, g, wrt, nan_node);
  }
  if (quiet(t, i, g))
    return GT_OK;
  if (n->op == GT_OP_TAYLOR)
    return taylor_node_adj(S, i, g, wrt, nwrt, nan_node);
  if (info->tadj != NULL)
    return tensor_adj(S, i, g, nan_node);
  if (info->adj == NULL)
    return GT_OK;
  int32_t ops[3] = { n->a, n->b, n->c };
  int any = 0, shaped = n->shape != 0;
  for (int k = 0; k < 3; k++) {
    any |= ops[k] >= lo && (S->f[ops[k] - lo] & REL);
    shaped |= ops[k] >= 0 && t->nodes[ops[k]].shape != 0;
  }
  if (!any)
    return GT_OK;
  if (shaped)
    return elementwise_adj(S, i, g, nan_node);
  return scalar_adj(S, i, g, wrt, nan_node);
}

int
gt_rev_sweep(const GtTape *t, int32_t out, const int32_t *wrt, size_t nwrt,
             mpfr_ptr *res, int *connected, int32_t *nan_node)
{
  *nan_node = -1;
  int32_t lo = lowest(wrt, nwrt, out);
  for (size_t k = 0; k < nwrt; k++) {
    size_t sz = gt_node_size(t, wrt[k]);
    for (size_t j = 0; j < sz; j++)
      mpfr_set_zero(&res[k][j], 1);
    connected[k] = 0;
  }
  if (lo > out)
    return GT_OK;
  Sweep S = { .t = t, .lo = lo, .inf_node = -1, .wrt = wrt, .nwrt = nwrt,
              .res = res };
  S.holder.prec = t->prec;
  size_t span = (size_t)(out - lo) + 1;
  S.f = mark(t, lo, out, wrt, nwrt);
  S.adj = calloc(span, sizeof *S.adj);
  /* scalar adjoints of nodes already swept are recycled (recycle()): a
     long chain keeps only a few alive, and fewer fresh pages are touched */
  int status = GT_OK;
  if (S.f == NULL || S.adj == NULL)
    status = -1;
  for (size_t k = 0; k < nwrt && status == GT_OK; k++)
    if (wrt[k] >= lo && wrt[k] <= out)
      S.f[wrt[k] - lo] |= WRT;
  for (int k = 0; k < 6 && status == GT_OK; k++)
    if ((S.scratch[k] = gt_tape_number(&S.holder)) == NULL)
      status = -1;
  if (status == GT_OK && (S.pair = gt_tape_numbers(&S.holder, 2)) == NULL)
    status = -1;
  /* the seed: ones (a tensor output is summed, as grad() does) */
  if (status == GT_OK && (S.f[out - lo] & REL)) {
    mpfr_ptr seed = adjoint(&S, out);
    if (seed == NULL)
      status = -1;
    for (size_t j = 0; seed && j < gt_node_size(t, out); j++)
      mpfr_set_ui(&seed[j], 1, MPFR_RNDN);
  }
  for (int32_t i = out; i >= lo && status == GT_OK; i--) {
    status = sweep_node(&S, i, wrt, nwrt, nan_node);
    if (status == GT_OK && recycle(&S, i) != 0)
      status = -1;
  }
  if (status == GT_OK)
    sweep_results(&S, out, wrt, nwrt, res, connected);
  /* A NaN no rule gave: infinite contributions of opposite signs added
     into one adjoint (sqrt(y - y): +inf and -inf into y's), blamed on
     the rule that made the first infinity. */
  for (size_t k = 0; status == GT_OK && *nan_node < 0 && S.inf_node >= 0
                     && k < nwrt; k++)
    for (size_t j = 0; j < gt_node_size(t, wrt[k]); j++)
      if (mpfr_nan_p(&res[k][j])) {
        *nan_node = S.inf_node;
        break;
      }
  gt_arena_free(&S.holder.vals);
  free(S.spare);
  free(S.adj);
  free(S.f);
  return status;
}

/* The recorded sweep's pending indexing adjoints: the adjoint g of a
   single element x[i] (x[i, j] ...) of a tensor x is kept as (g, view) in x's list
   instead of being scattered into a dense tensor of x's shape at once, so
   that an index costs O(1), not O(size of x); the list becomes one
   assemble node when x's adjoint is needed (the sweep reaches x, or
   another contribution must be added after them), its elements summed in
   the same order as the dense scatters were.  Lists live in the tape's
   arena (a rule may fail and jump). */
typedef struct Pending {
  int32_t node;           /* the tensor whose adjoint this is */
  int32_t *g;
  uint32_t *p;
  size_t n, cap;
} Pending;

/* The tensors with pending lists: a few per sweep (the tensors indexed
   between the output and the targets); past PEND_MAX the views' rules
   scatter densely as before. */
#define PEND_MAX 64
typedef struct PendSet {
  Pending q[PEND_MAX];
  int n;
} PendSet;

/* Node j's list, created when create is set and there is room; NULL
   otherwise. */
static Pending *
pend_find(PendSet *ps, int32_t j, int create)
{
  for (int k = 0; k < ps->n; k++)
    if (ps->q[k].node == j)
      return &ps->q[k];
  if (!create || ps->n == PEND_MAX)
    return NULL;
  Pending *q = &ps->q[ps->n++];
  memset(q, 0, sizeof *q);
  q->node = j;
  return q;
}

static void
pend_push(GtRec *r, Pending *q, int32_t g, uint32_t param)
{
  if (q->n == q->cap) {
    size_t cap = q->cap ? 2 * q->cap : 4;
    int32_t *ng = gt_arena_alloc(&r->tape->vals, cap * sizeof *ng);
    uint32_t *np = gt_arena_alloc(&r->tape->vals, cap * sizeof *np);
    if (ng == NULL || np == NULL)
      gt_rec_fail(r, GT_ERUNTIME, "out of memory");
    if (q->n) {
      memcpy(ng, q->g, q->n * sizeof *ng);
      memcpy(np, q->p, q->n * sizeof *np);
    }
    q->g = ng;
    q->p = np;
    q->cap = cap;
  }
  q->g[q->n] = g;
  q->p[q->n++] = param;
}

/* Folds node j's pending list into its adjoint slot. */
static void
pend_flush(GtRec *r, Pending *q, int32_t j, int32_t *slot)
{
  if (q->n == 0)
    return;
  GtShape s = *gt_node_shape(r->tape, j);
  if (q->n == 1 && *slot < 0) {
    /* one element: the scatter the view's own rule records */
    int32_t c = gt_rec_push_shaped(r, GT_OP_SCATTER, q->g[0], -1, -1, &s);
    r->tape->nodes[c].param = q->p[0];
    gt_ops[GT_OP_SCATTER].tfwd(r->tape, c, NULL);
    *slot = c;
  } else
    *slot = gt_tensor_assemble(r, &s, *slot, q->g, q->p, q->n);
  q->n = 0;
}

/* The state of one recorded sweep over the nodes lo..out. */
typedef struct RecSweep {
  int32_t lo;
  const unsigned char *f; /* mark()'s flags */
  int32_t *adj;           /* per node: its adjoint node, or -1 */
  PendSet *pend;
  const int32_t *wrt;
  size_t nwrt;
} RecSweep;

/* Node i's recorded adjoint rule, given its adjoint g: contributions
   added to (or pending for) its operands'. */
static void
record_node(GtRec *r, RecSweep *S, int32_t i, int32_t g)
{
  int32_t lo = S->lo;
  GtNode n = r->tape->nodes[i]; /* a copy: appending may move nodes */
  const GtOpInfo *info = &gt_ops[n.op];
  int tensor_op = gt_is_tensor_op((GtOp)n.op);
  if (info->radj == NULL)
    return;
  r->site = n.site;
  r->frame = n.frame;
  if (!tensor_op && info->fwd != NULL) {
    /* an overflowed or underflowed value on the way (elements that the
       adjoint does not reach, as where()'s other branch, excepted) */
    size_t sz = gt_node_size(r->tape, i);
    size_t gsz = gt_node_size(r->tape, g);
    for (size_t e = 0; e < sz; e++) {
      if (sz > 1 && mpfr_zero_p(&r->tape->nodes[g].v[gsz == sz ? e : 0]))
        continue;
      int fault = gt_tape_range_fault(r->tape, i, e);
      if (fault)
        gt_rec_fail(r, GT_ERUNTIME, "%s %s here (its exact value is beyond "
                    "MPFR's exponent range), so the derivative through it "
                    "would be wrong", info->name,
                    fault == 1 ? "overflows to inf" : "underflows to 0");
    }
  }
  if (n.op == GT_OP_TAYLOR && taylor_mixed(r->tape, &n, S->wrt, S->nwrt))
    gt_rec_fail(r, GT_ERUNTIME,
                "differentiating grad(y, x, k) with respect to a variable "
                "other than x is not implemented; nest grad() instead");
  int32_t buf[3];
  const int32_t *opl;
  size_t nops = gt_node_operands(r->tape, i, buf, &opl);
  /* copy the operand list: recording may move the tape's arrays */
  int32_t small[3];
  int32_t *ops = nops <= 3 ? small
                           : gt_arena_alloc(&r->tape->vals,
                                            nops * sizeof *ops);
  if (ops == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  memcpy(ops, opl, nops * sizeof *ops);
  for (size_t k = 0; k < nops; k++) {
    if (ops[k] < lo || !(S->f[ops[k] - lo] & REL))
      continue;
    /* single elements only: a slice's adjoint stays one dense scatter,
       which costs what the slice itself does */
    int elem = n.op == GT_OP_VIEW && n.shape == 0;
    Pending *q = pend_find(S->pend, ops[k], elem);
    if (elem && q != NULL) {
      pend_push(r, q, g, n.param);
      continue;
    }
    if (q && q->n)  /* keep the order of the additions */
      pend_flush(r, q, ops[k], &S->adj[ops[k] - lo]);
    int32_t c = info->radj(r, i, (int)k, g);
    if (c < 0)
      continue;
    /* an elementwise rule gives the broadcast shape: sum it back */
    const GtShape *os = gt_node_shape(r->tape, ops[k]);
    if (r->tape->nodes[c].shape != r->tape->nodes[ops[k]].shape) {
      GtShape to = *os;
      c = gt_tensor_sumto(r, c, &to);
    }
    int32_t *slot = &S->adj[ops[k] - lo];
    *slot = *slot < 0 ? c : gt_rec_op(r, GT_OP_ADD, *slot, c, -1);
  }
}

/* The sweep proper, from out down to lo. */
static void
record_sweep(GtRec *r, RecSweep *S, int32_t out)
{
  int32_t lo = S->lo;
  if (S->f[out - lo] & REL) {
    /* the seed: ones (a tensor output is summed, as grad() does) */
    S->adj[out - lo] = gt_rec_const(r, 1, 1);
    if (r->tape->nodes[out].shape) {
      GtShape os = *gt_node_shape(r->tape, out);
      S->adj[out - lo] = gt_tensor_expand(r, S->adj[out - lo], &os);
    }
  }
  for (int32_t i = out; i >= lo; i--) {
    Pending *pq = r->tape->nodes[i].shape ? pend_find(S->pend, i, 0) : NULL;
    if (pq && pq->n) {
      r->site = r->tape->nodes[i].site;
      r->frame = r->tape->nodes[i].frame;
      pend_flush(r, pq, i, &S->adj[i - lo]);
    }
    if (S->adj[i - lo] >= 0)
      record_node(r, S, i, S->adj[i - lo]);
  }
}

/* record_sweep with S's tables freed when a rule fails (and the failure
   passed on to the caller's handler). */
static void
guarded_sweep(GtRec *r, RecSweep *S, int32_t out)
{
  jmp_buf guard, *outer = r->fail;
  if (setjmp(guard)) {
    r->fail = outer;
    free((void *)S->f);
    free(S->adj);
    free(S->pend);
    longjmp(*outer, 1);
  }
  r->fail = &guard;
  record_sweep(r, S, out);
  r->fail = outer;
}

void
gt_rev_record(GtRec *r, int32_t out, const int32_t *wrt, size_t nwrt,
              int32_t *res)
{
  int32_t lo = lowest(wrt, nwrt, out);
  if (lo > out) {
    for (size_t k = 0; k < nwrt; k++) {
      GtShape ws = *gt_node_shape(r->tape, wrt[k]);
      res[k] = ws.rank ? gt_rec_zeros(r, &ws) : gt_rec_const(r, 0, 1);
    }
    return;
  }
  size_t span = (size_t)(out - lo) + 1;
  /* the tables are malloc'd and freed here, also when a rule fails and
     jumps (through the guard below), so that a Jacobian's many sweeps do
     not leave one table each in the tape's arena */
  unsigned char *f = mark(r->tape, lo, out, wrt, nwrt);
  int32_t *adj = malloc(span * sizeof *adj);
  PendSet *pend = malloc(sizeof *pend);
  if (f == NULL || adj == NULL || pend == NULL) {
    free(f);
    free(adj);
    free(pend);
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  }
  memset(adj, 0xff, span * sizeof *adj);
  pend->n = 0;
  uint32_t site = r->site, frame = r->frame;
  uint8_t flags = r->flags;
  r->flags = GT_NF_ADJ;
  RecSweep S = { .lo = lo, .f = f, .adj = adj, .pend = pend, .wrt = wrt,
                 .nwrt = nwrt };
  guarded_sweep(r, &S, out);
  r->flags = flags;
  r->site = site;
  r->frame = frame;
  for (size_t k = 0; k < nwrt; k++) {
    int32_t w = wrt[k];
    if (w >= lo && w <= out && adj[w - lo] >= 0)
      res[k] = adj[w - lo];
    else if (r->tape->nodes[w].shape) {
      GtShape ws = *gt_node_shape(r->tape, w);
      res[k] = gt_rec_zeros(r, &ws);
    } else
      res[k] = gt_rec_const(r, 0, 1);
  }
  free(f);
  free(adj);
  free(pend);
}

void
gt_rev_jacobian_rows(GtRec *r, int32_t y, int32_t x, int32_t *rows)
{
  size_t n = gt_node_size(r->tape, y);
  if (r->tape->nodes[y].shape == 0) {
    gt_rev_record(r, y, &x, 1, &rows[0]);
    return;
  }
  uint32_t site = r->site;
  GtShape one = { 0, 1, { 0 } };
  /* the elements first, then their sweeps: a sweep runs over the nodes
     from x to its element, which then exclude the rows recorded before
     it (O(tape) per row, not O(tape + rows so far)) */
  for (size_t k = 0; k < n; k++) {
    GtView v;
    memset(&v, 0, sizeof v);
    v.offset = k;
    rows[k] = gt_tensor_view(r, y, &v, &one);
  }
  for (size_t k = 0; k < n; k++) {
    int32_t g;
    gt_rev_record(r, rows[k], &x, 1, &g);
    rows[k] = g;
  }
  r->site = site;
}

/* The recorded Jacobian: one recorded sweep per element of y, stacked and
   shaped y's shape then x's. */
int32_t
gt_rev_jacobian(GtRec *r, int32_t y, int32_t x)
{
  GtShape ys = *gt_node_shape(r->tape, y), xs = *gt_node_shape(r->tape, x);
  if (ys.rank == 0) {
    int32_t g;
    gt_rev_record(r, y, &x, 1, &g);
    return g;
  }
  uint32_t site = r->site;
  if (ys.rank + xs.rank > GT_MAX_RANK)
    gt_rec_fail(r, GT_ERUNTIME, "the Jacobian would have rank %d (at most "
                "%d)", ys.rank + xs.rank, GT_MAX_RANK);
  int32_t *rows = gt_arena_alloc(&r->tape->vals, ys.size * sizeof *rows + 1);
  if (rows == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  gt_rev_jacobian_rows(r, y, x, rows);
  r->site = site;
  int32_t j = gt_tensor_stack(r, rows, ys.size);
  GtShape js;
  memset(&js, 0, sizeof js);
  for (int d = 0; d < ys.rank; d++)
    js.dim[js.rank++] = ys.dim[d];
  for (int d = 0; d < xs.rank; d++)
    js.dim[js.rank++] = xs.dim[d];
  js.size = ys.size * xs.size;
  return gt_tensor_reshape(r, j, &js);
}
