r"""Claims of Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.

arXiv:1412.6980v9: Algorithm 1, §2 (the efficient order), §2.1 (the effective step),
§3 (bias correction), §4 (Theorem 4.1, Corollary 4.2), §5 (AdaGrad), §7 (AdaMax,
averaging) and the proofs of the appendix (Lemmas 10.3, 10.4, Theorem 10.5).
Each entry is the whole claim: text as printed, mathematics, hypotheses, what it
quantifies over, and the method that decides it.
"""
from __future__ import annotations

import sympy as sp

from adamlab.theory.regret import bounds as rb

from ..checks import final_display, moment_checks, regret, simulations, step_size, theorems
from ..claim import Assumption, Check, Claim, Quantifier
from .notation import (D_inf, Delta, Delta_t, E, G, G_inf, R, T, alpha, b1_t, beta1, beta2, c,
                       d, eps, epshat, g_seq, g_sq, g_t, g_ti, gamma, gnorm_i, i, lam,
                       m_t, mhat_t, mhat_ti, p, t, theta_prev, theta_star, theta_t, u_prev,
                       u_t, v_t, vhat_t, vhat_ti, zeta)

KB = "Kingma & Ba, ICLR 2015, arXiv:1412.6980v9"
ADAM = "adam"
_UNIT = (sp.Le(0, beta1, evaluate=False), sp.Lt(beta1, 1), sp.Le(0, beta2, evaluate=False),
         sp.Lt(beta2, 1))
_ANY_G = "g_t any real sequence"
_STEP = Quantifier(ADAM, {"eps": 0, "betas": "(beta1, beta2)"},
                   "every real gradient sequence (sup over sequences, exact)")


#: the algorithm Theorem 4.1 analyses (what the regret plots check before drawing it)
_KB_ALG = dict(
    family="adam", selects={"amsgrad": False, "decoupled_weight_decay": False},
    assumes=(Assumption("no weight decay (weight_decay = 0)", "weight_decay", 0.0),
             Assumption("eps = 0 (the proof divides by sqrt(vhat))", "eps", 0.0),
             Assumption("bias correction 1 - beta1^t as in KB's proof (beta1_correction="
                        "'power')", "beta1_correction", "power", when_scheduled="betas[0]")))


def _alg1_step():
    return alpha * (m_t / (1 - beta1**t)) / (sp.sqrt(v_t / (1 - beta2**t)) + eps)


def _thm41():
    return sp.Le(R(T), rb.get("kb.thm4.1").expr)


def _thm41_hyps():
    return (*_UNIT, sp.Eq(gamma, beta1**2 / sp.sqrt(beta2)), sp.Lt(gamma, 1),
            sp.Eq(b1_t, beta1 * lam ** (t - 1)), sp.Lt(0, lam), sp.Lt(lam, 1),
            "alpha_t = alpha/sqrt(t)", "||g_t||_2 <= G, ||g_t||_inf <= G_inf",
            "||theta_n - theta_m||_2 <= D, ||theta_n - theta_m||_inf <= D_inf")


def _sum_t(expr):
    return sp.Sum(expr, (t, 1, T))


CLAIMS = (
    Claim("kb.alg1.efficient-order", "KB §2",
          'Replacing the last three lines of Algorithm 1 by alpha_t = '
          'alpha*sqrt(1-b2^t)/(1-b1^t), theta_t = theta_{t-1} - '
          'alpha_t*m_t/(sqrt(v_t)+epshat) gives the same algorithm (epshat is not '
          'defined further).',
          lambda: sp.Eq(alpha * sp.sqrt(1 - beta2**t) / (1 - beta1**t) * m_t
                        / (sp.sqrt(v_t) + epshat), _alg1_step()),
          Check(moment_checks.check_efficient_order, "witness"),
          lambda: (*_UNIT, _ANY_G, "for every t >= 1"),
          Quantifier(ADAM, {"eps_mode": "outside vs efficient"}, "every gradient sequence"),
          "the step of Algorithm 1 (right) equals the reordered step (left)"),
    Claim("kb.sec2.1.step-bound-a", "KB §2.1",
          'abs(Delta_t) <= alpha*(1-b1)/sqrt(1-b2) in the case (1-b1) > sqrt(1-b2).',
          lambda: sp.Le(sp.Abs(Delta_t), alpha * (1 - beta1) / sp.sqrt(1 - beta2)),
          Check(step_size.check_step_bound_a, "witness"),
          lambda: (sp.Gt(1 - beta1, sp.sqrt(1 - beta2)), *_UNIT, sp.Eq(eps, 0), _ANY_G),
          _STEP),
    Claim("kb.sec2.1.step-bound-b", "KB §2.1",
          'abs(Delta_t) <= alpha otherwise, i.e. when (1-b1) <= sqrt(1-b2).',
          lambda: sp.Le(sp.Abs(Delta_t), alpha),
          Check(step_size.check_step_bound_b, "witness"),
          lambda: (sp.Le(1 - beta1, sp.sqrt(1 - beta2)), *_UNIT, sp.Eq(eps, 0), _ANY_G),
          _STEP),
    Claim("kb.sec2.1.step-bound-equal", "KB §2.1",
          'When (1-b1) = sqrt(1-b2): abs(mhat_t/sqrt(vhat_t)) < 1, hence abs(Delta_t) < '
          'alpha.',
          lambda: sp.And(sp.Lt(sp.Abs(mhat_t / sp.sqrt(vhat_t)), 1),
                         sp.Lt(sp.Abs(Delta_t), alpha)),
          Check(step_size.check_step_bound_equal, "witness"),
          lambda: (sp.Eq(1 - beta1, sp.sqrt(1 - beta2)), *_UNIT, sp.Eq(eps, 0), _ANY_G),
          _STEP),
    Claim("kb.sec2.1.scale-invariance", "KB §2.1",
          'Delta_t is invariant to rescaling all gradients by a factor c > 0 (epsilon = '
          '0).',
          lambda: sp.Eq(Delta(c * g_seq), Delta(g_seq)),
          Check(step_size.check_scale_invariance, "induction"),
          lambda: (sp.Gt(c, 0, evaluate=False), sp.Eq(eps, 0), *_UNIT, _ANY_G),
          Quantifier(ADAM, {"eps": 0}, "every gradient sequence")),
    Claim("kb.sec3.ema-unroll", "KB §3 eq. 1",
          'v_t = (1-b2) * sum_{i=1}^t b2^(t-i) g_i^2 (and the same form for m_t with '
          'b1).',
          lambda: sp.And(sp.Eq(v_t, (1 - beta2) * sp.Sum(beta2**(t - i) * g_sq(i)**2,
                                                          (i, 1, t))),
                         sp.Eq(m_t, (1 - beta1) * sp.Sum(beta1**(t - i) * g_sq(i), (i, 1, t)))),
          Check(moment_checks.check_ema_unroll, "induction"),
          lambda: ("m_0 = v_0 = 0", *_UNIT, _ANY_G),
          Quantifier(ADAM, {}, "every gradient sequence")),
    Claim("kb.sec3.bias-correction", "KB §3 eqs. 2-4",
          'E[v_t] = E[g_t^2](1-b2^t) + zeta, with zeta = 0 when E[g_i^2] is stationary; '
          'likewise E[m_t] = E[g_t](1-b1^t) + zeta.',
          lambda: sp.And(sp.Eq(E(v_t), E(g_t**2) * (1 - beta2**t) + zeta),
                         sp.Eq(E(m_t), E(g_t) * (1 - beta1**t) + zeta)),
          Check(moment_checks.check_bias_correction, "symbolic"),
          lambda: (*_UNIT, "zeta = 0 if the moments E[g_i], E[g_i^2] are stationary"),
          Quantifier(ADAM, {}, "gradient sequences with finite moments")),
    Claim("kb.sec5.adagrad-limit", "KB §5",
          'With b1 = 0 and b2 -> 1, vhat_t -> (1/t) * sum_{i=1}^t g_i^2, so Adam with '
          'alpha_t = alpha/sqrt(t) becomes AdaGrad.',
          lambda: sp.Eq(sp.Limit(vhat_t, beta2, 1, "-"),
                        sp.Sum(g_sq(i)**2, (i, 1, t)) / t),
          Check(moment_checks.check_adagrad_limit, "symbolic"),
          lambda: (sp.Eq(beta1, 0), "alpha_t = alpha/sqrt(t)", _ANY_G),
          Quantifier(ADAM, {"betas": "(0, beta2 -> 1-)", "lr": "alpha/sqrt(t)"},
                     "every gradient sequence")),
    Claim("kb.thm4.1", "KB Thm 4.1",
          'If abs-gradients are bounded (norm2 <= G, norm_inf <= G_inf), iterates '
          'satisfy norm2(theta_n-theta_m) <= D and norm_inf(theta_m-theta_n) <= D_inf, '
          'b1,b2 in [0,1) with gamma = b1^2/sqrt(b2) < 1, alpha_t = alpha/sqrt(t), b1_t '
          '= b1*lambda^(t-1), lambda in (0,1), then for all T >= 1: R(T) <= D^2/(2 '
          'alpha (1-b1)) * sum_i sqrt(T vhat_{T,i}) + alpha(1+b1) G_inf / ((1-b1) '
          'sqrt(1-b2) (1-gamma)^2) * sum_i norm2(g_{1:T,i}) + sum_i D_inf^2 G_inf '
          'sqrt(1-b2) / (2 alpha (1-b1) (1-lambda)^2).',
          _thm41, Check(theorems.check_kb_thm41, "witness"), _thm41_hyps,
          Quantifier(ADAM, {"lr": "alpha/sqrt(t)", "betas": "(beta1*lam^(t-1), beta2)",
                            "eps": 0}, "online convex games on a bounded domain (projected)",
                     **_KB_ALG)),
    Claim("kb.cor4.2", "KB Cor 4.2",
          'Under bounded gradients and bounded distances, R(T)/T = O(1/sqrt(T)), so lim '
          'R(T)/T = 0.',
          lambda: sp.Eq(sp.Limit(R(T) / T, T, sp.oo), 0),
          Check(simulations.check_kb_cor42, "mixed"), _thm41_hyps,
          Quantifier(ADAM, {"lr": "alpha/sqrt(t)", "betas": "(beta1*lam^(t-1), beta2)",
                            "eps": 0}, "online convex games on a bounded domain (projected)",
                     **_KB_ALG)),
    Claim("kb.lemma10.3", "KB Lemma 10.3",
          'If norm2(g_t) <= G and norm_inf(g_t) <= G_inf then sum_{t=1}^T '
          'sqrt(g_{t,i}^2 / t) <= 2 G_inf norm2(g_{1:T,i}).',
          lambda: sp.Le(_sum_t(sp.sqrt(g_ti**2 / t)), 2 * G_inf * gnorm_i),
          Check(regret.check_lemma_10_3, "witness"),
          lambda: ("the 2-norm of g_t is at most G", "its inf-norm at most G_inf"),
          Quantifier(None, {}, "every bounded gradient sequence")),
    Claim("kb.lemma10.4", "KB Lemma 10.4",
          'With gamma = b1^2/sqrt(b2) < 1 and bounded gradients: sum_{t=1}^T '
          'mhat_{t,i}^2 / sqrt(t vhat_{t,i}) <= 2/(1-gamma) * 1/sqrt(1-b2) * '
          'norm2(g_{1:T,i}).',
          lambda: sp.Le(_sum_t(mhat_ti**2 / sp.sqrt(t * vhat_ti)),
                        2 / (1 - gamma) / sp.sqrt(1 - beta2) * gnorm_i),
          Check(regret.check_lemma_10_4, "witness"),
          lambda: (*_UNIT, sp.Eq(gamma, beta1**2 / sp.sqrt(beta2)), sp.Lt(gamma, 1),
                   "bounded gradients"),
          Quantifier(ADAM, {"eps": 0}, "every bounded gradient sequence")),
    Claim("kb.proof10.5.telescoping", "KB proof of Thm 10.5",
          'The sum over t >= 2 of (theta_{t,i}-theta*_i)^2/(2(1-b1)) * '
          '(sqrt(vhat_{t,i})/alpha_t - sqrt(vhat_{t-1,i})/alpha_{t-1}), plus the t = 1 '
          'term, is at most D^2/(2 alpha (1-b1)) * sqrt(T vhat_{T,i}).',
          lambda: _telescoping(),
          Check(regret.check_telescoping, "witness"),
          lambda: (*_UNIT, "alpha_t = alpha/sqrt(t)",
                   "||theta_t - theta*||_2 <= D"),
          Quantifier(ADAM, {"lr": "alpha/sqrt(t)", "eps": 0}, "projected online games")),
    Claim("kb.proof10.5.vhat-bound", "KB proof of Thm 10.5",
          'sqrt(t vhat_{t,i}) <= G_inf * sqrt(1-b2) * sqrt(t).',
          lambda: sp.Le(sp.sqrt(t * vhat_ti), G_inf * sp.sqrt(1 - beta2) * sp.sqrt(t)),
          Check(regret.check_vhat_bound, "witness"),
          lambda: (*_UNIT, sp.Le(sp.Abs(g_ti), G_inf)),
          Quantifier(ADAM, {}, "every gradient sequence with |g_t,i| <= G_inf")),
    Claim("kb.proof10.5.lambda-sum", "KB proof of Thm 10.5",
          'sum_{t=1}^T b1_t/(1-b1_t) * sqrt(t) <= 1/((1-b1)(1-lambda)^2) for b1_t = '
          'b1*lambda^(t-1).',
          lambda: sp.Le(_sum_t(b1_t / (1 - b1_t) * sp.sqrt(t)),
                        1 / ((1 - beta1) * (1 - lam)**2)),
          Check(regret.check_lambda_sum, "induction"),
          lambda: (sp.Eq(b1_t, beta1 * lam**(t - 1)), sp.Le(0, beta1, evaluate=False),
                   sp.Lt(beta1, 1),
                   sp.Lt(0, lam), sp.Lt(lam, 1)),
          Quantifier(None, {}, "every T >= 1")),
    Claim("kb.proof10.5.final-display", "KB proof of Thm 10.5, last display",
          "The proof's final inequality equals the statement of Thm 4.1 (compare the "
          "third term's denominator).",
          lambda: sp.Eq(sp.Symbol(r"\mathrm{last\ display}(T)"), rb.get("kb.thm4.1").expr),
          Check(final_display.check_final_display, "symbolic"), _thm41_hyps,
          Quantifier(ADAM, {}, "the terms of the proof, composed symbolically")),
    Claim("kb.sec7.1.adamax-limit", "KB §7.1 eqs. 6-12",
          'u_t = lim_{p->inf} (v_t)^(1/p) with the p-norm recursion equals '
          'max(b2*u_{t-1}, abs(g_t)).',
          lambda: sp.Eq(sp.Limit(sp.Symbol("v_t^{(p)}", nonnegative=True)**(1 / p), p, sp.oo),
                        sp.Max(beta2 * u_prev, sp.Abs(g_t))),
          Check(moment_checks.check_adamax_limit, "symbolic"),
          lambda: (*_UNIT, "v_t^(p) = b2^p v_(t-1)^(p) + (1-b2^p)|g_t|^p", _ANY_G),
          Quantifier("adamax", {}, "every gradient sequence")),
    Claim("kb.sec7.1.adamax-step-bound", "KB §7.1",
          'For AdaMax, theta_t = theta_{t-1} - (alpha/(1-b1^t)) m_t/u_t, abs(Delta_t) '
          '<= alpha.',
          lambda: sp.Le(sp.Abs(theta_t - theta_prev), alpha),
          Check(step_size.check_adamax_step_bound, "witness"),
          lambda: (sp.Eq(theta_t, theta_prev - alpha / (1 - beta1**t) * m_t / u_t), *_UNIT,
                   _ANY_G),
          Quantifier("adamax", {"eps": 0}, "every gradient sequence")),
    Claim("kb.sec7.2.averaging-bias", "KB §7.2",
          'The EMA of iterates with initialisation 0, divided by (1-b2^t), is an '
          'unbiased average (the same correction as §3).',
          lambda: sp.Eq(sp.Symbol(r"\bar\theta_t") / (1 - beta2**t), theta_star),
          Check(moment_checks.check_averaging_bias, "symbolic"),
          lambda: (sp.Eq(sp.Symbol(r"\theta_i", real=True), theta_star),
                   r"thetabar_t = b2 thetabar_(t-1) + (1-b2) theta_t, thetabar_0 = 0",
                   sp.Le(0, beta2, evaluate=False), sp.Lt(beta2, 1)),
          Quantifier(None, {}, "a constant sequence of iterates (unbiasedness)")),
)


def _telescoping():
    th = sp.Symbol(r"\theta_{t,i}", real=True)
    th1 = sp.Symbol(r"\theta_{1,i}", real=True)
    vprev = sp.Symbol(r"\hat v_{t-1,i}", nonnegative=True)
    v1 = sp.Symbol(r"\hat v_{1,i}", nonnegative=True)
    vT = sp.Symbol(r"\hat v_{T,i}", nonnegative=True)
    a_t, a_prev = sp.Symbol(r"\alpha_t", positive=True), sp.Symbol(r"\alpha_{t-1}", positive=True)
    D = sp.Symbol("D", nonnegative=True)
    lhs = (th1 - theta_star)**2 * sp.sqrt(v1) / (2 * alpha * (1 - beta1)) + sp.Sum(
        (th - theta_star)**2 / (2 * (1 - beta1)) * (sp.sqrt(vhat_ti) / a_t - sp.sqrt(vprev)
                                                     / a_prev), (t, 2, T))
    return sp.Le(lhs, D**2 / (2 * alpha * (1 - beta1)) * sp.sqrt(T * vT))


_ = (D_inf, G, d, vhat_t)  # notation shared with the other papers' modules
__all__ = ["CLAIMS", "KB"]
