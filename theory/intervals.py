r"""Exact rational interval arithmetic: certified comparisons of sums of square roots.

An :class:`Interval` is a closed interval :math:`[lo, hi]` with
:class:`fractions.Fraction` end points; +, -, *, / and :func:`isqrt_interval`
(square roots by :func:`math.isqrt`, :math:`2^{-\mathrm{bits}}` wide) enclose
the exact real result, so ``a.lo > b.hi`` *proves* :math:`a > b` -- rounding
cannot be the cause.  Rationals (int, Fraction) mix freely with intervals, so
an evaluator written once for numbers runs exactly here (``sqrt=isqrt_interval``)
and in mpmath (``sqrt=mpmath.sqrt``).
"""
from __future__ import annotations

import math
from fractions import Fraction
from numbers import Rational

__all__ = ["Interval", "as_interval", "certainly_greater", "isqrt_interval"]

BITS = 200


def _frac(x) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, Rational)):
        return Fraction(x)
    raise TypeError(f"exact intervals take int or Fraction, got {type(x).__name__}")


class Interval:
    """A closed interval [lo, hi] of rationals that contains an exact real value."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo, hi=None):
        lo = _frac(lo)
        hi = lo if hi is None else _frac(hi)
        if lo > hi:
            raise ValueError(f"Interval: lo > hi ({lo} > {hi})")
        self.lo, self.hi = lo, hi

    def __repr__(self) -> str:
        return f"Interval({float(self.lo)!r}, {float(self.hi)!r})"

    @property
    def width(self) -> Fraction:
        return self.hi - self.lo

    def __add__(self, other):
        o = as_interval(other)
        return Interval(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __neg__(self):
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other):
        return self + (-as_interval(other))

    def __rsub__(self, other):
        return as_interval(other) - self

    def __mul__(self, other):
        o = as_interval(other)
        ps = (self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi)
        return Interval(min(ps), max(ps))

    __rmul__ = __mul__

    def reciprocal(self):
        if self.lo <= 0 <= self.hi:
            raise ZeroDivisionError(f"division by an interval containing 0: {self!r}")
        return Interval(1 / self.hi, 1 / self.lo)

    def __truediv__(self, other):
        return self * as_interval(other).reciprocal()

    def __rtruediv__(self, other):
        return as_interval(other) * self.reciprocal()

    def __pow__(self, n: int):
        if not isinstance(n, int) or n < 0:
            raise ValueError("Interval powers must be non-negative integers")
        out = Interval(1)
        for _ in range(n):
            out = out * self
        return out

    def __abs__(self):
        if self.lo >= 0:
            return self
        if self.hi <= 0:
            return -self
        return Interval(0, max(-self.lo, self.hi))


def as_interval(x) -> Interval:
    return x if isinstance(x, Interval) else Interval(x)


def _isqrt_bounds(q: Fraction, bits: int) -> tuple[Fraction, Fraction]:
    rn, rd = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if rn * rn == q.numerator and rd * rd == q.denominator:     # a square of a rational
        return Fraction(rn, rd), Fraction(rn, rd)
    scale = 1 << bits
    num = q.numerator * scale * scale
    lo = math.isqrt(num // q.denominator)
    hi = lo if lo * lo * q.denominator == num else lo + 1
    return Fraction(lo, scale), Fraction(hi, scale)


def isqrt_interval(x, bits: int = BITS) -> Interval:
    """An interval enclosing sqrt(x) for x >= 0 (a number or an Interval)."""
    iv = as_interval(x)
    if iv.lo < 0:
        raise ValueError(f"sqrt of an interval reaching below 0: {iv!r}")
    lo, _ = _isqrt_bounds(iv.lo, bits)
    _, hi = _isqrt_bounds(iv.hi, bits)
    return Interval(lo, hi)


def certainly_greater(a, b) -> bool:
    """True only when a > b is proved by the enclosures (a.lo > b.hi)."""
    return as_interval(a).lo > as_interval(b).hi
