"""Limits (AdaGrad, AdaMax) and RAdam/NAdam schedules against brute force."""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from adamlab.theory import limits as L
from adamlab.theory import schedules_rectification as S
from adamlab.theory.symbols import beta1, beta2, mu, t

R = sp.Rational


def F(x):
    x = sp.Rational(x)
    return Fraction(int(x.p), int(x.q))


def adam_vhat(b2, gs):
    v = Fraction(0)
    for x in gs:
        v = b2 * v + (1 - b2) * x * x
    return v / (1 - b2 ** len(gs))


@pytest.mark.parametrize("seed", range(4))
def test_adagrad_limit_exact_convergence(seed):
    rng = random.Random(seed)
    for T in (1, 2, 5, 9):
        gs = [Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(T)]
        target = sum(x * x for x in gs) / T
        errs = [abs(adam_vhat(1 - Fraction(1, 10**k), gs) - target) for k in (2, 4, 8)]
        if T == 1:
            assert errs == [0, 0, 0]                      # vhat_1 = g_1^2 for every beta2
        else:
            assert errs[0] > errs[1] > errs[2]           # -> (1/t) sum g^2, linearly in 1-beta2
            assert errs[2] <= Fraction(T * T, 10**8) * max(x * x for x in gs)


def test_adagrad_limit_step():
    # with b1 = 0 and alpha_t = alpha/sqrt(t), Adam's step -> alpha g_t / sqrt(sum g^2)
    with mp.workdps(50):
        gs = [mp.mpf(3), mp.mpf(-1) / 2, mp.mpf(2), mp.mpf(5) / 7]
        T = len(gs)
        b2 = 1 - mp.mpf(10) ** -30
        v = mp.mpf(0)
        for x in gs:
            v = b2 * v + (1 - b2) * x * x
        adam = gs[-1] / mp.sqrt(T) / mp.sqrt(v / (1 - b2**T))
        adagrad = gs[-1] / mp.sqrt(mp.fsum(x * x for x in gs))
        assert abs(adam - adagrad) < mp.mpf(10) ** -25


@pytest.mark.parametrize("b2", ["0", "1/2", "999/1000"])
def test_adamax_limit_lp_norm_recursion_tends_to_the_running_max(b2):
    rng = random.Random(3)
    with mp.workdps(50):
        B2 = mp.mpf(F(b2).numerator) / F(b2).denominator
        gs = [mp.mpf(rng.randint(-9, 9)) / rng.randint(1, 5) for _ in range(7)]
        u = mp.mpf(0)
        for x in gs:
            u = max(B2 * u, abs(x))
        errs = []
        for p in (4, 40, 400, 4000):
            v = mp.mpf(0)
            for x in gs:
                v = B2**p * v + (1 - B2**p) * abs(x) ** p
            errs.append(abs(v ** (mp.mpf(1) / p) - u))
        assert errs[-1] < mp.mpf("1e-3") * u and errs[-1] <= errs[0] + mp.mpf(10) ** -45
    assert L.ADAMAX_LIMIT.check().ok and L.ADAGRAD_LIMIT.check().ok


@pytest.mark.parametrize("b2", ["1/2", "9/10", "999/1000"])
def test_radam_rho_is_the_matching_sma_length(b2):
    B2 = F(b2)
    prev = None
    for T in range(1, 12):
        w = [(1 - B2) * B2**k / (1 - B2**T) for k in range(T)]          # weights by age k
        mean_age = sum(k * wk for k, wk in enumerate(w))
        sma_len = 2 * mean_age + 1                                       # SMA ages 0..f-1
        rho = F(S.RHO_T.subs({beta2: R(B2), t: T}))
        assert rho == sma_len
        assert rho == F(S.RHO_T_PUBLISHED.subs({beta2: R(B2), t: T}))   # Liu et al.'s form
        assert prev is None or rho > prev
        prev = rho
    assert rho < F(S.RHO_INF_PUBLISHED.subs(beta2, R(B2)))
    assert F(S.RHO_T.subs({beta2: R(B2), t: 1})) == 1


def test_rectification_approximates_the_exact_variance():
    # Var[psi] for psi^2 = rho/(sigma^2 Y), Y ~ chi^2_rho, exactly (Gamma functions) vs the
    # delta-method form: relative error shrinks like 1/rho
    v_approx = sp.lambdify(S.rho, S.derive_var_psi().subs(sp.Symbol("sigma", positive=True), 1),
                           "mpmath")
    errs = []
    with mp.workdps(50):
        for r in (20, 200, 2000):
            r = mp.mpf(r)
            e_psi = mp.sqrt(r / 2) * mp.gamma((r - 1) / 2) / mp.gamma(r / 2)
            exact = r / (r - 2) - e_psi**2
            errs.append(abs(v_approx(r) / exact - 1))
    assert errs[0] > errs[1] > errs[2] and errs[2] < mp.mpf("1e-2")
    rt = S.R_T_PUBLISHED.subs({sp.Symbol("rho_inf", positive=True): 1999,
                               sp.Symbol("rho_t", positive=True): 1999})
    assert rt == 1                                                       # r_t -> 1


@pytest.mark.parametrize("seed", range(4))
def test_time_varying_ema_weight_sum(seed):
    rng = random.Random(seed)
    for T in range(1, 7):
        mus = [Fraction(rng.randint(1, 99), 100) for _ in range(T)]
        e = Fraction(0)
        for m in mus:
            e = m * e + (1 - m) * 1                      # EMA of x_i = 1
        closed = S.EMA_VARYING.statement.rhs.subs(t, T).doit().subs(
            {mu(k): R(m) for k, m in enumerate(mus, start=1)})
        assert e == F(closed)


@pytest.mark.parametrize("seed", range(3))
def test_nadam_weight_on_a_constant_gradient(seed):
    rng = random.Random(seed)
    for T in range(1, 6):
        mus = [Fraction(rng.randint(1, 99), 100) for _ in range(T + 1)]
        m = Fraction(0)
        for x in mus[:T]:
            m = x * m + (1 - x)                          # EMA with mu of g_i = 1
        P_t = P_t1 = Fraction(1)
        for x in mus[:T]:
            P_t *= x
        P_t1 = P_t * mus[T]
        mbar = (1 - mus[T - 1]) / (1 - P_t) + mus[T] * m / (1 - P_t1)
        W = S.NADAM_W.subs({sp.Symbol("mu_t", positive=True): R(mus[T - 1]),
                            sp.Symbol("mu_t1", positive=True): R(mus[T]),
                            sp.Symbol("Pi_t", positive=True): R(P_t)})
        assert mbar == F(W)
    b = Fraction(9, 10)
    for T in (1, 2, 10):
        excess = F(S.NADAM_EXCESS_CONST.subs({beta1: R(b), t: T}))
        w = (1 - b) / (1 - b**T) + b * (1 - b**T) / (1 - b ** (T + 1))
        assert w - 1 == excess and excess > 0
