/* util.c -- what every file of the command uses: the program's name,
 * usage errors, out of memory, lists of names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *program_name = "gradtool";

_Noreturn void
usage_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", program_name);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry '%s --help' for more information.\n", program_name);
  exit(GT_EUSAGE);
}

_Noreturn void
out_of_memory(void)
{
  fprintf(stderr, "%s: out of memory\n", program_name);
  exit(GT_ERUNTIME);
}

char *
xstrdup(const char *s)
{
  char *t = strdup(s);
  if (t == NULL)
    out_of_memory();
  return t;
}

void
names_add(Names *l, const char *s, size_t n)
{
  /* the array doubles when its count reaches a power of two: amortised
     O(1) per name (a --batch header may name a million inputs) */
  if ((l->n & (l->n - 1)) == 0) {
    char **v = realloc(l->v, (l->n ? 2 * l->n : 1) * sizeof *v);
    if (v == NULL)
      out_of_memory();
    l->v = v;
  }
  char *c = malloc(n + 1);
  if (c == NULL)
    out_of_memory();
  memcpy(c, s, n);
  c[n] = '\0';
  l->v[l->n++] = c;
}

void
names_free(Names *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
}

int
is_name(const char *s, size_t n)
{
  if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')
                  || s[0] == '_'))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
          || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      return 0;
  return 1;
}

int
names_has(const Names *l, const char *s)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i], s) == 0)
      return 1;
  return 0;
}
