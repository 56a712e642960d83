r"""The ledger's simulation claims: Reddi et al.'s counterexamples and KB Cor 4.2.

Reddi, Kale & Kumar, ICLR 2018: Theorem 1 (``rkk.thm1``), §5 online and
stochastic experiments (``rkk.sec5.online``, ``rkk.sec5.stochastic``) are decided by
the generic asymptotic method (:mod:`adamlab.proofs.methods.asymptotic`) on the
simulations listed here (:func:`thm1`, :func:`sec5_online`, :func:`sec5_stochastic`);
Kingma & Ba, ICLR 2015, Corollary 4.2 (``kb.cor4.2``) by a certified witness plus
the same simulations' rules (:func:`check_kb_cor42`).

These are asymptotic statements: the verdict is "verified" on the stated
horizon and instances, never "proved".  Reddi et al.'s Adam has no bias
correction: for :math:`\beta_1 = 0` it is simulated exactly (RMSprop with
:math:`\rho = \beta_2`, reading ``adam-rkk``) next to Kingma & Ba's
bias-corrected Algorithm 1 (``adam-kb``); for :math:`\beta_1 = 0.9` only
``adam-kb`` is available in the simulator (the corrections differ by factors
:math:`1-\beta^t \to 1`, geometrically fast).  AMSGrad is Reddi et al.'s
Algorithm 2 (``amsgrad-rkk``: no bias correction).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..methods.asymptotic import NOT_ZERO, TO_ZERO, Simulation, brief, not_to_zero, to_zero
from ..verdict import Verdict
from . import adam_exact
from .simfit import curves, simulation


def thm1_instances(thorough: bool) -> list[dict[str, Any]]:
    """RKK Thm 1's instances: C, beta2 = 1/(1+C^2), alpha = frac sqrt(1-beta2)."""
    Cs = (3.0, 5.0, 10.0) if thorough else (3.0, 10.0)
    out = []
    for C in Cs:
        b2 = 1 / (1 + C * C)
        for frac in ((0.1, 0.5, 0.9) if thorough else (0.5, 0.9)):
            out.append({"C": C, "beta2": b2, "alpha": frac * (1 - b2) ** 0.5, "frac": frac})
    return out


def thm1(thorough: bool) -> tuple[Simulation, ...]:
    """Every instance in both readings (adam-rkk, adam-kb); the game is deterministic: one
    seed each.  Rule: linear regret."""
    return tuple(
        simulation(kind, inst["alpha"], 0.0, inst["beta2"], "rkk-thm1", expect="linear",
                   problem_params={"C": inst["C"], "period": 3, "slope_other": 1.0},
                   label=f"{kind}, C = {inst['C']:g}, alpha = {inst['frac']:g} sqrt(1-b2)")
        for inst in thm1_instances(thorough) for kind in ("adam-rkk", "adam-kb"))


def sec5_online() -> tuple[Simulation, ...]:
    """b1 = 0.9, b2 = 0.99, alpha_t = alpha/sqrt(t): Adam (alpha 0.1, 1) has linear regret
    and ends at x = +1; AMSGrad's average regret goes to 0 (alpha 1) or at least decreases
    (alpha 0.1: RKK Thm 4's constant grows like 1/alpha)."""
    return tuple(simulation("adam-kb", a, 0.9, 0.99, "rkk-online", expect="linear",
                            theta=(1.0, "near", 0.05)) for a in (0.1, 1.0)) + (
        simulation("amsgrad-rkk", 1.0, 0.9, 0.99, "rkk-online", expect="sublinear"),
        simulation("amsgrad-rkk", 0.1, 0.9, 0.99, "rkk-online", expect="decreasing"))


def sec5_stochastic(thorough: bool) -> tuple[Simulation, ...]:
    """Adam (alpha 0.1, 1) stays at least 1 away from the optimum -1 in every seed; AMSGrad
    (alpha 1) approaches it: mean gap <= 0.25 and smaller than after T/10 steps."""
    seeds = tuple(range(8 if thorough else 5))
    return tuple(simulation("adam-kb", a, 0.9, 0.99, "rkk-stochastic", seeds=seeds,
                            theta=(-1.0, "far", 1.0)) for a in (0.1, 1.0)) + (
        simulation("amsgrad-rkk", 1.0, 0.9, 0.99, "rkk-stochastic", seeds=seeds,
                   theta=(-1.0, "approaching", 0.25)),)


def check_kb_cor42(thorough: bool = False) -> Verdict:
    T = 10**7 if thorough else 10**6
    adam = curves("rkk-thm1", "adam-kb", 0.5, 0.0, 0.1, T, [0], {"C": 3.0})
    ams = curves("rkk-thm1", "amsgrad-rkk", 0.5, 0.0, 0.1, T, [0], {"C": 3.0})
    w = None
    for Th in (30, 100, 300, 1000, 3000):
        w = adam_exact.witness("kb.cor4.2", Fraction(3), Fraction(1, 10), Fraction(1, 2),
                               Fraction(1, 2), Th)
        if w["certificate"]["violated"]:
            break
    ev = {"runs": {"adam-kb": adam, "amsgrad-rkk": ams}, "rules": {"adam": NOT_ZERO,
          "amsgrad": TO_ZERO}, "instance": "RKK Thm 1 (C = 3, b2 = 1/10, alpha = 1/2, b1 = 0 "
          "satisfies Thm 4.1's hypotheses; bounded gradients |g| <= 3 and distances <= 2)"}
    if not (w["certificate"]["violated"] and not_to_zero(adam)):
        return Verdict("kb.cor4.2", "pending", "no certified violation", ev)
    ev.update(witness=w, lhs=w["certificate"]["lhs"], rhs=w["certificate"]["rhs"])
    fixed = to_zero(ams)
    summ = (f"refuted: Adam on RKK Thm 1's instance (b1 = 0): R(T)/T = "
            f"{w['certificate']['lhs'][:8]}"
            f" > Cor 4.2's bound {w['certificate']['rhs'][:8]} at T = {w['T']} (certified), and "
            f"{brief(adam)} up to T = {T:.0e}; AMSGrad on the same game: {brief(ams)}")
    return Verdict("kb.cor4.2", "refuted-as-stated" if fixed else "refuted", summ, ev,
                   "With AMSGrad's vhat_t = max(vhat_(t-1), v_t) (Gamma_t PSD; RKK Thm 4, "
                   "check rkk.thm4) the average regret goes to 0 on the same instance "
                   "(verified by simulation; the rate is O(sqrt(log T / T)) by RKK Thm 4)"
                   if fixed else None)


__all__ = ["check_kb_cor42", "sec5_online", "sec5_stochastic", "thm1", "thm1_instances"]
