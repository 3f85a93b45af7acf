#!/usr/bin/env python3
"""gen_session_long.py -- oracle for the long interactive session case.

Writes tests/e2e/session_long.{args,stdin,out}: 3000 entries typed into
`gradtool -i`, each binding a name from the one before, then values and
derivatives that depend on the first entries.  The session runs each such
entry alone on its state (cli/session.c, gt_session_extend), so this checks
that nothing is lost or reordered over a long session.

The expected numbers are closed forms, computed here with exact rationals:
with a the input, x1 = a^2, x2 = 3a, f1 = a, f_k = f_(k-1) + a (so
f_N = N a), y = x1 x2 + f_N = 3 a^3 + N a, dy/da = 9 a^2 + N,
d2y/da2 = 18 a.  At a = 1/2 every one is a short binary fraction, printed
exactly.  Run offline: python3 tests/oracle/gen_session_long.py
"""

import os
from fractions import Fraction as Q

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e")
N = 3000
A = Q(1, 2)


def dec(q):
    """The exact decimal of a dyadic rational (shortest form)."""
    s = "-" if q < 0 else ""
    q = abs(q)
    whole, frac = divmod(q.numerator, q.denominator)
    if frac == 0:
        return s + str(whole)
    digits = ""
    rem = Q(frac, q.denominator)
    while rem:
        rem *= 10
        d = rem.numerator // rem.denominator
        digits += str(d)
        rem -= d
    return s + str(whole) + "." + digits


lines = ["input a = 0.5", "x1 = a^2", "x2 = 3*a", "f1 = a"]
lines += ["f%d = f%d + a" % (k, k - 1) for k in range(2, N + 1)]
lines += ["y = x1*x2 + f%d" % N, "y", "x1", "f1", ":grad y wrt a",
          ":order 2", ":grad y wrt a", "x1 = 1", "x1*x2 + f%d" % N]
y = 3 * A**3 + N * A
out = [dec(y), dec(A**2), dec(A),
       "dy/da = " + dec(9 * A**2 + N),
       "d2y/da2 = " + dec(18 * A),
       dec(3 * A + N * A)]

with open(os.path.join(E2E, "session_long.args"), "w") as f:
    f.write("-i\n")
with open(os.path.join(E2E, "session_long.stdin"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(E2E, "session_long.out"), "w") as f:
    f.write("\n".join(out) + "\n")
