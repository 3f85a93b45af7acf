/* verify.c -- checking derivatives: --check against a hand-derived
 * expression, --fd-check against finite differences, and the precision
 * --verified reruns at.
 *
 * --check NAME=EXPR compares d(output)/d(NAME) (the K-th derivative with
 * --order K) with EXPR, a program text whose free names are the program's
 * inputs, at the --at point or at --samples random points of the --range
 * boxes.  Both sides are replayed at each point (gt_session_replay), so a
 * thousand samples cost little more than a thousand forward passes.
 *
 * --fd-check differentiates numerically at 2p + 64 bits: central
 * differences (a product of them for mixed partials) at steps
 * h_l = s 2^-(k+l), l = 0..5, extrapolated by Richardson in h^2, for a
 * few starting exponents k; the result with the smallest error estimate
 * wins.  s is |x| (1 at x = 0), so steps are relative.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define RND MPFR_RNDN

long
verified_prec(long prec)
{
  long p = 2 * prec + 32;
  return p > GT_PREC_MAX ? GT_PREC_MAX : p;
}

static long
fd_prec(long prec)
{
  long p = 2 * prec + 64;
  return p > GT_PREC_MAX ? GT_PREC_MAX : p;
}

/* decimal digits of the working precision */
static int
prec_digits(long prec)
{
  return (int)floor((double)prec * 0.30102999566398120);
}

int
fd_threshold(long prec)
{
  int d = prec_digits(prec) / 2;
  return d < 1 ? 1 : d;
}

/* The first error message the session holds (for "undefined" points). */
static char *
first_error(GtSession *s)
{
  for (size_t i = 0; i < gt_session_diag_count(s); i++) {
    const GtDiag *d = gt_session_diag(s, i);
    if (d->severity == GT_SEV_ERROR) {
      char *t = strdup(d->message);
      if (t == NULL)
        out_of_memory();
      return t;
    }
  }
  char *t = strdup("the run failed");
  if (t == NULL)
    out_of_memory();
  return t;
}

/* Evaluates constant language text (a --range bound) at precision prec. */
static GtStatus
eval_const(const char *text, long prec, mpfr_ptr out, const char *what)
{
  GtOptions opt;
  gt_options_init(&opt);
  opt.prec = prec;
  GtSession *s = gt_session_new(&opt);
  if (s == NULL)
    out_of_memory();
  GtLoadOptions lo = { NULL, 0, "value" };
  GtStatus st = gt_session_load_ex(s, what, text, strlen(text), &lo);
  if (st == GT_OK)
    st = gt_session_run(s);
  if (st == GT_OK && gt_session_output_count(s) != 1) {
    fprintf(stderr, "%s: %s: '%s' is not an expression\n", program_name,
            what, text);
    st = GT_EUSAGE;
  }
  if (st == GT_OK)
    mpfr_set(out, gt_session_output_value(s, 0).elems, RND);
  else
    report(s, 0, st);
  gt_session_free(s);
  return st;
}

/* ---- pseudo-random points: xoshiro256** seeded by splitmix64 --------------- */

typedef struct Rng {
  uint64_t s[4];
} Rng;

static uint64_t
splitmix64(uint64_t *x)
{
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void
rng_seed(Rng *r, uint64_t seed)
{
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(Rng *r)
{
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/* ---- --check ----------------------------------------------------------------- */

typedef struct Check {
  const char *name;       /* differentiate with respect to this */
  const char *expr;       /* the hand-derived expression */
  GtSession *cs;          /* EXPR loaded as a program */
  unsigned long agree, disagree, undefined;
  char *fail_point, *fail_ad, *fail_ex, *fail_diff, *label;
  char *undef_point, *undef_why;
} Check;

/* "x = 1.5, n = 6": every input of the run */
static char *
point_text(GtSession *s)
{
  size_t cap = 64, len = 0;
  char *t = malloc(cap);
  if (t == NULL)
    out_of_memory();
  t[0] = '\0';
  for (size_t i = 0; i < gt_session_input_count(s); i++) {
    GtValue v = gt_session_input_value(s, i);
    if (v.size == 0)
      continue;
    char *num = number_text(v.elems, 0);
    const char *name = gt_session_input_name(s, i);
    size_t need = len + strlen(name) + strlen(num) + 8;
    if (need > cap) {
      cap = need * 2;
      char *u = realloc(t, cap);
      if (u == NULL)
        out_of_memory();
      t = u;
    }
    len += (size_t)sprintf(t + len, "%s%s = %s", len ? ", " : "", name, num);
    free(num);
  }
  return t;
}

static void
undefined(Check *k, const char *point, GtSession *from)
{
  k->undefined++;
  if (k->undef_point == NULL) {
    k->undef_point = strdup(point);
    if (k->undef_point == NULL)
      out_of_memory();
    k->undef_why = from ? first_error(from) : strdup("the value is NaN");
  }
}

/* Runs the check expression at the run's input values: 0, or -1 when it
   is undefined there, or a status to exit with. */
static int
eval_check(Check *k, GtSession *s, long prec, mpfr_ptr out)
{
  size_t n = gt_session_input_count(k->cs);
  const char **names = calloc(n + 1, sizeof *names);
  mpfr_srcptr *vals = calloc(n + 1, sizeof *vals);
  if (names == NULL || vals == NULL)
    out_of_memory();
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    const char *name = gt_session_input_name(k->cs, i);
    long j = input_index(s, name);
    if (j < 0)
      continue;
    GtValue v = gt_session_input_value(s, (size_t)j);
    if (v.size == 0)
      continue;
    names[m] = name;
    vals[m++] = v.elems;
  }
  GtStatus st = gt_session_replay(k->cs, names, vals, m);
  free(names);
  free(vals);
  if (st == GT_EUSAGE || st == GT_ESYNTAX) {
    report(k->cs, 0, st);
    return (int)st;
  }
  if (st != GT_OK)
    return -1;
  if (gt_session_output_count(k->cs) != 1) {
    fprintf(stderr, "%s: --check %s=%s: the expression has no value\n",
            program_name, k->name, k->expr);
    return GT_EUSAGE;
  }
  (void)prec;
  if (gt_session_output_value(k->cs, 0).size == 0)
    return -1; /* an empty tensor: no element to compare */
  mpfr_set(out, gt_session_output_value(k->cs, 0).elems, RND);
  return 0;
}

static void
check_free(Check *k)
{
  gt_session_free(k->cs);
  free(k->fail_point);
  free(k->fail_ad);
  free(k->fail_ex);
  free(k->fail_diff);
  free(k->label);
  free(k->undef_point);
  free(k->undef_why);
}

int
run_check(Cli *c, GtSession *s)
{
  long prec = c->opt.prec;
  int rc = 0;
  size_t nr = c->ranges.n, nc = c->checks.n;
  const char **rnames = calloc(nr + 1, sizeof *rnames);
  mpfr_t *lo = calloc(nr + 1, sizeof *lo), *hi = calloc(nr + 1, sizeof *hi);
  mpfr_t *val = calloc(nr + 1, sizeof *val);
  mpfr_srcptr *vptr = calloc(nr + 1, sizeof *vptr);
  Check *ck = calloc(nc + 1, sizeof *ck);
  if (!rnames || !lo || !hi || !val || !vptr || !ck)
    out_of_memory();
  for (size_t i = 0; i < nr; i++) {
    mpfr_inits2((mpfr_prec_t)prec, lo[i], hi[i], val[i], (mpfr_ptr)0);
    vptr[i] = val[i];
  }
  mpfr_t ad, ex, diff, tol, t;
  mpfr_inits2((mpfr_prec_t)prec, ad, ex, diff, tol, t, (mpfr_ptr)0);

  /* the ranges: NAME=LO:HI, bounds in the language (-pi:pi) */
  for (size_t i = 0; i < nr && rc == 0; i++) {
    char *spec = c->ranges.v[i], *eq = strchr(spec, '=');
    char *colon = strchr(eq + 1, ':');
    *eq = '\0';
    rnames[i] = spec;
    if (input_index(s, spec) < 0) {
      fprintf(stderr, "%s: --range: the program has no input named '%s'\n"
              "Try '%s --help' for more information.\n", program_name, spec,
              program_name);
      rc = GT_EUSAGE;
      break;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(rnames[j], spec) == 0) {
        fprintf(stderr, "%s: --range: '%s' is given twice\n", program_name,
                spec);
        rc = GT_EUSAGE;
      }
    *colon = '\0';
    GtStatus st = eval_const(eq + 1, prec, lo[i], "<range>");
    if (st == GT_OK)
      st = eval_const(colon + 1, prec, hi[i], "<range>");
    *colon = ':';
    if (st != GT_OK)
      rc = (int)st;
    else if (!mpfr_number_p(lo[i]) || !mpfr_number_p(hi[i])
             || mpfr_cmp(lo[i], hi[i]) > 0) {
      fprintf(stderr, "%s: --range %s=%s: expected finite bounds LO <= HI\n",
              program_name, spec, colon - eq > 0 ? eq + 1 : "");
      rc = GT_EUSAGE;
    }
  }
  unsigned long samples = c->samples ? c->samples : nr ? 100 : 1;
  if (rc == 0 && c->samples && nr == 0) {
    usage_error("--samples needs --range for at least one input");
  }
  /* the tolerance: relative, 2^-(p/2) unless --tol */
  if (rc == 0) {
    if (c->tol) {
      char *end;
      if (mpfr_strtofr(tol, c->tol, &end, 10, RND) , *end != '\0'
          || end == c->tol || !(mpfr_sgn(tol) > 0) || !mpfr_number_p(tol))
        usage_error("--tol: expected a positive number, not '%s'", c->tol);
    } else {
      mpfr_set_ui(tol, 1, RND);
      mpfr_div_2si(tol, tol, prec / 2, RND);
    }
  }
  /* the checks: EXPR is a program whose free names are the inputs */
  const char **inames = calloc(gt_session_input_count(s) + 1,
                               sizeof *inames);
  if (inames == NULL)
    out_of_memory();
  for (size_t i = 0; i < gt_session_input_count(s); i++)
    inames[i] = gt_session_input_name(s, i);
  for (size_t i = 0; i < nc && rc == 0; i++) {
    char *spec = c->checks.v[i], *eq = strchr(spec, '=');
    *eq = '\0';
    ck[i].name = spec;
    ck[i].expr = eq + 1;
    GtOptions opt = c->opt;
    ck[i].cs = gt_session_new(&opt);
    if (ck[i].cs == NULL)
      out_of_memory();
    GtLoadOptions lopt = { inames, gt_session_input_count(s), "__check" };
    GtStatus st = gt_session_load_ex(ck[i].cs, "<check>", ck[i].expr,
                                     strlen(ck[i].expr), &lopt);
    if (st != GT_OK) {
      report(ck[i].cs, c->quiet, st);
      rc = (int)st;
    }
  }
  if (c->of.n > 1 && rc == 0)
    usage_error("--check compares one output; --of names %zu", c->of.n);

  Rng rng;
  rng_seed(&rng, (uint64_t)c->seed);
  const char *of = c->of.n ? c->of.v[0] : NULL;
  for (unsigned long p = 0; p < samples && rc == 0; p++) {
    for (size_t i = 0; i < nr; i++) {
      /* LO + (HI - LO) u, u uniform in [0, 1) with 53 random bits */
      mpfr_set_ui(t, (unsigned long)(rng_next(&rng) >> 11), RND);
      mpfr_div_2ui(t, t, 53, RND);
      mpfr_sub(val[i], hi[i], lo[i], RND);
      mpfr_mul(val[i], val[i], t, RND);
      mpfr_add(val[i], val[i], lo[i], RND);
      /* 12 significant digits: a point that prints short and that
         --at reproduces exactly */
      if (mpfr_number_p(val[i]) && !mpfr_zero_p(val[i])) {
        char *txt = number_text(val[i], 12);
        mpfr_set_str(val[i], txt, 10, RND);
        free(txt);
      }
    }
    /* the point, for messages: the sampled inputs (or the --at point) */
    char *pt = NULL;
    {
      size_t len = 32;
      for (size_t i = 0; i < nr; i++)
        len += strlen(rnames[i]) + 64 + (size_t)prec / 3;
      pt = malloc(len);
      if (pt == NULL)
        out_of_memory();
      strcpy(pt, nr ? "" : "the --at point");
      for (size_t i = 0; i < nr; i++) {
        char *num = number_text(val[i], 0);
        sprintf(pt + strlen(pt), "%s%s = %s", i ? ", " : "", rnames[i], num);
        free(num);
      }
    }
    GtStatus st = gt_session_replay(s, rnames, vptr, nr);
    if (st == GT_EUSAGE || st == GT_ESYNTAX) {
      report(s, c->quiet, st);
      rc = (int)st;
      free(pt);
      break;
    }
    if (st == GT_OK && of == NULL) {
      if (gt_session_output_count(s) != 1) {
        fprintf(stderr, "%s: --check compares one output, and the program "
                "has %zu; choose one with --of\n", program_name,
                gt_session_output_count(s));
        rc = GT_EUSAGE;
        free(pt);
        break;
      }
      of = gt_session_output_name(s, 0);
    }
    for (size_t i = 0; i < nc; i++) {
      Check *k = &ck[i];
      if (st != GT_OK) {
        undefined(k, pt, s);
        continue;
      }
      const GtDeriv *ds;
      size_t nd;
      const char *w = k->name;
      GtStatus dst = gt_session_derivatives(s, &of, 1, &w, 1, c->order, &ds,
                                            &nd);
      if (dst == GT_EUSAGE) {
        report(s, c->quiet, dst);
        rc = (int)dst;
        break;
      }
      if (dst != GT_OK || nd != 1) {
        undefined(k, pt, s);
        gt_session_clear_diags(s);
        continue;
      }
      if (k->label == NULL)
        k->label = deriv_label(&ds[0]);
      if (ds[0].value.size == 0) {
        /* with respect to an empty tensor: no element to compare */
        undefined(k, pt, NULL);
        if (k->undefined == 1) {
          free(k->undef_why);
          k->undef_why = strdup("the derivative is an empty tensor");
        }
        continue;
      }
      mpfr_set(ad, ds[0].value.elems, RND);
      int e = eval_check(k, s, prec, ex);
      if (e > 0) {
        rc = e;
        break;
      }
      if (e < 0) {
        undefined(k, pt, k->cs);
        gt_session_clear_diags(k->cs);
        continue;
      }
      gt_session_clear_diags(k->cs);
      if (mpfr_nan_p(ad) || mpfr_nan_p(ex)) {
        undefined(k, pt, NULL);
        continue;
      }
      /* agree: |ad - ex| <= tol max(|ad|, |ex|); equal infinities agree */
      int ok;
      if (mpfr_inf_p(ad) || mpfr_inf_p(ex)) {
        ok = mpfr_equal_p(ad, ex);
        mpfr_sub(diff, ex, ad, RND);
      } else {
        mpfr_sub(diff, ex, ad, RND);
        mpfr_abs(t, ad, RND);
        if (mpfr_cmpabs(ex, t) > 0)
          mpfr_abs(t, ex, RND);
        mpfr_mul(t, t, tol, RND);
        ok = mpfr_cmpabs(diff, t) <= 0;
      }
      if (ok)
        k->agree++;
      else {
        if (k->disagree++ == 0) {
          k->fail_point = point_text(s);
          k->fail_ad = number_text(ad, 0);
          k->fail_ex = number_text(ex, 0);
          k->fail_diff = number_text(diff, 0);
        }
      }
    }
    gt_session_clear_diags(s);
    free(pt);
  }

  /* the verdicts */
  int failed = 0;
  for (size_t i = 0; i < nc && rc == 0; i++) {
    Check *k = &ck[i];
    char fallback[256];
    snprintf(fallback, sizeof fallback, "d%s/d%s", of ? of : "(output)",
             k->name);
    const char *label = k->label ? k->label : fallback;
    unsigned long defined = k->agree + k->disagree;
    if (k->disagree) {
      failed = 1;
      printf("check %s = %s: DISAGREES at %lu of %lu point%s\n", label,
             k->expr, k->disagree, samples, samples == 1 ? "" : "s");
      size_t wl = strlen(label) > strlen(k->expr) ? strlen(label)
                                                 : strlen(k->expr);
      if (wl < 10)
        wl = 10;
      printf("  first at %s:\n", k->fail_point);
      printf("    %-*s = %s\n", (int)wl, label, k->fail_ad);
      printf("    %-*s = %s\n", (int)wl, k->expr, k->fail_ex);
      printf("    %-*s = %s\n", (int)wl, "difference", k->fail_diff);
    } else if (defined == 0) {
      failed = 1;
      printf("check %s = %s: UNDEFINED at every point (%lu)\n", label,
             k->expr, samples);
    } else {
      char *tt = number_text(tol, 2);
      printf("check %s = %s: agrees at %lu of %lu point%s (relative "
             "tolerance %s)\n", label, k->expr, k->agree, samples,
             samples == 1 ? "" : "s", tt);
      free(tt);
    }
    if (k->undefined)
      printf("  undefined at %lu point%s, the first at %s: %s\n",
             k->undefined, k->undefined == 1 ? "" : "s", k->undef_point,
             k->undef_why);
  }
  if (rc == 0 && failed)
    rc = GT_EASSERT;

  for (size_t i = 0; i < nc; i++)
    check_free(&ck[i]);
  for (size_t i = 0; i < nr; i++)
    mpfr_clears(lo[i], hi[i], val[i], (mpfr_ptr)0);
  mpfr_clears(ad, ex, diff, tol, t, (mpfr_ptr)0);
  /* the range specs were cut at '=': mend them */
  for (size_t i = 0; i < nr; i++)
    if (rnames[i])
      c->ranges.v[i][strlen(c->ranges.v[i])] = '=';
  for (size_t i = 0; i < nc; i++)
    if (ck[i].name)
      c->checks.v[i][strlen(c->checks.v[i])] = '=';
  free(inames);
  free(rnames);
  free(lo);
  free(hi);
  free(val);
  free(vptr);
  free(ck);
  return rc;
}

/* ---- --fd-check ---------------------------------------------------------------- */

enum { FD_LEVELS = 6 };

/* f at base + sum of the signed steps; 0, or -1 when the run fails */
static int
fd_eval(GtSession *f, const char **names, mpfr_ptr *pt, size_t n,
        size_t out, mpfr_ptr y)
{
  GtStatus st = gt_session_replay(f, names, (mpfr_srcptr const *)pt, n);
  gt_session_clear_diags(f);
  if (st != GT_OK || out >= gt_session_output_count(f))
    return -1;
  mpfr_set(y, gt_session_output_value(f, out).elems, RND);
  return mpfr_number_p(y) ? 0 : -1;
}

/* One Richardson table from steps s_j 2^-(k+l): est and its error
   estimate err; -1 when an evaluation fails. */
static int
fd_richardson(GtSession *f, const char **names, mpfr_ptr *base,
              mpfr_ptr *pt, size_t n, size_t out, const size_t *wi,
              int K, mpfr_ptr *scale, long k, mpfr_ptr est, mpfr_ptr err,
              mpfr_prec_t P)
{
  mpfr_t T[FD_LEVELS][FD_LEVELS], y, sum, h, den;
  mpfr_inits2(P, y, sum, h, den, (mpfr_ptr)0);
  for (int i = 0; i < FD_LEVELS; i++)
    for (int j = 0; j < FD_LEVELS; j++)
      mpfr_init2(T[i][j], P);
  int rc = 0;
  for (int l = 0; l < FD_LEVELS && rc == 0; l++) {
    mpfr_set_zero(sum, 1);
    /* sum over sign patterns of prod(sign) f(x + sum sign_m h_m e_m) */
    for (unsigned long mask = 0; mask < (1UL << K) && rc == 0; mask++) {
      for (size_t j = 0; j < n; j++)
        mpfr_set(pt[j], base[j], RND);
      int neg = 0;
      for (int m = 0; m < K; m++) {
        int minus = (mask >> m) & 1;
        neg ^= minus;
        mpfr_mul_2si(h, scale[m], -(k + l), RND);
        if (minus)
          mpfr_sub(pt[wi[m]], pt[wi[m]], h, RND);
        else
          mpfr_add(pt[wi[m]], pt[wi[m]], h, RND);
      }
      if (fd_eval(f, names, pt, n, out, y) != 0)
        rc = -1;
      else if (neg)
        mpfr_sub(sum, sum, y, RND);
      else
        mpfr_add(sum, sum, y, RND);
    }
    /* divided by prod(2 h_m) */
    mpfr_set_ui(den, 1, RND);
    for (int m = 0; m < K; m++) {
      mpfr_mul_2si(h, scale[m], -(k + l) + 1, RND);
      mpfr_mul(den, den, h, RND);
    }
    mpfr_div(T[l][0], sum, den, RND);
    /* T[l][j] = T[l][j-1] + (T[l][j-1] - T[l-1][j-1]) / (4^j - 1) */
    for (int j = 1; j <= l; j++) {
      mpfr_sub(y, T[l][j - 1], T[l - 1][j - 1], RND);
      mpfr_div_ui(y, y, (1UL << (2 * j)) - 1, RND);
      mpfr_add(T[l][j], T[l][j - 1], y, RND);
    }
  }
  if (rc == 0) {
    int L = FD_LEVELS - 1;
    mpfr_set(est, T[L][L], RND);
    mpfr_sub(err, T[L][L], T[L - 1][L - 1], RND);
    mpfr_abs(err, err, RND);
  }
  for (int i = 0; i < FD_LEVELS; i++)
    for (int j = 0; j < FD_LEVELS; j++)
      mpfr_clear(T[i][j]);
  mpfr_clears(y, sum, h, den, (mpfr_ptr)0);
  return rc;
}

/* decimal digits d with |a - b| <= 10^-d scale, clipped to [0, cap] */
static int
agreeing_digits(mpfr_srcptr a, mpfr_srcptr b, mpfr_srcptr scale, int cap,
                mpfr_prec_t P)
{
  mpfr_t d;
  mpfr_init2(d, P);
  mpfr_sub(d, a, b, RND);
  mpfr_abs(d, d, RND);
  int digits = cap;
  if (!mpfr_zero_p(d) && !mpfr_zero_p(scale)) {
    mpfr_div(d, d, scale, RND);
    mpfr_log10(d, d, RND);
    double v = -mpfr_get_d(d, RND);
    digits = v >= cap ? cap : v <= 0 ? 0 : (int)floor(v);
  } else if (!mpfr_zero_p(d))
    digits = 0;
  mpfr_clear(d);
  return digits;
}

int
fd_check(const Cli *c, GtSession *s, const GtDeriv *ds, size_t nd,
         int *digits, const char **why)
{
  long prec = c->opt.prec;
  mpfr_prec_t P = (mpfr_prec_t)fd_prec(prec);
  int threshold = fd_threshold(prec), cap = prec_digits(prec), bad = 0;
  int kink = 0;
  for (size_t i = 0; i < gt_session_diag_count(s); i++)
    kink |= gt_session_diag(s, i)->severity == GT_SEV_NOTE;
  GtStatus st;
  GtSession *f = open_session(c, (long)P, &st);
  size_t n = gt_session_input_count(s);
  const char **names = calloc(n + 1, sizeof *names);
  mpfr_ptr *base = calloc(n + 1, sizeof *base), *pt = calloc(n + 1,
                                                              sizeof *pt);
  if (!names || !base || !pt)
    out_of_memory();
  size_t m = 0;
  int tensors = 0;
  for (size_t i = 0; i < n; i++) {
    GtValue v = gt_session_input_value(s, i);
    if (v.size == 0)
      continue;
    tensors |= v.rank != 0;
    names[m] = gt_session_input_name(s, i);
    base[m] = malloc(sizeof(__mpfr_struct));
    pt[m] = malloc(sizeof(__mpfr_struct));
    if (!base[m] || !pt[m])
      out_of_memory();
    mpfr_init2(base[m], P);
    mpfr_init2(pt[m], P);
    mpfr_set(base[m], v.elems, RND);
    m++;
  }
  mpfr_t est, err, best, besterr, sc, f0;
  mpfr_inits2(P, est, err, best, besterr, sc, f0, (mpfr_ptr)0);
  for (size_t i = 0; i < nd; i++) {
    const GtDeriv *d = &ds[i];
    digits[i] = -1;
    if (f == NULL) {
      why[i] = "the program fails at the higher precision";
      continue;
    }
    if (!d->connected) {
      why[i] = "not connected: 0 exactly";
      continue;
    }
    if (tensors || d->value.rank != 0) {
      why[i] = "tensors are not checked yet";
      continue;
    }
    if (!mpfr_number_p(d->value.elems)) {
      why[i] = "not a finite number";
      continue;
    }
    if (kink) {
      why[i] = "the point is at a kink";
      continue;
    }
    if (strstr(c->text, "stop_gradient") != NULL) {
      why[i] = "the program uses stop_gradient";
      continue;
    }
    /* the output, among f's, and the inputs differentiated */
    size_t out = (size_t)-1;
    for (size_t o = 0; o < gt_session_output_count(s); o++)
      if (strcmp(gt_session_output_name(s, o), d->of) == 0)
        out = o;
    if (out == (size_t)-1) {
      why[i] = "not an output";
      continue;
    }
    if (gt_session_output_value(s, out).rank != 0) {
      /* the derivative is that of the sum of the elements */
      why[i] = "tensors are not checked yet";
      continue;
    }
    size_t *wi = calloc((size_t)d->order + 1, sizeof *wi);
    mpfr_ptr *scale = calloc((size_t)d->order + 1, sizeof *scale);
    if (wi == NULL || scale == NULL)
      out_of_memory();
    int ok = d->order <= 8;
    if (!ok)
      why[i] = "the order is too high for finite differences";
    for (int k = 0; k < d->order && ok; k++) {
      size_t j = 0;
      while (j < m && strcmp(names[j], d->wrt[k]) != 0)
        j++;
      if (j == m) {
        ok = 0;
        why[i] = "differentiated with respect to a variable, not an input";
        break;
      }
      wi[k] = j;
      scale[k] = malloc(sizeof(__mpfr_struct));
      if (scale[k] == NULL)
        out_of_memory();
      mpfr_init2(scale[k], P);
      mpfr_abs(scale[k], base[j], RND);
      if (mpfr_zero_p(scale[k]) || !mpfr_number_p(scale[k]))
        mpfr_set_ui(scale[k], 1, RND);
    }
    if (ok) {
      /* starting exponents: coarse to fine, while rounding at P bits
         stays far below the working precision */
      static const long ks[] = { 2, 4, 7, 10, 14, 19, 25, 32, 40, 50, 62,
                                 76, 92, 110 };
      /* The best estimate is the one with the smallest Richardson error;
         a second estimate from another starting step must agree with it
         (at a jump or a one-sided branch they never do). */
      int found = 0, confirmed = 0;
      mpfr_t goal, spread;
      mpfr_inits2(P, goal, spread, (mpfr_ptr)0);
      mpfr_set_inf(spread, 1);
      for (size_t q = 0; q < sizeof ks / sizeof *ks && !confirmed; q++) {
        long k = ks[q];
        if ((long)d->order * (k + FD_LEVELS) > (long)P - prec - 16)
          break;
        if (fd_richardson(f, names, base, pt, m, out, wi, d->order, scale, k,
                          est, err, P) != 0)
          continue;
        if (found) {
          /* how far this estimate is from the best so far */
          mpfr_sub(sc, est, best, RND);
          mpfr_abs(sc, sc, RND);
          if (mpfr_cmp(sc, spread) < 0)
            mpfr_set(spread, sc, RND);
        }
        if (!found || mpfr_cmp(err, besterr) < 0) {
          if (found) {
            mpfr_sub(sc, est, best, RND);
            mpfr_abs(spread, sc, RND);
          }
          mpfr_set(best, est, RND);
          mpfr_set(besterr, err, RND);
        }
        found = 1;
        /* done when the best and another estimate agree far below the
           working precision */
        mpfr_abs(goal, best, RND);
        mpfr_mul_2si(goal, goal, -(prec + 8), RND);
        confirmed = mpfr_cmp(besterr, goal) <= 0 && mpfr_cmp(spread, goal) <= 0;
      }
      if (found && mpfr_cmp(spread, besterr) > 0)
        mpfr_set(besterr, spread, RND);
      mpfr_clears(goal, spread, (mpfr_ptr)0);
      if (!found) {
        why[i] = "the program fails or is not finite near the point";
      } else {
        /* the scale: the larger derivative, or, when both are near 0,
           the output's size per unit step */
        mpfr_abs(sc, best, RND);
        if (mpfr_cmpabs(d->value.elems, sc) > 0)
          mpfr_abs(sc, d->value.elems, RND);
        if (fd_eval(f, names, base, m, out, f0) == 0) {
          mpfr_abs(f0, f0, RND);
          for (int k = 0; k < d->order; k++)
            mpfr_div(f0, f0, scale[k], RND);
          mpfr_mul_2si(f0, f0, -(prec / 2), RND);
          if (mpfr_cmp(f0, sc) > 0)
            mpfr_set(sc, f0, RND);
        }
        int dg = agreeing_digits(d->value.elems, best, sc, cap, P);
        if (dg < threshold) {
          /* finite differences whose own error estimate is as large as
             the disagreement did not converge: they cannot judge */
          mpfr_t diff;
          mpfr_init2(diff, P);
          mpfr_sub(diff, d->value.elems, best, RND);
          int unconverged = mpfr_cmpabs(besterr, diff) >= 0;
          mpfr_clear(diff);
          if (unconverged) {
            why[i] = "finite differences do not converge here";
            dg = -1;
          } else
            bad++;
        }
        digits[i] = dg;
      }
    }
    for (int k = 0; k < d->order; k++)
      if (scale[k]) {
        mpfr_clear(scale[k]);
        free(scale[k]);
      }
    free(scale);
    free(wi);
  }
  mpfr_clears(est, err, best, besterr, sc, f0, (mpfr_ptr)0);
  for (size_t j = 0; j < m; j++) {
    mpfr_clear(base[j]);
    mpfr_clear(pt[j]);
    free(base[j]);
    free(pt[j]);
  }
  free(base);
  free(pt);
  free(names);
  gt_session_free(f);
  return bad;
}
