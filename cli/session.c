/* session.c -- the interactive session's logic: entries, commands,
 * values and derivatives printed; no terminal (repl.c is that).
 *
 * The session keeps the text of the statements accepted so far.  Each new
 * complete input (a line, or a block left open over several lines: the
 * library's gt_text_shape says when it is complete) is appended to it and
 * the whole text is loaded and run again in a fresh GtSession:
 * define-by-run keeps every feature of a program (functions, inputs,
 * grad) for free.  The common entry, top-level statements that succeed,
 * runs alone on the last run's values instead (gt_session_extend), so a
 * long session costs linear time; anything else that entry may do (fail,
 * call a function, declare an input, join an if, :grad, :prec, :load)
 * takes the whole text again, so every output is the same either way.
 * An input that fails is dropped, so the text always runs.  print() in earlier
 * statements stays silent on the re-runs (GtOptions.print_from) and their
 * warnings and notes are shown once.
 *
 * Lines of an error are those of the session: <input>:N is the N-th line
 * typed, FILE:N the N-th line of a file given to -i or :load.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* the name a bare expression's value is bound to: no program can spell
   it, so it never shadows a user's name */
#define VALUE_NAME "(value)"

volatile sig_atomic_t session_interrupted;

/* ---- small helpers ------------------------------------------------------- */

static unsigned
count_lines(const char *s, size_t n)
{
  unsigned k = 0;
  for (size_t i = 0; i < n; i++)
    k += s[i] == '\n';
  return k;
}

/* ---- reading inputs ------------------------------------------------------ */

int
word_at(const char *p, const char *w)
{
  size_t n = strlen(w);
  return strncmp(p, w, n) == 0
         && !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z')
              || (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9'));
}

const char *
skip_blanks(const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ';')
    p++;
  return p;
}

/* The parser's view of a text (gt_text_shape); out of memory ends the
   session as everywhere else. */
static GtTextShape
shape_of(const char *t)
{
  GtTextShape sh;
  if (gt_text_shape(t, strlen(t), &sh) != 0)
    out_of_memory();
  return sh;
}

/* ---- printing values and diagnostics ------------------------------------- */

static char *
fmt_value(const GtValue *v, long digits)
{
  char *t = gt_format_value(v, digits);
  if (t == NULL)
    out_of_memory();
  return t;
}

static void
shape_text(const GtValue *v, char *out, size_t n)
{
  size_t k = (size_t)snprintf(out, n, "(");
  for (int d = 0; d < v->rank && k < n; d++)
    k += (size_t)snprintf(out + k, n - k, "%s%zu", d ? ", " : "",
                          v->dims[d]);
  if (k < n)
    snprintf(out + k, n - k, v->rank == 1 ? ",)" : ")");
}

/* Where line `line` of the session's text came from. */
static void
locate(const Repl *r, unsigned line, const char *entry_file,
       unsigned entry_origin, const char **file, unsigned *l)
{
  if (line > r->text_lines) {
    *file = entry_file;
    *l = entry_origin + (line - r->text_lines - 1);
    return;
  }
  for (size_t i = r->nchunks; i-- > 0;)
    if (line >= r->chunks[i].first) {
      *file = r->chunks[i].file;
      *l = r->chunks[i].origin + (line - r->chunks[i].first);
      return;
    }
  *file = SOURCE_NAME;
  *l = line;
}

/* Prints s's diagnostics with their lines mapped back to what the user
   typed; warnings and notes only once per session text. */
static void
show_diags(Repl *r, GtSession *s, const char *entry_file,
           unsigned entry_origin, unsigned base, int failed)
{
  size_t n = gt_session_diag_count(s);
  for (size_t i = 0; i < n; i++) {
    GtDiag d = *gt_session_diag(s, i);
    if (d.severity == GT_SEV_NOTE && r->cli->quiet && !failed)
      continue;
    char *text;
    if (d.line == 0 && d.file == NULL) {
      size_t len = strlen(d.message) + strlen(program_name) + 32;
      text = malloc(len);
      if (text == NULL)
        out_of_memory();
      snprintf(text, len, "%s: %s%s\n", program_name,
               d.severity == GT_SEV_ERROR ? ""
               : d.severity == GT_SEV_NOTE ? "note: " : "warning: ",
               d.message);
    } else {
      if (d.file != NULL && strcmp(d.file, SOURCE_NAME) == 0 && d.line > 0)
        locate(r, d.line + base, entry_file, entry_origin, &d.file,
               &d.line);
      text = gt_diag_format(&d);
      if (text == NULL)
        out_of_memory();
    }
    int seen = 0;
    if (d.severity != GT_SEV_ERROR) {
      for (size_t k = 0; k < r->nshown && !seen; k++)
        seen = strcmp(r->shown[k], text) == 0;
      if (!seen) {
        char **v = realloc(r->shown, (r->nshown + 1) * sizeof *v);
        if (v == NULL)
          out_of_memory();
        r->shown = v;
        r->shown[r->nshown++] = xstrdup(text);
      }
    }
    if (!seen)
      fputs(text, stderr);
    free(text);
  }
  gt_session_clear_diags(s);
}

static void
print_line(void *user, const char *line)
{
  (void)user;
  fputs(line, stderr);
  fputc('\n', stderr);
}

/* ---- running ------------------------------------------------------------- */

enum Mode {
  MODE_ENTRY,   /* typed statements: a bare expression prints its value */
  MODE_LOAD,    /* a file (-i FILE, :load) */
  MODE_RERUN,   /* the accepted text again (:prec) */
  MODE_GRAD     /* :grad EXPR wrt NAMES: print derivatives, bind nothing */
};

static int
find_global(GtSession *s, const char *name, GtValue *v)
{
  for (size_t i = 0; i < gt_session_global_count(s); i++)
    if (strcmp(gt_session_global_name(s, i), name) == 0)
      return gt_session_global_value(s, i, v);
  return 0;
}

static void
drop_text(Repl *r)
{
  for (size_t i = 0; i < r->nchunks; i++)
    free(r->chunks[i].file);
  free(r->chunks);
  r->chunks = NULL;
  r->nchunks = 0;
  r->text.len = 0;
  if (r->text.s)
    r->text.s[0] = '\0';
  r->text_lines = 0;
  for (size_t i = 0; i < r->nshown; i++)
    free(r->shown[i]);
  free(r->shown);
  r->shown = NULL;
  r->nshown = 0;
  gt_session_free(r->s);
  r->s = NULL;
  r->last_if = 0;
}

static void print_derivs(Repl *r, GtSession *s, const char *expr,
                         Names *wrt);

/* An else or elif on a line of its own continues the if just before. */
static int
joins_if(const Repl *r, const char *entry)
{
  return r->last_if && r->nchunks > 0 && r->chunks[r->nchunks - 1].is_if
         && (word_at(skip_blanks(entry), "else")
             || word_at(skip_blanks(entry), "elif"));
}

/* Whether the lines typed so far end a statement (the parser says so,
   judging an else or elif together with its if); if not, more follow. */
static int
pending_complete(const Repl *r)
{
  if (!joins_if(r, r->pending.s))
    return shape_of(r->pending.s).complete;
  const Chunk *c = &r->chunks[r->nchunks - 1];
  Buf t = { NULL, 0, 0 };
  buf_add(&t, r->text.s + c->off, r->text.len - c->off);
  buf_adds(&t, r->pending.s);
  int complete = shape_of(t.s).complete;
  free(t.s);
  return complete;
}

static void
keep_print(void *user, const char *line)
{
  buf_adds(user, line);
  buf_adds(user, "\n");
}

static void print_value(Repl *r, GtSession *s);

/* Appends entry (which binds something) to the text as a chunk of its own
   that starts at line `origin` of the input. */
static void
keep_entry(Repl *r, const char *entry, unsigned origin, int is_if)
{
  Chunk c;
  c.file = xstrdup(SOURCE_NAME);
  c.first = r->text_lines + 1;
  c.origin = origin;
  c.off = r->text.len;
  buf_adds(&r->text, entry);
  if (r->text.len == 0 || r->text.s[r->text.len - 1] != '\n')
    buf_adds(&r->text, "\n");
  c.nlines = count_lines(r->text.s + c.off, r->text.len - c.off);
  c.is_if = is_if;
  Chunk *cv = realloc(r->chunks, (r->nchunks + 1) * sizeof *cv);
  if (cv == NULL)
    out_of_memory();
  r->chunks = cv;
  r->chunks[r->nchunks++] = c;
  r->text_lines += c.nlines;
  r->last_if = is_if;
}

/* The common entry: runs only `entry` on the last run's values.  Returns
   0 when it ran (and has printed what the whole text would have), 1 when
   it failed but the whole text must not run (an interrupt, reported), -1
   when nothing was shown and the whole text must run instead. */
static int
extend(Repl *r, const char *entry, unsigned origin, GtTextShape sh)
{
  Buf printed = { NULL, 0, 0 };
  GtOptions opt = r->opt;
  opt.interrupt = &session_interrupted;
  opt.print = keep_print;
  opt.print_user = &printed;
  GtLoadOptions lo = { NULL, 0, sh.last_expr ? VALUE_NAME : NULL };
  GtStatus st = gt_session_extend(r->s, SOURCE_NAME, entry, strlen(entry),
                                  &lo, &opt);
  int ret = st == GT_OK ? 0
            : st == GT_ERUNTIME && session_interrupted ? 1 : -1;
  if (ret >= 0 && printed.s)
    fputs(printed.s, stderr);
  free(printed.s);
  if (ret < 0) {
    gt_session_clear_diags(r->s);
    return -1;
  }
  if (ret)
    fputc('\n', stderr); /* after the terminal's ^C */
  show_diags(r, r->s, SOURCE_NAME, origin, r->text_lines, ret);
  r->last_if = 0;
  if (ret)
    return 1;
  if (sh.last_expr)
    print_value(r, r->s);
  fflush(stdout);
  if (!sh.only_expr)
    keep_entry(r, entry, origin, sh.is_if);
  return 0;
}

/* Prints the value bound to VALUE_NAME in s. */
static void
print_value(Repl *r, GtSession *s)
{
  GtValue v;
  if (!find_global(s, VALUE_NAME, &v))
    return;
  Buf out = { NULL, 0, 0 };
  if (r->format == FMT_JSON)
    json_add_value(&out, &v, r->digits);
  else {
    char *t = fmt_value(&v, r->digits);
    buf_adds(&out, t);
    free(t);
  }
  puts(out.s);
  free(out.s);
}

/* Runs the accepted text followed by `entry` (from `file`, its first line
   numbered `origin`).  Returns 0 on success. */
static int
evaluate(Repl *r, const char *entry, const char *file, unsigned origin,
         enum Mode mode, Names *wrt)
{
  GtTextShape sh = shape_of(entry);
  int join = mode == MODE_ENTRY && joins_if(r, entry);
  if (mode == MODE_ENTRY && !join && r->s != NULL
      && strcmp(file, SOURCE_NAME) == 0) {
    int e = extend(r, entry, origin, sh);
    if (e >= 0)
      return -e;
  }
  size_t keep_len = r->text.len;
  unsigned keep_lines = r->text_lines;
  if (join) {
    Chunk *c = &r->chunks[r->nchunks - 1];
    r->text.len = c->off;
    r->text_lines = c->first - 1;
  }
  Buf prog = { NULL, 0, 0 };
  buf_add(&prog, r->text.s ? r->text.s : "", r->text.len);
  size_t entry_off = prog.len;
  if (join) {
    Chunk *c = &r->chunks[r->nchunks - 1];
    buf_add(&prog, keep_len > c->off ? r->text.s + c->off : "",
            keep_len - c->off);
  }
  buf_adds(&prog, entry);
  if (prog.len == 0 || prog.s[prog.len - 1] != '\n')
    buf_adds(&prog, "\n");

  GtOptions opt = r->opt;
  opt.print_from = mode == MODE_RERUN ? prog.len : entry_off;
  opt.interrupt = &session_interrupted;
  opt.jacobian = mode == MODE_GRAD && r->jacobian;
  GtSession *s = gt_session_new(&opt);
  if (s == NULL)
    out_of_memory();
  const char *efile = join ? r->chunks[r->nchunks - 1].file : file;
  unsigned eorigin = join ? r->chunks[r->nchunks - 1].origin : origin;
  GtLoadOptions lo = { NULL, 0, NULL };
  if (mode == MODE_GRAD || (mode == MODE_ENTRY && sh.last_expr))
    lo.result = VALUE_NAME;
  GtStatus st = gt_session_load_ex(s, SOURCE_NAME, prog.s, prog.len, &lo);
  if (st == GT_OK)
    st = gt_session_run(s);
  if (st == GT_OK && mode == MODE_GRAD) {
    print_derivs(r, s, entry, wrt);
    st = gt_session_diag_count(s) ? GT_ERUNTIME : GT_OK;
    /* print_derivs has shown what went wrong */
  }
  if (session_interrupted && st != GT_OK)
    fputc('\n', stderr); /* after the terminal's ^C */
  show_diags(r, s, efile, eorigin, 0, st != GT_OK);
  if (join) {
    r->text.len = keep_len;
    r->text_lines = keep_lines;
  }
  r->last_if = 0;
  if (st != GT_OK) {
    gt_session_free(s);
    free(prog.s);
    return -1;
  }

  if (lo.result && mode == MODE_ENTRY)
    print_value(r, s);
  fflush(stdout);

  /* keep what binds something: everything but a lone bare expression */
  if (mode == MODE_LOAD || (mode == MODE_ENTRY && !sh.only_expr)) {
    /* copied first: efile may be the joined chunk's own name */
    char *file = xstrdup(efile);
    if (join) {
      Chunk *c = &r->chunks[r->nchunks - 1];
      r->text.len = c->off;
      r->text_lines = c->first - 1;
      r->nchunks--;
      free(c->file);
    }
    Chunk c;
    c.file = file;
    c.first = r->text_lines + 1;
    c.origin = eorigin;
    c.off = r->text.len;
    c.nlines = count_lines(prog.s + c.off, prog.len - c.off);
    c.is_if = sh.is_if || join;
    Chunk *cv = realloc(r->chunks, (r->nchunks + 1) * sizeof *cv);
    if (cv == NULL)
      out_of_memory();
    r->chunks = cv;
    r->chunks[r->nchunks++] = c;
    r->text.len = 0;
    buf_add(&r->text, prog.s, prog.len);
    r->text_lines += c.nlines;
    r->last_if = c.is_if;
  }
  if (mode != MODE_GRAD) {
    gt_session_free(r->s);
    r->s = s;
  } else
    gt_session_free(s);
  free(prog.s);
  return 0;
}

/* Whether name is an input or a variable of s (not a constant such as
   pi): what :grad may differentiate with respect to. */
static int
session_has(GtSession *s, const char *name)
{
  static const char *const constants[] = { "pi", "e", "inf", "nan", NULL };
  for (size_t k = 0; constants[k]; k++)
    if (strcmp(name, constants[k]) == 0)
      return 0;
  for (size_t i = 0; i < gt_session_input_count(s); i++)
    if (strcmp(gt_session_input_name(s, i), name) == 0)
      return 1;
  for (size_t i = 0; i < gt_session_global_count(s); i++)
    if (strcmp(gt_session_global_name(s, i), name) == 0)
      return 1;
  return 0;
}

/* The command running: :grad, or :jacobian (the same, element by element). */
static const char *
grad_cmd(const Repl *r)
{
  return r->jacobian ? "jacobian" : "grad";
}

/* :grad EXPR wrt NAMES: d(EXPR)/d(each name), at the session's order. */
static void
print_derivs(Repl *r, GtSession *s, const char *expr, Names *wrt)
{
  const char *of = VALUE_NAME;
  const GtDeriv *ds;
  size_t nd;
  if (wrt->n == 0 && gt_session_input_count(s) == 0) {
    fprintf(stderr, "%s: :%s: say with respect to what: :%s EXPR wrt "
            "NAME[, NAME]...\n", program_name, grad_cmd(r), grad_cmd(r));
    return;
  }
  for (size_t k = 0; k < wrt->n; k++)
    if (!session_has(s, wrt->v[k])) {
      fprintf(stderr, "%s: :%s: the session has no input or variable "
              "named '%s'\n", program_name, grad_cmd(r), wrt->v[k]);
      return;
    }
  GtStatus st = gt_session_derivatives(s, &of, 1,
                                       (const char *const *)wrt->v, wrt->n,
                                       r->order, &ds, &nd);
  if (st != GT_OK)
    return;
  /* the expression's own text stands for it: "dy/dx", "d(x^2)/dx" */
  const char *e = skip_blanks(expr);
  size_t el = strlen(e);
  while (el > 0 && strchr(" \t\n;", e[el - 1]))
    el--;
  Buf label = { NULL, 0, 0 }, raw = { NULL, 0, 0 };
  buf_add(&raw, e, el);
  if (is_name(e, el))
    buf_add(&label, e, el);
  else {
    buf_adds(&label, "(");
    buf_add(&label, e, el);
    buf_adds(&label, ")");
  }
  for (size_t i = 0; i < nd; i++) {
    GtDeriv d = ds[i];
    d.of = label.s;
    Buf out = { NULL, 0, 0 };
    if (r->format == FMT_JSON) {
      buf_adds(&out, "{\"of\": ");
      json_add_string(&out, raw.s);
      buf_adds(&out, ", \"wrt\": [");
      for (int k = 0; k < d.order; k++) {
        if (k)
          buf_adds(&out, ", ");
        json_add_string(&out, d.wrt[k]);
      }
      buf_adds(&out, "], \"value\": ");
      json_add_value(&out, &d.value, r->digits);
      if (!d.connected)
        buf_adds(&out, ", \"connected\": false");
      buf_adds(&out, "}");
    } else {
      char *l = deriv_label(&d);
      char *t = fmt_value(&d.value, r->digits);
      buf_adds(&out, l);
      buf_adds(&out, " = ");
      buf_adds(&out, t);
      free(l);
      free(t);
    }
    puts(out.s);
    free(out.s);
  }
  free(label.s);
  free(raw.s);
}

/* ---- commands ------------------------------------------------------------ */

const char *const session_commands[] = {
  "help", "vars", "grad", "jacobian", "order", "prec", "digits", "format",
  "load", "reset", "quit", NULL
};

static void
help_text(const Repl *r)
{
  printf(
"Type statements of the language; a bare expression prints its value.  A\n"
"block or a bracket left open continues on the next line (prompt '...> ').\n"
"Commands:\n"
"  :help               this text\n"
"  :vars               the names bound so far, with their values and shapes\n"
"  :grad EXPR wrt NAMES  print the derivatives of EXPR with respect to the\n"
"                      comma-separated NAMES (at the order of :order)\n"
"  :jacobian EXPR wrt NAMES  the same, element by element for a tensor EXPR\n"
"                      (its Jacobian; :grad differentiates its sum)\n"
"  :order K            derivative order of :grad (now %d)\n"
"  :prec BITS          working precision in bits (runs everything again)\n"
"  :digits N           significant digits printed (0: shortest)\n"
"  :format text|json   how values and derivatives are printed\n"
"  :load FILE          run FILE and keep its names\n"
"  :reset              forget every statement and name\n"
"  :quit               leave (so does Ctrl-D on an empty line)\n"
"Tab completes names, Ctrl-C abandons the line or stops a running loop.\n",
      r->order);
}

static void
cmd_vars(Repl *r)
{
  if (r->s == NULL)
    return;
  GtSession *s = r->s;
  Buf out = { NULL, 0, 0 };
  if (r->format == FMT_JSON)
    buf_adds(&out, "{");
  int first = 1;
  for (size_t i = 0; i < gt_session_global_count(s); i++) {
    const char *name = gt_session_global_name(s, i);
    GtValue v;
    if (!is_name(name, strlen(name)) || !gt_session_global_value(s, i, &v))
      continue;
    if (r->format == FMT_JSON) {
      if (!first)
        buf_adds(&out, ", ");
      json_add_string(&out, name);
      buf_adds(&out, ": ");
      json_add_value(&out, &v, r->digits);
    } else {
      char *t = fmt_value(&v, r->digits);
      buf_adds(&out, name);
      buf_adds(&out, " = ");
      buf_adds(&out, t);
      free(t);
      if (v.rank > 0) {
        char shp[160];
        shape_text(&v, shp, sizeof shp);
        buf_adds(&out, "   # shape ");
        buf_adds(&out, shp);
      }
      buf_adds(&out, "\n");
    }
    first = 0;
  }
  for (size_t i = 0; r->format != FMT_JSON && i < gt_session_function_count(s);
       i++) {
    buf_adds(&out, "def ");
    buf_adds(&out, gt_session_function_name(s, i));
    buf_adds(&out, "\n");
  }
  if (r->format == FMT_JSON)
    buf_adds(&out, "}\n");
  if (out.s)
    fputs(out.s, stdout);
  free(out.s);
}

static void
cmd_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", program_name);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* A whole number from lo to hi in arg; -1 and a message when not. */
static long
cmd_number(const char *cmd, const char *arg, long lo, long hi)
{
  char *end;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (*arg == '\0' || *skip_blanks(end) != '\0' || errno || v < lo
      || v > hi) {
    cmd_error(":%s: expected a whole number from %ld to %ld, not '%s'", cmd,
              lo, hi, arg);
    return -1;
  }
  return v;
}

static char *
read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  Buf b = { NULL, 0, 0 };
  char chunk[4096];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_add(&b, chunk, got);
  int bad = ferror(f);
  int err = errno;
  fclose(f);
  if (bad) {
    free(b.s);
    errno = err;
    return NULL;
  }
  if (b.s == NULL)
    buf_adds(&b, "");
  *len = b.len;
  return b.s;
}

void
session_load(Repl *r, const char *path)
{
  size_t len;
  char *text = read_file(path, &len);
  if (text == NULL) {
    cmd_error("cannot read '%s': %s", path, strerror(errno));
    return;
  }
  if (memchr(text, '\0', len) != NULL)
    cmd_error("'%s' holds a NUL byte", path);
  else
    evaluate(r, text, path, 1, MODE_LOAD, NULL);
  free(text);
}

static int
is_keyword(const char *p, size_t n)
{
  static const char *const words[] = { "and", "or", "not", "if", "else",
                                       "in", "for", NULL };
  for (size_t k = 0; words[k]; k++)
    if (strlen(words[k]) == n && strncmp(p, words[k], n) == 0)
      return 1;
  return 0;
}

/* In ":grad EXPR NAMES" without "wrt", where NAMES start: a name after a
   blank, outside brackets, that follows an operand (a name, a number or a
   closing bracket) with no operator between; otherwise NULL. */
static const char *
names_without_wrt(const char *arg)
{
  int d = 0;
  const char *word = NULL; /* the name or number just before, if any */
  for (const char *p = arg; *p; p++) {
    if (*p == '(' || *p == '[')
      d++;
    else if (*p == ')' || *p == ']')
      d--;
    if (d != 0 || (*p != ' ' && *p != '\t'))
      continue;
    const char *b = p;
    while (b > arg && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
      b--;
    word = b < p ? b : NULL;
    const char *q = skip_blanks(p);
    const char *e = q;
    while (isalnum((unsigned char)*e) || *e == '_')
      e++;
    int operand = (word && !is_keyword(word, (size_t)(p - word)))
                  || (p > arg && (p[-1] == ')' || p[-1] == ']'));
    if (operand && is_name(q, (size_t)(e - q))
        && !is_keyword(q, (size_t)(e - q)))
      return q;
    p = q - 1;
  }
  return NULL;
}

/* ":grad EXPR wrt a, b": splits at the last word "wrt" outside brackets. */
static void
cmd_grad(Repl *r, const char *arg)
{
  const char *wrt = NULL;
  int d = 0;
  for (const char *p = arg; *p; p++) {
    if (*p == '(' || *p == '[')
      d++;
    else if (*p == ')' || *p == ']')
      d--;
    else if (d == 0 && word_at(p, "wrt") && p > arg
             && (p[-1] == ' ' || p[-1] == '\t'))
      wrt = p;
  }
  if (word_at(skip_blanks(arg), "wrt")) {
    cmd_error("usage: :%s EXPR wrt NAME[, NAME]...", grad_cmd(r));
    return;
  }
  const char *bare = wrt ? NULL : names_without_wrt(arg);
  if (bare) {
    cmd_error(":%s: expected 'wrt' before '%s': :%s EXPR wrt NAME[, "
              "NAME]...", grad_cmd(r), bare, grad_cmd(r));
    return;
  }
  Names names = { NULL, 0 };
  size_t elen = wrt ? (size_t)(wrt - arg) : strlen(arg);
  if (wrt) {
    const char *p = wrt + 3;
    for (;;) {
      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      if (*p == '\0')
        break;
      const char *q = p;
      while (*q && *q != ' ' && *q != '\t' && *q != ',')
        q++;
      if (!is_name(p, (size_t)(q - p))) {
        cmd_error(":%s: '%.*s' is not a name", grad_cmd(r), (int)(q - p),
                  p);
        names_free(&names);
        return;
      }
      names_add(&names, p, (size_t)(q - p));
      p = q;
    }
    if (names.n == 0) {
      cmd_error(":%s: no names after 'wrt'", grad_cmd(r));
      return;
    }
  }
  char *expr = malloc(elen + 1);
  if (expr == NULL)
    out_of_memory();
  memcpy(expr, arg, elen);
  expr[elen] = '\0';
  if (*skip_blanks(expr) == '\0')
    cmd_error("usage: :%s EXPR wrt NAME[, NAME]...", grad_cmd(r));
  else
    evaluate(r, expr, SOURCE_NAME, r->lineno, MODE_GRAD, &names);
  free(expr);
  names_free(&names);
}

static void
command(Repl *r, const char *line)
{
  const char *p = line + 1;
  const char *e = p;
  while (*e && *e != ' ' && *e != '\t')
    e++;
  size_t n = (size_t)(e - p);
  const char *arg = skip_blanks(e);
  char *a = xstrdup(arg); /* without trailing blanks */
  size_t al = strlen(a);
  while (al > 0 && (a[al - 1] == ' ' || a[al - 1] == '\t'))
    a[--al] = '\0';
  /* a unique prefix will do (:q, :v) */
  const char *cmd = NULL;
  int count = 0;
  for (size_t k = 0; session_commands[k]; k++)
    if (n > 0 && strncmp(session_commands[k], p, n) == 0) {
      if (strlen(session_commands[k]) == n) {
        cmd = session_commands[k];
        count = 1;
        break;
      }
      cmd = session_commands[k];
      count++;
    }
  if (count != 1) {
    cmd_error("%s command ':%.*s' (try :help)",
              count ? "ambiguous" : "unknown", (int)n, p);
    free(a);
    return;
  }
  if (strcmp(cmd, "help") == 0)
    help_text(r);
  else if (strcmp(cmd, "vars") == 0)
    cmd_vars(r);
  else if (strcmp(cmd, "grad") == 0 || strcmp(cmd, "jacobian") == 0) {
    r->jacobian = cmd[0] == 'j';
    cmd_grad(r, a);
    r->jacobian = 0;
  }
  else if (strcmp(cmd, "quit") == 0)
    r->done = 1;
  else if (strcmp(cmd, "reset") == 0)
    drop_text(r);
  else if (strcmp(cmd, "load") == 0) {
    if (*a == '\0')
      cmd_error("usage: :load FILE");
    else
      session_load(r, a);
  } else if (strcmp(cmd, "order") == 0) {
    long v = *a ? cmd_number(cmd, a, 1, 65535) : r->order;
    if (v > 0)
      r->order = (int)v;
    if (*a == '\0')
      printf("order %d\n", r->order);
  } else if (strcmp(cmd, "digits") == 0) {
    long v = *a ? cmd_number(cmd, a, 0, 1000000) : r->digits;
    if (v >= 0)
      r->digits = r->opt.digits = v;
    if (*a == '\0')
      printf("digits %ld%s\n", r->digits, r->digits ? "" : " (shortest)");
  } else if (strcmp(cmd, "prec") == 0) {
    long v = *a ? cmd_number(cmd, a, GT_PREC_MIN, GT_PREC_MAX) : r->opt.prec;
    if (*a == '\0')
      printf("prec %ld\n", r->opt.prec);
    else if (v > 0 && v != r->opt.prec) {
      long old = r->opt.prec;
      r->opt.prec = v;
      if (r->text.len > 0
          && evaluate(r, "", SOURCE_NAME, r->lineno, MODE_RERUN, NULL) != 0) {
        cmd_error(":prec: the session does not run at %ld bits; "
                  "precision stays %ld", v, old);
        r->opt.prec = old;
      }
    }
  } else if (strcmp(cmd, "format") == 0) {
    if (*a == '\0')
      printf("format %s\n", out_formats[r->format].name);
    else if (!format_named(a, 1, &r->format))
      cmd_error(":format: text or json, not '%s'", a);
  }
  free(a);
  fflush(stdout);
}

/* One line typed (without its newline). */
void
session_take_line(Repl *r, const char *line)
{
  r->lineno++;
  if (r->pending.len == 0) {
    const char *p = skip_blanks(line);
    if (*p == '\0' || *p == '#') {
      r->last_if = 0; /* a blank line ends an if: no else may follow */
      return;
    }
    if (*p == ':') {
      r->last_if = 0;
      command(r, p);
      return;
    }
    r->pending_line = r->lineno;
  }
  buf_adds(&r->pending, line);
  buf_adds(&r->pending, "\n");
  if (!pending_complete(r))
    return; /* a block or a bracket is still open */
  evaluate(r, r->pending.s, SOURCE_NAME, r->pending_line, MODE_ENTRY, NULL);
  session_interrupted = 0;
  r->pending.len = 0;
  r->pending.s[0] = '\0';
}

void
session_init(Repl *r, const Cli *c)
{
  memset(r, 0, sizeof *r);
  r->cli = c;
  r->opt = c->opt;
  r->opt.print = print_line;
  r->opt.print_user = NULL;
  r->digits = c->digits;
  r->opt.digits = c->digits;
  r->order = c->order;
  r->format = c->format;
}

void
session_load_text(Repl *r, const char *text, const char *file)
{
  evaluate(r, text, file, 1, MODE_LOAD, NULL);
}

int
session_open(const Repl *r)
{
  return r->pending.len > 0;
}

void
session_abandon(Repl *r)
{
  r->pending.len = 0;
  if (r->pending.s)
    r->pending.s[0] = '\0';
  r->last_if = 0;
}

void
session_end(Repl *r)
{
  if (!r->done && r->pending.len > 0)
    evaluate(r, r->pending.s, SOURCE_NAME, r->pending_line, MODE_ENTRY,
             NULL);
}

void
session_free(Repl *r)
{
  drop_text(r);
  free(r->text.s);
  free(r->pending.s);
}
