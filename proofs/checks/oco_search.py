r"""Counterexample search for the published regret bounds on linear games over boxes.

Reddi, Kale & Kumar, ICLR 2018, Theorem 4 (AMSGrad, their Algorithm 2);
Duchi, Hazan & Singer, JMLR 12 (2011), diagonal AdaGrad with
:math:`\eta = D_\infty/\sqrt2`; Zinkevich, ICML 2003, Theorem 1.

Why linear losses on a box suffice: for convex :math:`f_t` with
:math:`g_t \in \partial f_t(\theta_t)`, :math:`f_t(\theta_t) - f_t(\theta^*) \le
g_t^\top(\theta_t - \theta^*)`, and the learners are deterministic, so the worst
case over adversaries is a fixed gradient sequence played as linear losses
:math:`f_t(\theta) = g_t^\top\theta`.  On :math:`F = [-1,1]^d` the comparator is
exact: :math:`\min_F \sum_t g_t^\top\theta = -\sum_i |S_i|`, :math:`S = \sum_t g_t`;
the (weighted) projection is the coordinate-wise clip.

:func:`play` runs R games at once in float64 (arrays (R, T, d)) and returns
R(T) and the statistics the bounds need; :func:`play_mp` is the same game one
instance at a time in mpmath (for certification).  The bound is always the
SymPy expression of :func:`adamlab.theory.regret_bounds.get`, lambdified.
"""
from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from adamlab.theory import regret_bounds as rb
from adamlab.theory import regret_quantities as rq

KINDS = ("amsgrad-rkk", "adagrad", "ogd")
CLAIM = {"amsgrad-rkk": "rkk.thm4", "adagrad": "dhs.adagrad-regret", "ogd": "z.ogd-regret"}


def play(kind: str, g: np.ndarray, hp: dict[str, np.ndarray], x1: np.ndarray | None = None
         ) -> dict[str, np.ndarray]:
    r"""Play R linear games on :math:`[-1,1]^d`: ``g`` (R, T, d); ``hp`` arrays (R,):
    alpha, beta1, beta2, lam (AMSGrad, :math:`\beta_{1t} = \beta_1\lambda^{t-1}`), eta
    (AdaGrad's constant step, OGD's :math:`\eta_t = \eta/\sqrt t`).  0/0 := 0."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    R, T, d = g.shape
    x = np.zeros((R, d)) if x1 is None else np.array(x1, dtype=float)
    col = {k: np.asarray(v, dtype=float)[:, None] for k, v in hp.items()}
    m = np.zeros((R, d))
    v = np.zeros((R, d))
    vh = np.zeros((R, d))
    loss = np.zeros(R)
    mid = np.zeros(R)
    for t in range(1, T + 1):
        gt = g[:, t - 1]
        loss += (gt * x).sum(1)
        if kind == "amsgrad-rkk":
            b1t = col["beta1"] * col["lam"] ** (t - 1)
            m = b1t * m + (1 - b1t) * gt
            v = col["beta2"] * v + (1 - col["beta2"]) * gt * gt
            vh = np.maximum(vh, v)
            a_t = col["alpha"] / np.sqrt(t)
            mid += (b1t * np.sqrt(vh) / a_t).sum(1)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = np.where(vh > 0, a_t * m / np.sqrt(vh), 0.0)
        elif kind == "adagrad":
            v = v + gt * gt
            with np.errstate(divide="ignore", invalid="ignore"):
                step = np.where(v > 0, col["eta"] * gt / np.sqrt(v), 0.0)
        else:
            step = col["eta"] / np.sqrt(t) * gt
        x = np.clip(x - step, -1.0, 1.0)
    S = g.sum(1)
    return {"R": loss + np.abs(S).sum(1), "T": np.full(R, float(T)), "d": np.full(R, float(d)),
            "sum_g_norm": np.sqrt((g * g).sum(1)).sum(1),
            "sum_vhat_sqrt": np.sqrt(vh).sum(1), "sum_b1t_vhat_over_alpha": mid,
            "G": np.sqrt((g * g).sum(2)).max(1), "G_inf": np.abs(g).max((1, 2))}


_SYM = {rq.T: "T", rq.d: "d", rq.D_inf: "D_inf", rq.D: "D", rq.alpha: "alpha",
        rq.beta1: "beta1", rq.beta2: "beta2", rq.lam: "lam", rq.eta: "eta", rq.G: "G",
        rq.G_inf: "G_inf", rq.sum_g_norm: "sum_g_norm", rq.sum_vhat_sqrt: "sum_vhat_sqrt",
        rq.sum_b1t_vhat_over_alpha: "sum_b1t_vhat_over_alpha"}


def bound_expr(kind: str) -> sp.Expr:
    return rb.get(CLAIM[kind]).expr


def bound(kind: str, vals: dict[str, Any], module: str = "numpy"):
    """The published bound (SymPy, lambdified) at ``vals`` (names as in :data:`_SYM`)."""
    expr = bound_expr(kind)
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    fn = sp.lambdify(syms, expr, modules=module)
    return fn(*[vals[_SYM[s]] for s in syms])


def ratio(kind: str, g: np.ndarray, hp: dict, x1=None) -> np.ndarray:
    """R(T) / bound for every game (domain [-1,1]^d: D_inf = 2, D = 2 sqrt(d))."""
    out = play(kind, g, hp, x1)
    d = g.shape[2]
    vals = dict(out, **{k: np.asarray(v, dtype=float) for k, v in hp.items()},
                D_inf=np.full(g.shape[0], 2.0), D=np.full(g.shape[0], 2.0 * np.sqrt(d)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        b = bound(kind, vals)
        r = np.where(b > 0, out["R"] / b, np.where(out["R"] > 0, np.inf, 0.0))
    return r


def play_mp(kind: str, g: list[list], hp: dict, dps: int = 60) -> tuple[Any, Any]:
    """One game in mpmath at ``dps`` digits: (R(T), bound).  ``g``: T rows of d rationals
    (Fractions or strings); ``hp`` values Fractions/strings."""
    from fractions import Fraction
    with mp.workdps(dps):
        q = lambda z: mp.mpf(Fraction(z).numerator) / Fraction(z).denominator  # noqa: E731
        G = [[q(z) for z in row] for row in g]
        h = {k: q(v) for k, v in hp.items()}
        T, d = len(G), len(G[0])
        x = [mp.mpf(0)] * d
        m = [mp.mpf(0)] * d
        v = [mp.mpf(0)] * d
        vh = [mp.mpf(0)] * d
        loss = mid = mp.mpf(0)
        for t in range(1, T + 1):
            gt = G[t - 1]
            loss += mp.fsum(a * b for a, b in zip(gt, x))
            for i in range(d):
                if kind == "amsgrad-rkk":
                    b1t = h["beta1"] * h["lam"] ** (t - 1)
                    m[i] = b1t * m[i] + (1 - b1t) * gt[i]
                    v[i] = h["beta2"] * v[i] + (1 - h["beta2"]) * gt[i] ** 2
                    vh[i] = max(vh[i], v[i])
                    a_t = h["alpha"] / mp.sqrt(t)
                    mid += b1t * mp.sqrt(vh[i]) / a_t
                    step = a_t * m[i] / mp.sqrt(vh[i]) if vh[i] > 0 else mp.mpf(0)
                elif kind == "adagrad":
                    v[i] += gt[i] ** 2
                    step = h["eta"] * gt[i] / mp.sqrt(v[i]) if v[i] > 0 else mp.mpf(0)
                else:
                    step = h["eta"] / mp.sqrt(t) * gt[i]
                x[i] = min(mp.mpf(1), max(mp.mpf(-1), x[i] - step))
        S = [mp.fsum(G[t][i] for t in range(T)) for i in range(d)]
        vals = dict(h, T=T, d=d, D_inf=mp.mpf(2), D=2 * mp.sqrt(d),
                    sum_g_norm=mp.fsum(mp.sqrt(mp.fsum(G[t][i] ** 2 for t in range(T)))
                                       for i in range(d)),
                    sum_vhat_sqrt=mp.fsum(mp.sqrt(z) for z in vh), sum_b1t_vhat_over_alpha=mid,
                    G=max(mp.sqrt(mp.fsum(z * z for z in row)) for row in G),
                    G_inf=max(abs(z) for row in G for z in row))
        return loss + mp.fsum(abs(s) for s in S), bound(kind, vals, "mpmath")


__all__ = ["CLAIM", "KINDS", "bound", "bound_expr", "play", "play_mp", "ratio"]
