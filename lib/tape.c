/* tape.c -- the recorded DAG: nodes in execution order, with their values.
 *
 * Invariant: nodes are in topological order (an operand's index is always
 * smaller than its user's), so a reverse sweep is one backward pass.
 * Values live in an arena through MPFR's custom-allocation interface: one
 * bump per number and no mpfr_clear, which is both faster than
 * mpfr_init2 and frees the whole recording at once.  Also here: shapes
 * and NumPy's broadcasting rules, and queries on a finished tape (which
 * nodes a node uses, where a NaN came from, whether a value overflowed),
 * which the sweeps and the recorder share; nothing here records.
 */
#define _DEFAULT_SOURCE
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define GT_VIEW_CACHE 4096 /* entries of a tape's view cache */

/* The node array is reserved once for max_nodes (address space only: the
   pages are touched as the tape grows), so it never moves or copies.
   Where that fails, it grows by realloc.  No transparent huge pages, as
   for the arena's chunks (arena.c says why). */
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
#ifdef MADV_NOHUGEPAGE
  madvise(p, bytes, MADV_NOHUGEPAGE);
#endif
  t->nodes = p;
  t->cap = n;
  t->mapped = bytes;
  return 0;
}

/* Room for `need` entries of elsize bytes in the array p of *cap
   entries: p itself when it has room, else p grown by doubling (from
   `first` entries when empty) with *cap updated.  NULL, and p untouched,
   when out of memory or when more than `limit` entries would be needed
   (the tables indexed by uint32_t stop below UINT32_MAX). */
static void *
grow(void *p, size_t *cap, size_t need, size_t elsize, size_t first,
     size_t limit)
{
  if (need <= *cap)
    return p;
  size_t c = *cap ? *cap : first;
  while (c < need)
    c = c > limit / 2 ? need : c * 2;
  if (c > limit || c > SIZE_MAX / elsize)
    return NULL;
  void *v = realloc(p, c * elsize);
  if (v != NULL)
    *cap = c;
  return v;
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
  t->shapecap = 16;
  t->shapes = malloc(t->shapecap * sizeof *t->shapes);
  if (t->shapes == NULL) {
    gt_tape_free(t);
    return -1;
  }
  memset(&t->shapes[0], 0, sizeof t->shapes[0]);
  t->shapes[0].size = 1; /* the scalar */
  t->nshapes = 1;
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
  free(t->shapes);
  free(t->xargs);
  free(t->views);
  t->shapes = NULL;
  t->xargs = NULL;
  t->views = NULL;
  t->nshapes = t->shapecap = t->nxargs = t->xargcap = t->nviews = 0;
  t->viewcap = 0;
  free(t->viewcache);
  t->viewcache = NULL;
  free(t->guards);
  t->guards = NULL;
  t->nguards = t->guardcap = 0;
  free(t->leafsrc);
  t->leafsrc = NULL;
  t->nleafsrc = t->leafsrccap = 0;
  gt_arena_free(&t->vals);
  t->nodes = NULL;
  t->frames = NULL;
  t->n = t->cap = t->nframes = t->framecap = t->mapped = 0;
}

/* Resets are for the small tapes made again and again (a derivative's
   results for every --batch row): a big one is freed instead, so that a
   session does not hold its memory between calls. */
#define GT_TAPE_KEEP ((size_t)1 << 20)

int
gt_tape_reset(GtTape *t)
{
  if (t->mapped || t->vals.total > GT_TAPE_KEEP
      || t->cap * sizeof *t->nodes > GT_TAPE_KEEP) {
    gt_tape_free(t);
    return -1;
  }
  t->n = 0;
  t->nframes = 1;
  t->nshapes = 1;
  t->nxargs = 0;
  t->nviews = 0;
  if (t->viewcache != NULL)
    memset(t->viewcache, 0, GT_VIEW_CACHE * sizeof *t->viewcache);
  t->nguards = 0;
  t->nleafsrc = 0;
  t->run_nodes = 0;
  t->no_replay = 0;
  gt_arena_reset(&t->vals);
  return 0;
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

mpfr_ptr
gt_tape_numbers(GtTape *t, size_t n)
{
  if (t->valsize == 0)
    t->valsize = sizeof(__mpfr_struct) + mpfr_custom_get_size(t->prec);
  size_t limbs = t->valsize - sizeof(__mpfr_struct);
  if (n == 0)
    n = 1;
  if (n > SIZE_MAX / t->valsize)
    return NULL;
  /* the structs first, then the limbs: an array MPFR functions can index */
  unsigned char *p = gt_arena_alloc(&t->vals, n * t->valsize);
  if (p == NULL)
    return NULL;
  mpfr_ptr x = (mpfr_ptr)p;
  unsigned char *d = p + n * sizeof(__mpfr_struct);
  for (size_t k = 0; k < n; k++) {
    mpfr_custom_init(d + k * limbs, t->prec);
    mpfr_custom_init_set(&x[k], MPFR_ZERO_KIND, 0, t->prec, d + k * limbs);
  }
  return x;
}

uint32_t
gt_tape_shape(GtTape *t, const GtShape *s)
{
  if (s->rank == 0)
    return 0;
  /* recent shapes first: loops make the same shapes again and again */
  size_t look = t->nshapes < 64 ? t->nshapes : 64;
  for (size_t k = 0; k < look; k++) {
    const GtShape *o = &t->shapes[t->nshapes - 1 - k];
    if (o->rank == s->rank
        && memcmp(o->dim, s->dim, (size_t)s->rank * sizeof s->dim[0]) == 0)
      return (uint32_t)(t->nshapes - 1 - k);
  }
  GtShape *v = grow(t->shapes, &t->shapecap, t->nshapes + 1, sizeof *v, 16,
                    UINT32_MAX - 1);
  if (v == NULL)
    return UINT32_MAX;
  t->shapes = v;
  GtShape *n = &t->shapes[t->nshapes];
  memset(n, 0, sizeof *n);
  n->rank = s->rank;
  n->size = 1;
  for (int d = 0; d < s->rank; d++) {
    n->dim[d] = s->dim[d];
    n->size *= s->dim[d];
  }
  return (uint32_t)t->nshapes++;
}

long
gt_tape_xargs(GtTape *t, const int32_t *ops, size_t n)
{
  int32_t *v = grow(t->xargs, &t->xargcap, t->nxargs + n, sizeof *v, 64,
                    (size_t)LONG_MAX);
  if (v == NULL)
    return -1;
  t->xargs = v;
  memcpy(t->xargs + t->nxargs, ops, n * sizeof *ops);
  long off = (long)t->nxargs;
  t->nxargs += n;
  return off;
}

/* Views are immutable once made, so equal ones can be shared: a loop
   reading x[i-1], x[i] and x[i] again makes one view per element, not
   three (72 bytes each, and the table's growth).  A small direct-mapped
   cache of recent views by hash finds them; a miss only costs a new
   entry. */

static uint32_t
view_hash(const GtView *v)
{
  uint64_t h = (uint64_t)v->offset * UINT64_C(0x9E3779B97F4A7C15);
  for (int d = 0; d < GT_MAX_RANK; d++)
    h = (h ^ (uint64_t)v->stride[d]) * UINT64_C(0x100000001B3);
  return (uint32_t)(h >> 40) % GT_VIEW_CACHE;
}

uint32_t
gt_tape_view(GtTape *t, const GtView *v)
{
  int zero = v->offset < (size_t)(GT_VIEW_INLINE - 1);
  for (int d = 0; d < GT_MAX_RANK && zero; d++)
    zero = v->stride[d] == 0;
  if (zero)
    return GT_VIEW_INLINE | (uint32_t)v->offset;   /* see gt_view_at */
  if (t->viewcache == NULL)
    t->viewcache = calloc(GT_VIEW_CACHE, sizeof *t->viewcache);
  uint32_t h = 0;
  if (t->viewcache != NULL) {
    h = view_hash(v);
    uint32_t k = t->viewcache[h];
    if (k != 0 && k - 1 < t->nviews
        && memcmp(&t->views[k - 1], v, sizeof *v) == 0)
      return k - 1;
  }
  GtView *w = grow(t->views, &t->viewcap, t->nviews + 1, sizeof *w, 16,
                   UINT32_MAX - 1);
  if (w == NULL)
    return UINT32_MAX;
  t->views = w;
  t->views[t->nviews] = *v;
  if (t->viewcache != NULL)
    t->viewcache[h] = (uint32_t)t->nviews + 1;
  return (uint32_t)t->nviews++;
}

int
gt_node_has_nan(const GtTape *t, int32_t i)
{
  size_t n = gt_node_size(t, i);
  mpfr_srcptr v = t->nodes[i].v;
  for (size_t k = 0; k < n; k++)
    if (mpfr_nan_p(&v[k]))
      return 1;
  return 0;
}

/* Room for one more node: -2 at max_nodes, -1 out of memory, else 0. */
static int
room(GtTape *t)
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
  return 0;
}

/* Appends the node (room() said yes) holding value v. */
static int32_t
append(GtTape *t, GtOp op, int32_t a, int32_t b, int32_t c, uint32_t shape,
       uint32_t site, uint32_t frame, mpfr_ptr v)
{
  GtNode *n = &t->nodes[t->n];
  n->op = (uint8_t)op;
  n->flags = 0;
  n->aux = 0;
  n->a = a;
  n->b = b;
  n->c = c;
  n->site = site;
  n->frame = frame;
  n->shape = shape;
  n->param = 0;
  n->v = v;
  return (int32_t)t->n++;
}

int32_t
gt_tape_push_shaped(GtTape *t, GtOp op, int32_t a, int32_t b, int32_t c,
                    uint32_t shape, uint32_t site, uint32_t frame)
{
  size_t size = t->shapes[shape].size;
  if (t->max_elems && size > t->max_elems)
    return -3;
  int rc = room(t);
  if (rc != 0)
    return rc;
  mpfr_ptr v = size == 1 ? gt_tape_number(t) : gt_tape_numbers(t, size);
  if (v == NULL)
    return -1;
  return append(t, op, a, b, c, shape, site, frame, v);
}

/* A tensor node of a unary op with a pair rule: 2 size numbers, the
   companions in v[size .. 2 size - 1], GT_NF_PAIR set. */
int32_t
gt_tape_push_shaped_pair(GtTape *t, GtOp op, int32_t a, uint32_t shape,
                         uint32_t site, uint32_t frame)
{
  size_t size = t->shapes[shape].size;
  if (t->max_elems && size > t->max_elems)
    return -3;
  if (size > SIZE_MAX / 2)
    return -1;
  int rc = room(t);
  if (rc != 0)
    return rc;
  mpfr_ptr v = gt_tape_numbers(t, 2 * size);
  if (v == NULL)
    return -1;
  int32_t i = append(t, op, a, -1, -1, shape, site, frame, v);
  if (i >= 0)
    t->nodes[i].flags = GT_NF_PAIR;
  return i;
}

/* A node whose elements are v, which another node owns (a contiguous
   view: its elements are a run of its operand's). */
int32_t
gt_tape_push_alias(GtTape *t, GtOp op, int32_t a, uint32_t shape,
                   uint32_t site, uint32_t frame, mpfr_ptr v)
{
  int rc = room(t);
  if (rc != 0)
    return rc;
  return append(t, op, a, -1, -1, shape, site, frame, v);
}

/* A scalar node with room for its companion value in v[1] (GT_NF_PAIR). */
int32_t
gt_tape_push_pair(GtTape *t, GtOp op, int32_t a, uint32_t site,
                  uint32_t frame)
{
  int rc = room(t);
  if (rc != 0)
    return rc;
  mpfr_ptr v = gt_tape_numbers(t, 2);
  if (v == NULL)
    return -1;
  int32_t i = append(t, op, a, -1, -1, 0, site, frame, v);
  if (i >= 0)
    t->nodes[i].flags = GT_NF_PAIR;
  return i;
}

/* The scalar case, the hot path of a recording: no shape to look up. */
int32_t
gt_tape_push(GtTape *t, GtOp op, int32_t a, int32_t b, int32_t c,
             uint32_t site, uint32_t frame)
{
  int rc = room(t);
  if (rc != 0)
    return rc;
  mpfr_ptr v = gt_tape_number(t);
  if (v == NULL)
    return -1;
  return append(t, op, a, b, c, 0, site, frame, v);
}

uint32_t
gt_tape_frame(GtTape *t, uint32_t parent, uint32_t site)
{
  GtFrameRec *f = grow(t->frames, &t->framecap, t->nframes + 1, sizeof *f,
                       64, UINT32_MAX - 1);
  if (f == NULL)
    return UINT32_MAX;
  t->frames = f;
  t->frames[t->nframes].parent = parent;
  t->frames[t->nframes].site = site;
  return (uint32_t)t->nframes++;
}

int
gt_tape_guard(GtTape *t, int32_t node, int kind, long value)
{
  GtGuard *v = grow(t->guards, &t->guardcap, t->nguards + 1, sizeof *v, 64,
                    SIZE_MAX);
  if (v == NULL)
    return -1;
  t->guards = v;
  GtGuard *g = &t->guards[t->nguards++];
  g->node = node;
  g->kind = kind;
  g->value = value;
  g->site = 0;
  return 0;
}

int
gt_tape_leafsrc(GtTape *t, int32_t node, int kind, GtSpan span)
{
  GtLeafSrc *v = grow(t->leafsrc, &t->leafsrccap, t->nleafsrc + 1, sizeof *v,
                      64, SIZE_MAX);
  if (v == NULL)
    return -1;
  t->leafsrc = v;
  v[t->nleafsrc++] = (GtLeafSrc){ node, kind, span };
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
    int32_t buf[3], next = -1;
    const int32_t *ops;
    size_t nops = gt_node_operands(t, i, buf, &ops);
    if (n->op == GT_OP_WHERE) {
      /* where() passes on only what it selected, element by element */
      const GtShape *sy = gt_node_shape(t, i);
      for (size_t k = 0; k < sy->size && next < 0; k++) {
        if (!mpfr_nan_p(&n->v[k]))
          continue;
        /* the element's condition and branches, broadcast */
        int32_t sel[3] = { n->a, n->b, n->c };
        for (int m = 0; m < 3 && next < 0; m++) {
          size_t sz = gt_node_size(t, sel[m]);
          mpfr_srcptr e = &t->nodes[sel[m]].v[sz == sy->size ? k : 0];
          if (mpfr_nan_p(e))
            next = sel[m];
        }
      }
    } else
      for (size_t k = 0; k < nops && next < 0; k++)
        if (ops[k] >= 0 && gt_node_has_nan(t, ops[k]))
          next = ops[k];
    if (next < 0)
      return i;
    i = next;
  }
}

/* ---- shapes and broadcasting (NumPy's rules) ---------------------------- */

int
gt_broadcast(const GtShape *a, const GtShape *b, GtShape *out)
{
  int r = a->rank > b->rank ? a->rank : b->rank;
  memset(out, 0, sizeof *out);
  out->rank = r;
  out->size = 1;
  for (int d = 0; d < r; d++) {
    int da = d - (r - a->rank), db = d - (r - b->rank);
    size_t x = da >= 0 ? a->dim[da] : 1, y = db >= 0 ? b->dim[db] : 1;
    if (x != y && x != 1 && y != 1)
      return -1;
    out->dim[d] = x == 1 ? y : x;
    out->size *= out->dim[d];
  }
  return 0;
}

void
gt_bcast_strides(const GtShape *out, const GtShape *in, long *st)
{
  long stride = 1;
  for (int d = out->rank - 1; d >= 0; d--) {
    int id = d - (out->rank - in->rank);
    if (id < 0) {
      st[d] = 0;
      continue;
    }
    st[d] = in->dim[id] == 1 ? 0 : stride;
    stride *= (long)in->dim[id];
  }
}

const char *
gt_shape_str(const GtShape *s, char *buf, size_t n)
{
  size_t len = 0;
  len += (size_t)snprintf(buf + len, n - len, "(");
  for (int d = 0; d < s->rank && len < n; d++)
    len += (size_t)snprintf(buf + len, n - len, "%s%zu", d ? ", " : "",
                            s->dim[d]);
  if (s->rank == 1 && len < n)
    len += (size_t)snprintf(buf + len, n - len, ",");
  if (len < n)
    snprintf(buf + len, n - len, ")");
  return buf;
}

/* ---- queries ------------------------------------------------------------ */

unsigned char *
gt_tape_uses(const GtTape *t, int32_t x, int32_t y)
{
  size_t span = (size_t)(y - x) + 1;
  unsigned char *used = calloc(span, 1);
  if (used == NULL)
    return NULL;
  used[span - 1] = 1;
  for (int32_t i = y; i > x; i--) {
    if (!used[i - x])
      continue;
    int32_t buf[3];
    const int32_t *ops;
    size_t n = gt_node_operands(t, i, buf, &ops);
    for (size_t k = 0; k < n; k++)
      if (ops[k] >= x)
        used[ops[k] - x] = 1;
  }
  return used;
}

int
gt_tape_range_fault(const GtTape *t, int32_t i, size_t e)
{
  const GtNode *n = &t->nodes[i];
  const GtOpInfo *info = &gt_ops[n->op];
  if (info->fwd == NULL || gt_is_tensor_op((GtOp)n->op)
      || n->op == GT_OP_CONST || n->op == GT_OP_INPUT)
    return 0;
  mpfr_srcptr v = &n->v[e];
  if (!mpfr_inf_p(v) && !mpfr_zero_p(v))
    return 0;
  /* only the primitives whose result can leave the exponent range
     although their operands are finite and nonzero */
  if (!(info->flags & GT_OPF_RANGE))
    return 0;
  /* a sum is 0 only exactly (MPFR's sums do not underflow) */
  if (mpfr_zero_p(v) && (n->op == GT_OP_ADD || n->op == GT_OP_SUB))
    return 0;
  /* the operands' elements behind element e, broadcast */
  const GtShape *ys = gt_node_shape(t, i);
  int32_t ops[3] = { n->a, n->b, n->c };
  mpfr_srcptr x[3] = { NULL, NULL, NULL };
  for (int k = 0; k < 3; k++) {
    if (ops[k] < 0)
      continue;
    long st[GT_MAX_RANK];
    gt_bcast_strides(ys, gt_node_shape(t, ops[k]), st);
    size_t rem = e;
    long off = 0;
    for (int d = ys->rank - 1; d >= 0; d--) {
      off += st[d] * (long)(rem % ys->dim[d]);
      rem /= ys->dim[d];
    }
    x[k] = &t->nodes[ops[k]].v[off];
    /* an infinite operand makes an infinity exactly, a zero one a zero
       (x * 0, 0 / x), no range is left */
    if (mpfr_inf_p(x[k]) || mpfr_nan_p(x[k])
        || (mpfr_zero_p(v) && mpfr_zero_p(x[k])))
      return 0;
  }
  /* evaluate again with MPFR's flags cleared, then restore them */
  mpfr_flags_t saved = mpfr_flags_save();
  mpfr_flags_clear(MPFR_FLAGS_OVERFLOW | MPFR_FLAGS_UNDERFLOW);
  mpfr_t y;
  mpfr_init2(y, mpfr_get_prec(v));
  info->fwd(y, x[0], x[1], x[2]);
  int fault = mpfr_overflow_p() && mpfr_inf_p(y) ? 1
              : mpfr_underflow_p() && mpfr_zero_p(y) ? 2 : 0;
  mpfr_clear(y);
  mpfr_flags_restore(saved, MPFR_FLAGS_ALL);
  return fault;
}
