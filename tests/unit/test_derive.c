/* test_derive.c -- unit tests of the derivative planner (lib/derive.c)
 *
 * The planner's rule (derive.c's header) decides from the request and the
 * tape's shapes alone; these tests build small tapes through the recorder
 * and check each branch of the rule, for a kept result (the language's
 * grad()) and for final numbers (--order), and that a Taylor sweep's
 * status is read as the planner expects.  The one number checked is a
 * closed form: d2/dx2 (x sin x) = 2 cos x - x sin x.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "fixture.h"

/* The nodes every test uses (see setup). */
typedef struct Tapes {
  Fixture fx;
  int32_t x, s, y;        /* x = 1/2; s = sin x; y = s * x: scalars only */
  int32_t z;              /* y + sum(3 broadcast to [3]): a tensor that
                             does not depend on x on the way */
  int32_t w;              /* sum(expand(x, [3]) * expand(x, [3])): a
                             tensor that depends on x on the way */
  int32_t u, q;           /* u = 2 broadcast to [2]; q = sum(sin u) */
} Tapes;

static int
setup(void **state)
{
  Tapes *T = calloc(1, sizeof *T);
  if (T == NULL || fixture_open(&T->fx, "x = 1\n", 128) != 0)
    return -1;
  GtRec *r = &T->fx.rec;
  if (setjmp(T->fx.fail))
    return -1;
  GtShape v3 = { 1, 3, { 3 } }, v2 = { 1, 2, { 2 } };
  T->x = gt_rec_const(r, 1, 2);
  T->s = gt_rec_op(r, GT_OP_SIN, T->x, -1, -1);
  T->y = gt_rec_op(r, GT_OP_MUL, T->s, T->x, -1);
  int32_t c3 = gt_tensor_expand(r, gt_rec_const(r, 3, 1), &v3);
  T->z = gt_rec_op(r, GT_OP_ADD, T->y, gt_tensor_reduce(r, GT_OP_SUM, c3, 0),
                   -1);
  int32_t xv = gt_tensor_expand(r, T->x, &v3);
  T->w = gt_tensor_reduce(r, GT_OP_SUM, gt_rec_op(r, GT_OP_MUL, xv, xv, -1), 0);
  T->u = gt_tensor_expand(r, gt_rec_const(r, 2, 1), &v2);
  T->q = gt_tensor_reduce(r, GT_OP_SUM, gt_rec_op(r, GT_OP_SIN, T->u, -1, -1),
                       0);
  *state = T;
  return 0;
}

static int
teardown(void **state)
{
  Tapes *T = *state;
  fixture_free(&T->fx);
  free(T);
  return 0;
}

static GtDeriveMethod
plan(Tapes *T, int32_t of, const int32_t *wrt, size_t nwrt, long order,
     int keep)
{
  GtDeriveReq q = { .tape = &T->fx.tape, .of = &of, .nof = 1, .wrt = wrt,
                    .nwrt = nwrt, .order = order, .keep = keep };
  return gt_derive_plan(&q);
}

/* grad(y, x, k): recorded up to GT_DERIVE_NESTED_MAX, Taylor above it. */
static void
test_kept_scalar(void **state)
{
  Tapes *T = *state;
  assert_int_equal(plan(T, T->y, &T->x, 1, 0, 1), GT_DERIVE_IDENTITY);
  for (long k = 1; k <= GT_DERIVE_NESTED_MAX; k++)
    assert_int_equal(plan(T, T->y, &T->x, 1, k, 1), GT_DERIVE_RECORDED);
  assert_int_equal(GT_DERIVE_NESTED_MAX, 3);
  assert_int_equal(plan(T, T->y, &T->x, 1, 4, 1), GT_DERIVE_TAYLOR);
  assert_int_equal(plan(T, T->y, &T->x, 1, 65535, 1), GT_DERIVE_TAYLOR);
  /* with respect to an intermediate: the path starts there */
  assert_int_equal(plan(T, T->y, &T->s, 1, 5, 1), GT_DERIVE_TAYLOR);
}

/* A kept result checks the whole path before the sweep: any tensor node
   that y uses between x and y, even one that does not depend on x. */
static void
test_kept_tensors(void **state)
{
  Tapes *T = *state;
  assert_int_equal(plan(T, T->z, &T->x, 1, 4, 1), GT_DERIVE_RECORDED);
  assert_int_equal(plan(T, T->w, &T->x, 1, 4, 1), GT_DERIVE_RECORDED);
  assert_int_equal(plan(T, T->q, &T->u, 1, 4, 1), GT_DERIVE_RECORDED);
  assert_int_equal(plan(T, T->q, &T->u, 1, 1, 1), GT_DERIVE_RECORDED);
}

/* --order: numeric at order 1, Taylor for one name from order 2, nested
   sweeps for several names. */
static void
test_numbers_scalar(void **state)
{
  Tapes *T = *state;
  int32_t two[2] = { T->x, T->s };
  assert_int_equal(plan(T, T->y, &T->x, 1, 1, 0), GT_DERIVE_NUMERIC);
  assert_int_equal(plan(T, T->y, &T->x, 1, 2, 0), GT_DERIVE_TAYLOR);
  assert_int_equal(plan(T, T->y, &T->x, 1, 3, 0), GT_DERIVE_TAYLOR);
  assert_int_equal(plan(T, T->y, two, 2, 1, 0), GT_DERIVE_NUMERIC);
  assert_int_equal(plan(T, T->y, two, 2, 2, 0), GT_DERIVE_NESTED);
  assert_int_equal(plan(T, T->y, two, 2, 7, 0), GT_DERIVE_NESTED);
  /* no names at all (a program without inputs) */
  assert_int_equal(plan(T, T->y, NULL, 0, 2, 0), GT_DERIVE_NESTED);
}

/* Issue 13 item 4: NESTED requests of order >= 3 in several scalar inputs
   go by Taylor interpolation when it is cheaper ((n+K-1) K <= 4 3^(K-1)),
   and gt_partials gives every distinct partial, exact for a polynomial at
   integers, and exactly 0 (not connected) where no operation combines
   the names. */
static int32_t
input_leaf(GtRec *r, long v)
{
  int32_t i = gt_tape_push(r->tape, GT_OP_INPUT, -1, -1, -1, 0, 0);
  assert_true(i >= 0);
  mpfr_set_si(r->tape->nodes[i].v, v, MPFR_RNDN);
  return i;
}

static void
test_interp(void **state)
{
  Tapes *T = *state;
  GtRec *r = &T->fx.rec;
  if (setjmp(T->fx.fail))
    fail();
  int32_t in[11];
  for (int k = 0; k < 11; k++)
    in[k] = input_leaf(r, k + 1);
  int32_t a = in[0], b = in[1];
  /* p = a^2 b^3 at (1, 2); q = sin(a) + exp(b) */
  int32_t p = gt_rec_op(r, GT_OP_MUL, gt_rec_op(r, GT_OP_MUL, a, a, -1),
                        gt_rec_op(r, GT_OP_MUL, b, gt_rec_op(r, GT_OP_MUL, b,
                                                             b, -1), -1), -1);
  int32_t q = gt_rec_op(r, GT_OP_ADD, gt_rec_op(r, GT_OP_SIN, a, -1, -1),
                        gt_rec_op(r, GT_OP_EXP, b, -1, -1), -1);
  int32_t sum = in[0];
  for (int k = 1; k < 11; k++)
    sum = gt_rec_op(r, GT_OP_MUL, sum, in[k], -1);
  GtDeriveReq rq = { .tape = &T->fx.tape, .of = &p, .nof = 1, .wrt = in,
                     .nwrt = 2, .order = 3, .keep = 0 };
  assert_int_equal(gt_derive_interp(&rq), 1);
  rq.order = 2;
  assert_int_equal(gt_derive_interp(&rq), 0);   /* Hessians stay nested */
  rq.order = 3;
  rq.keep = 1;
  assert_int_equal(gt_derive_interp(&rq), 0);   /* grad() in the language */
  rq.keep = 0;
  rq.nwrt = 1;
  assert_int_equal(gt_derive_interp(&rq), 0);   /* one name: Taylor mode */
  rq.of = &sum;
  rq.nwrt = 10;
  assert_int_equal(gt_derive_interp(&rq), 1);   /* (10+2) 3 <= 36 */
  rq.nwrt = 11;
  assert_int_equal(gt_derive_interp(&rq), 0);   /* (11+2) 3 > 36 */
  rq.order = 5;
  assert_int_equal(gt_derive_interp(&rq), 0);   /* 3003^2 weights: costly */
  rq.nwrt = 5;
  assert_int_equal(gt_derive_interp(&rq), 1);   /* (5+4) 5 <= 324 */
  int32_t two[2] = { T->x, T->s };              /* not inputs */
  rq.of = &T->y;
  rq.wrt = two;
  rq.nwrt = 2;
  rq.order = 7;
  assert_int_equal(gt_derive_interp(&rq), 0);

  assert_int_equal(gt_partials_count(2, 3), 4);
  assert_int_equal(gt_partials_count(3, 8), 45);
  mpfr_t v[4];
  mpfr_ptr vp[4];
  int conn[4];
  for (int k = 0; k < 4; k++) {
    mpfr_init2(v[k], 128);
    vp[k] = v[k];
  }
  /* xxx xxy xyy yyy of a^2 b^3 at (1, 2): 0, 6 b^2 = 24, 12 a b = 24,
     6 a^2 = 6 */
  assert_int_equal(gt_partials(&T->fx.tape, p, in, 2, 3, vp, conn),
                   GT_PARTIALS_OK);
  static const long want[4] = { 0, 24, 24, 6 };
  for (int k = 0; k < 4; k++) {
    assert_int_equal(mpfr_cmp_si(v[k], want[k]), 0);
    assert_true(conn[k]);
  }
  /* sin(a) + exp(b): the mixed ones are exactly 0, not connected */
  assert_int_equal(gt_partials(&T->fx.tape, q, in, 2, 3, vp, conn),
                   GT_PARTIALS_OK);
  assert_true(conn[0] && !conn[1] && !conn[2] && conn[3]);
  assert_true(mpfr_zero_p(v[1]) && mpfr_zero_p(v[2]));
  assert_true(mpfr_cmp_d(v[0], -0.54) < 0 && mpfr_cmp_d(v[0], -0.55) > 0);
  for (int k = 0; k < 4; k++)
    mpfr_clear(v[k]);
}

/* --order with tensors: a tensor name or output is recorded from order 2
   on; order 1 stays one numeric sweep (shaped partials). */
static void
test_numbers_tensors(void **state)
{
  Tapes *T = *state;
  int32_t both[2] = { T->x, T->u };
  assert_int_equal(plan(T, T->q, &T->u, 1, 1, 0), GT_DERIVE_NUMERIC);
  assert_int_equal(plan(T, T->q, &T->u, 1, 2, 0), GT_DERIVE_RECORDED);
  assert_int_equal(plan(T, T->q, both, 2, 3, 0), GT_DERIVE_RECORDED);
  int32_t vec = T->u;      /* a tensor output */
  assert_int_equal(plan(T, vec, &T->x, 1, 2, 0), GT_DERIVE_RECORDED);
  /* scalar ends: Taylor; the sweep itself finds a tensor on the way */
  assert_int_equal(plan(T, T->w, &T->x, 1, 2, 0), GT_DERIVE_TAYLOR);
  assert_int_equal(plan(T, T->z, &T->x, 1, 2, 0), GT_DERIVE_TAYLOR);
}

/* --jacobian (whole): a tensor output is recorded Jacobians at every
   order; a number output keeps its plan. */
static void
test_numbers_whole(void **state)
{
  Tapes *T = *state;
  GtDeriveReq q = { .tape = &T->fx.tape, .of = &T->u, .nof = 1,
                    .wrt = &T->x, .nwrt = 1, .order = 1, .whole = 1 };
  assert_int_equal(gt_derive_plan(&q), GT_DERIVE_RECORDED);
  q.order = 3;
  assert_int_equal(gt_derive_plan(&q), GT_DERIVE_RECORDED);
  q.order = 0;
  assert_int_equal(gt_derive_plan(&q), GT_DERIVE_IDENTITY);
  q.of = &T->y;
  q.order = 1;
  assert_int_equal(gt_derive_plan(&q), GT_DERIVE_NUMERIC);
  q.order = 2;
  assert_int_equal(gt_derive_plan(&q), GT_DERIVE_TAYLOR);
}

/* Runs a Taylor sweep of order K of y in x; its end as the planner reads
   it, d^K y / dx^K in *d. */
static GtTaylorStatus
sweep(Tapes *T, int32_t x, int32_t y, int K, double *d)
{
  GtTape hold = { .prec = 128 };
  mpfr_ptr out[8];
  for (int j = 0; j <= K; j++)
    out[j] = gt_tape_number(&hold);
  int32_t fn;
  int fo;
  GtTaylorStatus end = gt_taylor(&T->fx.tape, x, y, K, out, &fn, &fo);
  *d = mpfr_get_d(out[K], MPFR_RNDN);
  gt_arena_free(&hold.vals);
  return end;
}

/* The fallback of rule 3: only a tensor that depends on x stops the
   sweep (GT_TAYLOR_TENSOR: the caller takes GT_DERIVE_RECORDED). */
static void
test_taylor_end(void **state)
{
  Tapes *T = *state;
  double d;
  assert_int_equal(sweep(T, T->x, T->y, 2, &d), GT_TAYLOR_OK);
  assert_true(fabs(d - (2 * cos(0.5) - 0.5 * sin(0.5))) < 1e-15);
  assert_int_equal(sweep(T, T->x, T->z, 2, &d), GT_TAYLOR_OK);
  assert_true(fabs(d - (2 * cos(0.5) - 0.5 * sin(0.5))) < 1e-15);
  assert_int_equal(sweep(T, T->x, T->w, 2, &d), GT_TAYLOR_TENSOR);
}

static void
test_names(void **state)
{
  (void)state;
  assert_string_equal(gt_derive_method_name(GT_DERIVE_TAYLOR), "Taylor mode");
  assert_string_equal(gt_derive_method_name(GT_DERIVE_NESTED),
                      "nested sweeps");
  assert_string_equal(gt_derive_method_name(GT_DERIVE_RECORDED),
                      "recorded reverse");
  assert_string_equal(gt_derive_method_name(GT_DERIVE_NUMERIC),
                      "numeric reverse");
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_kept_scalar),
    cmocka_unit_test(test_kept_tensors),
    cmocka_unit_test(test_numbers_scalar),
    cmocka_unit_test(test_interp),
    cmocka_unit_test(test_numbers_tensors),
    cmocka_unit_test(test_numbers_whole),
    cmocka_unit_test(test_taylor_end),
    cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
