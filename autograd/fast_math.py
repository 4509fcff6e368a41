"""Module 3: ``exp`` and ``log`` that the compiler can vectorise, for the fast CPU kernels.

Why this module exists: numba turns ``math.exp`` into a call of the C library's ``exp``, one
number at a time. It could call a vector ``exp`` only through Intel's SVML, which the llvmlite
wheels from PyPI do not include, so ``t.exp()`` on 1e6 numbers ran 6-7x slower than numpy
(whose own routine does 8 numbers per instruction). The two functions below are written with
``+ - * /``, comparisons and bit operations only: no call, no branch the compiler cannot turn
into a select, so the inner loop of a kernel becomes vector code.

Where they are used: nowhere in Python. The op table's formulas stay as a student writes them
in ``operators.py`` (``operators.exp`` is ``math.exp(x)``, task 0.1). When ``numba_bridge``
compiles those formulas for the CPU kernels, it gives them a ``math`` whose ``exp`` and ``log``
are these (``numba_bridge.VECTOR_MATH``): every formula that calls ``math.exp`` (``exp``,
``sigmoid``, ``exp_back``...) gets the vector version, and each formula is still written once.
The pure-Python backend and the CUDA kernels keep ``math`` (the GPU has its own fast exp).
To run as fast as numpy's, the kernel's loop also needs 512-bit vectors where the CPU has them
(``numba_bridge.wide_vectors``) and divisions without a zero check (the map kernel's error model).

Accuracy: within a few units in the last place (ulp) of numpy's results over the whole float
range, including overflow to inf, gradual underflow to 0, inf, -inf and nan
(``tests/test_fast_math.py`` checks 1e6 random inputs).
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Sequence, Tuple

import numpy as np

# ## Reading and writing a float's bits
#
# Python bodies for the tests and NUMBA_DISABLE_JIT; in a kernel each is one instruction
# (``numba_bridge`` gives them their compiled form: a bit cast, no memory involved; a fused
# multiply-add).


def float_from_bits(bits: int) -> float:
    """The float whose IEEE-754 bit pattern is the 64-bit integer ``bits``."""
    return struct.unpack("<d", struct.pack("<q", bits))[0]


def bits_of_float(x: float) -> int:
    """The IEEE-754 bit pattern of ``x`` as a signed 64-bit integer."""
    return struct.unpack("<q", struct.pack("<d", x))[0]


def multiply_add(a: float, b: float, c: float) -> float:
    """a * b + c; compiled, one fused multiply-add instruction (rounded once, so the compiled
    result can be a little more accurate than this Python body)."""
    return a * b + c


def _ln2_parts() -> tuple:
    """ln 2 as hi + lo: hi keeps 33 significant bits, so ``k * hi`` is exact for any k < 2^20;
    lo is the rest, from 40 digits of ln 2 (the float ln 2 itself is too coarse for it)."""
    with localcontext() as context:
        context.prec = 40
        ln2 = Decimal(2).ln()
    hi = float.fromhex(float(ln2).hex()[:12] + "p-1")  # "0x1.62e42fef": 1 + 8 hex digits
    return hi, float(ln2 - Decimal(hi))


def economise(taylor: Sequence[Fraction], low: Fraction, high: Fraction, degree: int) -> Tuple[float, ...]:
    """The coefficients c0, c1, ... of a polynomial of ``degree`` that is as close as one can
    get (within a small factor) to the series ``taylor[0] + taylor[1] x + ...`` all over
    [low, high]: Chebyshev economisation, in exact fractions.

    Why: a Taylor polynomial is exact at 0 and worst at the ends of the interval. Written in
    Chebyshev polynomials T_k (|T_k| <= 1 on the interval) the same series has coefficients
    that shrink fast, and dropping the terms above ``degree`` spreads the error evenly: the
    error is about the first dropped coefficient. So fewer terms reach the same accuracy
    (exp: 12 terms instead of 14; log: 8 instead of 11), which is fewer multiply-adds per number.
    """
    n = len(taylor)
    center, half = (low + high) / 2, (high - low) / 2
    centers = [center**j for j in range(n)]
    # The series in t = (x - center) / half, which runs over [-1, 1].
    t = [Fraction(0)] * n
    for j, c in enumerate(taylor):
        for i in range(j + 1):
            t[i] += c * math.comb(j, i) * centers[j - i]
    t = [c * half**i for i, c in enumerate(t)]
    # T_k as powers of t (T_0 = 1, T_1 = t, T_k = 2t T_(k-1) - T_(k-2)); from the top, take
    # each dropped T_k's share out of the series: what is left is the economised polynomial.
    chebyshev = [[1], [0, 1]]  # (integer coefficients)
    for k in range(2, n):
        chebyshev.append([2 * a - b for a, b in zip([0] + chebyshev[k - 1], chebyshev[k - 2] + [0, 0])])
    for k in range(n - 1, degree, -1):
        share = t[k] / chebyshev[k][k]
        for j in range(k % 2, k + 1, 2):  # T_k has only the powers of k's parity
            t[j] -= share * chebyshev[k][j]
    # Back from t to x.
    t = [c / half**j for j, c in enumerate(t[: degree + 1])]
    coefficients = [Fraction(0)] * (degree + 1)
    for j, c in enumerate(t):
        for i in range(j + 1):
            coefficients[i] += c * math.comb(j, i) * centers[j - i] * (-1) ** (j - i)
    return tuple(float(c) for c in coefficients)


LN2_HI, LN2_LO = _ln2_parts()
LOG2_E = 1.4426950408889634  # 1 / ln 2
SQRT_2 = 1.4142135623730951
SMALLEST_NORMAL = 2.2250738585072014e-308
# Adding then subtracting 1.5 * 2^52 rounds a float of magnitude below 2^51 to an integer
# (to nearest, ties to even), with no call and no branch.
ROUND = 6755399441055744.0
# e^r for |r| <= ln(2)/2 = 0.3466 (0.347 leaves room for rounding): the Taylor series 1/k!
# economised to degree 11. Its error, at most 1.3e-17 of e^r, is 0.1 ulp (Taylor needs degree 13).
EXP_TERMS = economise(
    [Fraction(1, math.factorial(k)) for k in range(16)], Fraction(-347, 1000), Fraction(347, 1000), 11
)
# log(1+f) = 2 atanh(s), s = f/(2+f), is 2s(1 + s^2/3 + s^4/5 + ...) = 2s(1 + z q(z)), z = s^2,
# q(z) = 1/3 + z/5 + z^2/7 + ...: with f in [sqrt(1/2) - 1, sqrt(2) - 1], z is at most
# (3 - 2 sqrt(2))^2 = 0.02944; q economised on [0, 0.0295] to degree 7 (Taylor needs 10).
LOG_TERMS = economise([Fraction(1, 2 * k + 1) for k in range(1, 12)], Fraction(0), Fraction(295, 10000), 7)
MANTISSA = (1 << 52) - 1
ONE_BITS = 1023 << 52  # the exponent field of 1.0


def pow2(n: int) -> float:
    """2^n for an integer -1022 <= n <= 1023, made from its bits."""
    return float_from_bits((n + 1023) << 52)


def polynomial(x: float, c: Tuple[float, ...]) -> float:
    """c[0] + c[1] x + ... + c[7] x^7 (``c``: 8 numbers), by Estrin's scheme: pairs (c0 + c1 x),
    (c2 + c3 x) ... joined with x^2, then with x^4.

    The same sum as Horner's c0 + x (c1 + x (c2 + ...)), as accurate here, but not one long
    chain in which each step waits for the one before: the steps of a level are independent,
    so the CPU overlaps them (in a vectorised loop Horner's chain made exp 1.4x slower).
    """
    fma = multiply_add
    x2 = x * x
    a0, a1, a2, a3 = fma(c[1], x, c[0]), fma(c[3], x, c[2]), fma(c[5], x, c[4]), fma(c[7], x, c[6])
    return fma(fma(a3, x2, a2), x2 * x2, fma(a1, x2, a0))


def polynomial_12(x: float, c: Tuple[float, ...]) -> float:
    """c[0] + c[1] x + ... + c[11] x^11: ``polynomial`` of the first 8, and the last 4 joined
    with x^8 (Estrin's scheme one level up)."""
    fma = multiply_add
    x2 = x * x
    x4 = x2 * x2
    high = fma(fma(c[11], x, c[10]), x2, fma(c[9], x, c[8]))
    return fma(high, x4 * x4, polynomial(x, c[:8]))


def exp(x: float) -> float:
    """e^x: inf above 709.78, 0 below -745.13 (gradually through the subnormals), nan for nan.

    x = k ln2 + r with k an integer and |r| <= ln(2)/2, so e^x = 2^k e^r: e^r from its Taylor
    polynomial, 2^k from its bits (in two factors, so that results that overflow or underflow
    do so in one rounding, as the true value would).
    """
    c = x if x < 710.0 else 710.0  # beyond these the result is inf or 0 anyway: keeps k small
    c = c if c > -746.0 else -746.0  # (nan becomes 710 here, and is given back at the end)
    shifted = multiply_add(c, LOG2_E, ROUND)
    k = shifted - ROUND
    r = multiply_add(-k, LN2_LO, multiply_add(-k, LN2_HI, c))  # c - k ln2 (k * LN2_HI is exact)
    p = polynomial_12(r, EXP_TERMS)
    n = bits_of_float(shifted) - bits_of_float(ROUND)  # k as an int: no float-to-int conversion
    half = n >> 1
    y = p * pow2(half) * pow2(n - half)
    return y if x == x else x


def log(x: float) -> float:
    """The natural logarithm: -inf at 0, nan below 0 and for nan, inf at inf.

    x = m 2^e with m in [sqrt(1/2), sqrt(2)), read from the bits (subnormals are first scaled
    by 2^54), so log x = e ln2 + log m; with f = m - 1 and s = f / (2 + f), log m = 2s(1 + s^2/3
    + s^4/5 + ...) = f - s (f - 2 s^2 q), written so that f, exact, carries most of the result
    (in fused multiply-adds: fewer instructions, fewer roundings).
    """
    subnormal = x < SMALLEST_NORMAL
    xs = x * 18014398509481984.0 if subnormal else x  # * 2^54
    bits = bits_of_float(xs)
    e = (bits >> 52) - 1023
    m = float_from_bits((bits & MANTISSA) | ONE_BITS)  # in [1, 2)
    big = m > SQRT_2
    m = m * 0.5 if big else m
    e = e + 1 if big else e
    e = e - 54 if subnormal else e
    f = m - 1.0
    s = np.true_divide(f, 2.0 + f)  # (f / (2 + f) would be checked for a zero divisor: no vector code)
    z = s * s
    q = polynomial(z, LOG_TERMS) * z  # z/3 + z^2/5 + ... (the series' 1 is the f below)
    k = float_from_bits(bits_of_float(ROUND) + e) - ROUND  # e as a float: no int-to-float conversion
    y = multiply_add(k, LN2_HI, multiply_add(k, LN2_LO, multiply_add(-s, multiply_add(-2.0, q, f), f)))
    y = y if x < math.inf else x  # inf stays inf, nan stays nan
    y = y if x > 0.0 else -math.inf  # log 0 = -inf ...
    return y if x >= 0.0 else math.nan  # ... and below 0 (or nan) nan
