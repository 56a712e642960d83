"""The frameworks' own trajectories: the independent reference for framework claims.

A claim such as "this printed update rule is what ``torch.optim.AdamW`` (or
``optax.adamw``) computes" is decided against what the framework itself computed,
never against adamlab's implementation of the rule.  This package holds those
computations, as package data:

* ``torch_vectors.{npz,json}`` -- torch.optim (2.13, float64), made by
  ``tests/reference/make_torch_vectors.py``;
* ``optax_vectors.{npz,json}`` -- optax (0.2.8 on jax with ``jax_enable_x64``),
  made by ``tests/reference/make_optax_vectors.py``, whose JSON also states per
  config the rule optax's source documents (``documented_update``); its
  schedule-free configs store optax's params y and, as ``<id>__eval_params``, its
  evaluation point x (the JSON's ``params_point`` and ``eval_params`` say which).

Both scripts are developer tools run in a separate environment with the
framework installed; adamlab never imports torch or jax.  Each config drives the
framework on one (3, 4) float64 parameter for T = 60 steps of the same seeded
problem, ``g_t = A * (theta_t - c) + noise_t`` (elementwise, with exact zeros),
and stores the gradients the framework was given and the iterates it returned.
:func:`load` returns them as :class:`Reference` records::

    >>> from adamlab.proofs import references
    >>> ref = references.load("optax")[0]
    >>> ref.call, ref.grads.shape, ref.params.shape
    ('optax.adamw', (60, 3, 4), (61, 3, 4))
"""
from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib.resources import files
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Reference", "frameworks", "load"]

# framework -> (file stem, JSON key of the call, prefix of the call, key of kwargs, version)
_LAYOUT = {
    "torch": ("torch_vectors", "torch_class", "torch.optim.", "torch_kwargs",
              "torch_version"),
    "optax": ("optax_vectors", "call", "", "kwargs", "optax_version"),
}


class Reference(NamedTuple):
    """One framework trajectory (arrays read-only; ``kwargs`` a read-only mapping)."""

    id: str
    framework: str          # "torch" or "optax"
    version: str            # the framework version that made it
    name: str | None        # our registry name, where the config names one
    call: str               # e.g. "torch.optim.AdamW", "optax.adamw"
    kwargs: Mapping[str, Any]   # the keyword arguments the framework was given
    grads: np.ndarray       # (T, 3, 4) float64: the gradient given at step t
    params: np.ndarray      # (T+1, 3, 4) float64: the iterates theta_0 .. theta_T


def frameworks() -> list[str]:
    """The frameworks with stored reference trajectories."""
    return sorted(_LAYOUT)


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=None)
def _load(framework: str) -> tuple[Reference, ...]:
    stem, call_key, prefix, kwargs_key, version_key = _LAYOUT[framework]
    folder = files(__name__)
    meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
    with (folder / f"{stem}.npz").open("rb") as fh, \
            np.load(fh, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    out = []
    for cfg in meta["configs"]:
        cid = cfg["id"]
        grads, params = arrays[f"{cid}__grads"], arrays[f"{cid}__params"]
        steps = grads.shape[0]
        if grads.shape[1:] != params.shape[1:] or params.shape[0] != steps + 1:
            raise ValueError(f"{stem}.npz: {cid}: grads {grads.shape} and params "
                             f"{params.shape} do not form one trajectory")
        kwargs = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in cfg[kwargs_key].items()}
        out.append(Reference(id=cid, framework=framework, version=cfg[version_key],
                             name=cfg.get("name"), call=prefix + cfg[call_key],
                             kwargs=MappingProxyType(kwargs), grads=_frozen(grads),
                             params=_frozen(params)))
    return tuple(out)


def load(framework: str) -> tuple[Reference, ...]:
    """Every stored trajectory of ``framework`` ("torch" or "optax"), in file order.

    Loaded once per process and cached; the records cannot be changed in place.
    """
    if framework not in _LAYOUT:
        raise ValueError(f"framework must be one of {frameworks()}, got {framework!r}")
    return _load(framework)
