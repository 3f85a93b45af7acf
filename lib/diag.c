/* diag.c -- diagnostics: collecting located messages and formatting them
 *
 * A GtSource keeps a copy of a program text and the offset of each line
 * start, so a byte offset maps to line and column by binary search.  A
 * GtDiagList owns its diagnostics and their strings (file name, message,
 * source line: malloc'd, freed by gt_diag_clear; the array itself is the
 * owner's to free).  gt_diag_vadd clamps the span to its line, so a
 * diagnostic never underlines past the end of the line it quotes.
 *
 * gt_diag_format renders one GtDiag the way GCC does:
 *
 *   bad.gt:2:5: error: unknown name 'yy'; did you mean 'y'?
 *       2 | z = yy * 2
 *         |     ^~
 *
 * The gutter is the line number right-aligned in five columns (wider for
 * longer numbers, the caret line's gutter follows).  The caret line copies
 * each tab before the column as a tab, so the caret lands under the right
 * character however the terminal expands tabs; other bytes become one
 * space per character (UTF-8 continuation bytes take no column), so
 * non-ASCII text before the caret keeps it aligned too.  The underline is
 * a '^' then '~' for the rest of the span, clamped to the line; a column
 * one past the end of the line is allowed ("expected ')' at end of line").
 *
 * Without a location (line 0): "FILE: error: MESSAGE", or "error: MESSAGE"
 * when there is no file either.  With a line but column 0: "FILE:LINE:
 * error: MESSAGE" and no source excerpt.  A missing file name with a line
 * gives "LINE:COL: error: MESSAGE".
 */
#define _POSIX_C_SOURCE 200809L   /* strdup */

#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Sources and the diagnostics list                                    */
/* ------------------------------------------------------------------ */

GtSource *
gt_source_new(const char *name, const char *text, size_t len)
{
  GtSource *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->name = strdup(name);
  s->text = malloc(len + 1);
  size_t lines = 1;
  for (size_t i = 0; i < len; i++)
    lines += text[i] == '\n';
  s->lines = malloc(lines * sizeof *s->lines);
  if (s->name == NULL || s->text == NULL || s->lines == NULL) {
    gt_source_free(s);
    return NULL;
  }
  memcpy(s->text, text, len);
  s->text[len] = '\0';
  s->len = len;
  s->lines[0] = 0;
  s->nlines = 1;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\n')
      s->lines[s->nlines++] = i + 1;
  return s;
}

void
gt_source_free(GtSource *s)
{
  if (s == NULL)
    return;
  free(s->name);
  free(s->text);
  free(s->lines);
  free(s);
}

void
gt_source_position(const GtSource *s, size_t off, unsigned *line,
                   unsigned *col)
{
  /* binary search for the last line start <= off */
  size_t lo = 0, hi = s->nlines;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->lines[mid] <= off)
      lo = mid;
    else
      hi = mid;
  }
  *line = (unsigned)(lo + 1);
  *col = (unsigned)(off - s->lines[lo] + 1);
}

void
gt_diag_vadd(GtDiagList *l, GtSeverity sev, const GtSource *src, GtSpan span,
             const char *fmt, va_list ap)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    GtDiag *t = realloc(l->items, cap * sizeof *t);
    if (t == NULL)
      return; /* a diagnostic lost to out-of-memory; the status remains */
    l->items = t;
    l->cap = cap;
  }
  GtDiag *d = &l->items[l->n];
  memset(d, 0, sizeof *d);
  d->severity = sev;
  va_list aq;
  va_copy(aq, ap);
  int n = vsnprintf(NULL, 0, fmt, aq);
  va_end(aq);
  char *msg = malloc(n > 0 ? (size_t)n + 1 : 1);
  if (msg == NULL)
    return;
  vsnprintf(msg, (size_t)n + 1, fmt, ap);
  d->message = msg;
  if (src != NULL) {
    d->file = strdup(src->name);
    size_t off = span.off <= src->len ? span.off : src->len;
    gt_source_position(src, off, &d->line, &d->col);
    size_t start = src->lines[d->line - 1];
    size_t end = start;
    while (end < src->len && src->text[end] != '\n')
      end++;
    /* a line ending in CR shows without it */
    size_t shown = end;
    if (shown > start && src->text[shown - 1] == '\r')
      shown--;
    /* a long line (a generated program, say) is quoted as a window of
       GT_DIAG_WINDOW bytes around the column, marked with "..." */
    enum { GT_DIAG_WINDOW = 160 };
    size_t from = start, to = shown;
    int cut_left = 0, cut_right = 0;
    if (shown - start > 2 * GT_DIAG_WINDOW) {
      if (off > start + GT_DIAG_WINDOW / 2) {
        from = off - GT_DIAG_WINDOW / 2;
        cut_left = 1;
      }
      if (from + GT_DIAG_WINDOW < shown) {
        to = from + GT_DIAG_WINDOW;
        cut_right = 1;
      }
    }
    size_t n = to - from;
    char *line = malloc(n + 7);
    if (line != NULL) {
      size_t k = 0;
      if (cut_left) {
        memcpy(line, "...", 3);
        k = 3;
      }
      memcpy(line + k, src->text + from, n);
      k += n;
      if (cut_right) {
        memcpy(line + k, "...", 3);
        k += 3;
      }
      line[k] = '\0';
      if (cut_left)
        d->source_col = (unsigned)(off - from + 4);
      if (cut_right)
        end = to; /* the underline stops at the window */
    }
    d->source_line = line;
    /* the underline stays on the first line of a multi-line span */
    size_t len = span.len ? span.len : 1;
    if (off + len > end)
      len = end > off ? end - off : 1;
    d->len = (unsigned)len;
  }
  l->n++;
}

void
gt_diag_add(GtDiagList *l, GtSeverity sev, const GtSource *src, GtSpan span,
            const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  gt_diag_vadd(l, sev, src, span, fmt, ap);
  va_end(ap);
}

void
gt_diag_clear(GtDiagList *l)
{
  for (size_t i = 0; i < l->n; i++) {
    free((char *)l->items[i].file);
    free((char *)l->items[i].message);
    free((char *)l->items[i].source_line);
  }
  l->n = 0;
}

int
gt_diag_has_errors(const GtDiagList *l)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->items[i].severity == GT_SEV_ERROR)
      return 1;
  return 0;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */
/* ------------------------------------------------------------------ */

/* A growing string for the formatter; on allocation failure `s` becomes
   NULL and later appends do nothing. */
typedef struct DiagBuf {
  char *s;
  size_t len, cap;
} DiagBuf;

static void
dbuf_grow(DiagBuf *b, size_t extra)
{
  size_t cap;
  char *s;
  if (b->s == NULL || b->len + extra + 1 <= b->cap)
    return;
  cap = b->cap * 2;
  if (cap < b->len + extra + 1)
    cap = b->len + extra + 1;
  s = realloc(b->s, cap);
  if (s == NULL) {
    free(b->s);
    b->s = NULL;
    return;
  }
  b->s = s;
  b->cap = cap;
}

static void
dbuf_add(DiagBuf *b, const char *s, size_t n)
{
  dbuf_grow(b, n);
  if (b->s == NULL)
    return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void
dbuf_puts(DiagBuf *b, const char *s)
{
  dbuf_add(b, s, strlen(s));
}

static void
dbuf_repeat(DiagBuf *b, char c, size_t n)
{
  dbuf_grow(b, n);
  if (b->s == NULL)
    return;
  memset(b->s + b->len, c, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void
dbuf_uint(DiagBuf *b, unsigned v, int width)
{
  char tmp[32];
  int n = 0, k;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (k = n; k < width; k++)
    dbuf_add(b, " ", 1);
  while (n > 0)
    dbuf_add(b, &tmp[--n], 1);
}

static int
digits_of(unsigned v)
{
  int n = 1;
  while (v >= 10) {
    v /= 10;
    n++;
  }
  return n;
}

/* A UTF-8 continuation byte occupies no column of its own. */
static int
continuation(unsigned char c)
{
  return (c & 0xC0) == 0x80;
}

static const char *
severity_word(GtSeverity s)
{
  switch (s) {
  case GT_SEV_WARNING:
    return "warning";
  case GT_SEV_NOTE:
    return "note";
  case GT_SEV_ERROR:
  default:
    return "error";
  }
}

GT_API char *
gt_diag_format(const GtDiag *d)
{
  DiagBuf b = {malloc(128), 0, 128};
  const char *msg = d->message != NULL ? d->message : "";

  if (b.s == NULL)
    return NULL;
  b.s[0] = '\0';

  /* "FILE:LINE:COL: severity: message" */
  if (d->file != NULL) {
    dbuf_puts(&b, d->file);
    dbuf_puts(&b, ":");
  }
  if (d->line > 0) {
    dbuf_uint(&b, d->line, 0);
    dbuf_puts(&b, ":");
    if (d->col > 0) {
      dbuf_uint(&b, d->col, 0);
      dbuf_puts(&b, ":");
    }
  }
  if (d->file != NULL || d->line > 0)
    dbuf_puts(&b, " ");
  dbuf_puts(&b, severity_word(d->severity));
  dbuf_puts(&b, ": ");
  dbuf_puts(&b, msg);
  dbuf_puts(&b, "\n");

  if (d->source_line != NULL && d->line > 0 && d->col > 0) {
    const char *src = d->source_line;
    size_t n = strlen(src), col, end, i;
    int width = digits_of(d->line) > 5 ? digits_of(d->line) : 5;

    /* A line read from a CRLF file may keep its '\r': do not print it. */
    if (n > 0 && src[n - 1] == '\r')
      n--;
    /* 0-based first byte of the span, at most one past the end */
    col = (d->source_col ? d->source_col : d->col) - 1;
    if (col > n)
      col = n;
    /* one past the span's last byte: at least one byte, within the line */
    end = col + (d->len > 0 ? d->len : 1);
    if (end > n)
      end = n;

    /* "    2 | source" */
    dbuf_uint(&b, d->line, width);
    dbuf_puts(&b, " | ");
    dbuf_add(&b, src, n);
    dbuf_puts(&b, "\n");

    /* "      | " then the padding, the caret and the tildes */
    dbuf_repeat(&b, ' ', (size_t)width);
    dbuf_puts(&b, " | ");
    for (i = 0; i < col; i++) {
      if (src[i] == '\t')
        dbuf_add(&b, "\t", 1);
      else if (!continuation((unsigned char)src[i]))
        dbuf_add(&b, " ", 1);
    }
    dbuf_puts(&b, "^");
    for (i = col + 1; i < end; i++)
      if (!continuation((unsigned char)src[i]))
        dbuf_add(&b, "~", 1);
    dbuf_puts(&b, "\n");
  }
  return b.s;
}
