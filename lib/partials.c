/* partials.c -- every order-K partial derivative in n scalar names by
 * univariate Taylor propagation and exact interpolation.
 *
 * The method is that of Griewank, Utke and Walther ("Evaluating higher
 * derivative tensors by forward propagation of univariate Taylor
 * series", Math. Comp. 69, 2000).  For each of the N = C(n+K-1, K)
 * integer directions j >= 0 with |j| = K, one Taylor sweep of order K
 * (taylor.c, seeds x + t j) gives c_j, the coefficient of t^K of
 * f(x + t j).  Then, for each multi-index i with |i| = K,
 *
 *   d^i f = sum_{|j| = K} gamma_ij c_j,
 *   gamma_ij = sum_{0 < k <= i} (-1)^(K - |k|) binom(i, k)
 *                               binom(K k / |k|, j) (|k| / K)^K,
 *
 * the binomials of multi-indices being products of (generalised)
 * binomials per name.  Writing binom(K k_l/|k|, j_l) as
 * prod_{t < j_l} (K k_l - t |k|) / (|k|^j_l j_l!) makes every gamma_ij
 * an integer W_ij over the one denominator D = K^K K!:
 *
 *   W_ij = sum_{0 < k <= i} (-1)^(K - |k|) binom(i, k) (K! / j!)
 *                           prod_l prod_{t < j_l} (K k_l - t |k|).
 *
 * The W_ij are computed exactly (GMP integers), each product W_ij c_j is
 * exact in MPFR, their sum is rounded once (mpfr_sum) at a precision well
 * above the working one and the division by D rounds once more to the
 * working precision; exact coefficients (polynomials at exact points)
 * thus give exact partials, 0 included.
 *
 * Cost: N sweeps of O(K^2) MPFR operations per node between the names and
 * the output, plus O(N^2 prod(i_l + 1)) small integer operations for the
 * weights; nested reverse sweeps grow like 3^K instead.  Memory: one sweep's
 * series at a time, O(K) numbers per node.
 *
 * Accuracy.  The sweeps run at the working precision plus G guard bits,
 * G covering the weights' growth (log2 of sum_j |W_ij| / D) and 64 more;
 * each entry is accepted when it stands clear of the rounding noise of
 * its terms (|d^i f| >= 2^(prec + 8) sum_j |W_ij c_j| 2^-(sweep bits - 16
 * - 2K)), else the sweeps are redone with twice the guard bits, twice.
 * A partial that is structurally zero -- no node on the way combines all
 * the names it differentiates by, as in d2/dxdy of sin(x) + exp(y) -- is
 * exactly 0 and not connected, without a sweep.  A partial whose relative
 * size falls with every retry (by at least half the bits added) is the
 * rounding noise of terms that cancel exactly (d3/dx2dy of x y + exp(x),
 * or the 4th derivative of tanh at 0 inside a product): it is 0, a value
 * below 2^-500 of its terms' size being indistinguishable from one.  One
 * in the noise that does not fall so is left to the caller's nested
 * sweeps (GT_PARTIALS_NO), as are tensors, missing rules and NaNs.
 */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define RND MPFR_RNDN

/* ---- multi-indices ----------------------------------------------------- */

/* The multi-indices |i| = K over n names, in the order of their
   nondecreasing K-tuples of name indices, lexicographic (x x y before
   x y y): idx[m * n + l] is how often name l occurs in the m-th.  Returns
   N, or 0 when out of memory (*out NULL). */
static size_t
multi_indices(size_t n, int K, int **out)
{
  size_t N = 1;
  for (size_t k = 1; k <= (size_t)K; k++)
    N = N * (n + k - 1) / k;        /* C(n+K-1, K), exact at each step */
  int *idx = calloc(N * n, sizeof *idx);
  size_t *tup = calloc((size_t)K, sizeof *tup);
  *out = idx;
  if (idx == NULL || tup == NULL) {
    free(idx);
    free(tup);
    *out = NULL;
    return 0;
  }
  for (size_t m = 0; m < N; m++) {
    for (int d = 0; d < K; d++)
      idx[m * n + tup[d]]++;
    /* next nondecreasing tuple: bump the last digit below n-1 and copy it
       rightwards */
    int d = K - 1;
    while (d >= 0 && tup[d] == n - 1)
      d--;
    if (d < 0)
      break;
    tup[d]++;
    for (int e = d + 1; e < K; e++)
      tup[e] = tup[d];
  }
  free(tup);
  return N;
}

/* ---- the weights --------------------------------------------------------- */

/* W[m * N + q] = W_ij for i the m-th multi-index and j the q-th (see the
   header), for all m, q.  mpz_t array of N*N, initialised here. */
static void
weights(size_t n, int K, const int *idx, size_t N, mpz_t *W)
{
  mpz_t term, fk;
  mpz_inits(term, fk, NULL);
  mpz_fac_ui(fk, (unsigned long)K);
  int *k = calloc(n, sizeof *k);
  for (size_t p = 0; p < N * N; p++)
    mpz_init(W[p]);
  for (size_t m = 0; m < N && k != NULL; m++) {
    const int *i = idx + m * n;
    memset(k, 0, n * sizeof *k);
    for (;;) {
      /* next k in the box 0 <= k <= i (odometer), skipping k = 0 */
      size_t l = 0;
      while (l < n && k[l] == i[l])
        k[l++] = 0;
      if (l == n)
        break;
      k[l]++;
      long s = 0;
      for (l = 0; l < n; l++)
        s += k[l];
      for (size_t q = 0; q < N; q++) {
        const int *j = idx + q * n;
        int zero = 0;
        for (l = 0; l < n && !zero; l++)
          zero = j[l] > 0 && k[l] == 0;
        if (zero)
          continue;       /* a factor K k_l - 0 |k| = 0 */
        mpz_set(term, fk);
        for (l = 0; l < n; l++) {
          mpz_t b;
          mpz_init(b);
          mpz_bin_uiui(b, (unsigned long)i[l], (unsigned long)k[l]);
          mpz_mul(term, term, b);
          mpz_fac_ui(b, (unsigned long)j[l]);
          mpz_divexact(term, term, b);  /* K!/j! stays an integer: the
                                           multinomial, divided in turn */
          mpz_clear(b);
          for (long t = 0; t < j[l]; t++)
            mpz_mul_si(term, term, (long)K * k[l] - t * s);
        }
        if ((K - s) % 2)
          mpz_sub(W[m * N + q], W[m * N + q], term);
        else
          mpz_add(W[m * N + q], W[m * N + q], term);
      }
    }
  }
  free(k);
  mpz_clears(term, fk, NULL);
}

/* ---- structural zeros ---------------------------------------------------- */

/* Which sets of names can a node's value have mixed partials in?  Each
   node gets a family of masks (bit l: name l); a partial in the names S
   can be nonzero only if some mask holds all of S.  Sums and negations
   unite their operands' families (f(x) + g(y) has no xy partial), a
   product by a constant keeps its operand's, every other operation merges
   everything into one mask.  Families longer than FAM_MAX are merged too
   (no partial is then claimed zero wrongly, only fewer are found zero). */
#define FAM_MAX 32

typedef struct Fam {
  uint8_t n;
  uint64_t m[FAM_MAX];
} Fam;

static void
fam_add(Fam *f, uint64_t mask)
{
  for (int k = 0; k < f->n; k++)
    if ((f->m[k] | mask) == f->m[k])
      return;           /* already covered */
  if (f->n < FAM_MAX) {
    f->m[f->n++] = mask;
    return;
  }
  for (int k = 1; k < f->n; k++)
    f->m[0] |= f->m[k];
  f->m[0] |= mask;
  f->n = 1;
}

static uint64_t
fam_union(const Fam *f)
{
  uint64_t u = 0;
  for (int k = 0; k < f->n; k++)
    u |= f->m[k];
  return u;
}

/* The family of node i from its operands' (fam[o - lo], or none). */
static void
fam_node(const GtTape *t, int32_t i, int32_t lo, Fam **fam, Fam *out)
{
  const GtNode *nd = &t->nodes[i];
  int32_t buf[3];
  const int32_t *ops;
  size_t nops = gt_node_operands(t, i, buf, &ops);
  const Fam *of[3] = { NULL, NULL, NULL };
  int nvar = 0;
  out->n = 0;
  if (!gt_ops[nd->op].smooth)
    return;
  for (size_t k = 0; k < nops && k < 3; k++)
    if (ops[k] >= lo && fam[ops[k] - lo] != NULL) {
      of[k] = fam[ops[k] - lo];
      nvar++;
    }
  int linear = nd->op == GT_OP_ADD || nd->op == GT_OP_SUB
               || nd->op == GT_OP_NEG
               || (nd->op == GT_OP_MUL && nvar == 1)
               || (nd->op == GT_OP_DIV && of[1] == NULL);
  for (size_t k = 0; k < 3; k++) {
    if (of[k] == NULL)
      continue;
    if (linear)
      for (int q = 0; q < of[k]->n; q++)
        fam_add(out, of[k]->m[q]);
    else {
      uint64_t u = out->n ? out->m[0] : 0;
      out->n = 1;
      out->m[0] = u | fam_union(of[k]);
    }
  }
}

/* The family of node y (NULL when out of memory). */
static Fam *
family(const GtTape *t, int32_t y, const int32_t *x, size_t n)
{
  int32_t lo = y;
  for (size_t l = 0; l < n; l++)
    if (x[l] < lo)
      lo = x[l];
  size_t span = (size_t)(y - lo) + 1;
  Fam **fam = calloc(span, sizeof *fam);
  Fam *store = malloc(span * sizeof *store);
  unsigned char *used = gt_tape_uses(t, lo, y);
  Fam *res = malloc(sizeof *res);
  if (fam && store && used && res) {
    for (int32_t i = lo; i <= y; i++) {
      if (!used[i - lo])
        continue;
      Fam *f = &store[i - lo];
      f->n = 0;
      uint64_t seed = 0;
      for (size_t l = 0; l < n; l++)
        if (x[l] == i)
          seed |= (uint64_t)1 << l;
      if (seed)
        fam_add(f, seed);
      else
        fam_node(t, i, lo, fam, f);
      if (f->n)
        fam[i - lo] = f;
    }
    res->n = 0;
    if (fam[y - lo])
      *res = *fam[y - lo];
  } else {
    free(res);
    res = NULL;
  }
  free(fam);
  free(store);
  free(used);
  return res;
}

/* Can the partial of multi-index i be nonzero, by the family? */
static int
fam_covers(const Fam *f, const int *i, size_t n)
{
  uint64_t s = 0;
  for (size_t l = 0; l < n; l++)
    if (i[l])
      s |= (uint64_t)1 << l;
  for (int k = 0; k < f->n; k++)
    if ((f->m[k] & s) == s)
      return 1;
  return 0;
}

/* ---- the combination ------------------------------------------------------- */

/* The state of one gt_partials call. */
typedef struct Part {
  const GtTape *t;
  int32_t y;
  const int32_t *x;
  size_t n;
  int K;
  int *idx;               /* the multi-indices (multi_indices) */
  size_t N;
  mpz_t *W;               /* the weights, N x N */
  mpz_t D;                /* their denominator K^K K! */
  long gbits;             /* log2 of max_i sum_j |W_ij| / D, rounded up */
} Part;

/* The directional coefficients c_j for every direction at base bits (each
   sweep at base + 32 + 2K): c[q] initialised at that precision.  Returns
   GT_PARTIALS_OK, GT_PARTIALS_NO (a tensor, no rule, NaN or infinity on
   the way) or GT_PARTIALS_NOMEM. */
static int
directional(const Part *P, mpfr_prec_t base, mpfr_ptr *c)
{
  int K = P->K;
  long *d = malloc(P->n * sizeof *d);
  mpfr_ptr *out = malloc(((size_t)K + 1) * sizeof *out);
  mpfr_t *num = malloc(((size_t)K + 1) * sizeof *num);
  int rc = d && out && num ? GT_PARTIALS_OK : GT_PARTIALS_NOMEM;
  mpfr_prec_t p = base + 32 + 2 * (mpfr_prec_t)K;
  for (int j = 0; j <= K && num; j++) {
    mpfr_init2(num[j], p);
    out[j] = num[j];
  }
  for (size_t q = 0; q < P->N && rc == GT_PARTIALS_OK; q++) {
    for (size_t l = 0; l < P->n; l++)
      d[l] = P->idx[q * P->n + l];
    int32_t fn;
    int fo;
    GtTaylorStatus st = gt_taylor_dir(P->t, P->x, d, P->n, P->y, K, base,
                                      out, &fn, &fo);
    if (st == GT_TAYLOR_NOMEM)
      rc = GT_PARTIALS_NOMEM;
    else if (st != GT_TAYLOR_OK || fn >= 0 || !mpfr_number_p(out[K]))
      rc = GT_PARTIALS_NO;
    else
      mpfr_set(c[q], out[K], RND);
  }
  for (int j = 0; j <= K && num; j++)
    mpfr_clear(num[j]);
  free(num);
  free(out);
  free(d);
  return rc;
}

/* Entry m: d^i f = (sum_q W_mq c_q) / D into res (rounded once to res's
   precision, after an exact sum rounded at base + 64 bits); returns 1
   when it stands clear of the noise of sweeps accurate to base + 16 bits,
   0 when not (*rel: log2 of |sum| over sum_q |W_mq c_q|, about), -1 when
   out of memory. */
static int
combine(const Part *P, size_t m, mpfr_ptr *c, mpfr_prec_t base,
        mpfr_ptr res, long *rel)
{
  size_t N = P->N;
  mpfr_t *prod = malloc(N * sizeof *prod);
  mpfr_ptr *pp = malloc(N * sizeof *pp);
  if (prod == NULL || pp == NULL) {
    free(prod);
    free(pp);
    return -1;
  }
  mpfr_t sum, mag, a;
  mpfr_init2(sum, base + 64);
  mpfr_init2(mag, 64);
  mpfr_init2(a, 64);
  mpfr_set_zero(mag, 1);
  for (size_t q = 0; q < N; q++) {
    const mpz_t *w = &P->W[m * N + q];
    size_t wb = mpz_sizeinbase(*w, 2);
    mpfr_init2(prod[q], mpfr_get_prec(c[q]) + (mpfr_prec_t)wb + 1);
    mpfr_mul_z(prod[q], c[q], *w, RND);       /* exact */
    pp[q] = prod[q];
    mpfr_abs(a, prod[q], MPFR_RNDU);
    mpfr_add(mag, mag, a, MPFR_RNDU);
  }
  mpfr_sum(sum, pp, (unsigned long)N, RND);
  mpfr_div_z(res, sum, P->D, RND);
  /* noise: mag 2^-(base + 16); clear of it by 2^(prec + 8) */
  int ok = mpfr_zero_p(sum) || mpfr_zero_p(mag);
  if (!ok) {
    *rel = (long)mpfr_get_exp(sum) - (long)mpfr_get_exp(mag);
    mpfr_abs(a, sum, MPFR_RNDD);
    mpfr_mul_2si(mag, mag, (long)mpfr_get_prec(res) + 8 - (long)base - 16,
                 MPFR_RNDU);
    ok = mpfr_cmp(a, mag) >= 0;
  }
  for (size_t q = 0; q < N; q++)
    mpfr_clear(prod[q]);
  mpfr_clears(sum, mag, a, (mpfr_ptr)0);
  free(prod);
  free(pp);
  return ok;
}

/* The entries still pending (state[m] == 0) at base bits: an entry that
   stands clear of the noise is done (state 1); one in the noise keeps
   its rel[m].  Returns a GT_PARTIALS_ status. */
static int
attempt(const Part *P, mpfr_prec_t base, mpfr_ptr *out, int *state,
        long *rel)
{
  mpfr_prec_t p = base + 32 + 2 * (mpfr_prec_t)P->K;
  mpfr_t *cs = malloc(P->N * sizeof *cs);
  mpfr_ptr *c = malloc(P->N * sizeof *c);
  if (cs == NULL || c == NULL) {
    free(cs);
    free(c);
    return GT_PARTIALS_NOMEM;
  }
  for (size_t q = 0; q < P->N; q++) {
    mpfr_init2(cs[q], p);
    c[q] = cs[q];
  }
  int rc = directional(P, base, c);
  for (size_t m = 0; m < P->N && rc == GT_PARTIALS_OK; m++) {
    if (state[m] != 0)
      continue;
    int r = combine(P, m, c, base, out[m], &rel[m]);
    if (r < 0)
      rc = GT_PARTIALS_NOMEM;
    else if (r)
      state[m] = 1;
  }
  for (size_t q = 0; q < P->N; q++)
    mpfr_clear(cs[q]);
  free(cs);
  free(c);
  return rc;
}

/* The sweeps at base bits, then again at 2 and 4 times base for the
   entries still in the noise.  An entry whose relative size fell with
   the precision each time (by at least half the added bits) is rounding
   noise around an exact zero: it is 0.  Any other leaves the output to
   the nested sweeps (GT_PARTIALS_NO). */
static int
solve(const Part *P, const Fam *fam, mpfr_prec_t base, mpfr_ptr *out)
{
  int *state = calloc(P->N, sizeof *state);
  long *rel = calloc(P->N, sizeof *rel), *rel0 = calloc(P->N, sizeof *rel0);
  int rc = state && rel && rel0 ? GT_PARTIALS_OK : GT_PARTIALS_NOMEM;
  size_t pending = 0;
  for (size_t m = 0; m < P->N && rc == GT_PARTIALS_OK; m++) {
    state[m] = fam_covers(fam, P->idx + m * P->n, P->n) ? 0 : 2;
    pending += state[m] == 0;
  }
  mpfr_prec_t b = base;
  for (int tries = 0; tries < 3 && pending && rc == GT_PARTIALS_OK;
       tries++, b *= 2) {
    rc = attempt(P, b, out, state, rel);
    pending = 0;
    for (size_t m = 0; m < P->N && rc == GT_PARTIALS_OK; m++)
      if (state[m] == 0) {
        if (tries > 0 && rel[m] > rel0[m] - (long)(b / 4))
          state[m] = 3;         /* not noise: a tiny true value */
        else
          pending++;
        rel0[m] = rel[m];
      }
  }
  for (size_t m = 0; m < P->N && rc == GT_PARTIALS_OK; m++) {
    if (state[m] == 3)
      rc = GT_PARTIALS_NO;
    else if (state[m] == 0)
      mpfr_set_zero(out[m], 1);
  }
  free(state);
  free(rel);
  free(rel0);
  return rc;
}

size_t
gt_partials_count(size_t n, int K)
{
  size_t N = 1;
  for (size_t k = 1; k <= (size_t)K; k++) {
    if (N > SIZE_MAX / (n + k))
      return SIZE_MAX;
    N = N * (n + k - 1) / k;
  }
  return N;
}

int
gt_partials(const GtTape *t, int32_t y, const int32_t *x, size_t n, int K,
            mpfr_ptr *out, int *connected)
{
  if (n == 0 || n > 64 || K < 1)
    return GT_PARTIALS_NO;
  Part P = { .t = t, .y = y, .x = x, .n = n, .K = K };
  P.N = multi_indices(n, K, &P.idx);
  if (P.N == 0)
    return GT_PARTIALS_NOMEM;
  Fam *fam = family(t, y, x, n);
  P.W = malloc(P.N * P.N * sizeof *P.W);
  if (fam == NULL || P.W == NULL) {
    free(fam);
    free(P.W);
    free(P.idx);
    return GT_PARTIALS_NOMEM;
  }
  weights(n, K, P.idx, P.N, P.W);
  mpz_init(P.D);
  mpz_ui_pow_ui(P.D, (unsigned long)K, (unsigned long)K);
  {
    mpz_t f;
    mpz_init(f);
    mpz_fac_ui(f, (unsigned long)K);
    mpz_mul(P.D, P.D, f);
    /* gbits: the weights' growth over D */
    mpz_t s;
    mpz_init(s);
    size_t best = 0;
    for (size_t m = 0; m < P.N; m++) {
      mpz_set_ui(s, 0);
      for (size_t q = 0; q < P.N; q++) {
        mpz_abs(f, P.W[m * P.N + q]);
        mpz_add(s, s, f);
      }
      size_t b = mpz_sizeinbase(s, 2);
      if (b > best)
        best = b;
    }
    long db = (long)mpz_sizeinbase(P.D, 2);
    P.gbits = (long)best - db + 1 > 0 ? (long)best - db + 1 : 0;
    mpz_clears(f, s, NULL);
  }
  for (size_t m = 0; m < P.N; m++) {
    mpfr_set_zero(out[m], 1);
    connected[m] = fam_covers(fam, P.idx + m * n, n);
  }
  mpfr_prec_t prec = mpfr_get_prec(out[0]);
  mpfr_prec_t base = prec + 64 + (mpfr_prec_t)P.gbits;
  int rc = solve(&P, fam, base, out);
  for (size_t p = 0; p < P.N * P.N; p++)
    mpz_clear(P.W[p]);
  mpz_clear(P.D);
  free(P.W);
  free(P.idx);
  free(fam);
  return rc;
}
