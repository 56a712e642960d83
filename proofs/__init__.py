"""adamlab.proofs: step-checked proofs and the claims ledger.

This is where :mod:`adamlab.theory` (exact statements) and
:mod:`adamlab.numerics` (simulation) meet.
"""

from .claim import Check, Claim, Method, Quantifier  # noqa: E402
from .ledger import decide  # noqa: E402
from .verdict import Verdict  # noqa: E402

__all__ = ["Check", "Claim", "Method", "Quantifier", "Verdict", "decide"]
