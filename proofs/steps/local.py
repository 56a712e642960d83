r"""Local checks shared by the proofs of :mod:`adamlab.proofs.steps.kb` and
:mod:`adamlab.proofs.steps.rkk`: each returns an :class:`~adamlab.proofs.steps.proof.Outcome`
computed now (SymPy simplification, a Result's derivation, exact arithmetic).

* :func:`convexity` -- the first-order condition of convexity,
  :math:`f(y)\ge f(x)+f'(x)(y-x)`, from Taylor's formula with integral remainder
  :math:`f(y)-f(x)-f'(x)(y-x)=\int_x^y f''(s)(y-s)\,ds`, checked by SymPy for an
  undefined twice-differentiable f (value 0 at y = x, y-derivative 0).
* :func:`young` -- :math:`-xm \le \frac12\bigl(x^2\frac{s}{a}+m^2\frac{a}{s}\bigr)`
  (s, a > 0), as the SymPy identity with a square.
* :func:`result` -- a :class:`~adamlab.theory.results.Result` of the theory, re-checked.
* :func:`certify_gt` -- decide :math:`a > b` for exact SymPy numbers (algebraic: rationals
  and square roots) at 60 digits, refusing to decide when the gap is below :math:`10^{-45}`.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from .proof import Outcome

DIGITS = 60


def q(x) -> str:
    """An exact rational as 'p/q' (ints as 'n')."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def dec(x, n: int = 30) -> str:
    """An exact SymPy number as a decimal string with n significant digits."""
    return str(sp.N(sp.sympify(x), n))


def _certainly_gt(a, b) -> bool:
    return certify_gt(a, b) is True


def certify_gt(a, b) -> bool | None:
    """True/False when a > b / a < b is certain at :data:`DIGITS` digits, None when too close."""
    diff = sp.N(sp.sympify(a) - sp.sympify(b), DIGITS)
    scale = max(abs(sp.N(sp.sympify(a), DIGITS)), abs(sp.N(sp.sympify(b), DIGITS)), 1)
    if abs(diff) <= sp.Float(10, DIGITS) ** -45 * scale:
        return None
    return bool(diff > 0)


def moving_away(rows) -> str:
    """The rounds t whose right side (a positive factor times X_t) is certainly < 0: X_t < 0."""
    return ", ".join(str(rw["t"]) for rw in rows if _certainly_gt(0, rw["rhs"])) or "none"


def identity(expr, what: str) -> Outcome:
    """``proved`` if SymPy simplifies ``expr`` to 0, else ``unproved`` (with the residual)."""
    res = sp.simplify(expr)
    if res == 0:
        return Outcome("proved", f"SymPy: {what}; residual simplifies to 0")
    return Outcome("unproved", f"SymPy could not reduce {what} to 0; residual {res}")


def convexity(thorough: bool = False) -> Outcome:
    x, y, s = sp.symbols("x y s", real=True)
    f = sp.Function("f")
    gap = (f(y) - f(x) - sp.diff(f(x), x) * (y - x)
           - sp.Integral(sp.diff(f(s), s, 2) * (y - s), (s, x, y)))
    at_x = sp.simplify(gap.subs(y, x).doit())
    slope = sp.simplify(sp.diff(gap, y).doit())
    if at_x == 0 and slope == 0:
        return Outcome("proved", "SymPy, for an undefined twice-differentiable f: F(y) = f(y) - "
                                 "f(x) - f'(x)(y-x) - int_x^y f''(s)(y-s) ds has F(x) = 0 and "
                                 "dF/dy = 0, so F = 0; the integrand f''(s)(y-s) has the sign "
                                 "of y-x wherever f'' >= 0 (convexity), so the integral is >= 0")
    return Outcome("unproved", f"SymPy left F(x) = {at_x}, dF/dy = {slope}")


def young(thorough: bool = False) -> Outcome:
    xx, m = sp.symbols("x m", real=True)
    s, a = sp.symbols("s a", positive=True)
    expr = (xx**2 * s / a + m**2 * a / s) / 2 + xx * m \
        - (xx * sp.sqrt(s / a) + m * sp.sqrt(a / s)) ** 2 / 2
    return identity(expr, "(x^2 s/a + m^2 a/s)/2 - (-x m) = (x sqrt(s/a) + m sqrt(a/s))^2/2 "
                          "(so the left side is >= 0)")


def result(res, note: str = "") -> Outcome:
    """Re-check a theory Result: ``proved`` if its derivation and grids pass."""
    rep = res.check()
    return Outcome("proved" if rep.ok else "unproved",
                   f"the theory's Result {rep.summary()}" + (f"; {note}" if note else ""))


def witness(instance: dict[str, Any], T: int, lhs, rhs, note: str, rerun: str) -> dict:
    """A JSON-able witness: exact inputs ('p/q'), the horizon T, both sides to 30 digits."""
    def conv(v):
        if isinstance(v, (list, tuple)):
            return [conv(u) for u in v]
        return v if isinstance(v, (int, str)) and not isinstance(v, bool) else q(v)
    return {"instance": {k: conv(v) for k, v in instance.items()}, "T": T,
            "lhs": dec(lhs), "rhs": dec(rhs), "note": note, "rerun": rerun}


__all__ = ["DIGITS", "certify_gt", "convexity", "dec", "identity", "moving_away", "q", "result",
           "witness",
           "young"]
