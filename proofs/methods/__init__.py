"""Generic methods that decide claims (issue 15): they know no particular claim.

* :mod:`.symbolic` -- SymPy proves a relation under its hypotheses, or a rational
  point certified at 60/90 digits refutes it;
* :mod:`.games` -- linear games on the box [-1,1]^d played by a registry optimizer,
  in float64 (batched) or replayed in mpmath (certificates);
* :mod:`.search` -- :func:`~.search.search_bound`, the adversarial search for a
  regret claim ``lhs <= rhs`` (data-driven: a user's claim is a ``space`` dict),
  and :func:`~.search.certify`, which re-runs its witnesses from JSON.

This package imports theory and numerics (and :mod:`adamlab.proofs.verdict`), never
the ledger or the claim-specific checks.
"""
