/* floor_w2.c -- make bench: the floor for issue 13's W2, by hand.
 *
 * W2: N steps of x <- x + h sin(x) cos(p x) from x = x0, the value and its
 * derivatives with respect to x0, h and p, at PREC bits with MPFR and no
 * tape: forward mode with three tangents, the cheapest way by hand.  With
 * s = sin x, c = cos x, S = sin(p x), C = cos(p x), a tangent dx moves by
 *   dx <- dx + dh s C + h (c C dx - s S (dp x + p dx)).
 * Usage: floor_w2 PREC N X0 H P
 */
#include <stdio.h>
#include <stdlib.h>
#include <mpfr.h>

int
main(int argc, char **argv)
{
  if (argc != 6) {
    fprintf(stderr, "usage: floor_w2 PREC N X0 H P\n");
    return 2;
  }
  mpfr_prec_t prec = atol(argv[1]);
  long n = atol(argv[2]);
  mpfr_t x, h, p, d[3], s, c, S, C, px, a, b, t, u;
  mpfr_inits2(prec, x, h, p, d[0], d[1], d[2], s, c, S, C, px, a, b, t, u,
              (mpfr_ptr)0);
  mpfr_set_str(x, argv[3], 10, MPFR_RNDN);
  mpfr_set_str(h, argv[4], 10, MPFR_RNDN);
  mpfr_set_str(p, argv[5], 10, MPFR_RNDN);
  mpfr_set_ui(d[0], 1, MPFR_RNDN);      /* d/dx0 */
  mpfr_set_ui(d[1], 0, MPFR_RNDN);      /* d/dh */
  mpfr_set_ui(d[2], 0, MPFR_RNDN);      /* d/dp */
  for (long i = 0; i < n; i++) {
    mpfr_sin_cos(s, c, x, MPFR_RNDN);
    mpfr_mul(px, p, x, MPFR_RNDN);
    mpfr_sin_cos(S, C, px, MPFR_RNDN);
    /* a = h (c C - s S p): the factor of dx; b = h s S: of dp x */
    mpfr_mul(a, c, C, MPFR_RNDN);
    mpfr_mul(t, s, S, MPFR_RNDN);
    mpfr_mul(b, t, h, MPFR_RNDN);
    mpfr_mul(t, t, p, MPFR_RNDN);
    mpfr_sub(a, a, t, MPFR_RNDN);
    mpfr_mul(a, a, h, MPFR_RNDN);
    mpfr_mul(u, s, C, MPFR_RNDN);       /* s C: the factor of dh */
    for (int k = 0; k < 3; k++) {
      mpfr_mul(t, a, d[k], MPFR_RNDN);
      mpfr_add(t, t, d[k], MPFR_RNDN);
      if (k == 1)
        mpfr_add(t, t, u, MPFR_RNDN);
      if (k == 2) {
        mpfr_mul(px, b, x, MPFR_RNDN);
        mpfr_sub(t, t, px, MPFR_RNDN);
      }
      mpfr_swap(d[k], t);
    }
    mpfr_mul(t, u, h, MPFR_RNDN);
    mpfr_add(x, x, t, MPFR_RNDN);
  }
  static const char *const names[] = { "dx/dx0", "dx/dh", "dx/dp" };
  fputs("x = ", stdout);
  mpfr_out_str(stdout, 10, 0, x, MPFR_RNDN);
  for (int k = 0; k < 3; k++) {
    printf("\n%s = ", names[k]);
    mpfr_out_str(stdout, 10, 0, d[k], MPFR_RNDN);
  }
  putchar('\n');
  mpfr_clears(x, h, p, d[0], d[1], d[2], s, c, S, C, px, a, b, t, u,
              (mpfr_ptr)0);
  mpfr_free_cache();
  return 0;
}
