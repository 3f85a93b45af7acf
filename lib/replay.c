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

GtStatus
gt_session_set_input_value(GtSession *s, const char *name, mpfr_srcptr v)
{
  if (s->prog == NULL)
    return usage(s, name);
  long i = gt_session_input_index(s, name);
  if (i < 0)
    return usage(s, name);
  if (s->at_value == NULL) {
    s->at_value = calloc(s->prog->ninputs + 1, sizeof *s->at_value);
    if (s->at_value == NULL)
      goto oom;
  }
  if (s->at_value[i] == NULL) {
    s->at_value[i] = malloc(sizeof(__mpfr_struct));
    if (s->at_value[i] == NULL)
      goto oom;
    mpfr_init2(s->at_value[i], (mpfr_prec_t)s->opt.prec);
  }
  mpfr_set(s->at_value[i], v, MPFR_RNDN);
  /* the value replaces an --at expression or a tensor */
  gt_program_free(s->at[i]);
  s->at[i] = NULL;
  gt_session_drop_input_tensor(s, (size_t)i);
  return GT_OK;
oom:
  gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
              "out of memory");
  return GT_ERUNTIME;
}

GtStatus
gt_session_set_input_tensor(GtSession *s, const char *name, const GtValue *v)
{
  if (v->rank == 0)
    return gt_session_set_input_value(s, name, v->elems);
  if (s->prog == NULL)
    return usage(s, name);
  long i = gt_session_input_index(s, name);
  if (i < 0)
    return usage(s, name);
  if (v->rank > GT_MAX_RANK) {
    gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
                "input '%s': a tensor has at most %d dimensions", name,
                GT_MAX_RANK);
    return GT_EUSAGE;
  }
  if (s->at_tensor == NULL) {
    s->at_tensor = calloc(s->prog->ninputs + 1, sizeof *s->at_tensor);
    if (s->at_tensor == NULL)
      goto oom;
  }
  GtInputTensor *t = calloc(1, sizeof *t);
  if (t == NULL)
    goto oom;
  t->elems = malloc((v->size + 1) * sizeof(__mpfr_struct));
  if (t->elems == NULL) {
    free(t);
    goto oom;
  }
  t->shape.rank = v->rank;
  t->shape.size = v->size;
  memcpy(t->shape.dim, v->dims, sizeof *v->dims * (size_t)v->rank);
  for (size_t k = 0; k < v->size; k++) {
    mpfr_init2(&t->elems[k], (mpfr_prec_t)s->opt.prec);
    mpfr_set(&t->elems[k], &v->elems[k], MPFR_RNDN);
  }
  /* it replaces an --at expression or a number */
  gt_session_unset_input(s, (size_t)i);
  gt_program_free(s->at[i]);
  s->at[i] = NULL;
  s->at_tensor[i] = t;
  return GT_OK;
oom:
  gt_diag_add(&s->diags, GT_SEV_ERROR, NULL, (GtSpan){ 0, 0, 0 },
              "out of memory");
  return GT_ERUNTIME;
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
