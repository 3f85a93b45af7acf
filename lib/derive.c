/* derive.c -- the derivative planner: which method computes a requested
 * set of derivatives.
 *
 * Two callers ask for derivatives.  The language's grad(y, x, k) (and
 * hessian() and jacobian(), which reach it) records its result on the
 * tape, where it can be differentiated again: a *kept* result.  The
 * command line's --order K and --all-orders (derive() in api.c) want
 * final numbers.  Both ask gt_derive_plan(), which applies one rule:
 *
 *   1. Order 0 is the function itself (IDENTITY).
 *   2. A kept result, or an order >= 2 with a tensor among the outputs or
 *      names, is RECORDED: K levels of recorded reverse sweeps (grad of
 *      grad; through tensors, chains of recorded Jacobians).  Cost: about
 *      3^K times the function's, bounded by --max-nodes.  So is any order
 *      of a tensor output asked for whole (--jacobian, GtDeriveReq.whole):
 *      the m x n Jacobian costs m reverse sweeps at each level.
 *   3. Exception: one scalar name and an order K >= taylor_from is TAYLOR,
 *      one forward Taylor sweep per output, O(K^2) MPFR operations per
 *      node between the name and the output.
 *   4. Otherwise final numbers are NUMERIC at order 1 (one numeric reverse
 *      sweep per output gives every name's partial at once) and NESTED at
 *      order K >= 2 (K-1 recorded levels for each nondecreasing prefix of
 *      names, then one numeric sweep over the remaining names).
 *
 * The threshold taylor_from and the test for "a scalar name" are the two
 * places where the callers still differ; unifying them would change
 * results that the tests pin, so each difference is kept on purpose:
 *
 *   - taylor_from is GT_DERIVE_NESTED_MAX + 1 = 4 for a kept result and 2
 *     for numbers.  A Taylor node can be differentiated again with respect
 *     to its own x only, so a kept grad(y, x, k) stays recorded while the
 *     nesting's 3^k cost is acceptable: with taylor_from = 2 for kept
 *     results, grad(grad(z, x, 3), y) fails (tests t4_grad3_wrt_y,
 *     ex_taylor_halley).  Final numbers are never differentiated again, so
 *     Taylor mode is taken from order 2: it is O(K^2) where nesting is
 *     3^K, and it reports failures at the primitive with the order that
 *     needs it.  With taylor_from = 4 for numbers, --order 2 and 3 would
 *     print inf where Taylor mode reports NaN coefficients (1/x and x^0.5
 *     at 0: i11_taylor_div_zero, i10_pow_taylor_sqrt) and word other
 *     errors differently (i10_pow_taylor_xx, i11_taylor_nan_located,
 *     t4_digamma_order3).
 *   - For a kept result, "scalar" means every node between x and y that y
 *     uses is a scalar (scalar_path below, checked before the sweep).  For
 *     numbers only the names and outputs are checked before; the sweep
 *     itself reports a tensor on the way (among the nodes that depend on
 *     the name), and the caller then takes RECORDED for every output
 *     (gt_taylor() says GT_TAYLOR_TENSOR).  One test for both would
 *     change one of them, for programs with tensors that do not depend on
 *     the name: the sweep's test in the language would move their
 *     grad(y, x, k >= 4) from nested recording to Taylor mode (a result
 *     that can no longer be differentiated with respect to other names);
 *     the whole-path test on the command line would move them to recorded
 *     Jacobians (other rounding) and change which of several outputs'
 *     errors is reported first.
 */
#include <stdlib.h>

#include "internal.h"

/* Are x and every node between x and y that y uses scalars (so that
   Taylor mode can sweep them)?  Out of memory answers yes: the Taylor
   sweep will say it is out of memory. */
static int
scalar_path(const GtTape *t, int32_t x, int32_t y)
{
  if (t->nodes[x].shape != 0)
    return 0;
  if (y < x)
    return 1;
  unsigned char *used = gt_tape_uses(t, x, y);
  if (used == NULL)
    return 1;
  int ok = 1;
  for (int32_t i = y; i >= x && ok; i--)
    if (used[i - x] && (t->nodes[i].shape != 0
                        || gt_is_tensor_op((GtOp)t->nodes[i].op)))
      ok = 0;
  free(used);
  return ok;
}

/* Is any of the n nodes v a tensor? */
static int
any_tensor(const GtTape *t, const int32_t *v, size_t n)
{
  for (size_t k = 0; k < n; k++)
    if (t->nodes[v[k]].shape != 0)
      return 1;
  return 0;
}

GtDeriveMethod
gt_derive_plan(const GtDeriveReq *q)
{
  if (q->order == 0)
    return GT_DERIVE_IDENTITY;
  /* the Jacobian of a tensor output: chains of recorded Jacobians, one
     reverse sweep per element of the output at each level (rule 2) */
  if (q->whole && any_tensor(q->tape, q->of, q->nof))
    return GT_DERIVE_RECORDED;
  int tensors = any_tensor(q->tape, q->of, q->nof)
                || any_tensor(q->tape, q->wrt, q->nwrt);
  long taylor_from = q->keep ? GT_DERIVE_NESTED_MAX + 1 : 2;
  if (q->keep) {
    /* rule 3 with the whole path checked first */
    if (q->nwrt == 1 && q->order >= taylor_from && q->nof == 1
        && scalar_path(q->tape, q->wrt[0], q->of[0]))
      return GT_DERIVE_TAYLOR;
    return GT_DERIVE_RECORDED;
  }
  if (q->order >= 2 && tensors)
    return GT_DERIVE_RECORDED;
  if (q->nwrt == 1 && q->order >= taylor_from)
    return GT_DERIVE_TAYLOR;    /* a tensor on the way: RECORDED after all */
  return q->order == 1 ? GT_DERIVE_NUMERIC : GT_DERIVE_NESTED;
}

/* Rule 5, a refinement of NESTED for final numbers: order K >= 3 in n
   >= 2 scalar inputs goes by Taylor interpolation (partials.c) when its
   C(n+K-1, K) sweeps of O(K^2) per node cost less than the nesting's
   C(n+K-2, K-1) prefixes of about 3^(K-1) each, give or take a factor 4:
   (n+K-1) K <= 4 3^(K-1), so n <= 10 at K = 3, n <= 24 at K = 4, any
   reasonable n from K = 6.  Order 2 (Hessians) stays nested: two sweeps
   per name are cheaper than C(n+1, 2) Taylor sweeps, and its results,
   which the tests pin, stay as they are; and the exact weights must stay
   cheap (below).  Inputs only: a name bound to an
   intermediate value moves alone in a nested sweep, which seeding a
   Taylor sweep there would not reproduce. */
int
gt_derive_interp(const GtDeriveReq *q)
{
  if (q->keep || q->order < 3 || q->nwrt < 2 || q->nwrt > 64
      || gt_derive_plan(q) != GT_DERIVE_NESTED)
    return 0;
  for (size_t k = 0; k < q->nwrt; k++)
    if (q->tape->nodes[q->wrt[k]].op != GT_OP_INPUT)
      return 0;
  /* the exact weights take about N^2 (K/n + 1)^n small integer
     operations for the N = C(n+K-1, K) partials: keep them below 2e7
     (a second or so); beyond, the nesting, whose limits end it early */
  double N = (double)gt_partials_count(q->nwrt, (int)q->order);
  double box = 1, side = (double)q->order / (double)q->nwrt + 1;
  for (size_t k = 0; k < q->nwrt; k++)
    box *= side;
  if (N * N * box > 2e7)
    return 0;
  double lhs = (double)(q->nwrt + (size_t)q->order - 1) * (double)q->order;
  double rhs = 4;
  for (long k = 1; k < q->order && rhs < lhs; k++)
    rhs *= 3;
  return lhs <= rhs;
}

const char *
gt_derive_method_name(GtDeriveMethod m)
{
  switch (m) {
  case GT_DERIVE_IDENTITY:
    return "identity";
  case GT_DERIVE_NUMERIC:
    return "numeric reverse";
  case GT_DERIVE_NESTED:
    return "nested sweeps";
  case GT_DERIVE_RECORDED:
    return "recorded reverse";
  case GT_DERIVE_TAYLOR:
    return "Taylor mode";
  }
  return "?";
}

double
gt_derive_taylor_cost(const GtTape *t, int32_t y, int32_t x, long k)
{
  double span = y >= x ? (double)(y - x) + 1 : 1;
  double wide = (double)(t->prec + 2 * k) / 128.0;
  return (double)k * (double)k * span * (wide > 1 ? wide : 1);
}
