r"""The exact worst case of Adam's effective step, derived by Cauchy--Schwarz.

Kingma & Ba, arXiv:1412.6980v9, §2.1: the effective step (with
:math:`\epsilon = 0`) is :math:`\Delta_t = \alpha\,\hat m_t/\sqrt{\hat v_t}`.
By :data:`~adamlab.theory.moments.EMA_UNROLL`,

.. math::

    \hat m_t = \sum_{i=1}^t A_i g_i,\quad A_i = \frac{(1-\beta_1)\beta_1^{t-i}}{1-\beta_1^t},
    \qquad
    \hat v_t = \sum_{i=1}^t C_i g_i^2,\quad C_i = \frac{(1-\beta_2)\beta_2^{t-i}}{1-\beta_2^t}.

Cauchy--Schwarz with :math:`x_i = \sqrt{C_i}g_i`, :math:`y_i = A_i/\sqrt{C_i}`
(:math:`\beta_2 > 0`) gives, for every nonzero gradient sequence,

.. math::

    \frac{\hat m_t^2}{\hat v_t} \le \sum_{i=1}^t \frac{A_i^2}{C_i}
    = \frac{(1-\beta_1)^2(1-\beta_2^t)}{(1-\beta_1^t)^2(1-\beta_2)}
      \sum_{k=0}^{t-1}\gamma^k, \qquad \gamma = \frac{\beta_1^2}{\beta_2},

with equality iff :math:`g_i \propto A_i/C_i \propto (\beta_1/\beta_2)^{t-i}`.
So :math:`\sup_g |\Delta_t|/\alpha` is the square root (``ADAM_SUP``); as
:math:`t\to\infty` it tends to
:math:`(1-\beta_1)/\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}` when
:math:`\beta_1^2 < \beta_2` and to :math:`\infty` otherwise, and for
:math:`\beta_1^2 < \beta_2` that limit is the supremum over *all* t
(``ADAM_SUP_LIMIT``).  With :math:`\beta_2 = 0` (so :math:`\hat v_t = g_t^2`)
the supremum is :math:`\infty` for :math:`\beta_1 > 0,\ t \ge 2`
(``ADAM_SUP_B2_ZERO``).  Every expression below is *computed* from
:math:`A_i, C_i` (the lemma :func:`~adamlab.theory.sums.geometric_sum`
finds the ratio), not typed in.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from . import recursions as rec
from .lemmas import LAGRANGE, POWER_AT_LEAST_ONE
from .moments import EMA_WEIGHT, MHAT_T, VHAT_T
from .results import GridCheck, Result, Step, induction, mp_lambdify, mpf, rational_grid
from .sums import geometric_sum, limit_t_infinity, residual_is_zero
from .symbols import beta, beta1, beta2, g, gamma, i, k, t

KB = "Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, §2.1"
A_I = EMA_WEIGHT.subs(beta, beta1) / (1 - beta1**t)      # weight of g_i in mhat_t
C_I = EMA_WEIGHT.subs(beta, beta2) / (1 - beta2**t)      # weight of g_i^2 in vhat_t
SUP_SQ_SUM = sp.Sum(A_I**2 / C_I, (i, 1, t))

_closed, GAMMA_VALUE, PREFACTOR = geometric_sum(A_I**2 / C_I, i, 1, t, from_top=True,
                                                ratio_name=gamma)
ADAM_SUP_SQ_GAMMA = _closed                              # in the symbol gamma
ADAM_SUP_SQ = _closed.subs(gamma, GAMMA_VALUE)           # gamma = beta1^2/beta2
ADAM_SUP = sp.sqrt(ADAM_SUP_SQ)
ADAM_MAXIMIZER = sp.simplify((A_I / C_I) / (A_I / C_I).subs(i, t))   # g_i, with g_t = 1
ADAM_SUP_SQ_INF = sp.factor(sp.simplify(
    limit_t_infinity(_closed.args[1][0], t, (beta1, beta2, gamma)).subs(gamma, GAMMA_VALUE)))
ADAM_SUP_INF = sp.Piecewise((sp.sqrt(ADAM_SUP_SQ_INF), beta1**2 < beta2), (sp.oo, True))

_X, _Y = sp.symbols("X Y", positive=True)                 # beta1^t, beta2^t
_x1, _x2, _x3 = sp.symbols("x1 x2 x3", positive=True)
_s = sp.Symbol("s", positive=True)
_tp = sp.Symbol("tau", integer=True, nonnegative=True)   # t = tau + 2 >= 2

_sup_mp = mp_lambdify((beta1, beta2, t), ADAM_SUP)
_sup_inf_mp = mp_lambdify((beta1, beta2), ADAM_SUP_INF)
_gstar_mp = mp_lambdify((beta1, beta2, t, i), ADAM_MAXIMIZER)

_GRID = rational_grid(("0", "1/2", "9/10", "99/100"), ("1/100", "1/2", "9/10", "999/1000"),
                      (1, 2, 3, 10, 40))


def _g_star(b1, b2, T):
    return [_gstar_mp(b1, b2, T, ii) for ii in range(1, T + 1)]


def _at_maximizer(pt):
    b1, b2, T = mpf(pt["beta1"]), mpf(pt["beta2"]), pt["t"]
    return mp.sqrt(rec.adam_ratio_squared(b1, b2, _g_star(b1, b2, T))), _sup_mp(b1, b2, T)


def _random_below(pt):
    b1, b2, T = mpf(pt["beta1"]), mpf(pt["beta2"]), pt["t"]
    worst = max(rec.adam_ratio_squared(b1, b2, [mpf(v) for v in rec.random_rationals(
        T, seed=1000 * s_ + T)]) for s_ in range(4))
    return mp.sqrt(worst), _sup_mp(b1, b2, T)


_X_, _Y_, _Z_ = sp.symbols("X Y Z", positive=True)   # sum C g^2, sum A^2/C, sum A g


ADAM_SUP_RESULT = Result(
    name="adam_sup",
    statement=sp.Eq(sp.Symbol(r"\sup_g |\Delta_t|/\alpha"), ADAM_SUP),
    hypotheses=(sp.Ge(beta1, 0, evaluate=False), sp.Lt(beta1, 1, evaluate=False),
                sp.Gt(beta2, 0, evaluate=False), sp.Lt(beta2, 1, evaluate=False),
                sp.Ge(t, 1, evaluate=False)),
    source=f"{KB} (the bound on |Delta_t|), made exact",
    steps=(
        Step("mhat_t = sum_i A_i g_i (closed form of m_t, result ema_unroll)",
             lambda: residual_is_zero(MHAT_T - sp.Sum(A_I * g(i), (i, 1, t)))),
        Step("vhat_t = sum_i C_i g_i^2", lambda: residual_is_zero(
            VHAT_T - sp.Sum(C_I * g(i) ** 2, (i, 1, t)))),
        Step("lemma: Lagrange's identity, so (sum x^2)(sum y^2) >= (sum x y)^2",
             lambda: (LAGRANGE.check().ok, LAGRANGE.check().summary())),
        Step("x_i = sqrt(C_i) g_i, y_i = A_i/sqrt(C_i): x_i y_i = A_i g_i, x_i^2 = C_i g_i^2, "
             "y_i^2 = A_i^2/C_i",
             lambda: sp.Abs(sp.sqrt(C_I) * g(i) * A_I / sp.sqrt(C_I) - A_I * g(i))
             + sp.Abs(sp.sqrt(C_I) ** 2 * g(i) ** 2 - C_I * g(i) ** 2)
             + sp.Abs((A_I / sp.sqrt(C_I)) ** 2 - A_I**2 / C_I)),
        Step("sum A^2/C - mhat^2/vhat = (XY - Z^2)/X >= 0 (X = vhat > 0, Y = sum A^2/C, "
             "Z = mhat)", lambda: _Y_ - _Z_**2 / _X_ - (_X_ * _Y_ - _Z_**2) / _X_),
        Step("equality at g_i = A_i/C_i: mhat = sum A^2/C",
             lambda: residual_is_zero(sp.Sum(A_I * (A_I / C_I), (i, 1, t)) - SUP_SQ_SUM)),
        Step("equality at g_i = A_i/C_i: vhat = sum A^2/C, so mhat^2/vhat = sum A^2/C",
             lambda: residual_is_zero(sp.Sum(C_I * (A_I / C_I) ** 2, (i, 1, t)) - SUP_SQ_SUM)),
        Step("the maximizer normalized to g_t = 1 is (beta1/beta2)^(t-i)",
             lambda: sp.powsimp(ADAM_MAXIMIZER - (beta1 / beta2) ** (t - i), force=True)),
        Step("the summand h_i = A_i^2/C_i satisfies h_(t-k) = h_t gamma^k, gamma = beta1^2/beta2",
             lambda: sp.powsimp(sp.expand_power_exp(sp.simplify(
                 (A_I**2 / C_I).subs(i, t - k) - PREFACTOR * (beta1**2 / beta2) ** k)),
                 force=True)),
    ) + induction("sum_{k<t} gamma^k = (1 - gamma^t)/(1 - gamma) (gamma != 1)",
                  base=lambda: (1 - gamma) / (1 - gamma) - gamma**0,
                  step=lambda: (1 - gamma ** (t + 1)) / (1 - gamma)
                  - (1 - gamma**t) / (1 - gamma) - gamma**t),
    grid=(GridCheck("|Delta_t|/alpha of the maximizer by Algorithm 1's recursion = closed form",
                    _GRID, _at_maximizer),
          GridCheck("random rational gradient sequences stay <= the closed form", _GRID,
                    _random_below, "le")),
    note="gamma = 1 (beta1^2 = beta2): the sum of gamma^k is t (the Piecewise's first branch).",
    exprs={"sup": ADAM_SUP, "sup_sq": ADAM_SUP_SQ, "maximizer": ADAM_MAXIMIZER,
           "sup_inf": ADAM_SUP_INF},
)


def _sympy_limit_agrees():
    branch = _closed.args[1][0]
    sub = {beta1: 1 / (1 + _x1), beta2: 1 / (1 + _x2), gamma: 1 / (1 + _x3)}
    ours = limit_t_infinity(branch, t, (beta1, beta2, gamma)).subs(sub)
    return sp.simplify(sp.limit(branch.subs(sub), t, sp.oo) - ours)


def _gap_identity():
    # sup_t^2 with beta1^t = X, beta2^t = Y, gamma^t = X^2/Y; the claim:
    # sup_inf^2 - sup_t^2 = sup_inf^2 (Y - X)^2 / (Y (1 - X)^2)
    inf_sq = limit_t_infinity(_closed.args[1][0], t, (beta1, beta2, gamma))
    sup_t = _closed.args[1][0].subs({gamma**t: _X**2 / _Y}).subs({beta1**t: _X, beta2**t: _Y})
    return sp.simplify(inf_sq - sup_t - inf_sq * (_Y - _X) ** 2 / (_Y * (1 - _X) ** 2))


def _inf_grid(pt):
    b1, b2, T = mpf(pt["beta1"]), mpf(pt["beta2"]), pt["t"]
    return mp.sqrt(rec.adam_ratio_squared(b1, b2, _g_star(b1, b2, T))), _sup_inf_mp(b1, b2)


ADAM_SUP_LIMIT = Result(
    name="adam_sup_limit",
    statement=(sp.Eq(sp.Limit(ADAM_SUP_SQ, t, sp.oo), ADAM_SUP_SQ_INF),
               sp.Le(ADAM_SUP_SQ, ADAM_SUP_SQ_INF)),
    hypotheses=(sp.Lt(beta1**2, beta2, evaluate=False), sp.Lt(beta2, 1, evaluate=False)),
    source=f"{KB}; the finiteness condition beta1^2 < beta2 (i.e. beta1 < sqrt(beta2))",
    steps=(
        Step("t -> oo with beta1^t, beta2^t, gamma^t -> 0 agrees with SymPy's limit "
             "(beta = 1/(1+x), x > 0)", _sympy_limit_agrees),
        Step("gap identity: sup_inf^2 - sup_t^2 = sup_inf^2 (b2^t - b1^t)^2/(b2^t (1-b1^t)^2) "
             ">= 0, so sup_t <= sup_inf for every t (equality iff beta1 = beta2)",
             _gap_identity),
        Step("beta1^2 >= beta2: the prefactor tends to (1-b1)^2/(1-b2) > 0 ...",
             lambda: limit_t_infinity(PREFACTOR, t, (beta1, beta2))
             - (1 - beta1) ** 2 / (1 - beta2)),
        Step("... and sum_{k<t} gamma^k >= t (lemma), so sup_t^2 >= prefactor * t -> oo",
             lambda: (POWER_AT_LEAST_ONE.check().ok, POWER_AT_LEAST_ONE.check().summary())),
    ),
    grid=GridCheck("|Delta_t|/alpha of the maximizer (Algorithm 1) <= the t = oo value",
                   tuple(p for p in _GRID if p["beta1"] ** 2 < p["beta2"]), _inf_grid, "le"),
    exprs={"sup_sq_inf": ADAM_SUP_SQ_INF, "sup_inf": ADAM_SUP_INF},
)


def _t2_grid(pt):
    b1, b2 = mpf(pt["beta1"]), mpf(pt["beta2"])
    return rec.adam_ratio_squared(b1, b2, _g_star(b1, b2, 2)) - 1, _t2_mp(b1, b2)


ADAM_T2_GAP = sp.factor(sp.simplify(
    ADAM_SUP_SQ_GAMMA.args[1][0].subs(t, 2).subs(gamma, GAMMA_VALUE) - 1))
_t2_mp = mp_lambdify((beta1, beta2), ADAM_T2_GAP)
ADAM_SUP_CASES = Result(
    name="adam_sup_cases",
    statement=(sp.Eq(ADAM_SUP_SQ.subs(t, 2) - 1, ADAM_T2_GAP),
               sp.Eq(ADAM_SUP.subs(t, 1), 1), sp.Eq(ADAM_SUP_SQ.subs(beta1, beta2), 1)),
    hypotheses=(sp.Gt(beta2, 0, evaluate=False), sp.Lt(beta2, 1, evaluate=False)),
    source=f"{KB}; consequences of adam_sup",
    steps=(Step("t = 2 (gamma != 1): sup^2 - 1 = (beta1 - beta2)^2/(beta2 (1 + beta1)^2) >= 0, "
                "zero iff beta1 = beta2", lambda: ADAM_SUP_SQ_GAMMA.args[1][0].subs(t, 2).subs(
                    gamma, GAMMA_VALUE) - 1 - (beta1 - beta2) ** 2 / (beta2 * (1 + beta1) ** 2)),
           Step("t = 2 (gamma = 1, beta2 = beta1^2): the same formula",
                lambda: ADAM_SUP_SQ_GAMMA.args[0][0].subs(t, 2).subs(beta2, beta1**2) - 1
                - (beta1 - beta1**2) ** 2 / (beta1**2 * (1 + beta1) ** 2)),
           Step("t = 1: the supremum is 1 (mhat_1 = g_1, vhat_1 = g_1^2)",
                lambda: sp.simplify(ADAM_SUP.subs(t, 1)) - 1),
           Step("beta1 = beta2: sup_t = 1 for every t",
                lambda: sp.simplify(ADAM_SUP_SQ_GAMMA.args[1][0].subs(
                    {beta1: beta2, gamma: beta2})) - 1),
           Step("beta1 = 0: sup_t^2 = (1 - beta2^t)/(1 - beta2)",
                lambda: ADAM_SUP_SQ.subs(beta1, 0) - (1 - beta2**t) / (1 - beta2))),
    grid=GridCheck("ratio^2 - 1 of the t = 2 maximizer (Algorithm 1) vs the factored gap",
                   tuple(p for p in _GRID if p["t"] == 2), _t2_grid),
    exprs={"t2_gap": ADAM_T2_GAP},
)


def _b2_zero_ratio_sq():
    """The ratio^2 of g = (1, 0, ..., 0, s) at t = tau + 2 with beta2 = 0."""
    T = _tp + 2
    w1 = EMA_WEIGHT.subs(beta, beta1)
    w2 = EMA_WEIGHT.subs(beta, 0)
    m = w1.subs({t: T, i: 1}) * 1 + w1.subs({t: T, i: T}) * _s
    v = w2.subs({t: T, i: 1}) * 1 + w2.subs({t: T, i: T}) * _s**2   # 0^(T-1) = 0
    return (m / (1 - beta1**T)) ** 2 / (v / (1 - 0**T))


def _b2_zero_grid(pt):
    b1, T = mpf(pt["beta1"]), pt["t"]
    s_ = mp.mpf(10) ** -45
    gs = [mp.mpf(1)] + [mp.mpf(0)] * (T - 2) + [s_]
    direct = rec.adam_ratio_squared(b1, mp.mpf(0), gs)
    return mp.mpf(10) ** 30, direct   # the ratio^2 exceeds 1e30 at s = 1e-45


ADAM_SUP_B2_ZERO = Result(
    name="adam_sup_beta2_zero",
    statement=sp.Eq(sp.Limit(_b2_zero_ratio_sq(), _s, 0, "+"), sp.oo),
    hypotheses=(sp.Eq(beta2, 0, evaluate=False), sp.Gt(beta1, 0, evaluate=False),
                sp.Ge(t, 2, evaluate=False)),
    source=f"{KB}; beta2 = 0 makes vhat_t = g_t^2",
    steps=(Step("g = (1, 0, ..., 0, s), t = tau + 2 >= 2: s^2 mhat_t^2/vhat_t at s = 0 is "
                "((1-beta1) beta1^(t-1)/(1-beta1^t))^2, > 0 for beta1 in (0, 1); so "
                "mhat_t^2/vhat_t ~ const/s^2 -> oo as s -> 0+",
                lambda: sp.simplify((_b2_zero_ratio_sq() * _s**2).subs(_s, 0)
                                    - ((1 - beta1) * beta1 ** (_tp + 1)
                                       / (1 - beta1 ** (_tp + 2))) ** 2)),),
    grid=GridCheck("Algorithm 1 with beta2 = 0 on (1, 0, ..., 0, 1e-45): ratio^2 >= 1e30",
                   tuple({"beta1": sp.Rational(b), "t": T} for b in ("1/10", "9/10")
                         for T in (2, 3, 9)), _b2_zero_grid, "le"),
    note="With beta1 = 0 or t = 1 the ratio is |g_t|/|g_t| = 1 when beta2 = 0.",
)

RESULTS = (ADAM_SUP_RESULT, ADAM_SUP_LIMIT, ADAM_SUP_CASES, ADAM_SUP_B2_ZERO)

__all__ = ["ADAM_MAXIMIZER", "ADAM_SUP", "ADAM_SUP_B2_ZERO", "ADAM_SUP_CASES", "ADAM_SUP_INF",
           "ADAM_SUP_LIMIT", "ADAM_SUP_RESULT", "ADAM_SUP_SQ", "ADAM_SUP_SQ_GAMMA",
           "ADAM_SUP_SQ_INF", "ADAM_T2_GAP", "A_I", "C_I", "GAMMA_VALUE", "PREFACTOR",
           "RESULTS", "SUP_SQ_SUM"]
