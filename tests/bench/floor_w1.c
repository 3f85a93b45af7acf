/* floor_w1.c -- make bench: the floor for issue 13's W1, by hand.
 *
 * W1: f(x) = sum_{i<n-1} sin(x_i x_{i+1}) + sum_i log(1 + x_i^2), its value
 * and full gradient
 *   df/dx_i = x_{i+1} cos(x_i x_{i+1}) + x_{i-1} cos(x_{i-1} x_i)
 *             + 2 x_i / (1 + x_i^2)
 * at PREC bits with MPFR and no tape: the cost of the arithmetic alone,
 * plus reading the numbers and printing every result with enough digits
 * to read back (mpfr_out_str, not the shortest form).
 * Usage: floor_w1 PREC FILE   (FILE: one number per line)
 */
#include <stdio.h>
#include <stdlib.h>
#include <mpfr.h>

int
main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: floor_w1 PREC FILE\n");
    return 2;
  }
  mpfr_prec_t p = atol(argv[1]);
  FILE *f = fopen(argv[2], "r");
  if (f == NULL) {
    perror(argv[2]);
    return 2;
  }
  size_t n = 0, cap = 1024;
  mpfr_t *x = malloc(cap * sizeof *x);
  char line[256];
  while (fgets(line, sizeof line, f)) {
    if (n == cap)
      x = realloc(x, (cap *= 2) * sizeof *x);
    mpfr_init2(x[n], p);
    mpfr_set_str(x[n], line, 10, MPFR_RNDN);
    n++;
  }
  fclose(f);
  mpfr_t *g = malloc(n * sizeof *g);
  mpfr_t s, t, u, y;
  mpfr_inits2(p, s, t, u, y, (mpfr_ptr)0);
  mpfr_set_zero(y, 1);
  for (size_t i = 0; i < n; i++)
    mpfr_init2(g[i], p), mpfr_set_zero(g[i], 1);
  for (size_t i = 0; i < n; i++) {
    /* log(1 + x_i^2) and its derivative 2 x_i / (1 + x_i^2) */
    mpfr_sqr(t, x[i], MPFR_RNDN);
    mpfr_add_ui(t, t, 1, MPFR_RNDN);
    mpfr_log(u, t, MPFR_RNDN);
    mpfr_add(y, y, u, MPFR_RNDN);
    mpfr_mul_2ui(u, x[i], 1, MPFR_RNDN);
    mpfr_div(u, u, t, MPFR_RNDN);
    mpfr_add(g[i], g[i], u, MPFR_RNDN);
    if (i + 1 < n) {
      mpfr_mul(t, x[i], x[i + 1], MPFR_RNDN);
      mpfr_sin_cos(s, u, t, MPFR_RNDN);
      mpfr_add(y, y, s, MPFR_RNDN);
      mpfr_mul(t, u, x[i + 1], MPFR_RNDN);
      mpfr_add(g[i], g[i], t, MPFR_RNDN);
      mpfr_mul(t, u, x[i], MPFR_RNDN);
      mpfr_add(g[i + 1], g[i + 1], t, MPFR_RNDN);
    }
  }
  fputs("f = ", stdout);
  mpfr_out_str(stdout, 10, 0, y, MPFR_RNDN);
  fputs("\ndf/dx = [", stdout);
  for (size_t i = 0; i < n; i++) {
    if (i)
      fputs(", ", stdout);
    mpfr_out_str(stdout, 10, 0, g[i], MPFR_RNDN);
  }
  fputs("]\n", stdout);
  for (size_t i = 0; i < n; i++)
    mpfr_clears(x[i], g[i], (mpfr_ptr)0);
  mpfr_clears(s, t, u, y, (mpfr_ptr)0);
  free(x);
  free(g);
  mpfr_free_cache();
  return 0;
}
