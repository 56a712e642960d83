r"""Yogi's second-moment line: how far one step can move :math:`v_t`, proved by cases.

Zaheer, Reddi, Sachan, Kale & Kumar, "Adaptive Methods for Nonconvex Optimization",
NeurIPS 2018, Algorithm 2 (YOGI), the line
:math:`v_t = v_{t-1} - (1-\beta_2)\operatorname{sign}(v_{t-1} - g_t^2)\,g_t^2`
(transcribed as :data:`YOGI_V`, a printed rule; adamlab's optimizer is not used).

The statement: for :math:`0 \le \beta_2 < 1`, every real :math:`g_t` and
:math:`v_{t-1} \ge 0`,

(a) :math:`|v_t - v_{t-1}| = (1-\beta_2)g_t^2` where :math:`v_{t-1} \ne g_t^2` and
    :math:`0` where :math:`v_{t-1} = g_t^2` -- so :math:`|v_t - v_{t-1}| \le
    (1-\beta_2)g_t^2` whatever :math:`v_{t-1}` is (Adam's moves by
    :math:`(1-\beta_2)|g_t^2 - v_{t-1}|`);
(b) :math:`v_t \ge 0`.

The proof is SymPy's, one case per sign of :math:`v_{t-1} - g_t^2`, each written with
positive symbols so that :math:`\operatorname{sign}` evaluates:
:math:`v_{t-1} = g_t^2 + w` (:math:`w > 0`), :math:`g_t^2 = v_{t-1} + w` (:math:`w > 0`,
:math:`g_t = \sqrt{v_{t-1}+w}`), :math:`v_{t-1} = g_t^2`; and
:math:`\beta_2 = k/(1+k)` with :math:`k \ge 0`, which is exactly :math:`[0, 1)`.
:math:`v_t` is computed by stepping the rule (:meth:`Rule.advance`), and each relation
is decided by :func:`adamlab.proofs.methods.symbolic.prove` (a rewriting of the
difference whose sign SymPy's assumptions decide).  A case SymPy cannot decide leaves
the claim unproved, and a rational point of that case where the relation fails refutes
it.
"""
from __future__ import annotations

import sympy as sp

from ..methods.rules import G, Rule
from ..methods.symbolic import prove
from ..verdict import Verdict

v = sp.Symbol("v", real=True)
v0 = sp.Symbol("v_0", nonnegative=True)
beta2 = sp.Symbol("beta_2", nonnegative=True)

YOGI_V = Rule(
    "Yogi, Algorithm 2, the v_t line",
    "Zaheer, Reddi, Sachan, Kale & Kumar, NeurIPS 2018, Algorithm 2",
    ((v, v - (1 - beta2) * sp.sign(v - G**2) * G**2),), {v: v0}, v)

_k, _w = sp.Symbol("k", nonnegative=True), sp.Symbol("w", positive=True)
_y, _g = sp.Symbol("y", nonnegative=True), sp.Symbol("g", real=True)
_B2 = _k / (1 + _k)


def _cases():
    """(name, v_(t-1), g_t, |v_t - v_(t-1)| as claimed) for the three signs."""
    step = (1 - _B2) * _g**2
    return (("v_(t-1) > g_t^2", _g**2 + _w, _g, step),
            ("v_(t-1) < g_t^2", _y, sp.sqrt(_y + _w), (1 - _B2) * (_y + _w)),
            ("v_(t-1) = g_t^2", _g**2, _g, sp.Integer(0)))


def check_v_step(thorough: bool = False) -> Verdict:
    """Decide (a) and (b) of the module docstring for every case; proved when SymPy
    decides every relation."""
    rows, open_ = [], []
    for name, prev, g, size in _cases():
        new = YOGI_V.advance({v: prev}, g, 1)[v].xreplace({beta2: _B2})
        for what, delta, kind in (("|v_t - v_(t-1)| equals the claimed size",
                                   sp.Abs(new - prev) - size, "eq"),
                                  ("v_t >= 0", new, "ge")):
            done = prove(delta, kind)
            rows.append({"case": name, "relation": what, "v_t": str(new),
                         "delta": str(delta), "decided": done})
            if done is None:
                open_.append(f"{name}: {what}")
    ev = {"rule": YOGI_V.to_json(),
          "reading": "beta_2 in [0, 1) written k/(1+k), k >= 0; v_(t-1) >= 0, g_t real; the "
                     "three signs of v_(t-1) - g_t^2 with positive gap w",
          "derivation": rows}
    if open_:
        return Verdict("yogi.alg2.v-step", "pending",
                       f"SymPy did not decide {open_}", ev)
    return Verdict("yogi.alg2.v-step", "proved",
                   "symbolic, by cases: |v_t - v_(t-1)| = (1-b2) g_t^2 where v_(t-1) != g_t^2, "
                   "0 where equal; v_t >= 0 in every case (SymPy signs)", ev)


__all__ = ["YOGI_V", "check_v_step"]
