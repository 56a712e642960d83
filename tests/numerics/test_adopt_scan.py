"""ADOPT's loop-free scan (oblivious linear losses) equals its own step loop."""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.domains import Box
from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.numerics.sim import oblivious
from adamlab.numerics.sim.dense import run_dense
from adamlab.numerics.sim.oblivious import run_oblivious


def _both(prob, opt, T=300, runs=2, seed=5):
    dense = simulate.run(prob, opt, T, runs=runs, seed=seed, engine="dense", progress=False)
    fast = simulate.run(prob, opt, T, runs=runs, seed=seed, progress=False)
    return dense, fast


@pytest.mark.parametrize("hyper", [
    dict(lr=InverseSqrt(0.5), betas=(0.9, 0.5), clip=True),
    dict(lr=InverseSqrt(0.5), betas=(0.9, 0.5), clip=False),
    dict(lr=0.05, betas=(0.0, 0.99), eps=1e-3, clip=True),
    dict(lr=[0.01, 0.2], betas=(0.9, 0.999), clip=False),
])
@pytest.mark.parametrize("problem", ["rkk-stochastic", "linear-random"])
def test_scan_equals_the_step_loop(problem, hyper):
    prob = problems.make(problem, **({"d": 3} if problem == "linear-random" else {}))
    dense, fast = _both(prob, optimizers.make("adopt", **hyper))
    assert fast.metadata["engine"] == "oblivious" and dense.metadata["engine"] == "dense"
    np.testing.assert_allclose(fast.losses, dense.losses, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fast.theta_final, dense.theta_final, rtol=1e-12, atol=1e-14)


def test_chunk_boundaries_do_not_change_the_run(monkeypatch):
    """The first call (v_0 = g_0^2, no move) and the state across chunks of 7 steps."""
    prob = problems.make("rkk-thm1", C=10.0, period=5)
    opt = optimizers.make("adopt", lr=InverseSqrt(0.3), betas=(0.8, 0.9), clip=True)
    whole = simulate.run(prob, opt, 100, runs=1, seed=0, progress=False)
    monkeypatch.setattr(oblivious, "_CHUNK_ELEMENTS", 7)
    chunked = simulate.run(prob, opt, 100, runs=1, seed=0, progress=False)
    assert chunked.metadata["engine"] == whole.metadata["engine"] == "oblivious"
    np.testing.assert_allclose(chunked.losses, whole.losses, rtol=1e-13)


def test_zero_floor_follows_the_step():
    """eps = 0 after zero gradients: the clip maps g/0 to +-c_s in both engines; without
    the clip the step is infinite and both engines refuse it."""
    a = np.zeros((6, 1, 3))
    a[2:, 0, 0] = [1.0, -2.0, 0.5, 3.0]                 # zero gradients first (t = 1, 2)

    class Game:
        T, runs, d = 6, 1, 3
        domain = Box(-1.0, 1.0, d=3)

        def loss_and_grad(self, t, theta):
            return np.einsum("rd,rd->r", a[t - 1], theta), a[t - 1].copy()

        def linear_coefficients(self, t0, t1):
            return a[t0:t1]

    class Bar:
        def set(self, n):
            pass

        update = set

    cfg = {"stats": False, "projection": "euclidean", "record_iterates": False, "stop": None}
    theta0 = np.zeros((1, 3))
    clipped = optimizers.make("adopt", lr=0.1, eps=0.0, clip=True)
    ref = run_dense(Game(), clipped, theta0, 6, dict(cfg), Bar())
    got = run_oblivious(Game(), clipped, theta0, 6, dict(cfg), Bar())
    np.testing.assert_allclose(got.theta_final, ref.theta_final, rtol=1e-14)
    assert np.all(np.isfinite(got.theta_final))
    bare = optimizers.make("adopt", lr=0.1, eps=0.0, clip=False)
    for run in (run_dense, run_oblivious):
        with pytest.raises(ValueError, match="infinite"):
            run(Game(), bare, theta0, 6, dict(cfg), Bar())


def test_weight_decay_runs_on_the_step_loop():
    prob = problems.make("rkk-stochastic")
    opt = optimizers.make("adopt", lr=0.01, weight_decay=0.1)
    res = simulate.run(prob, opt, 50, runs=1, seed=0, progress=False)
    assert res.metadata["engine"] == "dense"
