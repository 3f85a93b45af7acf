/* bench.c -- make bench: the cost of recording and differentiating.
 *
 * Records two scalar loop programs of about 10^6 operations each and
 * prints, measured in this one run at 128 bits (the default):
 *   - time(values and gradient) / time(values only): gt_session_run plus
 *     the first-order gt_session_derivatives against gt_session_run alone
 *     (target <= 3);
 *   - time(gradtool values) / time(the same arithmetic written by hand in
 *     C with MPFR: plain mpfr_t variables, no tape), the loops below
 *     (targets: <= 2 for the add/multiply loop, <= 1.3 for the loop
 *     dominated by sin, exp and log);
 *   - bytes per recorded operation: the tape's own count
 *     (gt_session_tape_bytes / gt_session_tape_nodes) and the growth of
 *     the peak resident set (getrusage) over a run and its gradient,
 *     divided by the nodes (target < 200).
 * And the batch workload (--batch): points per second for the value and
 * gradient of a 10-operation scalar function at 53 bits, each point set
 * with gt_session_replay (the tape replayed, recorded once), target
 * >= 50,000 points/s.
 * The tensor workload (issue 3, -w matvec): value and gradient of
 * sum(sin(A @ x)), A a fixed 200x200 matrix, at 128 bits, (a) with tensor
 * operations, (b) with scalar loops over indices, (c) by hand in C with
 * MPFR; targets: (b)/(a) >= 5 and (a)/(c) <= 1.5; the three must agree.
 * The higher-order workloads (issue 4), for exp(sin(x))/(1+x^2) at 0.5
 * and 256 bits: -w taylor100, the 100th derivative by Taylor mode
 * (gt_session_derivatives alone, target < 20 ms), checked against an
 * mpmath value and a series written in C; -w nested10, the 10th
 * derivative by ten nested grad() against Taylor mode (the ratio); and
 * -w hessian, the 100x100 Hessian of the extended Rosenbrock function by
 * hessian() in the language (f by tensor operations and by a loop) and
 * by gt_session_derivatives of order 2 over 100 scalar inputs, each
 * checked against the closed form.
 * The growth workload (issue 11, -w names): load, run and gradient of
 * programs with 10^4, 10^5 and 10^6 distinct names (variables summed by
 * one long chain; inputs, differentiated with respect to all), time per
 * name at 10^6 / at 10^4, target <= 5 (a quadratic lookup gives 100).
 * Each time is the minimum over several repetitions (-r), because the
 * machines are shared.  The figures are informational: the program exits
 * 0 unless something fails.
 * -w startup: the whole process of cli/gradtool -e 'y = 1' (issue 13,
 * target <= 10 ms), beside /bin/true.
 * Usage: bench [-r REPS] [-n NODES] [-p PREC] [-w WORKLOAD]
 * (-p applies to all but taylor100 and nested10, which are at 256 bits)
 * (-w runs one workload only, e.g. under perf or callgrind).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clock_gettime, getrusage, malloc_trim, open_memstream */
#endif
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <spawn.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <mpfr.h>

#include "gradtool.h"

/* ---- the workloads ------------------------------------------------------ */

/* The literals are shared by the .gt text and the C loop, so that both
   read the same numbers. */
#define ARITH_X "1.0000001"
#define TRANS_X "0.5"

/* s = x + x^2 + ... + x^N, by repeated multiplication.  Per iteration the
   tape gets 4 nodes: the loop counter, x * p, s + (x * p) and p * x. */
static const char arith_gt[] =
  "# add/multiply-heavy: s = x + x^2 + ... + x^N\n"
  "input x = " ARITH_X "\n"
  "s = 0\n"
  "p = 1\n"
  "for i in range(%ld) {\n"
  "  s = s + x * p\n"
  "  p = p * x\n"
  "}\n"
  "output s\n";

static void
arith_c(mpfr_ptr out, long n, mpfr_prec_t prec)
{
  mpfr_t x, s, p, t;
  mpfr_inits2(prec, x, s, p, t, (mpfr_ptr)0);
  mpfr_set_str(x, ARITH_X, 10, MPFR_RNDN);
  mpfr_set_str(s, "0", 10, MPFR_RNDN);
  mpfr_set_str(p, "1", 10, MPFR_RNDN);
  for (long i = 0; i < n; i++) {
    mpfr_mul(t, x, p, MPFR_RNDN);  /* x * p */
    mpfr_add(s, s, t, MPFR_RNDN);  /* s + (x * p) */
    mpfr_mul(p, p, x, MPFR_RNDN);  /* p * x */
  }
  mpfr_set(out, s, MPFR_RNDN);
  mpfr_clears(x, s, p, t, (mpfr_ptr)0);
}

/* A contracting iteration (s settles near 2.7) whose time goes to sin,
   exp and log.  Per iteration 8 nodes: the counter, s + x, sin, x * s,
   exp, + 1, log and the final +. */
static const char trans_gt[] =
  "# dominated by sin, exp and log\n"
  "input x = " TRANS_X "\n"
  "s = 0\n"
  "for i in range(%ld) {\n"
  "  s = sin(s + x) + log(exp(x * s) + 1)\n"
  "}\n"
  "output s\n";

static void
trans_c(mpfr_ptr out, long n, mpfr_prec_t prec)
{
  mpfr_t x, s, one, a, b;
  mpfr_inits2(prec, x, s, one, a, b, (mpfr_ptr)0);
  mpfr_set_str(x, TRANS_X, 10, MPFR_RNDN);
  mpfr_set_str(s, "0", 10, MPFR_RNDN);
  mpfr_set_str(one, "1", 10, MPFR_RNDN);
  for (long i = 0; i < n; i++) {
    mpfr_add(a, s, x, MPFR_RNDN);    /* s + x */
    mpfr_sin(a, a, MPFR_RNDN);       /* sin(s + x) */
    mpfr_mul(b, x, s, MPFR_RNDN);    /* x * s */
    mpfr_exp(b, b, MPFR_RNDN);       /* exp(x * s) */
    mpfr_add(b, b, one, MPFR_RNDN);  /* exp(x * s) + 1 */
    mpfr_log(b, b, MPFR_RNDN);       /* log(...) */
    mpfr_add(s, a, b, MPFR_RNDN);    /* sin(...) + log(...) */
  }
  mpfr_set(out, s, MPFR_RNDN);
  mpfr_clears(x, s, one, a, b, (mpfr_ptr)0);
}

typedef struct Workload {
  const char *name;
  const char *program;    /* printf format taking the iteration count */
  long nodes_per_iter;
  void (*by_hand)(mpfr_ptr out, long n, mpfr_prec_t prec);
  double c_target;        /* gradtool/C at most this */
} Workload;

static const Workload workloads[] = {
  { "add/mul", arith_gt, 4, arith_c, 2.0 },
  { "sin/exp/log", trans_gt, 8, trans_c, 1.3 },
};
enum { NWORK = sizeof workloads / sizeof workloads[0] };

#define GRAD_TARGET 3.0
#define BYTES_TARGET 200.0

/* What one workload measured. */
typedef struct Result {
  size_t nodes;
  double values, grad, by_hand;  /* best seconds */
  double tape_bytes;             /* per node */
  double rss_bytes;              /* peak RSS growth per node, < 0: unknown */
  int rss_reset;                 /* the peak was reset before measuring */
  int equal;                     /* gradtool and C gave the same number */
} Result;

/* ---- helpers ------------------------------------------------------------- */

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the process (user and system, page faults included): the
   growth workload compares runs seconds apart on a shared machine, where
   the wall clock measures the neighbours. */
static double
cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak resident set so far, in bytes (ru_maxrss is in KiB on Linux). */
static double
peak_rss(void)
{
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return -1;
  return (double)ru.ru_maxrss * 1024.0;
}

/* Gives freed memory back and, on Linux, resets the peak resident set to
   the current one (clear_refs 5), so that the next peak belongs to the
   next workload alone.  Returns 0 when the peak could not be reset. */
static int
reset_peak(void)
{
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f == NULL)
    return 0;
  int ok = fputs("5", f) >= 0;
  if (fclose(f) != 0)
    ok = 0;
  return ok;
}

static void
die_session(GtSession *s, const char *what)
{
  fflush(stdout);
  fprintf(stderr, "bench: %s failed\n", what);
  for (size_t i = 0; i < gt_session_diag_count(s); i++) {
    char *m = gt_diag_format(gt_session_diag(s, i));
    if (m != NULL)
      fputs(m, stderr);
    free(m);
  }
  gt_session_free(s);
  exit(1);
}

/* A session with `text` loaded at precision prec; exits on failure. */
static GtSession *
load(const char *text, long prec)
{
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = prec;
  GtSession *s = gt_session_new(&opt);
  if (s == NULL) {
    fputs("bench: out of memory\n", stderr);
    exit(1);
  }
  if (gt_session_load(s, "<bench>", text, strlen(text)) != GT_OK)
    die_session(s, "loading the program");
  return s;
}

/* Checks that the derivatives came back as numbers connected to x. */
static void
check_derivs(const GtDeriv *d, size_t nd, const char *name)
{
  if (nd != 1 || !d[0].connected || d[0].value.size != 1
      || !mpfr_number_p(d[0].value.elems)) {
    fflush(stdout);
    fprintf(stderr, "bench: warning: %s: the gradient is not one connected "
            "finite number\n", name);
  }
}

/* One measurement in a fresh session (parsing is not timed): the seconds
   gt_session_run takes and, when grad, the seconds run plus first-order
   derivatives take.  The output goes to value; nodes and tape bytes to r. */
static double
measure_gt(const char *text, long prec, int grad, mpfr_ptr value, Result *r,
           const char *name)
{
  GtSession *s = load(text, prec);
  const GtDeriv *d = NULL;
  size_t nd = 0;
  double t0 = now();
  if (gt_session_run(s) != GT_OK)
    die_session(s, "gt_session_run");
  if (grad && gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &nd) != GT_OK)
    die_session(s, "gt_session_derivatives");
  double t = now() - t0;
  if (gt_session_output_count(s) != 1)
    die_session(s, "finding the output");
  mpfr_set(value, gt_session_output_value(s, 0).elems, MPFR_RNDN);
  r->nodes = gt_session_tape_nodes(s);
  r->tape_bytes = (double)gt_session_tape_bytes(s) / (double)r->nodes;
  if (grad)
    check_derivs(d, nd, name);
  gt_session_free(s);
  return t;
}

/* The peak memory of one run and its gradient, per recorded node. */
static void
measure_memory(const char *text, long prec, Result *r, mpfr_ptr value,
               const char *name)
{
  GtSession *s = load(text, prec);
  r->rss_reset = reset_peak();
  double base = peak_rss();
  const GtDeriv *d = NULL;
  size_t nd = 0;
  if (gt_session_run(s) != GT_OK)
    die_session(s, "gt_session_run");
  size_t nodes = gt_session_tape_nodes(s);
  if (gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &nd) != GT_OK)
    die_session(s, "gt_session_derivatives");
  double peak = peak_rss();
  mpfr_set(value, gt_session_output_value(s, 0).elems, MPFR_RNDN);
  check_derivs(d, nd, name);
  r->rss_bytes = base >= 0 && peak >= 0 && nodes > 0
                     ? (peak - base) / (double)nodes : -1;
  gt_session_free(s);
}

static double
min2(double a, double b)
{
  return a < b ? a : b;
}

static const char *
verdict(int ok)
{
  return ok ? "PASS" : "MISS";
}

/* ---- the batch workload ----------------------------------------------------- */

/* 10 operations: sin, exp, *, *, +, log, cos, +, /, + */
static const char batch_gt[] =
  "input x = 0.5\n"
  "y = sin(x) * exp(x) + log(1 + x * x) / (2 + cos(x))\n";

#define BATCH_PREC 53
#define BATCH_TARGET 50000.0

/* Seconds for value and gradient at npoints points in (0, 1], as
   --batch computes them: gt_session_replay, then the derivatives. */
static double
measure_batch(long npoints, unsigned long *replayed, unsigned long *recorded)
{
  GtSession *s = load(batch_gt, BATCH_PREC);
  mpfr_t x;
  mpfr_init2(x, BATCH_PREC);
  const char *name = "x";
  mpfr_srcptr v = x;
  double sum = 0;
  double t0 = now();
  for (long k = 1; k <= npoints; k++) {
    mpfr_set_si(x, k, MPFR_RNDN);
    mpfr_div_si(x, x, npoints, MPFR_RNDN);
    const GtDeriv *d = NULL;
    size_t nd = 0;
    if (gt_session_replay(s, &name, &v, 1) != GT_OK)
      die_session(s, "gt_session_replay");
    if (gt_session_derivatives(s, NULL, 0, NULL, 0, 1, &d, &nd) != GT_OK)
      die_session(s, "gt_session_derivatives");
    sum += mpfr_get_d(d[0].value.elems, MPFR_RNDN);
  }
  double t = now() - t0;
  if (!(sum == sum))
    fprintf(stderr, "bench: warning: batch: NaN gradients\n");
  gt_session_replay_stats(s, replayed, recorded);
  mpfr_clear(x);
  gt_session_free(s);
  return t;
}

static void
report_batch(long reps)
{
  long npoints = 100000;
  unsigned long replayed = 0, recorded = 0;
  double best = 1e300;
  for (long k = 0; k < reps; k++)
    best = min2(best, measure_batch(npoints, &replayed, &recorded));
  double rate = (double)npoints / best;
  printf("\nbatch: value and gradient of a 10-operation function at %d bits, "
         "%ld points\n(gt_session_replay then gt_session_derivatives: the "
         "tape replayed %lu times, recorded %lu)\n", BATCH_PREC, npoints,
         replayed, recorded);
  printf("%s  batch points/s >= %.0f: %.0f (%.2f us per point)\n",
         verdict(rate >= BATCH_TARGET), BATCH_TARGET, rate,
         best / (double)npoints * 1e6);
}

/* ---- helpers of the tensor and higher-order workloads ------------------------ */

static void
out_of_memory(void)
{
  fflush(stdout);
  fputs("bench: out of memory\n", stderr);
  exit(1);
}

/* A stream that writes a program text into memory. */
static FILE *
text_open(char **buf, size_t *len)
{
  FILE *f = open_memstream(buf, len);
  if (f == NULL)
    out_of_memory();
  return f;
}

static char *
text_close(FILE *f, char **buf)
{
  if (ferror(f) || fclose(f) != 0)
    out_of_memory();
  return *buf;
}

/* The exponent of the larger of |a| and |b| (MPFR's: |a| is in
   [2^(e-1), 2^e)); both must be numbers, not both 0. */
static mpfr_exp_t
max_exp(mpfr_srcptr a, mpfr_srcptr b)
{
  return mpfr_zero_p(a) ? mpfr_get_exp(b)
         : mpfr_zero_p(b) ? mpfr_get_exp(a)
         : mpfr_get_exp(a) > mpfr_get_exp(b) ? mpfr_get_exp(a)
                                              : mpfr_get_exp(b);
}

/* |a - b| in units in the last place, at a's precision, of a number of
   exponent e: 0 when they are equal, HUGE_VAL when one is not a number. */
static double
ulps_at(mpfr_srcptr a, mpfr_srcptr b, mpfr_exp_t e)
{
  if (mpfr_equal_p(a, b))
    return 0;
  if (!mpfr_number_p(a) || !mpfr_number_p(b))
    return HUGE_VAL;
  mpfr_prec_t p = mpfr_get_prec(a);
  mpfr_t d;
  mpfr_init2(d, 64);
  mpfr_sub(d, a, b, MPFR_RNDN);
  mpfr_abs(d, d, MPFR_RNDN);
  /* the ulp of a number in [2^(e-1), 2^e) at precision p is 2^(e-p) */
  mpfr_mul_2si(d, d, (long)p - (long)e, MPFR_RNDN);
  double u = mpfr_get_d(d, MPFR_RNDN);
  mpfr_clear(d);
  return u;
}

/* |a - b| in ulps of the larger of |a| and |b|. */
static double
ulps(mpfr_srcptr a, mpfr_srcptr b)
{
  if (!mpfr_number_p(a) || !mpfr_number_p(b))
    return mpfr_equal_p(a, b) ? 0 : HUGE_VAL;
  if (mpfr_zero_p(a) && mpfr_zero_p(b))
    return 0;
  return ulps_at(a, b, max_exp(a, b));
}

/* Loads text (not timed) at precision prec, runs it and, when order > 0,
   takes the order-th derivatives of every output with respect to the
   nwrt names wrt (every input when nwrt is 0).  The seconds of the run
   and of the derivatives go to *t_run and *t_deriv; the derivatives to
   *d and *nd.  Returns the session, for checking; the caller frees it. */
static GtSession *
run_timed(const char *text, long prec, const char *const *wrt, size_t nwrt,
          int order, double *t_run, double *t_deriv, const GtDeriv **d,
          size_t *nd)
{
  GtSession *s = load(text, prec);
  double t0 = now();
  if (gt_session_run(s) != GT_OK)
    die_session(s, "gt_session_run");
  double t1 = now();
  *d = NULL;
  *nd = 0;
  if (order > 0
      && gt_session_derivatives(s, NULL, 0, wrt, nwrt, order, d, nd) != GT_OK)
    die_session(s, "gt_session_derivatives");
  double t2 = now();
  *t_run = t1 - t0;
  *t_deriv = t2 - t1;
  return s;
}

/* The only output of s, which must have size elements. */
static mpfr_srcptr
only_output(GtSession *s, size_t size, const char *what)
{
  if (gt_session_output_count(s) != 1
      || gt_session_output_value(s, 0).size != size)
    die_session(s, what);
  return gt_session_output_value(s, 0).elems;
}

/* ---- issue 3: the gradient of sum(sin(A @ x)) -------------------------------- */

#define MV_N 200
#define MV_LOOP_TARGET 5.0   /* time(scalar loops) / time(tensor ops) at least */
#define MV_C_TARGET 1.5      /* time(tensor ops) / time(MPFR C) at most */

/* A (row-major) and x.  The entries are dyadic, k/1024 in A and k/512 in
   x with k from a fixed LCG, so that the program text, the C code and
   every precision read exactly the same numbers. */
static double mv_A[MV_N * MV_N], mv_x[MV_N];

static void
mv_data(void)
{
  uint32_t s = 20240601u;
  for (size_t k = 0; k < MV_N * MV_N; k++) {
    s = s * 1664525u + 1013904223u;
    mv_A[k] = ((double)(s >> 22) - 512) / 1024;
  }
  for (size_t j = 0; j < MV_N; j++) {
    s = s * 1664525u + 1013904223u;
    mv_x[j] = ((double)(s >> 22) - 512) / 512;
  }
}

/* "input x = [...]" and "A = [[...], ...]"; %.17g prints a dyadic number
   of at most 17 significant digits exactly. */
static void
mv_literals(FILE *f)
{
  fputs("input x = [", f);
  for (size_t j = 0; j < MV_N; j++)
    fprintf(f, "%s%.17g", j ? ", " : "", mv_x[j]);
  fputs("]\nA = [", f);
  for (size_t i = 0; i < MV_N; i++) {
    fputs(i ? ",\n  [" : "[", f);
    for (size_t j = 0; j < MV_N; j++)
      fprintf(f, "%s%.17g", j ? ", " : "", mv_A[i * MV_N + j]);
    fputc(']', f);
  }
  fputs("]\n", f);
}

/* kind 0: tensor operations; 1: scalar loops over indices; 2: the
   literals alone (what building A and x costs in a run).  Malloc'd. */
static char *
mv_program(int kind)
{
  char *buf;
  size_t len;
  FILE *f = text_open(&buf, &len);
  fprintf(f, "# sum(sin(A @ x)), A %dx%d\n", MV_N, MV_N);
  mv_literals(f);
  if (kind == 0)
    fputs("y = sum(sin(A @ x))\n", f);
  else if (kind == 1)
    fprintf(f, "y = 0\n"
            "for i in range(%d) {\n"
            "  t = 0\n"
            "  for j in range(%d) {\n"
            "    t += A[i, j] * x[j]\n"
            "  }\n"
            "  y += sin(t)\n"
            "}\n", MV_N, MV_N);
  else
    fputs("y = A[0, 0] + x[0]\n", f);
  fputs("output y\n", f);
  return text_close(f, &buf);
}

/* By hand: t = A x, each t_i summed from 0 in increasing j with one
   rounding per product and per sum (as gradtool's matmul does);
   y = sum_i sin t_i; dy/dx = A^T cos(t), each component summed in
   increasing i.  A and x are given (set up outside the timing);
   everything else is computed here: 2 n^2 multiply-adds and n sin_cos. */
static void
mv_c(mpfr_ptr y, mpfr_t *g, mpfr_t *A, mpfr_t *x, mpfr_prec_t prec)
{
  mpfr_t t[MV_N], c[MV_N], sn, tmp;
  mpfr_inits2(prec, sn, tmp, (mpfr_ptr)0);
  mpfr_set_zero(y, 1);
  for (size_t i = 0; i < MV_N; i++) {
    mpfr_init2(t[i], prec);
    mpfr_init2(c[i], prec);
    mpfr_set_zero(t[i], 1);
    for (size_t j = 0; j < MV_N; j++) {
      mpfr_mul(tmp, A[i * MV_N + j], x[j], MPFR_RNDN);
      mpfr_add(t[i], t[i], tmp, MPFR_RNDN);
    }
    mpfr_sin_cos(sn, c[i], t[i], MPFR_RNDN);
    mpfr_add(y, y, sn, MPFR_RNDN);
  }
  for (size_t j = 0; j < MV_N; j++)
    mpfr_set_zero(g[j], 1);
  for (size_t i = 0; i < MV_N; i++)
    for (size_t j = 0; j < MV_N; j++) {
      mpfr_mul(tmp, A[i * MV_N + j], c[i], MPFR_RNDN);
      mpfr_add(g[j], g[j], tmp, MPFR_RNDN);
    }
  for (size_t i = 0; i < MV_N; i++) {
    mpfr_clear(t[i]);
    mpfr_clear(c[i]);
  }
  mpfr_clears(sn, tmp, (mpfr_ptr)0);
}

/* The distance in ulps between gradtool's value and C's, and the
   largest between the gradients' components, in ulps of C's largest
   component (a component is a sum of n terms of both signs: a small one
   can lose digits to cancellation, whatever the order of the sum). */
static void
mv_compare(mpfr_srcptr y, const GtDeriv *d, size_t nd, mpfr_srcptr cy,
           mpfr_t *cg, double *uy, double *ug)
{
  *uy = ulps(y, cy);
  *ug = 0;
  if (nd != 1 || d[0].value.size != MV_N) {
    *ug = HUGE_VAL;
    return;
  }
  mpfr_exp_t e = mpfr_get_exp(cg[0]);
  for (size_t j = 1; j < MV_N; j++)
    if (mpfr_get_exp(cg[j]) > e)
      e = mpfr_get_exp(cg[j]);
  for (size_t j = 0; j < MV_N; j++) {
    double u = ulps_at(&d[0].value.elems[j], cg[j], e);
    if (u > *ug)
      *ug = u;
  }
}

static void
agreement(const char *what, double uy, double ug)
{
  if (uy == 0 && ug == 0)
    printf("  %s: value and gradient bit-identical to mpfr-C\n", what);
  else
    printf("  %s: differs from mpfr-C by %.3g ulp (value), at most %.3g ulp "
           "(gradient, in ulps of its largest component)\n", what, uy, ug);
  if (uy > 8 || ug > 8) {
    fflush(stdout);
    fprintf(stderr, "bench: warning: matvec: %s and mpfr-C disagree by "
            "more than 8 ulp\n", what);
  }
}

static void
report_matvec(long reps, long prec)
{
  mv_data();
  char *prog[3];
  for (int k = 0; k < 3; k++)
    prog[k] = mv_program(k);
  mpfr_t *A = malloc(MV_N * MV_N * sizeof *A);
  mpfr_t *x = malloc(MV_N * sizeof *x), *cg = malloc(MV_N * sizeof *cg);
  if (A == NULL || x == NULL || cg == NULL)
    out_of_memory();
  for (size_t k = 0; k < MV_N * MV_N; k++)
    mpfr_init_set_d(A[k], mv_A[k], MPFR_RNDN);  /* exact: dyadic */
  for (size_t j = 0; j < MV_N; j++) {
    mpfr_init2(x[j], (mpfr_prec_t)prec);
    mpfr_set_d(x[j], mv_x[j], MPFR_RNDN);
    mpfr_init2(cg[j], (mpfr_prec_t)prec);
  }
  mpfr_t cy;
  mpfr_init2(cy, (mpfr_prec_t)prec);

  const char *wrt = "x";
  double ta_run = 1e300, ta = 1e300, tb = 1e300, tlit = 1e300, tc = 1e300;
  double uya = 0, uga = 0, uyb = 0, ugb = 0;
  size_t nodes_a = 0, nodes_b = 0;
  for (long r = 0; r < reps; r++) {
    double t0 = now();
    mv_c(cy, cg, A, x, (mpfr_prec_t)prec);
    tc = min2(tc, now() - t0);

    double run, der;
    const GtDeriv *d;
    size_t nd;
    GtSession *s = run_timed(prog[0], prec, &wrt, 1, 1, &run, &der, &d, &nd);
    ta_run = min2(ta_run, run);
    ta = min2(ta, run + der);
    nodes_a = gt_session_tape_nodes(s);
    mv_compare(only_output(s, 1, "(a)'s output"), d, nd, cy, cg, &uya, &uga);
    gt_session_free(s);

    s = run_timed(prog[1], prec, &wrt, 1, 1, &run, &der, &d, &nd);
    tb = min2(tb, run + der);
    nodes_b = gt_session_tape_nodes(s);
    mv_compare(only_output(s, 1, "(b)'s output"), d, nd, cy, cg, &uyb, &ugb);
    gt_session_free(s);

    s = run_timed(prog[2], prec, NULL, 0, 0, &run, &der, &d, &nd);
    tlit = min2(tlit, run);
    gt_session_free(s);
  }

  printf("\nsum(sin(A @ x)): value and gradient wrt x, A %dx%d, x of %d, "
         "%ld bits\n", MV_N, MV_N, MV_N, prec);
  printf("  (a) tensor ops    y = sum(sin(A @ x))      run %8.2f ms, "
         "run + grad %8.2f ms (%zu nodes)\n", ta_run * 1e3, ta * 1e3,
         nodes_a);
  printf("      of which the literals A and x alone (a run of 'y = A[0, 0] + "
         "x[0]'): %.2f ms\n", tlit * 1e3);
  printf("  (b) scalar loops  t += A[i, j] * x[j]      run + grad %8.2f ms "
         "(%zu nodes)\n", tb * 1e3, nodes_b);
  printf("  (c) MPFR C by hand, y and A^T cos(A x)     %8.2f ms\n", tc * 1e3);
  agreement("(a)", uya, uga);
  agreement("(b)", uyb, ugb);
  /* both programs build A and x from the same literals, in the run */
  printf("%s  loops/tensor >= %.0f: %.2f (%.2f without the literals)\n",
         verdict(tb / ta >= MV_LOOP_TARGET), MV_LOOP_TARGET, tb / ta,
         (tb - tlit) / (ta - tlit));
  printf("%s  tensor/mpfr-C <= %.1f: %.2f (%.2f without the literals)\n",
         verdict(ta / tc <= MV_C_TARGET), MV_C_TARGET, ta / tc,
         (ta - tlit) / tc);

  for (size_t k = 0; k < MV_N * MV_N; k++)
    mpfr_clear(A[k]);
  for (size_t j = 0; j < MV_N; j++) {
    mpfr_clear(x[j]);
    mpfr_clear(cg[j]);
  }
  mpfr_clear(cy);
  free(A);
  free(x);
  free(cg);
  for (int k = 0; k < 3; k++)
    free(prog[k]);
}

/* ---- issue 4: higher-order derivatives --------------------------------------- */

#define HO_PREC 256
#define HO_TAYLOR_TARGET 0.020   /* seconds for the 100th derivative */
#define HO_X0 "0.5"

static const char ho_gt[] =
  "input x = " HO_X0 "\n"
  "y = exp(sin(x)) / (1 + x^2)\n"
  "output y\n";

/* d^k/dx^k exp(sin(x)) / (1 + x^2) at 0.5, 70 digits, from mpmath at 800
   bits, twice: mpmath.taylor and the series recurrences of ho_series. */
static const char ho_ref100[] = "-1.19073849730604239755059273128503612619126"
                                "4510016247878849419988825601e+152";
static const char ho_ref10[] = "754733.5194487370918146928332390176222151216"
                               "46003500940945549957585265";

/* The K-th derivative of exp(sin(x)) / (1 + x^2) at x0 by hand, from
   Taylor coefficients in h = x - x0, O(K^2):
     s = sin(x0 + h):  s_k = sin^(k)(x0) / k!  (sin, cos, -sin, -cos)
     e = exp(s):       e_0 = exp s_0,  k e_k = sum_{j=1..k} j s_j e_{k-j}
     q = e / (d0 + d1 h + h^2), d0 = 1 + x0^2, d1 = 2 x0:
                       q_k = (e_k - d1 q_{k-1} - q_{k-2}) / d0
   and the derivative is K! q_K. */
static void
ho_series(mpfr_ptr out, int K, mpfr_prec_t prec)
{
  mpfr_t *s = malloc(((size_t)K + 1) * sizeof *s);
  mpfr_t *e = malloc(((size_t)K + 1) * sizeof *e);
  mpfr_t *q = malloc(((size_t)K + 1) * sizeof *q);
  if (s == NULL || e == NULL || q == NULL)
    out_of_memory();
  mpfr_t x0, sn, cs, d0, d1, t;
  mpfr_inits2(prec, x0, sn, cs, d0, d1, t, (mpfr_ptr)0);
  mpfr_set_str(x0, HO_X0, 10, MPFR_RNDN);
  mpfr_sin_cos(sn, cs, x0, MPFR_RNDN);
  mpfr_sqr(d0, x0, MPFR_RNDN);
  mpfr_add_ui(d0, d0, 1, MPFR_RNDN);
  mpfr_mul_2ui(d1, x0, 1, MPFR_RNDN);
  for (int k = 0; k <= K; k++) {
    mpfr_inits2(prec, s[k], e[k], q[k], (mpfr_ptr)0);
    /* s_k = s_{k-4} / ((k-3)(k-2)(k-1)k), from the 4-cycle */
    if (k < 4) {
      mpfr_set(s[k], k % 2 ? cs : sn, MPFR_RNDN);
      if (k >= 2)
        mpfr_neg(s[k], s[k], MPFR_RNDN);
      if (k == 3)
        mpfr_div_ui(s[k], s[k], 6, MPFR_RNDN);
      else if (k == 2)
        mpfr_div_2ui(s[k], s[k], 1, MPFR_RNDN);
    } else {
      mpfr_div_ui(s[k], s[k - 4], (unsigned long)k * (k - 1), MPFR_RNDN);
      mpfr_div_ui(s[k], s[k], (unsigned long)(k - 2) * (k - 3), MPFR_RNDN);
    }
    if (k == 0)
      mpfr_exp(e[0], s[0], MPFR_RNDN);
    else {
      mpfr_set_zero(e[k], 1);
      for (int j = 1; j <= k; j++) {
        mpfr_mul(t, s[j], e[k - j], MPFR_RNDN);
        mpfr_mul_ui(t, t, (unsigned long)j, MPFR_RNDN);
        mpfr_add(e[k], e[k], t, MPFR_RNDN);
      }
      mpfr_div_ui(e[k], e[k], (unsigned long)k, MPFR_RNDN);
    }
    mpfr_set(q[k], e[k], MPFR_RNDN);
    if (k >= 1) {
      mpfr_mul(t, d1, q[k - 1], MPFR_RNDN);
      mpfr_sub(q[k], q[k], t, MPFR_RNDN);
    }
    if (k >= 2)
      mpfr_sub(q[k], q[k], q[k - 2], MPFR_RNDN);
    mpfr_div(q[k], q[k], d0, MPFR_RNDN);
  }
  mpfr_fac_ui(t, (unsigned long)K, MPFR_RNDN);
  mpfr_mul(out, q[K], t, MPFR_RNDN);
  for (int k = 0; k <= K; k++)
    mpfr_clears(s[k], e[k], q[k], (mpfr_ptr)0);
  mpfr_clears(x0, sn, cs, d0, d1, t, (mpfr_ptr)0);
  free(s);
  free(e);
  free(q);
}

/* log2 of |a - ref| / |ref|, ref given as a decimal string (-inf when
   equal): about -prec when a is correct to its last bits. */
static double
rel_error_log2(mpfr_srcptr a, const char *ref)
{
  mpfr_t r, d;
  mpfr_inits2(2 * mpfr_get_prec(a) + 64, r, d, (mpfr_ptr)0);
  mpfr_set_str(r, ref, 10, MPFR_RNDN);
  mpfr_sub(d, a, r, MPFR_RNDN);
  mpfr_div(d, d, r, MPFR_RNDN);
  mpfr_abs(d, d, MPFR_RNDN);
  /* d is in [2^(e-1), 2^e) */
  double e = mpfr_zero_p(d) ? -HUGE_VAL
             : mpfr_number_p(d) ? (double)mpfr_get_exp(d) : HUGE_VAL;
  mpfr_clears(r, d, (mpfr_ptr)0);
  return e;
}

/* The reference values carry 70 digits, about 232 bits. */
#define HO_REF_BITS 225.0

static void
check_ho(const char *what, mpfr_srcptr v, const char *ref, int *ok)
{
  double e = rel_error_log2(v, ref);
  if (e > -HO_REF_BITS) {
    *ok = 0;
    char *m = gt_format_number(v, 40);
    fflush(stdout);
    fprintf(stderr, "bench: warning: %s: %s is off the reference %s "
            "(relative error 2^%.0f)\n", what, m ? m : "?", ref, e);
    free(m);
  }
}

/* (a) the 100th derivative through the API, Taylor mode. */
static void
report_taylor(long reps, long prec)
{
  (void)prec; /* the issue fixes 256 bits */
  const int K = 100;
  const char *wrt = "x";
  GtSession *s = load(ho_gt, HO_PREC);
  if (gt_session_run(s) != GT_OK)
    die_session(s, "gt_session_run");
  mpfr_t v, c;
  mpfr_inits2(HO_PREC, v, c, (mpfr_ptr)0);
  double t = 1e300, tc = 1e300;
  for (long r = 0; r < reps; r++) {
    const GtDeriv *d = NULL;
    size_t nd = 0;
    double t0 = now();
    if (gt_session_derivatives(s, NULL, 0, &wrt, 1, K, &d, &nd) != GT_OK)
      die_session(s, "gt_session_derivatives");
    t = min2(t, now() - t0);
    if (nd != 1 || d[0].value.size != 1)
      die_session(s, "the 100th derivative");
    mpfr_set(v, d[0].value.elems, MPFR_RNDN);
    t0 = now();
    ho_series(c, K, HO_PREC);
    tc = min2(tc, now() - t0);
  }
  int ok = 1;
  check_ho("taylor100", v, ho_ref100, &ok);
  char *m = gt_format_number(v, 30);
  printf("\nd^%d/dx^%d exp(sin(x))/(1+x^2) at x = %s, %d bits, "
         "gt_session_derivatives (Taylor mode)\n", K, K, HO_X0, HO_PREC);
  printf("  derivatives alone %8.3f ms; the same series by hand in MPFR C "
         "%.3f ms (gradtool/C %.1f)\n", t * 1e3, tc * 1e3, t / tc);
  printf("  value %s: %s the mpmath reference (70 digits), %.3g ulp from "
         "the C series\n", m ? m : "?", ok ? "agrees with" : "DISAGREES with",
         ulps(v, c));
  printf("%s  100th derivative < %.0f ms: %.3f ms\n",
         verdict(t < HO_TAYLOR_TARGET), HO_TAYLOR_TARGET * 1e3, t * 1e3);
  free(m);
  mpfr_clears(v, c, (mpfr_ptr)0);
  gt_session_free(s);
}

/* (b) the 10th derivative by 10 nested grad() against Taylor mode. */
static void
report_nested(long reps, long prec)
{
  (void)prec; /* 256 bits, as (a) */
  enum { K = 10 };
  char *nested, *inlang;
  size_t len;
  FILE *f = text_open(&nested, &len);
  fputs("input x = " HO_X0 "\ny = exp(sin(x)) / (1 + x^2)\n"
        "g1 = grad(y, x)\n", f);
  for (int k = 2; k <= K; k++)
    fprintf(f, "g%d = grad(g%d, x)\n", k, k - 1);
  fprintf(f, "output g%d\n", K);
  text_close(f, &nested);
  f = text_open(&inlang, &len);
  fprintf(f, "input x = " HO_X0 "\ny = exp(sin(x)) / (1 + x^2)\n"
          "g = grad(y, x, %d)\noutput g\n", K);
  text_close(f, &inlang);

  const char *wrt = "x";
  double tn = 1e300, tt = 1e300, tl = 1e300;
  size_t nodes = 0;
  mpfr_t vn, vt, vl;
  mpfr_inits2(HO_PREC, vn, vt, vl, (mpfr_ptr)0);
  for (long r = 0; r < reps; r++) {
    double run, der;
    const GtDeriv *d;
    size_t nd;
    GtSession *s = run_timed(nested, HO_PREC, NULL, 0, 0, &run, &der, &d,
                             &nd);
    tn = min2(tn, run);
    nodes = gt_session_tape_nodes(s);
    mpfr_set(vn, only_output(s, 1, "the nested grads"), MPFR_RNDN);
    gt_session_free(s);

    s = run_timed(ho_gt, HO_PREC, &wrt, 1, K, &run, &der, &d, &nd);
    tt = min2(tt, run + der);
    if (nd != 1 || d[0].value.size != 1)
      die_session(s, "the 10th derivative");
    mpfr_set(vt, d[0].value.elems, MPFR_RNDN);
    gt_session_free(s);

    s = run_timed(inlang, HO_PREC, NULL, 0, 0, &run, &der, &d, &nd);
    tl = min2(tl, run);
    mpfr_set(vl, only_output(s, 1, "grad(y, x, 10)"), MPFR_RNDN);
    gt_session_free(s);
  }
  int ok = 1;
  check_ho("nested grad", vn, ho_ref10, &ok);
  check_ho("--order 10", vt, ho_ref10, &ok);
  check_ho("grad(y, x, 10)", vl, ho_ref10, &ok);
  printf("\nd^%d/dx^%d exp(sin(x))/(1+x^2) at x = %s, %d bits\n", K, K, HO_X0,
         HO_PREC);
  printf("  nested: g1 = grad(y, x) ... g%d = grad(g%d, x), run %10.3f ms "
         "(%zu nodes)\n", K, K - 1, tn * 1e3, nodes);
  printf("  Taylor mode: run + gt_session_derivatives order %d %10.3f ms\n", K,
         tt * 1e3);
  printf("  Taylor mode in the language: g = grad(y, x, %d), run %7.3f ms\n",
         K, tl * 1e3);
  printf("  values: nested and Taylor %.3g ulp apart, Taylor and grad(y, x, "
         "%d) %.3g; %s with the mpmath reference\n", ulps(vn, vt), K,
         ulps(vt, vl), ok ? "all agree" : "NOT all agree");
  printf("INFO  nested/Taylor: %.1f\n", tn / tt);
  mpfr_clears(vn, vt, vl, (mpfr_ptr)0);
  free(nested);
  free(inlang);
}

/* (c) the Hessian of the extended Rosenbrock function of RB_N variables,
   f = sum_{i<RB_N/2} 100 (x[2i+1] - x[2i]^2)^2 + (1 - x[2i])^2, at
   x = [-1.2, 1, -1.2, 1, ...]. */
#define RB_N 100

/* kind 0: tensor operations, 1: a loop over indices, both on a vector x
   and with h = hessian(f, x); 2: RB_N scalar inputs x0..x99 and f alone,
   for --order 2 over all the names.  Malloc'd. */
static char *
rb_program(int kind)
{
  char *buf;
  size_t len;
  FILE *f = text_open(&buf, &len);
  fputs("# the extended Rosenbrock function\n", f);
  if (kind == 2) {
    for (int j = 0; j < RB_N; j++)
      fprintf(f, "input x%d = %s\n", j, j % 2 ? "1" : "-1.2");
    fputs("f = 0\n", f);
    for (int i = 0; i < RB_N / 2; i++)
      fprintf(f, "f += 100 * (x%d - x%d^2)^2 + (1 - x%d)^2\n", 2 * i + 1,
              2 * i, 2 * i);
    fputs("output f\n", f);
    return text_close(f, &buf);
  }
  fputs("input x = [", f);
  for (int j = 0; j < RB_N; j++)
    fprintf(f, "%s%s", j ? ", " : "", j % 2 ? "1" : "-1.2");
  fputs("]\n", f);
  if (kind == 0)
    fprintf(f, "X = reshape(x, %d, 2)\n"
            "a = X @ [1, 0]\n"
            "b = X @ [0, 1]\n"
            "f = sum(100 * (b - a^2)^2 + (1 - a)^2)\n", RB_N / 2);
  else
    fprintf(f, "f = 0\n"
            "for i in range(%d) {\n"
            "  a = x[2 * i]\n"
            "  b = x[2 * i + 1]\n"
            "  f += 100 * (b - a^2)^2 + (1 - a)^2\n"
            "}\n", RB_N / 2);
  fputs("h = hessian(f, x)\noutput h\n", f);
  return text_close(f, &buf);
}

/* The closed form: blocks [[1200 a^2 - 400 b + 2, -400 a], [-400 a, 200]]
   on the diagonal, 0 elsewhere; h (RB_N x RB_N, row-major). */
static void
rb_closed(mpfr_t *h, mpfr_prec_t prec)
{
  mpfr_t a, b, t;
  mpfr_inits2(prec, a, b, t, (mpfr_ptr)0);
  mpfr_set_str(a, "-1.2", 10, MPFR_RNDN);
  mpfr_set_str(b, "1", 10, MPFR_RNDN);
  for (size_t k = 0; k < (size_t)RB_N * RB_N; k++)
    mpfr_set_zero(h[k], 1);
  for (size_t i = 0; i < RB_N; i += 2) {
    mpfr_ptr aa = h[i * RB_N + i], ab = h[i * RB_N + i + 1],
             ba = h[(i + 1) * RB_N + i], bb = h[(i + 1) * RB_N + i + 1];
    mpfr_sqr(aa, a, MPFR_RNDN);
    mpfr_mul_ui(aa, aa, 1200, MPFR_RNDN);
    mpfr_mul_ui(t, b, 400, MPFR_RNDN);
    mpfr_sub(aa, aa, t, MPFR_RNDN);
    mpfr_add_ui(aa, aa, 2, MPFR_RNDN);
    mpfr_mul_si(ab, a, -400, MPFR_RNDN);
    mpfr_set(ba, ab, MPFR_RNDN);
    mpfr_set_ui(bb, 200, MPFR_RNDN);
  }
  mpfr_clears(a, b, t, (mpfr_ptr)0);
}

/* Largest ulp distance from the closed form over the entries, and how
   many entries that should be 0 are not. */
static double
rb_compare(mpfr_t *h, size_t (*get)(const void *, size_t, mpfr_srcptr *),
           const void *src, size_t *nonzero)
{
  double worst = 0;
  *nonzero = 0;
  for (size_t k = 0; k < (size_t)RB_N * RB_N; k++) {
    mpfr_srcptr v;
    if (get(src, k, &v) == 0)
      return HUGE_VAL;
    if (mpfr_zero_p(h[k])) {
      *nonzero += !mpfr_zero_p(v);
      continue;
    }
    double u = ulps(v, h[k]);
    if (u > worst)
      worst = u;
  }
  return worst;
}

/* Entry k of a row-major value. */
static size_t
get_value(const void *src, size_t k, mpfr_srcptr *v)
{
  const GtValue *val = src;
  if (val->size != (size_t)RB_N * RB_N)
    return 0;
  *v = &val->elems[k];
  return 1;
}

/* Entry k = RB_N i + j of the Hessian from the derivatives, which list
   each distinct mixed partial once (issue 10): wrt x<a>, x<b> with
   a = min(i, j) <= b = max(i, j), row by row of the upper triangle. */
typedef struct RbDerivs { const GtDeriv *d; size_t nd; } RbDerivs;
static size_t
get_deriv(const void *src, size_t k, mpfr_srcptr *v)
{
  const RbDerivs *r = src;
  size_t n = RB_N, i = k / n, j = k % n;
  size_t a = i < j ? i : j, b = i < j ? j : i;
  if (r->nd != n * (n + 1) / 2)
    return 0;
  /* rows 0..a-1 hold n, n-1, ..., n-a+1 entries */
  const GtDeriv *d = &r->d[a * n - (a * a - a) / 2 + (b - a)];
  if (d->order != 2 || d->value.size != 1
      || (size_t)atoi(d->wrt[0] + 1) != a
      || (size_t)atoi(d->wrt[1] + 1) != b)
    return 0;
  *v = d->value.elems;
  return 1;
}

static void
rb_check_line(const char *what, double worst, size_t nonzero)
{
  if (worst == HUGE_VAL)
    printf("  %s: WRONG shape or order of the entries\n", what);
  else if (worst == 0 && nonzero == 0)
    printf("  %s: equal to the closed form, every entry\n", what);
  else
    printf("  %s: at most %.3g ulp from the closed form; %zu entries "
           "that should be 0 are not\n", what, worst, nonzero);
  if (worst > 8 || nonzero > 0) {
    fflush(stdout);
    fprintf(stderr, "bench: warning: hessian: %s differs from the closed "
            "form\n", what);
  }
}

static void
report_hessian(long reps, long prec)
{
  char *prog[3];
  for (int k = 0; k < 3; k++)
    prog[k] = rb_program(k);
  mpfr_t *h = malloc((size_t)RB_N * RB_N * sizeof *h);
  if (h == NULL)
    out_of_memory();
  for (size_t k = 0; k < (size_t)RB_N * RB_N; k++)
    mpfr_init2(h[k], (mpfr_prec_t)prec);
  rb_closed(h, (mpfr_prec_t)prec);

  const char *names[RB_N];
  char namebuf[RB_N][8];
  for (int j = 0; j < RB_N; j++) {
    snprintf(namebuf[j], sizeof namebuf[j], "x%d", j);
    names[j] = namebuf[j];
  }
  double tt = 1e300, tl = 1e300, tapi = 1e300, tapi_run = 1e300;
  double wt = 0, wl = 0, wapi = 0;
  size_t zt = 0, zl = 0, zapi = 0, nodes_t = 0, nodes_l = 0;
  for (long r = 0; r < reps; r++) {
    double run, der;
    const GtDeriv *d;
    size_t nd;
    GtSession *s = run_timed(prog[0], prec, NULL, 0, 0, &run, &der, &d, &nd);
    tt = min2(tt, run);
    nodes_t = gt_session_tape_nodes(s);
    only_output(s, (size_t)RB_N * RB_N, "the Hessian (tensor ops)");
    GtValue v = gt_session_output_value(s, 0);
    wt = rb_compare(h, get_value, &v, &zt);
    gt_session_free(s);

    s = run_timed(prog[1], prec, NULL, 0, 0, &run, &der, &d, &nd);
    tl = min2(tl, run);
    nodes_l = gt_session_tape_nodes(s);
    only_output(s, (size_t)RB_N * RB_N, "the Hessian (loop)");
    v = gt_session_output_value(s, 0);
    wl = rb_compare(h, get_value, &v, &zl);
    gt_session_free(s);

    s = run_timed(prog[2], prec, names, RB_N, 2, &run, &der, &d, &nd);
    tapi_run = min2(tapi_run, run);
    tapi = min2(tapi, der);
    RbDerivs rd = { d, nd };
    wapi = rb_compare(h, get_deriv, &rd, &zapi);
    gt_session_free(s);
  }
  printf("\nHessian of the extended Rosenbrock function of %d variables, "
         "f = sum_{i<%d} 100 (x[2i+1] - x[2i]^2)^2\n  + (1 - x[2i])^2, at "
         "x = [-1.2, 1, -1.2, 1, ...], %ld bits\n", RB_N, RB_N / 2, prec);
  printf("  h = hessian(f, x), f by tensor ops (reshape, @, sum): run "
         "%8.2f ms (%zu nodes)\n", tt * 1e3, nodes_t);
  printf("  h = hessian(f, x), f by a loop over x[2 * i]:         run "
         "%8.2f ms (%zu nodes)\n", tl * 1e3, nodes_l);
  printf("  %d scalar inputs, gt_session_derivatives order 2 over the %d "
         "names (%d distinct entries):\n    %.2f ms (and the run before it "
         "%.2f ms)\n", RB_N, RB_N, RB_N * (RB_N + 1) / 2, tapi * 1e3,
         tapi_run * 1e3);
  rb_check_line("tensor ops", wt, zt);
  rb_check_line("loop", wl, zl);
  rb_check_line("--order 2", wapi, zapi);
  for (size_t k = 0; k < (size_t)RB_N * RB_N; k++)
    mpfr_clear(h[k]);
  free(h);
  for (int k = 0; k < 3; k++)
    free(prog[k]);
}

/* ---- growth with the number of names (issue 11) ---------------------------- */

/* Time per name must stay about constant from 10^4 to 10^6 names: a lookup
   that scans (quadratic in total) would make it 100 times larger. */
#define GROWTH_TARGET 5.0

/* A program with n distinct names.  kind 0: n variables v_k = x + k and
   their sum s = v_1 + ... + v_n (one left chain of n terms), the output;
   kind 1: n inputs v_k = k and y = v_1 + ... + v_n, differentiated with
   respect to all of them. */
static char *
names_program(int kind, long n)
{
  char *buf;
  size_t len;
  FILE *f = text_open(&buf, &len);
  if (kind == 0) {
    fputs("input x = 1\n", f);
    for (long k = 1; k <= n; k++)
      fprintf(f, "v%ld = x + %ld\n", k, k);
    fputs("s = v1", f);
  } else {
    for (long k = 1; k <= n; k++)
      fprintf(f, "input v%ld = %ld\n", k, k);
    fputs("y = v1", f);
  }
  for (long k = 2; k <= n; k++)
    fprintf(f, " + v%ld", k);
  fputs("\n", f);
  return text_close(f, &buf);
}

/* Load, run and first derivatives of names_program(kind, n); checks the
   value and the derivatives against the closed forms. */
static double
time_names(int kind, long n, long prec)
{
  char *text = names_program(kind, n);
  double t0 = cpu_now();
  const GtDeriv *d;
  size_t nd;
  double tr, td;
  GtSession *s = run_timed(text, prec, NULL, 0, 1, &tr, &td, &d, &nd);
  double t = cpu_now() - t0;
  /* kind 0: s = n x + n (n + 1) / 2 at x = 1, ds/dx = n;
     kind 1: y = n (n + 1) / 2, dy/dv_k = 1 */
  double want = (double)n * (double)(n + 1) / 2 + (kind == 0 ? (double)n : 0);
  int ok = gt_session_output_count(s) == 1
           && mpfr_cmp_d(gt_session_output_value(s, 0).elems, want) == 0
           && nd == (kind == 0 ? 1 : (size_t)n);
  for (size_t i = 0; ok && i < nd; i++)
    ok = d[i].connected
         && mpfr_cmp_si(d[i].value.elems, kind == 0 ? n : 1) == 0;
  if (!ok) {
    fprintf(stderr, "bench: names (%s, %ld): wrong value or derivatives\n",
            kind == 0 ? "variables" : "inputs", n);
    exit(1);
  }
  gt_session_free(s);
  free(text);
  return t;
}

static void
report_names(long reps, long prec)
{
  static const long sizes[] = { 10000, 100000, 1000000 };
  static const char *const what[] = { "variables+sum", "inputs+grad" };
  printf("\nnames (issue 11): load, run and gradient of a program with N "
         "distinct names,\n%ld bits, CPU time; time per name should not grow "
         "with N\n", prec);
  printf("%-14s %9s %10s %12s %8s\n", "program", "N", "cpu(s)",
         "us per name", "ratio");
  int ok = 1;
  for (int kind = 0; kind < 2; kind++) {
    double base = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
      long n = sizes[i];
      /* fewer repetitions for the big ones (seconds each), but as many
         as two so that every size gets a warm start */
      long r = n >= 100000 && reps > 2 ? 2 : reps;
      double best = 1e300;
      for (long k = 0; k < r; k++)
        best = min2(best, time_names(kind, n, prec));
      double per = best / (double)n * 1e6;
      if (i == 0)
        base = per;
      printf("%-14s %9ld %10.3f %12.2f %8.2f\n", what[kind], n, best, per,
             per / base);
      if (per / base > GROWTH_TARGET)
        ok = 0;
    }
  }
  printf("%s  time per name at 10^6 / at 10^4 <= %.0f\n", verdict(ok),
         GROWTH_TARGET);
}

/* ---- the scalar workloads' report ------------------------------------------ */

/* The add/mul and sin/exp/log workloads, those of run[]. */
static void
report_scalar(const int *run, long reps, long target_nodes, long prec)
{
  printf("values = gt_session_run; grad = run + first-order "
         "gt_session_derivatives wrt the input;\n"
         "mpfr-C = the same arithmetic written by hand with MPFR (nodes "
         "include one loop-counter\nnode per iteration, which the C loop "
         "does not compute); B/op = bytes per recorded node\n\n");

  Result res[NWORK];
  mpfr_t gv, cv;
  mpfr_inits2((mpfr_prec_t)prec, gv, cv, (mpfr_ptr)0);
  for (int w = 0; w < NWORK; w++) {
    const Workload *W = &workloads[w];
    Result *r = &res[w];
    if (!run[w])
      continue;
    long iters = target_nodes / W->nodes_per_iter;
    int len = snprintf(NULL, 0, W->program, iters);
    char *text = malloc((size_t)len + 1);
    if (text == NULL)
      out_of_memory();
    snprintf(text, (size_t)len + 1, W->program, iters);

    /* the memory run first, on a freshly reset peak; it also warms up */
    measure_memory(text, prec, r, gv, W->name);
    r->values = r->grad = r->by_hand = 1e300;
    for (long k = 0; k < reps; k++) {
      r->values = min2(r->values, measure_gt(text, prec, 0, gv, r, W->name));
      r->grad = min2(r->grad, measure_gt(text, prec, 1, gv, r, W->name));
      double t0 = now();
      W->by_hand(cv, iters, (mpfr_prec_t)prec);
      r->by_hand = min2(r->by_hand, now() - t0);
    }
    r->equal = mpfr_equal_p(gv, cv);
    if (!r->equal) {
      fflush(stdout);
      fprintf(stderr, "bench: warning: %s: gradtool and the C loop disagree:"
              "\n  gradtool ", W->name);
      mpfr_out_str(stderr, 10, 0, gv, MPFR_RNDN);
      fputs("\n  C        ", stderr);
      mpfr_out_str(stderr, 10, 0, cv, MPFR_RNDN);
      fputc('\n', stderr);
    }
    free(text);
  }
  mpfr_clears(gv, cv, (mpfr_ptr)0);

  printf("%-12s %8s %10s %9s %11s %10s %10s %10s %9s\n", "workload",
         "nodes", "values(ms)", "grad(ms)", "grad/values", "mpfr-C(ms)",
         "gradtool/C", "tape B/op", "peak B/op");
  int any_unreset = 0;
  for (int w = 0; w < NWORK; w++) {
    const Result *r = &res[w];
    if (!run[w])
      continue;
    char rss[32];
    if (r->rss_bytes < 0)
      snprintf(rss, sizeof rss, "n/a");
    else
      snprintf(rss, sizeof rss, "%.0f%s", r->rss_bytes,
               r->rss_reset ? "" : "*");
    any_unreset |= !r->rss_reset;
    printf("%-12s %8zu %10.1f %9.1f %11.2f %10.1f %10.2f %10.1f %9s\n",
           workloads[w].name, r->nodes, r->values * 1e3, r->grad * 1e3,
           r->grad / r->values, r->by_hand * 1e3, r->values / r->by_hand,
           r->tape_bytes, rss);
  }
  int all_equal = 1;
  for (int w = 0; w < NWORK; w++)
    if (run[w])
      all_equal &= res[w].equal;
  printf("%s\n", all_equal ? "gradtool and the C loops give bit-identical "
         "results" : "warning: gradtool and a C loop disagree (see above)");
  if (any_unreset)
    printf("* the peak RSS could not be reset between workloads: figures "
           "after the first are lower bounds\n");

  /* the targets, informational */
  printf("\n");
  int ok = 1;
  for (int w = 0; w < NWORK; w++)
    if (run[w])
      ok &= res[w].grad / res[w].values <= GRAD_TARGET;
  printf("%s  grad/values <= %.0f:", verdict(ok), GRAD_TARGET);
  const char *sep = "";
  for (int w = 0; w < NWORK; w++)
    if (run[w]) {
      printf("%s %s %.2f", sep, workloads[w].name,
             res[w].grad / res[w].values);
      sep = ",";
    }
  printf("\n");
  for (int w = 0; w < NWORK; w++) {
    if (!run[w])
      continue;
    double q = res[w].values / res[w].by_hand;
    printf("%s  gradtool/mpfr-C <= %.1f on %s: %.2f\n",
           verdict(q <= workloads[w].c_target), workloads[w].c_target,
           workloads[w].name, q);
  }
  double worst_tape = 0, worst_rss = 0;
  int rss_known = 1;
  for (int w = 0; w < NWORK; w++) {
    if (!run[w])
      continue;
    if (res[w].tape_bytes > worst_tape)
      worst_tape = res[w].tape_bytes;
    if (res[w].rss_bytes < 0)
      rss_known = 0;
    else if (res[w].rss_bytes > worst_rss)
      worst_rss = res[w].rss_bytes;
  }
  printf("%s  bytes per recorded operation < %.0f: tape %.1f",
         verdict(worst_tape < BYTES_TARGET
                 && (!rss_known || worst_rss < BYTES_TARGET)),
         BYTES_TARGET, worst_tape);
  if (rss_known)
    printf(", peak RSS %.1f", worst_rss);
  printf(" (worst workload)\n");
}

/* ---- main ------------------------------------------------------------------ */

static void
usage(void)
{
  fputs("usage: bench [-r REPS] [-n NODES] [-p PREC] [-w WORKLOAD]\n"
        "  -r REPS      repetitions per measurement, the best one counts (5)\n"
        "  -n NODES     recorded operations per workload, about (1000000)\n"
        "  -p PREC      working precision in bits (128)\n"
        "  -w WORKLOAD  only this workload: add/mul, sin/exp/log, batch,\n"
        "               matvec, taylor100, nested10, hessian or names\n",
        stderr);
  exit(2);
}

static long
number_arg(const char *s, long lo, long hi)
{
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < lo || v > hi)
    usage();
  return v;
}

/* ---- start-up (issue 13, item 1) -------------------------------------------- */

/* Seconds for one whole process: argv run with standard output on
   /dev/null; -1 when it cannot be started or fails. */
static double
spawn_time(char *const argv[])
{
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  extern char **environ;
  double t0 = now();
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return -1;
  int status;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)
      || WEXITSTATUS(status) != 0)
    return -1;
  return now() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The whole process of cli/gradtool -e 'y = 1' (target <= 10 ms), next
   to /bin/true, the cost of any process on this machine. */
static void
report_startup(long reps, long prec)
{
  (void)prec;
  const char *dir = getenv("top_builddir");
  char path[4096];
  snprintf(path, sizeof path, "%s/cli/gradtool", dir ? dir : ".");
  char *gt[] = { path, "-e", "y = 1", NULL };
  char *tr[] = { "/bin/true", NULL };
  enum { MAXN = 200 };
  long n = reps * 10 < MAXN ? reps * 10 : MAXN;
  double a[MAXN], b[MAXN];
  for (long i = 0; i < n; i++) {
    a[i] = spawn_time(gt);
    b[i] = spawn_time(tr);
    if (a[i] < 0) {
      printf("\nstart-up: %s could not be run (build it first)\n", path);
      return;
    }
  }
  qsort(a, (size_t)n, sizeof *a, cmp_double);
  qsort(b, (size_t)n, sizeof *b, cmp_double);
  printf("\nstart-up: gradtool -e 'y = 1', whole process, %ld runs: "
         "min %.2f ms, median %.2f ms (target <= 10 ms); /bin/true: "
         "median %.2f ms\n", n, a[0] * 1e3, a[n / 2] * 1e3, b[n / 2] * 1e3);
}

int
main(int argc, char **argv)
{
  long reps = 5, target_nodes = 1000000, prec = GT_DEFAULT_PREC;
  const char *only = NULL;
  int c;
  while ((c = getopt(argc, argv, "r:n:p:w:")) != -1) {
    switch (c) {
    case 'r': reps = number_arg(optarg, 1, 1000); break;
    case 'n': target_nodes = number_arg(optarg, 100, 40000000); break;
    case 'p': prec = number_arg(optarg, GT_PREC_MIN, 100000); break;
    case 'w': only = optarg; break;
    default: usage();
    }
  }
  if (optind != argc)
    usage();
  int run[NWORK], nrun = 0;
  for (int w = 0; w < NWORK; w++) {
    run[w] = only == NULL || strcmp(only, workloads[w].name) == 0;
    nrun += run[w];
  }
  int run_batch = only == NULL || strcmp(only, "batch") == 0;
  static const struct {
    const char *name;
    void (*report)(long reps, long prec);
  } others[] = {
    { "matvec", report_matvec },
    { "taylor100", report_taylor },
    { "nested10", report_nested },
    { "hessian", report_hessian },
    { "startup", report_startup },
    { "names", report_names },
  };
  enum { NOTHER = sizeof others / sizeof others[0] };
  int run_other[NOTHER], nother = 0;
  for (int w = 0; w < NOTHER; w++) {
    run_other[w] = only == NULL || strcmp(only, others[w].name) == 0;
    nother += run_other[w];
  }
  if (nrun == 0 && !run_batch && nother == 0)
    usage();

  printf("gradtool %s benchmark: MPFR %s, %ld bits, best of %ld runs\n",
         gt_version(), mpfr_get_version(), prec, reps);
  if (nrun > 0)
    report_scalar(run, reps, target_nodes, prec);
  if (run_batch)
    report_batch(reps);
  for (int w = 0; w < NOTHER; w++)
    if (run_other[w])
      others[w].report(reps, prec);
  return 0;
}
