#!/usr/bin/env python3
"""gen_ops.py -- oracle for tests/unit/test_ops.c (the op table, lib/ops.c).

For every primitive of lib/ops.c (the enum GtOp) and several points in its
domain, the table holds the operands (decimals rounded to nearest at 256
bits, as MPFR reads them, printed exactly in hexadecimal), the value
f(a, b, c) and the partial derivatives df/da, df/db, df/dc, each to 110
significant digits.

Two routes, which must agree before anything is printed:
  * the value: the mpmath function (mpmath.sin, mpmath.gamma, ...), at 130
    and at 250 digits;
  * the partials: sympy differentiates the closed form of the function (on
    the piece of its definition that holds around the point: floor(a/b) of
    a % b, the sign of Gamma for lgamma, ...) and evaluates the derivative
    at 130 digits; mpmath.diff differentiates the same closed form
    numerically at 250 digits as a check.  The closed form itself is checked
    against the mpmath value.

At the points where a function is not differentiable the table holds the
documented conventions instead (lib/ops.c, LANGUAGE.md): abs'(0) = 0,
relu'(0) = 0, a min/max tie splits the derivative evenly, hypot at (0, 0)
has derivative 0, x^0 has derivative 0 at x = 0 too; at a = 0 the partials
of a^b are their limits (sympy.limit of b x^(b-1), NaN where the two sides
disagree) and d(a^b)/db is 0 for b > 0, NaN for b <= 0; d(a^b)/db is NaN
for a < 0 (a^b is not real near such a point).
Comparisons, not, sign, floor, ceil, round, trunc and stop_gradient have
derivative 0 everywhere (class FLAT).  polygamma, besselj and bessely
have an integer order as their first operand, with no derivative: their
closed forms hold it constant, so d/d(order) is 0.  (Class NORULE, no
derivative rule, has no member since polygamma gave trigamma its own.)

Some points are where a rule written in terms of the result y cancels:
1 - y^2 for tanh at large |a|, y (1 - y) for sigmoid, y + 1 for expm1 at
a << 0, 1 - a^2 for asin, acos and atanh near 1, a^2 - 1 for acosh near 1.
There the derivative must still be accurate to a few ulps (it is tiny, or
huge, but as well defined as anywhere else).

Usage: python3 tests/oracle/gen_ops.py > tests/unit/ops_table.h
"""

import sympy as sp
import mpmath
from mpmath import mpf

PREC = 256          # the precision of the tests
DIGITS = 110        # digits printed
WORK = 130          # digits of the first route
CHECK = 250         # digits of the second route
AGREE = 100         # digits the two routes must agree to

A, B, C = sp.symbols("a b c", real=True)
SYMS = (A, B, C)
NAN = "nan"
INF = "inf"


# ---- the primitives ---------------------------------------------------------
# Each: enum, name (gt_ops[op].name), arity, class, points, value(x), and
# closed(x) -> sympy expression valid around the point x (None for FLAT and
# NORULE).  conv(x) may return the partials at a kink (by convention), or
# None where the closed form holds.

def piece_mod(x):
    with mpmath.workdps(CHECK):
        q = mpmath.floor(x[0] / x[1])
    return A - sp.Integer(int(q)) * B


def value_mod(x):
    return x[0] - mpmath.floor(x[0] / x[1]) * x[1]


def value_floordiv(x):
    with mpmath.workdps(CHECK):
        return mpmath.floor(x[0] / x[1])


def closed_pow(x):
    return A ** B


def value_pow(x):
    """0^b for b < 0 is +inf (the limit from above, MPFR's +0)."""
    if x[0] == 0 and x[1] < 0:
        return mpmath.inf
    return mpmath.power(x[0], x[1])


def limit_pow_da(a, b):
    """d(x^b)/dx at x = 0 as the limit of b x^(b-1) (sympy): both sides for
    an integer b, from above otherwise; NaN when the sides disagree."""
    X = sp.Symbol("x", real=True)
    bb = sp.Rational(str(b)) if b != int(b) else sp.Integer(int(b))
    d = bb * X ** (bb - 1)
    right = sp.limit(d, X, 0, "+")
    if bb.is_integer:
        left = sp.limit(d, X, 0, "-")
        if left != right:
            return NAN
    if right == sp.oo:
        return mpmath.inf
    if right == -sp.oo:
        return -mpmath.inf
    return mpf(str(right))


def limit_pow_db(b):
    """d(0^b)/db: 0^b is 0 for b > 0 all around b, so 0 there; at b = 0
    it jumps (+inf, 1, 0) and for b < 0 it is +inf: no derivative."""
    return mpf(0) if b > 0 else NAN


def conv_pow(x):
    a, b = x
    if a == 0:
        # d/da: 0 for b = 0 (x^0 is constant, also at x = 0), else the
        # limit of b x^(b-1) as x -> 0; d/db: see limit_pow_db
        da = mpf(0) if b == 0 else limit_pow_da(a, b)
        return (da, limit_pow_db(b))
    if a < 0:
        assert b == int(b), "x^b with x < 0 needs an integer b"
        return (b * mpmath.power(a, b - 1), NAN)
    return None


def value_round(x):
    """Half to even, as NumPy, TensorFlow and MPFR's mpfr_rint (RNDN)."""
    a = x[0]
    fl = mpmath.floor(a)
    d = a - fl
    if d > 0.5 or (d == 0.5 and int(fl) % 2 == 1):
        return fl + 1
    return fl


def value_trunc(x):
    return mpmath.floor(x[0]) if x[0] >= 0 else mpmath.ceil(x[0])


def closed_cbrt(x):
    if x[0] < 0:
        return -(-A) ** sp.Rational(1, 3)
    return A ** sp.Rational(1, 3)


def value_cbrt(x):
    a = x[0]
    return -mpmath.cbrt(-a) if a < 0 else mpmath.cbrt(a)


def closed_lgamma(x):
    g = mpmath.gamma(x[0])
    return sp.log(sp.gamma(A)) if g > 0 else sp.log(-sp.gamma(A))


def closed_minmax(is_max):
    def closed(x):
        a, b = x
        if a == b:
            return None
        return A if (a > b) == is_max else B
    return closed


def conv_tie(x):
    return (mpf(0.5), mpf(0.5)) if x[0] == x[1] else None


def closed_abs(x):
    return A if x[0] > 0 else -A


def conv_zero1(x):
    return (mpf(0),) if x[0] == 0 else None


def closed_relu(x):
    return A if x[0] > 0 else sp.Integer(0) * A


def conv_hypot(x):
    return (mpf(0), mpf(0)) if x[0] == 0 and x[1] == 0 else None


def closed_where(x):
    # piecewise constant in the condition: the selected operand
    return B + 0 * A + 0 * C if x[0] != 0 else C + 0 * A + 0 * B


def cmp_value(f):
    return lambda x: mpf(1) if f(x[0], x[1]) else mpf(0)


SMOOTH, FLAT, NORULE = "OC_SMOOTH", "OC_FLAT", "OC_NORULE"

BIN_POINTS = [("1.5", "2.25"), ("-3", "0.1"), ("0.3", "-0.7")]
CMP_POINTS = [("1", "2"), ("2", "2"), ("3", "2"), ("-1", "-1.5"),
              ("0.3", "0.3")]
ROUND_POINTS = ["2.5", "-2.5", "0.5", "1.5", "3.7", "-3.7", "-0.3", "4"]

OPS = [
    ("GT_OP_NEG", "-", 1, SMOOTH, ["1.5", "-2.25", "0.3", "0"],
     lambda x: -x[0], lambda x: -A, None),
    ("GT_OP_ADD", "+", 2, SMOOTH, BIN_POINTS,
     lambda x: x[0] + x[1], lambda x: A + B, None),
    ("GT_OP_SUB", "-", 2, SMOOTH, BIN_POINTS,
     lambda x: x[0] - x[1], lambda x: A - B, None),
    ("GT_OP_MUL", "*", 2, SMOOTH, [("1.5", "-2"), ("0.3", "0.7"),
                                   ("-3", "-0.125"), ("0", "5")],
     lambda x: x[0] * x[1], lambda x: A * B, None),
    ("GT_OP_DIV", "/", 2, SMOOTH, [("1", "3"), ("-2.5", "0.7"),
                                   ("7", "-0.25"), ("0", "-3")],
     lambda x: x[0] / x[1], lambda x: A / B, None),
    # floored: the result has the divisor's sign (7 % -3 = -2, -7 % 3 = 2)
    ("GT_OP_MOD", "%", 2, SMOOTH, [("7", "-3"), ("-7", "3"), ("7.5", "2"),
                                   ("-0.3", "0.7"), ("5.5", "-2"),
                                   ("10.25", "3"),
                                   # a/b = 3 - 2^-258 rounds up to 3 at 256
                                   # bits, while floor(a/b) is 2
                                   ("below(3*x('1.1'))", "1.1")],
     value_mod, piece_mod, None),
    ("GT_OP_POW", "pow", 2, SMOOTH,
     [("2", "3"), ("1.5", "0.5"), ("0.3", "-1.7"),
      ("-2", "3"), ("-1.5", "2"), ("-2", "-1"),     # x^n, x < 0
      ("0", "3"), ("0", "1"), ("0", "2"), ("0", "0"),   # x^n at 0
      ("0", "-1"), ("0", "-2"), ("0", "0.5"), ("0", "1.5"),
      ("0", "-0.5")],                                    # issue 10.2
     value_pow, closed_pow, conv_pow),
    ("GT_OP_EQ", "==", 2, FLAT, CMP_POINTS, cmp_value(lambda a, b: a == b),
     None, None),
    ("GT_OP_NE", "!=", 2, FLAT, CMP_POINTS, cmp_value(lambda a, b: a != b),
     None, None),
    ("GT_OP_LT", "<", 2, FLAT, CMP_POINTS, cmp_value(lambda a, b: a < b),
     None, None),
    ("GT_OP_LE", "<=", 2, FLAT, CMP_POINTS, cmp_value(lambda a, b: a <= b),
     None, None),
    ("GT_OP_GT", ">", 2, FLAT, CMP_POINTS, cmp_value(lambda a, b: a > b),
     None, None),
    ("GT_OP_GE", ">=", 2, FLAT, CMP_POINTS, cmp_value(lambda a, b: a >= b),
     None, None),
    ("GT_OP_NOT", "not", 1, FLAT, ["0", "2.5", "-1"],
     lambda x: mpf(1) if x[0] == 0 else mpf(0), None, None),
    ("GT_OP_ABS", "abs", 1, SMOOTH, ["-2.5", "3", "-0.3", "0"],
     lambda x: abs(x[0]), closed_abs, conv_zero1),
    ("GT_OP_SIGN", "sign", 1, FLAT, ["-2.5", "0", "3"],
     lambda x: mpmath.sign(x[0]), None, None),
    ("GT_OP_SQRT", "sqrt", 1, SMOOTH, ["2", "0.3", "100", "1e-20"],
     lambda x: mpmath.sqrt(x[0]), lambda x: sp.sqrt(A), None),
    ("GT_OP_CBRT", "cbrt", 1, SMOOTH, ["2", "-3.5", "0.3", "-1e-5"],
     value_cbrt, closed_cbrt, None),
    ("GT_OP_EXP", "exp", 1, SMOOTH, ["1", "-2.5", "0.3", "10"],
     lambda x: mpmath.exp(x[0]), lambda x: sp.exp(A), None),
    ("GT_OP_EXP2", "exp2", 1, SMOOTH, ["1.5", "-3.3", "0", "10"],
     lambda x: mpmath.power(2, x[0]), lambda x: 2 ** A, None),
    ("GT_OP_EXPM1", "expm1", 1, SMOOTH,
     ["1e-10", "-0.5", "2", "-20", "-200"],
     lambda x: mpmath.expm1(x[0]), lambda x: sp.exp(A) - 1, None),
    ("GT_OP_LOG", "log", 1, SMOOTH, ["2", "0.3", "1e10", "1"],
     lambda x: mpmath.log(x[0]), lambda x: sp.log(A), None),
    ("GT_OP_LOG2", "log2", 1, SMOOTH, ["3", "0.3", "1.024", "1024"],
     lambda x: mpmath.log(x[0], 2), lambda x: sp.log(A) / sp.log(2), None),
    ("GT_OP_LOG10", "log10", 1, SMOOTH, ["3", "0.3", "1.024", "1000"],
     lambda x: mpmath.log10(x[0]), lambda x: sp.log(A) / sp.log(10), None),
    ("GT_OP_LOG1P", "log1p", 1, SMOOTH, ["1e-10", "-0.5", "3", "-1e-30"],
     lambda x: mpmath.log1p(x[0]), lambda x: sp.log(1 + A), None),
    ("GT_OP_SIN", "sin", 1, SMOOTH, ["0.5", "-1.3", "3", "100"],
     lambda x: mpmath.sin(x[0]), lambda x: sp.sin(A), None),
    ("GT_OP_COS", "cos", 1, SMOOTH, ["0.5", "-1.3", "3", "100"],
     lambda x: mpmath.cos(x[0]), lambda x: sp.cos(A), None),
    ("GT_OP_TAN", "tan", 1, SMOOTH, ["0.5", "-1.3", "3", "100"],
     lambda x: mpmath.tan(x[0]), lambda x: sp.tan(A), None),
    ("GT_OP_ASIN", "asin", 1, SMOOTH,
     ["0.3", "-0.7", "0.99", "0", "-0.9999999999"],
     lambda x: mpmath.asin(x[0]), lambda x: sp.asin(A), None),
    ("GT_OP_ACOS", "acos", 1, SMOOTH,
     ["0.3", "-0.7", "0.99", "0", "-0.9999999999"],
     lambda x: mpmath.acos(x[0]), lambda x: sp.acos(A), None),
    ("GT_OP_ATAN", "atan", 1, SMOOTH, ["0.5", "-3", "100", "0"],
     lambda x: mpmath.atan(x[0]), lambda x: sp.atan(A), None),
    # atan2(y, x), y first as in C
    ("GT_OP_ATAN2", "atan2", 2, SMOOTH, [("1", "2"), ("-1", "-2"),
                                         ("2", "-1"), ("-0.5", "0.3")],
     lambda x: mpmath.atan2(x[0], x[1]), lambda x: sp.atan2(A, B), None),
    ("GT_OP_SINH", "sinh", 1, SMOOTH, ["0.5", "-2", "3"],
     lambda x: mpmath.sinh(x[0]), lambda x: sp.sinh(A), None),
    ("GT_OP_COSH", "cosh", 1, SMOOTH, ["0.5", "-2", "3"],
     lambda x: mpmath.cosh(x[0]), lambda x: sp.cosh(A), None),
    ("GT_OP_TANH", "tanh", 1, SMOOTH,
     ["0.5", "-1.25", "2", "20", "-100"],
     lambda x: mpmath.tanh(x[0]), lambda x: sp.tanh(A), None),
    ("GT_OP_ASINH", "asinh", 1, SMOOTH, ["0.5", "-3", "100"],
     lambda x: mpmath.asinh(x[0]), lambda x: sp.asinh(A), None),
    ("GT_OP_ACOSH", "acosh", 1, SMOOTH,
     ["1.5", "3", "100", "1.0000000001"],
     lambda x: mpmath.acosh(x[0]), lambda x: sp.acosh(A), None),
    ("GT_OP_ATANH", "atanh", 1, SMOOTH,
     ["0.3", "-0.7", "0.9", "0.9999999999"],
     lambda x: mpmath.atanh(x[0]), lambda x: sp.atanh(A), None),
    ("GT_OP_HYPOT", "hypot", 2, SMOOTH, [("3", "4"), ("-1.5", "2"),
                                         ("0.3", "-0.7"), ("0", "-2"),
                                         ("0", "0")],
     lambda x: mpmath.hypot(x[0], x[1]), lambda x: sp.sqrt(A**2 + B**2),
     conv_hypot),
    ("GT_OP_ERF", "erf", 1, SMOOTH, ["0.5", "-1.2", "3"],
     lambda x: mpmath.erf(x[0]), lambda x: sp.erf(A), None),
    ("GT_OP_ERFC", "erfc", 1, SMOOTH, ["0.5", "-1.2", "3"],
     lambda x: mpmath.erfc(x[0]), lambda x: sp.erfc(A), None),
    ("GT_OP_NORM_CDF", "norm_cdf", 1, SMOOTH, ["0.5", "-1.2", "3", "-5"],
     lambda x: mpmath.ncdf(x[0]), lambda x: sp.erfc(-A / sp.sqrt(2)) / 2,
     None),
    ("GT_OP_NORM_LOGCDF", "norm_logcdf", 1, SMOOTH, ["0.5", "-1.2", "3"],
     lambda x: mpmath.log(mpmath.ncdf(x[0])),
     lambda x: sp.log(sp.erfc(-A / sp.sqrt(2)) / 2), None),
    ("GT_OP_ERFINV", "erfinv", 1, SMOOTH, ["0.5", "-0.3", "0.999"],
     lambda x: mpmath.erfinv(x[0]), lambda x: sp.erfinv(A), None),
    ("GT_OP_LAMBERTW", "lambertw", 1, SMOOTH, ["0.5", "-0.3", "100"],
     lambda x: mpmath.lambertw(x[0]).real, lambda x: sp.LambertW(A), None),
    ("GT_OP_GAMMA", "gamma", 1, SMOOTH, ["0.5", "4.5", "-1.5", "-2.7"],
     lambda x: mpmath.gamma(x[0]), lambda x: sp.gamma(A), None),
    ("GT_OP_LGAMMA", "lgamma", 1, SMOOTH, ["0.5", "10", "-1.5", "-2.7"],
     lambda x: mpmath.log(abs(mpmath.gamma(x[0]))), closed_lgamma, None),
    ("GT_OP_DIGAMMA", "digamma", 1, SMOOTH, ["0.5", "4", "-1.5", "-2.7"],
     lambda x: mpmath.digamma(x[0]), lambda x: sp.polygamma(0, A), None),
    ("GT_OP_TRIGAMMA", "trigamma", 1, SMOOTH, ["0.5", "3", "-1.5"],
     lambda x: mpmath.psi(1, x[0]), lambda x: sp.polygamma(1, A), None),
    ("GT_OP_FLOOR", "floor", 1, FLAT, ROUND_POINTS,
     lambda x: mpmath.floor(x[0]), None, None),
    ("GT_OP_CEIL", "ceil", 1, FLAT, ROUND_POINTS,
     lambda x: mpmath.ceil(x[0]), None, None),
    ("GT_OP_ROUND", "round", 1, FLAT, ROUND_POINTS, value_round, None, None),
    ("GT_OP_TRUNC", "trunc", 1, FLAT, ROUND_POINTS, value_trunc, None, None),
    ("GT_OP_MIN", "min", 2, SMOOTH, [("1", "2"), ("3", "-1"), ("2", "2"),
                                     ("-1.5", "-0.3")],
     lambda x: min(x[0], x[1]), closed_minmax(False), conv_tie),
    ("GT_OP_MAX", "max", 2, SMOOTH, [("1", "2"), ("3", "-1"), ("2", "2"),
                                     ("-1.5", "-0.3")],
     lambda x: max(x[0], x[1]), closed_minmax(True), conv_tie),
    ("GT_OP_SIGMOID", "sigmoid", 1, SMOOTH,
     ["0", "2.5", "-3", "0.3", "40", "200"],
     lambda x: 1 / (1 + mpmath.exp(-x[0])), lambda x: 1 / (1 + sp.exp(-A)),
     None),
    ("GT_OP_SOFTPLUS", "softplus", 1, SMOOTH, ["0", "2.5", "-3", "30",
                                               "-30"],
     lambda x: mpmath.log1p(mpmath.exp(x[0])), lambda x: sp.log(1 + sp.exp(A)),
     None),
    ("GT_OP_RELU", "relu", 1, SMOOTH, ["-2", "1.5", "0.3", "0"],
     lambda x: max(x[0], mpf(0)), closed_relu, conv_zero1),
    ("GT_OP_WHERE", "where", 3, SMOOTH, [("1", "2.5", "-3"),
                                         ("0", "2.5", "-3"),
                                         ("-0.5", "0.3", "7")],
     lambda x: x[1] if x[0] != 0 else x[2], closed_where, None),
    ("GT_OP_STOP", "stop_gradient", 1, FLAT, ["1.5", "-2", "0"],
     lambda x: x[0], None, None),
    # floor of the exact quotient: a/b = 3 - 2^-258 rounds up to 3 at 256
    # bits, while floor(a/b) is 2; a // +-inf is 0 or -1, as Python's
    ("GT_OP_FLOORDIV", "//", 2, FLAT,
     [("7", "2"), ("-7", "2"), ("7", "-2"), ("7.5", "0.5"),
      ("below(3*x('1.1'))", "1.1"), ("1e40", "3"), ("0.3", "-7")],
     value_floordiv, None, None),
    # integer-order special functions: the order a is a parameter, so the
    # closed form has it as a constant and d/da is 0 (no derivative flows
    # to it); a non-integer order is NaN
    ("GT_OP_POLYGAMMA", "polygamma", 2, SMOOTH,
     [("0", "0.5"), ("1", "3"), ("2", "-1.5"), ("3", "0.25"),
      ("5", "-2.7"), ("1", "40")],
     lambda x: mpmath.psi(int(x[0]), x[1]),
     lambda x: sp.polygamma(int(x[0]), B), None),
    ("GT_OP_BESSELJ", "besselj", 2, SMOOTH,
     [("0", "0.5"), ("1", "-3"), ("2", "7.5"), ("-3", "2.25"),
      ("5", "0.125"), ("0", "30")],
     lambda x: mpmath.besselj(int(x[0]), x[1]),
     lambda x: sp.besselj(int(x[0]), B), None),
    ("GT_OP_BESSELY", "bessely", 2, SMOOTH,
     [("0", "0.5"), ("1", "3"), ("2", "7.5"), ("-3", "2.25"),
      ("4", "0.125")],
     lambda x: mpmath.bessely(int(x[0]), x[1]),
     lambda x: sp.bessely(int(x[0]), B), None),
]


# ---- zeta, beta, lbeta, gamma_inc and their derivative ops (issue 16) ----
# sympy cannot differentiate zeta in s, and the derivative ops carry their
# order as an operand (no derivative flows to it: partial 0), so their
# partials come from mpmath by two routes that must agree: mpmath.zeta(s,
# 1, k) against mpmath.diff of mpmath.zeta; for the beta family sympy's
# derivative of the Gamma closed form against mpmath.diff of mpmath.beta.

D_SHIFT = 65536     # beta_d's third operand: i * 2^16 + j


def zeta_k(s, k, dps):
    with mpmath.workdps(dps):
        return mpmath.zeta(s, 1, k) if k else mpmath.zeta(s)


def zeta_checked(s, k):
    v = zeta_k(s, k, WORK)
    with mpmath.workdps(CHECK):
        w = mpmath.diff(mpmath.zeta, +s, k) if k else mpmath.zeta(s)
    agree(v, w, "zeta^(%d)(%s) by two routes" % (k, s))
    return v


def value_zeta_d(x):
    return zeta_k(x[0], int(x[1]), mpmath.mp.dps)


def conv_zeta(x):
    return (zeta_checked(x[0], 1),)


def conv_zeta_d(x):
    return (zeta_checked(x[0], int(x[1]) + 1), mpf(0))


def beta_closed(x, log):
    g = sp.gamma(A) * sp.gamma(B) / sp.gamma(A + B)
    if not log:
        return g
    with mpmath.workdps(WORK):
        sign = mpmath.beta(x[0], x[1]) > 0
    return sp.log(g if sign else -g)


def beta_deriv(x, log, i, j, dps):
    """d^i/da^i d^j/db^j of B or log|B| at x: sympy (route 1)."""
    e = beta_closed(x, log)
    if i:
        e = sp.diff(e, A, i)
    if j:
        e = sp.diff(e, B, j)
    subs = {A: sp.Float(mpmath.libmp.to_str(x[0]._mpf_, 200), 200),
            B: sp.Float(mpmath.libmp.to_str(x[1]._mpf_, 200), 200)}
    v = e.subs(subs).evalf(dps)
    with mpmath.workdps(dps):
        return mpf(str(v)) if v != 0 else mpf(0)


def beta_route2(x, log, i, j, dps):
    f = (lambda a, b: mpmath.log(abs(mpmath.beta(a, b)))) if log \
        else mpmath.beta
    with mpmath.workdps(dps):
        if i + j == 0:
            return f(x[0], x[1])
        return mpmath.diff(f, (+x[0], +x[1]), (i, j))


def beta_checked(x, log, i, j):
    v = beta_deriv(x, log, i, j, WORK)
    agree(v, beta_route2(x, log, i, j, CHECK),
          "beta%s^(%d,%d)%s by two routes" % ("log" if log else "", i, j, x))
    return v


def orders(x):
    m = int(x[2])
    return m // D_SHIFT, m % D_SHIFT


def value_beta_d(log):
    def value(x):
        i, j = orders(x)
        return beta_deriv(x, log, i, j, mpmath.mp.dps)
    return value


def conv_beta_d(log):
    def conv(x):
        i, j = orders(x) if len(x) == 3 else (0, 0)
        d = [beta_checked(x, log, i + 1, j), beta_checked(x, log, i, j + 1)]
        return tuple(d + [mpf(0)] * (len(x) - 2))
    return conv


def value_lbeta(x):
    return mpmath.log(abs(mpmath.beta(x[0], x[1])))


def gamma_inc_da(a, x, d):
    """d^d/da^d Gamma(a, x) by two routes agreeing to 40 digits:
    mpmath.diff of gammainc in a, and the integral of
    t^(a-1) log(t)^d e^-t from x to inf (Gamma^(d)(a) at x = 0)."""
    if d == 0:
        return mpmath.gammainc(a, x)
    with mpmath.workdps(WORK):
        u = mpmath.diff(lambda t: mpmath.gammainc(t, x), a, d)
    with mpmath.workdps(CHECK):
        if x == 0:
            v = mpmath.diff(mpmath.gamma, a, d)
        else:
            v = mpmath.quad(lambda t: t ** (a - 1) * mpmath.log(t) ** d
                            * mpmath.exp(-t), [x, x + 1, x + 10, mpmath.inf])
    agree(u, v, "d^%d/da^%d gamma_inc(%s, %s) by two routes" % (d, d, a, x))
    return u


def conv_gamma_inc(x):
    """(d/da, d/dx[, d/dorder = 0]) of d^d/da^d Gamma(a, x)"""
    a, z = x[0], x[1]
    d = int(x[2]) if len(x) == 3 else 0
    da = gamma_inc_da(a, z, d + 1)
    with mpmath.workdps(WORK):
        dz = mpf(0) if z == 0 and a > 1 else \
            -z ** (a - 1) * mpmath.log(z) ** d * mpmath.exp(-z)
    return (da, dz) + ((mpf(0),) if len(x) == 3 else ())


SF2_OPS = [
    ("GT_OP_ZETA", "zeta", 1, SMOOTH,
     ["2.5", "-3.5", "0.5", "0.9990234375", "30", "-2"],
     lambda x: mpmath.zeta(x[0]), None, conv_zeta),
    ("GT_OP_ZETA_D", "zeta derivative", 2, SMOOTH,
     [("2.5", "1"), ("-3.5", "2"), ("0.5", "3"), ("1.0009765625", "4"),
      ("-2", "1")],
     value_zeta_d, None, conv_zeta_d),
    ("GT_OP_BETA", "beta", 2, SMOOTH,
     [("1.5", "2.25"), ("-0.5", "2.25"), ("0.3", "-1.7"), ("5", "7")],
     lambda x: mpmath.beta(x[0], x[1]), None, conv_beta_d(False)),
    ("GT_OP_LBETA", "lbeta", 2, SMOOTH,
     [("1.5", "2.25"), ("-0.5", "2.25"), ("0.3", "-1.7"), ("50", "70")],
     value_lbeta, None, conv_beta_d(True)),
    ("GT_OP_BETA_D", "beta derivative", 3, SMOOTH,
     [("1.5", "2.25", str(D_SHIFT)), ("0.7", "-1.3", "1"),
      ("2.5", "3", str(2 * D_SHIFT + 1))],
     value_beta_d(False), None, conv_beta_d(False)),
    ("GT_OP_LBETA_D", "lbeta derivative", 3, SMOOTH,
     [("1.5", "2.25", str(D_SHIFT)), ("0.7", "-1.3", "2"),
      ("2.5", "3", str(D_SHIFT + 1))],
     value_beta_d(True), None, conv_beta_d(True)),
    ("GT_OP_GAMMA_INC", "gamma_inc", 2, SMOOTH,
     [("1.5", "2.25"), ("-0.5", "3"), ("3", "0"), ("2.5", "30"),
      ("-2", "0.5")],
     lambda x: mpmath.gammainc(x[0], x[1]), None, conv_gamma_inc),
    ("GT_OP_GAMMA_INC_D", "gamma_inc derivative", 3, SMOOTH,
     [("1.5", "2.25", "1"), ("-0.5", "3", "2"), ("3", "0.5", "1"),
      ("2.5", "30", "3"), ("-2", "0.5", "1")],
     lambda x: gamma_inc_da(x[0], x[1], int(x[2])), None, conv_gamma_inc),
]
OPS += SF2_OPS

# what a forward rule reports as "evaluated exactly at its kink"
KINKS = {
    "GT_OP_ABS": lambda x: x[0] == 0,
    "GT_OP_RELU": lambda x: x[0] == 0,
    "GT_OP_HYPOT": lambda x: x[0] == 0 and x[1] == 0,
    "GT_OP_MIN": lambda x: x[0] == x[1],
    "GT_OP_MAX": lambda x: x[0] == x[1],
}


# ---- evaluation ------------------------------------------------------------

def below(x):
    """The PREC-bit number just below x > 0."""
    _, e = mpmath.frexp(x)
    return x - mpmath.ldexp(1, e - PREC)


def operand(text):
    """A decimal rounded to PREC bits, or an expression of such numbers
    ("below(3*x('1.1'))") evaluated with PREC-bit rounding."""
    with mpmath.workprec(PREC):
        if text[0].isalpha():
            return +eval(text, {"x": mpf, "below": below})
        return +mpf(text)


def hexstr(x):
    sign, man, exp, _ = x._mpf_
    return "%s0x%xp%d" % ("-" if sign else "", man, exp)


def fmt(v):
    if isinstance(v, str):
        return v
    if mpmath.isnan(v):
        return NAN
    if mpmath.isinf(v):
        return INF if v > 0 else "-" + INF
    if v == 0:
        return "0"
    return mpmath.libmp.to_str(v._mpf_, DIGITS)


def agree(u, v, what):
    if isinstance(u, str) or isinstance(v, str):
        assert u == v, what
        return
    if mpmath.isinf(u) or mpmath.isinf(v):
        assert u == v, what
        return
    with mpmath.workdps(CHECK + 20):
        tol = max(abs(u), abs(v)) * mpf(10) ** (-AGREE)
        assert abs(u - v) <= tol, "%s: %s vs %s" % (what, u, v)


def value(f, x, dps):
    with mpmath.workdps(dps):
        v = f([+t for t in x])
        assert not isinstance(v, mpmath.mpc), "complex value"
        return +v


def partials(closed, x, n, dps):
    """sympy: differentiate the closed form, evaluate at x."""
    expr = closed(x)
    subs = {SYMS[k]: sp.Float(mpmath.libmp.to_str(x[k]._mpf_, 200), 200)
            for k in range(n)}
    out = []
    for k in range(n):
        d = sp.diff(expr, SYMS[k]).subs(subs).evalf(dps)
        if d.is_real is False or d.has(sp.I):
            out.append(NAN)
            continue
        with mpmath.workdps(dps):
            out.append(mpf(str(d)) if d != 0 else mpf(0))
    return expr, out


def numeric_partials(expr, x, n, dps):
    """mpmath.diff of the same closed form: the second route."""
    f = sp.lambdify(SYMS[:n], expr, modules="mpmath")
    out = []
    with mpmath.workdps(dps):
        for k in range(n):
            order = tuple(1 if j == k else 0 for j in range(n))
            out.append(mpmath.diff(f, tuple(+t for t in x), order))
    return out


def row(enum, name, n, cls, texts, f, closed, conv):
    texts = (texts,) if isinstance(texts, str) else tuple(texts)
    assert len(texts) == n
    x = [operand(t) for t in texts]
    y = value(f, x, WORK)
    agree(y, value(f, x, CHECK), "%s%s value" % (name, texts))
    if cls == FLAT:
        d = [mpf(0)] * n
    elif cls == NORULE:
        d = None
    else:
        d = conv(x) if conv else None
        if d is None:
            expr, d = partials(closed, x, n, WORK)
            # the closed form is the function around x
            with mpmath.workdps(WORK):
                fx = +sp.lambdify(SYMS[:n], expr, modules="mpmath")(*x)
            agree(fx, y, "%s%s closed form" % (name, texts))
            nd = numeric_partials(expr, x, n, CHECK)
            for k in range(n):
                if d[k] != NAN:
                    agree(d[k], nd[k], "%s%s d/d%d" % (name, texts, k))
        else:
            d = list(d)
    kink = 1 if enum in KINKS and KINKS[enum](x) else 0
    return {
        "enum": enum, "name": name, "n": n, "cls": cls, "kink": kink,
        "texts": texts, "x": [hexstr(t) for t in x], "y": fmt(y),
        "d": [fmt(v) for v in d] if d is not None else None,
    }


def cstr(s):
    return '"%s"' % s if s is not None else "NULL"


def main():
    rows = []
    for spec in OPS:
        enum, name, n, cls, points, f, closed, conv = spec
        for p in points:
            rows.append(row(enum, name, n, cls, p, f, closed, conv))
    print("/* ops_table.h -- generated by tests/oracle/gen_ops.py; "
          "do not edit. */")
    print("/* { op, the point, name, arity, class, kink, operands exactly (hex,"
          " %d bits)," % PREC)
    print("     f(operands), df/d(operand k) } to %d digits; \"nan\" where"
          % DIGITS)
    print("   the derivative is not real, NULL where no rule exists. */")
    print("enum OpClass {")
    print("  OC_SMOOTH,  /* derivative rule checked against the oracle */")
    print("  OC_FLAT,    /* derivative 0 everywhere: nothing may flow */")
    print("  OC_NORULE   /* no derivative rule: the sweeps must say so */")
    print("};")
    print("static const struct OpCase {")
    print("  int op;")
    print("  const char *what;    /* the point, as written in gen_ops.py */")
    print("  const char *name;")
    print("  int arity;")
    print("  enum OpClass cls;")
    print("  int kink;")
    print("  const char *x[3];")
    print("  const char *y;")
    print("  const char *d[3];")
    print("} op_cases[] = {")
    for r in rows:
        n = r["n"]
        xs = r["x"] + [None] * (3 - n)
        ds = (r["d"] if r["d"] else [None] * n) + [None] * (3 - n)
        what = "%s(%s)" % (r["name"], ", ".join(r["texts"]))
        print("  { %s, %s," % (r["enum"], cstr(what.replace('"', '\\"'))))
        print("    %s, %d, %s, %d," % (cstr(r["name"]), n, r["cls"],
                                       r["kink"]))
        print("    { %s }," % ", ".join(cstr(s) for s in xs))
        print("    %s," % cstr(r["y"]))
        print("    { %s } }," % ",\n      ".join(cstr(s) for s in ds))
    print("};")


if __name__ == "__main__":
    main()
