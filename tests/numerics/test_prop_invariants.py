r"""Property tests: scale invariance, monotone quantities, unbiased moments.

* **Scale invariance** (kb.sec2.1.scale-invariance, Kingma & Ba §2.1): with
  :math:`\epsilon = 0` the iterates do not change when every gradient is
  multiplied by :math:`c > 0`.  For :math:`c = 2^k` this holds *bit for bit*
  (scaling by a power of two is exact, and :math:`\sqrt{4^k v} = 2^k\sqrt v`
  exactly for a correctly rounded sqrt), for other c to relative
  :math:`(16t+16)u`.  Holds for: :data:`INVARIANT`.  Does not hold for
  :data:`NOT_INVARIANT` (SGD/momentum/NAG move proportionally to c, RAdam takes
  un-normalised SGD-with-momentum steps while :math:`\rho_t \le` threshold,
  AdaBound clips :math:`\alpha/\sqrt{\hat v}` to bounds that do not scale,
  AdaDelta needs :math:`\epsilon > 0` to move at all and then is not invariant);
  a test shows each of those does change.
* **Monotone**: AMSGrad's running maximum never decreases in any mode; Reddi et
  al.'s :math:`\Gamma_{t} = \sqrt{\hat V_{t}}/\alpha_{t} - \sqrt{\hat V_{t-1}}/\alpha_{t-1}`
  (ICLR 2018, §3) is PSD (diagonal, entries >= 0) for the modes whose
  denominator is the maximum itself (``reddi``, ``optax``) -- with constant
  :math:`\alpha` and with :math:`\alpha_t = \alpha/\sqrt t`; torch's mode
  (max of the raw v, bias-corrected afterwards) is *not* monotone in
  :math:`\hat v_t`, and a search finds the witness.  AdaGrad's accumulator is
  monotone.
* **Unbiased moments** (Kingma & Ba §3): for constant g, :math:`\hat m_t = g`,
  :math:`\hat v_t = g^2` (to the rounding of t recursion steps).  For i.i.d.
  :math:`N(\mu,\sigma^2)` gradients, R = 4000 independent runs: two-sided z-tests
  of :math:`E\hat m_T = \mu` and :math:`E\hat v_T = \mu^2+\sigma^2` with the exact
  variances, Bonferroni over every test in the run: family-wise false-alarm rate
  :math:`\le 10^{-4}` with fixed seeds (so deterministic).
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import bias_correction
from adamlab.numerics.optimizers.schedules import InverseSqrt
from prop_util import U, steps, trajectory
from strategies import betas, grad_seqs, pow2_scales, scales

INVARIANT = ["adagrad", "rmsprop", "adam", "amsgrad", "adamw", "adamax", "nadam", "adamp",
             "lookahead", "schedule-free-adamw"]
NOT_INVARIANT = ["sgd", "momentum", "nag", "radam", "adabound", "adadelta"]
INVARIANT += ["yogi", "adabelief", "laprop"]   # eps=0 (and Yogi's default v_0 = 0)
INVARIANT += ["lion", "adopt", "ademamix"]     # sign(c g) = sign(g); eps=0 (ADOPT's clip too)


def test_every_registered_optimizer_is_classified():
    assert sorted(INVARIANT + NOT_INVARIANT) == sorted(optimizers.names())


def _eps0(name, bb=None, extra=None):
    kw = dict(extra or {})
    hp = {h.name: h for h in optimizers.get(name).hparams()}
    if "eps" in hp:
        kw["eps"] = 0.0
    if "betas" in hp and bb is not None:
        kw["betas"] = bb
    if name == "lookahead":
        kw["optimizer"] = optimizers.make("adam", eps=0.0, betas=bb or (0.9, 0.999))
    if name == "rmsprop":
        kw.setdefault("centered", False)
    return optimizers.make(name, **kw)


def _both(opt, p0, g, c):
    try:
        a = trajectory(opt, p0, g)
    except ValueError:
        a = None
    try:
        b = trajectory(opt, p0, g * c)
    except ValueError:
        b = None
    return a, b


@given(name=st.sampled_from(INVARIANT), bb=betas(), g=grad_seqs(max_T=30, d=3, max_exp=80),
       c=pow2_scales, centered=st.booleans())
def test_scale_invariance_bit_for_bit_for_powers_of_two(name, bb, g, c, centered):
    opt = _eps0(name, bb, {"centered": centered} if name == "rmsprop" else None)
    p0 = np.array([0.3, -1.0, 2.0])
    a, b = _both(opt, p0, g, c)
    assert (a is None) == (b is None)
    if a is not None:
        np.testing.assert_array_equal(a, b)


@given(name=st.sampled_from(INVARIANT), bb=betas(), g=grad_seqs(max_T=30, d=3, max_exp=80),
       c=scales)
def test_scale_invariance_any_c(name, bb, g, c):
    opt = _eps0(name, bb)
    p0 = np.array([0.3, -1.0, 2.0])
    a, b = _both(opt, p0, g, c)
    if a is None or b is None:
        return
    # the step of each t carries (16t+16)u relative error; steps add up along the path
    T = len(g)
    step_scale = np.cumsum(np.abs(np.diff(a, axis=0)), axis=0)
    tol = (16 * T + 16) * U * np.vstack([np.zeros((1, 3)), step_scale]) + 4 * U * np.abs(a)
    assert np.all(np.abs(a - b) <= tol * 8 + 1e-300)


@pytest.mark.parametrize("name", NOT_INVARIANT)
def test_methods_without_scale_invariance_do_change(name):
    kw = {"eps": 1e-6} if name == "adadelta" else {}
    opt = optimizers.make(name, **kw)
    g = np.random.default_rng(3).normal(size=(8, 3))
    p0 = np.array([0.3, -1.0, 2.0])
    c = 1e-4 if name == "adadelta" else 1e3   # adadelta: eps dominates small gradients
    a, b = trajectory(opt, p0, g), trajectory(opt, p0, g * c)
    assert np.max(np.abs(a - b)) > 1e-4 * np.max(np.abs(a - p0))


def test_adadelta_with_eps0_never_moves():
    g = np.random.default_rng(3).normal(size=(8, 3))
    a = trajectory(optimizers.make("adadelta", eps=0.0), np.ones(3), g)
    np.testing.assert_array_equal(a, np.ones((9, 3)))


# -- monotone quantities ------------------------------------------------------------
def _states(opt, g):
    try:
        return steps(opt, g)[1]
    except ValueError:
        return None


@given(bb=betas(), g=grad_seqs(max_T=40), mode=st.sampled_from(["torch", "optax", "reddi"]))
def test_amsgrad_running_max_never_decreases(bb, g, mode):
    sts = _states(optimizers.make("amsgrad", betas=bb, eps=0.0, amsgrad_mode=mode), g)
    if sts is None:
        return
    vmax = np.stack([s.vmax[0] for s in sts])
    assert np.all(np.diff(vmax, axis=0) >= 0)
    assert np.all(vmax >= np.stack([s.v[0] for s in sts]) *
                  (1.0 if mode != "optax" else 0.0))


def _effective_vhat(sts, mode, b2):
    """The vhat_t in AMSGrad's denominator, per mode."""
    return np.stack([s.vmax[0] / (bias_correction(b2, s.step) if mode == "torch" else 1.0)
                     for s in sts])


@given(bb=betas(), g=grad_seqs(max_T=40), mode=st.sampled_from(["optax", "reddi"]),
       schedule=st.booleans(), lr=st.floats(1e-3, 1.0))
def test_amsgrad_gamma_is_psd(bb, g, mode, schedule, lr):
    r""":math:`\Gamma_t` diagonal with entries
    :math:`\sqrt{\hat v_t}/\alpha_t - \sqrt{\hat v_{t-1}}/\alpha_{t-1} \ge 0`."""
    alpha = InverseSqrt(lr) if schedule else lr
    sts = _states(optimizers.make("amsgrad", lr=alpha, betas=bb, eps=0.0,
                                  amsgrad_mode=mode), g)
    if sts is None:
        return
    vhat = _effective_vhat(sts, mode, bb[1])
    a = np.array([alpha(t) if schedule else alpha for t in range(1, len(g) + 1)])[:, None]
    scaled = np.sqrt(vhat) / a
    gamma = np.diff(scaled, axis=0)
    assert np.all(gamma >= -4 * U * scaled[1:])


def test_torch_amsgrad_vhat_can_decrease_found_by_search():
    """torch's AMSGrad bias-corrects the max of the raw v: vhat_t = vmax_t/(1-b2^t)
    falls when the gradients shrink -- its Gamma_t is not PSD (a convention, not a bug:
    Reddi et al.'s analysis needs ``amsgrad_mode='reddi'``)."""
    def decreases(g):
        g = np.asarray(g, dtype=np.float64)[:, None]
        sts = _states(optimizers.make("amsgrad", betas=(0.9, 0.99), eps=0.0), g)
        vhat = _effective_vhat(sts, "torch", 0.99)
        return bool(np.any(np.diff(vhat[:, 0]) < 0))
    g = find(st.lists(st.floats(-10, 10, allow_nan=False), min_size=2, max_size=10),
             decreases, settings=settings(database=None, derandomize=True))
    assert decreases(g) and len(g) == 2


@given(g=grad_seqs(max_T=40), init=st.floats(0.0, 10.0), eps=st.floats(0.0, 1e-3))
def test_adagrad_accumulator_is_monotone(g, init, eps):
    sts = _states(optimizers.make("adagrad", eps=eps, initial_accumulator_value=init), g)
    if sts is None:
        return
    acc = np.stack([np.broadcast_to(s.sum[0], g.shape[1:]) for s in sts])
    assert np.all(acc[0] >= init)
    assert np.all(np.diff(acc, axis=0) >= 0)


# -- unbiased moments -----------------------------------------------------------------
@given(bb=betas(), g0=st.floats(-1e50, 1e50, allow_subnormal=False).filter(
       lambda x: abs(x) > 1e-50), T=st.integers(1, 200))
def test_bias_corrected_moments_exact_for_constant_gradients(bb, g0, T):
    b1, b2 = bb
    sts = _states(optimizers.make("adam", betas=bb, eps=0.0), np.full((T, 1), g0))
    for s in sts:
        t = s.step
        mhat = s.m[0, 0] / bias_correction(b1, t)
        vhat = s.v[0, 0] / bias_correction(b2, t)
        tol = (4 * t + 8) * U
        assert abs(mhat - g0) <= tol * abs(g0), (t, mhat, g0)
        assert abs(vhat - g0 * g0) <= tol * g0 * g0, (t, vhat, g0 * g0)


R_RUNS = 4000
FAMILY_ALPHA = 1e-4          # the false-alarm rate of the whole test, Bonferroni-split


@given(bb=betas(), mu=st.floats(-3, 3), sigma=st.floats(0.1, 3), T=st.integers(1, 60))
def test_bias_corrected_moments_unbiased_for_stationary_noise(bb, mu, sigma, T):
    b1, b2 = bb
    n_tests = 2 * settings.default.max_examples
    z_crit = NormalDist().inv_cdf(1 - FAMILY_ALPHA / (2 * n_tests))
    seed = abs(hash((round(b1, 12), round(b2, 12), round(mu, 12), round(sigma, 12), T))) % 2**32
    g = np.random.default_rng(seed).normal(mu, sigma, size=(T, R_RUNS, 1))
    opt = optimizers.make("adam", betas=bb, eps=0.0)
    p = np.zeros((R_RUNS, 1))
    s = opt.init(p)
    for x in g:
        _, s = opt.update(x, s, p)
    c1, c2 = -math.expm1(T * math.log(b1)) if b1 else 1.0, -math.expm1(T * math.log(b2))
    mhat, vhat = s.m[:, 0] / c1, s.v[:, 0] / c2
    # exact variances of the EMAs of i.i.d. terms: (1-b)^2 sum_k b^(2k) / c^2
    w1 = (1 - b1) ** 2 * sum(b1 ** (2 * k) for k in range(T)) / c1 ** 2
    w2 = (1 - b2) ** 2 * sum(b2 ** (2 * k) for k in range(T)) / c2 ** 2
    var_g2 = 2 * sigma ** 4 + 4 * mu ** 2 * sigma ** 2
    z_m = (mhat.mean() - mu) / math.sqrt(sigma ** 2 * w1 / R_RUNS)
    z_v = (vhat.mean() - (mu ** 2 + sigma ** 2)) / math.sqrt(var_g2 * w2 / R_RUNS)
    assert abs(z_m) < z_crit, (z_m, z_crit)
    assert abs(z_v) < z_crit, (z_v, z_crit)


def test_the_z_test_has_power():
    """A biased estimator (no bias correction at small t) is rejected: the test can fail."""
    T, b1 = 3, 0.9
    g = np.random.default_rng(0).normal(1.0, 1.0, size=(T, R_RUNS, 1))
    opt = optimizers.make("adam", betas=(b1, 0.999), eps=0.0)
    p = np.zeros((R_RUNS, 1))
    s = opt.init(p)
    for x in g:
        _, s = opt.update(x, s, p)
    w1 = (1 - b1) ** 2 * sum(b1 ** (2 * k) for k in range(T))
    z = (s.m[:, 0].mean() - 1.0) / math.sqrt(w1 / R_RUNS)   # raw m, not corrected
    assert abs(z) > 10
