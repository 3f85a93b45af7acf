#!/usr/bin/env python3
"""gen_examples.py -- expected outputs of the e2e cases that run examples/.

Run offline from the top of the tree (python3 with mpmath and sympy from
Debian); it rewrites tests/e2e/ex_*.out.  The values come from closed forms
(sympy) and mpmath at 60+ digits, printed with --digits as the tool does
(exactly N significant digits, trailing zeros kept), never from gradtool.
"""
import os
import mpmath as mp
import sympy as sp

mp.mp.dps = 80
E2E = os.path.join(os.path.dirname(__file__), '..', 'e2e')


def digits(x, n):
    """x to n significant digits, plain notation (these values are
    moderate), trailing zeros kept, as gradtool --digits=n prints."""
    x = mp.mpf(x)
    if x == 0:
        return '0.' + '0' * (n - 1) if n > 1 else '0'
    s = mp.nstr(x, n, strip_zeros=False, min_fixed=-mp.inf, max_fixed=mp.inf)
    return s


def write(name, lines):
    with open(os.path.join(E2E, name + '.out'), 'w') as f:
        f.write(''.join(l + '\n' for l in lines))


# series.gt: partial sum of 30 Taylor terms of f at x0 = 0.5, t = 0.1,
# equal to f(0.6) to far beyond 25 digits; its x-derivative is f'(0.6)
# to the same accuracy (the truncation error is about 1e-32).
f = lambda x: mp.exp(mp.sin(x)) / (1 + x**2)
x06 = mp.mpf('0.5') + mp.mpf('0.1')
write('ex_taylor_series', [
    'partial = ' + digits(f(x06), 25),
    'dpartial/dx = ' + digits(mp.diff(f, x06), 25),
])

# halley.gt: the real root r of x^3 - 2x - 5 and dr/dc = 1 / f'(r)
r = mp.findroot(lambda x: x**3 - 2 * x - 5, 2)
write('ex_taylor_halley', [
    'root = ' + digits(r, 30),
    'droot/dc = ' + digits(1 / (3 * r**2 - 2), 30),
])

# rosenbrock.gt: value and Hessian at (1, 1) and at (-1.2, 1)
x, y = sp.symbols('x y')
F = (1 - x)**2 + 100 * (y - x**2)**2
for name, pt, nd in (('ex_taylor_rosenbrock', {x: 1, y: 1}, None),
                     ('ex_taylor_rosenbrock_b',
                      {x: sp.Rational(-6, 5), y: 1}, 30)):
    fmt = (lambda v: str(v)) if nd is None else \
        (lambda v: digits(mp.mpf(sp.N(v, 60)), nd))
    lines = ['f = ' + fmt(F.subs(pt))]
    for a in (x, y):
        for b in (x, y):
            lab = 'd2f/d%s2' % a if a == b else 'd2f/d%sd%s' % (a, b)
            lines.append(lab + ' = ' + fmt(sp.diff(F, a, b).subs(pt)))
    write(name, lines)
