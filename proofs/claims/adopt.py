r"""ADOPT's headline claim: convergence "with any :math:`\beta_2`" (issue 20).

Source: Taniguchi, Harada, Minegishi, Oshima, Jeong, Nagahara, Iiyama, Suzuki, Iwasawa
& Matsuo, "ADOPT: Modified Adam Can Converge with Any :math:`\beta_2` with the Optimal
Rate", NeurIPS 2024 (arXiv:2411.02853): the title, and the abstract's sentence that ADOPT
"achieves the optimal convergence rate of :math:`O(1/\sqrt T)` with any choice of
:math:`\beta_2` without depending on the bounded noise assumption".  What was read: the
title and abstract (arXiv, OpenReview), and the authors' README and code
(github.com/iShohei220/adopt).  What could not be read here: the body of the paper --
the number, exact hypotheses and step-size schedule of its convergence theorem (a
third-party summary places it in smooth nonconvex stochastic optimization under a
bounded-second-moment assumption, the paper's Assumption 2.5, as opposed to a uniform
bound on the stochastic gradient, its Assumption 2.6; not checked against the paper).
So the claim is the headline as printed, and the reading below says how it is checked.

The reading (:mod:`adamlab.proofs.checks.adopt_rkk`): Reddi, Kale & Kumar's problems
that defeat Adam -- their Theorem 3 (stochastic) and Theorem 2 (online) constructions at
:math:`\beta_1 = 0` and each :math:`\beta_2` of a grid -- played by ADOPT (Algorithm 1:
unclipped, as first published; :math:`\beta_1 = 0.9`, :math:`\epsilon = 10^{-6}`,
:math:`\alpha_t = \alpha/\sqrt t`).  These problems are convex (linear losses on
:math:`[-1, 1]`, with projection) with bounded gradients, hence bounded second moments;
they are not the paper's unconstrained smooth nonconvex setting, and the paper's
stationarity measure is replaced by the distance of the last iterate to the optimum and
the average regret.  The clipped ADOPT of the revised paper and the authors' code is a
second reading; Adam on the same problems is the contrast.
"""
from __future__ import annotations

import sympy as sp

from ..checks import adopt_rkk
from ..claim import Claim, Quantifier
from ..methods.combine import AllOf, Part
from .notation import R, T, beta1, beta2, eps, t, theta_star, theta_t

_READING = (
    "ADOPT's headline, read on the problems that defeat Adam: Reddi, Kale & Kumar's "
    "Theorem 3 (stochastic: f_t(x) = C x with probability 1/C_2, -x otherwise, on "
    "[-1, 1], optimum -1) and Theorem 2 (online: the period-C game) constructions at "
    "(b1, b2) = (0, b2), on which Adam with (0, b2) provably fails, for b2 in {0.1, 0.5, "
    "0.9} (--thorough: 0.01 to 0.99, and also ADOPT's b1 = 0, Adam's own "
    "hyperparameters); ADOPT = the registry's 'adopt' as Algorithm 1 (unclipped, the "
    "version as first published), b1 = 0.9, eps = 1e-6 (> 0), alpha_t = alpha/sqrt(t), "
    "alpha = 0.5. "
    "'Converges' = the last iterate within 0.5 of the optimum in every seed with R(T)/T "
    "decreasing (stochastic), and the average regret going to 0 (online, rule "
    "'sublinear'). The verdict counts convergence only; 'the optimal rate' (R(T) = "
    "O(sqrt(T)), i.e. average regret O(1/sqrt(T)): rule 'sqrt-rate', log-log slope of "
    "R(T) on the last decade <= 0.55 and R(T)/T decreasing, every seed) is decided on "
    "the same runs as two readings, shown beside it and not counted, since a finite run "
    "can leave a rate undecided but never refute it. These problems are convex "
    "(linear losses on a box, with projection) with bounded gradients, not the paper's "
    "unconstrained smooth nonconvex setting, whose rate is about a stationarity measure. "
    "b2 near 1 is reached only with --thorough (0.99 at T = 1e7): ADOPT's "
    "iterate is thrown across [-1, 1] by the construction's rare large gradient C for "
    "about (alpha C)^2 steps, 1e6 at b2 = 0.99 and 2e8 at 0.999. The paper's theorem "
    "(number, hypotheses, schedule alpha/sqrt(T) or alpha/sqrt(t)) was not readable here.")

CLAIMS = (
    Claim("adopt.any-beta2",
          "Taniguchi et al., NeurIPS 2024 (arXiv:2411.02853), title and abstract",
          "ADOPT (modified Adam) can converge with any beta2 with the optimal rate: it "
          "achieves the optimal convergence rate of O(1/sqrt(T)) with any choice of beta2 "
          "without depending on the bounded noise assumption.",
          lambda: sp.And(sp.Eq(sp.Limit(R(T) / T, T, sp.oo), 0),
                         sp.Eq(sp.Limit(theta_t, t, sp.oo), theta_star)),
          AllOf((Part("stochastic: ADOPT's last iterate ends within 0.5 of x* = -1 in every "
                      "seed, R(T)/T decreasing, on RKK Thm 3's problem at every b2 of the "
                      "grid", adopt_rkk.method("stochastic")),
                 Part("online: ADOPT's average regret goes to 0 on RKK Thm 2's game at "
                      "every b2 of the grid", adopt_rkk.method("online")),
                 Part("the rate, stochastic: R(T) grows at most like sqrt(T) (log-log slope "
                      "<= 0.55 on the last decade, R(T)/T decreasing) at every b2 of the "
                      "grid", adopt_rkk.method("stochastic-rate"), "reading"),
                 Part("the rate, online: the same on RKK Thm 2's game",
                      adopt_rkk.method("online-rate"), "reading"),
                 Part("clipped ADOPT (c_s = s^(1/4); revised paper, authors' code) on the "
                      "stochastic problem", adopt_rkk.method("clipped"), "reading"),
                 Part("contrast: Adam with (0, b2) stays far from -1 on the same "
                      "stochastic problems", adopt_rkk.method("adam-stochastic"), "report"),
                 Part("contrast: Adam with (0, b2) has linear regret on the same online "
                      "games", adopt_rkk.method("adam-online"), "report")),
                reading=_READING),
          lambda: (sp.Le(0, beta2, evaluate=False), sp.Lt(beta2, 1),
                   sp.Eq(beta1, sp.Rational(9, 10)), sp.Gt(eps, 0),
                   "alpha_t = alpha/sqrt(t), alpha > 0",
                   "ADOPT as Algorithm 1 (no clipping)",
                   "problems: RKK Thm 2 and Thm 3 constructions at (0, beta2) on [-1, 1]"),
          Quantifier("adopt", {"betas": "(0.9, beta2), any 0 <= beta2 < 1",
                               "eps": adopt_rkk.EPS, "lr": "alpha/sqrt(t)", "clip": False},
                     "RKK Thm 3 (rkk-stochastic) and Thm 2 (rkk-thm1, period C, scaled) "
                     "constructions at (b1, b2) = (0, b2)")),
)

__all__ = ["CLAIMS"]
