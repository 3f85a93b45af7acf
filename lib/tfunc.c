/* tfunc.c -- the tensor built-ins: ones, zeros, fill, eye, linspace,
 * shape, size, rank, the reductions, dot, matmul, transpose, reshape, norm,
 * logsumexp, and the builders concat, stack, tile, repeat, append.
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
  { "concat", GT_TF_CONCAT }, { "stack", GT_TF_STACK },
  { "tile", GT_TF_TILE }, { "repeat", GT_TF_REPEAT },
  { "append", GT_TF_APPEND }, { "load", GT_TF_LOAD },
  { "logsumexp", GT_TF_LOGSUMEXP }, { "reduce_logsumexp", GT_TF_LOGSUMEXP },
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
  [GT_TF_CONCAT] = { 1, 65535 }, [GT_TF_STACK] = { 1, 65535 },
  [GT_TF_TILE] = { 2, GT_MAX_RANK + 1 }, [GT_TF_REPEAT] = { 2, 3 },
  [GT_TF_APPEND] = { 2, 3 }, [GT_TF_LOAD] = { 1, 1 },
  [GT_TF_LOGSUMEXP] = { 1, 2 },
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
  size_t rest = 1;
  int inf = -1;
  for (int d = 0; d < s.rank; d++)
    if (s.dim[d] == SIZE_MAX)
      inf = d;
    else
      rest *= s.dim[d];
  /* s.size is 0 for a -1 and for a dimension of 0: without a -1, the
     shape is taken as it is (an empty tensor reshapes to any shape
     with a 0, as NumPy has it) */
  if (inf >= 0) {
    if (rest != 0 && have % rest == 0) {
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

/* logsumexp(a) = log(sum(exp(a))) over every element, computed stably as
   m + log(sum(exp(a - m))) with m = max(a): no term exceeds 1, and the sum
   is at least 1, so nothing overflows and the log does not lose the small
   terms.  No operation of its own: reduce_max, -, exp, sum, log and +
   record it, so every derivative (the gradient is softmax(a) =
   exp(a - y)), the recorded ones and the ball rules follow from theirs.
   m enters through stop_gradient: the exact derivative of the expression
   in m is 1 - sum(exp(a - m)) / sum(exp(a - m)) = 0, so this only drops a
   term that is zero (and the even split of reduce_max's ties).  An empty
   tensor is an error (its logsumexp would be -inf and its max does not
   exist); a tensor whose largest element is infinite gives that element
   (+inf, or -inf when every element is -inf), with derivative 0.

   logsumexp(a, axis) does the same along one axis (NumPy's numbering,
   negative from the end), as TensorFlow's reduce_logsumexp: m is the
   maximum along the axis, kept as a dimension of 1 so that a - m
   broadcasts; the result has a's shape without the axis.  Where a line's
   maximum is infinite, the result is that maximum (derivative 0): where()
   picks it, and the other branch is computed from zeros in place of that
   line, so that no rule on the way meets inf - inf or 0 / 0 (where()
   passes no derivative to a branch it did not select, but the recorded
   sweep still runs the rules there). */
static int32_t
logsumexp(GtRec *r, const GtExpr *e, int32_t a, int axis1)
{
  r->site = e->id;
  GtShape as = *gt_node_shape(r->tape, a);
  if (as.size == 0)
    gt_rec_fail(r, GT_ERUNTIME, "logsumexp of an empty tensor (it has no "
                "largest element; the sum of no exponentials is 0, whose "
                "log is -inf)");
  int32_t m = gt_rec_op(r, GT_OP_STOP,
                        gt_tensor_reduce(r, GT_OP_RMAX, a, axis1), -1, -1);
  if (axis1 == 0) {
    if (!mpfr_number_p(r->tape->nodes[m].v))
      return m;
    int32_t d = gt_rec_op(r, GT_OP_SUB, a, m, -1);
    int32_t s = gt_tensor_reduce(r, GT_OP_SUM,
                                 gt_rec_op(r, GT_OP_EXP, d, -1, -1), 0);
    return gt_rec_op(r, GT_OP_ADD, m, gt_rec_op(r, GT_OP_LOG, s, -1, -1),
                     -1);
  }
  /* the shift: m, with 0 where a line's maximum is infinite */
  GtShape ms = *gt_node_shape(r->tape, m), ks = as;
  ks.dim[axis1 - 1] = 1;
  ks.size = ms.size;
  int32_t shift = gt_rec_zeros(r, &ms), fin = gt_rec_zeros(r, &ms);
  int all = 1;
  for (size_t k = 0; k < ms.size; k++) {
    mpfr_srcptr mk = &r->tape->nodes[m].v[k];
    int f = mpfr_number_p(mk);
    all &= f;
    mpfr_set_ui(&r->tape->nodes[fin].v[k], (unsigned long)f, MPFR_RNDN);
    if (f)
      mpfr_set(&r->tape->nodes[shift].v[k], mk, MPFR_RNDN);
  }
  int32_t src = a;
  if (all)
    shift = m;
  else
    src = gt_rec_op(r, GT_OP_WHERE, gt_tensor_reshape(r, fin, &ks), a,
                    gt_rec_const(r, 0, 1));
  int32_t d = gt_rec_op(r, GT_OP_SUB, src, gt_tensor_reshape(r, shift, &ks),
                        -1);
  int32_t s = gt_tensor_reduce(r, GT_OP_SUM,
                               gt_rec_op(r, GT_OP_EXP, d, -1, -1), axis1);
  int32_t y = gt_rec_op(r, GT_OP_ADD, shift,
                        gt_rec_op(r, GT_OP_LOG, s, -1, -1), -1);
  return all ? y : gt_rec_op(r, GT_OP_WHERE, fin, y, m);
}

/* ---- the builders ------------------------------------------------------- */
/* concat, stack, tile, repeat and append record no operation of their
   own: each is made of the existing tensor operations (views with
   strides, stride 0 along a repeated axis, setview into a zero tensor,
   stack, reshape), whose rules give the derivatives: a view's adjoint
   adds g back into every element it read, so a repeated element gets the
   sum of its copies' adjoints. */

/* The axis ax (NumPy's: negative counts from the end) of a tensor of
   rank `rank` (rank + 1 places for stack); fails at the axis argument. */
static int
axis_of(GtRec *r, const GtExpr *e, long ax, int rank)
{
  r->site = e->args[e->nargs - 1]->id;
  if (ax < -rank || ax >= rank)
    gt_rec_fail(r, GT_ERUNTIME, "axis %ld is out of range for %s of "
                "rank %d", ax, e->op == GT_TF_STACK ? "stacking tensors"
                                                   : "a tensor", rank
                - (e->op == GT_TF_STACK));
  r->site = e->id;
  return (int)(ax < 0 ? ax + rank : ax);
}

/* s seen as (A, s.dim[axis], B): A the product of the dims before the
   axis, B of those after */
static void
around(const GtShape *s, int axis, size_t *A, size_t *B)
{
  *A = *B = 1;
  for (int d = 0; d < s->rank; d++)
    if (d < axis)
      *A *= s->dim[d];
    else if (d > axis)
      *B *= s->dim[d];
}

/* s with dim[axis] = n (the size checked for overflow first) */
static GtShape
with_dim(GtRec *r, const GtShape *s, int axis, size_t n)
{
  GtShape o = *s;
  size_t rest = 1;
  for (int d = 0; d < s->rank; d++)
    if (d != axis) {
      if (s->dim[d] && rest > SIZE_MAX / s->dim[d])
        gt_rec_fail(r, GT_ERUNTIME, "the tensor is too large");
      rest *= s->dim[d];
    }
  if (n && rest > SIZE_MAX / n)
    gt_rec_fail(r, GT_ERUNTIME, "the tensor is too large");
  o.dim[axis] = n;
  o.size = rest * n;
  return o;
}

/* A view of a, shape (A, m, D, B) with strides (D B, sm, B, 1): a seen as
   (A, D, B) with an axis of m copies inserted before D (sm = 0: tile)
   or, with the roles of m and D exchanged, after it (repeat). */
static int32_t
copies(GtRec *r, int32_t a, size_t A, size_t D, size_t B, size_t m,
       int after)
{
  GtShape vs = { 4, 0, { A, after ? D : m, after ? m : D, B } };
  if (m && A * D * B > SIZE_MAX / m)
    gt_rec_fail(r, GT_ERUNTIME, "the tensor is too large");
  vs.size = A * D * B * m;
  GtView v;
  memset(&v, 0, sizeof v);
  v.stride[0] = (long)(D * B);
  v.stride[after ? 1 : 2] = (long)B;
  v.stride[after ? 2 : 1] = 0;
  v.stride[3] = 1;
  return gt_tensor_view(r, a, &v, &vs);
}

/* concat(ops..., axis): the tensors joined along an existing axis, each
   written into its place of a zero tensor (setview).  O(n * size). */
static int32_t
concat(GtRec *r, const GtExpr *e, const int32_t *ops, size_t n, long ax,
       const char *fname)
{
  GtTape *t = r->tape;
  GtShape s0 = *gt_node_shape(t, ops[0]);
  char x[128], y[128];
  for (size_t k = 0; k < n; k++) {
    const GtShape *sk = gt_node_shape(t, ops[k]);
    r->site = e->args[k]->id;
    if (sk->rank == 0)
      gt_rec_fail(r, GT_ERUNTIME, "%s joins tensors along an axis, and "
                  "argument %zu is a number (stack() makes a vector of "
                  "numbers; append() adds a number to a vector)", fname,
                  k + 1);
    if (sk->rank != s0.rank)
      gt_rec_fail(r, GT_ERUNTIME, "%s: argument %zu has rank %d and "
                  "argument 1 rank %d", fname, k + 1, sk->rank, s0.rank);
  }
  int axis = axis_of(r, e, ax, s0.rank);
  size_t D = 0;
  for (size_t k = 0; k < n; k++) {
    const GtShape *sk = gt_node_shape(t, ops[k]);
    for (int d = 0; d < s0.rank; d++)
      if (d != axis && sk->dim[d] != s0.dim[d]) {
        r->site = e->args[k]->id;
        gt_rec_fail(r, GT_ERUNTIME, "%s along axis %d: argument 1 has "
                    "shape %s and argument %zu shape %s (only axis %d may "
                    "differ)", fname, axis, gt_shape_str(&s0, x, sizeof x),
                    k + 1, gt_shape_str(sk, y, sizeof y), axis);
      }
    if (sk->dim[axis] > SIZE_MAX - D)
      gt_rec_fail(r, GT_ERUNTIME, "the tensor is too large");
    D += sk->dim[axis];
  }
  r->site = e->id;
  if (n == 1)
    return ops[0];
  GtShape ys = with_dim(r, &s0, axis, D);
  int32_t out = gt_rec_zeros(r, &ys);
  GtView v;
  memset(&v, 0, sizeof v);
  gt_row_strides(&ys, v.stride);
  size_t at = 0;
  for (size_t k = 0; k < n; k++) {
    GtShape sk = *gt_node_shape(t, ops[k]);
    v.offset = at * (size_t)v.stride[axis];
    out = gt_tensor_setview(r, out, ops[k], &v, &sk);
    at += sk.dim[axis];
  }
  return out;
}

/* stack(ops..., axis): tensors of one shape along a new axis: the
   tensor literal's stack (a new axis 0), then a view moving that axis to
   its place. */
static int32_t
stack(GtRec *r, const GtExpr *e, const int32_t *ops, size_t n, long ax,
      int has_axis)
{
  GtTape *t = r->tape;
  GtShape s0 = *gt_node_shape(t, ops[0]);
  char x[128], y[128];
  for (size_t k = 1; k < n; k++) {
    const GtShape *sk = gt_node_shape(t, ops[k]);
    int same = sk->rank == s0.rank;
    for (int d = 0; same && d < s0.rank; d++)
      same = sk->dim[d] == s0.dim[d];
    r->site = e->args[k]->id;
    if (!same)
      gt_rec_fail(r, GT_ERUNTIME, "stack: argument 1 has shape %s and "
                  "argument %zu shape %s (stack takes tensors of one "
                  "shape; concat joins along an existing axis)",
                  gt_shape_str(&s0, x, sizeof x), k + 1,
                  gt_shape_str(sk, y, sizeof y));
  }
  r->site = e->id;
  if (s0.rank == GT_MAX_RANK)
    gt_rec_fail(r, GT_ERUNTIME, "tensors have rank %d at most", GT_MAX_RANK);
  int axis = has_axis ? axis_of(r, e, ax, s0.rank + 1) : 0;
  int32_t st = gt_tensor_stack(r, ops, n);
  if (axis == 0)
    return st;
  /* (n, A, B) seen as (A, n, B) */
  GtShape ys = *gt_node_shape(t, st);
  size_t A = 1, B = 1;
  for (int d = 0; d < s0.rank; d++)
    *(d < axis ? &A : &B) *= s0.dim[d];
  GtShape vs = { 3, A * n * B, { A, n, B } };
  GtView v;
  memset(&v, 0, sizeof v);
  v.stride[0] = (long)B;
  v.stride[1] = (long)(A * B);
  v.stride[2] = 1;
  int32_t moved = gt_tensor_view(r, st, &v, &vs);
  for (int d = 0; d < axis; d++)
    ys.dim[d] = s0.dim[d];
  ys.dim[axis] = n;
  for (int d = axis; d < s0.rank; d++)
    ys.dim[d + 1] = s0.dim[d];
  return gt_tensor_reshape(r, moved, &ys);
}

/* tile(a, reps...): NumPy's: a (its rank raised by leading 1s to the
   number of reps, or reps by leading 1s to a's rank) repeated reps[d]
   times along each axis d, one axis at a time, each a view of the whole
   with a stride-0 axis of copies. */
static int32_t
tile(GtRec *r, const GtExpr *e, int32_t a, const GtShape *reps)
{
  r->site = e->id;
  GtShape as = *gt_node_shape(r->tape, a), cur;
  int R = as.rank > reps->rank ? as.rank : reps->rank;
  size_t rp[GT_MAX_RANK];
  memset(&cur, 0, sizeof cur);
  cur.rank = R;
  cur.size = as.size;
  for (int d = 0; d < R; d++) {
    int da = d - (R - as.rank), dr = d - (R - reps->rank);
    cur.dim[d] = da >= 0 ? as.dim[da] : 1;
    rp[d] = dr >= 0 ? reps->dim[dr] : 1;
  }
  int32_t out = gt_tensor_reshape(r, a, &cur);
  for (int d = 0; d < R; d++) {
    if (rp[d] == 1)
      continue;
    size_t A, B;
    around(&cur, d, &A, &B);
    if (rp[d] && cur.dim[d] > SIZE_MAX / rp[d])
      gt_rec_fail(r, GT_ERUNTIME, "the tensor is too large");
    GtShape next = with_dim(r, &cur, d, cur.dim[d] * rp[d]);
    out = copies(r, out, A, cur.dim[d], B, rp[d], 0);
    out = gt_tensor_reshape(r, out, &next);
    cur = next;
  }
  return out;
}

/* repeat(a, count[, axis]): each element (each slice along the axis)
   count times in a row; without an axis, of a flattened.  One view with
   a stride-0 axis after the repeated one. */
static int32_t
repeat(GtRec *r, const GtExpr *e, const GtTFuncArgs *x)
{
  r->site = e->args[1]->id;
  if (x->count < 0)
    gt_rec_fail(r, GT_ERUNTIME, "the count of repeat must not be negative");
  r->site = e->id;
  int32_t a = x->a;
  GtShape as = *gt_node_shape(r->tape, a);
  int axis = 0;
  if (!x->has_axis) {
    GtShape fs = { 1, as.size, { as.size } };
    a = gt_tensor_reshape(r, a, &fs);
    as = fs;
  } else
    axis = axis_of(r, e, x->axis, as.rank);
  size_t A, B, D = as.dim[axis], m = (size_t)x->count;
  around(&as, axis, &A, &B);
  if (m && D > SIZE_MAX / m)
    gt_rec_fail(r, GT_ERUNTIME, "the tensor is too large");
  GtShape ys = with_dim(r, &as, axis, D * m);
  return gt_tensor_reshape(r, copies(r, a, A, D, B, m, 1), &ys);
}

/* append(a, b[, axis]): NumPy's: concat of a and b flattened, or along
   the axis */
static int32_t
append(GtRec *r, const GtExpr *e, const GtTFuncArgs *x)
{
  r->site = e->id;
  int32_t ops[2] = { x->a, x->b };
  if (!x->has_axis) {
    for (int k = 0; k < 2; k++) {
      size_t n = gt_node_size(r->tape, ops[k]);
      GtShape fs = { 1, n, { n } };
      ops[k] = gt_tensor_reshape(r, ops[k], &fs);
    }
  }
  return concat(r, e, ops, 2, x->has_axis ? x->axis : 0, "append");
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
  case GT_TF_CONCAT:
    return concat(r, e, x->ops, x->nops, x->has_axis ? x->axis : 0,
                  "concat");
  case GT_TF_STACK:
    return stack(r, e, x->ops, x->nops, x->axis, x->has_axis);
  case GT_TF_TILE:
    return tile(r, e, x->a, &x->s);
  case GT_TF_REPEAT:
    return repeat(r, e, x);
  case GT_TF_APPEND:
    return append(r, e, x);
  case GT_TF_LOAD:
    return gt_load_table(r, e, x->path);
  case GT_TF_LOGSUMEXP: {
    int axis1 = 0;
    if (e->nargs > 1) {
      int rank = gt_node_shape(r->tape, x->a)->rank;
      if (rank == 0) {
        r->site = e->args[1]->id;
        gt_rec_fail(r, GT_ERUNTIME, "logsumexp of a number has no axis "
                    "(write logsumexp(x) or give a tensor)");
      }
      axis1 = axis_of(r, e, x->axis, rank) + 1;
    }
    return logsumexp(r, e, x->a, axis1);
  }
  case GT_TF_COUNT:
    break;
  }
  gt_rec_fail(r, GT_ERUNTIME, "internal error: unknown tensor function");
}
