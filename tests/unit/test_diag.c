/* test_diag.c -- unit tests of lib/diag.c: GCC-style formatting of
 * diagnostics, and the sources and list that produce them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

static GtDiag
diag(GtSeverity sev, const char *file, unsigned line, unsigned col,
     unsigned len, const char *msg, const char *src)
{
  GtDiag d;
  memset(&d, 0, sizeof d); /* fields added later stay 0 */
  d.severity = sev;
  d.file = file;
  d.line = line;
  d.col = col;
  d.len = len;
  d.message = msg;
  d.source_line = src;
  return d;
}

static void
expect(GtDiag d, const char *want)
{
  char *got = gt_diag_format(&d);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

/* The example of the spec's "Error format". */
static void
test_spec_example(void **state)
{
  (void)state;
  expect(diag(GT_SEV_ERROR, "bad.gt", 2, 5, 2,
              "unknown name 'yy'; did you mean 'y'?", "z = yy * 2"),
         "bad.gt:2:5: error: unknown name 'yy'; did you mean 'y'?\n"
         "    2 | z = yy * 2\n"
         "      |     ^~\n");
}

static void
test_severities(void **state)
{
  (void)state;
  expect(diag(GT_SEV_WARNING, "w.gt", 1, 1, 1, "careful", "x"),
         "w.gt:1:1: warning: careful\n"
         "    1 | x\n"
         "      | ^\n");
  expect(diag(GT_SEV_NOTE, "<stdin>", 3, 5, 3,
              "abs evaluated at its kink (0); its derivative there is taken "
              "as 0", "y = abs(x)"),
         "<stdin>:3:5: note: abs evaluated at its kink (0); its derivative "
         "there is taken as 0\n"
         "    3 | y = abs(x)\n"
         "      |     ^~~\n");
}

static void
test_no_location(void **state)
{
  (void)state;
  expect(diag(GT_SEV_ERROR, "prog.gt", 0, 0, 0, "file is empty", NULL),
         "prog.gt: error: file is empty\n");
  /* a source line without a line number is not shown */
  expect(diag(GT_SEV_ERROR, "prog.gt", 0, 3, 1, "oops", "abc"),
         "prog.gt: error: oops\n");
  expect(diag(GT_SEV_ERROR, NULL, 0, 0, 0, "out of memory", NULL),
         "error: out of memory\n");
  expect(diag(GT_SEV_NOTE, NULL, 0, 0, 0, "in call to 'f'", NULL),
         "note: in call to 'f'\n");
}

static void
test_no_source(void **state)
{
  (void)state;
  expect(diag(GT_SEV_ERROR, "<at>", 1, 4, 2, "bad value", NULL),
         "<at>:1:4: error: bad value\n");
  /* column 0: "file:line:" only, no excerpt */
  expect(diag(GT_SEV_ERROR, "a.gt", 7, 0, 1, "bad line", "x = 1"),
         "a.gt:7: error: bad line\n");
  /* no file name but a location */
  expect(diag(GT_SEV_ERROR, NULL, 2, 3, 1, "here", "abcd"),
         "2:3: error: here\n"
         "    2 | abcd\n"
         "      |   ^\n");
}

/* Tabs before the caret are copied, so the caret lines up however the
   terminal expands them. */
static void
test_tabs(void **state)
{
  (void)state;
  expect(diag(GT_SEV_ERROR, "t.gt", 4, 7, 2, "unknown name 'yy'",
              "\tz = \tyy"),
         "t.gt:4:7: error: unknown name 'yy'\n"
         "    4 | \tz = \tyy\n"
         "      | \t    \t^~\n");
  /* a tab inside the span is underlined like any byte */
  expect(diag(GT_SEV_ERROR, "t.gt", 1, 2, 3, "m", "a\tb c"),
         "t.gt:1:2: error: m\n"
         "    1 | a\tb c\n"
         "      |  ^~~\n");
}

static void
test_clamping(void **state)
{
  (void)state;
  /* span longer than the rest of the line */
  expect(diag(GT_SEV_ERROR, "c.gt", 1, 3, 50, "m", "abcd"),
         "c.gt:1:3: error: m\n"
         "    1 | abcd\n"
         "      |   ^~\n");
  /* one past the end: "expected ')' at end of line" */
  expect(diag(GT_SEV_ERROR, "c.gt", 1, 4, 1, "expected ')' at end of line",
              "f(x"),
         "c.gt:1:4: error: expected ')' at end of line\n"
         "    1 | f(x\n"
         "      |    ^\n");
  /* further out still: clamped to one past the end */
  expect(diag(GT_SEV_ERROR, "c.gt", 1, 40, 3, "m", "f(x"),
         "c.gt:1:40: error: m\n"
         "    1 | f(x\n"
         "      |    ^\n");
  /* len 0 still gets a caret */
  expect(diag(GT_SEV_ERROR, "c.gt", 1, 1, 0, "m", "xyz"),
         "c.gt:1:1: error: m\n"
         "    1 | xyz\n"
         "      | ^\n");
  /* an empty line */
  expect(diag(GT_SEV_ERROR, "c.gt", 9, 1, 1, "expected '}' before end of "
              "file", ""),
         "c.gt:9:1: error: expected '}' before end of file\n"
         "    9 | \n"
         "      | ^\n");
}

static void
test_wide_line_numbers(void **state)
{
  (void)state;
  expect(diag(GT_SEV_ERROR, "big.gt", 12345, 2, 1, "m", "ab"),
         "big.gt:12345:2: error: m\n"
         "12345 | ab\n"
         "      |  ^\n");
  expect(diag(GT_SEV_ERROR, "big.gt", 1234567, 2, 1, "m", "ab"),
         "big.gt:1234567:2: error: m\n"
         "1234567 | ab\n"
         "        |  ^\n");
}

/* Columns count bytes; the caret line gives one column per character, so
   UTF-8 text before or inside the span keeps the caret aligned. */
static void
test_utf8(void **state)
{
  (void)state;
  /* "s = \"\xc3\xa9\" + yy": 'yy' starts at byte 12 (col 12) but is
     the 11th character, so 10 spaces go before the caret */
  expect(diag(GT_SEV_ERROR, "u.gt", 1, 12, 2, "m",
              "s = \"\xc3\xa9\" + yy"),
         "u.gt:1:12: error: m\n"
         "    1 | s = \"\xc3\xa9\" + yy\n"
         "      |           ^~\n");
  expect(diag(GT_SEV_ERROR, "u.gt", 1, 5, 4, "m", "s = \"\xc3\xa9\""),
         "u.gt:1:5: error: m\n"
         "    1 | s = \"\xc3\xa9\"\n"
         "      |     ^~~\n");
}

static void
test_carriage_return(void **state)
{
  (void)state;
  expect(diag(GT_SEV_ERROR, "w.gt", 1, 5, 9, "m", "z = yy\r"),
         "w.gt:1:5: error: m\n"
         "    1 | z = yy\n"
         "      |     ^~\n");
}

/* Sources, positions and the list, end to end. */
static void
test_collect(void **state)
{
  static const char text[] = "a = 1\nz = yy * 2\r\n\tq = a +\n";
  GtSource *src = gt_source_new("bad.gt", text, sizeof text - 1);
  GtDiagList l = {NULL, 0, 0};
  GtSpan span = {0, 10, 2};
  unsigned line, col;
  char *s;
  (void)state;

  assert_non_null(src);
  assert_int_equal(src->nlines, 4);
  gt_source_position(src, 0, &line, &col);
  assert_int_equal(line, 1);
  assert_int_equal(col, 1);
  gt_source_position(src, 10, &line, &col);
  assert_int_equal(line, 2);
  assert_int_equal(col, 5);
  gt_source_position(src, sizeof text - 1, &line, &col);
  assert_int_equal(line, 4);
  assert_int_equal(col, 1);

  gt_diag_add(&l, GT_SEV_ERROR, src, span, "unknown name '%s'; did you mean "
              "'%s'?", "yy", "y");
  span.off = 26;        /* one past the end of "\tq = a +" */
  span.len = 1;
  gt_diag_add(&l, GT_SEV_NOTE, src, span, "expected an operand");
  assert_int_equal(l.n, 2);
  assert_true(gt_diag_has_errors(&l));

  s = gt_diag_format(&l.items[0]);
  assert_string_equal(s, "bad.gt:2:5: error: unknown name 'yy'; did you "
                      "mean 'y'?\n"
                      "    2 | z = yy * 2\n"
                      "      |     ^~\n");
  free(s);
  s = gt_diag_format(&l.items[1]);
  assert_string_equal(s, "bad.gt:3:9: note: expected an operand\n"
                      "    3 | \tq = a +\n"
                      "      | \t       ^\n");
  free(s);

  gt_diag_clear(&l);
  assert_int_equal(l.n, 0);
  assert_false(gt_diag_has_errors(&l));
  gt_diag_add(&l, GT_SEV_WARNING, NULL, span, "no location %d", 42);
  assert_false(gt_diag_has_errors(&l));
  s = gt_diag_format(&l.items[0]);
  assert_string_equal(s, "warning: no location 42\n");
  free(s);
  gt_diag_clear(&l);
  free(l.items);
  gt_source_free(src);
  gt_source_free(NULL);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_spec_example),
    cmocka_unit_test(test_severities),
    cmocka_unit_test(test_no_location),
    cmocka_unit_test(test_no_source),
    cmocka_unit_test(test_tabs),
    cmocka_unit_test(test_clamping),
    cmocka_unit_test(test_wide_line_numbers),
    cmocka_unit_test(test_utf8),
    cmocka_unit_test(test_carriage_return),
    cmocka_unit_test(test_collect),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
