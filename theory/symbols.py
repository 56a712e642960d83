r"""The SymPy symbols shared by :mod:`adamlab.theory`.

Notation of Kingma & Ba (arXiv:1412.6980v9, Algorithm 1): ``beta1``
:math:`=\beta_1`, ``beta2`` :math:`=\beta_2`, ``t`` the 1-based step, ``i``
and ``k`` summation indices, ``g`` the gradient sequence :math:`g_i` (an
undefined function of the index, so that identities hold for *every*
sequence), ``alpha`` :math:`=\alpha`, ``eps`` :math:`=\epsilon`.

The betas are declared nonnegative but not positive-definite-bounded: the
hypotheses :math:`\beta < 1` (and :math:`\beta_2 > 0` where needed) are
carried by each :class:`~adamlab.theory.results.Result`, not by the symbols,
so that SymPy never silently uses an assumption a statement does not state.
Nonnegative symbols also keep :math:`(\beta_1^2/\beta_2)^t` as one power
(SymPy does not split it into :math:`\beta_1^{2t}\beta_2^{-t}`).
"""
from __future__ import annotations

import sympy as sp

beta1 = sp.Symbol("beta1", nonnegative=True)
beta2 = sp.Symbol("beta2", nonnegative=True)
beta = sp.Symbol("beta", nonnegative=True)
t = sp.Symbol("t", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
j = sp.Symbol("j", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
p = sp.Symbol("p", positive=True)
alpha = sp.Symbol("alpha", positive=True)
eps = sp.Symbol("epsilon", nonnegative=True)
epshat = sp.Symbol("epsilonhat", nonnegative=True)
c = sp.Symbol("c", positive=True)
delta = sp.Symbol("delta", nonnegative=True)
gamma = sp.Symbol("gamma", nonnegative=True)

g = sp.Function("g", real=True)        # the gradient sequence g_i
theta = sp.Function("theta", real=True)  # the iterates theta_i
mu = sp.Function("mu", positive=True)  # a time-varying momentum mu_i (NAdam)
w = sp.Function("w")                   # an EMA weight w(t, i) (derivations)

__all__ = ["alpha", "beta", "beta1", "beta2", "c", "delta", "eps", "epshat", "g",
           "gamma", "i", "j", "k", "mu", "n", "p", "t", "theta", "w"]
