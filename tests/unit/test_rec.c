/* test_rec.c -- unit tests of the recorder's broadcasting walk (lib/rec.c)
 *
 * A GtWalk over a shape must visit its elements in row-major order and
 * keep, for each operand, the offset NumPy's broadcasting gives: the
 * operand's dims align to the right, and an axis of size 1 (or missing)
 * repeats.  The expected offsets come from that rule written out
 * directly (multi-index from the flat index by division), not from the
 * strides the walk uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "internal.h"

static GtShape
shape(int rank, const size_t *dim)
{
  GtShape s;
  memset(&s, 0, sizeof s);
  s.rank = rank;
  s.size = 1;
  for (int d = 0; d < rank; d++) {
    s.dim[d] = dim[d];
    s.size *= dim[d];
  }
  return s;
}

/* The offset in `in` of the element of `out` with flat index e. */
static long
expected(const GtShape *out, const GtShape *in, size_t e)
{
  size_t idx[GT_MAX_RANK];
  for (int d = out->rank - 1; d >= 0; d--) {
    idx[d] = e % out->dim[d];
    e /= out->dim[d];
  }
  long off = 0, stride = 1;
  for (int d = in->rank - 1; d >= 0; d--) {
    int od = d + out->rank - in->rank;
    if (in->dim[d] != 1)
      off += (long)idx[od] * stride;
    stride *= (long)in->dim[d];
  }
  return off;
}

static void
test_walk_broadcast(void **state)
{
  (void)state;
  static const size_t od[] = { 2, 3, 4 };
  static const size_t a[] = { 3, 1 }, b[] = { 4 }, c[] = { 2, 1, 1 };
  GtShape out = shape(3, od);
  GtShape ins[3] = { shape(2, a), shape(1, b), shape(3, c) };
  GtWalk w;
  gt_rec_walk_init(&w, &out);
  for (int k = 0; k < 3; k++)
    assert_int_equal(gt_rec_walk_add(&w, &ins[k]), k);
  for (size_t e = 0; e < out.size; e++, gt_rec_walk_next(&w))
    for (int k = 0; k < 3; k++)
      assert_int_equal(w.off[k], expected(&out, &ins[k], e));
  /* back at the start after a whole pass */
  for (int k = 0; k < 3; k++)
    assert_int_equal(w.off[k], 0);
}

static void
test_walk_same_shape_scalar_and_absent(void **state)
{
  (void)state;
  static const size_t od[] = { 3, 2 };
  GtShape out = shape(2, od), same = shape(2, od), scalar = shape(0, NULL);
  GtWalk w;
  gt_rec_walk_init(&w, &out);
  gt_rec_walk_add(&w, &same);
  gt_rec_walk_add(&w, &scalar);
  gt_rec_walk_add(&w, NULL); /* an absent operand */
  for (size_t e = 0; e < out.size; e++, gt_rec_walk_next(&w)) {
    assert_int_equal(w.off[0], (long)e);
    assert_int_equal(w.off[1], 0);
    assert_int_equal(w.off[2], 0);
  }
}

static void
test_walk_rank0(void **state)
{
  (void)state;
  /* a scalar result has one element; stepping past it stays at 0 */
  GtShape out = shape(0, NULL), in = shape(0, NULL);
  GtWalk w;
  gt_rec_walk_init(&w, &out);
  gt_rec_walk_add(&w, &in);
  assert_int_equal(w.off[0], 0);
  gt_rec_walk_next(&w);
  assert_int_equal(w.off[0], 0);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_walk_broadcast),
    cmocka_unit_test(test_walk_same_shape_scalar_and_absent),
    cmocka_unit_test(test_walk_rank0),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
