r"""Claims of Zinkevich, "Online Convex Programming and Generalized Infinitesimal
Gradient Ascent", ICML 2003: Theorem 1 (greedy projection, :math:`\eta_t = \eta/\sqrt t`).
"""
from __future__ import annotations

import sympy as sp

from adamlab.theory.regret import bounds as rb
from adamlab.theory.regret import quantities as rq

from ..checks import oco_search
from ..claim import Assumption, Claim, Quantifier
from ..methods.search_method import Search
from .notation import R, T, eta

CLAIMS = (
    Claim("z.ogd-regret", "Z Thm 1",
          'Projected online gradient descent with eta_t = eta/sqrt(t): R(T) <= D^2 '
          'sqrt(T)/(2 eta) + (sqrt(T) - 1/2) eta G^2.',
          lambda: sp.Le(R(T), rb.get("z.ogd-regret").expr),
          Search(oco_search.SPACES["ogd"], rq.R, rb.get("z.ogd-regret").expr,
                 reading="x_(t+1) = Proj_F(x_t - eta/sqrt(t) g_t) on F = [-1,1]^d, D = 2 "
                         "sqrt(d) (Euclidean diameter), G = max_t ||g_t||_2, eta searched "
                         "over 1e-2..1e1", thorough_game=oco_search.THOROUGH_GAME),
          lambda: (sp.Gt(eta, 0, evaluate=False), "eta_t = eta/sqrt(t)",
                   "F has Euclidean diameter D", "||g_t||_2 <= G"),
          Quantifier("sgd", {"lr": "eta/sqrt(t)"}, "online convex games on a bounded "
                     "domain (Euclidean projection)", family="sgd",
                     assumes=(Assumption("no weight decay (weight_decay = 0)", "weight_decay",
                                         0.0),
                              Assumption("plain projected gradient descent (momentum = 0)",
                                         "momentum", 0.0)))),
)

__all__ = ["CLAIMS"]
