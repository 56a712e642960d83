"""Every :class:`~adamlab.theory.results.Result` of :mod:`adamlab.theory`, in one list.

>>> from adamlab.theory import catalog
>>> all(r.check().ok for r in catalog.all_results())   # doctest: +SKIP
True
"""
from __future__ import annotations

from .results import Result

MODULES = ("moments", "lemmas", "adam_step", "adamax_step", "scale_invariance", "limits",
           "schedules_rectification")


def all_results() -> list[Result]:
    """Import the theory modules and return their Results (each module's ``RESULTS``)."""
    import importlib
    out: list[Result] = []
    for name in MODULES:
        out.extend(importlib.import_module(f"{__package__}.{name}").RESULTS)
    return out


def by_name(name: str) -> Result:
    """The Result called ``name``; ValueError (listing the names) if there is none."""
    found = {r.name: r for r in all_results()}
    if name not in found:
        raise ValueError(f"name must be one of {sorted(found)}; got {name!r}")
    return found[name]


__all__ = ["MODULES", "all_results", "by_name"]
