#!/usr/bin/env python3
"""gen_e2e.py -- independent oracle for gradtool's numeric end-to-end cases.

Writes NAME.gt (when the case owns its program), NAME.args, NAME.stdin and
NAME.out of every numeric case into tests/e2e/.  The expected numbers do not
come from gradtool: each output is written here by hand as a mathematical
expression of the inputs (sympy), derivatives are taken by sympy (or given by
hand where the tool follows a convention: kinks, floor, where), values are
evaluated far beyond the working precision (sympy/mpmath), rounded once to the
working precision P (round to nearest, ties to even) and printed by the
spec's number rules, implemented below with exact rational arithmetic:

  * shortest decimal that reads back to the same P-bit value (the nearest
    n-digit decimal for the smallest n that round-trips);
  * plain notation when the scientific exponent x (v = d.ddd * 10^x) is in
    -6..21, else d.ddde+X / d.ddde-X; integers without a point; -0 is 0;
  * --digits=N: round to N significant digits (ties to even), print N digits,
    scientific when a zero would be padded before the point; an integer
    of at most N digits prints as that integer;
  * with several --wrt names and --order K, each distinct partial once
    (the names of a mixed partial in --wrt order).

Caution on last bits: gradtool rounds once per operation, so a composite
computation can differ from the correctly rounded exact result in its last
bit.  A case printed in shortest form must therefore be exactly representable
or a single correctly rounded MPFR operation on representable operands (the
case says so with cr=True); anything else uses --digits=30 at 128 bits, and the
generator checks that 30 digits are insensitive to a few ulps of error.

Run offline, from anywhere:  python3 tests/oracle/gen_e2e.py
Needs python3-sympy and python3-mpmath (Debian).  Not run by `make check`;
its outputs are committed.  Error cases (.err/.status) are written by hand.
"""

import itertools
import os
import random
import sys
from fractions import Fraction as Q

import sympy as sp

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e")
TUT = "../../examples/tutorial"

# --------------------------------------------------------------------------
# Binary rounding and decimal formatting (exact, with Fractions)


def round_bits(q, prec):
    """q rounded to prec significant bits, to nearest, ties to even."""
    q = Q(q)
    if q == 0:
        return Q(0)
    sign = -1 if q < 0 else 1
    a = abs(q)
    e = a.numerator.bit_length() - a.denominator.bit_length() - prec
    while a / Q(2) ** e < 2 ** (prec - 1):
        e -= 1
    while a / Q(2) ** e >= 2 ** prec:
        e += 1
    m = a / Q(2) ** e
    fl = m.numerator // m.denominator
    rem = m - fl
    if rem > Q(1, 2) or (rem == Q(1, 2) and fl % 2 == 1):
        fl += 1
    return sign * fl * Q(2) ** e


def round_sig(q, n):
    """|q| rounded to n significant decimal digits (ties to even):
    (digit string of length n, scientific exponent x)."""
    a = abs(Q(q))
    assert a != 0
    x = len(str(a.numerator)) - len(str(a.denominator))
    while a < Q(10) ** x:
        x -= 1
    while a >= Q(10) ** (x + 1):
        x += 1
    m = a / Q(10) ** (x - n + 1)
    fl = m.numerator // m.denominator
    rem = m - fl
    if rem > Q(1, 2) or (rem == Q(1, 2) and fl % 2 == 1):
        fl += 1
    if fl == 10 ** n:
        fl //= 10
        x += 1
    return str(fl), x


def shortest(v, prec):
    """Digits and exponent of the shortest decimal reading back to v."""
    for n in itertools.count(1):
        d, x = round_sig(v, n)
        back = Q(int(d)) * Q(10) ** (x - n + 1)
        if round_bits(back if v > 0 else -back, prec) == v:
            return d.rstrip("0") or "0", x


def layout(d, x):
    if -6 <= x <= 21:
        if x >= 0:
            ip, fp = d[: x + 1].ljust(x + 1, "0"), d[x + 1:]
        else:
            ip, fp = "0", "0" * (-x - 1) + d
        return ip + ("." + fp if fp else "")
    mant = d[0] + ("." + d[1:] if len(d) > 1 else "")
    return "%se%s%d" % (mant, "+" if x >= 0 else "-", abs(x))


def fmt(v, prec, digits=None):
    """v: a P-bit value (Fraction) or 'nan' / 'inf' / '-inf'."""
    if isinstance(v, str):
        return v
    assert round_bits(v, prec) == v, "not a %d-bit value" % prec
    if v == 0:
        assert digits is None, "zero with --digits: format not fixed by spec"
        return "0"
    sign = "-" if v < 0 else ""
    if digits and v.denominator == 1 and len(str(abs(v.numerator))) <= digits:
        return sign + str(abs(v.numerator))      # an integer that fits
    d, x = round_sig(v, digits) if digits else shortest(v, prec)
    if digits and x >= len(d):
        # no zero may be padded before the point: scientific instead
        mant = d[0] + ("." + d[1:] if len(d) > 1 else "")
        return "%s%se+%d" % (sign, mant, x)
    return sign + layout(d, x)


def self_test():
    """The shortest digits at 53 bits must be Python's repr digits."""
    from decimal import Decimal
    rnd = random.Random(1)
    vals = [0.1, 0.2, 0.1 + 0.2, 1 / 3, 2 / 3, 1e21, 1e22, 1e-7, 123.456,
            5e-300, 1.7976931348623157e308, 2.0 ** 0.5]
    vals += [rnd.uniform(-1, 1) * 10.0 ** rnd.randint(-300, 300)
             for _ in range(3000)]
    for f in vals:
        d, x = shortest(round_bits(Q(f), 53), 53)
        t = Decimal(repr(abs(f))).normalize().as_tuple()
        rd = "".join(map(str, t.digits))
        assert (d, x) == (rd, t.exponent + len(rd) - 1), (f, d, x)
    checks = [(Q(10) ** 21, "1000000000000000000000"), (Q(10) ** 22, "1e+22"),
              (Q(1, 10 ** 6), "0.000001"), (Q(1, 10 ** 7), "1e-7"),
              (Q(15 * 10 ** 21), "1.5e+22"), (Q(-5, 2), "-2.5"), (Q(108), "108")]
    for q, s in checks:
        assert fmt(round_bits(q, 128), 128) == s, (q, s)
    assert fmt(Q(8), 128, 3) == "8"
    assert fmt(Q(299792458), 128, 3) == "3.00e+8"
    assert fmt(Q(5, 2), 128, 3) == "2.50"
    assert fmt(round_bits(Q(1234, 10 ** 7), 128), 128, 2) == "0.00012"
    assert fmt(round_bits(Q(1, 3), 128), 128, 3) == "0.333"
    assert fmt(round_bits(Q(15 * 10 ** 21), 128), 128, 3) == "1.50e+22"


# --------------------------------------------------------------------------
# Exact values to working precision

class Exact:
    """An output whose binary value the generator computed exactly itself
    (simulating the tool's one-rounding-per-operation on exact operands)."""

    def __init__(self, q):
        self.q = q


NAN, INF, NINF = "nan", "inf", "-inf"


def to_fraction(f):
    sign, man, exp, _ = f._mpf_
    return (-1 if sign else 1) * man * Q(2) ** exp


def correctly_rounded(expr, prec):
    """(P-bit value, is_exact) of a closed-form real sympy number."""
    expr = sp.sympify(expr)
    if expr.is_Rational:
        q = Q(int(expr.p), int(expr.q))
        return round_bits(q, prec), round_bits(q, prec) == q
    dps = int(prec * 0.30103) + 80
    f = sp.N(expr, dps)
    assert f.is_Float, (expr, f)
    q = to_fraction(f)
    r = round_bits(q, prec)
    for s in (1, -1):   # not within reach of a rounding boundary
        assert round_bits(q * (1 + s * Q(2) ** -(prec + 40)), prec) == r, expr
    return r, False


def robust_digits(r, prec, digits):
    """30 printed digits must not depend on the last few bits."""
    want = round_sig(r, digits)
    for s in (1, -1):
        assert round_sig(r * (1 + s * Q(2) ** -(prec - 8)), digits) == want, \
            ("digits not robust", r)


def value_text(spec, subs, prec, digits, cr):
    if isinstance(spec, str):
        return spec
    if isinstance(spec, Exact):
        return fmt(spec.q, prec, digits)
    r, exact = correctly_rounded(sp.sympify(spec).subs(subs), prec)
    if digits is None:
        assert exact or cr, "shortest form of an inexact composite: %s" % spec
    elif not exact:
        robust_digits(r, prec, digits)
    return fmt(r, prec, digits)


# --------------------------------------------------------------------------
# Cases

X, Y, N = sp.symbols("x y n", real=True)
SYM = {"x": X, "y": Y, "n": N}
R = sp.Rational
CASES = []


def case(name, prog=None, args=None, inputs=(), outputs=(), wrt=None, of=None,
         order=1, prec=128, digits=None, json=False, derivs=None, notes=(),
         cr=False, stdin=None):
    """One numeric case.
    inputs  [(name, exact value)] in order of first execution
    outputs [(name, expr in the input symbols | Exact | NAN/INF/NINF)]
    derivs  {(out, (w, ...)): expr | (expr, connected)} overrides
    cr      the case's inexact results are single correctly rounded ops."""
    CASES.append(dict(name=name, prog=prog, args=args, inputs=list(inputs),
                      outputs=list(outputs), wrt=wrt, of=of, order=order,
                      prec=prec, digits=digits, json=json,
                      derivs=derivs or {}, notes=list(notes), cr=cr,
                      stdin=stdin))


def to_q(v):
    if isinstance(v, (Q, int)):
        return Q(v)
    return Q(int(v.p), int(v.q))


def dlabel(out, combo):
    k = len(combo)
    if k == 1:
        return "d%s/d%s" % (out, combo[0])
    if len(set(combo)) == 1:
        return "d%d%s/d%s%d" % (k, out, combo[0], k)
    return "d%d%s/%s" % (k, out, "".join("d" + w for w in combo))


def expected(c):
    subs = {SYM[n]: sp.Rational(to_q(v).numerator, to_q(v).denominator)
            for n, v in c["inputs"]}
    p, dg, cr = c["prec"], c["digits"], c["cr"]
    outs = dict(c["outputs"])
    wrt = c["wrt"] if c["wrt"] is not None else [n for n, _ in c["inputs"]]
    of = c["of"] if c["of"] is not None else [n for n, _ in c["outputs"]]
    if c["order"] == 1:
        combos = [(w,) for w in wrt]
    elif len(wrt) == 1:
        combos = [tuple(wrt) * c["order"]]
    else:
        # each distinct mixed partial once, in --wrt order (issue 10)
        combos = list(itertools.combinations_with_replacement(wrt,
                                                              c["order"]))
    values = [(n, value_text(s, subs, p, dg, cr)) for n, s in c["outputs"]]
    ders = []
    for o in of:
        for combo in combos:
            if (o, combo) in c["derivs"]:
                d = c["derivs"][(o, combo)]
                spec, conn = d if isinstance(d, tuple) else (d, True)
            else:
                e = sp.sympify(outs[o])
                spec = sp.diff(e, *[SYM[w] for w in combo])
                conn = all(SYM[w] in e.free_symbols for w in combo)
            ders.append((o, combo, value_text(spec, subs, p, dg, cr), conn))
    if not c["json"]:
        lines = ["%s = %s" % v for v in values]
        lines += ["%s = %s" % (dlabel(o, cb), t) for o, cb, t, _ in ders]
        return "".join(l + "\n" for l in lines)
    js = lambda t: '"%s"' % t if t in (NAN, INF, NINF) else t
    s = '{"precision": %d,\n' % p
    s += ' "values": {%s},\n' % ", ".join('"%s": %s' % (n, js(t))
                                          for n, t in values)
    items = ['{"of": "%s", "wrt": [%s], "value": %s%s}'
             % (o, ", ".join('"%s"' % w for w in cb), js(t),
                "" if conn else ', "connected": false')
             for o, cb, t, conn in ders]
    if items:
        s += ' "derivatives": [\n   ' + ",\n   ".join(items) + "]"
    else:
        s += ' "derivatives": []'
    if c["notes"]:
        s += ',\n "notes": [%s]' % ", ".join('"%s"' % n for n in c["notes"])
    return s + "}\n"


# ---- seed examples (examples/tutorial/, written by the lead) ---------------
PERSIST = [("z", X ** 4), ("y", X ** 2)]
case("persistent_wrt_x", args=f"{TUT}/persistent.gt --wrt x",
     inputs=[("x", 3)], outputs=PERSIST)
case("persistent_json", args=f"--format json {TUT}/persistent.gt --wrt x",
     inputs=[("x", 3)], outputs=PERSIST, json=True)
case("persistent_of_y", args=f"--of y {TUT}/persistent.gt",
     inputs=[("x", 3)], outputs=PERSIST, of=["y"])
case("persistent_wrt_y", args=f"--wrt y --of z {TUT}/persistent.gt",
     inputs=[("x", 3)], outputs=PERSIST, wrt=["y"], of=["z"],
     derivs={("z", ("y",)): 2 * X ** 2})                  # z = y^2
case("persistent_digits", args=f"--digits=5 {TUT}/persistent.gt",
     inputs=[("x", 3)], outputs=PERSIST, digits=5)
CF = f"{TUT}/control_flow.gt"
case("control_flow_n6", args=f"{CF} --wrt x --at n=6",
     inputs=[("x", 2), ("n", 6)], outputs=[("r", X ** 3)], wrt=["x"])
case("control_flow_n5", args=f"-w x -a n=5 {CF}",
     inputs=[("x", 2), ("n", 5)], outputs=[("r", X ** 3)], wrt=["x"])
case("control_flow_n4", args=f"--wrt=x --at=n=4 {CF}",
     inputs=[("x", 2), ("n", 4)], outputs=[("r", X ** 2)], wrt=["x"])
case("control_flow_all", args=CF,
     inputs=[("x", 2), ("n", 6)], outputs=[("r", X ** 3)])
case("control_flow_json", args=f"--format=json {CF}",
     inputs=[("x", 2), ("n", 6)], outputs=[("r", X ** 3)], json=True)
HO = f"{TUT}/higher_order.gt"
case("higher_order_default", args=HO, inputs=[("x", 1)],
     outputs=[("y", X ** 3)])
case("higher_order_order2", args=f"{HO} --wrt x --order 2",
     inputs=[("x", 1)], outputs=[("y", X ** 3)], order=2)
case("higher_order_json", args=f"-f json -k 2 -w x {HO}",
     inputs=[("x", 1)], outputs=[("y", X ** 3)], order=2, json=True)

# ---- statements -----------------------------------------------------------
case("input_default", prog="input x = 3\ny = x + 1\n",
     inputs=[("x", 3)], outputs=[("y", X + 1)])
case("input_required_at", args="--at n=5 err_missing_input.gt",
     inputs=[("n", 5)], outputs=[("y", N * 2)])
case("default_output_input", prog="input x = 3\n",
     inputs=[("x", 3)], outputs=[("x", X)])
case("compound_assign", prog="""\
input x = 2
y = x
y += 3
y -= 1
y *= x
y /= 4
""", inputs=[("x", 2)], outputs=[("y", (X + 2) * X / 4)])
case("if_elif_else", prog="""\
def g(t) {
  if t < 0 { return -t } elif t < 10 { return t * t } else { return 100 }
}
input x = 3
a = g(-x)
b = g(x)
c = g(x * 5)
output a, b, c
""", inputs=[("x", 3)], outputs=[("a", X), ("b", X ** 2), ("c", 100)])
case("for_range1", prog="s = 0\nfor i in range(5) { s += i }\n",
     outputs=[("s", 10)])
case("for_range2", prog="""\
s = 0
for i in range(2, 6) { s = s * 10 + i }
u = 0
for i in range(5, 2) { u = 1 }
output s, u
""", outputs=[("s", 2345), ("u", 0)])
case("for_range3_neg", prog="""\
s = 0
for i in range(10, 0, -3) { s = s * 100 + i }
t = 0
for i in range(1, 10, 4) { t = t * 10 + i }
output s, t
""", outputs=[("s", 10070401), ("t", 159)])
case("while_loop", prog="""\
input x = 1
t = x
n = 0
while t < 100 {
  t *= 3
  n += 1
}
output t, n
""", inputs=[("x", 1)], outputs=[("t", 243 * X), ("n", 5)])
case("while_break", prog="""\
k = 0
while 1 {
  k += 1
  if k >= 7 { break }
}
""", outputs=[("k", 7)])
case("break_continue", prog="""\
s = 0
for i in range(100) {
  if i % 2 == 1 { continue }
  if i > 10 { break }
  s += i
}
inner = 0
for i in range(3) {
  for j in range(10) {
    if j == 2 { break }
    inner += 1
  }
}
output s, inner
""", outputs=[("s", 30), ("inner", 6)])
case("def_scope", prog="""\
input x = 2
k = 10
def f(a, b) {
  t = a * b      # local to f
  return t + k   # k is read from the top level
}
t = 100
y = f(x, 3) + t
""", inputs=[("x", 2)], outputs=[("y", 3 * X + 110)])
case("recursion_fact", prog="""\
def fact(n) {
  if n <= 1 { return 1 }
  return n * fact(n - 1)
}
a = fact(20)
b = fact(25)
output a, b
""", outputs=[("a", sp.factorial(20)), ("b", sp.factorial(25))])
case("recursion_fib", prog="""\
def fib(n) {
  if n < 2 { return n }
  return fib(n - 1) + fib(n - 2)
}
y = fib(15)
""", outputs=[("y", 610)])
case("recursion_deriv", prog="""\
def p(b, n) {
  if n == 0 { return 1 }
  return b * p(b, n - 1)
}
input x = 2
y = p(x, 5)
""", inputs=[("x", 2)], outputs=[("y", X ** 5)])
case("output_order", prog="""\
input x = 2
a = x + 1
b = a * x
output b, a
""", inputs=[("x", 2)], outputs=[("b", (X + 1) * X), ("a", X + 1)])
case("output_end_value", prog="""\
input x = 2
y = x
output y
y = y * 3
""", inputs=[("x", 2)], outputs=[("y", 3 * X)])
case("default_output", prog="""\
input x = 1
a = x + 1
if x > 0 { b = 2 * x }
if x > 5 { c = 1 }
for i in range(2) { }
""", inputs=[("x", 1)], outputs=[("b", 2 * X)])
case("assert_true", prog="""\
input x = 3
assert x > 0, "x must be positive"
assert x == 3
y = x + 1
""", inputs=[("x", 3)], outputs=[("y", X + 1)])
case("comments_semicolons", prog="""\
# a comment line
input x = 2   # a trailing comment
y = x; z = y * 3   # two statements on one line
# z = 0
output z
""", inputs=[("x", 2)], outputs=[("z", 3 * X)])
case("newline_parens", prog="""\
input x = 2
y = max(x,
        3,
        1) + (x
  * 4)
""", inputs=[("x", 2)], outputs=[("y", 3 + 4 * X)],
     derivs={("y", ("x",)): 4})
case("precedence", prog="""\
a = -2^2
b = 2^3^2
c = 2**-1
d = 7 % -3
f = -7 % 3
g = 7 % 3
h = 1 + 2 * 3 - 4 / 2
k = (1 + 2) * 3
m = 2 * 3 ^ 2
n = -3 ^ 2 + 1
p = 5.5 % 2
q = 2 - 3 - 4
r = 12 / 2 / 3
output a, b, c, d, f, g, h, k, m, n, p, q, r
""", outputs=[("a", -4), ("b", 512), ("c", R(1, 2)), ("d", -2), ("f", 2),
              ("g", 1), ("h", 5), ("k", 9), ("m", 18), ("n", -8),
              ("p", R(3, 2)), ("q", -5), ("r", 2)])
case("neg_pow_deriv", prog="input x = 3\ny = -x^2\n",
     inputs=[("x", 3)], outputs=[("y", -X ** 2)])
case("logic_values", prog="""\
a = 1 and 2
b = 0 or 0
c = 3 or 0
d = not 0
f = not 5
g = not 1 == 2
h = 1 < 2 and 2 < 1 or 1
k = -1 and 0.5
output a, b, c, d, f, g, h, k
""", outputs=[("a", 1), ("b", 0), ("c", 1), ("d", 1), ("f", 0), ("g", 1),
              ("h", 1), ("k", 1)])
case("short_circuit", prog="""\
def boom() {
  assert 0, "evaluated"
  return 1
}
a = 0 and boom()
b = 1 or boom()
c = 1 and 0
d = 0 or 2
output a, b, c, d
""", outputs=[("a", 0), ("b", 1), ("c", 0), ("d", 1)])
case("comparisons", prog="""\
x = 2
a = x == 2
b = x != 2
c = x < 3
d = x <= 2
f = x > 2
g = x >= 2.5
output a, b, c, d, f, g
""", outputs=[("a", 1), ("b", 0), ("c", 1), ("d", 1), ("f", 0), ("g", 0)])
case("print_stderr", prog="""\
input x = 3
y = x * x
print(x, "is x", y)
print(x / 4)
""", inputs=[("x", 3)], outputs=[("y", X ** 2)])
case("stdin_program", args="-", stdin="input x = 2\ny = x^2\n",
     inputs=[("x", 2)], outputs=[("y", X ** 2)])
case("stdin_implicit", args="", stdin="input x = 5\ny = x - 1\n",
     inputs=[("x", 5)], outputs=[("y", X - 1)])
case("expr_option", args="-e 'input x = 3; y = x * x'",
     inputs=[("x", 3)], outputs=[("y", X ** 2)])

# ---- scalar builtins: value and derivative at two points -------------------
D30 = 30


def builtin(name, prog, at2, outs, derivs=None, digits=D30):
    """Case NAME at the default input, NAME_2 at --at x=AT2."""
    x0 = R(prog.split("=")[1].split("\n")[0].strip())
    dflag = "--digits=%d " % digits if digits else ""
    case(name, prog=prog, args=(dflag + name + ".gt") if dflag else None,
         inputs=[("x", x0)], outputs=outs, digits=digits, derivs=derivs)
    case(name + "_2", args="%s--at x=%s %s.gt" % (dflag, at2, name),
         inputs=[("x", R(at2))], outputs=outs, digits=digits, derivs=derivs)


builtin("builtin_trig", "input x = 0.5\na = sin(x)\nb = cos(x)\nc = tan(x)\n"
        "output a, b, c\n", "-2.5",
        [("a", sp.sin(X)), ("b", sp.cos(X)), ("c", sp.tan(X))])
builtin("builtin_invtrig", "input x = 0.5\na = asin(x)\nb = acos(x)\nc = atan(x)\n"
        "d = atan2(x, -0.75)\nf = atan2(0.5, x)\noutput a, b, c, d, f\n",
        "-0.25",
        [("a", sp.asin(X)), ("b", sp.acos(X)), ("c", sp.atan(X)),
         ("d", sp.atan2(X, R(-3, 4))), ("f", sp.atan2(R(1, 2), X))])
builtin("builtin_hyper", "input x = 0.5\na = sinh(x)\nb = cosh(x)\nc = tanh(x)\n"
        "output a, b, c\n", "-1.5",
        [("a", sp.sinh(X)), ("b", sp.cosh(X)), ("c", sp.tanh(X))])
builtin("builtin_invhyper", "input x = 0.5\na = asinh(x)\nb = acosh(x + 2)\n"
        "c = atanh(x)\noutput a, b, c\n", "-0.25",
        [("a", sp.asinh(X)), ("b", sp.acosh(X + 2)), ("c", sp.atanh(X))])
builtin("builtin_exp", "input x = 0.5\na = exp(x)\nb = exp2(x)\nc = expm1(x)\n"
        "output a, b, c\n", "-3",
        [("a", sp.exp(X)), ("b", 2 ** X), ("c", sp.exp(X) - 1)])
builtin("builtin_log", "input x = 0.5\na = log(x)\nb = log2(x)\nc = log10(x)\n"
        "d = log1p(x)\noutput a, b, c, d\n", "3",
        [("a", sp.log(X)), ("b", sp.log(X) / sp.log(2)),
         ("c", sp.log(X) / sp.log(10)), ("d", sp.log(1 + X))])
builtin("builtin_pow", "input x = 0.5\na = sqrt(x)\nb = cbrt(x)\nc = pow(x, 2.5)\n"
        "d = pow(2.5, x)\nf = hypot(x, 0.75)\ng = hypot(1.25, x)\n"
        "output a, b, c, d, f, g\n", "3",
        [("a", sp.sqrt(X)), ("b", X ** R(1, 3)), ("c", X ** R(5, 2)),
         ("d", R(5, 2) ** X), ("f", sp.sqrt(X ** 2 + R(9, 16))),
         ("g", sp.sqrt(R(25, 16) + X ** 2))])
case("builtin_cbrt_neg", prog="input x = -3.375\ny = cbrt(x)\n",
     args="--digits=30 builtin_cbrt_neg.gt", inputs=[("x", R(-27, 8))],
     outputs=[("y", Exact(Q(-3, 2)))], digits=D30,
     derivs={("y", ("x",)): R(1, 3) / R(9, 4)})     # 1/(3 cbrt(x)^2)
LG = sp.log(sp.Abs(sp.gamma(X)))
builtin("builtin_special", "input x = 0.5\na = erf(x)\nb = erfc(x)\nc = gamma(x)\n"
        "d = lgamma(x)\nf = digamma(x)\noutput a, b, c, d, f\n", "-2.5",
        [("a", sp.erf(X)), ("b", sp.erfc(X)), ("c", sp.gamma(X)),
         ("d", LG), ("f", sp.polygamma(0, X))],
        derivs={("d", ("x",)): sp.polygamma(0, X),
                ("f", ("x",)): sp.polygamma(1, X)})
ROUND_D = {(o, ("x",)): 0 for o in "abcdfg"}
builtin("builtin_round", "input x = 2.5\na = floor(x)\nb = ceil(x)\nc = round(x)\n"
        "d = trunc(x)\nf = round(x + 1)\ng = round(x + 0.25)\n"
        "output a, b, c, d, f, g\n", "-2.5",
        [("a", sp.floor(X)), ("b", sp.ceiling(X)),
         ("c", sp.Piecewise((2, X > 0), (-2, True))),
         ("d", sp.Piecewise((2, X > 0), (-2, True))),
         ("f", sp.Piecewise((4, X > 0), (-2, True))),
         ("g", sp.Piecewise((3, X > 0), (-2, True)))],
        derivs=ROUND_D, digits=None)
PW = [("a", sp.Abs(X)), ("b", sp.sign(X)), ("c", sp.Max(X, 0)),
      ("d", sp.Max(-X, 0)), ("f", sp.Min(X, 1)), ("g", sp.Max(X, 1)),
      ("h", -3), ("k", sp.Piecewise((X * X, X > 0), (3 * X, True)))]


def pw_derivs(x0):
    pos = x0 > 0
    d = {"a": 1 if pos else -1, "b": 0, "c": 1 if pos else 0,
         "d": 0 if pos else -1, "f": 0 if pos else 1, "g": 1 if pos else 0,
         "h": 0, "k": 2 * X if pos else 3}
    return {(o, ("x",)): v for o, v in d.items()}


PW_PROG = """\
input x = -1.5
a = abs(x)
b = sign(x)
c = relu(x)
d = relu(-x)
f = min(x, 1)
g = max(x, 1)
h = min(x, 5, -3)
k = where(x > 0, x * x, 3 * x)
output a, b, c, d, f, g, h, k
"""
case("builtin_piecewise", prog=PW_PROG, inputs=[("x", R(-3, 2))], outputs=PW,
     derivs=pw_derivs(-1.5))
case("builtin_piecewise_2", args="--at x=2 builtin_piecewise.gt", inputs=[("x", 2)],
     outputs=PW, derivs=pw_derivs(2))
builtin("builtin_nn", "input x = 0.5\na = sigmoid(x)\nb = softplus(x)\n"
        "output a, b\n", "-2",
        [("a", 1 / (1 + sp.exp(-X))), ("b", sp.log(1 + sp.exp(X)))])
case("builtin_tfnames", prog="""\
input x = 3
a = add(x, 2)
b = subtract(x, 2)
c = subtract(2, x)
d = multiply(x, x)
f = divide(x, 4)
g = divide(4.5, x)
output a, b, c, d, f, g
""", inputs=[("x", 3)], outputs=[("a", X + 2), ("b", X - 2), ("c", 2 - X),
                                 ("d", X * X), ("f", X / 4),
                                 ("g", R(9, 2) / X)])
case("stop_gradient", prog="""\
input x = 3
y = x * stop_gradient(x)
z = stop_gradient(x * x) + x
output y, z
""", inputs=[("x", 3)], outputs=[("y", X ** 2), ("z", X ** 2 + X)],
     derivs={("y", ("x",)): X, ("z", ("x",)): 1})
case("sign_zero", args="-e 'a = sign(0); b = sign(-3); c = sign(0.5); "
     "output a, b, c'", outputs=[("a", 0), ("b", -1), ("c", 1)])
case("int_pow", prog="""\
input x = -2
a = x^3
b = x^-2
c = x^0
d = x**2
output a, b, c, d
""", inputs=[("x", -2)], outputs=[("a", X ** 3), ("b", X ** -2), ("c", 1),
                                  ("d", X ** 2)],
     derivs={("c", ("x",)): 0})
case("int_pow_zero", prog="""\
input x = 0
a = x^3
b = x^2
c = x^1
d = x^0
output a, b, c, d
""", inputs=[("x", 0)], outputs=[("a", X ** 3), ("b", X ** 2), ("c", X),
                                 ("d", 1)],
     derivs={("d", ("x",)): 0})

# ---- precision and number formatting ---------------------------------------
case("sin_shortest", prog="input x = 1\ny = sin(x)\n", inputs=[("x", 1)],
     outputs=[("y", sp.sin(X))], cr=True)
case("sin_prec53", args="--prec 53 sin_shortest.gt", inputs=[("x", 1)],
     outputs=[("y", sp.sin(X))], prec=53, cr=True)
case("exp_log_shortest", prog="input x = 2\na = exp(x)\nb = log(x)\n"
     "output a, b\n", inputs=[("x", 2)],
     outputs=[("a", sp.exp(X)), ("b", sp.log(X))], cr=True)
PI128 = correctly_rounded(sp.pi, 128)[0]
case("at_pi_over_4", prog="input x = 0\ny = sin(x)\n",
     args="--at x=pi/4 at_pi_over_4.gt", inputs=[("x", PI128 / 4)],
     outputs=[("y", sp.sin(X))], cr=True)


def lit(s, p):
    return round_bits(Q(s), p)


def op(a, b, f, p):
    return round_bits(f(a, b), p)


add, mul, div, sub = (lambda a, b: a + b), (lambda a, b: a * b), \
    (lambda a, b: a / b), (lambda a, b: a - b)
case("sum_prec53", args="--prec 53 -e 'y = 0.1 + 0.2'",
     outputs=[("y", Exact(op(lit("0.1", 53), lit("0.2", 53), add, 53)))],
     prec=53)
P = 128
case("arith_prec128", prog="""\
a = 0.1 + 0.2
b = 1 / 3
c = 2 / 3
d = 0.1 * 3
f = 1 - 0.9
output a, b, c, d, f
""", outputs=[("a", Exact(op(lit("0.1", P), lit("0.2", P), add, P))),
              ("b", Exact(op(Q(1), Q(3), div, P))),
              ("c", Exact(op(Q(2), Q(3), div, P))),
              ("d", Exact(op(lit("0.1", P), Q(3), mul, P))),
              ("f", Exact(op(Q(1), lit("0.9", P), sub, P)))])
case("json_prec53", args="--prec 53 --format json "
     "-e 'input x = 0.1; y = x * 3'",
     inputs=[("x", lit("0.1", 53))],
     outputs=[("y", Exact(op(lit("0.1", 53), Q(3), mul, 53)))],
     derivs={("y", ("x",)): 3}, prec=53, json=True)
case("prec2", args="--prec 2 -e 'a = 5; b = 7; output a, b'",
     outputs=[("a", Exact(lit(5, 2))), ("b", Exact(lit(7, 2)))], prec=2)
case("sqrt2_prec256", args="--prec 256 -e 'y = sqrt(2)'",
     outputs=[("y", sp.sqrt(2))], prec=256, cr=True)
case("pi_prec1000", args="--prec=1000 -e 'y = pi'",
     outputs=[("y", sp.pi)], prec=1000, cr=True)
case("digits3", args="--digits=3 -e "
     "'a = 8; b = 1/3; c = 1.5e22; d = -2/3; output a, b, c, d'",
     outputs=[("a", 8), ("b", R(1, 3)), ("c", 15 * 10 ** 21),
              ("d", R(-2, 3))], digits=3)
case("fmt_plain_sci", prog="""\
a = 1e21
b = 1e22
c = 0.000001
d = 1e-7
f = 1.5e22
g = 1e-40
h = -0
k = 0.1
m = 123.456
n = -2.5
p = inf
q = -inf
r = 12345678901234567890123
s = -1e-7
output a, b, c, d, f, g, h, k, m, n, p, q, r, s
""", outputs=[(nm, Exact(lit(v, 128))) for nm, v in
              [("a", 10 ** 21), ("b", 10 ** 22), ("c", Q(1, 10 ** 6)),
               ("d", Q(1, 10 ** 7)), ("f", 15 * 10 ** 21),
               ("g", Q(1, 10 ** 40)), ("h", 0), ("k", Q(1, 10)),
               ("m", Q("123.456"))]]
    + [("n", R(-5, 2)), ("p", INF), ("q", NINF),
       ("r", 12345678901234567890123), ("s", Exact(-lit(Q(1, 10 ** 7), 128)))])
case("tiny_pow", args="-e 'y = 2^-2000'",
     outputs=[("y", Exact(Q(1, 2 ** 2000)))])
case("rebind_constants", args="-e 'e = 3; pi = 4; y = e * pi'",
     outputs=[("y", 12)])
case("div_by_zero_inf", args="-e 'a = 1/0; b = -1/0; output a, b'",
     outputs=[("a", INF), ("b", NINF)])

# ---- differentiation ------------------------------------------------------
case("grad_in_lang", prog="""\
input x = 2
y = x^3
g = grad(y, x)
h = grad(grad(y, x), x)
output g, h
""", inputs=[("x", 2)], outputs=[("g", 3 * X ** 2), ("h", 6 * X)])
case("grad_k", prog="input x = 3\ny = x^5\nd3 = grad(y, x, 3)\noutput d3\n",
     inputs=[("x", 3)], outputs=[("d3", 60 * X ** 2)])
case("grad_jac_hess", prog="""\
input x = 2
y = x^3
j = jacobian(y, x)
h = hessian(y, x)
output j, h
""", inputs=[("x", 2)], outputs=[("j", 3 * X ** 2), ("h", 6 * X)])
case("grad_intermediate", prog="""\
input x = 3
y = x * x
z = y * y + y
g = grad(z, y)
output z, g
""", inputs=[("x", 3)], outputs=[("z", X ** 4 + X ** 2), ("g", 2 * X ** 2 + 1)])
case("order3", prog="input x = 2\ny = x^4\n", args="--order 3 order3.gt",
     inputs=[("x", 2)], outputs=[("y", X ** 4)], order=3)
# Taylor mode reads an operand's series without writing it: log1p and an
# integer power at base 0 once overwrote it in place, so the other use of
# the operand saw a wrong series (issue 12)
case("taylor_pow_int_operand", prog="input x = 0.5\na = x - 0.5\n"
     "y = pow(a, 3) * a\n", args="--order 4 taylor_pow_int_operand.gt",
     inputs=[("x", R(1, 2))], outputs=[("y", (X - R(1, 2)) ** 4)], order=4)
case("taylor_log1p_operand", prog="input x = 0.5\ny = log1p(x) * x\n",
     args="--digits=30 --order 5 taylor_log1p_operand.gt",
     inputs=[("x", R(1, 2))], outputs=[("y", sp.log(1 + X) * X)], order=5,
     digits=D30)
TWO = "input x = 2\ninput y = 1\nz = x^2 * y^3\n"
case("wrt_two_names", prog=TWO, inputs=[("x", 2), ("y", 1)],
     outputs=[("z", X ** 2 * Y ** 3)])
case("wrt_order", args="--wrt y,x wrt_two_names.gt",
     inputs=[("x", 2), ("y", 1)], outputs=[("z", X ** 2 * Y ** 3)],
     wrt=["y", "x"])
case("wrt_repeat", args="-w y -w x wrt_two_names.gt",
     inputs=[("x", 2), ("y", 1)], outputs=[("z", X ** 2 * Y ** 3)],
     wrt=["y", "x"])
case("mixed_partials", args="--order=2 wrt_two_names.gt",
     inputs=[("x", 2), ("y", 1)], outputs=[("z", X ** 2 * Y ** 3)], order=2)

# ---- kinks (the .err files with the notes are written by hand) -------------
case("abs_kink", prog="input x = 0\ny = abs(x)\n", inputs=[("x", 0)],
     outputs=[("y", 0)], derivs={("y", ("x",)): 0})
case("abs_kink_quiet", args="-q abs_kink.gt", inputs=[("x", 0)],
     outputs=[("y", 0)], derivs={("y", ("x",)): 0})
case("abs_kink_json", args="--format json abs_kink.gt", inputs=[("x", 0)],
     outputs=[("y", 0)], derivs={("y", ("x",)): 0}, json=True,
     notes=["abs_kink.gt:2:5: abs evaluated at its kink (0); "
            "its derivative there is taken as 0"])
case("abs_kink_loop", prog="""\
input x = 0
s = 0
for i in range(3) {
  s += abs(x) + i
}
""", inputs=[("x", 0)], outputs=[("s", 3)], derivs={("s", ("x",)): 0})
case("relu_kink", prog="input x = 0\ny = relu(x)\n", inputs=[("x", 0)],
     outputs=[("y", 0)], derivs={("y", ("x",)): 0})
case("max_tie", prog="input x = 2\ninput y = 2\nm = max(x, y)\n",
     inputs=[("x", 2), ("y", 2)], outputs=[("m", 2)],
     derivs={("m", ("x",)): R(1, 2), ("m", ("y",)): R(1, 2)})

# ---- NaN policy -------------------------------------------------------------
case("nan_ok", prog="input x = -1\ny = log(x)\n", args="--nan-ok nan_ok.gt",
     inputs=[("x", -1)], outputs=[("y", NAN)], derivs={("y", ("x",)): -1})
case("json_nan_inf", args="--nan-ok --format json "
     "-e 'a = 0/0; b = 1/0; c = -1/0; output a, b, c'",
     outputs=[("a", NAN), ("b", INF), ("c", NINF)], json=True)
case("where_nan_unselected", prog="input x = -1\ny = where(x > 0, log(x), -x)\n",
     inputs=[("x", -1)], outputs=[("y", -X)])
case("where_no_nan_grad", prog="input x = 0\n"
     "y = where(x > 0, sqrt(x), x * x)\n",
     inputs=[("x", 0)], outputs=[("y", X * X)])


# --------------------------------------------------------------------------

def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    self_test()
    names = set()
    for c in CASES:
        n = c["name"]
        assert n not in names, n
        names.add(n)
        base = os.path.join(E2E, n)
        if c["prog"] is not None:
            write(base + ".gt", c["prog"])
        if c["args"] is not None:
            write(base + ".args", c["args"] + "\n")
        else:
            assert c["prog"] is not None, n
        if c["stdin"] is not None:
            write(base + ".stdin", c["stdin"])
        write(base + ".out", expected(c))
    print("gen_e2e.py: wrote %d cases into %s" % (len(CASES),
                                                  os.path.normpath(E2E)))


if __name__ == "__main__":
    sys.exit(main())
