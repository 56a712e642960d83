r"""Moment estimates and bias correction, derived (Kingma & Ba §2, §3, §7.2).

Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
arXiv:1412.6980v9.  An exponential moving average (EMA) with ``beta``
:math:`=\beta` of a sequence :math:`x_i` (``x``) is the recursion

.. math:: e_t = \beta e_{t-1} + (1-\beta) x_t, \qquad e_0 = 0,

so :math:`m_t` (Algorithm 1) is the EMA of :math:`g_i` with :math:`\beta_1`
and :math:`v_t` that of :math:`g_i^2` with :math:`\beta_2`.

Derived here (each a :class:`~adamlab.theory.results.Result` with its check):

``EMA_UNROLL`` (§3 eq. 1)
    :math:`e_t = \sum_{i=1}^t w_{t,i} x_i`, :math:`w_{t,i} = (1-\beta)\beta^{t-i}`,
    the weights *derived* by solving their recursion with :func:`sympy.rsolve`
    and checked by induction in t.
``WEIGHT_SUM``
    :math:`(1-\beta)\sum_{i=1}^t \beta^{t-i} = 1-\beta^t`.
``BIAS_CORRECTION`` (§3 eqs. 2-4)
    :math:`\mathbb E[e_t] = \mathbb E[x_t](1-\beta^t) + \zeta_t` with
    :math:`\zeta_t = \sum_i w_{t,i}(\mathbb E[x_i]-\mathbb E[x_t])`, which is
    0 when :math:`\mathbb E[x_i]` is stationary.
``ZETA_DRIFT_BOUND``
    if :math:`|\mathbb E[x_{i+1}]-\mathbb E[x_i]| \le \delta` then
    :math:`|\zeta_t| \le \delta Z_t(\beta)`,
    :math:`Z_t = (1-\beta)\sum_{k=0}^{t-1} k\beta^k \le \beta/(1-\beta)`,
    attained by a linear drift.
``ITERATE_AVERAGE`` (§7.2)
    :math:`\hat\theta_t = \bar\theta_t/(1-\beta_2^t)` is a weighted average
    with weights summing to 1: it returns a constant sequence exactly.
``EFFICIENT_ORDER`` (§2, last paragraph)
    :math:`\alpha_t m_t/(\sqrt{v_t}+\hat\epsilon)` with
    :math:`\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)` equals Algorithm 1's
    :math:`\alpha\hat m_t/(\sqrt{\hat v_t}+\epsilon)` iff
    :math:`\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}` -- a *time-varying*
    :math:`\hat\epsilon`; no constant one works when
    :math:`\epsilon > 0 < \beta_2`.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from . import recursions as rec
from .results import GridCheck, Result, Step, induction, mp_lambdify, mpf
from .sums import drop_unit_branch, merge_sums, residual_is_zero
from .symbols import alpha, beta, beta1, beta2, delta, eps, epshat, g, i, k, t

KB = "Kingma & Ba, ICLR 2015, arXiv:1412.6980v9"
x = sp.Function("x", real=True)     # a generic sequence (g_i, or g_i^2)
Ex = sp.Function("E_x", real=True)  # its means E[x_i]
_s = sp.Symbol("s", integer=True, nonnegative=True)
_x = sp.Symbol("x", positive=True)  # beta = 1/(1+x) encodes 0 < beta < 1 for sign decisions


def derive_ema_weight() -> sp.Expr:
    r"""The weight :math:`w_{t,i}` of :math:`x_i` in :math:`e_t`, derived.

    If :math:`e_{t-1} = \sum_{i<t} w_{t-1,i}x_i` then the recursion gives
    :math:`e_t = \sum_{i<t}\beta w_{t-1,i}x_i + (1-\beta)x_t`: a weight starts
    at :math:`1-\beta` when its term arrives and is multiplied by
    :math:`\beta` at each later step.  Solving :math:`W(s+1) = \beta W(s)`,
    :math:`W(0) = 1-\beta` (s = t - i steps of age) with :func:`sympy.rsolve`
    gives the closed form.
    """
    W = sp.Function("W")
    sol = sp.rsolve(W(_s + 1) - beta * W(_s), W(_s), {W(0): 1 - beta})
    return sp.simplify(sol.subs(_s, t - i))


EMA_WEIGHT = derive_ema_weight()                      # (1 - beta) * beta**(t - i)


def ema_closed(b: sp.Expr, term: sp.Expr, upper: sp.Expr = t) -> sp.Sum:
    r""":math:`\sum_{i=1}^{\mathrm{upper}} w_{\mathrm{upper},i}(b)\,\mathrm{term}(i)`."""
    return sp.Sum(EMA_WEIGHT.subs({beta: b, t: upper}) * term, (i, 1, upper))


M_T = ema_closed(beta1, g(i))                         # m_t
V_T = ema_closed(beta2, g(i) ** 2)                    # v_t
MHAT_T = M_T / (1 - beta1**t)                         # bias-corrected m_t
VHAT_T = V_T / (1 - beta2**t)                         # bias-corrected v_t
E_T = ema_closed(beta, x(i))                          # the generic EMA e_t
_weight_mp = mp_lambdify((beta, t, i), EMA_WEIGHT)


def apply_weight_sum(expr: sp.Expr, b: sp.Expr) -> sp.Expr:
    r"""Replace each :math:`\sum_{i=1}^t w_{t,i}(b)\,c` with c free of i by
    :math:`c\,(1-b^t)` -- the lemma :data:`WEIGHT_SUM` (checked by itself)."""
    wb = EMA_WEIGHT.subs(beta, b)

    def apply(s):
        (var, lo, hi), = s.limits
        if lo != 1 or hi != t:
            return s
        c = sp.simplify(s.function.subs(var, i) / wb)
        return s if c.has(i) else c * (1 - b**t)
    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, apply)

_BETAS = ("0", "1/10", "1/2", "9/10", "999/1000")
_GRID = tuple({"beta": sp.Rational(b), "t": tt} for b in _BETAS for tt in (1, 2, 3, 7, 20))


def _closed_ema_mp(b, xs):
    T = len(xs)
    return mp.fsum(_weight_mp(b, T, ii) * xs[ii - 1] for ii in range(1, T + 1))


def _ema_grid(pt):
    b, T = mpf(pt["beta"]), pt["t"]
    xs = [mpf(v) for v in rec.random_rationals(T, seed=T + 17)]
    return rec.ema(b, xs)[-1], _closed_ema_mp(b, xs)


EMA_UNROLL = Result(
    name="ema_unroll",
    statement=sp.Eq(sp.Function("e")(t), E_T),
    hypotheses=(sp.Ge(t, 1, evaluate=False),),
    source=f"{KB}, §3 eq. (1); m_t: x_i = g_i, beta = beta1; v_t: x_i = g_i^2, beta = beta2",
    steps=induction(
        "e_t = sum_i (1-beta) beta^(t-i) x_i solves e_t = beta e_(t-1) + (1-beta) x_t, e_0 = 0",
        base=lambda: E_T.subs(t, 1).doit() - (1 - beta) * x(1),
        step=lambda: residual_is_zero(
            E_T.subs(t, t + 1) - beta * E_T - (1 - beta) * x(t + 1), upper=t + 1)),
    grid=GridCheck("recursion vs closed form on random rational x_i", _GRID, _ema_grid),
    note="The weights are derived by rsolve (derive_ema_weight); m_t and v_t are the "
         "instances x = g, beta = beta1 and x = g^2, beta = beta2 (M_T, V_T).",
    exprs={"weight": EMA_WEIGHT, "m_t": M_T, "v_t": V_T},
)

WEIGHT_SUM_LHS = sp.Sum(EMA_WEIGHT, (i, 1, t))


def _weight_sum_sympy():
    return drop_unit_branch(sp.simplify(WEIGHT_SUM_LHS.doit()), beta) - (1 - beta**t)


def _weight_sum_grid(pt):
    b, T = mpf(pt["beta"]), pt["t"]
    return mp.fsum((1 - b) * b ** (T - ii) for ii in range(1, T + 1)), 1 - b**T


WEIGHT_SUM = Result(
    name="weight_sum",
    statement=sp.Eq(WEIGHT_SUM_LHS, 1 - beta**t),
    hypotheses=(sp.Ge(beta, 0, evaluate=False), sp.Lt(beta, 1, evaluate=False),
                sp.Ge(t, 1, evaluate=False)),
    source=f"{KB}, §3 (the factor 1 - beta^t of eqs. 3-4)",
    steps=(Step("SymPy evaluates the geometric sum (branch beta != 1)", _weight_sum_sympy),)
    + induction("(1-beta) sum_{i<=t} beta^(t-i) = 1 - beta^t",
                base=lambda: WEIGHT_SUM_LHS.subs(t, 1).doit() - (1 - beta),
                step=lambda: residual_is_zero(
                    WEIGHT_SUM_LHS.subs(t, t + 1) - beta * WEIGHT_SUM_LHS - (1 - beta),
                    upper=t + 1)),
    grid=GridCheck("brute-force sum vs 1 - beta^t", _GRID, _weight_sum_grid),
)

# ---- expectations: E[e_t] by linearity, the residual zeta ------------------
E_MEAN = ema_closed(beta, Ex(i))                      # E[e_t] = sum_i w_i E[x_i]
ZETA = sp.Sum(EMA_WEIGHT * (Ex(i) - Ex(t)), (i, 1, t))
_mu = sp.Symbol("mu", real=True)


def _bias_identity():
    e = E_MEAN - Ex(t) * (1 - beta**t) - ZETA
    return apply_weight_sum(merge_sums(e), beta)


def _bias_grid(pt):
    b, T = mpf(pt["beta"]), pt["t"]
    means = [mpf(v) for v in rec.random_rationals(T, seed=3 * T + 1)]
    zeta = mp.fsum(_weight_mp(b, T, ii) * (means[ii - 1] - means[-1]) for ii in range(1, T + 1))
    return rec.ema(b, means)[-1], means[-1] * (1 - b**T) + zeta


BIAS_CORRECTION = Result(
    name="bias_correction",
    statement=(sp.Eq(sp.Symbol("E[e_t]"), Ex(t) * (1 - beta**t) + ZETA),
               sp.Eq(ZETA.subs(Ex(i), _mu).subs(Ex(t), _mu), 0)),
    hypotheses=(sp.Ge(beta, 0, evaluate=False), sp.Lt(beta, 1, evaluate=False),
                sp.Ge(t, 1, evaluate=False)),
    source=f"{KB}, §3 eqs. (2)-(4) (for v_t: x_i = g_i^2; for m_t: x_i = g_i)",
    steps=(Step("E[e_t] = sum_i w_i E[x_i] (linearity) equals E[x_t](1-beta^t) + zeta_t",
                _bias_identity),
           Step("stationary means E[x_i] = mu give zeta_t = 0 (summand vanishes)",
                lambda: residual_is_zero(ZETA.subs(Ex(i), _mu).subs(Ex(t), _mu))),
           Step("stationary means give E[e_t] = mu (1 - beta^t) (lemma weight_sum)",
                lambda: apply_weight_sum(E_MEAN.subs(Ex(i), _mu), beta)
                - _mu * (1 - beta**t))),
    grid=GridCheck("EMA recursion of the means vs E[x_t](1-beta^t) + zeta_t", _GRID,
                   _bias_grid),
    note="E[e_t] is the EMA recursion applied to the means (linearity of expectation); "
         "zeta_t is defined exactly, so the identity holds for any sequence of means.",
    exprs={"zeta": ZETA, "mean": E_MEAN},
)

# ---- how large zeta can be under a bounded drift --------------------------
Z_SUM = (1 - beta) * sp.Sum(k * beta**k, (k, 0, t - 1))
# derived: sum_k k beta^k = beta d/dbeta sum_k beta^k, the geometric sum (1-beta^t)/(1-beta)
Z_T = sp.factor(sp.simplify((1 - beta) * beta * sp.diff((1 - beta**t) / (1 - beta), beta)))
Z_INF = beta / (1 - beta)


def _z_limit():
    lim = sp.limit(Z_T.subs(beta, 1 / (1 + _x)), t, sp.oo)
    return sp.simplify(lim - Z_INF.subs(beta, 1 / (1 + _x)))


def _z_gap_sign():
    gap = sp.factor(sp.simplify(Z_INF - Z_T))
    # the gap, with beta = 1/(1+x), x > 0 (i.e. 0 < beta < 1), is a positive expression
    return bool(sp.simplify(gap.subs(beta, 1 / (1 + _x))).is_nonnegative), gap


def _zeta_bound_grid(pt):
    b, T = mpf(pt["beta"]), pt["t"]
    d = mp.mpf(3) / 7
    steps = [d * mpf(s) / 9 for s in rec.random_rationals(T, seed=T + 5)]  # |drift| <= d
    means, cur = [], mp.mpf(1)
    for s in steps:
        means.append(cur)
        cur += s
    zeta = rec.ema(b, means)[-1] - means[-1] * (1 - b**T)
    return abs(zeta), d * _z_mp(b, T)


_z_mp = mp_lambdify((beta, t), sp.Piecewise((0, sp.Eq(beta, 0)), (Z_T, True)))
_lin = sp.Symbol("a", real=True)
ZETA_DRIFT_BOUND = Result(
    name="zeta_drift_bound",
    statement=(sp.Le(sp.Abs(ZETA), delta * Z_T), sp.Le(Z_T, Z_INF)),
    hypotheses=(sp.Le(sp.Abs(Ex(i + 1) - Ex(i)), delta), sp.Ge(beta, 0, evaluate=False),
                sp.Lt(beta, 1, evaluate=False)),
    source=f"{KB}, §3 (zeta 'can be kept small' when E[g_i^2] drifts slowly): made exact",
    steps=(Step("Z_t = (1-beta) sum_{k<t} k beta^k: SymPy's own evaluation of the sum "
                "agrees with the derivative-of-geometric-sum derivation",
                lambda: drop_unit_branch(Z_SUM.doit(), beta) - Z_T),
           Step("a linear drift E[x_i] = a + (t-i) delta attains zeta_t = delta Z_t "
                "(reindex k = t - i)",
                lambda: residual_is_zero(
                    ZETA.subs(Ex(i), _lin + (t - i) * delta).subs(Ex(t), _lin)
                    .change_index(i, t - i, k) - delta * Z_SUM)),
           Step("Z_inf - Z_t >= 0 for 0 < beta < 1 (sign with beta = 1/(1+x))", _z_gap_sign),
           Step("lim_{t->oo} Z_t = beta/(1-beta)", _z_limit)),
    grid=GridCheck("|zeta_t| by the recursion on random drifts |drift| <= 3/7 vs delta Z_t",
                   tuple(p for p in _GRID if p["beta"] != 0), _zeta_bound_grid, "le"),
    note="|E[x_i] - E[x_t]| <= (t-i) delta (triangle inequality), so |zeta_t| <= delta "
         "(1-beta) sum_i beta^(t-i) (t-i) = delta Z_t; the linear drift attains it.",
    exprs={"Z_t": Z_T, "Z_inf": Z_INF},
)

# ---- §7.2: the bias-corrected EMA of the iterates ---------------------------
theta = sp.Function("theta", real=True)
_th0 = sp.Symbol("theta0", real=True)
THETA_HAT = ema_closed(beta2, theta(i)) / (1 - beta2**t)


def _iterate_grid(pt):
    b, T = mpf(pt["beta"]), pt["t"]
    c0 = mp.mpf(5) / 3
    return rec.ema(b, [c0] * T)[-1] / (1 - b**T), c0


ITERATE_AVERAGE = Result(
    name="iterate_average",
    statement=(sp.Eq(THETA_HAT.subs(theta(i), _th0), _th0),),
    hypotheses=(sp.Gt(beta2, 0, evaluate=False), sp.Lt(beta2, 1, evaluate=False),
                sp.Ge(t, 1, evaluate=False)),
    source=f"{KB}, §7.2 (temporal averaging, 'the same bias correction as §3')",
    steps=(Step("the weights of theta_i in thetahat_t sum to 1 (lemma weight_sum)",
                lambda: apply_weight_sum(ema_closed(beta2, 1), beta2) / (1 - beta2**t) - 1),
           Step("a constant sequence theta_i = theta0 is returned exactly",
                lambda: apply_weight_sum(THETA_HAT.subs(theta(i), _th0), beta2) - _th0)),
    grid=GridCheck("EMA recursion of constant iterates / (1-beta^t) vs the constant",
                   tuple({"beta": p["beta"], "t": p["t"]} for p in _GRID if p["beta"] != 0),
                   _iterate_grid),
    note="Hence E[thetahat_t] = mu whenever every E[theta_i] = mu (linearity): the "
         "corrected average is unbiased; the uncorrected thetabar_t is biased by 1-beta2^t.",
    exprs={"thetahat": THETA_HAT},
)

# ---- §2: the "efficient" order of computation -------------------------------
_M, _V = sp.Symbol("m_t", positive=True), sp.Symbol("v_t", positive=True)
_C1 = 1 - beta1**t
_C2 = sp.Symbol("c2", positive=True)        # 1 - beta2^t, in (0, 1]
STEP_ALG1 = alpha * (_M / _C1) / (sp.sqrt(_V / _C2) + eps)
STEP_EFFICIENT = alpha * sp.sqrt(_C2) / _C1 * _M / (sp.sqrt(_V) + epshat)


def _solve_epshat():
    sols = sp.solve(sp.Eq(STEP_ALG1, STEP_EFFICIENT), epshat)
    return (len(sols) == 1 and sp.simplify(sols[0] - eps * sp.sqrt(_C2)) == 0), sols


def _no_constant_epshat():
    # required epshat at t = 1 and t = 2 differ unless eps = 0 or beta2 in {0, 1}:
    # eps^2 (1-beta2) vs eps^2 (1-beta2^2) differ by eps^2 beta2 (1 - beta2)
    diff = sp.factor((eps**2 * (1 - beta2**2)) - eps**2 * (1 - beta2))
    return sp.simplify(diff - eps**2 * beta2 * (1 - beta2))


def _efficient_grid(pt):
    b1, b2, T = mp.mpf(9) / 10, mpf(pt["beta"]), pt["t"]
    e = mp.mpf(1) / 10**3
    gs = [mpf(v) for v in rec.random_rationals(T, seed=T)]
    m, v, mh, vh = rec.adam_moments(b1, b2, gs)
    alg1 = mh / (mp.sqrt(vh) + e)
    c2 = 1 - b2**T
    eff = mp.sqrt(c2) / (1 - b1**T) * m / (mp.sqrt(v) + e * mp.sqrt(c2))
    return eff, alg1


EFFICIENT_EPSHAT = eps * sp.sqrt(1 - beta2**t)
EFFICIENT_ORDER = Result(
    name="efficient_order",
    statement=sp.Eq(epshat, EFFICIENT_EPSHAT),
    hypotheses=(sp.Ne(_M, 0, evaluate=False), sp.Ge(eps, 0, evaluate=False),
                sp.Ge(beta2, 0, evaluate=False), sp.Lt(beta2, 1, evaluate=False)),
    source=f"{KB}, §2 (last paragraph before §2.1) and Algorithm 1",
    steps=(Step("solve alpha mhat/(sqrt(vhat)+eps) = alpha_t m/(sqrt(v)+epshat) for epshat "
                "(c2 = 1 - beta2^t)", _solve_epshat),
           Step("the required epshat differs between t = 1 and t = 2: "
                "eps^2(1-beta2^2) - eps^2(1-beta2) = eps^2 beta2 (1-beta2)",
                _no_constant_epshat)),
    grid=GridCheck("Algorithm 1 vs the reordered step with epshat_t = eps sqrt(1-beta2^t), "
                   "eps = 1e-3, beta1 = 0.9", tuple(p for p in _GRID if p["beta"] != 0),
                   _efficient_grid),
    note="The two orders agree for every gradient sequence iff epshat = eps sqrt(1-beta2^t) "
         "at every t; a constant epshat agrees only when eps = epshat = 0 (or beta2 = 0).",
    exprs={"epshat_t": EFFICIENT_EPSHAT},
)

RESULTS = (EMA_UNROLL, WEIGHT_SUM, BIAS_CORRECTION, ZETA_DRIFT_BOUND, ITERATE_AVERAGE,
           EFFICIENT_ORDER)

__all__ = ["BIAS_CORRECTION", "EFFICIENT_EPSHAT", "EFFICIENT_ORDER", "EMA_UNROLL",
           "EMA_WEIGHT", "E_T", "ITERATE_AVERAGE", "MHAT_T", "M_T", "RESULTS", "THETA_HAT",
           "VHAT_T", "V_T", "WEIGHT_SUM", "ZETA", "ZETA_DRIFT_BOUND", "Z_INF", "Z_T",
           "apply_weight_sum", "derive_ema_weight", "ema_closed"]
