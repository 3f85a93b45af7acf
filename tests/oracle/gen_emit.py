#!/usr/bin/env python3
"""gen_emit.py -- SymPy oracle for the textbook table of --emit=expr
(issue 14): tests/oracle/emit_table.tsv, checked by tests/emit_table.sh.

For each textbook function y(x) below, SymPy computes dy/dx and its value
at 5 pseudo-random points of the function's range (40 significant digits);
those values, never gradtool's, are the expected data.  The check script
asks gradtool for --emit=expr at each point and evaluates the emitted
expression there (with gradtool), comparing with SymPy's value.

With a gradtool binary (GRADTOOL, default ../../cli/gradtool from here) the
script also measures simplicity: SymPy's count_ops of simplify(diff(y))
against count_ops of gradtool's emitted expression (parsed by SymPy after
^ -> **, unevaluated), written to tests/oracle/emit_counts.tsv with the
median ratio.  That file is a measurement for the report, not a test.

Run offline: python3 tests/oracle/gen_emit.py
"""

import os
import random
import statistics
import subprocess
import sys

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

HERE = os.path.dirname(os.path.abspath(__file__))
X = sp.Symbol("x", real=True)

# (name, program text of gradtool's language, lo, hi): y as a function of x
TABLE = [
    ("poly3", "y = x^3 + 2*x", -3, 3),
    ("poly5", "y = 3*x^5 - 4*x^2 + 7", -2, 2),
    ("monomial_neg", "y = 1/x^3", 0.5, 3),
    ("sqrt", "y = sqrt(x)", 0.1, 4),
    ("cbrt", "y = cbrt(x)", 0.1, 4),
    ("pow_rational", "y = x^(3/2)", 0.1, 4),
    ("pow_half", "y = x^0.5", 0.1, 4),
    ("product", "y = x^2*sin(x)", -3, 3),
    ("product3", "y = x*exp(x)*cos(x)", -2, 2),
    ("quotient", "y = sin(x)/x", 0.2, 3),
    ("quotient_poly", "y = (x^2 + 1)/(x - 3)", -2, 2),
    ("quotient_exp", "y = exp(x)/(1 + x^2)", -2, 2),
    ("chain_sin_sq", "y = sin(x^2)", -2, 2),
    ("chain_cos_exp", "y = cos(exp(x))", -1, 1),
    ("chain_sqrt_poly", "y = sqrt(1 + x^2)", -3, 3),
    ("chain_pow", "y = (2*x + 1)^5", -1, 1),
    ("chain_log_cos", "y = log(cos(x))", -1, 1),
    ("exp_tower", "y = exp(exp(x))", -1, 1),
    ("exp_sq", "y = exp(-x^2)", -2, 2),
    ("log", "y = log(x)", 0.1, 5),
    ("log_over_x", "y = log(x)/x", 0.2, 5),
    ("log_tower", "y = log(log(x))", 1.5, 5),
    ("x_log_x", "y = x*log(x)", 0.1, 5),
    ("log2", "y = log2(x)", 0.1, 5),
    ("log10", "y = log10(x)", 0.1, 5),
    ("log1p", "y = log1p(x^2)", -2, 2),
    ("expm1", "y = expm1(2*x)", -1, 1),
    ("exp2", "y = exp2(x)", -2, 2),
    ("exp_base2", "y = 2^x", -2, 2),
    ("x_pow_x", "y = x^x", 0.2, 3),
    ("x_pow_sinx", "y = x^sin(x)", 0.2, 3),
    ("tan", "y = tan(x)", -1, 1),
    ("sec", "y = 1/cos(x)", -1, 1),
    ("cot", "y = cos(x)/sin(x)", 0.3, 2),
    ("sin_cos", "y = sin(x)*cos(x)", -3, 3),
    ("sin_sq", "y = sin(x)^2", -3, 3),
    ("asin", "y = asin(x)", -0.9, 0.9),
    ("acos", "y = acos(x)", -0.9, 0.9),
    ("atan", "y = atan(x)", -3, 3),
    ("atan_sq", "y = atan(x^2)", -2, 2),
    ("asin_half", "y = asin(x/2)", -1.5, 1.5),
    ("atan2_c", "y = atan2(x, 2)", -3, 3),
    ("atan2_r", "y = atan2(1, x)", 0.2, 3),
    ("hypot", "y = hypot(x, 3)", -3, 3),
    ("sinh", "y = sinh(x)", -2, 2),
    ("cosh", "y = cosh(x)", -2, 2),
    ("tanh", "y = tanh(x)", -2, 2),
    ("asinh", "y = asinh(x)", -2, 2),
    ("acosh", "y = acosh(x)", 1.2, 4),
    ("atanh", "y = atanh(x)", -0.9, 0.9),
    ("tanh_sq", "y = tanh(x^2)", -1, 1),
    ("sigmoid_hand", "y = 1/(1 + exp(-x))", -3, 3),
    ("sigmoid", "y = sigmoid(x)", -3, 3),
    ("softplus", "y = softplus(x)", -3, 3),
    ("erf", "y = erf(x)", -2, 2),
    ("erf_chain", "y = erf(2*x + 1)", -1, 1),
    ("gaussian", "y = exp(-(x - 1)^2/2)/sqrt(2*pi)", -2, 3),
    ("gamma", "y = gamma(x)", 0.5, 4),
    ("lgamma", "y = lgamma(x)", 0.5, 4),
    ("abs_sq", "y = abs(x)*x", -2, 2),
    ("where_piece", "y = where(x > 0, x^2, -x^3)", -2, 2),
    ("where_smooth", "y = where(x < 1, sin(x), cos(x - 1))", -1, 3),
    ("max_piece", "y = max(x, x^2)", -2, 2),
    ("rational", "y = x/(x^2 + 1)^2", -2, 2),
    ("nested_pow", "y = (x^2 + x + 1)^(1/3)", -2, 2),
    ("exp_sin", "y = exp(sin(x))", -3, 3),
    ("sin_of_sin", "y = sin(sin(sin(x)))", -2, 2),
    ("mixed_sum", "y = x^4 - 3*x^3 + exp(2*x) - log(x + 3)", -2, 2),
]


def where(c, a, b):
    return sp.Piecewise((a, c), (b, True))


def softplus(u):
    return sp.log(1 + sp.exp(u))


def sigmoid(u):
    return 1 / (1 + sp.exp(-u))


# how the language's functions read in SymPy, for evaluation
EVAL = {
    "abs": sp.Abs, "lgamma": sp.loggamma, "hypot":
    lambda a, b: sp.sqrt(a**2 + b**2), "log1p": lambda u: sp.log(1 + u),
    "expm1": lambda u: sp.exp(u) - 1, "exp2": lambda u: 2**u,
    "log2": lambda u: sp.log(u) / sp.log(2),
    "log10": lambda u: sp.log(u) / sp.log(10), "sigmoid": sigmoid,
    "softplus": softplus, "where": where, "max": sp.Max, "min": sp.Min,
    "cbrt": lambda u: sp.real_root(u, 3), "e": sp.E, "pi": sp.pi,
    "x": X, "atan2": sp.atan2,
}

# for counting: each named function one operation, as SymPy counts its own
COUNT = {name: sp.Function(name) for name in
         ("hypot", "log1p", "expm1", "exp2", "log2", "log10", "sigmoid",
          "softplus", "where", "lgamma", "cbrt")}
COUNT.update({"abs": sp.Abs, "max": sp.Max, "min": sp.Min, "e": sp.E,
              "pi": sp.pi, "x": X, "atan2": sp.atan2})


def sympy_of(program, table):
    rhs = program.split("=", 1)[1].strip()
    return parse_expr(rhs.replace("^", "**"), local_dict=dict(table))


def points(name, lo, hi):
    rnd = random.Random(name)
    return ["%.6f" % rnd.uniform(lo, hi) for _ in range(5)]


def emitted(gradtool, program, at):
    out = subprocess.run([gradtool, "-q", "-e", program, "--wrt", "x",
                          "--at", "x=" + at, "--emit=expr"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("dy/dx = "):
            return line[len("dy/dx = "):]
    raise RuntimeError("no dy/dx in " + out)


def count_gradtool(text):
    expr = parse_expr(text.replace("^", "**"), local_dict=dict(COUNT),
                      evaluate=False)
    return sp.count_ops(expr)


def main():
    gradtool = os.environ.get("GRADTOOL",
                              os.path.join(HERE, "..", "..", "cli",
                                           "gradtool"))
    rows, counts = [], []
    for name, program, lo, hi in TABLE:
        # decimal literals are exact decimals, as the language reads them
        f = sp.nsimplify(sympy_of(program, EVAL), rational=True)
        d = sp.diff(f, X)
        pts = points(name, lo, hi)
        vals = [sp.N(d.subs(X, sp.Rational(p)), 40) for p in pts]
        simple = sp.simplify(d)
        ops = sp.count_ops(simple)
        rows.append("\t".join([name, program, "|".join(pts),
                               "|".join(str(v) for v in vals), str(ops)]))
        if os.access(gradtool, os.X_OK):
            text = emitted(gradtool, program, pts[0])
            mine = count_gradtool(text)
            counts.append((name, ops, mine, text, simple))
    with open(os.path.join(HERE, "emit_table.tsv"), "w") as fh:
        fh.write("# generated by tests/oracle/gen_emit.py from SymPy %s: "
                 "name, program, points, dy/dx at the points, "
                 "count_ops(simplify(dy/dx))\n" % sp.__version__)
        fh.write("\n".join(rows) + "\n")
    if counts:
        ratios = [m / s if s else (1.0 if m == 0 else float(m))
                  for _, s, m, _, _ in counts]
        with open(os.path.join(HERE, "emit_counts.tsv"), "w") as fh:
            fh.write("# measured by tests/oracle/gen_emit.py: name, SymPy "
                     "ops, gradtool ops, ratio, gradtool's dy/dx, SymPy's\n")
            for (name, s, m, text, simple), r in zip(counts, ratios):
                fh.write("%s\t%d\t%d\t%.2f\t%s\t%s\n"
                         % (name, s, m, r, text, sp.sstr(simple)))
            fh.write("# median ratio %.3f; at most 1.25: %d of %d; at most "
                     "1.0: %d\n" % (statistics.median(ratios),
                                    sum(r <= 1.25 for r in ratios),
                                    len(ratios),
                                    sum(r <= 1.0 for r in ratios)))
        print("median ratio %.3f" % statistics.median(ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
