r"""The names a claim's statement may use, in one place (``adamlab list names``).

Run statistics are those of the run-statistics schema
(:mod:`adamlab.theory.regret.quantities`), at the horizon T of the game; the
hyperparameter names are the free symbols of a claim's hyperparameter space
(:mod:`adamlab.proofs.user_claims`), which schedules may combine with the step
``t``.  Each entry: the SymPy symbol and what it means.
"""
from __future__ import annotations

import sympy as sp

from adamlab.theory.regret import quantities as rq

#: the regret R(T) (the schema symbol of :mod:`adamlab.theory.regret.quantities`)
R = rq.R
#: the step t inside schedules (``lr = "alpha/sqrt(t)"``)
t = sp.Symbol("t", integer=True, positive=True)

STATISTICS: dict[str, tuple[sp.Symbol, str]] = {
    "R": (R, "regret R(T) = sum_t f_t(theta_t) - min_theta sum_t f_t(theta), theta in F"),
    "T": (rq.T, "the horizon (number of steps)"),
    "d": (rq.d, "the dimension"),
    "D": (rq.D, "Euclidean diameter of the feasible set F (the box [-1,1]^d: 2 sqrt(d))"),
    "D_inf": (rq.D_inf, "inf-norm diameter of F (the box [-1,1]^d: 2)"),
    "G": (rq.G, "max_t ||g_t||_2"),
    "G_inf": (rq.G_inf, "max_t ||g_t||_inf"),
    "sum_g_norm": (rq.sum_g_norm, "sum_i ||g_{1:T,i}||_2"),
    "sum_vhat_sqrt": (rq.sum_vhat_sqrt, "sum_i vhat_{T,i}^(1/2) (the optimizer's declared "
                                        "second moment)"),
    "sum_sqrt_t_vhat": (rq.sum_sqrt_t_vhat, "sum_i sqrt(T vhat_{T,i})"),
    "sum_b1t_vhat_over_alpha": (rq.sum_b1t_vhat_over_alpha,
                                "sum_t sum_i beta1_t vhat_{t,i}^(1/2) / alpha_t"),
}

HYPERPARAMETERS: dict[str, tuple[sp.Symbol, str]] = {
    "alpha": (rq.alpha, "step size scale (e.g. lr = alpha/sqrt(t))"),
    "eta": (rq.eta, "step size scale (OGD, AdaGrad)"),
    "beta1": (rq.beta1, "first-moment decay"),
    "beta2": (rq.beta2, "second-moment decay"),
    "lam": (rq.lam, "decay of beta1_t = beta1 lam^(t-1)"),
    "gamma": (sp.Symbol("gamma", nonnegative=True), "a ratio such as beta1/sqrt(beta2)"),
    "eps": (sp.Symbol("eps", nonnegative=True), "epsilon"),
    "t": (t, "the step, in schedules only"),
}


def table() -> dict[str, sp.Symbol]:
    """name -> SymPy symbol, for statements and hypotheses."""
    return {k: v[0] for k, v in {**STATISTICS, **HYPERPARAMETERS}.items()}


def describe() -> list[tuple[str, str, str]]:
    """(name, kind, meaning) for every name, statistics first."""
    return [(k, "statistic", v[1]) for k, v in STATISTICS.items()] + \
        [(k, "hyperparameter", v[1]) for k, v in HYPERPARAMETERS.items()]


__all__ = ["HYPERPARAMETERS", "R", "STATISTICS", "describe", "t", "table"]
