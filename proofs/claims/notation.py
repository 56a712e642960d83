r"""The notation of the claims' statements, as SymPy objects (for the generated LaTeX).

Names follow Kingma & Ba (arXiv:1412.6980v9) and Reddi, Kale & Kumar (ICLR 2018);
the run-statistics names are those of :mod:`adamlab.theory.regret.quantities`
(``adamlab list names`` prints them).  Sequences indexed by the step are written as
indexed symbols (``m_t``), functions of a sequence as undefined functions.
"""
from __future__ import annotations

import sympy as sp

from adamlab.theory.regret.quantities import D, D_inf, G, G_inf, T, d, eta, lam
from adamlab.theory.symbols import alpha, beta1, beta2, c, eps, epshat, i, p, t

class Tex(sp.Symbol):
    """A symbol with its own LaTeX (names such as E[g^2]_t, which SymPy would split at
    ``^`` and ``_``); it behaves as the plain symbol ``name`` everywhere else (code
    generation uses the name)."""

    def __new__(cls, name, tex=None, **assumptions):
        obj = sp.Symbol.__xnew__(cls, name, **assumptions)
        obj._tex = tex or name
        return obj

    def __getnewargs_ex__(self):
        return ((self.name, self._tex), self.assumptions0)

    def _latex(self, printer):
        return self._tex


gamma = sp.Symbol("gamma", nonnegative=True)
Delta_t = sp.Symbol(r"\Delta_t", real=True)
m_t, v_t = sp.Symbol("m_t", real=True), sp.Symbol("v_t", nonnegative=True)
u_t, u_prev = sp.Symbol("u_t", nonnegative=True), sp.Symbol("u_{t-1}", nonnegative=True)
mhat_t, vhat_t = sp.Symbol(r"\hat m_t", real=True), sp.Symbol(r"\hat v_t", nonnegative=True)
mhat_ti = sp.Symbol(r"\hat m_{t,i}", real=True)
vhat_ti = sp.Symbol(r"\hat v_{t,i}", nonnegative=True)
vhat_Ti = sp.Symbol(r"\hat v_{T,i}", nonnegative=True)
g_t = sp.Symbol("g_t", real=True)
g_ti = sp.Symbol("g_{t,i}", real=True)
gnorm_i = sp.Symbol(r"\lVert g_{1:T,i}\rVert_2", nonnegative=True)
theta_t, theta_prev = sp.Symbol(r"\theta_t", real=True), sp.Symbol(r"\theta_{t-1}", real=True)
b1_t = sp.Symbol(r"\beta_{1,t}", nonnegative=True)
zeta = sp.Symbol("zeta", real=True)

R = sp.Function("R")                    # the regret R(T)
E = sp.Function(r"\mathbb{E}")          # expectation
Delta = sp.Function(r"\Delta_t")        # the step as a function of the gradient sequence
g_seq = sp.Symbol("g_{1:t}", real=True)
g_sq = sp.Function("g")                 # g_i as a function of the index
ema = sp.Function(r"\bar\theta_t")      # the EMA of the iterates
lambda_min = sp.Function(r"\lambda_{\min}")
Gamma_next = sp.Symbol(r"\Gamma_{t+1}")
theta_star = sp.Symbol(r"\theta^*", real=True)

__all__ = ["D", "D_inf", "Tex", "Delta", "Delta_t", "E", "G", "G_inf", "Gamma_next", "R", "T",
           "alpha", "b1_t", "beta1", "beta2", "c", "d", "ema", "eps", "epshat", "eta",
           "g_seq", "g_sq", "g_t", "g_ti", "gamma", "gnorm_i", "i", "lam", "lambda_min",
           "m_t", "mhat_t", "mhat_ti", "p", "t", "theta_prev", "theta_star", "theta_t",
           "u_prev", "u_t", "v_t", "vhat_Ti", "vhat_t", "vhat_ti", "zeta"]
