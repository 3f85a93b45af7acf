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
 * Each time is the minimum over several repetitions (-r), because the
 * machines are shared.  The figures are informational: the program exits
 * 0 unless something fails.
 * Usage: bench [-r REPS] [-n NODES] [-p PREC] [-w WORKLOAD]
 * (-w runs one workload only, e.g. under perf or callgrind).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clock_gettime, getrusage, malloc_trim */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
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

/* ---- main ------------------------------------------------------------------ */

static void
usage(void)
{
  fputs("usage: bench [-r REPS] [-n NODES] [-p PREC] [-w WORKLOAD]\n"
        "  -r REPS      repetitions per measurement, the best one counts (5)\n"
        "  -n NODES     recorded operations per workload, about (1000000)\n"
        "  -p PREC      working precision in bits (128)\n"
        "  -w WORKLOAD  only this workload (add/mul, sin/exp/log or batch)\n",
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
  if (nrun == 0 && !run_batch)
    usage();

  printf("gradtool %s benchmark: MPFR %s, %ld bits, best of %ld runs\n",
         gt_version(), mpfr_get_version(), prec, reps);
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
    if (text == NULL) {
      fputs("bench: out of memory\n", stderr);
      return 1;
    }
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
  if (run_batch)
    report_batch(reps);
  return 0;
}
