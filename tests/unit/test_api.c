/* test_api.c -- unit tests of the public API end to end (lib/api.c)
 *
 * Only gradtool.h is used here, as a library user would.  Every expected
 * number is a closed form worked out by hand in the comment beside it
 * (polynomials at small integers), never the tool's own output.
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

/* examples/tutorial/persistent.gt */
static const char persistent[] =
    "# persistent.gt\n"
    "input x = 3\n"
    "y = x * x\n"
    "z = y * y\n"
    "output z, y\n";

/* examples/tutorial/control_flow.gt */
static const char control_flow[] =
    "def f(x, y) {\n"
    "  out = 1\n"
    "  for i in range(y) {\n"
    "    if i > 1 and i < 5 { out = out * x }\n"
    "  }\n"
    "  return out\n"
    "}\n"
    "input x = 2\n"
    "input n = 6\n"
    "r = f(x, n)\n";

/* examples/tutorial/higher_order.gt */
static const char higher_order[] =
    "input x = 1\n"
    "y = x * x * x\n"
    "dy_dx = grad(y, x)\n"
    "d2y_dx2 = grad(dy_dx, x)\n"
    "assert dy_dx == 3\n"
    "assert d2y_dx2 == 6\n"
    "output y\n";

/* ---- helpers ----------------------------------------------------------- */

static GtSession *
load(const char *text)
{
  GtSession *s = gt_session_new(NULL);
  assert_non_null(s);
  GtStatus st = gt_session_load(s, "t.gt", text, strlen(text));
  if (st != GT_OK)
    fail_msg("load: status %d, %s", st, first_error(s));
  return s;
}

static GtSession *
load_run(const char *text)
{
  GtSession *s = load(text);
  GtStatus st = gt_session_run(s);
  if (st != GT_OK)
    fail_msg("run: status %d, %s", st, first_error(s));
  return s;
}

static void
expect_output(const GtSession *s, size_t i, const char *name, long want)
{
  assert_true(i < gt_session_output_count(s));
  assert_string_equal(gt_session_output_name(s, i), name);
  GtValue v = gt_session_output_value(s, i);
  assert_int_equal(v.rank, 0);
  assert_int_equal(v.size, 1);
  assert_non_null(v.elems);
  expect_number(v.elems, want, 1, name);
}

/* Derivatives with respect to the comma-free list of names wrt (NULL: every
   input), of every output; must succeed. */
static const GtDeriv *
derivs(GtSession *s, const char *const *wrt, size_t nwrt, int order,
       size_t *n)
{
  const GtDeriv *d = NULL;
  GtStatus st = gt_session_derivatives(s, NULL, 0, wrt, nwrt, order, &d, n);
  if (st != GT_OK)
    fail_msg("derivatives: status %d, %s", st, first_error(s));
  assert_non_null(d);
  return d;
}

/* Entry d is d^order(of)/d(w1)...d(wk) with value want. */
static void
expect_deriv(const GtDeriv *d, const char *of, const char *wrts, long want,
             int connected)
{
  char what[128];
  size_t len = 0;
  what[0] = '\0';
  for (int k = 0; k < d->order; k++)
    len += (size_t)snprintf(what + len, sizeof what - len, "%s%s",
                            k ? "," : "", d->wrt[k]);
  if (strcmp(d->of, of) != 0 || strcmp(what, wrts) != 0)
    fail_msg("entry is d%s/d(%s), want d%s/d(%s)", d->of, what, of, wrts);
  assert_int_equal(d->value.rank, 0);
  assert_int_equal(d->value.size, 1);
  char label[160];
  snprintf(label, sizeof label, "d%s/d(%s)", of, wrts);
  expect_number(d->value.elems, want, 1, label);
  if (connected >= 0)
    assert_int_equal(d->connected, connected);
}

/* ---- the session ------------------------------------------------------- */

static void
test_persistent(void **state)
{
  (void)state;
  GtSession *s = load(persistent);
  assert_int_equal(gt_session_input_count(s), 1);
  assert_string_equal(gt_session_input_name(s, 0), "x");
  /* nothing before the run */
  assert_int_equal(gt_session_output_count(s), 0);
  assert_int_equal(gt_session_tape_nodes(s), 0);
  assert_int_equal(gt_session_run(s), GT_OK);
  assert_true(gt_session_tape_nodes(s) > 0);
  assert_true(gt_session_tape_bytes(s) > 0);
  /* x = 3: y = 9, z = 81 */
  assert_int_equal(gt_session_output_count(s), 2);
  expect_output(s, 0, "z", 81);
  expect_output(s, 1, "y", 9);

  /* z = x^4: dz/dx = 4x^3 = 108; y = x^2: dy/dx = 2x = 6 */
  static const char *const x[] = { "x" };
  size_t n;
  const GtDeriv *d = derivs(s, x, 1, 1, &n);
  assert_int_equal(n, 2);
  assert_int_equal(d[0].order, 1);
  expect_deriv(&d[0], "z", "x", 108, 1);
  expect_deriv(&d[1], "y", "x", 6, 1);

  /* wrt omitted: every input, the same */
  d = derivs(s, NULL, 0, 1, &n);
  assert_int_equal(n, 2);
  expect_deriv(&d[0], "z", "x", 108, 1);
  expect_deriv(&d[1], "y", "x", 6, 1);

  /* of: one output only */
  static const char *const of_y[] = { "y" };
  assert_int_equal(gt_session_derivatives(s, of_y, 1, x, 1, 1, &d, &n),
                   GT_OK);
  assert_int_equal(n, 1);
  expect_deriv(&d[0], "y", "x", 6, 1);

  /* with respect to an intermediate value: z = y^2, dz/dy = 2y = 18 */
  static const char *const of_z[] = { "z" };
  static const char *const wy[] = { "y" };
  assert_int_equal(gt_session_derivatives(s, of_z, 1, wy, 1, 1, &d, &n),
                   GT_OK);
  assert_int_equal(n, 1);
  expect_deriv(&d[0], "z", "y", 18, 1);

  /* several names: dz/dx = 108 and dz/dy = 18, in the order given */
  static const char *const xy[] = { "y", "x" };
  assert_int_equal(gt_session_derivatives(s, of_z, 1, xy, 2, 1, &d, &n),
                   GT_OK);
  assert_int_equal(n, 2);
  expect_deriv(&d[0], "z", "y", 18, 1);
  expect_deriv(&d[1], "z", "x", 108, 1);
  gt_session_free(s);
}

static void
test_order2(void **state)
{
  (void)state;
  static const char *const x[] = { "x" };
  size_t n;
  const GtDeriv *d;
  /* y = x^3 at 1: y' = 3x^2 = 3, y'' = 6x = 6, y''' = 6, y'''' = 0 */
  static const char *const progs[] = { "input x = 1\ny = x^3\n",
                                       "input x = 1\ny = x * x * x\n",
                                       "input x = 1\ny = x ** 3\n" };
  for (size_t p = 0; p < sizeof progs / sizeof *progs; p++) {
    GtSession *s = load_run(progs[p]);
    d = derivs(s, x, 1, 1, &n);
    assert_int_equal(n, 1);
    expect_deriv(&d[0], "y", "x", 3, 1);
    d = derivs(s, x, 1, 2, &n);
    assert_int_equal(n, 1);
    assert_int_equal(d[0].order, 2);
    expect_deriv(&d[0], "y", "x,x", 6, 1);
    d = derivs(s, x, 1, 3, &n);
    expect_deriv(&d[0], "y", "x,x,x", 6, -1);
    d = derivs(s, x, 1, 4, &n);
    expect_deriv(&d[0], "y", "x,x,x,x", 0, -1);
    gt_session_free(s);
  }
  /* at x = 2: y' = 12, y'' = 12; for x^5: 5*16 = 80, 20*8 = 160,
     60*4 = 240 */
  GtSession *s = load_run("input x = 2\ny = x^3\nw = x^5\noutput y, w");
  d = derivs(s, x, 1, 2, &n);
  assert_int_equal(n, 2);
  expect_deriv(&d[0], "y", "x,x", 12, 1);
  expect_deriv(&d[1], "w", "x,x", 160, 1);
  d = derivs(s, x, 1, 3, &n);
  expect_deriv(&d[1], "w", "x,x,x", 240, -1);
  gt_session_free(s);
}

static void
test_mixed_partials(void **state)
{
  (void)state;
  /* z = x^2 y at (3, 5): z_x = 2xy = 30, z_y = x^2 = 9,
     z_xx = 2y = 10, z_xy = z_yx = 2x = 6, z_yy = 0 */
  GtSession *s = load_run("input x = 3\ninput y = 5\nz = x^2 * y\n");
  assert_int_equal(gt_session_input_count(s), 2);
  static const char *const xy[] = { "x", "y" };
  size_t n;
  const GtDeriv *d = derivs(s, xy, 2, 1, &n);
  assert_int_equal(n, 2);
  expect_deriv(&d[0], "z", "x", 30, 1);
  expect_deriv(&d[1], "z", "y", 9, 1);

  d = derivs(s, xy, 2, 2, &n);
  assert_int_equal(n, 3); /* each distinct partial once, names in wrt order */
  expect_deriv(&d[0], "z", "x,x", 10, 1);
  expect_deriv(&d[1], "z", "x,y", 6, 1);
  expect_deriv(&d[2], "z", "y,y", 0, -1);

  /* the names in the order asked for: y,x gives yy, yx, xx */
  static const char *const yx[] = { "y", "x" };
  d = derivs(s, yx, 2, 2, &n);
  assert_int_equal(n, 3);
  expect_deriv(&d[0], "z", "y,y", 0, -1);
  expect_deriv(&d[1], "z", "y,x", 6, 1);
  expect_deriv(&d[2], "z", "x,x", 10, 1);

  /* third order: 4 distinct triples xxx, xxy, xyy, yyy; z_xxy = 2, the
     rest 0 */
  d = derivs(s, xy, 2, 3, &n);
  assert_int_equal(n, 4);
  for (size_t i = 0; i < n; i++) {
    int ny = 0;
    for (int k = 0; k < 3; k++)
      ny += strcmp(d[i].wrt[k], "y") == 0;
    assert_int_equal(ny, (int)i);
    char label[32];
    snprintf(label, sizeof label, "z_%s%s%s", d[i].wrt[0], d[i].wrt[1],
             d[i].wrt[2]);
    expect_number(d[i].value.elems, ny == 1 ? 2 : 0, 1, label);
  }
  gt_session_free(s);
}

static void
test_connected(void **state)
{
  (void)state;
  /* r = 2x does not depend on n: 0, and not connected */
  GtSession *s = load_run("input x = 1\ninput n = 2\nr = x * 2\n");
  size_t n;
  const GtDeriv *d = derivs(s, NULL, 0, 1, &n);
  assert_int_equal(n, 2);
  expect_deriv(&d[0], "r", "x", 2, 1);
  expect_deriv(&d[1], "r", "n", 0, 0);
  gt_session_free(s);
  /* an output that is an input: dx/dx = 1 */
  s = load_run("input x = 3\noutput x\n");
  d = derivs(s, NULL, 0, 1, &n);
  assert_int_equal(n, 1);
  expect_deriv(&d[0], "x", "x", 1, 1);
  gt_session_free(s);
  /* stop_gradient cuts the derivative: y = x * sg(x) at 3: dy/dx = 3 */
  s = load_run("input x = 3\ny = x * stop_gradient(x)\n");
  d = derivs(s, NULL, 0, 1, &n);
  expect_deriv(&d[0], "y", "x", 3, 1);
  gt_session_free(s);
}

static void
test_tutorial_examples(void **state)
{
  (void)state;
  static const char *const x[] = { "x" };
  size_t n;
  const GtDeriv *d;
  /* control_flow: out = x^3 for n = 5 or 6 (i = 2, 3, 4), x^2 for n = 4;
     at x = 2: 3x^2 = 12 and 2x = 4 */
  GtSession *s = load(control_flow);
  static const struct {
    const char *n;
    long value, deriv;
  } cases[] = { { "6", 8, 12 }, { "5", 8, 12 }, { "4", 4, 4 } };
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(gt_session_set_input(s, "n", cases[i].n), GT_OK);
    assert_int_equal(gt_session_run(s), GT_OK);
    expect_output(s, 0, "r", cases[i].value);
    d = derivs(s, x, 1, 1, &n);
    assert_int_equal(n, 1);
    expect_deriv(&d[0], "r", "x", cases[i].deriv, 1);
  }
  gt_session_free(s);

  /* higher_order: the asserts hold, y = 1, y'' = 6 */
  s = load_run(higher_order);
  assert_int_equal(gt_session_output_count(s), 1);
  expect_output(s, 0, "y", 1);
  d = derivs(s, x, 1, 2, &n);
  assert_int_equal(n, 1);
  expect_deriv(&d[0], "y", "x,x", 6, 1);
  gt_session_free(s);
}

/* where() sends the derivative only to the branch it selected. */
static void
test_where_derivative(void **state)
{
  (void)state;
  /* at x = -1 the selected branch is x*x: y = 1, dy/dx = 2x = -2; the
     sqrt branch (NaN, with an infinite derivative) is not selected */
  GtSession *s =
      load_run("input x = -1\ny = where(x > 0, sqrt(x), x * x)\n");
  expect_output(s, 0, "y", 1);
  size_t n;
  const GtDeriv *d = derivs(s, NULL, 0, 1, &n);
  assert_int_equal(n, 1);
  expect_deriv(&d[0], "y", "x", -2, 1);
  gt_session_free(s);
}

/* abs at 0: the derivative is 0 and a note says so, once the derivative
   through it is asked for (issue 10, item 5: not before). */
static void
test_kink_note(void **state)
{
  (void)state;
  GtSession *s = load_run("input x = 0\ny = abs(x)\n");
  expect_output(s, 0, "y", 0);
  assert_int_equal(gt_session_diag_count(s), 0);
  size_t n;
  const GtDeriv *d = derivs(s, NULL, 0, 1, &n);
  expect_deriv(&d[0], "y", "x", 0, 1);
  size_t notes = 0;
  for (size_t i = 0; i < gt_session_diag_count(s); i++) {
    const GtDiag *g = gt_session_diag(s, i);
    assert_int_equal(g->severity, GT_SEV_NOTE);
    assert_non_null(strstr(g->message, "abs"));
    assert_int_equal(g->line, 2);
    assert_int_equal(g->col, 5);
    assert_int_equal(g->len, 6);
    notes++;
  }
  assert_int_equal(notes, 1);
  gt_session_free(s);
}

/* A kink that only decides a branch gets no note (issue 10, item 5). */
static void
test_kink_branch_no_note(void **state)
{
  (void)state;
  GtSession *s = load_run("input x = 0\nif abs(x) < 1 { y = 2 * x } "
                          "else { y = x }\n");
  size_t n;
  const GtDeriv *d = derivs(s, NULL, 0, 1, &n);
  expect_deriv(&d[0], "y", "x", 2, 1);
  assert_int_equal(gt_session_diag_count(s), 0);
  gt_session_free(s);
}

/* A derivative that comes out NaN is an error (sqrt(x^2) at 0). */
static void
test_nan_derivative(void **state)
{
  (void)state;
  GtSession *s = load_run("input x = 0\ny = sqrt(x^2)\n");
  expect_output(s, 0, "y", 0);
  gt_session_clear_diags(s);
  const GtDeriv *d;
  size_t n;
  assert_int_equal(gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &n),
                   GT_ERUNTIME);
  assert_true(gt_session_diag_count(s) >= 1);
  const GtDiag *g = gt_session_diag(s, 0);
  assert_int_equal(g->severity, GT_SEV_ERROR);
  assert_int_equal(g->line, 2);
  assert_non_null(strstr(g->message, "NaN"));
  gt_session_free(s);

  /* with nan_ok it is a value */
  GtOptions opt;
  gt_options_init(&opt);
  opt.nan_ok = 1;
  s = gt_session_new(&opt);
  static const char text[] = "input x = 0\ny = sqrt(x^2)\n";
  assert_int_equal(gt_session_load(s, "t.gt", text, strlen(text)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  assert_int_equal(gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &n),
                   GT_OK);
  assert_int_equal(n, 1);
  assert_true(mpfr_nan_p(d[0].value.elems));
  gt_session_free(s);
}

/* ---- inputs and misuse --------------------------------------------------- */

static void
test_set_input(void **state)
{
  (void)state;
  GtSession *s = load(persistent);
  /* not an input (y is a variable, w does not exist) */
  assert_int_equal(gt_session_set_input(s, "y", "2"), GT_EUSAGE);
  assert_int_equal(gt_session_set_input(s, "w", "2"), GT_EUSAGE);
  assert_true(gt_session_diag_count(s) >= 2);
  assert_non_null(strstr(gt_session_diag(s, 0)->message, "y"));
  gt_session_clear_diags(s);
  assert_int_equal(gt_session_diag_count(s), 0);
  /* a bad expression, or one naming a program variable */
  assert_int_equal(gt_session_set_input(s, "x", "2 +"), GT_ESYNTAX);
  assert_int_equal(gt_session_set_input(s, "x", "y + 1"), GT_ESYNTAX);
  assert_true(gt_session_diag_count(s) >= 2);
  assert_string_equal(gt_session_diag(s, 0)->file, "<at>");
  gt_session_clear_diags(s);

  /* x = 2: y = 4, z = 16, dz/dx = 4x^3 = 32, dy/dx = 2x = 4 */
  assert_int_equal(gt_session_set_input(s, "x", "2"), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  expect_output(s, 0, "z", 16);
  expect_output(s, 1, "y", 4);
  size_t n;
  const GtDeriv *d = derivs(s, NULL, 0, 1, &n);
  expect_deriv(&d[0], "z", "x", 32, 1);
  expect_deriv(&d[1], "y", "x", 4, 1);
  /* an expression with constants and builtins: x = 2^3 - sqrt(4) = 6,
     z = 1296, dz/dx = 4 * 216 = 864 */
  assert_int_equal(gt_session_set_input(s, "x", "2^3 - sqrt(4)"), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  expect_output(s, 0, "z", 1296);
  d = derivs(s, NULL, 0, 1, &n);
  expect_deriv(&d[0], "z", "x", 864, 1);
  gt_session_free(s);

  /* an input without default must be set */
  s = load("input n\ny = 2 * n\n");
  assert_int_equal(gt_session_run(s), GT_EUSAGE);
  assert_int_equal(gt_session_output_count(s), 0);
  assert_non_null(strstr(first_error(s), "'n'"));
  assert_int_equal(gt_session_set_input(s, "n", "-1/2"), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  expect_output(s, 0, "y", -1);
  gt_session_free(s);
}

static void
test_misuse(void **state)
{
  (void)state;
  GtSession *s = gt_session_new(NULL);
  assert_non_null(s);
  const GtDeriv *d = (const GtDeriv *)1;
  size_t n = 99;
  /* nothing loaded */
  assert_int_equal(gt_session_run(s), GT_EUSAGE);
  assert_int_equal(gt_session_set_input(s, "x", "1"), GT_EUSAGE);
  assert_int_equal(gt_session_input_count(s), 0);
  assert_int_equal(gt_session_output_count(s), 0);
  /* loaded, not run */
  assert_int_equal(gt_session_load(s, "p.gt", persistent,
                                   strlen(persistent)), GT_OK);
  assert_int_equal(gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &n),
                   GT_EUSAGE);
  assert_null(d);
  assert_int_equal(n, 0);
  assert_int_equal(gt_session_run(s), GT_OK);
  gt_session_clear_diags(s);
  /* unknown names */
  static const char *const bad[] = { "q" };
  assert_int_equal(gt_session_derivatives(s, NULL, 0, bad, 1, 1, &d, &n),
                   GT_EUSAGE);
  assert_non_null(strstr(first_error(s), "'q'"));
  assert_int_equal(gt_session_derivatives(s, bad, 1, NULL, 0, 1, &d, &n),
                   GT_EUSAGE);
  /* a constant is not a variable */
  static const char *const pi[] = { "pi" };
  assert_int_equal(gt_session_derivatives(s, NULL, 0, pi, 1, 1, &d, &n),
                   GT_EUSAGE);
  /* a bad order */
  assert_int_equal(gt_session_derivatives(s, NULL, 0, NULL, 0, 0, &d, &n),
                   GT_EUSAGE);
  /* the last good run is still there */
  expect_output(s, 0, "z", 81);
  static const char *const x[] = { "x" };
  d = derivs(s, x, 1, 1, &n);
  expect_deriv(&d[0], "z", "x", 108, 1);
  /* a failed load leaves no program */
  assert_int_equal(gt_session_load(s, "bad.gt", "y = (", 5), GT_ESYNTAX);
  assert_int_equal(gt_session_output_count(s), 0);
  assert_int_equal(gt_session_run(s), GT_EUSAGE);
  gt_session_free(s);

  gt_session_free(NULL);
  assert_non_null(gt_version());
  assert_true(gt_version()[0] >= '0' && gt_version()[0] <= '9');
}

/* Running again replaces the results; derivatives follow the new run. */
static void
test_run_twice(void **state)
{
  (void)state;
  GtSession *s = load_run(persistent);
  size_t nodes = gt_session_tape_nodes(s);
  size_t n;
  const GtDeriv *d = derivs(s, NULL, 0, 1, &n);
  expect_deriv(&d[0], "z", "x", 108, 1);
  /* the same run again: the same results, the same tape size */
  assert_int_equal(gt_session_run(s), GT_OK);
  assert_int_equal(gt_session_tape_nodes(s), nodes);
  expect_output(s, 0, "z", 81);
  /* a new input value: x = 1 gives z = 1, y = 1, dz/dx = 4, dy/dx = 2 */
  assert_int_equal(gt_session_set_input(s, "x", "1"), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  assert_int_equal(gt_session_output_count(s), 2);
  expect_output(s, 0, "z", 1);
  expect_output(s, 1, "y", 1);
  d = derivs(s, NULL, 0, 1, &n);
  assert_int_equal(n, 2);
  expect_deriv(&d[0], "z", "x", 4, 1);
  expect_deriv(&d[1], "y", "x", 2, 1);
  /* loading another program replaces everything */
  static const char other[] = "input t = 5\nu = 3 * t\n";
  assert_int_equal(gt_session_load(s, "o.gt", other, strlen(other)), GT_OK);
  assert_int_equal(gt_session_input_count(s), 1);
  assert_string_equal(gt_session_input_name(s, 0), "t");
  assert_int_equal(gt_session_run(s), GT_OK);
  assert_int_equal(gt_session_output_count(s), 1);
  expect_output(s, 0, "u", 15);
  d = derivs(s, NULL, 0, 1, &n);
  assert_int_equal(n, 1);
  expect_deriv(&d[0], "u", "t", 3, 1);
  gt_session_free(s);
}

/* ---- diagnostics ----------------------------------------------------------- */

static char *
format_diag(const GtSession *s, size_t i)
{
  assert_true(i < gt_session_diag_count(s));
  char *text = gt_diag_format(gt_session_diag(s, i));
  assert_non_null(text);
  return text;
}

static void
test_diag_format(void **state)
{
  (void)state;
  GtSession *s = gt_session_new(NULL);
  static const char bad[] = "y = 1\nz = yy * 2\n";
  assert_int_equal(gt_session_load(s, "bad.gt", bad, strlen(bad)),
                   GT_ESYNTAX);
  assert_int_equal(gt_session_diag_count(s), 1);
  const GtDiag *g = gt_session_diag(s, 0);
  assert_string_equal(g->file, "bad.gt");
  assert_string_equal(g->source_line, "z = yy * 2");
  char *text = format_diag(s, 0);
  assert_string_equal(text,
                      "bad.gt:2:5: error: unknown name 'yy'; did you mean "
                      "'y'?\n"
                      "    2 | z = yy * 2\n"
                      "      |     ^~\n");
  free(text);

  /* an unclosed brace: the error, then a note where it opened */
  static const char open[] = "x = 1\nif x > 0 {\n  y = 2\n";
  assert_int_equal(gt_session_load(s, "open.gt", open, strlen(open)),
                   GT_ESYNTAX);
  assert_int_equal(gt_session_diag_count(s), 3);
  text = format_diag(s, 1);
  assert_non_null(strstr(text, "open.gt:"));
  assert_non_null(strstr(text, ": error: expected '}' before end of file\n"));
  free(text);
  text = format_diag(s, 2);
  assert_true(strncmp(text, "open.gt:2:10: note: ", 20) == 0);
  assert_non_null(strstr(text, "opened here"));
  assert_non_null(strstr(text, "\n    2 | if x > 0 {\n"
                               "      |          ^\n"));
  free(text);
  gt_session_clear_diags(s);
  assert_int_equal(gt_session_diag_count(s), 0);

  /* a run-time error underlines the whole call */
  static const char rt[] = "x = -1\ny = log(x)\n";
  assert_int_equal(gt_session_load(s, "rt.gt", rt, strlen(rt)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_ERUNTIME);
  text = format_diag(s, 0);
  assert_true(strncmp(text, "rt.gt:2:5: error: ", 18) == 0);
  assert_non_null(strstr(text, "\n    2 | y = log(x)\n"
                               "      |     ^~~~~~\n"));
  free(text);

  /* an assertion, with its message */
  gt_session_clear_diags(s);
  static const char as[] = "v = 1\nassert v > 1, \"v too small\"\n";
  assert_int_equal(gt_session_load(s, "as.gt", as, strlen(as)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_EASSERT);
  text = format_diag(s, 0);
  assert_string_equal(text,
                      "as.gt:2:8: error: assertion failed: v too small\n"
                      "    2 | assert v > 1, \"v too small\"\n"
                      "      |        ^~~~~\n");
  free(text);
  gt_session_free(s);

  /* a diagnostic without a location */
  GtDiag plain = { GT_SEV_ERROR, NULL, 0, 0, 0, "out of memory", NULL };
  text = gt_diag_format(&plain);
  assert_non_null(text);
  assert_non_null(strstr(text, "error: out of memory\n"));
  free(text);
}

static void
test_format_number(void **state)
{
  (void)state;
  static const struct {
    const char *in;
    long digits;
    const char *out;
  } cases[] = {
    { "108", 0, "108" },   { "-3", 0, "-3" },      { "0.5", 0, "0.5" },
    { "0.1", 0, "0.1" },   { "81", 0, "81" },      { "1e22", 0, "1e+22" },
    { "1e21", 0, "1000000000000000000000" },       { "1e-7", 0, "1e-7" },
    { "0.000001", 0, "0.000001" },                 { "8", 3, "8" },
    { "-0.25", 0, "-0.25" },                       { "1e-40", 0, "1e-40" },
  };
  mpfr_t x;
  mpfr_init2(x, 128);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    assert_int_equal(mpfr_set_str(x, cases[i].in, 10, MPFR_RNDN), 0);
    char *s = gt_format_number(x, cases[i].digits);
    assert_non_null(s);
    if (strcmp(s, cases[i].out) != 0)
      fail_msg("%s (digits %ld): \"%s\", want \"%s\"", cases[i].in,
               cases[i].digits, s, cases[i].out);
    free(s);
  }
  /* 1/3 to 3 digits */
  mpfr_set_ui(x, 1, MPFR_RNDN);
  mpfr_div_ui(x, x, 3, MPFR_RNDN);
  char *s = gt_format_number(x, 3);
  assert_string_equal(s, "0.333");
  free(s);
  /* special values */
  mpfr_set_nan(x);
  s = gt_format_number(x, 0);
  assert_string_equal(s, "nan");
  free(s);
  mpfr_set_inf(x, 1);
  s = gt_format_number(x, 0);
  assert_string_equal(s, "inf");
  free(s);
  mpfr_set_inf(x, -1);
  s = gt_format_number(x, 5);
  assert_string_equal(s, "-inf");
  free(s);
  mpfr_set_zero(x, -1);
  s = gt_format_number(x, 0);
  assert_string_equal(s, "0");
  free(s);
  mpfr_clear(x);
}

/* Options: precision is clamped, defaults are as documented. */
static void
test_options(void **state)
{
  (void)state;
  GtOptions opt;
  gt_options_init(&opt);
  assert_int_equal(opt.prec, GT_DEFAULT_PREC);
  assert_int_equal(opt.prec, 128);
  assert_int_equal(opt.nan_ok, 0);
  assert_int_equal(opt.max_nodes, 50000000UL);
  assert_int_equal(opt.max_steps, 100000000UL);
  assert_int_equal(opt.max_depth, 10000UL);
  assert_null(opt.print);
  /* at 24 bits 1/3 is not 1/3 at 128: the precision is honoured */
  opt.prec = 24;
  GtSession *s = gt_session_new(&opt);
  static const char third[] = "y = 1 / 3\n";
  assert_int_equal(gt_session_load(s, "t.gt", third, strlen(third)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  GtValue v = gt_session_output_value(s, 0);
  assert_int_equal(mpfr_get_prec(v.elems), 24);
  gt_session_free(s);
  /* out-of-range precision is clamped, the session still works */
  opt.prec = 1;
  s = gt_session_new(&opt);
  assert_non_null(s);
  static const char two[] = "y = 2\n";
  assert_int_equal(gt_session_load(s, "t.gt", two, strlen(two)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  assert_int_equal(mpfr_get_prec(gt_session_output_value(s, 0).elems),
                   GT_PREC_MIN);
  expect_output(s, 0, "y", 2);
  gt_session_free(s);
}

/* ---- what the interactive session and --all-orders use ---------------- */

static void
count_lines(void *user, const char *line)
{
  (void)line;
  (*(int *)user)++;
}

/* print_from silences print() of statements that start before it */
static void
test_print_from(void **state)
{
  (void)state;
  static const char text[] = "print(1)\nprint(2)\ny = 3\nprint(y)\n";
  int lines = 0;
  GtOptions opt;
  gt_options_init(&opt);
  opt.print = count_lines;
  opt.print_user = &lines;
  opt.print_from = (size_t)(strstr(text, "y = 3") - text);
  GtSession *s = gt_session_new(&opt);
  assert_int_equal(gt_session_load(s, "t.gt", text, strlen(text)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  assert_int_equal(lines, 1); /* only print(y) */
  gt_session_free(s);
}

/* a set interrupt flag stops a loop with a located error */
static void
test_interrupt(void **state)
{
  (void)state;
  static volatile sig_atomic_t flag = 1;
  GtOptions opt;
  gt_options_init(&opt);
  opt.interrupt = &flag;
  GtSession *s = gt_session_new(&opt);
  static const char text[] = "x = 0\nwhile 1 { x += 1 }\n";
  assert_int_equal(gt_session_load(s, "t.gt", text, strlen(text)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_ERUNTIME);
  assert_non_null(strstr(first_error(s), "interrupted"));
  assert_int_equal(gt_session_diag(s, 0)->line, 2);
  gt_session_free(s);
}

/* the top-level names and functions, with values after the run */
static void
test_globals(void **state)
{
  (void)state;
  GtSession *s = load_run("def f(a) { return 2 * a }\ninput x = 3\n"
                          "y = f(x)\nif 0 { z = 1 }\n");
  assert_int_equal(gt_session_function_count(s), 1);
  assert_string_equal(gt_session_function_name(s, 0), "f");
  size_t n = gt_session_global_count(s);
  int seen_y = 0, seen_z = 0;
  for (size_t i = 0; i < n; i++) {
    const char *nm = gt_session_global_name(s, i);
    GtValue v;
    int bound = gt_session_global_value(s, i, &v);
    if (strcmp(nm, "y") == 0) {
      seen_y = 1;
      assert_true(bound);
      expect_number(v.elems, 6, 1, "y");
    } else if (strcmp(nm, "z") == 0) {
      seen_z = 1;
      assert_false(bound); /* the branch did not run */
    }
    assert_string_not_equal(nm, "pi");
  }
  assert_true(seen_y && seen_z);
  gt_session_free(s);
}

/* the value bound to name in s (it must be bound) */
static void
expect_global(GtSession *s, const char *name, long want)
{
  for (size_t i = 0; i < gt_session_global_count(s); i++)
    if (strcmp(gt_session_global_name(s, i), name) == 0) {
      GtValue v;
      assert_true(gt_session_global_value(s, i, &v));
      expect_number(v.elems, want, 1, name);
      return;
    }
  fail_msg("no global '%s'", name);
}

/* gt_session_extend: new statements on the values held; a failure
   changes no value; inputs, functions and derivatives as documented */
static void
test_extend(void **state)
{
  (void)state;
  GtSession *s = load_run("def f(a) { return 2 * a }\ninput x = 3\n"
                          "y = f(x)\n");
  static const char more[] = "z = y + x\ny = y * z\n";
  assert_int_equal(gt_session_extend(s, "<more>", more, strlen(more), NULL,
                                     NULL), GT_OK);
  expect_global(s, "z", 9);   /* 2*3 + 3 */
  expect_global(s, "y", 54);  /* 6 * 9 */
  assert_int_equal(gt_session_function_count(s), 1);
  assert_string_equal(gt_session_function_name(s, 0), "f");
  assert_int_equal(gt_session_input_count(s), 1);
  assert_string_equal(gt_session_input_name(s, 0), "x");
  static const char *const bad[] = {
    "y = 1\nw = f(1)\n",      /* calls a function: not resolved here */
    "y = 2\nz = 0/0\n",       /* fails at run time after binding y */
    "y = 3\ninput q = 1\n",   /* declares an input */
    "y = 4\nz = (\n",         /* syntax error */
  };
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    assert_int_not_equal(gt_session_extend(s, "<bad>", bad[k],
                                           strlen(bad[k]), NULL, NULL),
                         GT_OK);
    gt_session_clear_diags(s);
    expect_global(s, "y", 54);
    expect_global(s, "z", 9);
  }
  GtOptions o;
  gt_options_init(&o);
  o.prec = 64; /* not the session's */
  assert_int_equal(gt_session_extend(s, "<p>", "a = 1\n", 6, NULL, &o),
                   GT_EUSAGE);
  const GtDeriv *d;
  size_t n;
  assert_int_equal(gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &n),
                   GT_EUSAGE);
  gt_session_free(s);
}

/* orders 1 to K in one call, lowest first */
static void
test_derivatives_upto(void **state)
{
  (void)state;
  GtSession *s = load_run("input x = 2\ny = x^4\n");
  const GtDeriv *d;
  size_t n;
  assert_int_equal(gt_session_derivatives_upto(s, NULL, 0, NULL, 0, 3, &d,
                                               &n), GT_OK);
  assert_int_equal(n, 3);
  expect_deriv(&d[0], "y", "x", 32, 1);       /* 4 x^3 */
  expect_deriv(&d[1], "y", "x,x", 48, 1);     /* 12 x^2 */
  expect_deriv(&d[2], "y", "x,x,x", 48, 1);   /* 24 x */
  gt_session_free(s);
}

/* --order 2 with a vector name: the Hessian matrix */
static void
test_tensor_hessian(void **state)
{
  (void)state;
  GtSession *s = load_run("input x = [1, 2]\ny = x[0]^3 * x[1]\n");
  const GtDeriv *d;
  size_t n;
  const char *w[] = { "x" };
  assert_int_equal(gt_session_derivatives(s, NULL, 0, w, 1, 2, &d, &n),
                   GT_OK);
  assert_int_equal(n, 1);
  assert_int_equal(d[0].value.rank, 2);
  assert_int_equal(d[0].value.dims[0], 2);
  assert_int_equal(d[0].value.dims[1], 2);
  /* [[6 x0 x1, 3 x0^2], [3 x0^2, 0]] at (1, 2) */
  static const long want[] = { 12, 3, 3, 0 };
  for (int k = 0; k < 4; k++)
    expect_number(&d[0].value.elems[k], want[k], 1, "hessian");
  gt_session_free(s);
}

/* gt_builtin_name lists every built-in once, each usable in a program */
static void
test_builtin_names(void **state)
{
  (void)state;
  size_t n = 0;
  int sin_seen = 0, rmax_seen = 0, grad_seen = 0, add_seen = 0;
  for (const char *nm; (nm = gt_builtin_name(n)) != NULL; n++) {
    for (size_t k = 0; k < n; k++)
      assert_string_not_equal(gt_builtin_name(k), nm);
    sin_seen |= strcmp(nm, "sin") == 0;
    rmax_seen |= strcmp(nm, "reduce_max") == 0;
    grad_seen |= strcmp(nm, "grad") == 0;
    add_seen |= strcmp(nm, "add") == 0;
    /* a name the parser does not know is an error "unknown function" */
    char text[96];
    snprintf(text, sizeof text, "y = %s()\n", nm);
    GtSession *s = gt_session_new(NULL);
    gt_session_load(s, "t.gt", text, strlen(text));
    for (size_t d = 0; d < gt_session_diag_count(s); d++)
      assert_null(strstr(gt_session_diag(s, d)->message, "unknown"));
    gt_session_free(s);
  }
  assert_true(n > 60);
  assert_true(sin_seen && rmax_seen && grad_seen && add_seen);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_persistent),
    cmocka_unit_test(test_order2),
    cmocka_unit_test(test_mixed_partials),
    cmocka_unit_test(test_connected),
    cmocka_unit_test(test_tutorial_examples),
    cmocka_unit_test(test_where_derivative),
    cmocka_unit_test(test_kink_note),
    cmocka_unit_test(test_kink_branch_no_note),
    cmocka_unit_test(test_nan_derivative),
    cmocka_unit_test(test_set_input),
    cmocka_unit_test(test_misuse),
    cmocka_unit_test(test_run_twice),
    cmocka_unit_test(test_diag_format),
    cmocka_unit_test(test_format_number),
    cmocka_unit_test(test_options),
    cmocka_unit_test(test_print_from),
    cmocka_unit_test(test_interrupt),
    cmocka_unit_test(test_globals),
    cmocka_unit_test(test_extend),
    cmocka_unit_test(test_derivatives_upto),
    cmocka_unit_test(test_tensor_hessian),
    cmocka_unit_test(test_builtin_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
