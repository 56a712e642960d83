r"""The three published regret bounds searched on linear games over boxes: their spaces.

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

No update rule is written here: :data:`SPACES` says which *registry* optimizer
plays (``amsgrad`` with ``amsgrad_mode="reddi"``, ``eps=0``; ``adagrad`` with
``eps=0``; ``sgd``) and how its hyperparameters are built, and
:mod:`adamlab.proofs.methods.games` plays it -- in float64 for the search, in
mpmath for the certificate.  The bound is always the SymPy expression of
:func:`adamlab.theory.regret.bounds.get` (:func:`bound_expr`).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from adamlab.numerics.optimizers import arith
from adamlab.proofs.methods import games
from adamlab.proofs.methods.search import Space
from adamlab.theory.regret import bounds as rb
from adamlab.theory.regret import quantities as rq

KINDS = ("amsgrad-rkk", "adagrad", "ogd")
CLAIM = {"amsgrad-rkk": "rkk.thm4", "adagrad": "dhs.adagrad-regret", "ogd": "z.ogd-regret"}
_t = games.t

SPACES: dict[str, dict] = {
    # Reddi et al. Thm 4: b1_11 = b1, b1_t <= b1, gamma = b1/sqrt(b2) < 1, alpha_t = alpha/sqrt(t)
    "amsgrad-rkk": {
        "optimizer": "amsgrad", "fixed": {"amsgrad_mode": "reddi", "eps": 0.0},
        "hyper": {"lr": rq.alpha / sp.sqrt(_t),
                  "betas": (rq.beta1 * rq.lam ** (_t - 1), rq.beta2)},
        "free": {"alpha": {"range": [1e-2, 10.0], "scale": "log"},
                 "beta1": {"range": [0.0, 0.99], "scale": "linear", "atoms": [0.0]},
                 "beta2": {"range": [1e-6, 0.999999], "scale": "linear", "atoms": [1e-6]},
                 "lam": {"range": [0.0, 1.0], "scale": "linear", "atoms": [1.0]}},
        "hypotheses": [rq.beta1 ** 2 < rq.beta2],
        "beta1_t": {"max": rq.beta1, "first": "equal"},
        "game": {"domain": "box", "dims": [1, 2], "horizons": [1, 2, 3, 5, 10, 30, 100]}},
    # DHS: eta = D_inf / sqrt(2) = sqrt(2) on [-1,1]^d, delta = 0 (0/0 := 0)
    "adagrad": {
        "optimizer": "adagrad", "fixed": {"eps": 0.0}, "hyper": {"lr": rq.eta},
        "constants": {"eta": sp.sqrt(2)},
        "game": {"domain": "box", "dims": [1, 2], "horizons": [1, 2, 3, 5, 10, 30, 100]}},
    # Zinkevich: greedy projection with eta_t = eta/sqrt(t)
    "ogd": {
        "optimizer": "sgd", "hyper": {"lr": rq.eta / sp.sqrt(_t)},
        "free": {"eta": {"range": [1e-2, 10.0], "scale": "log"}},
        "game": {"domain": "box", "dims": [1, 2], "horizons": [1, 2, 3, 5, 10, 30, 100]}},
}


def bound_expr(kind: str) -> sp.Expr:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    return rb.get(CLAIM[kind]).expr


#: the games searched with ``--thorough`` (replacing ``space["game"]``'s dims and horizons)
THOROUGH_GAME = {"dims": [1, 2, 3], "horizons": [1, 2, 3, 5, 10, 30, 100, 300, 1000]}


def space(kind: str, thorough: bool = False) -> dict:
    """The search space of ``kind`` (see :func:`adamlab.proofs.methods.search.search_bound`)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    out = dict(SPACES[kind])
    if thorough:
        out["game"] = dict(out["game"], **THOROUGH_GAME)
    return out


def play(kind: str, g: np.ndarray, hp: dict[str, np.ndarray], x1: np.ndarray | None = None
         ) -> dict[str, np.ndarray]:
    r"""Play R linear games on :math:`[-1,1]^d` with the registry optimizer of ``kind``:
    ``g`` (R, T, d); ``hp`` arrays (R,) of the free symbols (alpha, beta1, beta2, lam
    for AMSGrad; eta for OGD; none for AdaGrad, whose eta is :math:`\sqrt2`); ``x1``
    (R, d), default 0.  Returns R(T) and the statistics the bounds need."""
    S = Space(space(kind))
    n, T, d = np.shape(g)
    x1 = np.zeros((n, d)) if x1 is None else np.asarray(x1, dtype=float)
    vals = {k: np.asarray(v, float).reshape(n, 1) for k, v in hp.items() if k in S.free}
    vals.update({k: float(v) for k, v in S.constants.items()})
    opt = games.build(S.name, S.fixed, S.hyper, vals, arith.FLOAT, n)
    return games.play(opt, np.asarray(g, float), x1, games.VHAT_STATS
                      if kind == "amsgrad-rkk" else ())


def ratio(kind: str, g: np.ndarray, hp: dict, x1=None) -> np.ndarray:
    """R(T) / bound for every game (domain [-1,1]^d: D_inf = 2, D = 2 sqrt(d))."""
    S = Space(space(kind))
    n, _, d = np.shape(g)
    x1 = np.zeros((n, d)) if x1 is None else np.asarray(x1, dtype=float)
    return S.ratio(rq.R, bound_expr(kind), np.asarray(g, float), x1,
                   {k: np.asarray(v, float) for k, v in hp.items() if k in S.free})


def play_mp(kind: str, g: list[list], hp: dict, dps: int = 60, x1=None,
            beta1_t=None) -> tuple[Any, Any]:
    """One game replayed by the registry optimizer in mpmath at ``dps`` digits:
    (R(T), bound).  ``g``: T rows of d rationals (Fractions or 'p/q' strings); ``hp``
    the free symbols' values; ``x1`` (default 0) and ``beta1_t`` (default: the
    schedule of :data:`SPACES`) likewise exact."""
    S = Space(space(kind))
    d = len(g[0])
    w = {"gradients": g, "x1": x1 if x1 is not None else ["0"] * d,
         "values": {k: v for k, v in hp.items() if k in S.free}, "beta1_t": beta1_t}
    return S.exact(rq.R, bound_expr(kind), w, dps)


__all__ = ["CLAIM", "KINDS", "SPACES", "THOROUGH_GAME", "bound_expr", "play", "play_mp", "ratio", "space"]
