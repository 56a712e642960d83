"""The compiled step (optimizers.kernels) against the NumPy step it is recorded from.

The reference is the optimizer's own NumPy ``step_rule``; the kernel is generated from a
*recording* of that rule (optimizers.trace), so these tests check that recording, the
code generated from it and its compilation: every configuration below must give the
NumPy step's results bit for bit over several steps (zeros, sign changes, the first
step's special cases), through the generated code run as plain Python (always) and
compiled by numba (when the [fast] extra is installed).
"""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, simulate
from adamlab.numerics.optimizers import Resolved, kernels, schedules, trace

CONFIGS = [
    ("adam", {}), ("amsgrad", {}), ("adamw", {}),
    ("adam", dict(eps_mode="efficient")), ("adam", dict(eps_mode="inside", eps=1e-6)),
    ("adam", dict(eps=0.0)), ("adam", dict(weight_decay=0.1)),
    ("adam", dict(eps_mode="max", eps=1e-3)), ("adam", dict(eps_mode="root_square", eps=1e-3)),
    ("amsgrad", dict(amsgrad_mode="optax")), ("amsgrad", dict(amsgrad_mode="reddi")),
    ("adamw", dict(decay_scaled_by_lr=False)),
    ("adam", dict(lr=schedules.InverseSqrt(0.1))),
    ("adam", dict(betas=(schedules.Beta1Decay(0.9, 0.9), 0.999))),
    ("adam", dict(betas=(schedules.Beta1Decay(0.9, 0.9), 0.999), beta1_correction="power")),
    ("sgd", {}), ("sgd", dict(weight_decay=0.1)), ("momentum", {}), ("nag", {}),
    ("momentum", dict(dampening=0.3, weight_decay=0.1)),
    ("adagrad", {}), ("adagrad", dict(eps_mode="inside")),
    ("adagrad", dict(lr_decay=0.1, weight_decay=0.2, initial_accumulator_value=0.5)),
]
IDS = [f"{n}{hp}" for n, hp in CONFIGS]


def _grads(rng, shape, steps):
    gs = [rng.standard_normal(shape) for _ in range(steps)]
    gs[0][0, 0] = 0.0          # a coordinate that has seen only zero gradients (0/0 := 0)
    gs[1][:, 1] = 0.0
    gs[2][1] *= -1e3           # a sign change and a scale jump
    return gs


def _both(monkeypatch, name, hp, backend, steps=6, shape=(2, 7)):
    """Run the NumPy step (``step_arrays`` with kernels off) and the kernel side by side;
    return both trajectories."""
    monkeypatch.setenv(kernels.ENV, "off")
    rng = np.random.default_rng(7)
    opt = optimizers.make(name, **hp)
    p0 = rng.standard_normal(shape)
    a = (p0, opt.init(p0))
    b = (p0.copy(), opt.init(p0))
    out = []
    for g in _grads(rng, shape, steps):
        ha = Resolved(opt, a[1].step + 1, shape[0], np.dtype(np.float64))
        hb = Resolved(opt, b[1].step + 1, shape[0], np.dtype(np.float64))
        a = opt.step_arrays(g, a[0], a[1], ha)
        b = kernels.compiled_step(opt, g, b[0], b[1], hb, force=True, backend=backend)
        out.append((a, b))
    return out


def _assert_same(pairs):
    for t, ((pa, sa), (pb, sb)) in enumerate(pairs, start=1):
        assert np.array_equal(pa, pb), f"params differ at step {t}"
        assert type(sa) is type(sb)
        for f, x, y in zip(sa._fields, sa, sb):
            assert np.array_equal(np.asarray(x), np.asarray(y)), f"{f} differs at step {t}"


@pytest.mark.parametrize("name, hp", CONFIGS, ids=IDS)
def test_generated_code_equals_the_numpy_step_bit_for_bit(monkeypatch, name, hp):
    _assert_same(_both(monkeypatch, name, hp, "python"))


EVERYDAY = ("adam{}", "momentum{}", "adagrad{'eps_mode': 'inside'}")


@pytest.mark.parametrize("name, hp", [pytest.param(n, hp, id=i, marks=() if i in EVERYDAY
                                                   else pytest.mark.slow)
                                      for (n, hp), i in zip(CONFIGS, IDS)])
def test_numba_kernel_equals_the_numpy_step_bit_for_bit(monkeypatch, name, hp):
    pytest.importorskip("numba")
    _assert_same(_both(monkeypatch, name, hp, "numba", shape=(3, 40)))


def test_every_declared_optimizer_records_at_its_defaults():
    declared = [n for n in optimizers.names() if optimizers.get(n).caps.kernel]
    assert {"adam", "amsgrad", "adamw", "sgd", "momentum", "nag", "adagrad"} <= set(declared)
    for n in declared:
        opt = optimizers.make(n)
        p = np.ones((2, 3))
        prog = trace.trace(opt, opt.init(p), Resolved(opt, 1, 2, p.dtype))
        assert prog.p_out.elementwise


def test_sgd_momentum_records_one_program_per_branch(monkeypatch):
    """torch's first momentum buffer is the gradient itself (a branch on the step): the
    program of step 1 does not hold at step 2, and a second one is recorded."""
    _assert_same(_both(monkeypatch, "momentum", {}, "python", steps=3))
    opt = optimizers.make("momentum")
    p = np.ones((1, 2))
    s0 = opt.init(p)
    prog = trace.trace(opt, s0, Resolved(opt, 1, 1, p.dtype))
    assert prog.guards
    s1 = opt.update(np.ones((1, 2)), s0, p)[1]
    vals = prog.scalars(trace.leaf_values(prog, s1, Resolved(opt, 2, 1, p.dtype)))
    assert not prog.holds(vals)


def test_what_cannot_be_recorded_keeps_the_numpy_step():
    opt = optimizers.make("adam", lr=[1e-3, 1e-2])         # one value per run
    p = np.ones((2, 3))
    with pytest.raises(trace.TraceError, match="one value per run"):
        trace.trace(opt, opt.init(p), Resolved(opt, 1, 2, p.dtype))
    assert "does not declare" in kernels.status(optimizers.make("radam"))
    # and update() still works, through NumPy
    new_p, _ = opt.update(np.ones((2, 3)), opt.init(p), p)
    assert np.allclose(new_p[:, 0], [1 - 1e-3, 1 - 1e-2])


def test_status_names_the_reason(monkeypatch):
    opt = optimizers.make("adam")
    monkeypatch.setenv(kernels.ENV, "off")
    assert kernels.status(opt) == f"{kernels.ENV}=off"
    monkeypatch.setenv(kernels.ENV, "sometimes")
    with pytest.raises(ValueError, match="off, auto or always"):
        kernels.mode()
    monkeypatch.setenv(kernels.ENV, "auto")
    if kernels.numba_available():
        assert "fewer than" in kernels.status(opt, size=10)
        assert kernels.status(opt, size=kernels.MIN_ELEMENTS) is None
        assert "would not pay" in kernels.status(opt, size=300, repeats=1000)
        assert kernels.status(opt, size=300, repeats=10**5) is None   # an engine's long run
    else:
        assert "numba is not installed" in kernels.status(opt)


@pytest.mark.parametrize("mode", ["off", "always"])
def test_update_inplace_equals_update(monkeypatch, mode):
    if mode == "always":
        pytest.importorskip("numba")
    monkeypatch.setenv(kernels.ENV, mode)
    rng = np.random.default_rng(3)
    for name in ("adam", "momentum"):
        opt = optimizers.make(name)
        p = rng.standard_normal(6)
        s = opt.init(p)
        q, sq = p.copy(), opt.init(p)
        ids = [id(v) for v in sq if isinstance(v, np.ndarray) and v.shape == (1, 6)]
        for _ in range(3):
            g = rng.standard_normal(6)
            p, s = opt.update(g, s, p)
            q2, sq = opt.update(g, sq, q, inplace=True)
            assert q2 is q
            assert np.array_equal(p, q)
            for x, y in zip(s, sq):
                assert np.array_equal(np.asarray(x), np.asarray(y))
        assert ids == [id(v) for v in sq if isinstance(v, np.ndarray) and v.shape == (1, 6)]


def test_update_inplace_refuses_what_it_cannot_write():
    opt = optimizers.make("adam")
    p = np.ones((2, 6))[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous"):
        opt.update(np.ones((2, 3)), opt.init(p), p, inplace=True)
    with pytest.raises(TypeError, match="inplace must be True or False"):
        opt.update(np.ones((2, 3)), opt.init(np.ones((2, 3))), np.ones((2, 3)), inplace=1)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_non_finite_inputs_and_results_raise_the_numpy_errors(monkeypatch, backend):
    if backend == "numba":
        pytest.importorskip("numba")
        monkeypatch.setenv(kernels.ENV, "always")
    else:
        monkeypatch.setenv(kernels.ENV, "off")
    opt = optimizers.make("adam")
    p = np.ones((1, 4))
    s = opt.init(p)
    g = np.ones((1, 4))
    g[0, 2] = np.nan
    with pytest.raises(ValueError, match="grads must be finite"):
        opt.update(g, s, p)
    with pytest.raises(ValueError, match="params must be finite"):
        opt.update(np.ones((1, 4)), s, np.full((1, 4), np.inf))
    with pytest.raises(ValueError, match="became non-finite"):
        opt.update(np.full((1, 4), 1e200), s, p)        # g**2 overflows
    if backend == "numba":       # in place, the kernel finds it while writing, and says so
        with pytest.raises(ValueError, match="params and state now hold that step"):
            opt.update(np.full((1, 4), 1e200), opt.init(p), p.copy(), inplace=True)
    else:                        # the NumPy path checks before it writes
        q = p.copy()
        with pytest.raises(ValueError, match="became non-finite"):
            opt.update(np.full((1, 4), 1e200), opt.init(p), q, inplace=True)
        assert np.array_equal(q, p)
    # the kernel alone reports the overflow by returning None
    h = Resolved(opt, 1, 1, p.dtype)
    assert kernels.compiled_step(opt, np.full((1, 4), 1e200), p, s, h, force=True,
                                 backend=backend) is None


def test_a_dense_run_is_the_same_with_and_without_kernels(monkeypatch):
    pytest.importorskip("numba")
    runs = {}
    for mode in ("off", "always"):
        monkeypatch.setenv(kernels.ENV, mode)
        runs[mode] = simulate.run("quadratic", "adam", 60, runs=2, seed=5, engine="dense",
                                  progress=False)
    assert np.array_equal(runs["off"].theta_final, runs["always"].theta_final)
    assert np.array_equal(runs["off"].losses, runs["always"].losses)


def test_kernel_capability_is_validated():
    from adamlab.numerics.optimizers.adam import Adam
    with pytest.raises(TypeError, match="kernel must be True or False"):
        optimizers.register("adam-kernel-test", Adam, summary="s", source="s", kernel="yes")


def test_a_state_field_the_new_parameters_do_not_use_is_still_computed(monkeypatch):
    """A rule whose state keeps something the step does not read (here a running sum of
    the gradients) is compiled with that field too, equal to the NumPy step."""
    from typing import NamedTuple

    from adamlab.numerics.optimizers import Optimizer, HParam

    class S(NamedTuple):
        step: int
        total: np.ndarray

    class Summing(Optimizer):
        hparams = (HParam("lr", "positive", "step size"),)
        defaults = dict(lr=0.1)
        State = S

        def init_state(self, p):
            return S(0, np.zeros_like(p))

        def step_rule(self, g, p, s, h):
            return p - h["lr"] * g, S(s.step + 1, s.total + g)

    optimizers.register("summing-test", Summing, summary="s", source="s", kernel=True)
    try:
        _assert_same(_both(monkeypatch, "summing-test", {}, "python", steps=3))
    finally:
        optimizers.unregister("summing-test")


def test_the_loop_reads_only_what_the_step_uses():
    """Adam without AMSGrad passes vmax through unchanged: the loop neither reads nor
    writes it (at d = 10^7 that is 80 MB less memory traffic per step)."""
    opt = optimizers.make("adam")
    p = np.ones((1, 3))
    prog = trace.trace(opt, opt.init(p), Resolved(opt, 1, 1, p.dtype))
    _, arrays, _, outs = kernels.source(prog)
    assert arrays == ["g", "p", "state:m", "state:v"] and outs == ["p", "m", "v"]
    _, arrays, _, outs = kernels.source(prog, inplace=True)
    assert outs == []                    # all three written into their own input arrays
