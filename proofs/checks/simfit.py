r"""Regret curves for the ledger's simulation claims: run, sample, fit.

Shared by :mod:`.simulations` (Reddi, Kale & Kumar, ICLR 2018, Theorem 1 and §5;
Kingma & Ba, ICLR 2015, Corollary 4.2).  A curve is :math:`R(t)` for the
horizon t itself (``stats["regret_prefix"]``: the best fixed point of the
first t losses, exact for these linear problems), sampled at log-spaced t.
Two summaries, both stated with their fitting window:

* the fitted limit :math:`L` of the average regret: least squares of
  :math:`R(t)/t = L + c\,t^{-1/2}` over :math:`t \in [T/100, T]` (the form
  Corollary 4.2 predicts, so a clearly positive L contradicts it);
* the log-log slope of :math:`R(t)` over the last decade :math:`[T/10, T]`
  (1 for linear regret, 1/2 for :math:`\sqrt T` regret).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from adamlab.numerics import optimizers, simulate
from adamlab.numerics.optimizers.schedules import InverseSqrt


def make_opt(kind: str, alpha: float, beta1: float, beta2: float):
    r"""The optimizer of a reading, with :math:`\alpha_t = \alpha/\sqrt t`, :math:`\epsilon = 0`.

    ``"adam-kb"``: Kingma & Ba's Algorithm 1 (bias-corrected m and v);
    ``"adam-rkk"`` (only :math:`\beta_1 = 0`): Reddi et al.'s Adam without bias
    correction, which for :math:`\beta_1 = 0` is RMSprop with :math:`\rho = \beta_2`;
    ``"amsgrad-rkk"``: Reddi et al.'s Algorithm 2 (no bias correction, running max of v).
    """
    lr = InverseSqrt(alpha)
    if kind == "adam-kb":
        return optimizers.make("adam", lr=lr, betas=(beta1, beta2), eps=0.0)
    if kind == "adam-rkk":
        if beta1 != 0:
            raise ValueError("kind 'adam-rkk' is available for beta1 = 0 only (RMSprop)")
        return optimizers.make("rmsprop", lr=lr, alpha=beta2, eps=0.0)
    if kind == "amsgrad-rkk":
        return optimizers.make("adam", lr=lr, betas=(beta1, beta2), eps=0.0, amsgrad=True,
                               amsgrad_mode="reddi")
    raise ValueError(f"kind must be 'adam-kb', 'adam-rkk' or 'amsgrad-rkk'; got {kind!r}")


def fit(t: np.ndarray, R: np.ndarray) -> dict[str, float]:
    """Fitted limit of R(t)/t (L + c t^(-1/2) on [T/100, T]) and the last decade's slope."""
    T = int(t[-1])
    w = t >= T / 100
    A = np.stack([np.ones(w.sum()), t[w] ** -0.5], axis=1)
    (L, c), *_ = np.linalg.lstsq(A, R[w] / t[w], rcond=None)
    i0 = int(np.searchsorted(t, T / 10))
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = float(np.log(R[-1] / R[i0]) / np.log(t[-1] / t[i0])) if R[i0] > 0 else float("nan")
    return {"fitted_limit": float(L), "fitted_c": float(c), "loglog_slope": slope,
            "avg_regret_T": float(R[-1] / T)}


def curves(problem: str, kind: str, alpha: float, beta1: float, beta2: float, T: int,
           seeds, problem_params: dict | None = None, points: int = 13) -> dict[str, Any]:
    """Simulate ``seeds`` runs, return log-spaced R(t)/t per seed, the fits and theta_T."""
    opt = make_opt(kind, alpha, beta1, beta2)
    res = simulate.run(problem, opt, T=T, runs=len(seeds), seed=list(seeds),
                       problem_params=problem_params, progress=False)
    t = np.asarray(res.stats["t"], dtype=float)
    Rp = np.asarray(res.stats["regret_prefix"], dtype=float)
    idx = np.unique(np.round(np.logspace(0, np.log10(T), points)).astype(int) - 1)
    per_seed = []
    for r, s in enumerate(seeds):
        f = fit(t, Rp[:, r])
        f.update(seed=int(s), theta_T=float(res.theta_final[r, 0]),
                 curve={"t": [int(t[i]) for i in idx],
                        "R_over_t": [float(f"{Rp[i, r] / t[i]:.6g}") for i in idx]})
        per_seed.append(f)
    return {"problem": problem, "problem_params": problem_params or {}, "reading": kind,
            "alpha": alpha, "beta1": beta1, "beta2": beta2, "T": T,
            "engine": res.metadata.get("engine"), "seeds": per_seed,
            "fit_window": "R(t)/t = L + c t^(-1/2) on [T/100, T]; slope of log R on [T/10, T]"}


def worst(cur: dict, key: str, fn=min) -> float:
    return fn(s[key] for s in cur["seeds"])


__all__ = ["curves", "fit", "make_opt", "worst"]
