#!/usr/bin/env python3
"""gen_index.py -- independent oracle for Hessians of programs that read
tensor elements in loops (issue 13 item 3: the recorded sweep adds the
adjoints of single elements sparsely): the end-to-end cases
tests/e2e/i13_index_*.

Each program is written here a second time as a sympy expression in the
elements; its Hessian (--wrt x --order 2: shape x's then x's) is exact at
the rational points chosen, printed by the spec's number rules (the
helpers of gen_e2e.py).  Run offline: python3 tests/oracle/gen_index.py.
"""

import os
import sys

import sympy as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_e2e import correctly_rounded, fmt  # noqa: E402

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e")
P = 128


def num(v):
    r, exact = correctly_rounded(sp.nsimplify(v), P)
    assert exact, v
    return fmt(r, P, None)


def nested(vals, shape):
    if not shape:
        return num(vals[0])
    step = len(vals) // shape[0]
    return "[" + ", ".join(nested(vals[k * step:(k + 1) * step], shape[1:])
                           for k in range(shape[0])) + "]"


def case(name, prog, f, xs, point, shape):
    subs = dict(zip(xs, point))
    hess = [sp.diff(f, a, b).subs(subs) for a in xs for b in xs]
    body = "f = %s\n" % num(f.subs(subs))
    body += "d2f/dx2 = %s\n" % nested(hess, list(shape) + list(shape))
    with open(os.path.join(E2E, name + ".gt"), "w") as fh:
        fh.write(prog)
    with open(os.path.join(E2E, name + ".args"), "w") as fh:
        fh.write("--wrt x --order 2 %s.gt\n" % name)
    with open(os.path.join(E2E, name + ".out"), "w") as fh:
        fh.write(body)


def main():
    # a matrix read element by element, each element several times, and
    # a row read as a slice beside its elements
    m = sp.symbols("m0:4")
    X = [[m[0], m[1]], [m[2], m[3]]]
    f = sum(X[i][j]**2 * X[j][i] for i in range(2) for j in range(2)) \
        + X[0][1] * (X[1][0] + X[1][1]) + X[1][1]**3 * X[0][0]
    case("i13_index_matrix",
         "# issue 13 item 3: element and slice reads of a matrix in loops\n"
         "input x = [[1, 2], [3, 0.5]]\n"
         "f = 0\n"
         "for i in range(2) {\n"
         "  for j in range(2) { f += x[i, j]^2 * x[j, i] }\n"
         "}\n"
         "f += x[0, 1] * sum(x[1, :]) + x[1, 1]^3 * x[0, 0]\n"
         "output f\n", f, m, [1, 2, 3, sp.Rational(1, 2)], (2, 2))
    # reads of a vector after an element assignment (views of a setview)
    v = sp.symbols("v0:3")
    y = [v[0], v[0] * v[2], v[2]]
    f = sum(y[i]**3 * v[i] for i in range(3))
    case("i13_index_after_write",
         "# issue 13 item 3: element reads after an element assignment\n"
         "input x = [1, 2, 3]\n"
         "y = x\n"
         "y[1] = x[0] * x[2]\n"
         "f = 0\n"
         "for i in range(3) { f += y[i]^3 * x[i] }\n"
         "output f\n", f, v, [1, 2, 3], (3,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
