/* tape.c -- the recorded DAG: nodes in execution order, with their values.
 *
 * Invariant: nodes are in topological order (an operand's index is always
 * smaller than its user's), so a reverse sweep is one backward pass.
 * Values live in an arena through MPFR's custom-allocation interface: one
 * bump per number and no mpfr_clear, which is both faster than
 * mpfr_init2 and frees the whole recording at once.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* The node array is reserved once for max_nodes (address space only: the
   pages are touched as the tape grows), so it never moves or copies.
   Where that fails, it grows by realloc. */
static int
reserve_nodes(GtTape *t)
{
  size_t n = t->max_nodes;
  if (n > (size_t)INT32_MAX)
    n = (size_t)INT32_MAX;
  if (n > SIZE_MAX / sizeof(GtNode) / 2)
    return -1;
  size_t bytes = n * sizeof(GtNode);
  if (bytes < ((size_t)1 << 24))
    return -1; /* small tapes: malloc is just as good */
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return -1;
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);
#endif
  t->nodes = p;
  t->cap = n;
  t->mapped = bytes;
  return 0;
}

int
gt_tape_init(GtTape *t, mpfr_prec_t prec, size_t max_nodes)
{
  memset(t, 0, sizeof *t);
  t->prec = prec;
  t->max_nodes = max_nodes;
  t->valsize = sizeof(__mpfr_struct) + mpfr_custom_get_size(prec);
  if (reserve_nodes(t) != 0) {
    t->cap = 1024;
    t->nodes = malloc(t->cap * sizeof *t->nodes);
  }
  t->framecap = 64;
  t->frames = malloc(t->framecap * sizeof *t->frames);
  if (t->nodes == NULL || t->frames == NULL) {
    gt_tape_free(t);
    return -1;
  }
  /* frame record 0 is the top level */
  t->frames[0].parent = 0;
  t->frames[0].site = 0;
  t->nframes = 1;
  return 0;
}

void
gt_tape_free(GtTape *t)
{
  if (t->mapped)
    munmap(t->nodes, t->mapped);
  else
    free(t->nodes);
  free(t->frames);
  free(t->guards);
  t->guards = NULL;
  t->nguards = t->guardcap = 0;
  gt_arena_free(&t->vals);
  t->nodes = NULL;
  t->frames = NULL;
  t->n = t->cap = t->nframes = t->framecap = t->mapped = 0;
}

mpfr_ptr
gt_tape_number(GtTape *t)
{
  if (t->valsize == 0)
    t->valsize = sizeof(__mpfr_struct) + mpfr_custom_get_size(t->prec);
  unsigned char *p = gt_arena_alloc(&t->vals, t->valsize);
  if (p == NULL)
    return NULL;
  mpfr_ptr x = (mpfr_ptr)p;
  void *d = p + sizeof(__mpfr_struct);
  mpfr_custom_init(d, t->prec);
  mpfr_custom_init_set(x, MPFR_ZERO_KIND, 0, t->prec, d);
  return x;
}

int32_t
gt_tape_push(GtTape *t, GtOp op, int32_t a, int32_t b, int32_t c,
             uint32_t site, uint32_t frame)
{
  if (t->n >= t->max_nodes || t->n >= (size_t)INT32_MAX)
    return -2;
  if (t->n == t->cap) {
    if (t->mapped)
      return -2; /* the reservation is max_nodes long */
    size_t cap = t->cap * 2;
    GtNode *nodes = realloc(t->nodes, cap * sizeof *nodes);
    if (nodes == NULL)
      return -1;
    t->nodes = nodes;
    t->cap = cap;
  }
  mpfr_ptr v = gt_tape_number(t);
  if (v == NULL)
    return -1;
  GtNode *n = &t->nodes[t->n];
  n->op = (uint8_t)op;
  n->flags = 0;
  n->aux = 0;
  n->a = a;
  n->b = b;
  n->c = c;
  n->site = site;
  n->frame = frame;
  n->v = v;
  return (int32_t)t->n++;
}

uint32_t
gt_tape_frame(GtTape *t, uint32_t parent, uint32_t site)
{
  if (t->nframes == t->framecap) {
    size_t cap = t->framecap * 2;
    GtFrameRec *f = realloc(t->frames, cap * sizeof *f);
    if (f == NULL || cap > UINT32_MAX - 1)
      return UINT32_MAX;
    t->frames = f;
    t->framecap = cap;
  }
  t->frames[t->nframes].parent = parent;
  t->frames[t->nframes].site = site;
  return (uint32_t)t->nframes++;
}

int
gt_tape_guard(GtTape *t, int32_t node, int kind, long value)
{
  if (t->nguards == t->guardcap) {
    size_t cap = t->guardcap ? t->guardcap * 2 : 64;
    GtGuard *g = realloc(t->guards, cap * sizeof *g);
    if (g == NULL)
      return -1;
    t->guards = g;
    t->guardcap = cap;
  }
  GtGuard *g = &t->guards[t->nguards++];
  g->node = node;
  g->kind = kind;
  g->value = value;
  return 0;
}

size_t
gt_tape_bytes(const GtTape *t)
{
  /* a reserved node array counts only as far as it is used */
  size_t nodes = t->mapped ? t->n : t->cap;
  return nodes * sizeof *t->nodes + t->framecap * sizeof *t->frames
         + t->vals.total;
}

int32_t
gt_tape_nan_origin(const GtTape *t, int32_t i)
{
  for (;;) {
    const GtNode *n = &t->nodes[i];
    int32_t next = -1;
    int32_t ops[3] = { n->a, n->b, n->c };
    /* where() passes on only the operand it selected */
    if (n->op == GT_OP_WHERE) {
      ops[0] = mpfr_nan_p(t->nodes[n->a].v) ? n->a : -1;
      ops[1] = mpfr_zero_p(t->nodes[n->a].v) ? -1 : n->b;
      ops[2] = mpfr_zero_p(t->nodes[n->a].v) ? n->c : -1;
    }
    for (int k = 0; k < 3; k++)
      if (ops[k] >= 0 && mpfr_nan_p(t->nodes[ops[k]].v)) {
        next = ops[k];
        break;
      }
    if (next < 0)
      return i;
    i = next;
  }
}
