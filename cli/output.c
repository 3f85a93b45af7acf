/* output.c -- a run's results as text, JSON, CSV and TSV.
 *
 * A Row holds one run's numbers already formatted (so that --verified can
 * shorten them and every format prints the same digits): the inputs, the
 * outputs and the derivatives.  Text is for people; JSON one object per
 * run (per point with --batch, on one line); CSV (RFC 4180 quoting) and
 * TSV a header row, then one row per run: inputs, outputs, derivatives.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char *
number_text(mpfr_srcptr x, long digits)
{
  char *t = gt_format_number(x, digits);
  if (t == NULL)
    out_of_memory();
  return t;
}

static void *
xcalloc(size_t n, size_t size)
{
  void *p = calloc(n + 1, size);
  if (p == NULL)
    out_of_memory();
  return p;
}

/* Is s one parenthesized group, "(...)" with its first '(' closed last? */
static int
parenthesized(const char *s)
{
  size_t n = strlen(s);
  int depth = 0;
  if (n < 2 || s[0] != '(' || s[n - 1] != ')')
    return 0;
  for (size_t i = 0; i < n; i++) {
    depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
    if (depth == 0 && i < n - 1)
      return 0;
  }
  return 1;
}

char *
deriv_label(const GtDeriv *d)
{
  size_t cap = strlen(d->of) + 32;
  for (int i = 0; i < d->order; i++)
    cap += strlen(d->wrt[i]) + 16;
  char *s = malloc(cap), *p = s;
  if (s == NULL)
    out_of_memory();
  /* an unnamed output (a bare expression, named by its text) is
     parenthesized: d(x^2)/dx */
  int wrap = !is_name(d->of, strlen(d->of)) && !parenthesized(d->of);
  if (d->order > 1)
    p += sprintf(p, "d%d%s%s%s/", d->order, wrap ? "(" : "", d->of,
                 wrap ? ")" : "");
  else
    p += sprintf(p, "d%s%s%s/", wrap ? "(" : "", d->of, wrap ? ")" : "");
  /* repeated names in a row are powers: d3z/dx2dy */
  for (int i = 0; i < d->order;) {
    int j = i;
    while (j < d->order && strcmp(d->wrt[j], d->wrt[i]) == 0)
      j++;
    if (j - i > 1)
      p += sprintf(p, "d%s%d", d->wrt[i], j - i);
    else
      p += sprintf(p, "d%s", d->wrt[i]);
    i = j;
  }
  return s;
}

void
row_taylor(Row *row)
{
  row->taylor = 1;
  for (size_t i = 0; i < row->nder; i++) {
    const GtDeriv *d = &row->ds[i];
    const char *x = d->wrt[0]; /* set even at k = 0 */
    int wrap = !is_name(d->of, strlen(d->of)) && !parenthesized(d->of);
    char *s = malloc(strlen(d->of) + strlen(x) + 32);
    if (s == NULL)
      out_of_memory();
    sprintf(s, "[%s^%d]%s%s%s", x, d->order, wrap ? "(" : "", d->of,
            wrap ? ")" : "");
    free(row->der_labels[i]);
    row->der_labels[i] = s;
  }
}

/* ---- --verified ------------------------------------------------------------ */

/* Significant digits of a formatted number ("0.0012" has 2, "1.5e+22" 2). */
static long
significant(const char *t)
{
  long n = 0;
  int lead = 1;
  for (; *t && *t != 'e'; t++) {
    if (*t < '0' || *t > '9')
      continue;
    if (*t == '0' && lead)
      continue;
    lead = 0;
    n++;
  }
  return n ? n : 1;
}

/* The digits of lo (the working run) that hi (the run at higher
   precision) agrees with: the longest rounding both give alike. */
static void
verified_cell(Cell *cell, mpfr_srcptr lo, mpfr_srcptr hi, long digits)
{
  char *plain = number_text(lo, digits);
  if (!mpfr_number_p(lo) || !mpfr_number_p(hi)) {
    char *h = number_text(hi, digits);
    int same = strcmp(plain, h) == 0;
    free(h);
    cell->text = plain;
    if (!same) {
      cell->unknown = 1;
      cell->text[0] = '\0';
    }
    return;
  }
  long n = digits > 0 ? digits : significant(plain);
  for (long k = n; k >= 1; k--) {
    char *a = number_text(lo, k), *b = number_text(hi, k);
    int same = strcmp(a, b) == 0;
    free(b);
    if (same) {
      if (k == n) {
        free(a);
        cell->text = plain;
      } else {
        free(plain);
        cell->text = a;
        cell->shortened = 1;
      }
      return;
    }
    free(a);
  }
  plain[0] = '\0';
  cell->text = plain;
  cell->unknown = 1;
  cell->shortened = 1;
}

void
buf_add(Buf *b, const char *t, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t c = b->cap ? b->cap * 2 : 256;
    while (c < b->len + n + 1)
      c *= 2;
    char *s = realloc(b->s, c);
    if (s == NULL)
      out_of_memory();
    b->s = s;
    b->cap = c;
  }
  memcpy(b->s + b->len, t, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void
buf_adds(Buf *b, const char *t)
{
  buf_add(b, t, strlen(t));
}

static void
cell_set(Cell *cell, const GtValue *v, const GtValue *hi, long digits)
{
  memset(cell, 0, sizeof *cell);
  if (v->rank == 0) {
    cell->number = mpfr_number_p(v->elems);
    if (hi != NULL && hi->rank == 0)
      verified_cell(cell, v->elems, hi->elems, digits);
    else
      cell->text = number_text(v->elems, digits);
    return;
  }
  /* a tensor: nested lists in text and JSON, one column an element in
     CSV and TSV, formatted as printed; --verified works element by
     element */
  cell->rank = v->rank;
  for (int d = 0; d < v->rank && d < 8; d++)
    cell->dims[d] = v->dims[d];
  cell->nelem = v->size;
  cell->elems = v->elems;
  if (hi != NULL && hi->size == v->size)
    cell->helems = hi->elems;
  cell->digits = digits;
}

/* One element of a tensor cell, formatted. */
typedef struct Elem {
  Cell c;                 /* text, number, shortened, unknown */
  char small[32];         /* the text of a small integer, not malloc'd */
} Elem;

/* The shortest form of an exact integer |x| < 2^63 (and of either zero)
   written into buf without MPFR's conversion: gt_format_number prints
   the integer's own digits, in plain notation below 10^21 (see
   lib/format.c), when its exponent is at most its precision.  Returns 0
   for any other number. */
static int
small_integer(mpfr_srcptr x, char *buf, size_t size)
{
  if (mpfr_zero_p(x)) {
    snprintf(buf, size, "0");
    return 1;
  }
  if (!mpfr_integer_p(x) || mpfr_get_exp(x) > mpfr_get_prec(x)
      || !mpfr_fits_slong_p(x, MPFR_RNDN))
    return 0;
  snprintf(buf, size, "%ld", mpfr_get_si(x, MPFR_RNDN));
  return 1;
}

static void
elem_format(Cell *c, size_t k, Elem *e)
{
  mpfr_srcptr x = &c->elems[k];
  memset(&e->c, 0, sizeof e->c);
  e->c.number = mpfr_number_p(x);
  if (c->helems != NULL) {
    verified_cell(&e->c, x, &c->helems[k], c->digits);
    c->shortened |= e->c.shortened;
  } else if (c->digits == 0 && small_integer(x, e->small, sizeof e->small))
    e->c.text = e->small;
  else
    e->c.text = number_text(x, c->digits);
}

static void
elem_done(Elem *e)
{
  if (e->c.text != e->small)
    free(e->c.text);
}

/* Element k as text ("~" marks a shortened one, "?" an unknown one) or
   as JSON (NaN and the infinities as strings, null when unknown). */
static void
put_elem(FILE *out, Cell *c, size_t k, int json)
{
  Elem e;
  elem_format(c, k, &e);
  if (e.c.unknown)
    fputs(json ? "null" : "?", out);
  else if (json && !e.c.number)
    fprintf(out, "\"%s\"", e.c.text);
  else {
    fputs(e.c.text, out);
    if (!json && e.c.shortened)
      fputc('~', out);
  }
  elem_done(&e);
}

/* Nested lists of a tensor's elements, row-major. */
static void
nest(FILE *out, Cell *c, int d, size_t *k, int json)
{
  if (d == c->rank) {
    put_elem(out, c, (*k)++, json);
    return;
  }
  fputc('[', out);
  for (size_t j = 0; j < c->dims[d]; j++) {
    if (j)
      fputs(", ", out);
    nest(out, c, d + 1, k, json);
  }
  fputc(']', out);
}

static void
cell_free(Cell *c)
{
  free(c->text);
}

void
row_make(Row *row, GtSession *s, const GtDeriv *ds, size_t nd, long digits,
         GtSession *hi, const GtDeriv *hds, size_t hnd, int want_notes)
{
  row_make_lent(row, s, ds, nd, digits, hi, hds, hnd, want_notes, NULL,
                NULL);
}

void
row_make_lent(Row *row, GtSession *s, const GtDeriv *ds, size_t nd,
              long digits, GtSession *hi, const GtDeriv *hds, size_t hnd,
              int want_notes, char **labels, const unsigned char *echoed)
{
  memset(row, 0, sizeof *row);
  row->nin = gt_session_input_count(s);
  row->nout = gt_session_output_count(s);
  row->nder = nd;
  row->ds = ds;
  row->in_names = xcalloc(row->nin, sizeof *row->in_names);
  row->out_names = xcalloc(row->nout, sizeof *row->out_names);
  if (labels != NULL) {
    row->der_labels = labels;
    row->borrowed_labels = 1;
  } else {
    row->der_labels = xcalloc(nd, sizeof *row->der_labels);
  }
  row->in = xcalloc(row->nin, sizeof *row->in);
  row->out = xcalloc(row->nout, sizeof *row->out);
  row->der = xcalloc(nd, sizeof *row->der);
  for (size_t i = 0; i < row->nin; i++) {
    row->in_names[i] = gt_session_input_name(s, i);
    GtValue v = gt_session_input_value(s, i);
    if (echoed != NULL && echoed[i] && v.rank == 0)
      row->in[i].number = mpfr_number_p(v.elems); /* the caller sets
                                                     the text */
    else if (v.size)
      cell_set(&row->in[i], &v, NULL, digits);
    else
      row->in[i].text = xstrdup("");
  }
  int hi_ok = hi != NULL && gt_session_output_count(hi) == row->nout
              && hnd == nd;
  for (size_t i = 0; i < row->nout; i++) {
    row->out_names[i] = gt_session_output_name(s, i);
    GtValue v = gt_session_output_value(s, i), h;
    if (hi_ok)
      h = gt_session_output_value(hi, i);
    cell_set(&row->out[i], &v, hi_ok ? &h : NULL, digits);
  }
  for (size_t i = 0; i < nd; i++) {
    if (labels == NULL)
      row->der_labels[i] = deriv_label(&ds[i]);
    cell_set(&row->der[i], &ds[i].value, hi_ok ? &hds[i].value : NULL,
             digits);
  }
  if (want_notes) {
    size_t cnt = gt_session_diag_count(s);
    row->notes = xcalloc(cnt, sizeof *row->notes);
    for (size_t i = 0; i < cnt; i++) {
      const GtDiag *d = gt_session_diag(s, i);
      if (d->severity != GT_SEV_NOTE)
        continue;
      size_t len = strlen(d->message) + (d->file ? strlen(d->file) : 0) + 64;
      char *t = malloc(len);
      if (t == NULL)
        out_of_memory();
      if (d->file)
        snprintf(t, len, "%s:%u:%u: %s", d->file, d->line, d->col,
                 d->message);
      else
        snprintf(t, len, "%s", d->message);
      row->notes[row->nnotes++] = t;
    }
  }
}

void
row_free(Row *row)
{
  for (size_t i = 0; i < row->nin; i++)
    cell_free(&row->in[i]);
  for (size_t i = 0; i < row->nout; i++)
    cell_free(&row->out[i]);
  for (size_t i = 0; i < row->nder; i++) {
    cell_free(&row->der[i]);
    if (!row->borrowed_labels)
      free(row->der_labels[i]);
  }
  for (size_t i = 0; i < row->nnotes; i++)
    free(row->notes[i]);
  free(row->in);
  free(row->out);
  free(row->der);
  free(row->in_names);
  free(row->out_names);
  if (!row->borrowed_labels)
    free(row->der_labels);
  free(row->notes);
  memset(row, 0, sizeof *row);
}

/* ---- text ------------------------------------------------------------------ */

/* "~" marks a number --verified shortened; "?" one with no digit agreeing */
static void
text_cell(FILE *out, Cell *c)
{
  size_t k = 0;
  if (c->rank > 0)
    nest(out, c, 0, &k, 0); /* a tensor's marks are inside */
  else if (c->unknown)
    fputc('?', out);
  else {
    fputs(c->text, out);
    if (c->shortened)
      fputc('~', out);
  }
}

void
print_text(FILE *out, const Row *r, int batch)
{
  const char *sep = batch ? ", " : "\n";
  int first = 1;
  if (batch)
    for (size_t i = 0; i < r->nin; i++) {
      fprintf(out, "%s%s = ", first ? "" : sep, r->in_names[i]);
      text_cell(out, &r->in[i]);
      first = 0;
    }
  for (size_t i = 0; i < r->nout; i++) {
    fprintf(out, "%s%s = ", first ? "" : sep, r->out_names[i]);
    text_cell(out, &r->out[i]);
    first = 0;
  }
  for (size_t i = 0; i < r->nder; i++) {
    fprintf(out, "%s%s = ", first ? "" : sep, r->der_labels[i]);
    text_cell(out, &r->der[i]);
    first = 0;
  }
  if (!first)
    fputc('\n', out);
}

/* ---- JSON ------------------------------------------------------------------ */

/* a JSON number; NaN and the infinities as strings; null when unknown */
static void
json_cell(FILE *out, Cell *c)
{
  size_t k = 0;
  if (c->rank > 0)
    nest(out, c, 0, &k, 1);
  else if (c->unknown)
    fputs("null", out);
  else if (c->number)
    fputs(c->text, out);
  else
    json_put_string(out, c->text);
}

/* --taylor: {"of": y, "wrt": x, "taylor": [y_0, ..., y_K]} per output */
static void
json_taylor(FILE *out, const Row *r, int batch)
{
  for (size_t i = 0; i < r->nder; i++) {
    const GtDeriv *d = &r->ds[i];
    if (d->order == 0) {
      fputs(i ? "," : "", out);
      fputs(batch ? (i ? " " : "") : "\n   ", out);
      fputs("{\"of\": ", out);
      json_put_string(out, d->of);
      fputs(", \"wrt\": ", out);
      json_put_string(out, d->wrt[0]);
      fputs(", \"taylor\": [", out);
    } else
      fputs(", ", out);
    json_cell(out, &r->der[i]);
    if (i + 1 == r->nder || r->ds[i + 1].order == 0)
      fputs(d->connected ? "]}" : "], \"connected\": false}", out);
  }
}

void
print_json(FILE *out, const Row *r, long prec, int batch)
{
  const char *nl = batch ? "" : "\n ";
  const char *item = batch ? "" : "\n   ";
  fprintf(out, "{\"precision\": %ld,%s", prec, batch ? " " : "\n ");
  if (batch) {
    fputs("\"inputs\": {", out);
    for (size_t i = 0; i < r->nin; i++) {
      fputs(i ? ", " : "", out);
      json_put_string(out, r->in_names[i]);
      fputs(": ", out);
      json_cell(out, &r->in[i]);
    }
    fputs("}, ", out);
  }
  fputs("\"values\": {", out);
  for (size_t i = 0; i < r->nout; i++) {
    fputs(i ? ", " : "", out);
    json_put_string(out, r->out_names[i]);
    fputs(": ", out);
    json_cell(out, &r->out[i]);
  }
  fprintf(out, "},%s\"derivatives\": [", batch ? " " : nl);
  if (r->taylor)
    json_taylor(out, r, batch);
  for (size_t i = 0; i < r->nder && !r->taylor; i++) {
    const GtDeriv *d = &r->ds[i];
    if (i)
      fputc(',', out);
    fputs(batch ? (i ? " " : "") : item, out);
    fputs("{\"of\": ", out);
    json_put_string(out, d->of);
    fputs(", \"wrt\": [", out);
    for (int k = 0; k < d->order; k++) {
      fputs(k ? ", " : "", out);
      json_put_string(out, d->wrt[k]);
    }
    fputs("], \"value\": ", out);
    json_cell(out, &r->der[i]);
    if (!d->connected)
      fputs(", \"connected\": false", out);
    if (r->fd_digits) {
      if (r->fd_digits[i] >= 0)
        fprintf(out, ", \"fd_digits\": %d", r->fd_digits[i]);
      else
        fputs(", \"fd_digits\": null", out);
    }
    fputc('}', out);
  }
  fputc(']', out);
  /* --verified: the numbers that lost digits, by name or label */
  int any = 0;
  for (size_t i = 0; i < r->nout; i++)
    any |= r->out[i].shortened;
  for (size_t i = 0; i < r->nder; i++)
    any |= r->der[i].shortened;
  if (any) {
    fprintf(out, ",%s\"shortened\": [", batch ? " " : nl);
    int first = 1;
    for (size_t i = 0; i < r->nout; i++)
      if (r->out[i].shortened) {
        fputs(first ? "" : ", ", out);
        json_put_string(out, r->out_names[i]);
        first = 0;
      }
    for (size_t i = 0; i < r->nder; i++)
      if (r->der[i].shortened) {
        fputs(first ? "" : ", ", out);
        json_put_string(out, r->der_labels[i]);
        first = 0;
      }
    fputc(']', out);
  }
  if (r->nnotes) {
    fprintf(out, ",%s\"notes\": [", batch ? " " : nl);
    for (size_t i = 0; i < r->nnotes; i++) {
      fputs(i ? ", " : "", out);
      json_put_string(out, r->notes[i]);
    }
    fputc(']', out);
  }
  fputs("}\n", out);
}

/* ---- CSV and TSV ----------------------------------------------------------- */

/* A field: CSV quotes it when it holds a comma, a quote or a line break
   (RFC 4180); TSV fields never hold a tab or a line break here. */
void
csv_field(FILE *out, const char *s, char sep)
{
  if (sep == ',' && strpbrk(s, ",\"\r\n") != NULL) {
    fputc('"', out);
    for (; *s; s++) {
      if (*s == '"')
        fputc('"', out);
      fputc(*s, out);
    }
    fputc('"', out);
  } else
    fputs(s, out);
}

/* The columns of one cell: a tensor is flattened, row-major, into
   NAME[i][j] columns (no comma, so that cut -d, and awk -F, split CSV
   headers right). */
static void
header_cell(FILE *out, const char *name, const Cell *c, char sep, int *first)
{
  if (c->rank == 0) {
    if (!*first)
      fputc(sep, out);
    csv_field(out, name, sep);
    *first = 0;
    return;
  }
  size_t idx[8] = { 0 };
  for (size_t k = 0; k < c->nelem; k++) {
    char buf[512];
    size_t len = (size_t)snprintf(buf, sizeof buf, "%s", name);
    for (int d = 0; d < c->rank && len < sizeof buf; d++)
      len += (size_t)snprintf(buf + len, sizeof buf - len, "[%zu]", idx[d]);
    if (!*first)
      fputc(sep, out);
    csv_field(out, buf, sep);
    *first = 0;
    for (int d = c->rank - 1; d >= 0; d--) {
      if (++idx[d] < c->dims[d])
        break;
      idx[d] = 0;
    }
  }
}

void
print_header(FILE *out, const Row *r, char sep)
{
  int first = 1;
  for (size_t i = 0; i < r->nin; i++)
    header_cell(out, r->in_names[i], &r->in[i], sep, &first);
  for (size_t i = 0; i < r->nout; i++)
    header_cell(out, r->out_names[i], &r->out[i], sep, &first);
  for (size_t i = 0; i < r->nder; i++)
    header_cell(out, r->der_labels[i], &r->der[i], sep, &first);
  /* --fd-check: the agreeing digits of each derivative */
  for (size_t i = 0; r->fd_digits && i < r->nder; i++) {
    char *name = malloc(strlen(r->der_labels[i]) + 16);
    if (name == NULL)
      out_of_memory();
    sprintf(name, "fd_digits(%s)", r->der_labels[i]);
    fputc(sep, out);
    csv_field(out, name, sep);
    free(name);
  }
  fputc('\n', out);
}

void
print_row(FILE *out, const Row *r, char sep)
{
  int first = 1;
  Cell *groups[3] = { r->in, r->out, r->der };
  size_t counts[3] = { r->nin, r->nout, r->nder };
  for (int g = 0; g < 3; g++)
    for (size_t i = 0; i < counts[g]; i++) {
      Cell *c = &groups[g][i];
      if (c->rank == 0) {
        if (!first)
          fputc(sep, out);
        csv_field(out, c->text, sep);
        first = 0;
        continue;
      }
      /* a tensor: an element a column ("" when --verified finds no digit) */
      for (size_t k = 0; k < c->nelem; k++, first = 0) {
        Elem e;
        elem_format(c, k, &e);
        if (!first)
          fputc(sep, out);
        csv_field(out, e.c.text, sep);
        elem_done(&e);
      }
    }
  /* --fd-check: digits, or an empty field when not checked */
  for (size_t i = 0; r->fd_digits && i < r->nder; i++) {
    char t[16] = "";
    if (r->fd_digits[i] >= 0)
      snprintf(t, sizeof t, "%d", r->fd_digits[i]);
    fputc(sep, out);
    csv_field(out, t, sep);
  }
  fputc('\n', out);
}

int
row_same_columns(const Row *h, const Row *r)
{
  if (h->nin != r->nin || h->nout != r->nout || h->nder != r->nder)
    return 0;
  for (size_t i = 0; i < r->nout; i++)
    if (strcmp(h->out_names[i], r->out_names[i]) != 0)
      return 0;
  for (size_t i = 0; i < r->nder; i++)
    if (strcmp(h->der_labels[i], r->der_labels[i]) != 0)
      return 0;
  return 1;
}
