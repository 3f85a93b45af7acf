/* taylor.c -- forward Taylor-mode propagation over the tape.
 *
 * Every node that depends on the seed node x gets its truncated Taylor
 * series in x: y(x0 + t) = y_0 + y_1 t + ... + y_K t^K, with unscaled
 * coefficients y_n = y^(n)(x0) / n!; the K-th derivative is K! y_K.  The
 * rules are the classical recurrences (Griewank and Walther, "Evaluating
 * Derivatives", chapter 13): products by convolution, quotients by
 * back-substitution, and for a function with a first-order ODE
 * (exp: y' = y a', log: a y' = a', sin/cos: a coupled pair, ...) the
 * recurrence n y_n = sum_{k=1..n} k a_k w_{n-k}.  Each costs O(K^2) MPFR
 * operations per node, so the K-th derivative costs O(K^2) per recorded
 * operation, not the O(2^K) of nested reverse sweeps.
 *
 * The sweep works at the working precision plus guard bits and recomputes
 * the values y_0 at that precision too, so that high-order coefficients,
 * which the recurrences amplify, still round correctly to the working
 * precision.  Nodes that do not depend on x are constants: their series is
 * their recorded value and zeros.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define RND MPFR_RNDN

typedef struct Taylor {
  const GtTape *t;
  int K;
  int32_t lo;
  mpfr_ptr **ser;         /* per node lo..: K+1 coefficients, or NULL */
  GtTape hold;            /* an arena of numbers at the sweep's precision */
  mpfr_ptr zero;
  mpfr_ptr s[6];          /* scratch */
  int32_t fail;           /* node whose rule failed, or -1 */
  int fail_order;
} Taylor;

static mpfr_ptr
num(Taylor *T)
{
  return gt_tape_number(&T->hold);
}

/* coefficient j of node i */
static mpfr_srcptr
C(const Taylor *T, int32_t i, int j)
{
  if (i < T->lo || T->ser[i - T->lo] == NULL)
    return j == 0 ? T->t->nodes[i].v : T->zero;
  return T->ser[i - T->lo][j];
}

/* a fresh series of K+1 numbers, NULL when out of memory */
static mpfr_ptr *
series(Taylor *T)
{
  mpfr_ptr *v = gt_arena_alloc(&T->hold.vals, (size_t)(T->K + 1) * sizeof *v);
  if (v == NULL)
    return NULL;
  for (int j = 0; j <= T->K; j++)
    if ((v[j] = num(T)) == NULL)
      return NULL;
  return v;
}

/* ---- building blocks, each O(K^2) ----------------------------------------- */

/* y = a b (Cauchy product) */
static void
conv(Taylor *T, mpfr_ptr *y, int32_t a, int32_t b)
{
  for (int n = 0; n <= T->K; n++) {
    mpfr_set_zero(y[n], 1);
    for (int k = 0; k <= n; k++) {
      mpfr_mul(T->s[0], C(T, a, k), C(T, b, n - k), RND);
      mpfr_add(y[n], y[n], T->s[0], RND);
    }
  }
}

/* the same on explicit arrays: y = p q */
static void
conv_arr(Taylor *T, mpfr_ptr *y, mpfr_ptr *p, mpfr_ptr *q)
{
  for (int n = 0; n <= T->K; n++) {
    mpfr_set_zero(y[n], 1);
    for (int k = 0; k <= n; k++) {
      mpfr_mul(T->s[0], p[k], q[n - k], RND);
      mpfr_add(y[n], y[n], T->s[0], RND);
    }
  }
}

/* y = p / q with q_0 != 0: y_n = (p_n - sum_{k=1..n} q_k y_{n-k}) / q_0 */
static void
div_arr(Taylor *T, mpfr_ptr *y, mpfr_ptr *p, mpfr_ptr *q)
{
  for (int n = 0; n <= T->K; n++) {
    mpfr_set(T->s[1], p[n], RND);
    for (int k = 1; k <= n; k++) {
      mpfr_mul(T->s[0], q[k], y[n - k], RND);
      mpfr_sub(T->s[1], T->s[1], T->s[0], RND);
    }
    mpfr_div(y[n], T->s[1], q[0], RND);
  }
}

/* y with y' = w a' given y_0 and w as a function of the y's computed so
   far: n y_n = sum_{k=1..n} k a_k w_{n-k}.  upd(T, w, y, m) must fill
   w[m] from y[0..m]. */
typedef void (*WFn)(Taylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx);

static void
ode(Taylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *w, WFn upd, void *ctx)
{
  upd(T, w, y, 0, ctx);
  for (int n = 1; n <= T->K; n++) {
    mpfr_set_zero(T->s[1], 1);
    for (int k = 1; k <= n; k++) {
      mpfr_mul(T->s[0], C(T, a, k), w[n - k], RND);
      mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
      mpfr_add(T->s[1], T->s[1], T->s[0], RND);
    }
    mpfr_div_ui(y[n], T->s[1], (unsigned long)n, RND);
    upd(T, w, y, n, ctx);
  }
}

/* w = y */
static void
w_self(Taylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx)
{
  (void)T; (void)ctx;
  mpfr_set(w[m], y[m], RND);
}

/* w = y + 1 (expm1) */
static void
w_plus1(Taylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx)
{
  (void)T; (void)ctx;
  if (m == 0)
    mpfr_add_ui(w[0], y[0], 1, RND);
  else
    mpfr_set(w[m], y[m], RND);
}

/* w = s (1 + y^2) or s (1 - y^2): tan and tanh, with s = +-1 in ctx */
static void
w_quad(Taylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx)
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

/* w = y (1 - y) (sigmoid) */
static void
w_logistic(Taylor *T, mpfr_ptr *w, mpfr_ptr *y, int m, void *ctx)
{
  (void)ctx;
  mpfr_set(w[m], y[m], RND);
  for (int j = 0; j <= m; j++) {
    mpfr_mul(T->s[2], y[j], y[m - j], RND);
    mpfr_sub(w[m], w[m], T->s[2], RND);
  }
}

/* y with a y' = a' in general form: y' q = a' for a series q with
   q_0 != 0: n q_0 y_n = n a_n - sum_{k=1..n-1} k y_k q_{n-k} */
static void
inv_ode(Taylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *q)
{
  for (int n = 1; n <= T->K; n++) {
    mpfr_mul_ui(T->s[1], C(T, a, n), (unsigned long)n, RND);
    for (int k = 1; k < n; k++) {
      mpfr_mul(T->s[0], y[k], q[n - k], RND);
      mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
      mpfr_sub(T->s[1], T->s[1], T->s[0], RND);
    }
    mpfr_mul_ui(T->s[0], q[0], (unsigned long)n, RND);
    mpfr_div(y[n], T->s[1], T->s[0], RND);
  }
}

/* y = sqrt(p) with p_0 > 0 */
static void
sqrt_arr(Taylor *T, mpfr_ptr *y, mpfr_ptr *p)
{
  mpfr_sqrt(y[0], p[0], RND);
  for (int n = 1; n <= T->K; n++) {
    mpfr_set(T->s[1], p[n], RND);
    for (int k = 1; k < n; k++) {
      mpfr_mul(T->s[0], y[k], y[n - k], RND);
      mpfr_sub(T->s[1], T->s[1], T->s[0], RND);
    }
    mpfr_mul_2ui(T->s[0], y[0], 1, RND);
    mpfr_div(y[n], T->s[1], T->s[0], RND);
  }
}

/* y = a^r for a constant exponent r and a_0 != 0:
   n a_0 y_n = sum_{k=1..n} (r k - (n - k)) a_k y_{n-k} */
static void
pow_const(Taylor *T, mpfr_ptr *y, int32_t a, mpfr_srcptr r)
{
  for (int n = 1; n <= T->K; n++) {
    mpfr_set_zero(T->s[1], 1);
    for (int k = 1; k <= n; k++) {
      mpfr_mul_ui(T->s[2], r, (unsigned long)k, RND);
      mpfr_sub_ui(T->s[2], T->s[2], (unsigned long)(n - k), RND);
      mpfr_mul(T->s[0], C(T, a, k), y[n - k], RND);
      mpfr_mul(T->s[0], T->s[0], T->s[2], RND);
      mpfr_add(T->s[1], T->s[1], T->s[0], RND);
    }
    mpfr_mul_ui(T->s[0], C(T, a, 0), (unsigned long)n, RND);
    mpfr_div(y[n], T->s[1], T->s[0], RND);
  }
}

/* the series of node i as an explicit array (constants are expanded) */
static mpfr_ptr *
arr(Taylor *T, int32_t i)
{
  if (i >= T->lo && T->ser[i - T->lo] != NULL)
    return T->ser[i - T->lo];
  mpfr_ptr *v = series(T);
  if (v == NULL)
    return NULL;
  for (int j = 0; j <= T->K; j++)
    mpfr_set(v[j], C(T, i, j), RND);
  return v;
}

/* derivative series: d_k = (k+1) a_{k+1} */
static void
deriv_arr(Taylor *T, mpfr_ptr *d, int32_t a)
{
  for (int k = 0; k < T->K; k++)
    mpfr_mul_ui(d[k], C(T, a, k + 1), (unsigned long)(k + 1), RND);
  mpfr_set_zero(d[T->K], 1);
}

/* integrate: y_n = d_{n-1} / n for n >= 1 (y_0 set by the caller) */
static void
integ_arr(Taylor *T, mpfr_ptr *y, mpfr_ptr *d)
{
  for (int n = 1; n <= T->K; n++)
    mpfr_div_ui(y[n], d[n - 1], (unsigned long)n, RND);
}

/* ---- the rule of one node -------------------------------------------------- */

/* A point where the derivatives do not exist as numbers (1/x at 0, x^0.5
   at 0, an overflowed value): coefficients 1..K are NaN, so the NaN
   policy reports them, pointing at this node, unless a where() leaves
   this branch aside. */
static int
singular(Taylor *T, mpfr_ptr *y)
{
  for (int j = 1; j <= T->K; j++)
    mpfr_set_nan(y[j]);
  return 0;
}

/* Fills y with node i's series.  Returns 0, or -1 when the rule does not
   exist at this point or order (T->fail_order says which order). */
static int
rule(Taylor *T, int32_t i, mpfr_ptr *y)
{
  const GtNode *n = &T->t->nodes[i];
  int32_t a = n->a, b = n->b, c = n->c;
  int K = T->K;
  GtOp op = (GtOp)n->op;
  mpfr_ptr *w, *p, *q;

  /* y_0: the forward rule at the sweep's precision */
  if (gt_ops[op].fwd != NULL && op != GT_OP_CONST && op != GT_OP_INPUT)
    gt_ops[op].fwd(y[0], a >= 0 ? C(T, a, 0) : NULL,
                   b >= 0 ? C(T, b, 0) : NULL, c >= 0 ? C(T, c, 0) : NULL);
  for (int j = 1; j <= K; j++)
    mpfr_set_zero(y[j], 1);

  switch (op) {
  case GT_OP_CONST:
  case GT_OP_INPUT:
    mpfr_set(y[0], n->v, RND);
    return 0;
  case GT_OP_NEG:
    for (int j = 1; j <= K; j++)
      mpfr_neg(y[j], C(T, a, j), RND);
    return 0;
  case GT_OP_ADD:
  case GT_OP_SUB:
    for (int j = 1; j <= K; j++)
      (op == GT_OP_ADD ? mpfr_add : mpfr_sub)(y[j], C(T, a, j), C(T, b, j),
                                              RND);
    return 0;
  case GT_OP_MUL:
    conv(T, y, a, b);
    return 0;
  case GT_OP_DIV:
    if (mpfr_zero_p(C(T, b, 0)))
      return singular(T, y);
    if (!(p = arr(T, a)) || !(q = arr(T, b)))
      return -2;
    div_arr(T, y, p, q);
    return 0;
  case GT_OP_MOD: {
    /* a - q b with q = floor(a/b) locally constant */
    mpfr_sub(T->s[3], C(T, a, 0), y[0], RND);
    mpfr_div(T->s[3], T->s[3], C(T, b, 0), RND);
    mpfr_round(T->s[3], T->s[3]);
    for (int j = 1; j <= K; j++) {
      mpfr_mul(T->s[0], T->s[3], C(T, b, j), RND);
      mpfr_sub(y[j], C(T, a, j), T->s[0], RND);
    }
    return 0;
  }
  case GT_OP_POW:
    if (b < T->lo || T->ser[b - T->lo] == NULL) {
      /* constant exponent r */
      mpfr_srcptr r = C(T, b, 0);
      if (!mpfr_zero_p(C(T, a, 0))) {
        pow_const(T, y, a, r);
        return 0;
      }
      /* a_0 = 0: a nonnegative integer power by repeated products */
      if (mpfr_integer_p(r) && mpfr_sgn(r) >= 0
          && mpfr_cmp_ui(r, 1000000) <= 0) {
        unsigned long e = mpfr_get_ui(r, RND);
        if (!(p = arr(T, a)) || !(q = series(T)) || !(w = series(T)))
          return -2;
        for (int j = 0; j <= K; j++)
          mpfr_set_ui(q[j], j == 0, RND); /* q = 1 */
        while (e) {
          if (e & 1) {
            conv_arr(T, w, q, p);
            for (int j = 0; j <= K; j++)
              mpfr_set(q[j], w[j], RND);
          }
          e >>= 1;
          if (e) {
            conv_arr(T, w, p, p);
            for (int j = 0; j <= K; j++)
              mpfr_set(p[j], w[j], RND);
          }
        }
        for (int j = 0; j <= K; j++)
          mpfr_set(y[j], q[j], RND);
        return 0;
      }
      /* a_0 = 0 with a negative or non-integer power: no Taylor series
         (x^0.5, x^-1 at 0) */
      return singular(T, y);
    }
    /* a variable exponent on a constant base 0: 0^b is 0 all around
       b > 0; at b <= 0 it jumps (gradtool(5), "pow at base 0") */
    if (mpfr_zero_p(C(T, a, 0)) && (a < T->lo || T->ser[a - T->lo] == NULL)
        && mpfr_sgn(C(T, b, 0)) > 0)
      return 0;
    /* a^b = exp(b log a) for a_0 > 0; a_0 < 0 is NaN at non-integer b
       nearby, and a_0 = 0 has log terms (x^x) */
    if (mpfr_sgn(C(T, a, 0)) <= 0)
      return singular(T, y);
    if (!(p = series(T)) || !(q = series(T)) || !(w = series(T)))
      return -2;
    mpfr_log(p[0], C(T, a, 0), RND);
    {
      mpfr_ptr *av = arr(T, a);
      if (av == NULL)
        return -2;
      inv_ode(T, p, a, av);     /* p = log a */
    }
    {
      mpfr_ptr *bv = arr(T, b);
      if (bv == NULL)
        return -2;
      conv_arr(T, q, bv, p);    /* q = b log a */
    }
    /* y = exp(q): n y_n = sum k q_k y_{n-k} */
    for (int m = 1; m <= K; m++) {
      mpfr_set_zero(T->s[1], 1);
      for (int k = 1; k <= m; k++) {
        mpfr_mul(T->s[0], q[k], y[m - k], RND);
        mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
        mpfr_add(T->s[1], T->s[1], T->s[0], RND);
      }
      mpfr_div_ui(y[m], T->s[1], (unsigned long)m, RND);
    }
    return 0;
  case GT_OP_ABS:
  case GT_OP_RELU: {
    int s = mpfr_sgn(C(T, a, 0));
    if (op == GT_OP_RELU && s < 0)
      s = 0;
    for (int j = 1; j <= K; j++) {
      if (s > 0)
        mpfr_set(y[j], C(T, a, j), RND);
      else if (s < 0)
        mpfr_neg(y[j], C(T, a, j), RND);
    }
    return 0;
  }
  case GT_OP_SQRT:
    if (mpfr_sgn(C(T, a, 0)) <= 0)
      return singular(T, y);
    if (!(p = arr(T, a)))
      return -2;
    sqrt_arr(T, y, p);
    return 0;
  case GT_OP_CBRT:
    if (mpfr_zero_p(C(T, a, 0)))
      return singular(T, y);
    mpfr_set_ui(T->s[4], 1, RND);
    mpfr_div_ui(T->s[4], T->s[4], 3, RND);
    pow_const(T, y, a, T->s[4]);
    return 0;
  case GT_OP_EXP:
    if (!(w = series(T)))
      return -2;
    ode(T, y, a, w, w_self, NULL);
    return 0;
  case GT_OP_EXP2:
  case GT_OP_EXPM1:
    if (!(w = series(T)))
      return -2;
    if (op == GT_OP_EXPM1) {
      ode(T, y, a, w, w_plus1, NULL);
      return 0;
    }
    /* 2^a: y' = y ln2 a' */
    mpfr_const_log2(T->s[4], RND);
    for (int m = 0; m <= K; m++) {
      if (m > 0) {
        mpfr_set_zero(T->s[1], 1);
        for (int k = 1; k <= m; k++) {
          mpfr_mul(T->s[0], C(T, a, k), y[m - k], RND);
          mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
          mpfr_add(T->s[1], T->s[1], T->s[0], RND);
        }
        mpfr_mul(T->s[1], T->s[1], T->s[4], RND);
        mpfr_div_ui(y[m], T->s[1], (unsigned long)m, RND);
      }
    }
    return 0;
  case GT_OP_LOG:
  case GT_OP_LOG2:
  case GT_OP_LOG10:
  case GT_OP_LOG1P: {
    if (!(q = arr(T, a)))
      return -2;
    if (op == GT_OP_LOG1P)
      mpfr_add_ui(q[0], q[0], 1, RND);
    if (mpfr_sgn(q[0]) <= 0)
      return singular(T, y);
    inv_ode(T, y, a, q);
    if (op == GT_OP_LOG2 || op == GT_OP_LOG10) {
      mpfr_set_ui(T->s[4], op == GT_OP_LOG2 ? 2 : 10, RND);
      mpfr_log(T->s[4], T->s[4], RND);
      for (int j = 1; j <= K; j++)
        mpfr_div(y[j], y[j], T->s[4], RND);
    }
    return 0;
  }
  case GT_OP_SIN:
  case GT_OP_COS:
  case GT_OP_SINH:
  case GT_OP_COSH: {
    /* the pair s' = c a', c' = -+ s a' */
    int hyp = op == GT_OP_SINH || op == GT_OP_COSH;
    mpfr_ptr *s = series(T), *co = series(T);
    if (!s || !co)
      return -2;
    if (hyp) {
      mpfr_sinh(s[0], C(T, a, 0), RND);
      mpfr_cosh(co[0], C(T, a, 0), RND);
    } else {
      mpfr_sin(s[0], C(T, a, 0), RND);
      mpfr_cos(co[0], C(T, a, 0), RND);
    }
    for (int m = 1; m <= K; m++) {
      mpfr_set_zero(T->s[1], 1);
      mpfr_set_zero(T->s[2], 1);
      for (int k = 1; k <= m; k++) {
        mpfr_mul(T->s[0], C(T, a, k), co[m - k], RND);
        mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
        mpfr_add(T->s[1], T->s[1], T->s[0], RND);
        mpfr_mul(T->s[0], C(T, a, k), s[m - k], RND);
        mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
        mpfr_add(T->s[2], T->s[2], T->s[0], RND);
      }
      mpfr_div_ui(s[m], T->s[1], (unsigned long)m, RND);
      mpfr_div_ui(co[m], T->s[2], (unsigned long)m, RND);
      if (!hyp)
        mpfr_neg(co[m], co[m], RND);
    }
    mpfr_ptr *src = (op == GT_OP_SIN || op == GT_OP_SINH) ? s : co;
    for (int j = 1; j <= K; j++)
      mpfr_set(y[j], src[j], RND);
    return 0;
  }
  case GT_OP_TAN:
  case GT_OP_TANH: {
    int sign = op == GT_OP_TAN ? 1 : -1;
    if (!(w = series(T)))
      return -2;
    ode(T, y, a, w, w_quad, &sign);
    return 0;
  }
  case GT_OP_SIGMOID:
    if (!(w = series(T)))
      return -2;
    ode(T, y, a, w, w_logistic, NULL);
    return 0;
  case GT_OP_SOFTPLUS: {
    /* y' = sigmoid(a) a' */
    mpfr_ptr *s = series(T), *w2 = series(T), *d = series(T);
    if (!s || !w2 || !d)
      return -2;
    gt_ops[GT_OP_SIGMOID].fwd(s[0], C(T, a, 0), NULL, NULL);
    ode(T, s, a, w2, w_logistic, NULL);
    /* y_n = (1/n) sum_{k=1..n} k a_k s_{n-k} */
    for (int m = 1; m <= K; m++) {
      mpfr_set_zero(T->s[1], 1);
      for (int k = 1; k <= m; k++) {
        mpfr_mul(T->s[0], C(T, a, k), s[m - k], RND);
        mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
        mpfr_add(T->s[1], T->s[1], T->s[0], RND);
      }
      mpfr_div_ui(y[m], T->s[1], (unsigned long)m, RND);
    }
    (void)d;
    return 0;
  }
  case GT_OP_ASIN:
  case GT_OP_ACOS:
  case GT_OP_ATAN:
  case GT_OP_ASINH:
  case GT_OP_ACOSH:
  case GT_OP_ATANH: {
    /* y' q = a' with q = sqrt(1 - a^2), 1 + a^2, sqrt(a^2 + 1),
       sqrt(a^2 - 1) or 1 - a^2 */
    mpfr_ptr *sq = series(T);
    if (!(q = series(T)) || !sq)
      return -2;
    conv(T, sq, a, a);
    int neg = op == GT_OP_ASIN || op == GT_OP_ACOS || op == GT_OP_ATANH;
    for (int j = 0; j <= K; j++)
      if (neg)
        mpfr_neg(sq[j], sq[j], RND);
    if (op == GT_OP_ACOSH)
      mpfr_sub_ui(sq[0], sq[0], 1, RND);
    else
      mpfr_add_ui(sq[0], sq[0], 1, RND);
    if (mpfr_sgn(sq[0]) <= 0 && op != GT_OP_ATAN)
      return singular(T, y);
    if (op == GT_OP_ATAN || op == GT_OP_ATANH)
      for (int j = 0; j <= K; j++)
        mpfr_set(q[j], sq[j], RND);
    else
      sqrt_arr(T, q, sq);
    inv_ode(T, y, a, q);
    if (op == GT_OP_ACOS)
      for (int j = 1; j <= K; j++)
        mpfr_neg(y[j], y[j], RND);
    return 0;
  }
  case GT_OP_ATAN2: {
    /* y' (a^2 + b^2) = b a' - a b' */
    mpfr_ptr *d = series(T), *t1 = series(T), *t2 = series(T), *da = series(T),
             *db = series(T), *bv = arr(T, b), *av = arr(T, a), *yp = series(T);
    if (!d || !t1 || !t2 || !da || !db || !bv || !av || !yp)
      return -2;
    conv(T, t1, a, a);
    conv(T, t2, b, b);
    for (int j = 0; j <= K; j++)
      mpfr_add(d[j], t1[j], t2[j], RND);
    if (mpfr_zero_p(d[0]))
      return singular(T, y);
    deriv_arr(T, da, a);
    deriv_arr(T, db, b);
    conv_arr(T, t1, bv, da);
    conv_arr(T, t2, av, db);
    for (int j = 0; j <= K; j++)
      mpfr_sub(t1[j], t1[j], t2[j], RND);
    div_arr(T, yp, t1, d);
    integ_arr(T, y, yp);
    return 0;
  }
  case GT_OP_HYPOT: {
    mpfr_ptr *t1 = series(T), *t2 = series(T);
    if (!t1 || !t2)
      return -2;
    conv(T, t1, a, a);
    conv(T, t2, b, b);
    for (int j = 0; j <= K; j++)
      mpfr_add(t1[j], t1[j], t2[j], RND);
    if (mpfr_zero_p(t1[0]))
      return 0; /* the kink convention: derivative 0 */
    sqrt_arr(T, t2, t1);
    for (int j = 1; j <= K; j++)
      mpfr_set(y[j], t2[j], RND);
    return 0;
  }
  case GT_OP_ERF:
  case GT_OP_ERFC: {
    /* y' = 2/sqrt(pi) exp(-a^2) a' */
    mpfr_ptr *sq = series(T), *e = series(T);
    if (!sq || !e)
      return -2;
    conv(T, sq, a, a);
    for (int j = 0; j <= K; j++)
      mpfr_neg(sq[j], sq[j], RND);
    mpfr_exp(e[0], sq[0], RND);
    for (int m = 1; m <= K; m++) {
      mpfr_set_zero(T->s[1], 1);
      for (int k = 1; k <= m; k++) {
        mpfr_mul(T->s[0], sq[k], e[m - k], RND);
        mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
        mpfr_add(T->s[1], T->s[1], T->s[0], RND);
      }
      mpfr_div_ui(e[m], T->s[1], (unsigned long)m, RND);
    }
    mpfr_const_pi(T->s[4], RND);
    mpfr_rec_sqrt(T->s[4], T->s[4], RND);
    mpfr_mul_2ui(T->s[4], T->s[4], 1, RND);
    if (op == GT_OP_ERFC)
      mpfr_neg(T->s[4], T->s[4], RND);
    for (int m = 1; m <= K; m++) {
      mpfr_set_zero(T->s[1], 1);
      for (int k = 1; k <= m; k++) {
        mpfr_mul(T->s[0], C(T, a, k), e[m - k], RND);
        mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
        mpfr_add(T->s[1], T->s[1], T->s[0], RND);
      }
      mpfr_mul(T->s[1], T->s[1], T->s[4], RND);
      mpfr_div_ui(y[m], T->s[1], (unsigned long)m, RND);
    }
    return 0;
  }
  case GT_OP_GAMMA:
  case GT_OP_LGAMMA:
  case GT_OP_DIGAMMA:
  case GT_OP_TRIGAMMA: {
    /* By composition with the derivatives of f at a_0, which exist here
       up to polygamma of order 1 (trigamma): lgamma to order 2, digamma
       to order 1, gamma to order 2; trigamma to order 0. */
    int have = op == GT_OP_TRIGAMMA ? 0 : op == GT_OP_DIGAMMA ? 1 : 2;
    if (K > have) {
      T->fail_order = have + 1;
      return -1;
    }
    mpfr_srcptr a0 = C(T, a, 0);
    mpfr_ptr d1 = T->s[3], d2 = T->s[4];
    if (op == GT_OP_DIGAMMA) {
      gt_special_trigamma(d1, a0, RND);
      mpfr_set_zero(d2, 1);
    } else {
      mpfr_digamma(d1, a0, RND);
      gt_special_trigamma(d2, a0, RND);
      if (op == GT_OP_GAMMA) {
        /* Gamma' = Gamma psi, Gamma'' = Gamma (psi^2 + psi1) */
        mpfr_sqr(T->s[5], d1, RND);
        mpfr_add(d2, d2, T->s[5], RND);
        mpfr_mul(d2, d2, y[0], RND);
        mpfr_mul(d1, d1, y[0], RND);
      }
    }
    /* y_1 = f' a_1, y_2 = f' a_2 + f''/2 a_1^2 */
    if (K >= 1)
      mpfr_mul(y[1], d1, C(T, a, 1), RND);
    if (K >= 2) {
      mpfr_mul(y[2], d1, C(T, a, 2), RND);
      mpfr_sqr(T->s[0], C(T, a, 1), RND);
      mpfr_mul(T->s[0], T->s[0], d2, RND);
      mpfr_div_2ui(T->s[0], T->s[0], 1, RND);
      mpfr_add(y[2], y[2], T->s[0], RND);
    }
    return 0;
  }
  case GT_OP_TAYLOR: {
    /* g = d^k a / dx^k taken in x itself: its series is a's shifted,
       g_n = a^(n+k) / n!, from one deeper sweep of a */
    if (b != T->lo)
      break;
    int k = n->aux;
    mpfr_ptr *d = gt_arena_alloc(&T->hold.vals,
                                 (size_t)(K + k + 1) * sizeof *d);
    if (d == NULL)
      return -2;
    for (int j = 0; j <= K + k; j++)
      if ((d[j] = num(T)) == NULL)
        return -2;
    int32_t fn;
    int fo;
    int rc = gt_taylor(T->t, b, a, K + k, d, &fn, &fo);
    if (rc != 0) {
      T->fail_order = fo ? fo : 1;
      return rc == -2 ? -2 : -1;
    }
    mpfr_set_ui(T->s[4], 1, RND);
    for (int j = 0; j <= K; j++) {
      if (j > 0)
        mpfr_mul_ui(T->s[4], T->s[4], (unsigned long)j, RND);
      mpfr_div(y[j], d[j + k], T->s[4], RND);
    }
    return 0;
  }
  case GT_OP_MIN:
  case GT_OP_MAX: {
    int cmp = mpfr_cmp(C(T, a, 0), C(T, b, 0));
    if (op == GT_OP_MIN)
      cmp = -cmp;
    for (int j = 1; j <= K; j++) {
      if (cmp > 0)
        mpfr_set(y[j], C(T, a, j), RND);
      else if (cmp < 0)
        mpfr_set(y[j], C(T, b, j), RND);
      else {
        mpfr_add(y[j], C(T, a, j), C(T, b, j), RND);
        mpfr_div_2ui(y[j], y[j], 1, RND);
      }
    }
    return 0;
  }
  case GT_OP_WHERE: {
    int32_t s = mpfr_zero_p(C(T, a, 0)) ? c : b;
    for (int j = 0; j <= K; j++)
      mpfr_set(y[j], C(T, s, j), RND);
    return 0;
  }
  default:
    /* comparisons, not, sign, floor, ceil, round, trunc, stop_gradient:
       locally constant */
    if (!gt_ops[op].smooth)
      return 0;
    break;
  }
  T->fail_order = 1;
  return -1;
}

/* ---- entry ---------------------------------------------------------------- */

static int
has_nan(mpfr_ptr *s, int K)
{
  for (int j = 0; s != NULL && j <= K; j++)
    if (mpfr_nan_p(s[j]))
      return 1;
  return 0;
}

/* The node whose rule first made a NaN that reaches node i: back along
   operands with a NaN in their series (where(): the selected one only). */
static int32_t
nan_origin(const Taylor *T, int32_t i)
{
  for (;;) {
    const GtNode *n = &T->t->nodes[i];
    int32_t buf[3], next = -1;
    const int32_t *ops;
    size_t nops = gt_node_operands(T->t, i, buf, &ops);
    if (n->op == GT_OP_WHERE) {
      buf[0] = mpfr_zero_p(C(T, n->a, 0)) ? n->c : n->b;
      ops = buf;
      nops = 1;
    }
    for (size_t k = 0; k < nops && next < 0; k++) {
      if (ops[k] < T->lo || T->ser[ops[k] - T->lo] == NULL)
        continue;
      if (has_nan(T->ser[ops[k] - T->lo], T->K))
        next = ops[k];
    }
    if (next < 0)
      return i;
    i = next;
  }
}

int
gt_taylor(const GtTape *t, int32_t x, int32_t y, int K, mpfr_ptr *out,
          int32_t *fail_node, int *fail_order)
{
  *fail_node = -1;
  *fail_order = 0;
  for (int j = 0; j <= K; j++)
    mpfr_set_zero(out[j], 1);
  if (y < x) {
    mpfr_set(out[0], t->nodes[y].v, RND);
    return 0;
  }
  Taylor T = { .t = t, .K = K, .lo = x, .fail = -1 };
  /* guard bits: the recurrences lose a few bits per order */
  T.hold.prec = t->prec + 32 + 2 * (mpfr_prec_t)K;
  size_t span = (size_t)(y - x) + 1;
  T.ser = calloc(span, sizeof *T.ser);
  int status = 0;
  if (T.ser == NULL || (T.zero = num(&T)) == NULL)
    status = -2;
  for (int k = 0; k < 6 && status == 0; k++)
    if ((T.s[k] = num(&T)) == NULL)
      status = -2;
  /* only the nodes y uses */
  unsigned char *used = status == 0 ? gt_tape_uses(t, x, y) : NULL;
  if (status == 0 && used == NULL)
    status = -2;
  for (int32_t i = x; i <= y && status == 0; i++) {
    const GtNode *n = &t->nodes[i];
    if (!used[i - x])
      continue;
    int dep = i == x;
    int32_t buf[3];
    const int32_t *ops;
    size_t nops = gt_node_operands(t, i, buf, &ops);
    for (size_t k = 0; k < nops && !dep; k++)
      dep = ops[k] >= x && T.ser[ops[k] - x] != NULL;
    if (!dep)
      continue;
    if (n->shape != 0 || gt_is_tensor_op((GtOp)n->op)) {
      /* Taylor mode runs on scalars only */
      *fail_node = i;
      *fail_order = 0;
      status = -3;
      break;
    }
    mpfr_ptr *s = series(&T);
    if (s == NULL) {
      status = -2;
      break;
    }
    if (i == x) {
      mpfr_set(s[0], n->v, RND);
      for (int j = 1; j <= K; j++)
        mpfr_set_ui(s[j], j == 1, RND);
    } else {
      int rc = rule(&T, i, s);
      if (rc != 0) {
        status = rc;
        if (rc == -1) {
          *fail_node = i;
          *fail_order = T.fail_order;
        }
        break;
      }
      /* a value that overflowed or underflowed: its derivatives, taken
         from the rounded value, would be wrong */
      if (!mpfr_regular_p(n->v) && gt_tape_range_fault(t, i, 0))
        singular(&T, s);
    }
    T.ser[i - x] = s;
  }
  if (status == 0 && has_nan(T.ser[y - x] ? T.ser[y - x] : NULL, K))
    *fail_node = nan_origin(&T, y);
  if (status == 0) {
    /* derivatives: n! y_n, rounded once to the caller's precision */
    mpfr_ptr f = T.s[5];
    mpfr_set_ui(f, 1, RND);
    for (int j = 0; j <= K; j++) {
      if (j > 0)
        mpfr_mul_ui(f, f, (unsigned long)j, RND);
      mpfr_mul(T.s[4], C(&T, y, j), f, RND);
      mpfr_set(out[j], T.s[4], RND);
    }
  }
  gt_arena_free(&T.hold.vals);
  free(T.ser);
  free(used);
  return status;
}
