r"""RAdam's :math:`\rho_t` and rectification term; NAdam's momentum products.

RAdam -- Liu, Jiang, He, Chen, Liu, Gao & Han, "On the Variance of the
Adaptive Learning Rate and Beyond", ICLR 2020 (arXiv:1908.03265), §3-4 and
Algorithm 2, with ``beta2`` :math:`=\beta_2`:

``RHO``
    The EMA of :math:`g_i^2` is approximated by a simple moving average of the
    last f terms with the same centre of mass: the mean age of the bias-corrected
    EMA weights :math:`(1-\beta_2)\beta_2^k/(1-\beta_2^t)`, k = 0..t-1, is
    :math:`Z_t/(1-\beta_2^t)` (:data:`~adamlab.theory.moments.Z_T`), that of an
    SMA of length f is :math:`(f-1)/2`; solving gives
    :math:`f = \rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`,
    :math:`\rho_\infty = 2/(1-\beta_2) - 1` -- *derived* here and compared with
    the published form.
``RECTIFICATION``
    With :math:`g_i \sim N(0, \sigma^2)` and :math:`\psi^2 = \rho/\sum_{i\le\rho}
    g_i^2 = \rho/(\sigma^2 Y)`, :math:`Y\sim\chi^2_\rho`, the moments
    :math:`\mathbb E[Y^{-1}] = 1/(\rho-2)`, :math:`\mathbb E[Y^{-2}] =
    1/((\rho-2)(\rho-4))` are integrated by SymPy; the first-order (delta
    method) variance :math:`\mathrm{Var}[\psi] \approx \mathrm{Var}[\psi^2]/(4\mathbb
    E[\psi^2]) = \rho/(2(\rho-2)(\rho-4)\sigma^2)` (Liu et al. eq. 5-6), and
    :math:`r_t = \sqrt{\mathrm{Var}[\psi(\rho_\infty)]/\mathrm{Var}[\psi(\rho_t)]}`
    equals the published :math:`\sqrt{(\rho_t-4)(\rho_t-2)\rho_\infty/
    ((\rho_\infty-4)(\rho_\infty-2)\rho_t)}`; real only for :math:`\rho_t > 4`.

NAdam -- Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016
workshop, Algorithm 2, momentum schedule :math:`\mu_t` (``mu``):

``EMA_VARYING``
    the EMA with a time-varying momentum, :math:`e_t = \mu_t e_{t-1} +
    (1-\mu_t)x_t`, has weights :math:`(1-\mu_i)\prod_{j=i+1}^t\mu_j` summing to
    :math:`1-\prod_{j=1}^t\mu_j`: the momentum *product* is the exact bias
    correction.
``NADAM_WEIGHT``
    the Nesterov estimate :math:`\bar m_t = \frac{1-\mu_t}{1-\Pi_t}g_t +
    \frac{\mu_{t+1}}{1-\Pi_{t+1}}m_t` (:math:`\Pi_t = \prod_{j\le t}\mu_j`,
    :math:`m_t` the EMA with :math:`\mu`) puts total weight
    :math:`W_t = \frac{1-\mu_t}{1-\Pi_t} + \frac{\mu_{t+1}(1-\Pi_t)}{1-\Pi_{t+1}}`
    on a constant gradient; for constant :math:`\mu = \beta_1`,
    :math:`W_t - 1 = \beta_1^t(1-\beta_1)^2/((1-\beta_1^t)(1-\beta_1^{t+1})) > 0`
    (:math:`W_1 = 1 + \beta_1/(1+\beta_1)`), tending to 0: NAdam's bias
    correction is exact only asymptotically.
"""
from __future__ import annotations

import functools

import mpmath as mp
import sympy as sp

from . import recursions as rec
from .moments import Z_T
from .results import GridCheck, Result, Step, induction, mp_lambdify, mpf
from .sums import limit_t_infinity, merge_sums, peel_top, peel_top_product
from .symbols import beta, beta1, beta2, i, j, mu, t

LIU = "Liu et al., ICLR 2020, arXiv:1908.03265"
DOZAT = "Dozat, ICLR 2016 workshop, 'Incorporating Nesterov Momentum into Adam', Algorithm 2"
_f = sp.Symbol("f", positive=True)
_y = sp.Symbol("y", positive=True)
_sig = sp.Symbol("sigma", positive=True)
rho = sp.Symbol("rho", positive=True)

# ---- rho_t by matching centres of mass ---------------------------------------
_mean_age = (Z_T / (1 - beta**t)).subs(beta, beta2)
RHO_T, = sp.solve(sp.Eq((_f - 1) / 2, _mean_age), _f)
RHO_T = sp.simplify(RHO_T)
RHO_INF_PUBLISHED = 2 / (1 - beta2) - 1
RHO_T_PUBLISHED = RHO_INF_PUBLISHED - 2 * t * beta2**t / (1 - beta2**t)
_x = sp.Symbol("x", positive=True)


def _rho_limit():
    lim = sp.limit(RHO_T.subs(beta2, 1 / (1 + _x)), t, sp.oo)
    return sp.simplify(lim - RHO_INF_PUBLISHED.subs(beta2, 1 / (1 + _x)))


def _rho_grid(pt):
    b2, T = mpf(pt["beta2"]), pt["t"]
    ws = [(1 - b2) * b2**kk / (1 - b2**T) for kk in range(T)]
    mean_age = mp.fsum(kk * w for kk, w in enumerate(ws))
    return 2 * mean_age + 1, _rho_pub_mp(b2, T)


_rho_pub_mp = mp_lambdify((beta2, t), RHO_T_PUBLISHED)
_GRID = tuple({"beta2": sp.Rational(b), "t": T} for b in ("1/2", "9/10", "99/100", "999/1000")
              for T in (1, 2, 5, 6, 40, 1000))

RHO = Result(
    name="radam_rho",
    statement=(sp.Eq(sp.Symbol("rho_t"), RHO_T_PUBLISHED),
               sp.Eq(sp.Symbol("rho_inf"), RHO_INF_PUBLISHED)),
    hypotheses=(sp.Gt(beta2, 0, evaluate=False), sp.Lt(beta2, 1, evaluate=False),
                sp.Ge(t, 1, evaluate=False)),
    source=f"{LIU}, §4 (approximating the EMA by an SMA), Algorithm 2",
    steps=(Step("the SMA length with the EMA's centre of mass equals the published rho_t",
                lambda: RHO_T - RHO_T_PUBLISHED),
           Step("rho_1 = 1", lambda: RHO_T.subs(t, 1) - 1),
           Step("lim_{t->oo} rho_t = rho_inf = 2/(1-beta2) - 1 (beta2 = 1/(1+x))", _rho_limit)),
    grid=GridCheck("2 * (mean age of the EMA weights, brute force) + 1 vs published rho_t",
                   _GRID, _rho_grid),
    exprs={"rho_t": RHO_T, "rho_inf": RHO_INF_PUBLISHED},
)

# ---- the rectification term ---------------------------------------------------
_chi2 = _y ** (rho / 2 - 1) * sp.exp(-_y / 2) / (2 ** (rho / 2) * sp.gamma(rho / 2))


@functools.lru_cache(maxsize=None)
def _inv_moment(kpow):
    return sp.gammasimp(sp.integrate(_chi2 / _y**kpow, (_y, 0, sp.oo), conds="none"))


def _psi_moments():
    e1, e2 = _inv_moment(1), _inv_moment(2)      # E[1/Y], E[1/Y^2]
    mean_sq = rho / _sig**2 * e1                  # E[psi^2]
    var_sq = rho**2 / _sig**4 * e2 - mean_sq**2   # Var[psi^2]
    return mean_sq, var_sq


def derive_var_psi():
    r"""First-order :math:`\mathrm{Var}[\psi] \approx \mathrm{Var}[\psi^2]/(4\mathbb E[\psi^2])`."""
    mean_sq, var_sq = _psi_moments()
    return sp.factor(sp.simplify(var_sq / (4 * mean_sq)))


_rt, _ri = sp.symbols("rho_t rho_inf", positive=True)
R_T_PUBLISHED = sp.sqrt((_rt - 4) * (_rt - 2) * _ri / ((_ri - 4) * (_ri - 2) * _rt))


def _rect_step():
    v = derive_var_psi()
    ratio = v.subs(rho, _ri) / v.subs(rho, _rt)
    return sp.simplify(ratio - R_T_PUBLISHED**2)


def _moment_grid(pt):
    r, kp = mpf(pt["rho"]), pt["k"]
    dens = lambda yy: yy ** (r / 2 - 1) * mp.exp(-yy / 2) / (2 ** (r / 2) * mp.gamma(r / 2))
    # y = s^2 removes the endpoint singularity y^(rho/2 - 1 - k) at 0
    num = mp.quad(lambda s_: 2 * s_ * dens(s_**2) / s_ ** (2 * kp), [0, 1, mp.sqrt(r), mp.inf])
    return num, (1 / (r - 2) if kp == 1 else 1 / ((r - 2) * (r - 4)))


RECTIFICATION = Result(
    name="radam_rectification",
    statement=(sp.Eq(sp.Symbol(r"\mathrm{Var}[\psi]"), rho / (2 * (rho - 2) * (rho - 4) * _sig**2)),
               sp.Eq(sp.Symbol("r_t"), R_T_PUBLISHED)),
    hypotheses=(sp.Gt(rho, 4, evaluate=False),),
    source=f"{LIU}, §3 eqs. (5)-(6) and Algorithm 2",
    steps=(Step("E[1/Y] = 1/(rho-2), E[1/Y^2] = 1/((rho-2)(rho-4)) for Y ~ chi^2_rho "
                "(SymPy integrates the density)",
                lambda: sp.simplify(_inv_moment(1) - 1 / (rho - 2))
                + sp.simplify(_inv_moment(2) - 1 / ((rho - 2) * (rho - 4)))),
           Step("delta method: Var[psi] ~ Var[psi^2]/(4 E[psi^2]) = rho/(2 (rho-2)(rho-4) sigma^2)",
                lambda: derive_var_psi() - rho / (2 * (rho - 2) * (rho - 4) * _sig**2)),
           Step("r_t^2 = Var[psi(rho_inf)]/Var[psi(rho_t)] equals the published r_t^2",
                _rect_step)),
    grid=GridCheck("E[Y^-k] by 50-digit quadrature of the chi^2 density vs the closed forms",
                   tuple({"rho": sp.Integer(r), "k": kp} for r in (5, 12) for kp in (1, 2)),
                   _moment_grid),
    note="The approximation is first order in 1/rho; r_t needs rho_t > 4 (Algorithm 2 "
         "rectifies only then; torch and optax use rho_t > 5).",
)

# ---- NAdam: time-varying momentum ------------------------------------------------
x = sp.Function("x", real=True)


def _prod(lo, hi):
    return sp.Product(mu(j), (j, lo, hi))


def varying_weight_sum(upper):
    return sp.Sum((1 - mu(i)) * _prod(i + 1, upper), (i, 1, upper))


def _varying_step():
    e = peel_top(varying_weight_sum(t + 1), t + 1)
    e = peel_top_product(e, t + 1).doit()          # the empty product at i = t+1 is 1
    res1 = merge_sums(sp.expand(e - mu(t + 1) * varying_weight_sum(t) - (1 - mu(t + 1))))
    # closed form: 1 - Pi_{t+1} = mu_{t+1} (1 - Pi_t) + (1 - mu_{t+1})
    res2 = sp.expand(peel_top_product(1 - _prod(1, t + 1), t + 1)
                     - (mu(t + 1) * (1 - _prod(1, t)) + (1 - mu(t + 1))))
    return sp.Abs(res1) + sp.Abs(res2)


def _dozat_mu(T, b1=mp.mpf(9) / 10, psi=mp.mpf(1) / 250):
    return b1 * (1 - mp.mpf(1) / 2 * mp.mpf("0.96") ** (T * psi))


def _varying_grid(pt):
    T = pt["t"]
    mus = [_dozat_mu(s) for s in range(1, T + 1)]
    e = rec.ema_varying(mus, [mp.mpf(1)] * T)[-1]          # weights applied to x_i = 1
    prod = mp.fprod(mus)
    return e, 1 - prod


EMA_VARYING = Result(
    name="ema_varying_weight_sum",
    statement=sp.Eq(varying_weight_sum(t), 1 - _prod(1, t)),
    hypotheses=(sp.Ge(t, 1, evaluate=False),),
    source=f"{DOZAT} (the product 1 - prod mu_i in its bias corrections)",
    steps=induction("sum_i (1-mu_i) prod_{j>i} mu_j = 1 - prod_j mu_j",
                    base=lambda: varying_weight_sum(1).doit() - (1 - _prod(1, 1).doit()),
                    step=_varying_step),
    grid=GridCheck("the EMA recursion with Dozat's mu_t (beta1 = 0.9, psi = 1/250) on x_i = 1 "
                   "vs 1 - prod mu", tuple({"t": T} for T in (1, 2, 7, 60)), _varying_grid),
)

_mt, _mt1, _Pt = sp.symbols("mu_t mu_t1 Pi_t", positive=True)
NADAM_W = (1 - _mt) / (1 - _Pt) + _mt1 * (1 - _Pt) / (1 - _Pt * _mt1)
NADAM_W_CONST = NADAM_W.subs({_mt: beta1, _mt1: beta1, _Pt: beta1**t})
NADAM_EXCESS_CONST = sp.factor(sp.simplify(NADAM_W_CONST - 1))


def _nadam_grid(pt):
    T, b1 = pt["t"], mpf(pt["beta1"])
    mus = [_dozat_mu(s, b1) for s in range(1, T + 2)]
    m = rec.ema_varying(mus[:T], [mp.mpf(1)] * T)[-1]     # g_i = 1
    P_t, P_t1 = mp.fprod(mus[:T]), mp.fprod(mus)
    mbar = (1 - mus[T - 1]) * 1 / (1 - P_t) + mus[T] * m / (1 - P_t1)
    return mbar, _nadam_w_mp(mus[T - 1], mus[T], P_t)


_nadam_w_mp = mp_lambdify((_mt, _mt1, _Pt), NADAM_W)
NADAM_WEIGHT = Result(
    name="nadam_weight",
    statement=(sp.Eq(sp.Symbol("W_t"), NADAM_W), sp.Eq(NADAM_W_CONST - 1, NADAM_EXCESS_CONST)),
    hypotheses=(sp.Gt(_mt, 0, evaluate=False), sp.Lt(_mt, 1, evaluate=False)),
    source=f"{DOZAT}; constant mu = beta1 is also optax.nadam's form",
    steps=(Step("constant mu = beta1: W_t - 1 = beta1^t (1-beta1)^2/((1-beta1^t)(1-beta1^(t+1)))",
                lambda: NADAM_W_CONST - 1 - beta1**t * (1 - beta1) ** 2
                / ((1 - beta1**t) * (1 - beta1 ** (t + 1)))),
           Step("t = 1: W_1 = 1 + beta1/(1+beta1)",
                lambda: NADAM_W_CONST.subs(t, 1) - 1 - beta1 / (1 + beta1)),
           Step("W_t -> 1 as t -> oo (constant mu)",
                lambda: limit_t_infinity(NADAM_W_CONST, t, (beta1,)) - 1)),
    grid=GridCheck("Dozat's mbar_t on g_i = 1 with his mu_t schedule (recursion) vs W_t",
                   tuple({"t": T, "beta1": sp.Rational(b)} for T in (1, 2, 10, 100)
                         for b in ("9/10", "99/100")), _nadam_grid),
    note="m_t here is the EMA with mu_t (Dozat); torch's NAdam keeps m_t with the constant "
         "beta1, whose weight sum is 1 - beta1^t instead of 1 - Pi_t.",
    exprs={"W": NADAM_W, "excess_const": NADAM_EXCESS_CONST},
)

RESULTS = (RHO, RECTIFICATION, EMA_VARYING, NADAM_WEIGHT)

__all__ = ["EMA_VARYING", "NADAM_EXCESS_CONST", "NADAM_W", "NADAM_WEIGHT", "RECTIFICATION",
           "RESULTS", "RHO", "RHO_INF_PUBLISHED", "RHO_T", "RHO_T_PUBLISHED", "R_T_PUBLISHED",
           "derive_var_psi", "varying_weight_sum"]
