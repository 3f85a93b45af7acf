/* batch.c -- --batch: one run per point read from standard input.
 *
 * The first non-blank line names the inputs, separated by commas (CSV) or
 * tabs (TSV: any tab in the header line); every later non-blank line is
 * one point, a number per input.  The program is recorded once and the
 * tape replayed at each point (gt_session_replay), recorded again only
 * when a control decision changes.  Output is one row per point, in the
 * format asked for or else the input's (CSV in, CSV out); rows are
 * flushed one by one when stdout is a pipe, and a reader that goes away
 * (`| head -3`) ends the program quietly: SIGPIPE, or EPIPE when the
 * signal is ignored, with no message.
 *
 * A row that is not a point (wrong field count, a field that is not a
 * number) or where the program fails is an error naming its line, exit
 * status 2 (4 when the program fails); --skip-bad-rows reports it as a
 * warning and goes on.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static struct {
  Names cols;             /* the header's names */
  char sep;               /* ',' or '\t' */
  int empty;              /* stdin had no header line */
  unsigned long line;     /* line number of the last line read */
  unsigned long header_line;
  char *buf;
  size_t cap;
} B;

static const char *const stdin_name = "<stdin>";

/* The next line without its line end; NULL at end of input. */
static char *
next_line(void)
{
  ssize_t n = getline(&B.buf, &B.cap, stdin);
  if (n < 0)
    return NULL;
  B.line++;
  while (n > 0 && (B.buf[n - 1] == '\n' || B.buf[n - 1] == '\r'))
    B.buf[--n] = '\0';
  return B.buf;
}

static int
blank(const char *s)
{
  return s[strspn(s, " \t")] == '\0';
}

/* Splits line at sep in place; fields trimmed of spaces and of one pair
   of double quotes.  Returns the field count (at most max). */
static size_t
split(char *line, char sep, char **fields, size_t max)
{
  size_t n = 0;
  char *p = line;
  for (;;) {
    char *end = strchr(p, sep);
    if (end)
      *end = '\0';
    while (*p == ' ' || (sep != '\t' && *p == '\t'))
      p++;
    size_t len = strlen(p);
    while (len > 0 && (p[len - 1] == ' ' || (sep != '\t' && p[len - 1] == '\t')))
      p[--len] = '\0';
    if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
      p[len - 1] = '\0';
      p++;
    }
    if (n < max)
      fields[n] = p;
    n++;
    if (end == NULL)
      break;
    p = end + 1;
  }
  return n;
}

static _Noreturn void
header_error(const char *fmt, const char *arg)
{
  fprintf(stderr, "%s:%lu: error: ", stdin_name, B.line);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(GT_EUSAGE);
}

void
batch_read_header(Cli *c)
{
  char *line;
  while ((line = next_line()) != NULL && blank(line))
    ;
  if (line == NULL) {
    B.empty = 1;
    return;
  }
  B.header_line = B.line;
  B.sep = strchr(line, '\t') ? '\t' : ',';
  size_t n = 1;
  for (const char *p = line; (p = strchr(p, B.sep)) != NULL; p++)
    n++;
  char **f = calloc(n + 1, sizeof *f);
  if (f == NULL)
    out_of_memory();
  split(line, B.sep, f, n);
  for (size_t i = 0; i < n; i++) {
    if (!is_name(f[i], strlen(f[i])))
      header_error("the header line must name the program's inputs; '%s' "
                   "is not a name", f[i]);
    if (names_has(&B.cols, f[i]))
      header_error("the header names '%s' twice", f[i]);
    names_add(&B.cols, f[i], strlen(f[i]));
    names_add(&c->implicit, f[i], strlen(f[i]));
  }
  free(f);
}

/* A row is bad: the error, or with --skip-bad-rows a warning. */
static void
bad_row(const Cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
bad_row(const Cli *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fflush(stdout); /* the rows before it come first, as on a terminal */
  fprintf(stderr, "%s:%lu: %s: ", stdin_name, B.line,
          c->skip_bad ? "warning" : "error");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (c->skip_bad)
    fputs("; row skipped", stderr);
  fputc('\n', stderr);
}

static int
stdout_is_pipe(void)
{
  struct stat st;
  return fstat(STDOUT_FILENO, &st) == 0
         && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Is t a JSON number (RFC 8259): -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
json_number(const char *t)
{
  if (*t == '-')
    t++;
  if (*t == '0')
    t++;
  else if (*t >= '1' && *t <= '9')
    while (*t >= '0' && *t <= '9')
      t++;
  else
    return 0;
  if (*t == '.') {
    if (*++t < '0' || *t > '9')
      return 0;
    while (*t >= '0' && *t <= '9')
      t++;
  }
  if (*t == 'e' || *t == 'E') {
    t++;
    if (*t == '+' || *t == '-')
      t++;
    if (*t < '0' || *t > '9')
      return 0;
    while (*t >= '0' && *t <= '9')
      t++;
  }
  return *t == '\0';
}

/* An input column echoes its field exactly as read (--digits rounds only
   what is computed), so that a row can be joined back to its input; in
   JSON only a field that is a JSON number, the others (.5, +3) print
   the value read in its shortest exact form. */
static void
echo_field(Row *row, const char *name, const char *field, mpfr_srcptr v,
           int json)
{
  for (size_t k = 0; k < row->nin; k++) {
    Cell *cell = &row->in[k];
    if (strcmp(row->in_names[k], name) != 0 || cell->nelem != 0)
      continue;
    char *t = json && !(cell->number && json_number(field))
                  ? number_text(v, 0) : strdup(field);
    if (t == NULL)
      out_of_memory();
    free(cell->text);
    cell->text = t;
    return;
  }
}

int
batch_empty(void)
{
  return B.empty;
}

int
run_batch(Cli *c, GtSession *s)
{
  if (B.empty)
    return 0; /* no header, no points: nothing to print */
  size_t n = B.cols.n;
  for (size_t i = 0; i < n; i++)
    if (input_index(s, B.cols.v[i]) < 0) {
      fprintf(stderr, "%s:%lu: error: the header names '%s', which is not "
              "an input of the program\n", stdin_name, B.header_line,
              B.cols.v[i]);
      return GT_EUSAGE;
    }
  enum Format fmt = c->format;
  if (!c->format_given)
    fmt = B.sep == '\t' ? FMT_TSV : FMT_CSV;
  char sep = fmt == FMT_TSV ? '\t' : ',';
  int pipe = stdout_is_pipe();

  GtSession *hi = NULL;
  GtStatus st;
  if (c->verified && (hi = open_session(c, verified_prec(c->opt.prec), &st))
                         == NULL)
    return (int)st;
  mpfr_t *vals = calloc(n + 1, sizeof *vals);
  mpfr_srcptr *ptrs = calloc(n + 1, sizeof *ptrs);
  char **fields = calloc(n + 1, sizeof *fields);
  if (!vals || !ptrs || !fields)
    out_of_memory();
  for (size_t i = 0; i < n; i++) {
    mpfr_init2(vals[i], (mpfr_prec_t)c->opt.prec);
    ptrs[i] = vals[i];
  }
  Row head;
  int have_head = 0, rc = 0;
  char *line;
  while (rc == 0 && (line = next_line()) != NULL) {
    if (blank(line))
      continue;
    size_t got = split(line, B.sep, fields, n);
    if (got != n) {
      bad_row(c, "%zu field%s where the header names %zu", got,
              got == 1 ? "" : "s", n);
      if (!c->skip_bad)
        rc = GT_EUSAGE;
      continue;
    }
    size_t bad = n;
    for (size_t i = 0; i < n && bad == n; i++) {
      char *end;
      mpfr_strtofr(vals[i], fields[i], &end, 10, MPFR_RNDN);
      /* a NaN read is no point: blame the field, not the program */
      if (end == fields[i] || *end != '\0' || mpfr_nan_p(vals[i]))
        bad = i;
    }
    if (bad < n) {
      bad_row(c, "field '%s': '%s' is not a number", B.cols.v[bad],
              fields[bad]);
      if (!c->skip_bad)
        rc = GT_EUSAGE;
      continue;
    }
    const GtDeriv *ds = NULL, *hds = NULL;
    size_t nd = 0, hnd = 0;
    st = gt_session_replay(s, (const char *const *)B.cols.v, ptrs, n);
    if (st == GT_OK)
      st = derivatives(c, s, &ds, &nd);
    if (st == GT_OK && hi != NULL) {
      st = gt_session_replay(hi, (const char *const *)B.cols.v, ptrs, n);
      if (st == GT_OK)
        st = derivatives(c, hi, &hds, &hnd);
      if (st != GT_OK) {
        report(hi, c->quiet, st);
        fprintf(stderr, "%s:%lu: note: --verified: the run at %ld bits "
                "failed at this row\n", stdin_name, B.line,
                verified_prec(c->opt.prec));
      }
    }
    if (st != GT_OK) {
      fflush(stdout);
      report(s, c->quiet, st);
      fprintf(stderr, "%s:%lu: note: the program fails at this row%s\n",
              stdin_name, B.line, c->skip_bad ? "; row skipped" : "");
      if (!c->skip_bad)
        rc = (int)st;
      continue;
    }
    Row row;
    row_make(&row, s, ds, nd, c->digits, hi, hds, hnd, fmt == FMT_JSON);
    for (size_t i = 0; i < n; i++)
      echo_field(&row, B.cols.v[i], fields[i], vals[i], fmt == FMT_JSON);
    if (gt_session_diag_count(s) > 0)
      fflush(stdout);
    report(s, c->quiet, GT_OK);
    if (hi)
      gt_session_clear_diags(hi);
    if (fmt == FMT_CSV || fmt == FMT_TSV) {
      if (!have_head) {
        print_header(stdout, &row, sep);
        head = row;
        have_head = 1;
      } else if (!row_same_columns(&head, &row)) {
        bad_row(c, "the outputs or derivatives differ from the first "
                "row's");
        if (!c->skip_bad)
          rc = GT_EUSAGE;
        row_free(&row);
        continue;
      }
      print_row(stdout, &row, sep);
    } else if (fmt == FMT_JSON)
      print_json(stdout, &row, c->opt.prec, 1);
    else
      print_text(stdout, &row, 1);
    if (!have_head || head.in != row.in)
      row_free(&row);
    if (pipe && fflush(stdout) != 0) {
      if (errno == EPIPE)
        break; /* the reader is gone: end quietly */
      rc = GT_ERUNTIME;
    }
  }
  if (have_head)
    row_free(&head);
  if (ferror(stdin)) {
    fprintf(stderr, "%s: error reading standard input: %s\n", program_name,
            strerror(errno));
    rc = GT_EUSAGE;
  }
  for (size_t i = 0; i < n; i++)
    mpfr_clear(vals[i]);
  free(vals);
  free(ptrs);
  free(fields);
  free(B.buf);
  names_free(&B.cols);
  gt_session_free(hi);
  return rc;
}
