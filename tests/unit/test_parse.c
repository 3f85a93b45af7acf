/* test_parse.c -- unit tests of the parser and name resolution (lib/parse.c)
 *
 * Trees are checked by rendering them as S-expressions: (neg (pow x 2)).
 * Names render as themselves when they resolve to a global and with a
 * leading '$' when they resolve to a function local.  Errors are checked
 * by message, line, column and length.
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

typedef struct Parsed {
  GtSource *src;
  GtNames names;
  GtDiagList diags;
  GtProgram *prog;
} Parsed;

static GtProgram *
parse_mode(Parsed *p, const char *text, int expr_only)
{
  memset(p, 0, sizeof *p);
  p->src = gt_source_new("t.gt", text, strlen(text));
  assert_non_null(p->src);
  p->prog = gt_parse(p->src, 0, &p->names, &p->diags, expr_only);
  return p->prog;
}

static GtProgram *
parse(Parsed *p, const char *text)
{
  return parse_mode(p, text, 0);
}

static void
done(Parsed *p)
{
  gt_program_free(p->prog);
  gt_diag_clear(&p->diags);
  free(p->diags.items);
  gt_names_free(&p->names);
  gt_source_free(p->src);
}

/* Parses text that must be valid. */
static GtProgram *
parse_ok(Parsed *p, const char *text)
{
  if (parse(p, text) == NULL)
    fail_msg("parsing \"%s\" failed: %s", text,
             p->diags.n ? p->diags.items[0].message : "(no diagnostic)");
  return p->prog;
}

/* ---- rendering -------------------------------------------------------- */

typedef struct Buf {
  char s[4096];
  size_t n;
} Buf;

static void
put(Buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
  va_end(ap);
  if (k > 0)
    b->n += (size_t)k;
  if (b->n >= sizeof b->s)
    b->n = sizeof b->s - 1;
}

static const char *
op_name(GtOp op)
{
  switch (op) {
  case GT_OP_NEG: return "neg";
  case GT_OP_ADD: return "add";
  case GT_OP_SUB: return "sub";
  case GT_OP_MUL: return "mul";
  case GT_OP_DIV: return "div";
  case GT_OP_MOD: return "mod";
  case GT_OP_POW: return "pow";
  case GT_OP_EQ: return "==";
  case GT_OP_NE: return "!=";
  case GT_OP_LT: return "<";
  case GT_OP_LE: return "<=";
  case GT_OP_GT: return ">";
  case GT_OP_GE: return ">=";
  case GT_OP_NOT: return "not";
  default: return gt_ops[op].name;
  }
}

static void
render(const Parsed *p, const GtExpr *e, Buf *b)
{
  const char *text = p->src->text;
  switch ((GtExprKind)e->kind) {
  case GT_EX_NUM:
  case GT_EX_STR:
    put(b, "%.*s", (int)e->span.len, text + e->span.off);
    return;
  case GT_EX_GLOBAL:
    put(b, "%s", p->names.text[e->name]);
    return;
  case GT_EX_LOCAL:
    put(b, "$%s", p->names.text[e->name]);
    return;
  case GT_EX_OP:
    put(b, "(%s", op_name((GtOp)e->op));
    break;
  case GT_EX_AND:
    put(b, "(and");
    break;
  case GT_EX_OR:
    put(b, "(or");
    break;
  case GT_EX_CALL:
    put(b, "(call:%s", p->names.text[p->prog->funcs[e->slot].name]);
    break;
  case GT_EX_GRAD:
    put(b, "(grad");
    break;
  case GT_EX_HESSIAN:
    put(b, "(hessian");
    break;
  case GT_EX_TENSOR:
    put(b, "(tensor");
    break;
  default: /* the tests render none of the others */
    put(b, "(kind%d", (int)e->kind);
    break;
  }
  for (int k = 0; k < e->nargs; k++) {
    put(b, " ");
    render(p, e->args[k], b);
  }
  put(b, ")");
}

/* The expression of the last top-level statement of prelude + text. */
static void
expect_tree(const char *text, const char *want)
{
  char full[512];
  snprintf(full, sizeof full, "a = 1; b = 2; c = 3; x = 4\n"
                              "def f(p, q) { return p }\n%s", text);
  Parsed p;
  parse_ok(&p, full);
  assert_true(p.prog->top.n >= 1);
  const GtStmt *s = p.prog->top.stmts[p.prog->top.n - 1];
  assert_non_null(s->expr);
  Buf b = { .n = 0 };
  b.s[0] = '\0';
  render(&p, s->expr, &b);
  if (strcmp(b.s, want) != 0)
    fail_msg("\"%s\" parsed as %s, want %s", text, b.s, want);
  done(&p);
}

/* ---- precedence and associativity -------------------------------------- */

static void
test_power(void **state)
{
  (void)state;
  expect_tree("y = -x^2", "(neg (pow x 2))");
  expect_tree("y = -2^2", "(neg (pow 2 2))");
  expect_tree("y = 2^3^2", "(pow 2 (pow 3 2))");
  expect_tree("y = 2**3**2", "(pow 2 (pow 3 2))");
  expect_tree("y = x**2", "(pow x 2)");
  expect_tree("y = 2^-x", "(pow 2 (neg x))");
  expect_tree("y = 2^-x^2", "(pow 2 (neg (pow x 2)))");
  expect_tree("y = (-x)^2", "(pow (neg x) 2)");
  expect_tree("y = sin(x)^2", "(pow (sin x) 2)");
  expect_tree("y = a*b^c", "(mul a (pow b c))");
  expect_tree("y = a^b*c", "(mul (pow a b) c)");
}

static void
test_arithmetic(void **state)
{
  (void)state;
  expect_tree("y = 1 + 2 * 3", "(add 1 (mul 2 3))");
  expect_tree("y = 1 * 2 + 3", "(add (mul 1 2) 3)");
  expect_tree("y = a - b - c", "(sub (sub a b) c)");
  expect_tree("y = a / b * c", "(mul (div a b) c)");
  expect_tree("y = a / b / c", "(div (div a b) c)");
  expect_tree("y = a % b * c", "(mul (mod a b) c)");
  expect_tree("y = (a + b) * c", "(mul (add a b) c)");
  expect_tree("y = -a * b", "(mul (neg a) b)");
  expect_tree("y = a * -b", "(mul a (neg b))");
  expect_tree("y = a - -b", "(sub a (neg b))");
  expect_tree("y = --a", "(neg (neg a))");
  expect_tree("y = +a", "a");
  expect_tree("y = -(a + b)", "(neg (add a b))");
  expect_tree("y = ((a))", "a");
  expect_tree("y = 0.5e1", "0.5e1");
}

static void
test_logic(void **state)
{
  (void)state;
  expect_tree("y = a or b and not c", "(or a (and b (not c)))");
  expect_tree("y = a and b or c", "(or (and a b) c)");
  expect_tree("y = a or b or c", "(or (or a b) c)");
  expect_tree("y = not a == b", "(not (== a b))");
  expect_tree("y = not not a", "(not (not a))");
  expect_tree("y = a < b + 1", "(< a (add b 1))");
  expect_tree("y = a + 1 >= -b", "(>= (add a 1) (neg b))");
  expect_tree("y = a != b and b <= c", "(and (!= a b) (<= b c))");
  expect_tree("y = a > b or a == c", "(or (> a b) (== a c))");
  expect_tree("y = (a < b) < c", "(< (< a b) c)");
}

static void
test_calls(void **state)
{
  (void)state;
  expect_tree("y = f(a, b + 1)", "(call:f a (add b 1))");
  expect_tree("y = f(f(a, b), c)", "(call:f (call:f a b) c)");
  expect_tree("y = atan2(a, b)", "(atan2 a b)");
  expect_tree("y = where(a > 0, b, c)", "(where (> a 0) b c)");
  expect_tree("y = min(a, b)", "(min a b)");
  expect_tree("y = min(a, b, c)", "(min a b c)");
  expect_tree("y = max(a, b, c, x)", "(max a b c x)");
  expect_tree("y = multiply(a, b)", "(mul a b)");
  expect_tree("y = grad(x * x, x)", "(grad (mul x x) x)");
  expect_tree("y = grad(x ^ 3, x, 2)", "(grad (pow x 3) x 2)");
  expect_tree("y = hessian(x ^ 3, x)", "(hessian (pow x 3) x)");
  expect_tree("y = stop_gradient(x)", "(stop_gradient x)");
  /* a call spread over lines */
  expect_tree("y = f(a,\n      b)", "(call:f a b)");
}

/* Spans: the operator's and the whole expression's. */
static void
test_spans(void **state)
{
  (void)state;
  Parsed p;
  parse_ok(&p, "x = 1\ny = -x**2 + 1");
  const GtExpr *add = p.prog->top.stmts[1]->expr;
  assert_int_equal(add->op, GT_OP_ADD);
  assert_int_equal(add->span.off, 10);
  assert_int_equal(add->span.len, 9);
  assert_int_equal(add->opspan.off, 16);
  assert_int_equal(add->opspan.len, 1);
  const GtExpr *neg = add->args[0];
  assert_int_equal(neg->op, GT_OP_NEG);
  assert_int_equal(neg->span.off, 10);
  assert_int_equal(neg->span.len, 5);
  const GtExpr *pw = neg->args[0];
  assert_int_equal(pw->op, GT_OP_POW);
  assert_int_equal(pw->span.off, 11);
  assert_int_equal(pw->span.len, 4);
  assert_int_equal(pw->opspan.off, 12);
  assert_int_equal(pw->opspan.len, 2);
  /* every expression is in the table under its id */
  for (size_t i = 1; i < p.prog->nexprs; i++)
    assert_int_equal(p.prog->exprs[i]->id, i);
  done(&p);

  /* parentheses belong to the expression's span */
  parse_ok(&p, "a = 1\ny = (a + 2) * a");
  const GtExpr *mul = p.prog->top.stmts[1]->expr;
  assert_int_equal(mul->op, GT_OP_MUL);
  assert_int_equal(mul->span.off, 10);
  assert_int_equal(mul->span.len, 11);
  assert_int_equal(mul->args[0]->span.off, 10);
  assert_int_equal(mul->args[0]->span.len, 7);
  done(&p);

  /* a call's span runs from its name to its ')' */
  parse_ok(&p, "y = sin( 1 )");
  const GtExpr *call = p.prog->top.stmts[0]->expr;
  assert_int_equal(call->op, GT_OP_SIN);
  assert_int_equal(call->span.off, 4);
  assert_int_equal(call->span.len, 8);
  assert_int_equal(call->opspan.off, 4);
  assert_int_equal(call->opspan.len, 3);
  done(&p);
}

/* ---- statements -------------------------------------------------------- */

static void
test_compound_assignment(void **state)
{
  (void)state;
  static const struct {
    const char *text;
    GtOp op;
    const char *tree;
  } cases[] = {
    { "y = 1\ny += 2", GT_OP_ADD, "(add y 2)" },
    { "y = 1\ny -= 2", GT_OP_SUB, "(sub y 2)" },
    { "y = 1\ny *= 2", GT_OP_MUL, "(mul y 2)" },
    { "y = 1\ny /= 2", GT_OP_DIV, "(div y 2)" },
    { "y = 1\ny += 2 * y", GT_OP_ADD, "(add y (mul 2 y))" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    Parsed p;
    parse_ok(&p, cases[i].text);
    int32_t y = gt_program_global(p.prog, "y");
    assert_true(y >= GT_NPREDEF);
    assert_int_equal(p.prog->top.n, 2);
    const GtStmt *s = p.prog->top.stmts[1];
    assert_int_equal(s->kind, GT_ST_ASSIGN);
    assert_int_equal(s->target_kind, GT_EX_GLOBAL);
    assert_int_equal(s->slot, y);
    assert_string_equal(p.names.text[s->name], "y");
    assert_int_equal(s->expr->kind, GT_EX_OP);
    assert_int_equal(s->expr->op, cases[i].op);
    /* the left operand reads y itself */
    assert_int_equal(s->expr->args[0]->kind, GT_EX_GLOBAL);
    assert_int_equal(s->expr->args[0]->slot, y);
    Buf b = { .n = 0 };
    render(&p, s->expr, &b);
    assert_string_equal(b.s, cases[i].tree);
    /* the operator's span is the compound operator */
    assert_int_equal(s->expr->opspan.off, 8);
    assert_int_equal(s->expr->opspan.len, 2);
    done(&p);
  }

  /* in a function, on a parameter: a local on both sides */
  Parsed p;
  parse_ok(&p, "def f(a) {\n  a *= 3\n  return a\n}\nz = f(2)");
  const GtFunc *f = &p.prog->funcs[0];
  const GtStmt *s = f->body.stmts[0];
  assert_int_equal(s->kind, GT_ST_ASSIGN);
  assert_int_equal(s->target_kind, GT_EX_LOCAL);
  assert_int_equal(s->slot, 0);
  assert_int_equal(s->expr->op, GT_OP_MUL);
  assert_int_equal(s->expr->args[0]->kind, GT_EX_LOCAL);
  assert_int_equal(s->expr->args[0]->slot, 0);
  done(&p);
}

static void
test_statements(void **state)
{
  (void)state;
  Parsed p;
  parse_ok(&p, "input x = 3\ninput n\n"
               "y = 0; z = 1\n"
               "if x > 1 { y = 1 } elif x > 0 { y = 2 }\n"
               "elif x > -1 { y = 3 } else { y = 4 }\n"
               "for i in range(1, n, 2) { z *= i }\n"
               "while z > 100 { z /= 2; if z < 1 { break } else { continue } }\n"
               "assert z > 0, \"z must be positive\"\n"
               "print(\"z is\", z, 2 * z)\n"
               "output y, z\n");
  const GtBlock *top = &p.prog->top;
  assert_int_equal(top->n, 10);
  static const GtStmtKind kinds[] = {
    GT_ST_INPUT, GT_ST_INPUT, GT_ST_ASSIGN, GT_ST_ASSIGN, GT_ST_IF,
    GT_ST_FOR, GT_ST_WHILE, GT_ST_ASSERT, GT_ST_PRINT, GT_ST_OUTPUT,
  };
  for (size_t i = 0; i < top->n; i++)
    assert_int_equal(top->stmts[i]->kind, kinds[i]);
  /* inputs, in order, with and without default */
  assert_int_equal(p.prog->ninputs, 2);
  assert_string_equal(p.names.text[p.prog->inputs[0].name], "x");
  assert_string_equal(p.names.text[p.prog->inputs[1].name], "n");
  assert_int_equal(p.prog->inputs[0].slot, gt_program_global(p.prog, "x"));
  assert_int_equal(top->stmts[0]->input_index, 0);
  assert_int_equal(top->stmts[1]->input_index, 1);
  assert_non_null(top->stmts[0]->expr);
  assert_null(top->stmts[1]->expr);
  /* if with two elifs and an else */
  const GtStmt *s = top->stmts[4];
  assert_int_equal(s->nargs, 2);
  assert_true(s->has_else);
  assert_int_equal(s->body.n, 1);
  assert_int_equal(s->elifs[0].n, 1);
  assert_int_equal(s->elifs[1].n, 1);
  assert_int_equal(s->orelse.n, 1);
  assert_int_equal(s->args[1]->op, GT_OP_GT);
  /* for: loop variable and range arguments */
  s = top->stmts[5];
  assert_string_equal(p.names.text[s->name], "i");
  assert_int_equal(s->target_kind, GT_EX_GLOBAL);
  assert_int_equal(s->slot, gt_program_global(p.prog, "i"));
  assert_int_equal(s->nargs, 3);
  /* while body: two statements, the second an if with break / continue */
  s = top->stmts[6];
  assert_int_equal(s->body.n, 2);
  assert_int_equal(s->body.stmts[1]->body.stmts[0]->kind, GT_ST_BREAK);
  assert_int_equal(s->body.stmts[1]->orelse.stmts[0]->kind,
                   GT_ST_CONTINUE);
  /* assert message, print arguments, output names */
  assert_int_equal(top->stmts[7]->nargs, 1);
  assert_int_equal(top->stmts[7]->args[0]->kind, GT_EX_STR);
  assert_int_equal(top->stmts[8]->nargs, 3);
  assert_int_equal(top->stmts[8]->args[0]->kind, GT_EX_STR);
  assert_int_equal(top->stmts[8]->args[2]->op, GT_OP_MUL);
  s = top->stmts[9];
  assert_int_equal(s->nargs, 2);
  assert_int_equal(s->args[0]->slot, gt_program_global(p.prog, "y"));
  assert_int_equal(s->args[1]->slot, gt_program_global(p.prog, "z"));
  done(&p);
}

/* ---- name resolution --------------------------------------------------- */

static void
test_resolution(void **state)
{
  (void)state;
  Parsed p;
  parse_ok(&p, "g = 10\n"
               "def f(a, b) {\n"
               "  t = a * g\n"
               "  if t > 0 { u = 1 } else { u = 2 }\n"
               "  for k in range(2) { t += k }\n"
               "  return t + b + u + h\n"
               "}\n"
               "z = f(1, 2)\n"
               "h = 5\n");
  /* the predefined globals come first */
  assert_int_equal(gt_program_global(p.prog, "pi"), GT_GLOBAL_PI);
  assert_int_equal(gt_program_global(p.prog, "e"), GT_GLOBAL_E);
  assert_int_equal(gt_program_global(p.prog, "inf"), GT_GLOBAL_INF);
  assert_int_equal(gt_program_global(p.prog, "nan"), GT_GLOBAL_NAN);
  int32_t g = gt_program_global(p.prog, "g");
  int32_t h = gt_program_global(p.prog, "h");
  int32_t z = gt_program_global(p.prog, "z");
  assert_true(g >= GT_NPREDEF && h >= GT_NPREDEF && z >= GT_NPREDEF);
  assert_true(g != h && h != z && g != z);
  /* function locals are not globals */
  assert_int_equal(gt_program_global(p.prog, "a"), -1);
  assert_int_equal(gt_program_global(p.prog, "t"), -1);
  assert_int_equal(gt_program_global(p.prog, "u"), -1);
  assert_int_equal(gt_program_global(p.prog, "k"), -1);
  assert_int_equal(gt_program_global(p.prog, "f"), -1);
  assert_int_equal(gt_program_global(p.prog, "nosuch"), -1);

  assert_int_equal(p.prog->nfuncs, 1);
  const GtFunc *f = &p.prog->funcs[0];
  assert_string_equal(p.names.text[f->name], "f");
  assert_int_equal(f->nparams, 2);
  assert_int_equal(f->nlocals, 5); /* a, b, t, u, k */
  const GtStmt *s0 = f->body.stmts[0];
  assert_int_equal(s0->target_kind, GT_EX_LOCAL);
  int32_t t = s0->slot;
  assert_true(t >= 2 && t < 5);
  /* a * g: a parameter (slot 0) and a global read */
  assert_int_equal(s0->expr->args[0]->kind, GT_EX_LOCAL);
  assert_int_equal(s0->expr->args[0]->slot, 0);
  assert_int_equal(s0->expr->args[1]->kind, GT_EX_GLOBAL);
  assert_int_equal(s0->expr->args[1]->slot, g);
  /* u is assigned only inside the if's branches: still a local */
  const GtStmt *s1 = f->body.stmts[1];
  int32_t u = s1->body.stmts[0]->slot;
  assert_int_equal(s1->body.stmts[0]->target_kind, GT_EX_LOCAL);
  assert_int_equal(s1->orelse.stmts[0]->slot, u);
  /* the loop variable is local too */
  const GtStmt *s2 = f->body.stmts[2];
  assert_int_equal(s2->target_kind, GT_EX_LOCAL);
  int32_t k = s2->slot;
  assert_true(k != t && k != u && u != t);
  assert_true(k >= 2 && k < 5 && u >= 2 && u < 5);
  /* return t + b + u + h: h is a global assigned after the def */
  Buf b = { .n = 0 };
  render(&p, f->body.stmts[3]->expr, &b);
  assert_string_equal(b.s, "(add (add (add $t $b) $u) h)");
  const GtExpr *r = f->body.stmts[3]->expr;
  assert_int_equal(r->args[1]->kind, GT_EX_GLOBAL);
  assert_int_equal(r->args[1]->slot, h);
  assert_int_equal(r->args[0]->args[0]->args[1]->slot, 1); /* b */
  /* the call at the top level names function 0 */
  const GtExpr *call = p.prog->top.stmts[1]->expr;
  assert_int_equal(call->kind, GT_EX_CALL);
  assert_int_equal(call->slot, 0);
  done(&p);
}

/* A name assigned in a function is local there even when a global of that
   name exists; reading it elsewhere in the function reads the local. */
static void
test_local_shadows_global(void **state)
{
  (void)state;
  Parsed p;
  parse_ok(&p, "y = 1\n"
               "def f() {\n  w = y\n  y = 2\n  return y + w\n}\n"
               "def g() { return y }\n"
               "z = f() + g() + y\n");
  int32_t y = gt_program_global(p.prog, "y");
  const GtFunc *f = &p.prog->funcs[0];
  const GtFunc *g = &p.prog->funcs[1];
  /* w = y reads the local y (it is assigned later in f) */
  const GtExpr *read = f->body.stmts[0]->expr;
  assert_int_equal(read->kind, GT_EX_LOCAL);
  assert_int_equal(f->body.stmts[1]->target_kind, GT_EX_LOCAL);
  assert_int_equal(read->slot, f->body.stmts[1]->slot);
  /* g only reads y: the global */
  const GtExpr *gr = g->body.stmts[0]->expr;
  assert_int_equal(gr->kind, GT_EX_GLOBAL);
  assert_int_equal(gr->slot, y);
  assert_int_equal(g->nlocals, 0);
  /* the top level reads the global */
  Buf b = { .n = 0 };
  render(&p, p.prog->top.stmts[1]->expr, &b);
  assert_string_equal(b.s, "(add (add (call:f) (call:g)) y)");
  done(&p);

  /* a parameter shadows a global of the same name */
  parse_ok(&p, "x = 5\ndef sq(x) { return x * x }\nz = sq(3)");
  Buf b2 = { .n = 0 };
  render(&p, p.prog->funcs[0].body.stmts[0]->expr, &b2);
  assert_string_equal(b2.s, "(mul $x $x)");
  done(&p);

  /* names bound anywhere at the top level (loops, branches) are globals;
     pi can be rebound */
  parse_ok(&p, "if 1 { q = 1 }\nfor i in range(2) { r = i }\npi = 3\n"
               "s = q + r + i + pi");
  Buf b3 = { .n = 0 };
  render(&p, p.prog->top.stmts[3]->expr, &b3);
  assert_string_equal(b3.s, "(add (add (add q r) i) pi)");
  assert_int_equal(p.prog->top.stmts[2]->slot, GT_GLOBAL_PI);
  assert_int_equal(p.prog->top.stmts[3]->expr->args[1]->slot, GT_GLOBAL_PI);
  done(&p);
}

/* Expression mode (for --at): only the predefined names exist. */
static void
test_expr_only(void **state)
{
  (void)state;
  Parsed p;
  assert_non_null(parse_mode(&p, "pi / 4", 1));
  Buf b = { .n = 0 };
  render(&p, p.prog->top.stmts[0]->expr, &b);
  assert_string_equal(b.s, "(div pi 4)");
  done(&p);
  assert_non_null(parse_mode(&p, "-2^0.5 + sqrt(e)", 1));
  done(&p);
  assert_null(parse_mode(&p, "xyz + 1", 1));
  assert_true(p.diags.n >= 1);
  assert_string_equal(p.diags.items[0].message, "unknown name 'xyz'");
  done(&p);
  assert_null(parse_mode(&p, "1 2", 1));
  assert_true(p.diags.n >= 1);
  assert_int_equal(p.diags.items[0].col, 3);
  done(&p);
  assert_null(parse_mode(&p, "y = 1", 1));
  done(&p);
}

/* ---- errors ------------------------------------------------------------ */

/* Parsing fails; the first diagnostic is an error with this message at
   line:col underlining len bytes. */
static void
expect_error(const char *text, const char *msg, unsigned line, unsigned col,
             unsigned len)
{
  Parsed p;
  if (parse(&p, text) != NULL)
    fail_msg("\"%s\" parsed, want error \"%s\"", text, msg);
  assert_true(p.diags.n >= 1);
  const GtDiag *d = &p.diags.items[0];
  assert_int_equal(d->severity, GT_SEV_ERROR);
  if (strcmp(d->message, msg) != 0)
    fail_msg("\"%s\": message \"%s\", want \"%s\"", text, d->message, msg);
  if (d->line != line || d->col != col || d->len != len)
    fail_msg("\"%s\": at %u:%u+%u, want %u:%u+%u", text, d->line, d->col,
             d->len, line, col, len);
  assert_string_equal(d->file, "t.gt");
  done(&p);
}

static void
test_error_unknown_name(void **state)
{
  (void)state;
  expect_error("y = 1\nz = yy * 2", "unknown name 'yy'; did you mean 'y'?",
               2, 5, 2);
  expect_error("z = qwerty", "unknown name 'qwerty'", 1, 5, 6);
  expect_error("total = 1\nz = totl + 1",
               "unknown name 'totl'; did you mean 'total'?", 2, 5, 4);
  expect_error("y = sqrtt(2)",
               "unknown function 'sqrtt'; did you mean 'sqrt'?", 1, 5, 5);
  expect_error("def square(v) { return v * v }\ny = sqare(2)",
               "unknown function 'sqare'; did you mean 'square'?", 2, 5, 5);
  /* in a function: locals are candidates, other functions' locals not */
  expect_error("def f(alpha) { return alpa }",
               "unknown name 'alpa'; did you mean 'alpha'?", 1, 23, 4);
  expect_error("def f(a) { temp = 1\n return a }\ndef g() { return temp }",
               "unknown name 'temp'", 3, 18, 4);
  /* an output must name a global */
  expect_error("y = 1\noutput y, www", "unknown name 'www'", 2, 11, 3);
}

static void
test_error_syntax(void **state)
{
  (void)state;
  expect_error("x = 1\ny = 0 < x < 2",
               "comparisons do not chain; write 'a < b and b < c'", 2, 11, 1);
  expect_error("x = 1\ny = x == x != 1",
               "comparisons do not chain; write 'a < b and b < c'", 2, 12, 2);
  expect_error("break", "'break' outside a loop", 1, 1, 5);
  expect_error("def f() {\n  continue\n}", "'continue' outside a loop", 2,
               3, 8);
  expect_error("for i in range(3) { }\nbreak", "'break' outside a loop", 2,
               1, 5);
  expect_error("def f() { input x\n return 1 }",
               "'input' is only allowed at the top level", 1, 11, 5);
  expect_error("def f() { output x }",
               "'output' is only allowed outside functions", 1, 11, 6);
  expect_error("return 1", "'return' outside a function", 1, 1, 6);
  expect_error("def f() { def g() { return 1 } }",
               "functions can only be defined at the top level", 1, 11, 3);
  expect_error("x = 1\nif x { } else if x { }",
               "use 'elif' instead of 'else if'", 2, 15, 2);
  expect_error("else { }", "'else' without a matching 'if'", 1, 1, 4);
  expect_error("input x = 1\ninput x = 2", "input 'x' is declared twice", 2,
               7, 1);
  expect_error("def f(a) { return a }\ndef f(b) { return b }",
               "function 'f' is defined twice", 2, 5, 1);
  expect_error("def f(a, a) { return a }", "duplicate parameter 'a'", 1, 10,
               1);
  expect_error("input if", "'if' is a keyword and cannot be used as an "
               "input name", 1, 7, 2);
  expect_error("y = \"text\"", "strings are only allowed in print and assert",
               1, 5, 6);
  expect_error("x = 1\nx + 1 = 2", "cannot assign to this expression", 2,
               1, 5);
  expect_error("y = 1 +", "expected an expression before end of file", 1, 8,
               1);
  expect_error("y = 1\n}", "unmatched '}'", 2, 1, 1);
  expect_error("y = 1 2", "expected ';' or a newline before '2'", 1, 7, 1);
}

static void
test_error_arity(void **state)
{
  (void)state;
  expect_error("y = sin(1, 2)", "sin takes 1 argument, not 2", 1, 5, 9);
  expect_error("y = atan2(1)", "atan2 takes 2 arguments, not 1", 1, 5, 8);
  expect_error("y = where(1, 2)", "where takes 3 arguments, not 2", 1, 5,
               11);
  expect_error("y = exp()", "exp takes 1 argument, not 0", 1, 5, 5);
  expect_error("y = max(1)", "max takes at least 2 arguments", 1, 5, 6);
  expect_error("def f(a) { return a }\ny = f(1, 2)",
               "function 'f' takes 1 argument, not 2", 2, 5, 7);
  expect_error("def g(a, b) { return a }\ny = g(1)",
               "function 'g' takes 2 arguments, not 1", 2, 5, 4);
  expect_error("def h() { return 1 }\ny = h(3)",
               "function 'h' takes 0 arguments, not 1", 2, 5, 4);
  expect_error("input x = 1\ny = grad(x)", "grad takes 2 to 3 arguments, "
               "not 1", 2, 5, 7);
  expect_error("y = for(1)", "expected an expression before 'for'", 1, 5, 3);
  expect_error("for i in range() { }", "range takes 1 to 3 arguments, not 0",
               1, 10, 7);
  expect_error("for i in range(1, 2, 3, 4) { }",
               "range takes 1 to 3 arguments, not 4", 1, 10, 17);
}

static void
test_error_grad_name(void **state)
{
  (void)state;
  expect_error("input x = 1\ny = grad(x * x, 2 * x)",
               "the second argument of grad must be a name", 2, 17, 5);
  expect_error("input x = 1\ny = hessian(x * x, -x)",
               "the second argument of hessian must be a name", 2, 20, 2);
  expect_error("input x = 1\ny = grad(x * x, 1)",
               "the second argument of grad must be a name", 2, 17, 1);
}

/* An unclosed '(' or '{' says where it was opened, in a note. */
static void
test_error_unclosed(void **state)
{
  (void)state;
  Parsed p;
  assert_null(parse(&p, "x = 1\nif x > 0 {\n  y = 2\n"));
  assert_int_equal(p.diags.n, 2);
  assert_int_equal(p.diags.items[0].severity, GT_SEV_ERROR);
  assert_string_equal(p.diags.items[0].message,
                      "expected '}' before end of file");
  const GtDiag *note = &p.diags.items[1];
  assert_int_equal(note->severity, GT_SEV_NOTE);
  assert_non_null(strstr(note->message, "opened here"));
  assert_int_equal(note->line, 2);
  assert_int_equal(note->col, 10);
  assert_int_equal(note->len, 1);
  done(&p);

  /* the innermost unclosed block is the one named */
  assert_null(parse(&p, "def f() {\n  while 1 {\n    break\n}\n"));
  assert_int_equal(p.diags.n, 2);
  assert_int_equal(p.diags.items[1].severity, GT_SEV_NOTE);
  assert_int_equal(p.diags.items[1].line, 1);
  assert_int_equal(p.diags.items[1].col, 9);
  done(&p);

  assert_null(parse(&p, "y = (1 + 2\n"));
  assert_int_equal(p.diags.n, 2);
  assert_string_equal(p.diags.items[0].message,
                      "expected ')' before end of file");
  assert_int_equal(p.diags.items[1].severity, GT_SEV_NOTE);
  assert_string_equal(p.diags.items[1].message, "to match this '('");
  assert_int_equal(p.diags.items[1].line, 1);
  assert_int_equal(p.diags.items[1].col, 5);
  done(&p);

  assert_null(parse(&p, "y = (1 + 2 3)"));
  assert_int_equal(p.diags.n, 2);
  assert_string_equal(p.diags.items[0].message, "expected ')' before '3'");
  assert_int_equal(p.diags.items[0].col, 12);
  assert_int_equal(p.diags.items[1].col, 5);
  done(&p);

  /* an unmatched ')' is an error at that ')' */
  assert_null(parse(&p, "y = (1 + 2))"));
  assert_true(p.diags.n >= 1);
  assert_int_equal(p.diags.items[0].severity, GT_SEV_ERROR);
  assert_non_null(strstr(p.diags.items[0].message, "')'"));
  assert_int_equal(p.diags.items[0].line, 1);
  assert_int_equal(p.diags.items[0].col, 12);
  assert_int_equal(p.diags.items[0].len, 1);
  done(&p);

  assert_null(parse(&p, "def f(a) { return a) }"));
  assert_true(p.diags.n >= 1);
  assert_non_null(strstr(p.diags.items[0].message, "')'"));
  assert_int_equal(p.diags.items[0].col, 20);
  done(&p);
}

/* Deep nesting is an error, not a stack overflow.  Each case runs in a
   child process, so that a crash is reported as this test's failure
   instead of ending the whole test program. */

/* prefix, then n copies of open, middle, n copies of close */
static char *
nested_text(const char *prefix, const char *open, const char *middle,
            const char *close, int n)
{
  size_t lp = strlen(prefix), lo = strlen(open), lc = strlen(close),
         lm = strlen(middle);
  char *text = malloc(lp + (lo + lc) * (size_t)n + lm + 1);
  assert_non_null(text);
  size_t len = 0;
  memcpy(text, prefix, lp);
  len = lp;
  for (int i = 0; i < n; i++, len += lo)
    memcpy(text + len, open, lo);
  memcpy(text + len, middle, lm);
  len += lm;
  for (int i = 0; i < n; i++, len += lc)
    memcpy(text + len, close, lc);
  text[len] = '\0';
  return text;
}

enum { NEST_TOO_DEEP = 0, NEST_PARSED = 1, NEST_OTHER_ERROR = 2 };

/* Parses text in a child process; returns NEST_ for how it ended, or
   minus the signal that ended a crashed child. */
static int
parse_isolated(const char *text)
{
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    Parsed p;
    int r;
    if (parse(&p, text) != NULL)
      r = NEST_PARSED;
    else if (p.diags.n >= 1 && p.diags.items[0].severity == GT_SEV_ERROR
             && strstr(p.diags.items[0].message, "nested too deeply"))
      r = NEST_TOO_DEEP;
    else
      r = NEST_OTHER_ERROR;
    done(&p);
    _exit(r);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (WIFSIGNALED(status))
    return -WTERMSIG(status);
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

static void
expect_too_deep(const char *prefix, const char *open, const char *middle,
                const char *close, int n)
{
  char *text = nested_text(prefix, open, middle, close, n);
  char what[128];
  snprintf(what, sizeof what, "%d x \"%s\"", n, open);
  int r = parse_isolated(text);
  free(text);
  if (r < 0)
    fail_msg("%s: the parser crashed with signal %d", what, -r);
  if (r != NEST_TOO_DEEP)
    fail_msg("%s: %s", what,
             r == NEST_PARSED ? "parsed" : "a different error");
}

static void
test_nesting_limit_expr(void **state)
{
  (void)state;
  expect_too_deep("y = ", "(", "1", ")", 5000);
  expect_too_deep("y = ", "(", "1", ")", 100000);
  expect_too_deep("y = ", "-", "1", "", 5000);
  expect_too_deep("y = ", "not ", "1", "", 5000);
  expect_too_deep("y = ", "2^", "1", "", 5000);
  expect_too_deep("y = ", "[", "1", "]", 5000);
  expect_too_deep("y = ", "sin(", "1", ")", 5000);
  /* moderate nesting is fine */
  char *text = nested_text("y = ", "(", "1", ")", 100);
  Parsed p;
  parse_ok(&p, text);
  done(&p);
  free(text);
}

static void
test_nesting_limit_blocks(void **state)
{
  (void)state;
  expect_too_deep("", "if 1 {", "", "}", 5000);
  expect_too_deep("", "while 0 {", "", "}", 5000);
  expect_too_deep("def f() {", "if 1 {", "", "}", 5000);
  /* just below the limit: either accepted or refused, never a crash */
  static const int depths[] = { 900, 990, 999, 1000, 1001 };
  for (size_t i = 0; i < sizeof depths / sizeof *depths; i++) {
    char *text = nested_text("", "if 1 {", "", "}", depths[i]);
    char what[64];
    snprintf(what, sizeof what, "%d nested ifs", depths[i]);
    int r = parse_isolated(text);
    free(text);
    if (r < 0)
      fail_msg("%s: the parser crashed with signal %d", what, -r);
    assert_true(r == NEST_PARSED || r == NEST_TOO_DEEP);
  }
  char *text = nested_text("", "for i in range(2) {", "", "}", 100);
  Parsed p;
  parse_ok(&p, text);
  done(&p);
  free(text);
}

/* A long flat expression is not nesting. */
static void
test_long_flat(void **state)
{
  (void)state;
  enum { N = 20000 };
  char *text = malloc(4 + (size_t)N * 2 + 2);
  assert_non_null(text);
  size_t len = 0;
  memcpy(text, "y = 1", 5);
  len = 5;
  for (int i = 1; i < N; i++) {
    memcpy(text + len, "+1", 2);
    len += 2;
  }
  text[len] = '\0';
  Parsed p;
  parse_ok(&p, text);
  const GtExpr *e = p.prog->top.stmts[0]->expr;
  int depth = 0;
  while (e->kind == GT_EX_OP) {
    assert_int_equal(e->op, GT_OP_ADD);
    e = e->args[0]; /* left-associative: the chain runs down the left */
    depth++;
  }
  assert_int_equal(depth, N - 1);
  done(&p);
  free(text);
}

static void
test_names_intern(void **state)
{
  (void)state;
  GtNames n = { 0 };
  uint32_t a = gt_names_intern(&n, "alpha", 5);
  uint32_t b = gt_names_intern(&n, "beta", 4);
  uint32_t a2 = gt_names_intern(&n, "alphabet", 5); /* first 5 bytes */
  assert_int_equal(a, a2);
  assert_true(a != b);
  assert_string_equal(n.text[a], "alpha");
  assert_string_equal(n.text[b], "beta");
  for (int i = 0; i < 1000; i++) {
    char s[16];
    snprintf(s, sizeof s, "n%d", i);
    uint32_t id = gt_names_intern(&n, s, strlen(s));
    assert_string_equal(n.text[id], s);
  }
  assert_int_equal(gt_names_intern(&n, "n7", 2), gt_names_intern(&n, "n7", 2));
  assert_int_equal(n.n, 1002);
  /* lookups without adding (issue 11: a hash table, through rehashing) */
  assert_int_equal(gt_names_find(&n, "beta", 4), b);
  assert_int_equal(gt_names_find(&n, "alph", 4), UINT32_MAX);
  assert_int_equal(gt_names_find(&n, "n999", 4), 1001);
  assert_int_equal(gt_names_find(&n, "n1000", 5), UINT32_MAX);
  assert_int_equal(n.n, 1002);
  gt_names_free(&n);
  assert_int_equal(gt_names_find(&n, "beta", 4), UINT32_MAX);
  assert_int_equal(n.n, 0);
}

/* gt_text_shape: complete or not, and the top level (issue 12 item 4). */
static GtTextShape
shape(const char *t)
{
  GtTextShape sh;
  assert_int_equal(gt_text_shape(t, strlen(t), &sh), 0);
  return sh;
}

static void
test_text_shape(void **state)
{
  (void)state;
  static const char *const open[] = {
    "if x > 1 {\n", "y = f(1,\n", "v = [1,\n2\n", "def f(a) {\n",
    "while 1 {\n  if x {\n  }\n", "(1 +\n", "print(\"a {\",\n",
  };
  for (size_t i = 0; i < sizeof open / sizeof *open; i++)
    assert_false(shape(open[i]).complete);
  static const char *const done[] = {
    "x = 1 +\n", "}\n", "x = )(\n", "y = \"abc\n", "",
    "q = 5 # {\n", "print(\"a { b\")\n",
  };
  for (size_t i = 0; i < sizeof done / sizeof *done; i++)
    assert_true(shape(done[i]).complete);

  GtTextShape sh = shape("x + 1\n");
  assert_true(sh.complete && sh.last_expr && sh.only_expr && !sh.is_if);
  sh = shape("x = 1; x\n");
  assert_true(sh.last_expr && !sh.only_expr);
  sh = shape("x = 1\n");
  assert_true(sh.complete && !sh.last_expr && !sh.only_expr);
  sh = shape("def f(a) { return a }\nf(2)\n");
  assert_true(sh.last_expr && !sh.only_expr);
  sh = shape("x\ndef f(a) { return a }\n");
  assert_false(sh.last_expr);
  sh = shape("if x { y = 1 } else { y = 2 }\n");
  assert_true(sh.is_if && !sh.last_expr);
  sh = shape("if x { y = 1 }\nz = 2\n");
  assert_false(sh.is_if);
  sh = shape("x == 1\n");
  assert_true(sh.only_expr);
  sh = shape("unknown_name(3)\n"); /* names are not resolved */
  assert_true(sh.only_expr);
}

/* ---- the statement child-visitor (issue 12) ----------------------------- */

/* What a visit saw: the source offsets of the expressions and the kinds
   of the statements, in order; stop_at: return 7 at that statement. */
typedef struct Seen {
  size_t expr_off[16], nexpr;
  GtStmtKind kind[16];
  size_t nstmt, stop_at;
} Seen;

static int
seen_expr(void *ctx, GtExpr *e)
{
  Seen *v = ctx;
  v->expr_off[v->nexpr++] = e->span.off;
  return 0;
}

static int
seen_stmt(void *ctx, GtStmt *s)
{
  Seen *v = ctx;
  v->kind[v->nstmt++] = s->kind;
  return v->nstmt == v->stop_at ? 7 : 0;
}

static void
test_child_visitor(void **state)
{
  (void)state;
  Parsed p;
  const char *text = "input a = 1\ny = 0\n"
                     "if a > 1 { y = 1 } elif a > 0 { y = 2; while y > 0 "
                     "{ y = 0 } } else { print(y) }\n"
                     "assert y > 0, \"m\"\noutput y\n";
  parse_ok(&p, text);
  const GtStmt *s = p.prog->top.stmts[2];
  assert_int_equal(s->kind, GT_ST_IF);
  Seen v = { .nexpr = 0 };
  GtStmtVisitor vis = { seen_expr, seen_stmt, &v };
  assert_int_equal(gt_stmt_children(s, &vis), 0);
  /* the condition, the elif's condition; then the blocks' statements
     (not those nested deeper: the callback does not recurse) */
  assert_int_equal(v.nexpr, 2);
  assert_int_equal(v.expr_off[0], (size_t)(strstr(text, "a > 1") - text));
  assert_int_equal(v.expr_off[1], (size_t)(strstr(text, "a > 0") - text));
  static const GtStmtKind kinds[] = { GT_ST_ASSIGN, GT_ST_ASSIGN,
                                      GT_ST_WHILE, GT_ST_PRINT };
  assert_int_equal(v.nstmt, 4);
  for (size_t k = 0; k < 4; k++)
    assert_int_equal(v.kind[k], kinds[k]);
  /* a nonzero return stops the visit and is passed on */
  Seen w = { .stop_at = 2 };
  GtStmtVisitor wvis = { NULL, seen_stmt, &w };
  assert_int_equal(gt_stmt_children(s, &wvis), 7);
  assert_int_equal(w.nstmt, 2);
  /* an assert's message and an output's names are not expressions */
  Seen a = { .nexpr = 0 };
  GtStmtVisitor avis = { seen_expr, NULL, &a };
  assert_int_equal(gt_stmt_children(p.prog->top.stmts[3], &avis), 0);
  assert_int_equal(a.nexpr, 1);
  assert_int_equal(a.expr_off[0], (size_t)(strstr(text, "y > 0,") - text));
  Seen o = { .nexpr = 0 };
  GtStmtVisitor ovis = { seen_expr, seen_stmt, &o };
  assert_int_equal(gt_stmt_children(p.prog->top.stmts[4], &ovis), 0);
  assert_int_equal(o.nexpr + o.nstmt, 0);
  /* a block: each statement once, the nested ones not */
  Seen b = { .nexpr = 0 };
  GtStmtVisitor bvis = { NULL, seen_stmt, &b };
  assert_int_equal(gt_block_each(&p.prog->top, &bvis), 0);
  assert_int_equal(b.nstmt, 5);
  done(&p);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_power),
    cmocka_unit_test(test_arithmetic),
    cmocka_unit_test(test_logic),
    cmocka_unit_test(test_calls),
    cmocka_unit_test(test_spans),
    cmocka_unit_test(test_compound_assignment),
    cmocka_unit_test(test_statements),
    cmocka_unit_test(test_resolution),
    cmocka_unit_test(test_local_shadows_global),
    cmocka_unit_test(test_expr_only),
    cmocka_unit_test(test_error_unknown_name),
    cmocka_unit_test(test_error_syntax),
    cmocka_unit_test(test_error_arity),
    cmocka_unit_test(test_error_grad_name),
    cmocka_unit_test(test_error_unclosed),
    cmocka_unit_test(test_nesting_limit_expr),
    cmocka_unit_test(test_nesting_limit_blocks),
    cmocka_unit_test(test_long_flat),
    cmocka_unit_test(test_names_intern),
    cmocka_unit_test(test_text_shape),
    cmocka_unit_test(test_child_visitor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
