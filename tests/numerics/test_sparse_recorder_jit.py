"""The compiled recorder of the lazy sparse engine equals SparseRecorder (NumPy) to rounding.

The inputs are the real engine's: a run of the sparse engine is recorded (every
constructor and ``step`` argument, copied) and replayed into both recorders; a synthetic
sequence adds what the engine's problems do not reach (supports of varying size, so the
kept keys must be rebuilt; an empty support; a full one; a nonzero initial state).
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

pytest.importorskip("numba")
# numba compiles these kernels once per process (3-7 s): the full suite runs them, the
# everyday loop does not
pytestmark = pytest.mark.slow

from adamlab.numerics import optimizers, problems, simulate  # noqa: E402
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt  # noqa: E402
from adamlab.numerics.sim import sparse_engine  # noqa: E402
from adamlab.numerics.sim.compiled.recorder import CompiledRecorder  # noqa: E402
from adamlab.numerics.sim.sparse_stats import SparseRecorder  # noqa: E402

REL = 1e-12


def _record(prob, opt, T, runs):
    """(constructor arguments, [step arguments]) of SparseRecorder in a sparse run."""
    calls = {}

    class Recording(SparseRecorder):
        def __init__(self, T, x0, vinfo, bounded_drift):
            calls["init"] = (T, x0.copy(), copy.deepcopy(vinfo), bounded_drift)
            calls["steps"] = []
            super().__init__(T, x0, vinfo, bounded_drift)

        def step(self, *args):
            calls["steps"].append(copy.deepcopy(args))
            super().step(*args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sparse_engine, "SparseRecorder", Recording)
        mp.setenv("ADAMLAB_KERNELS", "off")       # no optimizer kernels to compile here
        res = simulate.run(prob, opt, T, runs, seed=0, engine="sparse", progress=False)
    assert res.metadata["engine"] == "sparse"
    return calls["init"], calls["steps"]


def _assert_same(init, steps):
    """Replay into both recorders; every statistic equal to rounding, NaN where NaN."""
    ref, jit = SparseRecorder(*copy.deepcopy(init)), CompiledRecorder(*copy.deepcopy(init))
    for args in steps:
        ref.step(*args)
        jit.step(*args)
    assert set(jit.out) == set(ref.out)
    for name, want in ref.out.items():
        got = jit.out[name]
        assert got.shape == want.shape and got.dtype == want.dtype, name
        assert np.array_equal(np.isnan(got), np.isnan(want)), name
        differ = ~np.isnan(want) & (got != want)          # equal infinities are equal
        assert np.all(np.abs(got[differ] - want[differ]) <= REL * np.abs(want[differ])), \
            (name, np.max(np.abs(got[differ] - want[differ]) / np.abs(want[differ])))
    return ref


CASES = [
    ("adam", dict(lr=InverseSqrt(0.1))),
    ("adam", dict(lr=[0.1, 0.02, 0.3], betas=(0.9, 0.99))),     # per-run rates
    ("amsgrad", dict(lr=InverseSqrt(0.1), amsgrad_mode="reddi")),
    ("amsgrad", dict(lr=0.05, amsgrad_mode="torch")),
    ("amsgrad", dict(lr=InverseSqrt(0.1), amsgrad_mode="optax")),
    ("adagrad", dict(lr=0.1)),
    ("sgd", dict(lr=0.05, momentum=0.9)),                       # no second moment
    ("adam", dict(lr=0.05, betas=(0.0, 0.999))),                # no drift
    ("adam", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.99), 0.999))),
    ("rmsprop", dict(lr=0.02, momentum=0.5)),
    ("rmsprop", dict(lr=InverseSqrt(0.02))),
]


NO_DRIFT = {5, 7, 10}          # AdaGrad, beta1 = 0, RMSprop without momentum
FULL_PASS = {2, 4}             # AMSGrad's vhat = vmax, rates 1/sqrt(t): kappa_t > 0


def _kappa(vinfo):
    """kappa_t (t = 1..T in columns 0..T-1; column 0 unused), by its definition."""
    s, a = np.asarray(vinfo["scale"]), np.asarray(vinfo["alpha"])
    k = np.full(s[:, 1:].shape, np.nan)
    k[:, 1:] = (np.sqrt(np.asarray(vinfo["decay"])[:, None] * s[:, 2:]) / a[:, 2:] -
                np.sqrt(s[:, 1:-1]) / a[:, 1:-1])
    return k


@pytest.mark.parametrize("case", range(len(CASES)))
def test_compiled_recorder_equals_numpy_on_a_small_problem(case):
    """d = 30: every coordinate is touched early, so the O(d) pass of the untouched
    part of gamma_min_eig runs (when kappa_t > 0: the 1/sqrt(t) rates)."""
    name, hp = CASES[case]
    prob = problems.make("logistic-sparse", d=30, density=0.3, radius=0.5)
    init, steps = _record(prob, optimizers.make(name, **hp), 120, 3)
    assert init[3] == (case not in NO_DRIFT)
    seen = np.unique(np.concatenate([s[1].ravel() for s in steps[:60]]))
    assert seen.size == 3 * 30                     # every coordinate of every run touched
    if case in FULL_PASS:                          # ... and kappa_t > 0 after that
        assert np.any(_kappa(init[2])[:, 60:] > 0)
    _assert_same(init, steps)


@pytest.mark.parametrize("case", [0, 3, 6, 8])
def test_compiled_recorder_equals_numpy_on_a_large_problem(case):
    """d = 2000, k = 40: most coordinates are never touched."""
    name, hp = CASES[case]
    prob = problems.make("logistic-sparse", d=2000, density=0.02, radius=0.5)
    init, steps = _record(prob, optimizers.make(name, **hp), 100, 2)
    assert steps[0][1].shape == (2, 40)
    _assert_same(init, steps)


def _synthetic(T, R, d, sizes, state0, seed):
    """Adam-like (v_t = b2 v_{t-1} + (1 - b2) g^2, kept lazily) steps with supports of the
    given sizes: a consistent sequence, so a touch never lowers a key."""
    rng = np.random.default_rng(seed)
    b2 = np.array([0.99, 0.9])[:R]
    steps_ = np.arange(T + 1, dtype=np.float64)
    with np.errstate(divide="ignore"):
        scale = 1.0 / -np.expm1(steps_[None, :] * np.log(b2)[:, None])
    alpha = 0.1 / np.sqrt(np.maximum(steps_, 1.0)) * np.ones((R, 1))
    vinfo = dict(decay=b2, scale=scale, alpha=alpha, beta1=np.full(R, 0.9),
                 state=np.full((R, d), state0))
    theta = rng.normal(size=(R, d))
    v, last = np.full((R, d), state0), np.zeros((R, d), dtype=np.int64)
    rows = np.arange(R)[:, None]
    out = []
    for t, k in enumerate(sizes, start=1):
        idx = np.stack([np.sort(rng.choice(d, k, replace=False)) for _ in range(R)])
        old = v[rows, idx] * b2[:, None] ** (t - 1 - last[rows, idx])
        g = rng.normal(size=(R, k))
        new = b2[:, None] * old + (1 - b2[:, None]) * g * g
        th = theta[rows, idx]
        nxt = th - 0.1 * g
        reach = nxt - 0.05 * np.sign(g) if t % 3 else None
        v[rows, idx], last[rows, idx], theta[rows, idx] = new, t, nxt
        out.append((t, idx + rows * d, g, th, nxt, reach, old, new))
    return (T, theta * 0, vinfo, True), out


@pytest.mark.parametrize("state0", [0.0, 0.3])
def test_compiled_recorder_rebuilds_the_kept_keys_like_numpy(monkeypatch, state0):
    """Supports of 2, then of 25 (more than the 20 kept keys: rebuilt from all keys), an
    empty one and a full one (nothing untouched)."""
    sizes = [2] * 30 + [25, 3, 0, 40, 2, 25] + [4] * 24
    init, steps = _synthetic(len(sizes), 2, 40, sizes, state0, seed=1)
    rebuilds = []
    rebuild = SparseRecorder._rebuild_top
    monkeypatch.setattr(SparseRecorder, "_rebuild_top",
                        lambda self, M: rebuilds.append(M) or rebuild(self, M))
    _assert_same(init, steps)
    assert rebuilds                                # the path was taken
