/* test_replay.c -- unit tests of inputs given by value and of replaying a
 * recorded tape at new inputs (lib/replay.c)
 *
 * Through the public API: a program is loaded and run once, then replayed
 * at other points.  What is checked: the values and derivatives after a
 * replay against closed forms computed here with MPFR (never from the
 * tool's own output), whether the tape was re-evaluated or the program
 * recorded again (gt_session_replay_stats) where a guard, a kink, a NaN,
 * grad() or a tensor input forces the latter, and the bookkeeping of
 * values set by number, by tensor and by expression (the last one set
 * wins).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradtool.h"
#include "fixture.h"

#define PREC 128

static GtSession *
load(const char *text)
{
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = PREC;
  GtSession *s = gt_session_new(&opt);
  assert_non_null(s);
  GtStatus st = gt_session_load(s, "t.gt", text, strlen(text));
  if (st != GT_OK)
    fail_msg("load: status %d, %s", st, first_error(s));
  st = gt_session_run(s);
  if (st != GT_OK)
    fail_msg("run: status %d, %s", st, first_error(s));
  return s;
}

/* Replays s at x = num/den (exact for the dyadic points used here). */
static GtStatus
replay_at(GtSession *s, const char *name, long num, long den)
{
  mpfr_t x;
  mpfr_init2(x, PREC);
  mpfr_set_si(x, num, MPFR_RNDN);
  mpfr_div_si(x, x, den, MPFR_RNDN);
  mpfr_srcptr v[1] = { x };
  const char *names[1] = { name };
  GtStatus st = gt_session_replay(s, names, v, 1);
  mpfr_clear(x);
  return st;
}

static void
expect_stats(const GtSession *s, unsigned long replayed,
             unsigned long recorded)
{
  unsigned long r, c;
  gt_session_replay_stats(s, &r, &c);
  if (r != replayed || c != recorded)
    fail_msg("replayed %lu, recorded %lu; want %lu, %lu", r, c, replayed,
             recorded);
}

/* Output k is a scalar within 2 ulps of want (computed at 2 PREC bits). */
static void
expect_close(mpfr_srcptr got, mpfr_srcptr want)
{
  mpfr_t d;
  mpfr_init2(d, 2 * PREC);
  mpfr_sub(d, got, want, MPFR_RNDN);
  mpfr_abs(d, d, MPFR_RNDN);
  if (!mpfr_zero_p(want))
    mpfr_mul_2si(d, d, PREC - mpfr_get_exp(want), MPFR_RNDN);
  double ulps = mpfr_get_d(d, MPFR_RNDU);
  mpfr_clear(d);
  if (!mpfr_number_p(got) || ulps > 2.0) {
    mpfr_fprintf(stderr, "got  %.45Rg\nwant %.45Rg\n", got, want);
    fail_msg("%g ulps", ulps);
  }
}

static void
expect_output(const GtSession *s, size_t k, mpfr_srcptr want)
{
  assert_true(k < gt_session_output_count(s));
  GtValue v = gt_session_output_value(s, k);
  assert_int_equal(v.rank, 0);
  expect_close(v.elems, want);
}

/* The only derivative of the only output with respect to the only input. */
static void
expect_derivative(GtSession *s, mpfr_srcptr want)
{
  const GtDeriv *d;
  size_t n;
  GtStatus st = gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &n);
  if (st != GT_OK)
    fail_msg("derivatives: status %d, %s", st, first_error(s));
  assert_int_equal(n, 1);
  assert_int_equal(d[0].value.rank, 0);
  expect_close(d[0].value.elems, want);
}

/* y = x^3 + sin(x) at 1, then at 2, -1/2 and 3/4: no control decision,
   so every replay re-evaluates the tape; y and dy/dx = 3 x^2 + cos x
   follow the point. */
static void
test_straight_line(void **state)
{
  (void)state;
  GtSession *s = load("input x = 1\ny = x^3 + sin(x)\n");
  static const long pts[][2] = { { 2, 1 }, { -1, 2 }, { 3, 4 } };
  mpfr_t x, y, dy, t;
  mpfr_inits2(2 * PREC, x, y, dy, t, (mpfr_ptr)0);
  for (size_t k = 0; k < 3; k++) {
    assert_int_equal(replay_at(s, "x", pts[k][0], pts[k][1]), GT_OK);
    expect_stats(s, k + 1, 0);
    mpfr_set_si(x, pts[k][0], MPFR_RNDN);
    mpfr_div_si(x, x, pts[k][1], MPFR_RNDN);
    mpfr_pow_ui(y, x, 3, MPFR_RNDN);
    mpfr_sin(t, x, MPFR_RNDN);
    mpfr_add(y, y, t, MPFR_RNDN);
    expect_output(s, 0, y);
    mpfr_sqr(dy, x, MPFR_RNDN);
    mpfr_mul_ui(dy, dy, 3, MPFR_RNDN);
    mpfr_cos(t, x, MPFR_RNDN);
    mpfr_add(dy, dy, t, MPFR_RNDN);
    expect_derivative(s, dy);
    /* the input's value is the new point */
    GtValue in = gt_session_input_value(s, 0);
    assert_int_equal(in.size, 1);
    assert_true(mpfr_equal_p(in.elems, x));
  }
  mpfr_clears(x, y, dy, t, (mpfr_ptr)0);
  gt_session_free(s);
}

/* A branch: the same side re-evaluates, the other side records the
   program again (y = |x| written with if; dy/dx = sign x). */
static void
test_branch_guard(void **state)
{
  (void)state;
  GtSession *s = load("input x = 1\nif x > 0 { y = x * x } else "
                      "{ y = -x }\n");
  mpfr_t want;
  mpfr_init2(want, PREC);
  assert_int_equal(replay_at(s, "x", 3, 1), GT_OK);
  expect_stats(s, 1, 0);
  mpfr_set_ui(want, 9, MPFR_RNDN);
  expect_output(s, 0, want);
  assert_int_equal(replay_at(s, "x", -5, 2), GT_OK);
  expect_stats(s, 1, 1);            /* x > 0 no longer holds */
  mpfr_set_d(want, 2.5, MPFR_RNDN);
  expect_output(s, 0, want);
  mpfr_set_si(want, -1, MPFR_RNDN);
  expect_derivative(s, want);
  assert_int_equal(replay_at(s, "x", -7, 1), GT_OK);
  expect_stats(s, 2, 1);            /* the new tape's side again */
  mpfr_set_ui(want, 7, MPFR_RNDN);
  expect_output(s, 0, want);
  mpfr_clear(want);
  gt_session_free(s);
}

/* A loop count is a guard too: s = sum_{i<n} i x = n(n-1)/2 x. */
static void
test_range_guard(void **state)
{
  (void)state;
  GtSession *s = load("input n = 4\ninput x = 1\ns = 0\n"
                      "for i in range(n) { s += i * x }\n");
  mpfr_t want;
  mpfr_init2(want, PREC);
  assert_int_equal(replay_at(s, "x", 3, 2), GT_OK);
  expect_stats(s, 1, 0);
  mpfr_set_ui(want, 9, MPFR_RNDN);           /* 6 * 3/2 */
  expect_output(s, 0, want);
  assert_int_equal(replay_at(s, "n", 7, 1), GT_OK);
  expect_stats(s, 1, 1);                     /* 7 iterations, not 4 */
  mpfr_set_d(want, 31.5, MPFR_RNDN);         /* 21 * 3/2; x stays 3/2 */
  expect_output(s, 0, want);
  /* 7.5 is not the integer 7: recorded again (and range() fails on it) */
  assert_int_not_equal(replay_at(s, "n", 15, 2), GT_OK);
  expect_stats(s, 1, 2);
  mpfr_clear(want);
  gt_session_free(s);
}

/* What a replay cannot redo is recorded: a kink (its note), a NaN (its
   error), grad() in the program. */
static void
test_fallbacks(void **state)
{
  (void)state;
  mpfr_t want;
  mpfr_init2(want, PREC);

  GtSession *s = load("input x = 1\ny = abs(x) * 3\n");
  assert_int_equal(replay_at(s, "x", -1, 4), GT_OK);
  expect_stats(s, 1, 0);
  mpfr_set_d(want, 0.75, MPFR_RNDN);
  expect_output(s, 0, want);
  assert_int_equal(replay_at(s, "x", 0, 1), GT_OK);
  expect_stats(s, 1, 1);                     /* abs at its kink */
  gt_session_free(s);

  s = load("input x = 1\ny = log(x)\n");
  assert_int_equal(replay_at(s, "x", -1, 1), GT_ERUNTIME);
  expect_stats(s, 0, 1);                     /* NaN: the run reports it */
  assert_int_equal(replay_at(s, "x", 1, 1), GT_OK);
  mpfr_set_ui(want, 0, MPFR_RNDN);
  GtValue v = gt_session_output_value(s, 0);
  assert_true(mpfr_zero_p(v.elems));
  gt_session_free(s);

  s = load("input x = 1\ny = x^2\nd = grad(y, x)\noutput d\n");
  assert_int_equal(replay_at(s, "x", 5, 1), GT_OK);
  expect_stats(s, 0, 1);                     /* grad() is recorded */
  mpfr_set_ui(want, 10, MPFR_RNDN);
  expect_output(s, 0, want);
  gt_session_free(s);
  mpfr_clear(want);
}

/* A tensor input: set by value, the run uses it (y = sum(x^2)); a number
   set afterwards replaces it, and a tensor set after that replaces the
   number. */
static void
test_tensor_and_number(void **state)
{
  (void)state;
  GtSession *s = load("input x = 1\ny = sum(x * x)\n");
  static const size_t dims[1] = { 3 };
  mpfr_t e[3], want;
  mpfr_init2(want, PREC);
  for (int k = 0; k < 3; k++) {
    mpfr_init2(e[k], PREC);
    mpfr_set_si(e[k], k - 2, MPFR_RNDN);     /* -2, -1, 0 */
  }
  __mpfr_struct elems[3] = { *e[0], *e[1], *e[2] };
  GtValue t = { 1, dims, 3, elems };
  assert_int_equal(gt_session_set_input_tensor(s, "x", &t), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  mpfr_set_ui(want, 5, MPFR_RNDN);
  expect_output(s, 0, want);
  GtValue in = gt_session_input_value(s, 0);
  assert_int_equal(in.rank, 1);
  assert_int_equal(in.size, 3);
  assert_true(mpfr_equal_p(&in.elems[0], e[0]));
  /* a number replaces the tensor; the tensor tape is not re-evaluated */
  assert_int_equal(replay_at(s, "x", 3, 1), GT_OK);
  expect_stats(s, 0, 1);
  mpfr_set_ui(want, 9, MPFR_RNDN);
  expect_output(s, 0, want);
  /* and a tensor replaces the number */
  assert_int_equal(gt_session_set_input_tensor(s, "x", &t), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  mpfr_set_ui(want, 5, MPFR_RNDN);
  expect_output(s, 0, want);
  /* a rank-0 tensor is a number */
  GtValue one = { 0, NULL, 1, e[0] };
  assert_int_equal(gt_session_set_input_tensor(s, "x", &one), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  mpfr_set_ui(want, 4, MPFR_RNDN);
  expect_output(s, 0, want);
  /* an expression set after a value replaces it too */
  assert_int_equal(gt_session_set_input(s, "x", "1/2"), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  mpfr_set_d(want, 0.25, MPFR_RNDN);
  expect_output(s, 0, want);
  for (int k = 0; k < 3; k++)
    mpfr_clear(e[k]);
  mpfr_clear(want);
  gt_session_free(s);
}

/* Misuse: an unknown input, a tensor of too high a rank, no program. */
static void
test_usage_errors(void **state)
{
  (void)state;
  GtSession *s = load("input x = 1\ny = 2 * x\n");
  assert_int_equal(replay_at(s, "q", 1, 1), GT_EUSAGE);
  assert_non_null(strstr(first_error(s), "no input named 'q'"));
  gt_session_clear_diags(s);
  size_t dims[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
  mpfr_t one;
  mpfr_init2(one, PREC);
  mpfr_set_ui(one, 1, MPFR_RNDN);
  GtValue big = { 9, dims, 1, one };
  assert_int_equal(gt_session_set_input_tensor(s, "x", &big), GT_EUSAGE);
  assert_non_null(strstr(first_error(s), "at most 8 dimensions"));
  gt_session_clear_diags(s);
  assert_int_equal(gt_session_set_input_tensor(s, "nope", &big), GT_EUSAGE);
  assert_non_null(strstr(first_error(s), "no input named 'nope'"));
  mpfr_clear(one);
  expect_stats(s, 0, 0);
  gt_session_free(s);

  s = gt_session_new(NULL);
  assert_non_null(s);
  assert_int_equal(replay_at(s, "x", 1, 1), GT_EUSAGE);
  assert_non_null(strstr(first_error(s), "no program is loaded"));
  mpfr_t v;
  mpfr_init2(v, PREC);
  mpfr_set_ui(v, 1, MPFR_RNDN);
  assert_int_equal(gt_session_set_input_value(s, "x", v), GT_EUSAGE);
  mpfr_clear(v);
  gt_session_free(s);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_straight_line),
    cmocka_unit_test(test_branch_guard),
    cmocka_unit_test(test_range_guard),
    cmocka_unit_test(test_fallbacks),
    cmocka_unit_test(test_tensor_and_number),
    cmocka_unit_test(test_usage_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
