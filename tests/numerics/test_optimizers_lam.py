"""Lion, ADOPT and AdEMAMix: first steps worked out by hand in exact rationals, and the
property that defines each method.

* Lion: every coordinate of every update has magnitude exactly lr (0 where the
  interpolated momentum is 0), plus the decay term lr*lambda*theta -- checked exactly
  on random inputs in rationals.
* ADOPT: the step at t is normalized by v_{t-1}, so a huge g_t does not shrink its own
  step (Adam's does); v_t only acts from the next step on.
* AdEMAMix: with alpha = 0 it is Adam (bit for bit without decay, AdamW's decay to
  rounding with it), whatever beta3 and the warmups.

The hand computations are independent of the implementation; the exact-arithmetic
cross-check over many configurations is in test_optimizers_exact.py.
"""
from __future__ import annotations

import math
from fractions import Fraction as F

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import arith
from optim_util import random_grads, trajectory


def _fr(rows):
    return arith.to_fractions(np.array(rows, dtype=object))


# -- Lion ------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", [arith.to_fractions, arith.to_sympy])
@pytest.mark.parametrize("scaled,want", [
    # c_1 = (1/2) g = (1/4, 0, -3/2): sign (1, 0, -1)
    (True, [F(7, 8), F(-39, 20), F(47, 80)]),     # theta - lr (sign + wd theta)
    (False, [F(13, 20), F(-3, 2), F(19, 40)]),    # theta - lr sign - wd theta
])
def test_lion_first_step_by_hand(backend, scaled, want):
    opt = optimizers.make("lion", lr=F(1, 10), betas=(F(1, 2), F(3, 4)), weight_decay=F(1, 4),
                          decay_scaled_by_lr=scaled)
    p = backend([[1, -2, F(1, 2)]])
    p1, s1 = opt.update(backend([[F(1, 2), 0, -3]]), opt.init(p), p)
    assert list(p1[0]) == want
    assert list(s1.m[0]) == [F(1, 8), 0, F(-3, 4)]              # (1 - 3/4) g


def _random_fractions(rng, shape, scale=1.0):
    """Random floats, converted exactly; about a tenth of them exact zeros."""
    x = rng.normal(size=shape) * scale
    x[rng.random(shape) < 0.1] = 0.0
    return arith.to_fractions(x)


@pytest.mark.parametrize("wd", [0.0, 0.25])
def test_lion_every_update_entry_has_magnitude_lr(wd):
    """|theta_t - theta_{t-1} + lr wd theta_{t-1}| = lr exactly where c_t != 0, and 0 where
    c_t = 0 (sign(0) = 0); c_t recomputed from the state before the step."""
    rng = np.random.default_rng(20)
    lr, b1, b2 = F(1, 64), F(1, 2), F(3, 4)     # b1 = 1/2 and dyadic zeros: some c_t = 0
    opt = optimizers.make("lion", lr=lr, betas=(b1, b2), weight_decay=wd)
    p = _random_fractions(rng, (3, 5))
    s = opt.init(p)
    zeros_seen = 0
    for t in range(12):
        g = _random_fractions(rng, (3, 5), scale=10.0 ** rng.uniform(-3, 3))
        if t % 4 == 3:                           # force c_t = 0 in one coordinate
            g[0, 0] = -b1 * s.m[0, 0] / (1 - b1)
        c = b1 * s.m + (1 - b1) * g
        new_p, s = opt.update(g, s, p)
        step = new_p - p + lr * F(wd) * p
        for ci, si in zip(c.flat, step.flat):
            assert abs(si) == (lr if ci != 0 else 0)
            assert si * ci <= 0                  # against the sign of c_t
            zeros_seen += ci == 0
        p = new_p
    assert zeros_seen >= 3


def test_lion_float_steps_have_magnitude_lr_to_rounding():
    opt = optimizers.make("lion", lr=1e-3)
    p0 = np.random.default_rng(1).normal(size=(2, 6))
    traj, _ = trajectory(opt, p0, random_grads(3, 25, (2, 6)))
    steps = np.abs(np.diff(traj, axis=0))
    moved = steps > 0
    assert moved.mean() > 0.9
    np.testing.assert_allclose(steps[moved], 1e-3, rtol=1e-12)


def test_lion_float32_tracks_float64_away_from_sign_changes():
    """float32 agrees with float64 to float32 precision while no c_t is within float32
    rounding of 0 (the shared float32 property excludes Lion: sign(c_t) is discontinuous
    there); at c_t = 0 they may differ by a whole step, e.g. when beta1 underflows."""
    lr, b1 = 1e-3, 0.9
    opt = optimizers.make("lion", lr=lr, betas=(b1, 0.99), weight_decay=0.1)
    rng = np.random.default_rng(6)
    p0 = rng.normal(size=(3, 8))
    grads = rng.normal(size=(30, 3, 8))
    t64, s64 = p0.copy(), opt.init(p0)
    t32, s32 = p0.astype(np.float32), opt.init(p0.astype(np.float32))
    path = np.zeros_like(p0)
    for t, g in enumerate(grads, start=1):
        c = b1 * s64.m + (1 - b1) * g
        assert np.all(np.abs(c) > 1e-4 * (np.abs(b1 * s64.m) + np.abs(g)))   # no near-0 c_t
        new64, s64 = opt.update(g, s64, t64)
        t32, s32 = opt.update(g.astype(np.float32), s32, t32)
        path += np.abs(new64 - t64)
        t64 = new64
        assert np.all(np.abs(t32 - t64) <= 64 * (t + 1) * 2.0 ** -24 * (np.abs(p0) + path))
    tiny = optimizers.make("lion", lr=lr, betas=(1e-50, 0.5))       # beta1 = 0 in float32
    grads = np.array([[[1.0]], [[0.0]]])
    a64, _ = trajectory(tiny, np.zeros((1, 1)), grads)
    a32, _ = trajectory(tiny, np.zeros((1, 1), np.float32), grads.astype(np.float32))
    assert a64[2, 0, 0] - a64[1, 0, 0] == -lr and a32[2, 0, 0] == a32[1, 0, 0]


def test_lion_sign_is_exact_in_every_backend():
    from adamlab.numerics.optimizers.lion import sign
    values = [F(-3, 7), 0, F(1, 10 ** 30)]
    assert list(sign(arith.to_fractions(values))) == [-1, 0, 1]
    assert list(sign(arith.to_sympy(values))) == [-1, 0, 1]
    assert list(sign(arith.to_sympy([sp.sqrt(2) - sp.Rational(141421, 100000)]))) == [1]
    with mp.workdps(30):
        assert [int(x) for x in sign(arith.to_mpmath(values))] == [-1, 0, 1]
    assert list(sign(np.array([-2.0, 0.0, 5e-324]))) == [-1.0, 0.0, 1.0]


# -- ADOPT -----------------------------------------------------------------------------
@pytest.mark.parametrize("clip,theta2,m1", [
    (True, [F(39, 40), F(-41, 20)], [F(1, 4), F(1, 2)]),    # g_1/sqrt(v_0) = (1/2, 2) -> (1/2, 1)
    (False, [F(39, 40), F(-21, 10)], [F(1, 4), F(1)]),
])
def test_adopt_first_steps_by_hand(clip, theta2, m1):
    """Call 1: v_0 = g_0^2 = (4, 1/4), theta unchanged.  Call 2 (the paper's s = 1, c_1 = 1):
    m_1 = (1 - 1/2) clip(g_1/max(sqrt(v_0), eps)), theta -= lr m_1,
    v_1 = (3/4) v_0 + (1/4) g_1^2."""
    opt = optimizers.make("adopt", lr=F(1, 10), betas=(F(1, 2), F(3, 4)), eps=F(1, 1024),
                          clip=clip)
    p = _fr([[1, -2]])
    p1, s1 = opt.update(_fr([[2, F(-1, 2)]]), opt.init(p), p)
    assert list(p1[0]) == [1, -2]
    assert list(s1.v[0]) == [4, F(1, 4)] and list(s1.m[0]) == [0, 0]
    p2, s2 = opt.update(_fr([[1, 1]]), s1, p1)
    assert list(p2[0]) == theta2
    assert list(s2.m[0]) == m1
    assert list(s2.v[0]) == [F(13, 4), F(7, 16)]


@pytest.mark.parametrize("big", [1e3, 1e6])
def test_adopt_huge_gradient_does_not_shrink_its_own_step(big):
    """The step at t is -lr (b1 m_{t-1} + (1-b1) g_t / max(sqrt(v_{t-1}), eps)): linear in
    g_t (unclipped), since v_{t-1} does not contain g_t.  Adam's v_t does, and its step
    stays below lr (1-b1)/sqrt(1-b2) / (1-b1^t) however large g_t is."""
    lr, b1, b2 = 0.125, 0.5, 0.75
    adopt = optimizers.make("adopt", lr=lr, betas=(b1, b2), clip=False)
    adam = optimizers.make("adam", lr=lr, betas=(b1, b2))
    grads = np.array([[[1.0]], [[1.0]], [[big]]])
    a, s = trajectory(adopt, np.zeros((1, 1)), grads)
    # before the last step: m_1 = (1-b1) * 1/sqrt(v_0) = 1/2, v_1 = 1
    want = -lr * (b1 * 0.5 + (1 - b1) * big / 1.0)
    assert a[3, 0, 0] - a[2, 0, 0] == pytest.approx(want, rel=1e-15)
    assert s.v[0, 0] == pytest.approx(b2 + (1 - b2) * big ** 2, rel=1e-15)  # only from now on
    b, _ = trajectory(adam, np.zeros((1, 1)), grads)
    adam_step = abs(b[3, 0, 0] - b[2, 0, 0])
    assert adam_step < lr * (1 - b1) / math.sqrt(1 - b2) / (1 - b1 ** 3) + lr
    assert abs(a[3, 0, 0] - a[2, 0, 0]) > big / 10 * adam_step


def test_adopt_clip_bounds_the_normalized_gradient_by_s_to_the_quarter():
    """With clipping, |m_s - b1 m_{s-1}| <= (1-b1) s^(1/4) (s = t - 1)."""
    b1 = 0.5
    opt = optimizers.make("adopt", lr=0.1, betas=(b1, 0.9), eps=1e-12)
    rng = np.random.default_rng(4)
    p = rng.normal(size=(2, 4))
    s = opt.init(p)
    hit = 0
    for t in range(1, 30):
        g = rng.normal(size=(2, 4)) * 10.0 ** rng.uniform(-4, 4, size=(2, 4))
        p, new = opt.update(g, s, p)
        if t > 1:
            normed = (new.m - b1 * s.m) / (1 - b1)
            c = (t - 1) ** 0.25
            assert np.all(np.abs(normed) <= c * (1 + 1e-12))
            hit += int(np.sum(np.abs(normed) >= c * (1 - 1e-12)))
        s = new
    assert hit > 0


def test_adopt_zero_floor_with_eps0():
    """eps = 0 and v_{t-1} = 0 (g_0 = 0): g_t/0 is +-inf, clipped to +-c_s; unclipped the
    step is infinite and refused."""
    opt = optimizers.make("adopt", lr=F(1, 10), betas=(F(1, 2), F(3, 4)), eps=0.0)
    p = _fr([[1, 1, 1]])
    p, s = opt.update(_fr([[0, 0, 2]]), opt.init(p), p)
    p, s = opt.update(_fr([[-3, 0, 2]]), s, p)
    assert list(s.m[0]) == [F(-1, 2), 0, F(1, 2)]   # (1-b1) (-c_1, 0/0 := 0, 2/2)
    assert list(p[0]) == [F(21, 20), 1, F(19, 20)]
    unclipped = optimizers.make("adopt", eps=0.0, clip=False)
    q = np.ones((1, 2))
    q, s = unclipped.update(np.array([[0.0, 1.0]]), unclipped.init(q), q)
    with pytest.raises(ValueError, match="clip=True"):
        unclipped.update(np.array([[1.0, 1.0]]), s, q)


# -- AdEMAMix --------------------------------------------------------------------------
@pytest.mark.parametrize("alpha_warmup,want", [
    (1, [F(17, 20), F(-37, 20)]),     # theta - lr (1 + alpha (1-b3)) sign(g) = -(3/20) sign(g)
    (4, [F(71, 80), F(-151, 80)]),    # alpha_1 = alpha/4: -(9/80) sign(g)
])
def test_ademamix_first_step_by_hand(alpha_warmup, want):
    """t = 1, eps = 0: m1_hat = g, v_hat = g^2, m2 = (1-b3) g, so the step is
    -lr (1 + alpha_1 (1-b3)) sign(g)."""
    opt = optimizers.make("ademamix", lr=F(1, 10), betas=(F(1, 2), F(3, 4)), beta3=F(3, 4),
                          alpha=2.0, eps=0.0, alpha_warmup=alpha_warmup)
    p = _fr([[1, -2]])
    p1, s1 = opt.update(_fr([[F(1, 3), -5]]), opt.init(p), p)
    assert list(p1[0]) == want
    assert list(s1.m2[0]) == [F(1, 12), F(-5, 4)]      # (1 - b3) g, not bias-corrected


def test_ademamix_beta3_warmup_first_step_in_sympy():
    """beta_{3,1} = exp(ln b1 ln b3 / ((1 - 1/T) ln b3 + (1/T) ln b1)), T = 4, by hand."""
    b1, b3 = sp.Rational(1, 2), sp.Rational(15, 16)
    opt = optimizers.make("ademamix", lr=F(1, 10), betas=(F(1, 2), F(3, 4)), beta3=F(15, 16),
                          alpha=2.0, eps=0.0, beta3_warmup=4)
    p = arith.to_sympy([[1]])
    _, s1 = opt.update(arith.to_sympy([[2]]), opt.init(p), p)
    s = sp.Rational(1, 4)
    b31 = sp.exp(sp.log(b1) * sp.log(b3) / ((1 - s) * sp.log(b3) + s * sp.log(b1)))
    assert abs(sp.N(s1.m2[0, 0] - (1 - b31) * 2, 50)) < sp.Float(10) ** -45
    assert b1 < b31 < b3


def test_ademamix_beta3_warmup_grows_the_half_life_linearly():
    """ln(1/2)/ln(beta_{3,t}) is affine in t for t < T, from beta1 (t = 0) to beta3 (t = T);
    beta3 from t = T on; capped at beta3 when beta3 < beta1."""
    from adamlab.numerics.optimizers.ademamix import beta3_at
    T, b1, b3 = 10, 0.9, 0.999
    half = [math.log(0.5) / math.log(beta3_at(b3, b1, t, T)) for t in range(1, T)]
    h0, hT = math.log(0.5) / math.log(b1), math.log(0.5) / math.log(b3)
    np.testing.assert_allclose(half, [h0 + (hT - h0) * t / T for t in range(1, T)], rtol=1e-12)
    assert beta3_at(b3, b1, T, T) == b3 and beta3_at(b3, b1, T + 5, T) == b3
    assert beta3_at(0.5, 0.9, 3, T) == 0.5                         # the cap
    assert beta3_at(0.5, 0.0, 5, T) == pytest.approx(0.5 ** 2)     # ln 0: beta3^(T/t)
    per_run = beta3_at(np.array([[0.99], [0.999]]), np.array([[0.9], [0.5]]), 3, T)
    assert per_run.shape == (2, 1)
    assert per_run[1, 0] == beta3_at(0.999, 0.5, 3, T)


@pytest.mark.parametrize("eps_mode", ["outside", "inside"])
@pytest.mark.parametrize("eps", [0.0, 1e-3])
def test_ademamix_with_alpha0_is_adam(eps_mode, eps):
    p0, grads = np.random.default_rng(8).normal(size=(3, 5)), random_grads(9, 40, (3, 5))
    kw = dict(lr=0.01, betas=(0.8, 0.95), eps=eps, eps_mode=eps_mode)
    adam, _ = trajectory(optimizers.make("adam", **kw), p0, grads)
    for extra in ({}, dict(beta3=0.5, beta3_warmup=7, alpha_warmup=3)):
        mix, _ = trajectory(optimizers.make("ademamix", alpha=0.0, **kw, **extra), p0, grads)
        np.testing.assert_array_equal(mix, adam)
    # decay: theta - lr (dir + wd theta) here, theta (1 - lr wd) - lr dir in AdamW
    adamw, _ = trajectory(optimizers.make("adamw", weight_decay=0.1, **kw), p0, grads)
    mix, _ = trajectory(optimizers.make("ademamix", alpha=0.0, weight_decay=0.1, **kw), p0,
                        grads)
    np.testing.assert_allclose(mix, adamw, rtol=1e-12, atol=1e-15)
    # and alpha > 0 is not Adam
    other, _ = trajectory(optimizers.make("ademamix", alpha=1.0, **kw), p0, grads)
    assert not np.allclose(other, adam)


# -- registry entries ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["lion", "adopt", "ademamix"])
def test_entries_declare_only_what_they_implement(name):
    entry = optimizers.get(name)
    caps = entry.caps
    assert (caps.family, caps.lazy_sparse, caps.oblivious_scan, caps.wraps, caps.kernel,
            caps.beta1) == (name, False, name == "adopt", False, False, None)   # ADOPT's scan
    assert caps.vhat == ("v_corrected" if name == "ademamix" else None)
    assert "torch" not in entry.frameworks and "optax" in entry.frameworks
    assert set(optimizers.make(name).arithmetics) == {"float", "mpmath", "fraction", "sympy"}


@pytest.mark.parametrize("name,kw", [
    ("lion", dict(weight_decay=0.1)), ("adopt", dict(weight_decay=0.1)),
    ("adopt", dict(decoupled_weight_decay=True, weight_decay=0.1, clip=False)),
    ("ademamix", dict(alpha_warmup=4, beta3_warmup=6, weight_decay=0.1)),
    ("ademamix", dict(eps_mode="inside", eps=1e-6)),
])
def test_mpmath_replay_matches_float(name, kw):
    rng = np.random.default_rng(3)
    opt = optimizers.make(name, lr=0.05, **kw)
    p = rng.normal(size=(2, 3))
    s = opt.init(p)
    with mp.workdps(50):
        pm = arith.to_mpmath(p)
        sm = opt.init(pm)
        for _ in range(8):
            g = rng.normal(size=(2, 3))
            p, s = opt.update(g, s, p)
            pm, sm = opt.update(arith.to_mpmath(g), sm, pm)
        for a, b in zip(pm.flat, p.flat):
            assert abs(float(a) - b) <= 1e-13 * max(1.0, abs(b))
