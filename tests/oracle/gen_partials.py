#!/usr/bin/env python3
"""gen_partials.py -- independent oracle for the higher-order mixed partials
that --order K computes by Taylor interpolation (issue 13 item 4): the
end-to-end cases tests/e2e/i13_partials_*.

Every distinct order-K partial of a function of 2 or 3 names, K = 3..8,
from sympy's symbolic derivatives of the program written here by hand,
rounded once to 128 bits and printed by the spec's number rules (the
helpers of gen_e2e.py): the shortest decimal that reads back to the
correctly rounded value, so a result one ulp off fails.  The functions
are chosen so that their value at the point is exact (each transcendental
term vanishes there: sin(x y - 3/4) at x y = 3/4, log(1), atan(0)), since
the tool prints the value rounded operation by operation; their
derivatives are not exact.  The partials
are listed as the tool lists them: each multiset of names once, the
names' nondecreasing tuples in --wrt order, lexicographically.  Run
offline: python3 tests/oracle/gen_partials.py.  Its outputs are
committed.
"""

import itertools
import os
import sys

import sympy as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_e2e import correctly_rounded, fmt  # noqa: E402

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e")
P = 128
x, y, w = sp.symbols("x y w", real=True)
SYM = {"x": x, "y": y, "w": w}


def num(expr):
    e = sp.nsimplify(expr) if expr.is_Rational else expr
    r, _ = correctly_rounded(e, P)
    return fmt(r, P, None)


def label(names, out):
    s = "d%d%s/" % (len(names), out)
    for n, grp in itertools.groupby(names):
        c = len(list(grp))
        s += "d%s%s" % (n, c if c > 1 else "")
    return s


def case(name, prog, f, at, wrt, K, fmt_name="text", out="z"):
    subs = {SYM[k]: v for k, v in at.items()}
    rows = []
    for tup in itertools.combinations_with_replacement(range(len(wrt)), K):
        names = [wrt[i] for i in tup]
        d = f
        for n in names:
            d = sp.diff(d, SYM[n])
        rows.append((names, d.subs(subs)))
    args = "-e '%s' --wrt %s --order %d" % (prog, ",".join(wrt), K)
    if fmt_name != "text":
        args += " -f " + fmt_name
    val = num(f.subs(subs))
    if fmt_name == "text":
        body = "%s = %s\n" % (out, val) + "".join(
            "%s = %s\n" % (label(n, out), num(v)) for n, v in rows)
    else:
        body = ('{"precision": %d,\n "values": {"%s": %s},\n "derivatives": ['
                % (P, out, val))
        body += ",".join('\n   {"of": "%s", "wrt": [%s], "value": %s}'
                         % (out, ", ".join('"%s"' % s_ for s_ in n), num(v))
                         for n, v in rows) + "]}\n"
    with open(os.path.join(E2E, name + ".args"), "w") as fh:
        fh.write(args + "\n")
    with open(os.path.join(E2E, name + ".out"), "w") as fh:
        fh.write(body)


def main():
    h, t, q = sp.Rational(1, 2), sp.Rational(3, 2), sp.Rational(1, 4)
    at2 = {"x": h, "y": t}
    # three terms in x and y, each 0 at (1/2, 3/2), plus a polynomial
    f3 = sp.sin(x * y - sp.Rational(3, 4)) * sp.exp(x + y) \
        + sp.log(x + y - 1) / (1 + x**2 + y**2) + sp.atan(x - y + 1) + x**2 * y
    p3 = ("input x = 0.5; input y = 1.5; z = sin(x*y - 0.75)*exp(x + y)"
          " + log(x + y - 1)/(1 + x^2 + y^2) + atan(x - y + 1) + x^2*y")
    for K in (3, 5, 8):
        case("i13_partials_three_terms_k%d" % K, p3, f3, at2, ["x", "y"], K)
    case("i13_partials_three_terms_json", p3, f3, at2, ["x", "y"], 4,
         "json")
    # names in another order than the inputs'
    case("i13_partials_yx_k6", "input x = 0.5; input y = 1.5; "
         "z = sin(x*y - 0.75) + tanh(x - y + 1)*y + x^3*y^2",
         sp.sin(x * y - sp.Rational(3, 4)) + sp.tanh(x - y + 1) * y
         + x**3 * y**2, at2, ["y", "x"], 6)
    # three names
    f3n = (sp.exp(x * y * w - sp.Rational(3, 16)) - 1) / (1 + x**2 + w**2) \
        + sp.sqrt(1 + x * w - sp.Rational(1, 8)) + sp.sin(x - 2 * w) * y
    p3n = ("input x = 0.5; input y = 1.5; input w = 0.25; "
           "z = (exp(x*y*w - 0.1875) - 1)/(1 + x^2 + w^2)"
           " + sqrt(1 + x*w - 0.125) + sin(x - 2*w)*y")
    for K in (3, 4, 7):
        case("i13_partials_xyw_k%d" % K, p3n, f3n,
             {"x": h, "y": t, "w": q}, ["x", "y", "w"], K)
    # separable terms and polynomials: exact zeros and integers
    case("i13_partials_separable_k4", "input x = 0.5; input y = 1.5; "
         "z = sin(x - 0.5) + log(y - 0.5) + x^2*y",
         sp.sin(x - h) + sp.log(y - h) + x**2 * y, at2, ["x", "y"], 4)
    case("i13_partials_poly_k5", "input x = 1; input y = 2; "
         "z = x^3 * y^4 + (x + y)^5", x**3 * y**4 + (x + y)**5,
         {"x": 1, "y": 2}, ["x", "y"], 5)
    # through a loop and a function: tangent and division
    case("i13_partials_loop_k5",
         "def g(a, b) { return tanh(a) / (2 + cos(b)) }; "
         "input x = 0.5; input y = 1.5; z = 0; "
         "for i in range(3) { z = z + g(x * (i + 1) - (i + 1)/2, y - i) }",
         sum(sp.tanh(x * (i + 1) - sp.Rational(i + 1, 2))
             / (2 + sp.cos(y - i)) for i in range(3)),
         at2, ["x", "y"], 5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
