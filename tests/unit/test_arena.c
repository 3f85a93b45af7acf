/* test_arena.c -- unit tests of the bump allocator (lib/arena.c)
 *
 * Every block must be 16-byte aligned, usable for its whole size, and
 * disjoint from every other block; blocks larger than a chunk must work;
 * free must accept an empty arena and leave a reusable one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int
aligned16(const void *p)
{
  return ((uintptr_t)p & 15u) == 0;
}

static void
test_alignment(void **state)
{
  (void)state;
  GtArena a = { 0 };
  /* odd sizes, so that a careless bump would misalign the next block */
  static const size_t sizes[] = { 1, 3, 7, 15, 16, 17, 31, 33, 100, 1,
                                  0, 5, 4095, 2, 9 };
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    unsigned char *p = gt_arena_alloc(&a, sizes[i]);
    assert_non_null(p);
    assert_true(aligned16(p));
    memset(p, 0xAB, sizes[i]); /* the whole block is writable */
  }
  gt_arena_free(&a);
}

static void
test_zero_size_distinct(void **state)
{
  (void)state;
  GtArena a = { 0 };
  void *p = gt_arena_alloc(&a, 0);
  void *q = gt_arena_alloc(&a, 0);
  assert_non_null(p);
  assert_non_null(q);
  assert_ptr_not_equal(p, q);
  gt_arena_free(&a);
}

static void
test_large_block(void **state)
{
  (void)state;
  GtArena a = { 0 };
  /* a small block first, then blocks bigger than any default chunk */
  unsigned char *small = gt_arena_alloc(&a, 10);
  assert_non_null(small);
  memset(small, 0x11, 10);
  size_t big = (size_t)1 << 20; /* 1 MiB, well above the 64 KiB chunk */
  unsigned char *p = gt_arena_alloc(&a, big);
  assert_non_null(p);
  assert_true(aligned16(p));
  memset(p, 0x5A, big);
  size_t huge = ((size_t)70 << 20) + 3; /* above the 64 MiB chunk cap */
  unsigned char *h = gt_arena_alloc(&a, huge);
  assert_non_null(h);
  assert_true(aligned16(h));
  h[0] = 1;
  h[huge - 1] = 2;
  /* the earlier blocks are intact */
  for (size_t i = 0; i < 10; i++)
    assert_int_equal(small[i], 0x11);
  assert_int_equal(p[0], 0x5A);
  assert_int_equal(p[big - 1], 0x5A);
  assert_true(a.total >= big + huge + 10);
  /* small blocks still come after a large one */
  unsigned char *after = gt_arena_alloc(&a, 24);
  assert_non_null(after);
  assert_true(aligned16(after));
  memset(after, 0, 24);
  assert_int_equal(h[huge - 1], 2);
  gt_arena_free(&a);
}

static void
test_zalloc_zeroes(void **state)
{
  (void)state;
  GtArena a = { 0 };
  /* dirty the first chunk, free it, and allocate again: a new chunk from
     malloc may reuse the dirty memory */
  for (int round = 0; round < 3; round++) {
    unsigned char *d = gt_arena_alloc(&a, 4096);
    assert_non_null(d);
    memset(d, 0xFF, 4096);
    unsigned char *z = gt_arena_zalloc(&a, 1000);
    assert_non_null(z);
    assert_true(aligned16(z));
    for (size_t i = 0; i < 1000; i++)
      assert_int_equal(z[i], 0);
    unsigned char *zb = gt_arena_zalloc(&a, (size_t)200000);
    assert_non_null(zb);
    for (size_t i = 0; i < 200000; i++)
      if (zb[i] != 0)
        fail_msg("byte %zu of a zalloc'd block is %d", i, zb[i]);
    gt_arena_free(&a);
  }
}

static void
test_strndup(void **state)
{
  (void)state;
  GtArena a = { 0 };
  const char *text = "hello, world";
  char *s = gt_arena_strndup(&a, text, 5);
  assert_non_null(s);
  assert_string_equal(s, "hello");
  char *e = gt_arena_strndup(&a, text, 0);
  assert_non_null(e);
  assert_string_equal(e, "");
  /* copies exactly n bytes, even past an embedded NUL */
  char *z = gt_arena_strndup(&a, "a\0b", 3);
  assert_non_null(z);
  assert_int_equal(z[0], 'a');
  assert_int_equal(z[1], '\0');
  assert_int_equal(z[2], 'b');
  assert_int_equal(z[3], '\0');
  /* a copy, not the original */
  char buf[8] = "abc";
  char *c = gt_arena_strndup(&a, buf, 3);
  buf[0] = 'X';
  assert_string_equal(c, "abc");
  assert_string_equal(s, "hello"); /* untouched by later allocations */
  gt_arena_free(&a);
}

static void
test_free_empty(void **state)
{
  (void)state;
  GtArena a = { 0 };
  gt_arena_free(&a);
  gt_arena_free(&a); /* twice: free leaves an empty arena */
  assert_null(a.head);
  assert_int_equal(a.total, 0);
  /* and the arena is usable again */
  char *s = gt_arena_strndup(&a, "again", 5);
  assert_non_null(s);
  assert_string_equal(s, "again");
  gt_arena_free(&a);
  assert_null(a.head);
  assert_int_equal(a.used, 0);
  assert_int_equal(a.cap, 0);
  assert_int_equal(a.total, 0);
}

/* Many blocks over many chunks: each keeps its own contents. */
static void
test_many(void **state)
{
  (void)state;
  GtArena a = { 0 };
  enum { N = 100000 };
  uint32_t **blocks = malloc(N * sizeof *blocks);
  assert_non_null(blocks);
  for (uint32_t i = 0; i < N; i++) {
    size_t words = 1 + i % 13;
    blocks[i] = gt_arena_alloc(&a, words * sizeof(uint32_t));
    assert_non_null(blocks[i]);
    assert_true(aligned16(blocks[i]));
    for (size_t k = 0; k < words; k++)
      blocks[i][k] = i * 31u + (uint32_t)k;
  }
  for (uint32_t i = 0; i < N; i++) {
    size_t words = 1 + i % 13;
    for (size_t k = 0; k < words; k++)
      if (blocks[i][k] != i * 31u + (uint32_t)k)
        fail_msg("block %u word %zu was overwritten", i, k);
  }
  /* at least the payload was obtained, and not absurdly more: rounded to
     16 bytes each block is at most 64 bytes, so 100000 blocks need
     6.4 MB; allow for chunk slack and growth */
  assert_true(a.total >= (size_t)N * 16);
  assert_true(a.total <= (size_t)N * 64 * 3);
  free(blocks);
  gt_arena_free(&a);
}

/* Under AddressSanitizer the arena poisons what no allocation asked for
   (issue 11): the bytes just past an object, an empty object, the rest of
   the chunk.  Elsewhere there is nothing to check. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(TEST_ASAN)
#define TEST_ASAN 1
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

static void
test_poisoned(void **state)
{
  (void)state;
#ifdef TEST_ASAN
  GtArena a = { 0 };
  unsigned char *p = gt_arena_alloc(&a, 24);
  assert_non_null(p);
  assert_false(__asan_address_is_poisoned(p));
  assert_false(__asan_address_is_poisoned(p + 23));
  assert_true(__asan_address_is_poisoned(p + 24));    /* padding */
  unsigned char *e = gt_arena_alloc(&a, 0);           /* an empty tensor */
  assert_non_null(e);
  assert_true(__asan_address_is_poisoned(e));
  assert_true(__asan_address_is_poisoned(e + 1000));  /* unused chunk */
  unsigned char *big = gt_arena_alloc(&a, (size_t)4 << 20); /* mmap'd */
  assert_non_null(big);
  assert_false(__asan_address_is_poisoned(big + ((size_t)4 << 20) - 1));
  gt_arena_free(&a);
#else
  skip();
#endif
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_alignment),
    cmocka_unit_test(test_zero_size_distinct),
    cmocka_unit_test(test_large_block),
    cmocka_unit_test(test_zalloc_zeroes),
    cmocka_unit_test(test_strndup),
    cmocka_unit_test(test_free_empty),
    cmocka_unit_test(test_many),
    cmocka_unit_test(test_poisoned),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
