"""The claim-specific checks of the published ledger, one module per concern.

Each check is a function ``fn(thorough=False) -> Verdict`` that *computes* its
verdict with adamlab's own machinery.  A check is not registered anywhere: the
claim that it decides names it as its method (:mod:`adamlab.proofs.claims`).
"""
