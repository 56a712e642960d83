r"""Claims about AdaBelief's and Yogi's guarantees (issue 20).

Sources: [AB] Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris & Duncan, "AdaBelief
Optimizer: Adapting Stepsizes by the Belief in Observed Gradients", NeurIPS 2020,
arXiv:2010.07468.  [Yogi] Zaheer, Reddi, Sachan, Kale & Kumar, "Adaptive Methods for
Nonconvex Optimization", NeurIPS 2018.

What could be read.  Neither paper's body was readable from here (only the abstracts
and the public discussion of the implementations).  [AB] Theorem 2.1 is transcribed
from a public restatement of the theorem and its proof (see
:mod:`adamlab.theory.regret.belief`); its constants are to be checked against the
paper.  [Yogi]'s abstract says its analysis is for smooth *nonconvex stochastic*
problems (convergence to stationarity up to the gradient variance, which larger
minibatches reduce) -- not a regret bound; its theorems' constants were not readable,
so no claim transcribes them.  The Yogi claim here is about Algorithm 2's v_t line,
whose form the implementations agree on (TensorFlow Addons by the first author, optax,
torch-optimizer), as adamlab's Yogi docstring states it.
"""
from __future__ import annotations

import sympy as sp

from adamlab.theory.regret import belief as tb

from ..checks import belief_regret, yogi_step
from ..claim import Check, Claim, Quantifier
from ..methods.combine import AllOf, Part
from .notation import R, T, Tex

#: the theorem's text was not readable here: transcribed from a public restatement
_AB_SOURCE = "[AB] Thm 2.1 (via a restatement)"


def _display(expr):
    """The theory's bound with its run statistics written as in the paper."""
    return expr.xreplace({sym: Tex(sym.name, tb.LATEX[sym], nonnegative=True)
                          for sym in (tb.sum_s_sqrt, tb.sum_g2_norm, tb.sum_b1t_s_over_alpha)})


_bt1, _b2 = (sp.Symbol(n, nonnegative=True) for n in (r"\beta_{1t}", r"\beta_2"))
_s_t, _s_next = sp.Symbol("s_t", nonnegative=True), sp.Symbol("s_{t+1}", nonnegative=True)
_s_ti = sp.Symbol("s_{t,i}", nonnegative=True)
_READING = ("the iteration the proof analyses -- m_t = b1_t m_(t-1) + (1-b1_t) g_t, s_t = "
            "b2 s_(t-1) + (1-b2)(g_t - m_t)^2 + eps, theta_(t+1) = Pi_F(theta_t - alpha_t "
            "m_t/sqrt(s_t)), no bias correction, b1_t = b1 lam^(t-1) (lam = 1: constant) -- on "
            "F = [-1,1] (D_inf = 2) with linear losses; only games with s_t <= s_(t+1) count, "
            "c = min_t s_t (the largest c allowed, the smallest bound). Algorithm 2's "
            "bias-corrected iterates are decided as two further readings, not counted")

_v_prev, _v_t = sp.Symbol("v_{t-1}", real=True), sp.Symbol("v_t", real=True)
_g_t = sp.Symbol("g_t", real=True)

CLAIMS = (
    Claim("adabelief.thm2.1", _AB_SOURCE,
          "Let theta_t, s_t be AdaBelief's sequences, 0 <= b2 < 1, alpha_t = alpha/sqrt(t), "
          "0 <= b1_t <= b1 < 1, s_t <= s_(t+1), F convex with inf-diameter D_inf, f_t convex, "
          "s_(t,i) >= c > 0. Then R(T) <= D_inf^2 sqrt(T)/(2 "
          "alpha (1-b1)) sum_i s_(T,i)^(1/2) + (1+b1) alpha sqrt(1+log T)/(2 sqrt(c) "
          "(1-b1)^3) sum_i ||g^2_(1:T,i)||_2 + D_inf^2/(2(1-b1)) sum_t sum_i b1_t "
          "s_(t,i)^(1/2)/alpha_t.",
          lambda: sp.Le(R(T), _display(tb.BOUND)),
          AllOf((Part("the proof's iteration (no bias correction)",
                      belief_regret.BeliefRegret("proof")),
                 Part("Algorithm 2 (bias-corrected, bound in s_t)",
                      belief_regret.BeliefRegret("algorithm2"), "reading"),
                 Part("Algorithm 2, bound and hypotheses in shat_t = (s_t + eps)/(1 - b2^t)",
                      belief_regret.BeliefRegret("algorithm2-shat"), "reading")),
                reading=_READING),
          lambda: (sp.Le(0, _b2, evaluate=False), sp.Lt(_b2, 1), "alpha_t = alpha/sqrt(t)",
                   sp.Le(0, _bt1, evaluate=False), sp.Le(_bt1, tb.beta1),
                   sp.Lt(tb.beta1, 1), sp.Le(_s_t, _s_next), sp.Ge(_s_ti, tb.c),
                   "F convex with inf-diameter D_inf", "f_t convex"),
          Quantifier("adabelief", {"lr": "alpha/sqrt(t)", "betas": "(b1 lam^(t-1), b2)",
                                   "bias correction": "none (the proof's iteration)"},
                     "linear losses on [-1, 1] (one coordinate suffices)")),
    Claim("yogi.alg2.v-step", "[Yogi] Alg. 2, v_t line (docstring)",
          "With v_t = v_(t-1) - (1-b2) sign(v_(t-1) - g_t^2) g_t^2, v_t moves by exactly "
          "(1-b2) g_t^2 towards g_t^2 (not at all when v_(t-1) = g_t^2), so |v_t - v_(t-1)| <= "
          "(1-b2) g_t^2 whatever v_(t-1) is, and v_t >= 0 always (v_0 >= 0, 0 <= b2 < 1).",
          lambda: sp.And(sp.Le(sp.Abs(_v_t - _v_prev), (1 - _b2) * _g_t**2),
                         sp.Ge(_v_t, 0, evaluate=False)),
          Check(yogi_step.check_v_step, "symbolic"),
          lambda: (sp.Eq(_v_t, _v_prev - (1 - _b2) * sp.sign(_v_prev - _g_t**2) * _g_t**2),
                   sp.Le(0, _b2, evaluate=False), sp.Lt(_b2, 1), sp.Ge(_v_prev, 0, evaluate=False),
                   "g_t any real number"),
          Quantifier("yogi", {"variant": "paper"}, "every gradient and every v_(t-1) >= 0")),
)

__all__ = ["CLAIMS"]
