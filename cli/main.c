/* main.c -- the gradtool command: options, output formats, exit statuses.
 *
 * Everything else (parsing, running, differentiating) is libgradtool's;
 * this file turns the command line into session calls and the session's
 * results and diagnostics into text, JSON and an exit status.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gradtool.h"

enum Format { FMT_TEXT, FMT_JSON };

typedef struct Names {
  char **v;
  size_t n;
} Names;

typedef struct Cli {
  GtOptions opt;
  Names wrt, of, at;
  int order;
  long digits;
  enum Format format;
  const char *expr;
  int quiet;
} Cli;

static const char *program_name = "gradtool";

static _Noreturn void
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void
usage_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", program_name);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry '%s --help' for more information.\n", program_name);
  exit(GT_EUSAGE);
}

static _Noreturn void
out_of_memory(void)
{
  fprintf(stderr, "%s: out of memory\n", program_name);
  exit(GT_ERUNTIME);
}

static void
help(void)
{
  printf("Usage: %s [OPTION]... FILE\n"
         "  or:  %s [OPTION]... -e TEXT\n", program_name, program_name);
  fputs(
"Run a .gt program at MPFR precision, recording every operation, and print\n"
"its outputs with their derivatives.  With FILE '-' (or no FILE and stdin\n"
"not a terminal) the program is read from standard input.\n"
"\n"
"Differentiation:\n"
"  -w, --wrt=NAMES        differentiate with respect to these comma-separated\n"
"                         names: inputs or top-level variables (default:\n"
"                         every input)\n"
"  -o, --of=NAMES         the outputs to differentiate (default: all)\n"
"  -k, --order=K          derivative order: with one name the K-th\n"
"                         derivative, with several all K-th order partials\n"
"                         (default 1)\n"
"  -a, --at=NAME=EXPR     set input NAME to the value of EXPR, an expression\n"
"                         of the language such as pi/4 (repeatable)\n"
"\n"
"Numbers and output:\n"
"  -p, --prec=BITS        working precision in bits, 2 to 1000000\n"
"                         (default 128)\n"
"      --digits=N         print N significant digits (default: the shortest\n"
"                         decimal that reads back to the same value)\n"
"  -f, --format=FORMAT    text (default) or json\n"
"  -e, --expr=TEXT        run program TEXT given on the command line\n"
"  -q, --quiet            do not print notes (such as kinks hit)\n"
"      --nan-ok           let NaN values through instead of failing\n"
"\n"
"Limits (a run that exceeds one fails with status 4):\n"
"      --max-nodes=N      recorded operations (default 50000000)\n"
"      --max-steps=N      loop iterations (default 100000000)\n"
"      --max-depth=N      nested function calls (default 10000)\n"
"\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          output version information and exit\n"
"\n"
"Not yet implemented in this version: --format=csv|tsv, --batch, --check,\n"
"--fd-check, --verified, and the interactive session (-i).\n"
"\n"
"Exit status: 0 success; 1 an assert failed; 2 usage error; 3 syntax or\n"
"name error in the program; 4 runtime error (domain, NaN, limit).\n"
"\n"
"Example:\n"
"  gradtool -e 'input x = 3; y = x * x; z = y * y; output z, y' --wrt x\n"
"\n"
"The language is described in gradtool(5), the command in gradtool(1).\n",
      stdout);
}

static void
version(void)
{
  printf("gradtool (gradtool) %s\n"
         "Built with GNU MPFR %s.\n"
         "This is free software: you are free to change and redistribute "
         "it.\n", gt_version(), mpfr_get_version());
}

static void
names_add(Names *l, const char *s, size_t n)
{
  char **v = realloc(l->v, (l->n + 1) * sizeof *v);
  if (v == NULL)
    out_of_memory();
  l->v = v;
  char *c = malloc(n + 1);
  if (c == NULL)
    out_of_memory();
  memcpy(c, s, n);
  c[n] = '\0';
  l->v[l->n++] = c;
}

static void
names_free(Names *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
}

static int
is_name(const char *s, size_t n)
{
  if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')
                  || s[0] == '_'))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
          || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      return 0;
  return 1;
}

/* "a, b,c" -> names, each checked */
static void
split_names(Names *l, const char *arg, const char *opt)
{
  const char *p = arg;
  for (;;) {
    while (*p == ' ')
      p++;
    const char *q = p;
    while (*q && *q != ',' && *q != ' ')
      q++;
    const char *end = q;
    while (*q == ' ')
      q++;
    if (!is_name(p, (size_t)(end - p)))
      usage_error("%s: '%s' is not a list of names", opt, arg);
    names_add(l, p, (size_t)(end - p));
    if (*q == '\0')
      break;
    if (*q != ',')
      usage_error("%s: '%s' is not a list of names", opt, arg);
    p = q + 1;
  }
}

static unsigned long
parse_count(const char *arg, const char *opt, unsigned long lo,
            unsigned long hi)
{
  char *end;
  errno = 0;
  if (arg[0] == '-' || arg[0] == '\0')
    usage_error("%s: invalid number '%s'", opt, arg);
  unsigned long v = strtoul(arg, &end, 10);
  if (*end != '\0' || errno == ERANGE || v < lo || v > hi) {
    if (*end == '\0' && (errno == ERANGE || v < lo || v > hi))
      usage_error("%s: '%s' is out of range (%lu to %lu)", opt, arg, lo, hi);
    usage_error("%s: invalid number '%s'", opt, arg);
  }
  return v;
}

static char *
read_stream(FILE *f, size_t *len)
{
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL)
    out_of_memory();
  for (;;) {
    if (n == cap) {
      if (cap > ((size_t)1 << 31))
        break;
      cap *= 2;
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
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

static void
print_to_stderr(void *user, const char *line)
{
  (void)user;
  fputs(line, stderr);
  fputc('\n', stderr);
}

/* Prints the session's diagnostics; returns how many there were. */
static void
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

static char *
number(mpfr_srcptr x, long digits)
{
  char *t = gt_format_number(x, digits);
  if (t == NULL)
    out_of_memory();
  return t;
}

/* a JSON number, or a string for NaN and the infinities */
static void
json_number(FILE *out, mpfr_srcptr x, long digits)
{
  char *t = number(x, digits);
  if (mpfr_number_p(x))
    fputs(t, out);
  else
    fprintf(out, "\"%s\"", t);
  free(t);
}

static void
json_string(FILE *out, const char *s)
{
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", out);
    else if (c == '\t')
      fputs("\\t", out);
    else if (c < 0x20)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

/* "dz/dx", "d2y/dx2", "d3z/dx2dy": repeated names in a row are powers */
static void
deriv_label(FILE *out, const GtDeriv *d)
{
  if (d->order > 1)
    fprintf(out, "d%d%s/", d->order, d->of);
  else
    fprintf(out, "d%s/", d->of);
  for (int i = 0; i < d->order;) {
    int j = i;
    while (j < d->order && strcmp(d->wrt[j], d->wrt[i]) == 0)
      j++;
    if (j - i > 1)
      fprintf(out, "d%s%d", d->wrt[i], j - i);
    else
      fprintf(out, "d%s", d->wrt[i]);
    i = j;
  }
}

static char *
value_text(const GtValue *v, long digits)
{
  char *t = gt_format_value(v, digits);
  if (t == NULL)
    out_of_memory();
  return t;
}

static void
print_text(GtSession *s, const GtDeriv *ds, size_t nd, long digits)
{
  for (size_t i = 0; i < gt_session_output_count(s); i++) {
    GtValue v = gt_session_output_value(s, i);
    char *t = value_text(&v, digits);
    printf("%s = %s\n", gt_session_output_name(s, i), t);
    free(t);
  }
  for (size_t i = 0; i < nd; i++) {
    deriv_label(stdout, &ds[i]);
    char *t = value_text(&ds[i].value, digits);
    printf(" = %s\n", t);
    free(t);
  }
}

/* a tensor as nested JSON arrays, row-major */
static void
json_dims(FILE *out, const GtValue *v, int d, size_t *k, long digits)
{
  if (d == v->rank) {
    json_number(out, &v->elems[(*k)++], digits);
    return;
  }
  fputc('[', out);
  for (size_t j = 0; j < v->dims[d]; j++) {
    if (j)
      fputs(", ", out);
    json_dims(out, v, d + 1, k, digits);
  }
  fputc(']', out);
}

static void
json_value(FILE *out, const GtValue *v, long digits)
{
  size_t k = 0;
  json_dims(out, v, 0, &k, digits);
}

static void
print_json(GtSession *s, const GtDeriv *ds, size_t nd, long digits,
           long prec, char **notes, size_t nnotes)
{
  printf("{\"precision\": %ld,\n \"values\": {", prec);
  for (size_t i = 0; i < gt_session_output_count(s); i++) {
    GtValue v = gt_session_output_value(s, i);
    if (i)
      fputs(", ", stdout);
    json_string(stdout, gt_session_output_name(s, i));
    fputs(": ", stdout);
    json_value(stdout, &v, digits);
  }
  fputs("},\n \"derivatives\": [", stdout);
  for (size_t i = 0; i < nd; i++) {
    fputs(i ? ",\n   {\"of\": " : "\n   {\"of\": ", stdout);
    json_string(stdout, ds[i].of);
    fputs(", \"wrt\": [", stdout);
    for (int k = 0; k < ds[i].order; k++) {
      if (k)
        fputs(", ", stdout);
      json_string(stdout, ds[i].wrt[k]);
    }
    fputs("], \"value\": ", stdout);
    json_value(stdout, &ds[i].value, digits);
    if (!ds[i].connected)
      fputs(", \"connected\": false", stdout);
    fputc('}', stdout);
  }
  fputc(']', stdout);
  if (nnotes) {
    fputs(",\n \"notes\": [", stdout);
    for (size_t i = 0; i < nnotes; i++) {
      if (i)
        fputs(", ", stdout);
      json_string(stdout, notes[i]);
    }
    fputc(']', stdout);
  }
  fputs("}\n", stdout);
}

/* "file:line:col: message" for each note, for JSON */
static char **
collect_notes(GtSession *s, size_t *n)
{
  size_t cnt = gt_session_diag_count(s), k = 0;
  char **v = malloc((cnt + 1) * sizeof *v);
  if (v == NULL)
    out_of_memory();
  for (size_t i = 0; i < cnt; i++) {
    const GtDiag *d = gt_session_diag(s, i);
    if (d->severity != GT_SEV_NOTE)
      continue;
    size_t len = strlen(d->message) + (d->file ? strlen(d->file) : 0) + 64;
    v[k] = malloc(len);
    if (v[k] == NULL)
      out_of_memory();
    if (d->file)
      snprintf(v[k], len, "%s:%u:%u: %s", d->file, d->line, d->col,
               d->message);
    else
      snprintf(v[k], len, "%s", d->message);
    k++;
  }
  *n = k;
  return v;
}

enum {
  OPT_DIGITS = 256, OPT_NAN_OK, OPT_MAX_NODES, OPT_MAX_STEPS, OPT_MAX_DEPTH,
  OPT_BATCH, OPT_CHECK, OPT_FD_CHECK, OPT_VERIFIED, OPT_SAMPLES, OPT_RANGE,
  OPT_SEED, OPT_TOL, OPT_SKIP_BAD
};

static const struct option long_options[] = {
  { "wrt", required_argument, NULL, 'w' },
  { "of", required_argument, NULL, 'o' },
  { "at", required_argument, NULL, 'a' },
  { "order", required_argument, NULL, 'k' },
  { "prec", required_argument, NULL, 'p' },
  { "digits", required_argument, NULL, OPT_DIGITS },
  { "format", required_argument, NULL, 'f' },
  { "expr", required_argument, NULL, 'e' },
  { "quiet", no_argument, NULL, 'q' },
  { "nan-ok", no_argument, NULL, OPT_NAN_OK },
  { "max-nodes", required_argument, NULL, OPT_MAX_NODES },
  { "max-steps", required_argument, NULL, OPT_MAX_STEPS },
  { "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
  { "interactive", no_argument, NULL, 'i' },
  { "batch", no_argument, NULL, OPT_BATCH },
  { "check", required_argument, NULL, OPT_CHECK },
  { "fd-check", no_argument, NULL, OPT_FD_CHECK },
  { "verified", no_argument, NULL, OPT_VERIFIED },
  { "samples", required_argument, NULL, OPT_SAMPLES },
  { "range", required_argument, NULL, OPT_RANGE },
  { "seed", required_argument, NULL, OPT_SEED },
  { "tol", required_argument, NULL, OPT_TOL },
  { "skip-bad-rows", no_argument, NULL, OPT_SKIP_BAD },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, 'V' },
  { NULL, 0, NULL, 0 },
};

static void
parse_options(Cli *c, int argc, char **argv)
{
  int ch;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, ":w:o:a:k:p:f:e:qihV", long_options,
                           NULL)) != -1) {
    switch (ch) {
    case 'w': split_names(&c->wrt, optarg, "--wrt"); break;
    case 'o': split_names(&c->of, optarg, "--of"); break;
    case 'a': {
      const char *eq = strchr(optarg, '=');
      if (eq == NULL || !is_name(optarg, (size_t)(eq - optarg)))
        usage_error("--at: expected NAME=EXPR, not '%s'", optarg);
      names_add(&c->at, optarg, strlen(optarg));
      break;
    }
    case 'k':
      c->order = (int)parse_count(optarg, "--order", 1, 65535);
      break;
    case 'p':
      c->opt.prec = (long)parse_count(optarg, "--prec", GT_PREC_MIN,
                                      GT_PREC_MAX);
      break;
    case OPT_DIGITS:
      c->digits = (long)parse_count(optarg, "--digits", 1, 1000000);
      break;
    case 'f':
      if (strcmp(optarg, "text") == 0)
        c->format = FMT_TEXT;
      else if (strcmp(optarg, "json") == 0)
        c->format = FMT_JSON;
      else if (strcmp(optarg, "csv") == 0 || strcmp(optarg, "tsv") == 0)
        usage_error("--format=%s is not implemented in this version", optarg);
      else
        usage_error("--format: unknown format '%s' (text or json)", optarg);
      break;
    case 'e':
      c->expr = optarg;
      break;
    case 'q': c->quiet = 1; break;
    case OPT_NAN_OK: c->opt.nan_ok = 1; break;
    case OPT_MAX_NODES:
      c->opt.max_nodes = parse_count(optarg, "--max-nodes", 1, 2000000000UL);
      break;
    case OPT_MAX_STEPS:
      c->opt.max_steps = parse_count(optarg, "--max-steps", 1, ULONG_MAX);
      break;
    case OPT_MAX_DEPTH:
      c->opt.max_depth = parse_count(optarg, "--max-depth", 1, 1000000UL);
      break;
    case 'i':
      usage_error("the interactive session is not implemented in this "
                  "version");
    case OPT_BATCH: case OPT_CHECK: case OPT_FD_CHECK: case OPT_VERIFIED:
    case OPT_SAMPLES: case OPT_RANGE: case OPT_SEED: case OPT_TOL:
    case OPT_SKIP_BAD:
      usage_error("%s is not implemented in this version", argv[optind - 1]);
    case 'h':
      help();
      exit(0);
    case 'V':
      version();
      exit(0);
    case ':':
      usage_error("option '%s' requires an argument", argv[optind - 1]);
    default:
      if (optopt)
        usage_error("invalid option -- '%c'", optopt);
      usage_error("unrecognized option '%s'", argv[optind - 1]);
    }
  }
}

typedef struct Job {
  Cli *c;
  int argc;
  char **argv;
  int status;
} Job;

static int run(Cli *c, int argc, char **argv);

static void *
run_job(void *arg)
{
  Job *j = arg;
  j->status = run(j->c, j->argc, j->argv);
  /* MPFR's constant caches and number pools are per thread: free them
     before the thread ends, or they leak (MPFR manual, mpfr_free_cache). */
  mpfr_free_cache();
  return NULL;
}

int
main(int argc, char **argv)
{
  Cli c;
  memset(&c, 0, sizeof c);
  gt_options_init(&c.opt);
  c.order = 1;
  parse_options(&c, argc, argv);
  c.opt.print = print_to_stderr;
  c.opt.digits = c.digits;

  /* The interpreter recurses on the C stack once per call of the
     program's functions, so the work runs on a thread whose stack fits
     --max-depth; the library stops cleanly before using it all. */
  size_t stack = ((size_t)16 << 20) + (size_t)c.opt.max_depth * 4096;
  c.opt.max_stack = stack - ((size_t)4 << 20);
  Job job = { &c, argc, argv, GT_ERUNTIME };
  pthread_attr_t attr;
  pthread_t th;
  if (pthread_attr_init(&attr) != 0
      || pthread_attr_setstacksize(&attr, stack) != 0
      || pthread_create(&th, &attr, run_job, &job) != 0) {
    /* no thread: run here with the process's own stack */
    c.opt.max_stack = 0;
    return run(&c, argc, argv);
  }
  pthread_join(th, NULL);
  pthread_attr_destroy(&attr);
  return job.status;
}

static int
run(Cli *cp, int argc, char **argv)
{
  Cli c = *cp;

  /* the program: -e TEXT, FILE, '-' or a non-terminal stdin */
  const char *file = NULL;
  char *text;
  size_t len;
  if (c.expr != NULL) {
    if (optind < argc)
      usage_error("both -e and a program file '%s' given", argv[optind]);
    file = "<command-line>";
    len = strlen(c.expr);
    text = malloc(len + 1);
    if (text == NULL)
      out_of_memory();
    memcpy(text, c.expr, len + 1);
  } else {
    if (optind + 1 < argc)
      usage_error("extra operand '%s'", argv[optind + 1]);
    const char *path = optind < argc ? argv[optind] : NULL;
    if (path == NULL && isatty(STDIN_FILENO))
      usage_error("no program given (the interactive session is not "
                  "implemented in this version)");
    if (path == NULL || strcmp(path, "-") == 0) {
      file = "<stdin>";
      text = read_stream(stdin, &len);
      if (text == NULL) {
        fprintf(stderr, "%s: error reading standard input: %s\n",
                program_name, strerror(errno));
        return GT_EUSAGE;
      }
    } else {
      file = path;
      FILE *f = fopen(path, "rb");
      if (f == NULL) {
        fprintf(stderr, "%s: cannot open '%s': %s\n", program_name, path,
                strerror(errno));
        return GT_EUSAGE;
      }
      text = read_stream(f, &len);
      int err = errno;
      fclose(f);
      if (text == NULL) {
        fprintf(stderr, "%s: cannot read '%s': %s\n", program_name, path,
                strerror(err));
        return GT_EUSAGE;
      }
    }
  }

  GtSession *s = gt_session_new(&c.opt);
  if (s == NULL)
    out_of_memory();
  GtStatus st = gt_session_load(s, file, text, len);
  free(text);
  for (size_t i = 0; i < c.at.n && st == GT_OK; i++) {
    char *eq = strchr(c.at.v[i], '=');
    *eq = '\0';
    st = gt_session_set_input(s, c.at.v[i], eq + 1);
    *eq = '=';
  }
  if (st == GT_OK)
    st = gt_session_run(s);
  const GtDeriv *ds = NULL;
  size_t nd = 0;
  if (st == GT_OK && gt_session_output_count(s) > 0
      && (c.wrt.n > 0 || gt_session_input_count(s) > 0))
    st = gt_session_derivatives(s, (const char *const *)c.of.v, c.of.n,
                                (const char *const *)c.wrt.v, c.wrt.n,
                                c.order, &ds, &nd);
  if (st != GT_OK) {
    report(s, c.quiet, st);
    gt_session_free(s);
    names_free(&c.wrt);
    names_free(&c.of);
    names_free(&c.at);
    return (int)st;
  }
  size_t nnotes = 0;
  char **notes = c.format == FMT_JSON ? collect_notes(s, &nnotes) : NULL;
  report(s, c.quiet, st);
  if (c.format == FMT_JSON)
    print_json(s, ds, nd, c.digits, c.opt.prec, notes, nnotes);
  else
    print_text(s, ds, nd, c.digits);
  for (size_t i = 0; i < nnotes; i++)
    free(notes[i]);
  free(notes);
  gt_session_free(s);
  names_free(&c.wrt);
  names_free(&c.of);
  names_free(&c.at);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (errno == EPIPE)
      return 0;
    fprintf(stderr, "%s: write error: %s\n", program_name, strerror(errno));
    return GT_ERUNTIME;
  }
  return 0;
}
