/* ops.c -- the primitive operations and their rules, side by side.
 *
 * Each primitive has a forward rule (its value, rounded once to the
 * working precision where MPFR allows), an adjoint rule on numbers (used
 * by the numeric reverse sweep: given g = dL/dy, the contribution to each
 * operand's adjoint), the same adjoint rule recorded as nodes (used by
 * grad() inside the language, so that a derivative can be differentiated
 * again) and a Taylor rule (its truncated Taylor series from its
 * operands', for Taylor mode in taylor.c).  The ops come in the order of
 * their list (ops.def), each op's rules together under a comment giving
 * the mathematics; the table at the end names them (the tensor ops' rules
 * are in tensor.c).  A rule that depends on a comparison of values (max,
 * relu, where, the zero cases of pow) decides it on the values of this
 * run, exactly as the program's own `if` does: define-by-run.
 *
 * Conventions at kinks: abs'(0) = 0, relu'(0) = 0, min/max ties split the
 * derivative evenly, hypot at (0, 0) has derivative 0; floor, ceil,
 * round, trunc, sign and the comparisons have derivative 0.
 */
#include <string.h>

#include "internal.h"
#include "sf.h"

#define RND MPFR_RNDN

/* ---- what every rule sees --------------------------------------------------

   Forward rules: y = f(a, b, c) rounded to y's precision; they return
   GT_FWD_ flags.  Adjoint rules on numbers: X->out[k] = g * dy/d(operand
   k), for each k with X->need[k].  Recorded adjoint rules: the node of
   g * dy/d(operand k), or -1 for "no contribution".  Taylor rules: y[1..K]
   from y[0] and the operands' series (taylor.c's helpers), see GtOpInfo. */

/* NaN in, NaN out: for rules built from comparisons, which MPFR answers
   with false instead of NaN. */
#define NAN_GUARD2(y, a, b)                                                  \
  do {                                                                       \
    if (mpfr_nan_p(a) || mpfr_nan_p(b)) {                                    \
      mpfr_set_nan(y);                                                       \
      return 0;                                                              \
    }                                                                        \
  } while (0)

#define UNARY_RULE(fname, mpfn)                                              \
  static int fname(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c) \
  { (void)b; (void)c; mpfn(y, a, RND); return 0; }

/* names in the adjoint rules on numbers */
#define NEED(k) (X->need[k])
#define O0 (X->out[0])
#define O1 (X->out[1])
#define O2 (X->out[2])
#define G (X->g)
#define TMP (X->t)
#define NONE(k) do { if (X->none) X->none[k] = 1; } while (0)

/* names in the recorded adjoint rules */
#define N(i) (r->tape->nodes[i])
#define V(i) (r->tape->nodes[i].v)
#define OP1(op, x) gt_rec_op(r, op, x, -1, -1)
#define OP2(op, x, y) gt_rec_op(r, op, x, y, -1)
#define K(n) gt_rec_const(r, n, 1)

/* Rules that branch on values decide per element on tensors: there they
   are written with comparisons and where(), which broadcast. */
#define SCALAR(i) (r->tape->nodes[i].shape == 0)
#define WHERE(c, x, y) gt_rec_op(r, GT_OP_WHERE, c, x, y)

/* names in the Taylor rules */
#define TN(i) (T->t->nodes[i])
#define TC(i, j) gt_taylor_coef(T, i, j)

/* locally constant (comparisons, not, sign, floor ..., stop_gradient):
   y_n = 0 for n >= 1 */
static GtTaylorStatus
t_flat(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  (void)T; (void)i; (void)y;
  return GT_TAYLOR_OK;
}

/* ---- neg: y = -a -----------------------------------------------------------
   da = -g;  Taylor: y_n = -a_n. */

static int f_neg(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_neg(y, a, RND); return 0; }

static int a_neg(const GtAdjArgs *X) { mpfr_neg(O0, G, RND); return 0; }

static int32_t r_neg(GtRec *r, int32_t i, int k, int32_t g)
{ (void)i; (void)k; return OP1(GT_OP_NEG, g); }

static GtTaylorStatus
t_neg(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  for (int j = 1; j <= T->K; j++)
    mpfr_neg(y[j], TC(a, j), RND);
  return GT_TAYLOR_OK;
}

/* ---- add, sub: y = a + b, y = a - b ----------------------------------------
   da = g, db = +-g;  Taylor: y_n = a_n +- b_n. */

static int f_add(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_add(y, a, b, RND); return 0; }

static int f_sub(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_sub(y, a, b, RND); return 0; }

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

static int32_t r_add(GtRec *r, int32_t i, int k, int32_t g)
{ (void)r; (void)i; (void)k; return g; }

static int32_t r_sub(GtRec *r, int32_t i, int k, int32_t g)
{ (void)i; return k ? OP1(GT_OP_NEG, g) : g; }

static GtTaylorStatus
t_add(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  for (int j = 1; j <= T->K; j++)
    mpfr_add(y[j], TC(a, j), TC(b, j), RND);
  return GT_TAYLOR_OK;
}

static GtTaylorStatus
t_sub(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  for (int j = 1; j <= T->K; j++)
    mpfr_sub(y[j], TC(a, j), TC(b, j), RND);
  return GT_TAYLOR_OK;
}

/* ---- mul: y = a b ----------------------------------------------------------
   da = g b, db = g a;  Taylor: the Cauchy product y_n = sum_k a_k b_{n-k}. */

static int f_mul(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_mul(y, a, b, RND); return 0; }

/* y = a b: da = g b, db = g a */
static int
a_mul(const GtAdjArgs *X)
{
  if (NEED(0)) mpfr_mul(O0, G, X->b, RND);
  if (NEED(1)) mpfr_mul(O1, G, X->a, RND);
  return 0;
}

static int32_t
r_mul(GtRec *r, int32_t i, int k, int32_t g)
{
  int32_t other = k ? N(i).a : N(i).b;
  return OP2(GT_OP_MUL, g, other);
}

static GtTaylorStatus
t_mul(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  gt_taylor_conv(T, y, TN(i).a, TN(i).b);
  return GT_TAYLOR_OK;
}

/* ---- div: y = a / b --------------------------------------------------------
   da = g / b, db = -g y / b (y / b is a / b^2 without squaring b);
   Taylor: y_n = (a_n - sum_{k=1..n} b_k y_{n-k}) / b_0, NaN at b_0 = 0. */

static int f_div(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_div(y, a, b, RND); return 0; }

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

static int32_t
r_div(GtRec *r, int32_t i, int k, int32_t g)
{
  int32_t b = N(i).b;
  if (k == 0)
    return OP2(GT_OP_DIV, g, b);
  return OP1(GT_OP_NEG, OP2(GT_OP_MUL, g, OP2(GT_OP_DIV, i, b)));
}

static GtTaylorStatus
t_div(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  mpfr_ptr *p, *q;
  if (mpfr_zero_p(TC(b, 0)))
    return gt_taylor_singular(T, y);
  if (!(p = gt_taylor_arr(T, a)) || !(q = gt_taylor_arr(T, b)))
    return GT_TAYLOR_NOMEM;
  gt_taylor_div_arr(T, y, p, q);
  return GT_TAYLOR_OK;
}

/* ---- mod: y = a - floor(a/b) b (floored, as Python and NumPy) --------------
   da = g, db = -g floor(a/b).  The quotient floor(a/b) is taken as
   (a - y) / b rounded to an integer: a - y is exactly floor(a/b) b, so
   this is floor(a/b) without rounding a/b first (which can round up to
   the next integer).  Taylor: q = floor(a/b) is locally constant, so
   y_n = a_n - q b_n. */

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

static int
a_mod(const GtAdjArgs *X)
{
  if (NEED(0)) mpfr_set(O0, G, RND);
  if (NEED(1)) {
    mpfr_sub(TMP, X->a, X->y, RND);
    mpfr_div(TMP, TMP, X->b, RND);
    mpfr_round(TMP, TMP);
    mpfr_mul(O1, G, TMP, RND);
    mpfr_neg(O1, O1, RND);
  }
  return 0;
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

static GtTaylorStatus
t_mod(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  /* a - q b with q = floor(a/b) locally constant */
  mpfr_sub(T->s[3], TC(a, 0), y[0], RND);
  mpfr_div(T->s[3], T->s[3], TC(b, 0), RND);
  mpfr_round(T->s[3], T->s[3]);
  for (int j = 1; j <= T->K; j++) {
    mpfr_mul(T->s[0], T->s[3], TC(b, j), RND);
    mpfr_sub(y[j], TC(a, j), T->s[0], RND);
  }
  return GT_TAYLOR_OK;
}

/* ---- floordiv: y = floor(a / b), Python's a // b ----------------------------
   The floor of the exact quotient q = a/b, rounded once to y's precision
   (only a floor with more digits than y holds is rounded).  q is divided
   rounding down at e + 1 bits, where |q| < 2^e: every integer m with
   |m| <= 2^e is then representable, so the floor m of q, being such an
   integer below q, is at most the rounded-down quotient t <= q, and
   floor(t) = m.  Rounding q to y's precision first could cross an integer
   (a quotient just below 3 rounding to 3).  Cost: one division at e bits;
   past 2^22 bits (|q| > 2^4194304) the rule gives up (GT_FWD_NOCONV).
   Zeros, infinities and NaN follow floor(a / b) of IEEE division, except
   a // +-inf, which is 0 or -1 as Python's (so that a == (a // b) * b
   + a % b with % floored).  The derivative is 0 (a flat op), so there
   is no adjoint; the Taylor series of a constant. */

static int
f_floordiv(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  if (mpfr_inf_p(b) && mpfr_number_p(a)) {
    int same = mpfr_zero_p(a) || (mpfr_sgn(a) > 0) == (mpfr_sgn(b) > 0);
    mpfr_set_si(y, same ? 0 : -1, RND);
    return 0;
  }
  if (!mpfr_regular_p(a) || !mpfr_regular_p(b)) {
    mpfr_div(y, a, b, RND);       /* 0, +-inf or NaN: exact */
    return 0;
  }
  mpfr_exp_t e = mpfr_get_exp(a) - mpfr_get_exp(b) + 1;  /* |q| < 2^e */
  if (e < 1) {
    /* |q| < 1 */
    mpfr_set_si(y, mpfr_sgn(a) == mpfr_sgn(b) ? 0 : -1, RND);
    return 0;
  }
  if (e > ((mpfr_exp_t)1 << 22)) {
    mpfr_set_nan(y);
    return GT_FWD_NOCONV;
  }
  mpfr_prec_t P = (mpfr_prec_t)e + 1;
  if (P < MPFR_PREC_MIN)
    P = MPFR_PREC_MIN;
  mpfr_t t;
  mpfr_init2(t, P);
  mpfr_div(t, a, b, MPFR_RNDD);
  mpfr_floor(t, t);
  mpfr_set(y, t, RND);
  mpfr_clear(t);
  return 0;
}

/* ---- pow: y = a^b ----------------------------------------------------------
   da = g b a^(b-1), db = g y log a, with the limits at a = 0 below.
   Taylor: a constant exponent r by n a_0 y_n = sum_k (r k - (n-k)) a_k y_{n-k}
   (at a_0 = 0 a nonnegative integer r by repeated squaring of series);
   a variable one as exp(b log a). */

/* y = a^b correctly rounded: MPFR's integer-exponent power (and the
   square) when b is a small integer, being far cheaper than mpfr_pow and
   correctly rounded too, so the result is the same bits; the special
   values follow the same rules (MPFR's manual, mpfr_pow_si). */
static void
pow_rounded(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b)
{
  if (mpfr_integer_p(b) && mpfr_cmpabs_ui(b, 1024) <= 0) {
    long n = mpfr_get_si(b, RND);
    if (n == 2)
      mpfr_sqr(y, a, RND);
    else
      mpfr_pow_si(y, a, n, RND);
  } else
    mpfr_pow(y, a, b, RND);
}

static int f_pow(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; pow_rounded(y, a, b); return 0; }

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
      mpfr_sub_ui(TMP, X->b, 1, RND);
      pow_rounded(TMP, X->a, TMP);
      mpfr_mul(TMP, TMP, X->b, RND);
      mpfr_mul(O0, G, TMP, RND);
    }
  }
  if (NEED(1)) {
    if (mpfr_zero_p(X->a) && mpfr_sgn(X->b) > 0) {
      mpfr_set_zero(O1, 1);
      NONE(1);
    } else if (mpfr_zero_p(X->a))
      mpfr_set_nan(O1);
    else {
      mpfr_log(TMP, X->a, RND);
      mpfr_mul(TMP, TMP, X->y, RND);
      mpfr_mul(O1, G, TMP, RND);
    }
  }
  return 0;
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
      /* --enclose encloses e1 as b's ball minus 1 (enclose.c) */
      gt_rec_leafsrc(r, e1, GT_LEAF_MINUS1, (uint32_t)b);
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

/* a^e for a nonnegative integer e by repeated squaring of series */
static GtTaylorStatus
pow_int(GtTaylor *T, mpfr_ptr *y, int32_t a, unsigned long e)
{
  int K = T->K;
  mpfr_ptr *p, *q, *w;
  if (!(p = gt_taylor_copy(T, a)) || !(q = gt_taylor_series(T))
      || !(w = gt_taylor_series(T)))
    return GT_TAYLOR_NOMEM;
  for (int j = 0; j <= K; j++)
    mpfr_set_ui(q[j], j == 0, RND); /* q = 1 */
  while (e) {
    if (e & 1) {
      gt_taylor_conv_arr(T, w, q, p);
      for (int j = 0; j <= K; j++)
        mpfr_set(q[j], w[j], RND);
    }
    e >>= 1;
    if (e) {
      gt_taylor_conv_arr(T, w, p, p);
      for (int j = 0; j <= K; j++)
        mpfr_set(p[j], w[j], RND);
    }
  }
  for (int j = 0; j <= K; j++)
    mpfr_set(y[j], q[j], RND);
  return GT_TAYLOR_OK;
}

static GtTaylorStatus
t_pow(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  mpfr_ptr *p, *q, *w;
  if (!gt_taylor_varies(T, b)) {
    /* constant exponent r */
    mpfr_srcptr r = TC(b, 0);
    if (!mpfr_zero_p(TC(a, 0))) {
      gt_taylor_pow_const(T, y, a, r);
      return GT_TAYLOR_OK;
    }
    /* a_0 = 0: a nonnegative integer power by repeated products */
    if (mpfr_integer_p(r) && mpfr_sgn(r) >= 0
        && mpfr_cmp_ui(r, 1000000) <= 0)
      return pow_int(T, y, a, mpfr_get_ui(r, RND));
    /* a_0 = 0 with a power r > 0 that is not an integer: a^r =
       O(|t|^r), so the coefficients of the orders below r are 0 (x^2.5
       at 0: 0, 0, 0, as nested reverse mode gives through r a^(r-1));
       from order r on, and for r < 0 (x^-1 at 0), there is no Taylor
       series */
    if (mpfr_sgn(r) > 0) {
      for (int j = 1; j <= T->K; j++)
        if (mpfr_cmp_si(r, j) > 0)
          mpfr_set_zero(y[j], 1);
        else
          mpfr_set_nan(y[j]);
      return GT_TAYLOR_OK;
    }
    return gt_taylor_singular(T, y);
  }
  /* a variable exponent on a constant base 0: 0^b is 0 all around
     b > 0; at b <= 0 it jumps (gradtool(5), "pow at base 0") */
  if (mpfr_zero_p(TC(a, 0)) && !gt_taylor_varies(T, a)
      && mpfr_sgn(TC(b, 0)) > 0)
    return GT_TAYLOR_OK;
  /* a^b = exp(b log a) for a_0 > 0; a_0 < 0 is NaN at non-integer b
     nearby, and a_0 = 0 has log terms (x^x) */
  if (mpfr_sgn(TC(a, 0)) <= 0)
    return gt_taylor_singular(T, y);
  if (!(p = gt_taylor_series(T)) || !(q = gt_taylor_series(T))
      || !(w = gt_taylor_series(T)))
    return GT_TAYLOR_NOMEM;
  mpfr_log(p[0], TC(a, 0), RND);
  mpfr_ptr *av = gt_taylor_arr(T, a);
  if (av == NULL)
    return GT_TAYLOR_NOMEM;
  gt_taylor_inv_ode(T, p, a, av);     /* p = log a */
  mpfr_ptr *bv = gt_taylor_arr(T, b);
  if (bv == NULL)
    return GT_TAYLOR_NOMEM;
  gt_taylor_conv_arr(T, q, bv, p);    /* q = b log a */
  /* y = exp(q): n y_n = sum k q_k y_{n-k} */
  gt_taylor_rec(T, y, -1, q, y, NULL);
  return GT_TAYLOR_OK;
}

/* ---- comparisons and not: y = 1 or 0 ---------------------------------------
   Locally constant: no adjoint (the ops are not smooth) and y_n = 0
   (t_flat).  NaN operands: MPFR's comparisons answer false; the
   interpreter reports the NaN before comparing. */

static int
set_bool(mpfr_ptr y, int v)
{
  mpfr_set_ui(y, v ? 1 : 0, RND);
  return 0;
}

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

/* ---- abs: y = |a| ----------------------------------------------------------
   da = g sign(a), and 0 at the kink a = 0 (a note is given);
   Taylor: y_n = sign(a_0) a_n. */

static int
f_abs(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)b; (void)c;
  mpfr_abs(y, a, RND);
  return mpfr_zero_p(a) ? GT_FWD_KINK : 0;
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

/* abs: a's series times sign(a_0) (0 at the kink); relu: the same with
   0 for a_0 < 0 */
static GtTaylorStatus
sign_times(GtTaylor *T, int32_t a, mpfr_ptr *y, int s)
{
  for (int j = 1; j <= T->K; j++) {
    if (s > 0)
      mpfr_set(y[j], TC(a, j), RND);
    else if (s < 0)
      mpfr_neg(y[j], TC(a, j), RND);
  }
  return GT_TAYLOR_OK;
}

static GtTaylorStatus
t_abs(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  return sign_times(T, a, y, mpfr_sgn(TC(a, 0)));
}

/* ---- sign: y = -1, 0, 1 (NaN for NaN) --------------------------------------
   Locally constant: no adjoint, y_n = 0. */

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

/* ---- sqrt: y = sqrt a ------------------------------------------------------
   da = g / (2y);  Taylor: 2 y_0 y_n = a_n - sum_{k=1..n-1} y_k y_{n-k}, NaN
   at a_0 <= 0. */

UNARY_RULE(f_sqrt, mpfr_sqrt)

/* y = sqrt a: da = g / (2y) */
static int
a_sqrt(const GtAdjArgs *X)
{
  mpfr_mul_2ui(TMP, X->y, 1, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
}

static int32_t
r_sqrt(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, K(2), i));
}

static GtTaylorStatus
t_sqrt(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  mpfr_ptr *p;
  if (mpfr_sgn(TC(a, 0)) <= 0)
    return gt_taylor_singular(T, y);
  if (!(p = gt_taylor_arr(T, a)))
    return GT_TAYLOR_NOMEM;
  gt_taylor_sqrt_arr(T, y, p);
  return GT_TAYLOR_OK;
}

/* ---- cbrt: y = a^(1/3), real for a < 0 -------------------------------------
   da = g / (3 y^2);  Taylor: as pow with the constant exponent 1/3, NaN
   at a_0 = 0. */

UNARY_RULE(f_cbrt, mpfr_cbrt)

/* y = cbrt a: da = g / (3 y^2) */
static int
a_cbrt(const GtAdjArgs *X)
{
  mpfr_sqr(TMP, X->y, RND);
  mpfr_mul_ui(TMP, TMP, 3, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
}

static int32_t
r_cbrt(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, K(3), OP2(GT_OP_MUL, i, i)));
}

/* cbrt a = a^(1/3), 1/3 rounded to the sweep's precision */
static GtTaylorStatus
t_cbrt(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  if (mpfr_zero_p(TC(a, 0)))
    return gt_taylor_singular(T, y);
  mpfr_set_ui(T->s[4], 1, RND);
  mpfr_div_ui(T->s[4], T->s[4], 3, RND);
  gt_taylor_pow_const(T, y, a, T->s[4]);
  return GT_TAYLOR_OK;
}

/* ---- exp: y = e^a ----------------------------------------------------------
   da = g y;  Taylor: y' = y a', so n y_n = sum_k k a_k y_{n-k}. */

UNARY_RULE(f_exp, mpfr_exp)

/* y = exp a: da = g y */
static int a_exp(const GtAdjArgs *X) { mpfr_mul(O0, G, X->y, RND); return 0; }

static int32_t r_exp(GtRec *r, int32_t i, int k, int32_t g)
{ (void)k; return OP2(GT_OP_MUL, g, i); }

/* w = y (exp) */
static void
w_self(GtTaylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx)
{
  (void)T; (void)ctx;
  mpfr_set(w[m], y[m], RND);
}

/* y' = w(y) a' for one of the w above */
static GtTaylorStatus
ode(GtTaylor *T, int32_t i, mpfr_ptr *y, GtTaylorW upd, void *ctx)
{
  mpfr_ptr *w = gt_taylor_series(T);
  if (w == NULL)
    return GT_TAYLOR_NOMEM;
  gt_taylor_ode(T, y, TN(i).a, w, upd, ctx);
  return GT_TAYLOR_OK;
}

static GtTaylorStatus
t_exp(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return ode(T, i, y, w_self, NULL);
}

/* ---- exp2: y = 2^a ---------------------------------------------------------
   da = g y log 2;  Taylor: y' = (log 2) y a'. */

UNARY_RULE(f_exp2, mpfr_exp2)

/* y = 2^a: da = g y log 2 */
static int
a_exp2(const GtAdjArgs *X)
{
  mpfr_const_log2(TMP, RND);
  mpfr_mul(TMP, TMP, X->y, RND);
  mpfr_mul(O0, G, TMP, RND);
  return 0;
}

/* a constant node set by an MPFR constant function */
static int32_t
const_log(GtRec *r, unsigned long base)
{
  int32_t c = gt_rec_leaf(r);
  mpfr_set_ui(V(c), base, RND);
  mpfr_log(V(c), V(c), RND);
  gt_rec_leafsrc(r, c, GT_LEAF_LOG, (uint32_t)base); /* for --enclose */
  return c;
}

static int32_t
r_exp2(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, i, const_log(r, 2)));
}

/* 2^a: y' = y ln2 a' */
static GtTaylorStatus
t_exp2(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  mpfr_const_log2(T->s[4], RND);
  gt_taylor_rec(T, y, TN(i).a, NULL, y, T->s[4]);
  return GT_TAYLOR_OK;
}

/* ---- expm1: y = e^a - 1 ----------------------------------------------------
   da = g (y + 1), computed as g exp(a): y + 1 would round twice.
   Taylor: y' = (y + 1) a'. */

UNARY_RULE(f_expm1, mpfr_expm1)

static int
a_expm1(const GtAdjArgs *X)
{
  mpfr_exp(TMP, X->a, RND);
  mpfr_mul(O0, G, TMP, RND);
  return 0;
}

static int32_t
r_expm1(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_EXP, N(i).a));
}

/* w = y + 1 (expm1) */
static void
w_plus1(GtTaylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx)
{
  (void)T; (void)ctx;
  if (m == 0)
    mpfr_add_ui(w[0], y[0], 1, RND);
  else
    mpfr_set(w[m], y[m], RND);
}

static GtTaylorStatus
t_expm1(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return ode(T, i, y, w_plus1, NULL);
}

/* ---- log, log2, log10, log1p: y = log(a) / log(base), y = log(1 + a) -------
   da = g / (a log base), g / (1 + a);  Taylor: y' q = a' with q = a (or
   1 + a): n q_0 y_n = n a_n - sum_{k=1..n-1} k y_k q_{n-k}, then divided
   by log base; NaN at q_0 <= 0. */

UNARY_RULE(f_log, mpfr_log)

UNARY_RULE(f_log2, mpfr_log2)

UNARY_RULE(f_log10, mpfr_log10)

UNARY_RULE(f_log1p, mpfr_log1p)

/* y = log a: da = g / a */
static int a_log(const GtAdjArgs *X) { mpfr_div(O0, G, X->a, RND); return 0; }

/* y = log2 a: da = g / (a log 2) */
static int
a_log2(const GtAdjArgs *X)
{
  mpfr_const_log2(TMP, RND);
  mpfr_mul(TMP, TMP, X->a, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
}

/* y = log10 a: da = g / (a log 10) */
static int
a_log10(const GtAdjArgs *X)
{
  mpfr_set_ui(TMP, 10, RND);
  mpfr_log(TMP, TMP, RND);
  mpfr_mul(TMP, TMP, X->a, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
}

/* y = log(1 + a): da = g / (1 + a) */
static int
a_log1p(const GtAdjArgs *X)
{
  mpfr_add_ui(TMP, X->a, 1, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
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

/* log(a + add1) / log(base) (base 0: natural): y' (a + add1) = a' */
static GtTaylorStatus
log_series(GtTaylor *T, int32_t i, mpfr_ptr *y, int add1, unsigned long base)
{
  int32_t a = TN(i).a;
  mpfr_ptr *q;
  if (!(q = gt_taylor_copy(T, a)))
    return GT_TAYLOR_NOMEM;
  if (add1)
    mpfr_add_ui(q[0], q[0], 1, RND);
  if (mpfr_sgn(q[0]) <= 0)
    return gt_taylor_singular(T, y);
  gt_taylor_inv_ode(T, y, a, q);
  if (base) {
    mpfr_set_ui(T->s[4], base, RND);
    mpfr_log(T->s[4], T->s[4], RND);
    for (int j = 1; j <= T->K; j++)
      mpfr_div(y[j], y[j], T->s[4], RND);
  }
  return GT_TAYLOR_OK;
}

static GtTaylorStatus
t_log(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return log_series(T, i, y, 0, 0);
}

static GtTaylorStatus
t_log2(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return log_series(T, i, y, 0, 2);
}

static GtTaylorStatus
t_log10(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return log_series(T, i, y, 0, 10);
}

static GtTaylorStatus
t_log1p(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return log_series(T, i, y, 1, 0);
}

/* ---- sin, cos --------------------------------------------------------------
   d sin a = g cos a, d cos a = -g sin a;  Taylor: the pair s' = c a',
   c' = -s a', both by n s_n = sum_k k a_k c_{n-k}. */

UNARY_RULE(f_sin, mpfr_sin)

UNARY_RULE(f_cos, mpfr_cos)

/* mpfr_sin_cos rounds both correctly: the same bits as f_sin and f_cos */
static void
p_sin(mpfr_ptr y, mpfr_ptr y2, mpfr_srcptr a)
{
  mpfr_sin_cos(y, y2, a, RND);
}

static void
p_cos(mpfr_ptr y, mpfr_ptr y2, mpfr_srcptr a)
{
  mpfr_sin_cos(y2, y, a, RND);
}

/* The companion value an adjoint rule needs (cos a for sin): the one the
   pair rule kept (X->y2), else f(a) into the scratch number. */
static mpfr_srcptr
companion(const GtAdjArgs *X, int (*f)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t))
{
  if (X->y2 != NULL)
    return X->y2;
  f(TMP, X->a, RND);
  return TMP;
}

static int
a_sin(const GtAdjArgs *X)
{
  mpfr_mul(O0, G, companion(X, mpfr_cos), RND);
  return 0;
}

static int
a_cos(const GtAdjArgs *X)
{
  mpfr_mul(O0, G, companion(X, mpfr_sin), RND);
  mpfr_neg(O0, O0, RND);
  return 0;
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

/* sin, cos (hyp = 0) and sinh, cosh (hyp = 1) by the pair
   s' = c a', c' = -+ s a'; y is s (want_sin) or c */
static GtTaylorStatus
sin_cos_pair(GtTaylor *T, int32_t i, mpfr_ptr *y, int hyp, int want_sin)
{
  int32_t a = TN(i).a;
  mpfr_ptr *s = gt_taylor_series(T), *co = gt_taylor_series(T);
  if (!s || !co)
    return GT_TAYLOR_NOMEM;
  if (hyp) {
    mpfr_sinh(s[0], TC(a, 0), RND);
    mpfr_cosh(co[0], TC(a, 0), RND);
  } else {
    mpfr_sin(s[0], TC(a, 0), RND);
    mpfr_cos(co[0], TC(a, 0), RND);
  }
  for (int m = 1; m <= T->K; m++) {
    gt_taylor_ksum(T, T->s[1], a, NULL, co, m);
    gt_taylor_ksum(T, T->s[2], a, NULL, s, m);
    mpfr_div_ui(s[m], T->s[1], (unsigned long)m, RND);
    mpfr_div_ui(co[m], T->s[2], (unsigned long)m, RND);
    if (!hyp)
      mpfr_neg(co[m], co[m], RND);
  }
  mpfr_ptr *src = want_sin ? s : co;
  for (int j = 1; j <= T->K; j++)
    mpfr_set(y[j], src[j], RND);
  return GT_TAYLOR_OK;
}

static GtTaylorStatus
t_sin(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return sin_cos_pair(T, i, y, 0, 1);
}

static GtTaylorStatus
t_cos(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return sin_cos_pair(T, i, y, 0, 0);
}

/* ---- tan: y = tan a --------------------------------------------------------
   da = g (1 + y^2);  Taylor: y' = (1 + y^2) a'. */

UNARY_RULE(f_tan, mpfr_tan)

/* y = tan a: da = g (1 + y^2) */
static int
a_tan(const GtAdjArgs *X)
{
  mpfr_sqr(TMP, X->y, RND);
  mpfr_add_ui(TMP, TMP, 1, RND);
  mpfr_mul(O0, G, TMP, RND);
  return 0;
}

static int32_t
r_tan(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_ADD, K(1), OP2(GT_OP_MUL, i, i)));
}

/* w = s (1 + y^2) or s (1 - y^2): tan and tanh, with s = +-1 in ctx */
static void
w_quad(GtTaylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx)
{
  int sign = *(int *)ctx;
  mpfr_set_zero(w[m], 1);
  for (int j = 0; j <= m; j++) {
    mpfr_mul(T->s[2], y[j], y[m - j], RND);
    mpfr_add(w[m], w[m], T->s[2], RND);
  }
  if (sign < 0)
    mpfr_neg(w[m], w[m], RND);
  if (m == 0)
    mpfr_add_ui(w[0], w[0], 1, RND);
}

/* tan: y' = (1 + y^2) a' */
static GtTaylorStatus
t_tan(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int sign = 1;
  return ode(T, i, y, w_quad, &sign);
}

/* ---- asin, acos, atan ------------------------------------------------------
   d asin a = g / sqrt(1 - a^2), d acos a = -g / sqrt(1 - a^2),
   d atan a = g / (1 + a^2).  1 - a^2 is computed as (1 - a)(1 + a), which
   does not cancel near |a| = 1.  Taylor: y' q = a' with q = sqrt(1 - a^2)
   or 1 + a^2 (t_inverse, shared with the inverse hyperbolic functions). */

UNARY_RULE(f_asin, mpfr_asin)

UNARY_RULE(f_acos, mpfr_acos)

UNARY_RULE(f_atan, mpfr_atan)

static int
a_asin(const GtAdjArgs *X)
{
  mpfr_add_ui(O0, X->a, 1, RND);
  mpfr_ui_sub(TMP, 1, X->a, RND);
  mpfr_mul(TMP, TMP, O0, RND);
  mpfr_sqrt(TMP, TMP, RND);
  mpfr_div(O0, G, TMP, RND);
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
  mpfr_sqr(TMP, X->a, RND);
  mpfr_add_ui(TMP, TMP, 1, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
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

/* The inverse functions: y' q = a' with
     asin: q = sqrt(1 - a^2)   acos: the same, y negated
     atan: q = 1 + a^2         asinh: q = sqrt(a^2 + 1)
     acosh: q = sqrt(a^2 - 1)  atanh: q = 1 - a^2
   (1 - a^2 is computed as -(a^2) + 1: the same number, one rounding) */
static GtTaylorStatus
t_inverse(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  GtOp op = (GtOp)TN(i).op;
  int K = T->K;
  mpfr_ptr *sq = gt_taylor_series(T), *q;
  if (!(q = gt_taylor_series(T)) || !sq)
    return GT_TAYLOR_NOMEM;
  gt_taylor_conv(T, sq, a, a);
  int neg = op == GT_OP_ASIN || op == GT_OP_ACOS || op == GT_OP_ATANH;
  for (int j = 0; j <= K; j++)
    if (neg)
      mpfr_neg(sq[j], sq[j], RND);
  if (op == GT_OP_ACOSH)
    mpfr_sub_ui(sq[0], sq[0], 1, RND);
  else
    mpfr_add_ui(sq[0], sq[0], 1, RND);
  if (mpfr_sgn(sq[0]) <= 0 && op != GT_OP_ATAN)
    return gt_taylor_singular(T, y);
  if (op == GT_OP_ATAN || op == GT_OP_ATANH)
    for (int j = 0; j <= K; j++)
      mpfr_set(q[j], sq[j], RND);
  else
    gt_taylor_sqrt_arr(T, q, sq);
  gt_taylor_inv_ode(T, y, a, q);
  if (op == GT_OP_ACOS)
    for (int j = 1; j <= K; j++)
      mpfr_neg(y[j], y[j], RND);
  return GT_TAYLOR_OK;
}

/* ---- atan2: y = the angle of the point (b, a) ------------------------------
   da = g b / (a^2 + b^2), db = -g a / (a^2 + b^2);  Taylor: y' (a^2 + b^2) =
   b a' - a b', divided as series and integrated; NaN at (0, 0). */

static int f_atan2(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; mpfr_atan2(y, a, b, RND); return 0; }

/* y = atan2(a, b): da = g b / (a^2 + b^2), db = -g a / (a^2 + b^2) */
static int
a_atan2(const GtAdjArgs *X)
{
  mpfr_sqr(TMP, X->a, RND);
  if (NEED(0)) {
    mpfr_sqr(O0, X->b, RND);
    mpfr_add(TMP, TMP, O0, RND);
  } else {
    mpfr_sqr(O1, X->b, RND);
    mpfr_add(TMP, TMP, O1, RND);
  }
  if (NEED(0)) {
    mpfr_mul(O0, G, X->b, RND);
    mpfr_div(O0, O0, TMP, RND);
  }
  if (NEED(1)) {
    mpfr_mul(O1, G, X->a, RND);
    mpfr_div(O1, O1, TMP, RND);
    mpfr_neg(O1, O1, RND);
  }
  return 0;
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

/* atan2(a, b): y' (a^2 + b^2) = b a' - a b', integrated */
static GtTaylorStatus
t_atan2(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  int K = T->K;
  mpfr_ptr *d = gt_taylor_series(T), *t1 = gt_taylor_series(T),
           *t2 = gt_taylor_series(T), *da = gt_taylor_series(T),
           *db = gt_taylor_series(T), *bv = gt_taylor_arr(T, b),
           *av = gt_taylor_arr(T, a), *yp = gt_taylor_series(T);
  if (!d || !t1 || !t2 || !da || !db || !bv || !av || !yp)
    return GT_TAYLOR_NOMEM;
  gt_taylor_conv(T, t1, a, a);
  gt_taylor_conv(T, t2, b, b);
  for (int j = 0; j <= K; j++)
    mpfr_add(d[j], t1[j], t2[j], RND);
  if (mpfr_zero_p(d[0]))
    return gt_taylor_singular(T, y);
  gt_taylor_deriv_arr(T, da, a);
  gt_taylor_deriv_arr(T, db, b);
  gt_taylor_conv_arr(T, t1, bv, da);
  gt_taylor_conv_arr(T, t2, av, db);
  for (int j = 0; j <= K; j++)
    mpfr_sub(t1[j], t1[j], t2[j], RND);
  gt_taylor_div_arr(T, yp, t1, d);
  gt_taylor_integ_arr(T, y, yp);
  return GT_TAYLOR_OK;
}

/* ---- sinh, cosh ------------------------------------------------------------
   d sinh a = g cosh a, d cosh a = g sinh a;  Taylor: the pair s' = c a',
   c' = s a'. */

UNARY_RULE(f_sinh, mpfr_sinh)

UNARY_RULE(f_cosh, mpfr_cosh)

/* s = sinh a, c = cosh a.  mpfr_sinh_cosh rounds both correctly: the
   same bits as f_sinh, f_cosh.  Not for a tiny a: MPFR 4.2 computes it
   at a precision that grows with the exponent of a (1 s at a = 1e-100000,
   minutes at 1e-1000000), where mpfr_sinh and mpfr_cosh return at once
   (sinh a = a, cosh a = 1 to the precision). */
static void
sinh_cosh(mpfr_ptr s, mpfr_ptr c, mpfr_srcptr a)
{
  if (mpfr_regular_p(a) && mpfr_get_exp(a) < -64) {
    mpfr_sinh(s, a, RND);
    mpfr_cosh(c, a, RND);
  } else
    mpfr_sinh_cosh(s, c, a, RND);
}

static void
p_sinh(mpfr_ptr y, mpfr_ptr y2, mpfr_srcptr a)
{
  sinh_cosh(y, y2, a);
}

static void
p_cosh(mpfr_ptr y, mpfr_ptr y2, mpfr_srcptr a)
{
  sinh_cosh(y2, y, a);
}

static int
a_sinh(const GtAdjArgs *X)
{
  mpfr_mul(O0, G, companion(X, mpfr_cosh), RND);
  return 0;
}

static int
a_cosh(const GtAdjArgs *X)
{
  mpfr_mul(O0, G, companion(X, mpfr_sinh), RND);
  return 0;
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

static GtTaylorStatus
t_sinh(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return sin_cos_pair(T, i, y, 1, 1);
}

static GtTaylorStatus
t_cosh(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return sin_cos_pair(T, i, y, 1, 0);
}

/* ---- tanh: y = tanh a ------------------------------------------------------
   da = g (1 - y^2), computed as g / cosh(a)^2: 1 - y^2 cancels as y -> +-1.
   Taylor: y' = (1 - y^2) a'. */

UNARY_RULE(f_tanh, mpfr_tanh)

static int
a_tanh(const GtAdjArgs *X)
{
  mpfr_cosh(TMP, X->a, RND);
  mpfr_sqr(TMP, TMP, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
}

static int32_t
r_tanh(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t ch = OP1(GT_OP_COSH, N(i).a);
  return OP2(GT_OP_DIV, g, OP2(GT_OP_MUL, ch, ch));
}

/* tanh: y' = (1 - y^2) a' */
static GtTaylorStatus
t_tanh(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int sign = -1;
  return ode(T, i, y, w_quad, &sign);
}

/* ---- asinh, acosh, atanh ---------------------------------------------------
   d asinh a = g / sqrt(a^2 + 1), d acosh a = g / sqrt(a^2 - 1),
   d atanh a = g / (1 - a^2); a^2 - 1 and 1 - a^2 are computed as
   (a - 1)(a + 1) and (1 - a)(1 + a), which do not cancel near |a| = 1.
   Taylor: y' q = a' (t_inverse above). */

UNARY_RULE(f_asinh, mpfr_asinh)

UNARY_RULE(f_acosh, mpfr_acosh)

UNARY_RULE(f_atanh, mpfr_atanh)

/* y = asinh a: da = g / sqrt(a^2 + 1) */
static int
a_asinh(const GtAdjArgs *X)
{
  mpfr_sqr(TMP, X->a, RND);
  mpfr_add_ui(TMP, TMP, 1, RND);
  mpfr_sqrt(TMP, TMP, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
}

static int
a_acosh(const GtAdjArgs *X)
{
  mpfr_add_ui(O0, X->a, 1, RND);
  mpfr_sub_ui(TMP, X->a, 1, RND);
  mpfr_mul(TMP, TMP, O0, RND);
  mpfr_sqrt(TMP, TMP, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
}

static int
a_atanh(const GtAdjArgs *X)
{
  mpfr_add_ui(O0, X->a, 1, RND);
  mpfr_ui_sub(TMP, 1, X->a, RND);
  mpfr_mul(TMP, TMP, O0, RND);
  mpfr_div(O0, G, TMP, RND);
  return 0;
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

/* ---- hypot: y = sqrt(a^2 + b^2) --------------------------------------------
   da = g a / y, db = g b / y, and 0 at the kink (0, 0) (a note is given);
   Taylor: the series square root of a^2 + b^2, 0 at (0, 0). */

static int
f_hypot(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  mpfr_hypot(y, a, b, RND);
  return mpfr_zero_p(a) && mpfr_zero_p(b) ? GT_FWD_KINK : 0;
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

/* hypot(a, b) = sqrt(a^2 + b^2); derivatives 0 at (0, 0), the kink */
static GtTaylorStatus
t_hypot(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  mpfr_ptr *t1 = gt_taylor_series(T), *t2 = gt_taylor_series(T);
  if (!t1 || !t2)
    return GT_TAYLOR_NOMEM;
  gt_taylor_conv(T, t1, a, a);
  gt_taylor_conv(T, t2, b, b);
  for (int j = 0; j <= T->K; j++)
    mpfr_add(t1[j], t1[j], t2[j], RND);
  if (mpfr_zero_p(t1[0]))
    return GT_TAYLOR_OK; /* the kink convention: derivative 0 */
  gt_taylor_sqrt_arr(T, t2, t1);
  for (int j = 1; j <= T->K; j++)
    mpfr_set(y[j], t2[j], RND);
  return GT_TAYLOR_OK;
}

/* ---- erf, erfc -------------------------------------------------------------
   d erf a = g 2/sqrt(pi) exp(-a^2), d erfc a = its negative;  Taylor: y' =
   2/sqrt(pi) e a' with e = exp(-a^2) from e' = e (-a^2)'. */

UNARY_RULE(f_erf, mpfr_erf)

UNARY_RULE(f_erfc, mpfr_erfc)

/* y = erf a: da = g 2/sqrt(pi) exp(-a^2); erfc: the negative */
static int
a_erf(const GtAdjArgs *X)
{
  mpfr_sqr(TMP, X->a, RND);
  mpfr_neg(TMP, TMP, RND);
  mpfr_exp(TMP, TMP, RND);
  mpfr_mul(O0, G, TMP, RND);
  mpfr_const_pi(TMP, RND);
  mpfr_sqrt(TMP, TMP, RND);
  mpfr_div(O0, O0, TMP, RND);
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

static int32_t
r_erf(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  int32_t c = gt_rec_leaf(r); /* 2 / sqrt(pi) */
  mpfr_const_pi(V(c), RND);
  mpfr_rec_sqrt(V(c), V(c), RND);
  mpfr_mul_2ui(V(c), V(c), 1, RND);
  gt_rec_leafsrc(r, c, GT_LEAF_2RSQRTPI, 0); /* for --enclose */
  int32_t e = OP1(GT_OP_EXP, OP1(GT_OP_NEG, OP2(GT_OP_MUL, a, a)));
  int32_t d = OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, c, e));
  return N(i).op == GT_OP_ERFC ? OP1(GT_OP_NEG, d) : d;
}

/* erf: y' = 2/sqrt(pi) e a' with e = exp(-a^2) (its own series, from
   e' = e (-a^2)'); erfc: the negative */
static GtTaylorStatus
t_erf(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  mpfr_ptr *sq = gt_taylor_series(T), *e = gt_taylor_series(T);
  if (!sq || !e)
    return GT_TAYLOR_NOMEM;
  gt_taylor_conv(T, sq, a, a);
  for (int j = 0; j <= T->K; j++)
    mpfr_neg(sq[j], sq[j], RND);
  mpfr_exp(e[0], sq[0], RND);
  gt_taylor_rec(T, e, -1, sq, e, NULL);
  mpfr_const_pi(T->s[4], RND);
  mpfr_rec_sqrt(T->s[4], T->s[4], RND);
  mpfr_mul_2ui(T->s[4], T->s[4], 1, RND);
  if (TN(i).op == GT_OP_ERFC)
    mpfr_neg(T->s[4], T->s[4], RND);
  gt_taylor_rec(T, y, a, NULL, e, T->s[4]);
  return GT_TAYLOR_OK;
}

/* ---- norm_cdf, norm_logcdf, erfinv, lambertw -------------------------------
   The special functions of sf.c (Arb balls, correctly rounded):
     norm_cdf a    = Phi(a) = erfc(-a/sqrt 2)/2   da = g exp(-a^2/2)/sqrt(2 pi)
     norm_logcdf a = log Phi(a)            da = g exp(-a^2/2 - y)/sqrt(2 pi)
     erfinv a, -1 < a < 1                  da = g sqrt(pi)/2 exp(y^2)
     lambertw a = W0(a), a >= -1/e         da = g / ((1 + y) exp(y))
   (erfinv and W by the inverse-function rule: erf'(w) = 2/sqrt(pi)
   exp(-w^2), (w e^w)' = (1 + w) e^w).  Value and numeric adjoint: sf.c's
   jet of order 0 and 1 at a, each correctly rounded (the adjoint then
   rounds once more, in the product with g).  Recorded adjoint: the closed
   forms above as recorded ops, so that they differentiate again.  For
   norm_logcdf at a < 0 they cancel: the exponent -a^2/2 - y (y ~ -a^2/2
   - log(-a)) loses about 2 log2|a| bits, and each further nesting of
   grad() subtracts -a - y' (y' ~ -a - 1/a), losing about as much again
   (11 bits at order 3 and a = -2.5, at 256 bits); grad(y, x, k) and
   --order k take the Taylor rule instead, which has no such loss.  The
   cure is the op's derivative of any order as the same op with an order
   parameter (sf.c's gt_sf_jet_deriv): not done yet.  Taylor: the jet of order K at
   a_0 composed with a's series (gt_taylor_compose), O(K^3).
   Outside the domain the value is NaN, which the NaN policy reports with
   the domain (GtOpInfo.sf).  The limits at the ends are values:
   norm_cdf(-inf) = 0, norm_cdf(inf) = 1, norm_logcdf(-inf) = -inf,
   norm_logcdf(inf) = 0, erfinv(+-1) = +-inf, lambertw(inf) = inf, with
   derivatives 0 there except norm_logcdf'(-inf) = erfinv'(+-1) = inf. */

/* the value of f at an end of its domain: 1 when y is set */
static int
sf_limit(GtSf f, mpfr_ptr y, mpfr_srcptr a)
{
  int s = mpfr_sgn(a);
  if (f == GT_SF_ERFINV && mpfr_cmpabs_ui(a, 1) == 0) {
    mpfr_set_inf(y, s);
    return 1;
  }
  if (!mpfr_inf_p(a) || f == GT_SF_ERFINV || (f == GT_SF_LAMBERTW && s < 0))
    return 0;
  if (f == GT_SF_NORM_CDF)
    mpfr_set_si(y, s > 0, RND);
  else if (f == GT_SF_NORM_LOGCDF && s > 0)
    mpfr_set_zero(y, 1);
  else
    mpfr_set_inf(y, s);
  return 1;
}

/* the derivative of f at an end of its domain: 1 when d is set */
static int
sf_deriv_limit(GtSf f, mpfr_ptr d, mpfr_srcptr a)
{
  if (f == GT_SF_ERFINV && mpfr_cmpabs_ui(a, 1) == 0) {
    mpfr_set_inf(d, 1);
    return 1;
  }
  if (!mpfr_inf_p(a) || f == GT_SF_ERFINV
      || (f == GT_SF_LAMBERTW && mpfr_sgn(a) < 0))
    return 0;
  if (f == GT_SF_NORM_LOGCDF && mpfr_sgn(a) < 0)
    mpfr_set_inf(d, 1);
  else
    mpfr_set_zero(d, 1);
  return 1;
}

static int
sf_fwd(GtSf f, mpfr_ptr y, mpfr_srcptr a)
{
  if (mpfr_nan_p(a)) {
    mpfr_set_nan(y);
    return 0;
  }
  if (sf_limit(f, y, a))
    return 0;
  return gt_sf_jet(f, 0, NULL, a, 0, &y) == GT_SF_NOCONV ? GT_FWD_NOCONV : 0;
}

#define SF_RULE(fname, sf)                                                   \
  static int fname(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c) \
  { (void)b; (void)c; return sf_fwd(sf, y, a); }

SF_RULE(f_norm_cdf, GT_SF_NORM_CDF)
SF_RULE(f_norm_logcdf, GT_SF_NORM_LOGCDF)
SF_RULE(f_erfinv, GT_SF_ERFINV)
SF_RULE(f_lambertw, GT_SF_LAMBERTW)

/* da = g f'(a), f'(a) from the jet of order 1 (NaN outside the domain) */
static int
sf_adj(GtSf f, const GtAdjArgs *X)
{
  mpfr_ptr jet[2] = { TMP, O0 };
  if (mpfr_nan_p(X->a))
    mpfr_set_nan(O0);
  else if (sf_deriv_limit(f, O0, X->a))
    ;
  else if (gt_sf_jet(f, 0, NULL, X->a, 1, jet) == GT_SF_NOCONV)
    mpfr_set_nan(O0); /* reported as a derivative that is not a number */
  mpfr_mul(O0, O0, G, RND);
  return 0;
}

static int a_norm_cdf(const GtAdjArgs *X)
{ return sf_adj(GT_SF_NORM_CDF, X); }
static int a_norm_logcdf(const GtAdjArgs *X)
{ return sf_adj(GT_SF_NORM_LOGCDF, X); }
static int a_erfinv(const GtAdjArgs *X)
{ return sf_adj(GT_SF_ERFINV, X); }
static int a_lambertw(const GtAdjArgs *X)
{ return sf_adj(GT_SF_LAMBERTW, X); }

/* the closed forms of the comment above, as recorded ops */
static int32_t
r_sf(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a, c = gt_rec_leaf(r), e;
  GtOp op = (GtOp)N(i).op;
  if (op == GT_OP_NORM_CDF || op == GT_OP_NORM_LOGCDF) {
    mpfr_const_pi(V(c), RND);            /* c = 1/sqrt(2 pi) */
    mpfr_mul_2ui(V(c), V(c), 1, RND);
    mpfr_rec_sqrt(V(c), V(c), RND);
    gt_rec_leafsrc(r, c, GT_LEAF_RSQRT2PI, 0);
    e = OP1(GT_OP_NEG, OP2(GT_OP_DIV, OP2(GT_OP_MUL, a, a), K(2)));
    if (op == GT_OP_NORM_LOGCDF)
      e = OP2(GT_OP_SUB, e, i);
    return OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, c, OP1(GT_OP_EXP, e)));
  }
  if (op == GT_OP_ERFINV) {
    mpfr_const_pi(V(c), RND);            /* c = sqrt(pi)/2 */
    mpfr_sqrt(V(c), V(c), RND);
    mpfr_div_2ui(V(c), V(c), 1, RND);
    gt_rec_leafsrc(r, c, GT_LEAF_SQRTPI2, 0);
    e = OP1(GT_OP_EXP, OP2(GT_OP_MUL, i, i));
    return OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, c, e));
  }
  mpfr_set_ui(V(c), 1, RND);             /* lambertw */
  e = OP2(GT_OP_MUL, OP2(GT_OP_ADD, c, i), OP1(GT_OP_EXP, i));
  return OP2(GT_OP_DIV, g, e);
}

/* y = sum_k f^(k)(a_0)/k! (a - a_0)^k */
static GtTaylorStatus
t_sf(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  GtSf f = (GtSf)(gt_ops[TN(i).op].sf - 1);
  mpfr_ptr *jet = gt_taylor_series(T);
  if (!jet)
    return GT_TAYLOR_NOMEM;
  if (gt_sf_jet(f, 0, NULL, TC(a, 0), T->K, jet) != GT_SF_OK)
    return gt_taylor_singular(T, y);
  return gt_taylor_compose(T, y, a, jet);
}

/* ---- gamma, lgamma, digamma, trigamma --------------------------------------
   d gamma a = g y psi(a), d lgamma a = g psi(a) (lgamma is log|gamma|),
   d digamma a = g psi1(a), d trigamma a = g psi2(a), where psi^(m) =
   polygamma(m, .) (below), so that every order exists: the recorded
   rules go on through polygamma(m + 1, a).  Values: MPFR (gamma, lgamma,
   digamma) and special.c (trigamma), each correctly rounded; psi2 for
   the numeric adjoint of trigamma from sf.c's jet, correctly rounded.
   Taylor: f(a_0 + v) = sum_k f^(k)(a_0)/k! v^k with sf.c's polygamma jet
   (n = -1 log|Gamma|, n = 0 digamma, n = 1 trigamma; correctly rounded
   coefficients) composed with v = a - a_0 (gt_taylor_compose, O(K^3));
   gamma = sign * exp(log|Gamma|): with L = lgamma's series, y' = y L',
   so y_m = (1/m) sum_{k=1..m} k L_k y_{m-k} (O(K^2), y_0 from the value).
   At a pole (a_0 = 0, -1, -2, ...) the coefficients are NaN. */

UNARY_RULE(f_gamma, mpfr_gamma)

/* lgamma is log|Gamma(a)|, as in C and TensorFlow */
static int
f_lgamma(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)b; (void)c;
  int sign;
  mpfr_lgamma(y, &sign, a, RND);
  return 0;
}

UNARY_RULE(f_digamma, mpfr_digamma)

UNARY_RULE(f_trigamma, gt_special_trigamma)

/* y = gamma a: da = g y digamma(a) */
static int
a_gamma(const GtAdjArgs *X)
{
  mpfr_digamma(TMP, X->a, RND);
  mpfr_mul(TMP, TMP, X->y, RND);
  mpfr_mul(O0, G, TMP, RND);
  return 0;
}

/* y = log|gamma a|: da = g digamma(a) */
static int
a_lgamma(const GtAdjArgs *X)
{
  mpfr_digamma(TMP, X->a, RND);
  mpfr_mul(O0, G, TMP, RND);
  return 0;
}

/* y = digamma a: da = g trigamma(a) */
static int
a_digamma(const GtAdjArgs *X)
{
  gt_special_trigamma(TMP, X->a, RND);
  mpfr_mul(O0, G, TMP, RND);
  return 0;
}

/* psi^(n)(x) into y, correctly rounded (sf.c); NaN at a pole, outside
   the domain or for a NaN x, psi^(n)(+inf) = 0 for n >= 1 (digamma:
   +inf).  Returns GT_FWD_NOCONV when sf.c could not reach y's
   precision. */
static int
polygamma_value(mpfr_ptr y, long n, mpfr_srcptr x)
{
  if (mpfr_inf_p(x) && mpfr_sgn(x) > 0) {
    if (n == 0)
      mpfr_set_inf(y, 1);
    else
      mpfr_set_zero(y, 1);
    return 0;
  }
  int st = gt_sf_jet(GT_SF_POLYGAMMA, n, NULL, x, 0, &y);
  if (st == GT_SF_NOCONV)
    return GT_FWD_NOCONV;
  if (st != GT_SF_OK)
    mpfr_set_nan(y);
  return 0;
}

/* y = trigamma a: da = g psi2(a) */
static int
a_trigamma(const GtAdjArgs *X)
{
  if (polygamma_value(TMP, 2, X->a) & GT_FWD_NOCONV)
    mpfr_set_nan(TMP); /* reported as a derivative that is not a number */
  mpfr_mul(O0, G, TMP, RND);
  return 0;
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

/* digamma' = polygamma(1, .), the op the language spells (trigamma's
   value, so that emitted derivatives share the node with the program's
   own polygamma(1, .)) */
static int32_t
r_digamma(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_POLYGAMMA, K(1), a));
}

/* trigamma' = polygamma(2, .) */
static int32_t
r_trigamma(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_POLYGAMMA, K(2), a));
}

/* gamma, lgamma, digamma, trigamma: the polygamma jet composed with a's
   series (see the block's comment) */
static GtTaylorStatus
t_polygamma(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  GtOp op = (GtOp)TN(i).op;
  int K = T->K;
  long n = op == GT_OP_TRIGAMMA ? 1 : op == GT_OP_DIGAMMA ? 0 : -1;
  mpfr_ptr *jet = gt_taylor_series(T);
  if (!jet)
    return GT_TAYLOR_NOMEM;
  if (gt_sf_jet(GT_SF_POLYGAMMA, n, NULL, TC(a, 0), K, jet) != GT_SF_OK)
    return gt_taylor_singular(T, y);
  if (op != GT_OP_GAMMA)
    return gt_taylor_compose(T, y, a, jet);
  /* gamma: L = log|Gamma| of a's series into jet[1..K], then y' = y L' */
  mpfr_ptr *L = gt_taylor_series(T);
  if (!L)
    return GT_TAYLOR_NOMEM;
  GtTaylorStatus rc = gt_taylor_compose(T, L, a, jet);
  if (rc != GT_TAYLOR_OK)
    return rc;
  for (int m = 1; m <= K; m++) {
    mpfr_set_zero(y[m], 1);
    for (int k = 1; k <= m; k++) {
      mpfr_mul(T->s[0], L[k], y[m - k], RND);
      mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
      mpfr_add(y[m], y[m], T->s[0], RND);
    }
    mpfr_div_ui(y[m], y[m], (unsigned long)m, RND);
  }
  return GT_TAYLOR_OK;
}

/* ---- floor, ceil, round, trunc ---------------------------------------------
   Locally constant: no adjoint, y_n = 0 (t_flat).  Exact, no rounding. */

static int f_floor(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_floor(y, a); return 0; }

static int f_ceil(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_ceil(y, a); return 0; }

/* half to even, as NumPy and TensorFlow round */
static int f_round(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_rint(y, a, MPFR_RNDN); return 0; }

static int f_trunc(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_trunc(y, a); return 0; }

/* ---- min, max --------------------------------------------------------------
   The selected operand gets g; a tie splits it evenly (a note is given);
   Taylor: the selected operand's series, the mean at a tie. */

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

/* min, max: the selected operand's series; a tie takes the mean */
static GtTaylorStatus
t_minmax(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  int cmp = mpfr_cmp(TC(a, 0), TC(b, 0));
  if (TN(i).op == GT_OP_MIN)
    cmp = -cmp;
  for (int j = 1; j <= T->K; j++) {
    if (cmp > 0)
      mpfr_set(y[j], TC(a, j), RND);
    else if (cmp < 0)
      mpfr_set(y[j], TC(b, j), RND);
    else {
      mpfr_add(y[j], TC(a, j), TC(b, j), RND);
      mpfr_div_2ui(y[j], y[j], 1, RND);
    }
  }
  return GT_TAYLOR_OK;
}

/* ---- sigmoid: y = 1 / (1 + exp(-a)) ----------------------------------------
   da = g y (1 - y), computed as g (y sigmoid(-a)): 1 - y is sigmoid(-a),
   which does not cancel as y -> 1.  Taylor: y' = y (1 - y) a'. */

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

/* 1 - y = sigmoid(-a), rounded once as f_sigmoid rounds it, so that the
   numeric rule gives the bits of the recorded one (r_sigmoid) */
static int
a_sigmoid(const GtAdjArgs *X)
{
  mpfr_neg(TMP, X->a, RND);
  f_sigmoid(TMP, TMP, NULL, NULL);
  mpfr_mul(TMP, X->y, TMP, RND);
  mpfr_mul(O0, G, TMP, RND);
  return 0;
}

static int32_t
r_sigmoid(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  return OP2(GT_OP_MUL, g, OP2(GT_OP_MUL, i,
                                OP1(GT_OP_SIGMOID, OP1(GT_OP_NEG, N(i).a))));
}

/* w = y (1 - y) (sigmoid) */
static void
w_logistic(GtTaylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx)
{
  (void)ctx;
  mpfr_set(w[m], y[m], RND);
  for (int j = 0; j <= m; j++) {
    mpfr_mul(T->s[2], y[j], y[m - j], RND);
    mpfr_sub(w[m], w[m], T->s[2], RND);
  }
}

/* sigmoid: y' = y (1 - y) a' */
static GtTaylorStatus
t_sigmoid(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  return ode(T, i, y, w_logistic, NULL);
}

/* ---- softplus: y = log(1 + exp(a)) -----------------------------------------
   da = g sigmoid(a);  Taylor: y' = s a' with s = sigmoid(a)'s own series. */

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

/* y = softplus a: da = g sigmoid(a) */
static int
a_softplus(const GtAdjArgs *X)
{
  f_sigmoid(TMP, X->a, NULL, NULL);
  mpfr_mul(O0, G, TMP, RND);
  return 0;
}

static int32_t
r_softplus(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  return OP2(GT_OP_MUL, g, OP1(GT_OP_SIGMOID, a));
}

/* softplus: y' = sigmoid(a) a', with sigmoid(a)'s own series s */
static GtTaylorStatus
t_softplus(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  mpfr_ptr *s = gt_taylor_series(T), *w2 = gt_taylor_series(T);
  if (!s || !w2)
    return GT_TAYLOR_NOMEM;
  f_sigmoid(s[0], TC(a, 0), NULL, NULL);
  gt_taylor_ode(T, s, a, w2, w_logistic, NULL);
  /* y_n = (1/n) sum_{k=1..n} k a_k s_{n-k} */
  gt_taylor_rec(T, y, a, NULL, s, NULL);
  return GT_TAYLOR_OK;
}

/* ---- relu: y = max(a, 0) ---------------------------------------------------
   da = g for a > 0, else 0 (relu'(0) = 0, a note is given);
   Taylor: a's series for a_0 > 0, else 0. */

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

static int32_t
r_relu(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = N(i).a;
  if (!SCALAR(a))
    return OP2(GT_OP_MUL, g, OP2(GT_OP_GT, a, K(0)));
  return mpfr_sgn(V(a)) > 0 ? g : -1;
}

static GtTaylorStatus
t_relu(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  int s = mpfr_sgn(TC(a, 0));
  return sign_times(T, a, y, s < 0 ? 0 : s);
}

/* ---- where: y = a != 0 ? b : c ---------------------------------------------
   Only the selected operand gets g; the condition none.  Taylor: the
   selected operand's series. */

static int
f_where(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  mpfr_set(y, mpfr_zero_p(a) ? c : b, RND);
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

/* where(a, b, c): the selected operand's series */
static GtTaylorStatus
t_where(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t s = mpfr_zero_p(TC(TN(i).a, 0)) ? TN(i).c : TN(i).b;
  for (int j = 0; j <= T->K; j++)
    mpfr_set(y[j], TC(s, j), RND);
  return GT_TAYLOR_OK;
}

/* ---- stop_gradient: y = a, with no derivative ------------------------------
   Not smooth: no adjoint, y_n = 0. */

static int f_stop(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; mpfr_set(y, a, RND); return 0; }

/* ---- grad(a, b, k): y = d^k a / db^k (GT_OP_TAYLOR) ------------------------
   Its value is a Taylor sweep (interp.c) and its numeric adjoint one more
   (reverse.c); here its recorded adjoint and its Taylor rule. */

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

/* y = grad(a, b, k) = d^k a / db^k taken in the seed x = b itself: its
   series is a's shifted, y_n = a^(n+k) / n!, from one deeper sweep of a.
   In any other variable there is no rule. */
static GtTaylorStatus
t_grad(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  int K = T->K;
  if (b != T->lo) {
    T->fail_order = 1;
    return GT_TAYLOR_NORULE;
  }
  int k = TN(i).aux;
  mpfr_ptr *d = gt_arena_alloc(&T->hold.vals, (size_t)(K + k + 1) * sizeof *d);
  if (d == NULL)
    return GT_TAYLOR_NOMEM;
  for (int j = 0; j <= K + k; j++)
    if ((d[j] = gt_taylor_num(T)) == NULL)
      return GT_TAYLOR_NOMEM;
  int32_t fn;
  int fo;
  GtTaylorStatus rc = gt_taylor(T->t, b, a, K + k, d, &fn, &fo);
  if (rc != GT_TAYLOR_OK) {
    T->fail_order = fo ? fo : 1;
    return rc == GT_TAYLOR_NOMEM ? GT_TAYLOR_NOMEM : GT_TAYLOR_NORULE;
  }
  mpfr_set_ui(T->s[4], 1, RND);
  for (int j = 0; j <= K; j++) {
    if (j > 0)
      mpfr_mul_ui(T->s[4], T->s[4], (unsigned long)j, RND);
    mpfr_div(y[j], d[j + k], T->s[4], RND);
  }
  return GT_TAYLOR_OK;
}

/* ---- polygamma, besselj, bessely: y = f_a(b), a an integer order ----------
     polygamma(n, x) = psi^(n)(x) = d^(n+1)/dx^(n+1) log Gamma(x), n >= 0
       (n = 0 digamma); poles at x = 0, -1, -2, ...;
       d/dx polygamma(n, x) = polygamma(n + 1, x)
     besselj(n, x) = J_n(x), all real x;  bessely(n, x) = Y_n(x), x > 0;
       B_n' = (B_{n-1} - B_{n+1}) / 2 for B = J and B = Y,
       B_{-n} = (-1)^n B_n
   The order a is a parameter, not a variable: it must be an integer (of
   at most GT_POLYGAMMA_MAX_N, or GT_BESSEL_MAX_N in absolute value, so
   that one call stays cheap), and no derivative flows to it (as in
   TensorFlow's polygamma: the function of an integer has no derivative;
   d/da is 0, like floor's).  A non-integer order, an x outside the domain
   or at a pole gives NaN, which the NaN policy reports with the domain
   (GtOpInfo.sf, sf.c's text).
   Values: polygamma by sf.c's jet (Arb balls, Ziv: correctly rounded;
   MPFR has digamma only, and Hurwitz zeta not at all); Bessel by
   mpfr_jn / mpfr_yn (correctly rounded).  Numeric adjoint: the first
   derivative, correctly rounded by sf.c, times g (one more rounding);
   for Bessel this is the jet's coefficient 1, not the difference of two
   rounded values, which would cancel near the extrema of B_n.
   Recorded adjoint: the formulas above as recorded ops, so that they
   differentiate again to any order (the Bessel difference then loses the
   bits it cancels, about log2 |B_{n-1} + B_{n+1}| / |B_{n-1} - B_{n+1}|
   per nesting; grad(y, x, k) and --order k use the Taylor rule, which
   does not).  Taylor: sf.c's jet of order K at b_0, correctly rounded
   coefficients f^(k)(b_0)/k!, composed with b's series (O(K^3)); a's
   series is ignored (no derivative in the order). */

/* The order limits keep one call within about a second at the default
   precision (measured, one core): polygamma(1000, 2.5) with its
   derivatives to order 8 takes 0.4 s at 128 bits (8.5 s at 10000 bits,
   the largest precision the special functions accept); bessely(1000, 0.5)
   with its derivative 0.1 s, bessely(10000, 0.5) 11 s, hence 1000. */
#define GT_POLYGAMMA_MAX_N 1000
#define GT_BESSEL_MAX_N 1000

/* 1 and *n set when v is an integer in [lo, hi] */
static int
int_order(mpfr_srcptr v, long lo, long hi, long *n)
{
  if (!mpfr_integer_p(v) || mpfr_cmp_si(v, lo) < 0 || mpfr_cmp_si(v, hi) > 0)
    return 0;
  *n = mpfr_get_si(v, RND);
  return 1;
}

static int
f_polygamma(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  long n;
  if (mpfr_nan_p(b) || !int_order(a, 0, GT_POLYGAMMA_MAX_N, &n)) {
    mpfr_set_nan(y);
    return 0;
  }
  return polygamma_value(y, n, b);
}

/* y = Z_n(b) for Z = J or Y through Z_-n = (-1)^n Z_n: MPFR 4.2's jn and
   yn with n < 0 and a large b fail an assertion, ask for exabytes or run
   for hours (besselj(-1, 1e10), bessely(-1, 1e5)); with n >= 0 they are
   fine.  Negating is exact, so y stays correctly rounded. */
static int
bessel_reflected(mpfr_ptr y, int (*z)(mpfr_ptr, long, mpfr_srcptr,
                                      mpfr_rnd_t), GtSf f, long n,
                 mpfr_srcptr b)
{
  /* MPFR sums the power series unless b is far beyond n^2: minutes for
     besselj(1000, 3e5).  From |b| = 64 on, Arb's asymptotic and
     hypergeometric methods (the Ziv loop of sf.c, also correctly
     rounded when it ends) take milliseconds. */
  if (mpfr_number_p(b) && mpfr_cmpabs_ui(b, 64) > 0) {
    int st = gt_sf_jet(f, n < 0 ? -n : n, NULL, b, 0, &y);
    if (st == GT_SF_NOCONV)
      return GT_FWD_NOCONV;
    if (st != GT_SF_OK)
      mpfr_set_nan(y);
  } else
    z(y, n < 0 ? -n : n, b, RND);
  if (n < 0 && n % 2 != 0)
    mpfr_neg(y, y, RND);
  return 0;
}

static int
f_besselj(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  long n;
  if (mpfr_nan_p(b) || !int_order(a, -GT_BESSEL_MAX_N, GT_BESSEL_MAX_N, &n))
    mpfr_set_nan(y);
  else
    return bessel_reflected(y, mpfr_jn, GT_SF_BESSELJ, n, b);
  return 0;
}

/* Y_n(0) is -inf (n >= 0) by MPFR's convention, but x = 0 is outside the
   domain here, as x < 0 is */
static int
f_bessely(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  long n;
  if (mpfr_nan_p(b) || mpfr_sgn(b) <= 0
      || !int_order(a, -GT_BESSEL_MAX_N, GT_BESSEL_MAX_N, &n))
    mpfr_set_nan(y);
  else
    return bessel_reflected(y, mpfr_yn, GT_SF_BESSELY, n, b);
  return 0;
}

/* y = polygamma(a, b): da = 0 (none), db = g polygamma(a + 1, b) */
static int
a_polygamma(const GtAdjArgs *X)
{
  long n;
  if (NEED(0)) {
    mpfr_set_zero(O0, 1);
    NONE(0);
  }
  if (NEED(1)) {
    if (mpfr_nan_p(X->b) || !int_order(X->a, 0, GT_POLYGAMMA_MAX_N, &n)
        || (polygamma_value(TMP, n + 1, X->b) & GT_FWD_NOCONV))
      mpfr_set_nan(TMP);
    mpfr_mul(O1, G, TMP, RND);
  }
  return 0;
}

/* y = besselj(a, b) or bessely(a, b): da = 0 (none), db = g B_a'(b), the
   jet's coefficient 1 (B_a'(+inf) = 0) */
static int
a_bessel(GtSf f, const GtAdjArgs *X)
{
  long n;
  if (NEED(0)) {
    mpfr_set_zero(O0, 1);
    NONE(0);
  }
  if (NEED(1)) {
    mpfr_ptr jet[2] = { TMP, O1 };
    if (mpfr_nan_p(X->b)
        || !int_order(X->a, -GT_BESSEL_MAX_N, GT_BESSEL_MAX_N, &n))
      mpfr_set_nan(O1);
    else if (mpfr_inf_p(X->b) && mpfr_sgn(X->b) > 0)
      mpfr_set_zero(O1, 1);
    else if (gt_sf_jet(f, n, NULL, X->b, 1, jet) != GT_SF_OK)
      mpfr_set_nan(O1);   /* reported as a derivative that is not a number */
    mpfr_mul(O1, O1, G, RND);
  }
  return 0;
}

static int a_besselj(const GtAdjArgs *X) { return a_bessel(GT_SF_BESSELJ, X); }
static int a_bessely(const GtAdjArgs *X) { return a_bessel(GT_SF_BESSELY, X); }

static int32_t
r_polygamma(GtRec *r, int32_t i, int k, int32_t g)
{
  if (k == 0)
    return -1;
  int32_t a = N(i).a, b = N(i).b;
  return OP2(GT_OP_MUL, g,
             gt_rec_op(r, GT_OP_POLYGAMMA, OP2(GT_OP_ADD, a, K(1)), b, -1));
}

/* B_a' = (B_{a-1} - B_{a+1}) / 2 */
static int32_t
r_bessel(GtRec *r, int32_t i, int k, int32_t g)
{
  if (k == 0)
    return -1;
  GtOp op = (GtOp)N(i).op;
  int32_t a = N(i).a, b = N(i).b;
  int32_t lo = gt_rec_op(r, op, OP2(GT_OP_SUB, a, K(1)), b, -1);
  int32_t hi = gt_rec_op(r, op, OP2(GT_OP_ADD, a, K(1)), b, -1);
  return OP2(GT_OP_MUL, g, OP2(GT_OP_DIV, OP2(GT_OP_SUB, lo, hi), K(2)));
}

/* y = sum_k f^(k)(b_0)/k! (b - b_0)^k, the order from a_0 */
static GtTaylorStatus
t_order_sf(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, b = TN(i).b;
  GtOp op = (GtOp)TN(i).op;
  GtSf f = op == GT_OP_POLYGAMMA ? GT_SF_POLYGAMMA
           : op == GT_OP_BESSELJ ? GT_SF_BESSELJ : GT_SF_BESSELY;
  long lo = f == GT_SF_POLYGAMMA ? 0 : -GT_BESSEL_MAX_N;
  long hi = f == GT_SF_POLYGAMMA ? GT_POLYGAMMA_MAX_N : GT_BESSEL_MAX_N;
  long n;
  mpfr_ptr *jet = gt_taylor_series(T);
  if (!jet)
    return GT_TAYLOR_NOMEM;
  if (!int_order(TC(a, 0), lo, hi, &n)
      || gt_sf_jet(f, n, NULL, TC(b, 0), T->K, jet) != GT_SF_OK)
    return gt_taylor_singular(T, y);
  return gt_taylor_compose(T, y, b, jet);
}

/* ---- zeta, beta, lbeta, gamma_inc ------------------------------------------
   The mathematics (psi = digamma; B^(i,j) = d^i/da^i d^j/db^j B):
     zeta a, a != 1             da = g zeta'(a)
     zeta_d(a, d) = zeta^(d)(a) da = g zeta^(d+1)(a); d is an order (a
                                constant integer): no derivative flows to it
     beta(a, b) = B(a, b)       da = g B (psi(a) - psi(a+b)) = g B^(1,0)
     lbeta(a, b) = log|B(a, b)| da = g (psi(a) - psi(a+b)), db likewise
     beta_d(a, b, i 2^16 + j)   da = g B^(i+1,j), db = g B^(i,j+1);
                                lbeta_d the same for log|B|
     gamma_inc(a, x) = Gamma(a, x) = int_x^inf t^(a-1) e^-t dt, x >= 0:
                                dx = -g x^(a-1) e^-x,
                                da = g d/da Gamma(a, x) = gamma_inc_d(a, x, 1)
     gamma_inc_d(a, x, d) = d^d/da^d Gamma(a, x)
                              = int_x^inf t^(a-1) (log t)^d e^-t dt:
                                da = g gamma_inc_d(a, x, d + 1),
                                dx = -g x^(a-1) (log x)^d e^-x
   Values: zeta by mpfr_zeta and beta by mpfr_beta (correctly rounded);
   zeta's pole a = 1 gives NaN (its one-sided limits are -inf and +inf),
   the located error naming the pole.  The derivatives of zeta of any
   order are sf.c's gt_sf_jet_deriv: Arb's zeta series (arb_poly_zeta_
   series, Hurwitz zeta at 1) on balls, the working precision raised
   until the ball rounds to one MPFR number, so correctly rounded (error
   < 1/2 ulp) except at sf.c's ceiling (faithful there, sf.h).  lbeta and
   every derivative of beta and lbeta are sf.c's gt_sf_value2, correctly
   rounded the same way (polygamma balls for lbeta; for beta the Taylor
   coefficients of Gamma(a), Gamma(b) and 1/Gamma(a+b) from Arb, combined
   as sf.h states).  gamma_inc is mpfr_gamma_inc; its x-derivative rounds
   x^(a-1), e^-x and their product (< 2 ulps); its derivatives in a are
   sf.c's jet in a (Cauchy's formula on Arb's complex upper incomplete
   gamma, with a proven bound: correctly rounded).  Out of the domain (x < 0
   for gamma_inc, poles of Gamma for beta and lbeta, B = 0 for lbeta) the
   value is NaN, which the NaN policy reports with the domain
   (GtOpInfo.domain).  Numeric adjoints: g times the partial above,
   itself correctly rounded.
   Recorded adjoints: the same family one order up (zeta -> zeta_d(a, 1),
   zeta_d(a, d) -> zeta_d(a, d + 1), beta -> beta_d(a, b, 2^16) ...), so
   grad() nests to any order without polygamma; gamma_inc's x-derivative
   is recorded in pow, exp and log, which differentiate further in a and
   x, its a-derivative as gamma_inc_d(a, x, 1), and so on.
   Taylor: zeta and zeta_d compose their jet of order K at a_0 with a's
   series (O(K^3)).  The beta family sums the bivariate jet
     c_pq = f^(i0+p, j0+q)(a_0, b_0) / (p! q!),  p + q <= K,
   against the products u^p v^q of u = a - a_0, v = b - b_0 (only the
   operands that vary: a constant b needs q = 0): O(K^2) values and O(K^4)
   series operations.  gamma_inc composes sf.c's jet in x at (a_0, x_0)
   (Arb's upper incomplete gamma series) when only x varies, and gamma_inc
   and gamma_inc_d the jet in a when only a varies; both varying with the
   seed has no rule (GT_TAYLOR_NORULE at order 1). */

#define D_SHIFT 65536L  /* beta_d's c = i D_SHIFT + j */
#define D_MAX 65535L    /* the largest order an operand holds */

/* The derivative order a constant operand holds (0..D_MAX), or -1. */
static long
order_of(mpfr_srcptr d)
{
  if (d == NULL || !mpfr_integer_p(d) || mpfr_sgn(d) < 0
      || mpfr_cmp_si(d, D_MAX) > 0)
    return -1;
  return mpfr_get_si(d, RND);
}

/* (i, j) from beta_d's c = i D_SHIFT + j; 0 when c is no such code. */
static int
orders_of(mpfr_srcptr c, int *i, int *j)
{
  *i = *j = 0;
  if (c == NULL)
    return 1;
  if (!mpfr_integer_p(c) || mpfr_sgn(c) < 0
      || mpfr_cmp_si(c, D_MAX * D_SHIFT + D_MAX) > 0)
    return 0;
  long m = mpfr_get_si(c, RND);
  *i = (int)(m / D_SHIFT);
  *j = (int)(m % D_SHIFT);
  return 1;
}

/* y = zeta^(d)(a), rounded to nearest; GT_FWD_ flags */
static int
zeta_deriv(mpfr_ptr y, mpfr_srcptr a, long d)
{
  if (d < 0 || mpfr_nan_p(a)) {
    mpfr_set_nan(y);
    return 0;
  }
  if (d == 0) {
    if (mpfr_cmp_ui(a, 1) == 0)
      mpfr_set_nan(y);               /* the pole */
    else
      mpfr_zeta(y, a, RND);          /* zeta(+inf) = 1, zeta(-inf) NaN */
    return 0;
  }
  if (mpfr_inf_p(a)) {
    /* zeta(a) - 1 ~ 2^-a: every derivative tends to 0 as a -> +inf */
    if (mpfr_sgn(a) > 0)
      mpfr_set_zero(y, 1);
    else
      mpfr_set_nan(y);
    return 0;
  }
  return gt_sf_jet_deriv(GT_SF_ZETA, 0, NULL, a, (int)d, 0, &y)
             == GT_SF_NOCONV ? GT_FWD_NOCONV : 0;
}

static int
f_zeta(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)b; (void)c; return zeta_deriv(y, a, 0); }

static int
f_zeta_d(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; return zeta_deriv(y, a, order_of(b)); }

/* y = zeta^(d)(a): da = g zeta^(d+1)(a); the order gets nothing */
static int
zeta_adj(const GtAdjArgs *X, long d)
{
  if (NEED(0)) {
    if (d < 0 || zeta_deriv(O0, X->a, d + 1) == GT_FWD_NOCONV)
      mpfr_set_nan(O0);
    mpfr_mul(O0, O0, G, RND);
  }
  if (NEED(1)) {
    mpfr_set_zero(O1, 1);
    NONE(1);
  }
  return 0;
}

static int a_zeta(const GtAdjArgs *X) { return zeta_adj(X, 0); }
static int a_zeta_d(const GtAdjArgs *X)
{ return zeta_adj(X, order_of(X->b)); }

/* The node of d^(d+1) of the function of node i, for the recorded rules:
   fails (at node i) when the order would pass D_MAX. */
static void
order_limit(GtRec *r, int32_t i, long d)
{
  if (d < D_MAX)
    return;
  r->site = N(i).site;
  r->frame = N(i).frame;
  gt_rec_fail(r, GT_ERUNTIME, "derivatives of %s of order above %ld are "
              "not implemented", gt_ops[N(i).op].name, D_MAX);
}

static int32_t
r_zeta(GtRec *r, int32_t i, int k, int32_t g)
{
  long d = 0;
  if (N(i).op == GT_OP_ZETA_D) {
    if (k != 0)
      return -1;
    d = order_of(V(N(i).b));
    order_limit(r, i, d);
  }
  return OP2(GT_OP_MUL, g, OP2(GT_OP_ZETA_D, N(i).a, K(d + 1)));
}

/* zeta, zeta_d: the jet of zeta^(d) at a_0 composed with a's series (the
   order operand is a constant: its own series is not used) */
static GtTaylorStatus
t_zeta(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a;
  long d = TN(i).op == GT_OP_ZETA_D ? order_of(TC(TN(i).b, 0)) : 0;
  mpfr_ptr *jet = gt_taylor_series(T);
  if (!jet)
    return GT_TAYLOR_NOMEM;
  if (d < 0 || !mpfr_number_p(TC(a, 0))
      || gt_sf_jet_deriv(GT_SF_ZETA, 0, NULL, TC(a, 0), (int)d, T->K, jet)
             != GT_SF_OK)
    return gt_taylor_singular(T, y);
  return gt_taylor_compose(T, y, a, jet);
}

/* y = B^(i,j)(a, b) or the same of log|B|, rounded to nearest */
static int
beta_value(GtSf2 f, mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, int i, int j)
{
  if (mpfr_nan_p(a) || mpfr_nan_p(b)) {
    mpfr_set_nan(y);
    return 0;
  }
  return gt_sf_value2(f, a, b, i, j, y) == GT_SF_NOCONV ? GT_FWD_NOCONV : 0;
}

static int
beta_fwd(GtSf2 f, mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  int i, j;
  if (!orders_of(c, &i, &j)) {
    mpfr_set_nan(y);
    return 0;
  }
  return beta_value(f, y, a, b, i, j);
}

static int f_beta(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; return beta_fwd(GT_SF2_BETA, y, a, b, NULL); }
static int f_lbeta(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ (void)c; return beta_fwd(GT_SF2_LBETA, y, a, b, NULL); }
static int f_beta_d(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{ return beta_fwd(GT_SF2_BETA, y, a, b, c); }
static int f_lbeta_d(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b,
                     mpfr_srcptr c)
{ return beta_fwd(GT_SF2_LBETA, y, a, b, c); }

/* da = g f^(i+1,j), db = g f^(i,j+1); the order code gets nothing */
static int
beta_adj(GtSf2 f, const GtAdjArgs *X)
{
  int i, j, ok = orders_of(X->c, &i, &j);
  for (int k = 0; k < 2; k++)
    if (NEED(k)) {
      mpfr_ptr o = X->out[k];
      if (!ok || beta_value(f, o, X->a, X->b, i + !k, j + k)
                     == GT_FWD_NOCONV)
        mpfr_set_nan(o);
      mpfr_mul(o, o, G, RND);
    }
  if (NEED(2)) {
    mpfr_set_zero(O2, 1);
    NONE(2);
  }
  return 0;
}

static int a_beta(const GtAdjArgs *X) { return beta_adj(GT_SF2_BETA, X); }
static int a_lbeta(const GtAdjArgs *X) { return beta_adj(GT_SF2_LBETA, X); }

static int
is_beta(GtOp op)
{
  return op == GT_OP_BETA || op == GT_OP_BETA_D;
}

static int32_t
r_beta(GtRec *r, int32_t i, int k, int32_t g)
{
  GtOp op = (GtOp)N(i).op;
  int p = 0, q = 0;
  if (k == 2)
    return -1;
  if (N(i).c >= 0)
    orders_of(V(N(i).c), &p, &q);
  order_limit(r, i, k == 0 ? p : q);
  long m = (long)(p + !k) * D_SHIFT + (q + k);
  int32_t d = gt_rec_op(r, is_beta(op) ? GT_OP_BETA_D : GT_OP_LBETA_D,
                        N(i).a, N(i).b, K(m));
  return OP2(GT_OP_MUL, g, d);
}

/* The beta family: y = sum_{p+q<=K} c_pq u^p v^q (see above). */
static GtTaylorStatus
t_beta(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  GtSf2 f = is_beta((GtOp)TN(i).op) ? GT_SF2_BETA : GT_SF2_LBETA;
  int32_t a = TN(i).a, b = TN(i).b;
  int K = T->K, i0, j0;
  if (!orders_of(TN(i).c >= 0 ? TC(TN(i).c, 0) : NULL, &i0, &j0))
    return gt_taylor_singular(T, y);
  int P = gt_taylor_varies(T, a) ? K : 0, Q = gt_taylor_varies(T, b) ? K : 0;
  mpfr_ptr **U = gt_arena_alloc(&T->hold.vals, (size_t)(P + Q + 2) * sizeof *U);
  mpfr_ptr *w = gt_taylor_series(T), c = gt_taylor_num(T);
  if (!U || !w || !c)
    return GT_TAYLOR_NOMEM;
  mpfr_ptr **V = U + P + 1;      /* U[p] = u^p, V[q] = v^q */
  for (int s = 0; s < 2; s++) {
    mpfr_ptr **W = s ? V : U;
    int top = s ? Q : P;
    int32_t x = s ? b : a;
    for (int p = 0; p <= top; p++) {
      if (!(W[p] = gt_taylor_series(T)))
        return GT_TAYLOR_NOMEM;
      if (p == 0) {
        mpfr_set_ui(W[0][0], 1, RND);
        for (int n = 1; n <= K; n++)
          mpfr_set_zero(W[0][n], 1);
      } else if (p == 1) {
        mpfr_set_zero(W[1][0], 1);
        for (int n = 1; n <= K; n++)
          mpfr_set(W[1][n], TC(x, n), RND);
      } else
        gt_taylor_conv_arr(T, W[p], W[p - 1], W[1]);
    }
  }
  for (int n = 1; n <= K; n++)
    mpfr_set_zero(y[n], 1);
  for (int p = 0; p <= P; p++)
    for (int q = 0; q <= Q && p + q <= K; q++) {
      if (p + q == 0)
        continue;
      int st = gt_sf_value2(f, TC(a, 0), TC(b, 0), i0 + p, j0 + q, c);
      if (st != GT_SF_OK && st != GT_SF_NOCONV)
        return gt_taylor_singular(T, y);
      mpfr_fac_ui(T->s[3], (unsigned long)p, RND);
      mpfr_fac_ui(T->s[4], (unsigned long)q, RND);
      mpfr_mul(T->s[3], T->s[3], T->s[4], RND);
      mpfr_div(c, c, T->s[3], RND);
      gt_taylor_conv_arr(T, w, U[p], V[q]);
      for (int n = p + q; n <= K; n++) {
        mpfr_mul(T->s[3], c, w[n], RND);
        mpfr_add(y[n], y[n], T->s[3], RND);
      }
    }
  return GT_TAYLOR_OK;
}

/* y = Gamma(a, x) for x >= 0 (NaN for x < 0) */
static int
f_gamma_inc(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  (void)c;
  if (mpfr_nan_p(a) || mpfr_nan_p(b) || mpfr_sgn(b) < 0) {
    mpfr_set_nan(y);
    return 0;
  }
  if (mpfr_zero_p(b) || !mpfr_number_p(a) || !mpfr_number_p(b)) {
    mpfr_gamma_inc(y, a, b, RND);
    return 0;
  }
  /* x > 0: Arb's upper incomplete gamma (sf.c, correctly rounded), whose
     asymptotic expansion stays fast for large x where mpfr_gamma_inc
     takes minutes (gamma_inc(0.5, 1e6)) or fails an assertion on
     overflow (gamma_inc(1e300, 1e6)) */
  return gt_sf_jet(GT_SF_GAMMA_INC, 0, a, b, 0, &y) == GT_SF_NOCONV
             ? GT_FWD_NOCONV : 0;    /* NaN out of the domain (sf.h) */
}

/* y = d^d/da^d Gamma(a, x), d >= 1, rounded to nearest; GT_FWD_ flags */
static int
gamma_inc_da(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr x, long d)
{
  if (d < 1 || mpfr_nan_p(a) || mpfr_nan_p(x) || mpfr_sgn(x) < 0
      || mpfr_inf_p(a)) {
    mpfr_set_nan(y);
    return 0;
  }
  if (mpfr_inf_p(x)) {                 /* Gamma(a, x) -> 0 with all of them */
    mpfr_set_zero(y, 1);
    return 0;
  }
  /* the jet in a: sf.c's variable is a, its parameter x */
  return gt_sf_jet_deriv(GT_SF_GAMMA_INC_A, 0, x, a, (int)d, 0, &y)
             == GT_SF_NOCONV ? GT_FWD_NOCONV : 0;
}

static int
f_gamma_inc_d(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr c)
{
  long d = order_of(c);
  return gamma_inc_da(y, a, b, d < 1 ? -1 : d);
}

/* d = -x^(a-1) e^-x (a - 1 with guard bits, so that a close to 1 keeps
   its digits) */
static void
gamma_inc_dx(mpfr_ptr d, mpfr_srcptr a, mpfr_srcptr x, mpfr_ptr tmp)
{
  mpfr_t e;
  mpfr_init2(e, mpfr_get_prec(d) + 64);
  mpfr_sub_ui(e, a, 1, RND);
  mpfr_pow(d, x, e, RND);
  mpfr_neg(tmp, x, RND);
  mpfr_exp(tmp, tmp, RND);
  mpfr_mul(d, d, tmp, RND);
  mpfr_neg(d, d, RND);
  mpfr_clear(e);
}

/* y = d^d/da^d Gamma(a, x) (d = 0: gamma_inc itself):
   da = g d^(d+1)/da^(d+1) Gamma(a, x), dx = -g x^(a-1) (log x)^d e^-x;
   the order gets nothing */
static int
gamma_inc_adj(const GtAdjArgs *X, long d)
{
  if (NEED(0)) {
    if (d < 0 || gamma_inc_da(O0, X->a, X->b, d + 1) == GT_FWD_NOCONV)
      mpfr_set_nan(O0);
    mpfr_mul(O0, O0, G, RND);
  }
  if (NEED(1)) {
    gamma_inc_dx(O1, X->a, X->b, TMP);
    /* x^(a-1) e^-x = 0 (x = 0 with a > 1): so is the limit with
       (log x)^d */
    if (d > 0 && !mpfr_zero_p(O1)) {
      mpfr_log(TMP, X->b, RND);
      mpfr_pow_ui(TMP, TMP, (unsigned long)d, RND);
      mpfr_mul(O1, O1, TMP, RND);
    }
    mpfr_mul(O1, O1, G, RND);
  }
  if (NEED(2)) {
    mpfr_set_zero(O2, 1);
    NONE(2);
  }
  return 0;
}

static int a_gamma_inc(const GtAdjArgs *X) { return gamma_inc_adj(X, 0); }
static int a_gamma_inc_d(const GtAdjArgs *X)
{
  long d = order_of(X->c);
  return gamma_inc_adj(X, d < 1 ? -1 : d);
}

static int32_t
r_gamma_inc(GtRec *r, int32_t i, int k, int32_t g)
{
  int32_t a = N(i).a, x = N(i).b;
  long d = 0;
  if (N(i).op == GT_OP_GAMMA_INC_D) {
    if (k == 2)
      return -1;
    d = order_of(V(N(i).c));
  }
  if (k == 0) {
    order_limit(r, i, d);
    return OP2(GT_OP_MUL, g,
               gt_rec_op(r, GT_OP_GAMMA_INC_D, a, x, K(d + 1)));
  }
  int32_t p = OP2(GT_OP_POW, x, OP2(GT_OP_SUB, a, K(1)));
  int32_t e = OP1(GT_OP_EXP, OP1(GT_OP_NEG, x));
  int32_t f = OP2(GT_OP_MUL, p, e);
  if (d > 0)
    f = OP2(GT_OP_MUL, f, OP2(GT_OP_POW, OP1(GT_OP_LOG, x), K(d)));
  return OP1(GT_OP_NEG, OP2(GT_OP_MUL, g, f));
}

/* gamma_inc: the jet in x at (a_0, x_0) composed with x's series, or
   (gamma_inc and gamma_inc_d) the jet in a composed with a's */
static GtTaylorStatus
t_gamma_inc(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  int32_t a = TN(i).a, x = TN(i).b;
  long d = 0;
  if (TN(i).op == GT_OP_GAMMA_INC_D)
    d = order_of(TC(TN(i).c, 0));
  int va = gt_taylor_varies(T, a), vx = gt_taylor_varies(T, x);
  if ((va && vx) || d < 0) {
    T->fail_order = 1;
    return GT_TAYLOR_NORULE;
  }
  mpfr_ptr *jet = gt_taylor_series(T);
  if (!jet)
    return GT_TAYLOR_NOMEM;
  if (d > 0 && vx) {
    if (!mpfr_number_p(TC(a, 0))
        || gt_sf_jet(GT_SF_GAMMA_INC_DX, d, TC(a, 0), TC(x, 0), T->K, jet)
               != GT_SF_OK)
      return gt_taylor_singular(T, y);
    return gt_taylor_compose(T, y, x, jet);
  }
  if (va || d > 0) {
    if (!mpfr_number_p(TC(a, 0)) || !mpfr_number_p(TC(x, 0))
        || gt_sf_jet_deriv(GT_SF_GAMMA_INC_A, 0, TC(x, 0), TC(a, 0), (int)d,
                           T->K, jet) != GT_SF_OK)
      return gt_taylor_singular(T, y);
    return gt_taylor_compose(T, y, a, jet);
  }
  if (gt_sf_jet(GT_SF_GAMMA_INC, 0, TC(a, 0), TC(x, 0), T->K, jet)
      != GT_SF_OK)
    return gt_taylor_singular(T, y);
  return gt_taylor_compose(T, y, x, jet);
}

#undef NEED
#undef O0
#undef O1
#undef O2
#undef G
#undef NONE
#undef N
#undef V
#undef OP1
#undef OP2
#undef K
#undef SCALAR
#undef WHERE
#undef TN
#undef TC
#undef TMP

/* ---- the table ------------------------------------------------------------- */

/* Names, arities and flags come from the list (ops.def); the rules of each
   op are named here.  A rule left NULL is absent on purpose: the op's
   flags say why (test_ops checks). */
#define GT_OP(id, nm, ar, fl)                                               \
  [GT_OP_##id].name = nm, [GT_OP_##id].arity = ar, [GT_OP_##id].flags = fl,  \
  [GT_OP_##id].callable = ((fl) & GT_OPF_CALLABLE) != 0,                     \
  [GT_OP_##id].smooth = ((fl) & GT_OPF_SMOOTH) != 0,
#define RULES(id, f, a, r, t)                                                \
  [GT_OP_##id].fwd = f, [GT_OP_##id].adj = a, [GT_OP_##id].radj = r,        \
  [GT_OP_##id].taylor = t
/* a tensor op: value, numeric and recorded adjoint in tensor.c */
#define TENSOR(id, f, n)                                                     \
  [GT_OP_##id].tfwd = gt_tensor_fwd_##f,                                     \
  [GT_OP_##id].tadj = gt_tensor_adj_##n,                                     \
  [GT_OP_##id].radj = gt_tensor_radj_##n

const GtOpInfo gt_ops[GT_OP_COUNT] = {
#include "ops.def"
  RULES(NEG, f_neg, a_neg, r_neg, t_neg),
  RULES(ADD, f_add, a_add, r_add, t_add),
  RULES(SUB, f_sub, a_sub, r_sub, t_sub),
  RULES(MUL, f_mul, a_mul, r_mul, t_mul),
  RULES(DIV, f_div, a_div, r_div, t_div),
  RULES(MOD, f_mod, a_mod, r_mod, t_mod),
  RULES(POW, f_pow, a_pow, r_pow, t_pow),
  RULES(EQ, f_eq, NULL, NULL, t_flat),
  RULES(NE, f_ne, NULL, NULL, t_flat),
  RULES(LT, f_lt, NULL, NULL, t_flat),
  RULES(LE, f_le, NULL, NULL, t_flat),
  RULES(GT, f_gt, NULL, NULL, t_flat),
  RULES(GE, f_ge, NULL, NULL, t_flat),
  RULES(NOT, f_not, NULL, NULL, t_flat),
  RULES(ABS, f_abs, a_abs, r_abs, t_abs),
  [GT_OP_ABS].kink_note =
    "abs evaluated at its kink (0); its derivative there is "
    "taken as 0",
  RULES(SIGN, f_sign, NULL, NULL, t_flat),
  RULES(SQRT, f_sqrt, a_sqrt, r_sqrt, t_sqrt),
  RULES(CBRT, f_cbrt, a_cbrt, r_cbrt, t_cbrt),
  RULES(EXP, f_exp, a_exp, r_exp, t_exp),
  RULES(EXP2, f_exp2, a_exp2, r_exp2, t_exp2),
  RULES(EXPM1, f_expm1, a_expm1, r_expm1, t_expm1),
  RULES(LOG, f_log, a_log, r_log, t_log),
  RULES(LOG2, f_log2, a_log2, r_log2, t_log2),
  RULES(LOG10, f_log10, a_log10, r_log10, t_log10),
  RULES(LOG1P, f_log1p, a_log1p, r_log1p, t_log1p),
  RULES(SIN, f_sin, a_sin, r_sin, t_sin),
  [GT_OP_SIN].pair = p_sin,
  RULES(COS, f_cos, a_cos, r_cos, t_cos),
  [GT_OP_COS].pair = p_cos,
  RULES(TAN, f_tan, a_tan, r_tan, t_tan),
  RULES(ASIN, f_asin, a_asin, r_asin, t_inverse),
  RULES(ACOS, f_acos, a_acos, r_acos, t_inverse),
  RULES(ATAN, f_atan, a_atan, r_atan, t_inverse),
  RULES(ATAN2, f_atan2, a_atan2, r_atan2, t_atan2),
  RULES(SINH, f_sinh, a_sinh, r_sinh, t_sinh),
  [GT_OP_SINH].pair = p_sinh,
  RULES(COSH, f_cosh, a_cosh, r_cosh, t_cosh),
  [GT_OP_COSH].pair = p_cosh,
  RULES(TANH, f_tanh, a_tanh, r_tanh, t_tanh),
  RULES(ASINH, f_asinh, a_asinh, r_asinh, t_inverse),
  RULES(ACOSH, f_acosh, a_acosh, r_acosh, t_inverse),
  RULES(ATANH, f_atanh, a_atanh, r_atanh, t_inverse),
  RULES(HYPOT, f_hypot, a_hypot, r_hypot, t_hypot),
  [GT_OP_HYPOT].kink_note =
    "hypot evaluated at its kink (0, 0); its derivative "
    "there is taken as 0",
  RULES(ERF, f_erf, a_erf, r_erf, t_erf),
  RULES(ERFC, f_erfc, a_erfc, r_erf, t_erf),
  RULES(NORM_CDF, f_norm_cdf, a_norm_cdf, r_sf, t_sf),
  [GT_OP_NORM_CDF].sf = 1 + GT_SF_NORM_CDF,
  RULES(NORM_LOGCDF, f_norm_logcdf, a_norm_logcdf, r_sf, t_sf),
  [GT_OP_NORM_LOGCDF].sf = 1 + GT_SF_NORM_LOGCDF,
  RULES(ERFINV, f_erfinv, a_erfinv, r_sf, t_sf),
  [GT_OP_ERFINV].sf = 1 + GT_SF_ERFINV,
  RULES(LAMBERTW, f_lambertw, a_lambertw, r_sf, t_sf),
  [GT_OP_LAMBERTW].sf = 1 + GT_SF_LAMBERTW,
  RULES(GAMMA, f_gamma, a_gamma, r_gamma, t_polygamma),
  RULES(LGAMMA, f_lgamma, a_lgamma, r_lgamma, t_polygamma),
  RULES(DIGAMMA, f_digamma, a_digamma, r_digamma, t_polygamma),
  RULES(TRIGAMMA, f_trigamma, a_trigamma, r_trigamma, t_polygamma),
  RULES(FLOOR, f_floor, NULL, NULL, t_flat),
  RULES(CEIL, f_ceil, NULL, NULL, t_flat),
  RULES(ROUND, f_round, NULL, NULL, t_flat),
  RULES(TRUNC, f_trunc, NULL, NULL, t_flat),
  RULES(MIN, f_min, a_min, r_minmax, t_minmax),
  [GT_OP_MIN].kink_note =
    "min evaluated at a tie; the derivative is split evenly "
    "between the two arguments",
  RULES(MAX, f_max, a_max, r_minmax, t_minmax),
  [GT_OP_MAX].kink_note =
    "max evaluated at a tie; the derivative is split evenly "
    "between the two arguments",
  RULES(SIGMOID, f_sigmoid, a_sigmoid, r_sigmoid, t_sigmoid),
  RULES(SOFTPLUS, f_softplus, a_softplus, r_softplus, t_softplus),
  RULES(RELU, f_relu, a_relu, r_relu, t_relu),
  [GT_OP_RELU].kink_note =
    "relu evaluated at its kink (0); its derivative there is "
    "taken as 0",
  RULES(WHERE, f_where, a_where, r_where, t_where),
  RULES(STOP, f_stop, NULL, NULL, t_flat),
  RULES(TAYLOR, NULL, NULL, r_taylor, t_grad),
  TENSOR(STACK, stack, stack),
  TENSOR(EXPAND, expand, expand),
  TENSOR(SUMTO, sumto, sumto),
  TENSOR(SUM, reduce, sum),
  TENSOR(MEAN, reduce, sum),
  TENSOR(PROD, reduce, prod),
  TENSOR(RMAX, reduce, extreme),
  TENSOR(RMIN, reduce, extreme),
  TENSOR(MATMUL, matmul, matmul),
  TENSOR(TRANSPOSE, transpose, transpose),
  TENSOR(RESHAPE, reshape, reshape),
  TENSOR(NORM, norm, norm),
  TENSOR(VIEW, view, view),
  TENSOR(SCATTER, scatter, scatter),
  TENSOR(SETVIEW, setview, setview),
  [GT_OP_RMAX].kink_note =
    "the largest value is tied; the derivative is split "
    "evenly between the tied elements",
  [GT_OP_RMIN].kink_note =
    "the smallest value is tied; the derivative is split "
    "evenly between the tied elements",
  [GT_OP_NORM].kink_note =
    "norm evaluated at its kink (0); its derivative there is "
    "taken as 0",
  /* issue 13 item 3: the sparse adjoint of indexing */
  [GT_OP_ASSEMBLE].tfwd = gt_tensor_fwd_assemble,
  [GT_OP_ASSEMBLE].tadj = gt_tensor_adj_assemble,
  [GT_OP_ASSEMBLE].radj = gt_tensor_radj_assemble,
  /* floor division (the reach branch) */
  RULES(FLOORDIV, f_floordiv, NULL, NULL, t_flat),
  /* zeta, beta, lbeta, gamma_inc and their derivative ops (issue 16) */
  RULES(ZETA, f_zeta, a_zeta, r_zeta, t_zeta),
  [GT_OP_ZETA].sf = 1 + GT_SF_ZETA,
  RULES(ZETA_D, f_zeta_d, a_zeta_d, r_zeta, t_zeta),
  [GT_OP_ZETA_D].sf = 1 + GT_SF_ZETA,
  RULES(BETA, f_beta, a_beta, r_beta, t_beta),
  [GT_OP_BETA].domain = "a and b must not be 0, -1, -2, ... (poles)",
  RULES(LBETA, f_lbeta, a_lbeta, r_beta, t_beta),
  [GT_OP_LBETA].domain = "a and b must not be 0, -1, -2, ... (poles), "
                         "nor a + b (there B = 0)",
  RULES(BETA_D, f_beta_d, a_beta, r_beta, t_beta),
  [GT_OP_BETA_D].domain = "a and b must not be 0, -1, -2, ... (poles)",
  RULES(LBETA_D, f_lbeta_d, a_lbeta, r_beta, t_beta),
  [GT_OP_LBETA_D].domain = "a and b must not be 0, -1, -2, ... (poles), "
                           "nor a + b (there B = 0)",
  RULES(GAMMA_INC, f_gamma_inc, a_gamma_inc, r_gamma_inc, t_gamma_inc),
  [GT_OP_GAMMA_INC].domain = "x must be >= 0",
  RULES(GAMMA_INC_D, f_gamma_inc_d, a_gamma_inc_d, r_gamma_inc, t_gamma_inc),
  [GT_OP_GAMMA_INC_D].domain = "x must be >= 0 (and a > 0 where x = 0)",
  /* integer-order special functions (issue 16 item 1) */
  RULES(POLYGAMMA, f_polygamma, a_polygamma, r_polygamma, t_order_sf),
  [GT_OP_POLYGAMMA].sf = 1 + GT_SF_POLYGAMMA,
  RULES(BESSELJ, f_besselj, a_besselj, r_bessel, t_order_sf),
  [GT_OP_BESSELJ].sf = 1 + GT_SF_BESSELJ,
  RULES(BESSELY, f_bessely, a_bessely, r_bessel, t_order_sf),
  [GT_OP_BESSELY].sf = 1 + GT_SF_BESSELY,
};

#undef RULES
#undef TENSOR

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
