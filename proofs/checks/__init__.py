"""Modules holding the ledger's checks; importing this package registers them.

Each module registers its checks with :func:`adamlab.proofs.ledger.check_for`.
"""
from . import step_size  # noqa: F401  (issue 3: theory-decided claims: the effective step)
from . import moment_checks  # noqa: F401  (issue 3: moments, limits, the efficient order)
from . import regret  # noqa: F401  (issue 4: the pieces of the regret proofs)
from . import theorems  # noqa: F401  (issue 6: KB Thm 4.1, RKK Thm 4, AdaGrad, OGD)
from . import simulations  # noqa: F401  (issue 6: RKK Thm 1, §5, KB Cor 4.2)
from . import gamma_psd  # noqa: F401  (issue 6: RKK §3 eq. 2)
from . import final_display  # noqa: F401  (issue 6: KB proof of Thm 10.5, last display)
