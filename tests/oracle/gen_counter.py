#!/usr/bin/env python3
"""gen_counter.py -- independent oracle for range-loop counters used as
numbers (issue 13: a counter is recorded only when the body needs it as a
number, so these check every way a counter becomes one): the end-to-end
cases tests/e2e/i13_counter_*.

Values are closed forms in exact rationals, rounded by the spec's rules
(the helpers of gen_e2e.py).  Run offline:
python3 tests/oracle/gen_counter.py.
"""

import os
import sys
from fractions import Fraction as Q

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_e2e import fmt, round_bits  # noqa: E402

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e")


def write(name, prog, args, lines, prec=128):
    def num(v):
        if isinstance(v, list):
            return "[" + ", ".join(num(e) for e in v) + "]"
        return fmt(round_bits(Q(v), prec), prec)
    # the values first, then the derivatives, each in output order
    lines = [l for l in lines if "/" not in l[0]] + \
        [l for l in lines if "/" in l[0]]
    out = "".join("%s = %s\n" % (k, num(v)) for k, v in lines)
    for ext, text in ((".gt", prog), (".args", args + " %s.gt\n" % name),
                      (".out", out)):
        with open(os.path.join(E2E, name + ext), "w") as fh:
            fh.write(text)


def main():
    x = Q(1, 2)
    # in the body (i * x^i), after the loop (its last value), after break
    f = sum(i * x**i for i in range(1, 6))
    df = sum(i * i * x**(i - 1) for i in range(1, 6))
    write("i13_counter_number",
          "# issue 13: a range loop's counter used as a number: in the body,\n"
          "# after the loop (its last value) and after a break\n"
          "input x = 0.5\n"
          "output f, last, g\n"
          "f = 0\n"
          "for i in range(1, 6) {\n"
          "    f = f + i * x^i\n"
          "}\n"
          "last = i\n"
          "for k in range(10) {\n"
          "    if k == 3 {\n"
          "        break\n"
          "    }\n"
          "}\n"
          "g = x * k\n",
          "--wrt x",
          [("f", f), ("df/dx", df), ("last", 5), ("dlast/dx", 0),
           ("g", 3 * x), ("dg/dx", 3)])
    # read as a top-level name inside a function the body calls, and
    # through an integer expression (an index) in the same body
    xs = [Q(3), Q(5), Q(7)]
    s = sum(xs[i] * i for i in range(3)) + sum(xs[2 - i] for i in range(3))
    write("i13_counter_function",
          "# issue 13: a top-level counter read by a function the loop calls\n"
          "input x = [3, 5, 7]\n"
          "def h(t) {\n"
          "    return t * i\n"
          "}\n"
          "s = 0\n"
          "for i in range(3) {\n"
          "    s = s + h(x[i]) + x[2 - i]\n"
          "}\n",
          "--wrt x",
          [("s", s), ("ds/dx", [i + 1 for i in range(3)])])
    # a counter the working precision cannot hold: 257 at 8 bits is 256
    # (ties to even), both as a number and in a comparison
    write("i13_counter_lowprec",
          "# issue 13: a counter beyond the working precision is rounded to it\n"
          "input x = 1\n"
          "output c, y\n"
          "c = 0\n"
          "for i in range(257, 258) {\n"
          "    if i > 256 {\n"
          "        c = 1\n"
          "    }\n"
          "}\n"
          "y = i * x\n",
          "--prec 8 --wrt x",
          [("c", 0), ("dc/dx", 0), ("y", 256), ("dy/dx", 256)], prec=8)


if __name__ == "__main__":
    main()
