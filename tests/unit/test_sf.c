/* test_sf.c -- unit tests of the special-function jets (lib/sf.c)
 *
 * Expected values: tests/oracle/gen_sf.py (mpmath, by formulas other than
 * lib/sf.c's, at two working precisions that must agree), rounded to
 * nearest at the test precision in the generator and written exactly in
 * hexadecimal: every coefficient must match bit for bit.  Then the
 * domain errors and poles, the parameter checks, and outputs of mixed
 * precisions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>

#include "sf.h"
#include "sf_table.h"

#define NCASES (sizeof sf_table / sizeof sf_table[0])

/* A negative derivative order. */
static int
status_at_deriv_bad(void)
{
  mpfr_t x, o;
  mpfr_ptr out[1];
  int st;
  mpfr_inits2(53, x, o, (mpfr_ptr)0);
  out[0] = o;
  mpfr_set_ui(x, 1, MPFR_RNDN);
  st = gt_sf_jet_deriv(GT_SF_ERFC, 0, NULL, x, -1, 0, out);
  assert_true(mpfr_nan_p(o));
  mpfr_clears(x, o, (mpfr_ptr)0);
  return st;
}

/* Runs one row at precision prec for every coefficient; returns the
   number of coefficients that differ from the table (printed). */
static int
run_row(const struct SfCase *c)
{
  mpfr_t x, a, want;
  mpfr_ptr out[31];
  mpfr_t store[31];
  int k, bad = 0, st;

  mpfr_init2(x, c->prec);
  mpfr_init2(a, c->prec);
  mpfr_init2(want, c->prec);
  assert_int_equal(mpfr_set_str(x, c->x, 0, MPFR_RNDN), 0);
  if (c->a != NULL)
    assert_int_equal(mpfr_set_str(a, c->a, 0, MPFR_RNDN), 0);
  for (k = 0; k <= c->K; k++) {
    mpfr_init2(store[k], c->prec);
    out[k] = store[k];
  }
  st = gt_sf_jet(c->f, c->n, c->a != NULL ? a : NULL, x, c->K, out);
  if (st != GT_SF_OK) {
    fprintf(stderr, "%s(n=%ld, x=%s) at %ld bits: status %d\n",
            gt_sf_name(c->f), c->n, c->x, c->prec, st);
    bad++;
  }
  for (k = 0; k <= c->K; k++) {
    assert_int_equal(mpfr_set_str(want, c->jet[k], 0, MPFR_RNDN), 0);
    if (!mpfr_equal_p(want, out[k]) ||
        mpfr_signbit(want) != mpfr_signbit(out[k])) {
      mpfr_fprintf(stderr, "%s(n=%ld, a=%s, x=%s) at %ld bits, k = %d: "
                   "got %Ra, want %Ra\n", gt_sf_name(c->f), c->n,
                   c->a ? c->a : "-", c->x, c->prec, k, out[k], want);
      bad++;
    }
    mpfr_clear(store[k]);
  }
  mpfr_clears(x, a, want, (mpfr_ptr)0);
  return bad;
}

static void
test_oracle_table(void **state)
{
  size_t i;
  int bad = 0;
  (void)state;
  for (i = 0; i < NCASES; i++)
    bad += run_row(&sf_table[i]);
  assert_int_equal(bad, 0);
}

/* Each coefficient rounded to its own precision: the jet at 300 bits read
   at 24, 53 and 300 bits in turn; each must be the rounding of the 300-bit
   table value (no double rounding trouble: the table value is itself a
   rounding, so compare against a fresh 53-bit jet instead). */
static void
test_mixed_precisions(void **state)
{
  size_t i;
  int k;
  (void)state;
  for (i = 0; i < NCASES; i++) {
    const struct SfCase *c = &sf_table[i];
    mpfr_t x, a, m[7], s[7];
    mpfr_ptr mo[7];
    int K = c->K < 6 ? c->K : 6;
    if (c->prec != 300 || (i % 3) != 0)
      continue;
    mpfr_init2(x, c->prec);
    mpfr_init2(a, c->prec);
    mpfr_set_str(x, c->x, 0, MPFR_RNDN);
    if (c->a != NULL)
      mpfr_set_str(a, c->a, 0, MPFR_RNDN);
    for (k = 0; k <= K; k++) {
      mpfr_init2(m[k], k % 2 ? 24 : 80);
      mpfr_init2(s[k], k % 2 ? 24 : 80);
      mo[k] = m[k];
    }
    assert_int_equal(gt_sf_jet(c->f, c->n, c->a ? a : NULL, x, K, mo),
                     GT_SF_OK);
    for (k = 0; k <= K; k++) {
      /* one coefficient at a time, as the only output */
      mpfr_ptr one[31];
      mpfr_t tmp[31];
      int j;
      for (j = 0; j <= k; j++) {
        mpfr_init2(tmp[j], j == k ? mpfr_get_prec(s[k]) : 2);
        one[j] = tmp[j];
      }
      assert_int_equal(gt_sf_jet(c->f, c->n, c->a ? a : NULL, x, k, one),
                       GT_SF_OK);
      mpfr_set(s[k], tmp[k], MPFR_RNDN);
      if (!mpfr_equal_p(s[k], m[k]))
        mpfr_fprintf(stderr, "%s(%s) k = %d: %Ra vs %Ra\n",
                     gt_sf_name(c->f), c->x, k, s[k], m[k]);
      assert_true(mpfr_equal_p(s[k], m[k]) || (mpfr_nan_p(s[k]) &&
                                               mpfr_nan_p(m[k])));
      for (j = 0; j <= k; j++)
        mpfr_clear(tmp[j]);
    }
    for (k = 0; k <= K; k++) {
      mpfr_clear(m[k]);
      mpfr_clear(s[k]);
    }
    mpfr_clears(x, a, (mpfr_ptr)0);
  }
}

/* gt_sf_jet_deriv against the table: the jet of f' is the table's jet
   shifted, times (1+k)!/k! = k + 1; with d = 1, K = 1 and d = 2, K = 0 the
   factors are 1 and 2, so the results must be exact.  For polygamma the
   jet of d/dx polygamma(n, .) is also the row of polygamma(n + 1, .). */
static void
test_deriv(void **state)
{
  size_t i, j;
  int checked = 0;
  (void)state;
  for (i = 0; i < NCASES; i++) {
    const struct SfCase *c = &sf_table[i];
    mpfr_t x, a, o[2], want;
    mpfr_ptr out[2];
    if (c->K < 2)
      continue;
    mpfr_inits2(c->prec, x, a, o[0], o[1], want, (mpfr_ptr)0);
    out[0] = o[0];
    out[1] = o[1];
    mpfr_set_str(x, c->x, 0, MPFR_RNDN);
    if (c->a != NULL)
      mpfr_set_str(a, c->a, 0, MPFR_RNDN);
    assert_int_equal(gt_sf_jet_deriv(c->f, c->n, c->a ? a : NULL, x, 1, 1,
                                     out), GT_SF_OK);
    mpfr_set_str(want, c->jet[1], 0, MPFR_RNDN);
    assert_true(mpfr_equal_p(o[0], want));
    mpfr_set_str(want, c->jet[2], 0, MPFR_RNDN);
    mpfr_mul_2ui(want, want, 1, MPFR_RNDN);
    assert_true(mpfr_equal_p(o[1], want));
    assert_int_equal(gt_sf_jet_deriv(c->f, c->n, c->a ? a : NULL, x, 2, 0,
                                     out), GT_SF_OK);
    assert_true(mpfr_equal_p(o[0], want));
    checked++;
    /* polygamma(n, .)' = polygamma(n + 1, .): find the row */
    for (j = 0; c->f == GT_SF_POLYGAMMA && j < NCASES; j++) {
      const struct SfCase *e = &sf_table[j];
      int k;
      if (e->f != GT_SF_POLYGAMMA || e->n != c->n + 1 ||
          e->prec != c->prec || strcmp(e->x, c->x) != 0)
        continue;
      for (k = 0; k <= 1 && k <= e->K; k++) {
        mpfr_set_str(want, e->jet[k], 0, MPFR_RNDN);
        assert_int_equal(gt_sf_jet_deriv(c->f, c->n, NULL, x, 1, k, out),
                         GT_SF_OK);
        assert_true(mpfr_equal_p(o[k], want));
      }
      checked++;
    }
    mpfr_clears(x, a, o[0], o[1], want, (mpfr_ptr)0);
  }
  assert_true(checked > 100);
  assert_int_equal(status_at_deriv_bad(), GT_SF_BADARG);
}

/* The status of f at x (text), with a (text or NULL), order n, K. */
static int
status_at(GtSf f, long n, const char *as, const char *xs, int K)
{
  mpfr_t x, a, o[4];
  mpfr_ptr out[4];
  int k, st;
  mpfr_inits2(64, x, a, o[0], o[1], o[2], o[3], (mpfr_ptr)0);
  for (k = 0; k < 4; k++)
    out[k] = o[k];
  mpfr_set_str(x, xs, 0, MPFR_RNDN);
  if (as != NULL)
    mpfr_set_str(a, as, 0, MPFR_RNDN);
  st = gt_sf_jet(f, n, as ? a : NULL, x, K, out);
  if (st != GT_SF_OK && st != GT_SF_NOCONV)
    for (k = 0; k <= K; k++)
      assert_true(mpfr_nan_p(o[k]));
  mpfr_clears(x, a, o[0], o[1], o[2], o[3], (mpfr_ptr)0);
  return st;
}

static void
test_domains(void **state)
{
  (void)state;
  assert_int_equal(status_at(GT_SF_POLYGAMMA, 0, NULL, "0", 2), GT_SF_POLE);
  assert_int_equal(status_at(GT_SF_POLYGAMMA, -1, NULL, "-3", 0),
                   GT_SF_POLE);
  assert_int_equal(status_at(GT_SF_POLYGAMMA, 5, NULL, "-0x1p80", 1),
                   GT_SF_POLE);
  assert_int_equal(status_at(GT_SF_POLYGAMMA, -2, NULL, "1", 1),
                   GT_SF_BADARG);
  assert_int_equal(status_at(GT_SF_ZETA, 0, NULL, "1", 0), GT_SF_POLE);
  assert_int_equal(status_at(GT_SF_ERFINV, 0, NULL, "1", 0), GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_ERFINV, 0, NULL, "-1", 1), GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_ERFINV, 0, NULL, "-2", 1), GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_BESSELY, 1, NULL, "0", 0), GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_BESSELY, 1, NULL, "-1", 2), GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_GAMMA_INC, 0, "2.5", "-1", 0),
                   GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_GAMMA_INC, 0, "2.5", "0", 2),
                   GT_SF_OK);
  assert_int_equal(status_at(GT_SF_GAMMA_INC, 0, "2.5", "0", 3),
                   GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_GAMMA_INC, 0, "-2", "0", 0),
                   GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_GAMMA_INC, 0, "3", "-2", 2), GT_SF_OK);
  assert_int_equal(status_at(GT_SF_GAMMA_INC, 0, NULL, "2", 0),
                   GT_SF_BADARG);
  /* -1/e = -0.36787944117144233...: its 64-bit neighbours either side
     (mpmath); W'(x) ~ 1/sqrt(2e(x + 1/e)) is large but finite */
  assert_int_equal(status_at(GT_SF_LAMBERTW, 0, NULL,
                             "-0xbc5ab1b16779be35p-65", 2), GT_SF_OK);
  assert_int_equal(status_at(GT_SF_LAMBERTW, 0, NULL,
                             "-0x5e2d58d8b3bcdf1bp-64", 1), GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_LAMBERTW, 0, NULL, "-1", 0),
                   GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_ERFC, 0, NULL, "@NaN@", 0), GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_ERFC, 0, NULL, "@Inf@", 0), GT_SF_DOMAIN);
  assert_int_equal(status_at(GT_SF_ERFC, 0, NULL, "1", -1), GT_SF_BADARG);
  assert_int_equal(status_at(GT_SF_COUNT, 0, NULL, "1", 0), GT_SF_BADARG);
}

static void
test_names(void **state)
{
  int f;
  (void)state;
  for (f = 0; f < GT_SF_COUNT; f++) {
    assert_non_null(gt_sf_name((GtSf)f));
    assert_string_not_equal(gt_sf_name((GtSf)f), "?");
    assert_string_not_equal(gt_sf_domain((GtSf)f), "?");
  }
  assert_string_equal(gt_sf_name(GT_SF_COUNT), "?");
}

#define NCASES2 (sizeof sf2_table / sizeof sf2_table[0])

static void
test_value2(void **state)
{
  size_t i;
  int bad = 0;
  mpfr_t a, b, r, want;
  (void)state;
  for (i = 0; i < NCASES2; i++) {
    const struct Sf2Case *c = &sf2_table[i];
    mpfr_inits2(c->prec, a, b, r, want, (mpfr_ptr)0);
    mpfr_set_str(a, c->a, 0, MPFR_RNDN);
    mpfr_set_str(b, c->b, 0, MPFR_RNDN);
    mpfr_set_str(want, c->want, 0, MPFR_RNDN);
    assert_int_equal(gt_sf_value2(c->f, a, b, c->i, c->j, r), GT_SF_OK);
    if (!mpfr_equal_p(r, want)) {
      mpfr_fprintf(stderr, "value2 %d (%s, %s) d(%d,%d) at %ld: got %Ra, "
                   "want %Ra\n", c->f, c->a, c->b, c->i, c->j, c->prec, r,
                   want);
      bad++;
    }
    mpfr_clears(a, b, r, want, (mpfr_ptr)0);
  }
  assert_int_equal(bad, 0);
  mpfr_inits2(53, a, b, r, want, (mpfr_ptr)0);
  /* a + b = -2, a pole of Gamma: B = 0 and dB/da = Gamma(a) Gamma(b)
     (1/Gamma)'(-2) = (4 sqrt(pi)/3) (-2 sqrt(pi)) 2 = -16 pi/3 */
  mpfr_set_d(a, -1.5, MPFR_RNDN);
  mpfr_set_d(b, -0.5, MPFR_RNDN);
  assert_int_equal(gt_sf_value2(GT_SF2_BETA, a, b, 0, 0, r), GT_SF_OK);
  assert_true(mpfr_zero_p(r));
  assert_int_equal(gt_sf_value2(GT_SF2_BETA, a, b, 1, 0, r), GT_SF_OK);
  mpfr_const_pi(want, MPFR_RNDN);
  mpfr_mul_si(want, want, -16, MPFR_RNDN);
  mpfr_div_ui(want, want, 3, MPFR_RNDN);
  mpfr_sub(want, want, r, MPFR_RNDN);
  assert_true(mpfr_cmpabs_ui(want, 0) == 0 ||
              mpfr_get_exp(want) <= mpfr_get_exp(r) - 52);
  assert_int_equal(gt_sf_value2(GT_SF2_LBETA, a, b, 0, 0, r), GT_SF_POLE);
  mpfr_set_si(a, -2, MPFR_RNDN);
  mpfr_set_d(b, 0.5, MPFR_RNDN);
  assert_int_equal(gt_sf_value2(GT_SF2_BETA, a, b, 0, 0, r), GT_SF_POLE);
  mpfr_set_d(a, -2.5, MPFR_RNDN);
  assert_int_equal(gt_sf_value2(GT_SF2_LBETA, a, b, 1, 0, r), GT_SF_POLE);
  assert_int_equal(gt_sf_value2(GT_SF2_LBETA, a, b, -1, 0, r),
                   GT_SF_BADARG);
  mpfr_clears(a, b, r, want, (mpfr_ptr)0);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_oracle_table),
    cmocka_unit_test(test_mixed_precisions),
    cmocka_unit_test(test_deriv),
    cmocka_unit_test(test_domains),
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_value2),
  };
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  gt_sf_thread_done();
  mpfr_free_cache();
  return r;
}
