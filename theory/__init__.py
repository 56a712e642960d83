"""adamlab.theory: exact statements (SymPy, mpmath) about Adam and its family.

theory never imports :mod:`adamlab.numerics`; :mod:`adamlab.proofs` is where
the two meet.  Modules a user reaches for load on first use:
``adamlab.theory.regret_bounds`` (the published regret bounds as SymPy expressions,
evaluable on runs), ``quantities`` (the run statistics they read), ``recursions``
(EMA and Adam's moments, exactly), ``step_bounds`` (the effective step).
"""
from adamlab.lazy import lazy_exports

EXPORTS = {"regret_bounds": ".regret.bounds", "quantities": ".regret.quantities",
           "recursions": ".recursions", "step_bounds": ".step_bounds"}
__getattr__, __dir__, __all__ = lazy_exports(__name__, globals(), EXPORTS)
