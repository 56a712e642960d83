"""Our optimizers reproduce torch.optim iterate by iterate (float64).

The reference trajectories in ``proofs/references/torch_vectors.{npz,json}``
(package data of :mod:`adamlab.proofs.references`, read here from the installed
package) were made with torch 2.13 by ``tests/reference/make_torch_vectors.py`` (torch is
needed only to regenerate them, never here).  For each config we build
``optimizers.make(name, **hp)``, start from torch's theta_0 and feed the very
gradients torch was given, step by step, and require every iterate to agree:
``|ours - torch| <= 1e-12 * max(1, |torch|)`` elementwise.
"""
from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import pytest

from adamlab.numerics import optimizers

REF = files("adamlab.proofs.references")
META = json.loads((REF / "torch_vectors.json").read_text(encoding="utf-8"))
CONFIGS = META["configs"]
RTOL = 1e-12
TORCH_MAJOR_MINOR = "2.13."


@pytest.fixture(scope="module")
def vectors():
    with (REF / "torch_vectors.npz").open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _hyper(hp: dict) -> dict:
    """JSON hyperparameters -> keyword arguments (pairs become tuples)."""
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in hp.items()}


@pytest.mark.parametrize("cfg", CONFIGS, ids=[c["id"] for c in CONFIGS])
def test_matches_torch_trajectory(cfg, vectors):
    cid, name = cfg["id"], cfg["name"]
    grads = vectors[f"{cid}__grads"]
    expected = vectors[f"{cid}__params"]
    steps = grads.shape[0]
    assert steps == cfg["steps"] >= 60
    assert grads.shape[1:] == expected.shape[1:] == (3, 4)
    assert expected.shape[0] == steps + 1
    assert grads.dtype == expected.dtype == np.float64
    if name not in optimizers.names():
        pytest.fail(f"{cid}: optimizer {name!r} is not registered "
                    f"(registered: {optimizers.names()})")
    opt = optimizers.make(name, **_hyper(cfg["hp"]))

    params = expected[0].copy()
    state = opt.init(params)
    ours = [params]
    for t in range(steps):
        try:
            params, state = opt.update(grads[t].copy(), state, params)
        except Exception as exc:  # report where it broke, with the config
            pytest.fail(f"{cid}: {name}(**{cfg['hp']}) raised at step t={t + 1}: "
                        f"{type(exc).__name__}: {exc}")
        ours.append(params)
    ours = np.stack(ours)
    assert ours.shape == expected.shape and ours.dtype == np.float64

    rel = np.abs(ours - expected) / np.maximum(1.0, np.abs(expected))
    worst = float(np.nanmax(rel)) if not np.all(np.isnan(rel)) else np.inf
    bad = ~(rel <= RTOL)  # NaN counts as a failure
    if bad.any():
        first = int(np.argmax(bad.reshape(steps + 1, -1).any(axis=1)))
        t_w, i_w, j_w = np.unravel_index(np.nanargmax(np.where(np.isnan(rel), np.inf, rel)),
                                         rel.shape)
        pytest.fail(
            f"{cid}: {name}(**{cfg['hp']}) vs torch.optim.{cfg['torch_class']}"
            f"(**{cfg['torch_kwargs']}): max relative error {worst:.3e} > {RTOL:g} "
            f"(first bad iterate t={first}, worst at t={t_w} [{i_w},{j_w}]: ours "
            f"{ours[t_w, i_w, j_w]!r} vs torch {expected[t_w, i_w, j_w]!r}; "
            f"{int(bad.sum())} of {bad.size} entries off)")


def _claims_torch(name: str) -> bool:
    """The entry says torch.optim implements it (frameworks has a "torch" key)."""
    return "torch" in optimizers.get(name).frameworks


def test_every_torch_convention_is_covered():
    """Each registry entry that claims a torch.optim counterpart has a config here."""
    covered = {c["name"] for c in CONFIGS}
    claims_torch = {n for n in optimizers.names() if _claims_torch(n)}
    assert claims_torch, "no registry entry names a torch.optim counterpart"
    missing = sorted(claims_torch - covered)
    assert not missing, (f"registry entries with frameworks['torch'] but no torch "
                         f"reference config: {missing}; add configs to "
                         f"tests/reference/make_torch_vectors.py and regenerate")


def test_reference_file_metadata():
    assert META["torch_version"].startswith(TORCH_MAJOR_MINOR), META["torch_version"]
    assert META["dtype"] == "float64"
    ids = [c["id"] for c in CONFIGS]
    assert len(ids) == len(set(ids))
    for cfg in CONFIGS:
        assert cfg["torch_version"].startswith(TORCH_MAJOR_MINOR), cfg["id"]
        assert cfg["torch_kwargs"].get("foreach") is False, cfg["id"]
        assert isinstance(cfg["seed"], int) and cfg["steps"] >= 60, cfg["id"]
    with (REF / "torch_vectors.npz").open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        keys = set(data.files)
        assert keys == {f"{i}__{k}" for i in ids for k in ("grads", "params")}
        for key in keys:
            assert data[key].dtype == np.float64, key


def test_reference_covers_every_torch_method_and_convention():
    """The torch side: every class and the options named in the issue appear."""
    seen = {}
    for cfg in CONFIGS:
        seen.setdefault(cfg["torch_class"], []).append(cfg["torch_kwargs"])

    def some(cls, pred):
        return any(pred(kw) for kw in seen.get(cls, []))

    assert some("SGD", lambda k: k.get("momentum", 0) == 0)
    assert some("SGD", lambda k: k.get("momentum", 0) > 0 and not k.get("nesterov"))
    assert some("SGD", lambda k: k.get("dampening", 0) > 0)
    assert some("SGD", lambda k: k.get("nesterov"))
    assert some("SGD", lambda k: k.get("weight_decay", 0) > 0)
    assert some("Adagrad", lambda k: k.get("lr_decay", 0) > 0)
    assert some("Adagrad", lambda k: k.get("initial_accumulator_value", 0) > 0)
    assert some("Adagrad", lambda k: k.get("weight_decay", 0) > 0)
    assert some("RMSprop", lambda k: not k.get("centered") and not k.get("momentum"))
    assert some("RMSprop", lambda k: k.get("centered") and not k.get("momentum"))
    assert some("RMSprop", lambda k: k.get("momentum", 0) > 0 and not k.get("centered"))
    assert some("RMSprop", lambda k: k.get("centered") and k.get("momentum", 0) > 0)
    assert some("RMSprop", lambda k: k.get("weight_decay", 0) > 0)
    assert some("Adadelta", lambda k: True)
    assert some("Adam", lambda k: not k.get("amsgrad") and not k.get("weight_decay"))
    assert some("Adam", lambda k: k.get("weight_decay", 0) > 0
                and not k.get("decoupled_weight_decay"))
    assert some("Adam", lambda k: k.get("amsgrad"))
    assert some("AdamW", lambda k: not k.get("amsgrad"))
    assert some("AdamW", lambda k: k.get("amsgrad"))
    assert some("Adamax", lambda k: True)
    assert some("NAdam", lambda k: k.get("momentum_decay") is not None)
    assert some("NAdam", lambda k: k.get("decoupled_weight_decay"))
    assert some("RAdam", lambda k: k.get("weight_decay", 0) > 0
                and not k.get("decoupled_weight_decay"))
    assert some("RAdam", lambda k: k.get("decoupled_weight_decay"))
    for cls, kws in seen.items():
        lrs = {kw.get("lr") for kw in kws}
        assert len(kws) >= 3, f"{cls}: only {len(kws)} settings"
        assert len(lrs) >= 2, f"{cls}: a single learning rate {lrs}"
