r"""Claims of Duchi, Hazan & Singer, "Adaptive Subgradient Methods", JMLR 12 (2011).

Diagonal AdaGrad by composite mirror descent, Theorem 5 and its corollary with
:math:`\eta = D_\infty/\sqrt2` (numbering of the JMLR version).
"""
from __future__ import annotations

import sympy as sp

from adamlab.theory.regret import bounds as rb
from adamlab.theory.regret import quantities as rq

from ..checks import oco_search
from ..claim import Assumption, Claim, Quantifier
from ..methods.search_method import Search
from .notation import D_inf, R, T, eta

CLAIMS = (
    Claim("dhs.adagrad-regret", "DHS (diagonal AdaGrad)",
          'On a set of norm_inf-diameter D_inf, with eta = D_inf/sqrt(2): R(T) <= '
          'sqrt(2) D_inf * sum_i norm2(g_{1:T,i}).',
          lambda: sp.Le(R(T), rb.get("dhs.adagrad-regret").expr),
          Search(oco_search.SPACES["adagrad"], rq.R, rb.get("dhs.adagrad-regret").expr,
                 reading="diagonal AdaGrad x_(t+1) = clip(x_t - eta g_t/sqrt(sum_(s<=t) "
                         "g_s^2)), delta = 0 (0/0 := 0), eta = D_inf/sqrt(2) = sqrt(2) on "
                         "[-1,1]^d", thorough_game=oco_search.THOROUGH_GAME),
          lambda: (sp.Eq(eta, D_inf / sp.sqrt(2)), "F has inf-diameter D_inf",
                   "delta = 0 (no epsilon)"),
          Quantifier("adagrad", {"lr": "eta = D_inf/sqrt(2)", "eps": 0},
                     "online convex games on a box (projection = clip)", family="adagrad",
                     assumes=(Assumption("no weight decay (weight_decay = 0)",
                                         "weight_decay", 0.0),
                              Assumption("eps = 0 (the bound is for AdaGrad without delta)",
                                         "eps", 0.0),
                              Assumption("lr_decay = 0", "lr_decay", 0.0),
                              Assumption("initial_accumulator_value = 0",
                                         "initial_accumulator_value", 0.0)))),
)

__all__ = ["CLAIMS"]
