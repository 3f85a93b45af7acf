/* fixture.h -- what the unit tests share: a recorder outside a run, for
 * the tests of the op table, the sweeps, Taylor mode and the tensor
 * operations, and helpers for tests that go through a session.
 *
 * The recorder: what gt_rec_op, gt_rev_record and their error reports
 * need: options, a source and a parsed program (errors look at
 * prog->exprs[site]), a tape and a recorder on it.  Nodes made through
 * fx->rec carry GT_NF_ADJ, as those of a derivative do, so that no kink
 * note is due for them.
 *
 * Everything here is static inline (each test program includes it once)
 * and fails the running cmocka test where a check says so.
 */
#ifndef GT_TEST_FIXTURE_H
#define GT_TEST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

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

/* fixture_open on the program "x = 1"; the test fails when it cannot. */
static inline void
fixture_init(Fixture *fx, mpfr_prec_t prec)
{
  assert_int_equal(fixture_open(fx, "x = 1\n", prec), 0);
}

/* Frees what fixture_open made. */
static inline void
fixture_free(Fixture *fx)
{
  gt_tape_free(&fx->tape);
  gt_program_free(fx->prog);
  gt_source_free(fx->src);
  gt_names_free(&fx->names);
  gt_diag_clear(&fx->diags);
  free(fx->diags.items);
}

/* A scalar leaf of kind op (GT_OP_INPUT or GT_OP_CONST) holding the
   number text (mpfr_set_str base 0: decimal, or 0x... exactly). */
static inline int32_t
leaf(Fixture *fx, GtOp op, const char *text)
{
  int32_t i = gt_tape_push(&fx->tape, op, -1, -1, -1, 0, 0);
  assert_true(i >= 0);
  assert_int_equal(mpfr_set_str(fx->tape.nodes[i].v, text, 0, MPFR_RNDN), 0);
  return i;
}

/* op applied to node a (op1) or to a and b (op2), recorded on fx->rec. */
static inline int32_t
op1(Fixture *fx, GtOp op, int32_t a)
{
  return gt_rec_op(&fx->rec, op, a, -1, -1);
}

static inline int32_t
op2(Fixture *fx, GtOp op, int32_t a, int32_t b)
{
  return gt_rec_op(&fx->rec, op, a, b, -1);
}

/* ---- sessions ---- */

/* x is exactly num/den (den a power of two or 1); what names x. */
static inline void
expect_number(mpfr_srcptr x, long num, long den, const char *what)
{
  mpfr_t want;
  mpfr_init2(want, 256);
  mpfr_set_si(want, num, MPFR_RNDN);
  mpfr_div_si(want, want, den, MPFR_RNDN);
  if (!mpfr_equal_p(x, want)) {
    char *g = gt_format_number(x, 0);
    fail_msg("%s = %s, want %ld/%ld", what, g ? g : "?", num, den);
  }
  mpfr_clear(want);
}

/* The message of s's first error, or "(no error)". */
static inline const char *
first_error(const GtSession *s)
{
  for (size_t i = 0; i < gt_session_diag_count(s); i++)
    if (gt_session_diag(s, i)->severity == GT_SEV_ERROR)
      return gt_session_diag(s, i)->message;
  return "(no error)";
}

#endif /* GT_TEST_FIXTURE_H */
