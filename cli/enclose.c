/* enclose.c -- --enclose and --enclose-digits: one run whose values and
 * derivatives are printed as proven intervals (gt_session_enclose).
 *
 * Text prints "NAME in [LO, HI]", JSON {"lo": LO, "hi": HI} where a
 * number would be, CSV and TSV two columns NAME.lo and NAME.hi (the
 * inputs stay one column each, their values).  LO is rounded down and HI
 * up, to --digits digits, by default to the digits that show the width.
 * --enclose-digits N doubles the precision until every interval proves N
 * significant digits (or the precision limit is reached: exit 4).
 * --taylor K encloses the coefficients (gt_session_enclose_taylor);
 * --batch prints one such row per point read (run_enclose_batch).
 * --check with --enclose is verify.c's.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The highest precision --enclose-digits tries. */
#define ENCLOSE_PREC_MAX (1L << 20)

/* --taylor: the entries after the values are Taylor coefficients */
static int taylor_run;

/* Is entry e a Taylor coefficient (gt_session_enclose_taylor's entries
   after the outputs' values)? */
static int
coefficient(const GtEnclosure *e)
{
  return taylor_run && e->wrt != NULL;
}

/* The label of entry e: the output's name, dz/dx, or the coefficient
   [x^k]y. */
static char *
label(const GtEnclosure *e)
{
  if (coefficient(e)) {
    size_t n = strlen(e->wrt[0]) + strlen(e->of) + 32;
    char *t = malloc(n);
    if (t == NULL)
      out_of_memory();
    snprintf(t, n, "[%s^%d]%s", e->wrt[0], e->order, e->of);
    return t;
  }
  if (e->order == 0)
    return xstrdup(e->of);
  GtDeriv d = { e->of, e->wrt, e->order, e->connected, e->lo };
  return deriv_label(&d);
}

/* LO and HI of element k, rounded outwards. */
static void
bound_texts(const Cli *c, const GtEnclosure *e, size_t k, char **lo,
            char **hi)
{
  mpfr_srcptr l = &e->lo.elems[k], h = &e->hi.elems[k];
  long digits = c->digits ? c->digits
                          : gt_enclosure_digits(l, h, c->opt.prec);
  *lo = gt_format_bound(l, digits, 0);
  *hi = gt_format_bound(h, digits, 1);
  if (*lo == NULL || *hi == NULL)
    out_of_memory();
}

/* Is the text a JSON number (not "nan", "inf", "-inf")? */
static int
json_number(const char *t)
{
  return strcmp(t, "nan") != 0 && strcmp(t, "inf") != 0
         && strcmp(t, "-inf") != 0;
}

char *
interval_text(const Cli *c, mpfr_srcptr lo, mpfr_srcptr hi, long digits,
              int json)
{
  if (digits == 0)
    digits = c->digits ? c->digits : gt_enclosure_digits(lo, hi, c->opt.prec);
  char *l = gt_format_bound(lo, digits, 0), *h = gt_format_bound(hi, digits, 1);
  if (l == NULL || h == NULL)
    out_of_memory();
  Buf b = { NULL, 0, 0 };
  buf_adds(&b, json ? "{\"lo\": " : "[");
  if (json && !json_number(l))
    json_add_string(&b, l);
  else
    buf_adds(&b, l);
  buf_adds(&b, json ? ", \"hi\": " : ", ");
  if (json && !json_number(h))
    json_add_string(&b, h);
  else
    buf_adds(&b, h);
  buf_adds(&b, json ? "}" : "]");
  free(l);
  free(h);
  return b.s;
}

static void
put_bound(FILE *out, const char *t, int json)
{
  if (json && !json_number(t))
    json_put_string(out, t);
  else
    fputs(t, out);
}

/* --verified with --enclose: the decimal with the most digits (at most
   the working precision's) to which every point of [lo, hi] rounds to
   nearest -- both ends round to it, and the points that round to one
   decimal form an interval -- so each of its digits is proven; NULL when
   not even one digit is (the interval holds 0 or a rounding boundary).
   *shortened: fewer digits than the precision shows. */
static char *
proven_text(const Cli *c, mpfr_srcptr lo, mpfr_srcptr hi, int *shortened)
{
  *shortened = 0;
  if (mpfr_equal_p(lo, hi))
    return number_text(lo, c->digits);    /* exact */
  long most = c->digits ? c->digits
                        : gt_enclosure_digits(lo, lo, c->opt.prec);
  for (long d = most; d >= 1; d--) {
    char *a = gt_format_number(lo, d), *b = gt_format_number(hi, d);
    if (a == NULL || b == NULL)
      out_of_memory();
    int same = strcmp(a, b) == 0;
    free(b);
    if (same) {
      *shortened = d < most || !c->digits;
      return a;
    }
    free(a);
  }
  return NULL;
}

/* --verified: element k's proven digits, "~" after a shortened number
   in text, "?" (text) or null (JSON) when none. */
static void
put_proven(FILE *out, const Cli *c, const GtEnclosure *e, size_t k,
           int json)
{
  int shortened;
  char *t = proven_text(c, &e->lo.elems[k], &e->hi.elems[k], &shortened);
  if (t == NULL)
    fputs(json ? "null" : "?", out);
  else {
    put_bound(out, t, json);
    if (shortened && !json)
      fputs("~", out);
  }
  free(t);
}

/* One element: "[LO, HI]" or {"lo": LO, "hi": HI} (--verified: its
   proven digits). */
static void
put_interval(FILE *out, const Cli *c, const GtEnclosure *e, size_t k,
             int json)
{
  if (c->verified) {
    put_proven(out, c, e, k, json);
    return;
  }
  char *lo, *hi;
  bound_texts(c, e, k, &lo, &hi);
  fputs(json ? "{\"lo\": " : "[", out);
  put_bound(out, lo, json);
  fputs(json ? ", \"hi\": " : ", ", out);
  put_bound(out, hi, json);
  fputs(json ? "}" : "]", out);
  free(lo);
  free(hi);
}

/* A value: an interval, or nested lists of them for a tensor. */
static void
put_value(FILE *out, const Cli *c, const GtEnclosure *e, int json)
{
  const GtValue *v = &e->lo;
  if (v->rank == 0) {
    put_interval(out, c, e, 0, json);
    return;
  }
  size_t idx[8] = { 0 };
  for (int d = 0; d < v->rank; d++)
    fputc('[', out);
  for (size_t k = 0; k < v->size; k++) {
    put_interval(out, c, e, k, json);
    int d = v->rank - 1, closed = 0;
    while (d >= 0 && ++idx[d] == v->dims[d]) {
      idx[d--] = 0;
      fputc(']', out);
      closed++;
    }
    if (k + 1 < v->size) {
      fputs(", ", out);
      for (int j = 0; j < closed; j++)
        fputc('[', out);
    }
  }
  if (v->size == 0)
    for (int d = 0; d < v->rank; d++)
      fputc(']', out);
}

/* --batch: the fields of the row, by the header's names (NULL: one run);
   an input the header names echoes its field as read. */
typedef struct Echo {
  const char *const *names;
  const char *const *fields;
  size_t n;
} Echo;

/* The field the row gives input `name`, or NULL. */
static const char *
echoed(const Echo *row, const char *name)
{
  for (size_t i = 0; row && i < row->n; i++)
    if (strcmp(row->names[i], name) == 0)
      return row->fields[i];
  return NULL;
}

/* The inputs of a --batch row as "x = 0.1, " (text) or "\"x\": 0.1"
   (json, comma-separated). */
static void
put_inputs(FILE *out, GtSession *s, const Echo *row, int json)
{
  int first = 1;
  for (size_t i = 0; i < gt_session_input_count(s); i++) {
    GtValue v = gt_session_input_value(s, i);
    if (v.rank == 0 && v.size == 0)
      continue; /* did not run */
    const char *name = gt_session_input_name(s, i), *f = echoed(row, name);
    if (json) {
      fputs(first ? "" : ", ", out);
      json_put_string(out, name);
      fputs(": ", out);
    } else
      fprintf(out, "%s = ", name);
    first = 0;
    if (f != NULL && (!json || json_number_syntax(f)))
      fputs(f, out);
    else {
      Buf b = { NULL, 0, 0 };
      if (json)
        json_add_value(&b, &v, 0);
      else {
        char *t = v.rank == 0 ? number_text(v.elems, 0)
                              : gt_format_value(&v, 0);
        if (t == NULL)
          out_of_memory();
        buf_adds(&b, t);
        free(t);
      }
      fputs(b.s ? b.s : "", out);
      free(b.s);
    }
    if (!json)
      fputs(", ", out);
  }
}

/* Text: "NAME in [LO, HI]" lines; a --batch row (row set) on one line
   after its inputs. */
static void
print_text_enclosures(FILE *out, const Cli *c, GtSession *s,
                      const GtEnclosure *es, size_t n, const Echo *row)
{
  if (row)
    put_inputs(out, s, row, 0);
  for (size_t i = 0; i < n; i++) {
    char *l = label(&es[i]);
    fprintf(out, "%s %s ", l, c->verified ? "=" : "in");
    put_value(out, c, &es[i], 0);
    fputs(!row ? "\n" : i + 1 < n ? ", " : "", out);
    free(l);
  }
  if (row)
    fputc('\n', out);
}

/* JSON: one object; a --batch row (row set) on one line, with its
   inputs. */
static void
print_json_enclosures(FILE *out, const Cli *c, GtSession *s,
                      const GtEnclosure *es, size_t n, long prec,
                      const Echo *row)
{
  const char *nl = row ? " " : "\n ";
  fprintf(out, "{\"precision\": %ld,%s\"enclosure\": true,%s", prec, nl, nl);
  if (row) {
    fputs("\"inputs\": {", out);
    put_inputs(out, s, row, 1);
    fputs("}, ", out);
  }
  fputs("\"values\": {", out);
  size_t i = 0;
  for (; i < n && es[i].wrt == NULL; i++) {
    fputs(i ? ", " : "", out);
    json_put_string(out, es[i].of);
    fputs(": ", out);
    put_value(out, c, &es[i], 1);
  }
  fprintf(out, "},%s\"derivatives\": [", nl);
  /* --taylor: {"of": y, "wrt": x, "taylor": [y_0, ..., y_K]} per output */
  for (size_t j = i; taylor_run && j < n;) {
    fputs(j > i ? "," : "", out);
    fputs(row ? (j > i ? " " : "") : "\n   ", out);
    fputs("{\"of\": ", out);
    json_put_string(out, es[j].of);
    fputs(", \"wrt\": ", out);
    json_put_string(out, es[j].wrt[0]);
    fputs(", \"taylor\": [", out);
    size_t k = j;
    for (; k < n && es[k].of == es[j].of && (k == j || es[k].order > 0);
         k++) {
      fputs(k > j ? ", " : "", out);
      put_value(out, c, &es[k], 1);
    }
    fputs("]}", out);
    j = k;
  }
  for (size_t j = i; !taylor_run && j < n; j++) {
    fputs(j > i ? "," : "", out);
    fputs(row ? (j > i ? " " : "") : "\n   ", out);
    fputs("{\"of\": ", out);
    json_put_string(out, es[j].of);
    fputs(", \"wrt\": [", out);
    for (int k = 0; k < es[j].order; k++) {
      fputs(k ? ", " : "", out);
      json_put_string(out, es[j].wrt[k]);
    }
    fputs("], \"value\": ", out);
    put_value(out, c, &es[j], 1);
    if (!es[j].connected)
      fputs(", \"connected\": false", out);
    fputc('}', out);
  }
  fputs("]}\n", out);
}

/* A CSV/TSV field (quoted when it must be). */
static void
put_field(FILE *out, const char *s, char sep, int *first)
{
  if (!*first)
    fputc(sep, out);
  *first = 0;
  csv_field(out, s, sep);
}

/* NAME[i][j] of element k of a value of that shape */
static void
element_name(char *buf, size_t size, const char *name, const GtValue *v,
             size_t k)
{
  size_t len = (size_t)snprintf(buf, size, "%s", name);
  size_t idx[8], rest = k;
  for (int d = v->rank - 1; d >= 0; d--) {
    idx[d] = v->dims[d] ? rest % v->dims[d] : 0;
    rest = v->dims[d] ? rest / v->dims[d] : 0;
  }
  for (int d = 0; d < v->rank && len < size; d++)
    len += (size_t)snprintf(buf + len, size - len, "[%zu]", idx[d]);
}

/* CSV/TSV: the header line (malloc'd): the inputs' columns, then NAME.lo
   and NAME.hi per element (--verified: NAME). */
static char *
csv_header(const Cli *c, GtSession *s, const GtEnclosure *es, size_t n,
           char sep)
{
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (out == NULL)
    out_of_memory();
  int first = 1;
  char buf[600];
  size_t nin = gt_session_input_count(s);
  for (size_t i = 0; i < nin; i++) {
    GtValue v = gt_session_input_value(s, i);
    for (size_t k = 0; k < v.size; k++) {
      element_name(buf, sizeof buf, gt_session_input_name(s, i), &v, k);
      put_field(out, buf, sep, &first);
    }
  }
  for (size_t i = 0; i < n; i++) {
    char *l = label(&es[i]);
    for (size_t k = 0; k < es[i].lo.size; k++)
      for (int b = 0; b < (c->verified ? 1 : 2); b++) {
        element_name(buf, sizeof buf - 4, l, &es[i].lo, k);
        if (!c->verified)
          strcat(buf, b ? ".hi" : ".lo");
        put_field(out, buf, sep, &first);
      }
    free(l);
  }
  fputc('\n', out);
  if (fclose(out) != 0 || text == NULL)
    out_of_memory();
  return text;
}

/* CSV/TSV: one row of values (a --batch row echoes its fields). */
static void
csv_row(FILE *out, const Cli *c, GtSession *s, const GtEnclosure *es,
        size_t n, char sep, const Echo *row)
{
  int first = 1;
  size_t nin = gt_session_input_count(s);
  for (size_t i = 0; i < nin; i++) {
    GtValue v = gt_session_input_value(s, i);
    const char *f = echoed(row, gt_session_input_name(s, i));
    for (size_t k = 0; k < v.size; k++) {
      char *t = f && v.rank == 0 ? xstrdup(f)
                                 : number_text(&v.elems[k], c->digits);
      put_field(out, t, sep, &first);
      free(t);
    }
  }
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < es[i].lo.size; k++) {
      if (c->verified) {
        int shortened;
        char *t = proven_text(c, &es[i].lo.elems[k], &es[i].hi.elems[k],
                              &shortened);
        put_field(out, t ? t : "", sep, &first);
        free(t);
        continue;
      }
      char *lo, *hi;
      bound_texts(c, &es[i], k, &lo, &hi);
      put_field(out, lo, sep, &first);
      put_field(out, hi, sep, &first);
      free(lo);
      free(hi);
    }
  fputc('\n', out);
}

static void
print_csv_enclosures(FILE *out, const Cli *c, GtSession *s,
                     const GtEnclosure *es, size_t n, char sep)
{
  char *h = csv_header(c, s, es, n, sep);
  fputs(h, out);
  free(h);
  csv_row(out, c, s, es, n, sep, NULL);
}

/* Does [lo, hi] prove `digits` significant digits: hi - lo at most
   10^-digits times the smaller bound's magnitude (or both exactly 0)? */
static int
proves(mpfr_srcptr lo, mpfr_srcptr hi, long digits)
{
  if (!mpfr_number_p(lo) || !mpfr_number_p(hi))
    return 0;
  if (mpfr_zero_p(lo) && mpfr_zero_p(hi))
    return 1;
  if (mpfr_sgn(lo) != mpfr_sgn(hi) || mpfr_zero_p(lo) || mpfr_zero_p(hi))
    return 0;
  mpfr_t w, m;
  mpfr_inits2(64, w, m, (mpfr_ptr)0);
  mpfr_sub(w, hi, lo, MPFR_RNDU);
  if (mpfr_cmpabs(lo, hi) < 0)
    mpfr_abs(m, lo, MPFR_RNDD);
  else
    mpfr_abs(m, hi, MPFR_RNDD);
  mpfr_div(w, w, m, MPFR_RNDU);
  mpfr_log10(w, w, MPFR_RNDU);
  int ok = mpfr_cmp_si(w, -digits) <= 0;
  mpfr_clears(w, m, (mpfr_ptr)0);
  return ok;
}

static int
all_proved(const GtEnclosure *es, size_t n, long digits)
{
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < es[i].lo.size; k++)
      if (!proves(&es[i].lo.elems[k], &es[i].hi.elems[k], digits))
        return 0;
  return 1;
}

/* The entries of --order K >= 2 in one name: one per output, each the
   name K times, for Taylor mode on balls (the MPFR Taylor sweep is not
   run: it lacks rules the balls have, gamma's of order 3 and up).  NULL
   when the request is of another kind.  *store holds the names. */
static GtDeriv *
taylor_list(const Cli *c, GtSession *s, size_t *nd, const char ***store)
{
  const char *w = c->wrt.n == 1 ? c->wrt.v[0]
                  : c->wrt.n == 0 && gt_session_input_count(s) == 1
                      ? gt_session_input_name(s, 0) : NULL;
  if (w == NULL || c->order < 2 || c->all_orders || c->npartials)
    return NULL;
  size_t no = c->of.n ? c->of.n : gt_session_output_count(s);
  GtDeriv *ds = calloc(no + 1, sizeof *ds);
  const char **names = calloc((size_t)c->order + 1, sizeof *names);
  if (ds == NULL || names == NULL)
    out_of_memory();
  for (int k = 0; k < c->order; k++)
    names[k] = w;
  for (size_t i = 0; i < no; i++) {
    ds[i].of = c->of.n ? c->of.v[i] : gt_session_output_name(s, i);
    ds[i].wrt = names;
    ds[i].order = c->order;
    ds[i].connected = 1;
  }
  *nd = no;
  *store = names;
  return ds;
}

/* One run at s's precision and its enclosures; *own (and *names) hold
   entries made here, for the caller to free after printing. */
static GtStatus
enclose_once(const Cli *c, GtSession *s, const GtEnclosure **es, size_t *n,
             GtDeriv **own, const char ***names)
{
  const GtDeriv *ds = NULL;
  size_t nd = 0;
  free(*own);
  free(*names);
  *own = NULL;
  *names = NULL;
  GtStatus st = gt_session_run(s);
  if (st == GT_OK && c->taylor >= 0) {
    /* --taylor: the coefficients themselves, enclosed as coefficients */
    taylor_run = 1;
    return gt_session_enclose_taylor(s, (const char *const *)c->of.v,
                                     c->of.n, c->wrt.v[0], c->taylor, es, n);
  }
  if (st == GT_OK && gt_session_output_count(s) > 0
      && (*own = taylor_list(c, s, &nd, names)) != NULL)
    ds = *own;
  else if (st == GT_OK)
    st = derivatives(c, s, &ds, &nd);
  if (st == GT_OK)
    st = gt_session_enclose(s, ds, nd, es, n);
  return st;
}

int
run_enclose(const Cli *cp, GtSession *s0)
{
  Cli c = *cp;
  GtSession *s = s0;
  const GtEnclosure *es = NULL;
  size_t n = 0;
  GtDeriv *own = NULL;
  const char **names = NULL;
  GtStatus st = enclose_once(&c, s, &es, &n, &own, &names);
  /* --enclose-digits: double the precision until the digits are proven;
     an undecided comparison may be decided by more precision too */
  while (c.enclose_digits
         && (st == GT_ERUNTIME || (st == GT_OK
                                   && !all_proved(es, n, c.enclose_digits)))
         && c.opt.prec * 2 <= ENCLOSE_PREC_MAX) {
    c.opt.prec *= 2;
    GtStatus ost;
    GtSession *t = open_session(&c, c.opt.prec, &ost);
    if (t == NULL)
      return (int)ost;
    gt_session_clear_diags(s);
    if (s != s0)
      gt_session_free(s);
    s = t;
    st = enclose_once(&c, s, &es, &n, &own, &names);
  }
  if (st == GT_OK && c.enclose_digits && !all_proved(es, n, c.enclose_digits)) {
    fprintf(stderr, "%s: --enclose-digits: could not prove %ld digits of "
            "every result up to %ld bits of precision\n", program_name,
            c.enclose_digits, c.opt.prec);
    st = GT_ERUNTIME;
  }
  if (st != GT_OK)
    report(s, c.quiet, st);
  else {
    report(s, c.quiet, GT_OK);
    if (c.format == FMT_JSON)
      print_json_enclosures(stdout, &c, s, es, n, c.opt.prec, NULL);
    else if (c.format == FMT_CSV || c.format == FMT_TSV)
      print_csv_enclosures(stdout, &c, s, es, n,
                           c.format == FMT_CSV ? ',' : '\t');
    else
      print_text_enclosures(stdout, &c, s, es, n, NULL);
  }
  if (s != s0)
    gt_session_free(s);
  free(own);
  free(names);
  return (int)st;
}

/* --batch with --enclose: at each point read, the program runs with the
   header's inputs set from their fields' decimal text (so enclosed
   exactly; a field the language does not read, such as 1E5, from the
   number read, which is enclosed with a margin) and its values and
   derivatives are printed as intervals, one row per point.  A point that
   cannot be enclosed (the program fails, a comparison or kink the
   intervals do not decide) is reported as a failing row: its error, then
   "<stdin>:LINE: note: the program fails at this row", and the run ends
   with its status, 4, unless --skip-bad-rows. */
int
run_enclose_batch(const Cli *c, GtSession *s)
{
  enum Format fmt = c->format_given ? c->format
                    : batch_sep() == '\t' ? FMT_TSV : FMT_CSV;
  char sep = fmt == FMT_TSV ? '\t' : ',';
  const char *const *names;
  mpfr_srcptr *vals;
  size_t nc;
  char *head = NULL;
  int rc = 0, got;
  taylor_run = c->taylor >= 0;
  while ((got = batch_point(c, s, &names, &vals, &nc)) > 0) {
    Echo row = { names, batch_fields(), nc };
    for (size_t i = 0; i < nc; i++)
      if (gt_session_set_input(s, names[i], row.fields[i]) != GT_OK) {
        gt_session_clear_diags(s);
        gt_session_set_input_value(s, names[i], vals[i]);
      }
    const GtEnclosure *es = NULL;
    size_t n = 0;
    GtDeriv *own = NULL;
    const char **dn = NULL;
    GtStatus st = enclose_once(c, s, &es, &n, &own, &dn);
    if (st != GT_OK) {
      fflush(stdout);
      report(s, c->quiet, st);
      fprintf(stderr, "<stdin>:%lu: note: the program fails at this row%s\n",
              batch_line(), c->skip_bad ? "; row skipped" : "");
    } else {
      if (gt_session_diag_count(s) > 0)
        fflush(stdout);
      report(s, c->quiet, GT_OK);
    }
    if (st == GT_OK && (fmt == FMT_CSV || fmt == FMT_TSV)) {
      char *h = csv_header(c, s, es, n, sep);
      if (head == NULL) {
        fputs(h, stdout);
        head = h;
      } else if (strcmp(h, head) != 0) {
        fflush(stdout);
        fprintf(stderr, "<stdin>:%lu: %s: the outputs or derivatives differ "
                "from the first row's%s\n", batch_line(),
                c->skip_bad ? "warning" : "error",
                c->skip_bad ? "; row skipped" : "");
        st = GT_EUSAGE;
      }
      if (h != head)
        free(h);
      if (st == GT_OK)
        csv_row(stdout, c, s, es, n, sep, &row);
    } else if (st == GT_OK && fmt == FMT_JSON)
      print_json_enclosures(stdout, c, s, es, n, c->opt.prec, &row);
    else if (st == GT_OK)
      print_text_enclosures(stdout, c, s, es, n, &row);
    free(own);
    free(dn);
    if (st != GT_OK && !c->skip_bad) {
      rc = (int)st;
      break;
    }
    if (ferror(stdout))
      break;
  }
  if (got < 0)
    rc = -got;
  free(head);
  return rc;
}
