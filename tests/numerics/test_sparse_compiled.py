"""The lazy sparse engine's compiled step (numba) against its NumPy step, whole runs.

The reference is the NumPy engine (``ADAMLAB_KERNELS=off``); the compiled one
(``ADAMLAB_KERNELS=always``) must give the same losses, regret, final iterate and every
statistic to 1e-12 relative (the C library's exp/log against NumPy's SIMD ones: a few ulps
per step), on runs that exercise the drift (long and short gaps, several tables), the box
(a small radius, so the clip is active), the statistics' reach and untouched-coordinate
parts, and the families without drift.  The dense engine is checked against the NumPy
sparse engine in test_sparse.py, so this closes the triangle.
"""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import domains, optimizers, problems, simulate
from adamlab.numerics.optimizers import kernels
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt
from adamlab.numerics.sim import sparse_engine

pytest.importorskip("numba")
# numba compiles these kernels once per process (3-7 s): the full suite runs them, the
# everyday loop does not
pytestmark = pytest.mark.slow

CASES = [
    ("adam", dict(lr=InverseSqrt(0.1))),
    ("adam", dict(lr=InverseSqrt(0.1), eps=1e-8, eps_mode="efficient")),
    ("adam", dict(lr=InverseSqrt(0.05), betas=(0.99, 0.999))),      # slow: term by term
    ("adam", dict(lr=0.05, betas=(0.0, 0.99))),                     # no drift
    ("adam", dict(lr=[0.01, 0.1], betas=(np.array([0.9, 0.5]), 0.999))),   # two tables
    ("adam", dict(lr=0.02, eps=0.0)),
    # Kingma & Ba Thm 4.1's beta1_t = beta1 lambda^(t-1) (the regret experiment's default)
    ("adam", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.99), 0.999))),
    ("adam", dict(lr=0.05, betas=(Beta1Decay(0.9, 0.999), 0.99), eps=0.0,
                  beta1_correction="power")),
    ("amsgrad", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.9), 0.999),
                     amsgrad_mode="reddi", eps=1e-6)),
    ("amsgrad", dict(lr=InverseSqrt(0.1))),
    ("amsgrad", dict(lr=InverseSqrt(0.1), amsgrad_mode="optax")),
    ("amsgrad", dict(lr=InverseSqrt(0.1), amsgrad_mode="reddi", eps=1e-6)),
    ("adagrad", dict(lr=0.1)),
    ("rmsprop", dict(lr=InverseSqrt(0.02), momentum=0.9)),
    ("sgd", dict(lr=InverseSqrt(0.5))),
    ("nag", dict(lr=0.05)),
    ("sgd", dict(lr=[0.2, 0.05], momentum=np.array([0.0, 0.8]))),
]


def rel(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    ok = ~np.isnan(a)
    scale = np.maximum(np.abs(b[ok]), 1e-300)
    return float(np.max(np.abs(a[ok] - b[ok]) / scale, initial=0.0))


def _run(monkeypatch, mode, prob, opt, T, runs=2, seed=3):
    """``mode`` "off" (NumPy) or "fast": the compiled sparse step at any T, while the
    optimizer's own step stays as ``auto`` picks it (NumPy on these small arrays), so
    that only the sparse engine's kernels differ (and compile once per process)."""
    if mode == "fast":
        monkeypatch.setattr(sparse_engine, "MIN_COMPILED_STEPS", 1)
        mode = "auto"
    monkeypatch.setenv(kernels.ENV, mode)
    return simulate.run(prob, opt, T, runs=runs, seed=seed, engine="sparse", progress=False)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{n}{i}" for i, (n, _) in
                                                          enumerate(CASES)])
def test_compiled_step_equals_numpy_step(monkeypatch, case):
    name, hp = CASES[case]
    # d = 150 words, 6 per document: most gaps are long; radius 0.05 keeps the box active
    prob = problems.make("logistic-sparse", d=150, density=0.04, radius=0.05)
    opt = optimizers.make(name, **hp)
    ref = _run(monkeypatch, "off", prob, opt, 300)
    fast = _run(monkeypatch, "fast", prob, opt, 300)
    assert ref.metadata["sparse_step"].startswith("numpy (")
    assert fast.metadata["sparse_step"] == "compiled (numba)"
    assert np.mean(np.abs(ref.theta_final) == 0.05) > 0.1        # the clip is exercised
    for a, b in ((fast.losses, ref.losses), (fast.regret, ref.regret),
                 (fast.theta_final, ref.theta_final)):
        assert rel(a, b) <= 1e-12
    assert sorted(fast.stats) == sorted(ref.stats)
    for key in ref.stats:
        assert rel(fast.stats[key], ref.stats[key]) <= 1e-12, key


def test_compiled_step_with_every_coordinate_touched(monkeypatch):
    """d = 12 and 6 words per step: every coordinate is touched early, so the statistics'
    untouched minimum takes its O(d) pass; unconstrained-sized box (radius 100)."""
    prob = problems.make("logistic-sparse", d=12, density=0.5, radius=100.0)
    opt = optimizers.make("adam", lr=0.05)
    ref = _run(monkeypatch, "off", prob, opt, 300, runs=3)
    fast = _run(monkeypatch, "fast", prob, opt, 300, runs=3)
    for key in ref.stats:
        assert rel(fast.stats[key], ref.stats[key]) <= 1e-12, key
    assert rel(fast.theta_final, ref.theta_final) <= 1e-12


def test_when_the_compiled_step_runs(monkeypatch):
    box = problems.make("logistic-sparse", d=50).domain
    adam = optimizers.make("adam")
    monkeypatch.setenv(kernels.ENV, "auto")
    assert sparse_engine.compiled_status(adam, box, sparse_engine.MIN_COMPILED_STEPS) is None
    short = sparse_engine.compiled_status(adam, box, 100)
    assert "would not pay" in short
    monkeypatch.setenv(kernels.ENV, "always")
    assert sparse_engine.compiled_status(adam, box, 100) is None
    ball = domains.L2Ball(1.0, d=50)
    assert "not a box" in sparse_engine.compiled_status(adam, ball, 10**5)
    monkeypatch.setenv(kernels.ENV, "off")
    assert sparse_engine.compiled_status(adam, box, 10**5) == f"{kernels.ENV}=off"
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="T must be an int >= 1"):
            sparse_engine.compiled_status(adam, box, bad)


def test_the_choice_is_recorded_and_deterministic(monkeypatch):
    """Below the step count that pays, auto stays on NumPy and says why; two compiled
    runs give the same bits."""
    prob = problems.make("logistic-sparse", d=60, density=0.05)
    res = _run(monkeypatch, "auto", prob, optimizers.make("adam", lr=0.05), 50)
    assert "would not pay" in res.metadata["sparse_step"]
    opt = optimizers.make("amsgrad", lr=0.05)
    a = _run(monkeypatch, "fast", prob, opt, 120)
    b = _run(monkeypatch, "fast", prob, opt, 120)
    assert np.array_equal(a.losses, b.losses) and np.array_equal(a.theta_final, b.theta_final)
