"""adamlab.proofs: step-checked proofs and the claims ledger.

This is where :mod:`adamlab.theory` (exact statements) and
:mod:`adamlab.numerics` (simulation) meet.
"""
