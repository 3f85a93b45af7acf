/* test_tensor.c -- unit test of the tensor operations (lib/tensor.c) and of
 * broadcasting elementwise ops (interp.c, reverse.c)
 *
 * Every case is one tensor operation on inputs of a given shape (vectors,
 * matrices, rank 3, broadcasting pairs, scalars with tensors).  For each it
 * checks
 *   (a) the forward value against a closed form written here (rationals
 *       computed by hand / Python fractions: the inputs are dyadic, so most
 *       values are exact);
 *   (b) the numeric reverse sweep (gt_rev_sweep) of L = sum(y * w), with w a
 *       fixed non-uniform weight tensor of y's shape, against central finite
 *       differences (L(x + h e_j) - L(x - h e_j)) / 2h with h = 2^-100,
 *       where L is evaluated by the forward rules at 512 bits: only the
 *       forward rules, checked in (a), are trusted;
 *   (c) the recorded sweep (gt_rev_record) against the numeric one.
 * Then: second derivatives through tensor ops by nested gt_rev_record,
 * reduce_max/min ties, norm at 0, prod with a zero, views and updates with
 * negative steps, scatter (the adjoint of a view) and reshape with -1.
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

#define PREC 256          /* precision of the values under test */
#define FD_PREC 512       /* precision of the finite differences */
#define FD_LOG2H 100      /* h = 2^-100: error h^2 ~ 2^-200 */

static int failures;

/* ---- shapes and data ---- */

/* Shapes as initializers: rank, size, dims. */
#define S0 { 0, 1, { 0 } }
#define S1(a) { 1, (a), { (a) } }
#define S2(a, b) { 2, (a) * (b), { (a), (b) } }
#define S3(a, b, c) { 3, (a) * (b) * (c), { (a), (b), (c) } }

/* Inputs: dyadic numbers, exact in a double. */
static const double V3[] = { 0.5, -1.25, 2 };
static const double V3B[] = { 0.75, 1, -1.5 };
static const double V6[] = { 0.5, 1, -1.5, 2, 2.5, -3 };
static const double M23[] = { 1, -2, 0.5, 3, 1.5, -0.75 };
static const double M32[] = { 2, -1, 0.25, 3, -0.5, 1 };
static const double M34[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const double M21[] = { 1.5, -2 };
static const double M13[] = { 1, 0.5, -3 };
static const double T232[] = { 1, -2, 3, 0.5, -1, 4, 2, 1.25, -3, 1, 0.5, -0.25 };
static const double SC[] = { 1.5 };
static const double SC2[] = { -0.75 };
static const double SC3[] = { 2.25 };
static const double V2A[] = { 1, 2 }, V2B[] = { 3, 4 }, V2C[] = { 5, 6 };
static const double SV2[] = { 0.5, -3 };

/* An INPUT leaf of shape s holding x (or x[j] + dx at index dj). */
static int32_t
input(Fixture *fx, const GtShape *s, const double *x, long dj, int dsign)
{
  uint32_t sid = gt_tape_shape(&fx->tape, s);
  assert_true(sid != UINT32_MAX);
  int32_t i = gt_tape_push_shaped(&fx->tape, GT_OP_INPUT, -1, -1, -1, sid,
                                  0, 0);
  assert_true(i >= 0);
  for (size_t k = 0; k < s->size; k++) {
    mpfr_ptr v = &fx->tape.nodes[i].v[k];
    mpfr_set_d(v, x[k], MPFR_RNDN);
    if ((long)k == dj) {
      mpfr_t h;
      mpfr_init2(h, 64);
      mpfr_set_ui_2exp(h, 1, -FD_LOG2H, MPFR_RNDN);
      if (dsign > 0)
        mpfr_add(v, v, h, MPFR_RNDN); /* exact at FD_PREC */
      else
        mpfr_sub(v, v, h, MPFR_RNDN);
      mpfr_clear(h);
    }
  }
  return i;
}

/* A constant of shape s: the weights w_k = (-1)^k (k % 5 + 1) / 4. */
static int32_t
weights(Fixture *fx, const GtShape *s)
{
  int32_t i = gt_rec_zeros(&fx->rec, s);
  for (size_t k = 0; k < s->size; k++)
    mpfr_set_si_2exp(&fx->tape.nodes[i].v[k],
                     (k % 2 ? -1 : 1) * (long)(k % 5 + 1), -2, MPFR_RNDN);
  return i;
}

/* ---- cases ---- */

typedef struct Case Case;
typedef int32_t (*Build)(GtRec *r, const int32_t *in, const Case *c);

struct Case {
  const char *what;
  Build build;
  int nin;
  GtShape in[3];
  const double *x[3];
  GtOp op;            /* for reductions and elementwise ops */
  int axis1;          /* reductions: axis + 1 (0: all) */
  GtShape to;         /* expand, sumto, reshape; views: the view's shape */
  GtView view;
  GtShape ys;         /* expected shape */
  const char *y;      /* expected elements: "p/q, ..." or "sqrt p/q"; NULL:
                         not checked here */
  int no_fd;          /* a kink: finite differences do not apply */
};

static int32_t b_stack(GtRec *r, const int32_t *in, const Case *c)
{ return gt_tensor_stack(r, in, (size_t)c->nin); }
static int32_t b_expand(GtRec *r, const int32_t *in, const Case *c)
{ return gt_tensor_expand(r, in[0], &c->to); }
static int32_t b_sumto(GtRec *r, const int32_t *in, const Case *c)
{ return gt_tensor_sumto(r, in[0], &c->to); }
static int32_t b_reduce(GtRec *r, const int32_t *in, const Case *c)
{ return gt_tensor_reduce(r, c->op, in[0], c->axis1); }
static int32_t b_matmul(GtRec *r, const int32_t *in, const Case *c)
{ (void)c; return gt_tensor_matmul(r, in[0], in[1]); }
static int32_t b_transpose(GtRec *r, const int32_t *in, const Case *c)
{ (void)c; return gt_tensor_transpose(r, in[0]); }
static int32_t b_reshape(GtRec *r, const int32_t *in, const Case *c)
{ return gt_tensor_reshape(r, in[0], &c->to); }
static int32_t b_norm(GtRec *r, const int32_t *in, const Case *c)
{ (void)c; return gt_tensor_norm(r, in[0]); }
static int32_t b_view(GtRec *r, const int32_t *in, const Case *c)
{ return gt_tensor_view(r, in[0], &c->view, &c->to); }
static int32_t b_setview(GtRec *r, const int32_t *in, const Case *c)
{ return gt_tensor_setview(r, in[0], in[1], &c->view, &c->to); }
static int32_t b_elem(GtRec *r, const int32_t *in, const Case *c)
{
  return gt_rec_op(r, c->op, in[0], c->nin > 1 ? in[1] : -1,
                   c->nin > 2 ? in[2] : -1);
}
/* where(a > 0, a, b) with a and b broadcast */
static int32_t b_where(GtRec *r, const int32_t *in, const Case *c)
{
  (void)c;
  int32_t cond = gt_rec_op(r, GT_OP_GT, in[0], gt_rec_const(r, 0, 1), -1);
  return gt_rec_op(r, GT_OP_WHERE, cond, in[0], in[1]);
}
/* x^3 with a constant integer exponent, on a tensor */
static int32_t b_cube(GtRec *r, const int32_t *in, const Case *c)
{
  (void)c;
  return gt_rec_op(r, GT_OP_POW, in[0], gt_rec_const(r, 3, 1), -1);
}
/* The adjoint of a view is a scatter: y = d/dx sum(view(x) * u) as a
   function of u, recorded (so y is SCATTER(u ...) and can be
   differentiated with respect to u). */
static int32_t b_scatter(GtRec *r, const int32_t *in, const Case *c)
{
  int32_t v = gt_tensor_view(r, in[0], &c->view, &c->to);
  int32_t l = gt_tensor_reduce(r, GT_OP_SUM, gt_rec_op(r, GT_OP_MUL, v, in[1],
                                                       -1), 0);
  int32_t g;
  gt_rev_record(r, l, &in[0], 1, &g);
  int found = 0;
  for (int32_t i = l + 1; i <= g; i++)
    found |= r->tape->nodes[i].op == GT_OP_SCATTER;
  if (!found) {
    fprintf(stderr, "FAIL %s: no SCATTER node in the recorded adjoint\n",
            c->what);
    failures++;
  }
  return g;
}

/* The recorded sweep's sparse indexing adjoint (issue 13 item 3):
   base + u at [2] + w at [0] + u at [2], as one ASSEMBLE node. */
static int32_t b_assemble(GtRec *r, const int32_t *in, const Case *c)
{
  GtView v2, v0;
  memset(&v2, 0, sizeof v2);
  memset(&v0, 0, sizeof v0);
  v2.offset = 2;
  uint32_t p2 = gt_tape_view(r->tape, &v2), p0 = gt_tape_view(r->tape, &v0);
  const int32_t ops[3] = { in[1], in[2], in[1] };
  const uint32_t params[3] = { p2, p0, p2 };
  return gt_tensor_assemble(r, &c->ys, in[0], ops, params, 3);
}

#define IN1(s, a) .nin = 1, .in = { s }, .x = { a }
#define IN2(s, a, t, b) .nin = 2, .in = { s, t }, .x = { a, b }
#define IN3(s, a, t, b, u, c) .nin = 3, .in = { s, t, u }, .x = { a, b, c }
#define VIEW(off, ...) .view = { .offset = off, .stride = { __VA_ARGS__ } }

static const Case cases[] = {
  /* STACK: rows of a matrix; scalars into a vector */
  { "stack 3 x (2,)", b_stack, IN3(S1(2), V2A, S1(2), V2B, S1(2), V2C),
    .ys = S2(3, 2), .y = "1, 2, 3, 4, 5, 6" },
  { "stack 3 scalars", b_stack, IN3(S0, SC, S0, SC2, S0, SC3),
    .ys = S1(3), .y = "3/2, -3/4, 9/4" },
  { "stack 2 x (2,3)", b_stack, IN2(S2(2, 3), M23, S2(2, 3), T232),
    .ys = S3(2, 2, 3), .y = "1, -2, 1/2, 3, 3/2, -3/4, 1, -2, 3, 1/2, -1, 4" },
  /* EXPAND: NumPy broadcasting */
  { "expand (3,) to (2,3)", b_expand, IN1(S1(3), V3), .to = S2(2, 3),
    .ys = S2(2, 3), .y = "1/2, -5/4, 2, 1/2, -5/4, 2" },
  { "expand (2,1) to (2,3)", b_expand, IN1(S2(2, 1), M21), .to = S2(2, 3),
    .ys = S2(2, 3), .y = "3/2, 3/2, 3/2, -2, -2, -2" },
  { "expand () to (2,2)", b_expand, IN1(S0, SC), .to = S2(2, 2),
    .ys = S2(2, 2), .y = "3/2, 3/2, 3/2, 3/2" },
  { "expand (3,) to (2,2,3)", b_expand, IN1(S1(3), V3), .to = S3(2, 2, 3),
    .ys = S3(2, 2, 3),
    .y = "1/2, -5/4, 2, 1/2, -5/4, 2, 1/2, -5/4, 2, 1/2, -5/4, 2" },
  { "expand (1,3) to (2,1,3)", b_expand, IN1(S2(1, 3), M13),
    .to = S3(2, 1, 3), .ys = S3(2, 1, 3), .y = "1, 1/2, -3, 1, 1/2, -3" },
  /* SUMTO: the transpose of broadcasting */
  { "sumto (2,3) to (3,)", b_sumto, IN1(S2(2, 3), M23), .to = S1(3),
    .ys = S1(3), .y = "4, -1/2, -1/4" },
  { "sumto (2,3) to (2,1)", b_sumto, IN1(S2(2, 3), M23), .to = S2(2, 1),
    .ys = S2(2, 1), .y = "-1/2, 15/4" },
  { "sumto (2,3) to ()", b_sumto, IN1(S2(2, 3), M23), .to = S0,
    .ys = S0, .y = "13/4" },
  { "sumto (2,3,2) to (2,1,2)", b_sumto, IN1(S3(2, 3, 2), T232),
    .to = S3(2, 1, 2), .ys = S3(2, 1, 2), .y = "3, 5/2, -1/2, 2" },
  { "sumto (2,3,2) to (2,)", b_sumto, IN1(S3(2, 3, 2), T232), .to = S1(2),
    .ys = S1(2), .y = "5/2, 9/2" },
  /* reductions over everything and over one axis */
  { "sum (2,3)", b_reduce, IN1(S2(2, 3), M23), .op = GT_OP_SUM,
    .ys = S0, .y = "13/4" },
  { "sum (3,)", b_reduce, IN1(S1(3), V3), .op = GT_OP_SUM, .ys = S0,
    .y = "5/4" },
  { "sum (2,3) axis 0", b_reduce, IN1(S2(2, 3), M23), .op = GT_OP_SUM,
    .axis1 = 1, .ys = S1(3), .y = "4, -1/2, -1/4" },
  { "sum (2,3) axis 1", b_reduce, IN1(S2(2, 3), M23), .op = GT_OP_SUM,
    .axis1 = 2, .ys = S1(2), .y = "-1/2, 15/4" },
  { "sum (2,3,2) axis 1", b_reduce, IN1(S3(2, 3, 2), T232), .op = GT_OP_SUM,
    .axis1 = 2, .ys = S2(2, 2), .y = "3, 5/2, -1/2, 2" },
  { "mean (2,3)", b_reduce, IN1(S2(2, 3), M23), .op = GT_OP_MEAN,
    .ys = S0, .y = "13/24" },
  { "mean (2,3) axis 1", b_reduce, IN1(S2(2, 3), M23), .op = GT_OP_MEAN,
    .axis1 = 2, .ys = S1(2), .y = "-1/6, 5/4" },
  { "mean (2,3,2) axis 2", b_reduce, IN1(S3(2, 3, 2), T232),
    .op = GT_OP_MEAN, .axis1 = 3, .ys = S2(2, 3),
    .y = "-1/2, 7/4, 3/2, 13/8, -1, 1/8" },
  { "prod (3,)", b_reduce, IN1(S1(3), V3), .op = GT_OP_PROD, .ys = S0,
    .y = "-5/4" },
  { "prod (2,3) axis 1", b_reduce, IN1(S2(2, 3), M23), .op = GT_OP_PROD,
    .axis1 = 2, .ys = S1(2), .y = "-1, -27/8" },
  { "prod (2,3,2) axis 0", b_reduce, IN1(S3(2, 3, 2), T232),
    .op = GT_OP_PROD, .axis1 = 1, .ys = S2(3, 2),
    .y = "2, -5/2, -9, 1/2, -1/2, -1" },
  { "reduce_max (2,3)", b_reduce, IN1(S2(2, 3), M23), .op = GT_OP_RMAX,
    .ys = S0, .y = "3" },
  { "reduce_max (2,3) axis 0", b_reduce, IN1(S2(2, 3), M23),
    .op = GT_OP_RMAX, .axis1 = 1, .ys = S1(3), .y = "3, 3/2, 1/2" },
  { "reduce_max (2,3,2) axis 1", b_reduce, IN1(S3(2, 3, 2), T232),
    .op = GT_OP_RMAX, .axis1 = 2, .ys = S2(2, 2), .y = "3, 4, 2, 5/4" },
  { "reduce_min (2,3) axis 1", b_reduce, IN1(S2(2, 3), M23),
    .op = GT_OP_RMIN, .axis1 = 2, .ys = S1(2), .y = "-2, -3/4" },
  { "reduce_min (2,3,2) axis 2", b_reduce, IN1(S3(2, 3, 2), T232),
    .op = GT_OP_RMIN, .axis1 = 3, .ys = S2(2, 3),
    .y = "-2, 1/2, -1, 5/4, -3, -1/4" },
  { "reduce_min (3,)", b_reduce, IN1(S1(3), V3), .op = GT_OP_RMIN,
    .ys = S0, .y = "-5/4" },
  /* MATMUL: the four NumPy cases */
  { "matmul (2,3) @ (3,2)", b_matmul, IN2(S2(2, 3), M23, S2(3, 2), M32),
    .ys = S2(2, 2), .y = "5/4, -13/2, 27/4, 3/4" },
  { "matmul (3,) @ (3,2)", b_matmul, IN2(S1(3), V3, S2(3, 2), M32),
    .ys = S1(2), .y = "-5/16, -9/4" },
  { "matmul (2,3) @ (3,)", b_matmul, IN2(S2(2, 3), M23, S1(3), V3),
    .ys = S1(2), .y = "4, -15/8" },
  { "matmul (3,) @ (3,)", b_matmul, IN2(S1(3), V3, S1(3), V3B), .ys = S0,
    .y = "-31/8" },
  /* TRANSPOSE: axes reversed */
  { "transpose (2,3)", b_transpose, IN1(S2(2, 3), M23), .ys = S2(3, 2),
    .y = "1, 3, -2, 3/2, 1/2, -3/4" },
  { "transpose (2,3,2)", b_transpose, IN1(S3(2, 3, 2), T232),
    .ys = S3(2, 3, 2), .y = "1, 2, 3, -3, -1, 1/2, -2, 5/4, 1/2, 1, 4, -1/4" },
  /* RESHAPE */
  { "reshape (2,3) to (3,2)", b_reshape, IN1(S2(2, 3), M23), .to = S2(3, 2),
    .ys = S2(3, 2), .y = "1, -2, 1/2, 3, 3/2, -3/4" },
  { "reshape (6,) to (2,3)", b_reshape, IN1(S1(6), V6), .to = S2(2, 3),
    .ys = S2(2, 3), .y = "1/2, 1, -3/2, 2, 5/2, -3" },
  { "reshape (2,3,2) to (4,3)", b_reshape, IN1(S3(2, 3, 2), T232),
    .to = S2(4, 3), .ys = S2(4, 3),
    .y = "1, -2, 3, 1/2, -1, 4, 2, 5/4, -3, 1, 1/2, -1/4" },
  /* NORM */
  { "norm (3,)", b_norm, IN1(S1(3), V3), .ys = S0, .y = "sqrt 93/16" },
  { "norm (2,3)", b_norm, IN1(S2(2, 3), M23), .ys = S0, .y = "sqrt 273/16" },
  { "norm ()", b_norm, IN1(S0, SC2), .ys = S0, .y = "3/4" },
  /* VIEW: x[-1], x[::-1], x[:, 1], x[1:, ::-2], x[:, 1, ::-1] */
  { "view (3,)[-1]", b_view, IN1(S1(3), V3), .to = S0, VIEW(2, 0),
    .ys = S0, .y = "2" },
  { "view (3,)[::-1]", b_view, IN1(S1(3), V3), .to = S1(3), VIEW(2, -1),
    .ys = S1(3), .y = "2, -5/4, 1/2" },
  { "view (2,3)[:, 1]", b_view, IN1(S2(2, 3), M23), .to = S1(2),
    VIEW(1, 3), .ys = S1(2), .y = "-2, 3/2" },
  { "view (3,4)[1:, ::-2]", b_view, IN1(S2(3, 4), M34), .to = S2(2, 2),
    VIEW(7, 4, -2), .ys = S2(2, 2), .y = "8, 6, 12, 10" },
  { "view (2,3,2)[:, 1, ::-1]", b_view, IN1(S3(2, 3, 2), T232),
    .to = S2(2, 2), VIEW(3, 6, -1), .ys = S2(2, 2), .y = "1/2, 3, 1, -3" },
  /* SETVIEW: x[view] = b (b broadcast to the view) */
  { "setview (2,3)[:, 1] = (2,)", b_setview,
    IN2(S2(2, 3), M23, S1(2), SV2), .to = S1(2), VIEW(1, 3),
    .ys = S2(2, 3), .y = "1, 1/2, 1/2, 3, -3, -3/4" },
  { "setview (3,)[::-1] = (3,)", b_setview, IN2(S1(3), V3, S1(3), V3B),
    .to = S1(3), VIEW(2, -1), .ys = S1(3), .y = "-3/2, 1, 3/4" },
  { "setview (2,3)[1, ::-2] = ()", b_setview, IN2(S2(2, 3), M23, S0, SC3),
    .to = S1(2), VIEW(5, -2), .ys = S2(2, 3),
    .y = "1, -2, 1/2, 9/4, 3/2, 9/4" },
  { "setview (3,4)[1:, ::-2] = (2,)", b_setview,
    IN2(S2(3, 4), M34, S1(2), SV2), .to = S2(2, 2), VIEW(7, 4, -2),
    .ys = S2(3, 4), .y = "1, 2, 3, 4, 5, -3, 7, 1/2, 9, -3, 11, 1/2" },
  /* SCATTER: the adjoint of x[1:, ::-2] as a function of u */
  { "scatter (2,2) into (3,4)", b_scatter,
    IN2(S2(3, 4), M34, S2(2, 2), M32), .to = S2(2, 2), VIEW(7, 4, -2),
    .ys = S2(3, 4), .y = "0, 0, 0, 0, 0, -1, 0, 2, 0, 3, 0, 1/4" },
  { "scatter () into (3,)", b_scatter, IN2(S1(3), V3, S0, SC), .to = S0,
    VIEW(2, 0), .ys = S1(3), .y = "0, 0, 3/2" },
  { "assemble (3,) + () at [2], () at [0], () at [2]", b_assemble,
    IN3(S1(3), V3, S0, SC, S0, SC3), .ys = S1(3), .y = "11/4, -5/4, 5" },
  /* elementwise ops on broadcast operands */
  { "add (2,3) + (3,)", b_elem, IN2(S2(2, 3), M23, S1(3), V3),
    .op = GT_OP_ADD, .ys = S2(2, 3), .y = "3/2, -13/4, 5/2, 7/2, 1/4, 5/4" },
  { "mul (2,1) * (1,3)", b_elem, IN2(S2(2, 1), M21, S2(1, 3), M13),
    .op = GT_OP_MUL, .ys = S2(2, 3), .y = "3/2, 3/4, -9/2, -2, -1, 6" },
  { "sub () - (2,3)", b_elem, IN2(S0, SC, S2(2, 3), M23), .op = GT_OP_SUB,
    .ys = S2(2, 3), .y = "1/2, 7/2, 1, -3/2, 0, 9/4" },
  { "div (2,3) / ()", b_elem, IN2(S2(2, 3), M23, S0, SC), .op = GT_OP_DIV,
    .ys = S2(2, 3), .y = "2/3, -4/3, 1/3, 2, 1, -1/2" },
  { "atan2 (2,1), (3,)", b_elem, IN2(S2(2, 1), M21, S1(3), V3),
    .op = GT_OP_ATAN2, .ys = S2(2, 3), .y = NULL },
  { "hypot (2,3,2), (3,1)", b_elem, IN2(S3(2, 3, 2), T232, S2(3, 1), V3),
    .op = GT_OP_HYPOT, .ys = S3(2, 3, 2), .y = NULL },
  { "max (2,3), (3,)", b_elem, IN2(S2(2, 3), M23, S1(3), V3B),
    .op = GT_OP_MAX, .ys = S2(2, 3), .y = "1, 1, 1/2, 3, 3/2, -3/4" },
  { "where (2,3) > 0, (2,3), ()", b_where, IN2(S2(2, 3), M23, S0, SC),
    .ys = S2(2, 3), .y = "1, 3/2, 1/2, 3, 3/2, 3/2" },
  { "(3,)^3", b_cube, IN1(S1(3), V3), .ys = S1(3),
    .y = "1/8, -125/64, 8" },
};

/* ---- checks ---- */

static void
fail_case(const Case *c, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "FAIL %s: ", c->what);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  failures++;
}

static int
same_shape(const GtShape *a, const GtShape *b)
{
  if (a->rank != b->rank || a->size != b->size)
    return 0;
  for (int d = 0; d < a->rank; d++)
    if (a->dim[d] != b->dim[d])
      return 0;
  return 1;
}

/* |got - want| <= 2^-bits * max(1, |want|) */
static int
close_to(mpfr_srcptr got, mpfr_srcptr want, int bits)
{
  if (mpfr_nan_p(got) || mpfr_nan_p(want))
    return mpfr_nan_p(got) && mpfr_nan_p(want);
  mpfr_t d, m;
  mpfr_inits2(FD_PREC + 64, d, m, (mpfr_ptr)0);
  mpfr_sub(d, got, want, MPFR_RNDN);
  mpfr_abs(d, d, MPFR_RNDN);
  mpfr_abs(m, want, MPFR_RNDN);
  if (mpfr_cmp_ui(m, 1) < 0)
    mpfr_set_ui(m, 1, MPFR_RNDN);
  mpfr_mul_2si(m, m, -bits, MPFR_RNDN);
  int ok = mpfr_lessequal_p(d, m);
  mpfr_clears(d, m, (mpfr_ptr)0);
  return ok;
}

/* Element k of a "p/q, ..." list, or "sqrt p/q", at FD_PREC. */
static void
expected(mpfr_ptr v, const char *list, size_t k)
{
  int sq = strncmp(list, "sqrt ", 5) == 0;
  const char *p = sq ? list + 5 : list;
  for (size_t j = 0; j < k; j++) {
    p = strchr(p, ',');
    assert_non_null(p);
    p++;
  }
  long num, den = 1;
  char *end;
  num = strtol(p, &end, 10);
  if (*end == '/')
    den = strtol(end + 1, &end, 10);
  mpfr_set_si(v, num, MPFR_RNDN);
  mpfr_div_si(v, v, den, MPFR_RNDN);
  if (sq)
    mpfr_sqrt(v, v, MPFR_RNDN);
}

/* Builds the case at prec on fx; returns y (the op) and sets *l to
   L = sum(y * w); input j of operand dk is moved by dsign h. */
static int32_t
build_case(Fixture *fx, const Case *c, int32_t *in, int32_t *l, int dk,
           long dj, int dsign)
{
  for (int k = 0; k < c->nin; k++)
    in[k] = input(fx, &c->in[k], c->x[k], k == dk ? dj : -1, dsign);
  int32_t y = c->build(&fx->rec, in, c);
  GtShape ys = *gt_node_shape(&fx->tape, y);
  int32_t w = weights(fx, &ys);
  *l = gt_tensor_reduce(&fx->rec, GT_OP_SUM,
                        gt_rec_op(&fx->rec, GT_OP_MUL, y, w, -1), 0);
  return y;
}

/* L at FD_PREC with operand dk's element dj moved by dsign h. */
static void
eval_l(const Case *c, int dk, long dj, int dsign, mpfr_ptr out)
{
  Fixture fx;
  int32_t in[3], l;
  fixture_init(&fx, FD_PREC);
  if (setjmp(fx.fail)) {
    fail_case(c, "recording at %d bits failed", FD_PREC);
    mpfr_set_nan(out);
    fixture_free(&fx);
    return;
  }
  build_case(&fx, c, in, &l, dk, dj, dsign);
  mpfr_set(out, fx.tape.nodes[l].v, MPFR_RNDN);
  fixture_free(&fx);
}

static mpfr_ptr
numbers(size_t n, mpfr_prec_t prec)
{
  mpfr_ptr a = malloc((n ? n : 1) * sizeof *a);
  assert_non_null(a);
  for (size_t k = 0; k < n; k++)
    mpfr_init2(&a[k], prec);
  return a;
}

static void
numbers_free(mpfr_ptr a, size_t n)
{
  for (size_t k = 0; k < n; k++)
    mpfr_clear(&a[k]);
  free(a);
}

static void
check_case(const Case *c)
{
  Fixture fx;
  int32_t in[3], l, y, rres[3];
  mpfr_ptr res[3] = { NULL, NULL, NULL };
  int conn[3];
  int32_t nan_node;
  mpfr_t want, fd, lp, lm;

  mpfr_inits2(FD_PREC, want, fd, lp, lm, (mpfr_ptr)0);
  fixture_init(&fx, PREC);
  if (setjmp(fx.fail)) {
    fail_case(c, "recording failed: %s", fx.diags.n
              ? fx.diags.items[fx.diags.n - 1].message : "?");
    goto done;
  }
  y = build_case(&fx, c, in, &l, -1, -1, 0);

  /* (a) the forward value */
  const GtShape *ys = gt_node_shape(&fx.tape, y);
  if (!same_shape(ys, &c->ys)) {
    char x[128], z[128];
    fail_case(c, "shape %s, expected %s", gt_shape_str(ys, x, sizeof x),
              gt_shape_str(&c->ys, z, sizeof z));
    goto done;
  }
  for (size_t k = 0; c->y && k < ys->size; k++) {
    expected(want, c->y, k);
    if (!close_to(&fx.tape.nodes[y].v[k], want, PREC - 2))
      mpfr_fprintf(stderr, "FAIL %s: element %zu is %.40Rg, expected "
                   "%.40Rg\n", c->what, k, &fx.tape.nodes[y].v[k], want),
          failures++;
  }

  /* (b) the numeric sweep against finite differences */
  for (int k = 0; k < c->nin; k++)
    res[k] = numbers(c->in[k].size, PREC);
  int rc = gt_rev_sweep(&fx.tape, l, in, (size_t)c->nin, res, conn,
                        &nan_node);
  if (rc != GT_OK || nan_node != -1) {
    fail_case(c, "numeric sweep: status %d, NaN at node %d", rc,
              (int)nan_node);
    goto done;
  }
  for (int k = 0; k < c->nin && !c->no_fd; k++)
    for (size_t j = 0; j < c->in[k].size; j++) {
      eval_l(c, k, (long)j, 1, lp);
      eval_l(c, k, (long)j, -1, lm);
      mpfr_sub(fd, lp, lm, MPFR_RNDN);
      mpfr_mul_2si(fd, fd, FD_LOG2H - 1, MPFR_RNDN);
      /* h^2 f''' / 6 ~ 2^-200: 180 bits is a safe margin */
      if (!close_to(&res[k][j], fd, 180))
        mpfr_fprintf(stderr, "FAIL %s: dL/d(operand %d)[%zu] is %.40Rg, "
                     "finite difference %.40Rg\n", c->what, k, j,
                     &res[k][j], fd),
            failures++;
    }

  /* (c) the recorded sweep gives the same numbers */
  gt_rev_record(&fx.rec, l, in, (size_t)c->nin, rres);
  for (int k = 0; k < c->nin; k++) {
    const GtShape *gs = gt_node_shape(&fx.tape, rres[k]);
    if (!same_shape(gs, &c->in[k])) {
      fail_case(c, "recorded d/d(operand %d) has the wrong shape", k);
      continue;
    }
    for (size_t j = 0; j < c->in[k].size; j++)
      if (!close_to(&fx.tape.nodes[rres[k]].v[j], &res[k][j], PREC - 4))
        mpfr_fprintf(stderr, "FAIL %s: recorded dL/d(operand %d)[%zu] is "
                     "%.40Rg, numeric %.40Rg\n", c->what, k, j,
                     &fx.tape.nodes[rres[k]].v[j], &res[k][j]),
            failures++;
  }
done:
  for (int k = 0; k < c->nin; k++)
    if (res[k])
      numbers_free(res[k], c->in[k].size);
  fixture_free(&fx);
  mpfr_clears(want, fd, lp, lm, (mpfr_ptr)0);
}

/* Counts the ops case c records (on a scratch tape) into seen[]. */
static void
count_ops(const Case *c, int *seen)
{
  Fixture fx;
  int32_t in[3], l;
  fixture_init(&fx, PREC);
  if (!setjmp(fx.fail)) {
    build_case(&fx, c, in, &l, -1, -1, 0);
    for (size_t j = 0; j < fx.tape.n; j++)
      seen[fx.tape.nodes[j].op]++;
  }
  fixture_free(&fx);
}

static void
test_every_tensor_op(void **state)
{
  (void)state;
  int seen[GT_OP_COUNT] = { 0 };
  failures = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    check_case(&cases[i]);
    count_ops(&cases[i], seen);
  }
  /* every tensor operation has a case */
  for (int op = 0; op < GT_OP_COUNT; op++)
    if (gt_is_tensor_op((GtOp)op) && !seen[op]) {
      fprintf(stderr, "FAIL tensor op %d has no case in test_tensor.c\n", op);
      failures++;
    }
  assert_int_equal(failures, 0);
}

/* ---- second derivatives by nested recorded sweeps ---- */

/* H[i][j] = d/dx_j (dL/dx_i), recorded twice: row i is the recorded
   gradient of the view g[i]. */
static void
hessian(Fixture *fx, int32_t l, int32_t x, size_t n, mpfr_ptr h)
{
  int32_t g;
  gt_rev_record(&fx->rec, l, &x, 1, &g);
  GtShape one = S0;
  for (size_t i = 0; i < n; i++) {
    GtView v;
    memset(&v, 0, sizeof v);
    v.offset = i;
    int32_t gi = gt_tensor_view(&fx->rec, g, &v, &one);
    int32_t row;
    gt_rev_record(&fx->rec, gi, &x, 1, &row);
    for (size_t j = 0; j < n; j++)
      mpfr_set(&h[i * n + j], &fx->tape.nodes[row].v[j], MPFR_RNDN);
  }
}

static void
check_hessian(const char *what, mpfr_srcptr h, mpfr_srcptr want, size_t n)
{
  for (size_t k = 0; k < n * n; k++)
    if (!close_to(&h[k], &want[k], PREC - 8)) {
      mpfr_fprintf(stderr, "FAIL hessian of %s: [%zu][%zu] is %.40Rg, "
                   "expected %.40Rg\n", what, k / n, k % n, &h[k], &want[k]);
      failures++;
    }
}

static void
test_second_derivatives(void **state)
{
  (void)state;
  Fixture fx;
  GtShape s3 = S1(3);
  mpfr_ptr h = numbers(9, PREC), want = numbers(9, FD_PREC);
  failures = 0;

  /* sum(x^3): diag(6 x) */
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  int32_t x = input(&fx, &s3, V3, -1, 0);
  int32_t l = gt_tensor_reduce(&fx.rec, GT_OP_SUM, b_cube(&fx.rec, &x, NULL),
                               0);
  hessian(&fx, l, x, 3, h);
  for (size_t k = 0; k < 9; k++)
    mpfr_set_d(&want[k], k % 4 == 0 ? 6 * V3[k / 4] : 0, MPFR_RNDN);
  check_hessian("sum(x^3)", h, want, 3);
  fixture_free(&fx);

  /* prod(x): H[i][j] = prod / (x_i x_j) off the diagonal, 0 on it */
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  x = input(&fx, &s3, V3, -1, 0);
  l = gt_tensor_reduce(&fx.rec, GT_OP_PROD, x, 0);
  hessian(&fx, l, x, 3, h);
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++)
      mpfr_set_d(&want[i * 3 + j], i == j ? 0 : V3[3 - i - j], MPFR_RNDN);
  check_hessian("prod(x)", h, want, 3);
  fixture_free(&fx);

  /* norm(x): (I - u u^T) / |x| with u = x / |x|; |x|^2 = 93/16 */
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  x = input(&fx, &s3, V3, -1, 0);
  l = gt_tensor_norm(&fx.rec, x);
  hessian(&fx, l, x, 3, h);
  {
    mpfr_t n2, n;
    mpfr_inits2(FD_PREC, n2, n, (mpfr_ptr)0);
    mpfr_set_ui(n2, 93, MPFR_RNDN);
    mpfr_div_ui(n2, n2, 16, MPFR_RNDN);
    mpfr_sqrt(n, n2, MPFR_RNDN);
    for (size_t i = 0; i < 3; i++)
      for (size_t j = 0; j < 3; j++) {
        mpfr_ptr w = &want[i * 3 + j];
        mpfr_set_d(w, -V3[i] * V3[j], MPFR_RNDN);
        mpfr_div(w, w, n2, MPFR_RNDN);
        if (i == j)
          mpfr_add_ui(w, w, 1, MPFR_RNDN);
        mpfr_div(w, w, n, MPFR_RNDN);
      }
    mpfr_clears(n2, n, (mpfr_ptr)0);
  }
  check_hessian("norm(x)", h, want, 3);
  fixture_free(&fx);

  /* sum((A @ x)^2) with A (2,3): 2 A^T A */
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  GtShape s23 = S2(2, 3);
  x = input(&fx, &s3, V3, -1, 0);
  int32_t a = gt_rec_zeros(&fx.rec, &s23);
  for (size_t k = 0; k < 6; k++)
    mpfr_set_d(&fx.tape.nodes[a].v[k], M23[k], MPFR_RNDN);
  int32_t ax = gt_tensor_matmul(&fx.rec, a, x);
  l = gt_tensor_reduce(&fx.rec, GT_OP_SUM,
                       gt_rec_op(&fx.rec, GT_OP_MUL, ax, ax, -1), 0);
  hessian(&fx, l, x, 3, h);
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++)
      mpfr_set_d(&want[i * 3 + j],
                 2 * (M23[i] * M23[j] + M23[3 + i] * M23[3 + j]), MPFR_RNDN);
  check_hessian("sum((A @ x)^2)", h, want, 3);
  fixture_free(&fx);

  /* sum(x[::-1] * x) through a view with a negative step, broadcast
     against a scalar: L = s * sum(x_i x_{2-i}); H = s (J + J^T) with J the
     anti-diagonal */
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  x = input(&fx, &s3, V3, -1, 0);
  GtShape s0 = S0;
  int32_t sc = input(&fx, &s0, SC, -1, 0);
  GtView rv = { .offset = 2, .stride = { -1 } };
  int32_t xr = gt_tensor_view(&fx.rec, x, &rv, &s3);
  int32_t p = gt_rec_op(&fx.rec, GT_OP_MUL, gt_rec_op(&fx.rec, GT_OP_MUL, xr,
                                                      x, -1), sc, -1);
  l = gt_tensor_reduce(&fx.rec, GT_OP_SUM, p, 0);
  hessian(&fx, l, x, 3, h);
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++)
      mpfr_set_d(&want[i * 3 + j], i + j == 2 ? 2 * SC[0] : 0, MPFR_RNDN);
  check_hessian("s * sum(x[::-1] * x)", h, want, 3);
  fixture_free(&fx);

  numbers_free(h, 9);
  numbers_free(want, 9);
  assert_int_equal(failures, 0);
}

/* ---- conventions at kinks and exact zeros ---- */

/* Both sweeps of node l with respect to x (size n); recorded results as
   numbers in rec. */
static void
both_sweeps(Fixture *fx, int32_t l, int32_t x, size_t n, mpfr_ptr num,
            mpfr_ptr rec)
{
  int conn;
  int32_t nan_node, g;
  assert_int_equal(gt_rev_sweep(&fx->tape, l, &x, 1, &num, &conn, &nan_node),
                   GT_OK);
  gt_rev_record(&fx->rec, l, &x, 1, &g);
  for (size_t j = 0; j < n; j++)
    mpfr_set(&rec[j], &fx->tape.nodes[g].v[j], MPFR_RNDN);
}

static void
assert_values(mpfr_srcptr got, const double *want, size_t n)
{
  for (size_t j = 0; j < n; j++)
    if (mpfr_cmp_d(&got[j], want[j]) != 0) {
      mpfr_fprintf(stderr, "element %zu: got %.40Rg, want %g\n", j, &got[j],
                   want[j]);
      fail();
    }
}

static void
test_extreme_ties(void **state)
{
  (void)state;
  Fixture fx;
  mpfr_ptr num = numbers(6, PREC), rec = numbers(6, PREC);
  /* reduce_max of [1, 3, 3]: the two 3s share the derivative */
  static const double x1[] = { 1, 3, 3 }, d1[] = { 0, 0.5, 0.5 };
  GtShape s3 = S1(3);
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  int32_t x = input(&fx, &s3, x1, -1, 0);
  int32_t l = gt_tensor_reduce(&fx.rec, GT_OP_RMAX, x, 0);
  both_sweeps(&fx, l, x, 3, num, rec);
  assert_values(num, d1, 3);
  assert_values(rec, d1, 3);
  fixture_free(&fx);

  /* reduce_min over axis 1 of [[2, 2, 2], [0, 5, 0]]: thirds and halves */
  static const double x2[] = { 2, 2, 2, 0, 5, 0 };
  GtShape s23 = S2(2, 3);
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  x = input(&fx, &s23, x2, -1, 0);
  l = gt_tensor_reduce(&fx.rec, GT_OP_SUM,
                       gt_tensor_reduce(&fx.rec, GT_OP_RMIN, x, 2), 0);
  both_sweeps(&fx, l, x, 6, num, rec);
  mpfr_t third;
  mpfr_init2(third, PREC);
  mpfr_set_ui(third, 1, MPFR_RNDN);
  mpfr_div_ui(third, third, 3, MPFR_RNDN);
  for (size_t j = 0; j < 3; j++) {
    assert_true(mpfr_equal_p(&num[j], third));
    assert_true(mpfr_equal_p(&rec[j], third));
  }
  mpfr_clear(third);
  static const double d2[] = { 0.5, 0, 0.5 };
  assert_values(num + 3, d2, 3);
  assert_values(rec + 3, d2, 3);
  fixture_free(&fx);

  numbers_free(num, 6);
  numbers_free(rec, 6);
}

static void
test_norm_at_zero(void **state)
{
  (void)state;
  Fixture fx;
  mpfr_ptr num = numbers(3, PREC), rec = numbers(3, PREC);
  static const double z[] = { 0, 0, 0 }, dz[] = { 0, 0, 0 };
  GtShape s3 = S1(3);
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  int32_t x = input(&fx, &s3, z, -1, 0);
  int32_t l = gt_tensor_norm(&fx.rec, x);
  assert_true(mpfr_zero_p(fx.tape.nodes[l].v));
  both_sweeps(&fx, l, x, 3, num, rec);
  assert_values(num, dz, 3); /* the convention: 0 at the kink */
  assert_values(rec, dz, 3);
  fixture_free(&fx);
  numbers_free(num, 3);
  numbers_free(rec, 3);
}

static void
test_prod_with_zero(void **state)
{
  (void)state;
  Fixture fx;
  mpfr_ptr num = numbers(3, PREC), rec = numbers(3, PREC);
  static const double x0[] = { 2, 0, 3 }, d[] = { 0, 6, 0 };
  GtShape s3 = S1(3);
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  int32_t x = input(&fx, &s3, x0, -1, 0);
  int32_t l = gt_tensor_reduce(&fx.rec, GT_OP_PROD, x, 0);
  both_sweeps(&fx, l, x, 3, num, rec);
  /* the numeric rule multiplies the other elements: exact */
  assert_values(num, d, 3);
  /* the recorded rule takes the product of the others too when an
     element is 0 (g y / a would be 0/0 there) */
  assert_values(rec, d, 3);
  fixture_free(&fx);
  numbers_free(num, 3);
  numbers_free(rec, 3);
}

/* issue 10.19: along an axis too, and its derivative (the Hessian of a
   lane's product: the product of the two others) */
static void
test_prod_axis_with_zero(void **state)
{
  (void)state;
  Fixture fx;
  mpfr_ptr num = numbers(6, PREC), rec = numbers(6, PREC);
  /* the sum of the row products of [[2, 0, 3], [0, 4, 5]]: d/dx is the
     product of the row's other elements */
  static const double x0[] = { 2, 0, 3, 0, 4, 5 },
                      d[] = { 0, 6, 0, 20, 0, 0 };
  GtShape s23 = S2(2, 3);
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  int32_t x = input(&fx, &s23, x0, -1, 0);
  int32_t p = gt_tensor_reduce(&fx.rec, GT_OP_PROD, x, 2);
  int32_t l = gt_tensor_reduce(&fx.rec, GT_OP_SUM, p, 0);
  both_sweeps(&fx, l, x, 6, num, rec);
  assert_values(num, d, 6);
  assert_values(rec, d, 6);
  /* again: the sum of the Hessian's rows, x02 + x01, x00 + x02, ... */
  int32_t g;
  gt_rev_record(&fx.rec, l, &x, 1, &g);
  int32_t sg = gt_tensor_reduce(&fx.rec, GT_OP_SUM, g, 0);
  static const double d2[] = { 3, 5, 2, 9, 5, 4 };
  both_sweeps(&fx, sg, x, 6, num, rec);
  assert_values(num, d2, 6);
  assert_values(rec, d2, 6);
  fixture_free(&fx);
  numbers_free(num, 6);
  numbers_free(rec, 6);
}

/* issue 10.6b: the product along an empty axis is 1 (as NumPy's) */
static void
test_prod_empty_axis(void **state)
{
  (void)state;
  Fixture fx;
  GtShape s03 = S2(0, 3);
  fixture_init(&fx, PREC);
  assert_int_equal(setjmp(fx.fail), 0);
  int32_t x = input(&fx, &s03, NULL, -1, 0);
  int32_t p = gt_tensor_reduce(&fx.rec, GT_OP_PROD, x, 1);
  int32_t q = gt_tensor_reduce(&fx.rec, GT_OP_SUM, x, 1);
  static const double ones[] = { 1, 1, 1 }, zeros[] = { 0, 0, 0 };
  assert_int_equal(gt_node_size(&fx.tape, p), 3);
  assert_values(fx.tape.nodes[p].v, ones, 3);
  assert_values(fx.tape.nodes[q].v, zeros, 3);
  fixture_free(&fx);
}

/* issue 10.6b: norm scales as hypot does; the squares of 3e-200000000
   underflow and those of 3e200000000 overflow at MPFR's exponent range */
static void
norm_scaled_at(long e)
{
  {
    Fixture fx;
    mpfr_ptr num = numbers(2, PREC), rec = numbers(2, PREC);
    static const double x0[] = { 3, 4 };
    GtShape s2 = S1(2);
    fixture_init(&fx, PREC);
    assert_int_equal(setjmp(fx.fail), 0);
    int32_t x = input(&fx, &s2, x0, -1, 0);
    /* 3 * 2^e, 4 * 2^e: exact, so the derivative is exactly 0.6, 0.8
       (to the rounding of those) and the norm 5 * 2^e */
    for (int k = 0; k < 2; k++)
      mpfr_mul_2si(&fx.tape.nodes[x].v[k], &fx.tape.nodes[x].v[k], e,
                   MPFR_RNDN);
    int32_t l = gt_tensor_norm(&fx.rec, x);
    mpfr_t want;
    mpfr_init2(want, PREC);
    mpfr_set_ui_2exp(want, 5, e, MPFR_RNDN);
    assert_true(mpfr_equal_p(fx.tape.nodes[l].v, want));
    mpfr_clear(want);
    both_sweeps(&fx, l, x, 2, num, rec);
    /* 3/5 and 4/5 to a few ulps */
    mpfr_t q, err;
    mpfr_inits2(PREC, q, err, (mpfr_ptr)0);
    for (int k = 0; k < 2; k++) {
      mpfr_set_ui(q, k ? 4 : 3, MPFR_RNDN);
      mpfr_div_ui(q, q, 5, MPFR_RNDN);
      for (int which = 0; which < 2; which++) {
        mpfr_sub(err, which ? &rec[k] : &num[k], q, MPFR_RNDN);
        mpfr_abs(err, err, MPFR_RNDN);
        assert_true(mpfr_cmp_ui_2exp(err, 1, -(PREC - 3)) <= 0);
      }
    }
    mpfr_clears(q, err, (mpfr_ptr)0);
    fixture_free(&fx);
    numbers_free(num, 2);
    numbers_free(rec, 2);
  }
}

static void
test_norm_scaled(void **state)
{
  (void)state;
  norm_scaled_at(1000000000L);
  norm_scaled_at(-1000000000L);
}

/* ---- through the language: reshape with -1, views and updates with
   negative steps ---- */

static GtSession *
run_program(const char *text)
{
  GtOptions opt;
  gt_options_init(&opt);
  GtSession *s = gt_session_new(&opt);
  assert_non_null(s);
  assert_int_equal(gt_session_load(s, "<test>", text, strlen(text)), GT_OK);
  assert_int_equal(gt_session_run(s), GT_OK);
  return s;
}

static void
assert_output(GtSession *s, size_t i, int rank, const size_t *dims,
              const double *want)
{
  GtValue v = gt_session_output_value(s, i);
  assert_int_equal(v.rank, rank);
  for (int d = 0; d < rank; d++)
    assert_int_equal(v.dims[d], dims[d]);
  assert_values(v.elems, want, v.size);
}

static void
test_language_views(void **state)
{
  (void)state;
  GtSession *s = run_program(
      "x = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]\n"
      "a = reshape(x, -1, 6)\n"          /* (2, 6) */
      "b = reshape(x, 2, -1, 2)\n"       /* (2, 3, 2) */
      "c = x[::-1, ::-2]\n"              /* rows 2, 1, 0; cols 3, 1 */
      "d = x[-1, -3:]\n"
      "f = x\n"
      "f[::-2, 1] = [-1, -2]\n"          /* rows 2 and 0 */
      "g = x[2:0:-1, 3]\n"
      "output a, b, c, d, f, g\n");
  static const size_t da[] = { 2, 6 }, db[] = { 2, 3, 2 }, dc[] = { 3, 2 },
                      dd[] = { 3 }, df[] = { 3, 4 }, dg[] = { 2 };
  static const double va[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 },
                      vc[] = { 12, 10, 8, 6, 4, 2 }, vd[] = { 10, 11, 12 },
                      vf[] = { 1, -2, 3, 4, 5, 6, 7, 8, 9, -1, 11, 12 },
                      vg[] = { 12, 8 };
  assert_output(s, 0, 2, da, va);
  assert_output(s, 1, 3, db, va);
  assert_output(s, 2, 2, dc, vc);
  assert_output(s, 3, 1, dd, vd);
  assert_output(s, 4, 2, df, vf);
  assert_output(s, 5, 1, dg, vg);
  gt_session_free(s);

  /* derivatives through an update with a negative step: y = sum(f * w)
     where f is x with f[::-2] replaced by 10 x[:2] */
  s = run_program("input x = [1, 2, 3]\n"
                  "f = x\n"
                  "f[::-2] = 10 * x[:2]\n"     /* f = [10 x1, x1, 10 x0] */
                  "y = sum(f * [1, 2, 3])\n"
                  "output y\n");
  const GtDeriv *dv;
  size_t nd;
  assert_int_equal(gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &dv, &nd),
                   GT_OK);
  assert_int_equal(nd, 1);
  /* y = 10 x1 + 2 x1 + 30 x0: dy/dx = [30, 12, 0] */
  static const double dy[] = { 30, 12, 0 };
  assert_int_equal(dv[0].value.size, 3);
  assert_values(dv[0].value.elems, dy, 3);
  GtValue y = gt_session_output_value(s, 0);
  assert_true(mpfr_cmp_ui(y.elems, 54) == 0);
  gt_session_free(s);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_tensor_op),
    cmocka_unit_test(test_second_derivatives),
    cmocka_unit_test(test_extreme_ties),
    cmocka_unit_test(test_norm_at_zero),
    cmocka_unit_test(test_prod_with_zero),
    cmocka_unit_test(test_prod_axis_with_zero),
    cmocka_unit_test(test_prod_empty_axis),
    cmocka_unit_test(test_norm_scaled),
    cmocka_unit_test(test_language_views),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  gt_special_free_cache();
  mpfr_free_cache();
  return rc;
}
