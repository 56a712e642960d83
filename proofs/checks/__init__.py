"""Modules holding the ledger's checks; importing this package registers them.

Each module registers its checks with :func:`adamlab.proofs.ledger.check_for`.
"""
from . import step_size  # noqa: F401  (issue 3: theory-decided claims)
from . import regret  # noqa: F401  (issue 4: the pieces of the regret proofs)
