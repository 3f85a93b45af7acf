/* arena.c -- bump allocation in chunks, freed whole.
 *
 * Parses and recordings allocate many small objects that all die
 * together, so they come from an arena: allocation is a pointer bump,
 * and freeing is one pass over the chunk list.
 *
 * Under AddressSanitizer (issue 11) the chunks are poisoned with its
 * manual interface: a chunk is poisoned when made, each allocation
 * unpoisons exactly the bytes asked for, and a chunk is unpoisoned only
 * to be given back.  So a read past the end of an arena object (element 0
 * of an empty tensor, which asked for no bytes), of the padding between
 * objects or of the unused rest of a chunk is reported like a heap
 * overflow, although it stays inside memory the arena owns.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(GT_ASAN)
#define GT_ASAN 1
#endif
#ifdef GT_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct GtChunk {
  GtChunk *next;
  size_t cap;
  size_t mapped;    /* bytes mapped with mmap, 0 when from malloc */
  /* keeps the payload 16-byte aligned on every ABI we build for */
  _Alignas(16) unsigned char data[];
};

#define GT_ARENA_MIN_CHUNK ((size_t)1 << 16)
#define GT_ARENA_ALIGN ((size_t)16)
#define GT_HUGE ((size_t)2 << 20)   /* a transparent huge page */

/* A big chunk comes straight from mmap (2 MiB aligned), so that freeing
   it returns it to the system at once, and is advised NOT to use
   transparent huge pages: a fault on a madvised huge page may compact
   memory first, and the kernel zeroes 2 MiB where a few KiB are used.
   Measured on W1 (value and gradient, 128 bits): at n = 1e6 huge pages
   made the whole run 20-25% slower (4.6-4.9 s against 3.8-4.0 s for the
   tensor form, 5.8-6.1 s against 4.3-4.7 s for the loop), so that the
   time per element grew by a third from n = 1e5 to 1e6 (4 KiB pages:
   3 to 11%), and at n = 1e5 the peak was 91 MB against 77 MB. */
static GtChunk *
new_chunk(size_t bytes)
{
  if (bytes >= GT_HUGE) {
    size_t len = (bytes + GT_HUGE - 1) & ~(GT_HUGE - 1);
    unsigned char *p = mmap(NULL, len + GT_HUGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      /* trim to an aligned start so that whole huge pages fit */
      uintptr_t a = ((uintptr_t)p + GT_HUGE - 1) & ~(uintptr_t)(GT_HUGE - 1);
      size_t head = a - (uintptr_t)p;
      if (head)
        munmap(p, head);
      if (GT_HUGE - head)
        munmap((unsigned char *)a + len, GT_HUGE - head);
#ifdef MADV_NOHUGEPAGE
      madvise((void *)a, len, MADV_NOHUGEPAGE);
#endif
      GtChunk *c = (GtChunk *)a;
      c->mapped = len;
      return c;
    }
  }
  GtChunk *c = malloc(bytes);
  if (c != NULL)
    c->mapped = 0;
  return c;
}

void *
gt_arena_alloc(GtArena *a, size_t n)
{
  size_t asked = n;
  if (n > SIZE_MAX - GT_ARENA_ALIGN)
    return NULL;
  n = (n + GT_ARENA_ALIGN - 1) & ~(GT_ARENA_ALIGN - 1);
  if (n == 0)
    n = GT_ARENA_ALIGN;
  if (a->head == NULL || a->cap - a->used < n) {
    /* chunks grow with the arena so the list stays short */
    size_t cap = GT_ARENA_MIN_CHUNK;
    if (a->total / 2 > cap)
      cap = a->total / 2;
    if (cap > ((size_t)64 << 20))
      cap = (size_t)64 << 20;
    if (cap < n)
      cap = n;
    if (cap > SIZE_MAX - sizeof(GtChunk) - GT_HUGE)
      return NULL;
    GtChunk *c = new_chunk(sizeof(GtChunk) + cap);
    if (c == NULL)
      return NULL;
    if (c->mapped)
      cap = c->mapped - sizeof(GtChunk);
    c->next = a->head;
    c->cap = cap;
    POISON(c->data, cap);
    a->head = c;
    a->used = 0;
    a->cap = cap;
    a->total += sizeof(GtChunk) + cap;
  }
  void *p = a->head->data + a->used;
  a->used += n;
  UNPOISON(p, asked);
  return p;
}

void *
gt_arena_zalloc(GtArena *a, size_t n)
{
  void *p = gt_arena_alloc(a, n);
  if (p != NULL)
    memset(p, 0, n);
  return p;
}

char *
gt_arena_strndup(GtArena *a, const char *s, size_t n)
{
  char *p = gt_arena_alloc(a, n + 1);
  if (p != NULL) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

/* Keeps the newest chunk (the largest) for reuse, frees the others. */
void
gt_arena_reset(GtArena *a)
{
  if (a->head == NULL)
    return;
  GtChunk *keep = a->head;
  a->head = keep->next;
  gt_arena_free(a);
  keep->next = NULL;
  POISON(keep->data, keep->cap);
  a->head = keep;
  a->used = 0;
  a->cap = keep->cap;
  a->total = sizeof(GtChunk) + keep->cap;
}

void
gt_arena_free(GtArena *a)
{
  GtChunk *c = a->head;
  while (c != NULL) {
    GtChunk *next = c->next;
    /* the shadow of mapped memory outlives munmap: clear it */
    UNPOISON(c->data, c->cap);
    if (c->mapped)
      munmap(c, c->mapped);
    else
      free(c);
    c = next;
  }
  a->head = NULL;
  a->used = a->cap = a->total = 0;
}
