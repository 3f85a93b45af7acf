/* repl.c -- the interactive session's terminal: GNU readline, history,
 * completion, Ctrl-C; the session itself is session.c.
 *
 * Readline runs through its callback interface: a poll() loop waits on
 * the terminal and on a pipe that the SIGINT handler writes to, so Ctrl-C
 * abandons the line being edited wherever the signal lands (the program
 * runs on a thread of its own), and stops a running program through
 * GtOptions.interrupt.  Without a terminal (-i with a pipe) lines are read
 * plainly, with no prompt and no history.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "session.h"

#define PROMPT "gt> "
#define PROMPT_MORE "...> "
#define HISTORY_MAX 1000

static Repl *cur;                         /* for readline's callbacks */
static int sigpipe_fd[2] = { -1, -1 };
static volatile sig_atomic_t resized;

/* ---- completion ---------------------------------------------------------- */

static const char *const keywords[] = {
  "if", "elif", "else", "for", "in", "while", "break", "continue", "def",
  "return", "input", "output", "assert", "print", "and", "or", "not",
  "pi", "e", "inf", "nan", NULL
};

static char **cands;
static size_t ncands, cand_next;

static void
cand_add(const char *s, const char *suffix)
{
  char **v = realloc(cands, (ncands + 1) * sizeof *v);
  if (v == NULL)
    return;
  cands = v;
  size_t n = strlen(s), m = strlen(suffix);
  char *c = malloc(n + m + 1);
  if (c == NULL)
    return;
  memcpy(c, s, n);
  memcpy(c + n, suffix, m + 1);
  /* a name bound and also built in is offered once */
  for (size_t i = 0; i < ncands; i++)
    if (strcmp(cands[i], c) == 0) {
      free(c);
      return;
    }
  cands[ncands++] = c;
}

static void
cands_free(void)
{
  for (size_t i = 0; i < ncands; i++)
    free(cands[i]);
  free(cands);
  cands = NULL;
  ncands = cand_next = 0;
}

static char *
generator(const char *text, int state)
{
  if (state == 0)
    cand_next = 0;
  size_t n = strlen(text);
  while (cand_next < ncands) {
    const char *c = cands[cand_next++];
    if (strncmp(c, text, n) == 0) {
      char *m = strdup(c);
      return m;
    }
  }
  return NULL;
}

static int
is_load_line(const char *line)
{
  const char *p = skip_blanks(line);
  return strncmp(p, ":load", 5) == 0 && (p[5] == ' ' || p[5] == '\t');
}

/* After ":load " a word is a path: only blanks separate words there, so
   "dir/sub/fi" and "~/x" complete as a whole (issue 10 item 14). */
static char *
word_breaks(void)
{
  static char path_breaks[] = " \t\n";
  return is_load_line(rl_line_buffer) ? path_breaks : NULL;
}

static char **
complete(const char *text, int start, int end)
{
  (void)end;
  rl_attempted_completion_over = 1;
  cands_free();
  const char *line = rl_line_buffer;
  const char *p = skip_blanks(line);
  if (*p == ':' && strncmp(p, ":load", 5) == 0 && p + 5 - line <= start) {
    rl_attempted_completion_over = 0; /* file names */
    return NULL;
  }
  if (*p == ':' && start == (int)(p - line) + 1) {
    for (size_t k = 0; session_commands[k]; k++)
      cand_add(session_commands[k], "");
  } else {
    for (size_t k = 0; keywords[k]; k++)
      cand_add(keywords[k], "");
    /* the library's own list, so that completion cannot drift */
    for (size_t k = 0; gt_builtin_name(k) != NULL; k++)
      cand_add(gt_builtin_name(k), "(");
    cand_add("range", "(");
    if (cur && cur->s) {
      for (size_t i = 0; i < gt_session_global_count(cur->s); i++) {
        const char *nm = gt_session_global_name(cur->s, i);
        if (is_name(nm, strlen(nm)))
          cand_add(nm, "");
      }
      for (size_t i = 0; i < gt_session_function_count(cur->s); i++)
        cand_add(gt_session_function_name(cur->s, i), "(");
    }
    if (*p == ':' && strncmp(p, ":grad", 5) == 0)
      cand_add("wrt", "");
  }
  char **m = rl_completion_matches(text, generator);
  /* "sigmoid(" needs no space after it */
  if (m && m[0] && m[1] == NULL && m[0][0]
      && m[0][strlen(m[0]) - 1] == '(')
    rl_completion_append_character = '\0';
  return m;
}

/* ---- history ------------------------------------------------------------- */

static void
hist_warn(Repl *r, const char *what)
{
  if (!r->hist_warned)
    fprintf(stderr, "%s: warning: %s history file '%s': %s\n", program_name,
            what, r->hist_path, strerror(errno));
  r->hist_warned = 1;
}

/* mkdir -p of path's directory */
static int
make_dirs(char *path)
{
  for (char *p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    int rc = mkdir(path, 0700);
    int err = errno;
    *p = '/';
    if (rc != 0 && err != EEXIST) {
      errno = err;
      return -1;
    }
  }
  return 0;
}

static void
hist_open(Repl *r)
{
  const char *state = getenv("XDG_STATE_HOME");
  const char *home = getenv("HOME");
  Buf b = { NULL, 0, 0 };
  if (state && state[0] == '/') /* a relative one is invalid (XDG spec) */
    buf_adds(&b, state);
  else if (home && home[0]) {
    buf_adds(&b, home);
    buf_adds(&b, "/.local/state");
  } else
    return;
  buf_adds(&b, "/gradtool/history");
  r->hist_path = b.s;
  stifle_history(HISTORY_MAX);
  int fd = -1;
  if (make_dirs(r->hist_path) == 0)
    fd = open(r->hist_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) {
    hist_warn(r, "cannot write the");
    free(r->hist_path);
    r->hist_path = NULL;
    return;
  }
  close(fd);
  read_history(r->hist_path);
}

static void
hist_add(Repl *r, const char *line)
{
  if (*skip_blanks(line) == '\0')
    return;
  HIST_ENTRY *last = history_length > 0
                         ? history_get(history_base + history_length - 1)
                         : NULL;
  if (last && strcmp(last->line, line) == 0)
    return;
  add_history(line);
  if (r->hist_path && append_history(1, r->hist_path) != 0) {
    errno = errno ? errno : EIO;
    hist_warn(r, "cannot write the");
  }
}

static void
hist_close(Repl *r)
{
  if (r->hist_path)
    history_truncate_file(r->hist_path, HISTORY_MAX);
  free(r->hist_path);
  r->hist_path = NULL;
}

/* ---- the terminal loop --------------------------------------------------- */

static void
on_signal(int sig)
{
  int err = errno;
  if (sig == SIGINT)
    session_interrupted = 1;
  else
    resized = 1;
  if (sigpipe_fd[1] >= 0) {
    ssize_t w = write(sigpipe_fd[1], "", 1);
    (void)w;
  }
  errno = err;
}

static void
drain_signals(void)
{
  char junk[64];
  while (read(sigpipe_fd[0], junk, sizeof junk) > 0)
    ;
}

static void
on_line(char *line)
{
  Repl *r = cur;
  if (line == NULL) { /* Ctrl-D on an empty line */
    fputc('\n', stdout);
    r->done = 1;
  } else {
    hist_add(r, line);
    session_take_line(r, line);
    free(line);
    drain_signals();
    session_interrupted = 0;
  }
  if (r->done)
    rl_callback_handler_remove(); /* no prompt after the last line */
  else
    rl_set_prompt(session_open(r) ? PROMPT_MORE : PROMPT);
}

static int
loop_tty(Repl *r)
{
  if (pipe(sigpipe_fd) != 0) {
    fprintf(stderr, "%s: cannot create a pipe: %s\n", program_name,
            strerror(errno));
    return GT_ERUNTIME;
  }
  for (int k = 0; k < 2; k++) {
    fcntl(sigpipe_fd[k], F_SETFL, fcntl(sigpipe_fd[k], F_GETFL) | O_NONBLOCK);
    fcntl(sigpipe_fd[k], F_SETFD, FD_CLOEXEC);
  }
  struct sigaction sa, old_int, old_winch;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: poll() returns at once */
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGWINCH, &sa, &old_winch);
  rl_readline_name = "gradtool";
  rl_catch_signals = 0;
  rl_catch_sigwinch = 0;
  rl_attempted_completion_function = complete;
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(,[]+-*/%^!:)}";
  rl_completion_word_break_hook = word_breaks;
  hist_open(r);
  rl_callback_handler_install(PROMPT, on_line);
  while (!r->done) {
    struct pollfd pf[2] = { { STDIN_FILENO, POLLIN, 0 },
                            { sigpipe_fd[0], POLLIN, 0 } };
    int n = poll(pf, 2, -1);
    if (n < 0 && errno != EINTR)
      break;
    if (resized) {
      resized = 0;
      rl_resize_terminal();
    }
    if (session_interrupted) {
      /* Ctrl-C: abandon the line (and any open block) */
      drain_signals();
      session_interrupted = 0;
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_echo_signal_char(SIGINT);
      session_abandon(r);
      rl_replace_line("", 0);
      rl_crlf();
      rl_set_prompt(PROMPT);
      rl_on_new_line();
      rl_redisplay();
      continue;
    }
    if (n > 0 && (pf[1].revents & POLLIN))
      drain_signals();
    if (n > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
      rl_callback_read_char();
  }
  if (!r->done)
    rl_callback_handler_remove();
  hist_close(r);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGWINCH, &old_winch, NULL);
  close(sigpipe_fd[0]);
  close(sigpipe_fd[1]);
  sigpipe_fd[0] = sigpipe_fd[1] = -1;
  return 0;
}

/* Without a terminal: lines from stdin, no prompt, no history. */
static int
loop_plain(Repl *r)
{
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while (!r->done && (n = getline(&line, &cap, stdin)) >= 0) {
    if (n > 0 && line[n - 1] == '\n')
      line[--n] = '\0';
    session_take_line(r, line);
  }
  session_end(r);
  free(line);
  return 0;
}

/* The session: gradtool [-i] with the options of cli, after running FILE
   or -e TEXT when given. */
int
run_session(const Cli *c, int argc, char **argv, int first)
{
  if (c->batch || c->checks.n || c->fd_check || c->verified || c->wrt.n
      || c->of.n || c->at.n)
    usage_error("the interactive session takes none of --batch, --check, "
                "--fd-check, --verified, --wrt, --of, --at");
  if (!out_formats[c->format].session)
    usage_error("the interactive session prints text or JSON");
  if (first + 1 < argc)
    usage_error("extra operand '%s'", argv[first + 1]);
  if (c->expr && first < argc)
    usage_error("both -e and a program file '%s' given", argv[first]);

  Repl r;
  session_init(&r, c);
  r.tty = isatty(STDIN_FILENO);
  cur = &r;
  if (r.tty && !c->quiet)
    printf("gradtool %s: :help lists the commands, Ctrl-D leaves.\n",
           gt_version());
  if (first < argc && strcmp(argv[first], "-") != 0)
    session_load(&r, argv[first]);
  else if (c->expr)
    session_load_text(&r, c->expr, "<command-line>");
  fflush(stdout);
  if (r.tty)
    loop_tty(&r);
  else
    loop_plain(&r);
  session_free(&r);
  cands_free();
  cur = NULL;
  fflush(stdout);
  return 0;
}
