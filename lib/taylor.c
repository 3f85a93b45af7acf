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
 * This file holds the sweep (gt_taylor) and that series arithmetic, which
 * internal.h exports as gt_taylor_*; each op's own rule is in ops.c (or
 * absent, by its flags: tensor ops), named by GtOpInfo.taylor.
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

mpfr_ptr
gt_taylor_num(GtTaylor *T)
{
  return gt_tape_number(&T->hold);
}

#define C(T, i, j) gt_taylor_coef(T, i, j)

mpfr_ptr *
gt_taylor_series(GtTaylor *T)
{
  mpfr_ptr *v = gt_arena_alloc(&T->hold.vals, (size_t)(T->K + 1) * sizeof *v);
  if (v == NULL)
    return NULL;
  for (int j = 0; j <= T->K; j++)
    if ((v[j] = gt_taylor_num(T)) == NULL)
      return NULL;
  return v;
}

/* ---- building blocks for the ops' rules (ops.c), each O(K^2) ----------- */

void
gt_taylor_conv(GtTaylor *T, mpfr_ptr *y, int32_t a, int32_t b)
{
  for (int n = 0; n <= T->K; n++) {
    mpfr_set_zero(y[n], 1);
    for (int k = 0; k <= n; k++) {
      mpfr_mul(T->s[0], C(T, a, k), C(T, b, n - k), RND);
      mpfr_add(y[n], y[n], T->s[0], RND);
    }
  }
}

void
gt_taylor_conv_arr(GtTaylor *T, mpfr_ptr *y, mpfr_ptr *p, mpfr_ptr *q)
{
  for (int n = 0; n <= T->K; n++) {
    mpfr_set_zero(y[n], 1);
    for (int k = 0; k <= n; k++) {
      mpfr_mul(T->s[0], p[k], q[n - k], RND);
      mpfr_add(y[n], y[n], T->s[0], RND);
    }
  }
}

void
gt_taylor_div_arr(GtTaylor *T, mpfr_ptr *y, mpfr_ptr *p, mpfr_ptr *q)
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

void
gt_taylor_ksum(GtTaylor *T, mpfr_ptr acc, int32_t a, mpfr_ptr *p,
               mpfr_ptr *w, int n)
{
  mpfr_set_zero(acc, 1);
  for (int k = 1; k <= n; k++) {
    mpfr_mul(T->s[0], p ? p[k] : C(T, a, k), w[n - k], RND);
    mpfr_mul_ui(T->s[0], T->s[0], (unsigned long)k, RND);
    mpfr_add(acc, acc, T->s[0], RND);
  }
}

void
gt_taylor_rec(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *p, mpfr_ptr *w,
              mpfr_srcptr c)
{
  for (int n = 1; n <= T->K; n++) {
    gt_taylor_ksum(T, T->s[1], a, p, w, n);
    if (c != NULL)
      mpfr_mul(T->s[1], T->s[1], c, RND);
    mpfr_div_ui(y[n], T->s[1], (unsigned long)n, RND);
  }
}

void
gt_taylor_ode(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *w,
              GtTaylorW upd, void *ctx)
{
  upd(T, w, y, 0, ctx);
  for (int n = 1; n <= T->K; n++) {
    gt_taylor_ksum(T, T->s[1], a, NULL, w, n);
    mpfr_div_ui(y[n], T->s[1], (unsigned long)n, RND);
    upd(T, w, y, n, ctx);
  }
}

void
gt_taylor_inv_ode(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *q)
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

void
gt_taylor_sqrt_arr(GtTaylor *T, mpfr_ptr *y, mpfr_ptr *p)
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

void
gt_taylor_pow_const(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_srcptr r)
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

mpfr_ptr *
gt_taylor_arr(GtTaylor *T, int32_t i)
{
  if (gt_taylor_varies(T, i))
    return T->ser[i - T->lo];
  return gt_taylor_copy(T, i);
}

mpfr_ptr *
gt_taylor_copy(GtTaylor *T, int32_t i)
{
  mpfr_ptr *v = gt_taylor_series(T);
  if (v == NULL)
    return NULL;
  for (int j = 0; j <= T->K; j++)
    mpfr_set(v[j], C(T, i, j), RND);
  return v;
}

void
gt_taylor_deriv_arr(GtTaylor *T, mpfr_ptr *d, int32_t a)
{
  for (int k = 0; k < T->K; k++)
    mpfr_mul_ui(d[k], C(T, a, k + 1), (unsigned long)(k + 1), RND);
  mpfr_set_zero(d[T->K], 1);
}

void
gt_taylor_integ_arr(GtTaylor *T, mpfr_ptr *y, mpfr_ptr *d)
{
  for (int n = 1; n <= T->K; n++)
    mpfr_div_ui(y[n], d[n - 1], (unsigned long)n, RND);
}

GtTaylorStatus
gt_taylor_singular(GtTaylor *T, mpfr_ptr *y)
{
  for (int j = 1; j <= T->K; j++)
    mpfr_set_nan(y[j]);
  return GT_TAYLOR_OK;
}

/* Fills y with node i's series: y_0 by the forward rule at the sweep's
   precision, the rest by the op's Taylor rule (ops.c).  Returns
   GT_TAYLOR_OK, or GT_TAYLOR_NORULE when the rule does not exist at this
   point or order (T->fail_order says which order). */
static GtTaylorStatus
rule(GtTaylor *T, int32_t i, mpfr_ptr *y)
{
  const GtNode *n = &T->t->nodes[i];
  int32_t a = n->a, b = n->b, c = n->c;
  const GtOpInfo *info = &gt_ops[n->op];
  if (info->fwd != NULL)
    info->fwd(y[0], a >= 0 ? C(T, a, 0) : NULL, b >= 0 ? C(T, b, 0) : NULL,
              c >= 0 ? C(T, c, 0) : NULL);
  for (int j = 1; j <= T->K; j++)
    mpfr_set_zero(y[j], 1);
  if (info->taylor == NULL) {
    T->fail_order = 1;
    return GT_TAYLOR_NORULE;
  }
  return info->taylor(T, i, y);
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
nan_origin(const GtTaylor *T, int32_t i)
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

/* The seed of a sweep: node x[k] moves as x[k] + d[k] t (a name given
   twice, or bound to the same node twice, moves by the sum). */
typedef struct Seeds {
  const int32_t *x;
  const long *d;
  size_t n;
} Seeds;

/* Is node i a seed?  Then *dir is its direction.  A seed that does not
   move (direction 0) is still swept, so that the values that depend on it
   are recomputed at the sweep's precision like the others. */
static int
seeded(const Seeds *sd, int32_t i, long *dir)
{
  int hit = 0;
  *dir = 0;
  for (size_t k = 0; k < sd->n; k++)
    if (sd->x[k] == i) {
      *dir += sd->d[k];
      hit = 1;
    }
  return hit;
}

/* The sweep over the nodes lo..y that y uses, each node that depends on a
   seed getting its series in T->ser. */
static GtTaylorStatus
sweep_nodes(GtTaylor *T, const Seeds *sd, int32_t y,
            const unsigned char *used, int32_t *fail_node, int *fail_order)
{
  const GtTape *t = T->t;
  int32_t x = T->lo;
  int K = T->K;
  /* grad(y, x, k) has a Taylor rule in its own x alone, moving by 1 */
  int one = sd->n == 1 && sd->d[0] == 1;
  for (int32_t i = x; i <= y; i++) {
    const GtNode *n = &t->nodes[i];
    if (!used[i - x])
      continue;
    long dir;
    int seed = seeded(sd, i, &dir);
    int dep = seed;
    int32_t buf[3];
    const int32_t *ops;
    size_t nops = gt_node_operands(t, i, buf, &ops);
    for (size_t k = 0; k < nops && !dep; k++)
      dep = ops[k] >= x && T->ser[ops[k] - x] != NULL;
    if (!dep)
      continue;
    if (n->shape != 0 || gt_is_tensor_op((GtOp)n->op)) {
      /* Taylor mode runs on scalars only */
      *fail_node = i;
      *fail_order = 0;
      return GT_TAYLOR_TENSOR;
    }
    mpfr_ptr *s = gt_taylor_series(T);
    if (s == NULL)
      return GT_TAYLOR_NOMEM;
    if (seed) {
      mpfr_set(s[0], n->v, RND);
      for (int j = 1; j <= K; j++)
        mpfr_set_si(s[j], j == 1 ? dir : 0, RND);
    } else {
      GtTaylorStatus rc = GT_TAYLOR_NORULE;
      T->fail_order = 1;
      if (one || n->op != GT_OP_TAYLOR)
        rc = rule(T, i, s);
      if (rc != GT_TAYLOR_OK) {
        if (rc == GT_TAYLOR_NORULE) {
          *fail_node = i;
          *fail_order = T->fail_order;
        }
        return rc;
      }
      /* a value that overflowed or underflowed: its derivatives, taken
         from the rounded value, would be wrong */
      if (!mpfr_regular_p(n->v) && gt_tape_range_fault(t, i, 0))
        gt_taylor_singular(T, s);
    }
    T->ser[i - x] = s;
  }
  return GT_TAYLOR_OK;
}

/* gt_taylor (coefs == 0), gt_taylor_coefs and gt_taylor_dir (coefs == 1),
   at base + 32 + 2K bits */
static GtTaylorStatus
sweep(const GtTape *t, const Seeds *sd, int32_t y, int K, mpfr_prec_t base,
      mpfr_ptr *out, int32_t *fail_node, int *fail_order, int coefs)
{
  *fail_node = -1;
  *fail_order = 0;
  for (int j = 0; j <= K; j++)
    mpfr_set_zero(out[j], 1);
  int32_t x = -1;
  for (size_t k = 0; k < sd->n; k++)
    if (x < 0 || sd->x[k] < x)
      x = sd->x[k];
  if (x < 0 || y < x) {
    mpfr_set(out[0], t->nodes[y].v, RND);
    return 0;
  }
  GtTaylor T = { .t = t, .K = K, .lo = x };
  /* guard bits: the recurrences lose a few bits per order */
  T.hold.prec = base + 32 + 2 * (mpfr_prec_t)K;
  size_t span = (size_t)(y - x) + 1;
  T.ser = calloc(span, sizeof *T.ser);
  GtTaylorStatus status = GT_TAYLOR_OK;
  if (T.ser == NULL || (T.zero = gt_taylor_num(&T)) == NULL)
    status = GT_TAYLOR_NOMEM;
  for (int k = 0; k < 6 && status == GT_TAYLOR_OK; k++)
    if ((T.s[k] = gt_taylor_num(&T)) == NULL)
      status = GT_TAYLOR_NOMEM;
  /* only the nodes y uses */
  unsigned char *used = status == GT_TAYLOR_OK ? gt_tape_uses(t, x, y) : NULL;
  if (status == GT_TAYLOR_OK && used == NULL)
    status = GT_TAYLOR_NOMEM;
  if (status == GT_TAYLOR_OK)
    status = sweep_nodes(&T, sd, y, used, fail_node, fail_order);
  if (status == GT_TAYLOR_OK && has_nan(T.ser[y - x] ? T.ser[y - x] : NULL, K))
    *fail_node = nan_origin(&T, y);
  if (status == GT_TAYLOR_OK) {
    /* derivatives: n! y_n (coefficients: y_n), rounded once to the
       caller's precision */
    mpfr_ptr f = T.s[5];
    mpfr_set_ui(f, 1, RND);
    for (int j = 0; j <= K; j++) {
      if (j > 0 && !coefs)
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

GtTaylorStatus
gt_taylor(const GtTape *t, int32_t x, int32_t y, int K, mpfr_ptr *out,
          int32_t *fail_node, int *fail_order)
{
  static const long one = 1;
  Seeds sd = { &x, &one, 1 };
  return sweep(t, &sd, y, K, t->prec, out, fail_node, fail_order, 0);
}

GtTaylorStatus
gt_taylor_coefs(const GtTape *t, int32_t x, int32_t y, int K, mpfr_ptr *out,
                int32_t *fail_node, int *fail_order)
{
  static const long one = 1;
  Seeds sd = { &x, &one, 1 };
  return sweep(t, &sd, y, K, t->prec, out, fail_node, fail_order, 1);
}

GtTaylorStatus
gt_taylor_dir(const GtTape *t, const int32_t *x, const long *d, size_t n,
              int32_t y, int K, mpfr_prec_t base, mpfr_ptr *out,
              int32_t *fail_node, int *fail_order)
{
  Seeds sd = { x, d, n };
  return sweep(t, &sd, y, K, base, out, fail_node, fail_order, 1);
}

/* f(a) from the jet of f at a_0: with v = a - a_0 (v_0 = 0),
   f(a) = jet[0] + v (jet[1] + v (jet[2] + ... + v jet[K])), each product
   truncated at order K; since v_0 = 0 a product p v has
   (p v)_n = sum_{k=1..n} v_k p_{n-k}.  K products of O(K^2) each: O(K^3),
   and as exact as the other rules (each coefficient a sum of rounded
   products). */
GtTaylorStatus
gt_taylor_compose(GtTaylor *T, mpfr_ptr *y, int32_t a, mpfr_ptr *jet)
{
  int K = T->K;
  mpfr_ptr *acc = gt_taylor_series(T), *nxt = gt_taylor_series(T);
  if (!acc || !nxt)
    return GT_TAYLOR_NOMEM;
  for (int n = 0; n <= K; n++)
    mpfr_set_zero(acc[n], 1);
  mpfr_set(acc[0], jet[K], RND);
  for (int m = K - 1; m >= 0; m--) {
    mpfr_set(nxt[0], jet[m], RND);
    for (int n = 1; n <= K; n++) {
      mpfr_set_zero(nxt[n], 1);
      for (int k = 1; k <= n; k++) {
        mpfr_mul(T->s[0], gt_taylor_coef(T, a, k), acc[n - k], RND);
        mpfr_add(nxt[n], nxt[n], T->s[0], RND);
      }
    }
    mpfr_ptr *sw = acc;
    acc = nxt;
    nxt = sw;
  }
  for (int n = 1; n <= K; n++)
    mpfr_set(y[n], acc[n], RND);
  return GT_TAYLOR_OK;
}
