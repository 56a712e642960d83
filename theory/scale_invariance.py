r"""Scale invariance of the effective step (Kingma & Ba §2.1), and where it stops.

Kingma & Ba, arXiv:1412.6980v9, §2.1: "the effective stepsize is ... invariant
to the scale of the gradients; rescaling the gradients g with factor c scales
:math:`\hat m_t` with a factor c and :math:`\hat v_t` with a factor
:math:`c^2`, which cancel out".  With ``c`` :math:`= c > 0` and
:math:`\epsilon = 0`:

.. math::

    (m_t, v_t)(c\,g) = (c\,m_t, c^2 v_t)(g) \quad\text{(induction in t)},\qquad
    \Delta_t(c\,g) = \alpha\frac{c\,\hat m_t}{\sqrt{c^2\hat v_t}} = \Delta_t(g),

and for AdaMax :math:`u_t(c\,g) = c\,u_t(g)`.  With :math:`\epsilon > 0`,
:math:`\Delta_t(cg) - \Delta_t(g) = \alpha\hat m_t\epsilon(c-1)/
((c\sqrt{\hat v_t}+\epsilon)(\sqrt{\hat v_t}+\epsilon))`, nonzero for
:math:`c \ne 1`, :math:`\hat m_t \ne 0`: the hypothesis :math:`\epsilon = 0`
is needed.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from . import recursions as rec
from .results import GridCheck, Result, Step, induction, mpf
from .symbols import alpha, beta1, beta2, c, eps

_m, _gg = sp.symbols("m g", real=True)
_v, _u = sp.symbols("v u", positive=True)
_C1, _C2 = sp.symbols("c1 c2", positive=True)  # 1 - beta1^t, 1 - beta2^t


def _delta(m, v, e=0):
    return alpha * (m / _C1) / (sp.sqrt(v / _C2) + e)


def _state_step():
    res_m = (beta1 * (c * _m) + (1 - beta1) * (c * _gg)) - c * (beta1 * _m + (1 - beta1) * _gg)
    res_v = (beta2 * (c**2 * _v) + (1 - beta2) * (c * _gg) ** 2) - c**2 * (
        beta2 * _v + (1 - beta2) * _gg**2)
    return sp.Abs(sp.expand(res_m)) + sp.Abs(sp.expand(res_v))


def _adamax_u_step():
    lhs = sp.Max(beta2 * c * _u, sp.Abs(c * _gg)).rewrite(sp.Abs)
    rhs = (c * sp.Max(beta2 * _u, sp.Abs(_gg))).rewrite(sp.Abs)
    return sp.simplify(lhs - rhs)


def _eps_gap():
    d = _delta(c * _m, c**2 * _v, eps) - _delta(_m, _v, eps)
    vh = _v / _C2
    claimed = alpha * (_m / _C1) * eps * (c - 1) / ((c * sp.sqrt(vh) + eps) * (sp.sqrt(vh) + eps))
    return sp.simplify(d - claimed)


_GRID = tuple({"beta1": sp.Rational(b1), "beta2": sp.Rational(b2), "t": T, "c": sp.Rational(cc)}
              for b1, b2 in (("9/10", "999/1000"), ("1/2", "1/3"), ("0", "99/100"))
              for T in (1, 3, 12) for cc in ("1/1000", "7/3", "1000000"))


def _grid_adam(pt):
    b1, b2, T, cc = mpf(pt["beta1"]), mpf(pt["beta2"]), pt["t"], mpf(pt["c"])
    gs = [mpf(v) for v in rec.random_rationals(T, seed=T + 3)]
    _, _, mh, vh = rec.adam_moments(b1, b2, gs)
    _, _, mh_c, vh_c = rec.adam_moments(b1, b2, [cc * x for x in gs])
    return mh_c / mp.sqrt(vh_c), mh / mp.sqrt(vh)


def _grid_adamax(pt):
    b1, b2, T, cc = mpf(pt["beta1"]), mpf(pt["beta2"]), pt["t"], mpf(pt["c"])
    gs = [mpf(v) for v in rec.random_rationals(T, seed=T + 4)]
    return rec.adamax_ratio(b1, b2, [cc * x for x in gs]), rec.adamax_ratio(b1, b2, gs)


SCALE_INVARIANCE = Result(
    name="scale_invariance",
    statement=(sp.Eq(sp.Function("Delta_t")(c * sp.Symbol("g_{1:t}")),
                     sp.Function("Delta_t")(sp.Symbol("g_{1:t}"))),
               sp.Eq(sp.Max(beta2 * c * _u, sp.Abs(c * _gg)),
                     c * sp.Max(beta2 * _u, sp.Abs(_gg)), evaluate=False)),
    hypotheses=(sp.Gt(c, 0, evaluate=False), sp.Eq(eps, 0, evaluate=False)),
    source="Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, §2.1 (and §7.1 for AdaMax)",
    steps=induction("(m_t, v_t)(c g) = (c m_t, c^2 v_t)(g)",
                    base=lambda: sp.Abs(c * 0 - 0) + sp.Abs(c**2 * 0 - 0),
                    step=_state_step)
    + (Step("Delta_t(c g) = Delta_t(g) for c > 0, eps = 0 (sqrt(c^2 vhat) = c sqrt(vhat))",
            lambda: _delta(c * _m, c**2 * _v) - _delta(_m, _v)),
       Step("AdaMax: u_t(c g) = c u_t(g) (induction step; u_0 = 0), so m_t/u_t is invariant",
            _adamax_u_step),
       Step("with eps > 0: Delta_t(cg) - Delta_t(g) = alpha mhat eps (c-1)/((c sqrt(vhat)+eps)"
            "(sqrt(vhat)+eps)), nonzero for c != 1: eps = 0 is needed", _eps_gap)),
    grid=(GridCheck("Algorithm 1: mhat/sqrt(vhat) of c*g equals that of g", _GRID, _grid_adam),
          GridCheck("Algorithm 2: |m_t|/((1-beta1^t) u_t) of c*g equals that of g", _GRID,
                    _grid_adamax)),
)

RESULTS = (SCALE_INVARIANCE,)

__all__ = ["RESULTS", "SCALE_INVARIANCE"]
