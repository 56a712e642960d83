r"""The exact worst case of AdaMax's step, derived (Kingma & Ba §7.1).

Kingma & Ba, arXiv:1412.6980v9, §7.1 and Algorithm 2:
:math:`\theta_t = \theta_{t-1} - (\alpha/(1-\beta_1^t))\, m_t/u_t` with
:math:`u_t = \max(\beta_2 u_{t-1}, |g_t|) = \max_{i\le t}\beta_2^{t-i}|g_i|`
(lemma :data:`~adamlab.theory.lemmas.MAX_HOMOGENEOUS`).  With
:math:`A_i = (1-\beta_1)\beta_1^{t-i}/(1-\beta_1^t)` and
:math:`D_i = \beta_2^{t-i}` (:math:`\beta_2 > 0`):

.. math::

    \frac{|\Delta_t|}{\alpha} = \frac{|\sum_i A_i g_i|}{u_t}
    \le \frac{\sum_i (A_i/D_i)\,(D_i|g_i|)}{u_t} \le \sum_{i=1}^t \frac{A_i}{D_i}
    = \frac{1-\beta_1}{1-\beta_1^t}\sum_{k=0}^{t-1}\rho^k,\qquad \rho = \frac{\beta_1}{\beta_2},

with equality at :math:`g_i = 1/D_i = \beta_2^{-(t-i)}` (then every
:math:`D_i g_i = 1 = u_t`).  As :math:`t\to\infty` the supremum tends to
:math:`(1-\beta_1)\beta_2/(\beta_2-\beta_1)` when :math:`\beta_1 < \beta_2`
(and that is the supremum over all t) and to :math:`\infty` when
:math:`\beta_1 \ge \beta_2 > 0`.  At t = 2 it is
:math:`1 + \beta_1(1-\beta_2)/(\beta_2(1+\beta_1)) > 1` whenever
:math:`\beta_1 > 0`: the printed bound :math:`|\Delta_t| \le \alpha` fails.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from . import recursions as rec
from .lemmas import MAX_HOMOGENEOUS, POWER_AT_LEAST_ONE
from .moments import MHAT_T
from .results import GridCheck, Result, Step, induction, mp_lambdify, mpf, rational_grid
from .sums import geometric_sum, limit_t_infinity, residual_is_zero
from .symbols import beta1, beta2, g, i, k, t
from .adam_step import A_I

KB = "Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, §7.1"
rho = sp.Symbol("rho", nonnegative=True)
D_I = beta2 ** (t - i)                                    # weight of |g_i| inside u_t
SUP_SUM = sp.Sum(A_I / D_I, (i, 1, t))

_closed, RHO_VALUE, PREFACTOR = geometric_sum(A_I / D_I, i, 1, t, from_top=True,
                                              ratio_name=rho)
ADAMAX_SUP_RHO = _closed                                  # in the symbol rho
ADAMAX_SUP = _closed.subs(rho, RHO_VALUE)                 # rho = beta1/beta2
ADAMAX_MAXIMIZER = sp.simplify(1 / D_I)                   # g_i = beta2^(i - t)
ADAMAX_SUP_FINITE_INF = sp.factor(sp.simplify(
    limit_t_infinity(_closed.args[1][0], t, (beta1, rho)).subs(rho, RHO_VALUE)))
ADAMAX_SUP_INF = sp.Piecewise((ADAMAX_SUP_FINITE_INF, beta1 < beta2), (sp.oo, True))
ADAMAX_T2_EXCESS = sp.factor(sp.simplify(_closed.args[1][0].subs(t, 2).subs(rho, RHO_VALUE)
                                         - 1))

_sup_mp = mp_lambdify((beta1, beta2, t), ADAMAX_SUP)
_sup_inf_mp = mp_lambdify((beta1, beta2), ADAMAX_SUP_INF)
_gstar_mp = mp_lambdify((beta2, t, i), ADAMAX_MAXIMIZER)
_GRID = rational_grid(("0", "1/2", "9/10", "99/100"), ("1/100", "1/2", "9/10", "999/1000"),
                      (1, 2, 3, 10, 40))
_U, _Gabs = sp.Symbol("U", nonnegative=True), sp.Function("G", nonnegative=True)


def _at_maximizer(pt):
    b1, b2, T = mpf(pt["beta1"]), mpf(pt["beta2"]), pt["t"]
    gs = [_gstar_mp(b2, T, ii) for ii in range(1, T + 1)]
    return rec.adamax_ratio(b1, b2, gs), _sup_mp(b1, b2, T)


def _random_below(pt):
    b1, b2, T = mpf(pt["beta1"]), mpf(pt["beta2"]), pt["t"]
    worst = max(rec.adamax_ratio(b1, b2, [mpf(v) for v in rec.random_rationals(
        T, seed=2000 * s_ + T)]) for s_ in range(4))
    return worst, _sup_mp(b1, b2, T)


ADAMAX_SUP_RESULT = Result(
    name="adamax_sup",
    statement=sp.Eq(sp.Symbol(r"\sup_g |\Delta_t|/\alpha"), ADAMAX_SUP),
    hypotheses=(sp.Ge(beta1, 0, evaluate=False), sp.Lt(beta1, 1, evaluate=False),
                sp.Gt(beta2, 0, evaluate=False), sp.Lt(beta2, 1, evaluate=False),
                sp.Ge(t, 1, evaluate=False)),
    source=f"{KB} (|Delta_t| <= alpha), made exact",
    steps=(
        Step("lemma: u_t = max_i beta2^(t-i) |g_i| (running_max)",
             lambda: (MAX_HOMOGENEOUS.check().ok, MAX_HOMOGENEOUS.check().summary())),
        Step("m_t/(1 - beta1^t) = sum_i A_i g_i", lambda: residual_is_zero(
            MHAT_T - sp.Sum(A_I * g(i), (i, 1, t)))),
        Step("(sum A_i/D_i) U - sum A_i |g_i| = sum (A_i/D_i)(U - D_i |g_i|), each term >= 0 "
             "since U = u_t >= D_i |g_i| and A_i, D_i >= 0; and |sum A_i g_i| <= "
             "sum A_i |g_i|", lambda: residual_is_zero(
                 SUP_SUM * _U - sp.Sum(A_I * _Gabs(i), (i, 1, t))
                 - sp.Sum(A_I / D_I * (_U - D_I * _Gabs(i)), (i, 1, t)))),
        Step("at g_i = 1/D_i every D_i g_i = 1, so u_t = 1",
             lambda: sp.simplify(D_I * ADAMAX_MAXIMIZER - 1)),
        Step("at g_i = 1/D_i: sum A_i g_i = sum A_i/D_i (equality)",
             lambda: residual_is_zero(sp.Sum(A_I * ADAMAX_MAXIMIZER, (i, 1, t)) - SUP_SUM)),
        Step("the summand A_i/D_i satisfies h_(t-k) = h_t rho^k, rho = beta1/beta2",
             lambda: sp.powsimp(sp.expand_power_exp(sp.simplify(
                 (A_I / D_I).subs(i, t - k) - PREFACTOR * (beta1 / beta2) ** k)), force=True)),
    ) + induction("sum_{k<t} rho^k = (1 - rho^t)/(1 - rho) (rho != 1)",
                  base=lambda: (1 - rho) / (1 - rho) - rho**0,
                  step=lambda: (1 - rho ** (t + 1)) / (1 - rho) - (1 - rho**t) / (1 - rho)
                  - rho**t),
    grid=(GridCheck("|Delta_t|/alpha of the maximizer by Algorithm 2's recursion = closed form",
                    _GRID, _at_maximizer),
          GridCheck("random rational gradient sequences stay <= the closed form", _GRID,
                    _random_below, "le")),
    note="rho = 1 (beta1 = beta2): the sum is t, so sup_t = (1-beta1) t/(1-beta1^t).",
    exprs={"sup": ADAMAX_SUP, "maximizer": ADAMAX_MAXIMIZER, "sup_inf": ADAMAX_SUP_INF},
)

_x1, _x2 = sp.symbols("x1 x2", positive=True)


def _sympy_limit_agrees():
    branch = _closed.args[1][0]
    sub = {beta1: 1 / (1 + _x1), rho: 1 / (1 + _x2)}
    ours = limit_t_infinity(branch, t, (beta1, rho)).subs(sub)
    return sp.simplify(sp.limit(branch.subs(sub), t, sp.oo) - ours)


def _gap():
    # sup_inf - sup_t = (1-beta1)/(1-rho) * (rho^t - beta1^t)/(1 - beta1^t), >= 0 as rho >= beta1
    inf_ = limit_t_infinity(_closed.args[1][0], t, (beta1, rho))
    return sp.simplify(inf_ - _closed.args[1][0]
                       - (1 - beta1) / (1 - rho) * (rho**t - beta1**t) / (1 - beta1**t))


def _inf_grid(pt):
    b1, b2, T = mpf(pt["beta1"]), mpf(pt["beta2"]), pt["t"]
    gs = [_gstar_mp(b2, T, ii) for ii in range(1, T + 1)]
    return rec.adamax_ratio(b1, b2, gs), _sup_inf_mp(b1, b2)


def _t2_grid(pt):
    b1, b2 = mpf(pt["beta1"]), mpf(pt["beta2"])
    return rec.adamax_ratio(b1, b2, [1 / b2, mp.mpf(1)]) - 1, _t2_mp(b1, b2)


_t2_mp = mp_lambdify((beta1, beta2), ADAMAX_T2_EXCESS)
ADAMAX_SUP_LIMIT = Result(
    name="adamax_sup_limit",
    statement=(sp.Eq(sp.Limit(ADAMAX_SUP, t, sp.oo), ADAMAX_SUP_FINITE_INF),
               sp.Le(ADAMAX_SUP, ADAMAX_SUP_FINITE_INF),
               sp.Eq(ADAMAX_SUP.subs(t, 2) - 1, ADAMAX_T2_EXCESS)),
    hypotheses=(sp.Lt(beta1, beta2, evaluate=False), sp.Lt(beta2, 1, evaluate=False)),
    source=f"{KB}; the finiteness condition beta1 < beta2",
    steps=(
        Step("t -> oo with beta1^t, rho^t -> 0 agrees with SymPy's limit (beta = 1/(1+x))",
             _sympy_limit_agrees),
        Step("gap: sup_inf - sup_t = (1-beta1)/(1-rho) (rho^t - beta1^t)/(1-beta1^t) >= 0 "
             "(rho = beta1/beta2 >= beta1), so sup_t <= sup_inf for every t", _gap),
        Step("beta1 >= beta2 > 0: the prefactor (1-beta1)/(1-beta1^t) -> 1 - beta1 > 0 ...",
             lambda: limit_t_infinity(PREFACTOR, t, (beta1,)) - (1 - beta1)),
        Step("... and sum_{k<t} rho^k >= t (lemma, rho >= 1): the supremum diverges",
             lambda: (POWER_AT_LEAST_ONE.check().ok, POWER_AT_LEAST_ONE.check().summary())),
        Step("t = 2: sup - 1 = beta1 (1 - beta2)/(beta2 (1 + beta1)) (> 0 iff beta1 > 0)",
             lambda: ADAMAX_T2_EXCESS - beta1 * (1 - beta2) / (beta2 * (1 + beta1))),
    ),
    grid=(GridCheck("the maximizer's ratio (Algorithm 2) <= the t = oo value",
                    tuple(p for p in _GRID if p["beta1"] < p["beta2"]), _inf_grid, "le"),
          GridCheck("t = 2: the ratio of (1/beta2, 1) minus 1 equals the excess",
                    tuple(p for p in _GRID if p["t"] == 2), _t2_grid)),
    exprs={"sup_inf": ADAMAX_SUP_INF, "t2_excess": ADAMAX_T2_EXCESS},
)

RESULTS = (ADAMAX_SUP_RESULT, ADAMAX_SUP_LIMIT)

__all__ = ["ADAMAX_MAXIMIZER", "ADAMAX_SUP", "ADAMAX_SUP_FINITE_INF", "ADAMAX_SUP_INF",
           "ADAMAX_SUP_LIMIT", "ADAMAX_SUP_RESULT", "ADAMAX_SUP_RHO", "ADAMAX_T2_EXCESS",
           "D_I", "PREFACTOR", "RESULTS", "RHO_VALUE", "SUP_SUM"]
