/* fuzz_args.c -- libFuzzer target: --at expressions and number formatting.
 *
 * Input: byte 0 picks the precision (2 to 256 bits, or 1000 or 4000),
 * byte 1 the significant digits (0: shortest, else 1 to 60), the rest is
 * the text of an --at expression, as in `gradtool --at x=TEXT`.  The
 * expression is set as input x of `input x = 0; output x` and run (NaN
 * allowed) with small limits (10,000 nodes and loop steps, tensors of at
 * most 10,000 elements), so that no input makes the fuzzer wait.  When it runs, the value is formatted and:
 *   - the shortest form (digits 0) must read back with mpfr_strtofr at the
 *     same precision to exactly the same number (NaN to NaN);
 *   - both forms must read back through the language itself: used as the
 *     --at text of a second session, the shortest form gives the same
 *     number again.
 * A failed check aborts, which libFuzzer reports as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradtool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char program[] = "input x = 0\noutput x\n";

/* Runs the program with x = text; copies the value to *out (initialised
   by the caller at prec).  Returns 0 when it ran. */
static int
eval(long prec, const char *text, mpfr_ptr out)
{
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = prec;
  opt.nan_ok = 1;
  opt.max_nodes = 10000;
  opt.max_steps = 10000;
  opt.max_depth = 100;
  opt.max_elems = 10000;
  GtSession *s = gt_session_new(&opt);
  if (s == NULL)
    return -1;
  int rc = -1;
  if (gt_session_load(s, "fuzz.gt", program, sizeof program - 1) == GT_OK
      && gt_session_set_input(s, "x", text) == GT_OK
      && gt_session_run(s) == GT_OK && gt_session_output_count(s) == 1) {
    GtValue v = gt_session_output_value(s, 0);
    if (v.size == 1) {
      mpfr_set(out, &v.elems[0], MPFR_RNDN);
      rc = 0;
    }
  }
  for (size_t k = 0; k < gt_session_diag_count(s); k++)
    free(gt_diag_format(gt_session_diag(s, k)));
  gt_session_free(s);
  return rc;
}

static int
same(mpfr_srcptr a, mpfr_srcptr b)
{
  if (mpfr_nan_p(a) || mpfr_nan_p(b))
    return mpfr_nan_p(a) && mpfr_nan_p(b);
  /* -0 prints as "0" (documented), so zeros of either sign are equal */
  return mpfr_equal_p(a, b);
}

static void
fail(const char *what, const char *text, const char *form)
{
  fprintf(stderr, "fuzz_args: %s: '%s' formats as '%s'\n", what, text, form);
  abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  long prec = data[0] == 255 ? 4000 : data[0] == 254 ? 1000 : 2 + data[0];
  long digits = data[1] % 61;
  char *text = malloc(size - 1);
  if (text == NULL)
    return 0;
  memcpy(text, data + 2, size - 2);
  text[size - 2] = '\0';

  mpfr_t x, y;
  mpfr_inits2(prec, x, y, (mpfr_ptr)0);
  if (eval(prec, text, x) == 0) {
    char *shortest = gt_format_number(x, 0);
    char *fixed = gt_format_number(x, digits ? digits : 1);
    if (shortest == NULL || fixed == NULL)
      abort();
    /* the shortest form reads back exactly through MPFR ... */
    char *end;
    if (mpfr_nan_p(x))
      mpfr_set_nan(y);
    else if (mpfr_strtofr(y, shortest, &end, 10, MPFR_RNDN), *end != '\0')
      fail("shortest form is not a number", text, shortest);
    if (!same(x, y))
      fail("shortest form does not read back", text, shortest);
    /* ... and through the language */
    if (eval(prec, shortest, y) != 0 || !same(x, y))
      fail("shortest form does not read back as --at", text, shortest);
    /* the fixed form must at least be a number the language reads */
    if (eval(prec, fixed, y) != 0)
      fail("fixed form is not an expression", text, fixed);
    free(shortest);
    free(fixed);
  }
  mpfr_clears(x, y, (mpfr_ptr)0);
  free(text);
  return 0;
}
