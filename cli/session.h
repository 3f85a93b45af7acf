/* session.h -- the interactive session's logic, without a terminal.
 *
 * session.c keeps the statements accepted so far and runs each complete
 * entry; repl.c is the terminal around it (GNU readline, history,
 * completion, Ctrl-C) or the plain loop over lines from a pipe.
 */
#ifndef GT_SESSION_H
#define GT_SESSION_H

#include <signal.h>

#include "cli.h"

#define SOURCE_NAME "<input>"

/* One accepted piece of the session's text. */
typedef struct Chunk {
  char *file;             /* "<input>" or a file name */
  unsigned first;         /* its first line in the session's text */
  unsigned nlines;
  unsigned origin;        /* the line number its first line has in file */
  size_t off;             /* its byte offset in the session's text */
  int is_if;              /* an if statement (an else may join it) */
} Chunk;

typedef struct Repl {
  const Cli *cli;
  GtOptions opt;
  long digits;
  int order;
  int jacobian;           /* the :grad running is a :jacobian */
  enum Format format;     /* :format: text or json */
  Buf text;               /* the accepted statements */
  unsigned text_lines;
  Chunk *chunks;
  size_t nchunks;
  GtSession *s;           /* the last successful run (NULL: none) */
  char **shown;           /* warnings and notes already printed */
  size_t nshown;
  Buf pending;            /* an input still open (a block, a bracket) */
  unsigned pending_line;  /* its first line's number */
  unsigned lineno;        /* lines typed so far */
  int last_if;            /* the last input was an if statement */
  int tty;
  int done;
  char *hist_path;        /* NULL: history is not saved */
  int hist_warned;
} Repl;

/* Ctrl-C: set by the terminal's signal handler, seen by a running
   program (GtOptions.interrupt); the session clears it after an entry. */
extern volatile sig_atomic_t session_interrupted;
/* The commands, without their ':', NULL-terminated (for completion). */
extern const char *const session_commands[];

/* A session with the options of c; nothing run yet. */
void session_init(Repl *r, const Cli *c);
/* Runs a file (-i FILE, :load) or a text (-e) and keeps its names. */
void session_load(Repl *r, const char *path);
void session_load_text(Repl *r, const char *text, const char *file);
/* One line typed, without its newline: a command, or part of an entry
   that runs once it is complete. */
void session_take_line(Repl *r, const char *line);
/* An entry still open: more lines are due (the prompt says so). */
int session_open(const Repl *r);
/* Ctrl-C: forgets the open entry. */
void session_abandon(Repl *r);
/* The end of the input: an entry left open runs, so that the parser
   says what is missing. */
void session_end(Repl *r);
void session_free(Repl *r);

/* After blanks, newlines and ';'. */
const char *skip_blanks(const char *p);
/* Whether p starts with the word w. */
int word_at(const char *p, const char *w);

#endif
