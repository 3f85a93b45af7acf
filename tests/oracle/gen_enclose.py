#!/usr/bin/env python3
# gen_enclose.py -- expected outputs of the tests/e2e/enclose_* cases
# (issue 15), from mpmath and exact rationals, never from gradtool.
#
# Each printed bound is the oracle's value rounded down (LO) or up (HI) to
# the case's --digits: right for gradtool's interval as long as no decimal
# of that many digits lies between the interval's ends and the exact value,
# which holds here since the intervals are narrower than 1e-30 relative and
# --digits is at most 25 (tests/enclose_check.py checks the intervals
# themselves against the same oracle).  The layout follows lib/format.c:
# plain notation for exponents -6 .. 21 when every digit is shown, else
# d.ddde+NN; trailing zeros dropped.
#
# Run from the top of the tree: python3 tests/oracle/gen_enclose.py
from decimal import (Decimal, ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN,
                     getcontext)
from fractions import Fraction
import os

import mpmath
from mpmath import mp, mpf

getcontext().prec = 200
mp.dps = 150
E2E = os.path.join(os.path.dirname(__file__), "..", "e2e")


def to_decimal(x):
    if isinstance(x, Fraction):
        return Decimal(x.numerator) / Decimal(x.denominator)
    return Decimal(mpmath.nstr(x, 140))


def bound(x, digits, up):
    """x rounded down (up) to `digits` significant digits, as gradtool's
    gt_format_bound lays it out."""
    d = to_decimal(x)
    if d == 0:
        return "0"
    adj = d.adjusted()                       # d = m * 10^adj, 1 <= |m| < 10
    q = Decimal(1).scaleb(adj - digits + 1)
    r = d.quantize(q, rounding=ROUND_CEILING if up else ROUND_FLOOR)
    neg = r < 0
    digs = str(abs(r).scaleb(-(r.adjusted() - digits + 1)).to_integral())
    e = r.adjusted() + 1                      # value = 0.digs * 10^e
    keep = e if 0 < e <= len(digs) else 1
    digs = digs.rstrip("0") if len(digs.rstrip("0")) >= keep else digs[:keep]
    if len(digs) < keep:
        digs = digs + "0" * (keep - len(digs))
    n = len(digs)
    plain = -5 <= e <= 22 and e <= n
    s = "-" if neg else ""
    if not plain:
        ex = e - 1
        return "%s%s%s%se%s%02d" % (s, digs[0], "." if n > 1 else "",
                                     digs[1:], "-" if ex < 0 else "+",
                                     abs(ex))
    if e <= 0:
        return s + "0." + "0" * (-e) + digs
    if e < n:
        return s + digs[:e] + "." + digs[e:]
    return s + digs


def interval(x, digits):
    return "[%s, %s]" % (bound(x, digits, False), bound(x, digits, True))


def json_interval(x, digits):
    return '{"lo": %s, "hi": %s}' % (bound(x, digits, False),
                                     bound(x, digits, True))


def write(name, args=None, out=None, gt=None):
    if gt is not None:
        with open(os.path.join(E2E, name + ".gt"), "w") as f:
            f.write(gt)
    if args is not None:
        with open(os.path.join(E2E, name + ".args"), "w") as f:
            f.write(args + "\n")
    with open(os.path.join(E2E, name + ".out"), "w") as f:
        f.write(out)


def main():
    """Writes the enclose_* cases (the functions above are shared with
    gen_enclose_check.py, which imports them)."""

    # sin(x) exp(x) at x = 0.1 (exactly 1/10) and its derivative
    x = mpf(1) / 10
    y = mpmath.sin(x) * mpmath.exp(x)
    dy = (mpmath.sin(x) + mpmath.cos(x)) * mpmath.exp(x)
    PROG = "'input x = 0.1; y = sin(x) * exp(x)'"
    write("enclose_text", "--enclose --digits 12 --wrt x -e " + PROG,
          "y in %s\ndy/dx in %s\n" % (interval(y, 12), interval(dy, 12)))
    write("enclose_json", "--enclose --digits 15 --wrt x -f json -e " + PROG,
          '{"precision": 128,\n "enclosure": true,\n "values": {"y": %s},\n'
          ' "derivatives": [\n   {"of": "y", "wrt": ["x"], "value": %s}]}\n'
          % (json_interval(y, 15), json_interval(dy, 15)))
    write("enclose_csv", "--enclose --digits 10 --wrt x -f csv -e " + PROG,
          "x,y.lo,y.hi,dy/dx.lo,dy/dx.hi\n0.1000000000,%s,%s,%s,%s\n"
          % (bound(y, 10, False), bound(y, 10, True), bound(dy, 10, False),
             bound(dy, 10, True)))

    # --verified with --enclose: the 10-digit nearest rounding of the exact
    # value, which every point of the interval shares (its width is 1e-37)
    def nearest(x, digits):
        d = to_decimal(x)
        q = Decimal(1).scaleb(d.adjusted() - digits + 1)
        return str(d.quantize(q, rounding=ROUND_HALF_EVEN))


    write("enclose_verified", "--enclose --verified --digits 10 --wrt x -e "
          + PROG, "y = %s\ndy/dx = %s\n" % (nearest(y, 10), nearest(dy, 10)))

    # Rump's polynomial (examples/enclose/rump.gt) at a = 77617, b = 33096:
    # exact rationals
    a, b = Fraction(77617), Fraction(33096)
    f = (Fraction(33375, 100) * b**6 + a**2 * (11 * a**2 * b**2 - b**6
         - 121 * b**4 - 2) + Fraction(55, 10) * b**8 + a / (2 * b))
    fa = 2 * a * (11 * a**2 * b**2 - b**6 - 121 * b**4 - 2) \
        + a**2 * 22 * a * b**2 + 1 / (2 * b)
    fb = 6 * Fraction(33375, 100) * b**5 + a**2 * (22 * a**2 * b - 6 * b**5
                                                   - 484 * b**3) \
        + 8 * Fraction(55, 10) * b**7 - a / (2 * b**2)
    RUMP = "../../examples/enclose/rump.gt"
    write("enclose_rump", "--enclose --digits 20 -p 128 " + RUMP,
          "f in %s\ndf/da in %s\ndf/db in %s\n"
          % (interval(f, 20), interval(fa, 20), interval(fb, 20)))
    # --enclose-digits from 53 bits: the precision doubles until 25 digits
    write("enclose_digits", "--enclose-digits 25 --digits 25 -p 53 --wrt a "
          + RUMP,
          "f in %s\ndf/da in %s\n" % (interval(f, 25), interval(fa, 25)))

    # W3 of issue 15: the 100th derivative of exp(sin x) / (1 + x^2) at 0.5,
    # proven at 256 bits by Taylor mode on balls; 60 digits shown
    mp.dps = 300
    w3 = mpmath.diff(lambda t: mpmath.exp(mpmath.sin(t)) / (1 + t ** 2),
                     mpf(1) / 2, 100)
    w3v = mpmath.exp(mpmath.sin(mpf(1) / 2)) / (1 + mpf(1) / 4)
    mp.dps = 150
    write("enclose_w3", "--enclose --digits 60 -p 256 --wrt x --order 100 -e "
          "'input x = 0.5; y = exp(sin(x)) / (1 + x^2)'",
          "y in %s\nd100y/dx100 in %s\n" % (interval(w3v, 60),
                                             interval(w3, 60)))

    # at 53 bits no digit of Rump's value is proven (its interval holds 0)
    write("enclose_verified_rump", "--enclose --verified -p 53 -e 'a = 77617; "
          "b = 33096; f = 333.75 * b^6 + a^2 * (11 * a^2 * b^2 - b^6 - 121 * "
          "b^4 - 2) + 5.5 * b^8 + a / (2 * b)'", "f = ?\n")

    # a tensor: every value exact (by hand: sum of squares, gradient 2x)
    write("enclose_tensor", "--enclose --wrt x -e 'input x = [1, 2, 3]; "
          "y = sum(x * x)'",
          "y in [14, 14]\ndy/dx in [[2, 2], [4, 4], [6, 6]]\n")
    print("gen_enclose: wrote the enclose_* cases")


if __name__ == "__main__":
    main()
