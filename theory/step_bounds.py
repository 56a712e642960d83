r"""The exact worst case of the effective step: Adam and AdaMax (public interface).

Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
arXiv:1412.6980v9, §2.1 (Adam) and §7.1 (AdaMax), with ``beta1``
:math:`=\beta_1`, ``beta2`` :math:`=\beta_2`, ``t`` the step, and
:math:`\epsilon = 0`.

:func:`adam_sup_ratio` -- :math:`\sup_{g\ne 0} |\Delta_t|/\alpha =
\sup_g |\hat m_t|/\sqrt{\hat v_t}` over all real gradient sequences
:math:`g_1, \dots, g_t`:

.. math::

    \sup_g \frac{|\hat m_t|}{\sqrt{\hat v_t}}
    = \frac{1-\beta_1}{1-\beta_1^t}\sqrt{\frac{1-\beta_2^t}{1-\beta_2}
      \sum_{k=0}^{t-1}\Bigl(\frac{\beta_1^2}{\beta_2}\Bigr)^k}
    \quad(\beta_2 > 0),
    \qquad
    \lim_{t\to\infty} = \frac{1-\beta_1}{\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}}
    \ \text{ if } \beta_1^2 < \beta_2, \ \text{else } \infty,

attained by :math:`g_i = (\beta_1/\beta_2)^{t-i}` (:func:`adam_maximizer`).
Derivation and checks: :mod:`adamlab.theory.adam_step` (Cauchy--Schwarz).

:func:`adamax_sup_ratio` -- AdaMax's :math:`\sup_g |\Delta_t|/\alpha`:

.. math::

    \sup_g \frac{|m_t|}{(1-\beta_1^t)\,u_t}
    = \frac{1-\beta_1}{1-\beta_1^t}\sum_{k=0}^{t-1}\Bigl(\frac{\beta_1}{\beta_2}\Bigr)^k
    \quad(\beta_2 > 0),
    \qquad \lim_{t\to\infty} = \frac{(1-\beta_1)\beta_2}{\beta_2-\beta_1}
    \ \text{ if } \beta_1 < \beta_2, \ \text{else } \infty,

attained by :math:`g_i = \beta_2^{-(t-i)}` (:func:`adamax_maximizer`);
:mod:`adamlab.theory.adamax_step`.

With :math:`\beta_2 = 0` both denominators are :math:`|g_t|`; the supremum
is then 1 if :math:`\beta_1 = 0` or t = 1 and :math:`\infty` otherwise
(:data:`~adamlab.theory.adam_step.ADAM_SUP_B2_ZERO`).  ``t = sympy.oo``
gives the limit :math:`t\to\infty`, which is also the supremum over all t
(gap identities in ``ADAM_SUP_LIMIT`` / ``ADAMAX_SUP_LIMIT``).

Exact inputs (int, :class:`fractions.Fraction`, SymPy Rational) give an exact
SymPy number (a square root of a rational -- unevaluated ``q**(1/2)`` when q is
too large to factor quickly --, a rational, or ``sympy.oo``); a
float input gives a Python float, evaluated at 30 digits by mpmath and rounded
once (so it is correctly rounded for the binary value of the input).  The
vectorized NumPy versions (``*_np``) and the mpmath ones are
:func:`sympy.lambdify` of the same SymPy expressions (never re-typed); the
NumPy ones lose a few ulps to cancellation in :math:`(1-\gamma^t)/(1-\gamma)`.
"""
from __future__ import annotations

import math
import numbers
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp

from . import adam_step, adamax_step, lemmas, scale_invariance
from .adam_step import ADAM_MAXIMIZER, ADAM_SUP, ADAM_SUP_INF, ADAM_SUP_SQ, ADAM_SUP_SQ_INF
from .adamax_step import ADAMAX_MAXIMIZER, ADAMAX_SUP, ADAMAX_SUP_FINITE_INF, ADAMAX_SUP_INF
from .symbols import beta1 as _b1, beta2 as _b2, i as _i, t as _t

RESULTS = adam_step.RESULTS + adamax_step.RESULTS + scale_invariance.RESULTS + lemmas.RESULTS

# NumPy versions, lambdified from the SymPy closed forms (beta2 > 0; vectorized)
_adam_np = sp.lambdify((_b1, _b2, _t), ADAM_SUP, modules="numpy")
_adam_inf_np = sp.lambdify((_b1, _b2), ADAM_SUP_INF, modules="numpy")
_adamax_np = sp.lambdify((_b1, _b2, _t), ADAMAX_SUP, modules="numpy")
_adamax_inf_np = sp.lambdify((_b1, _b2), ADAMAX_SUP_INF, modules="numpy")
_adam_mp = sp.lambdify((_b1, _b2, _t), ADAM_SUP, modules="mpmath")
_adam_inf_mp = sp.lambdify((_b1, _b2), ADAM_SUP_INF, modules="mpmath")
_adamax_mp = sp.lambdify((_b1, _b2, _t), ADAMAX_SUP, modules="mpmath")
_adamax_inf_mp = sp.lambdify((_b1, _b2), ADAMAX_SUP_INF, modules="mpmath")
# exact evaluators over fractions.Fraction (plain Python arithmetic, lambdified)
_adam_sq_frac = sp.lambdify((_b1, _b2, _t), ADAM_SUP_SQ, modules=[{}, "math"])
_adamax_frac = sp.lambdify((_b1, _b2, _t), ADAMAX_SUP, modules=[{}, "math"])
_adam_gstar_frac = sp.lambdify((_b1, _b2, _t, _i), ADAM_MAXIMIZER, modules=[{}, "math"])


def adam_sup_squared_fraction(b1, b2, t: int):
    """:data:`ADAM_SUP_SQ` at Fractions ``b1, b2`` and an int ``t``, in exact Fraction
    arithmetic through the lambdified closed form (fast, no validation: for inner loops
    that have validated their inputs)."""
    return _adam_sq_frac(b1, b2, t)
_adamax_gstar_frac = sp.lambdify((_b2, _t, _i), ADAMAX_MAXIMIZER, modules=[{}, "math"])
_adam_gstar_np = sp.lambdify((_b1, _b2, _t, _i), ADAM_MAXIMIZER, modules="numpy")
_adamax_gstar_np = sp.lambdify((_b2, _t, _i), ADAMAX_MAXIMIZER, modules="numpy")


def adam_sup_ratio_np(beta1, beta2, t):
    r"""NumPy :math:`\sup_g|\hat m_t|/\sqrt{\hat v_t}` for arrays (``beta2 > 0``, finite t),
    lambdified from :data:`~adamlab.theory.adam_step.ADAM_SUP`."""
    with np.errstate(all="ignore"):
        return _adam_np(np.asarray(beta1, float), np.asarray(beta2, float), np.asarray(t))


def adam_sup_ratio_inf_np(beta1, beta2):
    r"""NumPy :math:`\lim_{t\to\infty}` of :func:`adam_sup_ratio_np` (inf where
    :math:`\beta_1^2 \ge \beta_2`)."""
    with np.errstate(all="ignore"):
        return _adam_inf_np(np.asarray(beta1, float), np.asarray(beta2, float))


def adamax_sup_ratio_np(beta1, beta2, t):
    r"""NumPy AdaMax :math:`\sup_g|\Delta_t|/\alpha` (``beta2 > 0``, finite t)."""
    with np.errstate(all="ignore"):
        return _adamax_np(np.asarray(beta1, float), np.asarray(beta2, float), np.asarray(t))


def adamax_sup_ratio_inf_np(beta1, beta2):
    r"""NumPy :math:`\lim_{t\to\infty}` of :func:`adamax_sup_ratio_np` (inf where
    :math:`\beta_1 \ge \beta_2`)."""
    with np.errstate(all="ignore"):
        return _adamax_inf_np(np.asarray(beta1, float), np.asarray(beta2, float))


# ---- validation -------------------------------------------------------------
def _beta(name: str, value):
    """Return (value, exact) for a beta in [0, 1); raise TypeError/ValueError naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, sp.Number)):
        raise TypeError(f"{name} must be a real number in [0, 1) (int, float, Fraction or "
                        f"SymPy Rational); got {value!r} of type {type(value).__name__}")
    if isinstance(value, sp.Rational):
        exact, v = True, value
    elif isinstance(value, (int, np.integer)):
        exact, v = True, sp.Integer(int(value))
    elif isinstance(value, Fraction):
        exact, v = True, sp.Rational(value.numerator, value.denominator)
    elif isinstance(value, sp.Number) and not value.is_real:
        raise TypeError(f"{name} must be a real number in [0, 1); got {value!r}")
    else:
        exact, v = False, float(value)
        if math.isnan(v):
            raise ValueError(f"{name} must be a number in [0, 1); got nan")
    if not (0 <= v < 1):
        raise ValueError(f"{name} must be in [0, 1); got {value!r}")
    return v, exact


def _steps(t):
    """Return t as an int >= 1 or sympy.oo; raise TypeError/ValueError naming t."""
    if isinstance(t, (bool, np.bool_)):
        raise TypeError(f"t must be an int >= 1 or sympy.oo; got {t!r} of type bool")
    if t is sp.oo or (isinstance(t, float) and t == math.inf):
        return sp.oo
    if isinstance(t, (int, np.integer, sp.Integer)):
        if int(t) < 1:
            raise ValueError(f"t must be an int >= 1 or sympy.oo; got {t!r}")
        return int(t)
    if t in (-sp.oo, -math.inf):
        raise ValueError(f"t must be an int >= 1 or sympy.oo; got {t!r}")
    raise TypeError(f"t must be an int >= 1 or sympy.oo; got {t!r} of type {type(t).__name__}")


def _beta2_zero(b1, T, exact):
    """beta2 = 0: the denominators are |g_t|; sup = 1 if beta1 = 0 or t = 1, else oo."""
    one = b1 == 0 or T == 1
    if exact:
        return sp.Integer(1) if one else sp.oo
    return 1.0 if one else math.inf


def _frac(x) -> Fraction:
    return Fraction(int(x.p), int(x.q))


def _to_rational(x) -> sp.Rational:
    x = Fraction(x)
    return sp.Rational(x.numerator, x.denominator)


def adam_sup_squared(beta1, beta2, t) -> sp.Rational:
    r"""The exact :math:`\sup_g \hat m_t^2/\hat v_t` (a Rational) for exact betas in [0, 1)
    with ``beta2 > 0`` and finite t: the square of :func:`adam_sup_ratio`, evaluated
    in :class:`fractions.Fraction` arithmetic (fast for t in the thousands)."""
    b1, e1 = _beta("beta1", beta1)
    b2, e2 = _beta("beta2", beta2)
    T = _finite_t(t)
    if not (e1 and e2) or b2 == 0:
        raise ValueError("adam_sup_squared needs exact betas (int/Fraction/Rational) and "
                         f"beta2 > 0; got beta1={beta1!r}, beta2={beta2!r}")
    return _to_rational(_adam_sq_frac(_frac(b1), _frac(b2), T))


def _exact_sqrt(q: sp.Rational) -> sp.Expr:
    """sqrt(q) as an exact SymPy number without factoring large integers: SymPy's own
    canonical form for small q; a Rational for perfect squares; else the unevaluated
    power q**(1/2) (still exact: squaring it gives q back)."""
    q = sp.Rational(q)
    if max(abs(int(q.p)), int(q.q)).bit_length() <= 64:
        return sp.sqrt(q)
    rp, ep = sp.integer_nthroot(int(q.p), 2)
    rq, eq = sp.integer_nthroot(int(q.q), 2)
    if ep and eq:
        return sp.Rational(rp, rq)
    return sp.Pow(q, sp.S.Half, evaluate=False)


def _float_eval(fn, fn_inf, b1, b2, T) -> float:
    """Evaluate an mpmath-lambdified closed form at 30 digits; round once to float."""
    with mp.workdps(30):
        a, b = mp.mpf(float(b1)), mp.mpf(float(b2))
        return float(fn_inf(a, b) if T is sp.oo else fn(a, b, T))


# ---- the public interface -----------------------------------------------------
def adam_sup_ratio(beta1, beta2, t):
    r"""The exact :math:`\sup_g |\Delta_t|/\alpha = \sup_g |\hat m_t|/\sqrt{\hat v_t}`
    of Adam (Kingma & Ba §2.1, :math:`\epsilon = 0`).

    ``beta1``, ``beta2`` in [0, 1); ``t`` an int >= 1 or ``sympy.oo`` (the limit,
    which is the supremum over all t).  Exact inputs give an exact SymPy number
    (possibly ``sympy.oo``), float inputs a float.  See the module docstring for
    the closed form and :data:`~adamlab.theory.adam_step.ADAM_SUP_RESULT` for its
    derivation and check.

    >>> from sympy import Rational, oo
    >>> adam_sup_ratio(Rational(9, 10), Rational(999, 1000), 1)
    1
    >>> adam_sup_ratio(0.9, 0.999, oo) > 7
    True
    """
    b1, e1 = _beta("beta1", beta1)
    b2, e2 = _beta("beta2", beta2)
    T = _steps(t)
    exact = e1 and e2
    if b2 == 0:
        return _beta2_zero(b1, T, exact)
    if exact:
        if T is sp.oo:
            if b1**2 >= b2:
                return sp.oo
            return _exact_sqrt(ADAM_SUP_SQ_INF.subs({_b1: b1, _b2: b2}))
        return _exact_sqrt(_to_rational(_adam_sq_frac(_frac(b1), _frac(b2), T)))
    return _float_eval(_adam_mp, _adam_inf_mp, b1, b2, T)


def adamax_sup_ratio(beta1, beta2, t):
    r"""The exact :math:`\sup_g |\Delta_t|/\alpha` of AdaMax (Kingma & Ba §7.1,
    Algorithm 2): :math:`\sup_g |m_t|/((1-\beta_1^t)u_t)`.

    Arguments and return types as :func:`adam_sup_ratio`.

    >>> from sympy import Rational
    >>> adamax_sup_ratio(Rational(9, 10), Rational(999, 1000), 2)
    2110/2109
    """
    b1, e1 = _beta("beta1", beta1)
    b2, e2 = _beta("beta2", beta2)
    T = _steps(t)
    exact = e1 and e2
    if b2 == 0:
        return _beta2_zero(b1, T, exact)
    if exact:
        if T is sp.oo:
            return sp.oo if b1 >= b2 else sp.Rational(ADAMAX_SUP_FINITE_INF.subs(
                {_b1: b1, _b2: b2}))
        return _to_rational(_adamax_frac(_frac(b1), _frac(b2), T))
    return _float_eval(_adamax_mp, _adamax_inf_mp, b1, b2, T)


def _finite_t(t):
    T = _steps(t)
    if T is sp.oo:
        raise ValueError("t must be a finite int >= 1 for a maximizing sequence; got oo")
    return T


def adam_maximizer(beta1, beta2, t) -> list:
    r"""The gradient sequence :math:`g_i = (\beta_1/\beta_2)^{t-i}`, i = 1..t, at which
    :math:`|\hat m_t|/\sqrt{\hat v_t}` equals :func:`adam_sup_ratio` (normalized to
    :math:`g_t = 1`; every positive multiple works too).

    Exact (SymPy Rationals) for exact inputs, floats otherwise.  ValueError when
    ``beta2 = 0 < beta1`` and t >= 2: the supremum (infinite) is not attained.
    """
    b1, e1 = _beta("beta1", beta1)
    b2, e2 = _beta("beta2", beta2)
    T = _finite_t(t)
    if b2 == 0:
        if b1 != 0 and T > 1:
            raise ValueError("beta2 = 0 < beta1, t >= 2: the supremum is infinite and not "
                             "attained by any gradient sequence")
        return [sp.Integer(0) if e1 and e2 else 0.0] * (T - 1) + [
            sp.Integer(1) if e1 and e2 else 1.0]
    if e1 and e2:
        return [_to_rational(_adam_gstar_frac(_frac(b1), _frac(b2), T, ii))
                for ii in range(1, T + 1)]
    return [float(_adam_gstar_np(float(b1), float(b2), T, ii)) for ii in range(1, T + 1)]


def adamax_maximizer(beta1, beta2, t) -> list:
    r"""The gradient sequence :math:`g_i = \beta_2^{-(t-i)}`, i = 1..t, at which AdaMax's
    :math:`|\Delta_t|/\alpha` equals :func:`adamax_sup_ratio` (then :math:`u_t = 1`).

    ``beta1`` is validated but does not enter; ValueError when ``beta2 = 0 < beta1``
    and t >= 2 (not attained).
    """
    b1, e1 = _beta("beta1", beta1)
    b2, e2 = _beta("beta2", beta2)
    T = _finite_t(t)
    if b2 == 0:
        if b1 != 0 and T > 1:
            raise ValueError("beta2 = 0 < beta1, t >= 2: the supremum is infinite and not "
                             "attained by any gradient sequence")
        return [sp.Integer(0) if e1 and e2 else 0.0] * (T - 1) + [
            sp.Integer(1) if e1 and e2 else 1.0]
    if e1 and e2:
        return [_to_rational(_adamax_gstar_frac(_frac(b2), T, ii)) for ii in range(1, T + 1)]
    return [float(_adamax_gstar_np(float(b2), T, ii)) for ii in range(1, T + 1)]


__all__ = ["RESULTS", "adam_maximizer", "adam_sup_ratio", "adam_sup_squared",
           "adam_sup_ratio_inf_np",
           "adam_sup_ratio_np", "adamax_maximizer", "adamax_sup_ratio",
           "adamax_sup_ratio_inf_np", "adamax_sup_ratio_np"]
