/* tensor.c -- the tensor operations (shapes and broadcasting: tape.c).
 *
 * Values are tensors of rank 0 to 8 stored row-major; one recorded node per
 * tensor operation.  Elementwise operations broadcast as NumPy does (see
 * gt_rec_op in rec.c); this file holds the operations that are not
 * elementwise: stacking, broadcasting and its transpose (sum to a shape),
 * reductions, matmul, transpose, reshape, norm, and views (indexing and
 * slicing) with their scatter and update.  Each has its forward rule, its
 * numeric adjoint and its recorded adjoint side by side (at the end of the
 * file), named by the op table in ops.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define RND MPFR_RNDN

/* ---- shapes ----------------------------------------------------------------- */

static int
same_shape(const GtShape *a, const GtShape *b)
{
  return a->rank == b->rank
         && memcmp(a->dim, b->dim, (size_t)a->rank * sizeof a->dim[0]) == 0;
}

static GtShape
shape_of(const GtTape *t, int32_t i)
{
  return *gt_node_shape(t, i);
}

/* Where a reduction over `axis` (0-based; -1: all) of shape s maps each
   element: the lane size and the output shape. */
static void
reduced_shape(const GtShape *s, int axis, GtShape *out, size_t *lane)
{
  memset(out, 0, sizeof *out);
  out->size = 1;
  if (axis < 0) {
    *lane = s->size;
    return;
  }
  *lane = s->dim[axis];
  for (int d = 0, o = 0; d < s->rank; d++)
    if (d != axis) {
      out->dim[o++] = s->dim[d];
      out->size *= s->dim[d];
      out->rank = o;
    }
}

/* The shape of the reduction with the axis kept as 1 (for broadcasting
   the adjoint back). */
static GtShape
keepdims(const GtShape *s, int axis)
{
  GtShape k = *s;
  k.size = 1;
  for (int d = 0; d < s->rank; d++) {
    if (axis < 0 || d == axis)
      k.dim[d] = 1;
    k.size *= k.dim[d];
  }
  return k;
}

/* ---- forward rules -------------------------------------------------------- */

/* y = sum of a over the axes where y is broadcast (y's shape is the
   target); zero-initialised y is assumed. */
static void
sumto_into(mpfr_ptr y, const GtShape *ys, mpfr_srcptr a, const GtShape *as)
{
  long st[GT_MAX_RANK];
  gt_bcast_strides(as, ys, st);
  GtStrideWalk w;
  gt_stride_walk_init(&w, as, st, 0);
  for (size_t k = 0; k < as->size; k++, gt_stride_walk_next(&w))
    mpfr_add(&y[w.off], &y[w.off], &a[k], RND);
}

/* y (shape ys) = a broadcast */
static void
expand_into(mpfr_ptr y, const GtShape *ys, mpfr_srcptr a, const GtShape *as)
{
  long st[GT_MAX_RANK];
  gt_bcast_strides(ys, as, st);
  GtStrideWalk w;
  gt_stride_walk_init(&w, ys, st, 0);
  for (size_t k = 0; k < ys->size; k++, gt_stride_walk_next(&w))
    mpfr_set(&y[k], &a[w.off], RND);
}

/* The lanes of a reduction: for output element o, the elements of a are
   base(o) + j * step for j < lane. */
typedef struct Lanes {
  size_t lane, step, inner, n;
} Lanes;

static Lanes
lanes(const GtShape *s, int axis)
{
  Lanes L;
  if (axis < 0) {
    L.lane = s->size;
    L.step = 1;
    L.inner = 1;
    L.n = 1;
    return L;
  }
  L.lane = s->dim[axis];
  L.inner = 1;
  for (int d = axis + 1; d < s->rank; d++)
    L.inner *= s->dim[d];
  L.step = L.inner;
  /* the lanes, one per result element, also when they are empty (the
     sum of none is 0, the product of none 1, as in NumPy) */
  L.n = 1;
  for (int d = 0; d < s->rank; d++)
    if (d != axis)
      L.n *= s->dim[d];
  return L;
}

static size_t
lane_base(const Lanes *L, size_t o)
{
  return (o / L->inner) * L->inner * L->lane + o % L->inner;
}

static void
reduce_fwd(const GtTape *t, int32_t i)
{
  const GtNode *n = &t->nodes[i];
  GtShape as = shape_of(t, n->a);
  Lanes L = lanes(&as, (int)n->aux - 1);
  mpfr_srcptr a = t->nodes[n->a].v;
  for (size_t o = 0; o < L.n; o++) {
    mpfr_ptr y = &n->v[o];
    size_t b = lane_base(&L, o);
    switch (n->op) {
    case GT_OP_SUM:
    case GT_OP_MEAN:
      mpfr_set_zero(y, 1);
      for (size_t j = 0; j < L.lane; j++)
        mpfr_add(y, y, &a[b + j * L.step], RND);
      if (n->op == GT_OP_MEAN)
        mpfr_div_ui(y, y, (unsigned long)L.lane, RND);
      break;
    case GT_OP_PROD:
      mpfr_set_ui(y, 1, RND);
      for (size_t j = 0; j < L.lane; j++)
        mpfr_mul(y, y, &a[b + j * L.step], RND);
      break;
    default: /* RMAX, RMIN: NaN wins */
      mpfr_set(y, &a[b], RND);
      for (size_t j = 1; j < L.lane; j++) {
        mpfr_srcptr e = &a[b + j * L.step];
        if (mpfr_nan_p(e) || mpfr_nan_p(y)) {
          mpfr_set_nan(y);
          break;
        }
        if (n->op == GT_OP_RMAX ? mpfr_greater_p(e, y) : mpfr_less_p(e, y))
          mpfr_set(y, e, RND);
      }
    }
  }
}

/* Matrix views of matmul's operands: a is (m, k), b is (k, n); a vector
   on the left is a row, on the right a column. */
static void
mm_dims(const GtShape *as, const GtShape *bs, size_t *m, size_t *k,
        size_t *n)
{
  *m = as->rank == 2 ? as->dim[0] : 1;
  *k = as->rank == 2 ? as->dim[1] : as->dim[0];
  *n = bs->rank == 2 ? bs->dim[1] : 1;
}

/* c (m, n) = a (m, k) b (k, n), with the transposes given: ta means a is
   stored (k, m); tb means b is stored (n, k).  acc: add into c. */
static void
gemm(mpfr_ptr c, mpfr_srcptr a, int ta, mpfr_srcptr b, int tb, size_t m,
     size_t k, size_t n, int acc, mpfr_ptr tmp)
{
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      mpfr_ptr y = &c[i * n + j];
      if (!acc)
        mpfr_set_zero(y, 1);
      for (size_t l = 0; l < k; l++) {
        mpfr_srcptr x = &a[ta ? l * m + i : i * k + l];
        mpfr_srcptr z = &b[tb ? j * k + l : l * n + j];
        mpfr_mul(tmp, x, z, RND);
        mpfr_add(y, y, tmp, RND);
      }
    }
}

static void
transpose_into(mpfr_ptr y, mpfr_srcptr a, const GtShape *as)
{
  /* y's axes are a's reversed */
  GtShape ys = *as;
  for (int d = 0; d < as->rank; d++)
    ys.dim[d] = as->dim[as->rank - 1 - d];
  long ast[GT_MAX_RANK], st[GT_MAX_RANK];
  gt_row_strides(as, ast);
  for (int d = 0; d < as->rank; d++)
    st[d] = ast[as->rank - 1 - d];
  GtStrideWalk w;
  gt_stride_walk_init(&w, &ys, st, 0);
  for (size_t k = 0; k < ys.size; k++, gt_stride_walk_next(&w))
    mpfr_set(&y[k], &a[w.off], RND);
}

/* ---- builders ------------------------------------------------------------- */

static _Noreturn void
shape_error(GtRec *r, const char *what, const GtShape *a, const GtShape *b)
{
  char x[128], y[128];
  if (b)
    gt_rec_fail(r, GT_ERUNTIME, "%s: shapes %s and %s do not match", what,
                gt_shape_str(a, x, sizeof x), gt_shape_str(b, y, sizeof y));
  gt_rec_fail(r, GT_ERUNTIME, "%s: a tensor of shape %s is not allowed here",
              what, gt_shape_str(a, x, sizeof x));
}

static int32_t
finish(GtRec *r, int32_t i)
{
  mpfr_t tmp;
  mpfr_init2(tmp, r->tape->prec);
  gt_ops[r->tape->nodes[i].op].tfwd(r->tape, i, tmp);
  mpfr_clear(tmp);
  return i;
}

int32_t
gt_tensor_stack(GtRec *r, const int32_t *ops, size_t n)
{
  GtTape *t = r->tape;
  GtShape e = n ? shape_of(t, ops[0]) : (GtShape){ 0, 1, { 0 } };
  for (size_t k = 1; k < n; k++) {
    GtShape o = shape_of(t, ops[k]);
    if (!same_shape(&e, &o)) {
      char x[128], y[128];
      gt_rec_fail(r, GT_ERUNTIME, "a ragged tensor literal: element 0 has "
                  "shape %s and element %zu shape %s",
                  gt_shape_str(&e, x, sizeof x), k,
                  gt_shape_str(&o, y, sizeof y));
    }
  }
  if (e.rank == GT_MAX_RANK)
    gt_rec_fail(r, GT_ERUNTIME, "tensors have rank %d at most", GT_MAX_RANK);
  GtShape s;
  memset(&s, 0, sizeof s);
  s.rank = e.rank + 1;
  s.dim[0] = n;
  for (int d = 0; d < e.rank; d++)
    s.dim[d + 1] = e.dim[d];
  long off = gt_tape_xargs(t, ops, n);
  if (off < 0 || off > INT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  int32_t i = gt_rec_push_shaped(r, GT_OP_STACK, (int32_t)off, (int32_t)n,
                                 -1, &s);
  t->nodes[i].flags |= GT_NF_NARY;
  return finish(r, i);
}

int32_t
gt_tensor_expand(GtRec *r, int32_t a, const GtShape *to)
{
  GtShape as = shape_of(r->tape, a), b;
  if (same_shape(&as, to))
    return a;
  if (gt_broadcast(&as, to, &b) != 0 || !same_shape(&b, to))
    shape_error(r, "broadcasting", &as, to);
  return finish(r, gt_rec_push_shaped(r, GT_OP_EXPAND, a, -1, -1, to));
}

int32_t
gt_tensor_sumto(GtRec *r, int32_t a, const GtShape *to)
{
  GtShape as = shape_of(r->tape, a), b;
  if (same_shape(&as, to))
    return a;
  if (gt_broadcast(&as, to, &b) != 0 || !same_shape(&b, &as))
    shape_error(r, "summing to a shape", &as, to);
  return finish(r, gt_rec_push_shaped(r, GT_OP_SUMTO, a, -1, -1, to));
}

int32_t
gt_tensor_reduce(GtRec *r, GtOp op, int32_t a, int axis_plus1)
{
  GtShape as = shape_of(r->tape, a), ys;
  size_t lane;
  int axis = axis_plus1 - 1;
  if (axis >= as.rank || axis < -1)
    gt_rec_fail(r, GT_ERUNTIME, "axis %d is out of range for a tensor of "
                "rank %d", axis, as.rank);
  reduced_shape(&as, axis, &ys, &lane);
  if (lane == 0 && (op == GT_OP_RMAX || op == GT_OP_RMIN || op == GT_OP_MEAN))
    gt_rec_fail(r, GT_ERUNTIME, "%s of an empty tensor",
                op == GT_OP_MEAN ? "the mean" : "the extremum");
  int32_t i = gt_rec_push_shaped(r, op, a, -1, -1, &ys);
  r->tape->nodes[i].aux = (uint16_t)axis_plus1;
  finish(r, i);
  if (op == GT_OP_RMAX || op == GT_OP_RMIN) {
    /* a tie among the extremes is a kink: the derivative is shared */
    GtTape *t = r->tape;
    Lanes L = lanes(&as, axis);
    for (size_t o = 0; o < L.n; o++) {
      size_t b = lane_base(&L, o), ties = 0;
      for (size_t j = 0; j < L.lane; j++)
        ties += mpfr_equal_p(&t->nodes[a].v[b + j * L.step], &t->nodes[i].v[o]);
      if (ties > 1) {
        gt_rec_note_kink(r, op);
        break;
      }
    }
  }
  return i;
}

int32_t
gt_tensor_matmul(GtRec *r, int32_t a, int32_t b)
{
  GtShape as = shape_of(r->tape, a), bs = shape_of(r->tape, b), ys;
  if (as.rank == 0 || bs.rank == 0 || as.rank > 2 || bs.rank > 2)
    gt_rec_fail(r, GT_ERUNTIME, "matmul takes vectors and matrices (ranks 1 "
                "and 2), not ranks %d and %d", as.rank, bs.rank);
  size_t m, k, n;
  mm_dims(&as, &bs, &m, &k, &n);
  size_t kb = bs.rank == 2 ? bs.dim[0] : bs.dim[0];
  if (k != kb)
    shape_error(r, "matmul", &as, &bs);
  gt_rec_charge(r, (double)m * (double)k * (double)n);
  memset(&ys, 0, sizeof ys);
  if (as.rank == 2)
    ys.dim[ys.rank++] = m;
  if (bs.rank == 2)
    ys.dim[ys.rank++] = n;
  ys.size = m * n;
  return finish(r, gt_rec_push_shaped(r, GT_OP_MATMUL, a, b, -1, &ys));
}

int32_t
gt_tensor_transpose(GtRec *r, int32_t a)
{
  GtShape as = shape_of(r->tape, a), ys = as;
  if (as.rank < 2)
    return a;
  for (int d = 0; d < as.rank; d++)
    ys.dim[d] = as.dim[as.rank - 1 - d];
  return finish(r, gt_rec_push_shaped(r, GT_OP_TRANSPOSE, a, -1, -1, &ys));
}

int32_t
gt_tensor_reshape(GtRec *r, int32_t a, const GtShape *to)
{
  GtShape as = shape_of(r->tape, a);
  if (as.size != to->size) {
    char x[128], y[128];
    gt_rec_fail(r, GT_ERUNTIME, "cannot reshape a tensor of shape %s (%zu "
                "elements) to %s", gt_shape_str(&as, x, sizeof x), as.size,
                gt_shape_str(to, y, sizeof y));
  }
  if (same_shape(&as, to))
    return a;
  return finish(r, gt_rec_push_shaped(r, GT_OP_RESHAPE, a, -1, -1, to));
}

int32_t
gt_tensor_norm(GtRec *r, int32_t a)
{
  GtShape s = { 0, 1, { 0 } };
  int32_t i = finish(r, gt_rec_push_shaped(r, GT_OP_NORM, a, -1, -1, &s));
  if (mpfr_zero_p(r->tape->nodes[i].v))
    gt_rec_note_kink(r, GT_OP_NORM);
  return i;
}

/* A view's node.  A contiguous one shares its operand's elements instead
   of copying them (the operand's values never change once recorded):
   reading x[i] in a loop allocates no number. */
static int32_t
view_node(GtRec *r, int32_t a, uint32_t p, const GtShape *s)
{
  GtView vt;
  const GtView *v = gt_view_at(r->tape, p, &vt);
  if (s->size > 0 && gt_view_contiguous(v, s)) {
    mpfr_ptr at = &r->tape->nodes[a].v[v->offset];
    int32_t i = gt_rec_push_alias(r, GT_OP_VIEW, a, s, at);
    r->tape->nodes[i].param = p;
    return i;
  }
  int32_t i = gt_rec_push_shaped(r, GT_OP_VIEW, a, -1, -1, s);
  r->tape->nodes[i].param = p;
  gt_tensor_fwd_view(r->tape, i, NULL);  /* needs no scratch */
  return i;
}

int32_t
gt_tensor_view(GtRec *r, int32_t a, const GtView *v, const GtShape *s)
{
  uint32_t p = gt_tape_view(r->tape, v);
  if (p == UINT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  return view_node(r, a, p, s);
}

static int32_t
scatter(GtRec *r, int32_t g, uint32_t param, const GtShape *to)
{
  int32_t i = gt_rec_push_shaped(r, GT_OP_SCATTER, g, -1, -1, to);
  r->tape->nodes[i].param = param;
  return finish(r, i);
}

static int32_t
view_p(GtRec *r, int32_t a, uint32_t param, const GtShape *s)
{
  return view_node(r, a, param, s);
}

static int32_t
setview_p(GtRec *r, int32_t a, int32_t b, uint32_t param)
{
  GtShape as = shape_of(r->tape, a);
  int32_t i = gt_rec_push_shaped(r, GT_OP_SETVIEW, a, b, -1, &as);
  r->tape->nodes[i].param = param;
  return finish(r, i);
}

int32_t
gt_tensor_setview(GtRec *r, int32_t a, int32_t b, const GtView *v,
                  const GtShape *s)
{
  /* the new elements are broadcast to the view's shape first */
  b = gt_tensor_expand(r, b, s);
  uint32_t p = gt_tape_view(r->tape, v);
  if (p == UINT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  return setview_p(r, a, b, p);
}

/* ---- the rules of each tensor operation --------------------------------------- */
/* For each op: its value (gt_tensor_fwd_: node i's elements from its
   operands'), its numeric adjoint (gt_tensor_adj_: adds g * d(node
   i)/d(operand k) into acc, operand k's size of numbers; 0, or -1 when out
   of memory) and its recorded adjoint (gt_tensor_radj_: the node holding
   the same, or -1 for none).  The op table (ops.c) names them. */

/* stack: y = [x_0, ..., x_n-1];  dx_k = g[k] (row k of g) */
void
gt_tensor_fwd_stack(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  const int32_t *ops = t->xargs + n->a;
  size_t each = n->b ? ys.size / (size_t)n->b : 0;
  for (int32_t k = 0; k < n->b; k++)
    for (size_t j = 0; j < each; j++)
      mpfr_set(&n->v[(size_t)k * each + j], &t->nodes[ops[k]].v[j], RND);
}

int
gt_tensor_adj_stack(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                    mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)scratch;
  const GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  size_t each = n->b ? ys.size / (size_t)n->b : 0;
  for (size_t j = 0; j < each; j++)
    mpfr_add(&acc[j], &acc[j], &g[k * each + j], RND);
  return 0;
}

int32_t
gt_tensor_radj_stack(GtRec *r, int32_t i, int k, int32_t g)
{
  GtNode n = r->tape->nodes[i]; /* a copy: appending moves nodes */
  int32_t op = r->tape->xargs[n.a + (int32_t)k];
  GtShape es = shape_of(r->tape, op);
  GtView v;
  memset(&v, 0, sizeof v);
  v.offset = (size_t)k * es.size;
  gt_row_strides(&es, v.stride);
  return gt_tensor_view(r, g, &v, &es);
}

/* expand: y = a broadcast to y's shape;  da = g summed back to a's shape */
void
gt_tensor_fwd_expand(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i), as = shape_of(t, n->a);
  expand_into(n->v, &ys, t->nodes[n->a].v, &as);
}

int
gt_tensor_adj_expand(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                     mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k; (void)scratch;
  const GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i), as = shape_of(t, n->a);
  sumto_into(acc, &as, g, &ys);
  return 0;
}

int32_t
gt_tensor_radj_expand(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  GtShape as = shape_of(r->tape, r->tape->nodes[i].a);
  return gt_tensor_sumto(r, g, &as);
}

/* sumto: y = a summed over its broadcast axes;  da = g broadcast back */
void
gt_tensor_fwd_sumto(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i), as = shape_of(t, n->a);
  for (size_t k = 0; k < ys.size; k++)
    mpfr_set_zero(&n->v[k], 1);
  sumto_into(n->v, &ys, t->nodes[n->a].v, &as);
}

int
gt_tensor_adj_sumto(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                    mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k; (void)scratch;
  const GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i), as = shape_of(t, n->a);
  long st[GT_MAX_RANK];
  gt_bcast_strides(&as, &ys, st);
  GtStrideWalk w;
  gt_stride_walk_init(&w, &as, st, 0);
  for (size_t j = 0; j < as.size; j++, gt_stride_walk_next(&w))
    mpfr_add(&acc[j], &acc[j], &g[w.off], RND);
  return 0;
}

int32_t
gt_tensor_radj_sumto(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  GtShape as = shape_of(r->tape, r->tape->nodes[i].a);
  return gt_tensor_expand(r, g, &as);
}

/* The reductions share their value rule (reduce_fwd above). */
void
gt_tensor_fwd_reduce(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  reduce_fwd(t, i);
}

/* sum, mean: y_o = sum_j a_{o,j} (mean: / lane);  da_{o,j} = g_o (mean:
   g_o / lane) */
int
gt_tensor_adj_sum(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                  mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k;
  const GtNode *n = &t->nodes[i];
  mpfr_ptr tmp = scratch;
  GtShape as = shape_of(t, n->a);
  Lanes L = lanes(&as, (int)n->aux - 1);
  for (size_t o = 0; o < L.n; o++) {
    size_t b = lane_base(&L, o);
    mpfr_set(tmp, &g[o], RND);
    if (n->op == GT_OP_MEAN)
      mpfr_div_ui(tmp, tmp, (unsigned long)L.lane, RND);
    for (size_t j = 0; j < L.lane; j++)
      mpfr_add(&acc[b + j * L.step], &acc[b + j * L.step], tmp, RND);
  }
  return 0;
}

int32_t
gt_tensor_radj_sum(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  GtNode n = r->tape->nodes[i];
  GtShape as = shape_of(r->tape, n.a);
  int axis = (int)n.aux - 1;
  GtShape kd = keepdims(&as, axis);
  int32_t e = gt_tensor_expand(r, gt_tensor_reshape(r, g, &kd), &as);
  if (n.op == GT_OP_MEAN)
    e = gt_rec_op(r, GT_OP_DIV, e,
                  gt_rec_const(r, (long)(axis < 0 ? as.size : as.dim[axis]),
                               1),
                  -1);
  return e;
}

/* prod: y_o = prod_j a_{o,j};  da_{o,j} = g_o prod_{l != j} a_{o,l} */
int
gt_tensor_adj_prod(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                   mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k;
  const GtNode *n = &t->nodes[i];
  mpfr_ptr tmp = scratch;
  GtShape as = shape_of(t, n->a);
  Lanes L = lanes(&as, (int)n->aux - 1);
  mpfr_srcptr a = t->nodes[n->a].v;
  for (size_t o = 0; o < L.n; o++) {
    size_t b = lane_base(&L, o);
    /* the product of the others, by an O(lane^2) loop that is exact
       about zeros (no division) */
    for (size_t j = 0; j < L.lane; j++) {
      mpfr_set(tmp, &g[o], RND);
      for (size_t l = 0; l < L.lane; l++)
        if (l != j)
          mpfr_mul(tmp, tmp, &a[b + l * L.step], RND);
      mpfr_add(&acc[b + j * L.step], &acc[b + j * L.step], tmp, RND);
    }
  }
  return 0;
}

/* recorded: g y / a when no element is 0; else the products of the
   others directly (see inside) */
int32_t
gt_tensor_radj_prod(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  GtNode n = r->tape->nodes[i];
  GtShape as = shape_of(r->tape, n.a);
  int axis = (int)n.aux - 1;
  GtShape kd = keepdims(&as, axis);
  int zero = 0;
  for (size_t j = 0; j < as.size && !zero; j++)
    zero = mpfr_zero_p(&r->tape->nodes[n.a].v[j]);
  if (!zero) {
    /* g y / a */
    int32_t gy = gt_rec_op(r, GT_OP_MUL, g, i, -1);
    int32_t e = gt_tensor_expand(r, gt_tensor_reshape(r, gy, &kd), &as);
    return gt_rec_op(r, GT_OP_DIV, e, n.a, -1);
  }
  /* with a zero element y / a is 0/0: take the products of the
     other elements of each lane directly.  A new axis of the lane's
     length L goes after the lane's axis; row j along it is the lane
     with its element j replaced by 1, and the product along the new
     axis is the product of the others, exact (no division).  Costs
     size * L elements; its own derivative (a Hessian) is the same
     construction one rank up. */
  GtShape base = as;
  int ax = axis;
  int32_t src = n.a;
  if (axis < 0) {
    GtShape flat = { 1, as.size, { as.size } };
    base = flat;
    ax = 0;
    src = gt_tensor_reshape(r, n.a, &flat);
  }
  if (base.rank >= GT_MAX_RANK)
    gt_rec_fail(r, GT_ERUNTIME, "the recorded derivative of reduce_prod "
                "of a tensor of rank %d with a zero element is not "
                "implemented (it needs one more axis)", GT_MAX_RANK);
  size_t L = base.dim[ax];
  GtShape one = base, ex = base, dm = { 0, L * L, { 0 } };
  one.rank = ex.rank = base.rank + 1;
  for (int d = base.rank; d > ax; d--) {
    one.dim[d] = base.dim[d - 1];
    ex.dim[d] = base.dim[d - 1];
  }
  one.dim[ax] = 1;
  ex.dim[ax] = L;
  one.size = base.size;
  ex.size = base.size * L;
  /* the diagonal mask (L, L, 1, ..., 1) broadcasts against ex */
  dm.rank = 2 + base.rank - ax - 1;
  dm.dim[0] = dm.dim[1] = L;
  for (int d = 2; d < dm.rank; d++)
    dm.dim[d] = 1;
  int32_t rows = gt_tensor_expand(r, gt_tensor_reshape(r, src, &one), &ex);
  int32_t diag = gt_rec_zeros(r, &dm);
  for (size_t j = 0; j < L; j++)
    mpfr_set_ui(&r->tape->nodes[diag].v[j * L + j], 1, RND);
  int32_t others = gt_tensor_reduce(
      r, GT_OP_PROD, gt_rec_op(r, GT_OP_WHERE, diag, gt_rec_const(r, 1, 1),
                               rows), ax + 2);
  GtShape kb = keepdims(&base, ax);
  int32_t ge = gt_tensor_expand(r, gt_tensor_reshape(r, g, &kb), &base);
  return gt_tensor_reshape(r, gt_rec_op(r, GT_OP_MUL, ge, others, -1), &as);
}

/* reduce_max, reduce_min: y_o = the extreme of lane o (NaN wins);
   da_{o,j} = g_o / ties where a_{o,j} = y_o (the tied extremes share g) */
int
gt_tensor_adj_extreme(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                      mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k;
  const GtNode *n = &t->nodes[i];
  mpfr_ptr tmp = scratch;
  GtShape as = shape_of(t, n->a);
  Lanes L = lanes(&as, (int)n->aux - 1);
  mpfr_srcptr a = t->nodes[n->a].v;
  for (size_t o = 0; o < L.n; o++) {
    size_t b = lane_base(&L, o);
    size_t ties = 0;
    for (size_t j = 0; j < L.lane; j++)
      ties += mpfr_equal_p(&a[b + j * L.step], &n->v[o]);
    if (ties == 0)
      continue;
    mpfr_div_ui(tmp, &g[o], (unsigned long)ties, RND);
    for (size_t j = 0; j < L.lane; j++)
      if (mpfr_equal_p(&a[b + j * L.step], &n->v[o]))
        mpfr_add(&acc[b + j * L.step], &acc[b + j * L.step], tmp, RND);
  }
  return 0;
}

int32_t
gt_tensor_radj_extreme(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  GtNode n = r->tape->nodes[i];
  GtShape as = shape_of(r->tape, n.a);
  GtShape kd = keepdims(&as, (int)n.aux - 1);
  int32_t yk = gt_tensor_expand(r, gt_tensor_reshape(r, i, &kd), &as);
  int32_t mask = gt_rec_op(r, GT_OP_EQ, n.a, yk, -1);
  int32_t cnt = gt_tensor_reduce(r, GT_OP_SUM, mask, (int)n.aux);
  int32_t share = gt_rec_op(r, GT_OP_DIV, g, cnt, -1);
  int32_t e = gt_tensor_expand(r, gt_tensor_reshape(r, share, &kd), &as);
  return gt_rec_op(r, GT_OP_MUL, e, mask, -1);
}

/* matmul: y = A B;  dA = G B^T (m, k), dB = A^T G (k, n) */
void
gt_tensor_fwd_matmul(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  GtNode *n = &t->nodes[i];
  GtShape as = shape_of(t, n->a), bs = shape_of(t, n->b);
  size_t m, k, nn;
  mm_dims(&as, &bs, &m, &k, &nn);
  gemm(n->v, t->nodes[n->a].v, 0, t->nodes[n->b].v, 0, m, k, nn, 0, tmp);
}

int
gt_tensor_adj_matmul(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                     mpfr_ptr acc, mpfr_ptr scratch)
{
  const GtNode *n = &t->nodes[i];
  mpfr_ptr tmp = scratch;
  GtShape as = shape_of(t, n->a), bs = shape_of(t, n->b);
  size_t m, kk, nn;
  mm_dims(&as, &bs, &m, &kk, &nn);
  if (k == 0)
    gemm(acc, g, 0, t->nodes[n->b].v, 1, m, nn, kk, 1, tmp);
  else
    gemm(acc, t->nodes[n->a].v, 1, g, 0, kk, m, nn, 1, tmp);
  return 0;
}

int32_t
gt_tensor_radj_matmul(GtRec *r, int32_t i, int k, int32_t g)
{
  GtNode n = r->tape->nodes[i];
  GtShape as = shape_of(r->tape, n.a), bs = shape_of(r->tape, n.b);
  size_t m, kk, nn;
  mm_dims(&as, &bs, &m, &kk, &nn);
  /* as matrices: A (m, k), B (k, n), G (m, n) */
  GtShape am = { 2, m * kk, { m, kk } }, bm = { 2, kk * nn, { kk, nn } },
          gm = { 2, m * nn, { m, nn } };
  int32_t G = gt_tensor_reshape(r, g, &gm);
  int32_t d;
  if (k == 0) {
    int32_t B = gt_tensor_reshape(r, n.b, &bm);
    d = gt_tensor_matmul(r, G, gt_tensor_transpose(r, B));
    return gt_tensor_reshape(r, d, &as);
  }
  int32_t A = gt_tensor_reshape(r, n.a, &am);
  d = gt_tensor_matmul(r, gt_tensor_transpose(r, A), G);
  return gt_tensor_reshape(r, d, &bs);
}

/* transpose: y = a with its axes reversed;  da = transpose(g) */
void
gt_tensor_fwd_transpose(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape as = shape_of(t, n->a);
  transpose_into(n->v, t->nodes[n->a].v, &as);
}

int
gt_tensor_adj_transpose(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                        mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k; (void)scratch;
  const GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i), as = shape_of(t, n->a);
  /* acc (shape a) += transpose(g); transpose of y's shape is a's */
  long yst[GT_MAX_RANK], st[GT_MAX_RANK];
  gt_row_strides(&ys, yst);
  for (int d = 0; d < as.rank; d++)
    st[d] = yst[as.rank - 1 - d];
  GtStrideWalk w;
  gt_stride_walk_init(&w, &as, st, 0);
  for (size_t j = 0; j < as.size; j++, gt_stride_walk_next(&w))
    mpfr_add(&acc[j], &acc[j], &g[w.off], RND);
  return 0;
}

int32_t
gt_tensor_radj_transpose(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)i; (void)k;
  return gt_tensor_transpose(r, g);
}

/* reshape: y = a's elements in y's shape;  da = g in a's shape */
void
gt_tensor_fwd_reshape(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  for (size_t k = 0; k < ys.size; k++)
    mpfr_set(&n->v[k], &t->nodes[n->a].v[k], RND);
}

int
gt_tensor_adj_reshape(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                      mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k; (void)scratch;
  GtShape ys = shape_of(t, i);
  for (size_t j = 0; j < ys.size; j++)
    mpfr_add(&acc[j], &acc[j], &g[j], RND);
  return 0;
}

int32_t
gt_tensor_radj_reshape(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  GtShape as = shape_of(r->tape, r->tape->nodes[i].a);
  return gt_tensor_reshape(r, g, &as);
}

/* norm: y = sqrt(sum a^2);  da = g a / y, 0 at a = 0 (the convention at
   the kink) */
void
gt_tensor_fwd_norm(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  GtNode *n = &t->nodes[i];
  size_t sz = gt_node_size(t, n->a);
  mpfr_srcptr a = t->nodes[n->a].v;
  /* sqrt(sum of squares), scaled as hypot is: by 2^-e with 2^e just
     above the largest |a_k| (exact), so that the squares neither
     overflow nor underflow; one rounding per step */
  mpfr_exp_t e = MPFR_EMIN_MIN;
  int inf = 0, nan = 0;
  for (size_t k = 0; k < sz; k++) {
    if (mpfr_nan_p(&a[k]))
      nan = 1;
    else if (mpfr_inf_p(&a[k]))
      inf = 1;
    else if (!mpfr_zero_p(&a[k]) && mpfr_get_exp(&a[k]) > e)
      e = mpfr_get_exp(&a[k]);
  }
  if (inf || nan || e == MPFR_EMIN_MIN) {
    /* an infinite element wins over NaN, as in hypot */
    if (inf)
      mpfr_set_inf(n->v, 1);
    else if (nan)
      mpfr_set_nan(n->v);
    else
      mpfr_set_zero(n->v, 1);
    return;
  }
  mpfr_set_zero(n->v, 1);
  for (size_t k = 0; k < sz; k++) {
    mpfr_mul_2si(tmp, &a[k], -e, RND);
    mpfr_sqr(tmp, tmp, RND);
    mpfr_add(n->v, n->v, tmp, RND);
  }
  mpfr_sqrt(n->v, n->v, RND);
  mpfr_mul_2si(n->v, n->v, e, RND);
}

int
gt_tensor_adj_norm(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                   mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k;
  const GtNode *n = &t->nodes[i];
  mpfr_ptr tmp = scratch;
  /* a / |a| is at most 1, so it neither overflows nor underflows */
  if (mpfr_zero_p(n->v))
    return 0;
  size_t sz = gt_node_size(t, n->a);
  for (size_t j = 0; j < sz; j++) {
    mpfr_div(tmp, &t->nodes[n->a].v[j], n->v, RND);
    mpfr_mul(tmp, tmp, g, RND);
    mpfr_add(&acc[j], &acc[j], tmp, RND);
  }
  return 0;
}

int32_t
gt_tensor_radj_norm(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  int32_t a = r->tape->nodes[i].a;
  if (mpfr_zero_p(r->tape->nodes[i].v))
    return -1;
  int32_t q = gt_rec_op(r, GT_OP_DIV, a, i, -1);
  return gt_rec_op(r, GT_OP_MUL, q, g, -1);
}

/* view: y = the elements of a at views[param];  da = g scattered there */
void
gt_tensor_fwd_view(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  GtView vt;
  const GtView *v = gt_view_at(t, n->param, &vt);
  GtStrideWalk w;
  gt_stride_walk_init(&w, &ys, v->stride, (long)v->offset);
  for (size_t k = 0; k < ys.size; k++, gt_stride_walk_next(&w))
    mpfr_set(&n->v[k], &t->nodes[n->a].v[w.off], RND);
}

int
gt_tensor_adj_view(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                   mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k; (void)scratch;
  const GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  GtView vt;
  const GtView *v = gt_view_at(t, n->param, &vt);
  GtStrideWalk w;
  gt_stride_walk_init(&w, &ys, v->stride, (long)v->offset);
  for (size_t j = 0; j < ys.size; j++, gt_stride_walk_next(&w))
    mpfr_add(&acc[w.off], &acc[w.off], &g[j], RND);
  return 0;
}

int32_t
gt_tensor_radj_view(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  GtNode n = r->tape->nodes[i];
  GtShape as = shape_of(r->tape, n.a);
  return scatter(r, g, n.param, &as);
}

/* scatter: y = zeros plus a at views[param];  da = the view of g */
void
gt_tensor_fwd_scatter(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  GtView vt;
  const GtView *v = gt_view_at(t, n->param, &vt);
  GtShape as = shape_of(t, n->a);
  for (size_t k = 0; k < ys.size; k++)
    mpfr_set_zero(&n->v[k], 1);
  GtStrideWalk w;
  gt_stride_walk_init(&w, &as, v->stride, (long)v->offset);
  for (size_t k = 0; k < as.size; k++, gt_stride_walk_next(&w))
    mpfr_add(&n->v[w.off], &n->v[w.off], &t->nodes[n->a].v[k], RND);
}

int
gt_tensor_adj_scatter(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                      mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)k; (void)scratch;
  const GtNode *n = &t->nodes[i];
  GtView vt;
  const GtView *v = gt_view_at(t, n->param, &vt);
  GtShape as = shape_of(t, n->a);
  GtStrideWalk w;
  gt_stride_walk_init(&w, &as, v->stride, (long)v->offset);
  for (size_t j = 0; j < as.size; j++, gt_stride_walk_next(&w))
    mpfr_add(&acc[j], &acc[j], &g[w.off], RND);
  return 0;
}

int32_t
gt_tensor_radj_scatter(GtRec *r, int32_t i, int k, int32_t g)
{
  (void)k;
  GtNode n = r->tape->nodes[i];
  GtShape as = shape_of(r->tape, n.a);
  return view_p(r, g, n.param, &as);
}

/* setview: y = a with views[param] replaced by b (already broadcast to
   the view's shape by the builder);  da = g outside the view, db = the
   view of g */
void
gt_tensor_fwd_setview(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  GtView vt;
  const GtView *v = gt_view_at(t, n->param, &vt);
  GtShape bs = shape_of(t, n->b);
  for (size_t k = 0; k < ys.size; k++)
    mpfr_set(&n->v[k], &t->nodes[n->a].v[k], RND);
  GtStrideWalk w;
  gt_stride_walk_init(&w, &bs, v->stride, (long)v->offset);
  for (size_t k = 0; k < bs.size; k++, gt_stride_walk_next(&w))
    mpfr_set(&n->v[w.off], &t->nodes[n->b].v[k], RND);
}

int
gt_tensor_adj_setview(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                      mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)scratch;
  const GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  GtView vt;
  const GtView *v = gt_view_at(t, n->param, &vt);
  GtShape bs = shape_of(t, n->b);
  GtStrideWalk w;
  gt_stride_walk_init(&w, &bs, v->stride, (long)v->offset);
  if (k == 0) {
    /* everything but the replaced elements */
    unsigned char *hit = calloc(ys.size ? ys.size : 1, 1);
    if (hit == NULL)
      return -1;
    for (size_t j = 0; j < bs.size; j++, gt_stride_walk_next(&w))
      hit[w.off] = 1;
    for (size_t j = 0; j < ys.size; j++)
      if (!hit[j])
        mpfr_add(&acc[j], &acc[j], &g[j], RND);
    free(hit);
  } else
    for (size_t j = 0; j < bs.size; j++, gt_stride_walk_next(&w))
      mpfr_add(&acc[j], &acc[j], &g[w.off], RND);
  return 0;
}

int32_t
gt_tensor_radj_setview(GtRec *r, int32_t i, int k, int32_t g)
{
  GtNode n = r->tape->nodes[i];
  GtShape bs = shape_of(r->tape, n.b);
  if (k == 0)
    return setview_p(r, g, gt_rec_zeros(r, &bs), n.param);
  return view_p(r, g, n.param, &bs);
}

/* ---- assemble (issue 13 item 3) ---------------------------------------------- */

int32_t
gt_tensor_assemble(GtRec *r, const GtShape *s, int32_t base,
                   const int32_t *ops, const uint32_t *params, size_t n)
{
  GtTape *t = r->tape;
  int has = base >= 0;
  size_t m = n + (size_t)has;
  int32_t *all = gt_arena_alloc(&t->vals, (m + n + 1) * sizeof *all);
  if (all == NULL || m > INT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  if (has)
    all[0] = base;
  memcpy(all + has, ops, n * sizeof *ops);
  for (size_t k = 0; k < n; k++)
    all[m + k] = (int32_t)params[k];
  long off = gt_tape_xargs(t, all, m + n);
  if (off < 0 || off > INT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  int32_t i = gt_rec_push_shaped(r, GT_OP_ASSEMBLE, (int32_t)off,
                                 (int32_t)m, -1, s);
  t->nodes[i].flags |= GT_NF_NARY;
  t->nodes[i].aux = (uint16_t)has;
  return finish(r, i);
}

/* The view of operand k >= aux of assemble node n. */
static const GtView *
assemble_view(const GtTape *t, const GtNode *n, size_t k, GtView *tmp)
{
  return gt_view_at(t, (uint32_t)t->xargs[n->a + n->b + (int32_t)k - n->aux],
                    tmp);
}

void
gt_tensor_fwd_assemble(GtTape *t, int32_t i, mpfr_ptr tmp)
{
  (void)tmp;
  GtNode *n = &t->nodes[i];
  GtShape ys = shape_of(t, i);
  const int32_t *ops = t->xargs + n->a;
  for (size_t e = 0; e < ys.size; e++) {
    if (n->aux)
      mpfr_set(&n->v[e], &t->nodes[ops[0]].v[e], RND);
    else
      mpfr_set_zero(&n->v[e], 1);
  }
  for (size_t k = n->aux; k < (size_t)n->b; k++) {
    GtView vt;
    const GtView *v = assemble_view(t, n, k, &vt);
    GtShape as = shape_of(t, ops[k]);
    GtStrideWalk w;
    gt_stride_walk_init(&w, &as, v->stride, (long)v->offset);
    for (size_t j = 0; j < as.size; j++, gt_stride_walk_next(&w))
      mpfr_add(&n->v[w.off], &n->v[w.off], &t->nodes[ops[k]].v[j], RND);
  }
}

int
gt_tensor_adj_assemble(const GtTape *t, int32_t i, size_t k, mpfr_srcptr g,
                       mpfr_ptr acc, mpfr_ptr scratch)
{
  (void)scratch;
  const GtNode *n = &t->nodes[i];
  if (k < n->aux) {
    GtShape ys = shape_of(t, i);
    for (size_t e = 0; e < ys.size; e++)
      mpfr_add(&acc[e], &acc[e], &g[e], RND);
    return 0;
  }
  GtView vt;
  const GtView *v = assemble_view(t, n, k, &vt);
  GtShape as = shape_of(t, t->xargs[n->a + (int32_t)k]);
  GtStrideWalk w;
  gt_stride_walk_init(&w, &as, v->stride, (long)v->offset);
  for (size_t j = 0; j < as.size; j++, gt_stride_walk_next(&w))
    mpfr_add(&acc[j], &acc[j], &g[w.off], RND);
  return 0;
}

/* The adjoint of operand k: g itself for the base, else the view of g.
   When g is itself an assemble of single elements without a base (the
   adjoint of one element, as a Jacobian's row seeds it), the view of one
   element is the operands that landed there, or nothing (-1): no dense
   tensor is recorded for an element that receives no derivative. */
int32_t
gt_tensor_radj_assemble(GtRec *r, int32_t i, int k, int32_t g)
{
  GtTape *t = r->tape;
  GtNode n = t->nodes[i];
  if ((uint32_t)k < n.aux)
    return g;
  uint32_t param = (uint32_t)t->xargs[n.a + n.b + k - (int32_t)n.aux];
  int32_t op = t->xargs[n.a + k];
  GtShape as = shape_of(t, op);
  GtNode gn = t->nodes[g];
  if (as.size == 1 && gn.op == GT_OP_SCATTER
      && gt_node_size(t, gn.a) == 1) {
    /* one element scattered: it, or nothing */
    if (gt_view_offset(t, gn.param) == gt_view_offset(t, param))
      return gn.a;
    return -1;
  }
  if (as.size == 1 && gn.op == GT_OP_ASSEMBLE && gn.aux == 0) {
    size_t want = gt_view_offset(t, param);
    int32_t sum = -1;
    int sparse = 1;
    for (int32_t q = 0; q < gn.b && sparse; q++)
      sparse = gt_node_size(t, t->xargs[gn.a + q]) == 1;
    for (int32_t q = 0; q < gn.b && sparse; q++) {
      int32_t x = t->xargs[gn.a + q];
      uint32_t p = (uint32_t)t->xargs[gn.a + gn.b + q];
      if (gt_view_offset(t, p) != want)
        continue;
      sum = sum < 0 ? x : gt_rec_op(r, GT_OP_ADD, sum, x, -1);
      gn = t->nodes[g];   /* appending may move the nodes */
    }
    if (sparse)
      return sum;
  }
  return view_p(r, g, param, &as);
}
