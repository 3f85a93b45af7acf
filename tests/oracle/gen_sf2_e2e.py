#!/usr/bin/env python3
"""gen_sf2_e2e.py -- oracle for zeta, beta, lbeta, gamma_inc and logsumexp
(issue 16 item 1): the end-to-end cases tests/e2e/sf2_*.

Derivatives to order 8 at several points, near the poles included (zeta
near 1, beta and lbeta near the non-positive integers, gamma_inc near
x = 0), each case
  gradtool -e 'input x = X; y = f(x)' --order 8 --all-orders --digits 25
(Taylor mode), plus the same derivatives through nested grad() (the
recorded sweeps and the derivative ops zeta_d, beta_d, lbeta_d), mixed
partials of beta and lbeta, --enclose containment (the bounds are the
oracle's value rounded down and up to the printed digits, right since the
enclosures are far narrower than those digits), logsumexp's value and
gradient (softmax) on large and small elements, and the located errors.

Two routes, which must agree to 40 digits before anything is written:
  zeta:      mpmath.zeta(s, 1, k) at 160 digits, mpmath.diff at 120;
  the rest:  mpmath.diff of the mpmath function at 120 and at 160 digits
             (gamma_inc(3, x) at x = 0 from its closed form
             2 e^-x (1 + x + x^2/2), since mpmath.diff samples x < 0);
  logsumexp: log(sum(exp(t))) and exp(t - y) at 120 and 160 digits.
The printed digits are formatted by gen_sf_e2e.text (gen_e2e's formatter),
checked not to depend on a relative change of 2^-100.

Usage: /usr/bin/python3 tests/oracle/gen_sf2_e2e.py   (writes
tests/e2e/sf2_*; about a minute)
"""

import os
import sys
from decimal import Decimal, ROUND_CEILING, ROUND_FLOOR, getcontext

import mpmath
from mpmath import mpf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_sf_e2e  # noqa: E402  (text(): 25 robust digits, gen_e2e layout)

E2E = os.path.join(HERE, "..", "e2e")
ORDER = 8
DIGITS = 25
text = gen_sf_e2e.text
label = gen_sf_e2e.label
safe = gen_sf_e2e.safe
getcontext().prec = 200


def write(name, args=None, out="", gt=None, err=None, status=None):
    for ext, body in ((".args", args), (".out", out), (".gt", gt),
                      (".err", err), (".status", status)):
        if body is not None:
            with open(os.path.join(E2E, name + ext), "w") as fh:
                fh.write(body)


def two_routes(f, x, dps1=120, dps2=160, first=None):
    """f^(k)(x), k = 0..ORDER, by mpmath.diff at two precisions (or by
    first(x, k, dps) for the first route), agreeing to 40 digits."""
    res = []
    for dps, how in ((dps1, first), (dps2, None)):
        with mpmath.workdps(dps):
            xv = mpf(x)
            if how is not None:
                res.append([how(xv, k) for k in range(ORDER + 1)])
            else:
                res.append([f(xv)] + [mpmath.diff(f, xv, k)
                                      for k in range(1, ORDER + 1)])
    for u, v in zip(*res):
        assert abs(u - v) <= abs(v) * mpf(10) ** -40 + mpf(10) ** -100, \
            (x, u, v)
    return res[0] if first is not None else res[1]


def deriv_case(name, prog, ders):
    write(name, "-e '%s' --order %d --all-orders --digits %d\n"
          % (prog, ORDER, DIGITS),
          "".join("%s = %s\n" % (label(k), text(ders[k]))
                  for k in range(ORDER + 1)))


# ---- zeta -------------------------------------------------------------------

def zeta_first(s, k):
    return mpmath.zeta(s, 1, k) if k else mpmath.zeta(s)


# 0.9990234375 = 1 - 2^-10 and 1.0009765625 = 1 + 2^-10: near the pole
ZETA_POINTS = ["2.5", "-3.5", "0.5", "0.9990234375", "1.0009765625", "30",
               "-20.5"]


def zeta_cases():
    for x in ZETA_POINTS:
        d = two_routes(mpmath.zeta, x, 160, 120, first=zeta_first)
        deriv_case("sf2_zeta_%s" % safe(x), "input x = %s; y = zeta(x)" % x,
                   d)
    # nested grad(): the recorded rules (zeta_d of orders 1..3)
    with mpmath.workdps(160):
        s = mpf("-3.5")
        vals = [mpmath.zeta(s, 1, k) for k in (3, 4)]
    write("sf2_zeta_nested",
          "-e 'input x = -3.5; d3 = grad(grad(grad(zeta(x), x), x), x)' "
          "--wrt x --digits %d\n" % DIGITS,
          "d3 = %s\ndd3/dx = %s\n" % (text(vals[0]), text(vals[1])))


# ---- beta, lbeta -----------------------------------------------------------

def lbeta(a, b):
    return mpmath.log(abs(mpmath.beta(a, b)))


# (a, b): 1 - 2^-10 ... near the poles of Gamma at -1 and of 1/B
BETA_POINTS = [("1.5", "2.25"), ("-0.5", "2.25"), ("-0.9990234375", "2.5"),
               ("5", "7")]
LBETA_POINTS = [("1.5", "2.25"), ("50", "70"), ("-0.5", "2.25"),
                ("-1.0009765625", "2.5")]


def beta_cases():
    for fname, fn, points in (("beta", mpmath.beta, BETA_POINTS),
                              ("lbeta", lbeta, LBETA_POINTS)):
        for a, b in points:
            # in a (b fixed), and in b (a fixed)
            d = two_routes(lambda t: fn(t, mpf(b)), a)
            deriv_case("sf2_%s_%s_%s" % (fname, safe(a), safe(b)),
                       "input x = %s; y = %s(x, %s)" % (a, fname, b), d)
            d = two_routes(lambda t: fn(mpf(a), t), b)
            deriv_case("sf2_%s_%s_%s_inb" % (fname, safe(a), safe(b)),
                       "input x = %s; y = %s(%s, x)" % (b, fname, a), d)
        # mixed partials of order 2 (Hessian) and 3 (nested grad)
        a, b = points[0]
        h = []
        for order in ((2, 0), (1, 1), (0, 2), (2, 1)):
            vs = []
            for dps in (120, 160):
                with mpmath.workdps(dps):
                    vs.append(mpmath.diff(fn, (mpf(a), mpf(b)), order))
            assert abs(vs[0] - vs[1]) <= abs(vs[1]) * mpf(10) ** -40
            h.append(vs[1])
        write("sf2_%s_hessian" % fname,
              "-e 'input a = %s; input b = %s; y = %s(a, b)' --wrt a,b "
              "--order 2 --digits %d\n" % (a, b, fname, DIGITS),
              "y = %s\nd2y/da2 = %s\nd2y/dadb = %s\nd2y/db2 = %s\n"
              % (text(fn(mpf(a), mpf(b))), text(h[0]), text(h[1]),
                 text(h[2])))
        write("sf2_%s_nested" % fname,
              "-e 'a = %s; b = %s; z = grad(grad(grad(%s(a, b), a), a), b)'"
              " --digits %d\n" % (a, b, fname, DIGITS),
              "z = %s\n" % text(h[3]))


# ---- gamma_inc ---------------------------------------------------------------

GI_POINTS = [("1.5", "2.25"), ("-0.5", "0.75"), ("2.5", "30"),
             ("1.5", "0.0009765625"), ("3", "0")]


def gamma_inc_cases():
    for a, x in GI_POINTS:
        if x == "0":
            # Gamma(3, x) = 2 e^-x (1 + x + x^2/2), entire in x
            def f(t):
                return 2 * mpmath.exp(-t) * (1 + t + t * t / 2)

            def first(t, k):
                # exact: 2 (-1)^k (1 - k + k (k - 1) / 2) at t = 0
                return mpf(2 * (-1) ** k * (1 - k + k * (k - 1) // 2))
            with mpmath.workdps(160):
                assert abs(mpmath.gammainc(3, mpf("0.5")) -
                           f(mpf("0.5"))) < mpf(10) ** -150
            d = two_routes(f, x, first=first)
        else:
            d = two_routes(lambda t: mpmath.gammainc(mpf(a), t), x)
        deriv_case("sf2_gamma_inc_%s_%s" % (safe(a), safe(x)),
                   "input x = %s; y = gamma_inc(%s, x)" % (x, a), d)
    # the x-derivative recorded (pow, exp), then differentiated in a
    with mpmath.workdps(160):
        a, x = mpf("1.5"), mpf("2.25")
        dx = -x ** (a - 1) * mpmath.exp(-x)
        dxa = dx * mpmath.log(x)
    write("sf2_gamma_inc_mixed",
          "-e 'input a = 1.5; input x = 2.25; d = grad(gamma_inc(a, x), x)' "
          "--wrt a --digits %d\n" % DIGITS,
          "d = %s\ndd/da = %s\n" % (text(dx), text(dxa)))


def gi_da(a, x, d):
    """d^d/da^d Gamma(a, x) at 160 digits by two routes agreeing to 60
    digits: mpmath.diff of gammainc in a, and the integral of
    t^(a-1) log(t)^d e^-t over (x, inf) (at x = 0: diff of Gamma)."""
    with mpmath.workdps(160):
        a, x = mpf(a), mpf(x)
        u = mpmath.diff(lambda t: mpmath.gammainc(t, x), a, d) if d \
            else mpmath.gammainc(a, x)
        if x == 0:
            v = mpmath.diff(mpmath.gamma, a, d)
        else:
            v = mpmath.quad(lambda t: t ** (a - 1) * mpmath.log(t) ** d
                            * mpmath.exp(-t), [x, x + 1, x + 10, mpmath.inf])
        assert abs(u - v) <= abs(v) * mpf(10) ** -60, (a, x, d, u, v)
        return u


def gamma_inc_da_cases():
    # the derivatives in a (Cauchy's formula in gradtool), with x's
    a, x = "1.5", "2"
    with mpmath.workdps(160):
        am, xm = mpf(a), mpf(x)
        dx = -xm ** (am - 1) * mpmath.exp(-xm)
        dax = dx * mpmath.log(xm)
        dxx = dx * ((am - 1) / xm - 1)
    write("sf2_gamma_inc_da",
          "-e 'input a = %s; input x = %s; y = gamma_inc(a, x)' --wrt a,x "
          "--order 2 --all-orders --digits %d\n" % (a, x, DIGITS),
          "y = %s\ndy/da = %s\ndy/dx = %s\nd2y/da2 = %s\nd2y/dadx = %s\n"
          "d2y/dx2 = %s\n" % (text(gi_da(a, x, 0)), text(gi_da(a, x, 1)),
                              text(dx), text(gi_da(a, x, 2)), text(dax),
                              text(dxx)))
    # nested grad() at a negative order, and Taylor mode in a at x = 0
    # (Gamma(a, 0) = Gamma(a))
    write("sf2_gamma_inc_grad",
          "-e 'input a = -2.5; y = grad(grad(gamma_inc(a, 0.5), a), a)' "
          "--digits %d\n" % DIGITS,
          "y = %s\ndy/da = %s\n" % (text(gi_da("-2.5", "0.5", 2)),
                                    text(gi_da("-2.5", "0.5", 3))))
    write("sf2_gamma_inc_da_taylor",
          "-e 'input a = 3; y = gamma_inc(a, 0)' --wrt a --order 6 "
          "--all-orders --digits %d\n" % DIGITS,
          "".join("%s = %s\n" % (label(k).replace("x", "a"),
                                 text(gi_da("3", "0", k)))
                  for k in range(7)))


def gamma_inc_large_cases():
    # large x, where mpfr_gamma_inc took minutes: Arb's expansion answers
    with mpmath.workdps(160):
        x = mpf(10) ** 5
        y = mpmath.gammainc(mpf("0.5"), x)
        dy = -x ** mpf("-0.5") * mpmath.exp(-x)
        z = mpmath.gammainc(100, x)
    # exact values of some 43000 digits go through gen_e2e's rounding
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    write("sf2_gamma_inc_large",
          "-e 'input x = 1e5; y = gamma_inc(0.5, x); z = gamma_inc(100, x); "
          "output y, z' --wrt x --of y --digits %d\n" % DIGITS,
          "y = %s\nz = %s\ndy/dx = %s\n" % (text(y), text(z), text(dy)))


# ---- logsumexp -----------------------------------------------------------------

def vec(vs):
    return "[" + ", ".join(text(v) for v in vs) + "]"


def logsumexp_cases():
    for name, t in (("small", ["1", "2", "3"]),
                    ("large", ["1000", "1000.5", "-1000", "999"]),
                    ("tiny", ["-1000", "-1001", "-999.5"])):
        res = []
        for dps in (120, 160):
            with mpmath.workdps(dps):
                x = [mpf(v) for v in t]
                y = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in x))
                res.append([y] + [mpmath.exp(v - y) for v in x])
        for u, v in zip(*res):
            assert abs(u - v) <= abs(v) * mpf(10) ** -40
        r = res[1]
        write("sf2_logsumexp_%s" % name,
              "-e 'input x = [%s]; y = logsumexp(x)' --wrt x --digits %d\n"
              % (", ".join(t), DIGITS),
              "y = %s\ndy/dx = %s\n" % (text(r[0]), vec(r[1:])))
    # along an axis (NumPy's numbering): one logsumexp per line, the
    # gradient of their sum is each line's softmax; a line whose largest
    # element is infinite gives that element, with derivative 0
    def lse(line):
        line = [mpf(v) for v in line]
        m = max(line)
        if not mpmath.isfinite(m):
            return m, [mpf(0)] * len(line)
        y = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in line))
        return y, [mpmath.exp(v - y) for v in line]

    def mat(rows):
        return "[" + ", ".join(rows) + "]"

    A = [["1", "2", "3"], ["1000", "30.5", "-1000"]]
    lit = mat("[" + ", ".join(r) + "]" for r in A)
    with mpmath.workdps(160):
        rows = [lse(r) for r in A]
        cols = [lse([A[i][j] for i in range(2)]) for j in range(3)]
    write("sf2_logsumexp_axis1",
          "-e 'input x = %s; y = logsumexp(x, 1)' --wrt x --digits %d\n"
          % (lit, DIGITS),
          "y = %s\ndy/dx = %s\n" % (vec([r[0] for r in rows]),
                                   mat(vec(r[1]) for r in rows)))
    write("sf2_logsumexp_axis0",
          "-e 'input x = %s; y = reduce_logsumexp(x, -2)' --wrt x "
          "--digits %d\n" % (lit, DIGITS),
          "y = %s\ndy/dx = %s\n"
          % (vec([c[0] for c in cols]),
             mat(vec([cols[j][1][i] for j in range(3)]) for i in range(2))))
    B = [["1", "2"], ["inf", "5"], ["-inf", "-inf"]]
    with mpmath.workdps(160):
        rows = [lse(r) for r in B]
        # Hessian of sum(y): s_i (delta_ij - s_j) within a line, else 0
        hess = []
        for i in range(3):
            for k in range(2):
                h = []
                for j in range(3):
                    for l in range(2):
                        if i != j or not mpmath.isfinite(rows[i][0]):
                            h.append(mpf(0))
                        else:
                            si, sl = rows[i][1][k], rows[i][1][l]
                            h.append(si * ((1 if k == l else 0) - sl))
                hess.append(h)

    def ytext(v):
        return "inf" if v == mpmath.inf else "-inf" if v == -mpmath.inf \
            else text(v)
    h4 = mat(mat(mat(vec(hess[i * 2 + k][j * 2:j * 2 + 2]) for j in range(3))
                 for k in range(2)) for i in range(3))
    write("sf2_logsumexp_axis_inf",
          "-e 'input x = [[1, 2], [inf, 5], [-inf, -inf]]; "
          "y = logsumexp(x, -1)' --wrt x --order 2 --all-orders --digits %d\n"
          % DIGITS,
          "y = [%s]\ndy/dx = %s\nd2y/dx2 = %s\n"
          % (", ".join(ytext(r[0]) for r in rows),
             mat(vec(r[1]) for r in rows), h4))
    # a scalar is its own logsumexp; its second derivative is 0
    write("sf2_logsumexp_scalar",
          "-e 'input x = 2.5; y = logsumexp(x)' --wrt x --order 2 "
          "--all-orders\n", "y = 2.5\ndy/dx = 1\nd2y/dx2 = 0\n")


# ---- --enclose -----------------------------------------------------------------

def bound(x, digits, up):
    """x rounded down (up) to `digits` significant digits in the layout of
    lib/format.c for these magnitudes (plain notation, trailing zeros
    dropped)."""
    d = Decimal(mpmath.nstr(x, 140, min_fixed=-10 ** 6, max_fixed=10 ** 6))
    q = Decimal(1).scaleb(d.adjusted() - digits + 1)
    r = d.quantize(q, rounding=ROUND_CEILING if up else ROUND_FLOOR)
    assert -5 <= r.adjusted() < 20, x
    s = format(r, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def interval(x, digits):
    return "[%s, %s]" % (bound(x, digits, False), bound(x, digits, True))


def enclose_cases():
    with mpmath.workdps(160):
        s = mpf("2.5")
        z = [mpmath.zeta(s, 1, k) for k in (0, 3)]
        a, b = mpf("1.5"), mpf("2.25")
        bt = mpmath.beta(a, b)
        lb = lbeta(a, b)
        dbt = mpmath.diff(mpmath.beta, (a, b), (1, 0))
        dlb = mpmath.diff(lbeta, (a, b), (0, 1))
        dlba = mpmath.diff(lbeta, (a, b), (1, 0))
        gi = mpmath.gammainc(a, b)
        dgi = [mpmath.diff(lambda t: mpmath.gammainc(a, t), b, k)
               for k in (2, 4)]
    write("sf2_enclose_zeta",
          "--enclose --digits 20 --wrt x --order 3 -e 'input x = 2.5; "
          "y = zeta(x)'\n",
          "y in %s\nd3y/dx3 in %s\n" % (interval(z[0], 20),
                                         interval(z[1], 20)))
    write("sf2_enclose_beta",
          "--enclose --digits 20 --wrt a -e 'input a = 1.5; b = 2.25;"
          " y = beta(a, b); z = lbeta(a, b); output y, z'\n",
          "y in %s\nz in %s\ndy/da in %s\ndz/da in %s\n"
          % (interval(bt, 20), interval(lb, 20), interval(dbt, 20),
             interval(dlba, 20)))
    write("sf2_enclose_lbeta_nested",
          "--enclose --digits 20 -e 'a = 1.5; b = 2.25; "
          "d = grad(lbeta(a, b), b)'\n", "d in %s\n" % interval(dlb, 20))
    write("sf2_enclose_gamma_inc",
          "--enclose --digits 20 --wrt x --order 4 --all-orders -e "
          "'input x = 2.25; y = gamma_inc(1.5, x)'\n",
          "y in %s\n" % interval(gi, 20) + "".join(
              "%s in %s\n" % (label(k), interval(
                  mpmath.diff(lambda t: mpmath.gammainc(mpf("1.5"), t),
                              mpf("2.25"), k), 20))
              for k in (1, 2, 3, 4)))
    assert dgi


# ---- located errors --------------------------------------------------------------

def caret(line, col, width):
    return ("    1 | %s\n      | %s^%s\n"
            % (line, " " * (col - 1), "~" * (width - 1)))


def error_cases():
    cases = [
        ("sf2_err_zeta_pole", "y = zeta(1)", 5, "zeta(1)",
         "zeta(1) is not a number (NaN): x must not be 1 (pole); pass "
         "--nan-ok to allow NaN values"),
        ("sf2_err_gamma_inc_domain", "y = gamma_inc(2, -0.5)", 5,
         "gamma_inc(2, -0.5)",
         "gamma_inc(2, -0.5) is not a number (NaN): x must be >= 0; pass "
         "--nan-ok to allow NaN values"),
        ("sf2_err_beta_pole", "y = beta(-1, 2.5)", 5, "beta(-1, 2.5)",
         "beta(-1, 2.5) is not a number (NaN): a and b must not be 0, -1, "
         "-2, ... (poles); pass --nan-ok to allow NaN values"),
        ("sf2_err_lbeta_zero", "y = lbeta(0.5, -0.5)", 5,
         "lbeta(0.5, -0.5)",
         "lbeta(0.5, -0.5) is not a number (NaN): a and b must not be 0, "
         "-1, -2, ... (poles), nor a + b (there B = 0); pass --nan-ok to "
         "allow NaN values"),
        ("sf2_err_logsumexp_axis", "y = logsumexp([1, 2], 1)", 23, "1",
         "axis 1 is out of range for a tensor of rank 1"),
        ("sf2_err_logsumexp_scalar_axis", "y = logsumexp(2, 0)", 18, "0",
         "logsumexp of a number has no axis (write logsumexp(x) or give a "
         "tensor)"),
        ("sf2_err_logsumexp_empty", "y = logsumexp(zeros(0))", 5,
         "logsumexp(zeros(0))",
         "logsumexp of an empty tensor (it has no largest element; the sum "
         "of no exponentials is 0, whose log is -inf)"),
    ]
    for name, line, col, tok, msg in cases:
        write(name, "-e '%s'\n" % line, "",
              err="<command-line>:1:%d: error: %s\n%s"
              % (col, msg, caret(line, col, len(tok))), status="4\n")


def main():
    mpmath.mp.dps = 160
    zeta_cases()
    beta_cases()
    gamma_inc_cases()
    gamma_inc_large_cases()
    gamma_inc_da_cases()
    logsumexp_cases()
    enclose_cases()
    error_cases()


if __name__ == "__main__":
    sys.exit(main())
