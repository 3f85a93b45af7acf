#!/usr/bin/env python3
"""gen.py -- grammar-based random .gt programs and a campaign driver.

A tool, not part of `make check`.  It writes random programs that use the
whole language (inputs, tensors, every built-in function, indexing and
element assignment, loops, if/elif/else, break/continue, recursive def,
grad/hessian/jacobian, conditional expressions) with random options, runs
them against a gradtool binary (best an ASan/UBSan build: configure
--enable-sanitizers) and keeps every run that looks wrong:

  * a sanitizer report, a signal, an exit status outside 0..4, a timeout;
  * exit status 3 or 4 without a `FILE:LINE:COL: error:` first line;
  * `nan` printed by a run that exited 0 without --nan-ok;
  * (mode oracle) a first derivative that disagrees with a central finite
    difference of gradtool's own values at --prec 600, or a value at
    --prec 128 that disagrees with the value at --prec 600;
  * (mode emit) a derivative that the program --emit=gt writes computes
    differently from the run that wrote it.

Usage:
  gen.py show SEED [MODE]            print one program and its options
  gen.py run --bin GRADTOOL [-n N] [--seed S]
             [--mode crash|oracle|hostile|emit]
             [--out DIR] [--timeout T]
The findings land in DIR (default /tmp/gt-fuzz), one folder per finding
with prog.gt, args and the output; a summary line per finding on stdout.
Needs python3-mpmath for the oracle mode.
"""

import json
import os
import random
import subprocess
import sys

# ---------------------------------------------------------------- grammar

UNARY = ['abs', 'sign', 'sqrt', 'cbrt', 'exp', 'exp2', 'expm1', 'log',
         'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'asin', 'acos',
         'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'erf',
         'erfc', 'gamma', 'lgamma', 'digamma', 'floor', 'ceil', 'round',
         'trunc', 'sigmoid', 'softplus', 'relu', 'negative', 'norm_cdf',
         'norm_logcdf', 'erfinv', 'lambertw', 'zeta', 'stop_gradient']
# smooth ones, with an argument transform keeping them in their domain
SMOOTH = {'sqrt': 'abs1', 'cbrt': None, 'exp': 'small', 'exp2': 'small',
          'expm1': 'small', 'log': 'pos', 'log2': 'pos', 'log10': 'pos',
          'log1p': 'pos', 'sin': None, 'cos': None, 'tan': 'unit',
          'asin': 'unit', 'acos': 'unit', 'atan': None, 'sinh': 'small',
          'cosh': 'small', 'tanh': None, 'asinh': None, 'acosh': 'gt1',
          'atanh': 'unit', 'erf': None, 'erfc': None, 'gamma': 'pos',
          'lgamma': 'pos', 'digamma': 'pos', 'sigmoid': None,
          'softplus': None, 'negative': None, 'norm_cdf': None,
          'norm_logcdf': None, 'erfinv': 'unit', 'lambertw': 'pos',
          'zeta': 'gt1'}
BINARY = ['add', 'subtract', 'multiply', 'divide', 'pow', 'hypot', 'atan2',
          'beta', 'lbeta', 'gamma_inc', 'min', 'max']
SMOOTH_BIN = {'add': (None, None), 'subtract': (None, None),
              'multiply': (None, None), 'divide': (None, 'pos'),
              'pow': ('pos', None), 'hypot': ('pos', None),
              'atan2': (None, 'pos'), 'beta': ('pos', 'pos'),
              'lbeta': ('pos', 'pos'), 'gamma_inc': ('pos', 'pos')}
ODD_NUMBERS = ['0', '1', '-1', '0.5', '1e-40', '1e40', '1e300', '1e-300',
               '1e100000', '1e-100000', '.5', '3.', '2.5e-3', 'inf', '-inf',
               'pi', 'e', '123456789012345678901234567890', '0.1', '-0',
               '7', '1e308', '2^1000', '1e-320']


def wrap(kind, s):
    """An expression of s kept inside a domain: kind as in SMOOTH."""
    if kind is None:
        return s
    if kind == 'abs1':
        return '(abs(%s) + 1)' % s
    if kind == 'pos':
        return '(%s^2 + 0.5)' % s
    if kind == 'small':
        return 'sin(%s)' % s
    if kind == 'unit':
        return '(0.9 * tanh(%s))' % s
    if kind == 'gt1':
        return '(%s^2 + 1.5)' % s
    return s


class Gen:
    def __init__(self, rnd, smooth=False, tensors=True):
        self.r = rnd
        self.smooth = smooth        # oracle mode: differentiable, in domain
        self.tensors = tensors
        self.scalars = []           # names bound to scalars
        self.vectors = {}           # name -> length
        self.matrices = {}          # name -> (rows, cols)
        self.funcs = []             # (name, arity)
        self.counter = 0
        self.in_loop = 0
        self.in_func = False

    def fresh(self, p='v'):
        self.counter += 1
        return '%s%d' % (p, self.counter)

    def num(self):
        r = self.r
        if self.smooth:
            return r.choice(['0.5', '1.25', '2', '3', '0.75', '1.5', '0.3',
                             '%.6g' % r.uniform(-2, 2)])
        if r.random() < 0.15:
            return r.choice(ODD_NUMBERS)
        return r.choice(['1', '2', '3', '0.5', '0.25', '10',
                         '%.6g' % r.uniform(-5, 5)])

    # scalar expressions -----------------------------------------------
    def sexpr(self, d):
        r = self.r
        if d <= 0 or r.random() < 0.2:
            if self.scalars and r.random() < 0.8:
                return r.choice(self.scalars)
            return self.num()
        c = r.random()
        if c < 0.25:
            op = r.choice(['+', '-', '*', '/', '^'] if not self.smooth
                          else ['+', '-', '*', '*', '/', '^'])
            a, b = self.sexpr(d - 1), self.sexpr(d - 1)
            if self.smooth and op == '/':
                b = wrap('pos', b)
            if op == '^':
                if self.smooth or r.random() < 0.6:
                    b = r.choice(['2', '3', '-1', '0.5', '4', '-2'])
                    if self.smooth and b in ('0.5',):
                        a = wrap('pos', a)
                    if self.smooth and b in ('-1', '-2'):
                        a = wrap('pos', a)
                return '(%s)%s%s' % (a, r.choice(['^', '**']), b)
            return '(%s %s %s)' % (a, op, b)
        if c < 0.5:
            if self.smooth:
                f = r.choice(list(SMOOTH))
                return '%s(%s)' % (f, wrap(SMOOTH[f], self.sexpr(d - 1)))
            f = r.choice(UNARY)
            return '%s(%s)' % (f, self.sexpr(d - 1))
        if c < 0.62:
            if self.smooth:
                f = r.choice(list(SMOOTH_BIN))
                ka, kb = SMOOTH_BIN[f]
                return '%s(%s, %s)' % (f, wrap(ka, self.sexpr(d - 1)),
                                       wrap(kb, self.sexpr(d - 1)))
            f = r.choice(BINARY)
            n = 2 if f not in ('min', 'max') else r.randint(2, 4)
            return '%s(%s)' % (f, ', '.join(self.sexpr(d - 1)
                                             for _ in range(n)))
        if c < 0.68:
            if self.smooth:
                n = r.randint(0, 3)
                return 'polygamma(%d, %s)' % (n, wrap('pos', self.sexpr(d - 1)))
            f = r.choice(['polygamma', 'besselj', 'bessely'])
            n = r.choice(['0', '1', '2', '3', '-1', '1.5', '1000'])
            return '%s(%s, %s)' % (f, n, self.sexpr(d - 1))
        if c < 0.72 and self.smooth:
            f = r.choice(['besselj', 'bessely'])
            return '%s(%d, %s)' % (f, r.randint(-2, 3),
                                   wrap('pos', self.sexpr(d - 1)))
        if c < 0.76:
            return '-%s' % self.sexpr(d - 1)
        if c < 0.82 and self.funcs:
            f, n = r.choice(self.funcs)
            return '%s(%s)' % (f, ', '.join(self.sexpr(d - 1)
                                            for _ in range(n)))
        if c < 0.86:
            return '(%s if %s else %s)' % (self.sexpr(d - 1), self.cond(d - 1),
                                           self.sexpr(d - 1))
        if c < 0.9 and not self.smooth:
            return 'where(%s, %s, %s)' % (self.cond(d - 1), self.sexpr(d - 1),
                                          self.sexpr(d - 1))
        if c < 0.95 and self.tensors:
            return self.reduce(d - 1)
        return '(%s)' % self.sexpr(d - 1)

    def cond(self, d):
        r = self.r
        a, b = self.sexpr(d), self.sexpr(d)
        c = '%s %s %s' % (a, r.choice(['<', '<=', '>', '>=', '==', '!=']), b)
        if r.random() < 0.2:
            c = '%s %s %s' % (c, r.choice(['and', 'or']), self.cond(0))
        if r.random() < 0.1:
            c = 'not ' + c
        return c

    # tensors ----------------------------------------------------------
    def vexpr(self, n, d):
        """An expression giving a vector of length n."""
        r = self.r
        names = [k for k, v in self.vectors.items() if v == n]
        if d <= 0 or r.random() < 0.2:
            if names and r.random() < 0.7:
                return r.choice(names)
            return '[%s]' % ', '.join(self.sexpr(1) for _ in range(n))
        c = r.random()
        if c < 0.3:
            return '(%s %s %s)' % (self.vexpr(n, d - 1),
                                   r.choice(['+', '-', '*']),
                                   r.choice([self.vexpr(n, d - 1),
                                             self.sexpr(d - 1)]))
        if c < 0.45:
            if self.smooth:
                f = r.choice(list(SMOOTH))
                return '%s(%s)' % (f, wrap(SMOOTH[f], self.vexpr(n, d - 1)))
            return '%s(%s)' % (r.choice(UNARY), self.vexpr(n, d - 1))
        if c < 0.5:
            return r.choice(['ones(%d)' % n, 'zeros(%d)' % n,
                             'fill(%s, %d)' % (self.sexpr(d - 1), n),
                             'linspace(%s, %s, %d)' % (self.sexpr(0),
                                                       self.sexpr(0), n)])
        if c < 0.6 and n >= 1:
            m = self.r.randint(1, 3)
            return 'matmul(%s, %s)' % (self.mexpr(n, m, d - 1),
                                       self.vexpr(m, d - 1))
        if c < 0.65:
            m = self.r.randint(1, 3)
            return '(%s @ %s)' % (self.mexpr(n, m, d - 1), self.vexpr(m, d - 1))
        if c < 0.7:
            big = n + r.randint(0, 3)
            s = r.randint(0, big - n)
            return '%s[%d:%d]' % (self.vexpr(big, d - 1), s, s + n)
        if c < 0.73 and n % 2 == 0 and n > 0:
            return 'concat(%s, %s)' % (self.vexpr(n // 2, d - 1),
                                       self.vexpr(n // 2, d - 1))
        if c < 0.76 and n > 0:
            return 'append(%s, %s)' % (self.vexpr(n - 1, d - 1), self.sexpr(d - 1))
        if c < 0.79 and n % 2 == 0 and n > 0:
            return r.choice(['tile(%s, 2)', 'repeat(%s, 2)']) % \
                self.vexpr(n // 2, d - 1)
        if c < 0.82:
            return '%s[::-1]' % self.vexpr(n, d - 1)
        if c < 0.85:
            m = self.r.randint(1, 3)
            return 'sum(%s, %d)' % (self.mexpr(m, n, d - 1), 0) if r.random() < .5 \
                else '%s(%s, 1)' % (r.choice(['sum', 'mean', 'prod', 'reduce_max',
                                              'reduce_min']),
                                    self.mexpr(n, m, d - 1))
        if c < 0.88:
            m = self.r.randint(1, 3)
            return '%s[%d]' % (self.mexpr(m, n, d - 1), r.randint(-m, m - 1))
        if c < 0.91:
            return 'reshape(%s, %d)' % (self.mexpr(1, n, d - 1), n)
        if c < 0.94 and not self.smooth:
            return 'where(%s > 0, %s, %s)' % (self.vexpr(n, d - 1),
                                              self.vexpr(n, d - 1),
                                              self.vexpr(n, d - 1))
        return self.vexpr(n, d - 1)

    def mexpr(self, m, n, d):
        r = self.r
        names = [k for k, v in self.matrices.items() if v == (m, n)]
        if d <= 0 or r.random() < 0.2:
            if names and r.random() < 0.7:
                return r.choice(names)
            return '[%s]' % ', '.join(
                '[%s]' % ', '.join(self.sexpr(0) for _ in range(n))
                for _ in range(m))
        c = r.random()
        if c < 0.25:
            return '(%s %s %s)' % (self.mexpr(m, n, d - 1),
                                   r.choice(['+', '-', '*']),
                                   r.choice([self.mexpr(m, n, d - 1),
                                             self.sexpr(d - 1),
                                             self.vexpr(n, d - 1)]))
        if c < 0.35:
            if self.smooth:
                f = r.choice(list(SMOOTH))
                return '%s(%s)' % (f, wrap(SMOOTH[f], self.mexpr(m, n, d - 1)))
            return '%s(%s)' % (r.choice(UNARY), self.mexpr(m, n, d - 1))
        if c < 0.45:
            k = r.randint(1, 3)
            return 'matmul(%s, %s)' % (self.mexpr(m, k, d - 1),
                                       self.mexpr(k, n, d - 1))
        if c < 0.52:
            return 'transpose(%s)' % self.mexpr(n, m, d - 1)
        if c < 0.58:
            return 'reshape(%s, %d, %d)' % (self.vexpr(m * n, d - 1), m, n)
        if c < 0.63:
            return 'stack(%s)' % ', '.join(self.vexpr(n, d - 1)
                                           for _ in range(m))
        if c < 0.66 and m == n:
            return r.choice(['eye(%d)' % n, 'hessian(%s, %s)' % (
                self.sexpr(d - 1), self.pick_vector(n) or 'ones(%d)' % n)])
        if c < 0.7:
            return r.choice(['ones(%d, %d)', 'zeros(%d, %d)']) % (m, n)
        if c < 0.75:
            return '%s[:, ::-1]' % self.mexpr(m, n, d - 1)
        if c < 0.8 and m % 2 == 0:
            return 'concat(%s, %s, axis=0)' % (self.mexpr(m // 2, n, d - 1),
                                               self.mexpr(m // 2, n, d - 1))
        if c < 0.85:
            return 'jacobian(%s, %s)' % (self.vexpr(m, d - 1),
                                         self.pick_vector(n) or 'ones(%d)' % n)
        return self.mexpr(m, n, d - 1)

    def pick_vector(self, n):
        names = [k for k, v in self.vectors.items() if v == n]
        return self.r.choice(names) if names else None

    def reduce(self, d):
        r = self.r
        n = r.randint(1, 4)
        c = r.random()
        if c < 0.6:
            f = r.choice(['sum', 'mean', 'prod', 'reduce_sum', 'reduce_mean',
                          'reduce_prod', 'norm', 'logsumexp', 'reduce_max',
                          'reduce_min'] if not self.smooth else
                         ['sum', 'mean', 'prod', 'reduce_sum', 'logsumexp'])
            if self.smooth and f == 'norm':
                f = 'sum'
            return '%s(%s)' % (f, self.vexpr(n, d))
        if c < 0.75:
            return 'dot(%s, %s)' % (self.vexpr(n, d), self.vexpr(n, d))
        if c < 0.85:
            return '%s[%d]' % (self.vexpr(n, d), r.randint(-n, n - 1))
        if c < 0.9 and not self.smooth:
            return r.choice(['size', 'rank', 'len']) + '(%s)' % self.vexpr(n, d)
        m = r.randint(1, 3)
        return '%s[%d, %d]' % (self.mexpr(m, n, d), r.randint(0, m - 1),
                               r.randint(0, n - 1))

    # statements -------------------------------------------------------
    def stmt(self, d, out):
        r = self.r
        ind = '  ' * (3 - d) if d < 3 else ''
        c = r.random()
        e = lambda: self.sexpr(r.randint(1, 3))
        if c < 0.3 or d <= 0:
            name = self.fresh() if (r.random() < 0.6 or not self.scalars) \
                else r.choice(self.scalars)
            out.append('%s%s = %s' % (ind, name, e()))
            if name not in self.scalars:
                self.scalars.append(name)
            return
        if c < 0.38 and self.scalars:
            name = r.choice(self.scalars)
            op = r.choice(['+=', '-=', '*='] + ([] if self.smooth else ['/=', '//=']))
            out.append('%s%s %s %s' % (ind, name, op, e()))
            return
        if c < 0.46 and self.tensors:
            n = r.randint(1, 4)
            name = self.fresh('t')
            out.append('%s%s = %s' % (ind, name, self.vexpr(n, 2)))
            self.vectors[name] = n
            return
        if c < 0.5 and self.tensors and self.vectors:
            name = r.choice(list(self.vectors))
            n = self.vectors[name]
            idx = r.choice([str(r.randint(-n, n - 1)), '%d:' % r.randint(0, n),
                            '::2', ':'])
            out.append('%s%s[%s] %s %s' % (ind, name, idx,
                                           r.choice(['=', '+=', '*=', '-=']), e()))
            return
        if c < 0.54 and self.tensors:
            m, n = r.randint(1, 3), r.randint(1, 3)
            name = self.fresh('m')
            out.append('%s%s = %s' % (ind, name, self.mexpr(m, n, 2)))
            self.matrices[name] = (m, n)
            return
        if c < 0.64:
            out.append('%sif %s {' % (ind, self.cond(1)))
            self.block(d - 1, out)
            for _ in range(r.randint(0, 2)):
                out.append('%s} elif %s {' % (ind, self.cond(1)))
                self.block(d - 1, out)
            if r.random() < 0.5:
                out.append('%s} else {' % ind)
                self.block(d - 1, out)
            out.append('%s}' % ind)
            return
        if c < 0.72:
            i = self.fresh('i')
            rng = r.choice(['range(%d)' % r.randint(0, 5),
                            'range(%d, %d)' % (r.randint(-2, 2), r.randint(0, 6)),
                            'range(%d, %d, %d)' % (r.randint(0, 6), r.randint(-2, 3),
                                                   r.choice([-2, -1, 1, 2]))])
            if self.tensors and self.vectors and r.random() < 0.3:
                rng = r.choice(list(self.vectors))
            out.append('%sfor %s in %s {' % (ind, i, rng))
            self.scalars.append(i)
            self.in_loop += 1
            self.block(d - 1, out)
            self.in_loop -= 1
            out.append('%s}' % ind)
            return
        if c < 0.77:
            k = self.fresh('k')
            out.append('%s%s = 0' % (ind, k))
            out.append('%swhile %s < %d {' % (ind, k, r.randint(0, 5)))
            out.append('%s  %s += 1' % (ind, k))
            self.in_loop += 1
            self.block(d - 1, out)
            self.in_loop -= 1
            out.append('%s}' % ind)
            self.scalars.append(k)
            return
        if c < 0.8 and self.in_loop:
            out.append('%sif %s { %s }' % (ind, self.cond(0),
                                           r.choice(['break', 'continue'])))
            return
        if c < 0.9 and self.scalars and not self.in_func:
            ins = [v for v in self.inputs if v in self.scalars]
            if ins:
                v = r.choice(self.scalars)
                x = r.choice(ins + self.scalars)
                name = self.fresh('g')
                form = r.choice(['grad(%s, %s)', 'grad(%s, %s, %d)',
                                 'grad(grad(%s, %s), %s)', 'hessian(%s, %s)',
                                 'jacobian(%s, %s)'])
                if form == 'grad(%s, %s, %d)':
                    s = form % (v, x, r.randint(1, 4))
                elif form.startswith('grad(grad'):
                    s = form % (v, x, x)
                else:
                    s = form % (v, x)
                out.append('%s%s = %s' % (ind, name, s))
                self.scalars.append(name)
                return
        if c < 0.93 and not self.smooth:
            out.append('%sprint(%s)' % (ind, e()))
            return
        if c < 0.95 and not self.smooth:
            out.append('%sassert %s, "fuzz"' % (ind, self.cond(1)))
            return
        name = self.fresh()
        out.append('%s%s = %s' % (ind, name, e()))
        self.scalars.append(name)

    def block(self, d, out):
        saved = (list(self.scalars), dict(self.vectors), dict(self.matrices))
        for _ in range(self.r.randint(1, 3)):
            self.stmt(d, out)
        # names bound only inside a branch may be unbound afterwards
        self.scalars, self.vectors, self.matrices = saved

    def funcdef(self, out):
        r = self.r
        name = self.fresh('f')
        n = r.randint(1, 3)
        params = ['p%d' % i for i in range(n)]
        saved = (self.scalars, self.vectors, self.matrices)
        self.scalars = list(params) + [s for s in self.inputs]
        self.vectors, self.matrices = {}, {}
        self.in_func = True
        body = []
        recursive = r.random() < 0.3
        if recursive:
            # a recursion that ends: the first parameter counts down
            body.append('  if p0 <= 0 { return %s }' % self.sexpr(2))
            self.funcs.append((name, n))
            rec = '%s(p0 - 1%s)' % (name, ''.join(', ' + self.sexpr(1)
                                                  for _ in range(n - 1)))
        for _ in range(r.randint(0, 3)):
            self.stmt(1, body)
        ret = self.sexpr(2)
        if recursive:
            ret = '(%s) * 0.5 + %s' % (ret, rec)
        body.append('  return %s' % ret)
        out.append('def %s(%s) {' % (name, ', '.join(params)))
        out.extend(body)
        out.append('}')
        self.in_func = False
        self.scalars, self.vectors, self.matrices = saved
        if not recursive:
            self.funcs.append((name, n))
        else:
            # callers give a small integer count first
            self.funcs.remove((name, n))
            self.rec = getattr(self, 'rec', []) + [(name, n)]

    def program(self, nin=2, nstmt=8):
        r = self.r
        out = []
        self.inputs = ['x', 'y', 'z'][:nin]
        for v in self.inputs:
            out.append('input %s = %s' % (v, self.num()))
            self.scalars.append(v)
        if self.tensors and not self.smooth and r.random() < 0.4:
            n = r.randint(1, 4)
            out.append('input w = %s' % self.vexpr(n, 0))
            self.vectors['w'] = n
        for _ in range(r.randint(0, 2)):
            self.funcdef(out)
        for (name, n) in getattr(self, 'rec', []):
            v = self.fresh()
            out.append('%s = %s(%d%s)' % (v, name, r.randint(0, 6),
                                          ''.join(', ' + self.sexpr(1)
                                                  for _ in range(n - 1))))
            self.scalars.append(v)
        for _ in range(r.randint(1, nstmt)):
            self.stmt(3, out)
        outs = [s for s in self.scalars if s[0] in 'vg' or s in self.inputs]
        last = self.fresh()
        out.append('%s = %s' % (last, self.sexpr(3)))
        outs.append(last)
        if not self.smooth and r.random() < 0.1:
            out.append(self.sexpr(2))     # a bare expression
        else:
            r.shuffle(outs)
            out.append('output ' + ', '.join(sorted(set(outs[:3]))))
        return '\n'.join(out) + '\n'


# ---------------------------------------------------------------- options

def crash_options(r, inputs):
    args = []
    if r.random() < 0.5:
        args += ['--wrt', ','.join(r.sample(inputs, r.randint(1, len(inputs))))]
    if r.random() < 0.3:
        args += ['--order', str(r.randint(1, 4))]
    if r.random() < 0.3:
        args += ['--format', r.choice(['json', 'csv', 'tsv', 'text'])]
    if r.random() < 0.15:
        args += ['--prec', str(r.choice([2, 24, 53, 64, 128, 200, 300]))]
    if r.random() < 0.3:
        for v in r.sample(inputs, r.randint(1, len(inputs))):
            args += ['--at', '%s=%s' % (v, r.choice(ODD_NUMBERS + ['0.7', '-1.3', '2']))]
    c = r.random()
    if c < 0.08:
        args = [a for a in args if a != '--order']
        args += ['--wrt', inputs[0], '--taylor', str(r.randint(0, 6))]
    elif c < 0.14:
        args += ['--enclose']
    elif c < 0.2:
        args += ['--fd-check']
    elif c < 0.25:
        args += ['--verified']
    elif c < 0.32:
        args += ['--emit', r.choice(['expr', 'gt', 'c', 'c-mpfr', 'latex', 'dot'])]
    elif c < 0.36:
        args += ['--check', '%s=0' % inputs[0]]
    elif c < 0.4:
        args += ['--jacobian']
    elif c < 0.43:
        args += ['--all-orders', '--order', '3']
    elif c < 0.46:
        args += ['--partial', ','.join(r.choice(inputs) for _ in range(r.randint(1, 3)))]
    elif c < 0.5:
        args += ['--nan-ok']
    elif c < 0.53:
        args += ['--digits', str(r.randint(1, 60))]
    return args


def batch_stdin(r, inputs):
    names = r.sample(inputs, r.randint(1, len(inputs)))
    sep = r.choice([',', '\t'])
    rows = [sep.join(names)]
    for _ in range(r.randint(0, 6)):
        rows.append(sep.join(r.choice(['0.5', '1', '-2', '1e10', '3.25', 'pi',
                                       '', 'x', '1e-30', '0'])
                             for _ in names))
    return '\n'.join(rows) + '\n'


def hostile(r):
    c = r.random()
    if c < 0.15:
        return bytes(r.randrange(256) for _ in range(r.randint(1, 300)))
    if c < 0.3:
        n = r.randint(50, 3000)
        return ('y = ' + '(' * n + '1' + ')' * n + '\n').encode()
    if c < 0.4:
        n = r.randint(50, 3000)
        return ('y = ' + '-' * n + '1\n').encode()
    if c < 0.5:
        n = r.randint(50, 1500)
        return ('y = ' + '[' * n + '1' + ']' * n + '\n').encode()
    if c < 0.6:
        n = r.randint(10, 400)
        return ('input x = 1\ny = x' + ' ^ x' * n + '\n').encode()
    if c < 0.7:
        return ('y = ' + r.choice(ODD_NUMBERS) + ' ' + r.choice('+-*/^%')
                + ' ' + r.choice(ODD_NUMBERS) + '\n').encode()
    if c < 0.8:
        n = r.randint(1, 50)
        return ('input x = 1\n' + 'if x > 0 {\n' * n + 'y = x\n'
                + '}\n' * r.randint(0, n)).encode()
    g = Gen(r)
    text = g.program().encode()
    cut = r.randint(0, len(text))
    return text[:cut] + (bytes([r.randrange(256)]) if r.random() < 0.5 else b'')


# ---------------------------------------------------------------- running

def run(binary, args, stdin=None, timeout=10):
    env = dict(os.environ, LC_ALL='C',
               ASAN_OPTIONS='detect_leaks=1:halt_on_error=1:abort_on_error=0',
               UBSAN_OPTIONS='halt_on_error=1:print_stacktrace=1')
    try:
        p = subprocess.run([binary] + args, input=stdin, capture_output=True,
                           timeout=timeout, env=env)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), \
            p.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired:
        return 'timeout', '', ''


def judge(rc, out, err, args, text):
    if rc == 'timeout':
        return 'timeout'
    if 'Sanitizer' in err or 'runtime error:' in err:
        return 'sanitizer'
    if rc not in (0, 1, 2, 3, 4):
        return 'status %s' % rc
    import re
    # print() writes to stderr before the error: look for the error line
    if rc in (3, 4) and not re.search(r'^(\S+):\d+:\d+: error: |'
                                      r'^gradtool: out of memory|'
                                      r'^<stdin>:\d+: error: ', err, re.M):
        # limits found before the run may be plain; look at them by hand
        return 'unlocated %d' % rc
    if rc == 0 and '--nan-ok' not in args and 'nan' not in text \
            and re.search(r'\bnan\b', out):
        return 'nan printed'
    return None


def write_finding(outdir, kind, seed, text, args, stdin, res):
    d = os.path.join(outdir, '%s-%d' % (kind.replace(' ', '_'), seed))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'prog.gt'), 'wb') as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    with open(os.path.join(d, 'args'), 'w') as f:
        f.write(' '.join(map(repr, args)) + '\n')
    if stdin:
        with open(os.path.join(d, 'stdin'), 'wb') as f:
            f.write(stdin)
    with open(os.path.join(d, 'result'), 'w') as f:
        f.write('rc=%s\n--- stdout\n%s\n--- stderr\n%s\n' % res)
    print('%s seed=%d %s' % (kind, seed, d), flush=True)


def campaign_crash(binary, seed, outdir, timeout, hostile_mode):
    r = random.Random(seed)
    stdin = None
    if hostile_mode:
        text = hostile(r)
        args = []
    else:
        g = Gen(r)
        text = g.program(nin=r.randint(1, 3), nstmt=r.randint(2, 12))
        args = crash_options(r, g.inputs)
        if r.random() < 0.1:
            args = [a for a in args if a != '--at'] + ['--batch']
            stdin = batch_stdin(r, g.inputs).encode()
    path = os.path.join(outdir, 'cur-%d.gt' % os.getpid())
    with open(path, 'wb') as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    full = args + [path]
    res = run(binary, full, stdin, timeout)
    kind = judge(*res, args, text if isinstance(text, str) else '')
    if kind:
        write_finding(outdir, kind, seed, text, args, stdin, res)
    return kind or 'rc%s' % res[0]


# oracle mode: scalar programs in two inputs
def mp_of(v):
    import mpmath
    if isinstance(v, str):
        return mpmath.mpf(v) if v in ('inf', '-inf', 'nan') else None
    return mpmath.mpf(v)


def json_run(binary, text, args, timeout):
    rc, out, err = run(binary, ['-f', 'json', '-q'] + args + ['-e', text],
                       timeout=timeout)
    if rc != 0:
        return rc, None, err
    try:
        return rc, json.loads(out, parse_float=str, parse_int=str), err
    except ValueError:
        return 'badjson', None, out


def campaign_oracle(binary, seed, outdir, timeout):
    import mpmath
    mpmath.mp.prec = 700
    r = random.Random(seed)
    g = Gen(r, smooth=True, tensors=r.random() < 0.5)
    text = g.program(nin=2, nstmt=r.randint(2, 8))
    pt = {v: '%.5f' % r.uniform(-2, 2) for v in g.inputs}
    at = []
    for v, val in pt.items():
        at += ['--at', '%s=%s' % (v, val)]
    rc, lo, err = json_run(binary, text, at + ['--prec', '128', '--wrt', 'x'],
                           timeout)
    if rc != 0 or lo is None:
        if rc not in (0, 1, 2, 3, 4):
            write_finding(outdir, 'oracle-status %s' % rc, seed, text, at, None,
                          (rc, '', err))
            return 'status'
        return 'skip'
    if lo.get('notes'):
        return 'skip'
    rc, hi, err = json_run(binary, text, at + ['--prec', '600', '--wrt', 'x'],
                           timeout)
    if hi is None:
        write_finding(outdir, 'oracle-prec600-fails', seed, text, at, None,
                      (rc, '', err))
        return 'bad'
    h = mpmath.mpf('1e-60')
    xs = mpmath.mpf(pt['x'])
    side = {}
    for sgn in (1, -1):
        a2 = ['--at', 'x=%s' % mpmath.nstr(xs + sgn * h, 200),
              '--at', 'y=%s' % pt['y']]
        rc, res, err = json_run(binary, text, a2 + ['--prec', '600'], timeout)
        if res is None:
            return 'skip'
        side[sgn] = res
    bad = []
    for name, v in hi['values'].items():
        if not isinstance(v, str):
            continue
        vh = mp_of(v)
        vl = mp_of(lo['values'].get(name))
        if vh is None or vl is None or not mpmath.isfinite(vh):
            continue
        if abs(vh - vl) > mpmath.mpf('1e-30') * max(abs(vh), 1):
            bad.append('value %s: prec128 %s prec600 %s' % (name, vl, vh))
    for dv in hi.get('derivatives', []):
        if dv['wrt'] != ['x'] or not isinstance(dv['value'], str):
            continue
        name = dv['of']
        p, m = side[1]['values'].get(name), side[-1]['values'].get(name)
        if not isinstance(p, str) or not isinstance(m, str):
            continue
        fd = (mpmath.mpf(p) - mpmath.mpf(m)) / (2 * h)
        ad = mpmath.mpf(dv['value'])
        scale = max(abs(ad), abs(fd), abs(mp_of(hi['values'][name]) or 0), 1)
        if abs(fd - ad) > mpmath.mpf('1e-30') * scale:
            bad.append('d%s/dx: AD %s FD %s' % (name, mpmath.nstr(ad, 40),
                                                 mpmath.nstr(fd, 40)))
    # the second derivative against a difference of the first ones
    rc, h2, err = json_run(binary, text, at + ['--prec', '600', '--wrt', 'x',
                                               '--order', '2'], timeout)
    first = {}
    for sgn in (1, -1):
        for dv in side[sgn].get('derivatives', []):
            if dv['wrt'] == ['x'] and isinstance(dv['value'], str):
                first.setdefault(dv['of'], {})[sgn] = mpmath.mpf(dv['value'])
    for dv in (h2 or {}).get('derivatives', []):
        if dv['wrt'] != ['x', 'x'] or not isinstance(dv['value'], str):
            continue
        f = first.get(dv['of'], {})
        if 1 not in f or -1 not in f:
            continue
        fd = (f[1] - f[-1]) / (2 * h)
        ad = mpmath.mpf(dv['value'])
        if abs(fd - ad) > mpmath.mpf('1e-30') * max(abs(ad), abs(fd), 1):
            bad.append('d2%s/dx2: AD %s FD %s' % (dv['of'], mpmath.nstr(ad, 40),
                                                   mpmath.nstr(fd, 40)))
    if bad:
        write_finding(outdir, 'oracle', seed, text, at, None,
                      ('0', '\n'.join(bad), ''))
        return 'mismatch'
    return 'ok'


# emit mode: --emit=gt is "a runnable program giving the same numbers":
# its outputs dOUT_dX must equal the derivatives of the original run
def campaign_emit(binary, seed, outdir, timeout):
    import mpmath
    mpmath.mp.prec = 700
    r = random.Random(seed)
    g = Gen(r, smooth=r.random() < 0.5, tensors=r.random() < 0.5)
    text = g.program(nin=2, nstmt=r.randint(2, 8))
    rc, orig, err = json_run(binary, text, ['--wrt', 'x,y'], timeout)
    if orig is None:
        return 'skip'
    rc, em, err = run(binary, ['--emit', 'gt', '--wrt', 'x,y', '-e', text],
                      timeout=timeout)
    if rc != 0:
        if rc not in (0, 1, 2, 3, 4) or 'Sanitizer' in err:
            write_finding(outdir, 'emit-status %s' % rc, seed, text, [], None,
                          (rc, em, err))
            return 'bad'
        return 'skip-emit'
    rc, back, err2 = json_run(binary, em, [], timeout)
    if back is None:
        write_finding(outdir, 'emit-rerun %s' % rc, seed, text,
                      ['--emit', 'gt', '--wrt', 'x,y'], None, (rc, em, err2))
        return 'bad'
    bad = []
    for dv in orig.get('derivatives', []):
        name = 'd%s_d%s' % (dv['of'], dv['wrt'][0])
        if len(dv['wrt']) != 1 or not isinstance(dv['value'], str):
            continue
        got = back['values'].get(name)
        if not isinstance(got, str):
            continue
        a, b = mpmath.mpf(dv['value']), mpmath.mpf(got)
        if a != b and abs(a - b) > mpmath.mpf('1e-30') * max(abs(a), abs(b)):
            bad.append('%s: run %s emitted %s' % (name, dv['value'], got))
    if bad:
        write_finding(outdir, 'emit-mismatch', seed, text,
                      ['--emit', 'gt', '--wrt', 'x,y'], None,
                      ('0', '\n'.join(bad) + '\n' + em, ''))
        return 'mismatch'
    return 'ok'


def main(argv):
    if len(argv) >= 2 and argv[1] == 'show':
        seed = int(argv[2])
        mode = argv[3] if len(argv) > 3 else 'crash'
        r = random.Random(seed)
        if mode == 'hostile':
            sys.stdout.buffer.write(hostile(r))
            return 0
        g = Gen(r, smooth=mode == 'oracle',
                tensors=mode != 'oracle' or r.random() < 0.5)
        sys.stdout.write(g.program(nin=r.randint(1, 3) if mode != 'oracle' else 2,
                                   nstmt=r.randint(2, 12) if mode != 'oracle'
                                   else r.randint(2, 8)))
        if mode == 'crash':
            print('# options:', ' '.join(crash_options(r, g.inputs)))
        return 0
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd')
    ap.add_argument('--bin', required=True)
    ap.add_argument('-n', type=int, default=1000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--mode', default='crash')
    ap.add_argument('--out', default='/tmp/gt-fuzz')
    ap.add_argument('--timeout', type=float, default=10)
    a = ap.parse_args(argv[1:])
    os.makedirs(a.out, exist_ok=True)
    counts = {}
    for s in range(a.seed, a.seed + a.n):
        if a.mode == 'oracle':
            k = campaign_oracle(a.bin, s, a.out, a.timeout)
        elif a.mode == 'emit':
            k = campaign_emit(a.bin, s, a.out, a.timeout)
        else:
            k = campaign_crash(a.bin, s, a.out, a.timeout, a.mode == 'hostile')
        counts[k or 'ok'] = counts.get(k or 'ok', 0) + 1
    print('ran %d programs: %s' % (a.n, counts), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
