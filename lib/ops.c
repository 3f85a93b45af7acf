/* ops.c -- the primitive operations and their rules, side by side.
 *
 * Each primitive has a forward rule (its value, rounded once to the
 * working precision where MPFR allows), an adjoint rule on numbers (used
 * by the numeric reverse sweep: given g = dL/dy, the contribution to each
 * operand's adjoint) and the same adjoint rule recorded as nodes (used by
 * grad() inside the language, so that a derivative can be differentiated
 * again).  A rule that depends on a comparison of values (max, relu,
 * where, the zero cases of pow) decides it on the values of this run,
 * exactly as the program's own `if` does: define-by-run.
 *
 * Conventions at kinks: abs'(0) = 0, relu'(0) = 0, min/max ties split the
 * derivative evenly, hypot at (0, 0) has derivative 0; floor, ceil,
 * round, trunc, sign and the comparisons have derivative 0.
 */
#include <string.h>

#include "internal.h"

#define RND MPFR_RNDN

/* ---- helpers ----------------------------------------------------------- */

static int
set_bool(mpfr_ptr y, int v)
{
  mpfr_set_ui(y, v ? 1 : 0, RND);
  return 0;
}

/* NaN in, NaN out: for rules built from comparisons, which MPFR answers
   with false instead of NaN. */
#define NAN_GUARD2(y, a, b)                                                  \
  do {                                                                       \
    if (mpfr_nan_p(a) || mpfr_nan_p(b)) {                                    \
      mpfr_set_nan(y);                                                       \
      return 0;                                                              \
    }                                                                        \
  } while (0)

/* ---- forward rules ------------------------------------------------------ */

static int f_neg(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_neg(y, a, RND); return 0; }
static int f_add(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_add(y, a, b, RND); return 0; }
static int f_sub(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_sub(y, a, b, RND); return 0; }
static int f_mul(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_mul(y, a, b, RND); return 0; }
static int f_div(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_div(y, a, b, RND); return 0; }

/* floored modulo, as Python and NumPy: the result has the divisor's sign.
   fmod is exact; the correction adds b once (one rounding). */
static int
f_mod(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  if (mpfr_inf_p(b) && mpfr_number_p(a)) {
    /* a mod +-inf: a itself when the signs agree, else +-inf */
    if (mpfr_zero_p(a) || (mpfr_sgn(a) > 0) == (mpfr_sgn(b) > 0))
      mpfr_set(y, a, RND);
    else
      mpfr_set(y, b, RND);
    return 0;
  }
  mpfr_fmod(y, a, b, RND);
  if (!mpfr_zero_p(y) && mpfr_number_p(y) && (mpfr_sgn(y) < 0) != (mpfr_sgn(b) < 0))
    mpfr_add(y, y, b, RND);
  return 0;
}

static int f_pow(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_pow(y, a, b, RND); return 0; }

#define CMP_RULE(fname, test)                                                \
  static int fname(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c) \
  { (void)c; return set_bool(y, test(a, b)); }
CMP_RULE(f_eq, mpfr_equal_p)
CMP_RULE(f_ne, !mpfr_equal_p)
CMP_RULE(f_lt, mpfr_less_p)
CMP_RULE(f_le, mpfr_lessequal_p)
CMP_RULE(f_gt, mpfr_greater_p)
CMP_RULE(f_ge, mpfr_greaterequal_p)

static int f_not(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; return set_bool(y, mpfr_zero_p(a)); }

static int
f_abs(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)b; (void)c;
  mpfr_abs(y, a, RND);
  return mpfr_zero_p(a) ? GT_FWD_KINK : 0;
}

static int
f_sign(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)b; (void)c;
  if (mpfr_nan_p(a))
    mpfr_set_nan(y);
  else
    mpfr_set_si(y, mpfr_sgn(a), RND);
  return 0;
}

#define UNARY_RULE(fname, mpfn)                                              \
  static int fname(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c) \
  { (void)b; (void)c; mpfn(y, a, RND); return 0; }
UNARY_RULE(f_sqrt, mpfr_sqrt)
UNARY_RULE(f_cbrt, mpfr_cbrt)
UNARY_RULE(f_exp, mpfr_exp)
UNARY_RULE(f_exp2, mpfr_exp2)
UNARY_RULE(f_expm1, mpfr_expm1)
UNARY_RULE(f_log, mpfr_log)
UNARY_RULE(f_log2, mpfr_log2)
UNARY_RULE(f_log10, mpfr_log10)
UNARY_RULE(f_log1p, mpfr_log1p)
UNARY_RULE(f_sin, mpfr_sin)
UNARY_RULE(f_cos, mpfr_cos)
UNARY_RULE(f_tan, mpfr_tan)
UNARY_RULE(f_asin, mpfr_asin)
UNARY_RULE(f_acos, mpfr_acos)
UNARY_RULE(f_atan, mpfr_atan)
UNARY_RULE(f_sinh, mpfr_sinh)
UNARY_RULE(f_cosh, mpfr_cosh)
UNARY_RULE(f_tanh, mpfr_tanh)
UNARY_RULE(f_asinh, mpfr_asinh)
UNARY_RULE(f_acosh, mpfr_acosh)
UNARY_RULE(f_atanh, mpfr_atanh)
UNARY_RULE(f_erf, mpfr_erf)
UNARY_RULE(f_erfc, mpfr_erfc)
UNARY_RULE(f_gamma, mpfr_gamma)
UNARY_RULE(f_digamma, mpfr_digamma)
UNARY_RULE(f_trigamma, gt_special_trigamma)

static int f_atan2(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_atan2(y, a, b, RND); return 0; }

static int
f_hypot(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  mpfr_hypot(y, a, b, RND);
  return mpfr_zero_p(a) && mpfr_zero_p(b) ? GT_FWD_KINK : 0;
}

/* lgamma is log|Gamma(a)|, as in C and TensorFlow */
static int
f_lgamma(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)b; (void)c;
  int sign;
  mpfr_lgamma(y, &sign, a, RND);
  return 0;
}

static int f_floor(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_floor(y, a); return 0; }
static int f_ceil(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_ceil(y, a); return 0; }
/* half to even, as NumPy and TensorFlow round */
static int f_round(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_rint(y, a, MPFR_RNDN); return 0; }
static int f_trunc(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_trunc(y, a); return 0; }

static int
f_min(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  NAN_GUARD2(y, a, b);
  mpfr_set(y, mpfr_lessequal_p(a, b) ? a : b, RND);
  return mpfr_equal_p(a, b) ? GT_FWD_KINK : 0;
}

static int
f_max(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  NAN_GUARD2(y, a, b);
  mpfr_set(y, mpfr_greaterequal_p(a, b) ? a : b, RND);
  return mpfr_equal_p(a, b) ? GT_FWD_KINK : 0;
}

/* sigmoid(a) = 1 / (1 + exp(-a)), computed with guard bits and rounded
   once at the end */
static int
f_sigmoid(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)b; (void)c;
  mpfr_t t;
  mpfr_init2(t, mpfr_get_prec(y) + 32);
  mpfr_neg(t, a, RND);
  mpfr_exp(t, t, RND);
  mpfr_add_ui(t, t, 1, RND);
  mpfr_ui_div(y, 1, t, RND);
  mpfr_clear(t);
  return 0;
}

/* softplus(a) = log(1 + exp(a)) = max(a, 0) + log1p(exp(-|a|)), which
   neither overflows nor cancels */
static int
f_softplus(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)b; (void)c;
  if (mpfr_nan_p(a)) {
    mpfr_set_nan(y);
    return 0;
  }
  mpfr_t t;
  mpfr_init2(t, mpfr_get_prec(y) + 32);
  mpfr_abs(t, a, RND);
  mpfr_neg(t, t, RND);
  mpfr_exp(t, t, RND);
  mpfr_log1p(t, t, RND);
  if (mpfr_sgn(a) > 0)
    mpfr_add(y, t, a, RND);
  else
    mpfr_set(y, t, RND);
  mpfr_clear(t);
  return 0;
}

static int
f_relu(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)b; (void)c;
  if (mpfr_nan_p(a))
    mpfr_set_nan(y);
  else if (mpfr_sgn(a) > 0)
    mpfr_set(y, a, RND);
  else
    mpfr_set_zero(y, 1);
  return mpfr_zero_p(a) ? GT_FWD_KINK : 0;
}

static int
f_where(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  mpfr_set(y, mpfr_zero_p(a) ? c : b, RND);
  return 0;
}

static int f_stop(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_set(y, a, RND); return 0; }

/* ---- adjoint rules on numbers ------------------------------------------ */
/* X->out[k] = g * dy/d(operand k), for each k with X->need[k]. */

#define NEED(k) (X->need[k])
#define O0 (X->out[0])
#define O1 (X->out[1])
#define O2 (X->out[2])
#define G (X->g)
#define T (X->t)

static int a_neg(const GtAdjArgs *X) { mpfr_neg(O0, G, RND); return 0; }

static int
a_add(const GtAdjArgs *X)
{
  if (NEED(0)) mpfr_set(O0, G, RND);
  if (NEED(1)) mpfr_set(O1, G, RND);
  return 0;
}

static int
a_sub(const GtAdjArgs *X)
{
  if (NEED(0)) mpfr_set(O0, G, RND);
  if (NEED(1)) mpfr_neg(O1, G, RND);
  return 0;
}

/* y = a b: da = g b, db = g a */
static int
a_mul(const GtAdjArgs *X)
{
  if (NEED(0)) mpfr_mul(O0, G, X->b, RND);
  if (NEED(1)) mpfr_mul(O1, G, X->a, RND);
  return 0;
}

/* y = a / b: da = g / b, db = -g y / b */
static int
a_div(const GtAdjArgs *X)
{
  if (NEED(0)) mpfr_div(O0, G, X->b, RND);
  if (NEED(1)) {
    mpfr_mul(O1, G, X->y, RND);
    mpfr_div(O1, O1, X->b, RND);
    mpfr_neg(O1, O1, RND);
  }
  return 0;
}

/* y = a - floor(a/b) b: da = g, db = -g floor(a/b) */
static int
a_mod(const GtAdjArgs *X)
{
  if (NEED(0)) mpfr_set(O0, G, RND);
  if (NEED(1)) {
    mpfr_sub(T, X->a, X->y, RND);
    mpfr_div(T, T, X->b, RND);
    mpfr_round(T, T);
    mpfr_mul(O1, G, T, RND);
    mpfr_neg(O1, O1, RND);
  }
  return 0;
}

/* y = a^b, each partial taken as its limit where a = 0 (gradtool(5),
   "pow at base 0"):
     d/da = b a^(b-1), exact (no log): 0 when b = 0 (a^0 is 1 for every a,
       0 included).  At a = 0 this gives the limit of the derivative: 1 for
       b = 1, 0 for b > 1, +inf for 0 < b < 1, -inf for b < 0, except an
       even negative integer b, where b x^(b-1) tends to -inf on one side
       and +inf on the other: NaN.
     d/db = y log a for a > 0.  At a = 0: 0 for b > 0 (0^b is 0 all around
       b); NaN for b <= 0 (0^b jumps from +inf to 1 to 0 at b = 0, so
       x^x at 0 has no derivative of this form).  At a < 0, log a is NaN:
       a^b is NaN at the non-integer b nearby. */
#define NONE(k) do { if (X->none) X->none[k] = 1; } while (0)

static int
even_negative_integer(mpfr_srcptr b)
{
  if (!mpfr_integer_p(b) || mpfr_sgn(b) >= 0)
    return 0;
  mpfr_t h;
  mpfr_init2(h, mpfr_get_prec(b));
  mpfr_div_2ui(h, b, 1, RND); /* exact */
  int even = mpfr_integer_p(h);
  mpfr_clear(h);
  return even;
}

static int
a_pow(const GtAdjArgs *X)
{
  if (NEED(0)) {
    if (mpfr_zero_p(X->b)) {
      mpfr_set_zero(O0, 1);
      NONE(0);
    } else if (mpfr_zero_p(X->a) && even_negative_integer(X->b))
      mpfr_set_nan(O0);
    else {
      mpfr_sub_ui(T, X->b, 1, RND);
      mpfr_pow(T, X->a, T, RND);
      mpfr_mul(T, T, X->b, RND);
      mpfr_mul(O0, G, T, RND);
    }
  }
  if (NEED(1)) {
    if (mpfr_zero_p(X->a) && mpfr_sgn(X->b) > 0) {
      mpfr_set_zero(O1, 1);
      NONE(1);
    } else if (mpfr_zero_p(X->a))
      mpfr_set_nan(O1);
    else {
      mpfr_log(T, X->a, RND);
      mpfr_mul(T, T, X->y, RND);
      mpfr_mul(O1, G, T, RND);
    }
  }
  return 0;
}

/* y = |a|: da = g sign(a), 0 at the kink */
static int
a_abs(const GtAdjArgs *X)
{
  int s = mpfr_sgn(X->a);
  if (s == 0) {
    mpfr_set_zero(O0, 1);
    NONE(0);
  } else if (s > 0)
    mpfr_set(O0, G, RND);
  else
    mpfr_neg(O0, G, RND);
  return 0;
}

/* y = sqrt a: da = g / (2y) */
static int
a_sqrt(const GtAdjArgs *X)
{
  mpfr_mul_2ui(T, X->y, 1, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = cbrt a: da = g / (3 y^2) */
static int
a_cbrt(const GtAdjArgs *X)
{
  mpfr_sqr(T, X->y, RND);
  mpfr_mul_ui(T, T, 3, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = exp a: da = g y */
static int a_exp(const GtAdjArgs *X) { mpfr_mul(O0, G, X->y, RND); return 0; }

/* y = 2^a: da = g y log 2 */
static int
a_exp2(const GtAdjArgs *X)
{
  mpfr_const_log2(T, RND);
  mpfr_mul(T, T, X->y, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* y = exp(a) - 1: da = g (y + 1) */
static int
a_expm1(const GtAdjArgs *X)
{
  mpfr_exp(T, X->a, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* y = log a: da = g / a */
static int a_log(const GtAdjArgs *X) { mpfr_div(O0, G, X->a, RND); return 0; }

/* y = log2 a: da = g / (a log 2) */
static int
a_log2(const GtAdjArgs *X)
{
  mpfr_const_log2(T, RND);
  mpfr_mul(T, T, X->a, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = log10 a: da = g / (a log 10) */
static int
a_log10(const GtAdjArgs *X)
{
  mpfr_set_ui(T, 10, RND);
  mpfr_log(T, T, RND);
  mpfr_mul(T, T, X->a, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = log(1 + a): da = g / (1 + a) */
static int
a_log1p(const GtAdjArgs *X)
{
  mpfr_add_ui(T, X->a, 1, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

static int
a_sin(const GtAdjArgs *X)
{
  mpfr_cos(T, X->a, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

static int
a_cos(const GtAdjArgs *X)
{
  mpfr_sin(T, X->a, RND);
  mpfr_mul(O0, G, T, RND);
  mpfr_neg(O0, O0, RND);
  return 0;
}

/* y = tan a: da = g (1 + y^2) */
static int
a_tan(const GtAdjArgs *X)
{
  mpfr_sqr(T, X->y, RND);
  mpfr_add_ui(T, T, 1, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* y = asin a: da = g / sqrt(1 - a^2); acos: the negative */
static int
a_asin(const GtAdjArgs *X)
{
  mpfr_add_ui(O0, X->a, 1, RND);
  mpfr_ui_sub(T, 1, X->a, RND);
  mpfr_mul(T, T, O0, RND);
  mpfr_sqrt(T, T, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

static int
a_acos(const GtAdjArgs *X)
{
  a_asin(X);
  mpfr_neg(O0, O0, RND);
  return 0;
}

/* y = atan a: da = g / (1 + a^2) */
static int
a_atan(const GtAdjArgs *X)
{
  mpfr_sqr(T, X->a, RND);
  mpfr_add_ui(T, T, 1, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = atan2(a, b): da = g b / (a^2 + b^2), db = -g a / (a^2 + b^2) */
static int
a_atan2(const GtAdjArgs *X)
{
  mpfr_sqr(T, X->a, RND);
  if (NEED(0)) {
    mpfr_sqr(O0, X->b, RND);
    mpfr_add(T, T, O0, RND);
  } else {
    mpfr_sqr(O1, X->b, RND);
    mpfr_add(T, T, O1, RND);
  }
  if (NEED(0)) {
    mpfr_mul(O0, G, X->b, RND);
    mpfr_div(O0, O0, T, RND);
  }
  if (NEED(1)) {
    mpfr_mul(O1, G, X->a, RND);
    mpfr_div(O1, O1, T, RND);
    mpfr_neg(O1, O1, RND);
  }
  return 0;
}

static int
a_sinh(const GtAdjArgs *X)
{
  mpfr_cosh(T, X->a, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

static int
a_cosh(const GtAdjArgs *X)
{
  mpfr_sinh(T, X->a, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* y = tanh a: da = g (1 - y^2) */
static int
a_tanh(const GtAdjArgs *X)
{
  mpfr_cosh(T, X->a, RND);
  mpfr_sqr(T, T, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = asinh a: da = g / sqrt(a^2 + 1) */
static int
a_asinh(const GtAdjArgs *X)
{
  mpfr_sqr(T, X->a, RND);
  mpfr_add_ui(T, T, 1, RND);
  mpfr_sqrt(T, T, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = acosh a: da = g / sqrt(a^2 - 1) */
static int
a_acosh(const GtAdjArgs *X)
{
  mpfr_add_ui(O0, X->a, 1, RND);
  mpfr_sub_ui(T, X->a, 1, RND);
  mpfr_mul(T, T, O0, RND);
  mpfr_sqrt(T, T, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = atanh a: da = g / (1 - a^2) */
static int
a_atanh(const GtAdjArgs *X)
{
  mpfr_add_ui(O0, X->a, 1, RND);
  mpfr_ui_sub(T, 1, X->a, RND);
  mpfr_mul(T, T, O0, RND);
  mpfr_div(O0, G, T, RND);
  return 0;
}

/* y = hypot(a, b): da = g a / y, db = g b / y; 0 at (0, 0) */
static int
a_hypot(const GtAdjArgs *X)
{
  for (int k = 0; k < 2; k++)
    if (NEED(k)) {
      if (mpfr_zero_p(X->y)) {
        mpfr_set_zero(X->out[k], 1);
        NONE(k);
      } else {
        mpfr_mul(X->out[k], G, k ? X->b : X->a, RND);
        mpfr_div(X->out[k], X->out[k], X->y, RND);
      }
    }
  return 0;
}

/* y = erf a: da = g 2/sqrt(pi) exp(-a^2); erfc: the negative */
static int
a_erf(const GtAdjArgs *X)
{
  mpfr_sqr(T, X->a, RND);
  mpfr_neg(T, T, RND);
  mpfr_exp(T, T, RND);
  mpfr_mul(O0, G, T, RND);
  mpfr_const_pi(T, RND);
  mpfr_sqrt(T, T, RND);
  mpfr_div(O0, O0, T, RND);
  mpfr_mul_2ui(O0, O0, 1, RND);
  return 0;
}

static int
a_erfc(const GtAdjArgs *X)
{
  a_erf(X);
  mpfr_neg(O0, O0, RND);
  return 0;
}

/* y = gamma a: da = g y digamma(a) */
static int
a_gamma(const GtAdjArgs *X)
{
  mpfr_digamma(T, X->a, RND);
  mpfr_mul(T, T, X->y, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* y = log|gamma a|: da = g digamma(a) */
static int
a_lgamma(const GtAdjArgs *X)
{
  mpfr_digamma(T, X->a, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* y = digamma a: da = g trigamma(a) */
static int
a_digamma(const GtAdjArgs *X)
{
  gt_special_trigamma(T, X->a, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* the derivative of trigamma (tetragamma) is not implemented */
static int a_none(const GtAdjArgs *X) { (void)X; return -1; }

/* y = min/max(a, b): the selected operand gets g, a tie splits it */
static int
minmax(const GtAdjArgs *X, int cmp)
{
  for (int k = 0; k < 2; k++)
    if (NEED(k)) {
      int c = k ? -cmp : cmp;
      if (c > 0)
        mpfr_set(X->out[k], G, RND);
      else if (c == 0)
        mpfr_div_2ui(X->out[k], G, 1, RND);
      else {
        mpfr_set_zero(X->out[k], 1);
        NONE(k);
      }
    }
  return 0;
}

static int a_max(const GtAdjArgs *X) { return minmax(X, mpfr_cmp(X->a, X->b)); }
static int a_min(const GtAdjArgs *X) { return minmax(X, mpfr_cmp(X->b, X->a)); }

/* y = sigmoid a: da = g y (1 - y) */
static int
a_sigmoid(const GtAdjArgs *X)
{
  mpfr_exp(T, X->a, RND);
  mpfr_add_ui(T, T, 1, RND);
  mpfr_ui_div(T, 1, T, RND);
  mpfr_mul(T, T, X->y, RND);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* y = softplus a: da = g sigmoid(a) */
static int
a_softplus(const GtAdjArgs *X)
{
  f_sigmoid(T, X->a, NULL, NULL);
  mpfr_mul(O0, G, T, RND);
  return 0;
}

/* y = relu a: da = g for a > 0, else 0 (relu'(0) = 0) */
static int
a_relu(const GtAdjArgs *X)
{
  if (mpfr_sgn(X->a) > 0)
    mpfr_set(O0, G, RND);
  else {
    mpfr_set_zero(O0, 1);
    NONE(0);
  }
  return 0;
}

/* y = where(a, b, c): only the selected operand gets g */
static int
a_where(const GtAdjArgs *X)
{
  int first = !mpfr_zero_p(X->a);
  if (NEED(0)) { mpfr_set_zero(O0, 1); NONE(0); }
  if (NEED(1)) {
    if (first) mpfr_set(O1, G, RND); else { mpfr_set_zero(O1, 1); NONE(1); }
  }
  if (NEED(2)) {
    if (first) { mpfr_set_zero(O2, 1); NONE(2); } else mpfr_set(O2, G, RND);
  }
  return 0;
}

#undef NONE
#undef NEED
#undef O0
#undef O1
#undef O2
#undef G
#undef T

/* ---- adjoint rules recorded as nodes -------------------------------------- */
/* Return the node of g * dy/d(operand k), or -1 for "no contribution". */

#define N(i) (r->tape->nodes[i])
#define V(i) (r->tape->nodes[i].v)
#define OP1(op, x) gt_rec_op(r, op, x, -1, -1)
#define OP2(op, x, y) gt_rec_op(r, op, x, y, -1)
#define K(n) gt_rec_const(r, n, 1)

/* Rules that branch on values decide per element on tensors: there they
   are written with comparisons and where(), which broadcast. */
#define SCALAR(i) (r->tape->nodes[i].shape == 0)
#define WHERE(c, x, y) gt_rec_op(r, GT_OP_WHERE, c, x, y)

static int32_t r_neg(GtRec *r, int32_t i, int k, int32_t g)
{ (void)i; (void)k; return OP1(GT_OP_NEG, g); }
static int32_t r_add(GtRec *r, int32_t i, int k, int32_t g)
{ (void)r; (void)i; (void)k; return g; }
static int32_t r_sub(GtRec *r, int32_t i, int k, int32_t g)
{ (void)i; return k ? OP1(GT_OP_NEG, g) : g; }

static int32_t
r_mul(GtRec *r, int32_t i, int k, int32_t g)
{
  int32_t other = k ? N(i).a : N(i).b;
  return OP2(GT_OP_MUL, g, other);
}

static int32_t
r_div(GtRec *r, int32_t i, int k, int32_t g)
{
  int32_t b = N(i).b;
  if (k == 0)
    return OP2(GT_OP_DIV, g, b);
  return OP1(GT_OP_NEG, OP2(GT_OP_MUL, g, OP2(GT_OP_DIV, i, b)));
}

static int32_t
r_mod(GtRec *r, int32_t i, int k, int32_t g)
{
  if (k == 0)
    return g;
  int32_t a = N(i).a, b = N(i).b;
  int32_t q = OP1(GT_OP_ROUND, OP2(GT_OP_DIV, OP2(GT_OP_SUB, a, i), b));
  return OP1(GT_OP_NEG, OP2(GT_OP_MUL, g, q));
}

/* Does node i depend on no input at all (a literal, a loop counter, an
   expression of those)?  Such an operand is constant under every later
   differentiation too.  The walk gives up (answers no) after a few dozen
   nodes, so it costs O(1). */
static int
constant_tree(const GtTape *t, int32_t i)
{
  int32_t stack[48];
  int sp = 0, seen = 0;
  stack[sp++] = i;
  while (sp > 0) {
    int32_t j = stack[--sp];
    if (++seen > 48)
      return 0;
    const GtNode *n = &t->nodes[j];
    if (n->op == GT_OP_INPUT || n->op == GT_OP_TAYLOR)
      return 0;
    int32_t buf[3];
    const int32_t *ops;
    size_t nops = gt_node_operands(t, j, buf, &ops);
    for (size_t k = 0; k < nops; k++) {
      if (ops[k] < 0)
        continue;
      if (sp == (int)(sizeof stack / sizeof *stack))
        return 0;
      stack[sp++] = ops[k];
    }
  }
  return 1;
}

/* A NaN contribution blamed on the rule being applied: x - x for an
   infinite x that the rule computed (gt_rec_check_nan follows the
   infinity back to this primitive's site). */
static int32_t
nan_of(GtRec *r, int32_t inf)
{
  return gt_rec_op(r, GT_OP_SUB, inf, inf, -1);
}

/* The cases of a_pow, decided on this run's values; where an operand
   depends on inputs, its further derivatives are taken too, so the
   special values are used only where they hold for all of them:
     d/da: b a^(b-1), nothing when b is a constant 0; with a constant b
       the exponent b - 1 is a fresh constant.
     d/db: y log a; nothing at a = 0 < b when a is constant (0^b = 0);
       NaN at a = 0 and b <= 0. */
static int32_t
r_pow(GtRec *r, int32_t i, int k, int32_t g)
{
  int32_t a = N(i).a, b = N(i).b;
  GtTape *t = r->tape;
  if (k == 0) {
    int cb = constant_tree(t, b);
    if (SCALAR(b) && mpfr_zero_p(V(b)) && cb)
      return -1;
    int32_t e1;
    if (SCALAR(b) && cb) {
      e1 = gt_rec_leaf(r);
      mpfr_sub_ui(V(e1), V(b), 1, RND);
    } else
      e1 = OP2(GT_OP_SUB, b, K(1));
    int32_t p = OP2(GT_OP_POW, a, e1);
    if (SCALAR(a) && SCALAR(b) && mpfr_zero_p(V(a))
        && even_negative_integer(V(b)))
      return nan_of(r, p);
    int32_t d = OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, b, p));
    return SCALAR(b) || !cb ? d : WHERE(OP2(GT_OP_EQ, b, K(0)), K(0), d);
  }
  int ca = constant_tree(t, a);
  if (SCALAR(a) && SCALAR(b) && mpfr_zero_p(V(a))) {
    if (mpfr_sgn(V(b)) > 0 && ca)
      return -1;
    if (mpfr_sgn(V(b)) <= 0)
      return nan_of(r, OP1(GT_OP_LOG, a));
  }
  int32_t d = OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, i, OP1(GT_OP_LOG, a)));
  if (SCALAR(a) && SCALAR(b))
    return d;
  if (!ca)
    return d;
  /* a constant tensor base: 0 where a = 0 < b */
  int32_t zero = OP2(GT_OP_MUL, OP2(GT_OP_EQ, a, K(0)),
                     OP2(GT_OP_GT, b, K(0)));
  return WHERE(zero, K(0), d);
}

static int32_t
r_abs(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  if (!SCALAR(a))
    return OP2(GT_OP_MUL, g, OP1(GT_OP_SIGN, a));
  int s = mpfr_sgn(V(a));
  return s == 0 ? -1 : s > 0 ? g : OP1(GT_OP_NEG, g);
}

static int32_t
r_sqrt(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, K(2), i));
}

static int32_t
r_cbrt(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, K(3), OP2(GT_OP_MUL, i, i)));
}

static int32_t r_exp(GtRec *r, int32_t i, int k, int32_t g)
{ (void)k; return OP2(GT_OP_MUL, g, i); }

/* a constant node set by an MPFR constant function */
static int32_t
const_log(GtRec *r, unsigned long base)
{
  int32_t c = gt_rec_leaf(r);
  mpfr_set_ui(V(c), base, RND);
  mpfr_log(V(c), V(c), RND);
  return c;
}

static int32_t
r_exp2(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, i, const_log(r, 2)));
}

static int32_t
r_expm1(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_EXP, N(i).a));
}

static int32_t r_log(GtRec *r, int32_t i, int k, int32_t g)
{ (void)k; return OP2(GT_OP_DIV, g, N(i).a); }

static int32_t
r_log2(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, a, const_log(r, 2)));
}

static int32_t
r_log10(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, a, const_log(r, 10)));
}

static int32_t
r_log1p(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_ADD, a, K(1)));
}

static int32_t
r_sin(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_COS, a));
}

static int32_t
r_cos(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP1(GT_OP_NEG, OP2(GT_OP_MUL, g, OP1(GT_OP_SIN, a)));
}

static int32_t
r_tan(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_ADD, K(1), OP2(GT_OP_MUL, i, i)));
}

/* sqrt(c + s a^2) for the inverse functions' rules */
static int32_t
sqrt_quad(GtRec *r, int32_t a, long c, int s)
{
  if (s > 0)
    return OP1(GT_OP_SQRT, OP2(GT_OP_ADD, OP2(GT_OP_MUL, a, a), K(c)));
  return OP1(GT_OP_SQRT, OP2(GT_OP_MUL, OP2(GT_OP_SUB, K(c), a),
                             OP2(GT_OP_ADD, K(c), a)));
}

static int32_t
r_asin(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_DIV, g, sqrt_quad(r, a, 1, -1));
}

static int32_t
r_acos(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP1(GT_OP_NEG, OP2(GT_OP_DIV, g, sqrt_quad(r, a, 1, -1)));
}

static int32_t
r_atan(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_ADD, K(1), OP2(GT_OP_MUL, a, a)));
}

static int32_t
r_atan2(GtRec *r, int32_t i, int k, int32_t g)
{
  int32_t a = N(i).a, b = N(i).b;
  int32_t den = OP2(GT_OP_ADD, OP2(GT_OP_MUL, a, a), OP2(GT_OP_MUL, b, b));
  if (k == 0)
    return OP2(GT_OP_MUL, g, OP2(GT_OP_DIV, b, den));
  return OP1(GT_OP_NEG, OP2(GT_OP_MUL, g, OP2(GT_OP_DIV, a, den)));
}

static int32_t
r_sinh(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_COSH, a));
}

static int32_t
r_cosh(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_SINH, a));
}

static int32_t
r_tanh(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t ch = OP1(GT_OP_COSH, N(i).a);
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, ch, ch));
}

static int32_t
r_asinh(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_DIV, g, sqrt_quad(r, a, 1, 1));
}

static int32_t
r_acosh(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_DIV, g, OP1(GT_OP_SQRT, OP2(GT_OP_MUL, OP2(GT_OP_SUB, a, K(1)),
                                                  OP2(GT_OP_ADD, a, K(1)))));
}

static int32_t
r_atanh(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, OP2(GT_OP_SUB, K(1), a),
                                OP2(GT_OP_ADD, K(1), a)));
}

static int32_t
r_hypot(GtRec *r, int32_t i, int k, int32_t g)
{
  int32_t x = k ? N(i).b : N(i).a;
  if (!SCALAR(i))
    return WHERE(OP2(GT_OP_EQ, i, K(0)), K(0),
                 OP2(GT_OP_MUL, g, OP2(GT_OP_DIV, x, i)));
  if (mpfr_zero_p(V(i)))
    return -1;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_DIV, x, i));
}

static int32_t
r_erf(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  int32_t c = gt_rec_leaf(r); /* 2 / sqrt(pi) */
  mpfr_const_pi(V(c), RND);
  mpfr_rec_sqrt(V(c), V(c), RND);
  mpfr_mul_2ui(V(c), V(c), 1, RND);
  int32_t e = OP1(GT_OP_EXP, OP1(GT_OP_NEG, OP2(GT_OP_MUL, a, a)));
  int32_t d = OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, c, e));
  return N(i).op == GT_OP_ERFC ? OP1(GT_OP_NEG, d) : d;
}

static int32_t
r_gamma(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, i, OP1(GT_OP_DIGAMMA, a)));
}

static int32_t
r_lgamma(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_DIGAMMA, a));
}

static int32_t
r_digamma(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_TRIGAMMA, a));
}

static int32_t
r_none(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k; (void)g;
  r->site = N(i).site;
  r->frame = N(i).frame;
  gt_rec_fail(r, GT_ERUNTIME, "the derivative of %s is not implemented "
              "(it would need the polygamma function of order 2)",
              gt_ops[N(i).op].name);
}

static int32_t
r_minmax(GtRec *r, int32_t i, int k, int32_t g)
{
  if (!SCALAR(i)) {
    /* weight 1 where this operand is selected, 1/2 at a tie */
    int32_t a = N(i).a, b = N(i).b, self = k ? b : a, other = k ? a : b;
    GtOp win = N(i).op == GT_OP_MAX ? GT_OP_GT : GT_OP_LT;
    int32_t w = OP2(GT_OP_ADD, OP2(win, self, other),
                    OP2(GT_OP_MUL, OP2(GT_OP_EQ, self, other),
                        gt_rec_const(r, 1, 2)));
    return OP2(GT_OP_MUL, g, w);
  }
  int c = mpfr_cmp(V(N(i).a), V(N(i).b));
  if (N(i).op == GT_OP_MIN)
    c = -c;
  if (k)
    c = -c;
  if (c > 0)
    return g;
  if (c < 0)
    return -1;
  return OP2(GT_OP_MUL, g, gt_rec_const(r, 1, 2));
}

static int32_t
r_sigmoid(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, i,
                                OP1(GT_OP_SIGMOID, OP1(GT_OP_NEG, N(i).a))));
}

static int32_t
r_softplus(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_SIGMOID, a));
}

static int32_t
r_relu(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  if (!SCALAR(a))
    return OP2(GT_OP_MUL, g, OP2(GT_OP_GT, a, K(0)));
  return mpfr_sgn(V(a)) > 0 ? g : -1;
}

static int32_t
r_where(GtRec *r, int32_t i, int k, int32_t g)
{
  if (k == 0)
    return -1;
  int32_t c = N(i).a;
  if (!SCALAR(c))
    return k == 1 ? WHERE(c, g, K(0)) : WHERE(c, K(0), g);
  int first = !mpfr_zero_p(V(c));
  return (k == 1) == first ? g : -1;
}

/* y = grad(a, b, k): the adjoint of b is g times the next derivative,
   one more Taylor order; a itself passes nothing on (reverse.c checks
   that no other target is reached through a). */
static int32_t
r_taylor(GtRec *r, int32_t i, int k, int32_t g)
{
  if (k != 1)
    return -1;
  int32_t a = N(i).a, b = N(i).b;
  long order = N(i).aux;
  return OP2(GT_OP_MUL, g, gt_rec_taylor(r, a, b, order + 1));
}

#undef N
#undef V
#undef OP1
#undef OP2
#undef K
#undef SCALAR
#undef WHERE

/* ---- the table ------------------------------------------------------------ */

/* Names, arities and flags come from the list (ops.def); the rules of each
   op are named here.  A rule left NULL is absent on purpose: the op's
   flags say why (test_ops checks). */
#define GT_OP(id, nm, ar, fl)                                               \
  [GT_OP_##id].name = nm, [GT_OP_##id].arity = ar, [GT_OP_##id].flags = fl,  \
  [GT_OP_##id].callable = ((fl) & GT_OPF_CALLABLE) != 0,                     \
  [GT_OP_##id].smooth = ((fl) & GT_OPF_SMOOTH) != 0,
#define RULES(id, f, a, r)                                                   \
  [GT_OP_##id].fwd = f, [GT_OP_##id].adj = a, [GT_OP_##id].radj = r

const GtOpInfo gt_ops[GT_OP_COUNT] = {
#include "ops.def"
  RULES(NEG, f_neg, a_neg, r_neg),
  RULES(ADD, f_add, a_add, r_add),
  RULES(SUB, f_sub, a_sub, r_sub),
  RULES(MUL, f_mul, a_mul, r_mul),
  RULES(DIV, f_div, a_div, r_div),
  RULES(MOD, f_mod, a_mod, r_mod),
  RULES(POW, f_pow, a_pow, r_pow),
  RULES(EQ, f_eq, NULL, NULL),
  RULES(NE, f_ne, NULL, NULL),
  RULES(LT, f_lt, NULL, NULL),
  RULES(LE, f_le, NULL, NULL),
  RULES(GT, f_gt, NULL, NULL),
  RULES(GE, f_ge, NULL, NULL),
  RULES(NOT, f_not, NULL, NULL),
  RULES(ABS, f_abs, a_abs, r_abs),
  [GT_OP_ABS].kink_note =
    "abs evaluated at its kink (0); its derivative there is "
    "taken as 0",
  RULES(SIGN, f_sign, NULL, NULL),
  RULES(SQRT, f_sqrt, a_sqrt, r_sqrt),
  RULES(CBRT, f_cbrt, a_cbrt, r_cbrt),
  RULES(EXP, f_exp, a_exp, r_exp),
  RULES(EXP2, f_exp2, a_exp2, r_exp2),
  RULES(EXPM1, f_expm1, a_expm1, r_expm1),
  RULES(LOG, f_log, a_log, r_log),
  RULES(LOG2, f_log2, a_log2, r_log2),
  RULES(LOG10, f_log10, a_log10, r_log10),
  RULES(LOG1P, f_log1p, a_log1p, r_log1p),
  RULES(SIN, f_sin, a_sin, r_sin),
  RULES(COS, f_cos, a_cos, r_cos),
  RULES(TAN, f_tan, a_tan, r_tan),
  RULES(ASIN, f_asin, a_asin, r_asin),
  RULES(ACOS, f_acos, a_acos, r_acos),
  RULES(ATAN, f_atan, a_atan, r_atan),
  RULES(ATAN2, f_atan2, a_atan2, r_atan2),
  RULES(SINH, f_sinh, a_sinh, r_sinh),
  RULES(COSH, f_cosh, a_cosh, r_cosh),
  RULES(TANH, f_tanh, a_tanh, r_tanh),
  RULES(ASINH, f_asinh, a_asinh, r_asinh),
  RULES(ACOSH, f_acosh, a_acosh, r_acosh),
  RULES(ATANH, f_atanh, a_atanh, r_atanh),
  RULES(HYPOT, f_hypot, a_hypot, r_hypot),
  [GT_OP_HYPOT].kink_note =
    "hypot evaluated at its kink (0, 0); its derivative "
    "there is taken as 0",
  RULES(ERF, f_erf, a_erf, r_erf),
  RULES(ERFC, f_erfc, a_erfc, r_erf),
  RULES(GAMMA, f_gamma, a_gamma, r_gamma),
  RULES(LGAMMA, f_lgamma, a_lgamma, r_lgamma),
  RULES(DIGAMMA, f_digamma, a_digamma, r_digamma),
  RULES(TRIGAMMA, f_trigamma, a_none, r_none),
  RULES(FLOOR, f_floor, NULL, NULL),
  RULES(CEIL, f_ceil, NULL, NULL),
  RULES(ROUND, f_round, NULL, NULL),
  RULES(TRUNC, f_trunc, NULL, NULL),
  RULES(MIN, f_min, a_min, r_minmax),
  [GT_OP_MIN].kink_note =
    "min evaluated at a tie; the derivative is split evenly "
    "between the two arguments",
  RULES(MAX, f_max, a_max, r_minmax),
  [GT_OP_MAX].kink_note =
    "max evaluated at a tie; the derivative is split evenly "
    "between the two arguments",
  RULES(SIGMOID, f_sigmoid, a_sigmoid, r_sigmoid),
  RULES(SOFTPLUS, f_softplus, a_softplus, r_softplus),
  RULES(RELU, f_relu, a_relu, r_relu),
  [GT_OP_RELU].kink_note =
    "relu evaluated at its kink (0); its derivative there is "
    "taken as 0",
  RULES(WHERE, f_where, a_where, r_where),
  RULES(STOP, f_stop, NULL, NULL),
  RULES(TAYLOR, NULL, NULL, r_taylor),
  RULES(RMAX, NULL, NULL, NULL),
  [GT_OP_RMAX].kink_note =
    "the largest value is tied; the derivative is split "
    "evenly between the tied elements",
  RULES(RMIN, NULL, NULL, NULL),
  [GT_OP_RMIN].kink_note =
    "the smallest value is tied; the derivative is split "
    "evenly between the tied elements",
  RULES(NORM, NULL, NULL, NULL),
  [GT_OP_NORM].kink_note =
    "norm evaluated at its kink (0); its derivative there is "
    "taken as 0",
};

#undef RULES

/* TensorFlow's spellings of the arithmetic operators */
static const struct {
  const char *name;
  GtOp op;
} aliases[] = {
  { "add", GT_OP_ADD }, { "subtract", GT_OP_SUB },
  { "multiply", GT_OP_MUL }, { "divide", GT_OP_DIV },
  { "negative", GT_OP_NEG },
};

const char *
gt_op_alias_name(size_t i)
{
  return i < sizeof aliases / sizeof *aliases ? aliases[i].name : NULL;
}

GtOp
gt_op_lookup(const char *name, size_t len)
{
  for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
    if (strlen(aliases[i].name) == len && memcmp(aliases[i].name, name, len) == 0)
      return aliases[i].op;
  for (int op = 0; op < GT_OP_COUNT; op++)
    if (gt_ops[op].callable && strlen(gt_ops[op].name) == len
        && memcmp(gt_ops[op].name, name, len) == 0)
      return (GtOp)op;
  return GT_OP_COUNT;
}
