/* cli.h -- what the files of the gradtool command share.
 *
 * main.c is the entry point: it parses the options and starts the run on
 * a thread of its own; run.c reads the program and runs it once (or hands
 * it on); util.c holds the helpers all share; output.c prints a
 * run's results as text, JSON, CSV or TSV; format.c is the table of those
 * formats and the JSON writing they share; batch.c runs it over points
 * read from stdin; verify.c holds --check, --fd-check and --verified;
 * session.c is the interactive session's logic (session.h) and repl.c
 * its terminal (readline, history, completion).
 */
#ifndef GT_CLI_H
#define GT_CLI_H

#include <stdio.h>

#include "gradtool.h"

enum Format { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_TSV };

typedef struct Names {
  char **v;
  size_t n;
} Names;

/* The command line, and the program text it names. */
typedef struct Cli {
  GtOptions opt;
  Names wrt, of, at;
  Names checks;           /* NAME=EXPR */
  Names ranges;           /* NAME=LO:HI */
  int order;
  int all_orders;         /* --all-orders: orders 1 to order */
  int order_given;        /* --order was given */
  int taylor;             /* --taylor=K: K; -1 when not given */
  Names *partials;        /* --partial: each a list of names, distinct
                             as multisets */
  size_t npartials;
  long digits;
  enum Format format;
  int format_given;
  const char *expr;
  int quiet;
  int batch, skip_bad, fd_check, verified;
  int allow_unchecked;    /* --allow-unchecked */
  int interactive;        /* -i */
  unsigned long samples;  /* 0: not given */
  unsigned long long seed;
  const char *tol;        /* NULL: derived from the precision */
  /* the program */
  const char *file;
  char *text;
  size_t len;
  Names implicit;         /* names that may be implicit inputs */
  int emit;               /* --emit: a GtEmitFormat, or -1 */
  int enclose;            /* --enclose (enclose.c) */
  long enclose_digits;    /* --enclose-digits=N: N, else 0 */
} Cli;

extern const char *program_name;

_Noreturn void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void out_of_memory(void);
/* strdup, or out_of_memory() */
char *xstrdup(const char *s);
void names_add(Names *l, const char *s, size_t n);
void names_free(Names *l);
int names_has(const Names *l, const char *s);
/* s[0..n) is a name of the language */
int is_name(const char *s, size_t n);
/* index of input `name` in s, or -1 */
long input_index(GtSession *s, const char *name);

/* A session with the program loaded at precision prec and the --at
   inputs set; on failure reports, frees and returns NULL with *st set. */
GtSession *open_session(const Cli *c, long prec, GtStatus *st);
/* Prints the session's diagnostics (notes only when !quiet or st != 0)
   and drops them. */
void report(GtSession *s, int quiet, GtStatus st);
/* The derivatives the command line asks for, after a successful run. */
GtStatus derivatives(const Cli *c, GtSession *s, const GtDeriv **ds,
                     size_t *nd);

/* ---- emit.c -------------------------------------------------------------- */

/* --emit: runs s once and prints its outputs and derivatives in the
   format c->emit; returns the exit status. */
int run_emit(const Cli *c, GtSession *s);

/* ---- run.c --------------------------------------------------------------- */

/* Runs what the command line asks (after parse_options): the session,
   --check, --batch or one run; returns the exit status. */
int run_program(Cli *c, int argc, char **argv);

/* ---- repl.c -------------------------------------------------------------- */

/* The interactive session (-i, or no program and a terminal on stdin):
   argv[first], when there, is a FILE to run first.  Returns the exit
   status. */
int run_session(const Cli *c, int argc, char **argv, int first);

/* ---- output.c ------------------------------------------------------------ */

/* One printed number, or a tensor (rank > 0) whose elements are
   formatted one at a time as they are printed: a tensor of 10^7 elements
   is written without ever holding its text. */
typedef struct Cell {
  char *text;             /* a number: malloc'd; "" when unknown
                             (--verified); NULL for a tensor */
  int number;             /* finite: a JSON number, not a string */
  int shortened;          /* --verified dropped digits (a tensor: of an
                             element printed so far) */
  int unknown;            /* --verified: no digit agrees */
  /* a tensor: the session's elements (valid until its next run) */
  int rank;
  size_t dims[8];
  size_t nelem;
  mpfr_srcptr elems;
  mpfr_srcptr helems;     /* --verified: the same at higher precision */
  long digits;
} Cell;

/* A run's results, formatted: inputs, outputs, derivatives. */
typedef struct Row {
  size_t nin, nout, nder;
  const char **in_names, **out_names;
  char **der_labels;
  Cell *in, *out, *der;
  const GtDeriv *ds;      /* the derivatives (for JSON's of/wrt) */
  int *fd_digits;         /* per derivative, --fd-check: -1 not checked */
  int taylor;             /* --taylor: the entries are coefficients */
  char **notes;           /* "file:line:col: message" */
  size_t nnotes;
  int borrowed_labels;    /* der_labels belong to the caller */
} Row;

/* A growing NUL-terminated string (out of memory ends the command). */
typedef struct Buf {
  char *s;
  size_t len, cap;
} Buf;
void buf_add(Buf *b, const char *t, size_t n);
void buf_adds(Buf *b, const char *t);

char *number_text(mpfr_srcptr x, long digits);
/* "dz/dx", "d2y/dx2", "d2z/dxdy" */
char *deriv_label(const GtDeriv *d);
/* Fills row from s's last run and ds; hi (may be NULL) is the same
   program run at a higher precision, for --verified. */
void row_make(Row *row, GtSession *s, const GtDeriv *ds, size_t nd,
              long digits, GtSession *hi, const GtDeriv *hds, size_t hnd,
              int want_notes);
/* The same for --batch, which saves work at every point: labels (may be
   NULL) are ds's labels, lent to the row; an input k with echoed[k] set
   (echoed may be NULL) gets no text, which the caller sets to the field
   read. */
void row_make_lent(Row *row, GtSession *s, const GtDeriv *ds, size_t nd,
                   long digits, GtSession *hi, const GtDeriv *hds,
                   size_t hnd, int want_notes, char **labels,
                   const unsigned char *echoed);
void row_free(Row *row);
/* One CSV or TSV field: CSV quotes it when it holds a comma, a quote or a
   line break (RFC 4180). */
void csv_field(FILE *out, const char *s, char sep);
/* --taylor: relabels row's entries (k = 0..K per output) as Taylor
   coefficients, "[x^k]y", and has JSON print them as arrays. */
void row_taylor(Row *row);
/* Text, one run: "z = 16" lines.  batch: one line per point. */
void print_text(FILE *out, const Row *r, int batch);
/* JSON: one object; batch puts it on one line with the inputs. */
void print_json(FILE *out, const Row *r, long prec, int batch);
/* CSV (sep ',') or TSV (sep '\t'): header, and rows. */
void print_header(FILE *out, const Row *r, char sep);
void print_row(FILE *out, const Row *r, char sep);
/* Whether r has the same columns as the header row h. */
int row_same_columns(const Row *h, const Row *r);

/* ---- format.c ------------------------------------------------------------ */

/* One output format: how --format and :format name it, and its writers. */
typedef struct OutFormat {
  const char *name;
  char sep;               /* field separator of CSV and TSV, else 0 */
  int session;            /* the interactive session offers it */
  /* before the first row (NULL: nothing) */
  void (*header)(FILE *out, const Row *r, char sep);
  /* one run's results; batch: one --batch point */
  void (*row)(FILE *out, const Row *r, long prec, int batch, char sep);
} OutFormat;

/* Indexed by enum Format. */
extern const OutFormat out_formats[];
/* The format called name (session: only those the session offers) into
   *f; 0 when there is none. */
int format_named(const char *name, int session, enum Format *f);

/* JSON: a string with its escapes; a number (NaN and the infinities as
   strings); a value, a tensor as nested arrays.  digits as number_text. */
void json_add_string(Buf *b, const char *s);
void json_add_number(Buf *b, mpfr_srcptr x, long digits);
void json_add_value(Buf *b, const GtValue *v, long digits);
void json_put_string(FILE *out, const char *s);

/* ---- batch.c ------------------------------------------------------------- */

/* Reads the header line (before the program is loaded, so that its names
   can be implicit inputs). */
void batch_read_header(Cli *c);
int run_batch(Cli *c, GtSession *s);
/* stdin held no header line (so no points) */
int batch_empty(void);
/* --check --batch: the next point read (the header's names and the row's
   values, valid until the next call): 1, or 0 at the end, or a negative
   status after a bad row (reported).  The first call checks the header's
   names against s's inputs. */
int batch_point(const Cli *c, GtSession *s, const char *const **names,
                mpfr_srcptr **values, size_t *n);
/* The fields of the last point batch_point read, as text (valid as its
   values). */
const char *const *batch_fields(void);
/* The separator of the header, ',' or '\t'. */
char batch_sep(void);
/* Is t a JSON number (RFC 8259)? */
int json_number_syntax(const char *t);
/* The line number of the last point read. */
unsigned long batch_line(void);

/* ---- enclose.c ----------------------------------------------------------- */

/* --enclose: one run, its values and derivatives as proven intervals;
   returns the exit status. */
int run_enclose(const Cli *c, GtSession *s);
/* --batch with --enclose: a row of intervals per point read. */
int run_enclose_batch(const Cli *c, GtSession *s);
/* "[LO, HI]" (json: {"lo": LO, "hi": HI}), LO rounded down and HI up to
   digits digits (0: --digits, else the digits that show the width);
   malloc'd. */
char *interval_text(const Cli *c, mpfr_srcptr lo, mpfr_srcptr hi,
                    long digits, int json);

/* ---- verify.c ------------------------------------------------------------ */

/* --check: adds the names the checks differentiate by to c->implicit
   (a malformed check is a usage error). */
void check_implicit(Cli *c);
int run_check(Cli *c, GtSession *s);

/* --fd-check, per derivative. */
typedef struct FdResult {
  int digits;             /* the fewest agreeing digits over the elements;
                             -1: not checked */
  const char *why;        /* why not checked */
  int exact;              /* not connected: 0 exactly, nothing to check */
  int tensor;             /* the derivative is a tensor */
  size_t elements;        /* its elements */
  size_t worst;           /* flat index of the element with the fewest
                             digits, or of the one not checked */
} FdResult;
/* Checks each derivative ds[i] of s's last run into r[i]; returns how
   many agree to fewer than fd_threshold digits. */
int fd_check(const Cli *c, GtSession *s, const GtDeriv *ds, size_t nd,
             FdResult *r);
/* The "fd-check LABEL: ..." lines on out (when text), and the counts of
   derivatives with too few digits and not checked added to *bad and
   *unchecked. */
void fd_report(const Cli *c, FILE *out, const GtDeriv *ds, size_t nd,
               const FdResult *r, int text, int *bad, int *unchecked);
/* The exit status of those counts (none: there was no derivative), with
   a message on stderr prefixed by where ("" or "<stdin>:3: "). */
int fd_status(const Cli *c, int bad, int unchecked, int none,
              const char *where);
int fd_threshold(long prec);
long verified_prec(long prec);

#endif /* GT_CLI_H */
