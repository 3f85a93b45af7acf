#!/usr/bin/env python3
"""gen_sf_e2e.py -- oracle for the special functions of lib/sf.c as the
language offers them (norm_cdf, norm_logcdf, erfinv, lambertw): the
end-to-end cases tests/e2e/sf_*.

For each function and a few points (dyadic, so exact in binary; near the
ends of the domain and in the tails included) one case runs
  gradtool -e 'input x = X; y = f(x)' --order 8 --all-orders --digits 25
and expects the value and the derivatives of orders 1..8, computed here by
mpmath: mpmath.diff (numerical differentiation, at 120 digits) and again
at 160 digits, which must agree to 40 digits before anything is written.
The 25 printed digits must not depend on a relative change of 2^-100 in
the value (gradtool works at 128 bits; its order-8 derivative has a few
roundings behind it), so the expected text does not depend on gradtool's
last bits.  Error cases (outside the domain) are written by hand below,
with the message the NaN policy gives.

Usage: /usr/bin/python3 tests/oracle/gen_sf_e2e.py   (writes tests/e2e/sf_*)
"""

import os
import sys
from fractions import Fraction as Q

import mpmath
from mpmath import mpf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_e2e  # noqa: E402  (the decimal formatter)

E2E = os.path.join(HERE, "..", "e2e")
ORDER = 8
DIGITS = 25


def ncdf(x):
    return mpmath.ncdf(x)


def nlogcdf(x):
    return mpmath.log(mpmath.ncdf(x))


def erfinv(x):
    return mpmath.erfinv(x)


def lambertw(x):
    return mpmath.lambertw(x).real


FUNCS = {
    "norm_cdf": (ncdf, ["0.5", "-2.25", "6", "-40"]),
    "norm_logcdf": (nlogcdf, ["0.5", "-2.25", "12", "-40"]),
    "erfinv": (erfinv, ["0.25", "-0.875", "0.9990234375"]),
    # -0.3671875 = -47/128 is 6e-4 above the branch point -1/e
    "lambertw": (lambertw, ["0", "0.5", "-0.3671875", "1000"]),
}


def derivs(f, x, dps):
    with mpmath.workdps(dps):
        return [f(mpf(x))] + [mpmath.diff(f, mpf(x), k)
                              for k in range(1, ORDER + 1)]


def text(v):
    """25 significant digits of v, checked not to depend on the last bits
    of a 128-bit computation."""
    q = Q(mpmath.nstr(v, 60, strip_zeros=False, min_fixed=1, max_fixed=0)
          .replace("e", "e"))
    if q == 0:
        return "0"
    want = gen_e2e.round_sig(q, DIGITS)
    for s in (1, -1):
        assert gen_e2e.round_sig(q * (1 + s * Q(2) ** -100), DIGITS) == want, \
            ("digits not robust", v)
    d, x = want
    if Q(int(d)) * Q(10) ** (x - len(d) + 1) == abs(q):
        d = d.rstrip("0")      # an exact short value: gradtool prints it so
    return ("-" if q < 0 else "") + gen_e2e.layout(d, x)


def label(k):
    if k == 0:
        return "y"
    if k == 1:
        return "dy/dx"
    return "d%dy/dx%d" % (k, k)


def safe(x):
    return x.replace("-", "m").replace(".", "p")


def main():
    for name, (f, points) in FUNCS.items():
        for x in points:
            a = derivs(f, x, 120)
            b = derivs(f, x, 160)
            for u, v in zip(a, b):
                assert abs(u - v) <= abs(v) * mpf(10) ** -40 + \
                    mpf(10) ** -100, (name, x, u, v)
            case = "sf_%s_%s" % (name, safe(x))
            args = ("-e 'input x = %s; y = %s(x)' --order %d --all-orders "
                    "--digits %d\n" % (x, name, ORDER, DIGITS))
            out = "".join("%s = %s\n" % (label(k), text(b[k]))
                          for k in range(ORDER + 1))
            with open(os.path.join(E2E, case + ".args"), "w") as fh:
                fh.write(args)
            with open(os.path.join(E2E, case + ".out"), "w") as fh:
                fh.write(out)


if __name__ == "__main__":
    mpmath.mp.dps = 160
    sys.exit(main())
