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
  size_t nspare;
  GtTape holder;          /* the numbers' arena */
  mpfr_ptr scratch[6];
  mpfr_ptr pair;          /* two contiguous numbers for tensor rules */
  int32_t inf_node;
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
       contribution, even +0, makes them +0 or nonzero (see quiet()) */
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
  mpfr_ptr acc[3] = { NULL, NULL, NULL };
  int none[3];
  GtAdjArgs X = { .t = S->scratch[3], .none = none };
  GtWalk w;
  gt_rec_walk_init(&w, ys);
  for (int k = 0; k < 3; k++) {
    X.out[k] = S->scratch[k];
    X.need[k] = ops[k] >= S->lo && (S->f[ops[k] - S->lo] & REL);
    gt_rec_walk_add(&w, ops[k] >= 0 ? gt_node_shape(t, ops[k]) : NULL);
    if (X.need[k] && (acc[k] = adjoint(S, ops[k])) == NULL)
      return -1;
  }
  const long *off = w.off;
  for (size_t e = 0; e < ys->size; e++, gt_rec_walk_next(&w)) {
    /* an element's adjoint that contributes nothing is skipped */
    if (!quiet_element(t, i, e, &g[e])) {
      X.y = &n->v[e];
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
  GtAdjArgs X = { .y = n->v, .g = g, .t = S->scratch[3], .none = none };
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
  if (!(S->f[i - lo] & WRT)) {
    S->spare[S->nspare++] = g;
    S->adj[i - lo] = NULL;
  }
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
tensor_adj(Sweep *S, int32_t i, mpfr_srcptr g)
{
  const GtTape *t = S->t;
  const GtOpInfo *info = &gt_ops[t->nodes[i].op];
  int32_t buf[3];
  const int32_t *ops;
  size_t nops = gt_node_operands(t, i, buf, &ops);
  for (size_t k = 0; k < nops; k++) {
    if (ops[k] < S->lo || !(S->f[ops[k] - S->lo] & REL))
      continue;
    mpfr_ptr a = adjoint(S, ops[k]);
    if (a == NULL || info->tadj(t, i, k, g, a, S->pair) != 0)
      return -1;
  }
  return GT_OK;
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
  Sweep S = { .t = t, .lo = lo, .inf_node = -1 };
  S.holder.prec = t->prec;
  size_t span = (size_t)(out - lo) + 1;
  S.f = mark(t, lo, out, wrt, nwrt);
  S.adj = calloc(span, sizeof *S.adj);
  /* scalar adjoints of nodes already swept are recycled: a long chain
     keeps only a few alive, and fewer fresh pages are touched */
  S.spare = malloc(span * sizeof *S.spare);
  int status = GT_OK;
  if (S.f == NULL || S.adj == NULL || S.spare == NULL)
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
    mpfr_ptr g = S.adj[i - lo];
    if (g == NULL)
      continue;
    const GtNode *n = &t->nodes[i];
    const GtOpInfo *info = &gt_ops[n->op];
    if (n->shape == 0 && info->adj != NULL) {
      /* the hot path: a scalar elementwise op (tensor operations and
         grad(y, x, k) have no adj) */
      /* a zero adjoint contributes nothing unless a partial is
         infinite (0 * inf) or the value is out of range */
      if (mpfr_zero_p(g) && !mpfr_inf_p(n->v)
          && !(mpfr_zero_p(n->v) && gt_tape_range_fault(t, i, 0)))
        continue;
      int32_t ops[3] = { n->a, n->b, n->c };
      int any = 0, shaped = 0;
      for (int k = 0; k < 3; k++)
        if (ops[k] >= 0) {
          any |= ops[k] >= lo && (S.f[ops[k] - lo] & REL);
          shaped |= t->nodes[ops[k]].shape != 0;
        }
      if (!any)
        continue;
      if (!shaped) {
        status = scalar_adj(&S, i, g, wrt, nan_node);
        continue;
      }
    }
    if (quiet(t, i, g))
      continue;
    if (n->op == GT_OP_TAYLOR) {
      status = taylor_node_adj(&S, i, g, wrt, nwrt, nan_node);
      continue;
    }
    if (info->tadj != NULL) {
      status = tensor_adj(&S, i, g);
      continue;
    }
    if (info->adj == NULL)
      continue;
    int32_t ops[3] = { n->a, n->b, n->c };
    int any = 0, shaped = n->shape != 0;
    for (int k = 0; k < 3; k++) {
      any |= ops[k] >= lo && (S.f[ops[k] - lo] & REL);
      shaped |= ops[k] >= 0 && t->nodes[ops[k]].shape != 0;
    }
    if (!any)
      continue;
    if (shaped) {
      int rc = elementwise_adj(&S, i, g, nan_node);
      if (rc != 0)
        status = rc;
      continue;
    }
    status = scalar_adj(&S, i, g, wrt, nan_node);
  }
  if (status == GT_OK)
    sweep_results(&S, out, wrt, nwrt, res, connected);
  gt_arena_free(&S.holder.vals);
  free(S.spare);
  free(S.adj);
  free(S.f);
  return status;
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
  unsigned char *f = mark(r->tape, lo, out, wrt, nwrt);
  /* the rules may fail and jump out of here, so the adjoint table lives
     in the tape's arena, freed with the recording */
  int32_t *adj = gt_arena_alloc(&r->tape->vals, span * sizeof *adj);
  if (f == NULL || adj == NULL) {
    free(f);
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  }
  memset(adj, 0xff, span * sizeof *adj);
  uint32_t site = r->site, frame = r->frame;
  uint8_t flags = r->flags;
  r->flags = GT_NF_ADJ;
  if (f[out - lo] & REL) {
    /* the seed: ones (a tensor output is summed, as grad() does) */
    adj[out - lo] = gt_rec_const(r, 1, 1);
    if (r->tape->nodes[out].shape) {
      GtShape os = *gt_node_shape(r->tape, out);
      adj[out - lo] = gt_tensor_expand(r, adj[out - lo], &os);
    }
  }
  /* the marks are needed only to choose which rules to apply; take them
     into the arena too, so that a failing rule leaks nothing */
  unsigned char *marks = gt_arena_alloc(&r->tape->vals, span);
  if (marks == NULL) {
    free(f);
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  }
  memcpy(marks, f, span);
  free(f);
  f = marks;
  for (int32_t i = out; i >= lo; i--) {
    int32_t g = adj[i - lo];
    if (g < 0)
      continue;
    GtNode n = r->tape->nodes[i]; /* a copy: appending may move nodes */
    const GtOpInfo *info = &gt_ops[n.op];
    int tensor_op = gt_is_tensor_op((GtOp)n.op);
    if (info->radj == NULL)
      continue;
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
    if (n.op == GT_OP_TAYLOR && taylor_mixed(r->tape, &n, wrt, nwrt))
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
      if (ops[k] < lo || !(f[ops[k] - lo] & REL))
        continue;
      int32_t c = info->radj(r, i, (int)k, g);
      if (c < 0)
        continue;
      /* an elementwise rule gives the broadcast shape: sum it back */
      const GtShape *os = gt_node_shape(r->tape, ops[k]);
      if (r->tape->nodes[c].shape != r->tape->nodes[ops[k]].shape) {
        GtShape to = *os;
        c = gt_tensor_sumto(r, c, &to);
      }
      int32_t *slot = &adj[ops[k] - lo];
      *slot = *slot < 0 ? c : gt_rec_op(r, GT_OP_ADD, *slot, c, -1);
    }
  }
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
  GtShape one = { 0, 1, { 0 } };
  for (size_t k = 0; k < ys.size; k++) {
    GtView v;
    memset(&v, 0, sizeof v);
    v.offset = k;
    int32_t yk = gt_tensor_view(r, y, &v, &one);
    int32_t g;
    gt_rev_record(r, yk, &x, 1, &g);
    rows[k] = g;
  }
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
