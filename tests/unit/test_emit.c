/* test_emit.c -- unit tests of the symbolic derivatives (lib/emit.c)
 *
 * Every op has an emission entry except those that cannot be emitted,
 * listed here: the leaves, grad(y, x, k) in Taylor mode and the tensor
 * ops.  Through the public API: the format names, and a textbook
 * derivative in each algebraic form (by hand: d/dx (x^3 + 2x) = 3x^2 + 2,
 * d/dx sin(x^2) = 2x cos(x^2)).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void
every_op_has_an_entry(void **state)
{
  (void)state;
  for (int op = 0; op < GT_OP_COUNT; op++) {
    int none = op == GT_OP_CONST || op == GT_OP_INPUT || op == GT_OP_TAYLOR
               || gt_is_tensor_op((GtOp)op);
    if (none != !gt_emit_op_known(op))
      fail_msg("op %s: emission entry %s", gt_ops[op].name,
               none ? "where none is expected" : "missing");
  }
}

static void
format_names(void **state)
{
  (void)state;
  assert_int_equal(gt_emit_format("expr"), GT_EMIT_EXPR);
  assert_int_equal(gt_emit_format("gt"), GT_EMIT_GT);
  assert_int_equal(gt_emit_format("c"), GT_EMIT_C);
  assert_int_equal(gt_emit_format("c-mpfr"), GT_EMIT_C_MPFR);
  assert_int_equal(gt_emit_format("latex"), GT_EMIT_LATEX);
  assert_int_equal(gt_emit_format("dot"), GT_EMIT_DOT);
  assert_int_equal(gt_emit_format("pdf"), -1);
}

/* the text of program's output and first derivative in format fmt */
static char *
emit(const char *program, GtEmitFormat fmt)
{
  GtSession *s = gt_session_new(NULL);
  assert_non_null(s);
  assert_int_equal(gt_session_load(s, "t.gt", program, strlen(program)),
                   GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  char *text = NULL;
  const char *wrt[] = { "x" };
  assert_int_equal(gt_session_emit(s, fmt, NULL, 0, wrt, 1, 1, &text),
                   GT_OK);
  assert_non_null(text);
  gt_session_free(s);
  return text;
}

static void
textbook(void **state)
{
  (void)state;
  char *t = emit("input x = 3\ny = x^3 + 2*x\n", GT_EMIT_EXPR);
  assert_string_equal(t, "y = x^3 + 2*x\ndy/dx = 3*x^2 + 2\n");
  free(t);
  t = emit("input x = 1\ny = sin(x^2)\n", GT_EMIT_EXPR);
  assert_string_equal(t, "y = sin(x^2)\ndy/dx = 2*x*cos(x^2)\n");
  free(t);
  t = emit("input x = 1\ny = sin(x^2)\n", GT_EMIT_LATEX);
  assert_non_null(strstr(t, "2 x \\cos\\left(x^{2}\\right)"));
  free(t);
  /* the value-preserving form keeps the recorded operations */
  t = emit("input x = 1\ny = x * x\n", GT_EMIT_GT);
  assert_non_null(strstr(t, "y = x^2\n"));
  assert_non_null(strstr(t, "dy_dx = x + x\n"));
  free(t);
}

static void
input_defaults(void **state)
{
  (void)state;
  GtSession *s = gt_session_new(NULL);
  const char *p = "input a = 1\ninput b\ny = a + b\n";
  assert_int_equal(gt_session_load(s, "t.gt", p, strlen(p)), GT_OK);
  assert_true(gt_session_input_has_default(s, 0));
  assert_false(gt_session_input_has_default(s, 1));
  assert_false(gt_session_input_has_default(s, 2));
  gt_session_free(s);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_op_has_an_entry),
    cmocka_unit_test(format_names),
    cmocka_unit_test(textbook),
    cmocka_unit_test(input_defaults),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
