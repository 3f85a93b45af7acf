/* test_interp.c -- unit tests of the interpreter (lib/interp.c)
 *
 * Small programs run through the public API (and, where the tape itself is
 * inspected, through gt_interp_run); their values are integers or simple
 * fractions worked out by hand in the comments.  Run-time errors are
 * checked by status, message and location.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "fixture.h"

/* ---- helpers ----------------------------------------------------------- */

/* Loads and runs text under opt (NULL: defaults); the status of the run
   is in *st.  The program must parse. */
static GtSession *
run_opt(const char *text, const GtOptions *opt, GtStatus *st)
{
  GtSession *s = gt_session_new(opt);
  assert_non_null(s);
  GtStatus ls = gt_session_load(s, "t.gt", text, strlen(text));
  if (ls != GT_OK)
    fail_msg("loading \"%s\": status %d, %s", text, ls,
             gt_session_diag_count(s) ? gt_session_diag(s, 0)->message
                                      : "(no diagnostic)");
  *st = gt_session_run(s);
  return s;
}

static GtSession *
run(const char *text, GtStatus *st)
{
  return run_opt(text, NULL, st);
}

/* Runs text, which must succeed. */
static GtSession *
run_ok(const char *text)
{
  GtStatus st;
  GtSession *s = run(text, &st);
  if (st != GT_OK)
    fail_msg("running \"%s\": status %d, %s", text, st, first_error(s));
  return s;
}

static mpfr_srcptr
output(const GtSession *s, const char *name)
{
  for (size_t i = 0; i < gt_session_output_count(s); i++)
    if (strcmp(gt_session_output_name(s, i), name) == 0) {
      GtValue v = gt_session_output_value(s, i);
      assert_int_equal(v.rank, 0);
      assert_int_equal(v.size, 1);
      return v.elems;
    }
  fail_msg("no output named '%s'", name);
  return NULL;
}

/* Output `name` is exactly num / den (den a power of two, or 1). */
static void
expect_frac(const GtSession *s, const char *name, long num, long den)
{
  expect_number(output(s, name), num, den, name);
}

static void
expect_int(const GtSession *s, const char *name, long want)
{
  expect_frac(s, name, want, 1);
}

/* Runs text (outputs declared or not) and checks output `name`. */
static void
check(const char *text, const char *name, long want)
{
  GtSession *s = run_ok(text);
  expect_int(s, name, want);
  gt_session_free(s);
}

/* Runs text, which must fail with status want; returns the session for
   further checks of its diagnostics. */
static GtSession *
run_fail_opt(const char *text, const GtOptions *opt, GtStatus want)
{
  GtStatus st;
  GtSession *s = run_opt(text, opt, &st);
  if (st != want)
    fail_msg("running \"%s\": status %d, want %d (%s)", text, st, want,
             first_error(s));
  assert_int_equal(gt_session_output_count(s), 0);
  return s;
}

static GtSession *
run_fail(const char *text, GtStatus want)
{
  return run_fail_opt(text, NULL, want);
}

/* Diagnostic i is of severity sev at line:col underlining len bytes, and
   its message contains `part`. */
static void
expect_diag(const GtSession *s, size_t i, GtSeverity sev, const char *part,
            unsigned line, unsigned col, unsigned len)
{
  if (i >= gt_session_diag_count(s))
    fail_msg("diagnostic %zu missing (%zu in all)", i,
             gt_session_diag_count(s));
  const GtDiag *d = gt_session_diag(s, i);
  assert_int_equal(d->severity, sev);
  if (strstr(d->message, part) == NULL)
    fail_msg("diagnostic %zu is \"%s\", want one containing \"%s\"", i,
             d->message, part);
  if (d->line != line || d->col != col || d->len != len)
    fail_msg("\"%s\" at %u:%u+%u, want %u:%u+%u", d->message, d->line,
             d->col, d->len, line, col, len);
  assert_string_equal(d->file, "t.gt");
}

/* ---- control flow ------------------------------------------------------ */

static void
test_if_elif_else(void **state)
{
  (void)state;
  GtSession *s = run_ok(
      "def sgn(x) {\n"
      "  if x < 0 { return -1 } elif x == 0 { return 0 } else { return 1 }\n"
      "}\n"
      "a = sgn(-5)\nb = sgn(0)\nc = sgn(7)\n"
      "output a, b, c\n");
  expect_int(s, "a", -1);
  expect_int(s, "b", 0);
  expect_int(s, "c", 1);
  gt_session_free(s);
  /* the first true branch wins */
  check("x = 5\nif x > 1 { y = 1 } elif x > 2 { y = 2 } else { y = 3 }\n"
        "output y", "y", 1);
  check("x = 2\nif x > 3 { y = 1 } elif x > 1 { y = 2 } elif x > 0 { y = 3 }"
        " else { y = 4 }\noutput y", "y", 2);
  check("x = 0\nif x > 3 { y = 1 } elif x > 1 { y = 2 } elif x < 0 { y = 3 }"
        " else { y = 4 }\noutput y", "y", 4);
  /* no branch taken, no else */
  check("y = 7\nif 0 { y = 1 } elif 0 { y = 2 }\noutput y", "y", 7);
  /* any nonzero value is true, also a negative or a fraction */
  check("y = 0\nif -0.5 { y = 1 }\noutput y", "y", 1);
  check("y = 0\nif inf { y = 1 }\noutput y", "y", 1);
}

static void
test_for_range(void **state)
{
  (void)state;
  /* 0+1+2+3+4 = 10 */
  check("s = 0\nfor i in range(5) { s += i }\noutput s", "s", 10);
  /* 2+3+4 = 9 */
  check("s = 0\nfor i in range(2, 5) { s += i }\noutput s", "s", 9);
  /* 10, 7, 4, 1: sum 22 in 4 iterations */
  check("s = 0\nfor i in range(10, 0, -3) { s += i }\noutput s", "s", 22);
  check("c = 0\nfor i in range(10, 0, -3) { c += 1 }\noutput c", "c", 4);
  /* 0, -2, -4 */
  check("s = 0\nfor i in range(0, -5, -2) { s += i }\noutput s", "s", -6);
  /* 1, 4, 7 */
  check("s = 0\nfor i in range(1, 8, 3) { s += i }\noutput s", "s", 12);
  /* -2, -1, 0, 1, 2: five iterations summing to 0 */
  check("c = 0\nfor i in range(-2, 3) { c += 1 }\noutput c", "c", 5);
  /* empty ranges */
  check("c = 0\nfor i in range(0, 10, -1) { c += 1 }\noutput c", "c", 0);
  check("c = 0\nfor i in range(5, 5) { c += 1 }\noutput c", "c", 0);
  check("c = 0\nfor i in range(-3) { c += 1 }\noutput c", "c", 0);
  check("c = 0\nfor i in range(3, 0) { c += 1 }\noutput c", "c", 0);
  /* the bounds are evaluated once */
  check("n = 3\nc = 0\nfor i in range(n) { n = 10\n c += 1 }\noutput c", "c",
        3);
  /* assigning the loop variable does not change the iteration */
  check("c = 0\nfor i in range(4) { i = 100\n c += 1 }\noutput c", "c", 4);
  /* nested: 3 * 4 */
  check("c = 0\nfor i in range(3) { for j in range(4) { c += 1 } }\noutput c",
        "c", 12);
  /* integer-valued expressions are fine as bounds */
  check("c = 0\nfor i in range(6 / 2) { c += 1 }\noutput c", "c", 3);
}

static void
test_range_errors(void **state)
{
  (void)state;
  GtSession *s = run_fail("for i in range(2.5) { }", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "integer", 1, 16, 3);
  gt_session_free(s);
  s = run_fail("for i in range(0, 4, 0) { }", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "0", 1, 22, 1);
  gt_session_free(s);
  s = run_fail("for i in range(1, 1 / 3) { }", GT_ERUNTIME);
  gt_session_free(s);
}

static void
test_while_break_continue(void **state)
{
  (void)state;
  /* odd numbers up to 9: 1+3+5+7+9 = 25 */
  check("i = 0\ns = 0\n"
        "while 1 {\n"
        "  i += 1\n"
        "  if i > 10 { break }\n"
        "  if i % 2 == 0 { continue }\n"
        "  s += i\n"
        "}\noutput s", "s", 25);
  /* a plain while: 2^10 */
  check("p = 1\nn = 0\nwhile n < 10 { p *= 2\n n += 1 }\noutput p", "p",
        1024);
  /* a false condition: the body never runs */
  check("c = 0\nwhile 0 { c += 1 }\noutput c", "c", 0);
  /* continue in for: 0+3+6+9 = 18 */
  check("s = 0\nfor i in range(10) { if i % 3 != 0 { continue }\n s += i }\n"
        "output s", "s", 18);
  /* break leaves only the inner loop: 3 * 2 */
  check("c = 0\nfor i in range(3) {\n"
        "  for j in range(10) { if j == 2 { break }\n c += 1 }\n"
        "}\noutput c", "c", 6);
  /* break in a while inside a for */
  check("c = 0\nfor i in range(4) {\n"
        "  k = 0\n  while 1 { k += 1\n if k > i { break } }\n  c += k\n"
        "}\noutput c", "c", 1 + 2 + 3 + 4); /* k ends at i + 1 */
  /* return from inside loops in a function: first i with i*i > 50 is 8 */
  check("def first(n) {\n"
        "  for i in range(100) { while 1 { if i * i > n { return i }\n"
        "break } }\n"
        "  return -1\n}\ny = first(50)", "y", 8);
}

static void
test_recursion(void **state)
{
  (void)state;
  check("def fact(n) { if n <= 1 { return 1 }\n return n * fact(n - 1) }\n"
        "y = fact(10)", "y", 3628800);
  check("def fib(n) { if n < 2 { return n }\n"
        " return fib(n - 1) + fib(n - 2) }\ny = fib(15)", "y", 610);
  /* mutual recursion, the second function defined after its first use */
  GtSession *s = run_ok(
      "def ev(n) { if n == 0 { return 1 }\n return od(n - 1) }\n"
      "def od(n) { if n == 0 { return 0 }\n return ev(n - 1) }\n"
      "a = ev(10)\nb = od(7)\nc = ev(7)\noutput a, b, c");
  expect_int(s, "a", 1);
  expect_int(s, "b", 1);
  expect_int(s, "c", 0);
  gt_session_free(s);
  /* each call has its own locals: gcd by Euclid, gcd(1071, 462) = 21 */
  check("def gcd(a, b) { if b == 0 { return a }\n t = a % b\n"
        " r = gcd(b, t)\n return r }\ny = gcd(1071, 462)", "y", 21);
  /* Ackermann A(2, 3) = 9 */
  check("def ack(m, n) {\n"
        "  if m == 0 { return n + 1 }\n"
        "  if n == 0 { return ack(m - 1, 1) }\n"
        "  return ack(m - 1, ack(m, n - 1))\n}\ny = ack(2, 3)", "y", 9);
}

static void
test_functions_and_globals(void **state)
{
  (void)state;
  /* a function reads the global's binding at call time */
  GtSession *s = run_ok("g = 1\ndef f() { return g }\na = f()\ng = 2\n"
                        "b = f()\noutput a, b");
  expect_int(s, "a", 1);
  expect_int(s, "b", 2);
  gt_session_free(s);
  /* assigning in a function binds a local, not the global */
  s = run_ok("y = 1\ndef f() { y = 5\n return y }\nz = f()\noutput y, z");
  expect_int(s, "y", 1);
  expect_int(s, "z", 5);
  gt_session_free(s);
  /* arguments are values: the caller's variable is untouched */
  s = run_ok("def inc(v) { v += 1\n return v }\nx = 3\ny = inc(x)\n"
             "output x, y");
  expect_int(s, "x", 3);
  expect_int(s, "y", 4);
  gt_session_free(s);
  /* a call as a statement may return nothing */
  check("def nothing() { t = 1 }\nnothing()\ny = 2\noutput y", "y", 2);
  /* but not when its value is used */
  s = run_fail("def nothing() { t = 1 }\ny = nothing() + 1", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "nothing", 2, 5, 9);
  gt_session_free(s);
  /* and / or short-circuit and give 0 or 1 */
  s = run_ok("def boom() { assert 0, \"evaluated\"\n return 1 }\n"
             "a = 0 and boom()\nb = 1 or boom()\nc = 2 and 3\nd = 0 or -4\n"
             "e2 = not 5\nf = not 0\noutput a, b, c, d, e2, f");
  expect_int(s, "a", 0);
  expect_int(s, "b", 1);
  expect_int(s, "c", 1);
  expect_int(s, "d", 1);
  expect_int(s, "e2", 0);
  expect_int(s, "f", 1);
  gt_session_free(s);
  /* floored modulo: 7 % -3 = -2, -7 % 3 = 2 */
  s = run_ok("a = 7 % -3\nb = -7 % 3\nc = 7 % 3\noutput a, b, c");
  expect_int(s, "a", -2);
  expect_int(s, "b", 2);
  expect_int(s, "c", 1);
  gt_session_free(s);
  /* predefined constants can be rebound; inf is a value */
  s = run_ok("e = 2\ny = e * 3\nz = 1 / 0\nw = -inf\noutput y, z, w");
  expect_int(s, "y", 6);
  assert_true(mpfr_inf_p(output(s, "z")) && mpfr_sgn(output(s, "z")) > 0);
  assert_true(mpfr_inf_p(output(s, "w")) && mpfr_sgn(output(s, "w")) < 0);
  gt_session_free(s);
}

/* ---- outputs ------------------------------------------------------------ */

static void
test_default_output(void **state)
{
  (void)state;
  GtSession *s = run_ok("a = 1\nb = 2\n");
  assert_int_equal(gt_session_output_count(s), 1);
  assert_string_equal(gt_session_output_name(s, 0), "b");
  expect_int(s, "b", 2);
  gt_session_free(s);
  /* a loop variable is not a binding that counts */
  s = run_ok("a = 1\nb = 2\nfor i in range(3) { }\n");
  assert_int_equal(gt_session_output_count(s), 1);
  assert_string_equal(gt_session_output_name(s, 0), "b");
  gt_session_free(s);
  /* an assignment inside a top-level loop or branch counts */
  s = run_ok("a = 1\nfor i in range(3) { c = i * 10 }\n");
  assert_int_equal(gt_session_output_count(s), 1);
  assert_string_equal(gt_session_output_name(s, 0), "c");
  expect_int(s, "c", 20);
  gt_session_free(s);
  /* an input counts */
  s = run_ok("a = 1\ninput x = 5\n");
  assert_string_equal(gt_session_output_name(s, 0), "x");
  expect_int(s, "x", 5);
  gt_session_free(s);
  /* the last executed, not the last written; rebinding an earlier name */
  s = run_ok("a = 1\nb = 2\na = 3\nif 0 { b = 4 }\n");
  assert_int_equal(gt_session_output_count(s), 1);
  assert_string_equal(gt_session_output_name(s, 0), "a");
  expect_int(s, "a", 3);
  gt_session_free(s);
  /* a function's locals do not count; a bare top-level expression, a
     call included, is an output named by its text (issue 10 item 15) */
  s = run_ok("def f() { t = 9\n return t }\na = 1\nf()\n");
  assert_int_equal(gt_session_output_count(s), 1);
  assert_string_equal(gt_session_output_name(s, 0), "f()");
  gt_session_free(s);
  /* ... but a call that returns nothing is no output */
  s = run_ok("def g() { t = 9 }\na = 1\ng()\n");
  assert_int_equal(gt_session_output_count(s), 1);
  assert_string_equal(gt_session_output_name(s, 0), "a");
  gt_session_free(s);
  /* bare expressions and output statements, in the order they run */
  s = run_ok("a = 2\na  *  3 # six\noutput a\n");
  assert_int_equal(gt_session_output_count(s), 2);
  assert_string_equal(gt_session_output_name(s, 0), "a * 3");
  assert_string_equal(gt_session_output_name(s, 1), "a");
  gt_session_free(s);
  /* declared outputs: in order of declaration, values at the end */
  s = run_ok("y = 1\nz = 2\noutput z, y\ny = 10\nw = 5\n");
  assert_int_equal(gt_session_output_count(s), 2);
  assert_string_equal(gt_session_output_name(s, 0), "z");
  assert_string_equal(gt_session_output_name(s, 1), "y");
  expect_int(s, "y", 10);
  gt_session_free(s);
  /* a name declared twice is one output */
  s = run_ok("y = 1\nz = 2\noutput y\noutput z, y\n");
  assert_int_equal(gt_session_output_count(s), 2);
  assert_string_equal(gt_session_output_name(s, 0), "y");
  assert_string_equal(gt_session_output_name(s, 1), "z");
  gt_session_free(s);
  /* no binding at all: no outputs */
  s = run_ok("assert 1\n");
  assert_int_equal(gt_session_output_count(s), 0);
  gt_session_free(s);
}

/* ---- literal caching ------------------------------------------------------ */

typedef struct Direct {
  GtSource *src;
  GtSource *srcs[1];
  GtNames names;
  GtDiagList diags;
  GtProgram *prog;
  GtOptions opt;
  GtRunEnv env;
  GtTape tape;
  GtRunResult res;
} Direct;

static GtStatus
direct_run(Direct *d, const char *text, const int32_t *at)
{
  d->src = gt_source_new("t.gt", text, strlen(text));
  assert_non_null(d->src);
  d->srcs[0] = d->src;
  d->prog = gt_parse(d->src, 0, &d->names, &d->diags, 0);
  assert_non_null(d->prog);
  d->env.opt = &d->opt;
  d->env.sources = d->srcs;
  d->env.diags = &d->diags;
  d->env.names = &d->names;
  return gt_interp_run(d->prog, &d->env, &d->tape, at, &d->res);
}

static void
direct_init(Direct *d)
{
  memset(d, 0, sizeof *d);
  gt_options_init(&d->opt);
  assert_int_equal(gt_tape_init(&d->tape, d->opt.prec, d->opt.max_nodes), 0);
}

static void
direct_free(Direct *d)
{
  gt_run_result_free(&d->res);
  gt_tape_free(&d->tape);
  gt_program_free(d->prog);
  gt_diag_clear(&d->diags);
  free(d->diags.items);
  gt_names_free(&d->names);
  gt_source_free(d->src);
}

/* Constant nodes recorded for the number literal spelled `lit` (there
   must be exactly one such literal in the program). */
static size_t
count_literal(const Direct *d, const char *lit)
{
  uint32_t id = 0;
  for (size_t i = 1; i < d->prog->nexprs; i++) {
    const GtExpr *e = d->prog->exprs[i];
    if (e->kind == GT_EX_NUM && e->span.len == strlen(lit)
        && memcmp(d->src->text + e->span.off, lit, e->span.len) == 0) {
      assert_int_equal(id, 0);
      id = e->id;
    }
  }
  assert_true(id != 0);
  size_t n = 0;
  for (size_t i = 0; i < d->tape.n; i++)
    if (d->tape.nodes[i].op == GT_OP_CONST && d->tape.nodes[i].site == id)
      n++;
  return n;
}

static size_t
count_op(const GtTape *t, GtOp op)
{
  size_t n = 0;
  for (size_t i = 0; i < t->n; i++)
    n += t->nodes[i].op == op;
  return n;
}

/* Integer expressions on loop counters and integer literals in indices and
   conditions are computed without recording: no node, no guard. */
static void
test_integer_folding(void **state)
{
  (void)state;
  Direct d;
  direct_init(&d);
  assert_int_equal(
      direct_run(&d, "input x = [1, 2, 3, 4]\ny = 0\n"
                 "for i in range(1, 4) { if i - 1 >= 0 { y = y + x[i - 1] * "
                 "x[i] } }\nk = 0\nfor j in range(1000) { k = k + 2 }\n"
                 "output y, k",
                 NULL),
      GT_OK);
  assert_int_equal(count_op(&d.tape, GT_OP_SUB), 0);
  assert_int_equal(count_op(&d.tape, GT_OP_GE), 0);
  assert_int_equal(d.tape.nguards, 0);
  /* y = 1*2 + 2*3 + 3*4, k = 2000 exactly */
  assert_int_equal(d.res.nout, 2);
  assert_int_equal(mpfr_cmp_si(d.tape.nodes[d.res.out_nodes[0]].v, 20), 0);
  assert_int_equal(mpfr_cmp_si(d.tape.nodes[d.res.out_nodes[1]].v, 2000), 0);
  /* y's three additions and k's 1000 are recorded (k may be an argument
     of grad) */
  assert_int_equal(count_op(&d.tape, GT_OP_ADD), 1003);
  direct_free(&d);
  /* an index that is not an integer expression is recorded and guarded */
  direct_init(&d);
  assert_int_equal(direct_run(&d, "input x = [1, 2, 3]\nj = 0.5 * 2\n"
                              "y = x[j + 1]", NULL), GT_OK);
  assert_int_equal(count_op(&d.tape, GT_OP_ADD), 1);
  assert_true(d.tape.nguards > 0);
  direct_free(&d);
}

static void
test_literal_caching(void **state)
{
  (void)state;
  Direct d;
  direct_init(&d);
  assert_int_equal(
      direct_run(&d, "x = 0\nfor i in range(1000) { x = x + 2.5 }", NULL),
      GT_OK);
  /* one node holds the literal 2.5, whatever the number of iterations */
  assert_int_equal(count_literal(&d, "2.5"), 1);
  assert_int_equal(count_op(&d.tape, GT_OP_ADD), 1000);
  assert_int_equal(d.res.nout, 1);
  assert_int_equal(mpfr_cmp_si(d.tape.nodes[d.res.out_nodes[0]].v, 2500), 0);
  /* the tape is topologically ordered */
  for (size_t i = 0; i < d.tape.n; i++) {
    const GtNode *n = &d.tape.nodes[i];
    assert_true(n->a < (int32_t)i && n->b < (int32_t)i
                && n->c < (int32_t)i);
  }
  direct_free(&d);

  /* the same loop with the 2 in a variable bound once records exactly as
     many nodes: the literal costs one node in all */
  GtSession *a = run_ok("x = 0\nfor i in range(1000) { x = x + 2 }");
  GtSession *b = run_ok("two = 2\nx = 0\nfor i in range(1000) { x = x + two }"
                        "\noutput x");
  expect_int(a, "x", 2000);
  expect_int(b, "x", 2000);
  assert_int_equal(gt_session_tape_nodes(a), gt_session_tape_nodes(b));
  /* and the count grows by the same per-iteration cost as the loop grows */
  GtSession *c = run_ok("x = 0\nfor i in range(10) { x = x + 2 }");
  GtSession *c2 = run_ok("x = 0\nfor i in range(20) { x = x + 2 }");
  size_t per10 = gt_session_tape_nodes(c2) - gt_session_tape_nodes(c);
  assert_int_equal(gt_session_tape_nodes(a) - gt_session_tape_nodes(c),
                   per10 * 99);
  gt_session_free(a);
  gt_session_free(b);
  gt_session_free(c);
  gt_session_free(c2);

  /* a literal in a function called many times: also one node */
  direct_init(&d);
  assert_int_equal(direct_run(&d, "def f(v) { return v * 3 }\nx = 1\n"
                                  "for i in range(100) { x = f(x) - x }",
                              NULL),
                   GT_OK);
  assert_int_equal(count_literal(&d, "3"), 1);
  direct_free(&d);
}

/* gt_interp_run directly, with an --at value for an input */
static void
test_interp_run_at(void **state)
{
  (void)state;
  Direct d;
  direct_init(&d);
  int32_t five = gt_tape_push(&d.tape, GT_OP_CONST, -1, -1, -1, 0, 0);
  assert_true(five >= 0);
  mpfr_set_si(d.tape.nodes[five].v, 5, MPFR_RNDN);
  int32_t at[2] = { five, -1 };
  assert_int_equal(direct_run(&d, "input x = 3\ninput k = 2\ny = x ^ k\n"
                                  "output y, k", at),
                   GT_OK);
  assert_int_equal(d.res.nout, 2);
  assert_string_equal(d.names.text[d.res.out_names[0]], "y");
  assert_string_equal(d.names.text[d.res.out_names[1]], "k");
  /* 5^2 = 25 from the --at value and k's default */
  assert_int_equal(mpfr_cmp_si(d.tape.nodes[d.res.out_nodes[0]].v, 25), 0);
  assert_int_equal(mpfr_cmp_si(d.tape.nodes[d.res.out_nodes[1]].v, 2), 0);
  /* each input has its own INPUT node */
  for (int k = 0; k < 2; k++) {
    int32_t n = d.res.input_nodes[k];
    assert_true(n >= 0);
    assert_int_equal(d.tape.nodes[n].op, GT_OP_INPUT);
  }
  assert_int_equal(mpfr_cmp_si(d.tape.nodes[d.res.input_nodes[0]].v, 5), 0);
  /* final global bindings */
  int32_t ys = gt_program_global(d.prog, "y");
  assert_int_equal(d.res.globals[ys], d.res.out_nodes[0]);
  assert_int_equal(d.res.any_kink, 0);
  direct_free(&d);

  /* an input without default and no value is a usage error */
  direct_init(&d);
  assert_int_equal(direct_run(&d, "input n\ny = n", NULL), GT_EUSAGE);
  assert_true(d.diags.n >= 1);
  assert_non_null(strstr(d.diags.items[0].message, "n"));
  direct_free(&d);

  /* a kink is flagged */
  direct_init(&d);
  assert_int_equal(direct_run(&d, "y = abs(0)", NULL), GT_OK);
  assert_int_equal(d.res.any_kink, 1);
  direct_free(&d);
}

/* ---- run-time errors ------------------------------------------------------ */

static void
test_assert(void **state)
{
  (void)state;
  GtSession *s = run_fail("x = 1\nassert x == 2, \"x is not two\"",
                          GT_EASSERT);
  expect_diag(s, 0, GT_SEV_ERROR, "assertion failed: x is not two", 2, 8, 6);
  assert_string_equal(gt_session_diag(s, 0)->message,
                      "assertion failed: x is not two");
  gt_session_free(s);
  s = run_fail("assert 1 > 2", GT_EASSERT);
  expect_diag(s, 0, GT_SEV_ERROR, "assertion failed", 1, 8, 5);
  gt_session_free(s);
  /* in a function: the call chain follows */
  s = run_fail("def check(v) {\n  assert v > 0, \"positive\"\n  return v\n}\n"
               "y = check(1)\nz = check(-1)", GT_EASSERT);
  expect_diag(s, 0, GT_SEV_ERROR, "assertion failed: positive", 2, 10, 5);
  expect_diag(s, 1, GT_SEV_NOTE, "check", 6, 5, 9);
  gt_session_free(s);
  /* passing asserts */
  check("x = 3\nassert x == 3\nassert x > 2, \"ok\"\ny = x", "y", 3);
}

static void
test_unbound_at_runtime(void **state)
{
  (void)state;
  /* g exists (it is assigned later) but is not bound yet when f runs */
  GtSession *s = run_fail("def f() { return g }\ny = f()\ng = 1",
                          GT_ESYNTAX);
  expect_diag(s, 0, GT_SEV_ERROR, "'g'", 1, 18, 1);
  expect_diag(s, 1, GT_SEV_NOTE, "'f'", 2, 5, 3);
  gt_session_free(s);
  /* bound only in a branch not taken */
  s = run_fail("if 0 { z = 1 }\ny = z + 1", GT_ESYNTAX);
  expect_diag(s, 0, GT_SEV_ERROR, "'z'", 2, 5, 1);
  gt_session_free(s);
  /* a local read before it is assigned */
  s = run_fail("def f() { w = v\n v = 1\n return w }\ny = f()", GT_ESYNTAX);
  expect_diag(s, 0, GT_SEV_ERROR, "'v'", 1, 15, 1);
  gt_session_free(s);
}

static void
test_nan_errors(void **state)
{
  (void)state;
  /* the error points at the log call, not at the multiplication */
  GtSession *s = run_fail("x = -1\ny = 2 * log(x)", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "log", 2, 9, 6);
  gt_session_free(s);
  /* inside a function: the note names the call */
  s = run_fail("def f(v) { return log(v) }\ny = f(-1)", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "log", 1, 19, 6);
  expect_diag(s, 1, GT_SEV_NOTE, "'f'", 2, 5, 5);
  gt_session_free(s);
  /* the primitive that first made the NaN, several steps before */
  s = run_fail("x = -2\nr = sqrt(x)\ny = r + 1\nz = y * 3", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "sqrt", 2, 5, 7);
  gt_session_free(s);
  s = run_fail("z = 0\ny = z / z", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "NaN", 2, 5, 5);
  gt_session_free(s);
  s = run_fail("y = inf - inf", GT_ERUNTIME);
  gt_session_free(s);
  /* a NaN that becomes visible in a condition */
  s = run_fail("x = -1\nif log(x) > 0 { y = 1 } else { y = 2 }", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "log", 2, 4, 6);
  gt_session_free(s);
  /* in a range bound and a printed value */
  s = run_fail("for i in range(sqrt(-1)) { }", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "sqrt", 1, 16, 8);
  gt_session_free(s);
  s = run_fail("x = -1\nprint(log(x))\ny = 1", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "log", 2, 7, 6);
  gt_session_free(s);
}

static void
test_nan_not_visible(void **state)
{
  (void)state;
  /* where() does not look at the branch it did not select */
  GtSession *s = run_ok("x = -1\ny = where(x > 0, log(x), 0)\n"
                        "z = where(x < 0, 5, sqrt(x))\noutput y, z");
  expect_int(s, "y", 0);
  expect_int(s, "z", 5);
  gt_session_free(s);
  /* but the selected branch is checked */
  s = run_fail("x = -1\ny = where(x < 0, log(x), 0)", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "log", 2, 18, 6);
  gt_session_free(s);
  /* a NaN nobody looks at is no error */
  s = run_ok("x = -1\nz = log(x)\ny = 1\noutput y");
  expect_int(s, "y", 1);
  gt_session_free(s);
  /* nan written by the user is a value, not an error */
  s = run_ok("y = nan + 1");
  assert_true(mpfr_nan_p(output(s, "y")));
  gt_session_free(s);
}

static void
test_nan_ok(void **state)
{
  (void)state;
  GtOptions opt;
  gt_options_init(&opt);
  opt.nan_ok = 1;
  GtStatus st;
  GtSession *s = run_opt("x = -1\ny = log(x)", &opt, &st);
  assert_int_equal(st, GT_OK);
  assert_true(mpfr_nan_p(output(s, "y")));
  gt_session_free(s);
  s = run_opt("z = 0\ny = where(1, z / z, 1)", &opt, &st);
  assert_int_equal(st, GT_OK);
  assert_true(mpfr_nan_p(output(s, "y")));
  gt_session_free(s);
}

static void
test_limits(void **state)
{
  (void)state;
  GtOptions opt;
  GtSession *s;

  /* steps: loop iterations of the whole run */
  gt_options_init(&opt);
  opt.max_steps = 10;
  GtStatus st;
  s = run_opt("c = 0\nfor i in range(10) { c += 1 }", &opt, &st);
  assert_int_equal(st, GT_OK);
  expect_int(s, "c", 10);
  gt_session_free(s);
  s = run_fail_opt("c = 0\nfor i in range(11) { c += 1 }", &opt,
                   GT_ERUNTIME);
  assert_non_null(strstr(first_error(s), "--max-steps"));
  gt_session_free(s);
  s = run_fail_opt("for i in range(6) { }\nfor j in range(6) { }\ny = 1",
                   &opt, GT_ERUNTIME);
  gt_session_free(s);
  s = run_fail_opt("x = 0\nwhile 1 { x += 1 }", &opt, GT_ERUNTIME);
  assert_non_null(strstr(first_error(s), "--max-steps"));
  /* on the loop's line (the loop or its condition) */
  assert_int_equal(gt_session_diag(s, 0)->line, 2);
  assert_non_null(strstr(first_error(s), "iterations"));
  gt_session_free(s);

  /* depth: nested calls; f(n) makes n + 1 nested calls */
  static const char rec[] =
      "def f(n) { if n == 0 { return 0 }\n return f(n - 1) + 1 }\n"
      "input k = 0\ny = f(k)";
  gt_options_init(&opt);
  opt.max_depth = 10;
  s = gt_session_new(&opt);
  assert_int_equal(gt_session_load(s, "t.gt", rec, strlen(rec)), GT_OK);
  assert_int_equal(gt_session_set_input(s, "k", "9"), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  expect_int(s, "y", 9);
  assert_int_equal(gt_session_set_input(s, "k", "10"), GT_OK);
  assert_int_equal(gt_session_run(s), GT_ERUNTIME);
  assert_non_null(strstr(first_error(s), "--max-depth"));
  gt_session_free(s);

  /* nodes */
  gt_options_init(&opt);
  opt.max_nodes = 100;
  s = run_fail_opt("x = 0\nfor i in range(1000) { x = x + 1 }", &opt,
                   GT_ERUNTIME);
  assert_non_null(strstr(first_error(s), "--max-nodes"));
  gt_session_free(s);
  s = run_opt("x = 0\nfor i in range(10) { x = x + 1 }", &opt, &st);
  assert_int_equal(st, GT_OK);
  assert_true(gt_session_tape_nodes(s) <= 100);
  gt_session_free(s);
}

/* Runaway recursion under the default limits is an error, not a crash of
   the C stack (run in a child process so that a crash is reported). */
static void
test_runaway_recursion(void **state)
{
  (void)state;
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    static const char text[] = "def f(n) { return f(n + 1) + 1 }\ny = f(0)";
    GtSession *s = gt_session_new(NULL);
    int r = 1;
    if (s != NULL
        && gt_session_load(s, "t.gt", text, strlen(text)) == GT_OK
        && gt_session_run(s) == GT_ERUNTIME)
      r = 0;
    gt_session_free(s);
    _exit(r);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (WIFSIGNALED(status))
    fail_msg("runaway recursion crashed with signal %d", WTERMSIG(status));
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_tensor_errors(void **state)
{
  (void)state;
  /* a ragged literal (issue 3) */
  GtSession *s = run_fail("x = [[1, 2], [3]]", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "ragged", 1, 5, 13);
  gt_session_free(s);
  /* a shape mismatch names both shapes */
  s = run_fail("x = ones(2, 3) + ones(2)", GT_ERUNTIME);
  expect_diag(s, 0, GT_SEV_ERROR, "(2, 3) and (2,)", 1, 5, 20);
  gt_session_free(s);
}

/* ---- print ---------------------------------------------------------------- */

typedef struct Lines {
  char text[8][128];
  int n;
} Lines;

static void
collect_line(void *user, const char *line)
{
  Lines *l = user;
  if (l->n < 8)
    snprintf(l->text[l->n], sizeof l->text[0], "%s", line);
  l->n++;
}

static void
test_print(void **state)
{
  (void)state;
  Lines lines = { .n = 0 };
  GtOptions opt;
  gt_options_init(&opt);
  opt.print = collect_line;
  opt.print_user = &lines;
  GtStatus st;
  GtSession *s = run_opt(
      "x = 2\ny = x * x\nprint(\"y is\", y)\n"
      "print(1 / 2, -3, \"a\\tb\", \"q\\\"q\")\n"
      "for i in range(2) { print(i) }\nprint()\n",
      &opt, &st);
  assert_int_equal(st, GT_OK);
  assert_int_equal(lines.n, 5);
  assert_string_equal(lines.text[0], "y is 4");
  assert_string_equal(lines.text[1], "0.5 -3 a\tb q\"q");
  assert_string_equal(lines.text[2], "0");
  assert_string_equal(lines.text[3], "1");
  assert_string_equal(lines.text[4], "");
  gt_session_free(s);

  /* with nan_ok a NaN prints as nan */
  lines.n = 0;
  opt.nan_ok = 1;
  s = run_opt("print(\"v\", log(-1))\ny = 1", &opt, &st);
  assert_int_equal(st, GT_OK);
  assert_int_equal(lines.n, 1);
  assert_string_equal(lines.text[0], "v nan");
  gt_session_free(s);

  /* no callback: the output is dropped */
  s = run_ok("print(\"dropped\", 1)\ny = 1");
  expect_int(s, "y", 1);
  gt_session_free(s);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_if_elif_else),
    cmocka_unit_test(test_for_range),
    cmocka_unit_test(test_range_errors),
    cmocka_unit_test(test_while_break_continue),
    cmocka_unit_test(test_recursion),
    cmocka_unit_test(test_functions_and_globals),
    cmocka_unit_test(test_default_output),
    cmocka_unit_test(test_literal_caching),
    cmocka_unit_test(test_integer_folding),
    cmocka_unit_test(test_interp_run_at),
    cmocka_unit_test(test_assert),
    cmocka_unit_test(test_unbound_at_runtime),
    cmocka_unit_test(test_nan_errors),
    cmocka_unit_test(test_nan_not_visible),
    cmocka_unit_test(test_nan_ok),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_runaway_recursion),
    cmocka_unit_test(test_tensor_errors),
    cmocka_unit_test(test_print),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
