"""The one registry of optimizers.

Each entry names an optimizer class, the defaults that distinguish the entry
(``"momentum"`` and ``"nag"`` are SGD with other defaults), its source in the
literature, and which frameworks implement which of its conventions.  The
shared tests iterate over :func:`names`, so registering is all it takes for a
new method to join every check.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ._core import Optimizer


@dataclass(frozen=True)
class Entry:
    """One registered optimizer."""

    name: str
    cls: type
    summary: str
    source: str
    defaults: dict[str, Any] = field(default_factory=dict)
    # framework -> how that framework's implementation maps to our options
    frameworks: dict[str, str] = field(default_factory=dict)

    def hparams(self):
        """The hyperparameter declarations (:class:`~._core.HParam`)."""
        return self.cls.hparams

    def make(self, **hyper: Any) -> Optimizer:
        return _build(self, hyper)


_REGISTRY: dict[str, Entry] = {}


def _build(entry: Entry, hyper: dict) -> Optimizer:
    sub = type(entry.cls.__name__, (entry.cls,), {
        "name": entry.name,
        "defaults": {**entry.cls.defaults, **entry.defaults},
        "__doc__": entry.cls.__doc__,
        "__module__": entry.cls.__module__,
    })
    return sub(**hyper)


def register(name: str, cls: type, *, summary: str, source: str,
             defaults: dict[str, Any] | None = None,
             frameworks: dict[str, str] | None = None) -> Entry:
    """Add an optimizer to the registry (at import time of its module)."""
    if name in _REGISTRY:
        raise ValueError(f"optimizer {name!r} is registered twice")
    if not issubclass(cls, Optimizer):
        raise TypeError(f"{name}: cls must subclass Optimizer")
    entry = Entry(name, cls, summary, source, dict(defaults or {}), dict(frameworks or {}))
    declared = {hp.name for hp in cls.hparams}
    missing = declared - set(cls.defaults) - set(entry.defaults)
    if missing:
        raise ValueError(f"{name}: no default for {sorted(missing)}")
    _REGISTRY[name] = entry
    return entry


def names() -> list[str]:
    """Names of all registered optimizers, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> Entry:
    """The registry entry for ``name``; unknown names suggest close ones."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name.lower(), _REGISTRY, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown optimizer {name!r}{hint} "
                         f"(known: {', '.join(_REGISTRY)})") from None


def make(name: str, **hyper: Any) -> Optimizer:
    """Build the optimizer registered as ``name`` with the given hyperparameters."""
    return get(name).make(**hyper)
