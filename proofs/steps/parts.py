r"""Proof pages made from a claim's own method, for claims decided in more than one step.

A claim decided by :class:`~adamlab.proofs.methods.combine.AllOf` (several parts or
readings) or by :class:`~adamlab.proofs.methods.recurrences.Induction` (base case,
induction step, derived quantity) is a short proof; :func:`build` turns it into a
:class:`~.proof.Proof` whose steps are those parts, each checked by running that part's
method now (nothing is stored), so ``adamlab prove ID`` renders it like the published
proofs.  :func:`ids` lists the claims that get such a page.
"""
from __future__ import annotations

from typing import Any

from .. import claims
from ..claim import text_tex
from ..methods.combine import AllOf
from ..methods.recurrences import Induction
from .proof import Outcome, Proof, Step

_STATUS = {"proved": "proved", "verified": "verified", "refuted": "refuted",
           "refuted-as-stated": "refuted", "pending": "unproved"}


def _outcome(verdict, pick=None) -> Outcome:
    status = _STATUS[verdict.verdict]
    witness = verdict.evidence.get("witness") if status == "refuted" else None
    if status == "refuted" and not witness:
        status = "unproved"
    detail = verdict.summary if pick is None else pick
    return Outcome(status, detail or verdict.summary, witness)


def _part_check(claim, method):
    def check(thorough: bool = False) -> Outcome:
        return _outcome(method.decide(claim, thorough=thorough))
    return check


def _induction_check(claim, key: str, label: str, runs: dict):
    """One part of the induction's evidence; ``runs`` holds this page's one decision (the
    steps of a page share it; a new page decides again)."""
    def check(thorough: bool = False) -> Outcome:
        if thorough not in runs:
            runs[thorough] = claim.method.decide(claim, thorough=thorough)
        v = runs[thorough]
        ev: dict[str, Any] = v.evidence
        part = ev.get(key)
        if key == "derived":
            ok = bool(part and part.get("vanishes"))
            return Outcome("proved" if ok else "unproved",
                           f"{label}: difference simplifies to "
                           f"{part.get('difference_simplified') if part else 'n/a'}")
        if key == "exact_replay":
            ok = bool(part and part.get("agree"))
            return Outcome("verified" if ok else "unproved",
                           f"{label}: {part.get('steps')} steps on rational gradients "
                           f"{part.get('grads')} at {part.get('params')}")
        ok = bool(part) and all(part.values())
        return Outcome("proved" if ok else "unproved", f"{label}: {part} (SymPy)")
    return check


def ids() -> list[str]:
    """The claims whose method has more than one step (each gets a page)."""
    out = []
    for c in claims.CLAIMS:
        m = c.method
        if isinstance(m, Induction) or (isinstance(m, AllOf) and sum(
                p.role != "report" for p in m.parts) >= 2):
            out.append(c.id)
    return out


def build(claim_id: str) -> Proof:
    """The page of ``claim_id`` (one of :func:`ids`)."""
    if claim_id not in ids():
        raise ValueError(f"{claim_id!r} has no multi-step page; choose one of {ids()}")
    c = claims.get(claim_id)
    m = c.method
    if isinstance(m, Induction):
        runs: dict = {}
        steps = [Step("Base case t = 1", c.latex().split(r"\qquad")[0] + r"\quad(t = 1)",
                      "One step of the printed rule from its start equals the closed form "
                      "at t = 1.", check=_induction_check(c, "base_case_t1", "base case", runs),
                      source=c.source),
                 Step("Induction step", c.latex().split(r"\qquad")[0],
                      "One step of the printed rule from the closed form at t - 1 gives the "
                      "closed form at t: each sum is split at its last term and the sums over "
                      "the same range are merged.",
                      check=_induction_check(c, "induction_step", "induction step", runs),
                      source=c.source)]
        if m.derived is not None:
            steps.append(Step("The derived quantity", c.latex().split(r"\qquad")[0],
                              "The quantity computed from the state, with the closed forms "
                              "inserted, equals its claimed closed form.",
                              check=_induction_check(c, "derived", "derived", runs),
                              source=c.source))
        steps.append(Step("Exact replay of the first steps", text_tex("closed form = rule"),
                          "A cross-check, not part of the proof: the printed rule stepped "
                          "in exact arithmetic agrees with the closed forms.",
                          check=_induction_check(c, "exact_replay", "exact replay", runs),
                          source=c.source))
    else:
        steps = [Step(p.label[:90], text_tex(p.label[:160]),
                      f"Decided by {p.method.describe()}"
                      + ("" if p.role == "claim" else f" (role: {p.role}; not counted in the "
                                                      f"verdict)"),
                      check=_part_check(c, p.method), source=c.source)
                 for p in m.parts]
    intro = (f"Claim as printed: {c.text}\n\n" + (f"Reading: {m.reading}" if isinstance(
        m, AllOf) and m.reading else ""))
    return Proof(c.id, f"{c.id}: {c.source}", c.source, intro, tuple(steps))


__all__ = ["build", "ids"]
