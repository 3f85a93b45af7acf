/* main.c -- the gradtool command's entry point: the options (--help,
 * --version, the checks of their combinations) and the thread whose stack
 * fits --max-depth, on which run.c runs the program.
 *
 * Everything else (parsing, running, differentiating) is libgradtool's;
 * run.c turns the command line into session calls and the session's
 * diagnostics into an exit status.  output.c prints the results, batch.c
 * runs over points read from stdin, verify.c checks derivatives.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sf.h"

/* GMP and MPFR abort the process when an allocation fails; the command
   ends with a message and exit status 4 instead.  The library never exits,
   so it leaves GMP's memory functions to the program that links it. */
static void *
gmp_alloc(size_t n)
{
  void *p = malloc(n);
  if (p == NULL)
    out_of_memory();
  return p;
}

static void *
gmp_realloc(void *p, size_t old, size_t n)
{
  (void)old;
  void *q = realloc(p, n);
  if (q == NULL)
    out_of_memory();
  return q;
}

static void
gmp_free(void *p, size_t n)
{
  (void)n;
  free(p);
}

/* At exit, as GNU's close_stdout: output that could not be written (a
   full disk, a closed descriptor) is an error, "gradtool: write error:
   REASON" and exit status 4 whatever the status was; a reader that went
   away (EPIPE, when SIGPIPE is ignored) ends the program quietly with
   its status.  A closed standard output that nothing was written to is
   no error (EBADF from fclose alone). */
/* errno of a write that failed before the final flush (the help text is
   longer than stdio's buffer), for close_stdout's message */
static int stdout_errno;

static void
close_stdout(void)
{
  int failed = ferror(stdout) != 0;
  errno = 0;
  if (fflush(stdout) != 0)
    failed = 1;
  int err = errno ? errno : stdout_errno;
  /* An earlier failed write leaves no errno behind; a pipe or socket
     whose reader went away still says so to poll (POLLERR, POLLHUP). */
  struct pollfd p = { STDOUT_FILENO, POLLOUT, 0 };
  if (failed && err == 0 && poll(&p, 1, 0) == 1
      && (p.revents & (POLLERR | POLLHUP)) != 0)
    err = EPIPE;
  if (fclose(stdout) != 0 && errno != EBADF && !failed) {
    failed = 1;
    err = errno;
  }
  if (!failed || err == EPIPE)
    return;
  if (err != 0)
    fprintf(stderr, "%s: write error: %s\n", program_name, strerror(err));
  else
    fprintf(stderr, "%s: write error\n", program_name);
  _exit(GT_ERUNTIME);
}

static void
help(void)
{
  printf("Usage: %s [OPTION]... FILE\n"
         "  or:  %s [OPTION]... -e TEXT\n"
         "  or:  %s [OPTION]... [-i [FILE]]\n", program_name, program_name,
         program_name);
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
"                         derivative, with several each distinct K-th\n"
"                         order partial once, names in --wrt order\n"
"                         (default 1)\n"
"      --all-orders       print every order from 1 to K\n"
"      --taylor=K         the Taylor coefficients f^(k)(a)/k!, k = 0..K, of\n"
"                         each output in the one --wrt name, labelled\n"
"                         [x^k]y (JSON: an array per output)\n"
"      --partial=NAMES    one partial derivative: x,x,y is d3f/dx2dy\n"
"                         (repeatable; each distinct one printed once)\n"
"      --emit=FORMAT      print the outputs and derivatives as formulas in\n"
"                         the inputs instead of numbers: expr (the\n"
"                         language), gt (a runnable program giving the same\n"
"                         numbers), c, c-mpfr, latex or dot\n"
"      --jacobian         differentiate a tensor output element by element:\n"
"                         dy/dx has y's dims, then x's (without it a tensor\n"
"                         output is summed first)\n"
"  -a, --at=NAME=EXPR     set input NAME to the value of EXPR, an expression\n"
"                         of the language such as pi/4 (repeatable)\n"
"  -a, --at=NAME=@FILE    set input NAME to the table of numbers in FILE\n"
"                         (CSV, TSV or blank-separated; one column: a vector)\n"
"\n"
"Numbers and output:\n"
"  -p, --prec=BITS        working precision in bits, 2 to 1000000\n"
"                         (default 128)\n"
"      --digits=N         print N significant digits (default: the shortest\n"
"                         decimal that reads back to the same value)\n"
"  -f, --format=FORMAT    text (default), json, csv or tsv\n"
"  -e, --expr=TEXT        run program TEXT given on the command line\n"
"  -q, --quiet            do not print notes (such as kinks hit)\n"
"      --nan-ok           let NaN values through instead of failing\n"
"\n"
"Limits (a run that exceeds one fails with status 4):\n"
"      --max-nodes=N      recorded operations (default 50000000)\n"
"      --max-steps=N      loop iterations (default 100000000)\n"
"      --max-depth=N      nested function calls (default 10000)\n"
"      --max-elements=N   elements in one tensor (default 10000000)\n"
"\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          output version information and exit\n"
"\n"
"Many points (a header line names the inputs, CSV or TSV; one row out per\n"
"point, in the input's format unless -f is given):\n"
"      --batch            read points from standard input\n"
"      --skip-bad-rows    report a bad row or a failing point and go on\n"
"\n"
"Checking derivatives:\n"
"      --check=[OUT:]NAME=EXPR  compare d(OUT)/d(NAME) (the K-th derivative\n"
"                         with --order K; NAME,NAME for a mixed partial),\n"
"                         every element, with EXPR, written in the language\n"
"                         after the program (so it sees the program's names);\n"
"                         exit 1 on disagreement (repeatable; at the --batch\n"
"                         points with --batch)\n"
"      --range=NAME=LO:HI draw input NAME (each element) uniformly from [LO, HI]\n"
"      --samples=N        check at N points (default 100 with --range)\n"
"      --seed=S           seed of the pseudo-random points (default 1)\n"
"      --tol=T            relative tolerance (default 2^-(BITS/2))\n"
"      --fd-check         compare every derivative, element by element, with\n"
"                         finite differences at higher precision; exit 1 when\n"
"                         fewer than half the working digits agree, or when a\n"
"                         derivative could not be checked\n"
"      --allow-unchecked  a derivative --fd-check or --check could not check\n"
"                         at all does not make the exit status 1\n"
"      --verified         run again at 2*BITS+32 bits and print only the digits\n"
"                         both runs agree on ('~' marks a shortened number,\n"
"                         '?' one with no digit agreeing)\n"
"      --enclose          print values and derivatives as proven intervals\n"
"                         (Arb balls): NAME in [LO, HI]; an undecidable\n"
"                         comparison or kink is an error (exit 4); with\n"
"                         --verified, only the digits they prove; with\n"
"                         --check, PROVEN WRONG when the hand derivative's\n"
"                         interval and gradtool's are disjoint (exit 1),\n"
"                         else consistent; with --taylor, proven Taylor\n"
"                         coefficients; with --batch, a row of intervals\n"
"                         per point\n"
"      --enclose-digits=N  --enclose, doubling the precision until every\n"
"                         interval proves N significant digits (not with\n"
"                         --batch or --check)\n"
"\n"
"Interactive session (also when no FILE is given and stdin is a terminal):\n"
"  -i, --interactive      read statements and commands (:help) line by line\n"
"                         with GNU readline, after running FILE if given\n"
"\n"
"Exit status: 0 success; 1 an assert, --check or --fd-check failed; 2 usage\n"
"error (also a bad --batch row); 3 syntax or name error in the program;\n"
"4 runtime error (domain, NaN, limit) or write error.\n"
"\n"
"Examples:\n"
"  gradtool -e 'input x = 3; y = x * x; z = y * y; output z, y' --wrt x\n"
"  gradtool -e 'y = sin(x^2)' --check 'x=2*x*cos(x^2)' --range x=-3:3\n"
"  gradtool -e 'y = sin(x^2)' --wrt x --emit=expr\n"
"  (echo x; seq 0 0.5 2) | gradtool --batch -e 'y = sin(x^2)'\n"
"\n"
"A name the program reads but never binds is an input when an option names\n"
"it (--at, --wrt, --range, --check or the --batch header).\n"
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

/* Where the text of one --at holds a second assignment after a comma
   outside brackets and strings ("x=2,z=3"), the start of that "z";
   otherwise NULL.  EXPR itself never has a comma at its top level. */
static const char *
second_assignment(const char *expr)
{
  int depth = 0;
  for (const char *p = expr; *p; p++) {
    if (*p == '"') {
      while (p[1] && p[1] != '"')
        p += p[1] == '\\' && p[2] ? 2 : 1;
      if (p[1])
        p++;
    } else if (*p == '(' || *p == '[' || *p == '{')
      depth++;
    else if (*p == ')' || *p == ']' || *p == '}')
      depth--;
    else if (*p == ',' && depth == 0) {
      const char *q = p + 1;
      while (*q == ' ')
        q++;
      const char *n = q;
      while (*q && is_name(n, (size_t)(q - n) + 1))
        q++;
      const char *e = q;
      while (*e == ' ')
        e++;
      if (q > n && e[0] == '=' && e[1] != '=')
        return n;
    }
  }
  return NULL;
}

/* --at NAME=EXPR, one input per option (LANGUAGE.md, gradtool(1)):
   "x=2,z=3" is a usage error that shows the options to write. */
static void
add_at(Names *at, const char *arg)
{
  const char *eq = strchr(arg, '=');
  if (eq == NULL || !is_name(arg, (size_t)(eq - arg)))
    usage_error("--at: expected NAME=EXPR, not '%s'", arg);
  if (eq[1] == '@') {
    /* NAME=@FILE is NAME=load("FILE"), the file's table of numbers */
    if (eq[2] == '\0')
      usage_error("--at %.*s=@FILE: the file name is missing",
                  (int)(eq - arg), arg);
    Buf b = { NULL, 0, 0 };
    buf_add(&b, arg, (size_t)(eq - arg));
    buf_adds(&b, "=load(\"");
    for (const char *p = eq + 2; *p; p++) {
      if (*p == '"' || *p == '\\')
        buf_add(&b, "\\", 1);
      buf_add(&b, p, 1);
    }
    buf_adds(&b, "\")");
    names_add(at, b.s, b.len);
    free(b.s);
    return;
  }
  const char *next = second_assignment(eq + 1);
  if (next != NULL) {
    Buf b = { NULL, 0, 0 };
    const char *from = arg;
    for (; next != NULL; next = second_assignment(strchr(next, '=') + 1)) {
      const char *comma = next;
      while (comma[-1] != ',')
        comma--;
      buf_adds(&b, "--at ");
      buf_add(&b, from, (size_t)(comma - 1 - from));
      buf_adds(&b, " ");
      from = next;
    }
    buf_adds(&b, "--at ");
    buf_adds(&b, from);
    usage_error("--at sets one input: write '%s', not '--at %s'", b.s, arg);
  }
  names_add(at, arg, strlen(arg));
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

static void
print_to_stderr(void *user, const char *line)
{
  (void)user;
  fputs(line, stderr);
  fputc('\n', stderr);
}

enum {
  OPT_DIGITS = 256, OPT_NAN_OK, OPT_MAX_NODES, OPT_MAX_STEPS, OPT_MAX_DEPTH,
  OPT_MAX_ELEMENTS,
  OPT_BATCH, OPT_CHECK, OPT_FD_CHECK, OPT_VERIFIED, OPT_SAMPLES, OPT_RANGE,
  OPT_SEED, OPT_TOL, OPT_SKIP_BAD, OPT_ALL_ORDERS, OPT_ALLOW_UNCHECKED,
  OPT_TAYLOR, OPT_PARTIAL,
  OPT_EMIT, OPT_ENCLOSE, OPT_ENCLOSE_DIGITS, OPT_JACOBIAN
};

static const struct option long_options[] = {
  { "wrt", required_argument, NULL, 'w' },
  { "of", required_argument, NULL, 'o' },
  { "at", required_argument, NULL, 'a' },
  { "order", required_argument, NULL, 'k' },
  { "all-orders", no_argument, NULL, OPT_ALL_ORDERS },
  { "taylor", required_argument, NULL, OPT_TAYLOR },
  { "partial", required_argument, NULL, OPT_PARTIAL },
  { "emit", required_argument, NULL, OPT_EMIT },
  { "jacobian", no_argument, NULL, OPT_JACOBIAN },
  { "prec", required_argument, NULL, 'p' },
  { "digits", required_argument, NULL, OPT_DIGITS },
  { "format", required_argument, NULL, 'f' },
  { "expr", required_argument, NULL, 'e' },
  { "quiet", no_argument, NULL, 'q' },
  { "nan-ok", no_argument, NULL, OPT_NAN_OK },
  { "max-nodes", required_argument, NULL, OPT_MAX_NODES },
  { "max-steps", required_argument, NULL, OPT_MAX_STEPS },
  { "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
  { "max-elements", required_argument, NULL, OPT_MAX_ELEMENTS },
  { "interactive", no_argument, NULL, 'i' },
  { "batch", no_argument, NULL, OPT_BATCH },
  { "check", required_argument, NULL, OPT_CHECK },
  { "fd-check", no_argument, NULL, OPT_FD_CHECK },
  { "allow-unchecked", no_argument, NULL, OPT_ALLOW_UNCHECKED },
  { "verified", no_argument, NULL, OPT_VERIFIED },
  { "enclose", no_argument, NULL, OPT_ENCLOSE },
  { "enclose-digits", required_argument, NULL, OPT_ENCLOSE_DIGITS },
  { "samples", required_argument, NULL, OPT_SAMPLES },
  { "range", required_argument, NULL, OPT_RANGE },
  { "seed", required_argument, NULL, OPT_SEED },
  { "tol", required_argument, NULL, OPT_TOL },
  { "skip-bad-rows", no_argument, NULL, OPT_SKIP_BAD },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, 'V' },
  { NULL, 0, NULL, 0 },
};

/* Is the multiset of names a the same as b's? */
static int
same_names(const Names *a, const Names *b)
{
  if (a->n != b->n)
    return 0;
  for (size_t i = 0; i < a->n; i++) {
    size_t x = 0, y = 0;
    for (size_t j = 0; j < a->n; j++) {
      x += strcmp(a->v[j], a->v[i]) == 0;
      y += strcmp(b->v[j], a->v[i]) == 0;
    }
    if (x != y)
      return 0;
  }
  return 1;
}

/* --partial=x,x,y: one more partial, unless the same one was given */
static void
add_partial(Cli *c, const char *arg)
{
  Names l = { NULL, 0 };
  split_names(&l, arg, "--partial");
  if (l.n > 65535)
    usage_error("--partial: at most 65535 names");
  for (size_t i = 0; i < c->npartials; i++)
    if (same_names(&c->partials[i], &l)) {
      names_free(&l);
      return;
    }
  Names *v = realloc(c->partials, (c->npartials + 1) * sizeof *v);
  if (v == NULL)
    out_of_memory();
  c->partials = v;
  c->partials[c->npartials++] = l;
}

/* --taylor=K */
static int
parse_taylor(const char *arg)
{
  if (arg[0] == '-')
    usage_error("--taylor: K is the highest order, 0 or more (write "
                "--taylor=3 for the coefficients of orders 0 to 3), not "
                "'%s'", arg);
  return (int)parse_count(arg, "--taylor", 0, 65535);
}

/* --enclose and --enclose-digits=N (ch says which; optarg N) */
static void
enclose_option(Cli *c, int ch)
{
  c->enclose = 1;
  if (ch == OPT_ENCLOSE_DIGITS)
    c->enclose_digits = (long)parse_count(optarg, "--enclose-digits", 1,
                                          100000);
}

/* --enclose against the options it does not combine with */
static void
enclose_options(const Cli *c)
{
  if (!c->enclose)
    return;
  if (c->fd_check)
    usage_error("--enclose does not combine with --fd-check: finite "
                "differences estimate a derivative and prove nothing about "
                "it (--check EXPR with --enclose proves a hand-derived "
                "derivative wrong or consistent)");
  if (c->checks.n && c->tol)
    usage_error("--tol does not apply to --check with --enclose: the "
                "enclosures are compared as intervals");
  if (c->enclose_digits && (c->batch || c->checks.n))
    usage_error("--enclose-digits does not combine with %s: it would run "
                "the points again; give --prec instead",
                c->batch ? "--batch" : "--check");
  if (c->interactive)
    usage_error("--enclose does not combine with --interactive yet");
}

/* --partial and --taylor against the other options */
static void
derivative_options(const Cli *c)
{
  if (c->npartials) {
    if (c->taylor >= 0 || c->order_given || c->all_orders)
      usage_error("--partial names the derivative itself (--partial=x,x,y "
                  "is d3f/dx2dy): drop %s", c->taylor >= 0 ? "--taylor"
                  : c->order_given ? "--order" : "--all-orders");
    if (c->wrt.n)
      usage_error("--partial names the names itself: drop --wrt, or use "
                  "--wrt with --order instead of --partial");
    if (c->checks.n)
      usage_error("--partial does not combine with --check: write "
                  "--check=NAME,NAME=EXPR with --order");
  }
  if (c->taylor >= 0) {
    if (c->wrt.n != 1)
      usage_error("--taylor needs exactly one name to expand in: write "
                  "--wrt=NAME (%s)", c->wrt.n ? "one of the names given"
                                              : "no --wrt was given");
    if (c->order_given || c->all_orders)
      usage_error("--taylor=K gives orders 0 to K itself: drop %s",
                  c->order_given ? "--order" : "--all-orders");
    if (c->checks.n || c->fd_check)
      usage_error("--taylor does not combine with %s: use --order K to "
                  "check derivatives", c->checks.n ? "--check" : "--fd-check");
    if (c->opt.jacobian)
      usage_error("--taylor expands numbers, which have no Jacobian: drop "
                  "--jacobian (or use --order K with it)");
  }
}

/* --emit against the options that print numbers */
static void
emit_options(const Cli *c)
{
  if (c->emit < 0)
    return;
  const char *other = c->batch ? "--batch" : c->checks.n ? "--check"
                      : c->fd_check ? "--fd-check" : c->verified ? "--verified"
                      : c->taylor >= 0 ? "--taylor" : c->npartials ? "--partial"
                      : c->all_orders ? "--all-orders" : c->format_given
                      ? "--format" : c->interactive ? "--interactive" : NULL;
  if (other)
    usage_error("--emit writes the derivatives as text of its own; it does "
                "not combine with %s", other);
}

/* --check=[OUT:]NAME=EXPR or --range=NAME=LO:HI (ch says which). */
static void
add_check(Cli *c, int ch, const char *arg)
{
  const char *opt = ch == OPT_CHECK ? "--check" : "--range";
  const char *eq = strchr(arg, '=');
  if (eq == NULL
      || (ch == OPT_RANGE && !is_name(arg, (size_t)(eq - arg))))
    usage_error("%s: expected %s, not '%s'", opt,
                ch == OPT_CHECK ? "[OUT:]NAME=EXPR" : "NAME=LO:HI",
                arg);
  if (ch == OPT_RANGE && strchr(eq, ':') == NULL)
    usage_error("--range: expected NAME=LO:HI, not '%s'", arg);
  names_add(ch == OPT_CHECK ? &c->checks : &c->ranges, arg,
            strlen(arg));
}

/* The checking options' combinations (usage errors). */
static void
check_options(const Cli *c)
{
  if (c->checks.n == 0) {
    if (c->samples)
      usage_error("--samples goes with --check");
    if (c->ranges.n)
      usage_error("--range goes with --check");
    if (c->tol)
      usage_error("--tol goes with --check");
  } else {
    if (c->fd_check || c->verified)
      usage_error("--check does not combine with %s",
                  c->fd_check ? "--fd-check" : "--verified");
    if (c->batch && (c->ranges.n || c->samples))
      usage_error("--check --batch checks at the points read; %s does not "
                  "combine with it", c->ranges.n ? "--range" : "--samples");
    if (c->format == FMT_CSV || c->format == FMT_TSV)
      usage_error("--check reports as text or JSON");
  }
  if (c->skip_bad && !c->batch)
    usage_error("--skip-bad-rows goes with --batch");
}

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
    case 'a': add_at(&c->at, optarg); break;
    case 'k':
      c->order = (int)parse_count(optarg, "--order", 1, 65535);
      c->order_given = 1;
      break;
    case OPT_PARTIAL: add_partial(c, optarg); break;
    case OPT_TAYLOR: c->taylor = parse_taylor(optarg); break;
    case OPT_EMIT:
      c->emit = gt_emit_format(optarg);
      if (c->emit < 0)
        usage_error("--emit: unknown format '%s' (expr, gt, c, c-mpfr, "
                    "latex or dot)", optarg);
      break;
    case OPT_JACOBIAN: c->opt.jacobian = 1; break;
    case OPT_ALL_ORDERS:
      c->all_orders = 1;
      break;
    case 'p':
      c->opt.prec = (long)parse_count(optarg, "--prec", GT_PREC_MIN,
                                      GT_PREC_MAX);
      break;
    case OPT_DIGITS:
      c->digits = (long)parse_count(optarg, "--digits", 1, 1000000);
      break;
    case 'f':
      if (!format_named(optarg, 0, &c->format))
        usage_error("--format: unknown format '%s' (text, json, csv or tsv)",
                    optarg);
      c->format_given = 1;
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
    case OPT_MAX_ELEMENTS:
      c->opt.max_elems = parse_count(optarg, "--max-elements", 1,
                                     4000000000UL);
      break;
    case 'i': c->interactive = 1; break;
    case OPT_BATCH: c->batch = 1; break;
    case OPT_SKIP_BAD: c->skip_bad = 1; break;
    case OPT_FD_CHECK: c->fd_check = 1; break;
    case OPT_ALLOW_UNCHECKED: c->allow_unchecked = 1; break;
    case OPT_VERIFIED: c->verified = 1; break;
    case OPT_ENCLOSE:
    case OPT_ENCLOSE_DIGITS: enclose_option(c, ch); break;
    case OPT_CHECK:
    case OPT_RANGE: add_check(c, ch, optarg); break;
    case OPT_SAMPLES:
      c->samples = parse_count(optarg, "--samples", 1, 100000000UL);
      break;
    case OPT_SEED:
      c->seed = parse_count(optarg, "--seed", 0, ULONG_MAX);
      break;
    case OPT_TOL:
      c->tol = optarg;
      break;
    case 'h':
      help();
      stdout_errno = ferror(stdout) ? errno : 0;
      exit(0);
    case 'V':
      version();
      stdout_errno = ferror(stdout) ? errno : 0;
      exit(0);
    case ':':
      usage_error("option '%s' requires an argument", argv[optind - 1]);
    default:
      if (optopt)
        usage_error("invalid option -- '%c'", optopt);
      usage_error("unrecognized option '%s'", argv[optind - 1]);
    }
  }
  check_options(c);
  enclose_options(c);
  derivative_options(c);
  emit_options(c);
}

typedef struct Job {
  Cli *c;
  int argc;
  char **argv;
  int status;
} Job;

static void *
run_job(void *arg)
{
  Job *j = arg;
  j->status = run_program(j->c, j->argc, j->argv);
  /* MPFR's constant caches and number pools are per thread: free them
     before the thread ends, or they leak (MPFR manual, mpfr_free_cache);
     so are Arb's and FLINT's, which the special functions use (sf.h). */
  mpfr_free_cache();
  gt_sf_thread_done();
  return NULL;
}

int
main(int argc, char **argv)
{
  mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
  atexit(close_stdout);
  Cli c;
  memset(&c, 0, sizeof c);
  gt_options_init(&c.opt);
  c.order = 1;
  c.taylor = -1;
  c.emit = -1;
  c.seed = 1;
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
    return run_program(&c, argc, argv);
  }
  pthread_join(th, NULL);
  pthread_attr_destroy(&attr);
  return job.status;
}
