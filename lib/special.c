/* special.c -- special functions MPFR lacks: trigamma (derivative of digamma)
 *
 * gt_special_trigamma(r, x, rnd) sets r to psi1(x) = d/dx digamma(x)
 *   = sum_{k>=0} 1/(x+k)^2, rounded into r's precision; the result is
 * correctly rounded unless the error bound below is violated (it is a
 * careful estimate, not a proof).
 *
 * Method, at a working precision w a little above r's:
 *   x < 1/2:   reflection  psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x).
 *              sin(pi x) is mpfr_sinpi, whose argument reduction is exact,
 *              so x near a pole or far out on the negative axis loses
 *              nothing.  For x < 1/2, psi1(1-x) < psi1(1/2) = pi^2/2 <=
 *              pi^2 / (2 sin^2(pi x)), so the subtraction loses at most a
 *              bit.
 *   x >= 1/2:  recurrence  psi1(x) = 1/x^2 + psi1(x+1)  until x + m >= X,
 *              then the asymptotic series at y = x + m
 *                psi1(y) ~ 1/y + 1/(2y^2) + sum_{k>=1} B_2k / y^(2k+1).
 *              All terms of the recurrence are positive: no cancellation.
 *              The series is enveloping for y > 0 (the remainder is smaller
 *              than the first omitted term), and its smallest term is about
 *              exp(-2 pi y); with X = w/4 that is 2^(-2.2 w), so the series
 *              reaches 2^-w relative accuracy while its terms still shrink,
 *              after about K = 0.12 w terms.
 * Cost: about w/4 steps of the recurrence and 0.12 w series terms, each a
 * few w-bit operations; the first call at a precision also computes the
 * Bernoulli numbers it needs, O(K^2) multiprecision integer operations.
 * Fine up to some ten thousand bits; at 10^5 bits and beyond the Bernoulli
 * numbers dominate (minutes).
 *
 * Error: every operation rounds to nearest at w bits (u = 2^-w relative).
 * We count the roundings that can reach the result (m + K + small
 * constants, see the comments) as a relative bound `count * u`, and round
 * into r only when mpfr_can_round says that bound decides the rounding;
 * otherwise w grows by half (Ziv's strategy).
 *
 * Bernoulli numbers B_2k are exact GMP rationals, computed from the tangent
 * numbers T_k (tan z = sum T_k z^(2k-1)/(2k-1)!) with the integer-only
 * recurrence of Brent and Harvey (2011), then
 *   B_2k = (-1)^(k-1) 2k T_k / (2^2k (2^2k - 1)).
 * They live in a cache shared by all threads: a table of B_2 .. B_2n that
 * is never changed once published.  A call that needs more numbers builds
 * a larger table (at least twice as long: the tangent-number sweep starts
 * again from T_1, so doubling keeps the total cost O(n^2)) and publishes
 * it with one atomic compare-and-swap; the tables it replaces stay
 * allocated, since another thread may still be reading one, until
 * gt_special_free_cache (at most twice the memory of the largest).  Two
 * threads that grow the cache at once both compute; the one that loses
 * the race frees its table and uses the winner's.  No lock, and a reader
 * of a long enough table pays one atomic load.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef struct BernTable {
  size_t count;              /* holds B_2 .. B_2count */
  mpq_t *b;                  /* b[k-1] = B_2k */
  struct BernTable *older;   /* the table this one replaced, or NULL */
} BernTable;

/* The newest table, or NULL; its contents are visible to a thread that
   loads the pointer with acquire order. */
static _Atomic(BernTable *) bern_table;

static void
bern_free(BernTable *tb)
{
  for (size_t k = 0; k < tb->count; k++)
    mpq_clear(tb->b[k]);
  free(tb->b);
  free(tb);
}

/* A new table of B_2 .. B_2n; NULL when out of memory. */
static BernTable *
bern_compute(size_t n)
{
  mpz_t *t;
  size_t j, k;
  BernTable *tb = malloc(sizeof *tb);

  t = malloc(n * sizeof *t);
  if (tb != NULL)
    tb->b = malloc(n * sizeof *tb->b);
  if (t == NULL || tb == NULL || tb->b == NULL) {
    free(t);
    if (tb != NULL)
      free(tb->b);
    free(tb);
    return NULL;
  }
  tb->count = n;
  tb->older = NULL;

  /* Tangent numbers, t[k-1] = T_k (Brent & Harvey, "Fast computation of
     Bernoulli, tangent and secant numbers", algorithm TangentNumbers):
       T_k = (k-1)! initially, then for k = 2..n, j = k..n:
       T_j <- (j-k) T_(j-1) + (j-k+2) T_j.
     n^2/2 multiplications of integers of O(n log n) bits by small ones. */
  mpz_init_set_ui(t[0], 1);
  for (k = 2; k <= n; k++) {
    mpz_init(t[k - 1]);
    mpz_mul_ui(t[k - 1], t[k - 2], k - 1);
  }
  for (k = 2; k <= n; k++)
    for (j = k; j <= n; j++) {
      mpz_mul_ui(t[j - 1], t[j - 1], j - k + 2);
      mpz_addmul_ui(t[j - 1], t[j - 2], j - k);
    }

  for (k = 1; k <= n; k++) {
    mpq_ptr b = tb->b[k - 1];
    mpq_init(b);
    /* B_2k = (-1)^(k-1) 2k T_k / (2^2k (2^2k - 1)) */
    mpz_mul_ui(mpq_numref(b), t[k - 1], 2 * k);
    if (k % 2 == 0)
      mpz_neg(mpq_numref(b), mpq_numref(b));
    mpz_set_ui(mpq_denref(b), 1);
    mpz_mul_2exp(mpq_denref(b), mpq_denref(b), 2 * k);
    mpz_sub_ui(mpq_denref(b), mpq_denref(b), 1);
    mpz_mul_2exp(mpq_denref(b), mpq_denref(b), 2 * k);
    mpq_canonicalize(b);
  }
  for (k = 0; k < n; k++)
    mpz_clear(t[k]);
  free(t);
  return tb;
}

/* A table holding at least B_2 .. B_2n (never modified: safe to read
   from any thread); NULL when out of memory. */
static const BernTable *
bern_get(size_t n)
{
  BernTable *cur = atomic_load_explicit(&bern_table, memory_order_acquire);
  for (;;) {
    if (cur != NULL && n <= cur->count)
      return cur;
    size_t want = n;
    if (cur != NULL && want < 2 * cur->count)
      want = 2 * cur->count;
    if (want < 32)
      want = 32;
    BernTable *tb = bern_compute(want);
    if (tb == NULL)
      return NULL;
    tb->older = cur;
    /* publish it, unless another thread published a table since cur was
       read: then cur becomes that table and the loop looks again */
    if (atomic_compare_exchange_strong_explicit(&bern_table, &cur, tb,
                                                memory_order_acq_rel,
                                                memory_order_acquire))
      return tb;
    bern_free(tb);
  }
}

void
gt_special_free_cache(void)
{
  BernTable *tb = atomic_exchange_explicit(&bern_table, NULL,
                                           memory_order_acq_rel);
  while (tb != NULL) {
    BernTable *older = tb->older;
    bern_free(tb);
    tb = older;
  }
}

/* res = psi1(x) for x >= 1/2 at precision w (res must have precision w).
   Adds to *count a bound on the relative error in units of 2^-w.
   Returns -1 when out of memory, 1 when the series did not converge
   (cannot happen with this threshold), else 0. */
static int
trigamma_pos(mpfr_ptr res, mpfr_srcptr x, mpfr_prec_t w, unsigned long *count)
{
  mpfr_t v, t, s, p, z, term;
  unsigned long m, k, threshold = (unsigned long)(w / 4) + 2;
  mpfr_exp_t prev_exp = 0;
  const BernTable *bt = NULL;
  int rc = 0;

  mpfr_inits2(w, v, t, s, p, z, term, (mpfr_ptr)0);

  /* Recurrence: s = sum_{j<m} 1/(x+j)^2, where v = x + m >= threshold.
     Each term has relative error <= 4u (x+j rounded once, squared,
     inverted); each addition of positive numbers adds u relative to the
     total. */
  mpfr_set_ui(s, 0, MPFR_RNDN);
  for (m = 0;; m++) {
    mpfr_add_ui(v, x, m, MPFR_RNDN);
    if (mpfr_cmp_ui(v, threshold) >= 0)
      break;
    mpfr_sqr(t, v, MPFR_RNDN);
    mpfr_ui_div(t, 1, t, MPFR_RNDN);
    mpfr_add(s, s, t, MPFR_RNDN);
  }

  /* Series at y = v (rounded once; psi1's condition number is <= 2):
     t = 1/y + 1/(2y^2) + sum_k B_2k p_k with p_k = 1/y^(2k+1), z = 1/y^2. */
  mpfr_ui_div(p, 1, v, MPFR_RNDN);
  mpfr_sqr(z, p, MPFR_RNDN);
  mpfr_div_2ui(t, z, 1, MPFR_RNDN);
  mpfr_add(t, t, p, MPFR_RNDN);
  for (k = 1;; k++) {
    int done;
    if ((bt == NULL || k > bt->count) && (bt = bern_get(k)) == NULL) {
      rc = -1;
      break;
    }
    mpfr_mul(p, p, z, MPFR_RNDN);
    if (mpfr_zero_p(p))                      /* underflow: y is huge */
      break;
    mpfr_mul_q(term, p, bt->b[k - 1], MPFR_RNDN);
    /* Safety net: terms that stop shrinking mean the series has passed
       its smallest term before reaching 2^-w, which the threshold rules
       out; report failure rather than loop on a divergent series. */
    if (k > 1 && mpfr_get_exp(term) >= prev_exp) {
      rc = 1;
      break;
    }
    prev_exp = mpfr_get_exp(term);
    /* The remainder is below the first omitted term, smaller still than
       this one: stop once |term| < u |t| / 2. */
    done = mpfr_get_exp(term) < mpfr_get_exp(t) - w - 1;
    mpfr_add(t, t, term, MPFR_RNDN);
    if (done)
      break;
  }
  /* The series' own error: a few roundings on 1/y and 1/(2y^2) and 2u
     from y itself; the later terms are each below 1/(6y^2) of the total,
     so their (3k+2)u errors add up to far less than the leading ones.
     Budget 14u with the truncation; the recurrence adds 4u per term and
     m u for its additions; the final addition u. */
  mpfr_add(res, s, t, MPFR_RNDN);
  *count += 4 + m + 15;
  mpfr_clears(v, t, s, p, z, term, (mpfr_ptr)0);
  return rc;
}

/* res = psi1(x) at precision w for finite x off the poles; adds the error
   bound to *count.  Returns as trigamma_pos. */
static int
trigamma_any(mpfr_ptr res, mpfr_srcptr x, mpfr_prec_t w, unsigned long *count)
{
  mpfr_t a, y;
  unsigned long c = 0;
  int rc;

  if (mpfr_cmp_ui_2exp(x, 1, -1) >= 0)
    return trigamma_pos(res, x, w, count);

  /* Reflection. a = pi^2 / sin^2(pi x): sinpi rounds once, squaring adds
     2u more, pi^2 3u, the division u: 7u.  y = 1 - x rounds once; psi1's
     condition number |y psi2(y) / psi1(y)| is below 2 for y >= 1/2, so that
     costs 2u more.  Since a >= 2 psi1(y), the result is >= a/2: errors of
     a and of psi1(y) count at most twice relative to the result, and the
     subtraction adds u. */
  mpfr_inits2(w, a, y, (mpfr_ptr)0);
  mpfr_ui_sub(y, 1, x, MPFR_RNDN);
  rc = trigamma_pos(res, y, w, &c);
  mpfr_sinpi(a, x, MPFR_RNDN);
  mpfr_sqr(a, a, MPFR_RNDN);
  mpfr_const_pi(y, MPFR_RNDN);
  mpfr_sqr(y, y, MPFR_RNDN);
  mpfr_div(a, y, a, MPFR_RNDN);
  mpfr_sub(res, a, res, MPFR_RNDN);
  *count += 2 * (c + 2) + 2 * 7 + 1;
  mpfr_clears(a, y, (mpfr_ptr)0);
  return rc;
}

void
gt_special_trigamma(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd)
{
  mpfr_prec_t pr = mpfr_get_prec(r), w;
  mpfr_flags_t flags;
  mpfr_t t;
  int tries;

  if (mpfr_nan_p(x)) {
    mpfr_set_nan(r);
    mpfr_set_nanflag();
    return;
  }
  if (mpfr_inf_p(x)) {
    /* psi1(+inf) = +0; towards -inf psi1 has a pole at every integer. */
    if (mpfr_signbit(x)) {
      mpfr_set_nan(r);
      mpfr_set_nanflag();
    } else {
      mpfr_set_zero(r, 1);
    }
    return;
  }
  if (mpfr_integer_p(x) && mpfr_sgn(x) <= 0) {
    /* Poles at 0, -1, -2, ...: 1/(x+k)^2 -> +inf from both sides. */
    mpfr_set_inf(r, 1);
    mpfr_set_divby0();
    return;
  }

  /* Intermediate underflows (1/y^(2k+1) for huge y) are harmless: keep
     the caller's flags and set only those of the final rounding. */
  flags = mpfr_flags_save();
  w = pr + 24;
  for (mpfr_prec_t q = pr; q > 0; q >>= 1)
    w += 2;                               /* + 2 log2(pr): the error count */
  mpfr_init2(t, w);
  for (tries = 0;; tries++) {
    unsigned long count = 0;
    int err;
    mpfr_set_prec(t, w);
    int rc = trigamma_any(t, x, w, &count);
    if (rc < 0 || (rc > 0 && tries >= 8)) {
      /* out of memory (or a series that never converges): NaN */
      mpfr_clear(t);
      mpfr_flags_restore(flags, MPFR_FLAGS_ALL);
      mpfr_set_nan(r);
      mpfr_set_nanflag();
      return;
    }
    if (rc > 0) {
      w += w / 2;
      continue;
    }
    if (!mpfr_regular_p(t))                /* overflow near a pole */
      break;
    /* |error| <= count u |t| <= count * 2 ulp(t): err bits of ulp(t). */
    for (err = 1; count > 0; count >>= 1)
      err++;
    if (err < w && mpfr_can_round(t, w - err, MPFR_RNDN, MPFR_RNDZ,
                                  pr + (rnd == MPFR_RNDN)))
      break;
    if (tries >= 8)                        /* give up on correct rounding */
      break;
    w += w / 2;
  }
  mpfr_flags_restore(flags, MPFR_FLAGS_ALL);
  if (mpfr_inf_p(t))
    mpfr_set_overflow();
  mpfr_set(r, t, rnd);
  mpfr_clear(t);
}
