r"""The definitions, run exactly: the recursions of Algorithm 1 and 2 as printed.

These are the *definitions* the closed forms are checked against (never a
second copy of a closed form).  They run in whatever number type they are
given -- :class:`fractions.Fraction` or SymPy Rationals for exact arithmetic,
``mpmath.mpf`` for 50-digit checks -- and use only +, -, *, / and
comparisons.  Kingma & Ba, arXiv:1412.6980v9:

Algorithm 1 (Adam), with :math:`m_0 = v_0 = 0`:

.. math::

    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
    \hat m_t = \frac{m_t}{1-\beta_1^t},\quad \hat v_t = \frac{v_t}{1-\beta_2^t}.

Algorithm 2 (AdaMax, §7.1), with :math:`u_0 = 0`:
:math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)` and
:math:`\Delta_t/\alpha = m_t / ((1-\beta_1^t) u_t)`.

§7.2 (temporal averaging): :math:`\bar\theta_t = \beta_2\bar\theta_{t-1} +
(1-\beta_2)\theta_t`, :math:`\bar\theta_0 = 0`, corrected by
:math:`1-\beta_2^t`.
"""
from __future__ import annotations

import random
from fractions import Fraction
from typing import Any, Sequence

__all__ = ["adam_moments", "adam_ratio_squared", "adamax_ratio", "ema", "ema_varying",
           "random_rationals"]


def _pow(b, t: int):
    out = b * 0 + 1
    for _ in range(t):
        out = out * b
    return out


def ema(beta, xs: Sequence) -> list:
    r"""The EMA recursion :math:`e_t = \beta e_{t-1} + (1-\beta) x_t`, :math:`e_0 = 0`;
    returns :math:`[e_1, \dots, e_T]`."""
    out, e = [], beta * 0
    for x in xs:
        e = beta * e + (1 - beta) * x
        out.append(e)
    return out


def ema_varying(betas: Sequence, xs: Sequence) -> list:
    r""":math:`e_t = \beta_t e_{t-1} + (1-\beta_t) x_t`, :math:`e_0 = 0` (a time-varying beta)."""
    out, e = [], xs[0] * 0
    for b, x in zip(betas, xs):
        e = b * e + (1 - b) * x
        out.append(e)
    return out


def adam_moments(beta1, beta2, grads: Sequence) -> tuple[Any, Any, Any, Any]:
    r"""Return :math:`(m_T, v_T, \hat m_T, \hat v_T)` after the gradients ``grads``.

    :math:`0^0 = 1`: with :math:`\beta_2 = 0`, :math:`1-\beta_2^t = 1`.
    """
    T = len(grads)
    m = ema(beta1, grads)[-1]
    v = ema(beta2, [x * x for x in grads])[-1]
    return m, v, m / (1 - _pow(beta1, T)), v / (1 - _pow(beta2, T))


def adam_ratio_squared(beta1, beta2, grads: Sequence):
    r""":math:`\hat m_T^2/\hat v_T = (\Delta_T/\alpha)^2` at :math:`\epsilon = 0`
    (exact for exact inputs; ValueError if :math:`\hat v_T = 0`)."""
    _, _, mh, vh = adam_moments(beta1, beta2, grads)
    if vh == 0:
        raise ValueError("vhat_T = 0: the ratio is undefined (all gradients zero)")
    return mh * mh / vh


def adamax_ratio(beta1, beta2, grads: Sequence):
    r""":math:`|\Delta_T|/\alpha = |m_T| / ((1-\beta_1^T) u_T)` by Algorithm 2."""
    T = len(grads)
    m = ema(beta1, grads)[-1]
    u = beta2 * 0
    for x in grads:
        u = max(beta2 * u, abs(x))
    if u == 0:
        raise ValueError("u_T = 0: the ratio is undefined")
    return abs(m) / ((1 - _pow(beta1, T)) * u)


def random_rationals(n: int, seed: int, *, lo: int = -9, hi: int = 9,
                     den: int = 7, nonzero: bool = True) -> list[Fraction]:
    """n deterministic pseudo-random rationals a/b, a in [lo, hi], b in [1, den]."""
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        x = Fraction(rng.randint(lo, hi), rng.randint(1, den))
        if x != 0 or not nonzero:
            out.append(x)
    return out
