"""adamlab.theory: exact statements (SymPy, mpmath) about Adam and its family.

theory never imports :mod:`adamlab.numerics`; :mod:`adamlab.proofs` is where
the two meet.  Modules a user reaches for load on first use:
``adamlab.theory.regret_bounds`` (the published regret bounds as SymPy expressions,
evaluable on runs), ``quantities`` (the run statistics they read), ``recursions``
(EMA and Adam's moments, exactly), ``step_bounds`` (the effective step).
"""


import importlib as _importlib

_EXPORTS = {"regret_bounds": ".regret.bounds", "quantities": ".regret.quantities",
            "recursions": ".recursions", "step_bounds": ".step_bounds"}


def __getattr__(name: str):
    if name in _EXPORTS:
        target = _EXPORTS[name]
        module, _, attr = target.partition(":")
        mod = _importlib.import_module(module, __name__)
        return getattr(mod, attr) if attr else mod
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_EXPORTS))


__all__ = sorted(_EXPORTS)
