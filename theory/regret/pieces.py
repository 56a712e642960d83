r"""The pieces of the published regret proofs, as printed, each with its hypotheses.

Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, Appendix §10 (Lemmas 10.3, 10.4
and the proof of Theorem 10.5 = Theorem 4.1), and Reddi, Kale & Kumar, ICLR
2018, Corollary 1.  Each :class:`Piece` holds the statement *as printed*
(a SymPy relation for one coordinate i, whose index is dropped), its
hypotheses, and ``sides(instance, sqrt)``: both sides on a concrete instance
computed from the *definitions* (the recursions of Algorithm 1, RKK's
Algorithm 2), in any number type -- ``sqrt=mpmath.sqrt`` at 50 digits, or
``sqrt=isqrt_interval`` on :class:`fractions.Fraction` inputs for a certified
comparison (:mod:`adamlab.theory.intervals`).  Whether each piece is true is
decided in :mod:`adamlab.proofs.checks.regret`; the corrected statements are
in :mod:`adamlab.theory.regret.lemmas`.

============================  ==========================================================
``kb.lemma10.3``              :math:`\sum_{t=1}^T\sqrt{g_{t,i}^2/t}\le 2G_\infty\lVert g_{1:T,i}\rVert_2`
``kb.lemma10.4``              :math:`\sum_{t=1}^T\frac{\hat m_{t,i}^2}{\sqrt{t\hat v_{t,i}}}\le
                              \frac{2}{1-\gamma}\frac{1}{\sqrt{1-\beta_2}}\lVert g_{1:T,i}\rVert_2`,
                              :math:`\gamma = \beta_1^2/\sqrt{\beta_2} < 1`
``kb.proof10.5.telescoping``  :math:`\frac{(\theta_{1,i}-\theta^*_i)^2\sqrt{\hat v_{1,i}}}{2\alpha_1(1-\beta_1)}
                              + \sum_{t=2}^T\frac{(\theta_{t,i}-\theta^*_i)^2}{2(1-\beta_1)}
                              \Bigl(\frac{\sqrt{\hat v_{t,i}}}{\alpha_t}-\frac{\sqrt{\hat v_{t-1,i}}}{\alpha_{t-1}}\Bigr)
                              \le \frac{D^2}{2\alpha(1-\beta_1)}\sqrt{T\hat v_{T,i}}`
``kb.proof10.5.vhat-bound``   :math:`\sqrt{t\hat v_{t,i}}\le G_\infty\sqrt{1-\beta_2}\sqrt t`
``kb.proof10.5.lambda-sum``   :math:`\sum_{t=1}^T\frac{\beta_{1,t}}{1-\beta_{1,t}}\sqrt t\le
                              \frac{1}{(1-\beta_1)(1-\lambda)^2}`, :math:`\beta_{1,t}=\beta_1\lambda^{t-1}`
``rkk.cor1``                  :math:`\frac{D_\infty^2}{2(1-\beta_1)}\sum_{t=1}^T\sum_{i=1}^d
                              \frac{\beta_{1t}\hat v_{t,i}^{1/2}}{\alpha_t}\le
                              \frac{\beta_1D_\infty^2G_\infty}{2(1-\beta_1)(1-\lambda)^2}`
============================  ==========================================================

:func:`composed_display` chains the printed steps into the bound the proof
yields and :func:`compare_with_theorem` compares it with Theorem 4.1 term by
term (the proof's last display itself is not transcribed in CLAIMS.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

import mpmath as mp
import sympy as sp

from .. import recursions as rec
from . import bounds as rb
from ..intervals import isqrt_interval
from .quantities import (D, D_inf, G_inf, T, alpha, beta1, beta2, d, gamma, lam, latex,
                         sum_g_norm, sum_sqrt_t_vhat)
from ..symbols import g

t = sp.Symbol("t", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
mhat = sp.Function("mhat", real=True)
vhat = sp.Function("vhat", nonnegative=True)
x = sp.Function("x", real=True)             # x_t = theta_{t,i} - theta*_i
alpha_t = alpha / sp.sqrt(t)
b1_t = beta1 * lam ** (t - 1)
NORM = sp.sqrt(sp.Sum(g(t) ** 2, (t, 1, T)))      # ||g_{1:T,i}||_2

DEFINITIONS = (
    sp.Eq(mhat(t), (1 - beta1) / (1 - beta1**t) * sp.Sum(beta1 ** (t - k) * g(k), (k, 1, t))),
    sp.Eq(vhat(t), (1 - beta2) / (1 - beta2**t) * sp.Sum(beta2 ** (t - k) * g(k) ** 2, (k, 1, t))),
)


@dataclass(frozen=True)
class Piece:
    """A printed step: ``statement`` (SymPy), ``hypotheses``, ``sides(instance, sqrt)``."""

    claim_id: str
    source: str
    statement: Any
    hypotheses: tuple
    sides: Callable[..., tuple[Any, Any]]
    instance: str = ""
    definitions: tuple = field(default=())

    def latex(self) -> str:
        body = latex(self.statement)
        if self.hypotheses:
            body += r"\qquad\text{if } " + r",\ ".join(latex(h) for h in self.hypotheses)
        return body

    def evaluate(self, instance: dict, mode: str = "mp"):
        r"""Both sides: ``mode="mp"`` at the current mpmath precision (inputs converted),
        ``"exact"`` as :class:`~adamlab.theory.intervals.Interval` enclosures (Fraction inputs)."""
        if mode == "mp":
            return self.sides(to_mp(instance), mp.sqrt)
        if mode == "exact":
            return self.sides(to_fraction(instance), isqrt_interval)
        raise ValueError(f"mode must be 'mp' or 'exact'; got {mode!r}")


def to_mp(obj):
    """Fractions (also 'p/q' strings) -> mpmath numbers, recursively; ints (counts) stay."""
    if isinstance(obj, dict):
        return {k_: (v if k_ == "T" else to_mp(v)) for k_, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_mp(v) for v in obj]
    if isinstance(obj, (Fraction, str)):
        q = Fraction(obj)
        return mp.mpf(q.numerator) / q.denominator
    if isinstance(obj, int):
        return mp.mpf(obj)
    return obj


def to_fraction(obj):
    """'p/q' strings and ints -> Fractions, recursively (``T`` stays an int)."""
    if isinstance(obj, dict):
        return {k_: (v if k_ == "T" else to_fraction(v)) for k_, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_fraction(v) for v in obj]
    if isinstance(obj, (str, int, Fraction)):
        return Fraction(obj)
    raise TypeError(f"exact evaluation needs rationals, got {type(obj).__name__}")


def _sq(x_):
    return x_ * x_


def _norm_sq(gs: Sequence):
    return sum((_sq(v) for v in gs), gs[0] * 0)


# ---- sides, from the definitions ----------------------------------------------------------------
def lemma103_sides(inst: dict, sqrt):
    r"""``inst``: ``gradients`` :math:`g_{1..T,i}`, ``G_inf``.  LHS :math:`\sum_t\sqrt{g_t^2/t}`."""
    gs, G = inst["gradients"], inst["G_inf"]
    lhs = sum((sqrt(_sq(v) / tt) for tt, v in enumerate(gs, 1)), 0)
    return lhs, 2 * G * sqrt(_norm_sq(gs))


def adam_moment_sequence(b1, b2, gs: Sequence) -> list[tuple[Any, Any]]:
    r""":math:`(\hat m_t, \hat v_t)` for t = 1..T by Algorithm 1 (constant :math:`\beta_1`)."""
    ms, vs = rec.ema(b1, list(gs)), rec.ema(b2, [_sq(v) for v in gs])
    out, p1, p2 = [], b1 * 0 + 1, b2 * 0 + 1
    for m, v in zip(ms, vs):
        p1, p2 = p1 * b1, p2 * b2
        out.append((m / (1 - p1), v / (1 - p2)))
    return out


def lemma104_sides(inst: dict, sqrt):
    r"""``inst``: ``beta1``, ``beta2`` (> 0), ``gradients``.  Terms with :math:`\hat v_t = 0`
    (then :math:`\hat m_t = 0`) count 0."""
    b1, b2, gs = inst["beta1"], inst["beta2"], inst["gradients"]
    lhs = 0
    for tt, (mh, vh) in enumerate(adam_moment_sequence(b1, b2, gs), 1):
        if vh != 0:
            lhs = lhs + _sq(mh) / sqrt(tt * vh)
    gam = _sq(b1) / sqrt(b2)
    return lhs, 2 / (1 - gam) / sqrt(1 - b2) * sqrt(_norm_sq(gs))


def vhat_sides(inst: dict, sqrt):
    r"""``inst``: ``beta2``, ``gradients`` (t = their number), ``G_inf``."""
    b2, gs, G = inst["beta2"], inst["gradients"], inst["G_inf"]
    tt = len(gs)
    vh = adam_moment_sequence(b2 * 0, b2, gs)[-1][1]
    return sqrt(tt * vh), G * sqrt(1 - b2) * sqrt(tt)


def lambda_sum_sides(inst: dict, sqrt):
    r"""``inst``: ``beta1``, ``lam``, ``T``."""
    b1, lm, TT = inst["beta1"], inst["lam"], inst["T"]
    lhs, p = 0, lm * 0 + 1
    for tt in range(1, TT + 1):
        bt = b1 * p
        lhs = lhs + bt / (1 - bt) * sqrt(tt)
        p = p * lm
    return lhs, 1 / ((1 - b1) * _sq(1 - lm))


def adam_iterates(inst: dict, sqrt) -> list:
    r"""One coordinate of Adam (Algorithm 1, :math:`\epsilon = 0`) with
    :math:`\alpha_t = \alpha/\sqrt t`, :math:`\beta_{1,t} = \beta_1\lambda^{t-1}` (bias
    correction :math:`1-\beta_1^t` as in Algorithm 1): :math:`\theta_1..\theta_T` from
    ``theta1`` and the first T-1 ``gradients``.  ValueError if some :math:`\hat v_t = 0`."""
    b1, b2, lm, a = inst["beta1"], inst["beta2"], inst["lam"], inst["alpha"]
    gs = inst["gradients"]
    th, m, v = [inst["theta1"]], 0, 0
    p1, p2, pl = 1, 1, 1
    for tt, gv in enumerate(gs[:-1], 1):
        bt = b1 * pl
        m = bt * m + (1 - bt) * gv
        v = b2 * v + (1 - b2) * _sq(gv)
        p1, p2, pl = p1 * b1, p2 * b2, pl * lm
        vh = v / (1 - p2)
        if vh == 0:
            raise ValueError(f"vhat_{tt} = 0: Algorithm 1's step is undefined")
        th.append(th[-1] - a / sqrt(tt) * (m / (1 - p1)) / sqrt(vh))
    return th


def telescoping_sides(inst: dict, sqrt):
    r"""``inst``: ``beta1``, ``beta2``, ``alpha``, ``gradients``, ``x`` (:math:`\theta_t-\theta^*`,
    t = 1..T), ``D``.  :math:`\hat v_t` from the gradients (Algorithm 1)."""
    b1, a, xs, Dv = inst["beta1"], inst["alpha"], inst["x"], inst["D"]
    vh = [v for _, v in adam_moment_sequence(inst["beta2"] * 0, inst["beta2"], inst["gradients"])]
    TT = len(xs)
    a_t = [sqrt(tt * vh[tt - 1]) / a for tt in range(1, TT + 1)]      # sqrt(vhat_t)/alpha_t
    lhs = _sq(xs[0]) * a_t[0] / (2 * (1 - b1))
    for tt in range(2, TT + 1):
        lhs = lhs + _sq(xs[tt - 1]) / (2 * (1 - b1)) * (a_t[tt - 1] - a_t[tt - 2])
    return lhs, _sq(Dv) / (2 * a * (1 - b1)) * sqrt(TT * vh[TT - 1])


def amsgrad_vhat(b2, grads: Sequence[Sequence]) -> list[list]:
    r"""RKK Algorithm 2 (AMSGrad, no bias correction): :math:`v_t = \beta_2v_{t-1}+(1-\beta_2)g_t^2`,
    :math:`\hat v_t = \max(\hat v_{t-1}, v_t)`, per coordinate; ``grads`` is T rows of d."""
    dd = len(grads[0])
    v, vh, out = [0] * dd, [0] * dd, []
    for row in grads:
        v = [b2 * v[i] + (1 - b2) * _sq(row[i]) for i in range(dd)]
        vh = [max(vh[i], v[i]) for i in range(dd)]
        out.append(vh)
    return out


def rkk_middle_term(inst: dict, sqrt):
    r""":math:`\frac{D_\infty^2}{2(1-\beta_1)}\sum_t\sum_i\beta_{1t}\hat v_{t,i}^{1/2}/\alpha_t` with
    :math:`\beta_{1t} = \beta_1\lambda^{t-1}`, :math:`\alpha_t = \alpha/\sqrt t`."""
    b1, lm, a, Di = inst["beta1"], inst["lam"], inst["alpha"], inst["D_inf"]
    total, pl = 0, 1
    for tt, row in enumerate(amsgrad_vhat(inst["beta2"], inst["gradients"]), 1):
        for vv in row:
            total = total + b1 * pl * sqrt(vv) * sqrt(tt) / a
        pl = pl * lm
    return _sq(Di) / (2 * (1 - b1)) * total


def cor1_sides(inst: dict, sqrt):
    r"""``inst``: ``beta1``, ``beta2``, ``lam``, ``alpha``, ``D_inf``, ``G_inf``, ``gradients``
    (T rows of d).  RHS as printed: :math:`\beta_1D_\infty^2G_\infty/(2(1-\beta_1)(1-\lambda)^2)`."""
    b1, lm = inst["beta1"], inst["lam"]
    rhs = b1 * _sq(inst["D_inf"]) * inst["G_inf"] / (2 * (1 - b1) * _sq(1 - lm))
    return rkk_middle_term(inst, sqrt), rhs


# ---- the printed statements ---------------------------------------------------------------------
KB = rb.KB
_GI = (sp.Le(sp.Abs(g(t)), G_inf),)
PIECES: dict[str, Piece] = {p.claim_id: p for p in (
    Piece("kb.lemma10.3", f"{KB}, Lemma 10.3",
          sp.Le(sp.Sum(sp.sqrt(g(t) ** 2 / t), (t, 1, T)), 2 * G_inf * NORM), _GI,
          lemma103_sides, "gradients, G_inf"),
    Piece("kb.lemma10.4", f"{KB}, Lemma 10.4",
          sp.Le(sp.Sum(mhat(t) ** 2 / sp.sqrt(t * vhat(t)), (t, 1, T)),
                2 / (1 - gamma) / sp.sqrt(1 - beta2) * NORM),
          _GI + (sp.Eq(gamma, rb.GAMMA_KB), sp.Lt(gamma, 1), sp.Lt(beta1, 1), sp.Lt(beta2, 1)),
          lemma104_sides, "beta1, beta2, gradients", DEFINITIONS),
    Piece("kb.proof10.5.telescoping", f"{KB}, proof of Theorem 10.5",
          sp.Le(x(1) ** 2 * sp.sqrt(vhat(1)) / (2 * alpha_t.subs(t, 1) * (1 - beta1))
                + sp.Sum(x(t) ** 2 / (2 * (1 - beta1)) * (sp.sqrt(vhat(t)) / alpha_t
                                                          - sp.sqrt(vhat(t - 1)) / alpha_t.subs(t, t - 1)),
                         (t, 2, T)),
                D**2 / (2 * alpha * (1 - beta1)) * sp.sqrt(T * vhat(T))),
          (sp.Le(sp.Abs(x(t)), D),), telescoping_sides, "beta1, beta2, alpha, gradients, x, D",
          DEFINITIONS[1:]),
    Piece("kb.proof10.5.vhat-bound", f"{KB}, proof of Theorem 10.5",
          sp.Le(sp.sqrt(t * vhat(t)), G_inf * sp.sqrt(1 - beta2) * sp.sqrt(t)),
          _GI + (sp.Lt(beta2, 1),), vhat_sides, "beta2, gradients, G_inf", DEFINITIONS[1:]),
    Piece("kb.proof10.5.lambda-sum", f"{KB}, proof of Theorem 10.5",
          sp.Le(sp.Sum(b1_t / (1 - b1_t) * sp.sqrt(t), (t, 1, T)),
                1 / ((1 - beta1) * (1 - lam) ** 2)),
          (sp.Lt(beta1, 1), sp.Gt(lam, 0), sp.Lt(lam, 1)), lambda_sum_sides, "beta1, lam, T"),
    Piece("rkk.cor1", f"{rb.RKK}, Corollary 1",
          sp.Le(D_inf**2 / (2 * (1 - beta1)) * sp.Symbol(
              r"\sum_{t=1}^T\sum_{i=1}^d \beta_{1t}\hat v_{t,i}^{1/2}/\alpha_t"),
                beta1 * D_inf**2 * G_inf / (2 * (1 - beta1) * (1 - lam) ** 2)),
          (sp.Lt(beta1 / sp.sqrt(beta2), 1), sp.Gt(lam, 0), sp.Lt(lam, 1)), cor1_sides,
          "beta1, beta2, lam, alpha, D_inf, G_inf, gradients (T x d)"),
)}


def piece(claim_id: str) -> Piece:
    if claim_id not in PIECES:
        raise ValueError(f"claim_id must be one of {sorted(PIECES)}; got {claim_id!r}")
    return PIECES[claim_id]


# ---- the final display, composed from the printed steps -----------------------------------------
_GSUM = sp.Symbol("S", nonnegative=True)      # sum_t beta_{1,t}/(1-beta_{1,t}) sqrt(t)


def composed_display() -> dict[str, sp.Expr]:
    r"""The three terms the proof's printed steps yield, summed over the d coordinates.

    * telescoping (as printed): :math:`\frac{D^2}{2\alpha(1-\beta_1)}\sum_i\sqrt{T\hat v_{T,i}}`;
    * the two momentum sums :math:`\frac{\beta_1\alpha}{2(1-\beta_1)}\sum_t\frac{m_{t-1}^2}{\sqrt{t\hat v}}
      + \frac{\alpha}{2(1-\beta_1)}\sum_t\frac{\hat m_t^2}{\sqrt{t\hat v_t}}`, each bounded
      by Lemma 10.4 as printed;
    * :math:`\frac{D_\infty^2}{2\alpha}\sum_i\sum_t\frac{\beta_{1,t}}{1-\beta_{1,t}}\sqrt{t\hat v_{t,i}}`
      with the vhat bound and then the lambda sum, both as printed.
    """
    lemma_rhs = piece("kb.lemma10.4").statement.rhs.subs(gamma, rb.GAMMA_KB) / NORM
    vh_rhs = piece("kb.proof10.5.vhat-bound").statement.rhs / sp.sqrt(t)      # per sqrt(t)
    lam_rhs = piece("kb.proof10.5.lambda-sum").statement.rhs
    tele = piece("kb.proof10.5.telescoping").statement.rhs / sp.sqrt(T * vhat(T))
    third = D_inf**2 / (2 * alpha) * vh_rhs * _GSUM
    return {"distance": tele * sum_sqrt_t_vhat,
            "gradient": (beta1 + 1) * alpha / (2 * (1 - beta1)) * lemma_rhs * sum_g_norm,
            "momentum decay": d * third.subs(_GSUM, lam_rhs)}


def compare_with_theorem() -> dict[str, dict[str, str]]:
    """Each composed term against Theorem 4.1's (as printed): their ratio, simplified."""
    thm = {term.name: term.expr for term in rb.get("kb.thm4.1").terms}
    out = {}
    for name, expr in composed_display().items():
        ratio = sp.simplify(thm[name] / expr)
        out[name] = {"theorem": str(thm[name]), "composed": str(expr), "ratio": str(ratio),
                     "equal": bool(ratio == 1)}
    return out


__all__ = ["DEFINITIONS", "PIECES", "Piece", "adam_iterates", "adam_moment_sequence",
           "amsgrad_vhat", "composed_display", "compare_with_theorem", "cor1_sides",
           "lambda_sum_sides", "lemma103_sides", "lemma104_sides", "piece", "rkk_middle_term",
           "telescoping_sides", "to_fraction", "to_mp", "vhat_sides"]
