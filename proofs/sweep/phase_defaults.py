"""The phase map's defaults, apart from :mod:`.phase` so that the command line can show
them without importing the sweep and the claims behind it (2.4 s)."""
from __future__ import annotations

#: limits on the grid's size per axis
MAX_GRID = 60
#: the defaults, chosen by measurement: rkk-online's map in about 2 minutes on 2 workers
#: (103-123 s measured on a 2-core machine); with lr = 0.1/sqrt(t) or T = 1e5 AMSGrad has not
#: yet converged and the map misleads
DEFAULT_GRID = (16, 16)
DEFAULT_T = 10**6
DEFAULT_LR = "1/sqrt(t)"

__all__ = ["DEFAULT_GRID", "DEFAULT_LR", "DEFAULT_T", "MAX_GRID"]
