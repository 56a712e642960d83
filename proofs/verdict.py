"""A decided claim: :class:`Verdict`, the verdict names, and exact decimal printing.

A verdict is what a *method* returns for a claim (:mod:`adamlab.proofs.claim`):
the verdict, one line of evidence, the full evidence (JSON-serialisable) and,
for ``refuted-as-stated``, the corrected statement.  This module knows nothing
about any particular claim, so the checks that produce verdicts and the ledger
that lists claims can both import it without importing each other.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: every verdict a method may return
VERDICTS = ("proved", "verified", "refuted", "refuted-as-stated", "pending")


def digits(x, n: int = 30) -> str:
    """``x`` (Fraction, int, mpmath or SymPy number) as a decimal string with ``n``
    significant digits (trailing zeros kept), for a refutation's "lhs"/"rhs"."""
    import mpmath as mp
    from fractions import Fraction
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
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
    claim for ``refuted-as-stated``.  The claim's text, source and LaTeX are
    added by :meth:`adamlab.proofs.claim.Claim.to_json`.
    """

    claim_id: str
    verdict: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    corrected: str | None = None

    def __post_init__(self):
        if not isinstance(self.claim_id, str) or not self.claim_id:
            raise TypeError(f"claim_id must be a non-empty str; got {self.claim_id!r}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; got {self.verdict!r}")
        if not isinstance(self.summary, str):
            raise TypeError(f"summary must be a str; got {type(self.summary).__name__}")


__all__ = ["VERDICTS", "Verdict", "digits"]
