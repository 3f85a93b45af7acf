/* lex.c -- source text to tokens.
 *
 * The whole source is tokenized up front.  Newlines end statements except
 * inside ( and [, where the lexer drops them, so a long call or a tensor
 * literal can span lines.  Every token keeps its span for carets.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const kind_names[GT_TOK_COUNT] = {
  [GT_TOK_EOF] = "end of file", [GT_TOK_NEWLINE] = "newline",
  [GT_TOK_NUM] = "number", [GT_TOK_NAME] = "name",
  [GT_TOK_STRING] = "string",
  [GT_TOK_IF] = "'if'", [GT_TOK_ELIF] = "'elif'", [GT_TOK_ELSE] = "'else'",
  [GT_TOK_FOR] = "'for'", [GT_TOK_IN] = "'in'", [GT_TOK_WHILE] = "'while'",
  [GT_TOK_BREAK] = "'break'", [GT_TOK_CONTINUE] = "'continue'",
  [GT_TOK_DEF] = "'def'", [GT_TOK_RETURN] = "'return'",
  [GT_TOK_INPUT] = "'input'", [GT_TOK_OUTPUT] = "'output'",
  [GT_TOK_ASSERT] = "'assert'", [GT_TOK_PRINT] = "'print'",
  [GT_TOK_AND] = "'and'", [GT_TOK_OR] = "'or'", [GT_TOK_NOT] = "'not'",
  [GT_TOK_LPAREN] = "'('", [GT_TOK_RPAREN] = "')'", [GT_TOK_LBRACK] = "'['",
  [GT_TOK_RBRACK] = "']'", [GT_TOK_LBRACE] = "'{'", [GT_TOK_RBRACE] = "'}'",
  [GT_TOK_COMMA] = "','", [GT_TOK_SEMI] = "';'", [GT_TOK_COLON] = "':'",
  [GT_TOK_PLUS] = "'+'", [GT_TOK_MINUS] = "'-'", [GT_TOK_STAR] = "'*'",
  [GT_TOK_SLASH] = "'/'", [GT_TOK_PERCENT] = "'%'", [GT_TOK_AT] = "'@'",
  [GT_TOK_CARET] = "'^'", [GT_TOK_ASSIGN] = "'='", [GT_TOK_PLUSEQ] = "'+='",
  [GT_TOK_MINUSEQ] = "'-='", [GT_TOK_STAREQ] = "'*='",
  [GT_TOK_SLASHEQ] = "'/='", [GT_TOK_DSLASH] = "'//'",
  [GT_TOK_DSLASHEQ] = "'//='", [GT_TOK_EQ] = "'=='", [GT_TOK_NE] = "'!='",
  [GT_TOK_LT] = "'<'", [GT_TOK_LE] = "'<='", [GT_TOK_GT] = "'>'",
  [GT_TOK_GE] = "'>='",
};

const char *
gt_lex_kind_name(GtTokKind k)
{
  return (unsigned)k < GT_TOK_COUNT ? kind_names[k] : "token";
}

static const struct {
  const char *word;
  GtTokKind kind;
} keywords[] = {
  { "if", GT_TOK_IF }, { "elif", GT_TOK_ELIF }, { "else", GT_TOK_ELSE },
  { "for", GT_TOK_FOR }, { "in", GT_TOK_IN }, { "while", GT_TOK_WHILE },
  { "break", GT_TOK_BREAK }, { "continue", GT_TOK_CONTINUE },
  { "def", GT_TOK_DEF }, { "return", GT_TOK_RETURN },
  { "input", GT_TOK_INPUT }, { "output", GT_TOK_OUTPUT },
  { "assert", GT_TOK_ASSERT }, { "print", GT_TOK_PRINT },
  { "and", GT_TOK_AND }, { "or", GT_TOK_OR }, { "not", GT_TOK_NOT },
};

static GtTokKind
keyword(const char *s, size_t n)
{
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (strlen(keywords[i].word) == n && memcmp(keywords[i].word, s, n) == 0)
      return keywords[i].kind;
  return GT_TOK_NAME;
}

static int
is_name_start(int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_name_char(int c)
{
  return is_name_start(c) || (c >= '0' && c <= '9');
}

/* The scanner's state. */
typedef struct Lexer {
  const GtSource *src;
  const char *s;
  size_t len, i;
  uint32_t srcid;
  GtDiagList *diags;
  int failed;
} Lexer;

/* Skips blanks, comments and explicit line continuations. */
static void
skip_blanks(Lexer *L)
{
  const char *s = L->s;
  while (L->i < L->len) {
    size_t i = L->i;
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f'
        || s[i] == '\v')
      L->i++;
    else if (s[i] == '#')
      while (L->i < L->len && s[L->i] != '\n')
        L->i++;
    else if (s[i] == '\\' && i + 1 < L->len && s[i + 1] == '\n')
      L->i += 2; /* explicit line continuation */
    else
      break;
  }
}

static void
skip_digits(Lexer *L)
{
  while (L->i < L->len && isdigit((unsigned char)L->s[L->i]))
    L->i++;
}

/* A number: digits, an optional fraction and exponent.  Letters, digits
   or points glued to it make it an invalid number, reported whole. */
static void
lex_number(Lexer *L, size_t start)
{
  const char *s = L->s;
  size_t len = L->len;
  skip_digits(L);
  if (L->i < len && s[L->i] == '.') {
    L->i++;
    skip_digits(L);
  }
  if (L->i < len && (s[L->i] == 'e' || s[L->i] == 'E')) {
    size_t j = L->i + 1;
    if (j < len && (s[j] == '+' || s[j] == '-'))
      j++;
    if (j < len && isdigit((unsigned char)s[j])) {
      L->i = j;
      skip_digits(L);
    }
  }
  if (L->i < len && (is_name_char((unsigned char)s[L->i]) || s[L->i] == '.')) {
    size_t j = L->i;
    while (j < len && (is_name_char((unsigned char)s[j]) || s[j] == '.'))
      j++;
    GtSpan sp = { L->srcid, (uint32_t)start, (uint32_t)(j - start) };
    gt_diag_add(L->diags, GT_SEV_ERROR, L->src, sp,
                "invalid number '%.*s'", (int)(j - start), s + start);
    L->failed = 1;
    L->i = j;
  }
}

/* A string literal, from its opening quote; only the escapes print()
   resolves are allowed. */
static void
lex_string(Lexer *L, size_t start)
{
  const char *s = L->s;
  size_t len = L->len;
  L->i++;
  while (L->i < len && s[L->i] != '"' && s[L->i] != '\n') {
    size_t i = L->i;
    if (s[i] == '\\' && i + 1 < len && s[i + 1] != '\n') {
      /* any other escape is a mistake that would otherwise vanish from
         the output */
      unsigned char e = (unsigned char)s[i + 1];
      if (e != '"' && e != '\\' && e != 'n' && e != 't') {
        GtSpan sp = { L->srcid, (uint32_t)i, 2 };
        if (e > ' ' && e < 0x7f)
          gt_diag_add(L->diags, GT_SEV_ERROR, L->src, sp,
                      "unknown escape sequence '\\%c' in a string "
                      "(use \\\\ for a backslash)", e);
        else
          gt_diag_add(L->diags, GT_SEV_ERROR, L->src, sp,
                      "unknown escape sequence in a string: '\\' "
                      "followed by byte 0x%02X", e);
        L->failed = 1;
      }
      L->i++;
    }
    L->i++;
  }
  if (L->i >= len || s[L->i] != '"') {
    GtSpan sp = { L->srcid, (uint32_t)start, 1 };
    gt_diag_add(L->diags, GT_SEV_ERROR, L->src, sp,
                "missing terminating '\"' character");
    L->failed = 1;
  } else
    L->i++;
}

/* A character that starts no token: one error per character (the rest
   of a multi-byte sequence is skipped). */
static void
stray(Lexer *L, unsigned char c, size_t start)
{
  GtSpan sp = { L->srcid, (uint32_t)start, 1 };
  if (c == '!')
    gt_diag_add(L->diags, GT_SEV_ERROR, L->src, sp,
                "unexpected '!'; logical negation is spelled 'not'");
  else if (c == '&' || c == '|')
    gt_diag_add(L->diags, GT_SEV_ERROR, L->src, sp,
                "unexpected '%c'; use 'and' / 'or'", c);
  else if (c >= 0x20 && c < 0x7f)
    gt_diag_add(L->diags, GT_SEV_ERROR, L->src, sp, "stray '%c' in program",
                c);
  else
    gt_diag_add(L->diags, GT_SEV_ERROR, L->src, sp,
                "stray byte 0x%02X in program (only ASCII is allowed "
                "outside strings and comments)", c);
  L->failed = 1;
  while (L->i < L->len && ((unsigned char)L->s[L->i] & 0xC0) == 0x80)
    L->i++;
}

/* An operator or punctuation starting with c (already consumed; c1 is
   the next character or 0): its kind, or -1 for a stray character.
   *depth counts open ( and [, inside which newlines do not count. */
static int
lex_punct(Lexer *L, unsigned char c, int c1, int *depth)
{
  switch (c) {
  case '(': ++*depth; return GT_TOK_LPAREN;
  case ')': if (*depth > 0) --*depth; return GT_TOK_RPAREN;
  case '[': ++*depth; return GT_TOK_LBRACK;
  case ']': if (*depth > 0) --*depth; return GT_TOK_RBRACK;
  case '{': return GT_TOK_LBRACE;
  case '}': return GT_TOK_RBRACE;
  case ',': return GT_TOK_COMMA;
  case ';': return GT_TOK_SEMI;
  case ':': return GT_TOK_COLON;
  case '@': return GT_TOK_AT;
  case '%': return GT_TOK_PERCENT;
  case '^': return GT_TOK_CARET;
  case '+': return c1 == '=' ? (L->i++, GT_TOK_PLUSEQ) : GT_TOK_PLUS;
  case '-': return c1 == '=' ? (L->i++, GT_TOK_MINUSEQ) : GT_TOK_MINUS;
  case '*':
    if (c1 == '*') {
      L->i++;
      return GT_TOK_CARET;
    }
    return c1 == '=' ? (L->i++, GT_TOK_STAREQ) : GT_TOK_STAR;
  case '/':
    if (c1 == '/') {
      /* // and //=: floor division */
      L->i++;
      if (L->i < L->len && L->s[L->i] == '=') {
        L->i++;
        return GT_TOK_DSLASHEQ;
      }
      return GT_TOK_DSLASH;
    }
    return c1 == '=' ? (L->i++, GT_TOK_SLASHEQ) : GT_TOK_SLASH;
  case '=': return c1 == '=' ? (L->i++, GT_TOK_EQ) : GT_TOK_ASSIGN;
  case '<': return c1 == '=' ? (L->i++, GT_TOK_LE) : GT_TOK_LT;
  case '>': return c1 == '=' ? (L->i++, GT_TOK_GE) : GT_TOK_GT;
  case '!':
    if (c1 == '=') {
      L->i++;
      return GT_TOK_NE;
    }
    return -1;
  default:
    return -1;
  }
}

GtToken *
gt_lex(const GtSource *src, uint32_t srcid, GtDiagList *diags, size_t *ntok)
{
  Lexer L = { .src = src, .s = src->text, .len = src->len, .i = 0,
              .srcid = srcid, .diags = diags, .failed = 0 };
  size_t cap = 64, n = 0;
  int depth = 0; /* ( and [ nesting: newlines inside do not count */
  GtToken *toks = malloc(cap * sizeof *toks);
  if (toks == NULL)
    return NULL;

  for (;;) {
    skip_blanks(&L);
    if (n + 1 >= cap) {
      cap *= 2;
      GtToken *t = realloc(toks, cap * sizeof *toks);
      if (t == NULL) {
        free(toks);
        return NULL;
      }
      toks = t;
    }
    GtToken *t = &toks[n];
    t->span.src = srcid;
    t->span.off = (uint32_t)L.i;
    t->span.len = 1;
    if (L.i >= L.len) {
      t->kind = GT_TOK_EOF;
      t->span.len = 0;
      n++;
      break;
    }
    unsigned char c = (unsigned char)L.s[L.i];
    size_t start = L.i;
    if (c == '\n') {
      L.i++;
      if (depth > 0)
        continue;
      t->kind = GT_TOK_NEWLINE;
    } else if (isdigit(c) || (c == '.' && L.i + 1 < L.len
                              && isdigit((unsigned char)L.s[L.i + 1]))) {
      lex_number(&L, start);
      t->kind = GT_TOK_NUM;
    } else if (is_name_start(c)) {
      while (L.i < L.len && is_name_char((unsigned char)L.s[L.i]))
        L.i++;
      t->kind = keyword(L.s + start, L.i - start);
    } else if (c == '"') {
      lex_string(&L, start);
      t->kind = GT_TOK_STRING;
    } else {
      int c1 = L.i + 1 < L.len ? (unsigned char)L.s[L.i + 1] : 0;
      L.i++;
      int kind = lex_punct(&L, c, c1, &depth);
      if (kind < 0) {
        stray(&L, c, start);
        continue;
      }
      t->kind = (GtTokKind)kind;
    }
    t->span.len = (uint32_t)(L.i - start);
    n++;
    if (L.failed && diags->n >= 20)
      break;
  }
  if (L.failed) {
    free(toks);
    return NULL;
  }
  *ntok = n;
  return toks;
}
