/* test_format.c -- unit tests of gt_format_number (lib/format.c)
 *
 * Expected strings come from tests/oracle/gen_format.py (exact rational
 * arithmetic in Python, brute-force shortest search), pasted as
 * format_table.h, plus the cases the spec spells out.  A property test
 * formats pseudo-random values at several precisions, reads each string
 * back and checks it gives the same number, and that no shorter nearest
 * rounding reads back (a linear scan, unlike the library's search).
 * The fixed-width fast path of the shortest digits is checked against
 * tests/oracle/gen_format_fast.py (Python's repr for doubles, brute force
 * at other precisions, format_fast_table.h) and against the general path
 * (interval_digits and the search) on many numbers of every kind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "format_table.h"
#include "format_fast_table.h"

/* Formats the value of `text` (any MPFR base-0 syntax) read at `prec`. */
static void
check(const char *text, long prec, long digits, const char *want)
{
  mpfr_t x;
  char *got;

  mpfr_init2(x, prec);
  assert_int_equal(mpfr_set_str(x, text, 0, MPFR_RNDN), 0);
  got = gt_format_number(x, digits);
  assert_non_null(got);
  if (strcmp(got, want) != 0)
    fail_msg("%s at %ld bits, digits %ld: got \"%s\", want \"%s\"",
             text, prec, digits, got, want);
  free(got);
  mpfr_clear(x);
}

static void
test_spec_examples(void **state)
{
  (void)state;
  check("8", 53, 0, "8");
  check("108", 128, 0, "108");
  check("-3", 128, 0, "-3");
  check("0.1", 53, 0, "0.1");
  check("0.1", 128, 0, "0.1");
  check("0.1", 256, 0, "0.1");
  check("1e21", 53, 0, "1000000000000000000000");
  check("1e21", 128, 0, "1000000000000000000000");
  check("1e22", 53, 0, "1e+22");
  check("1e22", 128, 0, "1e+22");
  check("1.5e22", 128, 0, "1.5e+22");
  check("1e-40", 128, 0, "1e-40");
  check("1e-7", 53, 0, "1e-7");
  check("0.000001", 53, 0, "0.000001");
  check("0.0000015", 53, 0, "0.0000015");
  check("-2.5", 53, 0, "-2.5");
  check("123.456", 53, 0, "123.456");
  check("1e30", 128, 0, "1e+30");            /* exact integer below 2^128 */
  check("1e-400", 128, 0, "1e-400");
  check("0x1p-1074", 53, 0, "4.9406564584124654e-324");
  check("0x1p100", 128, 0, "1.267650600228229401496703205376e+30");
  check("81", 128, 0, "81");
}

static void
test_digits(void **state)
{
  (void)state;
  check("8", 128, 3, "8");                  /* integers print as integers */
  check("123456", 128, 3, "1.23e+5");
  check("0", 128, 3, "0");
  check("-0", 128, 3, "0");
  check("0", 128, 20, "0");
  check("299792458", 128, 3, "3.00e+8");
  check("1e21", 128, 3, "1.00e+21");
  check("2.5", 128, 3, "2.50");
  check("0", 128, 1, "0");
  check("9.996", 53, 3, "10.0");
  check("0.0001234", 53, 2, "0.00012");
  check("1e-7", 53, 2, "1.0e-7");
  check("-1e22", 53, 1, "-1e+22");
  {
    mpfr_t x;
    char *got;
    mpfr_init2(x, 128);
    mpfr_set_ui(x, 1, MPFR_RNDN);
    mpfr_div_ui(x, x, 3, MPFR_RNDN);
    got = gt_format_number(x, 3);
    assert_string_equal(got, "0.333");
    free(got);
    mpfr_clear(x);
  }
}

static void
test_special_values(void **state)
{
  mpfr_t x;
  char *s;
  (void)state;
  mpfr_init2(x, 53);
  mpfr_set_nan(x);
  s = gt_format_number(x, 0);
  assert_string_equal(s, "nan");
  free(s);
  s = gt_format_number(x, 5);
  assert_string_equal(s, "nan");
  free(s);
  mpfr_set_inf(x, 1);
  s = gt_format_number(x, 0);
  assert_string_equal(s, "inf");
  free(s);
  mpfr_set_inf(x, -1);
  s = gt_format_number(x, 3);
  assert_string_equal(s, "-inf");
  free(s);
  mpfr_set_zero(x, -1);
  s = gt_format_number(x, 0);
  assert_string_equal(s, "0");
  free(s);
  mpfr_set_zero(x, 1);
  s = gt_format_number(x, 0);
  assert_string_equal(s, "0");
  free(s);
  mpfr_clear(x);
}

static void
test_oracle_table(void **state)
{
  size_t i;
  (void)state;
  for (i = 0; i < sizeof format_table / sizeof format_table[0]; i++)
    check(format_table[i].value, format_table[i].prec, format_table[i].digits,
          format_table[i].expected);
}

/* Number of significant digits in a shortest-form string (whose trailing
   zeros, if any, are padding of an integer). */
static size_t
significant_digits(const char *s)
{
  size_t n = 0, zeros = 0;
  int started = 0;
  for (; *s != '\0' && *s != 'e'; s++) {
    if (*s < '0' || *s > '9')
      continue;
    if (*s == '0' && !started)
      continue;
    started = 1;
    if (*s == '0') {
      zeros++;
    } else {
      n += zeros + 1;
      zeros = 0;
    }
  }
  return n;
}

/* Does the n-digit nearest rounding of x read back to x? */
static int
reads_back(mpfr_srcptr x, size_t n)
{
  mpfr_exp_t e;
  char *dig = mpfr_get_str(NULL, &e, 10, n, x, MPFR_RNDN);
  char buf[64];
  size_t len = strlen(dig);
  char *text = malloc(len + sizeof buf);
  mpfr_t y;
  int ok;
  snprintf(buf, sizeof buf, "e%ld", (long)e - (long)n);
  memcpy(text, dig, len);
  strcpy(text + len, buf);
  mpfr_init2(y, mpfr_get_prec(x));
  mpfr_set_str(y, text, 10, MPFR_RNDN);
  ok = mpfr_equal_p(x, y);
  mpfr_clear(y);
  free(text);
  mpfr_free_str(dig);
  return ok;
}

static void
test_round_trip(void **state)
{
  static const long precs[] = {1, 2, 3, 10, 24, 53, 64, 113, 128, 256, 1000};
  gmp_randstate_t rs;
  size_t i, count = 0;
  (void)state;
  gmp_randinit_default(rs);
  gmp_randseed_ui(rs, 12345);
  for (i = 0; i < sizeof precs / sizeof precs[0]; i++) {
    long prec = precs[i];
    int k, nvals = prec >= 1000 ? 40 : 400;
    for (k = 0; k < nvals; k++) {
      mpfr_t x, y;
      char *s;
      size_t n, m;
      mpfr_init2(x, prec);
      mpfr_init2(y, prec);
      mpfr_urandomb(x, rs);
      if (mpfr_zero_p(x))
        mpfr_set_ui(x, 1, MPFR_RNDN);
      /* exponents from about 2^-1200 to 2^1200, and some small integers
         and powers of two */
      if (k % 10 == 0) {
        mpfr_set_ui_2exp(x, 1, (long)gmp_urandomm_ui(rs, 2400) - 1200,
                         MPFR_RNDN);
      } else if (k % 10 == 1) {
        mpfr_set_ui(x, gmp_urandomm_ui(rs, 1000000), MPFR_RNDN);
      } else {
        mpfr_mul_2si(x, x, (long)gmp_urandomm_ui(rs, 2400) - 1200,
                     MPFR_RNDN);
      }
      if (k % 3 == 0)
        mpfr_neg(x, x, MPFR_RNDN);
      s = gt_format_number(x, 0);
      assert_non_null(s);
      assert_int_equal(mpfr_set_str(y, s, 10, MPFR_RNDN), 0);
      if (!mpfr_equal_p(x, y)) {
        mpfr_fprintf(stderr, "%Ra at %ld bits printed as %s\n", x, prec, s);
        fail();
      }
      /* shortest: no fewer digits read back (linear scan) */
      if (!mpfr_zero_p(x)) {
        n = significant_digits(s);
        for (m = 1; m < n; m++)
          if (reads_back(x, m)) {
            mpfr_fprintf(stderr, "%Ra at %ld bits printed as %s, but %zu "
                         "digits read back\n", x, prec, s, m);
            fail();
          }
      }
      free(s);
      mpfr_clear(x);
      mpfr_clear(y);
      count++;
    }
  }
  assert_true(count >= 300);
  gmp_randclear(rs);
}

/* The fast path against the oracle's shortest texts; most of them are in
   its range, and it must decide most of those. */
static void
test_fast_oracle(void **state)
{
  size_t i, decided = 0, total = sizeof format_fast_table
                                 / sizeof format_fast_table[0];
  (void)state;
  for (i = 0; i < total; i++) {
    const struct FastCase *c = &format_fast_table[i];
    mpfr_t x;
    check(c->value, c->prec, 0, c->expected);
    mpfr_init2(x, c->prec);
    mpfr_set_str(x, c->value, 0, MPFR_RNDN);
    decided += (size_t)gt_format_fast_decides(x);
    mpfr_clear(x);
  }
#if GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0   /* else no fast path */
  if (decided * 10 < total * 8)
    fail_msg("the fast path decided only %zu of %zu oracle cases", decided,
             total);
#endif
}

/* x = a pseudo-random number of kind k (see the cases) at x's precision. */
static void
fast_case(mpfr_ptr x, int k, gmp_randstate_t rs)
{
  long p = (long)mpfr_get_prec(x);
  long j = (long)gmp_urandomm_ui(rs, 681) - 340;
  char buf[64];
  mpz_t z;
  switch (k) {
  case 0:                  /* any significand, |E| up to 1200 */
  case 1:                  /* any significand, |x| near 1 */
    mpfr_urandomb(x, rs);
    if (mpfr_zero_p(x))
      mpfr_set_ui(x, 3, MPFR_RNDN);
    mpfr_set_exp(x, k == 0 ? p + (long)gmp_urandomm_ui(rs, 2401) - 1200
                           : (long)gmp_urandomm_ui(rs, 51) - 40);
    break;
  case 2:                  /* powers of two */
    mpfr_set_ui_2exp(x, 1, (long)gmp_urandomm_ui(rs, 2401) - 1200,
                     MPFR_RNDN);
    break;
  case 3:                  /* 10^j rounded, and up to 3 ulps away */
  case 6:                  /* one significant digit, and 1 ulp away */
    if (k == 3)
      snprintf(buf, sizeof buf, "1e%ld", j);
    else
      snprintf(buf, sizeof buf, "%lue%ld", 1 + gmp_urandomm_ui(rs, 9), j);
    mpfr_set_str(x, buf, 10, MPFR_RNDN);
    for (long d = (long)gmp_urandomm_ui(rs, k == 3 ? 7 : 3) - (k == 3 ? 3 : 1);
         d != 0; d += d < 0 ? 1 : -1)
      if (d < 0)
        mpfr_nextbelow(x);
      else
        mpfr_nextabove(x);
    break;
  case 4:                  /* integers, below and above 2^p */
    mpz_init(z);
    mpz_urandomb(z, rs, (mp_bitcnt_t)(1 + gmp_urandomm_ui(rs, (unsigned long)p + 40)));
    if (mpz_sgn(z) == 0)
      mpz_set_ui(z, 7);
    mpfr_set_z(x, z, MPFR_RNDN);
    mpz_clear(z);
    break;
  case 5:                  /* at the ends of the fast range and far out */
    mpfr_urandomb(x, rs);
    if (mpfr_zero_p(x))
      mpfr_set_ui(x, 3, MPFR_RNDN);
    {
      static const long ends[] = { -1129, 1129 };
      long E = ends[gmp_urandomm_ui(rs, 2)] + (long)gmp_urandomm_ui(rs, 9) - 4;
      if (gmp_urandomm_ui(rs, 4) == 0)
        E = (long)gmp_urandomm_ui(rs, 2000001) - 1000000;
      mpfr_set_exp(x, p + E);
    }
    break;
  case 7:                  /* short significands anywhere: ties, exact ends */
    mpz_init(z);
    mpz_urandomb(z, rs, (mp_bitcnt_t)(1 + gmp_urandomm_ui(rs, (unsigned long)p)));
    if (mpz_sgn(z) == 0)
      mpz_set_ui(z, 5);
    mpfr_set_z_2exp(x, z, (long)gmp_urandomm_ui(rs, 2401) - 1200 - p,
                    MPFR_RNDN);
    mpz_clear(z);
    break;
  default:                 /* a ratio of small integers: all digits */
    mpfr_set_ui(x, 1 + gmp_urandomm_ui(rs, 1000000), MPFR_RNDN);
    mpfr_div_ui(x, x, 3 + 2 * gmp_urandomm_ui(rs, 1000), MPFR_RNDN);
    mpfr_mul_2si(x, x, (long)gmp_urandomm_ui(rs, 200) - 100, MPFR_RNDN);
    break;
  }
  if (gmp_urandomm_ui(rs, 3) == 0)
    mpfr_neg(x, x, MPFR_RNDN);
}

/* The fast path gives byte for byte the general path's text: every
   precision from 2 to 260 bits, and many numbers at 53, 64, 113, 128,
   192, 200, 256 (the fast path's widest) and 257 (beyond it), of every
   kind in fast_case.  Kind 1 (the common case) must nearly always take
   it. */
static void
test_fast_vs_general(void **state)
{
  static const long named[] = { 53, 64, 113, 128, 192, 200, 256, 257 };
  gmp_randstate_t rs;
  size_t common = 0, common_fast = 0, fast = 0, count = 0;
  (void)state;
  gmp_randinit_default(rs);
  gmp_randseed_ui(rs, 20261206);
  for (long pi = 2; pi <= 260 + (long)(sizeof named / sizeof *named); pi++) {
    long p = pi <= 260 ? pi : named[pi - 261];
    int n = pi <= 260 ? 36 : 1400;
    mpfr_t x;
    mpfr_init2(x, p);
    for (int i = 0; i < n; i++) {
      int k = i % 9;
      fast_case(x, k, rs);
      char *a = gt_format_number(x, 0), *b = gt_format_shortest_general(x);
      assert_non_null(a);
      assert_non_null(b);
      if (strcmp(a, b) != 0) {
        mpfr_fprintf(stderr, "%Ra at %ld bits: fast path \"%s\", general "
                     "\"%s\"\n", x, p, a, b);
        fail();
      }
      int f = gt_format_fast_decides(x);
      fast += (size_t)f;
      if (k == 1 && p <= 256 && p >= 8) {
        common++;
        common_fast += (size_t)f;
      }
      count++;
      free(a);
      free(b);
    }
    mpfr_clear(x);
  }
  gmp_randclear(rs);
#if GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0   /* else no fast path */
  if (common_fast * 100 < common * 99)
    fail_msg("the fast path decided %zu of %zu numbers near 1", common_fast,
             common);
  assert_true(fast * 2 > count);
#else
  (void)common_fast;
  (void)fast;
#endif
}

/* Values on and next to short decimals, at every precision from 2 to 70
   bits and a few larger: where an end of the rounding interval can itself
   be a short decimal, so that the shortest-digits search must tell open
   ends from closed ones.  Same two properties as above. */
static void
test_near_decimals(void **state)
{
  static const char *lits[] = {
    "0.1", "0.2", "0.3", "0.5", "0.25", "0.125", "0.375", "1.5", "2.5",
    "9.5", "9.75", "99.5", "999.5", "0.95", "0.995", "1e-5", "3e7",
    "1.1", "1.01", "123.456", "5e-324", "9.999", "1000000.5",
  };
  static const long big[] = {100, 113, 128, 200, 256};
  (void)state;
  for (long pi = 0; pi < 69 + (long)(sizeof big / sizeof *big); pi++) {
    long prec = pi < 69 ? pi + 2 : big[pi - 69];
    for (size_t l = 0; l < sizeof lits / sizeof *lits; l++)
      for (int d = -2; d <= 2; d++) {
        mpfr_t x, y;
        char *s;
        size_t n, m;
        mpfr_init2(x, prec);
        mpfr_init2(y, prec);
        mpfr_set_str(x, lits[l], 10, MPFR_RNDN);
        for (int k = 0; k < d; k++)
          mpfr_nextabove(x);
        for (int k = 0; k > d; k--)
          mpfr_nextbelow(x);
        s = gt_format_number(x, 0);
        assert_non_null(s);
        assert_int_equal(mpfr_set_str(y, s, 10, MPFR_RNDN), 0);
        if (!mpfr_equal_p(x, y)) {
          mpfr_fprintf(stderr, "%Ra at %ld bits printed as %s\n", x, prec, s);
          fail();
        }
        n = significant_digits(s);
        for (m = 1; m < n; m++)
          if (reads_back(x, m)) {
            mpfr_fprintf(stderr, "%Ra at %ld bits printed as %s, but %zu "
                         "digits read back\n", x, prec, s, m);
            fail();
          }
        free(s);
        mpfr_clear(x);
        mpfr_clear(y);
      }
  }
}

/* gt_set_decimal must give mpfr_set_str's correctly rounded result, on its
   fast path (short literals) and off it: a few hundred pseudo-random
   literals at several precisions, compared bit for bit. */
static void
test_set_decimal(void **state)
{
  (void)state;
  static const long precs[] = { 2, 24, 53, 63, 64, 65, 128, 256, 1000 };
  static const char *fixed[] = {
    "0", "0.0", "000.000", "1", "0.1", ".5", "5.", "1e-40", "1e19", "1e20",
    "18446744073709551615", "18446744073709551616", "9999999999999999999",
    "0.0000000000000000001", "1234567890.123456789e-5", "7e+3", "1E2",
    "3.14159265358979323846264338327950288419716939937510",
  };
  unsigned long seed = 12345;
  mpfr_t a, b;
  for (size_t p = 0; p < sizeof precs / sizeof *precs; p++) {
    mpfr_init2(a, precs[p]);
    mpfr_init2(b, precs[p]);
    for (int k = 0; k < 300 + (int)(sizeof fixed / sizeof *fixed); k++) {
      char buf[64];
      const char *lit = buf;
      if (k < (int)(sizeof fixed / sizeof *fixed))
        lit = fixed[k];
      else {
        /* digits, a point somewhere, an exponent sometimes */
        int nd = 1 + (int)((seed = seed * 6364136223846793005UL + 1) >> 59);
        int pt = (int)((seed = seed * 6364136223846793005UL + 1) >> 60) % (nd + 1);
        size_t n = 0;
        for (int d = 0; d < nd; d++) {
          if (d == pt)
            buf[n++] = '.';
          seed = seed * 6364136223846793005UL + 1;
          buf[n++] = (char)('0' + (seed >> 33) % 10);
        }
        seed = seed * 6364136223846793005UL + 1;
        if ((seed >> 62) == 0)
          n += (size_t)snprintf(buf + n, sizeof buf - n, "e%d",
                                (int)((seed >> 20) % 50) - 25);
        buf[n] = '\0';
      }
      gt_set_decimal(a, lit);
      mpfr_set_str(b, lit, 10, MPFR_RNDN);
      if (!mpfr_equal_p(a, b) && !(mpfr_zero_p(a) && mpfr_zero_p(b))) {
        fprintf(stderr, "gt_set_decimal(\"%s\") at %ld bits differs\n", lit,
                precs[p]);
        fail();
      }
    }
    mpfr_clear(a);
    mpfr_clear(b);
  }
}

/* gt_read_number against mpfr_strtofr: the same bits (and sign of zero)
   and the same end, for fields of data files, signs, malformed text and
   forms the fast path leaves to MPFR. */
static void
test_read_number(void **state)
{
  (void)state;
  static const long precs[] = { 2, 17, 53, 64, 65, 128, 300 };
  static const char *fixed[] = {
    "0", "-0", "+0", "-0.0", ".5", "-.5", "5.", "+.5e-3", "0e5", "00012",
    "1e", "1e+", "1e-", ".", "-", "+", "", "1.5x", "--1", "+-1", "1e-19",
    "-1e-05", "1.00002", "123456789012345678", "1234567890123456789",
    "12345678901234567890", "0.000000000000000000001", "9.999e19", "3e19",
    "3e20", "1E5", "0x10", "inf", "-inf", "nan", " 1", "1 ", "-.0e7",
    "00000000000000000000000001.5", "1e999999", "-2.5e-999999", "1,5",
  };
  unsigned long seed = 987654321;
  mpfr_t a, b;
  for (size_t p = 0; p < sizeof precs / sizeof *precs; p++) {
    mpfr_init2(a, precs[p]);
    mpfr_init2(b, precs[p]);
    for (int k = 0; k < 2000 + (int)(sizeof fixed / sizeof *fixed); k++) {
      char buf[80];
      const char *s = buf;
      if (k < (int)(sizeof fixed / sizeof *fixed))
        s = fixed[k];
      else {
        /* a sign sometimes, up to 22 digits with a point, an exponent */
        size_t n = 0;
        seed = seed * 6364136223846793005UL + 1;
        if ((seed >> 62) == 1)
          buf[n++] = '-';
        else if ((seed >> 62) == 2)
          buf[n++] = '+';
        int nd = 1 + (int)((seed >> 20) % 22);
        int pt = (int)((seed >> 40) % (unsigned long)(nd + 2));
        for (int d = 0; d < nd; d++) {
          if (d == pt)
            buf[n++] = '.';
          seed = seed * 6364136223846793005UL + 1;
          buf[n++] = (char)('0' + (seed >> 33) % 10);
        }
        seed = seed * 6364136223846793005UL + 1;
        if ((seed >> 62) != 0)
          n += (size_t)snprintf(buf + n, sizeof buf - n, "e%d",
                                (int)((seed >> 20) % 60) - 30);
        buf[n] = '\0';
      }
      char *ea, *eb;
      gt_read_number(a, s, &ea);
      mpfr_strtofr(b, s, &eb, 10, MPFR_RNDN);
      int same = mpfr_nan_p(a) ? mpfr_nan_p(b)
                               : mpfr_equal_p(a, b)
                                     && mpfr_signbit(a) == mpfr_signbit(b);
      if (!same || ea != eb) {
        fprintf(stderr, "gt_read_number(\"%s\") at %ld bits differs\n", s,
                precs[p]);
        fail();
      }
    }
    mpfr_clear(a);
    mpfr_clear(b);
  }
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_spec_examples),
    cmocka_unit_test(test_digits),
    cmocka_unit_test(test_special_values),
    cmocka_unit_test(test_oracle_table),
    cmocka_unit_test(test_round_trip),
    cmocka_unit_test(test_near_decimals),
    cmocka_unit_test(test_fast_oracle),
    cmocka_unit_test(test_fast_vs_general),
    cmocka_unit_test(test_set_decimal),
    cmocka_unit_test(test_read_number),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
