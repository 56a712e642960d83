"""The claims ledger: decide a claim with its own method and report the verdict.

:func:`decide` takes a published claim ID (:mod:`adamlab.proofs.claims`) or any
:class:`~adamlab.proofs.claim.Claim` -- a user's claim goes through the same
machinery -- and returns the :class:`~adamlab.proofs.verdict.Verdict` that the
claim's method *computes* (a SymPy simplification, a stated numeric check, or a
certified witness; never a verdict written into the code).  :func:`entry` is the
ledger's JSON row (``adamlab check --json``).
"""
from __future__ import annotations

from typing import Any

from . import claims
from .claim import Claim
from .verdict import VERDICTS, Verdict, digits


def resolve(claim: Claim | str) -> Claim:
    """``claim`` itself, or the published claim with that ID."""
    if isinstance(claim, Claim):
        return claim
    if isinstance(claim, str):
        return claims.get(claim)
    raise TypeError(f"claim must be a Claim or a published claim ID (str); got "
                    f"{type(claim).__name__}")


def decide(claim: Claim | str, *, thorough: bool = False) -> Verdict:
    """Decide ``claim`` (a :class:`Claim` or a published ID) with its method."""
    if not isinstance(thorough, bool):
        raise TypeError(f"thorough must be True or False; got {thorough!r}")
    spec = resolve(claim)
    verdict = spec.method.decide(spec, thorough=thorough)
    if not isinstance(verdict, Verdict) or verdict.claim_id != spec.id:
        raise RuntimeError(f"the method of {spec.id} returned {verdict!r}")
    return verdict


def entry(claim: Claim | str, *, thorough: bool = False) -> dict[str, Any]:
    """Decide ``claim`` and return its JSON row (id, source, verdict, statement (LaTeX),
    statement_text, summary, evidence, corrected, method, quantifies)."""
    spec = resolve(claim)
    return spec.to_json(decide(spec, thorough=thorough))


def registered() -> list[str]:
    """IDs of the published claims (each carries its method)."""
    return claims.ids()


__all__ = ["VERDICTS", "Verdict", "decide", "digits", "entry", "registered", "resolve"]
