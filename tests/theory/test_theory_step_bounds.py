"""The exact suprema of the effective step (adamlab.theory.step_bounds).

Checked against (1) brute force in exact rationals -- Algorithm 1/2 run by a
loop written here, (2) independent numeric maximization with SciPy, and
(3) the real optimizers of adamlab.numerics fed the maximizing sequences.
"""
from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import differential_evolution, linprog, minimize

from adamlab.numerics import optimizers
from adamlab.theory import step_bounds as sb

ULP = 2.0**-52


# ---- Algorithm 1 and 2, exactly, written here (the definitions) -----------------------------
def adam_ratio_sq(b1, b2, gs):
    m = v = Fraction(0)
    for g in gs:
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
    t = len(gs)
    return (m / (1 - b1**t)) ** 2 / (v / (1 - b2**t))


def adamax_ratio(b1, b2, gs):
    m = u = Fraction(0)
    for g in gs:
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, abs(g))
    return abs(m) / ((1 - b1 ** len(gs)) * u)


def F(x) -> Fraction:
    """A SymPy Rational (or int) as a Fraction."""
    x = sp.Rational(x)
    return Fraction(int(x.p), int(x.q))


def random_betas(seed, n):
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        b1 = Fraction(rng.randint(0, 97), rng.choice([10, 50, 100]))
        b2 = Fraction(rng.randint(1, 999), 1000)
        if b1 < 1:
            out.append((b1, b2))
    return out


# ---- exact: brute force at the maximizer, and random sequences below it ------------------
@pytest.mark.parametrize("b1,b2", random_betas(1, 8) + [(Fraction(9, 10), Fraction(999, 1000)),
                                                        (Fraction(1, 2), Fraction(1, 4)),
                                                        (Fraction(0), Fraction(1, 3))])
def test_adam_sup_is_attained_and_never_exceeded_exactly(b1, b2):
    rng = random.Random(7)
    for t in range(1, 7):
        sup = sb.adam_sup_ratio(sp.Rational(b1), sp.Rational(b2), t)
        sup_sq = F(sup**2)
        gstar = [F(x) for x in sb.adam_maximizer(sp.Rational(b1), sp.Rational(b2), t)]
        assert adam_ratio_sq(b1, b2, gstar) == sup_sq          # attained, exactly
        for _ in range(25):
            gs = [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(t)]
            if any(gs):
                assert adam_ratio_sq(b1, b2, gs) <= sup_sq     # never exceeded, exactly


@pytest.mark.parametrize("b1,b2", random_betas(2, 8) + [(Fraction(9, 10), Fraction(999, 1000)),
                                                        (Fraction(1, 3), Fraction(1, 3))])
def test_adamax_sup_is_attained_and_never_exceeded_exactly(b1, b2):
    rng = random.Random(8)
    for t in range(1, 7):
        sup = F(sb.adamax_sup_ratio(sp.Rational(b1), sp.Rational(b2), t))
        gstar = [F(x) for x in sb.adamax_maximizer(sp.Rational(b1), sp.Rational(b2), t)]
        assert adamax_ratio(b1, b2, gstar) == sup
        for _ in range(25):
            gs = [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(t)]
            if any(gs):
                assert adamax_ratio(b1, b2, gs) <= sup


def test_returns_exact_sympy_numbers_and_floats():
    R = sp.Rational
    a = sb.adam_sup_ratio(R(9, 10), R(999, 1000), 2)
    assert isinstance(a, sp.Expr) and a.is_number and not isinstance(a, sp.Float)
    b1, b2 = Fraction(9, 10), Fraction(999, 1000)
    assert F(a**2) == adam_ratio_sq(b1, b2, [b1 / b2, Fraction(1)])      # g = (b1/b2, 1)
    assert F(sb.adamax_sup_ratio(R(9, 10), R(999, 1000), 2)) == adamax_ratio(
        b1, b2, [1 / b2, Fraction(1)])                                    # g = (1/b2, 1)
    assert isinstance(sb.adam_sup_ratio(0.9, 0.999, 10), float)
    assert sb.adam_sup_ratio(Fraction(1, 2), 0, 1) == 1           # Fraction and int accepted
    # a float input is the binary value: compare with the exact result for it, to 1 ulp
    for t in (1, 2, 10, 100, sp.oo):
        exact = sb.adam_sup_ratio(sp.Rational(Fraction(0.9)), sp.Rational(Fraction(0.999)), t)
        assert abs(sb.adam_sup_ratio(0.9, 0.999, t) - float(exact)) <= ULP * float(exact)
        exact = sb.adamax_sup_ratio(sp.Rational(Fraction(0.9)), sp.Rational(Fraction(0.999)), t)
        assert abs(sb.adamax_sup_ratio(0.9, 0.999, t) - float(exact)) <= ULP * float(exact)


def test_numpy_versions_are_vectorized_and_agree():
    b1 = np.array([0.0, 0.5, 0.9, 0.99, 0.5])
    b2 = np.array([0.3, 0.7, 0.999, 0.999, 0.25])                   # last: gamma = 1
    for t in (1, 3, 40):
        got = sb.adam_sup_ratio_np(b1, b2, t)
        want = [float(sb.adam_sup_ratio(sp.Rational(Fraction(x)), sp.Rational(Fraction(y)), t))
                for x, y in zip(b1, b2)]
        np.testing.assert_allclose(got, want, rtol=1e-12)
        got = sb.adamax_sup_ratio_np(b1, b2, t)
        want = [float(sb.adamax_sup_ratio(sp.Rational(Fraction(x)), sp.Rational(Fraction(y)), t))
                for x, y in zip(b1, b2)]
        np.testing.assert_allclose(got, want, rtol=1e-12)
    inf = sb.adam_sup_ratio_inf_np(b1, b2)
    assert np.isinf(inf[-1]) and np.all(np.isfinite(inf[:-1]))


# ---- t -> oo: the limit, and that it bounds every t ------------------------------------------
@pytest.mark.parametrize("b1,b2", [(Fraction(9, 10), Fraction(999, 1000)),
                                   (Fraction(1, 2), Fraction(1, 3)), (Fraction(0), Fraction(1, 2)),
                                   (Fraction(99, 100), Fraction(999, 1000))])
def test_limit_bounds_every_t_and_is_approached(b1, b2):
    R1, R2 = sp.Rational(b1), sp.Rational(b2)
    lim_sq = F(sb.adam_sup_ratio(R1, R2, sp.oo) ** 2)
    lim_x = sb.adamax_sup_ratio(R1, R2, sp.oo)            # oo when b1 >= b2
    for t in list(range(1, 30)) + [200, 3000]:
        s_sq = F(sb.adam_sup_squared(R1, R2, t))
        assert s_sq <= lim_sq
        if lim_x != sp.oo:
            assert F(sb.adamax_sup_ratio(R1, R2, t)) <= F(lim_x)
    # approached: at t = 10^5 every power b^t is negligible (float evaluation)
    far = sb.adam_sup_ratio(float(b1), float(b2), 10**5)
    assert far == pytest.approx(math.sqrt(float(lim_sq)), rel=1e-9)
    assert sb.adamax_sup_ratio(float(b1), float(b2), 10**5) == pytest.approx(float(lim_x), rel=1e-9)
    if lim_x == sp.oo:
        assert sb.adamax_sup_ratio(R1, R2, 60) > 10**6


def test_limit_is_infinite_exactly_when_predicted():
    R = sp.Rational
    assert sb.adam_sup_ratio(R(1, 2), R(1, 4), sp.oo) == sp.oo          # b1^2 = b2
    assert sb.adam_sup_ratio(R(9, 10), R(1, 2), sp.oo) == sp.oo         # b1^2 > b2
    assert sb.adam_sup_ratio(R(1, 2), R(1, 4), 300) > 9                 # and it grows
    assert sb.adamax_sup_ratio(R(1, 2), R(1, 2), sp.oo) == sp.oo        # b1 = b2
    assert sb.adamax_sup_ratio(R(1, 2), R(1, 2), 400) > 100
    assert sb.adam_sup_ratio(0.5, 0.25, sp.oo) == math.inf


def test_beta2_zero():
    # vhat_t = g_t^2 and u_t = |g_t|: ratio 1 when b1 = 0, unbounded when b1 > 0, t >= 2
    for fn in (sb.adam_sup_ratio, sb.adamax_sup_ratio):
        assert fn(0, 0, 5) == 1 and fn(sp.Rational(1, 2), 0, 1) == 1
        assert fn(sp.Rational(1, 2), 0, 2) == sp.oo and fn(0.5, 0.0, 3) == math.inf
    b1 = Fraction(1, 2)
    assert adam_ratio_sq(b1, Fraction(0), [Fraction(1), Fraction(1, 10**6)]) > 10**10
    assert adam_ratio_sq(Fraction(0), Fraction(0), [Fraction(3), Fraction(-7)]) == 1
    with pytest.raises(ValueError, match="not attained"):
        sb.adam_maximizer(sp.Rational(1, 2), 0, 3)


@pytest.mark.parametrize("fn", [sb.adam_sup_ratio, sb.adamax_sup_ratio])
@pytest.mark.parametrize("args,exc,name", [
    ((1, 0.5, 2), ValueError, "beta1"), ((0.5, 1.0, 2), ValueError, "beta2"),
    ((-0.1, 0.5, 2), ValueError, "beta1"), ((0.5, sp.Rational(3, 2), 2), ValueError, "beta2"),
    ((float("nan"), 0.5, 2), ValueError, "beta1"), ((0.5, 0.5, 0), ValueError, "t"),
    ((0.5, 0.5, -3), ValueError, "t"), ((0.5, 0.5, -sp.oo), ValueError, "t"),
    ((0.5, 0.5, 2.0), TypeError, "t"), ((0.5, 0.5, "3"), TypeError, "t"),
    (("0.5", 0.5, 2), TypeError, "beta1"), ((0.5, None, 2), TypeError, "beta2"),
    ((True, 0.5, 2), TypeError, "beta1"), ((0.5, 0.5, True), TypeError, "t")])
def test_bad_inputs_name_the_argument(fn, args, exc, name):
    with pytest.raises(exc, match=rf"^{name} must"):
        fn(*args)


# ---- independent numeric maximization (SciPy) -------------------------------------------------
def _adam_ratio_float(b1, b2, g):
    m = v = 0.0
    for x in g:
        m = b1 * m + (1 - b1) * x
        v = b2 * v + (1 - b2) * x * x
    t = len(g)
    return (m / (1 - b1**t)) / math.sqrt(v / (1 - b2**t)) if v > 0 else 0.0


@pytest.mark.parametrize("b1,b2,t,evolve", [(0.9, 0.999, 3, False),
                                            pytest.param(0.9, 0.999, 8, True,
                                                         marks=pytest.mark.slow),   # ~3 s
                                            (0.5, 0.3, 5, False), (0.99, 0.9, 6, False),
                                            (0.0, 0.8, 4, False), (0.3, 0.09, 6, True)])
def test_adam_sup_matches_scipy_maximization(b1, b2, t, evolve):
    # multi-start BFGS from starts of widely varying magnitude (the ratio is scale
    # invariant but the maximizer spans orders of magnitude), and differential evolution
    rng = np.random.default_rng(t)
    f = lambda g: -abs(_adam_ratio_float(b1, b2, g))  # noqa: E731
    best = max(-minimize(f, rng.normal(size=t) * np.exp(2 * rng.normal(size=t)),
                         method="BFGS").fun for _ in range(12))
    if evolve:
        best = max(best, -differential_evolution(f, [(-1, 1)] * t, seed=1, tol=1e-12).fun)
    sup = sb.adam_sup_ratio(b1, b2, t)
    assert best <= sup * (1 + 1e-12)
    assert best >= sup * (1 - 1e-8)


@pytest.mark.parametrize("b1,b2,t", [(0.9, 0.999, 3), (0.9, 0.999, 9), (0.5, 0.3, 5),
                                     (0.99, 0.9, 6), (0.0, 0.8, 4)])
def test_adamax_sup_matches_linear_programming(b1, b2, t):
    # sup |mhat|/u over the box D_i |g_i| <= 1 is a linear programme; the coefficients of
    # mhat are read off by running the recursion on unit vectors (no closed form used)
    def mhat(g):
        m = 0.0
        for x in g:
            m = b1 * m + (1 - b1) * x
        return m / (1 - b1**t)
    coef = np.array([mhat(e) for e in np.eye(t)])
    half = [b2 ** -(t - i) for i in range(1, t + 1)]
    res = linprog(-coef, bounds=[(-h, h) for h in half], method="highs")
    sup = sb.adamax_sup_ratio(b1, b2, t)
    assert -res.fun == pytest.approx(sup, rel=1e-9)
    # and a derivative-free search on the ratio itself stays below it
    rng = np.random.default_rng(0)

    def ratio(g):
        u = 0.0
        for x in g:
            u = max(b2 * u, abs(x))
        return abs(mhat(g)) / u if u > 0 else 0.0
    best = max(-minimize(lambda g: -ratio(g), rng.normal(size=t), method="Nelder-Mead").fun
               for _ in range(4))
    assert best <= sup * (1 + 1e-12)


# ---- the maximizing sequence through the real optimizers ---------------------------------------
def _run_steps(name, b1, b2, grads):
    """Feed ``grads`` (shape (T, R)) to the registered optimizer with lr = 1, eps = 0; return
    the last step Delta_T per run (params kept at 0 so Delta_T = new_params exactly)."""
    opt = optimizers.make(name, lr=1.0, betas=(b1, b2), eps=0.0)
    zero = np.zeros((grads.shape[1], 1))
    state = opt.init(zero)
    for g in grads:
        new, state = opt.update(g.reshape(-1, 1).copy(), state, zero)
    return new[:, 0] - zero[:, 0]


CASES = [(0.9, 0.999), (0.5, 1 / 3), (0.99, 0.999), (0.0, 0.9), (0.3, 0.7), (0.9, 0.99),
         (0.5, 0.25)]


@pytest.mark.parametrize("name,maxi,sup", [("adam", sb.adam_maximizer, sb.adam_sup_ratio),
                                           ("adamax", sb.adamax_maximizer, sb.adamax_sup_ratio)])
@pytest.mark.parametrize("b1,b2", CASES)
def test_maximizer_through_the_optimizer_reaches_the_sup(name, maxi, sup, b1, b2):
    # exact sup for the *binary* betas the optimizer sees
    R1, R2 = sp.Rational(Fraction(b1)), sp.Rational(Fraction(b2))
    rng = np.random.default_rng(3)
    for t in (1, 2, 3, 10, 50, 200):
        s = float(sup(R1, R2, t))
        g = np.array(maxi(b1, b2, t), dtype=float)
        reached = abs(_run_steps(name, b1, b2, g[:, None])[0])
        assert abs(reached - s) <= 64 * ULP * s                 # reaches it (float precision)
        assert reached <= s * (1 + 4 * ULP)                     # never exceeds it
        runs = rng.normal(size=(t, 64)) * rng.lognormal(size=(t, 1))   # 64 random runs
        runs[:, :8] = g[:, None] * (1 + 1e-3 * rng.normal(size=(t, 8)))  # near the maximizer
        steps = np.abs(_run_steps(name, b1, b2, runs))
        assert np.all(steps <= s * (1 + 4 * ULP))
