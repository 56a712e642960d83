r"""Claims of Duchi, Hazan & Singer, "Adaptive Subgradient Methods", JMLR 12 (2011).

Diagonal AdaGrad by composite mirror descent, Theorem 5 and its corollary with
:math:`\eta = D_\infty/\sqrt2` (numbering of the JMLR version).
"""
from __future__ import annotations

import sympy as sp

from adamlab.theory import regret_bounds as rb

from ..checks import theorems
from ..claim import Check, Claim, Quantifier
from .notation import D_inf, R, T, eta

CLAIMS = (
    Claim("dhs.adagrad-regret", "DHS (diagonal AdaGrad)",
          'On a set of norm_inf-diameter D_inf, with eta = D_inf/sqrt(2): R(T) <= '
          'sqrt(2) D_inf * sum_i norm2(g_{1:T,i}).',
          lambda: sp.Le(R(T), rb.get("dhs.adagrad-regret").expr),
          Check(theorems.check_adagrad, "search"),
          lambda: (sp.Eq(eta, D_inf / sp.sqrt(2)), "F has inf-diameter D_inf",
                   "delta = 0 (no epsilon)"),
          Quantifier("adagrad", {"lr": "eta = D_inf/sqrt(2)", "eps": 0},
                     "online convex games on a box (projection = clip)")),
)

__all__ = ["CLAIMS"]
