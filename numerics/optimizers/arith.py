r"""Arithmetic backends: one update rule, run in float64, in mpmath, in exact rationals or
in exact SymPy numbers.

An optimizer's ``_step`` is written once, against the small set of operations
below; the *backend* that carries them out is chosen from the parameters:

=============  ==============================================  ========================
backend        params                                          hyperparameters become
=============  ==============================================  ========================
``FLOAT``      NumPy float32/float64 arrays (the default)      floats / (R, 1) arrays
``MPMATH``     NumPy *object* arrays of ``mpmath.mpf``         ``mpf`` at the current
               (computed at the current ``mp.dps``)            precision
``FRACTION``   NumPy object arrays of ``fractions.Fraction``   exact ``Fraction``
``SYMPY``      NumPy object arrays of SymPy numbers            exact SymPy numbers
               (rationals and algebraic numbers)               (``sp.Rational``, ...)
=============  ==============================================  ========================

The float backend performs exactly the NumPy/``math`` operations the
optimizers always did (results are bit for bit unchanged).  The mpmath
backend evaluates the same expressions in ``mpf`` at the working precision
(wrap a replay in ``mpmath.workdps(50)``); ``FRACTION`` is exact and refuses a
square root that is not rational (TypeError), so it serves rules without one
(SGD, momentum) and the first steps of others on perfect squares.  ``SYMPY`` is exact
too and keeps square roots as SymPy algebraic numbers (``sympy.sqrt``), so a step-checked
proof can replay Adam exactly; it is meant for a few steps (SymPy's canonical form of the
square root of a rational with hundreds of digits costs seconds).  Its ``log0`` and
``neg_expm1`` are the exact expressions :math:`\log x` and :math:`1 - e^x` (what a scheduled
:math:`\beta_1` with ``beta1_correction="product"`` needs).  SymPy is imported on first use.

Operations (each also on per-run (R, 1) arrays):

* ``sqrt(x)``; ``scalar_sqrt(x)`` (of hyperparameters);
* ``maximum(a, b)``; ``where(c, a, b)``; ``positive(x)`` (:math:`x > 0`, a mask);
* ``safe_div(num, den)`` -- :math:`num/den` with :math:`0/0 := 0` (a zero-gradient
  history does not move with :math:`\epsilon = 0`); a nonzero number over 0 is
  :math:`\pm\infty` and the optimizer refuses the step;
* ``div_where(c, num, den)`` -- :math:`num/den` where ``c``, else 0;
* ``one_minus_power(beta, t)`` :math:`= 1-\beta^t`, computed as
  :math:`-\operatorname{expm1}(t\log\beta)` (Kingma & Ba §3's bias correction);
  ``log0(x)`` (:math:`\log x`, :math:`-\infty` at 0) and ``neg_expm1(x)``
  :math:`= 1 - e^x` for a running :math:`\sum_s\log\beta_{1,s}`;
* ``zeros_like(p)``, ``zeros(shape)``, ``full(shape, value)``, ``const(value)``
  (a hyperparameter converted *exactly*: a float is its binary value, a
  ``Fraction`` is rounded once to the working precision).

:func:`arith_of` picks the backend of an array or scalar; :func:`to_mpmath`,
:func:`to_fractions` and :func:`to_sympy` build high-precision / exact parameter arrays.
"""
from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Callable

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def elementwise(fn: Callable[[float], float], x):
    """Apply a scalar ``math`` function to a float or to each value of an array.

    Transcendental functions of hyperparameters go through ``math`` one
    distinct value at a time, so that a run inside a batch with per-run
    hyperparameters gets bit for bit the numbers it gets alone with scalars
    (NumPy's vectorised exp/log may round differently from ``math``'s).
    The result keeps the array's dtype.
    """
    if not isinstance(x, np.ndarray):
        return fn(x)
    values, inverse = np.unique(x, return_inverse=True)
    mapped = np.array([fn(float(v)) for v in values], dtype=np.float64)
    return mapped[inverse].reshape(x.shape).astype(x.dtype)


def _one_minus_power(beta: float, t: int) -> float:
    if beta == 0.0:
        return 1.0
    return -math.expm1(t * math.log(beta))


def _log0(x: float) -> float:
    return math.log(x) if x > 0 else -math.inf


def is_scalar_zero(x) -> bool:
    """True for a scalar (not per-run array) hyperparameter equal to 0."""
    return not isinstance(x, np.ndarray) and x == 0


class FloatArith:
    """NumPy float32/float64: the operations exactly as the optimizers always did them."""

    name = "float"

    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)
    where = staticmethod(np.where)

    @staticmethod
    def positive(x):
        return x > 0

    @staticmethod
    def safe_div(num, den):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.divide(num, den)
        return np.where((np.asarray(den) == 0) & (np.asarray(num) == 0), 0.0, out).astype(
            out.dtype, copy=False)

    @staticmethod
    def div_where(cond, num, den):
        return np.where(cond, num / den, np.zeros((), dtype=num.dtype))

    @staticmethod
    def one_minus_power(beta, t: int):
        return elementwise(lambda b: _one_minus_power(b, t), beta)

    @staticmethod
    def log0(x):
        return elementwise(_log0, x)

    @staticmethod
    def neg_expm1(x):
        return elementwise(lambda y: -math.expm1(y), x)

    @staticmethod
    def scalar_sqrt(x):
        # IEEE square roots are correctly rounded in NumPy as in math (and float64 -> float32
        # is innocent for sqrt), so the whole array at once gives the same bits
        return np.sqrt(x) if isinstance(x, np.ndarray) else math.sqrt(x)

    @staticmethod
    def zeros_like(p):
        return np.zeros_like(p)

    @staticmethod
    def zeros(shape, like):
        return np.zeros(shape, like.dtype)

    @staticmethod
    def full(shape, value, like):
        return np.broadcast_to(np.asarray(value, dtype=like.dtype), shape).copy()

    @staticmethod
    def const(value):
        return value

    @staticmethod
    def all_finite(x) -> bool:
        return bool(np.all(np.isfinite(x)))

    def __repr__(self) -> str:
        return "FLOAT"


class _ObjectArith:
    """Shared code of the object-array backends (elements of one scalar type)."""

    name = "object"
    scalar: type = object

    def _map(self, fn, *xs):
        if any(isinstance(x, np.ndarray) for x in xs):
            return np.frompyfunc(fn, len(xs), 1)(*xs).astype(object)
        return fn(*xs)

    def sqrt(self, x):
        return self._map(self._sqrt, x)

    scalar_sqrt = sqrt

    def maximum(self, a, b):
        return self._map(lambda x, y: x if x >= y else y, a, b)

    @staticmethod
    def where(c, a, b):
        return np.where(c, a, b)

    def positive(self, x):
        return self._map(lambda v: v > 0, x)

    def safe_div(self, num, den):
        return self._map(self._div, num, den)

    def div_where(self, cond, num, den):
        return self._map(lambda c, n, d: self._div(n, d) if c else self.const(0), cond, num, den)

    def _div(self, n, d):
        if d == 0:
            return self.const(0) if n == 0 else self._inf(n)
        return n / d

    def one_minus_power(self, beta, t: int):
        return self._map(lambda b: 1 - b ** t, beta)

    def zeros_like(self, p):
        return self.full(p.shape, 0, p)

    def zeros(self, shape, like):
        return self.full(shape, 0, like)

    def full(self, shape, value, like):
        out = np.empty(shape, dtype=object)
        out[...] = self.const(value)
        return out

    def all_finite(self, x) -> bool:
        return all(self._finite(v) for v in np.ravel(np.asarray(x, dtype=object)))

    def check_elements(self, arr: np.ndarray) -> bool:
        return all(isinstance(v, self.scalar) for v in arr.flat)

    def const(self, value):
        if isinstance(value, np.ndarray):
            out = np.empty(value.shape, dtype=object)
            for idx, v in np.ndenumerate(value):
                out[idx] = self._scalar(v)
            return out
        return self._scalar(value)


class MpmathArith(_ObjectArith):
    """``mpmath.mpf`` elements, computed at the current ``mpmath.mp.dps``."""

    name = "mpmath"

    def __init__(self):
        import mpmath
        self.mp = mpmath
        self.scalar = mpmath.mpf

    def _scalar(self, v):
        mp = self.mp
        if isinstance(v, mp.mpf):
            return +v                         # round to the working precision
        if isinstance(v, Fraction):
            return mp.mpf(v.numerator) / v.denominator
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.number)):
            raise TypeError(f"mpmath arithmetic: a value must be a real number (float, int, "
                            f"Fraction or mpf); got {type(v).__name__}")
        if isinstance(v, (numbers.Integral, np.integer)):
            return mp.mpf(int(v))
        return mp.mpf(float(v))              # exact: the binary value of the float

    def _sqrt(self, x):
        return self.mp.sqrt(x)

    def _inf(self, n):
        return self.mp.inf if n > 0 else -self.mp.inf

    def _finite(self, v) -> bool:
        return bool(self.mp.isfinite(v))

    def one_minus_power(self, beta, t: int):
        mp = self.mp
        return self._map(lambda b: mp.mpf(1) if b == 0 else -mp.expm1(t * mp.log(b)), beta)

    def log0(self, x):
        return self._map(lambda y: self.mp.log(y) if y > 0 else -self.mp.inf, x)

    def neg_expm1(self, x):
        return self._map(lambda y: -self.mp.expm1(y) if y != -self.mp.inf else self.mp.mpf(1),
                         x)

    def __repr__(self) -> str:
        return "MPMATH"


class FractionArith(_ObjectArith):
    """Exact rationals; a square root must be rational (else TypeError)."""

    name = "fraction"
    scalar = Fraction

    def _scalar(self, v):
        if isinstance(v, (bool, np.bool_)):
            raise TypeError("fraction arithmetic: a value must be a real number; got bool")
        if isinstance(v, (Fraction, numbers.Integral, np.integer)):
            return Fraction(int(v)) if not isinstance(v, Fraction) else v
        if isinstance(v, (float, np.floating)):
            return Fraction(float(v))         # exact binary value
        raise TypeError(f"fraction arithmetic: a value must be an int, float or Fraction; "
                        f"got {type(v).__name__}")

    def _sqrt(self, x):
        x = Fraction(x)
        if x >= 0:
            n, d = math.isqrt(x.numerator), math.isqrt(x.denominator)
            if n * n == x.numerator and d * d == x.denominator:
                return Fraction(n, d)
        raise TypeError(f"fraction arithmetic: sqrt({x}) is not rational; replay in mpmath "
                        f"(optimizers.arith.to_mpmath) instead")

    def _inf(self, n):
        raise ZeroDivisionError("fraction arithmetic: a nonzero number divided by 0")

    @staticmethod
    def _finite(v) -> bool:
        return True

    def log0(self, x):
        raise TypeError("fraction arithmetic: log is not rational (scheduled beta1 with "
                        "beta1_correction='product' needs mpmath)")

    neg_expm1 = log0

    def __repr__(self) -> str:
        return "FRACTION"


class SympyArith(_ObjectArith):
    """Exact SymPy numbers: rationals, and square roots kept as algebraic numbers."""

    name = "sympy"

    def __init__(self):
        import sympy
        self.sp = sympy
        self.scalar = sympy.Expr

    def _scalar(self, v):
        sp = self.sp
        if isinstance(v, sp.Basic):
            if not (isinstance(v, sp.Expr) and v.is_number and v.is_extended_real is not False):
                raise TypeError(f"sympy arithmetic: a value must be a real number; got {v!r}")
            return v
        if isinstance(v, (bool, np.bool_)):
            raise TypeError("sympy arithmetic: a value must be a real number; got bool")
        if isinstance(v, Fraction):
            return sp.Rational(v.numerator, v.denominator)
        if isinstance(v, (numbers.Integral, np.integer)):
            return sp.Integer(int(v))
        if isinstance(v, (float, np.floating)):
            if not math.isfinite(v):
                return sp.oo if v > 0 else (-sp.oo if v < 0 else sp.nan)
            return sp.Rational(float(v))     # exact: the binary value of the float
        if type(v).__module__.startswith("mpmath") and hasattr(v, "man_exp"):
            man, exp = v.man_exp             # exact: an mpf is man * 2**exp
            return sp.Integer(man) * sp.Integer(2) ** exp
        raise TypeError(f"sympy arithmetic: a value must be an int, float, Fraction or a "
                        f"SymPy number; got {type(v).__name__}")

    def check_elements(self, arr: np.ndarray) -> bool:
        return all(isinstance(v, self.sp.Expr) and v.is_number for v in arr.flat)

    def _sqrt(self, x):
        return self.sp.sqrt(x)

    def _inf(self, n):
        return self.sp.oo if n > 0 else -self.sp.oo

    @staticmethod
    def _finite(v) -> bool:
        return bool(v.is_finite)

    def log0(self, x):
        sp = self.sp
        return self._map(lambda y: sp.log(y) if y > 0 else -sp.oo, x)

    def neg_expm1(self, x):
        sp = self.sp
        return self._map(lambda y: sp.Integer(1) if y == -sp.oo else 1 - sp.exp(y), x)

    def __repr__(self) -> str:
        return "SYMPY"


FLOAT = FloatArith()
FRACTION = FractionArith()
_MPMATH: list[MpmathArith] = []
_SYMPY: list[SympyArith] = []


def mpmath_arith() -> MpmathArith:
    """The mpmath backend (mpmath is imported on first use)."""
    if not _MPMATH:
        _MPMATH.append(MpmathArith())
    return _MPMATH[0]


def sympy_arith() -> SympyArith:
    """The SymPy backend (SymPy is imported on first use)."""
    if not _SYMPY:
        _SYMPY.append(SympyArith())
    return _SYMPY[0]


def _of_scalar(v):
    if isinstance(v, Fraction):
        return FRACTION
    module = type(v).__module__
    if module.startswith("mpmath"):
        return mpmath_arith()
    if module.startswith("sympy"):
        return sympy_arith()
    return None


def arith_of(x):
    """The backend of an array (by dtype, or by its first element for object arrays) or scalar.

    Raises TypeError for an object array whose first element is neither ``mpf``,
    ``Fraction`` nor a SymPy number.
    """
    if isinstance(x, np.ndarray):
        if x.dtype.kind != "O":
            return FLOAT
        first = x.flat[0] if x.size else None
        found = _of_scalar(first)
        if found is None:
            raise TypeError(f"object arrays must hold mpmath.mpf, fractions.Fraction or SymPy "
                            f"values; got {type(first).__name__}")
        return found
    return _of_scalar(x) or FLOAT


def arith_of_values(*xs):
    """The first non-float backend among ``xs`` (FLOAT when all are floats)."""
    for x in xs:
        a = arith_of(x)
        if a is not FLOAT:
            return a
    return FLOAT


def for_dtype(dtype):
    """FLOAT for a float dtype; the mpmath backend for ``object``."""
    return mpmath_arith() if np.dtype(dtype).kind == "O" else FLOAT


def to_mpmath(x) -> np.ndarray:
    """``x`` (numbers, Fractions, floats, arrays) as an object array of ``mpf`` at the
    current precision -- each float converted exactly."""
    return mpmath_arith().const(np.asarray(x, dtype=object))


def to_fractions(x) -> np.ndarray:
    """``x`` as an object array of exact ``Fraction`` values (floats converted exactly)."""
    return FRACTION.const(np.asarray(x, dtype=object))


def to_sympy(x) -> np.ndarray:
    """``x`` as an object array of exact SymPy numbers (Fractions, ints and floats converted
    exactly to ``sympy.Rational``; SymPy numbers kept)."""
    return sympy_arith().const(np.asarray(x, dtype=object))


__all__ = ["FLOAT", "FLOAT_DTYPES", "FRACTION", "FloatArith", "FractionArith", "MpmathArith",
           "SympyArith", "arith_of", "arith_of_values", "elementwise", "for_dtype",
           "is_scalar_zero", "mpmath_arith", "sympy_arith", "to_fractions", "to_mpmath",
           "to_sympy"]
