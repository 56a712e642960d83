"""Checks shared by the lazy sparse engine's tests: a sparse run against the dense one."""
from __future__ import annotations

import numpy as np


def rel(a, b):
    """Norm-wise relative difference max|a - b| / max|b|."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def stats_agree(sp, dense, exact_D: bool) -> None:
    """The sparse run's statistics equal the dense run's (1e-12; the second-moment sums
    1e-10), and its ranges D, D_inf are upper bounds of the dense ones (equal when
    ``exact_D``: no drift)."""
    s, d = sp.stats, dense.stats
    assert set(s) == set(d)
    for k in ("G", "G_inf", "sum_g_norm"):
        assert rel(s[k], d[k]) <= 1e-12, k
    for k in ("sum_vhat_sqrt", "sum_sqrt_t_vhat", "sum_b1t_vhat_over_alpha"):
        if k in d:
            assert rel(s[k], d[k]) <= 1e-10, k
    if "gamma_min_eig" in d:                       # optimizers with a second moment
        scale = np.max(np.abs(d["gamma_min_eig"]))
        assert np.max(np.abs(s["gamma_min_eig"] - d["gamma_min_eig"])) <= 1e-10 * scale + 1e-12
    if exact_D:
        assert rel(s["D"], d["D"]) <= 1e-12 and rel(s["D_inf"], d["D_inf"]) <= 1e-12
    else:                                  # upper bounds (the drift's end point comes early)
        assert np.all(s["D"] >= d["D"] * (1 - 1e-12))
        assert np.all(s["D_inf"] >= d["D_inf"] * (1 - 1e-12))
