/* ball.c -- the ball rules of the primitive operations (ball.h)
 *
 * One rule per op of ops.def, in its order.  Each maps balls enclosing the
 * operands to a ball enclosing the exact result over every point of them
 * (Arb's functions guarantee that), or fails: a decision the balls leave
 * open (a comparison, a kink inside the ball) is GT_BALL_UNDECIDED, a
 * result Arb cannot bound (a pole or the edge of the domain inside the
 * ball) GT_BALL_DOMAIN.  Kinks fail rather than widen because the
 * recorded derivative rules (ops.c's r_abs, r_minmax, r_relu ...) chose a
 * branch from the midpoint: the derivative enclosure is right only where
 * that branch is the exact one.  A ball exactly at a kink (abs of an exact
 * 0) takes the documented convention, as the run does.
 *
 * Cost: one Arb operation (a few for the compound functions) per element,
 * at the working precision.
 */
#include <string.h>

#include <arb_hypgeom.h>
#include <arb_poly.h>

#include "ball.h"

#define UNUSED3 (void)a; (void)b; (void)c
/* a rule that is Arb's function of one operand: f(y, a, prec) */
#define UNARY(name, f)                                                      \
  static int name(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c,      \
                  slong prec)                                               \
  {                                                                         \
    (void)b; (void)c;                                                       \
    f(y, a, prec);                                                          \
    return finite_ball(y);                                                       \
  }
/* the same for two operands */
#define BINARY(name, f)                                                     \
  static int name(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c,      \
                  slong prec)                                               \
  {                                                                         \
    (void)c;                                                                \
    f(y, a, b, prec);                                                       \
    return finite_ball(y);                                                       \
  }

/* A non-finite ball (Arb's answer at a pole or outside the domain) is a
   domain failure. */
static int
finite_ball(arb_srcptr y)
{
  return arb_is_finite(y) ? GT_BALL_OK : GT_BALL_DOMAIN;
}

/* Sets y to the exact 0 or 1. */
static int
truth(arb_ptr y, int t)
{
  arb_set_si(y, t);
  return GT_BALL_OK;
}

/* ---- arithmetic ------------------------------------------------------- */

static int
b_neg(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c; (void)prec;
  arb_neg(y, a);
  return finite_ball(y);
}

BINARY(b_add, arb_add)
BINARY(b_sub, arb_sub)
BINARY(b_mul, arb_mul)
BINARY(b_div, arb_div)

/* floor of one ball when it is decided: the ball holds no integer other
   than, possibly, an exact integer value */
static int
decided_floor(arb_ptr y, arb_srcptr a, slong prec)
{
  arb_floor(y, a, prec);
  return arb_is_exact(y) && arb_is_finite(y) ? GT_BALL_OK
                                              : GT_BALL_UNDECIDED;
}

/* a % b = a - b floor(a / b) (the sign of b, as Python's), with floor
   decided */
static int
b_mod(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c;
  arb_t q;
  arb_init(q);
  /* exact operands whose quotient is an integer only to within Arb's
     rounding: a few more bits decide it */
  int st = GT_BALL_DOMAIN;
  for (slong p = prec; p <= 8 * prec; p *= 2) {
    arb_div(q, a, b, p);
    st = arb_is_finite(q) ? decided_floor(q, q, p) : GT_BALL_DOMAIN;
    if (st != GT_BALL_UNDECIDED || !arb_is_exact(a) || !arb_is_exact(b))
      break;
  }
  if (st == GT_BALL_OK) {
    arb_mul(q, q, b, prec);
    arb_sub(y, a, q, prec);
    st = finite_ball(y);
  }
  arb_clear(q);
  return st;
}

/* a // b: the floor of the exact quotient, decided as for a % b */
static int
b_floordiv(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c;
  arb_t q;
  arb_init(q);
  int st = GT_BALL_DOMAIN;
  for (slong p = prec; p <= 8 * prec; p *= 2) {
    arb_div(q, a, b, p);
    st = arb_is_finite(q) ? decided_floor(q, q, p) : GT_BALL_DOMAIN;
    if (st != GT_BALL_UNDECIDED || !arb_is_exact(a) || !arb_is_exact(b))
      break;
  }
  if (st == GT_BALL_OK)
    arb_set(y, q);
  arb_clear(q);
  return st;
}

/* a^b: an exact integer b allows any a (a^-n needs a != 0); otherwise a
   must be positive, or an exact 0 with b > 0 */
static int
b_pow(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c;
  fmpz_t n;
  fmpz_init(n);
  int st;
  if (arb_is_exact(b) && arb_get_unique_fmpz(n, b)) {
    if (fmpz_sgn(n) < 0 && arb_contains_zero(a))
      st = GT_BALL_DOMAIN;
    else {
      arb_pow_fmpz(y, a, n, prec);
      st = finite_ball(y);
    }
  } else if (arb_is_zero(a) && arb_is_positive(b)) {
    arb_zero(y);
    st = GT_BALL_OK;
  } else if (arb_is_positive(a)) {
    arb_pow(y, a, b, prec);
    st = finite_ball(y);
  } else
    st = GT_BALL_DOMAIN;
  fmpz_clear(n);
  return st;
}

/* ---- comparisons: decided, or GT_BALL_UNDECIDED ------------------------- */

static int
b_eq(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c; (void)prec;
  if (arb_eq(a, b))
    return truth(y, 1);   /* both exact and equal */
  if (!arb_overlaps(a, b))
    return truth(y, 0);
  return GT_BALL_UNDECIDED;
}

static int
b_ne(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  int st = b_eq(y, a, b, c, prec);
  if (st == GT_BALL_OK)
    arb_set_si(y, arb_is_zero(y));
  return st;
}

static int
b_lt(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c; (void)prec;
  if (arb_lt(a, b))
    return truth(y, 1);
  if (arb_ge(a, b))
    return truth(y, 0);
  return GT_BALL_UNDECIDED;
}

static int
b_le(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c; (void)prec;
  if (arb_le(a, b))
    return truth(y, 1);
  if (arb_gt(a, b))
    return truth(y, 0);
  return GT_BALL_UNDECIDED;
}

static int
b_gt(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  return b_lt(y, b, a, c, prec);
}

static int
b_ge(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  return b_le(y, b, a, c, prec);
}

/* Is a ball's truth value decided (exactly 0, or 0 outside it)? */
static int
decided_truth(arb_srcptr a, int *t)
{
  if (arb_is_zero(a))
    *t = 0;
  else if (arb_is_nonzero(a))
    *t = 1;
  else
    return 0;
  return 1;
}

static int
b_not(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c; (void)prec;
  int t;
  return decided_truth(a, &t) ? truth(y, !t) : GT_BALL_UNDECIDED;
}

/* ---- kinks: decided sign ---------------------------------------------- */

/* The sign of a is decided: a excludes 0, or is exactly 0. */
static int
sign_decided(arb_srcptr a)
{
  return arb_is_zero(a) || arb_is_nonzero(a);
}

static int
b_abs(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c; (void)prec;
  if (!sign_decided(a))
    return GT_BALL_UNDECIDED;
  arb_abs(y, a);
  return finite_ball(y);
}

static int
b_sign(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c; (void)prec;
  if (!sign_decided(a))
    return GT_BALL_UNDECIDED;
  arb_sgn(y, a);
  return GT_BALL_OK;
}

static int
b_relu(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c; (void)prec;
  if (!sign_decided(a))
    return GT_BALL_UNDECIDED;
  if (arb_is_positive(a))
    arb_set(y, a);
  else
    arb_zero(y);
  return finite_ball(y);
}

/* min and max: the larger operand is decided, or both are exact and
   equal (a tie: the derivative splits, as the run's) */
static int
b_minmax(arb_ptr y, arb_srcptr a, arb_srcptr b, int max)
{
  if (arb_eq(a, b) || arb_gt(a, b))
    arb_set(y, max ? a : b);
  else if (arb_lt(a, b))
    arb_set(y, max ? b : a);
  else
    return GT_BALL_UNDECIDED;
  return finite_ball(y);
}

static int
b_min(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c; (void)prec;
  return b_minmax(y, a, b, 0);
}

static int
b_max(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c; (void)prec;
  return b_minmax(y, a, b, 1);
}

/* floor, ceil, round (half to even, as mpfr_rint), trunc: the op's own
   MPFR rule at both ends of the ball (exact numbers); decided when they
   agree, since the functions are monotonic */
static int
flat(arb_ptr y, arb_srcptr a, GtOp op)
{
  if (!arb_is_finite(a))
    return GT_BALL_DOMAIN;
  arf_t lo, hi;
  arf_init(lo);
  arf_init(hi);
  arb_get_lbound_arf(lo, a, ARF_PREC_EXACT);
  arb_get_ubound_arf(hi, a, ARF_PREC_EXACT);
  slong bits = FLINT_MAX(arf_bits(lo), arf_bits(hi)) + 2;
  mpfr_t l, h, fl, fh;
  mpfr_init2(l, bits);
  mpfr_init2(h, bits);
  mpfr_init2(fl, bits + 64);
  mpfr_init2(fh, bits + 64);
  arf_get_mpfr(l, lo, MPFR_RNDN);   /* exact */
  arf_get_mpfr(h, hi, MPFR_RNDN);
  gt_ops[op].fwd(fl, l, NULL, NULL);
  gt_ops[op].fwd(fh, h, NULL, NULL);
  int st = mpfr_equal_p(fl, fh) ? GT_BALL_OK : GT_BALL_UNDECIDED;
  if (st == GT_BALL_OK)
    arf_set_mpfr(arb_midref(y), fl);
  mag_zero(arb_radref(y));
  mpfr_clears(l, h, fl, fh, (mpfr_ptr)0);
  arf_clear(lo);
  arf_clear(hi);
  return st;
}

#define FLAT(name, op)                                                      \
  static int name(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c,      \
                  slong prec)                                               \
  {                                                                         \
    (void)b; (void)c; (void)prec;                                           \
    return flat(y, a, op);                                                  \
  }
FLAT(b_floor, GT_OP_FLOOR)
FLAT(b_ceil, GT_OP_CEIL)
FLAT(b_round, GT_OP_ROUND)
FLAT(b_trunc, GT_OP_TRUNC)

/* ---- roots, exponentials, logarithms ---------------------------------- */

static int
b_sqrt(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  if (arb_is_zero(a)) {
    arb_zero(y);
    return GT_BALL_OK;
  }
  if (!arb_is_positive(a))
    return GT_BALL_DOMAIN;
  arb_sqrt(y, a, prec);
  return finite_ball(y);
}

/* cbrt is real for a < 0: -cbrt(-a) */
static int
b_cbrt(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  if (arb_is_zero(a)) {
    arb_zero(y);
    return GT_BALL_OK;
  }
  if (arb_is_positive(a))
    arb_root_ui(y, a, 3, prec);
  else if (arb_is_negative(a)) {
    arb_neg(y, a);
    arb_root_ui(y, y, 3, prec);
    arb_neg(y, y);
  } else
    return GT_BALL_DOMAIN;
  return finite_ball(y);
}

UNARY(b_exp, arb_exp)
UNARY(b_expm1, arb_expm1)

static int
b_exp2(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  arb_t two;
  arb_init(two);
  arb_set_ui(two, 2);
  arb_pow(y, two, a, prec);
  arb_clear(two);
  return finite_ball(y);
}

/* log and its cousins need a > 0 (a > -1 for log1p) */
static int
b_log(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  if (!arb_is_positive(a))
    return GT_BALL_DOMAIN;
  arb_log(y, a, prec);
  return finite_ball(y);
}

static int
b_logbase(arb_ptr y, arb_srcptr a, slong prec, int ten)
{
  if (!arb_is_positive(a))
    return GT_BALL_DOMAIN;
  arb_t l;
  arb_init(l);
  if (ten)
    arb_const_log10(l, prec);
  else
    arb_const_log2(l, prec);
  arb_log(y, a, prec);
  arb_div(y, y, l, prec);
  arb_clear(l);
  return finite_ball(y);
}

static int
b_log2(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  return b_logbase(y, a, prec, 0);
}

static int
b_log10(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  return b_logbase(y, a, prec, 1);
}

UNARY(b_log1p, arb_log1p)

/* ---- trigonometric and hyperbolic ------------------------------------- */

UNARY(b_sin, arb_sin)
UNARY(b_cos, arb_cos)
UNARY(b_tan, arb_tan)
UNARY(b_asin, arb_asin)
UNARY(b_acos, arb_acos)
UNARY(b_atan, arb_atan)

/* atan2(a, b) = the angle of (b, a): its jump on the negative b axis
   (a = 0, b < 0) must stay outside the balls */
static int
b_atan2(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c;
  if (arb_contains_zero(a) && !arb_is_positive(b)
      && !(arb_is_zero(a) && arb_is_zero(b)))
    return arb_is_nonnegative(b) ? GT_BALL_DOMAIN : GT_BALL_UNDECIDED;
  arb_atan2(y, a, b, prec);
  return finite_ball(y);
}

UNARY(b_sinh, arb_sinh)
UNARY(b_cosh, arb_cosh)
UNARY(b_tanh, arb_tanh)
UNARY(b_asinh, arb_asinh)
UNARY(b_acosh, arb_acosh)
UNARY(b_atanh, arb_atanh)
BINARY(b_hypot, arb_hypot)

/* ---- special functions ------------------------------------------------ */

UNARY(b_erf, arb_hypgeom_erf)
UNARY(b_erfc, arb_hypgeom_erfc)
UNARY(b_erfinv, arb_hypgeom_erfinv)

/* Phi(a) = erfc(-a / sqrt 2) / 2 */
static void
norm_cdf(arb_ptr y, arb_srcptr a, slong prec)
{
  arb_t s;
  arb_init(s);
  arb_set_ui(s, 2);
  arb_rsqrt(s, s, prec);
  arb_mul(s, s, a, prec);
  arb_neg(s, s);
  arb_hypgeom_erfc(y, s, prec);
  arb_mul_2exp_si(y, y, -1);
  arb_clear(s);
}

UNARY(b_norm_cdf, norm_cdf)

static int
b_norm_logcdf(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c,
              slong prec)
{
  (void)b; (void)c;
  norm_cdf(y, a, prec);
  arb_log(y, y, prec);
  return finite_ball(y);
}

static int
b_lambertw(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  arb_lambertw(y, a, 0, prec);
  return finite_ball(y);
}

/* ---- zeta, beta, lbeta, gamma_inc (issue 16) --------------------------- */

/* The derivative order an operand ball holds exactly (an integer >= 0),
   or -1 */
static slong
ball_order(arb_srcptr d)
{
  if (d == NULL || !arb_is_exact(d) || !arb_is_int(d) || arb_is_negative(d)
      || arf_cmpabs_2exp_si(arb_midref(d), 40) >= 0)
    return -1;
  return arf_get_si(arb_midref(d), ARF_RND_DOWN);
}

/* jet[k] = zeta^(d+k)(a0)/k!, k < n: Arb's zeta series at a0 + t */
static void
zeta_jet(arb_ptr jet, arb_srcptr a0, slong d, slong n, slong prec)
{
  arb_ptr h = _arb_vec_init(2), r = _arb_vec_init(n + d);
  arb_t one, f;
  arb_init(one);
  arb_init(f);
  arb_one(one);
  arb_set(h, a0);
  arb_one(h + 1);
  _arb_poly_zeta_series(r, h, 2, one, 0, n + d, prec);
  for (slong k = 0; k < n; k++) {
    /* (d+k)!/k! */
    arb_set_si(f, 1);
    for (slong m = k + 1; m <= k + d; m++)
      arb_mul_si(f, f, m, prec);
    arb_mul(jet + k, r + d + k, f, prec);
  }
  arb_clear(one);
  arb_clear(f);
  _arb_vec_clear(h, 2);
  _arb_vec_clear(r, n + d);
}

static int
b_zeta(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  arb_zeta(y, a, prec);
  return finite_ball(y);
}

/* zeta^(d)(a), d = b */
static int
b_zeta_d(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c;
  slong d = ball_order(b);
  if (d < 0)
    return GT_BALL_DOMAIN;
  zeta_jet(y, a, d, 1, prec);
  return finite_ball(y);
}

/* psi^(m)(x) = m! [t^m] psi(x + t) */
static void
psi_ball(arb_ptr y, slong m, arb_srcptr x, slong prec)
{
  arb_ptr h = _arb_vec_init(2), r = _arb_vec_init(m + 1);
  arb_t f;
  arb_init(f);
  arb_set(h, x);
  arb_one(h + 1);
  _arb_poly_digamma_series(r, h, 2, m + 1, prec);
  arb_fac_ui(f, (ulong)m, prec);
  arb_mul(y, r + m, f, prec);
  arb_clear(f);
  _arb_vec_clear(h, 2);
  _arb_vec_clear(r, m + 1);
}

/* d^i/da^i d^j/db^j of B(a, b) (lbeta 0) or of log|B(a, b)| (lbeta 1),
   by sf.h's formulas: lbeta's from polygamma, beta's from the Taylor
   coefficients of Gamma at a and b and of 1/Gamma at a + b */
static int
beta_ball(arb_ptr y, arb_srcptr a, arb_srcptr b, int lbeta, slong i,
          slong j, slong prec)
{
  arb_t s, t;
  arb_init(s);
  arb_init(t);
  arb_add(s, a, b, prec);
  if (lbeta && i > 0 && j > 0) {
    psi_ball(y, i + j - 1, s, prec);
    arb_neg(y, y);
  } else if (lbeta && i + j > 0) {
    psi_ball(y, i + j - 1, i > 0 ? a : b, prec);
    psi_ball(t, i + j - 1, s, prec);
    arb_sub(y, y, t, prec);
  } else {
    arb_ptr h = _arb_vec_init(2), ga = _arb_vec_init(i + 1),
            gb = _arb_vec_init(j + 1), gc = _arb_vec_init(i + j + 1);
    fmpz_t bin;
    fmpz_init(bin);
    arb_one(h + 1);
    arb_set(h, a);
    _arb_poly_gamma_series(ga, h, 2, i + 1, prec);
    arb_set(h, b);
    _arb_poly_gamma_series(gb, h, 2, j + 1, prec);
    arb_set(h, s);
    _arb_poly_rgamma_series(gc, h, 2, i + j + 1, prec);
    arb_zero(y);
    for (slong i1 = 0; i1 <= i; i1++)
      for (slong j1 = 0; j1 <= j; j1++) {
        slong m = (i - i1) + (j - j1);
        fmpz_bin_uiui(bin, (ulong)m, (ulong)(i - i1));
        arb_mul_fmpz(t, gc + m, bin, prec);
        arb_mul(t, t, ga + i1, prec);
        arb_mul(t, t, gb + j1, prec);
        arb_add(y, y, t, prec);
      }
    fmpz_fac_ui(bin, (ulong)i);
    arb_mul_fmpz(y, y, bin, prec);
    fmpz_fac_ui(bin, (ulong)j);
    arb_mul_fmpz(y, y, bin, prec);
    fmpz_clear(bin);
    _arb_vec_clear(h, 2);
    _arb_vec_clear(ga, i + 1);
    _arb_vec_clear(gb, j + 1);
    _arb_vec_clear(gc, i + j + 1);
    if (lbeta) {                  /* (0, 0): log|B| */
      if (!arb_is_nonzero(y)) {
        arb_clear(s);
        arb_clear(t);
        return GT_BALL_DOMAIN;
      }
      arb_abs(y, y);
      arb_log(y, y, prec);
    }
  }
  arb_clear(s);
  arb_clear(t);
  return finite_ball(y);
}

/* the orders (i, j) of beta_d's c = i 2^16 + j; 0 when c holds none */
static int
ball_orders(arb_srcptr c, slong *i, slong *j)
{
  slong m = c ? ball_order(c) : 0;
  *i = m / 65536;
  *j = m % 65536;
  return m >= 0;
}

static int
b_beta(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{ (void)c; return beta_ball(y, a, b, 0, 0, 0, prec); }
static int
b_lbeta(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{ (void)c; return beta_ball(y, a, b, 1, 0, 0, prec); }

static int
b_beta_d(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  slong i, j;
  return ball_orders(c, &i, &j) ? beta_ball(y, a, b, 0, i, j, prec)
                                : GT_BALL_DOMAIN;
}

static int
b_lbeta_d(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  slong i, j;
  return ball_orders(c, &i, &j) ? beta_ball(y, a, b, 1, i, j, prec)
                                : GT_BALL_DOMAIN;
}

/* Gamma(a, x), x >= 0 */
static int
b_gamma_inc(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c;
  if (!arb_is_nonnegative(b))
    return GT_BALL_DOMAIN;
  arb_hypgeom_gamma_upper(y, a, b, 0, prec);
  return finite_ball(y);
}

/* d^c/da^c Gamma(a, b), c >= 1: sf.c's jet in a (Cauchy's formula with
   a proven bound) */
static int
b_gamma_inc_d(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c,
              slong prec)
{
  slong d = ball_order(c);
  if (d < 1 || !arb_is_nonnegative(b))
    return GT_BALL_DOMAIN;
  gt_sf_gamma_inc_a_jet(y, a, b, d, 1, prec);
  return finite_ball(y);
}

UNARY(b_gamma, arb_gamma)
UNARY(b_digamma, arb_digamma)

/* log|Gamma(a)|: Arb's lgamma for a > 0, else the log of |Gamma| */
static int
b_lgamma(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  if (arb_is_positive(a))
    arb_lgamma(y, a, prec);
  else {
    arb_gamma(y, a, prec);
    if (!arb_is_nonzero(y))
      return GT_BALL_DOMAIN;
    arb_abs(y, y);
    arb_log(y, y, prec);
  }
  return finite_ball(y);
}

/* trigamma = psi'(a): the coefficient of t in digamma(a + t) */
static int
b_trigamma(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  arb_poly_t p, q;
  arb_poly_init(p);
  arb_poly_init(q);
  arb_poly_set_coeff_arb(p, 0, a);
  arb_poly_set_coeff_si(p, 1, 1);
  arb_poly_digamma_series(q, p, 2, prec);
  arb_poly_get_coeff_arb(y, q, 1);
  arb_poly_clear(p);
  arb_poly_clear(q);
  return finite_ball(y);
}

/* ---- integer-order special functions ---------------------------------
   The order must be an exact integer ball in the language's range (ops.c:
   polygamma 0..1000, Bessel -1000..1000), else GT_BALL_DOMAIN. */

/* 1 and *n set when the ball a is exactly an integer in [lo, hi] */
static int
exact_order(arb_srcptr a, slong lo, slong hi, slong *n)
{
  if (!arb_is_exact(a) || !arf_is_int(arb_midref(a))
      || arf_cmp_si(arb_midref(a), lo) < 0 || arf_cmp_si(arb_midref(a), hi) > 0)
    return 0;
  *n = arf_get_si(arb_midref(a), ARF_RND_DOWN);
  return 1;
}

/* jet[k] = psi^(m+k)(x)/k!, k < len: the coefficients m + k of the
   digamma series of x + t, psi(x + t) = sum_j psi^(j)(x)/j! t^j, times
   (m+k)!/k! */
static void
polygamma_jet(arb_ptr jet, slong m, arb_srcptr x, slong len, slong prec)
{
  arb_ptr h = _arb_vec_init(2), d = _arb_vec_init(m + len);
  arb_t f;
  arb_init(f);
  arb_set(h, x);
  arb_one(h + 1);
  _arb_poly_digamma_series(d, h, 2, m + len, prec);
  for (slong k = 0; k < len; k++) {
    arb_fac_ui(f, (ulong)(m + k), prec);
    arb_mul(jet + k, d + m + k, f, prec);
    arb_fac_ui(f, (ulong)k, prec);
    arb_div(jet + k, jet + k, f, prec);
  }
  arb_clear(f);
  _arb_vec_clear(h, 2);
  _arb_vec_clear(d, m + len);
}

static int
b_polygamma(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)c;
  slong m;
  if (!exact_order(a, 0, 1000, &m))
    return GT_BALL_DOMAIN;
  polygamma_jet(y, m, b, 1, prec);
  return finite_ball(y);
}

/* J_n or Y_n (Arb's, for an exact integer order n); Y needs x > 0 */
static void
bessel(arb_ptr y, int second, slong n, arb_srcptr x, slong prec)
{
  arb_t nu;
  arb_init(nu);
  arb_set_si(nu, n);
  if (second)
    arb_hypgeom_bessel_y(y, nu, x, prec);
  else
    arb_hypgeom_bessel_j(y, nu, x, prec);
  arb_clear(nu);
}

static int
b_bessel(arb_ptr y, arb_srcptr a, arb_srcptr b, int second, slong prec)
{
  slong n;
  if (!exact_order(a, -1000, 1000, &n) || (second && !arb_is_positive(b)))
    return GT_BALL_DOMAIN;
  bessel(y, second, n, b, prec);
  return finite_ball(y);
}

static int
b_besselj(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{ (void)c; return b_bessel(y, a, b, 0, prec); }

static int
b_bessely(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{ (void)c; return b_bessel(y, a, b, 1, prec); }

/* sigmoid(a) = 1 / (1 + exp(-a)) */
static int
b_sigmoid(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  arb_neg(y, a);
  arb_exp(y, y, prec);
  arb_add_ui(y, y, 1, prec);
  arb_inv(y, y, prec);
  return finite_ball(y);
}

/* softplus(a) = log(1 + exp(a)) */
static int
b_softplus(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c;
  arb_exp(y, a, prec);
  arb_log1p(y, y, prec);
  return finite_ball(y);
}

/* where(a, b, c): the condition decided */
static int
b_where(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)prec;
  int t;
  if (!decided_truth(a, &t))
    return GT_BALL_UNDECIDED;
  arb_set(y, t ? b : c);
  return finite_ball(y);
}

static int
b_stop(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, slong prec)
{
  (void)b; (void)c; (void)prec;
  arb_set(y, a);
  return finite_ball(y);
}

/* ---- series rules (Taylor mode on balls) ------------------------------ */

/* y = op(a, b, c) on truncated power series of n coefficients (Arb's
   rigorous series arithmetic, O(n^2) or better each); every operand is a
   full series (a constant's: its ball, then zeros); y is not aliased
   with them.  Decisions (kinks, branches) use the balls of coefficient 0,
   as the value rules do. */
#define SER(name)                                                           \
  static int name(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c,      \
                  slong n, slong prec)
#define SER_UNUSED (void)b; (void)c

static int
series_ok(arb_srcptr y, slong n)
{
  return _arb_vec_is_finite(y, n) ? GT_BALL_OK : GT_BALL_DOMAIN;
}

SER(s_neg) { SER_UNUSED; (void)prec; _arb_vec_neg(y, a, n); return GT_BALL_OK; }
SER(s_add) { (void)c; _arb_vec_add(y, a, b, n, prec); return series_ok(y, n); }
SER(s_sub) { (void)c; _arb_vec_sub(y, a, b, n, prec); return series_ok(y, n); }

SER(s_mul)
{
  (void)c;
  _arb_poly_mullow(y, a, n, b, n, n, prec);
  return series_ok(y, n);
}

SER(s_div)
{
  (void)c;
  if (!arb_is_nonzero(b))
    return GT_BALL_DOMAIN;
  _arb_poly_div_series(y, a, n, b, n, n, prec);
  return series_ok(y, n);
}

/* a^b: a constant exponent (an exact integer: any a0, a0 != 0 when
   negative; else a0 > 0), or exp(b log a) for a0 > 0 */
SER(s_pow)
{
  (void)c;
  fmpz_t m;
  fmpz_init(m);
  int st = GT_BALL_OK;
  if (_arb_vec_is_zero(b + 1, n - 1) && arb_is_exact(b)
      && arb_get_unique_fmpz(m, b) && fmpz_abs_fits_ui(m)) {
    if (fmpz_sgn(m) >= 0)
      _arb_poly_pow_ui_trunc_binexp(y, a, n, fmpz_get_ui(m), n, prec);
    else if (arb_is_nonzero(a)) {
      arb_ptr t = _arb_vec_init(n);
      _arb_poly_inv_series(t, a, n, n, prec);
      fmpz_neg(m, m);
      _arb_poly_pow_ui_trunc_binexp(y, t, n, fmpz_get_ui(m), n, prec);
      _arb_vec_clear(t, n);
    } else
      st = GT_BALL_DOMAIN;
  } else if (arb_is_zero(a) && _arb_vec_is_zero(a + 1, n - 1)
             && arb_is_positive(b))
    _arb_vec_zero(y, n);          /* 0^b = 0 near b0 > 0 */
  else if (!arb_is_positive(a))
    st = GT_BALL_DOMAIN;
  else if (_arb_vec_is_zero(b + 1, n - 1))
    _arb_poly_pow_arb_series(y, a, n, b, n, prec);
  else {
    arb_ptr t = _arb_vec_init(n), u = _arb_vec_init(n);
    _arb_poly_log_series(t, a, n, n, prec);
    _arb_poly_mullow(u, t, n, b, n, n, prec);
    _arb_poly_exp_series(y, u, n, n, prec);
    _arb_vec_clear(t, n);
    _arb_vec_clear(u, n);
  }
  fmpz_clear(m);
  return st == GT_BALL_OK ? series_ok(y, n) : st;
}

SER(s_sqrt)
{
  SER_UNUSED;
  if (!arb_is_positive(a))
    return GT_BALL_DOMAIN;
  _arb_poly_sqrt_series(y, a, n, n, prec);
  return series_ok(y, n);
}

/* a^(1/3), odd: -(-a)^(1/3) for a0 < 0 */
SER(s_cbrt)
{
  SER_UNUSED;
  arb_t third;
  arb_init(third);
  arb_set_ui(third, 1);
  arb_div_ui(third, third, 3, prec);
  int st = GT_BALL_OK;
  if (arb_is_positive(a))
    _arb_poly_pow_arb_series(y, a, n, third, n, prec);
  else if (arb_is_negative(a)) {
    arb_ptr t = _arb_vec_init(n);
    _arb_vec_neg(t, a, n);
    _arb_poly_pow_arb_series(y, t, n, third, n, prec);
    _arb_vec_neg(y, y, n);
    _arb_vec_clear(t, n);
  } else
    st = GT_BALL_DOMAIN;
  arb_clear(third);
  return st == GT_BALL_OK ? series_ok(y, n) : st;
}

SER(s_exp) { SER_UNUSED; _arb_poly_exp_series(y, a, n, n, prec); return series_ok(y, n); }

SER(s_exp2)
{
  SER_UNUSED;
  arb_ptr t = _arb_vec_init(n);
  arb_t l;
  arb_init(l);
  arb_const_log2(l, prec);
  _arb_vec_scalar_mul(t, a, n, l, prec);
  _arb_poly_exp_series(y, t, n, n, prec);
  arb_clear(l);
  _arb_vec_clear(t, n);
  return series_ok(y, n);
}

SER(s_expm1)
{
  SER_UNUSED;
  _arb_poly_exp_series(y, a, n, n, prec);
  arb_expm1(y, a, prec);      /* coefficient 0 without the cancellation */
  return series_ok(y, n);
}

SER(s_log)
{
  SER_UNUSED;
  if (!arb_is_positive(a))
    return GT_BALL_DOMAIN;
  _arb_poly_log_series(y, a, n, n, prec);
  return series_ok(y, n);
}

/* log_base a = log a / log base */
static int
s_logbase(arb_ptr y, arb_srcptr a, slong n, slong prec, int ten)
{
  if (!arb_is_positive(a))
    return GT_BALL_DOMAIN;
  arb_t l;
  arb_init(l);
  if (ten)
    arb_const_log10(l, prec);
  else
    arb_const_log2(l, prec);
  _arb_poly_log_series(y, a, n, n, prec);
  _arb_vec_scalar_div(y, y, n, l, prec);
  arb_clear(l);
  return series_ok(y, n);
}

SER(s_log2) { SER_UNUSED; return s_logbase(y, a, n, prec, 0); }
SER(s_log10) { SER_UNUSED; return s_logbase(y, a, n, prec, 1); }

SER(s_log1p)
{
  SER_UNUSED;
  arb_t t;
  arb_init(t);
  arb_add_ui(t, a, 1, prec);
  int ok = arb_is_positive(t);
  arb_clear(t);
  if (!ok)
    return GT_BALL_DOMAIN;
  _arb_poly_log1p_series(y, a, n, n, prec);
  return series_ok(y, n);
}

SER(s_sin)
{
  SER_UNUSED;
  arb_ptr t = _arb_vec_init(n);
  _arb_poly_sin_cos_series(y, t, a, n, n, prec);
  _arb_vec_clear(t, n);
  return series_ok(y, n);
}

SER(s_cos)
{
  SER_UNUSED;
  arb_ptr t = _arb_vec_init(n);
  _arb_poly_sin_cos_series(t, y, a, n, n, prec);
  _arb_vec_clear(t, n);
  return series_ok(y, n);
}

SER(s_tan) { SER_UNUSED; _arb_poly_tan_series(y, a, n, n, prec); return series_ok(y, n); }
SER(s_asin) { SER_UNUSED; _arb_poly_asin_series(y, a, n, n, prec); return series_ok(y, n); }
SER(s_acos) { SER_UNUSED; _arb_poly_acos_series(y, a, n, n, prec); return series_ok(y, n); }
SER(s_atan) { SER_UNUSED; _arb_poly_atan_series(y, a, n, n, prec); return series_ok(y, n); }

/* atan2(a, b) = atan(a / b) + a constant, for b0 != 0 */
SER(s_atan2)
{
  (void)c;
  if (!arb_is_nonzero(b))
    return GT_BALL_DOMAIN;
  arb_ptr t = _arb_vec_init(n);
  _arb_poly_div_series(t, a, n, b, n, n, prec);
  _arb_poly_atan_series(y, t, n, n, prec);
  _arb_vec_clear(t, n);
  int st = b_atan2(y, a, b, NULL, prec);
  return st == GT_BALL_OK ? series_ok(y, n) : st;
}

SER(s_sinh)
{
  SER_UNUSED;
  arb_ptr t = _arb_vec_init(n);
  _arb_poly_sinh_cosh_series(y, t, a, n, n, prec);
  _arb_vec_clear(t, n);
  return series_ok(y, n);
}

SER(s_cosh)
{
  SER_UNUSED;
  arb_ptr t = _arb_vec_init(n);
  _arb_poly_sinh_cosh_series(t, y, a, n, n, prec);
  _arb_vec_clear(t, n);
  return series_ok(y, n);
}

SER(s_tanh)
{
  SER_UNUSED;
  arb_ptr sh = _arb_vec_init(n), ch = _arb_vec_init(n);
  _arb_poly_sinh_cosh_series(sh, ch, a, n, n, prec);
  _arb_poly_div_series(y, sh, n, ch, n, n, prec);
  _arb_vec_clear(sh, n);
  _arb_vec_clear(ch, n);
  return series_ok(y, n);
}

/* asinh a = log(a + sqrt(a^2 + 1)), acosh a = log(a + sqrt(a^2 - 1))
   (a0 > 1); coefficient 0 from the value rule */
static int
s_arcosh(arb_ptr y, arb_srcptr a, slong n, slong prec, int sign)
{
  arb_ptr t = _arb_vec_init(n), u = _arb_vec_init(n);
  _arb_poly_mullow(t, a, n, a, n, n, prec);
  arb_add_si(t, t, sign, prec);
  int st = GT_BALL_DOMAIN;
  if (arb_is_positive(t)) {
    _arb_poly_sqrt_series(u, t, n, n, prec);
    _arb_vec_add(u, u, a, n, prec);
    if (arb_is_positive(u)) {
      _arb_poly_log_series(y, u, n, n, prec);
      if (sign > 0)
        arb_asinh(y, a, prec);
      else
        arb_acosh(y, a, prec);
      st = series_ok(y, n);
    }
  }
  _arb_vec_clear(t, n);
  _arb_vec_clear(u, n);
  return st;
}

SER(s_asinh) { SER_UNUSED; return s_arcosh(y, a, n, prec, 1); }
SER(s_acosh) { SER_UNUSED; return s_arcosh(y, a, n, prec, -1); }

/* atanh a = (log1p(a) - log1p(-a)) / 2, |a0| < 1 */
SER(s_atanh)
{
  SER_UNUSED;
  arb_t one;
  arb_init(one);
  arb_one(one);
  int inside = arb_lt(a, one);
  arb_neg(one, one);
  inside = inside && arb_gt(a, one);
  arb_clear(one);
  if (!inside)
    return GT_BALL_DOMAIN;
  arb_ptr t = _arb_vec_init(n), u = _arb_vec_init(n);
  _arb_poly_log1p_series(t, a, n, n, prec);
  _arb_vec_neg(u, a, n);
  _arb_poly_log1p_series(y, u, n, n, prec);
  _arb_vec_sub(y, t, y, n, prec);
  _arb_vec_scalar_mul_2exp_si(y, y, n, -1);
  _arb_vec_clear(t, n);
  _arb_vec_clear(u, n);
  return series_ok(y, n);
}

/* hypot(a, b) = sqrt(a^2 + b^2), away from (0, 0) */
SER(s_hypot)
{
  (void)c;
  arb_ptr t = _arb_vec_init(n), u = _arb_vec_init(n);
  _arb_poly_mullow(t, a, n, a, n, n, prec);
  _arb_poly_mullow(u, b, n, b, n, n, prec);
  _arb_vec_add(t, t, u, n, prec);
  int st = GT_BALL_DOMAIN;
  if (arb_is_positive(t)) {
    _arb_poly_sqrt_series(y, t, n, n, prec);
    st = series_ok(y, n);
  }
  _arb_vec_clear(t, n);
  _arb_vec_clear(u, n);
  return st;
}

SER(s_erf) { SER_UNUSED; _arb_hypgeom_erf_series(y, a, n, n, prec); return series_ok(y, n); }
SER(s_erfc) { SER_UNUSED; _arb_hypgeom_erfc_series(y, a, n, n, prec); return series_ok(y, n); }

/* Phi(a) = erfc(-a / sqrt 2) / 2 */
static void
norm_cdf_series(arb_ptr y, arb_srcptr a, slong n, slong prec)
{
  arb_ptr t = _arb_vec_init(n);
  arb_t k;
  arb_init(k);
  arb_set_si(k, 2);
  arb_rsqrt(k, k, prec);
  arb_neg(k, k);
  _arb_vec_scalar_mul(t, a, n, k, prec);
  _arb_hypgeom_erfc_series(y, t, n, n, prec);
  _arb_vec_scalar_mul_2exp_si(y, y, n, -1);
  arb_clear(k);
  _arb_vec_clear(t, n);
}

SER(s_norm_cdf) { SER_UNUSED; norm_cdf_series(y, a, n, prec); return series_ok(y, n); }

SER(s_norm_logcdf)
{
  SER_UNUSED;
  arb_ptr t = _arb_vec_init(n);
  norm_cdf_series(t, a, n, prec);
  _arb_poly_log_series(y, t, n, n, prec);
  _arb_vec_clear(t, n);
  return series_ok(y, n);
}

/* f(a) for f's jet at a0 (jet[k] = f^(k)(a0)/k!, n of them): the jet
   composed with a - a0 */
static void
compose_jet(arb_ptr y, arb_srcptr jet, arb_srcptr a, slong n, slong prec)
{
  arb_ptr t = _arb_vec_init(n);
  _arb_vec_set(t, a, n);
  arb_zero(t);
  _arb_poly_compose_series(y, jet, n, t, n, n, prec);
  _arb_vec_clear(t, n);
}

/* erfinv: its jet at a0 from the inverse series of erf at y0 = erfinv(a0):
   erf(y0 + u) - a0 = a0' ... by Arb's series reversion of erf around y0 */
SER(s_erfinv)
{
  SER_UNUSED;
  if (n == 1)
    return b_erfinv(y, a, NULL, NULL, prec);
  arb_ptr e = _arb_vec_init(n), r = _arb_vec_init(n), jet = _arb_vec_init(n);
  int st = b_erfinv(jet, a, NULL, NULL, prec);
  if (st == GT_BALL_OK) {
    arb_set(e, jet);              /* erf(y0 + u) as a series in u */
    arb_one(e + 1);
    _arb_hypgeom_erf_series(r, e, 2, n, prec);
    arb_zero(r);                  /* erf(y0 + u) - a0, exactly 0 at u = 0 */
    _arb_poly_revert_series(e, r, n, n, prec);
    _arb_vec_set(jet + 1, e + 1, n - 1);
    compose_jet(y, jet, a, n, prec);
    st = series_ok(y, n);
  }
  _arb_vec_clear(e, n);
  _arb_vec_clear(r, n);
  _arb_vec_clear(jet, n);
  return st;
}

SER(s_lambertw)
{
  SER_UNUSED;
  _arb_poly_lambertw_series(y, a, n, 0, n, prec);
  return series_ok(y, n);
}

/* zeta^(d)(a): its jet at a0 composed with a - a0 */
static int
zeta_series(arb_ptr y, arb_srcptr a, slong d, slong n, slong prec)
{
  if (d < 0)
    return GT_BALL_DOMAIN;
  arb_ptr jet = _arb_vec_init(n);
  zeta_jet(jet, a, d, n, prec);
  compose_jet(y, jet, a, n, prec);
  _arb_vec_clear(jet, n);
  return series_ok(y, n);
}

SER(s_zeta) { SER_UNUSED; return zeta_series(y, a, 0, n, prec); }
SER(s_zeta_d) { (void)c; return zeta_series(y, a, ball_order(b), n, prec); }

/* The beta family: f^(i0,j0)(a, b) = sum_{p+q<n} c_pq u^p v^q with
   c_pq = f^(i0+p, j0+q)(a0, b0) / (p! q!), u = a - a0, v = b - b0 (only
   the operands that vary) */
static int
beta_series(arb_ptr y, arb_srcptr a, arb_srcptr b, arb_srcptr c, int lbeta,
            slong n, slong prec)
{
  slong i0, j0;
  if (!ball_orders(c, &i0, &j0))
    return GT_BALL_DOMAIN;
  slong P = _arb_vec_is_zero(a + 1, n - 1) ? 0 : n - 1;
  slong Q = _arb_vec_is_zero(b + 1, n - 1) ? 0 : n - 1;
  arb_ptr U = _arb_vec_init((P + 1) * n), V = _arb_vec_init((Q + 1) * n),
          w = _arb_vec_init(n);
  arb_t cf, f;
  arb_init(cf);
  arb_init(f);
  int st = GT_BALL_OK;
  for (int s = 0; s < 2; s++) {
    arb_ptr W = s ? V : U;
    arb_srcptr x = s ? b : a;
    slong top = s ? Q : P;
    arb_one(W);
    if (top > 0) {
      _arb_vec_set(W + n + 1, x + 1, n - 1);
      for (slong p = 2; p <= top; p++)
        _arb_poly_mullow(W + p * n, W + (p - 1) * n, n, W + n, n, n, prec);
    }
  }
  _arb_vec_zero(y, n);
  for (slong p = 0; p <= P && st == GT_BALL_OK; p++)
    for (slong q = 0; q <= Q && p + q < n; q++) {
      st = beta_ball(cf, a, b, lbeta, i0 + p, j0 + q, prec);
      if (st != GT_BALL_OK)
        break;
      arb_fac_ui(f, (ulong)p, prec);
      arb_div(cf, cf, f, prec);
      arb_fac_ui(f, (ulong)q, prec);
      arb_div(cf, cf, f, prec);
      _arb_poly_mullow(w, U + p * n, n, V + q * n, n, n, prec);
      _arb_vec_scalar_addmul(y, w, n, cf, prec);
    }
  arb_clear(cf);
  arb_clear(f);
  _arb_vec_clear(U, (P + 1) * n);
  _arb_vec_clear(V, (Q + 1) * n);
  _arb_vec_clear(w, n);
  return st == GT_BALL_OK ? series_ok(y, n) : st;
}

SER(s_beta) { (void)c; return beta_series(y, a, b, NULL, 0, n, prec); }
SER(s_lbeta) { (void)c; return beta_series(y, a, b, NULL, 1, n, prec); }
SER(s_beta_d) { return beta_series(y, a, b, c, 0, n, prec); }
SER(s_lbeta_d) { return beta_series(y, a, b, c, 1, n, prec); }

/* d^d/da^d Gamma(a, x) with a varying: its jet in a at a0 composed with
   a - a0 */
static int
gamma_inc_a_series(arb_ptr y, arb_srcptr a, arb_srcptr b, slong d, slong n,
                   slong prec)
{
  if (d < 0 || !arb_is_nonnegative(b))
    return GT_BALL_DOMAIN;
  arb_ptr jet = _arb_vec_init(n);
  gt_sf_gamma_inc_a_jet(jet, a, b, d, n, prec);
  compose_jet(y, jet, a, n, prec);
  _arb_vec_clear(jet, n);
  return series_ok(y, n);
}

/* Gamma(a, x) in x: Arb's upper incomplete gamma series; in a (x
   constant): the jet in a; both varying with the seed has no rule */
SER(s_gamma_inc)
{
  (void)c;
  int va = !_arb_vec_is_zero(a + 1, n - 1);
  int vx = !_arb_vec_is_zero(b + 1, n - 1);
  if (va && vx)
    return GT_BALL_NORULE;
  if (va)
    return gamma_inc_a_series(y, a, b, 0, n, prec);
  if (!arb_is_nonnegative(b))
    return GT_BALL_DOMAIN;
  _arb_hypgeom_gamma_upper_series(y, a, b, n, 0, n, prec);
  return series_ok(y, n);
}

/* F = d^c/da^c Gamma(a, x): the jet in a when a varies, the jet in x
   when x varies (a constant), each composed with its operand's series;
   both varying has no rule */
SER(s_gamma_inc_d)
{
  slong d = ball_order(c);
  int va = !_arb_vec_is_zero(a + 1, n - 1);
  int vx = !_arb_vec_is_zero(b + 1, n - 1);
  if (va && vx)
    return GT_BALL_NORULE;
  if (!vx)
    return gamma_inc_a_series(y, a, b, d < 1 ? -1 : d, n, prec);
  if (d < 1 || !arb_is_positive(b))
    return GT_BALL_DOMAIN;
  arb_ptr jet = _arb_vec_init(n);
  gt_sf_gamma_inc_dx_jet(jet, a, b, d, n, prec);
  compose_jet(y, jet, b, n, prec);
  _arb_vec_clear(jet, n);
  return series_ok(y, n);
}

SER(s_gamma) { SER_UNUSED; _arb_poly_gamma_series(y, a, n, n, prec); return series_ok(y, n); }
SER(s_digamma) { SER_UNUSED; _arb_poly_digamma_series(y, a, n, n, prec); return series_ok(y, n); }

/* log|Gamma(a)|: Arb's lgamma series for a0 > 0, else log of +-Gamma */
SER(s_lgamma)
{
  SER_UNUSED;
  if (arb_is_positive(a)) {
    _arb_poly_lgamma_series(y, a, n, n, prec);
    return series_ok(y, n);
  }
  arb_ptr t = _arb_vec_init(n);
  _arb_poly_gamma_series(t, a, n, n, prec);
  int st = GT_BALL_DOMAIN;
  if (arb_is_nonzero(t)) {
    if (arb_is_negative(t))
      _arb_vec_neg(t, t, n);
    _arb_poly_log_series(y, t, n, n, prec);
    st = series_ok(y, n);
  }
  _arb_vec_clear(t, n);
  return st;
}

/* trigamma = psi': the jet of digamma at a0 one longer, differentiated,
   composed with a - a0 */
SER(s_trigamma)
{
  SER_UNUSED;
  arb_ptr h = _arb_vec_init(2), d = _arb_vec_init(n + 1),
          jet = _arb_vec_init(n);
  arb_set(h, a);
  arb_one(h + 1);
  _arb_poly_digamma_series(d, h, 2, n + 1, prec);
  _arb_poly_derivative(jet, d, n + 1, prec);
  compose_jet(y, jet, a, n, prec);
  _arb_vec_clear(h, 2);
  _arb_vec_clear(d, n + 1);
  _arb_vec_clear(jet, n);
  return series_ok(y, n);
}

/* polygamma(m, b): its jet at b0 composed with b - b0; no derivative in
   the order a (its series beyond a0 is ignored) */
SER(s_polygamma)
{
  (void)c;
  slong m;
  if (!exact_order(a, 0, 1000, &m))
    return GT_BALL_DOMAIN;
  arb_ptr jet = _arb_vec_init(n);
  polygamma_jet(jet, m, b, n, prec);
  compose_jet(y, jet, b, n, prec);
  _arb_vec_clear(jet, n);
  return series_ok(y, n);
}

/* J_m or Y_m at b: B^(k) = 2^-k sum_{j=0..k} (-1)^j C(k, j) B_{m-k+2j}
   (B' = (B_{m-1} - B_{m+1})/2 applied k times), from the 2n - 1 values
   B_{m-n+1} .. B_{m+n-1}, then composed with b - b0 */
static int
s_bessel(arb_ptr y, arb_srcptr a, arb_srcptr b, slong n, int second,
         slong prec)
{
  slong m;
  if (!exact_order(a, -1000, 1000, &m) || (second && !arb_is_positive(b)))
    return GT_BALL_DOMAIN;
  arb_ptr v = _arb_vec_init(2 * n - 1), jet = _arb_vec_init(n);
  arb_t t, w;
  arb_init(t);
  arb_init(w);
  for (slong j = 0; j < 2 * n - 1; j++)      /* v[j] = B_{m-n+1+j} */
    bessel(v + j, second, m - n + 1 + j, b, prec);
  for (slong k = 0; k < n; k++) {
    arb_zero(jet + k);
    for (slong j = 0; j <= k; j++) {
      arb_bin_uiui(w, (ulong)k, (ulong)j, prec);
      arb_mul(t, v + (n - 1 - k + 2 * j), w, prec);
      if (j % 2)
        arb_sub(jet + k, jet + k, t, prec);
      else
        arb_add(jet + k, jet + k, t, prec);
    }
    arb_mul_2exp_si(jet + k, jet + k, -k);
    arb_fac_ui(w, (ulong)k, prec);
    arb_div(jet + k, jet + k, w, prec);
  }
  compose_jet(y, jet, b, n, prec);
  arb_clear(t);
  arb_clear(w);
  _arb_vec_clear(v, 2 * n - 1);
  _arb_vec_clear(jet, n);
  return series_ok(y, n);
}

SER(s_besselj) { (void)c; return s_bessel(y, a, b, n, 0, prec); }
SER(s_bessely) { (void)c; return s_bessel(y, a, b, n, 1, prec); }

/* sigmoid a = 1 / (1 + exp(-a)) */
SER(s_sigmoid)
{
  SER_UNUSED;
  arb_ptr t = _arb_vec_init(n), u = _arb_vec_init(n);
  _arb_vec_neg(t, a, n);
  _arb_poly_exp_series(u, t, n, n, prec);
  arb_add_ui(u, u, 1, prec);
  _arb_poly_inv_series(y, u, n, n, prec);
  _arb_vec_clear(t, n);
  _arb_vec_clear(u, n);
  return series_ok(y, n);
}

/* softplus a = log1p(exp(a)) */
SER(s_softplus)
{
  SER_UNUSED;
  arb_ptr t = _arb_vec_init(n);
  _arb_poly_exp_series(t, a, n, n, prec);
  _arb_poly_log1p_series(y, t, n, n, prec);
  _arb_vec_clear(t, n);
  return series_ok(y, n);
}

/* the kinks: the branch of coefficient 0's ball, as the value rules; at
   an exact kink the conventions of the run (abs, relu: 0; a tie of min
   and max: the mean) */
SER(s_abs)
{
  SER_UNUSED; (void)prec;
  if (!sign_decided(a))
    return GT_BALL_UNDECIDED;
  if (arb_is_positive(a))
    _arb_vec_set(y, a, n);
  else if (arb_is_negative(a))
    _arb_vec_neg(y, a, n);
  else
    _arb_vec_zero(y, n);
  return GT_BALL_OK;
}

SER(s_relu)
{
  SER_UNUSED; (void)prec;
  if (!sign_decided(a))
    return GT_BALL_UNDECIDED;
  if (arb_is_positive(a))
    _arb_vec_set(y, a, n);
  else
    _arb_vec_zero(y, n);
  return GT_BALL_OK;
}

static int
s_minmax(arb_ptr y, arb_srcptr a, arb_srcptr b, slong n, slong prec, int max)
{
  if (arb_eq(a, b)) {
    _arb_vec_add(y, a, b, n, prec);
    _arb_vec_scalar_mul_2exp_si(y, y, n, -1);
  } else if (arb_gt(a, b))
    _arb_vec_set(y, max ? a : b, n);
  else if (arb_lt(a, b))
    _arb_vec_set(y, max ? b : a, n);
  else
    return GT_BALL_UNDECIDED;
  return series_ok(y, n);
}

SER(s_min) { (void)c; return s_minmax(y, a, b, n, prec, 0); }
SER(s_max) { (void)c; return s_minmax(y, a, b, n, prec, 1); }

SER(s_where)
{
  (void)prec;
  int t;
  if (!decided_truth(a, &t))
    return GT_BALL_UNDECIDED;
  _arb_vec_set(y, t ? b : c, n);
  return series_ok(y, n);
}

/* a % b = a - q b with q = floor(a0 / b0) decided */
SER(s_mod)
{
  (void)c;
  arb_t q;
  arb_init(q);
  int st = b_mod(q, a, b, NULL, prec);   /* decides q, or fails */
  if (st == GT_BALL_OK) {
    arb_div(q, a, b, prec);
    arb_floor(q, q, prec);
    arb_ptr t = _arb_vec_init(n);
    _arb_vec_scalar_mul(t, b, n, q, prec);
    _arb_vec_sub(y, a, t, n, prec);
    _arb_vec_clear(t, n);
    b_mod(y, a, b, NULL, prec);          /* coefficient 0 as the value */
    st = series_ok(y, n);
  }
  arb_clear(q);
  return st;
}

/* ---- tensor ops (tensor.c's value rules, on balls) -------------------- */

/* the ball arrays of node i and its operand a */
#define BY(i) (B->b[i])
#define TN(i) (B->t->nodes[i])
#define TSHAPE(i) (gt_node_shape(B->t, i))

static int
t_stack(GtBalls *B, int32_t i)
{
  const GtNode *n = &TN(i);
  const int32_t *ops = B->t->xargs + n->a;
  size_t each = n->b ? TSHAPE(i)->size / (size_t)n->b : 0;
  for (int32_t k = 0; k < n->b; k++)
    for (size_t j = 0; j < each; j++)
      arb_set(BY(i) + (size_t)k * each + j, BY(ops[k]) + j);
  return GT_BALL_OK;
}

/* y (shape ys) = a (shape as) broadcast */
static int
t_expand(GtBalls *B, int32_t i)
{
  int32_t a = TN(i).a;
  long st[GT_MAX_RANK];
  gt_bcast_strides(TSHAPE(i), TSHAPE(a), st);
  GtStrideWalk w;
  gt_stride_walk_init(&w, TSHAPE(i), st, 0);
  for (size_t k = 0; k < TSHAPE(i)->size; k++, gt_stride_walk_next(&w))
    arb_set(BY(i) + k, BY(a) + w.off);
  return GT_BALL_OK;
}

/* y = a summed over its broadcast axes down to y's shape */
static int
t_sumto(GtBalls *B, int32_t i)
{
  int32_t a = TN(i).a;
  long st[GT_MAX_RANK];
  gt_bcast_strides(TSHAPE(a), TSHAPE(i), st);
  for (size_t k = 0; k < TSHAPE(i)->size; k++)
    arb_zero(BY(i) + k);
  GtStrideWalk w;
  gt_stride_walk_init(&w, TSHAPE(a), st, 0);
  for (size_t k = 0; k < TSHAPE(a)->size; k++, gt_stride_walk_next(&w))
    arb_add(BY(i) + w.off, BY(i) + w.off, BY(a) + k, B->prec);
  return GT_BALL_OK;
}

/* sum, mean, prod, reduce_max, reduce_min over axis aux - 1 (aux 0:
   everything): lanes of a, one per element of y */
static int
t_reduce(GtBalls *B, int32_t i)
{
  const GtNode *n = &TN(i);
  const GtShape *as = TSHAPE(n->a);
  int axis = (int)n->aux - 1;
  size_t lane = axis < 0 ? as->size : as->dim[axis];
  size_t step = 1;
  for (int d = axis + 1; axis >= 0 && d < as->rank; d++)
    step *= as->dim[d];
  size_t outs = TSHAPE(i)->size; /* one lane each, maybe empty */
  GtOp op = (GtOp)n->op;
  for (size_t o = 0; o < outs; o++) {
    size_t base = axis < 0 ? 0 : (o / step) * step * lane + o % step;
    size_t inc = axis < 0 ? 1 : step;
    arb_ptr y = BY(i) + o;
    if (op == GT_OP_PROD)
      arb_one(y);
    else
      arb_zero(y);
    for (size_t j = 0; j < lane; j++) {
      arb_srcptr x = BY(n->a) + base + j * inc;
      if (op == GT_OP_SUM || op == GT_OP_MEAN)
        arb_add(y, y, x, B->prec);
      else if (op == GT_OP_PROD)
        arb_mul(y, y, x, B->prec);
      else if (j == 0)
        arb_set(y, x);
      else if (b_minmax(y, y, x, op == GT_OP_RMAX) != GT_BALL_OK)
        return GT_BALL_UNDECIDED;
    }
    if (op == GT_OP_MEAN)
      arb_div_ui(y, y, (ulong)lane, B->prec);
    if ((op == GT_OP_RMAX || op == GT_OP_RMIN) && lane == 0)
      return GT_BALL_DOMAIN;
  }
  return GT_BALL_OK;
}

/* a @ b as NumPy: vectors are rows (a) or columns (b) */
static int
t_matmul(GtBalls *B, int32_t i)
{
  const GtNode *n = &TN(i);
  const GtShape *as = TSHAPE(n->a), *bs = TSHAPE(n->b);
  size_t m = as->rank == 2 ? as->dim[0] : 1;
  size_t k = as->rank == 2 ? as->dim[1] : as->rank == 1 ? as->dim[0] : 1;
  size_t nn = bs->rank == 2 ? bs->dim[1] : 1;
  for (size_t r = 0; r < m; r++)
    for (size_t c = 0; c < nn; c++) {
      arb_ptr y = BY(i) + r * nn + c;
      arb_zero(y);
      for (size_t j = 0; j < k; j++)
        arb_addmul(y, BY(n->a) + r * k + j, BY(n->b) + j * nn + c,
                   B->prec);
    }
  return GT_BALL_OK;
}

static int
t_transpose(GtBalls *B, int32_t i)
{
  int32_t a = TN(i).a;
  const GtShape *as = TSHAPE(a);
  long ast[GT_MAX_RANK], st[GT_MAX_RANK];
  gt_row_strides(as, ast);
  for (int d = 0; d < as->rank; d++)
    st[d] = ast[as->rank - 1 - d];
  GtStrideWalk w;
  gt_stride_walk_init(&w, TSHAPE(i), st, 0);
  for (size_t k = 0; k < TSHAPE(i)->size; k++, gt_stride_walk_next(&w))
    arb_set(BY(i) + k, BY(a) + w.off);
  return GT_BALL_OK;
}

static int
t_reshape(GtBalls *B, int32_t i)
{
  for (size_t k = 0; k < TSHAPE(i)->size; k++)
    arb_set(BY(i) + k, BY(TN(i).a) + k);
  return GT_BALL_OK;
}

/* sqrt(sum a^2) */
static int
t_norm(GtBalls *B, int32_t i)
{
  int32_t a = TN(i).a;
  arb_t s;
  arb_init(s);
  arb_zero(BY(i));
  for (size_t k = 0; k < TSHAPE(a)->size; k++) {
    arb_sqr(s, BY(a) + k, B->prec);
    arb_add(BY(i), BY(i), s, B->prec);
  }
  arb_clear(s);
  return b_sqrt(BY(i), BY(i), NULL, NULL, B->prec);
}

static int
t_view(GtBalls *B, int32_t i)
{
  GtView vt;
  const GtView *v = gt_view_at(B->t, TN(i).param, &vt);
  GtStrideWalk w;
  gt_stride_walk_init(&w, TSHAPE(i), v->stride, (long)v->offset);
  for (size_t k = 0; k < TSHAPE(i)->size; k++, gt_stride_walk_next(&w))
    arb_set(BY(i) + k, BY(TN(i).a) + w.off);
  return GT_BALL_OK;
}

static int
t_scatter(GtBalls *B, int32_t i)
{
  GtView vt;
  const GtView *v = gt_view_at(B->t, TN(i).param, &vt);
  int32_t a = TN(i).a;
  for (size_t k = 0; k < TSHAPE(i)->size; k++)
    arb_zero(BY(i) + k);
  GtStrideWalk w;
  gt_stride_walk_init(&w, TSHAPE(a), v->stride, (long)v->offset);
  for (size_t k = 0; k < TSHAPE(a)->size; k++, gt_stride_walk_next(&w))
    arb_add(BY(i) + w.off, BY(i) + w.off, BY(a) + k, B->prec);
  return GT_BALL_OK;
}

static int
t_setview(GtBalls *B, int32_t i)
{
  GtView vt;
  const GtView *v = gt_view_at(B->t, TN(i).param, &vt);
  int32_t a = TN(i).a, b = TN(i).b;
  for (size_t k = 0; k < TSHAPE(i)->size; k++)
    arb_set(BY(i) + k, BY(a) + k);
  GtStrideWalk w;
  gt_stride_walk_init(&w, TSHAPE(b), v->stride, (long)v->offset);
  for (size_t k = 0; k < TSHAPE(b)->size; k++, gt_stride_walk_next(&w))
    arb_set(BY(i) + w.off, BY(b) + k);
  return GT_BALL_OK;
}

/* assemble (the recorded adjoint of element reads, tensor.c): an optional
   base tensor plus each operand added into its view of the result */
static int
t_assemble(GtBalls *B, int32_t i)
{
  const GtTape *t = B->t;
  const GtNode *n = &TN(i);
  const int32_t *ops = t->xargs + n->a;
  for (size_t e = 0; e < TSHAPE(i)->size; e++) {
    if (n->aux)
      arb_set(BY(i) + e, BY(ops[0]) + e);
    else
      arb_zero(BY(i) + e);
  }
  for (size_t k = n->aux; k < (size_t)n->b; k++) {
    GtView vt;
    const GtView *v = gt_view_at(
        t, (uint32_t)t->xargs[n->a + n->b + (int32_t)k - n->aux], &vt);
    GtStrideWalk w;
    gt_stride_walk_init(&w, TSHAPE(ops[k]), v->stride, (long)v->offset);
    for (size_t j = 0; j < TSHAPE(ops[k])->size; j++, gt_stride_walk_next(&w))
      arb_add(BY(i) + w.off, BY(i) + w.off, BY(ops[k]) + j, B->prec);
  }
  return GT_BALL_OK;
}

/* ---- the table -------------------------------------------------------- */

#define E(op, f) [GT_OP_##op] = { f, NULL, NULL, NULL }
#define ES(op, f, sf) [GT_OP_##op] = { f, NULL, NULL, sf }
#define T(op, f) [GT_OP_##op] = { NULL, f, NULL, NULL }
#define X(op, why) [GT_OP_##op] = { NULL, NULL, why, NULL }

/* The flat ops (floor, sign, the comparisons ...: no GT_OPF_SMOOTH) need
   no series rule: their series is their value, then zeros. */
const GtBallRule gt_ball_rules[GT_OP_COUNT] = {
  X(CONST, "a leaf: enclosed from its decimal text by the sweep"),
  X(INPUT, "a leaf: enclosed from its value's node by the sweep"),
  ES(NEG, b_neg, s_neg), ES(ADD, b_add, s_add), ES(SUB, b_sub, s_sub),
  ES(MUL, b_mul, s_mul), ES(DIV, b_div, s_div), ES(MOD, b_mod, s_mod),
  ES(POW, b_pow, s_pow),
  E(EQ, b_eq), E(NE, b_ne), E(LT, b_lt), E(LE, b_le), E(GT, b_gt),
  E(GE, b_ge), E(NOT, b_not),
  ES(ABS, b_abs, s_abs), E(SIGN, b_sign), ES(SQRT, b_sqrt, s_sqrt),
  ES(CBRT, b_cbrt, s_cbrt), ES(EXP, b_exp, s_exp), ES(EXP2, b_exp2, s_exp2),
  ES(EXPM1, b_expm1, s_expm1), ES(LOG, b_log, s_log),
  ES(LOG2, b_log2, s_log2), ES(LOG10, b_log10, s_log10),
  ES(LOG1P, b_log1p, s_log1p), ES(SIN, b_sin, s_sin), ES(COS, b_cos, s_cos),
  ES(TAN, b_tan, s_tan), ES(ASIN, b_asin, s_asin), ES(ACOS, b_acos, s_acos),
  ES(ATAN, b_atan, s_atan), ES(ATAN2, b_atan2, s_atan2),
  ES(SINH, b_sinh, s_sinh), ES(COSH, b_cosh, s_cosh),
  ES(TANH, b_tanh, s_tanh), ES(ASINH, b_asinh, s_asinh),
  ES(ACOSH, b_acosh, s_acosh), ES(ATANH, b_atanh, s_atanh),
  ES(HYPOT, b_hypot, s_hypot), ES(ERF, b_erf, s_erf),
  ES(ERFC, b_erfc, s_erfc), ES(NORM_CDF, b_norm_cdf, s_norm_cdf),
  ES(NORM_LOGCDF, b_norm_logcdf, s_norm_logcdf),
  ES(ERFINV, b_erfinv, s_erfinv), ES(LAMBERTW, b_lambertw, s_lambertw),
  ES(GAMMA, b_gamma, s_gamma), ES(LGAMMA, b_lgamma, s_lgamma),
  ES(DIGAMMA, b_digamma, s_digamma), ES(TRIGAMMA, b_trigamma, s_trigamma),
  E(FLOOR, b_floor), E(FLOORDIV, b_floordiv), E(CEIL, b_ceil),
  E(ROUND, b_round), E(TRUNC, b_trunc),
  ES(MIN, b_min, s_min), ES(MAX, b_max, s_max),
  ES(SIGMOID, b_sigmoid, s_sigmoid), ES(SOFTPLUS, b_softplus, s_softplus),
  ES(RELU, b_relu, s_relu), ES(WHERE, b_where, s_where),
  E(STOP, b_stop),
  X(TAYLOR, "grad(y, x, k): Taylor mode on the balls, by the sweep"),
  T(STACK, t_stack), T(EXPAND, t_expand), T(SUMTO, t_sumto),
  T(SUM, t_reduce), T(MEAN, t_reduce), T(PROD, t_reduce),
  T(RMAX, t_reduce), T(RMIN, t_reduce), T(MATMUL, t_matmul),
  T(TRANSPOSE, t_transpose), T(RESHAPE, t_reshape), T(NORM, t_norm),
  T(VIEW, t_view), T(SCATTER, t_scatter), T(ASSEMBLE, t_assemble),
  T(SETVIEW, t_setview),
  ES(POLYGAMMA, b_polygamma, s_polygamma), ES(BESSELJ, b_besselj, s_besselj),
  ES(BESSELY, b_bessely, s_bessely),
  ES(ZETA, b_zeta, s_zeta), ES(ZETA_D, b_zeta_d, s_zeta_d),
  ES(BETA, b_beta, s_beta), ES(LBETA, b_lbeta, s_lbeta),
  ES(BETA_D, b_beta_d, s_beta_d), ES(LBETA_D, b_lbeta_d, s_lbeta_d),
  ES(GAMMA_INC, b_gamma_inc, s_gamma_inc),
  ES(GAMMA_INC_D, b_gamma_inc_d, s_gamma_inc_d),
};
