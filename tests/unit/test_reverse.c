/* test_reverse.c -- unit tests of the reverse sweeps (lib/reverse.c)
 *
 * Tapes are built by hand (inputs, then ops through gt_rec_op) at 256 bits,
 * and both sweeps are run on them: the numeric one (gt_rev_sweep) and the
 * recorded one (gt_rev_record, whose result nodes can be differentiated
 * again).  Expected numbers are closed forms, exact where the arithmetic
 * is, or MPFR evaluations at 600 bits that do not go through the rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "fixture.h"

#define PREC 256
#define HIGH 600

/* ---- a recorder outside a run ---- */

static int
setup(void **state)
{
  Fixture *fx = malloc(sizeof *fx);
  if (fx == NULL
      || fixture_open(fx, "input x = 0\ny = sqrt(x^2)\n", PREC) != 0)
    return -1;
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  Fixture *fx = *state;
  fixture_free(fx);
  free(fx);
  return 0;
}

/* Every test jumps here on a recording error: there should be none. */
#define NO_FAIL(fx)                                                          \
  do {                                                                       \
    if (setjmp((fx)->fail)) {                                                \
      fprintf(stderr, "recording failed: %s\n",                              \
              (fx)->diags.n ? (fx)->diags.items[(fx)->diags.n - 1].message   \
                            : "?");                                          \
      fail();                                                                \
    }                                                                        \
  } while (0)

/* An input leaf holding value (fixture.h: leaf, op1, op2). */
static int32_t
input(Fixture *fx, const char *value)
{
  return leaf(fx, GT_OP_INPUT, value);
}

/* The id of the program's first expression applying op (the site the
   interpreter gives the nodes it records for it). */
static uint32_t
site_of(Fixture *fx, GtOp op)
{
  for (size_t i = 1; i < fx->prog->nexprs; i++)
    if (fx->prog->exprs[i]->kind == GT_EX_OP && fx->prog->exprs[i]->op == op)
      return (uint32_t)i;
  fail_msg("no expression of op %d", (int)op);
  return 0;
}

static mpfr_srcptr
val(Fixture *fx, int32_t i)
{
  return fx->tape.nodes[i].v;
}

/* The numeric sweep of out with respect to wrt[0..n-1] into res[], which
   the caller clears with clear_all. */
typedef struct Sweep {
  mpfr_t res[8];
  int conn[8];
  int32_t nan_node;
  int status;
} Sweep;

static void
sweep(Fixture *fx, int32_t out, const int32_t *wrt, size_t n, Sweep *s)
{
  mpfr_ptr p[8];
  assert_true(n <= 8);
  for (size_t k = 0; k < n; k++) {
    mpfr_init2(s->res[k], PREC);
    p[k] = s->res[k];
  }
  s->status = gt_rev_sweep(&fx->tape, out, wrt, n, p, s->conn, &s->nan_node);
}

static void
clear_sweep(Sweep *s, size_t n)
{
  for (size_t k = 0; k < n; k++)
    mpfr_clear(s->res[k]);
}

/* |got - want| <= ulps ulps of want at PREC bits (want nonzero). */
static void
assert_close(mpfr_srcptr got, mpfr_srcptr want, double ulps)
{
  mpfr_t d;
  mpfr_init2(d, HIGH + PREC);
  mpfr_sub(d, got, want, MPFR_RNDN);
  mpfr_abs(d, d, MPFR_RNDN);
  mpfr_mul_2si(d, d, PREC - mpfr_get_exp(want), MPFR_RNDN);
  if (!mpfr_number_p(got) || mpfr_get_d(d, MPFR_RNDU) > ulps) {
    mpfr_fprintf(stderr, "got %.78Rg\nwant %.78Rg\n(%Rg ulps, allowed %g)\n",
                 got, want, d, ulps);
    mpfr_clear(d);
    fail();
  }
  mpfr_clear(d);
}

#define assert_value_si(got, want) check_si(got, want, #got)

static void
check_si(mpfr_srcptr got, long want, const char *what)
{
  if (mpfr_cmp_si(got, want) != 0 || mpfr_nan_p(got)) {
    mpfr_fprintf(stderr, "%s: got %.78Rg, want %ld\n", what, got, want);
    fail();
  }
}

/* ---- the tests ---- */

/* y = x*x + x: x reaches y three ways; dy/dx = 2x + 1 */
static void
test_fan_out(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "3");
  int32_t y = op2(fx, GT_OP_ADD, op2(fx, GT_OP_MUL, x, x), x);
  assert_value_si(val(fx, y), 12);

  Sweep s;
  sweep(fx, y, &x, 1, &s);
  assert_int_equal(s.status, GT_OK);
  assert_int_equal(s.conn[0], 1);
  assert_int_equal(s.nan_node, -1);
  assert_value_si(s.res[0], 7);
  clear_sweep(&s, 1);

  int32_t d;
  gt_rev_record(&fx->rec, y, &x, 1, &d);
  assert_value_si(val(fx, d), 7);
  /* and the recorded derivative is itself differentiable: d/dx(2x+1) */
  int32_t d2;
  gt_rev_record(&fx->rec, d, &x, 1, &d2);
  assert_value_si(val(fx, d2), 2);
}

/* y = sin(sin(...sin(x))), 1000 nodes deep: dy/dx is the product of
   cos(y_i) along the chain, recomputed here at HIGH bits */
static void
test_chain_1000(void **state)
{
  Fixture *fx = *state;
  enum { DEPTH = 1000 };
  NO_FAIL(fx);
  int32_t x = input(fx, "1.25");
  int32_t y = x;
  for (int i = 0; i < DEPTH; i++)
    y = op1(fx, GT_OP_SIN, y);

  mpfr_t v, c, want;
  mpfr_inits2(HIGH, v, c, want, (mpfr_ptr)0);
  mpfr_set_str(v, "1.25", 10, MPFR_RNDN);
  mpfr_set_ui(want, 1, MPFR_RNDN);
  for (int i = 0; i < DEPTH; i++) {
    mpfr_cos(c, v, MPFR_RNDN);
    mpfr_mul(want, want, c, MPFR_RNDN);
    mpfr_sin(v, v, MPFR_RNDN);
  }
  /* the value itself, for a start */
  assert_close(val(fx, y), v, 4 * DEPTH);

  Sweep s;
  sweep(fx, y, &x, 1, &s);
  assert_int_equal(s.status, GT_OK);
  assert_int_equal(s.conn[0], 1);
  /* each step rounds a few times: a few ulps per node at most */
  assert_close(s.res[0], want, 4 * DEPTH);
  clear_sweep(&s, 1);

  int32_t d;
  size_t before = fx->tape.n;
  gt_rev_record(&fx->rec, y, &x, 1, &d);
  assert_close(val(fx, d), want, 8 * DEPTH);
  /* O(1) nodes per node of the chain */
  assert_true(fx->tape.n - before <= 4 * DEPTH);
  mpfr_clears(v, c, want, (mpfr_ptr)0);
}

/* Outputs that do not depend on a wrt node: derivative 0, connected 0;
   outputs that depend on it only through flat ops: derivative 0,
   connected 1. */
static void
test_unconnected(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "1.5");
  int32_t z = input(fx, "-2");
  int32_t two = gt_rec_const(&fx->rec, 2, 1);
  int32_t y = op2(fx, GT_OP_MUL, op1(fx, GT_OP_EXP, two), two); /* no x */
  int32_t later = op2(fx, GT_OP_MUL, x, x);   /* recorded after y */
  int32_t wrt[3] = { x, z, later };

  Sweep s;
  sweep(fx, y, wrt, 3, &s);
  assert_int_equal(s.status, GT_OK);
  for (int k = 0; k < 3; k++) {
    assert_int_equal(s.conn[k], 0);
    assert_true(mpfr_zero_p(s.res[k]));
  }
  clear_sweep(&s, 3);

  int32_t d[3];
  gt_rev_record(&fx->rec, y, wrt, 3, d);
  for (int k = 0; k < 3; k++)
    assert_true(mpfr_zero_p(val(fx, d[k])));

  /* one output, two inputs, only one of them used */
  int32_t u = op1(fx, GT_OP_SIN, x);
  int32_t xz[2] = { x, z };
  sweep(fx, u, xz, 2, &s);
  assert_int_equal(s.conn[0], 1);
  assert_int_equal(s.conn[1], 0);
  assert_true(mpfr_zero_p(s.res[1]));
  clear_sweep(&s, 2);

  /* through flat ops only: connected, derivative 0 */
  int32_t flat[3] = {
    op2(fx, GT_OP_GT, x, two),
    op2(fx, GT_OP_MUL, op1(fx, GT_OP_STOP, x), two),
    op1(fx, GT_OP_FLOOR, op2(fx, GT_OP_MUL, x, z)),
  };
  for (int j = 0; j < 3; j++) {
    sweep(fx, flat[j], xz, 2, &s);
    assert_int_equal(s.status, GT_OK);
    for (int k = 0; k < 2; k++) {
      assert_int_equal(s.conn[k], j < 2 ? k == 0 : 1);
      assert_true(mpfr_zero_p(s.res[k]));
    }
    clear_sweep(&s, 2);
    gt_rev_record(&fx->rec, flat[j], xz, 2, d);
    assert_true(mpfr_zero_p(val(fx, d[0])));
    assert_true(mpfr_zero_p(val(fx, d[1])));
  }
}

/* d/du of y = sin(u) + u where u = x*x is an intermediate node:
   cos(u) + 1, while dy/dx = (cos(u) + 1) 2x */
static void
test_intermediate(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "1.5");
  int32_t u = op2(fx, GT_OP_MUL, x, x);
  int32_t y = op2(fx, GT_OP_ADD, op1(fx, GT_OP_SIN, u), u);

  mpfr_t du, dx;
  mpfr_inits2(HIGH, du, dx, (mpfr_ptr)0);
  mpfr_set_str(du, "2.25", 10, MPFR_RNDN);
  mpfr_cos(du, du, MPFR_RNDN);
  mpfr_add_ui(du, du, 1, MPFR_RNDN);
  mpfr_mul_ui(dx, du, 3, MPFR_RNDN);

  Sweep s;
  sweep(fx, y, &u, 1, &s);
  assert_int_equal(s.conn[0], 1);
  assert_close(s.res[0], du, 4);
  clear_sweep(&s, 1);
  sweep(fx, y, &x, 1, &s);
  assert_close(s.res[0], dx, 4);
  clear_sweep(&s, 1);

  int32_t d;
  gt_rev_record(&fx->rec, y, &u, 1, &d);
  assert_close(val(fx, d), du, 4);
  /* the derivative with respect to u, differentiated with respect to x:
     d/dx (cos(x^2) + 1) = -sin(x^2) 2x */
  int32_t d2;
  gt_rev_record(&fx->rec, d, &x, 1, &d2);
  mpfr_set_str(dx, "2.25", 10, MPFR_RNDN);
  mpfr_sin(dx, dx, MPFR_RNDN);
  mpfr_mul_si(dx, dx, -3, MPFR_RNDN);
  assert_close(val(fx, d2), dx, 4);
  mpfr_clears(du, dx, (mpfr_ptr)0);
}

/* f = x z + sin(x) with respect to x, z, the intermediate u = x z and x
   again, in one sweep: z + cos x, x, 1, z + cos x (total derivatives) */
static void
test_several_wrt(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "0.75");
  int32_t z = input(fx, "-2.5");
  int32_t u = op2(fx, GT_OP_MUL, x, z);
  int32_t f = op2(fx, GT_OP_ADD, u, op1(fx, GT_OP_SIN, x));
  int32_t wrt[4] = { x, z, u, x };

  mpfr_t dx, dz, one;
  mpfr_inits2(HIGH, dx, dz, one, (mpfr_ptr)0);
  mpfr_set_str(dx, "0.75", 10, MPFR_RNDN);
  mpfr_cos(dx, dx, MPFR_RNDN);
  mpfr_sub_d(dx, dx, 2.5, MPFR_RNDN);
  mpfr_set_d(dz, 0.75, MPFR_RNDN);
  mpfr_set_ui(one, 1, MPFR_RNDN);
  mpfr_srcptr want[4] = { dx, dz, one, dx };

  Sweep s;
  sweep(fx, f, wrt, 4, &s);
  assert_int_equal(s.status, GT_OK);
  for (int k = 0; k < 4; k++) {
    assert_int_equal(s.conn[k], 1);
    assert_close(s.res[k], want[k], 4);
  }
  clear_sweep(&s, 4);

  int32_t d[4];
  gt_rev_record(&fx->rec, f, wrt, 4, d);
  for (int k = 0; k < 4; k++)
    assert_close(val(fx, d[k]), want[k], 4);
  mpfr_clears(dx, dz, one, (mpfr_ptr)0);
}

/* y = where(x > 0, sqrt(x), 2x) at x = 0: the unselected sqrt has an
   infinite derivative there, which must not come back as inf * 0 = NaN */
static void
test_zero_adjoint_where(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "0");
  int32_t zero = gt_rec_const(&fx->rec, 0, 1);
  int32_t two = gt_rec_const(&fx->rec, 2, 1);
  int32_t sq = op1(fx, GT_OP_SQRT, x);
  int32_t y = gt_rec_op(&fx->rec, GT_OP_WHERE, op2(fx, GT_OP_GT, x, zero),
                        sq, op2(fx, GT_OP_MUL, two, x));

  Sweep s;
  sweep(fx, y, &x, 1, &s);
  assert_int_equal(s.status, GT_OK);
  assert_int_equal(s.nan_node, -1);
  assert_value_si(s.res[0], 2);
  clear_sweep(&s, 1);

  int32_t d;
  gt_rev_record(&fx->rec, y, &x, 1, &d);
  assert_value_si(val(fx, d), 2);

  /* the same with the sqrt selected and x > 0 */
  int32_t x1 = input(fx, "0.25");
  int32_t y1 = gt_rec_op(&fx->rec, GT_OP_WHERE, op2(fx, GT_OP_GT, x1, zero),
                         op1(fx, GT_OP_SQRT, x1), op2(fx, GT_OP_MUL, two, x1));
  sweep(fx, y1, &x1, 1, &s);
  assert_value_si(s.res[0], 1);   /* 1 / (2 sqrt(0.25)) */
  clear_sweep(&s, 1);
}

/* issue 10.6a: a value that left MPFR's exponent range (exp(x) at
   x = 1e10 overflows, x * x at 2^-700000000 underflows) makes the
   derivative through it NaN, blamed on it, even where the adjoint reaching
   it is 0 (log(inf) passes 1/inf = 0 to exp); exact infinities (1/0) and
   zeros (x * 0) are no such fault. */
static void
test_range_fault(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "1e10");
  int32_t ex = op1(fx, GT_OP_EXP, x);
  int32_t y = op1(fx, GT_OP_LOG, ex);
  assert_int_equal(gt_tape_range_fault(&fx->tape, ex, 0), 1);
  assert_int_equal(gt_tape_range_fault(&fx->tape, y, 0), 0); /* log(inf) */
  Sweep s;
  sweep(fx, y, &x, 1, &s);
  assert_int_equal(s.status, GT_OK);
  assert_true(mpfr_nan_p(s.res[0]));
  assert_int_equal(s.nan_node, ex);
  clear_sweep(&s, 1);

  int32_t t = input(fx, "0x1p-700000000");
  int32_t sq = op2(fx, GT_OP_MUL, t, t);
  int32_t q = op2(fx, GT_OP_DIV, sq, t);
  assert_int_equal(gt_tape_range_fault(&fx->tape, sq, 0), 2);
  sweep(fx, q, &t, 1, &s);
  assert_true(mpfr_nan_p(s.res[0]));
  assert_int_equal(s.nan_node, sq);
  clear_sweep(&s, 1);

  int32_t z = input(fx, "0");
  int32_t zero = gt_rec_const(&fx->rec, 0, 1);
  assert_int_equal(gt_tape_range_fault(&fx->tape,
                                      op2(fx, GT_OP_DIV, x, z), 0), 0);
  assert_int_equal(gt_tape_range_fault(&fx->tape,
                                      op2(fx, GT_OP_MUL, x, zero), 0), 0);
}

/* where(c, b, e) is piecewise constant in c: the condition gets no
   derivative, even when it is a number that depends on x.  With
   w = where(x, x, 0) and z = (w + 1) + w at x = 2, dz/dx = 2. */
static void
test_where_condition(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "2");
  int32_t zero = gt_rec_const(&fx->rec, 0, 1);
  int32_t one = gt_rec_const(&fx->rec, 1, 1);
  int32_t w = gt_rec_op(&fx->rec, GT_OP_WHERE, x, x, zero);
  int32_t p = op2(fx, GT_OP_ADD, w, one);
  int32_t z = op2(fx, GT_OP_ADD, p, w);

  int32_t d;
  gt_rev_record(&fx->rec, z, &x, 1, &d);
  assert_value_si(val(fx, d), 2);

  Sweep s;
  sweep(fx, z, &x, 1, &s);
  assert_int_equal(s.status, GT_OK);
  long got = mpfr_get_si(s.res[0], MPFR_RNDN);
  int exact = mpfr_integer_p(s.res[0]);
  clear_sweep(&s, 1);
  if (got != 2 || !exact)
    fail_msg("numeric sweep: dz/dx = %ld, want 2 (the condition of where "
             "got a derivative)", got);
}

/* grad of grad: x^3 at x = 2 has derivatives 12, 12, 6, 0, each by
   gt_rev_record of the previous result; the numeric sweep agrees. */
static void
test_nested_recorded(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  static const long want[] = { 8, 12, 12, 6, 0, 0 };
  int32_t x = input(fx, "2");
  int32_t three = gt_rec_const(&fx->rec, 3, 1);
  int32_t forms[2] = {
    op2(fx, GT_OP_POW, x, three),
    op2(fx, GT_OP_MUL, op2(fx, GT_OP_MUL, x, x), x),
  };
  for (int f = 0; f < 2; f++) {
    int32_t d = forms[f];
    assert_value_si(val(fx, d), want[0]);
    for (int k = 1; k < 6; k++) {
      Sweep s;
      sweep(fx, d, &x, 1, &s);   /* the next derivative, numerically */
      assert_int_equal(s.status, GT_OK);
      assert_value_si(s.res[0], want[k]);
      clear_sweep(&s, 1);
      gt_rev_record(&fx->rec, d, &x, 1, &d);
      assert_value_si(val(fx, d), want[k]);
    }
  }
}

/* d/dx sqrt(x^2) at 0: sqrt's rule makes an infinite adjoint, x^2's rule
   multiplies it by 2x = 0.  The NaN is blamed on sqrt, whose derivative
   is the one that does not exist. */
static void
test_nan_blame(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "0");
  int32_t two = gt_rec_const(&fx->rec, 2, 1);
  int32_t sq = op2(fx, GT_OP_POW, x, two);
  int32_t y = op1(fx, GT_OP_SQRT, sq);
  /* downstream of the sqrt: the blame must not move there */
  int32_t z = op2(fx, GT_OP_ADD, op2(fx, GT_OP_MUL, y, two), x);

  Sweep s;
  sweep(fx, y, &x, 1, &s);
  assert_int_equal(s.status, GT_OK);
  assert_true(mpfr_nan_p(s.res[0]));
  assert_int_equal(s.nan_node, y);
  clear_sweep(&s, 1);

  sweep(fx, z, &x, 1, &s);
  assert_true(mpfr_nan_p(s.res[0]));
  assert_int_equal(s.nan_node, y);
  clear_sweep(&s, 1);

  /* with respect to the intermediate x^2 the derivative is inf, no NaN */
  sweep(fx, y, &sq, 1, &s);
  assert_true(mpfr_inf_p(s.res[0]) && mpfr_sgn(s.res[0]) > 0);
  assert_int_equal(s.nan_node, -1);
  clear_sweep(&s, 1);

}

/* The recorded sweep of d/dx sqrt(x^2) at 0 gives NaN too.  What grad()
   in the language reports about it (gt_rec_check_nan on the result) must
   name sqrt, whose derivative does not exist there, and point at it, as
   for the numeric sweep; not at the multiplication in x^2's rule that met
   the infinity.  The nodes carry the sites of the fixture's program
   "y = sqrt(x^2)", as the interpreter would record them. */
static void
test_nan_blame_recorded(void **state)
{
  Fixture *fx = *state;
  NO_FAIL(fx);
  int32_t x = input(fx, "0");
  int32_t two = gt_rec_const(&fx->rec, 2, 1);
  fx->rec.site = site_of(fx, GT_OP_POW);
  int32_t sq = op2(fx, GT_OP_POW, x, two);
  fx->rec.site = site_of(fx, GT_OP_SQRT);
  int32_t y = op1(fx, GT_OP_SQRT, sq);

  int32_t d;
  gt_rev_record(&fx->rec, y, &x, 1, &d);
  assert_true(mpfr_nan_p(val(fx, d)));
  size_t before = fx->diags.n;
  if (setjmp(fx->fail)) {
    assert_int_equal(fx->rec.status, GT_ERUNTIME);
    assert_true(fx->diags.n > before);
    const GtDiag *dg = &fx->diags.items[before];
    if (strstr(dg->message, "derivative of sqrt") == NULL || dg->line != 2
        || dg->col != 5) {
      fprintf(stderr, "the NaN is blamed at %u:%u as: %s\n", dg->line,
              dg->col, dg->message);
      fail();
    }
    return;
  }
  gt_rec_check_nan(&fx->rec, d);
  fail_msg("a NaN derivative was let through");
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_fan_out, setup, teardown),
    cmocka_unit_test_setup_teardown(test_chain_1000, setup, teardown),
    cmocka_unit_test_setup_teardown(test_unconnected, setup, teardown),
    cmocka_unit_test_setup_teardown(test_intermediate, setup, teardown),
    cmocka_unit_test_setup_teardown(test_several_wrt, setup, teardown),
    cmocka_unit_test_setup_teardown(test_zero_adjoint_where, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_where_condition, setup, teardown),
    cmocka_unit_test_setup_teardown(test_range_fault, setup, teardown),
    cmocka_unit_test_setup_teardown(test_nested_recorded, setup, teardown),
    cmocka_unit_test_setup_teardown(test_nan_blame, setup, teardown),
    cmocka_unit_test_setup_teardown(test_nan_blame_recorded, setup,
                                    teardown),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  gt_special_free_cache();
  mpfr_free_cache();
  return rc;
}
