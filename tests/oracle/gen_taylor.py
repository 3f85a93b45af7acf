#!/usr/bin/env python3
"""gen_taylor.py -- oracle for Taylor mode (lib/taylor.c): the unit table
tests/unit/taylor_table.h and the end-to-end cases tests/e2e/taylor_*.

Unit table.  For every primitive of lib/ops.c (the enum GtOp) and two or
three points, one scalar input x and a tiny function of it: the op applied
to x itself, and to inner functions of x (c2 x^2 + c1 x + c0, c1 sin x + c0,
c1 exp x + c0) so that the chain rule inside the recurrences is exercised;
binary ops get both operands varying (pow(x, x), atan2(x, x^2 + 1), ...).
Every constant and every point is a short dyadic number, exact in binary, so
the C side rebuilds exactly the function the oracle differentiates.  The
table holds the derivatives 0..8 (f^(n)(x0), not divided by n!) to 110
digits.  Two routes, which must agree to AGREE digits relative to the row's
largest derivative before anything is printed:
  * sympy differentiates the closed form (on the piece of the definition
    that holds around x0: the branch of where, min/max, abs, relu, the
    quotient of %, the sign of Gamma for lgamma) and evaluates at 130 digits;
  * mpmath.taylor differentiates the same function numerically (mpmath's
    mpmath.* functions, not sympy's) at 150 digits.
Flat ops (comparisons, not, sign, floor, ceil, round, trunc, stop_gradient)
have derivatives 0 of every order: the series must be constant.  Class
LIMITED (rules to some order only, the next must fail) has no member since
the gamma family differentiates to any order through polygamma (issue 16).
The gamma family, polygamma and the Bessel functions (JETS below) take a
different first route, as sympy's polygamma at 130 digits is very slow: the
derivatives of the outer function at v0 = inner(x0) from mpmath closed
forms (psi^(m)(v0 + t) = sum_k psi(m + k, v0) t^k / k!, log|Gamma|' = psi,
Gamma = exp(log|Gamma|) as a power series, B_n^(k) = 2^-k sum_j (-1)^j
C(k, j) B_{n-k+2j} for B = J, Y), composed with the inner function's
Taylor series from sympy; the second route is mpmath.taylor as for the
others.  Mixed partials of a few functions of (x, y) come from sympy, for
the symmetry test through the public API.

Regenerating a few rows: `gen_taylor.py unit --only gamma,polygamma`
recomputes the rows of those ops and copies every other row unchanged
from the existing tests/unit/taylor_table.h; a full run (no --only)
recomputes everything and writes the same file.

End-to-end cases (taylor_*).  High derivatives printed by gradtool, expected
values from mpmath.taylor at 250 and 300 digits (which must agree), or from
closed forms where there are (1/(1+x): (-1)^n n!/(1+x)^(n+1); atan:
(-1)^(n-1) (n-1)! Im (x - i)^-n, both exact rationals at x = 1/2), rounded
once to the working precision and printed with gen_e2e.py's formatter
(--digits N with N well below the precision; gen_e2e.robust_digits checks
that the printed digits do not depend on the last 8 bits).

Usage: python3 tests/oracle/gen_taylor.py [unit] [e2e] [--only OP,...]
(writes both by default; slow: the order-100 case takes a few minutes in
mpmath).  Not run by `make check`.
"""

import math
import os
import re
import sys
from fractions import Fraction as Q

import mpmath
import sympy as sp
from mpmath import mp, mpf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_e2e  # noqa: E402  (the number formatter and rounding)

UNIT = os.path.join(HERE, "..", "unit", "taylor_table.h")
E2E = os.path.join(HERE, "..", "e2e")

ORDER = 8           # derivatives 0..ORDER in the unit table
DIGITS = 110        # digits printed
WORK = 130          # sympy evaluation digits
CHECK = 150         # mpmath.taylor digits
AGREE = 95          # digits the two routes must agree to

X = sp.Symbol("x", real=True)

# ---- inner functions ------------------------------------------------------
# ("x",) | ("c", v) | ("quad", c2, c1, c0) | ("sin", c1, c0) | ("exp", c1, c0)
IX = ("x",)


def K(v):
    return ("c", v)


def QD(c2, c1, c0):
    return ("quad", c2, c1, c0)


def SN(c1, c0):
    return ("sin", c1, c0)


def EX(c1, c0):
    return ("exp", c1, c0)


def rat(s):
    return sp.Rational(Q(s).numerator, Q(s).denominator)


def inner_sym(i):
    k = i[0]
    if k == "x":
        return X
    if k == "c":
        return rat(i[1])
    if k == "quad":
        return rat(i[1]) * X ** 2 + rat(i[2]) * X + rat(i[3])
    if k == "sin":
        return rat(i[1]) * sp.sin(X) + rat(i[2])
    return rat(i[1]) * sp.exp(X) + rat(i[2])


def inner_mp(i):
    k = i[0]
    if k == "x":
        return lambda x: x
    if k == "c":
        return lambda x: mpf(Q(i[1]).numerator) / Q(i[1]).denominator
    c = [mpf(Q(s).numerator) / Q(s).denominator for s in i[1:]]
    if k == "quad":
        return lambda x: c[0] * x * x + c[1] * x + c[2]
    if k == "sin":
        return lambda x: c[0] * mpmath.sin(x) + c[1]
    return lambda x: c[0] * mpmath.exp(x) + c[1]


def inner_text(i):
    k = i[0]
    if k == "x":
        return "x"
    if k == "c":
        return i[1]
    if k == "quad":
        return "%s*x^2+%s*x+%s" % i[1:]
    return "%s*%s(x)+%s" % (i[1], k, i[2])


# ---- the primitives --------------------------------------------------------
# name -> (enum, gt_ops name, arity, class, have, sym(a, v), mp(a, v)) where
# a are the operands (sympy expressions or mpf) and v their values at x0
# (mpf), which pick the piece of a piecewise definition.

def L(f):
    return f


def sgn(v):
    return 1 if v > 0 else -1


OPS = {
    "neg": ("GT_OP_NEG", "-", 1, lambda a, v: -a[0], lambda a, v: -a[0]),
    "add": ("GT_OP_ADD", "+", 2, lambda a, v: a[0] + a[1],
            lambda a, v: a[0] + a[1]),
    "sub": ("GT_OP_SUB", "-", 2, lambda a, v: a[0] - a[1],
            lambda a, v: a[0] - a[1]),
    "mul": ("GT_OP_MUL", "*", 2, lambda a, v: a[0] * a[1],
            lambda a, v: a[0] * a[1]),
    "div": ("GT_OP_DIV", "/", 2, lambda a, v: a[0] / a[1],
            lambda a, v: a[0] / a[1]),
    "mod": ("GT_OP_MOD", "%", 2,
            lambda a, v: a[0] - int(mpmath.floor(v[0] / v[1])) * a[1],
            lambda a, v: a[0] - mpmath.floor(v[0] / v[1]) * a[1]),
    "pow": ("GT_OP_POW", "pow", 2, lambda a, v: a[0] ** a[1],
            lambda a, v: mpmath.power(a[0], a[1])),
    "abs": ("GT_OP_ABS", "abs", 1, lambda a, v: sgn(v[0]) * a[0],
            lambda a, v: sgn(v[0]) * a[0]),
    "sqrt": ("GT_OP_SQRT", "sqrt", 1, lambda a, v: sp.sqrt(a[0]),
             lambda a, v: mpmath.sqrt(a[0])),
    "cbrt": ("GT_OP_CBRT", "cbrt", 1,
             lambda a, v: sgn(v[0]) * (sgn(v[0]) * a[0]) ** sp.Rational(1, 3),
             lambda a, v: sgn(v[0]) * mpmath.cbrt(sgn(v[0]) * a[0])),
    "exp": ("GT_OP_EXP", "exp", 1, lambda a, v: sp.exp(a[0]),
            lambda a, v: mpmath.exp(a[0])),
    "exp2": ("GT_OP_EXP2", "exp2", 1, lambda a, v: 2 ** a[0],
             lambda a, v: mpmath.power(2, a[0])),
    "expm1": ("GT_OP_EXPM1", "expm1", 1, lambda a, v: sp.exp(a[0]) - 1,
              lambda a, v: mpmath.expm1(a[0])),
    "log": ("GT_OP_LOG", "log", 1, lambda a, v: sp.log(a[0]),
            lambda a, v: mpmath.log(a[0])),
    "log2": ("GT_OP_LOG2", "log2", 1, lambda a, v: sp.log(a[0]) / sp.log(2),
             lambda a, v: mpmath.log(a[0], 2)),
    "log10": ("GT_OP_LOG10", "log10", 1,
              lambda a, v: sp.log(a[0]) / sp.log(10),
              lambda a, v: mpmath.log10(a[0])),
    "log1p": ("GT_OP_LOG1P", "log1p", 1, lambda a, v: sp.log(1 + a[0]),
              lambda a, v: mpmath.log1p(a[0])),
    "sin": ("GT_OP_SIN", "sin", 1, lambda a, v: sp.sin(a[0]),
            lambda a, v: mpmath.sin(a[0])),
    "cos": ("GT_OP_COS", "cos", 1, lambda a, v: sp.cos(a[0]),
            lambda a, v: mpmath.cos(a[0])),
    "tan": ("GT_OP_TAN", "tan", 1, lambda a, v: sp.tan(a[0]),
            lambda a, v: mpmath.tan(a[0])),
    "asin": ("GT_OP_ASIN", "asin", 1, lambda a, v: sp.asin(a[0]),
             lambda a, v: mpmath.asin(a[0])),
    "acos": ("GT_OP_ACOS", "acos", 1, lambda a, v: sp.acos(a[0]),
             lambda a, v: mpmath.acos(a[0])),
    "atan": ("GT_OP_ATAN", "atan", 1, lambda a, v: sp.atan(a[0]),
             lambda a, v: mpmath.atan(a[0])),
    "atan2": ("GT_OP_ATAN2", "atan2", 2, lambda a, v: sp.atan2(a[0], a[1]),
              lambda a, v: mpmath.atan2(a[0], a[1])),
    "sinh": ("GT_OP_SINH", "sinh", 1, lambda a, v: sp.sinh(a[0]),
             lambda a, v: mpmath.sinh(a[0])),
    "cosh": ("GT_OP_COSH", "cosh", 1, lambda a, v: sp.cosh(a[0]),
             lambda a, v: mpmath.cosh(a[0])),
    "tanh": ("GT_OP_TANH", "tanh", 1, lambda a, v: sp.tanh(a[0]),
             lambda a, v: mpmath.tanh(a[0])),
    "asinh": ("GT_OP_ASINH", "asinh", 1, lambda a, v: sp.asinh(a[0]),
              lambda a, v: mpmath.asinh(a[0])),
    "acosh": ("GT_OP_ACOSH", "acosh", 1, lambda a, v: sp.acosh(a[0]),
              lambda a, v: mpmath.acosh(a[0])),
    "atanh": ("GT_OP_ATANH", "atanh", 1, lambda a, v: sp.atanh(a[0]),
              lambda a, v: mpmath.atanh(a[0])),
    "hypot": ("GT_OP_HYPOT", "hypot", 2,
              lambda a, v: sp.sqrt(a[0] ** 2 + a[1] ** 2),
              lambda a, v: mpmath.hypot(a[0], a[1])),
    "erf": ("GT_OP_ERF", "erf", 1, lambda a, v: sp.erf(a[0]),
            lambda a, v: mpmath.erf(a[0])),
    "erfc": ("GT_OP_ERFC", "erfc", 1, lambda a, v: sp.erfc(a[0]),
             lambda a, v: mpmath.erfc(a[0])),
    "norm_cdf": ("GT_OP_NORM_CDF", "norm_cdf", 1,
                 lambda a, v: sp.erfc(-a[0] / sp.sqrt(2)) / 2,
                 lambda a, v: mpmath.ncdf(a[0])),
    "norm_logcdf": ("GT_OP_NORM_LOGCDF", "norm_logcdf", 1,
                    lambda a, v: sp.log(sp.erfc(-a[0] / sp.sqrt(2)) / 2),
                    lambda a, v: mpmath.log(mpmath.ncdf(a[0]))),
    "erfinv": ("GT_OP_ERFINV", "erfinv", 1, lambda a, v: sp.erfinv(a[0]),
               lambda a, v: mpmath.erfinv(a[0])),
    "lambertw": ("GT_OP_LAMBERTW", "lambertw", 1,
                 lambda a, v: sp.LambertW(a[0]),
                 lambda a, v: mpmath.lambertw(a[0]).real),
    "gamma": ("GT_OP_GAMMA", "gamma", 1, lambda a, v: sp.gamma(a[0]),
              lambda a, v: mpmath.gamma(a[0])),
    "lgamma": ("GT_OP_LGAMMA", "lgamma", 1,
               lambda a, v: sp.log(sgn(mpmath.gamma(v[0])) * sp.gamma(a[0])),
               lambda a, v: mpmath.log(abs(mpmath.gamma(a[0])))),
    "digamma": ("GT_OP_DIGAMMA", "digamma", 1,
                lambda a, v: sp.polygamma(0, a[0]),
                lambda a, v: mpmath.digamma(a[0])),
    "trigamma": ("GT_OP_TRIGAMMA", "trigamma", 1,
                 lambda a, v: sp.polygamma(1, a[0]),
                 lambda a, v: mpmath.psi(1, a[0])),
    # integer order first (a constant inner), x second; sym is the closed
    # form for the record, the first route is JETS
    "polygamma": ("GT_OP_POLYGAMMA", "polygamma", 2,
                  lambda a, v: sp.polygamma(int(v[0]), a[1]),
                  lambda a, v: mpmath.psi(int(v[0]), a[1])),
    "besselj": ("GT_OP_BESSELJ", "besselj", 2,
                lambda a, v: sp.besselj(int(v[0]), a[1]),
                lambda a, v: mpmath.besselj(int(v[0]), a[1])),
    "bessely": ("GT_OP_BESSELY", "bessely", 2,
                lambda a, v: sp.bessely(int(v[0]), a[1]),
                lambda a, v: yn_series(int(v[0]), a[1])),
    "min": ("GT_OP_MIN", "min", 2, lambda a, v: a[0] if v[0] < v[1] else a[1],
            lambda a, v: a[0] if v[0] < v[1] else a[1]),
    "max": ("GT_OP_MAX", "max", 2, lambda a, v: a[0] if v[0] > v[1] else a[1],
            lambda a, v: a[0] if v[0] > v[1] else a[1]),
    "sigmoid": ("GT_OP_SIGMOID", "sigmoid", 1,
                lambda a, v: 1 / (1 + sp.exp(-a[0])),
                lambda a, v: 1 / (1 + mpmath.exp(-a[0]))),
    "softplus": ("GT_OP_SOFTPLUS", "softplus", 1,
                 lambda a, v: sp.log(1 + sp.exp(a[0])),
                 lambda a, v: mpmath.log1p(mpmath.exp(a[0]))),
    "relu": ("GT_OP_RELU", "relu", 1, lambda a, v: a[0] if v[0] > 0 else 0,
             lambda a, v: a[0] if v[0] > 0 else mpf(0)),
    "where": ("GT_OP_WHERE", "where", 3,
              lambda a, v: a[1] if v[0] != 0 else a[2],
              lambda a, v: a[1] if v[0] != 0 else a[2]),
    # flat: value only (sym None); the series must be constant
    "eq": ("GT_OP_EQ", "==", 2, None, lambda a, v: mpf(int(a[0] == a[1]))),
    "ne": ("GT_OP_NE", "!=", 2, None, lambda a, v: mpf(int(a[0] != a[1]))),
    "lt": ("GT_OP_LT", "<", 2, None, lambda a, v: mpf(int(a[0] < a[1]))),
    "le": ("GT_OP_LE", "<=", 2, None, lambda a, v: mpf(int(a[0] <= a[1]))),
    "gt": ("GT_OP_GT", ">", 2, None, lambda a, v: mpf(int(a[0] > a[1]))),
    "ge": ("GT_OP_GE", ">=", 2, None, lambda a, v: mpf(int(a[0] >= a[1]))),
    "not": ("GT_OP_NOT", "not", 1, None, lambda a, v: mpf(int(a[0] == 0))),
    "sign": ("GT_OP_SIGN", "sign", 1, None,
             lambda a, v: mpf(mpmath.sign(a[0]))),
    "floor": ("GT_OP_FLOOR", "floor", 1, None,
              lambda a, v: mpmath.floor(a[0])),
    "ceil": ("GT_OP_CEIL", "ceil", 1, None, lambda a, v: mpmath.ceil(a[0])),
    "round": ("GT_OP_ROUND", "round", 1, None,
              lambda a, v: mpmath.nint(a[0])),
    "trunc": ("GT_OP_TRUNC", "trunc", 1, None,
              lambda a, v: mpmath.floor(a[0]) if a[0] >= 0
              else mpmath.ceil(a[0])),
    "stop": ("GT_OP_STOP", "stop_gradient", 1, None, lambda a, v: a[0]),
    "floordiv": ("GT_OP_FLOORDIV", "//", 2, None,
                 lambda a, v: mpmath.floor(a[0] / a[1])),
}
# ops with rules to some order only (class LIMITED): none at present
HAVE = {}


def yn_series(n, z):
    """Y_n(z) for an integer n and z > 0 by Abramowitz and Stegun 9.1.11
    (Y_{-n} = (-1)^n Y_n), with psi(k + 1) = H_k - euler: mpmath.bessely
    takes a limit in the order, seconds per call at 150 digits, and
    mpmath.taylor calls it at higher precision still.  The terms grow to
    about e^z before they cancel, hence the guard digits.  Checked against
    mpmath.bessely at 40 digits for every point used (check_yn)."""
    if n < 0:
        return (-1) ** (-n) * yn_series(-n, z)
    with mpmath.extradps(20 + int(2 * abs(z))):
        h = z / 2
        q = h * h
        s1 = sum(mpmath.factorial(n - k - 1) / mpmath.factorial(k) * q ** k
                 for k in range(n))
        g2 = 2 * mpmath.euler
        hk = mpf(0)                                  # H_k
        hnk = sum(mpf(1) / j for j in range(1, n + 1))   # H_{n+k}
        t = 1 / mpmath.factorial(n)                  # (-q)^k / (k! (n+k)!)
        s2, k = mpf(0), 0
        eps = mpf(10) ** -(mpmath.mp.dps + 5)
        while True:
            term = (hk + hnk - g2) * t
            s2 += term
            if k > 5 and abs(term) < eps * abs(s2):
                break
            k += 1
            hk += mpf(1) / k
            hnk += mpf(1) / (n + k)
            t = t * (-q) / (k * (n + k))
        y = (-(h ** -n) * s1 + 2 * mpmath.log(h) * mpmath.besselj(n, z)
             - h ** n * s2) / mpmath.pi
    return +y


def check_yn(n, z):
    with mpmath.workdps(40):
        a, b = yn_series(n, +z), mpmath.bessely(n, +z)
        assert abs(a - b) <= abs(b) * mpf(10) ** -35, (n, z, a, b)


# ---- the first route of the special functions: closed-form jets ---------------
# JETS[op](vals, n) -> [f^(k)(v0) for k = 0..n], vals the operands' values
# at x0 (the order of polygamma and Bessel is vals[0], the variable the last
# operand); the chain rule is done by compose() below.

def jet_psi(m, v, n):
    return [mpmath.psi(m + k, v) for k in range(n + 1)]


def jet_lgamma(v, n):
    return ([mpmath.log(abs(mpmath.gamma(v)))]
            + [mpmath.psi(k - 1, v) for k in range(1, n + 1)])


def jet_gamma(v, n):
    """Gamma(v + t) = Gamma(v) exp(sum_k psi(k-1, v) t^k / k!)."""
    lg = [mpf(0)] + [mpmath.psi(k - 1, v) / mpmath.factorial(k)
                     for k in range(1, n + 1)]
    e = [mpf(1)]
    for m in range(1, n + 1):
        e.append(sum(k * lg[k] * e[m - k] for k in range(1, m + 1)) / m)
    g = mpmath.gamma(v)
    return [g * e[k] * mpmath.factorial(k) for k in range(n + 1)]


def jet_bessel(fn, m, v, n):
    """B_m^(k) = 2^-k sum_j (-1)^j C(k, j) B_{m-k+2j}."""
    return [sum((-1) ** j * mpmath.binomial(k, j) * fn(m - k + 2 * j, v)
                for j in range(k + 1)) / mpf(2) ** k for k in range(n + 1)]


JETS = {
    "gamma": lambda vals, n: jet_gamma(vals[0], n),
    "lgamma": lambda vals, n: jet_lgamma(vals[0], n),
    "digamma": lambda vals, n: jet_psi(0, vals[0], n),
    "trigamma": lambda vals, n: jet_psi(1, vals[0], n),
    "polygamma": lambda vals, n: jet_psi(int(vals[0]), vals[1], n),
    "besselj": lambda vals, n: jet_bessel(mpmath.besselj, int(vals[0]),
                                          vals[1], n),
    "bessely": lambda vals, n: jet_bessel(yn_series, int(vals[0]),
                                          vals[1], n),
}


def compose(jet, inner, x0, n):
    """d^k/dx^k f(g(x)) at x0 for k = 0..n, from f's derivatives at g(x0)
    (jet) and g's Taylor series (sympy, exact, evaluated at WORK digits):
    f(g(x0 + h)) = sum_k jet[k]/k! (g(x0 + h) - g(x0))^k, truncated."""
    x0r = rat(x0)
    g = [sp.N(sp.diff(inner, X, k).subs(X, x0r) / sp.factorial(k), WORK)
         for k in range(n + 1)]
    g = [mpf(str(c)) if c != 0 else mpf(0) for c in g]
    u = [mpf(0)] + g[1:]              # g - g(x0)
    out = [mpf(0)] * (n + 1)
    pw = [mpf(1)] + [mpf(0)] * n      # u^k
    for k in range(n + 1):
        c = jet[k] / mpmath.factorial(k)
        for i in range(n + 1):
            out[i] += c * pw[i]
        pw = [sum(pw[j] * u[i - j] for j in range(i + 1))
              for i in range(n + 1)]
    return [out[i] * mpmath.factorial(i) for i in range(n + 1)]


# zeta, beta, lbeta, gamma_inc and the derivative ops (issue 16): sympy has
# no usable closed form for their derivatives (zeta in s, gamma_inc's
# nested Meijer G), so route 1 is not sympy: both routes are mpmath.taylor
# of the mpmath function, at CHECK and at CHECK + MP_EXTRA digits (different
# steps and working precisions), and for zeta on x itself also
# mpmath.zeta(x0, 1, k).  sym is the marker MP for these rows.
MP = "mpmath only"
MP_EXTRA = 60
D_SHIFT = 65536


def beta_mp(m, log):
    """d^i/da^i d^j/db^j of B (log False) or log|B| at (a, b), m = i 2^16
    + j, for the orders the rows use, from psi and psi1."""
    i, j = divmod(int(m), D_SHIFT)

    def f(a, b):
        s = a + b
        pa, pb, ps = mpmath.digamma(a), mpmath.digamma(b), mpmath.digamma(s)
        if log:
            if (i, j) == (0, 0):
                return mpmath.log(abs(mpmath.beta(a, b)))
            if (i, j) in ((1, 0), (0, 1)):
                return (pa if i else pb) - ps
            assert (i, j) == (1, 1), m
            return -mpmath.psi(1, s)
        B = mpmath.beta(a, b)
        if (i, j) == (0, 0):
            return B
        if (i, j) in ((1, 0), (0, 1)):
            return B * ((pa if i else pb) - ps)
        assert (i, j) == (1, 1), m
        return B * ((pa - ps) * (pb - ps) - mpmath.psi(1, s))
    return f


def gamma_inc_da_mp(a, x, d):
    """d^d/da^d Gamma(a, x) = int_x^inf t^(a-1) log(t)^d e^-t dt, x > 0
    (quadrature at the working precision: independent of gradtool's
    Cauchy-formula method)"""
    return mpmath.quad(lambda t: t ** (a - 1) * mpmath.log(t) ** d
                       * mpmath.exp(-t), [x, x + 1, x + 10, mpmath.inf])


OPS.update({
    "zeta": ("GT_OP_ZETA", "zeta", 1, MP, lambda a, v: mpmath.zeta(a[0])),
    "zeta_d": ("GT_OP_ZETA_D", "zeta derivative", 2, MP,
               lambda a, v: mpmath.zeta(a[0], 1, int(v[1]))),
    "beta": ("GT_OP_BETA", "beta", 2, MP,
             lambda a, v: mpmath.beta(a[0], a[1])),
    "lbeta": ("GT_OP_LBETA", "lbeta", 2, MP,
              lambda a, v: mpmath.log(abs(mpmath.beta(a[0], a[1])))),
    "beta_d": ("GT_OP_BETA_D", "beta derivative", 3, MP,
               lambda a, v: beta_mp(v[2], False)(a[0], a[1])),
    "lbeta_d": ("GT_OP_LBETA_D", "lbeta derivative", 3, MP,
                lambda a, v: beta_mp(v[2], True)(a[0], a[1])),
    "gamma_inc": ("GT_OP_GAMMA_INC", "gamma_inc", 2, MP,
                  lambda a, v: mpmath.gammainc(a[0], a[1])),
    "gamma_inc_d": ("GT_OP_GAMMA_INC_D", "gamma_inc derivative", 3, MP,
                    lambda a, v: gamma_inc_da_mp(a[0], a[1], int(v[2]))),
})

# ---- the rows ----------------------------------------------------------------
# (op, operands, x0): 2-3 points per op, the op on x itself and on inner
# functions, every operand of a binary op varying in at least one row.
Q1 = QD("1", "0", "1")          # x^2 + 1
S5 = SN("0.5", "0")             # sin(x)/2, inside (-1, 1)
ROWS = [
    ("neg", [IX], "0.75"), ("neg", [SN("1", "0.25")], "-1.5"),
    ("neg", [Q1], "1.25"),
    ("add", [IX, K("2.5")], "0.75"), ("add", [SN("1", "0"), Q1], "-0.625"),
    ("add", [IX, EX("0.5", "0")], "1.25"),
    ("sub", [K("2.5"), IX], "0.75"), ("sub", [SN("1", "0"), Q1], "-0.625"),
    ("sub", [EX("1", "0"), IX], "1.25"),
    ("mul", [IX, IX], "0.75"), ("mul", [SN("1", "0"), Q1], "-0.625"),
    ("mul", [EX("1", "0"), SN("1", "0.5")], "1.25"),
    ("div", [K("1"), IX], "0.75"), ("div", [SN("1", "0"), Q1], "-0.625"),
    ("div", [EX("1", "0"), QD("0.5", "-1", "2")], "1.25"),
    ("mod", [IX, K("0.5")], "1.875"), ("mod", [Q1, IX], "1.25"),
    ("mod", [EX("1", "0"), SN("0.5", "1")], "0.75"),
    ("pow", [IX, K("2.5")], "0.75"), ("pow", [K("2.5"), IX], "-1.25"),
    ("pow", [IX, IX], "0.75"), ("pow", [Q1, SN("1", "0")], "1.25"),
    ("pow", [IX, K("3")], "-1.5"), ("pow", [SN("1", "0"), K("2")], "0"),
    ("abs", [IX], "-0.75"), ("abs", [IX], "1.25"), ("abs", [SN("1", "0")],
                                                    "-0.625"),
    ("sqrt", [IX], "0.75"), ("sqrt", [IX], "2.5"), ("sqrt", [Q1], "-0.625"),
    ("cbrt", [IX], "0.75"), ("cbrt", [IX], "-2.5"),
    ("cbrt", [SN("1", "0.25")], "-1.5"),
    ("exp", [IX], "0.75"), ("exp", [IX], "-2.5"), ("exp", [SN("1", "0")],
                                                    "1.25"),
    ("exp2", [IX], "0.75"), ("exp2", [IX], "-2.5"), ("exp2", [Q1], "0.625"),
    ("expm1", [IX], "0.75"), ("expm1", [IX], "-2.5"),
    ("expm1", [SN("1", "0")], "1.25"),
    ("log", [IX], "0.75"), ("log", [IX], "2.5"), ("log", [Q1], "-0.625"),
    ("log2", [IX], "0.75"), ("log2", [IX], "2.5"),
    ("log2", [EX("1", "0")], "-0.625"),
    ("log10", [IX], "0.75"), ("log10", [IX], "2.5"), ("log10", [Q1], "1.25"),
    ("log1p", [IX], "0.75"), ("log1p", [IX], "-0.5"),
    ("log1p", [SN("1", "0")], "1.25"),
    ("sin", [IX], "0.75"), ("sin", [IX], "-2.5"), ("sin", [Q1], "0.625"),
    ("cos", [IX], "0.75"), ("cos", [IX], "-2.5"), ("cos", [Q1], "0.625"),
    ("tan", [IX], "0.75"), ("tan", [IX], "-2.5"), ("tan", [S5], "1.25"),
    ("asin", [IX], "0.25"), ("asin", [IX], "-0.875"), ("asin", [S5], "1.25"),
    ("acos", [IX], "0.25"), ("acos", [IX], "-0.875"), ("acos", [S5], "1.25"),
    ("atan", [IX], "0.75"), ("atan", [IX], "-2.5"), ("atan", [Q1], "0.625"),
    ("atan2", [IX, K("-0.75")], "0.5"), ("atan2", [K("0.5"), IX], "-1.25"),
    ("atan2", [IX, Q1], "0.75"), ("atan2", [SN("1", "0"), EX("1", "-2")],
                                  "1.25"),
    ("sinh", [IX], "0.75"), ("sinh", [IX], "-2.5"), ("sinh", [SN("1", "0")],
                                                      "1.25"),
    ("cosh", [IX], "0.75"), ("cosh", [IX], "-2.5"), ("cosh", [SN("1", "0")],
                                                      "1.25"),
    ("tanh", [IX], "0.75"), ("tanh", [IX], "-2.5"), ("tanh", [Q1], "0.625"),
    ("asinh", [IX], "0.75"), ("asinh", [IX], "-2.5"),
    ("asinh", [SN("1", "0")], "1.25"),
    ("acosh", [IX], "1.25"), ("acosh", [IX], "3.5"), ("acosh", [Q1], "0.75"),
    ("atanh", [IX], "0.25"), ("atanh", [IX], "-0.875"),
    ("atanh", [S5], "1.25"),
    ("hypot", [IX, K("0.75")], "0.5"), ("hypot", [K("1.25"), IX], "-1.5"),
    ("hypot", [IX, QD("0", "2", "0")], "0.75"),
    ("hypot", [SN("1", "0"), Q1], "-0.625"),
    ("erf", [IX], "0.75"), ("erf", [IX], "-1.5"), ("erf", [SN("1", "0")],
                                                    "1.25"),
    ("erfc", [IX], "0.75"), ("erfc", [IX], "-1.5"), ("erfc", [Q1], "0.625"),
    ("norm_cdf", [IX], "0.75"), ("norm_cdf", [IX], "-2.5"),
    ("norm_cdf", [SN("1", "0")], "1.25"),
    ("norm_logcdf", [IX], "0.75"), ("norm_logcdf", [IX], "-0.75"),
    ("norm_logcdf", [Q1], "0.625"),
    ("erfinv", [IX], "0.25"), ("erfinv", [IX], "-0.875"),
    ("erfinv", [S5], "1.25"),
    ("lambertw", [IX], "0.75"), ("lambertw", [IX], "-0.25"),
    ("lambertw", [Q1], "0.625"),
    ("gamma", [IX], "0.75"), ("gamma", [IX], "-2.5"), ("gamma", [Q1], "0.75"),
    ("lgamma", [IX], "0.75"), ("lgamma", [IX], "-2.5"),
    ("lgamma", [Q1], "0.75"),
    ("digamma", [IX], "0.75"), ("digamma", [IX], "-2.5"),
    ("digamma", [Q1], "0.75"),
    ("trigamma", [IX], "0.75"), ("trigamma", [IX], "-2.5"),
    ("trigamma", [Q1], "0.75"),
    ("polygamma", [K("0"), IX], "0.75"), ("polygamma", [K("1"), IX], "-2.5"),
    ("polygamma", [K("3"), Q1], "0.75"),
    ("polygamma", [K("2"), IX], "0.0625"),      # near the pole at 0
    ("besselj", [K("0"), IX], "0.75"), ("besselj", [K("-3"), IX], "-2.5"),
    ("besselj", [K("2"), SN("1", "0")], "1.25"),
    ("bessely", [K("0"), IX], "0.75"), ("bessely", [K("3"), IX], "2.5"),
    ("bessely", [K("-1"), Q1], "0.75"),
    ("bessely", [K("1"), IX], "0.0625"),        # near 0, where Y_1 ~ -2/(pi x)
    ("min", [IX, K("1")], "0.75"), ("min", [IX, SN("1", "0")], "1.25"),
    ("min", [Q1, EX("1", "0")], "0.75"),
    ("max", [IX, K("1")], "0.75"), ("max", [IX, SN("1", "0")], "1.25"),
    ("max", [Q1, EX("1", "0")], "0.75"),
    ("sigmoid", [IX], "0.75"), ("sigmoid", [IX], "-2.5"),
    ("sigmoid", [SN("1", "0")], "1.25"),
    ("softplus", [IX], "0.75"), ("softplus", [IX], "-2.5"),
    ("softplus", [Q1], "0.625"),
    ("relu", [IX], "0.75"), ("relu", [IX], "-2.5"),
    ("relu", [SN("1", "0")], "1.25"),
    ("where", [IX, SN("1", "0"), Q1], "0.75"),
    ("where", [QD("0", "1", "-0.75"), SN("1", "0"), Q1], "0.75"),
    ("where", [K("1"), EX("1", "0"), IX], "-1.25"),
    # flat
    ("eq", [IX, K("0.75")], "0.75"), ("eq", [IX, IX], "1.25"),
    ("ne", [IX, K("0.75")], "0.75"), ("ne", [Q1, IX], "1.25"),
    ("lt", [IX, K("1")], "0.75"), ("lt", [Q1, IX], "1.25"),
    ("le", [IX, K("1")], "0.75"), ("le", [SN("1", "0"), IX], "1.25"),
    ("gt", [IX, K("1")], "0.75"), ("gt", [Q1, IX], "1.25"),
    ("ge", [IX, K("1")], "0.75"), ("ge", [SN("1", "0"), IX], "1.25"),
    ("not", [IX], "0.75"), ("not", [QD("0", "1", "-0.75")], "0.75"),
    ("sign", [IX], "-0.75"), ("sign", [SN("1", "0")], "1.25"),
    ("floor", [IX], "2.75"), ("floor", [Q1], "1.25"),
    ("ceil", [IX], "2.75"), ("ceil", [Q1], "-1.25"),
    ("round", [IX], "2.75"), ("round", [SN("4", "0")], "1.25"),
    ("trunc", [IX], "-2.75"), ("trunc", [Q1], "1.25"),
    ("stop", [IX], "0.75"), ("stop", [SN("1", "0")], "1.25"),
    ("floordiv", [Q1, IX], "0.75"), ("floordiv", [IX, K("0.5")], "1.25"),
    # issue 16: zeta (near its pole too), beta and lbeta in either or both
    # arguments, the derivative ops with their constant order, gamma_inc
    # in x (a constant: its a-derivative has no rule)
    ("zeta", [IX], "2.5"), ("zeta", [IX], "-3.5"), ("zeta", [IX], "0.75"),
    ("zeta", [Q1], "0.75"),
    ("zeta_d", [IX, K("2")], "2.5"), ("zeta_d", [SN("1", "0"), K("1")],
                                      "1.25"),
    ("beta", [IX, K("2.25")], "1.5"), ("beta", [K("0.75"), IX], "-0.5"),
    ("beta", [IX, Q1], "0.75"),
    ("lbeta", [IX, K("2.25")], "1.5"), ("lbeta", [IX, EX("1", "0")], "0.75"),
    ("lbeta", [K("-0.5"), IX], "2.25"),
    ("beta_d", [IX, K("2.25"), K("65536")], "1.5"),
    ("beta_d", [IX, Q1, K("65537")], "0.75"),
    ("lbeta_d", [IX, K("2.25"), K("1")], "1.5"),
    ("lbeta_d", [Q1, IX, K("65536")], "0.75"),
    ("gamma_inc", [K("1.5"), IX], "2.25"), ("gamma_inc", [K("-0.5"), Q1],
                                            "0.75"),
    ("gamma_inc", [K("3"), IX], "0.5"),
    # the derivatives in a (issue 16's d/da): a varying, then x varying
    ("gamma_inc", [IX, K("2")], "1.5"),
    ("gamma_inc_d", [IX, K("2"), K("1")], "1.5"),
    ("gamma_inc_d", [K("1.5"), Q1, K("2")], "0.75"),
]

# Mixed partials of functions of (x, y) at (x0, y0): program text for the
# public API and sympy expression.  Order-2 partials in the API's order
# (xx, xy, yx, yy).
XS, YS = sp.symbols("x y", real=True)
MIXED = [
    ("z = sin(x * y) * exp(x)", sp.sin(XS * YS) * sp.exp(XS), "0.75", "1.25"),
    ("z = atan2(x, y^2 + 1) + hypot(x, 2 * y)",
     sp.atan2(XS, YS ** 2 + 1) + sp.sqrt(XS ** 2 + 4 * YS ** 2), "0.5",
     "-1.5"),
    ("z = pow(x, y)", XS ** YS, "1.25", "0.75"),
    ("z = x * y / (x + y) + log(x^2 + y)",
     XS * YS / (XS + YS) + sp.log(XS ** 2 + YS), "0.625", "2.5"),
    ("z = erf(x - y) * cosh(y) + tanh(x * y)",
     sp.erf(XS - YS) * sp.cosh(YS) + sp.tanh(XS * YS), "0.25", "-0.75"),
]


# ---- evaluation ----------------------------------------------------------------

def num_text(v):
    """v (mpf or sympy Float) to DIGITS digits; exact 0 as "0"."""
    with mpmath.workdps(WORK):
        v = mpf(str(v)) if not isinstance(v, mpmath.mpf) else v
        if v == 0:
            return "0"
        return mpmath.nstr(v, DIGITS, min_fixed=0, max_fixed=0)


def hexstr(s):
    """The exact binary value of a short decimal, as gen_ops prints it."""
    q = Q(s)
    assert q.denominator & (q.denominator - 1) == 0, s
    e = q.denominator.bit_length() - 1
    n = q.numerator
    return "%s0x%xp%d" % ("-" if n < 0 else "", abs(n), -e)


def row_values(opname, inners, x0):
    """The row's derivatives 0..ORDER as text (and the order it has rules
    for).  With $GEN_TAYLOR_CACHE (a JSON file name) each row is kept
    there, keyed by the row, so that a run after adding rows computes only
    the new ones and writes the same file a full run writes."""
    path = os.environ.get("GEN_TAYLOR_CACHE")
    if not path:
        return compute_row(opname, inners, x0)
    import json
    if not CACHE and os.path.exists(path):
        CACHE.update(json.load(open(path)))
    k = "unit/%s/%r/%s" % (opname, inners, x0)
    if k not in CACHE:
        CACHE[k] = list(compute_row(opname, inners, x0))
        json.dump(CACHE, open(path, "w"))
    out, n = CACHE[k]
    return out, n


def zeta_jet_row(inners, x0, d):
    """zeta^(d) of the inner function: the jet zeta(v0, 1, d + k) / k!
    (mpmath's own derivatives of zeta) composed with the inner function's
    series (mpmath.taylor of it, exact for x itself)."""
    with mpmath.workdps(CHECK + MP_EXTRA):
        xv = mpf(Q(x0).numerator) / Q(x0).denominator
        f = inner_mp(inners[0])
        u = mp.taylor(f, xv, ORDER) if inners[0] != IX else \
            [xv, mpf(1)] + [mpf(0)] * (ORDER - 1)
        v0 = u[0]
        u = [mpf(0)] + list(u[1:])
        jet = [mpmath.zeta(v0, 1, d + k) / mpmath.factorial(k)
               for k in range(ORDER + 1)]
        y = [mpf(0)] * (ORDER + 1)
        p = [mpf(1)] + [mpf(0)] * ORDER          # (u - u0)^k
        for k in range(ORDER + 1):
            for n in range(ORDER + 1):
                y[n] += jet[k] * p[n]
            p = [mpmath.fsum(p[j] * u[n - j] for j in range(n + 1))
                 for n in range(ORDER + 1)]
        return [y[n] * mpmath.factorial(n) for n in range(ORDER + 1)]


def gamma_inc_rows(opname, inners, x0):
    """Route 1 and 2 for gamma_inc and gamma_inc_d rows whose a varies
    (a = x itself) or whose x varies (a constant), where mpmath.taylor of
    an infinite quadrature at 150+ digits is too slow.  F(a, x) =
    d^d/da^d Gamma(a, x) = int_x^inf t^(a-1) log(t)^(d) e^-t dt.
    a = x: F^(k)(a0) is the same integral with log(t)^(d+k) (route 1), and
    mpmath.diff of gammainc in a (route 2, another working precision).
    x varies through u: F(a, u(t)) = F(a, u0) - int_u0^u(t) s^(a-1)
    log(s)^d e^-s ds: mpmath.taylor of that short integral (route 1) and
    of mpmath.gammainc's own derivative series in x where d = 0, else the
    same at other digits (route 2).  None when the row is neither."""
    d = int(inners[2][1]) if opname == "gamma_inc_d" else 0
    res = []
    if inners[0] == IX and inners[1][0] == "c":
        xc = mpf(Q(inners[1][1]).numerator) / Q(inners[1][1]).denominator
        for dps, how in ((CHECK, "quad"), (CHECK + MP_EXTRA, "diff")):
            with mpmath.workdps(dps):
                a0 = mpf(Q(x0).numerator) / Q(x0).denominator
                xcv = +xc
                if how == "quad":
                    res.append([mpmath.quad(
                        lambda t: t ** (a0 - 1) * mpmath.log(t) ** (d + k)
                        * mpmath.exp(-t), [xcv, xcv + 1, xcv + 10,
                                           mpmath.inf])
                        for k in range(ORDER + 1)])
                else:
                    res.append([mpmath.diff(
                        lambda s: mpmath.gammainc(s, xcv), a0, d + k)
                        for k in range(ORDER + 1)])
    elif inners[0][0] == "c":
        ac = mpf(Q(inners[0][1]).numerator) / Q(inners[0][1]).denominator
        u = inner_mp(inners[1])
        for dps in (CHECK, CHECK + MP_EXTRA):
            with mpmath.workdps(dps):
                a0, xv = +ac, mpf(Q(x0).numerator) / Q(x0).denominator
                u0 = u(xv)
                F0 = mpmath.quad(lambda t: t ** (a0 - 1) * mpmath.log(t) ** d
                                 * mpmath.exp(-t),
                                 [u0, u0 + 1, u0 + 10, mpmath.inf])

                def F(t):
                    ut = u(t)
                    return F0 - mpmath.quad(
                        lambda s: s ** (a0 - 1) * mpmath.log(s) ** d
                        * mpmath.exp(-s), [u0, ut])
                coef = mp.taylor(F, xv, ORDER)
                res.append([c * mpmath.factorial(k)
                            for k, c in enumerate(coef)])
    else:
        return None
    with mpmath.workdps(CHECK + MP_EXTRA):
        scale = max(abs(v) for v in res[-1])
        for k in range(ORDER + 1):
            assert abs(res[0][k] - res[1][k]) <= scale * mpf(10) ** -AGREE, \
                (opname, inners, x0, k)
    return [num_text(v) if v != 0 else "0" for v in res[-1]], ORDER


def mp_row(opname, inners, x0, mpf_f):
    """Route 1 and 2 for the MP rows: mpmath.taylor at two precisions; for
    zeta and zeta_d mpmath's derivatives of zeta composed with the inner
    series, against one mpmath.taylor (slow for zeta: 40 s a row)."""
    if opname == "gamma_inc_d" or (opname == "gamma_inc"
                                   and inners[0] == IX):
        return gamma_inc_rows(opname, inners, x0)
    fs = [inner_mp(i) for i in inners]
    res = []
    zeta = opname in ("zeta", "zeta_d")
    for dps in (CHECK,) if zeta else (CHECK, CHECK + MP_EXTRA):
        with mpmath.workdps(dps):
            xv = mpf(Q(x0).numerator) / Q(x0).denominator
            vv = [f(xv) for f in fs]
            coef = mp.taylor(lambda t: mpf_f([f(t) for f in fs], vv), xv,
                             ORDER)
            res.append([c * mpmath.factorial(k) for k, c in enumerate(coef)])
    if zeta:
        d = 0 if opname == "zeta" else int(inners[1][1])
        res.append(zeta_jet_row(inners, x0, d))
    with mpmath.workdps(CHECK + MP_EXTRA):
        scale = max(abs(u) for u in res[-1])
        for other in res[:-1]:
            for k in range(ORDER + 1):
                assert abs(other[k] - res[-1][k]) <= \
                    scale * mpf(10) ** -AGREE, (opname, inners, x0, k)
    return [num_text(v) if v != 0 else "0" for v in res[-1]], ORDER


def compute_row(opname, inners, x0):
    enum, gname, arity, sym, mpf_f = OPS[opname]
    if sym == MP:
        return mp_row(opname, inners, x0, mpf_f)
    assert len(inners) == arity, opname
    n = HAVE.get(opname, ORDER)
    flat = sym is None
    with mpmath.workdps(CHECK):
        xv = mpf(Q(x0).numerator) / Q(x0).denominator
        v = [inner_mp(i)(xv) for i in inners]
        val = mpf_f(v, v)
    if flat:
        return [num_text(val)] + ["0"] * ORDER, 0
    # route 1: sympy, closed form on the local piece (the special
    # functions: mpmath's closed-form jets composed with the inner series)
    with mpmath.workdps(CHECK):
        vv = [inner_mp(i)(xv) for i in inners]
    if opname == "bessely":
        check_yn(int(vv[0]), vv[1])
    if opname in JETS:
        with mpmath.workdps(WORK):
            vals = [+t for t in vv]
            jet = JETS[opname](vals, n)
            ders = compose(jet, inner_sym(inners[-1]), x0, n)
    else:
        e = sp.sympify(sym([inner_sym(i) for i in inners], vv))
        x0r = rat(x0)
        ders = []
        d = e
        for k in range(n + 1):
            ders.append(sp.N(d.subs(X, x0r), WORK))
            d = sp.diff(d, X)
    # route 2: mpmath.taylor of the mpmath function on the same piece
    with mpmath.workdps(CHECK):
        fs = [inner_mp(i) for i in inners]
        coef = mp.taylor(lambda t: mpf_f([f(t) for f in fs], vv), xv, n)
        nd = [c * mpmath.factorial(k) for k, c in enumerate(coef)]
        scale = max(abs(mpf(str(u))) for u in ders)
        for k in range(n + 1):
            err = abs(nd[k] - mpf(str(ders[k])))
            assert err <= scale * mpf(10) ** -AGREE, (opname, inners, x0, k,
                                                     nd[k], ders[k])
        assert abs(val - mpf(str(ders[0]))) <= scale * mpf(10) ** -AGREE
    out = []
    for k in range(ORDER + 1):
        if k > n:
            out.append(None)
        elif ders[k] == 0:
            out.append("0")
        else:
            out.append(num_text(ders[k]))
    return out, n


def c_str(s):
    return "NULL" if s is None else '"%s"' % s


def old_rows():
    """The existing table's rows, as text blocks keyed by their `what`."""
    rows = {}
    if not os.path.exists(UNIT):
        return rows
    text = open(UNIT).read()
    body = text.split("taylor_cases[] = {\n", 1)[1].split("\n};", 1)[0]
    for block in re.split(r"\n(?=  \{ GT_OP_)", body):
        rows[block.split('"', 2)[1]] = block
    return rows


def unit_table(only=None):
    old = old_rows() if only else {}
    lines = []
    w = lines.append
    w("/* taylor_table.h -- generated by tests/oracle/gen_taylor.py; "
      "do not edit. */")
    w("/* { op, what, arity, class, have, operands (inner function of x: kind "
      "and")
    w("     exact constants), x0 exactly (hex), f^(n)(x0) for n = 0..%d } to "
      "%d" % (ORDER, DIGITS))
    w("   digits; NULL above the order a LIMITED op has rules for. */")
    w("#define TC_ORDER %d" % ORDER)
    w("enum TcClass {\n  TC_SMOOTH,   /* derivatives 0..TC_ORDER checked */\n"
      "  TC_FLAT,     /* the series must be constant */\n"
      "  TC_LIMITED   /* rules to order `have` only: the next must fail */\n"
      "};")
    w("enum TcKind {\n  TI_NONE, TI_X, TI_CONST,  /* c[0] */\n"
      "  TI_QUAD,   /* c[0] x^2 + c[1] x + c[2] */\n"
      "  TI_SIN,    /* c[0] sin(x) + c[1] */\n"
      "  TI_EXP     /* c[0] exp(x) + c[1] */\n};")
    w("struct TcInner {\n  enum TcKind kind;\n  const char *c[3];   "
      "/* hexadecimal, exact */\n};")
    w("static const struct TaylorCase {\n  int op;\n  const char *what;\n"
      "  int arity;\n  enum TcClass cls;\n  int have;           "
      "/* highest order with a rule */\n  struct TcInner in[3];\n"
      "  const char *x0;\n  const char *d[TC_ORDER + 1];\n} taylor_cases[] = {")
    kinds = {"x": "TI_X", "c": "TI_CONST", "quad": "TI_QUAD", "sin": "TI_SIN",
             "exp": "TI_EXP"}
    for opname, inners, x0 in ROWS:
        enum, gname, arity, sym, _ = OPS[opname]
        what = "%s(%s) at x = %s" % (gname, ", ".join(inner_text(i)
                                                     for i in inners), x0)
        if only and opname not in only:
            assert what in old, "no row %r to copy: run without --only" % what
            w(old[what])
            continue
        d, have = row_values(opname, inners, x0)
        cls = ("TC_FLAT" if sym is None else
               "TC_LIMITED" if opname in HAVE else "TC_SMOOTH")
        ins = []
        for k in range(3):
            if k >= len(inners):
                ins.append("{ TI_NONE, { NULL, NULL, NULL } }")
                continue
            i = inners[k]
            cs = [hexstr(c) for c in i[1:]] + [None] * (3 - len(i[1:]))
            ins.append("{ %s, { %s } }" % (kinds[i[0]],
                                           ", ".join(c_str(c) for c in cs)))
        w("  { %s, \"%s\", %d, %s, %d," % (enum, what, arity, cls, have))
        w("    { %s }," % ",\n      ".join(ins))
        w("    \"%s\"," % hexstr(x0))
        w("    { %s } }," % ",\n      ".join(c_str(s) for s in d))
    w("};")
    # mixed partials
    w("")
    w("/* { program, x0, y0, d2z/dx2, d2z/dxdy, d2z/dydx, d2z/dy2 } */")
    w("static const struct MixedCase {\n  const char *prog;\n"
      "  const char *x0, *y0;\n  const char *d[4];\n} mixed_cases[] = {")
    for prog, e, x0, y0 in MIXED:
        subs = {XS: rat(x0), YS: rat(y0)}
        ds = []
        for a, b in ((XS, XS), (XS, YS), (YS, XS), (YS, YS)):
            ds.append(num_text(sp.N(sp.diff(e, a, b).subs(subs), WORK)))
        w("  { \"%s\", \"%s\", \"%s\"," % (prog, x0, y0))
        w("    { %s } }," % ",\n      ".join(c_str(s) for s in ds))
    w("};")
    with open(UNIT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("gen_taylor.py: %d rows, %d mixed into %s"
          % (len(ROWS), len(MIXED), os.path.normpath(UNIT)))


# ---- end-to-end cases ------------------------------------------------------------

CACHE = {}


def mp_derivative(f, x0, n, dps, key=None):
    """f^(n)(x0) by mpmath.diff at two precisions, which must agree.
    With key and $GEN_TAYLOR_CACHE (a JSON file name), results are kept
    there between runs while cases are being edited."""
    path = os.environ.get("GEN_TAYLOR_CACHE")
    if key is not None and path:
        import json
        if not CACHE and os.path.exists(path):
            CACHE.update(json.load(open(path)))
        k = "%s/%d/%d" % (key, n, dps)
        if k not in CACHE:
            q = mp_derivative(f, x0, n, dps)
            CACHE[k] = [q.numerator, q.denominator]
            json.dump(CACHE, open(path, "w"))
        return Q(*CACHE[k])
    vals = []
    for d in (dps, dps + 50):
        with mpmath.workdps(d):
            vals.append(mp.diff(f, x0, n))
    with mpmath.workdps(dps):
        assert abs(vals[0] - vals[1]) <= abs(vals[1]) * mpf(10) ** -(dps - 30)
        return gen_e2e.to_fraction(vals[1])


def as_fraction(v, dps):
    with mpmath.workdps(dps):
        return gen_e2e.to_fraction(mpf(v))


def printed(q, prec, digits):
    """The tool's text of exact value q (a Fraction) at prec bits."""
    r = gen_e2e.round_bits(q, prec)
    if digits is None:
        assert r == q, "shortest form of an inexact value"
        return gen_e2e.fmt(r, prec)
    if r != q:
        gen_e2e.robust_digits(r, prec, digits)
    return gen_e2e.fmt(r, prec, digits)


def d_inv1p(n, x):
    """d^n/dx^n 1/(1+x) = (-1)^n n! / (1+x)^(n+1), exactly."""
    return Q((-1) ** n * math.factorial(n)) / (1 + x) ** (n + 1)


def d_atan(n, x):
    """d^n/dx^n atan x = (-1)^(n-1) (n-1)! Im (x - i)^-n, exactly."""
    z = (x, Q(-1))          # x - i as (re, im)
    re, im = Q(1), Q(0)
    for _ in range(n):
        re, im = re * z[0] - im * z[1], re * z[1] + im * z[0]
    # 1/(re + i im) = (re - i im) / (re^2 + im^2)
    inv_im = -im / (re * re + im * im)
    return (-1) ** (n - 1) * math.factorial(n - 1) * inv_im


E2E_CASES = []


def e2e(name, args, lines, status=0, err=None, prog=None):
    E2E_CASES.append((name, args, lines, status, err, prog))


def e2e_cases():
    half = Q(1, 2)
    F = "taylor_f_order10.gt"
    fprog = "input x = 0.5\ny = exp(sin(x)) / (1 + x^2)\n"
    fmp = lambda t: mpmath.exp(mpmath.sin(t)) / (1 + t * t)  # noqa: E731
    with mpmath.workdps(250):
        fval = gen_e2e.to_fraction(fmp(mpf(1) / 2))
    y128 = printed(fval, 128, 30)
    for n in (10, 20, 50):
        d = mp_derivative(fmp, mpf(1) / 2, n, 250, "f")
        e2e("taylor_f_order%d" % n, "--wrt x --order %d --digits 30 %s" % (n, F),
            ["y = " + y128, "d%dy/dx%d = %s" % (n, n, printed(d, 128, 30))],
            prog=fprog if n == 10 else None)
    d100 = mp_derivative(fmp, mpf(1) / 2, 100, 250, "f")
    e2e("taylor_f_order100_prec256",
        "--prec 256 --digits 60 --wrt x --order 100 %s" % F,
        ["y = " + printed(fval, 256, 60),
         "d100y/dx100 = " + printed(d100, 256, 60)])

    # 1/(1+x) and atan(x): closed forms, exact rationals
    for tag, prog, dfun, y0 in (
            ("inv1p", "input x = 0.5\ny = 1 / (1 + x)\n", d_inv1p,
             Q(2, 3)),
            ("atan", "input x = 0.5\ny = atan(x)\n", d_atan, None)):
        if y0 is None:
            with mpmath.workdps(250):
                y0 = gen_e2e.to_fraction(mpmath.atan(mpf(1) / 2))
        gt = "taylor_%s_order10.gt" % tag
        for n in (10, 20, 50):
            e2e("taylor_%s_order%d" % (tag, n),
                "--wrt x --order %d --digits 30 %s" % (n, gt),
                ["y = " + printed(y0, 128, 30),
                 "d%dy/dx%d = %s" % (n, n, printed(dfun(n, half), 128, 30))],
                prog=prog if n == 10 else None)

    # x^x
    xx = lambda t: mpmath.power(t, t)  # noqa: E731
    with mpmath.workdps(250):
        y0 = gen_e2e.to_fraction(xx(mpf(1) / 2))
    for n in (10, 20, 50):
        e2e("taylor_xpowx_order%d" % n,
            "--wrt x --order %d --digits 30 taylor_xpowx_order10.gt" % n,
            ["y = " + printed(y0, 128, 30),
             "d%dy/dx%d = %s" % (n, n, printed(
                 mp_derivative(xx, mpf(1) / 2, n, 250, "xx"), 128, 30))],
            prog="input x = 0.5\ny = pow(x, x)\n" if n == 10 else None)

    # grad(y, x, 3) in the language; gradtool also prints its derivative
    # with respect to the input x, one order up
    g3 = mp_derivative(fmp, mpf(1) / 2, 3, 250, "f")
    g4 = mp_derivative(fmp, mpf(1) / 2, 4, 250, "f")
    e2e("taylor_grad3", "--digits 30 taylor_grad3.gt",
        ["d3 = " + printed(g3, 128, 30), "dd3/dx = " + printed(g4, 128, 30)],
        prog="input x = 0.5\ny = exp(sin(x)) / (1 + x^2)\n"
             "d3 = grad(y, x, 3)\noutput d3\n")
    # grad(grad(y, x, 2), x) and three nested grads equal grad(y, x, 3)
    e2e("taylor_grad_nested", "--digits 30 taylor_grad_nested.gt",
        ["%s = %s" % (v, printed(g3, 128, 30)) for v in "abc"]
        + ["d%s/dx = %s" % (v, printed(g4, 128, 30)) for v in "abc"],
        prog="input x = 0.5\ny = exp(sin(x)) / (1 + x^2)\n"
             "a = grad(y, x, 3)\nb = grad(grad(y, x, 2), x)\n"
             "c = grad(grad(grad(y, x), x), x)\n"
             "output a, b, c\n")
    # grad(y, x, 5) in the language is Taylor mode (low orders may be
    # nested reverse sweeps); grad(grad(y, x, 4), x) goes through the
    # reverse rule of the recorded Taylor node, and so does d/dx of both
    g5 = mp_derivative(fmp, mpf(1) / 2, 5, 250, "f")
    g6 = mp_derivative(fmp, mpf(1) / 2, 6, 250, "f")
    e2e("taylor_grad5", "--digits 30 taylor_grad5.gt",
        ["a = " + printed(g5, 128, 30), "b = " + printed(g5, 128, 30),
         "da/dx = " + printed(g6, 128, 30), "db/dx = " + printed(g6, 128, 30)],
        prog="input x = 0.5\ny = exp(sin(x)) / (1 + x^2)\n"
             "a = grad(y, x, 5)\nb = grad(grad(y, x, 4), x)\n"
             "output a, b\n")
    # grad(y, x, 3) of a function of two inputs, differentiated again
    # with respect to y by the command line
    Xs, Ys = sp.symbols("x y", real=True)
    h = sp.exp(Xs * Ys) * sp.sin(Xs + Ys ** 2)
    x0, y0 = sp.Rational(1, 2), sp.Rational(-3, 4)
    subs = {Xs: x0, Ys: y0}

    def symq(e):
        with mpmath.workdps(250):
            return gen_e2e.to_fraction(mpf(str(sp.N(e.subs(subs), 250))))
    hval = printed(symq(h), 128, 30)
    # each distinct partial once (issue 16 item 4)
    hes = [("d2z/dx2", (Xs, Xs)), ("d2z/dxdy", (Xs, Ys)),
           ("d2z/dy2", (Ys, Ys))]
    e2e("taylor_hessian", "--wrt x,y --order 2 --digits 30 taylor_hessian.gt",
        ["z = " + hval] + ["%s = %s" % (lab, printed(symq(sp.diff(h, *v)),
                                                     128, 30))
                           for lab, v in hes],
        prog="input x = 0.5\ninput y = -0.75\nz = exp(x * y) * sin(x + y^2)\n")
    g3xy = sp.diff(h, Xs, 3)
    e2e("taylor_grad3_wrt_y", "--wrt y --digits 30 taylor_grad3_wrt_y.gt",
        ["g = " + printed(symq(g3xy), 128, 30),
         "dg/dy = " + printed(symq(sp.diff(g3xy, Ys)), 128, 30)],
        prog="input x = 0.5\ninput y = -0.75\nz = exp(x * y) * sin(x + y^2)\n"
             "g = grad(z, x, 3)\noutput g\n")
    # digamma to order 3 and 6 (an error before polygamma, issue 16): the
    # same programs now give values, from mpmath.diff at two precisions
    dg = lambda t: mpmath.exp(mpmath.digamma(t * t + 1))  # noqa: E731
    with mpmath.workdps(250):
        dg0 = gen_e2e.to_fraction(dg(mpf(1) / 2))
    e2e("taylor_digamma_order3",
        "--wrt x --order 3 --digits 30 taylor_digamma_order3.gt",
        ["y = " + printed(dg0, 128, 30),
         "d3y/dx3 = " + printed(mp_derivative(dg, mpf(1) / 2, 3, 250, "dg"),
                                128, 30)],
        prog="input x = 0.5\nt = x * x + 1\ny = exp(digamma(t))\n")
    # the same in the language: grad(y, x, 5), and its derivative in x
    d2 = lambda t: mpmath.digamma(t * t)  # noqa: E731
    e2e("taylor_digamma_grad5", "--digits 30 taylor_digamma_grad5.gt",
        ["d = " + printed(mp_derivative(d2, mpf(1) / 2, 5, 250, "d2"), 128,
                          30),
         "dd/dx = " + printed(mp_derivative(d2, mpf(1) / 2, 6, 250, "d2"),
                              128, 30)],
        prog="input x = 0.5\ny = digamma(x * x)\nd = grad(y, x, 5)\n")


def write_e2e():
    e2e_cases()
    for name, args, lines, status, err, prog in E2E_CASES:
        base = os.path.join(E2E, name)
        if prog is not None:
            gt = args.split()[-1]
            with open(os.path.join(E2E, gt), "w") as f:
                f.write(prog)
        with open(base + ".args", "w") as f:
            f.write(args + "\n")
        if lines is not None:
            with open(base + ".out", "w") as f:
                f.write("".join(l + "\n" for l in lines))
        if status:
            with open(base + ".status", "w") as f:
                f.write("%d\n" % status)
        elif os.path.exists(base + ".status"):
            os.remove(base + ".status")     # a case that used to fail
        if err is not None:
            with open(base + ".err", "w") as f:
                f.write(err)
        elif os.path.exists(base + ".err"):
            os.remove(base + ".err")
    print("gen_taylor.py: wrote %d cases into %s"
          % (len(E2E_CASES), os.path.normpath(E2E)))


def main():
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        i = args.index("--only")
        only = set(args[i + 1].split(","))
        assert only <= set(OPS), "unknown op in --only: %s" % (only - set(OPS))
        del args[i:i + 2]
    what = args or ["unit", "e2e"]
    if "unit" in what:
        unit_table(only)
    if "e2e" in what:
        write_e2e()


if __name__ == "__main__":
    sys.exit(main())
