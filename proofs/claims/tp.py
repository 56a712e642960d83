r"""Claims of Tran Thi Phuong & Le Trieu Phong, "On the Convergence Proof of AMSGrad and a
New Version", IEEE Access 7 (2019), arXiv:1904.03590, §3: the step of Reddi, Kale &
Kumar's proof of their Theorem 4 that needs a monotone sequence.

The step is shown in the step-checked proof of ``rkk.thm4`` (``adamlab prove rkk.thm4``).
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ..claim import Claim, Quantifier
from ..methods.rules import TS
from ..methods.combine import AllOf, Part
from ..methods.sequences import Monotone
from .algorithms import ALPHA_T, AMSGRAD_RKK, B1_T, b1, b2, vhat
from .notation import Tex

#: the per-coordinate weight of the telescoping sum in RKK's proof of Theorem 4
WEIGHT = sp.sqrt(vhat) / (ALPHA_T * (1 - B1_T))


def _weight(vhat_tex: str, step):
    """The weight at ``step`` with a display symbol for its vhat (for the statement)."""
    return WEIGHT.xreplace({vhat: Tex(vhat_tex.strip("\\").replace("{", "").replace(
        "}", "").replace(",", "_"), vhat_tex, real=True), TS: step})


_SPACE = ("b2 in [0.5, 0.99], b1 < sqrt(b2), b1_t = b1 lam^(t-1) with lam in (0, 1), "
          "alpha = 1, gradients in [-1, 1] (multiples of 1/10), 6 steps; AMSGrad as [RKK] "
          "Algorithm 2 (the projection does not change vhat)")


def _constant_b1(rng):
    """:func:`_runs` with lam = 1 (a constant b1_t = b1)."""
    params, grads = _runs(rng)
    return dict(params, lambda_1=Fraction(1)), grads


def _runs(rng):
    """A run inside Theorem 4's hypotheses: b2 in (0, 1), b1 < sqrt(b2) (gamma < 1),
    b1_t = b1 lam^(t-1) <= b1, alpha_t = alpha/sqrt(t), gradients in [-1, 1], 6 steps."""
    b2v = Fraction(int(rng.integers(50, 100)), 100)
    b1v = Fraction(int(rng.integers(1, 95)), 100)
    while b1v * b1v >= b2v:
        b1v /= 2
    lam = Fraction(int(rng.integers(1, 100)), 100)
    grads = [Fraction(int(rng.integers(-10, 11)), 10) or Fraction(1, 10) for _ in range(6)]
    return ({"beta_1": b1v, "beta_2": b2v, "lambda_1": lam, "alpha": Fraction(1),
             "theta_0": Fraction(0)}, grads)


CLAIMS = (
    Claim("tp.rkk-proof4-step", "TP §3 (on RKK's proof of Thm 4)",
          "RKK's proof of Thm 4 telescopes because sqrt(vhat_{t,i})/(alpha_t (1 - b1_t)) is "
          "non-decreasing in t for every AMSGrad run that meets Thm 4's hypotheses (b1_t <= "
          "b1, alpha_t = alpha/sqrt(t), vhat_t = max(vhat_{t-1}, v_t)).",
          lambda: sp.Ge(_weight(r"\hat v_{t+1,i}", TS + 1), _weight(r"\hat v_{t,i}", TS)),
          AllOf((Part("non-decreasing on every run inside the hypotheses",
                      Monotone(AMSGRAD_RKK, WEIGHT, _runs, _SPACE)),
                 Part("with a constant b1_t = b1 (lam = 1) the weight is non-decreasing",
                      Monotone(AMSGRAD_RKK, WEIGHT, _constant_b1,
                               _SPACE.replace("lam in (0, 1)", "lam = 1")), "reading")),
                reading="every run of [RKK] Algorithm 2 with b1_t <= b1 (here b1_t = b1 "
                        "lam^(t-1), the schedule of Corollary 1), alpha_t = alpha/sqrt(t)",
                corrected="The weight sqrt(vhat_t,i)/(alpha_t (1 - b1_t)) is non-decreasing "
                          "when b1_t is constant (then vhat_t, the max, and 1/alpha_t = "
                          "sqrt(t)/alpha both are), but not for decreasing b1_t such as "
                          "b1 lam^(t-1): 1/(1 - b1_t) falls. With b1_t <= b1 the proof must "
                          "bound 1/(1 - b1_t) by 1/(1 - b1) before telescoping, as Tran & "
                          "Phong point out."),
          lambda: (sp.Lt(b1, sp.sqrt(b2)), "b1_t = b1 lam^(t-1) <= b1",
                   "alpha_t = alpha/sqrt(t)", "vhat_t = max(vhat_(t-1), v_t)"),
          Quantifier("amsgrad", {"amsgrad_mode": "reddi", "betas": "(b1 lam^(t-1), b2)",
                                 "lr": "alpha/sqrt(t)", "eps": 0},
                     "every gradient sequence (the weight does not depend on the iterates)")),
)

__all__ = ["CLAIMS", "WEIGHT"]
