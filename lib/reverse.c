/* reverse.c -- reverse sweeps over the tape.
 *
 * Both sweeps first mark the nodes through which a derivative can flow:
 * those that depend, through differentiable operations, on one of the
 * nodes differentiated against.  Only those get adjoints, so constants,
 * loop counters and comparisons cost nothing, and a rule is never asked
 * for a derivative nobody needs (d/db of a^b with a constant b, say).
 *
 * The numeric sweep accumulates adjoints as numbers: O(1) MPFR operations
 * per marked node.  A zero adjoint is not propagated, which is also what
 * keeps where() from turning an unselected branch's infinite derivative
 * into NaN.  The recorded sweep (grad() in the language) appends the same
 * rules as nodes, so its result can be differentiated again.
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
    int32_t ops[3] = { n->a, n->b, n->c };
    unsigned char m = 0;
    for (int k = 0; k < 3; k++)
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
    const GtNode *n = &t->nodes[i];
    int32_t ops[3] = { n->a, n->b, n->c };
    for (int k = 0; k < 3; k++)
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
  int rc = ok ? gt_taylor(t, n->b, n->a, k, d, &fn, &fo) : -2;
  if (rc == 0)
    mpfr_mul(out, g, d[k], MPFR_RNDN);
  free(d);
  gt_arena_free(&hold.vals);
  return rc;
}

int
gt_rev_sweep(const GtTape *t, int32_t out, const int32_t *wrt, size_t nwrt,
             mpfr_ptr *res, int *connected, int32_t *nan_node)
{
  *nan_node = -1;
  int32_t lo = lowest(wrt, nwrt, out);
  for (size_t k = 0; k < nwrt; k++) {
    mpfr_set_zero(res[k], 1);
    connected[k] = 0;
  }
  if (lo > out)
    return GT_OK;
  size_t span = (size_t)(out - lo) + 1;
  unsigned char *f = mark(t, lo, out, wrt, nwrt);
  mpfr_ptr *adj = calloc(span, sizeof *adj);
  /* adjoints of nodes already swept are recycled: a long chain keeps only
     a few alive, and fewer fresh pages are touched */
  mpfr_ptr *spare = malloc(span * sizeof *spare);
  size_t nspare = 0;
  if (f == NULL || adj == NULL || spare == NULL) {
    free(f);
    free(adj);
    free(spare);
    return -1;
  }
  for (size_t k = 0; k < nwrt; k++)
    if (wrt[k] >= lo && wrt[k] <= out)
      f[wrt[k] - lo] |= WRT;
  /* adjoints and scratch are numbers at the tape's precision from one
     arena (so the first contribution can be swapped in, not copied) */
  GtTape holder = { .prec = t->prec };
  int32_t inf_node = -1;
  mpfr_ptr scratch[4];
  int status = GT_OK;
  for (int k = 0; k < 4; k++)
    if ((scratch[k] = gt_tape_number(&holder)) == NULL)
      status = -1;
  if (status == GT_OK && (f[out - lo] & REL)) {
    adj[out - lo] = gt_tape_number(&holder);
    if (adj[out - lo] == NULL)
      status = -1;
    else
      mpfr_set_ui(adj[out - lo], 1, MPFR_RNDN);
  }
  for (int32_t i = out; i >= lo && status == GT_OK; i--) {
    mpfr_ptr g = adj[i - lo];
    if (g == NULL || mpfr_zero_p(g))
      continue;
    const GtNode *n = &t->nodes[i];
    const GtOpInfo *info = &gt_ops[n->op];
    if (n->op == GT_OP_TAYLOR) {
      int32_t b = n->b;
      if (taylor_mixed(t, n, wrt, nwrt)
          || (b >= lo && (f[b - lo] & REL)
              && taylor_adj(t, n, g, scratch[0]) != 0)) {
        *nan_node = i;
        status = GT_ERUNTIME;
        break;
      }
      if (b >= lo && (f[b - lo] & REL)) {
        if (adj[b - lo] == NULL) {
          adj[b - lo] = nspare ? spare[--nspare] : gt_tape_number(&holder);
          if (adj[b - lo] == NULL) {
            status = -1;
            break;
          }
          mpfr_swap(adj[b - lo], scratch[0]);
        } else
          mpfr_add(adj[b - lo], adj[b - lo], scratch[0], MPFR_RNDN);
      }
      continue;
    }
    if (info->adj == NULL)
      continue;
    GtAdjArgs X = { .y = n->v, .g = g, .t = scratch[3] };
    int32_t ops[3] = { n->a, n->b, n->c };
    int any = 0;
    for (int k = 0; k < 3; k++) {
      X.out[k] = scratch[k];
      X.need[k] = ops[k] >= lo && (f[ops[k] - lo] & REL);
      any |= X.need[k];
    }
    if (!any)
      continue;
    X.a = n->a >= 0 ? t->nodes[n->a].v : NULL;
    X.b = n->b >= 0 ? t->nodes[n->b].v : NULL;
    X.c = n->c >= 0 ? t->nodes[n->c].v : NULL;
    if (info->adj(&X) != 0) {
      *nan_node = i;
      status = GT_ERUNTIME;
      break;
    }
    if (!(f[i - lo] & WRT)) {
      spare[nspare++] = g;
      adj[i - lo] = NULL;
    }
    for (int k = 0; k < 3; k++) {
      if (!X.need[k])
        continue;
      /* blame a NaN on the rule that made it, or, when it is an infinite
         adjoint times 0, on the rule that made the adjoint infinite */
      if (mpfr_inf_p(X.out[k]) && mpfr_number_p(g) && inf_node < 0)
        inf_node = i;
      if (mpfr_nan_p(X.out[k]) && !mpfr_nan_p(g) && *nan_node < 0)
        *nan_node = mpfr_inf_p(g) && inf_node >= 0 ? inf_node : i;
      mpfr_ptr *slot = &adj[ops[k] - lo];
      if (*slot == NULL) {
        *slot = nspare ? spare[--nspare] : gt_tape_number(&holder);
        if (*slot == NULL) {
          status = -1;
          break;
        }
        mpfr_swap(*slot, X.out[k]); /* same precision: a pointer swap */
      } else
        mpfr_add(*slot, *slot, X.out[k], MPFR_RNDN);
    }
  }
  if (status == GT_OK)
    for (size_t k = 0; k < nwrt; k++) {
      int32_t w = wrt[k];
      if (w < lo || w > out)
        continue;
      if (adj[w - lo] != NULL) {
        mpfr_set(res[k], adj[w - lo], MPFR_RNDN);
        connected[k] = 1;
      } else
        connected[k] = (f[w - lo] & DEP) && depends(t, out, w);
    }
  gt_arena_free(&holder.vals);
  free(spare);
  free(adj);
  free(f);
  return status;
}

void
gt_rev_record(GtRec *r, int32_t out, const int32_t *wrt, size_t nwrt,
              int32_t *res)
{
  int32_t lo = lowest(wrt, nwrt, out);
  if (lo > out) {
    for (size_t k = 0; k < nwrt; k++)
      res[k] = gt_rec_const(r, 0, 1);
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
  if (f[out - lo] & REL)
    adj[out - lo] = gt_rec_const(r, 1, 1);
  r->flags = GT_NF_ADJ;
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
    if (info->radj == NULL)
      continue;
    int32_t ops[3] = { n.a, n.b, n.c };
    r->site = n.site;
    r->frame = n.frame;
    if (n.op == GT_OP_TAYLOR && taylor_mixed(r->tape, &n, wrt, nwrt))
      gt_rec_fail(r, GT_ERUNTIME,
                  "differentiating grad(y, x, k) with respect to a variable "
                  "other than x is not implemented; nest grad() instead");
    for (int k = 0; k < 3; k++) {
      if (ops[k] < lo || !(f[ops[k] - lo] & REL))
        continue;
      int32_t c = info->radj(r, i, k, g);
      if (c < 0)
        continue;
      int32_t *slot = &adj[ops[k] - lo];
      *slot = *slot < 0 ? c : gt_rec_op(r, GT_OP_ADD, *slot, c, -1);
    }
  }
  r->flags = flags;
  r->site = site;
  r->frame = frame;
  for (size_t k = 0; k < nwrt; k++) {
    int32_t w = wrt[k];
    res[k] = (w >= lo && w <= out && adj[w - lo] >= 0)
                 ? adj[w - lo] : gt_rec_const(r, 0, 1);
  }
}
