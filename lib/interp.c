/* interp.c -- runs the syntax tree on values, recording every primitive.
 *
 * Define-by-run: control flow is decided on the values of this run, so
 * loops and branches leave on the tape only the path taken.  A value is
 * the index of the node that holds it.  Literals are recorded once per
 * run and shared by every use.  Errors jump back to the run's entry
 * (memory is owned by the tape and the run's arrays, so nothing leaks).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "internal.h"

typedef enum Flow { FLOW_NEXT, FLOW_BREAK, FLOW_CONTINUE, FLOW_RETURN } Flow;

typedef struct Interp {
  GtRec rec;                /* first: the rules see a GtRec */
  const GtProgram *prog;
  int32_t *globals;         /* node per global slot, -1 unbound */
  int32_t *stack;           /* locals of the active calls */
  size_t sp, stackcap, base;
  unsigned long depth, steps;
  int32_t retval;
  int32_t *lits;            /* node per literal expression id, -1 */
  int32_t *outs;            /* output global slots */
  size_t nout;
  unsigned char *is_out;    /* by global slot: in outs */
  size_t inputs_bound;      /* input statements run so far */
  const GtExpr **links;     /* pending links of the chains being evaluated */
  size_t nlinks, linkcap;
  int32_t last;             /* last top-level binding's slot */
  const int32_t *at;
  int32_t *input_nodes;
  char *line;               /* print's line being built (freed on errors) */
  const char *stack_top;    /* C stack at the start of the run */
  size_t top_off;           /* where the running top-level statement starts */
  size_t stack_budget;      /* bytes of C stack calls may use */
  GtKinks kinks;            /* pending kinks (rec.kinks points here) */
  struct LazyCounter *ctrs; /* the running range loops' counters */
  size_t nctr, ctrcap;
} Interp;

/* A range loop's counter is recorded only when the body uses it as a
   number: its slot holds LAZY(d), d the loop's entry here, while it is
   only read by integer expressions (x[i - 1], if i > 0: int_eval), which
   need no node.  A read that needs the number records the leaf then, as
   the loop would have (the same value, site and frame, exact at the
   working precision or rounded to it), and the slot keeps it. */
struct LazyCounter {
  long k;
  uint32_t site, frame;
};
#define LAZY(d) (-2 - (int32_t)(d))
#define LAZY_INDEX(v) ((size_t)(-2 - (v)))

/* ---- expressions ---------------------------------------------------------- */

static int32_t eval(Interp *in, const GtExpr *e);
static int32_t eval_tfunc(Interp *in, const GtExpr *e);
static char *string_text(Interp *in, const GtExpr *e);
static int32_t extreme(Interp *in, const GtExpr *e);
static int32_t jacobian(Interp *in, const GtExpr *e, int32_t y, int32_t x);
static void make_view(Interp *in, const GtExpr *e, int32_t base,
                      GtExpr *const *items, size_t n, GtView *v,
                      GtShape *out);
static int32_t grad(Interp *in, const GtExpr *e, int32_t y, int32_t x,
                    long k);
static Flow exec_block(Interp *in, const GtBlock *b);

static GtRec *
R(Interp *in)
{
  return &in->rec;
}

/* Fails unless node i is a scalar. */
static void
need_scalar(Interp *in, int32_t i, const char *what)
{
  const GtShape *s = gt_node_shape(R(in)->tape, i);
  if (s->rank != 0) {
    char buf[128];
    gt_rec_fail(R(in), GT_ERUNTIME, "%s must be a scalar, not a tensor of "
                "shape %s", what, gt_shape_str(s, buf, sizeof buf));
  }
}

/* Records a control decision for replays (replay.c). */
static void
guard(Interp *in, int32_t i, int kind, long value)
{
  if (in->rec.tape->nodes[i].flags & GT_NF_EXACT)
    return; /* the same at every input point */
  if (gt_tape_guard(in->rec.tape, i, kind, value) != 0)
    gt_rec_fail(&in->rec, GT_ERUNTIME, "out of memory");
  /* where the decision is made, for --emit's asserts and notes */
  in->rec.tape->guards[in->rec.tape->nguards - 1].site = R(in)->site;
}

static int
truth(Interp *in, int32_t i, uint32_t site)
{
  R(in)->site = site;
  need_scalar(in, i, "a condition");
  gt_rec_check_nan(R(in), i);
  mpfr_srcptr v = in->rec.tape->nodes[i].v;
  if (mpfr_nan_p(v))
    gt_rec_fail(R(in), GT_ERUNTIME, "a condition is NaN");
  int t = !mpfr_zero_p(v);
  guard(in, i, GT_GUARD_TRUTH, t);
  return t;
}

static int32_t
literal(Interp *in, const GtExpr *e)
{
  if (in->lits[e->id] >= 0)
    return in->lits[e->id];
  GtRec *r = R(in);
  const GtSource *src = r->env->sources[e->span.src];
  r->site = e->id;
  uint32_t frame = r->frame;
  r->frame = 0;
  int32_t i = gt_rec_leaf(r);   /* may jump: allocate the text after it */
  r->frame = frame;
  char small[64];
  char *text = e->span.len < sizeof small ? small : malloc(e->span.len + 1);
  if (text == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  memcpy(text, src->text + e->span.off, e->span.len);
  text[e->span.len] = '\0';
  mpfr_ptr v = r->tape->nodes[i].v;
  gt_set_decimal(v, text);
  /* a short integer literal read exactly: integer arithmetic on it folds */
  if (e->span.len <= 18 && strspn(text, "0123456789") == e->span.len
      && mpfr_cmp_si(v, strtol(text, NULL, 10)) == 0)
    r->tape->nodes[i].flags |= GT_NF_EXACT;
  /* 1e999999999 is inf and 1e-999999999 is 0, as values; but a literal
     beyond MPFR's exponent range is rarely what the author meant */
  int under = mpfr_zero_p(v) && strpbrk(text, "123456789") != NULL
              && (strpbrk(text, "eE") == NULL
                  || strpbrk(text, "123456789") < strpbrk(text, "eE"));
  if (text != small)
    free(text);
  if (mpfr_inf_p(v) || under) {
    GtSpan sp = e->span;
    gt_diag_add(r->env->diags, GT_SEV_WARNING, src, sp,
                "number literal %s to %s", under ? "underflows" : "overflows",
                under ? "0" : "inf");
  }
  /* --enclose encloses the literal from its exact decimal text */
  if (gt_tape_leafsrc(r->tape, i, GT_LEAF_TEXT, e->span) != 0)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  in->lits[e->id] = i;
  return i;
}

static void counter_leaf(Interp *in, int32_t *slot);

/* The slot of variable e (a global or a local of the running call). */
static int32_t *
var_slot(Interp *in, int kind, int32_t slot)
{
  return kind == GT_EX_GLOBAL ? &in->globals[slot]
                              : &in->stack[in->base + (size_t)slot];
}

static int32_t
read_var(Interp *in, const GtExpr *e)
{
  int32_t *p = var_slot(in, e->kind, e->slot);
  if (*p <= LAZY(0))
    counter_leaf(in, p);
  int32_t v = *p;
  if (v < 0) {
    R(in)->site = e->id;
    gt_rec_fail(R(in), GT_ESYNTAX, "'%s' is used before it is assigned",
                R(in)->env->names->text[e->name]);
  }
  return v;
}

/* The integer value of scalar node i, guarded for replays. */
static long
int_arg_value(Interp *in, int32_t i)
{
  long k = mpfr_get_si(R(in)->tape->nodes[i].v, MPFR_RNDN);
  guard(in, i, GT_GUARD_INT, k);
  return k;
}

/* Integer expressions on loop counters and integer literals (x[i - 1],
   range(2 * k + 1), if i > 0) are computed here, as C integers, when every
   value on the way is an integer that the working precision holds
   exactly: the same value as recording them would give, without a node
   or a guard per evaluation.  Returns 1 with *k, or 0 when e is not such
   an expression (the caller records it as usual). */
static int
int_eval(Interp *in, const GtExpr *e, long *k)
{
  GtRec *r = R(in);
  mpfr_prec_t p = r->tape->prec;
  long lim = 1L << (p < 52 ? p : 52);
  long x, y;
  switch ((GtExprKind)e->kind) {
  case GT_EX_NUM: {
    const char *t = r->env->sources[e->span.src]->text + e->span.off;
    if (e->span.len == 0 || e->span.len > 15)
      return 0;
    x = 0;
    for (uint32_t j = 0; j < e->span.len; j++) {
      if (t[j] < '0' || t[j] > '9')
        return 0;
      x = 10 * x + (t[j] - '0');
    }
    *k = x;
    return x <= lim;
  }
  case GT_EX_GLOBAL:
  case GT_EX_LOCAL: {
    int32_t v = *var_slot(in, e->kind, e->slot);
    if (v <= LAZY(0)) {
      *k = in->ctrs[LAZY_INDEX(v)].k;
      return *k <= lim && *k >= -lim;   /* else read_var records it */
    }
    if (v < 0 || !(r->tape->nodes[v].flags & GT_NF_EXACT))
      return 0;
    mpfr_srcptr z = r->tape->nodes[v].v;
    if (!mpfr_integer_p(z) || mpfr_cmpabs_ui(z, (unsigned long)lim) > 0)
      return 0;
    *k = mpfr_get_si(z, MPFR_RNDN);
    return 1;
  }
  case GT_EX_OP:
    break;
  default:
    return 0;
  }
  if (e->op == GT_OP_NEG && e->nargs == 1) {
    if (!int_eval(in, e->args[0], &x))
      return 0;
    *k = -x;
    return 1;
  }
  if (e->nargs != 2 || !int_eval(in, e->args[0], &x)
      || !int_eval(in, e->args[1], &y))
    return 0;
  long z;
  switch (e->op) {
  case GT_OP_ADD: z = x + y; break;   /* |x|, |y| <= 2^52: no overflow */
  case GT_OP_SUB: z = x - y; break;
  case GT_OP_MUL:
    if (__builtin_mul_overflow(x, y, &z))
      return 0;
    break;
  case GT_OP_EQ: z = x == y; break;
  case GT_OP_NE: z = x != y; break;
  case GT_OP_LT: z = x < y; break;
  case GT_OP_LE: z = x <= y; break;
  case GT_OP_GT: z = x > y; break;
  case GT_OP_GE: z = x >= y; break;
  default:
    return 0;
  }
  if (z > lim || z < -lim)
    return 0;
  *k = z;
  return 1;
}

/* The truth value of the condition e, guarded for replays unless it is an
   integer expression (int_eval). */
static int
cond(Interp *in, const GtExpr *e)
{
  long k;
  if (int_eval(in, e, &k))
    return k != 0;
  return truth(in, eval(in, e), e->id);
}

/* Evaluates e, which must be a scalar that is not NaN; returns its node. */
static int32_t
scalar_arg(Interp *in, const GtExpr *e, const char *what)
{
  int32_t i = eval(in, e);
  GtRec *r = R(in);
  r->site = e->id;
  need_scalar(in, i, what);
  gt_rec_check_nan(r, i);
  return i;
}

static long
int_arg(Interp *in, const GtExpr *e, const char *what)
{
  long k;
  if (int_eval(in, e, &k)) {
    R(in)->site = e->id;  /* as scalar_arg leaves it, for what follows */
    return k;
  }
  int32_t i = scalar_arg(in, e, what);
  GtRec *r = R(in);
  mpfr_srcptr v = r->tape->nodes[i].v;
  if (!mpfr_integer_p(v))
    gt_rec_fail(r, GT_ERUNTIME, "%s must be an integer", what);
  if (mpfr_cmpabs_ui(v, 1UL << 52) > 0) /* the loop counter stays exact */
    gt_rec_fail(r, GT_ERUNTIME, "%s is too large", what);
  return int_arg_value(in, i);
}

/* A slice start or stop: an integer, clipped as NumPy clips it, so one
   beyond any length (x[1e30:]) is no error; it is held at +-2^52, which
   the slice clips to the axis. */
static long
slice_bound(Interp *in, const GtExpr *e, const char *what)
{
  long k;
  if (int_eval(in, e, &k)) {
    R(in)->site = e->id;  /* as scalar_arg leaves it, for what follows */
    return k;
  }
  int32_t i = scalar_arg(in, e, what);
  GtRec *r = R(in);
  mpfr_srcptr v = r->tape->nodes[i].v;
  if (!mpfr_integer_p(v) && !mpfr_inf_p(v))
    gt_rec_fail(r, GT_ERUNTIME, "%s must be an integer", what);
  if (mpfr_cmpabs_ui(v, 1UL << 52) <= 0)
    return int_arg_value(in, i);
  /* no guard: a replay then records again, which decides anew */
  return mpfr_sgn(v) > 0 ? 1L << 52 : -(1L << 52);
}

/* Stops the run when the embedding program asks (Ctrl-C in a session). */
static void
check_interrupt(Interp *in, uint32_t site)
{
  volatile sig_atomic_t *flag = R(in)->env->opt->interrupt;
  if (flag != NULL && *flag) {
    R(in)->site = site;
    gt_rec_fail(R(in), GT_ERUNTIME, "interrupted");
  }
}

static int32_t
call(Interp *in, const GtExpr *e)
{
  GtRec *r = R(in);
  const GtFunc *f = &in->prog->funcs[e->slot];
  check_interrupt(in, e->id);
  if (in->depth >= r->env->opt->max_depth) {
    r->site = e->id;
    gt_rec_fail(r, GT_ERUNTIME,
                "calls nested more than %lu deep (runaway recursion? raise "
                "the limit with --max-depth)", r->env->opt->max_depth);
  }
  /* the interpreter recurses on the C stack: stop before it overflows */
  char probe;
  if ((uintptr_t)in->stack_top - (uintptr_t)&probe > in->stack_budget) {
    r->site = e->id;
    gt_rec_fail(r, GT_ERUNTIME,
                "calls nested %lu deep use up the C stack available to "
                "the run", in->depth);
  }
  size_t need = in->sp + f->nlocals + e->nargs + 1;
  if (need > in->stackcap) {
    size_t cap = in->stackcap * 2 > need ? in->stackcap * 2 : need;
    int32_t *st = realloc(in->stack, cap * sizeof *st);
    if (st == NULL)
      gt_rec_fail(r, GT_ERUNTIME, "out of memory");
    in->stack = st;
    in->stackcap = cap;
  }
  /* arguments are evaluated in the caller, then become the first locals */
  size_t nb = in->sp;
  in->sp += f->nlocals;
  for (size_t k = 0; k < f->nlocals; k++)
    in->stack[nb + k] = -1;
  for (int k = 0; k < e->nargs; k++) {
    int32_t v = eval(in, e->args[k]);
    in->stack[nb + (size_t)k] = v;
  }
  uint32_t frame = gt_tape_frame(r->tape, r->frame, e->id);
  if (frame == UINT32_MAX)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  size_t saved_base = in->base;
  uint32_t saved_frame = r->frame;
  in->base = nb;
  r->frame = frame;
  in->depth++;
  Flow fl = exec_block(in, &f->body);
  in->depth--;
  r->frame = saved_frame;
  in->base = saved_base;
  in->sp = nb;
  int32_t v = fl == FLOW_RETURN ? in->retval : -1;
  in->retval = -1;
  return v;
}

/* grad(y, x, k); a non-scalar y is summed first, as TensorFlow does */
static int32_t
grad(Interp *in, const GtExpr *e, int32_t y, int32_t x, long k)
{
  GtRec *r = R(in);
  /* recorded derivative rules branch on values: replays cannot redo them */
  r->tape->no_replay = 1;
  r->site = e->id;
  if (gt_node_shape(r->tape, y)->rank != 0)
    y = gt_tensor_reduce(r, GT_OP_SUM, y, 0);
  gt_rec_kinks_note(r->kinks, r->tape, r->prog, r->env, &y, 1, &x, 1);
  /* the planner (derive.c): nested recording, or Taylor mode for a high
     order of a scalar path */
  GtDeriveReq q = { .tape = r->tape, .of = &y, .nof = 1, .wrt = &x,
                    .nwrt = 1, .order = k, .keep = 1 };
  if (gt_derive_plan(&q) == GT_DERIVE_TAYLOR)
    y = gt_rec_taylor(r, y, x, k);
  else
    for (long j = 0; j < k; j++) {
      int32_t g;
      gt_rev_record(r, y, &x, 1, &g);
      y = g;
    }
  r->site = e->id;
  return y;
}

/* ---- tensors -------------------------------------------------------------- */

/* Python's slice rules: start, stop and step over an axis of length n give
   the first index, the step and the count. */
static void
slice_bounds(Interp *in, const GtExpr *sl, size_t n, long *first,
             long *step, size_t *count)
{
  GtRec *r = R(in);
  long len = (long)n;
  long st = 1;
  if (sl->args[2] != NULL) {
    st = int_arg(in, sl->args[2], "a slice step");
    if (st == 0) {
      r->site = sl->args[2]->id;
      gt_rec_fail(r, GT_ERUNTIME, "a slice step must not be 0");
    }
  }
  long lo = st > 0 ? 0 : -1, hi = st > 0 ? len : len - 1;
  long a = st > 0 ? lo : hi, b = st > 0 ? hi : lo;
  if (sl->args[0] != NULL) {
    a = slice_bound(in, sl->args[0], "a slice start");
    if (a < 0)
      a += len;
    a = a < lo ? lo : a > hi ? hi : a;
  }
  if (sl->args[1] != NULL) {
    b = slice_bound(in, sl->args[1], "a slice stop");
    if (b < 0)
      b += len;
    b = b < lo ? lo : b > hi ? hi : b;
  }
  long c = 0;
  if (st > 0 && b > a)
    c = (b - a + st - 1) / st;
  else if (st < 0 && a > b)
    c = (a - b - st - 1) / -st;
  *first = a;
  *step = st;
  *count = (size_t)c;
}

/* The view base[items] selects, as NumPy's basic indexing: an integer
   drops its axis, a slice keeps it, missing items take whole axes. */
static void
make_view(Interp *in, const GtExpr *e, int32_t base, GtExpr *const *items,
          size_t n, GtView *v, GtShape *out)
{
  GtRec *r = R(in);
  GtShape s = *gt_node_shape(r->tape, base);
  if (n > (size_t)s.rank) {
    r->site = e->id;
    if (s.rank == 0)
      gt_rec_fail(r, GT_ERUNTIME, "a scalar cannot be indexed");
    gt_rec_fail(r, GT_ERUNTIME, "%zu indices for a tensor of rank %d", n,
                s.rank);
  }
  long st[GT_MAX_RANK];
  gt_row_strides(&s, st);
  memset(v, 0, sizeof *v);
  memset(out, 0, sizeof *out);
  out->size = 1;
  long offset = 0;
  for (int d = 0; d < s.rank; d++) {
    if ((size_t)d < n && items[d]->kind != GT_EX_SLICE) {
      long i = int_arg(in, items[d], "an index");
      long len = (long)s.dim[d];
      long j = i < 0 ? i + len : i;
      if (j < 0 || j >= len) {
        r->site = items[d]->id;
        gt_rec_fail(r, GT_ERUNTIME, "index %ld is out of range for axis %d "
                    "of size %ld", i, d, len);
      }
      offset += j * st[d];
      continue;
    }
    long first = 0, step = 1;
    size_t count = s.dim[d];
    if ((size_t)d < n)
      slice_bounds(in, items[d], s.dim[d], &first, &step, &count);
    if (count > 0)
      offset += first * st[d];
    v->stride[out->rank] = step * st[d];
    out->dim[out->rank++] = count;
    out->size *= count;
  }
  v->offset = (size_t)offset;
}

/* A shape from dims given as integers or as one vector (shape(x)); with
   allow_infer, one dim may be -1 (left as 0 with size 0 for the caller). */
static void
dims_arg(Interp *in, GtExpr *const *args, size_t n, GtShape *s,
         int allow_infer)
{
  GtRec *r = R(in);
  memset(s, 0, sizeof *s);
  long d[GT_MAX_RANK];
  size_t nd = 0;
  int from_vector = 0;
  if (n == 1) {
    int32_t v = eval(in, args[0]);
    const GtShape *vs = gt_node_shape(r->tape, v);
    r->site = args[0]->id;
    if (vs->rank == 1) {
      if (vs->size > GT_MAX_RANK)
        gt_rec_fail(r, GT_ERUNTIME, "tensors have rank %d at most",
                    GT_MAX_RANK);
      for (size_t k = 0; k < vs->size; k++) {
        mpfr_srcptr x = &r->tape->nodes[v].v[k];
        if (!mpfr_integer_p(x) || mpfr_cmpabs_ui(x, 1UL << 52) > 0)
          gt_rec_fail(r, GT_ERUNTIME, "a dimension must be an integer");
        d[nd++] = mpfr_get_si(x, MPFR_RNDN);
      }
      from_vector = 1;
    } else {
      need_scalar(in, v, "a dimension");
      mpfr_srcptr x = r->tape->nodes[v].v;
      if (!mpfr_integer_p(x) || mpfr_cmpabs_ui(x, 1UL << 52) > 0)
        gt_rec_fail(r, GT_ERUNTIME, "a dimension must be an integer");
      d[nd++] = mpfr_get_si(x, MPFR_RNDN);
      from_vector = 1;
    }
  }
  if (!from_vector) {
    if (n > GT_MAX_RANK) {
      r->site = args[GT_MAX_RANK]->id;
      gt_rec_fail(r, GT_ERUNTIME, "tensors have rank %d at most",
                  GT_MAX_RANK);
    }
    for (size_t k = 0; k < n; k++)
      d[nd++] = int_arg(in, args[k], "a dimension");
  }
  int infer = -1;
  size_t size = 1;
  for (size_t k = 0; k < nd; k++) {
    if (d[k] == -1 && allow_infer && infer < 0) {
      infer = (int)k;
      continue;
    }
    if (d[k] < 0)
      gt_rec_fail(r, GT_ERUNTIME, "a dimension must not be negative");
    /* an overflow-safe product, checked before anything is allocated */
    if (d[k] != 0 && size > SIZE_MAX / (size_t)d[k])
      gt_rec_fail(r, GT_ERUNTIME, "the tensor is too large");
    size *= (size_t)d[k];
  }
  s->rank = (int)nd;
  for (size_t k = 0; k < nd; k++)
    s->dim[k] = (size_t)(d[k] < 0 ? 0 : d[k]);
  /* the dimension to infer, told apart from a dimension of 0 */
  if (infer >= 0)
    s->dim[infer] = SIZE_MAX;
  s->size = infer >= 0 ? 0 : size;
  if (r->tape->max_elems && size > r->tape->max_elems)
    gt_rec_fail(r, GT_ERUNTIME, "a tensor of more than %zu elements (raise "
                "the limit with --max-elements)", r->tape->max_elems);
}

/* The arguments of the tensor builders: concat(a, b, ..., axis=k) and
   stack(...) (the tensors in x->ops), tile(a, reps...) (reps as dims in
   x->s), repeat(a, count[, axis]), append(a, b[, axis]). */
static void
builder_args(Interp *in, const GtExpr *e, GtTFuncArgs *x)
{
  GtRec *r = R(in);
  size_t n = e->nargs;
  if (e->axis_kw || (n == 3 && (e->op == GT_TF_REPEAT
                                || e->op == GT_TF_APPEND))) {
    n--;
    x->has_axis = 1;
  }
  switch ((GtTFunc)e->op) {
  case GT_TF_CONCAT:
  case GT_TF_STACK: {
    int32_t *v = gt_arena_alloc(&r->tape->vals, n * sizeof *v);
    if (v == NULL)
      gt_rec_fail(r, GT_ERUNTIME, "out of memory");
    for (size_t k = 0; k < n; k++)
      v[k] = eval(in, e->args[k]);
    x->ops = v;
    x->nops = n;
    break;
  }
  case GT_TF_TILE:
    x->a = eval(in, e->args[0]);
    dims_arg(in, e->args + 1, n - 1, &x->s, 0);
    break;
  case GT_TF_REPEAT:
    x->a = eval(in, e->args[0]);
    x->count = int_arg(in, e->args[1], "the count of repeat");
    break;
  default: /* append */
    x->a = eval(in, e->args[0]);
    x->b = eval(in, e->args[1]);
    break;
  }
  if (x->has_axis)
    x->axis = int_arg(in, e->args[n], "an axis");
}

/* A tensor built-in: its arguments are evaluated here, in order (and
   checked as they come), then tfunc.c does the tensor work. */
static int32_t
eval_tfunc(Interp *in, const GtExpr *e)
{
  GtTFuncArgs x;
  memset(&x, 0, sizeof x);
  x.a = x.b = -1;
  switch ((GtTFunc)e->op) {
  case GT_TF_ONES:
  case GT_TF_ZEROS:
    dims_arg(in, e->args, e->nargs, &x.s, 0);
    break;
  case GT_TF_FILL:
    x.a = eval(in, e->args[0]);
    need_scalar(in, x.a, "the value of fill");
    dims_arg(in, e->args + 1, (size_t)e->nargs - 1, &x.s, 0);
    break;
  case GT_TF_EYE:
    dims_arg(in, e->args, 1, &x.s, 0);
    x.s2 = x.s; /* square unless a second count is given */
    if (e->nargs > 1)
      dims_arg(in, e->args + 1, 1, &x.s2, 0);
    break;
  case GT_TF_LINSPACE:
    x.a = eval(in, e->args[0]);
    x.b = eval(in, e->args[1]);
    need_scalar(in, x.a, "the start of linspace");
    need_scalar(in, x.b, "the end of linspace");
    dims_arg(in, e->args + 2, 1, &x.s, 0);
    break;
  case GT_TF_SUM: case GT_TF_MEAN: case GT_TF_PROD: case GT_TF_RMAX:
  case GT_TF_RMIN:
    x.a = eval(in, e->args[0]);
    if (e->nargs > 1)
      x.axis = int_arg(in, e->args[1], "an axis");
    break;
  case GT_TF_DOT:
  case GT_TF_MATMUL:
    x.a = eval(in, e->args[0]);
    x.b = eval(in, e->args[1]);
    break;
  case GT_TF_RESHAPE:
    x.a = eval(in, e->args[0]);
    dims_arg(in, e->args + 1, (size_t)e->nargs - 1, &x.s, 1);
    break;
  case GT_TF_SHAPE: case GT_TF_SIZE: case GT_TF_RANK: case GT_TF_TRANSPOSE:
  case GT_TF_NORM: case GT_TF_LEN:
    x.a = eval(in, e->args[0]);
    break;
  case GT_TF_LOGSUMEXP:
    x.a = eval(in, e->args[0]);
    if (e->nargs > 1)
      x.axis = int_arg(in, e->args[1], "an axis");
    break;
  case GT_TF_CONCAT: case GT_TF_STACK: case GT_TF_TILE: case GT_TF_REPEAT:
  case GT_TF_APPEND:
    builder_args(in, e, &x);
    break;
  case GT_TF_LOAD: {
    /* the file name, kept in the tape's arena (an error jumps) */
    char *p = string_text(in, e->args[0]);
    x.path = gt_arena_strndup(&R(in)->tape->vals, p, strlen(p));
    free(p);
    if (x.path == NULL)
      gt_rec_fail(R(in), GT_ERUNTIME, "out of memory");
    break;
  }
  case GT_TF_COUNT:
    break;
  }
  return gt_tfunc_call(R(in), e, &x);
}

/* min or max of three or more arguments: broadcast them to one shape,
   stack and reduce, so a tie among k of them gives each 1/k. */
static int32_t
extreme(Interp *in, const GtExpr *e)
{
  GtRec *r = R(in);
  int32_t *v = gt_arena_alloc(&r->tape->vals, (size_t)e->nargs * sizeof *v);
  if (v == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  GtShape s = { 0, 1, { 0 } };
  for (int k = 0; k < e->nargs; k++) {
    v[k] = eval(in, e->args[k]);
    r->site = e->id;
    gt_rec_check_nan(r, v[k]);
    gt_rec_broadcast(r, (GtOp)e->op, &s, v[k]);
  }
  r->site = e->id;
  for (int k = 0; k < e->nargs; k++)
    v[k] = gt_tensor_expand(r, v[k], &s);
  int32_t st = gt_tensor_stack(r, v, e->nargs);
  return gt_tensor_reduce(r, e->op == GT_OP_MIN ? GT_OP_RMIN : GT_OP_RMAX, st,
                          1);
}

/* Is e a tensor literal of number literals (maybe negated) only, and not
   ragged?  Then 0, with its shape. */
static int
const_shape(const GtExpr *e, GtShape *s)
{
  if (e->kind == GT_EX_NUM || (e->kind == GT_EX_OP && e->op == GT_OP_NEG
                               && e->args[0]->kind == GT_EX_NUM)) {
    memset(s, 0, sizeof *s);
    s->size = 1;
    return 0;
  }
  if (e->kind != GT_EX_TENSOR)
    return -1;
  GtShape first = { 0, 1, { 0 } };
  for (int k = 0; k < e->nargs; k++) {
    GtShape c;
    if (const_shape(e->args[k], &c) != 0)
      return -1;
    if (k == 0)
      first = c;
    else if (c.rank != first.rank
             || memcmp(c.dim, first.dim, (size_t)c.rank * sizeof c.dim[0]))
      return -1;
  }
  if (first.rank >= GT_MAX_RANK)
    return -1;
  memset(s, 0, sizeof *s);
  s->rank = first.rank + 1;
  s->dim[0] = (size_t)e->nargs;
  for (int d = 0; d < first.rank; d++)
    s->dim[d + 1] = first.dim[d];
  s->size = (size_t)e->nargs * first.size;
  return 0;
}

/* Writes a literal's numbers in row-major order. */
static void
const_fill(Interp *in, const GtExpr *e, mpfr_ptr v, size_t *k)
{
  if (e->kind == GT_EX_TENSOR) {
    for (int j = 0; j < e->nargs; j++)
      const_fill(in, e->args[j], v, k);
    return;
  }
  const GtExpr *num = e->kind == GT_EX_NUM ? e : e->args[0];
  const GtSource *src = R(in)->env->sources[num->span.src];
  char small[64];
  char *text = num->span.len < sizeof small ? small
                                            : malloc(num->span.len + 1);
  if (text == NULL)
    gt_rec_fail(R(in), GT_ERUNTIME, "out of memory");
  memcpy(text, src->text + num->span.off, num->span.len);
  text[num->span.len] = '\0';
  gt_set_decimal(&v[*k], text);
  if (text != small)
    free(text);
  if (e != num)
    mpfr_neg(&v[*k], &v[*k], MPFR_RNDN);
  (*k)++;
}

/* jacobian(y, x): shape y's then x's. */
static int32_t
jacobian(Interp *in, const GtExpr *e, int32_t y, int32_t x)
{
  GtRec *r = R(in);
  if (gt_node_shape(r->tape, y)->rank == 0)
    return grad(in, e, y, x, 1);
  r->site = e->id;
  gt_rec_kinks_note(r->kinks, r->tape, r->prog, r->env, &y, 1, &x, 1);
  return gt_rev_jacobian(r, y, x);
}

/* Records op e (one, two or three operands) on the operands' nodes v. */
static int32_t
apply_op(Interp *in, const GtExpr *e, const int32_t *v)
{
  GtRec *r = R(in);
  r->site = e->id;
  GtOp op = (GtOp)e->op;
  if (gt_ops[op].flags & GT_OPF_CMP) {
    /* a comparison makes a NaN visible */
    gt_rec_check_nan(r, v[0]);
    gt_rec_check_nan(r, v[1]);
  } else if (op == GT_OP_WHERE || op == GT_OP_NOT)
    gt_rec_check_nan(r, v[0]);
  return gt_rec_op(r, op, v[0], v[1], v[2]);
}

/* The link e of a chain (gt_expr_is_link) whose first operand has the
   value a: evaluates the second operand and records e. */
static int32_t
apply_link(Interp *in, const GtExpr *e, int32_t a)
{
  GtRec *r = R(in);
  if (e->kind == GT_EX_OP) {
    int32_t v[3] = { a, eval(in, e->args[1]), -1 };
    return apply_op(in, e, v);
  }
  int want = e->kind == GT_EX_OR; /* the value that decides early */
  int t = truth(in, a, e->args[0]->id);
  if (t != want)
    t = truth(in, eval(in, e->args[1]), e->args[1]->id);
  r->site = e->id;
  return gt_rec_const(r, t, 1);
}

/* A chain a + b - c ... of links, as deep as it is long: down the first
   operands by a loop, the links kept on in->links, then the links from the
   innermost out, in the order recursion would take.  C stack: one frame
   whatever the length. */
static int32_t
eval_chain(Interp *in, const GtExpr *e)
{
  size_t base = in->nlinks;
  for (; gt_expr_is_link(e); e = e->args[0]) {
    if (in->nlinks == in->linkcap) {
      size_t cap = in->linkcap ? in->linkcap * 2 : 64;
      const GtExpr **t = realloc(in->links, cap * sizeof *t);
      if (t == NULL)
        gt_rec_fail(R(in), GT_ERUNTIME, "out of memory");
      in->links = t;
      in->linkcap = cap;
    }
    in->links[in->nlinks++] = e;
  }
  size_t top = in->nlinks;
  int32_t v = eval(in, e);
  for (size_t i = top; i-- > base;) {
    in->nlinks = i; /* chains in the operand stack above the pending links */
    v = apply_link(in, in->links[i], v);
  }
  in->nlinks = base;
  return v;
}

/* a if c else b: only the branch chosen runs (a control decision, as an
   if statement's), so the derivative is that branch's */
static int32_t
eval_cond(Interp *in, const GtExpr *e)
{
  GtRec *r = R(in);
  int32_t c = eval(in, e->args[1]);
  r->site = e->args[1]->id;
  if (gt_node_shape(r->tape, c)->rank != 0)
    gt_rec_fail(r, GT_ERUNTIME, "the condition of 'a if c else b' must be "
                "a number (where(c, a, b) chooses element by element)");
  return eval(in, e->args[truth(in, c, e->args[1]->id) ? 0 : 2]);
}

static int32_t
eval(Interp *in, const GtExpr *e)
{
  GtRec *r = R(in);
  if (gt_expr_is_link(e) && gt_expr_is_link(e->args[0]))
    return eval_chain(in, e);
  switch ((GtExprKind)e->kind) {
  case GT_EX_NUM:
    return literal(in, e);
  case GT_EX_GLOBAL:
  case GT_EX_LOCAL:
    return read_var(in, e);
  case GT_EX_OP: {
    if (e->nargs > 3 || (e->nargs == 3 && e->op != GT_OP_WHERE))
      return extreme(in, e);
    int32_t v[3] = { -1, -1, -1 };
    for (int k = 0; k < e->nargs && k < 3; k++)
      v[k] = eval(in, e->args[k]);
    return apply_op(in, e, v);
  }
  case GT_EX_AND:
  case GT_EX_OR:
    return apply_link(in, e, eval(in, e->args[0]));
  case GT_EX_COND:
    return eval_cond(in, e);
  case GT_EX_CALL: {
    int32_t v = call(in, e);
    if (v < 0) {
      r->site = e->id;
      gt_rec_fail(r, GT_ERUNTIME, "function '%s' ended without returning a "
                  "value", r->env->names->text[in->prog->funcs[e->slot].name]);
    }
    return v;
  }
  case GT_EX_HESSIAN: {
    int32_t y = eval(in, e->args[0]);
    int32_t x = eval(in, e->args[1]);
    r->site = e->id;
    if (gt_node_shape(r->tape, x)->rank == 0)
      return grad(in, e, y, x, 2);
    /* the Jacobian of the gradient */
    need_scalar(in, y, "the function of hessian");
    return jacobian(in, e, grad(in, e, y, x, 1), x);
  }
  case GT_EX_GRAD: {
    int32_t y = eval(in, e->args[0]);
    int32_t x = eval(in, e->args[1]);
    long k = 1;
    if (e->nargs == 3) {
      k = int_arg(in, e->args[2], "the order of grad");
      if (k < 0) {
        r->site = e->args[2]->id;
        gt_rec_fail(r, GT_ERUNTIME, "the order of grad must not be negative");
      }
    }
    return grad(in, e, y, x, k);
  }
  case GT_EX_TENSOR: {
    /* a literal of numbers only is one constant node */
    GtShape cs;
    if (const_shape(e, &cs) == 0 && cs.rank <= GT_MAX_RANK) {
      r->site = e->id;
      int32_t t = gt_rec_zeros(r, &cs);
      size_t k = 0;
      const_fill(in, e, r->tape->nodes[t].v, &k);
      return t;
    }
    /* the element list lives in the tape's arena: errors leak nothing */
    int32_t *v = gt_arena_alloc(&r->tape->vals,
                                ((size_t)e->nargs + 1) * sizeof *v);
    if (v == NULL)
      gt_rec_fail(r, GT_ERUNTIME, "out of memory");
    for (int k = 0; k < e->nargs; k++)
      v[k] = eval(in, e->args[k]);
    r->site = e->id;
    return gt_tensor_stack(r, v, e->nargs);
  }
  case GT_EX_TFUNC:
    return eval_tfunc(in, e);
  case GT_EX_INDEX: {
    int32_t base = eval(in, e->args[0]);
    GtView v;
    GtShape vs;
    make_view(in, e, base, e->args + 1, (size_t)e->nargs - 1, &v, &vs);
    r->site = e->id;
    return gt_tensor_view(r, base, &v, &vs);
  }
  case GT_EX_JACOBIAN: {
    int32_t y = eval(in, e->args[0]);
    int32_t x = eval(in, e->args[1]);
    r->site = e->id;
    return jacobian(in, e, y, x);
  }
  case GT_EX_SLICE:
    r->site = e->id;
    gt_rec_fail(r, GT_ERUNTIME, "a slice is only allowed inside [ ]");
  case GT_EX_STR:
    break;
  }
  r->site = e->id;
  gt_rec_fail(r, GT_ERUNTIME, "internal error: cannot evaluate this");
}

/* ---- statements ----------------------------------------------------------- */

static void
bind(Interp *in, const GtStmt *s, int32_t v)
{
  if (s->target_kind == GT_EX_GLOBAL) {
    in->globals[s->slot] = v;
    if (in->depth == 0 && s->kind != GT_ST_FOR)
      in->last = s->slot;
  } else
    in->stack[in->base + (size_t)s->slot] = v;
}

static void
step(Interp *in, uint32_t site)
{
  check_interrupt(in, site);
  if (++in->steps > R(in)->env->opt->max_steps) {
    R(in)->site = site;
    gt_rec_fail(R(in), GT_ERUNTIME,
                "more than %lu loop iterations (an endless loop? raise the "
                "limit with --max-steps)", R(in)->env->opt->max_steps);
  }
}

/* the text of a string literal, escapes resolved; malloc'd */
static char *
string_text(Interp *in, const GtExpr *e)
{
  const GtSource *src = R(in)->env->sources[e->span.src];
  const char *s = src->text + e->span.off + 1;
  size_t n = e->span.len >= 2 ? e->span.len - 2 : 0;
  char *out = malloc(n + 1);
  if (out == NULL)
    gt_rec_fail(R(in), GT_ERUNTIME, "out of memory");
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\\' && i + 1 < n) {
      c = s[++i];
      if (c == 'n')
        c = '\n';
      else if (c == 't')
        c = '\t';
    }
    out[j++] = c;
  }
  out[j] = '\0';
  return out;
}

static void
do_print(Interp *in, const GtStmt *s)
{
  GtRec *r = R(in);
  r->tape->no_replay = 1; /* a replay would not print */
  /* Every argument is evaluated before the line is built: an argument
     may call a function that prints (print(f(x)) with a print in f),
     which would take over in->line, the one line an error frees. */
  int32_t *v = gt_arena_alloc(&r->tape->vals,
                              (s->nargs ? s->nargs : 1) * sizeof *v);
  if (v == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  for (size_t k = 0; k < s->nargs; k++) {
    if (s->args[k]->kind == GT_EX_STR)
      continue;
    v[k] = eval(in, s->args[k]);
    r->site = s->args[k]->id;
    gt_rec_check_nan(r, v[k]);
  }
  size_t len = 0, cap = 128;
  in->line = malloc(cap);
  if (in->line == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  in->line[0] = '\0';
  for (size_t k = 0; k < s->nargs; k++) {
    char *piece;
    if (s->args[k]->kind == GT_EX_STR)
      piece = string_text(in, s->args[k]);
    else {
      const GtShape *vs = gt_node_shape(r->tape, v[k]);
      GtValue val = { vs->rank, vs->dim, vs->size, r->tape->nodes[v[k]].v };
      piece = gt_format_value(&val, r->env->opt->digits);
    }
    size_t pl = piece ? strlen(piece) : 0;
    if (len + pl + 2 > cap) {
      cap = (len + pl + 2) * 2;
      char *t = realloc(in->line, cap);
      if (t == NULL) {
        free(piece);
        gt_rec_fail(r, GT_ERUNTIME, "out of memory");
      }
      in->line = t;
    }
    if (k > 0)
      in->line[len++] = ' ';
    memcpy(in->line + len, piece ? piece : "", pl);
    len += pl;
    in->line[len] = '\0';
    free(piece);
  }
  if (r->env->opt->print && in->top_off >= r->env->opt->print_from)
    r->env->opt->print(r->env->opt->print_user, in->line);
  free(in->line);
  in->line = NULL;
}

static void
bind_counter(Interp *in, const GtStmt *s, uint32_t site, long k)
{
  GtRec *r = R(in);
  r->site = site;
  int32_t v = gt_rec_leaf(r);
  if (mpfr_set_si(r->tape->nodes[v].v, k, MPFR_RNDN) == 0)
    r->tape->nodes[v].flags |= GT_NF_EXACT;
  bind(in, s, v);
}

/* Records the lazy counter in *slot (see struct LazyCounter). */
static void
counter_leaf(Interp *in, int32_t *slot)
{
  GtRec *r = R(in);
  const struct LazyCounter *c = &in->ctrs[LAZY_INDEX(*slot)];
  uint32_t site = r->site, frame = r->frame;
  r->site = c->site;
  r->frame = c->frame;
  int32_t v = gt_rec_leaf(r);
  r->site = site;
  r->frame = frame;
  if (mpfr_set_si(r->tape->nodes[v].v, c->k, MPFR_RNDN) == 0)
    r->tape->nodes[v].flags |= GT_NF_EXACT;
  *slot = v;
}

/* for v in x: v is x[0], x[1], ... (views along the first axis: numbers
   for a vector, rows for a matrix), so the derivatives flow back into
   x's elements.  x is evaluated once, before the loop. */
static Flow
exec_for_in(Interp *in, const GtStmt *s)
{
  GtRec *r = R(in);
  int32_t x = eval(in, s->expr);
  r->site = s->expr->id;
  GtShape xs = *gt_node_shape(r->tape, x), es;
  if (xs.rank == 0)
    gt_rec_fail(r, GT_ERUNTIME, "cannot loop over a number: 'for v in x' "
                "takes the elements of a tensor's first axis (write "
                "'for i in range(n)' to count)");
  memset(&es, 0, sizeof es);
  es.rank = xs.rank - 1;
  es.size = 1;
  for (int d = 1; d < xs.rank; d++) {
    es.dim[d - 1] = xs.dim[d];
    es.size *= xs.dim[d];
  }
  GtView v;
  memset(&v, 0, sizeof v);
  gt_row_strides(&es, v.stride);
  Flow fl = FLOW_NEXT;
  size_t last = 0;
  int ran = 0;
  for (size_t k = 0; k < xs.dim[0]; k++) {
    step(in, s->site);
    last = k;
    ran = 1;
    if (s->var_read) {
      v.offset = k * es.size;
      r->site = s->expr->id;
      bind(in, s, gt_tensor_view(r, x, &v, &es));
    }
    fl = exec_block(in, &s->body);
    if (fl == FLOW_BREAK || fl == FLOW_RETURN)
      break;
  }
  /* a variable the body never reads is bound once, to the last element */
  if (ran && !s->var_read) {
    v.offset = last * es.size;
    r->site = s->expr->id;
    bind(in, s, gt_tensor_view(r, x, &v, &es));
  }
  return fl == FLOW_RETURN ? fl : FLOW_NEXT;
}

static Flow
exec_for(Interp *in, const GtStmt *s)
{
  if (s->expr != NULL)
    return exec_for_in(in, s);
  long a = 0, b, st = 1;
  if (s->nargs == 1)
    b = int_arg(in, s->args[0], "a range bound");
  else {
    a = int_arg(in, s->args[0], "a range bound");
    b = int_arg(in, s->args[1], "a range bound");
    if (s->nargs == 3) {
      st = int_arg(in, s->args[2], "the step of range");
      if (st == 0) {
        R(in)->site = s->args[2]->id;
        gt_rec_fail(R(in), GT_ERUNTIME, "the step of range must not be 0");
      }
    }
  }
  uint32_t site = s->args[0]->id;
  long last = a;
  int ran = 0;
  Flow fl = FLOW_NEXT;
  size_t d = in->nctr;
  if (s->var_read) {
    if (d == in->ctrcap) {
      size_t cap = d ? 2 * d : 16;
      struct LazyCounter *c = cap < (size_t)INT32_MAX / 2
                                  ? realloc(in->ctrs, cap * sizeof *c)
                                  : NULL;
      if (c == NULL)
        gt_rec_fail(R(in), GT_ERUNTIME, "out of memory");
      in->ctrs = c;
      in->ctrcap = cap;
    }
    in->ctrs[d] = (struct LazyCounter){ a, site, R(in)->frame };
    in->nctr++;
  }
  for (long k = a; st > 0 ? k < b : k > b; k += st) {
    step(in, s->site);
    last = k;
    ran = 1;
    if (s->var_read) {
      in->ctrs[d].k = k;
      bind(in, s, LAZY(d));
    }
    fl = exec_block(in, &s->body);
    if (fl == FLOW_BREAK || fl == FLOW_RETURN)
      break;
  }
  if (s->var_read) {
    /* the counter outlives the loop as a number */
    int32_t *p = var_slot(in, s->target_kind, s->slot);
    if (*p == LAZY(d))
      counter_leaf(in, p);
    in->nctr--;
  }
  /* a counter the body never reads is bound once, to its last value */
  if (ran && !s->var_read)
    bind_counter(in, s, site, last);
  return fl == FLOW_RETURN ? fl : FLOW_NEXT;
}

/* Global `slot` becomes an output, once, in the order outputs run. */
static void
add_output(Interp *in, int32_t slot)
{
  if (!in->is_out[slot]) {
    in->is_out[slot] = 1;
    in->outs[in->nout++] = slot;
  }
}

/* y = e, x[items] = e, and a top-level bare expression (bound to its
   text and an output). */
static Flow
exec_assign(Interp *in, const GtStmt *s)
{
  GtRec *r = R(in);
  int32_t v;
  if (s->bare && s->expr->kind == GT_EX_CALL) {
    v = call(in, s->expr);
    if (v < 0)
      return FLOW_NEXT;       /* a function that returns nothing */
  } else
    v = eval(in, s->expr);
  if (s->nargs > 0) {
    /* x[items] = v: x becomes a new tensor with those elements set */
    int32_t *op = var_slot(in, s->target_kind, s->slot);
    if (*op <= LAZY(0))
      counter_leaf(in, op);
    int32_t old = *op;
    if (old < 0) {
      gt_diag_add(r->env->diags, GT_SEV_ERROR,
                  r->env->sources[s->namespan.src], s->namespan,
                  "'%s' is used before it is assigned",
                  r->env->names->text[s->name]);
      gt_rec_call_chain(r, r->frame);
      r->status = GT_ESYNTAX;
      longjmp(*r->fail, 1);
    }
    GtView view;
    GtShape vs;
    make_view(in, s->expr, old, s->args, s->nargs, &view, &vs);
    r->site = s->expr->id;
    GtShape es = *gt_node_shape(r->tape, v), b;
    if (gt_broadcast(&es, &vs, &b) != 0 || b.rank != vs.rank
        || b.size != vs.size) {
      char x[128], y[128];
      gt_rec_fail(r, GT_ERUNTIME, "cannot assign a value of shape %s to "
                  "elements of shape %s", gt_shape_str(&es, x, sizeof x),
                  gt_shape_str(&vs, y, sizeof y));
    }
    v = gt_tensor_setview(r, old, v, &view, &vs);
  }
  bind(in, s, v);
  if (s->bare)
    add_output(in, s->slot);
  return FLOW_NEXT;
}

/* input NAME [= default]: the --at value, else the default; a leaf. */
static Flow
exec_input(Interp *in, const GtStmt *s)
{
  GtRec *r = R(in);
  int idx = s->input_index;
  int32_t v;
  if (in->at != NULL && in->at[idx] >= 0)
    v = in->at[idx];
  else if (s->expr != NULL) {
    v = eval(in, s->expr);
    /* a default computed after other inputs may depend on them: it
       would go stale in a replay that sets only those */
    if (in->inputs_bound && r->tape->nodes[v].op != GT_OP_CONST)
      r->tape->no_replay = 1;
  } else {
    const GtSource *src = r->env->sources[s->namespan.src];
    gt_diag_add(r->env->diags, GT_SEV_ERROR, src, s->namespan,
                "input '%s' has no default value; give one with --at "
                "%s=VALUE", r->env->names->text[s->name],
                r->env->names->text[s->name]);
    r->status = GT_EUSAGE;
    longjmp(*r->fail, 1);
  }
  r->site = s->expr ? s->expr->id : 0;
  GtShape vs = *gt_node_shape(r->tape, v);
  int32_t n;
  if (vs.size > 1 && r->tape->nodes[v].op == GT_OP_CONST
      && (size_t)v + 1 == r->tape->n) {
    /* a table just read (load(), a tensor literal) that nothing else
       uses: the input shares its numbers instead of copying them (a
       tensor input is never replayed in place, see replay.c) */
    n = gt_rec_push_alias(r, GT_OP_INPUT, -1, &vs, r->tape->nodes[v].v);
  } else {
    n = gt_rec_push_shaped(r, GT_OP_INPUT, -1, -1, -1, &vs);
    for (size_t k = 0; k < vs.size; k++)
      mpfr_set(&r->tape->nodes[n].v[k], &r->tape->nodes[v].v[k], MPFR_RNDN);
  }
  r->tape->nodes[n].param = (uint32_t)v + 1; /* its value's node, for
                                                --enclose (enclose.c) */
  in->input_nodes[idx] = n;
  in->inputs_bound++;
  bind(in, s, n);
  return FLOW_NEXT;
}

static Flow
exec_assert(Interp *in, const GtStmt *s)
{
  GtRec *r = R(in);
  if (!cond(in, s->expr)) {
    r->site = s->expr->id;
    char *msg = s->nargs ? string_text(in, s->args[0]) : NULL;
    GtSpan sp = s->expr->span;
    gt_diag_add(r->env->diags, GT_SEV_ERROR, r->env->sources[sp.src], sp,
                "assertion failed%s%s", msg ? ": " : "", msg ? msg : "");
    free(msg);
    gt_rec_call_chain(r, r->frame);
    r->status = GT_EASSERT;
    longjmp(*r->fail, 1);
  }
  return FLOW_NEXT;
}

static Flow
exec_stmt(Interp *in, const GtStmt *s)
{
  switch (s->kind) {
  case GT_ST_EXPR:
    if (s->expr->kind == GT_EX_CALL)
      call(in, s->expr); /* a call may return nothing here */
    else
      eval(in, s->expr);
    return FLOW_NEXT;
  case GT_ST_ASSIGN:
    return exec_assign(in, s);
  case GT_ST_IF:
    if (cond(in, s->expr))
      return exec_block(in, &s->body);
    for (size_t k = 0; k < s->nargs; k++)
      if (cond(in, s->args[k]))
        return exec_block(in, &s->elifs[k]);
    if (s->has_else)
      return exec_block(in, &s->orelse);
    return FLOW_NEXT;
  case GT_ST_FOR:
    return exec_for(in, s);
  case GT_ST_WHILE:
    for (;;) {
      step(in, s->site);
      if (!cond(in, s->expr))
        break;
      Flow fl = exec_block(in, &s->body);
      if (fl == FLOW_BREAK)
        break;
      if (fl == FLOW_RETURN)
        return fl;
    }
    return FLOW_NEXT;
  case GT_ST_BREAK:
    return FLOW_BREAK;
  case GT_ST_CONTINUE:
    return FLOW_CONTINUE;
  case GT_ST_RETURN:
    in->retval = s->expr ? eval(in, s->expr) : -1;
    return FLOW_RETURN;
  case GT_ST_INPUT:
    return exec_input(in, s);
  case GT_ST_OUTPUT:
    for (size_t k = 0; k < s->nargs; k++)
      add_output(in, s->args[k]->slot);
    return FLOW_NEXT;
  case GT_ST_ASSERT:
    return exec_assert(in, s);
  case GT_ST_PRINT:
    do_print(in, s);
    return FLOW_NEXT;
  }
  return FLOW_NEXT;
}

static Flow
exec_block(Interp *in, const GtBlock *b)
{
  for (size_t i = 0; i < b->n; i++) {
    Flow fl = exec_stmt(in, b->stmts[i]);
    if (fl != FLOW_NEXT)
      return fl;
  }
  return FLOW_NEXT;
}

/* ---- entry ---------------------------------------------------------------- */

/* Adds to *ctx (a size_t) the outputs statement s and those inside it
   name. */
static int
count_stmt(void *ctx, GtStmt *s)
{
  size_t *n = ctx;
  if (s->kind == GT_ST_OUTPUT)
    *n += s->nargs;
  *n += s->bare;
  GtStmtVisitor v = { .stmt = count_stmt, .ctx = ctx };
  return gt_stmt_children(s, &v);
}

static size_t
count_outputs(const GtBlock *b)
{
  size_t n = 0;
  GtStmtVisitor v = { .stmt = count_stmt, .ctx = &n };
  gt_block_each(b, &v);
  return n;
}

/* The C stack a run may use: the option, else the process's limit less
   what the caller may already use, kept within reason. */
static size_t
stack_budget(const GtOptions *opt)
{
  if (opt->max_stack)
    return opt->max_stack;
  struct rlimit rl;
  size_t lim = (size_t)8 << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    lim = (size_t)rl.rlim_cur;
  else if (rl.rlim_cur == RLIM_INFINITY)
    lim = (size_t)256 << 20;
  return lim > ((size_t)2 << 20) ? lim - ((size_t)1 << 20) : lim / 2;
}

static int
setup(Interp *in, const GtProgram *prog, const GtRunEnv *env, GtTape *tape,
      jmp_buf *fail)
{
  memset(in, 0, sizeof *in);
  in->stack_top = (const char *)__builtin_frame_address(0);
  in->stack_budget = stack_budget(env->opt);
  in->rec.tape = tape;
  in->rec.env = env;
  in->rec.prog = prog;
  in->rec.fail = fail;
  for (int k = 0; k < 4; k++)
    in->rec.cache[k] = -1;
  in->prog = prog;
  in->last = -1;
  in->retval = -1;
  in->globals = malloc((prog->nglobals + 1) * sizeof *in->globals);
  in->lits = malloc((prog->nexprs + 1) * sizeof *in->lits);
  in->kinks.noted = calloc(prog->nexprs + 1, 1);
  in->kinks.nsites = prog->nexprs + 1;
  in->rec.kinks = &in->kinks;
  in->stackcap = 256;
  in->stack = malloc(in->stackcap * sizeof *in->stack);
  in->outs = malloc((count_outputs(&prog->top) + 1) * sizeof *in->outs);
  in->is_out = calloc(prog->nglobals + 1, 1);
  in->input_nodes = malloc((prog->ninputs + 1) * sizeof *in->input_nodes);
  if (!in->globals || !in->lits || !in->kinks.noted || !in->stack || !in->outs
      || !in->is_out || !in->input_nodes)
    return -1;
  memset(in->globals, 0xff, (prog->nglobals + 1) * sizeof *in->globals);
  memset(in->lits, 0xff, (prog->nexprs + 1) * sizeof *in->lits);
  memset(in->input_nodes, 0xff, (prog->ninputs + 1) * sizeof *in->input_nodes);
  return 0;
}

static void
teardown(Interp *in)
{
  free(in->globals);
  free(in->lits);
  gt_rec_kinks_free(&in->kinks);
  free(in->line);
  free(in->stack);
  free(in->outs);
  free(in->is_out);
  free(in->links);
  free(in->input_nodes);
  free(in->ctrs);
}

/* the predefined constants pi, e, inf and nan */
static void
predefine(Interp *in)
{
  GtRec *r = R(in);
  for (int k = 0; k < GT_NPREDEF; k++) {
    int32_t i = gt_rec_leaf(r);
    mpfr_ptr v = r->tape->nodes[i].v;
    switch (k) {
    case GT_GLOBAL_PI: mpfr_const_pi(v, MPFR_RNDN); break;
    case GT_GLOBAL_E: mpfr_set_ui(v, 1, MPFR_RNDN); mpfr_exp(v, v, MPFR_RNDN); break;
    case GT_GLOBAL_INF: mpfr_set_inf(v, 1); break;
    default: mpfr_set_nan(v); break;
    }
    in->globals[k] = i;
    if ((k == GT_GLOBAL_PI || k == GT_GLOBAL_E)
        && gt_tape_leafsrc(r->tape, i, k == GT_GLOBAL_PI ? GT_LEAF_PI
                                                         : GT_LEAF_E,
                           (GtSpan){ 0, 0, 0 }) != 0)
      gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  }
}

GtStatus
gt_interp_run(const GtProgram *prog, const GtRunEnv *env, GtTape *tape,
              const int32_t *at, GtRunResult *res)
{
  memset(res, 0, sizeof *res);
  Interp in;
  jmp_buf fail;
  if (setup(&in, prog, env, tape, &fail) != 0) {
    teardown(&in);
    gt_diag_add(env->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                "out of memory");
    return GT_ERUNTIME;
  }
  in.at = at;
  if (setjmp(fail)) {
    GtStatus st = in.rec.status;
    teardown(&in);
    return st ? st : GT_ERUNTIME;
  }
  predefine(&in);
  for (size_t i = 0; i < prog->top.n; i++) {
    in.top_off = prog->top.stmts[i]->span.off;
    if (exec_stmt(&in, prog->top.stmts[i]) != FLOW_NEXT)
      break;
  }

  /* outputs: declared ones, else the last top-level binding */
  if (in.nout == 0 && in.last >= 0)
    in.outs[in.nout++] = in.last;
  res->out_names = malloc((in.nout + 1) * sizeof *res->out_names);
  res->out_nodes = malloc((in.nout + 1) * sizeof *res->out_nodes);
  if (!res->out_names || !res->out_nodes) {
    gt_run_result_free(res);
    gt_rec_fail(&in.rec, GT_ERUNTIME, "out of memory");
  }
  res->nout = in.nout;
  for (size_t k = 0; k < in.nout; k++) {
    int32_t slot = in.outs[k];
    res->out_names[k] = (uint32_t)prog->global_name[slot];
    res->out_nodes[k] = in.globals[slot];
    if (in.globals[slot] < 0) {
      gt_diag_add(env->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                  "output '%s' is never assigned",
                  env->names->text[prog->global_name[slot]]);
      gt_run_result_free(res);
      teardown(&in);
      return GT_ERUNTIME;
    }
  }
  if (setjmp(fail)) {
    gt_run_result_free(res);
    teardown(&in);
    return GT_ERUNTIME;
  }
  in.rec.site = 0;
  for (size_t k = 0; k < res->nout; k++)
    gt_rec_check_nan(&in.rec, res->out_nodes[k]);
  /* the inputs are printed too (CSV, TSV and --batch rows): a default
     that came out NaN (input w = acosh(0.25)) is an error there */
  for (size_t k = 0; k < prog->ninputs; k++)
    if (in.input_nodes[k] >= 0)
      gt_rec_check_nan(&in.rec, in.input_nodes[k]);
  tape->run_nodes = tape->n;
  res->input_nodes = in.input_nodes;
  res->globals = in.globals;
  res->any_kink = in.rec.any_kink;
  res->steps = in.steps;
  res->work = in.rec.work;
  res->kinks = in.kinks;
  memset(&in.kinks, 0, sizeof in.kinks);
  in.input_nodes = NULL;
  in.globals = NULL;
  teardown(&in);
  return GT_OK;
}

/* Whether statement s declares an input, at any depth (nonzero: it
   cannot be resumed). */
static int
resumable(void *ctx, GtStmt *s)
{
  (void)ctx;
  if (s->kind == GT_ST_INPUT)
    return 1;
  GtStmtVisitor v = { .stmt = resumable };
  return gt_stmt_children(s, &v);
}

/* Checks, after a resumed run, what the whole run would check at its end:
   every output of prog assigned and not NaN, and (conservatively) every
   global prog changed not NaN. */
static void
resume_checks(Interp *in, const GtRunResult *res, size_t nold)
{
  const GtProgram *prog = in->prog;
  in->rec.site = 0;
  for (size_t k = 0; k < in->nout; k++) {
    if (in->globals[in->outs[k]] < 0)
      gt_rec_fail(&in->rec, GT_ERUNTIME, "output never assigned");
    gt_rec_check_nan(&in->rec, in->globals[in->outs[k]]);
  }
  for (size_t k = 0; k < prog->nglobals; k++)
    if (in->globals[k] >= 0 && (k >= nold || in->globals[k] != res->globals[k]))
      gt_rec_check_nan(&in->rec, in->globals[k]);
}

GtStatus
gt_interp_resume(const GtProgram *prog, const GtRunEnv *env, GtTape *tape,
                 size_t nold, GtRunResult *res)
{
  if (prog->ninputs > 0 || prog->nfuncs > 0 || nold > prog->nglobals
      || res->globals == NULL)
    return GT_EUSAGE;
  for (size_t i = 0; i < prog->top.n; i++)
    if (resumable(NULL, prog->top.stmts[i]))
      return GT_EUSAGE;
  Interp in;
  jmp_buf fail;
  if (setup(&in, prog, env, tape, &fail) != 0) {
    teardown(&in);
    return GT_ERUNTIME;
  }
  memcpy(in.globals, res->globals, nold * sizeof *in.globals);
  in.steps = res->steps;
  in.rec.work = res->work;
  if (setjmp(fail)) {
    GtStatus st = in.rec.status;
    teardown(&in);
    return st ? st : GT_ERUNTIME;
  }
  for (size_t i = 0; i < prog->top.n; i++) {
    in.top_off = prog->top.stmts[i]->span.off;
    if (exec_stmt(&in, prog->top.stmts[i]) != FLOW_NEXT)
      longjmp(fail, 1); /* a top-level break or return: let a full run say */
  }
  resume_checks(&in, res, nold);
  tape->run_nodes = tape->n;
  free(res->globals);
  res->globals = in.globals;
  in.globals = NULL;
  res->steps = in.steps;
  res->work = in.rec.work;
  res->any_kink |= in.rec.any_kink;
  teardown(&in);
  return GT_OK;
}

GtStatus
gt_interp_eval_at(const GtProgram *prog, const GtRunEnv *env, GtTape *tape,
                  int32_t *node)
{
  Interp in;
  jmp_buf fail;
  if (setup(&in, prog, env, tape, &fail) != 0) {
    teardown(&in);
    return GT_ERUNTIME;
  }
  if (setjmp(fail)) {
    GtStatus st = in.rec.status;
    teardown(&in);
    return st ? st : GT_ERUNTIME;
  }
  predefine(&in);
  const GtExpr *e = prog->top.stmts[0]->expr;
  int32_t v = eval(&in, e);
  in.rec.site = e->id;
  gt_rec_check_nan(&in.rec, v);
  *node = v;
  teardown(&in);
  return GT_OK;
}

void
gt_run_result_free(GtRunResult *res)
{
  free(res->out_names);
  free(res->out_nodes);
  free(res->input_nodes);
  free(res->globals);
  gt_rec_kinks_free(&res->kinks);
  memset(res, 0, sizeof *res);
}
