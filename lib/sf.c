/* sf.c -- Taylor jets of special functions with Arb balls, correctly rounded
 *
 * gt_sf_jet(f, n, a, x, K, out) sets out[k] = f^(k)(x)/k!, k = 0..K.  The
 * point x (and a) is turned into an exact Arb ball, the function is
 * evaluated on the power series h(t) = x + t truncated to length K + 1 at
 * a working precision w, and the k-th coefficient of the resulting series
 * is a ball that contains f^(k)(x)/k! (Arb's error bounds are rigorous).
 *
 * Mathematics and method, per function (psi = digamma, psi^(m) = polygamma):
 *   polygamma n >= 0  psi(x + t) = sum_j psi^(j)(x)/j! t^j (Arb's digamma
 *                     series, length n + K + 1), so
 *                     psi^(n)(x+t) = sum_k psi^(n+k)(x)/k! t^k takes
 *                     coefficient n + k times (n+k)!/k! (an exact integer).
 *   polygamma n = -1  x > 0: Arb's log Gamma series.  x < 0 (not an
 *                     integer): reflection Gamma(x) Gamma(1-x) = pi/sin(pi x),
 *                     log|Gamma(x+t)| = log pi - log|sin(pi(x+t))|
 *                                       - log Gamma(1-x-t).
 *   zeta              Arb's zeta series (Hurwitz zeta at a = 1).
 *   erfc              Arb's erfc series.
 *   erfinv            w0 = erfinv(x) (Arb), then series reversion: with
 *                     E(u) = erf(w0 + u) - x (E(0) = 0 exactly for the true
 *                     w0, which the ball w0 contains; E'(0) = 2/sqrt(pi)
 *                     exp(-w0^2) > 0), erfinv(x + t) = w0 + E^{-1}(t).
 *   norm_cdf          T(x + t) = erfc(|x+t|/sqrt 2) / 2 (the tail) for
 *                     |x| < 2, Gamma(1/2, (x+t)^2/2) / (2 sqrt pi) for
 *                     |x| >= 2 (an exact argument); Phi = T for x < 0,
 *                     1 - T for x >= 0.
 *   norm_logcdf       x < 0: log T: Arb's balls have unbounded exponents,
 *                     so Phi(-1e5) ~ e^-5e9 does not underflow.  x >= 0:
 *                     log1p(-T), which keeps log Phi(x) ~ -Phi(-x) accurate
 *                     for large x.
 *   besselj, bessely  B^(k) = 2^-k sum_{j=0}^k (-1)^j C(k,j) B_{n-k+2j}
 *                     for B = J_n or Y_n (from B_n' = (B_{n-1} - B_{n+1})/2
 *                     applied k times); B_{-m} = (-1)^m B_m; the 2K + 1
 *                     orders (fewer when they straddle 0) from two Arb
 *                     values and the three-term
 *                     recurrence in its stable direction (down for J,
 *                     up for Y).  The sum does not cancel badly:
 *                     |J^(k)| <= 1 and the weights 2^-k C(k,j) sum to 1.
 *   gamma_inc         Arb's upper incomplete gamma series (non-regularised).
 *   gamma_inc in a    f(s) = Gamma(s, x) for fixed x > 0 is entire in s, so
 *                     its Taylor coefficients at a come from Cauchy's
 *                     formula on the circle |s - a| = rho, by the
 *                     trapezoidal rule with N points (Arb's complex upper
 *                     incomplete gamma at each):
 *                       c~_k = 1/(N rho^k) sum_j f(a + rho w^j) w^-jk,
 *                     w = e^(2 pi i / N), which is c_k plus the aliased
 *                     sum_{m >= 1} c_{k+mN} rho^(mN).  With M >= |f| on
 *                     the disk |s - a| <= R (Arb encloses f on a complex
 *                     ball holding the disk), |c_n| <= M / R^n, so the
 *                     aliasing is at most M R^-k q^N / (1 - q^N),
 *                     q = rho / R, added to each ball's radius: a proof.
 *                     rho = 1/8, R = 1 (R halved while Arb cannot bound f
 *                     on the disk), N = len + (w + 16 + log2 M) / 3.  f is
 *                     real on the real axis, so the samples j and N - j
 *                     are conjugate and only N/2 + 1 are evaluated.  At
 *                     x = 0, Gamma(s, 0) = Gamma(s): Arb's Gamma series.
 *   lambertw          Arb's Lambert W series, branch 0.
 *
 * Rounding (Ziv): w starts at p + 32 + K/2 (p = the largest output
 * precision) and grows by half until, for every k, both ends of the ball
 * round to nearest to the same p_k-bit number; rounding is monotone, so
 * every point of the ball, the exact value among them, rounds there too.
 * A coefficient that is exactly representable is no problem (both ends
 * round to it); an exact zero, or a value exactly halfway between two
 * p_k-bit numbers, would loop forever.  The zeros that follow from the
 * mathematics are detected before the loop (known_zero below: symmetry at
 * x = 0, the trivial zeros of zeta, log Gamma(1) = log Gamma(2) = 0,
 * W(0) = 0, and the polynomial factor of the derivatives of Gamma(a, x),
 * tested in exact arithmetic).  Anything else stops at the ceiling
 *   w_max = 4 p + 64 + L,
 * L = the most bits an evaluation lost so far (working precision minus the
 * worst relative accuracy of a coefficient whose ball excludes zero,
 * updated at every step), so that a computation that cancels is not
 * mistaken for an exact case.  At the ceiling a ball containing zero
 * gives +0 if it shrank like a computed exact zero over the last step
 * (see settle), any other the rounding of its midpoint; a ball that did
 * not shrink, or one less accurate than p_k + 1 bits, gives GT_SF_NOCONV.
 *
 * Error: none beyond the rounding (Arb's bounds are proofs), except in the
 * ceiling case described above.
 *
 * Cost: one series evaluation per Ziv step, steps growing geometrically,
 * so about three times the last one.  The series cost O(K) to O(K^2)
 * operations at w bits (see the report in the commit log / NEWS);
 * Bessel: two Bessel values and K^2/2 multiply-adds; polygamma n:
 * a digamma series of length n + K + 1.
 */
#include "sf.h"
#include "ball.h"

#include <limits.h>
#include <stdlib.h>

#include <acb.h>
#include <acb_hypgeom.h>
#include <arb.h>
#include <arb_hypgeom.h>
#include <arb_poly.h>

static const char *const sf_names[GT_SF_COUNT] = {
  [GT_SF_POLYGAMMA] = "polygamma",
  [GT_SF_ZETA] = "zeta",
  [GT_SF_ERFC] = "erfc",
  [GT_SF_ERFINV] = "erfinv",
  [GT_SF_NORM_CDF] = "norm_cdf",
  [GT_SF_NORM_LOGCDF] = "norm_logcdf",
  [GT_SF_BESSELJ] = "besselj",
  [GT_SF_BESSELY] = "bessely",
  [GT_SF_GAMMA_INC] = "gamma_inc",
  [GT_SF_LAMBERTW] = "lambertw",
  [GT_SF_GAMMA_INC_A] = "gamma_inc",
  [GT_SF_GAMMA_INC_DX] = "gamma_inc",
};

/* as the language states them (ops.c limits the orders n: polygamma to
   0..1000, Bessel to -1000..1000; polygamma n = -1 is internal) */
static const char *const sf_domains[GT_SF_COUNT] = {
  [GT_SF_POLYGAMMA] = "n must be an integer from 0 to 1000 and x not 0, "
                      "-1, -2, ... (poles)",
  [GT_SF_ZETA] = "x must not be 1 (pole)",
  [GT_SF_ERFC] = "x real",
  [GT_SF_ERFINV] = "x must be in (-1, 1)",
  [GT_SF_NORM_CDF] = "x real",
  [GT_SF_NORM_LOGCDF] = "x real",
  [GT_SF_BESSELJ] = "n must be an integer from -1000 to 1000, x real",
  [GT_SF_BESSELY] = "x must be > 0, n an integer from -1000 to 1000",
  [GT_SF_GAMMA_INC] = "x must be > 0 (or any x when a is a positive "
                      "integer; x = 0 when a > 0 and the derivative order "
                      "is below a)",
  [GT_SF_LAMBERTW] = "x must be >= -1/e",
  [GT_SF_GAMMA_INC_A] = "x must be >= 0 (and a > 0 where x = 0)",
  [GT_SF_GAMMA_INC_DX] = "x must be > 0",
};

void
gt_sf_thread_done(void)
{
  flint_cleanup();
}

const char *
gt_sf_name(GtSf f)
{
  return (unsigned)f < GT_SF_COUNT ? sf_names[f] : "?";
}

const char *
gt_sf_domain(GtSf f)
{
  return (unsigned)f < GT_SF_COUNT ? sf_domains[f] : "?";
}

/* ------------------------------------------------------------------ */
/* Domain checks                                                        */
/* ------------------------------------------------------------------ */

static int
is_nonpos_int(mpfr_srcptr x)
{
  return mpfr_integer_p(x) && mpfr_sgn(x) <= 0;
}

/* 1 when x < -1/e, 0 when x > -1/e.  -1/e is irrational, so the two never
   meet and the loop ends once the ball of x + 1/e excludes zero, at about
   the precision of x plus the bits x and -1/e share. */
static int
below_minus_inv_e(mpfr_srcptr x)
{
  arb_t t, xb;
  slong w = mpfr_get_prec(x) + 64;
  int r = -1;
  if (mpfr_cmp_si(x, -1) < 0)
    return 1;
  if (mpfr_sgn(x) >= 0)
    return 0;
  arb_init(t);
  arb_init(xb);
  arf_set_mpfr(arb_midref(xb), x);
  while (r < 0) {
    arb_set_si(t, -1);
    arb_exp(t, t, w);
    arb_add(t, t, xb, w);
    if (arb_is_negative(t))
      r = 1;
    else if (arb_is_positive(t))
      r = 0;
    w *= 2;
  }
  arb_clear(t);
  arb_clear(xb);
  return r;
}

/* GT_SF_OK or the status for f at (n, a, x, K). */
static int
check_domain(GtSf f, long n, mpfr_srcptr a, mpfr_srcptr x, int K)
{
  if ((unsigned)f >= GT_SF_COUNT || K < 0)
    return GT_SF_BADARG;
  if (mpfr_nan_p(x) || mpfr_inf_p(x))
    return GT_SF_DOMAIN;
  switch (f) {
  case GT_SF_POLYGAMMA:
    if (n < -1 || n > LONG_MAX / 2 - K)
      return GT_SF_BADARG;
    return is_nonpos_int(x) ? GT_SF_POLE : GT_SF_OK;
  case GT_SF_ZETA:
    return mpfr_cmp_ui(x, 1) == 0 ? GT_SF_POLE : GT_SF_OK;
  case GT_SF_ERFINV:
    return mpfr_cmp_si(x, -1) > 0 && mpfr_cmp_si(x, 1) < 0 ? GT_SF_OK
                                                          : GT_SF_DOMAIN;
  case GT_SF_BESSELJ:
  case GT_SF_BESSELY:
    if (n < -(LONG_MAX / 4) + K || n > LONG_MAX / 4 - K)
      return GT_SF_BADARG;
    return f == GT_SF_BESSELY && mpfr_sgn(x) <= 0 ? GT_SF_DOMAIN : GT_SF_OK;
  case GT_SF_GAMMA_INC_DX:
    if (a == NULL || !mpfr_number_p(a) || n < 1 || n > 65535)
      return GT_SF_BADARG;
    return mpfr_sgn(x) > 0 && mpfr_number_p(x) ? GT_SF_OK : GT_SF_DOMAIN;
  case GT_SF_GAMMA_INC_A:
    /* here a is the limit and x the order */
    if (a == NULL || !mpfr_number_p(a) || mpfr_sgn(a) < 0)
      return GT_SF_DOMAIN;
    return mpfr_sgn(a) > 0 || mpfr_sgn(x) > 0 ? GT_SF_OK : GT_SF_DOMAIN;
  case GT_SF_GAMMA_INC:
    if (a == NULL || !mpfr_number_p(a))
      return GT_SF_BADARG;
    if (mpfr_sgn(x) > 0 || (mpfr_integer_p(a) && mpfr_sgn(a) > 0))
      return GT_SF_OK;
    /* x = 0, a > 0 not an integer: d^k/dx^k Gamma(a, x) has the factor
       x^(a-k), finite at 0 only for k < a */
    if (mpfr_zero_p(x) && mpfr_sgn(a) > 0 && mpfr_cmp_si(a, K) > 0)
      return GT_SF_OK;
    return GT_SF_DOMAIN;
  case GT_SF_LAMBERTW:
    return below_minus_inv_e(x) ? GT_SF_DOMAIN : GT_SF_OK;
  default:
    return GT_SF_OK;
  }
}

/* ------------------------------------------------------------------ */
/* Known exact zeros                                                    */
/* ------------------------------------------------------------------ */

/* The factor P_{k-1} of d^k/dx^k Gamma(a, x) = -x^(a-k) e^-x P_{k-1}(x),
   k >= 1, by Leibniz on -(d/dx)^(k-1) [x^(a-1) e^-x]:
     P_{k-1}(x) = sum_j C(k-1, j) (-1)^(k-1-j) (a-1)(a-2)...(a-j) x^(k-1-j).
   a and x are dyadic, so every term is computed exactly (ARF_PREC_EXACT)
   and the test "P = 0" is exact.  Cost O(k^2) exact products of numbers
   growing to about k (bits(a) + bits(x)) bits. */
static int
gamma_inc_factor_zero(mpfr_srcptr a, mpfr_srcptr x, int k)
{
  arb_t sum, term, ff, am1, xb, xp;
  fmpz_t c;
  int j, m = k - 1, zero;

  arb_init(sum);
  arb_init(term);
  arb_init(ff);
  arb_init(am1);
  arb_init(xb);
  arb_init(xp);
  fmpz_init(c);
  arf_set_mpfr(arb_midref(am1), a);
  arb_sub_ui(am1, am1, 1, ARF_PREC_EXACT);
  arf_set_mpfr(arb_midref(xb), x);
  arb_one(ff);                          /* (a-1)...(a-j), j = 0 */
  for (j = 0; j <= m; j++) {
    if (j > 0) {
      arb_mul(ff, ff, am1, ARF_PREC_EXACT);
      arb_sub_ui(am1, am1, 1, ARF_PREC_EXACT);
    }
    arb_pow_ui(xp, xb, (ulong)(m - j), ARF_PREC_EXACT);
    fmpz_bin_uiui(c, (ulong)m, (ulong)j);
    arb_mul(term, ff, xp, ARF_PREC_EXACT);
    arb_mul_fmpz(term, term, c, ARF_PREC_EXACT);
    if ((m - j) & 1)
      arb_sub(sum, sum, term, ARF_PREC_EXACT);
    else
      arb_add(sum, sum, term, ARF_PREC_EXACT);
  }
  zero = arb_is_zero(sum);
  arb_clear(sum);
  arb_clear(term);
  arb_clear(ff);
  arb_clear(am1);
  arb_clear(xb);
  arb_clear(xp);
  fmpz_clear(c);
  return zero;
}

/* 1 when f^(k)(x)/k! is exactly zero for a reason known in advance. */
static int
known_zero(GtSf f, long n, mpfr_srcptr a, mpfr_srcptr x, int k)
{
  int x0 = mpfr_zero_p(x);
  switch (f) {
  case GT_SF_POLYGAMMA:     /* log Gamma(1) = log Gamma(2) = 0 */
    return n == -1 && k == 0 &&
           (mpfr_cmp_ui(x, 1) == 0 || mpfr_cmp_ui(x, 2) == 0);
  case GT_SF_ZETA:          /* trivial zeros -2, -4, ... */
    if (k != 0 || mpfr_sgn(x) >= 0 || !mpfr_integer_p(x))
      return 0;
    {
      mpfr_t h;
      int even;
      mpfr_init2(h, mpfr_get_prec(x));
      mpfr_div_2ui(h, x, 1, MPFR_RNDN);  /* exact */
      even = mpfr_integer_p(h);
      mpfr_clear(h);
      return even;
    }
  case GT_SF_NORM_CDF:      /* Phi^(3) = phi'' = (x^2 - 1) phi: zero at
                               x = +-1 (the other Hermite factors He_m,
                               m != 2, have no rational root but 0) */
    if (k == 3 && mpfr_cmpabs_ui(x, 1) == 0)
      return 1;
    /* fall through */
  case GT_SF_ERFC:          /* 1 - (odd function) at 0 */
    return x0 && k >= 2 && k % 2 == 0;
  case GT_SF_ERFINV:        /* odd */
    return x0 && k % 2 == 0;
  case GT_SF_BESSELJ:       /* J_n(x) = sum_m c_m x^(|n| + 2m) */
    {
      unsigned long an = n < 0 ? -(unsigned long)n : (unsigned long)n;
      return x0 && ((unsigned long)k < an || ((unsigned long)k - an) % 2);
    }
  case GT_SF_GAMMA_INC:
    if (k == 0)
      return 0;
    if (x0)   /* x^(a-k) e^-x P: zero at x = 0 when a - k > 0 */
      return mpfr_integer_p(a) ? 0 : mpfr_cmp_si(a, k) > 0;
    return k >= 2 && gamma_inc_factor_zero(a, x, k);
  case GT_SF_LAMBERTW:
    return x0 && k == 0;
  default:
    return 0;
  }
}

/* ------------------------------------------------------------------ */
/* The jet at one working precision                                     */
/* ------------------------------------------------------------------ */

/* The series h(t) = c0 + c1 t. */
static void
linear(arb_poly_t h, const arb_t c0, const arb_t c1)
{
  arb_poly_fit_length(h, 2);
  arb_set(h->coeffs, c0);
  arb_set(h->coeffs + 1, c1);
  _arb_poly_set_length(h, 2);
}

/* log|Gamma(x + t)| to length len, x not a non-positive integer. */
static void
lgamma_abs_series(arb_poly_t r, const arb_t x, slong len, slong w)
{
  arb_poly_t h, s, g;
  arb_t c0, c1;

  arb_poly_init(h);
  arb_init(c0);
  arb_init(c1);
  if (arb_is_positive(x)) {
    arb_one(c1);
    linear(h, x, c1);
    arb_poly_lgamma_series(r, h, len, w);
  } else {
    /* log pi - log|sin(pi(x+t))| - log Gamma(1-x-t) */
    arb_poly_init(s);
    arb_poly_init(g);
    arb_one(c1);
    linear(h, x, c1);
    arb_poly_sin_pi_series(s, h, len, w);
    if (arb_is_negative(s->coeffs))
      arb_poly_neg(s, s);
    arb_poly_log_series(s, s, len, w);
    arb_sub_ui(c0, x, 1, w);
    arb_neg(c0, c0);                    /* 1 - x, exact for dyadic x */
    arb_set_si(c1, -1);
    linear(h, c0, c1);
    arb_poly_lgamma_series(g, h, len, w);
    arb_poly_add(s, s, g, w);
    arb_poly_neg(r, s);
    arb_const_pi(c0, w);
    arb_log(c0, c0, w);
    arb_poly_fit_length(r, len);
    arb_add(r->coeffs, r->coeffs, c0, w);
    _arb_poly_set_length(r, len);
    _arb_poly_normalise(r);
    arb_poly_clear(s);
    arb_poly_clear(g);
  }
  arb_poly_clear(h);
  arb_clear(c0);
  arb_clear(c1);
}

/* psi^(n)(x + t) to length len: coefficient k is psi^(n+k)(x)/k!. */
static void
polygamma_series(arb_poly_t r, long n, const arb_t x, slong len, slong w)
{
  arb_poly_t h, d;
  arb_t c1;
  fmpz_t q;
  slong k;

  if (n < 0) {
    lgamma_abs_series(r, x, len, w);
    return;
  }
  if (n >= 1 && arb_is_positive(x)) {
    /* psi^(m)(x) = (-1)^(m+1) m! zeta(m + 1, x), m >= 1, x > 0: Arb's
       Hurwitz zeta by Euler-Maclaurin, fast and accurate at any order.
       The series of digamma below loses about m bits per order and
       cancels to a ball around 0 at large m and x (polygamma(1000,
       1000), -6.4e-436, came out as 0). */
    arb_t sm, z;
    arb_init(sm);
    arb_init(z);
    fmpz_init(q);
    arb_poly_fit_length(r, len);
    fmpz_fac_ui(q, (ulong)n);           /* (n+k)!/k! at k = 0 */
    for (k = 0; k < len; k++) {
      arb_set_ui(sm, (ulong)(n + k + 1));
      arb_hurwitz_zeta(z, sm, x, w);
      arb_mul_fmpz(r->coeffs + k, z, q, w);
      if ((n + k) % 2 == 0)             /* (-1)^(n+k+1) */
        arb_neg(r->coeffs + k, r->coeffs + k);
      fmpz_mul_ui(q, q, (ulong)(n + k + 1));
      fmpz_divexact_ui(q, q, (ulong)(k + 1));
    }
    _arb_poly_set_length(r, len);
    _arb_poly_normalise(r);
    arb_clear(sm);
    arb_clear(z);
    fmpz_clear(q);
    return;
  }
  arb_poly_init(h);
  arb_poly_init(d);
  arb_init(c1);
  fmpz_init(q);
  arb_one(c1);
  linear(h, x, c1);
  arb_poly_digamma_series(d, h, n + len, w);
  arb_poly_fit_length(r, len);
  fmpz_fac_ui(q, (ulong)n);             /* (n+k)!/k! at k = 0 */
  for (k = 0; k < len; k++) {
    arb_poly_get_coeff_arb(r->coeffs + k, d, n + k);
    arb_mul_fmpz(r->coeffs + k, r->coeffs + k, q, w);
    fmpz_mul_ui(q, q, (ulong)(n + k + 1));
    fmpz_divexact_ui(q, q, (ulong)(k + 1));
  }
  _arb_poly_set_length(r, len);
  arb_poly_clear(h);
  arb_poly_clear(d);
  arb_clear(c1);
  fmpz_clear(q);
}

/* erfinv(x + t) by reversion of erf(w0 + u) - x. */
static void
erfinv_series(arb_poly_t r, const arb_t x, slong len, slong w)
{
  arb_poly_t h, e;
  arb_t w0, c1;

  arb_poly_init(h);
  arb_poly_init(e);
  arb_init(w0);
  arb_init(c1);
  arb_hypgeom_erfinv(w0, x, w);
  if (len > 1) {
    arb_one(c1);
    linear(h, w0, c1);
    arb_hypgeom_erf_series(e, h, len, w);
    arb_poly_set_coeff_si(e, 0, 0);     /* erf(w0) - x = 0 exactly */
    arb_poly_revert_series(r, e, len, w);
  }
  arb_poly_fit_length(r, len);
  if (len == 1)
    _arb_poly_set_length(r, 1);
  arb_set(r->coeffs, w0);
  arb_poly_clear(h);
  arb_poly_clear(e);
  arb_clear(w0);
  arb_clear(c1);
}

/* For |x| >= 2: the tail T(x + t) = Gamma(1/2, (x+t)^2/2) / (2 sqrt pi),
   which is Phi(x + t) for x < 0 and 1 - Phi(x + t) for x > 0 (both sides
   analytic in t near x != 0).  Its argument x^2/2 + x t + t^2/2 is exact,
   unlike erfc's -(x+t)/sqrt 2, whose radius Arb's erfc bounds so crudely
   at |x| ~ 1e10 that the ball is useless at any precision. */
static void
norm_tail_series(arb_poly_t r, const arb_t x, slong len, slong w)
{
  arb_poly_t h;
  arb_t c;

  arb_poly_init(h);
  arb_init(c);
  arb_poly_fit_length(h, 3);
  arb_mul(h->coeffs, x, x, ARF_PREC_EXACT);
  arb_mul_2exp_si(h->coeffs, h->coeffs, -1);
  arb_set(h->coeffs + 1, x);
  arb_set_d(h->coeffs + 2, 0.5);
  _arb_poly_set_length(h, 3);
  arb_set_d(c, 0.5);
  arb_hypgeom_gamma_upper_series(r, c, h, 0, len, w);
  arb_const_sqrt_pi(c, w);
  arb_mul_2exp_si(c, c, 1);
  arb_poly_scalar_div(r, r, c, w);
  arb_poly_clear(h);
  arb_clear(c);
}

/* Phi(x + t) (logcdf = 0) or log Phi(x + t) (logcdf = 1). */
static void
norm_series(arb_poly_t r, const arb_t x, int logcdf, slong len, slong w)
{
  arb_poly_t h;
  arb_t c0, c1;
  int upper = !arb_is_negative(x);      /* the tail is 1 - Phi */

  if (arf_cmpabs_2exp_si(arb_midref(x), 1) >= 0) {
    norm_tail_series(r, x, len, w);
  } else {
    arb_poly_init(h);
    arb_init(c0);
    arb_init(c1);
    arb_rsqrt_ui(c1, 2, w);             /* 1/sqrt 2 */
    if (!upper)
      arb_neg(c1, c1);
    arb_mul(c0, x, c1, w);
    linear(h, c0, c1);                  /* -+(x + t)/sqrt 2 */
    arb_hypgeom_erfc_series(r, h, len, w);
    arb_poly_scalar_mul_2exp_si(r, r, -1);
    arb_poly_clear(h);
    arb_clear(c0);
    arb_clear(c1);
  }
  if (upper) {                          /* r = 1 - Phi */
    arb_poly_neg(r, r);
    if (logcdf) {
      arb_poly_log1p_series(r, r, len, w);
    } else {
      arb_poly_fit_length(r, len);
      arb_add_ui(r->coeffs, r->coeffs, 1, w);
      _arb_poly_set_length(r, FLINT_MAX(r->length, 1));
    }
  } else if (logcdf) {
    arb_poly_log_series(r, r, len, w);
  }
}

/* v[m - lo] = B_m(x), m = lo..hi (0 <= lo <= hi), for B = J (y = 0) or
   Y (y = 1), x != 0.  Two values from Arb, the rest by
   B_{m-1} + B_{m+1} = (2m/x) B_m in the stable direction: downwards for
   J (the minimal solution as m grows), upwards for Y (the dominant one).
   Cost: two Bessel values and hi - lo multiply-adds; the balls carry
   whatever the recurrence loses. */
static void
bessel_orders(arb_ptr v, int y, slong lo, slong hi, const arb_t x, slong w)
{
  arb_t nu, t;
  slong m;

  arb_init(nu);
  arb_init(t);
  if (y) {
    arb_set_si(nu, lo);
    arb_hypgeom_bessel_y(v, nu, x, w);
    if (hi > lo) {
      arb_set_si(nu, lo + 1);
      arb_hypgeom_bessel_y(v + 1, nu, x, w);
    }
    for (m = lo + 1; m < hi; m++) {
      arb_mul_ui(t, v + m - lo, (ulong)(2 * m), w);
      arb_div(t, t, x, w);
      arb_sub(v + m + 1 - lo, t, v + m - 1 - lo, w);
    }
  } else {
    arb_set_si(nu, hi);
    arb_hypgeom_bessel_j(v + hi - lo, nu, x, w);
    if (hi > lo) {
      arb_set_si(nu, hi - 1);
      arb_hypgeom_bessel_j(v + hi - 1 - lo, nu, x, w);
    }
    for (m = hi - 1; m > lo; m--) {
      arb_mul_ui(t, v + m - lo, (ulong)(2 * m), w);
      arb_div(t, t, x, w);
      arb_sub(v + m - 1 - lo, t, v + m + 1 - lo, w);
    }
  }
  arb_clear(nu);
  arb_clear(t);
}

/* J_n or Y_n at x + t via the binomial sums of B_{n-K} .. B_{n+K};
   B_{-m} = (-1)^m B_m, so only orders |m| in [mlo, mhi] are computed:
   at most 2K + 1 of them, whatever n. */
static void
bessel_series(arb_poly_t r, int y, long n, const arb_t x, slong len,
              slong w)
{
  slong K = len - 1, m, k, j, lo = n - K, hi = n + K, mlo, mhi;
  arb_ptr b = _arb_vec_init(2 * K + 1);  /* b[m] = B_{n-K+m}(x) */
  arb_ptr v;
  arb_t s, t;
  fmpz_t c, kf;

  arb_init(s);
  arb_init(t);
  fmpz_init(c);
  fmpz_init(kf);
  mlo = lo >= 0 ? lo : hi <= 0 ? -hi : 0;
  mhi = FLINT_MAX(FLINT_ABS(lo), FLINT_ABS(hi));
  v = _arb_vec_init(mhi - mlo + 1);
  if (arb_is_zero(x)) {                 /* J_m(0) = [m = 0] */
    if (mlo == 0)
      arb_one(v);
  } else {
    bessel_orders(v, y, mlo, mhi, x, w);
  }
  for (m = 0; m <= 2 * K; m++) {
    slong o = lo + m;
    if (o >= 0)
      arb_set(b + m, v + o - mlo);
    else if ((-o) & 1)
      arb_neg(b + m, v - o - mlo);
    else
      arb_set(b + m, v - o - mlo);
  }
  _arb_vec_clear(v, mhi - mlo + 1);
  arb_poly_fit_length(r, len);
  fmpz_one(kf);
  for (k = 0; k <= K; k++) {
    /* orders n - k + 2j sit at b[K - k + 2j] */
    arb_zero(s);
    for (j = 0; j <= k; j++) {
      fmpz_bin_uiui(c, (ulong)k, (ulong)j);
      arb_mul_fmpz(t, b + K - k + 2 * j, c, w);
      if (j & 1)
        arb_sub(s, s, t, w);
      else
        arb_add(s, s, t, w);
    }
    if (k > 0)
      fmpz_mul_ui(kf, kf, (ulong)k);
    arb_mul_2exp_si(s, s, -k);
    arb_div_fmpz(r->coeffs + k, s, kf, w);
  }
  _arb_poly_set_length(r, len);
  _arb_vec_clear(b, 2 * K + 1);
  arb_clear(s);
  arb_clear(t);
  fmpz_clear(c);
  fmpz_clear(kf);
}

/* v = Gamma(s, z) for a complex ball s, z > 0.  Arb's algorithm fails on
   balls left of Re s = 1/2 that are not tiny (its method there divides
   by sin(pi s) or the like), so there the recurrence
     Gamma(s, z) = (Gamma(s + 1, z) - z^s e^-z) / s
   steps down from Gamma(s + m, z), Re s + m >= 1/2: m divisions by balls
   that hold no zero (the circles avoid the integers), each exact in
   ball arithmetic.  Returns 0 when m would pass 100000. */
/* GCC 12 misreads acb.h's inline acb_add here (-Wstringop-overread on a
   "region of size 32"): the arguments are whole acb_t */
#if defined __GNUC__ && __GNUC__ >= 11
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
static int
gamma_upper_c(acb_t v, const acb_t s, const acb_t z, slong w)
{
  arb_t one;                 /* steps of 1 */
  double re = arf_get_d(arb_midref(acb_realref(s)), ARF_RND_DOWN);
  slong m = re >= 0.5 ? 0 : (slong)(0.5 - re) + 1;
  if (m > 100000)
    return 0;
  if (m == 0) {
    acb_hypgeom_gamma_upper(v, s, z, 0, w);
    return 1;
  }
  acb_t sk, p, ez;
  acb_init(sk);
  acb_init(p);
  acb_init(ez);
  arb_init(one);
  arb_one(one);
  acb_neg(ez, z);
  acb_exp(ez, ez, w);
  acb_set_si(p, m);
  acb_add(sk, s, p, w);            /* s + m */
  acb_hypgeom_gamma_upper(v, sk, z, 0, w);
  for (slong k = m - 1; k >= 0; k--) {
    acb_sub_arb(sk, sk, one, w);   /* s + k */
    acb_pow(p, z, sk, w);
    acb_mul(p, p, ez, w);
    acb_sub(v, v, p, w);
    acb_div(v, v, sk, w);
  }
  acb_clear(sk);
  acb_clear(p);
  acb_clear(ez);
  arb_clear(one);
  return 1;
}
#if defined __GNUC__ && __GNUC__ >= 11
#pragma GCC diagnostic pop
#endif

/* Gamma(s + t, x) to length len in r, x >= 0 fixed (s > 0 when x = 0):
   Cauchy's formula by the trapezoidal rule, with a proven bound on the
   aliasing (see the header). */
static void
gamma_inc_a_series(arb_poly_t r, const arb_t s, const arb_t x, slong len,
                   slong w)
{
  arb_poly_fit_length(r, len);
  if (arb_is_zero(x)) {
    arb_poly_t h;
    arb_t one;
    arb_poly_init(h);
    arb_init(one);
    arb_one(one);
    linear(h, s, one);
    arb_poly_gamma_series(r, h, len, w);
    arb_poly_clear(h);
    arb_clear(one);
    return;
  }
  acb_t sv, z, v, u;
  arb_t re, c, sn;
  mag_t M, e, t;
  fmpq_t q;
  slong R2 = 0, k, j, N, wb = w + 16;
  acb_init(sv);
  acb_init(z);
  acb_init(v);
  acb_init(u);
  arb_init(re);
  arb_init(c);
  arb_init(sn);
  mag_init(M);
  mag_init(e);
  mag_init(t);
  fmpq_init(q);
  acb_set_arb(z, x);
  /* M >= |f| on the disk of radius R = 2^-R2 around s, which is its
     maximum on the circle (f is entire): 32 complex boxes of half-width
     R/8 centred on the circle cover it (the chord between neighbours is
     2 R sin(pi/32) < R/5).  Arb may fail to bound f on a box that holds
     a pole of Gamma(s) (its method splits Gamma(s, z) there, though the
     sum is entire): then a smaller circle. */
  for (;; R2++) {
    mag_zero(M);
    for (j = 0; j < 32; j++) {
      fmpq_set_si(q, 2 * j, 32);
      arb_sin_cos_pi_fmpq(sn, c, q, wb);
      acb_set_arb(sv, s);
      arb_mul_2exp_si(re, c, -R2);
      arb_add(acb_realref(sv), acb_realref(sv), re, wb);
      arb_mul_2exp_si(acb_imagref(sv), sn, -R2);
      mag_set_ui_2exp_si(t, 1, -R2 - 3);
      arb_add_error_mag(acb_realref(sv), t);
      arb_add_error_mag(acb_imagref(sv), t);
      if (!gamma_upper_c(v, sv, z, wb))
        acb_indeterminate(v);
      acb_get_mag(e, v);
      mag_max(M, M, e);
      if (!mag_is_finite(M))
        break;
    }
    if (mag_is_finite(M) || R2 >= 8)
      break;
  }
  if (!mag_is_finite(M)) {
    for (k = 0; k < len; k++)
      arb_indeterminate(r->coeffs + k);
    _arb_poly_set_length(r, len);
    goto done;
  }
  /* rho = R / 8: q = 1/8, 3 bits per point */
  slong lg = mag_is_zero(M) ? 0 : FLINT_MAX(0, (slong)MAG_EXP(M));
  N = len + (w + 16 + lg) / 3 + 1;
  if (N % 2)
    N++;
  for (k = 0; k < len; k++)
    arb_zero(r->coeffs + k);
  for (j = 0; j <= N / 2; j++) {
    /* s_j = s + rho e^(2 pi i j / N) */
    fmpq_set_si(q, 2 * j, (ulong)N);
    arb_sin_cos_pi_fmpq(sn, c, q, wb);
    acb_set_arb(sv, s);
    arb_mul_2exp_si(re, c, -R2 - 3);
    arb_add(acb_realref(sv), acb_realref(sv), re, wb);
    arb_mul_2exp_si(acb_imagref(sv), sn, -R2 - 3);
    if (!gamma_upper_c(v, sv, z, wb))
      acb_indeterminate(v);
    for (k = 0; k < len; k++) {
      /* Re(f_j e^(-2 pi i j k / N)), twice for the conjugate sample */
      fmpq_set_si(q, -2 * j * k, (ulong)N);
      arb_sin_cos_pi_fmpq(sn, c, q, wb);
      acb_set_arb_arb(u, c, sn);
      acb_mul(u, u, v, wb);
      if (j != 0 && j != N / 2)
        arb_mul_2exp_si(acb_realref(u), acb_realref(u), 1);
      arb_add(r->coeffs + k, r->coeffs + k, acb_realref(u), wb);
    }
  }
  /* c_k = sum / (N rho^k), plus the aliasing bound M R^-k q^N/(1 - q^N) */
  mag_mul_2exp_si(e, M, 1 - 3 * N);     /* M q^N / (1 - q^N) <= 2 M q^N */
  for (k = 0; k < len; k++) {
    arb_div_ui(r->coeffs + k, r->coeffs + k, (ulong)N, wb);
    arb_mul_2exp_si(r->coeffs + k, r->coeffs + k, (R2 + 3) * k);
    /* error M R^-k ... = e 2^(R2 k) */
    mag_mul_2exp_si(t, e, R2 * k);
    arb_add_error_mag(r->coeffs + k, t);
  }
  _arb_poly_set_length(r, len);
done:
  acb_clear(sv);
  acb_clear(z);
  acb_clear(v);
  acb_clear(u);
  arb_clear(re);
  arb_clear(c);
  arb_clear(sn);
  mag_clear(M);
  mag_clear(e);
  mag_clear(t);
  fmpq_clear(q);
}

void
gt_sf_gamma_inc_a_jet(arb_ptr jet, arb_srcptr a, arb_srcptr x, long d,
                      long n, long prec)
{
  arb_poly_t r;
  arb_t f;
  arb_poly_init(r);
  arb_init(f);
  gamma_inc_a_series(r, a, x, (slong)(n + d), (slong)prec);
  for (slong k = 0; k < n; k++) {
    arb_set_si(f, 1);                          /* (d+k)!/k! */
    for (slong m = k + 1; m <= k + d; m++)
      arb_mul_si(f, f, m, prec);
    arb_poly_get_coeff_arb(jet + k, r, d + k);
    arb_mul(jet + k, jet + k, f, prec);
  }
  arb_clear(f);
  arb_poly_clear(r);
}

/* F(a, x + t) to length len in r, F = d^d/da^d Gamma(a, x), x > 0:
   F(a, x) from the jet in a, then F(a, x + t) - F(a, x) = int_0^t F_x,
   F_x = -(x+u)^(a-1) log(x+u)^d e^-(x+u) in Arb's series arithmetic. */
static void
gamma_inc_dx_series(arb_poly_t r, long d, const arb_t a, const arb_t x,
                    slong len, slong w)
{
  arb_ptr h = _arb_vec_init(2), P = _arb_vec_init(len), L = _arb_vec_init(len),
          E = _arb_vec_init(len), T = _arb_vec_init(len);
  arb_t am1;
  arb_init(am1);
  arb_poly_fit_length(r, len);
  arb_sub_ui(am1, a, 1, w);
  arb_set(h, x);
  arb_one(h + 1);
  if (len > 1) {
    _arb_poly_pow_arb_series(P, h, 2, am1, len - 1, w);
    _arb_poly_log_series(T, h, 2, len - 1, w);
    _arb_poly_pow_ui_trunc_binexp(L, T, len - 1, (ulong)d, len - 1, w);
    arb_neg(h, h);
    arb_neg(h + 1, h + 1);
    _arb_poly_exp_series(E, h, 2, len - 1, w);
    _arb_poly_mullow(T, P, len - 1, L, len - 1, len - 1, w);
    _arb_poly_mullow(P, T, len - 1, E, len - 1, len - 1, w);
    _arb_vec_neg(P, P, len - 1);
    _arb_poly_integral(r->coeffs, P, len, w);
  }
  gt_sf_gamma_inc_a_jet(r->coeffs, a, x, d, 1, w);
  _arb_poly_set_length(r, len);
  _arb_vec_clear(h, 2);
  _arb_vec_clear(P, len);
  _arb_vec_clear(L, len);
  _arb_vec_clear(E, len);
  _arb_vec_clear(T, len);
  arb_clear(am1);
}

void
gt_sf_gamma_inc_dx_jet(arb_ptr jet, arb_srcptr a, arb_srcptr x, long d,
                       long n, long prec)
{
  arb_poly_t r;
  arb_poly_init(r);
  gamma_inc_dx_series(r, d, a, x, (slong)n, (slong)prec);
  for (slong k = 0; k < n; k++)
    arb_poly_get_coeff_arb(jet + k, r, k);
  arb_poly_clear(r);
}

/* res[0..len-1] = the jet's balls at working precision w. */
static void
jet_balls(GtSf f, long n, const arb_t a, const arb_t x, slong len,
          arb_ptr res, slong w)
{
  arb_poly_t r, h;
  arb_t c1;
  slong k;

  arb_poly_init(r);
  arb_poly_init(h);
  arb_init(c1);
  arb_one(c1);
  linear(h, x, c1);
  switch (f) {
  case GT_SF_POLYGAMMA:
    polygamma_series(r, n, x, len, w);
    break;
  case GT_SF_ZETA:
    arb_poly_zeta_series(r, h, c1, 0, len, w);
    break;
  case GT_SF_ERFC:
    arb_hypgeom_erfc_series(r, h, len, w);
    break;
  case GT_SF_ERFINV:
    erfinv_series(r, x, len, w);
    break;
  case GT_SF_NORM_CDF:
  case GT_SF_NORM_LOGCDF:
    norm_series(r, x, f == GT_SF_NORM_LOGCDF, len, w);
    break;
  case GT_SF_BESSELJ:
  case GT_SF_BESSELY:
    bessel_series(r, f == GT_SF_BESSELY, n, x, len, w);
    break;
  case GT_SF_GAMMA_INC:
    arb_hypgeom_gamma_upper_series(r, a, h, 0, len, w);
    break;
  case GT_SF_LAMBERTW:
    arb_poly_lambertw_series(r, h, 0, len, w);
    break;
  case GT_SF_GAMMA_INC_A:   /* the order x is the variable, a the limit */
    gamma_inc_a_series(r, x, a, len, w);
    break;
  case GT_SF_GAMMA_INC_DX:
    gamma_inc_dx_series(r, n, a, x, len, w);
    break;
  default:
    break;
  }
  for (k = 0; k < len; k++)
    arb_poly_get_coeff_arb(res + k, r, k);
  arb_poly_clear(r);
  arb_poly_clear(h);
  arb_clear(c1);
}

/* ------------------------------------------------------------------ */
/* Rounding and the Ziv loop                                            */
/* ------------------------------------------------------------------ */

/* Rounds ball b to nearest into y when both of its ends round to the same
   number; 1 then, 0 (y unchanged) otherwise. */
/* y = x rounded to y's precision and to MPFR's exponent range: Arb's
   exponents are unbounded, and arf_get_mpfr keeps them even beyond
   mpfr_get_emax(), which would make y a number no MPFR function
   expects (polygamma(3, 1e-200000000) printed 6e+800000000 but times 1
   gave inf): beyond the range it is +-inf or +-0 as for MPFR's own
   functions. */
static void
get_mpfr(mpfr_ptr y, const arf_t x, mpfr_rnd_t rnd)
{
  int t = arf_get_mpfr(y, x, rnd);
  mpfr_check_range(y, t, rnd);
}

static int
round_ball(mpfr_ptr y, const arb_t b, slong w)
{
  arf_t lo, hi;
  mpfr_t u, v;
  int ok;

  if (!arb_is_finite(b))
    return 0;
  if (arb_is_exact(b)) {
    get_mpfr(y, arb_midref(b), MPFR_RNDN);
    return 1;
  }
  arf_init(lo);
  arf_init(hi);
  mpfr_init2(u, mpfr_get_prec(y));
  mpfr_init2(v, mpfr_get_prec(y));
  arb_get_lbound_arf(lo, b, w + 16);    /* widened: rounded outwards */
  arb_get_ubound_arf(hi, b, w + 16);
  get_mpfr(u, lo, MPFR_RNDN);
  get_mpfr(v, hi, MPFR_RNDN);
  ok = mpfr_equal_p(u, v) && mpfr_signbit(u) == mpfr_signbit(v);
  if (ok)
    mpfr_set(y, u, MPFR_RNDN);
  arf_clear(lo);
  arf_clear(hi);
  mpfr_clear(u);
  mpfr_clear(v);
  return ok;
}

/* The bits the evaluation lost: w minus the worst relative accuracy of a
   finite ball that excludes zero; 0 when there is none. */
static slong
bits_lost(arb_srcptr res, slong len, slong w)
{
  slong k, lost = 0, acc;
  for (k = 0; k < len; k++) {
    if (!arb_is_finite(res + k) || arb_contains_zero(res + k))
      continue;
    acc = arb_rel_accuracy_bits(res + k);
    if (w - acc > lost)
      lost = w - acc;
  }
  return lost;
}

/* At the ceiling: the best values, and whether each is accurate enough.
   prev holds the balls of the step before, gain bits less precise.  A
   ball that still holds zero is taken as an exact zero only if it shrank
   like one, by at least 2^(gain/2) since that step (a zero computed with
   rounding errors has a radius ~ 2^-w times the terms' size); a ball that
   did not shrink means the method itself fails there (Arb's Bessel
   functions with order ~ argument ~ 1e5, say): GT_SF_NOCONV. */
static int
settle(mpfr_ptr *out, const char *done, arb_srcptr res, arb_srcptr prev,
       slong len, slong gain)
{
  slong k;
  int st = GT_SF_OK;
  mag_t r;

  mag_init(r);
  for (k = 0; k < len; k++) {
    if (done[k])
      continue;
    if (!arb_is_finite(res + k)) {
      mpfr_set_nan(out[k]);
      st = GT_SF_NOCONV;
    } else if (arb_contains_zero(res + k)) {
      mag_mul_2exp_si(r, arb_radref(res + k), gain / 2);
      if (arb_is_finite(prev + k) &&
          mag_cmp(r, arb_radref(prev + k)) <= 0) {
        mpfr_set_zero(out[k], 1);
      } else {
        get_mpfr(out[k], arb_midref(res + k), MPFR_RNDN);
        st = GT_SF_NOCONV;
      }
    } else {
      get_mpfr(out[k], arb_midref(res + k), MPFR_RNDN);
      if (arb_rel_accuracy_bits(res + k) < (slong)mpfr_get_prec(out[k]) + 1)
        st = GT_SF_NOCONV;
    }
  }
  mag_clear(r);
  return st;
}

/* 1 when every unresolved ball that holds zero may be an exact zero: some
   coefficient is resolved to a nonzero number, and the ball's radius is
   below 2^-p times the largest such coefficient. */
static int
zeros_plausible(mpfr_ptr *out, const char *done, arb_srcptr res, slong len,
                slong p)
{
  slong k;
  mpfr_exp_t emax = 0;
  int any = 0;
  for (k = 0; k < len; k++)
    if (done[k] && mpfr_regular_p(out[k])
        && (!any || mpfr_get_exp(out[k]) > emax)) {
      emax = mpfr_get_exp(out[k]);
      any = 1;
    }
  for (k = 0; k < len; k++) {
    if (done[k] || !arb_contains_zero(res + k))
      continue;
    if (!any || mag_cmp_2exp_si(arb_radref(res + k), (slong)emax - p) > 0)
      return 0;
  }
  return 1;
}

static void
all_nan(mpfr_ptr *out, int K)
{
  int k;
  for (k = 0; k <= K; k++)
    mpfr_set_nan(out[k]);
}

/* res[k] *= (d+k)!/k! for k = 0..len-1 (exact integers). */
static void
shift_scale(arb_ptr res, slong len, int d, slong w)
{
  fmpz_t q;
  slong k;
  if (d == 0)
    return;
  fmpz_init(q);
  fmpz_fac_ui(q, (ulong)d);
  for (k = 0; k < len; k++) {
    arb_mul_fmpz(res + k, res + k, q, w);
    fmpz_mul_ui(q, q, (ulong)(d + k + 1));
    fmpz_divexact_ui(q, q, (ulong)(k + 1));
  }
  fmpz_clear(q);
}

int
gt_sf_jet_deriv(GtSf f, long n, mpfr_srcptr a, mpfr_srcptr x, int d, int K,
                mpfr_ptr *out)
{
  slong len, k, w, wprev, wmax = 0, p = 0, left = 0, lost, ceiling0 = 0;
  arb_t ab, xb;
  arb_ptr res, prev;
  char *done;
  int st = d < 0 || K > INT_MAX - d ? GT_SF_BADARG
                                    : check_domain(f, n, a, x, K + d);

  if (st != GT_SF_OK) {
    if (K >= 0)
      all_nan(out, K);
    return st;
  }
  len = (slong)K + 1;
  done = calloc((size_t)len, 1);
  if (done == NULL) {
    all_nan(out, K);
    return GT_SF_NOCONV;
  }
  for (k = 0; k < len; k++) {
    if ((slong)mpfr_get_prec(out[k]) > p)
      p = mpfr_get_prec(out[k]);
    /* gamma_inc's exact test costs O(k^2): only when the loop stalls */
    if (f != GT_SF_GAMMA_INC && known_zero(f, n, a, x, (int)k + d)) {
      mpfr_set_zero(out[k], 1);
      done[k] = 1;
    } else {
      left++;
    }
  }
  arb_init(ab);
  arb_init(xb);
  arf_set_mpfr(arb_midref(xb), x);
  if (a != NULL)
    arf_set_mpfr(arb_midref(ab), a);
  res = _arb_vec_init(len + d);
  prev = _arb_vec_init(len);
  w = wprev = p + 32 + (len + d) / 2;
  while (left > 0) {
    jet_balls(f, n, ab, xb, len + d, res, w);
    shift_scale(res + d, len, d, w);
    for (k = 0; k < len; k++)
      if (!done[k] && round_ball(out[k], res + d + k, w)) {
        done[k] = 1;
        left--;
      }
    if (left == 0)
      break;
    /* a ball that held zero may show its loss only at a later step */
    lost = 4 * p + 64 + bits_lost(res + d, len, w);
    if (lost > wmax)
      wmax = lost;
    if (f == GT_SF_GAMMA_INC && w > p + 32 + (len + d) / 2) {
      for (k = 0; k < len; k++)
        if (!done[k] && arb_contains_zero(res + d + k) &&
            known_zero(f, n, a, x, (int)k + d)) {
          mpfr_set_zero(out[k], 1);
          done[k] = 1;
          left--;
        }
    }
    /* At the ceiling, a ball that holds zero is settled as an exact zero
       only when its radius is small next to the coefficients resolved to
       nonzero numbers (below 2^-p times the largest): otherwise the
       method may just need more precision, which bits_lost cannot see in
       balls that hold zero (Arb's J_1001(1000) loses 660 bits, its balls
       shrinking as a computed zero's would, while J_1000(1000) is
       resolved at once), so the ceiling rises, up to 16 times the first
       one. */
    if (left > 0 && w >= wmax) {
      if (ceiling0 == 0)
        ceiling0 = wmax;
      if (wmax < 16 * ceiling0 && !zeros_plausible(out, done, res + d, len, p))
        wmax += wmax / 2;
    }
    if (left > 0 && w >= wmax) {
      st = settle(out, done, res + d, prev, len, w - wprev);
      break;
    }
    _arb_vec_set(prev, res + d, len);
    wprev = w;
    w += w / 2;
    if (w > wmax)
      w = wmax;
  }
  _arb_vec_clear(res, len + d);
  _arb_vec_clear(prev, len);
  arb_clear(ab);
  arb_clear(xb);
  free(done);
  return st;
}

int
gt_sf_jet(GtSf f, long n, mpfr_srcptr a, mpfr_srcptr x, int K,
          mpfr_ptr *out)
{
  return gt_sf_jet_deriv(f, n, a, x, 0, K, out);
}

/* ------------------------------------------------------------------ */
/* Two-argument functions                                               */
/* ------------------------------------------------------------------ */

/* Ball of d^i/da^i d^j/db^j f(a, b) at working precision w. */
static void
value2_ball(arb_t r, GtSf2 f, const arb_t a, const arb_t b, int i, int j,
            slong w)
{
  arb_poly_t ga, gb, gc, h;
  arb_t c, one, s, t;
  fmpz_t bin;
  int i1, j1, m;

  arb_poly_init(ga);
  arb_poly_init(gb);
  arb_poly_init(gc);
  arb_poly_init(h);
  arb_init(c);
  arb_init(one);
  arb_init(s);
  arb_init(t);
  fmpz_init(bin);
  arb_one(one);
  arb_add(c, a, b, w);
  if (f == GT_SF2_LBETA) {
    if (i > 0 && j > 0) {
      polygamma_series(gc, i + j - 1, c, 1, w);
      arb_neg(r, gc->coeffs);
    } else {
      int d = i + j;
      polygamma_series(ga, d - 1, i > 0 || d == 0 ? a : b, 1, w);
      polygamma_series(gc, d - 1, c, 1, w);
      arb_sub(r, ga->coeffs, gc->coeffs, w);
      if (d == 0) {
        polygamma_series(gb, -1, b, 1, w);
        arb_add(r, r, gb->coeffs, w);
      }
    }
  } else {
    linear(h, a, one);
    arb_poly_gamma_series(ga, h, i + 1, w);
    linear(h, b, one);
    arb_poly_gamma_series(gb, h, j + 1, w);
    linear(h, c, one);
    arb_poly_rgamma_series(gc, h, i + j + 1, w);
    arb_zero(s);
    for (i1 = 0; i1 <= i; i1++)
      for (j1 = 0; j1 <= j; j1++) {
        m = (i - i1) + (j - j1);
        arb_poly_get_coeff_arb(t, gc, m);
        fmpz_bin_uiui(bin, (ulong)m, (ulong)(i - i1));
        arb_mul_fmpz(t, t, bin, w);
        arb_mul(t, t, ga->coeffs + i1, w);
        arb_mul(t, t, gb->coeffs + j1, w);
        arb_add(s, s, t, w);
      }
    /* derivative = i! j! coefficient */
    fmpz_fac_ui(bin, (ulong)i);
    arb_mul_fmpz(s, s, bin, w);
    fmpz_fac_ui(bin, (ulong)j);
    arb_mul_fmpz(r, s, bin, w);
  }
  arb_poly_clear(ga);
  arb_poly_clear(gb);
  arb_poly_clear(gc);
  arb_poly_clear(h);
  arb_clear(c);
  arb_clear(one);
  arb_clear(s);
  arb_clear(t);
  fmpz_clear(bin);
}

/* Whether mpfr_beta handles x quickly and right: 2^-64 <= |x| < 2^32
   (0 is a pole, caught before). */
static int
in_mpfr_beta_range(mpfr_srcptr x)
{
  return mpfr_zero_p(x)
         || (mpfr_get_exp(x) > -64 && mpfr_get_exp(x) <= 32);
}

int
gt_sf_value2(GtSf2 f, mpfr_srcptr a, mpfr_srcptr b, int i, int j,
             mpfr_ptr out)
{
  arb_t ab, bb, r, prev;
  slong p = mpfr_get_prec(out), w, wprev, wmax;
  int st = GT_SF_OK;

  if ((f != GT_SF2_BETA && f != GT_SF2_LBETA) || i < 0 || j < 0) {
    mpfr_set_nan(out);
    return GT_SF_BADARG;
  }
  if (!mpfr_number_p(a) || !mpfr_number_p(b)) {
    mpfr_set_nan(out);
    return GT_SF_DOMAIN;
  }
  if (is_nonpos_int(a) || is_nonpos_int(b)) {
    mpfr_set_nan(out);
    return GT_SF_POLE;
  }
  /* MPFR's beta is correctly rounded, but (MPFR 4.2) it returns NaN for
     a or b above about 1e17 and its cost grows fast with the exponent of
     a tiny argument (minutes at 1e-10000): outside 2^-64 <= |a|, |b| <
     2^32 the value comes from Arb's Gamma as the derivatives do */
  if (f == GT_SF2_BETA && i == 0 && j == 0
      && in_mpfr_beta_range(a) && in_mpfr_beta_range(b)) {
    mpfr_beta(out, a, b, MPFR_RNDN);
    return GT_SF_OK;
  }
  arb_init(ab);
  arb_init(bb);
  arb_init(r);
  arf_set_mpfr(arb_midref(ab), a);
  arf_set_mpfr(arb_midref(bb), b);
  if (f == GT_SF2_LBETA) {
    /* a + b a pole of Gamma: B = 0, log|B| = -inf, its derivatives
       infinite */
    arb_add(r, ab, bb, ARF_PREC_EXACT);
    if (arb_is_int(r) && !arb_is_positive(r)) {
      arb_clear(ab);
      arb_clear(bb);
      arb_clear(r);
      mpfr_set_nan(out);
      return GT_SF_POLE;
    }
  }
  w = wprev = p + 32 + 2 * (i + j);
  wmax = 0;
  arb_init(prev);
  for (;;) {
    value2_ball(r, f, ab, bb, i, j, w);
    if (round_ball(out, r, w))
      break;
    if (4 * p + 64 + bits_lost(r, 1, w) > wmax)
      wmax = 4 * p + 64 + bits_lost(r, 1, w);
    if (w >= wmax) {
      char done = 0;
      st = settle(&out, &done, r, prev, 1, w - wprev);
      break;
    }
    arb_set(prev, r);
    wprev = w;
    w += w / 2;
    if (w > wmax)
      w = wmax;
  }
  arb_clear(prev);
  arb_clear(ab);
  arb_clear(bb);
  arb_clear(r);
  return st;
}
