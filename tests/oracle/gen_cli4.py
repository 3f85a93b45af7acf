#!/usr/bin/env python3
"""gen_cli4.py -- independent oracle for the --taylor, --partial, --jacobian
end-to-end cases (tests/e2e/taylor_opt_*, partial_*, jacobian_opt_*).

The expected coefficients come from sympy series / derivatives of the
program written here by hand as a sympy expression, rounded once to the
working precision and printed by the spec's number rules (the helpers of
gen_e2e.py).  Run offline: python3 tests/oracle/gen_cli4.py.  Its outputs
are committed; error cases (.err/.status) are written by hand.
"""

import os
import sys

import sympy as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_e2e import correctly_rounded, robust_digits, fmt  # noqa: E402

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e")
X = sp.Symbol("x", real=True)
P = 128


def num(expr, digits, cr=False):
    r, exact = correctly_rounded(sp.nsimplify(expr) if expr.is_Rational
                                 else expr, P)
    if digits is None:
        assert exact or cr, expr
    elif not exact:
        robust_digits(r, P, digits)
    return fmt(r, P, digits)


def coefs(f, a, K):
    """f^(k)(a)/k!, k = 0..K, exactly (sympy)."""
    return [sp.simplify(sp.diff(f, X, k).subs(X, a) / sp.factorial(k))
            for k in range(K + 1)]


def taylor_case(name, prog, f, a, K, fmt_name="text", digits=None,
                out="y", cr=False, at=None):
    cs = coefs(f, a, K)
    val = num(cs[0], digits, cr)
    ctext = [num(c, digits, cr) for c in cs]
    args = "-e '%s' --wrt=x --taylor=%d" % (prog, K)
    if at:
        args += " --at " + at
    if digits:
        args += " --digits=%d" % digits
    if fmt_name != "text":
        args += " -f " + fmt_name
    lab = ["[x^%d]%s" % (k, out) for k in range(K + 1)]
    if fmt_name == "text":
        body = "%s = %s\n" % (out, val)
        body += "".join("%s = %s\n" % (l, t) for l, t in zip(lab, ctext))
    elif fmt_name == "json":
        body = ('{"precision": %d,\n "values": {"%s": %s},\n'
                ' "derivatives": [\n   {"of": "%s", "wrt": "x", "taylor": [%s]}]}\n'
                % (P, out, val, out, ", ".join(ctext)))
    else:
        sep = "," if fmt_name == "csv" else "\t"
        body = sep.join(["x", out] + lab) + "\n"
        body += sep.join([num(sp.sympify(a), None), val] + ctext) + "\n"
    write(name + ".args", args + "\n")
    write(name + ".out", body)


def partial_case(name, prog, f, at, partials, out="z", digits=30,
                 fmt_name="text"):
    """partials: lists of names; each distinct multiset printed once,
    its names sorted by first appearance (as the tool's label says)."""
    seen, rows = [], []
    for p in partials:
        key = sorted(p)
        if key in seen:
            continue
        seen.append(key)
        order = []
        for n in p:
            if n not in order:
                order.append(n)
        names = [n for n in order for _ in range(p.count(n))]
        d = f
        for n in names:
            d = sp.diff(d, sp.Symbol(n, real=True))
        rows.append((names, d.subs(at)))
    k = len
    def label(names):
        s = "d%s%s/" % (k(names) if k(names) > 1 else "", out)
        i = 0
        while i < len(names):
            j = i
            while j < len(names) and names[j] == names[i]:
                j += 1
            s += "d%s%s" % (names[i], j - i if j - i > 1 else "")
            i = j
        return s
    val = num(f.subs(at), digits)
    args = "-e '%s'" % prog + "".join(" --partial=" + ",".join(p)
                                       for p in partials)
    if digits:
        args += " --digits=%d" % digits
    if fmt_name != "text":
        args += " -f " + fmt_name
    if fmt_name == "text":
        body = "%s = %s\n" % (out, val) + "".join(
            "%s = %s\n" % (label(n), num(v, digits)) for n, v in rows)
    elif fmt_name == "json":
        body = ('{"precision": %d,\n "values": {"%s": %s},\n "derivatives": ['
                % (P, out, val))
        body += ",".join('\n   {"of": "%s", "wrt": [%s], "value": %s}'
                         % (out, ", ".join('"%s"' % x for x in n),
                            num(v, digits)) for n, v in rows) + "]}\n"
    else:
        ins = sorted(at.items(), key=lambda kv: str(kv[0]))
        body = ",".join([str(s_) for s_, _ in ins] + [out]
                        + [label(n) for n, _ in rows]) + "\n"
        body += ",".join([num(sp.Integer(v_), None) for _, v_ in ins] + [val]
                         + [num(v, digits) for _, v in rows]) + "\n"
    write(name + ".args", args + "\n")
    write(name + ".out", body)


def write(name, text):
    with open(os.path.join(E2E, name), "w") as f:
        f.write(text)


def main():
    h = sp.Rational(1, 2)
    taylor_case("taylor_opt_exp", "input x = 0.5; y = exp(2*x)",
                sp.exp(2 * X), h, 4, digits=30)
    taylor_case("taylor_opt_sinc_json", "input x = 0.5; y = sin(x)/x",
                sp.sin(X) / X, h, 5, "json", digits=30)
    taylor_case("taylor_opt_poly_csv", "input x = 2; y = x^3 - 2*x + 1",
                X**3 - 2 * X + 1, 2, 4, "csv")
    taylor_case("taylor_opt_poly_tsv", "input x = 2; y = x^3 - 2*x + 1",
                X**3 - 2 * X + 1, 2, 2, "tsv")
    # 1/k! printed in shortest form: each coefficient rounded once as a
    # coefficient (k! y_k / k! would round twice)
    taylor_case("taylor_opt_exp_coef_rounding", "input x = 0; y = exp(x)",
                sp.exp(X), 0, 25, cr=True)
    taylor_case("taylor_opt_order0", "input x = 3; y = x^2",
                X**2, 3, 0)
    x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    at = {x: 1, y: 2}
    prog = "input x = 1; input y = 2; z = x^2 * y^3"
    many = [["x", "x", "y"], ["y", "x", "x"], ["x", "y", "x"], ["y"]]
    partial_case("partial_once", prog, x**2 * y**3, at, many, digits=None)
    partial_case("partial_once_json", prog, x**2 * y**3, at, many,
                 digits=None, fmt_name="json")
    partial_case("partial_once_csv", prog, x**2 * y**3, at, many,
                 digits=None, fmt_name="csv")
    partial_case("partial_sin", "input x = 1; input y = 2; z = sin(x*y)",
                 sp.sin(x * y), at, [["y", "x"], ["x", "y"], ["y", "y", "y"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
