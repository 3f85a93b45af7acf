/* test_lex.c -- unit tests of the lexer (lib/lex.c)
 *
 * Each case lexes a short text and checks the token kinds and their spans
 * (byte offset and length), or the error and the span it points at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct Lexed {
  GtSource *src;
  GtDiagList diags;
  GtToken *toks;
  size_t n;
} Lexed;

static void
lex_n(Lexed *l, const char *text, size_t len)
{
  memset(l, 0, sizeof *l);
  l->src = gt_source_new("t.gt", text, len);
  assert_non_null(l->src);
  l->toks = gt_lex(l->src, 0, &l->diags, &l->n);
}

static void
lex(Lexed *l, const char *text)
{
  lex_n(l, text, strlen(text));
}

static void
done(Lexed *l)
{
  free(l->toks);
  gt_diag_clear(&l->diags);
  free(l->diags.items);
  gt_source_free(l->src);
}

/* One expected token: kind, offset and length. */
typedef struct Tok {
  GtTokKind kind;
  unsigned off, len;
} Tok;

static void
expect_tokens(const char *text, const Tok *want, size_t nwant)
{
  Lexed l;
  lex(&l, text);
  if (l.toks == NULL)
    fail_msg("lexing \"%s\" failed: %s", text,
             l.diags.n ? l.diags.items[0].message : "(no diagnostic)");
  assert_int_equal(l.diags.n, 0);
  for (size_t i = 0; i < nwant && i < l.n; i++) {
    if (l.toks[i].kind != want[i].kind || l.toks[i].span.off != want[i].off
        || l.toks[i].span.len != want[i].len)
      fail_msg("\"%s\" token %zu: got %s at %u+%u, want %s at %u+%u", text,
               i, gt_lex_kind_name(l.toks[i].kind), l.toks[i].span.off,
               l.toks[i].span.len, gt_lex_kind_name(want[i].kind),
               want[i].off, want[i].len);
    assert_int_equal(l.toks[i].span.src, 0);
  }
  assert_int_equal(l.n, nwant);
  done(&l);
}

#define EXPECT(text, ...)                                                  \
  do {                                                                     \
    static const Tok want_[] = { __VA_ARGS__ };                            \
    expect_tokens(text, want_, sizeof want_ / sizeof *want_);              \
  } while (0)

/* Only the kinds, for long inputs. */
static void
expect_kinds(const char *text, const GtTokKind *want, size_t nwant)
{
  Lexed l;
  lex(&l, text);
  assert_non_null(l.toks);
  for (size_t i = 0; i < nwant && i < l.n; i++)
    if (l.toks[i].kind != want[i])
      fail_msg("\"%s\" token %zu: got %s, want %s", text, i,
               gt_lex_kind_name(l.toks[i].kind), gt_lex_kind_name(want[i]));
  assert_int_equal(l.n, nwant);
  done(&l);
}

#define KINDS(text, ...)                                                   \
  do {                                                                     \
    static const GtTokKind want_[] = { __VA_ARGS__ };                      \
    expect_kinds(text, want_, sizeof want_ / sizeof *want_);               \
  } while (0)

static void
test_empty(void **state)
{
  (void)state;
  EXPECT("", { GT_TOK_EOF, 0, 0 });
  EXPECT("   \t ", { GT_TOK_EOF, 5, 0 });
  EXPECT("# only a comment", { GT_TOK_EOF, 16, 0 });
}

static void
test_keywords(void **state)
{
  (void)state;
  static const struct {
    const char *word;
    GtTokKind kind;
  } kw[] = {
    { "if", GT_TOK_IF }, { "elif", GT_TOK_ELIF }, { "else", GT_TOK_ELSE },
    { "for", GT_TOK_FOR }, { "in", GT_TOK_IN }, { "while", GT_TOK_WHILE },
    { "break", GT_TOK_BREAK }, { "continue", GT_TOK_CONTINUE },
    { "def", GT_TOK_DEF }, { "return", GT_TOK_RETURN },
    { "input", GT_TOK_INPUT }, { "output", GT_TOK_OUTPUT },
    { "assert", GT_TOK_ASSERT }, { "print", GT_TOK_PRINT },
    { "and", GT_TOK_AND }, { "or", GT_TOK_OR }, { "not", GT_TOK_NOT },
  };
  for (size_t i = 0; i < sizeof kw / sizeof *kw; i++) {
    char text[64];
    size_t n = strlen(kw[i].word);
    /* " word " : the keyword at offset 1 */
    snprintf(text, sizeof text, " %s ", kw[i].word);
    Tok want[2] = { { kw[i].kind, 1, (unsigned)n },
                    { GT_TOK_EOF, (unsigned)n + 2, 0 } };
    expect_tokens(text, want, 2);
    /* a keyword with more name characters is a name */
    snprintf(text, sizeof text, "%s_x", kw[i].word);
    Tok name[2] = { { GT_TOK_NAME, 0, (unsigned)n + 2 },
                    { GT_TOK_EOF, (unsigned)n + 2, 0 } };
    expect_tokens(text, name, 2);
    snprintf(text, sizeof text, "%s1", kw[i].word);
    Tok name1[2] = { { GT_TOK_NAME, 0, (unsigned)n + 1 },
                     { GT_TOK_EOF, (unsigned)n + 1, 0 } };
    expect_tokens(text, name1, 2);
  }
  /* names are case-sensitive, and range is not a keyword */
  EXPECT("If range _a9 Z",
         { GT_TOK_NAME, 0, 2 }, { GT_TOK_NAME, 3, 5 }, { GT_TOK_NAME, 9, 3 },
         { GT_TOK_NAME, 13, 1 }, { GT_TOK_EOF, 14, 0 });
}

static void
test_punctuation(void **state)
{
  (void)state;
  EXPECT("( ) [ ] { } , ; :",
         { GT_TOK_LPAREN, 0, 1 }, { GT_TOK_RPAREN, 2, 1 },
         { GT_TOK_LBRACK, 4, 1 }, { GT_TOK_RBRACK, 6, 1 },
         { GT_TOK_LBRACE, 8, 1 }, { GT_TOK_RBRACE, 10, 1 },
         { GT_TOK_COMMA, 12, 1 }, { GT_TOK_SEMI, 14, 1 },
         { GT_TOK_COLON, 16, 1 }, { GT_TOK_EOF, 17, 0 });
  EXPECT("+ - * / % @ ^ **",
         { GT_TOK_PLUS, 0, 1 }, { GT_TOK_MINUS, 2, 1 },
         { GT_TOK_STAR, 4, 1 }, { GT_TOK_SLASH, 6, 1 },
         { GT_TOK_PERCENT, 8, 1 }, { GT_TOK_AT, 10, 1 },
         { GT_TOK_CARET, 12, 1 }, { GT_TOK_CARET, 14, 2 },
         { GT_TOK_EOF, 16, 0 });
  EXPECT("= += -= *= /= == != < <= > >=",
         { GT_TOK_ASSIGN, 0, 1 }, { GT_TOK_PLUSEQ, 2, 2 },
         { GT_TOK_MINUSEQ, 5, 2 }, { GT_TOK_STAREQ, 8, 2 },
         { GT_TOK_SLASHEQ, 11, 2 }, { GT_TOK_EQ, 14, 2 },
         { GT_TOK_NE, 17, 2 }, { GT_TOK_LT, 20, 1 }, { GT_TOK_LE, 22, 2 },
         { GT_TOK_GT, 25, 1 }, { GT_TOK_GE, 27, 2 }, { GT_TOK_EOF, 29, 0 });
}

/* Operators written without spaces take the longest match. */
static void
test_operators_adjacent(void **state)
{
  (void)state;
  EXPECT("x**2",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_CARET, 1, 2 }, { GT_TOK_NUM, 3, 1 },
         { GT_TOK_EOF, 4, 0 });
  EXPECT("y+=1",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_PLUSEQ, 1, 2 }, { GT_TOK_NUM, 3, 1 },
         { GT_TOK_EOF, 4, 0 });
  EXPECT("a==b!=c<=d",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_EQ, 1, 2 }, { GT_TOK_NAME, 3, 1 },
         { GT_TOK_NE, 4, 2 }, { GT_TOK_NAME, 6, 1 }, { GT_TOK_LE, 7, 2 },
         { GT_TOK_NAME, 9, 1 }, { GT_TOK_EOF, 10, 0 });
  /* *** is ** then * ; =-1 is = then -1 */
  EXPECT("a***b",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_CARET, 1, 2 }, { GT_TOK_STAR, 3, 1 },
         { GT_TOK_NAME, 4, 1 }, { GT_TOK_EOF, 5, 0 });
  EXPECT("a=-1",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_ASSIGN, 1, 1 },
         { GT_TOK_MINUS, 2, 1 }, { GT_TOK_NUM, 3, 1 }, { GT_TOK_EOF, 4, 0 });
  EXPECT("2^-1",
         { GT_TOK_NUM, 0, 1 }, { GT_TOK_CARET, 1, 1 }, { GT_TOK_MINUS, 2, 1 },
         { GT_TOK_NUM, 3, 1 }, { GT_TOK_EOF, 4, 0 });
}

static void
test_numbers(void **state)
{
  (void)state;
  EXPECT("3 0.1 1e-40 .5 5.",
         { GT_TOK_NUM, 0, 1 }, { GT_TOK_NUM, 2, 3 }, { GT_TOK_NUM, 6, 5 },
         { GT_TOK_NUM, 12, 2 }, { GT_TOK_NUM, 15, 2 }, { GT_TOK_EOF, 17, 0 });
  EXPECT("1E5 2e+3 6.02e23 0 007 123456789012345678901234567890",
         { GT_TOK_NUM, 0, 3 }, { GT_TOK_NUM, 4, 4 }, { GT_TOK_NUM, 9, 7 },
         { GT_TOK_NUM, 17, 1 }, { GT_TOK_NUM, 19, 3 }, { GT_TOK_NUM, 23, 30 },
         { GT_TOK_EOF, 53, 0 });
  /* a number followed by an operator or a bracket */
  EXPECT("2*x",
         { GT_TOK_NUM, 0, 1 }, { GT_TOK_STAR, 1, 1 }, { GT_TOK_NAME, 2, 1 },
         { GT_TOK_EOF, 3, 0 });
  EXPECT("1e-3)",
         { GT_TOK_NUM, 0, 4 }, { GT_TOK_RPAREN, 4, 1 }, { GT_TOK_EOF, 5, 0 });
  EXPECT("5.+1",
         { GT_TOK_NUM, 0, 2 }, { GT_TOK_PLUS, 2, 1 }, { GT_TOK_NUM, 3, 1 },
         { GT_TOK_EOF, 4, 0 });
  /* 1-2 is three tokens: the sign belongs to the parser */
  EXPECT("1-2",
         { GT_TOK_NUM, 0, 1 }, { GT_TOK_MINUS, 1, 1 }, { GT_TOK_NUM, 2, 1 },
         { GT_TOK_EOF, 3, 0 });
}

static void
test_newlines(void **state)
{
  (void)state;
  EXPECT("a\nb\n",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_NEWLINE, 1, 1 },
         { GT_TOK_NAME, 2, 1 }, { GT_TOK_NEWLINE, 3, 1 },
         { GT_TOK_EOF, 4, 0 });
  /* dropped inside ( and [, also nested */
  EXPECT("f(1,\n2)\n",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_LPAREN, 1, 1 }, { GT_TOK_NUM, 2, 1 },
         { GT_TOK_COMMA, 3, 1 }, { GT_TOK_NUM, 5, 1 }, { GT_TOK_RPAREN, 6, 1 },
         { GT_TOK_NEWLINE, 7, 1 }, { GT_TOK_EOF, 8, 0 });
  EXPECT("[1,\n[2,\n3]\n]\nx",
         { GT_TOK_LBRACK, 0, 1 }, { GT_TOK_NUM, 1, 1 },
         { GT_TOK_COMMA, 2, 1 }, { GT_TOK_LBRACK, 4, 1 },
         { GT_TOK_NUM, 5, 1 }, { GT_TOK_COMMA, 6, 1 }, { GT_TOK_NUM, 8, 1 },
         { GT_TOK_RBRACK, 9, 1 }, { GT_TOK_RBRACK, 11, 1 },
         { GT_TOK_NEWLINE, 12, 1 }, { GT_TOK_NAME, 13, 1 },
         { GT_TOK_EOF, 14, 0 });
  /* but not inside braces: they hold statements */
  KINDS("{\na\n}", GT_TOK_LBRACE, GT_TOK_NEWLINE, GT_TOK_NAME,
        GT_TOK_NEWLINE, GT_TOK_RBRACE, GT_TOK_EOF);
  /* a brace inside parentheses does not end the parentheses */
  KINDS("(\n{\n}\n)\n", GT_TOK_LPAREN, GT_TOK_LBRACE, GT_TOK_RBRACE,
        GT_TOK_RPAREN, GT_TOK_NEWLINE, GT_TOK_EOF);
  /* CR LF: the CR is a blank */
  EXPECT("a\r\nb",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_NEWLINE, 2, 1 },
         { GT_TOK_NAME, 3, 1 }, { GT_TOK_EOF, 4, 0 });
  /* backslash-newline continues the line */
  EXPECT("a \\\n+ b",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_PLUS, 4, 1 }, { GT_TOK_NAME, 6, 1 },
         { GT_TOK_EOF, 7, 0 });
}

static void
test_comments(void **state)
{
  (void)state;
  EXPECT("x # a comment with \"quotes\" and ! & \xc3\xa9\ny",
         { GT_TOK_NAME, 0, 1 }, { GT_TOK_NEWLINE, 38, 1 },
         { GT_TOK_NAME, 39, 1 }, { GT_TOK_EOF, 40, 0 });
  EXPECT("#c1\n#c2\n",
         { GT_TOK_NEWLINE, 3, 1 }, { GT_TOK_NEWLINE, 7, 1 },
         { GT_TOK_EOF, 8, 0 });
  /* a comment inside parentheses, up to the newline that is dropped */
  EXPECT("(1 # one\n)",
         { GT_TOK_LPAREN, 0, 1 }, { GT_TOK_NUM, 1, 1 },
         { GT_TOK_RPAREN, 9, 1 }, { GT_TOK_EOF, 10, 0 });
}

static void
test_strings(void **state)
{
  (void)state;
  EXPECT("print(\"y is\", y)",
         { GT_TOK_PRINT, 0, 5 }, { GT_TOK_LPAREN, 5, 1 },
         { GT_TOK_STRING, 6, 6 }, { GT_TOK_COMMA, 12, 1 },
         { GT_TOK_NAME, 14, 1 }, { GT_TOK_RPAREN, 15, 1 },
         { GT_TOK_EOF, 16, 0 });
  /* "a\"b\\" : the escaped quote does not end the string, \\ is one
     escape so the next quote does */
  EXPECT("\"a\\\"b\\\\\" x",
         { GT_TOK_STRING, 0, 8 }, { GT_TOK_NAME, 9, 1 },
         { GT_TOK_EOF, 10, 0 });
  EXPECT("\"\"", { GT_TOK_STRING, 0, 2 }, { GT_TOK_EOF, 2, 0 });
  /* anything goes inside a string, non-ASCII included */
  EXPECT("\"\\n\\t # ! & \xc3\xa9\"",
         { GT_TOK_STRING, 0, 15 }, { GT_TOK_EOF, 15, 0 });
}

/* Lexing fails: the first diagnostic is an error with this message at
   line 1, column col (1-based), underlining len bytes. */
static void
expect_error_n(const char *text, size_t tlen, const char *msg, unsigned line,
               unsigned col, unsigned len)
{
  Lexed l;
  lex_n(&l, text, tlen);
  assert_null(l.toks);
  assert_true(l.diags.n >= 1);
  const GtDiag *d = &l.diags.items[0];
  assert_int_equal(d->severity, GT_SEV_ERROR);
  if (strcmp(d->message, msg) != 0)
    fail_msg("message \"%s\", want \"%s\"", d->message, msg);
  assert_int_equal(d->line, line);
  assert_int_equal(d->col, col);
  assert_int_equal(d->len, len);
  assert_string_equal(d->file, "t.gt");
  done(&l);
}

static void
expect_error(const char *text, const char *msg, unsigned line, unsigned col,
             unsigned len)
{
  expect_error_n(text, strlen(text), msg, line, col, len);
}

static void
test_errors(void **state)
{
  (void)state;
  expect_error("x = !y", "unexpected '!'; logical negation is spelled 'not'",
               1, 5, 1);
  expect_error("a & b", "unexpected '&'; use 'and' / 'or'", 1, 3, 1);
  expect_error("a || b", "unexpected '|'; use 'and' / 'or'", 1, 3, 1);
  expect_error("x = 1\ny = $", "stray '$' in program", 2, 5, 1);
  expect_error("x = `", "stray '`' in program", 1, 5, 1);
  /* e-acute (C3 A9) outside a string: one error for the whole character */
  expect_error("caf\xc3\xa9 = 1",
               "stray byte 0xC3 in program (only ASCII is allowed outside "
               "strings and comments)", 1, 4, 1);
  expect_error_n("x = 1\0", 6,
                 "stray byte 0x00 in program (only ASCII is allowed outside "
                 "strings and comments)", 1, 6, 1);
  expect_error("y = 2x + 1", "invalid number '2x'", 1, 5, 2);
  expect_error("y = 1.2.3", "invalid number '1.2.3'", 1, 5, 5);
  expect_error("y = 3e", "invalid number '3e'", 1, 5, 2);
  expect_error("z = 1e5q", "invalid number '1e5q'", 1, 5, 4);
  expect_error("print(\"abc", "missing terminating '\"' character", 1, 7, 1);
  /* a string does not run over a newline */
  expect_error("s = \"ab\ncd\"", "missing terminating '\"' character", 1, 5,
               1);
}

/* One error per bad character, not one per byte, and the lexer goes on
   to report later errors too. */
static void
test_error_count(void **state)
{
  (void)state;
  Lexed l;
  lex(&l, "a = \xc3\xa9\xc3\xa9 & 2q");
  assert_null(l.toks);
  assert_int_equal(l.diags.n, 4);
  assert_int_equal(l.diags.items[0].col, 5);
  assert_int_equal(l.diags.items[1].col, 7);
  assert_int_equal(l.diags.items[2].col, 10);
  assert_int_equal(l.diags.items[3].col, 12);
  assert_int_equal(l.diags.items[3].len, 2);
  done(&l);
}

static void
test_kind_names(void **state)
{
  (void)state;
  for (int k = 0; k < GT_TOK_COUNT; k++) {
    const char *s = gt_lex_kind_name((GtTokKind)k);
    assert_non_null(s);
    assert_true(s[0] != '\0');
  }
  assert_string_equal(gt_lex_kind_name(GT_TOK_RPAREN), "')'");
  assert_string_equal(gt_lex_kind_name(GT_TOK_EOF), "end of file");
  assert_string_equal(gt_lex_kind_name(GT_TOK_IF), "'if'");
  assert_string_equal(gt_lex_kind_name(GT_TOK_COUNT), "token");
}

/* A long input: the token array grows. */
static void
test_many_tokens(void **state)
{
  (void)state;
  enum { N = 5000 };
  char *text = malloc(N * 4 + 1);
  assert_non_null(text);
  size_t len = 0;
  for (int i = 0; i < N; i++) {
    memcpy(text + len, "a+1\n", 4);
    len += 4;
  }
  text[len] = '\0';
  Lexed l;
  lex_n(&l, text, len);
  assert_non_null(l.toks);
  assert_int_equal(l.n, (size_t)N * 4 + 1);
  assert_int_equal(l.toks[l.n - 2].kind, GT_TOK_NEWLINE);
  assert_int_equal(l.toks[l.n - 2].span.off, len - 1);
  assert_int_equal(l.toks[l.n - 1].kind, GT_TOK_EOF);
  assert_int_equal(l.toks[l.n - 1].span.off, len);
  done(&l);
  free(text);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty),
    cmocka_unit_test(test_keywords),
    cmocka_unit_test(test_punctuation),
    cmocka_unit_test(test_operators_adjacent),
    cmocka_unit_test(test_numbers),
    cmocka_unit_test(test_newlines),
    cmocka_unit_test(test_comments),
    cmocka_unit_test(test_strings),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_error_count),
    cmocka_unit_test(test_kind_names),
    cmocka_unit_test(test_many_tokens),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
