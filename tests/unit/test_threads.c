/* test_threads.c -- the library used from several threads at once (the
 * promise of gradtool.h: sessions on different threads do not disturb
 * each other)
 *
 * Four threads each load their own session of a program that uses the
 * one shared state of the library (the Bernoulli cache behind trigamma,
 * the derivative of digamma), at a precision of their own, and run it,
 * take its derivative and replay it at several points.  Every value must
 * equal the one the same session computes on the main thread alone.  A
 * first test checks that derivative against its closed form, so that the
 * sessions are known to compute the right thing, not only the same one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define NTHREADS 4
#define NPOINTS 5

static const char program[] =
    "input x = 1.5\n"
    "y = x^2 * digamma(x) + sin(x)\n"
    "output y\n";

static const long precs[NTHREADS] = { 3000, 64, 1200, 300 };

typedef struct Worker {
  int id;
  int failures;
  char want[NPOINTS][2][1024];  /* y and dy/dx at each point, as text */
} Worker;

/* y and dy/dx of a session at precision prec at the points, as text
   (gt_format_number: every digit, so that any difference shows). */
static int
compute(long prec, char out[NPOINTS][2][1024])
{
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = prec;
  opt.max_stack = (size_t)1 << 20;  /* a thread's stack is not main's */
  GtSession *s = gt_session_new(&opt);
  if (s == NULL
      || gt_session_load(s, "t.gt", program, strlen(program)) != GT_OK
      || gt_session_run(s) != GT_OK) {
    gt_session_free(s);
    return -1;
  }
  mpfr_t x;
  mpfr_init2(x, (mpfr_prec_t)prec);
  int rc = 0;
  for (int p = 0; p < NPOINTS && rc == 0; p++) {
    mpfr_set_si(x, 2 * p - 3, MPFR_RNDN);
    mpfr_div_ui(x, x, 4, MPFR_RNDN);          /* -3/4 .. 5/4 */
    const char *name = "x";
    mpfr_srcptr v = x;
    const GtDeriv *d;
    size_t nd;
    if (gt_session_replay(s, &name, &v, 1) != GT_OK
        || gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &nd) != GT_OK
        || nd != 1) {
      rc = -1;
      break;
    }
    GtValue y = gt_session_output_value(s, 0);
    char *a = gt_format_number(y.elems, 0);
    char *b = gt_format_number(d[0].value.elems, 0);
    if (a == NULL || b == NULL || strlen(a) >= 1024 || strlen(b) >= 1024)
      rc = -1;
    else {
      strcpy(out[p][0], a);
      strcpy(out[p][1], b);
    }
    free(a);
    free(b);
  }
  mpfr_clear(x);
  gt_session_free(s);
  return rc;
}

static void *
worker(void *arg)
{
  Worker *w = arg;
  static char got[NTHREADS][NPOINTS][2][1024];
  if (compute(precs[w->id], got[w->id]) != 0)
    w->failures++;
  else
    for (int p = 0; p < NPOINTS; p++)
      for (int k = 0; k < 2; k++)
        if (strcmp(got[w->id][p][k], w->want[p][k]) != 0)
          w->failures++;
  mpfr_free_cache();
  return NULL;
}

/* dy/dx = 2 x psi(x) + x^2 psi1(x) + cos x at x = 5/4, with psi from
   mpfr_digamma and psi1(x) = sum_k 1/(x+k)^2 summed to k = 999 and the
   tail from y0 = x + 1000 on by Euler-Maclaurin,
     1/y0 + 1/(2 y0^2) + 1/(6 y0^3) - 1/(30 y0^5) + O(y0^-7),
   an error of about 1e-22. */
static void
test_closed_form(void **state)
{
  (void)state;
  char out[NPOINTS][2][1024];
  assert_int_equal(compute(200, out), 0);
  mpfr_t x, s1, t, u, d;
  mpfr_inits2(300, x, s1, t, u, d, (mpfr_ptr)0);
  mpfr_set_d(x, 1.25, MPFR_RNDN);          /* point 4 */
  mpfr_set_zero(s1, 1);
  for (long k = 999; k >= 0; k--) {
    mpfr_add_si(t, x, k, MPFR_RNDN);
    mpfr_sqr(t, t, MPFR_RNDN);
    mpfr_ui_div(t, 1, t, MPFR_RNDN);
    mpfr_add(s1, s1, t, MPFR_RNDN);
  }
  mpfr_add_si(t, x, 1000, MPFR_RNDN);       /* y0 */
  static const long tail[][2] = { { 1, 1 }, { 1, 2 }, { 1, 6 }, { 0, 1 },
                                  { -1, 30 } };
  for (int j = 0; j < 5; j++) {
    mpfr_pow_si(u, t, -(j + 1), MPFR_RNDN);
    mpfr_mul_si(u, u, tail[j][0], MPFR_RNDN);
    mpfr_div_si(u, u, tail[j][1], MPFR_RNDN);
    mpfr_add(s1, s1, u, MPFR_RNDN);
  }
  mpfr_digamma(d, x, MPFR_RNDN);
  mpfr_mul(d, d, x, MPFR_RNDN);
  mpfr_mul_2ui(d, d, 1, MPFR_RNDN);
  mpfr_sqr(t, x, MPFR_RNDN);
  mpfr_mul(t, t, s1, MPFR_RNDN);
  mpfr_add(d, d, t, MPFR_RNDN);
  mpfr_cos(t, x, MPFR_RNDN);
  mpfr_add(d, d, t, MPFR_RNDN);
  assert_int_equal(mpfr_set_str(u, out[4][1], 10, MPFR_RNDN), 0);
  mpfr_sub(t, u, d, MPFR_RNDN);
  mpfr_div(t, t, d, MPFR_RNDN);
  if (!mpfr_zero_p(t) && mpfr_get_exp(t) > -66)   /* 2^-66 ~ 1.4e-20 */
    fail_msg("dy/dx at 5/4 = %s, relative error %g", out[4][1],
             mpfr_get_d(t, MPFR_RNDN));
  mpfr_clears(x, s1, t, u, d, (mpfr_ptr)0);
}

static void
test_sessions_in_threads(void **state)
{
  (void)state;
  static Worker w[NTHREADS];
  pthread_t th[NTHREADS];
  for (int t = 0; t < NTHREADS; t++) {
    w[t].id = t;
    w[t].failures = 0;
    assert_int_equal(compute(precs[t], w[t].want), 0);
  }
  gt_special_free_cache();       /* the threads start on an empty cache */
  for (int t = 0; t < NTHREADS; t++)
    assert_int_equal(pthread_create(&th[t], NULL, worker, &w[t]), 0);
  for (int t = 0; t < NTHREADS; t++)
    assert_int_equal(pthread_join(th[t], NULL), 0);
  for (int t = 0; t < NTHREADS; t++)
    if (w[t].failures)
      fail_msg("thread %d (%ld bits): %d results differ from one thread's",
               t, precs[t], w[t].failures);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_closed_form),
    cmocka_unit_test(test_sessions_in_threads),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  gt_special_free_cache();
  mpfr_free_cache();
  return rc;
}
