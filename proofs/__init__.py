"""adamlab.proofs: step-checked proofs and the claims ledger.

This is where :mod:`adamlab.theory` (exact statements) and
:mod:`adamlab.numerics` (simulation) meet.  The names a user needs --
:class:`~.claim.Claim`, :class:`~.claim.Quantifier`, :class:`~.claim.Check`,
:class:`~.claim.Method`, :class:`~.verdict.Verdict` and :func:`~.ledger.decide` --
are importable from here; they load on first use, so that importing one module of
the package does not load the whole ledger.
"""
from __future__ import annotations

import importlib

_EXPORTS = {"Check": "claim", "Claim": "claim", "Method": "claim", "Quantifier": "claim",
            "Verdict": "verdict", "decide": "ledger"}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_EXPORTS))


__all__ = ["Check", "Claim", "Method", "Quantifier", "Verdict", "decide"]
