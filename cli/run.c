/* run.c -- one run of a program: read it (-e, FILE or stdin), load it
 * into a session, run it and print its results once, or hand it to
 * --check, --batch or the interactive session; the session's
 * diagnostics become the exit status.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The largest program the command reads, in bytes: the library takes
   at most INT32_MAX (gt_session_load_ex).  gradtool(1) documents it. */
#define PROGRAM_MAX ((size_t)INT32_MAX)

/* Why read_stream failed: errno, or EFBIG for more than PROGRAM_MAX. */
static const char *
read_error(int err)
{
  return err == EFBIG ? "a program has at most 2147483647 bytes"
                      : strerror(err);
}

/* All of f, NUL-terminated (as the text of -e is: --fd-check searches
   it); NULL with errno set on a read error, or EFBIG when f holds more
   than PROGRAM_MAX bytes (a regular file is refused by its size before
   any reading, a pipe after PROGRAM_MAX + 1 bytes). */
static char *
read_stream(FILE *f, size_t *len)
{
  size_t cap = 4096, n = 0;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
    if (st.st_size > (off_t)PROGRAM_MAX) {
      errno = EFBIG;
      return NULL;
    }
    if ((size_t)st.st_size >= cap)
      cap = (size_t)st.st_size + 1; /* one read, and one more to see EOF */
  }
  char *buf = malloc(cap);
  if (buf == NULL)
    out_of_memory();
  for (;;) {
    if (n == cap) {
      if (n > PROGRAM_MAX) {
        free(buf);
        errno = EFBIG;
        return NULL;
      }
      cap = cap > PROGRAM_MAX / 2 ? PROGRAM_MAX + 1 : cap * 2;
      char *t = realloc(buf, cap);
      if (t == NULL)
        out_of_memory();
      buf = t;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  if (ferror(f)) {
    int err = errno;
    free(buf);
    errno = err;
    return NULL;
  }
  if (n == cap) {
    char *t = realloc(buf, cap + 1);
    if (t == NULL)
      out_of_memory();
    buf = t;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Prints the session's diagnostics and drops them. */
void
report(GtSession *s, int quiet, GtStatus st)
{
  size_t n = gt_session_diag_count(s);
  int unlocated_usage = 0;
  for (size_t i = 0; i < n; i++) {
    const GtDiag *d = gt_session_diag(s, i);
    if (quiet && d->severity == GT_SEV_NOTE && st == GT_OK)
      continue;
    if (d->line == 0 && d->file == NULL) {
      fprintf(stderr, "%s: %s%s\n", program_name,
              d->severity == GT_SEV_ERROR ? ""
              : d->severity == GT_SEV_NOTE ? "note: " : "warning: ",
              d->message);
      if (d->severity == GT_SEV_ERROR && st == GT_EUSAGE)
        unlocated_usage = 1;
      continue;
    }
    char *text = gt_diag_format(d);
    if (text == NULL)
      out_of_memory();
    fputs(text, stderr);
    free(text);
  }
  if (unlocated_usage)
    fprintf(stderr, "Try '%s --help' for more information.\n", program_name);
  gt_session_clear_diags(s);
}

/* Reads the program: -e TEXT, FILE, '-' or a non-terminal stdin. */
static int
load_text(Cli *c, int argc, char **argv)
{
  if (c->expr != NULL) {
    if (optind < argc)
      usage_error("both -e and a program file '%s' given", argv[optind]);
    c->file = "<command-line>";
    c->len = strlen(c->expr);
    c->text = malloc(c->len + 1);
    if (c->text == NULL)
      out_of_memory();
    memcpy(c->text, c->expr, c->len + 1);
    return 0;
  }
  if (optind + 1 < argc)
    usage_error("extra operand '%s'", argv[optind + 1]);
  const char *path = optind < argc ? argv[optind] : NULL;
  if (c->batch && (path == NULL || strcmp(path, "-") == 0))
    usage_error("--batch reads its points from standard input: give the "
                "program as a FILE or with -e");
  /* no FILE and a terminal on stdin never gets here: run_program()
     started the interactive session instead */
  if (path == NULL || strcmp(path, "-") == 0) {
    c->file = "<stdin>";
    c->text = read_stream(stdin, &c->len);
    if (c->text == NULL) {
      fprintf(stderr, "%s: error reading standard input: %s\n",
              program_name, read_error(errno));
      return GT_EUSAGE;
    }
    /* no FILE and nothing on standard input: no program at all (an empty
       file named as FILE, '-' included, is an empty program) */
    if (path == NULL && c->len == 0) {
      free(c->text);
      c->text = NULL;
      usage_error("no program given: name a FILE, use -e TEXT, or pipe "
                  "the program to standard input");
    }
    return 0;
  }
  c->file = path;
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "%s: cannot open '%s': %s\n", program_name, path,
            strerror(errno));
    return GT_EUSAGE;
  }
  /* --batch /dev/stdin, /proc/self/fd/0...: the program would swallow the
     points.  The same file is the same device and inode. */
  struct stat fs, in;
  if (c->batch && fstat(fileno(f), &fs) == 0
      && fstat(STDIN_FILENO, &in) == 0 && fs.st_dev == in.st_dev
      && fs.st_ino == in.st_ino) {
    fclose(f);
    usage_error("--batch: the program file '%s' is standard input, which "
                "holds the points", path);
  }
  c->text = read_stream(f, &c->len);
  int err = errno;
  fclose(f);
  if (c->text == NULL) {
    fprintf(stderr, "%s: cannot read '%s': %s\n", program_name, path,
            read_error(err));
    return GT_EUSAGE;
  }
  return 0;
}

GtSession *
open_session(const Cli *c, long prec, GtStatus *st)
{
  GtOptions opt = c->opt;
  opt.prec = prec;
  GtSession *s = gt_session_new(&opt);
  if (s == NULL)
    out_of_memory();
  GtLoadOptions lo = { (const char *const *)c->implicit.v, c->implicit.n,
                       NULL };
  *st = gt_session_load_ex(s, c->file, c->text, c->len, &lo);
  for (size_t i = 0; i < c->at.n && *st == GT_OK; i++) {
    char *eq = strchr(c->at.v[i], '=');
    *eq = '\0';
    *st = gt_session_set_input(s, c->at.v[i], eq + 1);
    *eq = '=';
  }
  if (*st != GT_OK) {
    report(s, c->quiet, *st);
    gt_session_free(s);
    return NULL;
  }
  return s;
}

GtStatus
derivatives(const Cli *c, GtSession *s, const GtDeriv **ds, size_t *nd)
{
  *ds = NULL;
  *nd = 0;
  if (gt_session_output_count(s) == 0
      || (c->wrt.n == 0 && c->npartials == 0
          && gt_session_input_count(s) == 0))
    return GT_OK;
  if (c->npartials) {
    GtStatus st = GT_OK;
    for (size_t i = 0; i < c->npartials && st == GT_OK; i++)
      st = gt_session_partial(s, (const char *const *)c->of.v, c->of.n,
                              (const char *const *)c->partials[i].v,
                              c->partials[i].n, i > 0, ds, nd);
    return st;
  }
  if (c->taylor >= 0)
    return gt_session_taylor(s, (const char *const *)c->of.v, c->of.n,
                             c->wrt.v[0], c->taylor, ds, nd);
  if (c->all_orders)
    return gt_session_derivatives_upto(s, (const char *const *)c->of.v,
                                       c->of.n, (const char *const *)c->wrt.v,
                                       c->wrt.n, c->order, ds, nd);
  return gt_session_derivatives(s, (const char *const *)c->of.v, c->of.n,
                                (const char *const *)c->wrt.v, c->wrt.n,
                                c->order, ds, nd);
}

/* One run: values, derivatives, and what --verified and --fd-check add. */
static int
run_once(const Cli *c, GtSession *s)
{
  GtStatus st = gt_session_run(s);
  const GtDeriv *ds = NULL, *hds = NULL;
  size_t nd = 0, hnd = 0;
  if (st == GT_OK)
    st = derivatives(c, s, &ds, &nd);
  if (st != GT_OK) {
    report(s, c->quiet, st);
    return (int)st;
  }
  GtSession *hi = NULL;
  if (c->verified) {
    hi = open_session(c, verified_prec(c->opt.prec), &st);
    if (hi == NULL)
      return (int)st;
    st = gt_session_run(hi);
    if (st == GT_OK)
      st = derivatives(c, hi, &hds, &hnd);
    if (st != GT_OK) {
      fprintf(stderr, "%s: --verified: the run at %ld bits failed:\n",
              program_name, verified_prec(c->opt.prec));
      report(hi, c->quiet, st);
      gt_session_free(hi);
      return (int)st;
    }
  }
  FdResult *fd = NULL;
  int *digits = NULL;
  if (c->fd_check) {
    fd = calloc(nd + 1, sizeof *fd);
    digits = calloc(nd + 1, sizeof *digits);
    if (fd == NULL || digits == NULL)
      out_of_memory();
    fd_check(c, s, ds, nd, fd);
    for (size_t i = 0; i < nd; i++)
      digits[i] = fd[i].digits;
  }
  Row row;
  row_make(&row, s, ds, nd, c->digits, hi, hds, hnd, c->format == FMT_JSON);
  row.fd_digits = digits;
  if (c->taylor >= 0)
    row_taylor(&row);
  report(s, c->quiet, GT_OK);
  const OutFormat *f = &out_formats[c->format];
  if (f->header)
    f->header(stdout, &row, f->sep);
  f->row(stdout, &row, c->opt.prec, 0, f->sep);
  int rc = 0;
  if (c->fd_check) {
    int bad = 0, unchecked = 0;
    fd_report(c, stdout, ds, nd, fd, c->format == FMT_TEXT, &bad,
              &unchecked);
    fflush(stdout);
    rc = fd_status(c, bad, unchecked, nd == 0, "");
  }
  row_free(&row);
  free(fd);
  free(digits);
  gt_session_free(hi);
  return rc;
}

/* Names an option makes candidates for implicit inputs: NAME=... */
static void
add_implicit(Cli *c, const Names *l, int with_value)
{
  for (size_t i = 0; i < l->n; i++) {
    const char *v = l->v[i];
    size_t n = with_value ? strcspn(v, "=") : strlen(v);
    names_add(&c->implicit, v, n);
  }
}

int
run_program(Cli *cp, int argc, char **argv)
{
  Cli c = *cp;
  if (c.interactive || (c.expr == NULL && optind >= argc && !c.batch
                        && isatty(STDIN_FILENO)))
    return run_session(&c, argc, argv, optind);
  int rc = load_text(&c, argc, argv);
  if (rc != 0)
    return rc;
  if (c.batch) {
    batch_read_header(&c);
    if (batch_empty()) {
      /* no points: nothing to do */
      if ((c.checks.n || c.fd_check) && !c.allow_unchecked) {
        fprintf(stderr, "%s: --batch read no points, so nothing was "
                "checked (--allow-unchecked accepts that)\n", program_name);
        rc = GT_EASSERT;
      }
      goto done;
    }
  }
  add_implicit(&c, &c.at, 1);
  add_implicit(&c, &c.wrt, 0);
  for (size_t i = 0; i < c.npartials; i++)
    add_implicit(&c, &c.partials[i], 0);
  add_implicit(&c, &c.ranges, 1);
  check_implicit(&c);

  GtStatus st;
  GtSession *s = open_session(&c, c.opt.prec, &st);
  if (s == NULL)
    rc = (int)st;
  else if (c.checks.n)
    rc = run_check(&c, s);  /* with --enclose too */
  else if (c.enclose && c.batch)
    rc = run_enclose_batch(&c, s);
  else if (c.enclose)
    rc = run_enclose(&c, s);
  else if (c.batch)
    rc = run_batch(&c, s);
  else if (c.emit >= 0)
    rc = run_emit(&c, s);
  else
    rc = run_once(&c, s);
  gt_session_free(s);
done:
  free(c.text);
  names_free(&c.wrt);
  for (size_t i = 0; i < c.npartials; i++)
    names_free(&c.partials[i]);
  free(c.partials);
  names_free(&c.of);
  names_free(&c.at);
  names_free(&c.checks);
  names_free(&c.ranges);
  names_free(&c.implicit);
  return rc; /* a write error is close_stdout's, at exit */
}

long
input_index(GtSession *s, const char *name)
{
  for (size_t i = 0; i < gt_session_input_count(s); i++)
    if (strcmp(gt_session_input_name(s, i), name) == 0)
      return (long)i;
  return -1;
}
