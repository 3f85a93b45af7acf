/* verify.c -- checking derivatives: --check against a hand-derived
 * expression, --fd-check against finite differences, and the precision
 * --verified reruns at.
 *
 * --check NAME=EXPR compares d(output)/d(NAME) (the K-th derivative with
 * --order K) with EXPR, a program text whose free names are the program's
 * inputs, at the --at point or at --samples random points of the --range
 * boxes.  Both sides are replayed at each point (gt_session_replay), so a
 * thousand samples cost little more than a thousand forward passes.
 * With --enclose both sides are enclosed in ball arithmetic instead
 * (gt_session_enclose on the session that runs the program and then
 * EXPR) and compared as intervals: disjoint is PROVEN WRONG, overlapping
 * consistent.
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

/* ---- values, points and elements as text and JSON ----------------------------- */

enum { SHOW_ELEMS = 100 }; /* a tensor with more elements is elided */
enum { MAX_RANK = 8 };      /* the library's largest rank */

static void
buf_num(Buf *b, mpfr_srcptr x)
{
  char *t = number_text(x, 0);
  buf_adds(b, t);
  free(t);
}

/* "scalar" or "[2, 3]" */
static void
shape_text(Buf *b, const GtValue *v)
{
  if (v->rank == 0) {
    buf_adds(b, "scalar");
    return;
  }
  buf_adds(b, "[");
  for (int d = 0; d < v->rank; d++) {
    char t[32];
    snprintf(t, sizeof t, "%s%zu", d ? ", " : "", v->dims[d]);
    buf_adds(b, t);
  }
  buf_adds(b, "]");
}

/* A value in full, or a tensor of more than SHOW_ELEMS elements elided:
   "[1, 2, 3, 4, 5, ..., 600] (shape [20, 30], row-major)" */
static void
value_text(Buf *b, const GtValue *v)
{
  if (v->rank == 0) {
    buf_num(b, v->elems);
    return;
  }
  if (v->size <= SHOW_ELEMS) {
    char *t = gt_format_value(v, 0);
    if (t == NULL)
      out_of_memory();
    buf_adds(b, t);
    free(t);
    return;
  }
  buf_adds(b, "[");
  for (size_t k = 0; k < 5; k++) {
    buf_num(b, &v->elems[k]);
    buf_adds(b, ", ");
  }
  buf_adds(b, "..., ");
  buf_num(b, &v->elems[v->size - 1]);
  buf_adds(b, "] (shape ");
  shape_text(b, v);
  buf_adds(b, ", row-major)");
}

/* The point: every input the run set, by name. */
typedef struct Point {
  size_t n;
  const char **names;
  GtValue *vals;
} Point;

static void
point_free(Point *p)
{
  free(p->names);
  free(p->vals);
  p->names = NULL;
  p->vals = NULL;
  p->n = 0;
}

/* The inputs of s's last run (those whose input statement ran). */
static void
point_of_run(Point *p, GtSession *s)
{
  size_t n = gt_session_input_count(s);
  p->names = calloc(n + 1, sizeof *p->names);
  p->vals = calloc(n + 1, sizeof *p->vals);
  if (p->names == NULL || p->vals == NULL)
    out_of_memory();
  p->n = 0;
  for (size_t i = 0; i < n; i++) {
    GtValue v = gt_session_input_value(s, i);
    if (v.rank == 0 && v.size == 0)
      continue; /* did not run */
    p->names[p->n] = gt_session_input_name(s, i);
    p->vals[p->n++] = v;
  }
}

/* The point as text, "x = 1.5, p = [1, 2]", or with json as
   {"x": 1.5, "p": [1, 2]}. */
static char *
point_str(const Point *p, int json)
{
  Buf b = { NULL, 0, 0 };
  buf_adds(&b, json ? "{" : "");
  for (size_t i = 0; i < p->n; i++) {
    buf_adds(&b, i ? ", " : "");
    if (json)
      json_add_string(&b, p->names[i]);
    else
      buf_adds(&b, p->names[i]);
    buf_adds(&b, json ? ": " : " = ");
    if (json)
      json_add_value(&b, &p->vals[i], 0);
    else
      value_text(&b, &p->vals[i]);
  }
  if (json)
    buf_adds(&b, "}");
  return b.s;
}

/* Element k (row-major) of a value of v's shape: "[0,1]" or, with json,
   "[0, 1]"; "" and "[]" for a scalar. */
static char *
element_text(const GtValue *v, size_t k, int json)
{
  Buf b = { NULL, 0, 0 };
  size_t idx[MAX_RANK];
  buf_adds(&b, "");
  if (v->rank == 0 && !json)
    return b.s;
  for (int d = v->rank - 1; d >= 0; d--) {
    idx[d] = v->dims[d] ? k % v->dims[d] : 0;
    k = v->dims[d] ? k / v->dims[d] : 0;
  }
  buf_adds(&b, "[");
  for (int d = 0; d < v->rank; d++) {
    char t[32];
    snprintf(t, sizeof t, "%s%zu", d ? (json ? ", " : ",") : "", idx[d]);
    buf_adds(&b, t);
  }
  buf_adds(&b, "]");
  return b.s;
}

/* ---- --check ----------------------------------------------------------------- */

/* The name EXPR's value is bound to, after the program's own statements. */
static const char check_result[] = "__check";

typedef struct Check {
  const char *spec;       /* the option's text, as given */
  char *head;             /* [OUT:]NAMES, a copy */
  const char *of;         /* the output (NULL: --of's or the only one) */
  const char **wrt;       /* the names as written: x, or x,y */
  size_t nwrt;
  const char **uniq;      /* the distinct names, for the library */
  size_t nuniq;
  int order;
  const char *expr;       /* the hand-derived expression */
  GtSession *cs;          /* the program, then EXPR bound to check_result */
  unsigned expr_line;     /* EXPR's first line in cs's text */
  char *label;
  unsigned long agree, disagree, undefined;
  /* the element with the largest relative error over every point */
  int have_worst;
  mpfr_t worst;
  char *w_point, *w_point_json, *w_elem, *w_elem_json;
  char *w_ad, *w_ex, *w_diff;
  /* the first point where a side is undefined */
  char *u_point, *u_point_json, *u_why;
  /* --enclose: the element shown, the disjoint pair farthest apart
     (shown_wrong) or else the widest overlapping one: the bounds of the
     derivative and of the expression, dlo, dhi, elo, ehi, and its score
     (their gap or their union's width, relative to their magnitude) */
  int have_shown, shown_wrong;
  mpfr_t shown[5];
} Check;

/* Frees the texts of the worst element so far. */
static void
worst_texts_free(Check *k)
{
  free(k->w_point);
  free(k->w_point_json);
  free(k->w_elem);
  free(k->w_elem_json);
  free(k->w_ad);
  free(k->w_ex);
  free(k->w_diff);
}

static void
check_free(Check *k)
{
  gt_session_free(k->cs);
  free(k->head);
  free(k->wrt);
  free(k->uniq);
  free(k->label);
  if (k->have_worst)
    mpfr_clear(k->worst);
  worst_texts_free(k);
  free(k->u_point);
  free(k->u_point_json);
  free(k->u_why);
  if (k->have_shown)
    for (int i = 0; i < 5; i++)
      mpfr_clear(k->shown[i]);
}

/* Splits spec "[OUT:]NAME[,NAME]...=EXPR" into k; a malformed one is a
   usage error. */
static void
check_parse(Check *k, const char *spec, int order)
{
  const char *eq = strchr(spec, '=');
  k->spec = spec;
  if (eq == NULL)
    usage_error("--check: expected [OUT:]NAME=EXPR, not '%s'", spec);
  k->expr = eq + 1;
  k->head = malloc((size_t)(eq - spec) + 1);
  if (k->head == NULL)
    out_of_memory();
  memcpy(k->head, spec, (size_t)(eq - spec));
  k->head[eq - spec] = '\0';
  char *names = k->head, *colon = strchr(k->head, ':');
  if (colon) {
    *colon = '\0';
    if (!is_name(k->head, strlen(k->head)))
      usage_error("--check: '%s' is not an output name (in '%s')", k->head,
                  spec);
    k->of = k->head;
    names = colon + 1;
  }
  size_t n = 1;
  for (const char *p = names; *p; p++)
    n += *p == ',';
  k->wrt = calloc(n + 1, sizeof *k->wrt);
  k->uniq = calloc(n + 1, sizeof *k->uniq);
  if (k->wrt == NULL || k->uniq == NULL)
    out_of_memory();
  for (char *p = names;;) {
    char *c = strchr(p, ',');
    if (c)
      *c = '\0';
    if (!is_name(p, strlen(p)))
      usage_error("--check: expected [OUT:]NAME=EXPR or NAME,NAME=EXPR, "
                  "not '%s'", spec);
    k->wrt[k->nwrt++] = p;
    size_t j = 0;
    while (j < k->nuniq && strcmp(k->uniq[j], p) != 0)
      j++;
    if (j == k->nuniq)
      k->uniq[k->nuniq++] = p;
    if (c == NULL)
      break;
    p = c + 1;
  }
  k->order = order;
  if (k->nwrt > 1 && (int)k->nwrt != order)
    usage_error("--check %s: a partial in %zu names needs --order %zu",
                spec, k->nwrt, k->nwrt);
}

void
check_implicit(Cli *c)
{
  for (size_t i = 0; i < c->checks.n; i++) {
    Check k;
    memset(&k, 0, sizeof k);
    check_parse(&k, c->checks.v[i], c->order);
    for (size_t j = 0; j < k.nuniq; j++)
      names_add(&c->implicit, k.uniq[j], strlen(k.uniq[j]));
    free(k.head);
    free(k.wrt);
    free(k.uniq);
  }
}

/* The first error message the session holds (for "undefined" points). */
static char *
first_error(GtSession *s)
{
  for (size_t i = 0; i < gt_session_diag_count(s); i++) {
    const GtDiag *d = gt_session_diag(s, i);
    if (d->severity == GT_SEV_ERROR)
      return xstrdup(d->message);
  }
  return xstrdup("the run failed");
}

/* Prints cs's errors and warnings, the lines of EXPR located in
   "<check>", and drops them. */
static void
report_check(const Check *k, const Cli *c)
{
  GtSession *cs = k->cs;
  for (size_t i = 0; i < gt_session_diag_count(cs); i++) {
    GtDiag d = *gt_session_diag(cs, i);
    if (d.severity == GT_SEV_NOTE)
      continue;
    if (d.line == 0 && d.file == NULL) {
      fprintf(stderr, "%s: %s%s\n", program_name,
              d.severity == GT_SEV_ERROR ? "" : "warning: ", d.message);
      continue;
    }
    if (d.file != NULL && strcmp(d.file, c->file) == 0
        && d.line >= k->expr_line) {
      d.file = "<check>";
      d.line -= k->expr_line - 1;
    }
    char *text = gt_diag_format(&d);
    if (text == NULL)
      out_of_memory();
    fputs(text, stderr);
    free(text);
  }
  gt_session_clear_diags(cs);
}

/* Loads the program followed by EXPR into k->cs. */
static GtStatus
check_load(Check *k, const Cli *c)
{
  GtOptions opt = c->opt;
  opt.print = NULL; /* the program's print() ran once already */
  k->cs = gt_session_new(&opt);
  if (k->cs == NULL)
    out_of_memory();
  size_t el = strlen(k->expr);
  char *text = malloc(c->len + el + 3);
  if (text == NULL)
    out_of_memory();
  memcpy(text, c->text, c->len);
  text[c->len] = '\n';
  memcpy(text + c->len + 1, k->expr, el);
  text[c->len + 1 + el] = '\n';
  k->expr_line = 2;
  for (size_t i = 0; i < c->len; i++)
    k->expr_line += c->text[i] == '\n';
  GtLoadOptions lo = { (const char *const *)c->implicit.v, c->implicit.n,
                       check_result };
  GtStatus st = gt_session_load_ex(k->cs, c->file, text, c->len + el + 2,
                                   &lo);
  free(text);
  for (size_t i = 0; i < c->at.n && st == GT_OK; i++) {
    char *eq = strchr(c->at.v[i], '=');
    *eq = '\0';
    st = gt_session_set_input(k->cs, c->at.v[i], eq + 1);
    *eq = '=';
  }
  if (st != GT_OK)
    report_check(k, c);
  return st;
}

/* Runs the check session at the inputs of s's run: 0 with *out set, -1
   when EXPR is undefined there, or a status to exit with. */
static int
eval_check(Check *k, const Cli *c, GtSession *s, GtValue *out)
{
  GtSession *cs = k->cs;
  for (size_t i = 0; i < gt_session_input_count(cs); i++) {
    const char *name = gt_session_input_name(cs, i);
    long j = input_index(s, name);
    if (j < 0)
      continue;
    GtValue v = gt_session_input_value(s, (size_t)j);
    if (v.rank == 0 && v.size == 0)
      continue;
    if (gt_session_set_input_tensor(cs, name, &v) != GT_OK) {
      report_check(k, c);
      return GT_ERUNTIME;
    }
  }
  GtStatus st = gt_session_replay(cs, NULL, NULL, 0);
  if (st == GT_EUSAGE || st == GT_ESYNTAX) {
    report_check(k, c);
    return (int)st;
  }
  if (st != GT_OK)
    return -1;
  for (size_t i = 0; i < gt_session_global_count(cs); i++)
    if (strcmp(gt_session_global_name(cs, i), check_result) == 0
        && gt_session_global_value(cs, i, out))
      return 0;
  fprintf(stderr, "%s: --check %s: the expression has no value\n",
          program_name, k->spec);
  return GT_EUSAGE;
}

static void
undefined(Check *k, const Point *pt, const char *fallback, char *why)
{
  k->undefined++;
  if (k->u_why == NULL) {
    k->u_point = pt ? point_str(pt, 0) : xstrdup(fallback);
    k->u_point_json = pt ? point_str(pt, 1) : xstrdup("null");
    k->u_why = why;
  } else
    free(why);
}

/* rel = |ex - ad| / max(|ad|, |ex|), 0 when both are 0 or equal
   infinities, +inf when one side is infinite and the other not. */
static void
relative_error(mpfr_ptr rel, mpfr_srcptr ad, mpfr_srcptr ex, mpfr_ptr t)
{
  if (mpfr_inf_p(ad) || mpfr_inf_p(ex)) {
    if (mpfr_equal_p(ad, ex))
      mpfr_set_zero(rel, 1);
    else
      mpfr_set_inf(rel, 1);
    return;
  }
  mpfr_sub(rel, ex, ad, RND);
  mpfr_abs(rel, rel, RND);
  if (mpfr_zero_p(rel))
    return;
  mpfr_abs(t, ad, RND);
  if (mpfr_cmpabs(ex, t) > 0)
    mpfr_abs(t, ex, RND);
  mpfr_div(rel, rel, t, RND);
}

static int
same_shape(const GtValue *a, const GtValue *b)
{
  if (a->rank != b->rank)
    return 0;
  for (int d = 0; d < a->rank; d++)
    if (a->dims[d] != b->dims[d])
      return 0;
  return 1;
}

/* The usage error of an expression E whose shape is not derivative D's. */
static int
shape_error(const Check *k, const GtValue *D, const GtValue *E)
{
  Buf b = { NULL, 0, 0 };
  buf_adds(&b, "");
  if (E->rank == 0)
    buf_adds(&b, "the expression is a scalar");
  else {
    buf_adds(&b, "the expression has shape ");
    shape_text(&b, E);
  }
  buf_adds(&b, ", but ");
  buf_adds(&b, k->label);
  if (D->rank == 0)
    buf_adds(&b, " is a scalar");
  else {
    buf_adds(&b, " has shape ");
    shape_text(&b, D);
  }
  fprintf(stderr, "%s: --check %s: %s\nTry '%s --help' for more "
          "information.\n", program_name, k->spec, b.s, program_name);
  free(b.s);
  return GT_EUSAGE;
}

/* Compares derivative D with EXPR's value E at one point; a status to
   exit with, or 0. */
static int
compare(Check *k, const Point *pt, const GtValue *D, const GtValue *E,
        mpfr_srcptr tol, long prec)
{
  if (!same_shape(D, E))
    return shape_error(k, D, E);
  mpfr_t rel, t, big;
  mpfr_inits2((mpfr_prec_t)prec, rel, t, big, (mpfr_ptr)0);
  size_t worst = 0;
  int nan = 0, bad = 0;
  mpfr_set_zero(big, 1);
  for (size_t e = 0; e < D->size; e++) {
    mpfr_srcptr ad = &D->elems[e], ex = &E->elems[e];
    if (mpfr_nan_p(ad) || mpfr_nan_p(ex)) {
      char *el = element_text(D, e, 0);
      char why[160];
      snprintf(why, sizeof why, "%s%s is NaN", mpfr_nan_p(ad) ? k->label
               : "the expression", el);
      free(el);
      undefined(k, pt, "", xstrdup(why));
      nan = 1;
      break;
    }
    relative_error(rel, ad, ex, t);
    if (mpfr_cmp(rel, tol) > 0)
      bad = 1;
    if (e == 0 || mpfr_cmp(rel, big) > 0) {
      mpfr_set(big, rel, RND);
      worst = e;
    }
  }
  if (!nan) {
    if (bad)
      k->disagree++;
    else
      k->agree++;
    if (D->size > 0 && (!k->have_worst || mpfr_cmp(big, k->worst) > 0)) {
      if (!k->have_worst) {
        mpfr_init2(k->worst, (mpfr_prec_t)prec);
        k->have_worst = 1;
      }
      mpfr_set(k->worst, big, RND);
      worst_texts_free(k);
      k->w_point = point_str(pt, 0);
      k->w_point_json = point_str(pt, 1);
      k->w_elem = element_text(D, worst, 0);
      k->w_elem_json = element_text(D, worst, 1);
      k->w_ad = number_text(&D->elems[worst], 0);
      k->w_ex = number_text(&E->elems[worst], 0);
      mpfr_sub(t, &E->elems[worst], &D->elems[worst], RND);
      k->w_diff = number_text(t, 0);
    }
  }
  mpfr_clears(rel, t, big, (mpfr_ptr)0);
  return 0;
}

/* --enclose: compares the enclosures of the derivative, D, and of the
   expression, E, at one point.  The point is PROVEN WRONG when the two
   intervals of some element are disjoint: the exact derivative and the
   exact value of the expression differ there (by at least the gap).
   Else it is consistent: every pair overlaps, and this precision cannot
   tell the two apart.  The element kept for the verdict is the disjoint
   pair farthest apart relative to its magnitude, or when there is none
   the pair whose union is the widest relative to it (the one proven
   least).  A status to exit with, or 0. */
static int
compare_enclosed(Check *k, const Point *pt, const GtEnclosure *D,
                 const GtEnclosure *E, long prec)
{
  if (!same_shape(&D->lo, &E->lo))
    return shape_error(k, &D->lo, &E->lo);
  mpfr_t score, t, m;
  mpfr_inits2(64, score, t, m, (mpfr_ptr)0);
  int wrong = 0, have = 0;
  size_t best = 0;
  for (size_t e = 0; e < D->lo.size; e++) {
    mpfr_srcptr b[4] = { &D->lo.elems[e], &D->hi.elems[e], &E->lo.elems[e],
                         &E->hi.elems[e] };
    int below = mpfr_less_p(b[1], b[2]), above = mpfr_less_p(b[3], b[0]);
    int dis = below || above;
    if (wrong && !dis)
      continue;
    if (below)
      mpfr_sub(t, b[2], b[1], MPFR_RNDD);      /* the gap */
    else if (above)
      mpfr_sub(t, b[0], b[3], MPFR_RNDD);
    else                                         /* the union's width */
      mpfr_sub(t, mpfr_less_p(b[1], b[3]) ? b[3] : b[1],
               mpfr_less_p(b[0], b[2]) ? b[0] : b[2], MPFR_RNDU);
    mpfr_set_zero(m, 1);
    for (int i = 0; i < 4; i++)
      if (mpfr_cmpabs(b[i], m) > 0)
        mpfr_abs(m, b[i], MPFR_RNDN);
    if (!mpfr_zero_p(m) && mpfr_number_p(m))
      mpfr_div(t, t, m, MPFR_RNDN);
    if (dis && !wrong) {
      wrong = 1;
      have = 0;
    }
    if (!have || mpfr_greater_p(t, score)) {
      mpfr_set(score, t, MPFR_RNDN);
      best = e;
      have = 1;
    }
  }
  if (wrong)
    k->disagree++;
  else
    k->agree++;
  if (have && (!k->have_shown || (wrong && !k->shown_wrong)
               || (wrong == k->shown_wrong
                   && mpfr_greater_p(score, k->shown[4])))) {
    if (!k->have_shown) {
      for (int i = 0; i < 5; i++)
        mpfr_init2(k->shown[i], (mpfr_prec_t)prec);
      k->have_shown = 1;
    }
    k->shown_wrong = wrong;
    mpfr_set(k->shown[0], &D->lo.elems[best], MPFR_RNDD);
    mpfr_set(k->shown[1], &D->hi.elems[best], MPFR_RNDU);
    mpfr_set(k->shown[2], &E->lo.elems[best], MPFR_RNDD);
    mpfr_set(k->shown[3], &E->hi.elems[best], MPFR_RNDU);
    mpfr_set(k->shown[4], score, MPFR_RNDN);
    worst_texts_free(k);
    k->w_ad = k->w_ex = k->w_diff = NULL;
    k->w_point = point_str(pt, 0);
    k->w_point_json = point_str(pt, 1);
    k->w_elem = element_text(&D->lo, best, 0);
    k->w_elem_json = element_text(&D->lo, best, 1);
  }
  mpfr_clears(score, t, m, (mpfr_ptr)0);
  return 0;
}

/* "5.4e-20", "1e-06" */
static char *
short_text(mpfr_srcptr x, int digits)
{
  char *t = NULL;
  if (mpfr_asprintf(&t, "%.*Rg", digits, x) < 0 || t == NULL)
    out_of_memory();
  char *u = xstrdup(t);
  mpfr_free_str(t);
  return u;
}

static void
verdict_text(const Check *k, unsigned long points, mpfr_srcptr tol)
{
  unsigned long defined = k->agree + k->disagree;
  if (k->disagree) {
    printf("check %s = %s: DISAGREES at %lu of %lu point%s\n", k->label,
           k->expr, k->disagree, points, points == 1 ? "" : "s");
    char *rel = short_text(k->worst, 3);
    char *dl = malloc(strlen(k->label) + strlen(k->w_elem) + 1);
    char *el = malloc(strlen("expression") + strlen(k->w_elem) + 1);
    if (dl == NULL || el == NULL)
      out_of_memory();
    sprintf(dl, "%s%s", k->label, k->w_elem);
    sprintf(el, "expression%s", k->w_elem);
    int w = (int)strlen(dl);
    if ((int)strlen(el) > w)
      w = (int)strlen(el);
    printf("  worst (relative error %s) at %s%s%s:\n", rel, k->w_point,
           *k->w_elem ? ", element " : "", k->w_elem);
    printf("    %-*s = %s\n", w, dl, k->w_ad);
    printf("    %-*s = %s\n", w, el, k->w_ex);
    printf("    %-*s = %s\n", w, "difference", k->w_diff);
    free(rel);
    free(dl);
    free(el);
  } else if (points == 0) {
    printf("check %s = %s: not checked (no points)\n", k->label, k->expr);
  } else if (defined == 0) {
    printf("check %s = %s: UNDEFINED at every point (%lu)\n", k->label,
           k->expr, points);
  } else {
    char *tt = short_text(tol, 2);
    printf("check %s = %s: agrees at %lu of %lu point%s (relative "
           "tolerance %s)\n", k->label, k->expr, k->agree, points,
           points == 1 ? "" : "s", tt);
    free(tt);
  }
  if (k->undefined)
    printf("  undefined at %lu point%s, the first at %s: %s\n",
           k->undefined, k->undefined == 1 ? "" : "s", k->u_point,
           k->u_why);
}

/* The gap between the shown disjoint pair, rounded down to 3 digits: a
   proven lower bound of the difference's magnitude. */
static char *
gap_text(const Check *k)
{
  mpfr_t g;
  mpfr_init2(g, 64);
  if (mpfr_less_p(k->shown[1], k->shown[2]))
    mpfr_sub(g, k->shown[2], k->shown[1], MPFR_RNDD);
  else
    mpfr_sub(g, k->shown[0], k->shown[3], MPFR_RNDD);
  char *t = gt_format_bound(g, 3, 0);
  mpfr_clear(g);
  if (t == NULL)
    out_of_memory();
  return t;
}

/* Decimal text a (up: b) rounded to d digits, a < b as numbers? */
static int
printed_apart(mpfr_srcptr a, mpfr_srcptr b, long d)
{
  char *ta = gt_format_bound(a, d, 1), *tb = gt_format_bound(b, d, 0);
  if (ta == NULL || tb == NULL)
    out_of_memory();
  mpfr_t x, y;
  /* two decimals of d digits differ by 10^-d relatively at least: far
     more than the rounding at 4d + 64 bits */
  mpfr_inits2((mpfr_prec_t)(4 * d + 64), x, y, (mpfr_ptr)0);
  mpfr_set_str(x, ta, 10, MPFR_RNDN);
  mpfr_set_str(y, tb, 10, MPFR_RNDN);
  int apart = mpfr_less_p(x, y);
  mpfr_clears(x, y, (mpfr_ptr)0);
  free(ta);
  free(tb);
  return apart;
}

/* The digits that print the shown pair: --digits or the digits that show
   each width, and for a disjoint pair enough that the printed intervals
   stay disjoint too (the bounds are rounded outwards). */
static long
shown_digits(const Cli *c, const Check *k)
{
  long d = c->digits;
  if (d == 0) {
    long a = gt_enclosure_digits(k->shown[0], k->shown[1], c->opt.prec);
    long b = gt_enclosure_digits(k->shown[2], k->shown[3], c->opt.prec);
    d = a > b ? a : b;
  }
  if (!k->shown_wrong)
    return d;
  int below = mpfr_less_p(k->shown[1], k->shown[2]);
  mpfr_srcptr lo = below ? k->shown[1] : k->shown[3];
  mpfr_srcptr hi = below ? k->shown[2] : k->shown[0];
  long most = (long)((double)c->opt.prec * 0.30103) + 10;
  while (d < most && !printed_apart(lo, hi, d))
    d++;
  return d;
}

/* --enclose: the shown pair's lines, after the verdict line. */
static void
shown_text(const Check *k, const Cli *c, unsigned long points)
{
  long d = shown_digits(c, k);
  char *di = interval_text(c, k->shown[0], k->shown[1],
                           k->shown_wrong || c->digits ? d : 0, 0);
  char *ei = interval_text(c, k->shown[2], k->shown[3],
                           k->shown_wrong || c->digits ? d : 0, 0);
  char *dl = malloc(strlen(k->label) + strlen(k->w_elem) + 1);
  char *el = malloc(strlen("expression") + strlen(k->w_elem) + 1);
  if (dl == NULL || el == NULL)
    out_of_memory();
  sprintf(dl, "%s%s", k->label, k->w_elem);
  sprintf(el, "expression%s", k->w_elem);
  int w = (int)strlen(dl);
  if ((int)strlen(el) > w)
    w = (int)strlen(el);
  printf("  %s%s%s%s:\n", points == 1 ? "at "
         : k->shown_wrong ? "the widest gap at " : "the widest overlap at ",
         k->w_point, *k->w_elem ? ", element " : "", k->w_elem);
  printf("    %-*s in %s\n", w, dl, di);
  printf("    %-*s in %s\n", w, el, ei);
  if (k->shown_wrong) {
    char *g = gap_text(k);
    printf("    they are at least %s apart\n", g);
    free(g);
  }
  free(di);
  free(ei);
  free(dl);
  free(el);
}

/* --enclose: the verdict of check k. */
static void
verdict_text_enclosed(const Check *k, const Cli *c, unsigned long points)
{
  unsigned long defined = k->agree + k->disagree;
  if (k->disagree)
    printf("check %s = %s: PROVEN WRONG at %lu of %lu point%s\n", k->label,
           k->expr, k->disagree, points, points == 1 ? "" : "s");
  else if (points == 0)
    printf("check %s = %s: not checked (no points)\n", k->label, k->expr);
  else if (defined == 0)
    printf("check %s = %s: UNDEFINED at every point (%lu)\n", k->label,
           k->expr, points);
  else
    printf("check %s = %s: consistent at %lu of %lu point%s (the "
           "enclosures overlap)\n", k->label, k->expr, k->agree, points,
           points == 1 ? "" : "s");
  if (k->have_shown)
    shown_text(k, c, points);
  if (k->undefined)
    printf("  undefined at %lu point%s, the first at %s: %s\n",
           k->undefined, k->undefined == 1 ? "" : "s", k->u_point,
           k->u_why);
}

/* The start of check k's JSON object, up to the verdict's key: the
   output, the names, the expression. */
static void
verdict_json_head(Buf *b, const Check *k, const char *of)
{
  buf_adds(b, "{\"of\": ");
  if (of)
    json_add_string(b, of);
  else
    buf_adds(b, "null");
  buf_adds(b, ", \"wrt\": [");
  for (int i = 0; i < k->order; i++) {
    buf_adds(b, i ? ", " : "");
    json_add_string(b, k->wrt[k->nwrt == 1 ? 0 : i]);
  }
  buf_adds(b, "], \"expression\": ");
  json_add_string(b, k->expr);
  buf_adds(b, ", \"verdict\": ");
}

/* The end of check k's JSON object: the first undefined point. */
static void
verdict_json_tail(Buf *b, const Check *k)
{
  buf_adds(b, ",\n    \"first_undefined\": ");
  if (k->u_why) {
    buf_adds(b, "{\"point\": ");
    buf_adds(b, k->u_point_json);
    buf_adds(b, ", \"reason\": ");
    json_add_string(b, k->u_why);
    buf_adds(b, "}");
  } else
    buf_adds(b, "null");
  buf_adds(b, "}");
}

/* --enclose: the JSON object of check k. */
static void
verdict_json_enclosed(Buf *b, const Check *k, const Cli *c)
{
  verdict_json_head(b, k, k->of);
  buf_adds(b, k->disagree ? "\"proven_wrong\""
              : k->agree ? "\"consistent\"" : "\"undefined\"");
  char t[160];
  snprintf(t, sizeof t, ", \"proven_wrong\": %lu, \"consistent\": %lu, "
           "\"undefined\": %lu", k->disagree, k->agree, k->undefined);
  buf_adds(b, t);
  buf_adds(b, ",\n    \"worst\": ");
  if (k->have_shown) {
    long d = shown_digits(c, k);
    char *di = interval_text(c, k->shown[0], k->shown[1],
                             k->shown_wrong || c->digits ? d : 0, 1);
    char *ei = interval_text(c, k->shown[2], k->shown[3],
                             k->shown_wrong || c->digits ? d : 0, 1);
    buf_adds(b, "{\"point\": ");
    buf_adds(b, k->w_point_json);
    buf_adds(b, ", \"element\": ");
    buf_adds(b, k->w_elem_json);
    buf_adds(b, ", \"derivative\": ");
    buf_adds(b, di);
    buf_adds(b, ", \"expression\": ");
    buf_adds(b, ei);
    if (k->shown_wrong) {
      char *g = gap_text(k);
      buf_adds(b, ", \"apart_at_least\": ");
      buf_adds(b, g);
      free(g);
    }
    buf_adds(b, "}");
    free(di);
    free(ei);
  } else
    buf_adds(b, "null");
  verdict_json_tail(b, k);
}

static void
verdict_json(Buf *b, const Check *k, const char *of)
{
  verdict_json_head(b, k, of);
  buf_adds(b, k->disagree ? "\"disagrees\""
              : k->agree ? "\"agrees\"" : "\"undefined\"");
  char t[128];
  snprintf(t, sizeof t, ", \"agree\": %lu, \"disagree\": %lu, "
           "\"undefined\": %lu", k->agree, k->disagree, k->undefined);
  buf_adds(b, t);
  buf_adds(b, ",\n    \"worst\": ");
  if (k->have_worst) {
    buf_adds(b, "{\"point\": ");
    buf_adds(b, k->w_point_json);
    buf_adds(b, ", \"element\": ");
    buf_adds(b, k->w_elem_json);
    const char *keys[] = { "derivative", "expression", "difference" };
    const char *vals[] = { k->w_ad, k->w_ex, k->w_diff };
    for (int i = 0; i < 3; i++) {
      buf_adds(b, ", ");
      json_add_string(b, keys[i]);
      buf_adds(b, ": ");
      int num = strcmp(vals[i], "nan") != 0 && strcmp(vals[i], "inf") != 0
                && strcmp(vals[i], "-inf") != 0;
      if (!num)
        buf_adds(b, "\"");
      buf_adds(b, vals[i]);
      if (!num)
        buf_adds(b, "\"");
    }
    buf_adds(b, ", \"relative_error\": ");
    char *rel = short_text(k->worst, 3);
    if (mpfr_inf_p(k->worst))
      json_add_string(b, "inf");
    else
      buf_adds(b, rel);
    free(rel);
    buf_adds(b, "}");
  } else
    buf_adds(b, "null");
  verdict_json_tail(b, k);
}

/* The ranges: NAME=LO:HI, each input's elements drawn from [LO, HI]. */
typedef struct Range {
  const char *name;       /* cut out of the option's text */
  mpfr_t lo, hi;
  GtValue v;              /* the value drawn: the input's shape */
  size_t dims[MAX_RANK];
  mpfr_ptr elems;         /* v.size numbers */
} Range;

/* What a --check run works on. */
typedef struct CheckRun {
  Cli *c;
  GtSession *s;
  long prec;
  Range *rg;              /* the --range options, nr of them */
  size_t nr;
  Check *ck;              /* the --check options, nc of them */
  size_t nc;
  mpfr_ptr tol;           /* the relative tolerance */
  mpfr_ptr t;             /* scratch */
  const char **snames;    /* the scalar inputs drawn at a point */
  mpfr_srcptr *svals;
  Point drawn;            /* the inputs of the ranges, as drawn */
  Point given;            /* the inputs of a --batch row */
  unsigned long points;   /* points run */
  /* --enclose: the scalar inputs of the point as decimal text (the
     fields of a --batch row, the 12 digits drawn in a range), which the
     check session encloses exactly; texts[] are owned when own is set */
  const char **tnames;
  const char **texts;
  size_t nt;
  int own;
} CheckRun;

/* --tol (relative, 2^-(p/2) unless given) and the --check options. */
static void
check_options(CheckRun *r)
{
  Cli *c = r->c;
  if (c->tol) {
    char *end;
    if (mpfr_strtofr(r->tol, c->tol, &end, 10, RND), *end != '\0'
        || end == c->tol || !(mpfr_sgn(r->tol) > 0)
        || !mpfr_number_p(r->tol))
      usage_error("--tol: expected a positive number, not '%s'", c->tol);
  } else {
    mpfr_set_ui(r->tol, 1, RND);
    mpfr_div_2si(r->tol, r->tol, r->prec / 2, RND);
  }
  if (c->samples && r->nr == 0)
    usage_error("--samples needs --range for at least one input");
  for (size_t i = 0; i < r->nc; i++)
    check_parse(&r->ck[i], c->checks.v[i], c->order);
  for (size_t i = 0; i < r->nc; i++)
    if (r->ck[i].of == NULL && c->of.n > 1)
      usage_error("--check %s: --of names %zu outputs; name one as "
                  "OUT:%s", r->ck[i].spec, c->of.n, r->ck[i].spec);
    else if (r->ck[i].of == NULL && c->of.n == 1)
      r->ck[i].of = c->of.v[0];
}

/* The ranges: bounds in the language (-pi:pi); the shape is the one the
   input has at the --at point or its default.  0, or a status to exit
   with (the message given).  Every range's numbers are initialised. */
static int
ranges_parse(CheckRun *r)
{
  Range *rg = r->rg;
  long prec = r->prec;
  int rc = 0;
  for (size_t i = 0; i < r->nr; i++) {
    mpfr_inits2((mpfr_prec_t)prec, rg[i].lo, rg[i].hi, (mpfr_ptr)0);
    rg[i].v.dims = rg[i].dims;
    rg[i].v.size = 1;
  }
  int shaped = 0;
  for (size_t i = 0; i < r->nr && rc == 0; i++) {
    char *spec = r->c->ranges.v[i], *eq = strchr(spec, '=');
    char *colon = strchr(eq + 1, ':');
    *eq = '\0';
    rg[i].name = spec;
    long j = input_index(r->s, spec);
    if (j < 0) {
      fprintf(stderr, "%s: --range: the program has no input named '%s'\n"
              "Try '%s --help' for more information.\n", program_name, spec,
              program_name);
      rc = GT_EUSAGE;
      break;
    }
    for (size_t m = 0; m < i; m++)
      if (strcmp(rg[m].name, spec) == 0)
        usage_error("--range: '%s' is given twice", spec);
    *colon = '\0';
    GtStatus st = eval_const(eq + 1, prec, rg[i].lo, "<range>");
    if (st == GT_OK)
      st = eval_const(colon + 1, prec, rg[i].hi, "<range>");
    *colon = ':';
    if (st != GT_OK) {
      rc = (int)st;
      break;
    }
    if (!mpfr_number_p(rg[i].lo) || !mpfr_number_p(rg[i].hi)
        || mpfr_cmp(rg[i].lo, rg[i].hi) > 0) {
      fprintf(stderr, "%s: --range %s=%s: expected finite bounds LO <= HI\n",
              program_name, spec, eq + 1);
      rc = GT_EUSAGE;
      break;
    }
    if (!shaped) {
      /* one run at the --at point gives the shapes (an input with no
         value there is a scalar) */
      shaped = 1 + (gt_session_run(r->s) == GT_OK);
      gt_session_clear_diags(r->s);
    }
    if (shaped == 2) {
      GtValue v = gt_session_input_value(r->s, (size_t)j);
      if (v.rank > 0) {
        rg[i].v.rank = v.rank;
        memcpy(rg[i].dims, v.dims, sizeof *v.dims * (size_t)v.rank);
        rg[i].v.size = v.size;
      }
    }
  }
  for (size_t i = 0; i < r->nr; i++) {
    rg[i].elems = malloc((rg[i].v.size + 1) * sizeof(__mpfr_struct));
    if (rg[i].elems == NULL)
      out_of_memory();
    for (size_t e = 0; e < rg[i].v.size; e++)
      mpfr_init2(&rg[i].elems[e], (mpfr_prec_t)prec);
    rg[i].v.elems = rg[i].elems;
  }
  return rc;
}

/* The next row of --batch, replayed: 1 with its status in *st, or
   batch_point's 0 (no more rows) or -status. */
static int
check_batch_point(CheckRun *r, GtStatus *st)
{
  const char *const *bn;
  mpfr_srcptr *bv;
  size_t bk;
  int got = batch_point(r->c, r->s, &bn, &bv, &bk);
  if (got <= 0)
    return got;
  Point *given = &r->given;
  point_free(given);
  given->names = calloc(bk + 1, sizeof *given->names);
  given->vals = calloc(bk + 1, sizeof *given->vals);
  if (given->names == NULL || given->vals == NULL)
    out_of_memory();
  for (size_t i = 0; i < bk; i++) {
    given->names[i] = bn[i];
    given->vals[i].size = 1;
    given->vals[i].elems = bv[i];
  }
  given->n = bk;
  r->tnames = (const char **)bn;
  r->texts = (const char **)batch_fields();
  r->nt = bk;
  r->own = 0;
  *st = gt_session_replay(r->s, bn, bv, bk);
  return 1;
}

/* Draws a point in the ranges (none without ranges) and runs the program
   there, its status in *st; 0, or a status to exit with. */
static int
check_random_point(CheckRun *r, Rng *rng, GtStatus *st)
{
  size_t ns = 0;
  int rc = 0;
  for (size_t i = 0; i < r->nr; i++) {
    Range *rg = &r->rg[i];
    for (size_t e = 0; e < rg->v.size; e++) {
      mpfr_ptr x = &rg->elems[e];
      /* LO + (HI - LO) u, u uniform in [0, 1) with 53 random bits */
      mpfr_set_ui(r->t, (unsigned long)(rng_next(rng) >> 11), RND);
      mpfr_div_2ui(r->t, r->t, 53, RND);
      mpfr_sub(x, rg->hi, rg->lo, RND);
      mpfr_mul(x, x, r->t, RND);
      mpfr_add(x, x, rg->lo, RND);
      /* 12 significant digits: a point that prints short and that
         --at reproduces exactly */
      if (mpfr_number_p(x) && !mpfr_zero_p(x)) {
        char *txt = number_text(x, 12);
        mpfr_set_str(x, txt, 10, RND);
        free(txt);
      }
    }
    if (rg->v.rank == 0) {
      if (r->c->enclose) {
        /* the decimal drawn, for the check session to enclose */
        free((char *)r->texts[ns]);
        r->texts[ns] = number_text(rg->elems, 12);
        r->tnames[ns] = rg->name;
        r->nt = ns + 1;
        r->own = 1;
      }
      r->snames[ns] = rg->name;
      r->svals[ns++] = rg->elems;
    } else if (gt_session_set_input_tensor(r->s, rg->name, &rg->v)
               != GT_OK) {
      report(r->s, r->c->quiet, GT_EUSAGE);
      rc = GT_EUSAGE;
    }
  }
  if (rc)
    return rc;
  *st = r->nr ? gt_session_replay(r->s, r->snames, r->svals, ns)
              : gt_session_run(r->s);
  return 0;
}

/* Says a usage error of the derivative check k asked for, in terms of
   --check where the library speaks of --of and --wrt. */
static void
check_usage_error(const Check *k, GtSession *s)
{
  for (size_t m = 0; m < gt_session_diag_count(s); m++) {
    const GtDiag *g = gt_session_diag(s, m);
    const char *msg = g->message;
    if (g->severity != GT_SEV_ERROR)
      continue;
    if (strncmp(msg, "--of: ", 6) == 0)
      msg += 6;
    else if (strncmp(msg, "--wrt: ", 7) == 0)
      msg += 7;
    fprintf(stderr, "%s: --check %s: %s\n", program_name, k->spec, msg);
  }
  fprintf(stderr, "Try '%s --help' for more information.\n", program_name);
  gt_session_clear_diags(s);
}

/* --enclose: check k at the point (the session's inputs, pt): the check
   session, which runs the program and then EXPR, is run at the point
   (its scalar inputs set from their decimal text, so enclosed exactly;
   a tensor drawn in a range from its numbers) and encloses both the
   derivative and EXPR's value, to be compared as intervals.  A point
   where either cannot be enclosed (the program or EXPR fails there, a
   comparison the intervals do not decide) is undefined, with the
   located error's message.  0, or a status to exit with. */
static int
check_enclosed(CheckRun *r, Check *k, const Point *pt)
{
  GtSession *cs = k->cs;
  GtStatus st = GT_OK;
  for (size_t i = 0; i < r->nt && st == GT_OK; i++)
    st = gt_session_set_input(cs, r->tnames[i], r->texts[i]);
  for (size_t i = 0; i < r->nr && st == GT_OK && !r->c->batch; i++)
    if (r->rg[i].v.rank > 0)
      st = gt_session_set_input_tensor(cs, r->rg[i].name, &r->rg[i].v);
  if (st == GT_OK)
    st = gt_session_run(cs);
  if (st == GT_EUSAGE || st == GT_ESYNTAX) {
    report_check(k, r->c);
    return (int)st;
  }
  const char **w = calloc((size_t)k->order + 1, sizeof *w);
  if (w == NULL)
    out_of_memory();
  for (int m = 0; m < k->order; m++)
    w[m] = k->wrt[k->nwrt == 1 ? 0 : m];
  /* the derivative, then EXPR's value (order 0: in its own shape) */
  GtDeriv want[2] = { { k->of, w, k->order, 1, { 0, NULL, 0, NULL } },
                      { check_result, NULL, 0, 1, { 0, NULL, 0, NULL } } };
  const GtEnclosure *es = NULL;
  size_t n = 0;
  if (st == GT_OK)
    st = gt_session_enclose(cs, want, 2, &es, &n);
  if (st == GT_EUSAGE) {
    free(w);
    check_usage_error(k, cs);
    return (int)st;
  }
  if (st != GT_OK) {
    free(w);
    undefined(k, pt, "", first_error(cs));
    gt_session_clear_diags(cs);
    return 0;
  }
  gt_session_clear_diags(cs);
  if (k->label == NULL)
    k->label = deriv_label(&want[0]);
  free(w);     /* the entries' wrt: not read after this */
  return compare_enclosed(k, pt, &es[n - 2], &es[n - 1], r->prec);
}

/* Check k at the point the session has run (pt): the derivative against
   the expression's value.  0, or a status to exit with. */
static int
check_at_point(CheckRun *r, Check *k, const Point *pt)
{
  GtSession *s = r->s;
  if (k->of == NULL) {
    if (gt_session_output_count(s) != 1) {
      fprintf(stderr, "%s: --check compares one output, and the "
              "program has %zu; choose one with --of or as "
              "OUT:NAME=EXPR\n", program_name, gt_session_output_count(s));
      return GT_EUSAGE;
    }
    k->of = gt_session_output_name(s, 0);
  }
  if (r->c->enclose)
    return check_enclosed(r, k, pt);
  const GtDeriv *ds;
  size_t nd;
  GtStatus dst = gt_session_derivatives(s, &k->of, 1, k->uniq, k->nuniq,
                                        k->order, &ds, &nd);
  if (dst == GT_EUSAGE) {
    check_usage_error(k, s);
    return (int)dst;
  }
  const GtDeriv *d = NULL;
  for (size_t j = 0; dst == GT_OK && j < nd && d == NULL; j++) {
    int same = ds[j].order == k->order;
    for (int m = 0; same && m < k->order; m++)
      same = strcmp(ds[j].wrt[m], k->wrt[k->nwrt == 1 ? 0 : m]) == 0;
    if (same)
      d = &ds[j];
  }
  if (d == NULL) {
    undefined(k, pt, "", first_error(s));
    gt_session_clear_diags(s);
    return 0;
  }
  if (k->label == NULL)
    k->label = deriv_label(d);
  GtValue ex;
  int e = eval_check(k, r->c, s, &ex);
  if (e > 0)
    return e;
  if (e < 0) {
    undefined(k, pt, "", first_error(k->cs));
    gt_session_clear_diags(k->cs);
    return 0;
  }
  gt_session_clear_diags(k->cs);
  return compare(k, pt, &d->value, &ex, r->tol, r->prec);
}

/* The points: the rows of --batch, or --samples points drawn in the
   ranges (one, the --at point, without ranges); every check at each.
   0, or a status to exit with. */
static int
check_points(CheckRun *r)
{
  Cli *c = r->c;
  GtSession *s = r->s;
  size_t nr = r->nr;
  int rc = 0;
  Rng rng;
  rng_seed(&rng, (uint64_t)c->seed);
  unsigned long samples = c->samples ? c->samples : nr ? 100 : 1;
  r->drawn.names = calloc(nr + 1, sizeof *r->drawn.names);
  r->drawn.vals = calloc(nr + 1, sizeof *r->drawn.vals);
  if (r->drawn.names == NULL || r->drawn.vals == NULL)
    out_of_memory();
  for (size_t i = 0; i < nr; i++) {
    r->drawn.names[i] = r->rg[i].name;
    r->drawn.vals[i] = r->rg[i].v;
  }
  r->drawn.n = nr;
  for (unsigned long p = 0; rc == 0; p++) {
    GtStatus st;
    Point *at = nr ? &r->drawn : NULL;
    if (c->batch) {
      int got = check_batch_point(r, &st);
      if (got <= 0) {
        rc = -got;
        break;
      }
      at = &r->given;
    } else {
      if (p >= samples)
        break;
      rc = check_random_point(r, &rng, &st);
      if (rc)
        break;
    }
    if (st == GT_EUSAGE || st == GT_ESYNTAX) {
      report(s, c->quiet, st);
      rc = (int)st;
      break;
    }
    r->points++;
    if (st != GT_OK) {
      for (size_t i = 0; i < r->nc; i++)
        undefined(&r->ck[i], at, "the --at point", first_error(s));
      gt_session_clear_diags(s);
      continue;
    }
    Point pt;
    point_of_run(&pt, s);
    for (size_t i = 0; i < r->nc && rc == 0; i++)
      rc = check_at_point(r, &r->ck[i], &pt);
    point_free(&pt);
    gt_session_clear_diags(s);
  }
  return rc;
}

/* A label for a check that never saw its derivative ("dy/dx" from the
   names alone). */
static void
check_label(Check *k)
{
  GtDeriv fake;
  memset(&fake, 0, sizeof fake);
  fake.of = k->of ? k->of : "(output)";
  const char **w = calloc((size_t)k->order + 1, sizeof *w);
  if (w == NULL)
    out_of_memory();
  for (int m = 0; m < k->order; m++)
    w[m] = k->wrt[k->nwrt == 1 ? 0 : m];
  fake.wrt = w;
  fake.order = k->order;
  k->label = deriv_label(&fake);
  free(w);
}

static void
check_run_free(CheckRun *r)
{
  for (size_t i = 0; i < r->nc; i++)
    check_free(&r->ck[i]);
  for (size_t i = 0; i < r->nr; i++) {
    Range *rg = &r->rg[i];
    mpfr_clears(rg->lo, rg->hi, (mpfr_ptr)0);
    if (rg->elems)
      for (size_t e = 0; e < rg->v.size; e++)
        mpfr_clear(&rg->elems[e]);
    free(rg->elems);
    /* the range specs were cut at '=' */
    if (rg->name)
      r->c->ranges.v[i][strlen(r->c->ranges.v[i])] = '=';
  }
  point_free(&r->drawn);
  point_free(&r->given);
  if (r->own)
    for (size_t i = 0; i < r->nt; i++)
      free((char *)r->texts[i]);
  if (r->own || r->nt == 0) {
    free(r->tnames);
    free(r->texts);
  }
  free(r->rg);
  free(r->ck);
  free(r->snames);
  free(r->svals);
}

int
run_check(Cli *c, GtSession *s)
{
  long prec = c->opt.prec;
  int rc = 0;
  size_t nr = c->ranges.n, nc = c->checks.n;
  mpfr_t tol, t;
  mpfr_inits2((mpfr_prec_t)prec, tol, t, (mpfr_ptr)0);
  CheckRun run = { c, s, prec, NULL, nr, NULL, nc, tol, t, NULL, NULL,
                   { 0, NULL, NULL }, { 0, NULL, NULL }, 0, NULL, NULL, 0,
                   0 };
  if (c->enclose && !c->batch) {
    run.tnames = calloc(nr + 1, sizeof *run.tnames);
    run.texts = calloc(nr + 1, sizeof *run.texts);
    if (run.tnames == NULL || run.texts == NULL)
      out_of_memory();
  }
  run.rg = calloc(nr + 1, sizeof *run.rg);
  run.ck = calloc(nc + 1, sizeof *run.ck);
  run.snames = calloc(nr + 1, sizeof *run.snames);
  run.svals = calloc(nr + 1, sizeof *run.svals);
  if (!run.rg || !run.ck || !run.snames || !run.svals)
    out_of_memory();
  Check *ck = run.ck;

  check_options(&run);
  rc = ranges_parse(&run);
  /* the checks: the program followed by EXPR, which so sees the
     program's inputs, top-level names and functions */
  for (size_t i = 0; i < nc && rc == 0; i++) {
    GtStatus st = check_load(&ck[i], c);
    if (st != GT_OK)
      rc = (int)st;
  }
  if (rc == 0)
    rc = check_points(&run);
  unsigned long points = run.points;

  /* the verdicts */
  int failed = 0;
  Buf js = { NULL, 0, 0 };
  if (rc == 0 && c->format == FMT_JSON) {
    char *tt = short_text(tol, 2);
    char head[256];
    if (c->enclose)
      snprintf(head, sizeof head, "{\"precision\": %ld,\n \"enclosure\": "
               "true,\n \"points\": %lu,\n \"checks\": [", prec, points);
    else
      snprintf(head, sizeof head, "{\"precision\": %ld,\n \"tolerance\": "
               "%s,\n \"points\": %lu,\n \"checks\": [", prec, tt, points);
    free(tt);
    buf_adds(&js, head);
  }
  for (size_t i = 0; i < nc && rc == 0; i++) {
    Check *k = &ck[i];
    if (k->label == NULL)
      check_label(k);
    if (k->disagree || (k->agree == 0 && !c->allow_unchecked))
      failed = 1;
    if (c->format == FMT_JSON) {
      buf_adds(&js, i ? ",\n   " : "\n   ");
      if (c->enclose)
        verdict_json_enclosed(&js, k, c);
      else
        verdict_json(&js, k, k->of);
    } else if (c->enclose)
      verdict_text_enclosed(k, c, points);
    else
      verdict_text(k, points, tol);
  }
  if (rc == 0 && c->format == FMT_JSON) {
    buf_adds(&js, "]}\n");
    fputs(js.s, stdout);
  }
  free(js.s);
  if (rc == 0 && failed)
    rc = GT_EASSERT;

  check_run_free(&run);
  mpfr_clears(tol, t, (mpfr_ptr)0);
  return rc;
}

/* ---- --fd-check ---------------------------------------------------------------- */

enum { FD_LEVELS = 6 };

/* An input of the run, at the finite differences' precision: its shape,
   its value at the point (base) and the value evaluated at (pt). */
typedef struct FdInput {
  const char *name;
  GtValue v;              /* elems = pt */
  size_t dims[MAX_RANK];
  mpfr_ptr base, pt;
} FdInput;

/* The sum of output out's elements at the inputs' pt values (with
   --jacobian, its element oel when oel >= 0); 0, or -1 when the run
   fails or the value is not finite. */
static int
fd_eval(GtSession *f, FdInput *in, size_t n, const char **snames,
        mpfr_srcptr *svals, size_t out, long oel, mpfr_ptr y)
{
  size_t ns = 0;
  for (size_t j = 0; j < n; j++)
    if (in[j].v.rank == 0) {
      snames[ns] = in[j].name;
      svals[ns++] = in[j].pt;
    } else if (gt_session_set_input_tensor(f, in[j].name, &in[j].v)
               != GT_OK) {
      gt_session_clear_diags(f);
      return -1;
    }
  GtStatus st = gt_session_replay(f, snames, svals, ns);
  gt_session_clear_diags(f);
  if (st != GT_OK || out >= gt_session_output_count(f))
    return -1;
  GtValue v = gt_session_output_value(f, out);
  mpfr_set_zero(y, 1);
  if (oel >= 0 && (size_t)oel < v.size)
    mpfr_set(y, &v.elems[oel], RND);
  else
    for (size_t k = 0; k < v.size; k++)
      mpfr_add(y, y, &v.elems[k], RND);
  return mpfr_number_p(y) ? 0 : -1;
}

/* One coordinate of a partial: element e of input j, step scale s. */
typedef struct FdCoord {
  size_t j, e;
  mpfr_ptr scale;
} FdCoord;

/* One Richardson table from steps s_m 2^-(k+l): est and its error
   estimate err; -1 when an evaluation fails. */
static int
fd_richardson(GtSession *f, FdInput *in, size_t n, const char **snames,
              mpfr_srcptr *svals, size_t out, long oel, const FdCoord *co,
              int K,
              long k, mpfr_ptr est, mpfr_ptr err, mpfr_prec_t P)
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
      int neg = 0;
      for (int m = 0; m < K; m++) {
        int minus = (mask >> m) & 1;
        neg ^= minus;
        mpfr_mul_2si(h, co[m].scale, -(k + l), RND);
        mpfr_ptr x = &in[co[m].j].pt[co[m].e];
        if (minus)
          mpfr_sub(x, x, h, RND);
        else
          mpfr_add(x, x, h, RND);
      }
      if (fd_eval(f, in, n, snames, svals, out, oel, y) != 0)
        rc = -1;
      else if (neg)
        mpfr_sub(sum, sum, y, RND);
      else
        mpfr_add(sum, sum, y, RND);
      for (int m = 0; m < K; m++)
        mpfr_set(&in[co[m].j].pt[co[m].e], &in[co[m].j].base[co[m].e], RND);
    }
    /* divided by prod(2 h_m) */
    mpfr_set_ui(den, 1, RND);
    for (int m = 0; m < K; m++) {
      mpfr_mul_2si(h, co[m].scale, -(k + l) + 1, RND);
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

/* The agreeing digits of one element, ad, of a derivative of order K
   along the coordinates co; -1 with *why set when the finite
   differences cannot judge. */
static int
fd_element(const Cli *c, GtSession *f, FdInput *in, size_t n,
           const char **snames, mpfr_srcptr *svals, size_t out, long oel,
           const FdCoord *co, int K, mpfr_srcptr ad, mpfr_prec_t P,
           const char **why)
{
  long prec = c->opt.prec;
  int threshold = fd_threshold(prec), cap = prec_digits(prec), dg = -1;
  /* starting exponents: coarse to fine, while rounding at P bits stays
     far below the working precision */
  static const long ks[] = { 2, 4, 7, 10, 14, 19, 25, 32, 40, 50, 62, 76,
                             92, 110 };
  mpfr_t est, err, best, besterr, sc, f0, goal, spread;
  mpfr_inits2(P, est, err, best, besterr, sc, f0, goal, spread, (mpfr_ptr)0);
  /* The best estimate is the one with the smallest Richardson error; a
     second estimate from another starting step must agree with it (at
     a jump or a one-sided branch they never do). */
  int found = 0, confirmed = 0;
  mpfr_set_inf(spread, 1);
  for (size_t q = 0; q < sizeof ks / sizeof *ks && !confirmed; q++) {
    long k = ks[q];
    if ((long)K * (k + FD_LEVELS) > (long)P - prec - 16)
      break;
    if (fd_richardson(f, in, n, snames, svals, out, oel, co, K, k, est,
                      err, P)
        != 0)
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
  if (!found) {
    *why = "the program fails or is not finite near the point";
  } else {
    /* the scale: the larger derivative, or, when both are near 0, the
       output's size per unit step */
    mpfr_abs(sc, best, RND);
    if (mpfr_cmpabs(ad, sc) > 0)
      mpfr_abs(sc, ad, RND);
    if (fd_eval(f, in, n, snames, svals, out, oel, f0) == 0) {
      mpfr_abs(f0, f0, RND);
      for (int m = 0; m < K; m++)
        mpfr_div(f0, f0, co[m].scale, RND);
      mpfr_mul_2si(f0, f0, -(prec / 2), RND);
      if (mpfr_cmp(f0, sc) > 0)
        mpfr_set(sc, f0, RND);
    }
    dg = agreeing_digits(ad, best, sc, cap, P);
    if (dg < threshold) {
      /* finite differences whose own error estimate is as large as the
         disagreement did not converge: they cannot judge */
      mpfr_sub(sc, ad, best, RND);
      if (mpfr_cmpabs(besterr, sc) >= 0) {
        *why = "finite differences do not converge here";
        dg = -1;
      }
    }
  }
  mpfr_clears(est, err, best, besterr, sc, f0, goal, spread, (mpfr_ptr)0);
  return dg;
}

/* Copies the inputs that ran in s (their shapes and values, at P bits)
   into in[]; returns how many. */
static size_t
fd_inputs(GtSession *s, FdInput *in, mpfr_prec_t P)
{
  size_t m = 0;
  for (size_t i = 0; i < gt_session_input_count(s); i++) {
    GtValue v = gt_session_input_value(s, i);
    if (v.rank == 0 && v.size == 0)
      continue; /* its input statement did not run */
    FdInput *x = &in[m++];
    x->name = gt_session_input_name(s, i);
    x->v.rank = v.rank;
    x->v.size = v.size;
    memcpy(x->dims, v.dims, sizeof *v.dims * (size_t)v.rank);
    x->v.dims = x->dims;
    x->base = malloc((v.size + 1) * sizeof(__mpfr_struct));
    x->pt = malloc((v.size + 1) * sizeof(__mpfr_struct));
    if (!x->base || !x->pt)
      out_of_memory();
    for (size_t e = 0; e < v.size; e++) {
      mpfr_init2(&x->base[e], P);
      mpfr_init2(&x->pt[e], P);
      mpfr_set(&x->base[e], &v.elems[e], RND);
      mpfr_set(&x->pt[e], &v.elems[e], RND);
    }
    x->v.elems = x->pt;
  }
  return m;
}

static void
fd_inputs_free(FdInput *in, size_t m)
{
  for (size_t j = 0; j < m; j++) {
    for (size_t e = 0; e < in[j].v.size; e++) {
      mpfr_clear(&in[j].base[e]);
      mpfr_clear(&in[j].pt[e]);
    }
    free(in[j].base);
    free(in[j].pt);
  }
}

/* Why derivative d cannot be checked by finite differences on f (the
   session at the higher precision, NULL when the program failed there),
   or NULL with *out the index of d's output among s's. */
static const char *
fd_cannot(const Cli *c, GtSession *s, GtSession *f, const GtDeriv *d,
          int kink, size_t *out, int *exact)
{
  if (f == NULL)
    return "the program fails at the higher precision";
  if (!d->connected) {
    *exact = 1;
    return "not connected: 0 exactly";
  }
  if (kink)
    return "the point is at a kink";
  if (strstr(c->text, "stop_gradient") != NULL)
    return "the program uses stop_gradient";
  /* the output, among f's */
  *out = (size_t)-1;
  for (size_t o = 0; o < gt_session_output_count(s); o++)
    if (strcmp(gt_session_output_name(s, o), d->of) == 0)
      *out = o;
  if (*out == (size_t)-1)
    return "not an output";
  if (d->order > 8)
    return "the order is too high for finite differences";
  return NULL;
}

/* The coordinates of d's partials: co[k].j is the input of d->wrt[k]
   among in[0..m-1]; *total the number of elements they span.  NULL, or
   why they do not fit d, whose output has osize elements before them
   (--jacobian; else 1). */
static const char *
fd_coords(const FdInput *in, size_t m, const GtDeriv *d, FdCoord *co,
          size_t *total, size_t osize)
{
  *total = 1;
  for (int k = 0; k < d->order; k++) {
    size_t j = 0;
    while (j < m && strcmp(in[j].name, d->wrt[k]) != 0)
      j++;
    if (j == m)
      return "differentiated with respect to a variable, not an input";
    co[k].j = j;
    *total *= in[j].v.size;
  }
  if (*total * osize != d->value.size)
    return "the derivative's shape is not the inputs'";
  return NULL;
}

/* Element by element over total elements: the partial along coordinates
   (j_m, e_m), e_m from the flat index, row-major over the inputs'
   shapes (with --jacobian, of each element of the output in turn: the
   output's index is the flat index's leading part).  Sets res's digits
   (the fewest), worst and why. */
static void
fd_elements(const Cli *c, GtSession *f, FdInput *in, size_t m,
            const char **snames, mpfr_srcptr *svals, size_t out,
            const GtDeriv *d, FdCoord *co, size_t total, mpfr_prec_t P,
            FdResult *res)
{
  int fewest = -1;
  for (size_t flat = 0; flat < d->value.size; flat++) {
    size_t rest = flat % total;
    long oel = c->opt.jacobian ? (long)(flat / total) : -1;
    for (int k = d->order - 1; k >= 0; k--) {
      size_t sz = in[co[k].j].v.size;
      co[k].e = rest % sz;
      rest /= sz;
      mpfr_ptr b = &in[co[k].j].base[co[k].e];
      mpfr_abs(co[k].scale, b, RND);
      if (mpfr_zero_p(co[k].scale) || !mpfr_number_p(co[k].scale))
        mpfr_set_ui(co[k].scale, 1, RND);
    }
    mpfr_srcptr ad = &d->value.elems[flat];
    if (!mpfr_number_p(ad)) {
      res->why = "not a finite number";
      res->worst = flat;
      return;
    }
    const char *why = NULL;
    int dg = fd_element(c, f, in, m, snames, svals, out, oel, co, d->order,
                        ad, P, &why);
    if (dg < 0) {
      res->why = why;
      res->worst = flat;
      return;
    }
    if (fewest < 0 || dg < fewest) {
      fewest = dg;
      res->worst = flat;
    }
  }
  res->digits = fewest < 0 ? prec_digits(c->opt.prec) : fewest;
}

/* Checks derivative d into *res; 1 when it agrees to too few digits. */
static int
fd_derivative(const Cli *c, GtSession *s, GtSession *f, FdInput *in,
              size_t m, const char **snames, mpfr_srcptr *svals, int kink,
              const GtDeriv *d, FdResult *res, mpfr_prec_t P)
{
  res->digits = -1;
  res->worst = 0;
  res->elements = d->value.size;
  res->tensor = d->value.rank != 0;
  res->why = NULL;
  res->exact = 0;
  size_t out, total;
  res->why = fd_cannot(c, s, f, d, kink, &out, &res->exact);
  if (res->why != NULL)
    return 0;
  FdCoord co[8];
  size_t osize = c->opt.jacobian ? gt_session_output_value(s, out).size : 1;
  res->why = fd_coords(in, m, d, co, &total, osize);
  for (int k = 0; k < d->order; k++) {
    co[k].scale = malloc(sizeof(__mpfr_struct));
    if (co[k].scale == NULL)
      out_of_memory();
    mpfr_init2(co[k].scale, P);
  }
  if (res->why == NULL)
    fd_elements(c, f, in, m, snames, svals, out, d, co, total, P, res);
  for (int k = 0; k < d->order; k++) {
    mpfr_clear(co[k].scale);
    free(co[k].scale);
  }
  return res->digits >= 0 && res->digits < fd_threshold(c->opt.prec);
}

int
fd_check(const Cli *c, GtSession *s, const GtDeriv *ds, size_t nd,
         FdResult *r)
{
  long prec = c->opt.prec;
  mpfr_prec_t P = (mpfr_prec_t)fd_prec(prec);
  int bad = 0;
  int kink = 0;
  for (size_t i = 0; i < gt_session_diag_count(s); i++)
    kink |= gt_session_diag(s, i)->severity == GT_SEV_NOTE;
  GtStatus st;
  GtSession *f = open_session(c, (long)P, &st);
  size_t n = gt_session_input_count(s);
  FdInput *in = calloc(n + 1, sizeof *in);
  const char **snames = calloc(n + 1, sizeof *snames);
  mpfr_srcptr *svals = calloc(n + 1, sizeof *svals);
  if (!in || !snames || !svals)
    out_of_memory();
  size_t m = fd_inputs(s, in, P);
  for (size_t i = 0; i < nd; i++)
    bad += fd_derivative(c, s, f, in, m, snames, svals, kink, &ds[i], &r[i],
                         P);
  fd_inputs_free(in, m);
  free(in);
  free(snames);
  free(svals);
  gt_session_free(f);
  return bad;
}

/* The "fd-check LABEL: ..." lines (with text), and the counts of
   derivatives that agree to too few digits and that were not checked
   added to *bad and *unchecked. */
void
fd_report(const Cli *c, FILE *out, const GtDeriv *ds, size_t nd,
          const FdResult *r, int text, int *bad, int *unchecked)
{
  int threshold = fd_threshold(c->opt.prec);
  for (size_t i = 0; i < nd; i++) {
    char *label = deriv_label(&ds[i]);
    char *el = element_text(&ds[i].value, r[i].worst, 0);
    if (r[i].exact) {
      if (text)
        fprintf(out, "fd-check %s: 0 exactly (not connected)\n", label);
    } else if (r[i].digits < 0) {
      (*unchecked)++;
      if (text) {
        if (r[i].tensor)
          fprintf(out, "fd-check %s: not checked (%s, at element %s)\n",
                  label, r[i].why, el);
        else
          fprintf(out, "fd-check %s: not checked (%s)\n", label, r[i].why);
      }
    } else {
      if (r[i].digits < threshold)
        (*bad)++;
      if (text && r[i].tensor)
        fprintf(out, "fd-check %s: %d digits agree (%zu element%s, the "
                "fewest at %s)%s\n", label, r[i].digits, r[i].elements,
                r[i].elements == 1 ? "" : "s", el,
                r[i].digits < threshold ? " (too few)" : "");
      else if (text)
        fprintf(out, "fd-check %s: %d digits agree%s\n", label, r[i].digits,
                r[i].digits < threshold ? " (too few)" : "");
    }
    free(label);
    free(el);
  }
}

/* The exit status the counts give, with their messages on stderr: 1
   when a derivative agrees to too few digits, or when one could not be
   checked (or there was none) and --allow-unchecked is not given.
   where prefixes the messages ("" or "<stdin>:3: "). */
int
fd_status(const Cli *c, int bad, int unchecked, int none, const char *where)
{
  int rc = 0;
  if (bad) {
    fprintf(stderr, "%s: %s--fd-check: %d derivative%s agree%s with finite "
            "differences to fewer than %d digits\n", program_name, where,
            bad, bad == 1 ? "" : "s", bad == 1 ? "s" : "",
            fd_threshold(c->opt.prec));
    rc = GT_EASSERT;
  }
  if (!c->allow_unchecked && (unchecked || none)) {
    if (none)
      fprintf(stderr, "%s: %s--fd-check: there is no derivative to check "
              "(--allow-unchecked accepts that)\n", program_name, where);
    else
      fprintf(stderr, "%s: %s--fd-check: %d derivative%s could not be "
              "checked (--allow-unchecked accepts that)\n", program_name,
              where, unchecked, unchecked == 1 ? "" : "s");
    rc = GT_EASSERT;
  }
  return rc;
}
