/* format.c -- number formatting: shortest round-trip decimals and fixed significant digits
 *
 * gt_format_number turns an MPFR number into the text gradtool prints.
 *
 * Digits.  With digits > 0 the number is rounded to nearest (mpfr_get_str,
 * MPFR_RNDN) to that many significant digits and all of them are printed,
 * trailing zeros included.  With digits == 0 we print the shortest n-digit
 * nearest rounding d_n of x that reads back (mpfr_strtofr at x's precision p,
 * MPFR_RNDN) to exactly x.  n = mpfr_get_str_ndigits(10, p) always works, so
 * the answer lies in [1, that].
 *
 * Searching for n.  Decimals with n significant digits are a subset of those
 * with n+1, so |d_n - x| never grows with n.  When x is not a power of two its
 * rounding interval is symmetric (half an ulp each side, both ends open or
 * both closed, by the parity of x's last bit), so "d_n reads back" is
 * monotone in n and a galloping search followed by bisection finds the least
 * n in O(log n) conversions instead of n of them (see least_true).  When |x| = 2^k the interval
 * is [x - h, x + 2h] with h = ulp below / 2: twice as wide above as below, and
 * "d_n reads back" need not be monotone (d_n above x may read back while the
 * closer d_{n+1} below x does not).  There we bisect on the monotone predicate
 * |d_n - x| <= 2h, which every readable d_n satisfies, and then walk up one
 * digit at a time until d_n reads back; that walk is a digit or two in
 * practice (it ends at the latest once |d_n - x| <= h).
 *
 * Exact integers with |x| < 2^p take a shortcut: every decimal with fewer
 * significant digits than x's own (trailing zeros dropped) is an integer at
 * distance >= 1 from x, while x's rounding interval is at most 1/2 wide each
 * side, so x's own digits are the shortest.  GMP converts them directly.
 *
 * Layout.  With x = 0.d1d2...dn * 10^E (mpfr_get_str's convention) the
 * scientific exponent is E - 1.  Plain notation when -6 <= E - 1 <= 21
 * (1e21 prints 1000000000000000000000, 1e22 prints 1e+22, 0.000001 prints
 * 0.000001, 1e-7 prints 1e-7); scientific otherwise: d[.ddd]e+N / e-N.
 * Integers print with no point.  Zero of either sign prints "0"; NaN,
 * +inf, -inf print "nan", "inf", "-inf".
 *
 * With digits > 0 no printed digit may claim more than was asked for: an
 * exact integer of at most `digits` decimal digits prints as an integer,
 * exactly as with digits == 0 (8 prints "8", a loop counter 0 prints "0"),
 * and any other number prints its `digits` rounded digits, plain only when
 * no zero has to be padded before the point (2.5 prints "2.50" with three,
 * 0.0001234 "0.00012" with two), scientific otherwise (299792458 prints
 * "3.00e+8" with three digits, not "300000000", and 1e21 "1.00e+21").
 *
 * Reading the interval's ends.  Before searching, interval_digits reads the
 * least n directly from the decimal truncations of the interval's two ends:
 * n is one more than the length of their common prefix, unless an end is
 * itself a short decimal (then the search decides, because only there does
 * the open or closed end matter).  That settles more than 99% of computed
 * values with three conversions and no read-back.
 *
 * The fixed-width fast path.  Before interval_digits, fast_digits does
 * the same reading of the ends for precisions up to 256 bits and ulps
 * from 2^-1129 to 2^1129 (every double, subnormal magnitudes included,
 * but powers of two; the usual 128-bit results) with integers of a few
 * limbs on the stack: one product by a tabled 5^s, shifts, and its own
 * conversion of one integer to decimal.  What it cannot decide (an interval's end or a
 * tie that would need the open or closed end, a power of ten inside the
 * interval at a few bits, powers of two) goes on to interval_digits and
 * the search, so the text is the same byte for byte.
 *
 * Cost: on the fast path about 1,000 instructions at 128 bits near 1,
 * about 1,250 for a whole gt_format_number with the layout and its
 * malloc (callgrind, issue 13's W1: printing 1e5 gradient numbers went
 * from 8.8% of the run's instructions, about 4,500 a number, to 2.6%).
 * Otherwise three conversions of about n digits, n ~ 0.3 p, each
 * subquadratic in GMP, on interval_digits' direct path; O(log n)
 * conversions and read-backs on the search, typically 2 to 6 when nearly
 * all digits are needed.  The power-of-two walk adds a few more.
 */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

/* Plain notation for scientific exponents in [PLAIN_MIN, PLAIN_MAX]. */
#define PLAIN_MIN (-6)
#define PLAIN_MAX 21

static char *
dup_str(const char *s)
{
  size_t n = strlen(s) + 1;
  char *r = malloc(n);
  if (r != NULL)
    memcpy(r, s, n);
  return r;
}

/* Lays out the digits dig[0..n-1] (no sign, dig[0] != '0' unless the value
   is zero) of the value 0.dig * 10^e, negated when neg. */
static char *
layout(int neg, const char *dig, size_t n, mpfr_exp_t e, int rounded)
{
  /* e - 1 is the scientific exponent; compare without overflowing.
     A rounded number (--digits) pads no zero before the point. */
  int plain = e >= PLAIN_MIN + 1 && e <= PLAIN_MAX + 1
              && (!rounded || e <= (mpfr_exp_t)n);
  size_t size, k = 0;
  char *r;

  if (plain)
    size = (size_t)neg + n + 3 + (e <= 0 ? (size_t)-e : (size_t)e);
  else
    size = (size_t)neg + n + 2 + 24;     /* "e-" and a 64-bit exponent */
  r = malloc(size);
  if (r == NULL)
    return NULL;
  if (neg)
    r[k++] = '-';
  if (!plain) {
    r[k++] = dig[0];
    if (n > 1) {
      r[k++] = '.';
      memcpy(r + k, dig + 1, n - 1);
      k += n - 1;
    }
    long long ex = (long long)e - 1;
    snprintf(r + k, size - k, "e%c%lld", ex < 0 ? '-' : '+',
             ex < 0 ? -ex : ex);
    return r;
  }
  if (e <= 0) {
    /* 0.000ddd: -e zeros after the point. */
    r[k++] = '0';
    r[k++] = '.';
    memset(r + k, '0', (size_t)-e);
    k += (size_t)-e;
    memcpy(r + k, dig, n);
    k += n;
  } else if ((size_t)e < n) {
    /* ddd.ddd */
    memcpy(r + k, dig, (size_t)e);
    k += (size_t)e;
    r[k++] = '.';
    memcpy(r + k, dig + e, n - (size_t)e);
    k += n - (size_t)e;
  } else {
    /* an integer: ddd000, no point */
    memcpy(r + k, dig, n);
    k += n;
    memset(r + k, '0', (size_t)e - n);
    k += (size_t)e - n;
  }
  r[k] = '\0';
  return r;
}

/* Scratch state of one shortest-digits search. */
typedef struct Search {
  mpfr_srcptr ax;       /* |x| */
  mpfr_prec_t prec;     /* x's precision */
  char *buf;            /* "digits" "e" exponent, for reading back */
  mpfr_t t;             /* read-back value */
  /* power-of-two case only: |x| - 2h and |x| + 2h, exact at prec + 2 */
  mpfr_t lo2, hi2;
} Search;

/* Writes "DIGITSeEXP" (the n-digit nearest rounding of |x|) into s->buf. */
static void
probe_string(Search *s, size_t n)
{
  mpfr_exp_t e;
  /* s->buf has room for the longest rounding plus the exponent. */
  mpfr_get_str(s->buf, &e, 10, n, s->ax, MPFR_RNDN);
  snprintf(s->buf + n, 32, "e%lld", (long long)e - (long long)n);
}

/* Does the n-digit rounding of |x| read back to |x| at x's precision? */
static int
reads_back(Search *s, size_t n)
{
  probe_string(s, n);
  mpfr_set_prec(s->t, s->prec);
  mpfr_strtofr(s->t, s->buf, NULL, 10, MPFR_RNDN);
  return mpfr_equal_p(s->t, s->ax);
}

/* Power of two only: is the n-digit rounding d of |x| within 2h of |x|?
   The bounds are representable at prec + 2 bits, so comparing the
   downward and upward roundings of d with them is exact. */
static int
within_2h(Search *s, size_t n)
{
  probe_string(s, n);
  mpfr_set_prec(s->t, s->prec + 2);
  mpfr_strtofr(s->t, s->buf, NULL, 10, MPFR_RNDD);
  if (mpfr_less_p(s->t, s->lo2))
    return 0;
  mpfr_strtofr(s->t, s->buf, NULL, 10, MPFR_RNDU);
  return !mpfr_greater_p(s->t, s->hi2);
}

/* Least n in [1, hi] with pred(n), for a monotone pred true at hi.
   Most numbers need either few digits (0.1, results of exact arithmetic)
   or nearly all hi of them (anything computed), and a probe costs about
   its digit count: so first look just below hi (n = hi - 1, then hi - 4),
   then try 1, 2, 4, ... from below, then bisect the last gap. */
static size_t
least_true(Search *s, size_t hi, int (*pred)(Search *, size_t))
{
  size_t lo = 1, n = 1;
  if (hi > 8) {
    if (!pred(s, hi - 1))
      return hi;
    if (!pred(s, hi - 4)) {
      lo = hi - 3;
      n = hi - 1;
      goto bisect;
    }
    hi -= 4;
  }
  while (n < hi && !pred(s, n)) {
    lo = n + 1;
    n = n * 2 < hi ? n * 2 : hi;
  }
bisect:
  /* invariant: pred(n) holds, pred(lo - 1) does not (or lo == 1) */
  while (lo < n) {
    size_t mid = lo + (n - lo) / 2;
    if (pred(s, mid))
      n = mid;
    else
      lo = mid + 1;
  }
  return n;
}

/* Exact integer x: its own digits, trailing zeros dropped, or NULL (with
   *toolong set) when it has more than max digits (max == 0: no bound). */
static char *
format_integer(mpfr_srcptr x, size_t max, int *toolong)
{
  mpz_t z;
  char *dig, *r;
  size_t n;

  *toolong = 0;
  mpz_init(z);
  mpfr_get_z(z, x, MPFR_RNDN);                   /* exact */
  mpz_abs(z, z);
  dig = malloc(mpz_sizeinbase(z, 10) + 2);
  if (dig == NULL) {
    mpz_clear(z);
    return NULL;
  }
  mpz_get_str(dig, 10, z);
  mpz_clear(z);
  n = strlen(dig);
  if (max > 0 && n > max) {
    free(dig);
    *toolong = 1;
    return NULL;
  }
  mpfr_exp_t e = (mpfr_exp_t)n;
  while (n > 1 && dig[n - 1] == '0')
    n--;
  r = layout(mpfr_signbit(x) != 0, dig, n, e, 0);
  free(dig);
  return r;
}

/* all_zeros: are s[from..to) all '0'? */
static int
all_zeros(const char *s, size_t from, size_t to)
{
  for (size_t i = from; i < to; i++)
    if (s[i] != '0')
      return 0;
  return 1;
}

/* q = floor(m * 2^e2 * 10^s) for m > 0, exactly, with 10^s = 5^s 2^s and
   p5 = 5^|s| given; *exact says whether the floor dropped nothing.  t is
   scratch. */
static void
scaled_floor(mpz_ptr q, mpz_srcptr m, long e2, long s, mpz_srcptr p5,
             mpz_ptr t, int *exact)
{
  long f2 = e2 + s;
  if (s >= 0) {
    mpz_mul(q, m, p5);
    if (f2 >= 0) {
      mpz_mul_2exp(q, q, (mp_bitcnt_t)f2);
      *exact = 1;
    } else {
      *exact = mpz_divisible_2exp_p(q, (mp_bitcnt_t)-f2);
      mpz_fdiv_q_2exp(q, q, (mp_bitcnt_t)-f2);
    }
    return;
  }
  if (f2 >= 0) {
    mpz_mul_2exp(q, m, (mp_bitcnt_t)f2);
    mpz_set(t, p5);
  } else {
    mpz_set(q, m);
    mpz_mul_2exp(t, p5, (mp_bitcnt_t)-f2);
  }
  *exact = mpz_divisible_p(q, t);
  mpz_fdiv_q(q, q, t);
}

/* interval_digits' integers, kept per thread between calls (allocating
   them for every number cost about a third of its time) and freed when
   the thread ends. */
typedef struct Scratch {
  mpz_t m, a, b, t, p5;
  long p5_of;             /* p5 = 5^p5_of, or -1 */
} Scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_ok;

static void
scratch_free(void *p)
{
  Scratch *z = p;
  mpz_clears(z->m, z->a, z->b, z->t, z->p5, (mpz_ptr)0);
  free(z);
}

static void
scratch_key_make(void)
{
  scratch_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

/* This thread's scratch integers; NULL when out of memory. */
static Scratch *
scratch(void)
{
  pthread_once(&scratch_once, scratch_key_make);
  if (!scratch_ok)
    return NULL;
  Scratch *z = pthread_getspecific(scratch_key);
  if (z == NULL) {
    z = malloc(sizeof *z);
    if (z == NULL)
      return NULL;
    mpz_inits(z->m, z->a, z->b, z->t, z->p5, (mpz_ptr)0);
    z->p5_of = -1;
    if (pthread_setspecific(scratch_key, z) != 0) {
      scratch_free(z);
      return NULL;
    }
  }
  return z;
}

/* A (its la digits in a) and B = A - D (D > 0, its digits in d) agree
   on all but their last j digits: returns the least j with
   A mod 10^j >= D, as then floor(A / 10^j) = floor(B / 10^j) and not
   for any smaller j.  D has dd digits: A's last dd digits, compared
   with D's, decide j = dd; else the next nonzero digit of A to the left
   does (A mod 10^j >= 10^dd > D), or there is none (j = la). */
static size_t
common_suffix(const char *a, size_t la, const char *d)
{
  size_t dd = strlen(d);
  if (dd > la)
    return la;
  if (memcmp(a + la - dd, d, dd) >= 0)
    return dd;
  size_t j = dd + 1;
  while (j < la && a[la - j] == '0')
    j++;
  return j;
}

/* The shortest digits of |x| (x not +-2^k, not an integer below 2^prec)
   by exact integer arithmetic on its rounding interval, into dig[0..*n)
   with *e as mpfr_get_str's exponent; 0 on success, -1 when this cannot
   decide (the caller searches instead).
   With |x| = M 2^E (M the p-bit significand), the interval's ends are
   lo = (2M - 1) 2^(E-1) and hi = (2M + 1) 2^(E-1), h = 2^(E-1) half an
   ulp.  Scaled by 10^s so that they have about N = max + 2 digits,
   A = floor(hi 10^s) and B = floor(lo 10^s) (exact integers, with a flag
   saying whether the floor dropped anything):
   - A and B of different lengths: a power of ten lies in (lo, hi]; this
     rare case is left to the search;
   - else let n0 be one more than the length of their common prefix.  With
     g = 10^(len - n0 - s), floor(hi/g) = A[0..n0) > B[0..n0) = floor(lo/g),
     so the multiple A[0..n0) g lies in (lo, hi], strictly below hi unless
     hi is exactly that multiple (undecided).  With fewer digits n < n0 the
     ends truncate alike, so a multiple of 10^(len - n - s) lies in
     [lo, hi] only if it is lo itself (undecided when lo is exactly a
     multiple of 10^(len - n0 - s)).
   So n0 digits hold a decimal in the open interval and n0 - 1 hold none in
   the closed one: whether the ends are open (ties to even) does not
   matter, and as the interval is symmetric about |x|, the nearest n0-digit
   rounding of |x| lies in it and reads back.  That rounding is
   floor(2 |x| 10^s') with s' = n0 - len + s: its last bit says whether the
   remainder reaches one half (an exact half is undecided, to leave ties to
   mpfr_get_str's own rule).  Nothing here goes through mpfr_get_str or a
   read-back: a few products and quotients of integers of about p + 3.3 N
   bits (more for exponents far from 0; beyond 2^+-30000 the search is
   cheaper). */
static int
interval_digits(mpfr_srcptr x, size_t max, char *dig,
                size_t *n, mpfr_exp_t *e)
{
  long ex = (long)mpfr_get_exp(x);
  if (ex < -30000 || ex > 30000)
    return -1;
  size_t N = max + 2;
  /* k0 = floor((ex - 1) log10 2) + 1, within one of the decimal exponent
     (only the scale depends on it: the lengths below are measured) */
  double d = (double)(ex - 1) * 0.30102999566398120;
  long k0 = (long)d;
  if ((double)k0 > d)
    k0--;
  k0++;
  long s = (long)N - k0;
  Scratch *z = scratch();
  if (z == NULL)
    return -1;
  mpz_ptr m = z->m, a = z->a, b = z->b, t = z->t, p5 = z->p5;
  int rc = -1, exa, exb, exq;
  long E = (long)mpfr_get_z_2exp(m, x);            /* x = m 2^E, exact */
  mpz_abs(m, m);
  if (z->p5_of != (s < 0 ? -s : s)) {    /* a tensor's elements share it */
    z->p5_of = s < 0 ? -s : s;
    mpz_ui_pow_ui(p5, 5, (unsigned long)z->p5_of);
  }
  mpz_mul_2exp(m, m, 1);
  mpz_add_ui(m, m, 1);                             /* 2M + 1 */
  scaled_floor(a, m, E - 1, s, p5, t, &exa);
  mpz_sub_ui(m, m, 2);                             /* 2M - 1 */
  scaled_floor(b, m, E - 1, s, p5, t, &exb);
  /* dig has room for max + 40 characters: A has about N */
  size_t la = mpz_sizeinbase(a, 10);
  if (la > max + 30 || exb)
    goto done;              /* lo exact: its digits matter (the search) */
  mpz_get_str(dig, 10, a);
  la = strlen(dig);                                /* sizeinbase may be 1 over */
  mpz_sub(t, a, b);                                /* D = A - B > 0 */
  char ds[48];
  if (mpz_sgn(t) <= 0 || mpz_sizeinbase(t, 10) > 40)
    goto done;
  mpz_get_str(ds, 10, t);
  size_t j = common_suffix(dig, la, ds);
  if (j >= la || j > 19)
    goto done;              /* no common prefix, or a rare wide interval */
  size_t i = la - j;        /* A and B agree on their first i digits */
  if ((exa && all_zeros(dig, i + 1, la)) || i + 1 > max)
    goto done;
  size_t n0 = i + 1;
  long K = (long)la - s;    /* |x|'s decimal exponent */
  unsigned long g = 1;      /* 10^(j - 1) */
  for (size_t k = 1; k < j; k++)
    g *= 10;
  mpz_tdiv_q_ui(b, a, 10 * g);                     /* P: A's first i digits */
  /* nearest n0-digit rounding: floor(2 |x| 10^(s - (j - 1))), which is
     floor(X / 10^(j - 1)) for X = floor(2 |x| 10^s) */
  mpz_add_ui(m, m, 1);                             /* 2M */
  scaled_floor(a, m, E, s, p5, t, &exq);
  if (mpz_tdiv_q_ui(a, a, g) != 0)
    exq = 0;
  if (mpz_odd_p(a) && exq)
    goto done;                                     /* an exact tie */
  int up = mpz_odd_p(a);
  mpz_fdiv_q_2exp(a, a, 1);
  if (up)
    mpz_add_ui(a, a, 1);
  /* the rounding lies in the interval, so it is 10 P + its last digit
     (or 10 P + 10, a carry into P's digits) */
  mpz_submul_ui(a, b, 10);
  if (mpz_sgn(a) < 0 || mpz_cmp_ui(a, 10) > 0)
    goto done;
  unsigned long last = mpz_get_ui(a);
  *n = n0;
  if (last < 10) {
    dig[i] = (char)('0' + last);
  } else {
    dig[i] = '0';
    size_t k = i;
    while (k > 0 && dig[k - 1] == '9')
      dig[--k] = '0';
    if (k > 0) {
      dig[k - 1]++;
    } else {
      memmove(dig + 1, dig, n0);                   /* 99..9 -> 100..0 */
      dig[0] = '1';
      (*n)++;
    }
  }
  dig[*n] = '\0';
  *e = (mpfr_exp_t)(K + (long)(*n - n0));          /* a carry to 10^n0 */
  rc = 0;
done:
  return rc;
}

/* ---- the fixed-width fast path ------------------------------------------------ */

/* The same digits as interval_digits, for precisions up to FAST_PREC bits
   and ulp(x) = 2^E with 0 < |E| <= FAST_E (2^-1129 to 2^1129), with
   integers on the stack (mpn_ functions on fixed buffers, no allocation)
   and a table of powers of five.  Everything else (E = 0 never gets here:
   those are integers below 2^p), powers of two, and the rare cases it
   cannot decide go to interval_digits and the search, so the text is the
   same byte for byte (test_format compares the two on every kind of
   number).

   With |x| = M 2^E (M the p-bit significand, E = EXP(x) - p), the
   rounding interval has the ends lo = (2M - 1) 2^(E-1) and
   hi = (2M + 1) 2^(E-1), its width is one ulp 2^E.  Scale by 10^s with
   s = -floor(E log10 2): the scaled width w = 2^E 10^s = 10^(E log10 2 + s)
   lies in [1, 10), and is 1 only for E = 0, excluded; so w in (1, 10).
   Write lo' = lo 10^s, hi' = hi 10^s, X = |x| 10^s and
       A = floor(hi'),  B = floor(lo')    (with flags: was the floor exact?).
   For E < 0 (s > 0) they come from one product 2M 5^s and shifts
   (ends_by_product), for E > 0 (s <= 0) from one division by 5^-s and
   small corrections (ends_by_division).  A <= hi' < 10 2^p: five limbs
   whatever s is, and A - B, in [1, 10], is its lowest limb's difference.

   A candidate decimal is an integer c of the scaled line (c 10^-s).
   (1) A closed interval of width w < 10 holds at most one multiple of 10,
       and the only candidate is c = A - (A mod 10), the largest one up to
       hi'.  It lies in [lo', hi'] iff c > B (as c is an integer,
       c > floor(lo') means c > lo'), or c = B = lo' exactly; it equals hi'
       only when c = A = hi' exactly.  Those two exact ends are where the
       open or closed end (ties to even on reading back) would matter:
       undecided.
   (2) If c is strictly inside, it is the only multiple of 10 there, so
       with its trailing zeros dropped (c = c' 10^t, c' of n0 digits) no
       shorter decimal lies in the interval, and c is the only n0-digit
       decimal in it: the n0-digit decimals near c are multiples of 10^t,
       except below a power of ten (c = 10^t, n0 = 1), where 9 10^(t-1)
       is 10^(t-1) below c, more than w away when t >= 2 (c = 10 is
       left undecided).  As the interval is symmetric about X, the
       nearest n0-digit rounding of X, which is what the search and
       mpfr_get_str give, is then c itself (every other n0-digit decimal
       is outside, hence farther from X than c).
   (3) Otherwise no multiple of 10 lies in [lo', hi']; then no power of ten
       10^m, m >= 1, does either, so B and A have the same length L (L >= 2,
       else undecided: only precisions of a few bits get there), there is
       no (L-1)-digit decimal in the interval, and the integers are its
       L-digit decimals.  The nearest integer R to X is within 1/2 of X
       while the interval reaches w/2 > 1/2 either side: R is inside and is
       the answer, unless X is exactly halfway between two integers (a tie,
       undecided, so that mpfr_get_str's own rule is not guessed).
       R = A - d with 0 <= d < A mod 10 (R > c), so R's digits are A's with
       the last one lowered by d: no borrow, no trailing zero.
   So only A is converted to decimal: limbs to 19-digit chunks by
   division by 10^19 (a 128-by-64-bit division per limb), chunks to digits
   two at a time from a table.

   Cost at 128 bits, |x| near 1 (s ~ 40, 5^s two limbs): a 3 x 2 limb
   product, a few shifts and adds on six limbs, five 128-bit divisions by
   10^19 and the digit table: about 1,000 instructions (callgrind), against
   about 4,200 for interval_digits with mpz functions and mpz_get_str.
   E > 0 adds a division of at most 18 by 13 limbs. */

#if GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0
#define FAST 1
#define FAST_PREC 256                   /* p <= 256: M in four limbs */
#define FAST_ALIMBS 5                   /* A < 2^(p+4) <= 2^260 */
#define FAST_S 340                      /* 5^340 < 2^790: 13 limbs */
#define FAST_E 1129                     /* |E| <= 1129: |s| <= 340 */
#define FAST_LIMBS 28                   /* T = 2M 5^s: at most 5 + 13, and 5 zeros */

/* 5^k for k = 0..FAST_S, at pow5_limb + pow5_at[k], pow5_len[k] limbs:
   2,277 limbs (18 KB) in all, made once. */
static mp_limb_t pow5_limb[2304];
static unsigned short pow5_at[FAST_S + 1], pow5_len[FAST_S + 1];
static pthread_once_t pow5_once = PTHREAD_ONCE_INIT;

static void
pow5_make(void)
{
  size_t at = 0, n = 1;
  pow5_limb[0] = 1;
  pow5_at[0] = 0;
  pow5_len[0] = 1;
  for (int k = 1; k <= FAST_S; k++) {
    mp_limb_t *prev = pow5_limb + at, *cur = prev + n;
    mp_limb_t carry = mpn_mul_1(cur, prev, (mp_size_t)n, 5);
    at += n;
    if (carry != 0)
      cur[n++] = carry;
    pow5_at[k] = (unsigned short)at;
    pow5_len[k] = (unsigned short)n;
  }
}

/* The lowest nq limbs of floor(u / 2^k), u's limbs readable (zero
   beyond its length) up to index k / 64 + nq; *exact says whether the
   floor dropped nothing. */
static inline void
shift_floor(mp_limb_t *q, size_t nq, const mp_limb_t *u, unsigned long k,
            int *exact)
{
  size_t w = k / 64;
  unsigned b = (unsigned)(k % 64);
  int ex = b == 0 || (u[w] << (64 - b)) == 0;
  for (size_t i = 0; ex && i < w; i++)
    ex = u[i] == 0;
  *exact = ex;
  if (b == 0)
    memcpy(q, u + w, nq * sizeof *q);
  else
    for (size_t i = 0; i < nq; i++)
      q[i] = (u[w + i] >> b) | (u[w + i + 1] << (64 - b));
}

static const char two_digits[201] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

/* Writes v < 10^8 as 8 decimal digits at out: two at a time from the
   table, by divisions by constants (multiplications). */
static void
put8(char *out, uint32_t v)
{
  uint32_t h = v / 10000, l = v % 10000;
  memcpy(out, two_digits + 2 * (h / 100), 2);
  memcpy(out + 2, two_digits + 2 * (h % 100), 2);
  memcpy(out + 4, two_digits + 2 * (l / 100), 2);
  memcpy(out + 6, two_digits + 2 * (l % 100), 2);
}

/* Writes v < 10^19 as 19 decimal digits at out: 3 + 8 + 8. */
static void
put19(char *out, uint64_t v)
{
  uint64_t top = v / 10000000000000000u, rest = v % 10000000000000000u;
  uint32_t t = (uint32_t)top;
  out[0] = (char)('0' + t / 100);
  memcpy(out + 1, two_digits + 2 * (t % 100), 2);
  put8(out + 3, (uint32_t)(rest / 100000000));
  put8(out + 11, (uint32_t)(rest % 100000000));
}

/* r = (*a) mod 10^19, *a = floor(*a / 10^19) for a of na limbs.  Each
   partial remainder is below 10^19, so each quotient limb fits. */
static uint64_t
div_ten19(mp_limb_t *a, size_t na)
{
  const uint64_t ten19 = 10000000000000000000u;
#ifdef __SIZEOF_INT128__
  unsigned __int128 r = 0;
  for (size_t i = na; i-- > 0;) {
    unsigned __int128 u = (r << 64) | a[i];
    a[i] = (mp_limb_t)(u / ten19);
    r = u % ten19;
  }
  return (uint64_t)r;
#else
  return mpn_divrem_1(a, 0, a, (mp_size_t)na, ten19);
#endif
}

/* The decimal digits of a (na limbs, destroyed) into out, no leading
   zero; returns their number.  a < 2^320: at most 97 digits. */
static size_t
limbs_decimal(char *out, mp_limb_t *a, size_t na)
{
  char buf[100];
  char *end = buf + sizeof buf;
  const mp_limb_t ten19 = 10000000000000000000u;
  while (na > 0 && a[na - 1] == 0)
    na--;
  while (na > 1 || (na == 1 && a[0] >= ten19)) {
    end -= 19;
    put19(end, div_ten19(a, na));
    if (a[na - 1] == 0)
      na--;
  }
  mp_limb_t v = na ? a[0] : 0;
  do {
    *--end = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  size_t n = (size_t)(buf + sizeof buf - end);
  memcpy(out, end, n);
  return n;
}

/* The scaled ends and rounding of |x| = M 2^E, as fast_digits uses them:
   A (na limbs hold it, na <= FAST_ALIMBS), the lowest limbs of B and
   of R = round(X), and whether the floors A and B were exact. */
typedef struct Ends {
  mp_limb_t a[FAST_ALIMBS], b0, r0;
  size_t na;
  int exa, exb;
} Ends;

/* E < 0, s = ceil(-E log10 2) >= 1: with T = 2M 5^s (one product, 5^s
   from the table) and k = 1 - E - s >= 1,
     hi' = (T + 5^s) / 2^k,  lo' = (T - 5^s) / 2^k,  X = T / 2^k,
   so the floors are shifts and their exactness the low k bits.  X is
   halfway between two integers iff floor(2X) is odd and 2X exact: a tie,
   returns -1. */
static int
ends_by_product(const mp_limb_t *m2, size_t n2, long E, long s, Ends *r)
{
  mp_limb_t t[FAST_LIMBS], u[FAST_LIMBS], r2[2];
  const mp_limb_t *f = pow5_limb + pow5_at[s];
  size_t nf = pow5_len[s], nt = n2 + nf;
  int exr;
  if (n2 >= nf)
    mpn_mul(t, m2, (mp_size_t)n2, f, (mp_size_t)nf);   /* T = 2M 5^s */
  else
    mpn_mul(t, f, (mp_size_t)nf, m2, (mp_size_t)n2);
  unsigned long k = (unsigned long)(1 - E - s);
  /* T >= 2^k (X >= 1), so k / 64 < nt and shift_floor reads at most
     limb nt + 4: zeros there */
  memset(t + nt, 0, 5 * sizeof *t);
  memset(u + nt, 0, 5 * sizeof *u);
  /* T + 5^s < 2^(64 nt), as 2M < 2^(64 n2) and 5^s < 2^(64 nf) */
  mpn_add(u, t, (mp_size_t)nt, f, (mp_size_t)nf);
  shift_floor(r->a, r->na, u, k, &r->exa);
  mpn_sub(u, t, (mp_size_t)nt, f, (mp_size_t)nf);
  shift_floor(&r->b0, 1, u, k, &r->exb);
  shift_floor(r2, 2, t, k - 1, &exr);                 /* floor(2X) */
  mp_limb_t half = r2[0] & 1;
  if (half && exr)
    return -1;
  r->r0 = ((r2[0] >> 1) | (r2[1] << 63)) + half;
  return 0;
}

/* Does a (n limbs) equal zero? */
static int
limbs_zero(const mp_limb_t *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (a[i] != 0)
      return 0;
  return 1;
}

/* E > 0 (|x| >= 2^p, an integer), s = -k5 with k5 = floor(E log10 2)
   >= 0, so 10^s = 2^-k5 / 5^k5; with G = E - 1 - k5 >= 0, N = 2M 2^G
   and H = 2^G,
     hi' = (N + H) / 5^k5,  lo' = (N - H) / 5^k5,  X = N / 5^k5.
   One division N = Q 5^k5 + Rm, 0 <= Rm < 5^k5, then small corrections,
   as H / 5^k5 = w / 2 lies in (1/2, 5):
     A = Q + floor((Rm + H) / 5^k5), that quotient in [0, 5];
     B = Q - ceil((H - Rm) / 5^k5) when H > Rm, else Q (0 <= Rm - H <
       5^k5), exact iff the remainder is 0;
     R = Q + [2 Rm > 5^k5], never a tie as 5^k5 is odd. */
static int
ends_by_division(const mp_limb_t *m2, size_t n2, long E, long k5, Ends *r)
{
  mp_limb_t N[FAST_LIMBS], q[FAST_LIMBS], rm[FAST_LIMBS], h[FAST_LIMBS],
      f[FAST_LIMBS], v[FAST_LIMBS];
  size_t nf = pow5_len[k5], nh = nf + 1;
  memcpy(f, pow5_limb + pow5_at[k5], nf * sizeof *f);
  f[nf] = 0;                            /* 5^k5 on nh limbs */
  unsigned long G = (unsigned long)(E - 1 - k5);
  size_t gw = G / 64, nn = gw + n2;
  unsigned gb = (unsigned)(G % 64);
  if (nn + 1 > FAST_LIMBS || gw >= nh)
    return -1;                  /* cannot happen: N < 2^(p+1+G), H < 5 5^k5 */
  memset(N, 0, gw * sizeof *N);
  if (gb == 0)
    memcpy(N + gw, m2, n2 * sizeof *N);
  else if ((N[nn] = mpn_lshift(N + gw, m2, (mp_size_t)n2, gb)) != 0)
    nn++;
  if (nn < nf)
    return -1;                          /* cannot happen: N >= 5^k5 */
  mpn_tdiv_qr(q, rm, 0, N, (mp_size_t)nn, f, (mp_size_t)nf);
  size_t nq = nn - nf + 1;
  rm[nf] = 0;
  memset(h, 0, nh * sizeof *h);
  h[gw] = (mp_limb_t)1 << gb;           /* H < 5 * 5^k5: nh limbs */
  /* A */
  mpn_add_n(v, rm, h, (mp_size_t)nh);
  mp_limb_t qa = 0;
  while (mpn_cmp(v, f, (mp_size_t)nh) >= 0) {
    mpn_sub_n(v, v, f, (mp_size_t)nh);
    qa++;
  }
  r->exa = limbs_zero(v, nh);
  for (size_t i = 0; i < r->na; i++)
    r->a[i] = i < nq ? q[i] : 0;
  if (nq > r->na && !limbs_zero(q + r->na, nq - r->na))
    return -1;                          /* cannot happen: A < 2^(p+4) */
  mpn_add_1(r->a, r->a, (mp_size_t)r->na, qa);
  /* B */
  int c = mpn_cmp(h, rm, (mp_size_t)nh);
  if (c > 0) {
    mpn_sub_n(v, h, rm, (mp_size_t)nh);             /* H - Rm > 0 */
    mp_limb_t qb = 1;
    while (mpn_cmp(v, f, (mp_size_t)nh) > 0) {
      mpn_sub_n(v, v, f, (mp_size_t)nh);
      qb++;
    }
    r->exb = mpn_cmp(v, f, (mp_size_t)nh) == 0;
    r->b0 = q[0] - qb;
  } else {
    r->exb = c == 0;
    r->b0 = q[0];
  }
  /* R: 2 Rm > 5^k5 */
  rm[nf] = mpn_lshift(rm, rm, (mp_size_t)nf, 1);
  r->r0 = q[0] + (mpn_cmp(rm, f, (mp_size_t)nh) > 0);
  return 0;
}

/* The shortest digits of |x| into dig[0..*n) with *e as mpfr_get_str's
   exponent, 0 on success; -1 when x is outside the fast path's range or
   the interval's ends or a tie would decide (see above). */
static int
fast_digits(mpfr_srcptr x, char *dig, size_t *n, mpfr_exp_t *e)
{
  mpfr_prec_t p = mpfr_get_prec(x);
  if (p > FAST_PREC)
    return -1;
  long E = (long)mpfr_get_exp(x) - (long)p;
  if (E == 0 || E < -FAST_E || E > FAST_E)
    return -1;
  /* s = -floor(E log10 2), with log10 2 ~ 78913 / 2^18: exact for
     |E| <= 1650 (checked by tests/oracle/gen_format_fast.py); |s| <= 340
     = FAST_S for |E| <= FAST_E */
  long s = E < 0 ? (-E * 78913 + (1L << 18) - 1) >> 18 : -((E * 78913) >> 18);
  size_t nl = (size_t)(p + 63) / 64;
  const mp_limb_t *mant = mpfr_custom_get_significand(x);
  /* |x| = 2^k has an asymmetric interval: the general path */
  size_t z = 0;
  while (z < nl - 1 && mant[z] == 0)
    z++;
  if (z == nl - 1 && mant[z] == (mp_limb_t)1 << 63)
    return -1;
  /* m2 = 2M: the significand's limbs hold M 2^pad */
  mp_limb_t m2[5];
  unsigned pad = (unsigned)(nl * 64 - (size_t)p);
  size_t n2 = nl;
  if (pad == 0)
    m2[n2++] = mpn_lshift(m2, mant, (mp_size_t)nl, 1);
  else if (pad == 1)
    memcpy(m2, mant, nl * sizeof *m2);
  else
    mpn_rshift(m2, mant, (mp_size_t)nl, pad - 1);
  pthread_once(&pow5_once, pow5_make);
  Ends r;
  r.na = (size_t)(p + 67) / 64;        /* A < 2^(p+4) */
  if ((E < 0 ? ends_by_product(m2, n2, E, s, &r)
             : ends_by_division(m2, n2, E, -s, &r)) != 0)
    return -1;                          /* a tie */
  mp_limb_t D = r.a[0] - r.b0;          /* A - B, in [1, 10] */
  mp_limb_t d = r.a[0] - r.r0;          /* A - R, in [0, D) */
  if (D < 1 || D > 10 || d >= D)
    return -1;                          /* cannot happen */
  size_t L = limbs_decimal(dig, r.a, r.na);
  if (L < 2)
    return -1;
  unsigned a0 = (unsigned)(dig[L - 1] - '0');     /* A mod 10 */
  *e = (mpfr_exp_t)((long)L - s);
  if (a0 < D) {
    /* (1), (2): c = A - a0 > B lies in the interval */
    if ((a0 == 0 && r.exa) || (L == 2 && dig[0] == '1'))
      return -1;                        /* c = hi' exactly, or c = 10 */
    size_t m = L - 1;
    while (m > 1 && dig[m - 1] == '0')
      m--;
    *n = m;
    return 0;
  }
  if (a0 == D && r.exb)
    return -1;                          /* c = B = lo' exactly */
  /* (3): R = A - d */
  if (d >= a0)
    return -1;                          /* cannot happen */
  dig[L - 1] = (char)('0' + a0 - d);
  *n = L;
  return 0;
}
#endif

/* mpfr_get_str_ndigits(10, p) = 1 + ceil(p log10 2), which MPFR computes
   exactly at a cost of about a thousand instructions: here from a double
   when p log10 2 is clearly not an integer (its error is below 1e-16 p),
   from MPFR otherwise. */
static size_t
max_digits(mpfr_prec_t p)
{
  double d = (double)p * 0.30102999566398120;
  double c = (double)(long long)d + 1;            /* ceil for non-integers */
  if (p < ((mpfr_prec_t)1 << 40) && c - d > 1e-3 && c - d < 1 - 1e-3)
    return (size_t)c + 1;
  return mpfr_get_str_ndigits(10, p);
}

/* The shortest round-trip digits of x, laid out; fast: try fast_digits
   first. */
static char *
format_shortest(mpfr_srcptr x, int fast)
{
  mpfr_prec_t prec = mpfr_get_prec(x);
  size_t hi, n;
  Search s;
  mpfr_t ax;
  mpfr_exp_t e;
  char *r = NULL;
  int neg = mpfr_signbit(x) != 0, is_pow2;

  if (mpfr_integer_p(x) && mpfr_get_exp(x) <= prec) {
    int toolong;
    return format_integer(x, 0, &toolong);
  }
#ifdef FAST
  if (fast) {
    char dig[100];
    if (fast_digits(x, dig, &n, &e) == 0)
      return layout(neg, dig, n, e, 0);
  }
#else
  (void)fast;
#endif

  hi = max_digits(prec);
  s.buf = malloc(2 * hi + 80);
  if (s.buf == NULL)
    return NULL;
  is_pow2 = mpfr_cmp_si_2exp(x, neg ? -1 : 1, mpfr_get_exp(x) - 1) == 0;
  if (!is_pow2 && interval_digits(x, hi, s.buf, &n, &e) == 0)
    goto lay_out;

  mpfr_init2(ax, prec);
  mpfr_abs(ax, x, MPFR_RNDN);                      /* exact */
  s.ax = ax;
  s.prec = prec;
  mpfr_init2(s.t, prec + 2);
  if (!is_pow2) {
    n = least_true(&s, hi, reads_back);
  } else {
    /* |x| = 2^k: interval [2^k - h, 2^k + 2h], h = 2^(k-prec-1), so
       2h = 2^(k-prec) = 2^(EXP-1-prec). */
    mpfr_init2(s.lo2, prec + 2);
    mpfr_init2(s.hi2, prec + 2);
    mpfr_set_ui_2exp(s.t, 1, mpfr_get_exp(x) - 1 - prec, MPFR_RNDN);
    mpfr_sub(s.lo2, ax, s.t, MPFR_RNDN);           /* exact at prec + 2 */
    mpfr_add(s.hi2, ax, s.t, MPFR_RNDN);           /* exact at prec + 2 */
    n = least_true(&s, hi, within_2h);
    while (n < hi && !reads_back(&s, n))
      n++;
    mpfr_clear(s.lo2);
    mpfr_clear(s.hi2);
  }
  mpfr_get_str(s.buf, &e, 10, n, ax, MPFR_RNDN);
  mpfr_clear(s.t);
  mpfr_clear(ax);
lay_out:
  /* Trailing zeros: the value is the same with fewer digits. */
  while (n > 1 && s.buf[n - 1] == '0')
    n--;
  r = layout(neg, s.buf, n, e, 0);
  free(s.buf);
  return r;
}

static char *
format_digits(mpfr_srcptr x, size_t digits)
{
  mpfr_exp_t e;
  char *s, *r;

  /* An integer below 10^digits is below 2^(3.33 digits + 1): only those
     are worth converting whole to count their digits. */
  if (mpfr_integer_p(x)
      && mpfr_get_exp(x) <= (mpfr_exp_t)(digits / 3 * 10 + 14)) {
    int toolong;
    r = format_integer(x, digits, &toolong);
    if (r != NULL || !toolong)
      return r;
  }
  s = mpfr_get_str(NULL, &e, 10, digits, x, MPFR_RNDN);
  if (s == NULL)
    return NULL;
  /* mpfr_get_str writes the sign itself; layout wants bare digits. */
  r = layout(s[0] == '-', s + (s[0] == '-'), digits, e, 1);
  mpfr_free_str(s);
  return r;
}

GT_API char *
gt_format_number(mpfr_srcptr x, long digits)
{
  if (mpfr_nan_p(x))
    return dup_str("nan");
  if (mpfr_inf_p(x))
    return dup_str(mpfr_signbit(x) ? "-inf" : "inf");
  if (mpfr_zero_p(x))
    return dup_str("0");          /* both zeros, with any digits: an integer */
  if (digits > 0)
    return format_digits(x, (size_t)digits);
  return format_shortest(x, 1);
}

char *
gt_format_shortest_general(mpfr_srcptr x)
{
  if (!mpfr_regular_p(x))
    return gt_format_number(x, 0);
  return format_shortest(x, 0);
}

int
gt_format_fast_decides(mpfr_srcptr x)
{
#ifdef FAST
  char dig[100];
  size_t n;
  mpfr_exp_t e;
  return mpfr_regular_p(x) && !(mpfr_integer_p(x) && mpfr_get_exp(x) <= mpfr_get_prec(x))
         && fast_digits(x, dig, &n, &e) == 0;
#else
  (void)x;
  return 0;
#endif
}

/* ---- tensors ---------------------------------------------------------------- */

/* Appends text to a growing buffer; returns -1 when out of memory. */
static int
vappend(char **buf, size_t *len, size_t *cap, const char *t)
{
  size_t n = strlen(t);
  if (*len + n + 1 > *cap) {
    size_t c = (*cap ? *cap : 64) * 2;
    while (c < *len + n + 1)
      c *= 2;
    char *b = realloc(*buf, c);
    if (b == NULL)
      return -1;
    *buf = b;
    *cap = c;
  }
  memcpy(*buf + *len, t, n + 1);
  *len += n;
  return 0;
}

static int
format_dim(const GtValue *v, int d, size_t *k, long digits, char **buf,
           size_t *len, size_t *cap)
{
  if (d == v->rank) {
    char *t = gt_format_number(&v->elems[*k], digits);
    if (t == NULL)
      return -1;
    (*k)++;
    int rc = vappend(buf, len, cap, t);
    free(t);
    return rc;
  }
  if (vappend(buf, len, cap, "[") != 0)
    return -1;
  for (size_t j = 0; j < v->dims[d]; j++) {
    if (j && vappend(buf, len, cap, ", ") != 0)
      return -1;
    if (format_dim(v, d + 1, k, digits, buf, len, cap) != 0)
      return -1;
  }
  return vappend(buf, len, cap, "]");
}

char *
gt_format_value(const GtValue *v, long digits)
{
  if (v->rank == 0)
    return gt_format_number(v->elems, digits);
  char *buf = NULL;
  size_t len = 0, cap = 0, k = 0;
  if (format_dim(v, 0, &k, digits, &buf, &len, &cap) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* ---- reading decimal literals ------------------------------------------------- */

/* x = the decimal number s (digits, an optional point and exponent),
   rounded to nearest at x's precision, exactly as mpfr_set_str(x, s, 10,
   MPFR_RNDN) does.  Short literals (up to 19 significant digits and a
   power of ten up to 10^19) take a fast path: the digits as an exact
   integer m, then one correctly rounded product or quotient by 10^k; the
   rest go to mpfr_set_str.  Literals are read once per run, but a tensor
   literal of 40,000 numbers made that the main cost of a run. */
void
gt_set_decimal(mpfr_ptr x, const char *s)
{
  unsigned long m = 0;
  int sig = 0, frac = 0, point = 0;
  long exp10 = 0;
  const char *p = s;
  for (;; p++) {
    if (*p == '.' && !point) {
      point = 1;
      continue;
    }
    if (*p < '0' || *p > '9')
      break;
    if (sig == 0 && *p == '0') {
      if (point)
        frac++;
      continue;
    }
    if (sig == 19)
      goto slow;
    m = m * 10 + (unsigned long)(*p - '0');
    sig++;
    if (point)
      frac++;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
      p++;
    if (*p < '0' || *p > '9')
      goto slow;
    while (*p >= '0' && *p <= '9') {
      if (exp10 > 100000)
        goto slow;
      exp10 = exp10 * 10 + (*p++ - '0');
    }
    if (neg)
      exp10 = -exp10;
  }
  if (*p != '\0')
    goto slow;
  if (m == 0) {
    mpfr_set_zero(x, 1);
    return;
  }
  exp10 -= frac;
  if (exp10 < -19 || exp10 > 19)
    goto slow;
  unsigned long pow10 = 1;
  for (long k = 0; k < (exp10 < 0 ? -exp10 : exp10); k++)
    pow10 *= 10;
  /* m is exact at 64 bits: one rounding in the product or the quotient */
  mpfr_t mm;
  mp_limb_t limbs[(64 + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS];
  mpfr_custom_init(limbs, 64);
  mpfr_custom_init_set(mm, MPFR_ZERO_KIND, 0, 64, limbs);
  mpfr_set_ui(mm, m, MPFR_RNDN);
  if (exp10 >= 0)
    mpfr_mul_ui(x, mm, pow10, MPFR_RNDN);
  else
    mpfr_div_ui(x, mm, pow10, MPFR_RNDN);
  return;
slow:
  mpfr_set_str(x, s, 10, MPFR_RNDN);
}

GT_API void
gt_read_number(mpfr_ptr x, const char *s, char **end)
{
  /* the decimal form checked here, so that gt_set_decimal (which reads
     no sign and no end) sees only what mpfr_strtofr would read whole */
  const char *p = s + (*s == '-' || *s == '+');
  const char *q = p;
  int digits = 0;
  for (; *q >= '0' && *q <= '9'; q++)
    digits = 1;
  if (*q == '.')
    for (q++; *q >= '0' && *q <= '9'; q++)
      digits = 1;
  if (digits && (*q == 'e' || *q == 'E')) {
    const char *e = q + 1 + (q[1] == '-' || q[1] == '+');
    if (*e >= '0' && *e <= '9') {
      while (*e >= '0' && *e <= '9')
        e++;
      q = e;
    }
  }
  if (!digits || *q != '\0') {
    mpfr_strtofr(x, s, end, 10, MPFR_RNDN);
    return;
  }
  gt_set_decimal(x, p);
  if (*s == '-')
    mpfr_neg(x, x, MPFR_RNDN); /* exact; -0 for zero */
  *end = (char *)q;
}

/* ---- bounds of enclosures (--enclose) ---------------------------------------- */

GT_API char *
gt_format_bound(mpfr_srcptr x, long digits, int up)
{
  if (!mpfr_regular_p(x))
    return gt_format_number(x, 0);
  if (digits < 1)
    digits = 1;
  mpfr_exp_t e;
  char *s = mpfr_get_str(NULL, &e, 10, (size_t)digits, x,
                         up ? MPFR_RNDU : MPFR_RNDD);
  if (s == NULL)
    return NULL;
  int neg = s[0] == '-';
  const char *dig = s + neg;
  size_t n = strlen(dig);
  /* trailing zeros go, except those of an integer's digits that the
     plain layout needs */
  size_t keep = e > 0 && (size_t)e <= n ? (size_t)e : 1;
  while (n > keep && dig[n - 1] == '0')
    n--;
  char *r = layout(neg, dig, n, e, 1);
  mpfr_free_str(s);
  return r;
}

GT_API long
gt_enclosure_digits(mpfr_srcptr lo, mpfr_srcptr hi, long prec)
{
  long most = (long)max_digits((mpfr_prec_t)prec);
  if (!mpfr_number_p(lo) || !mpfr_number_p(hi))
    return most;
  if (mpfr_equal_p(lo, hi))
    return most;
  mpfr_t w;
  mpfr_init2(w, 64);
  mpfr_sub(w, hi, lo, MPFR_RNDU);
  long ew = mpfr_get_exp(w);
  mpfr_clear(w);
  long em = mpfr_zero_p(lo) || (!mpfr_zero_p(hi)
                                && mpfr_cmpabs(hi, lo) >= 0)
                ? mpfr_get_exp(hi) : mpfr_get_exp(lo);
  /* binary exponents to decimal digits: leading digits of the larger
     bound down to the width's, and one more */
  long d = (long)((double)(em - ew) * 0.30102999566398120) + 2;
  return d < 1 ? 1 : d > most ? most : d;
}
