r"""Elementary lemmas the step-size suprema rest on, each checked.

``LAGRANGE``
    Lagrange's identity (the exact form of Cauchy--Schwarz), for any n:

    .. math:: \Bigl(\sum_{j=1}^n x_j^2\Bigr)\Bigl(\sum_{j=1}^n y_j^2\Bigr)
              - \Bigl(\sum_{j=1}^n x_j y_j\Bigr)^2
              = \sum_{k=2}^{n}\sum_{j=1}^{k-1} (x_j y_k - x_k y_j)^2 \;\ge 0,

    checked by induction in n (peeling the last term of each sum).
``MAX_HOMOGENEOUS``
    :math:`\max(b a, b c) = b\max(a, c)` for :math:`b \ge 0`, and the
    running maximum :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)`, :math:`u_0 = 0`,
    equals :math:`\max_{i\le t}\beta_2^{t-i}|g_i|` (induction in t).
``POWER_AT_LEAST_ONE``
    :math:`\gamma \ge 1 \Rightarrow \gamma^k \ge 1` (induction in k), so
    :math:`\sum_{k<t}\gamma^k \ge t`.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from . import recursions as rec
from .results import GridCheck, Result, Step, induction, mpf
from .sums import merge_sums, peel_top
from .symbols import beta2, gamma, j, k, n, t

_xf, _yf = sp.Function("x", real=True), sp.Function("y", real=True)
_kk = sp.Symbol("kk", integer=True, positive=True)


def _sq(f, upper):
    return sp.Sum(f, (j, 1, upper))


def lagrange_lhs(upper):
    """(sum x^2)(sum y^2) - (sum x y)^2 over j = 1..upper."""
    return (_sq(_xf(j) ** 2, upper) * _sq(_yf(j) ** 2, upper)
            - _sq(_xf(j) * _yf(j), upper) ** 2)


def _slice(kval):
    """The k-th slice sum_{j<k} (x_j y_k - x_k y_j)^2 of the double sum."""
    return sp.Sum((_xf(j) * _yf(kval) - _xf(kval) * _yf(j)) ** 2, (j, 1, kval - 1))


def lagrange_rhs(upper):
    """The sum of squares sum_{k=2}^{upper} sum_{j<k} (x_j y_k - x_k y_j)^2."""
    return sp.Sum(_slice(_kk), (_kk, 2, upper))


def _lagrange_step():
    # LHS(n+1) - LHS(n) after peeling the (n+1)-th terms of each sum; RHS(n+1) - RHS(n)
    # is the slice k = n+1 of the outer sum (its last term).
    d_lhs = sp.expand(peel_top(lagrange_lhs(n + 1), n + 1) - lagrange_lhs(n))
    return merge_sums(d_lhs - _slice(n + 1))


def _lagrange_grid(pt):
    N = pt["t"]
    xs = [mpf(v) for v in rec.random_rationals(N, seed=N)]
    ys = [mpf(v) for v in rec.random_rationals(N, seed=N + 99)]
    lhs = mp.fsum(a * a for a in xs) * mp.fsum(b * b for b in ys) - mp.fsum(
        a * b for a, b in zip(xs, ys)) ** 2
    rhs = mp.fsum((xs[a] * ys[b] - xs[b] * ys[a]) ** 2 for b in range(N) for a in range(b))
    return lhs, rhs


LAGRANGE = Result(
    name="lagrange_identity",
    statement=sp.Eq(lagrange_lhs(n), lagrange_rhs(n)),
    hypotheses=(sp.Ge(n, 1, evaluate=False),),
    source="Lagrange's identity (Cauchy-Schwarz with its remainder), classical",
    steps=induction("Lagrange's identity",
                    # n = 1: x_1^2 y_1^2 - (x_1 y_1)^2 = 0 and the outer sum is empty
                    base=lambda: lagrange_lhs(1).doit(),
                    step=_lagrange_step),
    grid=GridCheck("both sides on random rational vectors", tuple(
        {"t": N} for N in (1, 2, 3, 5, 8)), _lagrange_grid),
)

_a, _b, _c = sp.symbols("a b c", nonnegative=True)
_U = sp.Symbol("U_t", nonnegative=True)        # max_{i<=t} beta2^(t-i) |g_i|
_G = sp.Symbol("G", nonnegative=True)          # |g_{t+1}|


def _homogeneous():
    lhs = sp.Max(_b * _a, _b * _c).rewrite(sp.Abs)
    rhs = (_b * sp.Max(_a, _c)).rewrite(sp.Abs)
    return sp.simplify(lhs - rhs)


def _max_grid(pt):
    b2, T = mpf(pt["beta2"]), pt["t"]
    gs = [mpf(v) for v in rec.random_rationals(T, seed=7 * T)]
    u = mp.mpf(0)
    for x in gs:
        u = max(b2 * u, abs(x))
    return u, max(b2 ** (T - ii) * abs(gs[ii - 1]) for ii in range(1, T + 1))


MAX_HOMOGENEOUS = Result(
    name="running_max",
    statement=sp.Eq(sp.Symbol("u_t"), sp.Symbol(r"\max_{i\le t} \beta_2^{t-i}|g_i|")),
    hypotheses=(sp.Ge(beta2, 0, evaluate=False),),
    source="Kingma & Ba, arXiv:1412.6980v9, §7.1 eqs. (11)-(12), Algorithm 2",
    steps=(Step("max(b a, b c) = b max(a, c) for b >= 0 (via max = (a+c+|a-c|)/2)",
                _homogeneous),)
    + induction("u_t = max_{i<=t} beta2^(t-i)|g_i|",
                # u_1 = max(beta2 * u_0, |g_1|) with u_0 = 0 is |g_1| = beta2^0 |g_1|
                base=lambda: sp.Max(beta2 * 0, _G) - beta2**0 * _G,
                # max_{i<=t+1} beta2^(t+1-i)|g_i| = max(max_{i<=t} beta2 beta2^(t-i)|g_i|,
                # |g_{t+1}|) (peel the last element of the finite maximum); the inner
                # maximum is beta2 U_t by homogeneity (extended from two elements to a
                # finite set by induction on its size), which is this residual:
                step=_homogeneous),
    grid=GridCheck("recursion vs brute-force maximum", tuple(
        {"beta2": sp.Rational(b), "t": T} for b in ("0", "1/3", "9/10", "999/1000")
        for T in (1, 2, 4, 9)), _max_grid),
    note="The induction step peels the last element of the finite maximum and applies "
         "homogeneity (the first step) to the remaining maximum.",
)


def _pow_step():
    # gamma^(k+1) - 1 = gamma (gamma^k - 1) + (gamma - 1): both parts >= 0 when
    # gamma >= 1 and gamma^k >= 1.
    return sp.expand(gamma ** (k + 1) - 1 - (gamma * (gamma**k - 1) + (gamma - 1)))


def _pow_grid(pt):
    gm, T = 1 + mpf(pt["beta2"]), pt["t"]
    return mp.fsum(gm**kk for kk in range(T)) * 0 + T, mp.fsum(gm**kk for kk in range(T))


POWER_AT_LEAST_ONE = Result(
    name="power_at_least_one",
    statement=(sp.Ge(gamma**k, 1), sp.Ge(sp.Sum(gamma**k, (k, 0, t - 1)), t)),
    hypotheses=(sp.Ge(gamma, 1, evaluate=False),),
    source="elementary",
    steps=induction("gamma^k >= 1 for gamma >= 1",
                    base=lambda: gamma**0 - 1, step=_pow_step),
    grid=GridCheck("t <= sum_{k<t} gamma^k for gamma = 1 + r", tuple(
        {"beta2": sp.Rational(b), "t": T} for b in ("0", "1/100", "1/2", "3")
        for T in (1, 2, 7, 30)), _pow_grid, "le"),
    note="Each residual is the identity that writes the next term as a sum of parts "
         "that are nonnegative under the hypothesis.",
)

RESULTS = (LAGRANGE, MAX_HOMOGENEOUS, POWER_AT_LEAST_ONE)

__all__ = ["LAGRANGE", "MAX_HOMOGENEOUS", "POWER_AT_LEAST_ONE", "RESULTS", "lagrange_lhs",
           "lagrange_rhs"]
