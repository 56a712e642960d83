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

from adamlab.lazy import lazy_exports

EXPORTS = {"Check": ".claim:Check", "Claim": ".claim:Claim", "Method": ".claim:Method",
           "Quantifier": ".claim:Quantifier", "Verdict": ".verdict:Verdict",
           "decide": ".ledger:decide", "run_experiment": ".regret.experiment:run_experiment",
           "SeriesSpec": ".regret.experiment:SeriesSpec",
           "Asymptotic": ".methods.asymptotic:Asymptotic",
           "Simulation": ".methods.asymptotic:Simulation",
           "Symbolic": ".methods.symbolic:Symbolic"}
__getattr__, __dir__, __all__ = lazy_exports(__name__, globals(), EXPORTS)
