/* emit.c -- symbolic derivatives: the recorded derivative DAG, simplified
 * and printed as an expression, a program, C code or LaTeX (--emit).
 *
 * The derivatives are recorded by reverse sweeps (reverse.c's
 * gt_rev_record, once per order), so that each is itself a DAG of
 * primitive ops on the tape, in the inputs.  That DAG is rebuilt here,
 * hash-consed (equal subexpressions become one node), with one of two
 * sets of simplifications:
 *
 *   algebraic (expr, latex): sums and products are n-ary with exact
 *     rational coefficients and exponents (int64), so that constants
 *     fold, like terms gather (2*x + 3*x = 5*x), repeated factors become
 *     powers (x*x = x^2) and the identities x*1, x+0, 0*x, x^1, --x,
 *     a-(-b) hold.  Nothing changes a value on the program's domain
 *     (x/x is 1 only where x/x is defined; sqrt(x^2) stays);
 *   value-preserving (gt, c, c-mpfr): only rewrites that give the same
 *     number at every precision (x*1 = x, --x = x, a-(-b) = a+b, x*x =
 *     x^2, both rounded once; constant subexpressions replaced by their
 *     value), so that the emitted program reproduces the run bit for bit.
 *
 * The printers walk the rebuilt DAG: expr and latex as trees written in
 * the inputs only; gt and C with a temporary for every node used twice
 * (gt) or for every operation (C).  Control decisions of the run that
 * depended on inputs (tape guards) become a note (expr, latex), an
 * assert (gt) or an error return (C), each naming where it was made.
 * Tensors are written element by element (rebuild_tensor).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- per-op emission data -------------------------------------------------
   How each op is written: in the language (its name from ops.def, infix
   or called), in C99 with <math.h> (a template: %a %b %c are the
   operands), as one MPFR call, and in LaTeX.  NULL: cannot be written in
   that form. */
typedef struct EmitOp {
  const char *c;          /* C99 double template */
  const char *mpfr;       /* MPFR function: f(y, a[, b], MPFR_RNDN) */
  const char *latex;      /* LaTeX function name (NULL: \operatorname) */
} EmitOp;

static const EmitOp emit_ops[GT_OP_COUNT] = {
  [GT_OP_NEG] = { "-%a", "mpfr_neg", NULL },
  [GT_OP_ADD] = { "%a + %b", "mpfr_add", NULL },
  [GT_OP_SUB] = { "%a - %b", "mpfr_sub", NULL },
  [GT_OP_MUL] = { "%a * %b", "mpfr_mul", NULL },
  [GT_OP_DIV] = { "%a / %b", "mpfr_div", NULL },
  [GT_OP_MOD] = { "%a - floor(%a / %b) * %b", NULL, NULL },
  /* C's floor of the rounded quotient: within the double form's ulps */
  [GT_OP_FLOORDIV] = { "floor(%a / %b)", NULL, NULL },
  [GT_OP_POW] = { "pow(%a, %b)", "mpfr_pow", NULL },
  [GT_OP_EQ] = { "(double)(%a == %b)", NULL, NULL },
  [GT_OP_NE] = { "(double)(%a != %b)", NULL, NULL },
  [GT_OP_LT] = { "(double)(%a < %b)", NULL, NULL },
  [GT_OP_LE] = { "(double)(%a <= %b)", NULL, NULL },
  [GT_OP_GT] = { "(double)(%a > %b)", NULL, NULL },
  [GT_OP_GE] = { "(double)(%a >= %b)", NULL, NULL },
  [GT_OP_NOT] = { "(double)(%a == 0)", NULL, NULL },
  [GT_OP_ABS] = { "fabs(%a)", "mpfr_abs", NULL },
  [GT_OP_SIGN] = { "(double)((%a > 0) - (%a < 0))", NULL,
                   "\\operatorname{sgn}" },
  [GT_OP_SQRT] = { "sqrt(%a)", "mpfr_sqrt", NULL },
  [GT_OP_CBRT] = { "cbrt(%a)", "mpfr_cbrt", NULL },
  [GT_OP_EXP] = { "exp(%a)", "mpfr_exp", NULL },
  [GT_OP_EXP2] = { "exp2(%a)", "mpfr_exp2", NULL },
  [GT_OP_EXPM1] = { "expm1(%a)", "mpfr_expm1", NULL },
  [GT_OP_LOG] = { "log(%a)", "mpfr_log", "\\log" },
  [GT_OP_LOG2] = { "log2(%a)", "mpfr_log2", "\\log_{2}" },
  [GT_OP_LOG10] = { "log10(%a)", "mpfr_log10", "\\log_{10}" },
  [GT_OP_LOG1P] = { "log1p(%a)", "mpfr_log1p", NULL },
  [GT_OP_SIN] = { "sin(%a)", "mpfr_sin", "\\sin" },
  [GT_OP_COS] = { "cos(%a)", "mpfr_cos", "\\cos" },
  [GT_OP_TAN] = { "tan(%a)", "mpfr_tan", "\\tan" },
  [GT_OP_ASIN] = { "asin(%a)", "mpfr_asin", "\\arcsin" },
  [GT_OP_ACOS] = { "acos(%a)", "mpfr_acos", "\\arccos" },
  [GT_OP_ATAN] = { "atan(%a)", "mpfr_atan", "\\arctan" },
  [GT_OP_ATAN2] = { "atan2(%a, %b)", "mpfr_atan2", NULL },
  [GT_OP_SINH] = { "sinh(%a)", "mpfr_sinh", "\\sinh" },
  [GT_OP_COSH] = { "cosh(%a)", "mpfr_cosh", "\\cosh" },
  [GT_OP_TANH] = { "tanh(%a)", "mpfr_tanh", "\\tanh" },
  [GT_OP_ASINH] = { "asinh(%a)", "mpfr_asinh", "\\operatorname{arsinh}" },
  [GT_OP_ACOSH] = { "acosh(%a)", "mpfr_acosh", "\\operatorname{arcosh}" },
  [GT_OP_ATANH] = { "atanh(%a)", "mpfr_atanh", "\\operatorname{artanh}" },
  [GT_OP_HYPOT] = { "hypot(%a, %b)", "mpfr_hypot", NULL },
  [GT_OP_ERF] = { "erf(%a)", "mpfr_erf", "\\operatorname{erf}" },
  [GT_OP_ERFC] = { "erfc(%a)", "mpfr_erfc", "\\operatorname{erfc}" },
  [GT_OP_NORM_CDF] = { "0.5 * erfc(-%a * 0.70710678118654752440)", NULL,
                       "\\Phi" },
  [GT_OP_NORM_LOGCDF] = { "log(0.5 * erfc(-%a * 0.70710678118654752440))",
                          NULL, "\\log\\Phi" },
  [GT_OP_ERFINV] = { NULL, NULL, "\\operatorname{erf}^{-1}" },
  [GT_OP_LAMBERTW] = { NULL, NULL, "W" },
  [GT_OP_GAMMA] = { "tgamma(%a)", "mpfr_gamma", "\\Gamma" },
  [GT_OP_LGAMMA] = { "lgamma(%a)", NULL, "\\log\\Gamma" },
  /* C: helpers that print_c adds (c_helpers) */
  [GT_OP_DIGAMMA] = { "gt_digamma(%a)", "mpfr_digamma", "\\psi" },
  [GT_OP_TRIGAMMA] = { "gt_trigamma(%a)", NULL, "\\psi^{(1)}" },
  /* polygamma: neither C nor MPFR has it (MPFR: digamma only); jn and yn
     are POSIX (print_c defines _XOPEN_SOURCE for them); LaTeX in pr() */
  [GT_OP_POLYGAMMA] = { "gt_polygamma(%a, %b)", NULL, "\\psi" },
  [GT_OP_BESSELJ] = { "jn((int)%a, %b)", NULL, "J" },
  [GT_OP_BESSELY] = { "yn((int)%a, %b)", NULL, "Y" },
  [GT_OP_FLOOR] = { "floor(%a)", "mpfr_floor", NULL },
  [GT_OP_CEIL] = { "ceil(%a)", "mpfr_ceil", NULL },
  [GT_OP_ROUND] = { "round(%a)", "mpfr_round", NULL },
  [GT_OP_TRUNC] = { "trunc(%a)", "mpfr_trunc", NULL },
  [GT_OP_MIN] = { "fmin(%a, %b)", NULL, "\\min" },
  [GT_OP_MAX] = { "fmax(%a, %b)", NULL, "\\max" },
  [GT_OP_SIGMOID] = { "1 / (1 + exp(-%a))", NULL, "\\sigma" },
  [GT_OP_SOFTPLUS] = { "log1p(exp(%a))", NULL, NULL },
  [GT_OP_RELU] = { "(%a > 0 ? %a : 0.0)", NULL, NULL },
  [GT_OP_WHERE] = { "(%a != 0 ? %b : %c)", NULL, NULL },
  [GT_OP_STOP] = { "%a", "mpfr_set", NULL },
  /* zeta, beta, lbeta, gamma_inc (issue 16): C's <math.h> has no zeta
     and no incomplete gamma; beta and lbeta through tgamma and lgamma
     (overflow for large arguments, a double's accuracy otherwise) */
  [GT_OP_ZETA] = { NULL, "mpfr_zeta", "\\zeta" },
  [GT_OP_ZETA_D] = { NULL, NULL, "\\zeta" },
  [GT_OP_BETA] = { "tgamma(%a) * tgamma(%b) / tgamma(%a + %b)", "mpfr_beta",
                   "\\mathrm{B}" },
  [GT_OP_LBETA] = { "lgamma(%a) + lgamma(%b) - lgamma(%a + %b)", NULL,
                    "\\log|\\mathrm{B}|" },
  [GT_OP_BETA_D] = { NULL, NULL, "\\mathrm{B}" },
  [GT_OP_LBETA_D] = { NULL, NULL, "\\log|\\mathrm{B}|" },
  [GT_OP_GAMMA_INC] = { NULL, "mpfr_gamma_inc", "\\Gamma" },
  [GT_OP_GAMMA_INC_D] = { NULL, NULL, "\\Gamma" },
};

/* The ops that have no entry in emit_ops on purpose (test_emit checks the
   others have one): leaves, grad(y, x, k) and the tensor ops. */
int
gt_emit_op_known(int op)
{
  if (op < 0 || op >= GT_OP_COUNT)
    return 0;
  return emit_ops[op].c || emit_ops[op].mpfr || emit_ops[op].latex;
}

/* ---- exact rationals ------------------------------------------------------- */

__extension__ typedef __int128 I128;

typedef struct Rat {
  int64_t p, q;           /* q > 0, gcd(p, q) = 1 */
} Rat;

static const Rat R0 = { 0, 1 }, R1 = { 1, 1 };

static I128
gcd128(I128 a, I128 b)
{
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    I128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* p/q reduced; *ovf set when it does not fit */
static Rat
rat_make(I128 p, I128 q, int *ovf)
{
  if (q < 0) {
    p = -p;
    q = -q;
  }
  I128 g = gcd128(p, q);
  if (g > 1) {
    p /= g;
    q /= g;
  }
  const I128 lim = (I128)INT64_MAX;
  if (q == 0 || p > lim || p < -lim || q > lim) {
    *ovf = 1;
    return R0;
  }
  Rat r = { (int64_t)p, (int64_t)q };
  return r;
}

static Rat
rat_add(Rat a, Rat b, int *ovf)
{
  return rat_make((I128)a.p * b.q + (I128)b.p * a.q, (I128)a.q * b.q, ovf);
}

static Rat
rat_mul(Rat a, Rat b, int *ovf)
{
  return rat_make((I128)a.p * b.p, (I128)a.q * b.q, ovf);
}

/* a^n for an integer n (a != 0 when n < 0) */
static Rat
rat_pow(Rat a, int64_t n, int *ovf)
{
  Rat r = R1;
  if (n < 0) {
    a = rat_make(a.q, a.p, ovf);
    n = -n;
  }
  for (int64_t k = 0; k < n && !*ovf; k++)
    r = rat_mul(r, a, ovf);
  return r;
}

static int
rat_eq(Rat a, Rat b)
{
  return a.p == b.p && a.q == b.q;
}

/* ---- the rebuilt DAG ----------------------------------------------------- */

enum { EK_NUM, EK_INPUT, EK_OP, EK_SUM, EK_PROD };

typedef struct ENode {
  uint8_t kind;           /* EK_ */
  uint8_t op;             /* EK_OP: GtOp */
  uint8_t exact;          /* EK_NUM: r is the value */
  Rat r;                  /* NUM: value; SUM: constant term; PROD: coef */
  int32_t a, b, c;        /* OP: operands (-1 absent); INPUT: input index
                             a, element b of a tensor input (-1: scalar) */
  uint32_t nk;
  int32_t *kids;          /* SUM terms, PROD bases (sorted, distinct) */
  Rat *ks;                /* SUM coefficients, PROD exponents */
  mpfr_srcptr v;          /* value at the run's point (NULL: not known) */
  const char *text;       /* NUM: "pi" or "e", or NULL */
  int32_t tape;           /* tape node it stands for (-1: none) */
  uint32_t uses;          /* references in the printed DAG */
  uint32_t temp;          /* temporary number (0: none) */
  int printed;            /* temporary defined already */
} ENode;

typedef struct Emit {
  GtSession *s;
  const GtTape *t;
  int alg;                /* algebraic simplification (else exact) */
  int latex;              /* printing LaTeX */
  int dot;                /* Graphviz: no rewriting at all */
  int raw;                /* inside a grad(y, x, k): no rewriting (the
                             Taylor sweep of the re-run must see the
                             recorded operations, whose series round
                             differently from a rewritten form's) */
  const int32_t *used;    /* per tape node: rebuilt (map >= 0), or NULL */
  const char *tpfx;       /* temporaries' names: tpfx1, tpfx2, ... */
  ENode *n;
  size_t nn, cap;
  int32_t *el;            /* the tape's elements, rebuilt (rebuild) */
  unsigned char *need, *dep; /* rebuild's per tape node flags */
  int32_t *trow;          /* C's Taylor blocks: per node, its series' row */
  unsigned char *tmemo;   /* ... and whether it depends on x */
  char **cname;           /* C: the inputs' names, then the items' (NULL:
                             not C) */
  size_t ncname;
  int32_t *tab;           /* hash table of node index + 1 */
  size_t tabcap;
  GtArena arena;          /* kids arrays */
  GtTape hold;            /* numbers made here */
  int ovf;                /* a rational overflowed */
  int soft;               /* ... and the caller falls back (rebuild) */
  size_t limit;           /* nodes at most */
  mpfr_ptr pi, e;         /* at the tape's precision */
} Emit;

static uint64_t
mix(uint64_t h, uint64_t x)
{
  h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

static uint64_t
ehash(const ENode *x)
{
  uint64_t h = mix(x->kind, x->op);
  h = mix(h, (uint64_t)x->r.p);
  h = mix(h, (uint64_t)x->r.q);
  h = mix(h, (uint64_t)(uint32_t)x->a);
  h = mix(h, (uint64_t)(uint32_t)x->b);
  h = mix(h, (uint64_t)(uint32_t)x->c);
  for (uint32_t k = 0; k < x->nk; k++) {
    h = mix(h, (uint64_t)(uint32_t)x->kids[k]);
    h = mix(h, (uint64_t)x->ks[k].p ^ ((uint64_t)x->ks[k].q << 32));
  }
  if (x->kind == EK_NUM && !x->exact && x->v) {
    double d = mpfr_get_d(x->v, MPFR_RNDN);
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    h = mix(h, mpfr_nan_p(x->v) ? 1 : u);
    h = mix(h, (uint64_t)mpfr_get_exp(x->v) * !mpfr_zero_p(x->v));
  }
  return h;
}

static int
same_value(mpfr_srcptr a, mpfr_srcptr b)
{
  if (mpfr_nan_p(a) || mpfr_nan_p(b))
    return mpfr_nan_p(a) && mpfr_nan_p(b);
  return mpfr_equal_p(a, b) && mpfr_signbit(a) == mpfr_signbit(b);
}

static int
eequal(const ENode *x, const ENode *y)
{
  if (x->kind != y->kind || x->op != y->op || x->exact != y->exact
      || !rat_eq(x->r, y->r) || x->a != y->a || x->b != y->b || x->c != y->c
      || x->nk != y->nk || x->text != y->text)
    return 0;
  for (uint32_t k = 0; k < x->nk; k++)
    if (x->kids[k] != y->kids[k] || !rat_eq(x->ks[k], y->ks[k]))
      return 0;
  if (x->kind == EK_NUM && !x->exact)
    return same_value(x->v, y->v);
  return 1;
}

/* errors inside the rebuild jump here */
typedef struct Fail {
  jmp_buf jb;
  const char *why;
} Fail;
static _Thread_local Fail *fail_at;

static _Noreturn void
efail(const char *why)
{
  fail_at->why = why;
  longjmp(fail_at->jb, 1);
}

typedef struct Buf {
  char *s;
  size_t n, cap;
} Buf;
static const char *guard_site(const GtSession *s, int32_t node, Buf *b);

/* efail with the source position of tape node `node` (-1: none) */
static _Noreturn void
efail_at(const Emit *E, int32_t node, const char *why)
{
  static _Thread_local char msg[600];
  Buf where = { 0 };
  const char *site = node >= 0 ? guard_site(E->s, node, &where) : "";
  snprintf(msg, sizeof msg, "%s%s%s", site && site[0] ? site : "",
           site && site[0] ? ": " : "", why);
  free(where.s);
  efail(msg);
}

static int
grow_table(Emit *E)
{
  size_t cap = E->tabcap ? E->tabcap * 2 : 1024;
  int32_t *tab = calloc(cap, sizeof *tab);
  if (tab == NULL)
    return -1;
  for (size_t i = 0; i < E->nn; i++) {
    size_t h = (size_t)ehash(&E->n[i]) & (cap - 1);
    while (tab[h])
      h = (h + 1) & (cap - 1);
    tab[h] = (int32_t)i + 1;
  }
  free(E->tab);
  E->tab = tab;
  E->tabcap = cap;
  return 0;
}

/* The node equal to *x, added when new (its kids copied). */
static int32_t
intern(Emit *E, const ENode *x)
{
  if (E->ovf && !E->soft)
    efail("a rational coefficient does not fit in 64 bits");
  if (2 * (E->nn + 1) > E->tabcap && grow_table(E) != 0)
    efail("out of memory");
  uint64_t hv = ehash(x);
  size_t h = (size_t)hv & (E->tabcap - 1);
  while (E->tab[h]) {
    ENode *y = &E->n[E->tab[h] - 1];
    if (eequal(x, y)) {
      if (y->v == NULL)
        y->v = x->v;
      return E->tab[h] - 1;
    }
    h = (h + 1) & (E->tabcap - 1);
  }
  if (E->nn >= E->limit)
    efail("the emitted expression has more nodes than --max-nodes");
  if (E->nn == E->cap) {
    size_t cap = E->cap ? 2 * E->cap : 256;
    ENode *n = realloc(E->n, cap * sizeof *n);
    if (n == NULL)
      efail("out of memory");
    E->n = n;
    E->cap = cap;
  }
  ENode *y = &E->n[E->nn];
  *y = *x;
  if (x->nk) {
    y->kids = gt_arena_alloc(&E->arena, x->nk * sizeof *y->kids);
    y->ks = gt_arena_alloc(&E->arena, x->nk * sizeof *y->ks);
    if (!y->kids || !y->ks)
      efail("out of memory");
    memcpy(y->kids, x->kids, x->nk * sizeof *y->kids);
    memcpy(y->ks, x->ks, x->nk * sizeof *y->ks);
  }
  E->tab[h] = (int32_t)E->nn + 1;
  return (int32_t)E->nn++;
}

static ENode
proto(int kind)
{
  ENode x;
  memset(&x, 0, sizeof x);
  x.kind = (uint8_t)kind;
  x.r = R0;
  x.a = x.b = x.c = -1;
  x.tape = -1;
  return x;
}

static int32_t
num_rat(Emit *E, Rat r)
{
  ENode x = proto(EK_NUM);
  x.exact = 1;
  x.r = r;
  return intern(E, &x);
}

/* A rational p/q with q <= 10^6 whose value rounds to v, by continued
   fractions (each candidate checked by rounding it to v's precision). */
static int
as_rational(mpfr_srcptr v, Rat *out)
{
  if (!mpfr_number_p(v))
    return 0;
  if (mpfr_integer_p(v)) {
    if (!mpfr_fits_slong_p(v, MPFR_RNDN))
      return 0;
    out->p = mpfr_get_si(v, MPFR_RNDN);
    out->q = 1;
    return 1;
  }
  mpfr_prec_t pr = mpfr_get_prec(v);
  mpfr_t x, f, chk;
  mpfr_inits2(pr + 64, x, f, (mpfr_ptr)0);
  mpfr_init2(chk, pr);
  mpfr_abs(x, v, MPFR_RNDN);
  int64_t p0 = 1, q0 = 0, p1, q1 = 1, found = 0;
  mpfr_floor(f, x);
  if (!mpfr_fits_slong_p(f, MPFR_RNDN) || mpfr_cmp_ui(f, 1UL << 40) > 0)
    goto done;
  p1 = mpfr_get_si(f, MPFR_RNDN);
  for (int it = 0; it < 60; it++) {
    mpfr_set_si(chk, p1, MPFR_RNDN);
    mpfr_div_si(chk, chk, q1, MPFR_RNDN);
    if (mpfr_cmpabs(chk, v) == 0) {
      found = 1;
      break;
    }
    mpfr_frac(f, x, MPFR_RNDN);
    if (mpfr_zero_p(f))
      break;
    mpfr_ui_div(x, 1, f, MPFR_RNDN);
    mpfr_floor(f, x);
    if (mpfr_cmp_ui(f, 1000000) > 0)
      break;
    int64_t a = mpfr_get_si(f, MPFR_RNDN);
    int64_t p2 = a * p1 + p0, q2 = a * q1 + q0;
    if (q2 > 1000000 || p2 > ((int64_t)1 << 50))
      break;
    p0 = p1; q0 = q1; p1 = p2; q1 = q2;
  }
  if (found) {
    out->p = mpfr_signbit(v) ? -p1 : p1;
    out->q = q1;
  }
done:
  mpfr_clears(x, f, chk, (mpfr_ptr)0);
  return (int)found;
}

typedef struct Part {
  int32_t e;
  Rat k;                  /* a term's coefficient or a factor's exponent */
} Part;

typedef struct Parts {
  Part *v;
  size_t n, cap;
} Parts;

static void parts_add(Parts *P, int32_t e, Rat k);
static int32_t prod_build(Emit *E, Parts *in, Rat coef);
static mpfr_ptr fresh(Emit *E);

/* Constants the rules record as numbers, recognised in the algebraic
   form: v = k * C^m for a small rational k, m = +-1 and C one of these
   (log 10 from log10's rule, 2/sqrt(pi) from erf's, ...). */
static const struct {
  const char *text, *latex;
} known[] = {
  { "pi", "\\pi" }, { "e", "e" }, { "log(2)", "\\log 2" },
  { "log(10)", "\\log 10" }, { "sqrt(pi)", "\\sqrt{\\pi}" },
  { "sqrt(2*pi)", "\\sqrt{2\\pi}" }, { "sqrt(2)", "\\sqrt{2}" },
};
enum { NKNOWN = sizeof known / sizeof *known };

static void
known_value(int k, mpfr_ptr c)
{
  switch (k) {
  case 0: mpfr_const_pi(c, MPFR_RNDN); break;
  case 1: mpfr_set_ui(c, 1, MPFR_RNDN); mpfr_exp(c, c, MPFR_RNDN); break;
  case 2: mpfr_const_log2(c, MPFR_RNDN); break;
  case 3: mpfr_set_ui(c, 10, MPFR_RNDN); mpfr_log(c, c, MPFR_RNDN); break;
  case 4: mpfr_const_pi(c, MPFR_RNDN); mpfr_sqrt(c, c, MPFR_RNDN); break;
  case 5:
    mpfr_const_pi(c, MPFR_RNDN);
    mpfr_mul_ui(c, c, 2, MPFR_RNDN);
    mpfr_sqrt(c, c, MPFR_RNDN);
    break;
  default: mpfr_set_ui(c, 2, MPFR_RNDN); mpfr_sqrt(c, c, MPFR_RNDN); break;
  }
}

/* a rational p/q (q <= 1000, |p| <= 10^6) within a few units in the last
   place of r */
static int
near_rational(mpfr_srcptr r, Rat *out)
{
  mpfr_prec_t pr = mpfr_get_prec(r);
  mpfr_t t;
  mpfr_init2(t, pr);
  int found = 0;
  for (int64_t q = 1; q <= 1000 && !found; q++) {
    mpfr_mul_si(t, r, q, MPFR_RNDN);
    mpfr_round(t, t);
    if (!mpfr_fits_slong_p(t, MPFR_RNDN) || mpfr_cmpabs_ui(t, 1000000) > 0)
      break;
    int64_t p = mpfr_get_si(t, MPFR_RNDN);
    if (p == 0)
      continue;
    mpfr_set_si(t, p, MPFR_RNDN);
    mpfr_div_si(t, t, q, MPFR_RNDN);
    mpfr_sub(t, t, r, MPFR_RNDN);
    if (mpfr_zero_p(t)
        || mpfr_get_exp(t) < mpfr_get_exp(r) - (mpfr_exp_t)pr + 6) {
      int ovf = 0;
      *out = rat_make(p, q, &ovf);
      found = !ovf;
    }
  }
  mpfr_clear(t);
  return found;
}

static int32_t
known_atom(Emit *E, int k)
{
  ENode x = proto(EK_NUM);
  mpfr_ptr c = fresh(E);
  known_value(k, c);
  x.v = c;
  x.text = known[k].text;
  return intern(E, &x);
}

/* v as k * C^m with a known constant C, or -1 */
static int32_t
known_multiple(Emit *E, mpfr_srcptr v)
{
  if (!mpfr_regular_p(v))
    return -1;
  mpfr_ptr c = fresh(E), r = fresh(E);
  for (int k = 0; k < NKNOWN; k++)
    for (int m = 1; m >= -1; m -= 2) {
      known_value(k, c);
      if (m > 0)
        mpfr_div(r, v, c, MPFR_RNDN);
      else
        mpfr_mul(r, v, c, MPFR_RNDN);
      Rat q;
      if (near_rational(r, &q)) {
        Parts P = { 0 };
        parts_add(&P, known_atom(E, k), m > 0 ? R1 : (Rat){ -1, 1 });
        int32_t e = prod_build(E, &P, q);
        free(P.v);
        return e;
      }
    }
  return -1;
}

/* A constant of value v (a tape number that outlives E). */
static int32_t
num_val(Emit *E, mpfr_srcptr v)
{
  Rat r;
  if (E->alg && (as_rational(v, &r) || near_rational(v, &r))
      && !(mpfr_zero_p(v) && mpfr_signbit(v)))
    return num_rat(E, r);
  int32_t k = E->alg ? known_multiple(E, v) : -1;
  if (k >= 0)
    return k;
  ENode x = proto(EK_NUM);
  x.v = v;
  return intern(E, &x);
}

/* a fresh number at the tape's precision */
static mpfr_ptr
fresh(Emit *E)
{
  mpfr_ptr v = gt_tape_number(&E->hold);
  if (v == NULL)
    efail("out of memory");
  return v;
}

static int32_t
mk_op(Emit *E, GtOp op, int32_t a, int32_t b, int32_t c, mpfr_srcptr v)
{
  /* polygamma(0, x) and polygamma(1, x) (the derivatives of lgamma and
     digamma are recorded so) are digamma and trigamma, which the C forms
     have */
  int order = -1;
  if (op == GT_OP_POLYGAMMA && a >= 0 && E->n[a].kind == EK_NUM) {
    const ENode *o = &E->n[a];
    if (o->exact && o->r.q == 1 && (o->r.p == 0 || o->r.p == 1))
      order = (int)o->r.p;
    else if (o->v != NULL && (mpfr_cmp_ui(o->v, 0) == 0
                              || mpfr_cmp_ui(o->v, 1) == 0))
      order = mpfr_cmp_ui(o->v, 1) == 0;
  }
  if (order >= 0) {
    op = order == 0 ? GT_OP_DIGAMMA : GT_OP_TRIGAMMA;
    a = b;
    b = -1;
  }
  ENode x = proto(EK_OP);
  x.op = (uint8_t)op;
  x.a = a;
  x.b = b;
  x.c = c;
  x.v = v;
  return intern(E, &x);
}

static int
is_num(const Emit *E, int32_t i)
{
  return i >= 0 && E->n[i].kind == EK_NUM;
}

static int
is_exact(const Emit *E, int32_t i)
{
  return is_num(E, i) && E->n[i].exact;
}

/* ---- algebraic builders: n-ary sums and products --------------------------- */

static void
parts_add(Parts *P, int32_t e, Rat k)
{
  if (P->n == P->cap) {
    size_t cap = P->cap ? 2 * P->cap : 8;
    Part *v = realloc(P->v, cap * sizeof *v);
    if (v == NULL) {
      free(P->v);
      efail("out of memory");
    }
    P->v = v;
    P->cap = cap;
  }
  P->v[P->n].e = e;
  P->v[P->n++].k = k;
}

static int
part_cmp(const void *x, const void *y)
{
  const Part *a = x, *b = y;
  return (a->e > b->e) - (a->e < b->e);
}

/* The sum or product node (kind) of coefficient r and P's terms, interned;
   P's array is freed when out of memory. */
static int32_t
intern_parts(Emit *E, int kind, Rat r, Parts *P)
{
  ENode x = proto(kind);
  x.r = r;
  x.nk = (uint32_t)P->n;
  int32_t *kids = malloc(P->n * sizeof *kids);
  Rat *ks = malloc(P->n * sizeof *ks);
  if (!kids || !ks) {
    free(kids);
    free(ks);
    free(P->v);
    efail("out of memory");
  }
  for (size_t i = 0; i < P->n; i++) {
    kids[i] = P->v[i].e;
    ks[i] = P->v[i].k;
  }
  x.kids = kids;
  x.ks = ks;
  int32_t id = intern(E, &x);
  free(kids);
  free(ks);
  return id;
}

/* Sorts P by node and adds up the k of equal nodes, dropping zeros. */
static void
parts_merge(Emit *E, Parts *P)
{
  if (P->n == 0)
    return; /* P->v may be NULL: qsort must not see it */
  qsort(P->v, P->n, sizeof *P->v, part_cmp);
  size_t j = 0;
  for (size_t i = 0; i < P->n; i++) {
    if (j > 0 && P->v[j - 1].e == P->v[i].e)
      P->v[j - 1].k = rat_add(P->v[j - 1].k, P->v[i].k, &E->ovf);
    else
      P->v[j++] = P->v[i];
    if (P->v[j - 1].k.p == 0)
      j--;
  }
  P->n = j;
}

/* The node of a coefficient-1 product with e's factors. */
static int32_t
prod_unit(Emit *E, int32_t e)
{
  const ENode *x = &E->n[e];
  Parts P = { 0 };
  for (uint32_t k = 0; k < x->nk; k++)
    parts_add(&P, E->n[e].kids[k], E->n[e].ks[k]);
  int32_t r = prod_build(E, &P, R1);
  free(P.v);
  return r;
}

/* The factors of term e (a product's, or e itself to the power 1). */
static uint32_t
term_factors(const Emit *E, int32_t e, const int32_t **kids, const Rat **ks,
             int32_t *self, Rat *one)
{
  const ENode *x = &E->n[e];
  if (x->kind == EK_PROD) {
    *kids = x->kids;
    *ks = x->ks;
    return x->nk;
  }
  *self = e;
  *one = R1;
  *kids = self;
  *ks = one;
  return 1;
}

static int64_t
gcd64(int64_t a, int64_t b)
{
  return (int64_t)gcd128(a, b);
}

static int32_t sum_build(Emit *E, Parts *in);

/* The factors every term of the sum sum k_i t_i has (same base, same
   exponent) taken out, with the rational content of the k_i:
   e^x cos x - x e^x sin x = e^x (cos x - x sin x).  -1 when none. */
static int32_t
factor_common(Emit *E, const Parts *P)
{
  const int32_t *k0, *kt;
  const Rat *x0, *xt;
  int32_t self;
  Rat one;
  Parts common = { 0 };
  uint32_t n0 = term_factors(E, P->v[0].e, &k0, &x0, &self, &one);
  for (uint32_t f = 0; f < n0; f++) {
    /* the same power in every term; or a common denominator: the base
       with a negative integer exponent in every term, the lowest taken
       (1/a^2 - b/a^3 = (a - b)/a^3) */
    int all = E->n[k0[f]].kind != EK_NUM;
    int denom = x0[f].q == 1 && x0[f].p < 0;
    Rat low = x0[f];
    for (size_t t = 1; t < P->n && all; t++) {
      int32_t self2;
      Rat one2;
      uint32_t nt = term_factors(E, P->v[t].e, &kt, &xt, &self2, &one2);
      int found = 0;
      for (uint32_t j = 0; j < nt && !found; j++) {
        if (kt[j] != k0[f])
          continue;
        if (rat_eq(xt[j], x0[f]))
          found = 1;
        else if (denom && xt[j].q == 1 && xt[j].p < 0) {
          found = 1;
          low.p = xt[j].p < low.p ? xt[j].p : low.p;
        }
      }
      all = found;
    }
    if (all)
      parts_add(&common, k0[f], low);
  }
  if (common.n == 0)
    return -1;
  int64_t g = 0, l = 1;
  for (size_t t = 0; t < P->n; t++) {
    g = gcd64(g, P->v[t].k.p);
    int64_t q = P->v[t].k.q, h = gcd64(l, q);
    l = l / h > INT64_MAX / q ? 0 : l / h * q;
    if (l == 0 || l > 1000000000)
      g = l = 1;
  }
  int ovf = 0;
  Rat c = rat_make(g ? g : 1, l, &ovf);
  Rat inv = rat_make(c.q, c.p, &ovf);
  Parts inner = { 0 };
  for (size_t t = 0; t < P->n; t++) {
    Parts Q = { 0 };
    parts_add(&Q, P->v[t].e, R1);
    for (size_t f = 0; f < common.n; f++)
      parts_add(&Q, common.v[f].e, rat_mul(common.v[f].k, (Rat){ -1, 1 },
                                           &E->ovf));
    int32_t q = prod_build(E, &Q, R1);
    free(Q.v);
    parts_add(&inner, q, rat_mul(P->v[t].k, inv, &E->ovf));
  }
  int32_t sum = sum_build(E, &inner);
  free(inner.v);
  parts_add(&common, sum, R1);
  int32_t r = prod_build(E, &common, c);
  free(common.v);
  return r;
}

static uint32_t
n_terms(const ENode *x)
{
  return x->nk + (x->r.p != 0);
}

/* (s1)(s2) multiplied out, when that has no more terms than the longer
   of the two: (1 + x)(1 - x) = 1 - x^2; else -1. */
static int32_t
expand_pair(Emit *E, int32_t s1, int32_t s2)
{
  int32_t one = num_rat(E, R1);
  Parts L[2] = { { 0 }, { 0 } };
  int32_t s[2] = { s1, s2 };
  for (int k = 0; k < 2; k++) {
    const ENode *x = &E->n[s[k]];
    Rat c0 = x->r;
    for (uint32_t j = 0; j < x->nk; j++)
      parts_add(&L[k], E->n[s[k]].kids[j], E->n[s[k]].ks[j]);
    if (c0.p != 0)
      parts_add(&L[k], one, c0);
  }
  Parts out = { 0 };
  for (size_t i = 0; i < L[0].n; i++)
    for (size_t j = 0; j < L[1].n; j++) {
      int32_t a = L[0].v[i].e, b = L[1].v[j].e, t;
      if (a == one)
        t = b;
      else if (b == one)
        t = a;
      else {
        Parts Q = { 0 };
        parts_add(&Q, a, R1);
        parts_add(&Q, b, R1);
        t = prod_build(E, &Q, R1);
        free(Q.v);
      }
      parts_add(&out, t, rat_mul(L[0].v[i].k, L[1].v[j].k, &E->ovf));
    }
  int32_t r = sum_build(E, &out);
  free(out.v);
  uint32_t most = L[0].n > L[1].n ? (uint32_t)L[0].n : (uint32_t)L[1].n;
  free(L[0].v);
  free(L[1].v);
  if (E->n[r].kind == EK_SUM && n_terms(&E->n[r]) > most)
    return -1;
  return r;
}

/* sum of k_i e_i (in is consumed: freed by the caller) */
static int32_t
sum_build(Emit *E, Parts *in)
{
  Parts P = { 0 };
  Rat c0 = R0;
  for (size_t i = 0; i < in->n; i++) {
    int32_t e = in->v[i].e;
    Rat k = in->v[i].k;
    const ENode *x = &E->n[e];
    if (x->kind == EK_NUM && x->exact)
      c0 = rat_add(c0, rat_mul(k, x->r, &E->ovf), &E->ovf);
    else if (x->kind == EK_SUM) {
      c0 = rat_add(c0, rat_mul(k, x->r, &E->ovf), &E->ovf);
      for (uint32_t j = 0; j < x->nk; j++)
        parts_add(&P, E->n[e].kids[j], rat_mul(k, E->n[e].ks[j], &E->ovf));
    } else if (x->kind == EK_PROD && !rat_eq(x->r, R1)) {
      Rat kk = rat_mul(k, x->r, &E->ovf);
      parts_add(&P, prod_unit(E, e), kk);
    } else
      parts_add(&P, e, k);
  }
  parts_merge(E, &P);
  int32_t r;
  if (P.n == 0)
    r = num_rat(E, c0);
  else if (P.n == 1 && c0.p == 0) {
    Parts Q = { 0 };
    parts_add(&Q, P.v[0].e, R1);
    r = rat_eq(P.v[0].k, R1) ? P.v[0].e : prod_build(E, &Q, P.v[0].k);
    free(Q.v);
  } else if (c0.p == 0 && (r = factor_common(E, &P)) >= 0) {
    /* a common factor taken out */
  } else {
    r = intern_parts(E, EK_SUM, c0, &P);
  }
  free(P.v);
  return r;
}

/* The positive rational content of sum e (gcd of the numerators over the
   lcm of the denominators of its coefficients and constant) in *c;
   returns 0 when it is 1. */
static int
sum_content(const Emit *E, int32_t e, Rat *c)
{
  const ENode *x = &E->n[e];
  int64_t g = x->r.p ? (x->r.p < 0 ? -x->r.p : x->r.p) : 0, l = x->r.q;
  for (uint32_t k = 0; k < x->nk; k++) {
    g = gcd64(g, x->ks[k].p);
    int64_t q = x->ks[k].q, h = gcd64(l, q);
    if (l / h > 1000000000 / q)
      return 0;
    l = l / h * q;
  }
  if (g == 0 || (g == 1 && l == 1))
    return 0;
  int ovf = 0;
  *c = rat_make(g, l, &ovf);
  return !ovf;
}

/* sum e with every coefficient times k */
static int32_t
sum_scaled(Emit *E, int32_t e, Rat k)
{
  Parts Q = { 0 };
  const ENode *x = &E->n[e];
  Rat c0 = rat_mul(x->r, k, &E->ovf);
  for (uint32_t j = 0; j < x->nk; j++)
    parts_add(&Q, E->n[e].kids[j], rat_mul(E->n[e].ks[j], k, &E->ovf));
  if (c0.p != 0)
    parts_add(&Q, num_rat(E, c0), R1);
  int32_t r = sum_build(E, &Q);
  free(Q.v);
  return r;
}

static int32_t alg_op(Emit *E, GtOp op, int32_t a, int32_t b, int32_t c);
static int is_op(const Emit *E, int32_t i, GtOp op);

/* Factors that combine into one: exp(a) exp(b) = exp(a + b);
   b^m (b^e)^k = b^(k e + m) for a power with a variable exponent; sin(a)^k cos(a)^-k = tan(a)^k.  Each holds wherever
   both sides are defined.  Changes P and returns 1 when one applied. */
static int
combine_factors(Emit *E, Parts *P)
{
  size_t n = P->n;
  /* exp(a)^j exp(b)^k = exp(j a + k b) */
  Parts args = { 0 };
  for (size_t i = 0; i < n; i++)
    if (is_op(E, P->v[i].e, GT_OP_EXP) && P->v[i].k.q == 1)
      parts_add(&args, E->n[P->v[i].e].a, P->v[i].k);
  if (args.n >= 2) {
    int32_t sum = sum_build(E, &args);
    free(args.v);
    int32_t x = alg_op(E, GT_OP_EXP, sum, -1, -1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
      if (!(is_op(E, P->v[i].e, GT_OP_EXP) && P->v[i].k.q == 1))
        P->v[j++] = P->v[i];
    P->n = j;
    parts_add(P, x, R1);
    return 1;
  }
  free(args.v);
  for (size_t i = 0; i < n; i++) {
    int32_t e = P->v[i].e;
    /* b^m (b^x)^k with a variable x */
    if (is_op(E, e, GT_OP_POW) && P->v[i].k.q == 1)
      for (size_t j = 0; j < n; j++)
        if (j != i && P->v[j].e == E->n[e].a) {
          Parts Q = { 0 };
          parts_add(&Q, E->n[e].b, P->v[i].k);
          parts_add(&Q, num_rat(E, P->v[j].k), R1);
          int32_t x = sum_build(E, &Q);
          free(Q.v);
          P->v[i].e = alg_op(E, GT_OP_POW, E->n[e].a, x, -1);
          P->v[i].k = R1;
          P->v[j] = P->v[--P->n];
          return 1;
        }
    /* sin(a)^k cos(a)^-k = tan(a)^k */
    if (is_op(E, e, GT_OP_SIN) && P->v[i].k.q == 1)
      for (size_t j = 0; j < n; j++)
        if (is_op(E, P->v[j].e, GT_OP_COS)
            && E->n[P->v[j].e].a == E->n[e].a && P->v[j].k.q == 1
            && P->v[j].k.p == -P->v[i].k.p) {
          P->v[i].e = alg_op(E, GT_OP_TAN, E->n[e].a, -1, -1);
          P->v[j] = P->v[--P->n];
          return 1;
        }
  }
  return 0;
}

/* coef * prod e_i^k_i */
static int32_t
prod_build(Emit *E, Parts *in, Rat coef)
{
  Parts P = { 0 };
  Rat c;
  for (size_t i = 0; i < in->n; i++) {
    int32_t e = in->v[i].e;
    Rat x = in->v[i].k;
    const ENode *n = &E->n[e];
    int integer = x.q == 1;
    if (n->kind == EK_NUM && n->exact && integer
        && (n->r.p != 0 || x.p > 0))
      coef = rat_mul(coef, rat_pow(n->r, x.p, &E->ovf), &E->ovf);
    else if (n->kind == EK_SUM && integer && sum_content(E, e, &c) != 0) {
      /* 2 sin x - 2 cos x = 2 (sin x - cos x) */
      coef = rat_mul(coef, rat_pow(c, x.p, &E->ovf), &E->ovf);
      parts_add(&P, sum_scaled(E, e, rat_make(c.q, c.p, &E->ovf)), x);
    } else if (n->kind == EK_PROD && integer && n->r.p != 0) {
      coef = rat_mul(coef, rat_pow(n->r, x.p, &E->ovf), &E->ovf);
      for (uint32_t j = 0; j < n->nk; j++)
        parts_add(&P, E->n[e].kids[j], rat_mul(E->n[e].ks[j], x, &E->ovf));
    } else
      parts_add(&P, e, x);
  }
  parts_merge(E, &P);
  int32_t r;
  if (combine_factors(E, &P)) {
    r = prod_build(E, &P, coef);
    free(P.v);
    return r;
  }
  /* two sums to the power 1: multiply them out if that is no longer */
  size_t s1 = P.n, s2 = P.n;
  for (size_t i = 0; i < P.n; i++)
    if (E->n[P.v[i].e].kind == EK_SUM && rat_eq(P.v[i].k, R1)) {
      if (s1 == P.n)
        s1 = i;
      else if (s2 == P.n)
        s2 = i;
    }
  if (s2 < P.n && coef.p != 0) {
    int32_t x = expand_pair(E, P.v[s1].e, P.v[s2].e);
    if (x >= 0) {
      P.v[s1].e = x;
      P.v[s2] = P.v[--P.n];
      r = prod_build(E, &P, coef);
      free(P.v);
      return r;
    }
  }
  if (coef.p == 0)
    r = num_rat(E, R0);
  else if (P.n == 0)
    r = num_rat(E, coef);
  else if (P.n == 1 && rat_eq(P.v[0].k, R1) && rat_eq(coef, R1))
    r = P.v[0].e;
  else {
    r = intern_parts(E, EK_PROD, coef, &P);
  }
  free(P.v);
  return r;
}

static int32_t
alg2(Emit *E, int sum, int32_t a, Rat ka, int32_t b, Rat kb)
{
  Parts P = { 0 };
  parts_add(&P, a, ka);
  if (b >= 0)
    parts_add(&P, b, kb);
  int32_t r = sum ? sum_build(E, &P) : prod_build(E, &P, R1);
  free(P.v);
  return r;
}

/* the square root of c when both its terms are squares */
static int
rat_sqrt(Rat c, Rat *root)
{
  int64_t s[2] = { c.p, c.q };
  for (int k = 0; k < 2; k++) {
    int64_t r = (int64_t)sqrtl((long double)s[k]);
    while (r * r > s[k])
      r--;
    while ((r + 1) * (r + 1) <= s[k])
      r++;
    if (r * r != s[k])
      return 0;
    s[k] = r;
  }
  root->p = s[0];
  root->q = s[1];
  return 1;
}

/* A function of exact constants whose value is an integer folds to it
   (floor(5/2) = 2, abs(-3) = 3, exp(0) = 1, x < 1 at constants). */
static int32_t
fold_exact(Emit *E, GtOp op, int32_t a, int32_t b, int32_t c)
{
  const GtOpInfo *info = &gt_ops[op];
  if (info->fwd == NULL || op == GT_OP_TAYLOR)
    return -1;
  int32_t ops[3] = { a, b, c };
  mpfr_ptr vals[3] = { NULL, NULL, NULL };
  for (int k = 0; k < 3; k++)
    if (ops[k] >= 0) {
      if (!is_exact(E, ops[k]))
        return -1;
      vals[k] = fresh(E);
      mpfr_set_si(vals[k], E->n[ops[k]].r.p, MPFR_RNDN);
      mpfr_div_si(vals[k], vals[k], E->n[ops[k]].r.q, MPFR_RNDN);
    }
  mpfr_ptr y = fresh(E);
  info->fwd(y, vals[0], vals[1], vals[2]);
  Rat r;
  if (mpfr_integer_p(y) && as_rational(y, &r))
    return num_rat(E, r);
  return -1;
}

/* op(a, b, c) in the algebraic form */
static int32_t
alg_op(Emit *E, GtOp op, int32_t a, int32_t b, int32_t c)
{
  Rat m1 = { -1, 1 };
  switch (op) {
  case GT_OP_NEG:
    return alg2(E, 1, a, m1, -1, R0);
  case GT_OP_ADD:
    return alg2(E, 1, a, R1, b, R1);
  case GT_OP_SUB:
    return alg2(E, 1, a, R1, b, m1);
  case GT_OP_MUL:
    return alg2(E, 0, a, R1, b, R1);
  case GT_OP_DIV:
    return alg2(E, 0, a, R1, b, m1);
  case GT_OP_POW:
    if (is_exact(E, b) && llabs(E->n[b].r.p) < 1000000)
      return alg2(E, 0, a, E->n[b].r, -1, R0);
    break;
  case GT_OP_STOP:
    if (is_num(E, a))
      return a;
    break;
  case GT_OP_SQRT: {
    /* sqrt(c s) = sqrt(c) sqrt(s) for a rational c > 0 that is a square
       (1/(2 sqrt((4 - x^2)/4)) = 1/sqrt(4 - x^2)) */
    const ENode *x = &E->n[a];
    Rat c = x->r, root;
    if (x->kind == EK_PROD && c.p > 0 && !rat_eq(c, R1)
        && rat_sqrt(c, &root)) {
      int32_t u = prod_unit(E, a);
      return alg2(E, 0, mk_op(E, GT_OP_SQRT, u, -1, -1, NULL), R1,
                  num_rat(E, root), R1);
    }
    break;
  }
  case GT_OP_WHERE:
    if (is_exact(E, a))
      return E->n[a].r.p != 0 ? b : c;
    if (b == c)
      return b;
    break;
  default:
    break;
  }
  int32_t f = fold_exact(E, op, a, b, c);
  return f >= 0 ? f : mk_op(E, op, a, b, c, NULL);
}

/* ---- value-preserving builders --------------------------------------------- */

static int
num_is(const Emit *E, int32_t i, long k)
{
  return is_num(E, i) && E->n[i].v && mpfr_cmp_si(E->n[i].v, k) == 0;
}

static int
is_op(const Emit *E, int32_t i, GtOp op)
{
  return E->n[i].kind == EK_OP && E->n[i].op == op;
}

/* Is the value at the run's point known to be other than -0 (so that
   x + 0 = x)?  And not any zero? */
static int
not_negzero(const Emit *E, int32_t i)
{
  mpfr_srcptr v = E->n[i].v;
  return v && !(mpfr_zero_p(v) && mpfr_signbit(v));
}

static int
nonzero(const Emit *E, int32_t i)
{
  mpfr_srcptr v = E->n[i].v;
  return v && !mpfr_zero_p(v) && !mpfr_nan_p(v);
}

static int32_t exact_op(Emit *E, GtOp op, int32_t a, int32_t b, int32_t c,
                        mpfr_srcptr v);

static int32_t
exact_neg(Emit *E, int32_t a)
{
  if (is_op(E, a, GT_OP_NEG))
    return E->n[a].a;
  mpfr_ptr v = NULL;
  if (E->n[a].v) {
    v = fresh(E);
    mpfr_neg(v, E->n[a].v, MPFR_RNDN);
  }
  if (is_num(E, a))
    return num_val(E, v);
  return mk_op(E, GT_OP_NEG, a, -1, -1, v);
}

/* op(a, b, c) rewritten only where the value stays the same at every
   point and precision (v: the value at the run's point, or NULL) */
static int32_t
exact_op(Emit *E, GtOp op, int32_t a, int32_t b, int32_t c, mpfr_srcptr v)
{
  if (E->dot || E->raw)
    return mk_op(E, op, a, b, c, v);
  int consts = gt_ops[op].fwd != NULL && op != GT_OP_TAYLOR && v != NULL;
  int32_t ops[3] = { a, b, c };
  for (int k = 0; k < 3; k++)
    if (ops[k] >= 0 && !is_num(E, ops[k]))
      consts = 0;
  if (consts)
    return num_val(E, v);
  switch (op) {
  case GT_OP_NEG:
    return exact_neg(E, a);
  case GT_OP_MUL:
  case GT_OP_DIV:
    if (num_is(E, b, 1))
      return a;
    if (op == GT_OP_MUL && num_is(E, a, 1))
      return b;
    if (num_is(E, b, -1))
      return exact_neg(E, a);
    if (op == GT_OP_MUL && num_is(E, a, -1))
      return exact_neg(E, b);
    if (is_op(E, a, GT_OP_NEG) || is_op(E, b, GT_OP_NEG)) {
      int na = is_op(E, a, GT_OP_NEG), nb = is_op(E, b, GT_OP_NEG);
      int32_t x = exact_op(E, op, na ? E->n[a].a : a, nb ? E->n[b].a : b,
                           -1, NULL);
      return na && nb ? x : exact_neg(E, x);
    }
    if (op == GT_OP_MUL && a == b) {
      mpfr_ptr two = fresh(E);
      mpfr_set_ui(two, 2, MPFR_RNDN);
      return mk_op(E, GT_OP_POW, a, num_val(E, two), -1, v);
    }
    break;
  case GT_OP_ADD:
    if (is_num(E, b) && mpfr_zero_p(E->n[b].v)
        && (mpfr_signbit(E->n[b].v) || not_negzero(E, a)))
      return a;
    if (is_num(E, a) && mpfr_zero_p(E->n[a].v)
        && (mpfr_signbit(E->n[a].v) || not_negzero(E, b)))
      return b;
    if (is_op(E, b, GT_OP_NEG))
      return exact_op(E, GT_OP_SUB, a, E->n[b].a, -1, v);
    if (is_op(E, a, GT_OP_NEG))
      return exact_op(E, GT_OP_SUB, b, E->n[a].a, -1, v);
    break;
  case GT_OP_SUB:
    if (is_num(E, b) && mpfr_zero_p(E->n[b].v)
        && (!mpfr_signbit(E->n[b].v) || not_negzero(E, a)))
      return a;
    if (is_num(E, a) && mpfr_zero_p(E->n[a].v) && !mpfr_signbit(E->n[a].v)
        && nonzero(E, b))
      return exact_neg(E, b);
    if (is_op(E, b, GT_OP_NEG))
      return exact_op(E, GT_OP_ADD, a, E->n[b].a, -1, v);
    break;
  case GT_OP_POW:
    if (num_is(E, b, 1))
      return a;
    break;
  default:
    break;
  }
  return mk_op(E, op, a, b, c, v);
}

/* ---- from the tape ---------------------------------------------------------- */

/* Tensors are written out element by element: each tape node stands for
   its elements, node i's element k being E->el[map[i] + k], each a
   scalar node of the rebuilt DAG.  The tensor ops become the scalar
   operations that tensor.c's value rules perform, in the same order and
   with the same roundings (a sum is ((0 + a_0) + a_1) + ..., a matrix
   product's element ((0 + a_0 b_0) + a_1 b_1) + ..., reduce_max a chain
   of max), so that the emitted program computes the same bits; indexing,
   reshapes, transposes and broadcasts only pick elements and make no
   node.  Hash-consing shares equal elements, so the rebuilt DAG has at
   most as many nodes as the run did elementary operations. */

static unsigned char *input_dependence(const GtTape *t);

/* element k of tape node i */
#define EL(E, map, i, k) ((E)->el[(map)[i] + (long)(k)])

/* op(a, b, c) on scalar nodes, its value at the run's point v computed by
   the op's forward rule when not given (the partial sums of a reduction
   are on no tape) */
static int32_t
el_op(Emit *E, GtOp op, int32_t a, int32_t b, int32_t c, mpfr_srcptr v)
{
  if (E->alg)
    return alg_op(E, op, a, b, c);
  if (v == NULL && gt_ops[op].fwd && E->n[a].v
      && (b < 0 || E->n[b].v) && (c < 0 || E->n[c].v)) {
    mpfr_ptr y = fresh(E);
    gt_ops[op].fwd(y, E->n[a].v, b >= 0 ? E->n[b].v : NULL,
                   c >= 0 ? E->n[c].v : NULL);
    v = y;
  }
  return exact_op(E, op, a, b, c, v);
}

/* the constant +0 or 1 */
static int32_t
el_const(Emit *E, long k)
{
  if (E->alg)
    return num_rat(E, (Rat){ k, 1 });
  mpfr_ptr v = fresh(E);
  mpfr_set_si(v, k, MPFR_RNDN);
  return num_val(E, v);
}

/* acc + x as tensor.c's loops add, from acc = +0 (acc < 0): 0 + x is x
   itself unless x is -0 */
static int32_t
acc_add(Emit *E, int32_t acc, int32_t x)
{
  if (acc >= 0)
    return el_op(E, GT_OP_ADD, acc, x, -1, NULL);
  if (E->alg || not_negzero(E, x))
    return x;
  return el_op(E, GT_OP_ADD, el_const(E, 0), x, -1, NULL);
}

/* the flat offset of element k of shape ys in an operand whose strides
   along ys's axes are st */
static long
walk_off(const GtShape *ys, const long *st, size_t k)
{
  long off = 0;
  for (int d = ys->rank - 1; d >= 0; d--) {
    off += st[d] * (long)(k % ys->dim[d]);
    k /= ys->dim[d];
  }
  return off;
}

/* node i's elements from its operands' (all rebuilt already) */
static void
rebuild_tensor(Emit *E, int32_t i, const int32_t *map)
{
  const GtTape *t = E->t;
  const GtNode *n = &t->nodes[i];
  const GtShape *ys = gt_node_shape(t, i);
  int32_t *y = &E->el[map[i]];
  long st[GT_MAX_RANK];
  GtStrideWalk w;
  switch (n->op) {
  case GT_OP_STACK: {
    const int32_t *ops = t->xargs + n->a;
    size_t each = n->b ? ys->size / (size_t)n->b : 0;
    for (int32_t k = 0; k < n->b; k++)
      for (size_t j = 0; j < each; j++)
        y[(size_t)k * each + j] = EL(E, map, ops[k], j);
    return;
  }
  case GT_OP_EXPAND:
  case GT_OP_TRANSPOSE:
  case GT_OP_VIEW: {
    const GtShape *as = gt_node_shape(t, n->a);
    long off0 = 0;
    if (n->op == GT_OP_EXPAND)
      gt_bcast_strides(ys, as, st);
    else if (n->op == GT_OP_TRANSPOSE) {
      long ast[GT_MAX_RANK];
      gt_row_strides(as, ast);
      for (int d = 0; d < as->rank; d++)
        st[d] = ast[as->rank - 1 - d];
    } else {
      GtView vt;
      const GtView *v = gt_view_at(t, n->param, &vt);
      memcpy(st, v->stride, sizeof st);
      off0 = (long)v->offset;
    }
    gt_stride_walk_init(&w, ys, st, off0);
    for (size_t k = 0; k < ys->size; k++, gt_stride_walk_next(&w))
      y[k] = EL(E, map, n->a, w.off);
    return;
  }
  case GT_OP_RESHAPE:
    for (size_t k = 0; k < ys->size; k++)
      y[k] = EL(E, map, n->a, k);
    return;
  case GT_OP_SUMTO:
  case GT_OP_SCATTER: {
    /* y = +0 everywhere, then a's elements added where they land */
    const GtShape *as = gt_node_shape(t, n->a);
    long off0 = 0;
    if (n->op == GT_OP_SUMTO)
      gt_bcast_strides(as, ys, st);
    else {
      GtView vt;
      const GtView *v = gt_view_at(t, n->param, &vt);
      memcpy(st, v->stride, sizeof st);
      off0 = (long)v->offset;
    }
    for (size_t k = 0; k < ys->size; k++)
      y[k] = -1;
    gt_stride_walk_init(&w, as, st, off0);
    for (size_t k = 0; k < as->size; k++, gt_stride_walk_next(&w))
      y[w.off] = acc_add(E, y[w.off], EL(E, map, n->a, k));
    break;
  }
  case GT_OP_SETVIEW: {
    GtView vt;
    const GtView *v = gt_view_at(t, n->param, &vt);
    const GtShape *bs = gt_node_shape(t, n->b);
    for (size_t k = 0; k < ys->size; k++)
      y[k] = EL(E, map, n->a, k);
    gt_stride_walk_init(&w, bs, v->stride, (long)v->offset);
    for (size_t k = 0; k < bs->size; k++, gt_stride_walk_next(&w))
      y[w.off] = EL(E, map, n->b, k);
    return;
  }
  case GT_OP_ASSEMBLE: {
    const int32_t *ops = t->xargs + n->a;
    for (size_t k = 0; k < ys->size; k++)
      y[k] = n->aux ? EL(E, map, ops[0], k) : -1;
    for (size_t k = n->aux; k < (size_t)n->b; k++) {
      GtView vt;
      const GtView *v = gt_view_at(
          t, (uint32_t)t->xargs[n->a + n->b + (int32_t)k - n->aux], &vt);
      const GtShape *os = gt_node_shape(t, ops[k]);
      gt_stride_walk_init(&w, os, v->stride, (long)v->offset);
      for (size_t j = 0; j < os->size; j++, gt_stride_walk_next(&w))
        y[w.off] = acc_add(E, y[w.off], EL(E, map, ops[k], j));
    }
    break;
  }
  case GT_OP_SUM:
  case GT_OP_MEAN:
  case GT_OP_PROD:
  case GT_OP_RMAX:
  case GT_OP_RMIN: {
    /* lanes as tensor.c's reduce_fwd: lane o is a's elements base(o) +
       j step, j < lane */
    const GtShape *as = gt_node_shape(t, n->a);
    int axis = (int)n->aux - 1;
    size_t lane = axis < 0 ? as->size : as->dim[axis], inner = 1;
    for (int d = axis + 1; axis >= 0 && d < as->rank; d++)
      inner *= as->dim[d];
    size_t step = axis < 0 ? 1 : inner;
    GtOp op = (GtOp)n->op;
    for (size_t o = 0; o < ys->size; o++) {
      size_t base = axis < 0 ? 0 : (o / inner) * inner * lane + o % inner;
      int32_t acc = -1;
      for (size_t j = 0; j < lane; j++) {
        int32_t x = EL(E, map, n->a, base + j * step);
        if (op == GT_OP_SUM || op == GT_OP_MEAN)
          acc = acc_add(E, acc, x);
        else if (j == 0)
          acc = x;      /* 1 * x = x, and the extreme starts at x */
        else
          acc = el_op(E, op == GT_OP_PROD ? GT_OP_MUL
                         : op == GT_OP_RMAX ? GT_OP_MAX : GT_OP_MIN,
                      acc, x, -1, NULL);
      }
      if (acc < 0)
        acc = el_const(E, op == GT_OP_PROD ? 1 : 0);
      if (op == GT_OP_MEAN)
        acc = el_op(E, GT_OP_DIV, acc, el_const(E, (long)lane), -1, NULL);
      y[o] = acc;
    }
    return;
  }
  case GT_OP_MATMUL: {
    const GtShape *as = gt_node_shape(t, n->a), *bs = gt_node_shape(t, n->b);
    size_t m = as->rank == 2 ? as->dim[0] : 1;
    size_t kk = as->rank == 2 ? as->dim[1] : as->dim[0];
    size_t nn = bs->rank == 2 ? bs->dim[1] : 1;
    for (size_t r = 0; r < m; r++)
      for (size_t c = 0; c < nn; c++) {
        int32_t acc = -1;
        for (size_t j = 0; j < kk; j++)
          acc = acc_add(E, acc, el_op(E, GT_OP_MUL,
                                      EL(E, map, n->a, r * kk + j),
                                      EL(E, map, n->b, j * nn + c), -1,
                                      NULL));
        y[r * nn + c] = acc < 0 ? el_const(E, 0) : acc;
      }
    return;
  }
  case GT_OP_NORM: {
    /* sqrt(sum a_k^2): tensor.c scales by a power of 2, which changes no
       rounding while nothing overflows or underflows */
    const GtShape *as = gt_node_shape(t, n->a);
    int32_t acc = -1;
    for (size_t k = 0; k < as->size; k++) {
      int32_t x = EL(E, map, n->a, k);
      acc = acc_add(E, acc, el_op(E, GT_OP_MUL, x, x, -1, NULL));
    }
    if (acc < 0)
      acc = el_const(E, 0);
    y[0] = el_op(E, GT_OP_SQRT, acc, -1, -1, n->v);
    return;
  }
  default:
    efail("a tensor operation that --emit cannot write yet");
  }
  /* the elements nothing was added to are +0 */
  for (size_t k = 0; k < ys->size; k++)
    if (y[k] < 0)
      y[k] = el_const(E, 0);
}

/* The nodes of the tape that the roots use, rebuilt: map[i] for each
   (others -1) is where node i's elements start in E->el.  Fails on what
   cannot be written. */
static void
rebuild(Emit *E, const int32_t *roots, size_t nroots, int32_t *map)
{
  const GtTape *t = E->t;
  int32_t hi = -1;
  for (size_t k = 0; k < nroots; k++)
    hi = roots[k] > hi ? roots[k] : hi;
  /* owned by E until the end (ctx_free), so that a failure (a limit,
     deep in intern) leaks neither */
  unsigned char *need = E->need = calloc((size_t)hi + 2, 1);
  if (need == NULL)
    efail("out of memory");
  unsigned char *dep = E->dep = input_dependence(t);
  for (size_t k = 0; k < nroots; k++)
    need[roots[k]] = 1;
  size_t total = 0;
  for (int32_t i = hi; i >= 0; i--) {
    if (!need[i])
      continue;
    const GtNode *n = &t->nodes[i];
    /* a value that depends on no input is a constant: its numbers, not
       how the run computed them (the algebraic form keeps a scalar's
       formula, sqrt(2) say, where it can be recognised) */
    if (!dep[i] && (!E->alg || n->shape || gt_is_tensor_op((GtOp)n->op))) {
      need[i] = 2;
      total += gt_node_size(t, i);
      continue;
    }
    if (n->op == GT_OP_TAYLOR) {
      /* written grad(Y, x, k), Y the rebuilt y: x must be an input of the
         emitted program, and y's operations are kept as recorded */
      const GtNode *xn = &t->nodes[n->b];
      if (xn->op != GT_OP_INPUT || xn->shape != 0)
        efail_at(E, i, "grad(y, x, k) in Taylor mode with x an "
                 "intermediate value (not a scalar input) cannot be "
                 "emitted: the emitted program has no such variable to "
                 "differentiate in");
      need[i] |= 4;
      need[n->a] |= 4;
    }
    if (need[i] & 4) {
      /* the cone of a Taylor-mode grad's y */
      int32_t buf4[3];
      const int32_t *ops4;
      size_t no4 = gt_node_operands(t, i, buf4, &ops4);
      for (size_t k = 0; k < no4; k++)
        if (ops4[k] >= 0)
          need[ops4[k]] |= 4;
    }
    total += gt_node_size(t, i);
    int32_t buf[3];
    const int32_t *ops;
    size_t no = gt_node_operands(t, i, buf, &ops);
    for (size_t k = 0; k < no; k++)
      if (ops[k] >= 0)
        need[ops[k]] |= 1;
  }
  if (total >= E->limit || total >= INT32_MAX) {
    efail("the emitted expression has more nodes than --max-nodes");
  }
  E->el = malloc((total + 1) * sizeof *E->el);
  if (E->el == NULL) {
    efail("out of memory");
  }
  size_t next = 0;
  for (int32_t i = 0; i <= hi; i++) {
    map[i] = -1;
    if (!need[i])
      continue;
    const GtNode *n = &t->nodes[i];
    const GtShape *ys = gt_node_shape(t, i);
    E->raw = (need[i] & 4) != 0;
    map[i] = (int32_t)next;
    next += ys->size;
    int32_t *y = &E->el[map[i]];
    if (n->op == GT_OP_CONST || (need[i] & 3) == 2) {
      for (size_t k = 0; k < ys->size; k++)
        y[k] = num_val(E, &n->v[k]);
    } else if (n->op == GT_OP_INPUT) {
      ENode x = proto(EK_INPUT);
      for (size_t k = 0; k < E->s->prog->ninputs; k++)
        if (E->s->res.input_nodes[k] == i)
          x.a = (int32_t)k;
      if (x.a < 0) {
          efail("an input node of the tape has no name");
      }
      for (size_t k = 0; k < ys->size; k++) {
        x.b = n->shape ? (int32_t)k : -1;
        x.v = &n->v[k];
        y[k] = intern(E, &x);
      }
    } else if (n->op == GT_OP_TAYLOR) {
      /* the order k rides in r, so that grad(y, x, 2) and grad(y, x, 3)
         stay apart */
      ENode x = proto(EK_OP);
      x.op = GT_OP_TAYLOR;
      x.a = EL(E, map, n->a, 0);
      x.b = EL(E, map, n->b, 0);
      x.c = -1;
      x.r = (Rat){ n->aux, 1 };
      x.v = n->v;
      y[0] = intern(E, &x);
    } else if (gt_is_tensor_op((GtOp)n->op)) {
      rebuild_tensor(E, i, map);
    } else {
      /* elementwise, the operands broadcast to i's shape */
      int32_t opn[3] = { n->a, n->b, n->c };
      long ost[3][GT_MAX_RANK];
      for (int j = 0; j < 3; j++)
        if (opn[j] >= 0)
          gt_bcast_strides(ys, gt_node_shape(t, opn[j]), ost[j]);
      for (size_t k = 0; k < ys->size; k++) {
        int32_t x[3] = { -1, -1, -1 };
        for (int j = 0; j < 3; j++)
          if (opn[j] >= 0)
            x[j] = EL(E, map, opn[j], walk_off(ys, ost[j], k));
        /* where the algebraic form's coefficients overflow 64-bit
           rationals (0.1^29, 1/29!), a constant is written as its value
           and an operation as it was recorded */
        E->soft = E->alg;
        y[k] = el_op(E, (GtOp)n->op, x[0], x[1], x[2], &n->v[k]);
        E->soft = 0;
        if (E->ovf) {
          E->ovf = 0;
          y[k] = !dep[i] ? num_val(E, &n->v[k])
                         : mk_op(E, (GtOp)n->op, x[0], x[1], x[2], NULL);
        }
      }
    }
    for (size_t k = 0; k < ys->size; k++)
      if (E->n[y[k]].tape < 0)
        E->n[y[k]].tape = i;
  }
  E->raw = 0;
}

/* ---- text ----------------------------------------------------------------- */

static void
bput(Buf *b, const char *t)
{
  size_t m = strlen(t);
  if (b->n + m + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->n + m + 1 > cap)
      cap *= 2;
    char *s = realloc(b->s, cap);
    if (s == NULL)
      efail("out of memory");
    b->s = s;
    b->cap = cap;
  }
  memcpy(b->s + b->n, t, m + 1);
  b->n += m;
  if (b->n > ((size_t)1 << 28))
    efail("the emitted text would exceed 256 MB: try --emit=gt, which "
          "shares subexpressions");
}

static void bprintf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
bprintf(Buf *b, const char *fmt, ...)
{
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (m < (int)sizeof small) {
    bput(b, small);
    return;
  }
  char *big = malloc((size_t)m + 1);
  if (big == NULL)
    efail("out of memory");
  va_start(ap, fmt);
  vsnprintf(big, (size_t)m + 1, fmt, ap);
  va_end(ap);
  bput(b, big);
  free(big);
}

/* precedence levels of the language, low to high */
enum { P_LOW, P_NOT, P_CMP, P_SUM, P_PROD, P_NEG, P_POW, P_ATOM };

static const char *
input_name(const Emit *E, int32_t e)
{
  const GtProgram *p = E->s->prog;
  return E->s->names.text[p->inputs[E->n[e].a].name];
}

/* v as the shortest decimal that reads back to it at its precision */
static void
put_number(Buf *b, mpfr_srcptr v)
{
  if (mpfr_zero_p(v) && mpfr_signbit(v)) {
    bput(b, "-0");
    return;
  }
  char *s = gt_format_number(v, 0);
  if (s == NULL)
    efail("out of memory");
  bput(b, s);
  free(s);
}

static int
infix_cmp(GtOp op)
{
  return (gt_ops[op].flags & GT_OPF_CMP) != 0;
}

static const char *
cmp_latex(GtOp op)
{
  switch (op) {
  case GT_OP_EQ: return " = ";
  case GT_OP_NE: return " \\ne ";
  case GT_OP_LT: return " < ";
  case GT_OP_LE: return " \\le ";
  case GT_OP_GT: return " > ";
  default: return " \\ge ";
  }
}

static void pr(Emit *E, Buf *b, int32_t e, int ctx);

/* the precedence of node e as printed by pr */
static int
own_prec(const Emit *E, int32_t e)
{
  const ENode *x = &E->n[e];
  switch (x->kind) {
  case EK_NUM:
    if (x->exact)
      return x->r.p < 0 ? P_NEG : x->r.q != 1 ? P_PROD : P_ATOM;
    return x->v && mpfr_signbit(x->v) && !mpfr_nan_p(x->v) ? P_NEG : P_ATOM;
  case EK_INPUT:
    return P_ATOM;
  case EK_SUM:
    return P_SUM;
  case EK_PROD:
    if (x->r.p < 0)
      return P_NEG;
    if (x->nk == 1 && x->r.p == 1 && x->r.q == 1 && x->ks[0].p > 0)
      return x->ks[0].q == 2 && x->ks[0].p == 1 ? P_ATOM : P_POW;
    return P_PROD;
  default:
    break;
  }
  switch (x->op) {
  case GT_OP_NEG: return P_NEG;
  case GT_OP_ADD: case GT_OP_SUB: return P_SUM;
  case GT_OP_MUL: case GT_OP_DIV: case GT_OP_MOD: case GT_OP_FLOORDIV:
    return E->latex && (x->op == GT_OP_DIV || x->op == GT_OP_FLOORDIV)
               ? P_ATOM : P_PROD;
  case GT_OP_POW: return P_POW;
  case GT_OP_NOT: return P_NOT;
  default: return infix_cmp((GtOp)x->op) ? P_CMP : P_ATOM;
  }
}

static void
open_paren(Emit *E, Buf *b, int wrap)
{
  if (wrap)
    bput(b, E->latex ? "\\left(" : "(");
}

static void
close_paren(Emit *E, Buf *b, int wrap)
{
  if (wrap)
    bput(b, E->latex ? "\\right)" : ")");
}

static void
pr_rat(Emit *E, Buf *b, Rat r)
{
  if (r.q == 1)
    bprintf(b, "%lld", (long long)r.p);
  else if (E->latex)
    bprintf(b, "%s\\frac{%lld}{%lld}", r.p < 0 ? "-" : "",
            (long long)llabs(r.p), (long long)r.q);
  else
    bprintf(b, "%lld/%lld", (long long)r.p, (long long)r.q);
}

/* base^x for a rational x > 0 */
static void
pr_power(Emit *E, Buf *b, int32_t base, Rat x)
{
  if (rat_eq(x, R1)) {
    pr(E, b, base, P_NEG + 1);
    return;
  }
  if (x.p == 1 && x.q == 2) {
    bput(b, E->latex ? "\\sqrt{" : "sqrt(");
    pr(E, b, base, P_LOW);
    bput(b, E->latex ? "}" : ")");
    return;
  }
  pr(E, b, base, P_POW + 1);
  if (E->latex) {
    bput(b, "^{");
    pr_rat(E, b, x);
    bput(b, "}");
  } else if (x.q == 1)
    bprintf(b, "^%lld", (long long)x.p);
  else
    bprintf(b, "^(%lld/%lld)", (long long)x.p, (long long)x.q);
}

/* the factors f[0..n) with positive (num) or negative exponents, joined */
static int
pr_factors(Emit *E, Buf *b, const int32_t *kids, const Rat *ks, uint32_t n,
           int num, int64_t lead)
{
  int any = 0;
  if (lead != 1) {
    bprintf(b, "%lld", (long long)lead);
    any = 1;
  }
  for (uint32_t k = 0; k < n; k++) {
    if ((ks[k].p > 0) != num)
      continue;
    if (any)
      bput(b, E->latex ? (E->n[kids[k]].kind == EK_NUM && !E->n[kids[k]].text
                          ? " \\cdot " : " ")
                       : "*");
    Rat x = ks[k];
    x.p = x.p < 0 ? -x.p : x.p;
    pr_power(E, b, kids[k], x);
    any = 1;
  }
  return any;
}

/* coef * prod kids^ks, coef's sign printed as a leading minus */
static void
pr_product(Emit *E, Buf *b, const int32_t *kids, const Rat *ks, uint32_t n,
           Rat coef)
{
  if (coef.p < 0) {
    bput(b, "-");
    coef.p = -coef.p;
  }
  int nden = coef.q != 1, nnum = 0;
  for (uint32_t k = 0; k < n; k++) {
    nden += ks[k].p < 0;
    nnum += ks[k].p > 0;
  }
  if (E->latex && nden) {
    bput(b, "\\frac{");
    if (!pr_factors(E, b, kids, ks, n, 1, coef.p))
      bput(b, "1");
    bput(b, "}{");
    pr_factors(E, b, kids, ks, n, 0, coef.q);
    bput(b, "}");
    return;
  }
  if (!pr_factors(E, b, kids, ks, n, 1, coef.p))
    bput(b, "1");
  if (!nden)
    return;
  bput(b, "/");
  int one = nden == 1;
  uint32_t only = 0;
  for (uint32_t k = 0; k < n; k++)
    if (ks[k].p < 0)
      only = k;
  if (one && coef.q == 1 && ks[only].p == -1 && ks[only].q == 1) {
    pr(E, b, kids[only], P_NEG + 1); /* a/sin(x), a/(x + 1), a/x^2 */
    return;
  }
  if (one && coef.q != 1) {
    bprintf(b, "%lld", (long long)coef.q);
    return;
  }
  if (one && coef.q == 1) {
    Rat x = ks[only];
    x.p = -x.p;
    pr_power(E, b, kids[only], x);
    return;
  }
  bput(b, "(");
  pr_factors(E, b, kids, ks, n, 0, coef.q);
  bput(b, ")");
}

/* one term k * e of a sum, k's sign left to the caller */
static void
pr_term(Emit *E, Buf *b, int32_t e, Rat k)
{
  const ENode *x = &E->n[e];
  Rat one = R1;
  if (x->kind == EK_PROD)
    pr_product(E, b, x->kids, x->ks, x->nk, rat_mul(k, x->r, &E->ovf));
  else
    pr_product(E, b, &e, &one, 1, k);
}

/* a term's degree in the inputs, for the order terms are printed in */
static int64_t
degree(const Emit *E, int32_t e)
{
  const ENode *x = &E->n[e];
  if (x->kind == EK_INPUT)
    return 1;
  int64_t d = 0;
  if (x->kind == EK_PROD)
    for (uint32_t k = 0; k < x->nk; k++)
      if (E->n[x->kids[k]].kind == EK_INPUT && x->ks[k].q == 1)
        d += x->ks[k].p;
  return d;
}

/* highest degree first (x^2 + x + 1), a positive term first when there
   is one (x - 1, 1 - x, not -1 + x), the constant last unless it is the
   only positive term */
static void
pr_sum(Emit *E, Buf *b, const ENode *x)
{
  uint32_t n = x->nk, *ord = malloc((n + 1) * sizeof *ord);
  if (ord == NULL)
    efail("out of memory");
  for (uint32_t k = 0; k < n; k++)
    ord[k] = k;
  for (uint32_t i = 1; i < n; i++)     /* insertion sort: stable */
    for (uint32_t j = i; j > 0 && degree(E, x->kids[ord[j]])
                                      > degree(E, x->kids[ord[j - 1]]); j--) {
      uint32_t t = ord[j];
      ord[j] = ord[j - 1];
      ord[j - 1] = t;
    }
  uint32_t first = 0;
  while (first < n && x->ks[ord[first]].p < 0)
    first++;
  int lead_const = first == n && x->r.p > 0;
  if (first == n)
    first = 0;
  if (lead_const)
    pr_rat(E, b, x->r);
  for (uint32_t j = 0; j < n; j++) {
    uint32_t k = ord[j == 0 ? first : j <= first ? j - 1 : j];
    Rat c = x->ks[k];
    if (j > 0 || lead_const)
      bput(b, c.p < 0 ? " - " : " + ");
    else if (c.p < 0)
      bput(b, "-");
    c.p = c.p < 0 ? -c.p : c.p;
    pr_term(E, b, x->kids[k], c);
  }
  free(ord);
  if (x->r.p != 0 && !lead_const) {
    Rat c = x->r;
    bput(b, c.p < 0 ? " - " : " + ");
    c.p = c.p < 0 ? -c.p : c.p;
    pr_rat(E, b, c);
  }
}

static const char *
latex_fn(GtOp op)
{
  return emit_ops[op].latex;
}

/* The integer of a constant node (a derivative order), or -1. */
static long
num_long(const Emit *E, int32_t e)
{
  const ENode *x = &E->n[e];
  if (x->kind != EK_NUM)
    return -1;
  if (x->exact)
    return x->r.q == 1 && x->r.p >= 0 ? (long)x->r.p : -1;
  if (x->v && mpfr_integer_p(x->v) && mpfr_sgn(x->v) >= 0
      && mpfr_fits_slong_p(x->v, MPFR_RNDN))
    return mpfr_get_si(x->v, MPFR_RNDN);
  return -1;
}

/* The orders (i, j) of zeta_d (j = 0), beta_d and lbeta_d (c = i 2^16 +
   j) and gamma_inc_d (c = i, j = 0) */
static void
deriv_orders(const Emit *E, const ENode *x, long *i, long *j)
{
  int whole = x->op == GT_OP_ZETA_D || x->op == GT_OP_GAMMA_INC_D;
  long m = num_long(E, x->op == GT_OP_ZETA_D ? x->b : x->c);
  if (m < 0)
    efail("a derivative of zeta, beta or gamma_inc of unknown order");
  *i = whole ? m : m / 65536;
  *j = whole ? 0 : m % 65536;
}

static int
is_deriv_op(int op)
{
  return op == GT_OP_ZETA_D || op == GT_OP_BETA_D || op == GT_OP_LBETA_D
         || op == GT_OP_GAMMA_INC_D;
}

/* zeta_d, beta_d, lbeta_d, gamma_inc_d: the recorded derivatives of zeta,
   beta, lbeta and gamma_inc (in a), which the language does not name.  The gt form nests grad() of
   the function in its named arguments (name_temps names them): its
   recorded rules give the same op times the seed 1, the same number;
   expr and LaTeX write the order as a superscript. */
static void
pr_deriv_op(Emit *E, Buf *b, const ENode *x)
{
  long i, j;
  deriv_orders(E, x, &i, &j);
  int zeta = x->op == GT_OP_ZETA_D;
  const char *fn = zeta ? "zeta" : x->op == GT_OP_BETA_D ? "beta"
                    : x->op == GT_OP_GAMMA_INC_D ? "gamma_inc" : "lbeta";
  if (E->latex || E->alg) {
    if (E->latex)
      bprintf(b, "%s", emit_ops[x->op].latex);
    else
      bput(b, fn);
    if (zeta)
      bprintf(b, E->latex ? "^{(%ld)}\\left(" : "^(%ld)(", i);
    else
      bprintf(b, E->latex ? "^{(%ld,%ld)}\\left(" : "^(%ld,%ld)(", i, j);
    pr(E, b, x->a, P_LOW);
    if (!zeta) {
      bput(b, ", ");
      pr(E, b, x->b, P_LOW);
    }
    bput(b, E->latex ? "\\right)" : ")");
    return;
  }
  if (!zeta && i > 0 && j > 0 && x->a == x->b)
    efail("a mixed derivative of beta(t, t) cannot be written with grad(): "
          "use --emit=expr");
  /* grad() in one argument is the total derivative: it would also go
     through the other argument when that one is the same name or
     depends on it (beta(t, t), beta(x, t1) with t1 = 2*x); the argument
     not differentiated is held by stop_gradient */
  int hold_a = !zeta && i == 0;
  int hold_b = !zeta && j == 0;
  for (long k = 0; k < i + j; k++)
    bput(b, "grad(");
  bprintf(b, "%s(", fn);
  if (hold_a)
    bput(b, "stop_gradient(");
  pr(E, b, x->a, hold_a ? P_LOW : P_ATOM);
  if (hold_a)
    bput(b, ")");
  if (!zeta) {
    bput(b, hold_b ? ", stop_gradient(" : ", ");
    pr(E, b, x->b, hold_b ? P_LOW : P_ATOM);
    if (hold_b)
      bput(b, ")");
  }
  bput(b, ")");
  for (long k = 0; k < i + j; k++) {
    bput(b, ", ");
    pr(E, b, k < i ? x->a : x->b, P_ATOM);
    bput(b, ")");
  }
}

/* a call, an infix operation, in the language or LaTeX */
static void
pr_op(Emit *E, Buf *b, const ENode *x)
{
  GtOp op = (GtOp)x->op;
  const char *nm = gt_ops[op].name;
  int32_t ops[3] = { x->a, x->b, x->c };
  if (infix_cmp(op)) {
    pr(E, b, x->a, P_CMP + 1);
    if (E->latex)
      bput(b, cmp_latex(op));
    else
      bprintf(b, " %s ", nm);
    pr(E, b, x->b, P_CMP + 1);
    return;
  }
  switch (op) {
  case GT_OP_NEG:
    bput(b, "-");
    pr(E, b, x->a, P_NEG + 1);
    return;
  case GT_OP_FLOORDIV: /* the exact quotient's floor */
    bput(b, E->latex ? "\\left\\lfloor \\frac{" : "");
    pr(E, b, x->a, E->latex ? P_LOW : P_PROD);
    bput(b, E->latex ? "}{" : " // ");
    pr(E, b, x->b, E->latex ? P_LOW : P_PROD + 1);
    bput(b, E->latex ? "} \\right\\rfloor" : "");
    return;
  case GT_OP_ADD: case GT_OP_SUB: case GT_OP_MUL: case GT_OP_DIV:
  case GT_OP_MOD: {
    int p = op == GT_OP_ADD || op == GT_OP_SUB ? P_SUM : P_PROD;
    if (E->latex && op == GT_OP_DIV) {
      bput(b, "\\frac{");
      pr(E, b, x->a, P_LOW);
      bput(b, "}{");
      pr(E, b, x->b, P_LOW);
      bput(b, "}");
      return;
    }
    pr(E, b, x->a, p);
    if (E->latex)
      bput(b, op == GT_OP_MUL ? " \\cdot " : op == GT_OP_MOD ? " \\bmod "
                                                             : op == GT_OP_ADD ? " + " : " - ");
    else
      bput(b, op == GT_OP_ADD ? " + " : op == GT_OP_SUB ? " - "
              : op == GT_OP_MUL ? "*" : op == GT_OP_DIV ? "/" : " % ");
    pr(E, b, x->b, p + 1);
    return;
  }
  case GT_OP_POW:
    pr(E, b, x->a, P_POW + 1);
    bput(b, E->latex ? "^{" : "^");
    pr(E, b, x->b, E->latex ? P_LOW : P_POW);
    if (E->latex)
      bput(b, "}");
    return;
  case GT_OP_NOT:
    bput(b, E->latex ? "\\neg " : "not ");
    pr(E, b, x->a, P_NOT);
    return;
  default:
    break;
  }
  if (is_deriv_op(op)) {
    pr_deriv_op(E, b, x);
    return;
  }
  if (op == GT_OP_TAYLOR) {
    /* grad(y, x, k) computed in Taylor mode: the language's own call, or
       the k-th derivative operator in LaTeX */
    long k = (long)x->r.p;
    if (E->latex) {
      bput(b, "\\frac{d");
      if (k != 1)
        bprintf(b, "^{%ld}", k);
      bput(b, "}{d");
      pr(E, b, x->b, P_ATOM);
      if (k != 1)
        bprintf(b, "^{%ld}", k);
      bput(b, "}\\left(");
      pr(E, b, x->a, P_LOW);
      bput(b, "\\right)");
      return;
    }
    bput(b, "grad(");
    pr(E, b, x->a, P_LOW);
    bput(b, ", ");
    pr(E, b, x->b, P_LOW);
    bprintf(b, ", %ld)", k);
    return;
  }
  if (op == GT_OP_TRIGAMMA && !E->latex) {
    /* the language spells trigamma polygamma(1, x) */
    bput(b, "polygamma(1, ");
    pr(E, b, x->a, P_LOW);
    bput(b, ")");
    return;
  }
  if (E->latex && (op == GT_OP_POLYGAMMA || op == GT_OP_BESSELJ
                   || op == GT_OP_BESSELY)) {
    /* \psi^{(n)}(x), J_{n}(x), Y_{n}(x) */
    bput(b, op == GT_OP_POLYGAMMA ? "\\psi^{(" : op == GT_OP_BESSELJ
                                                  ? "J_{" : "Y_{");
    pr(E, b, x->a, P_LOW);
    bput(b, op == GT_OP_POLYGAMMA ? ")}\\left(" : "}\\left(");
    pr(E, b, x->b, P_LOW);
    bput(b, "\\right)");
    return;
  }
  if (E->latex) {
    if (op == GT_OP_SQRT || op == GT_OP_ABS || op == GT_OP_EXP) {
      bput(b, op == GT_OP_SQRT ? "\\sqrt{" : op == GT_OP_ABS ? "\\left|"
                                                             : "e^{");
      pr(E, b, x->a, P_LOW);
      bput(b, op == GT_OP_ABS ? "\\right|" : "}");
      return;
    }
    if (latex_fn(op))
      bprintf(b, "%s\\left(", latex_fn(op));
    else
      bprintf(b, "\\operatorname{%s}\\left(", nm);
  } else
    bprintf(b, "%s(", nm);
  for (int k = 0; k < 3 && ops[k] >= 0; k++) {
    if (k)
      bput(b, ", ");
    pr(E, b, ops[k], P_LOW);
  }
  bput(b, E->latex ? "\\right)" : ")");
}

/* the input's shape */
static const GtShape *
input_shape(const Emit *E, int32_t input)
{
  return gt_node_shape(E->t, E->s->res.input_nodes[input]);
}

/* element k of shape s as an index: [i, j] (style 0, the language's),
   [i][j] (1, the text output's labels) or _{i,j} (2, LaTeX) */
static void
put_index(Buf *b, const GtShape *s, size_t k, int style)
{
  size_t idx[GT_MAX_RANK];
  for (int d = s->rank - 1; d >= 0; d--) {
    idx[d] = s->dim[d] ? k % s->dim[d] : 0;
    k = s->dim[d] ? k / s->dim[d] : 0;
  }
  bput(b, style == 2 ? "_{" : "[");
  for (int d = 0; d < s->rank; d++)
    bprintf(b, "%s%zu", d == 0 ? "" : style == 0 ? ", " : style == 1
            ? "][" : ",", idx[d]);
  bput(b, style == 2 ? "}" : "]");
}

static void pr_input_name(Emit *E, Buf *b, int32_t e);

static void
pr_input(Emit *E, Buf *b, int32_t e)
{
  pr_input_name(E, b, e);
  if (E->n[e].b >= 0)
    put_index(b, input_shape(E, E->n[e].a), (size_t)E->n[e].b,
              E->latex ? 2 : 0);
}

static void
pr_input_name(Emit *E, Buf *b, int32_t e)
{
  const char *nm = input_name(E, e);
  static const char *greek[] = { "alpha", "beta", "gamma", "delta",
    "epsilon", "theta", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau",
    "phi", "chi", "psi", "omega", NULL };
  if (!E->latex) {
    bput(b, nm);
    return;
  }
  for (int k = 0; greek[k]; k++)
    if (strcmp(nm, greek[k]) == 0) {
      bprintf(b, "\\%s", nm);
      return;
    }
  if (strlen(nm) == 1) {
    bput(b, nm);
    return;
  }
  bput(b, "\\mathit{");
  for (const char *p = nm; *p; p++)
    bput(b, *p == '_' ? "\\_" : (char[2]){ *p, 0 });
  bput(b, "}");
}

static const char *
known_latex(const char *text)
{
  for (int k = 0; k < NKNOWN; k++)
    if (strcmp(known[k].text, text) == 0)
      return known[k].latex;
  return text;
}

/* node e, parenthesized when its precedence is below ctx; in exact mode a
   node with a temporary prints as its name */
static void
pr(Emit *E, Buf *b, int32_t e, int ctx)
{
  const ENode *x = &E->n[e];
  if (x->temp && x->printed) {
    bprintf(b, "%s%u", E->tpfx, x->temp);
    return;
  }
  int wrap = own_prec(E, e) < ctx;
  open_paren(E, b, wrap);
  switch (x->kind) {
  case EK_NUM:
    if (x->exact)
      pr_rat(E, b, x->r);
    else if (x->text)
      bput(b, E->latex ? known_latex(x->text) : x->text);
    else
      put_number(b, x->v);
    break;
  case EK_INPUT:
    pr_input(E, b, e);
    break;
  case EK_SUM:
    pr_sum(E, b, x);
    break;
  case EK_PROD:
    pr_product(E, b, x->kids, x->ks, x->nk, x->r);
    break;
  default:
    pr_op(E, b, x);
    break;
  }
  close_paren(E, b, wrap);
}

/* ---- what to emit ---------------------------------------------------------- */

typedef struct Item {
  char *label;            /* as the text output names it: y, dy/dx */
  char *ident;            /* an identifier: y, dy_dx */
  int32_t node;           /* on the tape */
  int32_t e;              /* rebuilt: its elements are E->el[e + k] */
  GtShape shape;          /* the tape node's (rank 0: a scalar) */
  int order;
  const char *of;
  const char **wrt;
} Item;

typedef struct Job {
  size_t *idx;            /* record_all's scratch */
  int32_t *pre;
  Item *items;
  size_t n, cap;
  int32_t *onodes, *wnodes;
  const char **onames, **wnames;
  size_t no, nw;
} Job;

static GtStatus
emit_error(GtSession *s, GtStatus st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static GtStatus
emit_error(GtSession *s, GtStatus st, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  GtSpan nowhere = { 0, 0, 0 };
  gt_diag_vadd(&s->diags, GT_SEV_ERROR, NULL, nowhere, fmt, ap);
  va_end(ap);
  return st;
}

static int
is_ident(const char *s)
{
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
          || (*s >= '0' && *s <= '9') || *s == '_'))
      return 0;
  return 1;
}

/* "d2z/dxdy" and "d2z_dxdy" for d^order(of)/d wrt[0] ... */
static void
labels(Item *it)
{
  Buf l = { 0 }, id = { 0 };
  const char *of = it->of;
  int wrap = !is_ident(of);
  if (it->order == 0) {
    bput(&l, of);
  } else {
    if (it->order > 1)
      bprintf(&l, "d%d", it->order);
    else
      bput(&l, "d");
    bprintf(&l, "%s%s%s/", wrap ? "(" : "", of, wrap ? ")" : "");
    for (int i = 0; i < it->order;) {
      int j = i;
      while (j < it->order && strcmp(it->wrt[j], it->wrt[i]) == 0)
        j++;
      if (j - i > 1)
        bprintf(&l, "d%s%d", it->wrt[i], j - i);
      else
        bprintf(&l, "d%s", it->wrt[i]);
      i = j;
    }
  }
  for (const char *p = l.s; *p; p++) {
    char c = *p;
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
             || (c >= '0' && c <= '9') || c == '_';
    char ch[2] = { ok ? c : '_', 0 };
    if (!ok && (c == '(' || c == ')' || c == ' '))
      continue;
    if (!ok && id.n && id.s[id.n - 1] == '_')
      continue;
    bput(&id, ch);
  }
  if (id.n == 0 || (id.s[0] >= '0' && id.s[0] <= '9'))
    bput(&id, "_");
  it->label = l.s;
  it->ident = id.s;
}

static void
job_add(Job *J, const char *of, const char **wrt, int order, int32_t node)
{
  if (J->n == J->cap) {
    size_t cap = J->cap ? 2 * J->cap : 8;
    Item *v = realloc(J->items, cap * sizeof *v);
    if (v == NULL) {
      free((void *)wrt);
      efail("out of memory");
    }
    J->items = v;
    J->cap = cap;
  }
  Item *it = &J->items[J->n++];
  memset(it, 0, sizeof *it);
  it->of = of;
  it->wrt = wrt;
  it->order = order;
  it->node = node;
  it->e = -1;
  labels(it);
}

static void
job_free(Job *J)
{
  for (size_t i = 0; i < J->n; i++) {
    free(J->items[i].label);
    free(J->items[i].ident);
    free(J->items[i].wrt);
  }
  free(J->items);
  free(J->idx);
  free(J->pre);
  free(J->onodes);
  free(J->wnodes);
  free(J->onames);
  free(J->wnames);
}

/* The node a name stands for after the run: an input, else the final
   binding of a top-level name; -1 when none. */
static int32_t
named_node(const GtSession *s, const char *name)
{
  long i = gt_session_input_index(s, name);
  if (i >= 0 && s->res.input_nodes[i] >= 0)
    return s->res.input_nodes[i];
  int32_t slot = gt_program_global(s->prog, name);
  if (slot < GT_NPREDEF)
    return -1;
  return s->res.globals[slot];
}

static GtStatus
find_request(GtSession *s, Job *J, const char *const *of, size_t nof,
             const char *const *wrt, size_t nwrt)
{
  size_t no = nof ? nof : s->res.nout;
  size_t nw = nwrt ? nwrt : s->prog->ninputs;
  J->onodes = malloc((no + 1) * sizeof *J->onodes);
  J->onames = malloc((no + 1) * sizeof *J->onames);
  J->wnodes = malloc((nw + 1) * sizeof *J->wnodes);
  J->wnames = malloc((nw + 1) * sizeof *J->wnames);
  if (!J->onodes || !J->onames || !J->wnodes || !J->wnames)
    return emit_error(s, GT_ERUNTIME, "out of memory");
  for (size_t i = 0; i < no; i++) {
    if (nof) {
      int32_t n = -1;
      for (size_t k = 0; k < s->res.nout; k++)
        if (strcmp(s->names.text[s->res.out_names[k]], of[i]) == 0)
          n = s->res.out_nodes[k];
      if (n < 0)
        n = named_node(s, of[i]);
      if (n < 0)
        return emit_error(s, GT_EUSAGE, "--of: the program has no output "
                          "or variable named '%s'", of[i]);
      J->onodes[J->no] = n;
      J->onames[J->no++] = of[i];
    } else {
      J->onodes[J->no] = s->res.out_nodes[i];
      J->onames[J->no++] = s->names.text[s->res.out_names[i]];
    }
  }
  for (size_t i = 0; i < nw; i++) {
    const char *nm;
    int32_t n;
    if (nwrt) {
      nm = wrt[i];
      n = named_node(s, nm);
      if (n < 0)
        return emit_error(s, GT_EUSAGE, "--wrt: the program has no input "
                          "or variable named '%s'", nm);
    } else {
      n = s->res.input_nodes[i];
      nm = s->names.text[s->prog->inputs[i].name];
      if (n < 0)
        continue;
    }
    int dup = 0;
    for (size_t k = 0; k < J->nw; k++)
      dup |= strcmp(J->wnames[k], nm) == 0;
    if (dup)
      continue;
    J->wnodes[J->nw] = n;
    J->wnames[J->nw++] = nm;
  }
  return GT_OK;
}

/* The derivatives of order K, recorded: for each output, each
   nondecreasing K-tuple of names (mixed partials once, as the text
   output lists them), K levels of recorded reverse sweeps, the levels
   of a common prefix shared. */
static void
record_all(GtRec *r, Job *J, int order)
{
  for (size_t o = 0; o < J->no; o++)
    job_add(J, J->onames[o], NULL, 0, J->onodes[o]);
  if (order == 0 || J->nw == 0)
    return;
  size_t *idx = J->idx = calloc((size_t)order + 1, sizeof *idx);
  int32_t *pre = J->pre = malloc(((size_t)order + 1) * sizeof *pre);
  if (idx == NULL || pre == NULL)
    efail("out of memory");
  for (size_t o = 0; o < J->no; o++) {
    memset(idx, 0, (size_t)order * sizeof *idx);
    pre[0] = J->onodes[o];
    int valid = 0;              /* levels of pre[] that match idx */
    for (;;) {
      for (int d = valid; d < order; d++)
        gt_rev_record(r, pre[d], &J->wnodes[idx[d]], 1, &pre[d + 1]);
      gt_rec_check_nan(r, pre[order]);
      const char **w = malloc((size_t)order * sizeof *w);
      if (w == NULL)
        efail("out of memory");
      for (int d = 0; d < order; d++)
        w[d] = J->wnames[idx[d]];
      job_add(J, J->onames[o], w, order, pre[order]);
      /* the next nondecreasing tuple */
      int d = order - 1;
      while (d >= 0 && idx[d] == J->nw - 1)
        d--;
      if (d < 0)
        break;
      idx[d]++;
      for (int k = d + 1; k < order; k++)
        idx[k] = idx[d];
      valid = d;
    }
  }
}

enum { G_TRUE = 0, G_FALSE = 1, G_INT = 2 };

struct Guards {
  int32_t *node, *rhs, *map;
  size_t *nel, *rel;      /* the elements of node and rhs meant */
  int32_t *at;            /* the tape node whose source the guard names */
  uint32_t *xs;           /* the expression deciding, 0: at's */
  int *cmp;               /* GtOp, or GT_OP_COUNT: the node itself */
  int *kind;              /* G_ */
  long *val;              /* G_INT: the integer */
  size_t n;
  int32_t site;           /* guard_add's at */
  size_t el[2];           /* guard_add's nel and rel */
  uint32_t xsite;         /* guard_add's xs */
};

/* ---- the printers ---------------------------------------------------------- */

/* Guards of the run whose node depends on an input: decisions the
   emitted form holds for only.  dep: per tape node, depends on an input. */
static unsigned char *
input_dependence(const GtTape *t)
{
  unsigned char *dep = calloc(t->n + 1, 1);
  if (dep == NULL)
    efail("out of memory");
  for (size_t i = 0; i < t->n; i++) {
    const GtNode *n = &t->nodes[i];
    if (n->op == GT_OP_INPUT)
      dep[i] = 1;
    else if (n->flags & GT_NF_NARY) {
      for (int32_t k = 0; k < n->b; k++)
        dep[i] |= dep[t->xargs[n->a + k]];
    } else
      dep[i] = (n->a >= 0 && dep[n->a]) || (n->b >= 0 && dep[n->b])
               || (n->c >= 0 && dep[n->c]);
  }
  return dep;
}

/* counts the references to each node reachable from e (first visit
   recurses) */
static void
count_uses(Emit *E, int32_t e)
{
  ENode *x = &E->n[e];
  if (x->uses++ > 0)
    return;
  if (x->kind == EK_OP) {
    if (x->a >= 0) count_uses(E, x->a);
    if (x->b >= 0) count_uses(E, x->b);
    if (x->c >= 0) count_uses(E, x->c);
  }
  for (uint32_t k = 0; k < x->nk; k++)
    count_uses(E, x->kids[k]);
}

/* expr and latex: one line per item */
static void
print_tree(Emit *E, Buf *b, const Job *J)
{
  int partial = E->s->prog->ninputs > 1;
  if (E->latex)
    bput(b, "\\begin{align*}\n");
  for (size_t i = 0; i < J->n; i++) {
    const Item *it = &J->items[i];
    int tensor = it->shape.rank > 0;
    for (size_t el = 0; el < it->shape.size; el++) {
      if (!E->latex) {
        bput(b, it->label);
        if (tensor)
          put_index(b, &it->shape, el, 1);
        bput(b, " = ");
      } else if (it->order == 0) {
        bput(b, is_ident(it->of) ? it->of : "f");
        if (tensor)
          put_index(b, &it->shape, el, 2);
        bput(b, " &= ");
      } else {
        const char *d = partial ? "\\partial " : "d";
        if (tensor)
          bput(b, "\\left(");
        if (it->order > 1)
          bprintf(b, "\\frac{%s^{%d} %s}{", partial ? "\\partial" : "d",
                  it->order, it->of);
        else
          bprintf(b, "\\frac{%s%s}{", d, it->of);
        for (int k = 0; k < it->order;) {
          int j = k;
          while (j < it->order && strcmp(it->wrt[j], it->wrt[k]) == 0)
            j++;
          bprintf(b, "%s%s%s", k ? " " : "", d, it->wrt[k]);
          if (j - k > 1)
            bprintf(b, "^{%d}", j - k);
          k = j;
        }
        bput(b, "}");
        if (tensor) {
          bput(b, "\\right)");
          put_index(b, &it->shape, el, 2);
        }
        bput(b, " &= ");
      }
      pr(E, b, E->el[it->e + (long)el], P_LOW);
      int last = i + 1 == J->n && el + 1 == it->shape.size;
      bput(b, E->latex ? (!last ? " \\\\\n" : "\n") : "\n");
    }
  }
  if (E->latex)
    bput(b, "\\end{align*}\n");
}

/* Is name prefix followed by digits only? */
static int
prefixed_number(const char *name, const char *prefix)
{
  size_t n = strlen(prefix);
  if (strncmp(name, prefix, n) != 0 || name[n] == '\0')
    return 0;
  for (const char *p = name + n; *p; p++)
    if (*p < '0' || *p > '9')
      return 0;
  return 1;
}

/* the temporaries' prefix: one that no input or item uses, alone or
   followed by digits */
static void
choose_prefix(Emit *E, const Job *J)
{
  static const char *pfx[] = { "t", "tmp", "t_", "tmp_", "_t", "_tmp_" };
  const GtProgram *p = E->s->prog;
  E->tpfx = "_tmp_";
  for (size_t k = 0; k < sizeof pfx / sizeof *pfx; k++) {
    int clash = 0;
    for (size_t i = 0; i < p->ninputs; i++) {
      const char *nm = E->s->names.text[p->inputs[i].name];
      clash |= prefixed_number(nm, pfx[k]) || strcmp(nm, pfx[k]) == 0;
    }
    for (size_t i = 0; i < J->n; i++)
      clash |= prefixed_number(J->items[i].ident, pfx[k])
               || strcmp(J->items[i].ident, pfx[k]) == 0;
    if (!clash) {
      E->tpfx = pfx[k];
      break;
    }
  }
}

/* numbers the temporaries of the gt form: the nodes used twice */
static void
name_temps(Emit *E, const Job *J)
{
  (void)J;
  uint32_t next = 0;
  for (size_t i = 0; i < E->nn; i++) {
    ENode *x = &E->n[i];
    if (x->uses >= 2 && x->kind != EK_NUM && x->kind != EK_INPUT)
      x->temp = ++next;
    /* grad(zeta(t), t) and grad(beta(t, u), u) need names */
    if (x->kind == EK_OP && is_deriv_op(x->op)) {
      long di, dj;
      deriv_orders(E, x, &di, &dj);
      int32_t w[2] = { di > 0 ? x->a : -1, dj > 0 ? x->b : -1 };
      for (int k = 0; k < 2; k++)
        if (w[k] >= 0 && E->n[w[k]].kind != EK_INPUT && !E->n[w[k]].temp)
          E->n[w[k]].temp = ++next;
    }
    /* grad(digamma(t), t) needs a name */
    if (x->kind == EK_OP && x->op == GT_OP_TRIGAMMA
        && (E->n[x->a].kind != EK_INPUT || E->n[x->a].b >= 0)
        && !E->n[x->a].temp)
      E->n[x->a].temp = ++next;
  }
}

/* defines, in order, the temporaries that node e needs */
static void
def_temps(Emit *E, Buf *b, int32_t e, const char *pfx)
{
  ENode *x = &E->n[e];
  if (x->printed)
    return;
  if (x->kind == EK_OP) {
    if (x->a >= 0) def_temps(E, b, x->a, pfx);
    if (x->b >= 0) def_temps(E, b, x->b, pfx);
    if (x->c >= 0) def_temps(E, b, x->c, pfx);
  }
  if (x->temp) {
    bprintf(b, "%s%s%u = ", pfx, E->tpfx, x->temp);
    pr(E, b, e, P_LOW);
    bput(b, "\n");
    E->n[e].printed = 1;
  }
}

/* "file:line:col" of expression id x into b ("" when none) */
static const char *
expr_site(const GtSession *s, uint32_t x, Buf *b)
{
  if (x == 0 || x >= s->prog->nexprs)
    return "";
  GtSpan sp = s->prog->exprs[x]->span;
  unsigned line, col;
  gt_source_position(s->sources[sp.src], sp.off, &line, &col);
  bprintf(b, "%s:%u:%u", s->sources[sp.src]->name, line, col);
  return b->s;
}

static const char *
guard_site(const GtSession *s, int32_t node, Buf *b)
{
  const GtNode *n = &s->tape.nodes[node];
  if (n->site == 0 || n->site >= s->prog->nexprs)
    return "";
  GtSpan sp = s->prog->exprs[n->site]->span;
  unsigned line, col;
  gt_source_position(s->sources[sp.src], sp.off, &line, &col);
  bprintf(b, "%s:%u:%u", s->sources[sp.src]->name, line, col);
  return b->s;
}

typedef struct Guards Guards;
static const char *decision_site(const GtSession *s, const Guards *G,
                                 size_t g, Buf *b);

/* The run's kinks that the emitted formulas pass through (abs at 0, a
   tie of max, ...), as comments: their derivative is the convention's. */
static void
kink_comments(Emit *E, Buf *b, const char *open, const char *close)
{
  const GtSession *s = E->s;
  const GtKinks *k = &s->res.kinks;
  for (size_t j = 0; j < k->n; j++) {
    int32_t i = k->node[j];
    if (i < 0 || (size_t)i >= E->t->n || E->used == NULL || E->used[i] < 0)
      continue;
    const char *txt = gt_ops[E->t->nodes[i].op].kink_note;
    Buf where = { 0 };
    const char *site = guard_site(s, i, &where);
    bprintf(b, "%s%s%s%s%s", open, txt ? txt : "a kink", site[0] ? " at " : "",
            site, close);
    free(where.s);
  }
}

/* A tensor of shape s as a literal ([[a, b], [c, d]]; a scalar bare),
   from axis d on, its elements from flat offset k: the numbers v, or the
   rebuilt nodes e. */
static void
put_literal(Emit *E, Buf *b, const GtShape *s, int d, size_t k,
            mpfr_srcptr v, const int32_t *e)
{
  if (d == s->rank) {
    if (v)
      put_number(b, &v[k]);
    else
      pr(E, b, e[k], P_LOW);
    return;
  }
  size_t inner = 1;
  for (int j = d + 1; j < s->rank; j++)
    inner *= s->dim[j];
  bput(b, "[");
  for (size_t i = 0; i < s->dim[d]; i++) {
    bput(b, i ? ", " : "");
    put_literal(E, b, s, d + 1, k + i * inner, v, e);
  }
  bput(b, "]");
}

/* Whether name is one of the program's inputs. */
static int
is_input_name(const GtSession *s, const char *name)
{
  for (size_t i = 0; i < s->prog->ninputs; i++)
    if (strcmp(s->names.text[s->prog->inputs[i].name], name) == 0)
      return 1;
  return 0;
}

/* gt: a program with the same inputs (the run's values as defaults) */
static void
print_gt(Emit *E, Buf *b, const Job *J, const Guards *G)
{
  const GtSession *s = E->s;
  bprintf(b, "# emitted by gradtool --emit=gt (run it with --prec %ld)\n",
          (long)E->t->prec);
  kink_comments(E, b, "# note: ", "\n");
  for (size_t i = 0; i < s->prog->ninputs; i++) {
    int32_t n = s->res.input_nodes[i];
    bprintf(b, "input %s", s->names.text[s->prog->inputs[i].name]);
    if (n >= 0) {
      bput(b, " = ");
      put_literal(E, b, gt_node_shape(E->t, n), 0, 0, s->tape.nodes[n].v,
                  NULL);
    }
    bput(b, "\n");
  }
  for (size_t g = 0; g < G->n; g++) {
    Buf where = { 0 };
    def_temps(E, b, G->map[g], "");
    bput(b, "assert ");
    if (G->kind[g] == G_TRUE)
      pr(E, b, G->map[g], P_NOT);
    else if (G->kind[g] == G_FALSE) {
      bput(b, "not ");
      pr(E, b, G->map[g], P_NOT);
    } else {
      bput(b, "round(");
      pr(E, b, G->map[g], P_LOW);
      bprintf(b, ") == %ld", G->val[g]);
    }
    const char *site = decision_site(s, G, g, &where);
    bprintf(b, ", \"the emitted formulas hold on the path the run took "
            "(the decision at %s)\"\n", site[0] ? site : "?");
    free(where.s);
  }
  for (size_t i = 0; i < J->n; i++)
    for (size_t k = 0; k < J->items[i].shape.size; k++)
      def_temps(E, b, E->el[J->items[i].e + (long)k], "");
  /* An item named as an input (an output y after y *= ...) would hide
     the input from the items after it, whose formulas mean the input:
     its value goes to a temporary numbered past the others, and the
     name is bound after every item. */
  uint32_t top = 0;
  for (size_t i = 0; i < E->nn; i++)
    if (E->n[i].temp > top)
      top = E->n[i].temp;
  for (size_t i = 0; i < J->n; i++) {
    if (is_input_name(s, J->items[i].ident))
      bprintf(b, "%s%lu = ", E->tpfx, (unsigned long)(top + 1 + i));
    else
      bprintf(b, "%s = ", J->items[i].ident);
    put_literal(E, b, &J->items[i].shape, 0, 0, NULL,
                &E->el[J->items[i].e]);
    bput(b, "\n");
  }
  for (size_t i = 0; i < J->n; i++)
    if (is_input_name(s, J->items[i].ident))
      bprintf(b, "%s = %s%lu\n", J->items[i].ident, E->tpfx,
              (unsigned long)(top + 1 + i));
  bput(b, "output ");
  for (size_t i = 0; i < J->n; i++)
    bprintf(b, "%s%s", i ? ", " : "", J->items[i].ident);
  bput(b, "\n");
}

/* ---- C ------------------------------------------------------------------- */

static void
c_operand(Emit *E, Buf *b, int32_t e, int mp)
{
  const ENode *x = &E->n[e];
  if (x->kind == EK_INPUT && x->b >= 0)
    bprintf(b, "%s%s[%ld]", mp ? "&" : "", E->cname[x->a], (long)x->b);
  else if (x->kind == EK_INPUT)
    bput(b, E->cname[x->a]);
  else
    bprintf(b, "%s%s%ld", E->tpfx, mp ? "[" : "", (long)e);
  if (mp && x->kind != EK_INPUT)
    bput(b, "]");
}

static void c_taylor(Emit *E, Buf *b, int32_t e, int mp);

/* one C double statement for node e: const double tE = ...; */
static void
c_double_node(Emit *E, Buf *b, int32_t e)
{
  const ENode *x = &E->n[e];
  if (x->kind == EK_INPUT)
    return;
  if (x->kind == EK_OP && x->op == GT_OP_TAYLOR) {
    c_taylor(E, b, e, 0);
    return;
  }
  bprintf(b, "  const double %s%ld = ", E->tpfx, (long)e);
  if (x->kind == EK_NUM) {
    double d = mpfr_get_d(x->v, MPFR_RNDN);
    if (mpfr_nan_p(x->v))
      bput(b, "NAN");
    else if (mpfr_inf_p(x->v))
      bput(b, mpfr_signbit(x->v) ? "-INFINITY" : "INFINITY");
    else
      bprintf(b, "%.17g", d);
    bput(b, ";\n");
    return;
  }
  const char *tp = emit_ops[x->op].c;
  if (tp == NULL)
    efail("this derivative uses a function that C's <math.h> lacks: use "
          "--emit=gt or --emit=c-mpfr");
  int32_t ops[3] = { x->a, x->b, x->c };
  for (const char *p = tp; *p; p++) {
    if (*p == '%' && p[1] >= 'a' && p[1] <= 'c') {
      c_operand(E, b, ops[p[1] - 'a'], 0);
      p++;
    } else {
      char ch[2] = { *p, 0 };
      bput(b, ch);
    }
  }
  bput(b, ";\n");
}

/* The ops that are not one MPFR call, as statements computing what their
   forward rules in ops.c compute. */
static const char *
mpfr_statement(GtOp op)
{
  switch (op) {
  case GT_OP_EQ: return "mpfr_set_ui(%y, mpfr_equal_p(%a, %b), MPFR_RNDN);";
  case GT_OP_NE:
    return "mpfr_set_ui(%y, mpfr_lessgreater_p(%a, %b), MPFR_RNDN);";
  case GT_OP_LT: return "mpfr_set_ui(%y, mpfr_less_p(%a, %b), MPFR_RNDN);";
  case GT_OP_LE:
    return "mpfr_set_ui(%y, mpfr_lessequal_p(%a, %b), MPFR_RNDN);";
  case GT_OP_GT:
    return "mpfr_set_ui(%y, mpfr_greater_p(%a, %b), MPFR_RNDN);";
  case GT_OP_GE:
    return "mpfr_set_ui(%y, mpfr_greaterequal_p(%a, %b), MPFR_RNDN);";
  case GT_OP_NOT: return "mpfr_set_ui(%y, mpfr_zero_p(%a) != 0, MPFR_RNDN);";
  /* a helper that print_c adds (mpfr_trigamma_src) */
  case GT_OP_TRIGAMMA: return "gt_trigamma(%y, %a);";
  /* ops.c's f_lgamma: log |gamma|, the sign dropped */
  case GT_OP_LGAMMA:
    return "{ int gt_sign; mpfr_lgamma(%y, &gt_sign, %a, MPFR_RNDN); }";
  case GT_OP_WHERE:
    return "mpfr_set(%y, mpfr_zero_p(%a) ? %c : %b, MPFR_RNDN);";
  case GT_OP_MIN:
  case GT_OP_MAX:
    return op == GT_OP_MIN
      ? "if (mpfr_nan_p(%a) || mpfr_nan_p(%b)) mpfr_set_nan(%y); else "
        "mpfr_set(%y, mpfr_lessequal_p(%a, %b) ? %a : %b, MPFR_RNDN);"
      : "if (mpfr_nan_p(%a) || mpfr_nan_p(%b)) mpfr_set_nan(%y); else "
        "mpfr_set(%y, mpfr_greaterequal_p(%a, %b) ? %a : %b, MPFR_RNDN);";
  case GT_OP_RELU:
    return "if (mpfr_nan_p(%a)) mpfr_set_nan(%y); else if (mpfr_sgn(%a) > 0) "
           "mpfr_set(%y, %a, MPFR_RNDN); else mpfr_set_zero(%y, 1);";
  case GT_OP_SIGN:
    return "if (mpfr_nan_p(%a)) mpfr_set_nan(%y); else "
           "mpfr_set_si(%y, mpfr_sgn(%a), MPFR_RNDN);";
  /* ops.c's f_sigmoid and f_softplus: 32 guard bits, one rounding */
  case GT_OP_SIGMOID:
    return "{ mpfr_t u; mpfr_init2(u, mpfr_get_prec(%y) + 32); "
           "mpfr_neg(u, %a, MPFR_RNDN); mpfr_exp(u, u, MPFR_RNDN); "
           "mpfr_add_ui(u, u, 1, MPFR_RNDN); mpfr_ui_div(%y, 1, u, "
           "MPFR_RNDN); mpfr_clear(u); }";
  case GT_OP_SOFTPLUS:
    return "if (mpfr_nan_p(%a)) mpfr_set_nan(%y); else { mpfr_t u; "
           "mpfr_init2(u, mpfr_get_prec(%y) + 32); mpfr_abs(u, %a, "
           "MPFR_RNDN); mpfr_neg(u, u, MPFR_RNDN); mpfr_exp(u, u, "
           "MPFR_RNDN); mpfr_log1p(u, u, MPFR_RNDN); if (mpfr_sgn(%a) > 0) "
           "mpfr_add(%y, u, %a, MPFR_RNDN); else mpfr_set(%y, u, "
           "MPFR_RNDN); mpfr_clear(u); }";
  /* the order is an integer (the run checked it) */
  case GT_OP_BESSELJ:
    return "mpfr_jn(%y, mpfr_get_si(%a, MPFR_RNDN), %b, MPFR_RNDN);";
  case GT_OP_BESSELY:
    return "mpfr_yn(%y, mpfr_get_si(%a, MPFR_RNDN), %b, MPFR_RNDN);";
  default:
    return NULL;
  }
}

/* one MPFR statement for node e into t[e] */
static void
c_mpfr_node(Emit *E, Buf *b, int32_t e)
{
  const ENode *x = &E->n[e];
  if (x->kind == EK_INPUT)
    return;
  if (x->kind == EK_NUM) {
    bprintf(b, "  mpfr_set_str(%s[%ld], \"", E->tpfx, (long)e);
    put_number(b, x->v);
    bput(b, "\", 10, MPFR_RNDN);\n");
    return;
  }
  if (x->op == GT_OP_TAYLOR) {
    c_taylor(E, b, e, 1);
    return;
  }
  const char *f = emit_ops[x->op].mpfr;
  const char *tp = mpfr_statement((GtOp)x->op);
  if (tp) {
    /* %y the result, %a %b %c the operands */
    int32_t ops[3] = { x->a, x->b, x->c };
    bput(b, "  ");
    for (const char *p = tp; *p; p++) {
      if (*p == '%' && p[1] == 'y') {
        bprintf(b, "%s[%ld]", E->tpfx, (long)e);
        p++;
      } else if (*p == '%' && p[1] >= 'a' && p[1] <= 'c') {
        c_operand(E, b, ops[p[1] - 'a'], 1);
        p++;
      } else {
        char ch[2] = { *p, 0 };
        bput(b, ch);
      }
    }
    bput(b, "\n");
    return;
  }
  if (f == NULL)
    efail("this derivative uses a function that MPFR lacks: use "
          "--emit=gt");
  int rnd = strcmp(f, "mpfr_floor") && strcmp(f, "mpfr_ceil")
            && strcmp(f, "mpfr_round") && strcmp(f, "mpfr_trunc");
  bprintf(b, "  %s(%s[%ld]", f, E->tpfx, (long)e);
  int32_t ops[3] = { x->a, x->b, x->c };
  for (int k = 0; k < 3 && ops[k] >= 0; k++) {
    bput(b, ", ");
    c_operand(E, b, ops[k], 1);
  }
  bput(b, rnd ? ", MPFR_RNDN);\n" : ");\n");
}

/* Names a C compiler takes from the program: C99's (and later C's)
   keywords, <math.h>'s functions and macros (with an f or l suffix too),
   <mpfr.h>'s, gmp.h's, stdio.h's and stddef.h's types and macros, and the
   emitted code's own names; an input or output so named is renamed. */
static const char *const c_taken[] = {
  "auto", "break", "case", "char", "const", "continue", "default", "do",
  "double", "else", "enum", "extern", "float", "for", "goto", "if",
  "inline", "int", "long", "register", "restrict", "return", "short",
  "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
  "unsigned", "void", "volatile", "while", "bool", "true", "false",
  "asm", "typeof", "alignas", "alignof", "noreturn", "static_assert",
  "thread_local", "complex", "imaginary", NULL
};
/* <math.h>'s functions and macros: also taken with an f or l suffix */
static const char *const c_math[] = {
  "acos", "asin", "atan", "atan2", "cos", "sin", "tan", "acosh", "asinh",
  "atanh", "cosh", "sinh", "tanh", "exp", "exp2", "expm1", "exp10", "frexp",
  "ilogb", "ldexp", "log", "log10", "log1p", "log2", "logb", "modf",
  "scalbn", "scalbln", "cbrt", "fabs", "abs", "hypot", "pow", "sqrt", "erf",
  "erfc", "lgamma", "tgamma", "gamma", "ceil", "floor", "nearbyint", "rint",
  "lrint", "llrint", "round", "lround", "llround", "trunc", "fmod",
  "remainder", "remquo", "copysign", "nan", "nextafter", "nexttoward",
  "fdim", "fmax", "fmin", "fma", "fpclassify", "isfinite", "isinf",
  "isnan", "isnormal", "signbit", "isgreater", "isgreaterequal", "isless",
  "islessequal", "islessgreater", "isunordered", "j0", "j1", "jn", "y0",
  "y1", "yn", "drem", "significand", "finite", "scalb", "signgam",
  "sincos", "pow10", "lgamma_r", "matherr", "exception", "math_errhandling",
  NULL
};
static const char *const c_other[] = {
  "HUGE_VAL", "HUGE_VALF", "HUGE_VALL", "INFINITY", "NAN", "FILE", "NULL",
  "EOF", "errno", "offsetof", "main", "gradtool_emit", "ok", "i",
  "float_t", "double_t", "size_t", "ptrdiff_t", "wchar_t", "va_list",
  "mpfr_t", "mpz_t", "mpq_t", "mpf_t", "mp_limb_t", "mp_exp_t", "mp_prec_t",
  "mp_rnd_t", "mp_size_t", "mp_bitcnt_t", "gmp_randstate_t", "MP_INT",
  "MP_RAT", "MP_FLOAT", NULL
};

static int
c_name_taken(const char *nm)
{
  size_t len = strlen(nm);
  for (int k = 0; c_taken[k]; k++)
    if (strcmp(nm, c_taken[k]) == 0)
      return 1;
  for (int k = 0; c_other[k]; k++)
    if (strcmp(nm, c_other[k]) == 0)
      return 1;
  for (int k = 0; c_math[k]; k++) {
    size_t n = strlen(c_math[k]);
    if (strncmp(nm, c_math[k], n) == 0
        && (len == n || (len == n + 1 && (nm[n] == 'f' || nm[n] == 'l'))))
      return 1;
  }
  /* reserved to the implementation, or the libraries' prefixes */
  static const char *const pfx[] = { "__", "mpfr_", "mpz_", "mpq_", "mpf_",
    "mpn_", "gmp_", "__gmp", "MPFR_", "GMP_", "FP_", "M_", "E", "_", NULL };
  for (int k = 0; pfx[k]; k++) {
    size_t n = strlen(pfx[k]);
    if (strncmp(nm, pfx[k], n) != 0)
      continue;
    if (strcmp(pfx[k], "E") == 0
        ? (nm[1] >= 'A' && nm[1] <= 'Z') || (nm[1] >= '0' && nm[1] <= '9')
        : strcmp(pfx[k], "_") == 0 ? nm[1] >= 'A' && nm[1] <= 'Z' : 1)
      return 1;
  }
  return 0;
}

/* E->cname: the inputs' and items' identifiers in C, each taken name
   given a suffix _ (more until it clashes with no other name nor with
   the temporaries t1, t2, ...) */
static void
c_names(Emit *E, const Job *J)
{
  size_t ni = E->s->prog->ninputs, n = ni + J->n;
  E->cname = calloc(n + 1, sizeof *E->cname);
  if (E->cname == NULL)
    efail("out of memory");
  E->ncname = n;
  for (size_t i = 0; i < n; i++) {
    const char *nm = i < ni ? E->s->names.text[E->s->prog->inputs[i].name]
                            : J->items[i - ni].ident;
    Buf c = { 0 };
    bput(&c, nm);
    for (;;) {
      int clash = c_name_taken(c.s) || prefixed_number(c.s, E->tpfx)
                  || strcmp(c.s, E->tpfx) == 0;
      for (size_t k = 0; k < n && !clash; k++) {
        if (k == i)
          continue;
        const char *o = k < i ? E->cname[k]
                        : k < ni ? E->s->names.text[E->s->prog->inputs[k].name]
                                 : J->items[k - ni].ident;
        clash = strcmp(o, c.s) == 0;
      }
      if (!clash)
        break;
      bput(&c, "_");
    }
    E->cname[i] = c.s;
  }
}

/* With -DGRADTOOL_EMIT_MAIN, a main() that calls the function at the
   run's point and prints each output's elements, one a line, row-major:
   %.17g (double), or with enough digits to read back exactly (MPFR). */
static void
print_c_main(Emit *E, Buf *b, const Job *J, int mp)
{
  const GtSession *s = E->s;
  size_t ni = s->prog->ninputs;
  long prec = (long)E->t->prec;
  int digits = (int)((double)prec * 0.30103) + 2;
  bput(b, "\n#ifdef GRADTOOL_EMIT_MAIN\n/* the run's point; prints the "
          "outputs' elements, one a line */\nint\nmain(void)\n{\n");
  for (size_t i = 0; i < ni + J->n; i++) {
    int32_t node = i < ni ? s->res.input_nodes[i] : -1;
    if (i < ni && node < 0)
      efail("an input has no value");
    const GtShape *sh = i < ni ? gt_node_shape(E->t, node)
                               : &J->items[i - ni].shape;
    const char *v = i < ni ? "in" : "out";
    size_t id = i < ni ? i : i - ni, n = sh->size ? sh->size : 1;
    if (mp) {
      bprintf(b, "  mpfr_t gt_%s%zu[%zu];\n", v, id, n);
      bprintf(b, "  for (int k = 0; k < %zu; k++)\n    mpfr_init2(gt_%s%zu[k], "
              "%ld);\n", n, v, id, prec);
      for (size_t k = 0; i < ni && k < sh->size; k++) {
        bprintf(b, "  mpfr_set_str(gt_%s%zu[%zu], \"", v, id, k);
        put_number(b, &s->tape.nodes[node].v[k]);
        bput(b, "\", 10, MPFR_RNDN);\n");
      }
      continue;
    }
    bprintf(b, "  double gt_%s%zu[%zu]", v, id, n);
    for (size_t k = 0; i < ni && k < sh->size; k++) {
      mpfr_srcptr x = &s->tape.nodes[node].v[k];
      bput(b, k ? ", " : " = { ");
      if (mpfr_nan_p(x))
        bput(b, "NAN");
      else if (mpfr_inf_p(x))
        bput(b, mpfr_signbit(x) ? "-INFINITY" : "INFINITY");
      else
        bprintf(b, "%.17g", mpfr_get_d(x, MPFR_RNDN));
    }
    bput(b, i < ni && sh->size ? " };\n" : ";\n");
  }
  bput(b, "  int gt_rc = gradtool_emit(");
  for (size_t i = 0; i < ni + J->n; i++) {
    int tensor = i < ni ? input_shape(E, (int32_t)i)->rank > 0 : 1;
    const char *v = i < ni ? "in" : "out";
    size_t id = i < ni ? i : i - ni;
    if (mp)
      bprintf(b, "%sgt_%s%zu[0]", i ? ", " : "", v, id);
    else
      bprintf(b, "%s%sgt_%s%zu%s", i ? ", " : "", tensor ? "" : "",
              v, id, tensor ? "" : "[0]");
  }
  bput(b, ");\n");
  for (size_t i = 0; i < J->n; i++) {
    bprintf(b, "  for (int k = 0; k < %zu; k++)\n", J->items[i].shape.size);
    if (mp)
      bprintf(b, "    mpfr_printf(\"%%.%dRe\\n\", gt_out%zu[k]);\n", digits, i);
    else
      bprintf(b, "    printf(\"%%.17g\\n\", gt_out%zu[k]);\n", i);
  }
  for (size_t i = 0; mp && i < ni + J->n; i++) {
    const GtShape *sh = i < ni ? input_shape(E, (int32_t)i)
                               : &J->items[i - ni].shape;
    bprintf(b, "  for (int k = 0; k < %zu; k++)\n    mpfr_clear(gt_%s%zu[k]);"
            "\n", sh->size ? sh->size : 1, i < ni ? "in" : "out",
            i < ni ? i : i - ni);
  }
  bput(b, "  return gt_rc;\n}\n#endif\n");
}

/* The double form's digamma and trigamma, which <math.h> lacks, when the
   formulas use them: the recurrences psi(x) = psi(x + 1) - 1/x and
   psi1(x) = psi1(x + 1) + 1/x^2 up to x >= 20, then the asymptotic
   series (truncation below 1e-18 there); reflection for x < 0,
   psi(x) = psi(1 - x) - pi cot(pi x), psi1(x) = pi^2 / sin^2(pi x) -
   psi1(1 - x); NaN at the poles.  A few ulps away from the poles. */
static void
c_helpers(Emit *E, Buf *b)
{
  int dg = 0, tg = 0, pg = 0;
  for (size_t e = 0; e < E->nn; e++)
    if (E->n[e].uses && E->n[e].kind == EK_OP) {
      dg |= E->n[e].op == GT_OP_DIGAMMA;
      tg |= E->n[e].op == GT_OP_TRIGAMMA;
      pg |= E->n[e].op == GT_OP_POLYGAMMA;
    }
  /* polygamma(n, x), n >= 1 (0 and 1 are written digamma, trigamma):
     psi^(n)(x) = (-1)^(n+1) n! sum_k 1/(x+k)^(n+1); the terms below
     20 + n are summed, the rest by the asymptotic series with Bernoulli
     numbers B_2 .. B_14 (checked against mpmath: a few ulps for x > 0;
     for x < 0 the sum cancels and loses digits) */
  if (pg)
    bput(b, "static double\ngt_polygamma(double n, double x)\n{\n"
            "  static const double B[] = { 1.0 / 6, -1.0 / 30, 1.0 / 42, "
            "-1.0 / 30,\n                              5.0 / 66, "
            "-691.0 / 2730, 7.0 / 6 };\n"
            "  double r = 0, s;\n  int k;\n"
            "  if (n < 1 || n != floor(n) || (x <= 0 && x == floor(x)))\n"
            "    return NAN;\n"
            "  for (; x < 20 + n; x += 1)\n"
            "    r += exp(lgamma(n + 1) - (n + 1) * log(fabs(x)))\n"
            "         * (x < 0 && fmod(n + 1, 2) != 0 ? -1 : 1);\n"
            "  s = exp(lgamma(n) - n * log(x))\n"
            "      + exp(lgamma(n + 1) - (n + 1) * log(x)) / 2;\n"
            "  for (k = 1; k <= 7; k++)\n"
            "    s += B[k - 1] * exp(lgamma(2 * k + n) - lgamma(2 * k + 1)\n"
            "                        - (2 * k + n) * log(x));\n"
            "  return fmod(n, 2) != 0 ? r + s : -(r + s);\n}\n\n");
  if (dg)
    bput(b, "static double\ngt_digamma(double x)\n{\n"
            "  const double pi = 3.14159265358979323846;\n"
            "  double r = 0, f;\n"
            "  if (x <= 0 && x == floor(x))\n    return NAN;\n"
            "  if (x < 0)\n    return gt_digamma(1 - x) - pi / tan(pi * x);\n"
            "  for (; x < 20; x += 1)\n    r -= 1 / x;\n"
            "  f = 1 / (x * x);\n"
            "  return r + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120"
            "\n         - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));"
            "\n}\n\n");
  if (tg)
    bput(b, "static double\ngt_trigamma(double x)\n{\n"
            "  const double pi = 3.14159265358979323846;\n"
            "  double r = 0, f, s;\n"
            "  if (x <= 0 && x == floor(x))\n    return NAN;\n"
            "  if (x < 0) {\n    s = sin(pi * x);\n"
            "    return pi * pi / (s * s) - gt_trigamma(1 - x);\n  }\n"
            "  for (; x < 20; x += 1)\n    r += 1 / (x * x);\n"
            "  f = 1 / (x * x);\n"
            "  return r + 1 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30"
            "\n         - f * (1.0 / 42 - f * (1.0 / 30 - f * (5.0 / 66)))));"
            "\n}\n\n");
}

/* ---- C: grad(y, x, k) computed in Taylor mode ----------------------------

   The C forms compute the Taylor coefficients of y in x the way
   lib/taylor.c and the ops' rules in ops.c do: y(x0 + t) = y_0 + y_1 t +
   ... + y_K t^K with y_n = y^(n)(x0) / n!, by the classical recurrences
   (sums by coefficients, products by convolution, quotients by
   back-substitution, exp by n y_n = sum_k k a_k y_{n-k}, log by
   n a_0 y_n = n a_n - sum_k k y_k a_{n-k}, sin and cos as a coupled pair,
   sqrt from y^2 = a, a constant power r by
   n a_0 y_n = sum_k (r k - (n - k)) a_k y_{n-k}, a variable one as
   exp(b log a)), and the K-th derivative is K! y_K.  The double form runs
   them on doubles; the MPFR form repeats taylor.c's operations one for
   one at its precision (the working precision plus 32 + 2K guard bits,
   the values y_0 recomputed there too) and rounds once, so that it gives
   the run's bits.  An op without a rule here is refused. */

/* the Taylor ops the C forms know (TAY_*), one bit each */
enum { TAY_ADD = 1, TAY_NEG = 2, TAY_MUL = 4, TAY_DIV = 8, TAY_EXP = 16,
       TAY_LOG = 32, TAY_SINCOS = 64, TAY_SQRT = 128, TAY_POW = 256 };

static int
tay_bit(GtOp op)
{
  switch (op) {
  case GT_OP_ADD: case GT_OP_SUB: return TAY_ADD;
  case GT_OP_NEG: return TAY_NEG;
  case GT_OP_MUL: return TAY_MUL;
  case GT_OP_DIV: return TAY_DIV;
  case GT_OP_EXP: return TAY_EXP;
  case GT_OP_LOG: return TAY_LOG;
  case GT_OP_SIN: case GT_OP_COS: return TAY_SINCOS;
  case GT_OP_SQRT: return TAY_SQRT;
  case GT_OP_POW: return TAY_POW;
  default: return 0;
  }
}

/* Does node e depend on the scalar input xin?  memo: 0 unknown, 1 no,
   2 yes. */
static int
tay_dep(const Emit *E, int32_t e, int32_t xin, unsigned char *memo)
{
  if (memo[e])
    return memo[e] == 2;
  const ENode *x = &E->n[e];
  int d = 0;
  if (x->kind == EK_INPUT)
    d = x->a == xin && x->b < 0;
  else if (x->kind == EK_OP)
    d = (x->a >= 0 && tay_dep(E, x->a, xin, memo))
        || (x->b >= 0 && tay_dep(E, x->b, xin, memo))
        || (x->c >= 0 && tay_dep(E, x->c, xin, memo));
  else if (x->kind != EK_NUM)
    efail("grad(y, x, k) in Taylor mode: the C forms need the recorded "
          "operations");
  memo[e] = d ? 2 : 1;
  return d;
}

/* Marks in row[] (row + 1) the nodes whose series the Taylor node e
   needs: y's operations that depend on x and their operands; returns
   how many, and ORs the ops used into *bits (refusing an op without a
   rule here). */
static int32_t
tay_cone(Emit *E, int32_t e, int32_t *row, unsigned char *memo, int *bits)
{
  const ENode *tn = &E->n[e];
  int32_t xin = E->n[tn->b].a, m = 0;
  /* the nodes below e, highest first: a marked node marks its operands */
  row[tn->a] = -2;
  for (int32_t j = tn->a; j >= 0; j--) {
    if (row[j] != -2)
      continue;
    row[j] = -3;
    if (!tay_dep(E, j, xin, memo))
      continue;
    const ENode *x = &E->n[j];
    if (x->kind != EK_OP)
      continue;
    if (x->op == GT_OP_TAYLOR)
      efail_at(E, x->tape, "grad(y, x, k) in Taylor mode nested in another "
               "cannot be emitted as C (the C forms have no series of a "
               "series): use --emit=gt");
    int bit = tay_bit((GtOp)x->op);
    if (bit == 0) {
      static _Thread_local char why[200];
      snprintf(why, sizeof why, "grad(y, x, k) in Taylor mode: the C forms "
               "have no Taylor rule for %s: use --emit=gt",
               gt_ops[x->op].name);
      efail_at(E, x->tape, why);
    }
    *bits |= bit;
    int32_t ops[3] = { x->a, x->b, x->c };
    for (int k = 0; k < 3; k++)
      if (ops[k] >= 0 && row[ops[k]] == -1)
        row[ops[k]] = -2;
  }
  for (int32_t j = 0; j <= tn->a; j++)
    if (row[j] == -3)
      row[j] = m++;
  return m;
}

/* the helpers the double form's Taylor blocks call (bits: TAY_*) */
static void
tay_helpers_double(Buf *b, int bits)
{
  if (bits & TAY_ADD)
    bput(b, "/* Taylor: y = a + b or a - b */\nstatic void\n"
            "gt_tay_add(double *y, const double *a, const double *b, int K, "
            "int sub)\n{\n  for (int n = 1; n <= K; n++)\n"
            "    y[n] = sub ? a[n] - b[n] : a[n] + b[n];\n}\n\n");
  if (bits & TAY_NEG)
    bput(b, "/* Taylor: y = -a */\nstatic void\n"
            "gt_tay_neg(double *y, const double *a, int K)\n{\n"
            "  for (int n = 1; n <= K; n++)\n    y[n] = -a[n];\n}\n\n");
  if (bits & (TAY_MUL | TAY_POW))
    bput(b, "/* Taylor: y = a b, the Cauchy product */\nstatic void\n"
            "gt_tay_mul(double *y, const double *a, const double *b, int K)"
            "\n{\n  for (int n = 0; n <= K; n++) {\n    double s = 0;\n"
            "    for (int k = 0; k <= n; k++)\n      s += a[k] * b[n - k];\n"
            "    y[n] = s;\n  }\n}\n\n");
  if (bits & TAY_DIV)
    bput(b, "/* Taylor: y = a / b, y_n = (a_n - sum_{k>=1} b_k y_{n-k}) / "
            "b_0 */\nstatic void\n"
            "gt_tay_div(double *y, const double *a, const double *b, int K)"
            "\n{\n  for (int n = 1; n <= K; n++) {\n    double s = a[n];\n"
            "    for (int k = 1; k <= n; k++)\n      s -= b[k] * y[n - k];\n"
            "    y[n] = b[0] == 0 ? NAN : s / b[0];\n  }\n}\n\n");
  if (bits & (TAY_EXP | TAY_POW))
    bput(b, "/* Taylor: y = exp(a), n y_n = sum_k k a_k y_{n-k} */\n"
            "static void\ngt_tay_exp(double *y, const double *a, int K)\n{\n"
            "  for (int n = 1; n <= K; n++) {\n    double s = 0;\n"
            "    for (int k = 1; k <= n; k++)\n"
            "      s += k * a[k] * y[n - k];\n    y[n] = s / n;\n  }\n}\n\n");
  if (bits & (TAY_LOG | TAY_POW))
    bput(b, "/* Taylor: y = log(a), n a_0 y_n = n a_n - sum_{k<n} k y_k "
            "a_{n-k} */\nstatic void\n"
            "gt_tay_log(double *y, const double *a, int K)\n{\n"
            "  for (int n = 1; n <= K; n++) {\n    double s = n * a[n];\n"
            "    for (int k = 1; k < n; k++)\n"
            "      s -= k * y[k] * a[n - k];\n"
            "    y[n] = a[0] <= 0 ? NAN : s / (n * a[0]);\n  }\n}\n\n");
  if (bits & TAY_SINCOS)
    bput(b, "/* Taylor: y = sin(a) (want_sin) or cos(a), the pair\n"
            "   n s_n = sum_k k a_k c_{n-k}, n c_n = -sum_k k a_k s_{n-k} */"
            "\nstatic void\n"
            "gt_tay_sincos(double *y, const double *a, int K, int want_sin)"
            "\n{\n  double s[K + 1], c[K + 1];\n"
            "  s[0] = sin(a[0]);\n  c[0] = cos(a[0]);\n"
            "  for (int n = 1; n <= K; n++) {\n    double u = 0, v = 0;\n"
            "    for (int k = 1; k <= n; k++) {\n"
            "      u += k * a[k] * c[n - k];\n      v += k * a[k] * s[n - k];"
            "\n    }\n    s[n] = u / n;\n    c[n] = -v / n;\n"
            "    y[n] = want_sin ? s[n] : c[n];\n  }\n}\n\n");
  if (bits & TAY_SQRT)
    bput(b, "/* Taylor: y = sqrt(a), 2 y_0 y_n = a_n - sum_{0<k<n} y_k "
            "y_{n-k} */\nstatic void\n"
            "gt_tay_sqrt(double *y, const double *a, int K)\n{\n"
            "  for (int n = 1; n <= K; n++) {\n    double s = a[n];\n"
            "    for (int k = 1; k < n; k++)\n      s -= y[k] * y[n - k];\n"
            "    y[n] = a[0] <= 0 ? NAN : s / (2 * y[0]);\n  }\n}\n\n");
  if (bits & TAY_POW)
    bput(b, "/* Taylor: y = a^b (kind: 1 b constant, 2 a constant).  A constant exponent r (b_n = 0 for n > 0):"
            "\n   n a_0 y_n = sum_k (r k - (n - k)) a_k y_{n-k}, or at a_0 = 0 "
            "a\n   nonnegative integer r by repeated products; a variable "
            "one:\n   exp(b log a) for a_0 > 0. */\nstatic void\n"
            "gt_tay_pow(double *y, const double *a, const double *b, int K, "
            "int kind)\n{\n  double p[K + 1], q[K + 1], w[K + 1];\n"
            "  int bconst = kind & 1;\n"
            "  if (bconst && a[0] != 0) {\n    double r = b[0];\n"
            "    for (int n = 1; n <= K; n++) {\n      double s = 0;\n"
            "      for (int k = 1; k <= n; k++)\n"
            "        s += (r * k - (n - k)) * a[k] * y[n - k];\n"
            "      y[n] = s / (n * a[0]);\n    }\n"
            "  } else if (bconst && b[0] >= 0 && b[0] == floor(b[0])"
            " && b[0] <= 1e6) {\n"
            "    unsigned long e = (unsigned long)b[0];\n"
            "    for (int n = 0; n <= K; n++) {\n"
            "      p[n] = a[n];\n      q[n] = n == 0;\n    }\n"
            "    while (e) {\n      if (e & 1) {\n"
            "        gt_tay_mul(w, q, p, K);\n"
            "        for (int n = 0; n <= K; n++)\n          q[n] = w[n];\n"
            "      }\n      e >>= 1;\n      if (e) {\n"
            "        gt_tay_mul(w, p, p, K);\n"
            "        for (int n = 0; n <= K; n++)\n          p[n] = w[n];\n"
            "      }\n    }\n    for (int n = 0; n <= K; n++)\n"
            "      y[n] = q[n];\n"
            "  } else if (!bconst && a[0] == 0 && (kind & 2) && b[0] > 0) {\n"
            "    for (int n = 1; n <= K; n++)\n      y[n] = 0;\n"
            "  } else if (!bconst && a[0] > 0) {\n"
            "    p[0] = log(a[0]);\n    gt_tay_log(p, a, K);\n"
            "    gt_tay_mul(q, b, p, K);\n    gt_tay_exp(y, q, K);\n"
            "  } else {\n    for (int n = 1; n <= K; n++)\n"
            "      y[n] = NAN;\n  }\n}\n\n");
}

/* the MPFR form's helpers: taylor.c's and ops.c's operations in the same
   order (s: three scratch numbers at the sweep's precision) */
static void
tay_helpers_mpfr(Buf *b, int bits)
{
  if (bits & (TAY_EXP | TAY_SINCOS | TAY_POW))
    bput(b, "/* Taylor: sum_{k=1..n} k p_k w_{n-k} (taylor.c's ksum) */\n"
          "static void\ngt_taym_ksum(mpfr_ptr acc, mpfr_t *p, mpfr_t *w, "
          "int n, mpfr_t *s)\n{\n  mpfr_set_zero(acc, 1);\n"
          "  for (int k = 1; k <= n; k++) {\n"
          "    mpfr_mul(s[0], p[k], w[n - k], MPFR_RNDN);\n"
          "    mpfr_mul_ui(s[0], s[0], (unsigned long)k, MPFR_RNDN);\n"
          "    mpfr_add(acc, acc, s[0], MPFR_RNDN);\n  }\n}\n\n");
  if (bits & (TAY_DIV | TAY_LOG | TAY_SQRT | TAY_POW))
    bput(b, "/* Taylor: no series at this point (NaN from order 1) */\n"
          "static void\ngt_taym_nan(mpfr_t *y, int K)\n{\n"
          "  for (int n = 1; n <= K; n++)\n    mpfr_set_nan(y[n]);\n}\n\n");
  if (bits & TAY_ADD)
    bput(b, "/* Taylor: y = a + b or a - b */\nstatic void\n"
            "gt_taym_add(mpfr_t *y, mpfr_t *a, mpfr_t *b, int K, int sub)\n"
            "{\n  for (int n = 1; n <= K; n++)\n    if (sub)\n"
            "      mpfr_sub(y[n], a[n], b[n], MPFR_RNDN);\n    else\n"
            "      mpfr_add(y[n], a[n], b[n], MPFR_RNDN);\n}\n\n");
  if (bits & TAY_NEG)
    bput(b, "/* Taylor: y = -a */\nstatic void\n"
            "gt_taym_neg(mpfr_t *y, mpfr_t *a, int K)\n{\n"
            "  for (int n = 1; n <= K; n++)\n"
            "    mpfr_neg(y[n], a[n], MPFR_RNDN);\n}\n\n");
  if (bits & (TAY_MUL | TAY_POW))
    bput(b, "/* Taylor: y = a b, the Cauchy product (y_0 too) */\n"
            "static void\ngt_taym_mul(mpfr_t *y, mpfr_t *a, mpfr_t *b, "
            "int K, mpfr_t *s)\n{\n  for (int n = 0; n <= K; n++) {\n"
            "    mpfr_set_zero(y[n], 1);\n"
            "    for (int k = 0; k <= n; k++) {\n"
            "      mpfr_mul(s[0], a[k], b[n - k], MPFR_RNDN);\n"
            "      mpfr_add(y[n], y[n], s[0], MPFR_RNDN);\n    }\n  }\n}\n\n");
  if (bits & TAY_DIV)
    bput(b, "/* Taylor: y = a / b by back-substitution (y_0 too) */\n"
            "static void\ngt_taym_div(mpfr_t *y, mpfr_t *a, mpfr_t *b, "
            "int K, mpfr_t *s)\n{\n  if (mpfr_zero_p(b[0])) {\n"
            "    gt_taym_nan(y, K);\n    return;\n  }\n"
            "  for (int n = 0; n <= K; n++) {\n"
            "    mpfr_set(s[1], a[n], MPFR_RNDN);\n"
            "    for (int k = 1; k <= n; k++) {\n"
            "      mpfr_mul(s[0], b[k], y[n - k], MPFR_RNDN);\n"
            "      mpfr_sub(s[1], s[1], s[0], MPFR_RNDN);\n    }\n"
            "    mpfr_div(y[n], s[1], b[0], MPFR_RNDN);\n  }\n}\n\n");
  if (bits & (TAY_EXP | TAY_POW))
    bput(b, "/* Taylor: y = exp(a), n y_n = sum_k k a_k y_{n-k} */\n"
            "static void\ngt_taym_exp(mpfr_t *y, mpfr_t *a, int K, "
            "mpfr_t *s)\n{\n  for (int n = 1; n <= K; n++) {\n"
            "    gt_taym_ksum(s[1], a, y, n, s);\n"
            "    mpfr_div_ui(y[n], s[1], (unsigned long)n, MPFR_RNDN);\n"
            "  }\n}\n\n");
  if (bits & (TAY_LOG | TAY_POW))
    bput(b, "/* Taylor: y = log(a), n a_0 y_n = n a_n - sum_{k<n} k y_k "
            "a_{n-k} */\nstatic void\n"
            "gt_taym_log(mpfr_t *y, mpfr_t *a, int K, mpfr_t *s)\n{\n"
            "  if (mpfr_sgn(a[0]) <= 0) {\n    gt_taym_nan(y, K);\n"
            "    return;\n  }\n  for (int n = 1; n <= K; n++) {\n"
            "    mpfr_mul_ui(s[1], a[n], (unsigned long)n, MPFR_RNDN);\n"
            "    for (int k = 1; k < n; k++) {\n"
            "      mpfr_mul(s[0], y[k], a[n - k], MPFR_RNDN);\n"
            "      mpfr_mul_ui(s[0], s[0], (unsigned long)k, MPFR_RNDN);\n"
            "      mpfr_sub(s[1], s[1], s[0], MPFR_RNDN);\n    }\n"
            "    mpfr_mul_ui(s[0], a[0], (unsigned long)n, MPFR_RNDN);\n"
            "    mpfr_div(y[n], s[1], s[0], MPFR_RNDN);\n  }\n}\n\n");
  if (bits & TAY_SINCOS)
    bput(b, "/* Taylor: y = sin(a) (want_sin) or cos(a), the pair */\n"
            "static void\ngt_taym_sincos(mpfr_t *y, mpfr_t *a, int K, "
            "int want_sin, mpfr_t *s)\n{\n  mpfr_t si[K + 1], co[K + 1];\n"
            "  for (int n = 0; n <= K; n++) {\n"
            "    mpfr_init2(si[n], mpfr_get_prec(y[0]));\n"
            "    mpfr_init2(co[n], mpfr_get_prec(y[0]));\n  }\n"
            "  mpfr_sin(si[0], a[0], MPFR_RNDN);\n"
            "  mpfr_cos(co[0], a[0], MPFR_RNDN);\n"
            "  for (int n = 1; n <= K; n++) {\n"
            "    gt_taym_ksum(s[1], a, co, n, s);\n"
            "    gt_taym_ksum(s[2], a, si, n, s);\n"
            "    mpfr_div_ui(si[n], s[1], (unsigned long)n, MPFR_RNDN);\n"
            "    mpfr_div_ui(co[n], s[2], (unsigned long)n, MPFR_RNDN);\n"
            "    mpfr_neg(co[n], co[n], MPFR_RNDN);\n  }\n"
            "  for (int n = 1; n <= K; n++)\n"
            "    mpfr_set(y[n], want_sin ? si[n] : co[n], MPFR_RNDN);\n"
            "  for (int n = 0; n <= K; n++) {\n    mpfr_clear(si[n]);\n"
            "    mpfr_clear(co[n]);\n  }\n}\n\n");
  if (bits & TAY_SQRT)
    bput(b, "/* Taylor: y = sqrt(a), 2 y_0 y_n = a_n - sum_{0<k<n} y_k "
            "y_{n-k} */\nstatic void\n"
            "gt_taym_sqrt(mpfr_t *y, mpfr_t *a, int K, mpfr_t *s)\n{\n"
            "  if (mpfr_sgn(a[0]) <= 0) {\n    gt_taym_nan(y, K);\n"
            "    return;\n  }\n  mpfr_sqrt(y[0], a[0], MPFR_RNDN);\n"
            "  for (int n = 1; n <= K; n++) {\n"
            "    mpfr_set(s[1], a[n], MPFR_RNDN);\n"
            "    for (int k = 1; k < n; k++) {\n"
            "      mpfr_mul(s[0], y[k], y[n - k], MPFR_RNDN);\n"
            "      mpfr_sub(s[1], s[1], s[0], MPFR_RNDN);\n    }\n"
            "    mpfr_mul_2ui(s[0], y[0], 1, MPFR_RNDN);\n"
            "    mpfr_div(y[n], s[1], s[0], MPFR_RNDN);\n  }\n}\n\n");
  if (bits & TAY_POW)
    bput(b, "/* y = a^b as gradtool rounds it: MPFR's integer power for a "
            "small\n   integer b, else mpfr_pow */\nstatic void\n"
            "gt_taym_powr(mpfr_ptr y, mpfr_srcptr a, mpfr_srcptr b)\n{\n"
            "  if (mpfr_integer_p(b) && mpfr_cmpabs_ui(b, 1024) <= 0) {\n"
            "    long n = mpfr_get_si(b, MPFR_RNDN);\n    if (n == 2)\n"
            "      mpfr_sqr(y, a, MPFR_RNDN);\n    else\n"
            "      mpfr_pow_si(y, a, n, MPFR_RNDN);\n  } else\n"
            "    mpfr_pow(y, a, b, MPFR_RNDN);\n}\n\n"
            "/* Taylor: y = a^b (kind: 1 b constant, 2 a constant) */\n"
            "static void\ngt_taym_pow(mpfr_t *y, mpfr_t *a, mpfr_t *b, int K,"
            " int kind, mpfr_t *s)\n{\n"
            "  mpfr_prec_t wp = mpfr_get_prec(y[0]);\n"
            "  if (kind & 1) {\n    mpfr_srcptr r = b[0];\n"
            "    if (!mpfr_zero_p(a[0])) {\n"
            "      for (int n = 1; n <= K; n++) {\n"
            "        mpfr_set_zero(s[1], 1);\n"
            "        for (int k = 1; k <= n; k++) {\n"
            "          mpfr_mul_ui(s[2], r, (unsigned long)k, MPFR_RNDN);\n"
            "          mpfr_sub_ui(s[2], s[2], (unsigned long)(n - k), "
            "MPFR_RNDN);\n"
            "          mpfr_mul(s[0], a[k], y[n - k], MPFR_RNDN);\n"
            "          mpfr_mul(s[0], s[0], s[2], MPFR_RNDN);\n"
            "          mpfr_add(s[1], s[1], s[0], MPFR_RNDN);\n        }\n"
            "        mpfr_mul_ui(s[0], a[0], (unsigned long)n, MPFR_RNDN);\n"
            "        mpfr_div(y[n], s[1], s[0], MPFR_RNDN);\n      }\n"
            "      return;\n    }\n"
            "    if (!mpfr_integer_p(r) || mpfr_sgn(r) < 0\n"
            "        || mpfr_cmp_ui(r, 1000000) > 0) {\n"
            "      gt_taym_nan(y, K);\n      return;\n    }\n"
            "    /* a_0 = 0: repeated squaring of series */\n"
            "    unsigned long e = mpfr_get_ui(r, MPFR_RNDN);\n"
            "    mpfr_t p[K + 1], q[K + 1], w[K + 1];\n"
            "    for (int n = 0; n <= K; n++) {\n"
            "      mpfr_inits2(wp, p[n], q[n], w[n], (mpfr_ptr)0);\n"
            "      mpfr_set(p[n], a[n], MPFR_RNDN);\n"
            "      mpfr_set_ui(q[n], n == 0, MPFR_RNDN);\n    }\n"
            "    while (e) {\n      if (e & 1) {\n"
            "        gt_taym_mul(w, q, p, K, s);\n"
            "        for (int n = 0; n <= K; n++)\n"
            "          mpfr_set(q[n], w[n], MPFR_RNDN);\n      }\n"
            "      e >>= 1;\n      if (e) {\n"
            "        gt_taym_mul(w, p, p, K, s);\n"
            "        for (int n = 0; n <= K; n++)\n"
            "          mpfr_set(p[n], w[n], MPFR_RNDN);\n      }\n    }\n"
            "    for (int n = 0; n <= K; n++) {\n"
            "      mpfr_set(y[n], q[n], MPFR_RNDN);\n"
            "      mpfr_clears(p[n], q[n], w[n], (mpfr_ptr)0);\n    }\n"
            "    return;\n  }\n"
            "  /* a variable exponent: 0 on a constant base 0 when b > 0 */\n"
            "  if (mpfr_zero_p(a[0]) && (kind & 2) && mpfr_sgn(b[0]) > 0)\n"
            "    return;\n  if (mpfr_sgn(a[0]) <= 0) {\n"
            "    gt_taym_nan(y, K);\n    return;\n  }\n"
            "  /* exp(b log a) */\n  mpfr_t p[K + 1], q[K + 1];\n"
            "  for (int n = 0; n <= K; n++)\n"
            "    mpfr_inits2(wp, p[n], q[n], (mpfr_ptr)0);\n"
            "  mpfr_log(p[0], a[0], MPFR_RNDN);\n"
            "  gt_taym_log(p, a, K, s);\n  gt_taym_mul(q, b, p, K, s);\n"
            "  gt_taym_exp(y, q, K, s);\n"
            "  for (int n = 0; n <= K; n++)\n"
            "    mpfr_clears(p[n], q[n], (mpfr_ptr)0);\n}\n\n");
}

/* Fresh scratch for tay_cone: E->trow all -1, E->tmemo all 0, one entry
   per node and one more; owned by E (ctx_free), as efail may jump out of
   tay_cone. */
static void
tay_scratch(Emit *E)
{
  int32_t *row = malloc((E->nn + 1) * sizeof *row);
  unsigned char *memo = calloc(E->nn + 1, 1);
  if (row == NULL || memo == NULL) {
    free(row);
    free(memo);
    efail("out of memory");
  }
  for (size_t j = 0; j <= E->nn; j++)
    row[j] = -1;
  free(E->trow);
  E->trow = row;
  free(E->tmemo);
  E->tmemo = memo;
}

/* The ops the Taylor nodes of the printed DAG use (TAY_*); 0: none.
   Refuses what the C forms cannot do. */
static int
tay_bits(Emit *E)
{
  int bits = 0;
  for (size_t e = 0; e < E->nn; e++) {
    if (!E->n[e].uses || E->n[e].kind != EK_OP
        || E->n[e].op != GT_OP_TAYLOR)
      continue;
    tay_scratch(E);
    tay_cone(E, (int32_t)e, E->trow, E->tmemo, &bits);
  }
  return bits;
}

/* The C statements for the Taylor node e: the series of the nodes of its
   y that depend on x, and the K-th derivative K! y_K into tE. */
static void
c_taylor(Emit *E, Buf *b, int32_t e, int mp)
{
  const ENode *tn = &E->n[e];
  int K = (int)tn->r.p;
  tay_scratch(E);
  int32_t *row = E->trow;
  unsigned char *memo = E->tmemo;
  int bits = 0;
  int32_t xin = E->n[tn->b].a;
  int32_t m = tay_cone(E, e, row, memo, &bits);
  Buf v = { 0 };
  const char *T = E->tpfx;
  if (!tay_dep(E, tn->a, xin, memo) || K == 0) {
    /* y does not move with x: its derivatives are 0 (K = 0: y) */
    c_operand(E, &v, tn->a, mp);
    if (mp)
      bprintf(b, K ? "  mpfr_set_zero(%s[%ld], 1);\n"
                   : "  mpfr_set(%s[%ld], %s, MPFR_RNDN);\n", T, (long)e,
              v.s);
    else
      bprintf(b, "  const double %s%ld = %s;\n", T, (long)e, K ? "0" : v.s);
    free(v.s);
    return;
  }
  if (mp) {
    long wp = (long)E->t->prec + 32 + 2L * K;
    bprintf(b, "  /* %s[%ld]: d^%d/dx^%d in Taylor mode, as taylor.c: at "
            "%ld + 32 + 2*%d bits */\n  {\n", T, (long)e, K, K,
            (long)E->t->prec, K);
    bprintf(b, "    mpfr_t gs[%ld][%d], gw[3];\n", (long)m, K + 1);
    bprintf(b, "    for (int i = 0; i < %ld; i++)\n"
            "      for (int n = 0; n <= %d; n++) {\n"
            "        mpfr_init2(gs[i][n], %ld);\n"
            "        mpfr_set_zero(gs[i][n], 1);\n      }\n"
            "    for (int i = 0; i < 3; i++)\n"
            "      mpfr_init2(gw[i], %ld);\n", (long)m, K, wp, wp);
  } else {
    bprintf(b, "  /* %s%ld: d^%d/dx^%d in Taylor mode */\n  double %s%ld;\n"
            "  {\n    double gs[%ld][%d] = { { 0 } };\n", T, (long)e, K, K, T,
            (long)e, (long)m, K + 1);
  }
  for (int32_t j = 0; j < tn->a + 1; j++) {
    if (row[j] < 0)
      continue;
    const ENode *x = &E->n[j];
    long r = row[j];
    v.n = 0;
    if (v.s)
      v.s[0] = 0;
    c_operand(E, &v, j, mp);
    if (!tay_dep(E, j, xin, memo)) {
      /* a constant: its value, then zeros */
      if (mp)
        bprintf(b, "    mpfr_set(gs[%ld][0], %s, MPFR_RNDN);\n", r, v.s);
      else
        bprintf(b, "    gs[%ld][0] = %s;\n", r, v.s);
      continue;
    }
    if (x->kind == EK_INPUT) {
      /* the seed x0 + t */
      if (mp)
        bprintf(b, "    mpfr_set(gs[%ld][0], %s, MPFR_RNDN);\n"
                "    mpfr_set_ui(gs[%ld][1], 1, MPFR_RNDN);\n", r, v.s, r);
      else
        bprintf(b, "    gs[%ld][0] = %s;\n    gs[%ld][1] = 1;\n", r, v.s, r);
      if (K < 1)
        efail("internal: order 0 in a Taylor block");
      continue;
    }
    long ra = row[x->a], rb = x->b >= 0 ? row[x->b] : -1;
    GtOp op = (GtOp)x->op;
    if (mp) {
      /* y_0 by the forward rule at the sweep's precision */
      const char *f = op == GT_OP_ADD ? "mpfr_add" : op == GT_OP_SUB
        ? "mpfr_sub" : op == GT_OP_MUL ? "mpfr_mul" : op == GT_OP_DIV
        ? "mpfr_div" : op == GT_OP_NEG ? "mpfr_neg" : op == GT_OP_EXP
        ? "mpfr_exp" : op == GT_OP_LOG ? "mpfr_log" : op == GT_OP_SIN
        ? "mpfr_sin" : op == GT_OP_COS ? "mpfr_cos" : op == GT_OP_SQRT
        ? "mpfr_sqrt" : "gt_taym_powr";
      if (rb >= 0)
        bprintf(b, "    %s(gs[%ld][0], gs[%ld][0], gs[%ld][0]%s);\n", f, r,
                ra, rb, op == GT_OP_POW ? "" : ", MPFR_RNDN");
      else
        bprintf(b, "    %s(gs[%ld][0], gs[%ld][0], MPFR_RNDN);\n", f, r, ra);
    } else
      bprintf(b, "    gs[%ld][0] = %s;\n", r, v.s);
    const char *pf = mp ? "gt_taym" : "gt_tay", *sc = mp ? ", gw" : "";
    switch (op) {
    case GT_OP_ADD: case GT_OP_SUB:
      bprintf(b, "    %s_add(gs[%ld], gs[%ld], gs[%ld], %d, %d);\n", pf, r,
              ra, rb, K, op == GT_OP_SUB);
      break;
    case GT_OP_NEG:
      bprintf(b, "    %s_neg(gs[%ld], gs[%ld], %d);\n", pf, r, ra, K);
      break;
    case GT_OP_MUL: case GT_OP_DIV:
      bprintf(b, "    %s_%s(gs[%ld], gs[%ld], gs[%ld], %d%s);\n", pf,
              op == GT_OP_MUL ? "mul" : "div", r, ra, rb, K, sc);
      break;
    case GT_OP_EXP: case GT_OP_LOG: case GT_OP_SQRT:
      bprintf(b, "    %s_%s(gs[%ld], gs[%ld], %d%s);\n", pf,
              op == GT_OP_EXP ? "exp" : op == GT_OP_LOG ? "log" : "sqrt", r,
              ra, K, sc);
      break;
    case GT_OP_SIN: case GT_OP_COS:
      bprintf(b, "    %s_sincos(gs[%ld], gs[%ld], %d, %d%s);\n", pf, r, ra,
              K, op == GT_OP_SIN, sc);
      break;
    case GT_OP_POW: {
      int kind = (!tay_dep(E, x->b, xin, memo))
                 | 2 * (!tay_dep(E, x->a, xin, memo));
      bprintf(b, "    %s_pow(gs[%ld], gs[%ld], gs[%ld], %d, %d%s);\n", pf, r,
              ra, rb, K, kind, sc);
      break;
    }
    default:
      efail("internal: a Taylor op without a C rule");
    }
  }
  long ry = row[tn->a];
  if (mp) {
    /* K! y_K at the sweep's precision, rounded once */
    bprintf(b, "    mpfr_set_ui(gw[2], 1, MPFR_RNDN);\n"
            "    for (unsigned long j = 1; j <= %d; j++)\n"
            "      mpfr_mul_ui(gw[2], gw[2], j, MPFR_RNDN);\n"
            "    mpfr_mul(gw[1], gs[%ld][%d], gw[2], MPFR_RNDN);\n"
            "    mpfr_set(%s[%ld], gw[1], MPFR_RNDN);\n"
            "    for (int i = 0; i < %ld; i++)\n"
            "      for (int n = 0; n <= %d; n++)\n"
            "        mpfr_clear(gs[i][n]);\n"
            "    for (int i = 0; i < 3; i++)\n      mpfr_clear(gw[i]);\n"
            "  }\n", K, ry, K, T, (long)e, (long)m, K);
  } else {
    /* K! */
    double f = 1;
    for (int j = 2; j <= K; j++)
      f *= j;
    bprintf(b, "    %s%ld = gs[%ld][%d] * %.17g;\n  }\n", T, (long)e, ry, K,
            f);
  }
  free(v.s);
}

/* The MPFR form's trigamma: lib/special.c's algorithm (the reflection,
   the recurrence, the asymptotic series with exact Bernoulli numbers,
   Ziv's loop on mpfr_can_round with the same working precisions and error
   counts), so that it gives gradtool's bits.  One line an element. */
static const char *const mpfr_trigamma_src[] = {
  "/* Bernoulli numbers B_2 .. B_2n (b[k-1] = B_2k, exact) from the tangent",
  "   numbers T_k by Brent and Harvey's integer recurrence, then",
  "   B_2k = (-1)^(k-1) 2k T_k / (2^2k (2^2k - 1)) */",
  "static mpq_t *",
  "gt_bernoulli(unsigned long n)",
  "{",
  "  mpq_t *b = malloc(n * sizeof *b);",
  "  mpz_t *t = malloc(n * sizeof *t);",
  "  if (b == NULL || t == NULL) {",
  "    free(b);",
  "    free(t);",
  "    return NULL;",
  "  }",
  "  mpz_init_set_ui(t[0], 1);",
  "  for (unsigned long k = 2; k <= n; k++) {",
  "    mpz_init(t[k - 1]);",
  "    mpz_mul_ui(t[k - 1], t[k - 2], k - 1);",
  "  }",
  "  for (unsigned long k = 2; k <= n; k++)",
  "    for (unsigned long j = k; j <= n; j++) {",
  "      mpz_mul_ui(t[j - 1], t[j - 1], j - k + 2);",
  "      mpz_addmul_ui(t[j - 1], t[j - 2], j - k);",
  "    }",
  "  for (unsigned long k = 1; k <= n; k++) {",
  "    mpq_init(b[k - 1]);",
  "    mpz_mul_ui(mpq_numref(b[k - 1]), t[k - 1], 2 * k);",
  "    if (k % 2 == 0)",
  "      mpz_neg(mpq_numref(b[k - 1]), mpq_numref(b[k - 1]));",
  "    mpz_set_ui(mpq_denref(b[k - 1]), 1);",
  "    mpz_mul_2exp(mpq_denref(b[k - 1]), mpq_denref(b[k - 1]), 2 * k);",
  "    mpz_sub_ui(mpq_denref(b[k - 1]), mpq_denref(b[k - 1]), 1);",
  "    mpz_mul_2exp(mpq_denref(b[k - 1]), mpq_denref(b[k - 1]), 2 * k);",
  "    mpq_canonicalize(b[k - 1]);",
  "  }",
  "  for (unsigned long k = 0; k < n; k++)",
  "    mpz_clear(t[k]);",
  "  free(t);",
  "  return b;",
  "}",
  "",
  "static void",
  "gt_bernoulli_free(mpq_t *b, unsigned long n)",
  "{",
  "  for (unsigned long k = 0; k < n; k++)",
  "    mpq_clear(b[k]);",
  "  free(b);",
  "}",
  "",
  "/* psi1(x) for x >= 1/2 at precision w: the recurrence",
  "   psi1(x) = 1/x^2 + psi1(x + 1) up to v = x + m >= w/4 + 2, then the",
  "   asymptotic series 1/v + 1/(2v^2) + sum_k B_2k / v^(2k+1); *count gets",
  "   the error bound in units of 2^-w.  -1: out of memory, 1: the series",
  "   did not converge, else 0. */",
  "static int",
  "gt_trigamma_pos(mpfr_ptr res, mpfr_srcptr x, mpfr_prec_t w,",
  "                unsigned long *count)",
  "{",
  "  mpfr_t v, t, s, p, z, term;",
  "  unsigned long m, k, threshold = (unsigned long)(w / 4) + 2, nb = 0;",
  "  mpfr_exp_t prev_exp = 0;",
  "  mpq_t *bt = NULL;",
  "  int rc = 0;",
  "  mpfr_inits2(w, v, t, s, p, z, term, (mpfr_ptr)0);",
  "  mpfr_set_ui(s, 0, MPFR_RNDN);",
  "  for (m = 0;; m++) {",
  "    mpfr_add_ui(v, x, m, MPFR_RNDN);",
  "    if (mpfr_cmp_ui(v, threshold) >= 0)",
  "      break;",
  "    mpfr_sqr(t, v, MPFR_RNDN);",
  "    mpfr_ui_div(t, 1, t, MPFR_RNDN);",
  "    mpfr_add(s, s, t, MPFR_RNDN);",
  "  }",
  "  mpfr_ui_div(p, 1, v, MPFR_RNDN);",
  "  mpfr_sqr(z, p, MPFR_RNDN);",
  "  mpfr_div_2ui(t, z, 1, MPFR_RNDN);",
  "  mpfr_add(t, t, p, MPFR_RNDN);",
  "  for (k = 1;; k++) {",
  "    int done;",
  "    if (k > nb) {",
  "      /* a longer table (the numbers are exact: any length gives them) */",
  "      unsigned long want = nb < 16 ? 32 : 2 * nb;",
  "      if (bt != NULL)",
  "        gt_bernoulli_free(bt, nb);",
  "      nb = 0;",
  "      if ((bt = gt_bernoulli(want)) == NULL) {",
  "        rc = -1;",
  "        break;",
  "      }",
  "      nb = want;",
  "    }",
  "    mpfr_mul(p, p, z, MPFR_RNDN);",
  "    if (mpfr_zero_p(p))",
  "      break;",
  "    mpfr_mul_q(term, p, bt[k - 1], MPFR_RNDN);",
  "    if (k > 1 && mpfr_get_exp(term) >= prev_exp) {",
  "      rc = 1;",
  "      break;",
  "    }",
  "    prev_exp = mpfr_get_exp(term);",
  "    done = mpfr_get_exp(term) < mpfr_get_exp(t) - w - 1;",
  "    mpfr_add(t, t, term, MPFR_RNDN);",
  "    if (done)",
  "      break;",
  "  }",
  "  mpfr_add(res, s, t, MPFR_RNDN);",
  "  *count += 4 + m + 15;",
  "  if (bt != NULL)",
  "    gt_bernoulli_free(bt, nb);",
  "  mpfr_clears(v, t, s, p, z, term, (mpfr_ptr)0);",
  "  return rc;",
  "}",
  "",
  "/* psi1(x) at precision w off the poles: below 1/2 by the reflection",
  "   psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x) */",
  "static int",
  "gt_trigamma_any(mpfr_ptr res, mpfr_srcptr x, mpfr_prec_t w,",
  "                unsigned long *count)",
  "{",
  "  mpfr_t a, y;",
  "  unsigned long c = 0;",
  "  int rc;",
  "  if (mpfr_cmp_ui_2exp(x, 1, -1) >= 0)",
  "    return gt_trigamma_pos(res, x, w, count);",
  "  mpfr_inits2(w, a, y, (mpfr_ptr)0);",
  "  mpfr_ui_sub(y, 1, x, MPFR_RNDN);",
  "  rc = gt_trigamma_pos(res, y, w, &c);",
  "  mpfr_sinpi(a, x, MPFR_RNDN);",
  "  mpfr_sqr(a, a, MPFR_RNDN);",
  "  mpfr_const_pi(y, MPFR_RNDN);",
  "  mpfr_sqr(y, y, MPFR_RNDN);",
  "  mpfr_div(a, y, a, MPFR_RNDN);",
  "  mpfr_sub(res, a, res, MPFR_RNDN);",
  "  *count += 2 * (c + 2) + 2 * 7 + 1;",
  "  mpfr_clears(a, y, (mpfr_ptr)0);",
  "  return rc;",
  "}",
  "",
  "/* r = psi1(x), the derivative of digamma, as gradtool computes it",
  "   (lib/special.c): correctly rounded by Ziv's strategy at a working",
  "   precision from r's + 24 + 2 log2, 8 tries at most */",
  "static void",
  "gt_trigamma(mpfr_ptr r, mpfr_srcptr x)",
  "{",
  "  mpfr_prec_t pr = mpfr_get_prec(r), w;",
  "  mpfr_flags_t flags;",
  "  mpfr_t t;",
  "  if (mpfr_nan_p(x)) {",
  "    mpfr_set_nan(r);",
  "    mpfr_set_nanflag();",
  "    return;",
  "  }",
  "  if (mpfr_inf_p(x)) {",
  "    if (mpfr_signbit(x)) {",
  "      mpfr_set_nan(r);",
  "      mpfr_set_nanflag();",
  "    } else",
  "      mpfr_set_zero(r, 1);",
  "    return;",
  "  }",
  "  if (mpfr_integer_p(x) && mpfr_sgn(x) <= 0) {",
  "    mpfr_set_inf(r, 1);",
  "    mpfr_set_divby0();",
  "    return;",
  "  }",
  "  flags = mpfr_flags_save();",
  "  w = pr + 24;",
  "  for (mpfr_prec_t q = pr; q > 0; q >>= 1)",
  "    w += 2;",
  "  mpfr_init2(t, w);",
  "  for (int tries = 0;; tries++) {",
  "    unsigned long count = 0;",
  "    int err;",
  "    mpfr_set_prec(t, w);",
  "    int rc = gt_trigamma_any(t, x, w, &count);",
  "    if (rc < 0 || (rc > 0 && tries >= 8)) {",
  "      mpfr_clear(t);",
  "      mpfr_flags_restore(flags, MPFR_FLAGS_ALL);",
  "      mpfr_set_nan(r);",
  "      mpfr_set_nanflag();",
  "      return;",
  "    }",
  "    if (rc > 0) {",
  "      w += w / 2;",
  "      continue;",
  "    }",
  "    if (!mpfr_regular_p(t))",
  "      break;",
  "    for (err = 1; count > 0; count >>= 1)",
  "      err++;",
  "    if (err < w && mpfr_can_round(t, w - err, MPFR_RNDN, MPFR_RNDZ, pr + 1))",
  "      break;",
  "    if (tries >= 8)",
  "      break;",
  "    w += w / 2;",
  "  }",
  "  mpfr_flags_restore(flags, MPFR_FLAGS_ALL);",
  "  if (mpfr_inf_p(t))",
  "    mpfr_set_overflow();",
  "  mpfr_set(r, t, MPFR_RNDN);",
  "  mpfr_clear(t);",
  "}",
  "",
  NULL
};

/* C99: a function computing the items; with mp, in MPFR */
static void
print_c(Emit *E, Buf *b, const Job *J, const Guards *G, int mp)
{
  const GtSession *s = E->s;
  bprintf(b, "/* emitted by gradtool --emit=%s%s */\n", mp ? "c-mpfr" : "c",
          mp ? "" : " (double precision)");
  kink_comments(E, b, "/* note: ", " */\n");
  int posix = 0;          /* jn, yn are POSIX, not C99 */
  for (size_t i = 0; i < E->nn && !mp; i++)
    posix |= E->n[i].kind == EK_OP && (E->n[i].op == GT_OP_BESSELJ
                                       || E->n[i].op == GT_OP_BESSELY);
  if (posix)
    bput(b, "#define _XOPEN_SOURCE 700  /* jn, yn */\n");
  /* mpfr_printf is declared only when <stdio.h> comes first */
  bput(b, "#ifdef GRADTOOL_EMIT_MAIN\n#include <stdio.h>\n#endif\n");
  int trig = 0;
  for (size_t i = 0; mp && i < E->nn; i++)
    trig |= E->n[i].uses && E->n[i].kind == EK_OP
            && E->n[i].op == GT_OP_TRIGAMMA;
  if (trig)
    bput(b, "#include <stdlib.h>\n");
  bput(b, mp ? "#include <mpfr.h>\n\n" : "#include <math.h>\n\n");
  if (!mp)
    c_helpers(E, b);
  for (size_t i = 0; trig && mpfr_trigamma_src[i]; i++) {
    bput(b, mpfr_trigamma_src[i]);
    bput(b, "\n");
  }
  if (mp)
    tay_helpers_mpfr(b, tay_bits(E));
  else
    tay_helpers_double(b, tay_bits(E));
  size_t ni = s->prog->ninputs;
  /* names: tensors are flat arrays, row-major; renamed identifiers */
  for (size_t i = 0; i < ni + J->n; i++) {
    const GtShape *sh = i < ni ? input_shape(E, (int32_t)i)
                               : &J->items[i - ni].shape;
    const char *orig = i < ni ? s->names.text[s->prog->inputs[i].name]
                              : J->items[i - ni].label;
    int renamed = strcmp(E->cname[i], i < ni ? orig
                         : J->items[i - ni].ident) != 0;
    if (sh->rank == 0 && !renamed)
      continue;
    bprintf(b, "/* %s: %s", E->cname[i], i < ni ? "input" : "output");
    if (renamed)
      bprintf(b, " '%s'", orig);
    if (sh->rank > 0) {
      char dims[200];
      bprintf(b, ", %zu element%s of shape %s, row-major%s", sh->size,
              sh->size == 1 ? "" : "s", gt_shape_str(sh, dims, sizeof dims),
              mp ? " (consecutive __mpfr_struct)" : "");
    }
    bput(b, " */\n");
  }
  bprintf(b, "/* Returns 0, or 1 when the point leaves the path the run "
          "took. */\nint\ngradtool_emit(");
  int first = 1;
  for (size_t i = 0; i < ni; i++) {
    int tensor = input_shape(E, (int32_t)i)->rank > 0;
    bprintf(b, "%s%s%s", first ? "" : ", ", mp ? "mpfr_srcptr "
            : tensor ? "const double *" : "double ", E->cname[i]);
    first = 0;
  }
  for (size_t i = 0; i < J->n; i++) {
    bprintf(b, "%s%s%s", first ? "" : ", ", mp ? "mpfr_ptr " : "double *",
            E->cname[ni + i]);
    first = 0;
  }
  bprintf(b, "%s)\n{\n", first ? "void" : "");
  if (mp)
    bprintf(b, "  mpfr_t %s[%zu];\n  for (int i = 0; i < %zu; i++)\n"
            "    mpfr_init2(%s[i], %ld);\n", E->tpfx, E->nn + 1, E->nn + 1,
            E->tpfx, (long)E->t->prec);
  for (size_t e = 0; e < E->nn; e++)
    if (E->n[e].uses)
      (mp ? c_mpfr_node : c_double_node)(E, b, (int32_t)e);
  int any = 0;
  for (size_t g = 0; g < G->n; g++) {
    if (!any)
      bput(b, "  int ok = 1;\n");
    any = 1;
    Buf where = { 0 };
    const char *site = decision_site(s, G, g, &where);
    bprintf(b, "  /* the decision at %s */\n", site[0] ? site : "?");
    free(where.s);
    Buf v = { 0 };
    c_operand(E, &v, G->map[g], mp);
    int truth = G->kind[g] != G_INT;
    const char *neg = G->kind[g] == G_TRUE ? "!" : "";
    if (mp && truth)
      bprintf(b, "  ok &= %smpfr_zero_p(%s);\n", neg, v.s);
    else if (mp)
      bprintf(b, "  mpfr_round(%s[%zu], %s);\n  ok &= mpfr_cmp_si(%s[%zu], "
              "%ld) == 0;\n", E->tpfx, E->nn, v.s, E->tpfx, E->nn,
              G->val[g]);
    else if (truth)
      bprintf(b, "  ok &= %s(%s != 0);\n", neg[0] ? "" : "!", v.s);
    else
      bprintf(b, "  ok &= round(%s) == %ld;\n", v.s, G->val[g]);
    free(v.s);
  }
  for (size_t i = 0; i < J->n; i++)
    for (size_t k = 0; k < J->items[i].shape.size; k++) {
      Buf v = { 0 }, y = { 0 };
      c_operand(E, &v, E->el[J->items[i].e + (long)k], mp);
      if (J->items[i].shape.rank == 0)
        bprintf(&y, "%s%s", mp ? "" : "*", E->cname[ni + i]);
      else
        bprintf(&y, "%s%s[%zu]", mp ? "&" : "", E->cname[ni + i], k);
      if (mp)
        bprintf(b, "  mpfr_set(%s, %s, MPFR_RNDN);\n", y.s, v.s);
      else
        bprintf(b, "  %s = %s;\n", y.s, v.s);
      free(v.s);
      free(y.s);
    }
  if (mp)
    bprintf(b, "  for (int i = 0; i < %zu; i++)\n    mpfr_clear(%s[i]);\n",
            E->nn + 1, E->tpfx);
  bput(b, any ? "  return !ok;\n}\n" : "  return 0;\n}\n");
  print_c_main(E, b, J, mp);
}

/* ---- Graphviz ------------------------------------------------------------ */

/* dot: the value-preserving DAG (what --emit=gt computes), inputs blue,
   operations of the run white, operations of the derivative sweeps
   orange, constants plain, each output and derivative a box */
static void
print_dot(Emit *E, Buf *b, const Job *J)
{
  bput(b, "digraph gradtool {\n  rankdir=BT;\n"
          "  node [fontname=\"Helvetica\", shape=ellipse];\n");
  for (size_t i = 0; i < E->nn; i++) {
    const ENode *x = &E->n[i];
    if (!x->uses)
      continue;
    bprintf(b, "  n%zu [label=\"", i);
    if (x->kind == EK_NUM)
      put_number(b, x->v);
    else if (x->kind == EK_INPUT)
      pr_input(E, b, (int32_t)i);
    else if (x->op == GT_OP_TAYLOR) {
      /* the k-th derivative in x of its first operand (Taylor mode) */
      bput(b, "d^");
      bprintf(b, "%ld/d", (long)x->r.p);
      pr_input(E, b, x->b);
      bprintf(b, "^%ld (Taylor)", (long)x->r.p);
    } else
      bput(b, x->op == GT_OP_POW ? "^" : gt_ops[x->op].name);
    int adj = x->tape >= 0 && (E->t->nodes[x->tape].flags & GT_NF_ADJ);
    bprintf(b, "\"%s];\n",
            x->kind == EK_NUM ? ", shape=plaintext"
            : x->kind == EK_INPUT ? ", style=filled, fillcolor=\"#cfe2ff\""
            : adj ? ", style=filled, fillcolor=\"#ffd8a8\"" : "");
  }
  for (size_t i = 0; i < E->nn; i++) {
    const ENode *x = &E->n[i];
    if (!x->uses || x->kind != EK_OP)
      continue;
    int32_t ops[3] = { x->a, x->b, x->c };
    for (int k = 0; k < 3; k++)
      if (ops[k] >= 0)
        bprintf(b, "  n%ld -> n%zu;\n", (long)ops[k], i);
  }
  size_t o = 0;
  for (size_t i = 0; i < J->n; i++)
    for (size_t k = 0; k < J->items[i].shape.size; k++, o++) {
      bprintf(b, "  out%zu [label=\"%s", o, J->items[i].label);
      if (J->items[i].shape.rank > 0)
        put_index(b, &J->items[i].shape, k, 1);
      bprintf(b, "\", shape=box%s];\n", J->items[i].order
              ? ", style=filled, fillcolor=\"#ffd8a8\"" : "");
      bprintf(b, "  n%ld -> out%zu;\n", (long)E->el[J->items[i].e + (long)k],
              o);
    }
  bput(b, "}\n");
}

/* ---- the entry point ------------------------------------------------------- */

int
gt_emit_format(const char *name)
{
  static const char *names[] = { "expr", "gt", "c", "c-mpfr", "latex",
                                 "dot" };
  for (int k = 0; k < (int)(sizeof names / sizeof *names); k++)
    if (strcmp(name, names[k]) == 0)
      return k;
  return -1;
}

int
gt_session_input_has_default(const GtSession *s, size_t i)
{
  if (s->prog == NULL || i >= s->prog->ninputs)
    return 0;
  const GtBlock *top = &s->prog->top;
  for (size_t k = 0; k < top->n; k++) {
    const GtStmt *st = top->stmts[k];
    if (st->kind == GT_ST_INPUT && st->input_index == (int)i)
      return st->expr != NULL;
  }
  return 0;
}

/* The decisions the emitted form holds for: the run's control decisions
   (tape guards) that depend on inputs, and the branches that the
   derivative rules of abs, relu, min, max and where() took on this run's
   values.  Each is a node and what it must give (G_TRUE, G_FALSE, else
   the integer), or a comparison cmp of node and rhs (-1: zero) that must
   be true. */

static void
guard_add(Guards *G, int32_t node, int32_t rhs, int cmp, int kind, long v)
{
  G->nel[G->n] = G->el[0];
  G->rel[G->n] = G->el[1];
  G->at[G->n] = G->site;
  G->xs[G->n] = G->xsite;
  G->node[G->n] = node;
  G->rhs[G->n] = rhs;
  G->cmp[G->n] = cmp;
  G->kind[G->n] = kind;
  G->val[G->n++] = v;
}

/* the branch that element k of node i's derivative rule took, as a
   guard */
static void
rule_guard(Guards *G, const GtTape *t, int32_t i, size_t k,
           const unsigned char *dep)
{
  const GtNode *n = &t->nodes[i];
  const GtShape *ys = gt_node_shape(t, i);
  long st[GT_MAX_RANK];
  size_t ea = 0, eb = 0;
  if (n->a >= 0) {
    gt_bcast_strides(ys, gt_node_shape(t, n->a), st);
    ea = (size_t)walk_off(ys, st, k);
  }
  if (n->b >= 0) {
    gt_bcast_strides(ys, gt_node_shape(t, n->b), st);
    eb = (size_t)walk_off(ys, st, k);
  }
  mpfr_srcptr va = n->a >= 0 ? &t->nodes[n->a].v[ea] : NULL;
  mpfr_srcptr vb = n->b >= 0 ? &t->nodes[n->b].v[eb] : NULL;
  int c;
  G->site = i;
  G->xsite = 0;
  G->el[0] = ea;
  G->el[1] = eb;
  switch (n->op) {
  case GT_OP_ABS:
  case GT_OP_RELU:
    if (!dep[n->a])
      return;
    c = mpfr_sgn(va);
    if (n->op == GT_OP_RELU)
      guard_add(G, n->a, -1, c > 0 ? GT_OP_GT : GT_OP_LE, G_TRUE, 0);
    else
      guard_add(G, n->a, -1, c > 0 ? GT_OP_GT : c < 0 ? GT_OP_LT : GT_OP_EQ,
                G_TRUE, 0);
    return;
  case GT_OP_MIN:
  case GT_OP_MAX:
    if (!dep[n->a] && !dep[n->b])
      return;
    c = mpfr_cmp(va, vb);
    guard_add(G, n->a, n->b, c > 0 ? GT_OP_GT : c < 0 ? GT_OP_LT : GT_OP_EQ,
              G_TRUE, 0);
    return;
  case GT_OP_WHERE:
    if (dep[n->a])
      guard_add(G, n->a, -1, GT_OP_COUNT,
                mpfr_zero_p(va) ? G_FALSE : G_TRUE, 0);
    return;
  default:
    return;
  }
}

static void
data_guards(const GtSession *s, Guards *G)
{
  const GtTape *t = &s->tape;
  unsigned char *dep = input_dependence(t);
  size_t run = t->run_nodes ? t->run_nodes : t->n, cap = t->nguards + 1;
  for (size_t i = 0; i < run; i++)
    if (t->nodes[i].op == GT_OP_ABS || t->nodes[i].op == GT_OP_RELU
        || t->nodes[i].op == GT_OP_MIN || t->nodes[i].op == GT_OP_MAX
        || t->nodes[i].op == GT_OP_WHERE)
      cap += gt_node_size(t, (int32_t)i);
    else if (t->nodes[i].op == GT_OP_PROD)
      cap += gt_node_size(t, t->nodes[i].a);
  G->node = malloc(cap * sizeof *G->node);
  G->at = malloc(cap * sizeof *G->at);
  G->rhs = malloc(cap * sizeof *G->rhs);
  G->map = malloc(cap * sizeof *G->map);
  G->cmp = malloc(cap * sizeof *G->cmp);
  G->kind = malloc(cap * sizeof *G->kind);
  G->val = malloc(cap * sizeof *G->val);
  G->nel = malloc(cap * sizeof *G->nel);
  G->xs = malloc(cap * sizeof *G->xs);
  G->rel = malloc(cap * sizeof *G->rel);
  if (!G->node || !G->at || !G->rhs || !G->map || !G->cmp || !G->kind
      || !G->val || !G->nel || !G->rel || !G->xs) {
    free(dep);
    efail("out of memory");
  }
  for (size_t g = 0; g < t->nguards; g++) {
    const GtGuard *x = &t->guards[g];
    if (x->node < 0 || !dep[x->node] || gt_node_size(t, x->node) != 1)
      continue;
    G->site = x->node;
    G->xsite = x->site;
    G->el[0] = G->el[1] = 0;
    if (x->kind == GT_GUARD_TRUTH)
      guard_add(G, x->node, -1, GT_OP_COUNT, x->value ? G_TRUE : G_FALSE, 0);
    else
      guard_add(G, x->node, -1, GT_OP_COUNT, G_INT, x->value);
  }
  for (size_t i = 0; i < run; i++)
    for (size_t k = 0; k < gt_node_size(t, (int32_t)i); k++)
      rule_guard(G, t, (int32_t)i, k, dep);
  /* reduce_prod's recorded derivative is g y / a when no element of a
     is 0 (tensor.c): it holds where none is */
  for (size_t i = 0; i < run; i++) {
    const GtNode *n = &t->nodes[i];
    if (n->op != GT_OP_PROD || !dep[n->a])
      continue;
    size_t sz = gt_node_size(t, n->a), zero = 0;
    for (size_t k = 0; k < sz; k++)
      zero |= mpfr_zero_p(&t->nodes[n->a].v[k]) != 0;
    G->site = (int32_t)i;
    G->xsite = 0;
    G->el[1] = 0;
    for (size_t k = 0; k < sz && !zero; k++) {
      G->el[0] = k;
      guard_add(G, n->a, -1, GT_OP_NE, G_TRUE, 0);
    }
  }
  free(dep);
}

static void
guards_free(Guards *G)
{
  free(G->node);
  free(G->at);
  free(G->rhs);
  free(G->map);
  free(G->cmp);
  free(G->kind);
  free(G->val);
  free(G->nel);
  free(G->rel);
  free(G->xs);
}

/* the expression that made guard g's decision (a condition, a range
   bound), else its node's */
static uint32_t
decision_expr(const GtSession *s, const Guards *G, size_t g)
{
  return G->xs[g] ? G->xs[g] : s->tape.nodes[G->at[g]].site;
}

static const char *
decision_site(const GtSession *s, const Guards *G, size_t g, Buf *b)
{
  return expr_site(s, decision_expr(s, G, g), b);
}

/* expr, latex: a note on stderr at each place where a decision of the
   run depended on the inputs (each place once; at most 10) */
static void
path_note(GtSession *s, const Guards *G)
{
  size_t ng = G->n, shown = 0, places = 0;
  if (ng == 0)
    return;
  for (size_t g = 0; g < ng; g++) {
    uint32_t x = decision_expr(s, G, g);
    int seen = 0;
    for (size_t h = 0; h < g && !seen; h++)
      seen = decision_expr(s, G, h) == x;
    if (seen)
      continue;
    places++;
    if (shown == 10)
      continue;
    shown++;
    GtSpan sp = { 0, 0, 0 };
    const GtSource *src = NULL;
    if (x && x < s->prog->nexprs) {
      sp = s->prog->exprs[x]->span;
      src = s->sources[sp.src];
    }
    gt_diag_add(&s->diags, GT_SEV_NOTE, src, sp,
                "the emitted expressions hold on the path this run took: "
                "this decision depended on the inputs; --emit=gt writes it "
                "as an assert");
  }
  if (places > shown || ng > 1)
    gt_diag_add(&s->diags, GT_SEV_NOTE, NULL, (GtSpan){ 0, 0, 0 },
                "%zu decision%s at %zu place%s depended on the inputs%s", ng,
                ng == 1 ? "" : "s", places, places == 1 ? "" : "s",
                places > shown ? " (the first 10 places shown)" : "");
}

typedef struct Ctx {
  Emit E;
  Job J;
  int32_t *map, *roots;
  Guards G;
  Buf out;
} Ctx;

static void
ctx_free(Ctx *C)
{
  free(C->E.n);
  free(C->E.el);
  free(C->E.need);
  free(C->E.dep);
  free(C->E.trow);
  free(C->E.tmemo);
  for (size_t i = 0; i < C->E.ncname; i++)
    free(C->E.cname[i]);
  free(C->E.cname);
  free(C->E.tab);
  gt_arena_free(&C->E.arena);
  gt_arena_free(&C->E.hold.vals);
  job_free(&C->J);
  free(C->map);
  guards_free(&C->G);
  free(C->roots);
  free(C->out.s);
}

/* Written without temporaries, a DAG can be exponentially larger than
   itself (Halley's iteration): refuse before printing when the trees
   would exceed 10^6 operations. */
static void
tree_size_check(Emit *E, const Job *J)
{
  double *size = malloc((E->nn + 1) * sizeof *size), most = 0;
  if (size == NULL)
    efail("out of memory");
  for (size_t i = 0; i < E->nn; i++) {
    const ENode *x = &E->n[i];
    double z = 1;
    if (x->kind == EK_OP) {
      if (x->a >= 0) z += size[x->a];
      if (x->b >= 0) z += size[x->b];
      if (x->c >= 0) z += size[x->c];
    }
    for (uint32_t k = 0; k < x->nk; k++)
      z += size[x->kids[k]];
    size[i] = z;
  }
  for (size_t i = 0; i < J->n; i++)
    for (size_t k = 0; k < J->items[i].shape.size; k++) {
      double z = size[E->el[J->items[i].e + (long)k]];
      most = z > most ? z : most;
    }
  free(size);
  if (most > 1e6) {
    static _Thread_local char why[200];
    snprintf(why, sizeof why, "written in the inputs only, a formula would "
             "have %.3g operations (%zu with sharing): use --emit=gt or "
             "--emit=c, which share subexpressions", most, E->nn);
    efail(why);
  }
}

/* the comparison lhs cmp rhs (rhs -1: zero), true at the run's point */
static int32_t
guard_cmp(Emit *E, GtOp cmp, int32_t lhs, int32_t rhs)
{
  mpfr_ptr one = fresh(E), zero = fresh(E);
  mpfr_set_ui(one, 1, MPFR_RNDN);
  mpfr_set_ui(zero, 0, MPFR_RNDN);
  if (rhs < 0)
    rhs = E->alg ? num_rat(E, R0) : num_val(E, zero);
  if (E->alg)
    return alg_op(E, cmp, lhs, rhs, -1);
  return exact_op(E, cmp, lhs, rhs, -1, one);
}

/* after the recording: rebuild, then print in format fmt */
static void
emit_body(Ctx *C, GtEmitFormat fmt)
{
  Emit *E = &C->E;
  Guards *G = &C->G;
  data_guards(E->s, G);
  size_t nroots = C->J.n + 2 * G->n;
  int32_t *roots = C->roots = malloc((nroots + 1) * sizeof *roots);
  C->map = malloc((E->t->n + 1) * sizeof *C->map);
  if (roots == NULL || C->map == NULL)
    efail("out of memory");
  nroots = 0;
  for (size_t i = 0; i < C->J.n; i++)
    roots[nroots++] = C->J.items[i].node;
  for (size_t g = 0; g < G->n; g++) {
    roots[nroots++] = G->node[g];
    if (G->rhs[g] >= 0)
      roots[nroots++] = G->rhs[g];
  }
  memset(C->map, 0xff, (E->t->n + 1) * sizeof *C->map);
  rebuild(E, roots, nroots, C->map);
  E->used = C->map;
  for (size_t i = 0; i < C->J.n; i++) {
    Item *it = &C->J.items[i];
    it->e = C->map[it->node];
    it->shape = *gt_node_shape(E->t, it->node);
    for (size_t k = 0; k < it->shape.size; k++)
      count_uses(E, E->el[it->e + (long)k]);
  }
  size_t kept = 0;
  for (size_t g = 0; g < G->n; g++) {
    G->map[g] = E->el[C->map[G->node[g]] + (long)G->nel[g]];
    if (G->cmp[g] != GT_OP_COUNT)
      G->map[g] = guard_cmp(E, (GtOp)G->cmp[g], G->map[g],
                            G->rhs[g] >= 0
                            ? E->el[C->map[G->rhs[g]] + (long)G->rel[g]]
                            : -1);
    /* an element of a tensor that is constant decides nothing */
    if (is_num(E, G->map[g]))
      continue;
    G->map[kept] = G->map[g];
    G->at[kept] = G->at[g];
    G->xs[kept] = G->xs[g];
    G->kind[kept] = G->kind[g];
    G->val[kept++] = G->val[g];
  }
  G->n = kept;
  for (size_t g = 0; g < G->n; g++)
    count_uses(E, G->map[g]);
  if (E->nn > 1000)
    gt_diag_add(&E->s->diags, GT_SEV_NOTE, NULL, (GtSpan){ 0, 0, 0 },
                "the emitted formulas have %zu distinct operations after "
                "simplification and sharing", E->nn);
  switch (fmt) {
  case GT_EMIT_EXPR:
  case GT_EMIT_LATEX:
    tree_size_check(E, &C->J);
    path_note(E->s, G);
    print_tree(E, &C->out, &C->J);
    break;
  case GT_EMIT_GT:
    choose_prefix(E, &C->J);
    name_temps(E, &C->J);
    print_gt(E, &C->out, &C->J, G);
    break;
  case GT_EMIT_C:
  case GT_EMIT_C_MPFR:
    choose_prefix(E, &C->J);
    c_names(E, &C->J);
    print_c(E, &C->out, &C->J, G, fmt == GT_EMIT_C_MPFR);
    break;
  case GT_EMIT_DOT:
    print_dot(E, &C->out, &C->J);
    break;
  }
}

GtStatus
gt_session_emit(GtSession *s, GtEmitFormat fmt, const char *const *of,
                size_t nof, const char *const *wrt, size_t nwrt, int order,
                char **text)
{
  *text = NULL;
  if (!s->ran)
    return emit_error(s, GT_EUSAGE, "the program has not run");
  if (order < 0 || order > 65535)
    return emit_error(s, GT_EUSAGE, "the derivative order must be 0 to "
                      "65535");
  Ctx *C = calloc(1, sizeof *C);
  if (C == NULL)
    return emit_error(s, GT_ERUNTIME, "out of memory");
  GtStatus st = find_request(s, &C->J, of, nof, wrt, nwrt);
  if (st != GT_OK) {
    ctx_free(C);
    free(C);
    return st;
  }
  GtRunEnv env = { &s->opt, s->sources, &s->diags, &s->names };
  gt_rec_kinks_note(&s->res.kinks, &s->tape, s->prog, &env, C->J.onodes,
                    C->J.no, C->J.wnodes, C->J.nw);
  /* the recording's errors (limits, NaN) jump to rjb, the rebuild's to
     fl */
  jmp_buf rjb;
  GtRec r = { .tape = &s->tape, .env = &env, .prog = s->prog, .fail = &rjb };
  for (int k = 0; k < 4; k++)
    r.cache[k] = -1;
  Fail fl = { .why = NULL };
  Fail *volatile outer = fail_at;
  fail_at = &fl;
  Emit *E = &C->E;
  E->s = s;
  E->t = &s->tape;
  E->alg = fmt == GT_EMIT_EXPR || fmt == GT_EMIT_LATEX;
  E->dot = fmt == GT_EMIT_DOT;
  E->latex = fmt == GT_EMIT_LATEX;
  E->limit = s->opt.max_nodes ? s->opt.max_nodes : 50000000;
  E->hold.prec = s->tape.prec;
  if (setjmp(rjb)) {
    st = r.status ? r.status : GT_ERUNTIME;
  } else if (setjmp(fl.jb)) {
    st = emit_error(s, GT_ERUNTIME, "--emit: %s", fl.why);
  } else {
    record_all(&r, &C->J, order);
    E->pi = fresh(E);
    E->e = fresh(E);
    mpfr_const_pi(E->pi, MPFR_RNDN);
    mpfr_set_ui(E->e, 1, MPFR_RNDN);
    mpfr_exp(E->e, E->e, MPFR_RNDN);
    emit_body(C, fmt);
    *text = C->out.s;
    C->out.s = NULL;
  }
  fail_at = outer;
  ctx_free(C);
  free(C);
  return st;
}
