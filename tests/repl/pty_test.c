/* pty_test.c -- the interactive session, driven through a pseudo-terminal.
 *
 * Starts the real gradtool ($GRADTOOL) on the slave side of a pty with
 * HOME and XDG_STATE_HOME in a temporary directory, types lines as a user
 * would and checks what the screen shows.  Every wait has a timeout, so a
 * session that hangs fails the test instead of hanging `make check`.
 * Exit 77 (automake: skipped) when the system has no pseudo-terminals.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 10000

static const char *gradtool;
static char tmpdir[] = "/tmp/gt-pty-XXXXXX";
static int master = -1;
static pid_t child = -1;
static char screen[1 << 16];  /* everything the session printed */
static size_t nscreen, mark;  /* mark: where the next expect looks */
static int failures;
static const char *test_name;

static void
cleanup(void)
{
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    child = -1;
  }
  if (master >= 0)
    close(master);
  master = -1;
}

static void
remove_tmp(void)
{
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "pty_test: could not remove %s\n", tmpdir);
}

/* The screen since mark, with control characters made visible. */
static void
dump(void)
{
  fprintf(stderr, "---- screen since the last match ----\n");
  for (size_t i = mark; i < nscreen; i++) {
    unsigned char c = (unsigned char)screen[i];
    if (c == '\n' || (c >= 32 && c < 127))
      fputc(c, stderr);
    else if (c != '\r')
      fprintf(stderr, "\\x%02x", c);
  }
  fprintf(stderr, "\n-------------------------------------\n");
}

static void
fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL %s: ", test_name);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  dump();
  failures++;
}

static long
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reads what is available for up to ms milliseconds; 0 at end of file. */
static int
pump(long ms)
{
  struct pollfd pf = { master, POLLIN, 0 };
  int n = poll(&pf, 1, (int)(ms < 0 ? 0 : ms));
  if (n <= 0)
    return 1;
  char buf[4096];
  ssize_t got = read(master, buf, sizeof buf);
  if (got <= 0)
    return 0; /* EIO: the slave side is closed */
  if (nscreen + (size_t)got >= sizeof screen) {
    /* keep the end; matches are searched after mark */
    size_t drop = nscreen / 2;
    memmove(screen, screen + drop, nscreen - drop);
    nscreen -= drop;
    mark = mark > drop ? mark - drop : 0;
  }
  memcpy(screen + nscreen, buf, (size_t)got);
  nscreen += (size_t)got;
  return 1;
}

static char *
find(const char *s)
{
  screen[nscreen] = '\0';
  /* the screen may hold NUL bytes: search piecewise */
  for (size_t i = mark; i < nscreen;) {
    char *p = strstr(screen + i, s);
    if (p)
      return p;
    i += strlen(screen + i) + 1;
  }
  return NULL;
}

/* Waits until s appears after mark; moves mark past it. */
static int
expect(const char *s)
{
  long end = now_ms() + TIMEOUT_MS;
  for (;;) {
    char *p = find(s);
    if (p) {
      mark = (size_t)(p - screen) + strlen(s);
      return 1;
    }
    long left = end - now_ms();
    if (left <= 0 || !pump(left)) {
      if (find(s) == NULL) {
        fail("timed out waiting for \"%s\"", s);
        return 0;
      }
    }
  }
}

/* Checks that s does not appear within ms milliseconds. */
static void
expect_not(const char *s, long ms)
{
  long end = now_ms() + ms;
  while (now_ms() < end && pump(end - now_ms()))
    ;
  if (find(s))
    fail("\"%s\" should not appear", s);
}

static void
type(const char *s)
{
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(master, s, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      fail("write to the terminal: %s", strerror(errno));
      return;
    }
    s += w;
    n -= (size_t)w;
  }
}

/* Starts gradtool with args (NULL-terminated) and the state home. */
static int
start(const char *state_home, const char *arg1, const char *arg2)
{
  nscreen = mark = 0;
  master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    fprintf(stderr, "pty_test: no pseudo-terminal: %s\n", strerror(errno));
    remove_tmp();
    exit(77);
  }
  const char *slave = ptsname(master);
  child = fork();
  if (child < 0) {
    perror("fork");
    exit(99);
  }
  if (child == 0) {
    setsid();
    int fd = open(slave, O_RDWR);
    if (fd < 0)
      _exit(98);
#ifdef TIOCSCTTY
    ioctl(fd, TIOCSCTTY, 0);
#endif
    struct winsize ws = { 24, 80, 0, 0 };
    ioctl(fd, TIOCSWINSZ, &ws);
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
      close(fd);
    close(master);
    setenv("HOME", tmpdir, 1);
    if (state_home)
      setenv("XDG_STATE_HOME", state_home, 1);
    else
      unsetenv("XDG_STATE_HOME");
    setenv("TERM", "dumb", 1);
    setenv("INPUTRC", "/dev/null", 1);
    setenv("LC_ALL", "C", 1);
    const char *argv[] = { gradtool, arg1, arg2, NULL };
    execv(gradtool, (char *const *)argv);
    _exit(97);
  }
  return 1;
}

/* Waits for the session to end; returns its exit status (-1: timeout or
   signal). */
static int
finish(void)
{
  long end = now_ms() + TIMEOUT_MS;
  int status;
  for (;;) {
    pid_t w = waitpid(child, &status, WNOHANG);
    if (w == child)
      break;
    if (now_ms() > end) {
      fail("the session did not end");
      cleanup();
      return -1;
    }
    pump(50);
  }
  child = -1;
  while (pump(0) && nscreen < sizeof screen - 1) {
    struct pollfd pf = { master, POLLIN, 0 };
    if (poll(&pf, 1, 0) <= 0)
      break;
  }
  close(master);
  master = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_first_session(const char *state)
{
  test_name = "first session";
  start(state, NULL, NULL);
  expect("gt> ");

  test_name = "a value";
  type("x = 2\r");
  expect("gt> ");
  type("x^3 + 1\r");
  expect("9\r\n");
  expect("gt> ");

  test_name = "a block over several lines and a derivative";
  type("def f(a) {\r");
  expect("...> ");
  type("  return a^3\r");
  expect("...> ");
  type("}\r");
  expect("gt> ");
  type(":grad f(x) wrt x\r");
  expect("d(f(x))/dx = 12");
  expect("gt> ");
  type(":order 2\r");
  expect("gt> ");
  type(":grad f(x) wrt x\r");
  expect("d2(f(x))/dx2 = 12");
  expect("gt> ");

  test_name = "an error, then a working prompt";
  type("y = x +* 2\r");
  expect("<input>:");
  expect("error:");
  expect("gt> ");
  type("z = xx + 1\r");
  expect("unknown name 'xx'");
  expect("gt> ");
  type("x + 40\r");
  expect("42\r\n");
  expect("gt> ");

  test_name = "completion of a built-in";
  type("sig\t\t"); /* two candidates: a second Tab lists them */
  expect("sigmoid(");
  expect("gt> sig");
  type("mo\t");     /* now one: completed */
  expect("id(");
  type("0)\r");
  expect("0.5\r\n");
  expect("gt> ");

  test_name = "print() does not repeat";
  type("print(\"hello\", x)\r");
  expect("hello 2");
  expect("gt> ");
  type("w = 1\r");
  expect("gt> ");
  expect_not("hello", 300);

  test_name = "Ctrl-C stops a loop";
  type("while 1 { }\r");
  expect_not("gt> ", 300);
  type("\003");
  expect("interrupted");
  expect("gt> ");
  type("x * 5\r");
  expect("10\r\n");
  expect("gt> ");

  test_name = ":vars";
  type(":vars\r");
  expect("x = 2");
  expect("def f");
  expect("gt> ");

  test_name = "Ctrl-C abandons the line and an open block";
  type("if x > 1 {\r");
  expect("...> ");
  type("q = 1\003");
  expect("gt> ");
  type("2 * 111\r");
  expect("222\r\n");
  expect("gt> ");

  test_name = "Ctrl-D exits 0";
  type("\004");
  int st = finish();
  if (st != 0)
    fail("exit status %d, not 0", st);
}

static void
test_history(const char *state)
{
  test_name = "history recalled in a second session";
  start(state, NULL, NULL);
  expect("gt> ");
  type("\033[A");
  expect("2 * 111");
  type("\r");
  expect("222\r\n");
  expect("gt> ");
  type(":quit\r");
  int st = finish();
  if (st != 0)
    fail("exit status %d, not 0", st);
  char path[512];
  snprintf(path, sizeof path, "%s/gradtool/history", state);
  struct stat sb;
  if (stat(path, &sb) != 0)
    fail("no history file %s", path);
}

static void
test_unwritable_history(void)
{
  test_name = "an unwritable history file is a warning";
  /* the state home is a file: the directory cannot be made */
  char state[512];
  snprintf(state, sizeof state, "%s/not-a-dir", tmpdir);
  FILE *f = fopen(state, "w");
  if (f)
    fclose(f);
  start(state, NULL, NULL);
  expect("warning:");
  expect("gt> ");
  type("1 + 1\r");
  expect("2\r\n");
  expect("gt> "); /* a Ctrl-D typed ahead, in cooked mode, would be lost */
  type("\004");
  int st = finish();
  if (st != 0)
    fail("exit status %d, not 0", st);
}

static void
test_load_first(void)
{
  test_name = "-i FILE runs FILE first";
  char prog[512];
  snprintf(prog, sizeof prog, "%s/prog.gt", tmpdir);
  FILE *f = fopen(prog, "w");
  if (f == NULL) {
    fail("cannot write %s", prog);
    return;
  }
  fputs("input t = 3\nu = t * t\n", f);
  fclose(f);
  char state[512];
  snprintf(state, sizeof state, "%s/state", tmpdir);
  start(state, "-i", prog);
  expect("gt> ");
  type("u + t\r");
  expect("12\r\n");
  expect("gt> ");
  type(":grad u wrt t\r");
  expect("du/dt = 6");
  expect("gt> ");
  type(":q\r");
  int st = finish();
  if (st != 0)
    fail("exit status %d, not 0", st);
}

/* :load completes paths: a '/' is not a word break there (issue 10
   item 14), and "~/" is the home directory. */
static void
test_load_completion(void)
{
  test_name = ":load completes paths in folders";
  char path[512];
  snprintf(path, sizeof path, "%s/sub", tmpdir);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/sub/deeper", tmpdir);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/sub/deeper/fifteen.gt", tmpdir);
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    fail("cannot write %s", path);
    return;
  }
  fputs("q = 15\n", f);
  fclose(f);
  char state[512];
  snprintf(state, sizeof state, "%s/state", tmpdir);
  start(state, NULL, NULL);
  expect("gt> ");
  char line[1024];
  snprintf(line, sizeof line, ":load %s/sub/deeper/fi\t", tmpdir);
  type(line);
  expect("fteen.gt");
  type("\r");
  expect("gt> ");
  type("q + 1\r");
  expect("16\r\n");
  expect("gt> ");
  test_name = ":load completes ~/";
  type(":load ~/sub/dee\t");
  expect("per/");
  type("fi\t");
  expect("fteen.gt");
  type("\r");
  expect("gt> ");
  type("q * 2\r");
  expect("30\r\n");
  expect("gt> ");
  type(":q\r");
  int st = finish();
  if (st != 0)
    fail("exit status %d, not 0", st);
}

/* -i without a terminal: lines from a pipe, no prompt, values printed. */
static void
test_plain(void)
{
  test_name = "-i with a pipe on stdin";
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "printf 'x = 2\\nx * 3\\nif x > 1 {\\n  y = 1\\n}\\nelse {\\n"
           "  y = 2\\n}\\ny\\nz = q\\n:grad x^3 wrt x\\n:format json\\n"
           ":vars\\n' | HOME='%s' '%s' -i 2>&1", tmpdir, gradtool);
  FILE *p = popen(cmd, "r");
  if (p == NULL) {
    fail("popen: %s", strerror(errno));
    return;
  }
  nscreen = mark = 0;
  size_t got;
  while ((got = fread(screen + nscreen, 1, sizeof screen - 1 - nscreen, p))
         > 0)
    nscreen += got;
  int st = pclose(p);
  screen[nscreen] = '\0';
  static const char *const want[] = {
    "6\n", "1\n", "<input>:10:5: error: unknown name 'q'",
    "d(x^3)/dx = 12\n", "{\"x\": 2, \"y\": 1}\n", NULL
  };
  for (size_t k = 0; want[k]; k++) {
    char *f = strstr(screen + mark, want[k]);
    if (f == NULL) {
      fail("no \"%s\" in the output", want[k]);
      break;
    }
    mark = (size_t)(f - screen) + strlen(want[k]);
  }
  if (strstr(screen, "gt>") != NULL)
    fail("a prompt was printed without a terminal");
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    fail("exit status %d, not 0", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* roff escapes of a man-page display to the text they show */
static void
unescape(char *s)
{
  static const char *const from[] = { "\\-", "\\(aq", "\\(dq", "\\(ha",
                                      "\\(ti", "\\&", "\\e", NULL };
  static const char *const to[] = { "-", "'", "\"", "^", "~", "", "\\" };
  char *o = s;
  for (const char *p = s; *p;) {
    int k;
    for (k = 0; from[k]; k++)
      if (strncmp(p, from[k], strlen(from[k])) == 0)
        break;
    if (from[k]) {
      size_t n = strlen(to[k]);
      memcpy(o, to[k], n);
      o += n;
      p += strlen(from[k]);
    } else
      *o++ = *p++;
  }
  *o = '\0';
}

/* The transcript in gradtool(1) (section INTERACTIVE SESSION), typed line
   by line: "gt> TEXT" and "...> TEXT" are typed after their prompt, a
   "^C" line is Ctrl-C typed while the line before runs, and every other
   line must appear on the screen. */
static void
test_manual(void)
{
  test_name = "the transcript of gradtool(1)";
  const char *top = getenv("top_srcdir");
  char path[1024];
  snprintf(path, sizeof path, "%s/man/gradtool.1", top ? top : ".");
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fail("cannot read %s", path);
    return;
  }
  char line[1024];
  int state = 0; /* 0: before the comment, 1: before .EX, 2: in it */
  int started = 0, ended = 0;
  char typed_state[512];
  snprintf(typed_state, sizeof typed_state, "%s/manual-state", tmpdir);
  char pending[1024] = "";  /* a typed line whose Enter waits for ^C */
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (state == 0) {
      if (strstr(line, "test: skip") && strstr(line, "pty_test"))
        state = 1;
      continue;
    }
    if (state == 1) {
      if (strncmp(line, ".EX", 3) == 0)
        state = 2;
      continue;
    }
    if (strncmp(line, ".EE", 3) == 0)
      break;
    unescape(line);
    if (strncmp(line, "$ gradtool", 10) == 0) {
      start(typed_state, NULL, NULL);
      started = 1;
      continue;
    }
    if (!started)
      continue;
    if (strncmp(line, "gradtool ", 9) == 0) { /* the banner: any version */
      expect("gradtool ");
      expect(strchr(line, ':'));
      continue;
    }
    if (strcmp(line, "^C") == 0) {
      type(pending);
      expect_not("gt> ", 300);
      type("\003");
      expect("^C");
      continue;
    }
    const char *prompt = strncmp(line, "gt> ", 4) == 0 ? "gt> "
                         : strncmp(line, "...> ", 5) == 0 ? "...> " : NULL;
    if (prompt) {
      if (!expect(prompt))
        break;
      const char *text = line + strlen(prompt);
      /* type it; Enter comes at once unless a ^C line follows */
      type(text);
      snprintf(pending, sizeof pending, "\r");
      int c = fgetc(f);
      ungetc(c, f);
      char peek[8] = "";
      if (c == '\\') { /* "\(haC" */
        long pos = ftell(f);
        if (fgets(peek, sizeof peek, f) == NULL)
          peek[0] = '\0';
        fseek(f, pos, SEEK_SET);
      }
      if (strncmp(peek, "\\(haC", 5) != 0)
        type("\r");
      if (strcmp(text, ":quit") == 0) {
        int st = finish();
        if (st != 0)
          fail("exit status %d, not 0", st);
        ended = 1;
        break;
      }
      continue;
    }
    if (!expect(line))
      break;
  }
  fclose(f);
  if (!started)
    fail("no transcript found in %s", path);
  else if (!ended)
    fail("the transcript does not end with :quit");
}

int
main(void)
{
  gradtool = getenv("GRADTOOL");
  if (gradtool == NULL || *gradtool == '\0')
    gradtool = "cli/gradtool";
  if (access(gradtool, X_OK) != 0) {
    fprintf(stderr, "pty_test: %s: not executable (set GRADTOOL)\n",
            gradtool);
    return 99;
  }
  if (mkdtemp(tmpdir) == NULL) {
    perror("mkdtemp");
    return 99;
  }
  signal(SIGPIPE, SIG_IGN);
  alarm(300); /* a last resort: every wait has its own timeout */
  char state[512];
  snprintf(state, sizeof state, "%s/state", tmpdir);

  test_first_session(state);
  cleanup();
  test_history(state);
  cleanup();
  test_unwritable_history();
  cleanup();
  test_load_first();
  cleanup();
  test_load_completion();
  cleanup();
  test_manual();
  cleanup();
  test_plain();

  remove_tmp();
  if (failures) {
    fprintf(stderr, "pty_test: %d failure%s\n", failures,
            failures == 1 ? "" : "s");
    return 1;
  }
  printf("pty_test: all passed\n");
  return 0;
}
