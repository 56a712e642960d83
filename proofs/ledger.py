"""The claims ledger: decide a claim with its own method and report the verdict.

:func:`decide` takes a published claim ID (:mod:`adamlab.proofs.claims`) or any
:class:`~adamlab.proofs.claim.Claim` -- a user's claim goes through the same
machinery -- and returns the :class:`~adamlab.proofs.verdict.Verdict` that the
claim's method *computes* (a SymPy simplification, a stated numeric check, or a
certified witness; never a verdict written into the code).  :func:`entry` is the
ledger's JSON row (``adamlab check --json``).
"""
from __future__ import annotations

from typing import Any, Callable

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


def entries(ids: list[str], *, thorough: bool = False, workers: int = 1,
            initializer: Callable | None = None, initargs: tuple = (),
            done: Callable[[str, int], None] | None = None) -> list[dict[str, Any]]:
    """The JSON rows (:func:`entry`) of the published claims ``ids``, in that order.

    ``workers`` > 1 decides them side by side in that many fresh processes (spawned, so
    nothing of this process's state is shared; ``initializer(*initargs)`` runs first in
    each, e.g. to import the plugins a claim needs).  Every claim's method is a pure
    function of the claim, so the rows are the same as with ``workers = 1``.  ``done(id,
    k)`` is called as the k-th claim completes (for a progress line)."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int >= 1; got {workers!r}")
    ids = list(ids)
    for cid in ids:
        resolve(cid)                         # unknown IDs fail here, before any process
    if workers == 1 or len(ids) < 2:
        rows = []
        for k, cid in enumerate(ids, start=1):
            rows.append(entry(cid, thorough=thorough))
            if done:
                done(cid, k)
        return rows
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(ids)), mp_context=ctx,
                             initializer=initializer, initargs=initargs) as pool:
        futures = {pool.submit(entry, cid, thorough=thorough): cid for cid in ids}
        try:
            for k, fut in enumerate(as_completed(futures), start=1):
                fut.result()                 # a failure raises here, naming its claim
                if done:
                    done(futures[fut], k)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
        return [fut.result() for fut in futures]


def registered() -> list[str]:
    """IDs of the published claims (each carries its method)."""
    return claims.ids()


__all__ = ["VERDICTS", "Verdict", "decide", "digits", "entries", "entry", "registered",
           "resolve"]
