#!/usr/bin/env python3
"""gen_sfb_e2e.py -- oracle for polygamma, besselj, bessely and the gamma
family to any order (issue 16 item 1): the end-to-end cases tests/e2e/sfb_*.

Values and derivatives to order 8 (or more) at several points, near the
poles of polygamma (0 and the negative integers) and near 0 for bessely
included, through Taylor mode (--order K with one name), recorded sweeps
(--order 2 with two names, nested grad() in the language), tensors and a
loop over the order, --enclose, and located errors.

Expected values, never gradtool's:
  * polygamma, digamma, lgamma: closed forms, the k-th derivative of
    polygamma(n, x) being mpmath.polygamma(n + k, x) (lgamma' = digamma),
    evaluated at 120 and at 160 digits;
  * gamma, besselj, bessely and every program of several operations:
    mpmath.diff (numerical differentiation with its own step control) of the
    mpmath function at 120 and at 160 digits.
The two evaluations must agree to 40 digits before anything is written.
Y_n comes from gen_taylor.yn_series (Abramowitz-Stegun 9.1.11; checked
against mpmath.bessely at 40 digits at every point used), since
mpmath.bessely takes seconds per call at these precisions.  Numbers are
printed with 25 significant digits by gen_sf_e2e.text (which checks that
they do not depend on a relative change of 2^-100, so not on gradtool's
last bits); --enclose bounds are the oracle's value rounded down and up to
20 digits (the intervals are far narrower than 1e-20 relative), checked to
lie at least 1e-30 relative away from a 20-digit decimal.  Error cases are
written by hand below, with the message of the NaN policy.

Usage: /usr/bin/python3 tests/oracle/gen_sfb_e2e.py   (writes tests/e2e/sfb_*)
"""

import glob
import os
import sys
from fractions import Fraction as Q

import mpmath
from mpmath import mpf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_e2e  # noqa: E402  (the decimal formatter)
import gen_sf_e2e  # noqa: E402  (25 robust digits, labels)
import gen_taylor  # noqa: E402  (Y_n by its series)

E2E = os.path.join(HERE, "..", "e2e")
ORDER = 8
LO_DPS, HI_DPS = 120, 160


def yn(n, x):
    return gen_taylor.yn_series(int(n), x)


def lgamma_abs(x):
    return mpmath.log(abs(mpmath.gamma(x)))


# ---- one function, derivatives 0..ORDER ------------------------------------
# name -> (mpmath function f(n, x), closed-form k-th derivative or None)

FUNCS = {
    "polygamma": (lambda n, x: mpmath.psi(n, x),
                  lambda n, x, k: mpmath.psi(n + k, x)),
    "digamma": (lambda n, x: mpmath.psi(0, x),
                lambda n, x, k: mpmath.psi(k, x)),
    "lgamma": (lambda n, x: lgamma_abs(x),
               lambda n, x, k: lgamma_abs(x) if k == 0
               else mpmath.psi(k - 1, x)),
    "gamma": (lambda n, x: mpmath.gamma(x), None),
    # maxprec: J_1000 near x = 1000 needs far more than the default
    "besselj": (lambda n, x: mpmath.besselj(n, x, maxprec=100000), None),
    "bessely": (yn, None),
}

# (function, order n or None, x, derivative order K); dyadic points, exact
# in binary.  2^-7 = 0.0078125 is near the pole at 0, -2.9921875 = -3 +
# 2^-7 near the pole at -3.
POINTS = [
    ("polygamma", 0, "0.5", 8), ("polygamma", 1, "3.25", 8),
    ("polygamma", 3, "-1.5", 8), ("polygamma", 2, "0.0078125", 8),
    ("polygamma", 1, "-2.9921875", 8), ("polygamma", 4, "-0.0078125", 8),
    ("polygamma", 6, "20", 8),
    ("digamma", None, "1.5", 8), ("digamma", None, "-0.4921875", 8),
    ("digamma", None, "1000", 8),
    ("lgamma", None, "0.75", 8), ("lgamma", None, "-2.5", 8),
    ("lgamma", None, "100", 8), ("lgamma", None, "0.0078125", 8),
    ("lgamma", None, "0.5", 20),
    ("gamma", None, "0.75", 8), ("gamma", None, "-1.25", 8),
    ("gamma", None, "5.5", 8), ("gamma", None, "-2.9921875", 8),
    ("besselj", 0, "2.5", 8), ("besselj", 1, "-7.25", 8),
    ("besselj", -2, "0.125", 8), ("besselj", 10, "3", 8),
    ("besselj", 0, "0", 8), ("besselj", 1, "0", 8), ("besselj", 3, "40", 8),
    # order ~ argument: Arb loses 660 bits on J_1001(1000) (lib/sf.c)
    ("besselj", 1000, "1000", 3),
    ("bessely", 0, "2.5", 8), ("bessely", 1, "0.0078125", 8),
    ("bessely", -3, "5.5", 8), ("bessely", 2, "30", 8),
    ("bessely", 0, "0.0009765625", 8),
]


def text(v):
    """25 digits as gradtool prints them: an exact value (a Fraction, exact
    in binary) with every digit shown, trailing zeros included, or as an
    integer; otherwise gen_sf_e2e.text (checked to be robust)."""
    if isinstance(v, Q):
        return "0" if v == 0 else gen_e2e.fmt(v, 128, 25)
    return gen_sf_e2e.text(v)


def agree(a, b, what):
    if isinstance(b[0], Q):
        assert a == b, what
        return
    for u, v in zip(a, b):
        assert abs(u - v) <= abs(v) * mpf(10) ** -40 + mpf(10) ** -100, \
            (what, u, v)


def besselj_at_0(n, K):
    """d^k/dx^k J_n(x) at x = 0 exactly, from the series
    J_n(x) = sum_m (-1)^m / (m! (m + n)!) (x/2)^(2m + n), n >= 0: k! times
    the coefficient of x^k (numerical differentiation leaves noise of
    1e-180 where these are 0)."""
    from math import factorial
    out = []
    for k in range(K + 1):
        m2 = k - n
        if m2 < 0 or m2 % 2:
            out.append(Q(0))
            continue
        m = m2 // 2
        out.append(Q((-1) ** m * factorial(k),
                     factorial(m) * factorial(m + n) * 2 ** k))
    return out


def jet(name, n, x, K, dps):
    f, closed = FUNCS[name]
    if name == "besselj" and Q(x) == 0 and n >= 0:
        return besselj_at_0(n, K)
    with mpmath.workdps(dps):
        xv = mpf(x)
        if closed is not None:
            return [closed(n, xv, k) for k in range(K + 1)]
        g = lambda t: f(n, t)  # noqa: E731
        return [g(xv)] + [mpmath.diff(g, xv, k) for k in range(1, K + 1)]


def safe(s):
    return s.replace("-", "m").replace(".", "p")


def write(case, args, out=None, err=None, status=None, gt=None):
    base = os.path.join(E2E, case)
    if gt is not None:
        with open(base + ".gt", "w") as fh:
            fh.write(gt)
    if args is not None:
        with open(base + ".args", "w") as fh:
            fh.write(args + "\n")
    for ext, text in ((".out", out), (".err", err),
                      (".status", None if status is None
                       else "%d\n" % status)):
        if text is not None:
            with open(base + ext, "w") as fh:
                fh.write(text)


def single_cases():
    for name, n, x, K in POINTS:
        a = jet(name, n, x, K, LO_DPS)
        b = jet(name, n, x, K, HI_DPS)
        agree(a, b, (name, n, x))
        call = "%s(x)" % name if n is None else "%s(%d, x)" % (name, n)
        case = "sfb_%s_%s%s" % (name, "" if n is None else "%s_" % safe(str(n)),
                                safe(x))
        if K != ORDER:
            case += "_order%d" % K
        if K <= ORDER:
            args = ("-e 'input x = %s; y = %s' --order %d --all-orders "
                    "--digits 25" % (x, call, K))
            out = "".join("%s = %s\n" % (gen_sf_e2e.label(k), text(b[k]))
                          for k in range(K + 1))
        else:
            args = "-e 'input x = %s; y = %s' --order %d --digits 25" % (
                x, call, K)
            out = "y = %s\n%s = %s\n" % (text(b[0]), gen_sf_e2e.label(K),
                                         text(b[K]))
        write(case, args, out)


# ---- programs of several operations ----------------------------------------

def diff2(f, pt, orders, dps):
    with mpmath.workdps(dps):
        p = tuple(mpf(v) for v in pt)
        if sum(orders) == 0:
            return f(*p)
        return mpmath.diff(f, p, orders)


def both(f, pt, orders):
    a = diff2(f, pt, orders, LO_DPS)
    b = diff2(f, pt, orders, HI_DPS)
    agree([a], [b], (pt, orders))
    return b


def t(v):
    return text(v)


def program_cases():
    # Hessians by recorded sweeps: --order 2 with two names
    f = lambda x, y: (mpmath.besselj(1, x * y)  # noqa: E731
                      + mpmath.psi(2, x + y) * yn(0, y))
    pt = ("1.25", "0.75")
    lines = ["z = " + t(both(f, pt, (0, 0)))]
    for lab, o in (("d2z/dx2", (2, 0)), ("d2z/dxdy", (1, 1)),
                   ("d2z/dy2", (0, 2))):
        lines.append("%s = %s" % (lab, t(both(f, pt, o))))
    write("sfb_hessian_bessel", "--wrt x,y --order 2 --digits 25 "
          "sfb_hessian_bessel.gt", "\n".join(lines) + "\n",
          gt="# Hessian of Bessel and polygamma terms by recorded sweeps "
             "(issue 16 item 1)\ninput x = 1.25\ninput y = 0.75\n"
             "z = besselj(1, x * y) + polygamma(2, x + y) * bessely(0, y)\n")

    g = lambda a, b: (lgamma_abs(a * b) - mpmath.gamma(a / b)  # noqa: E731
                      + mpmath.psi(0, a + b))
    pt = ("2.5", "1.75")
    lines = ["z = " + t(both(g, pt, (0, 0)))]
    for lab, o in (("d2z/da2", (2, 0)), ("d2z/dadb", (1, 1)),
                   ("d2z/db2", (0, 2))):
        lines.append("%s = %s" % (lab, t(both(g, pt, o))))
    write("sfb_hessian_gamma", "--wrt a,b --order 2 --digits 25 "
          "sfb_hessian_gamma.gt", "\n".join(lines) + "\n",
          gt="# Hessian through lgamma, gamma and digamma (issue 16 item 1)\n"
             "input a = 2.5\ninput b = 1.75\n"
             "z = lgamma(a * b) - gamma(a / b) + digamma(a + b)\n")

    # nested grad() in the language (recorded adjoints, to order 4) and
    # grad(y, x, 3) (Taylor mode), each differentiated once more by the
    # command line
    x0 = "0.75"
    with mpmath.workdps(HI_DPS):
        a = [mpmath.psi(k, mpf(x0)) for k in (2, 3)]
    j2 = lambda s: mpmath.besselj(2, s)  # noqa: E731
    y1 = lambda s: yn(1, s)  # noqa: E731
    b = [both(lambda s: j2(s), (x0,), (k,)) for k in (3, 4)]
    c = [both(lambda s: y1(s), (x0,), (k,)) for k in (2, 3)]
    out = "".join("%s = %s\n" % (v, t(w[0])) for v, w in
                  (("a", a), ("b", b), ("c", c)))
    out += "".join("d%s/dx = %s\n" % (v, t(w[1])) for v, w in
                   (("a", a), ("b", b), ("c", c)))
    write("sfb_nested", "--digits 25 sfb_nested.gt", out,
          gt="# nested grad() through lgamma and bessely, grad(y, x, 3) of "
             "besselj (issue 16 item 1)\ninput x = 0.75\n"
             "a = grad(grad(grad(lgamma(x), x), x), x)\n"
             "b = grad(besselj(2, x), x, 3)\n"
             "c = grad(grad(bessely(1, x), x), x)\noutput a, b, c\n")

    # the order as a tensor, and as a loop counter
    with mpmath.workdps(HI_DPS):
        xv = mpf(2)
        vals = [mpmath.psi(k, xv) for k in range(3)]
        dsum = sum(mpmath.psi(k + 1, xv) for k in range(3))
    write("sfb_tensor_order", "-e 'input x = 2; y = polygamma([0, 1, 2], x)' "
          "--digits 25",
          "y = [%s]\ndy/dx = %s\n" % (", ".join(t(v) for v in vals), t(dsum)))
    with mpmath.workdps(HI_DPS):
        xv = mpf("1.5")
        s = [sum(mpmath.psi(k + d, xv) / (k + 1) for k in range(4))
             for d in range(3)]
    write("sfb_loop_order", "--order 2 --all-orders --digits 25 "
          "sfb_loop_order.gt",
          "s = %s\nds/dx = %s\nd2s/dx2 = %s\n" % tuple(t(v) for v in s),
          gt="# polygamma with a loop counter as its order (issue 16 item 1)"
             "\ninput x = 1.5\ns = 0\n"
             "for k in range(4) { s += polygamma(k, x) / (k + 1) }\n"
             "output s\n")

    # the order as an input: no derivative flows to it (d/dn = 0)
    h = lambda x: mpmath.psi(2, x) * mpmath.besselj(2, x)  # noqa: E731
    write("sfb_order_input", "-e 'input n = 2; input x = 1.5; "
          "y = polygamma(n, x) * besselj(n, x)' --digits 25",
          "y = %s\ndy/dn = 0\ndy/dx = %s\n" % (t(both(h, ("1.5",), (0,))),
                                               t(both(h, ("1.5",), (1,)))))


# ---- --enclose ----------------------------------------------------------------

def bound(v, digits, up):
    """v rounded down (up) to `digits` significant digits, laid out as
    gradtool prints a bound (trailing zeros dropped)."""
    q = Q(mpmath.nstr(v, 80, min_fixed=1, max_fixed=0))
    a = abs(q)
    d, x = gen_e2e.round_sig(a, digits + 10)
    e = x - digits + 1                      # unit of the last digit kept
    m = a / Q(10) ** e
    fl = m.numerator // m.denominator
    # away from a boundary by far more than gradtool's interval is wide
    assert min(m - fl, fl + 1 - m) > Q(1, 10 ** 9), ("near a boundary", v)
    mag = fl + 1 if (up and q > 0) or (not up and q < 0) else fl
    d = str(mag)
    if len(d) > digits:                     # 999.. rounded up
        x += 1
    d = d.rstrip("0") or "0"
    return ("-" if q < 0 else "") + gen_e2e.layout(d, x)


def enclose_cases():
    f = lambda s: (mpmath.psi(1, s) * mpmath.besselj(2, s)  # noqa: E731
                   + yn(0, s) - lgamma_abs(s))
    x0 = "1.5"
    lines = []
    for k in range(4):
        v = both(f, (x0,), (k,))
        iv = "[%s, %s]" % (bound(v, 20, False), bound(v, 20, True))
        lines.append("%s in %s" % (gen_sf_e2e.label(k), iv))
    write("sfb_enclose", "--enclose --order 3 --all-orders --digits 20 -e "
          "'input x = 1.5; y = polygamma(1, x) * besselj(2, x) "
          "+ bessely(0, x) - lgamma(x)'", "\n".join(lines) + "\n")


# ---- located errors ---------------------------------------------------------

def caret(src, col, length):
    return "    1 | %s\n      | %s^%s\n" % (src, " " * (col - 1),
                                            "~" * (length - 1))


PG = ("n must be an integer from 0 to 1000 and x not 0, -1, -2, ... "
      "(poles)")
BJ = "n must be an integer from -1000 to 1000, x real"
BY = "x must be > 0, n an integer from -1000 to 1000"
ERRORS = [
    ("polygamma_noninteger", "2", "polygamma(1.5, x)", "polygamma(1.5, 2)",
     PG),
    ("polygamma_negative", "2", "polygamma(-1, x)", "polygamma(-1, 2)", PG),
    ("polygamma_too_high", "2", "polygamma(1001, x)", "polygamma(1001, 2)",
     PG),
    ("polygamma_pole", "-2", "polygamma(3, x)", "polygamma(3, -2)", PG),
    ("polygamma_pole0", "0", "polygamma(0, x)", "polygamma(0, 0)", PG),
    ("besselj_noninteger", "1", "besselj(0.5, x)", "besselj(0.5, 1)", BJ),
    ("besselj_too_high", "1", "besselj(1001, x)", "besselj(1001, 1)", BJ),
    ("bessely_zero", "0", "bessely(0, x)", "bessely(0, 0)", BY),
    ("bessely_negative", "-1.5", "bessely(2, x)", "bessely(2, -1.5)", BY),
]


def error_cases():
    for tag, x, call, shown, dom in ERRORS:
        src = "input x = %s; y = %s" % (x, call)
        col = src.index(call) + 1
        err = ("<command-line>:1:%d: error: %s is not a number (NaN): %s; "
               "pass --nan-ok to allow NaN values\n" % (col, shown, dom)
               + caret(src, col, len(call)))
        write("sfb_err_" + tag, "-e '%s' --wrt x" % src, err=err, status=4)


def main():
    for old in glob.glob(os.path.join(E2E, "sfb_*")):
        os.remove(old)
    single_cases()
    program_cases()
    enclose_cases()
    error_cases()
    print("gen_sfb_e2e: wrote %d files" %
          len(glob.glob(os.path.join(E2E, "sfb_*"))))


if __name__ == "__main__":
    mpmath.mp.dps = HI_DPS
    sys.exit(main())
