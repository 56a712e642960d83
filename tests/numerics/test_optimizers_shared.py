"""Registry-wide metamorphic tests: every registered optimizer passes each one.

Relations, not values: a batch equals its runs alone, per-run
hyperparameters equal separate runs, float32 tracks float64, inputs are never
mutated, the same inputs give the same bits, and the special cases that must
coincide (AdamW without decay is Adam; AMSGrad is Adam while v grows).
"""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers
from optim_util import all_names, random_grads, trajectory

NAMES = all_names()

# The methods the issue names; the registry must hold at least these.
REQUIRED = {"sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "adamax",
            "amsgrad", "adamw", "nadam", "radam", "adabound", "adamp", "lookahead"}


def test_registry_holds_the_whole_family():
    assert REQUIRED <= set(NAMES), sorted(REQUIRED - set(NAMES))


@pytest.mark.parametrize("name", NAMES)
def test_entry_metadata(name):
    entry = optimizers.get(name)
    assert entry.summary and entry.source
    assert entry.cls.__doc__ and "math" in entry.cls.__doc__, "docstring must carry the math"
    opt = optimizers.make(name)
    assert set(opt.hyper) == {hp.name for hp in entry.hparams()}
    assert opt.name == name


def _p0(shape, seed=1, dtype=np.float64):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


@pytest.mark.parametrize("name", NAMES)
def test_batch_equals_each_run_alone_bit_for_bit(name):
    opt = optimizers.make(name)
    R, d, T = 4, 5, 12
    p0 = _p0((R, d))
    grads = random_grads(7, T, (R, d))
    batch, _ = trajectory(opt, p0, grads)
    for i in range(R):
        alone, _ = trajectory(opt, p0[i:i + 1], grads[:, i:i + 1])
        flat, _ = trajectory(opt, p0[i], grads[:, i])
        np.testing.assert_array_equal(batch[:, i], alone[:, 0])
        np.testing.assert_array_equal(batch[:, i], flat)


_PER_RUN_VALUES = {
    "positive": [1e-3, 2e-2, 0.1],
    "nonneg": [0.0, 1e-3, 0.05],
    "unit": [0.3, 0.6, 0.9],
    "closed_unit": [0.0, 0.5, 1.0],
    "half_open_unit": [0.25, 0.5, 1.0],
    "real": [-1.0, 0.0, 2.0],
}


def _per_run_cases():
    for name in NAMES:
        for hp in optimizers.get(name).hparams():
            if hp.kind in _PER_RUN_VALUES:
                yield name, hp.name, None
            elif hp.kind == "betas":
                yield name, hp.name, 0
                yield name, hp.name, 1


@pytest.mark.parametrize("name,hp_name,index", list(_per_run_cases()))
def test_per_run_hyperparameters_equal_separate_runs(name, hp_name, index):
    entry = optimizers.get(name)
    hp = next(h for h in entry.hparams() if h.name == hp_name)
    default = optimizers.make(name).hyper[hp_name]
    values = _PER_RUN_VALUES["unit" if hp.kind == "betas" else hp.kind]

    def setting(v):
        if hp.kind != "betas":
            return v
        pair = list(default)
        pair[index] = v
        return tuple(pair)

    singles = []
    for v in values:
        try:
            singles.append(optimizers.make(name, **{hp_name: setting(v)}))
        except ValueError:
            pytest.skip(f"{name}: {hp_name}={v} is not a valid setting on its own")
    batched = optimizers.make(name, **{hp_name: setting(np.array(values))})
    R, d, T = len(values), 4, 10
    p0 = np.tile(_p0((1, d), seed=3), (R, 1))
    grads = np.tile(random_grads(11, T, (1, d)), (1, R, 1))
    got, _ = trajectory(batched, p0, grads)
    for i, single in enumerate(singles):
        want, _ = trajectory(single, p0[i:i + 1], grads[:, i:i + 1])
        np.testing.assert_array_equal(got[:, i], want[:, 0])


@pytest.mark.parametrize("name", NAMES)
def test_float32_tracks_float64(name):
    opt = optimizers.make(name)
    R, d, T = 3, 6, 20
    p64 = _p0((R, d), seed=5)
    g64 = np.random.default_rng(13).normal(size=(T, R, d)) + 0.5
    t64, _ = trajectory(opt, p64, g64)
    t32, _ = trajectory(opt, p64.astype(np.float32), g64.astype(np.float32))
    assert t32.dtype == np.float32
    # each step moves params by O(lr); float32 keeps ~7 digits of each iterate
    moved = np.abs(t64 - p64).max() + 1e-30
    err = np.abs(t32.astype(np.float64) - t64).max()
    assert err <= 1e-4 * max(1.0, np.abs(t64).max()) + 1e-3 * moved, (err, moved)


@pytest.mark.parametrize("name", NAMES)
def test_inputs_and_old_state_are_not_mutated(name):
    opt = optimizers.make(name)
    p = _p0((2, 3))
    state = opt.init(p)
    for g in random_grads(2, 3, (2, 3)):
        p_copy, g_copy = p.copy(), g.copy()
        flat_old = [np.array(x, copy=True) for x in _arrays(state)]
        new_p, new_state = opt.update(g, state, p)
        np.testing.assert_array_equal(p, p_copy)
        np.testing.assert_array_equal(g, g_copy)
        for before, after in zip(flat_old, _arrays(state)):
            np.testing.assert_array_equal(before, after)
        assert new_state.step == state.step + 1
        p, state = new_p, new_state


def _arrays(state):
    for x in state:
        if isinstance(x, np.ndarray):
            yield x
        elif isinstance(x, tuple):  # nested state (Lookahead)
            yield from _arrays(x)


@pytest.mark.parametrize("name", NAMES)
def test_same_inputs_same_bits(name):
    p0, grads = _p0((3, 4), seed=9), random_grads(4, 15, (3, 4))
    a, _ = trajectory(optimizers.make(name), p0, grads)
    b, _ = trajectory(optimizers.make(name), p0, grads)
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name", NAMES)
def test_output_shape_and_dtype_follow_params(name):
    opt = optimizers.make(name)
    for shape in [(7,), (1, 7), (3, 7)]:
        for dtype in (np.float32, np.float64):
            p = np.ones(shape, dtype=dtype)
            new_p, state = opt.update(np.full(shape, 0.5, dtype=dtype), opt.init(p), p)
            assert new_p.shape == shape and new_p.dtype == dtype
            assert state.step == 1


@pytest.mark.parametrize("scaled", [True, False])
def test_adamw_without_decay_is_adam(scaled):
    p0, grads = _p0((3, 5), seed=21), random_grads(22, 40, (3, 5))
    adam, _ = trajectory(optimizers.make("adam"), p0, grads)
    adamw, _ = trajectory(optimizers.make("adamw", weight_decay=0.0,
                                          decay_scaled_by_lr=scaled), p0, grads)
    np.testing.assert_array_equal(adam, adamw)


@pytest.mark.parametrize("mode", ["torch", "optax"])
@pytest.mark.parametrize("eps_mode", ["outside", "efficient", "inside"])
def test_amsgrad_is_adam_while_v_grows(mode, eps_mode):
    # |g_t| strictly increasing makes v_t (and v_t / (1 - b2^t)) increasing
    T, shape = 30, (2, 4)
    rng = np.random.default_rng(3)
    signs = rng.choice([-1.0, 1.0], size=(T, *shape))
    grads = signs * (1.1 ** np.arange(1, T + 1))[:, None, None] * rng.uniform(1, 2, size=shape)
    p0 = _p0(shape, seed=4)
    adam, s_adam = trajectory(optimizers.make("adam", eps_mode=eps_mode), p0, grads)
    ams, s_ams = trajectory(optimizers.make("amsgrad", amsgrad_mode=mode, eps_mode=eps_mode),
                            p0, grads)
    np.testing.assert_array_equal(adam, ams)


def test_amsgrad_differs_from_adam_when_v_shrinks():
    # the relation above must be able to fail: a large gradient, then small ones
    grads = np.array([[10.0], [0.1], [0.1], [0.1]])[:, None, :]
    p0 = np.zeros((1, 1))
    adam, _ = trajectory(optimizers.make("adam"), p0, grads)
    ams, _ = trajectory(optimizers.make("amsgrad"), p0, grads)
    assert not np.array_equal(adam, ams)
    # and AMSGrad's max keeps its steps smaller than Adam's once v has shrunk
    assert np.all(np.abs(np.diff(ams[1:, 0, 0])) < np.abs(np.diff(adam[1:, 0, 0])))
