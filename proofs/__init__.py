"""adamlab.proofs: step-checked proofs and the claims ledger.

This is where :mod:`adamlab.theory` (exact statements) and
:mod:`adamlab.numerics` (simulation) meet.  The names a user needs --
:class:`~.claim.Claim`, :class:`~.claim.Quantifier`, :class:`~.claim.Check`,
:class:`~.claim.Method`, :class:`~.verdict.Verdict`, :func:`~.ledger.decide`, the
methods :class:`~.methods.symbolic.Symbolic`, :class:`~.methods.asymptotic.Asymptotic`
with :class:`~.methods.asymptotic.Simulation`, and the regret experiment
(:func:`~.regret.experiment.run_experiment`, :class:`~.regret.experiment.SeriesSpec`) --
are importable from here; they load on first use, so that importing one module of
the package does not load the whole ledger.
"""
from __future__ import annotations

import importlib

_EXPORTS = {"Check": "claim", "Claim": "claim", "Method": "claim", "Quantifier": "claim",
            "Verdict": "verdict", "decide": "ledger", "run_experiment": "regret.experiment",
            "SeriesSpec": "regret.experiment", "Asymptotic": "methods.asymptotic",
            "Simulation": "methods.asymptotic", "Symbolic": "methods.symbolic"}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_EXPORTS))


__all__ = sorted(_EXPORTS)
