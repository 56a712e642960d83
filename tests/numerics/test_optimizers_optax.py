"""Our optimizers reproduce optax iterate by iterate (float64).

The reference trajectories in ``proofs/references/optax_vectors.{npz,json}`` (package
data of :mod:`adamlab.proofs.references`, read here from the installed package) were
made with optax 0.2.8 (``jax_enable_x64``) by ``tests/reference/make_optax_vectors.py``;
jax is needed only to regenerate them, never here.  Every config whose JSON names a
registry optimizer (``name``, ``hp``) is replayed: ``optimizers.make(name, **hp)`` starts
from optax's theta_0 and is fed the very gradients optax was given, and every iterate
must agree to ``max_t |ours - optax| <= 1e-12 max_t |optax|`` (relative to the
trajectory's largest coordinate).  A config without a ``name`` says why
(``no_name_because``); for the schedule-free configs the stored params are optax's
``y`` (where the gradients were taken) and ``<id>__eval_params`` its evaluation point
``x``, which must equal our ``state.x``.
"""
from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import pytest

from adamlab.numerics import optimizers

REF = files("adamlab.proofs.references")
META = json.loads((REF / "optax_vectors.json").read_text(encoding="utf-8"))
CONFIGS = META["configs"]
NAMED = [c for c in CONFIGS if c.get("name")]
RTOL = 1e-12
SF_CALL = "optax.contrib.schedule_free_adamw"
# the methods of this issue that optax has: each needs two replayed configs
NEW_METHODS = {"optax.yogi": "yogi", "optax.adabelief": "adabelief", "optax.lion": "lion",
               "optax.contrib.adopt": "adopt", "optax.contrib.ademamix": "ademamix",
               SF_CALL: "schedule-free-adamw"}


@pytest.fixture(scope="module")
def vectors():
    with (REF / "optax_vectors.npz").open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _hyper(hp: dict) -> dict:
    """JSON hyperparameters -> keyword arguments (pairs become tuples)."""
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in hp.items()}


def _replay(opt, theta0, grads):
    """Our iterates (T+1, 3, 4) and the states after each step."""
    params, state = theta0.copy(), opt.init(theta0)
    ours, states = [params], []
    for g in grads:
        params, state = opt.update(g.copy(), state, params)
        ours.append(params)
        states.append(state)
    return np.stack(ours), states


def _worst(ours, theirs) -> float:
    """max |ours - theirs| over the trajectory, relative to its largest |theirs|."""
    return float(np.max(np.abs(ours - theirs)) / max(np.max(np.abs(theirs)), 1e-300))


@pytest.mark.parametrize("cfg", NAMED, ids=[c["id"] for c in NAMED])
def test_matches_optax_trajectory(cfg, vectors):
    cid, name = cfg["id"], cfg["name"]
    grads, expected = vectors[f"{cid}__grads"], vectors[f"{cid}__params"]
    assert grads.shape == (cfg["steps"], 3, 4) and expected.shape == (cfg["steps"] + 1, 3, 4)
    if name not in optimizers.names():
        pytest.fail(f"{cid}: optimizer {name!r} is not registered "
                    f"(registered: {optimizers.names()})")
    opt = optimizers.make(name, **_hyper(cfg["hp"]))
    try:
        ours, states = _replay(opt, expected[0], grads)
    except ValueError as exc:
        pytest.fail(f"{cid}: {name}(**{cfg['hp']}) raised {exc}")
    worst = _worst(ours, expected)
    if not worst <= RTOL:
        t, i, j = np.unravel_index(np.argmax(np.abs(ours - expected)), ours.shape)
        pytest.fail(f"{cid}: {name}(**{cfg['hp']}) vs {cfg['call']}(**{cfg['kwargs']}): "
                    f"max |ours - optax| / max |optax| = {worst:.3e} > {RTOL:g}, worst at "
                    f"t={t} [{i},{j}]: ours {ours[t, i, j]!r} vs optax "
                    f"{expected[t, i, j]!r}")
    if cfg["call"] == SF_CALL:             # the evaluation point too: optax's x = state.x
        xs = np.stack([expected[0]] + [s.x.reshape(3, 4) for s in states])
        assert _worst(xs, vectors[f"{cid}__eval_params"]) <= RTOL, cid


def test_every_config_names_an_optimizer_or_says_why():
    for cfg in CONFIGS:
        assert "name" in cfg and "hp" in cfg, cfg["id"]
        if cfg["name"]:
            assert isinstance(cfg["hp"], dict) and cfg["hp"], cfg["id"]
        else:
            assert cfg["hp"] is None and len(cfg.get("no_name_because", "")) > 40, cfg["id"]


def test_every_new_method_is_replayed_twice():
    """Each method of this issue that optax has: two configs, both mapped to our entry,
    which names the optax call among its frameworks."""
    for call, name in NEW_METHODS.items():
        named = [c for c in CONFIGS if c["call"] == call and c["name"] == name]
        assert len(named) >= 2, (call, [c["id"] for c in named])
        assert call.split(".")[-1] in optimizers.get(name).frameworks["optax"], name
    for cfg in CONFIGS:
        assert cfg["documented_update"] and "optax/" in cfg["documented_in"], cfg["id"]


def test_schedule_free_points_are_stated(vectors):
    """params are y (where the gradients are taken); eval_params are optax's x."""
    sf = [c for c in CONFIGS if c["call"] == SF_CALL]
    assert len(sf) == 3
    for cfg in sf:
        assert cfg["params_point"].startswith("y") and "eval_params" in cfg["eval_params"]
        x = vectors[f"{cfg['id']}__eval_params"]
        y = vectors[f"{cfg['id']}__params"]
        assert x.shape == y.shape and np.array_equal(x[0], y[0])
        assert np.max(np.abs(x[1:] - y[1:])) > 1e-6          # two different sequences
    others = {k for k in vectors if k.endswith("__eval_params")}
    assert others == {f"{c['id']}__eval_params" for c in sf}


def test_schedule_free_warmup_config_is_not_ours(vectors):
    """The nameless config: optax's warmup (two counts) is not warmup_steps=10 here --
    nor the same warmup shifted by one step."""
    cfg = next(c for c in CONFIGS if c["id"] == "schedule_free_adamw_warmup")
    assert cfg["name"] is None and "0-based" in cfg["no_name_because"]
    grads, expected = vectors[f"{cfg['id']}__grads"], vectors[f"{cfg['id']}__params"]
    for warm in (10, 11):
        opt = optimizers.make("schedule-free-adamw", lr=0.05, bias_correction="v",
                              warmup_steps=warm)
        ours, _ = _replay(opt, expected[0], grads)
        assert _worst(ours, expected) > 1e-6, warm
    # optax does not move at t = 1 (lr(0) = 0 in the z-step), we do
    np.testing.assert_array_equal(expected[1], expected[0])
