r"""The readings of the ledger's simulation claims, as registry optimizers.

Reddi, Kale & Kumar (ICLR 2018) and Kingma & Ba (ICLR 2015) state their
counterexamples for slightly different algorithms; :func:`reading` names the
registry optimizer and hyperparameters of each reading, :func:`simulation` makes
it a :class:`~adamlab.proofs.methods.asymptotic.Simulation` (the asymptotic
method's unit), and :func:`curves` runs it directly.  The fits and their windows
are :func:`adamlab.proofs.methods.asymptotic.fit`.
"""
from __future__ import annotations

from typing import Any

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers.schedules import InverseSqrt

from ..methods.asymptotic import Simulation, curves_of, fit


def reading(kind: str, alpha: float, beta1: float, beta2: float) -> tuple[str, dict]:
    """(registry name, hyperparameters) of the reading ``kind`` (see :func:`make_opt`)."""
    lr = InverseSqrt(alpha)
    if kind == "adam-kb":
        return "adam", dict(lr=lr, betas=(beta1, beta2), eps=0.0)
    if kind == "adam-rkk":
        if beta1 != 0:
            raise ValueError("kind 'adam-rkk' is available for beta1 = 0 only (RMSprop)")
        return "rmsprop", dict(lr=lr, alpha=beta2, eps=0.0)
    if kind == "amsgrad-rkk":
        return "amsgrad", dict(lr=lr, betas=(beta1, beta2), eps=0.0, amsgrad_mode="reddi")
    raise ValueError(f"kind must be 'adam-kb', 'adam-rkk' or 'amsgrad-rkk'; got {kind!r}")


def make_opt(kind: str, alpha: float, beta1: float, beta2: float):
    r"""The optimizer of a reading, with :math:`\alpha_t = \alpha/\sqrt t`, :math:`\epsilon = 0`.

    ``"adam-kb"``: Kingma & Ba's Algorithm 1 (bias-corrected m and v);
    ``"adam-rkk"`` (only :math:`\beta_1 = 0`): Reddi et al.'s Adam without bias
    correction, which for :math:`\beta_1 = 0` is RMSprop with :math:`\rho = \beta_2`;
    ``"amsgrad-rkk"``: Reddi et al.'s Algorithm 2 (no bias correction, running max of v).
    """
    name, hyper = reading(kind, alpha, beta1, beta2)
    return optimizers.make(name, **hyper)


def curves(problem: str, kind: str, alpha: float, beta1: float, beta2: float, T: int,
           seeds, problem_params: dict | None = None, points: int = 13) -> dict[str, Any]:
    """:func:`adamlab.proofs.methods.asymptotic.curves_of` for the reading ``kind``
    (:func:`make_opt`), with the reading's parameters in the result."""
    cur = curves_of(problem, make_opt(kind, alpha, beta1, beta2), T, seeds, problem_params,
                    points)
    cur.update(reading=kind, alpha=alpha, beta1=beta1, beta2=beta2)
    return cur


def simulation(kind: str, alpha: float, beta1: float, beta2: float, problem: str, *,
               expect: str | None = None, theta=None, problem_params: dict | None = None,
               seeds=(0,), label: str | None = None) -> Simulation:
    """The reading ``kind`` on ``problem`` as a :class:`Simulation` with its rules."""
    name, hyper = reading(kind, alpha, beta1, beta2)
    return Simulation(problem, name, hyper, expect, theta, dict(problem_params or {}),
                      tuple(seeds), label or f"{kind} (alpha = {alpha:g})")


def worst(cur: dict, key: str, fn=min) -> float:
    return fn(s[key] for s in cur["seeds"])


__all__ = ["curves", "fit", "make_opt", "reading", "simulation", "worst"]
