/* fixture.h -- a recorder outside a run, for the unit tests of the op
 * table, the sweeps, Taylor mode and the tensor operations.
 *
 * What gt_rec_op, gt_rev_record and their error reports need: options, a
 * source and a parsed program (errors look at prog->exprs[site]), a tape
 * and a recorder on it.  Nodes made through fx->rec carry GT_NF_ADJ, as
 * those of a derivative do, so that no kink note is due for them.
 */
#ifndef GT_TEST_FIXTURE_H
#define GT_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct Fixture {
  GtOptions opt;
  GtDiagList diags;
  GtNames names;
  GtSource *src;
  GtProgram *prog;
  GtRunEnv env;
  GtTape tape;
  jmp_buf fail;
  GtRec rec;
} Fixture;

/* Sets fx up around program text with a tape at prec bits; 0, or -1 when
   something could not be made. */
static inline int
fixture_open(Fixture *fx, const char *text, mpfr_prec_t prec)
{
  memset(fx, 0, sizeof *fx);
  gt_options_init(&fx->opt);
  fx->src = gt_source_new("<test>", text, strlen(text));
  if (fx->src == NULL)
    return -1;
  fx->prog = gt_parse(fx->src, 0, &fx->names, &fx->diags, 0);
  if (fx->prog == NULL)
    return -1;
  fx->env.opt = &fx->opt;
  fx->env.sources = &fx->src;
  fx->env.diags = &fx->diags;
  fx->env.names = &fx->names;
  if (gt_tape_init(&fx->tape, prec, 1u << 20) != 0)
    return -1;
  fx->rec.tape = &fx->tape;
  fx->rec.env = &fx->env;
  fx->rec.prog = fx->prog;
  fx->rec.fail = &fx->fail;
  for (int k = 0; k < 4; k++)
    fx->rec.cache[k] = -1;
  fx->rec.flags = GT_NF_ADJ;
  return 0;
}

static inline void
fixture_close(Fixture *fx)
{
  gt_tape_free(&fx->tape);
  gt_program_free(fx->prog);
  gt_source_free(fx->src);
  gt_names_free(&fx->names);
  gt_diag_clear(&fx->diags);
  free(fx->diags.items);
}

#endif /* GT_TEST_FIXTURE_H */
