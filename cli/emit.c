/* emit.c -- --emit=FORMAT: the run's outputs and derivatives written as
 * expressions, a .gt program, C or LaTeX (the library's gt_session_emit).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The value an input without one is recorded at: the emitted form holds
   wherever the path is the same, so any ordinary point will do. */
#define EMIT_POINT "0.5"

/* Is input `name` given by an --at option? */
static int
given_at(const Cli *c, const char *name)
{
  size_t n = strlen(name);
  for (size_t i = 0; i < c->at.n; i++)
    if (strncmp(c->at.v[i], name, n) == 0 && c->at.v[i][n] == '=')
      return 1;
  return 0;
}

int
run_emit(const Cli *c, GtSession *s)
{
  GtStatus st = GT_OK;
  for (size_t i = 0; i < gt_session_input_count(s) && st == GT_OK; i++) {
    const char *nm = gt_session_input_name(s, i);
    if (gt_session_input_has_default(s, i) || given_at(c, nm))
      continue;
    st = gt_session_set_input(s, nm, EMIT_POINT);
    if (!c->quiet)
      fprintf(stderr, "%s: note: input '%s' has no value; the path is "
              "recorded at %s=%s (give --at %s=VALUE to choose)\n",
              program_name, nm, nm, EMIT_POINT, nm);
  }
  if (st == GT_OK)
    st = gt_session_run(s);
  char *text = NULL;
  int order = c->order_given || c->wrt.n || gt_session_input_count(s)
                  ? c->order : 0;
  if (st == GT_OK)
    st = gt_session_emit(s, (GtEmitFormat)c->emit,
                         (const char *const *)c->of.v, c->of.n,
                         (const char *const *)c->wrt.v, c->wrt.n, order,
                         &text);
  report(s, c->quiet, st);
  if (st == GT_OK && text)
    fputs(text, stdout);
  free(text);
  return (int)st;
}
