#!/usr/bin/env python3
"""gen_api.py -- expected output of examples/api/deriv.c (man/gradtool.3).

Run offline from the top of the tree (python3 with mpmath from Debian); it
rewrites examples/api/deriv.out.  y = exp(sin x)/(1 + x^2) at x = 1/3 and
its first three derivatives, from mpmath at 80 digits, printed to 30
significant digits as gt_format_number(v, 30) does.
"""
import os
import mpmath as mp

mp.mp.dps = 80
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'examples', 'api',
                   'deriv.out')


def digits(x, n):
    return mp.nstr(mp.mpf(x), n, strip_zeros=False, min_fixed=-mp.inf,
                   max_fixed=mp.inf)


def f(x):
    return mp.exp(mp.sin(x)) / (1 + x ** 2)


x = mp.mpf(1) / 3
lines = ['y = ' + digits(f(x), 30)]
for k in (1, 2, 3):
    lines.append('d^%d y/dx^%d = %s' % (k, k, digits(mp.diff(f, x, k), 30)))
with open(OUT, 'w') as fh:
    fh.write(''.join(l + '\n' for l in lines))
