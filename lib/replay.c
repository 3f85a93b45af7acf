/* replay.c -- inputs given by value, and re-evaluating a recorded tape at
 * new input values.
 *
 * A recording holds one path through the program: the branches taken and
 * the loop counts of that run.  At other input values the same tape
 * computes the program exactly (every primitive is recomputed by its
 * forward rule at the working precision, as the run computed it) as long
 * as every control decision comes out the same.  The interpreter records
 * those decisions as guards (a condition's truth value, a range bound's
 * integer); a replay recomputes the nodes and checks the guards, and
 * records the program again when one fails.  Cost: one forward rule per
 * recorded node, no parsing, no allocation.
 *
 * What a replay cannot redo falls back to recording too: grad() inside
 * the program (its recorded derivative rules branch on values), print()
 * (its output), a kink (its note), a NaN (its error), an input default
 * computed from other inputs, and nodes appended after the run
 * (derivatives of order 2 and more).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static GtStatus
usage(GtSession *s, const char *name)
{
  gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
              "the program has no input named '%s'", name);
  return GT_EUSAGE;
}

static GtStatus
out_of_memory(GtSession *s)
{
  gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
              "out of memory");
  return GT_ERUNTIME;
}

/* The index of input name in the loaded program through *i, or the usage
   error. */
static GtStatus
input_slot(GtSession *s, const char *name, long *i)
{
  *i = s->prog != NULL ? gt_session_input_index(s, name) : -1;
  return *i < 0 ? usage(s, name) : GT_OK;
}

/* Input i is about to be given by value: its --at expression goes, and so
   do the other by-value representations (all but a number when
   keep_number). */
static void
replace_input(GtSession *s, size_t i, int keep_number)
{
  if (keep_number)
    gt_session_drop_input_tensor(s, i);
  else
    gt_session_unset_input(s, i);
  gt_program_free(s->at[i]);
  s->at[i] = NULL;
}

GtStatus
gt_session_set_input_value(GtSession *s, const char *name, mpfr_srcptr v)
{
  long i;
  if (input_slot(s, name, &i) != GT_OK)
    return GT_EUSAGE;
  if (s->at_value == NULL) {
    s->at_value = calloc(s->prog->ninputs + 1, sizeof *s->at_value);
    if (s->at_value == NULL)
      return out_of_memory(s);
  }
  if (s->at_value[i] == NULL) {
    s->at_value[i] = malloc(sizeof(__mpfr_struct));
    if (s->at_value[i] == NULL)
      return out_of_memory(s);
    mpfr_init2(s->at_value[i], (mpfr_prec_t)s->opt.prec);
  }
  mpfr_set(s->at_value[i], v, MPFR_RNDN);
  replace_input(s, (size_t)i, 1);
  return GT_OK;
}

GtStatus
gt_session_set_input_tensor(GtSession *s, const char *name, const GtValue *v)
{
  if (v->rank == 0)
    return gt_session_set_input_value(s, name, v->elems);
  long i;
  if (input_slot(s, name, &i) != GT_OK)
    return GT_EUSAGE;
  if (v->rank > GT_MAX_RANK) {
    gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                "input '%s': a tensor has at most %d dimensions", name,
                GT_MAX_RANK);
    return GT_EUSAGE;
  }
  if (s->at_tensor == NULL) {
    s->at_tensor = calloc(s->prog->ninputs + 1, sizeof *s->at_tensor);
    if (s->at_tensor == NULL)
      return out_of_memory(s);
  }
  GtInputTensor *t = calloc(1, sizeof *t);
  if (t == NULL)
    return out_of_memory(s);
  t->elems = malloc((v->size + 1) * sizeof(__mpfr_struct));
  if (t->elems == NULL) {
    free(t);
    return out_of_memory(s);
  }
  t->shape.rank = v->rank;
  t->shape.size = v->size;
  memcpy(t->shape.dim, v->dims, sizeof *v->dims * (size_t)v->rank);
  for (size_t k = 0; k < v->size; k++) {
    mpfr_init2(&t->elems[k], (mpfr_prec_t)s->opt.prec);
    mpfr_set(&t->elems[k], &v->elems[k], MPFR_RNDN);
  }
  replace_input(s, (size_t)i, 0);
  s->at_tensor[i] = t;
  return GT_OK;
}

GtValue
gt_session_input_value(const GtSession *s, size_t i)
{
  GtValue x = { 0, NULL, 0, NULL };
  if (s->ran && s->prog && i < s->prog->ninputs
      && s->res.input_nodes[i] >= 0) {
    const GtShape *sh = gt_node_shape(&s->tape, s->res.input_nodes[i]);
    x.rank = sh->rank;
    x.dims = sh->dim;
    x.size = sh->size;
    x.elems = s->tape.nodes[s->res.input_nodes[i]].v;
  }
  return x;
}

/* Re-evaluates the tape in place at the inputs already stored in the
   INPUT nodes.  Returns 1 when every node was recomputed and every guard
   holds, 0 when the program must be recorded again. */
static int
reevaluate(GtSession *s)
{
  GtTape *t = &s->tape;
  GtNode *nodes = t->nodes;
  int nan_ok = s->opt.nan_ok;
  for (size_t i = 0; i < t->run_nodes; i++) {
    GtNode *n = &nodes[i];
    if (n->op == GT_OP_CONST || n->op == GT_OP_INPUT)
      continue;
    if (n->shape != 0)
      return 0; /* replays recompute scalars only */
    const GtOpInfo *info = &gt_ops[n->op];
    if (info->fwd == NULL)
      return 0;
    if (n->flags & GT_NF_PAIR) {
      info->pair(n->v, &n->v[1], nodes[n->a].v);
      if (!nan_ok && mpfr_nan_p(n->v))
        return 0;
      continue;
    }
    int fl = info->fwd(n->v, n->a >= 0 ? nodes[n->a].v : NULL,
                       n->b >= 0 ? nodes[n->b].v : NULL,
                       n->c >= 0 ? nodes[n->c].v : NULL);
    if (fl & GT_FWD_KINK)
      return 0; /* the note is due: the recording gives it */
    if (!nan_ok && mpfr_nan_p(n->v))
      return 0; /* maybe an error: the recording decides and reports */
  }
  for (size_t k = 0; k < t->nguards; k++) {
    const GtGuard *g = &t->guards[k];
    mpfr_srcptr v = nodes[g->node].v;
    if (mpfr_nan_p(v))
      return 0;
    if (g->kind == GT_GUARD_TRUTH) {
      if (!mpfr_zero_p(v) != (g->value != 0))
        return 0;
    } else if (!mpfr_integer_p(v) || mpfr_cmp_si(v, g->value) != 0)
      return 0;
  }
  return 1;
}

GtStatus
gt_session_replay(GtSession *s, const char *const *names,
                  mpfr_srcptr const *values, size_t n)
{
  if (s->prog == NULL) {
    gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                "no program is loaded");
    return GT_EUSAGE;
  }
  for (size_t k = 0; k < n; k++) {
    GtStatus st = gt_session_set_input_value(s, names[k], values[k]);
    if (st != GT_OK)
      return st;
  }
  int fast = s->ran && s->have_tape && !s->tape.no_replay
             && s->tape.n == s->tape.run_nodes;
  for (size_t i = 0; fast && i < s->prog->ninputs; i++) {
    int32_t node = s->res.input_nodes[i];
    if (node < 0 || s->tape.nodes[node].shape != 0)
      fast = 0; /* an input that did not run, or a tensor */
    else if (s->at_value && s->at_value[i])
      mpfr_set(s->tape.nodes[node].v, s->at_value[i], MPFR_RNDN);
  }
  if (fast && reevaluate(s)) {
    s->replayed++;
    s->res.any_kink = 0;
    s->res.kinks.n = 0; /* this point is at no kink */
    return GT_OK;
  }
  s->recorded++;
  return gt_session_run(s);
}

void
gt_session_replay_stats(const GtSession *s, unsigned long *replayed,
                        unsigned long *recorded)
{
  if (replayed)
    *replayed = s->replayed;
  if (recorded)
    *recorded = s->recorded;
}
