/* api.c -- the public interface: sessions that load, run and differentiate.
 *
 * A session owns its sources, the parsed program, the --at expressions,
 * the tape of the last run and the derivatives computed from it.  Each
 * run replaces the previous tape; each derivative request replaces the
 * previous results.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"


void
gt_options_init(GtOptions *opt)
{
  memset(opt, 0, sizeof *opt);
  opt->prec = GT_DEFAULT_PREC;
  opt->max_nodes = 50000000UL;
  opt->max_steps = 100000000UL;
  opt->max_depth = 10000UL;
  opt->max_elems = 10000000UL;
}

GtSession *
gt_session_new(const GtOptions *opt)
{
  GtSession *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  if (opt)
    s->opt = *opt;
  else
    gt_options_init(&s->opt);
  if (s->opt.prec < GT_PREC_MIN)
    s->opt.prec = GT_PREC_MIN;
  if (s->opt.prec > GT_PREC_MAX)
    s->opt.prec = GT_PREC_MAX;
  return s;
}

static void
drop_results(GtSession *s)
{
  /* a small results tape is emptied and kept: --batch asks for the
     derivatives of every row */
  if (s->have_results)
    s->spare_results = gt_tape_reset(&s->results) == 0;
  s->have_results = 0;
  free(s->derivs);
  free(s->wrt_names);
  s->derivs = NULL;
  s->wrt_names = NULL;
  s->nderivs = 0;
}

static void
drop_run(GtSession *s)
{
  drop_results(s);
  if (s->spare_results)
    gt_tape_free(&s->results);
  s->spare_results = 0;
  gt_enclose_drop(s);
  if (s->have_tape)
    gt_tape_free(&s->tape);
  s->have_tape = 0;
  gt_run_result_free(&s->res);
  s->ran = 0;
}

/* Inputs given by value (gt_session_set_input_value in replay.c): the
   session owns their storage. */

void
gt_session_drop_input_tensor(GtSession *s, size_t i)
{
  if (s->at_tensor == NULL || s->at_tensor[i] == NULL)
    return;
  GtInputTensor *t = s->at_tensor[i];
  for (size_t k = 0; k < t->shape.size; k++)
    mpfr_clear(&t->elems[k]);
  free(t->elems);
  free(t);
  s->at_tensor[i] = NULL;
}

/* When input i was set by value, appends a leaf holding it to tape and
   returns 1 with its node in *node; else returns 0. */
static int
input_by_value(GtSession *s, size_t i, GtTape *tape, int32_t *node)
{
  if (s->at_tensor != NULL && s->at_tensor[i] != NULL) {
    const GtInputTensor *t = s->at_tensor[i];
    uint32_t sh = gt_tape_shape(tape, &t->shape);
    *node = sh == UINT32_MAX ? -1
            : gt_tape_push_shaped(tape, GT_OP_CONST, -1, -1, -1, sh, 0, 0);
    if (*node < 0) {
      *node = -1; /* the run reports it on its next node */
      return 1;
    }
    mpfr_ptr d = tape->nodes[*node].v;
    for (size_t k = 0; k < t->shape.size; k++)
      mpfr_set(&d[k], &t->elems[k], MPFR_RNDN);
    return 1;
  }
  if (s->at_value == NULL || s->at_value[i] == NULL)
    return 0;
  *node = gt_tape_push(tape, GT_OP_CONST, -1, -1, -1, 0, 0);
  if (*node < 0) {
    *node = -1; /* out of memory: the run reports it on its next node */
    return 1;
  }
  mpfr_set(tape->nodes[*node].v, s->at_value[i], MPFR_RNDN);
  return 1;
}

void
gt_session_unset_input(GtSession *s, size_t i)
{
  gt_session_drop_input_tensor(s, i);
  if (s->at_value == NULL || s->at_value[i] == NULL)
    return;
  mpfr_clear(s->at_value[i]);
  free(s->at_value[i]);
  s->at_value[i] = NULL;
}

/* Frees the values (before the program is dropped). */
static void
free_inputs_by_value(GtSession *s)
{
  if ((s->at_value != NULL || s->at_tensor != NULL) && s->prog != NULL)
    for (size_t i = 0; i < s->prog->ninputs; i++)
      gt_session_unset_input(s, i);
  free(s->at_value);
  s->at_value = NULL;
  free(s->at_tensor);
  s->at_tensor = NULL;
}

static void
drop_program(GtSession *s)
{
  drop_run(s);
  free_inputs_by_value(s);
  if (s->prog && s->at)
    for (size_t i = 0; i < s->prog->ninputs; i++)
      gt_program_free(s->at[i]);
  free(s->at);
  s->at = NULL;
  gt_program_free(s->prog);
  s->prog = NULL;
  for (size_t i = 0; i < s->nolder; i++)
    gt_program_free(s->older[i]);
  free(s->older);
  s->older = NULL;
  s->nolder = 0;
}

void
gt_session_free(GtSession *s)
{
  if (s == NULL)
    return;
  drop_program(s);
  for (size_t i = 0; i < s->nsources; i++)
    gt_source_free(s->sources[i]);
  free(s->sources);
  gt_diag_clear(&s->diags);
  free(s->diags.items);
  gt_names_free(&s->names);
  free(s);
}

static const GtSpan nowhere = { 0, 0, 0 };

static GtStatus
error(GtSession *s, GtStatus st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static GtStatus
error(GtSession *s, GtStatus st, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  gt_diag_vadd(&s->diags, GT_SEV_ERROR, NULL, nowhere, fmt, ap);
  va_end(ap);
  return st;
}

/* The status of a parse that gave no program: a syntax error, unless
   memory ran out (no diagnostic could be added, or the last says so),
   which is a run-time failure like any other (exit status 4). */
static GtStatus
parse_failed(GtSession *s, size_t ndiags)
{
  if (s->diags.n == ndiags)
    return error(s, GT_ERUNTIME, "out of memory");
  const GtDiag *d = &s->diags.items[s->diags.n - 1];
  if (d->file == NULL && d->message != NULL
      && strcmp(d->message, "out of memory") == 0)
    return GT_ERUNTIME;
  return GT_ESYNTAX;
}

/* Adds a source; returns its index or -1. */
static long
add_source(GtSession *s, const char *name, const char *text, size_t len)
{
  if (len > (size_t)INT32_MAX)
    return -1;
  GtSource **v = realloc(s->sources, (s->nsources + 1) * sizeof *v);
  if (v == NULL)
    return -1;
  s->sources = v;
  GtSource *src = gt_source_new(name, text, len);
  if (src == NULL)
    return -1;
  v[s->nsources] = src;
  return (long)s->nsources++;
}

GtStatus
gt_session_load(GtSession *s, const char *file, const char *text, size_t len)
{
  return gt_session_load_ex(s, file, text, len, NULL);
}

GtStatus
gt_session_load_ex(GtSession *s, const char *file, const char *text,
                   size_t len, const GtLoadOptions *lo)
{
  drop_program(s);
  if (len > (size_t)INT32_MAX)
    return error(s, GT_EUSAGE, "%s: the program is too large (at most 2 GiB)",
                 file);
  long id = add_source(s, file, text, len);
  if (id < 0)
    return error(s, GT_ERUNTIME, "out of memory");
  size_t nd = s->diags.n;
  s->prog = gt_parse_with(s->sources[id], (uint32_t)id, &s->names, &s->diags,
                          0, lo);
  if (s->prog == NULL)
    return parse_failed(s, nd);
  s->at = calloc(s->prog->ninputs + 1, sizeof *s->at);
  if (s->at == NULL)
    return error(s, GT_ERUNTIME, "out of memory");
  return GT_OK;
}

/* The program that holds the session's inputs and functions: the one
   loaded, which gt_session_extend's continuations never add to. */
static const GtProgram *
base_program(const GtSession *s)
{
  return s->nolder ? s->older[0] : s->prog;
}

GtStatus
gt_session_extend(GtSession *s, const char *file, const char *text,
                  size_t len, const GtLoadOptions *lo,
                  const GtOptions *with)
{
  if (!s->ran || s->prog == NULL || s->have_results || s->nderivs
      || (with && with->prec != s->opt.prec))
    return GT_EUSAGE;
  GtProgram **ov = realloc(s->older, (s->nolder + 1) * sizeof *ov);
  if (ov == NULL)
    return error(s, GT_ERUNTIME, "out of memory");
  s->older = ov;
  long id = add_source(s, file, text, len);
  if (id < 0)
    return error(s, GT_ERUNTIME, "out of memory");
  size_t nold = s->prog->nglobals;
  GtProgram *p = gt_parse_seeded(s->sources[id], (uint32_t)id, &s->names,
                                 &s->diags, lo, s->prog->global_name, nold);
  if (p == NULL)
    return GT_ESYNTAX;
  GtOptions opt = with ? *with : s->opt;
  opt.print_from = 0;
  GtRunEnv env = { &opt, s->sources, &s->diags, &s->names };
  GtStatus st = gt_interp_resume(p, &env, &s->tape, nold, &s->res);
  if (st != GT_OK) {
    gt_program_free(p);
    return st;
  }
  /* the loaded program stays (its inputs and functions); a continuation
     is needed no more, its globals being the new one's first */
  if (s->nolder == 0)
    s->older[s->nolder++] = s->prog;
  else
    gt_program_free(s->prog);
  s->prog = p;
  return GT_OK;
}

long
gt_session_input_index(const GtSession *s, const char *name)
{
  return gt_program_input(s->prog, name);
}

GtStatus
gt_session_set_input(GtSession *s, const char *name, const char *expr)
{
  if (s->prog == NULL)
    return error(s, GT_EUSAGE, "no program is loaded");
  long i = gt_session_input_index(s, name);
  if (i < 0)
    return error(s, GT_EUSAGE, "the program has no input named '%s'", name);
  long id = add_source(s, "<at>", expr, strlen(expr));
  if (id < 0)
    return error(s, GT_ERUNTIME, "out of memory");
  size_t nd = s->diags.n;
  GtProgram *p = gt_parse(s->sources[id], (uint32_t)id, &s->names, &s->diags,
                          1);
  if (p == NULL)
    return parse_failed(s, nd);
  gt_program_free(s->at[i]);
  s->at[i] = p;
  gt_session_unset_input(s, (size_t)i);
  return GT_OK;
}

static GtRunEnv
env_of(GtSession *s)
{
  GtRunEnv env = { &s->opt, s->sources, &s->diags, &s->names };
  return env;
}

GtStatus
gt_session_run(GtSession *s)
{
  if (s->prog == NULL || s->nolder)
    return error(s, GT_EUSAGE, "no program is loaded");
  drop_run(s);
  if (gt_tape_init(&s->tape, s->opt.prec, s->opt.max_nodes) != 0)
    return error(s, GT_ERUNTIME, "out of memory");
  s->tape.max_elems = s->opt.max_elems;
  s->have_tape = 1;
  GtRunEnv env = env_of(s);
  size_t n = s->prog->ninputs;
  int32_t *at = malloc((n + 1) * sizeof *at);
  if (at == NULL)
    return error(s, GT_ERUNTIME, "out of memory");
  GtStatus st = GT_OK;
  for (size_t i = 0; i < n && st == GT_OK; i++) {
    at[i] = -1;
    if (input_by_value(s, i, &s->tape, &at[i]))
      continue;
    if (s->at[i])
      st = gt_interp_eval_at(s->at[i], &env, &s->tape, &at[i]);
  }
  if (st == GT_OK)
    st = gt_interp_run(s->prog, &env, &s->tape, at, &s->res);
  free(at);
  s->ran = st == GT_OK;
  return st;
}

size_t
gt_session_output_count(const GtSession *s)
{
  return s->ran ? s->res.nout : 0;
}

const char *
gt_session_output_name(const GtSession *s, size_t i)
{
  return s->names.text[s->res.out_names[i]];
}

static GtValue
scalar(mpfr_srcptr v)
{
  GtValue x = { 0, NULL, 1, v };
  return x;
}

GtValue
gt_session_output_value(const GtSession *s, size_t i)
{
  int32_t n = s->res.out_nodes[i];
  const GtShape *sh = gt_node_shape(&s->tape, n);
  GtValue v = { sh->rank, sh->dim, sh->size, s->tape.nodes[n].v };
  return v;
}

/* A value with the shape of node n, the dims kept in the results arena
   (the tape's shape table may move as derivatives are recorded). */
static GtValue
shaped(GtSession *s, int32_t n, mpfr_srcptr elems)
{
  const GtShape *sh = gt_node_shape(&s->tape, n);
  GtValue v = { sh->rank, NULL, sh->size, elems };
  if (sh->rank) {
    size_t *d = gt_arena_alloc(&s->results.vals, sizeof *d * GT_MAX_RANK);
    if (d != NULL) {
      memcpy(d, sh->dim, sizeof *d * (size_t)sh->rank);
      v.dims = d;
    } else
      v.rank = 0, v.size = 1;
  }
  return v;
}

size_t
gt_session_input_count(const GtSession *s)
{
  const GtProgram *p = base_program(s);
  return p ? p->ninputs : 0;
}

const char *
gt_session_input_name(const GtSession *s, size_t i)
{
  return s->names.text[base_program(s)->inputs[i].name];
}

size_t
gt_session_global_count(const GtSession *s)
{
  return s->prog && s->prog->nglobals > GT_NPREDEF
             ? s->prog->nglobals - GT_NPREDEF : 0;
}

const char *
gt_session_global_name(const GtSession *s, size_t i)
{
  return s->names.text[s->prog->global_name[i + GT_NPREDEF]];
}

int
gt_session_global_value(const GtSession *s, size_t i, GtValue *v)
{
  if (!s->ran || s->res.globals == NULL)
    return 0;
  int32_t n = s->res.globals[i + GT_NPREDEF];
  if (n < 0)
    return 0;
  const GtShape *sh = gt_node_shape(&s->tape, n);
  GtValue x = { sh->rank, sh->dim, sh->size, s->tape.nodes[n].v };
  *v = x;
  return 1;
}

size_t
gt_session_function_count(const GtSession *s)
{
  const GtProgram *p = base_program(s);
  return p ? p->nfuncs : 0;
}

const char *
gt_session_function_name(const GtSession *s, size_t i)
{
  return s->names.text[base_program(s)->funcs[i].name];
}

/* The node a name stands for after the run: an input's INPUT node, else
   the final binding of the top-level name; -1 when none. */
static int32_t
node_of(const GtSession *s, const char *name)
{
  long i = gt_session_input_index(s, name);
  if (i >= 0 && s->res.input_nodes[i] >= 0)
    return s->res.input_nodes[i];
  int32_t slot = gt_program_global(s->prog, name);
  if (slot < GT_NPREDEF && slot >= 0)
    return -1; /* pi, e, inf, nan are constants, not variables */
  return slot >= 0 ? s->res.globals[slot] : -1;
}

/* gt_tape_range_fault of the first element of node i that has one */
static int
range_fault(const GtTape *t, int32_t i)
{
  size_t sz = gt_node_size(t, i);
  for (size_t e = 0; e < sz; e++) {
    int f = gt_tape_range_fault(t, i, e);
    if (f)
      return f;
  }
  return 0;
}

/* Reports a NaN derivative, pointing at the primitive whose rule made it
   (or at the intermediate that overflowed or underflowed). */
static GtStatus
nan_derivative(GtSession *s, int32_t node, const char *of, const char *wrt,
               int unimplemented)
{
  int fault;
  if (node < 0)
    return error(s, GT_ERUNTIME,
                 "the derivative of %s with respect to %s is not a number "
                 "(NaN)", of, wrt);
  const GtNode *n = &s->tape.nodes[node];
  GtSpan sp = s->prog->exprs[n->site < s->prog->nexprs ? n->site : 0]->span;
  if (n->op == GT_OP_TAYLOR && unimplemented)
    gt_diag_add(&s->diags, GT_SEV_ERROR, s->sources[sp.src], sp,
                "d%s/d%s passes through grad(y, x, %d), computed in Taylor "
                "mode, which can be differentiated again with respect to x "
                "only; nest grad() for mixed derivatives", of, wrt, n->aux);
  else if (n->op == GT_OP_TAYLOR)
    gt_diag_add(&s->diags, GT_SEV_ERROR, s->sources[sp.src], sp,
                "the derivative of grad(y, x, %d), the order-%d derivative, "
                "is not a number (NaN) here (needed for d%s/d%s)", n->aux,
                n->aux + 1, of, wrt);
  else if ((fault = range_fault(&s->tape, node)) != 0)
    gt_diag_add(&s->diags, GT_SEV_ERROR, s->sources[sp.src], sp,
                "%s %s here (its exact value is beyond MPFR's exponent "
                "range), so the derivative d%s/d%s through it would be "
                "wrong", gt_ops[n->op].name,
                fault == 1 ? "overflows to inf" : "underflows to 0", of,
                wrt);
  else
  gt_diag_add(&s->diags, GT_SEV_ERROR, s->sources[sp.src], sp,
              unimplemented
                  ? "the derivative of %s is not implemented (needed for d%s/d%s)"
                  : "the derivative of %s is not a number (NaN) here "
                    "(needed for d%s/d%s)",
              gt_ops[n->op].name, of, wrt);
  /* the call chain, as for run-time errors */
  GtRunEnv env = env_of(s);
  GtRec r = { .tape = &s->tape, .env = &env, .prog = s->prog };
  gt_rec_call_chain(&r, n->frame);
  return GT_ERUNTIME;
}

/* A copy of name that lives as long as the session (NULL: out of
   memory is reported by the caller's next allocation check). */
static const char *
intern(GtSession *s, const char *name)
{
  uint32_t id = gt_names_intern(&s->names, name, strlen(name));
  return id == UINT32_MAX ? "?" : s->names.text[id];
}

/* A recorder on the session's tape after the run, for derivatives. */
static GtRec
recorder(GtSession *s, const GtRunEnv *env, jmp_buf *fail)
{
  GtRec r = { .tape = &s->tape, .env = env, .prog = s->prog, .fail = fail };
  for (int k = 0; k < 4; k++)
    r.cache[k] = -1;
  return r;
}

/* Mixed partials are symmetric (the functions are smooth wherever a
   derivative is taken), so each distinct one is computed and listed once:
   the tuple of name indices in nondecreasing order, that is the names in
   the order they were asked for.  Is idx[0..n) such a tuple? */
static int
nondecreasing(const size_t *idx, int n)
{
  for (int d = 1; d < n; d++)
    if (idx[d] < idx[d - 1])
      return 0;
  return 1;
}

/* One level of recorded differentiation: nodes d(out)/d(wrt[k]). */
static GtStatus
record_level(GtSession *s, int32_t out, const int32_t *wrt, size_t n,
             int32_t *res)
{
  GtRunEnv env = env_of(s);
  jmp_buf fail;
  GtRec r = recorder(s, &env, &fail);
  if (setjmp(fail))
    return r.status ? r.status : GT_ERUNTIME;
  gt_rev_record(&r, out, wrt, n, res);
  for (size_t k = 0; k < n; k++)
    gt_rec_check_nan(&r, res[k]);
  return GT_OK;
}

/* Entries of order >= 2 when a name or an output is a tensor: each is
   the chain of recorded Jacobians, shape the names' shapes in order
   (d2z/dx2 of a vector x is the Hessian matrix); a tensor output is
   summed first, as for order 1, unless the session's options ask for the
   Jacobian (then, at any order, the output's shape comes first). */
static GtStatus
tensor_entries(GtSession *s, const char **onames, const int32_t *onodes,
               size_t no, const char **wnames, const int32_t *wnodes,
               size_t nw, int order, size_t *e)
{
  GtRunEnv env = env_of(s);
  jmp_buf fail;
  GtRec r = recorder(s, &env, &fail);
  size_t *idx = calloc((size_t)order + 1, sizeof *idx);
  if (idx == NULL)
    return error(s, GT_ERUNTIME, "out of memory");
  size_t tuples = 1;
  for (int k = 0; k < order; k++)
    tuples *= nw;
  volatile size_t o = 0, t = 0;
  if (setjmp(fail)) {
    free(idx);
    return r.status ? r.status : GT_ERUNTIME;
  }
  for (; o < no; o++, t = 0)
    for (; t < tuples; t++) {
      size_t rem = t;
      for (int d = order - 1; d >= 0; d--) {
        idx[d] = rem % nw;
        rem /= nw;
      }
      if (!nondecreasing(idx, order))
        continue;               /* the same partial in another order */
      int32_t g = onodes[o];
      if (s->tape.nodes[g].shape && !s->opt.jacobian)
        g = gt_tensor_reduce(&r, GT_OP_SUM, g, 0);
      int connected = 1;
      for (int d = 0; d < order; d++)
        connected &= gt_rev_depends_avoiding(&s->tape, onodes[o],
                                             wnodes[idx[d]], -1)
                     || onodes[o] == wnodes[idx[d]];
      for (int d = 0; d < order - 1; d++)
        g = gt_rev_jacobian(&r, g, wnodes[idx[d]]);
      /* the last level's rows are copied out, not stacked on the tape */
      GtShape js = *gt_node_shape(&s->tape, g);
      const GtShape *ws = gt_node_shape(&s->tape, wnodes[idx[order - 1]]);
      size_t nrows = js.size;
      for (int d = 0; d < ws->rank; d++)
        js.dim[js.rank++] = ws->dim[d];
      js.size *= ws->size;
      int32_t *rows = gt_arena_alloc(&s->tape.vals,
                                     (nrows + 1) * sizeof *rows);
      if (rows == NULL) {
        free(idx);
        return error(s, GT_ERUNTIME, "out of memory");
      }
      gt_rev_jacobian_rows(&r, g, wnodes[idx[order - 1]], rows);
      for (size_t k = 0; k < nrows; k++)
        if (gt_node_has_nan(&s->tape, rows[k])) {
          gt_rec_check_nan(&r, rows[k]);  /* the first, as in the stack */
          break;
        }
      size_t sz = js.size;
      mpfr_ptr v = gt_tape_numbers(&s->results, sz);
      const char **wl = gt_arena_alloc(&s->results.vals,
                                       (size_t)order * sizeof *wl);
      size_t *dims = gt_arena_alloc(&s->results.vals,
                                    sizeof *dims * GT_MAX_RANK);
      if (v == NULL || wl == NULL || dims == NULL) {
        free(idx);
        return error(s, GT_ERUNTIME, "out of memory");
      }
      for (size_t k = 0; k < nrows; k++)
        for (size_t j = 0; j < ws->size; j++)
          mpfr_set(&v[k * ws->size + j], &s->tape.nodes[rows[k]].v[j],
                   MPFR_RNDN);
      for (int d = 0; d < order; d++)
        wl[d] = wnames[idx[d]];
      GtDeriv *dv = &s->derivs[(*e)++];
      dv->of = onames[o];
      dv->wrt = wl;
      dv->order = order;
      dv->connected = connected;
      memcpy(dims, js.dim, sizeof *dims * (size_t)js.rank);
      GtValue val = { js.rank, js.rank ? dims : NULL, js.size, v };
      dv->value = val;
    }
  free(idx);
  return GT_OK;
}

/* The order-K derivative of of by Taylor mode came out NaN: the error,
   located at the primitive whose Taylor rule made the NaN (fail_node, or
   -1 when the sweep could not tell). */
static GtStatus
taylor_nan_error(GtSession *s, int32_t fail_node, int order, const char *of,
                 const char *wname)
{
  if (fail_node < 0)
    return error(s, GT_ERUNTIME, "the order-%d derivative of %s with "
                 "respect to %s is not a number (NaN)", order, of, wname);
  const GtNode *n = &s->tape.nodes[fail_node];
  GtSpan sp = s->prog->exprs[n->site < s->prog->nexprs ? n->site : 0]->span;
  int fault = range_fault(&s->tape, fail_node);
  if (fault)
    gt_diag_add(&s->diags, GT_SEV_ERROR, s->sources[sp.src], sp,
                "%s %s here (its exact value is beyond MPFR's exponent "
                "range), so the order-%d derivative of %s with respect "
                "to %s through it would be wrong", gt_ops[n->op].name,
                fault == 1 ? "overflows to inf" : "underflows to 0",
                order, of, wname);
  else
    gt_diag_add(&s->diags, GT_SEV_ERROR, s->sources[sp.src], sp,
                "the derivatives of %s are not numbers (NaN) at this "
                "point (needed for the order-%d derivative of %s with "
                "respect to %s)", gt_ops[n->op].name, order, of, wname);
  GtRunEnv env = env_of(s);
  GtRec r = { .tape = &s->tape, .env = &env, .prog = s->prog };
  gt_rec_call_chain(&r, n->frame);
  return GT_ERUNTIME;
}

/* Entries d^K(of)/dw^K for each output, by one Taylor sweep each.  A
   tensor on the way sets *tensor and leaves the entries to the caller
   (rule 3 of derive.c: recorded Jacobians instead). */
static GtStatus
taylor_entries(GtSession *s, const char **onames, const int32_t *onodes,
               size_t no, const char *wname, int32_t w, int order,
               size_t *e, int *tensor, int coefs)
{
  mpfr_ptr *out = malloc(((size_t)order + 1) * sizeof *out);
  if (out == NULL)
    return error(s, GT_ERUNTIME, "out of memory");
  GtStatus st = GT_OK;
  *tensor = 0;
  for (size_t o = 0; o < no && st == GT_OK; o++) {
    for (int j = 0; j <= order; j++)
      if ((out[j] = gt_tape_number(&s->results)) == NULL) {
        free(out);
        return error(s, GT_ERUNTIME, "out of memory");
      }
    int32_t fail_node;
    int fail_order;
    /* the same work limit as in a run */
    if (gt_derive_taylor_cost(&s->tape, onodes[o], w, order)
        > 10.0 * (double)s->opt.max_steps) {
      st = error(s, GT_ERUNTIME, "--order %d: Taylor mode would take more "
                 "than %.3g MPFR operations (the limit is 10 times "
                 "--max-steps: raise --max-steps for orders in the "
                 "thousands)", order, 10.0 * (double)s->opt.max_steps);
      break;
    }
    GtTaylorStatus end = (coefs ? gt_taylor_coefs : gt_taylor)(
        &s->tape, w, onodes[o], order, out, &fail_node, &fail_order);
    if (end == GT_TAYLOR_NOMEM) {
      st = error(s, GT_ERUNTIME, "out of memory");
      break;
    }
    if (end == GT_TAYLOR_TENSOR) {
      *tensor = 1;
      break;
    }
    if (end == GT_TAYLOR_NORULE) {
      const GtNode *n = &s->tape.nodes[fail_node];
      GtSpan sp = s->prog->exprs[n->site < s->prog->nexprs ? n->site : 0]->span;
      gt_diag_add(&s->diags, GT_SEV_ERROR, s->sources[sp.src], sp,
                  "derivatives of %s of order %d and higher are not "
                  "implemented at this point (needed for the order-%d "
                  "derivative of %s)", gt_ops[n->op].name, fail_order, order,
                  onames[o]);
      st = GT_ERUNTIME;
      break;
    }
    const char **wl = gt_arena_alloc(&s->results.vals,
                                     ((size_t)order + 1) * sizeof *wl);
    if (wl == NULL) {
      st = error(s, GT_ERUNTIME, "out of memory");
      break;
    }
    for (int j = 0; j <= order; j++)
      wl[j] = wname;    /* one more: wrt[0] is the name even at order 0 */
    int connected = gt_rev_depends_avoiding(&s->tape, onodes[o], w, -1)
                    || onodes[o] == w;
    /* coefs: one entry per k = 0..order (the coefficient y_k) */
    for (int k = coefs ? 0 : order; k <= order && st == GT_OK; k++) {
      GtDeriv *d = &s->derivs[(*e)++];
      d->of = onames[o];
      d->wrt = wl;
      d->order = k;
      d->connected = connected;
      d->value = scalar(out[k]);
      if (mpfr_nan_p(out[k]) && !s->opt.nan_ok)
        st = taylor_nan_error(s, fail_node, k, onames[o], wname);
    }
  }
  free(out);
  return st;
}

/* The outputs to differentiate and the names to differentiate against,
   by name and by node, each listed once. */
typedef struct Request {
  const char **onames;
  int32_t *onodes;
  size_t no;
  const char **wnames;
  int32_t *wnodes;
  size_t nw;
} Request;

/* q's outputs: those named in of[0..nof) (an output, else a variable), or
   all the program's outputs.  out_of: output index + 1 by name id. */
static GtStatus
find_outputs(GtSession *s, const char *const *of, size_t nof, Request *q,
             uint32_t *out_of)
{
  size_t nn = s->names.n;
  for (size_t k = 0; k < s->res.nout; k++)
    out_of[s->res.out_names[k]] = (uint32_t)k + 1;
  for (size_t i = 0; i < q->no; i++) {
    if (of && nof) {
      q->onames[i] = intern(s, of[i]);
      q->onodes[i] = -1;
      uint32_t id = gt_names_find(&s->names, of[i], strlen(of[i]));
      if (id < nn && out_of[id])
        q->onodes[i] = s->res.out_nodes[out_of[id] - 1];
      if (q->onodes[i] < 0)
        q->onodes[i] = node_of(s, of[i]);
      if (q->onodes[i] < 0)
        return error(s, GT_EUSAGE, "--of: the program has no output or "
                     "variable named '%s'", of[i]);
    } else {
      q->onames[i] = s->names.text[s->res.out_names[i]];
      q->onodes[i] = s->res.out_nodes[i];
    }
  }
  return GT_OK;
}

/* q's names: those in wrt[0..nwrt) (a name given twice counts once), or
   all the inputs the run used.  seen: zeroed marks by name id. */
static GtStatus
find_names(GtSession *s, const char *const *wrt, size_t nwrt, Request *q,
           unsigned char *seen)
{
  size_t nn = s->names.n, j = 0;
  if (wrt && nwrt) {
    for (size_t i = 0; i < nwrt; i++) {
      const char *nm = intern(s, wrt[i]);
      uint32_t id = gt_names_find(&s->names, wrt[i], strlen(wrt[i]));
      if (id < nn) {
        if (seen[id])
          continue;
        seen[id] = 1;
      }
      q->wnames[j] = nm;
      q->wnodes[j] = node_of(s, wrt[i]);
      if (q->wnodes[j] < 0)
        return error(s, GT_EUSAGE, "--wrt: the program has no input or "
                     "variable named '%s'", wrt[i]);
      j++;
    }
    q->nw = j;
  } else {
    for (size_t i = 0; i < s->prog->ninputs; i++)
      if (s->res.input_nodes[i] >= 0) {
        q->wnames[j] = s->names.text[s->prog->inputs[i].name];
        q->wnodes[j++] = s->res.input_nodes[i];
      }
  }
  return GT_OK;
}

/* Drops outputs named twice (seen: zeroed marks by name id). */
static void
unique_outputs(GtSession *s, Request *q, unsigned char *seen)
{
  size_t nn = s->names.n, j = 0;
  for (size_t i = 0; i < q->no; i++) {
    uint32_t id = gt_names_find(&s->names, q->onames[i],
                                strlen(q->onames[i]));
    if (id < nn && seen[id])
      continue;
    if (id < nn)
      seen[id] = 1;
    q->onames[j] = q->onames[i];
    q->onodes[j++] = q->onodes[i];
  }
  q->no = j;
}

static void
request_free(Request *q)
{
  free(q->onames);
  free(q->wnames);
  free(q->onodes);
  free(q->wnodes);
}

/* Fills q from the --of and --wrt lists (empty: every output, every
   input); by interned name, so that many names cost linear time. */
static GtStatus
request(GtSession *s, const char *const *of, size_t nof,
        const char *const *wrt, size_t nwrt, Request *q)
{
  q->no = of && nof ? nof : s->res.nout;
  q->nw = wrt && nwrt ? nwrt : 0;
  if (q->nw == 0)
    for (size_t i = 0; i < s->prog->ninputs; i++)
      q->nw += s->res.input_nodes[i] >= 0;
  q->onames = malloc((q->no + 1) * sizeof *q->onames);
  q->wnames = malloc((q->nw + 1) * sizeof *q->wnames);
  q->onodes = malloc((q->no + 1) * sizeof *q->onodes);
  q->wnodes = malloc((q->nw + 1) * sizeof *q->wnodes);
  for (size_t i = 0; of && i < nof; i++)
    intern(s, of[i]);
  for (size_t i = 0; wrt && i < nwrt; i++)
    intern(s, wrt[i]);
  size_t nn = s->names.n;
  uint32_t *out_of = calloc(nn + 1, sizeof *out_of);
  unsigned char *seen = calloc(nn + 1, 1);
  GtStatus st = GT_OK;
  if (!q->onames || !q->wnames || !q->onodes || !q->wnodes || !out_of
      || !seen)
    st = error(s, GT_ERUNTIME, "out of memory");
  if (st == GT_OK)
    st = find_outputs(s, of, nof, q, out_of);
  if (st == GT_OK)
    st = find_names(s, wrt, nwrt, q, seen);
  if (st == GT_OK && of && nof) {
    memset(seen, 0, nn + 1);
    unique_outputs(s, q, seen);
  }
  free(out_of);
  free(seen);
  return st;
}

/* One nested-sweep step for output o: the recorded levels of the names
   idx[0..order-2], then one numeric reverse sweep over the names from
   idx[order-2] on (the partials in another order are the same), each an
   entry.  conn, vals: room for q->nw. */
static GtStatus
prefix_sweep(GtSession *s, const Request *q, size_t o, const size_t *idx,
             int order, int *conn, mpfr_ptr *vals, size_t *e)
{
  GtStatus st = GT_OK;
  size_t nw = q->nw;
  /* the last name is at least the prefix's last: names lo..nw-1 */
  size_t lo = order >= 2 ? idx[order - 2] : 0;
  int32_t prefix = q->onodes[o];
  for (int d = 0; d < order - 1 && st == GT_OK; d++) {
    int32_t g;
    st = record_level(s, prefix, &q->wnodes[idx[d]], 1, &g);
    prefix = g;
  }
  if (st != GT_OK)
    return st;
  for (size_t k = lo; k < nw; k++) {
    vals[k] = gt_tape_numbers(&s->results, gt_node_size(&s->tape,
                                                        q->wnodes[k]));
    if (vals[k] == NULL)
      return error(s, GT_ERUNTIME, "out of memory");
  }
  int32_t nan_node;
  int rc = gt_rev_sweep(&s->tape, prefix, q->wnodes + lo, nw - lo,
                        vals + lo, conn + lo, &nan_node);
  if (rc < 0)
    return error(s, GT_ERUNTIME, "out of memory");
  for (size_t k = lo; k < nw; k++) {
    GtDeriv *d = &s->derivs[(*e)++];
    d->of = q->onames[o];
    d->order = order;
    const char **w = gt_arena_alloc(&s->results.vals,
                                    (size_t)order * sizeof *w);
    if (w == NULL) {
      (*e)--;
      return error(s, GT_ERUNTIME, "out of memory");
    }
    for (int j = 0; j < order - 1; j++)
      w[j] = q->wnames[idx[j]];
    w[order - 1] = q->wnames[k];
    d->wrt = w;
    d->connected = conn[k];
    d->value = shaped(s, q->wnodes[k], vals[k]);
    if (rc == GT_ERUNTIME) {
      /* name the variable that a Taylor-mode grad cannot reach */
      size_t kk = k;
      const GtNode *bad = nan_node >= 0 ? &s->tape.nodes[nan_node] : NULL;
      for (size_t j = 0; bad && bad->op == GT_OP_TAYLOR && j < nw; j++)
        if (gt_rev_depends_avoiding(&s->tape, bad->a, q->wnodes[j], bad->b)) {
          kk = j;
          break;
        }
      return nan_derivative(s, nan_node, q->onames[o], q->wnames[kk], 1);
    }
    if (mpfr_nan_p(vals[k]) && !s->opt.nan_ok)
      return nan_derivative(s, nan_node, q->onames[o], q->wnames[k], 0);
  }
  return GT_OK;
}

/* Entries by numeric reverse (order 1) and nested sweeps (order >= 2),
   rule 4 of derive.c: each nondecreasing prefix of order-1 names once;
   for the outputs o0 .. o1-1. */
static GtStatus
nested_entries(GtSession *s, const Request *q, int order, size_t tuples,
               size_t *e, size_t o0, size_t o1)
{
  size_t nw = q->nw;
  int *conn = malloc((nw + 1) * sizeof *conn);
  mpfr_ptr *vals = malloc((nw + 1) * sizeof *vals);
  size_t *idx = calloc((size_t)order + 1, sizeof *idx);
  GtStatus st = GT_OK;
  if (!conn || !vals || !idx)
    st = error(s, GT_ERUNTIME, "out of memory");
  for (size_t o = o0; o < o1 && st == GT_OK; o++) {
    memset(idx, 0, (size_t)order * sizeof *idx);
    for (size_t t = 0; t < tuples / (nw ? nw : 1) && st == GT_OK; t++) {
      /* idx[0..order-2] from t, most significant first */
      size_t rem = t;
      for (int d = order - 2; d >= 0; d--) {
        idx[d] = rem % nw;
        rem /= nw;
      }
      if (!nondecreasing(idx, order - 1))
        continue;               /* the same partials in another order */
      st = prefix_sweep(s, q, o, idx, order, conn, vals, e);
    }
  }
  free(conn);
  free(vals);
  free(idx);
  return st;
}

/* Entries of order >= 3 in several scalar names by Taylor interpolation
   (partials.c), one output at a time; an output the method cannot do
   (gt_partials says GT_PARTIALS_NO: a tensor or a missing rule on the
   way, a NaN) is left to the nested sweeps, which report its errors as
   before. */
static GtStatus
interp_entries(GtSession *s, const Request *q, int order, size_t tuples,
               size_t *e)
{
  size_t N = gt_partials_count(q->nw, order);
  mpfr_ptr *v = malloc((N + 1) * sizeof *v);
  int *conn = malloc((N + 1) * sizeof *conn);
  size_t *tup = calloc((size_t)order + 1, sizeof *tup);
  GtStatus st = v && conn && tup ? GT_OK : error(s, GT_ERUNTIME,
                                                 "out of memory");
  for (size_t o = 0; o < q->no && st == GT_OK; o++) {
    for (size_t m = 0; m < N && st == GT_OK; m++)
      if ((v[m] = gt_tape_number(&s->results)) == NULL)
        st = error(s, GT_ERUNTIME, "out of memory");
    if (st != GT_OK)
      break;
    int rc = gt_partials(&s->tape, q->onodes[o], q->wnodes, q->nw, order, v,
                         conn);
    if (rc == GT_PARTIALS_NOMEM) {
      st = error(s, GT_ERUNTIME, "out of memory");
      break;
    }
    if (rc == GT_PARTIALS_NO) {
      st = nested_entries(s, q, order, tuples, e, o, o + 1);
      continue;
    }
    /* the nondecreasing tuples in lexicographic order, as gt_partials */
    memset(tup, 0, (size_t)order * sizeof *tup);
    for (size_t m = 0; m < N; m++) {
      const char **w = gt_arena_alloc(&s->results.vals,
                                      (size_t)order * sizeof *w);
      if (w == NULL) {
        st = error(s, GT_ERUNTIME, "out of memory");
        break;
      }
      for (int d = 0; d < order; d++)
        w[d] = q->wnames[tup[d]];
      GtDeriv *dv = &s->derivs[(*e)++];
      dv->of = q->onames[o];
      dv->wrt = w;
      dv->order = order;
      dv->connected = conn[m];
      dv->value = scalar(v[m]);
      int d = order - 1;
      while (d >= 0 && tup[d] == q->nw - 1)
        d--;
      if (d < 0)
        break;
      tup[d]++;
      for (int k = d + 1; k < order; k++)
        tup[k] = tup[d];
    }
  }
  free(v);
  free(conn);
  free(tup);
  return st;
}

/* Room for total more entries after the earlier orders' ones, and the
   results' tape. */
static GtStatus
make_room(GtSession *s, size_t total)
{
  size_t e = s->nderivs;
  GtDeriv *dv = realloc(s->derivs, (e + total + 1) * sizeof *dv);
  if (dv != NULL) {
    memset(dv + e, 0, (total + 1) * sizeof *dv);
    s->derivs = dv;
  }
  if (!s->have_results) {
    if (!s->spare_results
        && gt_tape_init(&s->results, s->opt.prec, 1024) != 0)
      return error(s, GT_ERUNTIME, "out of memory");
    s->spare_results = 0;
    s->have_results = 1;
  }
  if (dv == NULL)
    return error(s, GT_ERUNTIME, "out of memory");
  return GT_OK;
}

/* The entries of q at this order by the planner's method (derive.c). */
static GtStatus
entries(GtSession *s, const Request *q, int order, size_t tuples, size_t *e)
{
  GtDeriveReq dq = { .tape = &s->tape, .of = q->onodes, .nof = q->no,
                     .wrt = q->wnodes, .nwrt = q->nw, .order = order,
                     .keep = 0, .whole = s->opt.jacobian };
  switch (gt_derive_plan(&dq)) {
  case GT_DERIVE_TAYLOR: {
    size_t e0 = *e;
    int tensor;
    GtStatus st = taylor_entries(s, q->onames, q->onodes, q->no,
                                 q->wnames[0], q->wnodes[0], order, e,
                                 &tensor, 0);
    if (!tensor)
      return st;
    /* Taylor mode is scalar-only: tensors between the name and an output
       are differentiated by recorded Jacobians */
    *e = e0;
  }
    /* fall through */
  case GT_DERIVE_RECORDED:
    return tensor_entries(s, q->onames, q->onodes, q->no, q->wnames,
                          q->wnodes, q->nw, order, e);
  case GT_DERIVE_NUMERIC:
  case GT_DERIVE_NESTED:
  case GT_DERIVE_IDENTITY:
    break;
  }
  if (gt_derive_interp(&dq))
    return interp_entries(s, q, order, tuples, e);
  return nested_entries(s, q, order, tuples, e, 0, q->no);
}

/* The derivatives of one order, appended to the session's results when
   append is set (for --all-orders), else replacing them. */
static GtStatus
derive(GtSession *s, const char *const *of, size_t nof,
       const char *const *wrt, size_t nwrt, int order, int append,
       const GtDeriv **out, size_t *nout)
{
  *out = NULL;
  *nout = 0;
  if (!s->ran)
    return error(s, GT_EUSAGE, "the program has not run");
  if (s->nolder)
    return error(s, GT_EUSAGE, "derivatives need the whole program loaded "
                 "again after gt_session_extend");
  if (order < 1 || order > 65535)
    return error(s, GT_EUSAGE, "the derivative order must be 1 to 65535");
  if (!append)
    drop_results(s);

  Request q = { 0 };
  GtStatus st = request(s, of, nof, wrt, nwrt, &q);
  if (st != GT_OK)
    goto done;

  /* the kinks these derivatives pass through get their notes */
  GtRunEnv kenv = env_of(s);
  gt_rec_kinks_note(&s->res.kinks, &s->tape, s->prog, &kenv, q.onodes,
                    q.no, q.wnodes, q.nw);

  /* entries: outputs x ordered order-tuples of names, last fastest */
  size_t tuples = 1;
  for (int k = 0; k < order; k++) {
    if (q.nw && tuples > ((size_t)1 << 20) / q.nw) {
      st = error(s, GT_EUSAGE, "too many derivatives requested (more than "
                 "a million)");
      goto done;
    }
    tuples *= q.nw;
  }
  /* each method lists every distinct partial once: C(nw+K-1, K) per
     output, at most tuples */
  size_t distinct = gt_partials_count(q.nw, order);
  st = make_room(s, q.no * (distinct < tuples ? distinct : tuples));
  size_t e = s->nderivs; /* appended after the earlier orders' entries */
  if (st == GT_OK)
    st = entries(s, &q, order, tuples, &e);
  if (st == GT_OK) {
    s->nderivs = e;
    *out = s->derivs;
    *nout = e;
  }
done:
  request_free(&q);
  return st;
}

GtStatus
gt_session_derivatives(GtSession *s, const char *const *of, size_t nof,
                       const char *const *wrt, size_t nwrt, int order,
                       const GtDeriv **out, size_t *nout)
{
  return derive(s, of, nof, wrt, nwrt, order, 0, out, nout);
}

GtStatus
gt_session_derivatives_upto(GtSession *s, const char *const *of,
                            size_t nof, const char *const *wrt, size_t nwrt,
                            int order, const GtDeriv **out, size_t *nout)
{
  GtStatus st = GT_OK;
  for (int k = 1; k <= order && st == GT_OK; k++)
    st = derive(s, of, nof, wrt, nwrt, k, k > 1, out, nout);
  return st;
}

GtStatus
gt_session_taylor(GtSession *s, const char *const *of, size_t nof,
                  const char *wrt, int K, const GtDeriv **out, size_t *nout)
{
  *out = NULL;
  *nout = 0;
  if (!s->ran)
    return error(s, GT_EUSAGE, "the program has not run");
  if (K < 0 || K > 65535)
    return error(s, GT_EUSAGE, "the Taylor order must be 0 to 65535");
  drop_results(s);
  Request q = { 0 };
  GtStatus st = request(s, of, nof, &wrt, 1, &q);
  if (st == GT_OK && s->tape.nodes[q.wnodes[0]].shape != 0)
    st = error(s, GT_EUSAGE, "--taylor: '%s' is a tensor; Taylor "
               "coefficients are taken with respect to a number", wrt);
  if (st == GT_OK)
    st = make_room(s, q.no * ((size_t)K + 1));
  size_t e = 0;
  int tensor = 0;
  if (st == GT_OK)
    st = taylor_entries(s, q.onames, q.onodes, q.no, q.wnames[0],
                        q.wnodes[0], K, &e, &tensor, 1);
  if (st == GT_OK && tensor)
    st = error(s, GT_EUSAGE, "--taylor: the outputs must be numbers "
               "computed from numbers (Taylor mode does not run through "
               "tensors); use --order K for tensors");
  if (st == GT_OK) {
    s->nderivs = e;
    *out = s->derivs;
    *nout = e;
  }
  request_free(&q);
  return st;
}

/* Does entry d differentiate by the multiset of names w[0..n)? */
static int
same_multiset(const GtDeriv *d, const char *const *w, size_t n)
{
  if ((size_t)d->order != n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    size_t a = 0, b = 0;
    for (size_t j = 0; j < n; j++) {
      a += strcmp(w[j], w[i]) == 0;
      b += strcmp(d->wrt[j], w[i]) == 0;
    }
    if (a != b)
      return 0;
  }
  return 1;
}

GtStatus
gt_session_partial(GtSession *s, const char *const *of, size_t nof,
                   const char *const *wrt, size_t nwrt, int append,
                   const GtDeriv **out, size_t *nout)
{
  *out = NULL;
  *nout = 0;
  if (nwrt < 1 || nwrt > 65535)
    return error(s, GT_EUSAGE, "a partial derivative names 1 to 65535 "
                 "names");
  /* the distinct names, in order of first appearance */
  const char **u = malloc(nwrt * sizeof *u);
  if (u == NULL)
    return error(s, GT_ERUNTIME, "out of memory");
  size_t nu = 0;
  for (size_t i = 0; i < nwrt; i++) {
    size_t j = 0;
    while (j < nu && strcmp(u[j], wrt[i]) != 0)
      j++;
    if (j == nu)
      u[nu++] = wrt[i];
  }
  size_t e0 = append && s->ran ? s->nderivs : 0;
  const GtDeriv *all;
  size_t n;
  GtStatus st = derive(s, of, nof, u, nu, (int)nwrt, append, &all, &n);
  free(u);
  if (st != GT_OK)
    return st;
  /* keep the entries of this multiset (one per output) */
  size_t e = e0;
  for (size_t i = e0; i < n; i++)
    if (same_multiset(&s->derivs[i], wrt, nwrt))
      s->derivs[e++] = s->derivs[i];
  s->nderivs = e;
  *out = s->derivs;
  *nout = e;
  return GT_OK;
}

size_t
gt_session_diag_count(const GtSession *s)
{
  return s->diags.n;
}

const GtDiag *
gt_session_diag(const GtSession *s, size_t i)
{
  return &s->diags.items[i];
}

void
gt_session_clear_diags(GtSession *s)
{
  gt_diag_clear(&s->diags);
}

size_t
gt_session_tape_nodes(const GtSession *s)
{
  return s->have_tape ? s->tape.n : 0;
}

size_t
gt_session_tape_bytes(const GtSession *s)
{
  return s->have_tape ? gt_tape_bytes(&s->tape) : 0;
}

const char *
gt_version(void)
{
  return PACKAGE_VERSION;
}
