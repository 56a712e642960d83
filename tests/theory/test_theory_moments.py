"""Moment identities (adamlab.theory.moments) against brute force in exact rationals."""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from adamlab.theory import moments as M
from adamlab.theory.symbols import alpha, beta, beta1, beta2, eps, g, i, t

R = sp.Rational


def ema(b, xs):
    """The EMA recursion e_t = b e_{t-1} + (1-b) x_t, e_0 = 0 (the definition)."""
    e, out = Fraction(0), []
    for x in xs:
        e = b * e + (1 - b) * x
        out.append(e)
    return out


def rand_beta(rng):
    return Fraction(rng.randint(0, 99), rng.choice([100, 137, 1000]))


def rand_seq(rng, n):
    return [Fraction(rng.randint(-20, 20), rng.randint(1, 9)) for _ in range(n)]


def F(x):
    x = sp.Rational(x)
    return Fraction(int(x.p), int(x.q))


def seeds():
    return [random.Random(s) for s in range(6)]


@pytest.mark.parametrize("rng", seeds())
def test_derived_weight_is_the_recursions_response_to_a_unit_input(rng):
    b = rand_beta(rng)
    for T in range(1, 7):
        for k in range(1, T + 1):
            unit = [Fraction(int(j == k)) for j in range(1, T + 1)]
            assert ema(b, unit)[-1] == F(M.EMA_WEIGHT.subs({beta: R(b), t: T, i: k}))


@pytest.mark.parametrize("rng", seeds())
def test_closed_forms_of_m_and_v(rng):
    b1, b2 = rand_beta(rng), rand_beta(rng)
    for T in range(1, 7):
        gs = rand_seq(rng, T)
        vals = {g(k): R(x) for k, x in enumerate(gs, start=1)}
        m = M.M_T.subs({beta1: R(b1), t: T}).doit().subs(vals)
        v = M.V_T.subs({beta2: R(b2), t: T}).doit().subs(vals)
        assert F(m) == ema(b1, gs)[-1]
        assert F(v) == ema(b2, [x * x for x in gs])[-1]


@pytest.mark.parametrize("rng", seeds())
def test_weight_sum(rng):
    b = rand_beta(rng)
    rhs = M.WEIGHT_SUM.statement.rhs
    for T in range(1, 9):
        brute = sum((1 - b) * b ** (T - k) for k in range(1, T + 1))
        assert brute == F(rhs.subs({beta: R(b), t: T}))


@pytest.mark.parametrize("rng", seeds())
def test_bias_correction_identity_and_stationarity(rng):
    b = rand_beta(rng)
    for T in range(1, 7):
        means = rand_seq(rng, T)
        zeta = sum((1 - b) * b ** (T - k) * (means[k - 1] - means[-1]) for k in range(1, T + 1))
        assert ema(b, means)[-1] == means[-1] * (1 - b**T) + zeta      # E[e_t] by linearity
        mu = means[0]
        assert ema(b, [mu] * T)[-1] == mu * (1 - b**T)                # stationary: zeta = 0
        zeta_expr = M.ZETA.subs({beta: R(b), t: T}).doit().subs(
            {M.Ex(k): R(x) for k, x in enumerate(means, start=1)})
        assert F(zeta_expr) == zeta


@pytest.mark.parametrize("rng", seeds())
def test_zeta_drift_bound(rng):
    b = rand_beta(rng)
    delta = Fraction(rng.randint(1, 9), rng.randint(1, 9))
    for T in range(1, 8):
        Z = Fraction(0) if b == 0 else F(M.Z_T.subs({beta: R(b), t: T}))
        assert Z == sum((1 - b) * k * b**k for k in range(T))         # closed form of Z_t
        assert Z <= (F(M.Z_INF.subs(beta, R(b))))
        # a linear drift attains |zeta| = delta Z_t; random drifts stay below
        lin = [5 + (T - k) * delta for k in range(1, T + 1)]
        assert abs(ema(b, lin)[-1] - lin[-1] * (1 - b**T)) == delta * Z
        for _ in range(10):
            means, cur = [], Fraction(rng.randint(-5, 5))
            for _ in range(T):
                means.append(cur)
                cur += delta * Fraction(rng.randint(-9, 9), 9)
            assert abs(ema(b, means)[-1] - means[-1] * (1 - b**T)) <= delta * Z


@pytest.mark.parametrize("rng", seeds())
def test_iterate_average(rng):
    b = rand_beta(rng) or Fraction(1, 2)
    for T in range(1, 7):
        c = Fraction(rng.randint(-9, 9), 7)
        assert ema(b, [c] * T)[-1] / (1 - b**T) == c                    # returns a constant
        its = rand_seq(rng, T)
        closed = M.THETA_HAT.subs({beta2: R(b), t: T}).doit().subs(
            {M.theta(k): R(x) for k, x in enumerate(its, start=1)})
        assert F(closed) == ema(b, its)[-1] / (1 - b**T)


def test_efficient_order_needs_a_time_varying_epshat():
    rng = random.Random(5)
    with mp.workdps(50):
        b1, b2, e = mp.mpf(9) / 10, mp.mpf(999) / 1000, mp.mpf(1) / 10**3
        epshat_t = sp.lambdify((eps, beta2, t), M.EFFICIENT_EPSHAT, "mpmath")
        for T in range(1, 8):
            gs = [mp.mpf(x.numerator) / x.denominator for x in rand_seq(rng, T)]
            m, v = ema_mp(b1, gs), ema_mp(b2, [x * x for x in gs])
            alg1 = (m / (1 - b1**T)) / (mp.sqrt(v / (1 - b2**T)) + e)
            reorder = lambda eh: mp.sqrt(1 - b2**T) / (1 - b1**T) * m / (mp.sqrt(v) + eh)  # noqa
            assert abs(alg1 - reorder(epshat_t(e, b2, T))) <= mp.mpf(10) ** -45 * abs(alg1)
            if T <= 2:   # a constant epshat = eps is a different algorithm
                assert abs(alg1 - reorder(e)) > mp.mpf(10) ** -6 * abs(alg1)


def ema_mp(b, xs):
    e = mp.mpf(0)
    for x in xs:
        e = b * e + (1 - b) * x
    return e


def test_results_of_this_module_report_their_method():
    assert M.EMA_UNROLL.check().method == "induction"
    assert M.BIAS_CORRECTION.check().method == "symbolic"
    assert all(r.check().ok for r in M.RESULTS)
    assert alpha not in M.EFFICIENT_EPSHAT.free_symbols
