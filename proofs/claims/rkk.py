r"""Claims of Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.

Camera-ready version: §3 (eq. 2, the matrix Gamma), Theorem 1 (the online
counterexample), §5 (the synthetic experiments), Theorem 4 and Corollary 1
(AMSGrad's regret, their Algorithm 2); Theorems 2 and 3 (a counterexample for every
b1 < sqrt(b2), online and stochastic: the constructions and grids of
:mod:`adamlab.proofs.checks.rkk_family`).
"""
from __future__ import annotations

import sympy as sp

from adamlab.theory.regret import bounds as rb
from adamlab.theory.regret import quantities as rq

from ..checks import gamma_psd, oco_search, regret, rkk_family, simulations
from ..claim import Assumption, Check, Claim, Quantifier
from ..methods.asymptotic import Asymptotic
from ..methods.search_method import Search
from .notation import (Gamma_next, R, T, alpha, b1_t, beta1, beta2, gamma, lam, lambda_min,
                       t, theta_star, theta_t)

_C = sp.Symbol("C", positive=True)
_ONLINE = "f_t(x) = C x for t mod 3 = 1, -x otherwise, on F = [-1, 1]"


def _amsgrad_hyps(extra=()):
    return (sp.Le(0, beta1, evaluate=False), sp.Lt(beta1, 1), sp.Lt(beta2, 1),
            sp.Eq(gamma, beta1 / sp.sqrt(beta2)), sp.Lt(gamma, 1),
            sp.Le(b1_t, beta1), "alpha_t = alpha/sqrt(t)",
            "F has inf-diameter D_inf", "||grad f_t||_inf <= G_inf", *extra)


def _family_hyps(*extra):
    return (sp.Le(0, beta1, evaluate=False), sp.Lt(beta1, sp.sqrt(beta2)), sp.Lt(beta2, 1),
            "beta1_t = beta1 (constant)", "alpha_t = alpha/sqrt(t)", *extra)


def _adam_R(name):
    return sp.Function(r"R^{\mathrm{" + name + "}}")(T)


_AMSGRAD_RKK = Quantifier(
    "amsgrad", {"amsgrad_mode": "reddi", "eps": 0, "lr": "alpha/sqrt(t)",
                "betas": "(beta1_t <= beta1, beta2)"},
    "online convex games on a box (weighted projection = clip)",
    family="adam", selects={"amsgrad": True},
    assumes=(Assumption("no weight decay (weight_decay = 0)", "weight_decay", 0.0),
             Assumption("AMSGrad as Reddi et al.'s Algorithm 2 (amsgrad_mode='reddi': no "
                        "bias correction)", "amsgrad_mode", "reddi"),
             Assumption("eps = 0 (Algorithm 2 has no epsilon)", "eps", 0.0)))

CLAIMS = (
    Claim("rkk.gamma-psd", "RKK §3 eq. 2",
          'Gamma_{t+1} = sqrt(V_{t+1})/alpha_{t+1} - sqrt(V_t)/alpha_t is positive '
          'semidefinite for SGD and AdaGrad (and for AMSGrad), but can be indefinite '
          'for Adam and RMSProp.',
          lambda: sp.Ge(lambda_min(Gamma_next), 0),
          Check(gamma_psd.check_gamma_psd, "mixed"),
          lambda: (sp.Eq(Gamma_next, sp.Symbol(r"\frac{\sqrt{V_{t+1}}}{\alpha_{t+1}} - "
                                                  r"\frac{\sqrt{V_t}}{\alpha_t}")),
                   "for SGD, AdaGrad, AMSGrad (claimed PSD) and Adam, RMSProp (claimed "
                   "indefinite for some inputs)"),
          Quantifier(None, {"optimizers": "sgd, adagrad, amsgrad, adam, rmsprop"},
                     "every gradient sequence")),
    Claim("rkk.thm1", "RKK Thm 1",
          'On F = [-1,1] with f_t(x) = C x for t mod 3 = 1 and -x otherwise (C > 2), '
          'Adam with b1 = 0, b2 = 1/(1+C^2), alpha_t = alpha/sqrt(t) (alpha < '
          'sqrt(1-b2)) has R(T)/T not tending to 0.',
          lambda: sp.Ne(sp.Limit(R(T) / T, T, sp.oo), 0),
          Asymptotic(simulations.thm1(False), thorough=simulations.thm1(True)),
          lambda: (sp.Gt(_C, 2), sp.Eq(beta1, 0), sp.Eq(beta2, 1 / (1 + _C**2)),
                   sp.Lt(alpha, sp.sqrt(1 - beta2)), "alpha_t = alpha/sqrt(t)", _ONLINE),
          Quantifier("adam", {"betas": "(0, 1/(1+C^2))", "lr": "alpha/sqrt(t)", "eps": 0},
                     "rkk-thm1: " + _ONLINE)),
    Claim("rkk.sec5.online", "RKK §5",
          'On F = [-1,1] with f_t(x) = 1010 x for t mod 101 = 1 and -10 x otherwise, b1 '
          "= 0.9, b2 = 0.99: Adam's average regret does not go to 0 (it converges to x "
          "= +1); AMSGrad's does.",
          lambda: sp.And(sp.Ne(sp.Limit(_adam_R("Adam") / T, T, sp.oo), 0),
                         sp.Eq(sp.Limit(_adam_R("AMSGrad") / T, T, sp.oo), 0)),
          Asymptotic(simulations.sec5_online()),
          lambda: (sp.Eq(beta1, sp.Rational(9, 10)), sp.Eq(beta2, sp.Rational(99, 100)),
                   "f_t(x) = 1010 x for t mod 101 = 1, -10 x otherwise, on [-1, 1]"),
          Quantifier("adam", {"betas": "(0.9, 0.99)", "compared with": "amsgrad"},
                     "rkk-online")),
    Claim("rkk.sec5.stochastic", "RKK §5 / Thm 3",
          'With f_t(x) = 1010 x with probability 0.01 and -10 x otherwise, Adam does '
          'not converge to the optimum x = -1; AMSGrad does.',
          lambda: sp.And(sp.Ne(sp.Limit(sp.Symbol(r"\theta_t^{\mathrm{Adam}}"), t, sp.oo), -1),
                         sp.Eq(sp.Limit(sp.Symbol(r"\theta_t^{\mathrm{AMSGrad}}"), t, sp.oo),
                               -1)),
          Asymptotic(simulations.sec5_stochastic(False),
                     thorough=simulations.sec5_stochastic(True)),
          lambda: ("f_t(x) = 1010 x with probability 0.01, -10 x otherwise, on [-1, 1]",),
          Quantifier("adam", {"compared with": "amsgrad"}, "rkk-stochastic")),
    Claim("rkk.thm4", "RKK Thm 4 (camera-ready)",
          'AMSGrad with alpha_t = alpha/sqrt(t), b1_t <= b1, gamma = b1/sqrt(b2) < 1, '
          'diameter D_inf, norm_inf(grad) <= G_inf: R_T <= D_inf^2 '
          'sqrt(T)/(alpha(1-b1)) * sum_i vhat_{T,i}^(1/2) + D_inf^2/(2(1-b1)) * sum_t '
          'sum_i b1_t vhat_{t,i}^(1/2)/alpha_t + alpha sqrt(1+log T)/((1-b1)^2 '
          '(1-gamma) sqrt(1-b2)) * sum_i norm2(g_{1:T,i}).',
          lambda: sp.Le(R(T), rb.get("rkk.thm4").expr),
          Search(oco_search.SPACES["amsgrad-rkk"], rq.R, rb.get("rkk.thm4").expr,
                 reading="AMSGrad as Reddi et al.'s Algorithm 2: no bias correction, vhat_t = "
                         "max(vhat_(t-1), v_t), b1_1 = b1 and b1_t <= b1 (b1 lam^(t-1) and "
                         "non-monotone sequences), alpha_t = alpha/sqrt(t), weighted "
                         "projection (= clip on a box), D_inf = 2 (the diameter of F)",
                 thorough_game=oco_search.THOROUGH_GAME),
          _amsgrad_hyps, _AMSGRAD_RKK),
    Claim("rkk.cor1", "RKK Cor 1",
          'With b1_t = b1*lambda^(t-1), the middle term of Thm 4 is at most b1 D_inf^2 '
          'G_inf / (2(1-b1)(1-lambda)^2).',
          lambda: sp.Le(rb.get("rkk.thm4").term("momentum").expr,
                        rb.get("rkk.cor1").term("momentum decay").expr),
          Check(regret.check_rkk_cor1, "witness"),
          lambda: _amsgrad_hyps((sp.Eq(b1_t, beta1 * lam**(t - 1)), sp.Lt(0, lam),
                                 sp.Lt(lam, 1))),
          _AMSGRAD_RKK),
    Claim("rkk.thm2", "RKK Thm 2",
          'For any b1, b2 in [0, 1) with b1 < sqrt(b2), there is an online convex '
          'optimization problem on which Adam (constant b1, alpha_t = alpha/sqrt(t)) has '
          'R(T)/T not tending to 0.',
          lambda: sp.Ne(sp.Limit(R(T) / T, T, sp.oo), 0),
          Asymptotic(rkk_family.thm2(False), T=200_000, T_thorough=10**7,
                     thorough=rkk_family.thm2(True), summary="grid",
                     about=rkk_family.about(2)),
          lambda: _family_hyps("F = [-1, 1]; f_t(x) = s C x if t mod C = 1, -s x otherwise, "
                               "C = C(b1, b2) (rkk_family.thm2_problem)"),
          Quantifier("adam", {"betas": "(b1, b2), 0 <= b1 < sqrt(b2) < 1",
                              "lr": "alpha/sqrt(t)", "eps": 0},
                     "rkk-thm1 with period C(b1, b2), slopes s C and -s (RKK Thm 2's game "
                     "times s)")),
    Claim("rkk.thm3", "RKK Thm 3",
          'For any b1, b2 in [0, 1) with b1 < sqrt(b2), there is a stochastic convex '
          'optimization problem for which Adam does not converge to the optimal solution.',
          lambda: sp.Ne(sp.Limit(theta_t, t, sp.oo), theta_star),
          Asymptotic(rkk_family.thm3(False), T=100_000, T_thorough=10**6,
                     thorough=rkk_family.thm3(True), summary="grid",
                     about=rkk_family.about(3)),
          lambda: _family_hyps(sp.Eq(theta_star, -1),
                               "F = [-1, 1]; f_t(x) = C x with probability p = (1+delta)/(C+1), "
                               "-x otherwise, i.i.d.; E f_t(x) = delta x; C = C(b1, b2) "
                               "(rkk_family.thm3_problem)"),
          Quantifier("adam", {"betas": "(b1, b2), 0 <= b1 < sqrt(b2) < 1",
                              "lr": "alpha/sqrt(t)", "eps": 0},
                     "rkk-stochastic with C(b1, b2), p = (1+delta)/(C+1), slope_other 1")),
)

_ = theta_t
__all__ = ["CLAIMS"]
