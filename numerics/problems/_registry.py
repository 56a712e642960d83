"""The one registry of problems.

Each entry names a :class:`~._base.Problem` subclass, the defaults that
distinguish the entry (``"rkk-thm1"`` and ``"rkk-online"`` are the same periodic
linear game with other constants), and its source.  Tests iterate over
:func:`names`, so registering is all it takes for a new problem to join every
check.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ._base import Problem


@dataclass(frozen=True)
class Entry:
    """One registered problem."""

    name: str
    cls: type
    summary: str
    source: str
    defaults: dict[str, Any] = field(default_factory=dict)

    def params(self):
        """The parameter declarations (:class:`~._base.Param`), with this entry's defaults."""
        from dataclasses import replace
        return tuple(replace(p, default=self.defaults.get(p.name, p.default))
                     for p in self.cls.params_spec)

    def make(self, **params: Any) -> Problem:
        sub = type(self.cls.__name__, (self.cls,), {
            "name": self.name,
            "params_spec": self.params(),
            "__doc__": self.cls.__doc__,
            "__module__": self.cls.__module__,
        })
        return sub(**params)


_REGISTRY: dict[str, Entry] = {}


def register(name: str, cls: type, *, summary: str, source: str,
             defaults: dict[str, Any] | None = None) -> Entry:
    """Add a problem to the registry (at import time of its module)."""
    if name in _REGISTRY:
        raise ValueError(f"problem {name!r} is registered twice")
    if not issubclass(cls, Problem):
        raise TypeError(f"{name}: cls must subclass Problem")
    known = {p.name for p in cls.params_spec}
    unknown = set(defaults or {}) - known
    if unknown:
        raise ValueError(f"{name}: defaults for unknown parameters {sorted(unknown)}")
    entry = Entry(name, cls, summary, source, dict(defaults or {}))
    _REGISTRY[name] = entry
    return entry


def names() -> list[str]:
    """Names of all registered problems, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> Entry:
    """The registry entry for ``name``; unknown names suggest close ones."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str naming a problem, got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name.lower(), _REGISTRY, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown problem {name!r}{hint} "
                         f"(known: {', '.join(_REGISTRY)})") from None


def make(name: str, **params: Any) -> Problem:
    """Build the problem registered as ``name`` with the given parameters."""
    return get(name).make(**params)
