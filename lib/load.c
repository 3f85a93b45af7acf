/* load.c -- tables of numbers (CSV, TSV, whitespace) into tensors: the
 * language's load("file") and, through it, the command line's
 * --at NAME=@file.
 *
 * A table is a text file of rows, one a line, of numbers separated by
 * commas (CSV), tabs (TSV) or runs of blanks; the first line that is not
 * blank or a comment (#) decides which: a comma in it makes the file CSV,
 * else a tab TSV, else blanks separate.  That first line is a header, and
 * skipped, when none of its fields is a number (a line mixing numbers and
 * words is a row with a bad field: a missing value, say).  Every other row must
 * have as many fields as the first row of numbers.  A table of r rows and
 * c columns is an r x c matrix, except that one column is a vector of r
 * numbers (so a program sees the same rank whatever the number of rows).
 * Numbers are decimal literals as the language writes them, signed, or
 * inf; each is read by MPFR at the working precision, rounded once.
 *
 * The file is read whole, then scanned twice: the first pass checks every
 * field and counts the rows, so that the element limit (--max-elements)
 * is checked before anything is allocated, and an error is found before
 * any number is converted; the second converts.  Errors point into the
 * file (its line, column and a caret under the field), then at the
 * load() that read it.  Cost: O(bytes) plus one conversion per number.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "internal.h"

/* The largest file read, in bytes (as for programs). */
#define LOAD_MAX ((size_t)INT32_MAX)

typedef struct Table {
  GtRec *r;
  const GtExpr *call;     /* the load() */
  const char *name;       /* the path as written, for messages */
  const char *text;
  size_t len;
  char sep;               /* ',' or '\t', or ' ' for runs of blanks */
} Table;

/* An error at bytes off..off+len of the file: located there, then a note
   at the load() (and its call chain), and the run's jump. */
static _Noreturn void
data_error(Table *T, size_t off, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static _Noreturn void
data_error(Table *T, size_t off, size_t len, const char *fmt, ...)
{
  GtRec *r = T->r;
  GtSource *src = gt_source_new(T->name, T->text, T->len);
  GtSpan sp = { 0, (uint32_t)off, (uint32_t)(len ? len : 1) };
  va_list ap;
  va_start(ap, fmt);
  if (src != NULL)
    gt_diag_vadd(r->env->diags, GT_SEV_ERROR, src, sp, fmt, ap);
  va_end(ap);
  gt_source_free(src);
  if (src == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  GtSpan at = T->call->span;
  gt_diag_add(r->env->diags, GT_SEV_NOTE, r->env->sources[at.src], at,
              "in the table read here");
  gt_rec_call_chain(r, r->frame);
  r->status = GT_ERUNTIME;
  longjmp(*r->fail, 1);
}

/* ---- reading the file ---------------------------------------------------- */

/* path made relative to the directory of the program that names it (a
   source whose name starts with '<' is not a file: the working
   directory).  malloc'd. */
static char *
resolve_path(const char *path, const char *prog)
{
  const char *slash = prog ? strrchr(prog, '/') : NULL;
  if (path[0] == '/' || prog == NULL || prog[0] == '<' || slash == NULL)
    return strdup(path);
  size_t dl = (size_t)(slash - prog) + 1, pl = strlen(path);
  char *full = malloc(dl + pl + 1);
  if (full != NULL) {
    memcpy(full, prog, dl);
    memcpy(full + dl, path, pl + 1);
  }
  return full;
}

/* The whole of file f into *text (malloc'd, NUL-terminated), or an errno
   value (EFBIG past LOAD_MAX). */
static int
read_all(FILE *f, char **text, size_t *len)
{
  size_t cap = 4096, n = 0;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
    if (st.st_size > (off_t)LOAD_MAX)
      return EFBIG;
    if ((size_t)st.st_size >= cap)
      cap = (size_t)st.st_size + 1;
  }
  char *buf = malloc(cap);
  if (buf == NULL)
    return ENOMEM;
  for (;;) {
    if (n == cap) {
      char *t = n > LOAD_MAX ? NULL : realloc(buf, cap * 2);
      if (t == NULL) {
        free(buf);
        return n > LOAD_MAX ? EFBIG : ENOMEM;
      }
      buf = t;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  if (ferror(f)) {
    int err = errno ? errno : EIO;
    free(buf);
    return err;
  }
  if (n > LOAD_MAX) {
    free(buf);
    return EFBIG;
  }
  if (n == cap) {
    char *t = realloc(buf, cap + 1);
    if (t == NULL) {
      free(buf);
      return ENOMEM;
    }
    buf = t;
  }
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return 0;
}

/* ---- fields -------------------------------------------------------------- */

static int
blank(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The end of the line starting at off (its '\n' or the end of text). */
static size_t
line_end(const Table *T, size_t off)
{
  const char *nl = memchr(T->text + off, '\n', T->len - off);
  return nl ? (size_t)(nl - T->text) : T->len;
}

/* Is the line off..end blank or a comment? */
static int
skip_line(const Table *T, size_t off, size_t end)
{
  while (off < end && blank(T->text[off]))
    off++;
  return off == end || T->text[off] == '#';
}

/* The next field of the line at *pos (< end): its start and length,
   blanks around it trimmed; *pos moves past its separator.  Returns 0 at
   the end of the line (no more fields). */
static int
next_field(const Table *T, size_t *pos, size_t end, size_t *fs, size_t *fl)
{
  const char *s = T->text;
  size_t p = *pos;
  if (T->sep == ' ') {
    while (p < end && blank(s[p]))
      p++;
    if (p == end)
      return 0;
    size_t q = p;
    while (q < end && !blank(s[q]))
      q++;
    *fs = p;
    *fl = q - p;
    *pos = q;
    return 1;
  }
  if (p > end)
    return 0;       /* past the last field (an empty line has one) */
  size_t q = p;
  while (q < end && s[q] != T->sep)
    q++;
  size_t a = p, b = q;
  while (a < b && blank(s[a]))
    a++;
  while (b > a && blank(s[b - 1]))
    b--;
  *fs = a;
  *fl = b - a;
  *pos = q + 1;     /* past the separator; end + 1 after the last field */
  return 1;
}

/* Is s[0..n) a number: [+-] digits [. digits] [e [+-] digits] (digits on
   one side of the point at least), or [+-]inf / infinity? */
static int
is_number(const char *s, size_t n)
{
  size_t i = 0;
  if (i < n && (s[i] == '+' || s[i] == '-'))
    i++;
  if ((n - i == 3 && strncasecmp(s + i, "inf", 3) == 0)
      || (n - i == 8 && strncasecmp(s + i, "infinity", 8) == 0))
    return 1;
  size_t digits = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9')
    i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      i++, digits++;
  }
  if (digits == 0)
    return 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    size_t ed = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      i++, ed++;
    if (ed == 0)
      return 0;
  }
  return i == n;
}

/* The error for field s[0..n) at off, which is not a number. */
static _Noreturn void
not_number(Table *T, size_t off, size_t n)
{
  const char *s = T->text + off;
  if (n == 0)
    data_error(T, off, 1, "an empty field: every row needs a number in "
               "every column");
  if ((n == 2 && strncasecmp(s, "na", 2) == 0)
      || (n == 3 && strncasecmp(s, "nan", 3) == 0))
    data_error(T, off, n, "'%.*s' is not a number: missing values are not "
               "read (remove the row, or fill the value in)", (int)n, s);
  data_error(T, off, n, "'%.*s' is not a number", n > 40 ? 40 : (int)n, s);
}

/* ---- the two passes ------------------------------------------------------ */

/* Pass 1: the separator, the header, the columns (*cols) and the rows of
   numbers (*rows), every field checked; *first is where the numbers
   start. */
static void
scan(Table *T, size_t *rows, size_t *cols, size_t *first)
{
  size_t off = 0, header_cols = 0, header_at = 0, header_len = 0;
  int have_header = 0, seen = 0;
  *rows = *cols = 0;
  *first = T->len;
  for (; off <= T->len; ) {
    size_t end = line_end(T, off);
    if (!skip_line(T, off, end)) {
      if (!seen) {
        /* the first line decides the separator and the header */
        const char *c = memchr(T->text + off, ',', end - off);
        T->sep = c ? ',' : memchr(T->text + off, '\t', end - off) ? '\t'
                                                                  : ' ';
        seen = 1;
        size_t p = off, fs, fl, n = 0;
        int numbers = 0;
        while (next_field(T, &p, end, &fs, &fl)) {
          n++;
          numbers |= is_number(T->text + fs, fl);
        }
        if (!numbers) {
          have_header = 1;
          header_cols = n;
          header_at = off;
          header_len = end - off;
          off = end + 1;
          continue;
        }
      }
      size_t p = off, fs, fl, n = 0;
      while (next_field(T, &p, end, &fs, &fl)) {
        if (!is_number(T->text + fs, fl))
          not_number(T, fs, fl);
        n++;
        if (*rows > 0 && n > *cols)
          data_error(T, fs, fl, "this row has more than %zu fields, the "
                     "number in the first row", *cols);
      }
      if (*rows == 0) {
        *cols = n;
        *first = off;
        if (have_header && header_cols != n)
          data_error(T, header_at, end > header_at ? 1 : 0, "the header "
                     "names %zu columns and the first row has %zu numbers",
                     header_cols, n);
      } else if (n < *cols)
        data_error(T, end > off ? end - 1 : off, 1, "this row has %zu "
                   "field%s, the first row %zu", n, n == 1 ? "" : "s",
                   *cols);
      if (*rows == SIZE_MAX / (*cols ? *cols : 1))
        data_error(T, off, 1, "the table is too large");
      (*rows)++;
    }
    off = end + 1;
  }
  if (*rows == 0 && have_header)
    data_error(T, header_at, header_len, "the file holds no row of "
               "numbers, only this header line");
  if (*rows == 0)
    data_error(T, T->len, 1, "the file holds no row of numbers");
}

/* Pass 2: the numbers, in row-major order, into v. */
static void
convert(const Table *T, size_t first, mpfr_ptr v)
{
  size_t k = 0;
  char small[128];
  char *buf = small;
  size_t cap = sizeof small;
  for (size_t off = first; off <= T->len; ) {
    size_t end = line_end(T, off);
    if (!skip_line(T, off, end)) {
      size_t p = off, fs, fl;
      while (next_field(T, &p, end, &fs, &fl)) {
        /* a copy of the field alone: mpfr_strtofr measures the string it
           is given, and the rest of the file would make that quadratic */
        if (fl + 1 > cap) {
          if (buf != small)
            free(buf);
          buf = malloc(fl + 1);
          if (buf == NULL)
            gt_rec_fail(T->r, GT_ERUNTIME, "out of memory");
          cap = fl + 1;
        }
        memcpy(buf, T->text + fs, fl);
        buf[fl] = '\0';
        mpfr_strtofr(&v[k++], buf, NULL, 10, MPFR_RNDN);
      }
    }
    off = end + 1;
  }
  if (buf != small)
    free(buf);
}

/* The table of T as a constant node (after the checks of pass 1 and the
   element limit). */
static int32_t
table_node(Table *T, const char *path)
{
  GtRec *r = T->r;
  size_t rows, cols, first;
  scan(T, &rows, &cols, &first);
  GtShape s;
  memset(&s, 0, sizeof s);
  if (cols == 1) {
    s.rank = 1;
    s.dim[0] = rows;
  } else {
    s.rank = 2;
    s.dim[0] = rows;
    s.dim[1] = cols;
  }
  s.size = rows * cols;
  r->site = T->call->id;
  if (r->tape->max_elems && s.size > r->tape->max_elems)
    gt_rec_fail(r, GT_ERUNTIME, "the table in '%s' has %zu numbers, more "
                "than %zu (raise the limit with --max-elements)", path,
                s.size, r->tape->max_elems);
  int32_t node = gt_rec_zeros(r, &s);
  convert(T, first, r->tape->nodes[node].v);
  return node;
}

/* table_node, with an error's jump passing through here to free the
   table's text and name first */
static int32_t
guarded(Table *T, const char *path)
{
  GtRec *r = T->r;
  jmp_buf *outer = r->fail, inner;
  r->fail = &inner;
  if (setjmp(inner)) {
    r->fail = outer;
    free((char *)T->text);
    free((char *)T->name);
    longjmp(*outer, 1);
  }
  int32_t node = table_node(T, path);
  r->fail = outer;
  return node;
}

int32_t
gt_load_table(GtRec *r, const GtExpr *e, const char *path)
{
  const GtSource *prog = r->env->sources[e->span.src];
  r->site = e->args[0]->id;
  if (path[0] == '\0')
    gt_rec_fail(r, GT_ERUNTIME, "load() needs a file name");
  char *full = resolve_path(path, prog ? prog->name : NULL);
  if (full == NULL)
    gt_rec_fail(r, GT_ERUNTIME, "out of memory");
  FILE *f = fopen(full, "rb");
  int err = f ? 0 : errno;
  char *text = NULL;
  size_t len = 0;
  if (f != NULL) {
    err = read_all(f, &text, &len);
    fclose(f);
  }
  if (err != 0) {
    /* the message names the path that was tried */
    char msg[512];
    snprintf(msg, sizeof msg, "%s", full);
    free(full);
    gt_rec_fail(r, GT_ERUNTIME, "cannot read '%s': %s", msg,
                err == EFBIG ? "a table has at most 2147483647 bytes"
                             : strerror(err));
  }
  Table T = { r, e, full, text, len, ',' };
  int32_t node = guarded(&T, path);
  free(text);
  free(full);
  return node;
}
