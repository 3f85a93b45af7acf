#!/usr/bin/env python3
"""gen_sf.py -- oracle for tests/unit/test_sf.c (the jets of lib/sf.c).

For each function, point x and precision p, x is the decimal read to
nearest at p bits (as MPFR reads it) and the jet f^(k)(x)/k!, k = 0..K, is
computed with mpmath by formulas independent of lib/sf.c's method:
  polygamma  psi(n + k, x)/k!;  n = -1: log|Gamma(x)|, then psi(k-1, x)/k!
  zeta       mpmath.zeta(x, 1, k)/k!
  erfc       -2/sqrt(pi) (-1)^(k-1) H_(k-1)(x) e^(-x^2)/k!  (Hermite H)
  erfinv     the ODE w' = sqrt(pi)/2 exp(w^2) solved coefficient by
             coefficient from w0 = mpmath.erfinv(x)
  norm_cdf   phi^(k-1)(x)/k! = (-1)^(k-1) He_(k-1)(x) phi(x)/k!
  norm_logcdf  the logarithm of norm_cdf's series (L' = P'/P)
  besselj, bessely  mpmath.besselj/bessely(n, x, derivative=k)/k!
  gamma_inc  Gamma(a, x), then -(d/dx)^(k-1) [x^(a-1) e^-x]/k! by Leibniz
  lambertw   w0 = mpmath.lambertw(x), then the coefficients of W e^W = x + t
             solved one by one
Each coefficient is computed at two working precisions (3p + 64 + 8K bits,
80K for norm_logcdf, whose log series cancels,
and 64 bits more); both must round to the same p-bit number (round to
nearest, ties to even, as MPFR's MPFR_RNDN), which is printed exactly in
hexadecimal ("0x<mantissa>p<exponent>", read back exactly by mpfr_set_str
in base 0).  Also the partial derivatives of beta and lbeta (gt_sf_value2):
lbeta through psi, beta through mpmath.diff at high precision.

Usage: /usr/bin/python3 tests/oracle/gen_sf.py > tests/unit/sf_table.h
"""

from fractions import Fraction
from math import comb

import mpmath
from mpmath import mpf

# (function, n, a, [points], K)
CASES = [
    ("POLYGAMMA", -1, None, ["1", "2", "0.5", "3.7", "1e-10", "123.456",
                             "1e20", "-0.5", "-2.7", "-7.9999"], 6),
    ("POLYGAMMA", 0, None, ["1", "0.25", "1e-5", "-0.5", "-3.1", "50",
                            "1.4616321449683622"], 6),
    ("POLYGAMMA", 1, None, ["0.1", "2.5", "-2.0000001", "1e6"], 5),
    ("POLYGAMMA", 3, None, ["0.75", "-1.5", "10"], 4),
    ("POLYGAMMA", 0, None, ["1.5"], 30),
    ("ZETA", 0, None, ["2", "0.5", "0", "-2", "-3.5", "-1", "0.999",
                       "1.001", "30", "-20.5"], 6),
    ("ERFC", 0, None, ["0", "0.5", "-1.5", "3", "27", "-30", "1e-20"], 6),
    ("ERFC", 0, None, ["0.75"], 30),
    ("ERFINV", 0, None, ["0", "0.5", "-0.9", "0.999999", "1e-10",
                         "-0.1"], 6),
    ("NORM_CDF", 0, None, ["0", "1", "-2.5", "8", "-40"], 6),
    ("NORM_LOGCDF", 0, None, ["0", "1.5", "-3", "40", "-1e5", "-38.5",
                              "6", "-1e10", "-1.999", "2", "-2"], 6),
    ("NORM_CDF", 0, None, ["-1.999", "2", "-2", "1e-300"], 4),
    ("BESSELJ", 0, None, ["0", "1", "2.404825557695773", "-3.5", "100",
                          "1e-8"], 6),
    ("BESSELJ", 3, None, ["0", "0.5", "7", "-2"], 6),
    ("BESSELJ", -2, None, ["1.25", "0"], 6),
    ("BESSELJ", 1, None, ["2"], 30),
    ("BESSELJ", -3, None, ["2.5"], 10),
    ("BESSELJ", 40, None, ["30"], 6),
    ("BESSELY", 0, None, ["1", "1e-5", "50"], 6),
    ("BESSELY", 2, None, ["0.5", "3"], 6),
    ("BESSELY", -1, None, ["4.25"], 6),
    ("BESSELY", -7, None, ["2.5"], 10),
    ("BESSELY", 25, None, ["3"], 6),
    ("GAMMA_INC", 0, "2.5", ["1", "0.1", "1.5", "30"], 6),
    ("GAMMA_INC", 0, "5", ["4", "2", "6", "-1", "0", "1e-3"], 6),
    ("GAMMA_INC", 0, "-2.5", ["2", "0.5"], 6),
    ("GAMMA_INC", 0, "0", ["3"], 5),
    ("GAMMA_INC", 0, "4.5", ["0"], 4),
    ("LAMBERTW", 0, None, ["0", "1", "-0.3", "-0.36787944", "10", "1e10",
                           "-1e-8"], 6),
    ("LAMBERTW", 0, None, ["0.5"], 30),
]
PRECS = (53, 128, 300)

# (function, a, b, i, j)
CASES2 = [
    ("LBETA", "2.5", "3", 0, 0), ("LBETA", "0.5", "0.25", 1, 0),
    ("LBETA", "0.5", "0.25", 0, 2), ("LBETA", "-1.5", "4.25", 2, 1),
    ("LBETA", "1e-3", "7", 0, 0), ("LBETA", "300.5", "2", 1, 1),
    ("BETA", "2.5", "3", 0, 0), ("BETA", "2.5", "3", 1, 0),
    ("BETA", "0.5", "0.75", 1, 1), ("BETA", "-1.5", "4.25", 2, 1),
    ("BETA", "3", "1.25", 0, 3),
]


def hexstr(v):
    if v == 0:
        return "0"
    sign, man, exp, _ = v._mpf_
    return "%s0x%xp%d" % ("-" if sign else "", man, exp)


def frac(v):
    """The exact rational value of an mpf."""
    sign, man, exp, _ = v._mpf_
    return Fraction((-1) ** sign * man) * Fraction(2) ** exp


def factorial(k):
    return mpmath.factorial(k)


def series_exp(s, n):
    """exp of a power series s[0..n-1]: e' = s' e."""
    e = [mpmath.exp(s[0])] + [mpf(0)] * (n - 1)
    for k in range(1, n):
        e[k] = sum(j * s[j] * e[k - j] for j in range(1, k + 1)) / k
    return e


def series_mul(a, b, n):
    return [sum(a[j] * b[k - j] for j in range(k + 1)) for k in range(n)]


def series_log(p, n):
    """log of a power series: L' = P'/P."""
    out = [mpmath.log(p[0])] + [mpf(0)] * (n - 1)
    # q = P'/P, q_k by division
    dp = [(k + 1) * p[k + 1] for k in range(n - 1)]
    q = []
    for k in range(n - 1):
        q.append((dp[k] - sum(q[j] * p[k - j] for j in range(k))) / p[0])
    for k in range(1, n):
        out[k] = q[k - 1] / k
    return out


def jet_polygamma(n, x, K):
    if n >= 0:
        return [mpmath.psi(n + k, x) / factorial(k) for k in range(K + 1)]
    return [mpmath.log(abs(mpmath.gamma(x)))] + \
        [mpmath.psi(k - 1, x) / factorial(k) for k in range(1, K + 1)]


def jet_zeta(x, K):
    return [mpmath.zeta(x, 1, k) / factorial(k) for k in range(K + 1)]


def jet_erfc(x, K):
    out = [mpmath.erfc(x)]
    c = -2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x)
    for k in range(1, K + 1):
        out.append(c * (-1) ** (k - 1) * mpmath.hermite(k - 1, x)
                   / factorial(k))
    return out


def jet_erfinv(x, K):
    c = mpmath.sqrt(mpmath.pi) / 2
    w = [mpmath.erfinv(x)] + [mpf(0)] * K
    for k in range(K):
        # w_(k+1) = c [t^k] exp(W^2) / (k+1); [t^k] needs w_0..w_k
        sq = series_mul(w[:k + 1], w[:k + 1], k + 1)
        e = series_exp(sq, k + 1)
        w[k + 1] = c * e[k] / (k + 1)
    return w


def hermite_e(m, x):
    return 2 ** (-mpf(m) / 2) * mpmath.hermite(m, x / mpmath.sqrt(2))


def jet_norm_cdf(x, K):
    phi = mpmath.npdf(x)
    return [mpmath.ncdf(x)] + [(-1) ** (k - 1) * hermite_e(k - 1, x) * phi
                               / factorial(k) for k in range(1, K + 1)]


def jet_norm_logcdf(x, K):
    out = series_log(jet_norm_cdf(x, K), K + 1)
    if x > 0:   # Phi(x) = 1 - Phi(-x): log1p keeps Phi(-x) ~ e^(-x^2/2)
        out[0] = mpmath.log1p(-mpmath.ncdf(-x))
    return out


def jet_bessel(y, n, x, K):
    f = mpmath.bessely if y else mpmath.besselj
    return [f(n, x, derivative=k) / factorial(k) for k in range(K + 1)]


def jet_gamma_inc(a, x, K):
    if x == 0:
        out = [mpmath.gamma(a)]
    else:
        out = [mpmath.gammainc(a, x)]
    for k in range(1, K + 1):
        m = k - 1
        s = mpf(0)
        ff = mpf(1)
        for j in range(m + 1):
            if j > 0:
                ff *= a - j
            if x == 0 and a - 1 - j != 0:
                term = 0 if ff == 0 or a - 1 - j > 0 else None
                assert term is not None
            else:
                term = ff * mpmath.binomial(m, j) * (-1) ** (m - j) * \
                    (mpf(1) if a - 1 - j == 0 else x ** (a - 1 - j))
            s += term
        out.append(-s * mpmath.exp(-x) / factorial(k))
    return out


def jet_lambertw(x, K):
    w0 = mpmath.lambertw(x).real
    w = [w0] + [mpf(0)] * K
    d = mpmath.exp(w0) * (1 + w0)    # coefficient of w_k in [t^k] W e^W
    for k in range(1, K + 1):
        e = series_exp(w[:k + 1], k + 1)
        prod = series_mul(w[:k + 1], e, k + 1)[k]     # with w_k = 0
        target = 1 if k == 1 else 0
        w[k] = (target - prod) / d
    return w


def jet(fn, n, a, x, K):
    if fn == "POLYGAMMA":
        return jet_polygamma(n, x, K)
    if fn == "ZETA":
        return jet_zeta(x, K)
    if fn == "ERFC":
        return jet_erfc(x, K)
    if fn == "ERFINV":
        return jet_erfinv(x, K)
    if fn == "NORM_CDF":
        return jet_norm_cdf(x, K)
    if fn == "NORM_LOGCDF":
        return jet_norm_logcdf(x, K)
    if fn == "BESSELJ":
        return jet_bessel(False, n, x, K)
    if fn == "BESSELY":
        return jet_bessel(True, n, x, K)
    if fn == "GAMMA_INC":
        return jet_gamma_inc(a, x, K)
    if fn == "LAMBERTW":
        return jet_lambertw(x, K)
    raise ValueError(fn)


def rounded(vals, p):
    with mpmath.workprec(p):
        return [+v for v in vals]


def exact_zero(fn, n, a, x, k):
    """Zeros the C code knows of; mpmath gives tiny noise there."""
    if fn == "POLYGAMMA":
        return n == -1 and k == 0 and x in (1, 2)
    if fn == "ZETA":
        return k == 0 and x < 0 and x % 2 == 0
    if fn == "NORM_CDF" and k == 3 and abs(x) == 1:
        return True     # Phi^(3)(x) = (x^2 - 1) phi(x)
    if fn in ("ERFC", "NORM_CDF"):
        return x == 0 and k >= 2 and k % 2 == 0
    if fn == "ERFINV":
        return x == 0 and k % 2 == 0
    if fn == "BESSELJ":
        return x == 0 and (k < abs(n) or (k - abs(n)) % 2 == 1)
    if fn == "LAMBERTW":
        return x == 0 and k == 0
    if fn == "GAMMA_INC" and k >= 2 and x != 0:
        # the polynomial factor P_(k-1)(x) of d^k/dx^k Gamma(a, x), exactly
        fa, fx = frac(a), frac(x)
        m, s, ff = k - 1, Fraction(0), Fraction(1)
        for j in range(m + 1):
            if j > 0:
                ff *= fa - j
            s += comb(m, j) * (-1) ** (m - j) * ff * fx ** (m - j)
        return s == 0
    return False


def compute(fn, n, atext, text, p, K):
    with mpmath.workprec(p):
        x = mpf(text)
        a = mpf(atext) if atext is not None else None
    res = []
    for extra in (0, 64):
        with mpmath.workprec(3 * p + 64 + (80 if fn == "NORM_LOGCDF" else 8) * K
                             + extra):
            vals = jet(fn, n, a, x, K)
            vals = [mpf(0) if exact_zero(fn, n, a, x, k) else mpmath.re(v)
                    for k, v in enumerate(vals)]
        res.append(rounded(vals, p))
    assert res[0] == res[1], (fn, n, atext, text, p)
    return x, a, res[0]


def beta_partial(fn, a, b, i, j):
    if fn == "LBETA":
        if i == 0 and j == 0:
            return (mpmath.log(abs(mpmath.gamma(a))) +
                    mpmath.log(abs(mpmath.gamma(b))) -
                    mpmath.log(abs(mpmath.gamma(a + b))))
        if j == 0:
            return mpmath.psi(i - 1, a) - mpmath.psi(i - 1, a + b)
        if i == 0:
            return mpmath.psi(j - 1, b) - mpmath.psi(j - 1, a + b)
        return -mpmath.psi(i + j - 1, a + b)
    if i == 0 and j == 0:
        return mpmath.beta(a, b)
    return mpmath.diff(lambda s, t: mpmath.beta(s, t), (a, b), (i, j))


def main():
    print("/* sf_table.h -- generated by tests/oracle/gen_sf.py; "
          "do not edit. */")
    print("/* { function, n, a (hex or NULL), precision, x (hex), K, "
          "jet[0..K] rounded to the precision (hex) } */")
    rows = []
    for fn, n, atext, points, K in CASES:
        for p in PRECS:
            if K > 10 and p != 128:
                continue
            for text in points:
                x, a, vals = compute(fn, n, atext, text, p, K)
                rows.append((fn, n, a, p, x, text, K, vals))
    print("static const struct SfCase {")
    print("  GtSf f;")
    print("  long n;")
    print("  const char *a;")
    print("  long prec;")
    print("  const char *x;")
    print("  int K;")
    print("  const char *jet[31];")
    print("} sf_table[] = {")
    for fn, n, a, p, x, text, K, vals in rows:
        print("  {GT_SF_%s, %d, %s, %d, \"%s\", /* %s */ %d," % (
            fn, n, "NULL" if a is None else '"%s"' % hexstr(a), p,
            hexstr(x), text, K))
        print("   {" + ",\n    ".join('"%s"' % hexstr(v) for v in vals)
              + "}},")
    print("};")
    print()
    print("static const struct Sf2Case {")
    print("  GtSf2 f;")
    print("  long prec;")
    print("  const char *a, *b;")
    print("  int i, j;")
    print("  const char *want;")
    print("} sf2_table[] = {")
    for fn, atext, btext, i, j in CASES2:
        for p in PRECS:
            with mpmath.workprec(p):
                a = mpf(atext)
                b = mpf(btext)
            got = []
            for extra in (0, 64):
                with mpmath.workprec(3 * p + 128 + extra):
                    v = beta_partial(fn, a, b, i, j)
                with mpmath.workprec(p):
                    got.append(+v)
            assert got[0] == got[1], (fn, atext, btext, i, j, p)
            print("  {GT_SF2_%s, %d, \"%s\", \"%s\", %d, %d, \"%s\"}, "
                  "/* %s, %s */" % (fn, p, hexstr(a), hexstr(b), i, j,
                                    hexstr(got[0]), atext, btext))
    print("};")


if __name__ == "__main__":
    main()
