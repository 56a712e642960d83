"""The loop-free engine for oblivious linear losses equals the step loop."""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.sim.oblivious_scan import clamp_walk, ema, ema_tv
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 65, 300, 20000])
def test_clamp_walk_equals_the_loop(n):
    rng = np.random.default_rng(n)
    delta = rng.normal(0.2, 1.0, (n, 2, 3)) * 0.4
    lo, hi = np.array([-1.0, -np.inf, -0.2]), np.array([1.0, 0.5, np.inf])
    th = np.zeros((2, 3))
    ref = np.empty_like(delta)
    x = th.copy()
    for t in range(n):
        x = np.clip(x - delta[t], lo, hi)
        ref[t] = x
    out = clamp_walk(th, delta, lo, hi)
    assert np.max(np.abs(out - ref)) <= 1e-12 * max(1.0, np.max(np.abs(ref)))
    free = clamp_walk(th, delta, -np.inf, np.inf)
    np.testing.assert_allclose(free, th - np.cumsum(delta, axis=0), rtol=1e-15)


def test_ema_is_the_optimizers_recursion_bit_for_bit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3, 2))
    beta = np.array([0.9, 0.0, 0.5])
    prev = rng.normal(size=(3, 2))
    out = ema(x, beta, prev)
    y = prev.copy()
    for t in range(500):
        y = beta[:, None] * y + x[t]
        assert np.array_equal(out[t], y)


@pytest.mark.parametrize("n", [1, 5, 256, 257, 1000, 70000])
def test_ema_tv_equals_the_loop(n):
    rng = np.random.default_rng(n)
    x, a = rng.normal(size=(n, 2, 3)), rng.uniform(0.0, 1.0, (n, 2))
    prev = rng.normal(size=(2, 3))
    out = ema_tv(x, a, prev)
    y, ref = prev.copy(), np.empty_like(x)
    for t in range(n):
        y = a[t][:, None] * y + x[t]
        ref[t] = y
    assert rel(out, ref) <= 1e-13


CASES = [
    ("rkk-online", {}, "adam", dict(lr=InverseSqrt(0.1), betas=(0.9, 0.99))),
    ("rkk-online", {}, "amsgrad", dict(lr=InverseSqrt(0.1), betas=(0.9, 0.99))),
    ("rkk-stochastic", {}, "amsgrad", dict(lr=0.01, amsgrad_mode="optax")),
    ("rkk-stochastic", {}, "amsgrad", dict(lr=0.01, amsgrad_mode="reddi")),
    ("rkk-thm1", {}, "adam", dict(lr=InverseSqrt(0.5), betas=(0.0, 0.1), eps=0.0)),
    ("linear-random", {"d": 4}, "adam", dict(lr=[0.01, 0.1], eps_mode="efficient")),
    ("linear-random", {"d": 4}, "adam", dict(lr=0.05, eps_mode="inside", eps=1e-6)),
    ("linear-random", {"d": 4, "domain": "linf"}, "adamw", dict(lr=0.05, weight_decay=0.0)),
    ("linear-random", {"d": 4}, "adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("linear-random", {"d": 4}, "adagrad", dict(lr=0.1, eps_mode="inside",
                                                 initial_accumulator_value=0.1)),
    ("linear-random", {"d": 4}, "rmsprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("linear-random", {"d": 4}, "rmsprop", dict(lr=[0.01, 0.02], momentum=[0.0, 0.9])),
    ("linear-random", {"d": 4}, "sgd", dict(lr=InverseSqrt(0.05))),
    ("linear-random", {"d": 4}, "momentum", dict(lr=0.01, dampening=0.1)),
    ("linear-random", {"d": 4}, "nag", dict(lr=0.01)),
    # a scheduled beta1 (Kingma & Ba Thm 4.1: beta1 lambda^(t-1)), both bias corrections
    ("rkk-online", {}, "adam", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.99), 0.99))),
    ("rkk-online", {}, "amsgrad", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.999),
                                                                   0.99),
                                       beta1_correction="power")),
    ("rkk-stochastic", {}, "amsgrad", dict(lr=0.01, betas=(Beta1Decay(0.9, 0.9), 0.999),
                                           amsgrad_mode="reddi")),
    ("linear-random", {"d": 4}, "adam", dict(lr=0.05, betas=(lambda t: 0.9 if t % 2 else 0.5,
                                                             0.999), eps_mode="efficient")),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_oblivious_equals_dense(case):
    pname, pp, oname, hp = CASES[case]
    prob = problems.make(pname, **pp)
    opt = optimizers.make(oname, **hp)
    T = 400
    dense = simulate.run(prob, opt, T, runs=2, seed=3, engine="dense", progress=False)
    fast = simulate.run(prob, opt, T, runs=2, seed=3, progress=False)
    assert fast.metadata["engine"] == "oblivious"
    for a, b in ((fast.theta_final, dense.theta_final), (fast.losses, dense.losses),
                 (fast.regret, dense.regret)):
        assert rel(a, b) <= 1e-12
    assert set(fast.stats) == set(dense.stats)
    for k in fast.stats:
        if k == "gamma_min_eig":
            scale = np.max(np.abs(dense.stats[k]))
            assert np.max(np.abs(fast.stats[k] - dense.stats[k])) <= 1e-10 * scale + 1e-12
        else:
            assert rel(fast.stats[k], dense.stats[k]) <= 1e-11, k


def test_scheduled_beta1_runs_loop_free_and_long():
    """Kingma & Ba's schedule no longer falls back to the step loop (T = 10^5 was ~20 s)."""
    opt = optimizers.make("adam", lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.999), 0.99))
    fast = simulate.run("rkk-online", opt, 100_000, progress=False)
    assert fast.metadata["engine"] == "oblivious"
    import adamlab.numerics.sim.oblivious as ob
    head = simulate.run("rkk-online", opt, 3000, engine="dense", progress=False)
    assert rel(fast.losses[:3000], head.losses) <= 1e-12
    assert ob.oblivious_support(problems.make("rkk-online"), opt, "euclidean",
                                problems.make("rkk-online").sample(3)) is True


def test_chunks_do_not_change_the_result(monkeypatch):
    opt = optimizers.make("adam", lr=InverseSqrt(0.1), betas=(0.9, 0.99))
    one = simulate.run("rkk-online", opt, 5000, progress=False)
    import adamlab.numerics.sim.oblivious as ob
    monkeypatch.setattr(ob, "_CHUNK_ELEMENTS", 777)
    many = simulate.run("rkk-online", opt, 5000, progress=False)
    assert rel(many.theta_final, one.theta_final) <= 1e-13
    for k in one.stats:
        assert rel(many.stats[k], one.stats[k]) <= 1e-12, k


def test_oblivious_batch_equals_each_run_alone_bit_for_bit():
    lrs = [0.01, 0.1, 0.3]
    batch = simulate.run("rkk-stochastic", optimizers.make("adam", lr=lrs), 3000, runs=3,
                         shared=True, progress=False)
    for i, lr in enumerate(lrs):
        alone = simulate.run("rkk-stochastic", optimizers.make("adam", lr=lr), 3000,
                             progress=False)
        assert np.array_equal(batch.losses[:, i], alone.losses[:, 0])
        for k, v in alone.stats.items():
            if v.ndim == 2:
                assert np.array_equal(batch.stats[k][:, i], v[:, 0]), k


def test_reddi_theorem1_adam_does_not_converge_amsgrad_does():
    kw = dict(lr=InverseSqrt(0.5), betas=(0.0, 0.1), eps=0.0)
    T = 21000                                     # whole periods (t = 0 mod 3) compared
    adam = simulate.run("rkk-thm1", optimizers.make("adam", **kw), T, progress=False)
    ams = simulate.run("rkk-thm1", optimizers.make("amsgrad", **kw), T, progress=False)
    # R(t)/t with each prefix's own best point (regret uses the horizon's comparator)
    avg_adam = adam.stats["regret_prefix"][:, 0] / adam.stats["t"]
    avg_ams = ams.stats["regret_prefix"][:, 0] / ams.stats["t"]
    assert avg_adam[-1] == adam.regret[-1, 0] / T
    assert avg_adam[-1] > 0.6 and abs(avg_adam[-1] - avg_adam[T // 2 - 1]) < 0.02
    assert avg_ams[-1] < 0.01 and avg_ams[-1] < avg_ams[T // 10 - 1]
    assert adam.theta_final[0, 0] > 0.9          # Adam sits near x = +1, the worst point
    assert np.mean(adam.stats["gamma_min_eig"][100:] < 0) > 0.3   # Gamma_t not PSD
    assert np.all(ams.stats["gamma_min_eig"][1:] > -1e-12)


def test_the_comparator_sums_the_coefficients_as_the_run_draws_them(monkeypatch):
    """The comparator's S = sum_t a_t is added up as the engine draws the coefficients,
    in the same order as a separate pass: the same bits, and no block drawn twice."""
    from adamlab.numerics.comparator import linear_comparator
    from adamlab.numerics.problems.linear import RandomLinearInstance
    from calls import count_calls
    prob = problems.make("linear-random", d=3)
    T, R = 5000, 2
    inst = prob.sample(T, R, 7)
    want = linear_comparator(inst.domain, inst.coefficient_sum()).total_loss   # own pass
    drawn = count_calls(monkeypatch, RandomLinearInstance, "_gen_block")
    res = simulate.run(prob, optimizers.make("adam", lr=0.01), T, runs=R, seed=7, stats=False,
                       progress=False)
    assert res.metadata["engine"] == "oblivious"
    assert drawn["n"] == R * -(-T // inst.block_len)           # each block once
    assert np.array_equal(res.comparator["total_loss"], want)


def test_compiled_status_says_why(monkeypatch):
    """Which path the loop-free engine takes depends on declared inputs only."""
    from adamlab.numerics.optimizers import kernels
    from adamlab.numerics.sim import oblivious as ob
    box = problems.make("linear-random", d=4).domain
    ball = problems.make("linear-random", d=4, domain="l2").domain
    monkeypatch.setenv(kernels.ENV, "off")
    assert ob.compiled_status(box, 10, 2, 4) == "ADAMLAB_KERNELS=off"
    monkeypatch.setenv(kernels.ENV, "auto")
    if not kernels.numba_available():
        assert "numba is not installed" in ob.compiled_status(box, 10**9, 1, 1)
        return
    assert "would not pay" in ob.compiled_status(box, 10, 2, 4)
    assert ob.compiled_status(box, ob.MIN_COMPILED_ELEMENTS, 1, 1) is None
    assert ob.compiled_status(box, ob.MIN_COMPILED_ELEMENTS - 1, 1, 1) is not None
    assert "is not a box" in ob.compiled_status(ball, 10**9, 1, 1)
    monkeypatch.setenv(kernels.ENV, "always")
    assert ob.compiled_status(box, 10, 2, 4) is None
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="T must be an int >= 1"):
            ob.compiled_status(box, bad, 1, 1)
