r"""Limits of Adam: the AdaGrad limit (§5) and the AdaMax limit (§7.1).

Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
arXiv:1412.6980v9.

``ADAGRAD_LIMIT`` (§5)
    With :math:`\beta_1 = 0`, :math:`\hat m_t = g_t`, and for every fixed t

    .. math:: \lim_{\beta_2\to 1^-}\hat v_t
              = \lim_{\beta_2\to1^-}\sum_{i=1}^t\frac{(1-\beta_2)\beta_2^{t-i}}{1-\beta_2^t}g_i^2
              = \frac1t\sum_{i=1}^t g_i^2,

    so Adam's step with :math:`\alpha_t = \alpha/\sqrt t` (``alpha``) tends to
    :math:`\alpha\, g_t/\sqrt{\sum_{i\le t} g_i^2}`, AdaGrad's (Duchi, Hazan
    & Singer 2011, diagonal, :math:`\epsilon = 0`) with learning rate
    :math:`\alpha`.  The limit is pointwise in t, not uniform.
``ADAMAX_LIMIT`` (§7.1, eqs. 6-12)
    The :math:`L^p` recursion :math:`v_t = \beta_2^p v_{t-1} + (1-\beta_2^p)|g_t|^p`
    unrolls to :math:`(1-\beta_2^p)\sum_i \beta_2^{p(t-i)}|g_i|^p`, and

    .. math:: u_t = \lim_{p\to\infty} v_t^{1/p} = \max_{i\le t}\beta_2^{t-i}|g_i|
              = \max(\beta_2 u_{t-1}, |g_t|),

    by :math:`(1-\beta_2^p)^{1/p}\to 1`, the sandwich
    :math:`M^p \le \sum_i a_i^p \le t M^p` (:math:`M = \max_i a_i`) with
    :math:`t^{1/p}\to 1`, and the running-max lemma.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from . import recursions as rec
from .adam_step import C_I
from .lemmas import MAX_HOMOGENEOUS
from .moments import EMA_WEIGHT, MHAT_T
from .results import GridCheck, Result, Step, mpf
from .sums import peel_top
from .symbols import alpha, beta, beta1, beta2, g, i, p, t

KB = "Kingma & Ba, ICLR 2015, arXiv:1412.6980v9"
_kk = sp.Symbol("kk", integer=True, positive=True)
_S, _G = sp.Symbol("S", positive=True), sp.Symbol("G", real=True)
_x = sp.Symbol("x", positive=True)
ADAGRAD_VHAT = sp.Sum(g(i) ** 2, (i, 1, t)) / t


def _mhat_beta1_zero():
    # beta1 = 0: peel the last term; the rest has weights 0^(t-i), t - i = kk >= 1
    e = peel_top(MHAT_T.subs(beta1, 0), t)
    e = e.replace(lambda z: isinstance(z, sp.Sum), lambda z: z.change_index(i, t - i, _kk))
    return sp.simplify(e.doit() - g(t))


def _adagrad_grid(pt):
    T = pt["t"]
    b2 = 1 - mp.mpf(10) ** -35
    gs = [mpf(v) for v in rec.random_rationals(T, seed=T + 11)]
    _, _, _, vh = rec.adam_moments(mp.mpf(0), b2, gs)
    return vh, mp.fsum(x * x for x in gs) / T


ADAGRAD_LIMIT = Result(
    name="adagrad_limit",
    statement=(sp.Eq(sp.Limit(C_I, beta2, 1, "-"), 1 / t),
               sp.Eq(sp.Symbol(r"\lim_{\beta_2\to1^-}\hat v_t"), ADAGRAD_VHAT),
               sp.Eq(sp.Symbol(r"\lim \Delta_t"), alpha * g(t) / sp.sqrt(
                   sp.Sum(g(i) ** 2, (i, 1, t))))),
    hypotheses=(sp.Eq(beta1, 0, evaluate=False), sp.Ge(t, 1, evaluate=False)),
    source=f"{KB}, §5 (relation to AdaGrad); AdaGrad: Duchi, Hazan & Singer, JMLR 2011",
    steps=(Step("beta1 = 0: mhat_t = g_t", _mhat_beta1_zero),
           Step("the weight of g_i^2 in vhat_t tends to 1/t as beta2 -> 1- (fixed t, i); a "
                "finite sum of t terms, so vhat_t -> (1/t) sum g_i^2",
                lambda: sp.limit(C_I, beta2, 1, "-") - 1 / t),
           Step("(alpha/sqrt(t)) g_t/sqrt(S/t) = alpha g_t/sqrt(S), S = sum_i g_i^2: "
                "AdaGrad's step", lambda: alpha / sp.sqrt(t) * _G / sp.sqrt(_S / t)
                - alpha * _G / sp.sqrt(_S))),
    grid=GridCheck("Algorithm 1's vhat_t at beta1 = 0, beta2 = 1 - 1e-35 vs (1/t) sum g^2 "
                   "(limit checked near the point: tolerance 1e-30)",
                   tuple({"t": T} for T in (1, 2, 5, 30)), _adagrad_grid, "eq", "1e-30"),
    note="Pointwise in t: for fixed beta2 < 1 and t -> oo, vhat_t forgets old gradients.",
)

V_P = sp.Sum(EMA_WEIGHT.subs(beta, beta2**p) * sp.Abs(g(i)) ** p, (i, 1, t))


def _vp_unroll():
    w = sp.powsimp(EMA_WEIGHT.subs(beta, beta2**p), force=True)
    return sp.simplify(w - (1 - beta2**p) * beta2 ** (p * (t - i)))


def _adamax_grid(pt):
    b2, T, P = mpf(pt["beta2"]), pt["t"], pt["p"]
    gs = [mpf(v) for v in rec.random_rationals(T, seed=T + 21)]
    v = rec.ema(b2**P, [abs(x) ** P for x in gs])[-1]
    u = mp.mpf(0)
    for x in gs:
        u = max(b2 * u, abs(x))
    # the sandwich: (1-b2^p)^(1/p) u <= v^(1/p) <= T^(1/p) u
    lo, hi = (1 - b2**P) ** (mp.mpf(1) / P) * u, mp.mpf(T) ** (mp.mpf(1) / P) * u
    vp = v ** (mp.mpf(1) / P)
    outside = max(lo - vp, vp - hi, mp.mpf(0))
    return outside + abs(vp - u), max(u - lo, hi - u)


ADAMAX_LIMIT = Result(
    name="adamax_limit",
    statement=sp.Eq(sp.Limit(V_P ** (1 / p), p, sp.oo),
                    sp.Symbol(r"\max_{i\le t}\beta_2^{t-i}|g_i| = \max(\beta_2 u_{t-1}, |g_t|)")),
    hypotheses=(sp.Ge(beta2, 0, evaluate=False), sp.Lt(beta2, 1, evaluate=False),
                sp.Ge(t, 1, evaluate=False)),
    source=f"{KB}, §7.1 eqs. (6)-(12)",
    steps=(Step("the L^p recursion is an EMA with beta = beta2^p of |g_i|^p (ema_unroll): "
                "weight (1-beta2^p) beta2^(p(t-i))", _vp_unroll),
           Step("lim_{p->oo} (1 - beta2^p)^(1/p) = 1 (beta2 = 1/(1+x), x > 0; beta2 = 0 "
                "trivially)", lambda: sp.limit((1 - (1 / (1 + _x)) ** p) ** (1 / p), p, sp.oo)
                - 1),
           Step("sandwich M^p <= sum_i a_i^p <= t M^p and lim_{p->oo} t^(1/p) = 1",
                lambda: sp.limit(t ** (1 / p), p, sp.oo) - 1),
           Step("lemma: max_i beta2^(t-i)|g_i| = max(beta2 u_(t-1), |g_t|) (running_max)",
                lambda: (MAX_HOMOGENEOUS.check().ok, MAX_HOMOGENEOUS.check().summary()))),
    grid=GridCheck("|v_t^(1/p) - u_t| at p = 50, 5000 (Algorithm 2's u_t; the L^p recursion) "
                   "is within the sandwich width max(u - lo, hi - u)",
                   tuple({"beta2": sp.Rational(b), "t": T, "p": P}
                         for b in ("0", "1/2", "999/1000") for T in (1, 3, 12)
                         for P in (50, 5000)), _adamax_grid, "le"),
)

RESULTS = (ADAGRAD_LIMIT, ADAMAX_LIMIT)

__all__ = ["ADAGRAD_LIMIT", "ADAGRAD_VHAT", "ADAMAX_LIMIT", "RESULTS", "V_P"]
