#!/usr/bin/env python3
"""gen_fuzz.py -- expected outputs of the e2e cases fuzz_* whose numbers
need an oracle (bugs found by tests/fuzz/gen.py): mpmath at 600 bits,
rounded to the working precision of the case and printed with the case's
--digits as gradtool prints (%g-like, trailing zeros kept).

Usage: python3 tests/oracle/gen_fuzz.py   (from the top of the tree)
"""
import mpmath as m

E2E = 'tests/e2e/'


def fmt(v, digits):
    """v as gradtool prints it with --digits: digits significant digits,
    plain for decimal exponents -6..21, else d.ddde+X (gradtool(1),
    Numbers)."""
    if m.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if v == 0:
        return '0'
    s = m.nstr(v, digits, strip_zeros=False, min_fixed=m.inf,
               max_fixed=-m.inf)
    sign = '-' if s.startswith('-') else ''
    s = s.lstrip('-')
    mant, _, ex = s.partition('e')
    ex = int(ex) if ex else 0
    dig = mant.replace('.', '')
    if -6 <= ex <= 21:
        if ex >= 0:
            dig = dig.ljust(ex + 1, '0')
            out = dig[:ex + 1] + ('.' + dig[ex + 1:] if dig[ex + 1:] else '')
        else:
            out = '0.' + '0' * (-ex - 1) + dig
        return sign + out
    return '%s%s.%se%s%d' % (sign, dig[0], dig[1:], '+' if ex >= 0 else '-',
                             abs(ex))


def at(prec, text):
    """The number text as gradtool reads it at prec bits."""
    m.mp.prec = prec
    v = m.mpf(text)
    m.mp.prec = 600
    return v


def rounded(prec, v):
    m.mp.prec = prec
    v = +v
    m.mp.prec = 600
    return v


def beta_large():
    # mpfr_beta gave NaN ("poles") for an argument above about 1e17 and
    # took minutes for a tiny one; Arb's Gamma now computes both
    p, d = 128, 30
    cases = [('a', '1e20', '2'), ('b', '1e20', '0.5'), ('c', '5', '1e-100000'),
             ('d', '2', '-1e-10000'), ('f', '1e18', '3'),
             ('g', '0.75', '1e-30')]
    lines, outs = [], []
    for name, x, y in cases:
        lines.append('%s = beta(%s, %s)' % (name, x, y))
        m.mp.prec = 600
        v = m.beta(at(p, x), at(p, y))
        outs.append('%s = %s' % (name, fmt(rounded(p, v), d)))
    gt = ('# beta outside mpfr_beta\'s range (found by tests/fuzz/gen.py):\n'
          '# NaN for an argument above about 1e17, minutes for a tiny one\n'
          + '\n'.join(lines) + '\noutput ' + ', '.join(c[0] for c in cases)
          + '\n')
    write('fuzz_beta_large', gt, '--digits %d fuzz_beta_large.gt' % d, outs)


def sf_overflow():
    # a special function whose value leaves MPFR's exponent range is inf,
    # as MPFR's own functions make it (it printed 6e+800000000, a number
    # outside the range, that turned into inf when multiplied by 1)
    gt = ('# a special function value beyond MPFR\'s exponent range is inf\n'
          '# (found by tests/fuzz/gen.py)\n'
          'a = polygamma(3, 1e-200000000)\n'
          'b = a * 1\n'
          'c = polygamma(3, 1e-20)\n'
          'output a, b, c\n')
    m.mp.prec = 600
    c = m.polygamma(3, at(128, '1e-20'))
    outs = ['a = inf', 'b = inf', 'c = %s' % fmt(rounded(128, c), 30)]
    write('fuzz_sf_overflow', gt, '--digits 30 fuzz_sf_overflow.gt', outs)


def bessel_large():
    # MPFR 4.2's jn/yn with n < 0 and a large x abort, ask for exabytes
    # or run for hours, and with a large n and x sum the power series for
    # minutes: J_-n = (-1)^n J_n, and Arb from |x| = 64 on
    cases = [('a', 'besselj', -1, '1e29'), ('b', 'besselj', -1, '1e10'),
             ('c', 'bessely', -1, '1e5'), ('d', 'bessely', -2, '1e8'),
             ('f', 'besselj', 1000, '3e5'), ('g', 'bessely', 1000, '1e5'),
             ('h', 'besselj', -3, '-1e29'), ('k', 'bessely', -3, '2.5')]
    lines, outs = [], []
    for name, f, n, x in cases:
        lines.append('%s = %s(%d, %s)' % (name, f, n, x))
        m.mp.prec = 600
        v = (m.besselj if f == 'besselj' else m.bessely)(n, at(128, x))
        outs.append('%s = %s' % (name, fmt(rounded(128, v), 25)))
    gt = ('# Bessel functions of negative order or a large argument (found\n'
          '# by tests/fuzz/gen.py: "out of memory", an MPFR assertion, hours)\n'
          + '\n'.join(lines) + '\noutput ' + ', '.join(c[0] for c in cases)
          + '\n')
    write('fuzz_bessel_large', gt, '--digits 25 fuzz_bessel_large.gt', outs)


def sinh_tiny():
    # mpfr_sinh_cosh took a second at 1e-100000 and minutes at 1e-1000000;
    # closed form: sinh x = x (1 + x^2/6 + ...) and cosh x = 1 + x^2/2 + ...
    # round to x and 1 at 128 bits, whose shortest decimals are the
    # literal and 1; the derivatives are cosh x and -sinh(-x) = sinh x
    gt = ('# sinh and cosh of a tiny number (found by tests/fuzz/gen.py: '
          'minutes)\n'
          'input x = 1e-1000000\n'
          'y = sinh(x)\n'
          'z = cosh(-x)\n'
          'output y, z\n')
    outs = ['y = 1e-1000000', 'z = 1', 'dy/dx = 1', 'dz/dx = 1e-1000000']
    write('fuzz_sinh_tiny', gt, 'fuzz_sinh_tiny.gt', outs)


def polygamma_large():
    # the series of digamma cancelled to a ball around 0 at a large order
    # and argument: polygamma(1000, 1000) printed 0 after 3 s; now
    # (-1)^(n+1) n! zeta(n+1, x) by Arb's Hurwitz zeta
    cases = [('a', 1000, '1000'), ('b', 1000, '2000'), ('c', 1000, '300'),
             ('d', 400, '1e6')]
    lines, outs = [], []
    for name, n, x in cases:
        lines.append('%s = polygamma(%d, %s)' % (name, n, x))
        m.mp.prec = 600
        v = m.polygamma(n, at(128, x))
        outs.append('%s = %s' % (name, fmt(rounded(128, v), 25)))
    # the derivative: polygamma(n + 1, x)
    lines.append('input x = 1500')
    lines.append('y = polygamma(999, x)')
    m.mp.prec = 600
    outs.append('y = %s' % fmt(rounded(128, m.polygamma(999, 1500)), 25))
    outs.append('dy/dx = %s' % fmt(rounded(128, m.polygamma(1000, 1500)), 25))
    gt = ('# polygamma of a large order at a large argument (found by\n'
          '# tests/fuzz/gen.py: 0 instead of -6.4e-436)\n'
          + '\n'.join(lines) + '\noutput ' + ', '.join(c[0] for c in cases)
          + ', y\n')
    write('fuzz_polygamma_large', gt,
          '--digits 25 --of y fuzz_polygamma_large.gt',
          outs)


def write(name, gt, args, outs):
    with open(E2E + name + '.gt', 'w') as f:
        f.write(gt)
    with open(E2E + name + '.args', 'w') as f:
        f.write(args + '\n')
    with open(E2E + name + '.out', 'w') as f:
        f.write('\n'.join(outs) + '\n')


if __name__ == '__main__':
    beta_large()
    sf_overflow()
    bessel_large()
    sinh_tiny()
    polygamma_large()
