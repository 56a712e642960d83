r"""Ledger check ``rkk.gamma-psd``: Reddi, Kale & Kumar, ICLR 2018, §3, eq. (2).

.. math:: \Gamma_{t+1} = \frac{\sqrt{V_{t+1}}}{\alpha_{t+1}} - \frac{\sqrt{V_t}}{\alpha_t},
          \qquad \alpha_t = \alpha/\sqrt t,\ V_t \text{ diagonal},

so :math:`\Gamma_{t+1}` is PSD iff every coordinate
:math:`\sqrt{(t+1)V_{t+1,i}} - \sqrt{tV_{t,i}} \ge 0`.  Readings (Reddi et al.'s
§2 framework): SGD :math:`V_t = I`; AdaGrad :math:`V_t = \operatorname{diag}
(\sum_{s\le t} g_s^2)/t`; AMSGrad :math:`\hat v_{t+1} = \max(\hat v_t, v_{t+1})`;
Adam and RMSProp :math:`V_t = \operatorname{diag}(v_t)`,
:math:`v_t = \beta_2v_{t-1} + (1-\beta_2)g_t^2` (no bias correction, Reddi et
al.'s Adam; RMSProp is its :math:`\beta_1 = 0` case, and :math:`\beta_1` does
not enter :math:`\Gamma`).

The PSD parts are proved by SymPy: each coordinate of :math:`\alpha\Gamma_{t+1}` is
rewritten as a sum of products of factors SymPy's assumptions show nonnegative,
and the rewriting is checked to simplify to zero difference.  The
indefiniteness part is an existence claim, proved by an exact witness:
:func:`certify` decides the sign of each coordinate from the rationals
:math:`(t+1)v_{t+1,i} - tv_{t,i}` (same sign as :math:`\Gamma_{t+1,i}`).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from ..verdict import Verdict, digits

RERUN = "adamlab.proofs.checks.gamma_psd.certify(evidence['witness'])"
_t = sp.Symbol("t", positive=True)
_S = sp.Symbol("S", positive=True)   # sum of squared gradients so far / vhat_t (S = 0: below)
_g = sp.Symbol("g", real=True)
_dl = sp.Symbol("delta", nonnegative=True)   # vhat_{t+1} - vhat_t >= 0 (the max)


def _psd(name: str, gamma: sp.Expr, parts: list[sp.Expr]) -> dict[str, Any]:
    """gamma == sum(parts) symbolically and every part is a product of nonnegative factors."""
    diff = sp.simplify(sp.radsimp(gamma - sp.Add(*parts)))
    signs = [bool(p.is_nonnegative) or all(f.is_nonnegative for f in sp.Mul.make_args(p))
             for p in parts]
    return {"optimizer": name, "alpha*Gamma_{t+1,i}": str(gamma),
            "rewritten_as": [str(p) for p in parts], "difference_simplifies_to": str(diff),
            "factors_nonnegative": signs, "ok": bool(diff == 0 and all(signs)),
            "degenerate_case": "S = 0 (no gradient yet / vhat_t = 0): the t-term vanishes and "
                               "alpha*Gamma = sqrt(t+1) sqrt(V_{t+1}) >= 0 directly"}


def derivations() -> list[dict[str, Any]]:
    sq = sp.sqrt
    r = sq(_t + 1) + sq(_t)
    return [
        _psd("SGD (V_t = I)", sq(_t + 1) - sq(_t), [1 / r]),
        _psd("AdaGrad (V_t = diag(sum g^2)/t)",
             sq(_t + 1) * sq((_S + _g**2) / (_t + 1)) - sq(_t) * sq(_S / _t),
             [_g**2 / (sq(_S + _g**2) + sq(_S))]),
        _psd("AMSGrad (vhat_{t+1} = vhat_t + delta, delta >= 0)",
             sq(_t + 1) * sq(_S + _dl) - sq(_t) * sq(_S),
             [sq(_S + _dl) / r, sq(_t) * _dl / (sq(_S + _dl) + sq(_S))]),
    ]


def certify(w: dict[str, Any]) -> dict[str, Any]:
    """Exact signs of Gamma_{t+1,i} for Reddi et al.'s Adam/RMSProp v (no bias correction):
    ``beta2`` and ``gradients`` (T rows of d rationals, 'p/q'), ``t`` (1 <= t < T)."""
    b2 = Fraction(w["beta2"])
    rows = [[Fraction(x) for x in row] for row in w["gradients"]]
    t = int(w["t"])
    if not (0 <= b2 < 1 and 1 <= t < len(rows)):
        raise ValueError("need 0 <= beta2 < 1 and 1 <= t < len(gradients)")
    d = len(rows[0])
    v = [Fraction(0)] * d
    hist = []
    for row in rows[: t + 1]:
        v = [b2 * a + (1 - b2) * g * g for a, g in zip(v, row)]
        hist.append(v)
    key = [(t + 1) * hist[t][i] - t * hist[t - 1][i] for i in range(d)]
    return {"sign_key_30_digits": [digits(k) for k in key],
            "negative": any(k < 0 for k in key), "positive": any(k > 0 for k in key),
            "indefinite": any(k < 0 for k in key) and any(k > 0 for k in key)}


def check_gamma_psd(thorough: bool = False) -> Verdict:
    der = derivations()
    T = 1001
    w = {"beta2": "999/1000", "t": 1000,
         "gradients": [["1/1", "1/1"]] + [["0/1", "1/1"]] * (T - 1),
         "note": "b2 = 0.999 (the default): coordinate 1 sees g = 1 then zeros, so "
                 "(t+1) v_{t+1} = (t+1) b2 v_t < t v_t once t > b2/(1-b2) = 999; coordinate 2 "
                 "sees constant 1, so v_t increases", "rerun": RERUN}
    w["certificate"] = certify(w)
    small = {"beta2": "1/4", "t": 1, "gradients": [["1/1"], ["0/1"]]}
    small["certificate"] = certify(small)
    ok = all(d["ok"] for d in der) and w["certificate"]["indefinite"]
    ev = {"derivations": der, "witness_indefinite": w, "witness_rmsprop_t1": small,
          "reading": "Reddi et al.'s Adam/RMSProp (v without bias correction; beta1 does not "
                     "enter Gamma); with Kingma & Ba's bias correction Gamma_t < 0 also occurs, "
                     "see kb.proof10.5.telescoping"}
    if not ok:
        return Verdict("rkk.gamma-psd", "pending", "a derivation or the witness failed", ev)
    return Verdict("rkk.gamma-psd", "proved",
                   "proved: alpha*Gamma = 1/(sqrt(t+1)+sqrt(t)) (SGD), g^2/(sqrt(S+g^2)+sqrt(S)) "
                   "(AdaGrad), sums of nonnegative factors (AMSGrad), SymPy; Adam/RMSProp at "
                   "b2 = 0.999, g = ((1,1), then (0,1) x 1000): Gamma_1001 = diag(-, +) "
                   "(exact), indefinite", ev)


__all__ = ["certify", "derivations"]
