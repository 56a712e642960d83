r"""One claim, several parts or readings: :class:`AllOf` decides each with its own method.

A printed sentence often says two things ("r_t = sum g_i^2 *and* theta_{t+1} = ...",
"RMSProp has no bias correction; correcting it causes large steps"), or a remark in
words has more than one precise reading.  Each :class:`Part` has a ``label``, the
:class:`~adamlab.proofs.claim.Method` that decides it and a ``role``:

``"claim"``
    part of what the verdict is for: the verdict is the weakest of these parts
    (refuted < pending < verified < proved);
``"reading"``
    another precise reading of the same words, decided and reported, not counted;
``"report"``
    evidence that answers a question the claim asks (e.g. which frameworks compute
    the update), not counted.

When a counted part is refuted and ``corrected`` is given, the verdict is
``refuted-as-stated`` with that corrected statement (itself a claim the evidence
should support: give it a part with role ``"reading"``).  The witness of the first
refuted counted part (its ``witness``, ``lhs``, ``rhs``) is lifted to the top of the
evidence, where the ledger's JSON contract expects it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..claim import Method
from ..verdict import Verdict

ROLES = ("claim", "reading", "report")
_RANK = {"refuted": 0, "refuted-as-stated": 0, "pending": 1, "verified": 2, "proved": 3}


@dataclass(frozen=True)
class Part:
    """One part of a claim: ``label`` (what it says, in words), ``method``, ``role``."""

    label: str
    method: Method
    role: str = "claim"

    def __post_init__(self):
        if not isinstance(self.label, str) or not self.label:
            raise TypeError("Part.label must be a non-empty str")
        if not isinstance(self.method, Method):
            raise TypeError(f"Part.method must be a Method; got {type(self.method).__name__}")
        if self.role not in ROLES:
            raise ValueError(f"Part.role must be one of {ROLES}; got {self.role!r}")


@dataclass(frozen=True)
class AllOf(Method):
    """Decide every part (module docstring); ``reading`` states how the words are read."""

    parts: tuple[Part, ...]
    reading: str = ""
    corrected: str | None = None
    kind: str = "mixed"

    def __post_init__(self):
        if not isinstance(self.parts, tuple) or not self.parts or not all(
                isinstance(p, Part) for p in self.parts):
            raise TypeError("parts must be a non-empty tuple of Part")
        if not any(p.role == "claim" for p in self.parts):
            raise ValueError("at least one part must have role 'claim'")

    def describe(self) -> str:
        return "parts: " + "; ".join(f"{p.label} [{p.method.describe()}]"
                                     for p in self.parts if p.role == "claim")

    def decide(self, claim, thorough: bool = False) -> Verdict:
        results = [(p, p.method.decide(claim, thorough=thorough)) for p in self.parts]
        counted = [(p, v) for p, v in results if p.role == "claim"]
        worst = min(counted, key=lambda pv: _RANK[pv[1].verdict])[1].verdict
        ev: dict[str, Any] = {"reading": self.reading,
                              "parts": [{"label": p.label, "role": p.role,
                                         "verdict": v.verdict, "summary": v.summary,
                                         "evidence": v.evidence,
                                         **({"corrected": v.corrected} if v.corrected
                                            else {})}
                                        for p, v in results]}
        refuted = [(p, v) for p, v in counted if v.verdict.startswith("refuted")]
        if refuted:
            p, v = refuted[0]
            for key in ("witness", "lhs", "rhs", "sides"):
                if key in v.evidence:
                    ev[key] = v.evidence[key]
            ev["refuted_part"] = p.label
        lines = "; ".join(f"{p.label}: {v.verdict}" for p, v in results)
        if refuted:
            corrected = self.corrected or refuted[0][1].corrected
            verdict = "refuted-as-stated" if corrected else "refuted"
            return Verdict(claim.id, verdict, f"{lines}. {refuted[0][1].summary}", ev,
                           corrected)
        best = {"pending": "pending", "verified": "verified", "proved": "proved"}[worst]
        return Verdict(claim.id, best, lines, ev)


__all__ = ["AllOf", "Part", "ROLES"]
