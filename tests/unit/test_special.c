/* test_special.c -- unit tests of the trigamma function (lib/special.c)
 *
 * Expected values: tests/oracle/gen_trigamma.py (mpmath psi(1, x) at 350
 * digits, checked against zeta(2, x)), pasted as trigamma_table.h.  Each
 * result must be within one ulp of the oracle, and the downward and upward
 * roundings must bracket it.  A second check runs the recurrence
 * psi1(x) - psi1(x+1) = 1/x^2 across the reflection point at random x.
 * Threads that grow the shared Bernoulli cache at the same time get the
 * results a single thread gets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <mpfr.h>

#include "trigamma_table.h"

/* Internal functions of lib/special.c (declared in lib/internal.h). */
void gt_special_trigamma(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd);
void gt_special_free_cache(void);

#define ORACLE_PREC 1200

/* |r - o| in ulps of r, as a double. */
static double
ulps(mpfr_srcptr r, mpfr_srcptr o)
{
  mpfr_t d;
  double u;
  mpfr_init2(d, ORACLE_PREC);
  mpfr_sub(d, r, o, MPFR_RNDN);
  mpfr_abs(d, d, MPFR_RNDN);
  mpfr_mul_2si(d, d, mpfr_get_prec(r) - mpfr_get_exp(r), MPFR_RNDN);
  u = mpfr_get_d(d, MPFR_RNDN);
  mpfr_clear(d);
  return u;
}

/* Checks psi1(x) at precision rprec against the oracle string. */
static void
check_point(const char *xs, long xprec, long rprec, const char *want,
            int *exact)
{
  mpfr_t x, r, lo, hi, o, cr;
  double e;

  mpfr_inits2(xprec, x, (mpfr_ptr)0);
  mpfr_inits2(rprec, r, lo, hi, cr, (mpfr_ptr)0);
  mpfr_init2(o, ORACLE_PREC);
  assert_int_equal(mpfr_set_str(x, xs, 0, MPFR_RNDN), 0);
  assert_int_equal(mpfr_set_str(o, want, 10, MPFR_RNDN), 0);
  gt_special_trigamma(r, x, MPFR_RNDN);
  gt_special_trigamma(lo, x, MPFR_RNDD);
  gt_special_trigamma(hi, x, MPFR_RNDU);
  e = ulps(r, o);
  if (!(e <= 1.0) || mpfr_cmp(lo, o) > 0 || mpfr_cmp(hi, o) < 0) {
    mpfr_fprintf(stderr, "psi1(%s) at %ld bits: got %.30Rg (%g ulps), "
                 "down %.30Rg, up %.30Rg, want %.30Rg\n", xs, rprec, r, e,
                 lo, hi, o);
    fail();
  }
  mpfr_set(cr, o, MPFR_RNDN);
  *exact += mpfr_equal_p(cr, r);
  mpfr_clears(x, r, lo, hi, o, cr, (mpfr_ptr)0);
}

static void
test_oracle_table(void **state)
{
  size_t i, n = sizeof trigamma_table / sizeof trigamma_table[0];
  int exact = 0;
  (void)state;
  for (i = 0; i < n; i++)
    check_point(trigamma_table[i].x, trigamma_table[i].prec,
                trigamma_table[i].prec, trigamma_table[i].psi1, &exact);
  /* correct rounding is what the implementation aims at */
  assert_int_equal(exact, (int)n);
}

/* Inputs more precise than the result, and the other way round. */
static void
test_mixed_precisions(void **state)
{
  size_t i, n = sizeof trigamma_table / sizeof trigamma_table[0];
  int exact = 0, count = 0;
  (void)state;
  for (i = 0; i < n; i++) {
    if (trigamma_table[i].prec == 1000) {
      check_point(trigamma_table[i].x, 1000, 53, trigamma_table[i].psi1,
                  &exact);
      check_point(trigamma_table[i].x, 1000, 24, trigamma_table[i].psi1,
                  &exact);
      count += 2;
    } else if (trigamma_table[i].prec == 53) {
      check_point(trigamma_table[i].x, 53, 700, trigamma_table[i].psi1,
                  &exact);
      count++;
    }
  }
  assert_int_equal(exact, count);
}

static void
test_special_values(void **state)
{
  static const char *const poles[] = {"0", "-0", "-1", "-2", "-1e6",
                                      "-0x1p200"};
  mpfr_t x, r;
  size_t i;
  (void)state;
  mpfr_inits2(64, x, r, (mpfr_ptr)0);
  for (i = 0; i < sizeof poles / sizeof poles[0]; i++) {
    mpfr_set_str(x, poles[i], 0, MPFR_RNDN);
    gt_special_trigamma(r, x, MPFR_RNDN);
    assert_true(mpfr_inf_p(r) && mpfr_sgn(r) > 0);
  }
  mpfr_set_nan(x);
  gt_special_trigamma(r, x, MPFR_RNDN);
  assert_true(mpfr_nan_p(r));
  mpfr_set_inf(x, 1);
  gt_special_trigamma(r, x, MPFR_RNDN);
  assert_true(mpfr_zero_p(r) && !mpfr_signbit(r));
  mpfr_set_inf(x, -1);
  gt_special_trigamma(r, x, MPFR_RNDN);
  assert_true(mpfr_nan_p(r));
  mpfr_clears(x, r, (mpfr_ptr)0);
}

/* Huge x: psi1(x) ~ 1/x, and the intermediate underflow of 1/x^3 must not
   leak into the caller's flags. */
static void
test_huge_argument(void **state)
{
  mpfr_t x, r, want;
  (void)state;
  mpfr_inits2(53, x, r, want, (mpfr_ptr)0);
  mpfr_set_ui_2exp(x, 1, mpfr_get_emax() / 2 + 10, MPFR_RNDN);
  mpfr_clear_flags();
  gt_special_trigamma(r, x, MPFR_RNDN);
  assert_false(mpfr_underflow_p());
  mpfr_ui_div(want, 1, x, MPFR_RNDN);            /* 1/x + 1/(2x^2) + ... */
  assert_true(mpfr_equal_p(r, want));
  mpfr_clears(x, r, want, (mpfr_ptr)0);
}

/* psi1(x) - psi1(x+1) = 1/x^2 at random x in (-20, 20), across the
   reflection point and through both code paths. */
static void
test_recurrence(void **state)
{
  gmp_randstate_t rs;
  mpfr_t x, x1, a, b, d, q;
  int i;
  (void)state;
  gmp_randinit_default(rs);
  gmp_randseed_ui(rs, 2024);
  mpfr_inits2(300, x, x1, a, b, d, q, (mpfr_ptr)0);
  for (i = 0; i < 200; i++) {
    mpfr_urandomb(x, rs);
    mpfr_mul_ui(x, x, 40, MPFR_RNDN);
    mpfr_sub_ui(x, x, 20, MPFR_RNDN);
    mpfr_add_ui(x1, x, 1, MPFR_RNDN);           /* exact: |x| < 2^5 */
    gt_special_trigamma(a, x, MPFR_RNDN);
    gt_special_trigamma(b, x1, MPFR_RNDN);
    mpfr_sub(d, a, b, MPFR_RNDN);
    mpfr_sqr(q, x, MPFR_RNDN);
    mpfr_ui_div(q, 1, q, MPFR_RNDN);
    mpfr_sub(d, d, q, MPFR_RNDN);
    /* a and b are each within half an ulp, q within 1.5 ulps of itself */
    mpfr_abs(d, d, MPFR_RNDN);
    mpfr_mul_2si(d, d, 300 - mpfr_get_exp(a), MPFR_RNDN);
    if (mpfr_cmp_ui(d, 4) > 0) {
      mpfr_fprintf(stderr, "x = %.20Rg: recurrence off by %Rg ulps\n", x, d);
      fail();
    }
  }
  mpfr_clears(x, x1, a, b, d, q, (mpfr_ptr)0);
  gmp_randclear(rs);
}

/* The Bernoulli cache can be dropped and rebuilt, and grows with the
   precision. */
static void
test_cache(void **state)
{
  mpfr_t x, r1, r2;
  (void)state;
  mpfr_init2(x, 53);
  mpfr_inits2(2000, r1, r2, (mpfr_ptr)0);
  mpfr_set_d(x, 0.3, MPFR_RNDN);
  gt_special_free_cache();
  gt_special_free_cache();                       /* twice is fine */
  gt_special_trigamma(r1, x, MPFR_RNDN);
  gt_special_free_cache();
  mpfr_set_prec(r2, 53);
  gt_special_trigamma(r2, x, MPFR_RNDN);        /* small cache */
  mpfr_set_prec(r2, 2000);
  gt_special_trigamma(r2, x, MPFR_RNDN);        /* grows */
  assert_true(mpfr_equal_p(r1, r2));
  gt_special_free_cache();
  mpfr_clears(x, r1, r2, (mpfr_ptr)0);
}

/* Four threads start on an empty cache, each at its own sequence of
   precisions (so that they grow the cache at once), and compute psi1 at
   x = 0.3, 2.5 and -1.7 at each; every result must equal the one computed
   beforehand on this thread alone. */
#define NTHREADS 4
#define NPRECS 4
#define NPOINTS 3
static const double thread_points[NPOINTS] = { 0.3, 2.5, -1.7 };
static const mpfr_prec_t thread_precs[NTHREADS][NPRECS] = {
  { 3000, 200, 1500, 64 }, { 64, 1500, 3000, 200 },
  { 1500, 3000, 64, 200 }, { 200, 64, 1500, 3000 },
};
static const mpfr_prec_t all_precs[NPRECS] = { 64, 200, 1500, 3000 };

typedef struct Worker {
  int id;
  int mismatches;
  mpfr_t want[NPRECS][NPOINTS];   /* by index in all_precs */
} Worker;

static int
prec_index(mpfr_prec_t p)
{
  for (int i = 0; i < NPRECS; i++)
    if (all_precs[i] == p)
      return i;
  return -1;
}

static void *
worker(void *arg)
{
  Worker *w = arg;
  mpfr_t x, r;
  mpfr_init2(x, 53);
  mpfr_init2(r, 64);
  for (int i = 0; i < NPRECS; i++) {
    mpfr_prec_t p = thread_precs[w->id][i];
    mpfr_set_prec(r, p);
    for (int j = 0; j < NPOINTS; j++) {
      mpfr_set_d(x, thread_points[j], MPFR_RNDN);
      gt_special_trigamma(r, x, MPFR_RNDN);
      if (!mpfr_equal_p(r, w->want[prec_index(p)][j]))
        w->mismatches++;
    }
  }
  mpfr_clears(x, r, (mpfr_ptr)0);
  mpfr_free_cache();           /* this thread's MPFR constants */
  return NULL;
}

static void
test_threads(void **state)
{
  (void)state;
  static Worker w[NTHREADS];
  pthread_t th[NTHREADS];
  mpfr_t x;
  mpfr_init2(x, 53);
  gt_special_free_cache();
  for (int t = 0; t < NTHREADS; t++) {
    w[t].id = t;
    w[t].mismatches = 0;
    for (int i = 0; i < NPRECS; i++)
      for (int j = 0; j < NPOINTS; j++) {
        mpfr_init2(w[t].want[i][j], all_precs[i]);
        mpfr_set_d(x, thread_points[j], MPFR_RNDN);
        gt_special_trigamma(w[t].want[i][j], x, MPFR_RNDN);
      }
  }
  gt_special_free_cache();
  for (int t = 0; t < NTHREADS; t++)
    assert_int_equal(pthread_create(&th[t], NULL, worker, &w[t]), 0);
  for (int t = 0; t < NTHREADS; t++)
    assert_int_equal(pthread_join(th[t], NULL), 0);
  for (int t = 0; t < NTHREADS; t++) {
    assert_int_equal(w[t].mismatches, 0);
    for (int i = 0; i < NPRECS; i++)
      for (int j = 0; j < NPOINTS; j++)
        mpfr_clear(w[t].want[i][j]);
  }
  mpfr_clear(x);
  gt_special_free_cache();
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_oracle_table),
    cmocka_unit_test(test_mixed_precisions),
    cmocka_unit_test(test_special_values),
    cmocka_unit_test(test_huge_argument),
    cmocka_unit_test(test_recurrence),
    cmocka_unit_test(test_cache),
    cmocka_unit_test(test_threads),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  gt_special_free_cache();
  mpfr_free_cache();
  return rc;
}
