/* list_builtins.c -- prints the language's built-in functions, one per
   line, as gt_builtin_name lists them (for tests/editors.sh). */
#include <stdio.h>

#include "gradtool.h"

int
main(void)
{
  const char *name;
  for (size_t i = 0; (name = gt_builtin_name(i)) != NULL; i++)
    puts(name);
  return ferror(stdout) ? 1 : 0;
}
