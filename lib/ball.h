/* ball.h -- ball rules of the primitive operations, for --enclose
 *
 * Each op of ops.def has a rule that maps balls (Arb's arb_t: a midpoint
 * and a radius) enclosing its operands to a ball enclosing its exact
 * result for every point of the operand balls, or says why it cannot:
 *
 *   GT_BALL_UNDECIDED  a decision the op makes is not decided by the
 *                      balls: a comparison (x < 1 with x in [0.99, 1.01]),
 *                      where()'s condition, a kink inside the ball (abs,
 *                      relu and sign at 0, a tie of min and max, a jump
 *                      of floor, ceil, round, trunc and %);
 *   GT_BALL_DOMAIN     the ball reaches outside the op's domain or a pole
 *                      (log of a ball containing 0, 1 / [-1, 1]): Arb's
 *                      result is not finite;
 *   GT_BALL_NORULE     no ball rule here (grad(y, x, k) inside the program).
 *
 * Scalar (elementwise) rules take one element of each operand; tensor ops
 * (GT_OPF_TENSOR) take the whole nodes.  Internal to libgradtool (enclose.c
 * runs them, tests/unit/test_ball.c checks them); it includes Arb, which
 * internal.h does not.
 */
#ifndef GT_BALL_H
#define GT_BALL_H

#include <arb.h>

#include "internal.h"

enum { GT_BALL_OK = 0, GT_BALL_UNDECIDED, GT_BALL_DOMAIN, GT_BALL_NORULE };

/* The balls of a tape: node i's elements (its shape's size of them), or
   NULL when node i is not needed. */
typedef struct GtBalls {
  const GtTape *t;
  arb_ptr *b;
  slong prec;
} GtBalls;

/* y = op(a, b, c) on one element; absent operands are NULL. */
typedef int (*GtBallFn)(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c,
                        slong prec);
/* A tensor op: B->b[i] from its operands' balls. */
typedef int (*GtBallTensorFn)(GtBalls *B, int32_t i);
/* Taylor mode: y = op(a, b, c) on power series of n coefficients (every
   operand given in full; y not aliased with them). */
typedef int (*GtBallSeriesFn)(arb_ptr y, arb_srcptr a, arb_srcptr b,
                              arb_srcptr c, slong n, slong prec);

typedef struct GtBallRule {
  GtBallFn fn;            /* elementwise ops */
  GtBallTensorFn tfn;     /* tensor ops */
  const char *exempt;     /* why the op has no rule here (leaves: the sweep
                             encloses them; grad(y, x, k)), else NULL */
  GtBallSeriesFn ser;     /* elementwise ops with GT_OPF_SMOOTH */
} GtBallRule;

/* Indexed by GtOp; test_ball names any op with neither rule nor reason. */
extern const GtBallRule gt_ball_rules[GT_OP_COUNT];

/* jet[k] = d^(d+k)/da^(d+k) Gamma(a, x) / k!, k < n, on balls (sf.c:
   Cauchy's formula with a proven aliasing bound; x >= 0, and a > 0 where
   x = 0, else the balls are not finite).  a and x may be wide balls: the
   result encloses the jet at every point of them. */
void gt_sf_gamma_inc_a_jet(arb_ptr jet, arb_srcptr a, arb_srcptr x, long d,
                           long n, long prec);
/* jet[k] = d^k/dx^k (d^d/da^d Gamma(a, x)) / k!, k < n, on balls (sf.c:
   the value from the jet in a, the rest from the x-derivative
   -x^(a-1) log(x)^d e^-x; x > 0, d >= 1). */
void gt_sf_gamma_inc_dx_jet(arb_ptr jet, arb_srcptr a, arb_srcptr x, long d,
                            long n, long prec);

#endif /* GT_BALL_H */
