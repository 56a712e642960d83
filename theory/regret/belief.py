r"""AdaBelief's convex regret bound as one SymPy expression, evaluable on a run.

Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris & Duncan, "AdaBelief Optimizer:
Adapting Stepsizes by the Belief in Observed Gradients", NeurIPS 2020 (arXiv:2010.07468),
Theorem 2.1 (convergence in convex online optimization):

.. math::
    R(T) \le \frac{D_\infty^2\sqrt T}{2\alpha(1-\beta_1)}\sum_{i=1}^d s_{T,i}^{1/2}
    + \frac{(1+\beta_1)\,\alpha\sqrt{1+\log T}}{2\sqrt c\,(1-\beta_1)^3}
      \sum_{i=1}^d\lVert g^2_{1:T,i}\rVert_2
    + \frac{D_\infty^2}{2(1-\beta_1)}\sum_{t=1}^T\sum_{i=1}^d
      \frac{\beta_{1t}\,s_{t,i}^{1/2}}{\alpha_t}

for :math:`\alpha_t = \alpha/\sqrt t`, :math:`0 \le \beta_{1t} \le \beta_1 < 1`,
:math:`0 \le \beta_2 < 1`, :math:`s_{t,i} \ge c > 0` and :math:`s_t \le s_{t+1}`
(coordinate-wise), on a convex feasible set of inf-diameter :math:`D_\infty`, with
:math:`\lVert g^2_{1:T,i}\rVert_2 = (\sum_t g_{t,i}^4)^{1/2}`.

.. warning:: Provenance.  The paper's text could not be read here; the bound and its
   hypotheses are transcribed from a public restatement of the theorem and its proof
   (a derivation trace in the public code index, not the paper), which the ledger
   claim ``adabelief.thm2.1`` names.  Check the constants against the paper before
   relying on them.

The symbols are named after the run statistics they are read from (not part of the
regret-plot schema of :mod:`.quantities`, whose recorders do not collect them):

=========================  ==============================================================
``T``, ``D_inf``, ``alpha``, ``beta1``   as in :mod:`.quantities`
``c``                      a lower bound of every :math:`s_{t,i}`, :math:`t \le T`
``sum_s_sqrt``             :math:`\sum_i s_{T,i}^{1/2}`
``sum_g2_norm``            :math:`\sum_i \lVert g^2_{1:T,i}\rVert_2`
``sum_b1t_s_over_alpha``   :math:`\sum_{t\le T}\sum_i \beta_{1t}s_{t,i}^{1/2}/\alpha_t`
=========================  ==============================================================

:func:`evaluate` lambdifies :data:`BOUND` (never a second formula) in NumPy (arrays
broadcast, one value per run) or mpmath.
"""
from __future__ import annotations

from typing import Any, Mapping

import sympy as sp

from .bounds import Term
from .quantities import LATEX_NAMES, D_inf, T, alpha, beta1

c = sp.Symbol("c", positive=True)
sum_s_sqrt = sp.Symbol("sum_s_sqrt", nonnegative=True)
sum_g2_norm = sp.Symbol("sum_g2_norm", nonnegative=True)
sum_b1t_s_over_alpha = sp.Symbol("sum_b1t_s_over_alpha", nonnegative=True)

SOURCE = ("Zhuang et al., 'AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed "
          "Gradients', NeurIPS 2020, arXiv:2010.07468, Theorem 2.1")

#: the three terms, in printed order
TERMS: tuple[Term, ...] = (
    Term("distance", D_inf**2 * sp.sqrt(T) / (2 * alpha * (1 - beta1)) * sum_s_sqrt,
         "D_inf^2 sqrt(T)/(2 alpha (1-b1)) * sum_i s_{T,i}^(1/2)"),
    Term("gradient", (1 + beta1) * alpha * sp.sqrt(1 + sp.log(T))
         / (2 * sp.sqrt(c) * (1 - beta1) ** 3) * sum_g2_norm,
         "(1+b1) alpha sqrt(1+log T)/(2 sqrt(c) (1-b1)^3) * sum_i ||g^2_{1:T,i}||_2"),
    Term("momentum", D_inf**2 / (2 * (1 - beta1)) * sum_b1t_s_over_alpha,
         "D_inf^2/(2(1-b1)) * sum_t sum_i b1_t s_{t,i}^(1/2)/alpha_t"),
)
#: the whole bound: the sum of :data:`TERMS`
BOUND: sp.Expr = sp.Add(*[term.expr for term in TERMS])
#: the symbols of :data:`BOUND`, by name
SYMBOLS: dict[str, sp.Symbol] = {s.name: s for s in (T, D_inf, alpha, beta1, c, sum_s_sqrt,
                                                      sum_g2_norm, sum_b1t_s_over_alpha)}
LATEX: dict[sp.Symbol, str] = {
    **{s: LATEX_NAMES[s] for s in (T, D_inf, alpha, beta1)}, c: "c",
    sum_s_sqrt: r"\sum_{i=1}^{d} s_{T,i}^{1/2}",
    sum_g2_norm: r"\sum_{i=1}^{d}\lVert g^2_{1:T,i}\rVert_2",
    sum_b1t_s_over_alpha: r"\sum_{t=1}^{T}\sum_{i=1}^{d}\frac{\beta_{1t} s_{t,i}^{1/2}}{\alpha_t}"}

_FNS: dict[str, Any] = {}


def latex(expr: sp.Basic = BOUND) -> str:
    """LaTeX of ``expr`` (default: the bound) with the symbols written as in the paper."""
    return sp.latex(expr, symbol_names=LATEX)


def evaluate(values: Mapping[str, Any], module: str = "numpy"):
    """:data:`BOUND` at ``values`` (symbol name -> number, NumPy array or mpf), by
    :func:`sympy.lambdify` in ``module`` ("numpy" or "mpmath").  Missing names raise
    ValueError naming them."""
    if module not in ("numpy", "mpmath"):
        raise ValueError(f"module must be 'numpy' or 'mpmath'; got {module!r}")
    missing = sorted(set(SYMBOLS) - set(values))
    if missing:
        raise ValueError(f"the AdaBelief bound needs {missing}")
    if module not in _FNS:
        _FNS[module] = sp.lambdify([SYMBOLS[k] for k in sorted(SYMBOLS)], BOUND, modules=module)
    return _FNS[module](*[values[k] for k in sorted(SYMBOLS)])


__all__ = ["BOUND", "LATEX", "SOURCE", "SYMBOLS", "TERMS", "c", "evaluate", "latex",
           "sum_b1t_s_over_alpha", "sum_g2_norm", "sum_s_sqrt"]
