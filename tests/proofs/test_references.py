"""adamlab.proofs.references: the frameworks' stored trajectories, as installed package data.

Beyond shapes and types, the optax vectors are checked *independently* of both optax
and adamlab's optimizers: a few lines of NumPy replay the rule that optax's source
documents (the ``documented_update`` line of optax_vectors.json) from the stored
gradients and must land on the stored iterates; the neighbouring rule (eps outside
the sqrt, heavy ball instead of Nesterov) must not, so the replay has the power to
tell.  Neither jax nor torch is imported.
"""
from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import pytest

from adamlab.proofs import references
from adamlab.proofs.references import Reference

RTOL = 1e-12
CALLS = {"optax": {"optax.adamw": 3, "optax.adagrad": 3, "optax.sgd": 3, "optax.nadam": 2,
                   "optax.adadelta": 2, "optax.adam": 1, "optax.rmsprop": 1,
                   "optax.yogi": 2, "optax.adabelief": 2, "optax.lion": 2,
                   "optax.contrib.adopt": 2, "optax.contrib.ademamix": 2,
                   "optax.contrib.schedule_free_adamw": 3}}


def _meta(framework: str) -> dict:
    text = (files("adamlab.proofs.references") / f"{framework}_vectors.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def _by_id(framework: str) -> dict[str, Reference]:
    return {ref.id: ref for ref in references.load(framework)}


def _off(ours: np.ndarray, stored: np.ndarray) -> float:
    """Worst |ours - stored| / max(1, |stored|)."""
    return float(np.max(np.abs(ours - stored) / np.maximum(1.0, np.abs(stored))))


def test_frameworks():
    assert references.frameworks() == ["optax", "torch"]


@pytest.mark.parametrize("framework", ["torch", "optax"])
def test_load_shapes_types_and_metadata(framework):
    refs = references.load(framework)
    assert isinstance(refs, tuple) and refs
    assert references.load(framework) is refs            # cached
    ids = [ref.id for ref in refs]
    assert len(ids) == len(set(ids))
    prefix = {"torch": "torch.optim.", "optax": "optax."}[framework]
    for ref in refs:
        assert isinstance(ref, Reference) and ref.framework == framework
        assert isinstance(ref.version, str) and ref.version[:1].isdigit()
        assert ref.name is None or isinstance(ref.name, str)
        assert ref.call.startswith(prefix), ref.call
        assert dict(ref.kwargs) and all(isinstance(k, str) for k in ref.kwargs)
        steps = ref.grads.shape[0]
        assert steps >= 60
        assert ref.grads.shape == (steps, 3, 4) and ref.params.shape == (steps + 1, 3, 4)
        assert ref.grads.dtype == ref.params.dtype == np.float64
        assert np.all(np.isfinite(ref.grads)) and np.all(np.isfinite(ref.params))
        assert not ref.grads.flags.writeable and not ref.params.flags.writeable
    with pytest.raises(TypeError):
        refs[0].kwargs["lr"] = 1.0                        # read-only mapping


def test_torch_set():
    refs = _by_id("torch")
    assert refs["adamw_default"].call == "torch.optim.AdamW"
    assert refs["adamw_default"].name == "adamw"
    assert refs["adam_default"].kwargs["betas"] == (0.9, 0.999)
    assert all(ref.version.startswith("2.13.") for ref in refs.values())


def test_optax_set_and_its_json():
    refs = references.load("optax")
    counts: dict[str, int] = {}
    for ref in refs:
        counts[ref.call] = counts.get(ref.call, 0) + 1
    assert counts == CALLS["optax"]
    meta = _meta("optax")
    assert meta["optax_version"] and meta["jax_version"] and meta["dtype"] == "float64"
    for cfg, ref in zip(meta["configs"], refs, strict=True):
        assert cfg["id"] == ref.id and ref.version == meta["optax_version"]
        assert cfg["documented_update"] and "optax/" in cfg["documented_in"]
    # where a torch config shares the seed, both frameworks start on the same problem
    torch = _by_id("torch")
    for cfg, ref in zip(meta["configs"], refs):
        if cfg["torch_counterpart"]:
            twin = torch[cfg["torch_counterpart"]]
            assert np.array_equal(ref.params[0], twin.params[0]), ref.id
            assert np.array_equal(ref.grads[0], twin.grads[0]), ref.id


@pytest.mark.parametrize("bad", ["jax", "Torch", "", "tf"])
def test_bad_framework_is_a_value_error(bad):
    with pytest.raises(ValueError, match=r"framework.*\['optax', 'torch'\]"):
        references.load(bad)


def _sgd(ref: Reference, nesterov: bool) -> np.ndarray:
    """optax.sgd's documented rule: b_t = g_t + mu b_{t-1}; step lr*(b_t or g_t + mu b_t)."""
    lr, mu = ref.kwargs["learning_rate"], ref.kwargs["momentum"]
    theta, buf, out = ref.params[0].copy(), np.zeros((3, 4)), [ref.params[0]]
    for g in ref.grads:
        buf = g + mu * buf
        theta = theta - lr * (g + mu * buf if nesterov else buf)
        out.append(theta)
    return np.stack(out)


def _adagrad(ref: Reference, eps_inside: bool) -> np.ndarray:
    """optax.adagrad: s_t = s_{t-1} + g_t^2; step lr*g_t/sqrt(s_t + eps) (0 where s_t = 0)."""
    lr, eps = ref.kwargs["learning_rate"], ref.kwargs["eps"]
    theta, acc = ref.params[0].copy(), np.full((3, 4), ref.kwargs["initial_accumulator_value"])
    out = [ref.params[0]]
    for g in ref.grads:
        acc = acc + g * g                 # where acc = 0, g = 0 and the step is 0 anyway
        theta = theta - lr * g / (np.sqrt(acc + eps) if eps_inside else np.sqrt(acc) + eps)
        out.append(theta)
    return np.stack(out)


def test_optax_sgd_replays_by_hand():
    refs = [r for r in references.load("optax") if r.call == "optax.sgd"]
    assert {r.kwargs["nesterov"] for r in refs} == {True, False}
    for ref in refs:
        nesterov = ref.kwargs["nesterov"]
        assert _off(_sgd(ref, nesterov), ref.params) <= RTOL, ref.id
        assert _off(_sgd(ref, not nesterov), ref.params) > 1e-6, ref.id   # power


def test_optax_adagrad_replays_by_hand_eps_inside_the_sqrt():
    meta = {c["id"]: c for c in _meta("optax")["configs"]}
    refs = [r for r in references.load("optax") if r.call == "optax.adagrad"
            and r.kwargs.get("initial_accumulator_value", 0.1) == 0.0]
    assert len(refs) >= 2
    for ref in refs:
        assert "sqrt(s_t + eps)" in meta[ref.id]["documented_update"]
        assert _off(_adagrad(ref, eps_inside=True), ref.params) <= RTOL, ref.id
        assert _off(_adagrad(ref, eps_inside=False), ref.params) > 1e-6, ref.id  # power


def _schedule_free(ref: Reference, z_count_offset: int) -> tuple[np.ndarray, np.ndarray]:
    """optax.contrib.schedule_free_adamw's documented rule (params are y; returns y and
    x = (y - (1-b1) z)/b1): lr_t = lr min(1, t/W) -- in float32, as optax's schedule
    computes it -- read at the 1-based t for the weights and at t - z_count_offset for
    the z-step; weight_lr_power = 2."""
    kw = ref.kwargs
    lr, b1, b2 = kw["learning_rate"], kw.get("b1", 0.9), kw.get("b2", 0.999)
    eps, wd, warm = kw.get("eps", 1e-8), kw.get("weight_decay", 0.0), kw.get("warmup_steps")
    f32 = np.float32

    def rate(t):
        if warm is None:
            return lr
        if t >= warm:
            return float(f32(lr))
        return float(f32(f32(-lr) * (f32(1) - f32(t) / f32(warm))) + f32(lr))

    y, z, v = ref.params[0].copy(), ref.params[0].copy(), np.zeros((3, 4))
    x, total, top = y.copy(), 0.0, 0.0
    ys, xs = [y], [x]
    for t, g in enumerate(ref.grads, start=1):
        v = b2 * v + (1 - b2) * g * g
        z = z - rate(t - z_count_offset) * (g / (np.sqrt(v / (1 - b2 ** t)) + eps) + wd * y)
        top = max(top, rate(t))
        total += top ** 2
        c = top ** 2 / total
        x = (1 - c) * x + c * z
        y = b1 * x + (1 - b1) * z
        ys.append(y)
        xs.append(x)
    return np.stack(ys), np.stack(xs)


def test_optax_schedule_free_replays_by_hand_with_its_two_counts():
    """The documented rule, y and the evaluation point x; with warmup, the z-step reads the
    schedule at the 0-based count -- reading it at t (as the paper) does not fit."""
    with (files("adamlab.proofs.references") / "optax_vectors.npz").open("rb") as fh, \
            np.load(fh, allow_pickle=False) as data:
        evals = {k: data[k] for k in data.files if k.endswith("__eval_params")}
    refs = [r for r in references.load("optax") if r.call == "optax.contrib.schedule_free_adamw"]
    assert {r.kwargs.get("warmup_steps") is None for r in refs} == {True, False}
    for ref in refs:
        y, x = _schedule_free(ref, z_count_offset=1)
        assert _off(y, ref.params) <= RTOL and _off(x, evals[f"{ref.id}__eval_params"]) <= RTOL
        if ref.kwargs.get("warmup_steps") is not None:
            assert _off(_schedule_free(ref, z_count_offset=0)[0], ref.params) > 1e-6  # power
