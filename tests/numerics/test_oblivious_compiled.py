"""The loop-free engine compiled (numba) against NumPy and against the step loop.

Three references, each independent of the compiled code:

* the NumPy loop-free engine (``ADAMLAB_KERNELS=off``: the scan of
  :mod:`adamlab.numerics.sim.oblivious_steps`, the composed clamp maps, ``einsum`` and
  the vectorized statistics): whole runs agree to 1e-12 relative;
* the dense engine, one optimizer ``update`` per step: where the compiled loop runs the
  optimizer's recorded rule, the iterates and losses are the *same bits* (the recording
  replays the NumPy operations in order, and the per-step values use the same ``math``
  functions as the rule does on Python floats);
* the same runs alone: a batch of runs equals each run alone bit for bit.
"""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.optimizers import kernels
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt
from adamlab.numerics.sim import oblivious

pytest.importorskip("numba")
# numba compiles a loop per optimizer (1-3 s each): the full suite runs these
pytestmark = pytest.mark.slow

FUSED = "compiled (numba): the recorded update rule, fused with the walk"

# (problem, params, optimizer, hyperparameters, runs the fused loop?): one case per path
# of the recording (a compilation each, 1-1.5 s: the suite's budget keeps the list short;
# test_simulate_oblivious.py runs more configurations against the step loop in NumPy)
CASES = [
    ("rkk-online", {}, "adam", dict(lr=InverseSqrt(0.1), betas=(0.9, 0.99)), True),
    ("rkk-online", {}, "amsgrad", dict(lr=InverseSqrt(0.1), betas=(0.9, 0.99)), True),
    ("rkk-stochastic", {}, "amsgrad", dict(lr=0.01, amsgrad_mode="optax"), True),
    ("rkk-stochastic", {}, "amsgrad", dict(lr=0.01, amsgrad_mode="reddi", eps=1e-6), True),
    ("rkk-thm1", {}, "adam", dict(lr=InverseSqrt(0.5), betas=(0.0, 0.1), eps=0.0), True),
    ("linear-random", {"d": 4, "radius": 0.05}, "adam", dict(lr=0.05, eps_mode="inside",
                                                            eps=1e-6), True),
    ("linear-random", {"d": 4, "domain": "linf"}, "adamw", dict(lr=0.05, weight_decay=0.0),
     True),
    ("linear-random", {"d": 4, "radius": 0.05}, "adagrad", dict(lr=1.0, lr_decay=0.01), True),
    ("linear-random", {"d": 4}, "sgd", dict(lr=InverseSqrt(0.05)), True),
    ("linear-random", {"d": 4, "radius": 0.05}, "momentum", dict(lr=0.01, dampening=0.1),
     True),
    # a scheduled beta1 (Kingma & Ba Thm 4.1), both bias corrections
    ("rkk-online", {}, "adam", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.99), 0.99)),
     True),
    ("linear-random", {"d": 4}, "adam", dict(lr=0.05, betas=(lambda t: 0.9 if t % 2 else 0.5,
                                                             0.999), eps_mode="efficient"),
     True),
    # not recordable as one loop: the NumPy scan's steps, walked and recorded compiled
    ("linear-random", {"d": 4}, "adam", dict(lr=[0.01, 0.1], eps_mode="efficient"), False),
    ("linear-random", {"d": 4}, "rmsprop", dict(lr=0.01, centered=True, momentum=0.5), False),
    ("linear-random", {"d": 4}, "adopt", dict(lr=0.01), False),
]


_MADE: dict[int, tuple] = {}


def _case(i):
    """Case i's problem and optimizer, made once (a compiled loop is kept per optimizer
    instance, so that both tests below compile it once)."""
    if i not in _MADE:
        pname, pp, oname, hp, _ = CASES[i]
        _MADE[i] = problems.make(pname, **pp), optimizers.make(oname, **hp)
    return _MADE[i]


def _runs(pname):
    return 1 if pname == "rkk-online" else 2      # (rkk-online has one deterministic run)


def _run(monkeypatch, mode, prob, opt, T, runs, engine="oblivious", chunk=None):
    monkeypatch.setenv(kernels.ENV, mode)
    if chunk is not None:
        monkeypatch.setattr(oblivious, "_CHUNK_ELEMENTS", chunk)
    return simulate.run(prob, opt, T, runs=runs, seed=3, engine=engine, progress=False)


def _close(a, b, tol, what):
    """max |a - b| <= tol max |b| (curves that cross 0 have no pointwise relative error)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert np.array_equal(np.isnan(a), np.isnan(b)), what
    ok = ~np.isnan(b)
    scale = max(float(np.max(np.abs(b[ok]), initial=0.0)), 1e-300)
    err = float(np.max(np.abs(a[ok] - b[ok]), initial=0.0))
    assert err <= tol * scale, f"{what}: {err:.3g} > {tol:g} x {scale:.3g}"


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{c[2]}{i}" for i, c in
                                                          enumerate(CASES)])
def test_compiled_equals_numpy_engine(monkeypatch, case):
    pname, pp, oname, hp, fused = CASES[case]
    prob, opt = _case(case)
    runs = _runs(pname)
    # 7 chunks of 100 steps and one of 10 (d = 4, R = 2): chunk boundaries, first step
    chunk = 100 * runs * prob.d
    ref = _run(monkeypatch, "off", prob, opt, 710, runs, chunk=chunk)
    fast = _run(monkeypatch, "always", prob, opt, 710, runs, chunk=chunk)
    assert ref.metadata["oblivious_step"] == "numpy (ADAMLAB_KERNELS=off)"
    note = fast.metadata["oblivious_step"]
    assert note == FUSED if fused else note.startswith("compiled walk (numba), the rule's")
    for what, a, b in (("theta", fast.theta_final, ref.theta_final),
                       ("losses", fast.losses, ref.losses), ("regret", fast.regret, ref.regret)):
        _close(a, b, 1e-12, what)
    assert set(fast.stats) == set(ref.stats)
    for k in fast.stats:
        _close(fast.stats[k], ref.stats[k], 1e-12, k)
    if "radius" in pp:                      # the box is active: the clip is exercised
        assert np.any(np.abs(fast.theta_final) == pp["radius"])


# the fused cases, less a declared beta1 schedule: it is vectorized with NumPy's exp, an
# ulp away from math's (the NumPy scan does the same; the test above covers them)
BITWISE = [i for i, c in enumerate(CASES)
           if c[4] and not isinstance(c[3].get("betas", (0,))[0], Beta1Decay)]


@pytest.mark.parametrize("case", BITWISE, ids=[f"{CASES[i][2]}{i}" for i in BITWISE])
def test_fused_loop_is_the_step_loop_bit_for_bit(monkeypatch, case):
    pname, pp, oname, hp, _ = CASES[case]
    prob, opt = _case(case)
    runs = _runs(pname)
    dense = _run(monkeypatch, "off", prob, opt, 500, runs, engine="dense")
    fast = _run(monkeypatch, "always", prob, opt, 500, runs)
    assert fast.metadata["oblivious_step"] == FUSED
    assert np.array_equal(fast.theta_final, dense.theta_final)
    if prob.d == 1:                         # (d > 1: the loss sums in another order)
        assert np.array_equal(fast.losses, dense.losses)
        for k in ("G", "D", "sum_vhat_sqrt"):     # (d = 1: the same sums in the same order)
            if k in dense.stats:
                assert np.array_equal(fast.stats[k], dense.stats[k]), k
    else:
        _close(fast.losses, dense.losses, 1e-14, "losses")


def test_batch_equals_each_run_alone_bit_for_bit(monkeypatch):
    monkeypatch.setenv(kernels.ENV, "always")
    prob = problems.make("linear-random", d=5, radius=0.1)
    opt = optimizers.make("adam", lr=InverseSqrt(0.05), betas=(Beta1Decay(0.9, 0.99), 0.999))
    batch = simulate.run(prob, opt, 900, runs=3, seed=[4, 5, 6], progress=False)
    assert batch.metadata["oblivious_step"] == FUSED
    for i, seed in enumerate((4, 5, 6)):
        alone = simulate.run(prob, opt, 900, runs=1, seed=[seed], progress=False)
        assert np.array_equal(batch.losses[:, i], alone.losses[:, 0])
        assert np.array_equal(batch.theta_final[i], alone.theta_final[0])
        for k, v in alone.stats.items():
            if v.ndim == 2:
                assert np.array_equal(batch.stats[k][:, i], v[:, 0]), k


def test_a_guard_that_changes_mid_run_records_the_step_again(monkeypatch):
    """SGD with momentum branches on ``step == 0`` (a guard of the recording).  Started
    at step 1, the loop stops at step 2, where the guard changes, records the step there
    and goes on: the same bits as the step loop."""
    from adamlab.numerics.sim.compiled import fused
    prob = problems.make("linear-random", d=3, radius=0.2)
    opt = optimizers.make("sgd", lr=0.05, momentum=0.5)
    dense = _run(monkeypatch, "off", prob, opt, 300, 2, engine="dense")
    a = prob.sample(300, 2, 3).linear_coefficients(0, 300)
    theta = np.zeros((2, 3))
    assert np.array_equal(theta, simulate.run(prob, opt, 1, runs=2, seed=3, engine="dense",
                                              record_iterates=True,
                                              progress=False).iterates[0])
    loop = fused.Fused(opt, opt.init(theta), theta, np.full(3, -0.2), np.full(3, 0.2), False)
    first = loop.current
    assert first.prog.guards                             # step == 0, recorded True
    losses = np.empty((300, 2))
    loop.chunk(0, a, losses, False, np.zeros((3, 2)), np.zeros((4, 2, 3)),
               np.zeros((1, 1, 1)))
    assert loop.current is not first                     # recorded again at step 2
    assert loop.state.step == 300
    assert np.array_equal(theta, dense.theta_final)
    _close(losses, dense.losses, 1e-14, "losses")


def test_a_program_recorded_at_d1_is_not_reused_at_other_d(monkeypatch):
    """At d = 1 an (R, d) field has the shape of a per-run one; the recording reads which
    fields are elementwise from the optimizer's state at d = 2, so a program recorded on a
    d = 1 run holds for the same optimizer at d = 3 (it raised a broadcasting error)."""
    monkeypatch.setenv(kernels.ENV, "always")
    opt = optimizers.make("adam", lr=InverseSqrt(0.1), betas=(0.9, 0.99))
    simulate.run("rkk-online", opt, 200, engine="dense", progress=False)
    p = np.zeros((2, 3))
    s = opt.init(p)
    g = np.array([[1.0, -2.0, 0.5], [0.1, 0.2, -0.3]])
    fast_p, fast_s = opt.update(g, s, p)
    monkeypatch.setenv(kernels.ENV, "off")
    ref_p, ref_s = opt.update(g, s, p)
    assert np.array_equal(fast_p, ref_p) and np.array_equal(fast_s.v, ref_s.v)


def test_interrupted_compiled_run_keeps_a_consistent_iterate(monkeypatch):
    """A stop between chunks: theta_final is the iterate after the last step done."""
    monkeypatch.setenv(kernels.ENV, "always")
    monkeypatch.setattr(oblivious, "_CHUNK_ELEMENTS", 100)
    prob = problems.make("linear-random", d=4, radius=0.3)
    opt = optimizers.make("adam", lr=0.02)
    full = simulate.run(prob, opt, 300, runs=1, seed=1, progress=False)
    calls = {"n": 0}
    owner = type(prob.sample(300, 1, 1))
    real = owner.linear_coefficients

    def stop_after_two(self, t0, t1):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, t0, t1)
    monkeypatch.setattr(owner, "linear_coefficients", stop_after_two)
    part = simulate.run(prob, opt, 300, runs=1, seed=1, progress=False)
    done = part.metadata["steps_done"]
    assert done == 50 and not part.metadata["complete"]
    assert np.array_equal(part.losses[:done], full.losses[:done])
    assert np.all(np.isnan(part.losses[done:]))
    # theta_{done+1}: the run of exactly `done` steps ends there
    short = simulate.run(prob, opt, done, runs=1, seed=1, progress=False)
    assert np.array_equal(part.theta_final, short.theta_final)
