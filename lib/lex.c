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
  [GT_TOK_SLASHEQ] = "'/='", [GT_TOK_EQ] = "'=='", [GT_TOK_NE] = "'!='",
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

GtToken *
gt_lex(const GtSource *src, uint32_t srcid, GtDiagList *diags, size_t *ntok)
{
  const char *s = src->text;
  size_t len = src->len;
  size_t cap = 64, n = 0, i = 0;
  int depth = 0; /* ( and [ nesting: newlines inside do not count */
  int failed = 0;
  GtToken *toks = malloc(cap * sizeof *toks);
  if (toks == NULL)
    return NULL;

  for (;;) {
    /* skip blanks and comments */
    while (i < len) {
      if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f'
          || s[i] == '\v')
        i++;
      else if (s[i] == '#')
        while (i < len && s[i] != '\n')
          i++;
      else if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\n')
        i += 2; /* explicit line continuation */
      else
        break;
    }
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
    t->span.off = (uint32_t)i;
    t->span.len = 1;
    if (i >= len) {
      t->kind = GT_TOK_EOF;
      t->span.len = 0;
      n++;
      break;
    }
    unsigned char c = (unsigned char)s[i];
    size_t start = i;
    if (c == '\n') {
      i++;
      if (depth > 0)
        continue;
      t->kind = GT_TOK_NEWLINE;
    } else if (isdigit(c) || (c == '.' && i + 1 < len
                              && isdigit((unsigned char)s[i + 1]))) {
      while (i < len && isdigit((unsigned char)s[i]))
        i++;
      if (i < len && s[i] == '.') {
        i++;
        while (i < len && isdigit((unsigned char)s[i]))
          i++;
      }
      if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-'))
          j++;
        if (j < len && isdigit((unsigned char)s[j])) {
          i = j;
          while (i < len && isdigit((unsigned char)s[i]))
            i++;
        }
      }
      t->kind = GT_TOK_NUM;
      if (i < len && (is_name_char((unsigned char)s[i]) || s[i] == '.')) {
        size_t j = i;
        while (j < len && (is_name_char((unsigned char)s[j]) || s[j] == '.'))
          j++;
        GtSpan sp = { srcid, (uint32_t)start, (uint32_t)(j - start) };
        gt_diag_add(diags, GT_SEV_ERROR, src, sp,
                    "invalid number '%.*s'", (int)(j - start), s + start);
        failed = 1;
        i = j;
      }
    } else if (is_name_start(c)) {
      while (i < len && is_name_char((unsigned char)s[i]))
        i++;
      t->kind = keyword(s + start, i - start);
    } else if (c == '"') {
      i++;
      while (i < len && s[i] != '"' && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < len && s[i + 1] != '\n') {
          /* the escapes print() resolves; any other is a mistake that
             would otherwise vanish from the output */
          unsigned char e = (unsigned char)s[i + 1];
          if (e != '"' && e != '\\' && e != 'n' && e != 't') {
            GtSpan sp = { srcid, (uint32_t)i, 2 };
            if (e > ' ' && e < 0x7f)
              gt_diag_add(diags, GT_SEV_ERROR, src, sp,
                          "unknown escape sequence '\\%c' in a string "
                          "(use \\\\ for a backslash)", e);
            else
              gt_diag_add(diags, GT_SEV_ERROR, src, sp,
                          "unknown escape sequence in a string: '\\' "
                          "followed by byte 0x%02X", e);
            failed = 1;
          }
          i++;
        }
        i++;
      }
      if (i >= len || s[i] != '"') {
        GtSpan sp = { srcid, (uint32_t)start, 1 };
        gt_diag_add(diags, GT_SEV_ERROR, src, sp,
                    "missing terminating '\"' character");
        failed = 1;
      } else
        i++;
      t->kind = GT_TOK_STRING;
    } else {
      int c1 = i + 1 < len ? (unsigned char)s[i + 1] : 0;
      i++;
      switch (c) {
      case '(': t->kind = GT_TOK_LPAREN; depth++; break;
      case ')': t->kind = GT_TOK_RPAREN; if (depth > 0) depth--; break;
      case '[': t->kind = GT_TOK_LBRACK; depth++; break;
      case ']': t->kind = GT_TOK_RBRACK; if (depth > 0) depth--; break;
      case '{': t->kind = GT_TOK_LBRACE; break;
      case '}': t->kind = GT_TOK_RBRACE; break;
      case ',': t->kind = GT_TOK_COMMA; break;
      case ';': t->kind = GT_TOK_SEMI; break;
      case ':': t->kind = GT_TOK_COLON; break;
      case '@': t->kind = GT_TOK_AT; break;
      case '%': t->kind = GT_TOK_PERCENT; break;
      case '^': t->kind = GT_TOK_CARET; break;
      case '+':
        t->kind = c1 == '=' ? (i++, GT_TOK_PLUSEQ) : GT_TOK_PLUS;
        break;
      case '-':
        t->kind = c1 == '=' ? (i++, GT_TOK_MINUSEQ) : GT_TOK_MINUS;
        break;
      case '*':
        if (c1 == '*') {
          i++;
          t->kind = GT_TOK_CARET;
        } else
          t->kind = c1 == '=' ? (i++, GT_TOK_STAREQ) : GT_TOK_STAR;
        break;
      case '/':
        t->kind = c1 == '=' ? (i++, GT_TOK_SLASHEQ) : GT_TOK_SLASH;
        break;
      case '=':
        t->kind = c1 == '=' ? (i++, GT_TOK_EQ) : GT_TOK_ASSIGN;
        break;
      case '<':
        t->kind = c1 == '=' ? (i++, GT_TOK_LE) : GT_TOK_LT;
        break;
      case '>':
        t->kind = c1 == '=' ? (i++, GT_TOK_GE) : GT_TOK_GT;
        break;
      case '!':
        if (c1 == '=') {
          i++;
          t->kind = GT_TOK_NE;
          break;
        }
        /* fall through */
      default: {
        GtSpan sp = { srcid, (uint32_t)start, 1 };
        if (c == '!')
          gt_diag_add(diags, GT_SEV_ERROR, src, sp,
                      "unexpected '!'; logical negation is spelled 'not'");
        else if (c == '&' || c == '|')
          gt_diag_add(diags, GT_SEV_ERROR, src, sp,
                      "unexpected '%c'; use 'and' / 'or'", c);
        else if (c >= 0x20 && c < 0x7f)
          gt_diag_add(diags, GT_SEV_ERROR, src, sp, "stray '%c' in program",
                      c);
        else
          gt_diag_add(diags, GT_SEV_ERROR, src, sp,
                      "stray byte 0x%02X in program (only ASCII is allowed "
                      "outside strings and comments)", c);
        failed = 1;
        /* skip the rest of a multi-byte sequence so one character gives
           one error */
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
          i++;
        continue;
      }
      }
    }
    t->span.len = (uint32_t)(i - start);
    n++;
    if (failed && diags->n >= 20)
      break;
  }
  if (failed) {
    free(toks);
    return NULL;
  }
  *ntok = n;
  return toks;
}
