/* fuzz_program.c -- libFuzzer target: arbitrary bytes as a gradtool program.
 *
 * The input is a program, parsed and run with small limits (10,000 nodes,
 * 10,000 loop steps, call depth 100, tensors of at most 10,000 elements,
 * 64 bits) so that every input ends within milliseconds and the fuzzer
 * explores instead of waiting (with the command's defaults one input
 * such as zeros(10000000) takes seconds, and -timeout stops the run); then first derivatives of every output with respect to every
 * input, and every value, derivative and diagnostic is formatted.  When
 * the first byte is 0x01 to 0x07 it is not part of the program but flags:
 * bit 0 --nan-ok, bit 1 second derivatives as well, bit 2 run twice on one
 * session (the second run replaces the first tape).  Plain .gt files are
 * thus valid seeds.  Nothing may crash, hang, leak or touch undefined
 * behaviour (the target is built with -fsanitize=fuzzer,address,undefined
 * by make fuzz).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gradtool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
consume(char *s)
{
  /* make the formatted text observable, so nothing is optimised away */
  volatile size_t n = s ? strlen(s) : 0;
  (void)n;
  free(s);
}

static void
format_value(GtValue v)
{
  for (size_t k = 0; k < v.size; k++)
    consume(gt_format_number(&v.elems[k], 0));
}

static void
derivatives(GtSession *s, int order)
{
  const GtDeriv *d;
  size_t n;
  if (gt_session_derivatives(s, NULL, 0, NULL, 0, order, &d, &n) != GT_OK)
    return;
  for (size_t k = 0; k < n; k++)
    format_value(d[k].value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  unsigned flags = 0;
  if (size > 0 && data[0] >= 1 && data[0] <= 7) {
    flags = data[0];
    data++;
    size--;
  }
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = 64;
  opt.max_nodes = 10000;
  opt.max_steps = 10000;
  opt.max_depth = 100;
  opt.max_elems = 10000;
  opt.nan_ok = flags & 1;
  GtSession *s = gt_session_new(&opt);
  if (s == NULL)
    return 0;
  if (gt_session_load(s, "fuzz.gt", (const char *)data, size) == GT_OK) {
    int runs = flags & 4 ? 2 : 1;
    for (int r = 0; r < runs; r++) {
      if (gt_session_run(s) != GT_OK)
        break;
      for (size_t k = 0; k < gt_session_output_count(s); k++) {
        (void)gt_session_output_name(s, k);
        format_value(gt_session_output_value(s, k));
      }
      derivatives(s, 1);
      if (flags & 2)
        derivatives(s, 2);
    }
  }
  for (size_t k = 0; k < gt_session_diag_count(s); k++)
    consume(gt_diag_format(gt_session_diag(s, k)));
  gt_session_free(s);
  return 0;
}
