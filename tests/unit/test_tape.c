/* test_tape.c -- unit tests of the recorded DAG (lib/tape.c)
 *
 * Tapes are built by hand: leaves and nodes pushed directly, values set
 * through MPFR.  What is checked: the invariants the sweeps rely on (node
 * indices in push order, operands kept, every value a number of the tape's
 * precision that holds what is stored in it, also after the node array has
 * grown and moved), the limits (max_nodes, max_elems), the tables a tape
 * keeps beside its nodes (shapes deduplicated with size = product of the
 * dims, n-ary operand lists, views, call frames, guards) and the search for
 * the node where a NaN first appeared.  Expected numbers are closed forms:
 * k/3 stored at 200 bits reads back as MPFR's own rounding of k/3.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PREC 200

/* A fresh tape at PREC bits, at most max_nodes nodes. */
static void
open_tape(GtTape *t, size_t max_nodes)
{
  assert_int_equal(gt_tape_init(t, PREC, max_nodes), 0);
}

/* A scalar leaf holding k / 3 (rounded to nearest at PREC bits). */
static int32_t
third(GtTape *t, long k)
{
  int32_t i = gt_tape_push(t, GT_OP_INPUT, -1, -1, -1, 0, 0);
  assert_true(i >= 0);
  mpfr_set_si(t->nodes[i].v, k, MPFR_RNDN);
  mpfr_div_ui(t->nodes[i].v, t->nodes[i].v, 3, MPFR_RNDN);
  return i;
}

/* Does node i hold k / 3 exactly as MPFR rounds it at PREC bits? */
static int
holds_third(const GtTape *t, int32_t i, long k)
{
  mpfr_t want;
  mpfr_init2(want, PREC);
  mpfr_set_si(want, k, MPFR_RNDN);
  mpfr_div_ui(want, want, 3, MPFR_RNDN);
  int ok = mpfr_get_prec(t->nodes[i].v) == PREC
           && mpfr_equal_p(t->nodes[i].v, want);
  mpfr_clear(want);
  return ok;
}

static uint32_t
shape_of(GtTape *t, int rank, const size_t *dims)
{
  GtShape s;
  memset(&s, 0, sizeof s);
  s.rank = rank;
  s.size = 1;
  for (int d = 0; d < rank; d++) {
    s.dim[d] = dims[d];
    s.size *= dims[d];
  }
  return gt_tape_shape(t, &s);
}

/* ---- nodes ---- */

/* Indices follow push order, operands and sites are kept, and numbers are
   zero until set. */
static void
test_push_order(void **state)
{
  (void)state;
  GtTape t;
  open_tape(&t, 100);
  assert_int_equal(t.n, 0);
  assert_int_equal(t.nframes, 1);      /* the top level */
  assert_int_equal(t.nshapes, 1);      /* the scalar */
  assert_int_equal(t.shapes[0].size, 1);
  int32_t a = third(&t, 1), b = third(&t, 2);
  int32_t c = gt_tape_push(&t, GT_OP_ADD, a, b, -1, 7, 0);
  assert_int_equal(a, 0);
  assert_int_equal(b, 1);
  assert_int_equal(c, 2);
  assert_int_equal(t.n, 3);
  assert_int_equal(t.nodes[c].op, GT_OP_ADD);
  assert_int_equal(t.nodes[c].a, a);
  assert_int_equal(t.nodes[c].b, b);
  assert_int_equal(t.nodes[c].c, -1);
  assert_int_equal(t.nodes[c].site, 7);
  assert_int_equal(t.nodes[c].shape, 0);
  assert_int_equal(t.nodes[c].flags, 0);
  /* a fresh value is +0 at the tape's precision */
  assert_true(mpfr_zero_p(t.nodes[c].v));
  assert_int_equal(mpfr_signbit(t.nodes[c].v), 0);
  assert_int_equal(mpfr_get_prec(t.nodes[c].v), PREC);
  assert_true(holds_third(&t, a, 1));
  assert_true(holds_third(&t, b, 2));
  gt_tape_free(&t);
}

/* 5000 nodes on a malloc'd array that starts at 1024: it is reallocated
   (moved) several times, the values stay where they were and keep what
   was stored, and the byte count grows with the tape. */
static void
test_growth_keeps_values(void **state)
{
  (void)state;
  GtTape t;
  open_tape(&t, 10000);
  assert_int_equal(t.mapped, 0);
  size_t empty = gt_tape_bytes(&t);
  for (long k = 0; k < 5000; k++)
    assert_int_equal(third(&t, k - 2500), (int32_t)k);
  assert_true(t.cap >= 5000);
  for (long k = 0; k < 5000; k += 7)
    assert_true(holds_third(&t, (int32_t)k, k - 2500));
  assert_true(gt_tape_bytes(&t) > empty + 5000 * sizeof(GtNode));
  gt_tape_free(&t);
  /* gt_tape_free leaves an empty tape: a second free is harmless */
  assert_null(t.nodes);
  assert_int_equal(t.n, 0);
  gt_tape_free(&t);
}

/* A tape large enough to be reserved by mmap grows in place. */
static void
test_reserved_tape(void **state)
{
  (void)state;
  GtTape t;
  size_t max = ((size_t)1 << 25) / sizeof(GtNode);  /* 32 MiB of nodes */
  open_tape(&t, max);
  if (t.mapped == 0)
    skip();                 /* mmap refused: the malloc path is tested above */
  assert_int_equal(t.cap, max);
  GtNode *before = t.nodes;
  for (long k = 0; k < 3000; k++)
    third(&t, k);
  assert_ptr_equal(t.nodes, before);
  assert_true(holds_third(&t, 2999, 2999));
  gt_tape_free(&t);
}

/* max_nodes: the push after the last allowed one returns -2 and changes
   nothing; max_elems: a tensor with more elements returns -3. */
static void
test_limits(void **state)
{
  (void)state;
  GtTape t;
  open_tape(&t, 3);
  for (int k = 0; k < 3; k++)
    assert_int_equal(third(&t, k), k);
  assert_int_equal(gt_tape_push(&t, GT_OP_CONST, -1, -1, -1, 0, 0), -2);
  assert_int_equal(t.n, 3);
  gt_tape_free(&t);

  open_tape(&t, 100);
  t.max_elems = 6;
  uint32_t s6 = shape_of(&t, 2, (size_t[]){ 2, 3 });
  uint32_t s8 = shape_of(&t, 1, (size_t[]){ 8 });
  assert_int_equal(gt_tape_push_shaped(&t, GT_OP_CONST, -1, -1, -1, s8, 0, 0),
                   -3);
  assert_int_equal(t.n, 0);
  assert_int_equal(gt_tape_push_shaped(&t, GT_OP_CONST, -1, -1, -1, s6, 0, 0),
                   0);
  gt_tape_free(&t);
}

/* ---- shapes and tensors ---- */

static void
test_shapes(void **state)
{
  (void)state;
  GtTape t;
  open_tape(&t, 100);
  GtShape scalar;
  memset(&scalar, 0, sizeof scalar);
  scalar.size = 1;
  assert_int_equal(gt_tape_shape(&t, &scalar), 0);
  uint32_t a = shape_of(&t, 2, (size_t[]){ 2, 3 });
  uint32_t b = shape_of(&t, 2, (size_t[]){ 3, 2 });
  uint32_t c = shape_of(&t, 3, (size_t[]){ 2, 3, 4 });
  uint32_t z = shape_of(&t, 1, (size_t[]){ 0 });
  assert_true(a != 0 && b != 0 && c != 0 && z != 0);
  assert_true(a != b && a != c && b != c && z != a);
  /* the same dims again: the same entry */
  assert_int_equal(shape_of(&t, 2, (size_t[]){ 2, 3 }), a);
  assert_int_equal(shape_of(&t, 3, (size_t[]){ 2, 3, 4 }), c);
  assert_int_equal(t.shapes[a].size, 6);
  assert_int_equal(t.shapes[c].size, 24);
  assert_int_equal(t.shapes[z].size, 0);
  assert_int_equal(t.shapes[c].rank, 3);
  assert_int_equal(t.shapes[c].dim[2], 4);
  /* rank 1 of length 6 is not the 2x3 matrix */
  assert_true(shape_of(&t, 1, (size_t[]){ 6 }) != a);
  /* 100 distinct shapes: the table grows and keeps them apart */
  uint32_t first = shape_of(&t, 1, (size_t[]){ 1000 });
  for (size_t k = 1; k < 100; k++)
    assert_int_equal(shape_of(&t, 1, (size_t[]){ 1000 + k }), first + k);
  assert_int_equal(t.shapes[first + 99].size, 1099);
  gt_tape_free(&t);
}

/* A tensor node's elements are an array of numbers, each zero and
   independent; a node of shape (0,) has none but is still a node. */
static void
test_tensor_node(void **state)
{
  (void)state;
  GtTape t;
  open_tape(&t, 100);
  uint32_t s = shape_of(&t, 2, (size_t[]){ 2, 3 });
  int32_t i = gt_tape_push_shaped(&t, GT_OP_INPUT, -1, -1, -1, s, 0, 0);
  assert_true(i >= 0);
  assert_int_equal(gt_node_size(&t, i), 6);
  assert_int_equal(gt_node_shape(&t, i)->dim[1], 3);
  mpfr_ptr v = t.nodes[i].v;
  for (int k = 0; k < 6; k++) {
    assert_true(mpfr_zero_p(&v[k]));
    assert_int_equal(mpfr_get_prec(&v[k]), PREC);
  }
  for (int k = 0; k < 6; k++)
    mpfr_set_si(&v[k], k * k, MPFR_RNDN);
  int32_t j = third(&t, 5);     /* after the tensor: its limbs untouched */
  for (int k = 0; k < 6; k++)
    assert_int_equal(mpfr_cmp_si(&v[k], k * k), 0);
  assert_true(holds_third(&t, j, 5));
  uint32_t z = shape_of(&t, 1, (size_t[]){ 0 });
  assert_true(gt_tape_push_shaped(&t, GT_OP_CONST, -1, -1, -1, z, 0, 0) >= 0);
  gt_tape_free(&t);
}

/* ---- the side tables ---- */

static void
test_xargs_views_frames_guards(void **state)
{
  (void)state;
  GtTape t;
  open_tape(&t, 100);
  /* operand lists are appended one after the other */
  int32_t ops[200];
  for (int k = 0; k < 200; k++)
    ops[k] = k * 3;
  assert_int_equal(gt_tape_xargs(&t, ops, 5), 0);
  assert_int_equal(gt_tape_xargs(&t, ops + 5, 195), 5);
  assert_int_equal(t.nxargs, 200);
  for (int k = 0; k < 200; k++)
    assert_int_equal(t.xargs[k], k * 3);
  /* an n-ary node reads its operands from the list */
  int32_t x = third(&t, 1);
  int32_t y = third(&t, 2);
  int32_t list[2] = { x, y };
  long off = gt_tape_xargs(&t, list, 2);
  int32_t n = gt_tape_push(&t, GT_OP_ADD, (int32_t)off, 2, -1, 0, 0);
  t.nodes[n].flags |= GT_NF_NARY;
  int32_t buf[3];
  const int32_t *got;
  assert_int_equal(gt_node_operands(&t, n, buf, &got), 2);
  assert_int_equal(got[0], x);
  assert_int_equal(got[1], y);
  /* without the flag: a, b and c */
  t.nodes[n].flags = 0;
  assert_int_equal(gt_node_operands(&t, n, buf, &got), 3);
  assert_int_equal(got[0], (int32_t)off);

  /* views: indices in order, contents copied */
  for (size_t k = 0; k < 40; k++) {
    GtView v;
    memset(&v, 0, sizeof v);
    v.offset = k;
    v.stride[0] = -(long)k - 1;
    assert_int_equal(gt_tape_view(&t, &v), k);
  }
  assert_int_equal(t.views[33].offset, 33);
  assert_int_equal(t.views[33].stride[0], -34);
  /* one element (all strides 0): not stored, the offset is in the param */
  {
    GtView v, tmp;
    memset(&v, 0, sizeof v);
    v.offset = 123456;
    uint32_t p = gt_tape_view(&t, &v);
    assert_int_equal(p, GT_VIEW_INLINE | 123456u);
    assert_int_equal(t.nviews, 40);
    const GtView *w = gt_view_at(&t, p, &tmp);
    assert_int_equal(w->offset, 123456);
    for (int d = 0; d < GT_MAX_RANK; d++)
      assert_int_equal(w->stride[d], 0);
    assert_int_equal(gt_view_offset(&t, p), 123456);
    assert_int_equal(gt_view_offset(&t, 33), 33);
    assert_ptr_equal(gt_view_at(&t, 33, &tmp), &t.views[33]);
  }

  /* frames: record 0 is the top level, the others chain to their parent */
  uint32_t f = 0;
  for (uint32_t k = 1; k <= 100; k++) {
    uint32_t g = gt_tape_frame(&t, f, 1000 + k);
    assert_int_equal(g, k);
    f = g;
  }
  assert_int_equal(t.frames[0].parent, 0);
  assert_int_equal(t.frames[0].site, 0);
  assert_int_equal(t.frames[100].parent, 99);
  assert_int_equal(t.frames[100].site, 1100);

  /* guards: in run order */
  for (long k = 0; k < 150; k++)
    assert_int_equal(gt_tape_guard(&t, (int32_t)k, k % 2 ? GT_GUARD_INT
                                                          : GT_GUARD_TRUTH,
                                   k * k), 0);
  assert_int_equal(t.nguards, 150);
  assert_int_equal(t.guards[149].node, 149);
  assert_int_equal(t.guards[149].kind, GT_GUARD_INT);
  assert_int_equal(t.guards[149].value, 149 * 149);
  assert_int_equal(t.guards[148].kind, GT_GUARD_TRUTH);
  gt_tape_free(&t);
}

/* ---- NaN ---- */

/* x = 2, l = log(-x) is NaN, y = l * x and z = y + x: the NaN in z was
   made at l, not at x, y or z. */
static void
test_nan_origin_chain(void **state)
{
  (void)state;
  GtTape t;
  open_tape(&t, 100);
  int32_t x = third(&t, 6);  /* 2 */
  int32_t m = gt_tape_push(&t, GT_OP_NEG, x, -1, -1, 0, 0);
  mpfr_neg(t.nodes[m].v, t.nodes[x].v, MPFR_RNDN);
  int32_t l = gt_tape_push(&t, GT_OP_LOG, m, -1, -1, 0, 0);
  mpfr_log(t.nodes[l].v, t.nodes[m].v, MPFR_RNDN);
  int32_t y = gt_tape_push(&t, GT_OP_MUL, l, x, -1, 0, 0);
  mpfr_mul(t.nodes[y].v, t.nodes[l].v, t.nodes[x].v, MPFR_RNDN);
  int32_t z = gt_tape_push(&t, GT_OP_ADD, x, y, -1, 0, 0);
  mpfr_add(t.nodes[z].v, t.nodes[x].v, t.nodes[y].v, MPFR_RNDN);
  assert_false(gt_node_has_nan(&t, x));
  assert_false(gt_node_has_nan(&t, m));
  assert_true(gt_node_has_nan(&t, l));
  assert_true(gt_node_has_nan(&t, z));
  assert_int_equal(gt_tape_nan_origin(&t, z), l);
  assert_int_equal(gt_tape_nan_origin(&t, y), l);
  assert_int_equal(gt_tape_nan_origin(&t, l), l);
  gt_tape_free(&t);
}

/* where(c, p, q) passes on only the elements it selects: with c = [1, 0],
   p = [nan, 1] (NaN from sqrt(-1)) and q = [5, nan] (NaN from log(-1)),
   the result [nan, nan] got its first NaN from p (element 0 takes p), and
   the NaN elements of a tensor are found wherever they are. */
static void
test_nan_origin_where(void **state)
{
  (void)state;
  GtTape t;
  open_tape(&t, 100);
  uint32_t s = shape_of(&t, 1, (size_t[]){ 2 });
  int32_t c = gt_tape_push_shaped(&t, GT_OP_INPUT, -1, -1, -1, s, 0, 0);
  mpfr_set_ui(&t.nodes[c].v[0], 1, MPFR_RNDN);
  mpfr_set_ui(&t.nodes[c].v[1], 0, MPFR_RNDN);
  int32_t m1 = gt_tape_push(&t, GT_OP_CONST, -1, -1, -1, 0, 0);
  mpfr_set_si(t.nodes[m1].v, -1, MPFR_RNDN);
  int32_t p = gt_tape_push_shaped(&t, GT_OP_SQRT, m1, -1, -1, s, 0, 0);
  mpfr_sqrt(&t.nodes[p].v[0], t.nodes[m1].v, MPFR_RNDN);
  mpfr_set_ui(&t.nodes[p].v[1], 1, MPFR_RNDN);
  int32_t q = gt_tape_push_shaped(&t, GT_OP_LOG, m1, -1, -1, s, 0, 0);
  mpfr_set_ui(&t.nodes[q].v[0], 5, MPFR_RNDN);
  mpfr_log(&t.nodes[q].v[1], t.nodes[m1].v, MPFR_RNDN);
  int32_t w = gt_tape_push_shaped(&t, GT_OP_WHERE, c, p, q, s, 0, 0);
  mpfr_set(&t.nodes[w].v[0], &t.nodes[p].v[0], MPFR_RNDN);
  mpfr_set(&t.nodes[w].v[1], &t.nodes[q].v[1], MPFR_RNDN);
  assert_true(gt_node_has_nan(&t, q));   /* its NaN is element 1 */
  assert_int_equal(gt_tape_nan_origin(&t, w), p);
  /* element 0 selects q's 5 instead: the first NaN comes from q */
  mpfr_set_ui(&t.nodes[c].v[0], 0, MPFR_RNDN);
  mpfr_set(&t.nodes[w].v[0], &t.nodes[q].v[0], MPFR_RNDN);
  assert_int_equal(gt_tape_nan_origin(&t, w), q);
  gt_tape_free(&t);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_push_order),
    cmocka_unit_test(test_growth_keeps_values),
    cmocka_unit_test(test_reserved_tape),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_shapes),
    cmocka_unit_test(test_tensor_node),
    cmocka_unit_test(test_xargs_views_frames_guards),
    cmocka_unit_test(test_nan_origin_chain),
    cmocka_unit_test(test_nan_origin_where),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
