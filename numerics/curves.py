r"""Summaries of regret curves over runs: log-spaced grids, quantile bands, log-log slopes.

>>> import numpy as np
>>> from adamlab.numerics.curves import log_grid, loglog_slope
>>> t = np.arange(1, 10001)
>>> R = np.stack([3 * np.sqrt(t), 2 * t], axis=1)       # two runs: sqrt(T) and linear
>>> np.round(loglog_slope(t, R), 6)
array([0.5, 1. ])
>>> log_grid(1000, 5)
array([   1,    6,   32,  178, 1000])

The slope of a regret curve :math:`R(t)` on log-log axes over a window
:math:`t \in [t_0, T]` is the least-squares fit

.. math:: \log R(t) \approx a + s \log t, \qquad
          s = \frac{\sum_k (x_k - \bar x)(y_k - \bar y)}{\sum_k (x_k - \bar x)^2},
          \quad x_k = \log t_k,\ y_k = \log R(t_k),

over log-spaced points :math:`t_k` of the window (so every decade weighs the
same), using only the points with :math:`R(t_k) > 0` (the logarithm is
undefined elsewhere).  :math:`s = 1/2` is the :math:`\sqrt T` growth of the
regret theorems (Zinkevich, ICML 2003; Kingma & Ba, ICLR 2015, Cor. 4.2);
:math:`s = 1` is linear regret (no convergence of :math:`R(T)/T`).
"""
from __future__ import annotations

import numbers

import numpy as np


def _posint(who: str, name: str, value, low: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{who}: {name} must be an int >= {low}; got {value!r}")
    if value < low:
        raise ValueError(f"{who}: {name} must be an int >= {low}; got {value!r}")
    return int(value)


def log_grid(T: int, n: int = 300) -> np.ndarray:
    r"""At most ``n`` distinct steps :math:`1 \le t \le T`, log-spaced, always with 1 and T.

    ``T`` (int >= 1) is the horizon, ``n`` (int >= 2) the number of points asked for;
    fewer come back when T is small (duplicates are dropped).
    """
    T = _posint("log_grid", "T", T)
    n = _posint("log_grid", "n", n, 2)
    t = np.unique(np.round(np.logspace(0, np.log10(T), n)).astype(np.int64))
    t[0], t[-1] = 1, T
    return np.unique(t)


def quantile_band(values, quantiles=(0.1, 0.5, 0.9)) -> np.ndarray:
    r"""Quantiles over runs: ``values`` (n, R) -> (len(quantiles), n), NaN rows ignored.

    ``quantiles`` are numbers in [0, 1] (NumPy's linear interpolation).  A row
    with no finite value gives NaN.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"quantile_band: values must have shape (n,) or (n, R); got "
                         f"{arr.shape}")
    q = np.asarray(quantiles, dtype=np.float64).reshape(-1)
    if q.size == 0 or not np.all((q >= 0) & (q <= 1)):
        raise ValueError(f"quantile_band: quantiles must be numbers in [0, 1]; got "
                         f"{quantiles!r}")
    out = np.full((q.size, arr.shape[0]), np.nan)
    ok = np.isfinite(arr).any(axis=1)
    if ok.any():
        with np.errstate(all="ignore"):
            out[:, ok] = np.nanquantile(arr[ok], q, axis=1)
    return out


def loglog_slope(t, regret, *, start: float = 0.1, points: int = 50) -> np.ndarray:
    r"""Least-squares slope of :math:`\log R` against :math:`\log t` per run (see module docs).

    ``t`` (n,) increasing steps >= 1 and ``regret`` (n,) or (n, R) the curve at those
    steps; the window is :math:`t \ge` ``start`` :math:`\cdot\,t_{\max}` (``start`` in
    (0, 1)), sampled at about ``points`` (int >= 2) log-spaced steps.  Returns (R,)
    (NaN for a run with fewer than two positive points in the window).
    """
    t = np.asarray(t, dtype=np.float64).reshape(-1)
    R = np.asarray(regret, dtype=np.float64)
    if R.ndim == 1:
        R = R[:, None]
    if R.ndim != 2 or R.shape[0] != t.size:
        raise ValueError(f"loglog_slope: regret must have shape (n,) or (n, R) with n = "
                         f"len(t) = {t.size}; got {np.shape(regret)}")
    if t.size == 0 or np.any(t < 1) or np.any(np.diff(t) <= 0):
        raise ValueError("loglog_slope: t must be non-empty, increasing and >= 1")
    if not (isinstance(start, numbers.Real) and 0 < start < 1):
        raise ValueError(f"loglog_slope: start must be a number in (0, 1); got {start!r}")
    points = _posint("loglog_slope", "points", points, 2)
    lo = start * t[-1]
    targets = np.unique(np.geomspace(max(lo, t[0]), t[-1], points))
    idx = np.unique(np.clip(np.searchsorted(t, targets), 0, t.size - 1))
    x = np.log(t[idx])
    out = np.full(R.shape[1], np.nan)
    for r in range(R.shape[1]):
        y = R[idx, r]
        ok = np.isfinite(y) & (y > 0)
        if ok.sum() < 2 or np.ptp(x[ok]) == 0:
            continue
        xs, ys = x[ok], np.log(y[ok])
        xc = xs - xs.mean()
        out[r] = float(np.dot(xc, ys - ys.mean()) / np.dot(xc, xc))
    return out


__all__ = ["log_grid", "loglog_slope", "quantile_band"]
