/* bench_sf.c -- the cost of a jet of lib/sf.c (gt_sf_jet): for each
 * function, K = 0, 1, 10, 100 at 128 and 1000 bits, at one ordinary point;
 * prints microseconds per call.  Not part of make check:
 *   make tests/bench/bench_sf && tests/bench/bench_sf [max-seconds-per-cell]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <mpfr.h>

#include "sf.h"

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
  static const struct { GtSf f; long n; const char *a, *x; } fs[] = {
    {GT_SF_POLYGAMMA, -1, NULL, "2.5"}, {GT_SF_POLYGAMMA, 0, NULL, "2.5"},
    {GT_SF_POLYGAMMA, 3, NULL, "2.5"}, {GT_SF_ZETA, 0, NULL, "2.5"},
    {GT_SF_ERFC, 0, NULL, "0.75"}, {GT_SF_ERFINV, 0, NULL, "0.5"},
    {GT_SF_NORM_CDF, 0, NULL, "0.75"}, {GT_SF_NORM_LOGCDF, 0, NULL, "-3"},
    {GT_SF_BESSELJ, 1, NULL, "2.5"}, {GT_SF_BESSELY, 1, NULL, "2.5"},
    {GT_SF_GAMMA_INC, 0, "2.5", "1.25"}, {GT_SF_LAMBERTW, 0, NULL, "0.5"},
  };
  static const int Ks[] = {0, 1, 10, 100};
  static const long precs[] = {128, 1000};
  double budget = argc > 1 ? atof(argv[1]) : 0.5;
  size_t i, j, q;
  int k;

  printf("%-14s %5s %4s %12s\n", "function", "bits", "K", "us/call");
  for (i = 0; i < sizeof fs / sizeof fs[0]; i++)
    for (q = 0; q < 2; q++)
      for (j = 0; j < 4; j++) {
        int K = Ks[j];
        mpfr_t x, a;
        mpfr_ptr *out = malloc((K + 1) * sizeof *out);
        mpfr_t *st = malloc((K + 1) * sizeof *st);
        long calls = 0;
        double t0, t;
        int s = 0;
        mpfr_inits2(precs[q], x, a, (mpfr_ptr)0);
        mpfr_set_str(x, fs[i].x, 10, MPFR_RNDN);
        if (fs[i].a)
          mpfr_set_str(a, fs[i].a, 10, MPFR_RNDN);
        for (k = 0; k <= K; k++) {
          mpfr_init2(st[k], precs[q]);
          out[k] = st[k];
        }
        t0 = now();
        do {
          s |= gt_sf_jet(fs[i].f, fs[i].n, fs[i].a ? a : NULL, x, K, out);
          calls++;
          t = now() - t0;
        } while (t < budget);
        printf("%-10s n=%-2ld %5ld %4d %12.1f%s\n", gt_sf_name(fs[i].f),
               fs[i].n, precs[q], K, 1e6 * t / calls, s ? " (status!)" : "");
        fflush(stdout);
        for (k = 0; k <= K; k++)
          mpfr_clear(st[k]);
        free(st);
        free(out);
        mpfr_clears(x, a, (mpfr_ptr)0);
      }
  return 0;
}
