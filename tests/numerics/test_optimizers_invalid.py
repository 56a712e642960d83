"""Bad input, parametrized over the registry and over each declared hyperparameter.

Every mistake raises ValueError or TypeError, and the message names the
argument (and, for values, says what is allowed).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import schedules
from optim_util import all_names

NAMES = all_names()

BAD_VALUES = {
    "positive": [(0.0, ValueError), (-1e-3, ValueError), (math.nan, ValueError),
                 (math.inf, ValueError), ("0.1", TypeError), (True, TypeError),
                 ([0.1, -0.1], ValueError), (np.zeros((2, 2)) + 0.1, ValueError),
                 (1 + 2j, TypeError)],
    "nonneg": [(-1e-3, ValueError), (math.nan, ValueError), (-math.inf, ValueError),
               ("x", TypeError)],
    "unit": [(-0.1, ValueError), (1.0, ValueError), (1.5, ValueError), (math.nan, ValueError),
             ([0.5, 1.0], ValueError), (None, TypeError)],
    "closed_unit": [(-0.1, ValueError), (1.01, ValueError), (math.nan, ValueError)],
    "half_open_unit": [(0.0, ValueError), (1.5, ValueError), (math.nan, ValueError)],
    "real": [(math.nan, ValueError), (math.inf, ValueError)],
    "betas": [((1.0, 0.9), ValueError), ((0.9, 1.0), ValueError), ((-0.1, 0.9), ValueError),
              ((0.9,), TypeError), (0.9, TypeError), ((0.9, math.nan), ValueError)],
    "bool": [("yes", TypeError), (1, TypeError), (None, TypeError)],
    "choice": [("no-such-convention", ValueError), (3, ValueError)],
    "posint": [(0, ValueError), (-2, ValueError), (1.5, TypeError), (True, TypeError)],
    "optimizer": [("no-such-optimizer", ValueError), (3, TypeError)],
}


def _cases():
    for name in NAMES:
        for hp in optimizers.get(name).hparams():
            for value, exc in BAD_VALUES[hp.kind]:
                yield pytest.param(name, hp.name, value, exc,
                                   id=f"{name}-{hp.name}-{value!r}"[:80])


@pytest.mark.parametrize("name,hp_name,value,exc", list(_cases()))
def test_bad_hyperparameter_value(name, hp_name, value, exc):
    with pytest.raises(exc) as info:
        optimizers.make(name, **{hp_name: value})
    assert hp_name in str(info.value), str(info.value)
    if exc is ValueError:
        assert "must" in str(info.value), str(info.value)


@pytest.mark.parametrize("name", NAMES)
def test_every_kind_has_bad_values(name):
    for hp in optimizers.get(name).hparams():
        assert BAD_VALUES.get(hp.kind), f"no bad values for kind {hp.kind!r}"


@pytest.mark.parametrize("name", NAMES)
def test_unknown_hyperparameter_suggests_close_names(name):
    first = optimizers.get(name).hparams()[0].name
    with pytest.raises(TypeError, match="unknown hyperparameter") as info:
        optimizers.make(name, **{first + "x": 1.0})
    assert first in str(info.value)


def _schedulable(name):
    return [hp for hp in optimizers.get(name).hparams() if hp.schedulable
            and hp.kind != "betas"]


@pytest.mark.parametrize("name", [n for n in NAMES if _schedulable(n)])
def test_schedule_values_are_validated_at_each_step(name):
    hp = _schedulable(name)[0]
    opt = optimizers.make(name, **{hp.name: lambda t: 0.1 if t < 2 else -1.0})
    p = np.ones(3)
    p, s = opt.update(np.ones(3), opt.init(p), p)
    with pytest.raises(ValueError, match=rf"{hp.name}\(t=2\)"):
        opt.update(np.ones(3), s, p)


@pytest.mark.parametrize("name", NAMES)
def test_non_schedulable_numbers_reject_callables(name):
    numeric = [hp for hp in optimizers.get(name).hparams()
               if hp.kind in ("positive", "nonneg", "unit", "closed_unit", "half_open_unit")
               and not hp.schedulable]
    for hp in numeric:
        with pytest.raises(TypeError, match=hp.name):
            optimizers.make(name, **{hp.name: lambda t: 0.1})


def test_beta2_cannot_be_scheduled():
    with pytest.raises(TypeError, match=r"betas\[1\]"):
        optimizers.make("adam", betas=(0.9, lambda t: 0.999))


BAD_ARRAYS = [
    ("grads", lambda p: np.full_like(p, np.nan), ValueError),
    ("grads", lambda p: np.full_like(p, np.inf), ValueError),
    ("grads", lambda p: np.ones(p.shape[:-1] + (p.shape[-1] + 1,)), ValueError),
    ("grads", lambda p: np.ones_like(p, dtype=np.float32), TypeError),
    ("grads", lambda p: np.ones(p.shape, dtype=np.int64), TypeError),
    ("grads", lambda p: "not an array", TypeError),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("arg,make_bad,exc", BAD_ARRAYS)
def test_bad_grads(name, arg, make_bad, exc):
    opt = optimizers.make(name)
    p = np.ones((2, 3))
    state = opt.init(p)
    with pytest.raises(exc, match=arg):
        opt.update(make_bad(p), state, p)


BAD_PARAMS = [
    (np.array([1.0, np.nan]), ValueError),
    (np.array([np.inf, 1.0]), ValueError),
    (np.ones((2, 2, 2)), ValueError),
    (np.ones((2, 0)), ValueError),
    (np.ones(3, dtype=np.int32), TypeError),
    (np.ones(3, dtype=np.complex128), TypeError),
    ("abc", TypeError),
    (None, TypeError),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("params,exc", BAD_PARAMS)
def test_bad_params_at_init(name, params, exc):
    with pytest.raises(exc, match="params"):
        optimizers.make(name).init(params)


@pytest.mark.parametrize("name", NAMES)
def test_state_must_match(name):
    opt = optimizers.make(name)
    p = np.ones((2, 3))
    with pytest.raises(TypeError, match="state"):
        opt.update(np.ones((2, 3)), (0, p), p)
    other = opt.init(np.ones((2, 4)))
    with pytest.raises(ValueError, match="state"):
        opt.update(np.ones((2, 3)), other, p)


@pytest.mark.parametrize("name", NAMES)
def test_per_run_hyperparameters_must_fit_the_runs(name):
    hp = next((h for h in optimizers.get(name).hparams() if h.kind in ("positive", "betas")),
              None)
    if hp is None:
        pytest.skip(f"{name} has no per-run numeric hyperparameter")
    value = np.array([0.5, 0.6, 0.7]) if hp.kind == "betas" else np.array([0.1, 0.2, 0.3])
    if hp.kind == "betas":
        value = (value, 0.999)
    opt = optimizers.make(name, **{hp.name: value})
    opt.init(np.ones((3, 2)))  # fits
    with pytest.raises(ValueError, match=hp.name.split("[")[0]):
        opt.init(np.ones((2, 2)))


@pytest.mark.parametrize("bad,exc", [(0.0, ValueError), (-1.0, ValueError),
                                     (math.nan, ValueError), ("a", TypeError)])
def test_schedule_arguments(bad, exc):
    with pytest.raises(exc, match="alpha"):
        schedules.InverseSqrt(bad)
    with pytest.raises(exc, match="lam"):
        schedules.Beta1Decay(0.9, bad)
    with pytest.raises((ValueError, TypeError), match="t must"):
        schedules.InverseSqrt(1.0)(0)


def test_unknown_optimizer_suggests_close_names():
    with pytest.raises(ValueError, match="amsgrad"):
        optimizers.make("amsgard")
    with pytest.raises(TypeError, match="name"):
        optimizers.make(3)


@pytest.mark.parametrize("name", NAMES)
def test_overflowing_gradients_raise_instead_of_freezing(name):
    # g**2 overflows float64: a silent inf in the state would stop the coordinate
    opt = optimizers.make(name)
    p = np.zeros((1, 2))
    state = opt.init(p)
    g = np.array([[1e200, 1.0]])
    try:
        for _ in range(3):
            p, state = opt.update(g, state, p)
    except ValueError as exc:
        assert "non-finite" in str(exc)
    else:  # methods that never square g (SGD, ...) must have stayed finite
        assert all(np.all(np.isfinite(x)) for x in state if isinstance(x, np.ndarray))
