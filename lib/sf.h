/* sf.h -- Taylor jets of one-variable special functions, correctly rounded
 *
 * gt_sf_jet(f, n, a, x, K, out) sets out[k] = f^(k)(x) / k! for k = 0..K,
 * each rounded to nearest (MPFR_RNDN) into out[k]'s own precision.  The
 * jet is what every rule of the op table needs:
 *   value rule          out[0]                        (K = 0)
 *   adjoint rule        out[1] = f'(x)                (K = 1)
 *   Taylor rule         compose the jet with the argument's series:
 *                       f(x0 + u(t)) = sum_k out[k] u(t)^k, u(0) = 0
 *   recorded adjoint    the same function one order up: d/dx of
 *                       polygamma(n, x) is polygamma(n + 1, x); for the
 *                       others the jet of order K + 1 gives the K-th
 *                       derivative of f'.
 *
 * Method (lib/sf.c): Arb ball arithmetic at a working precision, raised
 * (Ziv's strategy) until each coefficient's ball rounds to one MPFR number.
 *
 * Internal to libgradtool (not installed).  Thread-safe: no static mutable
 * state (Arb's constant caches are thread-local).  The caller owns out[]
 * (initialised MPFR numbers); nothing is allocated that outlives a call.
 */
#ifndef GT_SF_H
#define GT_SF_H

#include <mpfr.h>

/* The functions.  n and a are the fixed parameters; x is the variable. */
typedef enum GtSf {
  GT_SF_POLYGAMMA,    /* polygamma(n, x), n >= -1: n = -1 log|Gamma(x)|,
                         n = 0 digamma psi(x), n >= 1 psi^(n)(x);
                         poles at x = 0, -1, -2, ... */
  GT_SF_ZETA,         /* Riemann zeta(x), x real; pole at x = 1 */
  GT_SF_ERFC,         /* erfc(x) = 1 - erf(x), all real x */
  GT_SF_ERFINV,       /* erfinv(x), -1 < x < 1 */
  GT_SF_NORM_CDF,     /* Phi(x) = erfc(-x / sqrt 2) / 2, all real x */
  GT_SF_NORM_LOGCDF,  /* log Phi(x), all real x (no underflow) */
  GT_SF_BESSELJ,      /* J_n(x), integer n, all real x */
  GT_SF_BESSELY,      /* Y_n(x), integer n, x > 0 */
  GT_SF_GAMMA_INC,    /* upper incomplete Gamma(a, x) = int_x^inf
                         t^(a-1) e^-t dt, as a function of x for fixed a:
                         x > 0; also x <= 0 when a is a positive integer
                         (then entire in x); x = 0 when a > 0 and K < a */
  GT_SF_LAMBERTW,     /* principal branch W0(x), x >= -1/e */
  GT_SF_GAMMA_INC_A,  /* Gamma(x, a), the upper incomplete gamma as a
                         function of its ORDER x (the variable here) for a
                         fixed lower limit a >= 0 (passed as a): any real
                         x when a > 0 (entire in x), x > 0 when a = 0
                         (then Gamma(x)) */
  GT_SF_GAMMA_INC_DX, /* d^n/da^n Gamma(a, x), n >= 1, as a function of x
                         for fixed a: x > 0 */
  GT_SF_COUNT
} GtSf;

/* Status of gt_sf_jet and gt_sf_value2. */
typedef enum GtSfStatus {
  GT_SF_OK = 0,       /* every out[k] is correctly rounded (see below) */
  GT_SF_POLE,         /* x is a pole: polygamma at 0, -1, -2, ...;
                         zeta at 1 */
  GT_SF_DOMAIN,       /* x (or a) outside the real domain; gt_sf_domain
                         says what the domain is.  Also a non-finite x. */
  GT_SF_BADARG,       /* f unknown, K < 0, polygamma n < -1, a NaN,
                         |n| too large for a long */
  GT_SF_NOCONV        /* the working precision reached its ceiling with
                         a coefficient still less accurate than its own
                         precision: out[k] holds the best value found */
} GtSfStatus;

/* out[k] = f^(k)(x)/k!, k = 0..K, each rounded to nearest in its own
   precision.  n: the integer parameter (polygamma order, Bessel order;
   ignored otherwise); a: the real parameter of gamma_inc (NULL otherwise).
   On a status other than GT_SF_OK and GT_SF_NOCONV every out[k] is NaN.
   Guarantee on GT_SF_OK: out[k] is the correct rounding of the exact value,
   except when the Ziv loop reaches its ceiling (the value is then zero or
   within 2^-(4p+64) relative of a rounding boundary, p = out[k]'s
   precision): a ball that still contains zero gives +0 when its radius
   (a bound on the exact value) shrank with the working precision as a
   computed zero's does, any other the rounding of its midpoint, which is
   then faithful (error < 1 ulp).  Exact zeros that are known (symmetry,
   trivial zeros, x = 0, gamma_inc's polynomial factor) are detected and
   returned as +0 without the loop.  GT_SF_NOCONV: where Arb's method
   cannot reach the accuracy (e.g. besselj with order ~ argument ~ 1e5),
   out[k] is the midpoint found, not to be trusted. */
int gt_sf_jet(GtSf f, long n, mpfr_srcptr a, mpfr_srcptr x, int K,
              mpfr_ptr *out);

/* The jet of the d-th derivative: out[k] = f^(d+k)(x)/k!, k = 0..K, each
   rounded to nearest (gt_sf_jet is d = 0).  This is the "same function
   with a derivative order parameter" a recorded adjoint needs: the value
   of f^(d) is out[0] with K = 0, its derivative f^(d+1) is d + 1.
   (For polygamma, polygamma(n + d, .) is the same thing and cheaper.)
   Status as gt_sf_jet; the domain is checked for order d + K. */
int gt_sf_jet_deriv(GtSf f, long n, mpfr_srcptr a, mpfr_srcptr x, int d,
                    int K, mpfr_ptr *out);

/* Frees the calling thread's Arb/FLINT caches (constants such as pi,
   Bernoulli numbers), which are thread-local: a thread that used these
   functions calls it before it ends, or the caches leak; the main thread
   may (valgrind then shows no "still reachable" blocks).  The functions
   remain usable afterwards (the caches are rebuilt on demand). */
void gt_sf_thread_done(void);

/* The domain of f as text, for an error message ("x must be in (-1, 1)"). */
const char *gt_sf_domain(GtSf f);

/* The function's name in the language ("polygamma", "erfinv", ...). */
const char *gt_sf_name(GtSf f);

/* Two-argument functions. */
typedef enum GtSf2 {
  GT_SF2_BETA,        /* B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b) */
  GT_SF2_LBETA        /* log |B(a, b)| */
} GtSf2;

/* out = d^i/da^i d^j/db^j f(a, b), rounded to nearest in out's precision,
   for any orders i, j >= 0.  Same status codes as gt_sf_jet: GT_SF_POLE
   when a or b is a non-positive integer (a pole of Gamma), and for lbeta
   also when a + b is one (there B = 0: beta and its derivatives are
   finite, through 1/Gamma, but log|B| = -inf).
   Formulas (psi^(m) = polygamma(m, .)):
     lbeta:  (i, j) = (0, 0)  lgamma|a| + lgamma|b| - lgamma|a+b|
             i > 0, j = 0     psi^(i-1)(a) - psi^(i-1)(a+b)
             i = 0, j > 0     psi^(j-1)(b) - psi^(j-1)(a+b)
             i > 0, j > 0     -psi^(i+j-1)(a+b)
     beta:   B(a+s, b+t) = Gamma(a+s) Gamma(b+t) rgamma(a+b+s+t), so the
             coefficient of s^i t^j is
               sum_{i1<=i, j1<=j} G_a[i1] G_b[j1] R[m] C(m, i-i1),
               m = (i-i1) + (j-j1),
             with G_a, G_b the Taylor coefficients of Gamma at a, b and R
             those of 1/Gamma at a+b; the derivative is i! j! times it.
             (i, j) = (0, 0) is mpfr_beta. */
int gt_sf_value2(GtSf2 f, mpfr_srcptr a, mpfr_srcptr b, int i, int j,
                 mpfr_ptr out);

#endif
