#!/usr/bin/env python3
# gen_enclose_check.py -- expected outputs of the tests/e2e/enclose_check_*,
# enclose_taylor_* and enclose_batch_* cases (issue 15: --check, --taylor
# and --batch with --enclose), from mpmath and exact rationals, never from
# gradtool.
#
# Every printed bound is the oracle's value rounded outwards to the case's
# --digits (gen_enclose.py's bound()): right for gradtool's interval as
# long as no decimal of that many digits lies between the interval's ends
# and the exact value; the intervals are narrower than 1e-36 relative and
# --digits is at most 35, and no exact value below is a decimal that short
# (tests/enclose_check.py checks the intervals themselves against the same
# oracle, and the verdicts).
#
# Run from the top of the tree: python3 tests/oracle/gen_enclose_check.py
import os
import sys

import mpmath
from mpmath import mp, mpf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_enclose import bound, interval, json_interval, write  # noqa: E402

mp.dps = 150

# ---- --check with --enclose ------------------------------------------------

# sin(x) exp(x) at x = 1/10: the derivative (sin x + cos x) exp x, and a
# hand derivative off by 1e-30 -- within --check's relative tolerance
# (5.4e-20 at 128 bits), but the enclosures are disjoint.
x = mpf(1) / 10
dy = (mpmath.sin(x) + mpmath.cos(x)) * mpmath.exp(x)
PROG = "-e 'input x = 0.1; y = sin(x) * exp(x)'"
RIGHT = "(sin(x) + cos(x)) * exp(x)"
WRONG = RIGHT + " + 1e-30"


def gap_text(gap):
    """The gap printed: the exact difference less the intervals' widths
    (nonzero: 0.1 and 1e-30 are no binary numbers), rounded down to 3
    digits."""
    return bound(gap * (1 - mpf(2) ** -100), 3, False)


write("enclose_check_plain", "%s --check 'x=%s'" % (PROG, WRONG),
      "check dy/dx = %s: agrees at 1 of 1 point (relative tolerance "
      "5.4e-20)\n" % WRONG)
write("enclose_check_wrong",
      "--enclose --digits 35 %s --check 'x=%s'" % (PROG, WRONG),
      "check dy/dx = %s: PROVEN WRONG at 1 of 1 point\n"
      "  at x = 0.1:\n"
      "    dy/dx      in %s\n"
      "    expression in %s\n"
      "    they are at least %s apart\n"
      % (WRONG, interval(dy, 35), interval(dy + mpf("1e-30"), 35),
         gap_text(mpf("1e-30"))))
with open(os.path.join(os.path.dirname(__file__), "..", "e2e",
                       "enclose_check_wrong.status"), "w") as f:
    f.write("1\n")
write("enclose_check_consistent",
      "--enclose --digits 30 %s --check 'x=%s'" % (PROG, RIGHT),
      "check dy/dx = %s: consistent at 1 of 1 point (the enclosures "
      "overlap)\n"
      "  at x = 0.1:\n"
      "    dy/dx      in %s\n"
      "    expression in %s\n" % (RIGHT, interval(dy, 30), interval(dy, 30)))
write("enclose_check_json",
      "--enclose --digits 35 -f json %s --check 'x=%s'" % (PROG, WRONG),
      '{"precision": 128,\n "enclosure": true,\n "points": 1,\n'
      ' "checks": [\n'
      '   {"of": "y", "wrt": ["x"], "expression": "%s", "verdict": '
      '"proven_wrong", "proven_wrong": 1, "consistent": 0, "undefined": 0,'
      '\n    "worst": {"point": {"x": 0.1}, "element": [], "derivative": %s, '
      '"expression": %s, "apart_at_least": %s},\n'
      '    "first_undefined": null}]}\n'
      % (WRONG, json_interval(dy, 35), json_interval(dy + mpf("1e-30"), 35),
         gap_text(mpf("1e-30"))))
with open(os.path.join(os.path.dirname(__file__), "..", "e2e",
                       "enclose_check_json.status"), "w") as f:
    f.write("1\n")

# a gradient: y = sum(sin(p)^2) at p = [3, 2], dy/dp = sin(2p); the
# hand-derived second element is off by 1e-30, the first is right
d1 = mpmath.sin(4)
EXPR = "[2*sin(3)*cos(3), sin(4) + 1e-30]"
write("enclose_check_tensor",
      "--enclose --digits 35 -e 'input p = [3, 2]; y = sum(sin(p)^2)' "
      "--check 'p=%s'" % EXPR,
      "check dy/dp = %s: PROVEN WRONG at 1 of 1 point\n"
      "  at p = [3, 2], element [1]:\n"
      "    dy/dp[1]      in %s\n"
      "    expression[1] in %s\n"
      "    they are at least %s apart\n"
      % (EXPR, interval(d1, 35), interval(d1 + mpf("1e-30"), 35),
         gap_text(mpf("1e-30"))))
with open(os.path.join(os.path.dirname(__file__), "..", "e2e",
                       "enclose_check_tensor.status"), "w") as f:
    f.write("1\n")

# --batch points: exp(x) at 0.5, 1.5 and 3, the hand derivative off by
# 1e-30 above 1: wrong at 2 points, the widest gap relative to the value
# at x = 1.5
BEXPR = "exp(x) + where(x > 1, 1e-30, 0)"
e15 = mpmath.exp(mpf("1.5"))
write("enclose_check_batch",
      "--batch --enclose --digits 35 -e 'y = exp(x)' --check 'x=%s'" % BEXPR,
      "check dy/dx = %s: PROVEN WRONG at 2 of 3 points\n"
      "  the widest gap at x = 1.5:\n"
      "    dy/dx      in %s\n"
      "    expression in %s\n"
      "    they are at least %s apart\n"
      % (BEXPR, interval(e15, 35), interval(e15 + mpf("1e-30"), 35),
         gap_text(mpf("1e-30"))))
with open(os.path.join(os.path.dirname(__file__), "..", "e2e",
                       "enclose_check_batch.stdin"), "w") as f:
    f.write("x\n0.5\n1.5\n3\n")
with open(os.path.join(os.path.dirname(__file__), "..", "e2e",
                       "enclose_check_batch.status"), "w") as f:
    f.write("1\n")

# a comparison the enclosures cannot decide (x * 10 == 1 for x = 0.1):
# the point is undefined, with the operands' intervals, 12 digits each
# way; x * 10 is enclosed as 1 +- a few 2^-128
one_lo = bound(1 - mpf(2) ** -120, 12, False)
one_hi = bound(1 + mpf(2) ** -120, 12, True)
write("enclose_check_undecided",
      "--enclose -e 'input x = 0.1; if x * 10 == 1 { y = x } else "
      "{ y = 2 * x }' --check 'x=1'",
      "check dy/dx = 1: UNDEFINED at every point (1)\n"
      "  undefined at 1 point, the first at x = 0.1: --enclose: cannot "
      "decide the comparison '==': the operands are in [%s, %s] and "
      "[1, 1]; more precision (--prec) may decide it, unless the exact "
      "values are equal\n" % (one_lo, one_hi))
with open(os.path.join(os.path.dirname(__file__), "..", "e2e",
                       "enclose_check_undecided.status"), "w") as f:
    f.write("1\n")

print("gen_enclose_check: wrote the enclose_check_* cases")

# ---- --taylor with --enclose -------------------------------------------------

# W3's function at 1/2: the coefficients y_k = y^(k)(1/2) / k!, k = 0..5
def w3(t):
    return mpmath.exp(mpmath.sin(t)) / (1 + t ** 2)


half = mpf(1) / 2
co = mpmath.taylor(w3, half, 5)
write("enclose_taylor_text",
      "--enclose --digits 25 --wrt x --taylor 5 -e 'input x = 0.5; "
      "y = exp(sin(x)) / (1 + x^2)'",
      "y in %s\n" % interval(co[0], 25)
      + "".join("[x^%d]y in %s\n" % (k, interval(co[k], 25))
                for k in range(6)))
# gamma at 1/2 to order 4 (plain --taylor stops at order 3 of gamma: the
# MPFR Taylor rules lack polygamma functions of higher order)
cg = mpmath.taylor(mpmath.gamma, half, 4)
write("enclose_taylor_json",
      "--enclose --digits 20 -f json --wrt x --taylor 4 -e 'input x = 0.5; "
      "y = gamma(x)'",
      '{"precision": 128,\n "enclosure": true,\n "values": {"y": %s},\n'
      ' "derivatives": [\n   {"of": "y", "wrt": "x", "taylor": [%s]}]}\n'
      % (json_interval(cg[0], 20),
         ", ".join(json_interval(c, 20) for c in cg)))
# CSV: the input's column, then NAME.lo, NAME.hi per coefficient
cs = mpmath.taylor(lambda t: mpmath.sin(t) * mpmath.exp(t), half, 2)
write("enclose_taylor_csv",
      "--enclose --digits 12 -f csv --wrt x --taylor 2 -e 'input x = 0.5; "
      "y = sin(x) * exp(x)'",
      "x,y.lo,y.hi,[x^0]y.lo,[x^0]y.hi,[x^1]y.lo,[x^1]y.hi,[x^2]y.lo,"
      "[x^2]y.hi\n0.500000000000,%s,%s\n"
      % (",".join([bound(cs[0], 12, False), bound(cs[0], 12, True)]),
         ",".join("%s,%s" % (bound(c, 12, False), bound(c, 12, True))
                  for c in cs)))
print("gen_enclose_check: wrote the enclose_taylor_* cases")

# ---- --batch with --enclose ------------------------------------------------

E2E = os.path.join(os.path.dirname(__file__), "..", "e2e")


def put(name, ext, text):
    with open(os.path.join(E2E, name + "." + ext), "w") as f:
        f.write(text)


# y = sin(x) x and dy/dx = sin x + x cos x at three points, 12 digits
rows = ["0.1", "2", "1e-5"]
out = "x,y.lo,y.hi,dy/dx.lo,dy/dx.hi\n"
for r in rows:
    t = mpf(r)
    y = mpmath.sin(t) * t
    d = mpmath.sin(t) + t * mpmath.cos(t)
    out += "%s,%s,%s,%s,%s\n" % (r, bound(y, 12, False), bound(y, 12, True),
                                 bound(d, 12, False), bound(d, 12, True))
write("enclose_batch_csv", "--batch --enclose --digits 12 -e "
      "'y = sin(x) * x'", out)
put("enclose_batch_csv", "stdin", "x\n" + "\n".join(rows) + "\n")

# JSON, two inputs (y = sin(x) w), one object per line, 15 digits
pts = [("0.1", "1"), ("2", "3")]
out = ""
for xs, ws in pts:
    t, w = mpf(xs), mpf(ws)
    out += ('{"precision": 128, "enclosure": true, "inputs": {"x": %s, '
            '"w": %s}, "values": {"y": %s}, "derivatives": [{"of": "y", '
            '"wrt": ["x"], "value": %s}, {"of": "y", "wrt": ["w"], "value": '
            '%s}]}\n' % (xs, ws, json_interval(mpmath.sin(t) * w, 15),
                          json_interval(mpmath.cos(t) * w, 15),
                          json_interval(mpmath.sin(t), 15)))
write("enclose_batch_json", "--batch --enclose --digits 15 -f json -e "
      "'y = sin(x) * w'", out)
put("enclose_batch_json", "stdin",
    "x,w\n" + "".join("%s,%s\n" % p for p in pts))

# a row whose comparison the enclosures cannot decide (x * 10 == 1 at
# x = 0.1) fails as a row does: the error, the note, exit status 4; with
# --skip-bad-rows the next rows follow.  y = 2x at 0.5 is exact; at 0.7
# it is 1.4, which the interval holds with a nonzero radius (0.7 is no
# binary number).
UND = "'if x * 10 == 1 { y = x } else { y = 2 * x }'"
ERR = ("<command-line>:1:4: error: --enclose: cannot decide the comparison "
       "'==': the operands are in [%s, %s] and [1, 1]; more precision "
       "(--prec) may decide it, unless the exact values are equal\n"
       "    1 | if x * 10 == 1 { y = x } else { y = 2 * x }\n"
       "      |    ^~~~~~~~~~~\n" % (one_lo, one_hi))
eps = mpf(2) ** -120
r14 = "0.7,%s,%s,2,2\n" % (bound(mpf("1.4") - eps, 12, False),
                           bound(mpf("1.4") + eps, 12, True))
for name, extra, tail, status, note in [
        ("enclose_batch_undecided", "", "", "4",
         "<stdin>:3: note: the program fails at this row\n"),
        ("enclose_batch_skip", "--skip-bad-rows ", r14, None,
         "<stdin>:3: note: the program fails at this row; row skipped\n")]:
    write(name, "--batch --enclose %s--digits 12 -e %s" % (extra, UND),
          "x,y.lo,y.hi,dy/dx.lo,dy/dx.hi\n0.5,1,1,2,2\n" + tail)
    put(name, "stdin", "x\n0.5\n0.1\n0.7\n")
    put(name, "err", ERR + note)
    if status:
        put(name, "status", status + "\n")
print("gen_enclose_check: wrote the enclose_batch_* cases")

# --enclose-digits with --taylor: from 53 bits the precision doubles until
# each coefficient e^(1/2)/k! proves 30 digits
ce = [mpmath.exp(half) / mpmath.factorial(k) for k in range(4)]
write("enclose_digits_taylor",
      "--enclose-digits 30 --digits 30 -p 53 --wrt x --taylor 3 -e "
      "'input x = 0.5; y = exp(x)'",
      "y in %s\n" % interval(ce[0], 30)
      + "".join("[x^%d]y in %s\n" % (k, interval(ce[k], 30))
                for k in range(4)))
write("enclose_digits_check",
      "--enclose-digits 5 -e 'input x = 1; y = x' --check 'x=1'", "")
put("enclose_digits_check", "err",
    "gradtool: --enclose-digits does not combine with --check: it would "
    "run the points again; give --prec instead\n"
    "Try 'gradtool --help' for more information.\n")
put("enclose_digits_check", "status", "2\n")
os.remove(os.path.join(E2E, "enclose_digits_check.out"))
print("gen_enclose_check: wrote the enclose_digits_* cases")

# --jacobian with --enclose: y = x^2 elementwise at x = [1, 2], so
# dy_i/dx_j = 2 x_i when i = j, else 0 (exact integers: the intervals are
# points); it was the gradient of sum(y) before
xs = [1, 2]
jac = [[2 * xs[i] if i == j else 0 for j in range(2)] for i in range(2)]
write("enclose_jacobian",
      "--enclose --jacobian --wrt x -e 'input x = [1, 2]; y = x^2'",
      "y in [[1, 1], [4, 4]]\ndy/dx in [%s]\n"
      % ", ".join("[%s]" % ", ".join("[%d, %d]" % (v, v) for v in row)
                  for row in jac))
write("enclose_check_jacobian",
      "--enclose --jacobian -e 'input x = [1, 2]; y = x^2' "
      "--check 'x=[[2, 0], [0, 5]]'",
      "check dy/dx = [[2, 0], [0, 5]]: PROVEN WRONG at 1 of 1 point\n"
      "  at x = [1, 2], element [1,1]:\n"
      "    dy/dx[1,1]      in [%d, %d]\n"
      "    expression[1,1] in [5, 5]\n"
      "    they are at least 1 apart\n" % (jac[1][1], jac[1][1]))
put("enclose_check_jacobian", "status", "1\n")
print("gen_enclose_check: wrote the enclose_*jacobian cases")
