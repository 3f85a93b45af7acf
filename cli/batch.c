/* batch.c -- --batch: one run per point read from standard input.
 *
 * The first non-blank line names the inputs, separated by commas (CSV) or
 * tabs (TSV: any tab in the header line); every later non-blank line is
 * one point, a number per input.  The program is recorded once and the
 * tape replayed at each point (gt_session_replay), recorded again only
 * when a control decision changes.  Output is one row per point, in the
 * format asked for or else the input's (CSV in, CSV out); rows are
 * written in blocks, flushed whenever no more input is waiting (see
 * next_line), and a reader that goes away
 * (`| head -3`) ends the program quietly: SIGPIPE, or EPIPE when the
 * signal is ignored, with no message.
 *
 * A row that is not a point (wrong field count, a field that is not a
 * number or holds a NUL byte) or where the program fails is an error
 * naming its line, exit status 2 (4 when the program fails);
 * --skip-bad-rows reports it as a warning and goes on.  A NUL byte in the
 * header is an error too: C strings would cut the line short there.
 *
 * The header's names are checked for duplicates, and against the
 * program's inputs, through a hash set: linear time in the header's
 * length (a million columns take about a second).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
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
  char *buf;              /* what was read of standard input */
  size_t cap;
  size_t have;            /* bytes in buf */
  size_t pos;             /* where the next line starts */
  int eof;                /* read() said end of input */
  int read_errno;         /* its error, or 0 */
  size_t len;             /* length of the last line, NUL bytes included */
} B;

static const char *const stdin_name = "<stdin>";

/* Standard input is read in blocks by read(2), not through stdio, so that
   the batch knows when no more input is waiting: the rows printed so far
   are flushed then, and only then (one write per block of rows, not per
   row, yet a program that feeds one point and waits for its row, as a
   coprocess, gets it at once). */

/* Does standard input have nothing to read right now? */
static int
input_would_block(void)
{
  struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
  int r;
  while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR)
    ;
  return r == 0;
}

/* Reads more of standard input into B.buf; 0 at end of input or error. */
static int
fill(void)
{
  if (B.pos > 0) {
    memmove(B.buf, B.buf + B.pos, B.have - B.pos);
    B.have -= B.pos;
    B.pos = 0;
  }
  if (B.cap - B.have < 4096) {
    size_t cap = B.cap ? 2 * B.cap : 65536;
    char *b = realloc(B.buf, cap);
    if (b == NULL)
      out_of_memory();
    B.buf = b;
    B.cap = cap;
  }
  if (input_would_block() && fflush(stdout) != 0) {
    B.eof = 1; /* nobody reads the rows: run_batch sees ferror(stdout) */
    return 0;
  }
  ssize_t n;
  while ((n = read(STDIN_FILENO, B.buf + B.have, B.cap - B.have - 1)) < 0
         && errno == EINTR)
    ;
  if (n <= 0) {
    B.eof = 1;
    if (n < 0)
      B.read_errno = errno;
    return 0;
  }
  B.have += (size_t)n;
  return 1;
}

/* The next line without its line end; NULL at end of input.  The line
   stays valid until the next call. */
static char *
next_line(void)
{
  char *nl = NULL;
  size_t from = B.pos; /* the bytes before it hold no line end */
  while (from >= B.have
         || (nl = memchr(B.buf + from, '\n', B.have - from)) == NULL) {
    size_t searched = B.have - B.pos;
    if (B.eof || !fill()) {
      if (B.pos >= B.have)
        return NULL;
      nl = B.buf + B.have; /* the last line has no line end */
      break;
    }
    from = B.pos + searched; /* fill() moved the line to the start */
  }
  char *line = B.buf + B.pos;
  size_t n = (size_t)(nl - line);
  B.pos = nl < B.buf + B.have ? B.pos + n + 1 : B.have;
  *nl = '\0'; /* buf keeps a byte spare for the last line's end */
  B.line++;
  while (n > 0 && line[n - 1] == '\r')
    line[--n] = '\0';
  B.len = n;
  return line;
}

/* The field (from 1) of the last line that holds its first NUL byte, or
   0 when it holds none. */
static size_t
nul_field(const char *line, char sep)
{
  const char *nul = memchr(line, '\0', B.len);
  if (nul == NULL)
    return 0;
  size_t f = 1;
  for (const char *p = line; p < nul; p++)
    f += *p == sep;
  return f;
}

/* ---- a set of names ------------------------------------------------------- */

/* Open addressing with linear probing over a power-of-two table at most
   half full; a slot holds 1 + the index of its name in the caller's
   array (0: empty).  FNV-1a hashes the name.  O(1) expected per lookup. */
typedef struct NameSet {
  size_t *slot;
  size_t mask;
} NameSet;

static void
set_init(NameSet *t, size_t n)
{
  size_t cap = 16;
  while (cap / 2 < n)
    cap *= 2;
  t->slot = calloc(cap, sizeof *t->slot);
  if (t->slot == NULL)
    out_of_memory();
  t->mask = cap - 1;
}

static size_t
hash_name(const char *s)
{
  uint64_t h = 14695981039346656037u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return (size_t)(h ^ (h >> 32));
}

/* Adds v[i] unless an equal name is there already; returns 1 + the index
   of that name, or 0 when v[i] was added.  At most n names (set_init). */
static size_t
set_add(NameSet *t, const char *const *v, size_t i)
{
  size_t k = hash_name(v[i]) & t->mask;
  for (; t->slot[k] != 0; k = (k + 1) & t->mask)
    if (strcmp(v[t->slot[k] - 1], v[i]) == 0)
      return t->slot[k];
  t->slot[k] = i + 1;
  return 0;
}

/* 1 + the index in v of the name s of the set, or 0 when it has none. */
static size_t
set_find(const NameSet *t, const char *const *v, const char *s)
{
  size_t k = hash_name(s) & t->mask;
  for (; t->slot[k] != 0; k = (k + 1) & t->mask)
    if (strcmp(v[t->slot[k] - 1], s) == 0)
      return t->slot[k];
  return 0;
}

/* Whether s is one of the names of the set, held in v. */
static int
set_has(const NameSet *t, const char *const *v, const char *s)
{
  return set_find(t, v, s) != 0;
}

/* calloc, or the end of the command when out of memory. */
static void *
xcalloc(size_t n, size_t size)
{
  void *p = calloc(n, size);
  if (p == NULL)
    out_of_memory();
  return p;
}

/* Whether the last line is spaces and tabs only (a NUL byte is not). */
static int
blank(const char *s)
{
  return strspn(s, " \t") == B.len;
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
header_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void
header_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s:%lu: error: ", stdin_name, B.line);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
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
  B.sep = memchr(line, '\t', B.len) ? '\t' : ',';
  size_t nul = nul_field(line, B.sep);
  if (nul)
    header_error("field %zu of the header holds a NUL byte", nul);
  size_t n = 1;
  for (const char *p = line; (p = strchr(p, B.sep)) != NULL; p++)
    n++;
  char **f = calloc(n + 1, sizeof *f);
  if (f == NULL)
    out_of_memory();
  split(line, B.sep, f, n);
  NameSet seen;
  set_init(&seen, n);
  for (size_t i = 0; i < n; i++) {
    if (!is_name(f[i], strlen(f[i])))
      header_error("the header line must name the program's inputs; '%s' "
                   "is not a name", f[i]);
    if (set_add(&seen, (const char *const *)f, i))
      header_error("the header names '%s' twice", f[i]);
    names_add(&B.cols, f[i], strlen(f[i]));
    names_add(&c->implicit, f[i], strlen(f[i]));
  }
  free(seen.slot);
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
echo_field(Row *row, size_t k, const char *field, mpfr_srcptr v, int json)
{
  Cell *cell = &row->in[k];
  if (k >= row->nin || cell->nelem != 0)
    return;
  char *t = json && !(cell->number && json_number(field))
                ? number_text(v, 0) : strdup(field);
  if (t == NULL)
    out_of_memory();
  free(cell->text);
  cell->text = t;
}

int
json_number_syntax(const char *t)
{
  return json_number(t);
}

char
batch_sep(void)
{
  return B.sep;
}

int
batch_empty(void)
{
  return B.empty;
}

/* Every column of the header is an input of the program; else reports
   and returns GT_EUSAGE. */
static int
check_header(GtSession *s)
{
  size_t nin = gt_session_input_count(s);
  const char **inputs = calloc(nin + 1, sizeof *inputs);
  if (inputs == NULL)
    out_of_memory();
  NameSet in;
  set_init(&in, nin);
  for (size_t i = 0; i < nin; i++) {
    inputs[i] = gt_session_input_name(s, i);
    set_add(&in, inputs, i);
  }
  int rc = 0;
  for (size_t i = 0; i < B.cols.n && rc == 0; i++)
    if (!set_has(&in, inputs, B.cols.v[i])) {
      fprintf(stderr, "%s:%lu: error: the header names '%s', which is not "
              "an input of the program\n", stdin_name, B.header_line,
              B.cols.v[i]);
      rc = GT_EUSAGE;
    }
  free(in.slot);
  free(inputs);
  return rc;
}

/* The state of one --batch run over the points. */
typedef struct Run {
  Cli *c;
  GtSession *s, *hi;      /* hi: --verified, or NULL */
  enum Format fmt;
  const OutFormat *f;
  size_t n;               /* columns */
  mpfr_t *vals;
  mpfr_srcptr *ptrs;
  char **fields;
  Row head;               /* the first row (table formats) */
  int have_head, rc;
  /* derivative labels made once and lent to every row after the first:
     labels[i] is ds[i]'s, keys[i] its output and names, '\037'-joined */
  char **labels, **keys;
  size_t nlabels;
  unsigned char *echoed;  /* per input: a column of the header */
  size_t nin;             /* inputs when echoed was made */
  size_t *col_input;      /* per column: its input's index */
  int fd_bad, fd_unchecked, fd_none; /* --fd-check */
} Run;

/* A bad row: reported; ends the run unless --skip-bad.  Returns 1. */
static int
reject(Run *R)
{
  if (!R->c->skip_bad)
    R->rc = GT_EUSAGE;
  return 1;
}

/* Is key (see Run) d's output and names? */
static int
key_is(const char *key, const GtDeriv *d)
{
  size_t n = strlen(d->of);
  if (strncmp(key, d->of, n) != 0)
    return 0;
  key += n;
  for (int k = 0; k < d->order; k++) {
    n = strlen(d->wrt[k]);
    if (*key++ != '\037' || strncmp(key, d->wrt[k], n) != 0)
      return 0;
    key += n;
  }
  return *key == '\0';
}

static void
labels_free(Run *R)
{
  for (size_t i = 0; i < R->nlabels; i++) {
    free(R->labels[i]);
    free(R->keys[i]);
  }
  free(R->labels);
  free(R->keys);
  R->labels = R->keys = NULL;
  R->nlabels = 0;
}

/* The labels of ds, made again only when they differ from the last
   row's. */
static char **
labels_for(Run *R, const GtDeriv *ds, size_t nd)
{
  size_t i = 0;
  if (R->nlabels == nd)
    while (i < nd && key_is(R->keys[i], &ds[i]))
      i++;
  if (R->labels != NULL && i == nd)
    return R->labels;
  labels_free(R);
  R->labels = xcalloc(nd + 1, sizeof *R->labels);
  R->keys = xcalloc(nd + 1, sizeof *R->keys);
  for (i = 0; i < nd; i++) {
    Buf b = { 0 };
    buf_adds(&b, ds[i].of);
    for (int k = 0; k < ds[i].order; k++) {
      buf_add(&b, "\037", 1);
      buf_adds(&b, ds[i].wrt[k]);
    }
    R->keys[i] = b.s != NULL ? b.s : xstrdup("");
    R->labels[i] = deriv_label(&ds[i]);
  }
  R->nlabels = nd;
  return R->labels;
}

/* Which input each column is (the header names only inputs), and which
   inputs are columns: their fields are echoed as read. */
static void
map_columns(Run *R)
{
  size_t nin = gt_session_input_count(R->s);
  const char **names = xcalloc(nin + 1, sizeof *names);
  NameSet set;
  set_init(&set, nin);
  for (size_t k = 0; k < nin; k++) {
    names[k] = gt_session_input_name(R->s, k);
    set_add(&set, names, k);
  }
  R->nin = nin;
  R->echoed = xcalloc(nin + 1, 1);
  R->col_input = xcalloc(R->n + 1, sizeof *R->col_input);
  for (size_t j = 0; j < R->n; j++) {
    size_t k = set_find(&set, names, B.cols.v[j]);
    R->col_input[j] = k - 1; /* every column is an input (check_header) */
    if (k != 0)
      R->echoed[k - 1] = 1;
  }
  free(set.slot);
  free(names);
}

/* Splits line into R->fields and reads R->vals; 0 when it is a point. */
static int
read_point(Run *R, char *line)
{
  size_t n = R->n;
  size_t nul = nul_field(line, B.sep);
  if (nul) {
    bad_row(R->c, "field %zu holds a NUL byte", nul);
    return reject(R);
  }
  size_t got = split(line, B.sep, R->fields, n);
  if (got != n) {
    bad_row(R->c, "%zu field%s where the header names %zu", got,
            got == 1 ? "" : "s", n);
    return reject(R);
  }
  for (size_t i = 0; i < n; i++) {
    char *end;
    gt_read_number(R->vals[i], R->fields[i], &end);
    /* a NaN read is no point: blame the field, not the program */
    if (end == R->fields[i] || *end != '\0' || mpfr_nan_p(R->vals[i])) {
      bad_row(R->c, "field '%s': '%s' is not a number", B.cols.v[i],
              R->fields[i]);
      return reject(R);
    }
  }
  return 0;
}

/* Runs the program (and the --verified one) at the point read; 0 on
   success, else reported. */
static int
run_point(Run *R, const GtDeriv **ds, size_t *nd, const GtDeriv **hds,
          size_t *hnd)
{
  Cli *c = R->c;
  const char *const *names = (const char *const *)B.cols.v;
  GtStatus st = gt_session_replay(R->s, names, R->ptrs, R->n);
  if (st == GT_OK)
    st = derivatives(c, R->s, ds, nd);
  if (st == GT_OK && R->hi != NULL) {
    st = gt_session_replay(R->hi, names, R->ptrs, R->n);
    if (st == GT_OK)
      st = derivatives(c, R->hi, hds, hnd);
    if (st != GT_OK) {
      report(R->hi, c->quiet, st);
      fprintf(stderr, "%s:%lu: note: --verified: the run at %ld bits "
              "failed at this row\n", stdin_name, B.line,
              verified_prec(c->opt.prec));
    }
  }
  if (st == GT_OK)
    return 0;
  fflush(stdout);
  report(R->s, c->quiet, st);
  fprintf(stderr, "%s:%lu: note: the program fails at this row%s\n",
          stdin_name, B.line, c->skip_bad ? "; row skipped" : "");
  if (!c->skip_bad)
    R->rc = (int)st;
  return 1;
}

/* Prints the point's row (and its --fd-check report). */
static void
print_point(Run *R, const GtDeriv *ds, size_t nd, const GtDeriv *hds,
            size_t hnd)
{
  Cli *c = R->c;
  FdResult *fr = NULL;
  int *fdd = NULL;
  if (c->fd_check) {
    fr = calloc(nd + 1, sizeof *fr);
    fdd = calloc(nd + 1, sizeof *fdd);
    if (fr == NULL || fdd == NULL)
      out_of_memory();
    fd_check(c, R->s, ds, nd, fr);
    for (size_t i = 0; i < nd; i++)
      fdd[i] = fr[i].digits;
  }
  Row row;
  if (R->echoed == NULL || R->nin != gt_session_input_count(R->s)) {
    free(R->echoed);
    free(R->col_input);
    map_columns(R);
  }
  /* the first row keeps labels of its own: it is the header's */
  char **labels = R->have_head && c->taylor < 0 ? labels_for(R, ds, nd)
                                                : NULL;
  row_make_lent(&row, R->s, ds, nd, c->digits, R->hi, hds, hnd,
                R->fmt == FMT_JSON, labels, R->echoed);
  row.fd_digits = fdd;
  if (c->taylor >= 0)
    row_taylor(&row);
  for (size_t i = 0; i < R->n; i++)
    echo_field(&row, R->col_input[i], R->fields[i], R->vals[i],
               R->fmt == FMT_JSON);
  if (gt_session_diag_count(R->s) > 0)
    fflush(stdout);
  report(R->s, c->quiet, GT_OK);
  if (R->hi)
    gt_session_clear_diags(R->hi);
  const OutFormat *f = R->f;
  if (f->header) {
    if (!R->have_head) {
      f->header(stdout, &row, f->sep);
      R->head = row;
      R->have_head = 1;
    } else if (!row_same_columns(&R->head, &row)) {
      bad_row(c, "the outputs or derivatives differ from the first row's");
      reject(R);
      row_free(&row);
      free(fr);
      free(fdd);
      return;
    }
  }
  f->row(stdout, &row, c->opt.prec, 1, f->sep);
  if (c->fd_check) {
    fd_report(c, stdout, ds, nd, fr, R->fmt == FMT_TEXT, &R->fd_bad,
              &R->fd_unchecked);
    R->fd_none += nd == 0;
    row.fd_digits = NULL;
  }
  free(fr);
  free(fdd);
  if (!R->have_head || R->head.in != row.in)
    row_free(&row);
}

int
run_batch(Cli *c, GtSession *s)
{
  if (B.empty)
    return 0; /* no header, no points: nothing to print */
  if (check_header(s) != 0)
    return GT_EUSAGE;
  Run R = { .c = c, .s = s, .n = B.cols.n };
  R.fmt = c->format_given ? c->format : B.sep == '\t' ? FMT_TSV : FMT_CSV;
  R.f = &out_formats[R.fmt];
  GtStatus st;
  if (c->verified
      && (R.hi = open_session(c, verified_prec(c->opt.prec), &st)) == NULL)
    return (int)st;
  size_t n = R.n;
  R.vals = calloc(n + 1, sizeof *R.vals);
  R.ptrs = calloc(n + 1, sizeof *R.ptrs);
  R.fields = calloc(n + 1, sizeof *R.fields);
  if (!R.vals || !R.ptrs || !R.fields)
    out_of_memory();
  for (size_t i = 0; i < n; i++) {
    mpfr_init2(R.vals[i], (mpfr_prec_t)c->opt.prec);
    R.ptrs[i] = R.vals[i];
  }
  char *line;
  while (R.rc == 0 && (line = next_line()) != NULL) {
    const GtDeriv *ds = NULL, *hds = NULL;
    size_t nd = 0, hnd = 0;
    if (blank(line) || read_point(&R, line) != 0
        || run_point(&R, &ds, &nd, &hds, &hnd) != 0)
      continue;
    print_point(&R, ds, nd, hds, hnd);
    if (ferror(stdout))
      break; /* nobody reads the rows: close_stdout (main.c) says why, or
                ends quietly when the reader went away (EPIPE) */
  }
  if (R.have_head)
    row_free(&R.head);
  labels_free(&R);
  free(R.echoed);
  free(R.col_input);
  int rc = R.rc;
  if (c->fd_check && rc == 0)
    rc = fd_status(c, R.fd_bad, R.fd_unchecked, R.fd_none > 0, "");
  if (B.read_errno != 0) {
    fprintf(stderr, "%s: error reading standard input: %s\n", program_name,
            strerror(B.read_errno));
    rc = GT_EUSAGE;
  }
  for (size_t i = 0; i < n; i++)
    mpfr_clear(R.vals[i]);
  free(R.vals);
  free(R.ptrs);
  free(R.fields);
  free(B.buf);
  names_free(&B.cols);
  gt_session_free(R.hi);
  return rc;
}

/* --check --batch: reads the next point and gives the header's names and
   the row's values (valid until the next call).  1: a point; 0: the end
   of the input; a negative status: a bad row (reported) ends the run. */
/* the fields of the last point batch_point read */
static char **fields;

const char *const *
batch_fields(void)
{
  return (const char *const *)fields;
}

int
batch_point(const Cli *c, GtSession *s, const char *const **names,
            mpfr_srcptr **values, size_t *n)
{
  static mpfr_t *vals;
  static mpfr_srcptr *ptrs;
  size_t nc = B.cols.n;
  if (vals == NULL) {
    for (size_t i = 0; i < nc; i++)
      if (input_index(s, B.cols.v[i]) < 0) {
        fprintf(stderr, "%s:%lu: error: the header names '%s', which is "
                "not an input of the program\n", stdin_name, B.header_line,
                B.cols.v[i]);
        return -GT_EUSAGE;
      }
    vals = calloc(nc + 1, sizeof *vals);
    ptrs = calloc(nc + 1, sizeof *ptrs);
    fields = calloc(nc + 1, sizeof *fields);
    if (!vals || !ptrs || !fields)
      out_of_memory();
    for (size_t i = 0; i < nc; i++) {
      mpfr_init2(vals[i], (mpfr_prec_t)c->opt.prec);
      ptrs[i] = vals[i];
    }
  }
  char *line;
  while (vals != NULL && (line = next_line()) != NULL) {
    if (blank(line))
      continue;
    size_t got = split(line, B.sep, fields, nc);
    size_t bad = nc;
    if (got != nc)
      bad_row(c, "%zu field%s where the header names %zu", got,
              got == 1 ? "" : "s", nc);
    else
      for (size_t i = 0; i < nc && bad == nc; i++) {
        char *end;
        gt_read_number(vals[i], fields[i], &end);
        if (end == fields[i] || *end != '\0' || mpfr_nan_p(vals[i])) {
          bad = i;
          bad_row(c, "field %zu ('%s') is not a number", bad + 1,
                  fields[bad]);
        }
      }
    if (got != nc || bad < nc) {
      if (c->skip_bad)
        continue;
      return -GT_EUSAGE;
    }
    *names = (const char *const *)B.cols.v;
    *values = ptrs;
    *n = nc;
    return 1;
  }
  /* the end: free what the points needed */
  if (vals != NULL)
    for (size_t i = 0; i < nc; i++)
      mpfr_clear(vals[i]);
  free(vals);
  free(ptrs);
  free(fields);
  vals = NULL;
  ptrs = NULL;
  fields = NULL;
  free(B.buf);
  B.buf = NULL;
  names_free(&B.cols);
  memset(&B.cols, 0, sizeof B.cols);
  return 0;
}

/* The line number of the last point read (for messages). */
unsigned long
batch_line(void)
{
  return B.line;
}
