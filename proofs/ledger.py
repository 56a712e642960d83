"""The claims ledger: one check per claim ID, each returning a :class:`Verdict`.

A check is a function of ``thorough: bool`` registered with :func:`check_for`;
it must *compute* its verdict from adamlab's own machinery (a SymPy
simplification, a stated numeric check, or a certified witness) -- never
return a verdict written into the code.  Claims without a registered check
are reported as ``pending``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from . import claims

VERDICTS = ("proved", "verified", "refuted", "refuted-as-stated", "pending")


def digits(x, n: int = 30) -> str:
    """``x`` (Fraction, int, mpmath or SymPy number) as a decimal string with ``n``
    significant digits (trailing zeros kept), for a refutation's "lhs"/"rhs"."""
    import mpmath as mp
    from fractions import Fraction
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int; got {n!r}")
    with mp.workdps(n + 20):
        if isinstance(x, Fraction):
            v = mp.mpf(x.numerator) / x.denominator
        elif hasattr(x, "evalf"):
            v = mp.mpf(str(x.evalf(n + 20)))
        else:
            v = mp.mpf(x)
        return mp.nstr(v, n, strip_zeros=False, min_fixed=-mp.inf, max_fixed=mp.inf) \
            if v != 0 else "0." + "0" * (n - 1)


@dataclass(frozen=True)
class Verdict:
    """A decided claim: the verdict, one line of evidence, and the full evidence.

    ``evidence`` must be JSON-serialisable and, for a refutation, hold the
    witness (every parameter and the gradient sequence or its rule) so that
    it can be re-run from the JSON alone.  ``corrected`` states the corrected
    claim for ``refuted-as-stated``.
    """

    claim_id: str
    verdict: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    corrected: str | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; got {self.verdict!r}")
        claims.get(self.claim_id)  # unknown IDs raise ValueError

    def to_json(self) -> dict[str, Any]:
        spec = claims.get(self.claim_id)
        return {"id": self.claim_id, "source": spec.source, "verdict": self.verdict,
                "statement": claims.latex(spec.id), "statement_text": spec.statement,
                "summary": self.summary,
                "evidence": self.evidence, "corrected": self.corrected}


_CHECKS: dict[str, Callable[..., Verdict]] = {}


def check_for(claim_id: str):
    """Decorator: register ``fn(thorough=False) -> Verdict`` as the check of ``claim_id``."""
    claims.get(claim_id)

    def deco(fn):
        if claim_id in _CHECKS:
            raise ValueError(f"claim {claim_id!r} has two checks")
        _CHECKS[claim_id] = fn
        return fn
    return deco


def _load_checks() -> None:
    # modules holding checks register themselves on import
    from . import checks  # noqa: F401


def decide(claim_id: str, *, thorough: bool = False) -> Verdict:
    """Run the check of ``claim_id`` (``pending`` if it has none yet)."""
    spec = claims.get(claim_id)
    _load_checks()
    fn = _CHECKS.get(spec.id)
    if fn is None:
        return Verdict(spec.id, "pending", "no check registered yet")
    verdict = fn(thorough=thorough)
    if not isinstance(verdict, Verdict) or verdict.claim_id != spec.id:
        raise RuntimeError(f"the check of {spec.id} returned {verdict!r}")
    return verdict


def registered() -> list[str]:
    """IDs that have a check."""
    _load_checks()
    return [i for i in claims.ids() if i in _CHECKS]


__all__ = ["VERDICTS", "Verdict", "digits", "check_for", "decide", "registered", "asdict"]
