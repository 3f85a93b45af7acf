/* format.c -- the output formats: one table, used by the one-shot run,
 * --batch and the interactive session, and the JSON writing they share.
 *
 * A format is one row of out_formats: its name as --format and :format
 * spell it, whether the session offers it, and the writers of a run's
 * results (a header before the first row for the table formats, then one
 * row per run or per --batch point).  The writers themselves are in
 * output.c; JSON numbers, strings and nested values are written here
 * once, for output.c, verify.c and the session alike.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void
text_row(FILE *out, const Row *r, long prec, int batch, char sep)
{
  (void)prec, (void)sep;
  print_text(out, r, batch);
}

static void
json_row(FILE *out, const Row *r, long prec, int batch, char sep)
{
  (void)sep;
  print_json(out, r, prec, batch);
}

static void
table_row(FILE *out, const Row *r, long prec, int batch, char sep)
{
  (void)prec, (void)batch;
  print_row(out, r, sep);
}

/* Indexed by enum Format. */
const OutFormat out_formats[] = {
  [FMT_TEXT] = { "text", 0, 1, NULL, text_row },
  [FMT_JSON] = { "json", 0, 1, NULL, json_row },
  [FMT_CSV] = { "csv", ',', 0, print_header, table_row },
  [FMT_TSV] = { "tsv", '\t', 0, print_header, table_row },
};

int
format_named(const char *name, int session, enum Format *f)
{
  for (size_t i = 0; i < sizeof out_formats / sizeof *out_formats; i++)
    if (strcmp(out_formats[i].name, name) == 0
        && (!session || out_formats[i].session)) {
      *f = (enum Format)i;
      return 1;
    }
  return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

void
json_add_string(Buf *b, const char *s)
{
  buf_adds(b, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char e[8];
    if (c == '"' || c == '\\') {
      e[0] = '\\', e[1] = (char)c;
      buf_add(b, e, 2);
    } else if (c == '\n')
      buf_adds(b, "\\n");
    else if (c == '\t')
      buf_adds(b, "\\t");
    else if (c < 0x20) {
      snprintf(e, sizeof e, "\\u%04x", c);
      buf_adds(b, e);
    } else
      buf_add(b, s, 1);
  }
  buf_adds(b, "\"");
}

void
json_add_number(Buf *b, mpfr_srcptr x, long digits)
{
  char *t = number_text(x, digits);
  int q = !mpfr_number_p(x); /* nan, inf, -inf: strings */
  if (q)
    buf_adds(b, "\"");
  buf_adds(b, t);
  if (q)
    buf_adds(b, "\"");
  free(t);
}

/* nested arrays over dims[d..rank) from element *k on */
static void
json_nest(Buf *b, const GtValue *v, int d, size_t *k, long digits)
{
  if (d == v->rank) {
    json_add_number(b, &v->elems[(*k)++], digits);
    return;
  }
  buf_adds(b, "[");
  for (size_t j = 0; j < v->dims[d]; j++) {
    if (j)
      buf_adds(b, ", ");
    json_nest(b, v, d + 1, k, digits);
  }
  buf_adds(b, "]");
}

void
json_add_value(Buf *b, const GtValue *v, long digits)
{
  size_t k = 0;
  json_nest(b, v, 0, &k, digits);
}

void
json_put_string(FILE *out, const char *s)
{
  Buf b = { NULL, 0, 0 };
  json_add_string(&b, s);
  fputs(b.s, out);
  free(b.s);
}
