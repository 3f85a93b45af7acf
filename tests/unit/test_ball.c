/* test_ball.c -- unit test of the ball rules (lib/ball.c) and of
 * gt_session_enclose (lib/enclose.c), issue 15
 *
 * - The table: every op of ops.def has a ball rule of its kind
 *   (elementwise or tensor), or a stated reason for having none; a new op
 *   fails here by name until it gets one.
 * - Every row of ops_table.h (mpmath at 110 digits, tests/oracle/gen_ops.py:
 *   the edge points of every op, kinks and domain edges included): the
 *   rule on the exact operands gives a ball that contains the oracle's
 *   value, and so does it on the operands widened by a radius of 2^-200
 *   relative when it gives a ball there;
 *   where the oracle says NaN or an infinity, the rule must fail instead
 *   of returning a finite ball.
 * - The series rules (Taylor mode on balls): coefficient 1 with one
 *   operand varying contains the oracle's partial derivative.
 * - A program through the session that uses every tensor op: each
 *   enclosure contains the exact value (integers, by hand), and every
 *   tensor op of ops.def occurred on the tape.
 * - gt_session_enclose_taylor: the coefficients of exp(2x) x at 0 hold
 *   their exact rationals (by hand).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ball.h"
#include "ops_table.h"

#define PREC 256
#define ORACLE_PREC 400

static void
test_table_complete(void **state)
{
  (void)state;
  int missing = 0;
  for (int op = 0; op < GT_OP_COUNT; op++) {
    const GtBallRule *r = &gt_ball_rules[op];
    int ok = gt_is_tensor_op((GtOp)op) ? r->tfn != NULL : r->fn != NULL;
    if (!ok && r->exempt == NULL) {
      fprintf(stderr, "FAIL op %s (%d) has no ball rule and no reason\n",
              gt_ops[op].name, op);
      missing++;
    }
    if (r->fn && r->tfn) {
      fprintf(stderr, "FAIL op %s has both kinds of ball rule\n",
              gt_ops[op].name);
      missing++;
    }
  }
  assert_int_equal(missing, 0);
}

/* The oracle's value as a ball: its 110 digits +- 1e-108 relative. */
static int
oracle_ball(arb_ptr o, const char *y)
{
  if (arb_set_str(o, y, ORACLE_PREC) != 0)
    return -1;
  mag_t m;
  mag_init(m);
  arb_get_mag(m, o);
  mag_mul_2exp_si(m, m, -355);  /* 2^-355 < 1e-106 */
  mag_add(arb_radref(o), arb_radref(o), m);
  mag_clear(m);
  return 0;
}

/* Row c's operand k as an exact ball, widened by 2^-200 relative when
   wide. */
static void
operand(arb_ptr x, const char *text, int wide)
{
  mpfr_t v;
  mpfr_init2(v, PREC);
  assert_int_equal(mpfr_set_str(v, text, 0, MPFR_RNDN), 0);
  arf_set_mpfr(arb_midref(x), v);
  mag_zero(arb_radref(x));
  if (wide && !mpfr_zero_p(v))
    mag_set_ui_2exp_si(arb_radref(x), 1, mpfr_get_exp(v) - 200);
  mpfr_clear(v);
}

/* Checks row c with exact or widened operands; returns the failures. */
static int
check_row(const struct OpCase *c, int wide)
{
  const GtBallRule *r = &gt_ball_rules[c->op];
  arb_t x[3], y, o;
  for (int k = 0; k < 3; k++)
    arb_init(x[k]);
  arb_init(y);
  arb_init(o);
  for (int k = 0; k < c->arity; k++)
    operand(x[k], c->x[k], wide);
  int st = r->fn(y, x[0], c->arity > 1 ? x[1] : NULL,
                 c->arity > 2 ? x[2] : NULL, PREC);
  int fail = 0;
  int special = strcmp(c->y, "nan") == 0 || strstr(c->y, "inf") != NULL;
  if (special) {
    /* no finite ball where the exact value is no real number */
    if (st == GT_BALL_OK && arb_is_finite(y))
      fail = 1;
  } else if (st != GT_BALL_OK && wide) {
    /* a widened ball may straddle a kink, a tie or a jump, or leave the
       domain (a negative base with an exponent no longer an exact
       integer): refusing is never wrong, only a finite ball is checked */
  } else if (st != GT_BALL_OK || oracle_ball(o, c->y) != 0
             || !arb_overlaps(y, o))
    fail = 1;
  if (fail) {
    fprintf(stderr, "FAIL %s%s: status %d, ball ", c->what,
            wide ? " (widened)" : "", st);
    arb_fprintd(stderr, y, 40);
    fprintf(stderr, "\n  oracle %s\n", c->y);
  }
  for (int k = 0; k < 3; k++)
    arb_clear(x[k]);
  arb_clear(y);
  arb_clear(o);
  return fail;
}

static void
test_rows_contain_oracle(void **state)
{
  (void)state;
  int failures = 0, rows[GT_OP_COUNT] = { 0 };
  size_t n = sizeof op_cases / sizeof op_cases[0];
  for (size_t i = 0; i < n; i++) {
    const struct OpCase *c = &op_cases[i];
    assert_non_null(gt_ball_rules[c->op].fn);
    failures += check_row(c, 0) + check_row(c, 1);
    rows[c->op]++;
  }
  /* every elementwise op with a rule was checked somewhere */
  for (int op = 0; op < GT_OP_COUNT; op++)
    if (gt_ball_rules[op].fn && rows[op] == 0) {
      fprintf(stderr, "FAIL op %s: no row of ops_table.h checks its ball "
              "rule\n", gt_ops[op].name);
      failures++;
    }
  assert_int_equal(failures, 0);
}

/* The series rule of row c's op with operand k varying (series x_k + t,
   the others constant): coefficient 1 must contain the oracle's partial
   derivative d[k].  Returns the failures. */
static int
check_series_row(const struct OpCase *c, int k)
{
  GtBallSeriesFn f = gt_ball_rules[c->op].ser;
  if (f == NULL || c->d[k] == NULL || strcmp(c->d[k], "nan") == 0
      || strstr(c->d[k], "inf") != NULL || strcmp(c->y, "nan") == 0
      || strstr(c->y, "inf") != NULL)
    return 0;
  arb_ptr x[3] = { NULL, NULL, NULL }, y = _arb_vec_init(2);
  for (int j = 0; j < c->arity; j++) {
    x[j] = _arb_vec_init(2);
    operand(x[j], c->x[j], 0);
    if (j == k)
      arb_one(x[j] + 1);
  }
  arb_t o;
  arb_init(o);
  int st = f(y, x[0], x[1], x[2], 2, PREC), fail = 0;
  /* refusals allowed: at a kink, and x^r at x = 0 with x varying (the
     higher derivatives of a non-integer power are infinite there) */
  int edge = c->kink || (c->op == GT_OP_POW && k == 0 && arb_is_zero(x[0]));
  if (st != GT_BALL_OK)
    fail = !edge;
  else if (oracle_ball(o, c->d[k]) != 0 || !arb_overlaps(y + 1, o))
    fail = 1;
  if (fail) {
    fprintf(stderr, "FAIL %s: series rule d/d(operand %d): status %d, ",
            c->what, k, st);
    arb_fprintd(stderr, y + 1, 40);
    fprintf(stderr, "\n  oracle %s\n", c->d[k]);
  }
  arb_clear(o);
  for (int j = 0; j < 3; j++)
    if (x[j])
      _arb_vec_clear(x[j], 2);
  _arb_vec_clear(y, 2);
  return fail;
}

static void
test_series_rules(void **state)
{
  (void)state;
  int failures = 0;
  /* every elementwise op a derivative flows through has a series rule */
  for (int op = 0; op < GT_OP_COUNT; op++)
    if (gt_ball_rules[op].fn && (gt_ops[op].flags & GT_OPF_SMOOTH)
        && gt_ball_rules[op].ser == NULL) {
      fprintf(stderr, "FAIL op %s has no series rule\n", gt_ops[op].name);
      failures++;
    }
  size_t n = sizeof op_cases / sizeof op_cases[0];
  for (size_t i = 0; i < n; i++)
    if (op_cases[i].cls == OC_SMOOTH)
      for (int k = 0; k < op_cases[i].arity; k++)
        failures += check_series_row(&op_cases[i], k);
  assert_int_equal(failures, 0);
}

/* Every tensor op on one tape, with integer data so that every value is
   exact: the enclosures must contain (here: equal) the values by hand. */
static const char tensor_program[] =
  "input x = [[1, 2], [3, 4]]\n"
  "input v = [1, -1]\n"
  "s = sum(x * v)\n"               /* expand (broadcast), sum */
  "m = mean(x, 0)\n"
  "p = prod(x)\n"
  "hi = reduce_max(x) - reduce_min(x)\n"
  "w = matmul(x, transpose(x))\n"
  "r = reshape(x, 4)\n"
  "e = x[1, :]\n"                  /* view */
  "x2 = x\n"
  "x2[0, 0] = 10\n"                /* setview */
  "n = norm([3, 4])\n"
  "t = [s, p]\n"                   /* stack */
  "q = x[0, 0] * x[1, 1]\n"        /* element reads: assemble */
  "z = sum(w) + sum(r * r) + sum(e) + sum(x2) + n + sum(m) + hi + sum(t)"
  " + q\n"
  "output z\n";

static void
test_tensor_program(void **state)
{
  (void)state;
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = 128;
  GtSession *s = gt_session_new(&opt);
  assert_non_null(s);
  assert_int_equal(gt_session_load(s, "<t>", tensor_program,
                                   strlen(tensor_program)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  const char *wrt[] = { "x", "v" };
  const GtDeriv *ds;
  size_t nd;
  assert_int_equal(gt_session_derivatives(s, NULL, 0, wrt, 2, 1, &ds, &nd),
                   GT_OK);
  const GtEnclosure *es;
  size_t ne;
  GtStatus st = gt_session_enclose(s, ds, nd, &es, &ne);
  for (size_t i = 0; st != GT_OK && i < gt_session_diag_count(s); i++)
    fprintf(stderr, "%s\n", gt_session_diag(s, i)->message);
  assert_int_equal(st, GT_OK);
  assert_int_equal(ne, 3);
  /* z: s = -2, m = [2, 3], p = 24, hi = 3, w = [[5, 11], [11, 25]],
     r.r = 30, e = 7, x2 = 19, n = 5, t = [s, p]: 52 + 30 + 7 + 19 + 5
     + 5 + 3 + 22 = 143, and q = 4: 147 */
  assert_true(mpfr_cmp_ui(es[0].lo.elems, 147) == 0);
  assert_true(mpfr_cmp_ui(es[0].hi.elems, 147) == 0);
  /* dz/dx by hand, term by term for x = [[a, b], [c, d]]: s [[1, -1],
     [1, -1]], p [[bcd, acd], [abd, abc]], hi d - a, sum(w) = (a + c)^2
     + (b + d)^2, r.r 2x, e c + d, x2 b + c + d, sum(m) 1/2 each, q
     [[d, 0], [0, a]];
     dz/dv = the column sums of x */
  static const double want[6] = { 38.5, 28.5, 25.5, 29.5, 4, 6 };
  assert_int_equal(es[1].lo.size, 4);
  assert_int_equal(es[2].lo.size, 2);
  for (size_t k = 0; k < 6; k++) {
    const GtEnclosure *e = &es[k < 4 ? 1 : 2];
    size_t j = k < 4 ? k : k - 4;
    if (mpfr_cmp_d(&e->lo.elems[j], want[k]) > 0
        || mpfr_cmp_d(&e->hi.elems[j], want[k]) < 0)
      mpfr_fprintf(stderr, "FAIL d%s[%zu]: [%Rg, %Rg], want %g\n", e->wrt[0],
                   j, &e->lo.elems[j], &e->hi.elems[j], want[k]);
    assert_true(mpfr_cmp_d(&e->lo.elems[j], want[k]) <= 0);
    assert_true(mpfr_cmp_d(&e->hi.elems[j], want[k]) >= 0);
  }
  /* the program reached every tensor op (so each rule ran above) */
  int seen[GT_OP_COUNT] = { 0 }, missing = 0;
  for (size_t i = 0; i < s->tape.n; i++)
    seen[s->tape.nodes[i].op] = 1;
  for (int op = 0; op < GT_OP_COUNT; op++)
    if (gt_is_tensor_op((GtOp)op) && !seen[op]) {
      fprintf(stderr, "FAIL tensor op %s is not on the test's tape\n",
              gt_ops[op].name);
      missing++;
    }
  assert_int_equal(missing, 0);
  gt_session_free(s);
}

/* gt_session_enclose_taylor: the coefficients of exp(2x) * x at x = 0
   are k 2^(k-1) / (k-1)! (k >= 1), by hand; each interval holds its
   exact rational, and y itself comes first.  A tensor name is a usage
   error. */
static void
test_taylor_coefficients(void **state)
{
  (void)state;
  static const char prog[] = "input x = 0\ny = exp(2 * x) * x\n";
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = 128;
  GtSession *s = gt_session_new(&opt);
  assert_non_null(s);
  assert_int_equal(gt_session_load(s, "<t>", prog, strlen(prog)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  const GtEnclosure *es;
  size_t ne;
  enum { K = 8 };
  assert_int_equal(gt_session_enclose_taylor(s, NULL, 0, "x", K, &es, &ne),
                   GT_OK);
  assert_int_equal(ne, 1 + K + 1);
  assert_null(es[0].wrt);
  mpq_t want, q;
  mpq_inits(want, q, (mpq_ptr)0);
  for (int k = 0; k <= K; k++) {
    const GtEnclosure *e = &es[1 + k];
    assert_int_equal(e->order, k);
    assert_string_equal(e->wrt[0], "x");
    /* 2^(k-1) / (k-1)! for k >= 1, 0 for k = 0 */
    mpq_set_ui(want, 0, 1);
    if (k >= 1) {
      mpz_t f;
      mpz_init(f);
      mpz_fac_ui(f, (unsigned long)(k - 1));
      mpq_set_z(want, f);
      mpq_inv(want, want);
      mpq_set_ui(q, 1UL << (k - 1), 1);
      mpq_mul(want, want, q);
      mpz_clear(f);
    }
    assert_true(mpfr_cmp_q(e->lo.elems, want) <= 0);
    assert_true(mpfr_cmp_q(e->hi.elems, want) >= 0);
  }
  gt_session_clear_diags(s);
  assert_int_equal(gt_session_enclose_taylor(s, NULL, 0, "y", -1, &es, &ne),
                   GT_EUSAGE);
  mpq_clears(want, q, (mpq_ptr)0);
  gt_session_free(s);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_table_complete),
    cmocka_unit_test(test_rows_contain_oracle),
    cmocka_unit_test(test_series_rules),
    cmocka_unit_test(test_tensor_program),
    cmocka_unit_test(test_taylor_coefficients),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  flint_cleanup();      /* Arb's caches (gamma's Bernoulli numbers) */
  return rc;
}
