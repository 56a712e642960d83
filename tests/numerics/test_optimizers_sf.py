"""Schedule-Free AdamW: first steps by hand and the relations that define the method.

References are independent of ``numerics/optimizers/schedule_free.py``: first and second
steps worked out by hand (SymPy keeps the square roots), running means of the recorded
z sequence, AdamW without momentum, and optax's formula for its evaluation point.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import arith
from optim_util import random_grads

NAME = "schedule-free-adamw"


def _run(opt, p0, grads):
    """ys (T+1, R, d) and the states after each step."""
    p, s = p0, opt.init(p0)
    ys, states = [p0], []
    for g in grads:
        p, s = opt.update(g, s, p)
        ys.append(p)
        states.append(s)
    return np.stack(ys), states


def _p0(shape=(2, 3), seed=1):
    return np.random.default_rng(seed).normal(size=shape)


def test_registered_with_its_point_convention():
    entry = optimizers.get(NAME)
    assert "Algorithm 1" in entry.source and "arXiv:2405.15682" in entry.source
    assert "params = y" in entry.frameworks["params_point"]
    assert "bias_correction='v'" in entry.frameworks["optax"]
    opt = optimizers.make(NAME)
    assert opt.hyper["bias_correction"] == "lr" and opt.hyper["warmup_steps"] == 1
    s = opt.init(np.zeros(3))
    assert s.x.shape == s.z.shape == s.v.shape == (1, 3) and s.lr_max.shape == (1, 1)


@pytest.mark.parametrize("mode", ["lr", "v"])
def test_first_step_by_hand_exact(mode):
    """eps = 0, b2 = 3/4: v_1 = g^2/4.  "lr": gamma_1 = lr*sqrt(1/4), step g/sqrt(v_1);
    "v": gamma_1 = lr, step g/sqrt(v_1/(1/4)) -- either way z_2 = theta_0 - lr sign(g)
    - gamma_1 lam theta_0; c_2 = 1, so x_2 = z_2 = y_2."""
    lr, b1, b2, lam = Fraction(1, 8), Fraction(1, 2), Fraction(3, 4), Fraction(1, 4)
    opt = optimizers.make(NAME, lr=lr, betas=(b1, b2), eps=0.0, weight_decay=lam,
                          bias_correction=mode)
    theta0, g = [Fraction(1), Fraction(-3, 2)], [Fraction(2), Fraction(1, 3)]
    gamma1 = lr / 2 if mode == "lr" else lr
    want = [t - lr * (1 if gi > 0 else -1) - gamma1 * lam * t for t, gi in zip(theta0, g)]
    p = arith.to_fractions(theta0)
    y, s = opt.update(arith.to_fractions(g), opt.init(p), p)
    assert list(y) == want and list(s.x[0]) == want and list(s.z[0]) == want
    assert s.v[0, 0] == (1 - b2) * 4 and s.weight_sum[0, 0] == gamma1 ** 2
    # float64 agrees (the inputs are dyadic)
    yf, _ = opt.update(np.array([2.0, 1 / 3]), opt.init(np.array([1.0, -1.5])),
                       np.array([1.0, -1.5]))
    assert np.allclose(yf, [float(w) for w in want], rtol=1e-15, atol=0)


def test_second_step_by_hand_with_roots():
    """Two steps in SymPy: z moves by gamma_2 g_2/(sqrt(v_2)+eps), x is the gamma^2-weighted
    average, y interpolates; gamma_t carries sqrt(1 - b2^t) (Algorithm 1)."""
    lr, b1, b2, eps = sp.Rational(1, 8), sp.Rational(1, 2), sp.Rational(3, 4), \
        sp.Rational(1, 1024)
    opt = optimizers.make(NAME, lr=Fraction(1, 8), betas=(Fraction(1, 2), Fraction(3, 4)),
                          eps=1 / 1024)
    th, g1, g2 = sp.Integer(1), sp.Integer(2), sp.Rational(-1, 2)
    p = arith.to_sympy([th])
    s = opt.init(p)
    p, s = opt.update(arith.to_sympy([g1]), s, p)
    p, s = opt.update(arith.to_sympy([g2]), s, p)
    v1 = (1 - b2) * g1 ** 2
    v2 = b2 * v1 + (1 - b2) * g2 ** 2
    gam1, gam2 = lr * sp.sqrt(1 - b2), lr * sp.sqrt(1 - b2 ** 2)
    z2 = th - gam1 * g1 / (sp.sqrt(v1) + eps)
    z3 = z2 - gam2 * g2 / (sp.sqrt(v2) + eps)
    c3 = gam2 ** 2 / (gam1 ** 2 + gam2 ** 2)              # gamma_2 > gamma_1: the max is gamma_2
    x3 = (1 - c3) * z2 + c3 * z3                          # x_2 = z_2 (c_2 = 1)
    y3 = (1 - b1) * z3 + b1 * x3
    for got, want in ((p[0], y3), (s.x[0, 0], x3), (s.z[0, 0], z3)):
        assert sp.simplify(got - want) == 0


@pytest.mark.parametrize("mode", ["lr", "v"])
def test_beta1_zero_plays_z(mode):
    """b1 = 0: y = (1 - 0) z + 0 x is z itself, bit for bit, at every step."""
    opt = optimizers.make(NAME, lr=0.05, betas=(0.0, 0.99), weight_decay=0.1,
                          bias_correction=mode)
    ys, states = _run(opt, _p0(), random_grads(3, 25, (2, 3)))
    for y, s in zip(ys[1:], states):
        np.testing.assert_array_equal(y, s.z)
    assert not np.array_equal(states[-1].x, states[-1].z)     # x is still an average


def test_beta1_zero_is_adamw_without_momentum():
    """With b1 = 0 the gradient is taken at z, and bias_correction="v" makes z an AdamW
    step without momentum (decoupled decay scaled by lr, eps outside sqrt(vhat))."""
    p0, grads = _p0(), random_grads(5, 40, (2, 3))
    sf, _ = _run(optimizers.make(NAME, lr=0.03, betas=(0.0, 0.95), eps=1e-6,
                                 weight_decay=0.2, bias_correction="v"), p0, grads)
    aw, _ = _run(optimizers.make("adamw", lr=0.03, betas=(0.0, 0.95), eps=1e-6,
                                 weight_decay=0.2), p0, grads)
    np.testing.assert_allclose(sf, aw, rtol=1e-13, atol=1e-13)


def test_y_interpolates_x_and_z_and_optax_recovers_x():
    """params = (1-b1) z + b1 x; optax's schedule_free_eval_params, (y - (1-b1) z)/b1,
    gives state.x back (to rounding)."""
    b1 = np.array([[0.5], [0.9]])
    opt = optimizers.make(NAME, lr=0.1, betas=(np.array([0.5, 0.9]), 0.999))
    ys, states = _run(opt, _p0(), random_grads(8, 30, (2, 3)))
    for y, s in zip(ys[1:], states):
        np.testing.assert_array_equal(y, b1 * s.x + (1 - b1) * s.z)
        np.testing.assert_allclose((y - (1 - b1) * s.z) / b1, s.x, rtol=1e-13, atol=1e-14)


def test_constant_lr_no_warmup_x_is_the_running_mean_of_z():
    """bias_correction="v", constant gamma: c_{t+1} = 1/t, x_{t+1} = mean(z_2..z_{t+1})."""
    opt = optimizers.make(NAME, lr=0.02, bias_correction="v", weight_decay=0.05)
    _, states = _run(opt, _p0(), random_grads(9, 50, (2, 3)))
    zs = np.stack([s.z for s in states])
    for t, s in enumerate(states, start=1):
        np.testing.assert_allclose(s.x, zs[:t].mean(axis=0), rtol=1e-12, atol=1e-14)
        assert s.weight_sum[0, 0] == pytest.approx(t * 0.02 ** 2, rel=1e-14)


@pytest.mark.parametrize("mode,warm", [("lr", 1), ("v", 5), ("lr", 5)])
def test_x_is_the_gamma_squared_weighted_average_of_z(mode, warm):
    """c_{t+1} = gamma_t^2/sum_i gamma_i^2 unrolls to x_{t+1} = sum_i gamma_i^2 z_{i+1} /
    sum_i gamma_i^2 with gamma_i = lr min(1, i/W) [sqrt(1 - b2^i) for "lr"]."""
    lr, b2 = 0.01, 0.9
    opt = optimizers.make(NAME, lr=lr, betas=(0.8, b2), bias_correction=mode,
                          warmup_steps=warm)
    _, states = _run(opt, _p0(), random_grads(10, 30, (2, 3)))
    zs = np.stack([s.z for s in states])
    i = np.arange(1, 31)
    gam = lr * np.minimum(1, i / warm) * (np.sqrt(1 - b2 ** i) if mode == "lr" else 1)
    for t, s in enumerate(states, start=1):
        w = gam[:t] ** 2
        want = np.tensordot(w, zs[:t], axes=1) / w.sum()
        np.testing.assert_allclose(s.x, want, rtol=1e-12, atol=1e-14)
    if mode == "lr" or warm > 1:       # the weights are not uniform: x is not the plain mean
        assert not np.allclose(states[-1].x, zs.mean(axis=0), rtol=1e-6)


def test_warmup_scales_the_first_z_steps():
    """eps = 0, b2 = 3/4 ("v"): the first step is lr min(1, 1/W) sign(g)."""
    for warm in (1, 2, 4):
        opt = optimizers.make(NAME, lr=0.5, betas=(0.5, 0.75), eps=0.0, bias_correction="v",
                              warmup_steps=warm)
        p = np.array([1.0, -1.0])
        y, s = opt.update(np.array([3.0, -0.25]), opt.init(p), p)
        np.testing.assert_array_equal(s.z, [[1.0 - 0.5 / warm, -1.0 + 0.5 / warm]])


def test_decreasing_lr_weights_use_the_running_maximum():
    """lr = 1/t: gamma_max stays 1, so every weight is 1 and c_{t+1} = 1/t."""
    opt = optimizers.make(NAME, lr=lambda t: 1.0 / t, bias_correction="v")
    _, states = _run(opt, _p0(), random_grads(12, 12, (2, 3)))
    zs = np.stack([s.z for s in states])
    for t, s in enumerate(states, start=1):
        assert s.lr_max[0, 0] == 1.0 and s.weight_sum[0, 0] == t
        np.testing.assert_allclose(s.x, zs[:t].mean(axis=0), rtol=1e-12, atol=1e-14)


def test_zero_gradients_from_the_start_do_not_move():
    """x = z = y = theta_0 stay put (up to the rounding of b1 x + (1-b1) x: 2 ulp)."""
    opt = optimizers.make(NAME, eps=0.0)
    p0 = _p0()
    ys, states = _run(opt, p0, np.zeros((5, 2, 3)))
    for y in ys:
        np.testing.assert_allclose(y, p0, rtol=4.5e-16, atol=0)
    np.testing.assert_array_equal(states[-1].z, p0)


def test_the_two_bias_corrections_differ():
    p0, grads = _p0(), random_grads(14, 10, (2, 3))
    a, _ = _run(optimizers.make(NAME, lr=0.05, eps=0.0), p0, grads)
    b, _ = _run(optimizers.make(NAME, lr=0.05, eps=0.0, bias_correction="v"), p0, grads)
    np.testing.assert_array_equal(a[:2], b[:2])     # step 1: c_2 = 1 and the same z step
    assert np.max(np.abs(a - b)) > 1e-6              # then the weights c_{t+1} differ


def test_mpmath_replay_matches_float():
    opt = optimizers.make(NAME, lr=0.1, betas=(0.9, 0.99), weight_decay=0.01,
                          warmup_steps=3)
    rng = np.random.default_rng(3)
    p = rng.normal(size=(2, 3))
    s = opt.init(p)
    with mp.workdps(50):
        pm = arith.to_mpmath(p)
        sm = opt.init(pm)
        for _ in range(6):
            g = rng.normal(size=(2, 3))
            p, s = opt.update(g, s, p)
            pm, sm = opt.update(arith.to_mpmath(g), sm, pm)
            for a, b in zip(pm.flat, p.flat):
                assert abs(float(a) - b) <= 1e-14 * max(1.0, abs(b))


def test_fraction_refuses_an_irrational_root():
    opt = optimizers.make(NAME, lr=Fraction(1, 10), betas=(0.5, 0.5), eps=0.0)
    p = arith.to_fractions([0])
    with pytest.raises(TypeError, match="not rational"):
        opt.update(arith.to_fractions([1]), opt.init(p), p)        # sqrt(1/2)
