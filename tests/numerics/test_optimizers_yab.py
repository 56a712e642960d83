"""Yogi, AdaBelief and LaProp: first steps worked out by hand, and properties the papers
state (each checked against the registry's optimizer, never against a copy of its rule).

First steps run in exact rationals (the FRACTION backend: every square root below is
rational) or SymPy numbers; the properties run in float64 on dyadic inputs, where the
arithmetic they exercise is exact.
"""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import arith
from optim_util import trajectory

B = (F(1, 2), F(3, 4))      # (beta1, beta2)
LR = F(1, 8)


def _first_step(name, g, theta0=0, backend=arith.to_fractions, **hyper):
    opt = optimizers.make(name, **hyper)
    p = backend([theta0] * len(g))
    p, state = opt.update(backend(g), opt.init(p), p)
    return list(p), state


# --- first steps by hand -----------------------------------------------------------
def test_yogi_first_step_by_hand():
    """Algorithm 2, v_0 = 0: v_1 = (1-b2) g^2 = g^2/4, m_1 = g/2, so with eps = 1/4
    theta_1 = -(1/8)(1/2)/(1/2 + 1/4) = -1/12 for g = 1 and -(1/8)(-1)/(1 + 1/4) = 1/10
    for g = -2."""
    p, s = _first_step("yogi", [1, -2], lr=LR, betas=B, eps=F(1, 4))
    assert p == [F(-1, 12), F(1, 10)]
    assert list(s.v[0]) == [F(1, 4), F(1)] and list(s.m[0]) == [F(1, 2), F(-1)]


def test_yogi_sign_zero_leaves_v_unchanged():
    """v_0 = 1 = g^2: sign(0) = 0, so v_1 = v_0 = 1 and theta_1 = -(1/8)(1/2)/1 = -1/16
    (eps = 0); torch-optimizer and optax use sign(0) = 0 too."""
    p, s = _first_step("yogi", [1], lr=LR, betas=B, eps=0, initial_accumulator_value=1)
    assert p == [F(-1, 16)] and s.v[0, 0] == 1


def test_yogi_optax_variant_first_step_by_hand():
    """optax: m_0 = v_0 = 3/4; g = 1 > v_0 so v_1 = 3/4 + 1/4 = 1, m_1 = 3/8 + 1/2 = 7/8;
    corrected m = (7/8)/(1/2) = 7/4, v = 1/(1/4) = 4: theta_1 = -(1/8)(7/4)/2 = -7/64."""
    p, _ = _first_step("yogi", [1], lr=LR, betas=B, eps=0, variant="optax",
                       initial_accumulator_value=F(3, 4))
    assert p == [F(-7, 64)]
    # the same in SymPy numbers, with g = 2: v_1 = 3/4 + 1 = 7/4, corrected 7 (irrational
    # root); m_1 = 3/8 + 1 = 11/8, corrected 11/4: theta_1 = -(1/8)(11/4)/sqrt(7)
    p, _ = _first_step("yogi", [2], backend=arith.to_sympy, lr=LR, betas=B, eps=0,
                       variant="optax", initial_accumulator_value=F(3, 4))
    assert sp.simplify(p[0] + sp.Rational(11, 32) / sp.sqrt(7)) == 0


@pytest.mark.parametrize("mode,eps,want", [
    # m_1 = g/2 and g - m_1 = 1/2 (g = 1): s_1 = (1/4)(1/4) + eps = 1/16 + eps
    ("paper", F(5, 128), F(-16, 101)),   # s^ = (s_1 + eps)/(1/4) = 9/16: -(1/8)/(3/4 + 5/128)
    ("code", F(5, 64), F(-8, 53)),       # s^ = s_1/(1/4) = 9/16:        -(1/8)/(3/4 + 5/64)
    ("outside", F(1, 2), F(-1, 8)),      # s^ = (1/16)/(1/4) = 1/4:      -(1/8)/(1/2 + 1/2)
    ("paper", 0, F(-1, 4)),              # eps = 0: -lr sign(g)/beta1
])
def test_adabelief_first_step_by_hand(mode, eps, want):
    p, _ = _first_step("adabelief", [1], lr=LR, betas=B, eps=eps, eps_mode=mode)
    assert p == [want]


def test_laprop_first_step_by_hand():
    """n_1 = (1-nu) g^2, corrected g^2 = 4 (g = 2): the normalised gradient is
    2/(2 + 1/2) = 4/5, m_1/(1-mu) = 4/5, theta_1 = -(1/8)(4/5) = -1/10 -- in both forms
    (the code's L_1 = (1-mu) lr cancels); with eps = 0 it is -lr sign(g)."""
    for form in ("paper", "code"):
        p, _ = _first_step("laprop", [2, -3], lr=LR, betas=B, eps=F(1, 2), form=form)
        assert p == [F(-1, 10), F(3, 28)]          # -3/(3 + 1/2) = -6/7, times -1/8
        p, _ = _first_step("laprop", [2, -3], lr=LR, betas=B, eps=0, form=form)
        assert p == [-LR, LR]


# --- properties from the papers ------------------------------------------------------
def _dyadic_grads(seed, T, d):
    rng = np.random.default_rng(seed)
    g = rng.integers(-8, 9, size=(T, 1, d)) / 4.0
    g[rng.random(size=g.shape) < 0.2] = 0.0
    return g


def _states(opt, grads):
    p = np.zeros(grads.shape[1:])
    s, out = opt.init(p), []
    for g in grads:
        p, s = opt.update(g, s, p)
        out.append(s)
    return out


def test_yogi_v_moves_by_exactly_1_minus_beta2_g2_toward_g2():
    """Zaheer et al., Yogi's defining update: v_t - v_{t-1} = -(1-b2) sign(v_{t-1} - g_t^2)
    g_t^2 -- the size of the change is (1-b2) g_t^2 whatever v_{t-1} is (Adam's is
    (1-b2)|g_t^2 - v_{t-1}|), and it points toward g_t^2.  Dyadic inputs: every value
    below is exact in float64."""
    grads = _dyadic_grads(1, 60, 6)
    states = _states(optimizers.make("yogi", betas=(0.5, 0.75), eps=0.0), grads)
    v_prev = np.zeros((1, 6))
    for g, s in zip(grads, states):
        g2, dv = g * g, s.v - v_prev
        np.testing.assert_array_equal(np.abs(dv), np.where(v_prev == g2, 0.0, 0.25 * g2))
        np.testing.assert_array_equal(np.sign(dv), np.sign(g2 - v_prev) * (g2 > 0))
        assert np.all(s.v >= 0.75 * v_prev)         # v_t >= beta2 v_{t-1} >= 0
        v_prev = s.v


def test_yogi_forgets_a_large_gradient_linearly_where_adam_forgets_geometrically():
    """After one gradient 8, gradients 1/2: Yogi's v falls by (1-b2)/4 per step (linearly),
    Adam's by a factor b2 (geometrically), so Yogi's effective step lr/sqrt(v) grows more
    slowly -- the 'controlled increase in effective learning rate' of the paper."""
    grads = np.array([[[8.0]]] + [[[0.5]]] * 20)
    yogi = _states(optimizers.make("yogi", betas=(0.5, 0.75), eps=0.0), grads)
    adam = _states(optimizers.make("adam", betas=(0.5, 0.75), eps=0.0), grads)
    vy = np.array([s.v[0, 0] for s in yogi])
    np.testing.assert_array_equal(vy, 16.0 - 0.0625 * np.arange(21))   # exact
    va = np.array([s.v[0, 0] for s in adam])
    assert np.all(va[5:] < vy[5:])


def test_adabelief_constant_gradient_closed_form():
    """Zhuang et al., the "belief" intuition: for a constant gradient g (eps = 0),
    g - m_t = b1^t g, so s_t = (1-b2) sum_{k<=t} b2^(t-k) b1^(2k) g^2 -> 0: the prediction
    is trusted and the steps grow, where Adam's stay lr (m^ = g, v^ = g^2)."""
    b1, b2, g, T = F(1, 2), F(3, 4), F(3, 2), 12
    opt = optimizers.make("adabelief", lr=0.125, betas=(0.5, 0.75), eps=0.0)
    grads = np.full((T, 1, 1), float(g))
    states = _states(opt, grads)
    for t, s in enumerate(states, start=1):
        want = (1 - b2) * sum(b2 ** (t - k) * b1 ** (2 * k) for k in range(1, t + 1)) * g * g
        assert s.s[0, 0] == pytest.approx(float(want), rel=1e-14)
    path, _ = trajectory(opt, np.zeros(1), grads[:, 0])
    steps = -np.diff(path[:, 0])
    assert steps[0] == pytest.approx(0.25, rel=1e-15)          # lr/b1
    assert np.all(np.diff(steps) > 0)                           # then growing


def test_adabelief_with_an_exact_prediction_and_eps0_refuses():
    """b1 = 0 makes m_t = g_t, so s_t = 0 while m_t != 0: an infinite step, refused."""
    opt = optimizers.make("adabelief", betas=(0.0, 0.9), eps=0.0)
    p = np.zeros(2)
    with pytest.raises(ValueError, match="non-finite"):
        opt.update(np.array([1.0, -2.0]), opt.init(p), p)


def test_laprop_step_is_bounded_when_adam_diverges():
    """Ziyin, Wang & Ueda (Adam is unstable when mu and nu are mismatched): m_t/c_m
    averages normalised gradients |g|/sqrt(n^) <= sqrt((1-nu^t)/(1-nu)), so
    |theta_t - theta_{t-1}| <= lr sqrt((1-nu^t)/(1-nu)) for every (mu, nu); Adam's step is
    unbounded when mu^2 > nu.  One gradient 1000, then gradients 1e-3,
    mu = 0.99 > sqrt(nu) = sqrt(0.5)."""
    lr, betas = 0.01, (0.99, 0.5)
    grads = np.array([[1e3]] + [[1e-3]] * 60)
    t = np.arange(1, 62)
    bound = lr * np.sqrt((1 - 0.5 ** t) / 0.5)
    lap, _ = trajectory(optimizers.make("laprop", lr=lr, betas=betas, eps=0.0), np.zeros(1),
                        grads)
    assert np.all(np.abs(np.diff(lap[:, 0])) <= bound * (1 + 1e-12))
    adam, _ = trajectory(optimizers.make("adam", lr=lr, betas=betas, eps=0.0), np.zeros(1),
                         grads)
    assert np.max(np.abs(np.diff(adam[:, 0]))) > 1e3 * lr


@pytest.mark.parametrize("eps", [0.0, 1e-8])
def test_laprop_without_momentum_is_adam_without_momentum(eps):
    """mu = beta1 = 0: both divide g_t by sqrt(v_t/(1-b2^t)) + eps and take that step."""
    grads = np.random.default_rng(4).normal(size=(30, 2, 3))
    p0 = np.random.default_rng(5).normal(size=(2, 3))
    a, _ = trajectory(optimizers.make("laprop", lr=0.1, betas=(0.0, 0.9), eps=eps), p0, grads)
    b, _ = trajectory(optimizers.make("adam", lr=0.1, betas=(0.0, 0.9), eps=eps), p0, grads)
    np.testing.assert_array_equal(a, b)


def test_laprop_code_and_paper_forms_agree_for_a_constant_lr():
    """The code's EMA of lr equals lr (1-mu^t) when lr is constant: the same map."""
    grads = np.random.default_rng(6).normal(size=(40, 2, 3))
    p0 = np.zeros((2, 3))
    a, _ = trajectory(optimizers.make("laprop", lr=0.05, form="paper"), p0, grads)
    b, _ = trajectory(optimizers.make("laprop", lr=0.05, form="code"), p0, grads)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
