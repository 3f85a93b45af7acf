/* tfunc.c -- the tensor built-ins: ones, zeros, fill, eye, linspace,
 * shape, size, rank, the reductions, dot, matmul, transpose, reshape, norm.
 *
 * Their names and numbers of arguments (for the resolver, the list of
 * built-ins and "did you mean" suggestions), and the tensor work of each
 * call.  The interpreter evaluates a call's arguments, in order, into a
 * GtTFuncArgs (dimensions, axis, operand nodes) and hands it here, so
 * this file records through the recorder and the tensor builders only
 * and never calls back into the interpreter.  Errors point at the call
 * (or at the axis argument), as the interpreter's own do.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ---- names and arities -------------------------------------------------- */

/* In the order the list of built-ins gives them; aliases are rows too. */
static const struct {
  const char *name;
  GtTFunc tf;
} tfuncs[] = {
  { "ones", GT_TF_ONES }, { "zeros", GT_TF_ZEROS }, { "fill", GT_TF_FILL },
  { "eye", GT_TF_EYE }, { "linspace", GT_TF_LINSPACE },
  { "shape", GT_TF_SHAPE }, { "size", GT_TF_SIZE }, { "rank", GT_TF_RANK },
  { "len", GT_TF_LEN },
  { "sum", GT_TF_SUM }, { "reduce_sum", GT_TF_SUM }, { "mean", GT_TF_MEAN },
  { "reduce_mean", GT_TF_MEAN }, { "prod", GT_TF_PROD },
  { "reduce_prod", GT_TF_PROD }, { "reduce_max", GT_TF_RMAX },
  { "reduce_min", GT_TF_RMIN }, { "dot", GT_TF_DOT },
  { "matmul", GT_TF_MATMUL }, { "transpose", GT_TF_TRANSPOSE },
  { "reshape", GT_TF_RESHAPE }, { "norm", GT_TF_NORM },
};

/* least and greatest number of arguments */
static const struct {
  int lo, hi;
} arity[GT_TF_COUNT] = {
  [GT_TF_ONES] = { 0, GT_MAX_RANK }, [GT_TF_ZEROS] = { 0, GT_MAX_RANK },
  [GT_TF_FILL] = { 1, GT_MAX_RANK + 1 }, [GT_TF_EYE] = { 1, 2 },
  [GT_TF_LINSPACE] = { 3, 3 }, [GT_TF_SHAPE] = { 1, 1 },
  [GT_TF_SIZE] = { 1, 1 }, [GT_TF_RANK] = { 1, 1 }, [GT_TF_LEN] = { 1, 1 }, [GT_TF_SUM] = { 1, 2 },
  [GT_TF_MEAN] = { 1, 2 }, [GT_TF_PROD] = { 1, 2 }, [GT_TF_RMAX] = { 1, 2 },
  [GT_TF_RMIN] = { 1, 2 }, [GT_TF_DOT] = { 2, 2 }, [GT_TF_MATMUL] = { 2, 2 },
  [GT_TF_TRANSPOSE] = { 1, 1 }, [GT_TF_RESHAPE] = { 2, GT_MAX_RANK + 1 },
  [GT_TF_NORM] = { 1, 1 },
};

int
gt_tfunc_lookup(const char *name)
{
  for (size_t i = 0; i < sizeof tfuncs / sizeof *tfuncs; i++)
    if (strcmp(tfuncs[i].name, name) == 0)
      return (int)tfuncs[i].tf;
  return -1;
}

const char *
gt_tfunc_name(size_t i)
{
  return i < sizeof tfuncs / sizeof *tfuncs ? tfuncs[i].name : NULL;
}

void
gt_tfunc_arity(GtTFunc tf, int *lo, int *hi)
{
  *lo = arity[tf].lo;
  *hi = arity[tf].hi;
}

/* ---- the calls ---------------------------------------------------------- */

/* ones(dims...), zeros(dims...) */
static int32_t
filled(GtRec *r, const GtExpr *e, const GtShape *s)
{
  r->site = e->id;
  int32_t t = gt_rec_zeros(r, s);
  if (e->op == GT_TF_ONES)
    for (size_t k = 0; k < s->size; k++)
      mpfr_set_ui(&r->tape->nodes[t].v[k], 1, MPFR_RNDN);
  return t;
}

/* eye(n[, m]): n rows, m columns, ones on the diagonal */
static int32_t
eye(GtRec *r, const GtExpr *e, size_t n, size_t m)
{
  GtShape es = { 2, 0, { n, m } };
  if (m != 0 && n > SIZE_MAX / m)
    gt_rec_fail(r, GT_ERUNTIME, "the tensor is too large");
  es.size = n * m;
  r->site = e->id;
  int32_t t = gt_rec_zeros(r, &es);
  for (size_t k = 0; k < n && k < m; k++)
    mpfr_set_ui(&r->tape->nodes[t].v[k * m + k], 1, MPFR_RNDN);
  return t;
}

/* linspace(a, b, n) = a + (b - a) k / (n - 1): differentiable in a and b */
static int32_t
linspace(GtRec *r, const GtExpr *e, int32_t a, int32_t b, const GtShape *s)
{
  r->site = e->id;
  size_t n = s->dim[0];
  int32_t f = gt_rec_zeros(r, s);
  gt_rec_leafsrc(r, f, GT_LEAF_LINSPACE, 0); /* for --enclose */
  for (size_t k = 0; k < n; k++) {
    mpfr_ptr x = &r->tape->nodes[f].v[k];
    mpfr_set_ui(x, (unsigned long)k, MPFR_RNDN);
    if (n > 1)
      mpfr_div_ui(x, x, (unsigned long)(n - 1), MPFR_RNDN);
  }
  int32_t span = gt_rec_op(r, GT_OP_SUB, b, a, -1);
  return gt_rec_op(r, GT_OP_ADD, a, gt_rec_op(r, GT_OP_MUL, span, f, -1),
                   -1);
}

/* shape(a) as a vector, size(a), rank(a): constants */
static int32_t
shape_info(GtRec *r, const GtExpr *e, int32_t a)
{
  r->site = e->id;
  GtShape as = *gt_node_shape(r->tape, a);
  int32_t t;
  if (e->op == GT_TF_SHAPE) {
    GtShape vs = { 1, (size_t)as.rank, { (size_t)as.rank } };
    t = gt_rec_zeros(r, &vs);
    for (int d = 0; d < as.rank; d++)
      mpfr_set_ui(&r->tape->nodes[t].v[d], (unsigned long)as.dim[d],
                  MPFR_RNDN);
    return t;
  }
  if (e->op == GT_TF_LEN && as.rank == 0)
    gt_rec_fail(r, GT_ERUNTIME, "len() of a scalar: it has no first axis "
                "(size(x) counts the elements, shape(x) gives every axis)");
  t = gt_rec_leaf(r);
  mpfr_set_ui(r->tape->nodes[t].v,
              e->op == GT_TF_SIZE  ? (unsigned long)as.size
              : e->op == GT_TF_LEN ? (unsigned long)as.dim[0]
                                   : (unsigned long)as.rank, MPFR_RNDN);
  return t;
}

/* sum, mean, prod, reduce_max, reduce_min of a, over an axis (NumPy's:
   negative counts from the end) or everything */
static int32_t
reduce(GtRec *r, const GtExpr *e, const GtTFuncArgs *x)
{
  static const GtOp ops[] = { [GT_TF_SUM] = GT_OP_SUM,
                              [GT_TF_MEAN] = GT_OP_MEAN,
                              [GT_TF_PROD] = GT_OP_PROD,
                              [GT_TF_RMAX] = GT_OP_RMAX,
                              [GT_TF_RMIN] = GT_OP_RMIN };
  int axis = 0;
  if (e->nargs > 1) {
    long ax = x->axis;
    int rank = gt_node_shape(r->tape, x->a)->rank;
    r->site = e->args[1]->id;
    if (ax < -rank || ax >= rank)
      gt_rec_fail(r, GT_ERUNTIME, "axis %ld is out of range for a tensor "
                  "of rank %d", ax, rank);
    axis = (int)(ax < 0 ? ax + rank : ax) + 1;
  }
  r->site = e->id;
  return gt_tensor_reduce(r, ops[e->op], x->a, axis);
}

/* reshape(a, dims...): one dimension of -1 is inferred from the size */
static int32_t
reshape(GtRec *r, const GtExpr *e, int32_t a, GtShape s)
{
  r->site = e->id;
  size_t have = gt_node_size(r->tape, a);
  if (s.size == 0) {
    size_t rest = 1;
    int inf = -1;
    for (int d = 0; d < s.rank; d++)
      if (s.dim[d] == SIZE_MAX)
        inf = d;
      else
        rest *= s.dim[d];
    if (inf >= 0 && rest != 0 && have % rest == 0) {
      s.dim[inf] = have / rest;
      s.size = have;
    } else {
      /* say what was asked: the -1 as -1 */
      char buf[256];
      size_t len = (size_t)snprintf(buf, sizeof buf, "(");
      for (int d = 0; d < s.rank && len < sizeof buf; d++) {
        if (d == inf)
          len += (size_t)snprintf(buf + len, sizeof buf - len, "%s-1",
                                  d ? ", " : "");
        else
          len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%zu",
                                  d ? ", " : "", s.dim[d]);
      }
      if (len < sizeof buf)
        snprintf(buf + len, sizeof buf - len, "%s)",
                 s.rank == 1 ? "," : "");
      gt_rec_fail(r, GT_ERUNTIME, "cannot reshape a tensor of %zu "
                  "elements to %s", have, buf);
    }
  }
  return gt_tensor_reshape(r, a, &s);
}

int32_t
gt_tfunc_call(GtRec *r, const GtExpr *e, const GtTFuncArgs *x)
{
  switch ((GtTFunc)e->op) {
  case GT_TF_ONES:
  case GT_TF_ZEROS:
    return filled(r, e, &x->s);
  case GT_TF_FILL:
    r->site = e->id;
    return gt_tensor_expand(r, x->a, &x->s);
  case GT_TF_EYE:
    return eye(r, e, x->s.dim[0], x->s2.dim[0]);
  case GT_TF_LINSPACE:
    return linspace(r, e, x->a, x->b, &x->s);
  case GT_TF_SHAPE:
  case GT_TF_SIZE:
  case GT_TF_RANK:
  case GT_TF_LEN:
    return shape_info(r, e, x->a);
  case GT_TF_SUM: case GT_TF_MEAN: case GT_TF_PROD: case GT_TF_RMAX:
  case GT_TF_RMIN:
    return reduce(r, e, x);
  case GT_TF_DOT:
  case GT_TF_MATMUL:
    r->site = e->id;
    if (e->op == GT_TF_DOT && (gt_node_shape(r->tape, x->a)->rank == 0
                               || gt_node_shape(r->tape, x->b)->rank == 0))
      return gt_rec_op(r, GT_OP_MUL, x->a, x->b, -1);
    return gt_tensor_matmul(r, x->a, x->b);
  case GT_TF_TRANSPOSE:
    r->site = e->id;
    return gt_tensor_transpose(r, x->a);
  case GT_TF_RESHAPE:
    return reshape(r, e, x->a, x->s);
  case GT_TF_NORM:
    r->site = e->id;
    return gt_tensor_norm(r, x->a);
  case GT_TF_COUNT:
    break;
  }
  gt_rec_fail(r, GT_ERUNTIME, "internal error: unknown tensor function");
}
