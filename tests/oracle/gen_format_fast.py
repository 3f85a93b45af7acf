#!/usr/bin/env python3
"""gen_format_fast.py -- oracle for the fixed-width fast path of
lib/format.c (tests/unit/test_format.c, test_fast_oracle).

Prints a C table (tests/unit/format_fast_table.h) of binary values, exact
as hexadecimal strings, with the shortest round-trip text gradtool must
print for them, from two sources that share no code with lib/format.c:

- 53-bit values: Python's repr(float), which is the shortest decimal that
  reads back to the double and, among those, the nearest (David Gay's
  mode 0).  Only normal doubles that are not powers of two: there the
  IEEE rounding interval is MPFR's at 53 bits (symmetric about x, ends
  open or closed by the last bit's parity, ties to even on reading), so
  the shortest length is the same and the nearest such decimal is the
  nearest rounding to that length.  Every tenth one is checked against
  the brute-force search of gen_format.py as well.
- 24 to 256 bits: gen_format.py's brute-force search (exact rationals:
  round to n digits, round back to p bits, first n that gives x wins).

It also checks the integer formula lib/format.c uses for the scale,
floor(E log10 2) = (E * 78913) >> 18, for every |E| <= 1650.

Usage: python3 tests/oracle/gen_format_fast.py > tests/unit/format_fast_table.h
"""

import math
import random
import struct
import sys
from decimal import Decimal
from fractions import Fraction

import gen_format as gf


def check_log10_2():
    for e in range(-1650, 1651):
        # exact floor(e log10 2): the largest k with 10^k <= 2^e
        v = Fraction(2) ** e
        k = len(str(v.numerator)) - len(str(v.denominator))
        while Fraction(10) ** k > v:
            k -= 1
        while Fraction(10) ** (k + 1) <= v:
            k += 1
        assert (e * 78913) >> 18 == k, e


def double_hex(f):
    """Exact MPFR-readable hex string of a double: [-]0xMANpEXP."""
    m, e = math.frexp(abs(f))           # |f| = m 2^e, 0.5 <= m < 1
    man = int(m * 2 ** 53)
    return "%s0x%xp%d" % ("-" if f < 0 else "", man, e - 53)


def repr_text(f):
    """gradtool's text for a double, from repr(f)."""
    t = Decimal(repr(abs(f))).as_tuple()
    digits = "".join(map(str, t.digits)).lstrip("0")
    # value = int(digits) * 10^t.exponent = 0.DIGITS * 10^(len + exponent)
    e = len(digits) + t.exponent
    digits = digits.rstrip("0")
    return gf.layout(f < 0, digits, e)


def is_pow2_double(f):
    m, _ = math.frexp(abs(f))
    return m == 0.5


def brute_text(neg, man, exp, p):
    v = Fraction(man) * Fraction(2) ** exp
    digits, e = gf.shortest(v, p)
    return gf.layout(neg, digits, e)


def main():
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    check_log10_2()
    rng = random.Random(20261206)
    cases = []  # (comment, prec, hex, expected)

    doubles = []
    for _ in range(500):                 # random normal doubles
        bits = (rng.getrandbits(11) % 2046 + 1) << 52 | rng.getrandbits(52)
        doubles.append(("random double", struct.unpack("<d", struct.pack("<Q", bits))[0]))
    for k in range(-307, 309, 7):        # near powers of ten
        f = float("1e%d" % k)
        for j in (-2, -1, 0, 1, 2):
            g = f
            for _ in range(abs(j)):
                g = math.nextafter(g, math.inf if j > 0 else 0.0)
            doubles.append(("near 1e%d" % k, g))
    for _ in range(60):                  # one significant digit, and neighbours
        f = float("%de%d" % (rng.randint(1, 9), rng.randint(-300, 300)))
        doubles.append(("one digit", f))
        doubles.append(("one digit, next", math.nextafter(f, math.inf)))
    for _ in range(40):                  # integers, some beyond 2^53
        doubles.append(("integer", float(rng.getrandbits(rng.randint(10, 90)) | 1)))
    doubles.append(("largest double", sys.float_info.max))
    doubles.append(("above 2^-1022", math.nextafter(2.0 ** -1022, 1.0)))
    doubles.append(("0.1 + 0.2", 0.1 + 0.2))
    for i, (comment, f) in enumerate(doubles):
        if f == 0 or is_pow2_double(f) or abs(f) < sys.float_info.min:
            continue
        if rng.random() < 0.3:
            f = -f
        text = repr_text(f)
        if i % 10 == 0:
            m, e = math.frexp(abs(f))
            assert brute_text(f < 0, int(m * 2 ** 53), e - 53, 53) == text, f
        cases.append((comment + " (repr)", 53, double_hex(f), text))

    for p in (24, 64, 113, 128, 192, 200, 256, 257, 320):
        for i in range(20):
            man = rng.getrandbits(p) | (1 << (p - 1))
            if i < 12:
                exp = rng.randint(-40, 10) - p          # near 1
            else:
                exp = rng.randint(-1150, 1150) - p      # the whole range
            neg = rng.random() < 0.3
            cases.append(("random", p, "%s0x%xp%d" % ("-" if neg else "", man, exp),
                          brute_text(neg, man, exp, p)))
    for p in (113, 128, 192, 256):
        for k in (-300, -30, -5, -1, 1, 7, 25, 38, 60, 300):
            # the p-bit numbers next to 10^k: m 2^ex, m rounded to nearest
            v = Fraction(10) ** k
            ex = (v.numerator.bit_length() - v.denominator.bit_length()) - p
            while Fraction(2) ** (ex + p) <= v:
                ex += 1
            while Fraction(2) ** (ex + p - 1) > v:
                ex -= 1
            m = gf.round_half_even(v / Fraction(2) ** ex)
            for j in (-1, 0, 1):
                man = m + j
                if man == 1 << (p - 1) or man >= 1 << p:
                    continue
                cases.append(("near 1e%d%+d ulp" % (k, j), p, "0x%xp%d" % (man, ex),
                              brute_text(False, man, ex, p)))

    print("/* format_fast_table.h -- generated by tests/oracle/gen_format_fast.py; do not edit. */")
    print("/* { precision, exact value (hex), shortest round-trip text } */")
    print("static const struct FastCase {")
    print("  long prec;")
    print("  const char *value;")
    print("  const char *expected;")
    print("} format_fast_table[] = {")
    for comment, p, h, text in cases:
        print('  {%d, "%s", "%s"}, /* %s */' % (p, h, text, comment))
    print("};")


if __name__ == "__main__":
    main()
