/* deriv.c -- the first three derivatives of a program, with libgradtool */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gradtool.h>

static const char program[] =
  "input x = 0.5\n"
  "y = exp(sin(x)) / (1 + x^2)\n";

/* Prints the session's diagnostics as the command line does. */
static void
report(GtSession *s)
{
  for (size_t i = 0; i < gt_session_diag_count(s); i++) {
    char *text = gt_diag_format(gt_session_diag(s, i));
    if (text != NULL)
      fputs(text, stderr);
    free(text);
  }
  gt_session_clear_diags(s);
}

int
main(void)
{
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = 200;                       /* bits */
  GtSession *s = gt_session_new(&opt);
  if (s == NULL)
    return 4;
  GtStatus st = gt_session_load(s, "deriv.gt", program, strlen(program));
  if (st == GT_OK)
    st = gt_session_set_input(s, "x", "1/3");
  if (st == GT_OK)
    st = gt_session_run(s);
  if (st == GT_OK) {
    GtValue y = gt_session_output_value(s, 0);
    char *text = gt_format_number(y.elems, 30);
    printf("%s = %s\n", gt_session_output_name(s, 0), text);
    free(text);
  }
  const char *wrt[] = { "x" };
  for (int k = 1; k <= 3 && st == GT_OK; k++) {
    const GtDeriv *d;
    size_t n;
    st = gt_session_derivatives(s, NULL, 0, wrt, 1, k, &d, &n);
    for (size_t i = 0; st == GT_OK && i < n; i++) {
      char *text = gt_format_number(d[i].value.elems, 30);
      printf("d^%d %s/d%s^%d = %s\n", k, d[i].of, d[i].wrt[0], k, text);
      free(text);
    }
  }
  report(s);
  gt_session_free(s);
  return (int)st;
}
