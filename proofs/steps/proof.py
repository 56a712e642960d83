r"""A proof as a titled sequence of checked steps (issue 6 §3).

A :class:`Step` states one line of a published proof in LaTeX, says *why* it
should hold, and is linked either

* to a claim ID of the ledger (:mod:`adamlab.proofs.ledger`): its status is the
  verdict that :func:`~adamlab.proofs.ledger.decide` computes when the proof is
  evaluated, with the verdict's summary, witness and corrected statement; or
* to a **local** statement with its own check, a function
  ``check(thorough: bool) -> Outcome`` run at evaluation time (a SymPy
  simplification, an exact/50-digit numeric check on stated inputs, or a
  search for a witness certified in exact arithmetic).

Nothing here stores a verdict: :func:`evaluate` computes every status each
time.  ``on_failure`` is an explanation shown *only* when the computed status
says the step fails (refuted, refuted-as-stated, unproved, error).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .. import claims, ledger

#: what a local check may conclude
LOCAL_STATUSES = ("proved", "verified", "refuted", "unproved")
#: every status a step may show (ledger verdicts, local outcomes, a crashed check)
STATUSES = tuple(dict.fromkeys(ledger.VERDICTS + LOCAL_STATUSES + ("error",)))
#: statuses under which the step does not hold as printed
FAILING = ("refuted", "refuted-as-stated", "unproved", "error")


@dataclass(frozen=True)
class Outcome:
    """What a local check found: ``status`` (one of :data:`LOCAL_STATUSES`), one line
    ``detail`` (how: the SymPy residual, the inputs and tolerance), and for a
    refutation the ``witness`` (a JSON-able dict of exact inputs and both sides)."""

    status: str
    detail: str
    witness: dict[str, Any] | None = None

    def __post_init__(self):
        if self.status not in LOCAL_STATUSES:
            raise ValueError(f"Outcome.status must be one of {LOCAL_STATUSES}; "
                             f"got {self.status!r}")
        if not isinstance(self.detail, str) or not self.detail:
            raise ValueError("Outcome.detail must be a non-empty str")
        if self.status == "refuted" and not self.witness:
            raise ValueError("a refuted Outcome must carry its witness")


@dataclass(frozen=True)
class Step:
    r"""One step: ``title``, the statement ``latex`` (display math, no ``$$``), ``why`` it
    should hold (Markdown, inline ``$...$`` allowed), and exactly one of ``claim`` (a
    ledger ID) or ``check`` (``thorough -> Outcome``).  ``source`` cites the paper's
    place; ``on_failure`` says where/why the step breaks; ``see`` lists related ledger
    IDs whose verdicts are shown beside the step."""

    title: str
    latex: str
    why: str
    claim: str | None = None
    check: Callable[[bool], Outcome] | None = None
    source: str = ""
    on_failure: str = ""
    see: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("title", "latex", "why"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                raise ValueError(f"Step.{name} must be a non-empty str")
        if (self.claim is None) == (self.check is None):
            raise ValueError(f"Step {self.title!r}: give exactly one of claim= or check=")
        if self.claim is not None:
            claims.get(self.claim)          # unknown IDs raise ValueError
        if self.check is not None and not callable(self.check):
            raise TypeError(f"Step {self.title!r}: check must be callable")
        for c in self.see:
            claims.get(c)
        if "$$" in self.latex:
            raise ValueError(f"Step {self.title!r}: latex is display math already; no $$")


@dataclass(frozen=True)
class Proof:
    """A published proof of the ledger claim ``claim_id``: ``title``, ``source`` (paper,
    section), ``intro`` (setting and notation, Markdown) and the ``steps`` in order."""

    claim_id: str
    title: str
    source: str
    intro: str
    steps: tuple[Step, ...]
    outro: str = ""

    def __post_init__(self):
        claims.get(self.claim_id)
        if not self.steps or not all(isinstance(s, Step) for s in self.steps):
            raise ValueError("Proof.steps must be a non-empty tuple of Step")


@dataclass(frozen=True)
class StepResult:
    """A step with its computed ``status``, ``detail`` (one line), ``link`` (the ledger
    ID, or ``"local"``), ``witness``, ``corrected`` statement, ``evidence`` and the
    verdicts of the ``see`` claims (ID -> (verdict, summary))."""

    step: Step
    status: str
    detail: str
    link: str
    witness: Any = None
    corrected: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    related: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def fails(self) -> bool:
        return self.status in FAILING


def _run_local(step: Step, thorough: bool) -> StepResult:
    try:
        out = step.check(thorough)
    except Exception as exc:          # a crashed check is reported, never taken as a pass
        return StepResult(step, "error", f"the check raised {type(exc).__name__}: {exc}",
                          "local")
    if not isinstance(out, Outcome):
        return StepResult(step, "error", f"the check returned {type(out).__name__}, "
                                         "not an Outcome", "local")
    return StepResult(step, out.status, out.detail, "local", witness=out.witness)


def _run_claim(step: Step, thorough: bool, cache: dict) -> StepResult:
    try:
        v = _decide(step.claim, thorough, cache)
    except Exception as exc:
        return StepResult(step, "error", f"ledger.decide({step.claim!r}) raised "
                                         f"{type(exc).__name__}: {exc}", step.claim)
    ev = dict(v.evidence) if isinstance(v.evidence, dict) else {}
    return StepResult(step, v.verdict, v.summary, step.claim, witness=ev.get("witness"),
                      corrected=v.corrected, evidence=ev)


def _decide(claim_id: str, thorough: bool, cache: dict):
    if claim_id not in cache:
        cache[claim_id] = ledger.decide(claim_id, thorough=thorough)
    return cache[claim_id]


def evaluate(proof: Proof, *, thorough: bool = False) -> list[StepResult]:
    """Run every step's check (ledger verdicts decided once per evaluation)."""
    if not isinstance(proof, Proof):
        raise TypeError(f"proof must be a Proof, got {type(proof).__name__}")
    if not isinstance(thorough, bool):
        raise TypeError(f"thorough must be a bool, got {type(thorough).__name__}")
    cache: dict = {}
    out = []
    for step in proof.steps:
        res = (_run_claim(step, thorough, cache) if step.claim is not None
               else _run_local(step, thorough))
        related = {}
        for c in step.see:
            try:
                v = _decide(c, thorough, cache)
                related[c] = (v.verdict, v.summary)
            except Exception as exc:
                related[c] = ("error", f"{type(exc).__name__}: {exc}")
        out.append(StepResult(res.step, res.status, res.detail, res.link, res.witness,
                              res.corrected, res.evidence, related))
    return out


__all__ = ["FAILING", "LOCAL_STATUSES", "Outcome", "Proof", "STATUSES", "Step",
           "StepResult", "evaluate"]
